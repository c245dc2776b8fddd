#!/bin/sh
# Attacks on change orders (po change, po cancel, po close), the revision
# an answer names, cancelled and closed lines and the inbox: a hostile
# supplier through the CLI and the API, a buyer's API client, two sites
# that each change one PO, and a peer site forging with stock git and
# ssh-keygen.  Each test states what should happen; every one of them
# failed when it was written (the findings of an attack pass).
. "$(dirname "$0")/lib.sh"

vault_v sam:acme mal:globex
add_buyer bea
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in bob sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
make_pdf c.pdf C
make_pdf d.pdf D
make_pdf e.pdf E
q release DWG-1 --rev C c.pdf --to acme,globex > /dev/null
q release DWG-1 --rev D d.pdf --to acme,globex > /dev/null
q release DWG-2 --rev A e.pdf --to acme > /dev/null
q obsolete DWG-2@A --reason "withdrawn" > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line PN-2:5:DWG-1@C --line PN-3:9:DWG-1@C > /dev/null
q po add PO-2 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q po add PO-G --supplier globex --line PN-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 20 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-01-02 --package C-1:L-1:20 > /dev/null 2>&1
q asn receive ASN-000001 --date 2099-01-03 > /dev/null
q --key sam.pem lot add L-3 --po PO-1 --part PN-3 --qty 9 > /dev/null
q po change PO-1 --line 1 --due 2099-03-01 --reason "first" > /dev/null
q po close PO-1 --line 2 --reason "short" > /dev/null
q po cancel PO-1 --line 3 --reason "gone" > /dev/null
q po cancel PO-2 --reason "all gone" > /dev/null
# PO-1: line 1 open (20 of 50 received), line 2 closed, line 3 cancelled; at revision 3
# PO-2: cancelled

podir() { h=$(printf %s "$1" | sha256sum); echo "pos/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
P1=$(podir PO-1)

# ==== a peer site forging with stock git =====================================
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT KEY ORG OP MESSAGE SPEC...: signed by KEY, authored as its user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4 fm=$5
	shift 5
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop
Qvault-PO: PO-1" "$@"
}
# change_json JQ: PO-1's revision 3 as change order 4 by bob, edited by JQ
change_json() {
	git -C v show "main:$P1/changes/000003-tester.json" | jq -S --indent 2 --arg at "$AT" \
		'.seq = 4 | .changed_by = "bob" | .org = "owner" | .changed_at = $at |
		 .reason = "forged" | .summary = "line 1 quantity 50 -> 49" |
		 (.lines[] | select(.line == 1)).qty = 49' | jq -S --indent 2 "$1"
}
# forge_change VAULT JQ: change order 4 of PO-1, made by JQ, committed by bob in VAULT
forge_change() {
	tamper "$1"
	change_json "$2" > "$1.json"
	forge_as "$1" bob owner po-change "po change PO-1 (revision 4)" "$P1/changes/000004-bob.json=$1.json"
}
NEWLINE='{"line": 4, "part": "PN-9", "qty": 1, "doc": "DWG-1", "rev": "D", "state": "open"}'

forge_change f0 .
ok "control: a change order forged as qvault writes it passes verify" q -C f0 verify

# a closed or cancelled line stays as it was: verify compares its state,
# quantity and revision, never its due date
forge_change f1 '(.lines[] | select(.line == 2)).due = "2099-12-31"'
check "a change order giving a closed line a new due date is caught" \
	culprit f1 "line 2 was closed and is changed"
forge_change f2 '(.lines[] | select(.line == 3)).due = "2099-12-31"'
check "a change order giving a cancelled line a due date is caught" \
	culprit f2 "line 3 was cancelled and is changed"

# the write path refuses these; verify checks them too.  (A line cut below
# what was received: t0063-forged-receipts, where verify adds up the receipts in its ledger.)
forge_change f4 ".lines += [$NEWLINE | .doc = \"DWG-99\" | .rev = \"Z\"]"
check "a change order adding a line that requires a document that does not exist is caught" \
	culprit f4 "DWG-99.*(no revision|not recorded|does not exist)"
forge_change f5 ".lines += [$NEWLINE | .doc = \"DWG-2\" | .rev = \"A\"]"
check "a change order adding a line that requires an obsolete revision is caught" \
	culprit f5 "DWG-2@A,? (is|which is) obsolete"
