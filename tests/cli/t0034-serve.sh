#!/bin/sh
# qvault serve: the HTTP/JSON API, driven with curl on loopback.  Tokens
# authenticate; reads answer as the token's user sees the vault; writes go
# through the writer process, signed by the server for that user; every
# refusal is a JSON error with its status and leaves the vault as it was.
. "$(dirname "$0")/lib.sh"

# the API's description (schemas/openapi.json) holds together, and has
# every route of serve_routes[] and no other
ROUTES="$TESTS_DIR/../../cli/serve_routes.c"
openapi_check "schemas/openapi.json parses, its \$refs resolve, it documents serve_routes[]" \
	--document "$ROUTES"
sed 's|^\t{ NULL, NULL|\t{ "GET", "widgets/{}", 0, get_widget },\n&|' "$ROUTES" > routes.c
openapi_refuses '^GET /api/v1/widgets/\{\} is in serve_routes\[\] but not in openapi.json$' \
	"  a route it does not document fails that check" --document routes.c

need_curl

vault_v sam:acme zed:zenith
# the buyer of the owner's organization (the tester is of acme, sam's)
add_buyer bea
make_pdf a.pdf A
make_pdf b.pdf B
q --key bea.pem release DWG-1 --rev A a.pdf --to acme > /dev/null
q --key bea.pem release DWG-Z --rev A b.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:10:DWG-1@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
SAM_W=$(tok --user sam --scope write)
SAM_R=$(tok --user sam)
BUY=$(tok --user bea)
ZED=$(tok --user zed)
q --key "$TMP/admin.pem" token revoke "$(echo "$ZED" | cut -d_ -f2)" > /dev/null

check "serve refuses an address off this machine (exit 2)" \
	evalq '! q serve --listen 0.0.0.0:8080 2> err; [ $? ] && grep -q "is not a loopback address" err'
q serve --listen 0.0.0.0:8080 2> /dev/null
check "  with the usage exit code" test $? = 2
fails 2 "--socket-group goes with --socket" "--socket-group without a socket: a usage error" \
	q serve --listen 127.0.0.1:0 --socket-group root
fails 2 "--socket-group 'no-such-group' is not a group" "--socket-group of no group: a usage error" \
	q serve --socket "$TMP/x.sock" --socket-group no-such-group

serve_start
check "serve says where it listens, on loopback" evalq "echo '$URL' | grep -q '^http://127.0.0.1:[0-9]*/api/v1/$'"

check "no token: 401, a JSON error" evalq 'api 401 GET documents && error "^invalid token$"'
check "  with WWW-Authenticate: Bearer" \
	evalq "api 401 GET documents && grep -qi '^WWW-Authenticate: Bearer' headers.txt"
check "a malformed token: the same answer" evalq 'api 401 GET documents "qvt_nope" && error "^invalid token$"'
check "a token with a wrong secret: the same answer" \
	evalq "api 401 GET documents '$(echo "$SAM_R" | cut -d_ -f1,2)_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' && error '^invalid token$'"
check "a revoked token: the same answer" evalq "api 401 GET documents '$ZED' && error '^invalid token$'"

# a token past its last day: a second serve whose clock runs two days
# ahead (libfaketime), against a token that expires today
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
if [ -r "$FAKETIME_LIB" ]; then
	EXP=$(tok --user sam --expires "$(date -u +%Y-%m-%d)")
	check "a token that expires today is answered today" \
		evalq "api 200 GET documents '$EXP' && is 'd[0][\"doc\"]' DWG-1"
	LD_PRELOAD=$FAKETIME_LIB FAKETIME=+2d ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		q serve --listen 127.0.0.1:0 > late.out 2> late.err &
	LATE=$!
	serve_wait late.out
	api_init "$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' late.out)"
	check "  two days on (a serve whose clock is ahead), a token of no expiry is answered" \
		evalq "api 200 GET documents '$SAM_R' && is 'd[0][\"doc\"]' DWG-1"
	check "  and the expired one gets 401, the same answer as any bad token" \
		evalq "api 401 GET documents '$EXP' && error '^invalid token\$'"
	kill "$LATE"
	wait "$LATE" 2> /dev/null
	check "  that serve stopped cleanly, with nothing on its stderr but the root warning" \
		evalq "! grep -v 'warning: serving as root' late.err"
	api_init "$URL"
