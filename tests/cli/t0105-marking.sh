#!/bin/sh
# Export-controlled technical data (issue 21): a revision released with
# --marking ITAR (EAR:ECCN, EAR99, CUI) reaches only the supplier users
# whose attestations cover it, by every command and front end (the CLI,
# qvault shell, the API): to any other supplier user it answers exactly as
# a document that does not exist.  A marked release to an organization not
# cleared is refused, the vault unchanged; an expired attestation stops
# access; attestations are an admin's signed records, checked by verify.
. "$(dirname "$0")/lib.sh"

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
day() { date -u -d "$1" +%Y-%m-%d; }
SOON=$(day '+5 days')
LATER=$(day '+400 days')

# acme: sam (a U.S. person) and eve (no attestation); zenith: zed, not cleared
vault_v sam:acme eve:acme zed:zenith
add_buyer bea
make_pdf open.pdf "an unmarked drawing"
make_pdf itar.pdf "an ITAR drawing"
make_pdf ear.pdf "an EAR drawing"
make_pdf cui.pdf "a CUI spec"
q --key bea.pem release DWG-1 --rev A open.pdf --to acme,zenith > /dev/null

# ---- attestations: an admin's, one signed commit each -----------------------
fails 1 "may not record attestations|needs role admin" "attest: a buyer may not" \
	q --key bea.pem org attest acme --attestation us-org --expires "$LATER"
fails 1 "unknown attestation 'us-persn' of a user" "attest: an unknown attestation" \
	q --key "$TMP/admin.pem" user attest sam --attestation us-persn --expires "$LATER"
fails 1 "unknown attestation 'us-person' of an organization" "  a user's attestation of an organization" \
	q --key "$TMP/admin.pem" org attest acme --attestation us-person --expires "$LATER"
fails 2 "--expires is required" "  without an expiry" \
	q --key "$TMP/admin.pem" user attest sam --attestation us-person
fails 1 "expiry date .* is before today" "  one already expired" \
	q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires 2020-01-01
fails 1 "no user 'nobody'" "  of a user not recorded" \
	q --key "$TMP/admin.pem" user attest nobody --attestation us-person --expires "$LATER"
fails 1 "no user belongs to organization 'nowhere'" "  of an organization not recorded" \
	q --key "$TMP/admin.pem" org attest nowhere --attestation us-org --expires "$LATER"
fails 1 "a licence names its number .* and the marking it covers" "  a licence covering nothing" \
	q --key "$TMP/admin.pem" org attest zenith --licence DSP-5:123 --expires "$LATER"
fails 1 "'9X999' is no ECCN" "  a licence of a malformed ECCN" \
	q --key "$TMP/admin.pem" org attest zenith --licence LIC-1 --covers EAR:9X999 --expires "$LATER"
ok "attest: acme is a U.S. organization" \
	q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER"
ok "  sam a U.S. person, until soon" \
	q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$SOON"
ok "  and CUI-trained" \
	q --key "$TMP/admin.pem" user attest sam --attestation cui-trained --expires "$LATER"
ok "  acme safeguards CUI" \
	q --key "$TMP/admin.pem" org attest acme --attestation cui-safeguarding --expires "$LATER"
ok "  zenith holds an EAR licence of 9E003 (its foreign persons may see 9E003 only)" \
	q --key "$TMP/admin.pem" org attest zenith --licence LIC-77 --covers EAR:9E003 --expires "$LATER"
check "  each one commit, Qvault-Op: attest, signed by the admin" sh -c '
	test "$(git -C v log --format=%B | grep -c "^Qvault-Op: attest$")" = 5 &&
	git -C v log -1 --format=%an | grep -qx admin'

# ---- marked releases ----------------------------------------------------------
fails 1 "unknown marking 'SECRET'" "release: an unknown marking" \
	q --key bea.pem release DWG-X --rev A itar.pdf --to acme --marking SECRET
fails 1 "'9E03' is no ECCN" "  an EAR marking without a well-formed ECCN" \
	q --key bea.pem release DWG-X --rev A itar.pdf --to acme --marking EAR:9E03
