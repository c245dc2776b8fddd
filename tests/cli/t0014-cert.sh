#!/bin/sh
# EN 10204 certificate data on material certificates, and the heat number
# that ties a certificate to the lots of that heat.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --from H-77 > /dev/null
make_pdf mtr.pdf "mill cert H-77"
cat > mtr.json <<'JSON'
{"certificate_type": "3.1", "certificate_number": "MC-2291", "manufacturer": "Acme Mill",
 "product": "bar 25 mm", "grade": "EN AW-6061 T6", "heat_number": "H-77", "quantity": "1200 kg",
 "issue_date": "2026-10-01", "inspector": "J. Weber",
 "chemical": {"Si": 0.6, "Mg": 1.0, "Cu": "0.25"}, "mechanical": {"Rm_MPa": 310, "A_pct": 12}}
JSON
check "audit: the heat lot has no material certificate yet" sh -c 'q audit > a.txt; grep -q "^no-material-cert .*input H-77" a.txt'
ok "add --meta records EN 10204 data with a material certificate" \
	q --key sam.pem add mtr.pdf --doc MTR-2291 --type material-cert --meta mtr.json
check "  as cert.json beside the record" sh -c '
	git -C v ls-tree -r --name-only main | grep -q "MTR-2291/A/cert.json" &&
	git -C v show main:$(git -C v ls-tree -r --name-only main | grep "MTR-2291/A/cert.json") > c.json &&
	grep -q "\"heat_number\": \"H-77\"" c.json && grep -q "\"certificate_type\": \"3.1\"" c.json'
check "the heat number ties it to the heat lot and what was made from it" sh -c '
	q trace lot H-77 | grep -q "document  MTR-2291@A (material-cert) attached to heat H-77" &&
	q trace lot L-1 | grep -q "upstream  MTR-2291@A (material-cert) of lot H-77"'
check "and closes the audit gap" sh -c 'q audit > b.txt; [ $? = 3 ] && ! grep -q "^no-material-cert" b.txt'
ok "--field gives the data item by item; 3.1B is taken as 3.1" \
	q --key sam.pem add mtr.pdf --doc MTR-2 --type material-cert --field certificate_type=3.1B \
	--field certificate_number=MC-2 --field manufacturer=Mill --field product=bar --field grade=6061 \
	--field heat_number=H-78 --field issue_date=2026-10-02 --field inspector=Weber --field chemical.C=0.20
check "  the type as issued is kept beside the EN 10204:2004 one" sh -c '
	git -C v show main:$(git -C v ls-tree -r --name-only main | grep "MTR-2/A/cert.json") > d.json &&
	grep -q "\"type_as_issued\": \"3.1B\"" d.json && grep -q "\"certificate_type\": \"3.1\"" d.json &&
	grep -q "\"C\": \"0.20\"" d.json'
ok "a 2.2 needs no inspector" q --key sam.pem add mtr.pdf --doc MTR-3 --type material-cert \
	--meta mtr.json --field certificate_type=2.2 --field inspector=
check "show prints the EN 10204 data" \
	evalq "q show MTR-2291@A > s.txt &&
	       grep -qx '  EN 10204 3.1 certificate MC-2291, issued 2026-10-01' s.txt &&
	       grep -qx '  product  bar 25 mm, grade EN AW-6061 T6, heat H-77, by Acme Mill' s.txt &&
	       grep -qx '  quantity 1200 kg' s.txt && grep -qx '  inspector J. Weber' s.txt &&
	       grep -qx '  chemical Cu 0.25 Mg 1 Si 0.6' s.txt && grep -qx '  mechanical A_pct 12 Rm_MPa 310' s.txt"
check "  and show --json as \"certificate\", to its supplier too" \
	evalq "q --key sam.pem show MTR-2291 --json > s.json && python3 -c '
import json; c = json.load(open(\"s.json\"))[\"revisions\"][0][\"certificate\"]
assert c[\"heat_number\"] == \"H-77\" and c[\"mechanical\"][\"Rm_MPa\"] == 310 and \"record\" not in c, c'"
check "  a certificate given as 3.1B says so" \
	evalq "q show MTR-2@A --json | grep -q '\"type_as_issued\": \"3.1B\"'"
check "  a drawing has none" evalq "! q show DWG-1@C --json | grep -q certificate"
if python3 -c 'import jsonschema' 2> /dev/null; then
	check "  show --json matches output.schema.json" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(open("s.json")), {"$ref": "#/$defs/document", "$defs": s["$defs"]})' \
		"$TESTS_DIR/../../schemas/output.schema.json"
else
	_skip "no python3-jsonschema"
fi
check "verify passes" sh -c 'q verify > /dev/null'
check "reindex gives the same traces" sh -c '
	q trace lot L-1 --json > t.json && q reindex > /dev/null && q trace lot L-1 --json | cmp -s - t.json'

fails 1 "a type 3.1 certificate needs the validating inspector \('inspector'\)" "a 3.1 without an inspector" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta mtr.json --field inspector=
jq 'del(.heat_number)' mtr.json > noheat.json
fails 1 "a material certificate needs its heat number \('heat_number'\)" "a material certificate without a heat number" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta noheat.json
printf '{"certificate_type": "3.1", "grade": "S355"}' > few.json
fails 1 "a material certificate needs 'certificate_number', 'manufacturer', 'product', 'heat_number', 'issue_date', 'inspector'$" \
	"every missing field named in one message, not one per try" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta few.json
fails 1 "certificate type '2.3' is not one of EN 10204's" "a withdrawn certificate type" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta mtr.json --field certificate_type=2.3
fails 1 "certificate data is for a material-cert, not a coc" "certificate data on a CoC" \
	q --key sam.pem add mtr.pdf --doc COC-9 --type coc --meta mtr.json
fails 1 "issue date '2026-13-01'" "an issue date that is not a date" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta mtr.json --field issue_date=2026-13-01
# a heat number is kept as the mill wrote it, SQL metacharacters too: bound, never spliced
ok "SQL in the heat number: a heat number as given" \
	q --key sam.pem add mtr.pdf --doc MTR-SQL --type material-cert --meta mtr.json --field "heat_number=H 77; DROP TABLE lots"
check "  show gives it exactly, and the lots table stands" evalq '
	q show MTR-SQL --json | grep -q "\"heat_number\": \"H 77; DROP TABLE lots\"" &&
	sqlite3 v/qvault/index.db "SELECT count(*) FROM lots" > /dev/null'
fails 1 "heat number .*contains a control character" "a control character in the heat number" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta mtr.json --field "$(printf 'heat_number=H 77\033[2J')"
fails 1 "certificate data: .*heat_nubmer" "a misspelt key" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta mtr.json --field heat_nubmer=H-1
fails 2 "--field 'heat' is not KEY=VALUE" "a --field without =" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --field heat
printf '[1, 2]\n' > list.json
fails 1 "'list.json' is not a JSON object" "--meta of a JSON list" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta list.json
fails 1 "'nope.json': line" "--meta of a missing file" \
	q --key sam.pem add mtr.pdf --doc MTR-9 --type material-cert --meta nope.json

done_testing
