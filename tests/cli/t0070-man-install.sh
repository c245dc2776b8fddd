#!/bin/sh
# qvault help COMMAND, the manual pages and the bash and zsh completion
# made from the command and option tables (cli/generate.c), and `make
# install` into a DESTDIR (issue 20, "a command line that fits").
. "$(dirname "$0")/lib.sh"
top=$(cd "$TESTS_DIR/../.." && pwd)

vault_v
make_pdf d.pdf
q add d.pdf --doc DWG-7 --type drawing > /dev/null
q add d.pdf --doc SPEC-3 --type spec > /dev/null
# the completion runs `qvault` from PATH, as a user's shell does
ln -s "$TMP/.bin/q" "$TMP/.bin/qvault"

# ---- qvault help COMMAND -----------------------------------------------------------
check "help add prints what add --help prints" sh -c '
	q help add > h1 && q add --help > h2 && cmp h1 h2 && grep -q "^usage: qvault add " h1'
check "help key generate: a two-word command, as key generate --help" sh -c '
	q help key generate > h1 && q key generate --help > h2 && cmp h1 h2'
check "help ack: the command, and its group's commands" sh -c '
	q help ack > h1 && q ack --help > h2 && cmp h1 h2 && grep -q "ack export" h1'
check "help key: a group lists its commands, exit 0" sh -c '
	q help key > h1 && grep -q "^  key generate " h1'
check "help alone: the global options and every command, exit 0" sh -c '
	q help > h1 && grep -q "^usage: qvault \[-C DIR\]" h1 && grep -q "^  verify " h1'
fails 2 "^qvault: unknown command 'relase'; did you mean 'release'\?$" \
	"help of an unknown command: the nearest one, exit 2" q help relase
fails 2 "^qvault: unknown command 'key genrate'; did you mean 'key generate'\?$" \
	"help of an unknown command of a group: the nearest of the group" q help key genrate
fails 2 "^qvault: help: unexpected argument 'foo'" \
	"help add foo: one command only" q help add foo
fails 2 "^qvault: help: --completion 'fish' is not one of bash, zsh" \
	"--completion of a shell qvault has none for" q help --completion fish
fails 2 "^qvault: help: --man, --commands and --completion go one at a time" \
	"--man and --completion at once" q help --man --completion bash

# ---- list --numbers (what the completion offers for a document) --------------------
check "list --numbers: the document numbers, one a line" sh -c '
	test "$(q list --numbers)" = "$(printf "DWG-7\nSPEC-3")"'
check "  with --type" sh -c 'test "$(q list --numbers --type spec)" = SPEC-3'
fails 2 "^qvault: list: --json and --numbers go one at a time" \
	"list --numbers --json" q list --numbers --json

# ---- manual pages ------------------------------------------------------------------
q help --commands > commands
check "help --commands: every command of qvault --help, in its order" sh -c '
	q --help | sed -n "/^Commands:/,/^\$/s/^  \([a-z-]*\( [a-z-]\{1,\}\)\{0,1\}\)  .*/\1/p" > listed &&
	test -s listed && cmp listed commands'
# render SOURCE: the page as plain text, one line, spaces squeezed; its
# warnings (groff -ww, as man --warnings shows them) in warn
render() {
	LC_ALL=C MANWIDTH=1000 man --warnings -l "$1" 2> warn | col -b | tr '\t\n' '  ' | tr -s ' '
}
q help --man > qvault.1
render qvault.1 > qvault.txt
check "man qvault renders without a warning" test ! -s warn
check "  groff -man -ww agrees" sh -c 'groff -man -ww -z qvault.1 2>&1 | { ! grep -q .; }'
check "  names every command with its summary" sh -c '
	while read -r c; do
		s=$(q help $c | sed -n 3p | tr -s " ")
		grep -qF -- "$c" qvault.txt && grep -qF -- "$s" qvault.txt || { echo "$c" >&2; exit 1; }
	done < commands'
