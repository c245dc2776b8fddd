#!/bin/sh
# qvault serve --user: privilege separation by Unix user, as OpenSSH does
# it.  Started as root, the HTTP side becomes an unprivileged user that
# cannot read the vault's server key (serve refuses to start if it could)
# and reads the vault as that user; the writer becomes the vault's owner
# and alone holds the key and writes.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! id nobody > /dev/null 2>&1 || ! command -v setpriv > /dev/null ||
	! command -v curl > /dev/null; then
	_skip "needs root, the user nobody, setpriv and curl"
	done_testing
	exit 0
fi

# the unprivileged HTTP side must reach the vault, and write its
# sanitizer reports where the others go
chmod 755 "$TMP"
chmod 1777 "$TMP/.san"
new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
make_pdf a.pdf A
make_pdf c.pdf C
q release DWG-1 --rev A a.pdf --to acme > /dev/null
chmod -R go+rX v
chmod 600 v/qvault/server.pem
SAM=$(q --key "$TMP/admin.pem" token create --user sam --scope write 2> /dev/null)

fails 2 "needs serve to start as root" "--user by a user who is not root: a usage error" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$QVAULT" -C v serve --user nobody
fails 2 "is not a user other than root" "--user root: a usage error" q serve --user root
fails 2 "is not a user other than root" "--user of no such user: a usage error" \
	q serve --user no-such-user-here
chmod 644 v/qvault/server.pem
fails 1 "HTTP side \(user nobody\) can read the vault's server key .*chmod 600" \
	"a server key the HTTP side could read: serve does not start" \
	q serve --listen 127.0.0.1:0 --user nobody
chmod 600 v/qvault/server.pem
chmod o+w v/refs/heads
fails 1 "HTTP side \(user nobody\) can write 'v/refs/heads': make the vault writable by its owner only" \
	"a branch the HTTP side could move (back past a revocation): serve does not start" \
	q serve --listen 127.0.0.1:0 --user nobody
chmod o-w v/refs/heads

serve_start --user nobody
# the HTTP side is the process that printed (q's exec keeps its pid)
uids() { sed -n 's/^Uid:[[:space:]]*//p' "/proc/$1/status" | tr -s '[:space:]' ' '; }
gids() { sed -n 's/^Groups:[[:space:]]*//p' "/proc/$1/status"; }
NOBODY=$(id -u nobody)

check "the HTTP side runs as nobody: real, effective, saved and file-system uid" \
	evalq "[ \"\$(uids $SERVE)\" = '$NOBODY $NOBODY $NOBODY $NOBODY ' ]"
check "  with nobody's groups only" evalq "! gids $SERVE | grep -qw 0"
check "  and may gain no privilege again (no_new_privs)" \
	grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$SERVE/status"
check "  and the key is out of its reach (as nobody, the key file does not open)" \
	evalq "! setpriv --reuid=nobody --regid=nogroup --clear-groups cat v/qvault/server.pem 2> /dev/null"
check "the writer runs as the vault's owner" \
	evalq "[ \"\$(uids $WRITER)\" = '0 0 0 0 ' ]"

got=$(curl -s -o body.json -w '%{http_code}' -H "Authorization: Bearer $SAM" "${URL}documents")
check "a supplier reads through the unprivileged side" \
	evalq "[ $got = 200 ] && grep -q '\"doc\": \"DWG-1\"' body.json"
got=$(curl -s -o body.json -w '%{http_code}' -H "Authorization: Bearer $SAM" \
	-H 'Content-Type: application/octet-stream' --data-binary @c.pdf \
	"${URL}documents/COC-1?type=coc&name=coc.pdf")
check "an upload is written by the writer" evalq "[ $got = 201 ]"
check "  as the vault's owner: every file it made is root's" \
	evalq "[ -z \"\$(find v ! -user 0)\" ]"
check "  signed by the server for the supplier, which qvault verify accepts" \
	evalq "git -C v log -1 --format=%B | grep -q '^Qvault-On-Behalf-Of: sam' && q verify > /dev/null"
got=$(curl -s -o body.json -w '%{http_code}' -H "Authorization: Bearer $SAM" "${URL}documents/COC-1/A")
check "the unprivileged side reads the new record at once (the index, live, read-only)" \
	evalq "[ $got = 200 ] && grep -q '\"doc\": \"COC-1\"' body.json"
got=$(curl -s -o got.pdf -w '%{http_code}' -H "Authorization: Bearer $SAM" "${URL}documents/COC-1/A/files/1")
check "  and its bytes" evalq "[ $got = 200 ] && cmp got.pdf c.pdf"

kill -TERM "$SERVE"
wait "$SERVE"
check "SIGTERM ends it cleanly (exit 0)" test $? = 0
check "  and the writer with it" evalq "! kill -0 $WRITER 2> /dev/null"


# the unit shipped: systemd reads it without a complaint (a syscall group,
# a capability or a directive it does not know would be one)
if command -v systemd-analyze > /dev/null; then
	sed "s|/usr/local/bin/qvault|$QVAULT|" "$TESTS_DIR/../../deploy/qvault-serve.service" \
		> qvault-serve.service
	check "deploy/qvault-serve.service: systemd-analyze verify finds nothing" \
		evalq "systemd-analyze verify ./qvault-serve.service > unit.out 2>&1; [ \$? = 0 ] && [ ! -s unit.out ] ||
		       { cat unit.out >&2; false; }"
	check "  it starts serve as root with --user and --socket-group, and may chown and setuid" \
		evalq "grep -q -- '--socket-group www-data --user qvault-http' qvault-serve.service &&
		       grep -q '^CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_CHOWN$' qvault-serve.service &&
		       grep -q '^SystemCallFilter=@setuid @chown$' qvault-serve.service"
else
	_skip "no systemd-analyze to read the unit with"
fi
done_testing
