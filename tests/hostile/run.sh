#!/bin/sh
# The known attack classes, end to end through the command line, in one
# table: case, expected, got.  TAP lines as it goes; the table at the end
# (as TAP comments, and in hostile-table.txt beside the vault).
. "$(dirname "$0")/../cli/lib.sh"
: "${MKZIP:?set MKZIP to the mkzip test tool}"

TABLE=$TMP/table.txt
: > "$TABLE"
row() { # CASE EXPECTED GOT PASSED (1, 0, or skip)
	printf '%-46s | %-30s | %s\n' "$1" "$2" "$3" >> "$TABLE"
	case $4 in
	1) _pass "$1: $3" ;;
	skip) _skip "$1: $3" ;;
	*) _fail "$1: expected $2, got $3" ;;
	esac
}
# refused CASE PATTERN CMD...: exit 1 with one line on stderr, matching
# PATTERN (grep -E): the reason this case must be refused for, not any
# other; the vault unchanged
refused() {
	name=$1 pattern=$2; shift 2
	before=$(snapshot)
	"$@" > "$TMP/.out" 2> "$TMP/.err"
	rc=$?
	lines=$(grep -vc 'AddressSanitizer\|^$' "$TMP/.err")
	got="exit $rc: $(head -c 90 "$TMP/.err" | tr -d '\n' | sed 's/^qvault: //')"
	if [ $rc -ne 1 ]; then
		row "$name" "refused, vault unchanged" "$got" 0
	elif [ "$lines" -ne 1 ]; then
		row "$name" "refused, vault unchanged" "$got (lines $lines)" 0
	elif ! grep -Eq -- "$pattern" "$TMP/.err"; then
		row "$name" "refused, vault unchanged" "$got (not matching '$pattern')" 0
	elif [ "$before" != "$(snapshot)" ]; then
		row "$name" "refused, vault unchanged" "$got (the vault changed)" 0
	else
		row "$name" "refused, vault unchanged" "$got" 1
	fi
}

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
# keys made by ssh-keygen, for forging commits around qvault
for k in sid rex mallory; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key admin.pem user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key admin.pem user add rex --org acme --role supplier --pubkey rex.pub > /dev/null
make_pdf c.pdf "rev C"
make_pdf d.pdf "rev D"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q release DWG-1 --rev D d.pdf --to acme > /dev/null
q release DWG-2 --rev A c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@D > /dev/null
q --key sam.pem ack DWG-1@D > /dev/null
# an honest package to build hostile ones from
mkdir -p pkg
make_pdf pkg/ballooned.pdf
printf '{"format": 1, "form1": {"part_number": "PN-1", "part_name": "P", "fair_number": "FAIR-1",
 "part_revision": "D", "drawing_number": "DWG-1", "drawing_revision": "D", "organization": "acme",
 "detail_or_assembly": "detail", "fai_type": "full", "complete": true, "signed_by": "S",
 "signed_date": "2026-11-20"}, "form3": [{"number": 1, "requirement": "6 +/-0.1", "result": "6"}],
 "attachments": ["ballooned.pdf"]}\n' > pkg/fai.json

