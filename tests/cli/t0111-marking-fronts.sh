#!/bin/sh
# Export-controlled technical data through every front end (issue 21):
# the API releases a marked revision with its licence, refusing a release
# to an organization without an attestation clearing it as the command
# does; every download of a marked revision (the API, the API served as
# another Unix user with --user, the portal, qvault shell, the CLI) is an
# entry of the access journal naming its front end, which verify accepts;
# a supplier user without the attestation sees nothing of the revision
# through qvault shell or the API (a PO line names it as DOC@REV: the
# buyer's order to its organization, decided before).
. "$(dirname "$0")/lib.sh"
need_curl

LATER=$(date -u -d '+400 days' +%Y-%m-%d)
# the unprivileged HTTP side of serve --user must reach the vault, and
# write its sanitizer reports where the others go
chmod 755 "$TMP"
chmod 1777 "$TMP/.san"
vault_v sam:acme eve:acme zed:zenith
add_buyer bea
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
make_pdf itar.pdf "an ITAR drawing"
make_pdf open.pdf "an open drawing"
q --key bea.pem release DWG-1 --rev A open.pdf --to acme,zenith > /dev/null
BEA=$(tok --user bea --scope write)
SAM=$(tok --user sam)
EVE=$(tok --user eve --scope write)
ZED=$(tok --user zed)
J=v/qvault/journal
# entry N EXPR VALUE...: the Python expression EXPR of journal entry N (e) is VALUE
printf '%s\n' 'import json,sys' \
	'l = open(sys.argv[1]).read().split("\n")[int(sys.argv[2]) - 1]' \
	'e = json.loads(l.split("\t")[0])' \
	'for x, want in zip(sys.argv[3::2], sys.argv[4::2]):' \
	'    v = str(eval(x))' \
	'    if v != want: sys.exit("%s is %r, not %r" % (x, v, want))' > entry.py
entry() { python3 entry.py "$J" "$@"; }
entries() { if [ -e "$J" ]; then wc -l < "$J"; else echo 0; fi; }

# ---- the API releases with a marking and a licence ------------------------------
serve_start
rel() { api "$1" POST "documents/$2/$3/release?$4" "$BEA" -H 'Content-Type: application/octet-stream' \
	--data-binary @itar.pdf; }
refused 403 "^organization 'zenith' holds no attestation in force that clears ITAR" \
	"API release: ITAR to an organization without attestation refused (403), nothing written" \
	POST "documents/DWG-X/A/release?to=acme,zenith&name=itar.pdf&marking=ITAR" "$BEA" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf
refused 403 "^organization 'zenith' holds no attestation in force that clears EAR:9E003" \
	"  EAR:9E003 to zenith, which holds no licence of it" \
	POST "documents/DWG-E/A/release?to=zenith&name=itar.pdf&marking=EAR:9E003" "$BEA" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf
refused 400 "'9E03' is no ECCN" "  an EAR marking without a well-formed ECCN (400)" \
	POST "documents/DWG-X/A/release?to=acme&name=itar.pdf&marking=EAR:9E03" "$BEA" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf
refused 400 "^a licence is given with a marking" "  a licence without a marking (400)" \
	POST "documents/DWG-X/A/release?to=acme&name=itar.pdf&licence=DSP-5:1" "$BEA" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf
refused 403 "may not release|needs role buyer" "  a supplier's token may not release a marked revision" \
	POST "documents/DWG-X/A/release?to=acme&name=itar.pdf&marking=ITAR" "$EVE" \
	-H 'Content-Type: application/octet-stream' --data-binary @itar.pdf
check "  the CLI refuses the same release with the same reason" sh -c '
	! q --key bea.pem release DWG-X --rev A itar.pdf --to acme,zenith --marking ITAR 2> e.txt &&
	grep -q "^qvault: organization .zenith. holds no attestation in force that clears ITAR" e.txt'
ok "API release: ITAR to acme, under its exemption (201)" rel 201 DWG-X A \
	"to=acme&name=itar.pdf&marking=ITAR&licence=22%20CFR%20125.4(b)(9)"
check "  the answer says the marking and the licence" sh -c '
	jq -e ".release.marking == \"ITAR\" and .release.licence == \"22 CFR 125.4(b)(9)\"" body.json'
check "  the signed release record holds them, written for bea by the server" sh -c '
	git -C v show HEAD:$(git -C v show --name-only --format= HEAD | grep release.json) > r.json &&
	jq -e ".marking == \"ITAR\" and .licence == \"22 CFR 125.4(b)(9)\"" r.json > /dev/null &&
	git -C v log -1 --format=%B | grep -q "^Qvault-On-Behalf-Of: bea"'
