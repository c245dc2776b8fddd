#!/bin/sh
# A record added a second time: a history (forged with stock git and
# ssh-keygen, validly signed) that adds a record whose identity it holds
# already (the same PO number at another path, a lot's file added again
# beside the commit that added it, a PO line twice in one record).  The
# index holds each identity once: every command that indexes such a
# history (verify, reindex, any that opens the vault, clone, pull) fails
# with exit 3 and one line naming the commit, the record and the commit
# that added it first, said by the record's kind (never SQLite's UNIQUE
# constraint), and leaves the vault as it was.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/forged-base.sh"

# ---- every kind whose index holds an identity once, in the base vault ---------------
SOON=$(date -u -d '+30 days' +%Y-%m-%d)
q -C base obsolete DWG-3@A --reason "a draft" > /dev/null
q -C base --key sam.pem po ack PO-1 --promise 2099-12-01 > /dev/null
q -C base --key sam.pem status PO-1 started > /dev/null
q -C base asn receive ASN-000001 --date 2099-12-12 > /dev/null
q -C base ncr add --lot L-1 --reason burr > /dev/null
q -C base ncr close NCR-000001 --disposition use-as-is > /dev/null
q -C base po change PO-2 --line 1 --qty 5 --reason "fewer" > /dev/null
q -C base fai accept FAIR-1@A > /dev/null
q -C base --key sam.pem withdraw COC-1@A --reason "wrong lot" > /dev/null
GAP=$(q -C base audit --json | jq -r '.[0].id')
q -C base audit waive "$GAP" --until "$SOON" --reason "MRB 7" > /dev/null
q -C base --key admin.pem token create --user sam --scope read > /dev/null 2>&1
ok "verify passes on the base vault with a record of every kind" q -C base verify
path_of() { git -C base ls-tree -r --name-only main | grep -E -- "$1" | head -n 1; }
TOKEN=$(path_of '^tokens/.*/token\.json$')
TOKEN_ID=$(basename "$(dirname "$TOKEN")")

