#!/bin/sh
# Attack pass (after issue 13): histories forged with stock tools only
# (git commit-tree -S with gpg.format=ssh, hash-object, mktree,
# update-index, ssh-keygen -Y sign, jq, perl) that an honest vault would
# not write.  Each `check ... culprit VAULT PATTERN` row fails while the
# hole is open.  The base vault and helpers are forged-base.sh (t0020 uses them too).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/forged-base.sh"

# mk_as VAULT KEY NAME ORG MESSAGE TREE [PARENT...]: mk, with the commit's
# author and committer NAME <NAME@ORG> (the user a server acts for)
mk_as() {
	av=$1 ak=$2 an=$3 ao=$4 am=$5 at=$6; shift 6
	set -- $(for p in "$@"; do printf -- '-p %s ' "$p"; done)
	GIT_AUTHOR_NAME=$an GIT_AUTHOR_EMAIL=$an@$ao GIT_COMMITTER_NAME=$an GIT_COMMITTER_EMAIL=$an@$ao \
		git -C "$av" -c gpg.format=ssh -c user.signingkey="$TMP/$ak" commit-tree -S "$at" "$@" -m "$am"
}
# merge_in VAULT KEY SIDE SPEC...: KEY signs a merge of SIDE into main whose
# tree is main's plus SPECs (what SIDE added), made main
merge_in() {
	gv=$1 gk=$2 gs=$3; shift 3
	gm=$(mk "$gv" "$gk" "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(tree_of "$gv" main "$@")" main "$gs") &&
	git -C "$gv" update-ref refs/heads/main "$gm"
}
# at_now: NOW (the time records name) and the dates of the next commits, one second
at_now() {
	sleep 1
	TNOW=$(date -u +%s); NOW=$(date -u -d "@$TNOW" +%Y-%m-%dT%H:%M:%SZ)
	export GIT_AUTHOR_DATE="$TNOW +0000" GIT_COMMITTER_DATE="$TNOW +0000"
}
# sign_raw VAULT KEY FILE: the unsigned commit text FILE signed by $TMP/KEY
# with ssh-keygen -Y sign -n git (as git does), stored; its id
sign_raw() {
	rm -f "$3.sig"
	ssh-keygen -q -Y sign -n git -f "$TMP/$2" "$3" || return 1
	perl -e 'open my $c, "<", $ARGV[0] or die; local $/; my $t = <$c>;
		open my $s, "<", $ARGV[1] or die; my @s = split /\n/, <$s>;
		my $h = "gpgsig " . join("\n ", @s) . "\n \n";
		$t =~ s/^(committer [^\n]*\n)/$1$h/m or die; print $t' "$3" "$3.sig" > "$3.signed"
	git -C "$1" hash-object -t commit -w "$TMP/$3.signed"
}

