#!/bin/sh
# Attacks on the acts signed with the passkey in the portal (issue 19): a
# supplier's answer to a PO (POST /pos/{po}/ack/statement, then /sign),
# an FAI disposition and the close of an NCR (the buying side's), and the
# NCR opened by the portal's form (POST /ncrs).  A hostile supplier with
# a session and a scripted passkey (tests/webauthn.py), an outsider who
# reads a replica (a bare clone), and a peer site forging with stock git
# and ssh-keygen.  Each refusal is checked by its status (or exit code),
# its one-line message by pattern, and the vault left byte for byte as it
# was; each forgery by `qvault verify`'s one-line finding.
. "$(dirname "$0")/lib.sh"

need_webauthn
PK="/usr/bin/python3 $TESTS_DIR/../passkey.py"

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf a.pdf A
make_pdf z.pdf Z
q --key bea.pem release DWG-1 --rev C a.pdf --to acme > /dev/null
q --key bea.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:5:DWG-1@C > /dev/null
q --key bea.pem po add PO-2 --supplier acme --line PN-1:7:DWG-1@C > /dev/null
q --key bea.pem po add PO-3 --supplier acme --line PN-1:9:DWG-1@C > /dev/null
q --key bea.pem po add PO-Z --supplier zenith --line PN-9:5:DWG-Z@A > /dev/null
fai_pkg FAIR-1 6.02
q --key sam.pem fai add fai.zip > /dev/null
fai_pkg FAIR-2 6.03
q --key sam.pem fai add fai.zip > /dev/null
q --key sam.pem lot add L-1 --part PN-1 --qty 5 --po PO-1 > /dev/null
q --key bea.pem ncr add --lot L-1 --reason "one part dented" > /dev/null
q --key bea.pem ncr add --lot L-1 --reason "one part scratched" > /dev/null
FAIR_REV=$(q list --json | python3 -c 'import json,sys; print([r["rev"] for r in json.load(sys.stdin) if r["doc"]=="FAIR-1"][0])')
# pat (acme), zoe (zenith) and bix (the buyer's side) enroll passkeys
portal_users pat:acme:supplier zoe:zenith:supplier bix:owner:buyer
ok "pat, zoe and bix enroll passkeys" evalq 'q user list --json | grep -q "\"zoe\""'
# w: another vault of the same buyer, where pat is registered with the same
# passkey (its public key, as v's users/pat/user.json shows it) and there is
# a PO-2 for acme too, made before pat signs anything in v
git -C v show main:users/pat/user.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])' > pat-passkey.pub
new_vault w
q -C w --key "$TMP/admin.pem" user add bea --org owner --role buyer --pubkey bea.pub > /dev/null
q -C w --key "$TMP/admin.pem" user add pat --org acme --role supplier --pubkey pat-passkey.pub > /dev/null
q -C w --key bea.pem release DWG-1 --rev C a.pdf --to acme > /dev/null
q -C w --key bea.pem po add PO-2 --supplier acme --line PN-1:7:DWG-1@C > /dev/null
check "  (w: another vault, pat in it with the same passkey, a PO-2 of acme)" \
	evalq 'q -C w po show PO-2 > /dev/null && q -C w verify > /dev/null'

# stmt PATH FIELDS: the record the vault makes for the act at PATH, in stmt.json
stmt() { post 200 "$1/statement" "$2" && cp body.json stmt.json; }
# act KEY FIELDS [-e PYTHON] [-n NAMESPACE] [OPT...]: into answer.json, KEY's
# answer (webauthn.py get OPT...) to the record of stmt.json, with the form's
# FIELDS (JSON) as the page sends them; -e: to that record edited by PYTHON
# first (r: its text, d: it parsed, at(M): its time M minutes on; r is what
# is signed and posted), signed in NAMESPACE (-n; else the statement's)
cat > act.py <<'PY'
import contextlib, datetime, io, json, sys
sys.path.insert(0, sys.argv[1])
import webauthn
key, fields, opts = sys.argv[2], json.loads(sys.argv[3]), sys.argv[4:]
s = json.load(open("stmt.json"))
r, ns, edit = s["record"], s.get("namespace"), None
while opts and opts[0] in ("-e", "-n"):
    if opts[0] == "-e":
        edit = opts[1]
    else:
        ns = opts[1]
    opts = opts[2:]
