#!/bin/sh
# The lot ledger across a merge, attacked by a peer site that forges with
# stock git: a tree of its side that draws more than a lot holds is found
# whichever side verify counts first, and a pull of it is refused.  Verify
# counts the first parent's history, then the second's; on the second
# side the sum holds the first side's cancellations, so each commit there
# is judged on its own tree:
#  - a replacement of a notice the other site cancelled: the sum gives
#    the cancelled notice nothing, the side's own tree draws it all;
#  - a notice the other site added and cancelled, added again on this
#    side (the same record): counted once in the sum, drawn in the tree;
#  - a merge on the second side of two histories that each drew within
#    the lot (the first side cancelled what they shared): the merge adds
#    no record, its tree draws more than either parent's;
# and a change order on the second side is judged on what its own
# history received, not on the receipts of the other side (two honest
# sites: one received, the other cut the line; found with one side first
# only, and a pull refused one way round and not the other).
. "$(dirname "$0")/lib.sh"

lot_vault
# N1 draws 5 of the 10
q --key sam asn add --id N1 --po PO-1 --ship-date 2026-01-05 --package P1:L-1:5 > /dev/null 2>&1
cp -a v base
since=$(git -C base rev-parse main)

# copy_to VAULT FROM COMMIT: COMMIT of vault FROM (a single record's)
# committed again onto VAULT's main with stock git, its record and message
# as they are, dated as it is, signed by sam
copy_to() {
	cp_path=$(git -C "$2" diff-tree --no-commit-id --name-only -r "$3" | head -1)
	git -C "$2" show "$3:$cp_path" > copied.json
	cp_t="$(git -C "$2" log -1 --format=%ct "$3") +0000"
	GIT_AUTHOR_NAME=sam GIT_AUTHOR_EMAIL=sam@acme GIT_COMMITTER_NAME=sam \
		GIT_COMMITTER_EMAIL=sam@acme GIT_AUTHOR_DATE="$cp_t" GIT_COMMITTER_DATE="$cp_t" \
		forge "$1" sam "$(git -C "$2" log -1 --format=%B "$3")" "$cp_path=$TMP/copied.json"
}
# judged NAME PATTERN: ab and ba merged both ways hold the finding, a
# verify --since the base of each too, and a pulling b is refused
judged() {
	jp=$2
	merge_signed ab a b bob
	check "$1: merged, a's side first: found" culprit ab "$2"
	check "  and by verify --since the base" evalq \
		'q -C ab verify --since "$since" > o 2>&1; [ $? = 3 ] && grep -Eq -- "$jp" o'
	merge_signed ba b a bob
	check "  merged, b's side first: found" culprit ba "$2"
	check "  and by verify --since the base" evalq \
		'q -C ba verify --since "$since" > o 2>&1; [ $? = 3 ] && grep -Eq -- "$jp" o'
	V=a
	fails 3 "the history of 'file://.*/b' does not verify: .*$2" \
		"  a pulls b: refused, the vault unchanged" q -C a pull "file://$TMP/b"
}

# ---- a cancels N1; b replaces it, drawing 10 besides N0's 5 --------------------
rm -rf a b x; cp -a base a; cp -a base b; cp -a base x
q -C b --key sam asn add --id N0 --po PO-1 --ship-date 2026-01-05 --package P0:L-1:5 > /dev/null 2>&1
q -C a --key sam asn cancel N1 > /dev/null
# at b, qvault would refuse the replacement (5 left): written at x, where it fits
q -C x --key sam asn add --id N1 --replaces N1 --po PO-1 --ship-date 2026-01-06 \
	--package P1:L-1:10 > /dev/null 2>&1
copy_to b x main
check "b alone: N0 and N1's replacement draw 15 of 10, found" \
	culprit b "lot 'L-1' holds 10, but 15 are drawn from it in all"
ok "a alone verifies" q -C a verify
judged "replacement of a notice cancelled at a" "lot 'L-1' holds 10, but 15 are drawn from it in all"

# ---- a adds N2 and cancels it; b adds N0, then N2 too (a's own record) ---------
rm -rf a b; cp -a base a; cp -a base b
q -C b --key sam asn add --id N0 --po PO-1 --ship-date 2026-01-05 --package P0:L-1:5 > /dev/null 2>&1
q -C a --key sam asn add --id N2 --po PO-1 --ship-date 2026-01-06 --package P2:L-1:5 > /dev/null 2>&1
n2=$(git -C a rev-parse main)
q -C a --key sam asn cancel N2 > /dev/null
copy_to b a "$n2"
check "b alone: N1, N0 and N2 draw 15 of 10, found" \
	culprit b "lot 'L-1' holds 10, but 15 are drawn from it in all"
# (the full verify and the pull also find the record added on both sides)
merge_signed ab a b bob
check "the same notice on both sides, a's side first: found" \
	culprit ab "lot 'L-1' holds 10, but 15 are drawn from it in all"
check "  and by verify --since the base (no index)" evalq \
	'q -C ab verify --since "$since" > o 2>&1; [ $? = 3 ] &&
	 grep -q "lot .L-1. holds 10, but 15 are drawn from it in all" o'
merge_signed ba b a bob
check "  b's side first: found" culprit ba "lot 'L-1' holds 10, but 15 are drawn from it in all"

# ---- a cancels N1; b1 and b2 each ship 5; b merges them: 15 of 10 -------------
rm -rf a b b1 b2; cp -a base a; cp -a base b1; cp -a base b2
q -C a --key sam asn cancel N1 > /dev/null
q -C b1 --key sam asn add --id N3 --po PO-1 --ship-date 2026-01-05 --package P3:L-1:5 > /dev/null 2>&1
q -C b2 --key sam asn add --id N4 --po PO-1 --ship-date 2026-01-05 --package P4:L-1:5 > /dev/null 2>&1
ok "b1 and b2 each verify alone" evalq 'q -C b1 verify > /dev/null && q -C b2 verify > /dev/null'
merge_signed b b1 b2 bob
check "b merges them: N1, N3 and N4 draw 15 of 10, found" \
	culprit b "lot 'L-1' holds 10, but 15 are drawn from it in all"
judged "a merge on b's side" "lot 'L-1' holds 10, but 15 are drawn from it in all"

# ---- a receives N1 (5); b cuts line 1 to 3: each fine on its own -------------
rm -rf a b; cp -a base a; cp -a base b
q -C a --key bob asn receive --date 2026-01-10 N1 > /dev/null
q -C b --key bob po change PO-1 --line 1 --qty 3 --reason less > /dev/null
ok "a (received 5) and b (line 1 cut to 3) each verify" \
	evalq 'q -C a verify > /dev/null && q -C b verify > /dev/null'
merge_signed ab a b bob
ok "merged, a's side first: the change order judged on b's receipts (none)" q -C ab verify
merge_signed ba b a bob
ok "merged, b's side first: the same" q -C ba verify
ok "a pulls b: merged, as b pulls a" evalq '
	rm -rf a2 b2; cp -a a a2; cp -a b b2
	q -C a2 pull "file://$TMP/b" | grep -q merged && q -C b2 pull "file://$TMP/a" | grep -q merged'

done_testing
