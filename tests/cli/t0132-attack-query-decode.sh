#!/bin/sh
# Attacks on serve_query's decoding of "%2F" and "%25" in query arguments
# (ad06b76): every query argument of the API and the portal may now carry
# a literal '/' or '%'.  As a hostile supplier (sam of acme, with a write
# token) and a buyer (bea, write token): '/', '..', %2F..%2F, lowercase
# %2f, %252F (the literal text "%2F"), %25, a trailing %2, %2G, mixed
# escapes, in every argument of every route.  Where a '/' or '%' is not
# allowed (file names, organizations, dates, types, markings, meanings,
# numbers) the answer is a 400 with a one-line message and the vault is
# unchanged (git refs and files); where a name may hold one (document,
# revision, PO, lot and part numbers, titles, comments) it names exactly
# that, once decoded; the CLI answers the same value the same way; no
# upload's name makes a file outside its revision's files/ folder, in the
# git tree or anywhere on disk (helper-105's attack, turned into a test).
# And two older bugs it found: add --json failed (exit 1, nothing printed)
# after recording the revision; a lot's name was put in the evidence
# bundle's Content-Disposition unquoted, which a '"' and a ';' in it broke
# into another parameter.
. "$(dirname "$0")/lib.sh"

need_curl

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf a.pdf A
make_pdf b.pdf B
make_pdf c.pdf C
q --key bea.pem release DWG-1 --rev C c.pdf --to acme > /dev/null
q --key bea.pem release DWG-P --rev A a.pdf --to acme --part PN/1 > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key bea.pem po add 4500/10 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key bea.pem po add PO-Z --supplier zenith --line PN-9:50:DWG-1@C > /dev/null 2>&1
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 > /dev/null
q --key sam.pem lot add L/2 --po 4500/10 --part PN-1 --qty 30 > /dev/null
SAM=$(tok --user sam --scope write)
BEA=$(tok --user bea --scope write)
serve_start
F='-H Content-Type:application/octet-stream'

# api1: api, and the error (if any) is one line
api1() {
	api "$@" && python3 -c 'import json,sys
e = json.load(open("body.json")).get("error", "")
sys.exit("the error is %d lines" % (e.count("\n") + 1) if "\n" in e else 0)'
}
# refused1 STATUS PATTERN DESC METHOD PATH TOKEN [CURL ARG...]: refused, one line, vault unchanged
refused1() { refused_as api1 "$@"; }
# recorded DESC METHOD PATH TOKEN [CURL ARG...]: 201 and one new commit
recorded() {
	rd=$1; shift
	h0=$(git -C v rev-parse HEAD)
	if ! api 201 "$@" 2> "$TMP/.err"; then
		_fail "$rd" "$(cat "$TMP/.err")"
	elif [ "$(git -C v rev-parse HEAD~1)" != "$h0" ]; then
		_fail "$rd" "not one new commit"
	else
		_pass "$rd"
	fi
}
# up DOC NAME-ARG [MORE]: the upload's path, a coc of sam's
up() { echo "documents/$1?type=coc&name=$2${3:+&$3}"; }

# ==== an upload's file name (POST documents/DOC?type=T&name=N) =====================
for nm in 'a%2Fb.pdf' '..%2F..%2Fx.pdf' 'x%2F..%2F..%2Fy.pdf' 'x%2f..%2fy.pdf' '%2e%2e%2Fx.pdf' \
	'%2Fetc%2Fpasswd' 'a%5Cb.pdf' 'a%2%2Fb.pdf' 'ok%2F' '%2F' '%2f%2f'; do
	refused1 400 "^file name '.*' contains a path separator$" "name=$nm (sam): 400, a path separator" \
		POST "$(up COC-1 "$nm")" "$SAM" $F --data-binary @b.pdf
done
refused1 400 "^file name '\.\.%2F' starts with '\.'$" "name=..%252F: the literal ..%2F, which starts with '.'" \
	POST "$(up COC-1 '..%252F')" "$SAM" $F --data-binary @b.pdf