if edit:
    d = json.loads(r)
    def at(m):
        k = [k for k in ("signed_at", "decided_at", "closed_at") if k in d][0]
        t = datetime.datetime.strptime(d[k], "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(minutes=m)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    exec(edit)
if edit or ns != s.get("namespace"):
    open("signed.json", "w").write(r)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        webauthn.cmd_challenge(ns, "signed.json")
    challenge = out.getvalue().strip()
else:
    challenge = s["challenge"]
if not any(o.startswith("counter=") for o in opts):
    try:
        c = int(open(key + ".count").read()) + 1
    except OSError:
        c = 1
    open(key + ".count", "w").write(str(c))
    opts.append("counter=%d" % c)
out = io.StringIO()
with contextlib.redirect_stdout(out):
    webauthn.cmd_get(key, challenge, opts)
a = json.loads(out.getvalue())
a.update(fields)
a["record"] = r
json.dump(a, open("answer.json", "w"))
PY
act() { ak=$1 af=$2; shift 2; /usr/bin/python3 act.py "$TESTS_DIR/.." "$ak" "$af" "$@"; }
# next KEY: the next signature counter of passkey KEY (in KEY.count, which act counts up too)
next() { nc=$(($(cat "$1.count" 2> /dev/null || echo 0) + 1)); echo $nc > "$1.count"; echo $nc; }
signed_file() { git -C v ls-tree -r --name-only main | grep "$1\$"; }
# frefused STATUS PATTERN DESC PATH FORM: a form post is refused with STATUS,
# its page saying PATTERN, the vault unchanged
frefused() {
	fs=$1 fp=$2 fd=$3 fpath=$4 fform=$5
	before=$(api_state)
	if ! web "$fs" POST "$fpath" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data "$fform" 2> "$TMP/.err"; then
		_fail "$fd" "$(cat "$TMP/.err")"
	elif ! grep -Eq -- "$fp" body.json; then
		_fail "$fd" "the answer does not say '$fp':" "$(head -c 300 body.json)"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$fd" "the vault changed"
	else
		_pass "$fd"
	fi
}

# ==== (a) a hostile supplier with a session: pat of acme ==========================
login pat "$(next pat)"
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF
ACCEPT='{"decision":"accept","promise":"2026-12-20","revision":"0"}'

# another organization's PO is none
wrefused 404 "no PO 'PO-Z'" "pat's statement for zenith's PO-Z is refused as for no PO" \
	pos/PO-Z/ack/statement "$ACCEPT"
cp body.json theirs.json
post 404 pos/PO-Q/ack/statement "$ACCEPT" 2> /dev/null
check "  with the very answer a PO that does not exist gets" \
	evalq 'sed s/PO-Z/PO-Q/ theirs.json | cmp -s - body.json'
stmt pos/PO-1/ack "$ACCEPT"
act pat "$ACCEPT" 
wrefused 404 "no PO 'PO-Z'" "  and pat's signed answer to PO-1 posted to PO-Z" \
	pos/PO-Z/ack/sign "$(cat answer.json)"
act pat "$ACCEPT" -e 'r = r.replace("\"PO-1\"", "\"PO-Z\"").replace("\"acme\"", "\"zenith\"")' 
wrefused 400 'not given you to sign' "  a record pat edited to answer PO-Z, signed by pat's passkey, posted to PO-Z" \
	pos/PO-Z/ack/sign "$(cat answer.json)"
wrefused 400 'not given you to sign' "  any record pat did not get, posted to PO-Z" pos/PO-Z/ack/sign \
	"$(with "$(cat answer.json)" record='{"po": "PO-Z"}')"
cp body.json theirs.json
post 400 pos/PO-Q/ack/sign "$(cat answer.json)" 2> /dev/null
check "  with the very answer it gets for a PO that does not exist" cmp -s theirs.json body.json

# the record the vault gave, changed between statement and sign, each signed
# by pat's own passkey over exactly the text it posts
stmt pos/PO-1/ack "$ACCEPT"
check "the record the vault gives pat to sign names pat, PO-1 and this vault" \
	evalq 'is "json.loads(d[\"record\"])[\"signed_by\"]" pat && is "json.loads(d[\"record\"])[\"po\"]" PO-1 &&
	       is "json.loads(d[\"record\"])[\"vault\"]" "$(git -C v show main:vault.json |
		   python3 -c "import json,sys; print(json.load(sys.stdin)[\"id\"])")"'
for edit in \
	'another vault:r = r.replace(d["vault"], "0" * 32)' \
	'promise date later:r = r.replace("2026-12-20", "2027-06-30")' \
	'PO revision 1:r = r.replace("\"revision\": 0", "\"revision\": 1")' \
	'number 9:r = r.replace("\"seq\": 1", "\"seq\": 9")' \
	'signer sam:r = r.replace("\"pat\"", "\"sam\"")' \
	'signer zoe of zenith:r = r.replace("\"pat\"", "\"zoe\"").replace("\"acme\"", "\"zenith\"")' \
	'decision rejected:r = r.replace("accepted", "rejected")' \
	'time 1 minute ahead:r = r.replace(d["signed_at"], at(1))' \
	'time 11 minutes behind:r = r.replace(d["signed_at"], at(-11))' \
	'time 3 minutes behind:r = r.replace(d["signed_at"], at(-3))' \
	'a member added:r = r.replace("{", "{\n  \"qty\": 5,", 1)' \
	'spelled on one line:r = json.dumps(d, sort_keys=True)' \
	'its last newline cut:r = r.rstrip("\n")'; do
	act pat "$ACCEPT" -e "${edit#*:}"
	wrefused 400 'not given you to sign' "the record edited between statement and sign ($(echo "${edit%%:*}")) is refused" \
		pos/PO-1/ack/sign "$(cat answer.json)"
done
act pat '{"decision":"accept","promise":"2026-12-20","revision":"1"}'
wrefused 400 "PO 'PO-1' has no revision 1" "the record signed as given, posted with another PO revision than it names" \
	pos/PO-1/ack/sign "$(cat answer.json)"
act pat '{"decision":"reject","reason":"no capacity","revision":"0"}'
wrefused 400 'not the one the vault makes' "  posted as a rejection" pos/PO-1/ack/sign "$(cat answer.json)"
act pat "$ACCEPT"
wrefused 400 'not the one the vault makes' "the statement of PO-1 reused for PO-2" \
	pos/PO-2/ack/sign "$(cat answer.json)"
stmt pos/PO-1/ack "$ACCEPT"
cp stmt.json stmt-po1.json
stmt pos/PO-2/ack "$ACCEPT"
cp stmt-po1.json stmt.json
act pat "$ACCEPT"
wrefused 400 'not given you to sign' "  a statement replaced by a later one (PO-2's) is signed no more" \
	pos/PO-1/ack/sign "$(cat answer.json)"
# the buyer changes PO-3 between pat's statement and pat's signature
stmt pos/PO-3/ack "$ACCEPT"
q --key bea.pem po change PO-3 --line 1 --qty 8 --reason "fewer needed" > /dev/null
# (a request the writer refuses, after which its index has caught up with the change)
post 404 pos/PO-Q/ack/statement "$ACCEPT" 2> /dev/null
act pat "$ACCEPT"
wrefused 400 'changed|sign it again' "a statement of PO-3 at revision 0, signed after the buyer changed PO-3" \
	pos/PO-3/ack/sign "$(cat answer.json)"
# zoe's statement for PO-Z, posted by pat, signed by pat's passkey
COOKIE= CSRF=
login zoe "$(next zoe)"
ZOE_COOKIE=$COOKIE ZOE_CSRF=$CSRF
stmt pos/PO-Z/ack "$ACCEPT"
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
act pat "$ACCEPT"
wrefused 400 'not given you to sign' "the record given zoe to sign, signed by pat's passkey and posted by pat" \
	pos/PO-Z/ack/sign "$(cat answer.json)"
act zoe "$ACCEPT"
wrefused 400 'not given you to sign' "  and signed by zoe's passkey, posted in pat's session" \
	pos/PO-Z/ack/sign "$(cat answer.json)"

# the assertion itself
stmt pos/PO-2/ack "$ACCEPT"
act pat "$ACCEPT" 'rest=,"crossOrigin":true}'
wrefused 400 "another site's frame" "an answer signed in another site's frame (crossOrigin) is refused" \
	pos/PO-2/ack/sign "$(cat answer.json)"