# ---- archives
# Each hostile archive is the honest package (its manifest and attachment,
# which fai add accepts: the control row) plus one hostile entry, so that
# it is refused for that entry and for nothing else.
h() { "$MKZIP" h.zip "$@"; }
honest="-n fai.json -f pkg/fai.json -n ballooned.pdf -f pkg/ballooned.pdf"
h $honest; rm -rf ctl; cp -a v ctl
q -C ctl --key sam.pem fai add h.zip > /dev/null 2> ctl.err && s=1 || s=0
row "control: the honest package, written by mkzip" "accepted" "$([ $s = 1 ] && echo accepted || echo "refused: $(head -c 70 ctl.err)")" $s
rm -rf ctl
fai_add() { q --key sam.pem fai add h.zip; }
h $honest -n ../../x.pdf -t x
refused "zip slip: ../" "entry '\.\./\.\./x\.pdf' escapes the package\$" fai_add
h $honest -n /etc/cron.d/x -t x
refused "zip slip: absolute path" "entry '/etc/cron\.d/x' escapes the package \(an absolute path\)" fai_add
h $honest -n 'C:/Windows/x.pdf' -t x
refused "zip slip: drive letter" "entry 'C:/Windows/x\.pdf' escapes the package \(an absolute path\)" fai_add
h $honest -n '..\x5c..\x5cx.pdf' -t x
refused "zip slip: backslashes" "entry '\.\.\\\\\.\.\\\\x\.pdf' escapes the package\$" fai_add
h $honest -n l.pdf -t /etc/passwd -l
refused "symlink entry" "entry 'l\.pdf' is a symbolic link" fai_add
h $honest -n z.pdf -z 4000000
refused "zip bomb: plain (ratio)" "entry 'z\.pdf' inflates [0-9]+ bytes to 4000000, over the limit of [0-9]+x \(a zip bomb\)" fai_add
h -O -n a.pdf -t x -n b.pdf -t y $honest
refused "zip bomb: overlapping entries" "entries '(a|b)\.pdf' and '(a|b)\.pdf' overlap in the archive \(a zip bomb\)" fai_add
h $honest -n z.pdf -z 1000 -s 8589934592
refused "zip bomb: declares 8 GB (zip64)" "entry 'z\.pdf' unpacks to 8589934592 bytes, over the limit" fai_add
h $honest -n fai.json -f pkg/fai.json
refused "duplicate names" "entry 'fai\.json' appears twice" fai_add
h $honest -n A.pdf -t x -n a.pdf -t y
refused "names differing by case" "entries '(A|a)\.pdf' and '(A|a)\.pdf' differ only by case or Unicode normalization" fai_add
h $honest -n 'caf\xc3\xa9.pdf' -t x -n 'cafe\xcc\x81.pdf' -t y
refused "names differing by Unicode normalization" "entries 'caf.+\.pdf' and 'caf.+\.pdf' differ only by case or Unicode normalization" fai_add
h $honest -n 'a.pdf\x00.exe' -t x
refused "a NUL in an entry name" "entry 'a\.pdf\?\.exe' has a NUL byte in its name" fai_add
if [ -d "${QVAULT_CORPUS:-}/zip" ]; then
	acc=0 ref=0 bad=0
	for z in "$QVAULT_CORPUS"/zip/*/*.zip; do
		q --key sam.pem fai add "$z" > /dev/null 2> e.txt; rc=$?
		case $rc in 0) acc=$((acc + 1)) ;; 1) [ "$(grep -c . e.txt)" = 1 ] && ref=$((ref + 1)) || bad=$((bad + 1)) ;; *) bad=$((bad + 1)) ;; esac
	done
	row "zip corpus (libzip regressions, zip-slip)" "each accepted or refused" "$acc accepted, $ref refused, $bad crashed or unclear" $([ $bad = 0 ] && echo 1 || echo 0)
else
	row "zip corpus (libzip regressions, zip-slip)" "each accepted or refused" "no corpus at ${QVAULT_CORPUS:-\$QVAULT_CORPUS}/zip" skip
fi

# ---- uploads
cp /bin/true true.pdf
refused "an executable renamed to .pdf" "file 'true\.pdf' is application/x-[a-z-]+, which a drawing does not accept" q add true.pdf --doc DWG-X --type drawing
"$MKZIP" z.zip -n evil.exe -t MZ && cat c.pdf z.zip > poly.pdf
q add poly.pdf --doc DWG-P --type drawing > /dev/null 2>&1 && q cat DWG-P | cmp -s - poly.pdf && s=1 || s=0
row "a PDF/ZIP polyglot as a drawing" "stored as the PDF it is, bytes kept" "$([ $s = 1 ] && echo 'stored, bytes identical' || echo refused)" $s
cp poly.pdf poly2.zip
refused "a PDF/ZIP polyglot as an FAI package" "'poly2\.zip': the central directory is corrupt: it does not end where the end record is" q --key sam.pem fai add poly2.zip
if [ -d /usr/share/clamav-testfiles ]; then
	stored=0 refusedn=0 wrong=0 k=0
	for f in /usr/share/clamav-testfiles/*; do
		k=$((k + 1))
		if q --key sam.pem add "$f" --doc "CLAM-$k" --type coc > /dev/null 2> e.txt; then
			mime=$(q show "CLAM-$k" --json | sed -n 's/.*"mime": "\([^"]*\)".*/\1/p' | head -1)
			case $mime in application/pdf|image/png|image/jpeg|image/tiff|text/plain|text/csv) stored=$((stored + 1)) ;;
			*) wrong=$((wrong + 1)) ;; esac
		else
			[ "$(grep -c . e.txt)" = 1 ] && refusedn=$((refusedn + 1)) || wrong=$((wrong + 1))
		fi
	done
	row "clamav-testfiles ($k samples) as CoC uploads" "refused unless an allowed type" "$refusedn refused, $stored stored as allowed types, $wrong otherwise" $([ $wrong = 0 ] && echo 1 || echo 0)
