#!/bin/sh
# Attacks on blanket orders and their releases (issue 17), forged with stock
# git and ssh-keygen keys around qvault: verify must find a release over the
# blanket's remaining quantity, by a supplier, of a line that is no blanket,
# numbered out of sequence, due outside the validity, of a cancelled PO; an
# acknowledgment of a release by another organization or of a release not
# recorded; a change order cutting a blanket below what was released or
# changing its terms; a blanket line with its validity reversed.  Each is
# checked against a control forged exactly as qvault writes it, which passes.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in bob sid gus; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add gus --org globex --role supplier --pubkey gus.pub > /dev/null
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,globex > /dev/null
q po add PO-B --supplier acme --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q po add PO-N --supplier acme --line PN-1:10:DWG-1@C:2027-01-01 > /dev/null 2>&1
q po add PO-X --supplier acme --line PN-1:10:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q po release PO-B --line 1 --qty 30 --due 2027-03-01 > /dev/null
q po cancel PO-X --reason gone > /dev/null
# PO-B: blanket line 1, 100 agreed, release 1 of 30 (70 remain); PO-N: no blanket; PO-X: cancelled

podir() { h=$(printf %s "$1" | sha256sum); echo "pos/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
PB=$(podir PO-B)
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT KEY ORG OP PO MESSAGE SPEC...: signed by KEY, authored as its user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4 fpo=$5 fm=$6
	shift 6
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop
Qvault-PO: $fpo" "$@"
}
# release_json PO NUMBER LINE QTY DUE BY ORG: a release record as qvault writes it
release_json() {
	jq -S --indent 2 -n --arg po "$1" --argjson r "$2" --argjson l "$3" --argjson qty "$4" \
		--arg due "$5" --arg by "$6" --arg org "$7" --arg at "$AT" \
		'{record: "po-release", format: 1, po: $po, release: $r, line: $l, part: "PN-1",
		  qty: $qty, due: $due, released_by: $by, org: $org, released_at: $at}'
}
# forge_release VAULT KEY ORG PO NUMBER LINE QTY DUE [FILE-NUMBER]
forge_release() {
	tamper "$1"
	release_json "$4" "$5" "$6" "$7" "$8" "$2" "$3" > "$1.json"
	forge_as "$1" "$2" "$3" po-release "$4" "po release $4 (release $5)" \
		"$(podir "$4")/releases/$(printf %06d "${9:-$5}").json=$1.json"
}

forge_release f0 bob owner PO-B 2 1 70 2099-12-31
ok "control: a release forged as qvault writes it (the whole of what remains) passes verify" q -C f0 verify

forge_release f1 bob owner PO-B 2 1 71 2027-03-01
check "a release over the blanket's remaining quantity is caught" \
	culprit f1 "a release of 71 is over the 70 remaining of line 1 of PO 'PO-B' \(100 agreed, 30 released\)"
forge_release f2 sid acme PO-B 2 1 10 2027-03-01
check "a release by a supplier is caught" culprit f2 "sid.*may not release against blanket orders"
forge_release f3 bob owner PO-N 1 1 5 2027-01-01
check "a release of a line that is no blanket is caught" culprit f3 "line 1 of PO 'PO-N' is no blanket order"
forge_release f4 bob owner PO-B 3 1 5 2027-03-01
check "a release numbered out of sequence is caught" \
	culprit f4 "the release is number 3 of PO 'PO-B', whose last was 1"
forge_release f5 bob owner PO-B 2 1 5 2027-03-01 7
check "a release stored under another number is caught" \
	culprit f5 "the release of PO 'PO-B' number 2 is stored as"
forge_release f6 bob owner PO-B 2 1 5 2100-01-01
check "a release due after the validity is caught" \
	culprit f6 "due date 2100-01-01 is outside the validity of line 1 of PO 'PO-B' \(2026-01-01 to 2099-12-31\)"
forge_release f7 bob owner PO-B 2 1 5 2025-12-31
check "a release due before the validity is caught" culprit f7 "due date 2025-12-31 is outside the validity"
forge_release f8 bob owner PO-X 1 1 5 2027-03-01
check "a release of a cancelled PO is caught" culprit f8 "PO 'PO-X' is cancelled"
tamper f9
release_json PO-B 2 1 5 2027-03-01 bob owner > f9.json
forge_as f9 bob owner po-add PO-B "po release PO-B (release 2)" "$PB/releases/000002.json=f9.json"
check "a release under another operation is caught" culprit f9 "Qvault-Op 'po-add'"
tamper f10
release_json PO-B 2 1 5 2027-03-01 bob owner | jq -S --indent 2 '.qty = -5' > f10.json
forge_as f10 bob owner po-release PO-B "po release PO-B (release 2)" "$PB/releases/000002.json=f10.json"
check "a release of a negative quantity is caught" culprit f10 "the release is malformed"
tamper f11
release_json PO-B 2 1 5 2027-03-01 tester owner > f11.json
forge_as f11 bob owner po-release PO-B "po release PO-B (release 2)" "$PB/releases/000002.json=f11.json"
check "a release naming another buyer than its signer is caught" culprit f11 "the record names 'tester' as its author, but 'bob' signed the commit"

