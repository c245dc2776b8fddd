#!/bin/sh
# FAI packages: fai pack, fai add, fai show; the manifest's checks; and
# hostile archives, each refused for its real reason with the vault unchanged.
. "$(dirname "$0")/lib.sh"
: "${MKZIP:?set MKZIP to the mkzip test tool}"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --made 2099-01-02 --shipped 2099-01-03 > /dev/null

# a package folder: the manifest, Form 3 as CSV, a mill certificate, a ballooned drawing
mkdir -p pkg/certs
make_pdf pkg/certs/mtr-H77.pdf "mill cert H77"
make_pdf pkg/ballooned.pdf "ballooned DWG-1 C"
form1() { # FAIR TYPE [EXTRA]
	printf '"form1": {"part_number": "PN-1", "part_name": "Bracket", "serial_number": "SN-001",
	 "fair_number": "%s", "part_revision": "C", "drawing_number": "DWG-1", "drawing_revision": "C",
	 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1",
	 "detail_or_assembly": "detail", "fai_type": "%s", %s "complete": true,
	 "signed_by": "Sam Supplier", "signed_date": "2026-11-20"}' "$1" "$2" "${3:-}"
}
manifest() { # DIR FAIR TYPE [EXTRA]
	{ printf '{"format": 1, '; form1 "$2" "$3" "${4:-}"
	  printf ', "form2": [{"material_or_process": "6061-T6 bar", "specification": "AMS 4027",
	   "certificate_number": "MTR-77", "certificate_file": "certs/mtr-H77.pdf", "customer_approval": "n/a"}],
	 "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n'; } > "$1/fai.json"
}
manifest pkg FAIR-PN-1-001 full
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,key,6.0 \302\2610.1,6.05,,,\n2,B2,,\303\2306.2 H7,conforms,,,\n3,C3,critical,10.0 +0.2/-0.0,10.1 mm,,,\n' > pkg/form3.csv

ok "fai pack builds a package from a folder" q fai pack pkg -o p1.zip
check "  the same folder gives the same bytes" sh -c 'q fai pack pkg -o p2.zip > /dev/null && cmp -s p1.zip p2.zip'
check "  and stock unzip reads it" sh -c 'unzip -tq p1.zip > /dev/null'
check "a shipped part without an FAI is an audit gap" sh -c 'q audit > a.txt; grep -q "^no-fai .*part PN-1" a.txt'
ok "the supplier records the FAI" q --key sam.pem fai add p1.zip --lot L-1
check "  as FAIR-PN-1-001@A of type fai with every member" sh -c '
	q show FAIR-PN-1-001 --json > s.json && grep -q "\"type\": \"fai\"" s.json &&
	grep -q "certs/mtr-H77.pdf" s.json && grep -q "form3.csv" s.json && grep -q "ballooned.pdf" s.json'
check "  a member reads back byte for byte" sh -c 'q cat FAIR-PN-1-001 --file certs/mtr-H77.pdf | cmp -s - pkg/certs/mtr-H77.pdf'
check "  the package's structure is recorded beside it" sh -c '
	git -C v ls-tree -r --name-only main | grep -q "FAIR-PN-1-001/A/package.json"'
check "fai show prints the three forms, each characteristic checked" sh -c '
	q fai show FAIR-PN-1-001 > f.txt && grep -q "Form 1" f.txt && grep -q "Form 2" f.txt &&
	grep -q "Form 3" f.txt && grep -q "^  1 .* ok" f.txt && grep -q "^  2 .*(by inspection)" f.txt &&
	grep -q "^  3 .* ok" f.txt'
check "fai show --json" sh -c 'q fai show FAIR-PN-1-001 --json | grep -q "\"conforms\": true"'
check "the FAI closes the audit's no-fai gap" sh -c 'q audit > b.txt; [ $? = 3 ] && ! grep -q "^no-fai" b.txt'
check "trace lot and trace po list it" sh -c '
	q trace lot L-1 > tl.txt && q trace po PO-1 > tp.txt &&
	grep -q "FAIR-PN-1-001@A (fai) attached to lot L-1" tl.txt && grep -q "FAIR-PN-1-001@A" tp.txt'

