#!/bin/sh
# FIDO security keys (sk-ecdsa-sha2-nistp256@openssh.com and
# sk-ssh-ed25519@openssh.com) as OpenSSH's ssh-keygen handles them: a
# user's registered key, signing every act through ssh-keygen -Y sign;
# qvault verify, git verify-commit and ssh-keygen -Y verify accept what
# they sign, and qvault refuses a signature without user presence.  No
# hardware: ssh-keygen loads tests/sk-soft.c (SSH_SK_PROVIDER), a
# software authenticator; SK_SOFT_NO_UP=1 makes it leave out the UP flag.
. "$(dirname "$0")/lib.sh"

if [ ! -f "${SK_SOFT:-}" ]; then
	_fail "the test security key is built (make build/asan/tools/sk-soft.so; tests/run sets SK_SOFT)"
	done_testing
	exit 1
fi
export SSH_SK_PROVIDER="$SK_SOFT"

vault_v
reg() { q --key "$TMP/admin.pem" user add "$1" --org "$2" --role "$3" --pubkey "$1.pub" > /dev/null; }
ok "ssh-keygen makes an ecdsa-sk key on the security key" ssh-keygen -q -t ecdsa-sk -N '' -C fay -f fay
ok "  and an ed25519-sk key" ssh-keygen -q -t ed25519-sk -N '' -C ned -f ned
make_pdf a.pdf "rev A"
make_text coc.csv

ok "a supplier's registered key is an sk-ecdsa-sha2-nistp256@openssh.com key" reg fay acme supplier
ok "a buyer's an sk-ssh-ed25519@openssh.com key" reg ned owner buyer
check "  user list shows their fingerprints as ssh-keygen -l does" sh -c '
	q user list > u.txt &&
	grep "^fay " u.txt | grep -q "$(ssh-keygen -lf fay.pub | cut -d" " -f2)" &&
	grep "^ned " u.txt | grep -q "$(ssh-keygen -lf ned.pub | cut -d" " -f2)"'
ok "the ed25519-sk key releases a drawing" q --key ned release DWG-1 --rev A a.pdf --to acme --reason first
ok "the ecdsa-sk key acknowledges it" q --key fay ack DWG-1@A
ok "  and adds a certificate" q --key fay add coc.csv --doc COC-1 --type coc
check "  the acts are theirs" sh -c '
	q show DWG-1@A | grep -q "by ned" && q acks DWG-1@A | grep -q "received  by fay (acme)"'
ok "qvault verify accepts their signatures" q verify
q keys allowed-signers > allowed_signers
check "keys allowed-signers lists the security keys" sh -c '
	grep -q "^fay@acme .*sk-ecdsa-sha2-nistp256@openssh.com " allowed_signers &&
	grep -q "^ned@owner .*sk-ssh-ed25519@openssh.com " allowed_signers'
check "git verify-commit accepts every commit" sh -c '
	for c in $(git -C v rev-list HEAD); do
		git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
			verify-commit "$c" 2>/dev/null || exit 1
	done'
for who in "ned@owner ED25519-SK" "fay@acme ECDSA-SK"; do
	check "  among them one by ${who% *} with its ${who#* } key" sh -c "
		for c in \$(git -C v rev-list HEAD); do
			git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=\"\$PWD/allowed_signers\" \
				verify-commit \"\$c\" 2>&1
		done | grep -q 'Good \"git\" signature for ${who% *} with ${who#* } key'"
done
ok "ack export" q ack export DWG-1@A -o exp
check "ssh-keygen -Y verify accepts the security key's acknowledgment" sh -c \
	"ssh-keygen -Y verify -f exp/allowed_signers -I fay@acme -n qvault-ack -s exp/fay-received.json.sig < exp/fay-received.json"

# ---- a security key in ssh-agent (allowed to load the test middleware) --
eval "$(ssh-agent -s -P "$SK_SOFT" -a "$TMP/agent.sock")" > /dev/null
trap 'kill "$SSH_AGENT_PID" 2>/dev/null; sanitizer_reports; rm -rf "$TMP"' EXIT
ok "the ecdsa-sk key goes into ssh-agent" ssh-add -q fay
ok "  and signs from there (--key agent:SHA256:...)" \
	q --key "agent:$(ssh-keygen -lf fay.pub | cut -d' ' -f2)" ack DWG-1@A -m approved
