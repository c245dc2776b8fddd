#!/bin/sh
# X12 856 sets over several orders (issue 22): HL*O repeated with its PRF,
# a PRF or LIN ON per item (automotive S/I), each give one ship notice per
# PO, numbered BSN02+PO, recorded in one commit, each item's quantity on
# its own PO's line; a replacement or a cancellation naming the same
# orders changes what is counted; an item of no order, or of another PO
# than its order's, is refused.  Lots carried in a level qvault does not
# read under an item (HL*ZZ with REF*LT, REF*BT or LIN LT) are the item's.
# The real-world-shaped interchange is tests/fixtures/856/several-orders.856
# (S/O/P/I, UPC items, lots at the pack, a line shipped in cases); the
# others are written here from the 856 layout.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zed:zenith
add_buyer bob
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-A --supplier acme --line PN-1:100:DWG-1@C --line PN-2:50:DWG-1@C > /dev/null
q po add PO-B --supplier acme --line PN-1:60:DWG-1@C > /dev/null
printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size\nPO-C,acme,1,PN-3,48,DWG-1,C,,EA,CA,12\n' > poc.csv
q po import poc.csv > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key zed.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add LA-1 --po PO-A --part PN-1 --qty 100 > /dev/null
q --key sam.pem lot add LA-2 --po PO-A --part PN-2 --qty 50 > /dev/null
q --key sam.pem lot add LB-1 --po PO-B --part PN-1 --qty 60 > /dev/null
q --key sam.pem lot add LC-1 --po PO-C --part PN-3 --qty 48 > /dev/null
q --key zed.pem lot add LZ-1 --po PO-Z --part PN-9 --qty 10 > /dev/null

sql() { sqlite3 v/qvault/index.db "$1"; }
shipped() { q po show "$1" --json | jq -r ".lines[] | select(.line == $2) | .shipped"; }
# items ASN: its packages as package:lot:line:qty, by package
items() { sql "SELECT group_concat(package || ':' || lot || ':' || line || ':' || qty, ' ') FROM (SELECT * FROM asn_items WHERE asn = '$1' ORDER BY package)"; }
notices_of() { sql "SELECT group_concat(asn || '=' || po, ' ') FROM (SELECT asn, po FROM asns WHERE asn LIKE '$1%' ORDER BY asn)"; }
FX=$FIXTURES/856/several-orders.856
ASNA="asns/$(dir_of SHIP-0002+PO-A)/SHIP-0002+PO-A"

# ---- the fixture: three orders, UPC items, lots at the pack ------------------
check "edi read sees three notices, one per PO, numbered BSN02+PO" \
	test "$(q edi read "$FX" --json | jq -c '[.[] | [.asn, .po, (.packages | length)]]')" = \
	'[["SHIP-0002+PO-A","PO-A",2],["SHIP-0002+PO-B","PO-B",1],["SHIP-0002+PO-C","PO-C",1]]'
cp "$FX" ship.856
ok "a set over three POs (HL*O repeated, each with its PRF) is imported" q --key sam.pem asn import ship.856
check "  as three notices, one commit" evalq '
	test "$(notices_of SHIP-0002)" = "SHIP-0002+PO-A=PO-A SHIP-0002+PO-B=PO-B SHIP-0002+PO-C=PO-C" &&
	git -C v log -1 --format=%B | grep -q "^asn import 3 ship notices" &&
	test "$(git -C v show --name-only --format= HEAD | grep -c "/asn.json$")" = 3'
check "  PO-A: each UPC item on the line of its pack's lot's part (LA-1 line 1, LA-2 line 2)" \
	test "$(items SHIP-0002+PO-A)" = "00012345600000011:LA-1:1:40 00012345600000028:LA-2:2:10"
check "  PO-B: its item alone" test "$(items SHIP-0002+PO-B)" = "00012345600000035:LB-1:1:25"
check "  PO-C: 2 CA of 12 counted as 24, what was sent kept beside" evalq '
	test "$(items SHIP-0002+PO-C)" = "00012345600000042:LC-1:1:24" &&
	test "$(git -C v show "main:asns/$(dir_of SHIP-0002+PO-C)/SHIP-0002+PO-C/asn.json" | jq -c ".packages[0].sent")" = "{\"qty\":2,\"unit\":\"CA\"}"'
