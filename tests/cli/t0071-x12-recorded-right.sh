#!/bin/sh
# X12 856 ship notices recorded as they were meant (issue 22, "recorded
# wrongly today"): the part an item names (LIN) is checked against the
# lot's PO line; BSN01 cancels (01) or replaces (05) the notice of the
# same shipment id, as append-only records beside it, from X12, JSON and
# the CLI (asn cancel, asn add --replaces), and what is shipped counts the
# notice in force only; verify holds forged cancellations to the same
# rules.  Each interchange is written here from the 856 layout (ISA, GS,
# ST, BSN, HL S/O/P/I, PRF, MAN, LIN, SN1, REF*LT, SE, GE, IEA).
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
add_buyer bob
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line PN-2:5:DWG-1@C > /dev/null
q po add PO-3 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key zed.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 > /dev/null
q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 30 > /dev/null
q --key sam.pem lot add L-3 --po PO-1 --part PN-2 --qty 5 > /dev/null
q --key sam.pem lot add L-9 --po PO-3 --part PN-1 --qty 50 > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-9 --qty 10 > /dev/null

# notice PURPOSE ID LIN SN1-QTY LOT [PO]: a one-item notice (S/O/P/I)
notice() {
	printf '%s\n' "BSN*$1*$2*20261127*1200" 'HL*1**S' 'TD5**2*UPSN*M' 'DTM*011*20261127' \
		'HL*2*1*O' "PRF*${6:-PO-1}" 'HL*3*2*P' 'MAN*GM*CTN-1' 'HL*4*3*I' "LIN*$3" \
		"SN1**$4*EA" "REF*LT*$5" | x12
}
sql() { sqlite3 v/qvault/index.db "$1"; }
shipped() { q po show "$1" --json | jq -r ".lines[] | select(.line == $2) | .shipped"; }

# ---- LIN: the part an item names is the lot's part -------------------------
notice 00 SHIP-X '*BP*PN-2' 10 L-1 > wrong-part.856
fails 1 "'wrong-part.856': package 'CTN-1': names part 'PN-2', but lot 'L-1' is of part 'PN-1' of PO 'PO-1'$" \
	"an item whose LIN (BP) names another part of the PO than its lot's is refused" \
	q --key sam.pem asn import wrong-part.856
notice 00 SHIP-X '*BP*PN-77' 10 L-1 > not-on-po.856
fails 1 "names part 'PN-77', but lot 'L-1' is of part 'PN-1'" \
	"an item naming a part that is not on the PO is refused" q --key sam.pem asn import not-on-po.856
notice 00 SHIP-X '*PN*PN-2' 10 L-1 > pn.856
fails 1 "names part 'PN-2', but lot 'L-1'" "  and so by PN" q --key sam.pem asn import pn.856
notice 00 SHIP-X '*VP*V-2' 10 L-1 > vp.856
fails 1 "names part 'V-2', but lot 'L-1'" "  and by VP alone (the vendor's part, which the PO holds as the part)" \
	q --key sam.pem asn import vp.856
notice 00 SHIP-X '*IN*PN-2*UP*012345678905' 10 L-1 > in.856
fails 1 "names part 'PN-2', but lot 'L-1'" "  and by IN, beside a UPC" q --key sam.pem asn import in.856
cat > wrong-part.json <<'EOF'
{"asn": "J-1", "po": "PO-1", "ship_date": "2026-11-27",
 "packages": [{"id": "C-1", "lot": "L-1", "qty": 5, "part": "PN-2"}]}
EOF
fails 1 "package 'C-1': names part 'PN-2', but lot 'L-1' is of part 'PN-1'" \
	"a JSON ship notice naming another part is refused too" q --key sam.pem asn import wrong-part.json
notice 00 SHIP-U '*UP*012345678905' 1 L-1 > upc.856
ok "an item named by its UPC only (no part a PO line holds) is taken as its lot's part" \
	q --key sam.pem asn import upc.856
check "  recorded under the lot's part and line" \
	test "$(sql "SELECT line, part, qty FROM asn_items WHERE asn = 'SHIP-U'")" = "1|PN-1|1"
q --key sam.pem asn cancel SHIP-U > /dev/null
notice 00 SHIP-1 '*VP*V-7*BP*PN-1' 10 L-1 > ship1.856
ok "an item whose BP is the lot's part passes, whatever its VP" q --key sam.pem asn import ship1.856
check "  recorded as sent: 10 of line 1" test "$(shipped PO-1 1)" = 10

