#!/bin/sh
# More attacks on blanket orders and their releases (issue 17): a hostile
# supplier through the CLI, qvault shell and the HTTP API (answering
# another organization's release, a release not yet recorded, an old one;
# seeing another organization's releases; shipping more than was released);
# a buyer releasing after the blanket's validity ended, or cancelling a PO
# with releases unanswered; two sites releasing and changing one blanket at
# once (pull, and the same merge made with stock git); a peer site forging
# with stock git and ssh-keygen (an acknowledgment signed by another user's
# key or with a .sig over other bytes, a release rewritten or removed, a
# release with extra members or an absurd quantity, blanket terms changed).
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
# PO-E: a blanket whose validity ended before today
q po add PO-E --supplier acme --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2026-06-30 > /dev/null
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
fails 1 "^qvault: line 1 of PO 'PO-E' was valid until 2026-06-30: no release on $(date -u +%Y-%m-%d)$" \
	"a release after the blanket's validity ended (due within it) is refused, the vault unchanged" \
	q po release PO-E --line 1 --qty 10 --due 2026-06-15
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

# ==== a peer site forging with stock git and ssh-keygen ========================
V=v
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT KEY ORG OP PO MESSAGE SPEC...: signed by KEY, authored as its user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4 fpo=$5 fm=$6
	shift 6
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop
Qvault-PO: $fpo" "$@"
}
release_json() { # PO NUMBER QTY(JSON) DUE: line 1, PN-1, by bob
	jq -S --indent 2 -n --arg po "$1" --argjson r "$2" --argjson qty "$3" --arg due "$4" --arg at "$AT" \
		'{record: "po-release", format: 1, po: $po, release: $r, line: 1, part: "PN-1",
		  qty: $qty, due: $due, released_by: "bob", org: "owner", released_at: $at}'
}
fr() { # VAULT QTY(JSON) [JQ]: release 2 of PO-B forged by bob, edited by JQ
	tamper "$1"
	release_json PO-B 2 "$2" 2027-04-01 | jq -S --indent 2 "${3:-.}" > "$1.json"
	forge_as "$1" bob owner po-release PO-B "po release PO-B (release 2)" "$PB/releases/000002.json=$1.json"
}
fr r0 70
ok "control: a release of what remains, forged as qvault writes it, passes verify" q -C r0 verify
fr r1 0
check "a release of zero is caught" culprit r1 "the release is malformed"
fr r2 9223372036854775807
check "a release of 2^63-1 is caught" culprit r2 "the release is malformed"
fr r3 '"5"'
check "a release whose quantity is a string is caught" culprit r3 "the release is malformed"
tamper r4
release_json PO-B 2 5 2027-04-01 > r4.json
sed -i 's/"qty": 5,/"qty": 5.0,/' r4.json && grep -q '"qty": 5.0,' r4.json || echo "# r4.json not edited" >&2
forge_as r4 bob owner po-release PO-B "po release PO-B (release 2)" "$PB/releases/000002.json=r4.json"
check "a release whose quantity is a fraction's notation is caught" culprit r4 "the release is malformed"
fr r5 5 '.note = "extra"'
check "a release with a member more is caught" culprit r5 "the release is malformed"
fr r6 5 'del(.released_at) | .note = "extra"'
check "a release with a member swapped for another is caught" culprit r6 "malformed|released_at|time"
fr r7 5 '.line = 2'
check "a release of a line the PO does not have is caught" culprit r7 "PO 'PO-B' has no line 2"
tamper r10
release_json PO-E 1 5 2026-06-15 > r10.json
forge_as r10 bob owner po-release PO-E "po release PO-E (release 1)" "$(podir PO-E)/releases/000001.json=r10.json"
check "a release made after the blanket's validity ended (due within it) is caught" \
	culprit r10 "line 1 of PO 'PO-E' was valid until 2026-06-30: no release on"
