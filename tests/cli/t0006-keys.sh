#!/bin/sh
# Keys, users, roles and signed history, checked with stock ssh-keygen
# and git.
. "$(dirname "$0")/lib.sh"

# ---- key generate ----
mkdir keysonly
V=keysonly # nothing but key files here; no vault to watch yet
ok "key generate" sh -c 'q key generate -o k1.pem -c "quality at acme" > k1.txt'
check "  the private key file is 0600" sh -c 'test "$(stat -c %a k1.pem)" = 600'
check "  it is PEM" grep -q "BEGIN PRIVATE KEY" k1.pem
check "  it prints the OpenSSH public key line" \
	sh -c 'head -n 1 k1.txt | grep -Eq "^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ quality at acme$"'
head -n 1 k1.txt > k1.pub
check "  and its fingerprint exactly as ssh-keygen -lf prints it" \
	sh -c 'test "$(sed -n 2p k1.txt)" = "$(ssh-keygen -lf k1.pub)"'
ok "key generate --type ecdsa" sh -c 'q key generate -o k2.pem --type ecdsa -c p256 > k2.txt'
head -n 1 k2.txt > k2.pub
check "  gives a P-256 key ssh-keygen agrees on" \
	sh -c 'head -n 1 k2.txt | grep -q "^ecdsa-sha2-nistp256 " && test "$(sed -n 2p k2.txt)" = "$(ssh-keygen -lf k2.pub)"'
ok "key generate with a passphrase from the environment" \
	env PASS=correct-horse q key generate -o k3.pem --passphrase-env PASS
check "  is encrypted" grep -q "BEGIN ENCRYPTED PRIVATE KEY" k3.pem
# a passphrase typed on a terminal: script(1) gives the command one
(sleep 1; printf 'typed-secret\n'; sleep 1; printf 'typed-secret\n') |
	script -qec "$QVAULT key generate -o k7.pem -p" /dev/null > k7.txt 2>&1
check "key generate -p asks on the terminal, twice" \
	sh -c 'test "$(grep -c "passphrase:" k7.txt)" = 2 && grep -q "BEGIN ENCRYPTED PRIVATE KEY" k7.pem'
fails 1 "'k1.pem' exists; use --force to overwrite" "key generate never overwrites without --force" q key generate -o k1.pem
fails 2 "-o FILE is required" "key generate needs -o" q key generate
fails 2 "unknown key type 'rsa'" "RSA is not offered" q key generate -o k4.pem --type rsa

# ---- users ----
new_vault v
V=v
ok "the admin adds a supplier" q -C v --key admin.pem user add sue --org acme --role supplier --pubkey k1.pub
ok "  and an ECDSA buyer from a key line" \
	sh -c 'q -C v --key admin.pem user add bob --org owner --role buyer --pubkey "$(cat k2.pub)"'
PASS=correct-horse q key generate -o k6.pem --passphrase-env PASS | head -n 1 > k6.pub
ok "  and a buyer whose key has a passphrase" \
	q -C v --key admin.pem user add pam --org owner --role buyer --pubkey k6.pub
check "user list shows roles and fingerprints" \
	sh -c 'q -C v user list > u.txt && grep -q "^sue  *acme  *supplier  *SHA256:" u.txt && test "$(sed 1d u.txt | wc -l)" = 6 &&
	head -n 1 u.txt | grep -q "^USER  *ORG  *ROLES  *KEY  *STATE$"'
check "  with the vault's own server user, made at init" sh -c '
	q -C v user list | grep -q "^qvault-server  *[a-z]*  *server  *SHA256:" && test -f v/qvault/server.pem &&
	test "$(stat -c %a v/qvault/server.pem)" = 600'
check "user list --json" sh -c 'q -C v user list --json | grep -q "\"roles\": \\["'

make_pdf d.pdf
make_text c.csv
ok "a buyer (ECDSA key) adds a drawing" q -C v --key k2.pem add d.pdf --doc DWG-1 --type drawing
ok "a supplier adds a certificate" q -C v --key k1.pem add c.csv --doc COC-1 --type coc
ok "the passphrase unlocks its key" \
	env PASS=correct-horse q -C v --key k6.pem --passphrase-env PASS add d.pdf --doc DWG-2 --type drawing

fails 1 "user 'sue' may not add a drawing \(needs role buyer\)" "a supplier may not add a drawing" \
	q -C v --key k1.pem add d.pdf --doc DWG-3 --type drawing
fails 1 "user 'bob' may not add a coc \(needs role supplier,quality\)" "a buyer may not add a certificate" \
	q -C v --key k2.pem add c.csv --doc COC-2 --type coc
