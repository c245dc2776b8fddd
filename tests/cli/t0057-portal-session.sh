#!/bin/sh
# The portal's sessions over time (issue 19): a session ends after --idle
# minutes unused, and a logout ends it at once; a login opens a new one
# and ends the old.  No browser: tests/portal-client.py answers as a
# browser and its passkey do.  libfaketime moves serve's clock, read from
# a file it rereads, so that half an hour passes in a moment.
. "$(dirname "$0")/lib.sh"

need_curl
# the multithreaded one: serve has threads
LIBFAKETIME=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2> /dev/null | head -n 1)
if [ -z "$LIBFAKETIME" ] || ! python3 -c 'import cryptography' 2> /dev/null; then
	_skip "no libfaketime or python3-cryptography (scripts/deps installs them)"
	done_testing
	exit 0
fi
pc() { python3 "$TESTS_DIR/../portal-client.py" "$@"; }

vault_v sam:acme
add_buyer bea
printf "ISO-10303-21;\nHEADER;\nFILE_NAME('bracket');\nENDSEC;\nDATA;\n#1=POINT(1.0);\nENDSEC;\nEND-ISO-10303-21;\n" > a.stp
q --key bea.pem release DWG-1 --rev A a.stp --to acme > /dev/null
PORT=$(free_port)
ORIGIN="http://localhost:$PORT"
enroll_link pat acme supplier > /dev/null
echo "+0" > clock
# (under ASan, libfaketime loads before its runtime: its order is not checked)
LD_PRELOAD="$LIBFAKETIME" FAKETIME_TIMESTAMP_FILE="$TMP/clock" FAKETIME_NO_CACHE=1 \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" q serve --listen "127.0.0.1:$PORT" --origin "$ORIGIN" --idle 30 > serve.out 2> serve.err &
SERVE=$!
trap 'kill $SERVE 2> /dev/null; wait 2> /dev/null; sanitizer_reports; rm -rf "$TMP"' EXIT
serve_wait serve.out

page() { curl -s -o page.html -w '%{http_code}' -H "Cookie: __Host-qvault=$1" "$ORIGIN/inbox"; }
ok "pat enrolls a passkey through the portal" pc enroll "$ORIGIN" "$(sed -n 's/^  //p' enroll.out)" pat
pc login "$ORIGIN" pat pat > s1
S1=$(head -n 1 s1)
check "a session opens at login and shows the inbox" evalq '[ "$(page "$S1")" = 200 ] && grep -q "<h1>Inbox" page.html'
echo "+29m" > clock
check "  29 minutes later (used, under --idle 30) it still does" evalq '[ "$(page "$S1")" = 200 ]'
echo "+58m" > clock
check "  29 minutes after its last use it still does" evalq '[ "$(page "$S1")" = 200 ]'
echo "+89m" > clock
check "  31 minutes unused, it has ended: the page sends the browser to /login" \
	evalq '[ "$(page "$S1")" = 303 ]'
pc login "$ORIGIN" pat pat > s2
S2=$(head -n 1 s2)
check "a new login opens a new session" evalq '[ "$(page "$S2")" = 200 ]'
pc login "$ORIGIN" pat pat > s3
S3=$(head -n 1 s3)
check "  each login a session of its own, never one the browser brought" \
	evalq '[ "$(page "$S3")" = 200 ] && [ "$S3" != "$S2" ]'
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: __Host-qvault=$S3" -H "Origin: $ORIGIN" \
	-H 'Content-Type: application/x-www-form-urlencoded' --data "csrf=$(tail -n 1 s3)" "$ORIGIN/logout")
check "logging out answers 303 to /login and ends the session at once" \
	evalq '[ "$code" = 303 ] && [ "$(page "$S3")" = 303 ]'
# ---- what a review found -------------------------------------------------------
# a flood of logins asked for other names takes no one's challenge
pc login "$ORIGIN" pat pat > s4
S4=$(head -n 1 s4)
CSRF4=$(tail -n 1 s4)
check "a flood of 300 logins asked for other names does not undo pat's login under way" \
	python3 - "$TESTS_DIR/../portal-client.py" "$ORIGIN" "$TMP/pat" <<'PY'
import importlib.util, json, sys, urllib.request
spec = importlib.util.spec_from_file_location("pc", sys.argv[1])
pc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pc)
base, key = sys.argv[2], sys.argv[3]
web = pc.Opener(base)
o, _ = web.post("/login/options", {"name": "pat"})
for i in range(300):
    req = urllib.request.Request(base + "/login/options", method="POST",
        data=json.dumps({"name": "x%d" % i}).encode(),
        headers={"Content-Type": "application/json", "Origin": base})
    try:
        urllib.request.urlopen(req).read()
    except urllib.error.HTTPError as e:
        if e.code != 503:
            sys.exit("login/options for x%d: %d" % (i, e.code))
a = pc.assertion(base, key, o["challenge"])
a["name"] = "pat"
web.post("/login", a)
PY
# a value in two pieces, the cut inside a character
check "a form's value that comes in two pieces, cut inside a character, is kept whole" \
	python3 - "$PORT" "$S4" "$CSRF4" "$ORIGIN" <<'PY'
import socket, sys, time
port, sid, csrf, origin = sys.argv[1:5]
body = ("csrf=%s&doc=COC-X&type=coc&title=M%%C3" % csrf).encode()
rest = b"%BCller"
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(("POST /upload HTTP/1.1\r\nHost: localhost\r\nCookie: __Host-qvault=%s\r\n"
           "Origin: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Content-Length: %d\r\nConnection: close\r\n\r\n" % (sid, origin, len(body) + len(rest))).encode() + body)
time.sleep(0.5)
s.sendall(rest)
page = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    page += b
sys.exit(0 if 'value="Müller"'.encode() in page else "the title came back as: %r" % page[-600:])
PY
snapshot > before.txt
printf 'first\n' > f1.txt
printf 'SECOND\n' > f2.txt
code=$(curl -s -o body.json -w '%{http_code}' -H "Cookie: __Host-qvault=$S4" -H "Origin: $ORIGIN" \
	-F "csrf=$CSRF4" -F doc=COC-T1 -F type=coc -F file=@f1.txt -F other=@f2.txt "$ORIGIN/upload")
check "a form with two files is refused, nothing recorded of either" \
	evalq '[ "$code" = 400 ] && grep -q "holds two files" body.json && snapshot > after.txt && cmp -s before.txt after.txt'

# a page is kept for its session while the vault does not move, but it
# shows ages, which move with the clock: one used for a day and an hour,
# every 29 minutes, shows the revision's age of a day
pc login "$ORIGIN" pat pat > s5
S5=$(head -n 1 s5)
age() { page "$S5" > /dev/null && sed -n 's|.*DWG-1@A</a></td>.*<td>\([0-9]*\)</td></tr>.*|\1|p' page.html; }
check "a page kept for its session shows the revision released to acme as 0 days old" \
	evalq '[ "$(age)" = 0 ]'
m=89
while [ $m -lt $((89 + 25 * 60)) ]; do
	m=$((m + 29))
	echo "+${m}m" > clock
	page "$S5" > /dev/null
done
check "  a day and an hour later, the same session's page is made again: 1 day old" \
	evalq '[ "$(age)" = 1 ]'

done_testing
