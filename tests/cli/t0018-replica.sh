#!/bin/sh
# Copies of a vault at two sites: remote add, push, pull, clone through a
# plain bare repository (with the pre-receive sample) and stock git daemon
# on 127.0.0.1; concurrent writes at both sites merged by a signed commit;
# true conflicts refused; unverifiable history refused.
. "$(dirname "$0")/lib.sh"

new_vault a
V=a
make_pdf x.pdf
git init -q --bare hub.git
cp "$TESTS_DIR/../../hooks/pre-receive" hub.git/hooks/
export QVAULT_BIN="$QVAULT"
HUB="file://$TMP/hub.git"

ok "remote add names the hub" q -C a remote add hub "$HUB"
fails 1 "remote 'hub' exists already" "the same name twice" q -C a remote add hub "$HUB"
fails 1 "'hub.git' is not a URL" "a remote that is not a URL" q -C a remote add other hub.git
fails 1 "no remote 'nowhere'" "push to an unknown remote" q -C a push nowhere
ok "push sends the vault to the hub (its pre-receive verifies it)" q -C a push hub
check "  the hub has main" test "$(git -C hub.git rev-parse main)" = "$(git -C a rev-parse main)"
ok "clone makes site B from the hub, verified" q clone "$HUB" b
check "  site B is a vault with the same documents" sh -c 'q -C b list --json | cmp -s - .ref 2>/dev/null ||
	{ q -C a list --json > .ref; q -C b list --json | cmp -s - .ref; }'
check "  and origin is the hub" sh -c 'git -C b remote get-url origin | grep -q hub.git'

# ---- both sites write at once ----------------------------------------------------
for i in 1 2 3 4 5; do make_pdf "a$i.pdf" "site A $i"; make_pdf "b$i.pdf" "site B $i"; done
(for i in 1 2 3 4 5; do q -C a add "a$i.pdf" --doc "A-$i" --type other > /dev/null || exit 1; done) &
pa=$!
(for i in 1 2 3 4 5; do q -C b add "b$i.pdf" --doc "B-$i" --type other > /dev/null || exit 1; done) &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
check "five writes at each site, at the same time, all recorded" \
	test "$ra$rb" = 00 -a "$(q -C a list | grep -c '^A-')" = 5 -a "$(q -C b list | grep -c '^B-')" = 5
ok "site B pushes first" q -C b push
fails 1 "has history this vault has not: pull first" "site A's push is refused until it pulls" q -C a push hub
ok "site A pulls: verified, then merged" sh -c 'q -C a pull hub > pull.txt && grep -q "signed merge" pull.txt'
check "  the merge commit has both histories as parents and is signed" sh -c '
	test "$(git -C a rev-list --parents -n 1 main | wc -w)" = 3 &&
	git -C a cat-file commit main | grep -q "^gpgsig -----BEGIN SSH SIGNATURE"'
check "  site A has all ten documents" sh -c 'test "$(q -C a list | grep -c "^[AB]-")" = 10'
ok "  verify passes at site A" q -C a verify
ok "site A pushes the merge" q -C a push hub
ok "site B pulls it (fast-forward)" sh -c 'q -C b pull > pull.txt && grep -q "took the other site" pull.txt'
check "both sites have the same history" test "$(git -C a rev-parse main)" = "$(git -C b rev-parse main)"
check "  and the same index answers" sh -c 'q -C a list --json > la.json && q -C b list --json | cmp -s - la.json'
check "  a rebuilt index gives the same answers" sh -c 'q -C b reindex > /dev/null && q -C b list --json | cmp -s - la.json'
ok "verify passes at site B" q -C b verify
check "git fsck --strict is clean at both sites and the hub" sh -c '
	git -C a fsck --strict 2>/dev/null && git -C b fsck --strict 2>/dev/null && git -C hub.git fsck --strict 2>/dev/null'
