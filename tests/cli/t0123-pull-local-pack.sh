#!/bin/sh
# A pull from a copy on this machine (file:///path, file://localhost/path,
# a path) is packed by qvault, not by libgit2's local transport: the pack
# it brings holds what is new, each commit's changes against its parents,
# and all of it (git fsck finds every object our new head leads to),
# after a fast-forward and after a merge.  A file:// URL with %-escapes
# still goes through libgit2.  A copy whose main is not a commit is
# refused, the vault unchanged.
. "$(dirname "$0")/lib.sh"

new_vault a
export QVAULT_DIR=a
add_docs 5
q clone "file://$TMP/a" b > /dev/null

# new_packs VAULT BEFORE: the packs of VAULT not listed in the file BEFORE
packs() { ls "$1"/objects/pack/*.idx 2> /dev/null | LC_ALL=C sort; }
new_packs() { packs "$1" | LC_ALL=C comm -13 "$2" -; }
# objects_in IDX: how many objects the pack holds
objects_in() { git verify-pack -v "$1" | grep -Ec '^[0-9a-f]{40} (commit|tree|blob|tag) '; }
# brought_what_is_new VAULT BEFORE FROM TO: one new pack in VAULT holding
# exactly the objects TO leads to and FROM does not (git rev-list, in a)
brought_what_is_new() {
	set -- "$(new_packs "$1" "$2")" "$3" "$4" "$1"
	test "$(printf '%s\n' "$1" | grep -c .)" = 1 &&
	test "$(objects_in "$1")" = "$(git -C a rev-list --objects "$3" "^$2" | wc -l)" &&
	git -C "$4" fsck --connectivity-only --no-dangling > /dev/null 2>&1
}

# ---- a fast-forward, from each spelling of a local path ------------------------------------
k=0
for url in "file://$TMP/a" "file://localhost$TMP/a" "$TMP/a"; do
	k=$((k + 1))
	make_pdf "n$k.pdf" "new at A, $k"
	was=$(git -C b rev-parse main)
	q add "n$k.pdf" --doc "N-$k" --type other > /dev/null
	packs b > before
	ok "b pulls one new commit from $url" evalq 'q -C b pull "$url" | grep -q "took the other site"'
	check "  the pack it brought holds that commit's new objects, and b's history is whole" \
		brought_what_is_new b before "$was" "$(git -C a rev-parse main)"
	check "  b has it, and verifies" evalq 'q -C b list | grep -q "^N-$k" && q -C b verify > /dev/null'
done
packs b > before
ok "a pull with nothing new says so" evalq 'q -C b pull "$TMP/a" | grep -qi "up to date"'
check "  and brings no pack" test -z "$(new_packs b before)"

# ---- a merge: both sites wrote since they parted ------------------------------------------
make_pdf b1.pdf "new at B"
q -C b add b1.pdf --doc B-1 --type other > /dev/null
make_pdf a1.pdf "new at A again"
make_pdf a2.pdf "and once more"
q add a1.pdf --doc A-1 --type other > /dev/null
q add a2.pdf --doc A-2 --type other > /dev/null
git -C b rev-parse main > ours
packs b > before
ok "b pulls A's two commits and merges them with its own" evalq '
	q -C b pull "file://$TMP/a" | grep -q "merged"'
check "  the pack holds A's new objects only, and the merged history is whole" evalq '
	git -C a fetch -q "$TMP/b" main:refs/heads/fromb &&
	brought_what_is_new b before "$(cat ours)" "$(git -C a rev-parse main)"'
check "  the merge verifies" q -C b verify

# ---- %-escapes: libgit2's transport, as before ----------------------------------------------
cp -a a "a x"
make_pdf e.pdf "from a folder with a space"
q -C "a x" add e.pdf --doc E-1 --type other > /dev/null
ok "a file:// URL with %-escapes is fetched through libgit2" evalq '
	q -C b pull "file://$TMP/a%20x" > /dev/null && q -C b list | grep -q "^E-1"'

# ---- a copy whose main is not a commit -------------------------------------------------
git clone -q --bare a blob.git
# (git update-ref will not point a branch at a file: the ref written as a file)
blob=$(git -C blob.git rev-parse 'main:vault.json')
echo "$blob" > blob.git/refs/heads/main
V=b
fails 3 "is not a copy of this vault|is not a vault" "a copy whose main names a file is refused, the vault unchanged" \
	q -C b pull "file://$TMP/blob.git"

done_testing