act pat "$ACCEPT" type=webauthn.create
wrefused 400 'webauthn.get' "  one of type webauthn.create" pos/PO-2/ack/sign "$(cat answer.json)"
act pat "$ACCEPT" rp=evil.example
wrefused 400 'does not verify' "  one for another relying party" pos/PO-2/ack/sign "$(cat answer.json)"
act pat "$ACCEPT" flags=0x04
wrefused 400 'does not verify' "  one without the user present (UP)" pos/PO-2/ack/sign "$(cat answer.json)"
act pat "$ACCEPT" -n qvault-ack
wrefused 400 'another challenge' "  one signed in another namespace (a revision's acknowledgment)" \
	pos/PO-2/ack/sign "$(cat answer.json)"
act pat "$ACCEPT" counter=1
wrefused 400 'counter went back' "  one whose counter went back" pos/PO-2/ack/sign "$(cat answer.json)"
act pat "$ACCEPT"
python3 -c 'import json; d=json.load(open("answer.json")); s=d["signature"]
d["signature"]=s[:-4]+("AAAA" if s[-4:]!="AAAA" else "BBBB"); json.dump(d, open("answer.json","w"))'
wrefused 400 'verif|signature' "  one whose signature was altered" pos/PO-2/ack/sign "$(cat answer.json)"

# the request
# xpost STATUS PATH JSON HEADER...: posted with the session (its cookie and
# CSRF token) but these headers in place of a page's Origin
xpost() {
	xs=$1 xpath=$2 xjson=$3; shift 3
	api "$xs" POST "$xpath" '' -H "Cookie: __Host-qvault=$COOKIE" -H "X-CSRF-Token: $CSRF" \
		-H 'Content-Type: application/json' "$@" --data "$xjson"
}
# xrefused STATUS PATTERN DESC PATH JSON HEADER...: xpost is refused, the vault unchanged
xrefused() { refused_as xpost "$@"; }
act pat "$ACCEPT"
CSRF= wrefused 403 'CSRF' "an answer without the CSRF token is refused" pos/PO-2/ack/sign "$(cat answer.json)"
CSRF=$ZOE_CSRF wrefused 403 'CSRF' "  one with another session's token" pos/PO-2/ack/sign "$(cat answer.json)"
COOKIE= CSRF= wrefused 401 'session ended' "  one without a session" pos/PO-2/ack/sign "$(cat answer.json)"
xrefused 403 'did not come from a page' "  one from another site (Origin)" pos/PO-2/ack/sign \
	"$(cat answer.json)" -H 'Origin: https://evil.example'
xrefused 403 'did not come from a page' "  one from a sibling port of the portal's host (Origin)" \
	pos/PO-2/ack/sign "$(cat answer.json)" -H 'Origin: http://localhost:8444'
xrefused 403 'did not come from a page' "  one of Sec-Fetch-Site cross-site, Origin null" pos/PO-2/ack/sign \
	"$(cat answer.json)" -H 'Origin: null' -H 'Sec-Fetch-Site: cross-site'
xrefused 403 'did not come from a page' "  one of Sec-Fetch-Site same-site (a sibling subdomain)" \
	pos/PO-2/ack/sign "$(cat answer.json)" -H "Origin: $ORIGIN" -H 'Sec-Fetch-Site: same-site'
xrefused 403 'did not come from a page' "  one with neither Origin nor Sec-Fetch-Site" pos/PO-2/ack/sign \
	"$(cat answer.json)"
xrefused 403 'did not come from a page' "  a statement asked from another site" pos/PO-2/ack/statement \
	"$ACCEPT" -H 'Origin: https://evil.example'
CSRF= wrefused 403 'CSRF' "  or without the CSRF token" pos/PO-2/ack/statement "$ACCEPT"
before=$(api_state)
check "a form (as another site's page posts one) to the sign step is refused, the vault unchanged" \
	evalq 'web 400 POST pos/PO-2/ack/sign -H "Content-Type: application/x-www-form-urlencoded" --data "record=x" &&
	       [ "$before" = "$(api_state)" ]'
wrefused 400 'JSON object' "a JSON array in place of the answer is refused" pos/PO-2/ack/sign '[1]'
wrefused 400 'malformed JSON' "  and a body that is no JSON" pos/PO-2/ack/sign '{"record":'
wrefused 400 "'record' is required" "  an answer whose record is a number" pos/PO-2/ack/sign \
	"$(python3 -c 'import json; d=json.load(open("answer.json")); d["record"]=7; print(json.dumps(d))')"
wrefused 400 'malformed JSON|NUL' "  one whose record holds a NUL" pos/PO-2/ack/sign \
	"$(python3 -c 'import json; d=json.load(open("answer.json")); d["record"]+="\0"; print(json.dumps(d))')"
wrefused 400 'not given you to sign' "  one whose record is 60000 bytes" pos/PO-2/ack/sign \
	"$(python3 -c 'import json; d=json.load(open("answer.json")); d["record"]="x"*60000; print(json.dumps(d))')"
wrefused 413 'over 64 KiB|limit' "  and one over 64 KiB" pos/PO-2/ack/sign \
	"$(python3 -c 'import json; d=json.load(open("answer.json")); d["note"]="x"*70000; print(json.dumps(d))')"
check "  and the writer lives on" post 200 login/options '{"name":"pat"}'

# the fields of the form
wrefused 400 'longer than 4096' "a note of 5000 bytes is refused at the statement" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" note="$(head -c 5000 /dev/zero | tr '\0' n)")"
wrefused 400 'control characters' "  a note with a control character" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" note="$(printf 'a\033[2Jb')")"
wrefused 400 'U\+202E|invisible' "  a note with a right-to-left override" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" note="$(printf 'a\342\200\256b')")"
wrefused 400 'promise date' "  a promise that is no date" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" promise='<script>')"
wrefused 400 'promise date' "  a promise of February 30" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" promise='2027-02-30')"
wrefused 400 'before the order date' "  a promise before the order" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" promise='2001-01-01')"
wrefused 400 'give a promise' "  an acceptance without a promise" pos/PO-2/ack/statement \
	'{"decision":"accept","revision":"0"}'
