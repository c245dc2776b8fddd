# lib.sh - shared by the command-line tests (git's t/ style, TAP output).
#
#   ok DESC CMD...                 CMD must succeed
#   fails CODE PATTERN DESC CMD... CMD must exit CODE with one line on
#                                  stderr matching PATTERN (grep -E), and
#                                  leave the vault ($V) byte for byte as it was
#   check DESC CMD...              alias of ok, for assertions
#   _skip REASON                   a test skipped (counted neither passed
#                                  nor failed by tests/run)
#   api_init URL [CURL ARG...]     the API (its .../api/v1/ URL) that api calls
#   api STATUS METHOD PATH [TOKEN [CURL ARG...]]
#                                  call it; each answer is logged for
#   openapi_check DESC             every answer logged matches schemas/openapi.json
#   refused_as REQUEST STATUS PATTERN DESC ARG...
#                                  `REQUEST STATUS ARG...` (api, post, ...) gets
#                                  STATUS and an error matching PATTERN, the
#                                  vault unchanged (refused: by api; wrefused:
#                                  by post)
#   pulls_refused VAULT PATTERN FORGERY...
#                                  a copy of VAULT (p, and $V) pulling from
#                                  each vault FORGERY fails (exit 3) as fails
#                                  checks, PATTERN its message
#   vault_v [NAME:ORG...]          the vault v ($V, $QVAULT_DIR), a supplier
#                                  NAME of ORG for each (key NAME.pem)
#   add_buyer NAME                 a buyer of the owner's side (key NAME.pem)
#
# The portal (serve --origin), as a page and a scripted passkey speak to it:
#   need_webauthn                  the script is skipped without curl or
#                                  python3-cryptography; sets WA (tests/
#                                  webauthn.py) and ORIGIN
#   enroll_link NAME ORG ROLE      the admin adds NAME to enroll at $ORIGIN;
#                                  prints the link's secret
#   portal_start [ARG...]          serve_start --origin $ORIGIN, `web` pointed
#                                  at it, no session
#   enroll NAME SECRET             NAME enrolls passkey NAME ($WA key NAME)
#   portal_users NAME:ORG:ROLE...  each asked to enroll and given its passkey,
#                                  the portal started, each enrolled
#   web, post, wrefused, login     see below
#   form, rawform                  a form posted as a page posts it (fields
#                                  url-encoded, or a body as given)
#   frefused, xrefused             such a form refused: its status, what the
#                                  page (alert) or the answer (said) says, and
#                                  the vault unchanged (form_refused_as)
#   lacks GREP-ARG...              nothing in the answer (body.json) matches,
#                                  the page's CSRF token cut out; holds: a
#                                  match there
#
# Each script runs in its own temporary folder, removed at the end.

set -u
: "${QVAULT:?set QVAULT to the qvault binary}"
TESTS_DIR=$(cd "$(dirname "$0")" && pwd)
FIXTURES=$(cd "$TESTS_DIR/../fixtures" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/qvault-test.XXXXXX")
# Sanitizer reports of every qvault a test runs go to files, not to its
# stderr, where a pipeline, a command substitution or a redirection a
# test does not check would lose them: done_testing fails on any and
# shows it, and so does the exit of a script that stops before it.
# (handle_abort: an abort() is reported too, with its stack.)
mkdir -p "$TMP/.san"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/.san/report:handle_abort=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/.san/report"
# every qvault serve a script started (serve_start) ends with it: one left
# running would outlive the script, its vault deleted under it
SERVES=
serves_stop() {
	for _s in $SERVES; do kill "$_s" 2> /dev/null; done
	for _s in $SERVES; do wait "$_s" 2> /dev/null; done
}
trap 'serves_stop; sanitizer_reports; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
unset QVAULT_DIR QVAULT_KEY QVAULT_PASSPHRASE_ENV
n=0
# `q` is qvault, in this shell and in any `sh -c` a test runs
mkdir -p "$TMP/.bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$QVAULT" > "$TMP/.bin/q"
chmod +x "$TMP/.bin/q"
PATH="$TMP/.bin:$PATH"

# day_stays SECONDS: a script's checks compare the dates it computes
# (today, 30 days ago) with the ones qvault writes and prints, each read
# from the clock at its own moment: one started within SECONDS of
# midnight UTC waits for the day to change first, so that none of its
# checks straddles it.  Every script does, for longer than the longest
# takes (t0125, under a loaded suite, about 7 minutes).
day_stays() {
	_now=$(date -u +%s)
	case $_now in ''|*[!0-9]*) echo "# day_stays: the clock says '$_now'"; return ;; esac
	_left=$((86400 - _now % 86400))
	if [ "$_left" -le "$1" ]; then
		echo "# waiting $_left s for midnight UTC to pass: the script's dates must not change"
		sleep $((_left + 1))
	fi
}
day_stays 900

# Keys, made once per script: the vault's first admin, and a tester with
# the roles buyer and quality, who acts unless a test says otherwise.
q key generate -o "$TMP/admin.pem" -c admin > /dev/null
q key generate -o "$TMP/tester.pem" -c tester | head -n 1 > "$TMP/tester.pub"
export QVAULT_KEY="$TMP/tester.pem"

