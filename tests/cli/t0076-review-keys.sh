#!/bin/sh
# A security review of signing with OpenSSH keys through ssh-keygen: the
# askpass mode answers only the ssh-keygen qvault ran, and only for a key
# file's passphrase; odd key names reach ssh-keygen as names, never as
# options.
. "$(dirname "$0")/lib.sh"

vault_v
trap 'sanitizer_reports; rm -rf "$TMP"' EXIT

reg() { q --key "$TMP/admin.pem" user add "$1" --org "$2" --role "$3" --pubkey "$1.pub" > /dev/null; }
ssh-keygen -q -t ed25519 -N 'horse battery' -C pat -f pat
ssh-keygen -q -t ed25519 -N '' -C sue -f ./-sue
cp ./-sue.pub sue.pub
make_pdf a.pdf "rev A"
ok "a buyer with a passphrase-protected OpenSSH key is registered" reg pat owner buyer
ok "  and a supplier whose key file's name starts with '-'" reg sue acme supplier
printf 'top secret\n' > secret

# ---- QVAULT_ASKPASS_FD in the environment of another qvault -------------
# Before: every command exited 0 without running (a verify gate passed),
# and printed whatever an inherited fd 3 held.
fails 1 "^qvault: QVAULT_ASKPASS_FD is set, but qvault is not run by ssh-keygen" \
	"QVAULT_ASKPASS_FD in a script's environment: refused, not a silent success" \
	env QVAULT_ASKPASS_FD=3 "$QVAULT" verify
fails 1 "^qvault: QVAULT_ASKPASS_FD is set, but qvault is not run by ssh-keygen" \
	"  nor does it print an inherited file" \
	sh -c 'QVAULT_ASKPASS_FD=3 "$QVAULT" "Enter passphrase: " 3< secret'
cp "$TMP/.out" printed
check "  whose content stays unprinted" sh -c '! grep -q secret printed'

# The askpass mode, run as ssh-keygen runs it: a memory file on fd 3.
askpass() {
	python3 -c 'import os, sys
fd = os.memfd_create("qvault-sshtool-fd3", 0)
os.write(fd, b"horse battery\n"); os.lseek(fd, 0, 0); os.dup2(fd, 3)
os.execvpe(sys.argv[1], sys.argv[1:], dict(os.environ, QVAULT_ASKPASS_FD="3"))' "$QVAULT" "$@"
}
check "the askpass mode hands over a key file's passphrase" \
	test "$(askpass 'Enter passphrase for "pat": ')" = "horse battery"
# Before: the passphrase went to the security key as its PIN, using up
# one of its PIN tries each time.
fails 1 "^qvault: ssh-keygen asks for more than the key file's passphrase \(Enter PIN" \
	"  but never as a security key's PIN" askpass "Enter PIN for ED25519-SK key pat: "
cp "$TMP/.out" printed
check "  whose answer stays unprinted" sh -c '! grep -q horse printed'

# ---- odd key names -------------------------------------------------------
ok "a passphrase-protected key still signs through the askpass mode" \
	env PASS='horse battery' q --key pat --passphrase-env PASS release DWG-1 --rev A a.pdf \
		--to acme --reason "first issue"
ok "a key file named '-sue' is a file to ssh-keygen, not an option" q --key -sue ack DWG-1@A
check "  the act is sue's" sh -c 'q acks DWG-1@A | grep -q "by sue (acme)"'
fails 1 "'agent:SHA256:-O-.*' does not name a key by its fingerprint" \
	"an agent fingerprint with characters base64 has not" \
	q --key "agent:SHA256:-O-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ack DWG-1@A