forge_change f6 '(.lines[] | select(.line == 1)).rev = "Q"'
check "a change order requiring a revision that does not exist is caught" \
	culprit f6 "DWG-1.*(no revision 'Q'|@Q)"
forge_change f7 ".lines += [$NEWLINE | .line = 9]"
check "a change order adding line 9 after line 3 (the write path numbers it 4) is caught" \
	culprit f7 "line 9 .*(numbered|after|next)"
forge_change f8 '(.lines[] | select(.line == 1)).qty = 50 | .summary = "nothing"'
check "a change order that changes nothing (the write path refuses one) is caught" \
	culprit f8 "changes nothing"
forge_change f9 '(.lines[] | select(.line == 1)).due = "2000-01-01"'
check "a change order whose summary says what it did not do (qty 50 -> 49; it moved a due date) is caught" \
	culprit f9 "summary"
forge_change f10 '.summary = "\u001b]0;pwned\u0007\u001b[2J\nrevision 9: all lines doubled"'
check "a change order whose summary holds terminal escapes and a newline is caught" \
	culprit f10 "summary"
check "  and po show does not print its escapes raw to the terminal" \
	evalq "q -C f10 po show PO-1 > f10.txt && grep -q '^change orders:' f10.txt &&
	       ! grep -q \"\$(printf '\\033')\" f10.txt"

# change orders of two POs in one commit (qvault writes one per commit, and
# the commit's Qvault-PO names only one of them)
tamper f11
q -C f11 po add PO-4 --supplier acme --line PN-1:5:DWG-1@C > /dev/null
T2=$(($(date -u +%s) + 1))
AT2=$(date -u -d "@$T2" +%Y-%m-%dT%H:%M:%SZ)
change_json . | sed "s/$AT/$AT2/" > f11a.json
jq -S --indent 2 -n --arg at "$AT2" '{record: "po-change", format: 1, po: "PO-4", seq: 1, reason: "r",
	summary: "line 1 quantity 5 -> 6", changed_by: "bob", org: "owner", changed_at: $at,
	lines: [{line: 1, part: "PN-1", qty: 6, doc: "DWG-1", rev: "C", state: "open"}]}' > f11b.json
GIT_AUTHOR_DATE="$T2 +0000" GIT_COMMITTER_DATE="$T2 +0000" \
	forge_as f11 bob owner po-change "po change PO-1 (revision 4)" \
	"$P1/changes/000004-bob.json=f11a.json" "$(podir PO-4)/changes/000001-bob.json=f11b.json"
check "one commit holding change orders of two POs is caught" culprit f11 "PO-4"

# a ship notice against a cancelled line (the write path refuses it)
tamper f12
ASNDIR=$(h=$(printf %s ASN-000009 | sha256sum); echo "asns/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/ASN-000009")
jq -S --indent 2 -n --arg at "$AT" '{asn: "ASN-000009", created_at: $at, created_by: "sid", format: 1,
	gaps: [], packages: [{id: "C-9", line: 3, lot: "L-3", part: "PN-3", qty: 9}], po: "PO-1",
	record: "asn", ship_date: "2099-01-09", source: "qvault", supplier: "acme"}' > asn.json
GIT_AUTHOR_NAME=sid GIT_AUTHOR_EMAIL=sid@acme GIT_COMMITTER_NAME=sid GIT_COMMITTER_EMAIL=sid@acme \
	forge_commit f12 sid "asn add ASN-000009 for PO-1

Qvault-Op: asn-add
Qvault-PO: PO-1
Qvault-ASN: ASN-000009" "$ASNDIR/asn.json=asn.json"
check "a ship notice forged against a cancelled line is caught" culprit f12 "line 3 .*cancelled"

# answers and lots on what a change order ended, forged by a supplier of the PO
# (the write path refuses each): verify finds them too
forge_sid() { # VAULT MESSAGE OP PATH=FILE
	GIT_AUTHOR_NAME=sid GIT_AUTHOR_EMAIL=sid@acme GIT_COMMITTER_NAME=sid GIT_COMMITTER_EMAIL=sid@acme \
		forge_commit "$1" sid "$2

Qvault-Op: $3" "$4"
}
tamper f13
jq -S --indent 2 -n --arg at "$AT" '{format: 1, line: 3, org: "acme", po: "PO-1", record: "status",
	reported_at: $at, reported_by: "sid", seq: 1, status: "started"}' > st.json