check "  and show says it" sh -c 'q --key bea.pem show DWG-X@A | grep -q "marking  ITAR, under 22 CFR 125.4(b)(9)"'
q --key bea.pem po add PO-1 --supplier acme --line "PN-1:5:DWG-X@A" --line "PN-2:5:DWG-1@A" > /dev/null
q --key sam.pem ack DWG-X@A > /dev/null
q --key eve.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
q --key bea.pem link DWG-X@A --lot L-1 > /dev/null

# ---- eve (acme, no attestation) sees nothing of DWG-X through the API -------------
# absent DESC PATH TOKEN: PATH answers 404 exactly as its DWG-NONE does
absent() {
	if api 404 GET "$2" "$3" && cp body.json x.json &&
		api 404 GET "$(printf %s "$2" | sed 's/DWG-X/DWG-NONE/')" "$3" &&
		sed 's/DWG-NONE/DWG-X/g' body.json | cmp -s - x.json; then
		_pass "$1"
	else
		_fail "$1" "$(head -c 300 x.json)" "$(head -c 300 body.json)"
	fi
}
# reads_none DESC PATH TOKEN: PATH answers 200, naming no DWG-X
reads_none() {
	if api 200 GET "$2" "$3" && lacks "DWG-X"; then
		_pass "$1"
	else
		_fail "$1" "$(head -c 300 body.json)"
	fi
}
reads_none "API, eve: GET documents names no DWG-X" documents "$EVE"
absent "  GET documents/DWG-X: 404 as a document that does not exist" documents/DWG-X "$EVE"
absent "  GET documents/DWG-X/A" documents/DWG-X/A "$EVE"
absent "  GET documents/DWG-X/A/files/1 (the download)" documents/DWG-X/A/files/1 "$EVE"
absent "  GET documents/DWG-X/A/acks" documents/DWG-X/A/acks "$EVE"
absent "  GET documents/DWG-X/A/trace" documents/DWG-X/A/trace "$EVE"
reads_none "  GET inbox: nothing of DWG-X to acknowledge" inbox "$EVE"
reads_none "  GET events (the change feed): not its release, nor sam's acknowledgment of it" events "$EVE"
reads_none "  GET pos/PO-1/acks: no acknowledgment of it" pos/PO-1/acks "$EVE"
check "  GET lots/L-1: no document attached, no acknowledgment; the PO line names DWG-X@A" sh -c "
	curl -sf -H 'Authorization: Bearer $EVE' '${URL}lots/L-1' > l.json &&
	jq -e '.documents == [] and .acknowledgment == null and .po_line.doc == \"DWG-X\"' l.json > /dev/null &&
	! grep -q 'ITAR\\|itar.pdf\\|sam' l.json"
