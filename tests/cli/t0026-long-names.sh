#!/bin/sh
# No silent truncation (issue 15): names of the longest length allowed
# (VAULT_NAME_MAX, 128 bytes) go through every write whole, commit
# message and Qvault-Op trailer included; one byte more is refused naming
# the field; and verify holds each commit's Qvault-Op trailer to what the
# commit changed, here against commits forged with stock git.
. "$(dirname "$0")/lib.sh"

# long CHAR [N]: CHAR N times (128 by default)
long() { printf "%${2:-128}s" '' | tr ' ' "$1"; }
DOC=$(long D)
REV=$(long R)
SUP=$(long s)
ORG=$(long o)
PO=$(long P)
LOT=$(long L)
PART=$(long N)

new_vault v
V=v
export QVAULT_DIR=v
q key generate -o sup.pem -c sup | head -n 1 > sup.pub
make_pdf c.pdf "a drawing with a long number"
make_pdf d.pdf "its next revision"

ok "a supplier whose name and organization are 128 bytes is added" \
	q --key "$TMP/admin.pem" user add "$SUP" --org "$ORG" --role supplier --pubkey sup.pub
ok "a 128-byte document number is released at a 128-byte revision" \
	q release "$DOC" --rev "$REV" c.pdf --to "$ORG" --reason "first issue"
ok "a PO of a 128-byte number for that organization, its line on that revision" \
	q po add "$PO" --supplier "$ORG" --line "$PART:10:$DOC@$REV"
ok "the supplier acknowledges the revision" q --key sup.pem ack "$DOC@$REV"
ok "the supplier records a lot of a 128-byte number" \
	q --key sup.pem lot add "$LOT" --po "$PO" --part "$PART" --qty 5
ok "the revision is linked to the PO" q link "$DOC@$REV" --po "$PO"
ok "and to the lot" q link "$DOC@$REV" --lot "$LOT"
ok "the buyer makes it obsolete" q obsolete "$DOC@$REV" --reason "withdrawn"

# each commit's message whole: its subject and its trailers
msg() { git -C v log -1 --format=%B --grep="^Qvault-Op: $1\$"; }
check "the ack's commit names the whole document, revision, signer and organization" sh -c '
	test "$(git -C v log -1 --format=%s --grep="^Qvault-Op: ack\$")" = "ack $1@$2 received by $3 ($4)"' \
	- "$DOC" "$REV" "$SUP" "$ORG"
check "  and ends with its trailers, whole" sh -c '
	git -C v log -1 --format=%B --grep="^Qvault-Op: ack\$" | grep -qx "Qvault-Rev: $1"' - "$REV"
check "the release's, the PO's, the lot's, the links' and the obsolete's trailers are whole" sh -c '
	for op in release link obsolete; do
		git -C v log --format=%B --grep="^Qvault-Op: $op\$" | grep -qx "Qvault-Rev: $1" || exit 1
	done
	git -C v log -1 --format=%B --grep="^Qvault-Op: po-add\$" | grep -qx "Qvault-PO: $2" &&
	git -C v log -1 --format=%B --grep="^Qvault-Op: lot-add\$" | grep -qx "Qvault-Lot: $3"' \
	- "$REV" "$PO" "$LOT"
check "log lists the acknowledgment as an ack, with the full names" sh -c '
	q log > log.txt && grep -q " ack  *ack $1@$2 received by $3 ($4)\$" log.txt' \
	- "$DOC" "$REV" "$SUP" "$ORG"
check "log lists each operation once, none unknown" sh -c '
	q log > log.txt && ! grep -q " unknown " log.txt &&
	for op in release po-add ack lot-add obsolete; do
		test "$(grep -c " $op " log.txt)" = 1 || exit 1
	done && test "$(grep -c " link " log.txt)" = 2'
check "log of the document lists its release and names it whole" sh -c '
	q log "$1" > doc.txt && grep -q " release  *release $1@$2 to $3\$" doc.txt' \
	- "$DOC" "$REV" "$ORG"
check "acks shows the acknowledgment in full" sh -c '
	q acks "$1" | grep -q "^$1@$2  received  by $3 ($4)"' - "$DOC" "$REV" "$SUP" "$ORG"
