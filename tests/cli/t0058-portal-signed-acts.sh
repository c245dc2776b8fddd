#!/bin/sh
# Acts signed with the passkey in the portal (issue 19): a supplier's
# answer to a PO, a buyer's FAI disposition and the close of an NCR are
# each the person's own SSHSIG over the record, stored beside it, which
# stock ssh-keygen checks with the record and the signer's key alone.
# Then the attacks: a web attacker with curl and a scripted passkey
# (tests/webauthn.py), a hostile supplier with a session, and a peer site
# forging signatures with stock git and ssh-keygen.  Each refusal is
# checked by its status (or exit code), its one-line message and the
# vault left byte for byte as it was.
. "$(dirname "$0")/lib.sh"

need_webauthn

vault_v sam:acme
add_buyer bea
make_pdf a.pdf A
q --key bea.pem release DWG-1 --rev C a.pdf --to acme > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:5:DWG-1@C > /dev/null
fai_pkg FAIR-1 6.02
q --key sam.pem fai add fai.zip > /dev/null
fai_pkg FAIR-2 6.5 "NC-1: oversize"
q --key sam.pem fai add fai.zip > /dev/null
q --key sam.pem lot add L-1 --part PN-1 --qty 5 --po PO-1 > /dev/null
q --key bea.pem ncr add --lot L-1 --reason "one part dented" > /dev/null
NCR=$(q ncr list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ncr"])')
# pat (acme) and bix (the buyer's side) enroll passkeys
portal_users pat:acme:supplier bix:owner:buyer
ok "pat and bix enroll passkeys" evalq 'q user list --json | grep -q "\"bix\""'

# act_answer KEY FIELDS [OPT...]: KEY's answer (webauthn.py get OPT...) to the
# record in stmt.json, with the form's FIELDS (JSON) as the page sends them
act_answer() {
	ak=$1 af=$2; shift 2
	$WA get "$ak" "$(python3 -c 'import json; print(json.load(open("stmt.json"))["challenge"])')" "$@" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(json.loads(sys.argv[1]))
d["record"] = json.load(open("stmt.json"))["record"]; print(json.dumps(d))' "$af" > answer.json
}
# signed_file PATH-PATTERN: the one file of the branch whose path ends so
signed_file() { git -C v ls-tree -r --name-only main | grep "$1\$"; }
# ssh_verify NAME@ORG NAMESPACE PATH: stock ssh-keygen checks PATH.sig over PATH
ssh_verify() {
	q keys allowed-signers > signers &&
	git -C v show "main:$3" > rec.json && git -C v show "main:$3.sig" > rec.sig &&
	ssh-keygen -Y verify -f signers -I "$1" -n "$2" -s rec.sig < rec.json
}

# ==== a supplier answers its PO with the passkey =================================
login pat 1
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF
ACCEPT='{"decision":"accept","promise":"2026-12-20","revision":"0","note":"<b>on time</b>"}'
before=$(api_state)
check "pat asks for the record its answer to PO-1 would write: the vault makes it, naming pat" \
	evalq 'post 200 pos/PO-1/ack/statement "$ACCEPT" &&
	       is "json.loads(d[\"record\"])[\"signed_by\"]" pat &&
	       is "json.loads(d[\"record\"])[\"promise\"]" 2026-12-20 &&
	       is "json.loads(d[\"record\"])[\"record\"]" po-ack && [ -n "$(challenge)" ]'
check "  and writes nothing" evalq '[ "$before" = "$(api_state)" ]'
cp body.json stmt.json
act_answer pat "$ACCEPT" counter=2 origin=https://evil.example
wrefused 400 'another site than' "an answer signed on another site is refused" pos/PO-1/ack/sign "$(cat answer.json)"
act_answer pat "$ACCEPT" counter=2 flags=0x01
wrefused 400 'did not verify its user' "  one whose passkey did not verify its user" \
	pos/PO-1/ack/sign "$(cat answer.json)"
act_answer bix "$ACCEPT" counter=2
wrefused 400 'does not verify' "  one signed by another user's passkey" pos/PO-1/ack/sign "$(cat answer.json)"
act_answer pat '{"decision":"accept","promise":"2026-12-31","revision":"0","note":"<b>on time</b>"}' counter=2
wrefused 400 'not the one the vault makes' "  the record signed, posted with another promise than it names" \
	pos/PO-1/ack/sign "$(cat answer.json)"
# (each answer the passkey makes counts up: the vault refuses one that does not)
# the record pat edits to name sam as its signer, signed by pat's passkey over exactly that text
python3 -c 'import json; r=json.load(open("stmt.json"))["record"].replace("\"pat\"", "\"sam\"")
open("edited.json", "w").write(r)'
check "  (the edited record names sam)" grep -q '"signed_by": "sam"' edited.json
$WA get pat "$($WA challenge qvault-po-ack edited.json)" counter=3 | python3 -c 'import json,sys
d=json.load(sys.stdin); d.update(json.loads(sys.argv[1])); d["record"]=open("edited.json").read()
print(json.dumps(d))' "$ACCEPT" > answer.json
wrefused 400 'not given you to sign' "  a record pat edited to name sam, signed by pat's passkey" \
	pos/PO-1/ack/sign "$(cat answer.json)"
act_answer pat "$ACCEPT" counter=4
wrefused 404 "no PO 'PO-9'|PO-9" "  the answer posted to another PO" pos/PO-9/ack/sign "$(cat answer.json)"
CSRF=wrong-token
wrefused 403 'did not come from a page' "  one without the session's CSRF token" pos/PO-1/ack/sign "$(cat answer.json)"
CSRF=$PAT_CSRF
# the record pat dates 9 minutes ahead, signed by pat's passkey over exactly that text
python3 -c 'import datetime,json; r=json.load(open("stmt.json"))["record"]; d=json.loads(r)
t=datetime.datetime.strptime(d["signed_at"], "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(minutes=9)
open("ahead.json", "w").write(r.replace(d["signed_at"], t.strftime("%Y-%m-%dT%H:%M:%SZ")))'
$WA get pat "$($WA challenge qvault-po-ack ahead.json)" counter=5 | python3 -c 'import json,sys
d=json.load(sys.stdin); d.update(json.loads(sys.argv[1])); d["record"]=open("ahead.json").read()
print(json.dumps(d))' "$ACCEPT" > answer.json
wrefused 400 'not given you to sign' "  a record pat dated 9 minutes ahead, signed by pat's passkey" \
	pos/PO-1/ack/sign "$(cat answer.json)"
wrefused 401 'invalid token' "  the API takes no session: an unsigned answer with pat's is refused" \
	api/v1/pos/PO-1/acks '{"acks":[{"promise":"2026-12-20"}]}'
act_answer pat "$ACCEPT" counter=6
check "pat's answer signed with its passkey is recorded (201)" post 201 pos/PO-1/ack/sign "$(cat answer.json)"
cp answer.json replay.json
ACK=$(signed_file '/PO-1/acks/000001-pat.json')
check "  the answer and its signature are in the vault, side by side" \
	evalq '[ -n "$ACK" ] && git -C v cat-file -e "main:$ACK.sig"'
check "  Debian's ssh-keygen -Y verify accepts it with the record and pat's key alone" \
	ssh_verify pat@acme qvault-po-ack "$ACK"
check "  a webauthn-sk-ecdsa signature, made by the passkey" \
	sh -c "sed '1d;\$d' rec.sig | base64 -d | grep -aq webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
check "  ssh-keygen refuses it in another namespace" \
	sh -c "! ssh-keygen -Y verify -f signers -I pat@acme -n qvault-ack -s rec.sig < rec.json 2> /dev/null"
check "  the PO's page shows the answer, the note escaped" \
	evalq 'COOKIE=$(sed -n "s/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip" headers.txt | tr -d "\r") &&
	       CSRF=$(field "d[\"csrf\"]") && web 200 GET pos/PO-1 && grep -q "2026-12-20" body.json &&
	       lacks "<b>on time"'
NEW_COOKIE=$COOKIE NEW_CSRF=$CSRF
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
sleep 11
wrefused 401 'session ended' "the signature's session is replaced: a replay in it is refused" \
	pos/PO-1/ack/sign "$(cat replay.json)"
COOKIE=$NEW_COOKIE CSRF=$NEW_CSRF
wrefused 400 'signed already' "  and a replay in the new session" \
	pos/PO-1/ack/sign "$(cat replay.json)"
wrefused 403 'may not|buyer|quality' "a supplier may not ask for an FAI disposition to sign" \
	documents/FAIR-1/1/disposition/statement '{"decision":"accept"}'
wrefused 403 'may not|quality|buyer' "  nor for the close of an NCR" "ncrs/$NCR/close/statement" \
	'{"disposition":"scrap"}'

check "the FAI report's page shows each characteristic checked against its requirement" \
	evalq 'COOKIE=$NEW_COOKIE CSRF=$NEW_CSRF; web 200 GET documents/FAIR-1/A && grep -q "Form 3" body.json &&
	       grep -q "<td>6.02</td><td>yes</td>" body.json'
check "  a result out of its requirement is marked on its row, with its nonconformance" \
	evalq 'web 200 GET documents/FAIR-2/A &&
	       grep -q "<tr id=\"c1\" class=\"bad\"><td>1</td><td>A1</td><td>6.0 ±0.1</td><td>6.5</td><td><strong>no: out of its requirement</strong></td><td>NC-1: oversize</td>" body.json'
# ==== the buyer's side: an FAI disposition and an NCR's close ====================
login bix 1
FAIR_REV=$(q list --json | python3 -c 'import json,sys; print([r["rev"] for r in json.load(sys.stdin) if r["doc"]=="FAIR-1"][0])' 2> /dev/null || echo 1)
REJECT='{"decision":"reject","reason":"dimension 1 out of tolerance"}'
post 200 "documents/FAIR-1/$FAIR_REV/disposition/statement" "$REJECT" > /dev/null
cp body.json stmt.json
act_answer bix "$REJECT" counter=2
check "bix rejects FAIR-1 with a reason, signed with its passkey" \
	post 201 "documents/FAIR-1/$FAIR_REV/disposition/sign" "$(cat answer.json)"
DISP=$(signed_file "/FAIR-1/$FAIR_REV/disposition.json")
check "  FAIR-1's log lists the disposition by bix" sh -c "q log FAIR-1 | grep -q 'bix .*fai reject FAIR-1@'"
check "  ssh-keygen -Y verify accepts the disposition with bix's key alone" \
	ssh_verify bix@owner qvault-fai-disposition "$DISP"
COOKIE=$(sed -n "s/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip" headers.txt | tr -d "\r")
CSRF=$(field 'd["csrf"]')
CLOSE='{"disposition":"scrap","note":"scrapped at receiving"}'
post 200 "ncrs/$NCR/close/statement" "$CLOSE" > /dev/null
cp body.json stmt.json
act_answer bix "$CLOSE" counter=3
check "bix closes $NCR, signed with its passkey" post 201 "ncrs/$NCR/close/sign" "$(cat answer.json)"
CL=$(signed_file "/$NCR/close.json")
check "  ssh-keygen -Y verify accepts the close with bix's key alone" \
	ssh_verify bix@owner qvault-ncr-close "$CL"
check "qvault verify accepts the vault: every signature of a person checked" \
	sh -c "q verify > verify.out && grep -q '0 findings' verify.out"

# ==== a peer site forging signed acts with stock git and ssh-keygen ==============
# sid, a supplier of acme whose key ssh-keygen made, answers PO-1 with its own commits
ssh-keygen -q -t ed25519 -N '' -C sid -f sid
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key sam.pem po ack PO-1 --promise 2026-12-22 > /dev/null
SAM_ACK=$(signed_file '/PO-1/acks/000002-sam.json')
kill $SERVE 2> /dev/null; wait $SERVE 2> /dev/null
cp -a v f
T=$(($(git -C f log -1 --format=%ct main) + 60))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# forge_at VAULT KEY ORG TIME OP MESSAGE SPEC...: a commit as qvault writes one, by KEY at TIME
forge_at() {
	fv=$1 fk=$2 fo=$3 ft=$4 fop=$5 fm=$6
	shift 6
	GIT_AUTHOR_DATE="$ft +0000" GIT_COMMITTER_DATE="$ft +0000" \
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop
Qvault-PO: PO-1" "$@"
}
# sid's answer number 3, as qvault spells it, naming SIGNER (and the vault, as a signed one does)
sid_ack() {
	python3 -c 'import json,sys; print(json.dumps({"record": "po-ack", "format": 1, "po": "PO-1",
"seq": 3, "revision": 0, "decision": "accepted", "org": "acme", "signed_by": sys.argv[1],
"fingerprint": sys.argv[2], "signed_at": sys.argv[3], "promise": "2026-12-24",
"vault": json.loads(sys.argv[4])["id"]}, indent=2, sort_keys=True))' "$1" \
		"$(ssh-keygen -lf sid.pub | cut -d" " -f2)" "$(iso $T)" "$(git -C v show main:vault.json)" > "$2"
}
ACKS=${SAM_ACK%/*}
rm -rf g1; cp -a f g1
printf 'forged\n' > x.txt
rm -f x.txt.sig a3.json.sig; ssh-keygen -q -Y sign -f sid -n qvault-po-ack x.txt
cp x.txt.sig sam-ack.sig
forge_at g1 sid acme "$T" po-ack "po ack PO-1" "$SAM_ACK.sig=sam-ack.sig"
check "a signature added later beside sam's answer is caught" culprit g1 "without its record"
rm -rf g2; cp -a f g2
sid_ack pat a3.json
rm -f x.txt.sig a3.json.sig; ssh-keygen -q -Y sign -f sid -n qvault-po-ack a3.json
forge_at g2 sid acme "$T" po-ack "po ack PO-1" "$ACKS/000003-pat.json=a3.json" "$ACKS/000003-pat.json.sig=a3.json.sig"
check "an answer naming pat, signed by sid's key beside it, is caught" culprit g2 "names 'pat' but 'sid' signed it"
rm -rf g3; cp -a f g3
sid_ack sid a3.json
rm -f x.txt.sig a3.json.sig; ssh-keygen -q -Y sign -f sid -n qvault-po-ack x.txt
forge_at g3 sid acme "$T" po-ack "po ack PO-1" "$ACKS/000003-sid.json=a3.json" "$ACKS/000003-sid.json.sig=x.txt.sig"
check "sid's answer with a signature over other bytes beside it is caught" culprit g3 "verif"
rm -rf g4; cp -a f g4
rm -f x.txt.sig a3.json.sig; ssh-keygen -q -Y sign -f sid -n qvault-ack a3.json
forge_at g4 sid acme "$T" po-ack "po ack PO-1" "$ACKS/000003-sid.json=a3.json" "$ACKS/000003-sid.json.sig=a3.json.sig"
check "  and one signed in another namespace (an acknowledgment's)" culprit g4 "namespace|verif"
rm -rf g5; cp -a f g5
rm -f x.txt.sig a3.json.sig; ssh-keygen -q -Y sign -f sid -n qvault-po-ack a3.json
forge_at g5 sid acme "$T" po-ack "po ack PO-1" "$ACKS/000003-sid.json=a3.json" "$ACKS/000003-sid.json.sig=a3.json.sig"
check "sid's own answer with sid's own signature beside it is accepted" \
	sh -c "q -C g5 verify > v5.out && grep -q '0 findings' v5.out"
pulls_refused f "does not verify" g1 g2 g3
V=v
done_testing
