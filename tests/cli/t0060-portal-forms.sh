#!/bin/sh
# The portal's daily forms (issue 19): what changed between two revisions
# of a drawing (qvault diff, and its page), an FAI package refused with
# each check's result next to the field it is about, the buyer's change
# orders, and the receipt of a ship notice.  Each refusal is checked by
# its status, its message and the vault left byte for byte as it was.
. "$(dirname "$0")/lib.sh"

: "${MKZIP:?set MKZIP to the mkzip test tool}"
need_webauthn

vault_v sam:acme zed:zenith
add_buyer bea
# a STEP model in two revisions: one point moved, a line with markup in it
printf "ISO-10303-21;\nHEADER;\nFILE_NAME('bracket');\nENDSEC;\nDATA;\n#1=POINT(1.0);\n#2=POINT(2.0);\n#3=TEXT('<img src=x onerror=alert(1)>');\nENDSEC;\nEND-ISO-10303-21;\n" > a.stp
sed 's/POINT(2.0)/POINT(2.5)/' a.stp > b.stp
q --key bea.pem release DWG-1 --rev A a.stp --to acme > /dev/null
q --key bea.pem release DWG-1 --rev B b.stp --to acme --reason "ECN-7: point 2 moved" > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:5:DWG-1@B > /dev/null
q --key sam.pem lot add L-1 --part PN-1 --qty 5 --po PO-1 > /dev/null
q --key sam.pem asn add --id ASN-1 --po PO-1 --ship-date 2026-11-30 --package P1:L-1:5 > /dev/null 2>&1

# ==== what changed between revisions, on the command line ========================
check "qvault diff shows the moved point as a line removed and one added" \
	sh -c 'q --key sam.pem diff DWG-1@B > d.txt && grep -q "^-#2=POINT(2.0);" d.txt &&
	       grep -q "^+#2=POINT(2.5);" d.txt && ! grep -q "^[-+]#1=" d.txt'
check "  with the record's change: the release reason" \
	grep -q 'release reason .*ECN-7: point 2 moved' d.txt
check "  the file renamed and changed, its old name given" grep -q 'renamed and changed b.stp (was a.stp)' d.txt
check "  --json: from A to B, the file's diff and both SHA-256s" \
	sh -c 'q --key sam.pem diff DWG-1@B --json > d.json &&
	       python3 -c "import json; d=json.load(open(\"d.json\")); f=d[\"files\"][0]
