#!/bin/sh
# qvault add, show, cat, list, log, and everything add must refuse.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
make_pdf c.pdf rev-c
make_pdf d.pdf rev-d
make_text coc.csv
printf 'ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((),'"'"'2;1'"'"');\nENDSEC;\n' > part.stp
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\2\0\0\0\220wS\336' > scan.png

ok "add a drawing" q -C v add c.pdf --doc DWG-1001 --type drawing --rev C \
	--title "Bracket, machined" --part PN-77 --part PN-78
check "add prints the recorded SHA-256" \
	sh -c "q -C v show DWG-1001@C | grep -q $(sha256sum < c.pdf | cut -c1-64)"
check "the detected MIME type is recorded" \
	sh -c 'q -C v show DWG-1001@C --json | grep -q "\"mime\": \"application/pdf\""'
check "size, title and parts are recorded" \
	sh -c 'q -C v show DWG-1001@C --json > s.json && grep -q "\"size\": $(wc -c < c.pdf)" s.json &&
	       grep -q "Bracket, machined" s.json && grep -q PN-78 s.json'
check "one commit per add" sh -c 'test "$(git -C v rev-list --count main)" = 3'
check "cat gives the exact bytes" sh -c 'q -C v cat DWG-1001@C | cmp -s - c.pdf'
check "cat -o writes the exact bytes" sh -c 'q -C v cat DWG-1001 -o out.pdf && cmp -s out.pdf c.pdf'
ok "the next revision defaults to the one after the latest" \
	q -C v add d.pdf --doc DWG-1001 --type drawing
check "so C is followed by D" sh -c 'q -C v show DWG-1001 | grep -q "DWG-1001@D"'
check "show lists the whole revision history" \
	sh -c 'test "$(q -C v show DWG-1001 --json | grep -c "\"rev\"")" = 2'
check "cat without a revision gives the latest" sh -c 'q -C v cat DWG-1001 | cmp -s - d.pdf'
ok "a STEP model is a drawing" q -C v add part.stp --doc DWG-2000 --type drawing
check "  detected as model/step" sh -c 'q -C v show DWG-2000@A | grep -q model/step'
ok "a PNG scan is a certificate" q -C v add scan.png --doc COC-1 --type coc --part PN-77
ok "CSV text is a certificate" q -C v add coc.csv --doc MTR-9 --type material-cert

check "list shows every document's latest revision, under a header row" \
	sh -c 'q -C v list > l.txt && test "$(sed 1d l.txt | wc -l)" = 4 && grep -q "^DWG-1001 *D " l.txt &&
	head -n 1 l.txt | grep -q "^DOC  *REV  *TYPE  *STATE  *TITLE$"'
check "list --type filters" sh -c 'test "$(q -C v list --type drawing | sed 1d | wc -l)" = 2'
check "list --part filters" sh -c 'q -C v list --part PN-77 > p.txt && test "$(sed 1d p.txt | wc -l)" = 1 && grep -q COC-1 p.txt'
check "list --json is a list of revisions" sh -c 'q -C v list --json | grep -c "\"doc\"" | grep -qx 4'
check "log is the audit trail, who and what" \
	sh -c 'q -C v log > log.txt && test "$(wc -l < log.txt)" = 7 && grep -q "tester .*add .*DWG-1001@C" log.txt'
check "log DOC shows only that document" sh -c 'test "$(q -C v log DWG-1001 | wc -l)" = 2'
check "log --json names the subjects" sh -c 'q -C v log DWG-2000 --json | grep -q "\"DWG-2000@A\""'

# Same bytes twice, as two documents: one blob.
ok "the same bytes as another document" q -C v add c.pdf --doc SPEC-5 --type spec
check "are stored once" sh -c '
	a=$(q -C v show DWG-1001@C --json | sed -n "s/.*\"blob\": \"\([0-9a-f]*\)\".*/\1/p")
	b=$(q -C v show SPEC-5@A --json | sed -n "s/.*\"blob\": \"\([0-9a-f]*\)\".*/\1/p")
	test -n "$a" && test "$a" = "$b" && test "$(git -C v cat-file -t "$a")" = blob'

# ---- bad input: one line, non-zero exit, vault unchanged ----
fails 1 "file 'missing.pdf' does not exist" "a missing file" \
	q -C v add missing.pdf --doc DWG-1 --type drawing
mkdir adir
fails 1 "'adir' is a folder, not a file" "a directory" q -C v add adir --doc DWG-1 --type drawing
: > empty.pdf
fails 1 "file 'empty.pdf' is empty" "an empty file" q -C v add empty.pdf --doc DWG-1 --type drawing
fails 2 "add: --type 'blueprint' is not one of drawing, spec," "an unknown type (a usage error)" \
	q -C v add c.pdf --doc DWG-1 --type blueprint
cp /bin/true evil.pdf  # an ELF executable (not $QVAULT: under make stress it is a wrapper script)
fails 1 "file 'evil.pdf' is application/x-(pie-)?(executable|sharedlib), which a drawing does not accept" \
	"an executable named .pdf" q -C v add evil.pdf --doc DWG-1 --type drawing
fails 1 "file 'coc.csv' is text/csv, which a drawing does not accept" \
	"text is not a drawing" q -C v add coc.csv --doc DWG-1 --type drawing
