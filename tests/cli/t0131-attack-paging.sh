#!/bin/sh
# Attack on GET /api/v1/documents?limit=&after= and its Link header, as
# a hostile supplier with an API token and as a peer who picks document
# numbers (helper-104's, turned into a test).  A page lists only what the
# viewer may see (other organizations' documents, unreleased revisions,
# marked revisions without an attestation stay out, whatever `after` and
# `limit` are); no header comes through type, part or after; bad limits
# are refused; long and non-UTF-8 values do not crash serve.  And a
# number holding '/' or '%' pages as any other: the Link encodes them as
# %2F and %25, which serve decodes in query arguments (serve_query) as it
# does in the path; before, the cursor "X%2F..." repeated documents,
# looped a client following Link forever (1000 numbers sharing "Z/" at
# the default limit) or skipped some (a '%' before a byte below '2'), and
# part=P%2F1 was no part.
. "$(dirname "$0")/lib.sh"

LATER=$(date -u -d '+400 days' +%Y-%m-%d)
vault_v sam:acme eve:acme ray:rival
add_buyer bea
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
make_pdf a.pdf "a"
make_pdf b.pdf "b"
make_text c.csv

# ---- what each may see --------------------------------------------------------
ok "DWG-1 A released to acme" q --key bea.pem release DWG-1 --rev A a.pdf --to acme
ok "DWG-X A (ITAR) released to acme" q --key bea.pem release DWG-X --rev A a.pdf --to acme --marking ITAR
ok "DWG-R A released to rival only" q --key bea.pem release DWG-R --rev A a.pdf --to rival
ok "DWG-U: the buyer's, never released" q --key bea.pem add a.pdf --doc DWG-U --type drawing
ok "DWG-3 A released to acme" q --key bea.pem release DWG-3 --rev A a.pdf --to acme
ok "  DWG-3 B not released" q --key bea.pem add b.pdf --doc DWG-3 --rev B --type drawing
ok "DWG-4 A released to acme" q --key bea.pem release DWG-4 --rev A a.pdf --to acme
ok "  DWG-4 B released to acme, ITAR" q --key bea.pem release DWG-4 --rev B b.pdf --to acme --marking ITAR
ok "COC-R: rival's own" q --key ray.pem add c.csv --doc COC-R --type coc
ok "COC-A: acme's own" q --key sam.pem add c.csv --doc COC-A --type coc
# numbers that percent-encode: '/', '%', '+', a space, UTF-8
ok "DWG/5 released to acme" q --key bea.pem release "DWG/5" --rev A a.pdf --to acme
ok "DWG%6 released to acme" q --key bea.pem release "DWG%6" --rev A a.pdf --to acme
ok "DWG+7, 'DWG 8', DWG-é9 released to acme" sh -c '
	q --key bea.pem release "DWG+7" --rev A a.pdf --to acme > /dev/null &&
	q --key bea.pem release "DWG 8" --rev A a.pdf --to acme > /dev/null &&
	q --key bea.pem release "DWG-é9" --rev A a.pdf --to acme > /dev/null'
ok "COC/A: acme's own, numbered with a '/'" q --key sam.pem add c.csv --doc "COC/A" --type coc
# a '%' then a byte below '2': the cursor "SP%25!" sorts after "SP%1"
ok "specs SP%! and SP%1 (the buyer's)" sh -c '
	q --key bea.pem add a.pdf --doc "SP%!" --type spec > /dev/null &&
	q --key bea.pem add b.pdf --doc "SP%1" --type spec > /dev/null'
# a part number with a '/'
ok "drawings M-1, M-2 of part P/1 (the buyer's)" sh -c '
	q --key bea.pem add a.pdf --doc M-1 --type drawing --part P/1 > /dev/null &&
	q --key bea.pem add b.pdf --doc M-2 --type drawing --part P/1 > /dev/null'
# '+', a space, UTF-8 through the Link: drawings of part Q-1
ok "drawings E+1, 'E 2', E-é3 of part Q-1 (the buyer's)" sh -c '
	q --key bea.pem add a.pdf --doc "E+1" --type drawing --part Q-1 > /dev/null &&
	q --key bea.pem add a.pdf --doc "E 2" --type drawing --part Q-1 > /dev/null &&
	q --key bea.pem add b.pdf --doc "E-é3" --type drawing --part Q-1 > /dev/null'