else
	_skip "no libfaketime (scripts/deps installs faketime)"
fi

check "a supplier lists the documents released to it" \
	evalq "api 200 GET documents '$SAM_R' && is 'len(d)' 1 && is 'd[0][\"doc\"]' DWG-1"
check "another organization's document is 404, as one that does not exist" \
	evalq "api 404 GET documents/DWG-Z '$SAM_R' && error \"^no document 'DWG-Z'\$\" &&
	       api 404 GET documents/DWG-NONE '$SAM_R' && error \"^no document 'DWG-NONE'\$\""
check "the buyer sees both" \
	evalq "api 200 GET documents '$BUY' && grep -q DWG-Z body.json && grep -q DWG-1 body.json"
check "a revision, as show --json gives it" \
	evalq "api 200 GET documents/DWG-1/A '$SAM_R' && is 'd[\"state\"]' released"
# (body.json holds whatever came back)
check "a file comes back byte for byte" \
	evalq "api 200 GET documents/DWG-1/A/files/1 '$SAM_R' && cmp body.json a.pdf"
SUM=$(sha256sum a.pdf | cut -d' ' -f1)
check "  its ETag is its SHA-256; If-None-Match answers 304" \
	evalq "grep -qi '^ETag: \"$SUM\"' headers.txt &&
	       api 304 GET documents/DWG-1/A/files/1 '$SAM_R' -H 'If-None-Match: \"$SUM\"'"
SIZE=$(wc -c < a.pdf)
# rng STATUS ARGS: a ranged download (body.json, headers.txt), logged for the OpenAPI check
rng() { st=$1; shift; api "$st" GET documents/DWG-1/A/files/1 "$SAM_R" "$@"; }
check "a range of the file: 206, those bytes, Content-Range" \
	evalq "rng 206 -H 'Range: bytes=10-19' && grep -qi '^Content-Range: bytes 10-19/$SIZE' headers.txt &&
	       dd if=a.pdf bs=1 skip=10 count=10 2>/dev/null | cmp - body.json"
check "  an open range and a suffix range" \
	evalq "rng 206 -H 'Range: bytes=5-' && tail -c +6 a.pdf | cmp - body.json &&
	       rng 206 -H 'Range: bytes=-7' && tail -c 7 a.pdf | cmp - body.json"
check "  a range past the end: 416 with the size, a JSON error" \
	evalq "rng 416 -H 'Range: bytes=$SIZE-' && grep -qi '^Content-Range: bytes \\*/$SIZE' headers.txt &&
	       error 'has $SIZE bytes'"
check "  several ranges, another unit, or If-Range of another version: the whole file (200)" \
	evalq "rng 200 -H 'Range: bytes=0-1,5-6' && cmp body.json a.pdf &&
	       rng 200 -H 'Range: items=0-1' && cmp body.json a.pdf &&
	       rng 200 -H 'Range: bytes=0-1' -H 'If-Range: \"0000\"' && cmp body.json a.pdf &&
	       rng 206 -H 'Range: bytes=0-1' -H 'If-Range: \"$SUM\"'"
check "  curl resumes a cut download (-C -) to the same bytes" \
	evalq "head -c 100 a.pdf > resumed.pdf &&
	       curl -s -C - -H 'Authorization: Bearer $SAM_R' -o resumed.pdf '${URL}documents/DWG-1/A/files/1' &&
	       cmp resumed.pdf a.pdf"
check "a trace of the supplier's lot" evalq "api 200 GET lots/L-1 '$SAM_R' && grep -q PO-1 body.json"
check "another supplier's lot is 404" evalq "api 404 GET lots/L-1 '$(tok --user zed)' && error \"^no lot 'L-1'\$\""
check "a PO is po show's (t0038 has the rest)" \
	evalq "api 200 GET pos/PO-1 '$SAM_R' && is 'd[\"lines\"][0][\"part\"]' PN-1 && is 'd[\"state\"]' open"
