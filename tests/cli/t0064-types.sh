#!/bin/sh
# qvault types list | allow | deny (issue 20): the allowlists of vault.json,
# changed by an admin in one signed commit; verify judges each upload by
# the list in force when it was made, in histories forged with stock git.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
# a quality engineer whose key ssh-keygen made, to forge with stock git
ssh-keygen -q -t ed25519 -N '' -C fq -f fq
q --key admin.pem user add fq --org owner --role quality --pubkey fq.pub > /dev/null
printf 'solid s\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid s\n' > mesh.stl
make_pdf c.pdf cert

# ---- reading ----------------------------------------------------------------------
ok "types list" q types list
check "  one line a type, fai-member last" sh -c '
	q types list > l.txt && grep -q "^coc  *application/pdf" l.txt && grep -q "^model  *model/step" l.txt &&
	tail -n 1 l.txt | grep -q "^fai-member " && test "$(sed 1d l.txt | wc -l)" = 10 &&
	head -n 1 l.txt | grep -q "^TYPE  *ALLOWED$"'
check "  --json: each type's list" sh -c 'q types list --json | jq -e ".coc | index(\"text/csv\")" > /dev/null'
if python3 -c 'import jsonschema' 2> /dev/null; then
	q types list --json > t.json
	check "  --json matches output.schema.json" python3 -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(open("t.json")), {"$ref": "#/$defs/types", "$defs": s["$defs"]})' \
		"$TESTS_DIR/../../schemas/output.schema.json"
else
	_skip "no python3-jsonschema"
fi
ok "a supplier may read them" q --key sam.pem types list
check "  and through qvault shell" sh -c '
	SSH_ORIGINAL_COMMAND="qvault types list" q shell --user sam | grep -q "^coc "'

# ---- refused ---------------------------------------------------------------------
fails 1 "user 'tester' may not change what document types accept \(needs role admin\)" \
	"a non-admin may not allow" q types allow coc model/stl
fails 1 "user 'sam' may not change what document types accept \(needs role admin\)" \
	"a supplier may not deny" q --key sam.pem types deny coc application/pdf
fails 2 "types allow: TYPE 'blueprint' is not one of drawing, spec, model" \
	"an unknown type (a usage error)" q --key admin.pem types allow blueprint image/png
fails 1 "'image png' is not a MIME type" "a MIME type with a space" \
	q --key admin.pem types allow coc 'image png'
fails 1 "'text' is not a MIME type" "a MIME type without a subtype" q --key admin.pem types allow coc text
fails 1 "a coc already accepts application/pdf" "allowing what is allowed" \
	q --key admin.pem types allow coc application/pdf
fails 1 "a coc does not accept model/stl: nothing to deny" "denying what is not allowed" \
	q --key admin.pem types deny coc model/stl
fails 1 "file 'mesh.stl' is model/stl, which a coc does not accept" "a mesh is no CoC yet" \
	q --key sam.pem add mesh.stl --doc COC-0 --type coc
fails 2 "qvault shell: 'types( allow)?' is not a command qvault shell runs" \
	"types allow does not go through qvault shell" \
	sh -c 'SSH_ORIGINAL_COMMAND="qvault types allow coc model/stl" q shell --user sam'

# ---- allowing and denying ------------------------------------------------------------
ok "an admin allows coc model/stl" q --key admin.pem types allow coc model/stl
check "  one commit, changing vault.json alone, Qvault-Op types" sh -c '
	test "$(git -C v diff --name-only HEAD~1 HEAD)" = vault.json &&
	git -C v log -1 --format=%B | grep -q "^Qvault-Op: types$" &&
	git -C v show HEAD:vault.json | jq -e ".allow.coc | index(\"model/stl\")" > /dev/null'
check "  signed by the admin, as git verify-commit checks it" sh -c '
	q keys allowed-signers > signers && git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=$PWD/signers verify-commit HEAD 2> /dev/null'
ok "  now a mesh is a CoC" q --key sam.pem add mesh.stl --doc COC-1 --type coc
ok "an admin denies it again" q --key admin.pem types deny coc model/stl
fails 1 "file 'mesh.stl' is model/stl, which a coc does not accept" "  a mesh is no CoC again" \
	q --key sam.pem add mesh.stl --doc COC-2 --type coc
ok "  verify: the CoC added while allowed stays good" q verify
ok "a list may be emptied and filled" sh -c '
	q --key admin.pem types deny fai application/zip > /dev/null && q types list | grep -q "^fai  *(nothing)" &&
	q --key admin.pem types allow fai application/zip > /dev/null'