check "  GET pos/PO-1/trace: its lines, no document and no acknowledgment of DWG-X" sh -c "
	curl -sf -H 'Authorization: Bearer $EVE' '${URL}pos/PO-1/trace' > t.json &&
	jq -e '(.documents | map(.doc) | index(\"DWG-X\")) == null and
		(.acknowledgments | map(.doc) | index(\"DWG-X\")) == null' t.json > /dev/null"
reads_none "  GET audit: nothing of DWG-X" audit "$EVE"
check "  GET pos/PO-1: the line names DWG-X@A (the order, decided before), nothing more" sh -c "
	curl -sf -H 'Authorization: Bearer $EVE' '${URL}pos/PO-1' > po.json &&
	jq -e '[.lines[] | .doc + \"@\" + .rev] == [\"DWG-X@A\", \"DWG-1@A\"]' po.json > /dev/null &&
	! grep -q 'ITAR\|itar.pdf' po.json"
absent "  GET documents/DWG-X/A/statement (what an acknowledgment would sign)" \
	documents/DWG-X/A/statement "$EVE"
reads_none "zed (zenith, not cleared): GET documents names no DWG-X" documents "$ZED"
absent "  GET documents/DWG-X/A/files/1" documents/DWG-X/A/files/1 "$ZED"
check "no refused download was journalled" evalq "[ $(entries) = 0 ]"

# ---- every download of the marked revision is journalled, by its front end --------
# fetch TOKEN: DWG-X@A's file through the API, which must be itar.pdf
fetch() { curl -sf -H "Authorization: Bearer $1" "${URL}documents/DWG-X/A/files/1" | cmp -s - itar.pdf; }
ok "API: sam (a U.S. person of acme) downloads DWG-X@A" fetch "$SAM"
check "  journalled: sam of acme, via api, cat, DWG-X@A's file" entry 1 'e["seq"]' 1 \
	'e["user"]' sam 'e["org"]' acme 'e["via"]' api 'e["how"]' cat 'e["doc"]' DWG-X \
	'e["rev"]' A 'e["file"]' itar.pdf 'e["marking"]' ITAR
ok "  the same download again (the server keeps copies of files it sent)" fetch "$SAM"
check "  is a second entry: a marked file is never sent from the copies" evalq "[ $(entries) = 2 ]"
check "  a range of it is a download too" sh -c "
	curl -sf -r 0-3 -H 'Authorization: Bearer $SAM' '${URL}documents/DWG-X/A/files/1' | grep -q PDF &&
	[ \$(wc -l < $J) = 3 ]"
check "  a buyer's download (the buying side sees every marked revision): journalled as bea's" evalq "
	fetch '$BEA' && python3 entry.py $J 4 'e[\"user\"]' bea 'e[\"org\"]' owner 'e[\"via\"]' api"
serves_stop
SERVES=

# a journal the HTTP side could write, when it does: the writer writes it
ok "verify accepts the journal written by the writer" q --key "$TMP/admin.pem" verify

# ---- serve --user: the HTTP side runs as nobody, which cannot sign nor write ------
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	chmod -R go+rX v
	chmod 600 v/qvault/server.pem
	chmod 600 "$J"
	serve_start --user nobody
	before=$(entries)
	ok "serve --user nobody: sam downloads DWG-X@A" fetch "$SAM"
	check "  journalled by the writer, as the vault's owner: via api, user sam" sh -c "
		[ \$(wc -l < $J) = $((before + 1)) ] &&
		python3 entry.py $J $((before + 1)) 'e[\"via\"]' api 'e[\"user\"]' sam 'e[\"how\"]' cat &&
		[ \$(stat -c %U $J) = root ]"
	check "  again: a second entry" evalq "
		fetch '$SAM' && python3 entry.py $J $((before + 2)) 'e[\"via\"]' api 'e[\"seq\"]' $((before + 2))"
	check "  eve still gets a 404 there, and no entry" sh -c "
		[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $EVE' \
			'${URL}documents/DWG-X/A/files/1')\" = 404 ] && [ \$(wc -l < $J) = $((before + 2)) ]"
	# the journal cannot be written (a folder in its place): nothing goes out
	mv "$J" j.keep && mkdir "$J"
	check "  a journal the writer cannot write: no byte goes out (403, the reason said)" sh -c "
		[ \"\$(curl -s -o b.json -w '%{http_code}' -H 'Authorization: Bearer $SAM' \
			'${URL}documents/DWG-X/A/files/1')\" = 403 ] &&
		jq -r .error b.json | grep -q \"^'DWG-X@A' is marked ITAR and its download cannot be journalled\""
	rmdir "$J" && mv j.keep "$J"
	serves_stop
	SERVES=
	ok "  verify accepts what it wrote" q --key "$TMP/admin.pem" verify
else
	_skip "serve --user needs root and the user nobody"
fi

# ---- qvault shell: eve sees nothing, sam's downloads are journalled ----------------
sh_as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
# as_absent DESC CMD... (DWG-X in CMD): CMD answers, exit code and message,
# exactly as for DWG-NONE, a document that does not exist
as_absent() {
	d=$1; shift
	"$@" > x.out 2> x.err; xrc=$?
	for w in "$@"; do set -- "$@" "$(printf %s "$w" | sed 's/DWG-X/DWG-NONE/g')"; shift; done
	"$@" > y.out 2> y.err; yrc=$?
	sed -i 's/DWG-NONE/DWG-X/g' y.out y.err
	if [ "$xrc" != "$yrc" ] || [ "$xrc" = 0 ] || ! cmp -s x.err y.err || ! cmp -s x.out y.out; then
		_fail "$d" "exit $xrc vs $yrc" "$(cat x.err y.err | head -4)"
	else
		_pass "$d"
	fi
}
before=$(entries)
as_absent "shell, eve: show DWG-X@A answers as for no document" sh_as eve show DWG-X@A
as_absent "  cat DWG-X@A" sh_as eve cat DWG-X@A
as_absent "  acks DWG-X" sh_as eve acks DWG-X
as_absent "  log DWG-X" sh_as eve log DWG-X
as_absent "  trace doc DWG-X@A" sh_as eve trace doc DWG-X@A
as_absent "  diff DWG-X@A" sh_as eve diff DWG-X@A
as_absent "  ack DWG-X@A" sh_as eve ack DWG-X@A
for c in list inbox pending audit log acks; do
	sh_as eve $c > s.out 2>&1
	check "  $c names no DWG-X" evalq "! grep -q 'DWG-X' s.out && ! grep -q ITAR s.out"
done
check "  trace po PO-1: DWG-X@A as its line's drawing only" sh -c '
	SSH_ORIGINAL_COMMAND="trace po PO-1" q -C v shell --user eve > s.out &&
	[ "$(grep -c DWG-X s.out)" = 1 ] && grep -q "line 1: 5 x PN-1 to DWG-X@A$" s.out'

check "  po show PO-1: its line names DWG-X@A, nothing of the revision" sh -c '
	SSH_ORIGINAL_COMMAND="po show PO-1" q -C v shell --user eve > s.out && grep -q "DWG-X@A" s.out &&
	! grep -q "ITAR\|itar.pdf" s.out'
check "  nothing of eve's was journalled" evalq "[ $(entries) = $before ]"
check "sam's shell: cat DWG-X@A gives the bytes, journalled via shell" sh -c "
	SSH_ORIGINAL_COMMAND='cat DWG-X@A' q -C v shell --user sam | cmp -s - itar.pdf &&
	python3 entry.py $J $((before + 1)) 'e[\"via\"]' shell 'e[\"user\"]' sam 'e[\"server\"]' qvault-server"
check "the CLI: sam's cat, journalled via cli" sh -c "
	q --key sam.pem cat DWG-X@A | cmp -s - itar.pdf &&
	python3 entry.py $J $((before + 2)) 'e[\"via\"]' cli 'e[\"user\"]' sam"

openapi_check "every answer of the API as schemas/openapi.json says"

# ---- the portal: a person's download with a passkey session -----------------------
if /usr/bin/python3 -c 'import cryptography' 2> /dev/null; then
	WA="/usr/bin/python3 $TESTS_DIR/../webauthn.py"
	ORIGIN=http://localhost:8443
	portal_users pat:acme:supplier pia:acme:supplier bob:owner:buyer
	q --key "$TMP/admin.pem" user attest pat --attestation us-person --expires "$LATER" > /dev/null
	before=$(entries)
	login pat 1
	check "portal: pat (a U.S. person of acme) downloads DWG-X@A" evalq '
		web 200 GET documents/DWG-X/A/files/1 && cmp -s body.json itar.pdf'
	check "  journalled via portal, as pat" entry "$((before + 1))" 'e["via"]' portal \
		'e["user"]' pat 'e["how"]' cat
	login pia 1
	check "pia (acme, no attestation): the page and the download are 404, no entry" evalq "
		web 404 GET documents/DWG-X/A && web 404 GET documents/DWG-X/A/files/1 &&
		[ \$(wc -l < $J) = $((before + 1)) ]"
	check "  her inbox, pending and documents pages name no DWG-X" evalq '
		web 200 GET inbox && lacks DWG-X && web 200 GET pending &&
		lacks DWG-X && web 200 GET documents && lacks DWG-X &&
		web 200 GET documents/DWG-1/A && lacks DWG-X'
	check "  the PO page names DWG-X@A on its line only, nothing of the revision" evalq '
		web 200 GET pos/PO-1 && grep -q "DWG-X" body.json && lacks "ITAR\|itar.pdf"'
	login bob 1
	# prelease STATUS TO MARKING: the portal's release form, as the page posts it
	prelease() { web "$1" POST release -F doc=DWG-P -F rev=A -F type=drawing -F "to=$2" \
		-F "marking=$3" -F "licence=LIC-9" -F "file=@itar.pdf"; }
	before_rel=$(git -C v rev-parse HEAD)
	check "portal: bob's release form, ITAR to zenith: refused (403), the reason on the page" evalq "
		prelease 403 zenith ITAR &&
		grep -q 'organization &#39;zenith&#39; holds no attestation in force that clears ITAR' body.json &&
		[ \$(git -C v rev-parse HEAD) = $before_rel ]"
	check "  to acme: released, marked, under its licence" evalq "
		prelease 303 acme ITAR && q --key bea.pem show DWG-P@A | grep -q 'marking  ITAR, under LIC-9'"
	serves_stop
	SERVES=
else
	_skip "no python3-cryptography: the portal's downloads are not tried"
fi

ok "verify: the journal of every front end holds" q --key "$TMP/admin.pem" verify
done_testing
