#!/bin/sh
# Attacks on the forecast routes: GET /api/v1/forecasts/{part} and the
# portal's /forecasts/{part} with its passkey-signed commitment (POST
# /forecasts/{part}/{ship_to}/commit/statement and .../sign), as a hostile
# supplier (another supplier's schedule of the same part, to the same
# ship-to; another organization, ship-to, revision; a signed record
# replayed or changed; CSRF; encoded and huge names and bodies; a revoked
# user), as an outsider holding a replica (`qvault clone`), and as a peer
# site whose forged forecasts and answers arrive by pull.  Each refusal
# is checked for its status, its message and the vault unchanged; each
# forgery stands beside a control forged the same way that passes.
. "$(dirname "$0")/lib.sh"

need_curl
need_webauthn

vault_v sam:acme zed:zenith
add_buyer bea
# sid: acme's supplier with an ssh-keygen key (for the forgeries of stock tools)
ssh-keygen -q -t ed25519 -N '' -C sid -f sid
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
# the same part number bought from two suppliers; PO-Z is also a part's name
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C --line PN-2:10:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-1:10:DWG-1@C --line PO-1:10:DWG-1@C > /dev/null

# sched SUPPLIER PART SHIP_TO QTY REF: a forecast of two firm weeks and a planning one
sched() {
	cat <<EOF
{"schedule": "forecast", "supplier": "$1", "part": "$2", "ship_to": "$3",
  "issued": "2026-11-30", "reference": "$5",
  "buckets": [
    {"start": "2026-11-30", "period": "weekly", "qty": $4, "status": "firm"},
    {"start": "2026-12-07", "period": "weekly", "qty": 120, "status": "firm"},
    {"start": "2026-12-14", "period": "weekly", "qty": 130, "status": "planning"}]}
EOF
}
{
	echo '['
	sched acme PN-1 PLANT-1 100 R-1; echo ,
	sched acme PN-1 PLANT-2 200 R-2; echo ,
	sched acme PN-2 PLANT-1 300 R-3; echo ,
	sched zenith PN-1 PLANT-1 777 ZREF-77; echo ,
	sched zenith PN-1 ZPLANT-9 778 ZREF-78; echo ,
	sched zenith PO-1 PLANT-1 779 ZREF-79
	echo ']'
} > f1.json
ok "the buyer imports acme's and zenith's forecasts of PN-1 (both to PLANT-1)" \
	q --key bea.pem forecast import f1.json
# zenith's numbers and names, none of which acme may see
ZEN='-e zenith -e ZPLANT -e 777 -e 778 -e 779 -e ZREF'

# ==== the API ======================================================================
SAM=$(tok --user sam)
ZED=$(tok --user zed)
BUY=$(tok --user bea)
serve_start
check "control: the buyer reads both suppliers' PN-1 to PLANT-1" \
	evalq "api 200 GET 'forecasts/PN-1?ship_to=PLANT-1' '$BUY' &&
	       is '[(s[\"supplier\"], s[\"weeks\"][0][\"qty\"]) for s in d[\"schedules\"]]' \"[('acme', 100), ('zenith', 777)]\""
check "acme's supplier reads PN-1: its own two ship-tos, nothing of zenith's same part" \
	evalq "api 200 GET forecasts/PN-1 '$SAM' &&
	       is '[(s[\"supplier\"], s[\"ship_to\"]) for s in d[\"schedules\"]]' \"[('acme', 'PLANT-1'), ('acme', 'PLANT-2')]\" &&
	       lacks $ZEN"
check "  to PLANT-1, which both supply: acme's only" \
	evalq "api 200 GET 'forecasts/PN-1?ship_to=PLANT-1' '$SAM' &&
	       is 'len(d[\"schedules\"])' 1 && lacks $ZEN"
refused 404 "^no forecast of part 'PN-1' for 'acme' to ZPLANT-9\$" \
	"  to zenith's ship-to: acme's none, nothing of it" GET 'forecasts/PN-1?ship_to=ZPLANT-9' "$SAM"
