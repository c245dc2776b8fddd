#!/bin/sh
# The kinds' rules hold in verify as in the write path: links, FAI
# packages, certificate data, lots (names, inputs, quantities over all of
# history, merges included) and who may revise a document.  Each attack is
# a commit forged with stock git (ssh-keygen keys registered as users),
# which verify must report (exit 3) for its own reason.
. "$(dirname "$0")/lib.sh"

new_vault base
V=base
export QVAULT_DIR=base
export GIT_AUTHOR_NAME=mallory GIT_AUTHOR_EMAIL=m@evil GIT_COMMITTER_NAME=mallory GIT_COMMITTER_EMAIL=m@evil
add_supplier sam sup1
add_supplier zed zenith
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in zoe qa; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key admin.pem user add zoe --org zenith --role supplier --pubkey zoe.pub > /dev/null
q --key admin.pem user add qa --org acme --role quality --pubkey qa.pub > /dev/null
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to sup1,zenith > /dev/null
q po add PO-1 --supplier sup1 --line PN-1:50:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
q --key zed.pem lot add L-Z --po PO-2 --part PN-1 --qty 10 > /dev/null
make_pdf coc.pdf "sup1 coc"
make_pdf coc2.pdf "sup1 coc, second revision"
make_pdf cocz.pdf "zenith coc"
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key zed.pem add cocz.pdf --doc COC-Z --type coc > /dev/null
ok "verify passes on the honest vault" q verify

# forged commits carry this time; records that name a time name it
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"

tamper() { rm -rf "$1"; cp -a base "$1"; }
# forge as lib.sh does, but as qvault writes a commit: the signer as its
# author and committer, and the Qvault-Op of what it adds, so that each
# case breaks only the rule it is about
forge() {
	fv2=$1 fk2=$2 fm2=$3
	fo=$(git -C "$1" show "main:users/$2/user.json" | sed -n 's/.*"org": "\([^"]*\)".*/\1/p')
	shift 3
	case "$1" in
	*/links/*) fop=link ;;
	*/package.json=*|*/files/*) fop=fai-add ;;
	lots/*) fop=lot-add ;;
	*) fop=add ;;
	esac
	for spec in "$@"; do case "$spec" in */package.json=*) fop=fai-add ;; esac; done
	GIT_AUTHOR_NAME=$fk2 GIT_AUTHOR_EMAIL=$fk2@$fo GIT_COMMITTER_NAME=$fk2 GIT_COMMITTER_EMAIL=$fk2@$fo \
		forge_commit "$fv2" "$fk2" "$fm2

