#!/bin/sh
# Attacks on the evidence bundle, with stock tools only (zip by python3's
# zipfile, unzip, sha256sum, ssh-keygen, git), each judged as the auditor
# judges it: by running the commands of the bundle's VERIFY.txt literally,
# the unzip first, and matching each fingerprint printed to the ones the
# buyer passed on apart from the bundle (what `qvault export` printed).
#   a hostile supplier: a changed certificate with its SHA256SUMS line, a
#     member not listed, members named ../X, /X or a link, a substituted
#     allowed_signers re-signed, a signature renamed, another history.bundle;
#   an outsider reading a bundle: nothing of another supplier (its users,
#     acknowledgments, records, commits), in the files or in history.bundle;
#   a peer site forging history.bundle: a commit re-signed by another
#     user of the vault, a commit rewritten.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme zed:zenith eve:acme
# mallory of zenith: a user of the vault whose key ssh-keygen reads (the peer site's)
ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory
q --key "$TMP/admin.pem" user add mallory --org zenith --role supplier --pubkey mallory.pub > /dev/null
# ann of acme, the same way: a signer of acme's bundles
ssh-keygen -q -t ed25519 -N '' -C ann -f ann
q --key "$TMP/admin.pem" user add ann --org acme --role supplier --pubkey ann.pub > /dev/null
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-1:5:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q --key zed.pem ack DWG-1@C > /dev/null
q --key eve.pem ack DWG-1@C > /dev/null
q --key ann ack DWG-1@C > /dev/null
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
q --key zed.pem lot add Z-1 --po PO-2 --part PN-1 --qty 1 --doc COC-Z@A > /dev/null
# eve's acknowledgment stays hers after her key is revoked; the auditor
# checks the bundle a second later at least
q --key "$TMP/admin.pem" user revoke eve > /dev/null
sleep 1

sub() { (eval "$1"); }
# commands: the command lines of a VERIFY.txt (each indented five spaces,
# with its continuations), in order
commands() { awk '/^     [a-z]/ { on = 1 } on { sub(/^     /, ""); print } /^$/ { on = 0 }'; }
# audit ZIP DIR: what the auditor does with ZIP, literally: in DIR (new,
# outside nothing), ZIP as BUNDLE.zip, every command of the VERIFY.txt it
# holds run in order, the unzip first, stopping at the first that fails;
# all they printed in DIR.out
audit() {
	rm -rf "$2" && mkdir -p "$2/in" && cp "$1" "$2/in/BUNDLE.zip" &&
	unzip -p "$1" VERIFY.txt | commands > "$2.sh" &&
	(cd "$2/in" && sh -e "$TMP/$2.sh") > "$2.out" 2>&1
}
# run_step DIR N: the commands of step N of DIR/VERIFY.txt only, in DIR
run_step() {
	awk -v s="$2." '$1 == s { on = 1; next } /^[0-9]\. / { on = 0 } on' "$1/VERIFY.txt" | commands > "$1.sh" &&
	(cd "$1" && sh "$TMP/$1.sh") > "$1.out" 2>&1
}
# vouched OUT: every "Good "qvault-bundle" signature for NAME with ... key
# FP" line of OUT names the fingerprint the buyer passed on for NAME
# (given.txt: "NAME FP" lines, from what qvault export printed), and there
# is one; the other keys are the bundle's, vouched for by those signatures
vouched() {
	grep -q '^Good "qvault-bundle" ' "$1" || return 1
	grep '^Good "qvault-bundle" ' "$1" | while read -r _ _ _ _ who _ _ _ fp; do
		grep -qx "$who $fp" given.txt || { echo "untrusted: $who $fp" >&2; return 1; }
	done
}
# rezip DIR ZIP: ZIP holding the files of DIR (stock zip, names as found)
rezip() { rm -f "$2" && (cd "$1" && zip -qr -X "$TMP/$2" .); }

