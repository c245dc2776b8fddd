#!/bin/sh
# qvault serve, the write side: every route that records something, driven
# with curl.  Each write goes through the writer, which checks the token
# and every field itself and writes one commit signed by the server for the
# token's user (Qvault-On-Behalf-Of); each refusal is a JSON error with its
# status and leaves the vault exactly as it was.
. "$(dirname "$0")/lib.sh"

if ! command -v curl > /dev/null || ! command -v python3 > /dev/null; then
	_skip "no curl or python3 (scripts/deps installs them)"
	done_testing
	exit 0
fi

vault_v sam:acme
# sam signs acknowledgments with ssh-keygen, with its own key: the same
# key, in OpenSSH's file format (OpenSSH 9.2 reads no PKCS#8 Ed25519)
python3 - <<'PY'
import os
from cryptography.hazmat.primitives import serialization as s
key = s.load_pem_private_key(open("sam.pem", "rb").read(), None)
fd = os.open("sam.ssh", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, key.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()))
os.close(fd)
PY
add_supplier zed zenith
# eve of acme signs with an ECDSA key of stock ssh-keygen's
ssh-keygen -q -t ecdsa -b 256 -N '' -C eve -f eve
q --key "$TMP/admin.pem" user add eve --org acme --role supplier --pubkey eve.pub > /dev/null
add_buyer bea
make_pdf a.pdf A
make_pdf z.pdf Z
q --key bea.pem release DWG-1 --rev A a.pdf --to acme > /dev/null
q --key bea.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:50:DWG-1@A --line PN-2:5:DWG-1@A > /dev/null
q --key bea.pem po add PO-2 --supplier zenith --line PN-9:10:DWG-Z@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 30 --made 2099-01-10 > /dev/null
q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 30 --made 2099-01-11 > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part PN-2 --qty 5 > /dev/null
SAM=$(tok --user sam --scope write)
SAM_R=$(tok --user sam)
ZED=$(tok --user zed --scope write)
BEA=$(tok --user bea --scope write)
QA=$(tok --user tester --scope write)
EVE=$(tok --user eve --scope write)

serve_start
q keys allowed-signers > signers

J='-H Content-Type:application/json'
F='-H Content-Type:application/octet-stream'

# recorded USER DESC METHOD PATH TOKEN [CURL ARGS...]: the answer is 201,
# with one new commit, signed by the server (stock git verifies it) for
# USER (its Qvault-On-Behalf-Of), and qvault verify finds nothing wrong
recorded() {
	ru=$1 rd=$2; shift 2
	head0=$(git -C v rev-parse HEAD)
	if ! api 201 "$@" 2> "$TMP/.err"; then
		_fail "$rd" "$(cat "$TMP/.err")"
	elif [ "$(git -C v rev-parse HEAD~1)" != "$head0" ]; then
		_fail "$rd" "not one new commit"
	elif ! git -C v log -1 --format=%B | grep -qx "Qvault-On-Behalf-Of: $ru"; then
		_fail "$rd" "the commit is not for $ru: $(git -C v log -1 --format=%B | tail -3)"
	elif ! git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$TMP/signers" \
		verify-commit HEAD 2> "$TMP/.err"; then
		_fail "$rd" "stock git does not verify it: $(cat "$TMP/.err")"
	elif ! q verify > "$TMP/.out" 2>&1; then
		_fail "$rd" "qvault verify: $(head -3 "$TMP/.out")"
	else
		_pass "$rd"
	fi
}

# ---- acknowledging a revision: the statement from the vault, signed here
check "the statement sam would sign, made by the vault, which records nothing" \
	evalq "H=\$(git -C v rev-parse HEAD) &&
	       api 200 GET 'documents/DWG-1/A/statement?meaning=received' '$SAM' &&
	       is 'd[\"namespace\"]' qvault-ack &&
	       is 'json.loads(d[\"statement\"])[\"predicate\"][\"signer\"][\"name\"]' sam &&
	       test \"\$H\" = \"\$(git -C v rev-parse HEAD)\""