ok "pull with nothing new is up to date" sh -c 'q -C b pull | grep -q "up to date"'

# ---- stock git daemon on 127.0.0.1 -----------------------------------------------
port=0
for try in 1 2 3 4 5; do
	p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
	git daemon --listen=127.0.0.1 --port=$p --base-path="$TMP" --export-all \
		--enable=receive-pack --reuseaddr --pid-file="$TMP/daemon.pid" "$TMP" 2> daemon.log &
	sleep 0.5
	if kill -0 $! 2>/dev/null && git ls-remote "git://127.0.0.1:$p/hub.git" > /dev/null 2>&1; then
		port=$p; break
	fi
	kill $! 2>/dev/null
done
trap 'kill "$(cat "$TMP/daemon.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$TMP"' EXIT
check "git daemon serves the hub on 127.0.0.1:$port" test "$port" != 0
GIT="git://127.0.0.1:$port/hub.git"
make_pdf c1.pdf "over git"
q -C b add c1.pdf --doc C-1 --type other > /dev/null
ok "site B pushes over git://" q -C b push "$GIT"
ok "site A pulls over git://" q -C a pull "$GIT"
check "  and has C-1" sh -c 'q -C a show C-1 > /dev/null'
make_pdf c2.pdf "back"
q -C a add c2.pdf --doc C-2 --type other > /dev/null
ok "site A pushes back over git://" q -C a push "$GIT"
ok "site B pulls over git://" sh -c 'q -C b pull "'"$GIT"'" && q -C b show C-2 > /dev/null'
ok "verify passes at both sites" sh -c 'q -C a verify > /dev/null && q -C b verify > /dev/null'

# ---- what is refused, leaving the vault as it was ------------------------------------
# a peer that takes the connection and never answers: given up after
# qvault.fetchTimeout, and writers are not held up meanwhile
perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0") or die;
	open(P, ">", "silent.port"); print P $s->sockport, "\n"; close P;
	$c = $s->accept; sleep 30' &