check "  as fay" sh -c 'q acks DWG-1@A | grep -q "approved  by fay (acme)"'
ok "qvault verify accepts it" q verify
kill "$SSH_AGENT_PID"
trap 'sanitizer_reports; rm -rf "$TMP"' EXIT
unset SSH_AUTH_SOCK SSH_AGENT_PID

# ---- user presence ------------------------------------------------------
fails 3 "signature says its user was not present \(the authenticator's UP flag\)" \
	"a signature of an ecdsa-sk key without user presence is refused" \
	env SK_SOFT_NO_UP=1 q --key fay ack DWG-1@A -m reviewed
fails 3 "signature says its user was not present" \
	"  and of an ed25519-sk key" \
	env SK_SOFT_NO_UP=1 q --key ned release DWG-2 --rev A a.pdf --to acme --reason x
# signed elsewhere with stock ssh-keygen, handed to the vault (qvault shell)
q release DWG-3 --rev A a.pdf --to acme --reason x > /dev/null
SSH_ORIGINAL_COMMAND='ack-statement DWG-3@A' q shell --user fay > st.json
submit() { # submit STATEMENT-FILE [ENV...]: signed by fay's security key with stock ssh-keygen
	f=$1; shift
	cp "$f" sub.txt && rm -f sub.txt.sig && env "$@" ssh-keygen -q -Y sign -n qvault-ack -f fay sub.txt \
		2> /dev/null &&
	jq -n --rawfile s sub.txt --rawfile g sub.txt.sig '{statement: $s, signature: $g}' |
	SSH_ORIGINAL_COMMAND=ack-submit q shell --user fay
}
check "stock ssh-keygen -Y verify takes a signature without user presence" sh -c '
	cp st.json np.txt && SK_SOFT_NO_UP=1 ssh-keygen -q -Y sign -n qvault-ack -f fay np.txt 2>/dev/null &&
	ssh-keygen -Y verify -f exp/allowed_signers -I fay@acme -n qvault-ack -s np.txt.sig < np.txt'
fails 1 "the statement's signature does not verify: signature says its user was not present" \
	"  qvault does not: such a statement signed elsewhere is refused" submit st.json SK_SOFT_NO_UP=1
ok "  with the touch it is recorded" submit st.json SK_SOFT_NO_UP=0
ok "qvault verify accepts the history" q verify

# a commit of fay's re-signed by her security key without the touch, with
# stock ssh-keygen, as git would sign it (the same bytes, another gpgsig)
ok "fay adds another certificate" q --key fay add coc.csv --doc COC-2 --type coc
cp -a v vx
git -C vx cat-file commit main > c.txt
awk '/^gpgsig /{s=1; next} s && /^ /{next} {s=0; print}' c.txt > c.raw
SK_SOFT_NO_UP=1 ssh-keygen -q -Y sign -n git -f fay c.raw 2> /dev/null
awk -v sig=c.raw.sig 'done || !/^committer /{print; next}
	{print; first=1; while ((getline l < sig) > 0) {print (first ? "gpgsig " : " ") l; first=0}; done=1}' \
	c.raw > c.new
git -C vx update-ref refs/heads/main "$(git -C vx hash-object -t commit -w --stdin < c.new)"
check "  the forged commit is the same commit but for its signature" sh -c '
	test "$(git -C vx cat-file commit main | grep -c "^gpgsig ")" = 1 &&
	test "$(git -C vx rev-parse main^{tree})" = "$(git -C v rev-parse main^{tree})" &&
	test "$(git -C vx rev-parse main)" != "$(git -C v rev-parse main)"'
check "  stock git verify-commit takes it (ssh-keygen asks no user presence)" \
	git -C vx -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$TMP/allowed_signers" verify-commit main
check "qvault verify refuses the commit signed without user presence (exit 3, naming it)" \
	culprit vx "^commit [0-9a-f]+: the commit's signature does not verify: signature says its user was not present"

done_testing
