#!/bin/sh
# Vault hooks: events, refusals, time limits, the shipped samples, and
# the pre-receive hook of a plain git server.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier tom zenith
make_pdf a.pdf
make_pdf dwg-1-a.pdf "drawing A"
make_pdf dwg-1-b.pdf "drawing B"
make_text mc.csv H1
# hook NAME BODY: install a hook script in the vault
hook() { printf '#!/bin/sh\n%s\n' "$2" > "v/hooks/$1" && chmod +x "v/hooks/$1"; }
mkdir -p v/hooks

# ---- the event ------------------------------------------------------------
export SECRET_OF_THE_CALLER=leak
hook pre-add 'cat > "$QVAULT_DIR/../event.json"; env > "$QVAULT_DIR/../env.txt"'
ok "a pre-add hook that agrees lets the add through" q add a.pdf --doc D1 --type other --title "first"
check "  it read the event as JSON: event, op, user, the record inlined" sh -c '
	jq -e ".event == \"pre-add\" and .op == \"add\" and .user.name == \"tester\" and
	       .user.org == \"owner\" and (.user.roles | index(\"buyer\")) != null and
	       (.message | startswith(\"add D1@A\")) and (.parent | length) == 40 and (.commit == null) and
	       ([.changes[] | select(.record.record == \"revision\")][0].record.title == \"first\") and
	       ([.changes[].path] | any(endswith(\"/files/a.pdf\")))" event.json > /dev/null'
check "  the event matches schemas/hook-event.schema.json's required fields" sh -c '
	for k in $(jq -r ".required[]" "$TESTS_DIR/../../schemas/hook-event.schema.json"); do
		jq -e "has(\"$k\")" event.json > /dev/null || exit 1; done'
check "  a clean environment naming the vault and the user" sh -c '
	grep -qx "QVAULT_USER=tester" env.txt && grep -qx "QVAULT_ORG=owner" env.txt &&
	grep -qx "QVAULT_EVENT=pre-add" env.txt && grep -qx "QVAULT_DIR=$(cd v && pwd)" env.txt &&
	! grep -q SECRET_OF_THE_CALLER env.txt && ! grep -q "^QVAULT_KEY=" env.txt'
hook post-add 'cat > "$QVAULT_DIR/../post.json"'
ok "a post-add hook runs after the write" q add a.pdf --doc D2 --type other
check "  its event names the commit, which is the branch" sh -c '
	test "$(jq -r .commit post.json)" = "$(git -C v rev-parse main)" &&
	jq -e ".event == \"post-add\"" post.json > /dev/null'
rm v/hooks/post-add

# ---- refusals: one line, the vault as it was -----------------------------
hook pre-add 'echo "policy: no adds on Fridays"; echo "second line"; exit 1'
fails 1 "^qvault: the pre-add hook refused: policy: no adds on Fridays$" \
	"a pre-add hook that exits non-zero refuses with its first line" q add a.pdf --doc D3 --type other
hook pre-add 'exit 3'
fails 1 "the pre-add hook refused \(exit status 3\) and gave no reason" \
	"a hook that refuses and prints nothing" q add a.pdf --doc D3 --type other
hook pre-add 'head -c 5000000 /dev/zero | tr "\\0" x; echo; exit 1'
fails 1 "the pre-add hook refused: x{200}\.\.\.$" "a hook that writes megabytes: its first line, shortened" \
	q add a.pdf --doc D3 --type other
hook pre-add 'head -c 5000000 /dev/zero | tr "\\0" x; exit 0'
ok "  and one that writes megabytes and agrees lets the write through" q add a.pdf --doc D3 --type other
chmod -x v/hooks/pre-add
fails 1 "the pre-add hook is not executable" "a hook that is not executable refuses" \
	q add a.pdf --doc D4 --type other
hook pre-add 'kill -9 $$'
fails 1 "the pre-add hook was killed by signal 9" "a hook that dies by a signal" q add a.pdf --doc D4 --type other
printf 'echo no shebang\n' > v/hooks/pre-add
# (under valgrind, which runs posix_spawn as fork and exec, the exec error is exit 127)
fails 1 "the pre-add hook cannot run: Exec format error|the pre-add hook refused \(exit status 127\)" \
	"a hook that is not a program" \
	q add a.pdf --doc D4 --type other
git -C v config qvault.hookTimeout 1
hook pre-add 'sleep 300 & echo $! > "$QVAULT_DIR/../child.pid"; sleep 300'
start=$(date +%s)
fails 1 "the pre-add hook did not finish within 1 s and was killed" "a hook that hangs is killed at its limit" \
	q add a.pdf --doc D4 --type other
check "  in seconds, not minutes" test $(($(date +%s) - start)) -lt 20
check "  with what it started" sh -c 'case $(ps -o stat= -p "$(cat child.pid)") in ""|Z*) ;; *) exit 1;; esac'
hook pre-add 'sleep 300 & echo $! > "$QVAULT_DIR/../child2.pid"; exit 0'
ok "a hook that agrees but leaves a child running" q add a.pdf --doc D4 --type other
check "  the child does not outlive it" sh -c 'case $(ps -o stat= -p "$(cat child2.pid)") in ""|Z*) ;; *) exit 1;; esac'
git -C v config qvault.hookTimeout soon
hook pre-add 'exit 0'
fails 1 "qvault.hookTimeout must be a number of seconds" "a time limit that is not a number" \
	q add a.pdf --doc D4b --type other
git -C v config --unset qvault.hookTimeout
hook pre-add 'exit 1'
printf '[{"doc": "D5", "file": "a.pdf", "type": "other"}, {"doc": "D6", "file": "a.pdf", "type": "other"}]' > manifest.json
fails 1 "the pre-add hook refused" "an import refused by pre-add leaves no pack behind" q import manifest.json
q release DWG-9 --rev A dwg-1-a.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line P-1:50:DWG-9@A > /dev/null
hook pre-lot 'echo "lots are closed"; exit 1'
fails 1 "the pre-lot hook refused: lots are closed" "pre-lot refuses a lot" \
	q --key sam.pem lot add L-1 --po PO-1 --part P-1 --qty 5
rm v/hooks/pre-lot
hook pre-ack 'jq -r ".changes[].record.predicate.meaning? // empty" | grep -q approved || { echo "only approvals"; exit 1; }'
fails 1 "the pre-ack hook refused: only approvals" "pre-ack sees the statement" q --key sam.pem ack DWG-9@A
ok "  and lets an approval through" q --key sam.pem ack DWG-9@A -m approved
rm -f v/hooks/pre-ack v/hooks/pre-add

hook post-add 'echo "mail server down"; exit 1'
ok "a failing post-add hook does not undo the write" sh -c 'q add a.pdf --doc D7 --type other 2> err.txt'
check "  it is reported as a warning" grep -q "warning: the post-add hook failed: mail server down (the write is recorded)" err.txt
check "  and the write is there" sh -c 'q show D7 > /dev/null'
rm v/hooks/post-add
ok "verify passes after all of it" q verify
check "no quarantine is left behind" test ! -e v/qvault/quarantine

# ---- the samples ----------------------------------------------------------
rm -rf v/hooks
ok "hooks install copies the samples" q hooks install
check "  pre-add, pre-release, post-release, executable" \
	test -x v/hooks/pre-add -a -x v/hooks/pre-release -a -x v/hooks/post-release
check "  hooks list shows them installed" sh -c 'q hooks list | grep -q "^pre-add  *installed"'
check "  a second install changes nothing" sh -c 'q hooks install pre-add | grep -q "already installed"'
echo "# mine" >> v/hooks/pre-add
fails 1 "hooks/pre-add exists and differs from the sample \(--force replaces it\)" \
	"install does not overwrite a changed hook" q hooks install pre-add
ok "  --force does" q hooks install --force pre-add
fails 1 "no sample hook 'pre-nothing'" "an unknown sample" q hooks install pre-nothing

fails 1 "the pre-add hook refused: MC-1@A: a material certificate needs its heat number" \
	"sample pre-add: a material certificate without data" q add mc.csv --doc MC-1 --type material-cert
cert() { q add mc.csv --doc MC-1 --type material-cert --field heat_number="$1" \
	--field certificate_type=3.1 --field certificate_number=C-1 --field manufacturer=Mill \
	--field product=bar --field grade=S355 --field issue_date=2026-01-05 --field inspector=Ines; }
git -C v config qvault.heatPattern '^H[0-9]{4}$'
fails 1 "heat number 'X1' does not match \^H\[0-9\]\{4\}\\$" "  a heat number not matching qvault.heatPattern" cert X1
git -C v config qvault.heatPattern '('
fails 1 "the pre-add hook refused: pre-add: cannot check the write \(jq failed" \
	"  a pattern jq cannot read refuses, never lets through" cert H1234
git -C v config qvault.heatPattern '^H[0-9]{4}$'
ok "  a heat number that matches" cert H1234
fails 1 "the pre-release hook refused: DWG-1@B: drawing file 'a.pdf' does not carry its revision B" \
	"sample pre-release: a drawing file name without its revision" q release DWG-1 --rev B a.pdf --to acme
git -C v config qvault.outbox "$TMP/outbox"
ok "  a drawing named for its revision is released" \
	q release DWG-1 --rev B dwg-1-b.pdf --to acme,zenith --reason "ECN 12, \"hole\" moved"
check "sample post-release: one notification per organization in the outbox" \
	test -f outbox/DWG-1@B-acme.csv -a -f outbox/DWG-1@B-zenith.csv
check "  mail-merge ready: a header and one row, quoted CSV" sh -c '
	head -n 1 outbox/DWG-1@B-acme.csv | grep -q "^organization,document,revision,title," &&
	sed -n 2p outbox/DWG-1@B-acme.csv | grep -q "^\"acme\",\"DWG-1\",\"B\",.*\"ECN 12, \"\"hole\"\" moved\"" &&
	test "$(wc -l < outbox/DWG-1@B-acme.csv)" = 2'

# ---- pre-receive on a plain git server -------------------------------------
git init -q --bare srv.git
cp "$TESTS_DIR/../../hooks/pre-receive" srv.git/hooks/
export QVAULT_BIN="$QVAULT"
ok "pre-receive: a push of the vault's history is accepted" git -C v push -q "$TMP/srv.git" main
git clone -q -b main srv.git work 2>/dev/null
(cd work && echo junk > junk && git add junk && git -c user.name=x -c user.email=x@y commit -qm junk)
check "pre-receive: an unsigned commit is refused" sh -c '
	! git -C work push origin main 2> err.txt && grep -q "qvault: refused: .*the commit is not signed" err.txt'
(cd work && git reset -q --hard origin/main)
# a supplier's key signs a release of a controlled drawing: its role may not
ssh-keygen -q -t ed25519 -N "" -f "$TMP/rogue" -C rogue
GIT_DIR=v git rev-parse main > /dev/null
forge_in() { # forge_in REPO KEY MESSAGE PATH=FILE: a signed commit on main of REPO
	fr=$1 fk=$2 fm=$3 spec=$4
	GIT_INDEX_FILE=$TMP/fi.index git -C "$fr" read-tree main
	b=$(git -C "$fr" hash-object -w "${spec#*=}")
	GIT_INDEX_FILE=$TMP/fi.index git -C "$fr" update-index --add --cacheinfo "100644,$b,${spec%%=*}"
	t=$(GIT_INDEX_FILE=$TMP/fi.index git -C "$fr" write-tree)
	c=$(git -C "$fr" -c gpg.format=ssh -c user.signingkey="$fk" commit-tree -S "$t" -p main -m "$fm")
	git -C "$fr" update-ref refs/heads/main "$c"; rm -f "$TMP/fi.index"
}
forge_in work "$TMP/rogue" "add junk" "junk.json=$TMP/mc.csv"
check "pre-receive: a commit signed by an unregistered key is refused" sh -c '
	! git -C work push origin main 2> err.txt && grep -q "qvault: refused: .*unregistered key" err.txt'
(cd work && git reset -q --hard origin/main)
# a registered supplier's key signs what only an admin may: its role may not
ssh-keygen -q -t ed25519 -N "" -f "$TMP/rs" -C rs
q --key "$TMP/admin.pem" user add rs --org acme --role supplier --pubkey "$TMP/rs.pub" > /dev/null
git -C v push -q "$TMP/srv.git" main
(cd work && git fetch -q origin && git reset -q --hard origin/main)
forge_in work "$TMP/rs" "user add evil" "users/evil/user.json=$TMP/mc.csv"
check "pre-receive: an operation the signer's role does not allow is refused" sh -c '
	! git -C work push origin main 2> err.txt && grep -q "qvault: refused: .*user .rs. may not" err.txt'
q --key "$TMP/admin.pem" user revoke rs > /dev/null
git -C v push -q "$TMP/srv.git" main
(cd work && git fetch -q origin && git reset -q --hard origin/main)
forge_in work "$TMP/rs" "add junk" "junk.json=$TMP/mc.csv"
check "pre-receive: a commit by a revoked key is refused" sh -c '
	! git -C work push origin main 2> err.txt && grep -q "qvault: refused: .*revoked user .rs." err.txt'
(cd work && git reset -q --hard origin/main)
q add a.pdf --doc D8 --type other > /dev/null
ok "pre-receive: a further signed write is accepted" git -C v push -q "$TMP/srv.git" main
check "pre-receive: rewriting history is refused" sh -c '
	! git -C v push -f ../srv.git main~2:main 2> err.txt &&
	grep -q "qvault: refused: the push rewrites history" err.txt'
check "pre-receive: deleting main is refused" sh -c '
	! git -C v push ../srv.git :main 2> err.txt && grep -q "main cannot be deleted" err.txt'
check "  the server still has the vault's history" \
	test "$(git -C srv.git rev-parse main)" = "$(git -C v rev-parse main)"

done_testing
