#!/bin/sh
# Attacks on the portal (issue 19): passkey enrollment and login, the
# sessions of `qvault serve --origin`, its pages and the acknowledgment
# signed with a passkey.  A web attacker with curl and a scripted passkey
# (tests/webauthn.py), a hostile supplier with a session, an outsider who
# reads a replica, and a peer site forging enrollments with stock git and
# ssh-keygen.  Each refusal is checked by status (or exit code), by its
# one-line message, and by the vault left byte for byte as it was.
. "$(dirname "$0")/lib.sh"

need_webauthn

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf a.pdf A
make_pdf z.pdf Z
q --key bea.pem release DWG-1 --rev A a.pdf --to acme --title 'Bracket <script>alert(1)</script>' > /dev/null
q --key bea.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:5:DWG-1@A > /dev/null
q --key bea.pem po add PO-Z --supplier zenith --line PN-9:5:DWG-Z@A > /dev/null
# the admin asks suppliers to enroll
PAT_SECRET=$(enroll_link pat acme supplier)
ZOE_SECRET=$(enroll_link zoe zenith supplier)
KIM_SECRET=$(enroll_link kim acme supplier)
LOU_SECRET=$(enroll_link lou acme supplier)
UMA_SECRET=$(enroll_link uma acme supplier)
VIC_SECRET=$(enroll_link vic acme supplier)
WES_SECRET=$(enroll_link wes acme supplier)
fails 1 "origin 'http://localhost.evil.example' is not https://HOST" \
	"an enrollment for a portal over plain http that is not localhost itself is refused" \
	q --key "$TMP/admin.pem" user add xan --org acme --role supplier --enroll http://localhost.evil.example
fails 2 "origin 'http://localhost.evil.example' is not https://HOST" "  and so is such a serve --origin" \
	q serve --listen 127.0.0.1:0 --origin http://localhost.evil.example
for k in pat zoe kim mal uma vic; do $WA key $k; done
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# forge_at VAULT KEY ORG TIME OP NAME SPEC...: a commit as qvault writes one, signed by KEY at TIME
forge_at() {
	fv=$1 fk=$2 fo=$3 ft=$4 fop=$5 fn=$6
	shift 6
	GIT_AUTHOR_DATE="$ft +0000" GIT_COMMITTER_DATE="$ft +0000" \
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "forged $fop $fn

Qvault-Op: $fop
Qvault-User: $fn" "$@"
}
# rec FILE JSON: a record as qvault spells it (sorted keys, two spaces)
rec() { /usr/bin/python3 -c 'import json,sys; open(sys.argv[1], "w").write(json.dumps(json.loads(sys.argv[2]), indent=2, sort_keys=True) + "\n")' "$1" "$2"; }
# a second admin whose key ssh-keygen made, for commits forged around qvault
ssh-keygen -q -t ed25519 -N '' -C adm9 -f adm9
q --key "$TMP/admin.pem" user add adm9 --org owner --role admin --pubkey adm9.pub > /dev/null

portal_start
writer_alive() { kill -0 "$WRITER" 2> /dev/null && post 200 login/options '{"name":"pat"}'; }

# ==== the writer under a web attacker who has nothing ============================
for cd in a abcde "$(head -c 20000 /dev/zero | tr '\0' A)" 'ab+/' '!!!!'; do
	wrefused 401 'expired or was answered already' \
		"a login whose clientDataJSON is no base64url (${#cd} bytes) is refused" \
		login "{\"name\":\"pat\",\"client_data\":\"$cd\",\"authenticator_data\":\"AA\",\"signature\":\"AA\"}"
	check "  and the writer lives on" writer_alive
done
wrefused 403 'expired or was answered already' "an enrollment's answer of no base64url is refused" \
	enroll "{\"name\":\"pat\",\"secret\":\"$PAT_SECRET\",\"client_data\":\"a\",\"attestation_object\":\"a\"}"
check "  and the writer lives on" writer_alive

# ==== enrollment ================================================================
wrefused 403 'link is not valid' "an enrollment link with a wrong secret is refused" \
	enroll/options "{\"name\":\"pat\",\"secret\":\"$ZOE_SECRET\"}"
wrefused 403 'link is not valid' "  so is a good secret for another name" \
	enroll/options "{\"name\":\"zoe\",\"secret\":\"$PAT_SECRET\"}"
