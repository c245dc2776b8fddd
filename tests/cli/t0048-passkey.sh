#!/bin/sh
# Passkeys in the library (issue 19): a user's key may be OpenSSH's
# security-key ECDSA (sk-ecdsa-sha2-nistp256@openssh.com), made by a FIDO
# authenticator for the portal's relying party, and its acknowledgments
# SSHSIG signatures of either type OpenSSH 9.2 verifies: a security key's
# own (sk-ecdsa-...) or a browser's (webauthn-sk-ecdsa-...).  Stock
# ssh-keygen verifies each one qvault takes; qvault requires more of them
# (user verification, the RP's own origin, one spelling), and each
# refusal says why and leaves the vault as it was.  tests/passkey.py,
# with python3-cryptography, stands in for the authenticator and browser.
. "$(dirname "$0")/lib.sh"

need_curl
if ! python3 -c 'import cryptography' 2> /dev/null; then
	_skip "no python3-cryptography (scripts/deps installs it)"
	done_testing
	exit 0
fi
passkey() { python3 "$TESTS_DIR/../passkey.py" "$@"; }

vault_v

# ---- the key: user add, fingerprints, allowed-signers -----------------------
passkey key pat portal.example "pat at acme"
passkey key pia portal.example pia
ok "user add takes a passkey's key (a .pub file)" \
	q --key "$TMP/admin.pem" user add pat --org acme --role supplier --pubkey pat.pub
ok "  and the key line itself" \
	q --key "$TMP/admin.pem" user add pia --org acme --role supplier --pubkey "$(cat pia.pub)"
check "  its fingerprint is the one ssh-keygen gives it" \
	evalq "q user list --json > users.json &&
	       python3 -c 'import json; print([u[\"fingerprint\"] for u in json.load(open(\"users.json\")) if u[\"name\"] == \"pat\"][0])' > fp &&
	       [ \"\$(cat fp)\" = \"\$(ssh-keygen -lf pat.pub | cut -d' ' -f2)\" ]"
q keys allowed-signers > signers
check "  allowed-signers lists it as ssh-keygen reads it" \
	grep -qx "pat@acme namespaces=\"git,qvault-ack,qvault-po-ack,qvault-fai-disposition,qvault-ncr-close,qvault-bundle,qvault-forecast-ack\" $(cut -d' ' -f1,2 pat.pub)" signers
passkey key sky ssh: sky
ok "  an application of OpenSSH's own, 'ssh:', is taken too" \
	q --key "$TMP/admin.pem" user add sky --org acme --role supplier --pubkey sky.pub
for app in Portal.Example 192.0.2.7 https://portal.example portal.example. -portal.example 'ssh:two words'; do
	passkey key bad "$app" bad
	fails 1 "public key is a security key whose application is neither 'ssh:...' nor a relying-party id" \
		"a security key of application '$app' is refused" \
		q --key "$TMP/admin.pem" user add bad --org acme --role supplier --pubkey bad.pub
done
sed 's/^sk-ecdsa-sha2-nistp256@openssh.com/ecdsa-sha2-nistp256/' pat.pub > liar.pub
fails 1 "public key is not an ssh-ed25519, ecdsa-sha2-nistp256, sk-ecdsa" \
	"a line whose type is not its key's" \
	q --key "$TMP/admin.pem" user add liar --org acme --role supplier --pubkey liar.pub

# ---- acknowledgments through the API ---------------------------------------
add_buyer bea
for d in 1 2 3 4; do
	make_pdf "$d.pdf" "DWG-$d"
	q --key bea.pem release "DWG-$d" --rev A "$d.pdf" --to acme > /dev/null
done
PAT=$(tok --user pat --scope write)
SKY=$(tok --user sky --scope write)
serve_start
J='-H Content-Type:application/json'

# statement NAME DOC TOKEN: the statement the vault has TOKEN's user sign
# for DOC@A, received, into NAME
statement() {
	api 200 GET "documents/$2/A/statement?meaning=received" "$3" &&
	python3 -c 'import json, sys; open(sys.argv[1], "w", newline="", encoding="utf-8").write(json.load(open("body.json"))["statement"])' "$1"
}
# ack_json STATEMENT SIG: the body that submits them
ack_json() {
	python3 -c 'import json, sys; print(json.dumps({"statement": open(sys.argv[1], encoding="utf-8").read(),
		"signature": open(sys.argv[2]).read(), "meaning": "received"}))' "$1" "$2"
}
# keygen_verifies SIG STATEMENT [PRINCIPAL]: stock ssh-keygen 9.2 verifies it
keygen_verifies() {
	ssh-keygen -Y verify -f "$TMP/signers" -I "${3:-pat@acme}" -n qvault-ack -s "$1" < "$2" > /dev/null 2>&1
}
# recorded DESC DOC SIG STATEMENT: the acknowledgment is taken (201), one
# commit for pat that stock git verifies, and qvault verify passes
recorded() {
	head0=$(git -C v rev-parse HEAD)
	ack_json "$4" "$3" > ack.json
	if ! api 201 POST "documents/$2/A/acks" "$PAT" $J --data-binary @ack.json 2> "$TMP/.err"; then
		_fail "$1" "$(cat "$TMP/.err")"
	elif [ "$(git -C v rev-parse HEAD~1)" != "$head0" ] ||
	     ! git -C v log -1 --format=%B | grep -qx "Qvault-On-Behalf-Of: pat"; then
		_fail "$1" "not one commit for pat"
	elif ! git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$TMP/signers" \
		verify-commit HEAD 2> "$TMP/.err"; then
		_fail "$1" "stock git does not verify it: $(cat "$TMP/.err")"
	elif ! q verify > "$TMP/.out" 2>&1; then
		_fail "$1" "qvault verify: $(head -3 "$TMP/.out")"
	else
		_pass "$1"
	fi
}
# stored DOC: the signature stored beside DOC@A's acknowledgment by pat
stored() { git -C v show "main:$(git -C v ls-tree -r --name-only main | grep "/$1/A/acks/pat-received.json$").sig"; }