check "  (nothing of it in the answer but the name asked)" evalq "lacks -e zenith -e 77 -e ZREF"
refused 403 "^a supplier sees only its own organization's forecasts\$" \
	"naming zenith by ?supplier=: 403" GET 'forecasts/PN-1?supplier=zenith' "$SAM"
refused 403 "^a supplier sees only its own organization's forecasts\$" \
	"  ZENITH, in capitals: 403" GET 'forecasts/PN-1?supplier=ZENITH' "$SAM"
check "  ?supplier=acme&supplier=zenith: 400 (an argument given twice), nothing of zenith's" \
	evalq "api 400 GET 'forecasts/PN-1?supplier=acme&supplier=zenith' '$SAM' &&
	       error \"^the query argument 'supplier' is given twice\\$\" && lacks $ZEN"
check "  ?supplier=zenith&supplier=acme: the same, nothing of zenith's" \
	evalq "api 400 GET 'forecasts/PN-1?supplier=zenith&supplier=acme' '$SAM' && lacks $ZEN"
refused 400 "^organization is empty\$" "  ?supplier= (empty): 400" GET 'forecasts/PN-1?supplier=' "$SAM"
refused 404 "^no forecast of part 'PN-1' for 'zenith' to PLANT-2\$" \
	"zenith's supplier reads acme's PLANT-2: zenith's none" GET 'forecasts/PN-1?ship_to=PLANT-2' "$ZED"
check "  and its PN-1 is its own two ship-tos" \
	evalq "api 200 GET forecasts/PN-1 '$ZED' &&
	       is '[s[\"ship_to\"] for s in d[\"schedules\"]]' \"['PLANT-1', 'ZPLANT-9']\" && lacks -e acme -e R-1"
refused 404 "^no forecast of part 'PO-1' for 'acme'\$" \
	"a part named as acme's own PO (zenith forecasts a part 'PO-1'): nothing of it" GET forecasts/PO-1 "$SAM"
check "  (nothing of zenith's, nothing of the PO)" evalq "lacks -e PN-1 -e DWG $ZEN"
refused 404 "^no forecast of part 'PO-Z' for 'acme'\$" "  zenith's PO's number as a part: nothing of the PO" GET forecasts/PO-Z "$SAM"
refused 404 "^no forecast of part 'DWG-1' for 'acme'\$" "  a document's number as a part: nothing of it" GET forecasts/DWG-1 "$SAM"
# encoded paths: %2F is a '/' of the one name (a part may hold one), never a
# separator; NUL stays escaped; each is a part with no forecast, nothing of PN-2
refused 404 "^no forecast of part 'PN-1/\\.\\./PN-2' for 'acme'\$" \
	"{part} with %2F and ..: one part's name, none, never another path" GET 'forecasts/PN-1%2F..%2FPN-2' "$SAM"
refused 404 "^no forecast of part 'PN-1%00' for 'acme'\$" "{part} with %00: no NUL, a part that is none" GET 'forecasts/PN-1%00' "$SAM"
refused 404 "^no forecast of part 'PN-1\\.%2' for 'acme'\$" "{part} with a broken escape: kept, none" GET 'forecasts/PN-1%2e%2' "$SAM"
refused 404 "^no forecast of part 'PN-1\\.\\.PN-2' for 'acme'\$" "{part} 'PN-1..PN-2': none" GET 'forecasts/PN-1..PN-2' "$SAM"
check "{part} '..' (%2E%2E): no route, nothing read" \
	evalq "api 404 GET 'forecasts/%2E%2E' '$SAM' && lacks -e PLANT $ZEN"
check "{part} 'PN%2D1': PN-1 decoded, acme's (control: an escape is a name's byte)" \
	evalq "api 200 GET 'forecasts/PN%2D1' '$SAM' && lacks $ZEN && is 'd[\"part\"]' PN-1"