# a release rewritten or removed in a later commit
tamper r8
git -C v show "main:$PB/releases/000001.json" | jq -S --indent 2 '.qty = 3' > r8.json
forge_as r8 bob owner po-release PO-B "po release PO-B (release 1)" "$PB/releases/000001.json=r8.json"
check "a release rewritten in a later commit (30 -> 3, to free the blanket) is caught" culprit r8 "releases/000001.json: rewrites a record: history only adds"
tamper r9
GIT_DIR=r9 GIT_INDEX_FILE=$TMP/r9.index git read-tree main
GIT_DIR=r9 GIT_INDEX_FILE=$TMP/r9.index git rm -q --cached "$PB/releases/000001.json"
r9t=$(GIT_DIR=r9 GIT_INDEX_FILE=$TMP/r9.index git write-tree); rm -f "$TMP/r9.index"
r9c=$(GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	git -C r9 -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$r9t" -p main -m "po release PO-B

Qvault-Op: po-release
Qvault-PO: PO-B")
git -C r9 update-ref refs/heads/main "$r9c"
check "a release removed in a later commit is caught" culprit r9 "releases/000001.json: deletes a record: history only adds"

# ---- acknowledgments of releases
ack_json() { # SEQ BY KEY.pub [JQ]: an answer to release 1 of PO-B
	jq -S --indent 2 -n --argjson seq "$1" --arg by "$2" --arg at "$AT" \
		--arg fp "$(ssh-keygen -lf "$3" | cut -d' ' -f2)" \
		'{record: "release-ack", format: 1, po: "PO-B", release: 1, seq: $seq, revision: 0,
		  decision: "accepted", promise: "2027-02-20", org: "acme", signed_by: $by,
		  fingerprint: $fp, signed_at: $at}' | jq -S --indent 2 "${4:-.}"
}
tamper k0
ack_json 3 sid sid.pub > k0.json
forge_as k0 sid acme release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000003-sid.json=k0.json"
ok "control: a third answer to release 1, forged as qvault writes it, passes verify" q -C k0 verify
tamper k1
ack_json 3 sid sid.pub > k1.json
forge_as k1 sue acme release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000003-sid.json=k1.json"
check "an answer naming sid, signed by another user's key (sue, same organization), is caught" \
	culprit k1 "names 'sid' as its author, but 'sue' signed"
tamper k2
ack_json 3 sue sid.pub > k2.json
forge_as k2 sue acme release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000003-sue.json=k2.json"
check "an answer naming another user's key is caught" culprit k2 "names key .*, not the signer's"
tamper k3
ack_json 3 sid sid.pub > k3.json
ack_json 3 sid sid.pub '.promise = "2099-12-31"' > k3.other
ssh-keygen -q -Y sign -n qvault-po-ack -f sid k3.other 2> /dev/null
forge_as k3 sid acme release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000003-sid.json=k3.json" \
	"$PB/release-acks/000003-sid.json.sig=k3.other.sig"
check "an answer whose .sig signs other bytes is caught" culprit k3 "000003-sid.json.sig: the acknowledgment.s signature does not verify"
tamper k4
ack_json 3 sid sid.pub '.release = 2' > k4.json
release_json PO-B 2 5 2027-04-01 > k4r.json
forge_as k4 sid acme release-ack PO-B "po ack PO-B release 2" "$PB/release-acks/000003-sid.json=k4.json"
forge_as k4 bob owner po-release PO-B "po release PO-B (release 2)" "$PB/releases/000002.json=k4r.json"
check "an answer to a release not recorded yet, the release made after it, is caught" \
	culprit k4 "release 2 of PO 'PO-B' was not recorded before it"
tamper k5
ack_json 3 sid sid.pub '.release = 2' > k5.json
release_json PO-B 2 5 2027-04-01 > k5r.json
GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	forge_commit k5 bob "po release PO-B (release 2)

Qvault-Op: po-release
Qvault-PO: PO-B" "$PB/releases/000002.json=k5r.json" "$PB/release-acks/000003-sid.json=k5.json"
check "a release and its answer in one commit (signed by the buyer) is caught" culprit k5 "user .bob. may not acknowledge purchase orders"
tamper k6
ack_json 3 sid sid.pub '.release = 1 | .revision = 1' > k6.json
forge_as k6 sid acme release-ack PO-B "po ack PO-B release 1" "$PB/release-acks/000003-sid.json=k6.json"
check "an answer naming a PO revision not recorded is caught" culprit k6 "revision"

