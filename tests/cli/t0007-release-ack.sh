#!/bin/sh
# Controlled revisions, distribution, supplier views and signed
# acknowledgments, checked with stock ssh-keygen.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier tom zenith
make_pdf c.pdf "rev C"
make_pdf d.pdf "rev D"
make_pdf e.pdf "rev E"
make_text coc.csv

ok "a buyer releases revision C to acme" \
	q release DWG-1 --rev C c.pdf --to acme --reason "first issue" --effective 2026-12-01
check "  it is released, to acme, with its reason" sh -c '
	q show DWG-1@C > s.txt && grep -q "DWG-1@C  drawing  released" s.txt &&
	grep -q "to acme" s.txt && grep -q "reason   first issue" s.txt && grep -q "effective 2026-12-01" s.txt'
check "acme's supplier has it pending" sh -c 'q --key sam.pem pending | grep -q "^DWG-1@C  *acme"'
ok "acme's supplier acknowledges it" q --key sam.pem ack DWG-1@C
check "  acks shows printed name, organization, time and meaning" \
	sh -c 'q acks DWG-1 | grep -Eq "^DWG-1@C  received  by sam \(acme\)  20[0-9-]+T[0-9:]+Z  key SHA256:"'
check "  and it is no longer pending" sh -c 'q pending --org acme > p.txt && test -z "$(cat p.txt)"'
ok "it may also approve it, with a comment" q --key sam.pem ack DWG-1@C -m approved --comment "checked vs PO"
check "  acks --json lists both" sh -c 'test "$(q acks DWG-1@C --json | grep -c "\"meaning\"")" = 2'
ok "revision D goes to acme and zenith" q release DWG-1 --rev D d.pdf --to acme,zenith --reason "ECN-77: hole 6.0 to 6.2"
check "  C is superseded, D released" sh -c '
	q show DWG-1 > h.txt && grep -q "DWG-1@C  drawing  superseded" h.txt && grep -q "DWG-1@D  drawing  released" h.txt'
check "pending lists D for both, oldest first" \
	sh -c 'q pending > p.txt && test "$(sed 1d p.txt | wc -l)" = 2 && grep -q "^DWG-1@D  *acme" p.txt && grep -q "^DWG-1@D  *zenith" p.txt'
check "pending --json" sh -c 'q pending --json --org zenith | grep -q "\"org\": \"zenith\""'

# what a supplier sees
ok "a supplier adds its own certificate" q --key sam.pem add coc.csv --doc COC-7 --type coc
check "acme sees C, D and its own certificate" \
	sh -c 'q --key sam.pem show DWG-1 | grep -q "2 revisions" && q --key sam.pem list | grep -q "^COC-7"'
check "zenith sees only D" sh -c 'q --key tom.pem show DWG-1 | grep -q "1 revision" && q --key tom.pem list > z.txt && test "$(sed 1d z.txt | wc -l)" = 1'
fails 1 "document 'DWG-1' has no revision 'C'" "zenith cannot read C" q --key tom.pem cat DWG-1@C
fails 1 "no document 'COC-7'" "zenith cannot read acme's certificate" q --key tom.pem cat COC-7
check "cat of a superseded revision warns" \
	sh -c 'q --key sam.pem cat DWG-1@C 2>w.txt | cmp -s - c.pdf && grep -q "warning: .DWG-1@C. is superseded" w.txt'

# refusals
fails 1 "'DWG-1@C' is superseded; the current revision is 'D'" "ack of a superseded revision" \
	q --key sam.pem ack DWG-1@C -m reviewed
fails 1 "document 'DWG-1' has no revision 'Z'" "ack of an unknown revision" q --key sam.pem ack DWG-1@Z
fails 1 "no document 'DWG-404'" "ack of an unknown document" q --key sam.pem ack DWG-404@A
q release DWG-2 --rev A e.pdf --to acme > /dev/null
fails 1 "^qvault: no document 'DWG-2'$" "ack of a revision not distributed to the signer (as if it did not exist)" \
	q --key tom.pem ack DWG-2@A
fails 1 "user 'tester' may not acknowledge revisions \(needs role supplier\)" "ack by a buyer" \
	q ack DWG-1@D
fails 2 "ack: --meaning 'liked' is not one of received, reviewed, approved, rejected" "an unknown meaning (a usage error)" q --key sam.pem ack DWG-1@D -m liked
fails 1 "a rejection needs a reason \(--comment\)" "a rejection without a reason" \
	q --key sam.pem ack DWG-1@D -m rejected
q --key sam.pem ack DWG-1@D > /dev/null
fails 1 "'sam' already received 'DWG-1@D'" "the same acknowledgment twice" q --key sam.pem ack DWG-1@D
fails 1 "document 'DWG-1' already has revision 'D'" "release of a revision that exists" \
	q release DWG-1 --rev D e.pdf --to acme
fails 1 "user 'sam' may not release documents \(needs role buyer\)" "release by a supplier" \
	q --key sam.pem release DWG-1 --rev E e.pdf --to acme
fails 1 "no user belongs to organization 'nobody'" "release to an unknown organization" \
	q release DWG-1 --rev E e.pdf --to nobody
fails 2 "release: --effective '2026-13-45' is not a date" "a bad effective date (a usage error)" \
	q release DWG-1 --rev E e.pdf --to acme --effective 2026-13-45
