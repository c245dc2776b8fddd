/*
 * generate.c - what is made from the command table (main.c) and each
 * command's option table, so it never drifts from them: the manual pages
 * (troff, man(7)) and the bash and zsh completion.  The build runs
 * `qvault help --man` and `qvault help --completion` (Makefile, "docs").
 */
#include <string.h>

#include "cli.h"

/* The options main() takes before the command (its parser, its usage). */
static const struct {
	const char *name, *arg; /* "-C", "DIR" */
	char completes;         /* 'd' a folder, 'f' a file, 'v' a variable, 0 nothing */
	const char *help;
} globals[] = {
	{ "-C", "DIR", 'd', "the vault is the folder DIR (else $QVAULT_DIR, else the current folder)" },
	{ "--key", "FILE", 'f',
	  "act as the user whose private key is FILE (else $QVAULT_KEY; without one, "
	  "commands read everything and cannot write); also taken after the command" },
	{ "--passphrase-env", "NAME", 'v',
	  "the key's passphrase is in the environment variable NAME (else "
	  "$QVAULT_PASSPHRASE_ENV, else it is asked for on the terminal); also taken after "
	  "the command" },
	{ "--remote", "ssh://[USER@]HOST[:PORT]", 0,
	  "run the command on the vault behind `qvault shell` on HOST, reached with ssh "
	  "($QVAULT_SSH, default ssh): files go over the connection, signatures are made "
	  "here with the key FILE" },
	{ "--version", NULL, 0, "print qvault's version" },
	{ "--help", NULL, 0, "list the global options and every command (also -h)" },
};
#define NGLOBALS (sizeof(globals) / sizeof(globals[0]))

static const struct {
	const char *name, *text;
} environment[] = {
	{ "QVAULT_DIR", "the vault's folder, when -C is not given" },
	{ "QVAULT_KEY", "the acting user's private key file, when --key is not given" },
	{ "QVAULT_PASSPHRASE_ENV",
	  "the name of the variable that holds the key's passphrase, when --passphrase-env is "
	  "not given" },
	{ "QVAULT_SSH", "the ssh command --remote runs (default ssh)" },
	{ "QVAULT_SSH_KEY",
	  "the private key (with KEY.pub beside it) pull, push and clone use for ssh:// URLs; "
	  "else the ssh agent's keys" },
	{ "TMPDIR", "where temporary files are made (default /tmp)" },
};

static const struct {
	const char *path, *text;
} files[] = {
	{ "VAULT/", "the vault: a bare git repository, the record of truth, which stock git reads" },
	{ "VAULT/vault.json", "what each document type accepts, and the PDF policy (qvault types list)" },
	{ "VAULT/qvault/index.db",
	  "the SQLite index; derived: delete it and any command rebuilds it (qvault reindex)" },
	{ "VAULT/qvault/server.pem", "the vault's own server key, which signs for qvault shell" },
	{ "VAULT/hooks/",
	  "the vault's hooks, executables named for the event (pre-add, post-release, ...), run "
	  "with QVAULT_DIR, QVAULT_USER, QVAULT_ORG, QVAULT_EVENT and QVAULT_BIN set; "
	  "qvault hooks install copies the samples there" },
	{ "VAULT/outbox/", "the notification e-mails (.eml) each write leaves (git config qvault.outbox)" },
};

static const struct {
	const char *code, *text;
} exits[] = {
	{ "0", "ok" },
	{ "1", "an error: the one line on standard error says what" },
	{ "2", "a usage error: an unknown command or option, a missing argument, a malformed value" },
	{ "3", "verification failed: a stored file does not match its SHA-256, or verify or "
	       "audit found something" },
};

/* ---- troff ---- */

/*
 * The character at `s` (UTF-8) into *cp, and the bytes it takes; 0 for a
 * byte that begins no well-formed character.
 */
