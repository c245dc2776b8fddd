#!/bin/sh
# Reads the index answers alone (list, show, trace, audit, pending, acks)
# open the vault without libgit2 when the index reflects the branch, as
# the ref files say it: the same answers, to the same people, as the
# path that opens the repository; never from an index that does not
# reflect the branch.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme ann:acme zed:zenith
make_pdf c.pdf
make_pdf d.pdf "rev D"
make_pdf e.pdf "zenith's"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q release DWG-1 --rev D d.pdf --to acme > /dev/null
q release DWG-2 --rev A e.pdf --to zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@D --line BAR-1:10:DWG-1@D > /dev/null
q po add PO-2 --supplier zenith --line PN-2:5:DWG-2@A > /dev/null
q --key sam.pem ack DWG-1@D > /dev/null
q --key zed.pem ack DWG-2@A > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 --made 2026-01-10 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --made 2026-02-01 --from H-77:5 > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-2 --qty 5 > /dev/null
make_pdf mtr.pdf "mill cert H-77"
printf '%s\n' '{"certificate_type": "3.1", "certificate_number": "MC-1", "manufacturer": "Acme Mill",' \
	'"product": "bar", "grade": "6061", "heat_number": "H-77", "issue_date": "2026-10-01",' \
	'"inspector": "J. Weber"}' > mtr.json
q --key sam.pem add mtr.pdf --doc MTR-1 --type material-cert --meta mtr.json > /dev/null
# export control: an ITAR drawing released to acme, a U.S. organization;
# sam, a U.S. person until soon, sees it, ann of acme is none and does
# not; who sees it, and which attestations expire, the index says
day() { date -u -d "$1" +%Y-%m-%d; }
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$(day '+400 days')" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$(day '+5 days')" > /dev/null
make_pdf itar.pdf "an ITAR drawing"
q release DWG-9 --rev A itar.pdf --to acme --marking ITAR > /dev/null
q --key admin.pem user revoke zed > /dev/null 2>&1 || true
q key generate -o stranger.pem -c stranger > /dev/null

# every read of the six, as KEY sees it: output, errors, exit code
READS="list|list --json|list --type drawing|list --part PN-1|show DWG-1|show DWG-1@D --json|show MTR-1@A|show MTR-1@A --json|show DWG-2|trace lot L-1|trace lot L-1 --json|trace lot H-77|trace lot Z-1|trace doc DWG-1@D|trace doc DWG-1@D --json|trace po PO-1|trace po PO-1 --json|trace po PO-2|audit|audit --json|audit --org acme|audit --expiry-days 30|pending|pending --json|pending --org zenith|acks DWG-1|acks DWG-1@D --json|acks DWG-2|show DWG-9|show DWG-9@A --json|list --type drawing --json|inbox|inbox --json|audit --expiry-days 10 --json"
# reads KEY OUT [stale]: each read into OUT; `stale`: the index made to
# reflect no commit before each, so that the repository is opened
reads() {
	: > "$2"
	printf '%s\n' "$READS" | tr '|' '\n' | while read -r c; do
		[ -z "${3:-}" ] || sqlite3 v/qvault/index.db "DELETE FROM meta WHERE key = 'commit'"
		printf '== %s\n' "$c" >> "$2"
		# shellcheck disable=SC2086
		q --key "$1" $c >> "$2" 2>&1
		printf 'exit %s\n' "$?" >> "$2"
	done
}
for who in tester sam ann zed stranger; do
	key=$who.pem
	[ "$who" = tester ] && key=$TMP/tester.pem
	reads "$key" "$who.fast"
	reads "$key" "$who.slow" stale
	check "$who: the six reads answer byte for byte as through the repository" cmp -s "$who.fast" "$who.slow"
done
check "  the answers are the answers (lots traced, a certificate's data shown)" sh -c '
	grep -q "^lot L-1: 5 x PN-1" tester.fast && grep -q "made from H-77" tester.fast &&
	grep -q "MC-1" tester.fast && grep -q "^exit 3" tester.fast'
