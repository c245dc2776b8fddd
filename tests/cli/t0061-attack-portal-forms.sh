#!/bin/sh
# Attacks on the portal's forms (the daily forms of t0060 and the status and
# ship-notice forms): a hostile supplier with a session, a buyer, and an
# outsider with none (or a foreign Origin, or no CSRF token).  Another
# organization's record is 404 and nothing of it is on the page; malformed
# numbers, bytes that are no UTF-8 text, NULs, control characters,
# duplicated, missing and overlong fields, markup in every text field, huge
# bodies and wrong content types are each refused with a status, a message
# and the vault byte for byte as it was.
. "$(dirname "$0")/lib.sh"

: "${MKZIP:?set MKZIP to the mkzip test tool}"
need_webauthn
vault_v sam:acme zed:zenith
add_buyer bea
make_pdf a.pdf "DWG-1 A"
make_pdf b.pdf "DWG-1 B"
make_pdf z.pdf "ZENITH-SECRET drawing"
make_pdf y.pdf "ZENITH-SECRET drawing, rev B"
q --key bea.pem release DWG-1 --rev A a.pdf --to acme > /dev/null
q --key bea.pem release DWG-1 --rev B b.pdf --to acme > /dev/null
q --key bea.pem release DWG-1 --rev C b.pdf --to acme > /dev/null 2>&1 || { make_pdf c.pdf "DWG-1 C"; q --key bea.pem release DWG-1 --rev C c.pdf --to acme > /dev/null; }
q --key bea.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null
q --key bea.pem release DWG-Z --rev B y.pdf --to zenith > /dev/null
q --key bea.pem po add PO-1 --supplier acme --line PN-1:50:DWG-1@B > /dev/null 2>&1
q --key bea.pem po add PO-Z --supplier zenith --line ZPN-SECRET:5:DWG-Z@A > /dev/null 2>&1
q --key sam.pem lot add L-1 --part PN-1 --qty 20 --po PO-1 > /dev/null
q --key sam.pem asn add --id ASN-1 --po PO-1 --ship-date 2026-11-30 --package P1:L-1:5 > /dev/null 2>&1
q --key sam.pem asn add --id ASN-2 --po PO-1 --ship-date 2026-11-30 --package P2:L-1:5 > /dev/null 2>&1
q --key zed.pem lot add LZ-SECRET --part ZPN-SECRET --qty 5 --po PO-Z > /dev/null
q --key zed.pem asn add --id ASN-Z --po PO-Z --ship-date 2026-11-30 --package PZ:LZ-SECRET:5 > /dev/null 2>&1

portal_users pat:acme:supplier bix:owner:buyer
ok "pat and bix enroll passkeys" evalq 'q user list --json | grep -q "\"bix\""'

login pat 1
PAT_COOKIE=$COOKIE PAT_CSRF=$CSRF
login bix 1
BIX_COOKIE=$COOKIE BIX_CSRF=$CSRF
# hrefused STATUS PATTERN DESC CURL-ARG...: a change order to PO-1 sent with
# these headers and body is answered STATUS with an error matching PATTERN,
# the vault unchanged
hrefused() {
	rs=$1 rp=$2 rd=$3; shift 3
	before=$(api_state)
	if ! api "$rs" POST pos/PO-1/change '' "$@" 2> "$TMP/.err"; then
		_fail "$rd" "$(cat "$TMP/.err")"
	elif ! said | grep -Eq -- "$rp"; then
		_fail "$rd" "it says: $(said)"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$rd" "the vault changed"
	else
		_pass "$rd"
	fi
}
CHG='chg.line=1&chg.qty=7&chg.reason=x'