# ---- BSN01 05: a replacement of the notice of the same shipment id ---------
notice 00 SHIP-2 '*BP*PN-1' 30 L-2 > ship2.856
q --key sam.pem asn import ship2.856 > /dev/null
check "two notices ship 40 of line 1" test "$(shipped PO-1 1)" = 40
ASN1="asns/$(dir_of SHIP-1)/SHIP-1"
git -C v show "main:$ASN1/asn.json" > ship1-before.json
notice 05 SHIP-1 '*BP*PN-1' 20 L-1 > ship1-r.856
ok "a replacement (BSN01 05) of a notice in force is recorded (it was refused as existing)" \
	q --key sam.pem asn import ship1-r.856
check "  line 1 counts the notice in force only: 20 + 30, not 10 + 20 + 30" test "$(shipped PO-1 1)" = 50
check "  beside the first, which stays as it was (revisions/000001.json)" evalq '
	git -C v show "main:$ASN1/asn.json" | cmp -s - ship1-before.json &&
	test "$(git -C v show "main:$ASN1/revisions/000001.json" | jq -c "[.revision, .packages[0].qty]")" = "[1,20]"'
check "  asn show answers the replacement (revision 1, 20 shipped)" \
	test "$(q asn show SHIP-1 --json | jq -c '[.revision, .lots[0].shipped]')" = "[1,20]"
check "  the commit says what it is (Qvault-Op: asn-replace)" sh -c 'git -C v log -1 --format=%B | grep -q "^Qvault-Op: asn-replace"'
notice 05 SHIP-2 '*BP*PN-1' 30 L-2 > ship2-r.856
ok "a replacement shipping what the replaced one did passes (the replaced quantity is not counted twice)" \
	q --key sam.pem asn import ship2-r.856
check "  the line still shows 50 shipped" test "$(shipped PO-1 1)" = 50
notice 05 SHIP-404 '*BP*PN-1' 1 L-1 > r404.856
fails 1 "'r404.856': cannot replace ship notice 'SHIP-404': there is none$" \
	"a replacement of a notice that does not exist is refused" q --key sam.pem asn import r404.856
notice 05 SHIP-1 '*BP*PN-1' 1 L-9 PO-3 > rpo.856
fails 1 "cannot replace ship notice 'SHIP-1' of PO 'PO-1' by one of PO 'PO-3'" \
	"a replacement against another PO is refused" q --key sam.pem asn import rpo.856
notice 05 SHIP-1 '*BP*PN-1' 31 L-1 > rover.856
fails 1 "ships 31 of lot 'L-1', which has 30 left of 30|which holds 30" \
	"a replacement is held to the lot's quantity like a new notice" q --key sam.pem asn import rover.856
sed 's/ACMEMACHINING/ZENITHWORKS  /' ship1-r.856 > zr.856
fails 1 "cannot replace ship notice 'SHIP-1': there is none" \
	"another supplier's replacement finds no notice (another organization's is none)" \
	q --key zed.pem asn import zr.856
notice 06 SHIP-1 '*BP*PN-1' 20 L-1 > b06.856
fails 1 "X12 segment 4 \(BSN\): BSN01 '06' is not a purpose qvault takes \(00 original, 01 cancellation, 05 replacement\)" \
	"a purpose qvault does not take is refused by name" q --key sam.pem asn import b06.856
ok "the CLI replaces a notice too (asn add --replaces)" q --key sam.pem asn add --replaces SHIP-1 \
	--po PO-1 --ship-date 2026-11-28 --package CTN-9:L-1:15
check "  revision 2, 15 of L-1, line 1 at 45" evalq '
	test "$(q asn show SHIP-1 --json | jq -c "[.revision, .ship_date, .lots[0].shipped]")" = "[2,\"2026-11-28\",15]" &&
	test "$(shipped PO-1 1)" = 45 && git -C v log -1 --format=%B | grep -q "^Qvault-Op: asn-replace"'
fails 1 "user 'bob' may not send ship notices" "a buyer may not replace a notice" \
	q --key bob.pem asn add --replaces SHIP-1 --po PO-1 --ship-date 2026-11-28 --package CTN-9:L-1:25

# ---- BSN01 01: a cancellation names the notice it cancels --------------------
notice 01 SHIP-1 '*BP*PN-1' 25 L-1 > c1.856
ok "a cancellation (BSN01 01) of a notice in force is recorded (it was refused as existing)" \
	q --key sam.pem asn import c1.856