check "  the environment: QVAULT_DIR, QVAULT_KEY, QVAULT_PASSPHRASE_ENV" sh -c '
	grep -q "ENVIRONMENT QVAULT_DIR .* QVAULT_KEY .* QVAULT_PASSPHRASE_ENV" qvault.txt'
check "  exit codes 0, 1, 2 and 3, and the files" sh -c '
	grep -q "EXIT STATUS 0 ok 1 .* 2 a usage error.* 3 verification failed" qvault.txt &&
	grep -q "FILES VAULT/ .* VAULT/qvault/index.db" qvault.txt'
check "  every global option of qvault --help" sh -c '
	q --help | sed -n "1,/^\$/p" | grep -o -- "-C\|--[a-z-]*" | sort -u > globals &&
	test "$(wc -l < globals)" -ge 5 &&
	while read -r o; do grep -qF -- " $o" qvault.txt || { echo "$o" >&2; exit 1; }; done < globals'
# each command's page: its options with their help, as its --help has them
bad=""
while read -r c; do
	page=qvault-$(echo "$c" | tr ' ' -)
	q help --man $c > "$page.1"
	render "$page.1" > "$page.txt"
	[ -s warn ] && bad="$bad $page(warns: $(head -1 warn))"
	grep -q " NAME $page - " "$page.txt" || bad="$bad $page(no NAME)"
	q help $c | sed -nE 's/^ {1,4}(-., )?--[a-z0-9-]+( [A-Z][^ ]*)? +//p' > helps
	test -s helps || bad="$bad $page(no options?)"
	while read -r h; do
		grep -qF -- "$(printf '%s' "$h" | tr -s ' ')" "$page.txt" || bad="$bad $page(--help says '$h')"
	done < helps
	q help $c | sed -nE 's/^ {1,4}(-., )?(--[a-z0-9-]+).*/\2/p' > names
	while read -r o; do
		grep -qF -- "$o" "$page.txt" || bad="$bad $page($o)"
	done < names
done < commands
check "each command's page renders without a warning, with every option and its help" \
	sh -c "test -z '$bad' || { echo '$bad' >&2; exit 1; }"
check "  qvault-key-generate: synopsis, options, exit status" sh -c '
	grep -q "SYNOPSIS qvault key generate \[--output FILE\]" qvault-key-generate.txt &&
	grep -q -- "-o, --output FILE the new private key file" qvault-key-generate.txt &&
	grep -q "EXIT STATUS 0 ok" qvault-key-generate.txt'