assert d[\"from\"]==\"A\" and d[\"to\"]==\"B\" and f[\"change\"]==\"renamed and changed\"
assert \"+#2=POINT(2.5);\" in f[\"diff\"] and f[\"from\"][\"sha256\"]!=f[\"to\"][\"sha256\"]"'
check "  --from names the revision to compare with" \
	sh -c 'q --key sam.pem diff DWG-1@A --from B > d2.txt && grep -q "^-#2=POINT(2.5);" d2.txt'
fails 1 "^qvault: 'DWG-1@B' compared with itself: name another revision to compare it with$" \
	"diff --from the revision itself is refused" q --key sam.pem diff DWG-1@B --from B
fails 1 "'DWG-1@A' has no revision before it that you may see" \
	"the first revision has none before it" q --key sam.pem diff DWG-1@A
fails 1 "no document 'DWG-1'" "another organization's supplier sees no such document" \
	q --key zed.pem diff DWG-1@B
fails 2 "name the revision: DOC@REV" "a document without its revision" q diff DWG-1
# D goes to zenith only, then E to acme: acme compares E with B, never D
sed 's/POINT(1.0)/POINT(7.0)/' b.stp > d.stp
sed 's/POINT(1.0)/POINT(1.5)/' b.stp > e.stp
q --key bea.pem release DWG-1 --rev D d.stp --to zenith > /dev/null
q --key bea.pem release DWG-1 --rev E e.stp --to acme > /dev/null
check "a supplier's diff compares with the revision before that it may see" \
	sh -c 'q --key sam.pem diff DWG-1@E > d3.txt && head -n 1 d3.txt | grep -q "DWG-1@B -> DWG-1@E" &&
	       ! grep -qF "POINT(7.0)" d3.txt'
fails 1 "document 'DWG-1' has no revision 'D'|no document 'DWG-1@D'|no revision" \
	"  --from a revision released to another organization is none" q --key sam.pem diff DWG-1@E --from D
check "zenith's supplier compares D with its own before: none" \
	sh -c '! q --key zed.pem diff DWG-1@D 2> err.txt && grep -q "has no revision before it" err.txt'
q --key sam.pem diff DWG-1@E --json > d4.json
if have_jsonschema; then
	check "diff --json matches its schema (schemas/output.schema.json)" /usr/bin/python3 -c 'import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
Draft202012Validator({"$ref": "#/$defs/diff", "$defs": s["$defs"]}).validate(json.load(open("d4.json")))' \
		"$TESTS_DIR/../../schemas/output.schema.json"
else
	_skip "diff --json matches its schema: no python3-jsonschema (scripts/deps installs it)"
fi

# ==== the portal: pat (acme) and bix (the buyer's side) ===========================
portal_users pat:acme:supplier bix:owner:buyer zoe:zenith:supplier
ok "pat, bix and zoe enroll passkeys" evalq 'q user list --json | grep -q "\"zoe\""'

login pat 1
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF
check "the revision's page links to what changed since the revision before" \
	evalq 'web 200 GET documents/DWG-1/B && grep -q "href=\"/documents/DWG-1/B/changes\">what changed since A<" body.json'
check "the page of what changed shows the lines removed and added" \
	evalq 'web 200 GET documents/DWG-1/B/changes &&
	       grep -q "<span class=\"del\">-#2=POINT(2.0);</span>" body.json &&
	       grep -q "<span class=\"add\">+#2=POINT(2.5);</span>" body.json'
check "  and the release reason, as the record's change" grep -q '<td>release reason</td><td></td><td>ECN-7: point 2 moved</td>' body.json
check "  a file's markup is shown as text, never run" \
	evalq 'grep -q "TEXT(&#39;&lt;img src=x onerror=alert(1)&gt;&#39;)" body.json && lacks "<img src=x"'
check "  ?from= compares with the revision it names" \
	evalq 'web 200 GET "documents/DWG-1/A/changes?from=B" && grep -q "<span class=\"del\">-#2=POINT(2.5);</span>" body.json'
check "  ?from= naming the revision itself: 400, compared with itself" \
	evalq 'web 400 GET "documents/DWG-1/B/changes?from=B" && grep -q "compared with itself" body.json'
check "  the first revision has nothing before it: 404 with the reason" \
	evalq 'web 404 GET documents/DWG-1/A/changes && grep -q "has no revision before it" body.json'
login zoe 1
check "another organization's supplier: the page is 404, its lines nowhere in it" \
	evalq 'web 404 GET documents/DWG-1/B/changes && lacks "POINT"'

# ==== an FAI package refused: each check's result next to what it is about ========
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
rm -rf pkg && mkdir pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 B"
fai_json() {
	printf '{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket",
 "fair_number": "FAIR-9", "part_revision": "B", "drawing_number": "DWG-1", "drawing_revision": "B",
 "organization": "acme", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "%s", "complete": true, "signed_by": "Pat", "signed_date": "2026-11-20"},
 "form2": [], "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' "$1" > pkg/fai.json
}
fai_json full
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,,6.0 +/-0.1,6.02,,,\n2,A2,,8.0 +/-0.1,8.4,,,\n3,A3,,2.0 +/-0.05,,,,\n' > pkg/form3.csv
(cd pkg && "$MKZIP" ../bad.zip -n fai.json -f fai.json -n form3.csv -f form3.csv -n ballooned.pdf -f ballooned.pdf)
# upload FILE: the FAI form posted with FILE
upload() {
	before=$(api_state)
	web "$1" POST fai -F "csrf=$CSRF" -F "file=@$2;type=application/zip" -F po= -F lot=
}
check "a package with two bad characteristics is refused (400) with the first at the top" \
	evalq 'upload 400 bad.zip && grep -q "id=\"refusal\">[^<]*characteristic 2: result 8.4 is outside 8.0 +/-0.1" body.json'
