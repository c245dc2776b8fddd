#!/bin/sh
# Expiry and periodic review (issue 21): a certificate or approval added
# with --expires, a controlled document released with --review-by; audit
# lists them expired (open) or coming within the window (due, never open),
# a certificate used by a lot after it expired, a document past its review;
# the inbox asks the supplier to renew its own, the buying side to chase
# and to review; a renewal (the next revision) or a review (qvault review)
# clears them.  The dates are in the signed record; bad dates are refused
# with one line, the vault unchanged; forged ones are found by verify.
. "$(dirname "$0")/lib.sh"

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
if [ ! -r "$FAKETIME_LIB" ]; then
	_skip "no libfaketime (scripts/deps installs faketime): time must pass"
	done_testing
	exit 0
fi

day() { date -u -d "$1" +%Y-%m-%d; }
TODAY=$(day today)
PAST_COC=$(day '20 days ago')      # COC-1's expiry: in the future when it was added
PAST_REVIEW=$(day '10 days ago')   # DWG-1@A's review date
SOON=$(day '+10 days')             # AS-1@A expires within the 30 days
LATER=$(day '+100 days')           # NAD-1@A expires after them

# forty days ago (libfaketime): the records, each date still to come then
export LD_PRELOAD="$FAKETIME_LIB" FAKETIME=-40d ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
vault_v sam:acme zed:zenith
make_pdf c.pdf C
make_pdf coc.pdf COC
make_pdf as.pdf AS9100
make_pdf nad.pdf NADCAP
make_pdf zcoc.pdf ZCOC
q release DWG-1 --rev A c.pdf --to acme --review-by "$PAST_REVIEW" > /dev/null
q --key sam.pem ack DWG-1@A > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
q --key sam.pem add coc.pdf --doc COC-1 --type coc --lot L-1 --expires "$PAST_COC" > /dev/null
q --key sam.pem add as.pdf --doc AS-1 --type process-cert --title "AS9100 approval" --expires "$SOON" > /dev/null
q --key sam.pem add nad.pdf --doc NAD-1 --type process-cert --title "NADCAP heat treat" --expires "$LATER" > /dev/null
q --key zed.pem add zcoc.pdf --doc ZC-1 --type coc --expires "$SOON" > /dev/null
unset LD_PRELOAD FAKETIME
check "(the setup ran forty days ago)" \
	evalq "[ \"\$(git -C v log -1 --format=%cs)\" = $(day '40 days ago') ]"

# js FILE EXPR VALUE...: each Python expression EXPR of the JSON in FILE (d) is its VALUE
js() {
	f=$1; shift
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = str(eval(e))
    if v != want: sys.exit("%s is %r, not %r" % (e, v, want))' "$f" "$@"
}
# gaps FILE: (gap, its first record, state) of an audit --json, in order
gaps() {
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1]))
print([(g["gap"], g["records"].get("revision", g["records"].get("certificate")), g["state"]) for g in d])' "$1"
}
# actions FILE: (action, subject, detail) of an inbox --json, sorted
actions() {
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1]))
print(sorted((i["action"], i["subject"], i.get("detail")) for i in d))' "$1"
}
has() { grep -q -- "$2" "$1"; }

# ---- the dates are in the signed record ----------------------------------
CD=docs/$(dir_of COC-1)/COC-1/A
DD=docs/$(dir_of DWG-1)/DWG-1/A
check "the expiry is in the certificate's record, in the commit that added it" \
	evalq "git -C v show main:$CD/record.json | grep -q '\"expires\": \"$PAST_COC\"'"
check "the review date is in the released revision's record" \
	evalq "git -C v show main:$DD/record.json | grep -q '\"review_by\": \"$PAST_REVIEW\"'"
q show COC-1@A --json > show.json
git -C v show "main:$CD/record.json" > coc-record.json
check "show --json gives the expiry" js show.json 'd["expires"]' "$PAST_COC"
q show DWG-1@A > show.txt
check "show gives the review date" has show.txt "review   by $PAST_REVIEW"