static size_t utf8_char(const unsigned char *s, unsigned long *cp)
{
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, *cp = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, *cp = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3F);
	}
	if (*cp < 0x80 || (len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		return 0;
	return len;
}

/*
 * `s` as troff text on `f`, at the start of a line or not (*bol, kept up
 * to date): a backslash as \e, every dash as \- (so options copy as
 * typed), a dot or quote opening a line behind \& (else it would be a
 * request), a character beyond ASCII as \[uXXXX], a control character as
 * a space; `quoted`: inside a macro's "argument", a double quote as \(dq.
 */
static void roff_to(FILE *f, const char *s, int quoted, int *bol)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t len;

	while (*p) {
		if (*bol && (*p == '.' || *p == '\''))
			fputs("\\&", f);
		*bol = 0;
		if (*p == '\n') {
			fputc('\n', f);
			*bol = 1;
			p++;
			continue;
		}
		if (*p >= 0x80) {
			if ((len = utf8_char(p, &cp)) == 0) {
				fputc('?', f);
				p++;
			} else {
				fprintf(f, "\\[u%04lX]", cp);
				p += len;
			}
			continue;
		}
		if (*p == '\\')
			fputs("\\e", f);
		else if (*p == '-')
			fputs("\\-", f);
		else if (*p == '"' && quoted)
			fputs("\\(dq", f);
		else if (*p < 0x20 || *p == 0x7F)
			fputc(' ', f);
		else
			fputc(*p, f);
		p++;
	}
}

/* `s` as troff text, `font` (B, I, or 0 for none) around it, mid-line. */
static void roff_in(FILE *f, char font, const char *s)
{
	int bol = 0;

	if (font)
		fprintf(f, "\\f%c", font);
	roff_to(f, s, 0, &bol);
	if (font)
		fputs("\\fR", f);
}

/* `s` as troff text from the start of a line, and the line's end. */
static void roff_line(FILE *f, const char *s)
{
	int bol = 1;

	roff_to(f, s, 0, &bol);
	fputc('\n', f);
}

/* `s` as a sentence: its first letter a capital, a full stop after it. */
static void roff_sentence(FILE *f, const char *s)
{
	char first[2] = { s[0], '\0' };
	int bol = 1;

	if (first[0] >= 'a' && first[0] <= 'z')
		first[0] = (char)(first[0] - 'a' + 'A');
	roff_to(f, first, 0, &bol);
	if (s[0])
		roff_to(f, s + 1, 0, &bol);
	fputs(s[0] && s[strlen(s) - 1] == '.' ? "\n" : ".\n", f);
}

/* The page's name: "qvault" and `cmd`'s words, joined by dashes. */
static void page_name(FILE *f, const cli_command *cmd, char font)
{
	if (font)
		fprintf(f, "\\f%c", font);
	fputs("qvault", f);
	if (cmd) {
		fputs("\\-", f);
		for (const char *p = cmd->name; *p; p++)
			if (*p == ' ' || *p == '-')
				fputs("\\-", f);
			else
				fputc(*p, f);
	}
	if (font)
		fputs("\\fR", f);
}

static void roff_header(FILE *f, const cli_command *cmd)
{
	int bol = 0;
	const char *p;

	fputs(".\\\" Made by `qvault help --man", f);
	if (cmd) {
		fputc(' ', f);
		roff_to(f, cmd->name, 0, &bol);
	}
	fputs("` from qvault's command and option tables: do not edit.\n", f);
	fputs(".TH \"", f);
	fputs(cmd ? "QVAULT\\-" : "QVAULT", f);
	for (p = cmd ? cmd->name : ""; *p; p++)
		if (*p == ' ' || *p == '-')
			fputs("\\-", f);
		else
			fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, f);
	fputs("\" 1 \"\" \"qvault ", f);
	roff_to(f, VAULT_VERSION, 1, &bol);
	/* no hyphenation: an option or a page name is copied as printed */
	fputs("\" \"qvault manual\"\n.nh\n.SH NAME\n", f);
	page_name(f, cmd, 0);
	fputs(" \\- ", f);
	roff_to(f, cmd ? cmd->summary : "a document-control and traceability vault for supplier quality",
		0, &bol);
	fputc('\n', f);
}

static void exit_status(FILE *f)
{
	size_t i;

	fputs(".SH EXIT STATUS\n", f);
	for (i = 0; i < sizeof(exits) / sizeof(exits[0]); i++) {
		fprintf(f, ".TP\n.B %s\n", exits[i].code);
		roff_line(f, exits[i].text);
	}
}

/* Does command `name` belong to group `group` ("key generate", "key")? */
static int in_group(const char *name, const char *group, size_t glen)
{
	return strncmp(name, group, glen) == 0 && name[glen] == ' ';
}

