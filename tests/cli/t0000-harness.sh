#!/bin/sh
# The harness itself (tests/run): a script that crashes, stops short of its
# plan, prints none, exits non-zero or prints a sanitizer report is counted
# failed, by name, and tests/run exits non-zero; a skipped result is not
# counted passed.  The scripts are in tests/harness/ and fail on purpose.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$TESTS_DIR/../.." && pwd)

# harness FILE GLOB: tests/run on GLOB only, its output to FILE, its exit
# status to FILE.rc (the inner run must not see the outer's valgrind)
harness() {
	(unset QVAULT_WRAP; QVAULT_TESTS=$2 sh "$TOP/tests/run") > "$1" 2>&1
	echo $? > "$1.rc"
}
harness all.out 'tests/harness/*.sh'
check "tests/run exits non-zero when scripts fail" [ "$(cat all.out.rc)" != 0 ]
check "its last line counts them: 8 passed (one per script), 7 failed" \
	[ "$(tail -n 1 all.out)" = "8 passed, 7 failed" ]
check "a script killed by a signal after its first result" \
	grep -aq '^not ok - tests/harness/crash.sh: killed by signal 11 (exit 139); no plan' all.out
check "a script printing 1 result of a plan of 3" \
	grep -aq '^not ok - tests/harness/short.sh: 1 results, planned 3$' all.out
check "a script printing no plan" \
	grep -aq '^not ok - tests/harness/noplan.sh: no plan (1..N), 1 results$' all.out
check "a script exiting 1 after all its results" \
	grep -aq '^not ok - tests/harness/exit.sh: exit 1$' all.out
check "a script whose output has an ASan report" \
	grep -aq '^not ok - tests/harness/asan.sh: a sanitizer report (AddressSanitizer)$' all.out
check "a script whose output has a UBSan finding" \
	grep -aq '^not ok - tests/harness/ubsan.sh: a sanitizer report (runtime error:)$' all.out
check "a script (lib.sh) one of whose checks ran in a pipe, its result lost" \
	grep -aq "^not ok 2 - every check's result is shown and counted$" all.out
check "the passing script is not among the failures" sh -c '! grep -aq "^not ok - tests/harness/pass.sh" all.out'
check "its skipped result is counted skipped" grep -aq '^# skipped: 1$' all.out
check "scripts run side by side are shown in their order, each once" sh -c '
	grep -a "^# tests/harness/[^:]*$" all.out > order.txt && test "$(wc -l < order.txt)" = 8 &&
	LC_ALL=C sort -c order.txt'
check "  each followed by the seconds it took" \
	test "$(grep -ac "^# tests/harness/[a-z]*\.sh: [0-9][0-9]* s$" all.out)" = 8
(export QVAULT_JOBS=1; harness one-at-a-time.out 'tests/harness/*.sh')
check "one at a time, the same count" [ "$(tail -n 1 one-at-a-time.out)" = "8 passed, 7 failed" ]

harness pass.out tests/harness/pass.sh
check "tests/run on the passing script alone exits 0" [ "$(cat pass.out.rc)" = 0 ]
check "  its last line: 1 passed, 0 failed (the skip is neither)" [ "$(tail -n 1 pass.out)" = "1 passed, 0 failed" ]
harness one.out tests/harness/crash.sh
check "tests/run on the crashing script alone exits non-zero" [ "$(cat one.out.rc)" != 0 ]
check "  its last line: 1 passed, 1 failed" [ "$(tail -n 1 one.out)" = "1 passed, 1 failed" ]

# fails (lib.sh) itself: a refusal that changed the vault in any way is
# not one; each run in a subshell, its result line judged here
mkdir -p fv/sub && printf abc > fv/sub/f && ln -s sub/f fv/l && V=fv
refusal() { (n=0 RESULTS=$TMP/r.results; fails 1 'refused' "x" sh -c "$1; echo refused >&2; exit 1") > r.out; }
refusal true
check "fails: a refusal that leaves the vault as it was passes" grep -q '^ok 1 - x$' r.out
for change in 'printf abd > fv/sub/f' 'chmod 600 fv/sub/f' ': > fv/g' 'mv fv/sub/f fv/sub/h' \
	'ln -sf sub/h fv/l' 'rm fv/sub/f'; do
	rm -rf fv && mkdir -p fv/sub && printf abc > fv/sub/f && ln -s sub/f fv/l
	refusal "$change"
	check "fails: a refusal after which $change is not one" \
		sh -c 'grep -q "^not ok 1 - x$" r.out && grep -q "the vault changed" r.out'
done
rm -rf fv
refusal true
check "fails: a vault that does not exist, and still does not: unchanged" grep -q '^ok 1 - x$' r.out
refusal 'mkdir fv'
check "  made by the refusal: changed" grep -q '^not ok 1 - x$' r.out
(unset V; refusal true)
check "fails: with no vault named (V unset) no refusal passes" grep -q '^not ok 1 - x$' r.out

# day_stays (lib.sh): near midnight UTC a script waits for the day to
# change; far from it, it goes on at once (a `date` that says the time)
mkdir -p clock
printf '#!/bin/sh\necho "$FAKE_NOW"\n' > clock/date
chmod +x clock/date
check "day_stays: 2 s before midnight UTC, waits for it to pass" evalq '
	[ "$(PATH=$TMP/clock:$PATH FAKE_NOW=86398 day_stays 10)" = "# waiting 2 s for midnight UTC to pass: the script'"'"'s dates must not change" ]'
check "  100 s before it, with a window of 10 s: goes on, says nothing" evalq '
	[ -z "$(PATH=$TMP/clock:$PATH FAKE_NOW=$((86400 * 3 - 100)) day_stays 10)" ]'

# lacks (lib.sh): a page's CSRF token is no match, whatever it holds;
# the same characters anywhere else in the page are one
T=rc3gBbBFwJMl5ubBMT77L8xvmDC1_kOyQhoK8JOg2gR
page() { printf '<head><meta name="csrf" content="%s"></head><form><input type="hidden" name="csrf" value="%s">%s</form>\n' "$T" "$T" "$1" > body.json; }
page '<td>10</td>'
check "lacks: '77' and 'gR' inside the page's CSRF token alone: lacked" lacks -e 77 -e gR
check "  a pattern that matches the page elsewhere: not lacked" evalq '! lacks -e 99 -e "<td>10"'
page '<td>77</td>'
check "  '77' outside the token as well: not lacked" evalq '! lacks -e 77'
printf '{"csrf": "%s"}\n' "$T" > body.json
check "  a token elsewhere than a page's meta and form: no cut, a match" evalq '! lacks 77'
done_testing