# ---- audit ------------------------------------------------------------------
q audit --json > audit.json
check "audit --json exits 3: a certificate has expired, a review is overdue" \
	evalq "q audit --json > /dev/null; [ \$? = 3 ]"
check "audit: COC-1 expired, AS-1 and ZC-1 due within 30 days (not NAD-1, in 100), DWG-1's review overdue" \
	evalq "[ \"\$(gaps audit.json)\" = \"[('expired', 'COC-1@A', 'open'), ('expiring', 'AS-1@A', 'due'), ('expiring', 'ZC-1@A', 'due'), ('review-overdue', 'DWG-1@A', 'open')]\" ]"
check "  each with its records: the revision, its type, organization and date" \
	js audit.json 'd[0]["records"]' "{'expires': '$PAST_COC', 'org': 'acme', 'revision': 'COC-1@A', 'type': 'coc'}" \
	'd[3]["records"]["review_by"]' "$PAST_REVIEW" 'd[1]["id"][:9]' expiring-
q audit > audit.txt
check "audit's text counts the due apart from the open" has audit.txt "^2 gaps, 2 due$"
q audit --expiry-days 0 --json > a0.json
check "--expiry-days 0: nothing due, the expired still open" \
	evalq "[ \"\$(gaps a0.json)\" = \"[('expired', 'COC-1@A', 'open'), ('review-overdue', 'DWG-1@A', 'open')]\" ]"
q audit --expiry-days 120 --json > a120.json
check "--expiry-days 120: NAD-1 is due too" \
	evalq "gaps a120.json | grep -q \"('expiring', 'NAD-1@A', 'due')\""
git -C v config qvault.expiryDays 120
q audit --json > acfg.json
check "git config qvault.expiryDays sets the window" \
	evalq "gaps acfg.json | grep -q \"('expiring', 'NAD-1@A', 'due')\""
q audit --expiry-days 5 --json > a5.json
check "  and --expiry-days wins over it" \
	evalq "! gaps a5.json | grep -q expiring"
git -C v config --unset qvault.expiryDays
q --key sam.pem audit --json > sam-audit.json
check "a supplier's audit: its own certificates only, no document review (the buying side's)" \
	evalq "[ \"\$(gaps sam-audit.json)\" = \"[('expired', 'COC-1@A', 'open'), ('expiring', 'AS-1@A', 'due')]\" ]"

# ---- the inbox ---------------------------------------------------------------
q --key sam.pem inbox --json > sam.json
check "the supplier's inbox: renew its own expired and expiring certificates (not NAD-1, nor zenith's)" \
	evalq "actions sam.json | grep -q \"('renew-certificate', 'AS-1@A', 'process-cert expires $SOON'), ('renew-certificate', 'COC-1@A', 'coc expired $PAST_COC')\""
check "  and nothing of zenith's" evalq "! grep -q ZC-1 sam.json"
q --key zed.pem inbox --json > zed.json
check "zenith's supplier sees its own only" \
	evalq "[ \"\$(actions zed.json | grep -o \"'renew-certificate', '[A-Z0-9-]*@A'\" | tr '\n' ' ')\" = \"'renew-certificate', 'ZC-1@A' \" ]"
q inbox --json > buyer.json
check "the buying side's inbox: chase every organization's, review the document overdue" \
	evalq "actions buyer.json | grep -q \"('chase-certificate', 'AS-1@A', 'process-cert expires $SOON'), ('chase-certificate', 'COC-1@A', 'coc expired $PAST_COC'), ('chase-certificate', 'ZC-1@A', 'coc expires $SOON')\""
check "  the review, since it fell due (its date less the window)" \
	evalq "actions buyer.json | grep -q \"('review-document', 'DWG-1@A', 'review was due $PAST_REVIEW')\""
