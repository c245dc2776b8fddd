#!/bin/sh
# X12 856 interchanges as trading partners send them, which qvault
# refused though nothing was wrong (issue 22, "false rejections"): a byte
# order mark or blank lines before ISA, two interchanges in one file, no
# terminator after the last segment, HL levels qvault does not read, lots
# given in LIN (LT), at the pack (REF*LT) or as a batch (REF*BT), the PO in
# the item (automotive S/I), six-digit dates before version 004010; and an
# empty or non-X12 file said to be what it is.  The envelope checks stay.
# Each interchange is written here from the 856 layout.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
make_pdf c.pdf
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:500:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
for l in 1 2 3 4 5 6 7 8 9; do q --key sam.pem lot add L-$l --po PO-1 --part PN-1 --qty 50 > /dev/null; done

# notice ID LOT: S/O/P/I, one item of 1 of LOT
notice() {
	printf '%s\n' "BSN*00*$1*20261127*1200" 'HL*1**S' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*P' "MAN*GM*C-$1" \
		'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' "REF*LT*$2"
}
sql() { sqlite3 v/qvault/index.db "$1"; }
lot_of() { sql "SELECT group_concat(lot, ' ') FROM asn_items WHERE asn = '$1'"; }

# ---- the envelope ----------------------------------------------------------
{ printf '\357\273\277\r\n\r\n'; notice A-1 L-1 | x12; } > bom.856
ok "a byte order mark and blank lines before ISA" q --key sam.pem asn import bom.856
check "  the notice is recorded" test "$(lot_of A-1)" = L-1
{ notice A-2 L-2 | x12; notice A-3 L-3 | x12 004010 000000102 | tr '*~' '^!'; } > two.856
ok "two interchanges in one file (the second with other separators)" q --key sam.pem asn import two.856
check "  both notices are recorded, in one commit" evalq '
	test "$(lot_of A-2) $(lot_of A-3)" = "L-2 L-3" &&
	git -C v log -1 --format=%B | grep -q "^asn import 2 ship notices"'
notice A-4 L-4 | x12 | sed '$ s/~$//' | tr -d '\n' > noterm.856
ok "no terminator after the last segment (IEA) and no final newline" q --key sam.pem asn import noterm.856
check "  recorded" test "$(lot_of A-4)" = L-4
{ notice A-9 L-9 | x12; printf 'GARBAGE~\n'; } > after.856
fails 1 "after the interchange's IEA comes something else than an ISA" "something after IEA that is no interchange is refused" \
	q --key sam.pem asn import after.856
{ notice A-9 L-9 | x12; notice A-8 L-8 | x12 004010 000000102 | sed 's/^IEA\*1\*000000102/IEA*1*000000999/'; } > badiea.856
fails 1 "IEA02 '000000999' does not match ISA13 '000000102'" "the second interchange's envelope is checked as the first's" \
	q --key sam.pem asn import badiea.856
: > empty.856
fails 1 "'empty.856': the file is empty$" "an empty file is said to be empty (not a JSON error)" q --key sam.pem asn import empty.856
printf 'UNA:+.? '"'"'\nUNB+UNOA:2+SENDER+RECEIVER\n' > edifact.txt
fails 1 "'edifact.txt': the file is neither JSON nor an X12 interchange" "a file that is neither JSON nor X12 is said so" \
	q --key sam.pem asn import edifact.txt

# ---- the hierarchy -----------------------------------------------------------
printf '%s\n' 'BSN*00*B-1*20261127*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*P' 'MAN*GM*C-B1' \
	'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-5' 'HL*5*4*ZZ' 'REF*ZZ*SOMETHING' 'HL*6*2*Q' | x12 > levels.856
ok "HL levels qvault does not read (ZZ, Q) are passed over" q --key sam.pem asn import levels.856
check "  the item is recorded" test "$(lot_of B-1)" = L-5
printf '%s\n' 'BSN*00*B-2*20261127*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*P' 'MAN*GM*C-B2' \
	'HL*4*3*I' 'LIN*1*BP*PN-1*LT*L-6' 'SN1**1*EA' | x12 > linlot.856
ok "a lot given in the LIN (LT)" q --key sam.pem asn import linlot.856
check "  recorded" test "$(lot_of B-2)" = L-6
printf '%s\n' 'BSN*00*B-3*20261127*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*P' 'MAN*GM*C-B3' 'REF*LT*L-7' \
	'HL*4*3*I' 'LIN**UP*012345678905' 'SN1**3*EA' 'HL*5*2*P' 'MAN*GM*C-B3b' 'REF*BT*L-4' \
	'HL*6*5*I' 'LIN**BP*PN-1' 'SN1**2*EA' | x12 > packlot.856
ok "a lot given at the pack (REF*LT, REF*BT) for the item in it" q --key sam.pem asn import packlot.856
check "  each item recorded under its pack's lot" \
	test "$(sql "SELECT group_concat(package || ':' || lot || ':' || qty, ' ') FROM (SELECT * FROM asn_items WHERE asn = 'B-3' ORDER BY package)")" = "C-B3:L-7:3 C-B3b:L-4:2"
printf '%s\n' 'BSN*00*B-4*20261127*1200' 'HL*1**S' 'HL*2*1*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'PRF*PO-1' 'REF*BT*L-8' | x12 > auto.856
ok "automotive S/I: the PO in the item (PRF), the lot as a batch (REF*BT)" q --key sam.pem asn import auto.856
check "  recorded against PO-1, lot L-8" test "$(sql "SELECT a.po || ' ' || i.lot FROM asns a JOIN asn_items i ON i.asn = a.asn WHERE a.asn = 'B-4'")" = "PO-1 L-8"
printf '%s\n' 'BSN*00*B-5*261127*1200' 'HL*1**S' 'DTM*011*261126' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*P' 'MAN*GM*C-B5' \
	'HL*4*3*I' 'LIN**BP*PN-1' 'SN1**1*EA' 'REF*LT*L-9' | x12 003040 > old.856
ok "six-digit dates in a version before 004010 (003040)" q --key sam.pem asn import old.856
check "  read as 2026-11-26" test "$(sql "SELECT ship_date FROM asns WHERE asn = 'B-5'")" = 2026-11-26
sed 's/\*003040~/*004010~/; s/B-5/B-6/' old.856 > new6.856
fails 1 "X12 segment 4 \(BSN\): BSN03 '261127' is not a date \(CCYYMMDD\)$" "  but not from 004010 on" \
	q --key sam.pem asn import new6.856
printf '%s\n' 'BSN*00*B-7*20261127*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*I' 'LIN**BP*PN-1' 'SN1**1*EA' | x12 > nolot.856
fails 1 "item HL '3' names no lot \(REF\*LT or REF\*BT, LIN LT, its pack's REF\*LT, or a level under it naming one\)" "an item with no lot anywhere is still refused" \
	q --key sam.pem asn import nolot.856
printf '%s\n' 'BSN*00*B-7*20261127*1200' 'HL*1**S' 'HL*2*1*O' 'PRF*PO-1' 'HL*3*2*I' 'LIN*1*BP*PN-1*LT*L-1' 'SN1**1*EA' 'REF*LT*L-2' | x12 > twolots.856
fails 1 "the item names a second lot, 'L-1' and 'L-2'" "an item naming two lots is refused" \
	q --key sam.pem asn import twolots.856
ok "verify passes" q verify
done_testing
