#!/bin/sh
# Who may see what lives in the library: the CLI run with a supplier's own
# key (no shell in between) shows it its organization's log, traces, audit,
# keys, acknowledgments, POs and lots only, and another organization's
# record as absent; a buyer and an auditor see everything.  `log X` lists
# every event of a document, a PO or a lot, and an unknown X is an error
# naming it.  The shell refuses an option naming a server file by its kind.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier bob beta
# the buyer and the auditor belong to neither supplier's organization
q key generate -o hq.pem -c hq | head -n 1 > hq.pub
q --key "$TMP/admin.pem" user add hq --org hq --role buyer,quality --pubkey hq.pub > /dev/null
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
q --key "$TMP/admin.pem" user add aud --org audit-co --role auditor --pubkey aud.pub > /dev/null
export QVAULT_KEY="$TMP/hq.pem"
make_pdf a.pdf "drawing A"
make_pdf b.pdf "drawing B"
make_pdf c.pdf "drawing C"
make_text coc.csv H1
q release DWG-A --rev A a.pdf --to acme,beta > /dev/null
q release DWG-B --rev A b.pdf --to beta > /dev/null
q release DWG-C --rev A c.pdf --to acme > /dev/null
q obsolete DWG-C@A --reason "ECN-9: withdrawn" > /dev/null
q po add PO-A --supplier acme --line PN-1:50:DWG-A@A > /dev/null
q po add PO-B --supplier beta --line PN-2:50:DWG-B@A > /dev/null
q --key sam.pem ack DWG-A@A > /dev/null
q --key bob.pem ack DWG-A@A --comment "beta's word" > /dev/null
q --key bob.pem ack DWG-B@A > /dev/null
q --key sam.pem po ack PO-A --promise 2099-12-01 > /dev/null
q --key bob.pem po ack PO-B --promise 2099-12-02 > /dev/null
q --key bob.pem status PO-B started > /dev/null
q --key sam.pem lot add L-A1 --po PO-A --part PN-1 --qty 10 > /dev/null
q --key bob.pem lot add L-B1 --po PO-B --part PN-2 --qty 10 > /dev/null
q --key sam.pem add coc.csv --doc COC-A --type coc --lot L-A1 > /dev/null
q --key bob.pem add coc.csv --doc COC-B --type coc --lot L-B1 > /dev/null
# quality records an acme lot made from beta's lot
q lot add L-A2 --po PO-A --part PN-1 --qty 2 --from L-B1:1 > /dev/null
q link DWG-A@A --po PO-A > /dev/null
q link DWG-A@A --po PO-B > /dev/null
q --key sam.pem asn add --po PO-A --ship-date 2026-01-10 --package C1:L-A1:5 > /dev/null
q asn receive ASN-000001 --date 2026-01-12 > /dev/null
q ncr add --lot L-A1 --reason "burr on edge" > /dev/null
q ncr close NCR-000001 --disposition rework > /dev/null
q ncr add --lot L-B1 --reason "beta's scratch" > /dev/null
q --key bob.pem lot add L-B2 --po PO-B --part PN-2 --qty 1 > /dev/null
check "setup: every record is in the vault" sh -c '
	q trace lot L-A2 | grep -q L-B1 && q trace po PO-A | grep -q ASN-000001 &&
	q ncr list | grep -q NCR-000002'

S="q --key $TMP/sam.pem"
A="q --key $TMP/aud.pem"
export S A
# `ops`: the ops (4th column) of the log lines on standard input, sorted, once each
printf '#!/bin/sh\nawk "{ print \\$4 }" | sort -u | tr "\\n" " "\n' > "$TMP/.bin/ops"
chmod +x "$TMP/.bin/ops"

# ---- log DOC / PO / LOT: every event of it ------------------------------------
check "log DOC: the release, the acknowledgments, the links" sh -c '
	q log DWG-A > g.txt && grep -q "release  *release DWG-A@A to acme,beta$" g.txt &&
	grep -q "ack DWG-A@A received by sam (acme)" g.txt && grep -q "ack DWG-A@A received by bob (beta)" g.txt &&
	grep -q "link DWG-A@A to po PO-A" g.txt && grep -q "link DWG-A@A to po PO-B" g.txt &&
	test "$(wc -l < g.txt)" = 5'
