#!/bin/sh
# Attack: identifiers as they are, and export-control records forged with
# stock git and ssh-keygen.
#  - DOC@REV splits at its last '@': a document number may hold '@', a
#    revision may not (until now 'A' rev 'B@C' and 'A@B' rev 'C' were both
#    'A@B@C', the CLI taking one, the shell's ack-statement, a lot
#    import's docs and the portal's forms the other);
#  - names that encode alike or look alike stay apart; an overlong UTF-8
#    '/' is refused; an X12 separator in a supplier's ship notice number
#    never reaches an interchange;
#  - a peer site's forgeries (an attestation by a buyer, an expiry edited,
#    a release's marking removed in place, an attestation at another
#    name's path) fail verify and a pull; a clone holds no journal.
. "$(dirname "$0")/lib.sh"

LATER=$(date -u -d '+400 days' +%Y-%m-%d)
vault_v sam:acme eve:acme
# bob, a buyer, and ada, a second admin, whose keys stock ssh-keygen holds
ssh-keygen -q -t ed25519 -N '' -C bob -f bob
ssh-keygen -q -t ed25519 -N '' -C ada -f ada
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add ada --org owner --role admin --pubkey ada.pub > /dev/null
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
make_pdf a.pdf "drawing A@B rev C"
make_pdf x.pdf "an ITAR drawing"
E="q --key $TMP/eve.pem"
S="q --key $TMP/sam.pem"
export E S

# ---- DOC@REV ----------------------------------------------------------------------
fails 1 "revision 'B@C' contains '@', which ends a document number in DOC@REV" \
	"release: a revision holding '@' is refused (A@B@C would name document A@B)" \
	q release A --rev B@C a.pdf --to acme
fails 1 "revision 'B@C' contains '@'" "  add as well" q add a.pdf --doc A --type coc --rev B@C
ok "a document number holding '@' is a name: A@B rev C" q release A@B --rev C a.pdf --to acme
check "  show A@B@C is document A@B, revision C" sh -c '
	q show A@B@C --json | jq -e ".doc == \"A@B\" and .rev == \"C\"" > /dev/null'
check "  the shell's ack-statement of A@B@C is of document A@B, revision C" sh -c '
	SSH_ORIGINAL_COMMAND="ack-statement A@B@C" q shell --user sam > st.json &&
	jq -e ".predicate.document == \"A@B\" and .predicate.revision == \"C\"" st.json > /dev/null'
ok "  sam acknowledges it" $S ack A@B@C
q po add PO-1 --supplier acme --line "PN-1:50:A@B@C" > /dev/null
printf 'lot,po,part,qty,made,shipped,from,docs\nL-1,PO-1,PN-1,5,,,,A@B@C\n' > lots.csv
ok "  a lot import's docs field A@B@C" $S lot import lots.csv
check "  links document A@B, revision C" sh -c '
	$S trace lot L-1 --json | jq -e "[.documents[] | .doc + \"|\" + .rev] == [\"A@B|C\"]" > /dev/null'

# ---- names that encode or look alike ------------------------------------------------
ok "PO X/1 and PO X%2F1 (the first's encoding, as given) are two POs" sh -c '
	q po add X/1 --supplier acme --line "PN-1:1:A@B@C" > /dev/null &&
	q po add X%2F1 --supplier acme --line "PN-1:2:A@B@C" > /dev/null &&
	q po show X/1 --json | jq -e ".qty == 1" > /dev/null &&
	q po show X%2F1 --json | jq -e ".qty == 2" > /dev/null'
check "  stored at two paths" sh -c '
	git -C v ls-tree -r --name-only main | grep -c "/X%2F1/po.json\$\|/X%252F1/po.json\$" | grep -qx 2'
ok "po-1 and PO-1 are two POs (ASCII case kept)" q po add po-1 --supplier acme --line "PN-1:3:A@B@C"
fails 1 "lot .* is not valid UTF-8" "an overlong UTF-8 '/' (C0 AF) in a lot is refused" \
	$S lot add "$(printf 'L\300\257x')" --po PO-1 --part PN-1 --qty 1
fails 1 "PO number .* is not valid UTF-8" "  a '.' as an overlong C0 AE in a PO too" \
	q po add "$(printf '\300\256\300\256')" --supplier acme --line "PN-1:1:A@B@C"