# ---- this pass's users and records, written honestly ------------------------------
for k in yan ivy; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
reg yan beta supplier yan.pub
reg ivy acme supplier ivy.pub
BEFORE_IVY=$(git -C base rev-parse main)
sleep 2
q -C base --key admin.pem user revoke ivy > /dev/null
make_pdf d5.pdf "DWG-5 rev A"; make_pdf d6a.pdf "DWG-6 rev A"; make_pdf d6b.pdf "DWG-6 rev B"
q -C base release DWG-5 --rev A d5.pdf --to acme > /dev/null
q -C base obsolete DWG-5@A --reason "withdrawn" > /dev/null
q -C base release DWG-6 --rev A d6a.pdf --to acme > /dev/null
q -C base release DWG-6 --rev B d6b.pdf --to acme > /dev/null
BEFORE_COC20=$(git -C base rev-parse main)
make_pdf c20.pdf "acme's COC-20"
q -C base --key sam.pem add c20.pdf --doc COC-20 --type coc > /dev/null
ok "verify passes on the honest base vault, with this pass's records" q -C base verify
# ---- A1: a revoked supplier acts through a peer site's server (On-Behalf-Of) on a fork ----
tamper a1
server_key a1 "$TMP/qvault-server"
at_now
make_pdf coc11.pdf "rio's late certificate via the server"
rev_json COC-11 A coc rio acme coc11.pdf > coc11.json
S11="$(doc COC-11 A)/record.json=coc11.json"; F11="$(doc COC-11 A)/files/coc11.pdf=coc11.pdf"
F=$(mk_as a1 qvault-server rio acme "add COC-11@A

Qvault-Op: add
Qvault-Doc: COC-11
Qvault-Rev: A
Qvault-On-Behalf-Of: rio" "$(tree_of a1 "$BEFORE_REVOKE" "$S11" "$F11")" "$BEFORE_REVOKE")
merge_in a1 bob "$F" "$S11" "$F11"
check "A1: a revoked supplier's commit signed by the server on its behalf, on a fork merged by a buyer, is caught" \
	culprit a1 "revoked"

# ---- A3: a file stored in a revision folder that no record lists (one name listed twice) ----
at_now
make_pdf a3.pdf "sid's certificate"
make_text a3.bin "arbitrary bytes no record lists"
rev_json COC-12 A coc sid acme a3.pdf a3.pdf > coc12.json
tamper a3
put a3 sid "add COC-12@A

Qvault-Op: add
Qvault-Doc: COC-12
Qvault-Rev: A" "$(doc COC-12 A)/record.json=coc12.json" "$(doc COC-12 A)/files/a3.pdf=a3.pdf" \
	"$(doc COC-12 A)/files/zz-unlisted.bin=a3.bin"
check "A3: a record listing one file twice, its folder holding an unlisted file, is caught" \
	culprit a3 "the record is malformed: record lists file 'a3.pdf' twice"

# ---- A4: a revision that changes the document's type (the writer refuses: "is a drawing, not a coc") ----
at_now
make_pdf a4.pdf "a certificate filed as DWG-1@D"
rev_json DWG-1 D coc sid acme a4.pdf | jq -S --indent 2 '.seq = 2' > dwg1d.json
tamper a4
put a4 sid "add DWG-1@D

Qvault-Op: add
Qvault-Doc: DWG-1
Qvault-Rev: D" "$(doc DWG-1 D)/record.json=dwg1d.json" "$(doc DWG-1 D)/files/a4.pdf=a4.pdf"
check "A4: a supplier's CoC filed as a revision of the drawing DWG-1 is caught" \
	culprit a4 "the record makes 'DWG-1' a coc, but its revision 'C' is a drawing"

# ---- A4b: revisions numbered as the writer never would (DWG-1 holds C, number 1) ----
# verify reads the records a commit adds and one before them (the ones
# before were checked when they came), not every revision at each new one
at_now
make_pdf a4b.pdf "DWG-1 rev D"; make_pdf a4e.pdf "DWG-1 rev E"
rev_json DWG-1 D drawing bob owner a4b.pdf > d1.json
rev_json DWG-1 D drawing bob owner a4b.pdf | jq -S --indent 2 '.seq = 3' > d3.json
rev_json DWG-1 D drawing bob owner a4b.pdf | jq -S --indent 2 '.seq = 2' > d2.json
rev_json DWG-1 E drawing bob owner a4e.pdf | jq -S --indent 2 '.seq = 2' > e2.json
rev_json DWG-1 E drawing bob owner a4e.pdf | jq -S --indent 2 '.seq = 3' > e3.json
D1F="$(doc DWG-1 D)/files/a4b.pdf=a4b.pdf"; E1F="$(doc DWG-1 E)/files/a4e.pdf=a4e.pdf"
MSG="add DWG-1

Qvault-Op: add
Qvault-Doc: DWG-1"
tamper a4d1; put a4d1 bob "$MSG" "$(doc DWG-1 D)/record.json=d1.json" "$D1F"
check "A4b: a drawing revision given the number of the one before it is caught" \
	culprit a4d1 "the record is revision number 1 of 'DWG-1', which has 2 and another of that number"
tamper a4d3; put a4d3 bob "$MSG" "$(doc DWG-1 D)/record.json=d3.json" "$D1F"
check "A4b: a drawing revision numbered past the revisions is caught" \
	culprit a4d3 "the record is revision number 3 of 'DWG-1', which has 2\$"
tamper a4de; put a4de bob "$MSG" "$(doc DWG-1 D)/record.json=d2.json" "$D1F" \
	"$(doc DWG-1 E)/record.json=e2.json" "$E1F"
check "A4b: two drawing revisions of one number in one commit are caught" \
	culprit a4de "the record is revision number 2 of 'DWG-1', which has 3 and another of that number"
# the same commit numbered right (D 2, E 3) passes: the check is not a refusal of all
tamper a4ok
put a4ok bob "$MSG" "$(doc DWG-1 D)/record.json=d2.json" "$D1F" "$(doc DWG-1 E)/record.json=e3.json" "$E1F"
check "A4b: two revisions numbered 2 and 3 in one commit pass verify" q -C a4ok verify

# (A5, a summary line that lies, is not a finding: the subject is free text,
# shown as the signer wrote it; the Qvault-Op trailer is what is checked)

# ---- A10: acknowledgments the writer refuses: obsolete, superseded ----------
at_now
tamper a10a; forge_ack a10a sid DWG-5 A received
check "A10: an acknowledgment of an obsolete revision is caught" culprit a10a "obsolete"
tamper a10b; forge_ack a10b sid DWG-6 A approved
check "A10: an acknowledgment of a superseded revision is caught" culprit a10b "superseded"

# ---- A11: PO answers numbered as the writer never would ----------------------
tamper s11
q -C s11 --key sam.pem po ack PO-1 --promise 2099-01-01 > /dev/null
AP=$(git -C s11 diff-tree -r --name-only --no-commit-id main~1 main)
at_now
git -C s11 show "main:$AP" | jq -S --indent 2 --arg at "$NOW" --arg fp "$(ssh-keygen -lf sid.pub -E sha256 | cut -d' ' -f2)" \
	'.seq = 7 | .signed_by = "sid" | .signed_at = $at | .fingerprint = $fp' > pa7.json
tamper a11
put a11 sid "po ack PO-1

Qvault-Op: po-ack
Qvault-PO: PO-1" "$(dirname "$AP")/000007-sid.json=pa7.json"
check "A11: a PO's first answer numbered 7 is caught" culprit a11 "number|seq"

# ---- A9: an NCR that names another supplier than its lot's ----
at_now
tamper s9
q -C s9 ncr add --lot L-1 --reason "hole oversize" --disposition rework > /dev/null
NP=$(git -C s9 diff-tree -r --name-only --no-commit-id main~1 main | grep ncr.json)
git -C s9 show "main:$NP" | jq -S --indent 2 --arg at "$NOW" '.supplier = "beta" | .opened_by = "bob" | .opened_at = $at | .disposition = "shred-it"' > ncr9.json
tamper a9
put a9 bob "ncr add $(jq -r .ncr ncr9.json) on L-1

Qvault-Op: ncr-add
Qvault-NCR: $(jq -r .ncr ncr9.json)" "$NP=ncr9.json"
check "A9: an NCR on acme's lot L-1 charged to supplier beta is caught" culprit a9 "supplier|beta"
check "A9: an NCR with a disposition qvault does not know is caught" culprit a9 "disposition"

# ---- A6 (raw): a merge whose two parents are the same commit -----------------
at_now
tamper a6
{ printf 'tree %s\nparent %s\nparent %s\n' "$(git -C a6 rev-parse 'main^{tree}')" "$(git -C a6 rev-parse main)" "$(git -C a6 rev-parse main)"
  printf 'author bob <bob@acme> %s +0000\ncommitter bob <bob@acme> %s +0000\n\n' "$TNOW" "$TNOW"
  printf 'merge from file:///elsewhere\n\nQvault-Op: merge\nQvault-Remote: file:///elsewhere\n'; } > twin.txt
c=$(sign_raw a6 bob twin.txt)
git -C a6 update-ref refs/heads/main "$c"
check "A6: a merge whose two parents are the same commit is caught" culprit a6 "merge|parent"

# ---- A7: a merge of a commit with its own ancestor (nothing to merge) ----
at_now
tamper a7
c=$(mk a7 bob "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(git -C a7 rev-parse 'main^{tree}')" "$BEFORE_REVOKE" main)
git -C a7 update-ref refs/heads/main "$c"
check "A7: a merge whose first parent is an ancestor of its second is caught" culprit a7 "merge|ancestor"

# (A8, a revoked user's commit dated before its revocation on a fork, is
# caught only when it changes users or settings: a commit's date is its
# signer's word until trusted time (issue 21) dates it)

# ---- A2: beta's revision inside acme's document, through a merge ----
# yan (beta) adds COC-20@B on a fork from before acme's COC-20@A existed;
# bob merges: the merge breaks pull's rule (both sides revised COC-20).
at_now
make_pdf c20b.pdf "beta's revision of acme's COC-20"
rev_json COC-20 B coc yan beta c20b.pdf > c20b.json
SB="$(doc COC-20 B)/record.json=c20b.json"; FB="$(doc COC-20 B)/files/c20b.pdf=c20b.pdf"
tamper a2
F=$(mk a2 yan "add COC-20@B

Qvault-Op: add
Qvault-Doc: COC-20
Qvault-Rev: B" "$(tree_of a2 "$BEFORE_COC20" "$SB" "$FB")" "$BEFORE_COC20")
merge_in a2 bob "$F" "$SB" "$FB"
check "A2: another organization's revision of a document, merged in, is a finding of the merge" \
	culprit a2 "both sites added revisions|adds a revision to document 'COC-20'"

# ---- A12: an outsider gives a genuine commit a new id: an empty line
# added to its signature header (a signature read back with a final
# newline) would verify under another commit id
tamper a12
git -C a12 cat-file commit main | perl -0pe 's/(-----END SSH SIGNATURE-----\n)/$1 \n/' > a12.txt
c=$(git -C a12 hash-object -t commit -w "$TMP/a12.txt") && git -C a12 update-ref refs/heads/main "$c"
check "  (the twin is another commit object)" test "$(git -C a12 rev-parse main)" != "$(git -C base rev-parse main)"
check "A12: a genuine commit re-encoded with an empty line after the signature is caught" \
	culprit a12 "signature's armor is not as ssh-keygen writes it"

# ---- held ---------------------------------------------------------------------------
# an outsider re-encoding the armor of a genuine signature (new commit id, same signature)
for sub in 's/(-----END SSH SIGNATURE-----\n)/$1 \n \n/' \
	's/(-----END SSH SIGNATURE-----)\n/$1 \n/' 's/\n (-----END)/\n \n $1/' 's/^gpgsig /gpgsig  /m'; do
	tamper h1
	git -C h1 cat-file commit main | perl -0pe "$sub" > h1.txt
	c=$(git -C h1 hash-object -t commit -w "$TMP/h1.txt") && git -C h1 update-ref refs/heads/main "$c"
	check "held: a genuine commit's signature header re-encoded ($sub) is caught" culprit h1 "armor|signature"
done

check "the honest base still passes" q -C base verify

done_testing