else
	row "clamav-testfiles as uploads" "refused unless an allowed type" "clamav-testfiles not installed" 0
fi

# ---- metadata
schema=$(sqlite3 v/qvault/index.db .schema | sha256sum)
# An identifier is any UTF-8 text without control, bidirectional or
# zero-width characters (issue 22): SQL in one is a name like any other,
# kept exactly as given, and the index's schema is untouched.
literal() { # CASE NAME WRITE-CMD READ-CMD: written, read back holding NAME, schema intact
	name=$1 id=$2 w=$3 r=$4
	if sh -c "$w" > "$TMP/.out" 2> "$TMP/.err" && sh -c "$r" 2> /dev/null | grep -qF -- "$id" &&
		[ "$schema" = "$(sqlite3 v/qvault/index.db .schema | sha256sum)" ] &&
		[ "$(sqlite3 v/qvault/index.db "select count(*) from sqlite_master where name in ('revisions','lots','pos')")" = 3 ]
	then row "$name" "stored literally, schema intact" "stored literally, schema intact" 1
	else row "$name" "stored literally, schema intact" "exit $?: $(head -c 80 "$TMP/.err" | tr -d '\n')" 0
	fi
}
export QVAULT
literal "SQL in a document number" "D'; DROP TABLE revisions;--" \
	"\"\$QVAULT\" add c.pdf --doc \"D'; DROP TABLE revisions;--\" --type drawing" \
	"\"\$QVAULT\" list --json"
literal "SQL in a part number" "P' OR 1=1--" \
	"\"\$QVAULT\" add c.pdf --doc D-SQL --type drawing --part \"P' OR 1=1--\"" \
	"\"\$QVAULT\" show D-SQL --json"
literal "SQL in a PO number" "PO'--" \
	"\"\$QVAULT\" po add \"PO'--\" --supplier acme --line PN-1:1:DWG-1@D" \
	"\"\$QVAULT\" po list --json"
literal "SQL in a lot import field" "L1;DROP TABLE lots" \
	"printf 'lot,po,part,qty,made,shipped,from\\nL1;DROP TABLE lots,PO-1,PN-1,1,,,\\n' > s.csv && \"\$QVAULT\" --key sam.pem lot import s.csv" \
	"\"\$QVAULT\" trace lot 'L1;DROP TABLE lots' --json"
