#!/bin/sh
# qvault shell (an authorized_keys command) and qvault --remote: what a
# supplier can do from outside, signatures made on its own side, and all
# that it cannot do whatever it sends; through SSH_ORIGINAL_COMMAND
# directly, a stand-in for ssh, and a real sshd on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
# the buyer (tester) is of acme; the suppliers of other organizations
add_supplier sam northwind
add_supplier tom zenith
make_pdf dwg-a.pdf "drawing A"
make_pdf coc.pdf "certificate"
make_pdf other.pdf "zenith's"
q release DWG-1 --rev A dwg-a.pdf --to northwind > /dev/null
q release DWG-2 --rev A other.pdf --to zenith > /dev/null
q po add PO-1 --supplier northwind --line P-1:50:DWG-1@A > /dev/null
# as sshd runs the forced command: the asked command in SSH_ORIGINAL_COMMAND
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }

# ---- what a supplier may do -------------------------------------------------
ok "a supplier lists what it may see" sh -c '
	SSH_ORIGINAL_COMMAND="qvault list" q -C v shell --user sam > l.txt &&
	grep -q "^DWG-1 " l.txt && ! grep -q "^DWG-2 " l.txt'
ok "a supplier uploads a certificate on standard input" sh -c '
	SSH_ORIGINAL_COMMAND="add - --name coc.pdf --doc COC-1 --type coc --po PO-1" q -C v shell --user sam < coc.pdf'
check "  it is stored under its name, attached to the PO, added by sam" sh -c '
	q show COC-1@A > s.txt && grep -q "coc.pdf" s.txt && grep -q "sam" s.txt &&
	q trace po PO-1 | grep -q "COC-1"'
check "  the commit is signed by the vault's server and names sam" sh -c '
	git -C v log -1 --format=%B | grep -qx "Qvault-On-Behalf-Of: sam" &&
	test "$(git -C v log -1 --format=%an)" = sam'
check "  no upload is left behind" sh -c '! ls v/qvault | grep -q upload'
q keys allowed-signers > allowed_signers
check "  git verify-commit accepts the server's signature" \
	git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$TMP/allowed_signers" verify-commit main
ok "a supplier imports lots on standard input" sh -c '
	printf "lot,po,part,qty,made,shipped,from\nL-1,PO-1,P-1,5,2026-01-02,,\n" |
	SSH_ORIGINAL_COMMAND="lot import -" q -C v shell --user sam'
ok "quotes group words with blanks" sh -c '
	SSH_ORIGINAL_COMMAND="add - --name c2.pdf --doc COC-2 --type coc --title \"heat treat report\"" \
	q -C v shell --user sam < coc.pdf && q show COC-2@A | grep -q "heat treat report"'
ok "a buyer releases through the shell" sh -c '
	SSH_ORIGINAL_COMMAND="release DWG-3 --rev A - --to northwind" q -C v shell --user tester < dwg-a.pdf'
ok "verify accepts every commit the server signed for its users" q verify

# ---- refusals: one line, exit status, the vault unchanged ------------------------
fails 2 "shell metacharacter ';' is not allowed" "a ; in the command" as sam 'list; cat /etc/passwd'
fails 2 "shell metacharacter '\|' is not allowed" "a pipe" as sam 'list | sh'
fails 2 "shell metacharacter '\\$' is not allowed" "a \$(...)" as sam 'show $(id)'
fails 2 'shell metacharacter .`. is not allowed' "backquotes" as sam 'show `id`'
fails 2 "shell metacharacter '>' is not allowed" "a redirection" as sam 'list > /tmp/x'
fails 2 "shell metacharacter '&' is not allowed" "&&" as sam 'list && id'
fails 2 "'-C' is not a command qvault shell runs" "-C before the command" as sam '-C /etc list'
fails 2 "option '-C' is not allowed" "-C after the command" as sam 'list -C /'
fails 2 "option '--key' is not allowed" "--key" as sam 'add - --key /tmp/x.pem --doc X --type coc'
fails 2 "option '--passphrase-env' is not allowed" "--passphrase-env" as sam 'list --passphrase-env HOME'
fails 2 "'../../etc/passwd' would be a file on the server" "a path with .. as the file" \
	as sam 'add ../../etc/passwd --name p --doc X --type coc'
fails 2 "'/etc/passwd' would be a file on the server" "an absolute path as the file" \
	as sam 'lot import /etc/passwd'
