#!/bin/sh
# Who may see what: to a supplier, another organization's record answers
# exactly as one that does not exist.  Each row runs a command twice, on
# the other organization's record and on a name nobody holds, puts the
# second name in place of the first in what the first run printed, and
# requires the same exit code, the same stderr and the same stdout, with
# the vault unchanged by either.  A number another organization holds,
# where the answer cannot be "no such thing" because the number is taken,
# is "not available", in words that name no owner, type or revision.
. "$(dirname "$0")/lib.sh"
: "${MKZIP:?set MKZIP to the mkzip test tool}"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier bob beta
# the buyer is of neither supplier's organization (lib.sh's tester is acme's)
q key generate -o hq.pem -c hq | head -n 1 > hq.pub
q --key "$TMP/admin.pem" user add hq --org hq --role buyer,quality --pubkey hq.pub > /dev/null
export QVAULT_KEY="$TMP/hq.pem"
make_pdf a.pdf "drawing A"
make_pdf b.pdf "drawing B"
make_text coc.csv H1
# drawings: DWG-A to acme and beta, DWG-B to beta alone
q release DWG-A --rev A a.pdf --to acme,beta > /dev/null
q release DWG-B --rev A b.pdf --to beta > /dev/null
q po add PO-A --supplier acme --line PN-1:50:DWG-A@A > /dev/null
q po add PO-B --supplier beta --line PN-2:50:DWG-B@A > /dev/null
q --key sam.pem ack DWG-A@A > /dev/null
q --key bob.pem ack DWG-A@A --comment "beta's word" > /dev/null
q --key bob.pem ack DWG-B@A --comment "beta's secret" > /dev/null
q --key sam.pem lot add L-A1 --po PO-A --part PN-1 --qty 10 > /dev/null
q --key bob.pem lot add L-B1 --po PO-B --part PN-2 --qty 10 > /dev/null
q --key sam.pem add coc.csv --doc COC-A --type coc > /dev/null
q --key bob.pem add coc.csv --doc COC-B --type coc --lot L-B1 > /dev/null
q --key bob.pem po ack PO-B --promise 2099-12-01 > /dev/null
q --key bob.pem status PO-B started > /dev/null
# beta's first article inspection
mkdir -p pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-B A"
printf '{"format": 1, "form1": {"part_number": "PN-2", "part_name": "Bracket",
 "serial_number": "SN-1", "fair_number": "FAIR-B", "part_revision": "A",
 "drawing_number": "DWG-B", "drawing_revision": "A", "organization": "beta",
 "supplier_code": "BET", "po_number": "PO-B", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Bob", "signed_date": "2026-11-20"},
 "form2": [], "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' > pkg/fai.json
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,,6.0 +/-0.1,6.05,,,\n' > pkg/form3.csv
q fai pack pkg -o fai-b.zip > /dev/null
check "setup: beta's records are in the vault" sh -c '
	q --key bob.pem fai add fai-b.zip > /dev/null && q show FAIR-B > /dev/null &&
	q show COC-B > /dev/null && q trace lot L-B1 > /dev/null'

# same DESC OTHER NONE CMD: CMD (run by sh, the record's name in $R) answers
# for OTHER exactly as for NONE, and changes nothing
same() {
	desc=$1 other=$2 none=$3 cmd=$4
	before=$(snapshot)
	R=$other sh -c "$cmd" > "$TMP/o1" 2> "$TMP/e1"
	rc1=$?
	R=$none sh -c "$cmd" > "$TMP/o2" 2> "$TMP/e2"
	rc2=$?
	after=$(snapshot)
	for f in o1 e1; do
		sed "s/$other/$none/g" "$TMP/$f" > "$TMP/$f.s"
	done
	if [ "$rc1" != "$rc2" ]; then
		_fail "$desc" "exit $rc1 for '$other', $rc2 for '$none'" "$(head -2 "$TMP/e1")" "$(head -2 "$TMP/e2")"
	elif ! cmp -s "$TMP/e1.s" "$TMP/e2"; then
		_fail "$desc" "stderr differs:" "$(diff "$TMP/e1.s" "$TMP/e2" | head -4)"
	elif ! cmp -s "$TMP/o1.s" "$TMP/o2"; then
		_fail "$desc" "stdout differs:" "$(diff "$TMP/o1.s" "$TMP/o2" | head -4)"
	elif grep -q Sanitizer "$TMP/e1" "$TMP/e2"; then
		_fail "$desc" "sanitizer report" "$(grep -h Sanitizer "$TMP/e1" "$TMP/e2" | head -2)"
	elif [ "$before" != "$after" ]; then
		_fail "$desc" "the vault changed"
	else
		_pass "$desc (exit $rc1: $(head -1 "$TMP/e2" | cut -c1-60))"
	fi
}

