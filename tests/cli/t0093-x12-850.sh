#!/bin/sh
# Purchase orders from the buyer's ERP as X12 (issue 22): po import reads an
# 850 interchange (tests/fixtures/850, written from the published layout:
# BEG, N1, DTM, PO1 with BP/VP/PN/IN parts and DW/DR/EC drawings, SCH, CTT;
# a blanket order BEG02 BK with its validity) into the same POs as the
# equivalent CSV and JSON (po show --json compared), in one commit; an 860
# (tests/fixtures/860: BCH, NTE, POC QI/RS/DI/AI) becomes one change order;
# edi read describes both; every refusal exits 1 with one line naming the
# cause and leaves the vault as it was (a refused 850 writes nothing).
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zoe:zeta
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q release DWG-2 --rev A c.pdf --to zeta > /dev/null
cp "$FIXTURES/850/purchase-order.850" po.850
cp "$FIXTURES/860/change-order.860" co.860

# js FILE EXPR VALUE...: each Python expression EXPR of the JSON in FILE (d) is its VALUE
js() {
	f=$1; shift
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = str(eval(e))
    if v != want: sys.exit("%s is %r, not %r" % (e, v, want))' "$f" "$@"
}
# mk SRC OUT FROM TO...: SRC with each FROM replaced by its TO (each must be
# there), every SE01 counted again, into OUT; raw: SE01 left as it was
mk() { X12_RECOUNT=1 x12_edit "$@"; }
raw() { X12_RECOUNT= x12_edit "$@"; }
x12_edit() {
	python3 -c 'import os, re, sys
s = open(sys.argv[1]).read()
for a, b in zip(sys.argv[3::2], sys.argv[4::2]):
    assert a in s, a
    s = s.replace(a, b, 1)
if os.environ.get("X12_RECOUNT"):
    segs = s.split("~")
    out, count = [], 0
    for seg in segs:
        t = seg.strip()
        if t.startswith("ST*"): count = 0
        count += 1
        if t.startswith("SE*"):
            p = t.split("*"); p[1] = str(count); seg = seg.replace(t, "*".join(p))
        out.append(seg)
    s = "~".join(out)
open(sys.argv[2], "w").write(s)' "$@"
}
# strip FILE: po show --json of FILE without what differs by when and how it was recorded
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in ("created_at", "commit", "commit_id"): d.pop(k, None)
print(json.dumps(d, sort_keys=True))' "$1"; }
schema_valid() {
	have_jsonschema || return 0
	/usr/bin/python3 -c 'import json,sys
from jsonschema import Draft202012Validator, FormatChecker
s = json.load(open(sys.argv[1]))
Draft202012Validator(s, format_checker=FormatChecker()).validate(json.load(open(sys.argv[2])))' \
		"$TESTS_DIR/../../schemas/$1" "$2"
}
commits() { git -C v rev-list --count main; }

# ---- edi read: what the 850 reads as ------------------------------------------
ok "edi read reads the 850 fixture, outside any vault" evalq '(unset QVAULT_DIR; q edi read po.850 --json > po.json)'
check "  its JSON is what po import's schema describes" schema_valid po-import.schema.json po.json
check "  BEG03 the PO; N1*SU (else ISA08) the supplier; PO101 (else the nth PO1) the line" \
	js po.json '[(o["po"], o["supplier"], [l["line"] for l in o["lines"]]) for o in d]' \
	"[('4500012345', 'acme', [1, 2, 3]), ('PO-BK1', 'acme', [1, 2])]"
check "  parts: BP before VP, PN alone, IN when there is nothing else; DW the drawing, DR or EC the revision" \
	js po.json '[(l["part"], l["doc"], l["rev"]) for o in d for l in o["lines"]]' \
	"[('PN-1', 'DWG-1', 'C'), ('PN-2', 'DWG-1', 'C'), ('PN-3', 'DWG-1', 'C'), ('PN-1', 'DWG-1', 'C'), ('PN-5', 'DWG-1', 'C')]"
check "  quantities and units of PO102/PO103; no price kept" \
	js po.json '[(l["qty"], l["unit"]) for o in d for l in o["lines"]]' \
	"[(100, 'EA'), (24, 'CA'), (10, 'EA'), (500, 'EA'), (1200, 'EA')]" \
	'[k for o in d for l in o["lines"] for k in l if "price" in k]' '[]'