# a second, partial FAI with an out-of-tolerance result under a nonconformance
mkdir -p pkg2/certs
cp pkg/certs/mtr-H77.pdf pkg2/certs/
cp pkg/ballooned.pdf pkg2/
manifest pkg2 FAIR-PN-1-002 partial '"baseline_fair": "FAIR-PN-1-001", "reason": "process change",'
printf 'number,location,designator,requirement,result,tooling,nonconformance\n1,A1,key,6.0 +/-0.1,6.25,,NCR-7\n' > pkg2/form3.csv
q fai pack pkg2 -o p3.zip > /dev/null
ok "a partial FAI with a nonconforming result under NCR-7" q --key sam.pem fai add p3.zip
check "  shows the result out of tolerance" sh -c 'q fai show FAIR-PN-1-002 | grep -q "OUT OF TOLERANCE, NC NCR-7"'
check "  and --json counts it nonconforming" sh -c '
	q fai show FAIR-PN-1-002 --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"nonconforming\"] == 1, d[\"nonconforming\"]"'
check "  the first FAI, all within tolerance, counts none" sh -c '
	q fai show FAIR-PN-1-001 --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"nonconforming\"] == 0, d[\"nonconforming\"]"'
check "  and a certificate in two packages is stored once" sh -c '
	[ "$(git -C v ls-tree -r main | grep "certs/mtr-H77.pdf" | awk "{print \$3}" | sort -u | wc -l)" = 1 ]'
# a new drawing revision needs its own FAI: the one for C does not cover D
make_pdf d.pdf "drawing rev D"
q release DWG-1 --rev D d.pdf --to acme > /dev/null
q po add PO-3 --supplier acme --line PN-1:5:DWG-1@D > /dev/null
q --key sam.pem lot add L-3 --po PO-3 --part PN-1 --qty 5 --made 2099-02-01 --shipped 2099-02-02 > /dev/null
check "an FAI covers its drawing revision only: PN-1 shipped at D has none" sh -c '
	q audit > c.txt; [ $? = 3 ] && grep -q "^no-fai .*part PN-1 revision DWG-1@D" c.txt && ! grep -q "^no-fai .*DWG-1@C" c.txt'
check "verify passes" sh -c 'q verify > /dev/null'
check "reindex gives the same FAI" sh -c '
	q fai show FAIR-PN-1-001 --json > x.json && q reindex > /dev/null &&
	q fai show FAIR-PN-1-001 --json | cmp -s - x.json'

# ---- the manifest's refusals ---------------------------------------------
bad() { # NAME: copy pkg to NAME for editing
	rm -rf "$1"; cp -r pkg "$1"
}
bad m1; sed -i 's/6.05/6.25/' m1/form3.csv
fails 1 "characteristic 1: result 6.25 is outside 6.0 ±0.1 \(5.9 to 6.1\) and names no nonconformance" \
	"fai pack refuses an out-of-tolerance result without a nonconformance" q fai pack m1 -o m1.zip
# the same package from another tool: fai add refuses it too
(cd m1 && "$MKZIP" ../m1.zip -n fai.json -f fai.json -n form3.csv -f form3.csv \
	-n certs/mtr-H77.pdf -f certs/mtr-H77.pdf -n ballooned.pdf -f ballooned.pdf)
fails 1 "characteristic 1: result 6.25 is outside 6.0 ±0.1 \(5.9 to 6.1\) and names no nonconformance" \
	"fai add refuses it" q --key sam.pem fai add m1.zip
bad m2; printf 'number,location,designator,requirement,result\n1,A1,,6.0 +/-0.1,\n' > m2/form3.csv
fails 1 "characteristic 1 \(6.0 \+/-0.1\) has no result" "a characteristic without a result" \
	q fai pack m2 -o m2.zip
bad m3; sed -i 's/"drawing_revision": "C"/"drawing_revision": "Q"/' m3/fai.json; q fai pack m3 -o m3.zip > /dev/null
fails 1 "drawing 'DWG-1@Q' is not in the vault" "a drawing revision the vault does not have" \
	q --key sam.pem fai add m3.zip
make_pdf z.pdf "a drawing for acme only"
q release DWG-3 --rev A z.pdf --to acme > /dev/null
bad m3b; sed -i 's/"drawing_number": "DWG-1", "drawing_revision": "C"/"drawing_number": "DWG-3", "drawing_revision": "A"/; s/"organization": "acme"/"organization": "zenith"/' m3b/fai.json
q fai pack m3b -o m3b.zip > /dev/null
fails 1 "drawing 'DWG-3@A' is not in the vault" "a drawing revision the submitter was not given" \
	q --key zed.pem fai add m3b.zip
bad m4; manifest m4 FAIR-X partial; q fai pack m4 -o m4.zip 2>/dev/null
fails 1 "a partial FAI names its 'baseline_fair' and its 'reason'" "a partial FAI without a baseline" \
	q fai pack m4 -o m4.zip
bad m5; rm m5/ballooned.pdf
fails 1 "fai.json names 'ballooned.pdf', which the package does not hold" "a named file missing" \
	q fai pack m5 -o m5.zip
