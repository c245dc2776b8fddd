#!/bin/sh
# Forecasts in the HTTP API (GET /api/v1/forecasts/{part}) and the portal
# (/forecasts/{part}): the same JSON as `forecast show --json`, the grid
# by week per supplier and ship-to, scoped as the library scopes it (a
# supplier its own organization's; another's part the 404 of a part with
# none, nothing of it in the answer); the inbox's answer-forecast links to
# the part's page, a revision's action still to the revision.
. "$(dirname "$0")/lib.sh"

need_curl
need_webauthn

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null

# fc QTY: acme's forecast of PN-1 to PLANT-1, its second week's quantity QTY
fc() {
	cat <<EOF
[{"schedule": "forecast", "supplier": "acme", "part": "PN-1", "ship_to": "PLANT-1",
  "issued": "2026-11-30", "reference": "R-1",
  "buckets": [
    {"start": "2026-11-30", "period": "weekly", "qty": 100, "status": "firm"},
    {"start": "2026-12-07", "period": "weekly", "qty": $1, "status": "firm"},
    {"start": "2026-12-14", "period": "weekly", "qty": 130, "status": "trade-off"},
    {"start": "2026-12-21", "period": "weekly", "qty": 40, "status": "planning"}],
  "cumulative": {"qty": 1000, "start": "2026-01-01", "end": "2026-11-29"}}]
EOF
}
fc 120 > f1.json
fc 150 > f2.json
cat > z.json <<'EOF'
[{"schedule": "forecast", "supplier": "zenith", "part": "PN-9", "ship_to": "ZPLANT-9",
  "issued": "2026-11-30", "reference": "ZREF-77",
  "buckets": [{"start": "2026-11-30", "period": "weekly", "qty": 777, "status": "firm"}]}]
EOF
ok "the buyer imports acme's forecast, a second revision, and zenith's" evalq '
	q forecast import f1.json > /dev/null && q forecast import f2.json > /dev/null &&
	q forecast import z.json > /dev/null'

# ==== the API ======================================================================
SAM=$(tok --user sam)
ZED=$(tok --user zed)
BUY=$(tok --user bea)
serve_start
api_before=$(snapshot)

# same_as KEY COMMAND...: body.json is, byte for byte, what `qvault --key KEY COMMAND` prints
same_as() {
	k=$1; shift
	q --key "$k" "$@" > cli.json && printf '\n' >> body.json && cmp -s cli.json body.json ||
		{ echo "the API and '$*' differ" >&2; diff cli.json body.json | head -5 >&2; return 1; }
}
check "GET forecasts/PN-1 as acme's supplier: forecast show --json" \
	evalq "api 200 GET 'forecasts/PN-1?today=2026-12-08' '$SAM' &&
	       is '[(s[\"supplier\"], s[\"ship_to\"]) for s in d[\"schedules\"]]' \"[('acme', 'PLANT-1')]\" &&
	       same_as sam.pem forecast show --part PN-1 --today 2026-12-08 --json"
check "  its week of 2026-12-07: 150, up 30 from revision 1's 120, cumulative 250" \
	is '[(w["qty"], w["previous"], w["change"], w["cum_required"]) for w in d["schedules"][0]["weeks"] if w["week"] == "2026-W50"]' \
	'[(150, 120, 30, 250)]'
check "  ?supplier=acme&ship_to=PLANT-1 for the buyer: forecast show --org --ship-to" \
	evalq "api 200 GET 'forecasts/PN-1?supplier=acme&ship_to=PLANT-1&today=2026-12-08' '$BUY' &&
	       same_as bea.pem forecast show --part PN-1 --org acme --ship-to PLANT-1 --today 2026-12-08 --json"
check "the buyer sees zenith's PN-9" \
	evalq "api 200 GET 'forecasts/PN-9?today=2026-12-08' '$BUY' &&
	       is 'd[\"schedules\"][0][\"weeks\"][0][\"qty\"]' 777 &&
	       same_as bea.pem forecast show --part PN-9 --today 2026-12-08 --json"
check "another organization's part: 404, as a part with no forecast, nothing of it in the body" \
	evalq "api 404 GET forecasts/PN-9 '$SAM' && error \"^no forecast of part 'PN-9' for 'acme'\$\" &&
	       lacks -e zenith -e ZPLANT -e 777 -e ZREF &&
	       api 404 GET forecasts/PN-NONE '$SAM' && error \"^no forecast of part 'PN-NONE' for 'acme'\$\""
check "  and zenith's supplier sees none of acme's PN-1" \
	evalq "api 404 GET forecasts/PN-1 '$ZED' && lacks -e acme -e PLANT-1"
