#!/bin/sh
# An evidence bundle proves its own provenance with stock tools only
# (unzip, sha256sum, ssh-keygen, git): the auditor runs exactly the commands
# VERIFY.txt gives, against fingerprints obtained outside the bundle, and
# each check fails on what it guards: a changed byte, a changed SHA256SUMS
# or signature, a substituted allowed_signers re-signed by a forger, a
# commit of history.bundle re-signed by a forger.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zed:zenith
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-9:5:DWG-1@C > /dev/null 2>&1
q --key sam.pem ack DWG-1@C > /dev/null
make_pdf mtr.pdf "mill cert H-77"
make_pdf coc.pdf "CoC L-1"
make_pdf zcoc.pdf "zenith's CoC"
q --key sam.pem add mtr.pdf --doc MTR-77 --type material-cert --field certificate_type=3.1 \
	--field certificate_number=M77 --field manufacturer=Mill --field product=bar --field grade=6061 \
	--field heat_number=H-77 --field issue_date=2026-10-01 --field inspector=K > /dev/null
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key zed.pem add zcoc.pdf --doc COC-Z --type coc > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 --doc MTR-77@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --from H-77 --doc COC-1@A > /dev/null
fai_pkg FAIR-1 6.02
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null

# sub CMD: CMD in a subshell (a cd stays in it)
sub() { (eval "$1"); }

# What the auditor obtains from the vault's admin, outside the bundle: the
# vault's published keys and their fingerprints as ssh-keygen prints them.
q keys allowed-signers > trusted_signers
awk '{ print $3, $4, $1 }' trusted_signers | ssh-keygen -l -f - > trusted.fp
# vouched OUT: every "Good ... signature for NAME with ... key FP" line of
# OUT names a fingerprint the auditor obtained for NAME, and there is one
vouched() {
	grep -q '^Good ' "$1" || return 1
	grep '^Good ' "$1" | while read -r _ _ _ _ who _ _ _ fp; do
		grep -q "^256 $fp $who (ED25519)\$" trusted.fp || { echo "untrusted: $who $fp" >&2; return 1; }
	done
}
# run_verify DIR: the commands of DIR/VERIFY.txt, as given, in DIR
# (every indented command line, with its continuations; the unzip that
# made DIR is the first, run by the caller); their output in DIR.out
run_verify() {
	commands < "$1/VERIFY.txt" | grep -v '^unzip ' > "$1.sh" &&
	(cd "$1" && sh -e "../$1.sh") > "$1.out" 2>&1
}
commands() { awk '/^     [a-z]/ { on = 1 } on { sub(/^     /, ""); print } /^$/ { on = 0 }'; }
# run_step DIR N: the commands of step N of DIR/VERIFY.txt only, each run
# whatever the one before gave; their output in DIR.out
run_step() {
	awk -v s="$2." '$1 == s { on = 1; next } /^[0-9]\. / { on = 0 } on' "$1/VERIFY.txt" | commands > "$1.sh" &&
	(cd "$1" && sh "../$1.sh") > "$1.out" 2>&1
}

ok "export --lot L-1 writes the bundle" q export --lot L-1 -o b.zip
check "  the same vault gives the same bytes, signatures and history too" sub '
	q export --lot L-1 -o b2.zip > /dev/null && cmp -s b.zip b2.zip'
