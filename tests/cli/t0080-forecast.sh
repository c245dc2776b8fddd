#!/bin/sh
# qvault forecast import|show|ack: forecasts and delivery schedules as
# numbered revisions of a record per part, supplier, ship-to and kind;
# the grid by ISO week; a supplier's signed commitment or counter-proposal
# and its inbox; scoping, through qvault shell too; the index rebuilt.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zed:zenith
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C --line PN-2:10:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null

F1="forecasts/$(dir_of PN-1)/PN-1/acme/PLANT-1/forecast"
commits() { git -C v rev-list --count main; }
# forecast JSON: PN-1 to PLANT-1 for acme; $1 the second week's quantity
fc() {
	cat <<EOF
[{"schedule": "forecast", "supplier": "acme", "part": "PN-1", "ship_to": "PLANT-1",
  "issued": "2026-11-30", "reference": "R-1",
  "buckets": [
    {"start": "2026-11-30", "period": "weekly", "qty": 100, "status": "firm"},
    {"start": "2026-12-07", "period": "weekly", "qty": $1, "status": "firm"},
    {"start": "2026-12-14", "period": "weekly", "qty": 130, "status": "trade-off"},
    {"start": "2026-12-21", "period": "daily", "qty": 10, "status": "planning"},
    {"start": "2026-12-22", "period": "daily", "qty": 20, "status": "planning"},
    {"start": "2027-01-01", "period": "monthly", "qty": ${2:-310}, "status": "planning"}],
  "authorizations": [{"kind": "fabrication", "qty": 350, "through": "2026-12-20"},
                     {"kind": "material", "qty": 600, "through": "2027-01-31"}],
  "last_receipt": {"date": "2026-11-27", "qty": 40, "shipment": "SH-7"},
  "cumulative": {"qty": 1000, "start": "2026-01-01", "end": "2026-11-29"}}]
EOF
}
fc 120 > f1.json
before=$(commits)
ok "a buyer imports a forecast (JSON)" evalq 'q forecast import f1.json > imp.out'
check "  said so, in one commit" evalq 'grep -qx "recorded 1 schedule in one commit" imp.out &&
	test $(commits) = $((before + 1))'
check "  revision 1 of the record of PN-1, acme, PLANT-1, its buckets' ends filled in" evalq '
	git -C v show "main:$F1/000001.json" > r1.json &&
	test "$(jq -r ".record, .revision, .supplier, .unit, .imported_by" r1.json | tr "\n" " ")" = "forecast 1 acme EA tester " &&
	test "$(jq -r ".buckets[1].end, .buckets[3].end, .buckets[5].end" r1.json | tr "\n" " ")" = "2026-12-13 2026-12-21 2027-01-31 "'
check "  the commit is a forecast-import" evalq 'git -C v log -1 --format=%B | grep -qx "Qvault-Op: forecast-import"'

q forecast show --part PN-1 --today 2026-12-08 > show.txt
check "show: a row per ISO week with its zone, quantity and cumulative" evalq '
	grep -Eq "^2026-W49 +2026-11-30 +firm +forecast +100 +- +100 +- +- +100$" show.txt &&
	grep -Eq "^2026-W50 +2026-12-07 +firm +forecast +120 +- +120 +- +- +220$" show.txt &&
	grep -Eq "^2026-W51 +2026-12-14 +trade-off +forecast +130 " show.txt'
check "  daily buckets summed into their week" evalq 'grep -Eq "^2026-W52 +2026-12-21 +planning +forecast +30 " show.txt'
# January's 310 over 31 days: 1-3 in 2026-W53 (30), then 70 a week, 30 in W05 (Jan 25-31: 70)
check "  a monthly bucket split by the days of each week it covers" evalq '
	grep -Eq "^2026-W53 +2026-12-28 +planning +forecast +30 " show.txt &&
	grep -Eq "^2027-W01 +2027-01-04 +planning +forecast +70 " show.txt &&
	grep -Eq "^2027-W04 +2027-01-25 +planning +forecast +70 " show.txt'
check "  required to date against received (the record's cumulative)" evalq '
	grep -q "^required to date 220; received 1000 since 2026-01-01" show.txt'
ok "show --json" evalq 'q forecast show --part PN-1 --today 2026-12-08 --json > show.json'
if have_jsonschema; then
	check "  matches schemas/output.schema.json#/\$defs/forecast_show" /usr/bin/python3 -c '
import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
Draft202012Validator({"$ref": "#/$defs/forecast_show", "$defs": s["$defs"]}).validate(json.load(open("show.json")))' \
		"$TESTS_DIR/../../schemas/output.schema.json"
else
	_skip "no python3-jsonschema"