wrefused 400 'needs a reason' "  a rejection without a reason" pos/PO-2/ack/statement \
	'{"decision":"reject","revision":"0"}'
wrefused 400 'no revision 99' "  a PO revision it does not have" pos/PO-2/ack/statement \
	"$(with "$ACCEPT" revision=99)"
wrefused 404 "no PO '../../users'" "  a PO whose name is a path: one name, no such PO" 'pos/..%2F..%2Fusers/ack/statement' "$ACCEPT"

# what a supplier may not do
wrefused 403 'may not' "pat may not ask for an FAI disposition to sign" \
	"documents/FAIR-1/$FAIR_REV/disposition/statement" '{"decision":"accept"}'
wrefused 403 'may not' "  nor for the close of an NCR" ncrs/NCR-000001/close/statement '{"disposition":"scrap"}'
stmt pos/PO-2/ack "$ACCEPT"
act pat '{"decision":"accept"}' -n qvault-fai-disposition
wrefused 403 'may not' "  the record given pat, signed in the disposition namespace, posted as FAIR-1's disposition" \
	"documents/FAIR-1/$FAIR_REV/disposition/sign" "$(cat answer.json)"
act pat '{"disposition":"use-as-is"}' -n qvault-ncr-close
wrefused 403 'may not' "  and in the close's, posted as NCR-000001's close" \
	ncrs/NCR-000001/close/sign "$(cat answer.json)"
act pat "$ACCEPT" -n qvault-fai-disposition
wrefused 400 'another challenge' "  and signed in the disposition namespace, posted as the PO answer" \
	pos/PO-2/ack/sign "$(cat answer.json)"
frefused 403 'may not open nonconformance' "pat may not open an NCR by the portal's form" ncrs \
	"lot=L-1&reason=dented&csrf=$CSRF"
check "  nor is shown the form" evalq 'web 200 GET ncrs && lacks "Open a nonconformance report"'

# pat's answer recorded, with markup in its note; then replayed
NOTE='<script>alert(1)</script><img src=x onerror=alert(2)>'
ACCEPT_NOTE=$(with "$ACCEPT" note="$NOTE")
stmt pos/PO-2/ack "$ACCEPT_NOTE"
act pat "$ACCEPT_NOTE"
cp answer.json replay.json
check "pat's answer to PO-2 with markup in its note, signed with its passkey, is recorded (201)" \
	post 201 pos/PO-2/ack/sign "$(cat answer.json)"
ACK=$(signed_file '/PO-2/acks/000001-pat.json')
NEW_COOKIE=$(sed -n 's/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip' headers.txt | tr -d '\r')
NEW_CSRF=$(field 'd["csrf"]')
check "  the signed record holds the note as typed" \
	evalq 'git -C v show "main:$ACK" | grep -qF "\"note\": \"<script>alert(1)</script>"'
check "  PO-2's page shows the answer and none of the note's markup" \
	evalq 'COOKIE=$NEW_COOKIE CSRF=$NEW_CSRF web 200 GET pos/PO-2 && grep -q "2026-12-20" body.json &&
	       lacks "<script>alert" && lacks "<img src=x"'
wrefused 401 'session ended' "the same answer again in the session it was signed in is refused" \
	pos/PO-2/ack/sign "$(cat replay.json)"
COOKIE=$NEW_COOKIE CSRF=$NEW_CSRF
wrefused 400 'signed already' "  and in the session that replaced it" pos/PO-2/ack/sign "$(cat replay.json)"
stmt pos/PO-2/ack "$ACCEPT_NOTE"
python3 -c 'import json; d=json.load(open("replay.json")); d["record"]=json.load(open("stmt.json"))["record"]
json.dump(d, open("answer.json", "w"))'
wrefused 400 'another challenge' "  and its assertion with PO-2's next record, given pat since" \
	pos/PO-2/ack/sign "$(cat answer.json)"
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF

# ==== the buying side: bix, whose acts a supplier may not make ====================
COOKIE= CSRF=
login bix "$(next bix)"
D1="documents/FAIR-1/$FAIR_REV/disposition"
D2="documents/FAIR-2/$FAIR_REV/disposition"
ACC='{"decision":"accept","note":"<script>alert(3)</script>"}'
wrefused 404 'no FAI report' "a disposition of a drawing (no FAI report) is refused" \
	documents/DWG-1/C/disposition/statement "$ACC"
wrefused 400 "'decision' is accept or reject" "  one whose decision is neither" "$D1/statement" \
	'{"decision":"maybe"}'
wrefused 400 'reason' "  a rejection without its reason" "$D1/statement" '{"decision":"reject"}'
wrefused 400 'longer than' "  a reason of 5000 bytes" "$D1/statement" \
	"{\"decision\":\"reject\",\"reason\":\"$(head -c 5000 /dev/zero | tr '\0' r)\"}"
stmt "$D1" "$ACC"
act bix "$ACC" -e 'r = r.replace("accepted", "rejected")'
wrefused 400 'not given you to sign' "the disposition edited to a rejection after its statement is refused" \
	"$D1/sign" "$(cat answer.json)"
act bix "$ACC" -e 'r = r.replace("\"bix\"", "\"bea\"")'
wrefused 400 'not given you to sign' "  one edited to name bea" "$D1/sign" "$(cat answer.json)"
act bix "$ACC" -e 'r = r.replace(d["decided_at"], at(-4))'
wrefused 400 'not given you to sign' "  one dated 4 minutes back" "$D1/sign" "$(cat answer.json)"
act bix "$ACC"
wrefused 400 'not the one the vault makes' "  FAIR-1's statement posted as FAIR-2's disposition" \
	"$D2/sign" "$(cat answer.json)"
act bix '{"decision":"reject","reason":"out of tolerance"}'
wrefused 400 'not the one the vault makes' "  posted with a rejection's fields" "$D1/sign" "$(cat answer.json)"
act bix "$ACC"
check "bix accepts FAIR-1 with markup in the note, signed with its passkey (201)" \
	post 201 "$D1/sign" "$(cat answer.json)"
cp answer.json replay.json
COOKIE=$(sed -n 's/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip' headers.txt | tr -d '\r')
CSRF=$(field 'd["csrf"]')
check "  FAIR-1's page shows no markup of the note" \
	evalq 'web 200 GET documents/FAIR-1/$FAIR_REV && lacks "<script>alert(3)"'