check "a supplier naming another organization: 403" \
	evalq "api 403 GET 'forecasts/PN-9?supplier=zenith' '$SAM' && error 'own organization'"
check "a ship-to with no schedule of the part: 404" \
	evalq "api 404 GET 'forecasts/PN-1?ship_to=PLANT-2' '$BUY' && error \"^no forecast of part 'PN-1'\""
check "today not a date: 400" \
	evalq "api 400 GET 'forecasts/PN-1?today=12/08/2026' '$BUY' && error 'is not a date'"
check "no token: 401" evalq "api 401 GET forecasts/PN-1 ''"
check "a read is GET only: 405" evalq "api 405 POST forecasts/PN-1 '$SAM'"
check "none of these reads wrote anything" test "$api_before" = "$(snapshot)"
# the API's answers; the portal's pages below are no operations of openapi.json
cp "$TMP/api.log" "$TMP/api-reads.log"
kill "$SERVE"
wait "$SERVE"

# ==== the portal ===================================================================
portal_users pat:acme:supplier bix:owner:buyer
login pat 1
# (refused_as keeps its own $before)
page_before=$(snapshot)
check "acme's inbox links answer-forecast to the part's page" \
	evalq 'web 200 GET inbox &&
	       grep -q "<td>answer-forecast</td><td><a href=\"/forecasts/PN-1\">PN-1@PLANT-1</a></td>" body.json &&
	       lacks "href=\"/documents/PN-1"'
check "  and a revision to acknowledge to its revision, still" \
	grep -q '<td>acknowledge-revision</td><td><a href="/documents/DWG-1/C">DWG-1@C</a></td>' body.json
check "the part's page: the supplier and ship-to, the forecast's revision" \
	evalq 'web 200 GET forecasts/PN-1 &&
	       grep -q "<h2>Supplier acme, ship-to PLANT-1</h2>" body.json &&
	       grep -q "<dt>Forecast</dt><dd>revision 2, issued 2026-11-30 (EA)</dd>" body.json &&
	       grep -q "<dt>Changes against</dt><dd>forecast revision 1</dd>" body.json'
check "  the grid: week, start, zone, source, forecast, delivery, qty, previous, change, cumulative" \
	evalq 'grep -q "<th scope=\"col\">Week</th><th scope=\"col\">Start</th><th scope=\"col\">Zone</th>" body.json &&
	       grep -q "<tr><td>2026-W49</td><td>2026-11-30</td><td>firm</td><td>forecast</td><td>100</td><td></td><td>100</td><td>100</td><td>=</td><td>100</td></tr>" body.json &&
	       grep -q "<tr><td>2026-W50</td><td>2026-12-07</td><td>firm</td><td>forecast</td><td>150</td><td></td><td>150</td><td>120</td><td>up 30</td><td>250</td></tr>" body.json &&
	       grep -q "<tr><td>2026-W51</td><td>2026-12-14</td><td>trade-off</td><td>forecast</td><td>130</td><td></td><td>130</td><td>130</td><td>=</td><td>380</td></tr>" body.json &&
	       grep -q "<tr><td>2026-W52</td><td>2026-12-21</td><td>planning</td>" body.json'
check "  received against required" \
	evalq 'grep -q "<dt>Required to date</dt><dd>[0-9]*</dd>" body.json &&
	       grep -q "<dt>Received</dt><dd>1000 since 2026-01-01 (1000 as of 2026-11-29, 0 by receipts after)</dd>" body.json'
check "  nothing of zenith's" evalq 'lacks -e zenith -e ZPLANT -e 777'
check "another organization's part: 404, nothing of it in the page" \
	evalq 'web 404 GET forecasts/PN-9 && grep -q "no forecast of part &#39;PN-9&#39;" body.json &&
	       lacks -e zenith -e ZPLANT -e 777 -e ZREF'
check "  as a part with no forecast" \
	evalq 'web 404 GET forecasts/PN-NONE && grep -q "no forecast of part &#39;PN-NONE&#39;" body.json'
check "  and naming it by ?supplier=: 403, nothing of it" \
	evalq 'web 403 GET "forecasts/PN-9?supplier=zenith" && lacks -e ZPLANT -e 777'
check "without a session: to the login, never the page" \
	evalq 'COOKIE= CSRF= web 303 GET forecasts/PN-1 && lacks PLANT-1'

