#!/bin/sh
# qvault serve under attack: a supplier with read and write tokens probing
# another organization's records and acts beyond its role, malformed
# paths and bodies, a compromised HTTP side talking to the writer itself,
# and answers too large for the writer's socket.  Every refusal leaves the
# vault as it was; another organization's record answers exactly as one
# that does not exist; the writer goes on writing for everyone.
. "$(dirname "$0")/lib.sh"

if ! command -v curl > /dev/null || ! command -v python3 > /dev/null; then
	_skip "no curl or python3 (scripts/deps installs them)"
	done_testing
	exit 0
fi

vault_v sam:acme zed:zenith
add_buyer bea
make_pdf a.pdf A
make_pdf z.pdf Z
q --key bea.pem release DWG-1 --rev A a.pdf --to acme > /dev/null
q --key bea.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:50:DWG-1@A --line PN-2:5:DWG-1@A > /dev/null
q --key bea.pem po add PO-Z --supplier zenith --line PN-9:10:DWG-Z@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 --made 2099-01-10 > /dev/null
q --key zed.pem lot add LZ-1 --po PO-Z --part PN-9 --qty 10 --made 2099-01-10 > /dev/null
SAM=$(tok --user sam --scope write)
SAM_R=$(tok --user sam)
BEA=$(tok --user bea --scope write)

serve_start

J='-HContent-Type:application/json'
F='-HContent-Type:application/octet-stream'

