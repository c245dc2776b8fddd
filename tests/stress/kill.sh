#!/bin/sh
# Crash safety: real qvault processes killed with SIGKILL at random points
# of add, release, ack, import and reindex.  After each kill: git fsck
# --strict, the index's integrity_check, qvault verify; every operation
# that reported success is there, none is half there, and the next write
# goes through (no lock left behind).  TAP output.
#
#   KILL_ROUNDS=300 KILL_SEED=N sh tests/stress/kill.sh
#
# The seed is printed; the same seed replays the same operations and
# delays (where a kill lands also depends on the machine's timing).
. "$(dirname "$0")/../cli/lib.sh"

ROUNDS=${KILL_ROUNDS:-300}
SEED=${KILL_SEED:-$(date +%s)}
echo "# seed $SEED, $ROUNDS rounds (replay: KILL_SEED=$SEED KILL_ROUNDS=$ROUNDS sh $0)"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
mkdir in
i=0
while [ $i -lt 20 ]; do make_pdf "in/f$i.pdf" "import file $i"; i=$((i + 1)); done
make_pdf one.pdf

# how long one write takes here, so kills land inside operations
t0=$(date +%s%N)
q add one.pdf --doc T-0 --type drawing > /dev/null && q add one.pdf --doc T-1 --type drawing > /dev/null
op_ms=$(( ($(date +%s%N) - t0) / 2000000 ))
[ "$op_ms" -gt 0 ] || op_ms=1
echo "# one add takes about $op_ms ms here"

# the plan: ROUNDS lines of "OPERATION DELAY_US"
awk -v seed="$SEED" -v n="$ROUNDS" -v span=$((op_ms * 1300)) 'BEGIN {
	srand(seed)
	split("add release ack import reindex", ops, " ")
	for (r = 0; r < n; r++) printf "%s %d\n", ops[1 + int(rand() * 5)], int(rand() * span) }' > plan.txt

: > done.txt     # what reported success: KIND NAME
: > maybe.txt    # what was killed: KIND NAME
released=""
r=0
while read -r op delay; do
	r=$((r + 1))
	name=""
	case $op in
	add)     name=A-$r; set -- add one.pdf --doc "$name" --type drawing ;;
	release) name=R-$r; set -- release "$name" --rev A one.pdf --to acme ;;
	ack)     name=$(grep '^release ' done.txt | awk '{ print $2 }' | while read -r d; do
			grep -q "^ack $d$" done.txt maybe.txt || { echo "$d"; break; }; done)
		 if [ -z "$name" ]; then op=add; name=A-$r; set -- add one.pdf --doc "$name" --type drawing
		 else set -- --key sam.pem ack "$name@A"; fi ;;
	import)  name=I-$r
		 { echo '['; k=0; while [ $k -lt 20 ]; do
			printf '{"file": "in/f%d.pdf", "doc": "%s-%d", "type": "drawing"}%s\n' $k "$name" $k \
				"$([ $k -lt 19 ] && echo ,)"; k=$((k + 1)); done; echo ']'; } > m.json
		 set -- import m.json ;;
	reindex) name=-; set -- reindex ;;
	esac
	q "$@" > out.txt 2> err.txt &
	pid=$!
	sleep "$(awk -v us="$delay" 'BEGIN { printf "%.6f", us / 1e6 }')"
	kill -9 $pid 2> /dev/null
	wait $pid 2> /dev/null
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "$op $name" >> done.txt
	elif [ $rc -eq 137 ]; then
		echo "$op $name" >> maybe.txt
		# killed while LeakSanitizer stopped its threads for the exit check:
		# the tracer's "Unable to get registers" is the kill, not a finding
		# (a finding says ERROR: or runtime error: first, and fails the script)
		if [ -f "$TMP/.san/report.$pid" ] && ! grep -q 'ERROR:\|runtime error:' "$TMP/.san/report.$pid"; then
			echo "# round $r: the kill cut LeakSanitizer's exit check short: $(head -n 1 "$TMP/.san/report.$pid")"
			rm -f "$TMP/.san/report.$pid"
		fi
	else
		_fail "round $r: $op $name failed on its own (exit $rc)" "$(head -3 err.txt)"
		continue
	fi

	# the checks, after every round
	problems=""
	git -C v fsck --strict --no-progress > fsck.txt 2>&1 || problems="$problems git-fsck"
	[ "$(sqlite3 v/qvault/index.db 'PRAGMA integrity_check' 2>&1)" = ok ] || problems="$problems integrity_check"
	q verify > verify.txt 2>&1 || problems="$problems verify"
	q list > list.txt 2>&1 || problems="$problems list"
	q acks > acks.txt 2>&1 || true
	# `q list`: DOC REV TYPE STATE ...
	while read -r kind nm; do  # every success is there
		case $kind in
		add)     grep -q "^$nm  *A " list.txt || problems="$problems lost:$nm" ;;
		release) grep -q "^$nm  *A  *drawing  *released" list.txt || problems="$problems lost:$nm" ;;
		import)  [ "$(grep -c "^$nm-[0-9]*  *A " list.txt)" = 20 ] || problems="$problems lost:$nm" ;;
		ack)     q acks "$nm" 2>/dev/null | grep -q "received" || problems="$problems lost-ack:$nm" ;;
		esac
	done < done.txt
	while read -r kind nm; do  # a killed operation is all there or not at all
		case $kind in
		import)  c=$(grep -c "^$nm-[0-9]*  *A " list.txt)
			 [ "$c" = 0 ] || [ "$c" = 20 ] || problems="$problems half:$nm($c)" ;;
		release) if grep -q "^$nm  *A " list.txt; then
				grep -q "^$nm  *A  *drawing  *released" list.txt || problems="$problems half:$nm"; fi ;;
		esac
	done < maybe.txt
	if [ -z "$problems" ]; then
		_pass "round $r: $op $name, exit $rc after ${delay} us: consistent"
	else
		_fail "round $r: $op $name, exit $rc after ${delay} us:$problems" "$(head -3 verify.txt)" "$(head -3 fsck.txt)"
	fi
done < plan.txt
ok "the next write after the last kill goes through" q add one.pdf --doc LAST --type drawing
check "killed $(wc -l < maybe.txt) of $ROUNDS operations; $(wc -l < done.txt) completed, all present" true
done_testing
