#!/bin/sh
# qvault inbox: the acting user's open actions, oldest first, with their
# ages.  A supplier's are its own organization's only; the buying side's
# chase what suppliers left unanswered; each action leaves the inbox when
# the record that answers it is written, and nothing else makes it go.
. "$(dirname "$0")/lib.sh"

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
if [ ! -r "$FAKETIME_LIB" ]; then
	_skip "no libfaketime (scripts/deps installs faketime): the actions must be days old"
	done_testing
	exit 0
fi

# a month ago (libfaketime): the releases, POs, a promise for ten days
# later, and a lot; every write after is today's
PROMISE=$(date -u -d '20 days ago' +%Y-%m-%d)
MONTH_AGO=$(date -u -d '30 days ago' +%Y-%m-%d)
export LD_PRELOAD="$FAKETIME_LIB" FAKETIME=-30d ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
vault_v sam:acme zed:zenith
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
q --key "$TMP/admin.pem" user add aud --org owner --role auditor --pubkey aud.pub > /dev/null
make_pdf c.pdf C
make_pdf d.pdf D
make_pdf coc.pdf COC
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q release DWG-2 --rev A d.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line PN-2:5:DWG-2@A > /dev/null
q po add PO-2 --supplier acme --line PN-1:3:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem po ack PO-1 --promise "$PROMISE" > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 50 > /dev/null
unset LD_PRELOAD FAKETIME
check "(the setup ran a month ago)" evalq "[ \"\$(git -C v log -1 --format=%cs)\" = $MONTH_AGO ]"

# js FILE EXPR VALUE...: each Python expression EXPR of the JSON in FILE (d) is its VALUE
js() {
	f=$1; shift
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = str(eval(e))
    if v != want: sys.exit("%s is %r, not %r" % (e, v, want))' "$f" "$@"
}
# actions FILE: the (action, subject) pairs of the inbox in FILE, in
# order, if it is in order (by since, then action, then subject: actions
# of the same second may come in either order of their making)
actions() {
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1]))
k = [(i["since"], i["action"], i["subject"]) for i in d]
if k != sorted(k): sys.exit("not oldest first: %r" % k)
print([(i["action"], i["subject"]) for i in d])' "$1"
}

# ---- a supplier's
q --key sam.pem inbox --json > sam.json
check "a supplier's inbox, oldest first: the revision to acknowledge, the PO to answer, the lot without a CoC, its promise passed" \
	evalq "[ \"\$(actions sam.json)\" = \"[('acknowledge-revision', 'DWG-2@A'), ('answer-po', 'PO-2'), ('provide-coc', 'L-1'), ('ship-overdue', 'PO-1 line 1'), ('ship-overdue', 'PO-1 line 2')]\" ]"
check "  each with its age in whole days" \
	js sam.json 'd[0]["age_days"]' 30 'd[1]["age_days"]' 30 'd[3]["age_days"]' 20 \
	'd[0]["what"]' 'acknowledge the revision released to you'
check "  a passed promise: since the day promised, what was shipped of what was ordered" \
	js sam.json 'd[3]["since"]' "${PROMISE}T00:00:00Z" 'd[3]["detail"]' "promised $PROMISE; 0 of 50 shipped" \
	'd[3]["po"]' PO-1 'd[3]["org"]' acme
check "  none of zenith's" evalq "! grep -q 'PO-Z\|zenith' sam.json"
q --key zed.pem inbox --json > zed.json
check "zenith's inbox: its own revision and PO, nothing of acme's" \
	evalq "[ \"\$(actions zed.json)\" = \"[('acknowledge-revision', 'DWG-1@C'), ('answer-po', 'PO-Z')]\" ]"