refused1 400 "^file name '\.\./x\.pdf' contains a path separator$" "name=..%2Fx.pdf as the buyer: 400" \
	POST "documents/DWG-9?type=other&name=..%2Fx.pdf" "$BEA" $F --data-binary @b.pdf
refused1 400 "contains a path separator" "release name=..%2F..%2Fb.pdf (buyer): 400" \
	POST "documents/DWG-1/D/release?to=acme&name=..%2F..%2Fb.pdf" "$BEA" $F --data-binary @b.pdf

# a '%' is a file name's own: the name as decoded once, left to right
# named DOC NAME-ARG STORED: the upload is recorded, its one file named STORED
named() {
	nd=$1 ns=$3
	recorded "name=$2: 201, the file named '$3'" POST "$(up "$1" "$2")" "$SAM" $F --data-binary @b.pdf
	check "  named '$3' in the answer and in the tree, under $1/A/files/" evalq '
		is "d[\"files\"][0][\"name\"]" "$ns" &&
		git -C v ls-tree -r --name-only main | grep -qxF "docs/$(dir_of "$nd")/$nd/A/files/$ns"'
}
named COC-2 'a%252Fb.pdf' 'a%2Fb.pdf'
named COC-3 'a%25.pdf' 'a%.pdf'
named COC-4 'a%2' 'a%2'
named COC-5 'a%2G.pdf' 'a%2G.pdf'
named COC-6 'a%25%32%46b.pdf' 'a%2Fb.pdf'
named COC-7 'a%2500.pdf' 'a%00.pdf'
named COC-8 '%25%25%2525' '%%%25'
check "  its download's Content-Disposition: the '%' encoded, no other parameter" evalq '
	api 200 GET "documents/COC-2/A/files/1" "$SAM" && tr -d "\r" < headers.txt |
	grep -qxF "Content-Disposition: attachment; filename=\"a_2Fb.pdf\"; filename*=UTF-8'"''"'a%252Fb.pdf"'
# the CLI: the same names, the same answers
fails 1 "^qvault: .*file name 'a/b.pdf' contains a path separator" "CLI: add --name a/b.pdf, the same refusal" \
	q --key sam.pem add b.pdf --doc COC-9 --type coc --name a/b.pdf
fails 1 "^qvault: .*file name '\.\./\.\./x\.pdf' contains a path separator" "CLI: add --name ../../x.pdf, the same" \
	q --key sam.pem add b.pdf --doc COC-9 --type coc --name ../../x.pdf
check "CLI: add --name 'a%2Fb.pdf' stores the name the API stored for name=a%252Fb.pdf" evalq '
	q --key sam.pem add b.pdf --doc COC-9 --type coc --name "a%2Fb.pdf" > /dev/null &&
	q --key sam.pem show COC-9@A --json > cli.json && [ "$(jq -r ".files[0].name" cli.json)" = "a%2Fb.pdf" ]'
# add --json: the revision it recorded, exit 0 (failed after the commit before)
check "CLI: add --json prints the revision it recorded and exits 0" evalq '
	q --key sam.pem add b.pdf --doc COC-J --type coc --json > j.json && [ "$(jq -r .doc j.json)" = COC-J ]'
# settle: serve reads once after the CLI wrote (its SQLite shared memory, index.db-shm, catches up)
settle() { api 200 GET 'documents?limit=1' "$SAM"; }
settle

# ==== an upload's other arguments =================================================
refused1 400 "^unknown document type 'coc/\.\.'" "type=coc%2F..: 400" \
	POST "documents/COC-10?type=coc%2F..&name=c.pdf" "$SAM" $F --data-binary @b.pdf
refused1 404 "^no PO 'PO-1/\.\./PO-Z'$" "po=PO-1%2F..%2FPO-Z: one PO number, no such PO" \
	POST "$(up COC-10 c.pdf 'po=PO-1%2F..%2FPO-Z')" "$SAM" $F --data-binary @b.pdf
refused1 404 "^no PO 'PO-Z'$" "  (control: zenith's PO-Z is no PO to sam)" \
	POST "$(up COC-10 c.pdf 'po=PO-Z')" "$SAM" $F --data-binary @b.pdf
