#!/bin/sh
# Receipts of ship notices and change orders forged with stock git and
# ssh-keygen by a registered buyer: verify re-checks a receipt against the
# notice it receives (its lots, their PO line and quantity shipped, the
# date) and a change order against what was received of each line, as the
# write path does.  Each forgery is signed with a valid key, so only the
# rule can catch it.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
for k in bob sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
add_supplier sam acme
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C --line PN-2:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
q --key sam.pem lot add L-2 --po PO-1 --part PN-2 --qty 10 > /dev/null
q --key sam.pem lot add L-3 --po PO-1 --part PN-1 --qty 10 > /dev/null
q --key sam.pem asn add --id ASN-1 --po PO-1 --ship-date 2099-01-02 \
	--package C-1:L-1:3 --package C-2:L-1:2 --package C-3:L-2:4 > /dev/null 2>&1
q --key sam.pem asn add --id ASN-2 --po PO-1 --ship-date 2099-01-02 --package C-1:L-3:5 > /dev/null 2>&1
ok "verify passes on the honest vault" q verify

A1="asns/$(dir_of ASN-1)/ASN-1"
P1="pos/$(dir_of PO-1)/PO-1"
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_bob VAULT OP MESSAGE SPEC...: signed by bob's ssh-keygen key, authored as bob
forge_bob() {
	fv=$1 fop=$2 fm=$3
	shift 3
	GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
		forge_commit "$fv" bob "$fm

Qvault-Op: $fop
Qvault-ASN: ASN-1" "$@"
}
# the receipt of ASN-1 as qvault writes it (by bob, everything as shipped)
jq -S --indent 2 -n --arg at "$AT" '{record: "receipt", format: 1, asn: "ASN-1", received: "2099-01-03",
	items: [{lot: "L-1", po: "PO-1", line: 1, shipped: 5, received: 5},
		{lot: "L-2", po: "PO-1", line: 2, shipped: 4, received: 4}],
	received_by: "bob", received_at: $at}' > receipt.json
# forge_receipt VAULT JQ: ASN-1's receipt, edited by JQ, committed by bob in VAULT
forge_receipt() {
	tamper "$1"
	jq -S --indent 2 "$2" receipt.json > "$1.json"
	forge_bob "$1" asn-receive "asn receive ASN-1" "$A1/receipt.json=$1.json"
}

forge_receipt r0 .
ok "control: a receipt forged as qvault writes it passes verify" q -C r0 verify
tamper w
q -C w asn receive ASN-1 --date 2099-01-03 > /dev/null
check "  and it is the receipt qvault writes (same lots, lines, quantities, date)" evalq '
	git -C w show "main:$A1/receipt.json" | jq -S "del(.received_by, .received_at)" > a &&
	jq -S "del(.received_by, .received_at)" receipt.json > b && cmp -s a b'

forge_receipt r1 '.items += [{lot: "L-3", po: "PO-1", line: 1, shipped: 5, received: 5}]'
check "a receipt naming a lot the notice does not list (another notice's) is caught" \
	culprit r1 "receipt.json.*lot 'L-3', which ship notice 'ASN-1' does not list"
forge_receipt r2 '.items += [{lot: "L-99", po: "PO-1", line: 1, shipped: 1, received: 1}]'
check "a receipt naming a lot that does not exist is caught" \
	culprit r2 "lot 'L-99', which ship notice 'ASN-1' does not list"
forge_receipt r3 '.items += [.items[0]]'
check "a receipt giving a lot twice (received twice over) is caught" \
	culprit r3 "adds lot 'L-1' of the receipt of ship notice 'ASN-1' a second time"
forge_receipt r4 '.items[0].shipped = 50'
check "a receipt whose quantity shipped is not the notice's is caught" \
	culprit r4 "lot 'L-1' is not what ship notice 'ASN-1' lists"
forge_receipt r5 '.items[1].line = 1'
check "a receipt moving a lot to another PO line is caught" \
	culprit r5 "lot 'L-2' is not what ship notice 'ASN-1' lists"