forge_sid f13 "status PO-1:3 started" status "$P1/status/000001-sid.json=st.json"
check "a status report on a cancelled line, forged, is caught" \
	culprit f13 "line 3 of PO 'PO-1' was cancelled before it"
tamper f14
jq -S --indent 2 -n --arg at "$AT" '{created_at: $at, created_by: "sid", format: 1, from: [], lot: "L-14",
	part: "PN-1", po: "PO-2", qty: 5, record: "lot", supplier: "acme"}' > lot.json
LOTDIR=$(h=$(printf %s L-14 | sha256sum); echo "lots/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/L-14")
forge_sid f14 "lot add L-14 of PO-2" lot-add "$LOTDIR/lot.json=lot.json"
check "a lot for a cancelled PO, forged, is caught" \
	culprit f14 "the lot's PO 'PO-2' had no open line for part 'PN-1' before it"
tamper f15
jq -S --indent 2 -n --arg at "$AT" --arg fp "$(ssh-keygen -lf sid.pub | cut -d' ' -f2)" \
	'{decision: "accepted", fingerprint: $fp, format: 1, org: "acme", po: "PO-2", promise: "2099-04-01",
	  record: "po-ack", revision: 1, seq: 1, signed_at: $at, signed_by: "sid"}' > ack.json
forge_sid f15 "po ack PO-2: promise 2099-04-01" po-ack "$(podir PO-2)/acks/000001-sid.json=ack.json"
check "an answer to a cancelled PO, forged, is caught" \
	culprit f15 "PO 'PO-2' had no open line before it"

# ==== two sites change one PO at once ========================================
q po add PO-M --supplier acme --line PN-1:10:DWG-1@C > /dev/null
export QVAULT_BIN="$QVAULT"
q clone "file://$TMP/v" m1 > /dev/null
q clone "file://$TMP/v" m2 > /dev/null
q -C m1 po change PO-M --line 1 --qty 8 --reason "site 1: eight" > /dev/null
q -C m2 --key bea.pem po change PO-M --line 1 --qty 12 --reason "site 2: twelve" > /dev/null
q -C m2 --key sam.pem po ack PO-M --promise 2099-05-05 --revision 1 > /dev/null
cp -a m1 m3
V=m1
fails 1 "PO-M" "pull refuses two sites' change orders of one PO, both numbered 1" \
	q -C m1 pull "file://$TMP/m2"
check "  and site 1 still reads its PO (its index is not broken)" q -C m1 po show PO-M
check "  and still verifies" q -C m1 verify
V=v
# the same merge made with stock git, signed by a buyer: caught by verify
git -C m3 fetch -q "$TMP/m2" main:refs/heads/theirs
PM=$(podir PO-M)
GIT_DIR=m3 GIT_INDEX_FILE=$TMP/m3.index git read-tree main
GIT_DIR=m3 GIT_INDEX_FILE=$TMP/m3.index git update-index --add --cacheinfo \
	"100644,$(git -C m3 rev-parse "theirs:$PM/changes/000001-bea.json"),$PM/changes/000001-bea.json"
for f in $(git -C m3 ls-tree -r --name-only theirs "$PM/acks"); do
	GIT_DIR=m3 GIT_INDEX_FILE=$TMP/m3.index git update-index --add --cacheinfo \
		"100644,$(git -C m3 rev-parse "theirs:$f"),$f"