python3 -c 'import json; open("stmt", "w", newline="", encoding="utf-8").write(json.load(open("body.json"))["statement"])'
check "  which ssh-keygen signs with sam's own key" \
	ssh-keygen -q -Y sign -n qvault-ack -f sam.ssh stmt
python3 -c 'import json; print(json.dumps({"statement": open("stmt", encoding="utf-8").read(),
	"signature": open("stmt.sig").read(), "meaning": "received"}))' > ack.json
refused 403 "may only read" "a read token gets no statement to sign" \
	GET 'documents/DWG-1/A/statement?meaning=received' "$SAM_R"
ssh-keygen -q -t ed25519 -N '' -C rogue -f rogue
cp stmt rogue-stmt
ssh-keygen -q -Y sign -n qvault-ack -f rogue rogue-stmt
python3 -c 'import json; print(json.dumps({"statement": open("stmt", encoding="utf-8").read(),
	"signature": open("rogue-stmt.sig").read()}))' > rogue.json
refused 400 "not signed by the key of 'sam'" "sam's statement signed with another key: 400" \
	POST documents/DWG-1/A/acks "$SAM" $J --data-binary @rogue.json
refused 403 "may only read" "a read token may not acknowledge" \
	POST documents/DWG-1/A/acks "$SAM_R" $J --data-binary @ack.json
refused 400 "malformed JSON" "malformed JSON: 400" \
	POST documents/DWG-1/A/acks "$SAM" $J --data-binary '{"statement": '
refused 415 "send application/json" "a wrong Content-Type: 415" \
	POST documents/DWG-1/A/acks "$SAM" -H 'Content-Type: text/plain' --data-binary @ack.json
refused 400 "signature" "a missing signature: 400" \
	POST documents/DWG-1/A/acks "$SAM" $J --data-binary '{"statement": "{}"}'
refused 400 "does not say 'approved'" "a meaning the statement does not say: 400" \
	POST documents/DWG-1/A/acks "$SAM" $J --data-binary "$(sed 's/"meaning": "received"/"meaning": "approved"/' ack.json)"
refused 403 "acknowledge" "a buyer may not submit the supplier's acknowledgment" \
	POST documents/DWG-1/A/acks "$BEA" $J --data-binary @ack.json
refused 404 "no document 'DWG-1'" "another organization's supplier: as if it did not exist" \
	POST documents/DWG-1/A/acks "$ZED" $J --data-binary @ack.json
refused 400 "another revision" "a statement posted to another revision" \
	POST documents/DWG-Z/A/acks "$SAM" $J --data-binary @ack.json
recorded sam "sam's acknowledgment signed with ssh-keygen: 201, a commit for sam" \
	POST documents/DWG-1/A/acks "$SAM" $J --data-binary @ack.json
check "  answered as acks --json shows it" \
	evalq "is 'd[\"name\"]' sam && is 'd[\"meaning\"]' received && is 'd[\"org\"]' acme"
ACK=$(git -C v ls-tree -r --name-only main | grep '/DWG-1/A/acks/sam-received.json$')
check "  the stored statement is the bytes sam signed; ssh-keygen verifies it" \
	evalq "git -C v show 'main:$ACK' > got.json && cmp got.json stmt &&
	       git -C v show 'main:$ACK.sig' > got.sig &&
	       ssh-keygen -Y verify -f signers -I sam@acme -n qvault-ack -s got.sig < got.json > /dev/null 2>&1"
refused 409 "already received" "the same signature again: 409" \
	POST documents/DWG-1/A/acks "$SAM" $J --data-binary @ack.json

# An ECDSA signature has two valid spellings, (r, s) and (r, n - s);
# ssh-keygen gives either at random.  eve's is made the high one here,
# as ssh-keygen gives it half the time: taken, and stored as the low one.
api 200 GET 'documents/DWG-1/A/statement?meaning=received' "$EVE"
python3 -c 'import json; open("eve-stmt", "w", newline="", encoding="utf-8").write(json.load(open("body.json"))["statement"])'
ssh-keygen -q -Y sign -n qvault-ack -f eve eve-stmt
ecdsa_s eve-stmt.sig high > eve-high.sig
check "  (eve's signature made the high s, which ssh-keygen still verifies)" \
	evalq "[ \"\$(ecdsa_s eve-high.sig)\" = high ] &&
	       ssh-keygen -Y verify -f signers -I eve@acme -n qvault-ack -s eve-high.sig < eve-stmt > /dev/null 2>&1"
