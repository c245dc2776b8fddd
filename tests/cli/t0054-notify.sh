#!/bin/sh
# Notifications: users' e-mail addresses (user add --email, user set
# --email), one RFC 5322 message (.eml) in the outbox per recipient and
# action a write puts in an inbox, no header a name, reason or address
# could inject, and the post-notify sample handing them to sendmail.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
q key generate -o sam.pem -c sam | head -n 1 > sam.pub
q key generate -o zed.pem -c zed | head -n 1 > zed.pub
q key generate -o bea.pem -c bea | head -n 1 > bea.pub
q key generate -o rex.pem -c rex | head -n 1 > rex.pub
OUT=v/outbox
# count: the .eml files in the outbox; eml_to ADDR ACTION: how many to ADDR for ACTION
count() { ls "$OUT"/*.eml 2> /dev/null | wc -l; }
eml_to() { grep -l "^To: .*<$1>" "$OUT"/*.eml 2> /dev/null | xargs -r grep -l "^X-Qvault-Action: $2" | wc -l; }

# ---- addresses ---------------------------------------------------------------------
ok "user add --email" q --key "$TMP/admin.pem" user add sam --org acme --role supplier \
	--pubkey sam.pub --email sam@acme.example
ok "  and without" q --key "$TMP/admin.pem" user add zed --org bolt --role supplier --pubkey zed.pub
q --key "$TMP/admin.pem" user add bea --org owner --role buyer --pubkey bea.pub \
	--email "bea.buyer+qv@owner.example" > /dev/null
q --key "$TMP/admin.pem" user add rex --org acme --role supplier --pubkey rex.pub \
	--email rex@acme.example > /dev/null
ok "user set NAME --email: one signed admin commit" q --key "$TMP/admin.pem" user set zed --email zed@bolt.example
check "  it adds users/zed/email/000001.json, op user-set, readable by stock git" evalq '
	git -C v log -1 --format=%B main | grep -q "^Qvault-Op: user-set$" &&
	test "$(git -C v diff-tree -r --name-only --no-commit-id main)" = users/zed/email/000001.json &&
	git -C v show main:users/zed/email/000001.json | grep -q "\"email\": \"zed@bolt.example\""'
if have_jsonschema; then
	check "  the record matches schemas/user-email.schema.json" evalq '
	git -C v show main:users/zed/email/000001.json > rec.json && python3 -c "import json,sys,jsonschema
jsonschema.validate(json.load(open(\"rec.json\")), json.load(open(sys.argv[1])))" \
		"$TESTS_DIR/../../schemas/user-email.schema.json"'
else
	_skip "python3 jsonschema is not installed"
fi
check "  user list --json shows it" evalq \
	"q user list --json | python3 -c 'import json,sys; u={x[\"name\"]: x.get(\"email\") for x in json.load(sys.stdin)}
assert u[\"zed\"] == \"zed@bolt.example\" and u[\"sam\"] == \"sam@acme.example\" and u[\"tester\"] is None, u'"
for bad in "zed" "zed@" "@bolt.example" "zed@bolt" "zed@@bolt.example" "zed bolt@x.example" \
	"zed@-bolt.example" "zed@bolt..example" ".zed@bolt.example" "z\"d@bolt.example"; do
	fails 1 "is not an e-mail address$" "an e-mail address that is not one: '$bad'" \
		q --key "$TMP/admin.pem" user set zed --email "$bad"
done
fails 1 "^qvault: 'zed@bolt.example\?\?Bcc: x@evil.example' is not an e-mail address$" \
	"an address with CR LF and a header after it, on one line" \
	q --key "$TMP/admin.pem" user set zed --email "$(printf 'zed@bolt.example\r\nBcc: x@evil.example')"
fails 1 "^qvault: 'x y' is not an e-mail address$" "  also on user add" \
	q --key "$TMP/admin.pem" user add ann --org acme --role supplier --pubkey "$(cat sam.pub)" --email "x y"
fails 1 "^qvault: user 'sam' may not set users' e-mail addresses \(needs role admin\)$" \
	"a supplier sets no address" q --key sam.pem user set sam --email sam@other.example
fails 1 "^qvault: user 'zed' has that e-mail address already$" "the same address again" \
	q --key "$TMP/admin.pem" user set zed --email zed@bolt.example
fails 1 "^qvault: no user 'nobody'$" "an address for no user" \
	q --key "$TMP/admin.pem" user set nobody --email n@x.example
check "no action yet, no message" evalq 'test "$(count)" = 0'

# ---- every event that puts an action in an inbox --------------------------------
make_pdf c.pdf C
ok "a revision released to acme" q release DWG-1 --rev C c.pdf --to acme --reason "first issue"
check "  one message to each of acme's users with an address, none to bolt's" evalq '
	test "$(eml_to sam@acme.example acknowledge-revision)" = 1 &&
	test "$(eml_to rex@acme.example acknowledge-revision)" = 1 && test "$(count)" = 2'
ok "a PO to acme" q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C
check "  answer-po to sam and rex" evalq 'test "$(eml_to sam@acme.example answer-po)" = 1 &&
	test "$(eml_to rex@acme.example answer-po)" = 1 && test "$(count)" = 4'
q --key sam.pem ack DWG-1@C > /dev/null
q --key sam.pem po ack PO-1 --promise 2027-01-10 > /dev/null
check "writes that answer actions mail nothing" evalq 'test "$(count)" = 4'
ok "a change order to acknowledge" q po change PO-1 --line 1 --qty 12 --reason "more"
check "  a new answer-po (change order 1) to sam" evalq 'test "$(eml_to sam@acme.example answer-po)" = 2 &&
	grep -l "X-Qvault-Action: answer-po" $OUT/*.eml | xargs grep -l "change order 1: more" | grep -q .'
q --key sam.pem po ack PO-1 --promise 2027-01-10 --revision 1 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
fai_pkg FAIR-1 6.05
ok "an FAI to disposition" q --key sam.pem fai add fai.zip --lot L-1
check "  disposition-fai to the buyer" evalq 'test "$(eml_to bea.buyer+qv@owner.example disposition-fai)" = 1'
ok "an FAI rejected" q fai reject FAIR-1@A --reason "$(printf 'hole \303\230 6.2 out of tolerance')"
check "  resubmit-fai to sam and rex, with the reason, in UTF-8" evalq '
	test "$(eml_to sam@acme.example resubmit-fai)" = 1 && test "$(eml_to rex@acme.example resubmit-fai)" = 1 &&
	grep -l "X-Qvault-Action: resubmit-fai" $OUT/*.eml | xargs grep -l "$(printf "hole \303\230 6.2")" | grep -q .'
ok "an NCR to answer" q ncr add --lot L-1 --reason "dented" --disposition scrap
check "  answer-ncr to sam" evalq 'test "$(eml_to sam@acme.example answer-ncr)" = 1'
mails=$(count)
q --key sam.pem add c.pdf --doc X-1 --type other > /dev/null 2>&1
check "a write that adds no action mails nothing again" evalq "test \"\$(count)\" = $mails"
ok "a revoked user gets nothing more" q --key "$TMP/admin.pem" user revoke rex
make_pdf d.pdf D
q release DWG-1 --rev D d.pdf --to acme --reason "ECN 2" > /dev/null
check "  (sam gets the new revision, rex not)" evalq '
	test "$(eml_to sam@acme.example acknowledge-revision)" = 2 && test "$(eml_to rex@acme.example acknowledge-revision)" = 1'

# ---- as a real mail parser reads them -------------------------------------------
check "every message parses: From, To, Date, Message-ID, Subject, a plain text body naming the command" \
	python3 -c '
import email, email.policy, email.utils, glob, sys
files = glob.glob("v/outbox/*.eml")
assert files
ids = set()
for f in files:
    raw = open(f, "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert not m.defects, (f, m.defects)
    keys = [k.lower() for k in m.keys()]
    assert sorted(keys) == sorted(["from", "to", "date", "message-id", "subject", "mime-version",
        "content-type", "content-transfer-encoding", "auto-submitted", "x-qvault-action",
        "x-qvault-commit"]), (f, keys)
    assert len(m.get_all("to")) == 1 and len(m["to"].addresses) == 1, f
    assert email.utils.parsedate_to_datetime(m["date"]) is not None
    assert m["message-id"].startswith("<") and m["message-id"] not in ids; ids.add(m["message-id"])
    assert m["subject"].startswith("[qvault] "), m["subject"]
    assert m.get_content_type() == "text/plain"
    body = m.get_content()
    assert "Do it with:" in body and "qvault " in body and "/api/v1/inbox" in body, body
    for line in raw.split(b"\r\n"):
        assert len(line) <= 998
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b""), f
'
check "  the acknowledgment names the command: qvault ack DWG-1@C" evalq \
	"grep -l 'X-Qvault-Action: acknowledge-revision' $OUT/*.eml | xargs grep -l '^  qvault ack DWG-1@C' | grep -q ."
check "the outbox is not in the vault's history" evalq \
	"! git -C v log --all --name-only --format= | grep -q outbox && q verify > /dev/null"

# ---- header injection: nothing a user writes becomes a header --------------------
fails 1 "^qvault: reason is not UTF-8 text without control characters$" \
	"a reason with CR LF and a header is refused" \
	q po change PO-1 --line 1 --qty 11 --reason "$(printf 'x\r\nBcc: evil@x.example')"
fails 1 "^qvault: title is not UTF-8 text without control characters$" \
	"a title with CR LF and a header is refused" \
	q release DWG-2 --rev A c.pdf --to acme --title "$(printf 'x\r\nBcc: evil@x.example')" --reason r
fails 1 "user name" "a user name with CR LF and a header is refused" \
	q --key "$TMP/admin.pem" user add "$(printf 'eve\r\nBcc: evil@x.example')" --org acme --role supplier \
	--pubkey "$(cat zed.pub)" --email eve@acme.example
check "no message carries a Bcc, or an address of the attacker" evalq \
	"! grep -rqi 'evil@x.example' $OUT"

# ---- the post-notify sample hands them to sendmail --------------------------------
ok "hooks install post-notify" q hooks install post-notify
printf '#!/bin/sh\n[ "$1" = -t ] || exit 9\ncat >> "%s/sent-mail.log"\necho "--" >> "%s/sent-mail.log"\n' "$TMP" "$TMP" > fake-sendmail
chmod +x fake-sendmail
left=$(count)
q po add PO-2 --supplier acme --line PN-1:3:DWG-1@D > /dev/null
check "  without qvault.sendmail the messages stay in the outbox" evalq \
	"test \"\$(count)\" = $((left + 1)) && test ! -e sent-mail.log"
git -C v config qvault.sendmail "$TMP/fake-sendmail -t -i"
q po add PO-3 --supplier acme --line PN-1:3:DWG-1@D > /dev/null
check "  with it, every message goes to sendmail and moves to sent/" evalq \
	"test \"\$(count)\" = 0 && test \"\$(ls $OUT/sent/*.eml | wc -l)\" = $((left + 2)) &&
	test \"\$(grep -c '^X-Qvault-Commit: ' sent-mail.log)\" = $((left + 2))"
git -C v config qvault.sendmail "false"
q po add PO-4 --supplier acme --line PN-1:3:DWG-1@D > v.err 2>&1
check "  a sendmail that fails: a warning, the write recorded, the message kept" evalq \
	"grep -q 'post-notify' v.err && test \"\$(count)\" = 1 && q trace po PO-4 > /dev/null"

done_testing
