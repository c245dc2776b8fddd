#!/bin/sh
# X12 830 (planning schedule) and 862 (shipping schedule) interchanges as
# `qvault edi read` reads them (issue 17): every field of the fixtures
# (tests/fixtures/830, 862, written from the published layout) in the
# JSON it prints, which forecast import takes; the interchange's receiver
# as the supplier when no N1*SU says; an 856 read as the ship notice it
# is; and each interchange refused, with its one line naming the segment,
# the folder of the files left as it was.  No vault is needed.
. "$(dirname "$0")/lib.sh"

mkdir in
V=in
unset QVAULT_DIR
cp "$FIXTURES/830/planning-schedule.830" in/f.830
cp "$FIXTURES/862/shipping-schedule.862" in/d.862
cp "$FIXTURES/856/ship-notice.856" in/s.856

# edit FROM TO [FILE]: FILE (default in/f.830) with the text FROM replaced by TO, on stdout
edit() { python3 -c 'import sys; s = open(sys.argv[3]).read(); assert sys.argv[1] in s, sys.argv[1]
sys.stdout.write(s.replace(sys.argv[1], sys.argv[2], 1))' "$1" "$2" "${3:-in/f.830}"; }
# same FILE EXPECTED: the JSON list in FILE equals EXPECTED's, every field
same() { python3 -c 'import json,sys
a, b = json.load(open(sys.argv[1])), json.loads(sys.argv[2])
if a != b:
    print(json.dumps(a, sort_keys=True)); sys.exit(1)' "$1" "$2"; }
schema_valid() {
	have_jsonschema || return 0
	/usr/bin/python3 -c 'import json,sys
from jsonschema import Draft202012Validator, FormatChecker
s = json.load(open(sys.argv[1]))
Draft202012Validator(s, format_checker=FormatChecker()).validate(json.load(open(sys.argv[2])))' \
		"$TESTS_DIR/../../schemas/forecast-import.schema.json" "$1"
}

# ---- the 830: every field ---------------------------------------------------
ok "edi read reads the 830 fixture, outside any vault" evalq 'q edi read in/f.830 --json > f.json'
check "  its JSON is what the forecast import's schema describes" schema_valid f.json
check "  every field is the fixture's: BFR, N1 ST/SU, LIN BP, UIT, each FST, ATH FI/MT, SHP 01/02, REF*SI" same f.json '[
 {"schedule": "forecast", "supplier": "ACME", "part": "PN-1", "ship_to": "PLANT-2",
  "reference": "FC-2026-48", "issued": "2026-11-27",
  "horizon_start": "2026-11-30", "horizon_end": "2027-02-28", "unit": "EA",
  "buckets": [
   {"start": "2026-11-30", "period": "daily", "qty": 100, "status": "firm"},
   {"start": "2026-12-01", "period": "daily", "qty": 120, "status": "firm"},
   {"start": "2026-12-07", "period": "weekly", "qty": 500, "status": "firm"},
   {"start": "2026-12-14", "period": "weekly", "qty": 450, "status": "planning"},
   {"start": "2027-01-01", "period": "monthly", "qty": 2000, "status": "planning"},
   {"start": "2027-02-01", "end": "2027-02-28", "period": "flexible", "qty": 3000, "status": "trade-off"}],
  "authorizations": [
   {"kind": "fabrication", "qty": 1170, "through": "2026-12-20", "start": "2026-01-01"},
   {"kind": "material", "qty": 3620, "through": "2027-01-31", "start": "2026-01-01"}],
  "last_receipt": {"date": "2026-11-25", "qty": 80, "shipment": "SHIP-0001"},
  "cumulative": {"qty": 4200, "start": "2026-01-01", "end": "2026-11-25"}},
 {"schedule": "forecast", "supplier": "ACME", "part": "PN-2", "ship_to": "DOCK-7",
  "reference": "FC-2026-48", "issued": "2026-11-27",
  "horizon_start": "2026-11-30", "horizon_end": "2027-02-28", "unit": "CA",
  "buckets": [
   {"start": "2026-11-30", "period": "weekly", "qty": 40, "status": "firm"},
   {"start": "2026-12-07", "period": "weekly", "qty": 40, "status": "planning"},
   {"start": "2026-12-14", "period": "weekly", "qty": 0, "status": "planning"}]}]'
ok "without --json, a row per schedule" evalq 'q edi read in/f.830 > f.txt'
check "  the rows say kind, supplier, part, ship-to, issued, buckets, first and last, total" evalq '
	head -1 f.txt | grep -Eq "^SCHEDULE +SUPPLIER +PART +SHIP-TO +ISSUED +BUCKETS +FIRST +LAST +QTY$" &&
	sed -n 2p f.txt | grep -Eq "^forecast +ACME +PN-1 +PLANT-2 +2026-11-27 +6 +2026-11-30 +2027-02-01 +6170$" &&
	sed -n 3p f.txt | grep -Eq "^forecast +ACME +PN-2 +DOCK-7 +2026-11-27 +3 +2026-11-30 +2026-12-14 +80$" &&
	test "$(wc -l < f.txt)" -eq 3'

# ---- the 862 ---------------------------------------------------------------
ok "edi read reads the 862 fixture" evalq 'q edi read in/d.862 --json > d.json'
check "  its JSON is what the forecast import's schema describes" schema_valid d.json
check "  every field: BSS, firm daily buckets with their JIT times (FST06 002/FST07), SHP, no UIT no unit" same d.json '[
 {"schedule": "delivery", "supplier": "ACME", "part": "PN-1", "ship_to": "PLANT-2",
  "reference": "SS-2026-1130", "issued": "2026-11-27",
  "horizon_start": "2026-11-30", "horizon_end": "2026-12-13", "unit": "EA",
  "buckets": [
   {"start": "2026-11-30", "period": "daily", "qty": 60, "status": "firm", "time": "08:00"},
   {"start": "2026-11-30", "period": "daily", "qty": 40, "status": "firm", "time": "14:00"},
   {"start": "2026-12-01", "period": "daily", "qty": 120, "status": "firm", "time": "08:00"},
   {"start": "2026-12-07", "period": "weekly", "qty": 500, "status": "firm"}],
  "last_receipt": {"date": "2026-11-25", "qty": 80, "shipment": "SHIP-0001"}},
 {"schedule": "delivery", "supplier": "ACME", "part": "PN-2", "ship_to": "PLANT-2",
  "reference": "SS-2026-1130", "issued": "2026-11-27",
  "horizon_start": "2026-11-30", "horizon_end": "2026-12-13",
  "buckets": [{"start": "2026-12-02", "period": "daily", "qty": 40, "status": "firm"}]}]'

