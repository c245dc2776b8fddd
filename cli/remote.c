/*
 * remote.c - qvault --remote ssh://[USER@]HOST[:PORT] COMMAND ...
 *
 * The command runs on the vault behind `qvault shell` at HOST, through
 * ssh ($QVAULT_SSH, default "ssh"; split at blanks, no shell).  A file
 * argument goes over the connection on standard input, as "-".  An
 * acknowledgment is made in three steps so that the supplier's private
 * key never leaves this machine: the vault sends the statement, it is
 * checked and signed here, and the vault records it only after checking
 * the signature against the key it has registered for the user.  Here,
 * the statement's files and SHA-256 must be the ones the vault lists for
 * the revision in a separate answer (`show DOC@REV --json`), and each is
 * shown on stderr before the signature is sent.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

extern char **environ;

#define SSH_MAX_ARGS 64
#define STATEMENT_MAX (1024 * 1024)

typedef struct {
	char *argv[SSH_MAX_ARGS + 8];
	int argc;
	char ssh[1024];       /* $QVAULT_SSH, split in place */
	char dest[512], port[16];
	char line[8192];      /* the remote command, as qvault shell reads it */
	size_t len;
} ssh_call;

static int remote_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int remote_error(const char *fmt, ...)
{
	va_list ap;

	fputs("qvault: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERROR;
}

/* ssh://[USER@]HOST[:PORT][/...] into dest (USER@HOST) and port; -1 (reported) if not. */
static int parse_url(ssh_call *c, const char *url)
{
	const char *host, *end, *colon;
	size_t n;

	if (strncmp(url, "ssh://", 6) != 0)
		return -remote_error("--remote '%s' is not ssh://[USER@]HOST[:PORT]", url);
	host = url + 6;
	end = host + strcspn(host, "/");
	colon = memchr(host, ':', (size_t)(end - host));
	n = (size_t)((colon ? colon : end) - host);
	if (n == 0 || n >= sizeof(c->dest) || host[0] == '-' || host[0] == '@')
		return -remote_error("--remote '%s' names no host", url);
	memcpy(c->dest, host, n);
	c->dest[n] = '\0';
	c->port[0] = '\0';
	if (colon) {
		n = (size_t)(end - colon - 1);
		if (n == 0 || n >= sizeof(c->port) || strspn(colon + 1, "0123456789") < n)
			return -remote_error("--remote '%s' has a port that is not a number", url);
		memcpy(c->port, colon + 1, n);
		c->port[n] = '\0';
	}
	return 0;
}

/* Append `word` to the remote command, quoted when it holds blanks; -1 (reported) if it cannot be. */
static int add_word(ssh_call *c, const char *word)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789@%+=:,./_-";
	int plain = word[0] && strspn(word, safe) == strlen(word), w;

	if (!plain && (strchr(word, '\'') || strpbrk(word, ";&|$`<>(){}[]*?~!#\\")))
		return -remote_error("'%s' cannot be sent to qvault shell (quotes and shell "
				     "metacharacters are refused there)", word);
	w = snprintf(c->line + c->len, sizeof(c->line) - c->len, "%s%s%s%s",
		     c->len ? " " : "", plain ? "" : "'", word, plain ? "" : "'");
	if (w < 0 || (size_t)w >= sizeof(c->line) - c->len)
		return -remote_error("the command is too long");
	c->len += (size_t)w;
	return 0;
}

