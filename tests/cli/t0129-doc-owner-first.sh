#!/bin/sh
# A document belongs to the organization of its first revision (the one
# numbered 1): verify finds a revision another organization's user adds,
# whatever the revision folders' names and order, and whatever a forger
# puts beside them.  check_record reads the document's revisions until it
# meets number 1 (first_org); a folder whose record cannot be read is
# skipped, not the end of the check: with the whole folder read, as it
# was, one such folder sorted first silenced the check for every later
# revision of the document.
. "$(dirname "$0")/lib.sh"

vault_v sam:sup1
ssh_user zoe zenith supplier
make_pdf coc.pdf "sup1 coc"
make_pdf coc2.pdf "sup1 coc 2"
echo junk > junk.txt
# COC-1: B numbered 1, then A numbered 2, both sup1's: the first folder
# in tree order (A) is not the first revision
q --key sam.pem add coc.pdf --doc COC-1 --rev B --type coc > /dev/null
q --key sam.pem add coc2.pdf --doc COC-1 --rev A --type coc > /dev/null
cp -a v base
DD=docs/$(dir_of COC-1)/COC-1

# zoe's C: sam's C, added in a copy, its record made zoe's of zenith and
# committed in VAULT around qvault with stock git, signed by zoe
rm -rf sd && cp -a base sd
q -C sd --key sam.pem add coc.pdf --doc COC-1 --rev C --type coc > /dev/null
zoes_c() {
	specs= i=0
	zt=$(date -u +%s)
	for p in $(git -C sd diff-tree -r --name-only --no-commit-id main~1 main); do
		i=$((i + 1))
		git -C sd show "main:$p" > "rp$i"
		case $p in
		*/files/*) ;;
		*) sed -i -e 's/"sam"/"zoe"/; s/"sup1"/"zenith"/' \
			-e "s/\"added_at\": \"[^\"]*\"/\"added_at\": \"$(date -u -d "@$zt" +%Y-%m-%dT%H:%M:%SZ)\"/" \
			"rp$i" ;;
		esac
		specs="$specs $p=rp$i"
	done
	# shellcheck disable=SC2086 # one PATH=FILE a word
	GIT_AUTHOR_NAME=zoe GIT_AUTHOR_EMAIL=zoe@zenith GIT_COMMITTER_NAME=zoe \
		GIT_COMMITTER_EMAIL=zoe@zenith GIT_AUTHOR_DATE="$zt +0000" \
		GIT_COMMITTER_DATE="$zt +0000" \
		forge "$1" zoe "add COC-1@C

Qvault-Op: add
Qvault-Doc: COC-1
Qvault-Rev: C" $specs
}
# stray VAULT PATH: zoe's commit of junk at PATH of COC-1's folder
stray() {
	GIT_AUTHOR_NAME=zoe GIT_AUTHOR_EMAIL=zoe@zenith GIT_COMMITTER_NAME=zoe \
		GIT_COMMITTER_EMAIL=zoe@zenith forge "$1" zoe "stray

Qvault-Op: add" "$DD/$2=junk.txt"
}
# the finding on zoe's C (a stray record of zoe's is a finding of its own)
OWNED="COC-1/C/record.json: user 'zoe' of 'zenith' adds a revision to document 'COC-1' of 'sup1'"

ok "sam's C of sup1's COC-1 verifies" q -C sd verify
rm -rf s0 && cp -a base s0 && zoes_c s0
check "zoe of zenith adds C to COC-1, whose first revision (B, after A) is sup1's: found" \
	culprit s0 "$OWNED"

for where in 0 README; do
	rm -rf "s-$where" && cp -a base "s-$where" && stray "s-$where" "$where" && zoes_c "s-$where"
	check "a stray file '$where' beside COC-1's revisions hides nothing" culprit "s-$where" "$OWNED"
done
for where in 0 Z; do
	rm -rf "r-$where" && cp -a base "r-$where" && stray "r-$where" "$where/record.json" && zoes_c "r-$where"
	check "a malformed record in folder '$where' of COC-1 hides nothing" culprit "r-$where" "$OWNED"
	ok "  and the malformed record is a finding of its own" \
		evalq "q -C r-$where verify | grep -q 'COC-1/$where/record.json'"
done

done_testing
