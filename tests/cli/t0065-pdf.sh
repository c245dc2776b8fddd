#!/bin/sh
# PDFs are opened with libqpdf and held to vault.json's pdf policy
# (issue 20): for controlled documents and certificates a PDF that needs
# a password, is damaged past repair, has a /Launch action or embeds an
# executable is refused; JavaScript, embedded files and encryption are
# findings kept with the file in the revision's record, which show
# prints; the same names inside object streams are found; a PDF of
# 10,000 pages and a compression bomb are refused; the PDFs of an FAI
# package are held to the policy too.  Actions in an /AA's /C and behind
# a widget's /Parent are found; pages count as a viewer reaches them; a
# bomb is found whatever /Length says and through every filter stage; an
# embedded executable by any of its names, whole, or its first bytes
# through its filters (ASCIIHex and ASCII85 past a NUL, PNG and TIFF
# predictors); a predictor's rows are counted.
. "$(dirname "$0")/lib.sh"

MKPDF="python3 $TESTS_DIR/../mkpdf.py"
for k in honest js launch exe disguised attach damaged; do $MKPDF "$k" "$k.pdf"; done
$MKPDF pages pages.pdf 10000
$MKPDF lying-pages lying.pdf 10000
$MKPDF bomb bomb.pdf 536870912
for k in page-aa widget-aa; do $MKPDF "$k" "$k.pdf"; done
$MKPDF kids-repeat kids-repeat.pdf 10000
$MKPDF untyped untyped.pdf 10000
$MKPDF arrays arrays.pdf 260000
for k in bomb-length bomb-flate2 bomb-hex bomb-lzw; do $MKPDF "$k" "$k.pdf" 536870912; done
$MKPDF bomb-lzw lzw.pdf 2000000
$MKPDF bomb-many bomb-many.pdf 536870912
$MKPDF bomb-many-cut bomb-many-cut.pdf 536870912
$MKPDF bomb-cut bomb-cut.pdf 1073741824
$MKPDF big-flate big-flate.pdf 6000000
for k in bomb-hex-nul bomb-a85-nul bomb-pred; do $MKPDF "$k" "$k.pdf" 536870912; done
$MKPDF flate-under flate-under.pdf 260046848
$MKPDF pred-rows pred-rows.pdf 20000000
$MKPDF pred-size pred-under.pdf 255255000
$MKPDF pred-size pred-over.pdf 270270000
for k in exe-hex-nul exe-a85-nul exe-png exe-tiff; do $MKPDF "$k" "$k.pdf"; done
for k in odd bomb-dct exe-dos exe-long exe-dot exe-js exe-unix exe-hex exe-a85 embed-dct long-name slow-head; do
	$MKPDF "$k" "$k.pdf"
done
make_pdf minimal.pdf
qpdf --encrypt user owner 256 -- honest.pdf enc.pdf
qpdf --encrypt "" owner 256 -- honest.pdf owner.pdf
for k in js launch exe attach; do qpdf --object-streams=generate "$k.pdf" "os-$k.pdf"; done

new_vault v
V=v
export QVAULT_DIR=v

check "a new vault's vault.json records the pdf policy" sh -c '
	git -C v show main:vault.json | python3 -c "