check "  it holds history.bundle, HISTORY.txt and one SHA256SUMS signature per signer" sub '
	unzip -Z1 b.zip > z.txt && grep -qx history.bundle z.txt && grep -qx HISTORY.txt z.txt &&
	[ "$(grep "^SHA256SUMS\." z.txt)" = "SHA256SUMS.qvault-server@owner.sig
SHA256SUMS.tester@owner.sig" ]'
check "VERIFY.txt names every step: unzip, sha256sum, ssh-keygen, git bundle, verify-commit, cat-file" sub '
	unzip -p b.zip VERIFY.txt > v.txt &&
	grep -q "^     unzip BUNDLE.zip -d bundle && cd bundle$" v.txt &&
	grep -q "^     sha256sum -c SHA256SUMS$" v.txt &&
	grep -q "ssh-keygen -Y verify -f allowed_signers -I .qvault-server@owner. -n qvault-bundle" v.txt &&
	grep -q "ssh-keygen -Y verify -f allowed_signers -I .tester@owner. -n qvault-bundle" v.txt &&
	grep -q "git --git-dir=history.git bundle unbundle history.bundle" v.txt &&
	grep -q "verify-commit [0-9a-f]\{40\}$" v.txt &&
	grep -q "independently" v.txt && grep -q "qvault keys allowed-signers" v.txt'

# ---- the auditor, with stock tools ----------------------------------------------
check "unzip, then every command of VERIFY.txt passes" sub '
	unzip -q b.zip -d bundle && run_verify bundle'
check "  both signatures on SHA256SUMS are good, by the server and the exporter" sub '
	grep -q "^Good \"qvault-bundle\" signature for qvault-server@owner with ED25519 key SHA256:" bundle.out &&
	grep -q "^Good \"qvault-bundle\" signature for tester@owner with ED25519 key SHA256:" bundle.out'
check "  sha256sum -c covers every file but the signatures, history.bundle too" sub '
	grep -qx "history.bundle: OK" bundle.out && grep -qx "allowed_signers: OK" bundle.out &&
	[ "$(grep -c ": OK$" bundle.out)" = "$(cd bundle && find . -path ./history.git -prune -o -type f ! -name SHA256SUMS ! -name "SHA256SUMS.*.sig" -print | wc -l)" ]'
check "  every commit of the history verifies, one Good git signature each" sub '
	[ "$(grep -c "^       verify-commit [0-9a-f]*$" bundle/VERIFY.txt)" = "$(grep -c "^Good \"git\" signature" bundle.out)" ] &&
	[ "$(grep -c "^Good \"git\" signature" bundle.out)" -ge 5 ]'
check "  every fingerprint printed is one the auditor obtained independently" vouched bundle.out

# ---- what the history proves ------------------------------------------------------
path_of() { git -C v ls-tree -d -r --name-only main | grep "/$1/$2\$"; }
commits_of() { git -C v log --format=%H --reverse main -- "$(path_of "$1" "$2")"; }
check "HISTORY.txt: DWG-1@C released by tester, acknowledged by sam, the vault's own commits" sub '
	sed -n "/^DWG-1@C /,/^\$/p" bundle/HISTORY.txt > h.txt &&
	grep -q "^  $(commits_of DWG-1 C | sed -n 1p) tester .* release DWG-1@C to acme$" h.txt &&
	grep -q "^  $(commits_of DWG-1 C | sed -n 2p) sam .* ack DWG-1@C received by sam (acme)$" h.txt'
check "  the CoC, the material certificate (cert.json) and the FAI package: added by sam" sub '
	for r in COC-1:A MTR-77:A FAIR-1:A; do
		sed -n "/^${r%:*}@A /,/^\$/p" bundle/HISTORY.txt > h.txt &&
		grep -q "^  $(commits_of ${r%:*} A | head -1) sam " h.txt || exit 1
	done'
check "  git verify-commit names sam for the ack and the CoC (stock git, allowed_signers given)" sub '
	cd bundle && for c in $(commits_of DWG-1 C | sed -n 2p) $(commits_of COC-1 A); do
		git --git-dir=history.git -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit "$c" 2>&1 |
			grep -q "^Good \"git\" signature for sam@acme " || exit 1
	done'
check "  the files are the ones the signed commits hold (cat-file | cmp), cert.json too" sub '
	grep -q "^       cmp - .documents/COC-1@A/coc.pdf.$" bundle/VERIFY.txt &&
	grep -q "^       cmp - .certs/MTR-77@A/cert.json.$" bundle/VERIFY.txt &&
	grep -q "^       cmp - .documents/FAIR-1@A/" bundle/VERIFY.txt'
check "  and nothing else of the vault: not zenith's CoC, no user record" sub '
	zb=$(git -C v rev-parse "main:$(path_of COC-Z A)/files/zcoc.pdf") &&
	git -C v cat-file -e "$zb" && ! git --git-dir=bundle/history.git cat-file -e "$zb" 2>/dev/null &&
	! git --git-dir=bundle/history.git cat-file -e "$(git -C v rev-parse main:users)" 2>/dev/null &&
	! git --git-dir=bundle/history.git cat-file -e "$(git -C v log --format=%H main -- "$(path_of COC-Z A)")" 2>/dev/null'

# ---- each check fails on what it guards ---------------------------------------------
fresh() { rm -rf "$1" "$1.git"; cp -r bundle "$1"; rm -rf "$1/history.git"; }
fresh t1
printf x >> t1/documents/COC-1@A/coc.pdf
check "a changed byte in a document: sha256sum -c fails, naming it" sub '
	! (cd t1 && sha256sum -c SHA256SUMS > ../t1.sum 2>&1) &&
	grep -qx "documents/COC-1@A/coc.pdf: FAILED" t1.sum'
check "  and so does the whole list of VERIFY.txt, at that step" sub '
	! run_verify t1 && grep -q "documents/COC-1@A/coc.pdf: FAILED" t1.out && ! grep -q "^Good \"git\"" t1.out'
fresh t2
printf 'PACK' | dd of=t2/history.bundle bs=1 seek=200 conv=notrunc 2> /dev/null
check "a changed byte in history.bundle: sha256sum -c fails" sub '
	! (cd t2 && sha256sum -c SHA256SUMS > ../t2.sum 2>&1) && grep -qx "history.bundle: FAILED" t2.sum'
fresh t3
printf x >> t3/documents/COC-1@A/coc.pdf
(cd t3 && sed -i "s|^[0-9a-f]*  documents/COC-1@A/coc.pdf\$|$(sha256sum documents/COC-1@A/coc.pdf)|" SHA256SUMS)
check "a changed document with a SHA256SUMS made to match: sha256sum -c passes" sub '
	cd t3 && sha256sum --quiet -c SHA256SUMS'
check "  but ssh-keygen -Y verify refuses both signatures of SHA256SUMS" sub '
	cd t3 && for s in qvault-server@owner tester@owner; do
		! ssh-keygen -Y verify -f allowed_signers -I "$s" -n qvault-bundle -s "SHA256SUMS.$s.sig" \
			< SHA256SUMS > ../t3.out 2>&1 && grep -q "Signature verification failed" ../t3.out || exit 1
	done'
fresh t4
awk 'NR == 3 { c = substr($0, 1, 1); $0 = (c == "A" ? "B" : "A") substr($0, 2) } 1' \
	bundle/SHA256SUMS.qvault-server@owner.sig > t4/SHA256SUMS.qvault-server@owner.sig
check "a changed signature: ssh-keygen -Y verify fails" sub '
	cd t4 && ! cmp -s SHA256SUMS.qvault-server@owner.sig ../bundle/SHA256SUMS.qvault-server@owner.sig &&
	! ssh-keygen -Y verify -f allowed_signers -I qvault-server@owner -n qvault-bundle \
		-s SHA256SUMS.qvault-server@owner.sig < SHA256SUMS > ../t4.out 2>&1'
check "  the exporter's signature still verifies: each is checked on its own" sub '
	cd t4 && ssh-keygen -Y verify -f allowed_signers -I tester@owner -n qvault-bundle \
		-s SHA256SUMS.tester@owner.sig < SHA256SUMS > /dev/null 2>&1'

# The forger changes the trace (a document would also fail step 5: the
# history holds its bytes), puts its own key in allowed_signers under the
# server's name, drops the exporter's signature and its lines from
# VERIFY.txt (step 1's and step 2's), rebuilds SHA256SUMS and signs it as the server.
ssh-keygen -q -t ed25519 -N '' -C forger -f forger
fresh t5
sed -i 's/L-1/L-2/' t5/trace.txt
(cd t5 && sed -i "/^qvault-server@owner /s#\(^[^ ]* [^ ]*\) .*#\1 $(cut -d' ' -f1,2 ../forger.pub)#" allowed_signers &&
	sed -i -e "/-I 'tester@owner' -n qvault-bundle/,+1d" -e "/echo 'SHA256SUMS.tester@owner.sig'/d" VERIFY.txt &&
	rm SHA256SUMS* && find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > ../t5.sums && mv ../t5.sums SHA256SUMS &&
	ssh-keygen -q -Y sign -f ../forger -n qvault-bundle SHA256SUMS &&
	mv SHA256SUMS.sig SHA256SUMS.qvault-server@owner.sig)
check "a substituted allowed_signers, re-signed by a forger: the bundle's own checks pass" sub '
	run_verify t5 && grep -q "^Good \"qvault-bundle\" signature for qvault-server@owner" t5.out'
check "  but the auditor sees fingerprints not the ones obtained independently" sub '
	! vouched t5.out 2> t5.why && grep -q "^untrusted: qvault-server@owner SHA256:" t5.why &&
	grep -q "$(ssh-keygen -l -f forger.pub | cut -d" " -f2)" t5.why'
check "  and with the published allowed_signers the signature is refused" sub '
	cd t5 && ! ssh-keygen -Y verify -f ../trusted_signers -I qvault-server@owner -n qvault-bundle \
		-s SHA256SUMS.qvault-server@owner.sig < SHA256SUMS > ../t5b.out 2>&1 &&
	grep -q "Signature verification failed\|Could not verify signature" ../t5b.out'

# The forger re-signs sam's acknowledgment commit with its own key: same
# tree, parents, author and message; history.bundle and the lists rebuilt.
fresh t6
ack=$(commits_of DWG-1 C | sed -n 2p)
(cd t6 && git init -q --bare h.git && git --git-dir=h.git bundle unbundle history.bundle > /dev/null 2>&1 &&
	git --git-dir=h.git cat-file commit "$ack" | awk '/^gpgsig /{ s = 1; next } s && /^ /{ next } { s = 0; print }' > payload &&
	ssh-keygen -q -Y sign -f ../forger -n git payload &&
	awk 'NR == FNR { sig = sig (sig == "" ? "gpgsig " : "\n ") $0; next }
	     !done && /^committer / { print; print sig; done = 1; next } { print }' payload.sig payload > forged &&
	f=$(git --git-dir=h.git hash-object -t commit -w forged) &&
	{ printf '# v2 git bundle\n'; sed -n '2,/^$/p' history.bundle | sed '$d' | sed "s/$ack/$f/g"; printf '\n'
	  { git --git-dir=h.git cat-file --batch-all-objects --batch-check='%(objectname)' | grep -v "$ack"; } |
		git --git-dir=h.git pack-objects -q --stdout; } > history.new &&
	mv history.new history.bundle && rm -rf h.git payload payload.sig forged &&
	sed -i "s/$ack/$f/g" VERIFY.txt HISTORY.txt &&
	echo "$f" > ../forged.id)
check "a commit of history.bundle re-signed by a forger: the bundle unbundles" sub '
	test -s forged.id && cd t6 && git init -q --bare history.git &&
	git --git-dir=history.git bundle unbundle history.bundle | grep -q "^$(cat ../forged.id) "'
check "  but git verify-commit refuses it against the real allowed_signers" sub '
	cd t6 && ! git --git-dir=history.git -c gpg.ssh.allowedSignersFile=../trusted_signers \
		verify-commit "$(cat ../forged.id)" > ../t6.out 2>&1 && grep -q "No principal matched" ../t6.out'
check "  and so do the commands of VERIFY.txt step 4, the other commits passing" sub '
	rm -rf t6/history.git && run_step t6 4 && [ "$(grep -c "No principal matched" t6.out)" = 1 ] &&
	[ "$(grep -c "^Good \"git\" signature" t6.out)" -ge 4 ]'

# ---- who signs -----------------------------------------------------------------------
ok "a supplier exports its own lot" q --key sam.pem export --lot L-1 -o s.zip
check "  signed by the server and by sam, each verifying" sub '
	unzip -q s.zip -d s && run_verify s &&
	grep -q "^Good \"qvault-bundle\" signature for sam@acme with" s.out && vouched s.out'
check "  its history holds nothing of zenith's either" sub '
	! grep -q "COC-Z" s/HISTORY.txt && ! grep -q zenith s/HISTORY.txt'
ok "export --po PO-1: its history too" sub 'q export --po PO-1 -o p.zip && unzip -q p.zip -d p && run_verify p && vouched p.out'
mv v/qvault/server.pem server.pem.away
fails 1 "server\.pem" "an export without the server key is refused, no bundle written" \
	q export --lot L-1 -o nokey.zip
q key generate -o v/qvault/server.pem -c other > /dev/null
fails 3 "the server key '.*server\.pem' is not the key of user 'qvault-server'" \
	"an export with a server key that is not the vault's is refused" q export --lot L-1 -o other.zip
rm v/qvault/server.pem
mv server.pem.away v/qvault/server.pem
check "  neither left a bundle behind" sub '[ ! -e nokey.zip ] && [ ! -e other.zip ]'
ok "verify passes" q verify

done_testing