q --key sam.pem inbox > sam.txt
check "the table: a header, one line per action with its age, the detail or what it asks" \
	evalq "head -n 1 sam.txt | grep -q '^SINCE  *DAYS  *ACTION  *SUBJECT  *ORG  *DETAIL$' &&
	       grep -q '^${PROMISE}T00:00:00Z  *20  *ship-overdue  *PO-1 line 1  *acme  *promised $PROMISE; 0 of 50 shipped$' sam.txt &&
	       grep -q ' 30  *answer-po  *PO-2  *acme  *accept or reject the PO (or its change), with a promised date$' sam.txt"

# ---- answered, an action leaves
q --key sam.pem ack DWG-2@A > /dev/null
q --key sam.pem po ack PO-2 --promise 2099-01-01 > /dev/null
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key sam.pem link COC-1@A --lot L-1 > /dev/null
q --key sam.pem inbox --json > sam2.json
check "acknowledged, answered, certified: those leave the supplier's inbox" \
	evalq "[ \"\$(actions sam2.json)\" = \"[('ship-overdue', 'PO-1 line 1'), ('ship-overdue', 'PO-1 line 2')]\" ]"
q --key sam.pem asn add --po PO-1 --ship-date 2099-01-10 --package CTN-1:L-1:50 > /dev/null 2>&1
q --key sam.pem inbox --json > sam3.json
check "  a line shipped in full is no longer overdue; the other still is" \
	evalq "[ \"\$(actions sam3.json)\" = \"[('ship-overdue', 'PO-1 line 2')]\" ]"