refused1 404 "^no lot '\.\./\.\./users'$" "lot=..%2F..%2Fusers: one lot number, no such lot" \
	POST "$(up COC-10 c.pdf 'lot=..%2F..%2Fusers')" "$SAM" $F --data-binary @b.pdf
refused1 400 "^expiry date '2099/01/01' is not a date" "expires=2099%2F01%2F01: 400" \
	POST "$(up COC-10 c.pdf 'expires=2099%2F01%2F01')" "$SAM" $F --data-binary @b.pdf
refused1 400 "^review date '2099-01-01/' is not a date" "review_by=2099-01-01%2F: 400" \
	POST "$(up COC-10 c.pdf 'review_by=2099-01-01%2F')" "$SAM" $F --data-binary @b.pdf
refused1 400 "^certificate data: line 1: end of file expected near '/'" "meta=%7B%7D%2F (the JSON {}/): 400, as add --meta refuses it" \
	POST "documents/MTR-1?type=material-cert&name=m.pdf&meta=%7B%7D%2F" "$SAM" $F --data-binary @b.pdf
recorded "po=4500%2F10: the PO 4500/10 (acme's)" POST "$(up COC-10 c.pdf 'po=4500%2F10')" "$SAM" $F --data-binary @b.pdf
check "  attached to PO 4500/10" evalq 'q --key sam.pem trace po 4500/10 --json | grep -q "COC-10"'
recorded "lot=L%2F2: the lot L/2" POST "$(up COC-11 c.pdf 'lot=L%2F2')" "$SAM" $F --data-binary @b.pdf
check "  attached to lot L/2" evalq 'q --key sam.pem trace lot L/2 --json | grep -q "COC-11"'
recorded "rev=R%2F1&title=a%2Fb%25c: revision R/1, title a/b%c" \
	POST "$(up COC-12 c.pdf 'rev=R%2F1&title=a%2Fb%25c')" "$SAM" $F --data-binary @b.pdf
check "  stored at COC-12/R%2F1 (the name encoded: one folder), titled a/b%c" evalq '
	is "d[\"rev\"]" R/1 && is "d[\"title\"]" "a/b%c" &&
	git -C v ls-tree -r --name-only main | grep -qxF "docs/$(dir_of COC-12)/COC-12/R%2F1/files/c.pdf"'
refused1 400 "^revision '\.\.' is a path's step" "rev=%2e%2e: 400" \
	POST "$(up COC-13 c.pdf 'rev=%2e%2e')" "$SAM" $F --data-binary @b.pdf
fails 1 "revision '\.\.' is a path's step" "CLI: add --rev .., the same" \
	q --key sam.pem add b.pdf --doc COC-13 --type coc --rev ..
settle

# ==== a release's arguments (the buyer) ===========================================
rel() { echo "documents/DWG-2/A/release?to=${1}&name=b.pdf${2:+&$2}"; }
refused1 400 "^organization 'acme/\.\./zenith' contains '/'$" "to=acme%2F..%2Fzenith: 400" \
	POST "$(rel 'acme%2F..%2Fzenith')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^organization 'zenith/' contains '/'$" "to=acme,zenith%2F: 400" \
	POST "$(rel 'acme,zenith%2F')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^organization 'acme%' contains '%'" "to=acme%25: 400" \
	POST "$(rel 'acme%25')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^organization 'acme%2F' contains '%'" "to=acme%252F: the literal acme%2F, 400" \
	POST "$(rel 'acme%252F')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^unknown document type 'drawing/'" "type=drawing%2F: 400" \
	POST "$(rel acme 'type=drawing%2F')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^effective date '2099/01/01' is not a date" "effective=2099%2F01%2F01: 400" \
	POST "$(rel acme 'effective=2099%2F01%2F01')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^unknown marking 'EAR/'" "marking=EAR%2F: 400" \
	POST "$(rel acme 'marking=EAR%2F')" "$BEA" $F --data-binary @b.pdf
