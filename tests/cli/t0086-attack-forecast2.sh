#!/bin/sh
# Forecasts attacked again: a hostile supplier through the CLI and
# qvault shell (another organization's forecasts look absent, its answers
# refused, hostile text in an import never reaching a terminal or a
# spreadsheet as anything but text, huge inputs refused by their limit),
# and a peer site forging with stock git and ssh-keygen (an answer's
# signature by another key, over other bytes or in another namespace; a
# revision rewritten, deleted, skipped or of the other kind; a forged
# record indexed by a replica, where forecast show and the inbox must not
# take it).  Each forgery is signed with a registered key, so only the
# rule can catch it.
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
for k in bob sid sue zak; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
q --key "$TMP/admin.pem" user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key "$TMP/admin.pem" user add sue --org acme --role supplier --pubkey sue.pub > /dev/null
q --key "$TMP/admin.pem" user add zak --org zenith --role supplier --pubkey zak.pub > /dev/null
make_pdf c.pdf C
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q po add PO-Z --supplier zenith --line PN-9:10:DWG-1@C > /dev/null
cat > f.json <<'JSON'
[{"schedule": "forecast", "supplier": "acme", "part": "PN-1", "ship_to": "PLANT-1",
  "issued": "2026-11-30",
  "buckets": [{"start": "2026-11-30", "period": "weekly", "qty": 100, "status": "firm"},
              {"start": "2026-12-07", "period": "weekly", "qty": 120, "status": "firm"},
              {"start": "2026-12-14", "period": "weekly", "qty": 130, "status": "planning"}]}]
JSON
q --key bob forecast import f.json > /dev/null
as() { who=$1; shift; SSH_ORIGINAL_COMMAND="$*" q -C v shell --user "$who"; }

# ---- a hostile supplier: another organization's forecasts ------------------------------
# the message for another's part is the one for a part nobody forecasts
for how in cli shell; do
	if [ $how = cli ]; then run() { q --key zak "$@"; }; else run() { as zak "$@"; }; fi
	fails 1 "^qvault: no forecast of part 'PN-1' for 'zenith'$" "$how: show of another organization's part" \
		run forecast show --part PN-1
	fails 1 "^qvault: no forecast of part 'PN-404' for 'zenith'$" "$how:   says what it says of a part nobody forecasts" \
		run forecast show --part PN-404
	fails 1 "^qvault: no forecast of part 'PN-1' for 'zenith' to PLANT-1$" "$how: show with its ship-to" \
		run forecast show --part PN-1 --ship-to PLANT-1
	fails 1 "^qvault: a supplier sees only its own organization's forecasts$" \
		"$how: naming the organization, known or not, gets one answer" run forecast show --part PN-1 --org acme
	fails 1 "^qvault: a supplier sees only its own organization's forecasts$" \
		"$how:   (an organization that does not exist)" run forecast show --part PN-1 --org nowhere
	fails 1 "^qvault: no forecast of part 'PN-1' to 'PLANT-1' for 'zenith'$" \
		"$how: answering another organization's forecast" run forecast ack PN-1@PLANT-1 --commit
	fails 1 "^qvault: no forecast of part 'PN-1' to 'PLANT-1' for 'zenith'$" \
		"$how:   naming a revision past its latest" run forecast ack PN-1@PLANT-1 --revision 9 --commit
	fails 1 "^qvault: no forecast of part 'PN-1' to 'PLANT-1' for 'zenith'$" \
		"$how:   a counter-proposal for one of its buckets" run forecast ack PN-1@PLANT-1 --bucket 2026-11-30 --qty 1
