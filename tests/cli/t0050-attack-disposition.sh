#!/bin/sh
# Attacks on FAI dispositions (fai accept/reject), withdrawals (withdraw)
# and what follows from them (inbox, scorecard, audit): a hostile
# supplier and a buyer through the CLI, and a peer site forging with
# stock git and ssh-keygen.  Each test states what should happen; every
# one of them failed when it was written (the findings of an attack pass).
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
for k in bob sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
make_pdf c.pdf C
make_pdf coc.pdf COC
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
fai_pkg FAIR-1 6.05
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
fai_pkg FAIR-2 6.05
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
fai_pkg FAIR-3 6.05
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
q fai accept FAIR-1@A > /dev/null
# first_pass ORG: the scorecard's first-pass yield of ORG, "passed of"
first_pass() {
	q scorecard --org "$1" --json | python3 -c 'import json,sys; d=json.load(sys.stdin)
s=[s for s in d["suppliers"] if s["org"] == sys.argv[1]][0]["fai_first_pass"]; print(s["passed"], s["of"])' "$1"
}

tamper() { rm -rf "$1"; cp -a v "$1"; }

# ==== a hostile supplier and the buying side, through the CLI ===============
# (each attempt in a copy of v: one that succeeds changes nothing after it)
# An accepted FAI report is the buying side's signed decision; the supplier
# withdrawing it afterwards leaves the acceptance standing (the scorecard
# still counts it as passed first time) on a report that "counts for
# nothing any more".
tamper w1
V=w1
fails 1 "FAIR-1@A has a disposition: an FAI report decided on is not withdrawn" "a supplier may not withdraw an FAI report the buying side accepted" \
	q -C w1 --key sam.pem withdraw FAIR-1@A --reason "changed my mind"
V=v

# A withdrawn report counts for nothing: the buying side must not accept it
# (it leaves the inbox, but fai accept still takes it, and verify agrees).
q --key sam.pem withdraw FAIR-2@A --reason "wrong serial" > /dev/null
V=v
tamper w2
V=w2
fails 1 "FAIR-2@A (is|was) withdrawn" "fai accept of a withdrawn FAI report is refused" \
	q -C w2 fai accept FAIR-2@A
tamper w3
V=w3
fails 1 "FAIR-2@A (is|was) withdrawn" "  (and fai reject)" q -C w3 fai reject FAIR-2@A --reason x
V=v

# A withdrawn certificate closes no audit gap: audit says so, the
# scorecard's certificate gaps should too.
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key sam.pem link COC-1@A --lot L-1 > /dev/null
q --key sam.pem withdraw COC-1@A --reason "wrong lot" > /dev/null
check "(audit: the lot's CoC gap is open again)" evalq "q audit | grep -q '^no-coc .*lot L-1'"
check "the scorecard counts the lot whose only CoC was withdrawn as a no-coc gap, as audit does" \
	evalq "q scorecard --org acme --json | python3 -c 'import json,sys; d=json.load(sys.stdin)
assert [s for s in d[\"suppliers\"] if s[\"org\"] == \"acme\"][0][\"certificate_gaps\"][\"no_coc\"] == 1, d'"

# ==== a peer site forging with stock git =======================================
now() {
	T=$(date -u +%s)
	AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
	export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
}
now
dir_of() { git -C v ls-tree -r --name-only main | grep "/$1/$2/record.json\$" | sed 's|/record.json$||'; }
# forge_as VAULT KEY ORG OP SPEC...: signed by KEY, authored as its user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fo=$3 fop=$4
	shift 4
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "forged $fop

Qvault-Op: $fop" "$@"
}
# disp_json DOC [JQ]: bob's acceptance of DOC@A, edited by JQ
disp_json() {
	jq -S --indent 2 -n --arg d "$1" --arg at "$AT" \
		'{record: "fai-disposition", format: 1, doc: $d, rev: "A", decision: "accepted",
		  decided_by: "bob", org: "owner", decided_at: $at}' | jq -S --indent 2 "${2:-.}"
}
F2=$(dir_of FAIR-2 A)
F3=$(dir_of FAIR-3 A)

tamper f0
disp_json FAIR-3 > x0.json
forge_as f0 bob owner fai-disposition "$F3/disposition.json=x0.json"
ok "control: a disposition forged as qvault writes it passes verify" q -C f0 verify

tamper f1
disp_json FAIR-2 > x1.json
forge_as f1 bob owner fai-disposition "$F2/disposition.json=x1.json"
check "a disposition of a withdrawn FAI report is caught" culprit f1 "FAIR-2@A.*withdrawn"

# the write path refuses control characters and a reason or note over
# 4096 bytes; verify checks a withdrawal's reason, not a disposition's
tamper f2
disp_json FAIR-3 '.decision = "rejected" | .reason = "bad\u001b[2J\u001b]0;pwned\u0007"' > x2.json
forge_as f2 bob owner fai-disposition "$F3/disposition.json=x2.json"
check "a rejection whose reason holds terminal escapes is caught" culprit f2 "reason|malformed"
check "  and the supplier's inbox does not print its escapes raw to the terminal" \
	evalq "! q -C f2 --key sam.pem inbox | grep -q \"\$(printf '\\033')\""
tamper f3
disp_json FAIR-3 ".note = \"$(head -c 5000 /dev/zero | tr '\0' n)\"" > x3.json
forge_as f3 bob owner fai-disposition "$F3/disposition.json=x3.json"
check "a disposition whose note is over 4096 bytes (the write path's limit) is caught" \
	culprit f3 "note|malformed"
tamper f4
disp_json FAIR-3 '.reason = ""' > x4.json
forge_as f4 bob owner fai-disposition "$F3/disposition.json=x4.json"
check "an acceptance carrying a reason (empty; the write path never writes one) is caught" \
	culprit f4 "malformed|reason"

# a draft withdrawn by the buying side, then released with stock git: the
# withdrawal check refuses a released revision, the release check never
# asks whether the revision was withdrawn
make_pdf d.pdf D
q add d.pdf --doc DWG-2 --type drawing > /dev/null
q withdraw DWG-2@A --reason "bad draft" > /dev/null
now
tamper f5
D2=$(dir_of DWG-2 A)
git -C v show "main:$(dir_of DWG-1 C)/release.json" | jq -S --indent 2 --arg at "$AT" \
	'.doc = "DWG-2" | .rev = "A" | .released_by = "bob" | .released_at = $at | .to = ["acme"]' > x5.json
forge_as f5 bob owner release "$D2/release.json=x5.json"
check "a release of a withdrawn revision is caught" culprit f5 "DWG-2@A.*withdrawn"

done_testing
