#!/bin/sh
# qvault audit waive: every gap of the audit has a stable id (the same
# from run to run and after a reindex); quality waives one until a date
# with the reason, one signed record; the audit lists waived gaps apart
# and exits 3 only for open ones (not waived, or their waiver ended).  A
# supplier sees no id and no reason of a gap whose records it may not
# see.  Each refusal leaves the vault as it was; verify checks waivers,
# and finds forged ones.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
for k in bob qa; do q key generate -o $k.pem -c $k | head -n 1 > $k.pub; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add qa --org owner --role quality --pubkey qa.pub > /dev/null
# keys for forging with stock git: a quality user and a buyer
for k in fq fb; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add fq --org owner --role quality --pubkey fq.pub > /dev/null
q --key "$TMP/admin.pem" user add fb --org owner --role buyer --pubkey fb.pub > /dev/null
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-9:5:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key zed.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 --made 2099-01-10 > /dev/null
q --key zed.pem lot add Z-SECRET --po PO-2 --part PN-9 --qty 5 > /dev/null
# acme's lot made from zenith's lot (by quality): acme may not see its name
q lot add L-2 --po PO-1 --part PN-1 --qty 1 --from Z-SECRET:1 > /dev/null

TODAY=$(date -u +%Y-%m-%d)
SOON=$(date -u -d '+30 days' +%Y-%m-%d)
gap_id() { q audit --json | jq -r --arg g "$1" --arg l "$2" \
	'.[] | select(.gap == $g and (.records.lot == $l or .records.input == $l)) | .id'; }

check "audit --json: every gap has an id, its kind and 16 hex digits" evalq '
	q audit --json > a.json; test $? = 3 && test "$(jq length a.json)" -ge 4 &&
	jq -e "all(.[]; (.id | test(\"^[a-z-]+-[0-9a-f]{16}\$\")) and (. as \$g | .id | startswith(\$g.gap)) and .state == \"open\")" a.json > /dev/null'
check "  the text names it" evalq "grep -q 'no-coc .*lot L-1 .* id no-coc-[0-9a-f]\{16\}\$' <<EOF
\$(q audit)
EOF"
jq -r '.[].id' a.json | sort > ids1
check "  ids are the same on the next run" evalq 'q audit --json | jq -r ".[].id" | sort | cmp -s - ids1'
check "  and after a reindex" evalq 'q reindex > /dev/null && q audit --json | jq -r ".[].id" | sort | cmp -s - ids1'
check "  the ids differ" evalq 'test "$(sort -u ids1 | wc -l)" = "$(wc -l < ids1)"'
COC=$(gap_id no-coc L-1)
MAT=$(gap_id no-material-cert Z-SECRET)
check "  (the gaps: a lot without a CoC, a lot from a material lot without certificate)" \
	evalq 'test -n "$COC" && test -n "$MAT"'

# ---- a supplier does not learn what it may not see -----------------------------
check "a supplier sees its gap from another's lot without the lot's name and without an id" evalq '
	q --key sam.pem audit --json > s.json; ! grep -q Z-SECRET s.json &&
	jq -e "[.[] | select(.gap == \"no-material-cert\")] | length == 1 and .[0].id == null and .[0].records.input == null" s.json > /dev/null &&
	! grep -q "$MAT" s.json'
check "  its own gaps have their ids" evalq "jq -e '.[] | select(.gap == \"no-coc\" and .records.lot == \"L-1\") | .id == \"$COC\"' s.json > /dev/null"

# ---- refusals: the vault unchanged ------------------------------------------------
fails 1 "^qvault: a waiver needs a reason$" "a waiver without a reason" \
	q audit waive "$COC" --until "$SOON"
fails 1 "^qvault: a waiver needs a reason$" "  or with an empty one" \
	q audit waive "$COC" --reason "" --until "$SOON"
fails 1 "^qvault: a waiver needs the date it ends$" "a waiver without --until" \
	q audit waive "$COC" --reason "CoC on its way"
fails 1 "^qvault: a waiver ends between today and a year from today, not on 2020-01-01 \(today is $TODAY\)$" \
	"a waiver ending in the past" q audit waive "$COC" --reason "late" --until 2020-01-01
