#!/bin/sh
# qvault verify trusts nothing: each tampering, done around qvault with
# stock git, makes it fail (exit 3) naming the culprit.
. "$(dirname "$0")/lib.sh"

new_vault base
export GIT_AUTHOR_NAME=mallory GIT_AUTHOR_EMAIL=m@evil GIT_COMMITTER_NAME=mallory GIT_COMMITTER_EMAIL=m@evil
q key generate -o sam.pem -c sam | head -n 1 > sam.pub
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in sid rex stranger; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q -C base --key admin.pem user add sam --org acme --role supplier --pubkey sam.pub > /dev/null
q -C base --key admin.pem user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q -C base --key admin.pem user add rex --org acme --role supplier --pubkey rex.pub > /dev/null
make_pdf c.pdf "rev C"
make_pdf d.pdf "rev D"
make_pdf x.pdf "something else entirely"
q -C base release DWG-1 --rev C c.pdf --to acme > /dev/null
q -C base --key sam.pem ack DWG-1@C > /dev/null
q -C base release DWG-1 --rev D d.pdf --to acme > /dev/null
q -C base add x.pdf --doc DWG-2 --type drawing > /dev/null
q -C base --key admin.pem user revoke rex > /dev/null

ok "verify passes on an honest vault" q -C base verify
check "  and says what it checked" sh -c 'q -C base verify | grep -q "^ok: 10 commits, 10 signatures, 1 acknowledgments, 3 files checked; 0 findings"'
check "verify --json" sh -c 'q -C base verify --json | grep -q "\"ok\": true"'

C=$(git -C base ls-tree -r --name-only main | grep 'DWG-1/C/record.json' | sed 's|/record.json||')
D=$(git -C base ls-tree -r --name-only main | grep 'DWG-1/D/record.json' | sed 's|/record.json||')
X=$(git -C base ls-tree -r --name-only main | grep 'DWG-2/A/record.json' | sed 's|/record.json||')

tamper() { rm -rf "$1"; cp -a base "$1"; }

make_pdf evil.pdf "swapped bytes"
tamper t1
forge t1 - "fix typo" "$C/files/c.pdf=evil.pdf"
check "a file's blob swapped by a plain git commit is caught" \
	culprit t1 "$C: file 'c.pdf' does not match its recorded SHA-256"
check "  and so is the commit that did it" culprit t1 "commit [0-9a-f]{12}: $C/files/c.pdf: rewrites a record"

tamper t2
printf '{}\n' > note.json
forge t2 - "add a note" "users/mallory/user.json=note.json"
check "an unsigned commit is caught" culprit t2 "commit [0-9a-f]{12}: the commit is not signed"

tamper t3
cp c.pdf c2.pdf
forge t3 stranger "add a drawing" "docs/aa/bb/DWG-9/A/files/c.pdf=c2.pdf"
check "a commit signed by an unregistered key is caught" \
	culprit t3 "the commit is signed by an unregistered key SHA256:"

tamper t4
printf '{"record":"release","format":1,"doc":"DWG-2","rev":"A","to":["acme"],"released_by":"sid","released_at":"2026-01-01T00:00:00Z"}\n' > rel.json
forge t4 sid "release DWG-2@A" "$X/release.json=rel.json"
check "a supplier's key releasing a drawing, forged around the CLI, is caught" \
	culprit t4 "$X/release.json: user 'sid' may not release documents"

# a buyer's own key, releasing to one organization twice (release refuses
# --to acme,acme): a record that would count acme's receipt twice
tamper t4b
ssh-keygen -q -t ed25519 -N '' -C bea -f bea
q -C t4b --key admin.pem user add bea --org owner --role buyer --pubkey bea.pub > /dev/null
printf '{"record":"release","format":1,"doc":"DWG-2","rev":"A","to":["acme","acme"],"released_by":"bea","released_at":"%s"}\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" > rel2.json
GIT_AUTHOR_NAME=bea GIT_AUTHOR_EMAIL=bea@owner GIT_COMMITTER_NAME=bea GIT_COMMITTER_EMAIL=bea@owner \
	forge t4b bea "$(printf 'release DWG-2@A\n\nQvault-Op: release\nQvault-Doc: DWG-2\nQvault-Rev: A')" \
	"$X/release.json=rel2.json"
check "a buyer's release naming acme twice, forged around the CLI, is caught" \
	culprit t4b "$X/release.json: release record is malformed"
check "  verify lists it among all its findings, the index's among them" evalq '
	q -C t4b verify > t4b.out; [ $? = 3 ] &&
	grep -q "^commit [0-9a-f]\{12\}: $X/release.json: the record is malformed" t4b.out &&
	grep -q "^index: the history cannot be indexed: $X/release.json: release record is malformed\$" t4b.out &&
	tail -n 1 t4b.out | grep -q "^FAILED: .*; 2 findings\$"'
check "  while a command that needs the index stops at the one reason" evalq '
	q -C t4b list > t4b.out 2>&1; [ $? = 3 ] &&
	grep -qx "qvault: $X/release.json: release record is malformed" t4b.out'

tamper t5
git -C base show "main:$C/acks/sam-received.json" | sed 's/"received"/"approved"/' > edited.json
forge t5 sid "touch up" "$C/acks/sam-received.json=edited.json"
check "an acknowledgment edited after signing is caught" \
	culprit t5 "$C/acks/sam-received.json: the acknowledgment's signature does not verify"

tamper t6
git -C base show "main:$C/acks/sam-received.json" > moved.json
git -C base show "main:$C/acks/sam-received.json.sig" > moved.json.sig
forge t6 sid "ack D" "$D/acks/sam-received.json=moved.json" "$D/acks/sam-received.json.sig=moved.json.sig"
check "a valid acknowledgment moved to another revision is caught" \
	culprit t6 "$D/acks/sam-received.json: the acknowledgment of 'DWG-1@C' is stored under 'DWG-1@D'"
check "  its digests name other bytes too" \
	culprit t6 "does not name the SHA-256 of 'd.pdf' of 'DWG-1@D'"

tamper t7
forge t7 rex "late ack" "docs/aa/bb/DWG-7/A/files/c.pdf=c2.pdf"
check "a signature by a revoked key, dated after the revocation, is caught" \
	culprit t7 "the commit is signed by revoked user 'rex'"

tamper t9
ssh-keygen -q -t ed25519 -N '' -C zoe -f zoe
q -C t9 --key admin.pem user add zoe --org zenith --role supplier --pubkey zoe.pub > /dev/null
q -C t9 po add PO-1 --supplier acme --line PN-1:5:DWG-1@D > /dev/null
L=$(printf 'L-666' | sha256sum | cut -c1-4)
printf '{"record":"lot","format":1,"lot":"L-666","po":"PO-1","part":"PN-1","qty":5,"from":[],"supplier":"acme","created_by":"zoe","created_at":"2026-01-01T00:00:00Z"}\n' > lot.json
forge t9 zoe "lot add L-666" "lots/$(echo $L | cut -c1-2)/$(echo $L | cut -c3-4)/L-666/lot.json=lot.json"
check "a supplier's lot for another supplier's PO, forged around the CLI, is caught" \
	culprit t9 "lot.json: user 'zoe' of 'zenith' records a lot of 'acme''s PO 'PO-1'"

tamper t8
sqlite3 t8/qvault/index.db "UPDATE files SET sha256 = 'bad' WHERE name = 'x.pdf'"
check "an index that disagrees with the repository is caught" \
	culprit t8 "index: the index disagrees with the repository on files"
ok "  and reindex mends it" sh -c 'q -C t8 reindex && q -C t8 verify'

# an index SQLite cannot read (a page of its audit trail overwritten): the
# comparison that cannot run is a finding, not an agreement; reindex
# makes a new index (one emptied in place fails on the damaged page)
# damage VAULT TABLE: 200 bytes of a page of TABLE in VAULT's index
# overwritten (the WAL written back first: its pages are read before the
# file's)
damage() {
	sqlite3 "$1/qvault/index.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
	python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek((int(sys.argv[2]) - 1) * int(sys.argv[3]) + 8); f.write(b"\xff" * 200)' \
		"$1/qvault/index.db" \
		"$(sqlite3 "$1/qvault/index.db" "SELECT pageno FROM dbstat WHERE name = '$2' AND pagetype = 'leaf' LIMIT 1")" \
		"$(sqlite3 "$1/qvault/index.db" "PRAGMA page_size")"
}
tamper t11
damage t11 events
check "a damaged index is caught" \
	culprit t11 "index: the index cannot be read on audit trail: database disk image is malformed"
