#!/bin/sh
# Trusted time (RFC 3161): with git config qvault.tsa, every release and
# acknowledgment gets a timestamp token over its signed bytes, stored
# beside them; stock `openssl ts -verify` checks it, so does `verify`;
# a TSA that does not answer refuses the write or, as config says, lets
# it through without a token, which audit lists; bundles carry the tokens.
# The TSA is a local one (openssl ts -reply) behind tests/tsa.py.
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tsa.sh"

tsa_require
ok "a local TSA: a CA, a TSA certificate (timeStamping), a responder on 127.0.0.1" tsa_start
vault_v sam:acme
make_pdf a.pdf "rev A"
make_pdf b.pdf "rev B"
tree() { git --git-dir=v ls-tree -r --name-only main; }
blob() { git --git-dir=v show "main:$1"; }

ok "without a TSA configured, a release has no token" \
	q release DWG-0 --rev A a.pdf --to acme
check "  (no .tsr in the vault)" sh -c '! git --git-dir=v ls-tree -r --name-only main | grep -q "\.tsr$"'

tsa_use v
ok "with qvault.tsa, a buyer releases DWG-1@A" q release DWG-1 --rev A a.pdf --to acme
REL=$(tree | grep '/DWG-1/A/release.json$')
check "  its release record has a token beside it, in the same commit" sh -c "
	git --git-dir=v show --name-only --format= main | grep -qx '$REL.tsr'"
check "  the TSA was asked for SHA-256 of release.json (the request's imprint)" sh -c "
	git --git-dir=v show 'main:$REL' > rel.json &&
	openssl ts -query -in '$TMP/tsa/last.tsq' -text 2> /dev/null | sed -n '/Hash Algorithm/,/Policy OID/p' > asked &&
	openssl ts -query -data rel.json -sha256 -text 2> /dev/null | sed -n '/Hash Algorithm/,/Policy OID/p' > want &&
	grep -q 'Hash Algorithm: sha256' asked && test -s want && cmp -s asked want"
ok "acme's supplier acknowledges it" q --key sam.pem ack DWG-1@A
SIG=$(tree | grep '/DWG-1/A/acks/sam-received.json.sig$')
check "  the acknowledgment's signature has a token beside it, in the same commit" sh -c "
	git --git-dir=v show --name-only --format= main | grep -qx '$SIG.tsr'"
blob "$SIG" > ack.sig
blob "$SIG.tsr" > ack.tsr
blob "$REL" > release.json
blob "$REL.tsr" > release.tsr
check "stock openssl ts -verify passes the acknowledgment's token against the TSA's CA" \
	sh -c "openssl ts -verify -CAfile '$TSA_CA' -in ack.tsr -data ack.sig 2>&1 | grep -q 'Verification: OK'"
check "  and the release's" \
	sh -c "openssl ts -verify -CAfile '$TSA_CA' -in release.tsr -data release.json 2>&1 | grep -q 'Verification: OK'"
check "  the token is over SHA-256 and names the TSA's time" \
	sh -c "openssl ts -reply -in ack.tsr -text 2> /dev/null > t.txt && grep -q 'Hash Algorithm: sha256' t.txt &&
	grep -q '^Time stamp: ' t.txt"
sed 's/^\(.\{40\}\)./\1A/' ack.sig > ack-changed.sig
cmp -s ack.sig ack-changed.sig && sed -i 's/^\(.\{40\}\)./\1B/' ack-changed.sig
check "  one changed byte of the signature: openssl ts -verify fails" \
	sh -c "! openssl ts -verify -CAfile '$TSA_CA' -in ack.tsr -data ack-changed.sig > /dev/null 2>&1"
check "  another CA: openssl ts -verify fails" \
	sh -c "! openssl ts -verify -CAfile '$TMP/tsa/other-ca.crt' -in ack.tsr -data ack.sig > /dev/null 2>&1"