check "  its trace is pos/PO/trace" evalq "api 200 GET pos/PO-1/trace '$SAM_R' && is 'd[\"lots\"][0][\"lot\"]' L-1"
check "  another supplier's PO is 404, its trace too" \
	evalq "api 404 GET pos/PO-1 '$(tok --user zed)' && error \"^no PO 'PO-1'\$\" &&
	       api 404 GET pos/PO-1/trace '$(tok --user zed)' && error \"^no PO 'PO-1'\$\""

make_pdf c.pdf C
before=$(snapshot)
check "a read token may not write: 403" \
	evalq "api 403 POST 'documents/COC-1?type=coc&name=coc.pdf' '$SAM_R' -H 'Content-Type: application/octet-stream' --data-binary @c.pdf && error 'may only read'"
check "an upload that does not match its SHA-256: 400" \
	evalq "api 400 POST 'documents/COC-1?type=coc&name=coc.pdf' '$SAM_W' -H 'Content-Type: application/octet-stream' --data-binary @c.pdf -H 'X-Content-SHA256: $SUM' && error 'does not match its SHA-256'"
check "an upload without its type or name: 400" \
	evalq "api 400 POST 'documents/COC-1' '$SAM_W' -H 'Content-Type: application/octet-stream' --data-binary @c.pdf && error 'type and file name'"
git -C v config qvault.maxUpload 16
check "an upload over the vault's limit: 413" \
	evalq "api 413 POST 'documents/COC-1?type=coc&name=coc.pdf' '$SAM_W' -H 'Content-Type: application/octet-stream' --data-binary @c.pdf && error 'over this vault.s limit'"
git -C v config --unset qvault.maxUpload
check "a path with .. (even encoded): 404" \
	evalq "api 404 GET 'documents/DWG-1/..' '$SAM_R' --path-as-is && api 404 GET 'documents/DWG-1/%2E%2E' '$SAM_R'"
check "an encoded slash stays in its name, one name no document has: 404" \
	evalq "api 404 GET 'documents/..%2F..%2Fetc' '$SAM_R' && error \"no document '../../etc'\""
check "  an encoded NUL is never decoded into a name (no NUL reaches a C string): 404" \
	evalq "api 404 GET 'documents/DWG-1%00.pdf' '$SAM_R' && error \"no document 'DWG-1%00.pdf'\""
check "a method the API does not take: 405" evalq "api 405 DELETE documents/DWG-1 '$SAM_W'"
check "a form or JSON body is not a file: 415" \
	evalq "api 415 POST 'documents/COC-1?type=coc&name=coc.pdf' '$SAM_W' -F 'file=@c.pdf' && error 'application/octet-stream' &&
	       api 415 POST 'documents/COC-1?type=coc&name=coc.pdf' '$SAM_W' -H 'Content-Type: application/json' --data-binary @c.pdf"
head -c 3000000 /dev/urandom > big.bin
check "no token: 401 as soon as the headers are in, the body never taken" \
	evalq "api 401 POST 'documents/COC-1?type=coc&name=coc.pdf' '' -H 'Content-Type: application/octet-stream' --data-binary @big.bin"
check "  nor spooled: no upload left in the vault's folder" evalq "! ls v/qvault | grep -q upload"
check "a file number is digits only: files/+1 is 404" evalq "api 404 GET 'documents/DWG-1/A/files/+1' '$SAM_R'"
check "  and 'bearer', lower case, is the scheme still (RFC 9110)" \
	evalq "api 200 GET documents '' -H 'Authorization: bearer $SAM_R'"
check "  and none of these wrote anything" test "$before" = "$(snapshot)"

# answers and tokens are kept for the vault's version: a write drops them
check "a supplier's list, asked twice, is the same answer (the second one kept)" \
	evalq "api 200 GET documents '$SAM_R' && cp body.json first.json &&
	       api 200 GET documents '$SAM_R' && cmp body.json first.json"
check "  another supplier asking the same path gets its own view, not the kept one" \
	evalq "api 200 GET documents '$(tok --user zed)' && ! cmp -s body.json first.json &&
	       is 'd[0][\"doc\"]' DWG-Z"