check "  the shipment's carrier, tracking and date in each notice" \
	test "$(sql "SELECT group_concat(DISTINCT carrier || ' ' || tracking || ' ' || ship_date) FROM asns WHERE asn LIKE 'SHIP-0002%'")" = "FDEG 794612345678 2026-11-28"
check "  the lines show what was shipped: PO-A 40 and 10, PO-B 25, PO-C 24" \
	test "$(shipped PO-A 1) $(shipped PO-A 2) $(shipped PO-B 1) $(shipped PO-C 1)" = "40 10 25 24"
fails 1 "'ship.856': ship notice 1: ship notice 'SHIP-0002\+PO-A' already exists$" \
	"the same file again is refused (its notices exist)" q --key sam.pem asn import ship.856

# ---- a replacement and a cancellation naming the same orders -----------------
sed 's/^BSN\*00\*/BSN*05*/; s/^SN1\*1\*40\*EA/SN1*1*30*EA/; s/^SN1\*1\*25\*EA/SN1*1*5*EA/' "$FX" > replace.856
ok "a replacement (BSN01 05) of the three-order shipment is imported" q --key sam.pem asn import replace.856
check "  each notice replaced (revision 1), the first records kept" evalq '
	test "$(sql "SELECT group_concat(revision, \" \") FROM (SELECT revision FROM asns WHERE asn LIKE '"'SHIP-0002%'"' ORDER BY asn)")" = "1 1 1" &&
	git -C v cat-file -e "main:$ASNA/asn.json" && git -C v cat-file -e "main:$ASNA/revisions/000001.json"'
check "  the lines count the replacements only: PO-A 30 and 10, PO-B 5, PO-C 24" \
	test "$(shipped PO-A 1) $(shipped PO-A 2) $(shipped PO-B 1) $(shipped PO-C 1)" = "30 10 5 24"
sed -n '/^BSN/,/^CTT/{s/~$//;p}' replace.856 | awk '/^HL\*2\*/ { skip = 1 } /^HL\*7\*/ { skip = 0 } /^HL\*10\*/ { skip = 1 } !skip' |
	sed 's/^PRF\*PO-B\*/PRF*PO-Z*/' | x12 > one-order.856
fails 1 "'one-order.856': cannot replace ship notice 'SHIP-0002': there is none$" \
	"a replacement of one order the shipment did not have finds no notice SHIP-0002 (refused, nothing changed)" \
	q --key sam.pem asn import one-order.856
{ sed -n '/^BSN/,/^CTT/{s/~$//;p}' replace.856 | grep -v '^CTT'; printf '%s\n' 'HL*13*1*O' 'PRF*PO-Z' 'HL*14*13*I' 'LIN**BP*PN-9' 'SN1**1*EA' 'REF*LT*LZ-1'; } |
	x12 > new-order.856
fails 1 "'new-order.856': ship notice 4: cannot replace ship notice 'SHIP-0002\+PO-Z': there is none$" \
	"a replacement naming an order the shipment did not have is refused" q --key sam.pem asn import new-order.856
sed 's/^BSN\*00\*/BSN*01*/' "$FX" > cancel.856
ok "a cancellation (BSN01 01) whose copy names the three orders is imported" q --key sam.pem asn import cancel.856
check "  cancels all three notices, in one commit" evalq '
	test "$(sql "SELECT count(*) FROM asns WHERE asn LIKE '"'SHIP-0002%'"' AND cancelled_at IS NOT NULL")" = 3 &&
	test "$(git -C v show --name-only --format= HEAD | grep -c "/cancel.json$")" = 3'
check "  the lines count nothing of them any more" \
	test "$(shipped PO-A 1) $(shipped PO-A 2) $(shipped PO-B 1) $(shipped PO-C 1)" = "0 0 0 0"
sed 's/SHIP-0002/SHIP-0003/' "$FX" > ship3.856
q --key sam.pem asn import ship3.856 > /dev/null 2>&1
printf '%s\n' 'BSN*01*SHIP-0003*20261129*0800' 'HL*1**S' | x12 > bare-cancel.856
fails 1 "'bare-cancel.856': cannot cancel ship notice 'SHIP-0003': there is none$" \
	"a bare cancellation (no copy of the orders) of a split shipment finds no notice SHIP-0003" \
	q --key sam.pem asn import bare-cancel.856