# ==== an outsider: no session, another site's page, no CSRF token =================
COOKIE= CSRF=
xrefused 401 'session ended' "a change order without a session is refused (401)" pos/PO-1/change "$CHG"
xrefused 401 'session ended' "  a receipt too" asns/ASN-1/receive 'qty.0=1'
xrefused 401 'session ended' "  a status report too" pos/PO-1/status 'line=1&status=started'
xrefused 401 'session ended' "  an FAI upload too" fai 'po=&lot='
hrefused 403 'did not come from a page of this portal \(Origin' \
	"the buyer's session and token, posted from another site's page (Origin), are refused" \
	-H "Origin: http://evil.example" -H "Cookie: __Host-qvault=$BIX_COOKIE" -H "X-CSRF-Token: $BIX_CSRF" --data "$CHG"
hrefused 403 'did not come from a page of this portal \(Origin' "  and with no Origin at all" \
	-H "Cookie: __Host-qvault=$BIX_COOKIE" -H "X-CSRF-Token: $BIX_CSRF" --data "$CHG"
hrefused 403 'did not come from a page of this portal \(Origin' "  and with the right Origin but Sec-Fetch-Site: cross-site" \
	-H "Origin: $ORIGIN" -H "Sec-Fetch-Site: cross-site" -H "Cookie: __Host-qvault=$BIX_COOKIE" \
	-H "X-CSRF-Token: $BIX_CSRF" --data "$CHG"
hrefused 403 'its CSRF token' "the buyer's session without its CSRF token is refused" \
	-H "Origin: $ORIGIN" -H "Cookie: __Host-qvault=$BIX_COOKIE" --data "$CHG"
hrefused 403 'its CSRF token' "  and with pat's token instead of bix's" \
	-H "Origin: $ORIGIN" -H "Cookie: __Host-qvault=$BIX_COOKIE" --data "$CHG&csrf=$PAT_CSRF"
hrefused 403 'its CSRF token' "  and with the token given twice (joined, it is no token)" \
	-H "Origin: $ORIGIN" -H "Cookie: __Host-qvault=$BIX_COOKIE" --data "$CHG&csrf=$BIX_CSRF&csrf=$BIX_CSRF"
hrefused 401 'session ended' "a session cookie that is no session is refused" \
	-H "Origin: $ORIGIN" -H "Cookie: __Host-qvault=AAAA" -H "X-CSRF-Token: $BIX_CSRF" --data "$CHG"

# ==== wrong content types, huge bodies ============================================
COOKIE=$BIX_COOKIE CSRF=$BIX_CSRF
W="-H Origin:$ORIGIN -H Cookie:__Host-qvault=$BIX_COOKIE -H X-CSRF-Token:$BIX_CSRF"
# shellcheck disable=SC2086
hrefused 415 'send a form or application/json' "a form sent as text/plain is refused (415)" \
	$W -H 'Content-Type: text/plain' --data "$CHG"
# shellcheck disable=SC2086
hrefused 415 'send a form or application/json' "  and as application/xml" \
	$W -H 'Content-Type: application/xml' --data "<chg line='1'/>"
# shellcheck disable=SC2086
hrefused 415 'send a form or application/json' "  and with no Content-Type at all" \
	$W -H 'Content-Type:' --data "$CHG"
# shellcheck disable=SC2086
hrefused 400 'a malformed form' "a multipart form without its boundary is refused" \
	$W -H 'Content-Type: multipart/form-data' --data "$CHG"
# shellcheck disable=SC2086
hrefused 400 'give the line and the reason' "the form's fields sent as JSON are no form: refused" \
	$W -H 'Content-Type: application/json' --data '{"chg.line": "1", "chg.qty": "7", "chg.reason": "x"}'
head -c 70000 /dev/zero | tr '\0' a > big.txt
# shellcheck disable=SC2086
hrefused 413 'over 64 KiB' "a form of 70 KB is refused (413)" \
	$W -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @big.txt
python3 -c 'print("chg.line=1&chg.qty=7&chg.reason=" + "r" * 60000, end="")' > long.txt
xrefused 400 'reason is longer than 1000 bytes' "a reason of 60000 bytes is refused" pos/PO-1/change "$(cat long.txt)"
python3 -c 'print("add.part=" + "P" * 5000 + "&add.qty=1&add.drawing=DWG-1@B&add.reason=x", end="")' > long.txt
xrefused 400 "part number 'P+\.\.\.' is longer than" "a part number of 5000 bytes is refused, the message cut" \
	pos/PO-1/add-line "$(cat long.txt)"