Qvault-Op: $fop" "$@"
}
docdir() { h=$(printf '%s' "$1" | sha256sum | cut -c1-4); echo "docs/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
lotdir() { h=$(printf '%s' "$1" | sha256sum | cut -c1-4); echo "lots/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
# replay SRC DST KEY SED: forge into DST, signed by KEY, what the last commit
# of SRC added, its records edited by SED (the stored files left as they are)
replay() {
	specs= i=0
	# dated as the commit it replays, as its records are
	rt=$(git -C "$1" log -1 --format=%at main)
	rat=$(date -u -d "@$rt" +%Y-%m-%dT%H:%M:%SZ)
	for p in $(git -C "$1" diff-tree -r --name-only --no-commit-id main~1 main); do
		i=$((i + 1))
		git -C "$1" show "main:$p" > "rp$i"
		case $p in
		*/files/*) ;;
		*.json) sed -i -e "s/\"linked_at\": \"[^\"]*\"/\"linked_at\": \"$rat\"/" -e "$4" "rp$i" ;;
		esac
		specs="$specs $p=rp$i"
	done
	# shellcheck disable=SC2086
	GIT_AUTHOR_DATE="$rt +0000" GIT_COMMITTER_DATE="$rt +0000" forge "$2" "$3" "replayed" $specs
}
CZ=$(docdir COC-Z)
link() { # DOC REV KIND TARGET BY AT
	printf '{"record":"link","format":1,"doc":"%s","rev":"%s","kind":"%s","target":"%s","linked_by":"%s","linked_at":"%s"}\n' "$@" > link.json
}

# ---- links -----------------------------------------------------------------------
tamper k0
link COC-Z A lot L-Z zoe "$AT"
forge k0 zoe "link COC-Z@A to lot L-Z" "$CZ/A/links/lot-L-Z.json=link.json"
ok "a supplier's link of its CoC to its own lot, every field right, passes" q -C k0 verify

tamper k1
link COC-Z A lot L-1 zoe "$AT"
forge k1 zoe "link COC-Z@A to lot L-1" "$CZ/A/links/lot-L-1.json=link.json"
check "a supplier's CoC attached to another organization's lot is caught" \
	culprit k1 "$CZ/A/links/lot-L-1.json: user 'zoe' of 'zenith' may not attach documents to lot 'L-1'"

tamper k2
link COC-Z A part PN-1 zoe "$AT"
forge k2 zoe "link COC-Z@A to part PN-1" "$CZ/A/links/part-PN-1.json=link.json"
check "a supplier's document attached to a part is caught" \
	culprit k2 "user 'zoe' of 'zenith' may not attach documents to part 'PN-1'"

tamper k3
link COC-Z A lot L-Z zed "$AT"
forge k3 zoe "link COC-Z@A to lot L-Z" "$CZ/A/links/lot-L-Z.json=link.json"
check "a link naming another author than its signer is caught" \
	culprit k3 "the link names 'zed' as its author, but 'zoe' signed the commit"

tamper k4
link COC-Z A lot L-Z zoe "$AT"
forge k4 zoe "link COC-Z@A" "$CZ/A/links/lot-L-1.json=link.json"
check "a link stored at another link's path is caught" \
	culprit k4 "the link of 'COC-Z@A' to lot 'L-Z' is stored where another belongs"

tamper k5
link COC-Z A lot L-NONE zoe "$AT"
forge k5 zoe "link COC-Z@A to lot L-NONE" "$CZ/A/links/lot-L-NONE.json=link.json"
check "a link to a lot never recorded is caught" \
	culprit k5 "the link's lot 'L-NONE' was not recorded before it"

tamper k6
link COC-Z B lot L-Z zoe "$AT"
forge k6 zoe "link COC-Z@B to lot L-Z" "$CZ/B/links/lot-L-Z.json=link.json"
check "a link of a revision that has no record is caught" \
	culprit k6 "the linked revision 'COC-Z@B' has no record"

tamper k7
link COC-Z A lot L-Z zoe 2020-01-01T00:00:00Z
forge k7 zoe "link COC-Z@A to lot L-Z" "$CZ/A/links/lot-L-Z.json=link.json"
check "a link dated other than its commit is caught" \
	culprit k7 "the link is dated 2020-01-01T00:00:00Z, its commit $AT"

tamper k8
link COC-1 A lot L-Z zoe "$AT"
forge k8 zoe "link COC-1@A to lot L-Z" "$(docdir COC-1)/A/links/lot-L-Z.json=link.json"
check "a supplier attaching another organization's document it was never given is caught" \
	culprit k8 "user 'zoe' of 'zenith' attaches 'COC-1@A', neither its organization's nor released to it"

# ---- FAI packages: made honestly in a scratch copy, replayed edited ----------------
mkdir -p pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 C"
cat > pkg/fai.json <<'JSON'
{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket", "fair_number": "FAIR-Z-1",
 "part_revision": "C", "drawing_number": "DWG-1", "drawing_revision": "C", "organization": "zenith",
 "po_number": "PO-2", "detail_or_assembly": "detail", "fai_type": "full", "complete": false,
 "signed_by": "Zed Supplier", "signed_date": "2026-11-20"},
 "form3": [{"number": 1, "requirement": "6.0 +/-0.1", "result": "6.05"},
           {"number": 2, "requirement": "10.0 +/-0.1", "result": "10.5", "nonconformance": "NCR-1"}],
 "attachments": ["ballooned.pdf"]}
JSON
q fai pack pkg -o fz.zip > /dev/null
tamper sf
q -C sf --key zed.pem fai add fz.zip > /dev/null

tamper f0
replay sf f0 zoe 's/"zed"/"zoe"/'
ok "an FAI replayed as it was made (its signer's name) passes" q -C f0 verify

F=$(docdir FAIR-Z-1)/A/package.json
tamper f1
replay sf f1 zoe 's/"zed"/"zoe"/; s/"nonconforming": 1/"nonconforming": 0/; s/"complete": false/"complete": true/'
check "a package.json claiming a complete FAI with no nonconformity is caught" \
	culprit f1 "$F: the FAI package does not say what its fai.json says"

tamper f2
replay sf f2 zoe 's/"zed"/"zoe"/; s/"po": "PO-2"/"po": "PO-1"/'
check "a supplier's FAI against another organization's PO is caught" \
	culprit f2 "$F: user 'zoe' of 'zenith' files an FAI against PO 'PO-1' of 'sup1'"

tamper f3
replay sf f3 zoe 's/"zed"/"zoe"/; s/"crc32": "[0-9a-f]*"/"crc32": "00000000"/'
check "a package.json listing members the FAI does not hold is caught" \
	culprit f3 "with CRC-32 00000000, its file has"

tamper f4
git -C sf show "main:$F" > pk.json
forge f4 zoe "add a package" "$CZ/A/package.json=pk.json"
check "a package.json beside a revision recorded earlier, not an FAI, is caught" \
	culprit f4 "$CZ/A/package.json: the FAI package has no FAI record beside it"

# ---- certificate data ---------------------------------------------------------------
make_pdf mtr.pdf "mill cert H-9"
cat > mtr.json <<'JSON'
{"certificate_type": "3.1", "certificate_number": "MC-9", "manufacturer": "Zenith Mill",
 "product": "bar 25 mm", "grade": "EN AW-6061 T6", "heat_number": "H-9",
 "issue_date": "2026-10-01", "inspector": "J. Weber"}
JSON
tamper sc
q -C sc --key zed.pem add mtr.pdf --doc MTR-9 --type material-cert --meta mtr.json > /dev/null
M=$(docdir MTR-9)/A/cert.json

tamper c0
replay sc c0 zoe 's/"zed"/"zoe"/'
ok "certificate data replayed as it was made passes" q -C c0 verify

tamper c1
replay sc c1 zoe 's/"zed"/"zoe"/; /"inspector"/d'
check "a type 3.1 certificate without its inspector is caught" \
	culprit c1 "$M: the certificate data is invalid: a type 3.1 certificate needs the validating inspector"

tamper c2
replay sc c2 zoe 's/"zed"/"zoe"/; s/"certificate_type": "3.1"/"certificate_type": "3.1B"/'
check "certificate data other than what its data makes is caught" \
	culprit c2 "$M: the certificate data is not what 'MTR-9@A''s data makes"

tamper c3
replay sc c3 zoe 's/"zed"/"zoe"/; s/"type": "material-cert"/"type": "coc"/'
check "certificate data beside a CoC is caught" \
	culprit c3 "$M: certificate data is for a material-cert, not a coc"

tamper c4
replay sc c4 zoe 's/"zed"/"zoe"/; s/"org": "zenith"/"org": "sup1"/'
check "a certificate recorded for another organization is caught" \
	culprit c4 "$M: the certificate names organization 'sup1', but 'zoe' of 'zenith' signed the commit"

# ---- lots --------------------------------------------------------------------------
lot() { # NAME FROM-JSON
	printf '{"record":"lot","format":1,"lot":"%s","po":"PO-2","part":"PN-1","qty":5,"from":%s,"supplier":"zenith","created_by":"zoe","created_at":"%s"}\n' "$1" "$2" "$AT" > lot.json
}
tamper l0
lot L-Z5 '[{"lot":"L-Z","qty":4}]'
forge l0 zoe "lot add L-Z5" "$(lotdir L-Z5)/lot.json=lot.json"
ok "a lot made from 4 of its supplier's own lot of 10 passes" q -C l0 verify

tamper l1
lot L-Z '[]'
forge l1 zoe "lot add L-Z2" "$(lotdir L-Z2)/lot.json=lot.json"
check "a lot record stored at another lot's path is caught" \
	culprit l1 "$(lotdir L-Z2)/lot.json: the record of lot 'L-Z' is stored where another belongs"
ok "  and the index leaves it out, so reindex still works" q -C l1 reindex

tamper l2
lot L-Z3 '[{"lot":"L-1","qty":1}]'
forge l2 zoe "lot add L-Z3" "$(lotdir L-Z3)/lot.json=lot.json"
check "a lot made from another organization's lot is caught" \
	culprit l2 "user 'zoe' of 'zenith' makes lot 'L-Z3' from lot 'L-1' of 'sup1'"

tamper l3
lot L-Z4 '[{"lot":"L-Z","qty":999}]'
forge l3 zoe "lot add L-Z4" "$(lotdir L-Z4)/lot.json=lot.json"
check "a lot drawing 999 from a lot of 10 is caught" \
	culprit l3 "$(lotdir L-Z4)/lot.json: lot 'L-Z' holds 10, but 999 are drawn from it in all"

tamper l4
q -C l4 --key zed.pem asn add --po PO-2 --ship-date 2099-12-10 --package CTN-1:L-Z:10 > /dev/null 2>&1
(	# dated as the ship notice just written, so that only the quantity is wrong
	T=$(git -C l4 log -1 --format=%ct main)
	AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
	export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
	lot L-Z6 '[{"lot":"L-Z","qty":1}]'
	forge l4 zoe "lot add L-Z6" "$(lotdir L-Z6)/lot.json=lot.json"
)
check "a lot drawing 1 from a lot shipped in full is caught" \
	culprit l4 "lot 'L-Z' holds 10, but 11 are drawn from it in all"

# the write path refuses the same (and tells a supplier nothing of another's lot)
fails 1 "no lot 'L-1' to make 'L-Z8' from" "lot add refuses a supplier's input from another organization's lot" \
	q --key zed.pem lot add L-Z8 --po PO-2 --part PN-1 --qty 5 --from L-1:1
fails 1 "lot 'L-Z8' draws 999 of lot 'L-Z', which has 10 left of 10" \
	"lot add refuses to draw more than the input lot holds" \
	q --key zed.pem lot add L-Z8 --po PO-2 --part PN-1 --qty 5 --from L-Z:999
tamper w1
q -C w1 --key zed.pem asn add --po PO-2 --ship-date 2099-12-10 --package CTN-1:L-Z:8 > /dev/null 2>&1
V=w1
fails 1 "which has 2 left of 10" "  counting what ship notices drew from it" \
	q -C w1 --key zed.pem lot add L-Z8 --po PO-2 --part PN-1 --qty 5 --from L-Z:3
q -C w1 --key zed.pem lot add L-Z8 --po PO-2 --part PN-1 --qty 5 --from L-Z:2 > /dev/null
fails 1 "ships 1 of lot 'L-Z', which has 0 left of 10" "  and asn add counts what lots drew from it" \
	q -C w1 --key zed.pem asn add --po PO-2 --ship-date 2099-12-11 --package CTN-2:L-Z:1
ok "  the vault verifies" q -C w1 verify
V=base

# both sites draw the whole lot, each within its own history; merged, twice its holding
tamper ma
tamper mb
q -C ma --key zed.pem lot add L-ZA --po PO-2 --part PN-1 --qty 10 --from L-Z:10 > /dev/null
q -C mb --key zed.pem lot add L-ZB --po PO-2 --part PN-1 --qty 10 --from L-Z:10 > /dev/null
ok "  each site alone verifies" sh -c 'q -C ma verify > /dev/null && q -C mb verify > /dev/null'
git -C ma fetch -q "$TMP/mb" main:refs/heads/site-b
tree=$(git -C ma merge-tree --write-tree main site-b)
c=$(git -C ma -c gpg.format=ssh -c user.signingkey="$TMP/qa" commit-tree -S "$tree" -p main -p site-b -m "merge site B")
git -C ma update-ref refs/heads/main "$c"
check "a lot drawn in full at each of two sites, merged, is caught" \
	culprit ma "lot 'L-Z' holds 10, but 20 are drawn from it in all"

# ---- who may revise a document ------------------------------------------------------
tamper sd
q -C sd --key sam.pem add coc2.pdf --doc COC-1 --type coc > /dev/null
tamper d1
replay sd d1 zoe 's/"sam"/"zoe"/; s/"sup1"/"zenith"/'
check "a revision of another organization's document is caught" \
	culprit d1 "$(docdir COC-1)/B/record.json: user 'zoe' of 'zenith' adds a revision to document 'COC-1' of 'sup1'"
tamper d2
replay sd d2 zoe 's/"sam"/"zoe"/'
check "a revision naming another organization than its signer's is caught" \
	culprit d2 "the record names organization 'sup1', but 'zoe' of 'zenith' signed the commit"

fails 1 "document number 'COC-1' is not available" \
	"add refuses a revision of another organization's document" \
	q --key zed.pem add coc2.pdf --doc COC-1 --type coc
fails 1 "document number 'COC-1' is not available" \
	"  whatever type it claims (the message tells nothing of the document)" \
	q --key zed.pem add coc2.pdf --doc COC-1 --type inspection-report
sed 's/FAIR-Z-1/COC-1/' pkg/fai.json > fai1.json && cp fai1.json pkg/fai.json
q fai pack pkg -o f1.zip > /dev/null
fails 1 "document number 'COC-1' is not available" \
	"fai add refuses an FAI number of another organization's document" \
	q --key zed.pem fai add f1.zip
ok "its own organization revises it" q --key sam.pem add coc2.pdf --doc COC-1 --type coc
ok "the vault verifies" q verify

done_testing