printf '%s\n' 'BSN*01*SHIP-0003*20261129*0800' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-B' 'HL*3*1*O' 'PRF*PO-C' | x12 > part-cancel.856
ok "a cancellation naming two of the three orders cancels those two" q --key sam.pem asn import part-cancel.856
check "  SHIP-0003+PO-A stays in force; PO-A 40 and 10, PO-B 0, PO-C 0" evalq '
	test "$(sql "SELECT group_concat(asn, \" \") FROM asns WHERE asn LIKE '"'SHIP-0003%'"' AND cancelled_at IS NULL")" = "SHIP-0003+PO-A" &&
	test "$(shipped PO-A 1) $(shipped PO-A 2) $(shipped PO-B 1) $(shipped PO-C 1)" = "40 10 0 0"'
ok "  the one left is cancelled by its number (asn cancel)" q --key sam.pem asn cancel SHIP-0003+PO-A
sed 's/SHIP-0002/SHIP-0004/' "$FX" > ship4.856
q --key sam.pem asn import ship4.856 > /dev/null 2>&1
sed -n '/^BSN/,/^CTT/{s/~$//;p}' ship4.856 | sed 's/^BSN\*00\*/BSN*05*/; s/^SN1\*1\*40\*EA/SN1*1*30*EA/' |
	awk '/^HL\*10\*/ { skip = 1 } /^CTT/ { skip = 0 } !skip' | x12 > drop-c.856
# neither another supplier's notice of the same name shape nor a notice
# whose name only begins so is the shipment's
printf '[{"asn":"SHIP-0004+PO-Z","po":"PO-Z","ship_date":"2026-11-28","packages":[{"id":"Z1","lot":"LZ-1","qty":1}]}]' > z4.json
q --key zed.pem asn import z4.json > /dev/null 2>&1
printf '[{"asn":"SHIP-0004+EXTRA","po":"PO-B","ship_date":"2026-11-28","packages":[{"id":"E1","lot":"LB-1","qty":1}]}]' > e4.json
q --key sam.pem asn import e4.json > /dev/null 2>&1
ok "a replacement naming two of the three orders (PO-C left out) replaces the shipment whole" \
	q --key sam.pem asn import drop-c.856
check "  SHIP-0004+PO-A and +PO-B replaced (revision 1), +PO-C cancelled in the same commit" evalq '
	test "$(sql "SELECT group_concat(asn || \":\" || revision, \" \") FROM (SELECT * FROM asns WHERE asn LIKE '"'SHIP-0004+PO-_'"' AND asn <> '"'SHIP-0004+PO-Z'"' AND cancelled_at IS NULL ORDER BY asn)")" = "SHIP-0004+PO-A:1 SHIP-0004+PO-B:1" &&
	test "$(sql "SELECT asn FROM asns WHERE asn LIKE '"'SHIP-0004+%'"' AND cancelled_at IS NOT NULL")" = SHIP-0004+PO-C &&
	test "$(sql "SELECT group_concat(asn, \" \") FROM (SELECT asn FROM asns WHERE asn IN ('"'SHIP-0004+PO-Z'"', '"'SHIP-0004+EXTRA'"') AND cancelled_at IS NULL ORDER BY asn)")" = "SHIP-0004+EXTRA SHIP-0004+PO-Z" &&
	test "$(shipped PO-A 1) $(shipped PO-C 1)" = "30 0"'
check "  the cancellation says why" sh -c '
	f=$(git -C v show --name-only --format= HEAD | grep "/cancel.json$") &&
	git -C v show "HEAD:$f" | grep -q "its shipment was replaced without this order"'
for o in PO-A PO-B EXTRA; do q --key sam.pem asn cancel "SHIP-0004+$o" > /dev/null; done
q --key zed.pem asn cancel SHIP-0004+PO-Z > /dev/null
sed 's/SHIP-0002/SHIP-0006/' "$FX" > ship6.856
q --key sam.pem asn import ship6.856 > /dev/null 2>&1
printf '%s\n' 'BSN*05*SHIP-0006*20261129*0800' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**5*EA' 'REF*LT*LA-1' | x12 > one6.856
ok "a replacement of one order (numbered BSN02) of a shipment of three" q --key sam.pem asn import one6.856
check "  replaces SHIP-0006+PO-A (5 now) and cancels the two orders it leaves out" evalq '
	test "$(sql "SELECT group_concat(asn || \":\" || revision, \" \") FROM (SELECT * FROM asns WHERE asn LIKE '"'SHIP-0006%'"' AND cancelled_at IS NULL ORDER BY asn)")" = "SHIP-0006+PO-A:1" &&
	test "$(sql "SELECT count(*) FROM asns WHERE asn LIKE '"'SHIP-0006+%'"' AND cancelled_at IS NOT NULL")" = 2 &&
	test "$(sql "SELECT count(*) FROM asns WHERE asn = '"'SHIP-0006'"'")" = 0'