LONG=$(printf 'P%.0s' $(seq 1 200))
refused 400 "^part number 'P+\\.\\.\\.' is longer than 128 bytes\$" "{part} of 200 bytes: 400" GET "forecasts/$LONG" "$SAM"
LONG=$(printf 'P%.0s' $(seq 1 5000))
refused 404 "^no such resource\$" "{part} of 5000 bytes: past the path's limit, no such resource" GET "forecasts/$LONG" "$SAM"
check "{part} of 100 kB: refused before any read, nothing of it echoed" \
	evalq "LONG=\$(printf 'P%.0s' \$(seq 1 100000)) && ! api 200 GET \"forecasts/\$LONG\" '$SAM' 2> /dev/null &&
	       [ \$(wc -c < body.json) -lt 2000 ]"
# a query argument is decoded whole, "%2F" too (serve_query): the name it gives has a '/'
refused 400 "^ship-to 'PLANT-1/..' contains '/'" "?ship_to=PLANT-1%2F..: 400" GET 'forecasts/PN-1?ship_to=PLANT-1%2F..' "$SAM"
refused 400 "contains" "?ship_to with a NUL (%00): 400" GET 'forecasts/PN-1?ship_to=PLANT-1%00x' "$SAM"
refused 400 "is not a date" "?today with a NUL: 400" GET 'forecasts/PN-1?today=2026-12-08%00' "$SAM"
REX=$(q key generate -o rex.pem -c rex | head -n 1 > rex.pub &&
	q --key "$TMP/admin.pem" user add rex --org acme --role supplier --pubkey rex.pub > /dev/null && tok --user rex)
check "control: rex (acme) reads PN-1 with its token" evalq "api 200 GET forecasts/PN-1 '$REX'"
q --key "$TMP/admin.pem" user revoke rex > /dev/null
api 200 GET forecasts/PN-1 "$SAM" # (the server's index catches up with the revocation)
refused 401 "." "  rex revoked: its token reads nothing" GET forecasts/PN-1 "$REX"
check "  (nothing of the forecast in the answer)" evalq "lacks -e PLANT -e R-1"
refused 401 "." "a token that is no token: 401" GET forecasts/PN-1 "${SAM}x"
cp "$TMP/api.log" "$TMP/api-reads.log"
kill "$SERVE"
wait "$SERVE"

# ==== the portal ===================================================================
# a second revision of acme's PN-1 to PLANT-1: revision 1 is replaced
sched acme PN-1 PLANT-1 150 R-1b | sed '1s/^/[/; $s/$/]/' > f2.json
ok "the buyer imports revision 2 of acme's PN-1 to PLANT-1" q --key bea.pem forecast import f2.json
portal_users pat:acme:supplier zoe:zenith:supplier ray:acme:supplier bix:owner:buyer
login pat 1
check "control: pat's page of PN-1: acme's two ship-tos, the form of each" \
	evalq 'web 200 GET forecasts/PN-1 &&
	       grep -q "<h2>Supplier acme, ship-to PLANT-1</h2>" body.json &&
	       grep -q "<h2>Supplier acme, ship-to PLANT-2</h2>" body.json &&
	       grep -q "data-act=\"/forecasts/PN-1/PLANT-1/commit\"" body.json &&
	       grep -q "data-act=\"/forecasts/PN-1/PLANT-2/commit\"" body.json'
check "  nothing of zenith's PN-1 to the same PLANT-1, nor its form" \
	evalq "lacks $ZEN && [ \$(grep -o '<section>' body.json | wc -l) = 2 ]"
check "  ?ship_to=PLANT-1: acme's one section" \
	evalq "web 200 GET 'forecasts/PN-1?ship_to=PLANT-1' && [ \$(grep -o '<section>' body.json | wc -l) = 1 ] && lacks $ZEN"
check "  ?supplier=zenith: 403, nothing of it" \
	evalq "web 403 GET 'forecasts/PN-1?supplier=zenith' && lacks -e 777 -e ZREF"