# ---- the blanket's terms in a change order
change_json() { # JQ: change order 1 of PO-B by bob, edited by JQ
	git -C v show "main:$PB/po.json" | jq -S --indent 2 --arg at "$AT" \
		'{changed_at: $at, changed_by: "bob", format: 1, org: "owner", po: "PO-B", reason: "forged",
		  record: "po-change", seq: 1, lines: [.lines[] | .state = "open"]}' | jq -S --indent 2 "$1"
}
tamper c1
change_json '.lines[0].blanket.valid_until = "2027-01-01" | .lines[0].qty = 99 | .summary = "line 1 quantity 100 -> 99"' > c1.json
forge_as c1 bob owner po-change PO-B "po change PO-B (revision 1)" "$PB/changes/000001-bob.json=c1.json"
check "a change order narrowing a blanket's validity (its release due outside) is caught" \
	culprit c1 "line 1 changes its blanket terms"
tamper c2
change_json '.lines[0] |= del(.blanket) | .lines[0].due = "2027-01-01" | .lines[0].qty = 99 | .summary = "line 1 quantity 100 -> 99"' > c2.json
forge_as c2 bob owner po-change PO-B "po change PO-B (revision 1)" "$PB/changes/000001-bob.json=c2.json"
check "a change order turning a blanket with releases into an ordinary line is caught" \
	culprit c2 "line 1 changes its blanket terms"
pulls_refused v "malformed|but 'sue' signed|not recorded before it|was valid until" r1 k1 k4 r10
V=v
ok "the vault itself verifies" q -C v verify

# ==== shipping against a blanket ==============================================
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
q po add PO-S --supplier acme --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q --key sam.pem lot add L-1 --po PO-S --part PN-1 --qty 100 > /dev/null
fails 1 "^qvault: package 'CTN-1': ships 1 of line 1 of PO 'PO-S', which has 0 open of 0 released" \
	"a ship notice against a blanket nothing was released of is refused, the vault unchanged" \
	q --key sam.pem asn add --po PO-S --ship-date 2099-12-10 --package CTN-1:L-1:1
q po release PO-S --line 1 --qty 30 --due 2027-03-01 > /dev/null
fails 1 "^qvault: package 'CTN-1': ships 31 of line 1 of PO 'PO-S', which has 30 open of 30 released" \
	"a ship notice over what was released (not the total agreed) is refused" \
	q --key sam.pem asn add --po PO-S --ship-date 2099-12-10 --package CTN-1:L-1:31
fails 1 "package 'CTN-2': ships 11 of line 1 of PO 'PO-S', which has 10 open of 30 released" \
	"  its packages together count" \
	q --key sam.pem asn add --po PO-S --ship-date 2099-12-10 --package CTN-1:L-1:20 --package CTN-2:L-1:11
ok "a ship notice of what was released is taken" \
	q --key sam.pem asn add --po PO-S --ship-date 2099-12-10 --package CTN-1:L-1:30
check "  po show: 30 shipped, the blanket's remaining (agreed less released) is 70" \
	evalq "q po show PO-S --json | jq -e '.lines[0].shipped == 30 and .lines[0].remaining == 70' > /dev/null"
q po release PO-S --line 1 --qty 20 --due 2027-04-01 > /dev/null
ok "  a new release opens its quantity to ship" \
	q --key sam.pem asn add --po PO-S --ship-date 2099-12-11 --package CTN-3:L-1:20
q po add PO-O --supplier acme --line PN-1:10:DWG-1@C:2027-01-01 > /dev/null 2>&1
q --key sam.pem lot add L-2 --po PO-O --part PN-1 --qty 10 > /dev/null
ok "  control: an ordinary line still ships what it orders" \
	q --key sam.pem asn add --po PO-O --ship-date 2099-12-10 --package CTN-1:L-2:10
ok "the vault verifies" q verify

