#!/bin/sh
# Blanket orders and releases against them (issue 17): a PO line may be a
# blanket agreement (a total quantity valid from a date until a date); po
# release calls a quantity off it, its own numbered record beside the PO,
# one signed commit; the supplier acknowledges a release as a PO (po ack
# --release N); po show gives what was released and what remains, never
# below zero; a supplier sees only its own organization's releases, through
# qvault shell too; the index rebuilt gives the same answers.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zoe:zeta
make_pdf c.pdf C
make_pdf z.pdf Z
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q release DWG-2 --rev A z.pdf --to zeta > /dev/null

# js FILE EXPR VALUE...: each Python expression EXPR of the JSON in FILE (d) is its VALUE
js() {
	f=$1; shift
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = str(eval(e))
    if v != want: sys.exit("%s is %r, not %r" % (e, v, want))' "$f" "$@"
}
podir() { h=$(printf %s "$1" | sha256sum); echo "pos/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
PB=$(podir PO-B)

# ---- a blanket PO
check "po add --valid-from --valid-until: a blanket PO" \
	evalq "q po add PO-B --supplier acme --line PN-1:100:DWG-1@C --line PN-2:40:DWG-1@C \
	       --valid-from 2026-01-01 --valid-until 2099-12-31 > out.txt &&
	       grep -qx 'recorded blanket PO PO-B for acme, 2 lines' out.txt"
check "  each line's record holds its blanket terms, no due date" \
	evalq "git -C v show 'main:$PB/po.json' > po.json &&
	       js po.json 'd[\"lines\"][0][\"blanket\"]' \"{'valid_from': '2026-01-01', 'valid_until': '2099-12-31'}\" \
	          '\"due\" in d[\"lines\"][0]' False"
q po add PO-N --supplier acme --line PN-1:10:DWG-1@C:2027-01-01 > /dev/null 2>&1
q po add PO-Z --supplier zeta --line PZ-1:50:DWG-2@A --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null 2>&1
q po show PO-B --json > s0.json
check "po show --json: nothing released, the whole total remains" \
	js s0.json 'd["lines"][0]["released"]' 0 'd["lines"][0]["remaining"]' 100 \
	'd["lines"][0]["valid_from"]' 2026-01-01 'd["lines"][0]["valid_until"]' 2099-12-31 'd["releases"]' '[]'
q po show PO-N --json > sn.json
check "  a line that is no blanket has neither" \
	js sn.json '"released" in d["lines"][0]' False '"remaining" in d["lines"][0]' False
fails 2 "needs both --valid-from and --valid-until" "po add with --valid-from alone" \
	q po add PO-X --supplier acme --line PN-1:1:DWG-1@C --valid-from 2026-01-01
fails 1 "valid from 2027-01-01, after its end 2026-01-01" "po add valid from after until" \
	q po add PO-X --supplier acme --line PN-1:1:DWG-1@C --valid-from 2027-01-01 --valid-until 2026-01-01
fails 1 "a blanket line has no due date" "po add of a blanket line with a due date" \
	q po add PO-X --supplier acme --line PN-1:1:DWG-1@C:2027-01-01 --valid-from 2026-01-01 --valid-until 2027-12-31

# ---- import: JSON and CSV, old files as they were
cat > imp.json <<'EOF'
[{"po": "PO-J", "supplier": "acme", "lines": [
  {"line": 1, "part": "PN-1", "qty": 500, "doc": "DWG-1", "rev": "C",
   "blanket": {"valid_from": "2026-06-01", "valid_until": "2098-05-31"}},
  {"line": 2, "part": "PN-2", "qty": 5, "doc": "DWG-1", "rev": "C", "due": "2027-01-01"}]}]
EOF
ok "po import JSON: a blanket line beside an ordinary one" q po import imp.json
q po show PO-J --json > sj.json
check "  the blanket line has its terms, the other none" \
	js sj.json 'd["lines"][0]["valid_until"]' 2098-05-31 'd["lines"][0]["remaining"]' 500 \
	'"valid_from" in d["lines"][1]' False
printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size,valid_from,valid_until\nPO-C,acme,1,PN-1,60,DWG-1,C,,,,,2026-02-01,2097-01-31\n' > imp.csv
ok "po import CSV with valid_from and valid_until columns" q po import imp.csv
check "  its line is a blanket" evalq "q po show PO-C --json > sc.json && js sc.json 'd[\"lines\"][0][\"valid_from\"]' 2026-02-01"
printf 'po,supplier,line,part,qty,doc,rev,due\nPO-O,acme,1,PN-1,6,DWG-1,C,2027-01-01\n' > old.csv
ok "  a CSV of before blankets is read as it was" q po import old.csv
cat > bad.json <<'EOF'
[{"po": "PO-Q", "supplier": "acme", "lines": [
  {"line": 1, "part": "PN-1", "qty": 5, "doc": "DWG-1", "rev": "C", "blanket": {"valid_from": "2026-06-01"}}]}]
EOF
fails 1 "purchase order 1, line 1: .*valid_until" "po import of a blanket without its end" q po import bad.json
printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size,valid_from,valid_until\nPO-Q,acme,1,PN-1,60,DWG-1,C,,,,,2026-02-01,\n' > bad.csv
fails 1 "needs both its validity dates" "po import CSV of a blanket without its end" q po import bad.csv

# ---- releases
check "po release: a numbered release, for the supplier to acknowledge" \
	evalq "q po release PO-B --line 1 --qty 30 --due 2027-03-01 > out.txt &&
	       grep -qx 'released 30 of PO PO-B line 1 due 2027-03-01: release 1, for the supplier to acknowledge' out.txt"
check "  one commit, po-release, its own record beside the PO, readable by stock git" \
	evalq "git -C v log -1 --format=%B | grep -qx 'Qvault-Op: po-release' &&
	       test \"\$(git -C v diff-tree --no-commit-id --name-only -r main)\" = '$PB/releases/000001.json' &&
	       git -C v show 'main:$PB/releases/000001.json' > r1.json &&
	       js r1.json 'd[\"record\"]' po-release 'd[\"release\"]' 1 'd[\"line\"]' 1 'd[\"qty\"]' 30 \
	          'd[\"part\"]' PN-1 'd[\"due\"]' 2027-03-01 'd[\"released_by\"]' tester 'd[\"org\"]' owner"
ok "a second release, of the other line" q po release PO-B --line 2 --qty 40 --due 2099-12-31
ok "a third, of line 1 again" q po release PO-B --line 1 --qty 50 --due 2026-01-01
q po show PO-B --json > s1.json
check "po show --json: released and remaining per line, the releases in order" \
	js s1.json 'd["lines"][0]["released"]' 80 'd["lines"][0]["remaining"]' 20 \
	'd["lines"][1]["released"]' 40 'd["lines"][1]["remaining"]' 0 \
	'[(r["release"], r["line"], r["qty"], r["due"]) for r in d["releases"]]' \
	"[(1, 1, 30, '2027-03-01'), (2, 2, 40, '2099-12-31'), (3, 1, 50, '2026-01-01')]"
check "po show: the remaining quantity in words" \
	evalq "q po show PO-B > show.txt &&
	       grep -qx 'blanket line 1: 100 agreed from 2026-01-01 until 2099-12-31, 80 released, 20 remaining' show.txt &&
	       grep -qx 'blanket line 2: 40 agreed from 2026-01-01 until 2099-12-31, 40 released, 0 remaining' show.txt &&
	       grep -q '^  1. line 1: 30 of PN-1 due 2027-03-01, by tester at .*; not acknowledged yet' show.txt"

# ---- refusals: one line, exit status, the vault unchanged
fails 1 "a release of 21 is over the 20 remaining of line 1 of PO 'PO-B' \(100 agreed, 80 released\)" \
	"a release over the remaining quantity" q po release PO-B --line 1 --qty 21 --due 2027-03-01
fails 1 "a release of 1 is over the 0 remaining of line 2" \
	"a release of a line released in full: never below zero" q po release PO-B --line 2 --qty 1 --due 2027-03-01
fails 1 "due date 2100-01-01 is outside the validity of line 1 of PO 'PO-B' \(2026-01-01 to 2099-12-31\)" \
	"a release due after the validity" q po release PO-B --line 1 --qty 1 --due 2100-01-01
fails 1 "due date 2025-12-31 is outside the validity" \
	"a release due before the validity" q po release PO-B --line 1 --qty 1 --due 2025-12-31
fails 1 "line 1 of PO 'PO-N' is no blanket order" "a release of a line that is no blanket" \
	q po release PO-N --line 1 --qty 1 --due 2027-01-01
fails 1 "line 2 of PO 'PO-J' is no blanket order" "  of an imported PO's ordinary line" \
	q po release PO-J --line 2 --qty 1 --due 2027-01-01
fails 1 "PO 'PO-B' has no line 9" "a release of no such line" q po release PO-B --line 9 --qty 1 --due 2027-01-01
fails 1 "no PO 'PO-NONE'" "a release of no such PO" q po release PO-NONE --line 1 --qty 1 --due 2027-01-01
fails 1 "user 'sam' may not release against blanket orders" "a supplier releasing" \
	q --key sam.pem po release PO-B --line 1 --qty 1 --due 2027-03-01
fails 2 "--line, --qty and --due are required" "po release without --due" q po release PO-B --line 1 --qty 1
fails 2 "--qty '0' is not a whole number from 1" "po release of nothing" q po release PO-B --line 1 --qty 0 --due 2027-03-01
fails 2 "not a valid date|YYYY-MM-DD" "po release with a malformed date" q po release PO-B --line 1 --qty 1 --due 2027-13-01
q po close PO-C --reason "agreement ended" > /dev/null
fails 1 "line 1 of PO 'PO-C' is closed" "a release of a closed line" q po release PO-C --line 1 --qty 1 --due 2027-03-01
q po cancel PO-J --reason "not needed" > /dev/null
fails 1 "PO 'PO-J' is cancelled" "a release of a cancelled PO" q po release PO-J --line 1 --qty 1 --due 2027-03-01

# ---- change orders keep the blanket whole
fails 1 "line 1: a quantity of 79 is below the 80 already released" \
	"a change order cutting a blanket below what was released" q po change PO-B --line 1 --qty 79 --reason cut
fails 1 "line 1 of PO 'PO-B' is a blanket order: its releases have due dates" \
	"a change order giving a blanket line a due date" q po change PO-B --line 1 --due 2027-01-01 --reason due
ok "a change order raising a blanket's total" q po change PO-B --line 1 --qty 120 --reason "more agreed"
check "  what remains grows with it; the terms stay" \
	evalq "q po show PO-B --json > s2.json &&
	       js s2.json 'd[\"lines\"][0][\"remaining\"]' 40 'd[\"lines\"][0][\"valid_from\"]' 2026-01-01"
ok "  a release of what the change made room for" q po release PO-B --line 1 --qty 40 --due 2028-01-01
check "  is release 4, and nothing remains" \
	evalq "q po show PO-B --json > s3.json &&
	       js s3.json 'd[\"releases\"][-1][\"release\"]' 4 'd[\"lines\"][0][\"remaining\"]' 0"

# ---- the supplier's inbox, and its acknowledgment
q --key sam.pem inbox --json > in1.json
check "each release not acknowledged is in the supplier's inbox" \
	js in1.json '[i["subject"] for i in d if i["action"] == "answer-release"]' \
	"['PO-B release 1', 'PO-B release 2', 'PO-B release 3', 'PO-B release 4']"
q inbox --days 0 --json > chase1.json
check "  and in the buyer's, to chase" \
	js chase1.json '[i["subject"] for i in d if i["action"] == "chase-release"]' \
	"['PO-B release 1', 'PO-B release 2', 'PO-B release 3', 'PO-B release 4']"
q --key zoe.pem inbox --json > inz.json
check "  never in another organization's" js inz.json '[i for i in d if "release" in i["action"]]' '[]'
check "po ack --release: the supplier acknowledges a release with a promise" \
	evalq "q --key sam.pem po ack PO-B --release 1 --promise 2027-02-25 > out.txt &&
	       grep -qx 'acknowledged PO PO-B release 1: promised 2027-02-25' out.txt"
check "  one commit, release-ack, beside the PO, naming the release and its signer's key" \
	evalq "git -C v log -1 --format=%B | grep -qx 'Qvault-Op: release-ack' &&
	       git -C v show 'main:$PB/release-acks/000001-sam.json' > a1.json &&
	       js a1.json 'd[\"record\"]' release-ack 'd[\"release\"]' 1 'd[\"org\"]' acme \
	          'd[\"decision\"]' accepted 'd[\"promise\"]' 2027-02-25 'd[\"signed_by\"]' sam"
ok "a rejection of a release, with a reason" q --key sam.pem po ack PO-B --release 2 --reject --reason "no capacity"
q po show PO-B --json > s4.json
check "po show: each release with its answer" \
	js s4.json '[(r["release"], r.get("acknowledged"), r.get("promised")) for r in d["releases"]]' \
	"[(1, 'accepted', '2027-02-25'), (2, 'rejected', None), (3, None, None), (4, None, None)]"
check "  the PO itself is not acknowledged by them" js s4.json 'd["acknowledgments"]' '[]'
check "po ack-export writes each answer to a release as an 855 naming it in BAK05" \
	evalq "q po ack-export > rel.855 && tr '~' '\\n' < rel.855 | grep -c '^BAK\\*00\\*' | grep -qx 2 &&
	       tr '~' '\\n' < rel.855 | grep -Eq '^BAK\\*00\\*AK\\*PO-B\\*[0-9]{8}\\*1\\*' &&
	       tr '~' '\\n' < rel.855 | grep -Eq '^BAK\\*00\\*RJ\\*PO-B\\*[0-9]{8}\\*2\\*' &&
	       tr '~' '\\n' < rel.855 | grep -qx 'DTM\\*068\\*20270225'"
q edi read --json rel.855 > rel.json
check "  edi read reads them back as po show has them" \
	js rel.json '[(a["po"], a["release"], a["decision"], a.get("promise"), a.get("reason")) for a in d]' \
	"[('PO-B', 1, 'accepted', '2027-02-25', None), ('PO-B', 2, 'rejected', None, 'no capacity')]"
check "  and the supplier exports them too, its own organization's" \
	evalq "q --key sam.pem po ack-export > sam.855 && q edi read --json sam.855 | cmp -s - rel.json"
q --key sam.pem inbox --json > in2.json
check "the answered releases leave the supplier's inbox" \
	js in2.json '[i["subject"] for i in d if i["action"] == "answer-release"]' \
	"['PO-B release 3', 'PO-B release 4']"
fails 1 "PO 'PO-B' has no release 9" "an acknowledgment of no such release" \
	q --key sam.pem po ack PO-B --release 9 --promise 2027-02-25
fails 1 "no PO 'PO-B'" "another organization's supplier acknowledging the release" \
	q --key zoe.pem po ack PO-B --release 3 --promise 2027-02-25
fails 1 "a release is acknowledged whole: no line, no quantity" "a release acknowledged with a line" \
	q --key sam.pem po ack PO-B --release 3 --line 1 --promise 2027-02-25
fails 1 "may not acknowledge purchase orders" "a buyer acknowledging a release" \
	q po ack PO-B --release 3 --promise 2027-02-25
fails 2 "--release 'x' is not a release number" "po ack --release x" \
	q --key sam.pem po ack PO-B --release x --promise 2027-02-25

# ---- scoping: another organization's releases are none, through the shell too
fails 1 "no PO 'PO-B'" "another organization's supplier sees no blanket PO of acme" q --key zoe.pem po show PO-B
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
check "qvault shell: a supplier sees its releases and what remains" \
	evalq "as sam po show PO-B --json > sh.json && js sh.json 'len(d[\"releases\"])' 4 'd[\"lines\"][0][\"remaining\"]' 0"
fails 1 "no PO 'PO-B'" "qvault shell: another organization's supplier sees none of them" as zoe po show PO-B --json
fails 1 "no PO 'PO-B'" "qvault shell: nor acknowledges them" as zoe po ack PO-B --release 3 --promise 2027-02-25
fails 1 "'po release' is not allowed for 'sam' \(needs role buyer\)" "qvault shell: a supplier may not release" \
	as sam po release PO-Z --line 1 --qty 1 --due 2027-01-01
check "qvault shell: the supplier acknowledges its release, signed for it by the server" \
	evalq "as sam po ack PO-B --release 3 --promise 2027-01-20 > /dev/null &&
	       git -C v log -1 --format=%B | grep -qx 'Qvault-On-Behalf-Of: sam'"
check "qvault shell: a buyer releases" \
	evalq "as tester po release PO-Z --line 1 --qty 5 --due 2027-01-01 > /dev/null &&
	       as zoe po show PO-Z --json > shz.json && js shz.json 'd[\"lines\"][0][\"remaining\"]' 45"
q --key zoe.pem po list --json > lz.json
check "  and the other supplier lists only its own POs" js lz.json '[p["po"] for p in d]' "['PO-Z']"

ok "verify accepts every blanket, release and acknowledgment" q verify

# ---- the records and the answers, by their JSON Schemas
if python3 -c 'import jsonschema' 2> /dev/null; then
	S="$TESTS_DIR/../../schemas"
	check "each release, release acknowledgment and change order stored matches portal-records.schema.json" python3 -c '
import json, subprocess, sys, jsonschema
s = json.load(open(sys.argv[1]))
files = subprocess.run(["git", "-C", "v", "ls-tree", "-r", "--name-only", "main", "pos/"],
                       capture_output=True, text=True, check=True).stdout.split()
files = [f for f in files if "/releases/" in f or "/release-acks/" in f or "/changes/" in f]
for kind in ("/releases/", "/release-acks/", "/changes/"):
    assert any(kind in f for f in files), (kind, files)
for f in files:
    rec = json.loads(subprocess.run(["git", "-C", "v", "show", "main:" + f], capture_output=True,
                                    check=True).stdout)
    jsonschema.validate(rec, s)' "$S/portal-records.schema.json"
	check "po show --json of a blanket PO matches portal-output.schema.json (po-show)" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
s = dict(s, **{"$ref": "#/$defs/po-show"})
s.pop("oneOf", None); s.pop("anyOf", None)
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), s)' "$S/portal-output.schema.json" s4.json sh.json
	check "the import file matches po-import.schema.json; a blanket with a due date does not" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
