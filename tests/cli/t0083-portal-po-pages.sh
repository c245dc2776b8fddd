#!/bin/sh
# The portal's PO list makes only the rows of the page it shows (issue 19),
# and so does its list of documents (issue 21): the page, the count of all
# and the rows are those the whole list gives, for the buying side and for
# a supplier, who sees its own organization's.
. "$(dirname "$0")/lib.sh"

need_webauthn

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf d.pdf D1
q --key bea.pem release DWG-1 --rev A d.pdf --to acme,zenith > /dev/null
# 132 POs of acme and 18 of zenith, numbered so that they interleave
python3 -c 'import json
pos = [{"po": "PO-%03d" % i, "supplier": "zenith" if i % 8 == 0 else "acme",
        "lines": [{"line": 1, "part": "PN-1", "qty": i, "doc": "DWG-1", "rev": "A"}]}
       for i in range(1, 151)]
print(json.dumps(pos))' > pos.json
q --key bea.pem po import pos.json > /dev/null
q --key sam.pem lot add L-1 --part PN-1 --qty 7 --po PO-007 > /dev/null
q --key sam.pem asn add --id ASN-1 --po PO-007 --ship-date 2026-11-30 --package P1:L-1:7 > /dev/null 2>&1
# 149 drawings of the buyer's, never released (DWG-002 to DWG-150: byte
# order, then DWG-1), and 120 certificates of acme's own: the buying side
# sees 270 documents, acme 121 (its own, and DWG-1, released to it)
make_text c.csv
python3 -c 'import json
print(json.dumps([{"file": "d.pdf", "doc": "DWG-%03d" % i, "type": "drawing"} for i in range(2, 151)]))' > drawings.json
python3 -c 'import json
print(json.dumps([{"file": "c.csv", "doc": "COC-%03d" % i, "type": "coc", "name": "c%d.csv" % i} for i in range(1, 121)]))' > certs.json
q --key bea.pem import drawings.json > /dev/null
q --key sam.pem import certs.json > /dev/null
q list --json > docs.json
q --key sam.pem list --json > acme-docs.json
q po list --json > all.json
q --key sam.pem po list --json > acme.json
check "the whole list: 150 POs, 132 of them acme's" \
	evalq '[ "$(jq length all.json)" = 150 ] && [ "$(jq length acme.json)" = 132 ]'

portal_users pat:acme:supplier bix:owner:buyer
# rows PO DATA.json: the PO numbers of the page's table, and the ones the list gives from FIRST to LAST
table_pos() { grep -o '<a href="/pos/[^"]*">' body.json | sed 's|.*/pos/\([^"]*\)".*|\1|'; }
list_pos() { jq -r ".[$2:$3][] | .po" "$1"; }
login bix 1
check "the buyer's first page: rows 1 to 100 of 150, the list's first 100 in order" \
	evalq 'web 200 GET pos && grep -q "Rows 1&ndash;100 of 150" body.json &&
	       [ "$(table_pos)" = "$(list_pos all.json 0 100)" ]'
check "  page 2: rows 101 to 150, the last 50" \
	evalq 'web 200 GET "pos?page=2" && grep -q "Rows 101&ndash;150 of 150" body.json &&
	       [ "$(table_pos)" = "$(list_pos all.json 100 150)" ]'
check "  a page past the last is the last" \
	evalq 'web 200 GET "pos?page=9" && grep -q "Rows 101&ndash;150 of 150" body.json'
check "  a row's totals are the list's: PO-007 ordered 7, shipped 7" \
	evalq 'web 200 GET pos && grep -q "<a href=\"/pos/PO-007\">PO-007</a></td><td>acme</td><td>1</td><td>7</td><td>7</td>" body.json'
login pat 1
check "acme's supplier: rows 1 to 100 of 132, its own first 100" \
	evalq 'web 200 GET pos && grep -q "Rows 1&ndash;100 of 132" body.json &&
	       [ "$(table_pos)" = "$(list_pos acme.json 0 100)" ]'
check "  page 2: its last 32, none of zenith's" \
	evalq 'web 200 GET "pos?page=2" && grep -q "Rows 101&ndash;132 of 132" body.json &&
	       [ "$(table_pos)" = "$(list_pos acme.json 100 132)" ] && lacks "zenith"'

# the documents' pages: DOC@REV, as the page links each row
table_docs() { grep -o '<a href="/documents/[^"]*">[^<]*</a>' body.json | sed 's|.*">\([^<]*\)</a>|\1|'; }
list_docs() { jq -r ".[$2:$3][] | .doc + \"@\" + .rev" "$1"; }
check "the documents, as the whole list gives them: 270, acme 121" \
	evalq '[ "$(jq length docs.json)" = 270 ] && [ "$(jq length acme-docs.json)" = 121 ]'
check "acme's documents page 1: rows 1 to 100 of 121, the list's first 100" \
	evalq 'web 200 GET documents && grep -q "Rows 1&ndash;100 of 121" body.json &&
	       [ "$(table_docs)" = "$(list_docs acme-docs.json 0 100)" ]'
check "  page 2: the last 21, DWG-1 among them, none of the buyer's drawings" \
	evalq 'web 200 GET "documents?page=2" && grep -q "Rows 101&ndash;121 of 121" body.json &&
	       [ "$(table_docs)" = "$(list_docs acme-docs.json 100 121)" ] &&
	       grep -q ">DWG-1@A<" body.json && lacks "DWG-0"'
login bix 2
check "the buyer's documents page 2: rows 101 to 200 of 270, the list's" \
	evalq 'web 200 GET "documents?page=2" && grep -q "Rows 101&ndash;200 of 270" body.json &&
	       [ "$(table_docs)" = "$(list_docs docs.json 100 200)" ]'
check "  page 3, the last: its 70" \
	evalq 'web 200 GET "documents?page=3" && grep -q "Rows 201&ndash;270 of 270" body.json &&
	       [ "$(table_docs)" = "$(list_docs docs.json 200 270)" ]'
check "  a page past the last is the last" \
	evalq 'web 200 GET "documents?page=99" && grep -q "Rows 201&ndash;270 of 270" body.json &&
	       [ "$(table_docs)" = "$(list_docs docs.json 200 270)" ]'
done_testing
