#!/bin/sh
# Forecasts and their answers forged with stock git and ssh-keygen by
# registered users: verify holds each forecast and each answer to the
# rules the write path holds them to (who writes them, their buckets,
# their sequence, the revision an answer answers, the answering
# organization, the signature beside the answer).  Each forgery is signed
# with a valid key, so only the rule can catch it; the controls, forged
# exactly as qvault writes, pass.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
for k in bob sid zak; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add zak --org zenith --role supplier --pubkey zak.pub > /dev/null
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
cat > f.json <<'EOF'
[{"schedule": "forecast", "supplier": "acme", "part": "PN-1", "ship_to": "PLANT-1",
  "issued": "2026-11-30",
  "buckets": [{"start": "2026-11-30", "period": "weekly", "qty": 100, "status": "firm"},
              {"start": "2026-12-07", "period": "weekly", "qty": 120, "status": "firm"},
              {"start": "2026-12-14", "period": "weekly", "qty": 130, "status": "planning"}]}]
EOF
q --key bob forecast import f.json > /dev/null
q --key sid forecast ack PN-1@PLANT-1 --commit > /dev/null
jq '.[0].buckets[1].qty = 90' f.json > f2.json
q --key bob forecast import f2.json > /dev/null
ok "verify passes on the honest vault" q verify

F="forecasts/$(dir_of PN-1)/PN-1/acme/PLANT-1/forecast"
VID=$(git -C v show main:vault.json | jq -r .id)
FP_SID=$(ssh-keygen -lf sid.pub | cut -d' ' -f2)
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT WHO OP MESSAGE SPEC...: signed by WHO's ssh-keygen key, authored as WHO
forge_as() {
	fv=$1 fwho=$2 fop=$3 fm=$4
	shift 4
	case $fwho in bob) forg=owner ;; sid) forg=acme ;; *) forg=zenith ;; esac
	GIT_AUTHOR_NAME=$fwho GIT_AUTHOR_EMAIL=$fwho@$forg GIT_COMMITTER_NAME=$fwho GIT_COMMITTER_EMAIL=$fwho@$forg \
		forge_commit "$fv" "$fwho" "$fm

Qvault-Op: $fop" "$@"
}
# revision 3 as qvault writes it (by bob), edited by JQ, at PATH (default 000003.json)
git -C v show "main:$F/000002.json" | jq -S --indent 2 --arg at "$AT" \
	'.revision = 3 | .imported_at = $at' > rev3.json
forge_rev() {
	tamper "$1"
	jq -S --indent 2 "$2" rev3.json > "$1.json"
	forge_as "$1" "${4:-bob}" forecast-import "forecast import" "$F/${3:-000003.json}=$1.json"
}

forge_rev r0 .
ok "control: a revision forged as qvault writes it passes verify" q -C r0 verify
forge_rev r1 '.imported_by = "sid"' 000003.json sid
check "a forecast written by a supplier is caught" \
	culprit r1 "000003.json: user 'sid' may not import forecasts \(needs role buyer\)"
forge_rev r2 '.buckets[1].qty = -5'
check "a bucket with a negative quantity is caught" culprit r2 "000003.json.*bucket 2: quantity -5 is negative"
forge_rev r3 '.buckets[1].start = "2026-12-05" | .buckets[1].end = "2026-12-11"'
check "overlapping buckets are caught" culprit r3 "000003.json.*bucket 2: starts on 2026-12-05, before bucket 1 ends"
forge_rev r4 '.buckets |= [.[1], .[0], .[2]]'
check "buckets out of order are caught" culprit r4 "bucket 2: starts on 2026-11-30, before bucket 1 ends"
forge_rev r5 '.revision = 4' 000004.json
check "a revision out of sequence (4 after 2) is caught" \
	culprit r5 "000004.json.*revision 4 of the forecast of part 'PN-1' to 'PLANT-1' for 'acme' is out of sequence: 2 revisions came before it"
forge_rev r6 '.part = "PN-2"' 000003.json
check "a record whose revision is not its path's is caught" culprit r6 "is stored as"
forge_rev r7 '.buckets[2].end = "2026-12-31"'
check "an end its period does not imply is caught" culprit r7 "a weekly bucket from 2026-12-14 ends on its seventh day"
tamper r8
jq -S --indent 2 . rev3.json > r8.json
forge_as r8 bob po-add "po add" "$F/000003.json=r8.json"
check "a forecast under another Qvault-Op is caught" culprit r8 "the commit's Qvault-Op 'po-add' does not name all it changed \(a forecast\)"