python3 -c 'import json; print(json.dumps({"statement": open("eve-stmt", encoding="utf-8").read(),
	"signature": open("eve-high.sig").read(), "meaning": "received"}))' > eve-ack.json
recorded eve "an ECDSA acknowledgment with the high s of stock ssh-keygen: 201" \
	POST documents/DWG-1/A/acks "$EVE" $J --data-binary @eve-ack.json
EACK=$(git -C v ls-tree -r --name-only main | grep '/DWG-1/A/acks/eve-received.json$')
check "  stored as the low s, the same signature otherwise, which ssh-keygen verifies" \
	evalq "git -C v show 'main:$EACK.sig' > eve-got.sig && [ \"\$(ecdsa_s eve-got.sig)\" = low ] &&
	       ecdsa_s eve-high.sig low | cmp - eve-got.sig &&
	       ssh-keygen -Y verify -f signers -I eve@acme -n qvault-ack -s eve-got.sig < eve-stmt > /dev/null 2>&1"

# ---- PO acknowledgments
refused 404 "no PO 'PO-1'" "a supplier acknowledging another organization's PO: 404" \
	POST pos/PO-1/acks "$ZED" $J --data-binary '{"promise": "2099-12-01"}'
refused 403 "supplier" "a buyer may not acknowledge a supplier's PO" \
	POST pos/PO-1/acks "$BEA" $J --data-binary '{"promise": "2099-12-01"}'
refused 400 "give a promise" "neither a promise nor a rejection: 400" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"note": "soon"}'
refused 400 "'qty' must be a whole number" "a quantity that is not a number: 400" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-01", "lines": [{"line": 1, "qty": "50"}]}'
refused 400 "unknown field 'bogus'" "a field the route does not take: 400" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-01", "bogus": 1}'
recorded sam "sam acknowledges PO-1 with a promise: 201" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-01"}'
check "  answered with the PO as GET pos/PO-1 shows it" \
	evalq "is 'd[\"acknowledgments\"][-1][\"promise\"]' 2099-12-01 && cp body.json po-ack.json &&
	       api 200 GET pos/PO-1 '$SAM_R' && is 'd == json.load(open(\"po-ack.json\"))' True"
recorded sam "  and its lines, each with the body's promise unless its own: one commit" \
	POST pos/PO-1/acks "$SAM" $J --data-binary '{"promise": "2099-12-15", "note": "heat treat", "lines": [{"line": 1, "qty": 50}, 2]}'
check "  both lines answered" evalq "is 'len(d[\"acknowledgments\"])' 3"

# ---- status reports
refused 404 "^(status 1: )?no PO 'PO-1'$" "a status for another organization's PO: 404 (no upload path in the message)" \
	POST status "$ZED" $J --data-binary '{"po": "PO-1", "status": "started"}'
refused 400 "bogus" "an unknown status: 400" \
	POST status "$SAM" $J --data-binary '{"po": "PO-1", "status": "bogus"}'
refused 415 "send application/json" "a status as a file: 415" \
	POST status "$SAM" $F --data-binary '{"po": "PO-1", "status": "started"}'
recorded sam "one status report: 201" \
	POST status "$SAM" $J --data-binary '{"po": "PO-1", "line": 1, "status": "in-progress", "note": "op 20 of 40"}'
check "  one recorded" evalq "is 'd[\"recorded\"]' 1"
recorded sam "a list of them, in one commit" \
	POST status "$SAM" $J --data-binary '[{"po": "PO-1", "status": "started"}, {"po": "PO-1", "line": 2, "status": "on-hold"}]'
check "  two recorded" evalq "is 'd[\"recorded\"]' 2"