# ---- the supplier commits to the firm zone, signed with its passkey -----------------
# act_answer KEY FIELDS [OPT...]: the record in stmt.json signed by KEY's passkey, with FIELDS, in answer.json
act_answer() {
	ak=$1 af=$2; shift 2
	$WA get "$ak" "$(python3 -c 'import json; print(json.load(open("stmt.json"))["challenge"])')" "$@" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(json.loads(sys.argv[1]))
d["record"] = json.load(open("stmt.json"))["record"]; print(json.dumps(d))' "$af" > answer.json
}
check "the supplier's page has the form to commit to revision 2's firm zone" \
	evalq 'web 200 GET forecasts/PN-1 &&
	       grep -q "<form class=\"card\" data-act=\"/forecasts/PN-1/PLANT-1/commit\"><input type=\"hidden\" name=\"revision\" value=\"2\">" body.json'
check "  the record to sign: pat's commitment to revision 2, written nowhere" \
	evalq 'post 200 forecasts/PN-1/PLANT-1/commit/statement "{\"revision\":\"2\"}" &&
	       is "\" \".join(str(json.loads(d[\"record\"])[k]) for k in (\"record\", \"decision\", \"revision\", \"signed_by\", \"supplier\"))" \
	          "forecast-ack commit 2 pat acme" &&
	       [ -n "$(challenge)" ] && [ "$page_before" = "$(snapshot)" ]'
cp body.json stmt.json
wrefused 400 "^the forecast of part 'PN-1' to 'PLANT-1' is at revision 2: revision 1 was replaced since\$" \
	"a commitment to the old revision is refused" forecasts/PN-1/PLANT-1/commit/statement '{"revision":"1"}'
wrefused 404 "^no forecast of part 'PN-9' to 'ZPLANT-9' for 'acme'\$" \
	"  one to another organization's schedule is its own's none" forecasts/PN-9/ZPLANT-9/commit/statement '{"revision":"0"}'
act_answer pat '{"revision":"2"}' counter=2
wrefused 404 "^no forecast of part 'PN-1' to 'PLANT-2' for 'acme'\$" "  the record signed, posted to another ship-to" \
	forecasts/PN-1/PLANT-2/commit/sign "$(cat answer.json)"
act_answer pat '{"revision":"2"}' counter=3
check "pat's commitment signed with its passkey is recorded (201)" \
	post 201 forecasts/PN-1/PLANT-1/commit/sign "$(cat answer.json)"
ACK=$(git -C v ls-tree -r --name-only main | grep '/PN-1/acme/PLANT-1/forecast/acks/000001-pat.json$')
check "  the record and its signature side by side; ssh-keygen -Y verify accepts them" \
	evalq '[ -n "$ACK" ] && q keys allowed-signers > signers &&
	       git -C v show "main:$ACK" > rec.json && git -C v show "main:$ACK.sig" > rec.sig &&
	       ssh-keygen -Y verify -f signers -I pat@acme -n qvault-forecast-ack -s rec.sig < rec.json > /dev/null'
check "  qvault verify accepts the vault with it" evalq 'q verify > verify.out'
check "  forecast show names it; it leaves acme's inbox" \
	evalq 'q --key sam.pem forecast show --part PN-1 --json > fs.json &&
	       test "$(jq -r ".schedules[0].commitment | [.revision, .decision, .signed_by] | join(\" \")" fs.json)" = "2 commit pat" &&
	       ! q --key sam.pem inbox --json | grep -q answer-forecast'
check "  the page says so, and offers the form no more" \
	evalq 'COOKIE=$(sed -n "s/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip" headers.txt | tr -d "\r") &&
	       CSRF=$(field "d[\"csrf\"]") && web 200 GET forecasts/PN-1 &&
	       grep -q "<p>Committed to revision 2 by pat at " body.json && lacks "data-act="'
page_before=$(snapshot)

login bix 1
check "the buyer's page offers no commitment" evalq 'web 200 GET forecasts/PN-9 && lacks "data-act="'
wrefused 403 'may not|supplier' "  and the buyer may not commit" forecasts/PN-9/ZPLANT-9/commit/statement '{"revision":"0"}'
check "the buyer's page of zenith's part: its grid" \
	evalq 'web 200 GET forecasts/PN-9 &&
	       grep -q "<h2>Supplier zenith, ship-to ZPLANT-9</h2>" body.json &&
	       grep -q "<tr><td>2026-W49</td><td>2026-11-30</td><td>firm</td><td>forecast</td><td>777</td><td></td><td>777</td><td></td><td></td><td>777</td></tr>" body.json'
check "  and of acme's, by ?supplier=acme" \
	evalq 'web 200 GET "forecasts/PN-1?supplier=acme" && grep -q "<h2>Supplier acme, ship-to PLANT-1</h2>" body.json'
check "no page wrote anything" test "$page_before" = "$(snapshot)"

openapi_check "every API answer matches schemas/openapi.json" "$TMP/api-reads.log"

done_testing