ok "  and reindex mends it" sh -c 'q -C t11 reindex && q -C t11 verify'
# the new index is built beside the damaged one and copied over it only
# once whole: a history that cannot be indexed leaves the vault as it was
rm -rf t12; cp -a t4b t12
damage t12 events
V=t12
fails 3 "^qvault: $X/release.json: release record is malformed$" \
	"  a damaged index of a history that cannot be indexed: reindex refuses, the vault as it was" \
	q -C t12 reindex
# a table of the index dropped: a finding, and reindex makes it whole
tamper t14
sqlite3 t14/qvault/index.db "DROP TABLE acks"
check "an index a table was dropped from is caught" \
	culprit t14 "index: the index cannot be read on acknowledgments: no such table: kept.acks"
ok "  and reindex mends it" sh -c 'q -C t14 reindex && q -C t14 verify'
# Every table of the index is compared, not a chosen few: an index
# changed where none was compared (a revoked user made active again, in
# the table the commands that answer from the index alone read; a
# revision's review date) passed verify.
tamper t15
sqlite3 t15/qvault/index.db "UPDATE users SET revoked = 0 WHERE name = 'rex'"
verify_finds "^index: the index disagrees with the repository on users \(2 rows" \
	"an index making a revoked user active again is caught" t15
tamper t16
sqlite3 t16/qvault/index.db "UPDATE revisions SET review_by = '2000-01-01' WHERE doc = 'DWG-2'"
verify_finds "^index: the index disagrees with the repository on revisions \(2 rows" \
	"  a revision's review date changed in the index alone: caught" t16
# and SQLite's own check: an entry of the index over users' keys changed
# in its page alone (the table untouched: a search by key finds another
# row than a scan), its name's bytes swapped for another user's
tamper t17
sqlite3 t17/qvault/index.db "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
python3 -c '
import sys
path, page, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = open(path, "r+b"); f.seek((page - 1) * size); b = bytearray(f.read(size))
i = b.find(b"rex"); assert i > 0
b[i:i + 3] = b"sam"; f.seek((page - 1) * size); f.write(bytes(b))' \
	t17/qvault/index.db \
	"$(sqlite3 t17/qvault/index.db "SELECT pageno FROM dbstat WHERE name = 'users_key' AND pagetype = 'leaf' LIMIT 1")" \
	"$(sqlite3 t17/qvault/index.db "PRAGMA page_size")"
check "  (the table itself reads as before)" evalq '
	[ "$(sqlite3 t17/qvault/index.db "SELECT count(*) FROM users WHERE name = '"'rex'"'")" = 1 ]'
verify_finds "^index: the index is damaged: .*users_key" \
	"an index entry of users' keys changed in its page alone: SQLite's check finds it" t17
ok "  and reindex mends it" sh -c 'q -C t17 reindex && q -C t17 verify'

# a row of files naming a revision that is not there: the next write's
# number would adopt it (helper-119: a supplier then read an owner-only
# drawing through it); the comparison's join dropped it
tamper t19
sqlite3 t19/qvault/index.db "INSERT INTO files SELECT 999, pos, name, sha256, blob, size, mime, findings FROM files LIMIT 1"
verify_finds "^index: the index disagrees with the repository on files" \
	"an index row naming a revision that is not there: caught" t19
# two events of the audit trail swapped (their numbers, which the
# comparison leaves out): qvault log showed an old write as the newest
tamper t20
sqlite3 t20/qvault/index.db "UPDATE events SET seq = -seq WHERE seq IN (SELECT max(seq) FROM events UNION SELECT max(seq) - 1 FROM events);
	UPDATE event_subjects SET event = -event WHERE event IN (SELECT max(seq) FROM events UNION SELECT max(seq) - 1 FROM events);
	UPDATE events SET seq = CASE WHEN -seq = (SELECT max(-seq) FROM events WHERE seq < 0) THEN -seq - 1 ELSE -seq + 1 END WHERE seq < 0;
	UPDATE event_subjects SET event = CASE WHEN -event = (SELECT max(-event) FROM event_subjects WHERE event < 0) THEN -event - 1 ELSE -event + 1 END WHERE event < 0"
verify_finds "^index: the index's audit trail puts commit [0-9a-f]{12} before its parent [0-9a-f]{12}" \
	"the audit trail's last two events swapped in the index alone: caught" t20
# and on a merge's other side: two commits a pull brought in, swapped in
# the puller's index (each is after its parent in the history, not after
# all the walk put before it: the check by order alone passed them)
tamper t20m
git init -q --bare t20hub.git
q -C t20m remote add hub "file://$TMP/t20hub.git" > /dev/null
q -C t20m push hub > /dev/null
q clone "file://$TMP/t20hub.git" t20b > /dev/null
make_pdf m1.pdf "side one"
make_pdf m2.pdf "side two"
make_pdf m3.pdf "this side"
q -C t20b add m1.pdf --doc DWG-31 --type drawing > /dev/null
q -C t20b add m2.pdf --doc DWG-32 --type drawing > /dev/null
q -C t20m add m3.pdf --doc DWG-33 --type drawing > /dev/null
q -C t20m --key admin.pem pull "file://$TMP/t20b" > /dev/null
ok "  (the merged vault verifies)" q -C t20m verify
S1=$(git -C t20m rev-parse main^2~1) S2=$(git -C t20m rev-parse main^2)
check "  (the pull's merge has DWG-31 and DWG-32 on its other side)" evalq '
	[ "$(git -C t20m log --format=%s main^1..main^2 | tr "\n" " ")" = "add DWG-32@A add DWG-31@A " ]'
sqlite3 t20m/qvault/index.db "
	CREATE TEMP TABLE s AS SELECT (SELECT seq FROM events WHERE commit_id = '$S1') a,
		(SELECT seq FROM events WHERE commit_id = '$S2') b;
	UPDATE events SET seq = -seq WHERE seq IN (SELECT a FROM s UNION SELECT b FROM s);
	UPDATE event_subjects SET event = -event WHERE event IN (SELECT a FROM s UNION SELECT b FROM s);
	UPDATE events SET seq = CASE WHEN -seq = (SELECT a FROM s) THEN (SELECT b FROM s) ELSE (SELECT a FROM s) END WHERE seq < 0;
	UPDATE event_subjects SET event = CASE WHEN -event = (SELECT a FROM s) THEN (SELECT b FROM s) ELSE (SELECT a FROM s) END WHERE event < 0"
check "  (qvault log then shows DWG-31's add as the later of the two)" evalq '
	q -C t20m log | grep -o "DWG-3[12]" | head -n 2 | tr "\n" " " | grep -qx "DWG-31 DWG-32 "'
verify_finds "^index: the index's audit trail puts commit ${S2%${S2#????????????}} before its parent ${S1%${S1#????????????}}" \
	"two events of a merge's other side swapped in the index alone: caught" t20m
# every event renumbered 3 lower (each still after its parents): qvault
# log reads from 1, and the oldest went unseen (helper-122)
tamper t20n
sqlite3 t20n/qvault/index.db "UPDATE events SET seq = seq - 3; UPDATE event_subjects SET event = event - 3"
check "  (qvault log then leaves out the first writes)" evalq '
	[ "$(q -C t20n log | wc -l)" -lt "$(q -C base log | wc -l)" ]'
verify_finds "^index: the index's audit trail is numbered from -2 to [0-9]+, not 1 to [0-9]+" \
	"the audit trail renumbered below 1 in the index alone: caught" t20n
# and the index's definitions: a trigger an outsider added (every user
# a write puts in made an admin), a column's collation changed (two
# names one to a search)
tamper t18
sqlite3 t18/qvault/index.db "CREATE TRIGGER promote AFTER INSERT ON users BEGIN UPDATE users SET roles = 7 WHERE name = new.name; END"
verify_finds "^index: the index's trigger promote is not as qvault defines it" \
	"an index with a trigger of an outsider's: caught" t18
ok "  and reindex mends it" sh -c 'q -C t18 reindex && q -C t18 verify'

