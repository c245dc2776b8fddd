#!/bin/sh
# What an attack on the viewer rules found, each closed in the library:
# a part known only to another organization answers as an unknown one; the
# log and the NCR list name no revision hidden from the supplier; an FAI
# or a material certificate counts only for the lots of the organization
# that filed it (or the one it was attached to on its behalf); the shell
# takes no file argument but the upload "-"; verify answers no revoked or
# unregistered key.
. "$(dirname "$0")/lib.sh"
: "${MKZIP:?set MKZIP to the mkzip test tool}"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier bob beta
add_supplier carl acme
q key generate -o hq.pem -c hq | head -n 1 > hq.pub
q --key "$TMP/admin.pem" user add hq --org hq --role buyer,quality --pubkey hq.pub > /dev/null
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
q --key "$TMP/admin.pem" user add aud --org audit-co --role auditor --pubkey aud.pub > /dev/null
q key generate -o stranger.pem -c stranger > /dev/null
export QVAULT_KEY="$TMP/hq.pem"
make_pdf a.pdf "drawing A"
make_pdf b.pdf "drawing B"
make_text coc.csv H1
make_pdf mtr.pdf "mill cert"
printf 'FAI report\n' > fai.txt
"$MKZIP" fai1.zip -n report.txt -f fai.txt > /dev/null
"$MKZIP" fai2.zip -n beta-report.txt -f fai.txt > /dev/null
"$MKZIP" fai3.zip -n hq-report.txt -f fai.txt > /dev/null
q release DWG-A --rev A a.pdf --to acme,beta --part PN-1 > /dev/null
q release DWG-B --rev A b.pdf --to beta --part PN-SECRET > /dev/null
q po add PO-A --supplier acme --line PN-1:50:DWG-A@A --line PN-3:5:DWG-A@A --line BAR-1:9:DWG-A@A > /dev/null
q po add PO-B --supplier beta --line PN-2:50:DWG-B@A > /dev/null
q --key sam.pem ack DWG-A@A > /dev/null
q --key bob.pem ack DWG-B@A > /dev/null
q --key sam.pem lot add L-A1 --po PO-A --part PN-1 --qty 10 --made 2026-01-02 --shipped 2026-01-03 > /dev/null
q --key sam.pem lot add L-A3 --po PO-A --part PN-3 --qty 5 --made 2026-01-02 --shipped 2026-01-03 > /dev/null
q --key sam.pem lot add H-1 --po PO-A --part BAR-1 --qty 9 > /dev/null
q --key bob.pem lot add L-B1 --po PO-B --part PN-2 --qty 10 > /dev/null
q --key sam.pem lot add L-A2 --po PO-A --part PN-1 --qty 2 --from H-1:1 > /dev/null
# quality records an acme lot made from beta's lot
q lot add L-A4 --po PO-A --part PN-1 --qty 2 --from L-B1:1 > /dev/null
q --key sam.pem add coc.csv --doc COC-A --type coc --lot L-A1 > /dev/null
check "setup: the records are in the vault" sh -c 'q trace lot L-A4 | grep -q L-B1'

S="q --key $TMP/sam.pem"
B="q --key $TMP/bob.pem"
export S B

# ---- 1. a part only another organization's records name is unknown ------------------
fails 1 "^qvault: no part 'PN-404'$" "list --part of an unknown part" $S list --part PN-404
fails 1 "^qvault: no part 'PN-SECRET'$" "  of a part on a revision not released to it: the same" \
	$S list --part PN-SECRET
fails 1 "^qvault: no part 'PN-2'$" "  of a part on another organization's PO and lot: the same" \
	$S list --part PN-2
ok "  of a part on a revision released to it" $S list --part PN-1
ok "  of a part on its own PO only (an empty list)" $S list --part PN-3
ok "  the organization that has it sees it" $B list --part PN-SECRET
ok "  and so does the buyer" q list --part PN-2

# ---- 2. the log and the NCR list name no revision hidden from the supplier -----------
q link COC-A@A --po PO-B > /dev/null
q link DWG-B@A --po PO-B > /dev/null
check "log PO: beta sees no link of acme's certificate to its PO" sh -c '
	$B log PO-B > g.txt && ! grep -q "COC-A" g.txt && grep -q "link DWG-B@A to po PO-B" g.txt'
check "  nor in its whole log" sh -c '$B log > g.txt && ! grep -q "COC-A" g.txt'
check "  the buyer sees the link" sh -c 'q log PO-B | grep -q "link COC-A@A to po PO-B"'
q ncr add --lot L-A1 --reason "burr" --doc DWG-A@A --doc DWG-B@A > /dev/null
check "ncr list: acme sees the revision released to it, not beta's drawing" sh -c '
	$S ncr list --json > n.json && grep -q "NCR-000001" n.json && grep -q "DWG-A@A" n.json &&
	! grep -q "DWG-B" n.json'
