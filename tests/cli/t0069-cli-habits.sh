#!/bin/sh
# A command line that fits people's habits (issue 20): files written only
# over nothing unless --force; log newest first (--reverse); tables sized
# to their widest value under a header row; progress on long work, on a
# terminal or with --progress, never with --quiet.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key sam.pem ack DWG-1@C > /dev/null
make_pdf coc.pdf "CoC L-1"
q --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --doc COC-1@A > /dev/null
fai_pkg FAIR-1 6.05

# ---- files written: never over one that exists, unless --force -------------------
# precious FILE: FILE holds what a user keeps, which a refusal must leave
precious() { printf 'keep me\n' > "$1"; }
kept() { test "$(cat "$1")" = "keep me"; }
# refuses_over FILE DESC CMD...: CMD, whose output FILE exists, is refused
# with the one line, exit 1, the vault and FILE unchanged
refuses_over() {
	f=$1 d=$2; shift 2
	precious "$f"
	fails 1 "^qvault: '$f' exists; use --force to overwrite$" "$d refuses to overwrite '$f'" "$@"
	check "  '$f' is as it was" kept "$f"
}
refuses_over out.pdf "cat -o" q cat DWG-1@C -o out.pdf
refuses_over b.zip "export -o" q export --lot L-1 -o b.zip
refuses_over p.zip "fai pack -o" q fai pack pkg -o p.zip
refuses_over s.html "scorecard --html" q scorecard --html s.html
refuses_over k.pem "key generate -o" q key generate -o k.pem
rm -rf v2
refuses_over k2.pem "init --new-key" env -u QVAULT_KEY "$QVAULT" init v2 --new-key k2.pem
check "  and no vault was made" test ! -e v2
ln -s k.pem link.pem
fails 1 "'link.pem' exists; use --force" "a symbolic link counts as a file that exists" \
	q key generate -o link.pem
check "  the link and its file as they were" sh -c 'test -L link.pem && test "$(cat k.pem)" = "keep me"'

ok "cat -o --force overwrites" q cat DWG-1@C -o out.pdf --force
check "  with the revision's bytes" cmp -s out.pdf c.pdf
ok "export -o --force overwrites" q export --lot L-1 -o b.zip --force
check "  with a bundle stock unzip opens" sh -c 'unzip -l b.zip | grep -q SHA256SUMS'
ok "fai pack -o -f overwrites" q fai pack pkg -o p.zip -f
check "  with the same bytes as a new package" sh -c 'q fai pack pkg -o p2.zip > /dev/null && cmp -s p.zip p2.zip'
ok "scorecard --html --force overwrites" q scorecard --html s.html --force
check "  with the page" grep -q '<svg' s.html
ok "key generate -o --force overwrites" q key generate -o k.pem --force
check "  with a private key, 0600" sh -c 'grep -q "BEGIN PRIVATE KEY" k.pem && test "$(stat -c %a k.pem)" = 600'
cp k.pem k.keep
ok "--force replaces a link, never the file behind it" q key generate -o link.pem --force
check "  link.pem is a file now; k.pem is untouched" sh -c '! test -L link.pem && grep -q "BEGIN PRIVATE KEY" link.pem && cmp -s k.pem k.keep'
mkfifo pipe
fails 1 "^qvault: 'pipe' is not a file: --force replaces files only$" \
	"--force never replaces a named pipe (nor a device: /dev/null would become a file)" \
	q scorecard --html pipe --force
check "  the pipe is still a pipe" test -p pipe
mkdir folder.out
fails 1 "^qvault: 'folder.out' is not a file" "  nor a folder" q cat DWG-1@C -o folder.out --force
check "  the folder is still there, empty" evalq '[ -d folder.out ] && [ -z "$(ls -A folder.out)" ]'
ok "init --new-key --force overwrites" env -u QVAULT_KEY "$QVAULT" init v2 --new-key k2.pem --force
check "  the vault trusts the key written" sh -c 'q -C v2 --key k2.pem user list | grep -q admin'
fails 1 "no lot 'NOPE'" "a failed export leaves the file it would have replaced" \
	q export --lot NOPE -o b.zip --force
check "  b.zip is still the bundle" sh -c 'unzip -l b.zip | grep -q SHA256SUMS'
check "no temporary folder is left behind" sh -c '! ls -a | grep -q "^\.qvault-"'
fails 1 "cannot write 'nowhere/x.zip'" "a folder that does not exist: one line" \
	q export --lot L-1 -o nowhere/x.zip

# ---- log: newest first, as git log; --reverse for oldest first -------------------
q log > log.txt
q log --reverse > rlog.txt
check "log: newest first, in git log's order" sh -c '
	cut -c1-12 log.txt > ids.txt && git -C v log --format=%H main | cut -c1-12 > git-ids.txt &&
	test -s ids.txt && cmp -s ids.txt git-ids.txt'