wrefused 409 'accepted already' "a second disposition of FAIR-1 is refused at its statement" \
	"$D1/statement" "$ACC"
wrefused 400 'signed already' "  and the first one's answer replayed" "$D1/sign" "$(cat replay.json)"

CLOSE='{"disposition":"scrap","note":"<img src=x onerror=alert(4)>"}'
wrefused 400 'unknown disposition' "an NCR closed with a disposition that is markup is refused" \
	ncrs/NCR-000001/close/statement '{"disposition":"<script>"}'
wrefused 400 'longer than 4096' "  one with a note of 5000 bytes" ncrs/NCR-000001/close/statement \
	"$(with "$CLOSE" note="$(head -c 5000 /dev/zero | tr '\0' n)")"
wrefused 404 "no nonconformance report 'NCR-999999'" "  an NCR that does not exist" \
	ncrs/NCR-999999/close/statement "$CLOSE"
stmt ncrs/NCR-000001/close "$CLOSE"
act bix "$CLOSE" -e 'r = r.replace("scrap", "use-as-is")'
wrefused 400 'not given you to sign' "the close edited to use-as-is after its statement is refused" \
	ncrs/NCR-000001/close/sign "$(cat answer.json)"
act bix "$CLOSE"
wrefused 400 'not the one the vault makes' "  NCR-000001's close posted as NCR-000002's" \
	ncrs/NCR-000002/close/sign "$(cat answer.json)"
act bix "$CLOSE"
check "bix closes NCR-000001 with markup in the note, signed with its passkey (201)" \
	post 201 ncrs/NCR-000001/close/sign "$(cat answer.json)"
COOKIE=$(sed -n 's/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip' headers.txt | tr -d '\r')
CSRF=$(field 'd["csrf"]')
check "  NCR-000001's page shows no markup of the note" \
	evalq 'web 200 GET ncrs/NCR-000001 && grep -q scrap body.json && lacks "<img src=x"'
wrefused 409 'closed already' "a second close of NCR-000001 is refused" ncrs/NCR-000001/close/statement "$CLOSE"

# ==== POST /ncrs, the portal's form =================================================
F="lot=L-1&disposition=rework&csrf=$CSRF"
frefused 404 "no lot" "an NCR on a lot that does not exist is refused" ncrs "reason=bent&lot=L-9&csrf=$CSRF"
frefused 400 'needs a reason' "  one without a reason" ncrs "$F"
frefused 400 'longer than 4096' "  one whose reason is 5000 bytes" ncrs "$F&reason=$(head -c 5000 /dev/zero | tr '\0' r)"
frefused 400 'control characters' "  one whose reason holds a control character" ncrs "$F&reason=a%1Bb"
frefused 400 'unknown disposition' "  one proposing a disposition that is markup" ncrs \
	"lot=L-1&reason=bent&disposition=%3Cscript%3E&csrf=$CSRF"
frefused 404 "lot" "  one whose lot is a path: one name, no such lot" ncrs "lot=..%2F..%2Fusers&reason=bent&csrf=$CSRF"
CSRF_=$CSRF
CSRF= frefused 403 'CSRF' "  one without the CSRF token" ncrs "lot=L-1&reason=bent"
CSRF= frefused 403 'CSRF' "  one with a wrong CSRF token" ncrs "lot=L-1&reason=bent&csrf=$ZOE_CSRF"
CSRF=$CSRF_
before=$(api_state)
check "  one posted from another site is refused, the vault unchanged" \
	evalq 'api 403 POST ncrs "" -H "Origin: https://evil.example" -H "Cookie: __Host-qvault=$COOKIE" \
	       -H "Content-Type: application/x-www-form-urlencoded" --data "lot=L-1&reason=bent&csrf=$CSRF" &&
	       [ "$before" = "$(api_state)" ]'
head -c 70000 /dev/zero | tr '\0' r | sed "s/^/lot=L-1\&csrf=$CSRF\&reason=/" > big.form
check "  and a form over 64 KiB" \
	evalq 'web 413 POST ncrs -H "Content-Type: application/x-www-form-urlencoded" --data-binary @big.form &&
	       [ "$before" = "$(api_state)" ]'
check "bix opens an NCR whose reason is markup (303 to its page)" \
	evalq 'web 303 POST ncrs -H "Content-Type: application/x-www-form-urlencoded" \
	       --data "lot=L-1&reason=%3Cscript%3Ealert(5)%3C%2Fscript%3E&csrf=$CSRF" &&
	       grep -qi "^Location: /ncrs/NCR-000003" headers.txt'
check "  its page and the list show the reason escaped" \
	evalq 'web 200 GET ncrs/NCR-000003 && grep -q "&lt;script&gt;alert(5)" body.json && lacks "<script>alert" &&
	       web 200 GET ncrs && grep -q "&lt;script&gt;alert(5)" body.json && lacks "<script>alert"'
check "qvault verify accepts the vault after all of it" sh -c "q verify > verify.out && grep -q '0 findings' verify.out"
kill "$SERVE" 2> /dev/null; wait "$SERVE" 2> /dev/null