# ---- what the buyer hands over ------------------------------------------------------
# given OUT: the "NAME FP" lines of what export printed (OUT), in given.txt
given() { sed -n "s/^  \([^ ]*@[^ ]*\) \(SHA256:[^ ]*\)$/\1 \2/p" "$1" > given.txt; }
ok "export --lot L-1 writes the bundle" q export --lot L-1 -o b.zip
cp .out b.out
check "  and prints each signer's fingerprint, to give the auditor apart from the bundle" sub '
	given b.out && grep -q "^give the auditor these fingerprints apart from the bundle" b.out &&
	[ "$(cut -d" " -f1 given.txt)" = "qvault-server@owner
tester@owner" ]'
# the buying side's fingerprints of its users, as `qvault keys allowed-signers` publishes them
q keys allowed-signers > published
awk '{ print $3, $4, $1 }' published | ssh-keygen -l -f - | awk '{ print $3, $2 }' > published.fp
check "  the very ones the vault publishes (keys allowed-signers, ssh-keygen -l)" sub '
	while read -r who fp; do grep -qx "$who $fp" published.fp || exit 1; done < given.txt'
check "VERIFY.txt step 0 says to get them apart from the bundle, and names them" sub '
	unzip -p b.zip VERIFY.txt > v.txt && grep -q "independently, from the buyer and apart" v.txt &&
	while read -r who fp; do grep -qx "       $who $fp" v.txt || exit 1; done < given.txt'

check "the auditor runs every command of VERIFY.txt, unzip first: all pass" audit b.zip a0
check "  and every fingerprint they print is one the buyer passed on" vouched a0.out
check "  eve's acknowledgment verifies at the time it states, her key revoked since" sub '
	grep -q "^Good \"qvault-ack\" signature for eve@acme " a0.out &&
	grep -q "valid-before" a0/in/bundle/allowed_signers'
check "  without -Overify-time ssh-keygen refuses it (it checks at the present)" sub '
	cd a0/in/bundle && ! ssh-keygen -Y verify -f allowed_signers -I eve@acme -n qvault-ack \
		-s acks/DWG-1@C/eve-received.json.sig < acks/DWG-1@C/eve-received.json > ../../e.out 2>&1 &&
	grep -q "key has expired" ../../e.out'

# ---- a hostile supplier ---------------------------------------------------------------
# (each forgery starts from the bundle as unpacked, and is zipped again)
fresh() { rm -rf "$1"; cp -r a0/in/bundle "$1"; rm -rf "$1/history.git"; }

fresh f1
sed -i 's/"grade": "6061"/"grade": "7075"/' f1/certs/MTR-77@A/cert.json
(cd f1 && sed -i "s|^[0-9a-f]*  certs/MTR-77@A/cert.json\$|$(sha256sum certs/MTR-77@A/cert.json)|" SHA256SUMS)
rezip f1 f1.zip
check "a certificate changed, its SHA256SUMS line made to match: sha256sum -c would pass" sub '
	grep -q 7075 f1/certs/MTR-77@A/cert.json && cd f1 && sha256sum --quiet -c SHA256SUMS'
check "  but VERIFY.txt fails at step 1: the server's signature of SHA256SUMS" sub '
	! audit f1.zip a1 && grep -q "Signature verification failed" a1.out &&
	! grep -q "^Good \"qvault-bundle\"" a1.out && ! grep -q ": OK$" a1.out'

fresh f2
make_pdf f2/documents/COC-1@A/waiver.pdf "deviation approved"
rezip f2 f2.zip
check "a document added, not in SHA256SUMS: VERIFY.txt fails at step 2, naming it" sub '
	! audit f2.zip a2 && grep -qx "documents/COC-1@A/waiver.pdf: unlisted or missing" a2.out &&
	grep -q "^Good \"qvault-bundle\" signature for qvault-server@owner" a2.out && ! grep -q "^Good \"git\"" a2.out'

python3 - <<'PY'
import stat, zipfile
def forge(name, extra):
    src = zipfile.ZipFile("b.zip")
    with zipfile.ZipFile(name, "w") as z:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i.filename))
        for n, data, link in extra:
            i = zipfile.ZipInfo(n)
            if link:
                i.create_system = 3
                i.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(i, data)
forge("dotdot.zip", [("../escaped.txt", b"x", False)])
forge("abs.zip", [("/tmp/qvault-abs-escaped.txt", b"x", False)])
forge("link.zip", [("documents/COC-1@A/spec.pdf", "../../../../../../etc/hostname", True)])
PY
check "a member named ../escaped.txt: unzip writes it inside the folder, warning" sub '
	! audit dotdot.zip a3 && [ ! -e a3/escaped.txt ] && [ ! -e escaped.txt ] && [ -f a3/in/bundle/escaped.txt ] &&
	grep -q "skipped \"../\" path component(s) in ../escaped.txt" a3.out && ! grep -q "^Good " a3.out'
check "  unzip quiet, VERIFY.txt fails at step 2, naming it" sub '
	unzip -p dotdot.zip VERIFY.txt | commands | sed "1s/^unzip /unzip -q /" > a3q.sh &&
	rm -rf a3q && mkdir -p a3q/in && cp dotdot.zip a3q/in/BUNDLE.zip &&
	! (cd a3q/in && sh -e "$TMP/a3q.sh") > a3q.out 2>&1 &&
	grep -qx "escaped.txt: unlisted or missing" a3q.out && ! grep -q "^Good \"git\"" a3q.out'