fails 1 "file 'c.pdf' is application/pdf, which an fai does not accept" \
	"a PDF is not an FAI package" q -C v add c.pdf --doc FAI-1 --type fai
# a '/', a space, '..' are kept as given (t0100); what is refused:
fails 1 "document number ' DWG-1' begins or ends with a space" "a document number with a leading space" \
	q -C v add c.pdf --doc " DWG-1" --type drawing
fails 1 "document number 'DWG-1 ' begins or ends with a space" "a document number with a trailing space" \
	q -C v add c.pdf --doc "DWG-1 " --type drawing
fails 1 "document number 'DWG\\\\xe2\\\\x80\\\\x8b1' contains U\+200B, an invisible" \
	"a document number with a zero-width space" \
	q -C v add c.pdf --doc "$(printf 'DWG\342\200\2131')" --type drawing
fails 1 "document number 'DWG\\\\x01' contains a control character" \
	"a document number with a control character" \
	q -C v add c.pdf --doc "$(printf 'DWG\001')" --type drawing
long=$(printf '%0129d' 0)
fails 1 "document number '0+\.\.\.' is longer than 128 bytes" "a document number over 128 bytes" \
	q -C v add c.pdf --doc "$long" --type drawing
ok "a document number of exactly 128 bytes is fine" \
	q -C v add c.pdf --doc "$(printf '%0128d' 0)" --type drawing
fails 1 "revision 'A\\\\xffB' is not valid UTF-8" "a revision that is not UTF-8" \
	q -C v add c.pdf --doc DWG-1 --type drawing --rev "$(printf 'A\377B')"
fails 1 "revision 'A\\\\xe2\\\\x80\\\\xaeB' contains U\+202E, an invisible or bidirectional" \
	"a revision with a right-to-left override" \
	q -C v add c.pdf --doc DWG-1 --type drawing --rev "$(printf 'A\342\200\256B')"
fails 1 "revision 'A\\\\x0aB' contains a control character" "a revision with a newline" \
	q -C v add c.pdf --doc DWG-1 --type drawing --rev "$(printf 'A\nB')"
fails 1 "revision '0+\.\.\.' is longer than 128 bytes" "a revision over 128 bytes" \
	q -C v add c.pdf --doc DWG-1 --type drawing --rev "$long"
fails 1 "part number 'P N ' begins or ends with a space" "a part number with a trailing space" \
	q -C v add c.pdf --doc DWG-1 --type drawing --part "P N "
fails 1 "title is not UTF-8 text" "a title with a control character" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf 'a\033[2Jb')"
fails 1 "title is not UTF-8 text" "a title that is not UTF-8" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf 'caf\351')"
fails 1 "file name '\.hidden' starts with '\.'" "a stored name starting with ." \
	q -C v add c.pdf --doc DWG-1 --type drawing --name .hidden
fails 1 "title contains U\+202E, an invisible or bidirectional formatting character" \
	"a title with a right-to-left override" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf 'Bracket \342\200\256A-VER')"
fails 1 "title contains U\+200B, an invisible" "a title with a zero-width space" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf 'Rev\342\200\213C')"
fails 1 "title contains U\+2066, an invisible" "a title with a bidirectional isolate" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf '\342\201\246x')"
fails 1 "title contains U\+FEFF, an invisible" "a title with a byte order mark" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf '\357\273\277x')"
fails 1 "title contains U\+2028, an invisible" "a title with a line separator" \
	q -C v add c.pdf --doc DWG-1 --type drawing --title "$(printf 'a\342\200\250b')"
cp coc.csv "$(printf 'report\342\200\256fdp.txt')"
fails 1 "file name 'report\\\\xe2\\\\x80\\\\xaefdp.txt' contains U\+202E, an invisible or bidirectional formatting character" \
	"a file named report<U+202E>fdp.txt (shown as reporttxt.pdf)" \
	q -C v add "$(printf 'report\342\200\256fdp.txt')" --doc COC-RLO --type coc
fails 1 "file name 'a\\\\xe2\\\\x80\\\\x8fb.pdf' contains U\+200F" "a stored name with a right-to-left mark" \
	q -C v add c.pdf --doc DWG-1 --type drawing --name "$(printf 'a\342\200\217b.pdf')"
fails 1 "document 'DWG-1001' already has revision 'C'" "a revision that exists" \
	q -C v add c.pdf --doc DWG-1001 --type drawing --rev C
fails 1 "document 'DWG-1001' is a drawing, not a coc" "another type for the same document" \
	q -C v add coc.csv --doc DWG-1001 --type coc
fails 2 "--doc is required" "no document number" q -C v add c.pdf --type drawing

fails 1 "no document 'DWG-404'" "show of an unknown document" q -C v show DWG-404
fails 1 "document 'DWG-1001' has no revision 'Z'" "show of an unknown revision" q -C v show DWG-1001@Z
fails 1 "no document 'DWG-404'" "cat of an unknown document" q -C v cat DWG-404
fails 1 "document 'DWG-1001' has no revision 'Z'" "cat of an unknown revision" q -C v cat DWG-1001@Z
fails 1 "document number 'a\\\\x01b' contains a control character" "show of a malformed number" \
	q -C v show "$(printf 'a\001b@C')"
fails 2 "list: --type 'nope' is not one of drawing, spec," "list of an unknown type (a usage error)" q -C v list --type nope

check "git fsck --strict is clean after all of it" git -C v fsck --strict
done_testing
