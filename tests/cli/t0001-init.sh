#!/bin/sh
# qvault init, the vault on disk, global options, help and exit codes.
. "$(dirname "$0")/lib.sh"

ok "init creates a vault" new_vault v
check "verify passes on a vault with no documents yet" sh -c 'q -C v verify > /dev/null'
check "it is a bare repository stock git reads" \
	sh -c 'test "$(git -C v rev-parse --is-bare-repository)" = true && git -C v log --oneline | grep -q "init vault"'
check "the index lives inside the vault folder" test -s v/qvault/index.db
check "the index schema carries its version" \
	sh -c 'test "$(sqlite3 v/qvault/index.db "PRAGMA user_version")" = 18'
check "vault.json records the identity and allowlists" \
	sh -c 'git -C v show main:vault.json | grep -q "\"drawing\""'
check "git fsck --strict is clean" git -C v fsck --strict
check "the audit trail starts with init" sh -c 'q -C v log | grep -q " init "'

V=v
fails 1 "'v' is not empty" "init refuses a folder that is not empty" q init v
mkdir w && echo x > w/file
fails 1 "'w' is not empty" "init refuses a non-empty folder" q init w
rm -rf w

check "-C picks the vault" sh -c 'q -C v list'
check "QVAULT_DIR picks the vault" sh -c 'QVAULT_DIR=v q list'
check "-C wins over QVAULT_DIR" sh -c 'QVAULT_DIR=nowhere q -C v list'
mkdir plain
fails 1 "'plain' is not a vault" "a folder that is not a vault is refused" q -C plain list
git init -q --bare bare.git
fails 1 "'bare.git' is not a vault" "a plain git repository is not a vault" q -C bare.git list
fails 1 "'nowhere' is not a vault" "a missing folder is not a vault" q -C nowhere list

check "--version" sh -c 'q --version | grep -Eq "^qvault [0-9]+\.[0-9]+\.[0-9]+$"'
check "--help lists the commands" sh -c 'q --help | grep -q "reindex"'
for c in init add import show cat list log reindex; do
	check "$c --help" sh -c "q $c --help | grep -q '^usage: qvault $c'"
done
fails 2 "^qvault: unknown command 'frobnicate' \(see 'qvault --help'\)$" "an unknown command exits 2" q -C v frobnicate
fails 2 "unknown option '--bogus'" "an unknown option exits 2" q -C v list --bogus
fails 2 "missing FILE" "a missing argument exits 2" q -C v add
fails 2 "unknown option '-Z'" "an unknown global option exits 2" q -Z

# a permissive umask: nothing the vault creates is group- or world-writable
make_pdf u.pdf
ok "init, add and hooks install under umask 000" sh -c "umask 000 && q init u0 --key '$TMP/admin.pem' > /dev/null &&
	q -C u0 --key '$TMP/admin.pem' user add tester --org acme --role buyer --pubkey '$TMP/tester.pub' > /dev/null &&
	q -C u0 add u.pdf --doc DWG-U --type drawing > /dev/null && q -C u0 hooks install pre-add > /dev/null"
check "  its folders are 0755: the vault, hooks/, objects/, refs/, qvault/" \
	test "$(stat -c %a u0 u0/hooks u0/objects u0/refs u0/refs/heads u0/qvault | sort -u)" = 755
check "  and nothing in it is writable by group or others" sh -c 'test -z "$(find u0 ! -type l -perm /022)"'

done_testing
