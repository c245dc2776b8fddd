#!/bin/sh
# Real files suppliers and buyers send (issue 20): DXF that libmagic
# calls octet-stream or plain text, scans, office files, QIF, 3D models;
# certificates' text narrowed to CSV and structured formats.  Each
# fixture is made here, a few bytes of each format's real opening.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme

# ---- the fixtures ----------------------------------------------------------
# binary DXF: its sentinel, then group codes in binary
printf 'AutoCAD Binary DXF\r\n\032\000\000\000SECTION\000\002\000HEADER\000' > bin.dxf
# text DXF opening with 999 comment pairs (CRLF, as Windows writers save it), then ENTITIES
printf '999\r\ndxfrw 0.6.3\r\n999\r\nexported\r\n  0\r\nSECTION\r\n  2\r\nENTITIES\r\n  0\r\nLINE\r\n  8\r\n0\r\n 10\r\n0.0\r\n 20\r\n0.0\r\n 11\r\n5.0\r\n 21\r\n5.0\r\n  0\r\nENDSEC\r\n  0\r\nEOF\r\n' > comment.dxf
# text DXF with an ENTITIES section and no HEADER (valid R12)
printf '  0\nSECTION\n  2\nENTITIES\n  0\nCIRCLE\n  8\n0\n 10\n1.0\n 20\n1.0\n 40\n0.5\n  0\nENDSEC\n  0\nEOF\n' > entities.dxf
# a scanned drawing: JPEG's SOI and JFIF APP0
printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000\377\333\000\103\000' > scan.jpg
# QIF results (ISO 23952), with and without the XML declaration
printf '<?xml version="1.0" encoding="UTF-8"?>\n<!-- CMM export -->\n<QIFDocument xmlns="http://qifstandards.org/xsd/qif3" versionQIF="3.0.0" idMax="1">\n<Results/>\n</QIFDocument>\n' > results.qif
printf '<QIFDocument xmlns="http://qifstandards.org/xsd/qif3">\n</QIFDocument>\n' > bare.qif
printf '<?xml version="1.0"?>\n<Report><Value>1</Value></Report>\n' > other.xml
# office files, as Excel, Word and LibreOffice order their parts
python3 - <<'P' || exit 1
import zipfile
def ooxml(name, part):
    with zipfile.ZipFile(name, 'w') as z:
        z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types/>')
        z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships/>')
        z.writestr(part, '<?xml version="1.0"?><x/>')
ooxml('form3.xlsx', 'xl/workbook.xml')
ooxml('cmm.xlsm', 'xl/workbook.xml')
ooxml('report.docx', 'word/document.xml')
with zipfile.ZipFile('sheet.ods', 'w') as z:
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
    z.writestr('content.xml', '<?xml version="1.0"?><office:document-content/>')
# .xls: a compound file (CFB) whose one stream is Excel's "Workbook"
import struct
END, FREE, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
hdr = bytearray(512)
hdr[0:8] = bytes.fromhex('D0CF11E0A1B11AE1')
struct.pack_into('<HHHHH', hdr, 24, 0x3E, 3, 0xFFFE, 9, 6)
struct.pack_into('<IIIIIIII', hdr, 44, 1, 1, 0, 4096, END, 0, END, 0)
for i in range(109):
    struct.pack_into('<I', hdr, 76 + 4 * i, 0 if i == 0 else FREE)
fat = [0xFFFFFFFD, END] + [3 + i if i < 7 else END for i in range(8)]
fat += [FREE] * (128 - len(fat))
def entry(name, kind, child, start, size):
    e = bytearray(128)
    n = name.encode('utf-16-le') + b'\0\0'
    e[0:len(n)] = n
    struct.pack_into('<H', e, 64, len(n))
    e[66], e[67] = kind, 1
    struct.pack_into('<III', e, 68, NOSTREAM, NOSTREAM, child)
    struct.pack_into('<II', e, 116, start, size)
    return bytes(e)
book = bytearray(4096)
book[0:8] = bytes.fromhex('0908100000060500')
with open('book.xls', 'wb') as f:
    f.write(bytes(hdr) + struct.pack('<128I', *fat) + entry('Root Entry', 5, 1, END, 0) +
            entry('Workbook', 2, NOSTREAM, 2, 4096) + bytes(256) + bytes(book))
