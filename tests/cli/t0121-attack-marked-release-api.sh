#!/bin/sh
# Attack (issue 21, export control): the API's marked release and serve's
# journal of marked downloads, as a hostile supplier, a buyer's read
# token, a client sending odd queries, a reader whose attestation expires
# while serve runs, and a peer forging history with stock git.
#
# Broke until now: a query argument given twice or without a value was
# read as the first or as absent ("marking" alone released unmarked, and
# "marking=ITAR&marking=EAR99" as ITAR); "to=acme,acme" wrote a release
# record naming acme twice; a copy of the whole history (an auditor's or
# another site's clone or pull over qvault shell) handed over every marked
# file with no journal entry; an API answer kept by serve (GET documents,
# documents/DWG-X/A) was given again after midnight to a reader whose
# attestation had expired, for the vault did not move; and the portal's
# page of a marked spec's changed lines, kept for a minute, showed them
# again without a journal entry.
. "$(dirname "$0")/lib.sh"
need_curl

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
TODAY=$(date -u +%Y-%m-%d)
LATER=$(date -u -d '+400 days' +%Y-%m-%d)
vault_v sam:acme eve:acme zed:zenith
add_buyer bea
A="q --key $TMP/admin.pem"
$A org attest acme --attestation us-org --expires "$LATER" > /dev/null
$A user attest sam --attestation us-person --expires "$LATER" > /dev/null
# eve is a U.S. person until the end of today; zenith a U.S. organization too
$A user attest eve --attestation us-person --expires "$TODAY" > /dev/null
$A org attest zenith --attestation us-org --expires "$TODAY" > /dev/null
make_pdf itar.pdf "an ITAR drawing"
BEA=$(tok --user bea --scope write)
BEA_R=$(tok --user bea)
SAM=$(tok --user sam)
SAM_W=$(tok --user sam --scope write)
EVE=$(tok --user eve)
ZED=$(tok --user zed)
J=v/qvault/journal
entries() { if [ -e "$J" ]; then wc -l < "$J"; else echo 0; fi; }
# rel STATUS TOKEN DOC QUERY: DOC@A released through the API, itar.pdf its file
rel() { api "$1" POST "documents/$3/A/release?$4" "$2" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf; }
# rel_refused STATUS PATTERN DESC TOKEN DOC QUERY: refused so, the vault unchanged
rel_refused() { refused "$1" "$2" "$3" POST "documents/$5/A/release?$6" "$4" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf; }

# ---- who may release -----------------------------------------------------------------
serve_start
rel_refused 403 "^the token may only read$" "the buyer's read token may not release (403)" \
	"$BEA_R" DWG-X "to=acme&name=i.pdf&marking=ITAR"
rel_refused 403 "needs role buyer|may not release" "a supplier's write token may not release" \
	"$SAM_W" DWG-X "to=acme&name=i.pdf&marking=ITAR"

# ---- broke: a query that says two things, or a name without its value -------------
rel_refused 400 "^the query argument 'marking' has no value \(marking=VALUE\)$" \
	"a bare 'marking' (no =): refused, not released unmarked" "$BEA" DWG-N "to=zenith&name=i.pdf&marking"
rel_refused 400 "^the query argument 'marking' is given twice$" \
	"marking=EAR99&marking=ITAR: refused, not released EAR99 to zenith" \
	"$BEA" DWG-N "to=zenith&name=i.pdf&marking=EAR99&marking=ITAR"
rel_refused 400 "^the query argument 'licence' is given twice$" "  nor a licence twice" \
	"$BEA" DWG-N "to=acme&name=i.pdf&marking=ITAR&licence=A&licence=B"
rel_refused 400 "^the query argument 'to' is given twice$" "  nor 'to' twice (read as its first)" \
	"$BEA" DWG-N "to=acme&to=zenith&name=i.pdf&marking=ITAR"
rel_refused 400 "^organization 'acme' is named twice$" \
	"to=acme,acme: refused (a release record names each organization once)" \
	"$BEA" DWG-N "to=acme,acme&name=i.pdf&marking=ITAR"
check "  an empty piece of a query (a doubled &) names nothing: still read" evalq "
	api 200 GET 'documents?&type=drawing&&' '$BEA_R' && is 'type(d).__name__' list"
check "  the CLI refuses the same" sh -c '! q --key bea.pem release DWG-N --rev A itar.pdf \
	--to acme,acme 2> e.txt && grep -q "organization .acme. is named twice" e.txt'

# ---- held: markings that are not one, licences that are not text -----------------------
rel_refused 400 "^unknown marking 'itar'" "a marking in lower case" "$BEA" DWG-N "to=zenith&name=i.pdf&marking=itar"
rel_refused 400 "^unknown marking" "  in full-width letters (U+FF29 for the I)" \
	"$BEA" DWG-N "to=zenith&name=i.pdf&marking=%EF%BC%A9TAR"
