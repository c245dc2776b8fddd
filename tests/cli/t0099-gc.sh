#!/bin/sh
# qvault gc (issue 21): every object the refs reach in one pack, the packs
# and loose objects it replaces removed (stock git repack, under the
# vault's lock); a write repacks by itself once the packs pass git config
# qvault.gcPacks, geometrically (the small packs rolled into one, the
# large left alone), so that many writes leave about log2 of their number
# of packs and rewrite the large one now and then, not each time, and
# never one of qvault.gcPackObjects objects or more;
# history, answers, bytes and verify are unchanged, and a running server
# and the command line keep reading through every repack; a bad setting
# is refused.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
git -C v config qvault.gcPacks 0
mkdir files
# imp K: an import of two drawings, one commit, one pack
imp() {
	make_pdf "files/$1.pdf" "batch $1" && make_pdf "files/$1b.pdf" "batch $1, b" &&
	printf '[{"file": "files/%s.pdf", "doc": "DWG-%s", "type": "drawing"},
	{"file": "files/%sb.pdf", "doc": "DWG-%sb", "type": "drawing"}]\n' "$1" "$1" "$1" "$1" > "m$1.json" &&
	q import "m$1.json" > /dev/null
}
packs() { find v/objects/pack -name '*.pack' | wc -l; }
loose() { find v/objects -path v/objects/pack -prune -o -path v/objects/info -prune -o -type f -print | wc -l; }
for b in 1 2 3 4 5 6; do imp $b; done
check "six imports leave six packs (gcPacks 0: never by itself)" test "$(packs)" = 6
q list --json > list.before
git -C v rev-parse main > head.before
git -C v rev-list --objects --all | cut -c1-40 | sort > objects.before

need_curl
q release DWG-1 --rev B files/2.pdf --to acme > /dev/null
SAM=$(tok --user sam)
serve_start
check "a server reads before the repack" evalq "api 200 GET documents '$SAM' && is 'len(d)' 1"

echo 'not in any commit yet' | git -C v hash-object -w --stdin > stray.id
fails 1 "^qvault: cannot repack: git is not installed$" "without git, gc says so (exit 1, vault unchanged)" \
	env PATH=/nonexistent "$QVAULT" gc
ok "qvault gc" sh -c 'q gc > gc.out'
check "  says what it did" grep -q "repacked v: 6 packs before, 1 now" gc.out
check "  one pack now, no loose object" test "$(packs) $(loose)" = "1 0"
check "  an object no ref reaches yet (a push moving in) is kept" sh -c 'git -C v cat-file -e "$(cat stray.id)"'
check "  every object the refs reached is still there" sh -c '
	git -C v rev-list --objects --all | cut -c1-40 | sort > objects.after && test -z "$(comm -23 objects.before objects.after)"'
check "  history is the same" git -C v merge-base --is-ancestor "$(cat head.before)" main
same_list() { # the list as before, but for DWG-1 (released since)
	q list --json > list.after && python3 -c 'import json, sys
strip = lambda f: [x for x in json.load(open(f)) if x.get("doc") != "DWG-1"]
sys.exit(strip("list.before") != strip("list.after"))'
}
check "  answers are the same" same_list
check "  bytes come back exact" sh -c 'q cat DWG-3@A | cmp -s - files/3.pdf && q cat DWG-1@B | cmp -s - files/2.pdf'
ok "  verify passes" q verify
check "  git fsck --strict is clean" git -C v fsck --strict
check "  the running server still reads, old records and new" \
	evalq "api 200 GET documents '$SAM' && is 'len(d)' 1 && api 200 GET documents/DWG-1 '$SAM'"
check "  and sees a write made after the repack" \
	evalq "q release DWG-1 --rev C files/4.pdf --to acme > /dev/null && api 200 GET documents/DWG-1 '$SAM' && grep -q '\"C\"' body.json"
ok "a second gc with one pack is harmless" sh -c 'q gc | grep -q "1 pack before, 1 now"'