/* The option `name` of `cmd`, or NULL. */
static const cli_opt *own_opt(const cli_command *cmd, const char *name)
{
	const cli_opt *o;

	for (o = cmd->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static void option_item(FILE *f, char short_name, const char *name, const char *arg,
			const char *help, int list)
{
	fputs(".TP\n", f);
	if (short_name)
		fprintf(f, "\\fB\\-%c\\fR, ", short_name);
	fputs("\\fB\\-\\-", f);
	roff_in(f, 0, name);
	fputs("\\fR", f);
	if (arg) {
		fputc(' ', f);
		roff_in(f, 'I', arg);
	}
	fputc('\n', f);
	roff_line(f, help);
	if (list)
		fputs("(It may be given more than once.)\n", f);
}

static int command_page(FILE *f, const cli_command *cmd)
{
	const cli_opt *o;
	const char *sp = strchr(cmd->name, ' ');
	size_t i, glen = sp ? (size_t)(sp - cmd->name) : strlen(cmd->name);
	int subs = 0;

	roff_header(f, cmd);
	fputs(".SH SYNOPSIS\n.ad l\n", f);
	fputs("\\fBqvault ", f);
	roff_in(f, 0, cmd->name);
	fputs("\\fR\n", f);
	for (o = cmd->opts; o && o->name; o++) {
		if (strcmp(o->name, "help") == 0)
			continue;
		fputs("[\\fB\\-\\-", f);
		roff_in(f, 0, o->name);
		fputs("\\fR", f);
		if (o->arg) {
			fputc(' ', f);
			roff_in(f, 'I', o->arg);
		}
		fputs(o->kind == OPT_LIST ? "]...\n" : "]\n", f);
	}
	if (*cmd->synopsis) {
		roff_in(f, 'I', cmd->synopsis);
		fputc('\n', f);
	}
	fputs(".ad\n.SH DESCRIPTION\n", f);
	roff_sentence(f, cmd->summary);
	if (cmd->opens_vault) {
		fputs(".PP\nIt works on the vault that \\fB\\-C\\fR \\fIDIR\\fR, \\fB$QVAULT_DIR\\fR "
		      "or the current folder names, as the user whose private key "
		      "\\fB\\-\\-key\\fR \\fIFILE\\fR or \\fB$QVAULT_KEY\\fR names; see "
		      "\\fBqvault\\fR(1).\n", f);
	}
	for (i = 0; cli_commands[i]; i++) {
		if (!in_group(cli_commands[i]->name, cmd->name, strlen(cmd->name)))
			continue;
		if (subs++ == 0) {
			fputs(".PP\nThe commands of \\fBqvault ", f);
			roff_in(f, 0, cmd->name);
			fputs("\\fR:\n", f);
		}
		fputs(".TP\n", f);
		roff_in(f, 'B', cli_commands[i]->name);
		fputc('\n', f);
		roff_line(f, cli_commands[i]->summary);
	}
	fputs(".SH OPTIONS\n", f);
	for (o = cmd->opts; o && o->name; o++)
		option_item(f, o->short_name, o->name, o->arg, o->help, o->kind == OPT_LIST);
	if (!own_opt(cmd, "key"))
		option_item(f, 0, "key", "FILE", globals[1].help, 0);
	if (!own_opt(cmd, "passphrase-env"))
		option_item(f, 0, "passphrase-env", "NAME", globals[2].help, 0);
	exit_status(f);
	fputs(".SH SEE ALSO\n\\fBqvault\\fR(1)", f);
	for (i = 0; cli_commands[i]; i++) {
		const cli_command *c = cli_commands[i];

		/* the group's other commands, or the command of the group's name */
		if (c == cmd || !(sp ? (in_group(c->name, cmd->name, glen) ||
					(strlen(c->name) == glen &&
					 strncmp(c->name, cmd->name, glen) == 0)) :
				       in_group(c->name, cmd->name, glen)))
			continue;
		fputs(",\n", f);
		page_name(f, c, 'B');
		fputs("(1)", f);
	}
	fputc('\n', f);
	return ferror(f) ? EXIT_ERROR : EXIT_OK;
}

static int overview_page(FILE *f)
{
	size_t i;

	roff_header(f, NULL);
	fputs(".SH SYNOPSIS\n.ad l\n\\fBqvault\\fR\n", f);
	for (i = 0; i + 2 < NGLOBALS; i++) {
		fputs("[\\fB", f);
		roff_in(f, 0, globals[i].name);
		fputs("\\fR", f);
		if (globals[i].arg) {
			fputc(' ', f);
			roff_in(f, 'I', globals[i].arg);
		}
		fputs("]\n", f);
	}
	fputs("\\fICOMMAND\\fR [\\fIARGS\\fR]\n.br\n\\fBqvault help\\fR \\fICOMMAND\\fR\n"
	      ".br\n\\fBqvault \\-\\-version\\fR\n.ad\n", f);
	fputs(".SH DESCRIPTION\n"
	      "qvault keeps controlled documents (drawings, specifications), what suppliers send "
	      "(certificates, FAI packages, reports), purchase orders and lots, and traces any "
	      "lot back to every document and revision behind it.\n"
	      ".PP\n"
	      "The record of truth is a bare git repository: every change is one commit signed "
	      "with the acting user's key, history is append\\-only, and stock git and "
	      "ssh\\-keygen check it without qvault.\n"
	      "A SQLite index inside the same folder answers queries.\n"
	      ".PP\n"
	      "Each command has its own manual page, named for its words: "
	      "\\fBqvault\\-add\\fR(1), \\fBqvault\\-key\\-generate\\fR(1).\n"
	      "\\fBqvault help\\fR \\fICOMMAND\\fR and \\fBqvault\\fR \\fICOMMAND\\fR "
	      "\\fB\\-\\-help\\fR print its options.\n", f);
	fputs(".SH OPTIONS\n", f);
	for (i = 0; i < NGLOBALS; i++) {
		fputs(".TP\n", f);
		roff_in(f, 'B', globals[i].name);
		if (globals[i].arg) {
			fputc(' ', f);
			roff_in(f, 'I', globals[i].arg);
		}
		fputc('\n', f);
		roff_line(f, globals[i].help);
	}
	fputs(".SH COMMANDS\n", f);
	for (i = 0; cli_commands[i]; i++) {
		const cli_command *c = cli_commands[i];

		fputs(".TP\n", f);
		roff_in(f, 'B', c->name);
		if (*c->synopsis) {
			fputc(' ', f);
			roff_in(f, 'I', c->synopsis);
		}
		fputc('\n', f);
		roff_line(f, c->summary);
		fputs("(", f);
		page_name(f, c, 'B');
		fputs("(1))\n", f);
	}
	fputs(".SH ENVIRONMENT\n", f);
	for (i = 0; i < sizeof(environment) / sizeof(environment[0]); i++) {
		fprintf(f, ".TP\n.B %s\n", environment[i].name);
		roff_line(f, environment[i].text);
	}
	exit_status(f);
	fputs(".PP\nA malformed option value (a date, a number, a type, a role) is a usage "
	      "error; a document, PO, lot or organization that the vault does not know is an "
	      "error naming it, never an empty answer.\n", f);
	fputs(".SH FILES\n", f);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fputs(".TP\n", f);
		roff_in(f, 'I', files[i].path);
		fputc('\n', f);
		roff_line(f, files[i].text);
	}
	fputs(".SH SEE ALSO\n\\fBgit\\fR(1), \\fBssh\\-keygen\\fR(1)", f);
	for (i = 0; cli_commands[i]; i++) {
		fputs(",\n", f);
		page_name(f, cli_commands[i], 'B');
		fputs("(1)", f);
	}
	fputc('\n', f);
	return ferror(f) ? EXIT_ERROR : EXIT_OK;
}

int cli_man_page(FILE *f, const cli_command *cmd)
{
	return cmd ? command_page(f, cmd) : overview_page(f);
}

/* ---- completion ---- */

/* `s` inside a shell's single quotes: a quote as '\''. */
static void sq(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
}

/* The same, the characters of `special` behind a backslash (zsh's specs). */
static void sq_escaped(FILE *f, const char *s, size_t len, const char *special)
{
	size_t i;

	for (i = 0; i < len && s[i]; i++) {
		if (s[i] == '\'')
			fputs("'\\''", f);
		else if (strchr(special, s[i]))
			fprintf(f, "\\%c", s[i]);
		else
			fputc(s[i], f);
	}
}

/*
 * What the argument the synopsis names by `word` (len bytes) is, for the
 * completion: "doc" a document number from the index, "file" a file or
 * folder, "command" a command, "-" nothing to offer.
 */
static const char *arg_kind(const char *word, size_t len)
{
	static const struct {
		const char *in, *kind;
	} kinds[] = {
		{ "DOC", "doc" }, { "FAIR", "doc" }, { "COMMAND", "command" }, { "FILE", "file" }, { "DIR", "file" },
		{ "MANIFEST", "file" }, { ".zip", "file" },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (memmem(word, len, kinds[i].in, strlen(kinds[i].in)))
			return kinds[i].kind;
	return "-";
}

/* The first word of each command, each once, in the table's order: f(word, len, command). */
static void first_words(FILE *f, void (*each)(FILE *, const char *, size_t, const cli_command *))
{
	size_t i, j, len;

	for (i = 0; cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name;
		const cli_command *whole = NULL;

		len = strcspn(name, " ");
		for (j = 0; j < i; j++)
			if (strncmp(cli_commands[j]->name, name, len) == 0 &&
			    strcspn(cli_commands[j]->name, " ") == len)
				break;
		if (j < i)
			continue;
		for (j = 0; cli_commands[j]; j++)
			if (strlen(cli_commands[j]->name) == len &&
			    strncmp(cli_commands[j]->name, name, len) == 0)
				whole = cli_commands[j];
		each(f, name, len, whole);
	}
}

static void bash_word(FILE *f, const char *word, size_t len, const cli_command *whole)
{
	(void)whole;
	fprintf(f, " %.*s", (int)len, word);
}

/* The group `word` (len bytes): its commands' second words, for bash. */
static void bash_group(FILE *f, const char *word, size_t len, const cli_command *whole)
{
	size_t i;
	int n = 0;

	(void)whole;
	for (i = 0; cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name;

		if (!in_group(name, word, len))
			continue;
		if (n++ == 0) {
			fprintf(f, "\t'%.*s') subs='", (int)len, word);
		} else {
			fputc(' ', f);
		}
		sq(f, name + len + 1);
	}
	if (n)
		fputs("' ;;\n", f);
}

/* An option's spellings (--name, -c) into the list(s) of `cmd`'s bash spec. */
static void bash_spec(FILE *f, const cli_command *cmd)
{
	const cli_opt *o;
	const char *p;
	int pass;

	fputs("\t'", f);
	sq(f, cmd->name);
	fputs("')", f);
	/* pass 0: every option; 1: those taking a value; 2: those naming a file */
	for (pass = 0; pass < 3; pass++) {
		fputs(pass == 0 ? " opts='" : pass == 1 ? " vals='" : " files='", f);
		for (o = cmd->opts; o && o->name; o++) {
			if ((pass == 1 && o->kind == OPT_FLAG) || (pass == 2 && o->kind != OPT_FILE))
				continue;
			fputs("--", f);
			sq(f, o->name);
			if (o->short_name)
				fprintf(f, " -%c", o->short_name);
			fputc(' ', f);
		}
		if (!own_opt(cmd, "key"))
			fputs("--key ", f);
		if (pass < 2 && !own_opt(cmd, "passphrase-env"))
			fputs("--passphrase-env", f);
		fputc('\'', f);
	}
	fputs(" args='", f);
	for (p = cmd->synopsis; *p;) {
		size_t len = strcspn(p, " ");

		if (len)
			fprintf(f, "%s%s", p == cmd->synopsis ? "" : " ", arg_kind(p, len));
		p += len;
		p += strspn(p, " ");
	}
	fputs("' ;;\n", f);
}

static const char bash_head[] =
	"# bash completion for qvault, made by `qvault help --completion bash` from\n"
	"# qvault's command and option tables: do not edit.  Document numbers come\n"
	"# from the vault's index (`qvault list --numbers`), nothing outside a vault.\n"
	"\n"
	"# _qvault_spec COMMAND: set opts (its options), vals (those taking a value),\n"
	"# files (those naming a file) and args (what each argument is: doc, file,\n"
	"# command or -); 1 for no command\n"
	"_qvault_spec() {\n"
	"\tcase $1 in\n";

static const char bash_body[] =
	"\t*) return 1 ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"# _qvault_args NAME...: the words (w) of the command line from index i on,\n"
	"# options and their values skipped: COMPREPLY for the one at the cursor\n"
	"_qvault_args() {\n"
	"\tlocal k=0 only= want= w kind d\n"
	"\tlocal -a kinds\n"
	"\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\ti=$((i + 1))\n"
	"\t\tif [ -n \"$want\" ]; then\n"
	"\t\t\twant=\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tif [ -z \"$only\" ]; then\n"
	"\t\t\tcase $w in\n"
	"\t\t\t--) only=1; continue ;;\n"
	"\t\t\t--*=*) continue ;;\n"
	"\t\t\t-?*) case \" $vals \" in *\" $w \"*) want=$w ;; esac; continue ;;\n"
	"\t\t\tesac\n"
	"\t\tfi\n"
	"\t\tk=$((k + 1))\n"
	"\tdone\n"
	"\tif [ -n \"$want\" ]; then\n"
	"\t\tcase \" $files \" in\n"
	"\t\t*\" $want \"*) compopt -o filenames 2>/dev/null\n"
	"\t\t\tCOMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
	"\t\tesac\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif [ -z \"$only\" ] && [ \"${cur#-}\" != \"$cur\" ]; then\n"
	"\t\tCOMPREPLY+=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tkinds=($args)\n"
	"\tkind=${kinds[k]}\n"
	"\tcase $kind in\n"
	/* read line by line, never through compgen -W, which expands $(...) in its words */
	"\tdoc) [ -n \"$remote\" ] ||\n"
	"\t\twhile IFS= read -r d; do\n"
	"\t\t\t[[ $d == \"$cur\"* ]] && COMPREPLY+=(\"$d\")\n"
	"\t\tdone < <(QVAULT_KEY= \"$qv\" ${dir:+-C \"$dir\"} list --numbers 2>/dev/null </dev/null) ;;\n"
	"\tfile) compopt -o filenames 2>/dev/null\n"
	"\t\tCOMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n"
	"\tcommand) COMPREPLY+=($(compgen -W \"$_qvault_commands\" -- \"$cur\")) ;;\n"
	"\tesac\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"_qvault() {\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tlocal qv=${COMP_WORDS[0]} dir= remote= i=1 name subs opts vals files args\n"
	"\tCOMPREPLY=()\n"
	"\t# the qvault typed, if a path to one; else qvault from PATH\n"
	"\tcase $qv in */*) [ -x \"$qv\" ] || qv=qvault ;; *) qv=qvault ;; esac\n"
	"\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
	"\t\tcase ${COMP_WORDS[i]} in\n"
	"\t\t-C|--key|--passphrase-env|--remote)\n"
	"\t\t\t[ \"${COMP_WORDS[i]}\" = -C ] && dir=${COMP_WORDS[i+1]}\n"
	"\t\t\t[ \"${COMP_WORDS[i]}\" = --remote ] && remote=1\n"
	"\t\t\ti=$((i + 2)) ;;\n"
	"\t\t-*) i=$((i + 1)) ;;\n"
	"\t\t*) break ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tcase $dir in \"~\"/*) dir=$HOME/${dir#\"~/\"} ;; esac\n"
	"\tif [ \"$i\" -gt \"$COMP_CWORD\" ]; then\n"
	"\t\tcase $prev in\n"
	"\t\t-C) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
	"\t\t--key) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	"\t\tesac\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif [ \"$i\" -eq \"$COMP_CWORD\" ]; then\n"
	"\t\tcase $cur in\n"
	"\t\t-*) COMPREPLY=($(compgen -W \"$_qvault_globals\" -- \"$cur\")) ;;\n"
	"\t\t*) COMPREPLY=($(compgen -W \"$_qvault_commands\" -- \"$cur\")) ;;\n"
	"\t\tesac\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tname=${COMP_WORDS[i]}\n"
	"\ti=$((i + 1))\n"
	"\tsubs=\n"
	"\tcase $name in\n";

static const char bash_tail[] =
	"\tesac\n"
	"\tif [ -n \"$subs\" ] && [ \"$i\" -lt \"$COMP_CWORD\" ] &&\n"
	"\t   _qvault_spec \"$name ${COMP_WORDS[i]}\"; then\n"
	"\t\tname=\"$name ${COMP_WORDS[i]}\"\n"
	"\t\ti=$((i + 1))\n"
	"\telif [ -n \"$subs\" ] && [ \"$i\" -eq \"$COMP_CWORD\" ]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
	"\tfi\n"
	"\t_qvault_spec \"$name\" || return 0\n"
	"\t_qvault_args\n"
	"}\n"
	"\n"
	"complete -F _qvault qvault\n";

static int bash_completion(FILE *f)
{
	size_t i;

	fputs(bash_head, f);
	for (i = 0; cli_commands[i]; i++)
		bash_spec(f, cli_commands[i]);
	fputs(bash_body, f);
	first_words(f, bash_group);
	fputs(bash_tail, f);
	fputs("_qvault_commands='", f);
	first_words(f, bash_word);
	fputs("'\n_qvault_globals='-h", f);
	for (i = 0; i < NGLOBALS; i++)
		fprintf(f, " %s", globals[i].name);
	fputs("'\n", f);
	return ferror(f) ? EXIT_ERROR : EXIT_OK;
}

/* zsh: one entry of _describe's list, "word:what it is". */
static void zsh_word(FILE *f, const char *word, size_t len, const cli_command *whole)
{
	size_t i;
	int n = 0;

	fputs("\t\t'", f);
	sq_escaped(f, word, len, ":");
	fputc(':', f);
	if (whole) {
		sq(f, whole->summary);
	} else {
		for (i = 0; cli_commands[i]; i++)
			if (in_group(cli_commands[i]->name, word, len)) {
				fputs(n++ ? ", " : "", f);
				sq(f, cli_commands[i]->name);
			}
	}
	fputs("'\n", f);
}

static void zsh_group(FILE *f, const char *word, size_t len, const cli_command *whole)
{
	size_t i;
	int n = 0;

	(void)whole;
	for (i = 0; cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name;

		if (!in_group(name, word, len))
			continue;
		if (n++ == 0)
			fprintf(f, "\t(%.*s) subs=(\n", (int)len, word);
		fputs("\t\t'", f);
		sq_escaped(f, name + len + 1, strlen(name + len + 1), ":");
		fputc(':', f);
		sq(f, cli_commands[i]->summary);
		fputs("'\n", f);
	}
	if (n)
		fputs("\t) ;;\n", f);
}

/* One option of _arguments: SPELLING[HELP]:ARG:ACTION, in single quotes. */
static void zsh_opt(FILE *f, int repeat, const char *spelling, const char *help,
		    const char *arg, const char *action)
{
	fputs(" \\\n\t\t'", f);
	if (repeat)
		fputc('*', f);
	fputs(spelling, f);
	fputc('[', f);
	sq_escaped(f, help, strlen(help), "[]\\");
	fputc(']', f);
	if (arg) {
		fputc(':', f);
		sq_escaped(f, arg, strlen(arg), ":\\");
		fputc(':', f);
		fputs(action, f);
	}
	fputc('\'', f);
}

static void zsh_spec(FILE *f, const cli_command *cmd)
{
	const cli_opt *o;
	const char *p;
	int k = 0;

	fputs("\t('", f);
	sq(f, cmd->name);
	fputs("') _arguments -S", f);
	for (o = cmd->opts; o && o->name; o++) {
		const char *action = o->kind == OPT_FILE ? "_files" : " ";
		char spelling[80];

		if (cli_fmt(spelling, sizeof(spelling), "an option's name", "--%s%s", o->name,
			    o->kind == OPT_FLAG ? "" : "=") < 0)
			continue;
		zsh_opt(f, o->kind == OPT_LIST, spelling, o->help, o->arg, action);
		if (o->short_name) {
			char s[3] = { '-', o->short_name, '\0' };

			zsh_opt(f, o->kind == OPT_LIST, s, o->help, o->arg, action);
		}
	}
	if (!own_opt(cmd, "key"))
		zsh_opt(f, 0, "--key=", globals[1].help, "FILE", "_files");
	if (!own_opt(cmd, "passphrase-env"))
		zsh_opt(f, 0, "--passphrase-env=", globals[2].help, "NAME", "_parameters");
	for (p = cmd->synopsis; *p;) {
		size_t len = strcspn(p, " ");
		const char *kind = arg_kind(p, len);
		int optional = p[0] == '[';

		fprintf(f, " \\\n\t\t'%d:%s", ++k, optional ? ":" : "");
		sq_escaped(f, p + optional, len - (optional && p[len - 1] == ']' ? 2 : optional),
			   ":\\");
		fprintf(f, ":%s'", strcmp(kind, "doc") == 0 ? "_qvault_documents" :
				   strcmp(kind, "file") == 0 ? "_files" :
				   strcmp(kind, "command") == 0 ? "_qvault_commands" : " ");
		p += len;
		p += strspn(p, " ");
	}
	fputs(" ;;\n", f);
}

static const char zsh_head[] =
	"#compdef qvault\n"
	"# zsh completion for qvault, made by `qvault help --completion zsh` from\n"
	"# qvault's command and option tables: do not edit.  Document numbers come\n"
	"# from the vault's index (`qvault list --numbers`), nothing outside a vault.\n"
	"\n"
	"_qvault_documents() {\n"
	"\tlocal -a docs\n"
	"\t[[ -n $_qvault_far ]] && return 1\n"
	"\tdocs=(${(f)\"$(QVAULT_KEY= $_qvault_bin $_qvault_cdir list --numbers 2>/dev/null </dev/null)\"})\n"
	"\tcompadd -a docs\n"
	"}\n"
	"\n"
	"_qvault_commands() {\n"
	"\tlocal -a commands\n"
	"\tcommands=(\n";

static const char zsh_spec_head[] =
	"\t)\n"
	"\t_describe -t commands 'qvault command' commands\n"
	"}\n"
	"\n"
	"# _qvault_spec COMMAND: complete its options and arguments; 1 for no command\n"
	"_qvault_spec() {\n"
	"\tcase $1 in\n";

static const char zsh_argument_head[] =
	"\t(*) return 1 ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"_qvault_argument() {\n"
	"\tlocal name=$words[1] ret=1\n"
	"\tlocal -a subs\n"
	"\tcase $name in\n";

static const char zsh_tail[] =
	"\tesac\n"
	"\tif (( $#subs && CURRENT == 2 )); then\n"
	"\t\t_describe -t commands \"qvault $name command\" subs && ret=0\n"
	"\telif (( $#subs )) && [[ -n ${subs[(r)${(b)words[2]}:*]} ]]; then\n"
	"\t\tname=\"$name $words[2]\"\n"
	"\t\tshift words\n"
	"\t\t(( CURRENT-- ))\n"
	"\tfi\n"
	"\tcurcontext=\"${curcontext%:*:*}:qvault-${name// /-}:\"\n"
	"\t_qvault_spec \"$name\" && ret=0\n"
	"\treturn ret\n"
	"}\n"
	"\n"
	"_qvault() {\n"
	"\tlocal curcontext=$curcontext state state_descr line ret=1\n"
	"\tlocal -A opt_args\n"
	"\tlocal _qvault_bin=qvault _qvault_far=\n"
	"\tlocal -a _qvault_cdir\n"
	"\t[[ $words[1] == */* ]] && _qvault_bin=${~words[1]}\n"
	"\t_arguments -C";

static int zsh_completion(FILE *f)
{
	size_t i;

	fputs(zsh_head, f);
	first_words(f, zsh_word);
	fputs(zsh_spec_head, f);
	for (i = 0; cli_commands[i]; i++)
		zsh_spec(f, cli_commands[i]);
	fputs(zsh_argument_head, f);
	first_words(f, zsh_group);
	fputs(zsh_tail, f);
	for (i = 0; i < NGLOBALS; i++) {
		char spelling[40];
		const char *action = globals[i].completes == 'd' ? "_files -/" :
				     globals[i].completes == 'f' ? "_files" :
				     globals[i].completes == 'v' ? "_parameters" : " ";

		if (cli_fmt(spelling, sizeof(spelling), "an option's name", "%s%s", globals[i].name,
			    globals[i].arg && globals[i].name[1] == '-' ? "=" : "") < 0)
			return EXIT_ERROR;
		zsh_opt(f, 0, spelling, globals[i].help, globals[i].arg, action);
	}
	zsh_opt(f, 0, "-h", globals[NGLOBALS - 1].help, NULL, NULL);
	fputs(" \\\n\t\t'1:command:_qvault_commands' \\\n"
	      "\t\t'*::argument:->argument' && ret=0\n"
	      "\t(( $+opt_args[-C] )) && _qvault_cdir=(-C ${~opt_args[-C]})\n"
	      "\t(( $+opt_args[--remote] )) && _qvault_far=1\n"
	      "\t[[ $state == argument ]] && _qvault_argument && ret=0\n"
	      "\treturn ret\n"
	      "}\n"
	      "\n"
	      "_qvault \"$@\"\n", f);
	return ferror(f) ? EXIT_ERROR : EXIT_OK;
}

int cli_completion(FILE *f, const char *shell)
{
	return strcmp(shell, "zsh") == 0 ? zsh_completion(f) : bash_completion(f);
}
