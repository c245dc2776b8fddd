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

vault_v
# sam's key is ssh-keygen's, so that stock git signs as sam too
ssh-keygen -q -t ed25519 -N '' -C sam -f sam
q --key "$TMP/admin.pem" user add sam --org acme --role supplier --pubkey sam.pub > /dev/null
make_pdf open.pdf "a drawing"
q release DWG-1 --rev A open.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@A > /dev/null
q --key sam lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
ssh-keygen -q -t ed25519 -N '' -C bob -f bob
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
cp -a v base

# merge M FIRST SECOND: in vault M (a copy of FIRST), a stock-git merge of
# FIRST's main (first parent) and SECOND's (second), signed by bob
merge() {
	rm -rf "$1"; cp -a "$2" "$1"
	git -C "$1" fetch -q "$TMP/$3" main:refs/heads/other
	mt=$(git -C "$1" merge-tree --write-tree main other)
	mc=$(GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob \
		GIT_COMMITTER_EMAIL=bob@owner git -C "$1" -c gpg.format=ssh \
		-c user.signingkey="$TMP/bob" commit-tree -S "$mt" -p main -p other \
		-m "merge $3

Qvault-Op: merge
Qvault-Remote: file://$TMP/$3")
	git -C "$1" update-ref refs/heads/main "$mc"
	git -C "$1" update-ref -d refs/heads/other
}
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
merge ab a b
ok "merged, a's side first: verify holds (10 of 10 drawn)" q -C ab verify
merge ba b a
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
merge ab a b
check "merged, a's side (N1 cancelled) first: b's commit still found, on its own tree" \
	culprit ab "lot 'L-1' holds 10, but 20 are drawn from it in all"
merge ba b a
check "merged, b's side first: found" culprit ba "lot 'L-1' holds 10, but 20 are drawn from it in all"
V=a
fails 3 "the history of 'file://.*/b' does not verify: .*lot 'L-1' holds 10, but 20 are drawn from it in all" \
	"a pulls b: refused, the vault unchanged" q -C a pull "file://$TMP/b"

# ---- both ship the whole lot: the merge draws 20 of 10, either side first --------
sites
q -C a --key sam asn add --id A1 --po PO-1 --ship-date 2099-12-10 --package P1:L-1:10 > /dev/null 2>&1
q -C b --key sam asn add --id B1 --po PO-1 --ship-date 2099-12-11 --package P2:L-1:10 > /dev/null 2>&1
merge ab a b
check "merged, a's side first: the merge found drawing 20 of 10" \
	culprit ab "^commit $(git -C ab rev-parse --short=12 main): .*lot 'L-1' holds 10, but 20 are drawn from it in all"
merge ba b a
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