check "  due dates: the line's DTM*002, else the heading's, an SCH's date; a blanket's lines none" \
	js po.json '[l.get("due") for o in d for l in o["lines"]]' \
	"['2027-01-15', '2027-02-01', '2027-03-01', None, None]"
check "  BEG02 BK: every line a blanket valid DTM*092 to DTM*093" \
	js po.json '[l.get("blanket") for l in d[1]["lines"]]' \
	"[{'valid_from': '2027-01-01', 'valid_until': '2027-12-31'}, {'valid_from': '2027-01-01', 'valid_until': '2027-12-31'}]"
ok "without --json, a row per PO" evalq 'q edi read po.850 > po.txt'
check "  the rows say PO, supplier, lines, total quantity, blanket" evalq '
	head -1 po.txt | grep -Eq "^PO +SUPPLIER +LINES +QTY +BLANKET$" &&
	sed -n 2p po.txt | grep -Eq "^4500012345 +acme +3 +134 +no$" &&
	sed -n 3p po.txt | grep -Eq "^PO-BK1 +acme +2 +1700 +yes$" && test "$(wc -l < po.txt)" -eq 3'

# ---- po import: one commit, the same POs as from CSV and JSON -------------------
c0=$(commits)
check "po import of the 850: both POs in one commit" \
	evalq 'q po import po.850 > out.txt && grep -qx "recorded 2 purchase orders in one commit" out.txt &&
	       test "$(commits)" -eq $((c0 + 1)) && git -C v log -1 --format=%B | grep -qx "Qvault-Op: po-import"'
q po show 4500012345 --json > x1.json
q po show PO-BK1 --json > x2.json
check "  po show: the lines as the 850 gave them" \
	js x1.json '[(l["line"], l["part"], l["qty"], l.get("unit"), l.get("due")) for l in d["lines"]]' \
	"[(1, 'PN-1', 100, 'EA', '2027-01-15'), (2, 'PN-2', 24, 'CA', '2027-02-01'), (3, 'PN-3', 10, 'EA', '2027-03-01')]"
check "  the blanket order's lines are blankets" \
	js x2.json '[(l["valid_from"], l["valid_until"], l["remaining"]) for l in d["lines"]]' \
	"[('2027-01-01', '2027-12-31', 500), ('2027-01-01', '2027-12-31', 1200)]"
# the same POs by hand, as CSV into a second vault, as edi read's JSON into a third
cat > po.csv <<'EOF'
po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size,valid_from,valid_until
4500012345,acme,1,PN-1,100,DWG-1,C,2027-01-15,EA,,,,
4500012345,acme,2,PN-2,24,DWG-1,C,2027-02-01,CA,,,,
4500012345,acme,3,PN-3,10,DWG-1,C,2027-03-01,EA,,,,
PO-BK1,acme,1,PN-1,500,DWG-1,C,,EA,,,2027-01-01,2027-12-31
PO-BK1,acme,2,PN-5,1200,DWG-1,C,,EA,,,2027-01-01,2027-12-31
EOF
same_as() {
	d=$1 file=$2
	new_vault "$d" && QVAULT_DIR=$d q --key "$TMP/admin.pem" user add sam --org acme --role supplier \
		--pubkey sam.pub > /dev/null &&
	QVAULT_DIR=$d q release DWG-1 --rev C c.pdf --to acme > /dev/null &&
	QVAULT_DIR=$d q po import "$file" > /dev/null &&
	for p in 4500012345 PO-BK1; do
		QVAULT_DIR=$d q po show $p --json > "$d-$p.json" &&
		q po show $p --json > "v-$p.json" &&
		test "$(strip "$d-$p.json")" = "$(strip "v-$p.json")" || return 1
	done
}
check "  po show --json of each is the same as the CSV's" same_as w po.csv
check "  and as the JSON edi read printed" same_as j po.json

