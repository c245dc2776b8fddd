#!/bin/sh
# The X12 qvault writes (issue 22, "the rest of the exchange"): the 997
# functional acknowledgment of every X12 file asn import and forecast
# import read (--ack997 FILE: accepted, or rejected with the segment and
# element in error, and written when the import is refused too); ship
# notices in force as an 856 (asn export --x12), which a fresh vault with
# the same POs imports back to the same notices; PO acknowledgments as an
# 855 (po ack-export); and edi read reading back the 997 and the 855,
# those qvault writes and those written by hand from the published
# layouts (tests/fixtures/997, tests/fixtures/855).
. "$(dirname "$0")/lib.sh"

FIX=$TESTS_DIR/../fixtures

# po_vault NAME: a vault with the buyer tester, supplier sam of ACME and
# zed of zenith, PO-1 (PN-1 x50, PN-2 x5) and PO-Z, lots L-1, L-2 (PN-1)
# and L-3 (PN-2) of PO-1, Z-1 of PO-Z
po_vault() {
	new_vault "$1" && (
		export QVAULT_DIR="$1"
		q --key "$TMP/admin.pem" user add sam --org ACME --role supplier --pubkey sam.pub > /dev/null &&
		q --key "$TMP/admin.pem" user add zed --org zenith --role supplier --pubkey zed.pub > /dev/null &&
		q release DWG-1 --rev C c.pdf --to ACME,zenith > /dev/null &&
		q po add PO-1 --supplier ACME --line PN-1:50:DWG-1@C --line PN-2:5:DWG-1@C > /dev/null &&
		q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null &&
		q --key sam.pem ack DWG-1@C > /dev/null && q --key zed.pem ack DWG-1@C > /dev/null &&
		q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 > /dev/null &&
		q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 20 > /dev/null &&
		q --key sam.pem lot add L-3 --po PO-1 --part PN-2 --qty 5 > /dev/null &&
		q --key zed.pem lot add Z-1 --po PO-Z --part PN-9 --qty 10 > /dev/null)
}
q key generate -o sam.pem -c sam | head -n 1 > sam.pub
q key generate -o zed.pem -c zed | head -n 1 > zed.pub
make_pdf c.pdf C
po_vault v
V=v
export QVAULT_DIR=v

# the 856 fixture names L-2 in its second pack: as it is, it imports
cp "$FIX/856/ship-notice.856" ok.856
# seg FILE: the segments of an X12 file, one a line, without terminators
seg() { tr -d '\n' < "$1" | tr '~' '\n'; }

# ---- the 997 of an import -----------------------------------------------
ok "an 856 imported with --ack997 writes its 997" \
	q --key sam.pem asn import --ack997 ok.997 --control 42 ok.856
seg ok.997 > ok.seg
check "  from the interchange's receiver to its sender (ISA and GS), a functional group FA" evalq '
	grep -q "^ISA\*00\*          \*00\*          \*ZZ\*BUYERCORP      \*ZZ\*ACMEMACHINING  \*" ok.seg &&
	grep -q "^GS\*FA\*BUYERCORP\*ACMEMACHINING\*[0-9]\{8\}\*[0-9]\{4\}\*42\*X\*004010$" ok.seg'
check "  answering group SH 101 and set 856 0001: accepted, 1 of 1" evalq '
	sed -n "/^ST/,/^SE/p" ok.seg | tr "\n" " " | grep -qx "ST\*997\*0001 AK1\*SH\*101 AK2\*856\*0001 AK5\*A AK9\*A\*1\*1\*1 SE\*6\*0001 "'
check "  its ISA is the fixed 106 bytes, its control numbers ISA13/IEA02 and GS06/GE02 the same" evalq '
	test "$(head -n 1 ok.997 | tr -d "\n" | wc -c)" = 106 &&
	grep -qx "IEA\*1\*000000042" ok.seg && grep -qx "GE\*1\*42" ok.seg'
check "  edi read reads it back: the group accepted" evalq '
	q edi read --json ok.997 > ok.json &&
	test "$(jq -c "[.[0].group, .[0].control, .[0].status, .[0].accepted, .[0].sets[0].status]" ok.json)" = "[\"SH\",\"101\",\"A\",1,\"A\"]"'