# '.' and '..' as a whole name: a link's path cannot hold them (a browser, and
# curl, take them for steps, %2E spelled or not), so no record is named so
for dots in . ..; do
	fails 1 "PO number '$dots' is a path's step, not a name" "a PO numbered '$dots' is refused" \
		q po add "$dots" --supplier acme --line "PN-1:1:A@B@C"
	fails 1 "document number '$dots' is a path's step, not a name" "  a document numbered '$dots'" \
		q add a.pdf --doc "$dots" --type drawing
	fails 1 "lot '$dots' is a path's step, not a name" "  a lot numbered '$dots'" \
		$S lot add "$dots" --po PO-1 --part PN-1 --qty 1
done
ok "  '...' is still a name" q po add ... --supplier acme --line "PN-1:1:A@B@C"

# an X12 separator in a ship notice number: the 856 is refused naming it, never written
$S lot add 'L~2' --po PO-1 --part PN-1 --qty 5 > /dev/null
$S asn add --id 'ASN*1~ST' --po PO-1 --ship-date 2026-12-01 --package 'P1:L~2:5' > /dev/null 2>&1
fails 1 "ship notice 'ASN\*1~ST': BSN02 .* holds a character X12 cannot carry" \
	"asn export --x12: a notice numbered 'ASN*1~ST' is refused by name, no segment forged" \
	sh -c 'q asn export --x12 --control 5 2>&1 > x12.out | grep -v "warning:" >&2; exit 1'
check "  and nothing of it written" sh -c '! grep -q "ASN\*1" x12.out'

# ---- forgeries by a peer site -----------------------------------------------------
q --key bob release DWG-X --rev A x.pdf --to acme --marking ITAR > /dev/null
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
export SAMREC="attestations/users/sam/000001.json"
# as WHO: stock git's author and committer WHO@owner
as() { w=$1; shift; GIT_AUTHOR_NAME=$w GIT_AUTHOR_EMAIL=$w@owner GIT_COMMITTER_NAME=$w GIT_COMMITTER_EMAIL=$w@owner "$@"; }
# attest_json NAME BY EXPIRES: a user attestation as qvault writes it
attest_json() {
	printf '{\n  "attestation": "us-person",\n  "attested_at": "%s",\n  "attested_by": "%s",\n  "expires": "%s",\n  "format": 1,\n  "name": "%s",\n  "record": "attestation",\n  "subject": "user"\n}\n' \
		"$AT" "$2" "$3" "$1"
}

rm -rf f0; cp -a v f0
attest_json eve ada "$LATER" > f0.json
as ada forge_commit f0 ada "$(printf 'user attest eve: us-person until %s\n\nQvault-Op: attest' "$LATER")" \
	"attestations/users/eve/000001.json=f0.json"
ok "control: an attestation of eve by ada, an admin, forged as qvault writes it, passes verify" q -C f0 verify

rm -rf f1; cp -a v f1
attest_json eve bob "$LATER" > f1.json
as bob forge_commit f1 bob "$(printf 'user attest eve: us-person until %s\n\nQvault-Op: attest' "$LATER")" \
	"attestations/users/eve/000001.json=f1.json"
check "an attestation recorded by bob, a buyer: verify finds it" culprit f1 \
	"eve/000001.json: user 'bob' may not record attestations \\(needs role admin\\)"

rm -rf f2; cp -a v f2
git -C v show "main:$SAMREC" | sed 's/"expires": "[^"]*"/"expires": "2099-12-31"/' > f2.json
as ada forge_commit f2 ada "$(printf 'user attest sam: us-person until 2099-12-31\n\nQvault-Op: attest')" "$SAMREC=f2.json"
check "sam's attestation's expiry edited in place by ada, an admin: verify finds it" \
	culprit f2 "sam/000001.json.*rewrites a record"

rm -rf f3; cp -a v f3
export REL="docs/$(dir_of DWG-X)/DWG-X/A/release.json"
git -C v show "main:$REL" | jq 'del(.marking, .licence)' > f3.json
as bob forge_commit f3 bob "$(printf 'release DWG-X@A to acme\n\nQvault-Op: release')" "$REL=f3.json"
check "DWG-X@A's marking removed from its release in place by bob: verify finds it" \
	culprit f3 "DWG-X/A/release.json.*rewrites a record"