# new_vault DIR: a vault whose admin registered the tester.
new_vault() {
	q init "$1" --key "$TMP/admin.pem" > /dev/null &&
	q -C "$1" --key "$TMP/admin.pem" user add tester --org owner \
		--role buyer,quality --pubkey "$TMP/tester.pub" > /dev/null
}

# printf, not echo: dash's echo turns a '\e' or '\c' of a shown name into
# an escape or the end of the line; every line of a diagnostic a comment
#
# Each result is also written down in $RESULTS, which done_testing counts
# against n: a check run in a pipe or a subshell (`ok ... | tail`) has its
# result shown to no one, or counted in a shell that is gone, and the plan
# (1..n) would not know.  (t0000 points RESULTS elsewhere for the checks
# it runs in a subshell on purpose.)
RESULTS=$TMP/.results
: > "$RESULTS"
_pass() { n=$((n + 1)); echo . >> "$RESULTS"; printf 'ok %s - %s\n' "$n" "$1"; }
_skip() { n=$((n + 1)); echo . >> "$RESULTS"; printf 'ok %s # SKIP %s\n' "$n" "$1"; }
_fail() {
	n=$((n + 1)); echo . >> "$RESULTS"; printf 'not ok %s - %s\n' "$n" "$1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}

ok() {
	desc=$1; shift
	if "$@" >"$TMP/.out" 2>"$TMP/.err"; then
		_pass "$desc"
	else
		_fail "$desc" "exit $?" "$(head -5 "$TMP/.err")"
	fi
}
check() { ok "$@"; }

# A fingerprint of every file of the vault $V: name, mode, content (a
# symbolic link's: where it points, and the content of what it names).  Not
# the portal's passkey counters (server state): a signature that verified
# records its counter before the act it signs is refused, as it must.
# Two finds, one sha256sum: a process per file made it most of a script's
# time (t0002: 70 s of 127 under ASan), as each refusal takes two.
# A fingerprint that could not be taken ($V unset; find or sha256sum
# failed) holds a line no other one holds: every comparison of it fails,
# none passes for want of a vault.  A $V that does not exist is that (and
# made since, a change); one that is a file, its type, mode and content.
snapshot() {
	if [ -z "${V:-}" ]; then
		printf 'snapshot: V is not set %s\n' "$(od -An -N8 -tx8 /dev/urandom)"
		return 1
	elif [ ! -e "$V" ] && [ ! -L "$V" ]; then
		echo "snapshot: '$V' does not exist" # and still does not: nothing made
		return 0
	elif [ ! -d "$V" ]; then
		printf 'snapshot: %s is not a folder: %s ' "$V" "$(stat -c '%F %a' "$V")"
		sha256sum < "$V" 2>&1
		return 0
	fi
	(cd "$V" || exit
	 { find . \( -type f -o -type l \) ! -path ./qvault/passkey-counters -printf '%p %m %l\n' ||
		printf 'snapshot: find failed %s\n' "$(od -An -N8 -tx8 /dev/urandom)"; } | LC_ALL=C sort &&
	 { find -L . -type f ! -path ./qvault/passkey-counters -print0 ||
		printf 'snapshot: find failed %s\0' "$(od -An -N8 -tx8 /dev/urandom)"; } | LC_ALL=C sort -z |
		xargs -0 -r sha256sum -- ||
		printf 'snapshot: sha256sum failed %s\n' "$(od -An -N8 -tx8 /dev/urandom)")
}

fails() {
	code=$1 pattern=$2 desc=$3; shift 3
	before=$(snapshot)
	"$@" >"$TMP/.out" 2>"$TMP/.err"
	rc=$?
	after=$(snapshot)
	lines=$(grep -vc 'AddressSanitizer\|^$' "$TMP/.err")
	if [ "$rc" -ne "$code" ]; then
		_fail "$desc" "exit $rc, expected $code" "$(head -3 "$TMP/.err")"
	elif ! grep -Eq -- "$pattern" "$TMP/.err"; then
		_fail "$desc" "stderr does not match '$pattern':" "$(head -3 "$TMP/.err")"
	elif [ "$lines" -ne 1 ]; then
		_fail "$desc" "expected one line on stderr, got $lines" "$(head -3 "$TMP/.err")"
	elif [ "$before" != "$after" ]; then
		_fail "$desc" "the vault changed:" "$(printf '%s\n' "$before" > "$TMP/.b"; printf '%s\n' "$after" | diff "$TMP/.b" - | head -5)"
	else
		_pass "$desc"
	fi
}

# x12 [VERSION [CONTROL]]: the segments on stdin (one a line, no
# terminator) as the one 856 transaction set of an interchange from
# ACMEMACHINING to BUYERCORP, SE01 counted (VERSION the GS08, 004010 unless
# given; CONTROL the ISA13 and IEA02, 000000101 unless given).
x12() {
	awk -v ver="${1:-004010}" -v ctl="${2:-000000101}" 'BEGIN {
		print "ISA*00*          *00*          *ZZ*ACMEMACHINING  *ZZ*BUYERCORP      *261127*1200*U*00401*" ctl "*0*P*>~"
		print "GS*SH*ACMEMACHINING*BUYERCORP*20261127*1200*101*X*" ver "~"
		print "ST*856*0001~" }
	{ print $0 "~"; k++ }
	END { print "SE*" k + 2 "*0001~"; print "GE*1*101~"; print "IEA*1*" ctl "~" }'
}