# ==== the buyer: numbers, bytes, fields given twice or not at all ==================
for v in '%2B7:a sign' '%207:a space before it' '7%20:a space after it' '7e0:an exponent' '0x7:hex' \
	'7.0:a decimal point' '1000000001:over a billion' '18446744073709551617:over 64 bits' \
	'%EF%BC%97:a full-width digit' '-0:minus zero' '0:zero' '7%007:a NUL inside'; do
	xrefused 400 'the new quantity is a whole number, 1 or more|not UTF-8 text' \
		"a new quantity with ${v#*:} is refused" pos/PO-1/change "chg.line=1&chg.qty=${v%%:*}&chg.reason=x"
done
xrefused 400 'the new quantity is a whole number' "a quantity given twice (7 and 8) is refused" \
	pos/PO-1/change 'chg.line=1&chg.qty=7&chg.qty=8&chg.reason=x'
xrefused 400 'give the line and the reason' "a line given twice is refused" \
	pos/PO-1/change 'chg.line=1&chg.line=2&chg.qty=7&chg.reason=x'
xrefused 400 'give the line and the reason' "a line of 2^32 + 1 (line 1 if cut to 32 bits) is refused" \
	pos/PO-1/change 'chg.line=4294967297&chg.qty=7&chg.reason=x'
xrefused 400 'give the line and the reason' "a change order without its line" pos/PO-1/change 'chg.qty=7&chg.reason=x'
xrefused 400 'give the line and the reason' "  nor its reason" pos/PO-1/change 'chg.line=1&chg.qty=7'
xrefused 400 'give the line and the reason' "  an empty reason is none" pos/PO-1/change 'chg.line=1&chg.qty=7&chg.reason='
xrefused 400 "the form's field 'chg.due' is not UTF-8 text" \
	"a due date that is no UTF-8 text refuses the change (it was dropped, the quantity changed)" \
	pos/PO-1/change 'chg.line=1&chg.qty=7&chg.due=%ff%fe&chg.reason=x'
xrefused 400 "the form's field 'chg.reason' is not UTF-8 text" "a reason holding a NUL is refused as such" \
	pos/PO-1/change 'chg.line=1&chg.qty=7&chg.reason=a%00b'
xrefused 400 "the form's field 'chg.reason' is not UTF-8 text" \
	"  so is one whose NUL is in the first of two values given (the NUL was cut out as they were joined)" \
	pos/PO-1/change 'chg.line=1&chg.qty=7&chg.reason=a%00b&chg.reason=c'
xrefused 400 'reason is not UTF-8 text without control characters' "a reason with terminal escapes is refused" \
	pos/PO-1/change 'chg.line=1&chg.qty=7&chg.reason=a%1b%5b2Jb'
xrefused 400 'a field of the form is not UTF-8 text' "a field whose name is no text is not named in the message" \
	pos/PO-1/change 'chg.line=1&chg.qty=7&chg.reason=x&x%1b=%ff'
xrefused 400 "due date '2027-02-30' is not a date" "a due date that is no day is refused" \
	pos/PO-1/change 'chg.line=1&chg.due=2027-02-30&chg.reason=x'
L=$(python3 -c 'print("9" * 10000)')
xrefused 400 "^due date '9{57}\.\.\.' is not a date" "a due date of 10000 bytes: refused, the message cut short" \
	pos/PO-1/add-line "add.part=P&add.qty=1&add.drawing=DWG-1@B&add.reason=x&add.due=$L"
xrefused 400 "^due date '2027-01-01.x0asecond' is not a date" "a due date holding a newline: the message one line" \
	pos/PO-1/change "chg.line=1&chg.due=2027-01-01%0asecond&chg.reason=x"
xrefused 400 "the drawing revision is not DOC@REV" "a drawing '@B' is refused" \
	pos/PO-1/change 'chg.line=1&chg.drawing=@B&chg.reason=x'
