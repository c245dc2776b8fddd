#!/bin/sh
# Attack: two sites' histories, each sound alone, whose union is not; and
# what a pull verifying only the new commits (vault_verify__since, with
# the ledger of lots seeded from our tree) takes that a whole verify
# refuses, or the other way round.
#  - a ship notice cancelled at one site and replaced at the other: the
#    merged history holds it cancelled, and the lot's other notices, one
#    at each site, ship more than the lot holds (the ledger gave back the
#    replaced revision's draws a second time);
#  - a stock-git merge of the same, verified whole; a peer history that
#    joins a second root by a merge (held);
#  - the access journal, a site's own: entries swapped, or copied in
#    from another vault's journal.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
make_pdf open.pdf "a drawing"
q release DWG-1 --rev A open.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
# A1 ships the whole lot before the sites part
q --key sam.pem asn add --id A1 --po PO-1 --ship-date 2099-12-10 --package P1:L-1:10 > /dev/null 2>&1
# a buyer whose key stock ssh-keygen holds, who signs merges made with git
ssh-keygen -q -t ed25519 -N '' -C bob -f bob
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null

# site a cancels A1 and ships the lot again as B1 (10); site b replaces A1
# by a notice of 5 and ships the other 5 as C1.  Each alone: 10 of 10.
rm -rf a b; cp -a v a; cp -a v b
q -C a --key sam.pem asn cancel A1 > /dev/null
q -C a --key sam.pem asn add --id B1 --po PO-1 --ship-date 2099-12-11 --package P2:L-1:10 > /dev/null 2>&1
q -C b --key sam.pem asn add --id A1 --replaces A1 --po PO-1 --ship-date 2099-12-10 \
	--package P1:L-1:5 > /dev/null 2>&1
q -C b --key sam.pem asn add --id C1 --po PO-1 --ship-date 2099-12-12 --package P3:L-1:5 > /dev/null 2>&1
ok "site a (A1 cancelled, B1 ships 10 of L-1) verifies alone" q -C a verify
ok "site b (A1 replaced by 5, C1 ships 5) verifies alone" q -C b verify
# the same union made with stock git (git merge-tree, a merge signed by bob)
rm -rf m; cp -a a m
git -C m fetch -q "$TMP/b" main:refs/heads/site-b
tree=$(git -C m merge-tree --write-tree main site-b)
c=$(GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	git -C m -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$tree" -p main -p site-b \
	-m "merge site b

Qvault-Op: merge
Qvault-Remote: file://$TMP/b")
git -C m update-ref refs/heads/main "$c"
git -C m update-ref -d refs/heads/site-b
check "a stock-git merge of the two: verify finds the lot overdrawn" \
	culprit m "lot 'L-1' holds 10, but 15 are drawn from it in all"
check "  its only finding" evalq '
	q -C m verify > m.out 2>&1; grep -q "holds 10, but 15" m.out && grep -q "FAILED: .* 1 finding$" m.out'

V=a
fails 3 "the history of 'file://.*/b' does not verify: .*lot 'L-1' holds 10, but 15 are drawn from it in all" \
	"a pulls b: A1 stays cancelled once merged, B1 and C1 ship 15 of 10: refused, the vault unchanged" \
	q -C a pull "file://$TMP/b"
V=b
fails 3 "the history of 'file://.*/a' does not verify: .*lot 'L-1' holds 10, but 15 are drawn from it in all" \
	"  and b pulling a, the other way round" \
	q -C b pull "file://$TMP/a"

# control: the same moves, shipping 5 and 5 where the lot holds them
rm -rf a2 b2; cp -a v a2; cp -a v b2
q -C a2 --key sam.pem asn cancel A1 > /dev/null
q -C a2 --key sam.pem asn add --id B1 --po PO-1 --ship-date 2099-12-11 --package P2:L-1:5 > /dev/null 2>&1
q -C b2 --key sam.pem asn add --id A1 --replaces A1 --po PO-1 --ship-date 2099-12-10 \
	--package P1:L-1:5 > /dev/null 2>&1
q -C b2 --key sam.pem asn add --id C1 --po PO-1 --ship-date 2099-12-12 --package P3:L-1:5 > /dev/null 2>&1
ok "control: B1 ships 5 at a, C1 5 at b: a pulls b (merged)" \
	evalq 'q -C a2 pull "file://$TMP/b2" | grep -q merged'
ok "  and the merged vault verifies" q -C a2 verify
check "  A1 cancelled, B1 and C1 shipped" evalq '
	q -C a2 asn list | grep -q "^A1 .* cancelled$" &&
	q -C a2 asn list | grep -q "^B1 .* shipped$" && q -C a2 asn list | grep -q "^C1 .* shipped$"'

# a peer's history that joins a second root (another history grafted in by a merge)
rm -rf g; cp -a v g
gtree=$(git -C g rev-parse 'main^{tree}')
groot=$(GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	git -C g -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$gtree" -m "init vault

Qvault-Op: init")
gm=$(GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	git -C g -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$gtree" -p main -p "$groot" \
	-m "merge

Qvault-Op: merge
Qvault-Remote: elsewhere")
git -C g update-ref refs/heads/main "$gm"
pulls_refused v "the history of 'file://.*/g' does not verify: .*a second root commit" g

# ---- the access journal: a site's own, chained and signed by its server key ---------
LATER=$(date -u -d '+400 days' +%Y-%m-%d)
make_pdf itar.pdf "an ITAR drawing"
for jv in v w; do
	[ -d $jv ] || new_vault $jv
	q -C $jv --key "$TMP/admin.pem" user add sam --org acme --role supplier \
		--pubkey sam.pem.pub > /dev/null 2>&1
	q -C $jv --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
	q -C $jv --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
	q -C $jv release DWG-X --rev A itar.pdf --to acme --marking ITAR > /dev/null
	q -C $jv --key sam.pem cat DWG-X@A > /dev/null
	q -C $jv --key sam.pem cat DWG-X@A > /dev/null
done
J=v/qvault/journal
cp $J journal.good
ok "two downloads of DWG-X@A journalled; verify holds" \
	evalq 'test "$(wc -l < $J)" = 2 && q -C v verify > /dev/null'
{ sed -n 2p journal.good; sed -n 1p journal.good; } > $J
check "entries swapped: verify fails naming the first out of place" \
	culprit v "access journal entry 1: numbered 2"
cp journal.good $J
sed -n 2p w/qvault/journal >> $J
check "an entry of another vault's journal appended: verify fails (its server key is not ours)" \
	culprit v "access journal entry 3: .*(signed by a key that is not the server's|does not follow|numbered)"
cp w/qvault/journal $J
check "another vault's whole journal in place of ours: verify fails, every entry signed by a stranger" \
	culprit v "access journal entry 1: signed by a key that is not the server's"
cp journal.good $J
ok "restored: verify holds" q -C v verify

done_testing