check "  ?ship_to=ZPLANT-9: 404, nothing of zenith's" \
	evalq "web 404 GET 'forecasts/PN-1?ship_to=ZPLANT-9' && lacks -e zenith -e 77 -e ZREF"
check "  a {part} with %2F..%2F: 404, no page of another part" \
	evalq "web 404 GET 'forecasts/PN-1%2F..%2FPN-2' && lacks -e R-3 -e 300"

# ---- commitments for what is not the signer's ----------------------------------------
S=forecasts/PN-1/PLANT-1/commit
wrefused 404 "^no forecast of part 'PN-1' to 'ZPLANT-9' for 'acme'\$" \
	"a commitment to zenith's ship-to of the part: acme's none" forecasts/PN-1/ZPLANT-9/commit/statement '{"revision":"1"}'
wrefused 404 "^no forecast of part 'PO-1' to 'PLANT-1' for 'acme'\$" \
	"  to zenith's part named 'PO-1' (acme's PO): acme's none" forecasts/PO-1/PLANT-1/commit/statement '{"revision":"1"}'
check "a statement asked with supplier, org, signed_by and buckets of zenith's: the record is pat's of acme, the revision's firm buckets" \
	evalq 'post 200 $S/statement "{\"revision\":\"2\",\"supplier\":\"zenith\",\"org\":\"zenith\",\"signed_by\":\"zoe\",\"ship_to\":\"ZPLANT-9\",\"part\":\"PN-9\",\"buckets\":[{\"start\":\"2026-12-14\",\"qty\":1}],\"decision\":\"counter\"}" &&
	       is "json.dumps([json.loads(d[\"record\"])[k] for k in (\"part\", \"ship_to\", \"supplier\", \"org\", \"signed_by\", \"revision\", \"decision\", \"buckets\")])" \
	          "[\"PN-1\", \"PLANT-1\", \"acme\", \"acme\", \"pat\", 2, \"commit\", [{\"qty\": 150, \"start\": \"2026-11-30\"}, {\"qty\": 120, \"start\": \"2026-12-07\"}]]"'
wrefused 400 "^the forecast of part 'PN-1' to 'PLANT-1' is at revision 2: revision 1 was replaced since\$" \
	"a commitment to revision 1, replaced" $S/statement '{"revision":"1"}'
wrefused 400 "^the forecast of part 'PN-1' to 'PLANT-1' has no revision 3: it is at revision 2\$" \
	"  to revision 3, not yet issued" $S/statement '{"revision":"3"}'
for r in '"-1"' '"1e0"' '"2 "' '"0x2"' '"9999999999"' '2' 'null' '[2]'; do
	wrefused 400 "^'revision' must be a revision number" "  revision $r" $S/statement "{\"revision\":$r}"
done
wrefused 400 "^'revision' must be a revision number" "  no revision" $S/statement '{}'
wrefused 404 "PN-1/\\.\\./PN-2" \
	"{part} with %2F..%2F in the commitment's path: a part that is none (404)" 'forecasts/PN-1%2F..%2FPN-2/PLANT-1/commit/statement' '{"revision":"1"}'
wrefused 400 "ship-to 'PLANT-1/\\.\\./PLANT-2' contains '/'" \
	"{ship_to} with %2F..%2F: 400" 'forecasts/PN-1/PLANT-1%2F..%2FPLANT-2/commit/statement' '{"revision":"1"}'