# 1000 certificates of acme's numbered Z/0000..Z/0999 (type other)
awk 'BEGIN { print "["; for (i = 0; i < 1000; i++) printf "%s{\"file\": \"c.csv\", \"doc\": \"Z/%04d\", \"type\": \"other\", \"name\": \"z-%d.csv\"}\n", (i ? "," : ""), i, i; print "]" }' > z.json
ok "acme imports 1000 documents numbered Z/0000..Z/0999" q --key sam.pem import z.json
for u in bea sam eve ray; do q --key $u.pem list --numbers > $u.txt; done
check "  (eve sees neither DWG-X, DWG-R, DWG-U nor COC-R; sam sees DWG-X)" sh -c '
	! grep -qx -e DWG-X -e DWG-R -e DWG-U -e COC-R eve.txt && grep -qx DWG-X sam.txt &&
	! grep -qx -e DWG-X -e COC-A ray.txt && grep -qx COC-R ray.txt'

need_curl
BEA=$(tok --user bea); SAM=$(tok --user sam); EVE=$(tok --user eve); RAY=$(tok --user ray)
serve_start
export URL BEA SAM EVE RAY

# follow.py TOKEN QUERY [MAXPAGES]: follow the Link from documents?QUERY;
# prints every document number, one a line; exits 3 if still linked after
# MAXPAGES (default 100) pages, 4 on a status but 200
cat > follow.py <<'PY'
import json, os, re, sys, urllib.request, urllib.error
tok, q = sys.argv[1], sys.argv[2]
most = int(sys.argv[3]) if len(sys.argv) > 3 else 100
p = q
for n in range(most):
	req = urllib.request.Request(os.environ["URL"] + "documents" + ("?" + p if p else ""),
				     headers={"Authorization": "Bearer " + tok})
	try:
		r = urllib.request.urlopen(req)
	except urllib.error.HTTPError as e:
		print("page %d (?%s): %d %s" % (n + 1, p, e.code, e.read().decode()), file=sys.stderr)
		sys.exit(4)
	for d in json.load(r):
		print(d["doc"])
	link = r.headers.get("Link")
	if not link:
		sys.exit(0)
	m = re.fullmatch(r'<\?([^>]*)>; rel="next"', link)
	p = m.group(1)
print("still a Link after %d pages: %s" % (most, link), file=sys.stderr)
sys.exit(3)
PY

# ---- the cursor of a number with '/' or '%' ----------------------------------------
check "after=COC%2FA (COC/A encoded, as the Link says): the document after COC/A, DWG 8" evalq '
	api 200 GET "documents?limit=1&after=COC%2FA" "$EVE" && is "len(d)" 1 && is "d[0][\"doc\"]" "DWG 8"'
check "eve, 3 a page, Link after Link: her documents once each, and an end" sh -c '
	python3 follow.py "$EVE" "limit=3" 1000 > got.txt && cmp got.txt eve.txt'
check "the buyer, 1000 a page (the default): an end, every document once (1000 numbered Z/...)" sh -c '
	python3 follow.py "$BEA" "" 20 > got.txt && cmp got.txt bea.txt'
check "acme, its own 1000 of type other, 1000 a page: an end, each once" sh -c '
	python3 follow.py "$SAM" "type=other" 20 > got.txt && grep "^Z/" sam.txt | cmp - got.txt'
check "specs, 1 a page: SP%1 not skipped after SP%!" sh -c '
	python3 follow.py "$BEA" "limit=1&type=spec" 10 > got.txt && printf "SP%%!\nSP%%1\n" | cmp - got.txt'
check "part=P%2F1 (P/1 encoded): the part's drawings" evalq '
	api 200 GET "documents?part=P%2F1" "$BEA" && is "[r[\"doc\"] for r in d]" "['"'"'M-1'"'"', '"'"'M-2'"'"']"'
check "part P/1, 1 a page: page two found (not 404 for part P%2F1)" sh -c '
	python3 follow.py "$BEA" "limit=1&part=P/1" 10 > got.txt && printf "M-1\nM-2\n" | cmp - got.txt'

# ---- the rest ----------------------------------------------------------------------
check "qvault list (the library's cursor, unencoded): every number once, in byte order" sh -c '
	test $(wc -l < bea.txt) -gt 1000 && LC_ALL=C sort -u bea.txt | cmp - bea.txt'
