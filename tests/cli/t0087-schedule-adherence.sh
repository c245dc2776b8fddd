#!/bin/sh
# The scorecard's schedule adherence (issue 17): each firm bucket in force
# that has ended, against what the supplier shipped of the part, early,
# on time, late or short; the latest revision only, a delivery schedule's
# buckets in place of the forecast's they cover; a supplier sees its own.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zed:zenith
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:1000:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-9:1000:DWG-1@C > /dev/null
# four firm weeks of 10 in March 2026 (past), a planning week after them
week() { printf '{"start": "%s", "period": "weekly", "qty": %s, "status": "%s"}' "$1" "$2" "${3:-firm}"; }
fc() { # SUPPLIER PART BUCKETS... : a forecast of them
	s=$1 p=$2; shift 2
	printf '[{"schedule": "forecast", "supplier": "%s", "part": "%s", "ship_to": "P1", "issued": "2026-01-01", "buckets": [%s]}]' \
		"$s" "$p" "$(IFS=,; echo "$*")"
}
fc acme PN-1 "$(week 2026-03-02 10)" "$(week 2026-03-09 10)" "$(week 2026-03-16 10)" \
	"$(week 2026-03-23 10)" "$(week 2026-03-30 10 planning)" > f1.json
q forecast import f1.json > /dev/null
q --key sam.pem lot add L-1 --part PN-1 --qty 100 --po PO-1 > /dev/null
ship() { q --key sam.pem asn add --id "$1" --po PO-1 --ship-date "$2" --package "P$1:L-1:$3" > /dev/null 2>&1; }
# 20 on 3 March: week 1 on time, week 2 covered before it began (early);
# 5 on 20 March leaves week 3 at 25 of 30 (late: 10 more on 25 March);
# week 4 needs 40 in all, 35 were shipped (short)
ship A1 2026-03-03 20
ship A2 2026-03-20 5
ship A3 2026-03-25 10
sa() { q scorecard --json | jq -c "[.suppliers[] | select(.org == \"$1\") | .schedule_adherence | [.of, .early, .on_time, .late, .short]][0]"; }
check "acme: 4 firm weeks ended, 1 early, 1 on time, 1 late, 1 short (the planning week not counted)" \
	evalq '[ "$(sa acme)" = "[4,1,1,1,1]" ]'
check "  rate: on time of all, 0.25" evalq '[ "$(q scorecard --json | jq ".suppliers[] | select(.org == \"acme\") | .schedule_adherence.rate")" = 0.25 ]'
check "  the text says it" evalq 'q scorecard --org acme | grep -q "firm schedule       on time 1/4 (25.0%); 1 early, 1 late, 1 short"'
check "  zenith, with no forecast: no firm bucket ended" evalq 'q scorecard --org zenith | grep -q "firm schedule       no firm bucket ended" && [ "$(sa zenith)" = "[0,0,0,0,0]" ]'
check "  --from/--to count the buckets that ended in the period: the last two" \
	evalq '[ "$(q scorecard --json --from 2026-03-20 --to 2026-03-31 | jq -c "[.suppliers[] | select(.org == \"acme\") | .schedule_adherence | [.of, .late, .short]][0]")" = "[2,1,1]" ]'
if have_jsonschema; then
	check "scorecard --json matches schemas/scorecard.schema.json" /usr/bin/python3 -c 'import json, subprocess, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
Draft202012Validator(s).validate(json.loads(subprocess.run(sys.argv[2:], capture_output=True, check=True).stdout))' \
		"$TESTS_DIR/../../schemas/scorecard.schema.json" "$QVAULT" -C v scorecard --json
else
	_skip "scorecard --json matches its schema: no python3-jsonschema (scripts/deps installs it)"
fi
check "the HTML scorecard has the column" evalq 'q scorecard --html sc.html > /dev/null && grep -q "<th>Firm schedule</th>" sc.html &&
	grep -q "<td>on time 1/4 (25.0%); 1 early, 1 late, 1 short</td>" sc.html'

# a new revision: week 4 cut to 5 (35 shipped covers 35 by its end: on time)
fc acme PN-1 "$(week 2026-03-02 10)" "$(week 2026-03-09 10)" "$(week 2026-03-16 10)" \
	"$(week 2026-03-23 5)" > f2.json
q forecast import f2.json > /dev/null
check "the latest revision alone counts: week 4 now on time" evalq '[ "$(sa acme)" = "[4,1,2,1,0]" ]'
# a delivery schedule over week 3's days: 5 due on 20 March, the day 5 were
# shipped (25 of 25 by then: on time, where the week of 10 was late)
printf '[{"schedule": "delivery", "supplier": "acme", "part": "PN-1", "ship_to": "P1", "issued": "2026-03-01",
  "buckets": [{"start": "2026-03-20", "period": "daily", "qty": 5, "status": "firm"}]}]' > d1.json
q forecast import d1.json > /dev/null
check "a delivery schedule's day replaces the forecast's week it falls in" \
	evalq '[ "$(sa acme)" = "[4,1,3,0,0]" ]'
check "  (the week of 16 March gives way: 3 weeks and the day)" \
	evalq '[ "$(q scorecard --json | jq ".suppliers[] | select(.org == \"acme\") | .schedule_adherence.of")" = 4 ]'

# a supplier sees its own card only
check "acme's supplier sees acme's adherence" evalq '[ "$(q --key sam.pem scorecard --json | jq -c "[.suppliers[] | .org]")" = "[\"acme\"]" ]'
fails 1 "a supplier sees only its own organization's scorecard" "  and not zenith's" q --key sam.pem scorecard --org zenith
done_testing
