#!/bin/sh
# Forged histories (issue 13): each attack is made around qvault with
# stock tools only (git commit-tree -S with gpg.format=ssh, hash-object,
# mktree/update-index, ssh-keygen -Y sign, openssl), with keys made by
# ssh-keygen and registered with `user add --pubkey`; `qvault verify`
# must fail (exit 3) with a finding naming the rule.  One rule, two
# callers: what the write path refuses, verify refuses in history.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/forged-base.sh"

# ---- the forgeries check out as forgeries only -----------------------------------------
tamper t0
forge_ack t0 sid DWG-1 C received
ok "a well-formed acknowledgment made with ssh-keygen and stock git passes (the helpers forge faithfully)" \
	q -C t0 verify

# ---- 1. grafted roots -------------------------------------------------------------------
git -C base show main:vault.json > vault.json
user_json evil owner admin evil.pub evil > evil.json
orphan() { # VAULT: a parentless commit by evil registering itself as admin
	mk "$1" evil "init vault $VID

Qvault-Op: init
Qvault-Vault: $VID" "$(tree_of "$1" - vault.json=vault.json users/evil/user.json=evil.json)"
}
# 1a: the orphan as the FIRST parent of a merge evil signs (parent 2 = main)
tamper t1a
O=$(orphan t1a)
M=$(mk t1a evil "merge ${O%????????????????????????????} from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(tree_of t1a main users/evil/user.json=evil.json)" "$O" main)
git -C t1a update-ref refs/heads/main "$M"
check "1a: a self-signed root grafted as a merge's first parent is caught" culprit t1a "root"
# 1b: the orphan as the SECOND parent of a merge an honest buyer signs
tamper t1b
O=$(orphan t1b)
M=$(mk t1b bob "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(tree_of t1b main users/evil/user.json=evil.json)" main "$O")
git -C t1b update-ref refs/heads/main "$M"
check "1b: a self-signed root merged as the second parent by a buyer is caught" culprit t1b "root"
# 1a pushed to a git server running the pre-receive hook
export QVAULT_BIN="$QVAULT"
git init -q --bare srv.git
cp "$TESTS_DIR/../../hooks/pre-receive" srv.git/hooks/
git -C base push -q "$TMP/srv.git" main
check "1a: the pre-receive hook refuses a push of the grafted root" sh -c '
	! git -C t1a push -q ../srv.git main 2> err.txt && grep -q "qvault: refused: .*root" err.txt'
check "  the server is as it was" test "$(git -C srv.git rev-parse main)" = "$(git -C base rev-parse main)"
cp -a base p1
V=p1
fails 3 "root" "1a: pull from a remote holding the grafted root refuses, the vault unchanged" \
	q -C p1 pull "file://$TMP/t1a"
fails 3 "root" "1a: clone of the grafted root fails" q clone "file://$TMP/t1a" c1
check "  and leaves no folder behind" test ! -e c1
V=base
export TMP # for the sh -c checks below

# ---- 2. revocation escaped by forking ------------------------------------------------
# 2a: revoked buyer rex writes a PO on the commit before its revocation, then
# signs a merge with that fork as first parent (where rex is not revoked)
P7=pos/$(dir_of PO-7)/PO-7/po.json
git -C base show "main:pos/$(dir_of PO-1)/PO-1/po.json" |
	jq -S --indent 2 --arg at "$NOW" '.po = "PO-7" | .created_by = "rex" | .created_at = $at' > po7.json