refused1 400 "^'5A002/\.\.' is no ECCN" "marking=EAR:5A002%2F..: 400" \
	POST "$(rel acme 'marking=EAR:5A002%2F..')" "$BEA" $F --data-binary @b.pdf
refused1 403 "buyer" "a supplier's release, however encoded: 403" \
	POST "$(rel 'acme%2F..')" "$SAM" $F --data-binary @b.pdf
fails 1 "^qvault: organization 'acme/\.\./zenith' contains '/'$" "CLI: release --to acme/../zenith, the same" \
	q --key bea.pem release DWG-2 --rev A b.pdf --to acme/../zenith
settle
recorded "part=PN%2F1,Q%252F&reason=ECN%2F7%25: parts PN/1 and Q%2F, reason ECN/7%" \
	POST "$(rel acme 'part=PN%2F1,Q%252F&reason=ECN%2F7%25')" "$BEA" $F --data-binary @b.pdf
check "  the parts and the reason as decoded once" evalq '
	q --key bea.pem show DWG-2@A --json > s.json &&
	[ "$(jq -c .parts s.json)" = "[\"PN/1\",\"Q%2F\"]" ] && grep -q "ECN/7%" s.json'

# ==== reads: the arguments a supplier names ========================================
r() { refused1 "$@"; }
r 400 "^organization 'zenith/\.\./acme' contains '/'$" "pos?supplier=zenith%2F..%2Facme (sam): 400" GET 'pos?supplier=zenith%2F..%2Facme' "$SAM"
r 400 "^organization '%' contains '%'" "pos?supplier=%25: 400" GET 'pos?supplier=%25' "$BEA"
r 400 "^open '1/' is not 1 or 0$" "pos?open=1%2F: 400" GET 'pos?open=1%2F' "$SAM"
r 404 "^no PO 'PO-1/\.\./PO-Z'$" "asns?po=PO-1%2F..%2FPO-Z: no such PO" GET 'asns?po=PO-1%2F..%2FPO-Z' "$SAM"
check "asns?po=4500%2F10: PO 4500/10's notices (none)" evalq 'api 200 GET "asns?po=4500%2F10" "$SAM" && is "d" "[]"'
r 400 "^format 'csv/' is not json or csv$" "asns?format=csv%2F: 400" GET 'asns?format=csv%2F' "$SAM"
r 400 "^organization 'acme/\.\.' contains '/'$" "asns?format=csv&org=acme%2F..: 400" GET 'asns?format=csv&org=acme%2F..' "$BEA"
r 400 "^organization '\.\./zenith' contains '/'$" "status?org=..%2Fzenith: 400" GET 'status?org=..%2Fzenith' "$SAM"
r 400 "^format 'json%' is not json or csv$" "status?format=json%25: 400" GET 'status?format=json%25' "$SAM"
r 400 "^organization '%2F' contains '%'" "ncrs?org=%252F: the literal %2F, 400" GET 'ncrs?org=%252F' "$BEA"
r 400 "^organization 'zenith/' contains '/'$" "audit?org=zenith%2F (sam): 400" GET 'audit?org=zenith%2F' "$SAM"
r 400 "^no event 'abc/\.\.' to go on after$" "events?after=abc%2F..: 400" GET 'events?after=abc%2F..' "$SAM"
r 400 "^limit '5/' is not from 1 to 1000$" "events?limit=5%2F: 400" GET 'events?limit=5%2F' "$SAM"
r 400 "^organization 'acme/' contains '/'$" "scorecard?org=acme%2F: 400" GET 'scorecard?org=acme%2F' "$BEA"
r 400 "date '2026/01/01' is not a date" "scorecard?from=2026%2F01%2F01: 400" GET 'scorecard?from=2026%2F01%2F01' "$BEA"
r 400 "date '2026-01-01%' is not a date" "scorecard?to=2026-01-01%25: 400" GET 'scorecard?to=2026-01-01%25' "$BEA"
r 400 "^organization 'acme/' contains '/'$" "forecasts?supplier=acme%2F: 400" GET 'forecasts/PN-1?supplier=acme%2F' "$SAM"
r 400 "^ship-to 'P/1' contains '/'$" "forecasts?ship_to=P%2F1: 400" GET 'forecasts/PN-1?ship_to=P%2F1' "$SAM"
r 400 "^today '2026/11/30' is not a date" "forecasts?today=2026%2F11%2F30: 400" GET 'forecasts/PN-1?today=2026%2F11%2F30' "$SAM"
r 400 "^days '3/' is not a number of days" "inbox?days=3%2F: 400" GET 'inbox?days=3%2F' "$SAM"
r 400 "^days '%' is not a number of days" "inbox?days=%25: 400" GET 'inbox?days=%25' "$SAM"
r 400 "^unknown document type 'drawing/'$" "documents?type=drawing%2F: 400" GET 'documents?type=drawing%2F' "$SAM"
r 400 "^limit '1/' is not from 1 to 1000$" "documents?limit=1%2F: 400" GET 'documents?limit=1%2F' "$SAM"
r 404 "^no part '%2F'$" "documents?part=%252F: the literal %2F, no such part" GET 'documents?part=%252F' "$SAM"
r 404 "^no part '\.\./\.\.'$" "documents?part=..%2F..: no such part" GET 'documents?part=..%2F..' "$SAM"
check "documents?part=PN%2F1: the drawings of part PN/1" evalq '
	api 200 GET "documents?part=PN%2F1" "$SAM" && is "[x[\"doc\"] for x in d]" "['"'"'DWG-2'"'"', '"'"'DWG-P'"'"']"'