SAM_X=$(tok --user sam)
check "a token used a moment ago and then revoked is refused at once: 401" \
	evalq "api 200 GET documents '$SAM_X' && api 200 GET documents '$SAM_X' &&
	       q --key '$TMP/admin.pem' token revoke \$(echo '$SAM_X' | cut -d_ -f2) > /dev/null &&
	       api 401 GET documents '$SAM_X' && error '^invalid token$'"
C_SUM=$(sha256sum c.pdf | cut -d' ' -f1 | tr a-f A-F) # upper case hex is the same sum
check "a supplier uploads a CoC with a write token: 201" \
	evalq "api 201 POST 'documents/COC-1?type=coc&name=coc.pdf&lot=L-1' '$SAM_W' -H 'Content-Type: application/octet-stream' --data-binary @c.pdf -H 'X-Content-SHA256: $C_SUM' &&
	       is 'd[\"doc\"]' COC-1 && is 'd[\"added_by\"]' sam"
check "  one commit, signed by the server for sam" \
	evalq "git -C v log -1 --format='%an %B' | grep -q '^sam add COC-1@A' &&
	       git -C v log -1 --format=%B | grep -qx 'Qvault-On-Behalf-Of: sam'"
q keys allowed-signers > signers
check "  which stock git verifies" \
	git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$TMP/signers" verify-commit HEAD
check "  and qvault verify finds nothing wrong" q verify
check "  its bytes read back" \
	evalq "api 200 GET documents/COC-1/A/files/1 '$SAM_R' && cmp body.json c.pdf"
check "  and the supplier's list, kept before the upload, now shows it" \
	evalq "api 200 GET documents '$SAM_R' && grep -q '\"doc\": \"COC-1\"' body.json"

check "the change feed pages: one event after a cursor" \
	evalq "api 200 GET 'events?limit=1' '$BUY' && N=\$(field 'd[\"next\"]') &&
	       api 200 GET \"events?after=\$N&limit=1\" '$BUY' && is 'len(d[\"events\"])' 1 &&
	       ! is 'd[\"events\"][0][\"commit\"]' \"\$N\" 2> /dev/null"
check "  the supplier's feed shows its own upload and not another's release" \
	evalq "api 200 GET 'events?limit=1000' '$SAM_R' && grep -q 'add COC-1@A' body.json && lacks DWG-Z"
check "  an unknown cursor: 400" evalq "api 400 GET 'events?after=nope' '$SAM_R' && error \"no event 'nope'\""
# feed_walk TOKEN: the feed read a page of PAGE at a time, cursor to
# cursor, gives the commits of the whole feed read at once, in order
commits() { python3 -c 'import json; [print(e["commit"]) for e in json.load(open("body.json"))["events"]]'; }
feed_walk() {
	c="" ; : > walk.txt
	while api 200 GET "events?limit=$PAGE${c:+&after=$c}" "$1" && [ "$(field 'len(d["events"])')" != 0 ]; do
		commits >> walk.txt
		c=$(field 'd["next"]')
	done
	api 200 GET 'events?limit=1000' "$1" && commits > all.txt && [ -s all.txt ] && cmp walk.txt all.txt
}
PAGE=1 check "  read one at a time, the buyer's feed is the whole feed" feed_walk "$BUY"
PAGE=1 check "  and the supplier's, its own feed" feed_walk "$SAM_R"
PAGE=3 check "  three at a time, the same" feed_walk "$SAM_R"
check "  at the end, an empty page with the same cursor" \
	evalq "api 200 GET 'events?limit=1000' '$SAM_R' && N=\$(field 'd[\"next\"]') &&
	       api 200 GET \"events?after=\$N\" '$SAM_R' && is 'len(d[\"events\"])' 0 && is 'd[\"next\"]' \"\$N\""
check "  a page of none: 400" evalq "api 400 GET 'events?limit=0' '$SAM_R' && error 'limit .0. is not from 1 to 1000'"

# serve starts with stdin, stdout and stderr of its own, and the writer
# ignores the SIGTERM and SIGINT a group gets: it ends when serve does
check "the writer lives through a SIGTERM to it (it ends when the HTTP side closes)" \
	evalq "kill -TERM $WRITER && sleep 0.3 && kill -0 $WRITER && api 200 GET documents '$SAM_R'"