S="q --key sam.pem"
export S
# ---- reads: documents
same "show of another's drawing"          DWG-B DWG-N '$S show "$R"'
same "show --json of another's drawing"   DWG-B DWG-N '$S show --json "$R"'
same "show of another's revision"         DWG-B DWG-N '$S show "$R@A"'
same "show of another's certificate"      COC-B COC-N '$S show "$R"'
same "show of another's revision of a visible drawing" B N '$S show "DWG-A@$R"'
same "cat of another's drawing"           DWG-B DWG-N '$S cat "$R@A"'
same "cat of another's certificate"       COC-B COC-N '$S cat "$R"'
same "acks of another's drawing"          DWG-B DWG-N '$S acks "$R"'
same "acks --json of another's revision"  DWG-B DWG-N '$S acks --json "$R@A"'
same "ack export of another's revision"   DWG-B DWG-N '$S ack export "$R@A" -o ackdir'
same "log of another's drawing"           DWG-B DWG-N '$S log "$R"'
same "log of another's certificate"       COC-B COC-N '$S log "$R"'
same "pending of another organization"    beta  nosuch '$S pending --org "$R"'
same "fai show of another's FAI"          FAIR-B FAIR-N '$S fai show "$R"'
same "fai show --json of another's FAI"   FAIR-B FAIR-N '$S fai show --json "$R"'
# ---- reads: traces and exports
same "trace lot of another's lot"         L-B1 L-N1 '$S trace lot "$R"'
same "trace doc of another's drawing"     DWG-B DWG-N '$S trace doc "$R@A"'
same "trace po of another's PO"           PO-B PO-N '$S trace po "$R"'
same "export --lot of another's lot"      L-B1 L-N1 '$S export --lot "$R" -o x.zip'
same "export --po of another's PO"        PO-B PO-N '$S export --po "$R" -o x.zip'
same "export --doc of another's drawing"  DWG-B DWG-N '$S export --doc "$R@A" -o x.zip'
# ---- writes that name another's record
same "po ack of another's PO"             PO-B PO-N '$S po ack "$R" --promise 2099-12-01'
same "po ack of a line of another's PO"   PO-B PO-N '$S po ack "$R" --line 1 --promise 2099-12-01'
same "po ack of another's PO, a missing line" PO-B PO-N '$S po ack "$R" --line 9 --promise 2099-12-01'
same "status of another's PO"             PO-B PO-N '$S status "$R" started'
same "status of a line of another's PO"   PO-B PO-N '$S status "$R:1" started'
same "asn add against another's PO"       PO-B PO-N '$S asn add --po "$R" --ship-date 2099-12-10 --package C1:L-A1:1'
same "asn add shipping another's lot"     L-B1 L-N1 '$S asn add --po PO-A --ship-date 2099-12-10 --package "C1:$R:1"'
same "lot add --po of another's PO"       PO-B PO-N '$S lot add L-X --po "$R" --part PN-2 --qty 1'
same "lot add --po of another's PO, a part it lacks" PO-B PO-N '$S lot add L-X --po "$R" --part PN-9 --qty 1'
same "lot add --from another's lot"       L-B1 L-N1 '$S lot add L-X --po PO-A --part PN-1 --qty 1 --from "$R"'
same "lot add --doc of another's certificate" COC-B COC-N '$S lot add L-X --po PO-A --part PN-1 --qty 1 --doc "$R@A"'
same "link to another's PO"               PO-B PO-N '$S link COC-A@A --po "$R"'
same "link to another's lot"              L-B1 L-N1 '$S link COC-A@A --lot "$R"'
same "link of another's certificate"      COC-B COC-N '$S link "$R@A" --po PO-A'
same "ack of another's drawing"           DWG-B DWG-N '$S ack "$R@A"'
same "ack of another's drawing, rejected" DWG-B DWG-N '$S ack "$R@A" --meaning rejected --comment no'
same "add --po of another's PO"           PO-B PO-N '$S add coc.csv --doc COC-X --type coc --po "$R"'
same "add --lot of another's lot"         L-B1 L-N1 '$S add coc.csv --doc COC-X --type coc --lot "$R"'
same "audit --org of another organization" beta nosuch '$S audit --org "$R"'