q --key sam.pem asn cancel SHIP-0006+PO-A > /dev/null
printf '[{"asn":"J-1","po":"PO-A","ship_date":"2026-11-28","shipment":"J","packages":[]}]' > shipment.json
fails 1 "shipment names what a replacement replaces whole: it needs replaces$" \
	"a JSON notice naming a shipment without replacing one is refused" q --key sam.pem asn import shipment.json

# ---- automotive S/I: the PO in each item -------------------------------------
printf '%s\n' 'BSN*00*AUTO-1*20261128*1200' 'HL*1**S' 'TD5**2*RDWY*M' \
	'HL*2*1*I' 'LIN**BP*PN-1' 'SN1**7*EA' 'PRF*PO-B' 'REF*LT*LB-1' \
	'HL*3*1*I' 'LIN**BP*PN-2' 'SN1**3*EA' 'PRF*PO-A' 'REF*LT*LA-2' \
	'HL*4*1*I' 'LIN**BP*PN-1' 'SN1**4*EA' 'PRF*PO-B' 'REF*LT*LB-1' | x12 > auto.856
ok "S/I with a PRF per item naming two POs" q --key sam.pem asn import auto.856
check "  one notice per PO, each item on its own PO's line" evalq '
	test "$(notices_of AUTO-1)" = "AUTO-1+PO-A=PO-A AUTO-1+PO-B=PO-B" &&
	test "$(items AUTO-1+PO-B)" = "HL2:LB-1:1:7 HL4:LB-1:1:4" && test "$(items AUTO-1+PO-A)" = "HL3:LA-2:2:3" &&
	test "$(shipped PO-B 1) $(shipped PO-A 2)" = "11 3"'
printf '%s\n' 'BSN*00*AUTO-2*20261128*1200' 'HL*1**S' \
	'HL*2*1*I' 'LIN*1*BP*PN-1*ON*PO-A*LT*LA-1' 'SN1**2*EA' \
	'HL*3*1*I' 'LIN*2*BP*PN-1*ON*PO-B*LT*LB-1' 'SN1**1*EA' | x12 > linon.856
ok "S/I with the PO in the LIN (ON), the lot too (LT)" q --key sam.pem asn import linon.856
check "  AUTO-2+PO-A ships 2 of LA-1, AUTO-2+PO-B 1 of LB-1" \
	test "$(items AUTO-2+PO-A) $(items AUTO-2+PO-B)" = "HL2:LA-1:1:2 HL3:LB-1:1:1"
printf '%s\n' 'BSN*00*ONE-1*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-A' 'HL*5*4*I' 'LIN**BP*PN-2' 'SN1**1*EA' 'REF*LT*LA-2' | x12 > same-po.856
ok "two HL*O of the same PO are one notice, numbered BSN02" q --key sam.pem asn import same-po.856
check "  ONE-1 holds both items" test "$(items ONE-1)" = "HL3:LA-1:1:1 HL5:LA-2:2:1"
printf '%s\n' 'BSN*00*ONE-2*20261128*1200' 'HL*1**S' 'HL*2*1*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'PRF*PO-A' 'REF*LT*LA-1' \
	'HL*3*1*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' 'HL*4*3*P' 'MAN*GM*SSCC-2' | x12 > one-po.856
ok "a set naming one PO: an item naming none is of it (as before)" q --key sam.pem asn import one-po.856
check "  ONE-2 holds both items" test "$(items ONE-2)" = "HL2:LA-1:1:1 SSCC-2:LA-1:1:1"

# ---- refused: what contradicts, and what says nothing ------------------------
printf '%s\n' 'BSN*00*BAD-1*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-B' 'HL*5*4*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LB-1' \
	'HL*6*1*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LB-1' | x12 > orphan.856
fails 1 "'orphan.856': X12 segment [0-9]+ \(SE\): item HL '6' belongs to no order: the set names several POs, the item none \(no HL\*O with PRF above it, no PRF or LIN ON in it\)$" \
	"an item of no order in a set of several POs is refused" q --key sam.pem asn import orphan.856
