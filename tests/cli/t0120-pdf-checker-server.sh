#!/bin/sh
# The PDF checker server: each qvault process starts one, at its first PDF
# check or before its threads exist (verify, pull, clone, import), and the
# server forks one child per check, under the bounds of t0118.  Before it,
# a threaded command (verify, import's reader) started qvault afresh for
# each PDF, about 12 ms each: verify of 100,000 PDFs took 1254 s, not 94.
# Counted with strace (-ff: each process's calls apart):
# - verify and import of N PDFs fork one server, which forks N children;
#   nothing is started afresh;
# - import of PDFs whose names say nothing (its reader thread running
#   when the first is checked) starts `qvault --internal-pdf-check
#   --server` once, for all N, and its bounds hold there too;
# - a server killed under verify is started again once, and verify checks
#   every file; when starting it again fails, one line says so;
# - a PDF killed past 512 MiB under verify is refused as in t0118, and the
#   same server checks the PDF after it.
. "$(dirname "$0")/lib.sh"

if ! command -v strace > /dev/null || ! strace -f -o /dev/null true 2> /dev/null; then
	_skip "no strace, or no ptrace here (scripts/deps installs strace)"
	done_testing
	exit 0
fi
# traced PREFIX [STRACE-OPTION...] -- CMD...: CMD under strace, the calls
# that start processes of each process in PREFIX.PID, and recvmsg (the
# server's, which a test makes fail).  LeakSanitizer
# cannot stop the world under ptrace: no leak check there (each command
# here runs untraced too, in this script or t0118)
traced() {
	tp=$1; shift
	set -- -f -ff -qq -o "$tp" -e trace=execve,clone,clone3,fork,vfork,recvmsg "$@"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}
# makers PREFIX: how many processes (not threads) each traced process that
# started any started, in ascending order on one line
makers() {
	for f in "$1".*; do
		c=$(grep -E '^(clone|clone3|fork|vfork)\(' "$f" | grep -vc CLONE_THREAD)
		[ "$c" -gt 0 ] && echo "$c"
	done | sort -n | tr '\n' ' ' | sed 's/ $//'
}
# execs PREFIX: how many times the checker server was started afresh
execs() { cat "$1".* | grep -c '^execve(.*"--internal-pdf-check", "--server"'; }
# is WANT GOT: for check, the two shown on failure
is() { [ "$1" = "$2" ] || { echo "want '$1', got '$2'" >&2; return 1; }; }

MKPDF="python3 $TESTS_DIR/../mkpdf.py"
vault_v
mkdir -p files named
NPDF=6
printf '[' > pdfs.json
printf '[' > bins.json
for i in 1 2 3 4 5 6; do
	$MKPDF honest files/p$i.pdf
	printf '%%PDF-1.4\n%% P%s\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n' "$i" > named/n$i.bin
	[ "$i" = 1 ] || { printf ',\n' >> pdfs.json; printf ',\n' >> bins.json; }
	printf '{"file": "files/p%s.pdf", "doc": "DWG-P%s", "type": "drawing"}' "$i" "$i" >> pdfs.json
	printf '{"file": "named/n%s.bin", "doc": "DWG-N%s", "type": "drawing"}' "$i" "$i" >> bins.json
done
printf ']\n' >> pdfs.json
printf ']\n' >> bins.json

# ---- one server forked, one child per PDF ----------------------------------------
traced im -- q import pdfs.json > /dev/null
check "import of $NPDF PDFs forks one server, which forks $NPDF children" is "1 $NPDF" "$(makers im)"
check "  nothing started afresh" is 0 "$(execs im)"
traced ve -- q verify > ve.out
check "verify checks them all" grep -q "^ok: .* $NPDF files checked; 0 findings$" ve.out
check "  one server forked before its threads, which forks $NPDF children" is "1 $NPDF" "$(makers ve)"
check "  nothing started afresh" is 0 "$(execs ve)"

# ---- a server killed: started again once ----------------------------------------
# the server takes each request by recvmsg (qvault makes no other): SIGKILL
# at its fifth, with the fifth check sent to it and unanswered (the one
# started again, a process of its own, would be killed at its fifth too:
# it has two)
traced rs -e inject=recvmsg:signal=SIGKILL:when=5 -- q verify > rs.out
check "verify with its server killed at the fifth PDF checks all $NPDF" \
	grep -q "^ok: .* $NPDF files checked; 0 findings$" rs.out