# a refusal by the reader, with the element: the lot of the second item empty
sed 's/REF\*LT\*L-2/REF*LT*/; s/SHIP-0001/SHIP-0002/' ok.856 > nolot.856
fails 1 "^qvault: 'nolot.856': X12 segment 24 \(REF\): the lot is missing$" \
	"an 856 the reader refuses fails with its one line, the vault unchanged" \
	q --key sam.pem asn import --ack997 nolot.997 --control 43 nolot.856
seg nolot.997 > nolot.seg
check "  and its 997 is written: the set rejected, REF at position 22, element 2 missing (AK4 code 1)" evalq '
	sed -n "/^ST/,/^SE/p" nolot.seg | tr "\n" " " |
	grep -qx "ST\*997\*0001 AK1\*SH\*101 AK2\*856\*0001 AK3\*REF\*22\*\*8 AK4\*2\*\*1 AK5\*R\*5 AK9\*R\*1\*1\*0 SE\*8\*0001 "'
check "  edi read names the segment, its position and the element" evalq '
	q edi read nolot.997 > nolot.txt &&
	grep -Eq "^SH +101 +R +856 +0001 +R +5 +REF +22 +2 *$" nolot.txt'
# a bad date: the element and its code 8, the value copied (AK404)
sed 's/DTM\*011\*20261127/DTM*011*2026112X/' ok.856 > date.856
fails 1 "X12 segment 9 \(DTM\): DTM02 '2026112X' is not a date" "an 856 with a bad ship date is refused" \
	q --key sam.pem asn import --ack997 date.997 --control 44 date.856
check "  its 997: DTM at position 7, element 2 not a date, its value" evalq '
	seg date.997 | grep -qx "AK3\*DTM\*7\*\*8" && seg date.997 | grep -qx "AK4\*2\*\*8\*2026112X"'
# a refusal that names the segment and no element: a second LIN in an item
sed 's/^LIN\*\*BP\*PN-1~$/LIN**BP*PN-1~\nLIN**BP*PN-1~/' ok.856 | awk '{ if ($0 ~ /^SE\*23\*/) print "SE*25*0001~"; else print }' > twolin.856
fails 1 "X12 segment 17 \(LIN\): the item has a second LIN" "an item with two LIN is refused" \
	q --key sam.pem asn import --ack997 twolin.997 --control 45 twolin.856
check "  its 997 names LIN at position 15 (a segment used too often, 5) and no element" evalq '
	seg twolin.997 | grep -qx "AK3\*LIN\*15\*\*5" && ! seg twolin.997 | grep -q "^AK4" &&
	seg twolin.997 | grep -qx "AK5\*R\*5"'
# the trailer: SE01 counting wrong is AK502 4, no segment
sed 's/^SE\*23\*0001/SE*22*0001/' ok.856 > count.856
fails 1 "SE01 says 22 segments" "an 856 whose SE01 is wrong is refused" \
	q --key sam.pem asn import --ack997 count.997 --control 46 count.856
check "  its 997: the set rejected for its count (AK5*R*4), no AK3" evalq '
	seg count.997 | grep -qx "AK5\*R\*4" && ! seg count.997 | grep -q "^AK3"'
# the group trailer: GE01 wrong is the group's AK905 5
sed 's/^GE\*1\*101/GE*2*101/' ok.856 > ge.856
fails 1 "GE01 says 2 transaction sets" "an 856 whose GE01 is wrong is refused" \
	q --key sam.pem asn import --ack997 ge.997 --control 47 ge.856
check "  its 997: the group rejected, AK905 5" evalq 'seg ge.997 | grep -qx "AK9\*R\*1\*1\*0\*5"'
# a refusal by the vault after a clean read: every set rejected, no segment
sed 's/REF\*LT\*L-2/REF*LT*L-7/; s/SHIP-0001/SHIP-0003/' ok.856 > unknown.856
fails 1 "^qvault: 'unknown.856': .*no lot 'L-7'" "an 856 naming an unknown lot is refused by the vault" \
	q --key sam.pem asn import --ack997 unknown.997 --control 48 unknown.856
