/*
 * qvault shell --user NAME: the one command an SSH key of a supplier (or
 * any remote user) may run, from an authorized_keys line such as
 *
 *   command="qvault -C /srv/vault shell --user acme-qe",restrict ssh-ed25519 AAAA...
 *
 * It takes the command the client asked for from SSH_ORIGINAL_COMMAND,
 * splits it into words without any shell (quotes group words; shell
 * metacharacters are refused, never interpreted), allows only the qvault
 * commands of the table below (a write only to the roles that may make
 * it), refuses every option that would name the vault or a key (any not
 * in the command's table) or a file on the server (kind OPT_FILE), takes
 * a file argument only as "-" (the bytes on standard input), and runs the
 * command with the vault's server key on NAME's behalf: every rule of the
 * library applies to NAME, and each commit the server signs names NAME.
 *
 * Also here: ack-statement and ack-submit, the two halves of an
 * acknowledgment signed on the supplier's side (qvault --remote ... ack).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

#define SHELL_MAX_WORDS 64
#define SHELL_MAX_COMMAND 8192

/*
 * The commands it runs.  Who may read what is the library's rule, the
 * same for every front end: each read shows the acting user only what
 * its organization may see, and refuses what it may not (a supplier's
 * verify), so reads name no roles here.  A write names the roles that
 * may ever make it, which the library checks again: the shell refuses
 * the others before it takes an upload.  What only an admin does (users,
 * API tokens: `user add`, `token create`, `token list`...) is not here at
 * all: the shell signs with the server's key, and the server acts for no
 * admin, so no one runs those through it.
 */
static const cli_shell_rule rules[] = {
	/* reading */
	{ "list", NULL, -1, NULL },
	{ "show", NULL, -1, NULL },
	{ "cat", NULL, -1, NULL },
	{ "diff", NULL, -1, NULL },
	{ "acks", NULL, -1, NULL },
	{ "pending", NULL, -1, NULL },
	{ "fai show", NULL, -1, NULL },
	{ "log", NULL, -1, NULL },
	{ "trace lot", NULL, -1, NULL },
	{ "trace doc", NULL, -1, NULL },
	{ "trace po", NULL, -1, NULL },
	{ "audit", NULL, -1, NULL },
	{ "user list", NULL, -1, NULL },
	{ "keys allowed-signers", NULL, -1, NULL },
	{ "types list", NULL, -1, NULL },
	{ "verify", NULL, -1, NULL },
	/* writing */
	{ "add", "buyer,supplier,quality", 0, NULL },
	{ "withdraw", "buyer,supplier,quality", -1, NULL },
	{ "release", "buyer", 1, "drawing" },
	{ "obsolete", "buyer", -1, NULL },
	{ "review", "buyer,quality", -1, NULL },
	{ "ack-statement", "supplier", -1, NULL },
	{ "ack-submit", "supplier", -1, NULL },
	{ "lot add", "buyer,supplier,quality", -1, NULL },
	{ "lot import", "buyer,supplier,quality", 0, CLI_UPLOAD_IMPORT },
	{ "link", "buyer,supplier,quality", -1, NULL },
	{ "fai add", "supplier,quality", 0, "fai" },
	{ "fai accept", "buyer,quality", -1, NULL },
	{ "fai reject", "buyer,quality", -1, NULL },
	{ "audit waive", "quality", -1, NULL },
	{ "po add", "buyer", -1, NULL },
	{ "po import", "buyer", 0, CLI_UPLOAD_IMPORT },
	{ "po change", "buyer", -1, NULL },
	{ "po cancel", "buyer", -1, NULL },
	{ "po close", "buyer", -1, NULL },
	{ "po release", "buyer", -1, NULL },
	/* the supplier portal (each export and the scorecard show a supplier its own) */
	{ "po ack", "supplier", -1, NULL },
	{ "po ack-export", NULL, -1, NULL },
	{ "inbox", NULL, -1, NULL },
	{ "po list", NULL, -1, NULL },
	{ "po show", NULL, -1, NULL },
	{ "status", "supplier", -1, NULL },
	{ "status import", "supplier", 0, CLI_UPLOAD_IMPORT },
	{ "status export", NULL, -1, NULL },
	{ "asn add", "supplier", 0, CLI_UPLOAD_IMPORT },
	{ "asn import", "supplier", 0, CLI_UPLOAD_IMPORT },
	{ "asn cancel", "supplier,buyer", -1, NULL },
	{ "asn receive", "buyer,quality", -1, NULL },
	{ "asn export", NULL, -1, NULL },
	{ "asn list", NULL, -1, NULL },
	{ "asn show", NULL, -1, NULL },
	{ "forecast import", "buyer", 0, CLI_UPLOAD_IMPORT },
	{ "forecast show", NULL, -1, NULL },
	{ "forecast ack", "supplier", -1, NULL },
	{ "ncr add", "buyer,quality", -1, NULL },
	{ "ncr close", "buyer,quality", -1, NULL },
	{ "ncr list", NULL, -1, NULL },
	{ "ncr show", NULL, -1, NULL },
	{ "scorecard", NULL, -1, NULL },
	{ NULL, NULL, -1, NULL },
};