# ---- the 850's refusals: one line, exit 1, nothing written -------------------------
fails 1 "'po.850': 850 set 1: PO '4500012345' already exists" "the same 850 again" q po import po.850
# n850 FROM TO ...: the fixture with new PO numbers (so only the change is refused), changed
n850() { mk po.850 bad.850 4500012345 4500099999 PO-BK1 PO-BK9 "$@"; }
refuses() { pattern=$1 desc=$2; shift 2; n850 "$@" && fails 1 "$pattern" "$desc" q po import bad.850; }
refuses "X12 segment 4 \(BEG\): BEG01 '05' is not a purpose qvault takes in an 850 \(00 original: a change or a cancellation is an 860\)" \
	"BEG01 05 (replace)" "BEG*00*SA" "BEG*05*SA"
refuses "BEG02 'RL' is a release against a blanket order: record it with po release" \
	"BEG02 RL (a release)" "BEG*00*SA" "BEG*00*RL"
refuses "BEG02 'ZZ' is not an order type qvault reads" "an unknown order type" "BEG*00*SA" "BEG*00*ZZ"
refuses "X12 segment 15 \(PO1\): line 3 names no drawing and revision \(DW and DR or EC\)" \
	"a PO1 without its drawing" "*DW*DWG-1*EC*C" ""
refuses "line 3 names no part" "a PO1 naming only its drawing" "PN*PN-3*DW" "DW"
refuses "two revisions \(DR, EC\) given, 'C' and 'D'" "a PO1 with two revisions" "*DR*C~" "*DR*C*EC*D~"
refuses "PO102 \(the quantity\) '2.5' is not a whole quantity" "a fractional quantity" "PO1*1*100*" "PO1*1*2.5*"
refuses "PO102 \(the quantity\) '0' is not from 1" "a zero quantity" "PO1*1*100*" "PO1*1*0*"
refuses "PO101 'A1' is not a line number qvault keeps" "a line number qvault cannot keep" "PO1*1*100*" "PO1*A1*100*"
refuses "PO103 \(the unit\) 'EACH' is not a unit of measure" "a unit that is not X12's" "PO1*1*100*EA*" "PO1*1*100*EACH*"
refuses "850 set 1: line 1 is given twice" "two PO1 of one number" "PO1*2*24" "PO1*1*24"
refuses "a second delivery schedule \(SCH\) on line 3: a qvault line has one due date" \
	"a line with two deliveries" "SCH*10*EA***002*20270301~" "SCH*10*EA***002*20270301~SCH*10*EA***002*20270401~"
refuses "SCH01 4 is not the line's quantity 10" "a schedule of part of the line" "SCH*10*" "SCH*4*"
refuses "a second DTM02 \(the due date\), 2027-01-20, beside 2027-01-15: qvault keeps one" \
	"two due dates on a line" "DTM*002*20270115~" "DTM*002*20270115~DTM*002*20270120~"
refuses "'2027-02-30' is no day of the calendar" "a due date that is no day" "DTM*002*20270115" "DTM*002*20270230"
refuses "a blanket order \(BEG02 BK\) without its validity: DTM\*092 \(from\) and DTM\*093 \(until\)" \
	"a blanket order without its end" "DTM*093*20271231~" ""
refuses "line 1 of a blanket order has a due date: its releases have" \
	"a blanket line with a due date" "PO1**500*EA*1.10*PE*BP*PN-1*DW*DWG-1*DR*C~" \
	"PO1**500*EA*1.10*PE*BP*PN-1*DW*DWG-1*DR*C~DTM*002*20270301~"
refuses "a blanket order with a due date \(DTM\*002 or 106 in the heading\): its releases have" \
	"a blanket order with the heading's due date" "DTM*092*20270101~" "DTM*002*20270201~DTM*092*20270101~"
refuses "the blanket order is valid from 2027-01-01, after its end 2026-12-31" \
	"a blanket valid from after until" "DTM*093*20271231" "DTM*093*20261231"
refuses "a line's supplier 'zeta' is not the order's 'acme': a qvault PO has one supplier" \
	"a line of another supplier" "PID*F****BRACKET, MACHINED~" "N1*SU*ZETA*92*zeta~"
refuses "850 set 1: no supplier belongs to organization 'nobody'" "a supplier qvault does not know" \
	"N1*SU*ACME MACHINING*92*acme" "N1*SU*NOBODY*92*nobody"
refuses "850 set 1: line 1: document 'DWG-1' has no revision 'Z'" "a drawing revision not in the vault" \
	"BP*PN-1*VP*ACME-77*DW*DWG-1*DR*C" "BP*PN-1*VP*ACME-77*DW*DWG-1*DR*Z"