# paths and records of the vault as the portal left it
path_of() { git -C v ls-tree -r --name-only main | grep "$1\$"; }
PAT_ACK=$(path_of '/PO-2/acks/000001-pat.json')
PO1=$(dirname "$(path_of /PO-1/po.json)")
PO2=$(dirname "$(path_of /PO-2/po.json)")
DISP1=$(path_of "/FAIR-1/$FAIR_REV/disposition.json")
DISP2=$(dirname "$(path_of "/FAIR-2/$FAIR_REV/record.json")")/disposition.json
CLOSE1=$(path_of /NCR-000001/close.json)
CLOSE2=$(dirname "$(path_of /NCR-000002/ncr.json)")/close.json
VID=$(git -C v show main:vault.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# fa VAULT KEY NAME ORG TIME MESSAGE SPEC...: a commit as qvault writes one,
# by NAME of ORG at TIME, signed by the ssh-keygen key $TMP/KEY (the server's
# for another user than itself: then on NAME's behalf)
fa() {
	fv=$1 fk=$2 fname=$3 fo=$4 ft=$5 fm=$6
	shift 6
	[ "$fk" = srv ] && fm="$fm
Qvault-On-Behalf-Of: $fname"
	GIT_AUTHOR_DATE="$ft +0000" GIT_COMMITTER_DATE="$ft +0000" \
	GIT_AUTHOR_NAME=$fname GIT_AUTHOR_EMAIL=$fname@$fo GIT_COMMITTER_NAME=$fname GIT_COMMITTER_EMAIL=$fname@$fo \
		forge_commit "$fv" "$fk" "$fm" "$@"
}
# rec FILE PYTHON: a record (d, a dict) as qvault spells it, made by PYTHON
rec() { python3 -c 'import json,sys; d={}; exec(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(d, indent=2, sort_keys=True) + "\n")' "$1" "$2"; }
# sig KEY NAMESPACE FILE: FILE.sig, by the ssh-keygen key KEY
sig() { rm -f "$3.sig"; ssh-keygen -q -Y sign -f "$1" -n "$2" "$3" > /dev/null 2>&1; }
fp() { ssh-keygen -lf "$1.pub" | cut -d' ' -f2; }
# verdict VAULT PATTERN: verify refuses VAULT (exit 3) with a finding, one
# line, that matches PATTERN
verdict() {
	q -C "$1" verify > "$TMP/v.out" 2>&1
	rc=$?
	[ $rc = 3 ] && grep -Eq -- "$2" "$TMP/v.out" || { head -5 "$TMP/v.out" >&2; return 1; }
}
# unopened VAULT PATTERN: verify refuses VAULT, a finding or (a record the
# index holds already, its key twice) an error, on a line matching PATTERN
unopened() {
	q -C "$1" verify > "$TMP/v.out" 2>&1
	rc=$?
	[ $rc != 0 ] && grep -Eq -- "$2" "$TMP/v.out" || { head -5 "$TMP/v.out" >&2; return 1; }
}
fresh() { rm -rf "$1"; cp -a f "$1"; }

# ==== (b) an outsider who reads a replica (a bare clone) ===========================
# each forgery, written with stock git in a bare clone and signed by the
# outsider's own key (out), is offered to a replica (p, a copy of v) by
# pull, and to a hub by push
ssh-keygen -q -t ed25519 -N '' -C out -f out
T=$(($(git -C v log -1 --format=%ct main) + 60))
git init -q --bare hub.git
cp "$TESTS_DIR/../../hooks/pre-receive" hub.git/hooks/
export QVAULT_BIN="$QVAULT"
git -C v push -q "$TMP/hub.git" main 2> /dev/null
HUB=$(git -C hub.git rev-parse main)
cp -a v p
# offered DESC: the bare clone out.git pulled into p is refused for its
# commit's signature; then, pushed with stock git into r, a replica that has
# no pre-receive hook, verify refuses it
offered() {
	V=p
	fails 3 "${2:-does not verify: the commit is signed by an unregistered key SHA256:}" "$1: a replica's pull refuses it" \
		q -C p pull "file://$TMP/out.git"
	V=v
	rm -rf r; cp -a v r; git -C out.git push -q "$TMP/r" main 2> /dev/null
}
git -C v show "main:$PAT_ACK" > pat-ack.json
git -C v show "main:$PAT_ACK.sig" > pat-ack.json.sig
# b1: pat's signed answer to PO-2, record and signature, copied into PO-1's folder
rm -rf out.git; git clone -q --bare v out.git
fa out.git out pat acme "$T" "po ack PO-1: promise 2026-12-20

Qvault-Op: po-ack
Qvault-PO: PO-1" "$PO1/acks/000001-pat.json=pat-ack.json" "$PO1/acks/000001-pat.json.sig=pat-ack.json.sig"
offered "an outsider's copy of pat's signed answer into PO-1's folder" \
	"(is not a vault's|does not verify): (commit [0-9a-f]{12}: $PO1/acks/000001-pat.json: acknowledgment 1 of PO 'PO-2' by 'pat' is recorded already|the commit is signed by an unregistered key)"
check "  pushed into a replica, verify refuses it: the record names PO-2" \
	unopened r "$PO1/acks/000001-pat.json: (the record of PO 'PO-2' number 1 is stored as|acknowledgment 1 of PO 'PO-2' by 'pat' is recorded already)"
check "  a push of it with stock git to a hub with the pre-receive sample is refused" \
	sh -c "! git -C out.git push '$TMP/hub.git' main 2> push.err && grep -q 'qvault: refused' push.err"
check "  and the hub is as it was" test "$(git -C hub.git rev-parse main)" = "$HUB"
# b2: pat's answer edited in place (a later promise), its signature kept
rm -rf out.git; git clone -q --bare v out.git
sed 's/2026-12-20/2027-06-30/' pat-ack.json > edited.json
fa out.git out pat acme "$T" "po ack PO-2" "$PAT_ACK=edited.json"
offered "an outsider's edit of pat's signed answer, its signature kept"
check "  pushed into a replica, verify refuses it: the record is rewritten" verdict r "$PAT_ACK: rewrites a record"
# b3: bix's signature of FAIR-1's disposition, beside a disposition of FAIR-2 naming bix
rm -rf out.git; git clone -q --bare v out.git
git -C v show "main:$DISP1" | sed "s/FAIR-1/FAIR-2/; s/\"decided_at\": \"[^\"]*\"/\"decided_at\": \"$(iso $T)\"/" > d2.json
git -C v show "main:$DISP1.sig" > d2.json.sig
fa out.git out bix owner "$T" "fai accept FAIR-2@$FAIR_REV

Qvault-Op: fai-disposition" "$DISP2=d2.json" "$DISP2.sig=d2.json.sig"
offered "bix's disposition signature copied beside a FAIR-2 disposition naming bix"
check "  pushed into a replica, verify refuses it: the signature is not of that record" \
	verdict r "$DISP2.sig: .*does not verify"
# b4: pat's answer signature alone, beside a new answer of pat's to PO-1
rm -rf out.git; git clone -q --bare v out.git
sed "s/PO-2/PO-1/; s/\"signed_at\": \"[^\"]*\"/\"signed_at\": \"$(iso $T)\"/" pat-ack.json > a1.json
fa out.git out pat acme "$T" "po ack PO-1: promise 2026-12-20

Qvault-Op: po-ack
Qvault-PO: PO-1" "$PO1/acks/000001-pat.json=a1.json" "$PO1/acks/000001-pat.json.sig=pat-ack.json.sig"
offered "pat's answer signature copied beside an answer of pat's to PO-1"
check "  pushed into a replica, verify refuses it: the signature is not of that record" \
	verdict r "$PO1/acks/000001-pat.json.sig: .*does not verify"

# ==== (c) a peer site forging with stock git and ssh-keygen =====================
# sid, sid2 and rex of acme and qa2 of the buyer's side, whose keys ssh-keygen made;
# rex revoked; the server's key (a compromised server) in OpenSSH's format
for k in sid sid2 rex qa2; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add sid2 --org acme --role supplier --pubkey sid2.pub > /dev/null
q --key "$TMP/admin.pem" user add rex --org acme --role supplier --pubkey rex.pub > /dev/null
q --key "$TMP/admin.pem" user add qa2 --org owner --role quality --pubkey qa2.pub > /dev/null
q --key "$TMP/admin.pem" user revoke rex > /dev/null
python3 -c '
from cryptography.hazmat.primitives import serialization as s
k = s.load_pem_private_key(open("v/qvault/server.pem", "rb").read(), None)
open("srv", "wb").write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()))
open("srv.pub", "wb").write(k.public_key().public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH) + b"\n")'
chmod 600 srv
cp -a v f
T=$(($(git -C f log -1 --format=%ct main) + 60))
# ack FILE NAME KEY [PYTHON]: NAME's answer number 1 to PO-1, naming KEY's fingerprint, at T
ack() {
	rec "$1" "d = {\"record\": \"po-ack\", \"format\": 1, \"po\": \"PO-1\", \"seq\": 1, \"revision\": 0,
\"decision\": \"accepted\", \"org\": \"acme\", \"signed_by\": \"$2\", \"fingerprint\": \"$(fp "$3")\",
\"signed_at\": \"$(iso $T)\", \"promise\": \"2026-12-24\", \"vault\": \"$VID\"}; ${4:-}"
}
MSG="po ack PO-1: promise 2026-12-24

