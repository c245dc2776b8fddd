#!/bin/sh
# More attacks on blanket orders and their releases (issue 17): a hostile
# supplier through the CLI and qvault shell (answering another
# organization's release, a release not yet recorded, an old one; seeing
# another organization's releases); two sites releasing and changing one
# blanket at once (pull, and the same merge made with stock git); a peer
# site forging with stock git and ssh-keygen (an acknowledgment signed by
# another user's key, a release rewritten, a release with extra members or
# an absurd quantity).
. "$(dirname "$0")/lib.sh"

vault_v sam:acme mal:globex
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in bob sid sue; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add sue --org acme --role supplier --pubkey sue.pub > /dev/null
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,globex > /dev/null
q po add PO-B --supplier acme --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q po add PO-G --supplier globex --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q po release PO-B --line 1 --qty 30 --due 2027-03-01 > /dev/null
podir() { h=$(printf %s "$1" | sha256sum); echo "pos/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
PB=$(podir PO-B)
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }

# ==== a hostile supplier ======================================================
fails 1 "^qvault: no PO 'PO-B'$" "a supplier answering another organization's release: told no PO, as for none" \
	q --key mal.pem po ack PO-B --release 1 --promise 2099-01-01
fails 1 "^qvault: no PO 'PO-Q'$" "  the same line as for a PO that does not exist" \
	q --key mal.pem po ack PO-Q --release 1 --promise 2099-01-01
fails 1 "release 2" "a release not yet recorded cannot be answered" \
	q --key sam.pem po ack PO-B --release 2 --promise 2099-01-01
fails 1 "^qvault: no PO 'PO-B'$" "  another organization's release not yet recorded: no PO either" \
	q --key mal.pem po ack PO-B --release 2 --promise 2099-01-01
fails 1 "^qvault: no PO 'PO-B'$" "po show of another organization's blanket: no PO" \
	q --key mal.pem po show PO-B
fails 1 "no PO 'PO-B'" "  through qvault shell too" as mal po show PO-B
check "the supplier's inbox holds its release to answer" \
	evalq "q --key sam.pem inbox --json | grep -q answer-release"
check "another organization's inbox holds none of it" \
	evalq "! q --key mal.pem inbox --json | grep -q PO-B"
check "  nor through qvault shell" evalq "! as mal inbox --json | grep -q PO-B"
ok "the supplier accepts release 1" q --key sam.pem po ack PO-B --release 1 --promise 2027-02-20
ok "  and may answer it again (reject)" q --key sam.pem po ack PO-B --release 1 --reject --reason "no capacity"
check "  po show gives the latest answer, the remaining quantity unchanged" \
	evalq "q po show PO-B --json | jq -e '.releases[0].acknowledged == \"rejected\" and .lines[0].remaining == 70' > /dev/null"

# ==== two sites at once =======================================================
export QVAULT_BIN="$QVAULT"
q po add PO-C --supplier acme --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q po release PO-C --line 1 --qty 30 --due 2027-03-01 > /dev/null
PC=$(podir PO-C)
q clone "file://$TMP/v" m1 > /dev/null
q clone "file://$TMP/v" m2 > /dev/null
q -C m1 po release PO-C --line 1 --qty 50 --due 2027-04-01 > /dev/null
q -C m2 po release PO-C --line 1 --qty 60 --due 2027-05-01 > /dev/null
V=m1
fails 1 "^qvault: both sites added releases of PO 'PO-C' since they parted; nothing was merged" \
	"two sites' releases of one blanket, both numbered 2: pull refuses, the vault unchanged" \
	q -C m1 pull "file://$TMP/m2"
rm -rf m2; q clone "file://$TMP/v" m2 > /dev/null
q -C m2 po change PO-C --line 1 --qty 30 --reason "site 2: only what was released" > /dev/null
fails 1 "^qvault: both sites added a change order and a release of PO 'PO-C' since they parted" \
	"a release at one site, a change order cutting the blanket to what was released at the other: pull refuses" \
	q -C m1 pull "file://$TMP/m2"
fails 1 "^qvault: both sites added a change order and a release of PO 'PO-C' since they parted" \
	"  and the other way round" q -C m2 pull "file://$TMP/m1"
check "  each site still verifies and reads its PO" evalq "q -C m1 verify > /dev/null && q -C m2 po show PO-C > /dev/null"
rm -rf m4; q clone "file://$TMP/v" m4 > /dev/null
q -C m4 po cancel PO-C --reason "site 4: gone" > /dev/null
V=m4
fails 1 "^qvault: both sites added a change order and a release of PO 'PO-C' since they parted" \
	"a release at one site, the PO cancelled at the other: pull refuses" q -C m4 pull "file://$TMP/m1"
V=v
# the same merge made with stock git, signed by a buyer: caught by verify
smerge() { # VAULT THEIRS: a merge of THEIRS's main into VAULT's, signed by bob
	git -C "$1" fetch -q "$TMP/$2" main:refs/heads/theirs
	GIT_DIR=$1 GIT_INDEX_FILE=$TMP/sm.index git read-tree main
	for f in $(git -C "$1" diff --name-only main...theirs); do
		GIT_DIR=$1 GIT_INDEX_FILE=$TMP/sm.index git update-index --add --cacheinfo \
			"100644,$(git -C "$1" rev-parse "theirs:$f"),$f"
	done
	mt=$(GIT_DIR=$1 GIT_INDEX_FILE=$TMP/sm.index git write-tree)
	rm -f "$TMP/sm.index"
	NOW="$(date -u +%s) +0000"
	mc=$(GIT_AUTHOR_DATE=$NOW GIT_COMMITTER_DATE=$NOW GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner \
		GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
		git -C "$1" -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$mt" -p main -p theirs \
		-m "merge $2

Qvault-Op: merge")
	git -C "$1" update-ref refs/heads/main "$mc"
}
cp -a m1 m5
smerge m5 m2
check "a merge (stock git) of a release and a change order below it is caught by verify" \
	culprit m5 "both sites added a change order and a release of PO 'PO-C' since they parted"
rm -rf m6; q clone "file://$TMP/v" m6 > /dev/null
q -C m6 po release PO-B --line 1 --qty 10 --due 2027-04-01 > /dev/null
cp -a m2 m7
smerge m7 m6
ok "  control: a merge of a release of another blanket beside the change order passes" q -C m7 verify

done_testing