statement s1 DWG-1 "$PAT"
statement s2 DWG-2 "$PAT"
# refused DESC PATTERN [KEYGEN] OPT...: pat's signature of s1 made with
# OPT (tests/passkey.py) is answered 400 with PATTERN and changes nothing;
# KEYGEN says what stock ssh-keygen makes of it: 'keygen-refuses' (it
# must too), or 'keygen-takes' (it is laxer: the rule is qvault's own)
bad() {
	bd=$1 bp=$2 bk=$3; shift 3
	passkey sign pat s1 "$@" > bad.sig
	ack_json s1 bad.sig > bad.json
	refused 400 "^the statement.s signature does not verify: signature.*$bp" "$bd: 400" \
		POST documents/DWG-1/A/acks "$PAT" $J --data-binary @bad.json
	case $bk in
	keygen-refuses) check "  stock ssh-keygen refuses it too" evalq '! keygen_verifies bad.sig s1' ;;
	keygen-takes) check "  (stock ssh-keygen takes it: the rule is qvault's)" keygen_verifies bad.sig s1 ;;
	esac
}
bad "user presence flag clear" "user was not present" keygen-takes flags=0x04
bad "user verification flag clear" "user was not verified .*UV.*PIN or biometric" keygen-takes flags=0x01
bad "  and a security key's own signature with UV clear" "user was not verified" keygen-takes kind=sk flags=0x01
bad "the signature of another statement (the challenge is DWG-2's)" \
	"WebAuthn challenge is not this message's" keygen-refuses challenge=s2
bad "a clientDataJSON of type webauthn.create" "not of type \"webauthn.get\"" keygen-refuses type=webauthn.create
bad "an origin of another host" "origin is not its relying party's, https://portal.example" \
	keygen-takes origin=https://evil.example
bad "an origin of a sub-domain of the relying party" "origin is not its relying party's" \
	keygen-takes origin=https://eu.portal.example