Qvault-Op: po-ack
Qvault-PO: PO-1"
ACKS=$PO1/acks
# fa_ack VAULT KEY NAME WHOSE: a.json and a.json.sig committed as WHOSE's
# answer number 1 to PO-1 (000001-WHOSE.json), by KEY for NAME of acme at T
fa_ack() {
	fa "$1" "$2" "$3" acme "$T" "$MSG" "$ACKS/000001-$4.json=a.json" "$ACKS/000001-$4.json.sig=a.json.sig"
}
fresh c0; ack a.json sid sid; sig sid qvault-po-ack a.json
fa_ack c0 sid sid sid
check "control: sid's answer with sid's own signature beside it passes verify" q -C c0 verify
fresh c1; sig out qvault-po-ack a.json
fa_ack c1 sid sid sid
check "sid's answer signed beside it by a key no user has is refused" \
	verdict c1 "000001-sid.json.sig: the record is signed by an unregistered key SHA256:"
fresh c2; sig rex qvault-po-ack a.json
fa_ack c2 sid sid sid
check "  signed by the key of rex, revoked" verdict c2 "000001-sid.json.sig: the record is signed by revoked user 'rex'"
fresh c3; ack a.json rex rex; sig rex qvault-po-ack a.json
fa_ack c3 srv rex rex
check "  rex's own answer and signature, recorded by the server for revoked rex" \
	verdict c3 "000001-rex.json.sig: the record is signed by revoked user 'rex'"
ack a.json sid sid
for ns in git qvault-ack qvault-fai-disposition qvault-ncr-close; do
	fresh c4; sig sid $ns a.json
	fa_ack c4 sid sid sid
	check "  signed by sid in namespace $ns" verdict c4 "000001-sid.json.sig: .*namespace"
done
fresh c5; sig sid2 qvault-po-ack a.json
fa_ack c5 sid sid sid
check "  signed by sid2, another user than it names" \
	verdict c5 "000001-sid.json.sig: the record names 'sid' but 'sid2' signed it"
fresh c6; sig sid qvault-po-ack a.json
fa_ack c6 sid2 sid2 sid
check "sid's own signed answer committed by sid2 is refused" \
	verdict c6 "000001-sid.json.sig: the act signed by 'sid' is recorded by 'sid2'"
fresh c7; ack a.json pat sid; sig sid qvault-po-ack a.json
fa_ack c7 srv pat pat
check "an answer naming pat, recorded by the server for pat, signed by sid's key is refused" \
	verdict c7 "000001-pat.json.sig: the record names 'pat' but 'sid' signed it"
