#!/bin/sh
# qvault list and GET /api/v1/documents over more documents than a page
# (list reads 1000 at a time, and the API answers 1000 at most): every
# document once, in byte order, across the pages' seams, as the viewer
# may see them; --json the same array as one printed whole; the table,
# past the 10 pages list holds (then measured as read, and read again to
# print), aligned on its widest cell, wherever it is; the API's pages
# chained by a Link header (RFC 8288) until a short one, a bad limit
# refused.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
add_buyer bea
make_pdf d.pdf drawing
make_text c.csv
# 11,345 drawings of the buyer's (13 pages), numbered so that byte order
# is not number order (D-10 before D-2), and one whose number is the
# widest, on the fourth page (measured, then dropped), one whose
# revision is the widest, on the last (measured as read); 1,234
# certificates of acme's own (two pages), which only it and the buying
# side see; bea's drawings, never released, acme does not
N=11345 S=1234
awk -v n=$N 'BEGIN { print "["; for (i = 1; i <= n; i++) printf "{\"file\": \"d.pdf\", \"doc\": \"D-%d\", \"type\": \"drawing\", \"title\": \"Drawing %d\"%s},\n", i, i, (i == 9999 ? ", \"rev\": \"REVISION-WIDEST\"" : "")
	print "{\"file\": \"d.pdf\", \"doc\": \"D-2000-WIDEST-NUMBER-OF-ALL\", \"type\": \"drawing\", \"title\": \"the widest\"}]" }' > drawings.json
awk -v n=$S 'BEGIN { print "["; for (i = 1; i <= n; i++) printf "%s{\"file\": \"c.csv\", \"doc\": \"COC-%d\", \"type\": \"coc\", \"name\": \"coc-%d.csv\"}\n", (i > 1 ? "," : ""), i, i
	print "]" }' > certs.json
ok "the buyer imports $((N + 1)) drawings" q --key bea.pem import drawings.json
ok "acme imports $S certificates" q --key sam.pem import certs.json
# what each should be shown: the numbers, in byte order
{ awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) print "D-" i; print "D-2000-WIDEST-NUMBER-OF-ALL" }'
  awk -v n=$S 'BEGIN { for (i = 1; i <= n; i++) print "COC-" i }'; } | LC_ALL=C sort > all.txt
awk -v n=$S 'BEGIN { for (i = 1; i <= n; i++) print "COC-" i }' | LC_ALL=C sort > acme.txt
check "  (the numbers expected: $((N + 1 + S)), and $S)" sh -c \
	"test \$(wc -l < all.txt) = $((N + 1 + S)) && test \$(wc -l < acme.txt) = $S"

# --numbers and --json: every document once, in order, across the seams
check "list --numbers: every document once, in byte order" sh -c 'q --key bea.pem list --numbers > got.txt && cmp got.txt all.txt'
check "  a supplier's: its own, and nothing of the buyer's" sh -c 'q --key sam.pem list --numbers > got.txt && cmp got.txt acme.txt'
check "  by type, the filter on every page" sh -c 'q --key bea.pem list --numbers --type coc > got.txt && cmp got.txt acme.txt'
check "list --json: the same documents, in the same order" sh -c \
	'q --key bea.pem list --json > list.json && python3 -c "import json; print(\"\n\".join(r[\"doc\"] for r in json.load(open(\"list.json\"))))" > got.txt && cmp got.txt all.txt'
# printed an item at a time, the array is the one json_dumps prints
# whole (two spaces an indent, keys sorted): as Python prints it
check "  one JSON array, laid out as the one printed whole" sh -c \
	'python3 -c "import json, sys; print(json.dumps(json.load(open(\"list.json\")), indent=2, sort_keys=True, ensure_ascii=False))" > whole.json && cmp list.json whole.json'
check "  a supplier's: its own certificates, each one once" sh -c \
	'q --key sam.pem list --json > s.json && python3 -c "import json; print(\"\n\".join(r[\"doc\"] for r in json.load(open(\"s.json\"))))" > got.txt && cmp got.txt acme.txt'
check "  no document: [] (as before)" sh -c 'test "$(q --key sam.pem list --json --type drawing)" = "[]"'

# the table: a header, a row each, every column as wide as its widest
# cell, the number's on the fourth page, the revision's on the last
check "list: a header and one row a document, in order" sh -c \
	'q --key bea.pem list > table.txt && sed 1d table.txt | cut -d" " -f1 > got.txt && cmp got.txt all.txt && head -n 1 table.txt | grep -q "^DOC  *REV  *TYPE  *STATE  *TITLE$"'
