#!/bin/sh
# TLS in front of `qvault serve`: Debian's nginx, started on 127.0.0.1 with
# a throwaway certificate and the server block we ship (deploy/nginx.conf,
# its port, certificate and socket swapped for the test's), proxies to
# serve's Unix socket; curl talks to it through TLS only.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$NGINX" ] || ! command -v curl > /dev/null || ! command -v openssl > /dev/null; then
	_skip "no nginx, curl or openssl (scripts/deps installs them)"
	done_testing
	exit 0
fi

vault_v sam:acme
add_buyer bea
make_pdf a.pdf A
q --key bea.pem release DWG-1 --rev A a.pdf --to acme > /dev/null
SAM=$(q --key "$TMP/admin.pem" token create --user sam --scope write 2>/dev/null)

q serve --socket "$TMP/api.sock" > serve.out 2>&1 &
SERVE=$!
i=0
while [ ! -S "$TMP/api.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

nginx_start 127.0.0.1 "$TMP/api.sock" -e 's|client_max_body_size 2g;|client_max_body_size 64k;|'
check "nginx takes the shipped server block" kill -0 "$NGX"

URL="https://127.0.0.1:$TLS/api/v1"
api_init "$URL/" --cacert cert.pem
# evalq SCRIPT: SCRIPT run in this shell, where api is
evalq() { eval "$1"; }
check "through TLS, a supplier's token lists what was released to it" \
	evalq "api 200 GET documents '$SAM' && grep -q '\"DWG-1\"' body.json"
check "  over TLS 1.2 or later only: TLS 1.1 is refused" \
	sh -c "! curl -s -o /dev/null --cacert cert.pem --tls-max 1.1 '$URL/documents'"
check "  with HSTS on every answer" \
	evalq "api 401 GET documents && grep -qi '^strict-transport-security: max-age=' headers.txt"
check "  and HTTP/2 offered" \
	sh -c "curl -s -o /dev/null -w '%{http_version}' --http2 --cacert cert.pem -H 'Authorization: Bearer $SAM' '$URL/documents' | grep -qx 2"
check "no token through nginx: qvault's own 401, a JSON error" \
	evalq "api 401 GET documents && grep -q 'invalid token' body.json"
make_pdf c.pdf C
check "an upload goes through to the writer: 201" \
	evalq "api 201 POST 'documents/COC-1?type=coc&name=c.pdf' '$SAM' -H 'Content-Type: application/octet-stream' --data-binary @c.pdf"
check "  recorded, signed by the server for sam" \
	sh -c "git -C v log -1 --format=%B | grep -qx 'Qvault-On-Behalf-Of: sam'"
head -c 100000 /dev/urandom > big.bin
check "a body over nginx's limit is refused before qvault: 413, a JSON error as qvault's" \
	evalq "api 413 POST 'documents/X-1?type=coc&name=x.pdf' '$SAM' -H 'Content-Type: application/octet-stream' --data-binary @big.bin && grep -q 'over the limit of this server' body.json"
printf 'X-Long: %s\n' "$(head -c 20000 /dev/zero | tr '\0' a)" > long.h
check "headers over nginx's limit: 431, a JSON error, and nginx goes on" \
	sh -c "[ \"\$(curl -s -o body.json -w '%{http_code}' --http1.1 --cacert cert.pem -H @long.h '$URL/documents')\" = 431 ] &&
	       jq -e '.error | test(\"headers are too large\")' body.json > /dev/null &&
	       [ \"\$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -H 'Authorization: Bearer $SAM' '$URL/documents')\" = 200 ]"
# qvault refuses a post without a token as soon as its headers come; if it
# answered then, it would close the connection on the body it did not
# read, and nginx, still sending it, would answer 502 (about one in six
# here, before the fix): each of these must be qvault's own answer
head -c 60000 /dev/zero | tr '\0' a > body.txt
for i in $(seq 1 30); do
	curl -s -o /dev/null -w '%{http_code}\n' --cacert cert.pem -H 'Content-Type: application/octet-stream' \
		--data-binary @body.txt "$URL/documents/COC-2?type=coc&name=c.pdf"
done | sort | uniq -c > refusals.txt
check "30 posts of 60 KB without a token: each qvault's refusal (401, then 429), not nginx's 502" \
	evalq "! grep -v ' 401$' refusals.txt | grep -qv ' 429$' && grep -q ' 401$' refusals.txt ||
	       { cat refusals.txt >&2; false; }"
check "plain HTTP is sent to HTTPS" \
	sh -c "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' 'http://127.0.0.1:$PLAIN/api/v1/documents' | grep -q '^301 https://'"
check "a path outside /api/ is 404 at nginx" \
	sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem 'https://127.0.0.1:$TLS/etc/passwd')\" = 404 ]"

kill "$NGX" 2> /dev/null
wait "$NGX" 2> /dev/null
kill "$SERVE"
wait "$SERVE"
check "qvault serve ends cleanly" test $? = 0
check "the vault verifies" q verify
openapi_check "every API response matches schemas/openapi.json"

done_testing
