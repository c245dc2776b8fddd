#!/bin/sh
# Sub-tier lots (qvault lot add LOT --part --qty --source [--cert]): what a
# supplier bought from its own suppliers, on no PO of the buyer, its name
# its organization's own; drawn into its PO lots with --from, never beyond
# its quantity; traced up and down; and forged with stock git.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed bolt
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
q --key "$TMP/admin.pem" user add aud --org audit --role auditor --pubkey aud.pub > /dev/null
# stock-git forgers: mia of acme, ned of bolt (suppliers), bob (buyer)
for k in mia ned bob; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add mia --org acme --role supplier --pubkey mia.pub > /dev/null
q --key "$TMP/admin.pem" user add ned --org bolt --role supplier --pubkey ned.pub > /dev/null
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
make_pdf d.pdf D
make_pdf e.pdf E
make_pdf mtr.pdf MTR
q release DWG-1001 --rev D d.pdf --to acme > /dev/null
q release DWG-2 --rev A e.pdf --to bolt > /dev/null
q po add PO-4411 --supplier acme --line PN-4411:50:DWG-1001@D:2027-01-31 > /dev/null
q po add PO-5 --supplier bolt --line PN-5:10:DWG-2@A > /dev/null
mtr() {
	q --key "$1" add mtr.pdf --doc "$2" --type material-cert --field certificate_type=3.1 \
		--field certificate_number=MC-1 --field manufacturer="Mill" --field product=bar \
		--field grade=6061 --field heat_number=H-2291 --field issue_date=2026-10-01 \
		--field inspector=J > /dev/null
}
mtr sam.pem MTR-2291

# ---- the README's example, as written ----------------------------------------
ok "a supplier records a sub-tier lot with its source and certificate" \
	q --key sam.pem lot add H-2291 --part BAR-6061 --qty 20 --source "Mill name" --cert MTR-2291@A
ok "the README's lot add L-0923 ... --from H-2291:12 works as written" \
	q --key sam.pem lot add L-0923 --po PO-4411 --part PN-4411 --qty 50 \
	--made 2026-12-01 --shipped 2026-12-03 --from H-2291:12
check "  the material is on no line of the buyer's PO" evalq \
	"q trace po PO-4411 --json | python3 -c 'import json,sys; d=json.load(sys.stdin)
