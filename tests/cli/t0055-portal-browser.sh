#!/bin/sh
# The portal in a real browser (issue 19): Debian's chromium, driven by
# playwright-core (tests/browser, versions in its package-lock.json), with
# Chromium's virtual authenticator for a passkey, through a real nginx on
# 127.0.0.1 with TLS in front of `qvault serve --origin`.  A supplier who
# has never seen qvault is enrolled by a link, logs in with the passkey,
# finds the drawing in the inbox and acknowledges it with the passkey;
# then stock ssh-keygen verifies the signature the browser made, and
# `qvault verify` the vault.  axe-core runs on every page; a screenshot
# of each is saved under build/screenshots/ for a reviewer.
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$TESTS_DIR/../.." && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$NGINX" ] || [ ! -x "$CHROMIUM" ] || ! command -v node > /dev/null ||
   [ ! -d "$TOP/tests/browser/node_modules/playwright-core" ]; then
	_skip "no nginx, chromium, node or tests/browser/node_modules (scripts/deps and make check install them)"
	done_testing
	exit 0
fi
SHOTS=${QVAULT_SHOTS:-$TOP/build/screenshots}

# ---- a vault: a buyer, a drawing released to acme, POs of two suppliers ----
new_vault v
V=v
export QVAULT_DIR=v
add_supplier zed zenith
add_supplier sam acme
q key generate -o bea.pem -c bea | head -n 1 > bea.pub
q --key "$TMP/admin.pem" user add bea --org owner --role buyer --pubkey bea.pub > /dev/null
make_pdf a.pdf A
q --key bea.pem release DWG-1 --rev A a.pdf --to acme,zenith \
	--title 'Bracket <script>alert(1)</script>' > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line BRKT-1:10:DWG-1@A > /dev/null
q --key bea.pem po add PO-2 --supplier zenith --line BRKT-1:5:DWG-1@A > /dev/null
# PO-3 and its lot L-3, which the supplier ships with an X12 856 file from the browser
q --key bea.pem po add PO-3 --supplier acme --line BRKT-1:4:DWG-1@A > /dev/null
q --key sam.pem lot add L-3 --part BRKT-1 --qty 4 --po PO-3 > /dev/null
# acme's forecast of BRKT-1, which the browser shows and commits to
cat > fc.json <<'EOF'
[{"schedule": "forecast", "supplier": "acme", "part": "BRKT-1", "ship_to": "PLANT-1",
  "issued": "2026-11-30",
  "buckets": [{"start": "2026-12-07", "period": "weekly", "qty": 40, "status": "firm"},
              {"start": "2026-12-14", "period": "weekly", "qty": 60, "status": "planning"}]}]
EOF
q --key bea.pem forecast import fc.json > /dev/null

# ---- TLS in front: nginx with the server block we ship ------------------------
NGINX_TLS=$(free_port)
ORIGIN="https://localhost:$NGINX_TLS"
q serve --socket "$TMP/api.sock" --origin "$ORIGIN" > serve.out 2> serve.err &
SERVE=$!
i=0
while [ ! -S "$TMP/api.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
nginx_start localhost "$TMP/api.sock"
trap 'kill $NGX $SERVE 2> /dev/null; wait 2> /dev/null; sanitizer_reports; rm -rf "$TMP"' EXIT
check "nginx and qvault serve --origin answer the login page through TLS" \
	sh -c "curl -sf --cacert cert.pem '$ORIGIN/login' | grep -q 'Log in'"

# ---- the admin enrolls a new supplier user ------------------------------------
q --key "$TMP/admin.pem" user add pat --org acme --role supplier --enroll "$ORIGIN" > enroll.out
LINK=$(sed -n 's/^  //p' enroll.out)
check "user add --enroll prints a one-time link to the portal" \
	sh -c "echo '$LINK' | grep -Eq '^$ORIGIN/enroll#[0-9a-f]{64}\\.pat$'"
SECRET=$(echo "$LINK" | sed 's/.*#\([0-9a-f]*\)\..*/\1/')
check "  the vault records the secret's hash, never the secret" \
	sh -c "! git -C v grep -q '$SECRET' main -- && git -C v grep -q secret_sha256 main -- enrollments/pat/request.json"

# a buyer and an auditor of the owner's side, who enroll passkeys too
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --enroll "$ORIGIN" > bob.out
q --key "$TMP/admin.pem" user add ann --org owner --role auditor --enroll "$ORIGIN" > ann.out
# the files the browser uploads: an FAI package of DWG-1@A, and DWG-1@B
mkdir -p out pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 A"
printf '{"format": 1, "form1": {"part_number": "BRKT-1", "part_name": "Bracket", "serial_number": "SN-1",
 "fair_number": "FAIR-1", "part_revision": "A", "drawing_number": "DWG-1", "drawing_revision": "A",
 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Pat", "signed_date": "2026-11-20"},
 "form2": [], "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' > pkg/fai.json
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,key,6.0 \302\2610.1,6.02,,,\n' > pkg/form3.csv
q fai pack pkg -o out/fai.zip > /dev/null
# the same with a second characteristic out of its requirement and no nonconformance
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,key,6.0 \302\2610.1,6.02,,,\n2,A2,,8.0 +/-0.1,8.4,,,\n' > pkg/form3.csv
(cd pkg && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sys.argv[2:]: z.write(f)' ../out/fai-bad.zip fai.json form3.csv ballooned.pdf)
make_pdf out/dwg-b.pdf "DWG-1 B"
# the fixture's 856 cut to its first item: L-3, 4 of BRKT-1 on PO-3 (SE counts 17 segments)
sed -e '/^HL\*5\*/,/^REF\*LT\*L-2~/d' -e 's/^SE\*23\*/SE*17*/' -e 's/SHIP-0001/SHIP-3/' \
    -e 's/PO-1/PO-3/' -e 's/PN-1/BRKT-1/' -e 's/SN1\*\*10\*/SN1**4*/' -e 's/REF\*LT\*L-1~/REF*LT*L-3~/' \
    "$FIXTURES/856/ship-notice.856" > out/asn-3.856

# ---- the browser's part --------------------------------------------------------
(cd "$TOP/tests/browser" && CHROMIUM="$CHROMIUM" node portal.js "$ORIGIN" "$LINK" "$SHOTS" "$TMP/out" \
	"$(sed -n 's/^  //p' "$TMP/bob.out")" "$(sed -n 's/^  //p' "$TMP/ann.out")") \
	> browser.out 2> browser.err
while IFS= read -r line; do
	case $line in
	"ok - "*) _pass "${line#ok - }" ;;
	"not ok - "*) _fail "${line#not ok - }" "see browser.err" ;;
	esac
