#!/bin/sh
# Identifiers as they really look (issue 22): a PO '4500012345/10', a part
# '000 260 056 524', a lot '24/117 A', a document 'SO/VINCE1' are created,
# released, acknowledged, shipped, traced, listed and shown exactly as
# given, stored at their encoding (every byte outside today's names as
# %XX); today's names stay their own path; what is still refused is
# refused with one line, the vault unchanged.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
make_pdf c.pdf "SO/VINCE1 rev A 1"
PO='4500012345/10' PART='000 260 056 524' LOT='24/117 A' DOC='SO/VINCE1' REV='A 1'

ok "release of document '$DOC' revision '$REV'" sh -c 'q release "$1" --rev "$2" c.pdf --to acme > rel.txt' - "$DOC" "$REV"
check "  said as given" grep -qx "released $DOC@$REV to acme in commit [0-9a-f]*" rel.txt
ok "PO '$PO' with part '$PART' on '$DOC@$REV'" q po add "$PO" --supplier acme --line "$PART:50:$DOC@$REV"
ok "sam acknowledges '$DOC@$REV'" q --key sam.pem ack "$DOC@$REV"
ok "sam records lot '$LOT' of '$PO'" sh -c 'q --key sam.pem lot add "$1" --po "$2" --part "$3" --qty 5 > lot.txt' - "$LOT" "$PO" "$PART"
check "  said as given" grep -qx "recorded lot $LOT of $PO: 5 x $PART" lot.txt
ok "sam ships it: ship notice 'ASN 7/1', package 'BOX 1/2'" \
	q --key sam.pem asn add --id 'ASN 7/1' --po "$PO" --ship-date 2026-12-01 --package "BOX 1/2:$LOT:5"

# ---- stored at the encoding, each at one path -------------------------------------
tree() { git -C v ls-tree -r --name-only main; }
check "the PO at pos/HH/HH/4500012345%2F10/po.json, HH its SHA-256's" sh -c '
	[ "$(git -C v ls-tree -r --name-only main | grep "^pos/")" = "pos/'"$(dir_of "$PO")"'/4500012345%2F10/po.json" ]'
check "the revision at docs/HH/HH/SO%2FVINCE1/A%201/" sh -c '
	git -C v ls-tree -r --name-only main | grep -qx "docs/'"$(dir_of "$DOC")"'/SO%2FVINCE1/A%201/record.json"'
check "the lot at lots/HH/HH/24%2F117%20A/lot.json" sh -c '
	git -C v ls-tree -r --name-only main | grep -qx "lots/'"$(dir_of "$LOT")"'/24%2F117%20A/lot.json"'
check "the ship notice at asns/HH/HH/ASN%207%2F1/" sh -c '
	git -C v ls-tree -r --name-only main | grep -q "^asns/'"$(dir_of "ASN 7/1")"'/ASN%207%2F1/"'
check "every path of the tree: no space, no component with a name's '/'" sh -c '
	! git -C v ls-tree -r --name-only main | grep -q " \|/\.\./\|/\./"'
check "the records hold the names as given" sh -c '
	git -C v show "main:pos/'"$(dir_of "$PO")"'/4500012345%2F10/po.json" | grep -q "\"po\": \"4500012345/10\"" &&
	git -C v show "main:pos/'"$(dir_of "$PO")"'/4500012345%2F10/po.json" | grep -q "\"part\": \"000 260 056 524\""'

# ---- shown as given -----------------------------------------------------------------
check "list: the document as given" sh -c 'q list | grep -q "^SO/VINCE1  A 1  drawing  released"'
check "po list: the PO as given" sh -c 'q po list | grep -q "^4500012345/10  *acme  *open"'
check "po show --json: PO, part, document, revision as given; 5 shipped" sh -c '
	q po show "4500012345/10" --json > po.json &&
	python3 -c "import json; d=json.load(open(\"po.json\")); l=d[\"lines\"][0]