done
check "the inbox of another organization holds no answer-forecast" evalq '
	test "$(q --key zak inbox --json | jq "[.[] | select(.action == \"answer-forecast\")] | length")" = 0 &&
	test "$(as zak inbox --json | jq "[.[] | select(.action == \"answer-forecast\")] | length")" = 0'
check "  nor does its log name the forecast" evalq '! q --key zak log | grep -qi "forecast\|PN-1"'
fails 1 "may not import forecasts" "a supplier importing (cli)" q --key sid forecast import f.json
fails 1 "'forecast import' is not allowed for 'sid' \\(needs role buyer\\)" "a supplier importing (shell)" \
	sh -c 'SSH_ORIGINAL_COMMAND="forecast import -" q -C v shell --user sid < f.json'
fails 2 "'/etc/passwd' would be a file on the server: send the file on standard input as '-'" \
	"through qvault shell, a buyer cannot import a file of the server" as bob forecast import /etc/passwd
fails 2 "'edi' is not a command qvault shell runs" "through qvault shell, edi read (a file of the server) is not run" \
	as sid edi read --json /etc/passwd
fails 2 "shell metacharacter '\\\$' is not allowed" "through qvault shell, a note with a command substitution" \
	as sid forecast ack PN-1@PLANT-1 --commit --note '$(id)'
fails 1 "is at revision 1: it has no revision 2|has no revision 2: it is at revision 1" \
	"a commitment to a revision not yet imported" q --key sid forecast ack PN-1@PLANT-1 --revision 2 --commit

# ---- hostile text and huge inputs in an import -------------------------------------------
# a just-in-time time that is an escape sequence and a newline, in the message that quotes it
jq '.[0].buckets = [{"start": "2026-12-01", "period": "daily", "qty": 1, "status": "firm", "time": "23:59"},
	{"start": "2026-12-01", "period": "daily", "qty": 1, "status": "firm", "time": "\u001b[2J\nX"}]' f.json > esc.json
fails 1 "bucket 2: starts on 2026-12-01 at \?\[2J\?X, before bucket 1 ends" \
	"a bucket's time quoted in a message: its escape and newline shown as '?', one line" q --key bob forecast import esc.json
check "  no escape byte reaches the terminal" evalq '! grep -q "$(printf "\033")" "$TMP/.err"'
fails 1 "note is not UTF-8 text without control characters" "an answer's note with an escape sequence and a newline" \
	q --key sid forecast ack PN-1@PLANT-1 --commit --note "$(printf 'ok\033[31m\nforged line')"
# CSV cells a spreadsheet would run: every name must start with a letter or a digit
printf 'supplier,part,ship_to,schedule,issued,start,end,period,qty,status,unit,reference\n%s\n' \
	"acme,PN-1,=cmd|' /C calc'!A0,forecast,2026-11-30,2026-11-30,,weekly,1,firm,EA," > formula.csv
fails 1 "ship_to '=cmd\|' /C calc'!A0' contains '='" "a CSV ship-to that is a spreadsheet formula" \
	q --key bob forecast import formula.csv
for lead in + - @; do
	sed "s/^acme,PN-1,=cmd|' \/C calc'!A0,/acme,PN-1,${lead}SUM(A1),/" formula.csv > formula2.csv
	fails 1 "must start with a letter or digit|contains" "  a ship-to starting with '$lead'" \
		q --key bob forecast import formula2.csv
done
printf 'supplier,part,ship_to,schedule,issued,start,end,period,qty,status,unit,reference\n%s\n' \
	'acme,PN-1,PLANT-1,forecast,2026-11-30,2026-11-30,,weekly,1,firm,EA,=1+2' > formula3.csv
fails 1 "reference '=1\+2' contains '='" "a reference that is a spreadsheet formula" q --key bob forecast import formula3.csv
q --key sid forecast show --part PN-1 --csv > own.csv
check "forecast show --csv: no cell starts with = + - @" evalq '! tr "," "\n" < own.csv | grep -q "^[=+@-]"'
python3 -c "print('[' * 100000 + ']' * 100000)" > deep.json
fails 1 "maximum parsing depth" "JSON nested 100,000 deep" q --key bob forecast import deep.json
jq '.[0].buckets = [range(0; 1001) | {"start": ((1767225600 + . * 86400) | strftime("%Y-%m-%d")),
	"period": "daily", "qty": 1, "status": "planning"}]' f.json > big.json