printf '%s\n' 'BSN*00*BAD-2*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'PRF*PO-B' 'REF*LT*LB-1' | x12 > contra.856
fails 1 "item HL '3' names PO 'PO-B', but its order HL '2' is of PO 'PO-A'$" \
	"an item naming another PO than its order's is refused" q --key sam.pem asn import contra.856
printf '%s\n' 'BSN*00*BAD-3*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'PRF*PO-B' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > twoprf.856
fails 1 "X12 segment 8 \(PRF\): the order names two POs, 'PO-A' and 'PO-B'$" \
	"an order naming two POs is refused" q --key sam.pem asn import twoprf.856
printf '%s\n' 'BSN*00*BAD-4*20261128*1200' 'HL*1**S' 'HL*2*1*I' 'LIN*1*BP*PN-1*ON*PO-A' 'SN1**1*EA' 'PRF*PO-B' 'REF*LT*LA-1' | x12 > linprf.856
fails 1 "X12 segment 9 \(PRF\): the item names two POs, 'PO-A' and 'PO-B'$" \
	"an item whose LIN ON and PRF differ is refused" q --key sam.pem asn import linprf.856
printf '%s\n' 'BSN*00*BAD-5*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-B' 'HL*5*4*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > wronglot.856
fails 1 "'wronglot.856': ship notice 2: package 'HL5': lot 'LA-1' belongs to PO 'PO-A', not to PO 'PO-B'$" \
	"an item whose lot is of another PO than its order's is refused, the notice named" q --key sam.pem asn import wronglot.856
printf '%s\n' 'BSN*00*BAD-10*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-B' | x12 > emptyorder.856
fails 1 "X12 segment [0-9]+ \(SE\): order HL '4' \(PO 'PO-B'\) has no item under it$" \
	"an order of no item is refused (a notice of nothing)" q --key sam.pem asn import emptyorder.856
printf '%s\n' 'BSN*00*BAD-6*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-B' 'HL*5*4*I' 'LIN**BP*PN-1' 'SN1**60*EA' 'REF*LT*LB-1' | x12 > over.856
fails 1 "'over.856': ship notice 2: package 'HL5': ships 60 of line 1 of PO 'PO-B', which has [0-9]+ open of 60 ordered$" \
	"one order over its line refuses the whole set (nothing of the other recorded)" q --key sam.pem asn import over.856
printf '%s\n' 'BSN*00*BAD-7*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-Z' 'HL*5*4*I' 'LIN**BP*PN-9' 'SN1**1*EA' 'REF*LT*LZ-1' | x12 > other-org.856
fails 1 "'other-org.856': no PO 'PO-Z'$" \
	"an order of another supplier's PO is refused (to acme, no PO), nothing recorded" q --key sam.pem asn import other-org.856
LONG=$(printf 'S%.0s' $(seq 1 125))
printf '%s\n' "BSN*00*$LONG*20261128*1200" 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*1*O' 'PRF*PO-B' 'HL*5*4*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LB-1' | x12 > long.856
fails 1 "'long.856': ship notice 1: ship notice number 'S+' is longer than 128 bytes|ship notice number 'S{20,}.*' is longer than 128 bytes$" \
	"a number BSN02+PO over 128 bytes is refused" q --key sam.pem asn import long.856

# ---- lots in a level under the item (HL*ZZ and others) ------------------------
printf '%s\n' 'BSN*00*ZZ-1*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*P' 'MAN*GM*SSCC-Z1' \
	'HL*4*3*I' 'LIN**UP*012345678905' 'SN1**2*EA' 'HL*5*4*ZZ' 'REF*LT*LA-1' 'DTM*036*20281231' | x12 > zz.856
ok "an item whose lot is in a child level HL*ZZ (REF*LT)" q --key sam.pem asn import zz.856
check "  recorded under that lot, in the pack above the item" test "$(items ZZ-1)" = "SSCC-Z1:LA-1:1:2"
printf '%s\n' 'BSN*00*ZZ-2*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' \
	'HL*3*2*I' 'LIN**BP*PN-2' 'SN1**1*EA' 'HL*4*3*Q' 'HL*5*4*ZZ' 'LIN**LT*LA-2' \
	'HL*6*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'HL*7*6*X' 'REF*BT*LA-1' | x12 > zz2.856