fresh c8; ack a.json sid sid; printf 'not a signature\n' > a.json.sig
fa_ack c8 sid sid sid
check "  one whose signature is no SSHSIG" verdict c8 "000001-sid.json.sig: the signature is malformed"
fresh c9; sig sid qvault-po-ack a.json; sed -i 's/2026-12-24/2026-12-31/' a.json
fa_ack c9 sid sid sid
check "  one whose record was edited after sid signed it" verdict c9 "000001-sid.json.sig: .*(does not verify|verif)"
fresh c12; ack a.json sid sid 'del d["vault"]'; sig sid qvault-po-ack a.json
fa_ack c12 sid sid sid
check "  one that names no vault" verdict c12 "000001-sid.json.sig: the act is for vault '', not this one"
WID=$(git -C w show main:vault.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
fresh c13; ack a.json sid sid "d['vault'] = '$WID'"; sig sid qvault-po-ack a.json
fa_ack c13 sid sid sid
check "  one that names another vault (w)" verdict c13 "000001-sid.json.sig: the act is for vault '$WID', not this one"
# the compromised server moves pat's signed answer to PO-2 elsewhere, on pat's behalf
fresh c10
fa c10 srv pat acme "$T" "$MSG" "$ACKS/000001-pat.json=pat-ack.json" "$ACKS/000001-pat.json.sig=pat-ack.json.sig"
check "pat's signed answer to PO-2 moved into PO-1's folder by the server, for pat, is refused" \
	unopened c10 "$ACKS/000001-pat.json: (the record of PO 'PO-2' number 1 is stored as|acknowledgment 1 of PO 'PO-2' by 'pat' is recorded already)"
fresh c11
fa c11 srv pat acme "$T" "po ack PO-2

Qvault-Op: po-ack
Qvault-PO: PO-2" "$PO2/acks/000002-pat.json=pat-ack.json" "$PO2/acks/000002-pat.json.sig=pat-ack.json.sig"
check "  and replayed as PO-2's answer number 2" \
	unopened c11 "$PO2/acks/000002-pat.json: (the record of PO 'PO-2' number 1 is stored as|acknowledgment 1 of PO 'PO-2' by 'pat' is recorded already)"

# dispositions and closes
DMSG="fai accept FAIR-2@$FAIR_REV

Qvault-Op: fai-disposition"
disp() {
	rec "$1" "d = {\"record\": \"fai-disposition\", \"format\": 1, \"doc\": \"FAIR-2\", \"rev\": \"$FAIR_REV\",
\"decision\": \"accepted\", \"decided_by\": \"$2\", \"org\": \"$3\", \"decided_at\": \"$(iso $T)\",
\"vault\": \"$VID\"}"
}
fresh d0; disp d.json qa2 owner; sig qa2 qvault-fai-disposition d.json
fa d0 qa2 qa2 owner "$T" "$DMSG" "$DISP2=d.json" "$DISP2.sig=d.json.sig"
check "control: qa2's disposition of FAIR-2 with qa2's own signature passes verify" q -C d0 verify
fresh d1; disp d.json bix owner; sig qa2 qvault-fai-disposition d.json
fa d1 srv bix owner "$T" "$DMSG" "$DISP2=d.json" "$DISP2.sig=d.json.sig"
check "a disposition naming bix, recorded by the server for bix, signed by qa2's key is refused" \
	verdict d1 "disposition.json.sig: the record names 'bix' but 'qa2' signed it"
fresh d2; disp d.json qa2 owner; sig qa2 qvault-po-ack d.json
fa d2 qa2 qa2 owner "$T" "$DMSG" "$DISP2=d.json" "$DISP2.sig=d.json.sig"
check "  qa2's disposition signed in a PO answer's namespace" verdict d2 "disposition.json.sig: .*namespace"
fresh d3; disp d.json sid acme; sig sid qvault-fai-disposition d.json
fa d3 sid sid acme "$T" "$DMSG" "$DISP2=d.json" "$DISP2.sig=d.json.sig"
check "  a supplier's disposition with its own signature" verdict d3 "'sid'.*(may not|needs role).*disposition"
fresh d4; disp d.json qa2 owner; sig out qvault-fai-disposition d.json
fa d4 qa2 qa2 owner "$T" "$DMSG" "$DISP2=d.json" "$DISP2.sig=d.json.sig"
check "  qa2's disposition signed by a key no user has" verdict d4 "disposition.json.sig: the record is signed by an unregistered key"
fresh d5; disp d.json qa2 owner
fa d5 qa2 qa2 owner "$T" "$DMSG" "$DISP2=d.json"
T2=$((T + 60)); sig qa2 qvault-fai-disposition d.json
fa d5 qa2 qa2 owner "$T2" "sig" "$DISP2.sig=d.json.sig"
check "  its signature added by a later commit" verdict d5 "disposition.json.sig: adds a signature without its record"
CMSG="ncr close NCR-000002: scrap

Qvault-Op: ncr-close
Qvault-NCR: NCR-000002"
closed() { rec "$1" "d = {\"record\": \"ncr-close\", \"format\": 1, \"ncr\": \"NCR-000002\", \"disposition\": \"scrap\",
\"closed_by\": \"$2\", \"closed_at\": \"$(iso $T)\", \"vault\": \"$VID\"}"; }
fresh e0; closed c.json qa2; sig qa2 qvault-ncr-close c.json
fa e0 qa2 qa2 owner "$T" "$CMSG" "$CLOSE2=c.json" "$CLOSE2.sig=c.json.sig"
check "control: qa2's close of NCR-000002 with qa2's own signature passes verify" q -C e0 verify
fresh e1; closed c.json bix; sig qa2 qvault-ncr-close c.json
fa e1 srv bix owner "$T" "$CMSG" "$CLOSE2=c.json" "$CLOSE2.sig=c.json.sig"
check "a close naming bix, recorded by the server for bix, signed by qa2's key is refused" \
	verdict e1 "close.json.sig: the record names 'bix' but 'qa2' signed it"
fresh e2; closed c.json qa2; sig qa2 qvault-fai-disposition c.json
fa e2 qa2 qa2 owner "$T" "$CMSG" "$CLOSE2=c.json" "$CLOSE2.sig=c.json.sig"
check "  qa2's close signed in a disposition's namespace" verdict e2 "close.json.sig: .*namespace"
fresh e3; git -C v show "main:$CLOSE1" | sed "s/NCR-000001/NCR-000002/; s/\"closed_at\": \"[^\"]*\"/\"closed_at\": \"$(iso $T)\"/" > c.json
git -C v show "main:$CLOSE1.sig" > c.json.sig
fa e3 srv bix owner "$T" "$CMSG" "$CLOSE2=c.json" "$CLOSE2.sig=c.json.sig"
check "  bix's signature of NCR-000001's close beside a close of NCR-000002, by the server for bix" \
	verdict e3 "close.json.sig: .*(does not verify|verif)"
# the server of w (compromised) records in w, on pat's behalf, pat's signed answer to v's PO-2
python3 -c '
from cryptography.hazmat.primitives import serialization as s
k = s.load_pem_private_key(open("w/qvault/server.pem", "rb").read(), None)
open("wsrv", "wb").write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()))'
chmod 600 wsrv
TS=$(python3 -c 'import calendar,json,time; print(calendar.timegm(time.strptime(json.load(open("pat-ack.json"))["signed_at"], "%Y-%m-%dT%H:%M:%SZ")))')
fa w wsrv pat acme "$TS" "po ack PO-2: promise 2026-12-20

Qvault-Op: po-ack
Qvault-PO: PO-2
Qvault-On-Behalf-Of: pat" "$PAT_ACK=pat-ack.json" "$PAT_ACK.sig=pat-ack.json.sig"
check "pat's signed answer to PO-2 of vault v, recorded in vault w by w's server for pat, is refused" \
	verdict w "$PAT_ACK.sig: the act is for vault '$VID', not this one"
pulls_refused f "does not verify" c1 c2 c5 c7 d1 e3
V=v
done_testing