refuses "CTT01 \(the number of lines\) is 4, the set has 3" "CTT01 wrong" "CTT*3*134" "CTT*4*134"
refuses "CTT02 says the quantities add up to 135, they add up to 134" "CTT02 wrong" "CTT*3*134" "CTT*3*135"
refuses "PO1 after CTT, the set's summary" "a PO1 after CTT" "CTT*2*1700~" "CTT*2*1700~PO1**5*EA***BP*PN-9*DW*DWG-1*DR*C~"
refuses "transaction set '0002' is an 860, not an 850 purchase order \(one kind of set per file\)" \
	"an 860 among 850s" "ST*850*0002" "ST*860*0002"
refuses "POC is a PO change's \(860\) segment, not an 850's" "an 860's segment in an 850" \
	"PID*F****BRACKET, MACHINED" "POC*1*QI*5"
refuses "an 850 opens with BEG, not REF" "a set without BEG" "BEG*00*SA*4500099999**20261201~" ""
fails 1 "transaction set '0001' is an 830, not an 850 purchase order" "an 830 given to po import" \
	q po import "$FIXTURES/830/planning-schedule.830"
raw po.850 bad.850 4500012345 4500099999 "PID*F****BRACKET, MACHINED~" ""
check "  (the raw edit changed the fixture)" evalq '! cmp -s po.850 bad.850'
fails 1 "SE01" "a set whose SE01 does not count its segments" q po import bad.850
n850 "N1*SU*ACME MACHINING*92*acme~" ""
check "  (without N1*SU, ISA08 names the supplier: acme)" evalq 'q edi read bad.850 --json | grep -q "\"supplier\": \"acme\""'
n850 "*ZZ*acme           *" "*ZZ*ACME CORP      *" "N1*SU*ACME MACHINING*92*acme~" ""
fails 1 "ISA08|supplier" "without N1*SU, an ISA08 that is no organization name" q po import bad.850
n850
fails 1 "user 'sam' may not issue purchase orders" "a supplier importing an 850" q --key sam.pem po import bad.850

# ---- PO4: how many of the line's unit one case holds --------------------------------
# js_file_eq PO: po show PO has no pack on line 1
js_file_eq() { q po show "$1" --json > pk1.json && js pk1.json 'd["lines"][0].get("pack_size")' None; }
pack850() { mk po.850 pk.850 4500012345 "$1" PO-BK1 "$1-BK" "PID*F****BRACKET, MACHINED~" "PID*F****BRACKET, MACHINED~$2" \
	"PO1*2*24*CA*310.00*PE*VP*ACME-88*BP*PN-2*DW*DWG-1*DR*C~" "PO1*2*24*CA*310.00*PE*VP*ACME-88*BP*PN-2*DW*DWG-1*DR*C~${3-}"; }
pack850 4500020001 "PO4*12*1*EA~" "PO4*6~"
ok "an 850 whose lines give their packs (PO4)" q po import pk.850
q po show 4500020001 --json > pk.json
check "  PO4*12*1*EA on a line in EA: a case of 12; PO4 on a line in cases passed over" \
	js pk.json '[(l["line"], l.get("unit", "EA"), l.get("pack_unit"), l.get("pack_size")) for l in d["lines"]]' \
	"[(1, 'EA', 'CA', 12), (2, 'CA', None, None), (3, 'EA', None, None)]"
pack850 4500020002 "PO4*12*2*EA~"
ok "an 850 whose PO4 packs twelve of size 2" q po import pk.850
check "  is passed over: no pack size qvault could convert by" \
	js_file_eq 4500020002
pack850 4500020003 "PO4*12*1*FT~"
ok "an 850 whose PO4 counts another unit (FT)" q po import pk.850
check "  is passed over too" js_file_eq 4500020003
pack850 4500020004 "PO4*12*1*EA~PO4*10*1*EA~"
fails 1 "X12 segment [0-9]+ \(PO4\): line 1 gives two packs, of 12 and 10" "a line with two different packs" \
	q po import pk.850