check "  the latest event (the lot) on the first line, init on the last" sh -c '
	head -n 1 log.txt | grep -q "lot-add .*L-1" && tail -n 1 log.txt | grep -q " init "'
check "log --reverse: the same lines, oldest first" sh -c 'tac rlog.txt | cmp -s - log.txt &&
	head -n 1 rlog.txt | grep -q " init "'
check "log DOC: newest first too (the acknowledgment, then the release)" sh -c '
	q log DWG-1 > d.txt && test "$(wc -l < d.txt)" = 2 && head -n 1 d.txt | grep -q " ack " &&
	tail -n 1 d.txt | grep -q " release "'
check "log --json in the same order, --reverse too" sh -c '
	q log --json | jq -r ".[].commit" | cut -c1-12 | cmp -s - ids.txt &&
	q log --json --reverse | jq -r ".[].commit" | cut -c1-12 | tac | cmp -s - ids.txt'

# ---- tables: columns as wide as their widest value, under a header row --------
make_pdf long.pdf "a long number"
q release DWG-A-VERY-LONG-DOCUMENT-NUMBER-0001 --rev A long.pdf --to acme --title "long one" > /dev/null
# aligned FILE HEAD: in every line of FILE the column headed HEAD starts
# where its header does, two spaces after the column before it
aligned() {
	awk -v head="$2" 'NR == 1 { at = index($0, head); if (at < 3) exit 1; next }
		substr($0, at - 2, 2) != "  " || substr($0, at, 1) == " " { bad = 1 }
		END { exit bad || NR < 2 }' "$1"
}
q list > l.txt
check "list: a header row" sh -c 'head -n 1 l.txt | grep -q "^DOC  *REV  *TYPE  *STATE  *TITLE$"'
check "  a number longer than any column used to be keeps the columns aligned" evalq '
	grep -q "^DWG-A-VERY-LONG-DOCUMENT-NUMBER-0001  A  *drawing " l.txt &&
	aligned l.txt REV && aligned l.txt TYPE && aligned l.txt STATE && aligned l.txt TITLE'