fails 1 "^qvault: a waiver ends between today and a year from today, not on $(date -u -d '+367 days' +%Y-%m-%d) " \
	"a waiver more than a year ahead" q audit waive "$COC" --reason "late" --until "$(date -u -d '+367 days' +%Y-%m-%d)"
fails 1 "^qvault: end date '2026-02-30' is not a date \(YYYY-MM-DD\)$" "a date that is none" \
	q audit waive "$COC" --reason "late" --until 2026-02-30
fails 1 "^qvault: no audit gap 'no-coc-0000000000000000'$" "an unknown id" \
	q audit waive no-coc-0000000000000000 --reason "late" --until "$SOON"
fails 1 "^qvault: no audit gap 'nonsense'$" "  or one of no gap's shape" \
	q audit waive nonsense --reason "late" --until "$SOON"
fails 1 "^qvault: .*may not waive audit gaps" "a supplier may not waive (even its own gap)" \
	q --key sam.pem audit waive "$COC" --reason "trust me" --until "$SOON"
fails 1 "^qvault: .*may not waive audit gaps" "nor a buyer" \
	q --key bob.pem audit waive "$COC" --reason "trust me" --until "$SOON"
fails 1 "^qvault: reason .*" "a reason with control characters" \
	q audit waive "$COC" --reason "$(printf 'bad\033[2Jreason')" --until "$SOON"

# ---- a waiver ---------------------------------------------------------------------
ok "quality waives the CoC gap until a date, with the reason" \
	q --key qa.pem audit waive "$COC" --reason "CoC re-issued by the supplier, due next week" --until "$SOON"
check "  one signed commit, its record readable by stock git" evalq '
	git -C v log -1 --format=%B main | grep -q "^Qvault-Op: audit-waive$" &&
	W=$(git -C v ls-tree -r --name-only main | grep "^waivers/.*/$COC/") &&
	git -C v show "main:$W" | jq -e --arg id "$COC" --arg u "$SOON" \
		".record == \"audit-waiver\" and .id == \$id and .gap == \"no-coc\" and .until == \$u and
		 .waived_by == \"qa\" and .records == {lot: \"L-1\", supplier: \"acme\"}" > /dev/null'
check "the audit lists it apart, waived, and still exits 3 for the open ones" evalq '
	q audit > w.txt; test $? = 3 && sed -n "/^waived:/,\$p" w.txt | grep -q "^  no-coc .*lot L-1 .*id $COC (waived until $SOON by qa: CoC re-issued" &&
	! sed -n "/^waived:/q;p" w.txt | grep -q "$COC" && tail -1 w.txt | grep -Eq "^[0-9]+ gaps?, 1 waived$"'
check "  --json: state waived, with its waiver, after the open gaps" evalq '
	q audit --json > w.json; jq -e --arg id "$COC" "(.[-1] | .id == \$id and .state == \"waived\" and
		.waiver.waived_by == \"qa\" and .waiver.until == \"$SOON\") and ([.[] | select(.state == \"waived\")] | length == 1)" w.json > /dev/null'
check "  the supplier sees its own gap waived, with the reason" evalq '
	q --key sam.pem audit --json | jq -e --arg id "$COC" ".[] | select(.id == \$id) | .state == \"waived\" and (.waiver.reason | test(\"re-issued\"))" > /dev/null'
ok "quality waives the gap from zenith's lot" \
	q --key qa.pem audit waive "$MAT" --reason "mill cert of Z-SECRET requested" --until "$SOON"
check "  the supplier sees it waived, but neither the id nor the reason (which may name the lot)" evalq '
	q --key sam.pem audit --json > s2.json; ! grep -q "Z-SECRET\|$MAT" s2.json &&
	jq -e "[.[] | select(.gap == \"no-material-cert\")][0] | .state == \"waived\" and .id == null and .waiver == {until: \"$SOON\"}" s2.json > /dev/null'