# replay VAULT PATH: PATH's record, byte for byte, added again by a commit
# beside the one that added it (a child of its parent, with its message,
# signed by bob), merged into main by bob: the history adds it twice.
# FIRST and SECOND are the two commits' short ids.
replay() {
	rv=$1 rpath=$2
	rfirst=$(git -C "$rv" log --format=%H --diff-filter=A -1 main -- "$rpath")
	git -C "$rv" show "main:$rpath" > replay.blob
	rtree=$(tree_of "$rv" "$rfirst^" "$rpath=replay.blob")
	rside=$(mk "$rv" bob "$(git -C "$rv" log -1 --format=%B "$rfirst")" "$rtree" "$rfirst^")
	rmerge=$(mk "$rv" bob "merge a site's history

Qvault-Op: merge" "$(git -C "$rv" rev-parse 'main^{tree}')" main "$rside")
	git -C "$rv" update-ref refs/heads/main "$rmerge"
	FIRST=$(echo "$rfirst" | cut -c1-12) SECOND=$(echo "$rside" | cut -c1-12)
}
# twice NAME PATH WHAT: a copy of the base whose history adds PATH's record
# (WHAT, as the message names it: a pattern) twice; verify and reindex
# refuse it, naming both commits, the file and the record
twice() {
	tamper "$1"
	replay "$1" "$2"
	tw="commit ($FIRST|$SECOND): $2: $3 is recorded already, by commit ($FIRST|$SECOND) \\(a record is added once\\)"
	V=$1
	verify_finds "$tw" "$1: verify finds a history that adds $3 twice" "$1"
	fails 3 "$tw" "  reindex refuses it too, the vault as it was" q -C "$1" reindex
	cp "$TMP/.err" twice.err
	check "  the message names the two commits" evalq 'grep -q "$FIRST" twice.err && grep -q "$SECOND" twice.err'
}

twice d-revision "$(path_of '/DWG-3/A/record\.json$')" "the revision of DWG-3@A"
twice d-release "$(path_of '/DWG-1/C/release\.json$')" "the release of DWG-1@C"
twice d-obsolete "$(path_of '/DWG-3/A/obsolete\.json$')" "the obsoletion of DWG-3@A"
twice d-ack "$(path_of '/DWG-1/C/acks/sam-received\.json$')" "the acknowledgment 'sam-received.json' of DWG-1@C"
twice d-cert "$(path_of '/MTR-1/A/cert\.json$')" "the certificate data of MTR-1@A"
twice d-fai "$(path_of '/FAIR-1/A/package\.json$')" "the FAI package of FAIR-1@A"
twice d-disposition "$(path_of '/FAIR-1/A/disposition\.json$')" "the FAI disposition of FAIR-1@A"
twice d-withdrawal "$(path_of '/COC-1/A/withdrawn\.json$')" "the withdrawal of COC-1@A"
twice d-po "$(path_of '/PO-1/po\.json$')" "PO 'PO-1'"
twice d-po-ack "$(path_of '/PO-1/acks/000001-sam\.json$')" "acknowledgment 1 of PO 'PO-1' by 'sam'"
twice d-status "$(path_of '/PO-1/status/000001-sam\.json$')" "status report 1 of PO 'PO-1' by 'sam'"
twice d-change "$(path_of '/PO-2/changes/000001-tester\.json$')" "change order 1 of PO 'PO-2' by 'tester'"
twice d-lot "$(path_of '/L-1/lot\.json$')" "lot 'L-1'"
twice d-asn "$(path_of '/ASN-000001/asn\.json$')" "the record of ship notice 'ASN-000001'"
twice d-receipt "$(path_of '/ASN-000001/receipt\.json$')" "the receipt of ship notice 'ASN-000001'"
twice d-ncr "$(path_of '/NCR-000001/ncr\.json$')" "nonconformance report 'NCR-000001'"
twice d-close "$(path_of '/NCR-000001/close\.json$')" "the closure of nonconformance report 'NCR-000001'"
twice d-waiver "$(path_of "^waivers/.*/$GAP/")" "the audit waiver of '$GAP'"
twice d-token "$TOKEN" "API token '$TOKEN_ID'"

# ---- one commit: the same identity at another path ----------------------------------
# other NAME KIND-PATH NEW-PATH WHAT MESSAGE: a copy of the base whose last
# commit, signed by bob, adds KIND-PATH's record again at NEW-PATH
other() {
	tamper "$1"
	git -C "$1" show "main:$2" > other.json
	put "$1" bob "$5" "$3=other.json"
	SECOND=$(git -C "$1" rev-parse --short=12 main)
	FIRST=$(git -C "$1" log --format=%H --diff-filter=A -1 main -- "$2" | cut -c1-12)
	ow="commit $SECOND: $3: $4 is recorded already, by commit $FIRST \\(a record is added once\\)"
	V=$1
	verify_finds "$ow" "$1: verify finds $4 added again at another path" "$1"
	fails 3 "$ow" "  reindex refuses it too, the vault as it was" q -C "$1" reindex
	fails 3 "$ow" "  and so does any command that opens the vault" q -C "$1" po list
}
other o-po "$(path_of '/PO-1/po\.json$')" "pos/$(dir_of PO-9)/PO-9/po.json" "PO 'PO-1'" "po add PO-9

Qvault-Op: po-add
Qvault-PO: PO-9"
other o-revision "$(path_of '/DWG-3/A/record\.json$')" "$(doc DWG-9 A)/record.json" \
	"the revision of DWG-3@A" "add DWG-9 A

Qvault-Op: add"
other o-ncr "$(path_of '/NCR-000001/ncr\.json$')" "ncrs/$(dir_of NCR-9)/NCR-9/ncr.json" \
	"nonconformance report 'NCR-000001'" "ncr add NCR-9

Qvault-Op: ncr-add"
other o-asn "$(path_of '/ASN-000001/asn\.json$')" "asns/$(dir_of ASN-9)/ASN-9/asn.json" \
	"the record of ship notice 'ASN-000001'" "asn add ASN-9

Qvault-Op: asn-add"
other o-po-ack "$(path_of '/PO-1/acks/000001-sam\.json$')" \
	"$(dirname "$(path_of '/PO-1/acks/000001-sam\.json$')")/000002-sam.json" \
	"acknowledgment 1 of PO 'PO-1' by 'sam'" "po ack PO-1

Qvault-Op: po-ack
Qvault-PO: PO-1"

# ---- one record: an entry it lists twice ---------------------------------------------
# inner NAME PATH WHAT MESSAGE JQ: a copy of the base whose last commit,
# signed by bob, adds at PATH the record of PO-1, lot L-1 or ASN-000001 (by
# PATH's kind) edited by JQ so that it lists one entry twice
inner() {
	tamper "$1"
	case $2 in
	pos/*) git -C "$1" show "main:$(path_of '/PO-1/po\.json$')" ;;
	lots/*) git -C "$1" show "main:$(path_of '/L-2/lot\.json$')" ;;
	asns/*) git -C "$1" show "main:$(path_of '/ASN-000001/asn\.json$')" ;;
	esac | jq -S --indent 2 "$5" > inner.json
	put "$1" bob "$4" "$2=inner.json"
	iw="commit $(git -C "$1" rev-parse --short=12 main): $2: adds $3 a second time \\(a record is added once\\)"
	V=$1
	verify_finds "$iw" "$1: verify finds $3 listed twice in one record" "$1"
	fails 3 "$iw" "  and reindex" q -C "$1" reindex
}
inner i-line "pos/$(dir_of PO-8)/PO-8/po.json" "line 1 of PO 'PO-8'" "po add PO-8

Qvault-Op: po-add" '.po = "PO-8" | .lines += .lines'
inner i-input "lots/$(dir_of L-8)/L-8/lot.json" "input lot 'L-1' of lot 'L-8'" "lot add L-8

Qvault-Op: lot-add" '.lot = "L-8" | .from = [{lot: "L-1", qty: 1}, {lot: "L-1", qty: 1}]'
inner i-package "asns/$(dir_of ASN-8)/ASN-8/asn.json" "package 'CTN-1' of lot 'L-1' of ship notice 'ASN-8'" \
	"asn add ASN-8

Qvault-Op: asn-add" '.asn = "ASN-8" | .packages += .packages'

# ---- an index that already says it reflects such a history ---------------------------
# (written by an earlier qvault, which left a second revision out): nothing
# to catch up on at open, verify's own rebuild meets the record added twice
tamper x-indexed
replay x-indexed "$(path_of '/DWG-3/A/record\.json$')"
sqlite3 x-indexed/qvault/index.db "UPDATE meta SET value = '$(git -C x-indexed rev-parse main)' WHERE key = 'commit'"
check "verify of a vault whose index claims such a history reports it as a finding (exit 3)" evalq '
	q -C x-indexed verify > x.out 2> x.err; test $? = 3 &&
	grep -Eq "^index: the history cannot be indexed: commit ($FIRST|$SECOND): .*/DWG-3/A/record.json: the revision of DWG-3@A is recorded already" x.out &&
	grep -q "^FAILED: " x.out'

# ---- replicas: a hostile peer's history -------------------------------------------
# the peer's history adds lot L-1 twice: a pull (a fast-forward) and a clone refuse it
cp -a d-lot peer
git -C peer gc -q 2> /dev/null
rm -rf out.git; git clone -q --bare peer out.git
rm -rf p; cp -a base p
V=p
# (verify reads no index of what came in: its first finding on the second L-1 may come first)
fails 3 "(is not a vault's: commit [0-9a-f]{12}: .*/L-1/lot.json: lot 'L-1' is recorded already|does not verify: .*/L-1/lot.json: .* in commit [0-9a-f]{12})" \
	"a pull of a history that adds lot L-1 twice is refused, the replica as it was" \
	q -C p pull "file://$TMP/out.git"
check "  and the replica verifies" q -C p verify
V=.
check "a clone of it is refused, and leaves nothing" evalq '
	! q clone "file://$TMP/out.git" c1 > /dev/null 2> c1.err && grep -q "recorded already" c1.err &&
	test "$(grep -vc AddressSanitizer c1.err)" = 1 && test ! -e c1'

# each site's history alone is sound, the two merged add one record twice:
# PO-8, issued by bob at one site and, byte for byte, at the other
T=$(($(git -C base log -1 --format=%ct main) + 60))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
git -C base show "main:$(path_of '/PO-1/po\.json$')" |
	jq -S --indent 2 --arg at "$(iso $T)" '.po = "PO-8" | .created_by = "bob" | .created_at = $at' > po8.json
# po8 VAULT PARENT: bob's commit adding PO-8 on PARENT, at time T
po8() {
	pt=$(tree_of "$1" "$2" "pos/$(dir_of PO-8)/PO-8/po.json=po8.json")
	GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000" mk "$1" bob "po add PO-8 for acme

Qvault-Op: po-add
Qvault-PO: PO-8" "$pt" "$2"
}
rm -rf p h; cp -a base p; cp -a base h
git -C p update-ref refs/heads/main "$(po8 p main)"
git -C h update-ref refs/heads/main "$(po8 h main^)"
ok "one site's history with bob's PO-8 verifies" q -C p verify
ok "  and so does the other's" q -C h verify
rm -rf out.git; git clone -q --bare h out.git
V=p
fails 3 "nothing was merged from '.*': commit [0-9a-f]{12}: .*/PO-8/po.json: PO 'PO-8' is recorded already, by commit [0-9a-f]{12}" \
	"a pull that would merge two histories adding PO-8 each is refused, the replica as it was" \
	q -C p pull "file://$TMP/out.git"
check "  and the replica still verifies and lists PO-8 once" evalq '
	q -C p verify > /dev/null && test "$(q -C p po list | grep -c "^PO-8 ")" = 1'

# ---- an honest vault is unaffected ---------------------------------------------------
V=base
ok "reindex of the base vault" q -C base reindex
ok "  and verify after it" q -C base verify

done_testing