check "log DOC: an obsolete beside its release" sh -c '
	q log DWG-C > g.txt && test "$(ops < g.txt)" = "obsolete release " && grep -q "ECN-9" g.txt'
check "log DOC of a certificate: its add (with its lot)" sh -c '
	q log COC-A > g.txt && test "$(ops < g.txt)" = "add " && test "$(wc -l < g.txt)" = 1'
check "log PO: its creation, answer, lots, links, ship notice, receipt, NCR" sh -c '
	q log PO-A > g.txt &&
	test "$(ops < g.txt)" = "asn-add asn-receive link lot-add ncr-add ncr-close po-ack po-add " &&
	grep -q "lot add L-A1" g.txt && grep -q "lot add L-A2" g.txt && ! grep -q "PO-B" g.txt'
check "log PO of another: its status report too, nothing of PO-A" sh -c '
	q log PO-B > g.txt && test "$(ops < g.txt)" = "link lot-add ncr-add po-ack po-add status " &&
	! grep -q "PO-A" g.txt'
check "log LOT: its record, the certificate linked, the ship notice, receipt, NCR" sh -c '
	q log L-A1 > g.txt &&
	test "$(ops < g.txt)" = "add asn-add asn-receive lot-add ncr-add ncr-close " &&
	! grep -q "L-A2" g.txt'
check "log --json of a lot: the same events" sh -c '
	q log --json L-B1 > g.json && test "$(grep -c "\"op\":" g.json)" = 3'
fails 1 "^qvault: no document, PO or lot 'DWG-9'$" "log of an unknown name: an error naming it" q log DWG-9
fails 1 "^qvault: no document, PO or lot 'PO-9'$" "  a PO number too" q log PO-9
fails 1 "^qvault: no document, PO or lot 'DWG-9'$" "  for an auditor as well" $A log DWG-9

# ---- a supplier's log: its own, and another organization's as absent -----------
check "a supplier's log: its PO made by the buyer, its answers, lots, receipt, NCR" sh -c '
	$S log > g.txt && grep -q "po add PO-A for acme" g.txt && grep -q "lot add L-A1" g.txt &&
	grep -q "asn receive ASN-000001" g.txt && grep -q "ncr add NCR-000001 on lot L-A1" g.txt &&
	grep -q "ncr close NCR-000001" g.txt && grep -q "release DWG-A@A$" g.txt &&
	grep -q "obsolete DWG-C@A" g.txt'
check "  nothing of beta: its users, POs, lots, NCRs, links, releases" sh -c '
	$S log > g.txt && ! grep -Eq "beta|bob|PO-B|L-B1|DWG-B|COC-B|NCR-000002" g.txt'
check "  log DOC: its own acknowledgment, not beta's, nor the link to beta's PO" sh -c '
	$S log DWG-A > g.txt && grep -q "received by sam" g.txt && grep -q "link DWG-A@A to po PO-A" g.txt &&
	! grep -Eq "bob|beta|PO-B" g.txt'
check "  log PO: every event of its own PO" sh -c '
	$S log PO-A > g.txt &&
	test "$(ops < g.txt)" = "asn-add asn-receive link lot-add ncr-add ncr-close po-ack po-add "'
check "  log LOT of a lot quality made from beta's: its record" sh -c '
	$S log L-A2 > g.txt && grep -q "lot add L-A2" g.txt'
fails 1 "^qvault: no document, PO or lot 'PO-B'$" "  log of another's PO: not found" $S log PO-B
fails 1 "^qvault: no document, PO or lot 'L-B1'$" "  log of another's lot: not found" $S log L-B1
fails 1 "^qvault: no document, PO or lot 'DWG-B'$" "  log of a drawing not released to it: not found" $S log DWG-B
fails 1 "^qvault: no document, PO or lot 'COC-B'$" "  log of another's certificate: not found" $S log COC-B

# ---- traces, audit, acknowledgments, portal reads -------------------------------
check "trace lot: a supplier does not see beta's lot upstream" sh -c '
	$S trace lot L-A2 > t.txt && grep -q "L-A2" t.txt && ! grep -Eq "L-B1|beta|COC-B" t.txt'
check "  the buyer does" sh -c 'q trace lot L-A2 | grep -q L-B1'
check "  the auditor does" sh -c '$A trace lot L-A2 | grep -q L-B1'
check "trace lot --json of the input: beta sees its lot, not acme's made from it" sh -c '
	q --key bob.pem trace lot --json L-B1 > t.json && ! grep -Eq "L-A2|acme" t.json &&
	q trace lot --json L-B1 | grep -q L-A2'