rel_refused 400 "^unknown marking 'ITAR '" "  with a space after it" "$BEA" DWG-N "to=zenith&name=i.pdf&marking=ITAR%20"
rel_refused 400 "." "  EAR99 with a NUL and ITAR after it" "$BEA" DWG-N "to=zenith&name=i.pdf&marking=EAR99%00ITAR"
rel_refused 400 "^a marking is ITAR" "  an empty one" "$BEA" DWG-N "to=zenith&name=i.pdf&marking="
rel_refused 400 "is no ECCN" "an ECCN with a line feed after its paragraph" \
	"$BEA" DWG-N "to=zenith&name=i.pdf&marking=EAR:9E003.a%0A"
rel_refused 400 "is no ECCN" "  one too long" \
	"$BEA" DWG-N "to=zenith&name=i.pdf&marking=EAR:9E003.aaaaaaaaaaaaaaaaaaaaaaaaaa"
rel_refused 400 "licence" "a licence with a line feed" "$BEA" DWG-N "to=acme&name=i.pdf&marking=ITAR&licence=a%0Ab"
rel_refused 400 "licence" "  with a right-to-left override" \
	"$BEA" DWG-N "to=acme&name=i.pdf&marking=ITAR&licence=%E2%80%AEabc"
rel_refused 400 "licence" "  of 2,000 bytes" \
	"$BEA" DWG-N "to=acme&name=i.pdf&marking=ITAR&licence=$(head -c 2000 /dev/zero | tr '\0' a)"
ok "a release as it should be: ITAR to acme (201)" rel 201 "$BEA" DWG-X "to=acme&name=i.pdf&marking=ITAR"
rel_refused 409 "." "released again, unmarked, to zenith: refused, the marking stays" \
	"$BEA" DWG-X "to=acme,zenith&name=i.pdf"
check "  its record still says ITAR" sh -c 'q --key bea.pem show DWG-X@A | grep -q "marking  ITAR"'

# ---- held: concurrent downloads, each journalled once, the chain whole -----------------
before=$(entries)
for i in 1 2 3 4 5 6; do
	curl -s -o "d$i.pdf" -H "Authorization: Bearer $SAM" "${URL}documents/DWG-X/A/files/1" &
	q --key sam.pem cat DWG-X@A > "c$i.pdf" &
done
wait_downloads() { for i in 1 2 3 4 5 6; do cmp -s "d$i.pdf" itar.pdf && cmp -s "c$i.pdf" itar.pdf || return 1; done; }
sleep 1; i=0
while ! wait_downloads && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "twelve downloads at once (API and CLI): each got the file, twelve entries" evalq "
	wait_downloads && [ \$(entries) = $((before + 12)) ]"
check "  the journal's chain is whole (verify)" q --key "$TMP/admin.pem" verify
# una of acme holds no attestation: no read path gives her the file, nor says it exists
add_supplier una acme
UNA=$(tok --user una)
SHA=$(sha256sum < itar.pdf | cut -c1-64)
before=$(entries)
check "una: If-None-Match with the file's SHA-256 is a 404, not a 304 (no oracle)" evalq "
	api 404 GET documents/DWG-X/A/files/1 '$UNA' -H 'If-None-Match: \"$SHA\"' &&
	error \"^no document 'DWG-X'\""
check "  a range of it: 404" evalq "api 404 GET documents/DWG-X/A/files/1 '$UNA' -r 0-3"
check "  its trace and acks: 404; the list and the change feed name no DWG-X" evalq "
	api 404 GET documents/DWG-X/A/trace '$UNA' && api 404 GET documents/DWG-X/A/acks '$UNA' &&
	api 200 GET documents '$UNA' && lacks DWG-X &&
	api 200 GET events '$UNA' && lacks DWG-X"
check "  and nothing was journalled" evalq "[ \$(entries) = $before ]"
# ray, a U.S. person of acme, downloads; then the admin revokes him
add_supplier ray acme
$A user attest ray --attestation us-person --expires "$LATER" > /dev/null
RAY=$(tok --user ray)
check "ray's token: DWG-X@A's file, journalled as ray's" evalq "
	api 200 GET documents/DWG-X/A/files/1 '$RAY' && cmp -s body.json itar.pdf &&
	tail -n 1 $J | cut -f1 | jq -e '.user == \"ray\"' > /dev/null"
$A user revoke ray > /dev/null
before=$(entries)
check "  ray revoked: his token is refused (401), no entry" evalq "
	api 401 GET documents/DWG-X/A/files/1 '$RAY' && error '^invalid token$' && [ \$(entries) = $before ]"
serves_stop
SERVES=