xrefused 400 "part number '<script>alert\(1\)</script> ' begins or ends with a space" "an added line's part with markup (and a trailing space) is refused" \
	pos/PO-1/add-line 'add.part=%3Cscript%3Ealert(1)%3C/script%3E%20&add.qty=1&add.drawing=DWG-1@B&add.reason=x'
check "  the markup shown as text on the page, never as markup" \
	evalq 'grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" body.json && lacks "<script>alert"'
xrefused 400 "document number '<b>DWG</b> ' begins or ends with a space" "an added line's drawing with markup (and a trailing space) is refused" \
	pos/PO-1/add-line 'add.part=P1&add.qty=1&add.drawing=%3Cb%3EDWG%3C/b%3E%20@B&add.reason=x'
check "  escaped" evalq 'lacks "<b>DWG"'
xrefused 400 'give the new line' "an added line without its quantity" pos/PO-1/add-line 'add.part=P1&add.drawing=DWG-1@B&add.reason=x'
xrefused 400 'give the new line' "  with a quantity of 1e1" pos/PO-1/add-line 'add.part=P1&add.qty=1e1&add.drawing=DWG-1@B&add.reason=x'
xrefused 400 'choose cancel or close' "an end of line '1 ' (a space) is refused" pos/PO-1/end 'end.line=1%20&end.op=cancel&end.reason=x'
xrefused 400 'choose cancel or close' "  of line 2^32 + 1" pos/PO-1/end 'end.line=4294967297&end.op=cancel&end.reason=x'
xrefused 400 'choose cancel or close' "  cancel and close at once" pos/PO-1/end 'end.line=1&end.op=cancel&end.op=close&end.reason=x'
xrefused 400 'choose cancel or close' "  'Cancel'" pos/PO-1/end 'end.line=1&end.op=Cancel&end.reason=x'
xrefused 400 'choose cancel or close' "  with no reason" pos/PO-1/end 'end.line=1&end.op=cancel'
xrefused 404 "^no PO 'PO-404'" "a change order to a PO that does not exist is 404" pos/PO-404/change "$CHG"

# receipts: the notice's lots are qty.0, qty.1, ... as its page lists them
for v in '%2B4:a sign' '4e0:an exponent' '0x4:hex' '4294967296:2^32' '1000000001:over a billion' \
	'-1:a minus'; do
	xrefused 400 'a quantity received is a whole number, 0 or more' \
		"a quantity received with ${v#*:} is refused" asns/ASN-1/receive "qty.0=${v%%:*}"
done
xrefused 400 'a quantity received is a whole number' "a quantity given twice is refused" asns/ASN-1/receive 'qty.0=1&qty.0=2'
xrefused 400 'a lot the ship notice does not have' "qty.00 (read as no quantity: the lot was received as shipped) is refused" \
	asns/ASN-1/receive 'qty.00=1'
xrefused 400 'a lot the ship notice does not have' "qty.18446744073709551616 (0 if cut to 64 bits) is refused" \
	asns/ASN-1/receive 'qty.18446744073709551616=1'
xrefused 400 'a lot the ship notice does not have' "  and qty. with no number" asns/ASN-1/receive 'qty.=1'
xrefused 400 "the form's field 'date' is not UTF-8 text" \
	"a received date that is no UTF-8 text refuses the receipt (it was dropped: received today)" \
	asns/ASN-1/receive 'qty.0=4&date=%ff'
xrefused 400 "received date '2026-02-30' is not a date" "a received date that is no day is refused" \
	asns/ASN-1/receive 'qty.0=4&date=2026-02-30'
xrefused 400 "before the ship date" "a received date before the ship date is refused" \
	asns/ASN-1/receive 'qty.0=4&date=2026-11-01'
xrefused 400 'note is not UTF-8 text without control characters' "a note with an escape is refused" \
	asns/ASN-1/receive 'qty.0=4&note=%3Cscript%3E%1b'
