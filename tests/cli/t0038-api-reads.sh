#!/bin/sh
# qvault serve: the reads of a supplier's everyday work.  Each route
# answers what the same command prints with --json, as the token's user
# sees the vault: a supplier its own, another organization's PO or ship
# notice 404 exactly as one that does not exist; no read writes.
. "$(dirname "$0")/lib.sh"

need_curl

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf a.pdf A
make_pdf z.pdf Z
q --key bea.pem release DWG-1 --rev A a.pdf --to acme,zenith > /dev/null
q --key bea.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:10:DWG-1@A:2099-12-31 > /dev/null
q --key bea.pem po add PO-2 --supplier acme --line PN-1:2:DWG-1@A > /dev/null
q --key bea.pem po add PO-Z --supplier zenith --line PN-9:4:DWG-Z@A > /dev/null
q --key sam.pem ack DWG-1@A > /dev/null
q --key zed.pem ack DWG-1@A > /dev/null
q --key sam.pem po ack PO-1 --line 1 --promise 2099-12-01 --qty 10 > /dev/null
q --key sam.pem po ack PO-1 --line 1 --promise 2099-12-20 --note late > /dev/null
q --key zed.pem po ack PO-Z --promise 2099-11-01 > /dev/null
q --key sam.pem status PO-1:1 in-progress > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 6 > /dev/null
q --key sam.pem lot add L-2 --po PO-2 --part PN-1 --qty 2 > /dev/null
q --key zed.pem lot add L-Z --po PO-Z --part PN-9 --qty 4 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-1:L-1:6 > /dev/null 2>&1
q --key sam.pem asn add --po PO-2 --ship-date 2099-12-11 --package CTN-1:L-2:2 > /dev/null 2>&1
q --key zed.pem asn add --po PO-Z --ship-date 2099-11-05 --package P-1:L-Z:4 > /dev/null 2>&1
q --key bea.pem asn receive ASN-000001 --date 2099-12-12 --qty L-1:5 > /dev/null
q --key bea.pem asn receive ASN-000002 --date 2099-12-13 > /dev/null
q ncr add --lot L-Z --reason "burr on edge" > /dev/null
# an FAI package of acme's, made with fai pack (as t0012)
mkdir -p pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 A"
printf '{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket", "serial_number": "SN-001",
 "fair_number": "FAIR-1", "part_revision": "A", "drawing_number": "DWG-1", "drawing_revision": "A",
 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Sam Supplier", "signed_date": "2026-11-20"},
 "form2": [], "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' > pkg/fai.json
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,key,6.0 +0.1/-0.1,6.05,,,\n' > pkg/form3.csv
q fai pack pkg -o fai.zip > /dev/null
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
SAM=$(tok --user sam)
ZED=$(tok --user zed)
BUY=$(tok --user bea)

serve_start
check "serve listens on loopback" evalq "echo '$URL' | grep -q '^http://127.0.0.1:[0-9]*/api/v1/$'"

# same KEY COMMAND...: body.json is, byte for byte, what `qvault --key KEY
# COMMAND --json` prints (less its last newline)
same() { same_as "$@" --json; }
# same_as KEY COMMAND...: the same, for a command that prints JSON unasked
same_as() {
	k=$1; shift
	q --key "$k" "$@" > cli.json && printf '\n' >> body.json && cmp -s cli.json body.json ||
		{ echo "the API and '$*' differ" >&2; diff cli.json body.json | head -5 >&2; return 1; }
}

before=$(snapshot)

# ---- POs
check "GET pos: a supplier's own, as po list --json" \
	evalq "api 200 GET pos '$SAM' && is '[p[\"po\"] for p in d]' \"['PO-1', 'PO-2']\" && same sam.pem po list"