wrefused 400 "ship-to 'PLANT-1%00' contains '%'" "{ship_to} with %00: 400" 'forecasts/PN-1/PLANT-1%00/commit/statement' '{"revision":"1"}'
wrefused 404 "^no such page\$" "{ship_to} '..': no route" 'forecasts/PN-1/%2E%2E/commit/statement' '{"revision":"1"}'
LONG=$(printf 'S%.0s' $(seq 1 200))
wrefused 400 "^ship-to 'S+\\.\\.\\.' is longer than 128 bytes\$" "{ship_to} of 200 bytes: 400" "forecasts/PN-1/$LONG/commit/statement" '{"revision":"1"}'
# bodies
wrefused 400 "^malformed JSON at line 1: '}' expected" "a body that is not JSON" $S/statement '{"revision":"2"'
wrefused 400 "^send a JSON object\$" "  a JSON array" $S/statement '["revision","2"]'
python3 -c 'print("[" * 10000 + "]" * 10000)' > deep.json
refused_as web 400 "^malformed JSON at line 1: maximum parsing depth reached" "  JSON nested 10,000 deep" POST $S/statement -H 'Content-Type: application/json' --data-binary @deep.json
python3 -c 'import json; print(json.dumps({"revision": "2", "x": "y" * (4 << 20)}))' > big.json
refused_as web 413 "^the form is over 64 KiB\$" "  a body of 4 MiB: 413" POST $S/statement -H "Content-Type: application/json" --data-binary @big.json

# ---- the signed record replayed or changed ---------------------------------------------
# act_answer KEY FIELDS [OPT...]: the record in stmt.json signed by KEY's passkey, with FIELDS, in answer.json
act_answer() {
	ak=$1 af=$2; shift 2
	$WA get "$ak" "$(python3 -c 'import json; print(json.load(open("stmt.json"))["challenge"])')" "$@" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(json.loads(sys.argv[1]))
d["record"] = json.load(open("stmt.json"))["record"]; print(json.dumps(d))' "$af" > answer.json
}
# new_session: COOKIE and CSRF of the session a signed act answered with
new_session() {
	COOKIE=$(sed -n 's/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip' headers.txt | tr -d '\r') &&
	CSRF=$(field 'd["csrf"]')
}
ok "pat asks the record of its commitment to PN-1 to PLANT-1" post 200 $S/statement '{"revision":"2"}'
cp body.json stmt.json
act_answer pat '{"revision":"1"}' counter=2
wrefused 400 "^the signed record is not the one the vault makes now for 'pat': sign it again\$" \
	"the signed record replayed on another part (PN-2, revision 1)" forecasts/PN-2/PLANT-1/commit/sign "$(cat answer.json)"
act_answer pat '{"revision":"1"}' counter=3
wrefused 400 "^the signed record is not the one the vault makes now for 'pat': sign it again\$" \
	"  on another ship-to (PLANT-2, revision 1)" forecasts/PN-1/PLANT-2/commit/sign "$(cat answer.json)"
act_answer pat '{"revision":"1"}' counter=4
wrefused 400 "revision 1 was replaced since\$" "  on another revision (1)" $S/sign "$(cat answer.json)"
act_answer pat '{"revision":"2"}' counter=5
jq -c '.record |= (fromjson | .buckets[1].qty = 1 | tojson)' answer.json > changed.json
wrefused 400 "^this record was not given you to sign" \
	"the record changed after /statement (120 made 1), the passkey's signature of the original" $S/sign "$(cat changed.json)"
jq -j .record changed.json > changed.rec
jq --arg c "$($WA challenge qvault-forecast-ack changed.rec)" --rawfile r changed.rec \
	'.challenge = $c | .record = $r' stmt.json > stmt2.json
cp stmt.json stmt1.json && cp stmt2.json stmt.json && act_answer pat '{"revision":"2"}' counter=6 && cp stmt1.json stmt.json
wrefused 400 "^this record was not given you to sign" \
	"  the changed record signed with the passkey itself" $S/sign "$(cat answer.json)"
act_answer pat '{"revision":"2"}' counter=7
wrefused 400 "^the passkey answered another challenge" "the signed record replayed on the PO's answer (pos/PO-1/ack/sign)" \
	pos/PO-1/ack/sign "$(cat answer.json)"
