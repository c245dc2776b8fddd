#!/bin/sh
# verify at scale (issue 21): its signature checks wait in a bounded ring
# for the second thread, which keeps only the failures; a history of more
# checks than the ring holds must still have every bad signature found,
# each once, naming its own commit.  (Its memory is measured in bench/run,
# section 14, never here.)
. "$(dirname "$0")/lib.sh"

new_vault base
ssh-keygen -q -t ed25519 -N '' -C sid -f sid
q -C base --key admin.pem user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
ok "verify passes on the honest vault" q -C base verify

# a real signature by sid, over other bytes: registered key, wrong data
forge base sid "signed for real" "note.txt=sid.pub"
git -C base cat-file commit main | sed -n '/^gpgsig /,/END SSH SIGNATURE/p' > sig.hdr
check "a signature to copy" grep -q "END SSH SIGNATURE" sig.hdr
git -C base update-ref refs/heads/main main~1

# COUNT commits on main, each carrying that signature (loose objects
# written directly: signing each would take minutes)
COUNT=4500
python3 - base "$COUNT" sig.hdr <<'EOF'
import hashlib, os, subprocess, sys, zlib
repo, count, hdr = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read()
git = lambda *a: subprocess.check_output(("git", "-C", repo) + a).decode().strip()
parent, tree = git("rev-parse", "main"), git("rev-parse", "main^{tree}")
when = git("log", "-1", "--format=%ct", "main")
for i in range(count):
    body = ("tree %s\nparent %s\nauthor sid <sid@acme> %s +0000\ncommitter sid <sid@acme> %s +0000\n%s"
            "\ncopied signature %d\n\nQvault-Op: ack\n" % (tree, parent, when, when, hdr, i)).encode()
    raw = b"commit %d\0" % len(body) + body
    oid = hashlib.sha1(raw).hexdigest()
    d = os.path.join(repo, "objects", oid[:2])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, oid[2:]), "wb") as f:
        f.write(zlib.compress(raw))
    if i == 0:
        open("first", "w").write(oid)
    parent = oid
git("update-ref", "refs/heads/main", parent)
open("last", "w").write(parent)
EOF
check "the forged history is $COUNT commits longer" \
	test "$(git -C base rev-list --count main)" -eq $((COUNT + 3))

q -C base verify > v.out 2>&1
rc=$?
check "verify fails on it (exit 3)" test "$rc" -eq 3
grep "the commit's signature does not verify" v.out | cut -d' ' -f2 | tr -d : > bad.ids
check "every copied signature is found: $COUNT findings, more than the ring holds" \
	test "$(wc -l < bad.ids)" -eq "$COUNT"
check "  each once, each naming its own commit" test "$(sort -u bad.ids | wc -l)" -eq "$COUNT"
check "  the first forged commit among them" grep -qx "$(cut -c1-12 first)" bad.ids
check "  and the last" grep -qx "$(cut -c1-12 last)" bad.ids
check "  and the summary counts every commit and signature" \
	grep -Eq "^FAILED: $((COUNT + 3)) commits, $((COUNT + 3)) signatures" v.out

done_testing