fails 2 "option '--meta' names a file on the server" "--meta FILE" \
	as sam 'add - --name c.csv --doc MC --type material-cert --meta ../x.json'
fails 2 "option '-o' names a file on the server" "cat -o" as sam 'cat -o /tmp/x DWG-1@A'
fails 2 "'bash' is not a command qvault shell runs" "a login shell's command" as sam 'bash -i'
# an admin's acts are signed by the admin's own key, never by the server for it
q key generate -o boss.pem -c boss | head -n 1 > boss.pub
q --key "$TMP/admin.pem" user add boss --org acme --role admin,buyer --pubkey boss.pub > /dev/null
fails 1 "user 'boss' is an admin, who signs with its own key, not through the server" \
	"an admin writing through the shell" as boss 'po add PO-77 --supplier acme --line PN-1:1:DWG-1@A'
fails 2 "'user' is not a command qvault shell runs|'user add' is not a command" "user add" \
	as sam 'user add eve --org acme --role admin --pubkey x'
fails 2 "'init' is not a command qvault shell runs" "init" as sam 'init /tmp/x'
fails 2 "no login shell" "no command at all" as sam ''
fails 2 "an unbalanced quote" "an unbalanced quote" as sam 'show "DWG-1@A'
fails 2 "'--' is not allowed" "-- to sneak an argument" as sam 'cat -- DWG-1@A'
fails 1 "'release' is not allowed for 'sam' \(needs role buyer\)" "a supplier releasing" \
	as sam 'release DWG-9 --rev A - --to northwind'
fails 1 "a supplier may not verify the whole vault" "a supplier verifying the whole vault (the library refuses)" as sam verify
fails 1 "no active user 'mallory'" "an unknown user in authorized_keys" as mallory list
fails 1 "no document 'DWG-2'" "a supplier cannot read another organization's drawing" as sam 'cat DWG-2@A'
fails 1 "no document 'DWG-2'" "  nor its history" as sam 'show DWG-2'
check "  nor see it in the list" sh -c '! SSH_ORIGINAL_COMMAND=list q -C v shell --user sam | grep -q DWG-2'
fails 2 "'ack' is not a command qvault shell runs" "ack: the server holds no supplier's key" \
	as sam 'ack DWG-1@A'
check "the log shows a supplier its own, nothing of another organization's" sh -c '
	SSH_ORIGINAL_COMMAND=log q -C v shell --user sam > g.txt && grep -q "release DWG-1@A$" g.txt &&
	! grep -Eq "DWG-2|zenith|tom" g.txt'
fails 1 "no document, PO or lot 'DWG-2'" "  nor the history of another organization's drawing" as sam 'log DWG-2'
check "  its lot's trace, by the library's rule" sh -c '
	SSH_ORIGINAL_COMMAND="trace lot L-1" q -C v shell --user sam | grep -q PO-1'
check "allowed-signers: its organization's keys and the buyer's, not another supplier's" sh -c '
	SSH_ORIGINAL_COMMAND="keys allowed-signers" q -C v shell --user sam > k.txt &&
	grep -q "^sam@northwind " k.txt && grep -q "^tester@owner " k.txt && ! grep -q zenith k.txt'
fails 1 "a supplier sees only what is pending for its own organization" "nor another organization's pending" \
	as sam 'pending --org zenith'
check "pending shows a supplier its own organization only" sh -c '
	SSH_ORIGINAL_COMMAND=pending q -C v shell --user sam > p.txt && grep -q northwind p.txt && ! grep -q zenith p.txt'
fails 1 "the upload does not match its SHA-256 \(cut short or changed on the way\)" \
	"an upload cut short (its SHA-256 given first) is refused" sh -c '
	head -c 20 coc.pdf | SSH_ORIGINAL_COMMAND="qvault --sha256=$(sha256sum < coc.pdf | cut -c1-64) add - --name c.pdf --doc COC-8 --type coc" \
		q -C v shell --user sam'
fails 2 "--sha256 is for a command that takes a file" "--sha256 without a file" \
	as sam "--sha256=$(sha256sum < coc.pdf | cut -c1-64) list"
check "no upload is ever left in the vault's folder" sh -c '! ls v/qvault | grep -q upload'