check "a supplier sees only its own: sam no zenith drawing, no zenith lot" sh -c '
	! grep -q "DWG-2  A" sam.fast && grep -q "no lot '"'"'Z-1'"'"'" sam.fast &&
	grep -q "DWG-2  A" tester.fast'
check "export control: sam, a U.S. person, sees the ITAR drawing; ann of acme does not" sh -c '
	grep -q "^DWG-9@A" sam.fast && grep -q "\"doc\": \"DWG-9\"" sam.fast &&
	grep -q "^qvault: no document .DWG-9.$" ann.fast &&
	! grep -v "^== \|^qvault: no document .DWG-9.$" ann.fast | grep -q "DWG-9" && grep -q "DWG-1" ann.fast'
check "  sam is told its attestation expires; audit lists it within 10 days" sh -c '
	grep -q "us-person" sam.fast && grep -q "attestation-expiring" tester.fast'
check "a revoked user is refused as before" grep -q "user 'zed' was revoked" zed.fast
check "an unknown key is refused as before" grep -q "key SHA256:.* is not registered in this vault" stranger.fast
fails 1 "^qvault: user 'zed' was revoked$" "  with one line and exit 1, the vault unchanged" \
	q --key zed.pem trace lot Z-1
fails 1 "^qvault: no lot 'Z-1'$" "sam asking for zenith's lot: as if it were not there" \
	q --key sam.pem trace lot Z-1

# a vault of another owner: libgit2 refuses it (no safe.directory), and
# the index, current as it is, does not answer around it
if [ "$(id -u)" = 0 ]; then
	chown nobody v
	fails 1 "^qvault: 'v' is not a vault$" "a vault another user owns: refused as libgit2 refuses it" \
		q trace lot L-1
	chown "$(id -u)" v
else
	_skip "not root: a vault of another owner is not made"
fi

# which files a read opens (strace): none of the repository's objects,
# not the system's CA bundle (libgit2's start) when the index is current
if command -v strace > /dev/null 2>&1; then
	# LeakSanitizer cannot run under ptrace: these runs leave leaks to the
	# same reads run without strace above
	opens() {
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
			strace -f -qq -e trace=open,openat -o opens.txt "$@" > /dev/null 2>&1
	}
	fast() {
		opens "$@" && ! grep -q 'objects/\|ca-certificates' opens.txt &&
		grep -q 'qvault/index.db' opens.txt
	}
	slow() { opens "$@" && grep -q 'objects/' opens.txt; }
	for c in "list" "show DWG-1" "trace lot L-1" "trace doc DWG-1@D" "trace po PO-1" "pending" "acks DWG-1" \
		"--key sam.pem show DWG-9" "--key ann.pem list"; do
		# shellcheck disable=SC2086
		check "$c: opens neither the repository's objects nor the CA bundle" fast q $c
	done
	check "show of a certificate's data opens the repository when it needs it" slow q show MTR-1@A
	check "a write is not an index read: it opens the repository" \
		slow q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 1
	check "  the read after it: fast again, and sees it" sh -c '
		q trace lot L-2 > l2.txt && grep -q "^lot L-2: 1 x PN-1" l2.txt'
	check "  (without the repository)" fast q trace lot L-2
else
	_skip "no strace: which files a read opens is not checked"
fi

# a commit that reaches the branch past qvault (stock git pushing into
# the vault): the index no longer reflects the branch, and is not trusted
q clone "file://$TMP/v" p > /dev/null
q -C p --key sam.pem lot add P-1 --po PO-1 --part PN-1 --qty 2 > /dev/null
ok "stock git pushes a commit into the vault" git -C p push -q "$TMP/v" main
check "  the index reflects the old branch" sh -c '
	test "$(sqlite3 v/qvault/index.db "SELECT value FROM meta WHERE key = '"'"'commit'"'"'")" != "$(git -C v rev-parse main)"'
check "  the next read sees the new lot" sh -c 'q trace lot P-1 > p1.txt && grep -q "^lot P-1: 2 x PN-1" p1.txt'
check "  and brought the index up to the branch" sh -c '
	test "$(sqlite3 v/qvault/index.db "SELECT value FROM meta WHERE key = '"'"'commit'"'"'")" = "$(git -C v rev-parse main)"'
