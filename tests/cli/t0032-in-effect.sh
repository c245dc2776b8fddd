#!/bin/sh
# Supersession is per organization: a revision is superseded for a
# supplier's organization when a later revision was released to that
# organization, and outright (the buyer's, quality's, an auditor's view)
# when a later revision was released to anyone.  A supplier therefore
# learns nothing of a newer revision released only to others, and can
# acknowledge, cat, trace and export the revision in effect for it; the
# write path and verify judge an acknowledgment by the same rule.
. "$(dirname "$0")/lib.sh"

# the buyer (the tester key) of its own organization, hq: a revision it
# adds is no supplier's own
mkdir m && cd m || exit 1
q init v --key "$TMP/admin.pem" > /dev/null
q -C v --key "$TMP/admin.pem" user add tester --org hq --role buyer,quality \
	--pubkey "$TMP/tester.pub" > /dev/null
V=v
export QVAULT_DIR=v
add_supplier sam acme
add_supplier bob beta
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
q --key "$TMP/admin.pem" user add aud --org audit-co --role auditor --pubkey aud.pub > /dev/null
make_pdf a.pdf "DWG-D rev A"
make_pdf b.pdf "DWG-D rev B"
make_pdf ea.pdf "DWG-E rev A"
make_pdf eb.pdf "DWG-E rev B"
make_pdf xa.pdf "DWG-X rev A"
make_pdf xb.pdf "DWG-X rev B"
# DWG-D: A to acme, then B to beta only
q release DWG-D --rev A a.pdf --to acme > /dev/null
q release DWG-D --rev B b.pdf --to beta > /dev/null
# DWG-E: A to acme and beta, then B to beta only
q release DWG-E --rev A ea.pdf --to acme,beta > /dev/null
q release DWG-E --rev B eb.pdf --to beta > /dev/null
# DWG-X: A to beta only, then B to acme
q release DWG-X --rev A xa.pdf --to beta > /dev/null
q release DWG-X --rev B xb.pdf --to acme > /dev/null
q po add PO-D --supplier acme --line PN-1:10:DWG-D@A > /dev/null
TODAY=$(date -u +%Y-%m-%d)
q --key sam.pem lot add L-1 --po PO-D --part PN-1 --qty 5 --made "$TODAY" > /dev/null
check "setup: every record is in the vault" sh -c 'q trace lot L-1 | grep -q "PO-D"'

S="q --key sam.pem"
B="q --key bob.pem"
export S B

# ---- the supplier whose revision was superseded for others only ----------------
check "show DWG-D (acme): one revision, A, released, nothing of B" sh -c '
	$S show DWG-D > s.txt && grep -q "^DWG-D  drawing  1 revision$" s.txt &&
	grep -q "^DWG-D@A  drawing  released$" s.txt && ! grep -q "DWG-D@B" s.txt'
check "show DWG-D@A (acme): released" sh -c '$S show DWG-D@A | grep -q "^DWG-D@A  drawing  released$"'
check "list (acme): DWG-D at A, released" sh -c '
	$S list > l.txt && grep -Eq "^DWG-D +A +drawing +released" l.txt'
check "cat DWG-D (acme): A, with no warning" sh -c '
	$S cat DWG-D 2>w.txt | cmp -s - a.pdf && test ! -s w.txt'
check "pending (acme): DWG-D@A" sh -c '$S pending | grep -q "^DWG-D@A  *acme"'
check "pending (the buyer): DWG-D@A for acme, DWG-D@B for beta" sh -c '
	q pending > p.txt && grep -q "^DWG-D@A  *acme" p.txt && grep -q "^DWG-D@B  *beta" p.txt'
check "ack-statement DWG-D@A through the shell (acme): the statement" sh -c '
	SSH_ORIGINAL_COMMAND="ack-statement DWG-D@A" q shell --user sam > st.json &&
	jq -e ".predicate.document == \"DWG-D\" and .predicate.revision == \"A\"" st.json > /dev/null'
ok "ack DWG-D@A (acme)" $S ack DWG-D@A
check "  it is recorded, and no longer pending" sh -c '
	q acks DWG-D@A | grep -q "by sam (acme)" && ! $S pending | grep -q "DWG-D@A"'
ok "verify passes with it" q verify
check "audit (acme): no stale-po-line for PO-D's DWG-D@A" sh -c '
	$S audit > a.txt; ! grep -q "^stale-po-line" a.txt'
check "  nor in the buyer's audit (A is in effect for acme)" sh -c '
	q audit > a.txt; ! grep -q "^stale-po-line" a.txt'
check "trace lot L-1 (acme): in effect when made DWG-D@A, nothing of B" sh -c '
	$S trace lot L-1 > t.txt && grep -q "in effect when made: DWG-D@A$" t.txt && ! grep -q "DWG-D@B" t.txt'
check "  the buyer's trace: the same, A (the lot is of acme)" sh -c '
	q trace lot L-1 | grep -q "in effect when made: DWG-D@A$"'
check "export --lot L-1 (acme): DWG-D@A and its acknowledgment, nothing of B" sh -c '
	$S export --lot L-1 -o l1.zip > /dev/null && unzip -Z1 l1.zip > z.txt &&
	grep -q "^documents/DWG-D@A/a.pdf$" z.txt && grep -q "^acks/DWG-D@A/sam-received.json$" z.txt &&
	! grep -q "DWG-D@B" z.txt'