# ---- answers --------------------------------------------------------------------
# the answer to revision 2 as qvault writes it (sid commits to the firm zone), edited by JQ
jq -n -S --indent 2 --arg at "$AT" --arg vid "$VID" --arg fp "$FP_SID" '{record: "forecast-ack",
	format: 1, schedule: "forecast", part: "PN-1", supplier: "acme", ship_to: "PLANT-1",
	revision: 2, seq: 2, decision: "commit",
	buckets: [{start: "2026-11-30", qty: 100}, {start: "2026-12-07", qty: 90}],
	org: "acme", signed_by: "sid", fingerprint: $fp, signed_at: $at, vault: $vid}' > ack.json
# forge_ack VAULT JQ [WHO [SIGNER [NAME]]]: the answer edited by JQ, signed (.sig) by
# SIGNER's key (default: WHO's; - none), committed by WHO (default sid) as acks/NAME
forge_ack() {
	tamper "$1"
	jq -S --indent 2 "$2" ack.json > "$1.json"
	fwho=${3:-sid} fsig=${4:-${3:-sid}} fname=${5:-000002-${3:-sid}.json}
	if [ "$fsig" = - ]; then
		forge_as "$1" "$fwho" forecast-ack "forecast ack" "$F/acks/$fname=$1.json"
	else
		ssh-keygen -q -Y sign -f "$fsig" -n qvault-forecast-ack < "$1.json" > "$1.sig"
		forge_as "$1" "$fwho" forecast-ack "forecast ack" "$F/acks/$fname=$1.json" \
			"$F/acks/$fname.sig=$1.sig"
	fi
}
forge_ack a0 .
ok "control: an answer forged as qvault writes it passes verify" q -C a0 verify
forge_ack a1 '.revision = 1 | .buckets[1].qty = 120'
check "an answer to an old revision is caught" \
	culprit a1 "the answer is of revision 1 of the forecast of part 'PN-1' to 'PLANT-1', whose latest was 2"
FP_ZAK=$(ssh-keygen -lf zak.pub | cut -d' ' -f2)
forge_ack a2 ".org = \"zenith\" | .signed_by = \"zak\" | .fingerprint = \"$FP_ZAK\"" zak
check "an answer by another organization is caught" \
	culprit a2 "user 'zak' of 'zenith' answers the forecast of part 'PN-1' for 'acme'"
forge_ack a3 . sid zak
check "an answer whose signature is not its signer's is caught" culprit a3 "000002-sid.json.sig: the record names 'sid' but 'zak' signed it"
forge_ack a4 . sid -
check "an answer without its signer's signature (not written by the server) is caught" \
	culprit a4 "not signed by its signer"
forge_ack a5 '.buckets[1].qty = 120'
check "a commitment to quantities the revision does not hold is caught" \
	culprit a5 "bucket 2026-12-07 is not a firm bucket of the revision it answers"
forge_ack a6 '.seq = 5' sid sid 000005-sid.json
check "an answer numbered past the count of answers is caught" culprit a6 "answer 5 of the forecast, which has 2"
forge_ack a7 '.signed_by = "bob"' sid
check "an answer naming another author than its signer is caught" culprit a7 "000002-sid.json: the record names 'bob' as its author, but 'sid' signed the commit"
tamper a8
jq -S --indent 2 . ack.json > a8.json
ssh-keygen -q -Y sign -f sid -n qvault-forecast-ack < a8.json > a8.sig
forge_as a8 bob forecast-ack "forecast ack" "$F/acks/000002-sid.json=a8.json" "$F/acks/000002-sid.json.sig=a8.sig"
check "an answer committed by the buyer is caught" culprit a8 "000002-sid.json: user 'bob' may not answer forecasts \(needs role supplier\)"

# ---- the index of a forged history is rebuilt and the finding stays ---------------
check "reindex of a forged vault, then verify still finds it" evalq '
	q -C a1 reindex > /dev/null 2>&1; culprit a1 "whose latest was 2"'

done_testing
