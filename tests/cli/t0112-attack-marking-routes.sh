#!/bin/sh
# Attack (a supplier user not cleared for a marked drawing): every route
# around `show` and `cat` that names a revision.  A buyer's PO to acme
# names DWG-X@A (ITAR) on its line; sam (acme, a U.S. person) acknowledges
# it; eve (acme, no attestation) builds a lot on the PO.  The PO line
# itself is the buyer's order to eve's organization and names the drawing
# by number (kept: hiding it would leave the order without what to build
# to, and a number is not the technical data); what eve must not get is
# the revision's bytes, its record, and the acknowledgment record of the
# co-worker who was cleared for it (which says the revision exists and who
# of acme holds a U.S.-person attestation): trace lot, trace po and log
# gave that until now.
. "$(dirname "$0")/lib.sh"

LATER=$(date -u -d '+400 days' +%Y-%m-%d)
vault_v sam:acme eve:acme
add_buyer bea
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
make_pdf itar.pdf "an ITAR drawing"
make_pdf open.pdf "an open drawing"
q --key bea.pem release DWG-X --rev A itar.pdf --to acme --marking ITAR > /dev/null
q --key bea.pem release DWG-1 --rev A open.pdf --to acme > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line "PN-1:5:DWG-X@A" --line "PN-2:5:DWG-1@A" > /dev/null
q --key sam.pem ack DWG-X@A > /dev/null
q --key sam.pem ack DWG-1@A > /dev/null
q --key eve.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
q --key bea.pem link DWG-X@A --lot L-1 > /dev/null
E="q --key $TMP/eve.pem"
S="q --key $TMP/sam.pem"
export E S

# ---- held before: the bytes and the record stay out of reach --------------------
fails 1 "no document 'DWG-X'" "eve: show DWG-X@A answers as for no document" $E show DWG-X@A
fails 1 "no document 'DWG-X'" "  acks DWG-X as well" $E acks DWG-X
check "  the lot's bundle carries no file of DWG-X, nor names it attached" sh -c '
	$E export --lot L-1 -o l.zip > /dev/null 2>&1 && ! unzip -Z1 l.zip | grep -q "^documents/" &&
	unzip -p l.zip trace.json | jq -e ".documents == []" > /dev/null'
check "  trace lot --json: no attached document (the link is the buyer's, of a hidden revision)" sh -c '
	$E trace lot L-1 --json | jq -e ".documents == []" > /dev/null'

# ---- broke: sam's acknowledgment of DWG-X@A ------------------------------------------
check "eve: trace lot L-1 does not give sam's acknowledgment of DWG-X@A" sh -c '
	$E trace lot L-1 > t.txt && grep -q "built to  DWG-X@A (PO line 1)" t.txt &&
	! grep -q "sam" t.txt && grep -q "not acknowledged by acme" t.txt &&
	$E trace lot L-1 --json | jq -e ".acknowledgment == null" > /dev/null'
check "  nor does the lot's bundle (its trace.json)" sh -c '
	unzip -p l.zip trace.json | jq -e ".acknowledgment == null" > /dev/null &&
	! unzip -p l.zip trace.txt | grep -q sam'
check "  trace po PO-1: sam's acknowledgment of DWG-1@A, not of DWG-X@A" sh -c '
	$E trace po PO-1 --json > t.json &&
	jq -e "[.acknowledgments[] | .doc] == [\"DWG-1\"]" t.json > /dev/null &&
	! $E trace po PO-1 | grep -q "DWG-X@A received"'
check "  log: no commit of sam's acknowledging DWG-X@A, the one of DWG-1@A kept" sh -c '
	$E log > l.txt && ! grep -q "ack DWG-X@A" l.txt && grep -q "ack DWG-1@A received by sam" l.txt &&
	grep -q "lot add L-1" l.txt'
check "  nor log --json" sh -c '! $E log --json | grep -q "DWG-X@A received"'
check "  nor the shell's log and trace" sh -c '
	SSH_ORIGINAL_COMMAND=log q shell --user eve > l.txt && ! grep -q "ack DWG-X" l.txt &&
	SSH_ORIGINAL_COMMAND="trace lot L-1" q shell --user eve > t.txt && ! grep -q sam t.txt'

# ---- what cleared users and the buyer see is unchanged -----------------------------------
check "sam sees its acknowledgment everywhere" sh -c '
	$S trace lot L-1 | grep -q "acknowledged received by sam (acme)" &&
	$S trace po PO-1 | grep -q "DWG-X@A received by sam" && $S log | grep -q "ack DWG-X@A received by sam"'
check "  and the buyer too" sh -c '
	q --key bea.pem trace lot L-1 | grep -q "acknowledged received by sam" &&
	q --key bea.pem trace po PO-1 --json | jq -e "(.acknowledgments | length) == 2" > /dev/null &&
	q --key bea.pem log | grep -q "ack DWG-X@A received by sam"'
ok "verify holds" q verify
done_testing
