#!/bin/sh
# Evidence bundles: everything a trace reaches, checked with stock tools
# (unzip, sha256sum -c, ssh-keygen -Y verify) as an auditor would.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier zed zenith
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-1:5:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C --meaning approved > /dev/null
make_pdf mtr.pdf "mill cert H-77"
make_pdf coc.pdf "CoC L-1"
q --key sam.pem add mtr.pdf --doc MTR-77 --type material-cert --field certificate_type=2.2 \
	--field certificate_number=M77 --field manufacturer=Mill --field product=bar --field grade=6061 \
	--field heat_number=H-77 --field issue_date=2026-10-01 > /dev/null
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --made 2099-01-01 --from H-77 --doc COC-1@A > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-1 --qty 1 > /dev/null

ok "export --lot writes a bundle" q export --lot L-1 -o b1.zip
check "  the same vault gives the same bytes" sh -c 'q export --lot L-1 -o b2.zip > /dev/null && cmp -s b1.zip b2.zip'
check "  stock unzip opens it" sh -c 'unzip -q b1.zip -d b1'
check "  with every document the trace reaches" sh -c '
	test -f b1/documents/DWG-1@C/c.pdf && test -f b1/documents/COC-1@A/coc.pdf &&
	test -f b1/documents/MTR-77@A/mtr.pdf && cmp -s b1/documents/COC-1@A/coc.pdf coc.pdf'
check "  each acknowledgment with its signature, allowed_signers, the trace" sh -c '
	test -f b1/acks/DWG-1@C/sam-received.json && test -f b1/acks/DWG-1@C/sam-received.json.sig &&
	test -f b1/acks/DWG-1@C/sam-approved.json.sig && test -s b1/allowed_signers &&
	grep -q "\"lot\": \"L-1\"" b1/trace.json && grep -q "MTR-77@A" b1/trace.txt'
check "sha256sum -c SHA256SUMS passes" sh -c 'cd b1 && sha256sum --quiet -c SHA256SUMS'
check "  and covers every other file of the bundle but its signatures" sh -c '
	cd b1 && [ "$(find . -type f ! -name SHA256SUMS ! -name "SHA256SUMS.*.sig" | wc -l)" = "$(wc -l < SHA256SUMS)" ] &&
	[ "$(ls SHA256SUMS.*.sig)" = "SHA256SUMS.qvault-server@owner.sig
SHA256SUMS.tester@owner.sig" ]'
check "the ssh-keygen commands of VERIFY.txt check every acknowledgment" sh -c '
	cd b1 && sed -n "/ssh-keygen -Y verify.*qvault-ack/,/< /p" VERIFY.txt > ../cmds.sh &&
	[ "$(grep -c "ssh-keygen" ../cmds.sh)" = 2 ] && sh -e ../cmds.sh > ../good.txt 2>&1 &&
	[ "$(grep -c "^Good \"qvault-ack\" signature for sam@acme" ../good.txt)" = 2 ]'
check "a changed document fails sha256sum -c" sh -c '
	cp -r b1 b3 && printf x >> b3/documents/COC-1@A/coc.pdf && cd b3 && ! sha256sum --quiet -c SHA256SUMS 2>/dev/null'
check "a changed statement fails ssh-keygen" sh -c '
	cd b3 && sed -i "s/received/approved/" acks/DWG-1@C/sam-received.json &&
	! ssh-keygen -Y verify -f allowed_signers -I sam@acme -n qvault-ack \
		-s acks/DWG-1@C/sam-received.json.sig < acks/DWG-1@C/sam-received.json > /dev/null 2>&1'
ok "export --po" q export --po PO-1 -o po.zip
check "  holds the PO's documents" sh -c 'unzip -l po.zip | grep -q "documents/COC-1@A/coc.pdf"'
ok "export --doc" q export --doc DWG-1@C -o doc.zip
check "  holds the revision and its acknowledgments" sh -c '
	unzip -l doc.zip > l.txt && grep -q "documents/DWG-1@C/c.pdf" l.txt && grep -q "acks/DWG-1@C/sam-received.json.sig" l.txt'
ok "a supplier exports its own lot" q --key sam.pem export --lot L-1 -o sam.zip

fails 1 "no lot 'Z-1'" "a supplier's export of another supplier's lot" q --key sam.pem export --lot Z-1 -o z.zip
fails 1 "no lot 'NOPE'" "an unknown lot" q export --lot NOPE -o n.zip
fails 1 "^qvault: 'b1.zip' exists; use --force to overwrite$" "an output that exists" q export --lot L-1 -o b1.zip
fails 2 "give one of --lot, --po, --doc" "no subject" q export -o x.zip
fails 2 "give one of --lot, --po, --doc" "two subjects" q export --lot L-1 --po PO-1 -o x.zip
fails 2 "-o BUNDLE.zip is required" "no output" q export --lot L-1
fails 2 "name the revision" "a document without a revision" q export --doc DWG-1 -o x.zip
check "nothing was left behind by the refusals" sh -c '[ ! -e z.zip ] && [ ! -e n.zip ] && [ ! -e x.zip ]'

done_testing