ok "verify passes, checking each token against qvault.tsaCert" q verify
check "  a site that trusts another TSA CA: verify finds both tokens (exit 3)" sh -c "
	git --git-dir=v config qvault.tsaCert '$TMP/tsa/other-ca.crt'; q verify > out.txt 2>&1; rc=\$?
	git --git-dir=v config qvault.tsaCert '$TSA_CA'
	test \$rc = 3 && test \$(grep -c 'does not verify against the TSA certificate (qvault.tsaCert): Verify error:' out.txt) = 2"
# long after: the TSA's certificate (365 days) has expired, its tokens stay good
FAKETIME_LIB=$TSA_FAKETIME_LIB
if [ -r "$FAKETIME_LIB" ]; then
	check "two years on, the TSA's certificate expired: verify still passes (each chain as of its token's time)" \
		env LD_PRELOAD=$FAKETIME_LIB FAKETIME=+730d \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$QVAULT" verify
	check "  stock openssl ts -verify then fails as of that day, and passes with -attime the token's time" sh -c "
		LD_PRELOAD=$FAKETIME_LIB FAKETIME=+730d openssl ts -verify -CAfile '$TSA_CA' -in ack.tsr -data ack.sig 2>&1 |
		grep -q 'certificate has expired' &&
		at=\$(date -u -d \"\$(openssl ts -reply -in ack.tsr -text 2> /dev/null | sed -n 's/^Time stamp: //p')\" +%s) &&
		LD_PRELOAD=$FAKETIME_LIB FAKETIME=+730d openssl ts -verify -CAfile '$TSA_CA' -attime \$at -in ack.tsr \
			-data ack.sig 2>&1 | grep -q 'Verification: OK'"
else
	_skip "no libfaketime (scripts/deps installs faketime)"
fi
check "reindex records both tokens again" sh -c "
	q reindex > /dev/null && test \$(sqlite3 v/qvault/index.db 'SELECT count(*) FROM timestamps') = 2"

# audit: what was written without trusted time, where a TSA is configured
check "audit lists the release made before the TSA as no-timestamp (exit 3)" sh -c '
	q audit > a.txt; test $? = 3 && grep -q "^no-timestamp .*record release.json revision DWG-0@A what release" a.txt &&
	! grep -q "DWG-1@A" a.txt'
check "  a vault without qvault.tsa lists no such gap" sh -c "
	cp -a v nv && git --git-dir=nv config --unset qvault.tsa && q -C nv audit > a.txt; ! grep -q no-timestamp a.txt"

# a TSA that does not answer, as config says
git --git-dir=v config qvault.tsaTimeout 2
tsa_mode hang
fails 1 "^qvault: cannot timestamp: the timestamp authority \(git config qvault.tsa\) did not answer within 2 s$" \
	"a TSA that hangs: the acknowledgment is refused (qvault.tsaRequired is true by default)" \
	q --key sam.pem ack DWG-0@A
git --git-dir=v config qvault.tsaRequired false
check "with qvault.tsaRequired false, it is recorded without a token, with a warning, in bounded time" sh -c '
	s=$(date +%s); q --key sam.pem ack DWG-0@A > o.txt 2> e.txt; rc=$?; e=$(($(date +%s) - s))
	test $rc = 0 && test $e -lt 10 &&
	grep -q "warning: the timestamp authority .* did not answer within 2 s; recorded without a timestamp" e.txt'
check "  no token in the vault for it" sh -c '! git --git-dir=v ls-tree -r --name-only main | grep -q "/DWG-0/A/acks/.*\.tsr$"'
check "  audit lists it" sh -c '
	q audit > a.txt; grep -q "^no-timestamp .*record acks/sam-received.json.sig revision DWG-0@A what acknowledgment" a.txt'
check "  so does the supplier's own audit (its acknowledgments, no release)" sh -c '
	q --key sam.pem audit --json > a.json; grep -q "\"record\": \"acks/sam-received.json.sig\"" a.json &&
	! grep -q "\"what\": \"release\"" a.json'
check "  verify passes: a write without a token is no forgery" q verify
git --git-dir=v config qvault.tsaRequired true
tsa_mode good

# the evidence bundle: the tokens, and the stock command that checks them
ok "export of DWG-1@A" q export --doc DWG-1@A -o b.zip
check "  the bundle holds both tokens and the TSA CA the site trusts" sh -c '
	unzip -q b.zip -d bundle && test -f bundle/acks/DWG-1@A/sam-received.json.sig.tsr &&
	test -f bundle/releases/DWG-1@A/release.json.tsr && test -f bundle/releases/DWG-1@A/release.json &&
	cmp -s bundle/tsa-ca.pem "'"$TSA_CA"'" && cd bundle && sha256sum -c --quiet SHA256SUMS'
grep -A1 'openssl ts -verify' bundle/VERIFY.txt | grep -v '^--$' > ts-cmds.sh
check "  VERIFY.txt gives openssl ts -verify for each token" sh -c '
	test $(grep -c "openssl ts -verify -CAfile ../TSA-CA.pem" ts-cmds.sh) = 2'
cp "$TSA_CA" TSA-CA.pem
check "  its commands pass, as given, with the TSA's CA certificate beside the bundle's folder" sh -c '
	cd bundle && sh -e ../ts-cmds.sh > ../ts.out 2>&1 && test $(grep -c "Verification: OK" ../ts.out) = 2'
cp bundle/acks/DWG-1@A/sam-received.json.sig ack.keep
sed -i 's/^\(.\{40\}\)./\1A/' bundle/acks/DWG-1@A/sam-received.json.sig
cmp -s ack.keep bundle/acks/DWG-1@A/sam-received.json.sig &&
	sed -i 's/^\(.\{40\}\)./\1B/' bundle/acks/DWG-1@A/sam-received.json.sig
check "  a changed byte of the acknowledgment's signature: its command fails" sh -c '
	cd bundle && ! sh -c "$(sed -n 1,2p ../ts-cmds.sh)" > /dev/null 2>&1'
cp ack.keep bundle/acks/DWG-1@A/sam-received.json.sig
printf ' ' >> bundle/releases/DWG-1@A/release.json
check "  a changed release record: its command fails" sh -c '
	cd bundle && ! sh -c "$(sed -n 3,4p ../ts-cmds.sh)" > /dev/null 2>&1'

# a token written around qvault: stock git, beside a signature recorded before
git --git-dir=v show "main:$SIG.tsr" > stray.tsr
SIG0=$(tree | grep '/DWG-0/A/acks/sam-received.json.sig$')
cp -a v f
GIT_AUTHOR_NAME=sam GIT_AUTHOR_EMAIL=sam@acme GIT_COMMITTER_NAME=sam GIT_COMMITTER_EMAIL=sam@acme \
	forge f - "$(printf 'ack DWG-0@A\n\nQvault-Op: ack\n')" "$SIG0.tsr=stray.tsr"
check "verify finds a token added beside a signature recorded before it (exit 3)" sh -c "
	q -C f verify > out.txt 2>&1; test \$? = 3 &&
	grep -q '$SIG0.tsr.*adds a timestamp token without the signed bytes it stamps' out.txt"
# a pull holds a peer's tokens to the TSA this site trusts, as verify does
# (the fetched history is checked in a repository of its own, whose git
# config names no qvault.tsaCert unless the pull gives it ours)
make_pdf d.pdf "rev D"
q release DWG-2 --rev A d.pdf --to acme > /dev/null
q clone "file://$TMP/v" peer > /dev/null
git -C peer config qvault.tsa "$TSA_URL"
git -C peer config qvault.tsaCert "$TMP/tsa/other-ca.crt"
tsa_mode untrusted
ok "a peer that trusts another CA acknowledges DWG-2@A with that CA's token" \
	q -C peer --key sam.pem ack DWG-2@A
tsa_mode good
fails 3 "^qvault: the history of '.*peer' does not verify: .*/DWG-2/A/acks/sam-received.json.sig.tsr: the timestamp token does not verify against the TSA certificate \(qvault.tsaCert\)" \
	"  the pull refuses it, as verify would (exit 3), the vault unchanged" \
	q -C v pull "file://$TMP/peer"
check "  verify still passes here" q -C v verify
done_testing