# ---- ship notices and their receipts
ASN='{"po": "PO-1", "ship_date": "2099-12-10", "carrier": "UPS", "packages": [{"id": "CTN-1", "lot": "L-1", "qty": 20}]}'
refused 404 "PO 'PO-1'" "a ship notice on another organization's PO: refused" \
	POST asns "$ZED" $J --data-binary "$ASN"
refused 403 "supplier" "a buyer may not send a supplier's ship notice" \
	POST asns "$BEA" $J --data-binary "$ASN"
refused 415 "application/json or application/edi-x12" "a ship notice as text/plain: 415" \
	POST asns "$SAM" -H 'Content-Type: text/plain' --data-binary "$ASN"
recorded sam "a ship notice as JSON: 201" POST asns "$SAM" $J --data-binary "$ASN"
recorded sam "an X12 856 interchange: 201" \
	POST asns "$SAM" -H 'Content-Type: application/edi-x12' --data-binary @"$FIXTURES/856/ship-notice.856"
check "  its ship notice is in the vault" \
	evalq "is 'd[\"recorded\"]' 1 && git -C v ls-tree -r --name-only main | grep -q '/SHIP-0001/asn.json$'"
refused 403 "buyer|quality" "a supplier may not receive its own ship notice" \
	POST asns/ASN-000001/receipts "$SAM" $J --data-binary '{"lots": {"L-1": 19}}'
refused 400 "'qty' must be a whole number" "a quantity received that is not a number: 400" \
	POST asns/ASN-000001/receipts "$QA" $J --data-binary '{"lots": [{"lot": "L-1", "qty": "19"}]}'
recorded tester "quality receives it, one short: 201" \
	POST asns/ASN-000001/receipts "$QA" $J --data-binary '{"lots": {"L-1": 19}, "date": "2099-12-11", "note": "one short"}'
check "  answered with its packages as asn export shows them" \
	evalq "is 'd[\"packages\"][0][\"received\"]' 19"
refused 409 "" "a ship notice is received once" \
	POST asns/ASN-000001/receipts "$QA" $J --data-binary '{"date": "2099-12-12"}'

# ---- nonconformance reports
NCR='{"lot": "L-1", "reason": "burr on edge", "disposition": "rework", "docs": ["DWG-1@A"]}'
refused 403 "buyer|quality" "a supplier may not open an NCR" POST ncrs "$SAM" $J --data-binary "$NCR"
refused 400 "'reason' is required" "an NCR without its reason: 400" \
	POST ncrs "$QA" $J --data-binary '{"lot": "L-1"}'
refused 400 "DOC@REV" "a cited document without its revision: 400" \
	POST ncrs "$QA" $J --data-binary '{"lot": "L-1", "reason": "x", "docs": ["DWG-1"]}'
recorded tester "quality opens an NCR: 201" POST ncrs "$QA" $J --data-binary "$NCR"
NCR_ID=$(python3 -c 'import json; print(json.load(open("body.json"))["ncr"])')
check "  answered as ncr list --json shows it" evalq "is 'd[\"lot\"]' L-1 && is 'd[\"state\"]' open"
refused 400 "unknown field 'ncr'" "the path names the NCR; the body may not" \
	POST "ncrs/$NCR_ID/close" "$QA" $J --data-binary '{"ncr": "NCR-9", "disposition": "scrap"}'
recorded bea "the buyer closes it: 201" \
	POST "ncrs/$NCR_ID/close" "$BEA" $J --data-binary '{"disposition": "use-as-is", "note": "within drawing"}'
check "  closed" evalq "is 'd[\"state\"]' closed"

# ---- a material certificate with its EN 10204 data, in one request
make_pdf mtr.pdf "mill cert H-77"
cat > mtr.json <<'JSON'
{"certificate_type": "3.1", "certificate_number": "MC-2291", "manufacturer": "Acme Mill",
 "product": "bar 25 mm", "grade": "EN AW-6061 T6", "heat_number": "H-77",
 "issue_date": "2026-10-01", "inspector": "J. Weber", "chemical": {"Si": 0.6, "Mg": 1.0}}
