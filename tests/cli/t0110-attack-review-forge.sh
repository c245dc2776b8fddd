#!/bin/sh
# Attacks from outside the write path on what the last session added: a
# peer site forging, with stock git and ssh-keygen, review records and
# revision dates (expires, review_by) and altering a PO an 850 imported,
# signed as a real user, a revoked one or an unknown key, and pulled into
# the vault; an outsider holding a replica (a git clone): what it holds of
# an 850 (not its prices or contacts) and what it can write (nothing a
# pull takes).  Each forgery stands beside a control forged the same way
# that verifies; each pull is refused with its exit code, one line and the
# vault unchanged.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme --review-by 2099-06-01 > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q po import "$FIXTURES/850/purchase-order.850" > /dev/null
q --key sam.pem lot add L-1 --po 4500012345 --part PN-1 --qty 1 > /dev/null
q --key sam.pem add c.pdf --doc COC-1 --type coc --lot L-1 --expires 2099-01-01 > /dev/null
# ssh-keygen keys: bob a buyer, sid acme's supplier, old a buyer revoked, mal nobody's
for k in bob sid old mal; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add old --org owner --role buyer --pubkey old.pub > /dev/null
q --key "$TMP/admin.pem" user revoke old > /dev/null

DD="docs/$(dir_of DWG-1)/DWG-1/C"
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
STAMP=$(date -u -d "@$T" +%Y%m%dT%H%M%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
# review WHO ORG NEXT [DOC REV]: a review record as qvault writes it, in WHO.json
review() {
	jq -n -S --indent 2 --arg by "$1" --arg org "$2" --arg next "$3" --arg at "$AT" \
		--arg doc "${4:-DWG-1}" --arg rev "${5:-C}" '{record: "review", format: 1, doc: $doc,
		rev: $rev, next: $next, reviewed_by: $by, org: $org, reviewed_at: $at}' > "$1.json"
}
# forge_as VAULT KEY NAME OP MESSAGE SPEC...: a copy of v with a commit signed by KEY as NAME
forge_as() {
	fv=$1 fkey=$2 fname=$3 fop=$4 fm=$5
	shift 5
	case $fname in sid) forg=acme ;; *) forg=owner ;; esac
	rm -rf "$fv"; cp -a v "$fv"
	GIT_AUTHOR_NAME=$fname GIT_AUTHOR_EMAIL=$fname@$forg GIT_COMMITTER_NAME=$fname GIT_COMMITTER_EMAIL=$fname@$forg \
		forge_commit "$fv" "$fkey" "$fm

Qvault-Op: $fop
Qvault-Doc: DWG-1
Qvault-Rev: C" "$@"
}

# ==== 1. a peer site's reviews and dates ===============================================
review bob owner 2100-01-01
forge_as g0 bob bob review "review DWG-1@C: next due 2100-01-01" "$DD/reviews/$STAMP-bob.json=bob.json"
ok "1 control: bob's review forged with stock git as qvault writes it verifies" q -C g0 verify
review sid acme 2100-01-01
forge_as g1 sid sid review "review DWG-1@C" "$DD/reviews/$STAMP-sid.json=sid.json"
check "1a: a review by acme's supplier sid, its own key: verify finds it" culprit g1 "may not review documents"
review old owner 2100-01-01
forge_as g2 old old review "review DWG-1@C" "$DD/reviews/$STAMP-old.json=old.json"
check "1b: a review by old, revoked, with its key: verify finds it" culprit g2 "revoked"
review mal owner 2100-01-01
forge_as g3 mal mal review "review DWG-1@C" "$DD/reviews/$STAMP-mal.json=mal.json"
check "1c: a review signed by a key nobody registered: verify finds it" culprit g3 "unregistered key|unknown key"
for d in "2027- 1-10" "$(printf '2100-01-\n1')" " 2100-1-01"; do
	review bob owner "$d"
	forge_as g4 bob bob review "review DWG-1@C" "$DD/reviews/$STAMP-bob.json=bob.json"
	check "1d: bob's review next due '$(printf %s "$d" | od -An -c | tr -s ' \n' ' ')': verify finds it" \
		culprit g4 "the review is malformed|is not a date"
