#!/bin/sh
# qvault import: many revisions, one commit, one pack; all or nothing.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
mkdir files
i=0
while [ $i -lt 40 ]; do
	make_pdf files/d$i.pdf "imported $i"
	i=$((i + 1))
done
make_text files/coc.csv
{
	echo '['
	i=0
	while [ $i -lt 40 ]; do
		echo "{\"file\": \"files/d$i.pdf\", \"doc\": \"DWG-$i\", \"type\": \"drawing\", \"title\": \"Drawing $i\", \"parts\": [\"PN-$i\"]},"
		i=$((i + 1))
	done
	echo '{"file": "files/d0.pdf", "doc": "DWG-0", "rev": "B", "type": "drawing"},'
	echo '{"file": "files/coc.csv", "doc": "COC-1", "type": "coc", "name": "coc-heat-H1.csv"}'
	echo ']'
} > manifest.json

ok "import a manifest" q -C v import manifest.json
check "  in one commit" sh -c 'test "$(git -C v rev-list --count main)" = 3'
check "  written as one pack" sh -c 'test "$(ls v/objects/pack/*.pack | wc -l)" = 1'
check "  every revision is there" sh -c 'test "$(q -C v list | sed 1d | wc -l)" = 41'
check "  two revisions of one document in one batch" sh -c 'q -C v show DWG-0 | grep -q "2 revisions"'
check "  the stored name is the one given" sh -c 'q -C v show COC-1@A | grep -q coc-heat-H1.csv'
check "  bytes come back exact from the pack" sh -c 'q -C v cat DWG-7@A | cmp -s - files/d7.pdf'
check "  the log names every subject" sh -c 'q -C v log --json | grep -c "\"DWG-" | grep -qx 41'
check "git verify-pack accepts the pack" sh -c 'git verify-pack v/objects/pack/*.idx'
check "git fsck --strict is clean" git -C v fsck --strict
check "reindex gives the same answers" \
	sh -c 'q -C v list --json > a.json && q -C v reindex >/dev/null && q -C v list --json | cmp -s - a.json'

# One bad entry refuses the whole file, naming the entry.
bad() {
	printf '[{"file": "files/d1.pdf", "doc": "NEW-1", "type": "drawing"},\n %s]\n' "$1" > bad.json
}
bad '{"file": "files/d2.pdf", "doc": "NEW-2 ", "type": "drawing"}'
fails 1 "entry 2: document number 'NEW-2 ' begins or ends with a space" "a bad number in entry 2" q -C v import bad.json
bad '{"file": "files/nope.pdf", "doc": "NEW-2", "type": "drawing"}'
fails 1 "entry 2: file 'files/nope.pdf' does not exist" "a missing file in entry 2" q -C v import bad.json
cp /bin/true files/evil.pdf  # an ELF executable
bad '{"file": "files/evil.pdf", "doc": "NEW-2", "type": "drawing"}'
fails 1 "entry 2: file 'files/evil.pdf' is application/x-" "an executable in entry 2" q -C v import bad.json
check "  and no temporary pack is left behind" sh -c '! ls v/objects/pack | grep -q tmp'
bad '{"file": "files/d2.pdf", "doc": "DWG-3", "rev": "A", "type": "drawing"}'
fails 1 "entry 2: document 'DWG-3' already has revision 'A'" "an existing revision in entry 2" q -C v import bad.json
bad '{"file": "files/d2.pdf", "doc": "NEW-1", "type": "drawing", "rev": "A"}'
fails 1 "revision 'NEW-1@A' is given twice" "the same revision twice in one file" q -C v import bad.json
bad '{"file": "files/d2.pdf", "doc": "NEW-2", "type": "drawing", "colour": "red"}'
fails 1 "manifest entry 2: .*colour" "an unknown field" q -C v import bad.json
bad '{"file": "files/d2.pdf", "type": "drawing"}'
fails 1 "manifest entry 2: .*doc" "a missing field" q -C v import bad.json
printf '[{"file": "files/d2.pdf", "doc": "X"' > trunc.json
fails 1 "manifest 'trunc.json': .*line 1" "a truncated manifest" q -C v import trunc.json
printf '{"file": "files/d2.pdf"}' > obj.json
fails 1 "manifest 'obj.json' is not a JSON list" "a manifest that is not a list" q -C v import obj.json
printf '[]' > none.json
fails 1 "nothing to add" "an empty manifest" q -C v import none.json

done_testing