ok "verify is clean" q verify

# one byte more: refused, naming the field, nothing written
fails 1 "document number '.*' is longer than 128 bytes" "a 129-byte document number is refused" \
	q add d.pdf --doc "$(long D 129)" --type drawing
fails 1 "revision '.*' is longer than 128 bytes" "a 129-byte revision is refused" \
	q release "$DOC" --rev "$(long R 129)" d.pdf --to "$ORG"
fails 1 "user name '.*' is longer than 128 bytes" "a 129-byte user name is refused" \
	q --key "$TMP/admin.pem" user add "$(long s 129)" --org acme --role supplier --pubkey sup.pub
fails 1 "organization '.*' is longer than 128 bytes" "a 129-byte organization is refused" \
	q --key "$TMP/admin.pem" user add sam --org "$(long o 129)" --role supplier --pubkey sup.pub
fails 1 "PO number '.*' is longer than 128 bytes" "a 129-byte PO number is refused" \
	q po add "$(long P 129)" --supplier "$ORG" --line "$PART:10:$DOC@$REV"

# ---- commits forged with stock git: the trailer must name what changed -------
# bob, a buyer of acme with an ssh-keygen key, adds DWG-F@A with MESSAGE
ssh-keygen -q -t ed25519 -N '' -C bob -f bob
q --key "$TMP/admin.pem" user add bob --org acme --role buyer --pubkey bob.pub > /dev/null
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
h=$(printf %s DWG-F | sha256sum)
F=docs/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/DWG-F/A
make_pdf f.pdf "a forged drawing"
jq -n --arg s "$(sha256sum < f.pdf | cut -c1-64)" --argjson z "$(wc -c < f.pdf)" \
	--arg m "$(file -b --mime-type f.pdf)" --arg at "$NOW" \
	'{added_at: $at, added_by: "bob", doc: "DWG-F", format: 1, org: "acme", parts: [],
	  record: "revision", rev: "A", seq: 1, type: "drawing",
	  files: [{mime: $m, name: "f.pdf", sha256: $s, size: $z}]}' | jq -S --indent 2 . > f.json
forge_bob() { # VAULT MESSAGE
	rm -rf "$1" && cp -a v "$1" &&
	GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@acme GIT_AUTHOR_DATE=$NOW GIT_COMMITTER_NAME=bob \
	GIT_COMMITTER_EMAIL=bob@acme GIT_COMMITTER_DATE=$NOW forge "$1" bob "$2" "$F/record.json=f.json" "$F/files/f.pdf=f.pdf"
}
forge_bob f0 "add DWG-F@A

Qvault-Op: add
Qvault-Doc: DWG-F
Qvault-Rev: A"
ok "the honest forgery passes (the helper forges faithfully)" q -C f0 verify
forge_bob f1 "add DWG-F@A"
check "a commit without a Qvault-Op trailer is found" culprit f1 "the commit has no Qvault-Op trailer"
forge_bob f2 "add DWG-F@A

Qvault-Op: ack
Qvault-Doc: DWG-F
Qvault-Rev: A"
check "a trailer 'ack' on a commit that adds a revision is found" \
	culprit f2 "the commit's Qvault-Op 'ack' does not name all it changed"
forge_bob f3 "release DWG-F@A to acme

Qvault-Op: release
Qvault-Doc: DWG-F
Qvault-Rev: A"
check "a trailer 'release' on a commit that releases nothing is found" \
	culprit f3 "the commit's Qvault-Op 'release' names a change it does not make"
forge_bob f4 "add DWG-F@A

Qvault-Op: add
Qvault-Op: add
Qvault-Doc: DWG-F"
check "a trailer given twice is found" culprit f4 "gives 'Qvault-Op' 2 times"
# a trailer cut at a 512-byte message: a subject and a body, no trailer block
forge_bob f5 "add DWG-F@A

Qvault-Op: ad"
check "a cut trailer names no operation qvault knows" \
	culprit f5 "the commit's Qvault-Op 'ad' is not an operation qvault knows"

done_testing
