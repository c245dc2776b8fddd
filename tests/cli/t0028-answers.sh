#!/bin/sh
# Answers a user can trust: an unknown name given as a filter is an error
# naming it; every time in JSON output is an ISO 8601 UTC string; a
# malformed option value is a usage error (exit 2) everywhere; a command
# group lists its commands and an unknown command names the nearest; a
# state change names the revision, and obsolete needs one.
. "$(dirname "$0")/lib.sh"
: "${MKZIP:?set MKZIP to the mkzip test tool}"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf "drawing rev C"
make_pdf d.pdf "drawing rev D"
make_text coc.csv L-1

# ---- state changes name the revision -------------------------------------------
check "release names the revision" sh -c '
	q release DWG-1 --rev C c.pdf --to acme > o.txt && grep -q "^released DWG-1@C to acme in commit " o.txt'
check "ack names the revision" sh -c '
	q --key sam.pem ack DWG-1@C > o.txt && grep -qx "signed: DWG-1@C received" o.txt'
check "add names the revision" sh -c '
	q --key sam.pem add coc.csv --doc COC-1 --type coc > o.txt && grep -q "^added COC-1@A (coc) in commit " o.txt'
q po add PO-1 --supplier acme --line PN-1:5:DWG-1@C:2099-02-01 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --made 2099-01-02 --shipped 2099-01-03 > /dev/null
check "link names the revision" sh -c '
	q --key sam.pem link COC-1@A --lot L-1 > o.txt && grep -qx "attached COC-1@A to lot L-1" o.txt'
q release DWG-2 --rev A d.pdf --to acme > /dev/null
fails 2 "^qvault: obsolete: name the revision: DOC@REV \(see 'qvault obsolete --help'\)$" \
	"obsolete without @REV is refused, the vault unchanged" q obsolete DWG-2 --reason withdrawn
check "obsolete names the revision" sh -c '
	q obsolete DWG-2@A --reason withdrawn > o.txt && grep -qx "made DWG-2@A obsolete: withdrawn" o.txt'
# an acknowledgment signed elsewhere (ssh-keygen) and handed to the shell
ssh-keygen -q -t ed25519 -N "" -f "$TMP/ann" -C ann
q --key "$TMP/admin.pem" user add ann --org acme --role supplier --pubkey "$TMP/ann.pub" > /dev/null
q release DWG-3 --rev A d.pdf --to acme > /dev/null
SSH_ORIGINAL_COMMAND='ack-statement DWG-3@A' q -C v shell --user ann > st.txt
ssh-keygen -q -Y sign -n qvault-ack -f "$TMP/ann" st.txt
check "ack-submit names the revision" sh -c '
	jq -n --rawfile s st.txt --rawfile g st.txt.sig "{statement: \$s, signature: \$g}" |
	SSH_ORIGINAL_COMMAND=ack-submit q -C v shell --user ann > o.txt &&
	grep -qx "recorded the acknowledgment of DWG-3@A (received), signed on the signer.s side" o.txt'

# ---- an unknown name given as a filter: exit 1, naming it -----------------------
fails 1 "^qvault: no organization 'acmee'$" "audit --org of an unknown organization" q audit --org acmee
fails 1 "^qvault: no organization 'nobody'$" "pending --org of an unknown organization" q pending --org nobody
fails 1 "^qvault: no document 'DWG-9'$" "acks of an unknown document" q acks DWG-9
fails 1 "^qvault: document 'DWG-1' has no revision 'Z'$" "acks of an unknown revision" q acks DWG-1@Z
fails 1 "^qvault: no part 'PN-404'$" "list --part of an unknown part" q list --part PN-404
fails 1 "^qvault: no organization 'nobody'$" "status export --org of an unknown organization" \
	q status export --org nobody
fails 1 "^qvault: no organization 'nobody'$" "asn export --org of an unknown organization" \
	q asn export --org nobody
fails 1 "^qvault: no organization 'nobody'$" "ncr list --org of an unknown organization" q ncr list --org nobody
fails 1 "^qvault: no organization 'nobody'$" "scorecard --org of an unknown organization" \
	q scorecard --org nobody
fails 1 "^qvault: no PO 'PO-9'$" "trace po of an unknown PO" q trace po PO-9
fails 1 "^qvault: no lot 'L-9'$" "trace lot of an unknown lot" q trace lot L-9
check "an organization with a user and no records yet is known: an empty answer" sh -c '
	q pending --org zenith > o.txt && test ! -s o.txt && q audit --org zenith | grep -qx "0 gaps"'
check "a known filter still answers" sh -c '
	q pending --org acme > /dev/null && q acks DWG-1 | grep -q "^DWG-1@C" &&
	q list --part PN-1 > /dev/null'