ok "lots in LIN LT two levels under the item, and as REF*BT in another unknown level" q --key sam.pem asn import zz2.856
check "  each item its own lot" test "$(items ZZ-2)" = "HL3:LA-2:2:1 HL6:LA-1:1:1"
printf '%s\n' 'BSN*00*ZZ-3*20261128*1200' 'HL*1**S' 'REF*LT*LB-1' 'HL*2*1*ZZ' 'REF*LT*LB-1' 'HL*3*1*O' 'PRF*PO-A' 'HL*4*3*P' 'REF*LT*LA-1' \
	'HL*5*4*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'HL*6*5*ZZ' 'REF*ZZ*NOTALOT' | x12 > zz3.856
ok "a lot in an unknown level not under an item is passed over (the pack's lot counts)" q --key sam.pem asn import zz3.856
check "  the item under its pack's lot" test "$(items ZZ-3)" = "HL4:LA-1:1:1"
printf '%s\n' 'BSN*00*ZZ-4*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*3*ZZ' 'REF*LT*LA-1' | x12 > zzsame.856
ok "the item's own lot given again under it" q --key sam.pem asn import zzsame.856
printf '%s\n' 'BSN*00*ZZ-5*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' \
	'HL*4*3*ZZ' 'REF*LT*LA-9' | x12 > zzother.856
fails 1 "X12 segment [0-9]+ \(SE\): item HL '3' names lot 'LA-1', a level under it lot 'LA-9'$" \
	"an item naming one lot and a level under it another is refused" q --key sam.pem asn import zzother.856
printf '%s\n' 'BSN*00*ZZ-6*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**2*EA' \
	'HL*4*3*ZZ' 'REF*LT*LA-1' 'HL*5*3*ZZ' 'REF*LT*LA-2' | x12 > zztwo.856
fails 1 "item HL '3' has lots 'LA-1' and 'LA-2' in the levels under it: qvault reads one lot an item \(an HL\*I for each lot\)$" \
	"two lots in the levels under an item are refused" q --key sam.pem asn import zztwo.856
printf '%s\n' 'BSN*00*ZZ-7*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**2*EA' \
	'HL*4*3*ZZ' 'REF*LT*LA-1' 'REF*LT*LA-2' | x12 > zzref2.856
fails 1 "X12 segment 13 \(REF\): the level names a second lot, 'LA-1' and 'LA-2'$" \
	"a level naming two lots is refused" q --key sam.pem asn import zzref2.856
printf '%s\n' 'BSN*00*ZZ-8*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**2*EA' \
	'HL*4*3*ZZ' 'REF*LT*NOSUCH' | x12 > zzunknown.856
fails 1 "'zzunknown.856': package 'HL3': no lot 'NOSUCH'$" \
	"a lot under the item that qvault does not know is refused as any unknown lot" q --key sam.pem asn import zzunknown.856

# ---- the set's own rules, for the note's every row ---------------------------
{ printf '%s\n' 'ISA*00*          *00*          *ZZ*ACMEMACHINING  *ZZ*BUYERCORP      *261128*1200*U*00401*000000302*0*P*>~' \
	'GS*SH*ACMEMACHINING*BUYERCORP*20261128*1200*302*X*004010~' 'ST*856*0001~' 'BSN*00*SET-1*20261128*1200~' 'HL*1**S~' \
	'HL*2*1*O~' 'PRF*PO-A~' 'HL*3*2*I~' 'LIN**BP*PN-1~' 'SN1**1*EA~' 'REF*LT*LA-1~' 'SE*10*0001~' 'ST*856*0002~' \
	'BSN*00*SET-2*20261128*1200~' 'HL*1**S~' 'HL*2*1*I~' 'LIN**BP*PN-1*ON*PO-B*LT*LB-1~' 'SN1**1*EA~' 'SE*7*0002~' \
	'GE*2*302~' 'IEA*1*000000302~'; } > two-sets.856
ok "two transaction sets in one group: each its own notice" q --key sam.pem asn import two-sets.856
check "  SET-1 of PO-A and SET-2 of PO-B, one commit" evalq '
	test "$(notices_of SET-)" = "SET-1=PO-A SET-2=PO-B" && git -C v log -1 --format=%B | grep -q "^asn import 2 ship notices"'