check "  nor in text" evalq 'q --key sam.pem audit > s2.txt; ! grep -q "Z-SECRET\|$MAT\|requested" s2.txt && grep -q "^  no-material-cert .* id - (waived until $SOON)$" s2.txt'
check "verify passes" q verify
check "the waivers stay through a reindex" evalq 'q reindex > /dev/null && q audit --json | jq -e "[.[] | select(.state == \"waived\")] | length == 2" > /dev/null'

# every other gap waived: exit 0
for id in $(q audit --json | jq -r '.[] | select(.state == "open") | .id'); do
	q audit waive "$id" --reason "accepted for the pilot run" --until "$SOON" > /dev/null
done
check "with every gap waived, the audit exits 0" evalq 'q audit > all.txt; test $? = 0 && tail -1 all.txt | grep -Eq "^0 gaps, [0-9]+ waived$"'
check "  --json too" evalq 'q audit --json > /dev/null'

# a waiver that ended: the gap is open again (the index's date moved back, as time would)
sqlite3 v/qvault/index.db "UPDATE audit_waivers SET until = '2020-01-01' WHERE gap = '$COC'"
check "a gap whose waiver ended is open again: exit 3, marked" evalq '
	q audit > e.txt; test $? = 3 && grep -q "^no-coc .*id $COC (waiver ended 2020-01-01)$" e.txt &&
	q audit --json | jq -e --arg id "$COC" ".[] | select(.id == \$id) | .state == \"open\" and .waiver.until == \"2020-01-01\"" > /dev/null'
q reindex > /dev/null
ok "  waived again once the index is rebuilt from the records" q audit
# a waiver's file is named by its second and signer: a renewal within the
# same second would be the same record (refused as waived already)
sleep 1
check "a waiver can be renewed (another record)" evalq '
	q --key qa.pem audit waive "$COC" --reason "still waiting" --until "$TODAY" > /dev/null &&
	test "$(git -C v ls-tree -r --name-only main | grep -c "^waivers/.*/$COC/")" = 2'

# ---- verify finds forged waivers ---------------------------------------------------
now() {
	T=$(date -u +%s)
	AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
	STAMP=$(date -u -d "@$T" +%Y%m%dT%H%M%SZ)
	export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
}
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4
	shift 4
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "forged $fop

Qvault-Op: $fop" "$@"
}
DIR=$(git -C v ls-tree -r --name-only main | grep "^waivers/.*/$COC/" | head -1 | xargs dirname)
# waiver_json WHO [JQ]: a waiver of the CoC gap by WHO, edited by JQ
waiver_json() {
	jq -S --indent 2 -n --arg id "$COC" --arg at "$AT" --arg by "$1" --arg u "$SOON" \
		'{record: "audit-waiver", format: 1, id: $id, gap: "no-coc", records: {lot: "L-1", supplier: "acme"},
		  reason: "forged", until: $u, waived_by: $by, org: "owner", waived_at: $at}' | jq -S --indent 2 "${2:-.}"
}
for f in f0 f1 f2 f3 f4; do rm -rf $f; cp -a v $f; done
now
waiver_json fq > w0.json
forge_as f0 fq owner audit-waive "$DIR/$STAMP-fq.json=w0.json"
ok "control: a waiver forged as qvault writes it passes verify" q -C f0 verify
waiver_json fb > w1.json
forge_as f1 fb owner audit-waive "$DIR/$STAMP-fb.json=w1.json"
check "a waiver signed by a buyer: verify finds it" culprit f1 "may not waive audit gaps"
waiver_json fq '.records.lot = "L-2"' > w2.json
forge_as f2 fq owner audit-waive "$DIR/$STAMP-fq.json=w2.json"
check "a waiver whose id is not that of its records" culprit f2 "the waiver's id '$COC' is not that of its no-coc gap"
waiver_json fq ".until = \"$(date -u -d '+400 days' +%Y-%m-%d)\"" > w3.json
forge_as f3 fq owner audit-waive "$DIR/$STAMP-fq.json=w3.json"
check "a waiver ending more than a year after it was signed" culprit f3 "not within a year of"
waiver_json fq 'del(.reason)' > w4.json
forge_as f4 fq owner audit-waive "$DIR/$STAMP-fq.json=w4.json"
check "a waiver without a reason" culprit f4 "the audit waiver is malformed"

done_testing