fi
check "  the weeks sum to the buckets" evalq 'test "$(jq "[.schedules[0].weeks[].qty] | add" show.json)" = 690'
ok "show --csv" evalq 'q forecast show --part PN-1 --today 2026-12-08 --csv > show.csv'
check "  a header and one row per week" evalq '
	head -1 show.csv | tr -d "\r" | grep -qx "supplier,ship_to,week,start,zone,source,forecast,delivery,qty,previous,change,cum_required" &&
	grep -q "^acme,PLANT-1,2026-W50,2026-12-07,firm,forecast,120,,120,,,220" show.csv &&
	test $(wc -l < show.csv) = 10'

# ---- CSV and delivery schedules --------------------------------------------------
cat > d1.csv <<'EOF'
supplier,part,ship_to,schedule,issued,start,end,period,qty,status,unit,reference
acme,PN-1,PLANT-1,delivery,2026-12-01,2026-12-07,,daily,11,firm,EA,D-1
acme,PN-1,PLANT-1,delivery,2026-12-01,2026-12-08,,daily,12,firm,EA,D-1
acme,PN-1,PLANT-1,delivery,2026-12-01,2026-12-09,2026-12-13,flexible,13,firm,EA,D-1
acme,PN-2,PLANT-1,forecast,2026-12-01,2026-12-07,,weekly,5,firm,,
EOF
before=$(commits)
ok "a CSV of a delivery schedule and a forecast, in one commit" evalq 'q forecast import d1.csv > imp.out'
check "  two schedules, one commit" evalq 'grep -qx "recorded 2 schedules in one commit" imp.out &&
	test $(commits) = $((before + 1))'