# CSRF: the signed answer as another site would post it
act_answer pat '{"revision":"2"}' counter=8
csrf_refused() {
	cs=$1 cp=$2 cd=$3; shift 3
	refused_as api "$cs" "$cp" "$cd" POST $S/sign '' -H 'Content-Type: application/json' --data @answer.json "$@"
}
csrf_refused 403 "^the request did not come from a page of this portal \(Origin, Sec-Fetch-Site\)$" "  posted without Origin" -H "Cookie: __Host-qvault=$COOKIE" -H "X-CSRF-Token: $CSRF"
csrf_refused 403 "^the request did not come from a page of this portal \(Origin, Sec-Fetch-Site\)$" "  posted from another origin" -H "Origin: https://evil.example" -H "Cookie: __Host-qvault=$COOKIE" -H "X-CSRF-Token: $CSRF"
csrf_refused 403 "^the request did not come from a page of this portal \(Origin, Sec-Fetch-Site\)$" "  Sec-Fetch-Site: cross-site, no Origin" -H "Sec-Fetch-Site: cross-site" -H "Cookie: __Host-qvault=$COOKIE" -H "X-CSRF-Token: $CSRF"
csrf_refused 403 "^the request did not come from a page of this portal \(its CSRF token\)$" "  without the CSRF token" -H "Origin: $ORIGIN" -H "Cookie: __Host-qvault=$COOKIE"
csrf_refused 403 "^the request did not come from a page of this portal \(its CSRF token\)$" "  with another token" -H "Origin: $ORIGIN" -H "Cookie: __Host-qvault=$COOKIE" -H "X-CSRF-Token: ${CSRF}x"
csrf_refused 401 "^your session ended; log in again$" "  without the session's cookie" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $CSRF"
cp answer.json pat-answer.json
cp stmt.json pat-stmt.json
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF
login zoe 1
wrefused 400 "^this record was not given you to sign" \
	"zenith's zoe posts pat's signed answer to zenith's own PN-1 to PLANT-1" $S/sign "$(cat pat-answer.json)"
check "control: zoe commits to zenith's PN-1 to PLANT-1 with her passkey (201)" \
	evalq 'post 200 $S/statement "{\"revision\":\"1\"}" && cp body.json stmt.json &&
	       act_answer zoe "{\"revision\":\"1\"}" counter=2 && post 201 $S/sign "$(cat answer.json)"'
check "  recorded as zenith's, none of acme's" \
	evalq 'git -C v ls-tree -r --name-only main | grep -q "/PN-1/zenith/PLANT-1/forecast/acks/000001-zoe.json\$" &&
	       ! git -C v ls-tree -r --name-only main | grep -q "/PN-1/acme/PLANT-1/forecast/acks/"'
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
check "  pat's page: acme's PN-1 to PLANT-1 still uncommitted, its form still there, nothing of zoe's" \
	evalq 'web 200 GET forecasts/PN-1 && grep -q "data-act=\"/forecasts/PN-1/PLANT-1/commit\"" body.json &&
	       lacks -e "Committed to" -e zoe'
check "control: pat's answer, posted as asked, is recorded (201)" \
	evalq 'post 200 $S/statement "{\"revision\":\"2\"}" && cp body.json stmt.json && act_answer pat "{\"revision\":\"2\"}" counter=9 && cp answer.json pat-answer.json &&
	       post 201 $S/sign "$(cat answer.json)" && new_session'
wrefused 400 "^this record was not given you to sign, or was signed already" \
	"  the same answer posted again" $S/sign "$(cat pat-answer.json)"
act_answer pat '{"revision":"2"}' counter=10
wrefused 400 "^this record was not given you to sign, or was signed already" \
	"  the same record signed anew, posted again" $S/sign "$(cat answer.json)"
check "verify accepts the vault with both" q verify

# ---- a revision issued between /statement and /sign -----------------------------------
P2=forecasts/PN-1/PLANT-2/commit
ok "pat asks the record of its commitment to PN-1 to PLANT-2, revision 1" post 200 $P2/statement '{"revision":"1"}'
cp body.json stmt.json
sched acme PN-1 PLANT-2 210 R-2b | sed '1s/^/[/; $s/$/]/' > f3.json
ok "  the buyer issues revision 2 before pat signs" q --key bea.pem forecast import f3.json
web 200 GET forecasts/PN-1 # (the server's index catches up with it)
act_answer pat '{"revision":"1"}' counter=11
# (which of its two true reasons comes first depends on the clock's second)
wrefused 400 "^the forecast of part 'PN-1' to 'PLANT-2' is at revision 2: revision 1 was replaced since\$|^the vault changed after the record was made: sign it again\$" \
	"  the signed record of revision 1 is refused" $P2/sign "$(cat answer.json)"