fails 1 "the schedule has 1001 buckets, over 1000" "a schedule of 1001 buckets" q --key bob forecast import big.json
jq -c '.[0] | .buckets |= .[0:1] | . as $s | [range(0; 100000) | $s | .ship_to = "P\(.)"]' f.json > many.json
fails 1 "the file has 100000 rows, over the limit of 50000 \(git config qvault.maxImportRows\)" \
	"100,000 schedules in one file" q --key bob forecast import many.json
jq '.[0].buckets |= .[0:1] | . as $one | [range(0; 2) | $one[0] | .ship_to = "P\(.)"]' f.json > two.json
X830=$FIXTURES/830/planning-schedule.830
git -C v config qvault.maxImportRows 1
fails 1 "the file has 2 rows, over the limit of 1 \(git config qvault.maxImportRows\)" \
	"the vault's import limit holds for a JSON file" q --key bob forecast import two.json
fails 1 "the file has 2 rows, over the limit of 1 \(git config qvault.maxImportRows\)" \
	"  and for an 830 (its schedules counted as a JSON file's)" q --key bob forecast import "$X830"
git -C v config --unset qvault.maxImportRows
python3 -c "import sys; d = open(sys.argv[1]).read(); open('elem.830', 'w').write(d.replace('*92*PLANT-2~', '*92*' + 'P' * 1000000 + '~'))" "$X830"
fails 1 "longer than 128 bytes" "an 830 with a megabyte ship-to (N104)" q --key bob forecast import elem.830
sed 's/^SE\*[0-9]*\*0001/SE*999999999999*0001/' "$X830" > se.830
fails 1 "SE" "an 830 claiming 999999999999 segments" q --key bob forecast import se.830

# ---- an outsider reading a replica: what a record holds ----------------------------------
# an 830's record keeps the schedule, not the interchange's parties or contacts
q po add PO-2 --supplier acme --line PN-2:10:DWG-1@C > /dev/null
sed 's/\*92\*ACME~/*92*acme~/' "$X830" > acme.830
ok "the buyer imports an 830" q --key bob forecast import acme.830
check "  its record holds the import schema's members and who imported it, no more" evalq '
	r=$(git -C v ls-tree -r --name-only main forecasts | grep "/PN-1/acme/PLANT-2/forecast/000001.json$") &&
	git -C v show "main:$r" > x830.json &&
	test "$(jq -c keys x830.json)" = "[\"authorizations\",\"buckets\",\"cumulative\",\"format\",\"horizon_end\",\"horizon_start\",\"imported_at\",\"imported_by\",\"issued\",\"last_receipt\",\"part\",\"record\",\"reference\",\"revision\",\"schedule\",\"ship_to\",\"supplier\",\"unit\"]" &&
	! grep -q "JANE\|5551234\|BUYERCORP\|ACMEMACHINING\|ACME-77" x830.json &&
	! git -C v log -1 --format=%B | grep -q "JANE\|5551234\|BUYERCORP"'

# ---- a peer site forging with stock git and ssh-keygen ----------------------------------
ok "verify passes on the honest vault" q verify
F="forecasts/$(dir_of PN-1)/PN-1/acme/PLANT-1/forecast"
VID=$(git -C v show main:vault.json | jq -r .id)
FP_SID=$(ssh-keygen -lf sid.pub | cut -d' ' -f2)
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
# forge_as VAULT WHO OP MESSAGE SPEC...: signed by WHO's ssh-keygen key, authored as WHO
forge_as() {
	fv=$1 fwho=$2 fop=$3 fm=$4
	shift 4
	case $fwho in bob) forg=owner ;; sid) forg=acme ;; *) forg=zenith ;; esac
	GIT_AUTHOR_NAME=$fwho GIT_AUTHOR_EMAIL=$fwho@$forg GIT_COMMITTER_NAME=$fwho GIT_COMMITTER_EMAIL=$fwho@$forg \
		forge_commit "$fv" "$fwho" "$fm