# damaged where it says which commit it reflects: the next command
# rebuilds it, and says so
tamper t13
damage t13 meta
ok "  an index damaged where it says what it reflects: the next command rebuilds it, and says so" sh -c '
	q -C t13 list > /dev/null 2> t13.err && q -C t13 verify > /dev/null &&
	grep -q "^qvault: warning: the index was unreadable (.*malformed); rebuilding it from the repository$" t13.err'
check "the honest vault still passes" q -C base verify

# verify rebuilds an index beside the vault's own and compares the two:
# a verify killed half way (no clean-up of its own runs) leaves nothing of
# it in TMPDIR.  A vault of 150 commits (written by the build without
# sanitizers, when there is one: faster) takes this build seconds to
# verify; it is stopped as soon as a file shows in its TMPDIR (a scratch
# index that has a name), or after 0.3 s, then killed.
tamper t10
W=q; [ ! -x "${QVAULT_PLAIN:-}" ] || W=$QVAULT_PLAIN
i=0
while [ $i -lt 150 ]; do
	"$W" -C t10 add x.pdf --doc "K-$i" --type drawing > /dev/null || break
	i=$((i + 1))
done
mkdir td
TMPDIR=$TMP/td q -C t10 verify > /dev/null 2>&1 &
VP=$!
i=0
# (SQLite's own temporary files, the scratch index among them, have a
# name for the microseconds between their open and their unlink: one
# seen is looked at again 50 ms later, and only one still there counts;
# stopped in that window, a process leaves one behind, which the loop
# seeing it made likely on a loaded machine)
while [ $i -lt 30 ] && { [ -z "$(ls td)" ] || { sleep 0.05; [ -z "$(ls td)" ]; }; } &&
	kill -0 $VP 2> /dev/null; do sleep 0.01; i=$((i + 1)); done
check "a verify stopped half way ..." kill -STOP $VP
check "  leaves no scratch index in its TMPDIR while it runs" sh -c '[ -z "$(ls td)" ]'
kill -KILL $VP; wait $VP 2> /dev/null
check "  nor once killed" sh -c '[ -z "$(ls -A td)" ]'

# libgit2 keeps a cache of delta bases for each pack it has open: verify
# lets go of the packs (the walk's and the index rebuild's, in turn) when
# its memory reaches qvault.verifyHeap, and opens them again.  At 1 byte
# it does so at each look (every 16 ms at most): each time, a pack index
# read again (strace) where one read serves the whole run, and the same
# findings, on an honest history and on a forged one.  (LeakSanitizer
# cannot run under strace: off there.)
git -C t10 repack -adq
check "verify of the vault packed" evalq 'q -C t10 verify > heap0.out'
git -C t10 config qvault.verifyHeap 1
check "  with qvault.verifyHeap at 1 byte, verify lets go of the packs between commits" evalq '
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 strace -f -qq -e trace=openat -o heap.trace q -C t10 verify > heap1.out &&
	[ "$(grep -c "pack-[0-9a-f]*\.idx" heap.trace)" -gt 5 ]'
check "  and finds the same" cmp heap0.out heap1.out
git -C t10 config --unset qvault.verifyHeap
# (a HOME of its own: a qvault.verifyHeap in the user's global config
# would count here)
mkdir -p nohome
check "  (at its default, the pack index opened a few times, not at each commit: by the vault's opening, then twice by each of verify's two readers, checked and then read)" evalq '
	HOME=$PWD/nohome XDG_CONFIG_HOME=$PWD/nohome ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 \
		strace -f -qq -e trace=openat -o heap.trace q -C t10 verify > /dev/null &&
	[ "$(grep -c "pack-[0-9a-f]*\.idx" heap.trace)" -le 5 ]'
forge t10 - "add a note" "users/mallory/user.json=note.json"
q -C t10 verify > heap2.out 2>&1
git -C t10 config qvault.verifyHeap 1
check "  a forged history: the same findings, the packs let go of or not" evalq '
	q -C t10 verify > heap3.out 2>&1; [ $? = 3 ] && grep -q "the commit is not signed" heap3.out &&
	cmp heap2.out heap3.out'
git -C t10 config qvault.verifyHeap 0
V=t10
fails 1 "^qvault: git config qvault.verifyHeap must be a size in bytes, from 1 \(e\.g\. 64m\)$" \
	"a qvault.verifyHeap of 0 is refused" q -C t10 verify
git -C t10 config qvault.verifyHeap lots
fails 1 "^qvault: git config qvault.verifyHeap must be a size" "  and one that is no size" q -C t10 verify

# verify reads the packs with pread (packread.c), mapping none of them:
# libgit2 maps each pack index whole, and over a long walk its lookups
# make every page of them resident (20 bytes an object; 119 MB at the
# 5,953,763 objects of bench section 18's million revisions).  A vault of
# three packs (three imports) and deltas (a copy repacked): verify finds
# the same in both, and maps no pack file but what opening the vault read
# (through libgit2, before the walk): old verify read none with pread.
git -C t10 config --unset qvault.verifyHeap
new_vault tp
for b in 1 2 3; do
	mkdir -p imp$b
	i=0
	while [ $i -lt 20 ]; do make_pdf imp$b/d$i.pdf "batch $b file $i"; i=$((i + 1)); done
	{
		echo '['
		i=0
		while [ $i -lt 20 ]; do
			[ $i -gt 0 ] && echo ','
			echo "{\"file\": \"imp$b/d$i.pdf\", \"doc\": \"P-$i\", \"type\": \"drawing\"}"
			i=$((i + 1))
		done
		echo ']'
	} > imp$b.json
	q -C tp import imp$b.json > /dev/null
done
check "a vault of three packs" sh -c '[ "$(ls tp/objects/pack/*.idx | wc -l)" -ge 3 ]'
check "  verify reads the packs with pread, and maps no pack file after its first read" evalq '
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 strace -f -qq -y -e trace=mmap,pread64 -o maps.trace \
		q -C tp verify > packs0.out &&
	awk "/pread64\\(.*pack-[0-9a-f]*\\.idx>/ { p = 1 } p && /mmap\\(.*pack-[0-9a-f]*\\.(idx|pack)>/ { m++ }
	     END { exit !(p && m == 0) }" maps.trace'
check "  and finds what it found" grep -q "^ok: 5 commits.* 0 findings$" packs0.out
cp -R tp tq
git -C tq repack -adfq --depth=50
check "  repacked into one pack of deltas, the same" evalq '
	[ "$(ls tq/objects/pack/*.idx | wc -l)" = 1 ] && q -C tq verify > packs1.out && cmp packs0.out packs1.out'
forge tq - "add a note" "users/mallory/user.json=note.json"
git -C tq repack -adfq
check "  and a forged commit in it found" evalq '
	q -C tq verify > packs2.out 2>&1; [ $? = 3 ] && grep -q "the commit is not signed" packs2.out'

# Packs stock git accepts but never writes, an index of version 1, and
# packs an outsider on a replica's disk made (tests/cli/packcraft.py):
# verify reads what git reads, refuses the rest with its reason, and
# neither hangs nor holds more than a link of a delta chain at once.
PK="python3 $TESTS_DIR/packcraft.py"
# crafted NAME SIZE: a vault of one drawing of about SIZE bytes, packed
# without deltas; the drawing's blob in $blob
crafted() {
	new_vault "$1"
	python3 -c 'import sys; open(sys.argv[1], "wb").write(b"%PDF-1.4\n% " + b"A" * int(sys.argv[2]) +
		b"\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")' "$1.pdf" "$2"
	q -C "$1" add "$1.pdf" --doc D-1 --type drawing > /dev/null
	blob=$(git -C "$1" rev-parse "main:$(git -C "$1" ls-tree -r --name-only main | grep "$1.pdf\$")")
	git -C "$1" repack -adq --window=0
}
crafted cv1 100
git -C cv1 -c pack.indexVersion=1 repack -adfq
check "an index of version 1 (pack.indexVersion=1) is read" evalq '
	[ "$(head -c 4 cv1/objects/pack/*.idx | od -An -tx1 | tr -d " ")" != ff744f63 ] &&
	q -C cv1 verify | grep -q "^ok: .* 0 findings$"'
crafted cch 200000
$PK chain cch/objects/pack "$blob" 400 > /dev/null
check "a chain of 400 deltas of 200 KB each, which git accepts, is verified in 350 MB of address space" evalq '
	git -C cch fsck --no-dangling > /dev/null 2>&1 &&
	(ulimit -v 350000; "$QVAULT_PLAIN" -C cch verify) | grep -q "^ok: .* 0 findings$"'