check "  and the vault is unchanged" evalq '[ "$before" = "$(api_state)" ]'
check "  characteristic 1 checked: within its requirement" \
	grep -q '<tr><td>1</td><td>6.0 +/-0.1</td><td>6.02</td><td></td><td>ok: within its requirement</td></tr>' body.json
check "  characteristic 2 marked on its row, the reason beside it" \
	grep -q '<tr class="bad"><td>2</td><td>8.0 +/-0.1</td><td>8.4</td><td></td><td>characteristic 2: result 8.4 is outside 8.0 +/-0.1 (7.9 to 8.1) and names no nonconformance</td></tr>' body.json
check "  characteristic 3 too: it has no result" \
	grep -q '<tr class="bad"><td>3</td><td>2.0 +/-0.05</td><td></td><td></td><td>characteristic 3 (2.0 +/-0.05) has no result</td></tr>' body.json
fai_json quick
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,,6.0 +/-0.1,6.02,,,\n' > pkg/form3.csv
(cd pkg && "$MKZIP" ../bad1.zip -n fai.json -f fai.json -n form3.csv -f form3.csv -n ballooned.pdf -f ballooned.pdf)
check "a Form 1 field out of its values: refused, the field's row marked with the reason" \
	evalq 'upload 400 bad1.zip &&
	       grep -q "<tr class=\"bad\"><th scope=\"row\">fai_type</th><td>quick</td><td>fai.json: form1: &#39;fai_type&#39; is &#39;quick&#39;, not one of the allowed values</td></tr>" body.json &&
	       grep -q "<tr><th scope=\"row\">part_number</th><td>PN-1</td><td>ok</td></tr>" body.json &&
	       [ "$before" = "$(api_state)" ]'
sed -i 's/"part_name": "Bracket",//; s/"quick"/"full"/' pkg/fai.json
(cd pkg && "$MKZIP" ../bad2.zip -n fai.json -f fai.json -n form3.csv -f form3.csv -n ballooned.pdf -f ballooned.pdf)
check "a Form 1 field left out: its row says missing, with the reason" \
	evalq 'upload 400 bad2.zip &&
	       grep -q "<tr class=\"bad\"><th scope=\"row\">part_name</th><td>(missing)</td><td>fai.json: form1: &#39;part_name&#39; is missing</td></tr>" body.json &&
	       [ "$before" = "$(api_state)" ]'
make_pdf notzip.pdf "no package"
check "a file that is no zip: the reason next to the file field" \
	evalq 'upload 400 notzip.pdf && grep -q "<input id=\"file\" name=\"file\" type=\"file\" required aria-invalid=\"true\" aria-describedby=\"file-error\"> <span class=\"bad\" id=\"file-error\">[^<]*not a zip archive" body.json &&
	       [ "$before" = "$(api_state)" ]'
