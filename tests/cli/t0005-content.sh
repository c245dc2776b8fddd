#!/bin/sh
# Content in and out: large files stream through in chunks, packed and
# loose alike, and bytes that no longer match their SHA-256 are caught.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
# PDFs of a few sizes around the 1 MiB chunk and the 16 MiB limit above
# which a batch leaves a file loose: valid PDFs (each PDF is opened with
# libqpdf), their bulk one stream of pseudo-random bytes; the size
# counts the 9 bytes of a PDF header, as when these were a header and
# random bytes
mkpdf() { python3 "$TESTS_DIR/../mkpdf.py" filler "$1" $(($2 + 9)); }
mkpdf one-chunk.pdf 1048567
mkpdf three-chunks.pdf 3000000
mkpdf big.pdf 17000000
printf 'line of text that compresses well\n%.0s' $(seq 1 20000) > text.csv

ok "a file of exactly one chunk" q -C v add one-chunk.pdf --doc S-1 --type drawing
ok "a file of three chunks" q -C v add three-chunks.pdf --doc S-3 --type drawing
check "  comes back byte for byte" sh -c 'q -C v cat S-3 | cmp -s - three-chunks.pdf'
check "  one chunk too" sh -c 'q -C v cat S-1 | cmp -s - one-chunk.pdf'
cat > m.json <<'J'
[{"file": "three-chunks.pdf", "doc": "P-3", "type": "drawing"},
 {"file": "big.pdf", "doc": "P-BIG", "type": "drawing"},
 {"file": "text.csv", "doc": "P-TXT", "type": "other"}]
J
ok "import a batch with a 17 MB file" q -C v import m.json
check "  the batch's files come back exact" sh -c '
	q -C v cat P-3 | cmp -s - three-chunks.pdf &&
	q -C v cat P-BIG | cmp -s - big.pdf && q -C v cat P-TXT | cmp -s - text.csv'
check "  the big one was left loose" sh -c '
	b=$(q -C v show P-BIG --json | sed -n "s/.*\"blob\": \"\([0-9a-f]*\)\".*/\1/p")
	test -f "v/objects/$(echo $b | cut -c1-2)/$(echo $b | cut -c3-)"'
check "  text was deflated in the pack" sh -c 'test $(du -k v/objects/pack/*.pack | cut -f1) -lt 3500'
check "git fsck --strict is clean" git -C v fsck --strict

# Swap the stored bytes of S-1 for other bytes under the same object name,
# as a disk fault or a hand edit would: cat must refuse with exit 3.
b=$(q -C v show S-1 --json | sed -n 's/.*"blob": "\([0-9a-f]*\)".*/\1/p')
obj=v/objects/$(echo "$b" | cut -c1-2)/$(echo "$b" | cut -c3-)
other=$(git -C v hash-object -w --stdin < three-chunks.pdf)
chmod u+w "$obj"
cp "v/objects/$(echo "$other" | cut -c1-2)/$(echo "$other" | cut -c3-)" "$obj"
fails 3 "file 'one-chunk.pdf' of 'S-1@A' does not match its recorded SHA-256" \
	"cat of altered bytes exits 3" q -C v cat S-1
fails 3 "does not match its recorded SHA-256" "cat -o of altered bytes exits 3" \
	q -C v cat S-1 -o out.pdf
check "  and writes no output file" test ! -e out.pdf
printf 'garbage' > "$obj"
fails 3 "blob $b is corrupt" "cat of a corrupt object exits 3" q -C v cat S-1

done_testing