check "  the first column as wide as its widest value, no wider" sh -c '
	test "$(head -n 1 l.txt | awk "{ print index(\$0, \"REV\") }")" = $((36 + 3))'
check "  no trailing spaces" sh -c '! grep -q " $" l.txt'
check "po list: right-aligned numbers end under their header" sh -c '
	q po list > p.txt && head -n 1 p.txt | grep -q "^PO  *SUPPLIER  *STATE  *LINES  *ORDERED" &&
	end=$(head -n 1 p.txt | awk "{ print index(\$0, \"ORDERED\") + 6 }") &&
	sed -n 2p p.txt | cut -c$end | grep -qx 0 && sed -n 2p p.txt | cut -c$((end - 1)) | grep -qx 5'
check "pending, user list, token list, types list, hooks list, inbox: a header row each" sh -c '
	q pending | head -n 1 | grep -q "^REVISION  *ORG  *RELEASED$" &&
	q user list | head -n 1 | grep -q "^USER  *ORG  *ROLES  *KEY  *STATE$" &&
	q types list | head -n 1 | grep -q "^TYPE  *ALLOWED$" &&
	q hooks list | head -n 1 | grep -q "^HOOK  *STATE  *WHAT$" &&
	q --key sam.pem inbox | head -n 1 | grep -q "^SINCE  *DAYS  *ACTION  *SUBJECT  *ORG  *DETAIL$"'
check "  pending aligned, its long revision included" evalq '
	q pending > pe.txt && grep -q "^DWG-A-VERY-LONG-DOCUMENT-NUMBER-0001@A  acme  " pe.txt && aligned pe.txt ORG &&
	aligned pe.txt RELEASED'
check "a table with no row prints nothing, not even its header" sh -c '
	q list --type spec > e.txt && test ! -s e.txt'
check "--json prints no table: the same JSON list" sh -c '
	q list --json | jq -e "length == 3 and (.[0] | has(\"doc\"))" > /dev/null'
check "log: no header row, one line per commit, its columns aligned" sh -c '
	q log > g.txt && test "$(wc -l < g.txt)" = "$(git -C v rev-list --count main)" &&
	awk "{ print index(\$0, \$4) }" g.txt | sort -u | wc -l | grep -qx 1'

# ---- progress: on a terminal, or with --progress; never with --quiet alone -------
# `lines FILE`: each state of each \r-redrawn line of FILE, one a line;
# `done_line FILE STAGE`: FILE ends STAGE with "STAGE: 100% (N/N), done."
# (commands, for the `sh -c` of checks)
printf '#!/bin/sh\ntr "\\r" "\\n" < "$1" | grep -v "^$"\n' > "$TMP/.bin/lines"
printf '#!/bin/sh\nlines "$1" | grep -Eq "^$2: 100%% \\(([0-9]+)/\\1\\), done\\.$"\n' > "$TMP/.bin/done_line"
chmod +x "$TMP/.bin/lines" "$TMP/.bin/done_line"
check "verify --progress, stderr to a file: each stage from 0% to done" sh -c '
	q verify --progress > out.txt 2> err.txt && grep -q "^ok: " out.txt' 
check "  Checking commits: its 0% first, at the start of the work, then done" sh -c '
	lines err.txt | head -n 1 | grep -Eq "^Checking commits:   0% \(0/[0-9]+\)$" &&
	lines err.txt | grep -q "^Checking commits: 100% ($(git -C v rev-list --count main)/$(git -C v rev-list --count main)), done\.$"' 
check "  Checking files: a count, then done" sh -c 'lines err.txt | grep -Eq "^Checking files: [0-9]+, done\.$"'
check "  one line a stage, redrawn with \\r, ended by a newline" sh -c '
	test "$(wc -l < err.txt)" = 2 && grep -q "$(printf "\r")" err.txt'
check "verify, stderr no terminal: no progress" sh -c 'q verify > out.txt 2> err.txt && test ! -s err.txt'
check "verify --quiet: no progress" sh -c 'q verify --quiet > /dev/null 2> err.txt && test ! -s err.txt'
check "verify --json --progress: stdout is the JSON alone" sh -c '
	q verify --json --progress > out.json 2> err.txt && jq -e .ok out.json > /dev/null && done_line err.txt "Checking commits"'
if command -v script > /dev/null; then
	# a terminal: script(1) of util-linux runs the command on a pseudo-terminal
	check "on a terminal, verify shows its progress unasked" sh -c '
		script -qec "q verify" /dev/null > tty.txt 2>&1 &&
		tr -d "\r" < tty.txt | grep -q "Checking commits: 100% (.*), done\." && grep -q "^ok: " tty.txt'
	check "  and --quiet silences it there" sh -c '
		script -qec "q verify --quiet" /dev/null > tty.txt 2>&1 && ! grep -q "Checking" tty.txt &&
		grep -q "^ok: " tty.txt'
	check "  a command with no long work shows none" sh -c '
		script -qec "q list" /dev/null > tty.txt 2>&1 && ! grep -q "%" tty.txt'
else
	_skip "no script(1) (util-linux): the terminal cases"
fi
check "reindex --progress: Indexing commits to done" sh -c '
	q reindex --progress > /dev/null 2> err.txt && done_line err.txt "Indexing commits"'
check "reindex: nothing without" sh -c 'q reindex > /dev/null 2> err.txt && test ! -s err.txt'
mkdir imp
for i in 1 2 3 4 5 6; do make_pdf imp/d$i.pdf "import $i"; done
printf '[%s]\n' "$(for i in 1 2 3 4 5 6; do printf '{"file": "d%s.pdf", "doc": "IMP-%s", "type": "drawing"}' $i $i; [ $i = 6 ] || printf ','; done)" > imp/m.json
check "import --progress: Storing files from 0% to 100% (6/6), done" sh -c '
	q import imp/m.json --progress > /dev/null 2> err.txt && lines err.txt | grep -q "^Storing files:   0% (0/6)$" &&
	lines err.txt | grep -q "^Storing files: 100% (6/6), done\.$"'
check "export --progress: collecting, then writing the bundle" sh -c '
	q export --lot L-1 -o pb.zip --progress > /dev/null 2> err.txt &&
	done_line err.txt "Collecting revisions" && done_line err.txt "Writing bundle"'
check "export -q: nothing" sh -c 'q export --lot L-1 -o pq.zip -q > /dev/null 2> err.txt && test ! -s err.txt'
fai_pkg FAIR-2 6.05
check "fai add --progress: Storing members to done" sh -c '
	q --key sam.pem fai add fai.zip --progress > /dev/null 2> err.txt && done_line err.txt "Storing members"'
check "clone --progress: objects received, then the history checked" sh -c '
	q clone --progress "file://$PWD/v" c > /dev/null 2> err.txt &&
	done_line err.txt "Receiving objects" && done_line err.txt "Checking commits"'
make_pdf n.pdf "new"
q add n.pdf --doc NEW-1 --type other > /dev/null
check "pull --progress: what came in, checked" sh -c '
	q -C c pull --progress > out.txt 2> err.txt && grep -q "took the other site" out.txt &&
	done_line err.txt "Receiving objects" && done_line err.txt "Checking commits"'
check "pull, no terminal: nothing on stderr" sh -c '
	q add n.pdf --doc NEW-2 --type other > /dev/null && q -C c pull > /dev/null 2> err.txt && test ! -s err.txt'
V=c
fails 1 "no remote 'nowhere'" "a refusal with --progress: one line, no progress before it" q -C c pull nowhere --progress

done_testing