check "  the buyer's: all" evalq "api 200 GET pos '$BUY' && is 'len(d)' 3 && same bea.pem po list"
check "  ?open=1: not what was received in full" \
	evalq "api 200 GET 'pos?open=1' '$BUY' && is '[p[\"po\"] for p in d]' \"['PO-1', 'PO-Z']\" && same bea.pem po list --open"
check "  ?supplier=ORG: that organization's" \
	evalq "api 200 GET 'pos?supplier=zenith' '$BUY' && is '[p[\"po\"] for p in d]' \"['PO-Z']\""
check "  a supplier naming another organization: 403" \
	evalq "api 403 GET 'pos?supplier=zenith' '$SAM' && error \"^a supplier sees only its own organization's POs\$\""
check "  ?open=maybe: 400" evalq "api 400 GET 'pos?open=maybe' '$SAM' && error \"^open 'maybe' is not 1 or 0\$\""
check "GET pos/PO: po show --json" \
	evalq "api 200 GET pos/PO-1 '$SAM' && same sam.pem po show PO-1"
check "  promised, shipped, received after a real ack, ship notice and receipt" \
	evalq "is '[(l[\"promised\"], l[\"shipped\"], l[\"received\"], l[\"state\"]) for l in d[\"lines\"]]' \"[('2099-12-20', 6, 5, 'open')]\""
check "another organization's PO: 404, as one that does not exist" \
	evalq "api 404 GET pos/PO-Z '$SAM' && error \"^no PO 'PO-Z'\$\" &&
	       api 404 GET pos/PO-NONE '$SAM' && error \"^no PO 'PO-NONE'\$\""
check "  its acknowledgments too" \
	evalq "api 404 GET pos/PO-Z/acks '$SAM' && error \"^no PO 'PO-Z'\$\""
check "  and its trace" \
	evalq "api 404 GET pos/PO-Z/trace '$SAM' && error \"^no PO 'PO-Z'\$\""
check "the buyer sees it" evalq "api 200 GET pos/PO-Z '$BUY' && is 'd[\"supplier\"]' zenith"
check "GET pos/PO/acks: its acknowledgments in order" \
	evalq "api 200 GET pos/PO-1/acks '$SAM' && is '[(a[\"seq\"], a[\"promise\"]) for a in d]' \"[(1, '2099-12-01'), (2, '2099-12-20')]\""
check "GET pos/PO/trace: the trace, as trace po --json" \
	evalq "api 200 GET pos/PO-1/trace '$SAM' && is 'd[\"po\"][\"po\"]' PO-1 && same sam.pem trace po PO-1"

# ---- ship notices
check "GET asns: a supplier's own, as asn list --json" \
	evalq "api 200 GET asns '$SAM' && is '[a[\"asn\"] for a in d]' \"['ASN-000001', 'ASN-000002']\" && same sam.pem asn list"
check "  ?po=PO" evalq "api 200 GET 'asns?po=PO-2' '$SAM' && is '[a[\"asn\"] for a in d]' \"['ASN-000002']\""
check "  ?po= of another organization's PO: 404, as one that does not exist" \
	evalq "api 404 GET 'asns?po=PO-Z' '$SAM' && error \"^no PO 'PO-Z'\$\" &&
	       api 404 GET 'asns?po=PO-NONE' '$SAM' && error \"^no PO 'PO-NONE'\$\""
check "GET asns/ASN: asn show --json" \
	evalq "api 200 GET asns/ASN-000001 '$SAM' && is 'd[\"lots\"][0][\"received\"]' 5 && same sam.pem asn show ASN-000001"
check "another organization's ship notice: 404, as one that does not exist" \
	evalq "api 404 GET asns/ASN-000003 '$SAM' && error \"^no ship notice 'ASN-000003'\$\" &&
	       api 404 GET asns/ASN-999999 '$SAM' && error \"^no ship notice 'ASN-999999'\$\""
check "GET asns?format=csv: asn export --csv, as text/csv" \
	evalq "api 200 GET 'asns?format=csv' '$SAM' &&
	       grep -qi '^Content-Type: text/csv' headers.txt && q --key sam.pem asn export --csv > cli.csv && cmp -s cli.csv body.json &&
	       lacks zenith"
