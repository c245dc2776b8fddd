#!/bin/sh
# Material certificate data (EN 10204) travels: export bundles carry it as
# certs/DOC@REV/cert.json (read back with unzip and jq, covered by
# SHA256SUMS), and import manifests may carry it for a material
# certificate ("cert"), checked as `add --meta` checks it: every missing
# required field named in one message, the vault unchanged on refusal.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --from H-77 > /dev/null
make_pdf mtr.pdf "mill cert H-77"
make_pdf mtr0.pdf "mill cert, no data"
cat > mtr.json <<'JSON'
{"certificate_type": "3.1B", "certificate_number": "MC-2291", "manufacturer": "Acme Mill",
 "product": "bar 25 mm", "grade": "EN AW-6061 T6", "heat_number": "H-77", "quantity": "1200 kg",
 "issue_date": "2026-10-01", "inspector": "J. Weber",
 "chemical": {"Si": 0.6, "Mg": 1.0, "Cu": "0.25"}, "mechanical": {"Rm_MPa": 310, "A_pct": 12}}
JSON
q --key sam.pem add mtr.pdf --doc MTR-1 --type material-cert --meta mtr.json > /dev/null
q --key sam.pem add mtr0.pdf --doc MTR-0 --type material-cert --lot H-77 > /dev/null

# ---- export ------------------------------------------------------------------------
ok "export --lot writes a bundle" q export --lot L-1 -o b.zip
check "  it holds the certificate's EN 10204 data as certs/MTR-1@A/cert.json" evalq '
	unzip -q b.zip -d b && jq -e ".heat_number == \"H-77\" and .certificate_type == \"3.1\" and
		.type_as_issued == \"3.1B\" and .certificate_number == \"MC-2291\" and .grade == \"EN AW-6061 T6\" and
		.inspector == \"J. Weber\" and .chemical.Si == 0.6 and .chemical.Cu == \"0.25\" and
		.mechanical.Rm_MPa == 310 and .doc == \"MTR-1\" and .rev == \"A\"" b/certs/MTR-1@A/cert.json > /dev/null'
check "  byte for byte as the vault stores it" evalq '
	git -C v show "main:$(git -C v ls-tree -r --name-only main | grep "/MTR-1/A/cert.json$")" | cmp -s - b/certs/MTR-1@A/cert.json'
check "  beside the certificate itself" test -f b/documents/MTR-1@A/mtr.pdf
check "  a material certificate without data has none" evalq '
	test -f b/documents/MTR-0@A/mtr0.pdf && ! test -e b/certs/MTR-0@A && test "$(ls b/certs)" = "MTR-1@A"'
check "  SHA256SUMS covers it, and sha256sum -c passes" evalq '
	grep -q "  certs/MTR-1@A/cert.json$" b/SHA256SUMS && (cd b && sha256sum -c --quiet SHA256SUMS)'
check "  trace.txt lists it" grep -q "^  certs/MTR-1@A/cert.json$" b/trace.txt
check "  the same vault gives the same bytes" evalq 'q export --lot L-1 -o b2.zip > /dev/null && cmp -s b.zip b2.zip'
ok "export --doc of the certificate" q export --doc MTR-1@A -o d.zip
check "  carries its data" evalq 'unzip -p d.zip certs/MTR-1@A/cert.json | jq -e ".heat_number == \"H-77\"" > /dev/null'
ok "the supplier exports its own lot" q --key sam.pem export --lot L-1 -o s.zip
check "  with its certificate's data" evalq 'unzip -l s.zip | grep -q " certs/MTR-1@A/cert.json$"'
q po add PO-2 --supplier zenith --line PN-9:5:DWG-1@C > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-9 --qty 5 > /dev/null
ok "another supplier exports its lot" q --key zed.pem export --lot Z-1 -o z.zip
check "  and finds no certificate data of acme's" evalq '! unzip -l z.zip | grep -q "certs/"'
check "export --doc of no material certificate: no certs/" evalq '
	q export --doc DWG-1@C -o w.zip > /dev/null && ! unzip -l w.zip | grep -q "certs/"'

# ---- import --------------------------------------------------------------------------
mkdir -p files
make_pdf files/m1.pdf "imported cert 1"
make_pdf files/m2.pdf "imported cert 2"
make_pdf files/coc.pdf "imported coc"
cat > with.json <<'JSON'
[{"file": "files/m1.pdf", "doc": "MTR-I1", "type": "material-cert",
  "cert": {"certificate_type": "3.1", "certificate_number": "MC-9", "manufacturer": "Mill",
           "product": "bar", "grade": "6061", "heat_number": "H-99", "issue_date": "2026-10-05",
           "inspector": "K. Lee", "chemical": {"Mg": 1.0}}},
 {"file": "files/m2.pdf", "doc": "MTR-I2", "type": "material-cert"}]