check "  line 1 no longer counts it: 30 shipped" test "$(shipped PO-1 1)" = 30
check "  beside the notice (cancel.json), which stays" evalq '
	test "$(git -C v show "main:$ASN1/cancel.json" | jq -r "[.record, .asn, .cancelled_by] | join(\" \")")" = "asn-cancel SHIP-1 sam" &&
	git -C v cat-file -e "main:$ASN1/asn.json" && git -C v cat-file -e "main:$ASN1/revisions/000002.json"'
check "  asn list says cancelled, asn show who cancelled it" evalq '
	test "$(q asn list --json | jq -r ".[] | select(.asn == \"SHIP-1\") | .state")" = cancelled &&
	test "$(q asn show SHIP-1 --json | jq -r .cancelled_by)" = sam'
ok "  its lot's quantity is free again: a new notice ships 20 of L-1 (15 + 20 is more than its 30)" \
	q --key sam.pem asn add --id SHIP-3 --po PO-1 --ship-date 2026-11-28 --package CTN-1:L-1:20
fails 1 "cannot cancel ship notice 'SHIP-1': it was cancelled$" "a second cancellation is refused" \
	q --key sam.pem asn import c1.856
fails 1 "^qvault: ship notice 'SHIP-1' was cancelled: nothing to receive$" "a receipt against a cancelled notice is refused" \
	q --key bob.pem asn receive SHIP-1
fails 1 "cannot replace ship notice 'SHIP-1': it was cancelled" "a cancelled notice cannot be replaced" \
	q --key sam.pem asn import ship1-r.856
notice 01 SHIP-404 '*BP*PN-1' 1 L-1 > c404.856
fails 1 "'c404.856': cannot cancel ship notice 'SHIP-404': there is none$" \
	"a cancellation of a notice that does not exist is refused (not recorded as a shipment)" \
	q --key sam.pem asn import c404.856
fails 1 "^qvault: cannot cancel ship notice 'SHIP-2': there is none$" \
	"another supplier cannot cancel a notice (another organization's is none)" q --key zed.pem asn cancel SHIP-2
fails 1 "^qvault: cannot cancel ship notice 'NOPE': there is none$" "asn cancel of an unknown notice" \
	q --key sam.pem asn cancel NOPE
ok "a buyer cancels a supplier's notice, with a reason" q --key bob.pem asn cancel SHIP-3 --reason "truck never left"
check "  its reason and canceller are shown; line 1 back to 30" evalq '
	test "$(q asn show SHIP-3 --json | jq -c "[.cancelled_by, .cancel_reason]")" = "[\"bob\",\"truck never left\"]" &&
	test "$(shipped PO-1 1)" = 30 && git -C v log -1 --format=%B | grep -q "^Qvault-Op: asn-cancel"'
check "  asn export (for an ERP) leaves the cancelled notices out, gives the replacement of one in force" evalq '
	test "$(q asn export | jq -r "[.[] | .asn + \":\" + (.qty | tostring)] | unique | join(\" \")")" = "SHIP-2:30"'
check "  asn show says so in words" sh -c 'q asn show SHIP-3 | head -1 | grep -Eq "; cancelled [0-9T:Z-]+ by bob: truck never left\$"'
q --key bob.pem asn receive SHIP-2 --date 2026-11-30 > /dev/null
fails 1 "cannot cancel ship notice 'SHIP-2': it was received$" "a received notice cannot be cancelled" \
	q --key sam.pem asn cancel SHIP-2
fails 1 "cannot replace ship notice 'SHIP-2': it was received" "  nor replaced" \
	q --key sam.pem asn import ship2-r.856
cat > cancel.json <<'EOF'
[{"cancels": "SHIP-U", "reason": "again"}]
EOF
fails 1 "cannot cancel ship notice 'SHIP-U': it was cancelled" "a JSON cancellation is held to the same rules" \
	q --key sam.pem asn import cancel.json
# ---- SN1 units: a PO line's unit of measure and its pack --------------------
printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size\nPO-4,acme,1,PN-1,120,DWG-1,C,,EA,CA,12\nPO-4,acme,2,PN-2,10,DWG-1,C,,LB,,\n' > po4.csv
ok "a CSV PO gives its lines a unit and a pack size (unit, pack_unit, pack_size)" q po import po4.csv
check "  po show answers them" test "$(q po show PO-4 --json | jq -c '[.lines[] | [.unit, .pack_unit, .pack_size]]')" = '[["EA","CA",12],["LB",null,null]]'
printf '%s\n' '[{"po": "PO-5", "supplier": "acme", "lines": [{"line": 1, "part": "PN-1", "qty": 60, "doc": "DWG-1", "rev": "C", "pack_size": 6}]}]' > po5.json
ok "  and a JSON one (pack_unit CA when left out)" q po import po5.json
check "  line 1 of PO-5: EA, packed 6 to a CA" test "$(q po show PO-5 --json | jq -c '.lines[0] | [.unit, .pack_unit, .pack_size]')" = '["EA","CA",6]'
printf 'po,supplier,line,part,qty,doc,rev,due,unit\nPO-6,acme,1,PN-1,10,DWG-1,C,,each\n' > bad-unit.csv
fails 1 "'bad-unit.csv': row 2: line 1: unit 'each' is not a unit of measure" "a unit that is not an X12 code is refused" \
	q po import bad-unit.csv
