#!/bin/sh
# git-add.sh VAULT FILE DOC: the commit `qvault add FILE --doc DOC --type
# drawing` makes, made with stock git plumbing instead (the baseline of
# bench/run): hash-object -w for the file and its record, mktree for each
# changed tree (reading the existing ones with ls-tree), commit-tree,
# update-ref.
set -eu
V=$1 FILE=$2 DOC=$3
export GIT_DIR=$V
h=$(printf '%s' "$DOC" | sha256sum | cut -c1-4)
a=$(echo "$h" | cut -c1-2) b=$(echo "$h" | cut -c3-4)
name=$(basename "$FILE")
sum=$(sha256sum < "$FILE" | cut -c1-64)
blob=$(git hash-object -w "$FILE")
record=$(printf '{\n  "doc": "%s",\n  "rev": "A",\n  "sha256": "%s"\n}\n' "$DOC" "$sum" |
	git hash-object -w --stdin)
files=$(printf '100644 blob %s\t%s\n' "$blob" "$name" | git mktree)
rev=$(printf '100644 blob %s\trecord.json\n040000 tree %s\tfiles\n' "$record" "$files" | git mktree)
doc=$(printf '040000 tree %s\tA\n' "$rev" | git mktree)
# each level up: the existing tree's entries with one entry replaced or added
up() { # PATH NAME CHILD
	{ git ls-tree "main:$1" 2>/dev/null | awk -F'\t' -v n="$2" '$2 != n'
	  printf '040000 tree %s\t%s\n' "$3" "$2"; } | git mktree
}
t2=$(up "docs/$a/$b" "$DOC" "$doc")
t1=$(up "docs/$a" "$b" "$t2")
t0=$(up "docs" "$a" "$t1")
root=$(up "" docs "$t0")
parent=$(git rev-parse main)
commit=$(echo "add $DOC@A" | git commit-tree "$root" -p "$parent")
git update-ref refs/heads/main "$commit" "$parent"
