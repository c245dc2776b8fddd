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

done_testing