# ---- forged with stock git: verify judges by the list in force -----------------------
NOW=$(date -u +%s)
AT=$(date -u -d "@$NOW" +%Y-%m-%dT%H:%M:%SZ)
fanout() { h=$(printf %s "$1" | sha256sum); echo "docs/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
# upload VAULT DOC TYPE FILE MIME: a revision forged by fq, its file recorded as MIME
upload() {
	uv=$1 ud=$2 ut=$3 uf=$4 um=$5
	jq -S --indent 2 -n --arg n "$uf" --arg s "$(sha256sum < "$uf" | cut -c1-64)" \
		--argjson z "$(wc -c < "$uf")" --arg m "$um" --arg d "$ud" --arg t "$ut" --arg at "$AT" \
		'{added_at: $at, added_by: "fq", doc: $d, files: [{mime: $m, name: $n, sha256: $s, size: $z}],
		  format: 1, org: "owner", parts: [], record: "revision", rev: "A", seq: 1, type: $t}' > rec.json
	dir=$(fanout "$ud")/A
	forged "$uv" "add $ud@A

Qvault-Op: add
Qvault-Doc: $ud
Qvault-Rev: A" "$dir/record.json=rec.json" "$dir/files/$uf=$uf"
}
# forged VAULT MESSAGE PATH=FILE...: a commit fq signs with ssh-keygen, at $NOW
forged() {
	fv=$1 fm=$2; shift 2
	GIT_DIR=$fv GIT_INDEX_FILE=$TMP/f.index git read-tree main
	for spec in "$@"; do
		b=$(GIT_DIR=$fv git hash-object -w "${spec#*=}")
		GIT_DIR=$fv GIT_INDEX_FILE=$TMP/f.index git update-index --add --cacheinfo "100644,$b,${spec%%=*}"
	done
	tree=$(GIT_DIR=$fv GIT_INDEX_FILE=$TMP/f.index git write-tree)
	rm -f "$TMP/f.index"
	c=$(GIT_AUTHOR_NAME=fq GIT_AUTHOR_EMAIL=fq@owner GIT_COMMITTER_NAME=fq GIT_COMMITTER_EMAIL=fq@owner \
		GIT_AUTHOR_DATE="@$NOW +0000" GIT_COMMITTER_DATE="@$NOW +0000" \
		git -C "$fv" -c gpg.format=ssh -c user.signingkey="$TMP/fq" commit-tree -S "$tree" -p main -m "$fm")
	git -C "$fv" update-ref refs/heads/main "$c"
}

rm -rf f0 && cp -a v f0
upload f0 COC-F0 coc c.pdf application/pdf
ok "a forged upload that keeps the rules passes (the forger forges faithfully)" q -C f0 verify

rm -rf f1 && cp -a v f1
cp /bin/true evil.pdf
upload f1 COC-F1 coc evil.pdf application/pdf
check "an executable recorded as a PDF is caught" \
	culprit f1 "COC-F1/A/files/evil.pdf: the file is recorded as application/pdf, but its content is application/x-"

rm -rf f2 && cp -a v f2
upload f2 COC-F2 coc mesh.stl model/stl
check "a mesh uploaded as a CoC while no list allowed it is caught" \
	culprit f2 "COC-F2/A/files/mesh.stl: the file is model/stl, which a coc did not accept when it was added"
q -C f2 --key admin.pem types allow coc model/stl > /dev/null
check "  allowing it later does not bless it" \
	culprit f2 "COC-F2/A/files/mesh.stl: the file is model/stl, which a coc did not accept when it was added"

rm -rf f3 && cp -a v f3
upload f3 COC-F3 coc mesh.stl text/plain
check "a mesh recorded as text/plain is caught (libmagic's own answer is not model/stl's)" \
	culprit f3 "COC-F3/A/files/mesh.stl: the file is text/plain, which a coc did not accept"

# an allowlist changed by a non-admin, around qvault
rm -rf f4 && cp -a v f4
git -C f4 show main:vault.json | jq -S --indent 2 '.allow.coc += ["application/x-executable"]' > vj.json
forged f4 "types allow coc application/x-executable

Qvault-Op: types" vault.json=vj.json
check "an allowlist changed by a non-admin is caught" \
	culprit f4 "user 'fq' may not configure the vault \(needs role admin\)"
rm -rf f5 && cp -a v f5
git -C f5 show main:vault.json | jq -S --indent 2 '.id = "00000000000000000000000000000000"' > vj.json
forged f5 "types allow coc text/plain

Qvault-Op: types" vault.json=vj.json
check "settings that change the vault's identity are caught" \
	culprit f5 "the vault's settings change its identity"

done_testing
