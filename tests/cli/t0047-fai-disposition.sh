#!/bin/sh
# FAI dispositions: fai accept, fai reject.  The buying side decides on
# each FAI report revision once, in a signed record; a rejection carries
# its reason, and the supplier answers it with the report's next revision.
# The inboxes follow, and the scorecard's first-pass yield counts the
# first revisions accepted.  verify checks each disposition.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
for k in bob sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
fai_pkg FAIR-1 6.25 NC-1
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null

# js FILE EXPR VALUE...: each Python expression EXPR of the JSON in FILE (d) is its VALUE
js() {
	f=$1; shift
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for e, want in zip(sys.argv[2::2], sys.argv[3::2]):
    v = str(eval(e))
    if v != want: sys.exit("%s is %r, not %r" % (e, v, want))' "$f" "$@"
}
fais() { python3 -c 'import json,sys; print([(i["action"], i["subject"], i.get("detail")) for i in json.load(open(sys.argv[1])) if "fai" in i["action"]])' "$1"; }

q inbox --json > b0.json
check "a report waiting for its disposition is in the buying side's inbox" \
	evalq "[ \"\$(fais b0.json)\" = \"[('disposition-fai', 'FAIR-1@A', 'PN-1 to DWG-1@C; 1 nonconforming')]\" ]"

# ---- refused: one line, the exit code, nothing written
refuse() { # STATUS PATTERN DESC CMD...
	rs=$1 rp=$2 rd=$3; shift 3
	before=$(snapshot)
	fails "$rs" "$rp" "$rd" "$@"
	check "  (nothing written)" test "$before" = "$(snapshot)"
}
refuse 1 "may not disposition FAI reports|needs role" "a supplier may not disposition its own FAI" \
	q --key sam.pem fai accept FAIR-1@A
refuse 2 "--reason is required" "a rejection without a reason: a usage error" q fai reject FAIR-1@A
refuse 2 "'FAIR-1' is not FAIR@REV" "a report without its revision" q fai accept FAIR-1
refuse 1 "DWG-1@C is no FAI report" "a drawing is no FAI report" q fai accept DWG-1@C
refuse 1 "FAIR-1@Z is no FAI report" "a revision that does not exist" q fai accept FAIR-1@Z

# ---- rejected, resubmitted, accepted
ok "fai reject: the report rejected with its reason" \
	q fai reject FAIR-1@A --reason "characteristic 1 out of tolerance"
FAIR_DISP=$(git -C v ls-tree -r --name-only main | grep '/FAIR-1/A/disposition.json$')
check "  one signed commit, fai-disposition, the record readable by stock git" \
	evalq "git -C v log -1 --format=%B | grep -qx 'Qvault-Op: fai-disposition' &&
	       git -C v show 'main:$FAIR_DISP' > d.json &&
	       js d.json 'd[\"decision\"]' rejected 'd[\"reason\"]' 'characteristic 1 out of tolerance' \
	          'd[\"decided_by\"]' tester 'd[\"doc\"]' FAIR-1 'd[\"rev\"]' A"
refuse 1 "FAIR-1@A was rejected already" "a second disposition of the same revision" \
	q fai accept FAIR-1@A
q --key sam.pem inbox --json > s1.json
check "the supplier's inbox: the rejected report to resubmit, with the reason" \
	evalq "[ \"\$(fais s1.json)\" = \"[('resubmit-fai', 'FAIR-1@A', 'characteristic 1 out of tolerance')]\" ]"