tamper t2a
F=$(mk t2a rex "po add PO-7 for acme

Qvault-Op: po-add
Qvault-PO: PO-7" "$(tree_of t2a "$BEFORE_REVOKE" "$P7=po7.json")" "$BEFORE_REVOKE")
M=$(mk t2a rex "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(tree_of t2a main "$P7=po7.json")" "$F" main)
git -C t2a update-ref refs/heads/main "$M"
check "2a: a revoked buyer's fork merged by itself as first parent is caught" culprit t2a "revoked"
# 2b: revoked supplier rio writes after its revocation on a fork of the
# commit before it; an honest buyer merges (parent 1 = main, parent 2 = fork)
sleep 1
make_pdf coc7.pdf "rio's late certificate"
rev_json COC-7 A coc rio acme coc7.pdf > coc7.json
tamper t2b
F=$(mk t2b rio "add COC-7@A

Qvault-Op: add
Qvault-Doc: COC-7
Qvault-Rev: A" "$(tree_of t2b "$BEFORE_REVOKE" "$(doc COC-7 A)/record.json=coc7.json" \
	"$(doc COC-7 A)/files/coc7.pdf=coc7.pdf")" "$BEFORE_REVOKE")
M=$(mk t2b bob "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(tree_of t2b main "$(doc COC-7 A)/record.json=coc7.json" \
	"$(doc COC-7 A)/files/coc7.pdf=coc7.pdf")" main "$F")
git -C t2b update-ref refs/heads/main "$M"
check "2b: a revoked supplier's commit dated after its revocation, on a fork merged by a buyer, is caught" \
	culprit t2b "revoked"

# ---- 3. the server key acting as the admin ---------------------------------------------
tamper t3
server_key t3 "$TMP/qvault-server"
check "the server key, converted, is the key its user record names" sh -c '
	test "$(ssh-keygen -y -f qvault-server | cut -d" " -f2)" = \
	     "$(git -C t3 show main:users/qvault-server/user.json | jq -r .key | cut -d" " -f2)"'
user_json evil owner admin evil.pub admin > evil-by-admin.json
AUTHOR=admin put t3 qvault-server "user add evil (owner, admin)

Qvault-Op: user-add
Qvault-User: evil
Qvault-On-Behalf-Of: admin" "users/evil/user.json=evil-by-admin.json"
check "3: the server key signing an admin's act (a new admin) on the admin's behalf is caught" \
	culprit t3 "behalf"

# ---- 4. records not bound to their signer ------------------------------------------------
P8=pos/$(dir_of PO-8)/PO-8/po.json
git -C base show "main:pos/$(dir_of PO-1)/PO-1/po.json" |
	jq -S --indent 2 '.po = "PO-8" | .created_by = "bob" | .created_at = "2019-03-01T00:00:00Z"' > po8.json
tamper t4a
AUTHOR=tester GIT_AUTHOR_DATE="2019-03-01T00:00:00Z" GIT_COMMITTER_DATE="2019-03-01T00:00:00Z" \
	put t4a bob "po add PO-8 for acme

Qvault-Op: po-add
Qvault-PO: PO-8" "$P8=po8.json"
check "4: a buyer's commit authored as 'tester' is caught" \
	culprit t4a "the commit's author 'tester <tester@owner>' is not the user it acts for, 'bob' of 'owner'"
check "4: a buyer's commit dated 2019 is caught" culprit t4a "the commit is dated before its parent"
T10=$(date -u +%s)
P10=pos/$(dir_of PO-10)/PO-10/po.json
git -C base show "main:pos/$(dir_of PO-1)/PO-1/po.json" |
	jq -S --indent 2 --arg at "$(date -u -d "@$T10" +%Y-%m-%dT%H:%M:%SZ)" \
	'.po = "PO-10" | .created_by = "tester" | .created_at = $at' > po10.json
tamper t4p
GIT_AUTHOR_DATE="$T10 +0000" GIT_COMMITTER_DATE="$T10 +0000" put t4p bob "po add PO-10 for acme

Qvault-Op: po-add
Qvault-PO: PO-10" "$P10=po10.json"
check "4: a buyer's PO naming another buyer as its author is caught" \
	culprit t4p "po.json: the record names 'tester' as its author, but 'bob' signed the commit"
P9=pos/$(dir_of PO-9)/PO-9/po.json
git -C base show "main:pos/$(dir_of PO-1)/PO-1/po.json" |
	jq -S --indent 2 --arg at "$NOW" '.po = "PO-9" | .created_by = "bob" | .created_at = $at' > po9.json
tamper t4b
put t4b bob "ack DWG-1@C received by bob (acme)

Qvault-Op: ack
Qvault-Doc: DWG-1
Qvault-Rev: C" "$P9=po9.json"
check "4: a commit whose Qvault-Op trailer lies about what it does is caught" culprit t4b "Qvault-Op"
make_pdf coc8.pdf "sid's certificate"
coc8() { # VAULT RECORD: sid adds COC-8@A with that record
	put "$1" sid "add COC-8@A

Qvault-Op: add
Qvault-Doc: COC-8
Qvault-Rev: A" "$(doc COC-8 A)/record.json=$2" "$(doc COC-8 A)/files/coc8.pdf=coc8.pdf"
}
rev_json COC-8 A coc sid beta coc8.pdf > coc8-beta.json
tamper t4c
coc8 t4c coc8-beta.json
check "4: a supplier's CoC record naming another organization is caught" culprit t4c "names"
rev_json COC-8 A coc sam acme coc8.pdf > coc8-sam.json
tamper t4d
coc8 t4d coc8-sam.json
check "4: a supplier's CoC record naming another user as its author is caught (holds today)" \
	culprit t4d "names"

# ---- 5. rules only the writer enforces ----------------------------------------------------
# a link: sid (acme) attaches acme's CoC to beta's lot L-2
git -C base show "main:$(doc COC-1 A)/links/lot-L-1.json" |
	jq -S --indent 2 --arg at "$NOW" '.target = "L-2" | .linked_by = "sid" | .linked_at = $at' > link.json
tamper t5a
put t5a sid "link COC-1@A to lot L-2

Qvault-Op: link
Qvault-Doc: COC-1
Qvault-Rev: A" "$(doc COC-1 A)/links/lot-L-2.json=link.json"
check "5: a supplier's link of its CoC to another organization's lot is caught" culprit t5a "link"
# an FAI whose package.json says complete while its fai.json says not
mkdir -p fai2/files
FA=$(doc FAIR-1 A)
for f in ballooned.pdf form3.csv; do git -C base show "main:$FA/files/$f" > "fai2/files/$f"; done
git -C base show "main:$FA/files/fai.json" |
	sed 's/"FAIR-1"/"FAIR-2"/; s/"complete": true/"complete": false/' > fai2/files/fai.json
(cd fai2/files && rev_json FAIR-2 A fai sid acme ballooned.pdf fai.json form3.csv) |
	jq -S --indent 2 '.parts = ["PN-1"] | .title = "FAI of PN-1 at DWG-1@C"' > fai2/record.json
git -C base show "main:$FA/package.json" | jq -S --indent 2 '.fai.fair = "FAIR-2"' > fai2/package.json
for k in lot-L-1 po-PO-1; do
	git -C base show "main:$FA/links/$k.json" |
		jq -S --indent 2 --arg at "$NOW" '.doc = "FAIR-2" | .linked_by = "sid" | .linked_at = $at' > "fai2/$k.json"
done
F2=$(doc FAIR-2 A)
tamper t5b
put t5b sid "fai add FAIR-2@A: PN-1 at DWG-1@C

Qvault-Op: fai-add
Qvault-Doc: FAIR-2
Qvault-Rev: A" "$F2/record.json=fai2/record.json" "$F2/package.json=fai2/package.json" \
	"$F2/files/fai.json=fai2/files/fai.json" "$F2/files/form3.csv=fai2/files/form3.csv" \
	"$F2/files/ballooned.pdf=fai2/files/ballooned.pdf" \
	"$F2/links/lot-L-1.json=fai2/lot-L-1.json" "$F2/links/po-PO-1.json=fai2/po-PO-1.json"
check "5: an FAI package.json that says complete over an incomplete fai.json is caught" \
	culprit t5b "package"
# certificate data that is not its revision's
git -C base show "main:$(doc MTR-1 A)/cert.json" > cert2.json
make_text mtr2.csv H-78
rev_json MTR-2 A material-cert sid acme mtr2.csv > mtr2.json
tamper t5c
put t5c sid "add MTR-2@A

Qvault-Op: add
Qvault-Doc: MTR-2
Qvault-Rev: A" "$(doc MTR-2 A)/record.json=mtr2.json" "$(doc MTR-2 A)/files/mtr2.csv=mtr2.csv" \
	"$(doc MTR-2 A)/cert.json=cert2.json"
# (the index leaves it out; the rule: cert.json is what the record's own data makes)
check "5: a cert.json that names another certificate (MTR-1@A in MTR-2@A) is caught" \
	culprit t5c "cert\.json: the certificate data is not what 'MTR-2@A''s data makes"
# certificate data the writer refuses: not an EN 10204 type, no inspector
jq -S --indent 2 '.doc = "MTR-2" | .certificate_type = "9.9" | del(.inspector)' cert2.json > cert3.json
tamper t5c2
put t5c2 sid "add MTR-2@A

Qvault-Op: add
Qvault-Doc: MTR-2
Qvault-Rev: A" "$(doc MTR-2 A)/record.json=mtr2.json" "$(doc MTR-2 A)/files/mtr2.csv=mtr2.csv" \
	"$(doc MTR-2 A)/cert.json=cert3.json"
check "5: a cert.json of a type not in EN 10204, without its inspector, is caught" \
	culprit t5c2 "certificate|10204|inspector"
# acknowledgments that only the writer refuses
tamper t5d; forge_ack t5d sid DWG-3 A received
check "5: an acknowledgment of a draft (never released) is caught" culprit t5d "released"
tamper t5e; forge_ack t5e sid DWG-2 A received
check "5: an acknowledgment of a revision released only to another organization is caught" \
	culprit t5e "released"
tamper t5f; forge_ack t5f sid DWG-1 C received '.predicate.vault = "00000000000000000000000000000000"'
check "5: an acknowledgment naming another vault is caught" culprit t5f "vault"
tamper t5g
forge_ack t5g sid DWG-1 C received ".predicate.signer.fingerprint = \"$(ssh-keygen -lf rex.pub -E sha256 | cut -d' ' -f2)\""
check "5: an acknowledgment naming a fingerprint that is not its signer's is caught" \
	culprit t5g "fingerprint"
tamper t5h; forge_ack t5h sid DWG-1 C liked
check "5: an acknowledgment with an unknown meaning is caught" culprit t5h "meaning"
tamper t5i; forge_ack t5i sid DWG-1 C rejected
check "5: a rejection without a reason is caught" culprit t5i "reason|comment"
tamper t5j; forge_ack t5j aud DWG-1 C received
check "5: an acknowledgment signed by an auditor is caught (holds today)" culprit t5j "auditor|may not"
tamper t5k; forge_ack t5k sid DWG-1 C received '.predicate.signed_at = "2019-03-01T00:00:00Z"'
check "5: an acknowledgment dated before the release is caught" culprit t5k "before"
# a lot record naming L-1, stored at L-9's path
git -C base show "main:lots/$(dir_of L-1)/L-1/lot.json" |
	jq -S --indent 2 --arg at "$NOW" '.created_by = "sid" | .created_at = $at' > lot9.json
tamper t5l
put t5l sid "lot add L-9 of PO-1

Qvault-Op: lot-add
Qvault-Lot: L-9" "lots/$(dir_of L-9)/L-9/lot.json=lot9.json"
check "5: a lot record naming L-1 stored at L-9's path is caught" culprit t5l "stored"
# L-1 (5 parts) shipped in full on main and again on a fork, merged by a buyer
git -C base show "main:asns/$(dir_of ASN-000001)/ASN-000001/asn.json" |
	jq -S --indent 2 --arg at "$NOW" '.asn = "ASN-000002" | .created_by = "sid" | .created_at = $at' > asn2.json
A2="asns/$(dir_of ASN-000002)/ASN-000002/asn.json=asn2.json"
tamper t5m
F=$(mk t5m sid "asn add ASN-000002 for PO-1

Qvault-Op: asn-add
Qvault-PO: PO-1
Qvault-ASN: ASN-000002" "$(tree_of t5m "$BEFORE_ASN" "$A2")" "$BEFORE_ASN")
M=$(mk t5m bob "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(tree_of t5m main "$A2")" main "$F")
git -C t5m update-ref refs/heads/main "$M"
check "5: a lot shipped in full twice, on two branches merged, is caught" \
	culprit t5m "quantit|holds|more than"

# ---- 6. files with no record ------------------------------------------------------------
DC=$(doc DWG-1 C)
git -C base show "main:$DC/acks/sam-received.json.sig" > lone.sig
make_text evil.bin "not a record"
echo '{"record": "package", "format": 1}' > nopkg.json
sid_adds() { # VAULT KEY SPEC...: a plain "add" commit
	sv=$1 sk=$2; shift 2
	put "$sv" "$sk" "add EVIL@A

Qvault-Op: add
Qvault-Doc: EVIL
Qvault-Rev: A" "$@"
}
tamper t6a; sid_adds t6a sid "$DC/acks/sid-received.json.sig=lone.sig"
check "6: an acknowledgment signature with no statement is caught" culprit t6a "acks/sid-received.json.sig: adds a signature without its statement"
tamper t6b; sid_adds t6b sid "$DC/files/evil.bin=evil.bin"
check "6: a file added to a released revision's folder is caught (holds today)" culprit t6b "record"
tamper t6c; sid_adds t6c sid "$(doc EVIL-1 A)/files/evil.bin=evil.bin"
check "6: a file in a new revision folder with no record.json is caught" culprit t6c "record"
tamper t6d; sid_adds t6d sid "$(doc EVIL-2 A)/cert.json=cert2.json"
check "6: a cert.json with no record is caught" culprit t6d "record"
tamper t6e; sid_adds t6e sid "$(doc EVIL-3 A)/package.json=nopkg.json"
check "6: a package.json with no record is caught" culprit t6e "record"
tamper t6f; sid_adds t6f aud "$(doc EVIL-4 A)/files/evil.bin=evil.bin"
check "6: a file with no record, added by an auditor, is caught" culprit t6f "record|auditor|may not"

# ---- 7. modes and malleable signatures ------------------------------------------------
# mode_tree VAULT MODE PATH: main's tree with PATH's entry given MODE, same object id
mode_tree() {
	rm -f "$TMP/t.index"
	GIT_DIR=$1 GIT_INDEX_FILE=$TMP/t.index git read-tree main
	mo=$(git -C "$1" rev-parse "main:$3")
	GIT_DIR=$1 GIT_INDEX_FILE=$TMP/t.index git update-index --cacheinfo "$2,$mo,$3"
	GIT_DIR=$1 GIT_INDEX_FILE=$TMP/t.index git write-tree
	rm -f "$TMP/t.index"
}
tamper t7a
c=$(mk t7a bob "release DWG-1@C to acme

Qvault-Op: release
Qvault-Doc: DWG-1
Qvault-Rev: C" "$(mode_tree t7a 160000 "$DC/files/c.pdf")" main)
git -C t7a update-ref refs/heads/main "$c"
check "7: a commit turning a released drawing into a gitlink (mode 160000, same id) is caught" \
	culprit t7a "mode"
tamper t7b
c=$(mk t7b bob "merge from file:///elsewhere

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(mode_tree t7b 120000 "$DC/release.json")" main "$BEFORE_REVOKE")
git -C t7b update-ref refs/heads/main "$c"
check "7: a merge turning release.json into a symlink (mode 120000, same id) is caught" \
	culprit t7b "mode"
# text around the armor of a real signature: a comment line before BEGIN
tamper t7c
recommit t7c 's/^gpgsig -----BEGIN SSH SIGNATURE-----$/gpgsig Comment: still signed\n -----BEGIN SSH SIGNATURE-----/'
check "  (the rewritten commit is another object, with the comment in its signature)" sh -c '
	test "$(git -C t7c rev-parse main)" != "$(git -C base rev-parse main)" &&
	git -C t7c cat-file commit main | grep -q "^gpgsig Comment: still signed"'
check "7: text added before the armor of a real commit signature is caught" culprit t7c "armor"
tamper t7d
recommit t7d 's/^ -----END SSH SIGNATURE-----$/ -----END SSH SIGNATURE-----\n trailing text/'
check "7: text added after the armor of a real commit signature is caught" culprit t7d "armor"
# ECDSA: the same signature with s replaced by n - s (a second valid signature)
if perl -MMath::BigInt -e 1 2> /dev/null; then
	P6=pos/$(dir_of PO-6)/PO-6/po.json
	# the record and its commit at one time, as qvault writes them
	T6=$(date -u +%s)
	export GIT_AUTHOR_DATE="$T6 +0000" GIT_COMMITTER_DATE="$T6 +0000"
	git -C base show "main:pos/$(dir_of PO-1)/PO-1/po.json" |
		jq -S --indent 2 --arg at "$(date -u -d "@$T6" +%Y-%m-%dT%H:%M:%SZ)" \
		'.po = "PO-6" | .created_by = "ecd" | .created_at = $at' > po6.json
	# ssh-keygen writes either spelling of s at random; qvault accepts the
	# low one only (as it signs), so sign until ssh-keygen gives that one
	tries=0
	while :; do
		tamper t7e
		put t7e ecd "po add PO-6 for acme

Qvault-Op: po-add
Qvault-PO: PO-6" "$P6=po6.json"
		tries=$((tries + 1))
		q -C t7e verify > /dev/null 2>&1 || [ $tries -ge 40 ] || continue
		break
	done
	ok "  the ECDSA buyer's honest commit (low s) verifies" q -C t7e verify
	unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
	git -C t7e cat-file commit main > ecd-commit.txt
	perl -MMath::BigInt -e '
		use strict; my $c = do { local $/; <STDIN> };
		my ($head, $armor, $tail) = $c =~ /\A(.*?^gpgsig )(-----BEGIN SSH SIGNATURE-----\n.*?-----END SSH SIGNATURE-----)\n(.*)\z/ms
			or die "no gpgsig";
		(my $b64 = join "", grep { !/-----/ } split /\n/, $armor) =~ tr|A-Za-z0-9+/=||cd;
		my $blob = `printf %s "$b64" | base64 -d`;
		my $str = sub { my ($buf, $p) = @_; my $n = unpack("N", substr($buf, $$p, 4));
				my $v = substr($buf, $$p + 4, $n); $$p += 4 + $n; $v };
		my $mp = sub { pack("N/a*", $_[0]) };
		my $p = 6 + 4;                            # "SSHSIG", version
		$str->($blob, \$p) for 1 .. 4;            # public key, namespace, reserved, hash
		my $at = $p; my $sig = $str->($blob, \$p);
		my $q = 0; my $type = $str->($sig, \$q); my $inner = $str->($sig, \$q);
		$q = 0; my $r = $str->($inner, \$q); my $s = $str->($inner, \$q);
		my $n = Math::BigInt->from_hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
		my $hex = ($n - Math::BigInt->from_hex(unpack("H*", $s)))->as_hex; $hex =~ s/^0x//;
		$hex = "0$hex" if length($hex) % 2;
		my $ns = pack("H*", $hex); $ns = "\0$ns" if ord($ns) & 0x80;
		my $new = substr($blob, 0, $at) . $mp->($mp->($type) . $mp->($mp->($r) . $mp->($ns)));
		open my $b, "|-", "base64 -w 70 > ecd-sig.b64" or die; print $b $new; close $b;
		open my $f, "<", "ecd-sig.b64" or die; my @l = <$f>; chomp @l;
		print $head, "-----BEGIN SSH SIGNATURE-----\n", (map { " $_\n" } @l),
			" -----END SSH SIGNATURE-----\n", $tail;
' < ecd-commit.txt > ecd-malleated.txt
	c=$(git -C t7e hash-object -t commit -w "$TMP/ecd-malleated.txt")
	git -C t7e update-ref refs/heads/main "$c"
	check "  (the malleated commit is another object whose signature ssh-keygen still accepts)" sh -c '
		q -C t7e keys allowed-signers > as.txt &&
		git -C t7e -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$TMP/as.txt" verify-commit main 2> /dev/null &&
		! cmp -s ecd-commit.txt ecd-malleated.txt'
	check "7: an ECDSA commit signature rewritten with s = n - s is caught" culprit t7e "signature is malleable \\(an ECDSA s above n/2"
else
	_skip "perl's Math::BigInt is missing"
fi

# ---- what verify catches today, kept caught ----------------------------------------------
# a user widening its own roles
git -C base show main:users/sid/user.json | jq -S --indent 2 '.roles = ["admin", "supplier"]' > sid-admin.json
tamper k1
put k1 sid "user add sid (acme, admin,supplier)

Qvault-Op: user-add
Qvault-User: sid" "users/sid/user.json=sid-admin.json"
check "kept: a user widening its own roles is caught" culprit k1 "rewrites|may not"
# an admin deleting a revocation
tamper k2
put k2 ada "user revoke rex

Qvault-Op: user-revoke
Qvault-User: rex" "-users/rex/revoked.json"
check "kept: an admin deleting revoked.json is caught" culprit k2 "deletes"
# a buyer adding a user
tamper k3
put k3 bob "user add evil (owner, admin)

Qvault-Op: user-add
Qvault-User: evil" "users/evil/user.json=evil.json"
check "kept: a buyer adding a user is caught" culprit k3 "may not add or revoke users"
# an octopus merge
tamper k4
c=$(mk k4 bob "merge

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(git -C k4 rev-parse 'main^{tree}')" main "$BEFORE_REVOKE" "$BEFORE_ASN")
git -C k4 update-ref refs/heads/main "$c"
check "kept: an octopus merge is caught" culprit k4 "more than two"
# a merge signed by a supplier
tamper k5
c=$(mk k5 sid "merge

Qvault-Op: merge
Qvault-Remote: file:///elsewhere" "$(git -C k5 rev-parse 'main^{tree}')" main "$BEFORE_REVOKE")
git -C k5 update-ref refs/heads/main "$c"
check "kept: a merge signed by a supplier is caught" culprit k5 "may not merge"
# two gpgsig headers: the real one, then the same signature again
tamper k6
git -C k6 cat-file commit main | awk '
	/^gpgsig / { insig = 1; sig = $0 "\n"; print; next }
	insig && /^ / { sig = sig $0 "\n"; print; next }
	insig { insig = 0; printf "%s", sig }
	{ print }' > two.txt
c=$(git -C k6 hash-object -t commit -w "$TMP/two.txt")
git -C k6 update-ref refs/heads/main "$c"
check "kept: a commit with two gpgsig headers is caught" culprit k6 "signature|gpgsig"

check "the honest base still passes" q -C base verify

done_testing