check "  its 997: the set rejected (5) with no segment, the group rejected" evalq '
	seg unknown.997 | grep -qx "AK5\*R\*5" && ! seg unknown.997 | grep -q "^AK3" &&
	seg unknown.997 | grep -qx "AK9\*R\*1\*1\*0"'
# two interchanges in a file, the second refused by the reader: a 997 set per group
{ sed 's/SHIP-0001/SHIP-0201/' ok.856
  sed 's/SHIP-0001/SHIP-0202/; s/REF\*LT\*L-2/REF*LT*/; s/000000101/000000102/; s/\*101\*X\*/*102*X*/; s/GE\*1\*101/GE*1*102/' ok.856; } > two.856
fails 1 "^qvault: 'two.856': X12 segment 24 \(REF\): the lot is missing$" \
	"a file of two interchanges, the second's lot missing, is refused whole" \
	q --key sam.pem asn import --ack997 two.997 --control 49 two.856
check "  its 997 answers both groups: 101's set rejected without a segment, 102's with REF and element 2" evalq '
	seg two.997 | sed -n "/^ST/,/^SE/p" | tr "\n" " " | grep -qx "ST\*997\*0001 AK1\*SH\*101 AK2\*856\*0001 AK5\*R\*5 AK9\*R\*1\*1\*0 SE\*6\*0001 ST\*997\*0002 AK1\*SH\*102 AK2\*856\*0001 AK3\*REF\*22\*\*8 AK4\*2\*\*1 AK5\*R\*5 AK9\*R\*1\*1\*0 SE\*8\*0002 " &&
	seg two.997 | grep -qx "GE\*2\*49"'
# what no 997 can answer: no X12, or an ISA that cannot be read
printf '[]\n' > empty.json
fails 1 "no ship notices" "a JSON file with --ack997 is imported or refused as ever" \
	q --key sam.pem asn import --ack997 json.997 empty.json
check "  and no 997 is written for it" test ! -e json.997
sed '1s/ACMEMACHINING  \*/ACMEMACHINING*/' ok.856 > squashed.856
fails 1 "^qvault: 'squashed.856': X12: ISA " "a squashed ISA is refused" \
	q --key sam.pem asn import --ack997 squashed.997 squashed.856
check "  with no 997 (no group could be read)" test ! -e squashed.997
# where the 997 goes
fails 1 "'ok.997' exists; use --force to overwrite" "an --ack997 file that exists is refused, before the import" \
	q --key sam.pem asn import --ack997 ok.997 unknown.856
check "  and left as it was" evalq 'seg ok.997 | grep -qx "AK5\*A"'
fails 1 "no lot 'L-7'" "  with --force it is overwritten, the import refused as ever" \
	q --key sam.pem asn import --ack997 ok.997 --force unknown.856
check "  by the new 997" evalq 'seg ok.997 | grep -qx "AK9\*R\*1\*1\*0"'
fails 2 "the sender 'ACME' is not QUAL:ID" "an --isa-sender that is not QUAL:ID is a usage error" \
	q --key sam.pem asn import --ack997 x.997 --isa-sender ACME unknown.856
fails 2 "the receiver 'ZZ:THIS-ID-IS-TOO-LONG' is not QUAL:ID" "  and an id over 15 characters" \
	q --key sam.pem asn import --ack997 x.997 --isa-receiver ZZ:THIS-ID-IS-TOO-LONG unknown.856
fails 2 "--control '0' is not a number from 1 to 999999999" "  and a control number 0" \
	q --key sam.pem asn import --ack997 x.997 --control 0 unknown.856
fails 2 "--control '1000000000' is not a number" "  or past nine digits" \
	q --key sam.pem asn import --ack997 x.997 --control 1000000000 unknown.856
check "  and no 997 is written for a usage error" test ! -e x.997
fails 2 "--isa-sender, --isa-receiver, --control and --force go with --ack997" \
	"  and --control without --ack997" q --key sam.pem asn import --control 5 ok.856