# three Form 1 fields wrong at once: each marked on its own row, and Form 3 still checked
sed -i 's/"part_number": "PN-1"/"part_number": "PN 1 "/; s/"fai_type": "full"/"fai_type": "quick"/; s/"signed_date": "2026-11-20"/"signed_date": "2026-13-45"/' pkg/fai.json
(cd pkg && "$MKZIP" ../bad3.zip -n fai.json -f fai.json -n form3.csv -f form3.csv -n ballooned.pdf -f ballooned.pdf)
check "four Form 1 fields wrong (one missing): each one's row marked with its own reason" \
	evalq 'upload 400 bad3.zip && [ "$(grep -o "<tr class=\"bad\"><th scope=\"row\">[a-z_]*</th>" body.json | wc -l)" = 4 ] &&
	       grep -q "<th scope=\"row\">part_number</th><td>PN 1 </td><td>[^<]*part_number" body.json &&
	       grep -q "<th scope=\"row\">signed_date</th><td>2026-13-45</td><td>[^<]*signed_date" body.json &&
	       grep -q "<th scope=\"row\">fai_type</th><td>quick</td><td>[^<]*not one of the allowed values" body.json &&
	       grep -q "<tr><th scope=\"row\">organization</th><td>acme</td><td>ok</td></tr>" body.json'
check "  and each characteristic of Form 3 is still checked" \
	grep -q '<tr><td>1</td><td>6.0 +/-0.1</td><td>6.02</td><td></td><td>ok: within its requirement</td></tr>' body.json
sed -i 's/"part_number": "PN 1 "/"part_number": "PN-1"/; s/"fai_type": "quick"/"fai_type": "full"/; s/"signed_date": "2026-13-45"/"signed_date": "2026-11-20"/' pkg/fai.json
# Form 3 in fai.json with a row that has no requirement and one numbered by a list
mkdir -p pkg3
python3 -c 'import json; d=json.load(open("pkg/fai.json")); d.pop("form3_csv")
d["form3"]=[{"number": 1, "requirement": "6.0 +/-0.1", "result": "6.0"}, {"number": 2, "result": "1"}, {"number": [3], "requirement": "x", "result": "y"}]
d["form1"]["part_name"]="Bracket"
json.dump(d, open("pkg3/fai.json", "w"))'
cp pkg/ballooned.pdf pkg3/
(cd pkg3 && "$MKZIP" ../bad4.zip -n fai.json -f fai.json -n ballooned.pdf -f ballooned.pdf)
check "a Form 3 row without its requirement: refused with the reason, the rows before it checked" \
	evalq 'upload 400 bad4.zip && grep -q "id=\"refusal\">fai.json: form3 item 2: " body.json &&
	       grep -q "<tr><td>1</td><td>6.0 +/-0.1</td><td>6.0</td>" body.json && [ "$before" = "$(api_state)" ]'
check "  and the portal goes on answering" web 200 GET fai
fai_pkg_ok() {
	sed -i 's/"fair_number"/"part_name": "Bracket", "fair_number"/' pkg/fai.json
	(cd pkg && "$MKZIP" ../good.zip -n fai.json -f fai.json -n form3.csv -f form3.csv -n ballooned.pdf -f ballooned.pdf)
}
fai_pkg_ok
check "the package with a PO the vault does not have: the reason next to the PO field" \
	evalq 'web 404 POST fai -F "csrf=$CSRF" -F "file=@good.zip;type=application/zip" -F po=PO-404 -F lot= &&
	       grep -q "<input id=\"po\" name=\"po\" type=\"text\" value=\"PO-404\" aria-invalid=\"true\" aria-describedby=\"po-error\"> <span class=\"bad\" id=\"po-error\">no PO &#39;PO-404&#39;</span>" body.json'
check "the package put right is recorded: on to its page" \
	evalq 'upload 303 good.zip && grep -qi "^Location: /documents/FAIR-9/" headers.txt'

# a long report's page: Form 3 a hundred rows at a time, the nonconforming linked above it
sed -i 's/"FAIR-9"/"FAIR-250"/' pkg/fai.json
python3 -c 'rows = ["number,location,designator,requirement,result,tooling,nonconformance,comments"]
for i in range(1, 251):
    bad = i in (7, 240)
    rows.append("%d,Z%d,,6.0 +/-0.1,%s,,%s," % (i, i, "6.5" if bad else "6.0", "NC-%d" % i if bad else ""))