check "a member named /tmp/...: unzip strips the /, fails, and VERIFY.txt stops there" sub '
	! audit abs.zip a4 && [ ! -e /tmp/qvault-abs-escaped.txt ] &&
	grep -q "stripped absolute path" a4.out && ! grep -q "^Good " a4.out'
check "a member that is a link (to /etc/hostname): VERIFY.txt fails at step 2, naming it" sub '
	! audit link.zip a5 && [ -L a5/in/bundle/documents/COC-1@A/spec.pdf ] &&
	grep -qx "./documents/COC-1@A/spec.pdf: not a file" a5.out && ! grep -q "^Good \"git\"" a5.out'

# resign DIR: as a forger would, its own key in DIR/allowed_signers under
# the server's name, the exporter's signature and every line of VERIFY.txt
# naming it dropped, its own fingerprint in step 0, SHA256SUMS rebuilt
# and signed with its key
ssh-keygen -q -t ed25519 -N '' -C forger -f forger
ffp=$(ssh-keygen -l -f forger.pub | cut -d' ' -f2)
resign() {
	(cd "$1" && sed -i "/^qvault-server@owner /s#\(^[^ ]* [^ ]*\) .*#\1 $(cut -d' ' -f1,2 ../forger.pub)#" allowed_signers &&
	sed -i -e "/-I 'tester@owner' -n qvault-bundle/,+1d" -e "/echo 'SHA256SUMS.tester@owner.sig'/d" \
		-e "/^       tester@owner SHA256:/d" -e "s#^       qvault-server@owner SHA256:.*#       qvault-server@owner $ffp#" VERIFY.txt &&
	rm SHA256SUMS* && find . -type f | cut -c 3- | LC_ALL=C sort | xargs sha256sum > ../sums && mv ../sums SHA256SUMS &&
	ssh-keygen -q -Y sign -f ../forger -n qvault-bundle SHA256SUMS && mv SHA256SUMS.sig SHA256SUMS.qvault-server@owner.sig)
}
fresh f6
sed -i 's/"grade": "6061"/"grade": "7075"/' f6/certs/MTR-77@A/cert.json
resign f6
rezip f6 f6.zip
check "a certificate changed, allowed_signers and SHA256SUMS re-signed by a forger: steps 1-4 pass" sub '
	! audit f6.zip a6 && grep -q "^Good \"qvault-bundle\" signature for qvault-server@owner with ED25519 key $ffp" a6.out &&
	grep -qx "certs/MTR-77@A/cert.json: OK" a6.out && grep -q "^Good \"git\" signature for sam@acme" a6.out'
check "  but step 5 fails: the commit sam signed holds the real certificate" sub '
	grep -q "^- certs/MTR-77@A/cert.json differ" a6.out'
fresh f6b
sed -i 's/L-1/L-2/' f6b/trace.txt
resign f6b
rezip f6b f6b.zip
check "trace.txt changed (no history holds it), re-signed by the forger: every command passes" sub '
	audit f6b.zip a6b && grep -q "^Good \"qvault-bundle\" signature for qvault-server@owner with ED25519 key $ffp" a6b.out'
check "  but the fingerprint printed is not the one the buyer passed on: the auditor rejects it" sub '
	given b.out && ! vouched a6b.out 2> a6b.why && grep -qx "untrusted: qvault-server@owner $ffp" a6b.why &&
	! grep -q "$ffp" given.txt'

fresh f7
mv f7/SHA256SUMS.tester@owner.sig f7/SHA256SUMS.admin@owner.sig
rezip f7 f7.zip
check "the exporter's signature renamed to claim the admin: VERIFY.txt fails at step 1" sub '
	! audit f7.zip a7 && grep -q "^Couldn.t read signature file" a7.out && ! grep -q ": OK$" a7.out'
check "  and checked as the admin's it is refused: the admin signed nothing here" sub '
	cd a7/in/bundle && ! grep -q "^admin@owner " allowed_signers &&
	! ssh-keygen -Y verify -f allowed_signers -I admin@owner -n qvault-bundle \
		-s SHA256SUMS.admin@owner.sig < SHA256SUMS > ../../a7b.out 2>&1'

fresh f9
cp f9/SHA256SUMS.tester@owner.sig f9/SHA256SUMS.sam@acme.sig
rezip f9 f9.zip
check "a signature file added, claiming sam signed too: VERIFY.txt fails at step 2, naming it" sub '
	! audit f9.zip a9 && grep -qx "SHA256SUMS.sam@acme.sig: unlisted or missing" a9.out &&
	! grep -q "^Good \"git\"" a9.out'