# ---- the buying side's
q inbox --json > buy.json
check "the buyer's inbox: what zenith left unanswered for a month, acme's passed promise" \
	evalq "[ \"\$(actions buy.json)\" = \"[('chase-po', 'PO-Z'), ('chase-revision', 'DWG-1@C'), ('late-shipment', 'PO-1 line 2')]\" ] ||
	       [ \"\$(actions buy.json)\" = \"[('chase-revision', 'DWG-1@C'), ('chase-po', 'PO-Z'), ('late-shipment', 'PO-1 line 2')]\" ]"
check "  each naming the organization it concerns" \
	js buy.json 'd[0]["org"]' zenith 'd[1]["org"]' zenith 'd[2]["org"]' acme 'd[1]["age_days"]' 30
q inbox --days 31 --json > buy31.json
check "  --days 31: what is unanswered for a month is not chased yet" \
	evalq "[ \"\$(actions buy31.json)\" = \"[('late-shipment', 'PO-1 line 2')]\" ]"
q asn receive ASN-000001 --date 2099-01-12 --qty L-1:48 --note "two short" > /dev/null
q inbox --json > buy2.json
check "a receipt short of its ship notice: in the buyer's and quality's inbox" \
	evalq "grep -q '\"subject\": \"ASN-000001\"' buy2.json &&
	       js buy2.json '[i for i in d if i[\"action\"] == \"receipt-discrepancy\"][0][\"detail\"]' '48 received of 50 shipped'"
q ncr add --lot L-1 --reason "two missing" --disposition return-to-supplier > /dev/null
q inbox --json > buy3.json
check "  an NCR opened on its lot takes it out; quality has the open NCR to close" \
	evalq "! grep -q receipt-discrepancy buy3.json &&
	       js buy3.json '[i[\"detail\"] for i in d if i[\"action\"] == \"close-ncr\"][0]' 'L-1: two missing'"
q --key sam.pem inbox --json > sam4.json
check "  and the supplier has it to answer" \
	js sam4.json '[i["subject"] for i in d if i["action"] == "answer-ncr"]' "['NCR-000001']"
q ncr close NCR-000001 --disposition scrap > /dev/null
q inbox --json > buy4.json
q --key sam.pem inbox --json > sam5.json
check "closed, the NCR leaves both inboxes" evalq "! grep -q ncr buy4.json && ! grep -q ncr sam5.json"

# ---- ncr show, with the same scoping
check "ncr show: the NCR on sam's lot, to sam, closed" \
	evalq "q --key sam.pem ncr show NCR-000001 --json > n.json &&
	       js n.json 'd[\"lot\"]' L-1 'd[\"state\"]' closed 'd[\"closed_disposition\"]' scrap"
check "  the table: its lot, reason and closing" \
	evalq "q ncr show NCR-000001 > n.txt && grep -qx 'NCR NCR-000001: closed' n.txt &&
	       grep -q '^  opened by tester at .*: two missing$' n.txt && grep -q '^  closed by tester at .*: scrap$' n.txt"
fails 1 "^qvault: no NCR 'NCR-000001'$" "another organization's NCR is not found" \
	q --key zed.pem ncr show NCR-000001
fails 1 "^qvault: no NCR 'NCR-999999'$" "  exactly as one that does not exist" \
	q --key zed.pem ncr show NCR-999999

# ---- others
q --key aud.pem inbox --json > aud.json
check "an auditor has nothing to do: []" js aud.json 'd' '[]'
check "  and the table says so" evalq "q --key aud.pem inbox | tail -n 1 | grep -qx '(nothing to do)'"

# ---- bad input: one line, the usage exit code, nothing written
before=$(snapshot)
fails 2 "--days '-1' is not a number of days from 0 to 3650" "a negative --days: a usage error" \
	q inbox --days -1
fails 2 "--days 'x' is not a number of days" "--days that is not a number" q inbox --days x
fails 2 "--days '3651'" "--days over ten years" q inbox --days 3651
fails 2 "unexpected argument|too many arguments" "an argument inbox takes none of" q inbox PO-1
check "  and the vault is as it was" test "$before" = "$(snapshot)"

# ---- through the shell, and by its JSON Schema
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
as zed inbox --json > shell.json
check "through qvault shell, a supplier reads its inbox (scoped by the library)" \
	evalq "[ \"\$(actions shell.json)\" = \"\$(actions zed.json)\" ]"
# ---- through the API: the same answer, never kept
samejson() { python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"; }
if command -v curl > /dev/null; then
	ZED_R=$(tok --user zed)
	BUY_R=$(tok --user tester)
	serve_start
	check "GET inbox: zed's, as the CLI answers it" \
		evalq "api 200 GET inbox '$ZED_R' && samejson body.json zed.json"
	check "  the buyer's, ?days=31 as --days 31" \
		evalq "api 200 GET 'inbox?days=31' '$BUY_R' && [ \"\$(actions body.json)\" = \"[('late-shipment', 'PO-1 line 2')]\" ]"
	refused 400 "days '-1' is not a number of days from 0 to 3650" "  ?days=-1: 400" GET 'inbox?days=-1' "$BUY_R"
	refused 401 "^invalid token$" "  no token: 401" GET inbox
	q --key zed.pem ack DWG-1@C > /dev/null
	check "  zed's answer after it acknowledged: not the answer before it" \
		evalq "api 200 GET inbox '$ZED_R' && [ \"\$(actions body.json)\" = \"[('answer-po', 'PO-Z')]\" ]"
	check "GET ncrs/NCR-000001: sam's NCR, as ncr show --json" \
		evalq "api 200 GET ncrs/NCR-000001 '$(tok --user sam)' && samejson body.json n.json"
	check "  to zed: 404, the same answer as for none" \
		evalq "api 404 GET ncrs/NCR-000001 '$ZED_R' && error \"^no NCR 'NCR-000001'\$\" &&
		       api 404 GET ncrs/NCR-999999 '$ZED_R' && error \"^no NCR 'NCR-999999'\$\""
	kill "$SERVE"
	wait "$SERVE" 2> /dev/null
	openapi_check "every API answer matches schemas/openapi.json"
else
	_skip "no curl: the API's inbox"
fi

if python3 -c 'import jsonschema' 2> /dev/null; then
	check "each inbox matches its schema (portal-output.schema.json, inbox)" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), {"$ref": "#/$defs/inbox", "$defs": s["$defs"]})' \
		"$TESTS_DIR/../../schemas/portal-output.schema.json" sam.json zed.json buy.json buy2.json aud.json
else
	_skip "no python3-jsonschema"
fi

done_testing