fails 1 "only drawings, models and specs are released, not a coc" "release of a certificate" \
	q release COC-9 --rev A e.pdf --to acme --type coc
fails 2 "--rev is required" "release without a revision" q release DWG-1 e.pdf --to acme
fails 2 "--reason is required" "obsolete without a reason" q obsolete DWG-1@D
fails 1 "user 'sam' may not make documents obsolete" "obsolete by a supplier" \
	q --key sam.pem obsolete DWG-1@D --reason no

# nobody acknowledges its own release: nobody is both a buyer and a supplier
# (a history that has one acknowledge its own release is a finding of
# verify: t0020)
q key generate -o both.pem -c both | head -n 1 > both.pub
fails 1 "user 'both' may not be a supplier and hold a role of the vault owner's side too" \
	"nobody is both a buyer and a supplier" \
	q --key admin.pem user add both --org acme --role buyer,supplier --pubkey both.pub

ok "the buyer makes D obsolete" sh -c '
	q obsolete DWG-1@D --reason "part withdrawn" > o.txt && grep -qx "made DWG-1@D obsolete: part withdrawn" o.txt'
check "  D is obsolete, with its reason; nothing is deleted" sh -c '
	q show DWG-1 > o.txt && grep -q "DWG-1@D  drawing  obsolete" o.txt &&
	grep -q "obsolete .* by tester: part withdrawn" o.txt && grep -q "DWG-1@C" o.txt'
fails 1 "'DWG-1@D' is obsolete" "ack of an obsolete revision" q --key tom.pem ack DWG-1@D
fails 1 "'DWG-1@D' is already obsolete" "obsolete twice" \
	q obsolete DWG-1@D --reason again

# the statements, checked by ssh-keygen without qvault
ok "ack export" q ack export DWG-1@C -o exp
check "  writes each statement, its signature and allowed_signers" \
	sh -c 'test -s exp/sam-received.json && test -s exp/sam-received.json.sig && test -s exp/allowed_signers'
check "  the statement is an in-toto Statement naming the file's SHA-256" sh -c '
	grep -q "\"_type\": \"https://in-toto.io/Statement/v1\"" exp/sam-received.json &&
	grep -q "$(sha256sum < c.pdf | cut -c1-64)" exp/sam-received.json'
for s in sam-received sam-approved; do
	check "ssh-keygen -Y verify accepts $s" sh -c \
		"ssh-keygen -Y verify -f exp/allowed_signers -I sam@acme -n qvault-ack -s exp/$s.json.sig < exp/$s.json"
done
check "  and refuses a statement edited after signing" sh -c '
	sed "s/received/approved/" exp/sam-received.json > edited.json &&
	! ssh-keygen -Y verify -f exp/allowed_signers -I sam@acme -n qvault-ack -s exp/sam-received.json.sig < edited.json'
fails 1 "'exp' already exists" "ack export into an existing folder" q ack export DWG-1@C -o exp
fails 1 "'DWG-2@A' has no acknowledgments" "ack export of nothing" q ack export DWG-2@A -o none

# the index is rebuilt with all of it, and upgraded in place from version 1
q list --json > ref.json
q acks DWG-1 --json > ref-acks.json
ok "reindex" q reindex
check "  same documents and states" sh -c 'q list --json | cmp -s - ref.json'
check "  same acknowledgments" sh -c 'q acks DWG-1 --json | cmp -s - ref-acks.json'
sqlite3 v/qvault/index.db "DROP TABLE acks; DROP TABLE releases; DROP TABLE distribution;
	DROP TABLE obsoletes; DROP TABLE pos; DROP TABLE po_lines; DROP TABLE lots; DROP TABLE lot_inputs; DROP TABLE links;
	DROP TABLE certs; DROP TABLE fais; DROP TABLE po_acks; DROP TABLE po_status; DROP TABLE asns;
	DROP TABLE asn_items; DROP TABLE receipts; DROP TABLE receipt_items; DROP TABLE ncrs;
	DROP TABLE ncr_docs; DROP TABLE ncr_closes; DROP TABLE tokens; DROP TABLE po_changes; DROP TABLE fai_dispositions; DROP TABLE withdrawals;
	DROP TABLE audit_waivers; DROP TABLE subtier_lots; DROP TABLE subtier_inputs;
	DROP TABLE forecasts; DROP TABLE forecast_buckets; DROP TABLE forecast_acks; DROP TABLE forecast_ack_buckets;
	DROP TABLE po_releases; DROP TABLE release_acks; DROP TABLE reviews; DROP TABLE timestamps; DROP TABLE users; DROP TABLE attestations;
	DROP INDEX revisions_expires; DROP INDEX IF EXISTS releases_marking; DROP INDEX revisions_review_by;
	ALTER TABLE revisions DROP COLUMN expires; ALTER TABLE revisions DROP COLUMN review_by;
	ALTER TABLE revisions DROP COLUMN org; ALTER TABLE files DROP COLUMN findings; PRAGMA user_version = 1;"
check "an index of version 1 is upgraded in place" sh -c '
	q list --json | cmp -s - ref.json && q acks DWG-1 --json | cmp -s - ref-acks.json &&
	test "$(sqlite3 v/qvault/index.db "PRAGMA user_version")" = 18'
check "git fsck --strict is clean" git -C v fsck --strict

done_testing
