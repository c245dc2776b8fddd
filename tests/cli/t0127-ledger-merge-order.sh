#!/bin/sh
# The lot ledger across a merge: its findings do not depend on which side
# of the merge verify counts first.  Verify counts the first parent's
# history, then the second's; the sum in between is of no real tree.
#  - site a ships the whole lot and cancels; site b ships the whole lot:
#    no tree ever drew more than the lot holds (merged: 10 of 10), with
#    either side first;
#  - site a cancels the notice that drew the whole lot; site b ships the
#    whole lot again beside it: b's own tree drew 20 of 10, with either
#    side first (counted after a's cancellation, the sum showed 10);
#  - both sites ship the whole lot: the merge draws 20 of 10, found with
#    either side first, and a pull refuses it either way round.
. "$(dirname "$0")/lib.sh"

lot_vault
cp -a v base

# sites A B: fresh copies of the base as a and b
sites() { rm -rf a b; cp -a base a; cp -a base b; }

# ---- shipped and cancelled at a, shipped at b: never more than 10 of 10 ---------
# shipped_and_cancelled: sites a (A1 ships the lot, then is cancelled) and b (B1 ships it)
shipped_and_cancelled() {
	sites
	q -C a --key sam asn add --id A1 --po PO-1 --ship-date 2099-12-10 --package P1:L-1:10 > /dev/null 2>&1
	q -C a --key sam asn cancel A1 > /dev/null
	q -C b --key sam asn add --id B1 --po PO-1 --ship-date 2099-12-11 --package P2:L-1:10 > /dev/null 2>&1
}
shipped_and_cancelled
ok "a ships the lot and cancels; b ships the lot: each verifies alone" \
	evalq 'q -C a verify > /dev/null && q -C b verify > /dev/null'
merge_signed ab a b bob
ok "merged, a's side first: verify holds (10 of 10 drawn)" q -C ab verify
merge_signed ba b a bob
ok "merged, b's side first: verify holds too (b's 10, then a's 10 given back)" q -C ba verify
ok "  asn list shows A1 cancelled and B1 shipped" \
	evalq 'q -C ba asn list | grep -q "^A1 .* cancelled$" && q -C ba asn list | grep -q "^B1 .* shipped$"'
ok "b pulls a: merged" evalq 'q -C b pull "file://$TMP/a" | grep -q merged'
ok "  and verifies" q -C b verify
shipped_and_cancelled
ok "a pulls b: merged, and verifies" \
	evalq 'q -C a pull "file://$TMP/b" | grep -q merged && q -C a verify > /dev/null'

# ---- cancelled at a, shipped again at b beside it: b's own tree drew 20 ----------
rm -rf base2; cp -a base base2
q -C base2 --key sam asn add --id N1 --po PO-1 --ship-date 2099-12-09 --package P0:L-1:10 > /dev/null 2>&1
rm -rf a b x; cp -a base2 a; cp -a base2 b; cp -a base2 x
q -C a --key sam asn cancel N1 > /dev/null
# at b, qvault would refuse N2 (the lot has 0 left): N2 as qvault writes
# it where N1 is cancelled (x), added at b beside N1 with stock git, signed by sam
q -C x --key sam asn cancel N1 > /dev/null
q -C x --key sam asn add --id N2 --po PO-1 --ship-date 2099-12-12 --package P9:L-1:10 > /dev/null 2>&1
n2=$(git -C x diff-tree --no-commit-id --name-only -r main | grep '/asn.json$')
git -C x show "main:$n2" > n2.json
# dated as x's commit, as its record is
nt="$(git -C x log -1 --format=%ct main) +0000"
GIT_AUTHOR_NAME=sam GIT_AUTHOR_EMAIL=sam@acme GIT_COMMITTER_NAME=sam GIT_COMMITTER_EMAIL=sam@acme \
	GIT_AUTHOR_DATE="$nt" GIT_COMMITTER_DATE="$nt" forge b sam "$(git -C x log -1 --format=%B main)" "$n2=$TMP/n2.json"
check "b alone: N1 and N2 draw 20 of 10, found" culprit b "lot 'L-1' holds 10, but 20 are drawn from it in all"
merge_signed ab a b bob
check "merged, a's side (N1 cancelled) first: b's commit still found, on its own tree" \
	culprit ab "lot 'L-1' holds 10, but 20 are drawn from it in all"
merge_signed ba b a bob
check "merged, b's side first: found" culprit ba "lot 'L-1' holds 10, but 20 are drawn from it in all"
V=a
fails 3 "the history of 'file://.*/b' does not verify: .*lot 'L-1' holds 10, but 20 are drawn from it in all" \
	"a pulls b: refused, the vault unchanged" q -C a pull "file://$TMP/b"

# ---- both ship the whole lot: the merge draws 20 of 10, either side first --------
sites
q -C a --key sam asn add --id A1 --po PO-1 --ship-date 2099-12-10 --package P1:L-1:10 > /dev/null 2>&1
q -C b --key sam asn add --id B1 --po PO-1 --ship-date 2099-12-11 --package P2:L-1:10 > /dev/null 2>&1
merge_signed ab a b bob
check "merged, a's side first: the merge found drawing 20 of 10" \
	culprit ab "^commit $(git -C ab rev-parse --short=12 main): .*lot 'L-1' holds 10, but 20 are drawn from it in all"
merge_signed ba b a bob
check "merged, b's side first: the same" \
	culprit ba "^commit $(git -C ba rev-parse --short=12 main): .*lot 'L-1' holds 10, but 20 are drawn from it in all"
check "  one finding each" evalq '
	q -C ab verify > o1 2>&1; q -C ba verify > o2 2>&1
	grep -q "FAILED: .* 1 finding$" o1 && grep -q "FAILED: .* 1 finding$" o2'
V=a
fails 3 "the history of 'file://.*/b' does not verify: .*lot 'L-1' holds 10, but 20 are drawn from it in all" \
	"a pulls b: refused, the vault unchanged" q -C a pull "file://$TMP/b"
V=b
fails 3 "the history of 'file://.*/a' does not verify: .*lot 'L-1' holds 10, but 20 are drawn from it in all" \
	"b pulls a: refused, the vault unchanged" q -C b pull "file://$TMP/a"

done_testing