check "part Q-1, 1 a page: '+', a space and UTF-8 survive the Link" sh -c '
	python3 follow.py "$BEA" "limit=1&part=Q-1" 10 > got.txt && printf "E 2\nE+1\nE-\303\2513\n" | cmp - got.txt'
# a page lists only what the viewer may see ---------------------------------
# every viewer, every limit of 1, 2, 3, 1000, `after` every number in the
# vault, hidden ones included, and neighbours of each (no '/' or '%' in
# them, which the cases above cover): exactly the viewer's own documents
# after it, and a Link exactly when the page is full
cat > probe.py <<'PY'
import json, os, sys, urllib.request, urllib.parse
url = os.environ["URL"]
names = [l.rstrip("\n") for l in open("bea.txt")]
probes = {""}
for n in names:
	if n.startswith("Z/") and n != "Z/0000":
		continue
	probes.update([n, n[:-1], n + "\x01", n + "0", n[:3], n[:-1] + chr(ord(n[-1]) - 1)])
probes = sorted(p for p in probes if "/" not in p and "%" not in p)
bad = 0
for who in ["eve", "sam", "ray", "bea"]:
	tok = os.environ[who.upper()]
	vis = [l.rstrip("\n") for l in open(who + ".txt")]
	for a in probes:
		for lim in [1, 2, 3, 1000]:
			q = "limit=%d&after=%s" % (lim, urllib.parse.quote(a, safe=""))
			r = urllib.request.urlopen(urllib.request.Request(url + "documents?" + q,
					headers={"Authorization": "Bearer " + tok}))
			got = json.load(r)
			exp = [d for d in vis if d.encode() > a.encode()][:lim]
			link = r.headers.get("Link")
			if [d["doc"] for d in got] != exp or (link is not None) != (len(exp) == lim):
				bad += 1
				print(who, repr(a), lim, [d["doc"] for d in got], exp, link, file=sys.stderr)
			for d in got:
				if who == "eve" and (d["doc"] == "DWG-X" or (d["doc"] == "DWG-4" and d["rev"] != "A")):
					bad += 1
				if who != "bea" and d["doc"] == "DWG-3" and d["rev"] != "A":
					bad += 1
sys.exit(bad > 0)
PY
check "after and limit probed: each viewer's own documents, nothing else, Link iff full" python3 probe.py

# ---- no header through type, part, after; limits refused -------------------------
check "after=CR LF Set-Cookie: no Set-Cookie, a Link of URL characters only" evalq '
	api 200 GET "documents?limit=1&after=%0D%0ASet-Cookie:%20x=1%0D%0A" "$EVE" &&
	! grep -qi "^set-cookie" headers.txt &&
	tr -d "\r" < headers.txt | grep -Eq "^Link: <\?limit=1&after=[A-Za-z0-9%._~-]+>; rel=\"next\"$"'
refused 400 "unknown document type" "type=CR LF ...: refused, no header" GET "documents?type=drawing%0D%0AX:%20y" "$EVE"
refused 400 "." "part=CR LF ...: refused" GET "documents?part=P%0D%0AX:%20y" "$EVE"
for l in "%2B5" "+5" "%205" "0x10" "1e3" "5.0" "-0" "%00" "5%00" "%0D%0A5" "18446744073709551617" "99999999999999999999999" "%E2%80%8B5"; do
	refused 400 "is not from 1 to 1000|a malformed request" "limit=$l refused" GET "documents?limit=$l" "$EVE"
done
refused 400 "has no value" "limit with no value refused" GET "documents?limit" "$EVE"
check "limit=05: five, and a Link that says limit=5" evalq '
	api 200 GET "documents?limit=05" "$EVE" && is "len(d)" 5 && grep -q "^Link: <?limit=5&" headers.txt'
check "after=%FF%FE (not UTF-8): 200, the documents after it (none)" evalq '
	api 200 GET "documents?after=%FF%FE" "$EVE" && is "len(d)" 0'
check "after=%00: 200" api 200 GET "documents?limit=1&after=%00" "$EVE"
A=$(head -c 60000 /dev/zero | tr '\0' Z)
check "after of 60,000 bytes: 200, no crash" api 200 GET "documents?after=$A" "$EVE"
check "  type and part of 60,000 bytes: 400" evalq '
	api 400 GET "documents?type=$A" "$EVE" && api 400 GET "documents?part=$A" "$EVE"'
check "serve still answers" api 200 GET "documents?limit=1" "$EVE"

done_testing