fails 1 "user 'sue' may not add users \(needs role admin\)" "only an admin adds users" \
	q -C v --key k1.pem user add eve --org evil --role admin --pubkey k2.pub
fails 1 "user 'sue' may not revoke users" "only an admin revokes users" \
	q -C v --key k1.pem user revoke bob
q key generate -o stranger.pem | head -n 1 > stranger.pub
fails 1 "key SHA256:[A-Za-z0-9+/]+ is not registered in this vault" "a key of no registered user" \
	q -C v --key stranger.pem add d.pdf --doc DWG-4 --type drawing
fails 1 "no key given: name one with --key FILE or QVAULT_KEY" "a write without a key" \
	env -u QVAULT_KEY "$QVAULT" -C v add d.pdf --doc DWG-4 --type drawing
grep -a '^ssh-ed25519' k7.txt | tr -d '\r' > k7.pub
q -C v --key admin.pem user add tia --org owner --role buyer --pubkey k7.pub > /dev/null
(sleep 1; printf 'typed-secret\n') |
	script -qec "$QVAULT -C v --key k7.pem add d.pdf --doc DWG-7 --type drawing" /dev/null > t7.txt 2>&1
check "signing asks for the key's passphrase on the terminal" \
	sh -c 'grep -q "passphrase:" t7.txt && q -C v show DWG-7@A | grep -q "by tia"'
fails 1 "wrong passphrase for key file 'k6.pem'" "a wrong passphrase" \
	env PASS=wrong q -C v --key k6.pem --passphrase-env PASS add d.pdf --doc DWG-4 --type drawing
printf 'not a key\n' > junk.pem
fails 1 "key file 'junk.pem' is neither a PEM nor an OpenSSH private key" "a malformed key file" \
	q -C v --key junk.pem add d.pdf --doc DWG-4 --type drawing
fails 1 "key file 'none.pem' does not exist" "a missing key file" \
	q -C v --key none.pem add d.pdf --doc DWG-4 --type drawing
chmod 000 k1.pem
if [ "$(id -u)" != 0 ]; then
	fails 1 "cannot read key file 'k1.pem'" "an unreadable key file" \
		q -C v --key k1.pem add c.csv --doc COC-9 --type coc
fi
chmod 600 k1.pem
fails 1 "user 'sue' already exists" "a user name taken" \
	q -C v --key admin.pem user add sue --org acme --role supplier --pubkey stranger.pub
fails 1 "that key already belongs to user 'sue'" "a key taken" \
	q -C v --key admin.pem user add sue2 --org acme --role supplier --pubkey k1.pub
fails 2 "user add: --role 'wizard' is not one of admin, buyer," "an unknown role (a usage error)" \
	q -C v --key admin.pem user add wiz --org acme --role wizard --pubkey stranger.pub
fails 1 "public key is not an ssh-ed25519, ecdsa-sha2-nistp256, sk-ecdsa-sha2-nistp256@openssh.com or sk-ssh-ed25519@openssh.com key" "a public key of another kind" \
	q -C v --key admin.pem user add rsa --org acme --role buyer --pubkey "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x"

ok "the admin revokes the supplier" q -C v --key admin.pem user revoke sue
fails 1 "user 'sue' was revoked" "a revoked user's key is refused" \
	q -C v --key k1.pem add c.csv --doc COC-3 --type coc
check "user list marks it revoked" sh -c 'q -C v user list | grep -q "^sue .*revoked$"'
fails 1 "user 'sue' is already revoked" "revoking twice" q -C v --key admin.pem user revoke sue
fails 1 "no user 'nobody'" "revoking no one" q -C v --key admin.pem user revoke nobody

# ---- signed history, checked by stock git ----
q -C v keys allowed-signers > allowed_signers
check "keys allowed-signers lists every user" sh -c 'test "$(wc -l < allowed_signers)" = 7'
check "  the revoked one valid only before its revocation" grep -q '^sue@acme .*valid-before=' allowed_signers
check "git verify-commit passes for every commit" sh -c '
	for c in $(git -C v rev-list main); do
		git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
			verify-commit "$c" 2>/dev/null || exit 1
	done'
check "  including the revoked supplier's earlier one" sh -c '
	c=$(git -C v log --format=%H --author=sue main | head -n 1) && test -n "$c" &&
	git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
		verify-commit "$c" 2>&1 | grep -q "Good \"git\" signature for sue@acme"'
check "git fsck --strict is clean" git -C v fsck --strict

done_testing