fails 1 "a licence is given with a marking" "  a licence with no marking" \
	q --key bea.pem release DWG-X --rev A itar.pdf --to acme --licence DSP-5:1
fails 1 "organization 'zenith' holds no attestation in force that clears ITAR" \
	"  ITAR to an organization without attestation: refused, nothing written" \
	q --key bea.pem release DWG-X --rev A itar.pdf --to acme,zenith --marking ITAR
fails 1 "organization 'zenith' holds no attestation in force that clears EAR:5A002" \
	"  EAR to an organization licensed for another ECCN" \
	q --key bea.pem release DWG-E --rev A ear.pdf --to zenith --marking EAR:5A002
fails 1 "organization 'zenith' holds no attestation in force that clears CUI" \
	"  CUI to an organization that does not safeguard it" \
	q --key bea.pem release SPEC-C --rev A cui.pdf --type spec --to zenith --marking CUI
ok "release: ITAR to acme, with its exemption" \
	q --key bea.pem release DWG-X --rev A itar.pdf --to acme --marking ITAR \
	--licence "22 CFR 125.4(b)(9)"
ok "  EAR:9E003 to zenith and acme" \
	q --key bea.pem release DWG-E --rev A ear.pdf --to zenith,acme --marking EAR:9E003
ok "  CUI to acme" q --key bea.pem release SPEC-C --rev A cui.pdf --type spec --to acme --marking CUI
ok "  EAR99 to zenith: no attestation needed" \
	q --key bea.pem release DWG-9 --rev A open.pdf --to zenith --marking EAR99
check "  the marking is in the signed release record" sh -c '
	git -C v show HEAD~3:$(git -C v show --name-only --format= HEAD~3 | grep release.json) |
	grep -q "\"marking\": \"ITAR\"" && git -C v show HEAD~3 --format=%B -s | grep -q "^Qvault-Op: release$"'
check "  show says it to the buyer" sh -c '
	q --key bea.pem show DWG-X@A | grep -q "marking  ITAR, under 22 CFR 125.4(b)(9)" &&
	q --key bea.pem show DWG-X@A --json | jq -e ".release.marking == \"ITAR\""'

# ---- who sees what: the CLI ------------------------------------------------------
E="q --key $TMP/eve.pem"
S="q --key $TMP/sam.pem"
Z="q --key $TMP/zed.pem"
export E S Z
# as_absent DESC CMD... (DWG-X in CMD): CMD answers, exit code and message,
# exactly as for DWG-NONE, a document that does not exist
as_absent() {
	d=$1; shift
	"$@" > x.out 2> x.err; xrc=$?
	for w in "$@"; do set -- "$@" "$(printf %s "$w" | sed 's/DWG-X/DWG-NONE/g')"; shift; done
	"$@" > y.out 2> y.err; yrc=$?
	sed -i 's/DWG-NONE/DWG-X/g' y.out y.err
	if [ "$xrc" != "$yrc" ] || ! cmp -s x.err y.err || ! cmp -s x.out y.out; then
		_fail "$d" "exit $xrc vs $yrc" "$(cat x.err y.err | head -4)"
	else
		_pass "$d"
	fi
}
check "eve (acme, no attestation): list shows none of the marked" sh -c '
	$E list > l.txt && grep -q "^DWG-1 " l.txt && ! grep -q "DWG-X\|DWG-E\|SPEC-C" l.txt'
as_absent "  show DWG-X: as a document that does not exist" $E show DWG-X
as_absent "  show DWG-X@A, --json" $E show DWG-X@A --json
as_absent "  cat DWG-X@A" $E cat DWG-X@A
as_absent "  trace doc DWG-X@A" $E trace doc DWG-X@A
as_absent "  log DWG-X" $E log DWG-X
as_absent "  acks DWG-X" $E acks DWG-X
as_absent "  ack DWG-X@A" $E ack DWG-X@A
as_absent "  export --doc DWG-X@A" $E export --doc DWG-X@A -o x.zip
check "  inbox and pending name none of the marked" sh -c '
	$E inbox > i.txt && grep -q "DWG-1@A" i.txt && ! grep -q "DWG-X\|DWG-E\|SPEC-C" i.txt &&
	$E pending > p.txt && ! grep -q "DWG-X\|DWG-E\|SPEC-C" p.txt'