# ---- a cancelled blanket's releases
q po add PO-K --supplier acme --line PN-1:100:DWG-1@C --valid-from 2026-01-01 --valid-until 2099-12-31 > /dev/null
q po release PO-K --line 1 --qty 10 --due 2027-03-01 > /dev/null
check "an unanswered release is in the supplier's inbox" \
	evalq "q --key sam.pem inbox | grep -q 'answer-release  *PO-K release 1'"
q po cancel PO-K --reason "project stopped" > /dev/null
fails 1 "^qvault: PO 'PO-K' has no open line: it was cancelled or closed$" \
	"a release of a cancelled PO cannot be answered" \
	q --key sam.pem po ack PO-K --release 1 --promise 2027-02-01
check "  so the inbox no longer asks for it" evalq "! q --key sam.pem inbox | grep -q 'PO-K'"
fails 1 "^qvault: PO 'PO-K' is cancelled$" "  and nothing more is released of it" \
	q po release PO-K --line 1 --qty 1 --due 2027-03-01

# ==== the HTTP API ==============================================================
if ! command -v curl > /dev/null; then
	_skip "no curl (scripts/deps installs it)"
	done_testing
	exit 0
fi
SAM=$(tok --user sam --scope write)
MAL=$(tok --user mal --scope write)
MAL_R=$(tok --user mal)
serve_start
J='-HContent-Type:application/json'
# alike DESC METHOD THEIRS NONE TOKEN [CURL ARGS...]: the path THEIRS (of
# another organization's PO) answers as the path NONE (of none) does, but
# for the PO's name; the vault unchanged
alike() {
	ad=$1 am=$2 theirs=$3 none=$4; shift 4
	before=$(api_state)
	api 000 "$am" "$theirs" "$@" 2> /dev/null
	a_status=$got a_body=$(sed 's/PO-S/NAME/g' body.json)
	api 000 "$am" "$none" "$@" 2> /dev/null
	n_status=$got n_body=$(sed 's/PO-Q/NAME/g' body.json)
	if [ "$a_status" != "$n_status" ] || [ "$a_body" != "$n_body" ]; then
		_fail "$ad" "theirs: $a_status $a_body" "none: $n_status $n_body"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$ad" "the vault changed"
	else
		_pass "$ad"
	fi
}
alike "GET pos/PO-S (acme's blanket, to globex): as a PO that does not exist" GET pos/PO-S pos/PO-Q "$MAL_R"
alike "answering acme's release 1 (globex): as a PO that does not exist" POST pos/PO-S/acks pos/PO-Q/acks \
	"$MAL" $J --data-binary '{"release": 1, "promise": "2099-12-01"}'
alike "answering acme's release 9, never recorded (globex): as a PO that does not exist" \
	POST pos/PO-S/acks pos/PO-Q/acks "$MAL" $J --data-binary '{"release": 9, "promise": "2099-12-01"}'
refused 404 "^PO 'PO-S' has no release 9$" "the supplier answering a release not recorded: 404" \
	POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": 9, "promise": "2099-12-01"}'
refused 400 "out of range" "a release number past the largest: 400" \
	POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": 4294967297, "promise": "2099-12-01"}'
refused 400 "out of range" "a negative release number: 400" \
	POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": -1, "promise": "2099-12-01"}'
refused 400 "release" "a release number that is a string: 400" \
	POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": "1", "promise": "2099-12-01"}'
refused 400 "a release is acknowledged whole" "a release answered with a line: 400" \
	POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": 1, "line": 1, "promise": "2099-12-01"}'
refused 400 "a release is acknowledged whole" "a release answered with two lines: 400" \
	POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": 1, "lines": [1, 2], "promise": "2099-12-01"}'
ok "the supplier answers release 2 through the API" \
	api 201 POST pos/PO-S/acks "$SAM" $J --data-binary '{"release": 2, "promise": "2027-03-25"}'
check "  po show reads it" \
	evalq "q po show PO-S --json | jq -e '.releases[1].acknowledged == \"accepted\"' > /dev/null"
ok "the vault verifies" q verify
openapi_check "every answer matches schemas/openapi.json"

done_testing