# ---- the children ssh-keygen runs in ---------------------------------------
# A parent that ignores SIGCHLD (inherited through exec) has children
# reaped by the kernel: waitpid then says ECHILD, and ssh-keygen's exit
# status is not to be read from an unset variable.
nochld() {
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
ok "a key file's passphrase is checked under a parent that ignores SIGCHLD" \
	nochld env PASS='horse battery' "$QVAULT" --key pat --passphrase-env PASS release DWG-2 \
		--rev A a.pdf --to acme --reason "first issue"
fails 1 "^qvault: wrong passphrase for key file 'pat'$" "  and a wrong one is still wrong there" \
	nochld env PASS='horse' "$QVAULT" --key pat --passphrase-env PASS release DWG-3 \
		--rev A a.pdf --to acme --reason "first issue"
ok "  and a key signs there" nochld "$QVAULT" --key -sue ack DWG-2@A

# ---- what ssh-keygen writes is checked, not trusted -------------------------
# An ssh-keygen that signs other data, or in another namespace, with the
# right key, or that writes without end, stands first on PATH.
mkdir fake
cat > fake/ssh-keygen <<'FAKE'
#!/bin/sh
# called as: ssh-keygen -q -Y sign -n NAMESPACE -f KEY
case "$FAKE" in
big) exec head -c 300000 /dev/zero ;;
fds) ls /proc/self/fd | tr '\n' ' ' > "$FDS"; exit 1 ;; # ls's own directory is 3
namespace) exec /usr/bin/ssh-keygen -q -Y sign -n other -f "$7" ;;
data) printf 'other data' | /usr/bin/ssh-keygen -q -Y sign -n "$5" -f "$7"; exit ;;
esac
exec /usr/bin/ssh-keygen "$@"
FAKE
cat > fake/ssh-add <<'FAKE'
#!/bin/sh
# closes its output, then does not end
exec > /dev/null 2>&1
exec sleep 173
FAKE
chmod +x fake/ssh-keygen fake/ssh-add
ok "a buyer releases a drawing for sue to acknowledge" \
	env PASS='horse battery' q --key pat --passphrase-env PASS release DWG-5 --rev A a.pdf \
		--to acme --reason "first issue"
fails 1 "^qvault: ssh-keygen wrote more than 65536 bytes$" "an ssh-keygen that writes without end" \
	env FAKE=big PATH="$TMP/fake:$PATH" "$QVAULT" --key -sue ack DWG-5@A
fails 3 "^qvault: signature is for another namespace than .qvault-ack.$" "a signature in another namespace, by the right key" \
	env FAKE=namespace PATH="$TMP/fake:$PATH" "$QVAULT" --key -sue ack DWG-5@A
fails 3 "^qvault: signature does not verify$" "a signature of other data, by the right key" \
	env FAKE=data PATH="$TMP/fake:$PATH" "$QVAULT" --key -sue ack DWG-5@A
# fds 3 and 4 open in qvault's own caller are no child's
fails 1 "^qvault: ssh-keygen cannot sign with key './-sue': it failed$" \
	"an ssh-keygen that lists its open fds" \
	sh -c 'env FAKE=fds FDS="$PWD/fds" PATH="$PWD/fake:$PATH" "$QVAULT" --key ./-sue ack DWG-5@A \
		3< secret 4< secret'
check "  has only 0, 1, 2 (and ls's own 3)" test "$(cat fds)" = "0 1 2 3 "
# Before: only the output was timed; waitpid then waited as long as it ran.
fails 1 "^qvault: ssh-add did not finish within 30 seconds$" \
	"an ssh-add that closes its output and never ends is stopped at its time limit" \
	env SSH_AUTH_SOCK="$TMP/none.sock" PATH="$TMP/fake:$PATH" "$QVAULT" \
		--key "agent:SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ack DWG-5@A
check "  and killed" sh -c '! pgrep -f "^sleep 173$" > /dev/null'
ok "  the real ssh-keygen, on the same PATH, signs" \
	env PATH="$TMP/fake:$PATH" "$QVAULT" --key -sue ack DWG-5@A

# ---- a passphrase-protected FIDO key (tests/sk-soft.c, as t0074) ----------
# its passphrase, and no more, goes through the askpass mode
if [ -f "${SK_SOFT:-}" ]; then
	ok "a passphrase-protected ed25519-sk key is made" env SSH_SK_PROVIDER="$SK_SOFT" \
		ssh-keygen -q -t ed25519-sk -N 'pin is not this' -C ned -f ned
	ok "  and registered" reg ned owner buyer
	ok "  and signs a release" env SSH_SK_PROVIDER="$SK_SOFT" PASS='pin is not this' \
		q --key ned --passphrase-env PASS release DWG-6 --rev A a.pdf --to acme --reason x
else
	_fail "the test security key is built (make build/asan/tools/sk-soft.so; tests/run sets SK_SOFT)"
fi

ok "qvault verify checks every signature" q verify

done_testing