# ---- the 860: one change order ---------------------------------------------------
ok "edi read reads the 860 fixture" evalq 'q edi read co.860 --json > co.json'
check "  its JSON is what the change import's schema describes" schema_valid po-change-import.schema.json co.json
check "  BCH03 the PO, NTE02 the reason, each POC as its change" \
	js co.json 'd[0]["po"]' 4500012345 'd[0]["purpose"]' change 'd[0]["reason"]' "Quantity and schedule per ECN-88" \
	'[(c["change"], c["line"], c.get("qty"), c.get("due")) for c in d[0]["changes"]]' \
	"[('edit', 1, 150, None), ('edit', 2, None, '2027-02-15'), ('cancel', 3, None, None), ('add', 4, 40, '2027-03-20')]"
check "  QI is a quantity increase, one the import holds the line to" \
	js co.json 'd[0]["changes"][0]["qty_change"]' increase
check "  without --json, a row" evalq 'q edi read co.860 | sed -n 2p | grep -Eq "^4500012345 +acme +change +4$"'

# its refusals first, against the PO as imported
# c860 FROM TO ...: the 860 fixture changed, SE01 counted again
c860() { mk co.860 bad.860 "$@"; }
crefuses() { pattern=$1 desc=$2; shift 2; c860 "$@" && fails 1 "$pattern" "$desc" q po import bad.860; }
crefuses "POC02 'PC' changes a price: qvault keeps no prices" "a price change" "POC*1*QI*150" "POC*1*PC*150"
crefuses "POC02 'ZZ' is not a change qvault reads" "an unknown change" "POC*3*DI" "POC*3*ZZ"
crefuses "BCH01 '05' is not a purpose qvault takes \(04 change, 01 cancellation: a replacement is sent as the lines it changes\)" \
	"BCH01 05 (replace)" "BCH*04" "BCH*05"
crefuses "line changes \(POC\) in a cancellation \(BCH01 01\)" "a cancellation with line changes" "BCH*04" "BCH*01"
crefuses "line 1 of PO '4500012345' is part 'PN-1', not 'PN-9'" "a change naming the line's part wrongly" \
	"*BP*PN-1~" "*BP*PN-9~"
crefuses "line 1 of PO '4500012345' is counted in EA, not CA" "a quantity in another unit" "*100*EA*12.50" "*100*CA*12.50"
crefuses "line 1: the change is a quantity increase, but 80 is below the 100 ordered" \
	"a quantity increase (QI) that lowers the quantity" "POC*1*QI*150" "POC*1*QI*80" "CTT*4*190" "CTT*4*120"
crefuses "line 1: the change is a quantity increase, but 100 is the same as the 100 ordered" \
	"a quantity increase (QI) to the same quantity" "POC*1*QI*150" "POC*1*QI*100" "CTT*4*190" "CTT*4*140"
crefuses "line 1: the change is a quantity decrease, but 150 is above the 100 ordered" \
	"a quantity decrease (QD) that raises the quantity" "POC*1*QI*150" "POC*1*QD*150"
crefuses "a new line 7: PO '4500012345' numbers its next line 4" "a new line of another number" "POC*4*AI" "POC*7*AI"
crefuses "PO '4500012345' is acme's, not zeta's" "a change sent to another supplier" "92*acme" "92*zeta"
crefuses "no PO '4500000000'" "a change of no such PO" "*4500012345*" "*4500000000*"
crefuses "line 2 is rescheduled \(POC02 RS\) without its new date" "a reschedule without its date" "DTM*002*20270215~" ""
crefuses "PO '4500012345' has no line 9" "a change of no such line" "POC*3*DI" "POC*9*DI"
crefuses "a second 860 in one file: one change order per file" "two 860s in one file" \
	"SE*12*0001~" "SE*12*0001~ST*860*0002~BCH*04*SA*PO-BK1**1*20261201~POC*1*DI~SE*4*0002~"
crefuses "transaction set '0002' is an 850, not an 860 PO change" "an 850 set in an 860's file" \
	"SE*12*0001~" "SE*12*0001~ST*850*0002~BEG*00*SA*X**20261201~SE*3*0002~"
crefuses "document 'DWG-1' has no revision 'Q'" "a new line to a revision not in the vault" "*DW*DWG-1*DR*C" "*DW*DWG-1*DR*Q"
crefuses "a drawing or a revision without the other" "a revision without its drawing" "POC*1*QI*150*100*EA*12.50*PE*BP*PN-1" \
	"POC*1*QI*150*100*EA*12.50*PE*BP*PN-1*DR*D"