act_answer pat '{"revision":"0"}' counter=12
wrefused 400 "sign it again\$" "  and so is it asked as the latest (revision 0)" $P2/sign "$(cat answer.json)"

# ---- a revoked user's session ---------------------------------------------------------
login ray 1
check "control: ray (acme) reads PN-1 and is given a record to sign" \
	evalq 'web 200 GET forecasts/PN-1 && post 200 $P2/statement "{\"revision\":\"2\"}"'
cp body.json stmt.json
act_answer ray '{"revision":"2"}' counter=2
q --key "$TMP/admin.pem" user revoke ray > /dev/null
check "ray revoked: the page of PN-1 is refused (403), nothing of the forecast" \
	evalq 'web 403 GET forecasts/PN-1 && lacks -e PLANT -e R-1'
wrefused 401 "^your user was revoked\$" "  the record signed before the revocation is refused" $P2/sign "$(cat answer.json)"
wrefused 401 "^your session ended; log in again\$" "  and a new statement" $P2/statement '{"revision":"2"}'
enroll_link uma acme supplier > uma.secret
kill "$SERVE"
wait "$SERVE"

# ==== an outsider holding a replica ===================================================
ok "a replica (qvault clone) of the vault, verified whole" q clone -q "file://$TMP/v" c
check "  read with acme's key, forecast show scopes it as the server does: nothing of zenith's" \
	evalq "q -C c --key sam.pem forecast show --part PN-1 --json > c.json && ! grep -q $ZEN c.json &&
	       grep -q PLANT-2 c.json"
check "  read as git, it holds every supplier's schedules (a replica is the whole vault: only a trusted site holds one)" \
	evalq 'git -C c grep -q ZREF-77 main -- forecasts'