assert d[\"po\"] == \"4500012345/10\" and l[\"part\"] == \"000 260 056 524\", d
assert (l[\"doc\"], l[\"rev\"], l[\"shipped\"]) == (\"SO/VINCE1\", \"A 1\", 5), l"'
check "asn show: the notice, its package and its lot as given" sh -c '
	q asn show "ASN 7/1" > asn.txt && grep -q "^ship notice ASN 7/1 of PO 4500012345/10 (acme)" asn.txt &&
	grep -q "^BOX 1/2  24/117 A    5" asn.txt'
check "trace lot: the lot, its PO and its part as given" sh -c '
	q trace lot "24/117 A" > tr.txt && grep -q "24/117 A" tr.txt && grep -q "4500012345/10" tr.txt'
check "acks: sam's acknowledgment of SO/VINCE1@A 1" sh -c 'q acks "SO/VINCE1@A 1" | grep -q "by sam ("'
check "show SO/VINCE1@A 1 --json: the names as given" sh -c '
	q show "SO/VINCE1@A 1" --json | grep -q "\"doc\": \"SO/VINCE1\""'
ok "verify: every record where its name's encoding puts it" q verify
ok "reindex, then the same answers" sh -c 'q reindex > /dev/null && q po list | grep -q "^4500012345/10  *acme  *open"'

# ---- today's names are their own path ------------------------------------------------
ok "a PO of today's kind of name" q po add PO-1.2_b+c --supplier acme --line "PN-1:5:$DOC@$REV"
check "  stored at pos/HH/HH/PO-1.2_b+c: its own name" sh -c '
	git -C v ls-tree -r --name-only main | grep -qx "pos/'"$(dir_of PO-1.2_b+c)"'/PO-1.2_b+c/po.json"'
ok "'..', '%' and a leading '.' are names too, encoded" q po add '.%..' --supplier acme --line "PN-1:5:$DOC@$REV"
check "  stored at %2E%25.%2E" sh -c '
	git -C v ls-tree -r --name-only main | grep -qx "pos/'"$(dir_of '.%..')"'/%2E%25.%2E/po.json"'
ok "a name of non-ASCII letters (NFC é), kept as given" q po add "$(printf 'PO-caf\303\251')" --supplier acme --line "PN-1:5:$DOC@$REV"
check "  stored as bytes %C3%A9, ASCII only" sh -c '
	git -C v ls-tree -r --name-only main | grep -q "/PO-caf%C3%A9/po.json$"'
ok "its NFD twin is another name, at another path (no file system folds ASCII)" \
	q po add "$(printf 'PO-cafe\314\201')" --supplier acme --line "PN-1:5:$DOC@$REV"
check "  stored as e%CC%81" sh -c 'git -C v ls-tree -r --name-only main | grep -q "/PO-cafe%CC%81/po.json$"'

# ---- ack export: the folder is the caller's, the names in it the vault's ---------------
ok "ack export of SO/VINCE1@A 1" q ack export "$DOC@$REV" -o ackdir
check "  into ackdir only: allowed_signers and sam's statement" sh -c '
	[ "$(cd ackdir && find . -type f | LC_ALL=C sort | tr "\n" " ")" = "./allowed_signers ./sam-received.json ./sam-received.json.sig " ]'
check "  which ssh-keygen verifies" sh -c '
	ssh-keygen -Y verify -f ackdir/allowed_signers -I sam@acme -n qvault-ack -s ackdir/sam-received.json.sig < ackdir/sam-received.json'

# ---- still refused, one line, the vault unchanged ----------------------------------------
fails 1 "PO number '45\\\\x01' contains a control character" "a PO number with a control character" \
	q po add "$(printf '45\001')" --supplier acme --line "PN-1:5:$DOC@$REV"
fails 1 "PO number 'PO\\\\xe2\\\\x80\\\\xaeA' contains U\+202E, an invisible or bidirectional" \
	"a PO number with a right-to-left override" \
	q po add "$(printf 'PO\342\200\256A')" --supplier acme --line "PN-1:5:$DOC@$REV"
fails 1 "PO number 'PO\\\\xe2\\\\x80\\\\x8bA' contains U\+200B" "a PO number with a zero-width space" \
	q po add "$(printf 'PO\342\200\213A')" --supplier acme --line "PN-1:5:$DOC@$REV"
fails 1 "PO number ' 45' begins or ends with a space" "a PO number with a leading space" \
	q po add " 45" --supplier acme --line "PN-1:5:$DOC@$REV"
fails 1 "part number '000 260 ' begins or ends with a space" "a part number with a trailing space" \
	q po add PO-9 --supplier acme --line "000 260 :5:$DOC@$REV"
fails 1 "lot '24/117\\\\xff' is not valid UTF-8" "a lot that is not UTF-8" \
	q --key sam.pem lot add "$(printf '24/117\377')" --po "$PO" --part "$PART" --qty 1
fails 1 "PO number '0+\.\.\.' is longer than 128 bytes" "a PO number of 129 bytes" \
	q po add "$(printf '%0129d' 0)" --supplier acme --line "PN-1:5:$DOC@$REV"
fails 1 "PO number '/+\.\.\.' is longer than 240 bytes once encoded" "a PO number of 81 slashes (243 bytes encoded)" \
	q po add "$(printf '/%.0s' $(seq 1 81))" --supplier acme --line "PN-1:5:$DOC@$REV"
ok "  80 slashes (240 encoded) fit" q po add "$(printf '/%.0s' $(seq 1 80))" --supplier acme --line "PN-1:5:$DOC@$REV"
fails 2 "--org 'a/b' contains '/'" "an organization keeps today's rule (it is an SSH principal)" q audit --org a/b
fails 1 "user name 'a b' contains ' '" "a user name keeps today's rule" \
	q --key "$TMP/admin.pem" user add "a b" --org acme --role supplier --pubkey sam.pub
ok "verify after all of it" q verify
check "git fsck --strict is clean" git -C v fsck --strict

done_testing
