#!/bin/sh
# Keys people already have: OpenSSH private key files (ssh-keygen's own
# format, Ed25519 and ECDSA, with or without a passphrase) and keys held
# by ssh-agent sign every act through stock ssh-keygen -Y sign; what they
# sign passes qvault verify, git verify-commit and ssh-keygen -Y verify.
. "$(dirname "$0")/lib.sh"

vault_v
# the agent of this script, on a socket of its own, killed at the end
eval "$(ssh-agent -s -a "$TMP/agent.sock")" > /dev/null
trap 'kill "$SSH_AGENT_PID" 2>/dev/null; sanitizer_reports; rm -rf "$TMP"' EXIT

reg() { q --key "$TMP/admin.pem" user add "$1" --org "$2" --role "$3" --pubkey "$1.pub" > /dev/null; }
ssh-keygen -q -t ed25519 -N '' -C "sue at acme" -f sue
ssh-keygen -q -t ecdsa -b 256 -N '' -C "eve at acme" -f eve
ssh-keygen -q -t ed25519 -N 'horse battery' -C pat -f pat
ssh-keygen -q -t ed25519 -N '' -C ann -f ann
ssh-keygen -q -t ed25519 -N '' -C stranger -f stranger
make_pdf a.pdf "rev A"
make_pdf b.pdf "rev B"
make_text coc.csv

# ---- OpenSSH key files -------------------------------------------------
ok "an OpenSSH Ed25519 key is registered with user add --pubkey" reg sue acme supplier
ok "  and an OpenSSH ECDSA key" reg eve acme supplier
ok "  and a passphrase-protected one" reg pat owner buyer
check "a key file names its own fingerprint, as ssh-keygen -l prints it" sh -c '
	q user list | grep "^sue " | grep -q "$(ssh-keygen -lf sue.pub | cut -d" " -f2)"'
ok "a buyer releases with a passphrase-protected OpenSSH key (passphrase from the environment)" \
	env PASS='horse battery' q --key pat --passphrase-env PASS release DWG-1 --rev A a.pdf \
		--to acme --reason "first issue"
ok "a supplier acknowledges with ~/.ssh/id_ed25519 as it is" q --key sue ack DWG-1@A
ok "  another with an OpenSSH ECDSA key" q --key eve ack DWG-1@A -m reviewed
ok "  and adds a certificate, the key named by QVAULT_KEY" \
	env QVAULT_KEY="$TMP/sue" q add coc.csv --doc COC-1 --type coc
check "  the acts are theirs" sh -c '
	q show DWG-1@A | grep -q "by pat" && q acks DWG-1@A > a.txt &&
	grep -q "received  by sue (acme)" a.txt && grep -q "reviewed  by eve (acme)" a.txt'
ok "qvault verify checks every signature" q verify
q keys allowed-signers > allowed_signers
check "git verify-commit accepts every commit (allowed signers from qvault)" sh -c '
	for c in $(git -C v rev-list HEAD); do
		git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
			verify-commit "$c" 2>/dev/null || exit 1
	done'
for who in "pat@owner ED25519" "sue@acme ED25519" "eve@acme ECDSA"; do
	check "  among them one by ${who% *} with its ${who#* } key" sh -c "
		for c in \$(git -C v rev-list HEAD); do
			git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=\"\$PWD/allowed_signers\" \
				verify-commit \"\$c\" 2>&1
		done | grep -q 'Good \"git\" signature for ${who% *} with ${who#* } key'"
done
ok "ack export" q ack export DWG-1@A -o exp
for s in sue-received eve-reviewed; do
	check "ssh-keygen -Y verify accepts $s" sh -c \
		"ssh-keygen -Y verify -f exp/allowed_signers -I ${s%-*}@acme -n qvault-ack -s exp/$s.json.sig < exp/$s.json"
done

