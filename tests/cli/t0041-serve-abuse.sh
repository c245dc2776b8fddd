#!/bin/sh
# qvault serve against clients that misbehave: one that trickles a byte
# at a time (headers or body), one that cuts its upload short, headers
# too large, a request line that is not HTTP, and a thousand connections
# at once.  Each gets its answer or is cut off; nothing is written; the
# server goes on answering everyone else.
. "$(dirname "$0")/lib.sh"

need_curl
CLIENT="python3 $TESTS_DIR/../serve-client.py"

vault_v sam:acme
make_pdf a.pdf A
q release DWG-1 --rev A a.pdf --to acme > /dev/null
SAM=$(q --key "$TMP/admin.pem" token create --user sam --scope write 2> /dev/null)

# a short timeout, so that a trickle is cut within seconds
serve_start --timeout 2
answers() { api 200 GET documents "$SAM" && grep -q '"doc": "DWG-1"' body.json; }

fails 2 "--timeout" "--timeout must be a number of seconds from 1" q serve --timeout 0

# headers a byte every half second: 80 bytes would take 40 seconds
printf 'GET /api/v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n' "$SAM" > slow.req
check "a client that trickles its headers is cut off (the timeout counts from the first byte)" \
	evalq "$CLIENT trickle 127.0.0.1 $PORT slow.req 0.5 > slow.out && grep -q '^cut after' slow.out"
check "  and the server answers others" answers

# a body a byte every half second after headers that came at once
printf 'POST /api/v1/documents/COC-1?type=coc&name=c.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nContent-Length: 200\r\n\r\n' "$SAM" > body.req
head -c 200 /dev/zero | tr '\0' x >> body.req
before=$(snapshot)
check "a client that trickles its body is cut off" \
	evalq "$CLIENT trickle 127.0.0.1 $PORT body.req 0.5 > slow.out && grep -q '^cut after' slow.out"
check "  nothing was written" test "$before" = "$(snapshot)"
check "  and the server answers others" answers

make_pdf c.pdf C
# an upload that says 5000 bytes and stops after the file's few
check "an upload cut short (fewer bytes than its Content-Length) records nothing" \
	evalq "{ printf 'POST /api/v1/documents/COC-1?type=coc&name=c.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\n' '$SAM'; cat c.pdf; } > cut.req &&
	       python3 -c 'import socket,sys; s=socket.create_connection((\"127.0.0.1\", $PORT)); s.sendall(open(\"cut.req\",\"rb\").read()); s.close()' &&
	       sleep 0.5 && test \"$before\" = \"\$(snapshot)\""
check "  and the server answers others" answers

printf 'X-Long: %s\n' "$(head -c 100000 /dev/zero | tr '\0' a)" > long.h
check "headers over 64 KiB: 431 (libmicrohttpd's own answer), nothing else held" \
	evalq "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H @long.h '${URL}documents')\" = 431 ]"
check "  and the server answers others" answers
check "a request line that is not HTTP: 400, and the server answers others" \
	evalq "printf 'HELLO THERE\r\n\r\n' > junk.req &&
	       python3 -c 'import socket; s=socket.create_connection((\"127.0.0.1\", $PORT)); s.sendall(open(\"junk.req\",\"rb\").read()); print(s.recv(100).split(b\"\\r\\n\")[0].decode())' | grep -q ' 400 ' &&
	       answers"

kill "$SERVE"
wait "$SERVE"
check "SIGTERM ends it cleanly" test $? = 0

# a thousand connections at once, at the default timeout
serve_start
check "1,000 connections at once: every one is answered, 200" \
	evalq "$CLIENT many 127.0.0.1 $PORT 1000 /api/v1/documents '$SAM' > many.out && cat many.out >&2 &&
	       [ \"\$(cat many.out)\" = '200 x1000' ]"
check "  and the server answers after them" answers
kill "$SERVE"
wait "$SERVE"
check "SIGTERM ends it cleanly" test $? = 0
check "the vault verifies" q verify
openapi_check "every API answer matches schemas/openapi.json"

done_testing