check "  but no portal secret: no session cookie" evalq '! git -C c grep -q -F -e "$PAT_COOKIE" main'
check "  no enrollment secret not yet used (uma's)" evalq '[ -s uma.secret ] && ! git -C c grep -q -F -e "$(cat uma.secret)" main'
check "  no passkey counter" evalq '[ ! -e c/qvault/passkey-counters ]'
# (its tail after the last '_', when the secret's own alphabet leaves one long enough to mean it)
check "  no API token" evalq '! git -C c grep -q -F -e "$SAM" main &&
	{ tail=${SAM##*_}; [ ${#tail} -lt 16 ] || ! git -C c grep -q -F -e "$tail" main; }'

# ==== a peer site: forgeries arriving by pull ===========================================
# written with stock git and ssh-keygen beside a control forged the same way
ssh-keygen -q -t ed25519 -N '' -C mal -f mal
F2="forecasts/$(dir_of PN-2)/PN-2/acme/PLANT-1/forecast"
F1="forecasts/$(dir_of PN-1)/PN-1/acme"
VID=$(git -C v show main:vault.json | jq -r .id)
FP_SID=$(ssh-keygen -lf sid.pub | cut -d' ' -f2)
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
# forge_as VAULT WHO OP MESSAGE SPEC...: a copy of v with a commit signed by WHO's ssh-keygen key
forge_as() {
	fv=$1 fwho=$2 fop=$3 fm=$4
	shift 4
	rm -rf "$fv"; cp -a v "$fv"
	GIT_AUTHOR_NAME=sid GIT_AUTHOR_EMAIL=sid@acme GIT_COMMITTER_NAME=sid GIT_COMMITTER_EMAIL=sid@acme \
		forge_commit "$fv" "$fwho" "$fm

Qvault-Op: $fop" "$@"
}
# sid's commitment to PN-2 to PLANT-1 as qvault writes it
jq -n -S --indent 2 --arg at "$AT" --arg vid "$VID" --arg fp "$FP_SID" '{record: "forecast-ack",
	format: 1, schedule: "forecast", part: "PN-2", supplier: "acme", ship_to: "PLANT-1",
	revision: 1, seq: 1, decision: "commit",
	buckets: [{start: "2026-11-30", qty: 300}, {start: "2026-12-07", qty: 120}],
	org: "acme", signed_by: "sid", fingerprint: $fp, signed_at: $at, vault: $vid}' > ack.json
ssh-keygen -q -Y sign -f sid -n qvault-forecast-ack < ack.json > ack.sid.sig
ssh-keygen -q -Y sign -f mal -n qvault-forecast-ack < ack.json > ack.mal.sig
forge_as g0 sid forecast-ack "forecast ack" "$F2/acks/000001-sid.json=ack.json" "$F2/acks/000001-sid.json.sig=ack.sid.sig"
ok "control: sid's commitment forged with stock git as qvault writes it passes verify" q -C g0 verify
check "  and a pull of it" evalq 'rm -rf p0 && cp -a v p0 && q -C p0 pull -q "file://$TMP/g0" > /dev/null'
forge_as g1 mal forecast-ack "forecast ack" "$F2/acks/000001-sid.json=ack.json" "$F2/acks/000001-sid.json.sig=ack.mal.sig"
check "an outsider's key (commit and signature) on sid's commitment: verify finds it" culprit g1 "unregistered key"
git -C v show "main:$F1/PLANT-1/forecast/acks/000001-pat.json" > pat.json
git -C v show "main:$F1/PLANT-1/forecast/acks/000001-pat.json.sig" > pat.sig
forge_as g2 sid forecast-ack "forecast ack" "$F1/PLANT-2/forecast/acks/000001-pat.json=pat.json" \
	"$F1/PLANT-2/forecast/acks/000001-pat.json.sig=pat.sig"
check "pat's passkey-signed commitment to PLANT-1 copied to PLANT-2: verify finds it" culprit g2 "000001-pat.json: answer 1 to the forecast of part .PN-1. to .PLANT-1. for .acme. is recorded already"
check "  (the copy's signature itself verifies: only the rule catches it)" \
	evalq 'q keys allowed-signers > signers && ssh-keygen -Y verify -f signers -I pat@acme -n qvault-forecast-ack -s pat.sig < pat.json > /dev/null'
git -C v show "main:$F2/000001.json" | jq -S --indent 2 --arg at "$AT" '.revision = 2 | .buckets[0].qty = 9000 | .imported_by = "sid" | .imported_at = $at' > rev2.json
forge_as g3 sid forecast-import "forecast import" "$F2/000002.json=rev2.json"
check "a forecast revision forged by acme's supplier (firm 9000): verify finds it" culprit g3 "may not import forecasts"
FZ="forecasts/$(dir_of PN-1)/PN-1/zenith/ZPLANT-9/forecast"
jq -S --indent 2 '.part = "PN-1" | .supplier = "zenith" | .ship_to = "ZPLANT-9" | .buckets = [{start: "2026-11-30", qty: 778}, {start: "2026-12-07", qty: 120}]' ack.json > zack.json
ssh-keygen -q -Y sign -f sid -n qvault-forecast-ack < zack.json > zack.sig
forge_as g4 sid forecast-ack "forecast ack" "$FZ/acks/000001-sid.json=zack.json" "$FZ/acks/000001-sid.json.sig=zack.sig"
check "acme's sid commits for zenith's schedule: verify finds it" culprit g4 "user 'sid' of 'acme' answers the forecast of part 'PN-1' for 'zenith'"
pulls_refused v "unregistered key|is recorded already|may not import forecasts|answers the forecast of part 'PN-1' for 'zenith'|is stored as 'forecasts/[^']*' in commit" g1 g2 g3 g4

done_testing