open("pkg/form3.csv", "w").write("\n".join(rows) + "\n")'
(cd pkg && "$MKZIP" ../long.zip -n fai.json -f fai.json -n form3.csv -f form3.csv -n ballooned.pdf -f ballooned.pdf)
check "a report of 250 characteristics is recorded" evalq 'upload 303 long.zip'
LONG=$(sed -n 's/^Location: \(\/documents\/FAIR-250\/[^[:space:]]*\).*/\1/ip' headers.txt)
check "  its page shows rows 1-100 of 250, and links to the next 100" \
	evalq 'web 200 GET ${LONG#/} && grep -q "Rows 1&ndash;100 of 250" body.json &&
	       grep -q "<tr id=\"c100\"><td>100</td>" body.json && lacks "<td>101</td>" &&
	       grep -q "href=\"$LONG?form3=2\">next page" body.json'
check "  under 100 KB" evalq '[ "$(wc -c < body.json)" -lt 102400 ]'
check "  the two nonconforming characteristics linked to the rows on their pages" \
	evalq 'grep -q "<dd>2: <a href=\"$LONG?form3=1#c7\">7</a>, <a href=\"$LONG?form3=3#c240\">240</a></dd>" body.json'
check "  ?form3=3 shows rows 201-250, characteristic 240 marked with its nonconformance" \
	evalq 'web 200 GET "${LONG#/}?form3=3" && grep -q "Rows 201&ndash;250 of 250" body.json &&
	       grep -q "<tr id=\"c240\" class=\"bad\"><td>240</td><td>Z240</td><td>6.0 +/-0.1</td><td>6.5</td><td><strong>no: out of its requirement</strong></td><td>NC-240</td></tr>" body.json &&
	       lacks "<td>200</td>"'
check "  a page past the end shows the last" \
	evalq 'web 200 GET "${LONG#/}?form3=99" && grep -q "Rows 201&ndash;250 of 250" body.json'
check "  a page number that is no number shows the first" \
	evalq 'web 200 GET "${LONG#/}?form3=-1" && grep -q "Rows 1&ndash;100 of 250" body.json'
check "  turning Form 3's pages keeps the acknowledgments' page (?page=), and the other way round" \
	evalq 'web 200 GET "${LONG#/}?form3=2&page=3" &&
	       grep -q "href=\"$LONG?form3=1&amp;page=3\">previous page" body.json &&
	       grep -q "href=\"$LONG?form3=3&amp;page=3\">next page" body.json &&
	       grep -q "<a href=\"$LONG?form3=3&amp;page=3#c240\">240</a>" body.json'
check "  a page number that is no number is not carried into a link" \
	evalq 'web 200 GET "${LONG#/}?form3=2&page=x%22" && grep -q "href=\"$LONG?form3=1\">previous page" body.json'

SAM=$(tok --user sam --scope write)
cp bad.zip api-bad.zip
check "the API answers a refused package with each check's result too" \
	evalq 'api 400 POST api/v1/fai "$SAM" -H "Content-Type: application/octet-stream" --data-binary @api-bad.zip &&
	       is "d[\"checks\"][\"form3\"][1][\"error\"][:31]" "characteristic 2: result 8.4 is" &&
	       is "d[\"checks\"][\"field\"]" form3 && is "d[\"checks\"][\"form3\"][0][\"conforms\"]" True'

# ==== the buyer's change orders ====================================================
login bix 1
BIX_COOKIE=$COOKIE BIX_CSRF=$CSRF
check "the buyer's PO page has the change order forms, not the supplier's answer" \
	evalq 'web 200 GET pos/PO-1 && grep -q "<h2>Change this order</h2>" body.json &&
	       lacks "Answer this purchase order"'
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
check "the supplier's has its answer, not the change order forms" \
	evalq 'web 200 GET pos/PO-1 && grep -q "Answer this purchase order" body.json &&
	       lacks "Change this order"'
frefused 403 'may not' "a supplier posting a change order is refused" \
	pos/PO-1/change chg.line=1 chg.qty=9 chg.reason=mine