check "documents?part=PN%2f1 (lowercase): the same" evalq '
	api 200 GET "documents?part=PN%2f1" "$SAM" && is "[x[\"doc\"] for x in d]" "['"'"'DWG-2'"'"', '"'"'DWG-P'"'"']"'
r 400 "^unknown meaning 'received/\.\.'" "statement?meaning=received%2F..: 400" \
	GET 'documents/DWG-1/C/statement?meaning=received%2F..' "$SAM"
check "statement?comment=a%2Fb%25c%2Gd%2: the comment a/b%c%2Gd%2, nothing recorded" evalq '
	H=$(git -C v rev-parse HEAD) &&
	api 200 GET "documents/DWG-1/C/statement?meaning=rejected&comment=a%2Fb%25c%2Gd%2" "$SAM" &&
	is "json.loads(d[\"statement\"])[\"predicate\"][\"comment\"]" "a/b%c%2Gd%2" &&
	[ "$H" = "$(git -C v rev-parse HEAD)" ]'
check "statement?comment=%252F: the literal %2F" evalq '
	api 200 GET "documents/DWG-1/C/statement?meaning=rejected&comment=%252F" "$SAM" &&
	is "json.loads(d[\"statement\"])[\"predicate\"][\"comment\"]" "%2F"'
# the CLI: the same values, the same answers
fails 2 "^qvault: po list: --supplier 'zenith/\.\./acme' contains '/'" "CLI: po list --supplier zenith/../acme, the same" \
	q --key sam.pem po list --supplier zenith/../acme
fails 2 "^qvault: audit: --org 'zenith/' contains '/'" "CLI: audit --org zenith/, the same" \
	q --key sam.pem audit --org zenith/
fails 1 "^qvault: no PO 'PO-1/\.\./PO-Z'$" "CLI: asn list --po PO-1/../PO-Z, the same" \
	q --key sam.pem asn list --po PO-1/../PO-Z
fails 1 "^qvault: no part '%2F'$" "CLI: list --part %2F, the same" q --key sam.pem list --part %2F
fails 2 "^qvault: forecast show: --ship-to 'P/1' contains '/'" "CLI: forecast show --ship-to P/1, the same" \
	q --key sam.pem forecast show --part PN-1 --ship-to P/1
fails 2 "^qvault: scorecard: --from '2026/01/01' is not a date" "CLI: scorecard --from 2026/01/01, the same" \
	q --key bea.pem scorecard --from 2026/01/01