bad "the signature's origin the RP's, but not clientDataJSON's" "does not begin as OpenSSH requires" \
	keygen-refuses origin=https://evil.example blob_origin=https://portal.example
bad "an origin over plain http" "origin is not its relying party's" keygen-takes origin=http://portal.example
bad "a clientDataJSON made in another site's frame (crossOrigin true)" "another site's frame" \
	keygen-takes 'rest=,"crossOrigin":true}'
bad "a clientDataJSON naming its type twice" "has a key twice" \
	keygen-takes 'rest=,"type":"webauthn.create"}'
bad "a clientDataJSON that is not JSON" "not one JSON object" keygen-takes 'rest=,'
bad "attested credential data (AT) in a signature" "flags do not match" keygen-refuses flags=0x45
bad "the extensions flag (ED) without extensions" "flags do not match" keygen-refuses flags=0x85
bad "a signature blob cut short" "malformed" keygen-refuses cut=1
bad "a byte after the signature blob's end" "bytes after its end" keygen-refuses trail=00
bad "a security key's signature with a byte after its end" "bytes after its end" keygen-refuses kind=sk trail=00

# ssh-keygen and authenticators give either of ECDSA's two s; a browser's
# signature with the high one is taken and stored as the low one
passkey sign pat s1 s=high counter=41 > wa-high.sig
check "pat's passkey signs DWG-1@A through a browser (webauthn, the high s): ssh-keygen verifies it" \
	evalq "[ \"\$(ecdsa_s wa-high.sig)\" = high ] && keygen_verifies wa-high.sig s1"
recorded "  qvault takes it: 201, a commit for pat" DWG-1 wa-high.sig s1
check "  stored as the low s, the same signature otherwise (flags, counter, clientDataJSON)" \
	evalq "stored DWG-1 > wa-got.sig && [ \"\$(ecdsa_s wa-got.sig)\" = low ] &&
	       ecdsa_s wa-high.sig low | cmp - wa-got.sig && keygen_verifies wa-got.sig s1"
check "  acks shows it, with pat's key" \
	evalq "q acks DWG-1@A | grep -q \"received  by pat (acme)  .*key \$(ssh-keygen -lf pat.pub | cut -d' ' -f2)\""
refused 409 "already received" "the same acknowledgment again: 409" \
	POST documents/DWG-1/A/acks "$PAT" $J --data-binary @ack.json

statement s2 DWG-2 "$PAT"
passkey sign pat s2 kind=sk counter=42 > sk.sig
check "pat's key signs DWG-2@A as ssh-keygen with a security key does (sk-ecdsa): ssh-keygen verifies it" \
	keygen_verifies sk.sig s2
recorded "  qvault takes it: 201" DWG-2 sk.sig s2
check "  stored as it came (its s was low)" evalq "stored DWG-2 | cmp - sk.sig"
ok "ack export writes DWG-1@A's statement and signature" q ack export DWG-1@A -o exp
check "  which ssh-keygen verifies with the allowed_signers written beside them" \
	ssh-keygen -Y verify -f exp/allowed_signers -I pat@acme -n qvault-ack \
		-s exp/pat-received.json.sig -q < exp/pat-received.json

statement s3 DWG-3 "$PAT"
# a CBOR map {"credProtect": 2}, as an authenticator may add to its data
passkey sign pat s3 flags=0x85 ext=a16b6372656450726f7465637402 > ext.sig
check "a browser's signature with extensions (ED set): ssh-keygen verifies it" keygen_verifies ext.sig s3
recorded "  qvault takes it: 201" DWG-3 ext.sig s3

statement s3 DWG-3 "$SKY"
passkey sign sky s3 origin=https://ssh: > sky.sig
ack_json s3 sky.sig > sky.json
refused 400 "a webauthn one by a key made for ssh" "a webauthn signature by a key of application 'ssh:': 400" \
	POST documents/DWG-3/A/acks "$SKY" $J --data-binary @sky.json
passkey sign sky s3 kind=sk > sky.sig
ack_json s3 sky.sig > sky.json
check "  its security key's own signature is taken: 201" \
	api 201 POST documents/DWG-3/A/acks "$SKY" $J --data-binary @sky.json

