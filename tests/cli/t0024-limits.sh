#!/bin/sh
# Limits (issue 14): this site's settings in the vault repository's git
# config, checked before the work, each refusal one line naming the limit
# and its key, the vault unchanged.  Set low here so the files stay small.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
make_pdf dwg.pdf "drawing"
q release DWG-1 --rev A dwg.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line P-1:1000:DWG-1@A > /dev/null
q po add PO-2 --supplier acme --line P-1:1000:DWG-1@A > /dev/null

# rows: header and n data rows of each import
po_rows() { echo "po,supplier,line,part,qty,doc,rev,due"; i=1; while [ $i -le "$1" ]; do echo "PO-${2:-X}$i,acme,1,P-1,5,DWG-1,A,"; i=$((i + 1)); done; }
lot_rows() { echo "lot,po,part,qty,made,shipped,from"; i=1; while [ $i -le "$1" ]; do echo "L-$i,PO-1,P-1,1,2026-01-02,,"; i=$((i + 1)); done; }
status_rows() { echo "po,line,status,note"; i=1; while [ $i -le "$1" ]; do echo "PO-1,1,in-progress,step $i"; i=$((i + 1)); done; }

# ---- qvault.maxImportRows ----------------------------------------------------
git -C v config qvault.maxImportRows 10
po_rows 11 > po11.csv
po_rows 10 > po10.csv
po_rows 11 Y > po11y.csv
lot_rows 11 > lots11.csv
status_rows 11 > status11.csv
printf '[' > lots11.json
i=1; while [ $i -le 11 ]; do
	[ $i -gt 1 ] && printf ',' >> lots11.json
	printf '{"lot":"J-%s","po":"PO-1","part":"P-1","qty":1,"made":"2026-01-02"}' $i >> lots11.json
	i=$((i + 1))
done
printf ']\n' >> lots11.json
fails 1 "'po11.csv': the file has 11 rows, over the limit of 10 \(git config qvault.maxImportRows\)" \
	"a PO import of 11 rows with maxImportRows 10" q po import po11.csv
fails 1 "'lots11.csv': the file has 11 rows, over the limit of 10 \(git config qvault.maxImportRows\)" \
	"a lot import (CSV) of 11 rows" q lot import lots11.csv
fails 1 "'lots11.json': the file has 11 rows, over the limit of 10 \(git config qvault.maxImportRows\)" \
	"a lot import (JSON) of 11 lots" q lot import lots11.json
fails 1 "the file has 11 rows, over the limit of 10 \(git config qvault.maxImportRows\)" \
	"a status import of 11 rows" q --key sam.pem status import status11.csv
fails 1 "the file has 11 rows, over the limit of 10 \(git config qvault.maxImportRows\)" \
	"lot import - through qvault shell, 11 rows" \
	sh -c 'SSH_ORIGINAL_COMMAND="lot import -" q -C v shell --user sam < lots11.csv'
ok "10 rows are taken" q po import po10.csv
git -C v config qvault.maxImportRows lots
fails 1 "git config qvault.maxImportRows" "a limit that is not a number is refused, not ignored" \
	q po import po11y.csv
git -C v config --unset qvault.maxImportRows
ok "without the setting the default (50000) takes 11 rows" q po import po11y.csv

# ---- qvault.maxImportBytes -------------------------------------------------
git -C v config qvault.maxImportBytes 1k
lot_rows 40 > lots40.csv
fails 1 "'lots40.csv' is larger than the limit of 1024 bytes \(git config qvault.maxImportBytes\)" \
	"an import file over maxImportBytes" q lot import lots40.csv
fails 1 "is larger than the limit of 1024 bytes \(git config qvault.maxImportBytes\)" \
	"lot import - through qvault shell, over maxImportBytes" \
	sh -c 'SSH_ORIGINAL_COMMAND="lot import -" q -C v shell --user sam < lots40.csv'
git -C v config --unset qvault.maxImportBytes

# ---- qvault.maxPoRecords ---------------------------------------------------
git -C v config qvault.maxPoRecords 3
ok "a first acknowledgment of PO-2" q --key sam.pem po ack PO-2 --promise 2099-12-01
ok "  a status" q --key sam.pem status PO-2 started
ok "  a third record" q --key sam.pem status PO-2 in-progress
fails 1 "PO 'PO-2' has 3 acknowledgments, status reports and ship notices; 1 more would be over the limit of 3 \(git config qvault.maxPoRecords\)" \
	"a fourth status of one PO with maxPoRecords 3" q --key sam.pem status PO-2 complete
fails 1 "over the limit of 3 \(git config qvault.maxPoRecords\)" \
	"  an acknowledgment" q --key sam.pem po ack PO-2 --promise 2099-12-02
fails 1 "over the limit of 3 \(git config qvault.maxPoRecords\)" \
	"  a ship notice" q --key sam.pem asn add --po PO-2 --ship-date 2099-01-01 --package B1:L-1:1
status_rows 4 | sed 's/PO-1/PO-1/' > status4.csv
fails 1 "PO 'PO-1' has 0 acknowledgments, status reports and ship notices; 4 more would be over the limit of 3" \
	"  a status import of 4 reports naming one PO" q --key sam.pem status import status4.csv