fails 2 "go with --ack997" "  and --force without it, for forecast import too" q forecast import --force ok.856
fails 1 "ship notice 'SHIP-0001' already exists" "--isa-sender and --isa-receiver name the 997's parties" \
	q --key sam.pem asn import --ack997 ids.997 --isa-sender 01:123456789 --isa-receiver ZZ:ACME --force ok.856
check "  in ISA and GS" evalq 'grep -q "^ISA\*00\*          \*00\*          \*01\*123456789      \*ZZ\*ACME           \*" ids.997 &&
	grep -q "^GS\*FA\*123456789\*ACME\*" ids.997'
check "  (that import was the notice already recorded: refused, and so answered)" evalq 'seg ids.997 | grep -qx "AK5\*R\*5"'

# ---- forecast import: 830 ------------------------------------------------
ok "an 830 imported with --ack997 writes its 997" \
	q forecast import --ack997 f.997 --control 50 "$FIX/830/planning-schedule.830"
check "  answering group PS 201: set 830 accepted" evalq '
	seg f.997 | grep -qx "AK1\*PS\*201" && seg f.997 | grep -qx "AK2\*830\*0001" && seg f.997 | grep -qx "AK9\*A\*1\*1\*1" &&
	grep -q "^GS\*FA\*ACMEMACHINING\*BUYERCORP\*" f.997'
sed 's/FST\*120\*C\*D\*20261201/FST*120*C*D*2026120/' "$FIX/830/planning-schedule.830" > fdate.830
fails 1 "X12 segment 11 \(FST\): .*not a date" "an 830 with a bad FST date is refused" \
	q forecast import --ack997 fdate.997 fdate.830
check "  its 997: FST at position 9, element 4 not a date" evalq '
	seg fdate.997 | grep -qx "AK3\*FST\*9\*\*8" && seg fdate.997 | grep -qx "AK4\*4\*\*8\*2026120" &&
	seg fdate.997 | grep -qx "AK5\*R\*5"'

# ---- 856 export, and back -------------------------------------------------
q --key sam.pem asn add --id A-2 --po PO-1 --ship-date 2026-11-30 --carrier "FEDEX GROUND" --tracking T-77 \
	--package P9:L-3:2 --package P9:L-1:3 --package Q1:L-2:1 > /dev/null 2>&1
q --key sam.pem asn add --id A-3 --po PO-1 --ship-date 2026-12-01 --package B1:L-1:4 > /dev/null 2>&1
q --key sam.pem asn add --id A-3 --replaces A-3 --po PO-1 --ship-date 2026-12-02 --package B2:L-1:6 > /dev/null 2>&1
q --key sam.pem asn add --id A-4 --po PO-1 --ship-date 2026-12-01 --package C1:L-1:1 > /dev/null 2>&1
q --key sam.pem asn cancel A-4 > /dev/null
q --key zed.pem asn add --id Z-A --po PO-Z --ship-date 2026-12-01 --package Z1:Z-1:2 > /dev/null 2>&1
ok "asn export --x12 writes the notices in force as an 856" \
	evalq 'q asn export --x12 --control 60 --isa-sender ZZ:BUYERCORP --isa-receiver ZZ:ERP > all.856'
check "  a set per notice in force: A-2, A-3 (its replacement), SHIP-0001 and Z-A, not the cancelled A-4" evalq '
	test "$(seg all.856 | grep "^BSN" | cut -d "*" -f 3 | tr "\n" " ")" = "A-2 A-3 SHIP-0001 Z-A " &&
	seg all.856 | grep -qx "BSN\*00\*A-3\*20261202\*0000"'
check "  each package a pack (MAN*GM), each lot in it an item with its part, quantity and unit" evalq '
	seg all.856 | sed -n "/BSN\*00\*A-2/,/^SE/p" | tr "\n" " " |
	grep -q "HL\*3\*2\*P MAN\*GM\*P9 HL\*4\*3\*I LIN\*\*BP\*PN-1 SN1\*\*3\*EA REF\*LT\*L-1 HL\*5\*3\*I LIN\*\*BP\*PN-2 SN1\*\*2\*EA REF\*LT\*L-3 HL\*6\*2\*P MAN\*GM\*Q1"'