# ==== an FAI package's PO and lot ===================================================
fai_pkg FAIR-1 6.0
r 404 "^no PO 'PO-1/\.\./PO-Z'$" "fai?po=PO-1%2F..%2FPO-Z: no such PO" POST 'fai?po=PO-1%2F..%2FPO-Z' "$SAM" $F --data-binary @fai.zip
r 404 "^no lot '\.\./\.\./users'$" "fai?lot=..%2F..%2Fusers: no such lot" POST 'fai?lot=..%2F..%2Fusers' "$SAM" $F --data-binary @fai.zip

# ==== what the uploads left ========================================================
check "the tree: every file of a revision under DOC/REV/files/, one name deep, no '..'" evalq '
	git -C v ls-tree -r --name-only main > tree.txt &&
	! grep -E "(^|/)\.\.?(/|$)" tree.txt &&
	! grep "/files/" tree.txt | grep -vE "^docs/[0-9a-f]{2}/[0-9a-f]{2}/[^/]+/[^/]+/files/[^/]+$"'
# (serve without --user spools in the vault's qvault/ folder, inside $TMP, as unnamed O_TMPFILE files)
check "no file named as a refused upload on disk (the vault, its spool, the test's folder)" evalq '
	[ -z "$(find "$TMP" -newer a.pdf \( -name x.pdf -o -name y.pdf -o -name passwd -o -name "*%2F*" \
		-o -name "*/*" -o -name "scratch-*" \) ! -path "$TMP/api/*" 2> /dev/null)" ]'
check "qvault verify: the vault is sound" q verify
check "serve still answers" api 200 GET 'documents?limit=1' "$SAM"

# ==== the portal ==================================================================
if command -v curl > /dev/null && /usr/bin/python3 -c 'import cryptography' 2> /dev/null; then
	WA="/usr/bin/python3 $TESTS_DIR/../webauthn.py"
	ORIGIN=http://localhost:8443
	q --key sam.pem lot add 'x.exe"; x="' --po PO-1 --part PN-1 --qty 1 > /dev/null
	portal_users pat:acme:supplier bix:owner:buyer
	login bix 1
	check "portal: documents?page=1%2F and page=2%25: the first page" evalq '
		web 200 GET "documents?page=1%2F" && grep -q "DWG-1" body.json &&
		web 200 GET "documents?page=2%25" && grep -q "DWG-1" body.json'
	frefused_get() { web "$1" GET "$2"; }
	form_refused_as frefused_get alert 400 "^organization 'acme/' contains '/'$" \
		"portal: scorecard?org=acme%2F: 400, said" "scorecard?org=acme%2F"
	check "portal: scorecard?org=%3Cb%3Ex%2F: said, escaped" evalq '
		web 400 GET "scorecard?org=%3Cb%3Ex%2F" && lacks "<b>x" &&
		alert | grep -q "organization .<b>x/. contains"'
	form_refused_as frefused_get alert 404 "no revision 'A/\.\.'" \
		"portal: changes?from=A%2F..: no such revision" "documents/DWG-1/C/changes?from=A%2F.."
	form_refused_as frefused_get alert 400 "^ship-to 'P/1' contains '/'$" \
		"portal: forecasts?ship_to=P%2F1: 400" "forecasts/PN-1?ship_to=P%2F1"
	# the form's fields are decoded whole as the query's now are: lot=L%2F2 is L/2
	check "portal: an NCR form's lot=L%2F2 names lot L/2 (as the query's lot=L%2F2 does)" evalq '
		{ rawform 000 ncrs "lot=L%2F2&reason=bent" 2> /dev/null; true; } &&
		git -C v log -1 --format=%s | grep -qx "ncr add NCR-[0-9]* on lot L/2"'
	# a lot's name in the bundle's Content-Disposition: quoted (serve_disposition)
	check "portal: export/lot of a lot named with a '\"': one filename parameter, no other" evalq '
		web 200 GET "export/lot/x.exe%22%3B%20x%3D%22" &&
		grep -i "^content-disposition:" headers.txt | tr -d "\r" |
			grep -qx "Content-Disposition: attachment; filename=\"[^\";]*\"\(; filename\*=[^\";]*\)\?"'
else
	_skip "the portal: no python3-cryptography"
fi

done_testing