printf '%s\n' 'BSN*00*BAD-8*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*P' 'PRF*PO-B' 'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > packprf.856
fails 1 "X12 segment 9 \(PRF\): PRF outside an order level \(HL\*O\) or an item$" "a PRF in a pack is refused" \
	q --key sam.pem asn import packprf.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > twobsn.856
fails 1 "X12 segment 5 \(BSN\): a second BSN segment$" "a second BSN is refused" q --key sam.pem asn import twobsn.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'LIN**BP*PN-2' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > twolin.856
fails 1 "X12 segment 10 \(LIN\): the item has a second LIN$" "an item with a second LIN is refused" q --key sam.pem asn import twolin.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'REF*LT*LA-1' | x12 > nosn1.856
fails 1 "X12 segment 11 \(SE\): the item before it has no SN1 segment$" "an item without SN1 is refused" q --key sam.pem asn import nosn1.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > nolin.856
fails 1 "X12 segment 11 \(SE\): the item before it has no LIN segment$" "an item without LIN is refused" q --key sam.pem asn import nolin.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'SN1**2*EA' 'REF*LT*LA-1' | x12 > twosn1.856
fails 1 "X12 segment 11 \(SN1\): the item has a second SN1$" "an item with a second SN1 is refused" q --key sam.pem asn import twosn1.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*P' 'REF*LT*LA-1' 'REF*BT*LA-2' 'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' | x12 > packlots.856
fails 1 "X12 segment 10 \(REF\): the pack names a second lot, 'LA-1' and 'LA-2'$" "a pack naming two lots is refused" q --key sam.pem asn import packlots.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' | x12 > noitem.856
fails 1 "X12 segment 8 \(SE\): transaction set '0001' has no item \(HL\*I\)$" "a set with no item is refused" q --key sam.pem asn import noitem.856
printf '%s\n' 'BSN*00*BAD-9*20261128*1200' 'HL*1**S' 'HL*2*1*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > noprf.856
fails 1 "X12 segment 10 \(SE\): transaction set '0001' has no PRF segment naming its PO$" "a set naming no PO is refused" \
	q --key sam.pem asn import noprf.856
printf '%s\n' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-A' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*LA-1' | x12 > nobsn.856
fails 1 "X12 segment 11 \(SE\): transaction set '0001' has no BSN segment$" "a set with no BSN is refused" q --key sam.pem asn import nobsn.856
sed 's/^SE\*46\*0001~$//' "$FX" > nose.856
fails 1 "X12 segment [0-9]+ \(GE\): transaction set '0001' has no SE trailer$" "a set with no SE trailer is refused" q --key sam.pem asn import nose.856
sed 's/^ST\*856\*/ST*810*/' "$FX" > invoice.856
fails 1 "X12 segment 3 \(ST\): transaction set '0001' is a 810, not an 856 ship notice$" "a set that is no 856 is refused" q --key sam.pem asn import invoice.856
tr '*' '|' < "$FX" | sed '1 s/|/*/g' > seps.856
fails 1 "X12 segment 2 \(GS|SH|ACMEMACHINING.*\): .* is not a segment id: the separators are not the ISA's \(elements '\*', segments '~'\)$" \
	"a body written with another element separator than the ISA's is said so" q --key sam.pem asn import seps.856
sed '1 s/\*00401\*/*0401**/' "$FX" > squashed.856
fails 1 "X12: ISA is not the fixed 106 bytes" "a squashed ISA is said so" q --key sam.pem asn import squashed.856

ok "verify passes on all of it" q verify
rm v/qvault/index.db
ok "the index rebuilds from the records" q reindex
check "  to the same quantities" \
	test "$(shipped PO-A 1) $(shipped PO-A 2) $(shipped PO-B 1) $(shipped PO-C 1)" = "11 5 13 0"
# (last: a received notice stays counted)
sed 's/SHIP-0002/SHIP-0005/' "$FX" > ship5.856
q --key sam.pem asn import ship5.856 > /dev/null 2>&1
q --key bob.pem asn receive SHIP-0005+PO-C > /dev/null
sed 's/SHIP-0004/SHIP-0005/' drop-c.856 > drop-c5.856
fails 1 "'drop-c5.856': the replaced shipment: cannot cancel ship notice 'SHIP-0005\+PO-C': it was received$" \
	"a replacement leaving out an order already received is refused" q --key sam.pem asn import drop-c5.856
ok "verify passes after it" q verify
done_testing
