#!/bin/sh
# Where orders stand: po list|show, asn list|show.  A supplier sees its
# own organization's POs and ship notices, another's answers exactly as
# one that does not exist; the buying side sees all; --open leaves out
# what was received in full; promised, shipped and received are those of
# real acknowledgments, ship notices and receipts.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C:2099-12-31 --line PN-2:5:DWG-1@C > /dev/null
q po add PO-2 --supplier acme --line PN-1:3:DWG-1@C:2099-10-31 > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
q --key sam.pem po ack PO-1 --promise 2099-12-01 > /dev/null
q --key sam.pem po ack PO-1 --line 1 --promise 2099-12-15 --qty 50 --note slipped > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 20 > /dev/null
q --key sam.pem lot add L-2 --po PO-2 --part PN-1 --qty 3 > /dev/null
q --key zed.pem lot add L-Z --po PO-Z --part PN-9 --qty 10 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --carrier UPS --tracking 1Z1 \
	--package CTN-1:L-1:12 --package CTN-2:L-1:8 > /dev/null 2>&1
q --key sam.pem asn add --po PO-2 --ship-date 2099-10-20 --package CTN-1:L-2:3 > /dev/null 2>&1
q --key zed.pem asn add --po PO-Z --ship-date 2099-10-01 --package P-1:L-Z:10 > /dev/null 2>&1
q asn receive ASN-000001 --date 2099-12-12 --qty L-1:19 --note "one dented" > /dev/null
q asn receive ASN-000002 --date 2099-10-22 > /dev/null

