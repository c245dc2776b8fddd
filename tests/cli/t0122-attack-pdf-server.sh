#!/bin/sh
# Attacks on the PDF checker server (t0120): each row a way it went wrong.
# - vault.json's pdf policy not an object (a number, null; forged into
#   history, or pulled): the policy went to the server as JSON text, which
#   jansson does not write for a number or null, and the check aborted;
#   now refused in one line as the check in-process refuses it;
# - a command run with stderr closed (clone ... 2>&-) made its server
#   socket descriptor 2, which the forked server kept as its stderr: the
#   server held its own client's end and outlived the command for ever;
# - a check child whose server was killed ran on, unwatched: past 512 MiB
#   (the big array takes qpdf 2.8 GB) and past the clock;
# - a server that failed (poll or recvmsg: ENOMEM) answered every check
#   under way "takes more than 600 seconds to check": an honest PDF
#   refused, a finding under verify; now the check is asked again of a
#   server started again, and when that fails too, one honest line.
. "$(dirname "$0")/lib.sh"

MKPDF="python3 $TESTS_DIR/../mkpdf.py"
vault_v
ssh-keygen -q -t ed25519 -N '' -C bb -f bb
q --key "$TMP/admin.pem" user add bb --org owner --role buyer --pubkey "$TMP/bb.pub" > /dev/null
GIT_AUTHOR_NAME=bb GIT_AUTHOR_EMAIL=bb@owner GIT_COMMITTER_NAME=bb GIT_COMMITTER_EMAIL=bb@owner
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
make_pdf a.pdf A
q add a.pdf --doc DWG-A --type drawing > /dev/null
cp -a v good

# state PID: its state letter (Z: a zombie), empty when there is none
state() { ps -o stat= -p "$1" 2> /dev/null | cut -c1; }
# gone PID: no such process but maybe a zombie (a container's init may
# reap none), waiting up to 2 s
gone() {
	for _g in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		case $(state "$1") in "" | Z) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# ---- vault.json's pdf policy not an object ----------------------------------------
# settings PDF: vault.json with its "pdf" set to PDF (JSON), in a commit
# of stock git, unsigned
settings() {
	git -C v show main:vault.json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); d["pdf"]=json.loads(sys.argv[1]); json.dump(d, sys.stdout, indent=2)' "$1" > vj.json &&
		forge v - "$(printf 'settings\n\nQvault-Op: settings')" "vault.json=vj.json"
}
for bad in 5 null '"strict"'; do
	rm -rf v; cp -a good v
	settings "$bad"
	q reindex > /dev/null
	make_pdf b.pdf B
	fails 1 "^qvault: vault\.json's pdf policy is malformed: not an object$" \
		"add under a pdf policy of $bad: refused in one line (no abort), nothing added" \
		q add b.pdf --doc DWG-B --type drawing
done
# a PDF after the forged settings, as a qvault that did not open PDFs
# recorded it, signed by a buyer: verify holds it to the policy before it
forge_revision v bb DWG-B b.pdf
q verify > ve.out 2> ve.err
check "verify of a PDF under such a policy exits 3 (no abort)" test $? = 3
check "  the PDF's finding says why" \
	grep -q "DWG-B/A/files/b\.pdf: vault\.json's pdf policy is malformed: not an object$" ve.out
check "  verify ends with its count" grep -q '^FAILED: .* 2 files checked' ve.out
rm -rf p
fails 3 "^qvault: the history of 'file://.*' does not verify: " \
	"clone of that vault refuses it in one line (it aborted checking the PDF)" q clone "file://$TMP/v" p
check "  and leaves no clone" test ! -e p
rm -rf v; cp -a good v

# ---- stderr closed: the server is no process's for ever ---------------------------
# clone checks before it opens any vault (and SQLite fills 0 to 2 with
# /dev/null): its server's socket was the first descriptor free, 2
rm -rf c1
q clone "file://$TMP/v" c1 2>&- > clone.out
check "clone with stderr closed clones" grep -q '^cloned and verified' clone.out
left=$(ps -eo pid=,args= | grep -F " clone file://$TMP/v c1" | grep -v grep | awk '{print $1}')
stay=$(for p in $left; do gone "$p" || echo "$p"; done)
check "  and leaves no checker server behind" test -z "$stay"
for p in $stay; do kill "$p"; done

# ---- a server killed with a check under way: its child goes too ---------------------
$MKPDF big-array big.pdf 10000000
q add big.pdf --doc DWG-BIG --type drawing > /dev/null 2> big.err &
addpid=$!
srv= chk=
for i in $(seq 400); do
	for s in $(ps -o pid= --ppid "$addpid"); do
		c=$(ps -o pid= --ppid "$s" | head -n 1)
		[ -n "$c" ] && { srv=$s chk=$c; break; }
	done
	[ -n "$chk" ] && break
	sleep 0.02
done
check "add's server and its check child seen" test -n "$chk"
[ -n "$srv" ] && kill -9 "$srv"
check "  the server killed: the check child ends with it (not 2.8 GB unwatched)" gone "$chk"
[ -n "$chk" ] && { gone "$chk" || kill -9 "$chk"; }
wait "$addpid"
check "  add asks a server started again, which refuses the PDF as before (exit 1)" test $? = 1
check "  in the one line of t0118" \
	grep -q "^qvault: 'big\.pdf' takes more than 512 MiB of memory to open (an object too large), the limit$" big.err

# ---- a server that fails gives no verdict ---------------------------------------------
if command -v strace > /dev/null && strace -f -o /dev/null true 2> /dev/null; then
	make_pdf c.pdf C
	# poll fails in each server at its second call, the first with a check
	# under way; add's own process makes no poll (the server's are counted apart)
	fails 1 "^qvault: cannot check 'c\.pdf': the PDF checker ended, and again when started again$" \
		"a server whose poll fails twice: one honest line, not 'takes more than 600 seconds'" \
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace=poll -e inject=poll:error=ENOMEM:when=2 \
		q add c.pdf --doc DWG-C --type drawing
else
	_skip "no strace, or no ptrace here (scripts/deps installs strace)"
fi
done_testing
