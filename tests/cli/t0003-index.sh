#!/bin/sh
# The index: rebuilt from the repository alone, healed after a crash,
# rebuilt when corrupt; locks, read-only vaults and concurrent writers.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
for i in 1 2 3; do
	make_pdf d$i.pdf "doc $i"
	q -C v add d$i.pdf --doc DWG-$i --type drawing --title "Drawing $i" --part PN-$i >/dev/null
done
make_pdf d1b.pdf "doc 1 rev b"
q -C v add d1b.pdf --doc DWG-1 --type drawing >/dev/null
q -C v list --json > ref.json
q -C v log --json > ref-log.json

ok "reindex rebuilds from the repository" q -C v reindex
check "  with identical list --json" sh -c 'q -C v list --json | cmp -s - ref.json'
check "  and an identical log" sh -c 'q -C v log --json | cmp -s - ref-log.json'

rm -f v/qvault/index.db v/qvault/index.db-wal v/qvault/index.db-shm
check "a deleted index is rebuilt by any command, identically" \
	sh -c 'q -C v list --json | cmp -s - ref.json'
check "  the log too" sh -c 'q -C v log --json | cmp -s - ref-log.json'

echo "this is not a database, just garbage bytes that fill the header" > v/qvault/index.db
check "a corrupt index is rebuilt, identically" sh -c 'q -C v list --json 2>err.txt | cmp -s - ref.json'
check "  with a warning" grep -q "warning: the index was unreadable" err.txt

# A crash after the commit and before the index update: put back the
# index as it was before an add, as if the add died right after its commit.
cp v/qvault/index.db before.db
make_pdf d4.pdf "doc 4"
q -C v add d4.pdf --doc DWG-4 --type drawing >/dev/null
q -C v list --json > ref4.json
cp before.db v/qvault/index.db
rm -f v/qvault/index.db-wal v/qvault/index.db-shm
check "the index lags the branch after the simulated crash" \
	sh -c 'test "$(sqlite3 v/qvault/index.db "SELECT value FROM meta WHERE key = '"'commit'"'")" != "$(git -C v rev-parse main)"'
check "the next command heals it" sh -c 'q -C v list --json | cmp -s - ref4.json'
check "  and it reflects the branch again" \
	sh -c 'test "$(sqlite3 v/qvault/index.db "SELECT value FROM meta WHERE key = '"'commit'"'")" = "$(git -C v rev-parse main)"'
check "  and shows the add in the log" sh -c 'q -C v log DWG-4 | grep -q "add DWG-4@A"'

# A ref lock left by a writer killed during the update of the branch.
touch v/refs/heads/main.lock
make_pdf d5.pdf "doc 5"
ok "a stale ref lock does not block the vault" q -C v add d5.pdf --doc DWG-5 --type drawing
check "  the add went in" sh -c 'q -C v show DWG-5@A >/dev/null && test ! -e v/refs/heads/main.lock'

# Concurrent writers: every one succeeds, none is lost.
for w in 1 2 3 4; do
	(for k in 1 2 3; do
		make_pdf c$w-$k.pdf "writer $w add $k"
		q -C v add c$w-$k.pdf --doc CON-$w-$k --type drawing >/dev/null 2>>con-err.txt ||
			echo "writer $w add $k failed" >> con-err.txt
	done) &
done
wait
check "four writers adding at once all succeed" sh -c 'test ! -s con-err.txt'
check "  all twelve documents are there" sh -c 'test "$(q -C v list | grep -c "^CON-")" = 12'
check "  history is linear, one commit each" \
	sh -c 'test "$(git -C v rev-list --count main)" = 20 && test "$(git -C v rev-list --merges --count main)" = 0'
check "git fsck --strict is clean" git -C v fsck --strict
check "the index agrees after all of it" sh -c 'q -C v list --json > a.json && q -C v reindex >/dev/null && q -C v list --json | cmp -s - a.json'

# The index is opened by a URI (file:PATH?mode=ro): a '?', '#' or '%' of
# the vault's path is part of the path, not a query, fragment or escape
check "a vault whose path holds '?', '#' and '%' keeps its index in its own folder" evalq '
	new_vault "odd?x=1#f%41" && q -C "odd?x=1#f%41" list > /dev/null &&
	q -C "odd?x=1#f%41" verify > /dev/null &&
	[ -s "odd?x=1#f%41/qvault/index.db" ] && [ ! -e odd ] && [ ! -e odd?x=1 ]'
check "  and one named by a path that starts with '//' (not a host's name)" evalq '
	q -C "/$TMP/odd?x=1#f%41" list > /dev/null && q -C "/$TMP/odd?x=1#f%41" verify > /dev/null'

# A read-only vault: reads work, writes are refused and change nothing.
ro() {
	if [ "$(id -u)" = 0 ]; then
		unshare -m sh -c 'mount --bind v v && mount -o remount,bind,ro v && exec "$@"' ro "$@"
	else
		chmod -R a-w v; "$@"; rc=$?; chmod -R u+w v; return $rc
	fi
}
ok "  list works on a read-only vault" ro q -C v list
ok "  and verify (its index read beside the one it rebuilds)" ro q -C v verify
fails 1 "vault 'v' is read-only" "add to a read-only vault is refused" \
	ro q -C v add d5.pdf --doc DWG-6 --type drawing
fails 1 "vault 'v' is read-only" "reindex of a read-only vault is refused" ro q -C v reindex

done_testing
