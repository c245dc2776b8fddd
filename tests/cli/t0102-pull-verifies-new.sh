#!/bin/sh
# A pull verifies only what is new: the commits our head does not lead to,
# with what our own tree holds (the lots and what was drawn from them) as
# the history behind them, since our history was verified as it came in.
# New commits that fail are refused, the vault unchanged; a history
# rewritten at the other site is checked from where the two parted; the
# rules that span the two sites hold on the merged result.  The trust
# boundary: our own branch, which a pull does not read again (a commit
# forged into it around qvault is found by `qvault verify`, which reads it
# all).
. "$(dirname "$0")/lib.sh"

new_vault a
V=a
export QVAULT_DIR=a
add_supplier sam sup1
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to sup1 > /dev/null
q po add PO-1 --supplier sup1 --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
add_docs 20
git init -q --bare hub.git
q remote add hub "file://$TMP/hub.git" > /dev/null
q push hub > /dev/null
q clone "file://$TMP/hub.git" b > /dev/null
all=$(git -C b rev-list --count main)
# "Checking commits: 100% (K/K), done." in FILE (the progress line, \r-drawn)
checked() { tr '\r' '\n' < "$1" | grep -q "^Checking commits: 100% ($2/$2), done\.$"; }

check "site B's full verify checks all $all commits" evalq '
	q -C b verify --progress > /dev/null 2> v.err && checked v.err "$all"'
make_pdf n1.pdf "new at A"
q add n1.pdf --doc N-1 --type other > /dev/null
q push hub > /dev/null
ok "site B pulls one new commit into its $all: it checks that one only" evalq '
	q -C b pull --progress > pull.out 2> pull.err && checked pull.err 1 &&
	grep -q "took the other site" pull.out'
check "  and has it; its full verify passes" evalq '
	q -C b list | grep -q "^N-1" && q -C b verify > /dev/null'

# ---- new commits that fail, after a good base ------------------------------------------
rm -rf f; cp -a a f
make_pdf n2.pdf "good at F"
q -C f add n2.pdf --doc N-2 --type other > /dev/null
make_pdf evil.pdf "forged"
forge f - "add EVIL@A

Qvault-Op: add
Qvault-Doc: EVIL
Qvault-Rev: A" "docs/00/00/EVIL/A/files/evil.pdf=evil.pdf"
V=b
fails 3 "the history of 'file://.*/f' does not verify: the commit is not signed in commit [0-9a-f]{12}$" \
	"a pull whose second new commit is forged (unsigned) is refused, the vault unchanged" \
	q -C b pull "file://$TMP/f"
check "  it checked the two new commits, no more" evalq '
	! q -C b pull --progress "file://$TMP/f" > /dev/null 2> f.err && checked f.err 2'

# a site that rewrote its history from far back: all it has since we parted is new
rm -rf r; cp -a a r
git -C r update-ref refs/heads/main main~15
forge r - "add EVIL@A

Qvault-Op: add
Qvault-Doc: EVIL
Qvault-Rev: A" "docs/00/00/EVIL/A/files/evil.pdf=evil.pdf"
fails 3 "does not verify: the commit is not signed in commit [0-9a-f]{12}$" \
	"a pull from a site whose history was rewritten from 15 commits back is refused, the vault unchanged" \
	q -C b pull "file://$TMP/r"

# ---- the trust boundary: our own branch ------------------------------------------------
rm -rf lb; cp -a b lb
forge lb - "add EVIL@A

Qvault-Op: add
Qvault-Doc: EVIL
Qvault-Rev: A" "docs/00/00/EVIL/A/files/evil.pdf=evil.pdf"
make_pdf n3.pdf "new at A again"
q -C a add n3.pdf --doc N-3 --type other > /dev/null
ok "a commit forged into our own branch with stock git is not read again by a pull (1 of 1 checked)" \
	evalq 'q -C lb pull --progress "file://$TMP/a" > /dev/null 2> lb.err && checked lb.err 1'
check "  qvault verify, which reads all of it, finds the forgery" culprit lb "the commit is not signed"

# ---- rules that span both sites --------------------------------------------------------
q -C b pull "file://$TMP/a" > /dev/null
rm -rf sa sb; cp -a a sa; cp -a b sb
q -C sa --key "$TMP/sam.pem" lot add L-A --po PO-1 --part PN-1 --qty 10 --from L-1:10 > /dev/null
q -C sb --key "$TMP/sam.pem" lot add L-B --po PO-1 --part PN-1 --qty 10 --from L-1:10 > /dev/null
ok "  (each site alone verifies)" evalq 'q -C sa verify > /dev/null && q -C sb verify > /dev/null'
V=sb
fails 3 "does not verify: .*lot 'L-1' holds 10, but 20 are drawn from it in all in commit [0-9a-f]{12}$" \
	"lot L-1 drawn in full at each of two sites: the pull is refused, the vault unchanged" \
	q -C sb pull "file://$TMP/sa"