# alike DESC METHOD THEIRS NONE TOKEN [CURL ARGS...]: the path THEIRS (of
# another organization's record) answers as the path NONE (of no such
# record) does, but for the record's name; the vault unchanged.  The names
# are the components where the two paths differ.
alike() {
	ad=$1 am=$2 theirs=$3 none=$4; shift 4
	before=$(api_state)
	api 000 "$am" "$theirs" "$@" 2> /dev/null
	a_status=$got a_body=$(cat body.json)
	api 000 "$am" "$none" "$@" 2> /dev/null
	n_status=$got n_body=$(cat body.json)
	names=$(python3 -c 'import re,sys; a=re.split("[/?&=]", sys.argv[1]); b=re.split("[/?&=]", sys.argv[2])
print(" ".join("%s %s" % (x, y) for x, y in zip(a, b) if x != y))' "$theirs" "$none")
	set -- $names
	while [ $# -ge 2 ]; do
		a_body=$(printf '%s' "$a_body" | sed "s/$1/NAME/g")
		n_body=$(printf '%s' "$n_body" | sed "s/$2/NAME/g")
		shift 2
	done
	if [ "$a_status" != "$n_status" ] || [ "$a_body" != "$n_body" ]; then
		_fail "$ad" "theirs: $a_status $a_body" "none: $n_status $n_body"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$ad" "the vault changed"
	else
		_pass "$ad"
	fi
}

# ---- the sides rule: another organization's record is one that does not exist
for p in documents/DWG-Z documents/DWG-Z/A documents/DWG-Z/A/files/1 documents/DWG-Z/A/trace \
	documents/DWG-Z/A/acks; do
	alike "GET $p (zenith's) answers as a document that does not exist" GET "$p" \
		"$(echo "$p" | sed 's/DWG-Z/DWG-Q/')" "$SAM_R"
done
for p in pos/PO-Z pos/PO-Z/acks pos/PO-Z/trace 'asns?po=PO-Z'; do
	alike "GET $p (zenith's) answers as a PO that does not exist" GET "$p" \
		"$(echo "$p" | sed 's/PO-Z/PO-Q/')" "$SAM_R"
done
alike "GET lots/LZ-1 (zenith's) answers as a lot that does not exist" GET lots/LZ-1 lots/LQ-1 "$SAM_R"
alike "GET fai/DWG-Z answers as no document" GET fai/DWG-Z fai/DWG-Q "$SAM_R"
alike "a statement to sign for zenith's revision: as for none" GET \
	documents/DWG-Z/A/statement documents/DWG-Q/A/statement "$SAM"
alike "acknowledging zenith's PO: as a PO that does not exist" POST pos/PO-Z/acks pos/PO-Q/acks \
	"$SAM" $J --data-binary '{"promise": "2099-12-01"}'
refused 404 "^(status 1: )?no PO 'PO-Z'$" "a status report on zenith's PO: as on none" \
	POST status "$SAM" $J --data-binary '{"po": "PO-Z", "status": "started"}'
refused 404 "^(status 1: )?no PO 'PO-Q'$" "  (on none)" \
	POST status "$SAM" $J --data-binary '{"po": "PO-Q", "status": "started"}'
alike "a certificate against zenith's lot: as against none" POST \
	'documents/COC-9?type=coc&name=c.pdf&lot=LZ-1' 'documents/COC-9?type=coc&name=c.pdf&lot=LQ-1' \
	"$SAM" $F --data-binary @a.pdf
check "the change feed shows sam none of zenith's events" \
	evalq "api 200 GET 'events?limit=1000' '$SAM_R' && lacks 'PO-Z\|DWG-Z\|LZ-1'"
ZC=$(git -C v log --format=%H --grep='PO-Z' | tail -1)
alike "the change feed after one of zenith's commits: as after none" GET "events?after=$ZC" \
	"events?after=0000000000000000000000000000000000000000" "$SAM_R"
refused 403 "own organization" "sam asks for zenith's scorecard: refused whatever the name" \
	GET 'scorecard?org=zenith' "$SAM_R"

# ---- beyond the role, the path, the body
refused 403 "may only read" "a read token may not upload" \
	POST 'documents/COC-1?type=coc&name=c.pdf' "$SAM_R" $F --data-binary @a.pdf
refused 403 "buyer" "a supplier may not release" \
	POST 'documents/DWG-1/B/release?to=acme&name=b.pdf' "$SAM" $F --data-binary @a.pdf
refused 403 "buyer|quality" "a supplier may not open an NCR against zenith's lot" \
	POST ncrs "$SAM" $J --data-binary '{"lot": "LZ-1", "reason": "x"}'
refused 404 "no document 'DWG-1/A'" "an encoded slash stays in its component: one name, no such document" \
	GET 'documents/DWG-1%2FA' "$SAM_R"
refused 404 "no such resource" "an encoded dot-dot is refused as a component" \
	GET 'documents/%2e%2e/DWG-1' "$SAM_R"
refused 404 "no document 'DWG-1%00x'" "an encoded NUL stays as it came, never a NUL in a name" \
	GET 'documents/DWG-1%00x' "$SAM_R"
refused 400 "separator|starts with '.'" "a file name with a path: 400" \
	POST 'documents/COC-1?type=coc&name=..%2Fx.pdf' "$SAM" $F --data-binary @a.pdf
refused 400 "duplicate" "duplicate keys in a body: 400" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-01", "promise": "2099-12-02"}'
refused 400 "unknown field 'token'" "a body naming the token: 400" \
	POST ncrs/NCR-1/close "$SAM" $J --data-binary '{"disposition": "scrap", "token": "x"}'
refused 400 "range|too big" "a huge quantity: 400" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-01", "qty": 99999999999999999999999}'
refused 400 "'line' must be a whole number" "a line as an object: 400" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-01", "line": {"n": 1}}'
refused 405 "not allowed" "PUT is no method of the API" PUT documents/DWG-1 "$SAM"
refused 415 "application/json" "a JSON route with a JSON Content-Type's look-alike: 415" \
	POST pos/PO-1/acks "$SAM" -H 'Content-Type: application/jsonx' --data-binary '{"promise": "2099-12-01"}'
cat > declared.py <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("POST /api/v1/pos/PO-1/acks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: %s\r\n\r\n" % (sys.argv[2], sys.argv[3])).encode())
print(s.recv(200).split(b"\r\n")[0].decode())
PY
PORT=$(echo "$URL" | sed 's|.*:\([0-9]*\)/.*|\1|')
check "a Content-Length over the JSON limit: 413 before any byte of the body" \
	evalq "python3 declared.py $PORT '$SAM' 4194305 | grep -q ' 413 '"

# ---- the writer's own copy of an upload is no business of the client's
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\076\000' > x.pdf
head -c 2000 /dev/urandom >> x.pdf
refused 400 "^file 'x.pdf' is application/x-executable" \
	"an executable sent as a certificate: named as sent, not as the writer's /proc/self/fd path" \
	POST 'documents/COC-1?type=coc&name=x.pdf' "$SAM" $F --data-binary @x.pdf
refused 400 "^file 'x.pdf' is application/x-executable" \
	"  and as a release: the same" \
	POST 'documents/DWG-1/B/release?to=acme&name=x.pdf' "$BEA" $F --data-binary @x.pdf

# ---- a compromised HTTP side: anything it sends the writer itself
# (pidfd_getfd: the HTTP side's end of the socketpair, as root may take it)
cat > writer.py <<'PY'
import array, ctypes, json, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
http, writer, what = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
try:
    pfd = os.pidfd_open(http)
except (AttributeError, OSError) as e:
    print("skip: %s" % e); sys.exit(0)
sock = None
for name in os.listdir("/proc/%d/fd" % http):
    fd = libc.syscall(438, pfd, int(name), 0)
    if fd < 0:
        print("skip: pidfd_getfd: %s" % os.strerror(ctypes.get_errno())); sys.exit(0)
    s = socket.socket(fileno=fd) if os.readlink("/proc/self/fd/%d" % fd).startswith("socket:") else None
    if s and s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_SEQPACKET:
        sock = s; break
    if s: s.detach()
    os.close(fd)
def call(req, fds=()):
    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    sock.sendmsg([json.dumps(req).encode()], anc)
    return json.loads(sock.recv(1 << 20))
count = lambda: len(os.listdir("/proc/%d/fd" % writer))
if what == "fds":
    before = count()
    for i in range(50):
        a, b = os.open("/dev/null", os.O_RDONLY), os.open("/dev/null", os.O_RDONLY)
        call({"op": "po-ack"}, [a, b])
        os.close(a); os.close(b)
    sys.exit(0 if count() <= before else "the writer holds %d descriptors more" % (count() - before))
PY
out=$(python3 writer.py "$SERVE" "$WRITER" fds 2>&1)
case $out in
skip:*) _skip "a compromised HTTP side: $out" ;;
*) check "two descriptors in one message to the writer: neither left open there" \
	evalq "[ -z '$out' ] || { echo '$out' >&2; false; }" ;;