wrefused 403 'link is not valid' "  and the request's hash itself, from a replica, as the secret" \
	enroll/options "{\"name\":\"pat\",\"secret\":\"$(git -C v show main:enrollments/pat/request.json |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["secret_sha256"])')\"}"
enroll_answer pat "$PAT_SECRET" rp=evil.example
wrefused 400 'another relying party' "a passkey made for another relying party is not enrolled" \
	enroll "$(cat answer.json)"
enroll_answer pat "$PAT_SECRET" origin=https://evil.example
wrefused 400 'another site than' "  nor one made on another site (clientDataJSON's origin)" \
	enroll "$(cat answer.json)"
enroll_answer pat "$PAT_SECRET" flags=0x41
wrefused 400 'did not verify its user' "  nor one that did not verify its user (UV)" \
	enroll "$(cat answer.json)"
enroll_answer pat "$PAT_SECRET" type=webauthn.get
wrefused 400 'not of type "webauthn.create"' "  nor an assertion in place of a new passkey" \
	enroll "$(cat answer.json)"
enroll_answer pat "$PAT_SECRET" fmt=packed
wrefused 400 'format "none"' "  nor an attestation of another format" enroll "$(cat answer.json)"
enroll_answer pat "$PAT_SECRET"
wrefused 403 'for another enrollment link' "an answer to pat's link sent with kim's secret is refused" \
	enroll "$(with "$(cat answer.json)" secret="$KIM_SECRET")"
enroll_answer pat "$PAT_SECRET"
cp answer.json pat-enroll.json
check "pat enrolls a passkey by the link" post 200 enroll "$(cat answer.json)"
check "  one commit by the server, which verify accepts" \
	evalq 'q verify > /dev/null && git -C v log -1 --format=%s main | grep -q "^user pat enrolled a passkey"'
wrefused 403 'expired or was answered already' "the same answer again is refused" \
	enroll "$(cat pat-enroll.json)"
wrefused 403 'link is not valid' "the link works once" \
	enroll/options "{\"name\":\"pat\",\"secret\":\"$PAT_SECRET\"}"