check "  the carrier, tracking and ship date; the parties and number asked" evalq '
	seg all.856 | grep -qx "TD5\*\*2\*FEDEX GROUND" && seg all.856 | grep -qx "REF\*CN\*T-77" &&
	seg all.856 | grep -qx "DTM\*011\*20261130" && grep -q "^GS\*SH\*BUYERCORP\*ERP\*[0-9]*\*[0-9]*\*60\*X\*004010~$" all.856'
check "  edi read reads it as those notices" evalq '
	test "$(q edi read --json all.856 | jq -c "[.[] | .asn]")" = "[\"A-2\",\"A-3\",\"SHIP-0001\",\"Z-A\"]"'
# a fresh vault with the same POs and lots imports it back to the same notices
po_vault w
q --key sam.pem asn export --x12 --isa-sender ZZ:ACME > acme.856
check "  a supplier exports its own organization's only" evalq '! grep -q "Z-A" acme.856 && grep -q "BSN\*00\*A-2" acme.856'
ok "the supplier's 856 imports into a fresh vault with the same POs" \
	evalq 'q -C w --key sam.pem asn import --ack997 back.997 acme.856 > /dev/null 2>&1'
check "  to the same notices, packages, lots, parts and quantities" evalq '
	q asn export --org ACME | jq -S "[.[] | del(.received, .received_date)]" > a.json &&
	q -C w asn export --org ACME | jq -S "[.[] | del(.received, .received_date)]" > b.json &&
	test -s a.json && cmp -s a.json b.json'
check "  what PO-1 counts shipped is the same" evalq '
	test "$(q po show PO-1 --json | jq -c "[.lines[].shipped]")" = "$(q -C w po show PO-1 --json | jq -c "[.lines[].shipped]")"'
check "  and its 997 accepts the 3 sets" evalq 'seg back.997 | grep -qx "AK9\*A\*3\*3\*3"'
q --key sam.pem asn add --id A-5 --po PO-1 --ship-date 2026-12-03 --carrier "UPS*RED" --package D1:L-2:1 > /dev/null 2>&1
fails 1 "ship notice 'A-5': TD503 'UPS\*RED' holds a character X12 cannot carry" \
	"an export whose value holds a separator is refused, naming it" q asn export --x12
fails 2 "give --csv or --x12, not both" "asn export --csv --x12 is a usage error" q asn export --csv --x12
fails 2 "go with --x12" "  and --control without --x12" q asn export --control 5
fails 1 "a supplier exports only its own organization's ship notices" "a supplier exporting another's is refused" \
	q --key zed.pem asn export --x12 --org ACME

# ---- 855: PO acknowledgments ----------------------------------------------
q --key sam.pem po ack PO-1 --promise 2026-12-20 --note "first batch from plant 2" > /dev/null
q --key sam.pem po ack PO-1 --line 2 --qty 4 --promise 2026-12-22 > /dev/null
q --key sam.pem po ack PO-1 --line 1 --reject --reason "tooling down until week 51" > /dev/null
ok "po ack-export writes every PO acknowledgment as an 855" \
	evalq 'q po ack-export --control 70 > acks.855'
check "  a set each: BAK AK with DTM*068, BAK AD with PO1 and ACK IA, BAK RD with ACK IR and the reason" evalq '
	seg acks.855 | grep -c "^ST\*855" | grep -qx 3 &&
	seg acks.855 | grep -qx "DTM\*068\*20261220" && seg acks.855 | grep -qx "ACK\*IA\*4\*EA\*068\*20261222" &&
	seg acks.855 | grep -qx "ACK\*IR" && seg acks.855 | grep -qx "MSG\*tooling down until week 51" &&
	grep -q "^GS\*PR\*QVAULT\*PARTNER\*" acks.855'
check "  edi read reads back the acknowledgments po show lists" evalq '
	q edi read --json acks.855 | jq -S "[.[] | {line, decision, promise, qty, note, reason}]" > e.json &&
	q po show PO-1 --json | jq -S "[.acknowledgments[] | {line, decision, promise, qty, note, reason}]" > p.json &&
	cmp -s e.json p.json'
check "  QVAULT_X12_SENDER and QVAULT_X12_RECEIVER name the parties" evalq '
	QVAULT_X12_SENDER=ZZ:ACME QVAULT_X12_RECEIVER=12:5551234 q po ack-export | grep -q "^GS\*PR\*ACME\*5551234\*"'