rm -rf f4; cp -a v f4
attest_json eve ada "$LATER" > f4.json
as ada forge_commit f4 ada "$(printf 'user attest eve: us-person until %s\n\nQvault-Op: attest' "$LATER")" \
	"attestations/users/ev%65/000001.json=f4.json"
check "an attestation of eve at ev%65 (an over-encoded name): verify finds it" culprit f4 "ev%65/000001.json: adds an unexpected path"
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
pulls_refused v "eve/000001.json|sam/000001.json|DWG-X/A/release.json|ev%65" f1 f2 f3 f4

# ---- a token over other bytes, swapped into a release commit -------------------------
# (the commit re-signed by bob, who released, as dated and authored as it was)
. "$TESTS_DIR/tsa.sh"
if command -v openssl > /dev/null && command -v python3 > /dev/null && [ -r "$TSA_FAKETIME_LIB" ] &&
   tsa_start; then
	tsa_use v
	make_pdf t1.pdf "T1"
	make_pdf t2.pdf "T2"
	q --key bob release DWG-T1 --rev A t1.pdf --to acme > /dev/null
	q --key bob release DWG-T2 --rev A t2.pdf --to acme > /dev/null
	T1="docs/$(dir_of DWG-T1)/DWG-T1/A/release.json.tsr"
	T2="docs/$(dir_of DWG-T2)/DWG-T2/A/release.json.tsr"
	# swap_token VAULT TOKEN: HEAD's commit again with TOKEN as DWG-T2's
	swap_token() {
		rm -rf "$1"; cp -a v "$1"
		GIT_DIR=$1 GIT_INDEX_FILE=$TMP/forge.index git read-tree HEAD
		GIT_DIR=$1 GIT_INDEX_FILE=$TMP/forge.index git update-index --cacheinfo \
			"100644,$(GIT_DIR=$1 git hash-object -w "$2"),$T2"
		ftree=$(GIT_DIR=$1 GIT_INDEX_FILE=$TMP/forge.index git write-tree)
		rm -f "$TMP/forge.index"
		git -C "$1" log -1 --format=%B > "$TMP/forge.msg"
		fc=$(eval "$(git -C "$1" log -1 --format='export GIT_AUTHOR_NAME=%an GIT_AUTHOR_EMAIL=%ae GIT_AUTHOR_DATE="%ad" GIT_COMMITTER_NAME=%cn GIT_COMMITTER_EMAIL=%ce GIT_COMMITTER_DATE="%cd"' --date=raw)" &&
			git -C "$1" -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$ftree" -p HEAD^ -F "$TMP/forge.msg")
		git -C "$1" update-ref refs/heads/main "$fc"
	}
	git -C v show "main:$T1" > other.tsr
	git -C v show "main:$T2" > own.tsr
	swap_token f6 own.tsr
	ok "control: DWG-T2's release re-signed by bob with its own token passes verify" q -C f6 verify
	swap_token f5 other.tsr
	check "DWG-T2's release with DWG-T1's token beside it: verify finds it" \
		culprit f5 "DWG-T2/A/release.json.tsr: the timestamp token is for other bytes"
	pulls_refused v "DWG-T2/A/release.json.tsr" f5
else
	_skip "no openssl, python3 or libfaketime: the token forgery is not tried"
fi

# ---- an outsider with a clone -----------------------------------------------------
$S cat DWG-X@A > /dev/null
git clone -q --bare v clone.git
check "a clone holds the markings and attestations (signed records, as replicas must)" sh -c '
	git -C clone.git show "main:$REL" | jq -e ".marking == \"ITAR\"" > /dev/null &&
	git -C clone.git show "main:$SAMREC" | jq -e ".name == \"sam\"" > /dev/null'
check "  but no access journal (it is the site's, outside git)" sh -c '
	[ -s v/qvault/journal ] && ! git -C clone.git ls-tree -r --name-only main | grep -q journal &&
	! ls clone.git/qvault 2> /dev/null | grep -q journal'
V=v
ok "verify holds" q verify
done_testing