# a line of the source opening with a dot or a quote is one of the requests
# qvault writes, never text
cat > requests.awk << 'EOF'
/^[.']/ && !/^\.(TH|SH|TP|PP|B|br|nh|ad)( |$)/ && !/^\.\\"/ { print FILENAME ": " $0; bad = 1 }
END { exit bad }
EOF
check "  troff source: only qvault's requests open a line" awk -f requests.awk qvault.1 qvault-*.1
check "  an option as \\-\\-name, so that it copies as typed" \
	grep -q '^\\fB\\-o\\fR, \\fB\\-\\-output\\fR \\fIFILE\\fR$' qvault-key-generate.1

# ---- bash completion ---------------------------------------------------------------
q help --completion bash > qvault.bash
check "the bash completion is bash" bash -n qvault.bash
# complete WORD...: COMPREPLY for the last word, as bash's completion gets
# it, one a line (a command, so that `sh -c` runs it too)
cat > "$TMP/.bin/complete" << EOF
#!/bin/bash
. "$TMP/qvault.bash"
COMP_WORDS=("\$@")
COMP_CWORD=\$((\$# - 1))
COMPREPLY=()
_qvault
[ \${#COMPREPLY[@]} = 0 ] || printf '%s\n' "\${COMPREPLY[@]}"
EOF
chmod +x "$TMP/.bin/complete"
check "bash: the commands, one-word and the groups" sh -c '
	complete qvault "" > c.out 2> c.err && test ! -s c.err &&
	grep -qx add c.out && grep -qx key c.out && grep -qx verify c.out && grep -qx help c.out &&
	test "$(wc -l < c.out)" = "$(cut -d" " -f1 commands | sort -u | wc -l)"'
check "bash: a prefix" sh -c 'test "$(complete qvault rel | tr "\n" " ")" = "release "'
check "bash: a group's commands (key, po)" sh -c '
	test "$(complete qvault key "")" = generate &&
	complete qvault po "" | grep -qx change'
check "bash: an option of add" sh -c 'test "$(complete qvault add --ty)" = --type'
check "bash: add's options, and --key after the command" sh -c '
	complete qvault add - > c.out && grep -qx -- --doc c.out && grep -qx -- -d c.out &&
	grep -qx -- --key c.out && ! grep -qx -- --reason c.out'
check "bash: an option of a two-word command" sh -c 'test "$(complete qvault key generate --out)" = --output'
check "bash: the global options before the command" sh -c '
	complete qvault -- > c.out && grep -qx -- --remote c.out && grep -qx -- --version c.out'
check "bash: a document number from the vault's index (-C)" sh -c '
	test "$(complete qvault -C v show D)" = DWG-7'
check "bash: every document, from QVAULT_DIR, after an option and its value" sh -c '
	test "$(complete qvault release --to acme "" | tr "\n" " ")" = "DWG-7 SPEC-3 "'
# a list of documents that holds shell syntax (a qvault that answers it) is
# offered as words, never run: compgen -W would run $(...)
mkdir -p "$TMP/evil"
printf '#!/bin/sh\nprintf "%%s\\n" %s %s\n' "'DWG-\$(touch pwned)'" "'DWG-\`touch pwned2\`'" > "$TMP/evil/qvault"
chmod +x "$TMP/evil/qvault"
check "bash: a document list holding \$(...) is offered as it is, nothing run" sh -c "
	complete '$TMP/evil/qvault' show D > c.out && test ! -e pwned && test ! -e pwned2 &&
	grep -qxF 'DWG-\$(touch pwned)' c.out && grep -qxF 'DWG-\`touch pwned2\`' c.out"
check "bash: a document for ack, beside its group's command export" sh -c '
	complete qvault -C v ack "" > c.out && grep -qx export c.out && grep -qx SPEC-3 c.out'
check "bash: release DOC FILE: its second argument is a file" sh -c '
	test "$(complete qvault -C v release DWG-7 d.p)" = d.pdf'
check "bash: an option naming a file takes a file" sh -c '
	test "$(complete qvault -C v cat DWG-7 -o d.p)" = d.pdf'
check "bash: an option's value is not a document" sh -c '
	test -z "$(complete qvault -C v list --type "")"'
check "bash: help COMMAND completes commands" sh -c 'test "$(complete qvault help ver)" = verify'
mkdir -p outside
check "bash: outside a vault, no document and not a word on stderr" sh -c '
	cd outside && unset QVAULT_DIR && complete qvault show "" > ../c.out 2> ../c.err &&
	test ! -s ../c.out && test ! -s ../c.err'
check "bash: with --remote, no document from the local index" sh -c '
	test -z "$(complete qvault --remote ssh://h show "")"'

# ---- zsh completion ----------------------------------------------------------------
q help --completion zsh > _qvault
if command -v zsh > /dev/null; then
	check "the zsh completion is zsh" zsh -n _qvault
	check "zsh: compinit finds it for qvault (#compdef)" sh -c "
		test \"\$(zsh -f -c 'fpath=($TMP \$fpath); autoload -Uz compinit; compinit -u -d $TMP/.zcompdump
			print -r -- \$_comps[qvault]')\" = _qvault"
	# zq LINE [FUNCTION]: what completing the line's last word asks of the
	# completion system (its functions recorded), by FUNCTION (default
	# _qvault_argument: what follows the command's first word)
	cat > "$TMP/.bin/zq" << 'EOF'
#!/usr/bin/env -S zsh -f
_arguments() { print -rl -- _arguments "$@"; }
_describe() { local arr=${@[-1]}; print -rl -- _describe "${(@P)arr}"; }
compadd() { local arr=${@[-1]}; print -rl -- compadd "${(@P)arr}"; }
{ . "$QVAULT_ZSH" } > /dev/null
words=("${(@s: :)1}") CURRENT=${#words}
_qvault_bin=qvault _qvault_far= _qvault_cdir=(-C v)
${2:-_qvault_argument}
EOF
	chmod +x "$TMP/.bin/zq"
	export QVAULT_ZSH="$TMP/_qvault"
	check "zsh: a group's commands, described (key)" sh -c '
		zq "key " > z.out && grep -q "^_describe" z.out && grep -qx "generate:make a new.*" z.out'
	check "zsh: add's options with their help (--type)" sh -c '
		zq "add -" > z.out && grep -q "^--type=\[drawing, spec, .*\]:TYPE: " z.out &&
		grep -q "^1:FILE:_files\$" z.out'
	check "zsh: key generate, a two-word command" sh -c '
		zq "key generate -" > z.out && grep -q "^--output=\[the new private key file.*\]:FILE:_files" z.out'
	check "zsh: the documents of the index" sh -c '
		zq "show " > z.out && grep -qx "1:DOC\[@REV\]:_qvault_documents" z.out &&
		zq "show " _qvault_documents > z.out && grep -qx DWG-7 z.out && grep -qx SPEC-3 z.out'
else
	_skip "zsh is not installed (scripts/deps installs it)"
fi

# ---- make install ------------------------------------------------------------------
dest=$TMP/dest
# the harness's make (make check) is not this make's parent
unset MAKEFLAGS MAKELEVEL MFLAGS
ok "make install PREFIX=/usr DESTDIR=..." make -C "$top" --no-print-directory -s install \
	PREFIX=/usr DESTDIR="$dest"
check "  the binary runs: --version" sh -c "'$dest/usr/bin/qvault' --version | grep -q '^qvault [0-9]'"
check "  it is the plain build, no sanitizer" sh -c "! nm -D '$dest/usr/bin/qvault' | grep -q __asan_init"
check "  a man page for qvault and each command" sh -c "
	test -f '$dest/usr/share/man/man1/qvault.1' &&
	while read -r c; do test -f \"$dest/usr/share/man/man1/qvault-\$(echo \$c | tr ' ' -).1\" || exit 1; done < commands &&
	test \$(ls '$dest/usr/share/man/man1' | wc -l) = \$((\$(wc -l < commands) + 1))"
check "  man qvault-key-generate finds and renders it, without a warning" sh -c "
	LC_ALL=C MANWIDTH=80 man --warnings -M '$dest/usr/share/man' qvault-key-generate 2> warn |
		col -b | grep -q 'qvault-key-generate - make a new' && test ! -s warn"
check "  every installed page renders without a warning" sh -c "
	for p in '$dest'/usr/share/man/man1/*.1; do
		LC_ALL=C man --warnings -l \"\$p\" 2>&1 > /dev/null | grep -q . && { echo \"\$p\" >&2; exit 1; }
	done; true"
check "  the bash completion, as qvault makes it" cmp "$dest/usr/share/bash-completion/completions/qvault" qvault.bash
check "  the zsh completion, as qvault makes it" cmp "$dest/usr/share/zsh/vendor-completions/_qvault" _qvault
check "  the sample hooks, executable" sh -c "
	for h in pre-add post-release pre-receive post-notify; do
		test -x '$dest/usr/share/qvault/hooks/'\$h && cmp '$dest/usr/share/qvault/hooks/'\$h '$top/hooks/'\$h || exit 1
	done"
check "  nothing outside PREFIX" sh -c "test \"\$(ls '$dest')\" = usr"
ok "make uninstall" make -C "$top" --no-print-directory -s uninstall PREFIX=/usr DESTDIR="$dest"
check "  leaves no file" sh -c "test -z \"\$(find '$dest' -type f)\""

done_testing