# a passphrase typed on a terminal: script(1) gives the command one
(sleep 1; printf 'horse battery\n') |
	script -qec "$QVAULT --key pat release DWG-2 --rev A b.pdf --to acme --reason typed" /dev/null \
		> t.txt 2>&1
check "an encrypted OpenSSH key asks for its passphrase on the terminal" \
	sh -c 'grep -q "passphrase:" t.txt && q show DWG-2@A | grep -q "by pat"'

# refusals
fails 1 "^qvault: key file 'pat' is encrypted: a passphrase is needed and none was given" \
	"an encrypted key without a terminal or a passphrase says a passphrase is needed" \
	setsid -w "$QVAULT" --key pat release DWG-3 --rev A b.pdf --to acme --reason none
fails 1 "^qvault: wrong passphrase for key file 'pat'$" "a wrong passphrase" \
	env PASS=wrong q --key pat --passphrase-env PASS release DWG-3 --rev A b.pdf --to acme --reason x
fails 1 "key SHA256:[A-Za-z0-9+/]+ is not registered in this vault" \
	"an OpenSSH key that is no user's registered key" q --key stranger add coc.csv --doc COC-2 --type coc
fails 1 "user 'sue' may not release documents" "an OpenSSH key acts with its user's roles only" \
	q --key sue release DWG-3 --rev A b.pdf --to acme --reason x
ssh-keygen -q -t ecdsa -b 384 -N '' -f p384
fails 1 "key 'p384' is not an ssh-ed25519, ecdsa-sha2-nistp256, sk-ecdsa" \
	"an OpenSSH key of a kind qvault does not take (ECDSA P-384)" q --key p384 add coc.csv --doc COC-2 --type coc
sed '/^-----/!s/[A-Z]/x/g' sue > broken
fails 1 "key file 'broken' is not an OpenSSH private key" "a damaged OpenSSH key file" \
	q --key broken add coc.csv --doc COC-2 --type coc
# its header names sue's public key, its private part is stranger's
python3 - sue stranger swapped <<'EOF' 2>/dev/null
import base64, sys
def parts(path):
    t = open(path).read().split("\n")
    raw = base64.b64decode("".join(l for l in t if l and not l.startswith("-----")))
    off = 15
    def string(o):
        k = int.from_bytes(raw[o:o + 4], "big")
        return raw[o + 4:o + 4 + k], o + 4 + k
    for _ in range(3):
        _, off = string(off)
    head, off = raw[:off + 4], off + 4
    pub, off = string(off)
    return head, pub, raw[off:]
h, pub, _ = parts(sys.argv[1])
_, _, priv = parts(sys.argv[2])
k = len(pub).to_bytes(4, "big")
b = base64.b64encode(h + k + pub + priv).decode()
open(sys.argv[3], "w").write("-----BEGIN OPENSSH PRIVATE KEY-----\n" +
    "\n".join(b[i:i + 70] for i in range(0, len(b), 70)) + "\n-----END OPENSSH PRIVATE KEY-----\n")
EOF
chmod 600 swapped
if [ -f swapped ]; then
	fails 1 "^qvault: ssh-keygen cannot sign with key 'swapped': " \
		"a key file whose public part is not its private key's signs nothing" \
		q --key swapped add coc.csv --doc COC-2 --type coc
else
	_skip "python3 is needed to forge a key file"
fi

# ---- ssh-agent ---------------------------------------------------------
ok "ann's key goes into the agent" ssh-add -q ann
reg ann acme supplier
rm ann # only the agent holds it now
fp=$(ssh-keygen -lf ann.pub | cut -d' ' -f2)
ok "a key of ssh-agent signs by its fingerprint (--key agent:SHA256:...)" \
	q --key "agent:$fp" ack DWG-1@A -m approved