fails 1 "^qvault: no PO 'PO-B'$" "trace po of another's PO: not found" $S trace po PO-B
fails 1 "^qvault: no lot 'L-B1'$" "trace lot of another's lot: not found" $S trace lot L-B1
check "trace po of its own PO: nothing of beta" sh -c '
	$S trace po --json PO-A > t.json && grep -q ASN-000001 t.json && ! grep -Eq "beta|bob|PO-B" t.json'
check "audit: a supplier sees its own organization's gaps only" sh -c '
	$S audit --json > a.json; grep -q L-A2 a.json && ! grep -Eq "beta|L-B|PO-B" a.json'
check "  the buyer sees beta's gaps, and the material lot L-A2 came from" sh -c '
	q audit --json > a.json; grep -q "L-B2" a.json && grep -q "\"input\": \"L-B1\"" a.json'
check "  and so does the auditor" sh -c '$A audit --json > a.json; grep -q "L-B2" a.json && grep -q L-B1 a.json'
check "acks: a supplier sees its organization's acknowledgments" sh -c '
	$S acks DWG-A > k.txt && grep -q "by sam (acme)" k.txt && ! sed "s|SHA256:[A-Za-z0-9+/]*||" k.txt | grep -Eq "bob|beta"'
fails 1 "^qvault: no document 'DWG-B'$" "acks of a drawing not released to it: not found" $S acks DWG-B
check "  the auditor sees beta's" sh -c '$A acks DWG-A | grep -q "by bob (beta)"'
check "ncr list, asn and status exports: nothing of beta's" sh -c '
	$S ncr list > n.txt && grep -q NCR-000001 n.txt && ! grep -q NCR-000002 n.txt &&
	$S status export > s.txt && ! grep -q PO-B s.txt && $S asn export > x.txt && grep -q PO-A x.txt'
check "list and show: nothing of beta's" sh -c '
	$S list > l.txt && grep -q DWG-A l.txt && ! grep -Eq "DWG-B|COC-B" l.txt'

# ---- keys and users --------------------------------------------------------------
check "keys: a supplier gets its own and the buying side's, not beta's" sh -c '
	$S keys allowed-signers > k.txt && grep -q "^sam@acme " k.txt && grep -q "^hq@hq " k.txt &&
	grep -q "^aud@audit-co " k.txt && ! cut -d" " -f1 k.txt | grep -q "beta"'
check "  enough to verify the commits it reads (the buyer's release)" sh -c '
	$S keys allowed-signers > k.txt &&
	git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/k.txt" verify-commit \
		"$(git -C v log --format=%H --grep "^release DWG-A@A" main)" 2> /dev/null'
check "user list: the same users" sh -c '
	$S user list > u.txt && grep -q "^sam " u.txt && grep -q "^hq " u.txt && ! sed "s|SHA256:[A-Za-z0-9+/]*||" u.txt | grep -Eq "bob|beta"'
check "  the auditor sees every key" sh -c '
	$A keys allowed-signers | grep -q "^bob@beta " && $A user list | grep -q "^bob "'
fails 1 "a supplier may not verify the whole vault" "verify: refused to a supplier by the library" $S verify
ok "  run by the auditor" $A verify

# ---- the shell: a server file refused by the option's kind -----------------------
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
fails 2 "option '--html' names a file on the server" "shell: scorecard --html (no FILE in its help) refused" \
	as sam 'scorecard --html page.html'
check "  and nothing was written" test ! -e page.html -a ! -e v/page.html
fails 2 "option '--html=page.html' names a file on the server" "  --html=FILE too" \
	as sam 'scorecard --html=page.html'
fails 2 "'/etc/passwd' would be a file on the server" "shell: a file argument other than -" \
	as sam 'asn import /etc/passwd'
check "shell: a supplier's log is the library's answer, as with its own key" sh -c '
	SSH_ORIGINAL_COMMAND="log PO-A" q -C v shell --user sam > g1.txt && $S log PO-A > g2.txt &&
	cmp -s g1.txt g2.txt'
fails 1 "^qvault: no document, PO or lot 'PO-B'$" "shell: log of another's PO, not found" as sam 'log PO-B'

done_testing