# add_supplier NAME ORG: a supplier of ORG whose key is NAME.pem, added by
# the admin of the vault $QVAULT_DIR.
add_supplier() {
	q key generate -o "$1.pem" -c "$1" | head -n 1 > "$1.pub" &&
	q --key "$TMP/admin.pem" user add "$1" --org "$2" --role supplier --pubkey "$1.pub" > /dev/null
}

# add_buyer NAME: a buyer of the owner's organization whose key is NAME.pem
add_buyer() {
	q key generate -o "$1.pem" -c "$1" | head -n 1 > "$1.pub" &&
	q --key "$TMP/admin.pem" user add "$1" --org owner --role buyer --pubkey "$1.pub" > /dev/null
}
# vault_v [NAME:ORG...]: the vault v (new_vault), which $V and $QVAULT_DIR
# name, with a supplier NAME of ORG for each (add_supplier, in that order)
vault_v() {
	new_vault v || return
	V=v
	export QVAULT_DIR=v
	for vs in "$@"; do
		add_supplier "${vs%%:*}" "${vs#*:}" || return
	done
}

# pulls_refused VAULT PATTERN FORGERY...: for each FORGERY (a vault in
# $TMP), a pull from it into p, a fresh copy of VAULT, fails with exit 3 and
# a message matching PATTERN, p unchanged (fails); $V is p afterwards
pulls_refused() {
	pv=$1 pp=$2; shift 2
	for pg in "$@"; do
		rm -rf p; cp -a "$pv" p; V=p
		fails 3 "$pp" "pull from a site holding forgery $pg refuses, the vault unchanged" \
			q -C p pull "file://$TMP/$pg"
	done
}