USED=$(git -C v show main:enrollments/pat/used.json |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
wrefused 403 'link is not valid' "the secret a replica shows in used.json opens nothing" \
	enroll/options "{\"name\":\"pat\",\"secret\":\"$USED\"}"
enroll_answer kim "$KIM_SECRET"
wrefused 403 'already belongs to a user' "kim may not enroll pat's passkey" \
	enroll "$(with "$($WA create pat "$(challenge)")" name=kim secret="$KIM_SECRET")"
# the admin adds lou with a key file while lou's link is still open
q key generate -o lou.pem -c lou | head -n 1 > lou.pub
q --key "$TMP/admin.pem" user add lou --org acme --role supplier --pubkey lou.pub > /dev/null
wrefused 403 'link is not valid' "an enrollment link of a user added since opens nothing" \
	enroll/options "{\"name\":\"lou\",\"secret\":\"$LOU_SECRET\"}"
enroll zoe "$ZOE_SECRET"
enroll kim "$KIM_SECRET"

# a flood of logins asked for by anyone does not undo an enrollment under way
enroll_answer uma "$UMA_SECRET"
i=0
while [ $i -lt 300 ]; do
	curl -s -o /dev/null -H "Origin: $ORIGIN" -H 'Content-Type: application/json' \
		--data "{\"name\":\"x$i\"}" "${URL%api/v1/}login/options"
	i=$((i + 1))
done
check "an enrollment answered after 300 logins were asked for is recorded" post 200 enroll "$(cat answer.json)"

# hostile CBOR in place of an attestation: nested 12000 deep, trailing bytes, a map of one key twice
for cbor in "$(printf '81%.0s' $(seq 12000))00" a1636e6f6e6500ff a263666d74646e6f6e6563666d74646e6f6e65; do
	enroll_answer vic "$VIC_SECRET"
	/usr/bin/python3 -c 'import json,sys,base64; d=json.load(open("answer.json"))
d["attestation_object"]=base64.urlsafe_b64encode(bytes.fromhex(sys.argv[1])).rstrip(b"=").decode()
json.dump(d, open("answer.json", "w"))' "$cbor"
	wrefused 400 'not one CBOR map|format "none"|authenticator data' \
		"hostile CBOR (${#cbor} hex digits) as the attestation is refused" enroll "$(cat answer.json)"
	check "  and the writer lives on" writer_alive
done

# ==== login =====================================================================
login_answer pat pat origin=https://evil.example
wrefused 401 'another site than' "a login made on another site is refused" login "$(cat answer.json)"
login_answer pat pat rp=evil.example
wrefused 401 'does not verify' "  one for another relying party" login "$(cat answer.json)"
login_answer pat pat flags=0x01
wrefused 401 'did not verify its user' "  one without user verification (UV)" login "$(cat answer.json)"
login_answer pat pat 'rest=,"crossOrigin":true}'
wrefused 401 "another site's frame" "  one made in another site's frame" login "$(cat answer.json)"
login_answer pat pat type=webauthn.create
wrefused 401 'not of type "webauthn.get"' "  one of the wrong type" login "$(cat answer.json)"
login_answer pat zoe
wrefused 401 'does not verify' "  one by another user's passkey" login "$(cat answer.json)"
login_answer pat pat
wrefused 401 'expired or was answered' "  pat's answer sent as zoe's" login "$(with "$(cat answer.json)" name=zoe)"
# who has a passkey is not told: a name with none, or with a key file, answers as a wrong passkey
for who in nobody sam pat; do
	login_answer $who mal && post 401 login "$(cat answer.json)" 2> /dev/null
	cp body.json "login-$who.json"
done
check "a login as no user, as a user with a key file, as pat with a wrong passkey: one answer" \
	evalq 'cmp -s login-nobody.json login-pat.json && cmp -s login-sam.json login-pat.json && grep -q "does not verify" login-pat.json'
login_answer nobody mal flags=0x01
wrefused 401 'did not verify its user' "  and for no user the same checks come first (UV)" login "$(cat answer.json)"
login_answer pat pat
before=$(api_state)
api 403 POST login '' -H "Origin: https://evil.example" -H 'Content-Type: application/json' --data @answer.json 2> "$TMP/.err"
check "a login posted from another site is refused before the writer sees it" \
	evalq 'error "did not come from a page of this portal" && [ "$before" = "$(api_state)" ]'
api 403 POST login '' -H 'Sec-Fetch-Site: cross-site' -H 'Content-Type: application/json' --data @answer.json 2> "$TMP/.err"
check "  and so is one of Sec-Fetch-Site cross-site without Origin" \
	evalq 'error "did not come from a page of this portal"'
api 403 POST login '' -H 'Content-Type: application/json' --data @answer.json 2> "$TMP/.err"
check "  and one with neither" evalq 'error "did not come from a page of this portal"'

check "pat logs in with the passkey (counter 5)" login pat 5
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF
COOKIE= CSRF=
login_answer pat pat counter=3
wrefused 401 'counter went back' "a login whose signature counter went back is refused" login "$(cat answer.json)"
login_answer pat pat counter=5
wrefused 401 'counter went back' "  and one whose counter stood still" login "$(cat answer.json)"
login_answer pat pat counter=6
cp answer.json replay.json
post 200 login "$(cat answer.json)" > /dev/null
wrefused 401 'expired or was answered' "a login answered twice opens one session" login "$(cat replay.json)"

# session fixation: the session before a login ends with it
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
login_answer pat pat counter=7
post 200 login "$(cat answer.json)" > /dev/null
NEW=$(sed -n 's/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip' headers.txt | tr -d '\r')
check "a login from a browser with a session gives a new session id" evalq '[ -n "$NEW" ] && [ "$NEW" != "$PAT_COOKIE" ]'
sleep 11 # what the HTTP side keeps of a session (10 s) is gone
check "  and the session before it ends (rotated at login)" web 303 GET inbox
COOKIE=ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ CSRF=
check "a cookie the attacker chose is no session: to /login" web 303 GET inbox
check "  and the login does not adopt it" evalq 'login pat 8 && [ "$COOKIE" != ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ ]'
check "  its Location is /login, on this site" evalq 'COOKIE=x; web 303 GET pos; grep -qi "^Location: /login" headers.txt'
login pat 9
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF

# ==== a hostile supplier with a session =========================================
alike() {
	ad=$1 theirs=$2 none=$3
	web 000 GET "$theirs" 2> /dev/null; a_status=$got; a_body=$(sed "s/DWG-Z\|PO-Z/NAME/g" body.json)
	web 000 GET "$none" 2> /dev/null; n_status=$got; n_body=$(sed "s/DWG-Q\|PO-Q/NAME/g" body.json)
	if [ "$a_status" != 404 ] || [ "$a_status" != "$n_status" ] || [ "$a_body" != "$n_body" ]; then
		_fail "$ad" "theirs: $a_status" "none: $n_status"
	else
		_pass "$ad"
	fi
}
for p in documents/DWG-Z documents/DWG-Z/A documents/DWG-Z/A/files/1 pos/PO-Z; do
	alike "pat's page $p (zenith's) is 404 as one that does not exist" "$p" "$(echo "$p" | sed 's/-Z/-Q/')"
done
check "  and the lists show none of zenith's" \
	evalq 'web 200 GET documents && lacks DWG-Z && web 200 GET pos && lacks PO-Z'
wrefused 404 'DWG-Z' "a statement to sign for zenith's revision is refused as for none" \
	documents/DWG-Z/A/statement '{"meaning":"received"}'
check "a title with <script> is escaped on the documents page and the revision's" \
	evalq 'web 200 GET documents && grep -q "Bracket &lt;script&gt;alert(1)&lt;/script&gt;" body.json &&
	       lacks "<script>alert" && web 200 GET documents/DWG-1/A &&
	       grep -q "&lt;script&gt;alert" body.json && lacks "<script>alert"'
check "a page's name from the URL (a document '<script>x' there is none of) is escaped on the error page" \
	evalq 'web 404 GET "documents/%3Cscript%3Ex" && grep -q "&lt;script&gt;x" body.json && lacks "<script>x"'
check "a download is an attachment, nosniff, in a sandbox" \
	evalq 'web 200 GET documents/DWG-1/A/files/1 && grep -qi "^Content-Disposition: attachment" headers.txt &&
	       grep -qi "^X-Content-Type-Options: nosniff" headers.txt && grep -qi "^Content-Security-Policy: sandbox" headers.txt'
check "//evil.example is no redirect to another site" evalq 'web 404 GET /evil.example/ && ! grep -qi "^Location" headers.txt'

# the statement to sign, with a comment that is markup
post 200 documents/DWG-1/A/statement '{"meaning":"rejected","comment":"<img src=x onerror=alert(1)>"}'
cp body.json stmt.json
CH=$(challenge)
# sign_ack KEY ANSWER-OPTS...: KEY's answer to the statement (exactly as it came, its last
# newline too), in answer.json
sign_ack() {
	$WA get "$@" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
d["statement"] = json.load(open("stmt.json"))["statement"]; print(json.dumps(d))' > answer.json
}
ack_answer() { sign_ack pat "$CH" "$@"; }
ack_answer counter=20 origin=https://evil.example
wrefused 400 'another site than' "an acknowledgment signed on another site is refused" \
	documents/DWG-1/A/ack "$(cat answer.json)"
ack_answer counter=20 flags=0x01
wrefused 400 'did not verify its user' "  one without user verification" documents/DWG-1/A/ack "$(cat answer.json)"
ack_answer counter=2
wrefused 400 'counter went back' "  one whose counter went back" documents/DWG-1/A/ack "$(cat answer.json)"
ack_answer counter=20
wrefused 400 'another revision' "  the statement of DWG-1@A posted to zenith's DWG-Z@A" \
	documents/DWG-Z/A/ack "$(cat answer.json)"
wrefused 400 'another challenge' "  the answer to another statement" \
	documents/DWG-1/A/ack "$(sed 's/rejected/approved/' answer.json)"
sign_ack zoe "$CH" counter=20
wrefused 400 'does not verify' "  one signed by another user's passkey" documents/DWG-1/A/ack "$(cat answer.json)"
ack_answer counter=21
# a statement pat edits to name sam, signed by pat's passkey over exactly that text
/usr/bin/python3 -c 'import json; d=json.load(open("stmt.json")); s=d["statement"]
open("stmt-sam.txt", "w").write(s.replace("\"pat\"", "\"sam\""))
d["statement"]=s.replace("\"pat\"", "\"sam\""); json.dump(d, open("stmt.json", "w"))'
check "  (the edited statement names sam)" grep -q '"sam"' stmt-sam.txt
sign_ack pat "$($WA challenge qvault-ack stmt-sam.txt)" counter=20
wrefused 400 'statement' "  a statement edited to name another signer, signed by pat's passkey" \
	documents/DWG-1/A/ack "$(cat answer.json)"
post 200 documents/DWG-1/A/statement '{"meaning":"rejected","comment":"<img src=x onerror=alert(1)>"}'
cp body.json stmt.json
CH=$(challenge)
ack_answer counter=21
CSRF=wrong-token
wrefused 403 'CSRF' "  one without the session's CSRF token" documents/DWG-1/A/ack "$(cat answer.json)"
CSRF=$PAT_CSRF
check "the acknowledgment signed by pat's passkey is recorded" post 201 documents/DWG-1/A/ack "$(cat answer.json)"
cp answer.json ack-replay.json
check "  the comment with markup is escaped on the revision's page" \
	evalq 'COOKIE=$(sed -n "s/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip" headers.txt | tr -d "\r") &&
	       web 200 GET documents/DWG-1/A && grep -q "&lt;img src=x" body.json && lacks "<img src=x"'
COOKIE=$PAT_COOKIE
sleep 11
wrefused 401 'session ended' "the signature's session is replaced: a replay with it is refused" \
	documents/DWG-1/A/ack "$(cat ack-replay.json)"
login pat 30
wrefused 400 'counter went back|already' "  and a replay in a new session is refused" \
	documents/DWG-1/A/ack "$(cat ack-replay.json)"

# one user logging in again and again ends its own oldest sessions, no one else's
login zoe 1
ZOE_COOKIE=$COOKIE
login pat 40
PAT_FIRST=$COOKIE
c=41
while [ $c -lt 52 ]; do login pat $c; c=$((c + 1)); done
sleep 11
check "a user's twelfth session ends its first (eight at most)" evalq 'COOKIE=$PAT_FIRST; web 303 GET inbox'
check "  its last lives" evalq 'login pat 52 && web 200 GET inbox'
check "  and another user's session lives on" evalq 'COOKIE=$ZOE_COOKIE; web 200 GET inbox'
login pat 53

# a user revoked while logged in: no write at once, no page once the HTTP side's 10 s are up
SAVE_COOKIE=$COOKIE SAVE_CSRF=$CSRF
login kim 1
q --key "$TMP/admin.pem" user revoke kim > /dev/null
wrefused 401 'your user was revoked' "a revoked user's session makes no write" \
	documents/DWG-1/A/statement '{"meaning":"received"}'
sleep 11
check "  and shows no page" web 303 GET inbox
login_answer kim kim counter=2
wrefused 401 'does not verify' "  and logs in no more, answered as any wrong passkey" login "$(cat answer.json)"
COOKIE=$SAVE_COOKIE CSRF=$SAVE_CSRF

# ==== bodies no page sends ======================================================
wrefused 413 'over 64 KiB|limit' "a JSON body over 64 KiB is refused" login/options \
	"{\"name\":\"$(head -c 70000 /dev/zero | tr '\0' a)\"}"
before=$(api_state)
head -c 70000 /dev/zero | tr '\0' a | sed 's/^/name=/' > big.form
check "  and a form over 64 KiB" evalq 'web 413 POST logout -H "Content-Type: application/x-www-form-urlencoded" --data-binary @big.form && [ "$before" = "$(api_state)" ]'
/usr/bin/python3 -c 'import sys; sys.stdout.write("&".join("k%d=" % i for i in range(20000)))' > keys.form
before=$(api_state)
check "a form of 20000 names without values (over 64 KiB) to an open page is refused" \
	evalq 'COOKIE= CSRF= web 413 POST login -H "Content-Type: application/x-www-form-urlencoded" --data-binary @keys.form &&
	       error "over 64 KiB" && [ "$before" = "$(api_state)" ]'
check "  and the writer and HTTP side live on" writer_alive
wrefused 400 'JSON object' "a JSON array in place of an object is refused" login/options '[1]'
wrefused 400 'give your user name' "a name that is no name is refused" login/options '{"name":"<script>"}'
check "a form to a page that takes JSON is refused, the writer alive" \
	evalq 'web 000 POST login/options -H "Content-Type: application/x-www-form-urlencoded" --data "name=pat" 2> /dev/null; [ "$got" -ge 400 ] && [ "$got" -lt 500 ] && writer_alive'
check "logout by the form, with its csrf field" \
	evalq 'CSRF_=$CSRF; CSRF=; web 303 POST logout -H "Content-Type: application/x-www-form-urlencoded" --data "csrf=$CSRF_"'
check "  and the session is over" web 303 GET inbox

check "verify accepts the vault after all of it" evalq 'q verify > /dev/null'

# an admin's request forged around verify's old rules: an organization that is no name
OS=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
TO=$(($(date -u +%s) + 1))
rec ola.json "{\"record\":\"enrollment\",\"format\":1,\"name\":\"ola\",\"org\":\"$(head -c 300 /dev/zero | tr '\0' o)\",
\"roles\":[\"supplier\"],\"rp_id\":\"localhost\",\"secret_sha256\":\"$(printf %s "$OS" | sha256sum | cut -c1-64)\",
\"created_by\":\"adm9\",\"created_at\":\"$(iso $TO)\",\"expires\":\"$(iso $((TO + 72 * 3600)))\"}"
forge_at v adm9 owner "$TO" user-enroll ola enrollments/ola/request.json=ola.json
check "verify finds a request whose organization is no name" culprit v "organization"
COOKIE= CSRF=
wrefused 500 'organization is not a name' "its link is answered, not aborted on" \
	enroll/options "{\"name\":\"ola\",\"secret\":\"$OS\"}"
check "  and the writer lives on" writer_alive
# a link of an admin revoked since
IS=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
TI=$(($(git -C v log -1 --format=%ct main) + 1))
rec ivy.json "{\"record\":\"enrollment\",\"format\":1,\"name\":\"ivy\",\"org\":\"acme\",
\"roles\":[\"supplier\"],\"rp_id\":\"localhost\",\"secret_sha256\":\"$(printf %s "$IS" | sha256sum | cut -c1-64)\",
\"created_by\":\"adm9\",\"created_at\":\"$(iso $TI)\",\"expires\":\"$(iso $((TI + 72 * 3600)))\"}"
forge_at v adm9 owner "$TI" user-enroll ivy enrollments/ivy/request.json=ivy.json
check "control: adm9's link for ivy opens" post 200 enroll/options "{\"name\":\"ivy\",\"secret\":\"$IS\"}"
sleep 1
q --key "$TMP/admin.pem" user revoke adm9 > /dev/null
wrefused 403 'link is not valid' "a link of an admin revoked since opens nothing" \
	enroll/options "{\"name\":\"ivy\",\"secret\":\"$IS\"}"
kill "$SERVE" 2> /dev/null; wait "$SERVE" 2> /dev/null

# 73 hours on (a serve whose clock is ahead, libfaketime), wes's link has expired
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
if [ -r "$FAKETIME_LIB" ]; then
	rm -f late.out
	LD_PRELOAD=$FAKETIME_LIB FAKETIME=+73h ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		q serve --listen 127.0.0.1:0 --origin "$ORIGIN" > late.out 2> late.err &
	SERVE=$!
	serve_wait late.out
	api_init "$(sed -n 's/.*listening on \([^ ]*\)api\/v1\/ .*/\1/p' late.out)"
	COOKIE= CSRF=
	wrefused 403 'link is not valid' "an enrollment link 73 hours on opens nothing" \
		enroll/options "{\"name\":\"wes\",\"secret\":\"$WES_SECRET\"}"
	kill "$SERVE" 2> /dev/null; wait "$SERVE" 2> /dev/null
else
	_skip "no libfaketime (scripts/deps installs it)"
fi

# ==== a peer site forging enrollments with stock git and ssh-keygen =============
# f: a vault with a second admin, a server and a supplier whose keys ssh-keygen made
new_vault f
V=f
export QVAULT_DIR=f
for k in adm2 srv2 sup2; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add adm2 --org owner --role admin --pubkey adm2.pub > /dev/null
q --key "$TMP/admin.pem" user add srv2 --org owner --role server --pubkey srv2.pub > /dev/null
q --key "$TMP/admin.pem" user add sup2 --org acme --role supplier --pubkey sup2.pub > /dev/null
/usr/bin/python3 "$TESTS_DIR/../passkey.py" key ned localhost ned@localhost
/usr/bin/python3 "$TESTS_DIR/../passkey.py" key far evil.example far@evil.example
S=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
SHA=$(printf %s "$S" | sha256sum | cut -c1-64)
T=$(($(date -u +%s) + 10))
# request FILE [KEY=JSON...]: ned's enrollment request by adm2 at T, edited
request() {
	rf=$1; shift
	rec "$rf" "$(/usr/bin/python3 -c 'import json,sys; d={"record":"enrollment","format":1,"name":"ned","org":"acme",
"roles":["supplier"],"rp_id":"localhost","secret_sha256":sys.argv[1],"created_by":"adm2","created_at":sys.argv[2],
"expires":sys.argv[3]}
for kv in sys.argv[4:]: k, v = kv.split("=", 1); d[k] = json.loads(v)
print(json.dumps(d))' "$SHA" "$(iso $T)" "$(iso $((T + 72 * 3600)))" "$@")"
}
# user FILE AT PUB [KEY=JSON...]: ned's user.json at AT with the key PUB, edited
user() {
	uf=$1 ua=$2 up=$3; shift 3
	rec "$uf" "$(/usr/bin/python3 -c 'import json,sys; d={"record":"user","format":1,"name":"ned","org":"acme",
"roles":["supplier"],"key":sys.argv[2].strip(),"fingerprint":sys.argv[3],"added_by":"adm2","added_at":sys.argv[1]}
for kv in sys.argv[4:]: k, v = kv.split("=", 1); d[k] = json.loads(v)
print(json.dumps(d))' "$(iso "$ua")" "$(cat "$up")" "$(ssh-keygen -lf "$up" | cut -d' ' -f2)" "$@")"
}
used() { rec "$1" "{\"record\":\"enrollment-used\",\"format\":1,\"name\":\"ned\",\"secret\":\"$3\",\"at\":\"$(iso "$2")\"}"; }
# complete VAULT TIME [KEY]: the server KEY (srv2) completes ned's enrollment at TIME
# with user.json u.json and used.json x.json
complete() { forge_at "$1" "${3:-srv2}" owner "$2" enroll ned users/ned/user.json=u.json enrollments/ned/used.json=x.json; }
fresh() { rm -rf "$1"; cp -a f "$1"; }