with zipfile.ZipFile('part.3mf', 'w') as z:
    z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types/>')
    z.writestr('3D/3dmodel.model', '<?xml version="1.0"?><model unit="millimeter"/>')
P
# 3D models
printf 'ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((),'"'"'2;1'"'"');\nENDSEC;\n' > part.stp
printf 'solid bracket\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid bracket\n' > mesh.stl
{ printf 'Version 9.5 JT%66s' ''; printf '\001\000\000\000\377\376\375'; } > part.jt
printf '**ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz**************************\n**PARASOLID !"#$%%&()*+,-./:;<=>?@[]^_`{|}~0123456789**************************\n' > part.x_t
# certificates' text
printf 'heat,C,Mn\nH-77,0.20,1.10\n' > heat.csv
printf 'heat;C;Mn\nH-77;0,20;1,10\n' > heat-semicolon.csv
printf '{"heat": "H-77", "C": 0.20}\n' > heat.json
printf 'This is to certify that the parts were made to drawing DWG-1.\n' > words.txt
printf 'a' > one.csv

# ---- accepted where users expect them ----------------------------------------
ok "binary DXF (libmagic: octet-stream) is a drawing" q add bin.dxf --doc DXF-1 --type drawing
ok "text DXF opening with 999 comments is a drawing" q add comment.dxf --doc DXF-2 --type drawing
ok "text DXF with ENTITIES and no HEADER is a drawing" q add entities.dxf --doc DXF-3 --type drawing
check "  each recorded as image/vnd.dxf" sh -c '
	for d in DXF-1 DXF-2 DXF-3; do q show $d --json | grep -q "\"mime\": \"image/vnd.dxf\"" || exit 1; done'
ok "a JPEG scan is a drawing" q add scan.jpg --doc DWG-SCAN --type drawing
ok "QIF is an inspection report" q --key sam.pem add results.qif --doc QIF-1 --type inspection-report
ok "QIF without an XML declaration too" q --key sam.pem add bare.qif --doc QIF-2 --type inspection-report
check "  recorded as application/qif+xml" sh -c 'q show QIF-1 --json | grep -q "application/qif+xml"'
ok ".xlsx is an inspection report" q --key sam.pem add form3.xlsx --doc IR-1 --type inspection-report
ok ".xlsm is an inspection report" q --key sam.pem add cmm.xlsm --doc IR-2 --type inspection-report
ok ".xls is an inspection report" q --key sam.pem add book.xls --doc IR-5 --type inspection-report
check "  recorded as application/vnd.ms-excel" sh -c 'q show IR-5 --json | grep -q "\"application/vnd.ms-excel\""'
ok ".xls is an other" q add book.xls --doc OT-5 --type other
ok ".ods is an inspection report" q --key sam.pem add sheet.ods --doc IR-3 --type inspection-report
ok ".docx is an inspection report" q --key sam.pem add report.docx --doc IR-4 --type inspection-report
ok ".xlsx is an other" q --key sam.pem add form3.xlsx --doc OT-1 --type other
ok ".docx is an other" q add report.docx --doc OT-2 --type other
ok ".ods is an other" q add sheet.ods --doc OT-3 --type other
for f in part.stp mesh.stl part.jt part.x_t part.3mf; do
	ok "$f is a model" q add $f --doc "M-$f" --type model
done
check "  recorded as model/stl, model/jt, model/vnd.parasolid.transmit.text, model/3mf" sh -c '
	q show M-mesh.stl --json | grep -q "model/stl" && q show M-part.jt --json | grep -q "model/jt" &&
	q show M-part.x_t --json | grep -q "model/vnd.parasolid.transmit.text" &&
	q show M-part.3mf --json | grep -q "model/3mf"'
ok "a model is released like a drawing" q release M-2 --rev A part.stp --to acme
ok "a two-line CSV is a certificate" q --key sam.pem add heat.csv --doc MTR-1 --type material-cert
ok "a semicolon CSV is a certificate" q --key sam.pem add heat-semicolon.csv --doc COC-1 --type coc
ok "JSON is a certificate" q --key sam.pem add heat.json --doc COC-2 --type coc
ok "XML is a certificate" q --key sam.pem add other.xml --doc COC-3 --type coc
ok "plain text is still an other" q add words.txt --doc OT-4 --type other