# forge VAULT KEY|- MESSAGE PATH=FILE...: a commit made around qvault with
# stock git, signed with the ssh-keygen key $TMP/KEY (or unsigned: -).
# (forge_commit is the same, for a script that wraps forge.)
forge() { forge_commit "$@"; }
forge_commit() {
	fv=$1 fkey=$2 fmsg=$3
	shift 3
	GIT_DIR=$fv GIT_INDEX_FILE=$TMP/forge.index git read-tree main
	for spec in "$@"; do
		b=$(GIT_DIR=$fv git hash-object -w "${spec#*=}")
		GIT_DIR=$fv GIT_INDEX_FILE=$TMP/forge.index git update-index --add --cacheinfo "100644,$b,${spec%%=*}"
	done
	tree=$(GIT_DIR=$fv GIT_INDEX_FILE=$TMP/forge.index git write-tree)
	# a forgery dated before its parent is caught for that alone: a script
	# that read its clock before its last real write would test nothing else
	fparent=$(git -C "$fv" log -1 --format=%ct main)
	fdate=${GIT_COMMITTER_DATE:-}
	fdate=${fdate%% *}
	if [ -n "$fdate" ] && [ -z "$(printf %s "$fdate" | tr -d 0-9)" ] && [ "$fdate" -lt "$fparent" ]; then
		echo "# forge_commit: GIT_COMMITTER_DATE $fdate is before the parent's $fparent (read the clock after the last write)" >&2
		return 1
	fi
	if [ "$fkey" = - ]; then
		c=$(git -C "$fv" commit-tree "$tree" -p main -m "$fmsg")
	else
		c=$(git -C "$fv" -c gpg.format=ssh -c user.signingkey="$TMP/$fkey" commit-tree -S "$tree" -p main -m "$fmsg")
	fi
	git -C "$fv" update-ref refs/heads/main "$c"
	rm -f "$TMP/forge.index"
}
# merge_signed M FIRST SECOND KEY: vault M, a copy of FIRST, whose main is
# a stock-git merge of FIRST's main (first parent) and SECOND's (second),
# made and signed by user KEY (an ssh-keygen key $TMP/KEY, a buyer KEY@owner)
merge_signed() {
	rm -rf "$1"; cp -a "$2" "$1"
	git -C "$1" fetch -q "$TMP/$3" main:refs/heads/other
	mt=$(git -C "$1" merge-tree --write-tree main other)
	mc=$(GIT_AUTHOR_NAME=$4 GIT_AUTHOR_EMAIL=$4@owner GIT_COMMITTER_NAME=$4 \
		GIT_COMMITTER_EMAIL=$4@owner git -C "$1" -c gpg.format=ssh \
		-c user.signingkey="$TMP/$4" commit-tree -S "$mt" -p main -p other \
		-m "merge $3

Qvault-Op: merge
Qvault-Remote: file://$TMP/$3")
	git -C "$1" update-ref refs/heads/main "$mc"
	git -C "$1" update-ref -d refs/heads/other
}
# ssh_user NAME ORG ROLES: user NAME of ORG, added by the admin of the vault
# $QVAULT_DIR, whose key stock ssh-keygen holds ($TMP/NAME): stock git
# signs as NAME with it, for the forgeries
ssh_user() {
	ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$1" &&
	q --key "$TMP/admin.pem" user add "$1" --org "$2" --role "$3" --pubkey "$1.pub" > /dev/null
}
# lot_vault: vault v (vault_v) where supplier sam of acme and buyer bob
# have ssh-keygen keys ($TMP/sam, $TMP/bob: stock git signs as them too),
# DWG-1@A is released to acme, PO-1 orders 50 of PN-1 to it, and sam's
# lot L-1 holds 10
lot_vault() {
	vault_v &&
	ssh_user sam acme supplier &&
	ssh_user bob owner buyer &&
	make_pdf open.pdf "a drawing" &&
	q release DWG-1 --rev A open.pdf --to acme > /dev/null &&
	q po add PO-1 --supplier acme --line PN-1:50:DWG-1@A > /dev/null &&
	q --key sam lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
}
# dir_of NAME: the two fan-out folders of a record named NAME (HH/HH of its SHA-256)
dir_of() { h=$(printf %s "$1" | sha256sum); echo "$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)"; }

# forge_revision VAULT KEY DOC FILE: DOC@A holding FILE, a drawing of
# organization owner added by user KEY, its record as a qvault that did
# not open PDFs wrote it, committed now around qvault with stock git and
# signed with the ssh-keygen key $TMP/KEY (forge); GIT_AUTHOR_* and
# GIT_COMMITTER_NAME/EMAIL are the caller's
forge_revision() {
	frw=$(date +%s)
	python3 - "$4" "$frw" "$2" "$3" > "$TMP/forged-record.json" <<'PY'
import hashlib, json, os, sys, time
data = open(sys.argv[1], 'rb').read()
at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(sys.argv[2])))
json.dump({"added_at": at, "added_by": sys.argv[3], "doc": sys.argv[4],
           "files": [{"mime": "application/pdf", "name": os.path.basename(sys.argv[1]),
                      "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}],
           "format": 1, "org": "owner", "parts": [], "record": "revision", "rev": "A",
           "seq": 1, "type": "drawing"}, sys.stdout, indent=2, sort_keys=True)
PY
	frd=docs/$(dir_of "$3")/$3/A
	GIT_AUTHOR_DATE="$frw +0000" GIT_COMMITTER_DATE="$frw +0000" forge "$1" "$2" \
		"$(printf 'add %s@A\n\nQvault-Op: add\nQvault-Doc: %s\nQvault-Rev: A' "$3" "$3")" \
		"$frd/record.json=$TMP/forged-record.json" "$frd/files/$(basename "$4")=$4"
}
# culprit VAULT PATTERN: verify fails (exit 3) with a finding matching PATTERN
culprit() {
	q -C "$1" verify > "$TMP/v.out" 2>&1
	rc=$?
	[ $rc = 3 ] && grep -Eq -- "$2" "$TMP/v.out" || { cat "$TMP/v.out" | head -5 >&2; return 1; }
}

# verify_finds PATTERN DESC VAULT: verify exits 3 with a finding on stdout
# matching PATTERN (among others, an index's), nothing on stderr, and the
# vault unchanged (a history no index holds: verify lists, others stop)
verify_finds() {
	V=$3
	before=$(snapshot)
	q -C "$3" verify > "$TMP/.out" 2> "$TMP/.err"
	rc=$?
	after=$(snapshot)
	if [ "$rc" -ne 3 ]; then
		_fail "$2" "exit $rc, expected 3" "$(head -3 "$TMP/.out" "$TMP/.err")"
	elif ! grep -Eq -- "$1" "$TMP/.out"; then
		_fail "$2" "no finding matches '$1':" "$(head -3 "$TMP/.out")"
	elif grep -vq 'AddressSanitizer\|^$' "$TMP/.err"; then
		_fail "$2" "stderr is not empty:" "$(head -3 "$TMP/.err")"
	elif [ "$before" != "$after" ]; then
		_fail "$2" "the vault changed"
	else
		_pass "$2"
	fi
}

# fai_pkg FAIR RESULT [NONCONFORMANCE]: fai.zip, an FAI package of report
# FAIR for part PN-1 to DWG-1@C of PO-1 (acme), whose one characteristic
# measured RESULT (built in pkg/)
fai_pkg() {
	rm -rf pkg && mkdir -p pkg
	make_pdf pkg/ballooned.pdf "ballooned DWG-1 C"
	printf '{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket", "serial_number": "SN-1",
 "fair_number": "%s", "part_revision": "C", "drawing_number": "DWG-1", "drawing_revision": "C",
 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Sam", "signed_date": "2026-11-20"},
 "form2": [], "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' "$1" > pkg/fai.json
	printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,key,6.0 \302\2610.1,%s,,%s,\n' \
		"$2" "${3:-}" > pkg/form3.csv
	q fai pack pkg -o fai.zip --force > /dev/null
}

# Small real files of each kind.
make_pdf() { printf '%%PDF-1.4\n%% %s\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n' "${2:-qvault}" > "$1"; }
# make_big_pdf FILE SIZE: a valid PDF of exactly SIZE bytes, its bulk one
# stream of random bytes (tests/mkpdf.py): every PDF added is opened with
# libqpdf, and a header before random bytes is damaged past repair
# peer_copy: vault a ($QVAULT_DIR) holding D-1, bob a buyer whose key stock
# ssh-keygen holds ($TMP/bob), b a clone of a, and peer.git a bare copy of a
# that a hostile peer edits with stock git, committing as bob
peer_copy() {
	new_vault a
	export QVAULT_DIR=a
	ssh-keygen -q -t ed25519 -N '' -C bob -f bob
	q --key admin.pem user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
	make_pdf d1.pdf "document 1"
	q add d1.pdf --doc D-1 --type other > /dev/null
	q clone "file://$TMP/a" b > /dev/null
	git clone -q --bare a peer.git
	export GIT_AUTHOR_NAME=bob GIT_AUTHOR_EMAIL=bob@owner GIT_COMMITTER_NAME=bob GIT_COMMITTER_EMAIL=bob@owner
}
# add_docs N: documents D-1 to D-N, each of type other, added to $QVAULT_DIR
add_docs() {
	ad=1
	while [ $ad -le "$1" ]; do
		make_pdf "d$ad.pdf" "document $ad"
		q add "d$ad.pdf" --doc "D-$ad" --type other > /dev/null || return 1
		ad=$((ad + 1))
	done
}
make_big_pdf() { python3 "$TESTS_DIR/../mkpdf.py" filler "$1" "$2"; }
make_text() { printf 'heat,C,Mn\n%s,0.20,1.10\n' "${2:-H1}" > "$1"; }

# api_init URL [CURL ARG...]: the API that `api` calls, URL ending in
# /api/v1/, with these arguments to every curl (--unix-socket, --cacert)
api_init() {
	API_URL=$1
	API_PREFIX=/${1#*://*/}
	shift
	API_CURL=
	for a in "$@"; do
		API_CURL="$API_CURL '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	mkdir -p "$TMP/api"
}
# api STATUS METHOD PATH [TOKEN [CURL ARG...]]: PATH (after URL) asked as
# TOKEN ('': none); the status must be STATUS.  The body is in body.json,
# the headers in headers.txt; the answer is logged in $TMP/api.log (method,
# path, status, type, a copy of the body: tabs between) for openapi_check.
api() {
	want=$1 m=$2 p=$3 t=${4:-}
	shift 3; [ $# -gt 0 ] && shift
	eval "set -- $API_CURL \"\$@\""
	rm -f body.json headers.txt
	got=$(curl -s -o body.json -D headers.txt -w '%{http_code}\t%{content_type}' -X "$m" \
		${t:+-H "Authorization: Bearer $t"} "$@" "$API_URL$p")
	[ -f body.json ] || : > body.json
	api_n=$((${api_n:-0} + 1))
	cp body.json "$TMP/api/$api_n.body"
	printf '%s\t%s\t%s\t%s\t%s\n' "$m" "$API_PREFIX$p" "${got%%	*}" "${got#*	}" \
		"$TMP/api/$api_n.body" | sed 's/\t\t/\t-\t/' >> "$TMP/api.log"
	got=${got%%	*}
	[ "$got" = "$want" ] || { echo "status $got, expected $want: $(head -c 300 body.json)" >&2; return 1; }
}

# openapi_check DESC [ARG...]: tests/openapi-check.py passes (ARG...: its
# arguments; none: every answer `api` logged); skipped, never passed,
# without Debian's python3-jsonschema
OPENAPI_CHECK="$TESTS_DIR/../openapi-check.py"
have_jsonschema() { /usr/bin/python3 -c 'from jsonschema import Draft202012Validator' 2> /dev/null; }
openapi_check() {
	desc=$1; shift
	if ! have_jsonschema; then
		_skip "$desc: no python3-jsonschema (scripts/deps installs it)"
	elif [ $# = 0 ]; then
		ok "$desc" /usr/bin/python3 "$OPENAPI_CHECK" "$TMP/api.log"
	else
		ok "$desc" /usr/bin/python3 "$OPENAPI_CHECK" "$@"
	fi
}
# openapi_refuses PATTERN DESC ARG...: tests/openapi-check.py ARG... exits 1
# with one problem, matching PATTERN (grep -E); skipped as above
openapi_refuses() {
	pattern=$1 desc=$2; shift 2
	if ! have_jsonschema; then
		_skip "$desc: no python3-jsonschema (scripts/deps installs it)"
		return
	fi
	/usr/bin/python3 "$OPENAPI_CHECK" "$@" > "$TMP/.out" 2> "$TMP/.err"
	rc=$?
	if [ $rc -ne 1 ]; then
		_fail "$desc" "exit $rc, expected 1" "$(head -3 "$TMP/.err")"
	elif [ "$(wc -l < "$TMP/.err")" -ne 1 ] || ! grep -Eq -- "$pattern" "$TMP/.err"; then
		_fail "$desc" "expected one problem matching '$pattern':" "$(head -3 "$TMP/.err")"
	else
		_pass "$desc"
	fi
}

# sanitizer_reports: each report written since the last call, shown as
# TAP comments (which tests/run counts as a failure of the script)
sanitizer_reports() {
	for f in "$TMP"/.san/report.*; do
		[ -f "$f" ] || continue
		echo "# a sanitizer report from a qvault this script ran ($f):"
		sed 's/^/#   /' "$f"
		rm -f "$f"
	done
}

done_testing() {
	_recorded=$(wc -l < "$RESULTS" 2> /dev/null)
	if [ "${_recorded:-none}" != "$n" ]; then
		if [ "${_recorded:-0}" -gt "$n" ] 2> /dev/null; then
			_why="a check ran in a pipe or a subshell"
		else
			_why="a result printed without _pass, _fail or _skip"
		fi
		_fail "every check's result is shown and counted" \
			"${_recorded:-no} results written down, $n counted: $_why"
	fi
	if ls "$TMP"/.san/report.* > /dev/null 2>&1; then
		_fail "every qvault run by this script exits without a sanitizer report" \
			"$(ls "$TMP"/.san/ | wc -l) reports, below"
		sanitizer_reports
	fi
	echo "1..$n"
}

# ecdsa_s FILE [high|low]: the ECDSA SSHSIG in FILE with that s of its
# two, (r, s) and (r, n - s), on stdout, the rest as it was (a security
# key's flags, counter, clientDataJSON); with no spelling, which one it has
ecdsa_s() {
	python3 - "$@" <<'PY'
import base64, struct, sys
N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
text = open(sys.argv[1]).read().strip().splitlines()
raw = base64.b64decode("".join(text[1:-1]))
def strings(b, n):
    out, p = [], 0
    for _ in range(n):
        (k,) = struct.unpack(">I", b[p:p + 4]); out.append(b[p + 4:p + 4 + k]); p += 4 + k
    return out, b[p:]
def string(b): return struct.pack(">I", len(b)) + b
def mpint(v):
    b = v.to_bytes(33, "big").lstrip(b"\0")
    return string(b"\0" + b if b[0] & 0x80 else b)
(pub, ns, res, alg, sig), _ = strings(raw[10:], 5)
(t, rs), rest = strings(sig, 2)
(r, s), _ = strings(rs, 2)
s = int.from_bytes(s, "big")
if len(sys.argv) == 2:
    print("high" if s > N // 2 else "low"); sys.exit(0)
if (s > N // 2) != (sys.argv[2] == "high"):
    s = N - s
sig = string(t) + string(mpint(int.from_bytes(r, "big")) + mpint(s)) + rest
raw = raw[:10] + b"".join(string(x) for x in (pub, ns, res, alg, sig))
b = base64.b64encode(raw).decode()
print("-----BEGIN SSH SIGNATURE-----")
for i in range(0, len(b), 70): print(b[i:i + 70])
print("-----END SSH SIGNATURE-----")
PY
}

# ---- qvault serve, the HTTP API -------------------------------------------

# evalq SCRIPT: SCRIPT run in this shell, where the helpers are
evalq() { eval "$1"; }
# need_curl: the script is skipped without curl
need_curl() {
	command -v curl > /dev/null && return 0
	_skip "no curl (scripts/deps installs it)"
	done_testing
	exit 0
}
# free_port: a free TCP port on 127.0.0.1 (bound once and let go)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# nginx_start HOST SOCKET [SED-ARG...]: Debian's nginx on 127.0.0.1 with TLS
# for HOST (a name or an IP address; a throwaway certificate, cert.pem)
# and the server block we ship (deploy/nginx.conf, and SED-ARG... on it)
# proxying to serve's Unix socket SOCKET; sets TLS (NGINX_TLS if set) and
# PLAIN, its ports, and NGX, its pid, once it answers
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
nginx_start() {
	_host=$1 _sock=$2
	shift 2
	case $_host in *[!0-9.]*) _san=DNS:$_host ;; *) _san=IP:$_host ;; esac
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=$_host" -addext "subjectAltName=$_san" \
		-keyout key.pem -out cert.pem > /dev/null 2>&1
	_try=0
	while :; do
	TLS=${NGINX_TLS:-$(free_port)}
	PLAIN=$(free_port)
	mkdir -p nginx
	sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS ssl http2;|" \
	    -e "s|listen 80;|listen 127.0.0.1:$PLAIN;|" -e '/listen \[::\]/d' \
	    -e "s|/etc/ssl/qvault/fullchain.pem|$TMP/cert.pem|" \
	    -e "s|/etc/ssl/qvault/privkey.pem|$TMP/key.pem|" \
	    -e "s|unix:/run/qvault/api.sock|unix:$_sock|" "$@" \
	    "$TESTS_DIR/../../deploy/nginx.conf" > nginx/site.conf
	cat > nginx/nginx.conf <<NGINX_CONF
daemon off;
master_process off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	include $TMP/nginx/site.conf;
}
NGINX_CONF
	"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2> nginx/start.err &
	NGX=$!
	_i=0
	while ! curl -s -o /dev/null --cacert cert.pem "https://$_host:$TLS/" && [ $_i -lt 100 ] &&
		kill -0 "$NGX" 2> /dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	# a free port taken by a script running beside this one between
	# free_port and nginx's bind: again, on others (twice at most)
	kill -0 "$NGX" 2> /dev/null || ! grep -q "Address already in use" nginx/start.err nginx/error.log 2> /dev/null ||
		[ -n "${NGINX_TLS:-}" ] || [ $_try -ge 2 ] || { _try=$((_try + 1)); continue; }
	break
	done
}
# tok ARG...: a token the admin made (qvault token create ARG...)
tok() { q --key "$TMP/admin.pem" token create "$@" 2> /dev/null; }
# serve_wait FILE: until FILE, a serve's output, says it listens (10 s at most)
serve_wait() {
	_i=0
	while ! grep -q listening "$1" 2> /dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
# serve_start [ARG...]: qvault serve on a free loopback port (and ARG...),
# its output in serve.out and serve.err; sets SERVE (its pid), URL, PORT
# and WRITER (the writer's pid), and points `api` at it
serve_start() {
	rm -f serve.out # a server before may have left its own
	q serve --listen 127.0.0.1:0 "$@" > serve.out 2> serve.err &
	SERVE=$!
	SERVES="$SERVES $SERVE"
	serve_wait serve.out
	URL=$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' serve.out)
	WRITER=$(sed -n 's/.*(writer \([0-9]*\)).*/\1/p' serve.out)
	PORT=$(echo "$URL" | sed 's|.*:\([0-9]*\)/.*|\1|')
	api_init "$URL"
}
# error PATTERN: body.json is {"error": "..."} matching PATTERN (Python's re)
error() { python3 -c 'import json,re,sys; e=json.load(open("body.json"))["error"]
sys.exit(0 if re.search(sys.argv[1], e) else "error %r does not match %r" % (e, sys.argv[1]))' "$1"; }
# is EXPR VALUE: the Python expression EXPR of the body (d) is VALUE
is() {
	python3 -c 'import json,sys; d=json.load(open("body.json")); v=str(eval(sys.argv[1]))
if v != sys.argv[2]: sys.exit("%s is %r, not %r" % (sys.argv[1], v, sys.argv[2]))' "$1" "$2"
}
# lacks GREP-ARG...: no line of body.json matches (grep -q GREP-ARG...),
# once a page's CSRF token (the meta and each form's hidden field) is cut
# out.  The token is 43 random characters of base64url, where a short
# pattern is found by chance: "77" in about one page of a hundred, "R-3"
# in one of six thousand; a check that nothing of another organization
# shows must not fail for that, nor pass by matching less.
lacks() {
	! sed -e 's/<meta name="csrf" content="[^"]*">//g' \
	      -e 's/<input type="hidden" name="csrf" value="[^"]*">//g' body.json | grep -q "$@"
}
holds() { ! lacks "$@"; }
# field EXPR: the Python expression EXPR of the body (d), printed
field() { python3 -c 'import json,sys; d=json.load(open("body.json")); print(eval(sys.argv[1]))' "$1"; }
# api_state: what a refused request must leave as it was: the branch, every ref, every file
api_state() { git -C "${V:-}" rev-parse HEAD; git -C "${V:-}" for-each-ref; snapshot; }
# refused_as REQUEST STATUS PATTERN DESC ARG...: `REQUEST STATUS ARG...`
# (api, post, or a script's own of that form) is answered STATUS with an
# error matching PATTERN, and the vault is unchanged
refused_as() {
	rf=$1 rs=$2 rp=$3 rd=$4; shift 4
	before=$(api_state)
	if ! "$rf" "$rs" "$@" 2> "$TMP/.err"; then
		_fail "$rd" "$(cat "$TMP/.err")"
	elif ! error "$rp" 2> "$TMP/.err"; then
		_fail "$rd" "$(cat "$TMP/.err")"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$rd" "the vault changed"
	else
		_pass "$rd"
	fi
}
# refused STATUS PATTERN DESC METHOD PATH TOKEN [CURL ARG...]: the answer
# is STATUS with an error matching PATTERN, and the vault is unchanged
refused() { refused_as api "$@"; }
# ---- the portal, as its pages' script and a passkey (tests/webauthn.py as $WA)
# speak to it, for the portal at $ORIGIN; COOKIE and CSRF: the session's, if any
# need_webauthn: the script is skipped without curl or python3-cryptography
# (which webauthn.py needs); else sets WA, and ORIGIN to http://localhost:8443
need_webauthn() {
	if ! command -v curl > /dev/null || ! /usr/bin/python3 -c 'import cryptography' 2> /dev/null; then
		_skip "no curl or python3-cryptography (scripts/deps installs them)"
		done_testing
		exit 0
	fi
	WA="/usr/bin/python3 $TESTS_DIR/../webauthn.py"
	ORIGIN=http://localhost:8443
}
# enroll_link NAME ORG ROLE: the admin adds NAME of ORG with ROLE, to enroll
# a passkey at the portal ($ORIGIN) by a link; the link's secret on stdout
# (the whole answer of user add in enroll.out)
enroll_link() {
	q --key "$TMP/admin.pem" user add "$1" --org "$2" --role "$3" --enroll "$ORIGIN" > enroll.out &&
	sed -n 's/.*#\([0-9a-f]*\)\..*/\1/p' enroll.out
}
# portal_start [ARG...]: serve_start --origin $ORIGIN [ARG...], with `api`
# (and so `web`) pointed at the portal, not its API, and no session
portal_start() { serve_start --origin "$ORIGIN" "$@" && api_init "${URL%api/v1/}" && COOKIE= CSRF=; }
# web STATUS METHOD PATH [CURL ARG...]: as a page of the portal sends it (its
# Origin, and the session's cookie and CSRF token when there is one)
web() {
	ws=$1 wm=$2 wp=$3; shift 3
	api "$ws" "$wm" "$wp" '' -H "Origin: $ORIGIN" ${COOKIE:+-H "Cookie: __Host-qvault=$COOKIE"} \
		${CSRF:+-H "X-CSRF-Token: $CSRF"} "$@"
}
# post STATUS PATH JSON [CURL ARG...]
post() { ps=$1 pp=$2 pj=$3; shift 3; web "$ps" POST "$pp" -H 'Content-Type: application/json' --data "$pj" "$@"; }
# wrefused STATUS PATTERN DESC PATH JSON [CURL ARG...]: the post is refused, the vault unchanged
wrefused() { refused_as post "$@"; }
# with JSON KEY=VALUE...: JSON with these string members added
with() { /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1])
for kv in sys.argv[2:]: k, v = kv.split("=", 1); d[k] = v
print(json.dumps(d))' "$@"; }
challenge() { field 'd["challenge"]'; }
# enroll_answer NAME SECRET [OPT...]: the enrollment's answer (webauthn.py create OPT...) in answer.json
enroll_answer() {
	en=$1 es=$2; shift 2
	post 200 enroll/options "{\"name\":\"$en\",\"secret\":\"$es\"}" &&
	with "$($WA create "$en" "$(challenge)" "$@")" name="$en" secret="$es" > answer.json
}
# enroll NAME SECRET: NAME enrolls the passkey NAME ($WA key NAME) by the
# link of SECRET (enroll_answer, and its post answered 200)
enroll() { enroll_answer "$1" "$2" && post 200 enroll "$(cat answer.json)" > /dev/null; }
# portal_users NAME:ORG:ROLE...: each NAME asked to enroll (enroll_link, its
# secret in NAME.secret) and given its passkey ($WA key NAME), the portal
# started (portal_start), and each enrolled (enroll)
portal_users() {
	for pu in "$@"; do
		pn=${pu%%:*} po=${pu#*:}
		enroll_link "$pn" "${po%%:*}" "${po#*:}" > "$pn.secret"
		$WA key "$pn"
	done
	portal_start
	for pu in "$@"; do
		enroll "${pu%%:*}" "$(cat "${pu%%:*}.secret")"
	done
}
# form STATUS PATH FIELD=VALUE...: the form posted as a page of the portal posts it
form() {
	fs=$1 fp=$2; shift 2
	for kv in "$@"; do set -- "$@" --data-urlencode "$kv"; shift; done
	web "$fs" POST "$fp" --data-urlencode "csrf=$CSRF" "$@"
}
# rawform STATUS PATH BODY: the form's body as given (already url-encoded), with the CSRF token
rawform() { web "$1" POST "$2" --data-binary "csrf=$CSRF&$3" -H 'Content-Type: application/x-www-form-urlencoded'; }
# alert: what the page in body.json says went wrong (its role=alert), unescaped
alert() {
	sed -n 's/.*<p role="alert"[^>]*>\([^<]*\)<.*/\1/p' body.json |
		sed "s/&#39;/'/g; s/&quot;/\"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g"
}
# said: what the answer says went wrong: its page's alert, or its JSON error
said() { if grep -q '^{' body.json; then field 'd["error"]'; else alert; fi; }
# form_refused_as REQUEST WHY STATUS PATTERN DESC PATH ARG...: REQUEST
# STATUS PATH ARG... (form or rawform) is answered STATUS, WHY (alert or
# said) matching PATTERN, the vault unchanged
form_refused_as() {
	rq=$1 rw=$2 rs=$3 rp=$4 rd=$5 rpath=$6; shift 6
	before=$(api_state)
	if ! "$rq" "$rs" "$rpath" "$@" 2> "$TMP/.err"; then
		_fail "$rd" "$(cat "$TMP/.err")"
	elif ! "$rw" | grep -Eq -- "$rp"; then
		_fail "$rd" "it says: $("$rw")"
	elif [ "$before" != "$(api_state)" ]; then
		_fail "$rd" "the vault changed"
	else
		_pass "$rd"
	fi
}
# frefused STATUS PATTERN DESC PATH FIELD=VALUE...: the form is answered
# STATUS, its page says why (role=alert) matching PATTERN, the vault unchanged
frefused() { form_refused_as form alert "$@"; }
# xrefused STATUS PATTERN DESC PATH BODY: the raw form is answered STATUS,
# saying why (the page's alert or the JSON error) matching PATTERN, the vault unchanged
xrefused() { form_refused_as rawform said "$@"; }
# login_answer NAME KEY [OPT...]: a login's answer, by passkey KEY, in answer.json
login_answer() {
	ln=$1 lk=$2; shift 2
	post 200 login/options "{\"name\":\"$ln\"}" &&
	with "$($WA get "$lk" "$(challenge)" "$@")" name="$ln" > answer.json
}
# login NAME COUNTER: COOKIE and CSRF of a new session of NAME
login() {
	COOKIE= CSRF=
	login_answer "$1" "$1" counter="$2" && post 200 login "$(cat answer.json)" &&
	COOKIE=$(sed -n 's/^Set-Cookie: __Host-qvault=\([^;]*\);.*/\1/ip' headers.txt | tr -d '\r') &&
	web 200 GET inbox && CSRF=$(sed -n 's/.*<meta name="csrf" content="\([^"]*\)".*/\1/p' body.json)
}