statement s4 DWG-4 "$PAT" # for the forgeries below
kill "$SERVE"
wait "$SERVE"
check "serve ends cleanly (exit 0)" test $? = 0
openapi_check "every API answer matches schemas/openapi.json"

# ---- forged history ---------------------------------------------------------
# pat's acknowledgment of DWG-4@A, committed around qvault with stock git
# as the API's writer commits one: signed by the server key for pat.  One
# forged faithfully passes verify; one whose signature qvault would have
# refused is a finding of verify, for its reason.
python3 - <<'PY'
import os
from cryptography.hazmat.primitives import serialization as s
key = s.load_pem_private_key(open("v/qvault/server.pem", "rb").read(), None)
fd = os.open("server.ssh", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, key.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()))
os.close(fd)
PY
ACKDIR=$(git -C v ls-tree -d -r --name-only main | grep '/DWG-4/A$')/acks
# forge_pat DIR SIG: a copy DIR of the vault whose main gains pat's
# acknowledgment s4 of DWG-4@A with the signature SIG
forge_pat() {
	rm -rf "$1"
	cp -a v "$1"
	fhonest=$(git -C v log --format=%H -1 --grep='^ack DWG-1@A')
	fmsg=$(git -C v log -1 --format=%B "$fhonest" | sed 's/DWG-1/DWG-4/g')
	ftree=$(GIT_DIR=$1 GIT_INDEX_FILE=$TMP/f.index sh -c '
		git read-tree main &&
		git update-index --add --cacheinfo "100644,$(git hash-object -w "$2"),$3/pat-received.json" &&
		git update-index --add --cacheinfo "100644,$(git hash-object -w "$4"),$3/pat-received.json.sig" &&
		git write-tree' - "$1" s4 "$ACKDIR" "$2")
	rm -f "$TMP/f.index"
	fc=$(GIT_AUTHOR_NAME=$(git -C v log -1 --format=%an "$fhonest") \
	     GIT_AUTHOR_EMAIL=$(git -C v log -1 --format=%ae "$fhonest") \
	     GIT_COMMITTER_NAME=$(git -C v log -1 --format=%cn "$fhonest") \
	     GIT_COMMITTER_EMAIL=$(git -C v log -1 --format=%ce "$fhonest") git -C "$1" -c gpg.format=ssh \
	     -c user.signingkey="$TMP/server.ssh" commit-tree -S "$ftree" -p main -m "$fmsg") &&
	git -C "$1" update-ref refs/heads/main "$fc"
}
passkey sign pat s4 counter=50 > f-ok.sig
forge_pat f0 f-ok.sig
check "a passkey acknowledgment forged as the writer makes one passes verify (the forgery is faithful)" \
	q -C f0 verify
passkey sign pat s4 flags=0x01 counter=51 > f-uv.sig
forge_pat f1 f-uv.sig
check "  one signed without user verification is caught, though ssh-keygen verifies it" \
	evalq "culprit f1 'DWG-4/A/acks/pat-received.json: the acknowledgment.s signature does not verify: .*user was not verified' &&
	       keygen_verifies f-uv.sig s4"
passkey sign pat s4 s=high counter=52 > f-high.sig
forge_pat f2 f-high.sig
check "  one stored with the high s is caught (one spelling per signature)" \
	culprit f2 "DWG-4/A/acks/pat-received.json: .*signature is malleable"
passkey sign pat s4 origin=https://eu.portal.example counter=53 > f-origin.sig
forge_pat f3 f-origin.sig
check "  one signed on another host under the relying party is caught" \
	culprit f3 "DWG-4/A/acks/pat-received.json: .*origin is not its relying party's"
passkey sign pat s1 counter=54 > f-other.sig
forge_pat f4 f-other.sig
check "  one whose signature is of another statement is caught" \
	culprit f4 "DWG-4/A/acks/pat-received.json: .*WebAuthn challenge is not this message's"

done_testing
