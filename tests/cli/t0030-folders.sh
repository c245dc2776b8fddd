#!/bin/sh
# Folders where records belong: an empty git tree (which git can store and
# qvault never writes) in the place of a record, and records under another
# name's fan-out folders.  An empty tree has no file for a walk of changes
# to report, and a check that only asked whether a path exists took it for
# the record; both are findings of verify and refusals of pull.  (Found by
# an attack on the table of record kinds; forged with stock git only.)
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/forged-base.sh"

# put_entry VAULT TREE PATH MODE TYPE OID: TREE with PATH set to that entry
put_entry() {
	pe_v=$1 pe_t=$2 pe_p=$3 pe_m=$4 pe_ty=$5 pe_o=$6
	case $pe_p in
	*/*) pe_head=${pe_p%%/*} pe_rest=${pe_p#*/}
	     pe_sub=$(git -C "$pe_v" ls-tree "$pe_t" -- "$pe_head" | awk '$2=="tree"{print $3}')
	     [ -n "$pe_sub" ] || pe_sub=$(git -C "$pe_v" mktree < /dev/null)
	     pe_new=$(put_entry "$pe_v" "$pe_sub" "$pe_rest" "$pe_m" "$pe_ty" "$pe_o")
	     { git -C "$pe_v" ls-tree "$pe_t" | awk -F'\t' -v n="$pe_head" '$2!=n'
	       printf '040000 tree %s\t%s\n' "$pe_new" "$pe_head"; } | git -C "$pe_v" mktree ;;
	*)   { git -C "$pe_v" ls-tree "$pe_t" | awk -F'\t' -v n="$pe_p" '$2!=n'
	       printf '%s %s %s\t%s\n' "$pe_m" "$pe_ty" "$pe_o" "$pe_p"; } | git -C "$pe_v" mktree ;;
	esac
}
EMPTY=$(git -C base mktree < /dev/null)
printf 'MZ any bytes at all\n' > payload

# 1. the auditor (may change nothing) stores setup.exe under a revision of
#    DWG-3 whose record.json is an empty tree (op add)
tamper p1; V=p1
b=$(git -C p1 hash-object -w "$TMP/payload")
t=$(put_entry p1 "$(git -C p1 rev-parse 'main^{tree}')" "$(doc DWG-3 Z)/record.json" 040000 tree "$EMPTY")
t=$(put_entry p1 "$t" "$(doc DWG-3 Z)/files/setup.exe" 100644 blob "$b")
git -C p1 update-ref refs/heads/main "$(mk p1 aud "add DWG-3@Z

Qvault-Op: add" "$t" main)"
check "1: files/ beside an empty-tree record.json is a finding" culprit p1 "record.json: is an empty folder: a vault holds none"
check "   and the files without their record" culprit p1 "setup.exe: adds a file without its record"
rm -rf site; q clone "file://$TMP/base" site > /dev/null 2>&1
fails 3 "does not verify: docs/[0-9a-f/]*/DWG-3/Z/" "1: pull of that history refuses, the vault unchanged" q -C site --key "$TMP/admin.pem" pull "file://$TMP/p1"

# 2. a buyer releases that phantom revision to beta (op release)
tamper p2; V=p2
T=$(date -u +%s)
git -C base show "main:$(doc DWG-1 C)/release.json" | jq -S --indent 2 \
	--arg at "$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)" \
	'.doc="DWG-3" | .rev="Z" | .released_by="bob" | .to=["beta"] | .released_at=$at' > relz.json
b=$(git -C p2 hash-object -w "$TMP/relz.json")
t=$(put_entry p2 "$(git -C p2 rev-parse 'main^{tree}')" "$(doc DWG-3 Z)/record.json" 040000 tree "$EMPTY")
t=$(put_entry p2 "$t" "$(doc DWG-3 Z)/release.json" 100644 blob "$b")
git -C p2 update-ref refs/heads/main "$(GIT_AUTHOR_DATE="@$T +0000" GIT_COMMITTER_DATE="@$T +0000" mk p2 bob "release DWG-3@Z

Qvault-Op: release" "$t" main)"
check "2: a release beside an empty-tree record.json is a finding" culprit p2 "release.json: names a revision that has no record"

# 3. any user stores a .sig beside an empty-tree "statement", at a fan-out
#    that is not DWG-1's (f3ce650 found "adds an unexpected path")
tamper p3; V=p3
b=$(git -C p3 hash-object -w "$TMP/payload")
w=docs/00/00/DWG-1/C
t=$(put_entry p3 "$(git -C p3 rev-parse 'main^{tree}')" "$w/acks/aud-received.json" 040000 tree "$EMPTY")
t=$(put_entry p3 "$t" "$w/acks/aud-received.json.sig" 100644 blob "$b")
git -C p3 update-ref refs/heads/main "$(mk p3 aud "ack

Qvault-Op: ack" "$t" main)"
check "3: a .sig at another fan-out, its statement an empty tree, is a finding" culprit p3 "aud-received.json.sig: adds an unexpected path"

# 4. the same at the right fan-out of a document that does not exist
#    (f3ce650 did not find it either)
tamper p4; V=p4
b=$(git -C p4 hash-object -w "$TMP/payload")
w=$(doc NOPE-1 A)
t=$(put_entry p4 "$(git -C p4 rev-parse 'main^{tree}')" "$w/acks/aud-received.json" 040000 tree "$EMPTY")
t=$(put_entry p4 "$t" "$w/acks/aud-received.json.sig" 100644 blob "$b")
git -C p4 update-ref refs/heads/main "$(mk p4 aud "ack

Qvault-Op: ack" "$t" main)"
check "4: a .sig beside an empty-tree statement of no revision is a finding" culprit p4 "aud-received.json.sig: adds a signature without its statement"

# 5. a copy of DWG-1@C's release under fan-out folders that are not DWG-1's:
#    no kind's path, reported as such (not an index that cannot be built)
tamper p5; V=p5
git -C base show "main:$(doc DWG-1 C)/release.json" > rel.json
b=$(git -C p5 hash-object -w "$TMP/rel.json")
t=$(put_entry p5 "$(git -C p5 rev-parse 'main^{tree}')" "docs/00/00/DWG-1/C/release.json" 100644 blob "$b")
git -C p5 update-ref refs/heads/main "$(mk p5 bob "release DWG-1@C

Qvault-Op: release" "$t" main)"
check "5: a record under another name's fan-out is an unexpected path" \
	culprit p5 "docs/00/00/DWG-1/C/release.json: adds an unexpected path"

done_testing
