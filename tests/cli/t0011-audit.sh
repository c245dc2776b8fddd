#!/bin/sh
# Documents attached to POs, lots and parts; the trace sees them; the audit
# lists every compliance gap with its records and exits 3 until none is left.
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
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 --made 2099-01-10 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 50 --made 2099-02-01 --shipped 2099-02-02 --from H-77 > /dev/null

q audit > a.txt
check "audit exits 3 when there are gaps" sh -c 'q audit > /dev/null; test $? = 3'
check "  a lot without a certificate of conformity" grep -q "^no-coc .* lot L-1 " a.txt
check "  an upstream material lot without a material certificate" grep -q "^no-material-cert .*input H-77 lot L-1" a.txt
check "  a part shipped with no FAI on record" grep -q "^no-fai .*lot L-1 part PN-1 revision DWG-1@C" a.txt
check "audit --json names the records" sh -c 'q audit --json | grep -q "\"gap\": \"no-coc\""'

make_text coc.csv L-1
make_text mtr.csv H-77
q --key sam.pem add coc.csv --doc COC-1 --type coc > /dev/null
q --key sam.pem add mtr.csv --doc MTR-77 --type material-cert > /dev/null
ok "the supplier attaches its CoC to its lot" q --key sam.pem link COC-1@A --lot L-1
ok "  and the mill certificate to the heat lot" q --key sam.pem link MTR-77@A --lot H-77
ok "quality attaches the CoC to the part" q link COC-1@A --part PN-1
check "trace lot lists the lot's documents and its upstream lots' certificates" sh -c '
	q trace lot L-1 > t.txt && grep -q "document  COC-1@A (coc) attached to lot L-1" t.txt &&
	grep -q "document  COC-1@A (coc) attached to part PN-1" t.txt &&
	grep -q "upstream  MTR-77@A (material-cert) of lot H-77" t.txt'
check "those gaps are closed" sh -c 'q audit > b.txt; [ $? = 3 ] && ! grep -q "lot L-1 po" b.txt && ! grep -q "^no-material-cert" b.txt'

# a release that supersedes what the PO requires, and one nobody acknowledges
q release DWG-1 --rev D d.pdf --to acme > /dev/null
check "a PO line requiring a superseded revision is a gap" \
	sh -c 'q audit > c.txt; grep -q "^stale-po-line .*po PO-1 .*revision DWG-1@C" c.txt'
check "a release not acknowledged in time is a gap (--ack-days 0)" \
	sh -c 'sleep 1; q audit --ack-days 0 | grep -q "^unacknowledged .*org acme .*revision DWG-1@D"'
check "  but not within the default 14 days" sh -c '! q audit | grep -q "^unacknowledged"'
q lot add Q-1 --po PO-1 --part PN-1 --qty 1 --made 2000-01-01 > /dev/null
check "a lot made before its supplier acknowledged the required revision is a gap" \
	sh -c 'q audit | grep -q "^made-before-ack .*lot Q-1 made 2000-01-01 revision DWG-1@C"'
check "audit --org zenith sees none of acme's" sh -c 'q audit --org zenith > z.txt; test $? = 0 && grep -q "^0 gaps" z.txt'
check "verify passes" sh -c 'q verify > /dev/null'

q po add PO-2 --supplier zenith --line PN-9:1:DWG-1@D > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-9 --qty 1 --made 2099-03-01 > /dev/null
q --key zed.pem lot add Z-2 --po PO-2 --part PN-9 --qty 1 --made 2099-03-02 --from Z-1 > /dev/null
check "trace doc: PO lines requiring a revision and the lots built to it" sh -c '
	q trace doc DWG-1@C > d.txt && grep -q "PO PO-1 line 1: 50 x PN-1 (supplier acme)" d.txt &&
	grep -q "^  L-1 (PN-1 of PO-1, acme)" d.txt'
check "  downstream through genealogy" sh -c '
	q trace doc DWG-1@D > e.txt && grep -q "^  Z-1 " e.txt && grep -q "^  Z-1 " e.txt && q trace doc DWG-1@D --json | grep -q "\"lot\": \"Z-2\""'
check "trace po: lines, lots, documents, acknowledgments" sh -c '
	q trace po PO-1 > p.txt && grep -q "line 1: 50 x PN-1 to DWG-1@C" p.txt && grep -q "lot L-1: 50 x PN-1" p.txt &&
	grep -q "document COC-1@A (coc) attached to lot L-1" p.txt && grep -q "DWG-1@C received by sam" p.txt'
fails 1 "no document 'DWG-1'" "a supplier cannot trace another's document" q --key zed.pem trace doc DWG-1@C
check "a supplier's audit shows only its own organization's records" sh -c '
	q --key zed.pem audit > za.txt; [ $? = 3 ] && grep -q . za.txt && ! grep -q acme za.txt'
fails 1 "no lot 'L-1'" "a supplier cannot trace another's lot" q --key zed.pem trace lot L-1
fails 1 "no PO 'PO-1'" "a supplier cannot trace another's PO" q --key zed.pem trace po PO-1
fails 1 "a supplier audits only its own organization" "a supplier cannot audit another" q --key zed.pem audit --org acme
fails 1 "no PO 'PO-404'" "trace of an unknown PO" q trace po PO-404
fails 1 "document 'DWG-1' has no revision 'Q'" "trace of an unknown revision" q trace doc DWG-1@Q
q --key zed.pem add coc.csv --doc COC-ZED --type coc > /dev/null
fails 1 "^qvault: no lot 'L-1'$" "a supplier attaching to another's lot" \
	q --key zed.pem link COC-ZED@A --lot L-1
fails 1 "user 'sam' may not attach documents to part 'PN-1'" "a supplier attaching to a part" \
	q --key sam.pem link COC-1@A --part PN-1
fails 1 "no lot 'NOPE'" "an unknown lot" q link COC-1@A --lot NOPE
fails 1 "no PO 'PO-404'" "an unknown PO" q link COC-1@A --po PO-404
fails 1 "document 'COC-1' has no revision 'Z'" "an unknown revision" q link COC-1@Z --lot L-1
fails 1 "'COC-1@A' is already attached to lot 'L-1'" "the same link twice" q link COC-1@A --lot L-1
fails 2 "give one of --po, --lot, --part" "no target" q link COC-1@A
make_text coc2.csv Z-1
ok "add --lot attaches a new certificate in the same commit" \
	q --key zed.pem add coc2.csv --doc COC-Z1 --type coc --lot Z-1
check "  one commit, linked" sh -c '
	git -C v log -1 --format=%s | grep -q "add COC-Z1@A" && q trace lot Z-1 | grep -q "document  COC-Z1@A (coc) attached to lot Z-1"'
fails 1 "^qvault: no lot 'L-1'$" "add --lot of another supplier's lot" \
	q --key zed.pem add coc2.csv --doc COC-Z2 --type coc --lot L-1
fails 1 "no PO 'PO-404'" "add --po of an unknown PO" q --key zed.pem add coc2.csv --doc COC-Z2 --type coc --po PO-404
fails 2 "--ack-days needs a number of days" "a bad --ack-days" q audit --ack-days soon

done_testing
