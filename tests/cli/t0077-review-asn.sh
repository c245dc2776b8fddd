#!/bin/sh
# Review of ship notice cancellations and replacements (issue 22) as a
# hostile supplier and as a peer site forging history with stock git and
# ssh-keygen: forged revisions/NNNNNN.json held to the rules of
# `asn add --replaces`, and a replacement and a cancellation of one notice
# never in one commit (the ledger counted both against the notice before).
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_buyer bob
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q po add PO-3 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 > /dev/null
q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 30 > /dev/null
q --key sam.pem lot add L-9 --po PO-3 --part PN-1 --qty 30 > /dev/null
for k in sid zoe bea; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add zoe --org zenith --role supplier --pubkey zoe.pub > /dev/null
q --key "$TMP/admin.pem" user add bea --org owner --role buyer --pubkey bea.pub > /dev/null
q --key sam.pem asn add --id A --po PO-1 --ship-date 2026-11-28 --package C-1:L-1:20 > /dev/null 2>&1
q --key sam.pem asn add --id B --po PO-1 --ship-date 2026-11-28 --package C-1:L-1:10 > /dev/null 2>&1
q --key sam.pem asn add --id R --po PO-1 --ship-date 2026-11-28 --package C-1:L-2:1 > /dev/null 2>&1
q --key sam.pem asn add --id X --po PO-1 --ship-date 2026-11-28 --package C-1:L-2:1 > /dev/null 2>&1
q --key sam.pem asn cancel X > /dev/null
q --key bob.pem asn receive R > /dev/null
ok "control: qvault's own history verifies" q verify