# ---- acknowledgments of releases
ack_json() { # PO RELEASE SEQ BY ORG KEY.pub
	jq -S --indent 2 -n --arg po "$1" --argjson r "$2" --argjson seq "$3" --arg by "$4" --arg org "$5" \
		--arg at "$AT" --arg fp "$(ssh-keygen -lf "$6" | cut -d' ' -f2)" \
		'{record: "release-ack", format: 1, po: $po, release: $r, seq: $seq, revision: 0,
		  decision: "accepted", promise: "2027-02-20", org: $org, signed_by: $by,
		  fingerprint: $fp, signed_at: $at}'
}
tamper a0
ack_json PO-B 1 1 sid acme sid.pub > a0.json
forge_as a0 sid acme release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000001-sid.json=a0.json"
ok "control: a release acknowledgment forged as qvault writes it passes verify" q -C a0 verify
check "  and po show reads it" evalq "q -C a0 po show PO-B --json | jq -e '.releases[0].acknowledged == \"accepted\"' > /dev/null"
tamper a1
ack_json PO-B 1 1 gus globex gus.pub > a1.json
forge_as a1 gus globex release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000001-gus.json=a1.json"
check "a release acknowledgment by another organization is caught" \
	culprit a1 "user 'gus' of 'globex' answers PO 'PO-B' of 'acme'"
tamper a2
ack_json PO-B 5 1 sid acme sid.pub > a2.json
forge_as a2 sid acme release-ack PO-B "po ack PO-B release 5" "$PB/release-acks/000001-sid.json=a2.json"
check "an acknowledgment of a release not recorded is caught" \
	culprit a2 "release 5 of PO 'PO-B' was not recorded before it"
tamper a3
ack_json PO-B 1 1 sid acme sid.pub > a3.json
forge_as a3 sid acme po-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000001-sid.json=a3.json"
check "a release acknowledgment under the PO's operation is caught" culprit a3 "Qvault-Op 'po-ack'"
tamper a4
ack_json PO-B 1 1 bob owner bob.pub > a4.json
forge_as a4 bob owner release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000001-bob.json=a4.json"
check "a release acknowledgment by a buyer is caught" culprit a4 "bob.*may not acknowledge purchase orders"

# ---- the blanket itself
tamper b1
git -C v show "main:$PB/po.json" | jq -S --indent 2 --arg at "$AT" \
	'{created_at: $at, created_by: "bob", format: 1, po: "PO-R", record: "po", supplier: "acme",
	  lines: [.lines[0] | .blanket.valid_from = "2100-01-01"]}' > b1.json
forge_as b1 bob owner po-add PO-R "po add PO-R for acme" "$(podir PO-R)/po.json=b1.json"
check "a blanket line valid from after its end is caught" culprit b1 "line 1's blanket terms are malformed"
change_json() { # JQ: change order 1 of PO-B by bob, edited by JQ
	git -C v show "main:$PB/po.json" | jq -S --indent 2 --arg at "$AT" \
		'{changed_at: $at, changed_by: "bob", format: 1, org: "owner", po: "PO-B", reason: "forged",
		  record: "po-change", seq: 1, lines: [.lines[] | .state = "open"]}' | jq -S --indent 2 "$1"
}
tamper b2
change_json '.lines[0].qty = 29 | .summary = "line 1 quantity 100 -> 29"' > b2.json
forge_as b2 bob owner po-change PO-B "po change PO-B (revision 1)" "$PB/changes/000001-bob.json=b2.json"
check "a change order cutting a blanket below what was released is caught" \
	culprit b2 "line 1's quantity 29 is below the 30 released"
tamper b3
change_json '.lines[0].qty = 30 | .summary = "line 1 quantity 100 -> 30"' > b3.json
forge_as b3 bob owner po-change PO-B "po change PO-B (revision 1)" "$PB/changes/000001-bob.json=b3.json"
ok "  control: a change order cutting it to what was released passes" q -C b3 verify
tamper b4
change_json '.lines[0].blanket.valid_until = "2199-12-31" | .lines[0].qty = 101 | .summary = "line 1 quantity 100 -> 101"' > b4.json
forge_as b4 bob owner po-change PO-B "po change PO-B (revision 1)" "$PB/changes/000001-bob.json=b4.json"
check "a change order stretching a blanket's validity is caught" culprit b4 "line 1 changes its blanket terms"

# ---- a pull from a site holding a forgery is refused, the vault unchanged
pulls_refused v "over the 70 remaining|may not release|whose last was" f1 f2 f4
ok "the vault itself verifies" q -C v verify

done_testing