refused "a control character in a document number" "document number .* control character" q add c.pdf --doc "$(printf 'D\033[2J')" --type drawing
refused "a right-to-left override in a lot number" "U\+202E" sh -c "printf 'lot,po,part,qty,made,shipped,from\\nL\342\200\256X,PO-1,PN-1,1,,,\\n' > r.csv && \"\$QVAULT\" --key sam.pem lot import r.csv"
q add c.pdf --doc D-TITLE --type drawing --title "x'); DROP TABLE revisions; --" > /dev/null &&
	q show D-TITLE | grep -qF "x'); DROP TABLE revisions; --" && s=1 || s=0
[ "$schema" = "$(sqlite3 v/qvault/index.db .schema | sha256sum)" ] || s=0
row "SQL in a title (free text)" "stored literally, schema intact" "$([ $s = 1 ] && echo 'stored literally, schema intact' || echo 'changed')" $s
printf '[{"file": "c.pdf", "doc": "D-BIG", "type": "drawing", "title": "%s"}]\n' "$(head -c 1048576 /dev/zero | tr '\0' a)" > big.json
refused "1 MB of metadata (a title, by import)" "title is longer than 1024 bytes" q import big.json
refused "control characters in metadata" "title is not UTF-8 text without control characters" q add c.pdf --doc D-CTL --type drawing --title "$(printf 'a\033[2Jb')"
refused "invalid UTF-8 in metadata" "title is not UTF-8 text without control characters" q add c.pdf --doc D-UTF --type drawing --title "$(printf 'caf\351')"
refused "a right-to-left override in a title" "contains U\+202E, an invisible or bidirectional formatting character" q add c.pdf --doc D-RLO --type drawing --title "$(printf 'a\342\200\256b')"
refused "a right-to-left override in a file name" "contains U\+202E, an invisible or bidirectional formatting character" q add c.pdf --doc D-RLO --type drawing --name "$(printf 'report\342\200\256fdp.pdf')"
printf 'lot,po,part,qty,made,shipped,from\nL-N,PO-1,PN\0001,1,,,\n' > nul.csv
refused "a NUL byte in an import" "'nul\.csv': row 2: a field holds a NUL byte" q --key sam.pem lot import nul.csv