jsonschema.validate(d, s)
d[0]["lines"][0]["due"] = "2027-01-01"
try:
    jsonschema.validate(d, s)
except jsonschema.ValidationError:
    sys.exit(0)
sys.exit(1)' "$S/po-import.schema.json" imp.json
else
	_skip "no python3-jsonschema"
fi

# ---- the index is rebuilt from the repository with the same answers
q po show PO-B --json > ref-b.json
q po show PO-Z --json > ref-z.json
q --key sam.pem inbox --json > ref-in.json
q inbox --days 0 --json > ref-chase.json
ok "reindex" q reindex
check "  the same PO, releases and remaining" sh -c 'q po show PO-B --json | cmp -s - ref-b.json &&
	q po show PO-Z --json | cmp -s - ref-z.json'
check "  the same inboxes" sh -c 'q --key sam.pem inbox --json | python3 -c "
import json,sys; a=json.load(sys.stdin); b=json.load(open(\"ref-in.json\"))
strip=lambda l: [(i[\"action\"], i[\"subject\"], i[\"since\"]) for i in l]
sys.exit(strip(a) != strip(b))" && q inbox --days 0 --json | python3 -c "
import json,sys; a=json.load(sys.stdin); b=json.load(open(\"ref-chase.json\"))
strip=lambda l: [(i[\"action\"], i[\"subject\"], i[\"since\"]) for i in l]
sys.exit(strip(a) != strip(b))"'
check "  sqlite3 sees the releases in the rebuilt index" \
	evalq "test \"\$(sqlite3 v/qvault/index.db 'SELECT sum(qty) FROM po_releases WHERE po = \"PO-B\" AND line = 1')\" = 120"
check "git fsck --strict is clean" git -C v fsck --strict

# ---- the HTTP API answers the same, scoped the same, by its OpenAPI document (last: needs curl)
need_curl
SAMT=$(tok --user sam --scope write)
ZOET=$(tok --user zoe)
serve_start
check "GET pos/PO-B: the supplier's blanket PO with its releases and what remains" \
	evalq "api 200 GET pos/PO-B '$SAMT' && is 'len(d[\"releases\"])' 4 && is 'd[\"lines\"][0][\"remaining\"]' 0 &&
	       q --key sam.pem po show PO-B --json | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin) != json.load(open(\"body.json\")))'"
check "GET pos/PO-B as another organization's supplier: 404" evalq "api 404 GET pos/PO-B '$ZOET'"
check "GET inbox: the supplier's releases to answer" \
	evalq "api 200 GET inbox '$SAMT' && is '[i[\"subject\"] for i in d if i[\"action\"] == \"answer-release\"]' \"['PO-B release 4']\""
before=$(snapshot)
check "POST pos/PO-B/acks with a release and lines: refused, the vault unchanged" \
	evalq "api 400 POST pos/PO-B/acks '$SAMT' -H 'Content-Type: application/json' \
	       --data '{\"release\": 4, \"promise\": \"2027-12-01\", \"lines\": [1]}' &&
	       error 'a release is acknowledged whole' && test \"\$(snapshot)\" = \"\$before\""
check "POST pos/PO-B/acks {release: 4}: the supplier's ERP acknowledges the release" \
	evalq "api 201 POST pos/PO-B/acks '$SAMT' -H 'Content-Type: application/json' \
	       --data '{\"release\": 4, \"promise\": \"2027-12-01\"}' &&
	       is '[r.get(\"promised\") for r in d[\"releases\"]]' \"['2027-02-25', None, '2027-01-20', '2027-12-01']\""
check "  one commit, release-ack, signed for the supplier by the server" \
	evalq "git -C v log -1 --format=%B | grep -qx 'Qvault-Op: release-ack'"
serves_stop
openapi_check "every answer matches schemas/openapi.json"

# ---- the portal's page of a PO shows its blanket lines and releases, to its own supplier only
need_webauthn
portal_users pam:acme:supplier bix:owner:buyer zed:zeta:supplier
login pam 1
check "portal: the supplier's page of its blanket PO shows what remains and the releases" \
	evalq 'web 200 GET pos/PO-B && grep -q "Blanket lines: what releases may still call off" body.json &&
	       grep -q "Releases against blanket lines" body.json && grep -q "<td>2099-12-31</td>" body.json &&
	       grep -q "<td>rejected</td>" body.json'
login zed 1
check "portal: another organization's supplier gets no such PO" evalq 'web 404 GET pos/PO-B'
login bix 1
check "portal: the buyer's page of a PO that is no blanket shows neither table" \
	evalq 'web 200 GET pos/PO-N && lacks "Blanket lines" && lacks "Releases against"'
serves_stop

done_testing