# js FILE EXPR VALUE: the Python expression EXPR of the JSON in FILE (d) is VALUE
js() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=str(eval(sys.argv[2]))
if v != sys.argv[3]: sys.exit("%s is %r, not %r" % (sys.argv[2], v, sys.argv[3]))' "$@"
}
# jq_ok CMD... -- EXPR VALUE...: CMD --json, then each EXPR is its VALUE
json_is() {
	out=$1; shift
	while [ $# -gt 0 ]; do js "$out" "$1" "$2" || return 1; shift 2; done
}

# ---- po list
q --key sam.pem po list --json > sam.json
check "a supplier lists its organization's POs only" json_is sam.json \
	'[p["po"] for p in d]' "['PO-1', 'PO-2']"
q po list --json > all.json
check "the buying side lists every organization's" json_is all.json \
	'[p["po"] for p in d]' "['PO-1', 'PO-2', 'PO-Z']"
q po list --supplier zenith --json > z.json
check "  --supplier ORG: that organization's" json_is z.json '[p["po"] for p in d]' "['PO-Z']"
q po list --open --json > open.json
check "--open leaves out a PO received in full" json_is open.json \
	'[(p["po"], p["state"]) for p in d]' "[('PO-1', 'open'), ('PO-Z', 'open')]"
check "  which is closed in the full list" json_is all.json 'd[1]["state"]' closed
check "a PO's totals: ordered, shipped, received, the latest promise, the earliest due date" \
	json_is all.json 'd[0]["qty"]' 55 'd[0]["shipped"]' 20 'd[0]["received"]' 19 \
	'd[0]["promised"]' 2099-12-15 'd[0]["due"]' 2099-12-31 'd[0]["lines"]' 2 \
	'd[0]["acknowledged"]' accepted
check "  a PO with no answer yet has no promise" json_is all.json '"promised" in d[2]' False
check "the table names each PO with its state" \
	sh -c 'q --key sam.pem po list > t.txt && grep -q "^PO-1  *acme  *open  *2  *55  *20  *19  *2099-12-31  *2099-12-15$" t.txt &&
	       ! grep -q PO-Z t.txt'
fails 1 "^qvault: a supplier sees only its own organization's POs$" \
	"a supplier naming another organization is refused" q --key sam.pem po list --supplier zenith
fails 1 "^qvault: a supplier sees only its own organization's POs$" \
	"  the same for one that does not exist" q --key sam.pem po list --supplier nobody
fails 1 "^qvault: no organization 'nobody'$" "the buying side naming an unknown organization" \
	q po list --supplier nobody
fails 2 "po list: --supplier 'a/b'" "a malformed organization is a usage error" q po list --supplier a/b

# ---- po show
q --key sam.pem po show PO-1 --json > po1.json
check "po show: each line's part, quantity, revision, due date" json_is po1.json \
	'[(l["line"], l["part"], l["qty"], l["doc"] + "@" + l["rev"], l.get("due")) for l in d["lines"]]' \
	"[(1, 'PN-1', 50, 'DWG-1@C', '2099-12-31'), (2, 'PN-2', 5, 'DWG-1@C', None)]"
check "  the latest promise for each line: its own, else the whole PO's" json_is po1.json \
	'[(l["promised"], l.get("promised_qty")) for l in d["lines"]]' \
	"[('2099-12-15', 50), ('2099-12-01', None)]"
check "  shipped (a lot in two packages counts once each) and received" json_is po1.json \
	'[(l["shipped"], l["received"], l["state"]) for l in d["lines"]]' \
	"[(20, 19, 'open'), (0, 0, 'open')]"
check "  its acknowledgments in order" json_is po1.json \
	'[(a["seq"], a.get("line"), a["promise"], a["signed_by"]) for a in d["acknowledgments"]]' \
	"[(1, None, '2099-12-01', 'sam'), (2, 1, '2099-12-15', 'sam')]"
q po show PO-2 --json > po2.json
check "  a closed PO says so, line by line" json_is po2.json \
	'd["state"]' closed 'd["lines"][0]["state"]' closed 'd["lines"][0]["received"]' 3
check "the buyer sees another organization's PO" sh -c 'q po show PO-Z --json | grep -q zenith'
check "the table shows the lines and acknowledgments" \
	sh -c 'q --key sam.pem po show PO-1 > t.txt && grep -q "^ *1  *PN-1  *50  *DWG-1@C  *2099-12-31  *2099-12-15  *20  *19  *open$" t.txt &&
	       grep -q "2. of revision 0, line 1: accepted, promised 2099-12-15, qty 50 (slipped), by sam" t.txt'
fails 1 "^qvault: no PO 'PO-Z'$" "another organization's PO is not found" \
	q --key sam.pem po show PO-Z
fails 1 "^qvault: no PO 'PO-NONE'$" "  exactly as one that does not exist" \
	q --key sam.pem po show PO-NONE
fails 1 "^qvault: no PO 'PO-Z'$" "  with --json too" q --key sam.pem po show PO-Z --json
fails 1 "^qvault: no PO '../x'$" "a PO number like a path: one no PO has" q po show ../x
fails 1 "PO number '.*' contains a control character" "a PO number with a control character" \
	q po show "$(printf 'PO\0331')"

# ---- asn list
q --key sam.pem asn list --json > asns.json
check "asn list: a supplier sees its own ship notices" json_is asns.json \
	'[a["asn"] for a in d]' "['ASN-000001', 'ASN-000002']"
check "  with packages, quantities shipped and received" json_is asns.json \
	'(d[0]["packages"], d[0]["qty"], d[0]["received"], d[0]["state"], d[0]["received_date"])' \
	"(2, 20, 19, 'received', '2099-12-12')"
q asn list --json > all-asns.json
check "the buying side sees all" json_is all-asns.json 'len(d)' 3
q asn list --po PO-1 --json > p1.json
check "--po: that PO's" json_is p1.json '[a["asn"] for a in d]' "['ASN-000001']"
fails 1 "^qvault: no PO 'PO-Z'$" "--po of another organization's PO: not found" \
	q --key sam.pem asn list --po PO-Z
fails 1 "^qvault: no PO 'PO-NONE'$" "  as for one that does not exist" q --key sam.pem asn list --po PO-NONE
check "the table" sh -c 'q --key sam.pem asn list > t.txt && grep -q "^ASN-000001  *PO-1  *acme  *2099-12-10  *2  *20  *19  *received$" t.txt'

# ---- asn show
q --key sam.pem asn show ASN-000001 --json > a1.json
check "asn show: its PO, packages, lots and receipt" json_is a1.json \
	'(d["po"], d["carrier"], d["tracking"])' "('PO-1', 'UPS', '1Z1')" \
	'[(p["package"], p["lot"], p["qty"]) for p in d["packages"]]' "[('CTN-1', 'L-1', 12), ('CTN-2', 'L-1', 8)]" \
	'[(l["lot"], l["line"], l["shipped"], l["received"]) for l in d["lots"]]' "[('L-1', 1, 20, 19)]" \
	'(d["receipt"]["date"], d["receipt"]["received_by"], d["receipt"]["note"])' "('2099-12-12', 'tester', 'one dented')"
check "the table" sh -c 'q asn show ASN-000001 > t.txt && grep -q "received 2099-12-12 by tester: one dented" t.txt &&
	grep -q "^L-1  *1  *PN-1  *20  *19$" t.txt'
check "the buyer sees another organization's ship notice" sh -c 'q asn show ASN-000003 --json | grep -q zenith'
fails 1 "^qvault: no ship notice 'ASN-000003'$" "another organization's ship notice is not found" \
	q --key sam.pem asn show ASN-000003
fails 1 "^qvault: no ship notice 'ASN-999999'$" "  exactly as one that does not exist" \
	q --key sam.pem asn show ASN-999999

# ---- through the shell, and every answer by its JSON Schema
# as sshd runs the forced command: the asked command in SSH_ORIGINAL_COMMAND
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
as sam po list --json > shell.json
check "through qvault shell, a supplier lists its own POs" json_is shell.json \
	'[p["po"] for p in d]' "['PO-1', 'PO-2']"
check "  and sees its ship notice" sh -c 'SSH_ORIGINAL_COMMAND="asn show ASN-000001" q -C v shell --user sam | grep -q "^ship notice ASN-000001"'
fails 1 "^qvault: no PO 'PO-Z'$" "  another organization's PO is not found there either" as sam po show PO-Z
fails 1 "^qvault: no ship notice 'ASN-000003'$" "  nor its ship notice" as sam asn show ASN-000003
if python3 -c 'import jsonschema' 2> /dev/null; then
	check "each --json matches its schema (portal-output.schema.json)" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
for name, f in (("po-list", "all.json"), ("po-show", "po1.json"), ("asn-list", "asns.json"), ("asn-show", "a1.json")):
    jsonschema.validate(json.load(open(f)), {"$ref": "#/$defs/" + name, "$defs": s["$defs"]})' \
		"$TESTS_DIR/../../schemas/portal-output.schema.json"
else
	_skip "no python3-jsonschema"
fi

done_testing
