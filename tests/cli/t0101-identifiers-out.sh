#!/bin/sh
# Identifiers as they really look, where they leave the vault: evidence
# bundles for PO '4500012345/10' and '../../x' keep every member inside the
# bundle's own folders; the API takes a name with '/' as one %2F-encoded
# path segment and answers it as given; a record forged at a path that is
# not its name's encoding is refused by verify.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
# bob, a buyer whose key stock ssh-keygen holds, for the forgeries
ssh_user bob owner buyer
make_pdf c.pdf "SO/VINCE1 rev A 1"
make_pdf x.pdf "the document named ../../x"
PO='4500012345/10' PART='000 260 056 524' LOT='24/117 A' DOC='SO/VINCE1' REV='A 1'
q release "$DOC" --rev "$REV" c.pdf --to acme > /dev/null
q release '../../x' --rev '../y' x.pdf --to acme > /dev/null
q po add "$PO" --supplier acme --line "$PART:50:$DOC@$REV" > /dev/null
q po add '../../x' --supplier acme --line "../p:5:../../x@../y" > /dev/null
q --key sam.pem ack "$DOC@$REV" > /dev/null
q --key sam.pem ack '../../x@../y' > /dev/null
q --key sam.pem lot add "$LOT" --po "$PO" --part "$PART" --qty 5 > /dev/null
q --key sam.pem lot add '../../l' --po '../../x' --part '../p' --qty 5 > /dev/null

# ---- bundles ----------------------------------------------------------------------------
# inside ZIP: every member of ZIP is a relative path with no '.' or '..'
# component, under documents/, certs/, acks/ or at the top
inside() {
	unzip -Z1 "$1" > "$1.members" && [ -s "$1.members" ] &&
	! grep -q '^/\|\(^\|/\)\.\.\?\(/\|$\)\|\\' "$1.members" &&
	! grep -v '^\(documents\|certs\|acks\)/[^/]*@[^/]*/[^/]*$' "$1.members" | grep -q /
}
ok "export --po 4500012345/10" q export --po "$PO" -o b.zip
check "  every member inside the bundle's folders (unzip -Z1)" inside b.zip
check "  the drawing at documents/SO%2FVINCE1@A%201/c.pdf, sam's statement at acks/SO%2FVINCE1@A%201/" sh -c '
	grep -qx "documents/SO%2FVINCE1@A%201/c.pdf" b.zip.members &&
	grep -qx "acks/SO%2FVINCE1@A%201/sam-received.json.sig" b.zip.members'
check "  unzipped into a folder, sha256sum -c passes, nothing beside the folder" sh -c '
	mkdir -p d1/ub && cd d1/ub && unzip -q ../../b.zip && sha256sum -c --quiet SHA256SUMS &&
	[ "$(ls ..)" = ub ]'
check "  trace.json names PO, part, lot and document as given" sh -c '
	unzip -p b.zip trace.json > t.json && grep -q "4500012345/10" t.json && grep -q "24/117 A" t.json &&
	grep -q "SO/VINCE1" t.json'
check "  VERIFY.txt checks sam's statement at its encoded path" sh -c "
	unzip -p b.zip VERIFY.txt | grep -q \"acks/SO%2FVINCE1@A%201/sam-received.json.sig\""
ok "export --po ../../x (accepted as a name)" q export --po '../../x' -o x.zip
check "  every member inside the bundle's folders (unzip -Z1)" inside x.zip
check "  the document at documents/%2E%2E%2F.%2E%2Fx@%2E%2E%2Fy/x.pdf" \
	grep -qx 'documents/%2E%2E%2F.%2E%2Fx@%2E%2E%2Fy/x.pdf' x.zip.members
check "  unzipped into a folder, nothing outside it" sh -c '
	mkdir -p deep/ux && cd deep/ux && unzip -q ../../x.zip && sha256sum -c --quiet SHA256SUMS &&
	[ ! -e ../x ] && [ ! -e ../../x ] && [ "$(ls ..)" = ux ]'
ok "export --lot ../../l" q export --lot '../../l' -o l.zip
check "  every member inside the bundle's folders" inside l.zip

# two names that differ in case only are two records (as they always were);
# a bundle holding both is refused, not written for a file system that folds case
q release CASE-1 --rev A c.pdf --to acme > /dev/null
q release case-1 --rev A x.pdf --to acme > /dev/null
q po add PO-CASE --supplier acme --line P1:1:CASE-1@A --line P2:1:case-1@A > /dev/null
fails 1 "the bundle would hold 'documents/CASE-1@A/' and 'documents/case-1@A/', one on a file system that ignores case" \
	"a bundle with CASE-1 and case-1 is refused" q export --po PO-CASE -o k.zip