bad m6; make_pdf m6/extra.pdf
fails 1 "the package holds 'extra.pdf', which fai.json does not name" "a file fai.json does not name" \
	q fai pack m6 -o m6.zip
bad m7; cp /bin/true m7/ballooned.pdf; q fai pack m7 -o m7.zip > /dev/null
fails 1 "entry 'ballooned.pdf' is application/.*, which an FAI package may not hold" \
	"an executable renamed to .pdf" q --key sam.pem fai add m7.zip
fails 1 "user 'zed' of 'zenith' may not submit an FAI for 'acme'" "another organization's FAI" \
	q --key zed.pem fai add p1.zip
bad m8; sed -i 's/"part_name"/"part_nmae"/' m8/fai.json
fails 1 "fai.json: form1: .*part_name" "a misspelt Form 1 field" q fai pack m8 -o m8.zip
bad m9; sed -i 's/"po_number": "PO-1"/"po_number": "PO-404"/' m9/fai.json; q fai pack m9 -o m9.zip > /dev/null
fails 1 "no PO 'PO-404'" "Form 1 names an unknown PO" q --key sam.pem fai add m9.zip
fails 1 "no lot 'L-404'" "--lot names an unknown lot" q --key sam.pem fai add p1.zip --lot L-404
bad m10; "$MKZIP" m10/inner.zip -n a.txt -t hello
sed -i 's/"attachments": \["ballooned.pdf"\]/"attachments": ["ballooned.pdf", "inner.zip"]/' m10/fai.json
q fai pack m10 -o m10.zip > /dev/null
fails 1 "entry 'inner.zip' is itself an archive \(application/zip\): packages are not nested" \
	"a nested zip" q --key sam.pem fai add m10.zip
"$MKZIP" nofai.zip -n a.pdf -f c.pdf
fails 1 "the package has no fai.json" "a package without fai.json" q --key sam.pem fai add nofai.zip
fails 1 "the folder has no fai.json" "fai pack of a folder without fai.json" q fai pack pkg/certs -o x.zip
bad m11; ln -s ../c.pdf m11/link.pdf
fails 1 "'link.pdf' is not a regular file" "fai pack of a folder with a symlink" q fai pack m11 -o x.zip

# ---- hostile archives: the structure is refused before the manifest is read
hostile() { # EXPECTED DESCRIPTION MKZIP-ARGS...
	exp=$1 desc=$2; shift 2
	"$MKZIP" h.zip "$@" || { _fail "$desc" "mkzip failed"; return; }
	fails 1 "$exp" "$desc" q --key sam.pem fai add h.zip
}
hostile "entry '../../x.pdf' escapes the package" "zip slip: ../" -n fai.json -t '{}' -n ../../x.pdf -t x
hostile "entry '/etc/x.pdf' escapes the package \(an absolute path\)" "zip slip: an absolute path" \
	-n fai.json -t '{}' -n /etc/x.pdf -t x
hostile "entry 'C:/x.pdf' escapes the package \(an absolute path\)" "zip slip: a drive letter" \
	-n fai.json -t '{}' -n 'C:/x.pdf' -t x
hostile "entry '\.\..\.\..x\.pdf' escapes the package" "zip slip: backslashes" \
	-n fai.json -t '{}' -n '..\x5c..\x5cx.pdf' -t x
hostile "entry 'certs.x\.pdf' has a backslash in its name" "a backslash in a name" \
	-n fai.json -t '{}' -n 'certs\x5cx.pdf' -t x
hostile "entry 'link.pdf' is a symbolic link" "a symlink entry" -n fai.json -t '{}' -n link.pdf -t /etc/passwd -l
hostile "entry 'fai.json' appears twice" "a duplicate name" -n fai.json -t '{}' -n fai.json -t '{}'
hostile "entries 'A.pdf' and 'a.pdf' differ only by case or Unicode normalization" \
	"names differing by case" -n fai.json -t '{}' -n A.pdf -t x -n a.pdf -t y
hostile "differ only by case or Unicode normalization" "names differing by Unicode normalization" \
	-n fai.json -t '{}' -n 'caf\xc3\xa9.pdf' -t x -n 'cafe\xcc\x81.pdf' -t y
hostile "entry 'a.pdf' is encrypted" "an encrypted entry" -n fai.json -t '{}' -n a.pdf -t x -e
hostile "entry 'a.pdf' uses compression method 12; a package uses stored or deflate" \
	"an unsupported compression method" -n fai.json -t '{}' -n a.pdf -t x -m 12
hostile "the package has 10001 entries, over the limit of 10000" "too many entries" -n fai.json -t '{}' -N 10000
hostile "entry 'big.pdf' unpacks to 2147483648 bytes, over the limit of 1073741824 per member" \
	"a member over the size limit" -n fai.json -t '{}' -n big.pdf -t xxxx -d -s 2147483648