check "GET asns?format=json: asn export" \
	evalq "api 200 GET 'asns?format=json' '$BUY' && is 'len(d)' 3 && same_as bea.pem asn export"
check "  ?format=xml: 400" evalq "api 400 GET 'asns?format=xml' '$SAM' && error \"^format 'xml' is not json or csv\$\""
check "GET status: status export, a supplier's own" \
	evalq "api 200 GET status '$SAM' && is 'd[0][\"status\"]' in-progress && same_as sam.pem status export"
check "  ?format=csv" \
	evalq "api 200 GET 'status?format=csv' '$ZED' && [ \"\$(cat body.json | wc -l)\" = 1 ]"
check "  another organization named: 403" \
	evalq "api 403 GET 'status?org=zenith' '$SAM' && error 'only its own organization'"

# ---- NCRs, revisions, the scorecard
check "GET ncrs: ncr list --json; a supplier sees its own" \
	evalq "api 200 GET ncrs '$ZED' && is 'len(d)' 1 && same zed.pem ncr list &&
	       api 200 GET ncrs '$SAM' && is 'len(d)' 0"
check "GET documents/DOC/REV/trace: trace doc --json, a supplier's PO lines only" \
	evalq "api 200 GET documents/DWG-1/A/trace '$SAM' && is '[l[\"po\"] for l in d[\"po_lines\"]]' \"['PO-1', 'PO-2']\" &&
	       same sam.pem trace doc DWG-1@A"
check "  a revision not released to it: 404" \
	evalq "api 404 GET documents/DWG-Z/A/trace '$SAM' && error \"^no document 'DWG-Z'\$\""
check "GET documents/DOC/REV/acks: who acknowledged it, as acks --json" \
	evalq "api 200 GET documents/DWG-1/A/acks '$BUY' && is '[a[\"org\"] for a in d]' \"['acme', 'zenith']\" &&
	       same bea.pem acks DWG-1@A"
check "  a supplier sees its own organization's" \
	evalq "api 200 GET documents/DWG-1/A/acks '$SAM' && is '[a[\"org\"] for a in d]' \"['acme']\""
check "  a revision not released to it: 404" \
	evalq "api 404 GET documents/DWG-Z/A/acks '$SAM' && error \"^no document 'DWG-Z'\$\""
check "GET scorecard: scorecard --json, a supplier's own" \
	evalq "api 200 GET scorecard '$SAM' && same sam.pem scorecard && lacks zenith"
check "  ?org=ORG for the buyer" evalq "api 200 GET 'scorecard?org=zenith' '$BUY' && grep -q zenith body.json && lacks acme"
check "  a supplier naming another: 403" evalq "api 403 GET 'scorecard?org=zenith' '$SAM'"
check "GET fai/FAIR: fai show --json" \
	evalq "api 200 GET fai/FAIR-1 '$SAM' && is 'd[\"fair\"]' FAIR-1 && same sam.pem fai show FAIR-1"
check "GET fai/FAIR/REV: that revision" evalq "api 200 GET fai/FAIR-1/A '$BUY' && is 'd[\"rev\"]' A"
check "  another organization's FAI: 404, as one that does not exist" \
	evalq "api 404 GET fai/FAIR-1 '$ZED' && error \"^no document 'FAIR-1'\$\" &&
	       api 404 GET fai/FAIR-NONE '$ZED' && error \"^no document 'FAIR-NONE'\$\""

check "a read is GET only: 405" evalq "api 405 POST pos '$SAM'"
check "none of these reads wrote anything" test "$before" = "$(snapshot)"

kill "$SERVE"
wait "$SERVE"
check "SIGTERM ends it cleanly (exit 0)" test $? = 0

openapi_check "every API answer matches schemas/openapi.json"

done_testing