ok "  and named by QVAULT_KEY" env QVAULT_KEY="agent:$fp" q add coc.csv --doc COC-3 --type coc
check "  they are ann's" sh -c 'q acks DWG-1@A | grep -q "approved  by ann (acme)" && q show COC-3 | grep -q "by ann"'
ok "qvault verify checks them" q verify
q keys allowed-signers > allowed_signers
check "git verify-commit accepts the agent's commits" sh -c '
	for c in $(git -C v rev-list HEAD); do
		git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
			verify-commit "$c" 2>&1 || exit 1
	done | grep -q "Good \"git\" signature for ann@acme"'
ok "ack export" q ack export DWG-1@A -o exp2
check "ssh-keygen -Y verify accepts the agent's acknowledgment" sh -c \
	"ssh-keygen -Y verify -f exp2/allowed_signers -I ann@acme -n qvault-ack -s exp2/ann-approved.json.sig < exp2/ann-approved.json"
sfp=$(ssh-keygen -lf stranger.pub | cut -d' ' -f2)
fails 1 "^qvault: the ssh-agent does not hold key SHA256:" "an agent without the key" \
	q --key "agent:$sfp" add coc.csv --doc COC-4 --type coc
ssh-add -q stranger
fails 1 "key SHA256:[A-Za-z0-9+/]+ is not registered in this vault" \
	"an agent's key that is no user's registered key" q --key "agent:$sfp" add coc.csv --doc COC-4 --type coc
fails 1 "^qvault: no ssh-agent to take key SHA256:.* \(SSH_AUTH_SOCK is not set\)$" "no agent" \
	env -u SSH_AUTH_SOCK "$QVAULT" --key "agent:$fp" add coc.csv --doc COC-4 --type coc
fails 1 "^qvault: cannot reach the ssh-agent at SSH_AUTH_SOCK: " "an agent that is gone" \
	env SSH_AUTH_SOCK="$TMP/none.sock" "$QVAULT" --key "agent:$fp" add coc.csv --doc COC-4 --type coc
fails 1 "'agent:SHA256:nope' does not name a key by its fingerprint" "a malformed fingerprint" \
	q --key agent:SHA256:nope add coc.csv --doc COC-4 --type coc
ok "an agent's key can be taken out" ssh-add -q -d ann.pub
fails 1 "^qvault: the ssh-agent does not hold key SHA256:[A-Za-z0-9+/]{43}$" "  and then signs nothing" \
	q --key "agent:$fp" add coc.csv --doc COC-4 --type coc

# ---- key generate writes FILE.pub --------------------------------------
ok "key generate writes FILE and FILE.pub" sh -c 'q key generate -o kg -c "kg at acme" > kg.txt'
check "  FILE.pub is the public key line it prints" sh -c 'test "$(cat kg.pub)" = "$(head -n 1 kg.txt)"'
check "  which ssh-keygen reads" sh -c 'test "$(ssh-keygen -lf kg.pub)" = "$(sed -n 2p kg.txt)"'
check "  FILE.pub is 0644, FILE 0600" sh -c 'test "$(stat -c %a kg.pub)" = 644 && test "$(stat -c %a kg)" = 600'
ok "  and it registers as is" q --key "$TMP/admin.pem" user add kg --org acme --role supplier --pubkey kg.pub
printf 'keep\n' > kh.pub
fails 1 "^qvault: 'kh.pub' exists; use --force to overwrite$" "key generate never overwrites FILE.pub" q key generate -o kh
check "  and then writes no FILE either, and leaves FILE.pub as it was" \
	sh -c 'test ! -e kh && test "$(cat kh.pub)" = keep'
fails 1 "^qvault: 'kg' exists; use --force to overwrite$" "key generate never overwrites FILE" q key generate -o kg
check "  nor its FILE.pub" sh -c 'test "$(cat kg.pub)" = "$(head -n 1 kg.txt)"'
q key generate -o kh --force > kh.txt
check "with --force it writes both, FILE.pub the new key's line" \
	sh -c 'test -s kh && test "$(cat kh.pub)" = "$(head -n 1 kh.txt)"'

done_testing