COOKIE=$BIX_COOKIE CSRF=$BIX_CSRF
frefused 400 'give the line and the reason' "a change without its reason" pos/PO-1/change chg.line=1 chg.qty=8
frefused 400 'not DOC@REV' "a drawing revision not written DOC@REV" \
	pos/PO-1/change chg.line=1 chg.drawing=DWG-1 chg.reason=x
frefused 404 "PO 'PO-1' has no line 7" "a line the PO does not have" pos/PO-1/change chg.line=7 chg.qty=2 chg.reason=x
frefused 400 'the new quantity is a whole number, 1 or more' "a quantity of 0 is refused, not dropped" \
	pos/PO-1/change chg.line=1 chg.qty=0 chg.due=2027-02-01 chg.reason=x
frefused 400 'the new quantity is a whole number, 1 or more' "  nor a negative one" \
	pos/PO-1/change chg.line=1 chg.qty=-4 chg.due=2027-02-01 chg.reason=x
frefused 400 'the new quantity is a whole number, 1 or more' "  nor one over a billion" \
	pos/PO-1/change chg.line=1 chg.qty=99999999999 chg.reason=x
check "bix changes line 1 to 8 pieces: on to the PO, now at revision 1" \
	evalq 'form 303 pos/PO-1/change chg.line=1 chg.qty=8 "chg.reason=more needed" &&
	       grep -qi "^Location: /pos/PO-1" headers.txt &&
	       q po show PO-1 --json > po.json && python3 -c "import json; d=json.load(open(\"po.json\"))