# ---- refused, each with its reason and the vault unchanged -------------------------
fails 1 "file 'comment.dxf' is image/vnd.dxf, which a coc does not accept" \
	"a DXF is not a CoC" q --key sam.pem add comment.dxf --doc COC-9 --type coc
fails 1 "file 'bin.dxf' is image/vnd.dxf, which a material-cert does not accept" \
	"a binary DXF is not a material certificate" q --key sam.pem add bin.dxf --doc MTR-9 --type material-cert
fails 1 "file 'mesh.stl' is model/stl, which a coc does not accept" \
	"a mesh is not a CoC" q --key sam.pem add mesh.stl --doc COC-9 --type coc
fails 1 "file 'part.stp' is model/step, which a process-cert does not accept" \
	"a STEP model is not a process certificate" q --key sam.pem add part.stp --doc PC-9 --type process-cert
fails 1 "file 'words.txt' is text/plain, which a coc does not accept \(accepted: .*text/csv" \
	"free text is not a CoC (CSV, JSON or XML is)" q --key sam.pem add words.txt --doc COC-9 --type coc
fails 1 "file 'one.csv' holds only 1 byte, too few to tell what it is" \
	"a one-byte CSV says why" q --key sam.pem add one.csv --doc COC-9 --type coc
fails 1 "file 'mesh.stl' is model/stl, which a drawing does not accept" \
	"a mesh is not a drawing (drawings stay 2D: it is a model)" q add mesh.stl --doc DWG-9 --type drawing
fails 1 "file 'part.3mf' is model/3mf, which an inspection-report does not accept" \
	"a 3MF is not an inspection report (an, not a)" q --key sam.pem add part.3mf --doc IR-9 --type inspection-report
fails 1 "file 'bin.dxf' is image/vnd.dxf, which an other does not accept" \
	"a DXF is not an other (an, not a)" q add bin.dxf --doc OT-9 --type other
fails 1 "file 'scan.jpg' is image/jpeg, which a model does not accept" \
	"a JPEG is not a model" q add scan.jpg --doc M-9 --type model
fails 1 "file 'form3.xlsx' is application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, which a drawing does not accept" \
	"a spreadsheet is not a drawing" q add form3.xlsx --doc DWG-9 --type drawing
fails 1 "file 'book.xls' is application/vnd.ms-excel, which a coc does not accept" \
	"an old Excel workbook is not a CoC" q --key sam.pem add book.xls --doc COC-9 --type coc
fails 1 "file 'results.qif' is application/qif\+xml, which a coc does not accept" \
	"QIF results are not a CoC" q --key sam.pem add results.qif --doc COC-9 --type coc
fails 1 "user 'sam' may not add a model \(needs role buyer\)" \
	"a supplier may not add a model (controlled, like a drawing)" q --key sam.pem add part.stp --doc M-9 --type model

# ---- an FAI package holding a spreadsheet and a QIF report ---------------------------
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
fai_pkg FAIR-1 6.05
cp form3.xlsx results.qif part.stp pkg/
jq '.attachments += ["form3.xlsx", "results.qif", "part.stp"]' pkg/fai.json > pkg/m.json && mv pkg/m.json pkg/fai.json
q fai pack pkg -o fai.zip --force > /dev/null
ok "an FAI package may hold a spreadsheet, a QIF report and a STEP model" \
	q --key sam.pem fai add fai.zip --lot L-1
check "  each member recorded with its type" sh -c '
	q show FAIR-1 --json > f.json && grep -q "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" f.json &&
	grep -q "application/qif+xml" f.json'
fai_pkg FAIR-2 6.05
cp mesh.stl bin.dxf pkg/
jq '.attachments += ["mesh.stl", "bin.dxf"]' pkg/fai.json > pkg/m.json && mv pkg/m.json pkg/fai.json
q fai pack pkg -o fai2.zip > /dev/null
ok "  and a mesh and a DXF" q --key sam.pem fai add fai2.zip --lot L-1

ok "verify passes" q verify
done_testing