crafted clp 100
$PK refloop clp/objects/pack "$blob" 1000000 > /dev/null
verify_finds "the file cannot be read: .*: a delta chain that loops" \
	"two deltas of 1 MB each naming the other as its base: a finding at once" clp
crafted cbig 100
$PK bigsize cbig/objects/pack "$blob" 1125899906842624 > /dev/null
verify_finds "the file cannot be read: .*: an object larger than its bytes can inflate to" \
	"a blob saying it is 2^50 bytes: a finding, nothing allocated" cbig
crafted cfifo 100
cp cfifo/objects/pack/pack-*.idx cfifo/objects/pack/pack-ffffffffffffffffffffffffffffffffffffffff.idx
mkfifo cfifo/objects/pack/pack-ffffffffffffffffffffffffffffffffffffffff.pack
V=cfifo
fails 1 "pack-f*\.pack: at 0: not a regular file" "a pack that is a FIFO is refused, not waited on" \
	timeout 60 "$QVAULT" -C cfifo verify
crafted cmany 100
$PK many cmany/objects/pack 600
check "601 packs, 1024 descriptors: verify holds no more than 256 indexes and 32 packs open" evalq '
	(ulimit -n 1024; q -C cmany verify) | grep -q "^ok: .* 0 findings$"'

# One object in two packs: a read by name finds one copy, and git reads
# the newest pack first.  An outsider's newer pack filing another
# drawing's bytes under D-1's name: git cat-file shows the forgery, and
# verify, which read the honest copy, passed it.  Now every name two
# packs hold is read in each and hashed.
crafted cdup 100
make_pdf cdup2.pdf "a forged drawing"
q -C cdup add cdup2.pdf --doc D-2 --type drawing > /dev/null
b2=$(git -C cdup rev-parse "main:$(git -C cdup ls-tree -r --name-only main | grep 'cdup2.pdf$')")
git -C cdup repack -adq --window=0
cp -R cdup cdup-honest
# honest: the same bytes in a second pack (a pack-objects of what is there)
echo "$blob" | git -C cdup-honest pack-objects -q objects/pack/pack > /dev/null
check "an object two packs hold alike passes" evalq '
	[ "$(ls cdup-honest/objects/pack/*.idx | wc -l)" = 2 ] &&
	q -C cdup-honest verify | grep -q "^ok: .* 0 findings$"'
touch -d "-1 hour" cdup/objects/pack/pack-*
forged=$($PK dupe cdup/objects/pack "$blob" "$b2")
check "  a newer pack holding another drawing under D-1's name: git shows the forgery" evalq '
	git -C cdup cat-file -p "$blob" | grep -q "a forged drawing"'
verify_finds "^objects/pack/${forged##*/}\.pack: object $blob: more than one copy of it is held, and the one here is another object" \
	"  verify finds it, naming the pack" cdup
# the same in one pack: its index naming D-1 twice, the second entry
# another drawing's (git's search may land on either)
crafted csame 100
make_pdf csame2.pdf "a forged drawing"
q -C csame add csame2.pdf --doc D-2 --type drawing > /dev/null
b2=$(git -C csame rev-parse "main:$(git -C csame ls-tree -r --name-only main | grep 'csame2.pdf$')")
git -C csame repack -adq --window=0
same=$($PK samename csame/objects/pack "$blob" "$b2")
verify_finds "^objects/pack/${same##*/}\.pack: object $blob: more than one copy of it is held, and the one here is another object" \
	"one pack's index naming D-1 twice, once over another drawing's bytes: found" csame

# One index listing D-1's name 100,000 times, at its one offset: read
# once, and said (helper-117: each listing was read and hashed, a
# million of them about 77 minutes).
crafted crel 100
$PK relist crel/objects/pack "$blob" 100000
verify_finds "^objects/pack/pack-[0-9a-f]*\.pack: object $blob: the pack's index lists it more than once" \
	"an index listing D-1's name 100,000 times: a finding, each place read once" crel

# A pack and a loose object holding the same name: git reads packs
# first, verify's file check streams the loose copy.  An outsider's pack
# filing another drawing's bytes under the name of D-1's loose blob made
# git cat-file show the forgery while verify passed the vault (helper-117;
# the sweep compared packs with packs only).  Now loose names join the
# sweep, and every place that holds a name is hashed.
new_vault clo
make_pdf clo.pdf "the honest drawing"
q -C clo add clo.pdf --doc D-1 --type drawing > /dev/null
lblob=$(git -C clo rev-parse "main:$(git -C clo ls-tree -r --name-only main | grep 'clo.pdf$')")
cp -R clo clo-honest
git -C clo-honest repack -q
check "objects both loose and packed alike (a repack without -d) pass" evalq '
	[ -f "clo-honest/objects/$(echo "$lblob" | cut -c1-2)/$(echo "$lblob" | cut -c3-)" ] &&
	[ "$(ls clo-honest/objects/pack/*.idx | wc -l)" = 1 ] &&
	q -C clo-honest verify | grep -q "^ok: .* 0 findings$"'
cp -R clo clof
make_pdf clof2.pdf "a forged drawing"
q -C clof add clof2.pdf --doc D-2 --type drawing > /dev/null
lb2=$(git -C clof rev-parse "main:$(git -C clof ls-tree -r --name-only main | grep 'clof2.pdf$')")
git -C clof repack -adq --window=0
lforged=$($PK dupe clof/objects/pack "$lblob" "$lb2")
cp -R clo clo-alt
mkdir -p cloalt/pack
cp "$lforged".pack "$lforged".idx cloalt/pack/
echo "$PWD/cloalt" > clo-alt/objects/info/alternates
mv "$lforged".pack "$lforged".idx clo/objects/pack/
check "a pack filing another drawing under the name of D-1's loose blob: git shows the forgery" evalq '
	git -C clo cat-file -p "$lblob" | grep -q "a forged drawing"'
verify_finds "^objects/pack/${lforged##*/}\.pack: object $lblob: more than one copy of it is held, and the one here is another object" \
	"  verify finds it, naming the pack" clo
verify_finds "^$PWD/cloalt/pack/${lforged##*/}\.pack: object $lblob: more than one copy of it is held, and the one here is another object" \
	"  the same pack in an alternate: found, naming its file" clo-alt
# the other way: a loose copy, another drawing's bytes, of a packed blob
crafted clp2 100
lname=objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
make_pdf clp2-forged.pdf "a forged drawing"
$PK loose clp2/objects "$blob" clp2-forged.pdf
verify_finds "^$lname: object $blob: more than one copy of it is held, and the one here is another object" \
	"a loose copy of a packed blob, another drawing's bytes: found, naming the file" clp2
$PK loose clp2/objects "$blob" -garbage
verify_finds "^$lname: object $blob: more than one copy of it is held, and the one here cannot be read: " \
	"  a loose copy that is no object: found" clp2
# files in the fan-out folders that are no object's (a name too short,
# upper case) are nothing to git, and nothing to verify
crafted clp3 100
mkdir -p clp3/objects/ab
echo junk > clp3/objects/ab/cd
echo junk > "clp3/objects/ab/$(printf '%038d' 0 | tr 0 E)"
check "  files in objects/xx/ that name no object are passed over" evalq '
	q -C clp3 verify | grep -q "^ok: .* 0 findings$"'

# What helper-118 found past the first sweep of loose objects.
# A forged pack named evil.idx, evil.pack: git and libgit2 read any
# X.idx, the pack reader read only pack-X.idx.
cp -R clo-honest cev
make_pdf cev2.pdf "a forged drawing"
cp -R cev cev-src
q -C cev-src add cev2.pdf --doc D-2 --type drawing > /dev/null
eb2=$(git -C cev-src rev-parse "main:$(git -C cev-src ls-tree -r --name-only main | grep 'cev2.pdf$')")
git -C cev-src repack -adq --window=0
ef=$($PK dupe cev-src/objects/pack "$lblob" "$eb2")
touch -d "-1 hour" cev/objects/pack/pack-*
mv "$ef.idx" cev/objects/pack/evil.idx; mv "$ef.pack" cev/objects/pack/evil.pack
check "a forged pack named evil.pack: git shows the forgery" evalq '
	git -C cev cat-file -p "$lblob" | grep -q "a forged drawing"'