q export --po PO-1 -o po.zip > /dev/null
fresh f8
unzip -p po.zip history.bundle > f8/history.bundle
rezip f8 f8.zip
check "another bundle's history.bundle put in (a valid one): VERIFY.txt fails at step 2" sub '
	! cmp -s f8/history.bundle a0/in/bundle/history.bundle &&
	! audit f8.zip a8 && grep -qx "history.bundle: FAILED" a8.out && ! grep -q "^Good \"git\"" a8.out'

# ---- an outsider reading a bundle ------------------------------------------------------
# other PATH...: none of the files holds anything of zenith's but the one
# release of the drawing to both suppliers (its commit's message and
# release.json name them: see "left" in the report of this work)
zed_ack=$(git -C v log --format=%H --grep "^ack DWG-1@C received by zed" main)
zcoc=$(git -C v log --format=%H --grep "^add COC-Z@A" main)
# holds_nothing_of_zenith DIR: in the bundle unpacked in DIR and its history
holds_nothing_of_zenith() {
	hz=$1
	# (patterns no base64 of a key or signature can hold by chance)
	! grep -rq "zed@\|zed-\|mallory@\|COC-Z\|Z-1\|PO-2" --exclude-dir=history.git --exclude=history.bundle "$hz" ||
		return 1
	! grep -rh zenith --exclude-dir=history.git --exclude=history.bundle "$hz" |
		grep -vq "release DWG-1@C to acme,zenith$" || return 1
	! grep -q zenith "$hz/allowed_signers" && [ ! -e "$hz/acks/DWG-1@C/zed-received.json" ] || return 1
	rm -rf hz.git && git init -q --bare hz.git &&
	git --git-dir=hz.git bundle unbundle "$hz/history.bundle" > /dev/null 2>&1 || return 1
	! git --git-dir=hz.git cat-file -e "$zed_ack" 2> /dev/null || return 1
	! git --git-dir=hz.git cat-file -e "$zcoc" 2> /dev/null || return 1
	git --git-dir=hz.git cat-file --batch-all-objects --batch > hz.objects && [ -s hz.objects ] &&
	! grep -aq "zed@\|zed-\|mallory@\|COC-Z" hz.objects || return 1
	for c in $(grep -o "^  [0-9a-f]\{40\}" "$hz/HISTORY.txt"); do
		git --git-dir=hz.git cat-file commit "$c" > hz.log || return 1
		! grep -q "zed@\|mallory@" hz.log || return 1
		git --git-dir=hz.git ls-tree -r -t --name-only "$c" 2> /dev/null | grep "zed\|COC-Z" && return 1
	done
	rm -rf hz.git
}
check "the buyer's bundle of acme's lot holds nothing of zenith's: no zed, its ack, its CoC" \
	holds_nothing_of_zenith a0/in/bundle
