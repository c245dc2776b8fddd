#!/bin/sh
# forecast import of X12: an 830 (planning schedule) and an 862 (shipping
# schedule) recorded as the JSON of the same content is, in one commit;
# what only the vault can judge (a part no PO of that supplier orders, a
# supplier that is no organization) refused with the vault unchanged, as
# are the reader's refusals (counts, dates out of order).
. "$(dirname "$0")/lib.sh"

FIX=$TESTS_DIR/../fixtures
vault_v sam:ACME zed:zenith
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to ACME,zenith > /dev/null
q po add PO-1 --supplier ACME --line PN-1:10:DWG-1@C --line PN-2:10:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
commits() { git -C v rev-list --count main; }

before=$(commits)
ok "the buyer imports the 830 fixture" evalq 'q forecast import "$FIX/830/planning-schedule.830" > imp.out'
check "  both of its parts, in one commit" evalq 'grep -qx "recorded 2 schedules in one commit" imp.out &&
	test $(commits) = $((before + 1))'
# the records, as JSON: what edi read makes of the file, imported again, is
# revision 2 of each, the same but for its number and time
R1=$(git -C v ls-tree -r --name-only main forecasts | grep '/PN-1/ACME/PLANT-2/forecast/000001.json$')
git -C v show "main:$R1" > r1.json
q edi read --json "$FIX/830/planning-schedule.830" > e.json
check "  recorded as the JSON edi read makes of it is (imported again: revision 2, the same)" evalq '
	q forecast import e.json > /dev/null && git -C v show "main:${R1%000001.json}000002.json" > r2.json &&
	jq -S "del(.revision, .imported_at)" r1.json > a.json && jq -S "del(.revision, .imported_at)" r2.json > b.json &&
	cmp -s a.json b.json'
q forecast show --part PN-1 --json > s.json
check "  PN-1 for PLANT-2: the firm days and week, then the planning weeks" evalq '
	[ "$(jq -r ".schedules[0].ship_to" s.json)" = PLANT-2 ] &&
	[ "$(jq -c "[.schedules[0].weeks[0:3][] | [.week, .zone, .qty]]" s.json)" = \
	  "[[\"2026-W49\",\"firm\",220],[\"2026-W50\",\"firm\",500],[\"2026-W51\",\"planning\",450]]" ]'
check "  the authorizations (ATH), the last receipt and the cumulative received (SHP)" evalq '
	[ "$(jq -c "[.authorizations[] | [.kind, .qty, .through]]" r1.json)" = \
	  "[[\"fabrication\",1170,\"2026-12-20\"],[\"material\",3620,\"2027-01-31\"]]" ] &&
	[ "$(jq -c "[.cumulative.qty, .cumulative.start, .last_receipt.qty, .last_receipt.shipment]" r1.json)" = \
	  "[4200,\"2026-01-01\",80,\"SHIP-0001\"]" ]'
ok "verify is clean" q verify

# the 862 names its supplier and parts as the 830 does
check "the 862 fixture: a delivery schedule, recorded in one commit" evalq '
	before=$(commits); q forecast import "$FIX/862/shipping-schedule.862" > d.out &&
	test $(commits) = $((before + 1)) && git -C v ls-tree -r --name-only main forecasts | grep -q "/delivery/000001.json"'

q forecast show --part PN-1 --json > s2.json
check "  its days replace the forecast's: W49 from the delivery schedule, W51 (none of its days) without one" evalq '
	[ "$(jq -c "[.schedules[0].weeks[] | select(.week == \"2026-W49\" or .week == \"2026-W51\") | [.week, .source, .delivery]]" s2.json)" = \
	  "[[\"2026-W49\",\"delivery\",220],[\"2026-W51\",\"forecast\",null]]" ]'
# two deliveries on 2026-11-30 (08:00 and 14:00): the supplier commits to the day's 100
ok "the supplier commits to the delivery schedule, its just-in-time day among it" \
	q --key sam.pem forecast ack PN-1@PLANT-2 --delivery --commit
check "  the commitment names 2026-11-30 once, with the day's 100" evalq '
	a=$(git -C v ls-tree -r --name-only main forecasts | grep "/PN-1/ACME/PLANT-2/delivery/acks/000001-sam.json$") &&
	[ "$(git -C v show "main:$a" | jq -c "[.buckets[] | [.start, .qty]]")" = \
	  "[[\"2026-11-30\",100],[\"2026-12-01\",120],[\"2026-12-07\",500]]" ]'
ok "  verify is clean" q verify
# the same times out of order are two deliveries overlapping
sed 's/FST\*40\*C\*D\*20261130\*\*002\*1400/FST*40*C*D*20261130**002*0700/' "$FIX/862/shipping-schedule.862" > jit.862
fails 1 "FST" "an 862 whose deliveries of one day are out of time order" q forecast import jit.862

# ---- what only the vault can judge
sed 's/BP\*PN-2/BP*PN-7/' "$FIX/830/planning-schedule.830" > unknown.830
fails 1 "no PO of 'ACME' orders part 'PN-7'" "an 830 naming a part no PO of the supplier orders" \
	q forecast import unknown.830
sed 's/BP\*PN-2/BP*PN-9/' "$FIX/830/planning-schedule.830" > other.830
fails 1 "no PO of 'ACME' orders part 'PN-9'" "an 830 naming another supplier's part" \
	q forecast import other.830
sed 's/N1\*SU\*ACME MACHINING\*92\*ACME/N1*SU*NOBODY*92*NOBODY/' "$FIX/830/planning-schedule.830" > nobody.830
fails 1 "no supplier organization 'NOBODY'" "an 830 naming a supplier that is no organization" \
	q forecast import nobody.830
# ---- the reader's refusals, through the import
sed 's/^SE\*27\*0001/SE*26*0001/; s/~SE\*27\*0001~/~SE*26*0001~/' "$FIX/830/planning-schedule.830" > count.830
fails 1 "SE" "an 830 whose segment count is wrong" q forecast import count.830
sed 's/FST\*120\*C\*D\*20261201/FST*120*C*D*20261129/' "$FIX/830/planning-schedule.830" > order.830
fails 1 "FST" "an 830 whose FST dates are out of order" q forecast import order.830
fails 1 "supplier|may not|not allowed|needs role" "a supplier importing an 830" \
	q --key sam.pem forecast import "$FIX/830/planning-schedule.830"
done_testing