check "  and it has left the buying side's" evalq "q inbox --json > b1.json && [ \"\$(fais b1.json)\" = '[]' ]"
fai_pkg FAIR-1 6.05
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
check "resubmitted as revision B: waiting for its disposition, no longer to resubmit" \
	evalq "q inbox --json > b2.json && [ \"\$(fais b2.json)\" = \"[('disposition-fai', 'FAIR-1@B', 'PN-1 to DWG-1@C')]\" ] &&
	       q --key sam.pem inbox --json > s2.json && [ \"\$(fais s2.json)\" = '[]' ]"
ok "fai accept: revision B accepted" q fai accept FAIR-1@B --note "thank you"
check "  nothing left in either inbox" \
	evalq "q inbox --json > b3.json && [ \"\$(fais b3.json)\" = '[]' ] &&
	       q --key sam.pem inbox --json > s3.json && [ \"\$(fais s3.json)\" = '[]' ]"
check "the scorecard's first-pass yield: the first revision was rejected, 0 of 1" \
	evalq "q scorecard --org acme --json > sc.json &&
	       js sc.json '[s[\"fai_first_pass\"] for s in (d if isinstance(d, list) else d[\"suppliers\"]) if s[\"org\"] == \"acme\"][0][\"passed\"]' 0 \
	          '[s[\"fai_first_pass\"] for s in (d if isinstance(d, list) else d[\"suppliers\"]) if s[\"org\"] == \"acme\"][0][\"of\"]' 1"
ok "verify is clean after the dispositions" q verify
check "the index rebuilt from the repository says the same" \
	evalq "q inbox --json > i.json && q scorecard --json > a.json && q reindex > /dev/null &&
	       q inbox --json | cmp -s - i.json && q scorecard --json | cmp -s - a.json"

# ---- through the shell: the buying side's commands
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }
fails 1 "may not|not allowed|needs role" "through qvault shell, a supplier may not disposition an FAI" \
	as sam fai accept FAIR-1@A

# ---- forged with stock git
tamper() { rm -rf "$1"; cp -a v "$1"; }
# the next report, revision C, waiting; dispositions of it are forged below
fai_pkg FAIR-1 6.0
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
# (the clock read after the report: a disposition dated before it is caught)
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
DC=$(dirname "$FAIR_DISP" | sed 's|/A$|/C|')/disposition.json
forge_as() { # VAULT KEY ORG FILE
	GIT_AUTHOR_NAME=$2 GIT_AUTHOR_EMAIL=$2@$3 GIT_COMMITTER_NAME=$2 GIT_COMMITTER_EMAIL=$2@$3 \
		forge_commit "$1" "$2" "fai accept FAIR-1@C

Qvault-Op: fai-disposition" "$DC=$4"
}
disp_json() { # BY ORG [JQ]
	jq -S --indent 2 -n --arg by "$1" --arg org "$2" --arg at "$AT" \
		'{record: "fai-disposition", format: 1, doc: "FAIR-1", rev: "C", decision: "accepted",
		  decided_by: $by, org: $org, decided_at: $at}' | jq -S --indent 2 "${3:-.}"
}
tamper f0
disp_json bob owner > x.json
forge_as f0 bob owner x.json
ok "a disposition written with stock git as qvault writes it passes verify" q -C f0 verify
tamper f1
disp_json sid acme > x.json
forge_as f1 sid acme x.json
check "a supplier's disposition is caught" culprit f1 "disposition.json: user 'sid' may not disposition FAI reports"
tamper f2
disp_json bob owner '.decision = "rejected"' > x.json
forge_as f2 bob owner x.json
check "a rejection without a reason is caught" culprit f2 "disposition.json: the FAI disposition is malformed"
tamper f3
disp_json bob owner '.rev = "A"' > x.json
forge_as f3 bob owner x.json
check "a disposition stored under another revision is caught" \
	culprit f3 "the disposition of FAIR-1@A is stored as"
tamper f4
DX=$(git -C v ls-tree -r --name-only main | grep '/DWG-1/C/record.json$' | sed 's|record.json$|disposition.json|')
disp_json bob owner '.doc = "DWG-1"' > x.json
GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
	forge_commit f4 bob "fai accept DWG-1@C

Qvault-Op: fai-disposition" "$DX=x.json"
check "a disposition of a drawing, which is no FAI report, is caught" \
	culprit f4 "DWG-1@C was no FAI report before it"

done_testing