check "  the buyer sees both" sh -c 'q ncr list --json | grep -q "\"docs\": \"DWG-A@A DWG-B@A\""'

# ---- 3. another organization's FAI or certificate closes no gap ----------------------
check "audit: acme shipped PN-1 with no FAI" sh -c 'q audit > a.txt; grep -q "^no-fai .*part PN-1 .*supplier acme" a.txt'
q --key bob.pem add fai2.zip --doc FAI-BETA --type fai --part PN-1 > /dev/null
check "  beta's FAI of PN-1 does not close acme's gap (the buyer's audit)" sh -c '
	q audit > a.txt; grep -q "^no-fai .*part PN-1 .*supplier acme" a.txt'
check "  nor acme's own audit" sh -c '$S audit > a.txt; grep -q "^no-fai .*part PN-1" a.txt'
q --key sam.pem add fai1.zip --doc FAI-ACME --type fai --part PN-1 > /dev/null
check "  acme's FAI does" sh -c 'q audit > a.txt; ! grep -q "^no-fai .*part PN-1" a.txt'
q add fai3.zip --doc FAI-HQ --type fai --part PN-3 > /dev/null
check "an FAI the buying side filed for a part, for no supplier: acme's PN-3 gap stays" sh -c '
	q audit > a.txt; grep -q "^no-fai .*part PN-3 .*supplier acme" a.txt'
q link FAI-HQ@A --po PO-A > /dev/null
check "  attached to acme's PO, it is acme's (filed on its behalf): the gap closes" sh -c '
	q audit > a.txt; ! grep -q "^no-fai .*part PN-3" a.txt'

check "audit: acme's lots made from H-1 and from beta's L-B1 have no material certificate" sh -c '
	q audit > a.txt; grep -q "^no-material-cert .*input H-1 .*supplier acme" a.txt &&
	grep -q "^no-material-cert .*input L-B1 .*supplier acme" a.txt'
q --key bob.pem add mtr.pdf --doc MTR-BETA --type material-cert --lot L-B1 --field certificate_type=3.1 \
	--field certificate_number=MC-1 --field manufacturer=Mill --field product=bar --field grade=6061 \
	--field heat_number=H-1 --field issue_date=2026-10-02 --field inspector=Weber > /dev/null
check "  beta's certificate, of heat H-1 and linked to its lot L-B1, closes neither" sh -c '
	q audit > a.txt; grep -q "^no-material-cert .*input H-1 .*supplier acme" a.txt &&
	grep -q "^no-material-cert .*input L-B1 .*supplier acme" a.txt'
check "  acme's audit the same (its input from beta unnamed)" sh -c '
	$S audit --json > a.json; test "$(grep -c "\"gap\": \"no-material-cert\"" a.json)" = 2'
check "  the scorecard counts both" sh -c '
	q scorecard --org acme --json | grep -q "\"no_material_cert\": 2"'
q --key sam.pem add mtr.pdf --doc MTR-ACME --type material-cert --lot H-1 > /dev/null
check "  acme's own certificate of H-1 closes that one" sh -c '
	q audit > a.txt; ! grep -q "^no-material-cert .*input H-1 " a.txt &&
	grep -q "^no-material-cert .*input L-B1 .*supplier acme" a.txt'

# ---- 4. the shell takes no file argument but "-"; verify answers no unknown key ------
as_up() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who" < coc.csv; }
fails 2 "'/etc/passwd' would be a file on the server" "shell: a second file argument after the upload" \
	as_up sam 'add - /etc/passwd --doc COC-S --type coc'
fails 2 "'/etc/passwd' would be a file on the server" "  an argument a command does not take" \
	as_up sam 'asn add - /etc/passwd --po PO-A --ship-date 2026-01-10'
ok "  the upload alone is taken" as_up sam 'add - --doc COC-S --type coc --lot L-A1'

q --key "$TMP/admin.pem" user revoke carl > /dev/null
fails 1 "user 'carl' was revoked" "verify: a revoked supplier's key gets no answer" \
	q --key "$TMP/carl.pem" verify
fails 1 "key .* is not registered in this vault" "  nor a key the vault does not know" \
	q --key "$TMP/stranger.pem" verify
fails 1 "a supplier may not verify the whole vault" "  nor a supplier's" $S verify
ok "  with no key at all (an auditor on a replica), it runs" env -u QVAULT_KEY "$QVAULT" -C v verify
ok "  and with the auditor's" q --key "$TMP/aud.pem" verify

done_testing