check "  the server started again once (afresh: verify's threads run)" is 1 "$(execs rs)"
check "  the first checked 4, the second the other 2 (verify forked one, spawned one)" \
	is "2 2 4" "$(makers rs)"

# ---- started afresh once, from a process of several threads ----------------------
traced ib -- q import bins.json > /dev/null
check "import of $NPDF PDFs named .bin (the reader thread running) starts the server afresh once" \
	is 1 "$(execs ib)"
check "  and it forks $NPDF children (the other process: the import's own posix_spawn)" \
	is "1 $NPDF" "$(makers ib)"
$MKPDF big-array big.bin 10000000
printf '[{"file": "named/n1.bin", "doc": "DWG-B1", "type": "drawing"},\n {"file": "big.bin", "doc": "DWG-B2", "type": "drawing"}]\n' > big.json
fails 1 "^qvault: entry 2: 'big\.bin' takes more than 512 MiB of memory to open \(an object too large\), the limit$" \
	"  a PDF too large to open is refused there as by a forked server, nothing imported" \
	q import big.json
# ---- a server killed that cannot be started again ---------------------------------
make_pdf c.pdf C
# add has one thread: the server is forked, and so is the one started again;
# the second fork of add fails
fails 1 "^qvault: cannot check 'c\.pdf': the PDF checker ended, and starting it again failed: cannot fork: Resource temporarily unavailable$" \
	"a server killed and not started again: one line, nothing added" \
	traced rf -e inject=recvmsg:signal=SIGKILL:when=1 \
	-e inject=clone:error=EAGAIN:when=2 -- q add c.pdf --doc DWG-C --type drawing
ok "  the next add starts one again" q add c.pdf --doc DWG-C --type drawing

# ---- a PDF killed past 512 MiB under verify: the server survives it ---------------
ssh-keygen -q -t ed25519 -N '' -C bb -f bb
q --key "$TMP/admin.pem" user add bb --org owner --role buyer --pubkey "$TMP/bb.pub" > /dev/null
GIT_AUTHOR_NAME=bb GIT_AUTHOR_EMAIL=bb@owner GIT_COMMITTER_NAME=bb GIT_COMMITTER_EMAIL=bb@owner
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
# the PDF forged into history as in t0118: a signed commit of stock git,
# its record as a qvault that did not open PDFs wrote it
forge_revision v bb DWG-BIG big.bin
q reindex > /dev/null
make_pdf after.pdf AFTER
ok "a PDF added after the forgery" q add after.pdf --doc DWG-AFTER --type drawing
TOTAL=$((NPDF * 2 + 3))
traced bv -- q verify > bv.out
# under strace, each system call stops the child twice: when qpdf read a
# file of 20 MB through a FILE * (an lseek a token, 2.5 million), the
# child spent its 60 s of CPU, most of it in the kernel, before it passed
# 512 MiB; mapped, it makes a few thousand, and the memory bound ends it
check "verify refuses the forged PDF as t0118 does, in one finding" sh -c "
	grep -Eq \"DWG-BIG/A/files/big\\.bin: 'big\\.bin' takes more than 512 MiB of memory to open \\(an object too large\\), the limit\" bv.out &&
	test \"\$(grep -c 'big\\.bin' bv.out)\" = 1"
check "  and checks all $TOTAL files, the one after it too" \
	grep -q "^FAILED: .* $TOTAL files checked; 1 finding$" bv.out
check "  one server for all: it forks $TOTAL children, none started afresh" \
	sh -c "test '$(makers bv)' = '1 $TOTAL' && test '$(execs bv)' = 0"

# ---- the hidden argument, run by hand ----------------------------------------------
ok "qvault --internal-pdf-check --server on a file, not a socket, does nothing (exit 2, no output)" sh -c '
	q --internal-pdf-check --server > out.bin 2> err.txt < files/p1.pdf; test $? = 2 && ! test -s out.bin'
done_testing