done < browser.out
if grep -q '^not ok' browser.out || [ ! -s browser.out ]; then
	echo "# the browser's log (screenshots of the failures: $SHOTS/failed-*.png):"
	sed 's/^/#   /' browser.err | tail -40
	echo "# qvault serve's:"
	sed 's/^/#   /' serve.err | tail -20
fi

if [ -n "${DEBUG_PORTAL:-}" ]; then
	T=$(tok --user pat); curl -s --cacert cert.pem -H "Authorization: Bearer $T" "$ORIGIN/api/v1/inbox" >&2; echo >&2
	curl -s --cacert cert.pem -H "Authorization: Bearer $T" "$ORIGIN/api/v1/pos" >&2; echo >&2
	q inbox >&2; sqlite3 v/qvault/index.db 'select * from releases' >&2 || ls v/qvault >&2
fi
# ---- what stock tools make of it -----------------------------------------------
check "the enrollment is one commit signed by the server, which verify accepts" \
	sh -c "git -C v log --format=%s main | grep -q '^user pat enrolled a passkey' &&
	       q verify > verify.out && grep -q '0 findings' verify.out"
check "  pat's key is a passkey of the portal, sk-ecdsa for relying party localhost" \
	sh -c "q user list --json | python3 -c 'import json,sys; u=[x for x in json.load(sys.stdin) if x[\"name\"]==\"pat\"][0]; sys.exit(0 if u[\"key\"].startswith(\"sk-ecdsa-sha2-nistp256@openssh.com \") and u[\"key\"].endswith(\" pat@localhost\") else 1)'"
q keys allowed-signers > signers
ACK=$(git -C v ls-tree -r --name-only main | grep '/DWG-1/A/acks/pat-received.json$')
git -C v show "main:$ACK" > statement.json 2> /dev/null
git -C v show "main:$ACK.sig" > statement.sig 2> /dev/null
check "Debian's ssh-keygen -Y verify accepts the signature the browser made" \
	sh -c "ssh-keygen -Y verify -f signers -I pat@acme -n qvault-ack -s statement.sig < statement.json"
check "  a webauthn-sk-ecdsa signature, made by the passkey (its private key never left it)" \
	sh -c "sed '1d;\$d' statement.sig | base64 -d | grep -aq webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
# signed_in_browser NAME@ORG NAMESPACE PATH-PATTERN: ssh-keygen checks the record's .sig
signed_in_browser() {
	sp=$(git -C v ls-tree -r --name-only main | grep -E "$3" | head -n 1)
	[ -n "$sp" ] && git -C v show "main:$sp" > act.json && git -C v show "main:$sp.sig" > act.sig &&
	ssh-keygen -Y verify -f signers -I "$1" -n "$2" -s act.sig < act.json > /dev/null &&
	sed '1d;$d' act.sig | base64 -d | grep -aq webauthn-sk-ecdsa-sha2-nistp256@openssh.com
}
check "  and so does it the supplier's answer to PO-1, made with its passkey" \
	signed_in_browser pat@acme qvault-po-ack '/PO-1/acks/[0-9]+-pat\.json$'
check "  the buyer's disposition of FAIR-1, made with its passkey" \
	signed_in_browser bob@owner qvault-fai-disposition '/FAIR-1/[^/]+/disposition\.json$'