# ---- broke: a copy of the whole history (git-upload-pack behind qvault shell) -----------
# what another site's pull or clone over ssh runs: stock git here, through
# the command qvault shell runs for that key's user
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
$A user add aud --org audit-co --role auditor --pubkey aud.pub > /dev/null
# copy_as USER DIR: a bare clone of v into DIR, as USER's key would get it
copy_as() {
	printf '#!/bin/sh\nSSH_ORIGINAL_COMMAND="git-upload-pack v" exec %s -C %s/v shell --user %s\n' \
		"$QVAULT" "$TMP" "$1" > "up-$1"
	chmod +x "up-$1"
	git clone -q --bare --upload-pack="$TMP/up-$1" "file://$TMP/v" "$2"
}
before=$(entries)
check "the auditor copies the whole history: it holds DWG-X@A's file" evalq "
	copy_as aud c1.git 2> /dev/null && git -C c1.git ls-tree -r HEAD | grep -q '/DWG-X/A/files/i.pdf'"
check "  journalled first: one entry, a copy by aud through the shell, of the commit copied" evalq "
	[ \$(entries) = $((before + 1)) ] && tail -n 1 $J | cut -f1 | jq -e --arg c \$(git -C v rev-parse HEAD) \
		'.how == \"copy\" and .user == \"aud\" and .via == \"shell\" and .rev == \$c and
		 .doc == \"*\" and .marking == \"ITAR\"' > /dev/null"
check "  a supplier may not copy it, and makes no entry" evalq "
	! copy_as sam c2.git 2> e.txt && grep -q 'may not copy the whole vault' e.txt &&
	[ \$(entries) = $((before + 1)) ]"