verify_finds "^objects/pack/evil\.pack: object $lblob: more than one copy of it is held, and the one here is another object" \
	"  verify reads it, and names it" cev
# an alternate whose line git unquotes ("..." with an octal escape)
cp -R clo cqa
mkdir -p cqalt/pack; cp cloalt/pack/* cqalt/pack/
printf '"%s/cq\\141lt"\n' "$PWD" > cqa/objects/info/alternates
check "an alternate written as a quoted string (git unquotes it): git shows the forgery" evalq '
	git -C cqa cat-file -p "$lblob" | grep -q "a forged drawing"'
verify_finds "^$PWD/cqalt/pack/${lforged##*/}\.pack: object $lblob: more than one copy" \
	"  verify reads it as git does, and finds it" cqa
# and as git splits its entries (helper-119): text after a quoted path's
# closing quote is another entry, past one byte; a CR is part of a path;
# a quoted path may hold a newline
for k in after cr nl; do cp -R clo "cqa-$k"; done
printf '"/nowhere"X%s/cqalt\n' "$PWD" > cqa-after/objects/info/alternates
mkdir -p "$(printf 'cq-cr\r')"; cp -R cqalt/pack "$(printf 'cq-cr\r')/"
printf '%s/cq-cr\r\n' "$PWD" > cqa-cr/objects/info/alternates
mkdir -p "$(printf 'cq\nnl')"; cp -R cqalt/pack "$(printf 'cq\nnl')/"
printf '"%s/cq\nnl"\n' "$PWD" > cqa-nl/objects/info/alternates
for k in after cr nl; do
	check "  an alternate git reads ($k): git shows the forgery, verify finds it" evalq '
		git -C "cqa-$k" cat-file -p "$lblob" | grep -q "a forged drawing" &&
		{ q -C "cqa-$k" verify > "cqa-$k.out"; [ $? = 3 ]; } &&
		grep -q "object $lblob: more than one copy of it is held, and the one here is another object" "cqa-$k.out"'
done
# a FIFO named like a packed tree, and one like the drawing's packed
# blob: each a finding, no wait (the loose copy was opened blocking)
crafted cff 100
tree=$(git -C cff rev-parse "main^{tree}")
mkdir -p "cff/objects/$(echo "$tree" | cut -c1-2)"
mkfifo "cff/objects/$(echo "$tree" | cut -c1-2)/$(echo "$tree" | cut -c3-)"
check "a FIFO named like a packed tree: a finding, not a wait" evalq '
	timeout 60 "$QVAULT" -C cff verify | grep -q "^objects/$(echo "$tree" | cut -c1-2)/.*: object $tree: .*not a regular file"'
# a loose copy whose header says 20 GB, in 100 bytes: refused unread
crafted cbomb 100
python3 -c '
import sys, zlib, os
d = os.path.join(sys.argv[1], sys.argv[2][:2]); os.makedirs(d, exist_ok=True)
open(os.path.join(d, sys.argv[2][2:]), "wb").write(zlib.compress(b"blob 20000000000\0" + b"x" * 50))' \
	cbomb/objects "$blob"
check "a loose copy saying it is 20 GB in 100 bytes: a finding, in 300 MB of address space" evalq '
	(ulimit -v 300000; "$QVAULT_PLAIN" -C cbomb verify) | grep -q "a size its bytes cannot inflate to"'
# a fan-out folder that is a loop of links: its objects hidden from
# git too; said, and the other findings kept (it stopped verify, every
# finding dropped).  One no loose object is in: the names are random,
# and a loop in place of a folder that held the vault's own objects
# would be another finding (it was, now and then: objects/ff)
cp -R clo cloop
mv "$lforged".pack "$lforged".idx cloop/objects/pack/ 2> /dev/null ||
	cp clo/objects/pack/"${lforged##*/}".* cloop/objects/pack/
for x in $(seq 255 -1 0); do fan=$(printf %02x "$x"); [ -e "cloop/objects/$fan" ] || break; done
ln -s "$fan" "cloop/objects/$fan"
V=cloop
q -C cloop verify > cloop.out 2>&1; rc=$?
check "a fan-out folder that is a loop of links: exit 3, said, and the forged pack still found" evalq '
	[ $rc = 3 ] && grep -q "^objects/$fan: Too many levels of symbolic links" cloop.out &&
	grep -q "^objects/pack/${lforged##*/}\.pack: object $lblob: more than one copy" cloop.out'
# one fan-out folder reached again through an alternate (its 00..ff
# links to the vault's): read once, each finding said once
cp -R clp2 cshare
mkdir -p cshalt
for d in cshare/objects/[0-9a-f][0-9a-f]; do ln -s "$PWD/$d" "cshalt/${d##*/}"; done
echo "$PWD/cshalt" > cshare/objects/info/alternates
$PK loose cshare/objects "$blob" clp2-forged.pdf
q -C cshare verify > cshare.out 2>&1
check "a fan-out folder linked from an alternate: read once, its finding said once" evalq '
	[ "$(grep -c "object $blob: more than one copy" cshare.out)" = 1 ]'
# replace refs, grafts, a shallow file, a commondir: what makes git show
# another history than the objects say (qvault writes none of them)
crafted crep 100
make_pdf crep2.pdf "a forged drawing"
q -C crep add crep2.pdf --doc D-2 --type drawing > /dev/null
rb2=$(git -C crep rev-parse "main:$(git -C crep ls-tree -r --name-only main | grep 'crep2.pdf$')")
git -C crep update-ref "refs/replace/$blob" "$rb2"
check "a replace ref: git shows the forgery for D-1" evalq '
	git -C crep cat-file -p "$blob" | grep -q "a forged drawing"'
verify_finds "^refs/replace/$blob: git shows another object in place of $blob" \
	"  verify names the ref" crep
# HEAD naming another branch, or a commit: git log and git show HEAD:
# read that history; notes, which git log shows beside the commits
crafted chd 100
git -C chd update-ref refs/heads/other main~1
git -C chd symbolic-ref HEAD refs/heads/other
verify_finds "^HEAD: it names refs/heads/other, not refs/heads/main" "HEAD naming another branch: a finding" chd
git -C chd update-ref --no-deref HEAD "$(git -C chd rev-parse main~1)"
verify_finds "^HEAD: it names a commit of its own" "  a detached HEAD: a finding" chd
git -C chd update-ref --no-deref HEAD "$(git -C chd rev-parse refs/heads/main)"
check "  one at the vault's tip: no finding" evalq 'q -C chd verify | grep -q "^ok: .* 0 findings$"'
git -C chd symbolic-ref HEAD refs/heads/master
check "  one naming a branch never written (a server's bare repository): no finding" evalq '
	q -C chd verify | grep -q "^ok: .* 0 findings$"'
# HEAD and the branch as git reads them where libgit2 reads otherwise
# (helper-121): blanks after "ref:", a branch file "ref:" with none, the
# branch a link whose text names another, names git takes before main
O=$(git -C chd rev-parse main~1)
printf 'ref:  refs/heads/other\n' > chd/HEAD
check "HEAD 'ref:' and two blanks: git shows the other branch" evalq '
	[ "$(git -C chd rev-parse HEAD)" = "$O" ]'
verify_finds "^HEAD: it is not as git writes it" "  verify says so (libgit2 found no such branch)" chd
printf 'ref: \trefs/heads/other\n' > chd/HEAD
verify_finds "^HEAD: it is not as git writes it" "  and a tab after 'ref: '" chd
git -C chd symbolic-ref HEAD refs/heads/master
printf 'ref:refs/heads/other\n' > chd/refs/heads/master
check "HEAD naming master, master 'ref:refs/heads/other': git shows the other branch" evalq '
	[ "$(git -C chd rev-parse HEAD)" = "$O" ]'
verify_finds "^HEAD: it names refs/heads/master, not refs/heads/main" "  verify says so" chd
rm chd/refs/heads/master
git -C chd symbolic-ref HEAD refs/heads/main
cp -R chd chl
mkdir -p chl/refs/heads/refs/heads
git -C chl rev-parse main > chl/refs/heads/refs/heads/other
rm -f chl/refs/heads/main
ln -s refs/heads/other chl/refs/heads/main
check "main a link whose text is refs/heads/other: git log shows that branch" evalq '
	[ "$(git -C chl rev-parse main)" = "$O" ] && [ "$(git -C chl rev-parse HEAD)" = "$O" ]'
