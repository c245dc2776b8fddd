#!/bin/sh
# A pull from a copy on this machine (t0123's packing by qvault) from a
# hostile peer, who controls its copy (stock git, ssh-keygen, files edited
# by hand) and holds a key of the vault (bob): each spelling of the copy
# that qvault packs itself is refused as libgit2's transport (a %-escaped
# URL) refuses it, one line, the vault byte for byte unchanged.
. "$(dirname "$0")/lib.sh"

peer_copy
make_pdf x.pdf "a drawing bob adds"
m=$(git -C peer.git rev-parse main)
forge_revision peer.git bob X-1 x.pdf
good=$(git -C peer.git rev-parse main)
git -C peer.git log -1 --format=%B main > msg
# sign TREE PARENT: a commit bob signed, its message msg
sign() { git -C peer.git -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$1" -p "$2" < "$TMP/msg"; }
# refused CODE PATTERN DESC: a pull from peer.git into a fresh copy
# of b fails as `fails` checks, as a path and as a %-escaped URL (libgit2)
refused() {
	rrc=$1 rpat=$2 rdesc=$3; shift 3
	for url in "$TMP/peer.git" "file://$TMP/p%65er.git"; do
		rm -rf p; cp -a b p; V=p
		fails "$rrc" "$rpat" "$rdesc ($url)" q -C p pull "$url"
	done
}
ok "the honest commit bob signed is taken from a path" evalq '
	rm -rf p; cp -a b p; q -C p pull "$TMP/peer.git" | grep -q "took the other site"'

# ---- what libgit2 1.5 does not read: replace refs, shallow, grafts --------------------------
# (a libgit2 that honoured them would walk other parents than the commit's,
# and pack other objects than verify then reads: the history taken must be
# the real one, and whole)
git -C peer.git commit-tree "$m^{tree}" -p "$m" -m "not bob's" > evil
git -C peer.git replace "$good" "$(cat evil)"
for how in replace shallow grafts; do
	case $how in
	shallow) git -C peer.git replace -d "$good" > /dev/null && echo "$good" > peer.git/shallow ;;
	grafts) rm peer.git/shallow && echo "$good $(git -C peer.git rev-parse "$m~1")" > peer.git/info/grafts ;;
	esac
	ok "a copy with $how: the real commit is taken, its history whole" evalq '
		rm -rf p && cp -a b p && q -C p pull "$TMP/peer.git" > /dev/null &&
		test "$(git -C p rev-parse main)" = "$good" &&
		git -C p fsck --connectivity-only --no-dangling > /dev/null 2>&1'
done
rm peer.git/info/grafts

# ---- what main is ---------------------------------------------------------------------------
git -C peer.git tag -a -m tag t1 "$good"
git -C peer.git rev-parse t1 > peer.git/refs/heads/main
refused 3 "is not a copy of this vault" "a main that is a tag is refused"
git -C peer.git rev-parse "$good^{tree}" > peer.git/refs/heads/main
refused 3 "is not a copy of this vault" "a main that is a tree is refused"
echo "ref: refs/heads/loop" > peer.git/refs/heads/main
echo "ref: refs/heads/main" > peer.git/refs/heads/loop
refused 1 "cannot fetch from .*cannot resolve reference" "a main that is a loop of symbolic refs is refused"
rm peer.git/refs/heads/loop
# a tree 20,000 folders deep (loose objects, written here): sent alone, not
# walked (git_packbuilder_insert_recur overflowed a 256 KB stack at it)
deep=$(python3 - peer.git 20000 <<'PY'
import hashlib, os, sys, zlib
repo, n = sys.argv[1], int(sys.argv[2])
def put(kind, body):
    raw = b'%s %d\0' % (kind, len(body)) + body
    h = hashlib.sha1(raw).hexdigest()
    os.makedirs(os.path.join(repo, 'objects', h[:2]), exist_ok=True)
    with open(os.path.join(repo, 'objects', h[:2], h[2:]), 'wb') as f:
        f.write(zlib.compress(raw, 1))
    return h
t = put(b'tree', b'100644 f\0' + bytes.fromhex(put(b'blob', b'x\n')))
for i in range(n):
    t = put(b'tree', b'40000 d\0' + bytes.fromhex(t))
print(t)
PY
)
echo "$deep" > peer.git/refs/heads/main
rm -rf p; cp -a b p; V=p
fails 3 "is not a copy of this vault" "a main that is a tree nested 20,000 deep is refused, not a crash" \
	sh -c 'ulimit -s 256 && exec q -C p pull "$1"' - "$TMP/peer.git"

# ---- what main leads to ------------------------------------------------------------------
git -C peer.git cat-file commit "$good" |
	sed 's/^parent .*/parent 1111111111111111111111111111111111111111/' > raw
git -C peer.git hash-object -t commit -w --literally "$TMP/raw" > peer.git/refs/heads/main
refused 1 "cannot fetch from .*object not found" "a commit whose parent is in neither vault is refused"
# the file a submodule (gitlink) in a commit, a file again in the next: the
# pack leaves the submodule out and the file with it (its parent 'holds' it);
# verify refuses the submodule
f=docs/$(dir_of X-1)/X-1/A/files/x.pdf
blob=$(git -C peer.git rev-parse "$good:$f")
GIT_DIR=peer.git GIT_INDEX_FILE=$TMP/i git read-tree "$good"
GIT_DIR=peer.git GIT_INDEX_FILE=$TMP/i git update-index --cacheinfo "160000,$blob,$f"
sub=$(sign "$(GIT_DIR=peer.git GIT_INDEX_FILE=$TMP/i git write-tree)" "$m")
sign "$(git -C peer.git rev-parse "$good^{tree}")" "$sub" > peer.git/refs/heads/main
refused 3 "does not verify: .*x\.pdf: is not a plain file or folder" \
	"a file that was a submodule in the commit before is refused"
# a loose object whose bytes are not its id's
git clone -q --bare --no-local a peer2.git
git -C peer.git push -q "$TMP/peer2.git" "$good:refs/heads/main"
o=peer2.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
chmod u+w "$o"
printf 'blob 5\0evil!' | python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))' > "$o"
rm -rf peer.git; mv peer2.git peer.git
refused 1 "cannot fetch from .*hash mismatch" "a loose object whose bytes are not its id's is refused"

# ---- where the copy is ---------------------------------------------------------------------
V=b
fails 1 "cannot fetch from .*could not find repository" "a URL naming a file is refused" \
	q -C b pull "$TMP/x.pdf"
fails 1 "cannot fetch from .*could not find repository" "file://localhost/../ is refused" \
	q -C b pull "file://localhost/../"
before=$(snapshot)
ok "a pull from the vault itself is up to date" evalq 'q -C b pull "$TMP/b" | grep -q "up to date"'
check "  and changes nothing" test "$before" = "$(snapshot)"

done_testing
