#!/bin/sh
# Trusted time, bad input: a TSA that answers garbage, a token over other
# bytes, a token signed by an expired TSA certificate or by a TSA of
# another CA, an HTTP error, no answer, no TSA at all; and settings that
# are wrong.  Each refuses the release or acknowledgment with one line
# and a non-zero exit, the vault byte for byte as it was; a wrong answer
# is refused even where qvault.tsaRequired is false (only a TSA that does
# not answer lets a write through without a token).
. "$(dirname "$0")/lib.sh"
. "$TESTS_DIR/tsa.sh"

tsa_require
ok "a local TSA, its expired certificate and another CA's TSA" tsa_start
check "  the expired TSA certificate ended years ago, the other chains to another CA" sh -c "
	openssl verify -CAfile '$TSA_CA' '$TMP/tsa/expired.crt' 2>&1 | grep -q 'certificate has expired' &&
	! openssl x509 -in '$TMP/tsa/expired.crt' -noout -checkend 0 > /dev/null &&
	openssl verify -CAfile '$TSA_CA' '$TMP/tsa/tsa.crt' > /dev/null 2>&1 &&
	! openssl verify -CAfile '$TSA_CA' '$TMP/tsa/other-tsa.crt' > /dev/null 2>&1"
vault_v sam:acme
make_pdf a.pdf "rev A"
q release DWG-1 --rev A a.pdf --to acme > /dev/null
tsa_use v
git --git-dir=v config qvault.tsaTimeout 2

# each wrong answer, for a release and for an acknowledgment
bad() { # MODE CODE PATTERN WHAT
	tsa_mode "$1"
	fails "$2" "^qvault: cannot timestamp: $3$" "a TSA answering $4: the release is refused" \
		q release DWG-2 --rev A a.pdf --to acme
	fails "$2" "^qvault: cannot timestamp: $3$" "  and the acknowledgment" \
		q --key sam.pem ack DWG-1@A
}
bad garbage 3 "the timestamp authority's answer is not an RFC 3161 response" "garbage"
bad other 3 "the timestamp token is for other bytes than the signature it stamps" \
	"with a token over other bytes"
bad expired 3 "the timestamp token does not verify against the TSA certificate \(qvault.tsaCert\): Verify error:certificate has expired" \
	"with a token from its expired certificate"
bad untrusted 3 "the timestamp token does not verify against the TSA certificate \(qvault.tsaCert\): Verify error:unable to get local issuer certificate" \
	"with a token of a TSA of another CA"
bad error 1 "the timestamp authority \(git config qvault.tsa\) answered HTTP 500" "HTTP 500"
bad hang 1 "the timestamp authority \(git config qvault.tsa\) did not answer within 2 s" \
	"nothing (it hangs)"

# not answering lets a write through where the site says so; a wrong answer never
git --git-dir=v config qvault.tsaRequired false
for m in garbage other expired untrusted; do
	tsa_mode $m
	fails 3 "^qvault: cannot timestamp: " "$m, with qvault.tsaRequired false: still refused" \
		q --key sam.pem ack DWG-1@A
done
git --git-dir=v config qvault.tsaRequired true

# no TSA there at all: a port nothing listens on
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git --git-dir=v config qvault.tsa "http://127.0.0.1:$PORT/"
fails 1 "^qvault: cannot timestamp: cannot reach the timestamp authority \(git config qvault.tsa\): " \
	"a TSA that cannot be reached: refused" q --key sam.pem ack DWG-1@A
git --git-dir=v config qvault.tsa "file:///etc/passwd"
fails 1 "^qvault: cannot timestamp: cannot reach the timestamp authority \(git config qvault.tsa\): Unsupported protocol$" \
	"a TSA URL of another protocol than http(s) is not followed" q --key sam.pem ack DWG-1@A

# settings that are wrong
git --git-dir=v config qvault.tsa "$TSA_URL"
tsa_mode good
git --git-dir=v config --unset qvault.tsaCert
fails 1 "^qvault: git config qvault.tsa is set but qvault.tsaCert \(the TSA's CA certificate, PEM\) is not: its tokens could not be checked$" \
	"a TSA without the certificate to check its tokens" q --key sam.pem ack DWG-1@A
git --git-dir=v config qvault.tsaCert "$TMP/nothing.pem"
fails 1 "^qvault: cannot timestamp: cannot read the TSA certificate '.*nothing.pem' \(git config qvault.tsaCert\): " \
	"a TSA certificate file that is not there" q --key sam.pem ack DWG-1@A
git --git-dir=v config qvault.tsaCert "$TSA_CA"
git --git-dir=v config qvault.tsaTimeout 0
fails 1 "^qvault: git config qvault.tsaTimeout must be a number of seconds from 1 to 300$" \
	"a timeout of 0 seconds" q --key sam.pem ack DWG-1@A
git --git-dir=v config qvault.tsaTimeout 2
git --git-dir=v config qvault.tsaRequired maybe
fails 1 "^qvault: git config qvault.tsaRequired must be true or false$" \
	"qvault.tsaRequired neither true nor false" q --key sam.pem ack DWG-1@A
git --git-dir=v config qvault.tsaRequired true

ok "a good answer again: the acknowledgment is recorded" q --key sam.pem ack DWG-1@A
ok "  and verify passes" q verify
check "  the refused writes left no token and no commit behind" sh -c '
	test $(git --git-dir=v ls-tree -r --name-only main | grep -c "\.tsr$") = 1 &&
	test $(git --git-dir=v log --format=%s main | grep -c "^ack DWG-1@A") = 1 &&
	! git --git-dir=v ls-tree -r --name-only main | grep -q /DWG-2/'
done_testing