mv "$J" j.keep && mkdir "$J"
check "  a journal that cannot be written: no copy (nothing received)" evalq "
	! copy_as aud c3.git 2> e.txt && grep -q 'cannot be journalled' e.txt && test ! -e c3.git/objects/pack/*.pack"
rmdir "$J" && mv j.keep "$J"
check "  verify accepts the entry" q --key "$TMP/admin.pem" verify

# ---- broke: an answer kept from before a reader's attestation expired ------------------
if [ -r "$FAKETIME_LIB" ]; then
	# serve's clock from a file, moved while it runs (and its writer's)
	echo "+0d" > clock
	LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$TMP/clock FAKETIME_NO_CACHE=1 \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		q serve --listen 127.0.0.1:0 > late.out 2> late.err &
	SERVES="$SERVES $!"
	serve_wait late.out
	api_init "$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' late.out)"
	check "today eve (a U.S. person until tonight) sees DWG-X@A" evalq "
		api 200 GET documents/DWG-X/A '$EVE' && api 200 GET documents '$EVE' && grep -q DWG-X body.json"
	echo "+2d" > clock
	before=$(entries)
	check "two days on: GET documents/DWG-X/A is a 404, not the answer kept from before" evalq "
		api 404 GET documents/DWG-X/A '$EVE' && error \"^no document 'DWG-X'\""
	check "  GET documents names no DWG-X" evalq "api 200 GET documents '$EVE' && lacks DWG-X"
	check "  nor is the file given, nor journalled" evalq "
		api 404 GET documents/DWG-X/A/files/1 '$EVE' && [ \$(entries) = $before ]"
	check "  sam (a U.S. person to $LATER) still sees it" evalq "api 200 GET documents/DWG-X/A '$SAM'"
	rel_refused 403 "^organization 'zenith' holds no attestation in force that clears ITAR" \
		"  an ITAR release to zenith, whose attestation expired: 403" "$BEA" DWG-Z "to=zenith&name=i.pdf&marking=ITAR"
	serves_stop
	SERVES=
else
	_skip "no libfaketime (scripts/deps installs faketime): the clock cannot move under serve"
fi

openapi_check "every answer of the API as schemas/openapi.json says"

# ---- broke: the portal's page of a marked spec's lines, given again from its copy -------
if /usr/bin/python3 -c 'import cryptography' 2> /dev/null; then
	WA="/usr/bin/python3 $TESTS_DIR/../webauthn.py"
	ORIGIN=http://localhost:8443
	make_text spec-a.csv H1
	make_text spec-b.csv H2
	q --key bea.pem release SPEC-T --rev A spec-a.csv --type spec --to acme > /dev/null
	q --key bea.pem release SPEC-T --rev B spec-b.csv --type spec --to acme --marking ITAR > /dev/null
	q --key bea.pem po add PO-1 --supplier acme --line "PN-1:5:DWG-X@A" > /dev/null
	q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
	q --key bea.pem link DWG-X@A --lot L-1 > /dev/null
	portal_users pat:acme:supplier pia:acme:supplier
	$A user attest pat --attestation us-person --expires "$LATER" > /dev/null
	login pat 1
	before=$(entries)
	check "portal: pat's page of SPEC-T@B's changes shows its lines, journalled as a diff" evalq "
		web 200 GET documents/SPEC-T/B/changes && holds H2 && [ \$(entries) = $((before + 1)) ]"
	check "  the same page again at once: shown again, and journalled again" evalq "
		web 200 GET documents/SPEC-T/B/changes && holds H2 && [ \$(entries) = $((before + 2)) ]"
	check "  and a third time" evalq "
		web 200 GET documents/SPEC-T/B/changes && [ \$(entries) = $((before + 3)) ]"
	check "  an unmarked revision's pages make no entry" evalq "
		web 200 GET documents/SPEC-T/A && web 200 GET documents/SPEC-T/A && [ \$(entries) = $((before + 3)) ]"
	check "  the lot's bundle from the portal holds DWG-X@A's file, journalled as an export" evalq "
		web 200 GET export/lot/L-1 && unzip -Z1 body.json | grep -q 'DWG-X.*i.pdf' &&
		[ \$(entries) = $((before + 4)) ] && tail -n 1 $J | cut -f1 |
		jq -e '.via == \"portal\" and .how == \"export\" and .user == \"pat\"' > /dev/null"
	login pia 1
	check "pia (acme, no attestation): the bundle holds nothing of DWG-X, no entry" evalq "
		web 200 GET export/lot/L-1 && ! unzip -Z1 body.json | grep -q 'DWG-X' &&
		web 404 GET documents/SPEC-T/B/changes && [ \$(entries) = $((before + 4)) ]"
	serves_stop
	SERVES=
else
	_skip "no python3-cryptography: the portal is not tried"
fi

# ---- held: history forged by a peer with stock git and ssh-keygen ----------------------
# the vault's server key and the admin's as ssh-keygen keys (a site that holds them)
/usr/bin/python3 -c '
import sys
from cryptography.hazmat.primitives import serialization as s
for src, dst in (sys.argv[1:3], sys.argv[3:5]):
    k = s.load_pem_private_key(open(src, "rb").read(), None)
    open(dst, "wb").write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()))
' v/qvault/server.pem srv "$TMP/admin.pem" adm 2> /dev/null && chmod 600 srv adm
# forge_as VAULT KEY AUTHOR MESSAGE PATH=FILE: one commit by AUTHOR (of owner),
# committed by it at one second after its parent, its record dated so
forge_as() {
	fv=$1 fk=$2 fa=$3 fm=$4 fs=$5
	rm -rf "$fv"; cp -a v "$fv"
	t=$(($(git -C v log -1 --format=%ct) + 1))
	GIT_AUTHOR_NAME=$fa GIT_AUTHOR_EMAIL=$fa@owner GIT_COMMITTER_NAME=$fa GIT_COMMITTER_EMAIL=$fa@owner \
	GIT_AUTHOR_DATE="$t +0000" GIT_COMMITTER_DATE="$t +0000" forge_commit "$fv" "$fk" "$fm" "$fs"
}
if [ -s srv ]; then
	at=$(date -u -d "@$(($(git -C v log -1 --format=%ct) + 1))" +%Y-%m-%dT%H:%M:%SZ)
	jq -n --arg at "$at" --arg e "$LATER" '{attestation: "us-person", attested_at: $at,
		attested_by: "admin", expires: $e, format: 1, name: "zed", record: "attestation",
		subject: "user"}' > at.json
	forge_as f0 adm admin "user attest zed us-person

Qvault-Op: attest" "attestations/users/zed/000001.json=at.json"
	ok "control: the admin's attestation, forged with stock git as it is written, verifies" q -C f0 verify
	forge_as f1 srv admin "user attest zed us-person

Qvault-Op: attest
Qvault-On-Behalf-Of: admin" "attestations/users/zed/000001.json=at.json"
	check "the server's key attesting on the admin's behalf: verify fails" \
		culprit f1 "the server signed on behalf of admin 'admin': an admin signs with its own key"
	rp=$(git -C v ls-tree -r --name-only HEAD | grep '/DWG-X/A/release.json$')
	git -C v show "HEAD:$rp" | jq 'del(.marking) | .to = ["acme", "zenith"]' > rel.json
	forge_as f2 adm admin "release DWG-X@A to acme,zenith

Qvault-Op: release
Qvault-Doc: DWG-X
Qvault-Rev: A" "$rp=rel.json"
	check "DWG-X@A's release record rewritten unmarked, to zenith too: verify fails" \
		culprit f2 "release.json: rewrites a record"
	pulls_refused v "does not verify" f1 f2
	V=v
else
	_skip "no python3-cryptography: no key for ssh-keygen to forge with"
fi
ok "verify: the vault and its journal hold" q --key "$TMP/admin.pem" verify
done_testing
