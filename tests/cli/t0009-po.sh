#!/bin/sh
# Purchase orders: one at a time, or imported from CSV and JSON; a bad row
# refuses the whole file, naming the row and the field.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme > /dev/null

ok "a buyer records a PO" q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C:2026-12-31 --line PN-2:5:DWG-1@C
check "  its lines are indexed" \
	sh -c 'test "$(sqlite3 v/qvault/index.db "SELECT count(*) FROM po_lines WHERE po = '"'PO-1'"'")" = 2'
header='po,supplier,line,part,qty,doc,rev,due'
printf '%s\nPO-2,acme,1,PN-1,10,DWG-1,C,2027-01-15\nPO-2,acme,2,PN-3,"7",DWG-1,C,\nPO-3,acme,1,PN-1,1,DWG-1,C,\n' "$header" > pos.csv
ok "po import of a CSV file" q po import pos.csv
check "  many POs in one commit" sh -c 'git -C v log -1 --format=%s | grep -q "po import 2 purchase orders"'
printf '\357\273\277%s\r\nPO-4,acme,1,PN-1,10,DWG-1,C,2027-01-15\r\n' "$header" > excel.csv
ok "a CSV with a byte order mark and CRLF line ends, as spreadsheets write it" q po import excel.csv
check "  reads the same as plain CSV" \
	sh -c 'test "$(sqlite3 v/qvault/index.db "SELECT part, qty, due FROM po_lines WHERE po = '"'PO-4'"'")" = "PN-1|10|2027-01-15"'
printf '[{"po": "PO-5", "supplier": "acme", "lines": [{"line": 1, "part": "PN-1", "qty": 3, "doc": "DWG-1", "rev": "C"}]}]\n' > pos.json
ok "po import of a JSON file" q po import pos.json
check "git fsck --strict and verify are clean" sh -c 'git -C v fsck --strict && q verify > /dev/null'

bad() { { echo "$header"; printf '%s\n' "$@"; } > bad.csv; }
bad 'PO-9,acme,1,PN-1,10,DWG-1,C,' 'PO-9,acme,2,PN-2,-3,DWG-1,C,'
fails 1 "'bad.csv': row 3, field 'qty': '-3' is not a whole number" "a negative quantity, naming row and field" q po import bad.csv
bad 'PO-9,acme,1,PN-1,2.5,DWG-1,C,'
fails 1 "row 2, field 'qty': '2.5' is not a whole number" "a quantity that is not whole" q po import bad.csv
bad 'PO-9,acme,1,PN-1,0,DWG-1,C,'
fails 1 "row 2, field 'qty': '0' is not a whole number" "a zero quantity" q po import bad.csv
bad 'PO-9,acme,1,"PN-1,10,DWG-1,C,'
fails 1 "row 2: a quoted field is not closed" "an unterminated quote" q po import bad.csv
printf 'po,supplier,lines,part,qty,doc,rev,due\nPO-9,acme,1,PN-1,1,DWG-1,C,\n' > bad.csv
fails 1 "row 1: column 3 is 'lines', expected 'line'" "a wrong column" q po import bad.csv
bad 'PO-9,acme,1,PN-1,1,DWG-1,C'
fails 1 "row 2: 7 fields, the header names 8" "a row with a field missing" q po import bad.csv
bad 'PO-9,acme,1,PN-1,1,DWG-1,Z,'
fails 1 "row 2: line 1: document 'DWG-1' has no revision 'Z'" "an unknown revision" q po import bad.csv
bad 'PO-9,acme,1,PN-1,1,DWG-404,C,'
fails 1 "document 'DWG-404' has no revision 'C'" "an unknown document" q po import bad.csv
bad 'PO-9,nobody,1,PN-1,1,DWG-1,C,'
fails 1 "row 2: no supplier belongs to organization 'nobody'" "an unknown supplier" q po import bad.csv
bad 'PO-9,acme,1,PN-1,1,DWG-1,C,2026-02-30'
fails 1 "row 2: line 1: due date '2026-02-30' is not a date" "a date that does not parse" q po import bad.csv
bad 'PO-1,acme,1,PN-1,1,DWG-1,C,'
fails 1 "row 2: PO 'PO-1' already exists" "a PO that exists" q po import bad.csv
bad "PO-9,acme,1,$(head -c 1048576 /dev/zero | tr '\0' 'A'),1,DWG-1,C,"
fails 1 "row 2: line 1: part number 'A+\.\.\.' is longer than 128 bytes" "a 1 MB field" q po import bad.csv
tables=$(sqlite3 v/qvault/index.db "SELECT count(*) FROM sqlite_master")
# a PO number is kept as the ERP wrote it, SQL metacharacters too: bound, never spliced
bad "PO-9');DROP TABLE pos;--,acme,1,PN-1,1,DWG-1,C," 
ok "SQL metacharacters in the PO number: a PO number as given" q po import bad.csv
check "  po show gives it exactly" evalq "q po show \"PO-9');DROP TABLE pos;--\" --json |
	jq -e '.po == \"PO-9'\\'');DROP TABLE pos;--\"' > /dev/null"
bad "PO-9,acme,1,PN-1\" OR 1=1,1,DWG-1,C,"
fails 1 "row 2: a quoted field is not closed|row 2: line 1: part number" "SQL metacharacters in the part" q po import bad.csv
check "  the schema is untouched: every table, and the five POs and the new one" sh -c "
	test \"\$(sqlite3 v/qvault/index.db 'SELECT count(*) FROM sqlite_master')\" = '$tables' &&
	test \"\$(sqlite3 v/qvault/index.db 'SELECT count(*) FROM pos')\" = 6"
bad 'PO-9,acme,1,PN-1,1,DWG-1,C,' 'PO-9,zenith,2,PN-1,1,DWG-1,C,'
fails 1 "row 3, field 'supplier': PO 'PO-9' names two suppliers" "one PO, two suppliers" q po import bad.csv
printf '[{"po": "PO-9", "supplier": "acme", "lines": [{"line": 1, "part": "PN-1", "qty": "many", "doc": "DWG-1", "rev": "C"}]}]\n' > bad.json
fails 1 "'bad.json': purchase order 1, line 1:" "a JSON quantity that is not a number" q po import bad.json
printf '[{"po": "PO-9", "supplier": "acme", "lines": [' > bad.json
fails 1 "'bad.json': line 1:" "truncated JSON" q po import bad.json
fails 1 "file 'none.csv' does not exist" "a missing file" q po import none.csv
fails 1 "user 'sam' may not issue purchase orders" "a supplier may not issue POs" \
	q --key sam.pem po add PO-9 --supplier acme --line PN-1:1:DWG-1@C
fails 2 "line 1: 'PN-1:x:DWG-1@C' is not PART:QTY:DOC@REV" "a malformed --line" \
	q po add PO-9 --supplier acme --line PN-1:x:DWG-1@C
fails 1 "line 2 is given twice|quantity must be" "a zero quantity on the command line" \
	q po add PO-9 --supplier acme --line PN-1:0:DWG-1@C

done_testing