verify_finds "^refs/heads/main: it is a symbolic link: git reads its text" \
	"  verify says so (libgit2 read the file it reaches, the tip)" chl
for rn in refs/tags/main refs/main main; do
	rm -rf chm; cp -R chd chm
	echo "$O" > "chm/$rn"
	check "'$rn' written: git log main shows it" evalq '
		[ "$(git -C chm rev-parse main 2> /dev/null)" = "$O" ]'
	verify_finds "^$rn: git log main reads it before refs/heads/main" "  verify says so" chm
done
# packed-refs and a branch's file as git writes them, or a finding
# (helper-122): main listed twice (libgit2 kept the last, git the first
# of its sort), a name outside refs/, main a "ref:" to a branch that is
# a link
H=$(git -C chd rev-parse main)
cp -R chd cpk
git -C cpk pack-refs --all
printf '# pack-refs with: peeled\n%s refs/heads/main\n%s refs/heads/main\r\n' "$O" "$H" > cpk/packed-refs
check "main packed twice, the second with a CR: git shows the first" evalq '
	[ "$(git -C cpk rev-parse main)" = "$O" ]'
verify_finds "^packed-refs:3: a name git reads otherwise than libgit2" "  verify says so (libgit2 read the second)" cpk
printf '# pack-refs with: peeled\n%s refs/heads/main\n%s refs/heads/main\n' "$O" "$H" > cpk/packed-refs
verify_finds "^packed-refs:3: names out of order or listed twice" "  and main packed twice plainly" cpk
rm -rf cpk; cp -R chd cpk
printf '# pack-refs with: peeled fully-peeled sorted \n%s main\n' "$O" > cpk/packed-refs
check "'main' packed outside refs/: git log main shows it" evalq '
	[ "$(git -C cpk rev-parse main 2> /dev/null)" = "$O" ]'
verify_finds "^packed-refs:2: a name git reads otherwise than libgit2, or outside refs/" \
	"  verify says so" cpk
rm -rf cpk; cp -R chd cpk
git -C cpk pack-refs --all
git -C cpk update-ref refs/tags/t1 "$O"
git -C cpk -c user.name=t -c user.email=t@t tag -a -m "an annotated tag" t2 "$O"
git -C cpk pack-refs --all
check "  (honest: packed by git, a tag peeled among them)" evalq '
	grep -q "^\^" cpk/packed-refs && q -C cpk verify | grep -q "^ok: .* 0 findings$"'
rm -rf cpk; cp -R chd cpk
git -C cpk update-ref refs/heads/evil "$O"
mkdir -p cpk/refs/heads/refs/heads
echo "$H" > cpk/refs/heads/refs/heads/evil
ln -s refs/heads/evil cpk/refs/heads/y
printf 'ref: refs/heads/y\n' > cpk/refs/heads/main
check "main 'ref: refs/heads/y', y a link whose text is refs/heads/evil: git shows evil" evalq '
	[ "$(git -C cpk rev-parse main)" = "$O" ]'
verify_finds "^refs/heads/main: it is not as git writes a branch" "  verify says so" cpk
rm -rf cpk; cp -R chd cpk
ln -sf refs/heads/main cpk/HEAD
check "HEAD a link to refs/heads/main (core.preferSymlinkRefs): no finding" evalq '
	q -C cpk verify | grep -q "^ok: .* 0 findings$"'
# a .git in the vault, a folder or a file naming one: git reads it, not the vault
cp -R chd cdg
git clone -q --bare chd cdg-forged.git
git -C cdg-forged.git update-ref refs/heads/main "$O"
echo "gitdir: $PWD/cdg-forged.git" > cdg/.git
check "a .git file in the vault naming another repository: git log shows that" evalq '
	[ "$(git -C cdg rev-parse main)" = "$O" ]'
verify_finds "^\.git: git reads the repository it is or names, not the vault.s" "  verify says so" cdg
rm cdg/.git
mv cdg-forged.git cdg/.git
check "  and a .git folder: git log shows its history" evalq '[ "$(git -C cdg rev-parse main)" = "$O" ]'
verify_finds "^\.git: git reads the repository it is or names" "  verify says so" cdg
crafted cnt 100
git -C cnt -c user.name=e -c user.email=e@e notes add -m "D-1 was withdrawn" main
verify_finds "^refs/notes/commits: git log shows its notes" "notes: a finding" cnt
# the vault's git config and attributes: notes from elsewhere, a
# mailmap, a textconv filter (helper-120)
crafted ccf 100
git -C ccf config core.notesRef refs/tags/n
verify_finds "^config: core.notesref: git shows the history otherwise" "core.notesRef set: a finding" ccf
git -C ccf config --unset core.notesRef
echo "*.pdf diff=forge" > ccf/info/attributes
verify_finds "^info/attributes: git applies its attributes" "info/attributes: a finding" ccf
# settings that print a forger's text or run a forger's program as git
# shows the history, and includes git follows by rules libgit2 does not
# share (helper-121); the settings of an honest operator are none of them
rm ccf/info/attributes
git -C ccf config gc.auto 0
git -C ccf config pack.threads 1
git -C ccf config log.showSignature true
git -C ccf config gpg.format ssh
git -C ccf config remote.hub.url /nowhere
check "  an honest operator's settings: no finding" evalq 'q -C ccf verify | grep -q "^ok: .* 0 findings$"'
git -C ccf config --unset log.showSignature
git -C ccf config format.pretty "format:%H Author: Chief Engineer"
check "format.pretty set: git log prints the forger's author" evalq '
	git -C ccf log -1 | grep -q "Author: Chief Engineer"'
verify_finds "^config: format.pretty: git shows the history otherwise" "  verify says so" ccf
git -C ccf config --unset format.pretty
for k in log.date core.pager pager.log gpg.ssh.program gpg.ssh.revocationFile diff.external \
	 diff.forge.command alias.lg blame.ignoreRevsFile; do
	git -C ccf config "$k" "format:2019-03-01"
	kl=$(echo "$k" | tr A-Z a-z)
	verify_finds "^config: $kl: git shows the history otherwise" "$k set: a finding" ccf
	git -C ccf config --unset "$k"
done
printf '[core]\n\tnotesRef = refs/tags/n\n' > ccf-inc.cfg
git -C ccf config 'includeIf.hasconfig:remote.*.url:**.path' "$PWD/ccf-inc.cfg"
check "an include git follows (on any remote) setting core.notesRef: git reads it" evalq '
	[ "$(git -C ccf config core.notesRef)" = refs/tags/n ]'
verify_finds "^config: includeif\.hasconfig:remote\.\*\.url:\*\*\.path: git shows" "  verify names the include" ccf
git -C ccf config --remove-section 'includeIf.hasconfig:remote.*.url:**'
cp ccf-inc.cfg ccf/config.worktree
git -C ccf config extensions.worktreeConfig true
verify_finds "^config.worktree: git reads its settings" "a config.worktree file: a finding" ccf
verify_finds "^config: extensions.worktreeconfig: git shows" "  and the setting that reads it" ccf
rm ccf/config.worktree
git -C ccf config --unset extensions.worktreeConfig
# a value continued by a backslash, an empty line after it: git ends it
# there, libgit2 joins the next line, and the two read other settings
# (helper-122)
cp ccf/config ccf-config.saved
printf '\tx = y\\\n\n[format]\n\tpretty = "format:%%H Author: Chief Engineer"\n' >> ccf/config
check "a continued line, then [format] pretty: git log prints the forger's author" evalq '
	git -C ccf log -1 | grep -q "Author: Chief Engineer"'
verify_finds "^config:[0-9]+: a line continued by a backslash" "  verify says so" ccf
cp ccf-config.saved ccf/config
# a comment ending in a backslash, and core.bare with no value (true, as
# git reads it): git and libgit2 read them alike (helper-123)
printf '# backups go to D:\\vaults\\\n[core]\n\tbare\n' >> ccf/config
check "  a comment ending in a backslash, core.bare with no value: no finding" evalq '
	[ "$(git -C ccf rev-parse --is-bare-repository)" = true ] &&
	q -C ccf verify | grep -q "^ok: .* 0 findings$"'