check "  the buyer's close of the NCR, made with its passkey" \
	signed_in_browser bob@owner qvault-ncr-close '/NCR-[0-9]+/close\.json$'
check "  and qvault verify accepts the vault" sh -c "q verify > verify.out && grep -q '0 findings' verify.out"

check "the evidence bundle the auditor downloaded checks with stock sha256sum" \
	evalq "mkdir -p bundle && (cd bundle && unzip -q ../out/auditor-bundle.zip && sha256sum -c --quiet SHA256SUMS)"
check "  and holds the lot's certificate of conformity" \
	evalq "ls bundle/documents | grep -q '^COC-L-1@'"
# what the auditor got from the admin, apart from the portal: the vault's keys
q keys allowed-signers > trusted_signers
awk '{ print $3, $4, $1 }' trusted_signers | ssh-keygen -l -f - > trusted.fp
server_fp=$(awk '$3 == "qvault-server@owner" { print $2 }' trusted.fp)
check "  the lot page names its signer, the vault's key, by the fingerprint the admin gives" \
	evalq "[ -n '$server_fp' ] && curl -s --cacert cert.pem -H 'Cookie: __Host-qvault=$(cat out/cookie 2> /dev/null)' \
		'$ORIGIN/trace/lot/L-1' > lot.html &&
	       grep -q 'The bundle is signed by <code>qvault-server@owner $server_fp</code>\\.' lot.html"
check "  and that key, got apart from the bundle, signed the downloaded bundle's SHA256SUMS" \
	evalq "(cd bundle && ssh-keygen -Y verify -f ../trusted_signers -I qvault-server@owner -n qvault-bundle \
		-s SHA256SUMS.qvault-server@owner.sig < SHA256SUMS > /dev/null)"

# ---- attacks, by hand ----------------------------------------------------------
COOKIE=$(cat out/cookie 2> /dev/null)
snapshot > before.txt
code() { curl -s -o body.json -w '%{http_code}' --cacert cert.pem "$@"; }
check "a forged session cookie gets no page: to /login" \
	evalq "[ \"\$(code -H 'Cookie: __Host-qvault=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' '$ORIGIN/inbox')\" = 303 ]"
check "the session that was replaced after the signature is dead" \
	evalq "[ \"\$(code -H \"Cookie: __Host-qvault=\$(cat out/cookie.old)\" '$ORIGIN/inbox')\" = 303 ]"
check "a cross-site post, with a good cookie, is refused (Origin)" \
	evalq "c=\$(code -H 'Cookie: __Host-qvault=$COOKIE' -H 'Origin: https://evil.example' \
		-H 'Content-Type: application/x-www-form-urlencoded' --data 'csrf=x' '$ORIGIN/logout');
	       [ \"\$c\" = 403 ] && grep -q 'did not come from a page of this portal' body.json ||
	       { echo \"status \$c\" >&2; cat body.json >&2; false; }"
# refused as soon as its headers came, each post is answered once its body
# came: answered before, the connection closed on the unread bytes and
# nginx, still sending them, answered 502 to some (t0035 too)
head -c 60000 /dev/zero | tr '\0' a > body.txt
for i in $(seq 1 20); do
	code -H "Cookie: __Host-qvault=$COOKIE" -H 'Origin: https://evil.example' -F csrf=x -F file=@body.txt \
		"$ORIGIN/upload"
	echo
done | sort | uniq -c > refusals.txt
check "  twenty such posts of 60 KB: each qvault's 403, none nginx's 502" \
	evalq "[ \"\$(cat refusals.txt)\" = '     20 403' ] || { cat refusals.txt >&2; false; }"
check "a post from the portal without its CSRF token is refused" \
	evalq "[ \"\$(code -H 'Cookie: __Host-qvault=$COOKIE' -H 'Origin: $ORIGIN' \
		-H 'Content-Type: application/json' --data '{\"meaning\":\"reviewed\"}' \
		'$ORIGIN/documents/DWG-1/A/statement')\" = 403 ] && grep -q 'CSRF' body.json"
check "a replayed login assertion opens no session" \
	evalq "[ \"\$(code -H 'Origin: $ORIGIN' -H 'Content-Type: application/json' \
		--data @out/login.json '$ORIGIN/login')\" = 401 ] && grep -q 'expired or was answered already' body.json"
check "  and nothing of it changed the vault" evalq "snapshot > after.txt && cmp -s before.txt after.txt"
check "a file is downloaded as an attachment, nosniff, in a sandbox" \
	sh -c "curl -s -D h.txt -o /dev/null --cacert cert.pem -H 'Cookie: __Host-qvault=$COOKIE' '$ORIGIN/documents/DWG-1/A/files/1' &&
	       grep -qi '^content-disposition: attachment; filename=\"a.pdf\"' h.txt &&
	       grep -qi '^x-content-type-options: nosniff' h.txt && grep -qi '^content-security-policy: sandbox' h.txt"

done_testing