# ---- what else the layout allows -------------------------------------------
sed 's/2026\([0-9][0-9][0-9][0-9]\)/26\1/g; s/\*004010~$/*003040~/' in/d.862 > in/six.862
ok "version 003040 (GS08) with six-digit dates (YYMMDD)" evalq 'q edi read in/six.862 --json > six.json'
check "  read as the 004010 fixture, every date 20YY" evalq 'grep -q "^GS.*\*003040~$" in/six.862 && ! grep -q "20261130" in/six.862 && cmp six.json d.json'
edit 'N1*SU*ACME MACHINING*92*ACME~' 'N1*BY*BUYER CORP*92*BUYERCORP~' > in/nosu.830
ok "no N1*SU: read" evalq 'q edi read in/nosu.830 --json > nosu.json'
check "  the supplier is the interchange's receiver (ISA08, trimmed)" evalq '
	test "$(python3 -c "import json; print(\" \".join(s[\"supplier\"] for s in json.load(open(\"nosu.json\"))))")" = "ACMEMACHINING ACMEMACHINING"'
edit 'LIN**BP*PN-2~' 'LIN**BP*PN-2~
N1*SU*OTHER WORKS*92*OTHERWORKS~' | edit 'SE*27*' 'SE*28*' /dev/stdin > in/linsu.830
ok "an N1*SU inside a LIN loop" evalq 'q edi read in/linsu.830 --json > linsu.json'
check "  names the supplier of that LIN only" evalq '
	test "$(python3 -c "import json; print(\" \".join(s[\"supplier\"] for s in json.load(open(\"linsu.json\"))))")" = "ACME OTHERWORKS"'