hostile "entry 'bomb.pdf' unpacks to 8589934592 bytes" "a bomb declaring 8 GB (zip64)" \
	-n fai.json -t '{}' -n bomb.pdf -z 1000 -s 8589934592
head -c 11000000 /dev/urandom > r.bin
hostile "the package unpacks to more than 4294967296 bytes, the limit" "a total over the limit" \
	-n a.pdf -f r.bin -m 8 -s 1073741824 -n b.pdf -f r.bin -m 8 -s 1073741824 \
	-n c.pdf -f r.bin -m 8 -s 1073741824 -n d.pdf -f r.bin -m 8 -s 1073741824 \
	-n e.pdf -f r.bin -m 8 -s 1073741824
rm -f r.bin
hostile "entry 'zeros.pdf' inflates .* over the limit of 100x \(a zip bomb\)" "a compression ratio over the limit" \
	-n fai.json -t '{}' -n zeros.pdf -z 4000000
hostile "entries 'a.pdf' and 'b.pdf' overlap in the archive \(a zip bomb\)" "overlapping entries" \
	-O -n a.pdf -t x -n b.pdf -t hello
hostile "the central directory is corrupt at entry 2" "a corrupt central directory" -C -n fai.json -t '{}' -n a.pdf -t x
hostile "100 bytes of trailing garbage follow the end of the archive" "trailing garbage" -T 100 -n fai.json -t '{}'
hostile "the central directory is corrupt: it does not end where the end record is" "data before the archive" \
	-P 64 -n fai.json -t '{}'
hostile "entry 'a\.pdf\?\.\./\.\./x' has a NUL byte in its name" "a NUL in a name" -n fai.json -t '{}' -n 'a.pdf\x00../../x' -t x
fails 1 "not a zip archive: no end of central directory record" "a PDF is not a package" q --key sam.pem fai add c.pdf
: > empty.zip
fails 1 "not a zip archive: 0 bytes" "an empty file" q --key sam.pem fai add empty.zip
check "nothing was written outside the vault" sh -c '[ ! -e x.pdf ] && [ ! -e ../x.pdf ] && [ ! -e /etc/x.pdf ]'

# ---- fai init: a starting folder, what the vault knows filled in
before=$(snapshot)
check "fai init: fai.json and form3.csv for the part, the drawing revision, the PO" \
	evalq "q --key sam.pem fai init start --part PN-1 --drawing DWG-1@C --po PO-1 > out.txt &&
	       grep -qx 'wrote start/fai.json and start/form3.csv: fill them in, then qvault fai pack start' out.txt &&
	       jq -e '.format == 1 and .form1.part_number == \"PN-1\" and .form1.drawing_number == \"DWG-1\" and
	              .form1.drawing_revision == \"C\" and .form1.organization == \"acme\" and
	              .form1.po_number == \"PO-1\" and .form1.fair_number == \"\" and .form2 == [] and
	              .form3_csv == \"form3.csv\"' start/fai.json > /dev/null &&
	       [ \"\$(cat start/form3.csv)\" = 'number,location,designator,requirement,result,tooling,nonconformance,comments' ]"
check "  writing nothing into the vault" test "$before" = "$(snapshot)"
fails 1 "fai.json: form1: 'fair_number' is empty" "  fai pack refuses it until it is filled" \
	q fai pack start -o start.zip
jq '.form1.fair_number = "FAIR-9" | .form1.part_name = "Bracket" | .form1.signed_by = "Sam" |
    .form1.signed_date = "2026-11-30" | .form1.complete = true' start/fai.json > f.json && mv f.json start/fai.json
printf '1,A1,key,6.0 +/-0.1,6.02,,,\n' >> start/form3.csv
check "  filled in, it packs and is recorded" \
	evalq "q fai pack start -o start.zip > /dev/null && q --key sam.pem fai add start.zip > out.txt &&
	       grep -q '^recorded FAI FAIR-9@A of part PN-1' out.txt"
fails 1 "'start' already exists|cannot make 'start'" "fai init into a folder that exists" \
	q --key sam.pem fai init start --part PN-1 --drawing DWG-1@C
q release DWG-Z --rev A c.pdf --to zenith > /dev/null
fails 1 "no document 'DWG-Z'" "fai init for a drawing not released to the supplier: as none" \
	q --key sam.pem fai init other --part PN-1 --drawing DWG-Z@A
fails 2 "--part and --drawing DWG@REV are required" "fai init without the drawing" \
	q --key sam.pem fai init other --part PN-1
check "  and no folder was made" test ! -e other

done_testing