check "  the expiring one due since it entered the window, the expired one since it was added" \
	js buyer.json '[i["since"][:10] for i in d if i["subject"] == "AS-1@A"][0]' "$(day "$SOON - 30 days")" \
	'[i["since"][:10] for i in d if i["subject"] == "COC-1@A"][0]' "$(day '40 days ago')"

# ---- the same through the API (qvault serve), as the portal reads them --------
samejson() { python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"; }
if command -v curl > /dev/null; then
	SAM_R=$(tok --user sam)
	BUY_R=$(tok --user tester)
	serve_start
	check "GET inbox: the supplier's renewals, as the CLI answers them" \
		evalq "api 200 GET inbox '$SAM_R' && samejson body.json sam.json"
	check "  the buyer's chases and review" \
		evalq "api 200 GET inbox '$BUY_R' && samejson body.json buyer.json"
	check "GET audit: the expired, the due and the overdue review, as audit --json" \
		evalq "api 200 GET audit '$BUY_R' && python3 -c 'import json; d = json.load(open(\"body.json\"))
assert [(g[\"gap\"], g[\"state\"]) for g in d] == [(\"expired\", \"open\"), (\"expiring\", \"due\"), (\"expiring\", \"due\"), (\"review-overdue\", \"open\")], d'"
	SAM_W=$(tok --user sam --scope write)
	O='-H Content-Type:application/octet-stream --data-binary @nad.pdf'
	check "POST documents: an approval with its expiry, through the API (the portal's writer)" \
		evalq "api 201 POST 'documents/NAD-2?type=process-cert&name=nad.pdf&expires=$LATER' '$SAM_W' $O &&
		       is 'd[\"expires\"]' $LATER"
	refused 400 "expiry date '2027-02-30' is not a date" "  a malformed expiry: refused, the vault unchanged" \
		POST 'documents/NAD-3?type=process-cert&name=nad.pdf&expires=2027-02-30' "$SAM_W" $O
	refused 400 "a process-cert has no periodic review" "  a review date on an approval: refused, the vault unchanged" \
		POST "documents/NAD-3?type=process-cert&name=nad.pdf&review_by=$LATER" "$SAM_W" $O
	kill "$SERVE"
	wait "$SERVE" 2> /dev/null
	openapi_check "every API answer matches schemas/openapi.json"
else
	_skip "no curl: the API's inbox and audit"
fi
if python3 -c 'import jsonschema' 2> /dev/null; then
	check "the records, show --json, audit --json and the inboxes match their schemas" python3 -c '
import json, sys, jsonschema
S = sys.argv[1] + "/"
def valid(doc, schema, ref=None):
    s = json.load(open(S + schema))
    jsonschema.validate(doc, {"$ref": "#/$defs/" + ref, "$defs": s["$defs"]} if ref else s)
valid(json.load(open("coc-record.json")), "revision.schema.json")
valid(json.load(open("show.json")), "output.schema.json", "revision")
valid(json.load(open("audit.json")), "trace.schema.json", "audit")
for f in ("sam.json", "zed.json", "buyer.json"):
    valid(json.load(open(f)), "portal-output.schema.json", "inbox")' "$TESTS_DIR/../../schemas"
else
	_skip "no python3-jsonschema"
fi

# ---- the portal's pages: the upload form's expiry, the inbox, the audit ------
if command -v curl > /dev/null && /usr/bin/python3 -c 'import cryptography' 2> /dev/null; then
	WA="/usr/bin/python3 $TESTS_DIR/../webauthn.py"
	ORIGIN=http://localhost:8443
	portal_users pia:acme:supplier rex:owner:buyer
	login pia 1
	check "portal: the supplier uploads a calibration certificate valid until a date" \
		evalq "web 303 POST upload -F csrf=$CSRF -F doc=CAL-1 -F type=process-cert -F expires=$LATER \
			-F 'file=@nad.pdf;type=application/pdf' && [ \"\$(q show CAL-1@A --json | jq -r .expires)\" = $LATER ]"
	check "  its page says until when it is valid" \
		evalq "web 200 GET documents/CAL-1/A && grep -q '<dt>Valid until</dt><dd>$LATER' body.json"
	check "  the supplier's inbox page asks to renew COC-1@A, linked to it" \
		evalq "web 200 GET inbox && grep -q 'renew-certificate' body.json && grep -q 'href=\"/documents/COC-1/A\"' body.json"
	login rex 1
	check "  the buyer's inbox page: chase the certificates, review DWG-1@A" \
		evalq "web 200 GET inbox && grep -q chase-certificate body.json && grep -q 'review-document' body.json &&
		       grep -q 'href=\"/documents/DWG-1/A\"' body.json"
	check "  the audit page lists the expired and the due" \
		evalq "web 200 GET audit && grep -q '<td>expired</td>' body.json && grep -q '<td>expiring</td>' body.json &&
		       grep -q '>due<' body.json"
	kill "$SERVE"
	wait "$SERVE" 2> /dev/null
else
	_skip "no curl or python3-cryptography: the portal's pages"
fi

# ---- what a supplier may not see stays unnamed -------------------------------
make_pdf own.pdf OWN
ok "quality files a CoC of its own for acme's lot, expiring soon (not released to acme)" \
	q add own.pdf --doc OWN-1 --type coc --lot L-1 --expires "$SOON"
q audit --json > own.json
check "  the buying side's audit lists it due" evalq "gaps own.json | grep -q \"('expiring', 'OWN-1@A', 'due')\""
q --key sam.pem audit --json > sam-own.json
check "  the supplier's audit does not name it (it may not see it)" evalq "! grep -q OWN-1 sam-own.json"

# ---- used after it expired ---------------------------------------------------
ok "the supplier ships lot L-1, whose CoC has expired" \
	q --key sam.pem asn add --po PO-1 --ship-date "$TODAY" --package CTN-1:L-1:5
q audit --json > used.json
check "audit: the certificate was used by the lot after it expired (its shipment)" \
	js used.json '[g["records"] for g in d if g["gap"] == "expired-at-use"]' \
	"[{'certificate': 'COC-1@A', 'expires': '$PAST_COC', 'lot': 'L-1', 'supplier': 'acme', 'used': '$TODAY'}]"
q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 1 > /dev/null
ok "an expired certificate may still be attached (history is kept)" q link COC-1@A --lot L-2
q audit --json > used2.json
check "  and that attachment is a finding too" \
	evalq "python3 -c 'import json; d = json.load(open(\"used2.json\"))
assert [g[\"records\"][\"lot\"] for g in d if g[\"gap\"] == \"expired-at-use\"] == [\"L-1\", \"L-2\"]'"

# ---- renewal and review clear them ------------------------------------------
make_pdf as2.pdf AS9100-2027
ok "the supplier renews AS-1: its next revision, with the new expiry" \
	q --key sam.pem add as2.pdf --doc AS-1 --type process-cert --expires "$(day '+400 days')"
ok "the buyer reviews DWG-1@A: one signed commit, next due in half a year" \
	q review DWG-1@A --next "$(day '+180 days')" --note "checked against ECN log"
check "  the review is its own record, signed by the reviewer" \
	evalq "git -C v show --stat --format=%B main | grep -q 'Qvault-Op: review' &&
	       git -C v show --name-only --format= main | grep -q '^$DD/reviews/.*-tester.json$'"
q diff AS-1@B --json > diff.json
check "diff: the renewal's new expiry" \
	evalq "python3 -c 'import json; d = json.load(open(\"diff.json\"))
assert {\"field\": \"expires\", \"from\": \"$SOON\", \"to\": \"$(day '+400 days')\"} in d[\"changes\"], d'"
q audit --json > after.json
check "audit: AS-1 no longer due, DWG-1's review no longer overdue" \
	evalq "! grep -q '\"AS-1@\\|\"DWG-1@A\"' after.json"
q --key sam.pem inbox --json > sam2.json
check "the supplier's inbox no longer asks to renew AS-1" evalq "! grep -q 'AS-1@' sam2.json"
q inbox --json > buyer2.json
check "the buyer's no longer asks to review DWG-1" evalq "! grep -q review-document buyer2.json"
ok "verify passes over all of it" q verify
if python3 -c 'import jsonschema' 2> /dev/null; then
	git -C v show "main:$(git -C v show --name-only --format= main)" > review.json
	check "the review record matches review.schema.json" python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open("review.json")), json.load(open(sys.argv[1])))' \
		"$TESTS_DIR/../../schemas/review.schema.json"
else
	_skip "no python3-jsonschema"
fi
q audit --json > before-reindex.json
ok "reindex" q reindex
q audit --json > after-reindex.json
check "the index rebuilt from the repository gives the same audit" cmp before-reindex.json after-reindex.json

# ---- bad input: one line, non-zero, the vault unchanged ----------------------
fails 1 "expiry date '2026-02-30' is not a date \(YYYY-MM-DD\)" "a malformed expiry date" \
	q --key sam.pem add coc.pdf --doc COC-9 --type coc --expires 2026-02-30
fails 1 "expiry date 'next-week' is not a date" "an expiry that is no date at all" \
	q --key sam.pem add coc.pdf --doc COC-9 --type coc --expires next-week
fails 1 "expiry date $(day yesterday) is before the record's own date $TODAY" \
	"an expiry before the record's own date" \
	q --key sam.pem add coc.pdf --doc COC-9 --type coc --expires "$(day yesterday)"
fails 1 "a coc has no periodic review \(--review-by is for drawings, models and specs" \
	"a review date on a certificate, which has none" \
	q --key sam.pem add coc.pdf --doc COC-9 --type coc --review-by "$LATER"
fails 1 "review date '2027-1-5' is not a date" "a malformed review date at release" \
	q release DWG-2 --rev A c.pdf --to acme --review-by 2027-1-5
fails 1 "review date $(day yesterday) is before the record's own date" "a review date in the past" \
	q release DWG-2 --rev A c.pdf --to acme --review-by "$(day yesterday)"
fails 1 "COC-1@A is a coc, which has no periodic review" "a review of a certificate" \
	q review COC-1@A --next "$LATER"
fails 1 "the next review date $TODAY is not after the review's own date $TODAY" \
	"a review whose next date is not after today" q review DWG-1@A --next "$TODAY"
fails 1 "next review date '31/12/2027' is not a date" "a review with a malformed date" \
	q review DWG-1@A --next 31/12/2027
fails 1 "may not review documents" "a supplier may not review" \
	q --key sam.pem review DWG-1@A --next "$LATER"
fails 1 "document 'DWG-1' has no revision 'Z'" "a review of a revision that does not exist" \
	q review DWG-1@Z --next "$LATER"
fails 2 "--next is required" "a review without its next date" q review DWG-1@A
fails 2 "--expiry-days needs a number of days up to 3650, not 'soon'" "audit --expiry-days not a number" \
	q audit --expiry-days soon
git -C v config qvault.expiryDays -3
fails 1 "git config qvault.expiryDays must be a number of days from 0 to 3650" \
	"a window in git config out of range" q audit
git -C v config --unset qvault.expiryDays

# ---- import takes them too, each entry checked as add checks it --------------
printf '[{"file": "coc.pdf", "doc": "IMP-1", "type": "coc", "expires": "%s"},
 {"file": "c.pdf", "doc": "IMP-2", "type": "spec", "review_by": "%s"}]\n' "$LATER" "$LATER" > good.json
ok "import: a certificate with its expiry and a spec with its review date, one commit" q import good.json
check "  each recorded with its date" \
	evalq "[ \"\$(q show IMP-1@A --json | jq -r .expires) \$(q show IMP-2@A --json | jq -r .review_by)\" = \"$LATER $LATER\" ]"
printf '[{"file": "coc.pdf", "doc": "IMP-3", "type": "coc", "expires": "%s"},
 {"file": "coc.pdf", "doc": "IMP-4", "type": "coc", "review_by": "%s"}]\n' "$LATER" "$LATER" > bad.json
fails 1 "entry 2: a coc has no periodic review" "import: a review date on a certificate refuses the whole import" \
	q import bad.json

# ---- forged around qvault: verify finds them ---------------------------------
for k in bob sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
STAMP=$(date -u -d "@$T" +%Y%m%dT%H%M%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT KEY ORG OP MESSAGE SPEC...: signed by KEY, authored as its user
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4 fm=$5
	shift 5
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop" "$@"
}
# review_json DOC REV NEXT BY ORG: a review as qvault writes it
review_json() {
	jq -S --indent 2 -n --arg doc "$1" --arg rev "$2" --arg next "$3" --arg by "$4" \
		--arg org "$5" --arg at "$AT" \
		'{record: "review", format: 1, doc: $doc, rev: $rev, next: $next, reviewed_by: $by,
		  org: $org, reviewed_at: $at}'
}
# forge_review VAULT KEY ORG DOC REV NEXT
forge_review() {
	tamper "$1"
	review_json "$4" "$5" "$6" "$2" "$3" > "$1.json"
	forge_as "$1" "$2" "$3" review "review $4@$5" \
		"docs/$(dir_of "$4")/$4/$5/reviews/$STAMP-$2.json=$1.json"
}
forge_review f0 bob owner DWG-1 A "$LATER"
ok "control: a review forged as qvault writes it passes verify" q -C f0 verify
forge_review f1 bob owner COC-1 A "$LATER"
check "a review of a certificate is caught" culprit f1 "COC-1@A is a coc, which has no periodic review"
forge_review f2 bob owner DWG-1 A "$TODAY"
check "a review not pushing the date past its own day is caught" \
	culprit f2 "the next review date $TODAY is not after the review's own date"
forge_review f3 sid acme DWG-1 A "$LATER"
check "a review by a supplier is caught" culprit f3 "sid.*may not review documents"

# revision_json DOC TYPE FILE EXPIRES: the record of DOC@A as qvault writes it, by sid of acme
revision_json() {
	jq -S --indent 2 -n --arg doc "$1" --arg type "$2" --arg sha "$(sha256sum < "$3" | cut -d' ' -f1)" \
		--argjson size "$(stat -c %s "$3")" --arg exp "$4" --arg at "$AT" \
		'{record: "revision", format: 1, doc: $doc, rev: "A", seq: 1, type: $type, parts: [],
		  files: [{name: "c.pdf", sha256: $sha, size: $size, mime: "application/pdf"}],
		  added_by: "sid", org: "acme", added_at: $at, expires: $exp}'
}
# forge_add VAULT DOC TYPE EXPIRES
forge_add() {
	tamper "$1"
	revision_json "$2" "$3" coc.pdf "$4" > "$1.json"
	forge_as "$1" sid acme add "add $2@A

Qvault-Doc: $2
Qvault-Rev: A" "docs/$(dir_of "$2")/$2/A/record.json=$1.json" \
		"docs/$(dir_of "$2")/$2/A/files/c.pdf=coc.pdf"
}
forge_add g0 COC-7 coc "$LATER"
ok "control: a certificate with an expiry forged as qvault writes it passes verify" q -C g0 verify
forge_add g1 COC-7 coc "$(day '2 days ago')"
check "an expiry before the record's own date is caught" \
	culprit g1 "expiry date $(day '2 days ago') is before the record's own date $TODAY"
forge_add g2 COC-7 coc 2027-13-40
check "a malformed expiry date is caught" culprit g2 "expiry date '2027-13-40' is not a date"

done_testing