# ---- every time in JSON output is an ISO 8601 UTC string ------------------------
# an FAI, so that fai show has something to show
mkdir -p pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 C"
printf '{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket", "serial_number": "SN-1",
 "fair_number": "FAIR-1", "part_revision": "C", "drawing_number": "DWG-1", "drawing_revision": "C",
 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Sam", "signed_date": "2026-11-20"},
 "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' > pkg/fai.json
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,,6.0 +0.1/-0.1,6.05,,,\n' > pkg/form3.csv
q fai pack pkg -o fai.zip > /dev/null
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
sleep 1 # DWG-3 unacknowledged by zenith... released a second ago: a gap with --ack-days 0
q release DWG-4 --rev A d.pdf --to zenith > /dev/null
sleep 1
# times.py FILE KEY...: every key named time or *_at holds an ISO 8601 UTC
# string or null, never a number, and each KEY named is there at least once
cat > times.py <<'EOF'
import json, re, sys
iso = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
seen, bad = set(), []
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "time" or k.endswith("_at"):
                if v is not None and not (isinstance(v, str) and iso.match(v)):
                    bad.append("%s: %r" % (k, v))
                if v is not None:
                    seen.add(k)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(sys.argv[1])))
missing = [k for k in sys.argv[2:] if k not in seen]
if bad or missing:
    sys.exit("not ISO: %s; missing: %s" % (bad, missing))
EOF
json_times() { # json_times "CMD" KEY...: CMD's JSON output passes times.py
	c=$1; shift
	sh -c "q $c" > j.json; rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "exit $rc" >&2; return 1; }
	python3 times.py j.json "$@"
}
check "trace lot --json: the acknowledgment's time and the release's released_at" \
	json_times "trace lot L-1 --json" time released_at
check "trace po --json: the acknowledgments' time" json_times "trace po PO-1 --json" time
check "trace doc --json" json_times "trace doc DWG-1@C --json"
check "fai show --json: added_at" json_times "fai show FAIR-1 --json" added_at
check "audit --json: an unacknowledged release's released_at" json_times "audit --ack-days 0 --json" released_at
check "acks --json" json_times "acks DWG-1 --json" time
check "pending --json" json_times "pending --json" released_at
check "show --json" json_times "show DWG-1 --json" added_at
check "log --json" json_times "log --json" time
check "user list --json" json_times "user list --json" added_at
q ncr add --lot L-1 --reason dented > /dev/null
check "ncr list --json: opened_at" json_times "ncr list --json" opened_at
check "status export, asn export, scorecard --json" sh -c '
	for c in "status export" "asn export" "scorecard --json"; do
		q $c > j.json && python3 times.py j.json || exit 1
	done'
check "the text of trace lot prints the same time" sh -c '
	q trace lot L-1 | grep -Eq "acknowledged received by sam \(acme\) 20[0-9-]{8}T[0-9:]{8}Z, before it was made"'

# ---- a malformed option value: exit 2, the usage message ------------------------
usage() { # usage CMD PATTERN DESC ARGS...: exit 2, "qvault: CMD: PATTERN (see ...)"
	u=$1 p=$2 d=$3; shift 3
	fails 2 "^qvault: $u: $p \(see 'qvault $u --help'\)$" "$d" "$@"
}
usage audit "--ack-days needs a number of days, not 'x'" "audit --ack-days x" q audit --ack-days x
usage list "--type 'bogus' is not one of drawing, spec, .*" "list --type of an unknown type" q list --type bogus
usage add "--type 'bogus' is not one of drawing, .*" "add --type of an unknown type" \
	q add coc.csv --doc COC-2 --type bogus
usage release "--effective '2026-02-30' is not a date \(YYYY-MM-DD\)" "release --effective not a day" \
	q release DWG-1 --rev E d.pdf --to acme --effective 2026-02-30
usage release "--type 'coc2' is not one of .*" "release --type unknown" \
	q release DWG-1 --rev E d.pdf --to acme --type coc2
usage "lot add" "--qty 'x' is not a whole number from 1" "lot add --qty x" \
	q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty x
usage "lot add" "--made '2099-1-2' is not a date \(YYYY-MM-DD\)" "lot add --made malformed" \
	q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 1 --made 2099-1-2
usage "lot add" "--shipped 'soon' is not a date \(YYYY-MM-DD\)" "lot add --shipped malformed" \
	q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 1 --shipped soon
usage "lot add" "--from quantity 'many' is not a whole number from 1" "lot add --from LOT:x" \
	q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 1 --from L-1:many