esac
check "  and the writer writes on" \
	evalq "api 201 POST status '$SAM' $J --data-binary '{\"po\": \"PO-1\", \"status\": \"started\"}'"

# ---- answers larger than the writer's socket carries
# each request fits; the PO's trace, the answer, grows with every one
python3 -c 'import json; print(json.dumps({"promise": "2099-12-01", "note": "\"" * 4000, "lines": [1, 2] * 12}))' > big.json
check "acknowledgments whose answer outgrows the socket: each recorded and answered 201" \
	evalq "api 201 POST pos/PO-1/acks '$SAM' $J --data-binary @big.json &&
	       api 201 POST pos/PO-1/acks '$SAM' $J --data-binary @big.json &&
	       api 201 POST pos/PO-1/acks '$SAM' $J --data-binary @big.json"
check "  the last, too large to send whole, says it was done" grep -q 'done; its answer' body.json
check "  the writer is still there" grep -q "^State:[[:space:]]*[RS]" "/proc/$WRITER/status"
check "  and writes for everyone" \
	evalq "api 201 POST status '$SAM' $J --data-binary '{\"po\": \"PO-1\", \"status\": \"started\"}'"

kill "$SERVE"
wait "$SERVE"
check "serve ends cleanly (exit 0)" test $? = 0

# ---- as --user, the HTTP side stages a JSON body it hands on in its spool
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	chmod 755 "$TMP"
	chmod 1777 "$TMP/.san"
	chmod -R go+rX v
	chmod 600 v/qvault/server.pem
	serve_start --user nobody
	check "as --user nobody, a status report is recorded (not a 500: cannot stage)" \
		api 201 POST status "$SAM" $J --data-binary '{"po": "PO-1", "status": "complete"}'
	kill "$SERVE"
	wait "$SERVE"
else
	_skip "--user needs root and the user nobody"
fi
check "the vault verifies" q verify

done_testing