Qvault-Op: $fop" "$@"
}
# the answer to revision 1 as qvault writes it (sid commits to the firm zone)
jq -n -S --indent 2 --arg at "$AT" --arg vid "$VID" --arg fp "$FP_SID" '{record: "forecast-ack",
	format: 1, schedule: "forecast", part: "PN-1", supplier: "acme", ship_to: "PLANT-1",
	revision: 1, seq: 1, decision: "commit",
	buckets: [{start: "2026-11-30", qty: 100}, {start: "2026-12-07", qty: 120}],
	org: "acme", signed_by: "sid", fingerprint: $fp, signed_at: $at, vault: $vid}' > ack.json
# forge_ack VAULT SIGNED-FILE KEY NAMESPACE: ack.json committed by sid, its .sig
# ssh-keygen's signature of SIGNED-FILE by KEY in NAMESPACE
forge_ack() {
	tamper "$1"
	ssh-keygen -q -Y sign -f "$3" -n "$4" < "$2" > "$1.sig"
	forge_as "$1" sid forecast-ack "forecast ack" "$F/acks/000001-sid.json=ack.json" \
		"$F/acks/000001-sid.json.sig=$1.sig"
}
forge_ack a0 ack.json sid qvault-forecast-ack
ok "control: an answer forged as qvault writes it passes verify" q -C a0 verify
jq '.buckets[1].qty = 999' ack.json > other.json
forge_ack a1 other.json sid qvault-forecast-ack
check "an answer whose .sig signs other bytes is caught" culprit a1 "000001-sid.json.sig"
forge_ack a2 ack.json sid qvault-ack
check "an answer signed in another namespace (a revision's acknowledgment) is caught" culprit a2 "000001-sid.json.sig"
forge_ack a3 ack.json bob qvault-forecast-ack
check "an answer signed with another registered key (a buyer's) is caught" culprit a3 "000001-sid.json.sig: the record names 'sid' but 'bob' signed it"
# a second answer numbered 1 by another supplier of acme, beside the first
rm -rf a5 && cp -a a0 a5
FP_SUE=$(ssh-keygen -lf sue.pub | cut -d' ' -f2)
jq -S --indent 2 --arg fp "$FP_SUE" '.signed_by = "sue" | .fingerprint = $fp' ack.json > sue.json
ssh-keygen -q -Y sign -f sue -n qvault-forecast-ack < sue.json > sue.sig
GIT_AUTHOR_NAME=sue GIT_AUTHOR_EMAIL=sue@acme GIT_COMMITTER_NAME=sue GIT_COMMITTER_EMAIL=sue@acme \
	forge_commit a5 sue "forecast ack

Qvault-Op: forecast-ack" "$F/acks/000001-sue.json=sue.json" "$F/acks/000001-sue.json.sig=sue.sig"
check "a second answer numbered as the first (another signer's name) is caught" \
	culprit a5 "000001-sue.json: answer 1 to the forecast of part 'PN-1' to 'PLANT-1' for 'acme' is recorded already"