JSON
urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' "$1"; }
META=$(urlq mtr.json)
grep -v heat_number mtr.json > noheat.json
refused 400 "heat_number" "certificate data without its heat number: 400" \
	POST "documents/MTR-1?type=material-cert&name=mtr.pdf&meta=$(urlq noheat.json)" "$SAM" $F --data-binary @mtr.pdf
recorded sam "a material certificate and its data: 201" \
	POST "documents/MTR-1?type=material-cert&name=mtr.pdf&meta=$META" "$SAM" $F --data-binary @mtr.pdf
check "  its cert.json beside the record" \
	evalq "git -C v show \"main:\$(git -C v ls-tree -r --name-only main | grep '/MTR-1/A/cert.json$')\" | grep -q '\"heat_number\": \"H-77\"'"

# ---- a First Article Inspection package
mkdir -p pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 A"
cat > pkg/fai.json <<'JSON'
{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket", "serial_number": "SN-001",
 "fair_number": "FAIR-PN-1-001", "part_revision": "A", "drawing_number": "DWG-1", "drawing_revision": "A",
 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Sam Supplier", "signed_date": "2026-11-20"},
 "form2": [], "form3": [{"number": 1, "requirement": "6.0 +/-0.1", "result": "6.05"}],
 "attachments": ["ballooned.pdf"]}
JSON
q fai pack pkg -o fai.zip > /dev/null
check "(the package)" test -s fai.zip
refused 403 "user 'zed' of 'zenith' may not submit an FAI for 'acme'" "another organization's supplier may not file acme's FAI" \
	POST fai "$ZED" $F --data-binary @fai.zip
refused 415 "application/octet-stream" "a package as JSON: 415" POST fai "$SAM" $J --data-binary @fai.zip
before=$(api_state)
check "a truncated upload (Content-Length says more than comes): nothing recorded" \
	python3 - "$PORT" "$SAM" <<'PY'
import socket, sys
body = open("fai.zip", "rb").read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("POST /api/v1/fai HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
           % (sys.argv[2], len(body) + 1000)).encode() + body)
s.shutdown(socket.SHUT_WR)
got = s.recv(4096)
# the connection ends with the body cut short: no answer, or a refusal
sys.exit(0 if got == b"" or got[9:10] == b"4" else "answered %r" % got[:80])
PY
check "  and the vault is as it was" test "$before" = "$(api_state)"
refused 400 "does not match its SHA-256" "a package that does not match its X-Content-SHA256: 400" \
	POST fai "$SAM" $F --data-binary @fai.zip -H "X-Content-SHA256: $(sha256sum a.pdf | cut -d' ' -f1)"
recorded sam "sam files the FAI package: 201" POST "fai?lot=L-1" "$SAM" $F --data-binary @fai.zip \
	-H "X-Content-SHA256: $(sha256sum fai.zip | cut -d' ' -f1)"
check "  answered as fai show --json shows it" evalq "is 'd[\"fair\"]' FAIR-PN-1-001"

# ---- a buyer releases a new revision, with its file
make_pdf b.pdf B
refused 403 "buyer" "a supplier may not release" \
	POST "documents/DWG-1/B/release?to=acme&name=b.pdf" "$SAM" $F --data-binary @b.pdf
refused 400 "\\?to=ORG" "a release that names no organization: 400" \
	POST "documents/DWG-1/B/release?name=b.pdf" "$BEA" $F --data-binary @b.pdf
recorded bea "the buyer releases DWG-1@B to acme: 201" \
	POST "documents/DWG-1/B/release?to=acme&name=b.pdf&reason=ECN-1&part=PN-1" "$BEA" $F --data-binary @b.pdf
check "  answered as release --json shows it" evalq "is 'd[\"rev\"]' B && is 'd[\"state\"]' released"
check "  and sam sees it, and A superseded" \
	evalq "api 200 GET documents/DWG-1/A '$SAM_R' && is 'd[\"state\"]' superseded"

kill "$SERVE"
wait "$SERVE"
check "serve ends cleanly (exit 0)" test $? = 0

openapi_check "every API answer matches schemas/openapi.json"

done_testing