assert d[\"revision\"]==1 and d[\"lines\"][0][\"qty\"]==8, d"'
check "  the change order is on the PO's page, with its reason" \
	evalq 'web 200 GET pos/PO-1 && grep -q "more needed" body.json'
frefused 400 '^the change order changes nothing$' "a change that changes nothing" \
	pos/PO-1/change chg.line=1 chg.qty=8 chg.reason=again
check "bix adds a line: numbered 2 by the vault" \
	evalq 'form 303 pos/PO-1/add-line add.part=PN-2 add.qty=3 add.drawing=DWG-1@B add.due=2027-01-15 "add.reason=a spare" &&
	       q po show PO-1 --json | grep -q "\"PN-2\""'
frefused 400 'give the new line' "an added line without its drawing" pos/PO-1/add-line add.part=PN-3 add.qty=1 add.reason=x
check "bix cancels line 2" \
	evalq 'form 303 pos/PO-1/end end.line=2 end.op=cancel "end.reason=not needed after all" &&
	       q po show PO-1 --json | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d[\"lines\"][1][\"state\"]==\"cancelled\", d[\"lines\"][1]"'
frefused 400 "^line 2 of PO 'PO-1' is cancelled" "  a cancelled line cannot be cancelled again" \
	pos/PO-1/end end.line=2 end.op=cancel end.reason=x
frefused 400 'choose cancel or close' "an end that is neither cancel nor close" \
	pos/PO-1/end end.line=1 end.op=delete end.reason=x
frefused 400 'choose cancel or close, the line' "an end without its line is not every line" \
	pos/PO-1/end end.op=cancel end.reason=x
frefused 400 'choose cancel or close, the line' "  nor one whose line is no number" \
	pos/PO-1/end end.line=one end.op=cancel end.reason=x

# ==== receiving a ship notice ======================================================
check "the ship notices link to each notice's page" \
	evalq 'web 200 GET asns && grep -q "href=\"/asns/ASN-1\"" body.json'
check "the buyer sees its lots and the receipt's form, each lot as shipped" \
	evalq 'web 200 GET asns/ASN-1 && grep -q "<h2>Receive it</h2>" body.json &&
	       grep -q "<input id=\"qty.0\" name=\"qty.0\" type=\"number\" min=\"0\" required value=\"5\">" body.json'
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
check "the supplier sees its notice, without the receipt's form" \
	evalq 'web 200 GET asns/ASN-1 && lacks "Receive it"'
frefused 403 'may not' "a supplier may not receive its own shipment" asns/ASN-1/receive qty.0=5
COOKIE=$BIX_COOKIE CSRF=$BIX_CSRF
frefused 400 'whole number' "a quantity received that is no whole number" asns/ASN-1/receive qty.0=-1
frefused 400 'whole number' "  nor one of eleven digits" asns/ASN-1/receive qty.0=99999999999
frefused 400 'a lot the ship notice does not have' "a quantity for a lot the notice does not list" \
	asns/ASN-1/receive qty.0=5 qty.7=1
check "bix receives 4 of 5 with a note: on to the notice, 4 received" \
	evalq 'form 303 asns/ASN-1/receive qty.0=4 "note=one short" date=2026-12-01 &&
	       grep -qi "^Location: /asns/ASN-1" headers.txt &&
	       q asn show ASN-1 --json | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d[\"lots\"][0][\"received\"]==4, d"'
check "  the page shows it received, without the form" \
	evalq 'web 200 GET asns/ASN-1 && grep -q "2026-12-01 by bix" body.json && lacks "Receive it"'
check "  with the receiving note" grep -q '<dt>Receiving note</dt><dd>one short</dd>' body.json
frefused 409 "ASN-1.* received" "a ship notice is received once" asns/ASN-1/receive qty.0=5
frefused 400 'line 1: a quantity of 3 is below the 4 already received' "a change order below what was received is refused" \
	pos/PO-1/change chg.line=1 chg.qty=3 chg.reason=fewer
login zoe 2
check "another organization's supplier: the ship notice's page is 404" \
	evalq 'web 404 GET asns/ASN-1 && lacks "L-1"'
frefused 404 "^no PO 'PO-1'" "  and a change order it posts to the PO: no such PO" \
	pos/PO-1/change chg.line=1 chg.qty=9 chg.reason=mine
COOKIE= CSRF=
check "without a session the ship notice's page is the login" web 303 GET asns/ASN-1

# ==== who has not acknowledged, with ages ==========================================
# rows DOC@REV ORG AGE of the page in body.json
pending_rows() {
	grep -o '<tr><td><a href="/documents/[^"]*">[^<]*</a></td><td>[^<]*</td><td>[^<]*</td><td>[0-9]*</td>' body.json |
		sed 's|<tr><td><a href="[^"]*">\([^<]*\)</a></td><td>\([^<]*\)</td><td>[^<]*</td><td>\([0-9]*\)</td>|\1 \2 \3|'
}
q --key bea.pem pending --json | python3 -c 'import json,sys
for p in json.load(sys.stdin): print("%s@%s %s 0" % (p["doc"], p["rev"], p["org"]))' > pending.txt
COOKIE=$BIX_COOKIE CSRF=$BIX_CSRF
check "the buyer's page of revisions not acknowledged lists what qvault pending lists, 0 days old" \
	evalq 'web 200 GET pending && pending_rows > page.txt && [ -s page.txt ] && cmp -s page.txt pending.txt'
check "  acme's and zenith's both" evalq 'grep -q " acme 0$" page.txt && grep -q " zenith 0$" page.txt'
check "  each revision linked to its page" grep -q '<a href="/documents/DWG-1/D">DWG-1@D</a>' body.json
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
check "acme's supplier sees acme's only" \
	evalq 'web 200 GET pending && pending_rows > page.txt && [ -s page.txt ] &&
	       grep " acme 0$" pending.txt | cmp -s - page.txt'
COOKIE= CSRF=
check "without a session the page is the login" web 303 GET pending

check "verify passes" sh -c 'q verify > /dev/null'
grep '	/api/v1/' "$TMP/api.log" > api-only.log
openapi_check "every API answer matches schemas/openapi.json" api-only.log

done_testing