q forecast show --part PN-1 --today 2026-12-08 --json > show2.json
check "show: the delivery schedule's firm days supersede the forecast's week they cover" evalq '
	test "$(jq -c ".schedules[0].weeks[] | select(.week == \"2026-W50\") | [.qty, .forecast, .delivery, .source, .zone]" show2.json)" = "[36,120,36,\"delivery\",\"firm\"]" &&
	test "$(jq -c ".schedules[0].weeks[] | select(.week == \"2026-W49\") | [.qty, .source]" show2.json)" = "[100,\"forecast\"]" &&
	test "$(jq -r ".schedules[0].delivery.reference" show2.json)" = D-1'

# ---- the supplier's answer and its inbox ------------------------------------------
actions() { q --key "$1.pem" inbox --json | jq -c '[.[] | select(.action == "answer-forecast") | [.subject, .detail]] | sort'; }
check "a new forecast is in its supplier's inbox" evalq '
	test "$(actions sam)" = "[[\"PN-1@PLANT-1\",\"delivery schedule revision 1\"],[\"PN-1@PLANT-1\",\"forecast revision 1\"],[\"PN-2@PLANT-1\",\"forecast revision 1\"]]"'
check "  and in no other organization's" evalq 'test "$(actions zed)" = "[]"'
ok "the supplier commits to the firm zone" q --key sam.pem forecast ack PN-1@PLANT-1 --commit
check "  a signed answer beside the forecast, naming revision 1 and its firm buckets" evalq '
	git -C v show "main:$F1/acks/000001-sam.json" > a1.json &&
	test "$(jq -c "[.record, .revision, .decision, .org, .signed_by, .buckets]" a1.json)" = "[\"forecast-ack\",1,\"commit\",\"acme\",\"sam\",[{\"qty\":100,\"start\":\"2026-11-30\"},{\"qty\":120,\"start\":\"2026-12-07\"}]]"'
check "  ssh-keygen -Y verify accepts it with sam's key alone" evalq '
	git -C v show "main:$F1/acks/000001-sam.json.sig" > a1.sig && q keys allowed-signers > signers &&
	ssh-keygen -Y verify -f signers -I sam@acme -n qvault-forecast-ack -s a1.sig < a1.json > /dev/null'
check "  it leaves the inbox" evalq '! actions sam | grep -q "\"PN-1@PLANT-1\",\"forecast revision"'
fc 90 > f2.json
ok "a new revision changing a committed bucket" q forecast import f2.json
check "  puts it back in the inbox" evalq '
	actions sam | grep -q "\"forecast revision 2: changes buckets committed to in revision 1\""'
q forecast show --part PN-1 --today 2026-12-08 --json > show3.json
check "show: what changed against the previous revision, and against the commitment" evalq '
	test "$(jq -c ".schedules[0].changes" show3.json)" = "[{\"change\":\"down\",\"previous\":120,\"qty\":90,\"start\":\"2026-12-07\"}]" &&
	test "$(jq -c ".schedules[0].weeks[] | select(.week == \"2026-W49\") | [.previous, .change]" show3.json)" = "[100,0]" &&
	test "$(jq -c ".schedules[0].commitment.changed_since" show3.json)" = "[{\"committed\":120,\"qty\":90,\"start\":\"2026-12-07\"}]"'
check "  the text says up or down" evalq 'q forecast show --part PN-1 --ship-to PLANT-1 --today 2026-12-08 | grep -q "bucket 2026-12-07: down, 120 -> 90"'
fails 1 "the forecast of part 'PN-1' to 'PLANT-1' is at revision 2: revision 1 was replaced since" \
	"an answer to an old revision is refused" q --key sam.pem forecast ack PN-1@PLANT-1 --revision 1 --commit
fails 1 "has no revision 7: it is at revision 2" "an answer to a revision to come is refused" \
	q --key sam.pem forecast ack PN-1@PLANT-1 --revision 7 --commit
ok "the supplier commits to revision 2" q --key sam.pem forecast ack PN-1@PLANT-1 --revision 2 --commit
fc 90 999 > f3.json
ok "a revision changing only planning buckets" q forecast import f3.json
check "  does not come back to the inbox" evalq '! actions sam | grep -q "\"PN-1@PLANT-1\",\"forecast revision"'
ok "a counter-proposal per bucket" q --key sam.pem forecast ack PN-1@PLANT-1 --bucket 2026-12-14 --qty 110 --bucket 2027-01-01 --qty 800
check "  names the buckets and quantities it proposes" evalq '
	git -C v show "main:$F1/acks/000003-sam.json" | jq -c "[.decision, .revision, .buckets]" |
	grep -qx "\[\"counter\",3,\[{\"qty\":110,\"start\":\"2026-12-14\"},{\"qty\":800,\"start\":\"2027-01-01\"}\]\]"'
fails 1 "no bucket of revision 3 of the forecast of part 'PN-1' to 'PLANT-1' starts on 2026-12-15" \
	"a counter-proposal for a date no bucket starts on" \
	q --key sam.pem forecast ack PN-1@PLANT-1 --bucket 2026-12-15 --qty 1
fails 2 "give one --qty for each --bucket" "a bucket without its quantity" \
	q --key sam.pem forecast ack PN-1@PLANT-1 --bucket 2026-12-14
fails 2 "give --commit, or --bucket DATE --qty N" "both --commit and buckets" \
	q --key sam.pem forecast ack PN-1@PLANT-1 --commit --bucket 2026-12-14 --qty 1
fails 2 "'PN-1' is not PART@SHIP_TO" "a forecast named without its ship-to" \
	q --key sam.pem forecast ack PN-1 --commit
fails 1 "no forecast of part 'PN-1' to 'PLANT-1' for 'zenith'" "another organization cannot answer it" \
	q --key zed.pem forecast ack PN-1@PLANT-1 --commit
fails 1 "user 'tester' may not answer forecasts" "a buyer cannot answer it" \
	q forecast ack PN-1@PLANT-1 --commit

# ---- refusals of an import: one line, non-zero, the vault unchanged -----------------
edit() { fc 120 | jq "$1" > bad.json; }
edit '.[0].buckets[1].qty = -5'
fails 1 "bucket 2: quantity -5 is negative" "a negative quantity" q forecast import bad.json
edit '.[0].buckets[1].start = "2026-12-05"'
fails 1 "bucket 2: starts on 2026-12-05, before bucket 1 ends" "overlapping buckets" q forecast import bad.json
edit '.[0].buckets |= [.[1], .[0]] + .[2:]'
fails 1 "bucket 2: starts on 2026-11-30, before bucket 1 ends \(buckets overlap or are out of order\)" \
	"buckets out of order" q forecast import bad.json
edit '.[0].part = "PN-404"'
fails 1 "no PO of 'acme' orders part 'PN-404'" "an unknown part" q forecast import bad.json
edit '.[0].part = "PN-9"'
fails 1 "no PO of 'acme' orders part 'PN-9'" "a part only another supplier's PO orders" q forecast import bad.json
edit '.[0].supplier = "nowhere"'
fails 1 "no supplier organization 'nowhere'" "an unknown supplier organization" q forecast import bad.json
edit '.[0].supplier = "owner"'
fails 1 "no supplier organization 'owner'" "the buying organization as supplier" q forecast import bad.json
fails 1 "user 'sam' may not import forecasts" "a supplier importing" q --key sam.pem forecast import f1.json
edit '. + .'
fails 1 "schedule 2 \(acme forecast of part 'PN-1' to 'PLANT-1'\): the file gives this schedule twice" \
	"one schedule twice in a file" q forecast import bad.json
edit '.[0].buckets[2] = {"start": "2026-12-14", "period": "flexible", "qty": 1, "status": "firm"}'
fails 1 "bucket 3: a flexible bucket needs an end" "a flexible bucket without an end" q forecast import bad.json
edit '.[0].buckets[2].start = "2026-02-30"'
fails 1 "bucket 3: start '2026-02-30' is not a date" "a malformed date" q forecast import bad.json
edit '.[0].issued = "30.11.2026"'
fails 1 "issued '30.11.2026' is not a date" "a malformed issue date" q forecast import bad.json
edit '.[0].buckets[0].end = "2026-12-01"'
fails 1 "bucket 1: a weekly bucket from 2026-11-30 ends on its seventh day, not 2026-12-01" \
	"an end its period does not imply" q forecast import bad.json
edit '.[0].schedule = "delivery"'
fails 1 "bucket 3: a delivery schedule's buckets are firm, not trade-off" \
	"a delivery schedule with a planning bucket" q forecast import bad.json
edit '.[0].colour = "red"'
fails 1 "the schedule has an unknown field 'colour'" "an unknown field" q forecast import bad.json
# the second schedule is bad: the first is not recorded either
{ fc 120 | jq '.[0].ship_to = "PLANT-2"'; fc 120 | jq '.[0].buckets[0].qty = -1'; } | jq -s add > bad.json
fails 1 "schedule 2 .*: bucket 1: quantity -1 is negative" "all or nothing: one bad schedule, none recorded" \
	q forecast import bad.json
printf 'ISA*00*          *00*          *ZZ*BUYER          *ZZ*ACME           *261130*1200*U*00401*000000001*0*P*>~\n' > x.830
fails 1 "^qvault: " "a cut X12 interchange is read as X12 and refused, not taken as CSV" \
	q forecast import x.830
check "  as X12, not as a CSV header" evalq '! grep -qi "csv\|header\|column" "$TMP/.err"'
sed 's/,11,firm/,eleven,firm/' d1.csv > bad.csv
fails 1 "row 2: quantity 'eleven' is not a whole number" "a CSV quantity that is not a number" \
	q forecast import bad.csv
sed 's/,-1,/,/; s/^acme,PN-1,PLANT-1,delivery,2026-12-01,2026-12-08,/acme,PN-1,PLANT-1,delivery,2026-12-01,2026-12-06,/' d1.csv > bad.csv
fails 1 "bucket 2: starts on 2026-12-06, before bucket 1 ends" "a CSV's buckets out of order" \
	q forecast import bad.csv
fails 1 "no such file|'missing.json'" "a missing file" q forecast import missing.json

# ---- who sees what ------------------------------------------------------------------
ok "the supplier sees its forecasts" q --key sam.pem forecast show --part PN-1 --today 2026-12-08
fails 1 "no forecast of part 'PN-1' for 'zenith'" "another organization's forecasts look absent" \
	q --key zed.pem forecast show --part PN-1
fails 1 "a supplier sees only its own organization's forecasts" "a supplier naming another organization" \
	q --key zed.pem forecast show --part PN-1 --org acme
fails 1 "no organization 'nowhere'" "the buying side naming an unknown organization" \
	q forecast show --part PN-1 --org nowhere
fails 2 "give the part: --part PN" "show without a part" q forecast show
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
check "through qvault shell: the supplier sees its own" evalq '
	as sam forecast show --part PN-1 --json | jq -e ".schedules[0].supplier == \"acme\"" > /dev/null'
fails 1 "no forecast of part 'PN-1' for 'zenith'" "through qvault shell, not another's" \
	as zed forecast show --part PN-1
ok "through qvault shell, a supplier answers (the server signs the commit)" \
	as sam forecast ack PN-1@PLANT-1 --delivery --commit
check "  the answer, written on its behalf, has no signature of sam's beside it" evalq '
	D="forecasts/$(dir_of PN-1)/PN-1/acme/PLANT-1/delivery/acks" &&
	git -C v show "main:$D/000001-sam.json" | jq -e ".decision == \"commit\"" > /dev/null &&
	! git -C v cat-file -e "main:$D/000001-sam.json.sig" 2> /dev/null'
fails 1 "'forecast import' is not allowed for 'zed' \\(needs role buyer\\)" "through qvault shell, a supplier cannot import" \
	sh -c 'SSH_ORIGINAL_COMMAND="forecast import -" q -C v shell --user zed < f1.json'

# ---- history ------------------------------------------------------------------------
ok "verify passes" q verify
q forecast show --part PN-1 --today 2026-12-08 --json > ref-show.json
q --key sam.pem inbox --json | jq 'map(del(.age_days))' > ref-inbox.json
ok "reindex" q reindex
check "  the same grid, changes and commitments" evalq 'q forecast show --part PN-1 --today 2026-12-08 --json | cmp -s - ref-show.json'
check "  the same inbox" evalq 'q --key sam.pem inbox --json | jq "map(del(.age_days))" | cmp -s - ref-inbox.json'
check "git fsck --strict is clean" git -C v fsck --strict

done_testing