forge_receipt r6 '.items[1].po = "PO-9"'
check "a receipt moving a lot to another PO is caught" \
	culprit r6 "lot 'L-2' is not what ship notice 'ASN-1' lists"
forge_receipt r7 '.items[0].received = -5'
check "a receipt receiving a negative quantity is caught" culprit r7 "item 1 of the receipt is malformed"
forge_receipt r8 '.items[0].received = 1000000001'
check "a receipt receiving more than any quantity qvault takes is caught" \
	culprit r8 "item 1 of the receipt is malformed"
forge_receipt r9 '.items[0].received = "5"'
check "a receipt whose quantity is a string is caught" culprit r9 "item 1 of the receipt is malformed"
forge_receipt r10 '.items |= .[1:]'
check "a receipt leaving out a lot of the notice is caught" culprit r10 "leaves out lot 'L-1' of ship notice 'ASN-1'"
forge_receipt r11 '.received = "2099-01-01"'
check "a receipt dated before the ship date is caught" culprit r11 "2099-01-01 is before the ship date 2099-01-02"
forge_receipt r12 '.received = "not a date"'
check "a receipt whose date is no date is caught" culprit r12 "the receipt is malformed"
forge_receipt r13 '.extra = 1'
check "a receipt with a member qvault never writes is caught" culprit r13 "the receipt is malformed"
forge_receipt r14 '.items[0].evil = "<script>"'
check "a receipt item with a member qvault never writes is caught" culprit r14 "item 1 of the receipt is malformed"
forge_receipt r15 '.format = 2'
check "a receipt of another format is caught" culprit r15 "the receipt is malformed"
check "verify names the forged commit" evalq "grep -q \"\$(git -C r1 rev-parse --short=7 main)\" v.out || grep -q receipt.json v.out"

# ==== a change order cutting a line below what was received ======================
q asn receive ASN-1 --date 2099-01-03 > /dev/null
fails 1 "line 1: a quantity of 4 is below the 5 already received" \
	"the write path refuses a change order cutting line 1 below the 5 received" \
	q po change PO-1 --line 1 --qty 4 --reason "cut"
# (forged after the receipt: dated after it)
T=$(($(date -u +%s) + 1))
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
# change_json QTY: PO-1's first change order, by bob, line 1's quantity 10 -> QTY
change_json() {
	jq -S --indent 2 -n --arg at "$AT" --argjson q "$1" '{record: "po-change", format: 1, po: "PO-1",
		seq: 1, reason: "forged", summary: "line 1 quantity 10 -> \($q)", changed_by: "bob",
		org: "owner", changed_at: $at,
		lines: [{line: 1, part: "PN-1", qty: $q, doc: "DWG-1", rev: "C", state: "open"},
			{line: 2, part: "PN-2", qty: 10, doc: "DWG-1", rev: "C", state: "open"}]}'
}
forge_change() {
	tamper "$1"
	change_json "$2" > "$1.json"
	GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
		forge_commit "$1" bob "po change PO-1 (revision 1)

Qvault-Op: po-change
Qvault-PO: PO-1" "$P1/changes/000001-bob.json=$1.json"
}
forge_change c0 5
ok "control: a change order cutting line 1 to the 5 received passes verify" q -C c0 verify
forge_change c1 4
check "a change order cutting line 1 to 4, below the 5 received, is caught" \
	culprit c1 "line 1: a quantity of 4 is below the 5 already received"
forge_change c2 1
check "  and to 1" culprit c2 "line 1: a quantity of 1 is below the 5 already received"
# a line over-received (qvault records what arrived) keeps its quantity when
# a change order changes something else of the PO
tamper c3
q -C c3 asn receive ASN-2 --date 2099-01-03 --qty L-3:12 > /dev/null
T=$(($(date -u +%s) + 1))
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
change_json 10 | jq -S --indent 2 '.summary = "line 2 quantity 10 -> 11" | .lines[1].qty = 11' > c3.json
GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	forge_commit c3 bob "po change PO-1 (revision 1)

Qvault-Op: po-change
Qvault-PO: PO-1" "$P1/changes/000001-bob.json=c3.json"
ok "control: a change order leaving an over-received line as it was passes verify" q -C c3 verify

done_testing