xrefused 404 "^no ship notice 'ASN-404'" "a receipt of a notice that does not exist is 404" asns/ASN-404/receive 'qty.0=1'
check "bix receives ASN-2 with a note holding markup: recorded" \
	evalq 'rawform 303 asns/ASN-2/receive "qty.0=5&note=%3Cscript%3Ealert(2)%3C/script%3E&date=2026-12-01"'
check "  the note recorded as given, the notice's page holding no markup of it" \
	evalq 'q asn show ASN-2 --json | grep -q "<script>alert(2)</script>" &&
	       web 200 GET asns/ASN-2 && lacks "<script>alert"'
check "bix changes line 1 with a reason holding markup: recorded" \
	evalq 'rawform 303 pos/PO-1/change "chg.line=1&chg.qty=40&chg.reason=%3Cimg%20src%3Dx%20onerror%3Dalert(3)%3E"'
check "  the PO's page shows the reason as text" \
	evalq 'web 200 GET pos/PO-1 && grep -q "&lt;img src=x onerror=alert(3)&gt;" body.json && lacks "<img src=x"'

# ==== a hostile supplier: another organization's records, the status and ship forms =
COOKIE=$PAT_COOKIE CSRF=$PAT_CSRF
# notfound DESC PATH BODY: pat's form to zenith's record is answered exactly as one
# to a record that does not exist (404, its name only), nothing of zenith's on the page
notfound() {
	nd=$1 np=$2 nb=$3
	before=$(api_state)
	if ! rawform 404 "$np" "$nb" 2> "$TMP/.err"; then
		_fail "$nd" "$(cat "$TMP/.err")"
	elif ! lacks "SECRET\|zenith"; then
		_fail "$nd" "the page shows zenith's: $(grep -o '.\{20\}SECRET.\{20\}\|.\{20\}zenith.\{20\}' body.json | head -2)"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$nd" "the vault changed"
	else
		said > said.z
		rawform 404 "$(echo "$np" | sed 's/PO-Z/PO-404/; s/ASN-Z/ASN-404/')" "$nb" 2> /dev/null
		said | sed 's/PO-404/PO-Z/; s/ASN-404/ASN-Z/' > said.n
		if cmp -s said.z said.n; then _pass "$nd"; else _fail "$nd" "$(cat said.z) / $(cat said.n)"; fi
	fi
}
notfound "pat's status report on zenith's PO is 404, as for a PO that does not exist" \
	pos/PO-Z/status 'line=1&status=started'
notfound "pat's change order to zenith's PO: 404, as for none" pos/PO-Z/change "$CHG"
notfound "pat's added line on zenith's PO: 404, as for none" pos/PO-Z/add-line 'add.part=P&add.qty=1&add.drawing=DWG-1@B&add.reason=x'
notfound "pat's end of zenith's PO: 404, as for none" pos/PO-Z/end 'end.line=0&end.op=cancel&end.reason=x'
notfound "pat's receipt of zenith's ship notice: 404, as for none" asns/ASN-Z/receive 'qty.0=1'
check "pat's page of zenith's PO is 404, nothing of it on the page" \
	evalq 'web 404 GET pos/PO-Z && lacks "SECRET\|zenith"'
check "  of zenith's ship notice too" evalq 'web 404 GET asns/ASN-Z && lacks "SECRET\|zenith"'
check "  what changed in zenith's drawing: 404, nothing of it" \
	evalq 'web 404 GET documents/DWG-Z/B/changes && lacks "SECRET\|zenith"'
check "  ?from= naming zenith's drawing's path is a revision of DWG-1 that is none, nothing of zenith's" \
	evalq 'web 404 GET "documents/DWG-1/B/changes?from=../../DWG-Z/A" && lacks "SECRET"'
check "  ?from= that is no UTF-8 text: refused, the byte shown as a hex escape" \
	evalq 'web 400 GET "documents/DWG-1/B/changes?from=%ff" && grep -q "\\\\xff&#39; is not valid UTF-8" body.json'