import json, sys
p = json.load(sys.stdin)[\"pdf\"]
t = p[\"types\"]
assert p[\"max_pages\"] == 5000 and p[\"max_inflate\"] == 268435456
for k in (\"drawing\", \"spec\", \"coc\", \"material-cert\", \"process-cert\", \"inspection-report\"):
    assert [t[k][w] for w in (\"password\", \"damaged\", \"launch\", \"executable\", \"javascript\", \"embedded\")] == \
        [\"refuse\"] * 4 + [\"record\"] * 2, k
assert t[\"other\"][\"password\"] == \"record\" and t[\"other\"][\"launch\"] == \"refuse\""'

ok "an honest PDF is a drawing" q add honest.pdf --doc DWG-OK --type drawing
check "  with no finding" sh -c '! q show DWG-OK@A | grep -q finding && ! q show DWG-OK@A --json | grep -q findings'
ok "make_pdf's minimal PDF (no xref: qpdf repairs it) is a drawing" \
	q add minimal.pdf --doc DWG-MIN --type drawing

# refused: the message names the file and what was found
fails 1 "^qvault: 'enc\.pdf' needs a password to open$" \
	"a PDF that needs a password is refused as a drawing" q add enc.pdf --doc DWG-ENC --type drawing
fails 1 "^qvault: 'enc\.pdf' needs a password to open$" \
	"  and as a certificate of conformance" q add enc.pdf --doc COC-ENC --type coc
fails 1 "^qvault: 'launch\.pdf' has a /Launch action \(object [0-9]+\), which a drawing may not hold$" \
	"a /Launch action is refused in a drawing" q add launch.pdf --doc DWG-L --type drawing
fails 1 "'launch\.pdf' has a /Launch action \(object [0-9]+\), which a material-cert may not hold" \
	"  and in a material certificate" q add launch.pdf --doc MC-L --type material-cert
fails 1 "'launch\.pdf' has a /Launch action \(object [0-9]+\), which an other may not hold" \
	"  and in an other" q add launch.pdf --doc O-L --type other
fails 1 "^qvault: 'exe\.pdf' embeds an executable 'setup\.exe' \(object [0-9]+\), which a spec may not hold$" \
	"an embedded .exe is refused in a spec" q add exe.pdf --doc SPEC-X --type spec
fails 1 "'disguised\.pdf' embeds an executable 'notes\.txt' \(object [0-9]+\), which a coc may not hold" \
	"  and an executable named .txt, by its first bytes" q add disguised.pdf --doc COC-X --type coc
fails 1 "^qvault: 'damaged\.pdf' is damaged past repair \(.*\)$" \
	"a PDF damaged past repair is refused as a drawing" q add damaged.pdf --doc DWG-D --type drawing
fails 1 "^qvault: 'pages\.pdf' has 10000 pages, more than the limit of 5000 \(vault.json pdf max_pages\)$" \
	"a PDF of 10,000 pages is refused" q add pages.pdf --doc DWG-P --type drawing
fails 1 "^qvault: 'lying\.pdf' has more than 5000 pages, the limit" \
	"  and so is one whose page tree says it has 1" q add lying.pdf --doc DWG-P --type drawing
fails 1 "^qvault: 'bomb\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb" \
	"a content stream inflating to 512 MiB is refused" q add bomb.pdf --doc DWG-B --type drawing
# an /AA's /C is an action (a page's close, a field's recalculation), and
# a widget's /Parent (the field) may hold one: both walked
fails 1 "^qvault: 'page-aa\.pdf' has a /Launch action \(object [0-9]+\), which a drawing may not hold$" \
	"a /Launch action as a page's close action (/AA /C) is refused" q add page-aa.pdf --doc DWG-AA --type drawing
fails 1 "^qvault: 'widget-aa\.pdf' has a /Launch action \(object [0-9]+\), which a drawing may not hold$" \
	"  and as the recalculate action of a widget's /Parent field" q add widget-aa.pdf --doc DWG-AA --type drawing
# pages are counted as a viewer reaches them, objects as they are queued
fails 1 "^qvault: 'kids-repeat\.pdf' has more than 5000 pages, the limit \(vault.json pdf max_pages\)$" \
	"a page tree listing one page 10,000 times is 10,000 pages" q add kids-repeat.pdf --doc DWG-P --type drawing
fails 1 "^qvault: 'untyped\.pdf' has more than 5000 pages, the limit \(vault.json pdf max_pages\)$" \
	"  and leaves without /Type /Page are pages" q add untyped.pdf --doc DWG-P --type drawing
fails 1 "^qvault: 'arrays\.pdf' has more than 250000 objects, the limit \(vault.json pdf max_objects\)$" \
	"an array of 260,000 empty arrays is refused as it is queued (2 million: qpdf itself takes 900 MB, t0108)" \
	q add arrays.pdf --doc DWG-AR --type drawing
# every stream with a filter that decodes is decoded as qpdf reads it,
# whatever /Length says, through every stage of its /Filter
for k in bomb-length bomb-flate2 bomb-hex bomb-lzw; do
	fails 1 "^qvault: '$k\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
		"a bomb refused: $k" q add "$k.pdf" --doc DWG-B --type drawing
done
ok "an LZW stream of 2 MB of zeros is no bomb" q add lzw.pdf --doc DWG-LZW --type drawing
# one /FlateDecode is decoded at once into 4 MiB: what does not fit, or
# is cut short, is decoded as it streams; each counts against the budget
fails 1 "^qvault: 'bomb-many\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"135 streams of 4,000,000 zeros each are a bomb together" q add bomb-many.pdf --doc DWG-B --type drawing
fails 1 "^qvault: 'bomb-many-cut\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"the same without their checksums (libdeflate refuses them, zlib counts them)" q add bomb-many-cut.pdf --doc DWG-B --type drawing
fails 1 "^qvault: 'bomb-cut\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"a bomb cut in half (no end, no checksum) is still a bomb" q add bomb-cut.pdf --doc DWG-B --type drawing
ok "a stream inflating to 6 MB, past the 4 MiB decoded at once, is no bomb" \
	q add big-flate.pdf --doc DWG-BIG --type drawing
# ASCIIHex and ASCII85 read as the most lenient reader reads them: NUL
# is white space in PDF (7.2.3), a stray byte or "<~" is passed over;
# only '>' and '~' end them.  A chain counts every stage's output.
fails 1 "^qvault: 'bomb-hex-nul\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"a bomb in [/ASCIIHexDecode /FlateDecode] after a NUL and a stray byte is refused" \
	q add bomb-hex-nul.pdf --doc DWG-B --type drawing
fails 1 "^qvault: 'bomb-a85-nul\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"  and one in [/A85 /FlateDecode] after a NUL and <~, a NUL on every line" \
	q add bomb-a85-nul.pdf --doc DWG-B --type drawing
ok "[/ASCIIHexDecode /FlateDecode] of 248 MiB (its hex 0.5 MB): under the budget, counted whole" \
	q add flate-under.pdf --doc DWG-FU --type drawing
fails 1 "^qvault: 'exe-hex-nul\.pdf' embeds an executable 'notes\.txt' \(object [0-9]+\), which a coc may not hold$" \
	"an embedded program in ASCIIHex, NULs between its digits, is found by its first bytes" \
	q add exe-hex-nul.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-a85-nul\.pdf' embeds an executable 'notes\.txt'" \
	"  and in [/ASCII85Decode /FlateDecode]" q add exe-a85-nul.pdf --doc COC-X --type coc
# a /Predictor: a reader holds a row and pads the last (qpdf puts out a
# whole row of 20 MB for 16 bytes); both counted; decoded when a filter
# follows it or the first bytes of an embedded file are wanted
fails 1 "^qvault: 'pred-rows\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"10 streams of 16 bytes with a PNG predictor's rows of 20 MB are a bomb" \
	q add pred-rows.pdf --doc DWG-B --type drawing
ok "a PNG-predicted stream of 255,255,000 bytes (rows of 1000) is no bomb" \
	q add pred-under.pdf --doc DWG-PU --type drawing
fails 1 "^qvault: 'pred-over\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes" \
	"  one of 270,270,000 is" q add pred-over.pdf --doc DWG-B --type drawing
fails 1 "^qvault: 'bomb-pred\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault.json pdf max_inflate\)$" \
	"a bomb deflated again behind a PNG predictor ([/FlateDecode /FlateDecode]) is refused" \
	q add bomb-pred.pdf --doc DWG-B --type drawing
fails 1 "^qvault: 'exe-png\.pdf' embeds an executable 'notes\.txt' \(object [0-9]+\), which a coc may not hold$" \
	"an embedded program behind a PNG predictor (Sub and Up rows) is found by its first bytes" \
	q add exe-png.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-tiff\.pdf' embeds an executable 'notes\.txt' \(object [0-9]+\), which a coc may not hold$" \
	"  and behind a TIFF predictor" q add exe-tiff.pdf --doc COC-X --type coc
ok "odd parameters (/DecodeParms short, /EF no dictionary) are read without a word from qpdf" \
	sh -c 'q add odd.pdf --doc COC-ODD --type coc 2> odd.err && ! test -s odd.err'
fails 1 "^qvault: 'bomb-dct\.pdf' has a stream \(object [0-9]+\) whose filters cannot be checked for a compression bomb$" \
	"a filter after one qvault cannot run ([/DCTDecode /FlateDecode]) is refused" \
	q add bomb-dct.pdf --doc O-B --type other
# an embedded file: every name, whole; every /EF stream, through its filters
fails 1 "^qvault: 'exe-long\.pdf' embeds an executable 'a{120}\.\.\.' \(object [0-9]+\), which a coc may not hold$" \
	"an embedded file named 130 a's and .exe is refused (the name shown cut)" q add exe-long.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-dot\.pdf' embeds an executable 'run\.bat\. '" \
	"  and one named 'run.bat. ' (Windows drops the dot and space)" q add exe-dot.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-js\.pdf' embeds an executable 'macro\.js'" \
	"  and one named .js" q add exe-js.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-dos\.pdf' embeds an executable 'SETUP\.EXE' \(object [0-9]+\), which a coc may not hold$" \
	"  and a file named .txt whose /DOS name is SETUP.EXE, shown by that name" q add exe-dos.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-unix\.pdf' embeds an executable 'notes\.txt'" \
	"  and a program under /EF /Unix" q add exe-unix.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-hex\.pdf' embeds an executable 'notes\.txt'" \
	"  and a program in /ASCIIHexDecode" q add exe-hex.pdf --doc COC-X --type coc
fails 1 "^qvault: 'exe-a85\.pdf' embeds an executable 'notes\.txt'" \
	"  and a program in [/ASCII85Decode /FlateDecode]" q add exe-a85.pdf --doc COC-X --type coc
fails 1 "^qvault: 'embed-dct\.pdf' embeds a file 'photo\.jpg' \(object [0-9]+\) whose filters cannot be checked, which a coc may not hold$" \
	"  and a file whose filters qvault cannot run" q add embed-dct.pdf --doc COC-X --type coc
fails 1 "^qvault: 'slow-head\.pdf' embeds a file 'notes\.txt' \(object [0-9]+\) whose filters cannot be checked, which a coc may not hold$" \
	"  and a file whose first bytes take over 1 MiB to decode (read for each of its names, they took minutes)" \
	q add slow-head.pdf --doc COC-X --type coc
ok "an embedded file named 119 a's and an e acute is accepted" q add long-name.pdf --doc COC-LN --type coc
check "  recorded, its name cut between characters" sh -c "
	q show COC-LN@A | grep -Eq \"finding: embeds a file 'a{119}\\.\\.\\.' \\(object [0-9]+\\)\""
# a real one: clamav's test PDF carries clam.exe
if [ -f /usr/share/clamav-testfiles/clam.pdf ]; then
	cp /usr/share/clamav-testfiles/clam.pdf clam.pdf
	fails 1 "^qvault: 'clam\.pdf' embeds an executable 'clam\.exe' \(object [0-9]+\), which a coc may not hold$" \
		"clamav-testfiles' clam.pdf (it embeds clam.exe) is refused" q add clam.pdf --doc COC-CLAM --type coc
else
	_skip "clamav-testfiles' clam.pdf: clamav-testfiles not installed (scripts/deps installs it)"
fi
cat > batch.json <<'J'
[{"file": "honest.pdf", "doc": "B-1", "type": "drawing"},
 {"file": "launch.pdf", "doc": "B-2", "type": "drawing"}]
J
fails 1 "^qvault: entry 2: 'launch\.pdf' has a /Launch action" \
	"an import with one such PDF is refused whole" q import batch.json

# inside object streams: compressed, so a byte scan cannot see them
check "object streams hide the names from a byte scan" sh -c '
	! grep -aq "/Launch" os-launch.pdf && ! grep -aq "/JavaScript" os-js.pdf &&
	! grep -aq "setup\.exe" os-exe.pdf && grep -aq "/ObjStm" os-launch.pdf'
fails 1 "^qvault: 'os-launch\.pdf' has a /Launch action \(object [0-9]+\), which a drawing may not hold$" \
	"a /Launch action inside an object stream is refused" q add os-launch.pdf --doc DWG-OL --type drawing
fails 1 "^qvault: 'os-exe\.pdf' embeds an executable 'setup\.exe'" \
	"an embedded .exe inside an object stream is refused" q add os-exe.pdf --doc DWG-OX --type drawing

# recorded: accepted, and show says what was found
ok "a PDF with JavaScript is accepted as a drawing" q add js.pdf --doc DWG-JS --type drawing
check "  show prints the finding" sh -c 'q show DWG-JS@A | grep -Eq "^ +finding: holds JavaScript \(object [0-9]+\)$"'
check "  and --json lists it with the file" sh -c '
	q show DWG-JS@A --json | python3 -c "
import json, sys
f = json.load(sys.stdin)[\"files\"][0]
assert f[\"findings\"][0].startswith(\"holds JavaScript (object \"), f"'
check "  the revision's record keeps it" sh -c '
	git -C v show "main:$(git -C v ls-tree -r --name-only main | grep "/DWG-JS/A/record.json")" |
	grep -q "holds JavaScript"'
ok "JavaScript inside an object stream is found" q add os-js.pdf --doc DWG-OJS --type drawing
check "  and recorded" sh -c 'q show DWG-OJS@A | grep -q "finding: holds JavaScript"'
ok "an embedded text file is accepted in a coc" q add attach.pdf --doc COC-A --type coc
check "  recorded by its name" sh -c "q show COC-A@A | grep -Eq \"finding: embeds a file 'notes\\.txt' \\(object [0-9]+\\)\""
ok "  inside an object stream too" q add os-attach.pdf --doc COC-OA --type coc
check "  recorded the same" sh -c 'q show COC-OA@A | grep -q "finding: embeds a file .notes.txt."'
ok "a PDF encrypted without a user password opens: accepted" q add owner.pdf --doc DWG-OWN --type drawing
check "  recorded as encrypted" sh -c 'q show DWG-OWN@A | grep -q "finding: is encrypted (it opens without a password)"'
ok "an other may need a password: accepted" q add enc.pdf --doc O-ENC --type other
check "  recorded" sh -c 'q show O-ENC@A | grep -q "finding: needs a password to open"'
ok "an other may be damaged past repair: accepted" q add damaged.pdf --doc O-D --type other
check "  recorded" sh -c 'q show O-D@A | grep -q "finding: is damaged past repair"'

# the largest limits vault.json may hold overflow nothing (16 x
# max_objects, the budget's arithmetic): a vault whose policy says so,
# committed with stock git
new_vault big
git -C big show main:vault.json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("max_objects", "max_inflate", "max_pages"):
    d["pdf"][k] = 2 ** 63 - 1
json.dump(d, sys.stdout, indent=2)' > big.json
forge big - "pdf: no limits" vault.json=big.json
ok "with limits of 2^63 - 1 an honest PDF is a drawing" q -C big add honest.pdf --doc DWG-OK --type drawing
ok "  and so are 10,000 pages and an LZW stream" sh -c '
	q -C big add pages.pdf --doc DWG-P --type drawing && q -C big add lzw.pdf --doc DWG-LZW --type drawing'

# the PDFs of an FAI package are held to the policy for "fai-member"
add_supplier sam acme
q release DWG-1 --rev C honest.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
fai_pkg FAIR-1 6.05
cp launch.pdf pkg/ballooned.pdf && q fai pack pkg -o fai.zip --force > /dev/null
fails 1 "^qvault: 'fai\.zip': 'ballooned\.pdf' has a /Launch action \(object [0-9]+\), which an FAI package may not hold$" \
	"an FAI package whose PDF has a /Launch action is refused" q --key sam.pem fai add fai.zip
cp os-js.pdf pkg/ballooned.pdf && q fai pack pkg -o fai.zip --force > /dev/null
ok "an FAI package whose PDF holds JavaScript is accepted" q --key sam.pem fai add fai.zip
check "  the finding is shown with that member" sh -c 'q show FAIR-1 | grep -A2 "file     ballooned.pdf" | grep -q "finding: holds JavaScript"'

# the record is the truth: a rebuilt index shows the same, verify agrees
q show DWG-JS@A > js.before; q show COC-OA@A > oa.before
ok "reindex" q reindex
check "  shows the same findings" sh -c 'q show DWG-JS@A | cmp -s - js.before && q show COC-OA@A | cmp -s - oa.before'
ok "verify passes" q verify

done_testing