check "  audit neither" sh -c '$E audit > a.txt; ! grep -q "DWG-X\|DWG-E\|SPEC-C" a.txt'
check "sam (a U.S. person of acme): sees each, the marking said" sh -c '
	$S list > l.txt && grep -q "^DWG-X " l.txt && grep -q "^DWG-E " l.txt && grep -q "^SPEC-C " l.txt &&
	$S show DWG-X@A | grep -q "marking  ITAR"'
check "  cat gives the bytes" sh -c '$S cat DWG-X@A | cmp -s - itar.pdf'
check "  and its inbox asks an acknowledgment of each" sh -c '
	$S inbox > i.txt && grep -q "DWG-X@A" i.txt && grep -q "SPEC-C@A" i.txt'
ok "  which it gives" $S ack DWG-X@A
# a TSA configured after sam's acknowledgment: audit's no-timestamp names
# it to sam, not to eve of the same organization, who may not see DWG-X
git -C v config qvault.tsa http://127.0.0.1:9/
git -C v config qvault.tsaCert /dev/null
check "  a TSA configured since: sam's audit names its acknowledgment without a token" sh -c '
	$S audit > a.txt; grep -q "no-timestamp.*DWG-X@A" a.txt'
check "  eve's names none of the marked" sh -c '$E audit > a.txt; ! grep -q "DWG-X\|DWG-E\|SPEC-C" a.txt'
git -C v config --unset qvault.tsa
git -C v config --unset qvault.tsaCert
check "  sam's log shows its acknowledgment of DWG-X" sh -c '$S log > lg.txt; grep -q "ack DWG-X@A" lg.txt'
check "  eve's log, of the same organization, names none of the marked" sh -c '
	$E log > lg.txt; grep -q "DWG-1@A" lg.txt && ! grep -q "DWG-X\|DWG-E\|SPEC-C" lg.txt'
