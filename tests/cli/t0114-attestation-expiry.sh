#!/bin/sh
# Attestations expire (issue 21, export control): `qvault audit` lists the
# attestations of users and organizations expired and expiring within the
# window it uses for certificates (--expiry-days, git config
# qvault.expiryDays), the latest of each (one renewed is no gap); the inbox
# tells a user of its own, and an admin of every one, to renew.  A
# supplier's audit gives its organization's own, never a co-worker's.
. "$(dirname "$0")/lib.sh"

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
day() { date -u -d "$1" +%Y-%m-%d; }
SOON=$(day '+5 days')
MID=$(day '+20 days')
LATER=$(day '+400 days')

vault_v sam:acme eve:acme zed:zenith
add_buyer bea
A="q --key $TMP/admin.pem"
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" org attest zenith --attestation us-org --expires "$SOON" > /dev/null
q --key "$TMP/admin.pem" org attest zenith --licence LIC-7 --covers EAR:9E003 --expires "$MID" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$SOON" > /dev/null
q --key "$TMP/admin.pem" user attest eve --attestation cui-trained --expires "$LATER" > /dev/null
export A

# gaps JSON [FILTER]: the attestation gaps of an audit's JSON, "STATE SUBJECT NAME WHAT EXPIRES" a line
gaps() {
	jq -r '.[] | select(.gap | startswith("attestation")) |
		"\(.state) \(.records.subject) \(.records.name) \(.records.attestation) \(.records.expires)"' "$1" |
		sort
}
$A audit --json > a.json
check "audit: the attestations expiring within the window (30 days), due, the latest of each" evalq "
	[ \"\$(gaps a.json)\" = \"\$(printf '%s\n' 'due org zenith licence EAR:9E003 $MID' \
		'due org zenith us-org $SOON' 'due user sam us-person $SOON' | sort)\" ]"
check "  named by kind, subject and organization" sh -c '
	jq -e "[.[] | select(.gap == \"attestation-expiring\" and .records.name == \"sam\")][0] |
		.records.org == \"acme\" and .what == \"attestation (export control) expires within the window\" and
		(.id | test(\"^attestation-expiring-[0-9a-f]{16}$\"))" a.json > /dev/null'
check "  due, not yet a gap: audit exits 0" sh -c '$A audit > a.txt && grep -q "^attestation-expiring .*us-person expires '"$SOON"' name sam" a.txt'
$A audit --json --expiry-days 10 > a10.json
check "  in the same window option: --expiry-days 10 leaves out the licence (20 days)" evalq "
	[ \"\$(gaps a10.json)\" = \"\$(printf '%s\n' 'due org zenith us-org $SOON' 'due user sam us-person $SOON' | sort)\" ]"
$A audit --json --expiry-days 2 > a2.json
check "  --expiry-days 2: none" evalq "[ -z \"\$(gaps a2.json)\" ]"
git -C v config qvault.expiryDays 500
$A audit --json > a500.json
check "  and git config qvault.expiryDays (500): every one" evalq "[ \$(gaps a500.json | wc -l) = 5 ]"
git -C v config --unset qvault.expiryDays
$A audit --json --org zenith > az.json
check "  --org zenith: zenith's only" evalq "[ \"\$(gaps az.json | cut -d' ' -f2-3 | sort -u)\" = 'org zenith' ]"
q --key eve.pem audit --json --expiry-days 500 > ae.json
check "a supplier's audit (eve of acme): its organization's own, no co-worker's nor its own user's" evalq "
	[ \"\$(gaps ae.json)\" = 'due org acme us-org $LATER' ]"
fails 1 "a supplier audits only its own organization" "  and not another's" \
	q --key eve.pem audit --org zenith --expiry-days 500
fails 2 "--expiry-days needs a number of days up to 3650" "  a window past ten years is refused" $A audit --expiry-days 4000

# ---- the inbox ---------------------------------------------------------------------
q --key sam.pem inbox --json > s.json
check "inbox: sam is told of its own U.S.-person attestation, expiring" sh -c "
	jq -e '[.[] | select(.action == \"attestation-expires\")] |
		length == 1 and .[0].subject == \"user sam: us-person\" and .[0].detail == \"expires $SOON\" and
		.[0].org == \"acme\"' s.json > /dev/null"
check "  eve (hers is a year away) and zed (none of its own) of none" sh -c '
	! q --key eve.pem inbox --json | grep -q attestation && ! q --key zed.pem inbox --json | grep -q attestation'
check "  nor a buyer" sh -c '! q --key bea.pem inbox --json | grep -q attestation'
$A inbox --json > ad.json
check "the admin is told of each one expiring, to renew it" evalq "
	[ \"\$(jq -r '.[] | select(.action == \"renew-attestation\") | .subject + \" \" + .detail' ad.json | sort)\" = \
	  \"\$(printf '%s\n' 'org zenith: licence EAR:9E003 expires $MID' 'org zenith: us-org expires $SOON' \
		'user sam: us-person expires $SOON' | sort)\" ]"
check "  in words, with what to do" sh -c '$A inbox | grep -q "renew-attestation .*user sam: us-person"'

# ---- the API: the same inbox ---------------------------------------------------------
if command -v curl > /dev/null; then
	SAM=$(tok --user sam)
	serve_start
	check "API: GET inbox gives sam its attestation expiring" sh -c "
		curl -sf -H 'Authorization: Bearer $SAM' '${URL}inbox' | grep -q '\"attestation-expires\"'"
	api 200 GET inbox "$SAM" > /dev/null
	openapi_check "  as schemas/openapi.json says"
	serves_stop
	SERVES=
else
	_skip "no curl: the API's inbox is not tried"
fi

# ---- renewed: no longer due ------------------------------------------------------------
ok "the admin renews sam's (a new record beside the first)" \
	$A user attest sam --attestation us-person --expires "$LATER"
check "  sam's inbox no longer asks" sh -c '! q --key sam.pem inbox --json | grep -q attestation'
check "  nor the admin's, for sam" sh -c '! $A inbox | grep -q "user sam"'
$A audit --json > a.json
check "  nor the audit" evalq "! gaps a.json | grep -q sam"

# ---- a waiver, by quality, of an attestation coming up ------------------------------------
id=$(jq -r '.[] | select(.gap == "attestation-expiring" and .records.attestation == "licence EAR:9E003") | .id' a.json)
ok "quality waives zenith's licence coming up (the renewal is in hand)" \
	q audit waive "$id" --reason "LIC-8 applied for" --until "$(day '+10 days')"
check "  listed as waived" sh -c "$A audit --json | jq -e '.[] | select(.id == \"$id\") | .state == \"waived\"' > /dev/null"
fails 1 "no audit gap 'attestation-expiring-0000000000000000'" "  a gap no attestation makes cannot be waived" \
	q audit waive attestation-expiring-0000000000000000 --reason x --until "$(day '+10 days')"

# ---- a revoked user's attestations are no one's to renew -------------------------------------
q --key "$TMP/admin.pem" user attest zed --attestation us-person --expires "$SOON" > /dev/null
check "zed's attestation is listed" sh -c '$A audit | grep -q "name zed"'
ok "  until zed is revoked" $A user revoke zed
check "  then it is not" sh -c '! $A audit | grep -q "name zed" && ! $A inbox | grep -q "user zed"'

# ---- expired: days on, under libfaketime (reads only) ------------------------------------------
if [ -r "$FAKETIME_LIB" ]; then
	later() { LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+10d \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"; }
	later $A audit --json > x.json 2> x.err
	check "ten days on: zenith's U.S.-organization attestation has expired, an open gap" evalq "
		gaps x.json | grep -qx 'open org zenith us-org $SOON'"
	check "  and audit exits 3 for it" sh -c '
		LD_PRELOAD='"$FAKETIME_LIB"' FAKETIME=+10d ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		$A audit > /dev/null 2>&1; [ $? = 3 ]'
	later $A inbox --json > xi.json 2> x.err
	check "  the admin's inbox says it expired" sh -c "
		jq -e '.[] | select(.subject == \"org zenith: us-org\") | .detail == \"expired $SOON\"' xi.json > /dev/null"
else
	_skip "no libfaketime (scripts/deps installs faketime): expiry is not tried"
fi
ok "verify holds" q --key "$TMP/admin.pem" verify
done_testing