fails 1 "no PO acknowledgment to export" "a supplier with no acknowledgment has none to export" \
	q --key zed.pem po ack-export
fails 1 "a supplier exports only its own organization's acknowledgments" "  nor another's" \
	q --key zed.pem po ack-export --org ACME
fails 2 "the sender 'ZZ:A\*B' holds a character X12 cannot carry" "a sender holding a separator is a usage error" \
	q po ack-export --isa-sender 'ZZ:A*B'

# ---- edi read: what partners send, from the published layouts -------------
ok "edi read reads a partner's 997" evalq 'q edi read --json "$FIX/997/partner.997" > p997.json'
check "  the group partially accepted, 2 of 3; set 2 accepted with errors, SN1 at 17, element 3 code 7 'ZZ'" evalq '
	test "$(jq -c "[.[0].status, .[0].accepted, [.[0].sets[].status], .[0].sets[1].errors[0]]" p997.json)" = \
	"[\"P\",2,[\"A\",\"E\",\"R\"],{\"element\":3,\"element_code\":\"7\",\"position\":17,\"segment\":\"SN1\",\"segment_code\":\"8\",\"value\":\"ZZ\"}]"'
ok "edi read reads a partner's 855" evalq 'q edi read --json "$FIX/855/po-ack.855" > p855.json'
check "  the whole PO accepted with its promise and note, line 2 accepted 5 by 2026-12-18" evalq '
	test "$(jq -c "[.[] | [.po, .line, .decision, .promise, .qty, .note]]" p855.json)" = \
	"[[\"PO-1\",null,\"accepted\",\"2026-12-15\",null,\"ships from plant 2\"],[\"PO-1\",2,\"accepted\",\"2026-12-18\",5,null]]"'
sed 's/^AK5\*E\*5/AK5*X*5/' "$FIX/997/partner.997" > badst.997
fails 1 "X12 segment 10 \(AK5\): AK501 'X' is not A, E or R" "a 997 with an unknown AK501 is refused, naming the segment" \
	q edi read badst.997
sed 's/^ACK\*IA\*5/ACK*IR*5/' "$FIX/855/po-ack.855" > contra.855
fails 1 "X12 segment 14 \(ACK\): ACK01 'IR' contradicts BAK02" "an 855 whose ACK contradicts its BAK is refused" \
	q edi read contra.855
sed 's/^PO1\*2\*5/PO1*0*5/' "$FIX/855/po-ack.855" > line0.855
fails 1 "PO101 \(the line\) '0' is not a whole number from 1" "an 855 naming line 0 is refused" q edi read line0.855
sed 's/^BAK\*00\*AK\*PO-1\*20261101\*\*/BAK*00*AK*PO-1*20261101*3*/' "$FIX/855/po-ack.855" > rel.855
check "an 855 naming a release (BAK05) reads as the answer to it" \
	evalq 'q edi read --json rel.855 | jq -e ".[0].release == 3 and (.[1] | has(\"release\") | not)" > /dev/null'
sed 's/^BAK\*00\*AD\*PO-1\*20261101\*\*/BAK*00*AD*PO-1*20261101*3*/' "$FIX/855/po-ack.855" > relline.855
fails 1 "BAK05 names a release, which is answered whole, but BAK02 'AD' answers a line" \
	"an 855 answering a line of a release is refused" q edi read relline.855
sed 's/^BAK\*00\*AK\*PO-1\*20261101\*\*/BAK*00*AK*PO-1*20261101*R1*/' "$FIX/855/po-ack.855" > relbad.855
fails 1 "BAK05 \(the release\) 'R1' is not a whole number from 1" "an 855 whose release is no number is refused" \
	q edi read relbad.855
sed '/^ACK\*IA/d; s/^SE\*6\*0002/SE*5*0002/' "$FIX/855/po-ack.855" > noack.855
fails 1 "answers a line \(BAK02 AC, AD or RD\) with no PO1 and ACK" "an 855 line answer with no ACK is refused" \
	q edi read noack.855

done_testing