# ---- seq: no number that counts hidden revisions --------------------------------
check "show --json DWG-X (acme): one revision, B, and no seq" sh -c '
	$S show --json DWG-X > x.json &&
	jq -e "(.revisions | length) == 1 and .revisions[0].rev == \"B\"" x.json > /dev/null &&
	jq -e "[.. | objects | select(has(\"seq\"))] | length == 0" x.json > /dev/null'
check "  show --json DWG-X@B and list --json (acme): no seq either" sh -c '
	$S show --json DWG-X@B | jq -e "has(\"seq\") | not" > /dev/null &&
	$S list --json | jq -e "[.. | objects | select(has(\"seq\"))] | length == 0" > /dev/null'
check "  the buyer's: B is seq 2" sh -c 'q show --json DWG-X@B | jq -e ".seq == 2" > /dev/null'

# ---- the buyer's and the auditor's view: superseded by a release to anyone -------
check "show DWG-D (the buyer): A superseded, B released" sh -c '
	q show DWG-D > h.txt && grep -q "^DWG-D@A  drawing  superseded$" h.txt &&
	grep -q "^DWG-D@B  drawing  released$" h.txt'
check "  the auditor's: the same" sh -c '
	q --key aud.pem show DWG-D > h.txt && grep -q "^DWG-D@A  drawing  superseded$" h.txt'
check "  list (the buyer): DWG-D at B" sh -c 'q list | grep -Eq "^DWG-D +B +drawing +released"'
check "  cat DWG-D@A (the buyer) warns that it is superseded" sh -c '
	q cat DWG-D@A 2>w.txt | cmp -s - a.pdf && grep -q "warning: .DWG-D@A. is superseded" w.txt'

# ---- beta: B is in effect for it ------------------------------------------------
check "show DWG-D (beta): B released, nothing of A" sh -c '
	$B show DWG-D > s.txt && grep -q "^DWG-D  drawing  1 revision$" s.txt &&
	grep -q "^DWG-D@B  drawing  released$" s.txt && ! grep -q "DWG-D@A" s.txt'
check "show DWG-E (beta): A superseded (B went to beta), B released" sh -c '
	$B show DWG-E > s.txt && grep -q "^DWG-E@A  drawing  superseded$" s.txt &&
	grep -q "^DWG-E@B  drawing  released$" s.txt'
check "pending (beta): DWG-D@B and DWG-E@B, not DWG-E@A" sh -c '
	$B pending > p.txt && grep -q "^DWG-D@B  *beta" p.txt && grep -q "^DWG-E@B  *beta" p.txt &&
	! grep -q "DWG-E@A" p.txt'
fails 1 "^qvault: 'DWG-E@A' is superseded; the current revision is 'B'$" \
	"ack DWG-E@A (beta): superseded for beta" $B ack DWG-E@A
check "cat DWG-E@A (beta) warns" sh -c '$B cat DWG-E@A 2>w.txt > /dev/null && grep -q "is superseded" w.txt'
check "show DWG-E@A (acme): released (B went to beta only)" sh -c '
	$S show DWG-E@A | grep -q "^DWG-E@A  drawing  released$"'
ok "ack DWG-E@A (acme)" $S ack DWG-E@A
ok "ack DWG-E@B (beta)" $B ack DWG-E@B
q release DWG-D --rev C a.pdf --to acme > /dev/null
fails 1 "^qvault: 'DWG-D@A' is superseded; the current revision is 'C'$" \
	"once C goes to acme, A is superseded for acme" $S ack DWG-D@A -m approved
check "  and DWG-D@A is a stale-po-line in acme's audit" sh -c '
	$S audit > a.txt; grep -q "^stale-po-line .*po PO-D .*revision DWG-D@A" a.txt'
check "  show DWG-D (acme): A superseded, C released, nothing of B" sh -c '
	$S show DWG-D > s.txt && grep -q "^DWG-D@A  drawing  superseded$" s.txt &&
	grep -q "^DWG-D@C  drawing  released$" s.txt && ! grep -q "DWG-D@B" s.txt'
ok "verify passes" q verify
cd "$TMP" || exit 1
unset QVAULT_DIR

# ---- verify: the same rule over history, for acknowledgments made around qvault ----
. "$TESTS_DIR/forged-base.sh"
make_pdf d.pdf "DWG-1 rev D"
# DWG-1@C went to acme; D goes to beta only: C stays in effect for acme
tamper f1
q -C f1 release DWG-1 --rev D d.pdf --to beta > /dev/null
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
forge_ack f1 sid DWG-1 C received
ok "a forged ack of a revision superseded for others only passes verify" q -C f1 verify
# D goes to acme: C is superseded for acme
tamper f2
q -C f2 release DWG-1 --rev D d.pdf --to acme > /dev/null
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
forge_ack f2 sid DWG-1 C received
check "a forged ack of a revision superseded for the signer's organization is caught" \
	culprit f2 "acknowledges 'DWG-1@C', superseded by 'DWG-1@D' for 'acme'"

done_testing