check "  ?from= of 5000 bytes: refused, the name cut in the message" \
	evalq 'web 400 GET "documents/DWG-1/B/changes?from=$(python3 -c "print(\"A\" * 5000)")" &&
	       grep -q "is longer than 128 bytes" body.json && [ "$(wc -c < body.json)" -lt 20000 ]'
check "  ?from= a revision released to zenith only is none" \
	evalq 'web 404 GET "documents/DWG-Z/B/changes?from=A" && lacks "SECRET"'

xrefused 400 '^the line is a whole number$' "a status report on line 'abc' is refused (it was a report on the PO as a whole)" \
	pos/PO-1/status 'line=abc&status=started'
for v in '%2B1:a sign' '1e0:an exponent' '-1:a minus' '%201:a space' '4294967297:2^32 + 1'; do
	xrefused 400 '^the line is a whole number$|line is not a line number' "  and on a line with ${v#*:}" \
		pos/PO-1/status "line=${v%%:*}&status=started"
done
xrefused 400 "unknown status '<script>'" "a status with markup is refused" pos/PO-1/status 'line=1&status=%3Cscript%3E'
check "  shown as text" evalq 'lacks "<script>'"'"'" && grep -q "&lt;script&gt;" body.json'
xrefused 400 "the form's field 'note' is not UTF-8 text" "a status note that is no UTF-8 text refuses it (it was dropped)" \
	pos/PO-1/status 'line=1&status=started&note=%ff'
xrefused 400 "unknown status 'started,complete'" "a status given twice is refused" \
	pos/PO-1/status 'line=1&status=started&status=complete'
xrefused 403 'may not' "a supplier's change order to its own PO is refused" pos/PO-1/change "$CHG"
xrefused 403 'may not' "  a supplier's receipt of its own notice too" asns/ASN-1/receive 'qty.0=1'

# the ship-notice and lot forms
xrefused 400 'give the notice' "a ship notice whose quantity is 1e1 is refused" \
	asns 'asn=A-9&po=PO-1&ship_date=2026-12-01&package=P&lot=L-1&qty=1e1'
xrefused 400 "ship notice number 'A<b> ' begins or ends with a space" "a ship notice number with markup (and a trailing space) is refused" \
	asns 'asn=A%3Cb%3E%20&po=PO-1&ship_date=2026-12-01&package=P&lot=L-1&qty=1'
check "  shown as text" evalq 'lacks "A<b>"'
xrefused 404 "^no PO 'PO-Z'" "a ship notice against zenith's PO: no such PO" \
	asns 'asn=A-9&po=PO-Z&ship_date=2026-12-01&package=P&lot=LZ-SECRET&qty=1'
xrefused 404 "no lot 'LZ-SECRET'" "a ship notice of zenith's lot: no such lot" \
	asns 'asn=A-9&po=PO-1&ship_date=2026-12-01&package=P&lot=LZ-SECRET&qty=1'
xrefused 400 "the form's field 'carrier' is not UTF-8 text" "a carrier that is no UTF-8 text is refused (it was dropped)" \
	asns 'asn=A-9&po=PO-1&ship_date=2026-12-01&package=P&lot=L-1&qty=1&carrier=%ff'
xrefused 404 "^no PO 'PO-Z'" "a lot of zenith's PO: no such PO" lots 'lot.lot=L-9&lot.po=PO-Z&lot.part=ZPN-SECRET&lot.qty=1'
xrefused 400 'give the lot' "a lot of 0x10 pieces is refused" lots 'lot.lot=L-9&lot.po=PO-1&lot.part=PN-1&lot.qty=0x10'
xrefused 400 "^made date 'x{57}\.\.\.' is not a date" "a lot's made date of 10000 bytes: refused, the message cut short" \
	lots "lot.lot=L-9&lot.po=PO-1&lot.part=PN-1&lot.qty=1&lot.made=$(python3 -c 'print("x" * 10000)')"