# ---- acknowledging from afar: signed here, recorded there ----------------------
cat > fakessh <<EOS
#!/bin/sh
# stands in for ssh to a host whose authorized_keys runs qvault shell
while [ "\$1" != "--" ]; do shift; done; shift
cmd=\$2
# TAMPER: a vault that rewrites the comment it was asked to put in the statement
[ -n "\${TAMPER:-}" ] && cmd=\$(printf '%s' "\$cmd" | sed 's/as agreed/as the server likes/')
# FORGE_DIGEST: a vault whose statement names other bytes than the revision's files it lists
if [ -n "\${FORGE_DIGEST:-}" ] && [ "\${cmd#qvault ack-statement}" != "\$cmd" ]; then
	SSH_ORIGINAL_COMMAND="\$cmd" "$QVAULT" -C "$TMP/v" shell --user "\${AS:-sam}" |
		sed -E 's/"sha256": "[0-9a-f]{64}"/"sha256": "$(printf '%064d' 0)"/'
	exit
fi
SSH_ORIGINAL_COMMAND="\$cmd" exec "$QVAULT" -C "$TMP/v" shell --user "\${AS:-sam}"
EOS
chmod +x fakessh
unset QVAULT_DIR
export QVAULT_SSH="$TMP/fakessh"
ok "qvault --remote ack: the statement comes from the vault, the signature from sam's key" \
	q --remote ssh://vault.example --key sam.pem ack DWG-1@A
cp "$TMP/.err" rack.err
check "  it shows the file and SHA-256 it signed" \
	grep -qx "qvault: signed DWG-1@A (received): dwg-a.pdf sha256:$(sha256sum < dwg-a.pdf | cut -c1-64)" rack.err
check "  recorded: signed by sam's key, the commit by the server for sam" sh -c '
	q -C v acks DWG-1@A | grep -q "received  by sam (northwind)" &&
	git -C v log -1 --format=%B | grep -qx "Qvault-On-Behalf-Of: sam"'
q -C v ack export DWG-1@A -o ackdir > /dev/null
check "  ssh-keygen verifies sam's statement without qvault" sh -c '
	ssh-keygen -Y verify -f ackdir/allowed_signers -I sam@northwind -n qvault-ack \
		-s ackdir/sam-received.json.sig < ackdir/sam-received.json > /dev/null'
ok "qvault --remote add sends the file over the connection" \
	q --remote ssh://vault.example --key sam.pem add coc.pdf --doc COC-3 --type coc
fails 1 "'sam' already received 'DWG-1@A'" "the same acknowledgment twice" \
	q --remote ssh://vault.example --key sam.pem ack DWG-1@A
fails 1 "the statement names key .* of 'tom', not this key" \
	"a statement for another user is not signed" env AS=tom "$QVAULT" --remote ssh://x --key sam.pem ack DWG-2@A
q -C v release DWG-7 --rev A dwg-a.pdf --to northwind > /dev/null
fails 1 "the vault sent a statement with another comment than the one given: not signed" \
	"a statement whose comment the vault changed is not signed" \
	env TAMPER=1 "$QVAULT" --remote ssh://x --key sam.pem ack DWG-7@A -m approved --comment "as agreed"
q -C v release DWG-8 --rev A dwg-a.pdf --to northwind > /dev/null
fails 1 "the statement's SHA-256 of 'dwg-a.pdf' is not the one the vault lists for DWG-8@A: not signed" \
	"a statement whose digest is not the revision's file is not signed" \
	env FORGE_DIGEST=1 "$QVAULT" --remote ssh://x --key sam.pem ack DWG-8@A
check "  nor recorded" sh -c '! q -C v acks DWG-8@A | grep -q sam'
ok "  the same, untampered, is signed and recorded" \
	q --remote ssh://x --key sam.pem ack DWG-7@A -m approved --comment "as agreed"
fails 1 "--meta names a local file, which --remote does not send" "--remote with --meta" \
	q --remote ssh://x --key sam.pem add coc.pdf --doc MC-1 --type material-cert --meta m.json
fails 1 "--remote 'http://x' is not ssh://" "--remote with another scheme" q --remote http://x list
export QVAULT_DIR=v