request r.json
fresh f1
forge_at f1 adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
check "control: an enrollment request forged as qvault writes it passes verify" q -C f1 verify
user u.json $((T + 60)) ned.pub
used x.json $((T + 60)) "$S"
fresh f2; rm -rf f2; cp -a f1 f2
complete f2 $((T + 60))
check "control: its completion by a server, forged as qvault writes it, passes verify" q -C f2 verify

# each forgery below: on top of f1 (the request) unless it says otherwise
forged() { rm -rf "$1"; cp -a f1 "$1"; }
forged g1; rm -rf g1; cp -a f g1
complete g1 $((T + 60))
check "a server-signed user.json without any request is caught" culprit g1 "without an enrollment an admin asked for"
forged g2; user u.json $((T + 60)) ned.pub 'roles=["buyer"]'; complete g2 $((T + 60))
check "  one with other roles than the request's" culprit g2 "not the one the enrollment names"
forged g3; user u.json $((T + 60)) ned.pub 'org="zenith"'; complete g3 $((T + 60))
check "  one of another organization" culprit g3 "not the one the enrollment names"
forged g4; user u.json $((T + 72 * 3600 + 60)) ned.pub; used x.json $((T + 72 * 3600 + 60)) "$S"
complete g4 $((T + 72 * 3600 + 60))
check "  one after the request expired" culprit g4 "after it expired"
forged g5; user u.json $((T + 60)) ned.pub; used x.json $((T + 60)) "$(echo "$S" | tr 0-9a-f 1-9a-f0)"
complete g5 $((T + 60))
check "  one with a used.json of a wrong secret" culprit g5 "used without its secret"
forged g6; used x.json $((T + 60)) "$SHA"; complete g6 $((T + 60))
check "  one with the request's hash as the secret (a replica's reader)" culprit g6 "used without its secret"
forged g7; used x.json $((T + 60)) "$S"; user u.json $((T + 60)) far.pub; complete g7 $((T + 60))
check "  one with a passkey of another relying party" culprit g7 "not a passkey of the portal"
forged g8; user u.json $((T + 60)) sup2.pub; complete g8 $((T + 60))
check "  one with a key file in place of a passkey" culprit g8 "not a passkey of the portal"
forged g9; user u.json $((T + 60)) ned.pub; complete g9 $((T + 60)) sup2
check "  a completion signed by a supplier" culprit g9 "sup2"
forged g10; forge_at g10 srv2 owner $((T + 60)) enroll ned enrollments/ned/used.json=x.json
check "  a used.json that adds no user" culprit g10 "without adding the user"
forged g11; used x.json $((T + 120)) "$S"; complete g11 $((T + 60))
check "  a used.json dated other than its commit" culprit g11 "dated"
# a second use: ned enrolled, then the server gives ned another passkey by the same request
rm -rf g12; cp -a f2 g12
/usr/bin/python3 "$TESTS_DIR/../passkey.py" key ned2 localhost ned@localhost
user u.json $((T + 120)) ned2.pub; used x.json $((T + 120)) "$S"; complete g12 $((T + 120))
check "  a second use of a used enrollment (another passkey for ned)" culprit g12 "ned"
rm -rf g13; cp -a f2 g13
user u.json $((T + 120)) ned2.pub; forge_at g13 srv2 owner $((T + 120)) enroll ned users/ned/user.json=u.json
check "  the server replacing an enrolled user's passkey without a request" culprit g13 "ned"