# ---- signatures
C=$(git -C v ls-tree -r --name-only main | grep 'DWG-1/C/record.json' | sed 's|/record.json||')
D=$(git -C v ls-tree -r --name-only main | grep 'DWG-1/D/record.json' | sed 's|/record.json||')
E=$(git -C v ls-tree -r --name-only main | grep 'DWG-2/A/record.json' | sed 's|/record.json||')
git -C v show "main:$C/acks/sam-received.json" > st.json
git -C v show "main:$C/acks/sam-received.json.sig" > st.json.sig
forged() { # CASE PATTERN: verify of the forged copy fails naming it
	if culprit "$2" "$3"; then row "$1" "verify fails (exit 3)" "caught: $(grep -Eo -- "$3" "$TMP/v.out" | head -1)" 1
	else row "$1" "verify fails (exit 3)" "not caught" 0; fi
}
rm -rf f1; cp -a v f1
forge f1 sid "ack D" "$D/acks/sam-received.json=st.json" "$D/acks/sam-received.json.sig=st.json.sig"
forged "signature replay: another revision" f1 "the acknowledgment of 'DWG-1@C' is stored under 'DWG-1@D'"
rm -rf f2; cp -a v f2
forge f2 sid "ack DWG-2" "$E/acks/sam-received.json=st.json" "$E/acks/sam-received.json.sig=st.json.sig"
forged "signature replay: another document" f2 "the acknowledgment of 'DWG-1@C' is stored under 'DWG-2@A'"
# key substitution: a package brings its own key and a statement signed with it
sed 's/"name": "sam"/"name": "mallory"/' st.json > mal.json
ssh-keygen -Y sign -n qvault-ack -f mallory mal.json > /dev/null 2>&1
mkdir -p kp && cp -r pkg/* kp/ && cp mallory.pub kp/mallory.pub
sed -i 's/"attachments": \["ballooned.pdf"\]/"attachments": ["ballooned.pdf", "mallory.pub"]/' kp/fai.json
check "  (the package bringing mallory.pub as an attachment is accepted)" \
	sh -c 'q fai pack kp -o kp.zip > /dev/null && q --key sam.pem fai add kp.zip > /dev/null'
rm -rf f3; cp -a v f3
forge f3 sid "ack D" "$D/acks/mallory-received.json=mal.json" "$D/acks/mallory-received.json.sig=mal.json.sig"
forged "key substitution (a package brings its key)" f3 "mallory-received.json: the acknowledgment is signed by an unregistered key"
# a revoked key signs later and back-dates its statement
q --key admin.pem user revoke rex > /dev/null
git -C v show "main:$D/acks/sam-received.json" > std.json
sed 's/"name": "sam"/"name": "rex"/; s/"signed_at": "[^"]*"/"signed_at": "2020-01-01T00:00:00Z"/' std.json > rex.json
ssh-keygen -Y sign -n qvault-ack -f rex rex.json > /dev/null 2>&1
rm -rf f4; cp -a v f4
forge f4 sid "ack D" "$D/acks/rex-received.json=rex.json" "$D/acks/rex-received.json.sig=rex.json.sig"
forged "a back-dated signature after revocation" f4 "rex-received.json: the acknowledgment is signed by revoked user 'rex'"
# the same statement twice, with (r,s) and (r,n-s) or any other encoding:
# the CLI refuses a second acknowledgment of a signer and meaning, and a
# copy forged in under another name is caught by its name, whatever its
# signature bytes
git -C v show "main:$D/acks/sam-received.json.sig" > std.json.sig
rm -rf f5; cp -a v f5
forge f5 sid "ack again" "$D/acks/sam-received-2.json=std.json" "$D/acks/sam-received-2.json.sig=std.json.sig"
forged "the same acknowledgment under a second name" f5 "sam-received-2.json: the acknowledgment is stored as 'sam-received-2.json', not 'sam-received.json'"
refused "the same acknowledgment twice" "'sam' already received 'DWG-1@D'" q --key sam.pem ack DWG-1@D

# ---- X12 856 ship notices (asn import): the reader is the first to see them
X12="$FIXTURES/856/ship-notice.856"
{ head -n 3 "$X12"; printf 'BSN'; i=0; while [ $i -lt 70 ]; do printf '*x'; i=$((i + 1)); done; printf '~\n'; } > many.856
refused "X12: a segment of 71 elements" "'many\.856': X12 segment 4 \(BSN\): more than 64 elements" q --key sam.pem asn import many.856
{ head -n 11 "$X12"; printf 'PRF*'; head -c 1048576 /dev/zero | tr '\0' P; printf '~\n'; tail -n +13 "$X12"; } > long.856
refused "X12: an element of 1 MB" "'long\.856': X12 segment 12 \(PRF\): PRF01 \(the PO\) is longer than 128 bytes" q --key sam.pem asn import long.856
{ head -c 106 "$X12"; tail -c +107 "$X12" | tr -d '~\n'; } > noterm.856
refused "X12: no segment terminator after ISA" "'noterm\.856': X12: the interchange ends inside a segment \(no terminator\)" q --key sam.pem asn import noterm.856
{ head -n 5 "$X12"; printf 'HL*9\0*1*O~\n'; tail -n +6 "$X12"; } > nul.856
refused "X12: a NUL byte inside a segment" "'nul\.856': X12: the interchange holds a NUL byte" q --key sam.pem asn import nul.856
printf 'ISA*00*~' > short.856
refused "X12: an interchange shorter than its ISA" "'short\.856': X12: the interchange does not open with a full ISA segment" q --key sam.pem asn import short.856

# ---- oversize: one supplier must not stall everyone (limits, set low here)
{ echo "lot,po,part,qty,made,shipped,from"; i=1; while [ $i -le 3000 ]; do echo "L-BIG-$i,PO-1,PN-1,1,2026-01-02,,"; i=$((i + 1)); done; } > big.csv
git -C v config qvault.maxImportBytes 64k
refused "an import file over qvault.maxImportBytes" "'big\.csv' is larger than the limit of 65536 bytes \(git config qvault\.maxImportBytes\)$" q --key sam.pem lot import big.csv
refused "the same on standard input of qvault shell" "the upload is larger than the limit of 65536 bytes \(git config qvault\.maxImportBytes\)$" \
	sh -c 'SSH_ORIGINAL_COMMAND="lot import -" q -C v shell --user sam < big.csv'
git -C v config --unset qvault.maxImportBytes
git -C v config qvault.maxImportRows 100
refused "an import of 3000 rows, qvault.maxImportRows 100" "'big\.csv': the file has 3000 rows, over the limit of 100 \(git config qvault\.maxImportRows\)$" q --key sam.pem lot import big.csv
git -C v config qvault.maxImportRows 1
refused "X12 856 with more packages than qvault.maxImportRows" "the file has [0-9]+ rows, over the limit of 1 \(git config qvault\.maxImportRows\)$" q --key sam.pem asn import "$X12"
git -C v config --unset qvault.maxImportRows
{ cat c.pdf; head -c 300000 /dev/zero | tr '\0' ' '; } > big.pdf
git -C v config qvault.coc.maxUpload 256k
refused "an upload over qvault.coc.maxUpload" "'big\.pdf' is larger than the limit of 262144 bytes \(git config qvault\.coc\.maxUpload\)$" q --key sam.pem add big.pdf --doc COC-BIG --type coc
refused "an endless upload through qvault shell" "the upload is larger than the limit of 262144 bytes \(git config qvault\.coc\.maxUpload\)$" timeout 60 sh -c '
	yes | SSH_ORIGINAL_COMMAND="add - --name c.pdf --doc COC-BIG --type coc" q -C v shell --user sam'
git -C v config --unset qvault.coc.maxUpload
refused "ack-submit: 2 MiB on standard input" "standard input is larger than the limit of 1048576 bytes \(git config qvault\.maxStatement\)$" sh -c 'head -c 2M /dev/zero | q --key sam.pem ack-submit'
refused "ack-submit: endless standard input" "standard input is larger than the limit of 1048576 bytes \(git config qvault\.maxStatement\)$" timeout 60 sh -c 'yes | q --key sam.pem ack-submit'
q --key sam.pem status PO-1 started > /dev/null
git -C v config qvault.maxPoRecords 1
refused "a status over qvault.maxPoRecords" "PO 'PO-1' has [0-9]+ acknowledgments, status reports and ship notices; 1 more would be over the limit of 1 \(git config qvault\.maxPoRecords\)$" q --key sam.pem status PO-1 in-progress
git -C v config --unset qvault.maxPoRecords

# ---- CSV injection: an export is no refusal; the exported cell must come
# out as text, read back by python3's csv module
q --key sam.pem lot add L-CSV --po PO-1 --part PN-1 --qty 2 > /dev/null
q --key sam.pem asn add --id 0-CSV --po PO-1 --ship-date 2099-12-10 --carrier '@SUM(1+1)' \
	--tracking '=HYPERLINK("http://evil.example/","track")' --package C:L-CSV:1 > /dev/null 2>&1
q --key sam.pem asn add --id 0-CSA --po PO-1 --ship-date 2099-12-10 \
	--tracking '1Z",=1+1,"' --package C:L-CSV:1 > /dev/null 2>&1
# cell ASN COLUMN: that cell of `asn export --csv`, or "(missing)"
cell() {
	q asn export --csv | python3 -c 'import csv, sys
r = [x[sys.argv[2]] for x in csv.DictReader(sys.stdin) if x["asn"] == sys.argv[1]]
print(r[0] if r else "(missing)")' "$1" "$2"
}
got=$(cell 0-CSV tracking)
row "CSV injection: a tracking number =HYPERLINK()" "exported as text: '=HYPERLINK(..." "$(printf %.30s "$got")" \
	$([ "$got" = "'=HYPERLINK(\"http://evil.example/\",\"track\")" ] && echo 1 || echo 0)
got=$(cell 0-CSV carrier)
row "CSV injection: a carrier @SUM(1+1)" "exported as text: '@SUM(1+1)" "$got" $([ "$got" = "'@SUM(1+1)" ] && echo 1 || echo 0)
got=$(cell 0-CSA tracking)
row "CSV: quotes and commas leave their cell" "one cell: 1Z\",=1+1,\"" "$got" \
	$([ "$got" = '1Z",=1+1,"' ] && echo 1 || echo 0)
got=$(q asn export --csv | python3 -c 'import csv, sys; print(len(list(csv.reader(sys.stdin))) - 1)')
row "CSV: a cell ending in a quote hides later rows" "every row: $(sqlite3 v/qvault/index.db 'SELECT count(*) FROM asn_items')" \
	"$got" $([ "$got" = "$(sqlite3 v/qvault/index.db 'SELECT count(*) FROM asn_items')" ] && echo 1 || echo 0)

# ---- reading across organizations: another organization's record is
# refused in the very words of one that does not exist
# unseen CASE MESSAGE CMD...: exit 1, stderr exactly "qvault: MESSAGE", vault
# unchanged; a number another holds cannot be absent: it is "not available"
unseen() {
	name=$1 want=$2; shift 2
	as="as absent"
	case $want in *"is not available") as="no owner named";; esac
	before=$(snapshot)
	"$@" > "$TMP/.out" 2> "$TMP/.err"
	rc=$?
	got="exit $rc: $(head -c 70 "$TMP/.err" | tr -d '\n' | sed 's/^qvault: //')"
	if [ $rc -eq 1 ] && [ "$(cat "$TMP/.err")" = "qvault: $want" ] && [ "$before" = "$(snapshot)" ]; then
		row "$name" "$as: $want" "$got" 1
	else
		row "$name" "$as: $want" "$got" 0
	fi
}
q key generate -o hq.pem -c hq | head -n 1 > hq.pub
q --key admin.pem user add hq --org hq --role buyer --pubkey hq.pub > /dev/null
add_supplier bob beta
q --key hq.pem release DWG-B --rev A c.pdf --to beta > /dev/null
q --key hq.pem po add PO-B --supplier beta --line PN-2:5:DWG-B@A > /dev/null
q --key bob.pem ack DWG-B@A --comment "beta only" > /dev/null
q --key bob.pem lot add L-B --po PO-B --part PN-2 --qty 5 > /dev/null
make_text cocb.csv HB
q --key bob.pem add cocb.csv --doc COC-B --type coc > /dev/null
unseen "cross-org: show another's drawing" "no document 'DWG-B'" q --key sam.pem show DWG-B
unseen "cross-org: ack another's drawing" "no document 'DWG-B'" q --key sam.pem ack DWG-B@A
unseen "cross-org: acks of another's drawing" "no document 'DWG-B'" q --key sam.pem acks DWG-B
unseen "cross-org: PO ack of another's PO" "no PO 'PO-B'" q --key sam.pem po ack PO-B --promise 2099-12-01
unseen "cross-org: status of another's PO" "no PO 'PO-B'" q --key sam.pem status PO-B started
unseen "cross-org: lot of another's PO" "no PO 'PO-B'" q --key sam.pem lot add L-X --po PO-B --part PN-2 --qty 1
unseen "cross-org: lot made from another's lot" "no lot 'L-B' to make 'L-X' from" \
	q --key sam.pem lot add L-X --po PO-1 --part PN-1 --qty 1 --from L-B
unseen "cross-org: ship another's lot" "package 'C1': no lot 'L-B'" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package C1:L-B:1
unseen "cross-org: link to another's lot" "no lot 'L-B'" q --key sam.pem link DWG-1@D --lot L-B
unseen "cross-org: trace another's lot" "no lot 'L-B'" q --key sam.pem trace lot L-B
unseen "cross-org: export another's PO" "no PO 'PO-B'" q --key sam.pem export --po PO-B -o b.zip
unseen "cross-org: EPCIS export of another's lot" "no lot 'L-B'" \
	q --key sam.pem export --epcis --lot L-B -o b.jsonld
unseen "cross-org: EPCIS export of another's PO" "no PO 'PO-B'" \
	q --key sam.pem export --epcis --po PO-B -o b.jsonld
got=$(q --key sam.pem export --epcis --since 2000-01-01 -o all.jsonld > /dev/null && grep -Ec "L-B|PO-B|beta" all.jsonld)
row "cross-org: EPCIS export of every lot" "nothing of beta's" "$got lines of beta's" $([ "$got" = 0 ] && echo 1 || echo 0)
unseen "cross-org: a revision of another's number" "document number 'COC-B' is not available" \
	q --key sam.pem add cocb.csv --doc COC-B --type coc
unseen "cross-org: a lot number another holds" "lot number 'L-B' is not available" \
	q --key sam.pem lot add L-B --po PO-1 --part PN-1 --qty 1
got=$(q --key sam.pem log | grep -Ec "DWG-B|COC-B|L-B|PO-B|beta")
row "cross-org: log of everything" "nothing of beta's" "$got lines of beta's" $([ "$got" = 0 ] && echo 1 || echo 0)

# ---- quadratic shapes: a gap deep in a chain of lots is reported once, at the
# tier that drew from it, not once for every lot downstream (n*n/2 rows)
awk 'BEGIN { print "lot,po,part,qty,made,shipped,from"; print "Q-0,PO-1,PN-1,1,,,"
	for (i = 1; i <= 2000; i++) printf "Q-%d,PO-1,PN-1,1,,,Q-%d:1\n", i, i - 1 }' > chain.csv
if q --key sam.pem lot import chain.csv > /dev/null 2> chain.err; then
	q audit > chain.txt 2> /dev/null; arc=$?
	got=$(grep -c "^no-material-cert .*input Q-" chain.txt)
	row "quadratic: a chain of 2,001 lots in the audit" "each material gap once: 2000" \
		"exit $arc, $got rows" $([ $arc = 3 ] && [ "$got" = 2000 ] && echo 1 || echo 0)
else
	row "quadratic: a chain of 2,001 lots in the audit" "each material gap once: 2000" \
		"the import failed: $(head -c 70 chain.err)" 0
fi

# ---- a file that changes while it is added (TOCTOU)
make_big_pdf big.pdf 50000009
q add big.pdf --doc DWG-BIG --type drawing > /dev/null 2> t.err &
pid=$!
sleep 0.05; printf 'CHANGED' | dd of=big.pdf bs=1 seek=1000 conv=notrunc 2> /dev/null
wait $pid; rc=$?
if [ $rc -eq 0 ]; then
	rec=$(q show DWG-BIG --json | sed -n 's/.*"sha256": "\([0-9a-f]*\)".*/\1/p' | head -1)
	got=$(q cat DWG-BIG | sha256sum | cut -c1-64)
	[ "$rec" = "$got" ] && s=1 || s=0
	row "a file changing while it is added" "refused, or SHA-256 = stored bytes" "stored; recorded SHA-256 $([ $s = 1 ] && echo matches || echo 'does NOT match') the bytes" $s
else
	row "a file changing while it is added" "refused, or SHA-256 = stored bytes" "refused: $(head -c 60 t.err)" $([ $rc -eq 1 ] && echo 1 || echo 0)
fi
check "verify passes on the vault after all of it" sh -c 'q verify > /dev/null'

echo "# case                                           | expected                       | got"
sed 's/^/# /' "$TABLE"
cp "$TABLE" "${HOSTILE_TABLE:-/dev/null}" 2>/dev/null
done_testing