# by itself, after a write, past the threshold: geometrically
git -C v config qvault.gcPacks 3
big=$(ls v/objects/pack/*.pack) # the one pack of the gc by hand: every object so far
imp 7
imp 8
check "gcPacks 3: three packs are left alone" test "$(packs)" = 3
echo 'another not in any commit yet' | git -C v hash-object -w --stdin > stray2.id
imp 9
check "  a write leaving four rolls the three small ones into one, no loose object" \
	test "$(packs) $(loose)" = "2 0"
check "  and leaves the large one as it was" test -f "$big"
check "  a loose object no ref reaches yet is packed, not dropped" sh -c 'git -C v cat-file -e "$(cat stray2.id)"'
ok "  verify passes" q verify

git -C v config qvault.gcPacks 0
imp 10
check "gcPacks 0: never by itself" test "$(packs)" = 3

git -C v config qvault.gcPacks many
check "a malformed gcPacks: the write is recorded, the warning names the setting" evalq '
	imp 11 2> warn.err && q show DWG-11 > /dev/null &&
	grep -q "^qvault: warning: git config qvault.gcPacks must be a number of packs from 0 (never) to 100000 (the write is recorded; the repack is not: run qvault gc)$" warn.err'

# an automatic repack that fails (no git) warns once, then leaves writes be for an hour
git -C v config qvault.gcPacks 1
check "a write past the threshold without git: recorded, one warning, the failure marked" evalq '
	(PATH="$TMP/.bin"; imp 12) 2> nogit.err; q show DWG-12 > /dev/null &&
	grep -q "cannot repack: git is not installed (the write is recorded; the repack is not: run qvault gc)" nogit.err &&
	test -e v/qvault/gc.failed'
check "  the next write does not try again (no warning)" evalq '
	(PATH="$TMP/.bin"; imp 13) 2> nogit2.err; q show DWG-13 > /dev/null && ! grep -q repack nogit2.err'
ok "  qvault gc by hand still runs, and clears the mark" sh -c 'q gc > /dev/null && ! test -e v/qvault/gc.failed'

# Many writes, each past the threshold (gcPacks 1): the packs stay about
# log2 of the writes, the largest pack is rewritten now and then (when the
# small ones add up to half of it), not at every write as a full repack
# would; all the while the server and the command line read bytes through
# every repack, none failing.
git -C v config qvault.gcPacks 1
rm -f readers.stop readers.err readers.ok
(
	while [ ! -e readers.stop ]; do
		code=$(curl -s -o read.pdf -w '%{http_code}' -H "Authorization: Bearer $SAM" "${API_URL}documents/DWG-1/B/files/1")
		if [ "$code" = 200 ] && cmp -s read.pdf files/2.pdf; then echo api >> readers.ok; else echo "api: $code" >> readers.err; fi
		if q cat DWG-3@A 2>> readers.err | cmp -s - files/3.pdf; then echo cli >> readers.ok; else echo "cli" >> readers.err; fi
	done
) &
READERS=$!
most=0 rewritten=0 writes=0
largest() { ls -S v/objects/pack/*.pack | head -n 1; }
last=$(largest)
for b in $(seq 20 51); do
	imp $b || break
	writes=$((writes + 1))
	c=$(packs); [ "$c" -le "$most" ] || most=$c
	l=$(largest); [ "$l" = "$last" ] || rewritten=$((rewritten + 1)); last=$l
done
touch readers.stop; wait $READERS
echo "# 32 writes: at most $most packs, the largest rewritten $rewritten times, $(wc -l < readers.ok) reads"
[ ! -s readers.err ] || sed 's/^/# reader: /' readers.err | sort | uniq -c | head -n 5
check "32 writes, each past gcPacks 1: all recorded" test "$writes" = 32
check "  at most 7 packs at any time (log2 32, plus two)" test "$most" -le 7
check "  the largest pack rewritten at most 8 times, not at each write" test "$rewritten" -le 8
check "  no loose object left" test "$(loose)" = 0
check "  readers read through every repack: none failed" test ! -s readers.err
check "  both the server and the command line read, many times" \
	sh -c 'test "$(grep -c api readers.ok)" -ge 10 && test "$(grep -c cli readers.ok)" -ge 10'
ok "  verify passes" q verify
check "  git fsck --strict is clean" git -C v fsck --strict

# qvault.gcPackObjects: a pack of that many objects or more is left alone
# (git's memory grows with the objects it rolls up), the others rolled up;
# the writes go on until the other packs hold as many objects as it does,
# past the point where a geometric repack would have rolled it up
big=$(largest)
objects=$(git show-index < "${big%.pack}.idx" | wc -l)
others() { for i in v/objects/pack/*.idx; do [ "$i" = "${big%.pack}.idx" ] || git show-index < "$i"; done | wc -l; }
git -C v config qvault.gcPackObjects "$objects"
most=0 b=60
while [ "$(others)" -lt "$objects" ] && [ $b -lt 200 ]; do
	imp $b
	c=$(packs); [ "$c" -le "$most" ] || most=$c
	b=$((b + 1))
done
echo "# gcPackObjects $objects: $((b - 60)) writes, the other packs $(others) objects"
check "gcPackObjects $objects: writes until the other packs hold as many objects leave that pack as it was" \
	test -f "$big" -a "$(others)" -ge "$objects"
check "  and roll up the others: at most 7 packs at any time" test "$most" -le 7
ok "  verify passes" q verify
git -C v config qvault.gcPackObjects lots
check "a malformed gcPackObjects: the write is recorded, the warning names the setting" evalq '
	imp 68 2> warn2.err && q show DWG-68 > /dev/null &&
	grep -q "^qvault: warning: git config qvault.gcPackObjects must be a number of objects, 0 for no limit (the write is recorded; the repack is not: run qvault gc)$" warn2.err'
done_testing