# the notifications a write mails (notify.c) are each user's inbox, as it sees it
q --key "$TMP/admin.pem" user set sam --email sam@acme.example > /dev/null
q --key "$TMP/admin.pem" user set eve --email eve@acme.example > /dev/null
make_pdf itar-b.pdf "an ITAR drawing, rev B"
q --key bea.pem release DWG-X --rev B itar-b.pdf --to acme --marking ITAR > /dev/null
check "a marked release mails sam, a U.S. person of acme, to acknowledge DWG-X@B" sh -c '
	grep -l "^To: .*<sam@acme.example>" v/outbox/*.eml | xargs grep -l "DWG-X@B" | grep -q .'
check "  and eve, of the same organization, nothing of it" sh -c '
	! grep -l "^To: .*<eve@acme.example>" v/outbox/*.eml | xargs -r grep -l "DWG-X" | grep -q .'
check "zed (zenith, licensed for 9E003, no U.S. person): DWG-E, not DWG-X" sh -c '
	$Z list > l.txt && grep -q "^DWG-E " l.txt && grep -q "^DWG-9 " l.txt && ! grep -q "DWG-X" l.txt &&
	$Z cat DWG-E@A | cmp -s - ear.pdf'
check "a buyer sees every marked revision" sh -c '
	q --key bea.pem list > l.txt && grep -q "^DWG-X " l.txt && grep -q "^SPEC-C " l.txt'

# ---- qvault shell ---------------------------------------------------------------
sh_as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
as_absent "shell: eve's show DWG-X, as one that does not exist" sh_as eve show DWG-X
as_absent "  cat DWG-X@A" sh_as eve cat DWG-X@A
as_absent "  trace doc DWG-X@A" sh_as eve trace doc DWG-X@A
check "  list and inbox leave it out" sh -c '
	SSH_ORIGINAL_COMMAND=list q -C v shell --user eve > l.txt && grep -q "^DWG-1 " l.txt &&
	! grep -q DWG-X l.txt && SSH_ORIGINAL_COMMAND=inbox q -C v shell --user eve > i.txt &&
	! grep -q DWG-X i.txt'
check "  sam's shell gives it" sh -c '
	SSH_ORIGINAL_COMMAND="cat DWG-X@A" q -C v shell --user sam | cmp -s - itar.pdf'

# ---- the API --------------------------------------------------------------------
if command -v curl > /dev/null; then
	EVE=$(tok --user eve)
	SAM=$(tok --user sam)
	serve_start
	# api_absent DESC PATH TOKEN: PATH answers as its DWG-NONE does
	api_absent() {
		api 404 GET "$2" "$3" && cp body.json x.json &&
		api 404 GET "$(printf %s "$2" | sed 's/DWG-X/DWG-NONE/')" "$3" &&
		sed 's/DWG-NONE/DWG-X/g' body.json | cmp -s - x.json
	}
	if api 200 GET documents "$EVE" && lacks DWG-X && grep -q DWG-1 body.json; then
		_pass "  GET documents: DWG-1, not DWG-X"
	else
		_fail "  GET documents: DWG-1, not DWG-X" "$(head -c 300 body.json)"
	fi
	ok "  GET documents/DWG-X: 404 as a document that does not exist" \
		api_absent x documents/DWG-X "$EVE"
	ok "  GET documents/DWG-X/A" api_absent x documents/DWG-X/A "$EVE"
	ok "  GET documents/DWG-X/A/files/1" api_absent x documents/DWG-X/A/files/1 "$EVE"
	ok "  GET documents/DWG-X/A/trace" api_absent x documents/DWG-X/A/trace "$EVE"
	if api 200 GET inbox "$EVE" && lacks DWG-X; then
		_pass "  GET inbox: nothing of DWG-X"
	else
		_fail "  GET inbox: nothing of DWG-X" "$(head -c 300 body.json)"
	fi
	check "  sam's token reads it, bytes and all" sh -c "
		curl -sf -H 'Authorization: Bearer $SAM' '${URL}documents/DWG-X/A/files/1' | cmp -s - itar.pdf"
	openapi_check "  every answer as the API document says"
	serves_stop
	SERVES=
else
	_skip "no curl: the API is not tried"
fi

# ---- an expired attestation stops access; the release of one expired is refused ----
if [ -r "$FAKETIME_LIB" ]; then
	# zenith a U.S. organization until soon (written now: a write ten days
	# on would date every later commit after it)
	q --key "$TMP/admin.pem" org attest zenith --attestation us-org --expires "$SOON" > /dev/null
	# ten days on, sam's U.S.-person attestation (until $SOON) has lapsed:
	# reads only, under libfaketime
	later() { LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+10d \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"; }
	later $S list > l.txt 2>&1
	check "expired: sam no longer sees DWG-X (ITAR needs us-person), SPEC-C still" sh -c '
		! grep -q "^DWG-X " l.txt && grep -q "^SPEC-C " l.txt'
	as_absent "  show DWG-X, as one that does not exist" later $S show DWG-X
	as_absent "  cat DWG-X@A" later $S cat DWG-X@A
	as_absent "  through the shell too" later sh_as sam cat DWG-X@A
	make_pdf itar2.pdf "ITAR B"
	fails 1 "organization 'zenith' holds no attestation in force that clears ITAR" \
		"  a release to an organization whose attestation expired is refused" \
		later q --key bea.pem release DWG-X --rev B itar2.pdf --to zenith --marking ITAR
	ok "  renewed (a new record beside the first)" \
		q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER"
	later $S list > l.txt 2>&1
	check "  sam sees it again then" grep -q "^DWG-X " l.txt
else
	_skip "no libfaketime (scripts/deps installs faketime): expiry is not tried"
fi

ok "verify: every attestation and marked release holds" q --key "$TMP/admin.pem" verify
done_testing