q -C p --key sam.pem lot add P-2 --po PO-1 --part PN-1 --qty 3 > /dev/null
ok "a pull brings one in too" q pull "file://$TMP/p"
check "  and the read after sees it" sh -c 'q trace lot P-2 | grep -q "^lot P-2: 3 x PN-1"'

# an index that says another commit than the branch's is never trusted:
# one from before a write (a backup put back) catches up first
sqlite3 v/qvault/index.db ".backup old.db"
q --key sam.pem lot add L-4 --po PO-1 --part PN-1 --qty 4 > /dev/null
rm -f v/qvault/index.db-wal v/qvault/index.db-shm
cp old.db v/qvault/index.db
check "an index from before the last write: the read catches it up, and sees the lot" sh -c '
	q trace lot L-4 > l4.txt && grep -q "^lot L-4: 4 x PN-1" l4.txt'
sqlite3 v/qvault/index.db "UPDATE lots SET qty = 999 WHERE lot = 'L-1';
	UPDATE meta SET value = '0123456789abcdef0123456789abcdef01234567' WHERE key = 'commit'"
check "an index recording a commit the repository does not hold (and a forged quantity): rebuilt, not read" sh -c '
	q trace lot L-1 > l1.txt && grep -q "^lot L-1: 5 x PN-1" l1.txt && ! grep -q 999 l1.txt'
sqlite3 v/qvault/index.db "UPDATE lots SET qty = 999 WHERE lot = 'L-1'; DELETE FROM meta WHERE key = 'commit'"
check "  nor one recording none" sh -c '
	q trace lot L-1 > l1.txt && grep -q "^lot L-1: 5 x PN-1" l1.txt && ! grep -q 999 l1.txt'

# where the branch is: packed-refs, a symbolic ref
reads "$TMP/tester.pem" loose.txt
ok "git pack-refs packs the branch" git -C v pack-refs --all
check "  no loose ref left, the reads answer the same from packed-refs" sh -c '
	test ! -e v/refs/heads/main && grep -q " refs/heads/main$" v/packed-refs'
reads "$TMP/tester.pem" packed.txt
check "  byte for byte" cmp -s loose.txt packed.txt
if command -v strace > /dev/null 2>&1; then
	check "  without the repository" fast q trace lot L-1
fi
q --key sam.pem lot add L-3 --po PO-1 --part PN-1 --qty 1 > /dev/null
check "a write after: the loose ref wins over packed-refs" sh -c '
	test -e v/refs/heads/main && q trace lot L-3 | grep -q "^lot L-3: 1 x PN-1"'
git -C v update-ref refs/heads/real "$(git -C v rev-parse main)"
git -C v symbolic-ref refs/heads/main refs/heads/real
reads "$TMP/tester.pem" sym.txt
git -C v update-ref --no-deref refs/heads/main "$(git -C v rev-parse refs/heads/real)"
git -C v update-ref -d refs/heads/real
reads "$TMP/tester.pem" plain.txt
check "a symbolic branch is libgit2's to follow: the same answers" cmp -s sym.txt plain.txt

# a user record the repository's reader fails on (a forgery): the index
# keeps it as malformed and leaves who reads to the repository
cp -r v w
printf '{"record":"user"}' > fake.json
forge w - "user add evil

Qvault-Op: user-add" "users/evil/user.json=fake.json"
q -C w list > w1.txt 2>&1; echo "exit $?" >> w1.txt
q -C w list > w2.txt 2>&1; echo "exit $?" >> w2.txt
check "a forged, malformed user record: the read fails as user.c fails" \
	grep -q "users/evil/user.json is malformed" w1.txt
check "  the same with the index current" cmp -s w1.txt w2.txt
check "  and the index holds it as malformed" sh -c '
	test "$(sqlite3 w/qvault/index.db "SELECT malformed FROM users WHERE name = '"'"'evil'"'"'")" = 1'
rm -rf w
check "verify passes" sh -c 'q verify > /dev/null'

done_testing