# ---- numbers another organization holds: one message, naming no owner
fails 1 "^qvault: document number 'COC-B' is not available$" "add to another's certificate number" \
	$S add coc.csv --doc COC-B --type coc
same "  in the same words whatever the number holds (a drawing, unseen)" COC-B DWG-B \
	'$S add coc.csv --doc "$R" --type coc'
same "  (a drawing released to the supplier)" COC-B DWG-A '$S add coc.csv --doc "$R" --type coc'
same "  (an FAI)" COC-B FAIR-B '$S add coc.csv --doc "$R" --type coc'
same "  whatever revision is asked for" COC-B DWG-B '$S add coc.csv --doc "$R" --type coc --rev A'
same "  or type"                        COC-B DWG-B '$S add coc.csv --doc "$R" --type inspection-report --rev Q'
same "  by import too"                  COC-B DWG-B \
	'printf "[{\"file\": \"coc.csv\", \"doc\": \"%s\", \"type\": \"coc\"}]\n" "$R" > imp.json && $S import imp.json'
fails 1 "^qvault: lot number 'L-B1' is not available$" "a lot number another organization holds" \
	$S lot add L-B1 --po PO-A --part PN-1 --qty 1
fails 1 "^qvault: lot 'L-A1' already exists$" "  its own lot is named as such" \
	$S lot add L-A1 --po PO-A --part PN-1 --qty 1
fails 1 "^qvault: document 'COC-A' already has revision 'A'$" "  its own document too" \
	$S add coc.csv --doc COC-A --type coc --rev A
ok "  and its own next revision is counted from its own" $S add coc.csv --doc COC-A --type coc
check "  as B" sh -c 'q show COC-A | grep -q "^COC-A@B"'

# ---- lists show nothing of the other organization
check "list shows nothing of beta's" sh -c '$S list > l.txt && grep -q DWG-A l.txt && ! grep -Eq "DWG-B|COC-B|FAIR-B" l.txt'
check "list --json too" sh -c '$S list --json > l.json && ! grep -Eq "DWG-B|COC-B|FAIR-B|beta" l.json'
check "show of a drawing released to several lists only the supplier's organization" sh -c '
	$S show DWG-A > s.txt && grep -q "to acme$" s.txt && ! grep -q beta s.txt &&
	$S show --json DWG-A > s.json && ! grep -q beta s.json'
check "acks of a shared drawing: only the supplier's organization's" sh -c '
	$S acks DWG-A > a.txt && grep -q "by sam (acme)" a.txt && ! sed "s|SHA256:[A-Za-z0-9+/]*||" a.txt | grep -Eq "bob|beta"'
check "log: nothing of beta's, releases without their organizations" sh -c '
	$S log > g.txt && grep -q "release DWG-A@A$" g.txt && grep -q "add COC-A@A" g.txt &&
	! grep -Eq "DWG-B|COC-B|FAIR-B|PO-B|L-B1|beta|bob" g.txt'
check "pending: the supplier's own" sh -c '$S pending > p.txt; ! grep -Eq "DWG-B|beta" p.txt'
check "a buyer still sees everything" sh -c '
	q show DWG-A | grep -q "to acme, beta" && q acks DWG-A | grep -q "by bob (beta)" &&
	q acks DWG-B | grep -q "beta.s secret" && q log | grep -q "release DWG-B@A to beta"'

done_testing
