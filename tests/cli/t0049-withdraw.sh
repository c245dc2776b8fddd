#!/bin/sh
# qvault withdraw: an organization withdraws its own upload, with the
# reason.  The revision and its files stay (history only adds); it shows
# as withdrawn and counts for nothing: a withdrawn certificate closes no
# audit gap.  Another organization's upload, a released drawing, one
# withdrawn already: refused, the vault unchanged.  verify checks it.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
for k in sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add sid --org zenith --role supplier --pubkey sid.pub > /dev/null
make_pdf c.pdf C
make_pdf coc.pdf COC
make_pdf coc2.pdf COC2
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key sam.pem link COC-1@A --lot L-1 > /dev/null
q --key zed.pem add coc2.pdf --doc COC-Z --type coc > /dev/null

check "(the lot's CoC closes its audit gap)" \
	evalq "q audit > a0.txt; rc=\$?; { [ \$rc = 0 ] || [ \$rc = 3 ]; } && grep -Eq '^[0-9]+ gaps?$' a0.txt &&
	       ! grep -q '^no-coc .*lot L-1' a0.txt"
ok "withdraw: sam's organization withdraws its CoC, with the reason" \
	q --key sam.pem withdraw COC-1@A --reason "wrong lot on the certificate"
check "  one commit, withdraw, the revision and its file still there" \
	evalq "git -C v log -1 --format=%B | grep -qx 'Qvault-Op: withdraw' &&
	       git -C v ls-tree -r --name-only main | grep -q '/COC-1/A/withdrawn.json$' &&
	       q cat COC-1@A 2> err.txt | cmp -s - coc.pdf"
check "  cat warns that it is withdrawn" grep -qx "qvault: warning: 'COC-1@A' is withdrawn" err.txt
check "  show: withdrawn, by whom and why" \
	evalq "q show COC-1@A > s.txt && grep -q '^COC-1@A  coc  withdrawn$' s.txt &&
	       grep -q '^  withdrawn .* by sam: wrong lot on the certificate$' s.txt"
check "  show --json: the state and the withdrawal" \
	evalq "q show COC-1@A --json > s.json && python3 -c '
import json; d = json.load(open(\"s.json\"))
assert d[\"state\"] == \"withdrawn\" and d[\"withdrawn\"][\"by\"] == \"sam\", d'"
check "the lot's audit gap is open again: a withdrawn CoC counts for nothing" \
	evalq "q audit > a.txt; [ \$? = 3 ] && grep -q '^no-coc .*lot L-1' a.txt"
check "  and the supplier's inbox asks for one" \
	evalq "q --key sam.pem inbox --json | grep -q '\"provide-coc\"'"

# ---- refused: one line, exit 1, nothing written
refuse() { # PATTERN DESC CMD...
	rp=$1 rd=$2; shift 2
	before=$(snapshot)
	fails 1 "$rp" "$rd" "$@"
	check "  (nothing written)" test "$before" = "$(snapshot)"
}
refuse "COC-1@A was withdrawn already" "withdrawing twice" \
	q --key sam.pem withdraw COC-1@A --reason again
refuse "no document 'COC-Z'" "another organization's upload: as if it did not exist" \
	q --key sam.pem withdraw COC-Z@A --reason mine
refuse "COC-Z@A was added by zenith, not by owner" "the buying side may not withdraw a supplier's upload" \
	q withdraw COC-Z@A --reason x
refuse "DWG-1@C was released: a released revision is made obsolete, not withdrawn" \
	"a released drawing is not withdrawn" q withdraw DWG-1@C --reason x
before=$(snapshot)
fails 2 "--reason is required" "a withdrawal without a reason: a usage error" q --key zed.pem withdraw COC-Z@A
fails 2 "'COC-Z' is not DOC@REV" "a document without its revision" q --key zed.pem withdraw COC-Z --reason x
check "  (nothing written)" test "$before" = "$(snapshot)"

ok "verify is clean" q verify
check "the index rebuilt from the repository says the same" \
	evalq "q show COC-1 --json > a.json && q reindex > /dev/null && q show COC-1 --json | cmp -s - a.json"
if python3 -c 'import jsonschema' 2> /dev/null; then
	check "show --json matches output.schema.json" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(open("s.json")), {"$ref": "#/$defs/revision", "$defs": s["$defs"]})' \
		"$TESTS_DIR/../../schemas/output.schema.json"
else
	_skip "no python3-jsonschema"
fi

# ---- forged with stock git
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
W=$(git -C v ls-tree -r --name-only main | grep '/COC-Z/A/record.json$' | sed 's|record.json$|withdrawn.json|')
WD=$(git -C v ls-tree -r --name-only main | grep '/DWG-1/C/record.json$' | sed 's|record.json$|withdrawn.json|')
wd_json() { # DOC REV BY ORG
	jq -S --indent 2 -n --arg d "$1" --arg r "$2" --arg by "$3" --arg org "$4" --arg at "$AT" \
		'{record: "withdrawal", format: 1, doc: $d, rev: $r, reason: "forged", withdrawn_by: $by,
		  org: $org, withdrawn_at: $at}'
}
forge_wd() { # VAULT PATH FILE
	GIT_AUTHOR_NAME=sid GIT_AUTHOR_EMAIL=sid@zenith GIT_COMMITTER_NAME=sid GIT_COMMITTER_EMAIL=sid@zenith \
		forge_commit "$1" sid "withdraw

Qvault-Op: withdraw" "$2=$3"
}
tamper f0
wd_json COC-Z A sid zenith > x.json
forge_wd f0 "$W" x.json
ok "a withdrawal written with stock git as qvault writes it passes verify" q -C f0 verify
tamper f1
wd_json DWG-1 C sid zenith > x.json
forge_wd f1 "$WD" x.json
check "withdrawing another organization's released drawing is caught" \
	culprit f1 "withdraws DWG-1@C, added by 'owner'"
check "  and that it was released" culprit f1 "DWG-1@C was released: it may not be withdrawn"

done_testing