# forged requests
for rs_ in 'roles=["admin"]' 'roles=["server"]' 'roles=["supplier","admin"]' 'roles=[]'; do
	rm -rf h; cp -a f h; request r.json "$rs_"
	forge_at h adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
	check "a request of $rs_ is caught" culprit h "none of them admin or server"
done
rm -rf h1; cp -a f h1; request r.json
forge_at h1 sup2 acme "$T" user-enroll ned enrollments/ned/request.json=r.json
check "a request signed by a supplier is caught" culprit h1 "sup2"
rm -rf h2; cp -a f h2; request r.json 'created_by="sup2"'
forge_at h2 srv2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
check "a request signed by the server is caught" culprit h2 "srv2|server"
rm -rf h3; cp -a f h3; request r.json "expires=\"$(iso $((T + 720 * 3600)))\""
forge_at h3 adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
check "a request that expires in 30 days is caught" culprit h3 "not 72 hours after"
rm -rf h4; cp -a f h4; request r.json 'name="sup2"'
forge_at h4 adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
check "a request naming another user than its folder is caught" culprit h4 "in the folder of"
rm -rf h5; cp -a f h5; request r.json 'name="sup2"'
forge_at h5 adm2 owner "$T" user-enroll sup2 enrollments/sup2/request.json=r.json
check "a request naming an existing user is caught" culprit h5 "a user already"
rm -rf h6; cp -a f h6; request r.json 'secret_sha256="ab"'
forge_at h6 adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
user u.json $((T + 60)) ned.pub; used x.json $((T + 60)) "$S"; complete h6 $((T + 60))
check "a request whose hash is short, and its use, are caught (nothing read past it)" \
	culprit h6 "not 64 lowercase hex"