# aligned: COLUMN starts where the header has it, two spaces after the
# column before, on every row
aligned() { awk -v c="$1" 'NR == 1 { t = index($0, c) } substr($0, t - 2, 2) != "  " || substr($0, t, 1) == " " { bad++ } END { exit bad > 0 || t == 0 }' table.txt; }
W=D-2000-WIDEST-NUMBER-OF-ALL
check "  REV two spaces after the widest number" sh -c "head -n 1 table.txt | awk '{ exit index(\$0, \"REV\") != $(( ${#W} + 3 )) }'"
check "  every row's REV there" aligned REV
check "  TYPE two spaces after the widest revision" sh -c "head -n 1 table.txt | awk '{ exit index(\$0, \"TYPE\") != $(( ${#W} + 2 + 15 + 3 )) }'"
check "  every row's TYPE, STATE and TITLE under theirs" eval "aligned TYPE && aligned STATE && aligned TITLE"

# the API: pages of at most 1000, chained by Link until a short one
need_curl
BUY=$(tok --user bea)
SAM=$(tok --user sam)
serve_start
# pages TOKEN QUERY: follow the Link of each answer from ?QUERY; every
# document into pages.txt, each page's count into counts.txt
pages() {
	: > pages.txt; : > counts.txt
	p="documents${2:+?$2}"
	while [ -n "$p" ]; do
		api 200 GET "$p" "$1" || return 1
		python3 -c 'import json; d = json.load(open("body.json")); print("\n".join(r["doc"] for r in d))' | sed '/^$/d' >> pages.txt
		python3 -c 'import json; print(len(json.load(open("body.json"))))' >> counts.txt
		link=$(tr -d '\r' < headers.txt | sed -n 's/^[Ll]ink: <?\(.*\)>; rel="next"$/\1/p')
		p=${link:+documents?$link}
	done
}
ok "GET documents: the pages read, Link after Link" pages "$BUY" ""
check "  every document once, in order" cmp pages.txt all.txt
# counts TOTAL LIMIT: the pages' counts, as counts.txt should have them
counts() { awk -v t="$1" -v l="$2" 'BEGIN { for (; t >= l; t -= l) printf "%d ", l; printf "%d ", t }'; }
check "  1000 a page, then the rest, and no Link after the short one" sh -c \
	"test \"\$(tr '\n' ' ' < counts.txt)\" = \"$(counts $((N + 1 + S)) 1000)\""
ok "  (a limit of 700)" pages "$BUY" "limit=700"
check "  pages of 700, every document once" sh -c \
	"cmp pages.txt all.txt && test \"\$(tr '\n' ' ' < counts.txt)\" = \"$(counts $((N + 1 + S)) 700)\""
ok "  (a supplier's, 500 at a time, by type)" pages "$SAM" "limit=500&type=coc"
check "  its own certificates, three pages, the filter kept in each Link" sh -c \
	"cmp pages.txt acme.txt && test \"\$(tr '\n' ' ' < counts.txt)\" = \"500 500 $((S - 1000)) \""
ok "  (a page that ends the list exactly)" pages "$SAM" "limit=617"
check "  is followed by an empty one, then no Link" sh -c \
	"cmp pages.txt acme.txt && test \"\$(tr '\n' ' ' < counts.txt)\" = \"617 617 0 \""
ok "after= a number that is not one: the documents after it" api 200 GET "documents?after=D-2000-&limit=2" "$BUY"
check "  D-2000-WIDEST-NUMBER-OF-ALL, then D-2001" is "[r['doc'] for r in d]" "['D-2000-WIDEST-NUMBER-OF-ALL', 'D-2001']"
refused 400 "^limit '0' is not from 1 to 1000$" "limit=0 refused" GET "documents?limit=0" "$BUY"
refused 400 "^limit '1001' is not from 1 to 1000$" "limit=1001 refused" GET "documents?limit=1001" "$BUY"
refused 400 "^limit '-5' is not from 1 to 1000$" "a negative limit refused" GET "documents?limit=-5" "$BUY"
refused 400 "^limit '7x' is not from 1 to 1000$" "a limit that is not a number refused" GET "documents?limit=7x" "$BUY"
openapi_check "every answer matches schemas/openapi.json"

done_testing