done
cp -a g4 g4keep
review bob owner 2000-01-01
forge_as g5 bob bob review "review DWG-1@C" "$DD/reviews/$STAMP-bob.json=bob.json"
check "1e: bob's review due before it was made: verify finds it" culprit g5 "is not after the review's own date"
review tester owner 2100-01-01
forge_as g6 bob bob review "review DWG-1@C" "$DD/reviews/$STAMP-tester.json=tester.json"
check "1f: bob signs a review naming tester as the reviewer: verify finds it" culprit g6 "names 'tester' as its author"
review bob owner 2100-01-01 COC-1 A
forge_as g7 bob bob review "review COC-1@A" "docs/$(dir_of COC-1)/COC-1/A/reviews/$STAMP-bob.json=bob.json"
check "1g: bob's review of a certificate: verify finds it" culprit g7 "has no periodic review"
# the released revision's own review date, moved on in place by a buyer
git -C v show "main:$DD/record.json" | sed 's/"review_by": "2099-06-01"/"review_by": "2199-06-01"/' > rec.json
check "  (the record holds the review date)" grep -q '"review_by": "2199-06-01"' rec.json
forge_as g8 bob bob release "release DWG-1@C" "$DD/record.json=rec.json"
check "1h: DWG-1@C's review_by moved to 2199 in its record: verify finds it" culprit g8 "record.json: rewrites a record: history only adds"
# the certificate's expiry moved on by its own supplier
CD="docs/$(dir_of COC-1)/COC-1/A"
git -C v show "main:$CD/record.json" | sed 's/"expires": "2099-01-01"/"expires": "9999-12-31"/' > crec.json
check "  (the record holds the expiry)" grep -q '"expires": "9999-12-31"' crec.json
forge_as g9 sid sid add "add COC-1@A" "$CD/record.json=crec.json"
check "1i: COC-1@A's expiry moved to 9999 by acme's sid: verify finds it" culprit g9 "record.json: rewrites a record: history only adds"

# ==== 2. a PO an 850 made, altered after the fact ======================================
PD="pos/$(dir_of 4500012345)/4500012345"
git -C v show "main:$PD/po.json" | sed 's/"qty": 100/"qty": 1000/' > po.json
check "  (the PO record holds the quantity)" grep -q '"qty": 1000' po.json
forge_as p1 bob bob po-add "po add 4500012345" "$PD/po.json=po.json"
check "2a: the 850's PO 4500012345 line 1 raised to 1000 by bob, in place: verify finds it" culprit p1 "po.json: rewrites a record: history only adds"
git -C v show "main:$PD/po.json" | sed 's/"supplier": "acme"/"supplier": "zeta"/' > po2.json
forge_as p2 sid sid po-add "po add 4500012345" "$PD/po.json=po2.json"
check "2b: the PO moved to another supplier by acme's sid: verify finds it" culprit p2 "po.json: rewrites a record: history only adds"

pulls_refused v "does not verify|may not|revoked|unregistered|unknown key|malformed|not a date|not after|author|periodic review|rewrites a record" \
	g1 g2 g3 g4keep g5 g6 g7 g8 g9 p1 p2

# ==== 3. an outsider with a replica ===================================================
V=v
git clone -q --bare "file://$TMP/v" r.git
check "3a: the replica holds the 850's POs (a replica is a whole copy)" \
	evalq 'git -C r.git grep -q 4500012345 main -- pos'
check "3b: but nothing of the 850 qvault does not keep: no price (12.50), no contact, no interchange" \
	evalq '! git -C r.git grep -q -e "12\.50" -e "JANE BUYER" -e "5551234" -e "ISA\*" $(git -C r.git rev-list --all)'
# the outsider writes with stock git, unsigned, and as a supplier it is not
cp -a v u0
review bob owner 2100-01-01
GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	forge_commit u0 - "review DWG-1@C

Qvault-Op: review
Qvault-Doc: DWG-1
Qvault-Rev: C" "$DD/reviews/$STAMP-bob.json=bob.json"
check "3c: an unsigned review by the replica's holder: verify finds it" culprit u0 "unsigned|not signed|no signature"
pulls_refused v "does not verify|unsigned|not signed|no signature" u0
ok "3 control: the vault still verifies" q -C v verify

done_testing
