#!/bin/sh
# Attack: a tree that names one folder under two names, again and again.
# 48 levels of it are 50 objects and 2^48 paths, in a commit a registered
# user signed: the local pull's packer, verify's walk of a commit and the
# index walked it path by path, a finding kept for each, without end (a
# pull ran out its 600 s clock; verify never ended).  Now a commit's walk
# stops at 16,000,000 paths, and verify's at 1,000 findings of a commit.
. "$(dirname "$0")/lib.sh"

peer_copy

# dag_commit DEPTH: peer.git's main one commit on, signed by bob, adding zz/,
# a tree of DEPTH levels each naming the one below as a/ and b/ (a file f at
# the bottom), written as loose objects by hand
dag_commit() {
	git -C peer.git update-ref refs/heads/main "$(git -C a rev-parse main)"
	dag=$(python3 - peer.git "$1" <<'PY'
import hashlib, os, sys, zlib
repo, n = sys.argv[1], int(sys.argv[2])
def put(kind, body):
    raw = b'%s %d\0' % (kind, len(body)) + body
    h = hashlib.sha1(raw).hexdigest()
    d = os.path.join(repo, 'objects', h[:2])
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, h[2:])
    if not os.path.exists(p):
        open(p, 'wb').write(zlib.compress(raw, 1))
    return h
t = put(b'tree', b'100644 f\0' + bytes.fromhex(put(b'blob', b'x\n')))
for i in range(n):
    t = put(b'tree', b'40000 a\0' + bytes.fromhex(t) + b'40000 b\0' + bytes.fromhex(t))
print(t)
PY
)
	tree=$({ git -C peer.git ls-tree main; printf '040000 tree %s\tzz\n' "$dag"; } | git -C peer.git mktree)
	c=$(printf 'add a folder\n\nQvault-Op: add\n' |
		git -C peer.git -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$tree" -p main)
	git -C peer.git update-ref refs/heads/main "$c"
}

dag_commit 48
V=b
fails 1 "cannot fetch from '.*peer.git': a commit changes too many paths$" \
	"a pull from a copy on this machine holding 2^48 paths: refused" q -C b pull "$TMP/peer.git"
fails 3 "does not verify: zz/(a/){48}f: adds an unexpected path in commit [0-9a-f]{12}$" \
	"  through libgit2's transport (a %-escape in the URL): refused, by its first finding" \
	q -C b pull "file://$TMP/p%65er.git"

# what a push of it brings, verified since the base as the pre-receive hook
# does: the walk from base to tip stopped at its bound is one more finding
# (it was an error that dropped the findings, and verify crashed on none)
cp -a b v48
base=$(git -C v48 rev-parse main)
git -C v48 fetch -q "$TMP/peer.git" main:refs/heads/main
check "verify --since the base of a commit of 2^48 paths: exit 3, no crash" evalq '
	q -C v48 verify --since "$base" > v48.out 2> v48.err; [ $? = 3 ]'
check "  the commit's walk stopped at 1,000 findings, and the files' walk at its bound" sh -c '
	grep -q "^commit [0-9a-f]\{12\}: more than 1000 findings" v48.out &&
	grep -q "^commit [0-9a-f]\{12\}: the commit changes more than 16000000 paths$" v48.out &&
	tail -n 1 v48.out | grep -q "^FAILED: 1 commits, .*; 1003 findings$"'
check "  nothing on stderr" sh -c '! grep -v "^$" v48.err | grep -qv AddressSanitizer'
rm -rf v48

# a plain git server with the sample pre-receive hook refuses the push
git init -q --bare srv.git
cp "$TESTS_DIR/../../hooks/pre-receive" srv.git/hooks/
export QVAULT_BIN="$QVAULT"
git -C a push -q "$TMP/srv.git" main
check "pre-receive: a push of a commit of 2^48 paths is refused by its first finding" sh -c '
	! git -C peer.git push ../srv.git main 2> push.err &&
	grep -q "qvault: refused: commit [0-9a-f]\{12\}: zz/\(a/\)\{48\}f: adds an unexpected path" push.err &&
	test "$(git -C srv.git rev-parse main)" = "$(git -C a rev-parse main)"'

# verify of a vault holding such a commit (brought in around qvault): its
# own walk stops at 1,000 findings, and the index's at 16,000,000 paths
# (at depth 12, 4,096 paths, so that the check is quick: the bound on the
# findings is what ends it)
dag_commit 12
cp -a b v
git -C v fetch -q "$TMP/peer.git" main:refs/heads/main
check "verify of a vault holding 4,096 forged paths under one commit ends, exit 3" evalq '
	q -C v verify > v.out 2> v.err; [ $? = 3 ]'
check "  saying the walk of the commit stopped" \
	grep -q "^commit [0-9a-f]\{12\}: more than 1000 findings: the rest of the commit's changes were not looked at$" v.out
check "  after 1,000 of its findings, not 4,096" \
	sh -c 'test "$(grep -c "adds an unexpected path\|is not a" v.out)" -le 1000'
check "  nothing on stderr" sh -c '! grep -v "^$" v.err | grep -qv AddressSanitizer'

# a head whose docs/ names one folder 16 times at each of 4 levels: 65,536
# revision folders of 6 objects.  Full verify's walk of the head's files
# took each (a finding each, without end at 1,000 names a level); now it
# stops at the first folder more than the history added.  And a folder's
# name of 1,100 bytes is a finding, not an error that dropped the others.
forged_docs() { # VAULT DOCS-TREE: VAULT's main one commit on, docs/ replaced, signed by bob
	tree=$({ git -C "$1" ls-tree main | grep -v '	docs$'; printf '040000 tree %s\tdocs\n' "$2"; } |
		git -C "$1" mktree)
	c=$(printf 'add\n\nQvault-Op: add\n' |
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$tree" -p main)
	git -C "$1" update-ref refs/heads/main "$c"
}
cp -a b vd
t=$(printf '100644 blob %s\tx\n' "$(printf 'x\n' | git -C vd hash-object -w --stdin)" | git -C vd mktree)
for lvl in 1 2 3 4; do
	t=$(i=0; while [ $i -lt 16 ]; do printf '040000 tree %s\tn%02d\n' "$t" $i; i=$((i + 1)); done |
		git -C vd mktree)
done
forged_docs vd "$t"
check "verify of a head of 65,536 forged revision folders: exit 3" evalq '
	q -C vd verify > vd.out 2> vd.err; [ $? = 3 ]'
check "  its files' walk stopped past the revisions the history added (1)" \
	grep -q "^docs: the tree holds more revision folders than the history added (1): a folder named twice" vd.out
check "  after a few findings, not 65,536" sh -c 'test "$(wc -l < vd.out)" -lt 1100'
check "  nothing on stderr" sh -c '! grep -v "^$" vd.err | grep -qv AddressSanitizer'
cp -a b vl
t=$(printf '100644 blob %s\tx\n' "$(printf 'x\n' | git -C vl hash-object -w --stdin)" | git -C vl mktree)
forged_docs vl "$(printf '040000 tree %s\t%s\n' "$t" "$(head -c 1100 /dev/zero | tr '\0' d)" | git -C vl mktree)"
check "verify of a head with a folder's name of 1,100 bytes under docs/: exit 3" evalq '
	q -C vl verify > vl.out 2> vl.err; [ $? = 3 ]'
check "  a finding, listed with the others" sh -c '
	grep -q "^docs: a folder'"'"'s path is too long to check$" vl.out && test "$(grep -c . vl.out)" -ge 3'
check "  nothing on stderr" sh -c '! grep -v "^$" vl.err | grep -qv AddressSanitizer'

done_testing