q --key sam.pem lot add L-41 --po PO-4 --part PN-1 --qty 120 > /dev/null
q --key sam.pem lot add L-42 --po PO-4 --part PN-2 --qty 10 > /dev/null
printf '%s\n' 'BSN*00*SHIP-41*20261127*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-4' 'HL*3*2*P' 'MAN*GM*CTN-41' \
	'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**2*CA' 'REF*LT*L-41' | x12 > cases.856
ok "an 856 in cases (SN1 2 CA) of a line packed 12 to a case is taken" q --key sam.pem asn import cases.856
check "  as 24 pieces, beside what was sent (2 CA); the line shows 24 shipped" evalq '
	test "$(sql "SELECT qty FROM asn_items WHERE asn = '"'SHIP-41'"'")" = 24 &&
	test "$(git -C v show "main:asns/$(dir_of SHIP-41)/SHIP-41/asn.json" | jq -c ".packages[0] | [.qty, .sent]")" = "[24,{\"qty\":2,\"unit\":\"CA\"}]" &&
	test "$(shipped PO-4 1)" = 24'
sed 's/SHIP-41/SHIP-42/; s/^SN1\*\*2\*CA/SN1**24.000*EA/' cases.856 > decimals.856
ok "an SN1 quantity written with decimals (24.000) is taken when whole" q --key sam.pem asn import decimals.856
check "  as 24" test "$(sql "SELECT qty FROM asn_items WHERE asn = 'SHIP-42'")" = 24
sed 's/SHIP-41/SHIP-43/; s/^SN1\*\*2\*CA/SN1**2.5*EA/' cases.856 > half.856
fails 1 "X12 segment [0-9]+ \(SN1\): SN102 '2.5' is not a whole quantity from 1$" "a quantity with a fraction is refused" \
	q --key sam.pem asn import half.856
sed 's/SHIP-41/SHIP-43/; s/^SN1\*\*2\*CA/SN1**2*BX/' cases.856 > boxes.856
fails 1 "package 'CTN-41': ships 2 BX of line 1 of PO 'PO-4', which is ordered in EA \(packed in CA\)$" \
	"a unit that is neither the line's nor its pack is refused" q --key sam.pem asn import boxes.856
sed 's/SHIP-41/SHIP-43/; s/PN-1/PN-2/; s/L-41/L-42/' cases.856 > lb.856
fails 1 "package 'CTN-41': ships 2 CA of line 2 of PO 'PO-4', which is ordered in LB and names no pack$" \
	"cases of a line that names no pack are refused (never counted as pounds)" q --key sam.pem asn import lb.856
sed 's/SHIP-41/SHIP-43/; s/^SN1\*\*2\*CA/SN1**9*CA/' cases.856 > over.856
fails 1 "ships 108 of line 1 of PO 'PO-4', which has 72 open of 120 ordered" \
	"the open quantity is counted in pieces (9 CA = 108)" q --key sam.pem asn import over.856
