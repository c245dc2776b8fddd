#!/bin/sh
# The supplier portal: PO acknowledgments with promised dates (a later one
# kept beside the earlier), production status, ship notices (by hand, from
# JSON, from an X12 856) and their receipts, NCRs, exports, the scorecard;
# every refusal leaves the vault as it was; a forged record is caught.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C:2099-12-31 --line PN-2:5:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
q po add PO-3 --supplier acme --line PN-1:10:DWG-1@C:2099-11-30 > /dev/null
today=$(date -u +%Y-%m-%d)
ackdir() { echo "v:pos/$(printf %s "$1" | sha256sum | cut -c1-2)/$(printf %s "$1" | sha256sum | cut -c3-4)/$1/$2"; }

# ---- PO acknowledgments
ok "a supplier acknowledges its PO with a promise date" q --key sam.pem po ack PO-1 --promise 2099-12-01
ok "  and a line, later, with a new promise and quantity" \
	q --key sam.pem po ack PO-1 --line 1 --promise 2099-12-15 --qty 50 --note "heat treat slipped"
check "  the later acknowledgment is kept beside the earlier, never replacing it" sh -c '
	test "$(git -C v ls-tree --name-only main:'"$(ackdir PO-1 acks | cut -d: -f2-)"' | wc -l)" = 2 &&
	test "$(sqlite3 v/qvault/index.db "SELECT group_concat(promise, \" \") FROM po_acks WHERE po = '"'PO-1'"' ORDER BY seq")" = "2099-12-01 2099-12-15"'
check "  the commit says what it is (Qvault-Op: po-ack)" sh -c 'git -C v log -1 --format=%B | grep -q "^Qvault-Op: po-ack"'
ok "a supplier rejects a PO with a reason" q --key sam.pem po ack PO-3 --reject --reason "no capacity"
fails 1 "^qvault: no PO 'PO-1'$" \
	"acknowledging another supplier's PO" q --key zed.pem po ack PO-1 --promise 2099-12-01
fails 1 "promise date 2000-01-01 is before the order date [0-9-]+ of PO 'PO-1'" \
	"a promise date before the order date" q --key sam.pem po ack PO-1 --promise 2000-01-01
fails 1 "PO 'PO-1' has no line 7" "an unknown line" q --key sam.pem po ack PO-1 --line 7 --promise 2099-12-01
fails 1 "a promise of 60 is more than line 1 of PO 'PO-1' orders \(50\)" "a promise over the line's quantity" \
	q --key sam.pem po ack PO-1 --line 1 --promise 2099-12-01 --qty 60
fails 2 "po ack: --promise '2099-02-30' is not a date" "a date that does not parse" \
	q --key sam.pem po ack PO-1 --promise 2099-02-30
fails 1 "no PO 'PO-404'" "an unknown PO" q --key sam.pem po ack PO-404 --promise 2099-12-01
fails 1 "a rejection needs a reason" "a rejection without a reason" q --key sam.pem po ack PO-1 --reject
fails 1 "user 'tester' may not acknowledge purchase orders" "a buyer may not acknowledge for a supplier" \
	q po ack PO-1 --promise 2099-12-01
fails 2 "give --promise DATE, or --reject" "neither a promise nor a rejection" q --key sam.pem po ack PO-1

# ---- status
ok "a supplier reports a line's status" q --key sam.pem status PO-1:1 in-progress --note "op 20 of 40"
ok "  and the whole PO's" q --key sam.pem status PO-1 started
printf 'po,line,status,note\nPO-1,2,on-hold,"waiting for bar, stock"\nPO-1,1,complete,\n' > status.csv
ok "status import: many reports in one commit" q --key sam.pem status import status.csv
check "  numbered in order beside the PO" \
	sh -c 'test "$(sqlite3 v/qvault/index.db "SELECT group_concat(status, \" \") FROM (SELECT status FROM po_status WHERE po = '"'PO-1'"' ORDER BY seq)")" = "in-progress started on-hold complete"'
check "  po show --json gives the latest status of each line, the whole PO's first" \
	sh -c 'q po show PO-1 --json | python3 -c "import json,sys