cat in/f.830 in/d.862 > in/both.x12
ok "an 830 and an 862 interchange in one file" evalq 'q edi read in/both.x12 --json > both.json'
check "  four schedules, two forecasts then two delivery schedules" evalq '
	test "$(python3 -c "import json; print(\" \".join(s[\"schedule\"] + \":\" + s[\"part\"] for s in json.load(open(\"both.json\"))))")" = "forecast:PN-1 forecast:PN-2 delivery:PN-1 delivery:PN-2"'
edit 'CTT*2*6250~' 'CTT*2~' > in/nohash.830
ok "CTT without its hash total (CTT02 is optional)" q edi read in/nohash.830
edit 'CTT*2*6250~' 'REF*ZZ*NOTE~' > in/noctt.830
ok "no CTT at all (optional in the layout)" q edi read in/noctt.830
edit 'FST*500*C*W*20261207~' 'FST*500*C*W*20261207*20261213~' > in/weekend.830
ok "a weekly bucket giving its own end (FST05 its seventh day)" q edi read in/weekend.830
ok "an 856 is read as the ship notice it is" evalq 'q edi read in/s.856 --json > s.json'
check "  the ship notice, its PO and its two packages" evalq '
	test "$(python3 -c "import json; a = json.load(open(\"s.json\"))[0]; print(a[\"asn\"], a[\"po\"], len(a[\"packages\"]))")" = "SHIP-0001 PO-1 2"'

# ---- refused: one line naming the segment, nothing written ----------------
# refuse NAME PATTERN DESC: in/NAME refused by edi read
refuse() { fails 1 "$2" "$3" q edi read "in/$1"; }

edit 'FST*500*C*W*20261207~' 'FST*500*C*W*20261129~' > in/order.830
refuse order.830 '^qvault: X12 segment 12 \(FST\): FST dates out of order: 2026-11-29 comes after the bucket of 2026-12-01$' \
	"FST dates out of order"
edit 'FST*450*D*W*20261214~' 'FST*450*D*W*20261210~' > in/overlap.830
refuse overlap.830 '^qvault: X12 segment 13 \(FST\): the bucket from 2026-12-10 overlaps the one before \(2026-12-07 to 2026-12-13\)$' \
	"a weekly bucket overlapping the one before"
edit 'FST*2000*D*M*20270101~' 'FST*2000*D*M*20261215~' > in/overmonth.830
refuse overmonth.830 'X12 segment 14 \(FST\): the bucket from 2026-12-15 overlaps the one before \(2026-12-14 to 2026-12-20\)$' \
	"a monthly bucket overlapping the week before"
edit 'FST*60*C*D*20261130**002*0800~' 'FST*60*C*D*20261130**002*1500~' in/d.862 > in/jit.862
refuse jit.862 'X12 segment 10 \(FST\): the bucket from 2026-11-30 overlaps the one before \(2026-11-30 to 2026-11-30\)$' \
	"two deliveries on one day out of time order"
edit 'FST*3000*Z*F*20270201*20270228~' 'FST*3000*Z*F*20270201~' > in/flex.830
refuse flex.830 'X12 segment 15 \(FST\): a flexible bucket \(FST03 F\) without its end date \(FST05\)$' \
	"a flexible bucket without its end date"
edit 'FST*3000*Z*F*20270201*20270228~' 'FST*3000*Z*F*20270201*20270131~' > in/flexback.830
refuse flexback.830 'X12 segment 15 \(FST\): FST05 2027-01-31 is before FST04 2027-02-01$' \
	"a flexible bucket ending before it starts"
edit 'FST*500*C*W*20261207~' 'FST*500*C*W*20261207*20261212~' > in/weekend.830
refuse weekend.830 'X12 segment 12 \(FST\): FST05 2026-12-12 is not the end of the weekly bucket from 2026-12-07 \(2026-12-13\)$' \
	"a weekly bucket's FST05 other than its seventh day"
edit 'FST*100*C*D*20261130~' 'FST*100*C*D*20261131~' > in/day.830
refuse day.830 'X12 segment 10 \(FST\): FST04 \(the start\) .2026-11-31. is no day of the calendar$' \
	"a date that does not exist"
edit 'FST*100*C*D*20261130~' 'FST*-100*C*D*20261130~' > in/negative.830
refuse negative.830 "X12 segment 10 \(FST\): FST01 \(the quantity\) '-100' is not a whole quantity from 0$" \
	"a negative quantity"
edit 'FST*100*C*D*20261130~' 'FST*100.5*C*D*20261130~' > in/fraction.830
refuse fraction.830 "X12 segment 10 \(FST\): FST01 \(the quantity\) '100.5' is not a whole quantity from 0$" \
	"a fraction of a quantity"

# the envelope's counts and the summary's
edit 'SE*27*0001~' 'SE*26*0001~' > in/se.830
refuse se.830 "X12 segment 29 \(SE\): SE01 says 26 segments, transaction set '0001' has 27$" "a wrong SE01"
edit 'GE*1*201~' 'GE*2*201~' > in/ge.830
refuse ge.830 'X12 segment 30 \(GE\): GE01 says 2 transaction sets, the group has 1$' "a wrong GE01"
edit 'IEA*1*000000201~' 'IEA*2*000000201~' > in/iea.830
refuse iea.830 'X12 segment 31 \(IEA\): IEA01 says 2 groups, the interchange has 1$' "a wrong IEA01"
edit 'CTT*2*6250~' 'CTT*3*6250~' > in/ctt1.830
refuse ctt1.830 'X12 segment 28 \(CTT\): CTT01 says 3 line items, the set has 2 LIN$' "a wrong CTT01 (the LIN count)"
edit 'CTT*2*6250~' 'CTT*2*6251~' > in/ctt2.830
refuse ctt2.830 'X12 segment 28 \(CTT\): CTT02 says the quantities \(FST01\) add up to 6251, they add up to 6250$' \
	"a wrong CTT02 (the hash total of FST01)"
edit 'CTT*2*760~' 'CTT*2*700~' in/d.862 > in/ctt2.862
refuse ctt2.862 'X12 segment 17 \(CTT\): CTT02 says the quantities \(FST01\) add up to 700, they add up to 760$' \
	"a wrong CTT02 in an 862"

# qualifiers qvault does not read
edit 'FST*450*D*W*20261214~' 'FST*450*A*W*20261214~' > in/fst02.830
refuse fst02.830 "X12 segment 13 \(FST\): FST02 'A' is not a forecast qualifier qvault reads \(C firm, D planning, Z trade-off\)$" \
	"an unknown FST02 (forecast qualifier)"
edit 'FST*450*D*W*20261214~' 'FST*450*D*Q*20261214~' > in/fst03.830
refuse fst03.830 "X12 segment 13 \(FST\): FST03 'Q' is not a timing qualifier qvault reads \(D daily, W weekly, M monthly, F flexible\)$" \
	"an unknown FST03 (timing qualifier)"
edit 'ATH*MT*' 'ATH*PQ*' > in/ath.830
refuse ath.830 "X12 segment 17 \(ATH\): ATH01 'PQ' is not an authorization qvault reads \(FI fabrication, MT material\)$" \
	"an unknown ATH01 (authorization)"
edit 'ATH*MT*' 'ATH*FI*' > in/ath2.830
refuse ath2.830 'X12 segment 17 \(ATH\): a second ATH\*FI in the LIN$' "two authorizations of one kind"
edit 'SHP*02*4200*051*' 'SHP*03*4200*051*' > in/shp.830
refuse shp.830 "X12 segment 20 \(SHP\): SHP01 '03' is not a quantity qualifier qvault reads \(01 discrete, 02 cumulative\)$" \
	"an unknown SHP01"
edit 'SHP*01*80*050*' 'SHP*01*80*011*' > in/shp3.830
refuse shp3.830 "X12 segment 18 \(SHP\): SHP03 '011' with SHP01 01: qvault reads 050 \(received\)$" \
	"SHP*01 with another date than the receipt's (050)"
edit 'BFR*00*FC-2026-48**DL*A*' 'BFR*00*FC-2026-48**DL*C*' > in/bfr05.830
refuse bfr05.830 "X12 segment 4 \(BFR\): BFR05 'C': cumulative quantities are not read, only discrete ones \(A\)$" \
	"cumulative quantities (BFR05 C)"
edit 'BFR*00*' 'BFR*04*' > in/bfr01.830
refuse bfr01.830 "X12 segment 4 \(BFR\): BFR01 '04' is not a purpose qvault takes \(00 original, 05 replace" \
	"a net change (BFR01 04)"
edit 'FST*60*C*D*20261130**002*0800~' 'FST*60*C*D*20261130**010*0800~' in/d.862 > in/fst06.862
refuse fst06.862 "X12 segment 9 \(FST\): FST06 '010' is not a date/time qualifier qvault reads \(002" \
	"an unknown FST06"
edit 'FST*500*C*W*20261207~' 'FST*500*C*W*20261207**002*0800~' in/d.862 > in/weektime.862
refuse weektime.862 'X12 segment 12 \(FST\): a delivery time \(FST06/07\) on a weekly bucket: only on a daily one$' \
	"a delivery time on a weekly bucket"
edit 'FST*40*C*D*20261202~' 'FST*40*D*D*20261202~' in/d.862 > in/planning.862
refuse planning.862 "X12 segment 16 \(FST\): FST02 'D' in an 862: a shipping schedule's quantities are firm \(C\)$" \
	"a planning quantity in an 862"

# parts, names, what a LIN needs
edit 'LIN**BP*PN-2~' 'LIN**VP*ACME-88~' > in/nopart.830
refuse nopart.830 'X12 segment 21 \(LIN\): LIN names no buyer.s part \(qualifier BP\)$' "a LIN without the buyer's part (BP)"
edit 'LIN**BP*PN-2~' 'LIN**BP*PN-2 ~' > in/badpart.830
refuse badpart.830 "X12 segment 21 \(LIN\): the LIN's part \(BP\) 'PN-2 ' begins or ends with a space$" "a part number qvault cannot keep"
edit 'FST*40*C*D*20261202~' 'DTM*002*20261202~' in/d.862 > in/nofst.862
refuse nofst.862 "X12 segment 17 \(CTT\): the LIN of part 'PN-2' before it has no FST \(no bucket\)$" "a LIN without a bucket"
edit 'N1*ST*BUYER CORP PLANT 2*92*PLANT-2~' 'N1*BT*BUYER CORP*92*BILLING~' > in/noshipto.830
refuse noshipto.830 "X12 segment 21 \(LIN\): the LIN of part 'PN-1' before it has no ship-to \(N1\*ST\)$" "no ship-to"
edit 'N1*ST*BUYER CORP PLANT 2*92*PLANT-2~' 'N1*ST*BUYER CORP PLANT 2~' > in/n104.830
refuse n104.830 'X12 segment 5 \(N1\): N1\*ST gives no code \(N104\) to name the ship-to by$' "a ship-to without its code"
edit 'FST*100*C*D*20261130~' 'UIT*EA~' > in/uit.830
refuse uit.830 'X12 segment 10 \(UIT\): the LIN has a second UIT$' "two units for one LIN"

# segments of another set, or out of place
edit 'PER*EX*JANE PLANNER*TE*5551234~' 'BSN*00*SHIP-1*20261127*1200~' > in/bsn.830
refuse bsn.830 "X12 segment 7 \(BSN\): BSN is a ship notice's \(856\) segment, not an 830's$" "an 856's segment in an 830"
edit 'SHP*01*80*050*20261125~' 'ATH*FI*20261220*1170**20260101~' in/d.862 > in/ath.862
refuse ath.862 "X12 segment 13 \(ATH\): ATH is a planning schedule's \(830\) segment, not an 862's \(a shipping schedule authorizes nothing\)$" \
	"ATH in an 862"
edit 'BSS*00*SS-2026-1130*20261127*DL*20261130*20261213~' 'BFR*00*SS-2026-1130**DL*A*20261130*20261213*20261127~' in/d.862 > in/bfr.862
refuse bfr.862 "X12 segment 4 \(BFR\): BFR is a planning schedule's \(830\) segment, not an 862's \(an 862 opens with BSS\)$" \
	"an 862 opening with BFR"
edit 'SDP*Y*Y~' 'JIT*40*0800~' > in/jit.830
refuse jit.830 "X12 segment 24 \(JIT\): JIT is a shipping schedule's \(862\) segment, not an 830's$" "JIT in an 830"
edit 'PER*EX*JANE PLANNER*TE*5551234~' 'FST*1*C*D*20261129~' > in/outside.830
refuse outside.830 'X12 segment 7 \(FST\): FST outside a LIN loop \(no LIN before it\)$' "an FST before any LIN"
sed -n '1,/^CTT/p' in/f.830 > in/mixed.x12; printf 'SE*27*0001~\n' >> in/mixed.x12
sed -n '/^ST\*/,/^SE\*/p' "$FIXTURES/856/ship-notice.856" | sed 's/\*0001~$/*0002~/' >> in/mixed.x12
printf 'GE*2*201~\nIEA*1*000000201~\n' >> in/mixed.x12
fails 1 "X12 segment 30 \(ST\): transaction set '0002' is an 856, not an 830 planning schedule or an 862 shipping schedule$" \
	"an 856 set after an 830 in one file" q edi read in/mixed.x12

cat in/f.830 in/f.830 > in/twice.830
refuse twice.830 "X12 segment 21 \(LIN\): a second forecast of part 'PN-1' for 'ACME' at 'PLANT-2' in one file \(the first is the LIN of segment 8\)$" \
	"one part, supplier and ship-to twice in one file"

# separators
edit 'ISA*00*          *00*' 'ISA*00*         *00*' > in/squashed.830
refuse squashed.830 '^qvault: X12: ISA is not the fixed 106 bytes: byte 18 should be the element separator$' "an ISA of 105 bytes"
edit '*P*>~' '*P*>!' > in/term.830
refuse term.830 'X12: the interchange ends inside a segment \(no terminator\)$' \
	"an ISA naming another segment terminator than the file's"
sed '2,$ s/\*/|/g' in/f.830 > in/elsep.830
refuse elsep.830 "X12 segment 2 \(GS\|\): 'GS\|PS\|BUYERCORP\|' is not a segment id: the separators are not the ISA's \(elements '\*', segments '~'\)$" \
	"segments separated by another element separator than the ISA's"

# the file itself
: > in/empty.830
fails 1 "^qvault: 'in/empty.830' is empty$" "an empty file" q edi read in/empty.830
printf 'part,qty\nPN-1,5\n' > in/csv.830
fails 1 "^qvault: 'in/csv.830' is not an X12 interchange \(no ISA\)$" "a file that is not X12" q edi read in/csv.830
fails 1 "missing.830" "a file that is not there" q edi read in/missing.830
fails 2 "edi read" "no file named: a usage error" q edi read

done_testing
