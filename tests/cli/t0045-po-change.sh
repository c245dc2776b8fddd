#!/bin/sh
# Change orders: po change, po cancel, po close.  A change is the PO's next
# revision, the whole PO as it stands after it, signed by the buyer with
# its reason; the earlier revisions stay.  The supplier answers the latest
# revision (po ack names it); an answer to an older one is refused.  A
# cancelled or closed line stays so, a cancelled PO takes nothing more.
# verify checks each change against the revision before it.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in bob sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
make_pdf c.pdf C
make_pdf d.pdf D
make_pdf e.pdf E
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q release DWG-1 --rev D d.pdf --to acme > /dev/null
q release DWG-2 --rev A e.pdf --to acme > /dev/null
q obsolete DWG-2@A --reason "withdrawn" > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line PN-2:5:DWG-1@C > /dev/null 2>&1
q po add PO-2 --supplier acme --line PN-1:10:DWG-1@C > /dev/null 2>&1
q --key sam.pem po ack PO-1 --promise 2099-01-01 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 20 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-01-02 --package C-1:L-1:20 > /dev/null 2>&1
q asn receive ASN-000001 --date 2099-01-03 > /dev/null

# js FILE EXPR VALUE...: each Python expression EXPR of the JSON in FILE (d) is its VALUE
js() {
	f=$1; shift
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = str(eval(e))
    if v != want: sys.exit("%s is %r, not %r" % (e, v, want))' "$f" "$@"
}
podir() { h=$(printf %s "$1" | sha256sum); echo "pos/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
P1=$(podir PO-1)

# ---- a change order
check "po change: the PO's next revision, for the supplier to acknowledge" \
	evalq "q po change PO-1 --line 1 --qty 40 --rev DWG-1@D --add-line PN-3:7:DWG-1@D:2099-02-02 \
	       --reason 'customer cut the order' > out.txt &&
	       grep -qx 'changed PO PO-1: revision 1, for the supplier to acknowledge' out.txt"
check "  one commit, po-change, signed, readable by stock git" \
	evalq "git -C v log -1 --format=%B | grep -qx 'Qvault-Op: po-change' &&
	       git -C v show 'main:$P1/changes/000001-tester.json' > c1.json &&
	       js c1.json 'd[\"seq\"]' 1 'd[\"reason\"]' 'customer cut the order' \
	          '[(l[\"line\"], l[\"qty\"], l[\"rev\"], l[\"state\"]) for l in d[\"lines\"]]' \
	          \"[(1, 40, 'D', 'open'), (2, 5, 'C', 'open'), (3, 7, 'D', 'open')]\""
check "  the PO as issued is kept, unchanged" \
	evalq "git -C v show 'main:$P1/po.json' | grep -q '\"qty\": 50'"
q po show PO-1 --json > s1.json
check "po show: revision 1, its lines as changed, the change with its reason" \
	js s1.json 'd["revision"]' 1 'd["lines"][0]["qty"]' 40 'd["lines"][0]["rev"]' D \
	'd["lines"][2]["due"]' 2099-02-02 'd["changes"][0]["reason"]' 'customer cut the order' \
	'd["changes"][0]["summary"]' 'line 1 quantity 50 -> 40; line 1 requires DWG-1@D, not DWG-1@C; line 3 added: 7 of PN-3 to DWG-1@D'
check "  and trace po shows it" evalq "q trace po PO-1 | grep -q '^  change order 1: line 1 quantity 50 -> 40'"
q --key sam.pem inbox --json > in1.json
check "the change is in the supplier's inbox to answer" \
	js in1.json '[(i["action"], i["subject"], i.get("detail")) for i in d if i["subject"] == "PO-1"]' \
	"[('answer-po', 'PO-1', 'change order 1: customer cut the order')]"

# ---- answering it
before=$(snapshot)
fails 1 "PO 'PO-1' is at revision 1: revision 0 was changed since" \
	"an answer to the PO as it was before the change is refused" \
	q --key sam.pem po ack PO-1 --promise 2099-01-05 --revision 0
check "  and nothing is written" test "$before" = "$(snapshot)"
ok "the supplier answers revision 1" q --key sam.pem po ack PO-1 --promise 2099-01-05 --revision 1
check "  the answer names the revision" \
	evalq "q po show PO-1 --json > s2.json && js s2.json 'd[\"acknowledgments\"][-1][\"revision\"]' 1 \
	       'd[\"acknowledgments\"][0][\"revision\"]' 0"
check "  and leaves the inbox" \
	evalq "q --key sam.pem inbox --json > in2.json && js in2.json '[i for i in d if i[\"subject\"] == \"PO-1\"]' '[]'"

# ---- cancel, close
q --key sam.pem lot add L-2 --po PO-1 --part PN-2 --qty 5 > /dev/null
ok "po cancel --line: a line cancelled" q po cancel PO-1 --line 2 --reason "not needed"
q po show PO-1 --json > s3.json
check "  cancelled, and out of what is ordered" \
	js s3.json 'd["lines"][1]["state"]' cancelled 'd["qty"]' 47 'd["revision"]' 2
before=$(snapshot)
fails 1 "PO 'PO-1' has no open line for part 'PN-2'" "a lot for a cancelled line is refused" \
	q --key sam.pem lot add L-4 --po PO-1 --part PN-2 --qty 5
fails 1 "line 2 of PO 'PO-1' is cancelled" "shipping against a cancelled line is refused" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-01-04 --package C-2:L-2:5
check "  and nothing is written" test "$before" = "$(snapshot)"
ok "po close --line: a line closed short" q po close PO-1 --line 1 --reason "20 are enough"
check "  closed, with 20 of 40 received" \
	evalq "q po show PO-1 --json > s4.json && js s4.json 'd[\"lines\"][0][\"state\"]' closed \
	       'd[\"lines\"][0][\"received\"]' 20 'd[\"state\"]' open"
ok "po cancel: every open line of a PO" q po cancel PO-2 --reason "project stopped"
check "  the PO is cancelled" evalq "q po list --json > l.json &&
	js l.json '[p[\"state\"] for p in d if p[\"po\"] == \"PO-2\"]' \"['cancelled']\""
check "  and left out of --open" \
	evalq "q po list --open --json > open.json && grep -q PO-1 open.json && ! grep -q PO-2 open.json"

# ---- refused: one line, exit 1, the vault unchanged
refuse() { # PATTERN DESC CMD...
	rp=$1 rd=$2; shift 2
	before=$(snapshot)
	fails 1 "$rp" "$rd" "$@"
	check "  (nothing written)" test "$before" = "$(snapshot)"
}
refuse "PO 'PO-2' is cancelled" "a change order on a cancelled PO" \
	q po change PO-2 --line 1 --qty 5 --reason x
refuse "PO 'PO-2' has no open line" "an answer to a cancelled PO" \
	q --key sam.pem po ack PO-2 --promise 2099-01-01
refuse "line 2 of PO 'PO-1' is cancelled" "a change to a cancelled line" \
	q po change PO-1 --line 2 --qty 6 --reason x
refuse "line 1 of PO 'PO-1' is closed" "closing a closed line" q po close PO-1 --line 1 --reason x
q --key sam.pem lot add L-3 --po PO-1 --part PN-3 --qty 7 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-01-06 --package C-3:L-3:7 > /dev/null 2>&1
q asn receive ASN-000002 --date 2099-01-07 --qty L-3:6 > /dev/null
refuse "line 3: a quantity of 5 is below the 6 already received" "a quantity below what was received" \
	q po change PO-1 --line 3 --qty 5 --reason x
refuse "DWG-2@A is obsolete" "a line requiring an obsolete revision" \
	q po change PO-1 --add-line PN-9:1:DWG-2@A --reason x
refuse "document 'DWG-1' has no revision 'Z'" "a revision that does not exist" \
	q po change PO-1 --line 3 --rev DWG-1@Z --reason x
refuse "PO 'PO-1' has no line 9" "a line that does not exist" q po change PO-1 --line 9 --qty 1 --reason x
refuse "the change order changes nothing" "a change that changes nothing" \
	q po change PO-1 --line 3 --qty 7 --reason x
refuse "may not change purchase orders|needs role buyer" "a supplier may not change a PO" \
	q --key sam.pem po change PO-1 --line 3 --qty 9 --reason x
refuse "no PO 'PO-9'" "a PO that does not exist" q po change PO-9 --line 1 --qty 1 --reason x
before=$(snapshot)
fails 2 "--reason is required" "a change without a reason: a usage error" q po change PO-1 --line 3 --qty 9
fails 2 "--reason is required" "a cancel without a reason" q po cancel PO-1
fails 2 "nothing to change" "po change with nothing to change" q po change PO-1 --reason x
fails 2 "--qty, --due and --rev change the line --line names" "--qty without --line" \
	q po change PO-1 --qty 3 --reason x
fails 2 "--qty '0' is not a whole number from 1" "a quantity of nothing" q po change PO-1 --line 3 --qty 0 --reason x
fails 2 "--revision 'x' is not a revision number" "po ack --revision that is no number" \
	q --key sam.pem po ack PO-1 --promise 2099-01-01 --revision x
check "  (nothing written)" test "$before" = "$(snapshot)"

# ---- po add and the revisions its lines require
refuse "line 1: DWG-2@A is obsolete" "po add of a line requiring an obsolete revision" \
	q po add PO-8 --supplier acme --line PN-1:1:DWG-2@A
check "po add of a line requiring a revision superseded for the supplier: recorded, with one warning" \
	evalq "q po add PO-7 --supplier acme --line PN-1:1:DWG-1@C > out.txt 2> err.txt &&
	       grep -qx 'recorded PO PO-7 for acme, 1 line' out.txt &&
	       [ \"\$(cat err.txt)\" = 'qvault: warning: line 1 requires DWG-1@C, superseded for acme by DWG-1@D' ]"
add_supplier zed zenith
q release DWG-5 --rev A e.pdf --to zenith > /dev/null
check "  and of one not released to the supplier yet" \
	evalq "q po add PO-6 --supplier acme --line PN-1:1:DWG-5@A 2> err.txt > /dev/null &&
	       [ \"\$(cat err.txt)\" = 'qvault: warning: line 1 requires DWG-5@A, not released to acme yet' ]"
check "a change order to a superseded revision warns the same way" \
	evalq "q po change PO-6 --line 1 --rev DWG-1@C --reason x 2> err.txt > /dev/null &&
	       [ \"\$(cat err.txt)\" = 'qvault: warning: line 1 requires DWG-1@C, superseded for acme by DWG-1@D' ]"

# ---- the record of truth
ok "verify is clean after the change orders" q verify
check "the index rebuilt from the repository shows the POs alike" \
	evalq "q po show PO-1 --json > a.json && q po list --json > al.json && q reindex > /dev/null &&
	       q po show PO-1 --json | cmp -s - a.json && q po list --json | cmp -s - al.json"
q keys allowed-signers > allowed_signers
check "git verify-commit passes on a change order's commit" \
	evalq "c=\$(git -C v log --format=%H --grep='^Qvault-Op: po-change' -1) &&
	       git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile='$TMP/allowed_signers' verify-commit \$c 2> /dev/null"

# ---- the records, by their JSON Schema
if python3 -c 'import jsonschema' 2> /dev/null; then
	check "each change order and answer stored matches portal-records.schema.json" python3 -c '
import json, subprocess, sys, jsonschema
s = json.load(open(sys.argv[1]))
files = subprocess.run(["git", "-C", "v", "ls-tree", "-r", "--name-only", "main", "pos/"],
                       capture_output=True, text=True, check=True).stdout.split()
files = [f for f in files if "/changes/" in f or "/acks/" in f]
assert any("/changes/" in f for f in files), files
for f in files:
    rec = json.loads(subprocess.run(["git", "-C", "v", "show", "main:" + f], capture_output=True,
                                    check=True).stdout)
    jsonschema.validate(rec, s)' "$TESTS_DIR/../../schemas/portal-records.schema.json"
else
	_skip "no python3-jsonschema"
fi

# ---- through the API: a change order as JSON, answered by a revision
if command -v curl > /dev/null; then
	make_pdf f.pdf F
	q po add PO-3 --supplier acme --line PN-1:10:DWG-1@C --line PN-2:4:DWG-1@C > /dev/null 2>&1
	BUY_W=$(tok --user tester --scope write)
	SAM_W=$(tok --user sam --scope write)
	serve_start
	J='-H Content-Type:application/json'
	check "POST pos/PO-3/changes: 201, the PO at revision 1" \
		evalq "api 201 POST pos/PO-3/changes '$BUY_W' $J --data-binary '{\"reason\": \"more\",
		       \"edits\": [{\"op\": \"edit\", \"line\": 1, \"qty\": 12, \"due\": \"2099-05-01\"},
		                   {\"op\": \"add-line\", \"part\": \"PN-4\", \"qty\": 2, \"doc\": \"DWG-1\", \"rev\": \"D\"},
		                   {\"op\": \"cancel\", \"line\": 2}]}' &&
		       is 'd[\"revision\"]' 1 && is 'd[\"lines\"][0][\"qty\"]' 12 &&
		       is 'd[\"lines\"][1][\"state\"]' cancelled && is 'd[\"lines\"][2][\"part\"]' PN-4 &&
		       git -C v log -1 --format=%B | grep -qx 'Qvault-On-Behalf-Of: tester'"
	check "  the supplier's change feed shows the change order of its PO (a buyer's write)" \
		evalq "api 200 GET 'events?limit=1000' '$SAM_W' &&
		       python3 -c 'import json; d = json.load(open(\"body.json\"))
assert any(e[\"op\"] == \"po-change\" and \"PO-3\" in e[\"summary\"] for e in d[\"events\"]), d'"
	refused 403 "buyer|may not change" "  a supplier's token may not change a PO" \
		POST pos/PO-3/changes "$SAM_W" $J --data-binary '{"reason": "x", "edits": [{"op": "cancel"}]}'
	refused 400 "unknown field 'po'" "  a body naming the PO: 400" \
		POST pos/PO-3/changes "$BUY_W" $J --data-binary '{"po": "PO-1", "reason": "x", "edits": [{"op": "cancel"}]}'
	refused 400 "an op of edit, add-line, cancel or close" "  an unknown op: 400" \
		POST pos/PO-3/changes "$BUY_W" $J --data-binary '{"reason": "x", "edits": [{"op": "delete", "line": 1}]}'
	refused 400 "a change order needs a reason|reason" "  no reason: 400" \
		POST pos/PO-3/changes "$BUY_W" $J --data-binary '{"edits": [{"op": "cancel"}]}'
	refused 400 "PO 'PO-3' is at revision 1: revision 0 was changed since" \
		"an answer through the API to the revision before: 400" \
		POST pos/PO-3/acks "$SAM_W" $J --data-binary '{"promise": "2099-06-01", "revision": 0}'
	check "  the answer to revision 1: 201, naming it" \
		evalq "api 201 POST pos/PO-3/acks '$SAM_W' $J --data-binary '{\"promise\": \"2099-06-01\", \"revision\": 1}' &&
		       is 'd[\"acknowledgments\"][-1][\"revision\"]' 1"
	kill "$SERVE"
	wait "$SERVE" 2> /dev/null
	openapi_check "every API answer matches schemas/openapi.json"
	ok "verify is clean after the API's change orders" q verify
else
	_skip "no curl: the API's change orders"
fi

# ---- through the shell: the buyer's commands, not the supplier's
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
fails 1 "may not|not allowed|needs role" "through qvault shell, a supplier may not change a PO" \
	as sam po change PO-1 --line 3 --qty 9 --reason x

# ---- forged with stock git
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT KEY ORG OP MESSAGE SPEC...: signed by KEY, authored as its user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4 fm=$5
	shift 5
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop
Qvault-PO: PO-1" "$@"
}
# change_json SEQ BY ORG [JQ]: PO-1's latest revision as the next change order by BY, edited by JQ
LATEST=$(git -C v ls-tree --name-only "main:$P1/changes/" | tail -n 1)
N=$(( $(echo "$LATEST" | cut -c1-6 | sed 's/^0*//') + 1 ))
change_json() {
	git -C v show "main:$P1/changes/$LATEST" | jq -S --indent 2 --argjson seq "$1" --arg by "$2" \
		--arg org "$3" --arg at "$AT" \
		'.seq = $seq | .changed_by = $by | .org = $org | .changed_at = $at |
		 .reason = "forged" | .summary = "line 3 quantity 7 -> 8" |
		 (.lines[] | select(.line == 3)).qty = 8' | jq -S --indent 2 "${4:-.}"
}
NAME=$(printf '%06d' $N)

tamper f0
change_json $N bob owner > c.json
forge_as f0 bob owner po-change "po change PO-1 (revision $N)" "$P1/changes/$NAME-bob.json=c.json"
ok "a change order written with stock git as qvault writes it passes verify" q -C f0 verify

tamper f1
change_json $N sid acme > c.json
forge_as f1 sid acme po-change "po change PO-1 (revision $N)" "$P1/changes/$NAME-sid.json=c.json"
check "a supplier writing a change order is caught" \
	culprit f1 "changes/$NAME-sid.json: user 'sid' may not change purchase orders"

tamper f2
change_json $N bob owner '(.lines[] | select(.line == 2)).state = "open"' > c.json
forge_as f2 bob owner po-change "po change PO-1 (revision $N)" "$P1/changes/$NAME-bob.json=c.json"
check "a change order reopening a cancelled line is caught" \
	culprit f2 "line 2 was cancelled and is changed"

tamper f3
change_json $((N + 1)) bob owner > c.json
forge_as f3 bob owner po-change "po change PO-1 (revision $((N + 1)))" "$P1/changes/$(printf '%06d' $((N + 1)))-bob.json=c.json"
check "a change order skipping a number is caught" \
	culprit f3 "the change order is number $((N + 1)) of PO 'PO-1', whose last was $((N - 1))"

tamper f4
change_json $N bob owner 'del(.lines[] | select(.line == 1))' > c.json
forge_as f4 bob owner po-change "po change PO-1 (revision $N)" "$P1/changes/$NAME-bob.json=c.json"
check "a change order dropping a line is caught" culprit f4 "line 1 of the revision before is gone"

tamper f5
change_json $N bob owner > c.json
jq -S --indent 2 '.reason = ""' c.json > c2.json
forge_as f5 bob owner po-change "po change PO-1 (revision $N)" "$P1/changes/$NAME-bob.json=c2.json"
check "a change order without a reason is caught" culprit f5 "the change order is malformed"

tamper f6
SEQ=$(( $(git -C v ls-tree --name-only "main:$P1/acks/" | wc -l) + 1 ))
jq -S --indent 2 -n --arg at "$AT" --argjson seq $SEQ --arg fp "$(ssh-keygen -lf sid.pub | cut -d' ' -f2)" \
	'{record: "po-ack", format: 1, po: "PO-1", seq: $seq, revision: 0, decision: "accepted",
	  promise: "2099-03-01", org: "acme", signed_by: "sid", fingerprint: $fp, signed_at: $at}' > a.json
GIT_AUTHOR_NAME=sid GIT_AUTHOR_EMAIL=sid@acme GIT_COMMITTER_NAME=sid GIT_COMMITTER_EMAIL=sid@acme \
	forge_commit f6 sid "po ack PO-1: promise 2099-03-01

Qvault-Op: po-ack
Qvault-PO: PO-1" "$P1/acks/$(printf '%06d' $SEQ)-sid.json=a.json"
check "an answer naming an old revision of the PO is caught" \
	culprit f6 "answers revision 0 of PO 'PO-1', whose latest was $((N - 1))"

done_testing