check "  its page under 20 KB" evalq '[ "$(wc -c < body.json)" -lt 20000 ]'
xrefused 400 'carrier is longer than 128 bytes' "a carrier of 10000 bytes is refused" \
	asns "asn=A-9&po=PO-1&ship_date=2026-12-01&package=P&lot=L-1&qty=1&carrier=$L"

# the FAI form
fai_pkg FAIR-1 6.05
check "pat's FAI package against zenith's PO: 404 as for a PO that does not exist" \
	evalq 'before=$(api_state) && web 404 POST fai -F "csrf=$CSRF" -F "file=@fai.zip;type=application/zip" -F po=PO-Z -F lot= &&
	       lacks "SECRET\|zenith" && grep -q "no PO &#39;PO-Z&#39;" body.json && [ "$before" = "$(api_state)" ]'
check "  against zenith's lot: 404 as for none" \
	evalq 'web 404 POST fai -F "csrf=$CSRF" -F "file=@fai.zip;type=application/zip" -F po= -F lot=LZ-SECRET &&
	       grep -q "no lot &#39;LZ-SECRET&#39;" body.json && [ "$before" = "$(api_state)" ]'
check "a form with two files is refused (400), the vault unchanged" \
	evalq 'web 400 POST fai -F "csrf=$CSRF" -F "file=@fai.zip;type=application/zip" -F "file2=@fai.zip" -F po= -F lot= &&
	       said | grep -q "holds two files" && [ "$before" = "$(api_state)" ]'
check "a form without its file is refused" \
	evalq 'web 400 POST fai -F "csrf=$CSRF" -F po= -F lot= && said | grep -q "choose the FAI package" &&
	       [ "$before" = "$(api_state)" ]'
printf 'x' > "$(printf 'n\377.zip')"
check "a file whose name is no UTF-8 text: refused as such (it was taken for no file chosen)" \
	evalq 'web 400 POST fai -F "csrf=$CSRF" -F "file=@$(printf "n\377.zip");type=application/zip" -F po= -F lot= &&
	       said | grep -q "the form.s field .file.name. is not UTF-8 text" && [ "$before" = "$(api_state)" ]'
check "a file named with markup: refused as no zip, the name nowhere as markup" \
	evalq 'make_pdf x.pdf x && web 400 POST fai -F "csrf=$CSRF" -F "file=@x.pdf;type=application/zip;filename=<script>x.zip" -F po= -F lot= &&
	       lacks "<script>x" && [ "$before" = "$(api_state)" ]'

check "pat's FAI package, for no PO: recorded, on to its page" \
	evalq 'web 303 POST fai -F "csrf=$CSRF" -F "file=@fai.zip;type=application/zip" -F po= -F lot='
FAIPAGE=$(sed -n 's/^Location: \/\(documents\/FAIR-1\/[^[:space:]]*\).*/\1/ip' headers.txt)
for p in '%2B1' '0x1' '1e0' '-1' '99999999999999999999' '%ff' '1&form3=2'; do
	check "  its page with ?form3=$p is the page of Form 3's rows 1-1" \
		evalq "web 200 GET '$FAIPAGE?form3=$p' && grep -q '<td>6.05</td>' body.json"
done
check "pat reports line 1 started with a note holding markup: recorded" \
	evalq 'rawform 303 pos/PO-1/status "line=1&status=started&note=%3Cscript%3Ealert(4)%3C/script%3E"'
check "  the PO's page shows it as text" \
	evalq 'web 200 GET pos/PO-1 && lacks "<script>alert"'

# ==== paging parameters ===========================================================
for p in '%2B2' '%202' '2e0' '0x2' '-1' '99999999999999999999' '2&page=3' '%ff'; do
	check "GET pos?page=$p is a page (200), not an error" web 200 GET "pos?page=$p"
done
for p in '%2B2' '0x2' '-1' '99999999999999999999' '%ff'; do
	check "GET asns?page=$p and documents?page=$p are pages" evalq "web 200 GET 'asns?page=$p' && web 200 GET 'documents?page=$p'"
done
check "the portal still answers" web 200 GET inbox
check "verify passes: nothing refused was written" q verify
done_testing