# ---- HL: each item and pack attributed to its real parent ----------------------
q --key sam.pem lot add L-81 --po PO-3 --part PN-1 --qty 10 > /dev/null
q --key sam.pem lot add L-82 --po PO-3 --part PN-1 --qty 10 > /dev/null
pkgs() { sql "SELECT group_concat(package || ':' || lot, ' ') FROM (SELECT package, lot FROM asn_items WHERE asn = '$1' ORDER BY lot)"; }
# head ID: BSN and the shipment and order levels of PO-3
head3() { printf '%s\n' "BSN*00*$1*20261127*1200" 'HL*1**S' 'HL*2*1*O' 'PRF*PO-3'; }
{ head3 HL-SOI; printf '%s\n' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-81' \
	'HL*4*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-82'; } | x12 > soi.856
ok "S/O/I (no packs): the file is taken" q --key sam.pem asn import soi.856
check "  each item in a package of its own (not all in the first item's)" test "$(pkgs HL-SOI)" = "HL3:L-81 HL4:L-82"
{ head3 HL-SOIP; printf '%s\n' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-81' 'HL*4*3*P' 'MAN*GM*00012345600000001' \
	'HL*5*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-82' 'HL*6*5*P' 'MAN*GM*00012345600000002'; } | x12 > soip.856
ok "S/O/I/P (a pack under each item): taken" q --key sam.pem asn import soip.856
check "  each item in the pack under it" test "$(pkgs HL-SOIP)" = "00012345600000001:L-81 00012345600000002:L-82"
{ head3 HL-PP; printf '%s\n' 'HL*3*2*P' 'MAN*GM*SSCC-A' 'MAN*CP*TRK-A' 'HL*4*2*P' 'MAN*GM*SSCC-B' \
	'HL*5*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-81' 'HL*6*4*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-82'; } | x12 > pp.856
ok "two packs, then their items each naming its pack (HL02): taken" q --key sam.pem asn import pp.856
check "  each item in its parent pack (not both in the last), named by its MAN*GM (not the later MAN*CP)" \
	test "$(pkgs HL-PP)" = "SSCC-A:L-81 SSCC-B:L-82"
{ head3 HL-BAD; printf '%s\n' 'HL*3*9*P' 'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-81'; } | x12 > orphan.856
fails 1 "X12 segment 8 \(HL\): HL02 '9' names no HL before it$" "an HL whose parent is not there is refused" \
	q --key sam.pem asn import orphan.856
{ head3 HL-BAD; printf '%s\n' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**2*EA' 'REF*LT*L-81' 'HL*4*3*P' 'MAN*GM*X1' 'HL*5*3*P' 'MAN*GM*X2'; } | x12 > split.856
fails 1 "item HL '3' has several packs under it and one quantity" "an item over several packs with one quantity is refused" \
	q --key sam.pem asn import split.856
q --key sam.pem asn add --id SHIP-6 --po PO-3 --ship-date 2026-11-28 --package CTN-1:L-9:1 > /dev/null 2>&1
ok "through qvault shell, a supplier cancels its notice" sh -c 'SSH_ORIGINAL_COMMAND="asn cancel SHIP-6" q -C v shell --user sam'
check "  cancelled, signed for sam" test "$(sql "SELECT cancelled_by FROM asns WHERE asn = 'SHIP-6'")" = sam
ok "verify passes on all of it" q verify
rm v/qvault/index.db
ok "the index rebuilds from the records" q reindex
check "  to the same quantities (line 1: 30; SHIP-1 cancelled at revision 2)" evalq '
	test "$(shipped PO-1 1)" = 30 &&
	test "$(sql "SELECT revision, cancelled_by FROM asns WHERE asn = '"'SHIP-1'"'")" = "2|sam"'

# ---- verify: cancellations forged with stock git ---------------------------
for k in sid zoe; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add zoe --org zenith --role supplier --pubkey zoe.pub > /dev/null
q --key sam.pem asn add --id SHIP-5 --po PO-1 --ship-date 2026-11-28 --package CTN-1:L-1:1 > /dev/null 2>&1
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
# forge_cancel VAULT SIGNER ASN: SIGNER's cancellation of ASN, as qvault writes one
forge_cancel() {
	rm -rf "$1"; cp -a v "$1"
	jq -S --indent 2 -n --arg at "$AT" --arg by "$2" --arg asn "$3" \
		'{record: "asn-cancel", format: 1, asn: $asn, cancelled_by: $by, cancelled_at: $at}' > "$1.json"
	fo=acme; [ "$2" = zoe ] && fo=zenith
	GIT_AUTHOR_NAME=$2 GIT_AUTHOR_EMAIL=$2@$fo GIT_COMMITTER_NAME=$2 GIT_COMMITTER_EMAIL=$2@$fo \
		forge_commit "$1" "$2" "asn cancel $3

Qvault-Op: asn-cancel
Qvault-ASN: $3" "asns/$(dir_of "$3")/$3/cancel.json=$1.json"
}
forge_cancel f0 sid SHIP-5
ok "control: a cancellation forged as qvault writes it passes verify" q -C f0 verify
forge_cancel f1 sid SHIP-2
check "a forged cancellation of a received notice is caught" culprit f1 "cancel.json.*cancels ship notice 'SHIP-2', which was received"
forge_cancel f2 zoe SHIP-5
check "a forged cancellation by another organization's supplier is caught" \
	culprit f2 "'zoe' of 'zenith' cancels ship notice 'SHIP-5' of 'acme'"
forge_cancel f3 sid SHIP-NONE
check "a forged cancellation of a notice never recorded is caught" culprit f3 "cancels ship notice 'SHIP-NONE', not recorded before it"
done_testing