# the vault's side of a statement signed elsewhere, with ssh-keygen alone
ssh-keygen -q -t ed25519 -N "" -f "$TMP/ann" -C ann
ssh-keygen -q -t ed25519 -N "" -f "$TMP/eve" -C eve
q --key "$TMP/admin.pem" user add ann --org northwind --role supplier --pubkey "$TMP/ann.pub" > /dev/null
q release DWG-4 --rev A dwg-a.pdf --to northwind > /dev/null
q release DWG-5 --rev A dwg-a.pdf --to northwind > /dev/null
as ann 'ack-statement DWG-4@A' > st.json
submit() { # submit STATEMENT-FILE KEY: sign with ssh-keygen, hand to the vault as ann
	cp "$1" sub.txt && rm -f sub.txt.sig && ssh-keygen -q -Y sign -n qvault-ack -f "$2" sub.txt &&
	jq -n --rawfile s sub.txt --rawfile g sub.txt.sig '{statement: $s, signature: $g}' |
	SSH_ORIGINAL_COMMAND=ack-submit q -C v shell --user ann
}
fails 1 "the statement is not signed by the key of 'ann'" "a statement signed by another key" \
	submit st.json "$TMP/eve"
sed 's/"northwind"/"zenith"/' st.json > moved.json
fails 1 "does not match DWG-4@A as the vault records it for 'ann'" "a statement naming another organization" \
	submit moved.json "$TMP/ann"
jq -c '.predicate.signed_at = "2020-01-01T00:00:00Z"' st.json | tr -d '\n' > old.json
fails 1 "more than 10 minutes from the vault's clock" "a statement made long ago" submit old.json "$TMP/ann"
fails 2 "standard input is not" "a submission that is not JSON" sh -c 'echo nonsense |
	SSH_ORIGINAL_COMMAND=ack-submit q -C v shell --user ann'
ok "the same statement signed by ann's key is recorded" submit st.json "$TMP/ann"
ok "verify accepts it" q verify

# ---- verify: what only a server may sign ------------------------------------------
q --key "$TMP/admin.pem" user add relay --org acme --role server --pubkey "$TMP/eve.pub" > /dev/null
ssh-keygen -q -t ed25519 -N "" -f "$TMP/byr" -C byr
q --key "$TMP/admin.pem" user add byr --org acme --role buyer --pubkey "$TMP/byr.pub" > /dev/null
cp -r v w
printf '{"record":"user"}' > fake.json
forge w eve "user add evil

Qvault-Op: user-add
Qvault-On-Behalf-Of: sam" "users/evil/user.json=fake.json"
check "verify: a server signing for a supplier who may not do it is caught" \
	culprit w "a server may not add or revoke users on behalf of 'sam'"
rm -rf w; cp -r v w
forge w byr "add

Qvault-Op: add
Qvault-On-Behalf-Of: sam" "x.json=fake.json"
check "verify: a non-server signing for someone else is caught" \
	culprit w "'byr' signed for 'sam' but may not act for another user"
rm -rf w; cp -r v w
forge w eve "add

Qvault-Op: add
Qvault-On-Behalf-Of: nobody" "x.json=fake.json"
check "verify: a server signing for an unknown user is caught" \
	culprit w "the server signed for 'nobody', who is not a registered user"
rm -rf w

# ---- a real sshd on 127.0.0.1 ---------------------------------------------------
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N "" -f "$TMP/hostkey"
	ssh-keygen -q -t ed25519 -N "" -f "$TMP/sam_ssh" -C sam-transport
	ssh-keygen -q -t ed25519 -N "" -f "$TMP/site_ssh" -C site-b
	printf 'command="%s -C %s shell --user sam",restrict %s\n' "$QVAULT" "$TMP/v" \
		"$(cat "$TMP/sam_ssh.pub")" > "$TMP/authorized_keys"
	# another site's key: it copies the vault as the admin
	printf 'command="%s -C %s shell --user admin",restrict %s\n' "$QVAULT" "$TMP/v" \
		"$(cat "$TMP/site_ssh.pub")" >> "$TMP/authorized_keys"
	port=0
	for try in 1 2 3 4 5; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		cat > "$TMP/sshd_config" <<EOS
Port $p
ListenAddress 127.0.0.1
HostKey $TMP/hostkey
AuthorizedKeysFile $TMP/authorized_keys
PidFile $TMP/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
LogLevel ERROR
EOS
		/usr/sbin/sshd -f "$TMP/sshd_config" -E "$TMP/sshd.log" && sleep 0.3
		if [ -s "$TMP/sshd.pid" ] && kill -0 "$(cat "$TMP/sshd.pid")" 2>/dev/null; then port=$p; break; fi
	done
	trap 'kill "$(cat "$TMP/sshd.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$TMP"' EXIT
	cat > "$TMP/ssh_config" <<EOS
