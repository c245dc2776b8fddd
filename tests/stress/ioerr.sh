#!/bin/sh
# I/O errors and a full disk, injected at write and fsync (fiu-run, from
# Debian's fiu-utils, and a small tmpfs): the operation fails with one
# clear line, the branch and the index are as they were, verify is clean,
# and the next write goes through.  TAP output.
#
#   IOERR_ROUNDS=200 sh tests/stress/ioerr.sh
#
# Objects written before the failure may stay in objects/ unreferenced, as
# with any git command that fails; `git gc` prunes them.  Nothing refers to
# them: history, index and every query are unchanged.
. "$(dirname "$0")/../cli/lib.sh"

ROUNDS=${IOERR_ROUNDS:-200}
command -v fiu-run > /dev/null || { _fail "fiu-run is installed (scripts/deps: fiu-utils)"; done_testing; exit 0; }
# fiu's wrapper is an LD_PRELOAD library, which AddressSanitizer does not
# share the process with: faults are injected into the plain build
# (QVAULT_PLAIN, which make check builds too); the checks use $QVAULT.
FAULTY=${QVAULT_PLAIN:-$QVAULT}

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
make_pdf one.pdf
mkdir in
k=0; while [ $k -lt 10 ]; do make_pdf "in/f$k.pdf" "file $k"; k=$((k + 1)); done
q release DWG-0 --rev A one.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:1000000:DWG-0@A > /dev/null

state() { # what must not change when an operation fails
	git -C v rev-parse main
	q list
	q trace po PO-1
	q acks DWG-0 2>/dev/null
}

r=0 failed=0 succeeded=0 lost=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	case $((r % 5)) in
	0) what="add"; set -- add one.pdf --doc "A-$r" --type drawing ;;
	1) what="import"
	   { echo '['; k=0; while [ $k -lt 10 ]; do
		printf '{"file": "in/f%d.pdf", "doc": "I-%d-%d", "type": "drawing"}%s\n' $k $r $k \
			"$([ $k -lt 9 ] && echo ,)"; k=$((k + 1)); done; echo ']'; } > m.json
	   set -- import m.json ;;
	2) what="release"; set -- release "R-$r" --rev A one.pdf --to acme ;;
	3) what="lot import"; printf 'lot,po,part,qty,made,shipped,from\nL-%d-1,PO-1,PN-1,1,,,\nL-%d-2,PO-1,PN-1,1,,,L-%d-1\n' $r $r $r > l.csv
	   set -- --key sam.pem lot import l.csv ;;
	4) what="ack"; set -- --key sam.pem ack DWG-0@A --meaning reviewed --comment "round $r" ;;
	esac
	case $((r % 3)) in
	0) fault="enable name=posix/io/sync/*" ;;
	1) fault="enable_random name=posix/io/rw/*,probability=0.05" ;;
	2) fault="enable_random name=posix/io/sync/*,probability=0.5" ;;
	esac
	before=$(state)
	fiu-run -x -c "$fault" "$FAULTY" "$@" > out.txt 2> err.txt
	rc=$?
	# warnings say what happened on the way (an index rebuilt); one error line
	lines=$(grep -v '^qvault: warning: ' err.txt | grep -vc 'AddressSanitizer\|^$')
	if [ $rc -eq 0 ]; then
		succeeded=$((succeeded + 1))
		q verify > verify.txt 2>&1 && _pass "round $r: $what under '$fault': done, verify clean" ||
			_fail "round $r: $what under '$fault' succeeded, then verify failed" "$(head -3 verify.txt)"
		continue
	fi
	failed=$((failed + 1))
	problems=""
	[ "$lines" -le 1 ] || problems="$problems $lines-lines-on-stderr"
	[ "$lines" -eq 1 ] && ! grep -v '^qvault: warning: ' err.txt | grep -q '^qvault: ' &&
		problems="$problems message:$(head -c 80 err.txt)"
	[ "$lines" -eq 0 ] && lost=$((lost + 1))   # the fault hit the write of the message itself
	[ "$before" = "$(state)" ] || problems="$problems state-changed"
	[ "$(sqlite3 v/qvault/index.db 'PRAGMA integrity_check' 2>&1)" = ok ] || problems="$problems integrity_check"
	q verify > verify.txt 2>&1 || problems="$problems verify"
	if [ -z "$problems" ]; then
		_pass "round $r: $what under '$fault': refused ($(head -c 100 err.txt | tr -d '\n')), nothing changed"
	else
		_fail "round $r: $what under '$fault':$problems" "$(head -3 err.txt)" "$(head -3 verify.txt)"
	fi
done
ok "the next write goes through" q add one.pdf --doc AFTER --type drawing
check "$failed operations failed cleanly ($lost with the message itself lost to the fault), $succeeded went through" true

# a full disk: a vault on a small tmpfs, then a file larger than what is left
if unshare -m true 2> /dev/null; then
	mkdir small
	cat > full.sh <<'SH'
set -u
mount -t tmpfs -o size=4m tmpfs small || exit 99
cd small
q init v --key "$TMP/admin.pem" > /dev/null &&
q -C v --key "$TMP/admin.pem" user add tester --org acme --role buyer,quality --pubkey "$TMP/tester.pub" > /dev/null || exit 98
q -C v add ../one.pdf --doc OK-1 --type drawing > /dev/null || exit 97
avail=$(df -k --output=avail . | tail -n 1)
python3 "$MKPDF" filler ../big.pdf $(( (avail + 64) * 1024 + 9 ))
before=$(git -C v rev-parse main; q -C v list)
q -C v add ../big.pdf --doc BIG-1 --type drawing > ../full.out 2> ../full.err; echo $? > ../full.rc
after=$(git -C v rev-parse main; q -C v list)
[ "$before" = "$after" ] && echo same > ../full.same
rm -f ../big.pdf
q -C v verify > ../full.verify 2>&1; echo $? > ../full.vrc
q -C v add ../one.pdf --doc OK-2 --type drawing > /dev/null 2>&1; echo $? > ../full.next
SH
	# a script of its own (its mount namespace): lib.sh's functions are not in it
	TMP="$TMP" MKPDF="$TESTS_DIR/../mkpdf.py" unshare -m sh full.sh; urc=$?
	check "a full disk: the add fails (exit $(head -1 full.rc 2>/dev/null))" [ "$urc:$(head -1 full.rc 2>/dev/null)" = 0:1 ]
	check "  with one line naming the problem: $(cat full.err)" sh -c '
		[ "$(grep -vc "^$" full.err)" = 1 ] && grep -q "^qvault: .*No space left on device" full.err'
	check "  the vault as it was" [ -f full.same ]
	check "  verify clean" [ "$(cat full.vrc 2>/dev/null)" = 0 ]
	check "  and a small write still goes through" [ "$(cat full.next 2>/dev/null)" = 0 ]
else
	check "a full disk (needs unshare -m: mount namespaces)" false
fi
done_testing