usage "po add" "--line due date 'tomorrow' is not a date \(YYYY-MM-DD\)" "po add with a malformed due date" \
	q po add PO-2 --supplier acme --line PN-1:1:DWG-1@C:tomorrow
usage "po ack" "--promise 'soon' is not a date \(YYYY-MM-DD\)" "po ack --promise malformed" \
	q --key sam.pem po ack PO-1 --promise soon
usage "po ack" "--qty 'x' is not a whole number from 1" "po ack --qty x" \
	q --key sam.pem po ack PO-1 --line 1 --promise 2099-01-01 --qty x
usage status "status 'bogus' is not one of started, .*" "status of an unknown status" \
	q --key sam.pem status PO-1 bogus
usage "asn add" "--ship-date 'x' is not a date \(YYYY-MM-DD\)" "asn add --ship-date malformed" \
	q --key sam.pem asn add --po PO-1 --ship-date x --package C1:L-1:1
usage "asn receive" "--date '2099-13-01' is not a date \(YYYY-MM-DD\)" "asn receive --date malformed" \
	q asn receive ASN-000001 --date 2099-13-01
usage "ncr add" "--disposition 'burn' is not one of use-as-is, .*" "ncr add --disposition unknown" \
	q ncr add --lot L-1 --reason r --disposition burn
usage "ncr close" "--disposition 'burn' is not one of use-as-is, .*" "ncr close --disposition unknown" \
	q ncr close NCR-000001 --disposition burn
usage scorecard "--from 'x' is not a date \(YYYY-MM-DD\)" "scorecard --from malformed" q scorecard --from x
usage scorecard "--to '2099-02-30' is not a date \(YYYY-MM-DD\)" "scorecard --to not a day" \
	q scorecard --to 2099-02-30
usage ack "--meaning 'liked' is not one of received, reviewed, approved, rejected" "ack --meaning unknown" \
	q --key sam.pem ack DWG-1@C --meaning liked
usage "user add" "--role 'wizard' is not one of admin, buyer, .*" "user add --role with an unknown role" \
	q --key "$TMP/admin.pem" user add wiz --org acme --role buyer,wizard --pubkey "$TMP/ann.pub"
fails 2 "^qvault: ack-statement: --meaning 'liked' is not one of received, .*" \
	"ack-statement --meaning unknown, through the shell" \
	env SSH_ORIGINAL_COMMAND="ack-statement DWG-3@A -m liked" "$QVAULT" -C v shell --user ann
for c in audit pending "status export" "asn export" "ncr list" scorecard; do
	usage "$c" "--org 'a/b' contains '/'" "$c --org with a malformed name" q $c --org a/b
done
usage list "--part ' P N' begins or ends with a space" "list --part with a malformed part number" q list --part " P N"
usage "key generate" "unknown key type 'rsa' \(ed25519 or ecdsa\)" "key generate --type unknown" \
	q key generate -o k.pem --type rsa

# ---- command groups and unknown commands ---------------------------------------
check "key --help lists its commands, exit 0" sh -c '
	q key --help > o.txt && grep -q "^  key generate  *make a new" o.txt'
check "every group's --help lists each of its commands" sh -c '
	q --help | sed -n "s/^  \([a-z-][a-z-]*\) \([a-z-][a-z-]*\)  .*/\1 \2/p" > cmds.txt && test -s cmds.txt &&
	for g in $(cut -d" " -f1 cmds.txt | sort -u); do
		q $g --help > g.txt || exit 1
		grep "^$g " cmds.txt | while read -r c; do
			grep -q "^  $c  " g.txt || { echo "$g --help lacks $c" >&2; exit 1; }
		done || exit 1
	done'
check "a group alone lists its commands on stderr, exit 2" sh -c '
	q trace > o.txt 2> e.txt; test $? = 2 && test ! -s o.txt &&
	grep -q "^  trace lot " e.txt && grep -q "^  trace doc " e.txt && grep -q "^  trace po " e.txt'
check "a command that is also a group lists its commands under its help" sh -c '
	q ack --help | grep -q "^  ack export  "'
fails 2 "^qvault: unknown command 'relase'; did you mean 'release'\?$" "relase: did you mean release" q relase
fails 2 "^qvault: unknown command 'lsit'; did you mean 'list'\?$" "two letters swapped" q lsit
fails 2 "^qvault: unknown command 'key gen'; did you mean 'key generate'\?$" "a group's command begun" q key gen
fails 2 "^qvault: unknown command 'trace lto'; did you mean 'trace lot'\?$" "a group's command misspelt" \
	q trace lto
fails 2 "^qvault: unknown command 'frobnicate' \(see 'qvault --help'\)$" "nothing near: no suggestion" \
	q frobnicate

done_testing