dir_of() { h=$(printf %s "$1" | sha256sum); echo "asns/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
# rev_json FILE ASN REVISION BY SUPPLIER PO LOT QTY: a replacement as qvault writes one
rev_json() {
	git -C v show "main:$(dir_of A)/asn.json" | jq -S --indent 2 --arg asn "$2" --argjson r "$3" \
		--arg by "$4" --arg sup "$5" --arg po "$6" --arg lot "$7" --argjson qty "$8" --arg at "$AT" \
		'.asn = $asn | .revision = $r | .created_by = $by | .created_at = $at | .supplier = $sup
		 | .po = $po | .packages = [{id: "C-9", lot: $lot, line: 1, part: "PN-1", qty: $qty}]' > "$1"
}
cancel_json() {
	jq -S --indent 2 -n --arg at "$AT" --arg by "$2" --arg asn "$3" \
		'{record: "asn-cancel", format: 1, asn: $asn, cancelled_by: $by, cancelled_at: $at}' > "$1"
}
# forge_as VAULT SIGNER|- OP ASN PATH=FILE...: a commit by SIGNER (sid, zoe, bea; - unsigned)
forge_as() {
	fv=$1 fs=$2 fop=$3 fasn=$4; shift 4
	rm -rf "$fv"; cp -a v "$fv"
	fo=acme; [ "$fs" = zoe ] && fo=zenith; [ "$fs" = bea ] && fo=owner
	GIT_AUTHOR_NAME=$fs GIT_AUTHOR_EMAIL=$fs@$fo GIT_COMMITTER_NAME=$fs GIT_COMMITTER_EMAIL=$fs@$fo \
		forge_commit "$fv" "$fs" "asn $fop $fasn

Qvault-Op: asn-$fop
Qvault-ASN: $fasn" "$@"
}

# ---- forged replacements (revisions/NNNNNN.json) --------------------------
rev_json r.json A 1 sid acme PO-1 L-2 20
forge_as f0 sid replace A "$(dir_of A)/revisions/000001.json=r.json"
ok "control: a replacement forged as qvault writes it passes verify" q -C f0 verify
forge_as f1 - replace A "$(dir_of A)/revisions/000001.json=r.json"
check "an unsigned replacement is caught" culprit f1 "the commit is not signed"
rev_json r.json A 1 bea acme PO-1 L-2 20
forge_as f2 bea replace A "$(dir_of A)/revisions/000001.json=r.json"
check "a replacement signed by a buyer is caught" culprit f2 "000001.json: user 'bea' may not replace ship notices"
rev_json r.json A 1 zoe zenith PO-1 L-2 20
forge_as f3 zoe replace A "$(dir_of A)/revisions/000001.json=r.json"
check "another organization's supplier replacing the notice is caught" \
	culprit f3 "000001.json: the replacement of ship notice 'A' names another supplier or PO"
rev_json r.json A 2 sid acme PO-1 L-2 20
forge_as f4 sid replace A "$(dir_of A)/revisions/000002.json=r.json"
check "a replacement leaving a gap (000002 without 000001) is caught" \
	culprit f4 "000002.json: the replacement of ship notice 'A' is not its revision 1"
rev_json r.json A 1 sid acme PO-3 L-9 20
forge_as f5 sid replace A "$(dir_of A)/revisions/000001.json=r.json"
check "a replacement moving the notice to another PO is caught" \
	culprit f5 "000001.json: the replacement of ship notice 'A' names another supplier or PO"
rev_json r.json X 1 sid acme PO-1 L-2 1
forge_as f6 sid replace X "$(dir_of X)/revisions/000001.json=r.json"
check "a replacement of a cancelled notice is caught" culprit f6 "replaces ship notice 'X', which was cancelled"
rev_json r.json R 1 sid acme PO-1 L-2 1
forge_as f7 sid replace R "$(dir_of R)/revisions/000001.json=r.json"
check "a replacement of a received notice is caught" culprit f7 "replaces ship notice 'R', which was received"
git -C v show "main:$(dir_of A)/asn.json" | jq -S --indent 2 --arg at "$AT" \
	'.asn = "N" | .created_by = "sid" | .created_at = $at | .packages[0].qty = 1' > n.json
rev_json r.json N 1 sid acme PO-1 L-2 1
forge_as f8 sid import N "$(dir_of N)/asn.json=n.json" "$(dir_of N)/revisions/000001.json=r.json"
check "a replacement in the commit of the notice it replaces is caught" \
	culprit f8 "replaces ship notice 'N', not recorded before it"
rev_json r.json A 1 sid acme PO-1 L-2 60
forge_as f10 sid replace A "$(dir_of A)/revisions/000001.json=r.json"
check "a replacement drawing more than its lot holds is caught" culprit f10 "lot 'L-2' holds 30, but 61 are drawn"
rev_json r.json A 1 sid acme PO-1 L-2 20
forge_as f11 sid cancel A "$(dir_of A)/revisions/000001.json=r.json"
check "a replacement under another operation's trailer is caught" \
	culprit f11 "Qvault-Op 'asn-cancel' does not name all it changed"

# ---- a package's line and part are its lot's ----------------------------------
# The index sums what was shipped by the line a package names: a forged
# notice naming another line (or a part that is not its lot's) took its
# quantity off the lot's line, whose open quantity then rose.
rev_json r.json A 1 sid acme PO-1 L-2 20
jq '.packages[0].line = 7' r.json > r3.json
forge_as g6 sid replace A "$(dir_of A)/revisions/000001.json=r3.json"
check "a replacement whose package names a line the PO has not is caught" \
	culprit g6 "000001.json: package 1: line 7 of PO 'PO-1' is not a line of lot 'L-2''s part 'PN-1'"
jq '.packages[0].part = "PN-X"' r.json > r4.json
forge_as g7 sid replace A "$(dir_of A)/revisions/000001.json=r4.json"
check "a replacement whose package names a part that is not its lot's is caught" \
	culprit g7 "000001.json: package 1: part 'PN-X' is not lot 'L-2''s part 'PN-1'"
git -C v show "main:$(dir_of A)/asn.json" | jq -S --indent 2 --arg at "$AT" \
	'.asn = "N" | .created_by = "sid" | .created_at = $at | .packages[0].qty = 1 | .packages[0].line = 2' > n.json
forge_as g8 sid add N "$(dir_of N)/asn.json=n.json"
check "  and so is a first notice naming another line" \
	culprit g8 "N/asn.json: package 1: line 2 of PO 'PO-1' is not a line of lot 'L-1''s part 'PN-1'"
pulls_refused v "line 7 of PO 'PO-1' is not a line" g6
V=v

# ---- a replacement and a cancellation of one notice in one commit ----------
# Both were checked against the notice before, and the ledger gave back
# what it drew twice: L-1 (A 20 + B 10 of 30) was counted at 0, and a
# later notice drawing 30 more of it passed verify and pull.
rev_json r.json A 1 sid acme PO-1 L-2 20
cancel_json c.json sid A
forge_as f9 sid import A "$(dir_of A)/revisions/000001.json=r.json" "$(dir_of A)/cancel.json=c.json"
check "a replacement and a cancellation of one notice in one commit are caught" \
	culprit f9 "000001.json: replaces ship notice 'A' in the commit that cancels it"
git -C v show "main:$(dir_of A)/asn.json" | jq -S --indent 2 --arg at "$AT" \
	'.asn = "C" | .created_by = "sid" | .created_at = $at | .packages[0].qty = 30' > cc.json
cp -a v v0; rm -rf v; cp -a f9 v
forge_as f12 sid add C "$(dir_of C)/asn.json=cc.json"
rm -rf v; mv v0 v
check "  and the notice drawing L-1 over what it holds after it (the ledger gives back A's 20 once)" \
	culprit f12 "asns/.*/C/asn.json: lot 'L-1' holds 30, but 40 are drawn from it in all"
pulls_refused v "replaces ship notice 'A' in the commit that cancels it" f9 f12
V=v

# ---- a PO line's pack size -------------------------------------------------
# (an explicit pack_size of 0 was taken as no pack, silently; -1 was said
# to be a bad line or qty; a CSV 0 was said to need "from 1")
pj() { printf '[{"po": "PO-P", "supplier": "acme", "lines": [{"line": 1, "part": "PN-1", "qty": 60, "doc": "DWG-1", "rev": "C", "pack_size": %s}]}]\n' "$1" > pp.json; }
pj 0
fails 1 "^qvault: 'pp.json': purchase order 1, line 1: a pack size is a whole number from 2 to 1000000000$" \
	"a JSON PO line with pack_size 0 is refused (not taken as no pack)" q po import pp.json
pj -1
fails 1 "purchase order 1, line 1: a pack size is a whole number from 2 to" "  and with pack_size -1" q po import pp.json
pj 9223372036854775807
fails 1 "purchase order 1, line 1: a pack size is a whole number from 2 to" "  and with a huge one" q po import pp.json
pj 1e3
fails 1 "purchase order 1, line 1: Expected integer, got real" "  and with 1e3" q po import pp.json
for ps in 0 0x10 1e3 -3 6.0 99999999999999999999; do
	printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size\nPO-C,acme,1,PN-1,120,DWG-1,C,,EA,CA,%s\n' "$ps" > pc.csv
	fails 1 "^qvault: 'pc.csv': row 2, field 'pack_size': '$ps' is not a whole number from 2 to 1000000000$" \
		"a CSV pack_size of $ps is refused" q po import pc.csv
done
done_testing