const cli_shell_rule *cli_shell_rule_for(const char *name)
{
	const cli_shell_rule *r;

	for (r = rules; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

/* ---- the command line, without a shell ---------------------------------- */

static int refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("qvault shell: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/*
 * Split `line` in place into words: blanks separate them, '...' or "..."
 * group a word with blanks; nothing is expanded or escaped.
 */
static int split(char **words, int *n, char *line)
{
	static const char meta[] = ";&|$`<>(){}[]*?~!#\\";
	char *p = line, *out;

	*n = 0;
	for (; *p; p++) {
		char c[2] = { *p, '\0' };

		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return refuse("a control character is not allowed in a command");
		if (strchr(meta, *p))
			return refuse("shell metacharacter '%s' is not allowed", c);
	}
	p = line;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (*n == SHELL_MAX_WORDS)
			return refuse("more than 64 words");
		words[(*n)++] = out = p;
		while (*p && *p != ' ') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;

				while (*p && *p != q)
					*out++ = *p++;
				if (*p != q)
					return refuse("an unbalanced quote");
				p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = '\0';
	}
}

/* Does a user with `roles` (bits) hold one of the roles in `list`? */
static int holds(unsigned roles, const char *list)
{
	size_t i;

	if (!list)
		return 1;
	for (i = 0; vault_role_names[i]; i++) {
		size_t n = strlen(vault_role_names[i]);
		const char *p = strstr(list, vault_role_names[i]);

		if ((roles & (1u << i)) && p && (p == list || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ','))
			return 1;
	}
	return 0;
}

/* The option word `w` names: its entry in cmd's table, or NULL. */
static const cli_opt *option_of(const cli_command *cmd, const char *w)
{
	const cli_opt *o;
	size_t n;

	if (w[1] == '-') {
		n = strcspn(w + 2, "=");
		for (o = cmd->opts; o && o->name; o++)
			if (strlen(o->name) == n && strncmp(o->name, w + 2, n) == 0)
				return o;
		return NULL;
	}
	for (o = cmd->opts; o && o->name; o++)
		if (o->short_name && o->short_name == w[1] && w[2] == '\0')
			return o;
	return NULL;
}

/*
 * Whether positional argument `pos` of `cmd` may name a file: the word of
 * its synopsis at that place names one (FILE, [FILE], PACKAGE.zip,
 * MANIFEST, DIR), or the synopsis has no word there (an argument the
 * command does not take is taken for a file, never let through).
 */
static int names_file(const cli_command *cmd, int pos)
{
	static const char *const file_words[] = { "FILE", "DIR", "MANIFEST", NULL };
	const char *p = cmd->synopsis ? cmd->synopsis : "";
	size_t n, i;
	int k;

	for (k = 0;; k++) {
		p += strspn(p, " ");
		if (!*p)
			return 1;
		n = strcspn(p, " ");
		if (k == pos)
			break;
		p += n;
	}
	if (*p == '[' && p[n - 1] == ']') { /* an optional argument: [FILE] */
		p++;
		n -= 2;
	}
	if (memchr(p, '.', n)) /* a file name's pattern: PACKAGE.zip */
		return 1;
	for (i = 0; file_words[i]; i++)
		if (strlen(file_words[i]) == n && strncmp(p, file_words[i], n) == 0)
			return 1;
	return 0;
}

/*
 * Check the words after the command's name: known options only, none
 * naming a path, and the file argument "-".  *upload is set to the index
 * of that argument in `words`, or -1; *type to the value of --type, or NULL.
 */
static int check_words(int *upload, const char **type, const cli_command *cmd,
		       const cli_shell_rule *rule, char **words, int n)
{
	int i, positional = 0;

	*upload = -1;
	*type = NULL;
	for (i = 0; i < n; i++) {
		const char *w = words[i];
		const cli_opt *o;

		if (strcmp(w, "--") == 0)
			return refuse("'--' is not allowed");
		if (w[0] == '-' && w[1] != '\0') {
			if ((o = option_of(cmd, w)) == NULL)
				return refuse("option '%s' is not allowed (it may name the vault, "
					      "a key or a file on the server)", w);
			if (o->kind == OPT_FILE)
				return refuse("option '%s' names a file on the server: not allowed", w);
			if (strcmp(o->name, "type") == 0)
				*type = strchr(w, '=') ? strchr(w, '=') + 1 : i + 1 < n ? words[i + 1] : NULL;
			if (o->kind != OPT_FLAG && !strchr(w, '='))
				i++; /* its value */
			continue;
		}
		/* every argument that names a file is the upload, and "-"; the
		 * table marks the one a command takes (rule->upload) */
		if (positional == rule->upload) {
			if (strcmp(w, "-") != 0)
				return refuse("'%s' would be a file on the server: send the file "
					      "on standard input as '-'", w);
			*upload = i;
		} else if (names_file(cmd, positional)) {
			return refuse("'%s' would be a file on the server: not allowed", w);
		} else if (strcmp(w, "-") == 0) {
			return refuse("'-' is only for a file argument");
		}
		positional++;
	}
	return 0;
}

/*
 * Copy standard input to a file that has no name: made in the vault's
 * qvault/ folder and unlinked at once, so that nothing is left behind
 * however the connection ends; the command reads it as /proc/self/fd/N.
 * With `sha256`, the bytes must have that SHA-256 (a connection cut short
 * is refused, never recorded).  Reading stops one chunk past `limit`
 * bytes.  The descriptor, -1 (reported), or -2 when the upload is over
 * `limit` (for the caller to report, naming the limit).
 */
static int spool(char *path, size_t size, const char *vault_dir, const char *sha256,
		 uint64_t limit)
{
	char buf[65536], got[65];
	unsigned long long total = 0;
	ssize_t n;
	int fd;

	if ((fd = cli_scratch_file(vault_dir)) < 0) {
		fprintf(stderr, "qvault shell: cannot take the upload: %s\n", strerror(errno));
		return -1;
	}
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && (total += (unsigned long long)n) > limit) {
			close(fd);
			return -2;
		}
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			fprintf(stderr, "qvault shell: cannot take the upload: %s\n", strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (sha256) {
		int error = lseek(fd, 0, SEEK_SET) < 0 ? -1 : vault_sha256_fd(got, fd);

		if (error < 0 || strcmp(got, sha256) != 0) {
			fprintf(stderr, "qvault shell: the upload does not match its SHA-256 (cut "
				"short or changed on the way): nothing was recorded\n");
			close(fd);
			return -1;
		}
	}
	lseek(fd, 0, SEEK_SET);
	if (cli_fmt(path, size, "the upload's path", "/proc/self/fd/%d", fd) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Spool the upload of `rule`'s command (of document type `type`, from
 * --type, if given) into `path`, refused over this vault's limit for it.
 * The descriptor, or -1 (reported).
 */
static int take_upload(char *path, size_t size, const char *vault_dir, const char *sha256,
		       const cli_shell_rule *rule, const char *type)
{
	vault_limit_kind kind = VAULT_LIMIT_UPLOAD;
	uint64_t limit;
	vault *v = NULL;
	int fd = -1, error;

	if (rule->upload_type && strcmp(rule->upload_type, CLI_UPLOAD_IMPORT) == 0)
		kind = VAULT_LIMIT_IMPORT;
	else if (!type)
		type = rule->upload_type;
	if ((error = vault_open(&v, vault_dir, NULL, NULL)) < 0 ||
	    (error = vault_limit_check(&limit, v, kind, type, "the upload", 0)) < 0) {
		cli_fail(error);
	} else if ((fd = spool(path, size, vault_dir, sha256, limit)) == -2) {
		cli_fail(vault_limit_check(&limit, v, kind, type, "the upload", limit + 1));
		fd = -1;
	}
	vault_free(v);
	return fd;
}

/* The roles of registered user `name`; -1 (reported) when there is none. */
static int roles_of(unsigned *roles, const char *vault_dir, const char *name)
{
	vault_user_list *users = NULL;
	vault *v = NULL;
	size_t i;
	int error;

	if ((error = vault_open(&v, vault_dir, NULL, NULL)) < 0 ||
	    (error = vault_users(&users, v)) < 0) {
		vault_free(v);
		cli_fail(error);
		return -1;
	}
	for (i = 0; i < users->count; i++)
		if (strcmp(users->items[i].name, name) == 0 && !users->items[i].revoked)
			break;
	error = i == users->count ? -1 : 0;
	if (error == 0)
		*roles = users->items[i].roles;
	else
		fprintf(stderr, "qvault shell: no active user '%s' in this vault\n", name);
	vault_user_list_free(users);
	vault_free(v);
	return error;
}

/*
 * git-upload-pack PATH: another site's `qvault pull` or `qvault clone`
 * over ssh reads the whole history, so only users who may read all of it
 * (admin, auditor, a site's server) get it.  The vault is the one this
 * key's line names, whatever PATH says.  Nothing is ever pushed in this
 * way: a site takes the others' history by pulling, which verifies it.
 */
static int upload_pack(const char *vault_dir, const char *user, int nwords)
{
	unsigned roles = 0;
	vault *v = NULL;
	int error;

	if (nwords != 2)
		return refuse("git-upload-pack takes one path");
	if (roles_of(&roles, vault_dir, user) < 0)
		return EXIT_ERROR;
	if (!holds(roles, "admin,auditor,server")) {
		fprintf(stderr, "qvault shell: '%s' may not copy the whole vault "
			"(needs role admin, auditor or server)\n", user);
		return EXIT_ERROR;
	}
	/* every marked revision's bytes go with it: journalled first, as a
	 * download (vault_journal_copy); no entry, no copy */
	if ((error = vault_open(&v, vault_dir, NULL, NULL)) == 0) {
		vault_set_reader(v, user);
		error = vault_journal_copy(v, "shell");
	}
	if (error < 0) {
		cli_fail(error);
		vault_free(v);
		return EXIT_ERROR;
	}
	vault_free(v);
	fflush(NULL);
	execlp("git", "git", "upload-pack", "--strict", vault_dir, (char *)NULL);
	fprintf(stderr, "qvault shell: cannot run git upload-pack: %s\n", strerror(errno));
	return EXIT_ERROR;
}

static const cli_opt shell_opts[] = {
	{ "user", 'u', OPT_VALUE, "NAME", "the registered user this SSH key belongs to" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_shell(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *user = cli_opt_value(cmd, a, "user"), *asked = getenv("SSH_ORIGINAL_COMMAND");
	char line[SHELL_MAX_COMMAND + 1], *words[SHELL_MAX_WORDS], key[4200], upload[64] = "";
	const char *sha256 = NULL, *type = NULL;
	const cli_command *target;
	const cli_shell_rule *rule;
	cli_args global;
	unsigned roles = 0;
	int n, k = 0, used, at, rc, ufd = -1;

	(void)unused;
	if (!user)
		return cli_usage_error(cmd, "--user is required");
	if (!asked || !*asked)
		return refuse("this account runs qvault commands only, no login shell");
	if (strlen(asked) > SHELL_MAX_COMMAND)
		return refuse("the command is longer than 8192 bytes");
	memcpy(line, asked, strlen(asked) + 1);
	if ((rc = split(words, &n, line)) != 0)
		return rc;
	if (n > 0 && strcmp(words[0], "git-upload-pack") == 0)
		return upload_pack(a->vault_dir, user, n);
	if (n > 0 && strcmp(words[0], "qvault") == 0)
		k = 1;
	/* qvault --sha256=HEX COMMAND ...: what the upload must hash to (qvault --remote sends it) */
	if (k < n && strncmp(words[k], "--sha256=", 9) == 0) {
		sha256 = words[k] + 9;
		if (strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
			return refuse("--sha256 needs 64 lowercase hex digits");
		k++;
	}
	if (k == n)
		return refuse("no command given");
	target = cli_lookup(n, words, k, &used);
	rule = target ? cli_shell_rule_for(target->name) : NULL;
	if (!rule)
		return refuse("'%s' is not a command qvault shell runs", words[k]);
	if (roles_of(&roles, a->vault_dir, user) < 0)
		return EXIT_ERROR;
	if (!holds(roles, rule->roles)) {
		fprintf(stderr, "qvault shell: '%s' is not allowed for '%s' (needs role %s)\n",
			target->name, user, rule->roles);
		return EXIT_ERROR;
	}
	k += used;
	if ((rc = check_words(&at, &type, target, rule, words + k, n - k)) != 0)
		return rc;
	if (cli_fmt(key, sizeof(key), "the vault's path", "%s/qvault/" "server.pem",
		    a->vault_dir) < 0)
		return EXIT_ERROR;
	if (access(key, R_OK) != 0) {
		fprintf(stderr, "qvault shell: this vault has no server key (qvault/server.pem, made "
			"by init): an admin makes one with qvault key generate and registers it with "
			"user add qvault-server --role server\n");
		return EXIT_ERROR;
	}
	if (sha256 && at < 0)
		return refuse("--sha256 is for a command that takes a file on standard input");
	if (at >= 0) {
		if ((ufd = take_upload(upload, sizeof(upload), a->vault_dir, sha256, rule,
				       type)) < 0)
			return EXIT_ERROR;
		words[k + at] = upload;
	}
	memset(&global, 0, sizeof(global));
	global.vault_dir = a->vault_dir;
	global.key_path = key;
	global.on_behalf = user;
	rc = cli_run(target, n - k, words + k, &global);
	if (ufd >= 0)
		close(ufd);
	return rc;
}

const cli_command cli_cmd_shell = {
	"shell",
	"run the qvault command in SSH_ORIGINAL_COMMAND for --user (an authorized_keys command)",
	"", 0, 0, shell_opts, 0, run_shell
};

/* ---- an acknowledgment signed on the supplier's side -------------------- */

static const cli_opt statement_opts[] = {
	{ "meaning", 'm', OPT_VALUE, "M", "received (default), reviewed, approved, rejected" },
	{ "comment", 0, OPT_VALUE, "TEXT", "a comment; required for rejected" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_statement(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *meaning = cli_opt_value(cmd, a, "meaning");
	char doc[256], *rev, *stmt;
	int error;

	if (strlen(a->arg[0]) >= sizeof(doc) || !strchr(a->arg[0], '@'))
		return cli_usage_error(cmd, "'%s' is not DOC@REV", a->arg[0]);
	if (meaning && (error = cli_check_enum(cmd, "--meaning", meaning, vault_ack_meanings)) != EXIT_OK)
		return error;
	memcpy(doc, a->arg[0], strlen(a->arg[0]) + 1); /* shorter than doc[], as checked above */
	rev = strrchr(doc, '@'); /* a document number may hold '@', a revision not */
	*rev++ = '\0';
	if ((error = vault_ack_statement(&stmt, v, doc, rev, meaning ? meaning : "received",
					 cli_opt_value(cmd, a, "comment"))) < 0)
		return cli_fail(error);
	fputs(stmt, stdout);
	free(stmt);
	return EXIT_OK;
}

const cli_command cli_cmd_ack_statement = {
	"ack-statement",
	"print the statement an acknowledgment of DOC@REV would sign (for signing elsewhere)",
	"DOC@REV", 1, 1, statement_opts, 1, run_statement
};

static const cli_opt submit_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/*
 * Standard input, at most `limit` bytes: *out (malloc'd, *len bytes)
 * holds what was read; one byte over the limit is read and kept, so that
 * *len > limit tells the caller to refuse, and reading stops there.
 */
static int read_stdin(char **out, size_t *len, uint64_t limit)
{
	size_t cap = 0, want;
	char *buf = NULL;

	*len = 0;
	for (;;) {
		size_t n;

		if (cap - *len < 65536) {
			if ((buf = realloc(buf, cap = cap * 2 + 65536)) == NULL)
				abort();
		}
		want = cap - *len;
		if ((uint64_t)*len + want > limit + 1)
			want = (size_t)(limit + 1 - *len);
		if (want == 0 || (n = fread(buf + *len, 1, want, stdin)) == 0)
			break;
		*len += n;
	}
	*out = buf;
	return ferror(stdin) ? -1 : 0;
}

/* What statement `stmt`, taken by the vault, acknowledged: DOC@REV and meaning. */
static void print_submitted(const char *stmt)
{
	json_t *s = json_loads(stmt, 0, NULL), *p = json_object_get(s, "predicate");
	const char *doc = json_string_value(json_object_get(p, "document"));
	const char *rev = json_string_value(json_object_get(p, "revision"));
	const char *meaning = json_string_value(json_object_get(p, "meaning"));

	printf("recorded the acknowledgment of %s@%s (%s), signed on the signer's side\n",
	       doc ? doc : "?", rev ? rev : "?", meaning ? meaning : "?");
	json_decref(s);
}

/* Standard input: {"statement": TEXT, "signature": ARMORED SSHSIG}. */
static int run_submit(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *stmt, *sig;
	json_error_t jerr;
	json_t *root;
	uint64_t limit;
	char *data = NULL;
	size_t len;
	int error;

	(void)a;
	if ((error = vault_limit_check(&limit, v, VAULT_LIMIT_STATEMENT, NULL, "standard input",
				       0)) < 0)
		return cli_fail(error);
	if (read_stdin(&data, &len, limit) < 0) {
		free(data);
		fprintf(stderr, "qvault: cannot read standard input: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	if ((error = vault_limit_check(&limit, v, VAULT_LIMIT_STATEMENT, NULL, "standard input",
				       len)) < 0) {
		free(data);
		return cli_fail(error);
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!root || json_unpack_ex(root, &jerr, JSON_STRICT, "{s:s, s:s}", "statement", &stmt,
				    "signature", &sig) < 0) {
		json_decref(root);
		return cli_usage_error(cmd, "standard input is not {\"statement\", \"signature\"}: %s",
				       jerr.text);
	}
	error = vault_ack_submit(v, stmt, strlen(stmt), sig);
	if (error == 0)
		print_submitted(stmt);
	json_decref(root);
	return error < 0 ? cli_fail(error) : EXIT_OK;
}

const cli_command cli_cmd_ack_submit = {
	"ack-submit",
	"record an acknowledgment signed elsewhere ({\"statement\", \"signature\"} on standard input)",
	"", 0, 0, submit_opts, 1, run_submit
};