# revisions: rewritten, deleted, skipped, of the other kind
git -C v show "main:$F/000001.json" > rev1.json
jq -S --indent 2 '.buckets[0].qty = 1' rev1.json > r1.json
tamper r1
forge_as r1 bob forecast-import "forecast import" "$F/000001.json=r1.json"
check "revision 1 rewritten in a later commit is caught" culprit r1 "$F/000001.json: rewrites a record: history only adds"
tamper r2
GIT_DIR=r2 GIT_INDEX_FILE=$TMP/rm.index git read-tree main &&
	printf '0 0000000000000000000000000000000000000000\t%s\n' "$F/000001.json" |
	GIT_DIR=r2 GIT_INDEX_FILE=$TMP/rm.index git update-index --index-info &&
	rmtree=$(GIT_DIR=r2 GIT_INDEX_FILE=$TMP/rm.index git write-tree) &&
	rmc=$(GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner \
		git -C r2 -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$rmtree" -p main \
		-m "forecast import

Qvault-Op: forecast-import") && git -C r2 update-ref refs/heads/main "$rmc"
check "revision 1 deleted in a later commit is caught" culprit r2 "$F/000001.json: deletes a record: history only adds"
jq -S --indent 2 --arg at "$AT" '.revision = 3 | .imported_at = $at' rev1.json > r3.json
tamper r3
forge_as r3 bob forecast-import "forecast import" "$F/000003.json=r3.json"
check "revision 3 after 1 is caught" culprit r3 "revision 3 of the forecast of part 'PN-1' to 'PLANT-1' for 'acme' is out of sequence: 1 revision came before it"
jq -S --indent 2 --arg at "$AT" '.revision = 2 | .imported_at = $at | .schedule = "delivery" | .buckets[2].status = "firm"' rev1.json > r4.json
tamper r4
forge_as r4 bob forecast-import "forecast import" "$F/000002.json=r4.json"
check "a delivery schedule stored under the forecast's path is caught" culprit r4 "000002.json: the record of the delivery of part 'PN-1' to 'PLANT-1' for 'acme' revision 2 is stored as"
jq -S --indent 2 --arg at "$AT" '.imported_at = $at | .schedule = "delivery"' rev1.json > r5.json
tamper r5
forge_as r5 bob forecast-import "forecast import" "${F%/forecast}/delivery/000001.json=r5.json"
check "a delivery schedule with a planning bucket is caught" culprit r5 "delivery/000001.json: the delivery's bucket 3: a delivery schedule's buckets are firm, not planning"
pulls_refused v "rewrites a record|deletes a record|out of sequence|is stored as|signed it|signature" a1 a2 a3 r1 r2 r3 r4
V=v

# ---- a forged record indexed by a replica: forecast show spreads only what the rule allows
# (the catch-up after the forgery, or reindex, stops at it: exit 3, naming it)
shows_refused() {
	q -C "$1" forecast show --part PN-1 > /dev/null 2> show.err
	rc=$?
	[ $rc = 3 ] && [ "$(wc -l < show.err)" = 1 ] && grep -Eq -- "$2" show.err || {
		echo "exit $rc: $(head -3 show.err)" >&2; return 1; }
}
# (qty 77777: written as 2000000000000000000, past what jq writes as an integer)
for bad in 'start = "x"' 'qty = 77777' 'period = "flexible" | .buckets[0].end = "2040-01-01"' 'end = "2026-11-01"'; do
	jq -S --indent 2 --arg at "$AT" ".revision = 2 | .imported_at = \$at | .buckets[0].$bad" rev1.json |
		sed 's/: 77777,/: 2000000000000000000,/' > x.json
	rm -rf x && cp -a v x
	forge_as x bob forecast-import "forecast import" "$F/000002.json=x.json"
	check "a forged bucket ($bad): forecast show on the replica refuses it (exit 3), never spreads it" \
		shows_refused x "000002.json: the forecast's bucket 1: "
	check "  so does reindex" evalq 'q -C x reindex > /dev/null 2> ri.err; test $? = 3 && grep -q "000002.json: the forecast.s bucket 1" ri.err'
	check "  and verify finds it" culprit x "000002.json: the forecast's bucket 1: "
done
tamper a4
jq -S --indent 2 --arg fp "$(ssh-keygen -lf zak.pub | cut -d' ' -f2)" '.signed_by = "zak" | .fingerprint = $fp' ack.json > zack.json
ssh-keygen -q -Y sign -f zak -n qvault-forecast-ack < zack.json > zack.sig
forge_as a4 zak forecast-ack "forecast ack" "$F/acks/000001-zak.json=zack.json" "$F/acks/000001-zak.json.sig=zack.sig"
check "an answer by another organization's supplier, to hide the forecast from acme's inbox, is caught" \
	culprit a4 "user 'zak' of 'zenith' answers the forecast of part 'PN-1' for 'acme'"
pulls_refused v "names organization .acme., but .zak. of .zenith.|bucket 1" a4 x
V=v
check "the honest vault: the forecast is still in acme's inbox, show unchanged" evalq '
	q --key sid inbox --json | jq -e "[.[] | select(.action == \"answer-forecast\" and .subject == \"PN-1@PLANT-1\")] | length == 1" > /dev/null &&
	q forecast show --part PN-1 --ship-to PLANT-1 --json | jq -e ".schedules[0].forecast.revision == 1" > /dev/null'

# a forged revision's text members (not its buckets) hold escape sequences: the text of
# forecast show, read from the replica's index, shows them as '?', never to the terminal
ESC=$(printf '\033')
jq -S --indent 2 --arg at "$AT" --arg e "$ESC" '.revision = 2 | .imported_at = $at |
	.issued = ($e + "]2;owned" + $e + "\\") | .unit = ($e + "[2J") | .reference = ($e + "[31mR")' rev1.json > x.json
# and one more, to a ship-to that is a spreadsheet formula, at a path of its own
jq -S --indent 2 --arg at "$AT" '.imported_at = $at | .ship_to = "=cmd|'"'"' /C calc'"'"'!A0"' rev1.json > xf.json
rm -rf x && cp -a v x
forge_as x bob forecast-import "forecast import" "$F/000002.json=x.json" "${F%/PLANT-1/forecast}/PLANT-9/forecast/000001.json=xf.json"
ESC_ACK=$(jq -S --indent 2 --arg at "$AT" --arg e "$ESC" '.revision = 2 | .signed_by = ($e + "[8mhidden")' ack.json)
printf '%s\n' "$ESC_ACK" > xack.json
forge_as x sid forecast-ack "forecast ack" "$F/acks/000001-sid.json=xack.json"
check "forged text in a record: forecast show's text writes no escape byte" evalq '
	q -C x forecast show --part PN-1 > xs.out 2> xs.err; ! grep -q "$ESC" xs.out xs.err &&
	grep -q "issued ?\]2;owned?\\\\ (?\[2J)" xs.out && grep -q "by ?\[8mhidden" xs.out'
FORMULA="=cmd|' /C calc'!A0"
check "  --csv: the formula of a forged ship-to is a text cell ('=...), never a formula" evalq '
	q -C x forecast show --part PN-1 --csv > xs.csv && grep -qF "acme,'"'"'$FORMULA,2026-W49," xs.csv &&
	! tr "," "\n" < xs.csv | grep -q "^[=+@-]"'
check "  (the text: the formula shown as it is, on its own line)" evalq '
	q -C x forecast show --part PN-1 | grep -qxF "supplier acme, ship-to $FORMULA; forecast revision 1 issued 2026-11-30 (EA)"'
check "  nor the inbox" evalq 'q -C x --key sid inbox > xi.out 2>&1; ! grep -q "$ESC" xi.out'
check "  and verify finds the forgery" culprit x "000001-sid.json"

# ---- a commitment to a revision the supplier has not seen -----------------------------------
# sid read revision 1; the buyer imports revision 2 before sid answers
jq '.[0].buckets[1].qty = 500' f.json > f2.json
q --key bob forecast import f2.json > /dev/null
fails 1 "is at revision 2: revision 1 was replaced since" \
	"a commitment naming the revision read (1) is refused once 2 replaced it" \
	q --key sid forecast ack PN-1@PLANT-1 --revision 1 --commit
check "one naming none answers the latest, and says which, with its quantities in the signed record" evalq '
	q --key sid forecast ack PN-1@PLANT-1 --commit > ack.out &&
	grep -qx "committed to the firm zone of revision 2 of the forecast of PN-1 to PLANT-1" ack.out &&
	git -C v show "main:$F/acks/000001-sid.json" | jq -e ".revision == 2 and .buckets[1].qty == 500" > /dev/null'
check "  through qvault shell too" evalq '
	as sue forecast ack PN-1@PLANT-1 --bucket 2026-12-14 --qty 10 > ack.out &&
	grep -qx "proposed other quantities for revision 2 of the forecast of PN-1 to PLANT-1" ack.out'
ok "verify passes" q verify

done_testing