fails 1 "user 'sam' may not change purchase orders" "a supplier importing an 860" q --key sam.pem po import co.860

c1=$(commits)
check "po import of the 860: one change order, one commit" \
	evalq 'q po import co.860 > out.txt &&
	       grep -qx "changed PO 4500012345 from the 860: revision 1, for the supplier to acknowledge" out.txt &&
	       test "$(commits)" -eq $((c1 + 1)) && git -C v log -1 --format=%B | grep -qx "Qvault-Op: po-change"'
q po show 4500012345 --json > x3.json
check "  po show: quantity, due date, cancellation, the new line, the 860's reason" \
	js x3.json 'd["revision"]' 1 \
	'[(l["line"], l["part"], l["qty"], l.get("due"), l.get("state", "open")) for l in d["lines"]]' \
	"[(1, 'PN-1', 150, '2027-01-15', 'open'), (2, 'PN-2', 24, '2027-02-15', 'open'), (3, 'PN-3', 10, '2027-03-01', 'cancelled'), (4, 'PN-4', 40, '2027-03-20', 'open')]" \
	'd["changes"][0]["reason"]' "Quantity and schedule per ECN-88"
check "  the line that was in cases stays in cases" js x3.json 'd["lines"][1]["unit"]' CA
# the same changes by hand in the CSV's vault: the lines end the same
lines_of() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["lines"], sort_keys=True))' "$1"; }
check "  its lines are those po change and po cancel make of the CSV's PO" evalq '(
	export QVAULT_DIR=w &&
	q po change 4500012345 --line 1 --qty 150 --reason r > /dev/null &&
	q po change 4500012345 --line 2 --due 2027-02-15 --reason r > /dev/null &&
	q po cancel 4500012345 --line 3 --reason r > /dev/null &&
	q po change 4500012345 --add-line PN-4:40:DWG-1@C:2027-03-20 --reason r > /dev/null &&
	q po show 4500012345 --json > w3.json && test "$(lines_of w3.json)" = "$(lines_of x3.json)")'
fails 1 "line 3 of PO '4500012345' is cancelled" "an 860 changing a cancelled line" \
	evalq 'c860 "POC*1*QI*150" "POC*3*QI*150" "*BP*PN-1~" "*BP*PN-3~" && q po import bad.860'
make_pdf d.pdf D
q release DWG-1 --rev D d.pdf --to acme > /dev/null
mk co.860 ca.860 "BCH*04*SA*4500012345**1*" "BCH*04*SA*4500012345**2*" "NTE*GEN*Quantity and schedule per ECN-88~" "" \
	"POC*1*QI*150*100*EA*12.50*PE*BP*PN-1~" "POC*2*CA*30*30*CA*310.00*PE*BP*PN-2*DW*DWG-1*DR*D~" \
	"POC*2*RS******BP*PN-2~" "" "DTM*002*20270215~" "" "POC*3*DI~" "" "POC*4*AI*40*0*EA*5.00*PE*BP*PN-4*DW*DWG-1*DR*C~" "" \
	"DTM*002*20270320~" "" "CTT*4*190" "CTT*1*30"
ok "a second 860: POC02 CA, a new quantity and drawing revision" q po import ca.860
q po show 4500012345 --json > x5.json
check "  line 2 is 30 to DWG-1@D, revision 2, its reason naming BCH05" \
	js x5.json 'd["revision"]' 2 '(d["lines"][1]["qty"], d["lines"][1]["rev"], d["lines"][1]["unit"])' "(30, 'D', 'CA')" \
	'd["changes"][1]["reason"]' "X12 860 change order number 2"
check "verify accepts the history the 850 and 860 wrote" q verify

# a cancellation: BCH01 01, no POC, cancels every open line
{ head -3 co.860; printf 'BCH*01*SA*PO-BK1**1*20261201~\nSE*3*0001~\n'; tail -2 co.860; } > cancel.860
ok "an 860 cancellation (BCH01 01)" q po import cancel.860
q po show PO-BK1 --json > x4.json
check "  cancels every line of the PO; its reason names BCH05" \
	js x4.json '[l.get("state") for l in d["lines"]]' "['cancelled', 'cancelled']" \
	'd["changes"][0]["reason"]' "X12 860 change order number 1"

done_testing