check "  allowed_signers holds who signed what it holds, not every user (no admin, no zed)" sub '
	[ "$(cut -d" " -f1 a0/in/bundle/allowed_signers)" = "ann@acme
eve@acme
qvault-server@owner
sam@acme
tester@owner" ]'
check "  acme's acknowledgments are there, with their commits in the history" sub '
	ls a0/in/bundle/acks/DWG-1@C > acks.txt && [ "$(cat acks.txt)" = "ann-received.json
ann-received.json.sig
eve-received.json
eve-received.json.sig
sam-received.json
sam-received.json.sig" ] &&
	grep -q " sam .* ack DWG-1@C received by sam (acme)$" a0/in/bundle/HISTORY.txt &&
	grep -q " eve .* ack DWG-1@C received by eve (acme)$" a0/in/bundle/HISTORY.txt'
ok "sam exports its own lot" q --key sam.pem export --lot L-1 -o s.zip
cp .out s.out
check "  every command of its VERIFY.txt passes, each fingerprint one export printed" sub '
	audit s.zip as && given s.out && grep -q "^sam@acme " given.txt && vouched as.out'
check "  and it holds nothing of zenith's either" holds_nothing_of_zenith as/in/bundle
check "the PO's bundle holds nothing of zenith's" sub '
	rm -rf p && unzip -q po.zip -d p && holds_nothing_of_zenith p'
ok "the drawing's own bundle (export --doc) by the buyer" q export --doc DWG-1@C -o d.zip
cp .out d.out
check "  holds every supplier's acknowledgment of it, each verifying (zed's too)" sub '
	given d.out && audit d.zip ad && vouched ad.out && grep -q "^Good \"qvault-ack\" signature for zed@zenith" ad.out &&
	grep -q "^Good \"qvault-ack\" signature for sam@acme" ad.out'

# ---- a peer site forging history.bundle -------------------------------------------------
# forge_history DIR KEY EDIT: in the bundle DIR, sam's commit of COC-1@A
# made again (EDIT, a sed script, applied to it), signed with KEY (an
# ssh-keygen key file; - keeps the signature it had), history.bundle and
# the lists rebuilt; the forged id in DIR.id
forge_history() {
	fc=$(git -C v log --format=%H --grep "^add COC-1@A" main)
	(cd "$1" && git init -q --bare h.git && git --git-dir=h.git bundle unbundle history.bundle > /dev/null 2>&1 &&
	git --git-dir=h.git cat-file commit "$fc" > orig &&
	awk '/^gpgsig /{ s = 1; next } s && /^ /{ next } { s = 0; print }' orig | sed "$3" > payload &&
	if [ "$2" = - ]; then
		awk '/^gpgsig /{ s = 1 } s && !/^gpgsig / && !/^ /{ s = 0 } s' orig > sig
	else
		ssh-keygen -q -Y sign -f "$2" -n git payload &&
		awk '{ printf "%s%s\n", NR == 1 ? "gpgsig " : " ", $0 }' payload.sig > sig
	fi &&
	awk 'NR == FNR { sig = sig $0 "\n"; next } !done && /^committer / { print; printf "%s", sig; done = 1; next } { print }' \
		sig payload > forged &&
	f=$(git --git-dir=h.git hash-object -t commit -w forged) &&
	{ printf '# v2 git bundle\n'; sed -n '2,/^$/p' history.bundle | sed '$d' | sed "s/$fc/$f/g"; printf '\n'
	  git --git-dir=h.git cat-file --batch-all-objects --batch-check='%(objectname)' | grep -v "$fc" |
		git --git-dir=h.git pack-objects -q --stdout; } > history.new &&
	mv history.new history.bundle && rm -rf h.git orig payload payload.sig sig forged &&
	sed -i "s/$fc/$f/g" VERIFY.txt HISTORY.txt && echo "$f" > "../$1.id")
}
fresh h1
forge_history h1 "$TMP/mallory" 's/^add COC-1@A$/add COC-1@A (checked by zenith)/'
check "a commit of history.bundle rewritten and signed by mallory, a user of the vault: it unbundles" sub '
	test -s h1.id && cd h1 && git init -q --bare history.git &&
	git --git-dir=history.git bundle unbundle history.bundle | grep -q "^$(cat ../h1.id) "'
check "  but VERIFY.txt step 4 refuses it: mallory signed nothing this bundle holds" sub '
	rm -rf h1/history.git && run_step h1 4 && [ "$(grep -c "No principal matched" h1.out)" = 1 ] &&
	[ "$(grep -c "^Good \"git\" signature" h1.out)" -ge 4 ]'
check "  and step 2 had already: history.bundle is not the one signed" sub '
	run_step h1 2; grep -qx "history.bundle: FAILED" h1.out'
fresh h2
forge_history h2 - 's/^add COC-1@A$/add COC-1@A (approved)/'
check "a commit rewritten, its signature kept: VERIFY.txt step 4 refuses it" sub '
	test -s h2.id && run_step h2 4 && [ "$(grep -c "^Good \"git\" signature" h2.out)" -ge 4 ] &&
	grep -q "Signature verification failed\|Could not verify signature\|BAD signature" h2.out'

# ann, a signer of this bundle, signs a commit dated before she was a user
fresh h3
forge_history h3 "$TMP/ann" 's/^\(author\|committer\) [^<]*<[^>]*> [0-9]* /\1 ann <ann@acme> 1700000000 /'
check "a commit re-signed by ann, dated before ann was a user: it unbundles" sub '
	test -s h3.id && cd h3 && git init -q --bare history.git && git --git-dir=history.git bundle unbundle history.bundle | grep -q "^$(cat ../h3.id) " &&
	git --git-dir=history.git cat-file commit "$(cat ../h3.id)" | grep -q "^author ann <ann@acme> 1700000000 "'
check "  but VERIFY.txt step 4 refuses it: her key counts from when she was added (valid-after)" sub '
	grep -q "^ann@acme namespaces=\"[^ ]*valid-after=\"[0-9]*Z\" " h3/allowed_signers &&
	rm -rf h3/history.git && run_step h3 4 && [ "$(grep -c "not yet valid" h3.out)" = 1 ] &&
	[ "$(grep -c "^Good \"git\" signature" h3.out)" -ge 4 ]'

ok "verify passes: nothing of this changed the vault" q verify

done_testing