# (the index's files change as serve's connections close: the history is compared)
before=$(git -C v for-each-ref; find v/objects -type f | LC_ALL=C sort)
kill -KILL "$WRITER"
wait "$SERVE"
check "with its writer gone, serve stops (exit 1), for its supervisor to start both again" \
	test $? = 1
check "  saying why" grep -q "^qvault: the writer ended (signal 9); stopping$" serve.err
check "  and the vault's history is as it was" \
	evalq "[ \"\$(git -C v for-each-ref; find v/objects -type f | LC_ALL=C sort)\" = \"\$before\" ] && q verify > /dev/null"
serve_start
check "  started again, it answers" evalq "api 200 GET documents '$SAM_R'"

i=0
# ten 401s on a server started afresh, then 429s
while [ $i -lt 10 ]; do api 401 GET documents qvt_bad 2> /dev/null; i=$((i + 1)); done
check "ten failed authentications from one address: then 429" \
	evalq "api 429 GET documents '$SAM_R' && error 'too many failed authentications'"
check "  over loopback TCP no X-Forwarded-For is believed: claiming another address is still 429" \
	evalq "api 429 GET documents '$SAM_R' -H 'X-Forwarded-For: 198.51.100.9' &&
	       error 'too many failed authentications'"

kill "$SERVE"
wait "$SERVE"
check "SIGTERM ends it cleanly (exit 0)" test $? = 0

q serve --socket "$TMP/api.sock" > sock.out 2>&1 &
SERVE=$!
i=0
while [ ! -S "$TMP/api.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
api_init http://qvault/api/v1/ --unix-socket "$TMP/api.sock"
check "on a Unix socket too" evalq "api 200 GET documents '$BUY' && grep -q DWG-1 body.json"
check "  which only this user and its group may open (0660): nginx's, with --socket-group" \
	evalq "[ \"\$(stat -c %a '$TMP/api.sock')\" = 660 ]"
i=0
while [ $i -lt 10 ]; do
	api 401 GET documents qvt_bad -H 'X-Forwarded-For: 192.0.2.1'
	i=$((i + 1))
done
check "  behind nginx, one client's failed logins (X-Forwarded-For) lock out that client only" \
	evalq "api 429 GET documents '$BUY' -H 'X-Forwarded-For: 192.0.2.1' &&
	       api 200 GET documents '$BUY' -H 'X-Forwarded-For: 192.0.2.2'"
kill "$SERVE"
wait "$SERVE"
check "  which it removes when it ends" test ! -e "$TMP/api.sock"

openapi_check "every API response matches schemas/openapi.json"
# the check can fail: a revision of this run without its commit, a status
# the route does not answer, a type it does not send, a path it lacks
grep '^GET	/api/v1/documents/DWG-1/A	200	application/json	' api.log | head -n 1 > one.log
sed '/"commit"/d' "$(cut -f5 one.log)" > no-commit.json
printf 'GET\t/api/v1/documents/DWG-1/A\t200\tapplication/json\t%s\n' "$TMP/no-commit.json" > bad.log
openapi_refuses "GET /api/v1/documents/DWG-1/A 200: the body does not match .*revision: 'commit' is a required property" \
	"  a 200 body without a required field fails it" bad.log
printf 'GET\t/api/v1/events\t418\tapplication/json\t%s\n' "$(cut -f5 one.log)" > bad.log
openapi_refuses 'status 418 is not documented for GET /api/v1/events' \
	"  so does an undocumented status" bad.log
printf 'GET\t/api/v1/documents/DWG-1/A\t200\ttext/html\t%s\n' "$(cut -f5 one.log)" > bad.log
openapi_refuses 'Content-Type text/html, documented: application/json' \
	"  and another content type" bad.log
printf 'GET\t/api/v1/widgets\t200\tapplication/json\t%s\n' "$(cut -f5 one.log)" > bad.log
openapi_refuses 'GET /api/v1/widgets: no such path in openapi.json' \
	"  and a path it does not have" bad.log
openapi_refuses '^no answers to check' "  and an empty log" /dev/null

done_testing
