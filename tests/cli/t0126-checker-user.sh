#!/bin/sh
# The PDF checker, which parses what suppliers upload, never runs as root:
# a command run as root (an admin's, or serve's writer for a root-owned
# vault) has its checker server become nobody once libqpdf is loaded, and
# so is every check it forks.  Seen through ps while a check runs (a PDF
# of 10 million integers, which ends at the memory bound), for a server
# forked (add: one thread) and one started afresh (import: the reader
# thread runs); the bound is still measured and said.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	_skip "the checker leaves root only when run as root"
	done_testing
	exit 0
fi
nobody=$(id -u nobody)
new_vault v
V=v
export QVAULT_DIR=v
python3 "$TESTS_DIR/../mkpdf.py" big-array big.pdf 10000000
printf '[{"file": "big.pdf", "doc": "DWG-I", "type": "drawing"}]\n' > big.json

# uids CMD...: CMD run in the background; while it runs, the user ids of
# its checker server (its child) and of that server's first check (the
# server's child), "SERVER CHECK"; CMD's exit status in cmd.rc
uids() {
	"$@" > cmd.out 2> cmd.err &
	pid=$!
	seen= i=0
	while [ $i -lt 1200 ] && kill -0 $pid 2> /dev/null; do
		for srv in $(ps -o pid= --ppid $pid); do
			for kid in $(ps -o pid= --ppid "$srv"); do
				seen="$(ps -o uid= -p "$srv" | tr -d ' ') $(ps -o uid= -p "$kid" | tr -d ' ')"
			done
		done
		[ -z "$seen" ] || break
		sleep 0.1
		i=$((i + 1))
	done
	wait $pid
	echo $? > cmd.rc
	echo "$seen"
}

got=$(uids q add big.pdf --doc DWG-A --type drawing)
check "add run as root: its forked checker server and the check run as nobody" \
	test "$got" = "$nobody $nobody"
check "  the check still ends at the memory bound, and says so" sh -c '
	test "$(cat cmd.rc)" = 1 &&
	grep -q "^qvault: '"'"'big.pdf'"'"' takes more than 512 MiB of memory to open" cmd.err'
got=$(uids q import big.json)
check "import run as root: its checker server started afresh and the check run as nobody" \
	test "$got" = "$nobody $nobody"
check "  the same bound, said the same" sh -c '
	test "$(cat cmd.rc)" = 1 &&
	grep -q "^qvault: '"'"'big.pdf'"'"' takes more than 512 MiB of memory to open" cmd.err'
make_pdf c.pdf C
ok "a PDF checked as nobody is added" q add c.pdf --doc DWG-C --type drawing
check "  and its check is recorded" sh -c 'q show DWG-C@A --json | grep -q "\"mime\": \"application/pdf\""'
check "verify as root passes (its server forked, as nobody)" q verify
done_testing