cp ccf-config.saved ccf/config
# the vault taken for a work tree: git reads .mailmap from the folder
git -C ccf config core.bare false
printf 'Chief Engineer <ce@owner> <%s>\n' "$(git -C ccf log -1 --format=%ae)" > ccf/.mailmap
check "core.bare false and a .mailmap: git log prints the forger's name" evalq '
	git -C ccf log -1 | grep -q "Author: Chief Engineer"'
verify_finds "^config: core.bare: git takes the vault for a work tree" "  verify says so" ccf
verify_finds "^\.mailmap: git shows other names" "  and names the .mailmap" ccf
git -C ccf config core.bare true
rm ccf/.mailmap
git -C ccf config transfer.hideRefs refs/heads/main
verify_finds "^config: transfer.hiderefs: git shows" "transfer.hideRefs (a clone given no signed history): a finding" ccf
git -C ccf config --unset transfer.hideRefs
check "  (the config as it was: no finding)" evalq 'q -C ccf verify | grep -q "^ok: .* 0 findings$"'
# an alternates entry past the paths qvault reads (git shortens it):
# the vault refused, not read without it
crafted calong 100
python3 -c 'import sys; print(sys.argv[1] + "/." * 2100 + "/calt")' "$PWD" > calong/objects/info/alternates
fails 1 "names a folder by a path longer than qvault reads" \
	"an alternates entry longer than a path: refused, not passed over" q -C calong verify
# a quoted entry of two lines that unquotes longer than a path (git
# joins them, and reads the folder): refused, not passed over (helper-121)
crafted caq 100
python3 -c '
import sys
half = "/." * 1500
print("\"" + sys.argv[1] + half + "\n" + half + "/calt\"")' "$PWD" > caq/objects/info/alternates
fails 1 "names a folder by a path longer than qvault reads" \
	"a quoted alternates entry unquoted past a path: refused" q -C caq verify