s = [(x.get(\"line\"), x[\"status\"], x.get(\"note\"), x[\"seq\"]) for x in json.load(sys.stdin)[\"status\"]]
assert s == [(None, \"started\", None, 2), (1, \"complete\", None, 4), (2, \"on-hold\", \"waiting for bar, stock\", 3)], s"'
fails 2 "status: status 'bogus' is not one of started, in-progress" "an unknown status (a usage error)" q --key sam.pem status PO-1 bogus
fails 1 "^qvault: no PO 'PO-1'$" "a status for another supplier's PO" \
	q --key zed.pem status PO-1 started
printf 'po,line,status,note\nPO-1,1,started,\nPO-1,x,started,\n' > bad.csv
fails 1 "'bad.csv': row 3, field 'line': 'x' is not a line number" "a bad row in a status import" \
	q --key sam.pem status import bad.csv
fails 2 "'PO-1:x' is not PO\[:LINE\]" "a malformed PO:LINE" q --key sam.pem status PO-1:x started

# ---- lots to ship
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 --made 2099-01-10 > /dev/null
q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 30 --made 2099-01-11 > /dev/null
q --key sam.pem lot add L-3 --po PO-1 --part PN-2 --qty 5 > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-9 --qty 10 > /dev/null
make_text coc.csv L-1
q --key sam.pem add coc.csv --doc COC-1 --type coc > /dev/null
q --key sam.pem link COC-1@A --lot L-1 > /dev/null

# ---- ship notices
ok "a supplier sends a ship notice" q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 \
	--carrier UPS --tracking 1Z999 --package CTN-1:L-1:20
cp "$TMP/.err" asn1.err
check "  its lot without acknowledged revision is warned about and recorded" sh -c '
	grep -q "warning: ship notice .ASN-000001.: lot .L-1. is built to DWG-1@C, which .acme. has not acknowledged" asn1.err &&
	test "$(sqlite3 v/qvault/index.db "SELECT warnings FROM asns WHERE asn = '"'ASN-000001'"'")" = 1'
q --key sam.pem ack DWG-1@C > /dev/null
fails 1 "package 'CTN-2': ships 31 of line 1 of PO 'PO-1', which has 30 open of 50 ordered|ships 31 of lot 'L-2', which holds 30" \
	"a ship notice over the lot's quantity" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2:31
q --key sam.pem lot add L-4 --po PO-1 --part PN-1 --qty 40 > /dev/null
fails 1 "package 'CTN-2': ships 31 of line 1 of PO 'PO-1', which has 30 open of 50 ordered" \
	"a ship notice over the line's open quantity" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-4:31
fails 1 "package 'CTN-3': ships 20 of line 1 of PO 'PO-1', which has 15 open" \
	"open quantity counts the notice's own packages" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2:15 --package CTN-3:L-4:20
fails 1 "package 'CTN-2': no lot 'L-404'" "a ship notice for an unknown lot" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-404:1
fails 1 "^qvault: package 'CTN-2': no lot 'Z-1'$" "a lot of another supplier's PO (as if it did not exist)" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:Z-1:1
fails 1 "^qvault: no PO 'PO-1'$" \
	"a ship notice against another supplier's PO" \
	q --key zed.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2:1
fails 1 "user 'tester' may not send ship notices" "a buyer may not send a ship notice" \
	q asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2:1
fails 1 "lot 'L-2' is given twice in package 'CTN-2'" "the same lot twice in a package" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2:1 --package CTN-2:L-2:2
fails 2 "--package 'CTN-2:L-2' is not ID:LOT:QTY" "a malformed package" \
	q --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2
fails 1 "ship notice 'ASN-000001' already exists" "a ship notice number taken" \
	q --key sam.pem asn add --id ASN-000001 --po PO-1 --ship-date 2099-12-10 --package CTN-2:L-2:1
printf '{"asn": "ASN-J1", "po": "PO-1", "ship_date": "2099-12-11", "packages": [{"id": "CTN-5", "lot": "L-3", "qty": 5}]}\n' > asn.json
ok "asn add FILE: a ship notice as JSON" q --key sam.pem asn add asn.json
cp "$TMP/.err" asn2.err
check "  a lot without a CoC is warned about (and recorded)" grep -q "warning: ship notice 'ASN-J1': lot 'L-3' has no certificate of conformity" asn2.err
printf '[{"asn": "ASN-J2", "po": "PO-1", "ship_date": "2099-12-11", "packages": [{"id": "C", "lot": "L-2", "qty": "ten"}]}]\n' > bad.json
fails 1 "'bad.json': ship notice 1: package 1:" "a JSON ship notice with a bad quantity" q --key sam.pem asn import bad.json

# ---- X12 856
X="$FIXTURES/856/ship-notice.856"
ok "asn import of an X12 856 interchange (BSN, HL S/O/P/I, PRF, LIN, SN1, REF*LT)" q --key sam.pem asn import "$X"
check "  into the same records: shipment id, PO, carrier, tracking, packages and lots" sh -c '
	test "$(sqlite3 v/qvault/index.db "SELECT po, ship_date, carrier, tracking, source FROM asns WHERE asn = '"'SHIP-0001'"'")" = "PO-1|2026-11-27|UPSN|1Z999AA10123456784|x12-856" &&
	test "$(sqlite3 v/qvault/index.db "SELECT group_concat(package || \":\" || lot || \":\" || qty, \" \") FROM asn_items WHERE asn = '"'SHIP-0001'"'")" = "CTN-001:L-1:10 CTN-002:L-2:5"'
sed 's/SHIP-0001/SHIP-0002/' "$X" > a.856
sed 's/^SE\*23\*/SE*22*/' a.856 > bad.856
fails 1 "X12 segment 25 \(SE\): SE01 says 22 segments, transaction set '0001' has 23" "an 856 with a wrong SE01 count" \
	q --key sam.pem asn import bad.856
grep -v '^BSN' a.856 | sed 's/^SE\*23\*/SE*22*/' > bad.856
fails 1 "transaction set '0001' has no BSN segment" "an 856 without its BSN segment" q --key sam.pem asn import bad.856
grep -v '^SN1\*\*10' a.856 | sed 's/^SE\*23\*/SE*22*/' > bad.856
fails 1 "X12 segment 18 \(HL\): the item before it has no SN1 segment" "an 856 item without SN1" \
	q --key sam.pem asn import bad.856
grep -v '^PRF' a.856 | sed 's/^SE\*23\*/SE*22*/' > bad.856
fails 1 "has no PRF segment naming its PO" "an 856 without PRF" q --key sam.pem asn import bad.856
grep -v '^REF\*LT\*L-2' a.856 | sed 's/^SE\*23\*/SE*22*/' > bad.856
fails 1 "X12 segment 24 \(SE\): item HL '6' names no lot \(REF\*LT or REF\*BT, LIN LT, its pack's REF\*LT, or a level under it naming one\)" \
	"an 856 item without its lot" q --key sam.pem asn import bad.856
sed 's/^GE\*1\*/GE*2*/' a.856 > bad.856
fails 1 "GE01 says 2 transaction sets, the group has 1" "an 856 with a wrong GE01 count" q --key sam.pem asn import bad.856
sed 's/^GE\*1\*/GE*1x*/' a.856 > bad.856
fails 1 "GE01 says 1x transaction sets" "an 856 whose GE01 is not a number" q --key sam.pem asn import bad.856
awk '/^SN1\*\*10/ { print } { print }' a.856 | sed 's/^SE\*23\*/SE*24*/' > bad.856
fails 1 "the item has a second SN1" "an 856 item with two quantities" q --key sam.pem asn import bad.856
grep -v '^IEA' a.856 > bad.856
fails 1 "the interchange has no IEA trailer" "an 856 without IEA" q --key sam.pem asn import bad.856
sed '1s/^ISA\*00\* /ISA*00*/' a.856 > bad.856
fails 1 "ISA is not the fixed 106 bytes" "an ISA of the wrong width" q --key sam.pem asn import bad.856
sed 's/^SN1\*\*10\*/SN1**100*/' a.856 > bad.856
fails 1 "which has [0-9]+ open of 50 ordered|which holds 30" "an 856 over the open quantity" q --key sam.pem asn import bad.856
sed 's/REF\*LT\*L-2/REF*LT*Z-1/' a.856 > bad.856
fails 1 "package 'CTN-002': no lot 'Z-1'$" "an 856 shipping another supplier's lot" q --key sam.pem asn import bad.856
# L-1 is shipped in full by now: this one ships from L-4
sed 's/^REF\*LT\*L-1~/REF*LT*L-4~/' a.856 | tr '*~' '^!' | sed 's/SHIP-0002/SHIP-0003/' > other-terms.856
ok "separators are the ones ISA names (^ and !)" q --key sam.pem asn import other-terms.856

# ---- receipts
ok "a buyer receives a ship notice, with a discrepancy" q asn receive ASN-000001 --date 2099-12-12 --qty L-1:19 --note "one scrapped in transit"
check "  shipped and received stand side by side" \
	sh -c 'q asn export --csv | grep -q "^ASN-000001,PO-1,acme,2099-12-10,UPS,1Z999,CTN-1,L-1,1,PN-1,20,19,2099-12-12"'
fails 1 "ship notice 'ASN-000001' was received already" "a ship notice received twice" q asn receive ASN-000001
fails 1 "lot 'L-9' is not in ship notice 'ASN-J1'" "a receipt naming a lot not shipped" q asn receive ASN-J1 --date 2099-12-20 --qty L-9:1
fails 1 "received date 2099-12-01 is before the ship date 2099-12-11" "a receipt before the shipment" \
	q asn receive ASN-J1 --date 2099-12-01
fails 1 "user 'sam' may not receive shipments" "a supplier may not record receipts" q --key sam.pem asn receive ASN-J1
fails 1 "no ship notice 'ASN-404'" "an unknown ship notice" q asn receive ASN-404
ok "  the whole of line 2 is received" q asn receive ASN-J1 --date 2099-12-20
fails 1 "line 2 of PO 'PO-1' is closed: all 5 were received" "a status for a closed line" \
	q --key sam.pem status PO-1:2 shipped
q --key sam.pem lot add L-30 --po PO-3 --part PN-1 --qty 10 > /dev/null
q --key sam.pem asn add --id ASN-P3 --po PO-3 --ship-date 2099-11-01 --package C:L-30:10 > /dev/null 2>&1
q asn receive ASN-P3 --date 2099-11-02 > /dev/null
fails 1 "PO 'PO-3' is closed: every line was received in full" "a status for a closed PO" \
	q --key sam.pem status PO-3 in-progress

# ---- nonconformance
ok "quality opens an NCR on a lot, citing a document" \
	q ncr add --lot L-1 --reason "burr on edge B" --disposition rework --doc COC-1@A
ok "  and another" q ncr add --lot L-2 --reason "wrong finish"
ok "  and closes the first with a disposition" q ncr close NCR-000001 --disposition use-as-is --note "MRB 12"
check "ncr list: open and closed, linked to lot, PO and supplier" sh -c '
	q ncr list > n.txt && grep -q "^NCR-000001 closed lot L-1 (PO PO-1, acme): burr on edge B; closed: use-as-is" n.txt &&
	grep -q "^NCR-000002 open   lot L-2" n.txt && q ncr list --json | grep -q "\"docs\": \"COC-1@A\""'
fails 1 "user 'sam' may not open nonconformance reports" "a supplier may not write an NCR" \
	q --key sam.pem ncr add --lot L-1 --reason "self-reported"
fails 1 "nonconformance report 'NCR-000001' is closed already" "closing twice" q ncr close NCR-000001 --disposition scrap
fails 2 "ncr close: --disposition 'burn' is not one of use-as-is," "an unknown disposition (a usage error)" q ncr close NCR-000002 --disposition burn
fails 1 "no lot 'L-404'" "an NCR on an unknown lot" q ncr add --lot L-404 --reason x
fails 1 "no nonconformance report 'NCR-999999'" "closing an unknown NCR" q ncr close NCR-999999 --disposition scrap
check "a supplier sees only its own NCRs" sh -c '! q --key zed.pem ncr list | grep -q acme'

check "trace po shows the promises (the slip beside the first), status, shipments, receipts, NCRs" sh -c '
	q trace po PO-1 > tp.txt && grep -q "PO ack 1: accepted, promised 2099-12-01 by sam" tp.txt &&
	grep -q "PO ack 2 line 1: accepted, promised 2099-12-15 by sam" tp.txt &&
	grep -q "status line 1: in-progress by sam" tp.txt &&
	grep -q "shipped ASN-000001 2099-12-10: 20 of lot L-1 line 1 in CTN-1, received 19 on 2099-12-12" tp.txt &&
	grep -q "NCR-000001 on lot L-1: burr on edge B (closed, use-as-is)" tp.txt &&
	q trace po PO-1 --json | grep -q "\"po_acknowledgments\""'

# ---- exports
check "asn export as JSON" sh -c 'q asn export | grep -q "\"asn\": \"SHIP-0001\""'
check "status export as CSV, quoted where needed" \
	sh -c 'q status export --csv > s.csv && head -1 s.csv | grep -q "^po,line,seq,status,note,org,reported_by,reported_at" && grep -q "\"waiting for bar, stock\"" s.csv'
check "a supplier's export holds only its own" sh -c '! q --key zed.pem asn export | grep -q acme'
fails 1 "a supplier exports only its own organization's ship notices" "a supplier exporting another's" \
	q --key zed.pem asn export --org acme

# ---- scorecard
check "scorecard: per supplier, on time against promise and due date, quantity accuracy, acks, NCRs" sh -c '
	q scorecard > sc.txt && grep -q "^acme" sc.txt && grep -q "quantity accuracy   .*/" sc.txt &&
	grep -q "NCRs                2, 1 open" sc.txt && grep -q "^zenith" sc.txt'
check "scorecard --json" sh -c '
	q scorecard --json --org acme > sc.json && grep -q "\"on_time_promised\"" sc.json && grep -q "\"month\": \"2099-12\"" sc.json &&
	! grep -q zenith sc.json'
check "scorecard --from --to bounds the receipts counted" \
	sh -c 'q scorecard --json --org acme --from 2099-12-15 --to 2099-12-31 | grep -q "\"deliveries\": 1,"'
check "scorecard --html: one self-contained page with an SVG chart, no scripts, nothing fetched" sh -c '
	q scorecard --html sc.html > /dev/null && grep -q "<svg" sc.html && grep -q "<rect" sc.html &&
	! grep -qi "<script\|src=\|href=\|@import\|url(" sc.html'
echo precious > precious.txt && ln -s precious.txt link.html && ln -s nowhere.html dangling.html
fails 1 "'link.html' exists; use --force to overwrite" "scorecard --html does not write through a symlink" \
	q scorecard --html link.html
check "  the file it points to is untouched" sh -c 'test "$(cat precious.txt)" = precious && test -L link.html'
fails 1 "'dangling.html' exists; use --force to overwrite" "  nor through a dangling one" q scorecard --html dangling.html
check "  which still points nowhere" sh -c 'test -L dangling.html && ! test -e nowhere.html'
fails 1 "'sc.html' exists; use --force to overwrite" "scorecard --html does not overwrite a file, as export -o" \
	q scorecard --html sc.html
fails 1 "a supplier sees only its own organization's scorecard" "a supplier's scorecard of another" \
	q --key zed.pem scorecard --org acme
fails 1 "the period ends \(2099-01-01\) before it begins \(2099-12-01\)" "a period backwards" \
	q scorecard --from 2099-12-01 --to 2099-01-01

# ---- the index is derived; verify checks the portal's records
for c in "asn export" "status export --csv" "ncr list --json" "scorecard --json"; do q $c > "before-$(echo $c | tr ' ' _)"; done
rm -f v/qvault/index.db v/qvault/index.db-wal v/qvault/index.db-shm
check "a deleted index rebuilds to the same exports, NCRs and scorecard" sh -c '
	for c in "asn export" "status export --csv" "ncr list --json" "scorecard --json"; do
		q $c 2>/dev/null | cmp -s - "before-$(echo $c | tr " " _)" || exit 1; done'
check "reindex too" sh -c 'q reindex > /dev/null && q scorecard --json | cmp -s - before-scorecard_--json'
check "verify and git fsck are clean" sh -c 'q verify > /dev/null && git -C v fsck --strict 2>/dev/null'

# forged around qvault, signed with registered suppliers' ssh-keygen keys
ssh-keygen -q -t ed25519 -N '' -C sid -f sid
ssh-keygen -q -t ed25519 -N '' -C zoe -f zoe
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add zoe --org zenith --role supplier --pubkey zoe.pub > /dev/null
cp -r v f1 && cp -r v f2 && cp -r v f3 && cp -r v f4 && cp -r v f5
N=$(printf 'NCR-000666' | sha256sum | cut -c1-4)
printf '{"record":"ncr","format":1,"ncr":"NCR-000666","lot":"L-1","po":"PO-1","supplier":"acme","reason":"x","opened_by":"sid","opened_at":"2026-01-01T00:00:00Z"}\n' > ncr.json
forge f1 sid "ncr add NCR-000666" "ncrs/$(echo $N | cut -c1-2)/$(echo $N | cut -c3-4)/NCR-000666/ncr.json=ncr.json"
check "a supplier's NCR, forged around the CLI, is caught" \
	culprit f1 "ncr.json: user 'sid' may not open nonconformance reports"
printf '{"record":"po-ack","format":1,"po":"PO-1","seq":9,"decision":"accepted","promise":"2099-01-01","org":"zenith","signed_by":"zoe","fingerprint":"x","signed_at":"2026-01-01T00:00:00Z"}\n' > ack.json
forge f2 zoe "po ack PO-1" "$(ackdir PO-1 acks | cut -d: -f2-)/000009-zoe.json=ack.json"
check "another organization's PO acknowledgment, forged around the CLI, is caught" \
	culprit f2 "000009-zoe.json: user 'zoe' of 'zenith' answers PO 'PO-1' of 'acme'"
A=$(printf 'ASN-666' | sha256sum | cut -c1-4)
printf '{"record":"asn","format":1,"asn":"ASN-666","po":"PO-1","supplier":"acme","ship_date":"2099-01-01","source":"qvault","packages":[{"id":"C","lot":"Z-1","line":1,"part":"PN-9","qty":1}],"created_by":"sid","created_at":"2026-01-01T00:00:00Z"}\n' > asn.json
forge f3 sid "asn add ASN-666" "asns/$(echo $A | cut -c1-2)/$(echo $A | cut -c3-4)/ASN-666/asn.json=asn.json"
check "a ship notice of another PO's lot, forged around the CLI, is caught" \
	culprit f3 "asn.json: the ship notice ships lot 'Z-1' of PO 'PO-2' against PO 'PO-1'"
R=$(printf 'SHIP-0001' | sha256sum | cut -c1-4)
printf '{"record":"receipt","format":1,"asn":"SHIP-0001","received":"2099-01-01","items":[],"received_by":"sid","received_at":"2026-01-01T00:00:00Z"}\n' > rcpt.json
forge f4 sid "asn receive SHIP-0001" "asns/$(echo $R | cut -c1-2)/$(echo $R | cut -c3-4)/SHIP-0001/receipt.json=rcpt.json"
check "a supplier's receipt of its own shipment, forged around the CLI, is caught" \
	culprit f4 "receipt.json: user 'sid' may not receive shipments"
printf '{"record":"status","format":1,"po":"PO-1","seq":99,"status":"on-hold","org":"zenith","reported_by":"zoe","reported_at":"2026-01-01T00:00:00Z"}\n' > st.json
forge f5 zoe "status PO-1" "$(ackdir PO-1 status | cut -d: -f2-)/000099-zoe.json=st.json"
check "another organization's status report, forged around the CLI, is caught" \
	culprit f5 "000099-zoe.json: user 'zoe' of 'zenith' answers PO 'PO-1' of 'acme'"

# ---- a hook on the portal's writes (issue #6): pre-asn sees the ship notice
q po add PO-7 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-70 --po PO-7 --part PN-1 --qty 10 > /dev/null
mkdir -p v/hooks
printf '#!/bin/sh\njq -e ".changes[].record | select(.record? == \\"asn\\") | .carrier" > /dev/null || { echo "name the carrier"; exit 1; }\n' > v/hooks/pre-asn
chmod +x v/hooks/pre-asn
fails 1 "the pre-asn hook refused: name the carrier" "a pre-asn hook refuses a ship notice without a carrier" \
	q --key sam.pem asn add --po PO-7 --ship-date 2099-12-10 --package CTN-8:L-70:1
ok "  and lets one with a carrier through" \
	q --key sam.pem asn add --po PO-7 --ship-date 2099-12-10 --carrier DHL --package CTN-8:L-70:1
rm v/hooks/pre-asn

# ---- a lot ships no more than it holds, across notices and within one
q po add PO-8 --supplier acme --line PN-1:100:DWG-1@C > /dev/null
q --key sam.pem lot add L-80 --po PO-8 --part PN-1 --qty 5 > /dev/null
ok "a lot of 5 ships 3" q --key sam.pem asn add --po PO-8 --ship-date 2099-12-10 --package P1:L-80:3
fails 1 "package 'P2': ships 3 of lot 'L-80', which has 2 left of 5" \
	"the same lot shipped again beyond what it holds" \
	q --key sam.pem asn add --po PO-8 --ship-date 2099-12-11 --package P2:L-80:3
fails 1 "package 'P4': ships 1 of lot 'L-80', which has 0 left of 5" \
	"two packages of one notice together beyond the lot" \
	q --key sam.pem asn add --po PO-8 --ship-date 2099-12-11 --package P3:L-80:2 --package P4:L-80:1

# ---- the same through qvault shell (an authorized_keys command, issue #6)
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
ok "through qvault shell: a supplier acknowledges its PO" as sam po ack PO-1 --line 1 --promise 2099-12-20
check "  signed by the server, naming sam" sh -c '
	git -C v log -1 --format=%B | grep -qx "Qvault-On-Behalf-Of: sam" &&
	git -C v log -1 --format=%B | grep -q "^Qvault-Op: po-ack"'
fails 1 "^qvault: no PO 'PO-1'$" \
	"through qvault shell: acknowledging another supplier's PO" as zed po ack PO-1 --promise 2099-12-01
fails 1 "promise date 2000-01-01 is before the order date" \
	"through qvault shell: a promise date before the order date" as sam po ack PO-1 --promise 2000-01-01
fails 1 "package 'CTN-9': ships 31 of line 1 of PO 'PO-1'" \
	"through qvault shell: a ship notice over the open quantity" \
	as sam asn add --po PO-1 --ship-date 2099-12-10 --package CTN-9:L-4:31
fails 1 "package 'CTN-9': no lot 'L-404'" "through qvault shell: a ship notice for an unknown lot" \
	as sam asn add --po PO-1 --ship-date 2099-12-10 --package CTN-9:L-404:1
fails 1 "line 2 of PO 'PO-1' is closed" "through qvault shell: a status for a closed line" \
	as sam status PO-1:2 shipped
grep -v '^BSN' a.856 | sed 's/^SE\*23\*/SE*22*/' > bad.856
fails 1 "transaction set '0001' has no BSN segment" "through qvault shell: an 856 with a missing segment" \
	sh -c 'SSH_ORIGINAL_COMMAND="asn import -" q -C v shell --user sam < bad.856'
sed 's/^SE\*23\*/SE*22*/' a.856 > bad.856
fails 1 "SE01 says 22 segments" "through qvault shell: an 856 with a wrong SE01 count" \
	sh -c 'SSH_ORIGINAL_COMMAND="asn import -" q -C v shell --user sam < bad.856'
fails 2 "'bad.856' would be a file on the server" "through qvault shell: an 856 named by a server path" \
	as sam asn import bad.856
fails 1 "'ncr add' is not allowed for 'sam'" "through qvault shell: a supplier writing an NCR" \
	as sam ncr add --lot L-1 --reason x
fails 2 "option '--html' names a file on the server" "through qvault shell: scorecard --html" \
	as sam scorecard --html /tmp/x.html
check "through qvault shell: a supplier's scorecard and exports are its own" sh -c '
	SSH_ORIGINAL_COMMAND="asn export" q -C v shell --user zed > z.json && ! grep -q acme z.json'
ok "verify accepts what the server signed for its suppliers" q verify

done_testing