assert [l[\"part\"] for l in d[\"lines\"]] == [\"PN-4411\"], d[\"lines\"]
assert [l[\"lot\"] for l in d[\"lots\"]] == [\"L-0923\"], d[\"lots\"]'"
check "  one signed commit, Qvault-Op lot-subtier, readable by stock git" evalq '
	git -C v log --format=%B main~1 -1 | grep -q "^Qvault-Op: lot-subtier$" &&
	p=$(git -C v ls-tree -r --name-only main | grep "^subtier/acme/../../H-2291/lot.json$") &&
	git -C v show "main:$p" | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d[\"record\"] == \"subtier-lot\" and d[\"org\"] == \"acme\" and d[\"source\"] == \"Mill name\", d
assert d[\"cert\"] == {\"doc\": \"MTR-2291\", \"rev\": \"A\"}, d"'
if have_jsonschema; then
	check "  the record matches schemas/subtier-lot.schema.json" evalq '
	p=$(git -C v ls-tree -r --name-only main | grep "^subtier/acme/.*/lot.json$") &&
	git -C v show "main:$p" > rec.json && python3 -c "import json,sys,jsonschema
jsonschema.validate(json.load(open(\"rec.json\")), json.load(open(sys.argv[1])))" \
		"$TESTS_DIR/../../schemas/subtier-lot.schema.json"'
else
	_skip "python3 jsonschema is not installed"
fi
check "  the PO lot names its input as the supplier's sub-tier lot" evalq '
	p=$(git -C v ls-tree -r --name-only main | grep "^lots/.*/L-0923/lot.json$") &&
	git -C v show "main:$p" | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d[\"from\"] == [{\"lot\": \"H-2291\", \"qty\": 12, \"subtier\": True}], d"'

# ---- names are each organization's own ------------------------------------
ok "another supplier records a sub-tier lot of the same name" \
	q --key zed.pem lot add H-2291 --part ROD-1 --qty 5 --source "Other mill"
fails 1 "^qvault: lot 'H-2291' already exists$" "its own organization's name twice is refused" \
	q --key sam.pem lot add H-2291 --part BAR-6061 --qty 1 --source "Mill name"
fails 1 "^qvault: lot 'L-0923' already exists$" "  and the name of its own PO lot" \
	q --key sam.pem lot add L-0923 --part BAR-6061 --qty 1 --source "Mill name"
fails 1 "^qvault: lot 'H-2291' already exists$" "  and a PO lot named as its sub-tier lot" \
	q --key sam.pem lot add H-2291 --po PO-4411 --part PN-4411 --qty 1
check "sam's trace of H-2291 is acme's: its source, certificate and where it went" evalq \
	"q --key sam.pem trace lot H-2291 > t.txt && grep -q '^sub-tier lot H-2291 of acme: 20 x BAR-6061 from Mill name, cert MTR-2291@A$' t.txt &&
	grep -q 'drawn     12, 8 left' t.txt && grep -q 'went into L-0923 (PN-4411 of PO-4411)' t.txt && ! grep -q bolt t.txt"
check "zed's trace of H-2291 is bolt's, and says nothing of acme's" evalq \
	"q --key zed.pem trace lot H-2291 --json > t.json && ! grep -q 'acme\|L-0923\|Mill name' t.json &&
	python3 -c 'import json; d=json.load(open(\"t.json\")); assert d[\"subtier_lot\"][\"org\"] == \"bolt\" and d[\"downstream\"] == [], d'"
fails 1 "^qvault: no lot 'H-2291'$" "another organization's sub-tier lot is no lot (--org)" \
	q --key zed.pem trace lot H-2291 --org acme
fails 1 "^qvault: no lot 'L-0923'$" "  nor is the lot made from it" q --key zed.pem trace lot L-0923
fails 1 "^qvault: no lot 'H-2291'$" "  nor through qvault shell" \
	sh -c 'SSH_ORIGINAL_COMMAND="trace lot H-2291 --org acme" q -C v shell --user zed'
check "  and through qvault shell each sees its own" evalq \
	"SSH_ORIGINAL_COMMAND='trace lot H-2291' q -C v shell --user zed | grep -q '^sub-tier lot H-2291 of bolt: 5 x ROD-1 from Other mill$'"
ok "a supplier records a sub-tier lot through qvault shell (the server signs for it)" \
	sh -c 'SSH_ORIGINAL_COMMAND="lot add H-77 --part ROD-1 --qty 3 --source Mill" q -C v shell --user zed'
check "  in bolt's scope, named for zed" evalq \
	"git -C v ls-tree -r --name-only main | grep -q '^subtier/bolt/../../H-77/lot.json$' &&
	git -C v log -1 --format=%B main | grep -q '^Qvault-On-Behalf-Of: zed$' && q verify > /dev/null"
fails 1 "^qvault: no document 'MTR-2291@A' to attach to lot 'H-7'$" \
	"  another organization's certificate looks like none" \
	q --key zed.pem lot add H-7 --part ROD-1 --qty 5 --source "x" --cert MTR-2291@A
ok "a supplier draws on its own lot of the name: bolt's, not acme's" \
	q --key zed.pem lot add L-5 --po PO-5 --part PN-5 --qty 10 --from H-2291:5
fails 1 "^qvault: lot 'L-6' draws 1 of sub-tier lot 'H-2291', which has 0 left of 5$" \
	"  bolt's holds 5, all drawn: no more" \
	q --key zed.pem lot add L-6 --po PO-5 --part PN-5 --qty 1 --from H-2291:1

# ---- drawn beyond its quantity, and who may record one ------------------------
fails 1 "^qvault: lot 'L-0924' draws 9 of sub-tier lot 'H-2291', which has 8 left of 20$" \
	"a sub-tier lot drawn beyond its quantity is refused" \
	q --key sam.pem lot add L-0924 --po PO-4411 --part PN-4411 --qty 50 --from H-2291:9
printf 'lot,po,part,qty,made,shipped,from,docs\nL-7,PO-4411,PN-4411,1,,,H-2291:5,\nL-8,PO-4411,PN-4411,1,,,H-2291:5,\n' > two.csv
fails 1 "^qvault: 'two.csv': row 3: lot 'L-8' draws 5 of sub-tier lot 'H-2291', which has 3 left of 20$" \
	"  also by two lots of one import together" q --key sam.pem lot import two.csv
fails 1 "^qvault: user 'tester' may not record sub-tier lots \(needs role supplier\)$" \
	"a buyer (and quality) records no sub-tier lot: a supplier records what its organization bought" \
	q lot add H-9 --part BAR-6061 --qty 1 --source "a mill"
fails 1 "^qvault: user 'aud' may not record sub-tier lots \(needs role supplier\)$" "  nor an auditor" \
	q --key aud.pem lot add H-9 --part BAR-6061 --qty 1 --source "a mill"
fails 1 "^qvault: source is not UTF-8 text without control characters$" "a source with a line break" \
	q --key sam.pem lot add H-9 --part BAR-6061 --qty 1 --source "$(printf 'mill\nQvault-Op: x')"
fails 1 "^qvault: a sub-tier lot needs its source: who it was bought from$" "an empty source" \
	q --key sam.pem lot add H-9 --part BAR-6061 --qty 1 --source ""
fails 2 "give --po \(a lot of a PO\) or --source \(a sub-tier lot\), not both" "--po with --source" \
	q --key sam.pem lot add H-9 --po PO-4411 --part BAR-6061 --qty 1 --source "a mill"
fails 2 "--from is for a lot of a PO, not with --source" "--from with --source" \
	q --key sam.pem lot add H-9 --part BAR-6061 --qty 1 --source "a mill" --from H-2291:1

# ---- the auditor's view --------------------------------------------------------
fails 1 "^qvault: lot 'H-2291' is a sub-tier lot of 2 organizations \(acme, bolt\): name one with --org$" \
	"an auditor's trace of a name two organizations hold asks which" q --key aud.pem trace lot H-2291
check "  --org acme: acme's, with the lots made from it" evalq \
	"q --key aud.pem trace lot H-2291 --org acme --json | python3 -c 'import json,sys; d=json.load(sys.stdin)
l=d[\"subtier_lot\"]; assert (l[\"org\"], l[\"source\"], l[\"qty\"], l[\"drawn\"], l[\"left\"]) == (\"acme\", \"Mill name\", 20, 12, 8), l
assert [x[\"lot\"] for x in d[\"downstream\"]] == [\"L-0923\"], d
assert (\"subtier\", \"H-2291\", \"MTR-2291\") in [(x[\"attached_to\"], x[\"target\"], x[\"doc\"]) for x in d[\"documents\"]], d'"
check "trace lot L-0923 (up) shows the sub-tier lot with its source and certificate" evalq \
	"q --key aud.pem trace lot L-0923 | grep -q '^  made from H-2291 (sub-tier lot of acme: 20 x BAR-6061 from Mill name, cert MTR-2291@A; 12 drawn)$' &&
	q trace lot L-0923 --json | python3 -c 'import json,sys; d=json.load(sys.stdin)
u=[x for x in d[\"upstream\"] if x.get(\"subtier\")]; assert len(u) == 1 and u[0][\"supplier\"] == \"acme\" and u[0][\"po\"] is None, u
assert (\"subtier\", \"H-2291\", \"MTR-2291\") in [(x[\"attached_to\"], x[\"target\"], x[\"doc\"]) for x in d[\"upstream_documents\"]], d'"
ok "verify accepts it all" q verify
# the index compared row for row, and how often (helper-119: subtier_inputs
# has no key, and a row twice, which trace then counted as 24 drawn of
# 20, passed a comparison of sets)
cp -a v vdup
sqlite3 vdup/qvault/index.db "INSERT INTO subtier_inputs SELECT * FROM subtier_inputs LIMIT 1"
verify_finds "^index: the index disagrees with the repository on subtier_inputs \\(2 rows" \
	"an input of a sub-tier lot twice in the index alone: caught" vdup
V=v
check "reindex gives the same traces" evalq \
	"q trace lot L-0923 --json > a.json && q --key aud.pem trace lot H-2291 --org acme --json > b.json &&
	rm v/qvault/index.db && q reindex > /dev/null && q trace lot L-0923 --json | cmp -s - a.json &&
	q --key aud.pem trace lot H-2291 --org acme --json | cmp -s - b.json"

# ==== forged with stock git ======================================================
now() {
	T=$(date -u +%s)
	AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
	export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
}
now
# forge_as VAULT KEY ORG OP SPEC...: signed by KEY, authored as its user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4
	shift 4
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "forged $fop

Qvault-Op: $fop" "$@"
}
fan() { h=$(printf %s "$1" | sha256sum); printf '%s/%s/%s' "$(echo "$h" | cut -c1-2)" "$(echo "$h" | cut -c3-4)" "$1"; }
# sub_json LOT ORG BY [JQ]: a sub-tier lot record, edited by JQ
sub_json() {
	jq -S --indent 2 -n --arg l "$1" --arg o "$2" --arg by "$3" --arg at "$AT" \
		'{record: "subtier-lot", format: 1, lot: $l, org: $o, part: "BAR-6061", qty: 20,
		  source: "Mill", created_by: $by, created_at: $at}' | jq -S --indent 2 "${4:-.}"
}
# lot_json LOT FROM QTY BY: a PO-4411 lot of acme drawing QTY of sub-tier lot FROM
lot_json() {
	jq -S --indent 2 -n --arg l "$1" --arg f "$2" --argjson q "$3" --arg by "$4" --arg at "$AT" \
		'{record: "lot", format: 1, lot: $l, po: "PO-4411", part: "PN-4411", qty: 1,
		  from: [{lot: $f, qty: $q, subtier: true}], supplier: "acme", created_by: $by,
		  created_at: $at}'
}
tamper() { rm -rf "$1"; cp -a v "$1"; }

tamper f0
sub_json H-50 acme mia > x0.json
lot_json L-50 H-50 20 mia > y0.json
forge_as f0 mia acme lot-subtier "subtier/acme/$(fan H-50)/lot.json=x0.json"
forge_as f0 mia acme lot-add "lots/$(fan L-50)/lot.json=y0.json"
ok "control: a sub-tier lot and a lot drawing all of it, forged as qvault writes them, pass verify" \
	q -C f0 verify

tamper f1
sub_json H-51 acme ned > x1.json
forge_as f1 ned bolt lot-subtier "subtier/acme/$(fan H-51)/lot.json=x1.json"
check "verify finds bolt's supplier putting a lot in acme's scope" \
	culprit f1 "names organization 'acme', but 'ned' of 'bolt' signed"

tamper f2
sub_json H-52 bolt ned > x2.json
forge_as f2 ned bolt lot-subtier "subtier/acme/$(fan H-52)/lot.json=x2.json"
check "verify finds bolt's lot stored under acme's scope" \
	culprit f2 "the sub-tier lot of 'bolt' is stored in the scope of 'acme'"

tamper f3
lot_json L-53 H-2291 9 mia > x3.json
forge_as f3 mia acme lot-add "lots/$(fan L-53)/lot.json=x3.json"
check "verify finds a sub-tier lot drawn beyond its quantity" \
	culprit f3 "lot 'subtier/acme/H-2291' holds 20, but 21 are drawn from it in all"

tamper f4
lot_json L-54 H-404 1 mia > x4.json
forge_as f4 mia acme lot-add "lots/$(fan L-54)/lot.json=x4.json"
check "verify finds a lot made from a sub-tier lot that is not recorded" \
	culprit f4 "lot 'L-54' is made from sub-tier lot 'H-404' of 'acme', which is not recorded"

tamper f5
sub_json H-55 owner bob > x5.json
forge_as f5 bob owner lot-subtier "subtier/owner/$(fan H-55)/lot.json=x5.json"
check "verify finds a buyer recording a sub-tier lot" culprit f5 "may not record sub-tier lots"

tamper f6
sub_json H-56 acme mia > x6.json
forge_as f6 mia acme lot-add "subtier/acme/$(fan H-56)/lot.json=x6.json"
check "verify finds a sub-tier lot under another Qvault-Op" culprit f6 "lot-add"

tamper f7
sub_json H-57 acme mia > x7.json
forge_as f7 mia acme lot-subtier "subtier/acme/$(fan H-2291 | cut -d/ -f1-2)/H-57/lot.json=x7.json"
check "verify finds a sub-tier lot stored where another belongs" culprit f7 "unexpected path|stored where another belongs"

done_testing