crafted cgr 100
git -C cgr rev-parse main > cgr/info/grafts
verify_finds "^info/grafts: git shows other parents" "a grafts file: a finding" cgr
crafted csh 100
git -C csh rev-parse main > csh/shallow
verify_finds "^shallow: git takes the history as cut short" "a shallow file: a finding" csh
crafted ccd 100
cp -R ccd ccd-other
rm -f ccd-other/objects/pack/*
$PK loose ccd-other/objects "$blob" clp2-forged.pdf
git -C ccd-other repack -adq 2> /dev/null
echo "$PWD/ccd-other" > ccd/commondir
check "a commondir naming a copy with D-1 forged: git shows the forgery" evalq '
	git -C ccd cat-file -p "$blob" | grep -q "a forged drawing"'
q -C ccd verify > ccd.out 2>&1; rc=$?
check "  verify says git reads another folder" evalq '
	[ $rc = 3 ] && grep -q "^commondir: git reads this vault.s objects and refs from the folder it names" ccd.out'

# A commit-graph (git gc writes one; qvault does not): git log reads a
# commit's tree and parents there, and hashes nothing.  One giving the
# last commit D-2's tree made git log -p show the forgery; verify passed.
crafted ccg 100
make_pdf ccg2.pdf "a forged drawing"
cp -R ccg ccg-src
q -C ccg-src add ccg2.pdf --doc D-2 --type drawing > /dev/null
git -C ccg-src repack -adq
cp ccg-src/objects/pack/* ccg/objects/pack/
ftree=$(git -C ccg-src rev-parse "main^{tree}")
q -C ccg add x.pdf --doc D-3 --type drawing > /dev/null
git -C ccg commit-graph write --reachable
head=$(git -C ccg rev-parse main)
check "an honest commit-graph passes" evalq 'q -C ccg verify | grep -q "^ok: .* 0 findings$"'
for f in tree parent1 level time; do cp -R ccg "ccg-$f"; done
$PK graph ccg-tree/objects/info/commit-graph "$head" tree "$ftree"
check "a commit-graph giving the last commit another tree: git log shows the forgery" evalq '
	git -C ccg-tree log -p -1 main | grep -q "^+% a forged drawing"'
verify_finds "^objects/info/commit-graph: object $head: it gives the commit another tree than it records" \
	"  verify finds it" ccg-tree
$PK graph ccg-parent1/objects/info/commit-graph "$head" parent1 none
verify_finds "^objects/info/commit-graph: object $head: it gives the commit other parents than it records" \
	"one cutting the history at the last commit: found" ccg-parent1
$PK graph ccg-level/objects/info/commit-graph "$head" level 1
verify_finds "^objects/info/commit-graph: object $head: its generation number is not one more than its parents'" \
	"one with a wrong generation number: found" ccg-level
$PK graph ccg-time/objects/info/commit-graph "$head" time 5
verify_finds "^objects/info/commit-graph: object $head: it gives the commit another date" \
	"one with another date: found" ccg-time
# another repository's graph of 50 commits, in a vault of fewer: what it
# would make verify read is bounded by the history, and it is said
git init -q cgother
for i in $(seq 1 50); do git -C cgother -c user.name=t -c user.email=t@t commit -q --allow-empty -m "c$i"; done
git -C cgother commit-graph write --reachable
cp -R ccg ccg-other
cp cgother/.git/objects/info/commit-graph ccg-other/objects/info/commit-graph
verify_finds "^objects/info/commit-graph: it lists more commits than the vault's history holds" \
	"a commit-graph listing more commits than the vault holds: said, not read" ccg-other
# the graph of an alternate, which git reads when the vault has none;
# and a chain whose base layer is in the alternate (git commit-graph
# write --split in a vault whose alternate has a split graph): honest
cp -R ccg ccg-va; cp -R ccg ccg-alt
rm -f ccg-va/objects/info/commit-graph
echo "$PWD/ccg-alt/objects" > ccg-va/objects/info/alternates
$PK graph ccg-alt/objects/info/commit-graph "$head" tree "$ftree"
check "an alternate's commit-graph giving another tree: git log shows the forgery" evalq '
	git -C ccg-va log -p -1 main | grep -q "^+% a forged drawing"'
verify_finds "^$PWD/ccg-alt/objects/info/commit-graph: object $head: it gives the commit another tree" \
	"  verify reads the graph git reads, and finds it" ccg-va
cp -R ccg ccg-vs; cp -R ccg ccg-as
rm -f ccg-vs/objects/info/commit-graph ccg-as/objects/info/commit-graph
git -C ccg-as commit-graph write --reachable --split=no-merge
echo "$PWD/ccg-as/objects" > ccg-vs/objects/info/alternates
q -C ccg-vs add x.pdf --doc D-9 --type drawing > /dev/null
git -C ccg-vs commit-graph write --reachable --split=no-merge
check "a chain whose base layer is its alternate's passes" evalq '
	[ "$(wc -l < ccg-vs/objects/info/commit-graphs/commit-graph-chain)" = 2 ] &&
	[ "$(ls ccg-vs/objects/info/commit-graphs/graph-*.graph | wc -l)" = 1 ] &&
	q -C ccg-vs verify | grep -q "^ok: .* 0 findings$"'
# changed-path filters (--changed-paths), which git log -- PATH trusts
# to pass over a commit: the one adding D-2 made to say it changed
# nothing hid it from git log -- D-2's path
cp -R ccg-src ccg-bloom
git -C ccg-bloom commit-graph write --reachable --changed-paths
bpath=$(git -C ccg-bloom ls-tree -r --name-only main | grep 'ccg2.pdf$')
bcommit=$(git -C ccg-bloom log --format=%H -1 -- "$bpath")
check "an honest graph with changed-path filters passes" evalq '
	[ -n "$bcommit" ] && q -C ccg-bloom verify | grep -q "^ok: .* 0 findings$"'
$PK graph ccg-bloom/objects/info/commit-graph "$bcommit" bloomzero 0
check "  its filter of the commit adding D-2 zeroed: git log -- D-2's file passes over it" evalq '
	[ -z "$(git -C ccg-bloom log --format=%H -- "$bpath")" ] &&
	[ "$(git -C ccg-bloom -c commitGraph.readChangedPaths=false log --format=%H -- "$bpath")" = "$bcommit" ]'
verify_finds "^objects/info/commit-graph: object $bcommit: its changed-path filter leaves out 'docs/.*', which it changed: git log -- .* passes over it" \
	"  verify finds it" ccg-bloom
# helper-120: filters' settings other than git's (65 hashes: git read
# them with 65, and a filter built with 7 hid its commit); a graph git
# refuses (a chunk named twice), which sends git to the alternate's
# (forged); a plain graph beside a chain (git reads the plain one; verify
# read both, and crashed)
cp -R ccg-bloom ccg-h65
$PK graph ccg-h65/objects/info/commit-graph "$bcommit" bloomhashes 65
verify_finds "^objects/info/commit-graph: its changed-path filters' settings are not git's" \
	"filters saying 65 hashes: a finding" ccg-h65
cp -R ccg-va ccg-vdup
cp ccg/objects/info/commit-graph ccg-vdup/objects/info/commit-graph
$PK graph ccg-vdup/objects/info/commit-graph "$head" dupchunk 0
check "a vault's graph naming a chunk twice: git reads the alternate's, and shows its forgery" evalq '
	git -C ccg-vdup log -p -1 main 2> /dev/null | grep -q "^+% a forged drawing"'
verify_finds "^$PWD/ccg-alt/objects/info/commit-graph: object $head: it gives the commit another tree" \
	"  verify reads on to the graph git reads, and finds it" ccg-vdup
# helper-119: a fan-out counting no commit (git counts the names' table,
# and finds every row); a row naming a blob; a chain listing one layer
# twice
cp -R ccg ccg-fan
$PK graph ccg-fan/objects/info/commit-graph "$head" tree "$ftree"
$PK graph ccg-fan/objects/info/commit-graph "$head" fan255 0
check "a commit-graph whose fan-out counts no commit: git still shows the forged tree" evalq '
	git -C ccg-fan log -p -1 main | grep -q "^+% a forged drawing"'
verify_finds "^objects/info/commit-graph: its fan-out does not count the commits it names" \
	"  verify says so" ccg-fan
cp -R ccg ccg-blob
$PK graph ccg-blob/objects/info/commit-graph "$head" oid "$blob"
verify_finds "^objects/info/commit-graph: object $blob: it lists an object that is no commit" \
	"a commit-graph row naming a blob: a finding, the other findings kept" ccg-blob
# the layers of a chain (git commit-graph write --split)
cp -R ccg ccg-split
rm ccg-split/objects/info/commit-graph
git -C ccg-split commit-graph write --reachable --split=no-merge > /dev/null 2>&1
q -C ccg-split add x.pdf --doc D-4 --type drawing > /dev/null
git -C ccg-split commit-graph write --reachable --split=no-merge
check "a chain of two commit-graph layers passes" evalq '
	[ "$(wc -l < ccg-split/objects/info/commit-graphs/commit-graph-chain)" = 2 ] &&
	q -C ccg-split verify | grep -q "^ok: .* 0 findings$"'
cp -R ccg-split ccg-both
cp ccg/objects/info/commit-graph ccg-both/objects/info/commit-graph
check "a plain graph beside a chain: the plain one read, as git does (verify crashed)" evalq '
	q -C ccg-both verify | grep -q "^ok: .* 0 findings$"'
cp -R ccg-split ccg-twice
tail -n 1 ccg-twice/objects/info/commit-graphs/commit-graph-chain >> ccg-twice/objects/info/commit-graphs/commit-graph-chain
verify_finds "^objects/info/commit-graphs/commit-graph-chain: it lists a layer twice" \
	"  a chain listing a layer twice (git refuses it): said, not read again" ccg-twice
top=$(tail -n 1 ccg-split/objects/info/commit-graphs/commit-graph-chain)
h2=$(git -C ccg-split rev-parse main)
$PK graph "ccg-split/objects/info/commit-graphs/graph-$top.graph" "$h2" tree "$ftree"
verify_finds "^objects/info/commit-graphs/graph-$top\.graph: object $h2: it gives the commit another tree" \
	"  its top layer giving another tree: found" ccg-split

# A multi-pack index (git multi-pack-index write): git looks an object
# of the packs it names up there first, at the place it gives, and does
# not hash what it reads.  One pointing D-1's name at D-2's bytes made
# git cat-file show the forgery; verify, reading each pack's own index,
# passed the vault.  Now a place the multi-pack index gives that is not
# the pack's own index's is read and hashed.
crafted cmx 100
make_pdf cmx2.pdf "a forged drawing"
q -C cmx add cmx2.pdf --doc D-2 --type drawing > /dev/null
mb2=$(git -C cmx rev-parse "main:$(git -C cmx ls-tree -r --name-only main | grep 'cmx2.pdf$')")
git -C cmx repack -dq --window=0
git -C cmx multi-pack-index write
check "an honest multi-pack index over two packs passes" evalq '
	[ "$(ls cmx/objects/pack/*.idx | wc -l)" = 2 ] && git -C cmx multi-pack-index verify &&
	q -C cmx verify | grep -q "^ok: .* 0 findings$"'
cp -R cmx cmx-bad
cp -R cmx cmx-out
$PK midxpoint cmx/objects/pack "$blob" "$mb2"
check "a multi-pack index pointing D-1's name at D-2's bytes: git shows the forgery" evalq '
	git -C cmx cat-file -p "$blob" | grep -q "a forged drawing"'
verify_finds "^objects/pack/multi-pack-index: object $blob: more than one copy of it is held, and the one here is another object" \
	"  verify finds it, naming the multi-pack index" cmx
# one leaving D-1 out (its entry filed under another name): git looks
# for what the packs it names hold in it alone, and finds nothing
$PK midxrename cmx-out/objects/pack "$blob"
check "a multi-pack index leaving D-1 out: git cannot find D-1" evalq '
	! git -C cmx-out cat-file -e "$blob" 2> /dev/null'
verify_finds "^objects/pack/multi-pack-index: object $blob: the multi-pack index leaves it out, which a pack it names holds: git does not find it" \
	"  verify says so, naming it" cmx-out
# a pack named by a path ("./pack-X.idx"): git opens it there
cp -R cmx cmx-dot
$PK midxdot cmx-dot/objects/pack
verify_finds "^objects/pack/multi-pack-index: it names a pack by a path" \
	"a multi-pack index naming a pack by a path: a finding naming it" cmx-dot
head -c 100 cmx-bad/objects/pack/multi-pack-index > cmx-bad/mx && mv cmx-bad/mx cmx-bad/objects/pack/multi-pack-index
verify_finds "^objects/pack/multi-pack-index: (the file ends early|a chunk outside the file)" \
	"  one cut short: a finding naming it" cmx-bad
printf 'MIDX\002' | dd of=cmx-bad/objects/pack/multi-pack-index conv=notrunc status=none
verify_finds "^objects/pack/multi-pack-index: not a multi-pack index of version 1" \
	"  one of another version: a finding naming it" cmx-bad

# Alternates an outsider wrote (helper-117), read as libgit2 read them:
# six levels deep; 70 of them (past the 64 read, the rest ignored); one
# that is no folder; one whose own list is a FIFO (which hung verify).
crafted calt 100
for i in 1 2 3 4 5 6; do mkdir -p al$i/pack al$i/info; done
for i in 1 2 3 4 5; do echo "$PWD/al$((i + 1))" > al$i/info/alternates; done
mv calt/objects/pack/* al6/pack/
echo "$PWD/al1" > calt/objects/info/alternates
check "a vault whose objects are in its sixth alternate down is read" evalq '
	q -C calt verify | grep -q "^ok: .* 0 findings$"'
crafted cal2 100
for i in $(seq 1 70); do mkdir -p ae$i/pack; echo "$PWD/ae$i"; done > cal2/objects/info/alternates
verify_finds "^objects/info/alternates: 6 alternates past the 64 qvault reads: git reads them, and what they hold was not checked" \
	"  70 alternates: the vault opens, and verify says it did not read 6 (git does)" cal2
echo /dev/null > cal2/objects/info/alternates
check "  an alternate that is no folder is passed over" evalq 'q -C cal2 verify | grep -q "^ok: .* 0 findings$"'
mkdir -p afifo/info
mkfifo afifo/info/alternates
echo "$PWD/afifo" > cal2/objects/info/alternates
check "  an alternate whose own list is a FIFO: not waited on" evalq '
	timeout 60 "$QVAULT" -C cal2 verify | grep -q "^ok: .* 0 findings$"'

done_testing
