#!/bin/sh
# Lots, their genealogy across tiers, and the trace of a lot.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf
make_pdf d.pdf "rev D"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-1:5:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null

ok "the supplier records a mill heat lot" q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 --made 2026-01-10
ok "  a bar lot made from it" q --key sam.pem lot add B-5 --po PO-1 --part BAR-1 --qty 5 --made 2026-02-01 --from H-77:5
ok "  and a machined lot made from that" \
	q --key sam.pem lot add L-0923 --po PO-1 --part PN-1 --qty 50 --made 2099-12-01 --shipped 2099-12-02 --from B-5:5
ok "quality may record a lot for any supplier" q lot add Q-1 --po PO-2 --part PN-1 --qty 1
check "trace lot names PO, supplier and the revision the line requires" sh -c '
	q trace lot L-0923 > t.txt && grep -q "PO        PO-1 (supplier acme)" t.txt &&
	grep -q "built to  DWG-1@C (PO line 1)" t.txt && grep -q "in effect when made: DWG-1@C" t.txt'
check "  whether the supplier acknowledged it before making the lot" \
	grep -q "acknowledged received by sam (acme) .*, before it was made" t.txt
check "  the whole upstream genealogy" sh -c 'grep -q "made from B-5" t.txt && grep -q "made from   H-77" t.txt'
check "the trace of the heat lot goes downstream, and flags the late acknowledgment" sh -c '
	q trace lot H-77 > h.txt && grep -q "went into B-5" h.txt && grep -q "went into   L-0923" h.txt &&
	grep -q "AFTER it was made" h.txt && grep -q "no revision of DWG-1 was released yet" h.txt'
check "trace lot --json" sh -c 'q trace lot L-0923 --json | grep -q "\"upstream\""'
check "verify passes" sh -c 'q verify > /dev/null'
check "reindex gives the same trace" sh -c 'q trace lot L-0923 --json > a.json && q reindex > /dev/null && q trace lot L-0923 --json | cmp -s - a.json'

fails 1 "no PO 'PO-404'" "an unknown PO" q --key sam.pem lot add L-9 --po PO-404 --part PN-1 --qty 5
fails 1 "PO 'PO-1' has no line for part 'PN-7'" "an unknown part" q --key sam.pem lot add L-9 --po PO-1 --part PN-7 --qty 5
fails 1 "no lot 'NOPE' to make 'L-9' from" "an unknown input lot" \
	q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 5 --from NOPE
fails 1 "no lot 'NOPE'" "trace of an unknown lot" q trace lot NOPE
fails 1 "^qvault: no PO 'PO-1'$" \
	"a lot for another supplier's PO" q --key zed.pem lot add L-9 --po PO-1 --part PN-1 --qty 5
fails 1 "lot 'L-9' cannot be made from itself: genealogy may not cycle" "a genealogy cycle" \
	q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 5 --from L-9
fails 2 "--qty '0' is not a whole number from 1" "a zero quantity" q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 0
fails 2 "--qty '-5' is not a whole number from 1" "a negative quantity" q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty -5
fails 2 "--qty '1.5' is not a whole number from 1" "a fractional quantity" q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 1.5
fails 2 "lot add: --made '2026-13-01' is not a date" "a date that does not parse" \
	q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 5 --made 2026-13-01
fails 1 "lot 'L-9' was shipped \(2026-02-01\) before it was made \(2026-02-02\)" "shipped before made" \
	q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 5 --made 2026-02-02 --shipped 2026-02-01
fails 1 "lot 'B-5' already exists" "a lot that exists" q --key sam.pem lot add B-5 --po PO-1 --part BAR-1 --qty 5
fails 1 "input lot 'H-77' is given twice" "the same input twice" \
	q --key sam.pem lot add L-9 --po PO-1 --part PN-1 --qty 5 --from H-77 --from H-77

# lot import: many lots, genealogy inside the file, one commit
lh='lot,po,part,qty,made,shipped,from'
printf '%s\nM-1,PO-1,BAR-1,8,2026-03-01,,\nM-2,PO-1,BAR-1,4,2026-03-02,,M-1:4\nM-3,PO-1,PN-1,4,2026-03-03,2026-03-04,M-2:4;H-77\n' "$lh" > lots.csv
ok "lot import of a CSV file" q --key sam.pem lot import lots.csv
check "  in one commit, with the file's own genealogy" sh -c '
	git -C v log -1 --format=%s | grep -q "lot import 3 lots" &&
	q trace lot M-3 > m.txt && grep -q "made from M-2" m.txt && grep -q "made from   M-1" m.txt && grep -q "made from H-77" m.txt'
printf '[{"lot": "J-1", "po": "PO-1", "part": "PN-1", "qty": 2, "from": [{"lot": "M-1", "qty": 1}]}]\n' > lots.json
ok "lot import of a JSON file" q --key sam.pem lot import lots.json
printf '%s\nX-1,PO-1,BAR-1,1,,,X-2\nX-2,PO-1,BAR-1,1,,,X-1\n' "$lh" > bad.csv
fails 1 "'bad.csv': row 2: lot 'X-1' is made, through its inputs, from itself: genealogy may not cycle" \
	"a cycle inside an import" q --key sam.pem lot import bad.csv
printf '%s\nX-1,PO-1,BAR-1,1,,,\nX-2,PO-1,BAR-1,zero,,,\n' "$lh" > bad.csv
fails 1 "'bad.csv': row 3, field 'qty': 'zero' is not a whole number" "a bad quantity in row 3" \
	q --key sam.pem lot import bad.csv
printf '%s\nX-1,PO-1,BAR-1,1,2026-05-02,2026-05-01,\n' "$lh" > bad.csv
fails 1 "row 2: lot 'X-1' was shipped \(2026-05-01\) before it was made" "shipped before made in an import" \
	q --key sam.pem lot import bad.csv
