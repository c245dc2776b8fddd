#!/bin/sh
# The portal's passkey signature counters outlive a restart of serve
# (issue 19): the writer keeps each user's last counter in
# VAULT/qvault/passkey-counters ("NAME COUNTER" a line, never in the
# vault's history), read at start and written whole before a login or a
# signature is accepted.  A login or a signature whose counter did not
# grow since before the restart is refused; one whose counter cannot be
# recorded is refused too; a malformed file stops serve from starting,
# in one line that names the file and the line.  A scripted passkey
# (tests/webauthn.py) answers as the browser's would.
. "$(dirname "$0")/lib.sh"

need_webauthn
COUNTERS=v/qvault/passkey-counters

vault_v sam:acme
make_pdf a.pdf A
q release DWG-1 --rev A a.pdf --to acme > /dev/null
PAT_SECRET=$(enroll_link pat acme supplier)
KIM_SECRET=$(enroll_link kim acme supplier)
for k in pat kim; do $WA key $k; done

SERVE=
trap 'kill $SERVE 2> /dev/null; wait 2> /dev/null; sanitizer_reports; rm -rf "$TMP"' EXIT
# restart: stop serve (the writer with it) and start it again
restart() { kill -TERM "$SERVE" && wait "$SERVE"; portal_start; }
portal_start

check "no counters file before any login: serve starts without one" evalq '[ ! -e "$COUNTERS" ]'
enroll_answer pat "$PAT_SECRET"
check "pat enrolls a passkey" post 200 enroll "$(cat answer.json)"
enroll_answer kim "$KIM_SECRET"
check "kim enrolls one, a synced passkey (its counter always 0)" post 200 enroll "$(cat answer.json)"
check "pat logs in with the passkey, its counter at 5" login pat 5
check "  the counters file holds pat's line, 'pat 5', and is 0600" \
	evalq '[ "$(cat "$COUNTERS")" = "pat 5" ] && [ "$(stat -c %a "$COUNTERS")" = 600 ]'
check "  no temporary file is left beside it" \
	evalq '[ "$(ls v/qvault | grep -c "^passkey-counters")" = 1 ]'
check "  nor is it in the vault's history" \
	evalq '! git -C v log --all --name-only --format= | grep -q passkey-counters'
check "kim logs in with counter 0, twice" evalq 'login kim 0 && login kim 0'
check "  a synced passkey's counter (0) is no line" evalq '[ "$(cat "$COUNTERS")" = "pat 5" ]'

restart
login_answer pat pat counter=5
wrefused 401 "signature counter went back" \
	"after a restart, a login of pat's with counter 5 again is refused" login "$(cat answer.json)"
login_answer pat pat counter=4
wrefused 401 "signature counter went back" "  and one with counter 4" login "$(cat answer.json)"
check "  the refusals leave the counters file as it was" evalq '[ "$(cat "$COUNTERS")" = "pat 5" ]'
check "  one with counter 6 is accepted" login pat 6
check "  and the file holds 'pat 6'" evalq '[ "$(cat "$COUNTERS")" = "pat 6" ]'
check "kim, counter 0, still logs in after the restart" login kim 0

# a signature: its counter is checked and recorded as a login's
login pat 7
post 200 documents/DWG-1/A/statement '{"meaning":"received"}'
cp body.json stmt.json
CH=$(challenge)
# ack_answer OPT...: pat's answer to the statement, in answer.json
ack_answer() {
	$WA get pat "$CH" "$@" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
d["statement"] = json.load(open("stmt.json"))["statement"]; print(json.dumps(d))' > answer.json
}
restart
login pat 8
ack_answer counter=8
wrefused 400 "signature counter went back" \
	"after a restart, an acknowledgment signed with the login's counter (8) is refused" \
	documents/DWG-1/A/ack "$(cat answer.json)"
check "  the file as it was, 'pat 8'" evalq '[ "$(cat "$COUNTERS")" = "pat 8" ]'
ack_answer counter=9
check "  one with counter 9 is recorded" post 201 documents/DWG-1/A/ack "$(cat answer.json)"
check "  and the file holds 'pat 9'" evalq '[ "$(cat "$COUNTERS")" = "pat 9" ]'

# a counter that cannot be recorded: no login (a directory in the file's place)
rm "$COUNTERS"
mkdir "$COUNTERS"
login_answer pat pat counter=10
wrefused 500 "^cannot record the passkey's signature counter$" \
	"a login whose counter cannot be recorded is refused (500)" login "$(cat answer.json)"
check "  the server's log says why" grep -q "cannot write '.*passkey-counters'" serve.err
check "  and leaves no temporary file" evalq '[ "$(ls v/qvault | grep -c "^passkey-counters")" = 1 ]'
rmdir "$COUNTERS"
login_answer pat pat counter=10
wrefused 401 "signature counter went back" \
	"  the counter it was refused with is not taken again" login "$(cat answer.json)"
check "  once it can be, counter 11 logs in, and is recorded" \
	evalq 'login pat 11 && [ "$(cat "$COUNTERS")" = "pat 11" ]'

# ---- a malformed file: serve does not start ------------------------------------
kill -TERM "$SERVE" && wait "$SERVE"
SERVE=
cp "$COUNTERS" good-counters
# bad LABEL CONTENT (printf's format): the file, line 2 malformed
bad() {
	printf "pat 11\n$2" > "$COUNTERS"
	fails 1 "^qvault serve: the passkey counters file '.*/qvault/passkey-counters' is malformed at line 2: $3" \
		"a counters file whose line 2 $1 stops serve, in one line naming file and line" \
		timeout 20 q serve --listen 127.0.0.1:0 --origin "$ORIGIN"
}
bad "is a name alone" 'kim\n' "it is not NAME COUNTER"
bad "has a counter that is no number" 'kim five\n' "its counter is not a whole number"
bad "has a counter with two spaces before it" 'kim  5\n' "its counter is not a whole number"
bad "has a counter over 2^32 - 1" 'kim 4294967296\n' "its counter is not a whole number"
bad "has a negative counter" 'kim -1\n' "its counter is not a whole number"
bad "names no user" 'k/m 5\n' "the user name 'k/m' contains '/'"
bad "repeats a user" 'pat 12\n' "its user has a line before"
bad "is empty" '\n' "it is not NAME COUNTER"
bad "has no newline at its end" 'kim 3' "it does not end with a newline"
bad "holds a NUL byte" 'kim 3\0\n' "it holds a NUL byte"
rm "$COUNTERS"
ln -s "$TMP/good-counters" "$COUNTERS"
fails 1 "^qvault serve: cannot read '.*/qvault/passkey-counters': " \
	"a counters file that is a symbolic link stops serve too" \
	timeout 20 q serve --listen 127.0.0.1:0 --origin "$ORIGIN"
rm "$COUNTERS"
printf 'pat 11\nkim 4294967295\n' > "$COUNTERS"
portal_start
login_answer pat pat counter=11
wrefused 401 "signature counter went back" \
	"with the file mended, serve starts, and pat's counter 11 is still refused" \
	login "$(cat answer.json)"
check "  kim's at 4294967295 refuses every counter, even 0" \
	evalq 'login_answer kim kim counter=0 && post 401 login "$(cat answer.json)" 2> /dev/null &&
	       error "signature counter went back"'

done_testing
