#!/bin/sh
# Concurrency: four writer processes and two readers on one vault, mixed
# adds, acknowledgments and lot imports.  Afterwards every operation is
# there, history is linear, verify is clean; meanwhile no reader saw half
# of a write, and no writer failed except by a reported conflict it
# retried.  TAP output.
#
#   CONC_OPS=1000 sh tests/stress/concurrent.sh
. "$(dirname "$0")/../cli/lib.sh"

OPS=${CONC_OPS:-1000}
PER=$((OPS / 4))
echo "# $OPS operations: 4 writers x $PER, 2 readers"
new_vault v
V=v
export QVAULT_DIR=v
for w in 0 1 2 3; do add_supplier "s$w" acme; done
make_pdf one.pdf
# drawings to acknowledge: one per ack a writer will make
{ echo "["; k=0; nd=$(( (PER + 2) / 3 + 1 )); while [ $k -lt $nd ]; do
	printf '{"file": "one.pdf", "doc": "DWG-%d", "type": "drawing", "rev": "A"}%s\n' $k \
		"$([ $k -lt $((nd - 1)) ] && echo ,)"; k=$((k + 1)); done; echo ']'; } > dwg.json
q import dwg.json > /dev/null
q po add PO-1 --supplier acme --line PN-1:1000000:DWG-0@A > /dev/null
k=0
while [ $k -lt $(( (PER + 2) / 3 + 1 )) ]; do
	printf 'DWG-%d\n' $k; k=$((k + 1))
done > dwgs.txt
# release them all in one go would need a command per drawing: release the first revision
while read -r d; do q release "$d" --rev B one.pdf --to acme > /dev/null; done < dwgs.txt

writer() { # W
	w=$1 i=0 fails=0 retries=0
	while [ $i -lt $PER ]; do
		case $((i % 3)) in
		0) set -- add one.pdf --doc "W$w-$i" --type spec ;;
		1) set -- --key "s$w.pem" ack "DWG-$((i / 3))@B" ;;
		2) printf 'lot,po,part,qty,made,shipped,from\nL-%d-%d-1,PO-1,PN-1,1,,,\nL-%d-%d-2,PO-1,PN-1,1,,,\nL-%d-%d-3,PO-1,PN-1,1,,,\n' \
			$w $i $w $i $w $i > "lots-$w.csv"
		   set -- --key "s$w.pem" lot import "lots-$w.csv" ;;
		esac
		try=0
		until q "$@" > "w$w.out" 2> "w$w.err"; do
			if grep -q "conflict\|moved meanwhile\|try again" "w$w.err" && [ $try -lt 5 ]; then
				try=$((try + 1)); retries=$((retries + 1))
			else
				echo "writer $w op $i ($*): $(cat "w$w.err")" >> failures.txt
				fails=$((fails + 1)); break
			fi
		done
		echo "$w $i" >> "done-$w.txt"
		i=$((i + 1))
	done
	echo "$retries" > "retries-$w.txt"
}

reader() { # R
	last=0 reads=0
	while [ ! -e stop ]; do
		if ! q list > "r$1.txt" 2> "r$1.err"; then
			echo "reader $1: list failed: $(cat "r$1.err")" >> bad-reads.txt
		else
			c=$(wc -l < "r$1.txt")
			[ "$c" -ge "$last" ] || echo "reader $1: the vault shrank from $last to $c documents" >> bad-reads.txt
			last=$c
		fi
		# a lot import is three lots: a reader sees all three or none
		if q trace po PO-1 > "t$1.txt" 2> "r$1.err"; then
			grep -o 'lot L-[0-9]*-[0-9]*-' "t$1.txt" | sort | uniq -c | awk '$1 != 3 { print "reader: half an import: " $0 }' >> bad-reads.txt
		else
			echo "reader $1: trace failed: $(cat "r$1.err")" >> bad-reads.txt
		fi
		reads=$((reads + 1))
	done
	echo "$reads" > "reads-$1.txt"
}

: > failures.txt
: > bad-reads.txt
t0=$(date +%s)
reader 0 & r0=$!
reader 1 & r1=$!
writer 0 & w0=$!
writer 1 & w1=$!
writer 2 & w2=$!
writer 3 & w3=$!
wait $w0 $w1 $w2 $w3
touch stop
wait $r0 $r1
echo "# took $(( $(date +%s) - t0 )) s"

check "no writer failed ($(cat retries-*.txt | awk '{ s += $1 } END { print s + 0 }') conflicts retried)" \
	sh -c '! [ -s failures.txt ] || { head -3 failures.txt >&2; false; }'
check "every operation was done ($(cat done-*.txt | wc -l) of $OPS)" [ "$(cat done-*.txt | wc -l)" = $((PER * 4)) ]
adds=0 acks=0 imports=0
i=0; while [ $i -lt $PER ]; do
	case $((i % 3)) in 0) adds=$((adds + 4)) ;; 1) acks=$((acks + 4)) ;; 2) imports=$((imports + 4)) ;; esac
	i=$((i + 1))
done
check "all $adds adds are there" [ "$(q list --type spec | grep -c '^W[0-3]-')" = $adds ]
check "all $acks acknowledgments are there" \
	[ "$(git -C v ls-tree -r --name-only main | grep -c '/acks/s[0-3]-received\.json$')" = $acks ]
check "all $((imports * 3)) lots of $imports imports are there" [ "$(q trace po PO-1 | grep -c 'lot L-')" = $((imports * 3)) ]
check "history is linear" [ "$(git -C v rev-list --merges --count main)" = 0 ]
check "one commit per operation" [ "$(git -C v rev-list --count main)" -ge $((PER * 4)) ]
check "readers never saw a half-written state ($(cat reads-*.txt | awk '{ s += $1 } END { print s }') reads)" \
	sh -c '! [ -s bad-reads.txt ] || { head -3 bad-reads.txt >&2; false; }'
check "verify is clean" sh -c 'q verify > /dev/null'
check "git fsck --strict is clean" git -C v fsck --strict --no-progress
done_testing