done
mt=$(GIT_DIR=m3 GIT_INDEX_FILE=$TMP/m3.index git write-tree)
NOW="$(date -u +%s) +0000"
mc=$(GIT_AUTHOR_DATE=$NOW GIT_COMMITTER_DATE=$NOW GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	git -C m3 -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$mt" -p main -p theirs \
	-m "merge site 2

Qvault-Op: merge")
git -C m3 update-ref refs/heads/main "$mc"
check "a merge (stock git) holding two change orders numbered 1 of one PO is caught as a finding" \
	culprit m3 "both sites added change orders of PO 'PO-M' since they parted"

# ==== a hostile supplier, through the CLI ======================================
# an existence leak: the records limit is told for another organization's PO
git -C v config qvault.maxPoRecords 1
fails 1 "^qvault: no PO 'PO-1'$" "another organization's PO at the records limit looks like no PO" \
	q --key mal.pem po ack PO-1 --promise 2099-01-01
fails 1 "^qvault: no PO 'PO-1'$" "  (and to a status report)" q --key mal.pem status PO-1 started
git -C v config --unset qvault.maxPoRecords

fails 1 "line 3 of PO 'PO-1' is cancelled" "an answer promising a date for a cancelled line is refused" \
	q --key sam.pem po ack PO-1 --line 3 --promise 2099-01-01
fails 1 "line 2 of PO 'PO-1' is closed" "an answer promising a date for a closed line is refused" \
	q --key sam.pem po ack PO-1 --line 2 --promise 2099-01-01
fails 1 "PO 'PO-2' has no open line" "a status report on a cancelled PO is refused" \
	q --key sam.pem status PO-2 started
fails 1 "line 3 of PO 'PO-1' is cancelled" "a status report on a cancelled line is refused" \
	q --key sam.pem status PO-1:3 started
fails 1 "PO 'PO-2' has no open line for part 'PN-1'" "a lot for a cancelled PO is refused" \
	q --key sam.pem lot add L-9 --po PO-2 --part PN-1 --qty 5
fails 1 "^qvault: PO 'PO-1' has no revision 9: it is at revision [0-9]+$" \
	"an answer naming a revision the PO never had is refused, and not told that it 'was changed since'" \
	q --key sam.pem po ack PO-1 --promise 2099-01-01 --revision 9

# a PO closed short (every line) asks no answer and takes none, as a cancelled one
q po add PO-5 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q --key sam.pem po ack PO-5 --promise 2099-01-01 > /dev/null
q po close PO-5 --reason "enough" > /dev/null
check "a PO closed by po close is in no inbox to answer or chase" \
	evalq "q --key sam.pem inbox --json > s5.json && q inbox --days 0 --json > b5.json &&
	       grep -q '\"subject\"' b5.json && ! grep -q '\"subject\": \"PO-5\"' s5.json b5.json"
fails 1 "PO 'PO-5' has no open line" "an answer to a PO closed by po close is refused" \
	q --key sam.pem po ack PO-5 --promise 2099-02-01

# names of legal length: the summary's 512-byte buffer refuses the change
LD=$(printf 'D%.0s' $(seq 128))
LR1=$(printf 'A%.0s' $(seq 120))1
LR2=$(printf 'A%.0s' $(seq 120))2
q release "$LD" --rev "$LR1" c.pdf --to acme > /dev/null
q release "$LD" --rev "$LR2" d.pdf --to acme > /dev/null
q po add PO-L --supplier acme --line "PN-1:5:$LD@$LR1" > /dev/null
ok "a line's required revision changed between long (legal) names" \
	q po change PO-L --line 1 --rev "$LD@$LR2" --reason "new revision"

# ==== a buyer's API client ======================================================
if command -v curl > /dev/null; then
	for p in PO-6 PO-7 PO-8 PO-9; do
		q po add $p --supplier acme --line PN-1:10:DWG-1@C --line PN-2:4:DWG-1@C > /dev/null
	done
	BUY_W=$(tok --user tester --scope write)
	serve_start
	J='-H Content-Type:application/json'
	refused 400 "line" "POST changes: cancel with \"line\": 0 is refused (the CLI refuses --line 0), not a cancel of every line" \
		POST pos/PO-6/changes "$BUY_W" $J --data-binary '{"reason": "x", "edits": [{"op": "cancel", "line": 0}]}'
	refused 400 "part" "POST changes: an edit naming a part (which no edit changes) is refused, not ignored" \
		POST pos/PO-7/changes "$BUY_W" $J --data-binary '{"reason": "x", "edits": [{"op": "edit", "line": 1, "qty": 3, "part": "PN-X"}]}'
	refused 400 "line" "POST changes: an added line naming its number (qvault numbers it) is refused, not renumbered" \
		POST pos/PO-8/changes "$BUY_W" $J --data-binary '{"reason": "x", "edits": [{"op": "add-line", "line": 7, "part": "PN-7", "qty": 1, "doc": "DWG-1", "rev": "D"}]}'
	refused 400 "changes nothing" "POST changes: edits that cancel out change nothing" \
		POST pos/PO-9/changes "$BUY_W" $J --data-binary '{"reason": "x", "edits": [{"op": "edit", "line": 1, "qty": 3}, {"op": "edit", "line": 1, "qty": 10}]}'
	kill "$SERVE"
	wait "$SERVE" 2> /dev/null
else
	_skip "no curl: the API's change orders"
fi

done_testing