rm -rf sa sb; cp -a a sa; cp -a b sb
q -C sa --key "$TMP/sam.pem" asn add --po PO-1 --ship-date 2099-12-10 --package CTN-1:L-1:6 > /dev/null 2>&1
q -C sb --key "$TMP/sam.pem" lot add L-B --po PO-1 --part PN-1 --qty 5 --from L-1:5 > /dev/null
fails 3 "lot 'L-1' holds 10, but 11 are drawn from it in all" \
	"lot L-1 shipped at one site and drawn at the other past its holding: refused, unchanged" \
	q -C sb pull "file://$TMP/sa"
V=sa
fails 3 "lot 'L-1' holds 10, but 11 are drawn from it in all" \
	"  and the same pulled the other way" \
	q -C sa pull "file://$TMP/sb"
rm -rf sa sb; cp -a a sa; cp -a b sb
q -C sa --key "$TMP/sam.pem" lot add L-A --po PO-1 --part PN-1 --qty 4 --from L-1:4 > /dev/null
q -C sb --key "$TMP/sam.pem" lot add L-B --po PO-1 --part PN-1 --qty 6 --from L-1:6 > /dev/null
ok "drawn at both sites within its holding: merged" evalq '
	q -C sb pull "file://$TMP/sa" | grep -q "signed merge" && q -C sb verify > /dev/null'
ok "  the merge pulled back to the other site: a fast-forward, verified" evalq '
	q -C sa pull "file://$TMP/sb" | grep -q "took the other site" && q -C sa verify > /dev/null'

# a user revoked at one site, writing at the other after it
rm -rf sa sb; cp -a a sa; cp -a b sb
q -C sa --key "$TMP/admin.pem" user revoke sam > /dev/null
sleep 1
make_pdf coc.pdf "sam's certificate"
q -C sb --key "$TMP/sam.pem" add coc.pdf --doc COC-1 --type coc > /dev/null
V=sa
fails 1 "whom the other side had revoked" \
	"a pull bringing in what a user revoked at this site wrote at the other is refused, unchanged" \
	q -C sa --key "$TMP/admin.pem" pull "file://$TMP/sb"
V=sb
fails 1 "whom the other side had revoked|revoked in the history it merges" \
	"  and so is the pull the other way" \
	q -C sb --key "$TMP/admin.pem" pull "file://$TMP/sa"

# ---- pushes received at a site: verify --since, and the pre-receive sample -------------
V=b
ok "verify --since the head's parent checks one commit" evalq '
	q -C b verify --progress --since "$(git -C b rev-parse main~1)" > vs.out 2> vs.err &&
	checked vs.err 1 && grep -q "^ok: 1 commits" vs.out'
fails 1 "commit [0-9a-f]{12} is not in the vault's history" "verify --since a commit not in the history is refused" \
	q -C b verify --since "$(git -C r rev-parse main)"
fails 1 "'main' is not a commit id" "  and so is a name that is not a commit id" q -C b verify --since main
git init -q --bare hub2.git
cp "$TESTS_DIR/../../hooks/pre-receive" hub2.git/hooks/
export QVAULT_BIN="$QVAULT"
ok "a first push to a server with the pre-receive sample: verified whole" \
	git -C b push -q "$TMP/hub2.git" main
rm -rf fb; cp -a b fb
make_pdf n4.pdf "good at FB"
q -C fb add n4.pdf --doc N-4 --type other > /dev/null
forge fb - "add EVIL@A

Qvault-Op: add
Qvault-Doc: EVIL
Qvault-Rev: A" "docs/00/00/EVIL/A/files/evil.pdf=evil.pdf"
was=$(git -C hub2.git rev-parse main)
check "a push whose second new commit is forged is refused by the hook (verify --since its main)" evalq '
	! git -C fb push "$TMP/hub2.git" main > push.out 2>&1 &&
	grep -q "qvault: refused: commit [0-9a-f]*: the commit is not signed" push.out &&
	test "$(git -C hub2.git rev-parse main)" = "$was"'
ok "  the good one alone is taken" git -C fb push -q "$TMP/hub2.git" main~1:main

done_testing