ok "another PO has room" q --key sam.pem status PO-1 started
git -C v config --unset qvault.maxPoRecords

# ---- qvault.maxUpload, qvault.<type>.maxUpload ---------------------------------
make_pdf small.pdf "small"
{ make_pdf big.pdf "big"; head -c 3000 /dev/zero | tr '\0' ' '; } > big.pdf.tmp
make_pdf big.pdf "big"; cat big.pdf.tmp >> big.pdf
git -C v config qvault.coc.maxUpload 2k
fails 1 "'big.pdf' is larger than the limit of 2048 bytes \(git config qvault.coc.maxUpload\)" \
	"an upload over its type's limit (qvault.coc.maxUpload)" q add big.pdf --doc COC-1 --type coc
ok "  a small one is taken" q add small.pdf --doc COC-1 --type coc
git -C v config qvault.maxUpload 1k
fails 1 "'big.pdf' is larger than the limit of 1024 bytes \(git config qvault.maxUpload\)" \
	"an upload over qvault.maxUpload (no limit of its own type)" q add big.pdf --doc SP-1 --type spec
fails 1 "entry 2: 'big.pdf' is larger than the limit of 1024 bytes \(git config qvault.maxUpload\)" \
	"  an import manifest naming a file over it" sh -c '
	printf "[{\"file\":\"small.pdf\",\"doc\":\"SP-2\",\"type\":\"spec\"},{\"file\":\"big.pdf\",\"doc\":\"SP-3\",\"type\":\"spec\"}]" > m.json &&
	q import m.json'
fails 1 "entry 3: 'big.pdf' is larger than the limit of 2048 bytes \(git config qvault.coc.maxUpload\)" \
	"  an import manifest of specs, then a CoC: the CoC's own limit, read again for its type" sh -c '
	printf "[{\"file\":\"small.pdf\",\"doc\":\"SP-4\",\"type\":\"spec\"},{\"file\":\"small.pdf\",\"doc\":\"SP-5\",\"type\":\"spec\"},{\"file\":\"big.pdf\",\"doc\":\"COC-2\",\"type\":\"coc\"}]" > m.json &&
	q import m.json'
git -C v config qvault.drawing.maxUpload 1m
ok "  a type's own limit is above it" q release DWG-2 --rev A big.pdf --to acme
head -c 5000 /dev/zero > big.zip
git -C v config qvault.fai.maxUpload 4k
fails 1 "'big.zip': the package is larger than the limit of 4096 bytes \(git config qvault.fai.maxUpload\)" \
	"an FAI package over qvault.fai.maxUpload" q --key sam.pem fai add big.zip
git -C v config qvault.coc.maxUpload 64k
fails 1 "^qvault: the upload is larger than the limit of 65536 bytes \(git config qvault.coc.maxUpload\)" \
	"through qvault shell, an endless upload stops at its type's limit" \
	timeout 60 sh -c 'yes | SSH_ORIGINAL_COMMAND="add - --name c.pdf --doc COC-2 --type coc" q -C v shell --user sam'
fails 1 "the upload is larger than the limit of 4096 bytes \(git config qvault.fai.maxUpload\)" \
	"  fai add - is limited as type fai" \
	timeout 60 sh -c 'yes | SSH_ORIGINAL_COMMAND="fai add -" q -C v shell --user sam'
git -C v config qvault.maxImportBytes 100k
fails 1 "the upload is larger than the limit of 102400 bytes \(git config qvault.maxImportBytes\)" \
	"  lot import - is limited as an import" \
	timeout 60 sh -c 'yes | SSH_ORIGINAL_COMMAND="lot import -" q -C v shell --user sam'
check "  no upload is left behind" sh -c '! ls v/qvault | grep -q upload'
ok "  within the limit, the shell takes the upload" sh -c '
	SSH_ORIGINAL_COMMAND="add - --name s.pdf --doc COC-3 --type coc" q -C v shell --user sam < small.pdf'
git -C v config --remove-section qvault
git -C v config --remove-section qvault.coc
git -C v config --remove-section qvault.fai
git -C v config --remove-section qvault.drawing

# ---- qvault.maxStatement -----------------------------------------------------
fails 1 "^qvault: standard input is larger than the limit of 1048576 bytes \(git config qvault.maxStatement\)" \
	"ack-submit with 2 MiB on standard input (default limit 1 MiB)" \
	sh -c 'head -c 2M /dev/zero | q --key sam.pem ack-submit'
fails 1 "standard input is larger than the limit of 1048576 bytes \(git config qvault.maxStatement\)" \
	"  endless standard input: refused without reading it all" \
	timeout 60 sh -c 'yes | q --key sam.pem ack-submit'
git -C v config qvault.maxStatement 100
fails 1 "standard input is larger than the limit of 100 bytes \(git config qvault.maxStatement\)" \
	"  through qvault shell, over a lowered limit" \
	sh -c 'head -c 101 /dev/zero | SSH_ORIGINAL_COMMAND="ack-submit" q -C v shell --user sam'
git -C v config --unset qvault.maxStatement

done_testing