printf '%s\nX-1,PO-1,BAR-1,1,,,NOPE\n' "$lh" > bad.csv
fails 1 "row 2: no lot 'NOPE' to make 'X-1' from" "an unknown input in an import" q --key sam.pem lot import bad.csv
printf '%s\nX-1,PO-1,BAR-1,1,,,\nX-1,PO-1,BAR-1,1,,,\n' "$lh" > bad.csv
fails 1 "row 3: lot 'X-1' is given twice" "a lot twice in one file" q --key sam.pem lot import bad.csv
printf 'lot,po,part,qty,made,shipped\nX-1,PO-1,BAR-1,1,,\n' > bad.csv
fails 1 "row 1: the header has 6 columns, expected lot,po,part,qty,made,shipped,from\[,docs\]" "a missing column" q --key sam.pem lot import bad.csv
printf '%s\nX-1,PO-1,BAR-1,1,,,\n' "$lh" > bad.csv
fails 1 "row 2: no PO 'PO-1'$" "an import of another's lots" \
	q --key zed.pem lot import bad.csv
# documents that come with a lot: attached in the lot's own record
make_text coc-k.csv K-1
make_text mtr-k.csv heat K
q --key sam.pem add coc-k.csv --doc COC-K1 --type coc > /dev/null
q --key sam.pem add mtr-k.csv --doc MTR-K --type material-cert > /dev/null
ok "lot add --doc attaches certificates with the lot" \
	q --key sam.pem lot add K-1 --po PO-1 --part PN-1 --qty 3 --doc COC-K1@A --doc MTR-K@A
check "  trace lot lists them" sh -c '
	q trace lot K-1 > k.txt && grep -q "document  COC-K1@A (coc) attached to lot K-1" k.txt &&
	grep -q "document  MTR-K@A (material-cert) attached to lot K-1" k.txt'
fails 1 "'COC-K1@A' is already attached to lot 'K-1'" "linking a document the lot record already has" \
	q --key sam.pem link COC-K1@A --lot K-1
fails 1 "no document 'COC-NOPE@A' to attach to lot 'K-2'" "lot add --doc of an unknown document" \
	q --key sam.pem lot add K-2 --po PO-1 --part PN-1 --qty 3 --doc COC-NOPE@A
fails 2 "--doc 'COC-K1': name the revision: DOC@REV" "lot add --doc without a revision" \
	q --key sam.pem lot add K-2 --po PO-1 --part PN-1 --qty 3 --doc COC-K1
fails 1 "document 'COC-K1@A' is given twice" "the same document twice" \
	q --key sam.pem lot add K-2 --po PO-1 --part PN-1 --qty 3 --doc COC-K1@A --doc COC-K1@A
printf '%s,docs\nK-2,PO-1,BAR-1,1,,,,COC-K1@A;MTR-K@A\nK-3,PO-1,PN-1,1,,,K-2,COC-K1@A\n' "$lh" > kd.csv
ok "lot import with a docs column" q --key sam.pem lot import kd.csv
check "  attaches each row's documents" sh -c '
	q trace lot K-3 > k3.txt && grep -q "document  COC-K1@A (coc) attached to lot K-3" k3.txt &&
	grep -q "upstream  MTR-K@A (material-cert) of lot K-2" k3.txt'
printf '[{"lot": "K-4", "po": "PO-1", "part": "PN-1", "qty": 2, "docs": [{"doc": "MTR-K", "rev": "A"}]}]\n' > kd.json
ok "lot import of JSON with docs" q --key sam.pem lot import kd.json
check "  attaches them" sh -c 'q trace lot K-4 | grep -q "document  MTR-K@A (material-cert) attached to lot K-4"'
printf '%s,docs\nK-5,PO-1,BAR-1,1,,,,COC-K1\n' "$lh" > bad.csv
fails 1 "'bad.csv': row 2: field 'docs': 'COC-K1' is not DOC@REV" "a docs field without a revision" \
	q --key sam.pem lot import bad.csv
printf '%s,docs\nK-5,PO-1,BAR-1,1,,,,COC-K1@A\nK-6,PO-1,BAR-1,1,,,,COC-K1@Q\n' "$lh" > bad.csv
fails 1 "'bad.csv': row 3: no document 'COC-K1@Q' to attach to lot 'K-6'" "an unknown document in row 3" \
	q --key sam.pem lot import bad.csv
printf '%s,docs\nK-5,PO-1,BAR-1,1,,,,COC-K1@A;\n' "$lh" > bad.csv
fails 1 "row 2: field 'docs': '' is not DOC@REV" "an empty entry in docs" q --key sam.pem lot import bad.csv
printf '%s,docs,extra\nK-5,PO-1,BAR-1,1,,,,,\n' "$lh" > bad.csv
fails 1 "row 1: the header has 9 columns, expected lot,po" "a column past docs" q --key sam.pem lot import bad.csv
fails 1 "no document 'COC-K1@A' to attach to lot 'Z-9'" "a supplier attaching another organization's document to its lot" \
	q --key zed.pem lot add Z-9 --po PO-2 --part PN-1 --qty 1 --doc COC-K1@A
q --key zed.pem lot add Z-8 --po PO-2 --part PN-1 --qty 1 > /dev/null
fails 1 "no document 'COC-K1'" "a supplier linking another organization's document" q --key zed.pem link COC-K1@A --lot Z-8
check "reindex gives the same trace with lot documents" sh -c '
	q trace lot K-3 --json > k.json && q reindex > /dev/null && q trace lot K-3 --json | cmp -s - k.json'
check "verify passes after all of it" sh -c 'q verify > /dev/null'

done_testing