silent=$!
i=0; while [ ! -s silent.port ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
cp -a a a3
git -C a3 config qvault.fetchTimeout 3
( q -C a3 pull "git://127.0.0.1:$(cat silent.port)/x.git" > pull.out 2> pull.err; echo $? > pull.rc ) &
puller=$!
sleep 1
make_pdf w.pdf "written while a pull waits"
ok "a write goes through while a pull waits on a silent peer" \
	q -C a3 add w.pdf --doc WHILE-1 --type drawing
wait $puller
check "  the pull gives up after qvault.fetchTimeout, exit 1" sh -c '
	test "$(cat pull.rc)" = 1 && grep -q "did not finish within 3 seconds" pull.err && test "$(grep -c . pull.err)" = 1'
kill $silent 2> /dev/null; wait $silent 2> /dev/null
check "  and the vault still verifies" q -C a3 verify
fails 1 "cannot fetch from 'git://127.0.0.1:1/none.git'" "a remote that does not answer" \
	q -C a pull git://127.0.0.1:1/none.git
git init -q --bare empty.git
fails 1 "holds no vault \(it has no branch main\)" "a remote with no vault" q -C a pull "file://$TMP/empty.git"
git init -q plain && (cd plain && echo hi > f && git add f && git -c user.name=x -c user.email=x@y commit -qm hi && git branch -M main)
# a history that fails verification exits 3, as verify does
fails 3 "is not a copy of this vault" "a remote that is some other repository" q -C a pull "file://$TMP/plain"
fails 3 "is not a vault|does not verify" "clone of something that is not a vault" q clone "file://$TMP/plain" c
check "  and leaves no folder behind" test ! -e c
git clone -q --bare hub.git evil.git 2>/dev/null
make_text junk.csv
forge evil.git - "sneak" "junk.csv=junk.csv"
fails 3 "does not verify: .*the commit is not signed" "a remote with a forged commit" \
	q -C a pull "file://$TMP/evil.git"
fails 3 "does not verify" "clone of a forged history" q clone "file://$TMP/evil.git" c
cp -r a c
forge c - "sneak" "junk.csv=junk.csv"
q -C c list > /dev/null 2>&1 # the index follows the forged commit, as after any write around qvault
V=c
fails 3 "this vault does not verify, nothing was pushed to .*: .*not signed" \
	"a vault with a forged commit does not push it" q -C c push hub
check "pushing a forged commit with stock git over git://: the hub's pre-receive refuses it" sh -c "
	! git -C c push '$GIT' main 2> err.txt && grep -q 'qvault: refused: .*the commit is not signed' err.txt"
check "  the hub is as it was" test "$(git -C hub.git rev-parse main)" = "$(git -C a rev-parse main)"
V=a

# ---- two people at two sites report on the same PO: both kept -----------------------
q key generate -o sam.pem -c sam | head -n 1 > sam.pub
q key generate -o sue.pem -c sue | head -n 1 > sue.pub
q -C a --key admin.pem user add sam --org acme --role supplier --pubkey sam.pub > /dev/null
q -C a --key admin.pem user add sue --org acme --role supplier --pubkey sue.pub > /dev/null
make_pdf s.pdf "status drawing"
q -C a release DWG-S --rev A s.pdf --to acme > /dev/null
q -C a po add PO-S --supplier acme --line P-1:10:DWG-S@A > /dev/null
q -C a push hub > /dev/null && q -C b pull > /dev/null
q -C a --key sam.pem status PO-S started --note "site A" > /dev/null
q -C b --key sue.pem status PO-S in-progress --note "site B" > /dev/null
q -C b --key sue.pem po ack PO-S --promise 2099-12-01 > /dev/null
q -C a --key sam.pem po ack PO-S --promise 2099-12-08 > /dev/null
q -C b push > /dev/null
ok "status reports and PO acknowledgments written at both sites merge" q -C a pull hub
check "  both sites' reports and acknowledgments are there" sh -c '
	q -C a trace po PO-S --json > t.json && grep -q "site A" t.json && grep -q "site B" t.json &&
	grep -q 2099-12-01 t.json && grep -q 2099-12-08 t.json'
ok "  verify passes" q -C a verify
q -C a push hub > /dev/null && q -C b pull > /dev/null

# ---- a true conflict --------------------------------------------------------------
make_pdf r1.pdf "site A's DWG-9"
make_pdf r2.pdf "site B's DWG-9"
q -C a release DWG-9 --rev A r1.pdf --to acme > /dev/null
q -C b release DWG-9 --rev A r2.pdf --to acme > /dev/null
q -C b push > /dev/null
fails 1 "both sites added revisions of 'DWG-9' since they parted; nothing was merged" \
	"the same revision released at both sites with other bytes is refused" q -C a pull hub
check "  nothing is lost: each site keeps its own DWG-9@A" sh -c '
	q -C a cat DWG-9@A | cmp -s - r1.pdf && q -C b cat DWG-9@A | cmp -s - r2.pdf'
q key generate -o z1.pem -c z1 | head -n 1 > z1.pub
q key generate -o z2.pem -c z2 | head -n 1 > z2.pub
rm -rf a2 b2 && q clone "$HUB" a2 > /dev/null && q clone "$HUB" b2 > /dev/null
q -C a2 --key admin.pem user add zed --org owner --role buyer --pubkey z1.pub > /dev/null
q -C b2 --key admin.pem user add zed --org owner --role buyer --pubkey z2.pub > /dev/null
q -C b2 push > /dev/null
V=a2
fails 1 "both sites wrote 'users/zed/user.json' with different content; nothing was merged" \
	"the same user registered with other keys at both sites is refused" q -C a2 pull

# a merge made around qvault that settles that conflict silently (keeps A's zed) is caught
git -C a2 fetch -q "$TMP/b2" main:refs/heads/theirs
c=$(git -C a2 commit-tree "$(git -C a2 rev-parse 'main^{tree}')" -p main -p theirs -m "merge, keeping ours")
git -C a2 update-ref refs/heads/main "$c"
check "verify: a merge that drops what one site wrote is caught" \
	culprit a2 "the merge drops what one site wrote there"

# a peer that did not yet hear of a revocation: the revoked supplier's later
# commit comes in through an honest pull; pull holds the merge it would sign
# to verify's rules and refuses it, leaving the vault as it was
q key generate -o rio.pem -c rio | head -n 1 > rio.pub
new_vault r1
q -C r1 --key admin.pem user add rio --org acme --role supplier --pubkey rio.pub > /dev/null
q clone "file://$TMP/r1" r2 > /dev/null
q -C r1 --key admin.pem user revoke rio > /dev/null
sleep 1
make_pdf rio.pdf "written by rio after the revocation, where it was not yet known"
q -C r2 --key rio.pem add rio.pdf --doc COC-RIO --type coc > /dev/null
V=r1
fails 1 "the merge brings in commit [0-9a-f]{12} by 'rio', whom the other side had revoked" \
	"pull refuses a merge that brings in a revoked supplier's later commit" q -C r1 pull "file://$TMP/r2"
check "  and the vault still verifies" q -C r1 verify

# two sites that pulled from each other at once (criss-cross merges) merge
# again: a revision both have, byte for byte, is no competing revision
rm -rf c1 c2 && new_vault c1
git init -q --bare x1.git && git init -q --bare x2.git
q -C c1 remote add x1 "file://$TMP/x1.git" > /dev/null && q -C c1 push x1 > /dev/null
q clone "file://$TMP/x1.git" c2 > /dev/null
q -C c1 remote add x2 "file://$TMP/x2.git" > /dev/null
q -C c2 remote add x2 "file://$TMP/x2.git" > /dev/null
q -C c2 remote add x1 "file://$TMP/x1.git" > /dev/null
make_pdf d1.pdf "D rev 1"; make_pdf xx.pdf "X rev 1"
q -C c1 add d1.pdf --doc D-1 --type other > /dev/null && q -C c1 push x1 > /dev/null
q -C c2 add xx.pdf --doc X-1 --type other > /dev/null && q -C c2 push x2 > /dev/null
q -C c1 pull x2 > /dev/null && q -C c2 pull x1 > /dev/null
ok "criss-cross: site 1 pulls site 2's merge" q -C c1 pull "file://$TMP/c2"
ok "  and site 2 site 1's" q -C c2 pull "file://$TMP/c1"
check "  both verify" sh -c 'q -C c1 verify > /dev/null && q -C c2 verify > /dev/null'

# a merge is no act on users of its own: a buyer whose merge brought in the
# admin's new user, revoked later, does not wedge the next pull
rm -rf t1 t2 && new_vault t1
git init -q --bare y1.git
q -C t1 remote add y1 "file://$TMP/y1.git" > /dev/null && q -C t1 push y1 > /dev/null
q clone "file://$TMP/y1.git" t2 > /dev/null
q key generate -o ben.pem -c ben | head -n 1 > ben.pub
q -C t1 --key admin.pem user add ben --org acme --role buyer --pubkey ben.pub > /dev/null
q -C t1 push y1 > /dev/null
make_pdf tx.pdf "t2's document"
q -C t2 add tx.pdf --doc TX-1 --type other > /dev/null && q -C t2 pull origin > /dev/null
sleep 1
q -C t1 --key admin.pem user revoke tester > /dev/null
ok "a merge by a user revoked later (it brought in a new user) still pulls" \
	q -C t1 --key admin.pem pull "file://$TMP/t2"
check "  and verifies (the admin's key: the revoked tester's gets no answer)" q -C t1 --key admin.pem verify

done_testing