static int start(ssh_call *c, const char *url)
{
	const char *ssh = getenv("QVAULT_SSH");
	char *p, *save = NULL;

	memset(c, 0, sizeof(*c));
	if (parse_url(c, url) < 0)
		return -1;
	if (cli_fmt(c->ssh, sizeof(c->ssh), "QVAULT_SSH", "%s", ssh && *ssh ? ssh : "ssh") < 0)
		return -1;
	for (p = strtok_r(c->ssh, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
		if (c->argc == SSH_MAX_ARGS)
			return -remote_error("QVAULT_SSH has more than %d words", SSH_MAX_ARGS);
		c->argv[c->argc++] = p;
	}
	if (c->port[0]) {
		c->argv[c->argc++] = (char *)(uintptr_t)"-p";
		c->argv[c->argc++] = c->port;
	}
	return add_word(c, "qvault");
}

/*
 * Run the call with standard input from `in` (-1: none); capture standard
 * output into *out when `out` is given.  Returns the remote exit status.
 */
static int finish(ssh_call *c, int in, char **out, size_t *outlen)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, null = -1, status = 0, e;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	pid_t pid;

	c->argv[c->argc++] = (char *)(uintptr_t)"--";
	c->argv[c->argc++] = c->dest;
	c->argv[c->argc++] = c->line;
	c->argv[c->argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	if (in < 0 && (null = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		in = null;
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (out) {
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			posix_spawn_file_actions_destroy(&fa);
			return remote_error("cannot start ssh: %s", strerror(errno));
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	}
	e = posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (null >= 0)
		close(null);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (e != 0) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return remote_error("cannot run ssh: %s", strerror(e));
	}
	if (out) {
		ssize_t n;

		for (;;) {
			if (len == cap) {
				char *grown;

				if (cap > STATEMENT_MAX)
					break; /* more than a statement: what came is refused later */
				cap = cap ? cap * 2 : 65536;
				if ((grown = realloc(buf, cap + 1)) == NULL)
					abort();
				buf = grown;
			}
			n = read(pipefd[0], buf + len, cap - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out) {
		if (!buf && (buf = malloc(1)) == NULL)
			abort();
		buf[len] = '\0';
		*out = buf;
		*outlen = len;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 255)
		fprintf(stderr, "qvault: cannot reach the vault at %s (ssh failed)\n", c->dest);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_ERROR;
}

/* ---- an acknowledgment: statement there, signature here, record there --- */

/* `s` on stderr with every byte that is not printable ASCII as \xHH. */
static void put_shown(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch < 0x7f)
			fputc(ch, stderr);
		else
			fprintf(stderr, "\\x%02x", ch);
	}
}

static int is_sha256(const char *hex)
{
	return hex && strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64;
}

/*
 * The statement's files (its in-toto subject: name and digest.sha256 each)
 * against the files the vault lists for `spec` in a separate answer (`show
 * DOC@REV --json`: files[].name, files[].sha256): the same names with the
 * same SHA-256, or a one-line refusal.
 */
static int check_subject(const char *spec, const char *stmt, size_t len,
			 const char *listing, size_t llen)
{
	json_t *st = json_loadb(stmt, len, JSON_REJECT_DUPLICATES, NULL),
	       *rec = json_loadb(listing, llen, JSON_REJECT_DUPLICATES, NULL);
	json_t *subject = json_object_get(st, "subject"), *files = json_object_get(rec, "files");
	json_t *f, *g;
	size_t i, k;
	int rc = EXIT_OK;

	if (!json_is_array(subject) || json_array_size(subject) == 0) {
		rc = remote_error("the vault sent a statement that names no files: not signed");
		goto done;
	}
	if (!json_is_array(files)) {
		rc = remote_error("the vault did not list the files of %s: not signed", spec);
		goto done;
	}
	if (json_array_size(subject) != json_array_size(files)) {
		rc = remote_error("the statement names %zu files, the vault lists %zu for %s: not signed",
				  json_array_size(subject), json_array_size(files), spec);
		goto done;
	}
	json_array_foreach(subject, i, f) {
		const char *name = json_string_value(json_object_get(f, "name")),
			   *hex = json_string_value(json_object_get(json_object_get(f, "digest"), "sha256")),
			   *listed = NULL;

		if (!name || !is_sha256(hex)) {
			rc = remote_error("the vault sent a statement with a file that has no name or "
					  "no SHA-256: not signed");
			goto done;
		}
		json_array_foreach(files, k, g)
			if (json_string_value(json_object_get(g, "name")) &&
			    strcmp(json_string_value(json_object_get(g, "name")), name) == 0)
				listed = json_string_value(json_object_get(g, "sha256"));
		if (!listed || strcmp(listed, hex) != 0) {
			fputs("qvault: the statement's SHA-256 of '", stderr);
			put_shown(name);
			fprintf(stderr, "' is not the one the vault lists for %s: not signed\n", spec);
			rc = EXIT_ERROR;
			goto done;
		}
	}
done:
	json_decref(st);
	json_decref(rec);
	return rc;
}

/* Each file a checked statement covers, with its SHA-256, on stderr. */
static void show_subject(const char *spec, const char *meaning, const char *stmt, size_t len)
{
	json_t *st = json_loadb(stmt, len, JSON_REJECT_DUPLICATES, NULL), *f;
	size_t i;

	json_array_foreach(json_object_get(st, "subject"), i, f) {
		fprintf(stderr, "qvault: signed %s (%s): ", spec, meaning);
		put_shown(json_string_value(json_object_get(f, "name")));
		fprintf(stderr, " sha256:%s\n",
			json_string_value(json_object_get(json_object_get(f, "digest"), "sha256")));
	}
	json_decref(st);
}

static int remote_ack(const cli_command *cmd, cli_args *a)
{
	const char *meaning = cli_opt_value(cmd, a, "meaning"),
		   *comment = cli_opt_value(cmd, a, "comment"), *at;
	char doc[256], *stmt = NULL, *sig = NULL, *body = NULL, *listing = NULL;
	ssh_call c;
	size_t len = 0, llen = 0;
	int rc, fd = -1, error;

	if (!meaning)
		meaning = "received";
	at = strrchr(a->arg[0], '@'); /* a document number may hold '@', a revision not */
	if (!at || (size_t)(at - a->arg[0]) >= sizeof(doc))
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	memcpy(doc, a->arg[0], (size_t)(at - a->arg[0]));
	doc[at - a->arg[0]] = '\0';
	if ((rc = cli_load_key(a)) != 0)
		return rc;
	if (!a->key)
		return remote_error("an acknowledgment is signed here: name your key with --key "
				    "FILE or QVAULT_KEY%s", "");
	if (start(&c, a->remote) < 0 || add_word(&c, "ack-statement") < 0 ||
	    add_word(&c, a->arg[0]) < 0 || add_word(&c, "--meaning") < 0 ||
	    add_word(&c, meaning) < 0 ||
	    (comment && (add_word(&c, "--comment") < 0 || add_word(&c, comment) < 0)))
		return EXIT_ERROR;
	if ((rc = finish(&c, -1, &stmt, &len)) != 0)
		goto done;
	if (start(&c, a->remote) < 0 || add_word(&c, "show") < 0 || add_word(&c, a->arg[0]) < 0 ||
	    add_word(&c, "--json") < 0) {
		rc = EXIT_ERROR;
		goto done;
	}
	if ((rc = finish(&c, -1, &listing, &llen)) != 0)
		goto done;
	if ((rc = check_subject(a->arg[0], stmt, len, listing, llen)) != EXIT_OK)
		goto done;
	if ((error = vault_ack_sign(&sig, a->key, stmt, len, doc, at + 1, meaning, comment)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	show_subject(a->arg[0], meaning, stmt, len);
	{
		json_t *root = json_pack("{s:s%, s:s}", "statement", stmt, len, "signature", sig);

		body = json_dumps(root, JSON_COMPACT);
		json_decref(root);
	}
	if (!body || (fd = memfd_create("qvault-ack", MFD_CLOEXEC)) < 0 ||
	    write(fd, body, strlen(body)) != (ssize_t)strlen(body) || lseek(fd, 0, SEEK_SET) < 0) {
		rc = remote_error("cannot hand the signed statement to ssh: %s", strerror(errno));
		goto done;
	}
	if (start(&c, a->remote) < 0 || add_word(&c, "ack-submit") < 0) {
		rc = EXIT_ERROR;
		goto done;
	}
	if ((rc = finish(&c, fd, NULL, NULL)) == 0)
		printf("signed here: %s %s\n", a->arg[0], meaning);
done:
	if (fd >= 0)
		close(fd);
	free(body);
	free(stmt);
	free(listing);
	free(sig);
	return rc;
}

/* ---- any other command ---------------------------------------------------- */

/*
 * Put --sha256=HEX of the file to send right after "qvault": the shell
 * refuses an upload that arrives otherwise (a connection cut short).
 */
static int sha256_word(ssh_call *c, int fd)
{
	char hex[65], word[80], rest[sizeof(c->line)];
	size_t head = strlen("qvault");

	if (vault_sha256_fd(hex, fd) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -remote_error("cannot read the file to send: %s", vault_error_message());
	if (cli_fmt(word, sizeof(word), "digest", " --sha256=%s", hex) < 0 ||
	    c->len + strlen(word) >= sizeof(c->line))
		return -remote_error("the command is too long");
	memcpy(rest, c->line + head, c->len - head + 1);
	memcpy(c->line + head, word, strlen(word));
	memcpy(c->line + head + strlen(word), rest, c->len - head + 1);
	c->len += strlen(word);
	return 0;
}

int cli_remote(const cli_command *cmd, cli_args *a)
{
	const cli_shell_rule *rule;
	const char *name_given = NULL;
	char base[4096];
	ssh_call c;
	int i, k, fd = -1, rc;
	size_t w;

	if (strcmp(cmd->name, "ack") == 0)
		return remote_ack(cmd, a);
	if ((rule = cli_shell_rule_for(cmd->name)) == NULL)
		return remote_error("'%s' does not run with --remote", cmd->name);
	if (start(&c, a->remote) < 0)
		return EXIT_ERROR;
	/* the command's words: "lot add" is two */
	for (w = 0; cmd->name[w];) {
		size_t n = strcspn(cmd->name + w, " ");
		char word[64];

		if (cli_fmt(word, sizeof(word), "command name", "%.*s", (int)n, cmd->name + w) < 0 ||
		    add_word(&c, word) < 0)
			return EXIT_ERROR;
		w += n + (cmd->name[w + n] == ' ');
	}
	for (i = 0; cmd->opts && cmd->opts[i].name; i++) {
		const cli_opt *o = &cmd->opts[i];
		char flag[80];
		size_t j;

		if (!a->opt[i].set)
			continue;
		if (o->kind == OPT_FILE)
			return remote_error("--%s names a local file, which --remote does not send",
					    o->name);
		if (strcmp(o->name, "name") == 0)
			name_given = a->opt[i].value;
		if (cli_fmt(flag, sizeof(flag), "option name", "--%s", o->name) < 0)
			return EXIT_ERROR;
		if (o->kind == OPT_FLAG) {
			if (add_word(&c, flag) < 0)
				return EXIT_ERROR;
		} else if (o->kind == OPT_VALUE) {
			if (add_word(&c, flag) < 0 || add_word(&c, a->opt[i].value) < 0)
				return EXIT_ERROR;
		} else {
			for (j = 0; j < a->opt[i].count; j++)
				if (add_word(&c, flag) < 0 || add_word(&c, a->opt[i].list[j]) < 0)
					return EXIT_ERROR;
		}
	}
	for (k = 0; k < a->nargs; k++) {
		if (k != rule->upload) {
			if (add_word(&c, a->arg[k]) < 0)
				return EXIT_ERROR;
			continue;
		}
		if ((fd = open(a->arg[k], O_RDONLY | O_CLOEXEC)) < 0)
			return remote_error("cannot read '%s'", a->arg[k]);
		if (add_word(&c, "-") < 0 || sha256_word(&c, fd) < 0)
			goto fail;
		/* the file's own name, as a local add would store it */
		if (strcmp(cmd->name, "add") == 0 && !name_given) {
			const char *slash = strrchr(a->arg[k], '/');

			if (cli_fmt(base, sizeof(base), "file name", "%s", slash ? slash + 1 : a->arg[k]) < 0 ||
			    add_word(&c, "--name") < 0 || add_word(&c, base) < 0)
				goto fail;
		}
	}
	rc = finish(&c, fd, NULL, NULL);
	if (fd >= 0)
		close(fd);
	return rc;
fail:
	close(fd);
	return EXIT_ERROR;
}