check "  and nothing written" test ! -e k.zip

# ---- the API: a name with '/' is one segment, %2F-encoded -----------------------------------
need_curl
SAM=$(tok --user sam --scope write)
serve_start
check "GET pos/4500012345%2F10: the PO as given" evalq '
	api 200 GET "pos/4500012345%2F10" "$SAM" && is "d[\"po\"]" "4500012345/10" &&
	is "d[\"lines\"][0][\"part\"]" "000 260 056 524"'
check "GET lots/24%2F117%20A: the lot as given" evalq '
	api 200 GET "lots/24%2F117%20A" "$SAM" && is "d[\"lot\"][\"lot\"]" "24/117 A" && is "d[\"lot\"][\"po\"]" "4500012345/10"'
check "GET documents/SO%2FVINCE1/A%201: the revision as given" evalq '
	api 200 GET "documents/SO%2FVINCE1/A%201" "$SAM" && is "d[\"doc\"]" "SO/VINCE1" && is "d[\"rev\"]" "A 1"'
check "GET pos/..%2F..%2Fx: the PO named ../../x, nothing else" evalq '
	api 200 GET "pos/..%2F..%2Fx" "$SAM" && is "d[\"po\"]" "../../x"'
check "GET pos/4500012345/10 (a raw '/'): no such route" evalq 'api 404 GET "pos/4500012345/10" "$SAM"'
check "GET pos/4500012345%252F10: the PO named 4500012345%2F10, none" evalq '
	api 404 GET "pos/4500012345%252F10" "$SAM" && error "4500012345%2F10"'
V=v
refused 400 "ship notice number 'A ' begins or ends with a space" "POST asns with a trailing space: refused, the vault unchanged" \
	POST asns "$SAM" -H 'Content-Type: application/json' \
	--data '{"asn": "A ", "po": "4500012345/10", "ship_date": "2026-12-01", "packages": [{"id": "B", "lot": "24/117 A", "qty": 1}]}'
check "POST asns 'ASN 7/1' of lot '24/117 A': recorded as given" evalq '
	api 201 POST asns "$SAM" -H "Content-Type: application/json" \
	--data "{\"asn\": \"ASN 7/1\", \"po\": \"4500012345/10\", \"ship_date\": \"2026-12-01\", \"packages\": [{\"id\": \"BOX 1/2\", \"lot\": \"24/117 A\", \"qty\": 5}]}" &&
	api 200 GET "asns/ASN%207%2F1" "$SAM" && is "d[\"asn\"]" "ASN 7/1"'
serves_stop

# ---- forgeries: a record at a path that is not its name's encoding --------------------------
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
# forge_po VAULT FOLDER: PO 4500012345/11, as qvault writes it, at pos/HH/HH/FOLDER/po.json
forge_po() {
	rm -rf "$1"; cp -a v "$1"
	git -C v show "main:pos/$(dir_of "$PO")/4500012345%2F10/po.json" |
		sed "s|\"4500012345/10\"|\"4500012345/11\"|; s|\"created_at\": \"[^\"]*\"|\"created_at\": \"$AT\"|;
		     s|\"created_by\": \"[^\"]*\"|\"created_by\": \"bob\"|" > "$1.json"
	GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
		forge_commit "$1" bob "po add 4500012345/11 for acme

Qvault-Op: po-add
Qvault-PO: 4500012345/11" "pos/$(dir_of 4500012345/11)/$2/po.json=$1.json"
}
forge_po f0 '4500012345%2F11'
ok "control: the PO forged at its name's encoding passes verify" q -C f0 verify
forge_po f1 '4500012345%2f11'
check "the PO at a lower-case escape (%2f) is refused by verify" culprit f1 "4500012345%2f11/po.json"
forge_po f2 '4500012345_11'
check "the PO at another name's folder (4500012345_11) is refused by verify" culprit f2 "4500012345_11/po.json"
forge_po f3 '4500012345%2F%31%31'
check "the PO at an over-encoded path (%31 for '1') is refused by verify" culprit f3 "%31%31/po.json"
pulls_refused v "4500012345(_|%2f|%2F%31)" f1 f2 f3

done_testing