Host *
	User $(id -un)
	IdentityFile $TMP/sam_ssh
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	BatchMode yes
	LogLevel ERROR
EOS
	export QVAULT_SSH="ssh -F $TMP/ssh_config"
	check "sshd started on 127.0.0.1:$port" test "$port" != 0
	q release DWG-6 --rev A dwg-a.pdf --to northwind > /dev/null
	ok "over ssh: the supplier lists its documents" sh -c "
		q --remote ssh://127.0.0.1:$port list > r.txt && grep -q '^DWG-6 ' r.txt && ! grep -q '^DWG-2 ' r.txt"
	ok "over ssh: it acknowledges, signing with its own key" \
		q --remote "ssh://127.0.0.1:$port" --key sam.pem ack DWG-6@A
	check "  the vault has it, signed by sam, committed by the server for sam" sh -c '
		q acks DWG-6@A | grep -q "by sam (northwind)" &&
		git -C v log -1 --format=%B | grep -qx "Qvault-On-Behalf-Of: sam"'
	ok "over ssh: it uploads a certificate" \
		q --remote "ssh://127.0.0.1:$port" --key sam.pem add coc.pdf --doc COC-9 --type coc
	check "over ssh: another organization's drawing stays out of reach" sh -c "
		! q --remote ssh://127.0.0.1:$port cat DWG-2@A > out.pdf 2> err.txt && test ! -s out.pdf &&
		grep -q \"no document 'DWG-2'\" err.txt"
	check "over ssh: a shell command is refused" sh -c "
		! ssh -F $TMP/ssh_config -p $port 127.0.0.1 'sh -c id' > out.txt 2> err.txt &&
		grep -q \"'sh' is not a command qvault shell runs\" err.txt && test ! -s out.txt"
	check "over ssh: an interactive login is refused" sh -c "
		! ssh -F $TMP/ssh_config -p $port 127.0.0.1 < /dev/null > out.txt 2> err.txt &&
		grep -q 'no login shell' err.txt"
	check "over ssh: metacharacters are refused, not run" sh -c "
		! ssh -F $TMP/ssh_config -p $port 127.0.0.1 'list; touch $TMP/pwned' 2> err.txt &&
		test ! -e $TMP/pwned && grep -q 'metacharacter' err.txt"
	ok "verify passes on everything the server wrote" q verify
	# libgit2 checks the host key against known_hosts, as ssh does
	mkdir -p "$TMP/home/.ssh"
	printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$TMP/hostkey.pub")" > "$TMP/home/.ssh/known_hosts"
	export HOME="$TMP/home"
	# libgit2's ssh transport leaks inside libgit2 and libssh2 (see the file)
	SSH_LSAN="suppressions=$TESTS_DIR/../lsan-ssh.supp:print_suppressions=0"
	ok "over ssh: another site clones the vault (libgit2's ssh, git upload-pack behind qvault shell)" \
		env QVAULT_SSH_KEY="$TMP/site_ssh" LSAN_OPTIONS="$SSH_LSAN" "$QVAULT" clone "ssh://$(id -un)@127.0.0.1:$port/vault" site-b
	check "  it has the same history" test "$(git -C site-b rev-parse main)" = "$(git -C v rev-parse main)"
	q add coc.pdf --doc COC-10 --type coc > /dev/null
	ok "over ssh: and pulls what came since" \
		env QVAULT_SSH_KEY="$TMP/site_ssh" LSAN_OPTIONS="$SSH_LSAN" "$QVAULT" -C site-b pull
	check "  up to date with the vault" test "$(git -C site-b rev-parse main)" = "$(git -C v rev-parse main)"
	check "over ssh: a supplier may not copy the whole vault" sh -c "
		! env QVAULT_SSH_KEY=$TMP/sam_ssh LSAN_OPTIONS=$SSH_LSAN $QVAULT clone ssh://$(id -un)@127.0.0.1:$port/vault sam-copy 2> err.txt &&
		test ! -e sam-copy && grep -q 'cannot clone' err.txt"
else
	_skip "sshd tests need root and /usr/sbin/sshd"
fi

done_testing