rm -rf h8; cp -a f h8; request r.json 'org="a<b>"'
forge_at h8 adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
check "a request whose organization is no name is caught" culprit h8 "organization 'a<b>'"
rm -rf h7; cp -a f h7; request r.json 'secret_sha256=null'
forge_at h7 adm2 owner "$T" user-enroll ned enrollments/ned/request.json=r.json
complete h7 $((T + 60))
check "  and one with no hash" culprit h7 "not 64 lowercase hex"

# the admin who asked is revoked before the link is used: the request dies with it
rm -rf g14; cp -a f1 g14
q -C g14 --key "$TMP/admin.pem" user revoke adm2 > /dev/null
TR=$(git -C g14 log -1 --format=%ct main)
user u.json $((TR + 60)) ned.pub; used x.json $((TR + 60)) "$S"; complete g14 $((TR + 60))
check "  a completion of a request by an admin revoked since" culprit g14 "revoked"

# what replication makes of them: pull refuses, the vault unchanged
pulls_refused f "^qvault: the history of '.*' does not verify: enrollments/ned/(used|request)\\.json: (no enrollment of 'ned' was asked for|the enrollment of 'ned' was used (after it expired|without its secret)|rewrites a record|user 'sup2' may not enroll users)" \
	g1 g4 g5 g12 h1
V=f

done_testing