JSON
ok "import: a material certificate with its data and one without, one commit" \
	q --key sam.pem import with.json
check "  the data is stored as add --meta stores it" evalq '
	git -C v show "main:$(git -C v ls-tree -r --name-only main | grep "/MTR-I1/A/cert.json$")" |
	jq -e ".record == \"material-cert\" and .heat_number == \"H-99\" and .inspector == \"K. Lee\" and .chemical.Mg == 1.0" > /dev/null'
check "  the other has none" evalq '! git -C v ls-tree -r --name-only main | grep -q "/MTR-I2/A/cert.json$"'
check "  show prints it" evalq 'q show MTR-I1@A | grep -q "H-99"'
check "  the index ties the heat to it" evalq 'sqlite3 v/qvault/index.db "SELECT doc FROM certs WHERE heat = '"'"'H-99'"'"'" | grep -qx MTR-I1'

cat > missing.json <<'JSON'
[{"file": "files/coc.pdf", "doc": "MTR-OK", "type": "material-cert"},
 {"file": "files/m1.pdf", "doc": "MTR-BAD", "type": "material-cert",
  "cert": {"certificate_type": "3.1", "product": "bar", "heat_number": "H-98", "issue_date": "2026-10-05"}}]
JSON
fails 1 "entry 2.*a material certificate needs 'certificate_number', 'manufacturer', 'grade', 'inspector'$" \
	"import: every missing field of the data in one message" q --key sam.pem import missing.json
cat > type.json <<'JSON'
[{"file": "files/coc.pdf", "doc": "COC-X", "type": "coc",
  "cert": {"certificate_type": "3.1", "certificate_number": "MC-1", "manufacturer": "Mill",
           "product": "bar", "grade": "6061", "heat_number": "H-1", "issue_date": "2026-10-05", "inspector": "K"}}]
JSON
fails 1 "^qvault: certificate data is for a material-cert, not a coc" \
	"import: certificate data on a certificate of conformity" q --key sam.pem import type.json
cat > notobj.json <<'JSON'
[{"file": "files/m1.pdf", "doc": "MTR-N", "type": "material-cert", "cert": "H-1"}]
JSON
fails 1 "^qvault: manifest entry 1: 'cert' is not an object of EN 10204 data$" \
	"import: certificate data that is not an object" q --key sam.pem import notobj.json
cat > bad23.json <<'JSON'
[{"file": "files/m1.pdf", "doc": "MTR-T", "type": "material-cert",
  "cert": {"certificate_type": "2.3", "certificate_number": "MC-1", "manufacturer": "Mill",
           "product": "bar", "grade": "6061", "heat_number": "H-1", "issue_date": "2026-10-05"}}]
JSON
fails 1 "^qvault: certificate type '2.3' is not one of EN 10204" \
	"import: a certificate type EN 10204 does not have" q --key sam.pem import bad23.json
cat > extra.json <<'JSON'
[{"file": "files/m1.pdf", "doc": "MTR-E", "type": "material-cert",
  "cert": {"certificate_type": "2.2", "certificate_number": "MC-1", "manufacturer": "Mill",
           "product": "bar", "grade": "6061", "heat_number": "H-1", "issue_date": "2026-10-05",
           "colour": "blue"}}]
JSON
fails 1 "^qvault: certificate data: .*colour" "import: a field EN 10204 data does not have" \
	q --key sam.pem import extra.json
cat > date.json <<'JSON'
[{"file": "files/m1.pdf", "doc": "MTR-D", "type": "material-cert",
  "cert": {"certificate_type": "2.2", "certificate_number": "MC-1", "manufacturer": "Mill",
           "product": "bar", "grade": "6061", "heat_number": "H-1", "issue_date": "2026-13-05"}}]
JSON
fails 1 "^qvault: issue date '2026-13-05' is not a date" "import: an issue date that is none" \
	q --key sam.pem import date.json
check "add --meta refuses the same data with the same message" evalq '
	jq ".[1].cert" missing.json > m.json; q --key sam.pem add files/m1.pdf --doc MTR-B2 --type material-cert --meta m.json 2> e.txt;
	grep -q "a material certificate needs '"'"'certificate_number'"'"', '"'"'manufacturer'"'"', '"'"'grade'"'"', '"'"'inspector'"'"'$" e.txt'
ok "verify passes" q verify

done_testing
