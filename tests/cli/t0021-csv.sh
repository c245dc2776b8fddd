#!/bin/sh
# CSV exports (asn export, status export) read back with a real CSV parser
# (python3's csv module) and compared with the JSON export field by field,
# with hostile values: quotes, a trailing quote, commas, line ends (forged
# around qvault, which refuses them), and cells a spreadsheet would run as
# a formula, which come out behind a "'".
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-9 --qty 10 > /dev/null

# same.py CSV JSON: every CSV row is the JSON object at its place, cell by
# cell (a missing JSON member is an empty cell; a cell beginning with
# = + - @ tab or CR has a "'" in front), and no row is missing or extra
cat > same.py <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    rows = list(csv.reader(f, strict=True))
with open(sys.argv[2], encoding='utf-8') as f:
    objs = json.load(f)
head, body = rows[0], rows[1:]
if len(body) != len(objs):
    sys.exit('%d CSV rows, %d JSON objects' % (len(body), len(objs)))
for i, (row, obj) in enumerate(zip(body, objs), 2):
    if len(row) != len(head):
        sys.exit('row %d has %d cells, the header %d' % (i, len(row), len(head)))
    if set(obj) - set(head):
        sys.exit('row %d: JSON members %s are not columns' % (i, set(obj) - set(head)))
    for name, cell in zip(head, row):
        want = '' if name not in obj else str(obj[name])
        if want[:1] in ('=', '+', '-', '@', '\t', '\r'):
            want = "'" + want
        if cell != want:
            sys.exit('row %d, %s: CSV %r, JSON %r' % (i, name, cell, want))
EOF
# same KEY WHAT [ARGS]: WHAT export --csv and WHAT export, by KEY, agree
same() {
	key=$1 what=$2; shift 2
	q --key "$key" $what export --csv "$@" > e.csv && q --key "$key" $what export "$@" > e.json &&
	python3 same.py e.csv e.json
}

# ---- hostile values through the command line
ok "a ship notice with a formula for carrier and quotes and commas in its tracking number" \
	q --key sam.pem asn add --id 0-EVIL --po PO-1 --ship-date 2099-12-10 \
	--carrier "=cmd|' /C calc'!A0" --tracking '1Z",=HYPERLINK("http://evil.example/")"' --package CTN-1:L-1:5
ok "a tracking number ending in a quote" q --key sam.pem asn add --po PO-1 --ship-date 2099-12-11 \
	--carrier UPS --tracking 'ends in a quote"' --package CTN-2:L-1:5
ok "  and ship notices after it" q --key sam.pem asn add --po PO-1 --ship-date 2099-12-12 \
	--carrier '@SUM(1+1)' --tracking '+1-800' --package CTN-3:L-1:5
q --key zed.pem asn add --po PO-2 --ship-date 2099-12-12 --tracking Z1 --package C:Z-1:1 > /dev/null 2>&1
ok "status notes with quotes, commas and a leading - or =" sh -c '
	q --key sam.pem status PO-1 started --note "a, b \"c\" d\"" &&
	q --key sam.pem status PO-1:1 in-progress --note "-5 short, 2 scrapped" &&
	q --key sam.pem status PO-1:1 on-hold --note "=1+1"'
fails 1 "note is not UTF-8 text without control characters" "a line end in a note is refused" \
	q --key sam.pem status PO-1 started --note "$(printf 'two\nlines')"

# ---- line ends, a tab and a carriage return, forged around qvault (verify
# would name the commit; the index takes what the repository holds)
S=$(git -C v ls-tree -r --name-only main | grep '/status/000002-sam.json$')
git -C v show "main:$S" > s.json
sed 's/"note": ".*"/"note": "two\\nlines, \\"q\\"\\r\\n=1+1,"/; s/"seq": 2/"seq": 4/' s.json > s4.json
sed 's/"note": ".*"/"note": "\\t=HYPERLINK(1)"/; s/"seq": 2/"seq": 5/' s.json > s5.json
sed 's/"note": ".*"/"note": "\\r=1"/; s/"seq": 2/"seq": 6/' s.json > s6.json
forge v - "forged notes" "${S%/*}/000004-sam.json=s4.json" "${S%/*}/000005-sam.json=s5.json" \
	"${S%/*}/000006-sam.json=s6.json"
ok "the forged notes are indexed" q reindex

# ---- every CSV export against its JSON
check "asn export: CSV and JSON agree cell by cell" same "$QVAULT_KEY" asn
check "  and for a supplier" same sam.pem asn
check "  and for another supplier" same zed.pem asn
check "  and for one organization" same "$QVAULT_KEY" asn --org acme
check "status export: CSV and JSON agree cell by cell" same "$QVAULT_KEY" status
check "  and for a supplier" same sam.pem status
check "no ship notice is dropped after the one that sorts first" sh -c '
	q asn export --csv > a.csv &&
	test "$(python3 -c "import csv,sys; print(len(list(csv.reader(open(\"a.csv\", newline=\"\"))))-1)")" = \
		"$(sqlite3 v/qvault/index.db "SELECT count(*) FROM asn_items")"'
check "the CSV is RFC 4180: CRLF row ends, a quote doubled inside quotes" sh -c '
	q asn export --csv > a.csv && head -1 a.csv | od -c | grep -q "\\\\r  *\\\\n" &&
	grep -qF "\"1Z\"\",=HYPERLINK(\"\"http://evil.example/\"\")\"\"\"" a.csv &&
	grep -qF "\"ends in a quote\"\"\"" a.csv'
check "formula cells are neutralized with a leading quote" sh -c '
	q asn export --csv > a.csv && grep -qF ",'"'"'=cmd|'"'"' /C calc'"'"'!A0," a.csv &&
	grep -qF ",'"'"'@SUM(1+1),'"'"'+1-800," a.csv &&
	q status export --csv > s.csv && grep -qF "\"'"'"'-5 short, 2 scrapped\"" s.csv &&
	grep -qF ",'"'"'=1+1," s.csv'

done_testing
