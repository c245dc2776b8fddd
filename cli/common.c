/*
 * common.c - helpers the command files share.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int find_opt(const cli_command *cmd, const char *name)
{
	int i;

	for (i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (strcmp(cmd->opts[i].name, name) == 0)
			return i;
	return -1;
}

const char *cli_opt_value(const cli_command *cmd, const cli_args *a, const char *name)
{
	int i = find_opt(cmd, name);

	return i >= 0 && a->opt[i].set ? a->opt[i].value : NULL;
}

int cli_opt_flag(const cli_command *cmd, const cli_args *a, const char *name)
{
	int i = find_opt(cmd, name);

	return i >= 0 && a->opt[i].set;
}

const char **cli_opt_list(const cli_command *cmd, const cli_args *a,
			  const char *name, size_t *count)
{
	int i = find_opt(cmd, name);

	*count = i >= 0 ? a->opt[i].count : 0;
	return i >= 0 ? a->opt[i].list : NULL;
}

const char *cli_shown(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	if (s[i])
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

void cli_prepare_pdf(void)
{
	if (vault_pdf_prepare() < 0)
		return; /* the first check says so, in its own words */
}

int cli_fail(int error)
{
	cli_progress_break();
	fprintf(stderr, "qvault: %s\n", vault_error_message());
	return error == VAULT_EVERIFY ? EXIT_VERIFY : EXIT_ERROR;
}

const cli_opt cli_help_only[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

int cli_import(int (*import)(size_t *count, vault *v, const char *path), vault *v,
	       const char *path, const char *one, const char *many)
{
	size_t count;
	int error;

	if ((error = import(&count, v, path)) < 0)
		return cli_fail(error);
	printf("recorded %zu %s in one commit\n", count, count == 1 ? one : many);
	return EXIT_OK;
}

int cli_x12_ids(const cli_command *cmd, const cli_args *a, vault_x12_ids *ids, int env)
{
	const char *control = cli_opt_value(cmd, a, "control");
	char *end;

	memset(ids, 0, sizeof(*ids));
	ids->sender = cli_opt_value(cmd, a, "isa-sender");
	ids->receiver = cli_opt_value(cmd, a, "isa-receiver");
	if (env && !ids->sender)
		ids->sender = getenv("QVAULT_X12_SENDER");
	if (env && !ids->receiver)
		ids->receiver = getenv("QVAULT_X12_RECEIVER");
	if (control) {
		errno = 0;
		ids->control = strtoul(control, &end, 10);
		if (errno || *end || !*control || strspn(control, "0123456789") != strlen(control) ||
		    ids->control == 0 || ids->control > 999999999)
			return cli_usage_error(cmd, "--control '%s' is not a number from 1 to 999999999",
					       control);
	}
	if (vault_x12_ids_check(ids) < 0)
		return cli_usage_error(cmd, "%s", vault_error_message());
	return EXIT_OK;
}

int cli_import_ack(int (*import)(size_t *count, char **ack997, vault *v, const char *path,
				 const vault_x12_ids *ids),
		   const cli_command *cmd, cli_args *a, vault *v, const char *one, const char *many)
{
	const char *path = cli_opt_value(cmd, a, "ack997");
	vault_x12_ids ids;
	char *ack = NULL;
	size_t count;
	cli_out o;
	FILE *f;
	int rc, error;

	if (!path && (cli_opt_value(cmd, a, "isa-sender") || cli_opt_value(cmd, a, "isa-receiver") ||
		      cli_opt_value(cmd, a, "control") || cli_opt_flag(cmd, a, "force")))
		return cli_usage_error(cmd, "--isa-sender, --isa-receiver, --control and --force go with --ack997");
	if ((rc = cli_x12_ids(cmd, a, &ids, 0)) != EXIT_OK)
		return rc;
	if (path && (rc = cli_out_begin(&o, path, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return rc;
	error = import(&count, path ? &ack : NULL, v, a->arg[0], &ids);
	/* the 997 is written whatever the import's answer, which stays the command's */
	if (path && ack) {
		int bad = (f = cli_out_fopen(&o)) == NULL;

		if (f && (fputs(ack, f) == EOF) + (fclose(f) != 0))
			bad = 1;
		if (bad) {
			fprintf(stderr, "qvault: cannot write '%s': %s\n", path, strerror(errno));
			cli_out_abort(&o);
			rc = EXIT_ERROR;
		} else {
			rc = cli_out_commit(&o);
		}
	} else if (path) {
		cli_out_abort(&o);
	}
	free(ack);
	if (error < 0)
		return cli_fail(error);
	if (rc != EXIT_OK)
		return rc;
	printf("recorded %zu %s in one commit\n", count, count == 1 ? one : many);
	return EXIT_OK;
}

/*
 * A usage error is one line whatever argument it quotes: a control
 * character (a newline or a carriage return in an argument) is shown as
 * '?', and an argument too long for a line is cut, "..." marking where.
 */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t i;
	int len;

	cli_progress_break();
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0)
		line[0] = '\0';
	else if ((size_t)len >= sizeof(line))
		memcpy(line + sizeof(line) - 4, "...", 4);
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "qvault: %s: %s (see 'qvault %s --help')\n", cmd->name, line, cmd->name);
	return EXIT_USAGE;
}

int cli_scratch_in(const char *dir)
{
	char path[4200];
	int n = snprintf(path, sizeof(path), "%s", dir), fd;

	if (n < 0 || (size_t)n >= sizeof(path) - 16) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0 ||
	    (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* a file system without O_TMPFILE: a unique name (mkstemp's template), unlinked at once */
	memcpy(path + n, "/scratch-XXXXXX", sizeof("/scratch-XXXXXX"));
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

int cli_scratch_file(const char *vault_dir)
{
	char path[4200];
	int n = snprintf(path, sizeof(path), "%s/qvault", vault_dir);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return cli_scratch_in(path);
}

int cli_fmt(char *buf, size_t size, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "qvault: %s is too long\n", what);
		return -1;
	}
	return 0;
}

int cli_check_date(const cli_command *cmd, const char *what, const char *value)
{
	if (vault_date_check(what, value) < 0)
		return cli_usage_error(cmd, "%s", vault_error_message());
	return EXIT_OK;
}

int cli_check_name(const cli_command *cmd, const char *what, const char *value)
{
	if (vault_name_check(what, value) < 0)
		return cli_usage_error(cmd, "%s", vault_error_message());
	return EXIT_OK;
}

int cli_check_plain_name(const cli_command *cmd, const char *what, const char *value)
{
	if (vault_plain_name_check(what, value) < 0)
		return cli_usage_error(cmd, "%s", vault_error_message());
	return EXIT_OK;
}

int cli_check_enum(const cli_command *cmd, const char *what, const char *value,
		   const char *const *allowed)
{
	char list[512];
	size_t i, len = 0;
	int n;

	for (i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], value) == 0)
			return EXIT_OK;
	list[0] = '\0';
	for (i = 0; allowed[i]; i++) {
		n = snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", allowed[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - len)
			break; /* a shorter list still names the problem */
		len += (size_t)n;
	}
	return cli_usage_error(cmd, "%s '%s' is not one of %s", what, value, list);
}

int cli_check_number(unsigned long long *out, const cli_command *cmd, const char *what,
		     const char *value, unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*value && strspn(value, "0123456789") == strlen(value)) {
		v = strtoull(value, &end, 10);
		if (!errno && v >= min && v <= max) {
			*out = v;
			return EXIT_OK;
		}
	}
	if (max == ULLONG_MAX)
		return cli_usage_error(cmd, "%s '%s' is not a whole number from %llu", what, value, min);
	return cli_usage_error(cmd, "%s '%s' is not a whole number from %llu to %llu", what,
			       value, min, max);
}

void cli_split_docrev(char *buf, size_t size, const char *spec, const char **doc,
		      const char **rev)
{
	char *at;

	if (strlen(spec) >= size) {
		*doc = spec;
		*rev = NULL;
		return;
	}
	memcpy(buf, spec, strlen(spec) + 1);
	at = strrchr(buf, '@');
	*doc = buf;
	*rev = NULL;
	if (at) {
		*at = '\0';
		*rev = at + 1;
	}
}

const char *cli_clean(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (size)
		buf[i < size ? i : size - 1] = '\0';
	return buf;
}

json_t *cli_with_certificate(json_t *j, vault *v, const vault_revision *rev)
{
	char *text = NULL;
	json_t *cert;

	if (strcmp(rev->type, "material-cert") != 0 ||
	    vault_cert_data(&text, v, rev->doc, rev->rev) < 0)
		return j;
	if ((cert = json_loads(text, 0, NULL)) != NULL) {
		/* what names the record, not the certificate */
		json_object_del(cert, "record");
		json_object_del(cert, "format");
		json_object_del(cert, "doc");
		json_object_del(cert, "rev");
		json_object_set_new(j, "certificate", cert);
	}
	free(text);
	return j;
}

json_t *cli_revision_json(const vault_revision *rev)
{
	json_t *parts = json_array(), *files = json_array();
	char when[32];
	size_t i;

	for (i = 0; i < rev->nparts; i++)
		json_array_append_new(parts, json_string(rev->parts[i]));
	for (i = 0; i < rev->nfiles; i++) {
		const vault_file *f = &rev->files[i];
		json_t *file = json_pack("{s:s, s:s, s:s, s:I, s:s}",
			"name", f->name, "sha256", f->sha256, "blob", f->blob,
			"size", (json_int_t)f->size, "mime", f->mime);

		if (file && f->findings) {
			json_t *found = json_array();
			const char *line = f->findings, *end;

			for (; *line; line = *end ? end + 1 : end) {
				end = strchrnul(line, '\n');
				json_array_append_new(found, json_stringn(line, (size_t)(end - line)));
			}
			json_object_set_new(file, "findings", found);
		}
		json_array_append_new(files, file);
	}
	json_t *j, *to = json_array();

	for (i = 0; i < rev->nto; i++)
		json_array_append_new(to, json_string(rev->to[i]));
	vault_time_format(when, sizeof(when), rev->added_at);
	j = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:s, s:s?, s:s, s:s, s:s, s:o}",
		"doc", rev->doc, "rev", rev->rev,
		"type", rev->type, "title", rev->title, "parts", parts,
		"files", files, "added_by", rev->added_by, "org", rev->org,
		"added_at", when, "commit", rev->commit, "state", rev->state,
		"released_to", to);
	if (j && rev->expires)
		json_object_set_new(j, "expires", json_string(rev->expires));
	if (j && rev->review_by)
		json_object_set_new(j, "review_by", json_string(rev->review_by));
	/* none in a supplier's view: it would count revisions hidden from it */
	if (j && rev->seq)
		json_object_set_new(j, "seq", json_integer((json_int_t)rev->seq));
	if (j && rev->released_by) {
		vault_time_format(when, sizeof(when), rev->released_at);
		json_t *rel = json_pack("{s:s, s:s, s:s?, s:s?}",
			"by", rev->released_by, "at", when, "reason", rev->release_reason,
			"effective", rev->effective);

		if (rel && rev->marking)
			json_object_set_new(rel, "marking", json_string(rev->marking));
		if (rel && rev->licence)
			json_object_set_new(rel, "licence", json_string(rev->licence));
		json_object_set_new(j, "release", rel);
	}
	if (j && rev->obsoleted_by) {
		vault_time_format(when, sizeof(when), rev->obsoleted_at);
		json_object_set_new(j, "obsolete", json_pack("{s:s, s:s, s:s}",
			"by", rev->obsoleted_by, "at", when, "reason", rev->obsolete_reason));
	}
	if (j && rev->withdrawn_by) {
		vault_time_format(when, sizeof(when), rev->withdrawn_at);
		json_object_set_new(j, "withdrawn", json_pack("{s:s, s:s, s:s}",
			"by", rev->withdrawn_by, "at", when, "reason", rev->withdrawn_reason));
	}
	return j;
}

json_t *cli_acks_json(const vault_ack_list *list)
{
	char when[VAULT_TIME_SIZE];
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < list->count; i++) {
		const vault_ack_info *k = &list->items[i];

		vault_time_format(when, sizeof(when), k->time);
		json_array_append_new(arr, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s}",
			"doc", k->doc, "rev", k->rev, "statement", k->name,
			"name", k->signer, "org", k->org, "fingerprint", k->fingerprint,
			"meaning", k->meaning, "comment", k->comment, "time", when,
			"commit", k->commit));
	}
	return arr;
}

json_t *cli_event_json(const vault_event *e)
{
	json_t *subjects = json_array();
	char when[32];
	size_t i;

	for (i = 0; i < e->nsubjects; i++)
		json_array_append_new(subjects, json_string(e->subjects[i]));
	vault_time_format(when, sizeof(when), e->time);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "commit", e->commit,
		"time", when, "author", e->author, "op", e->op,
		"summary", e->summary, "subjects", subjects);
}

int cli_print_json(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_SORT_KEYS | JSON_INDENT(2));

	json_decref(j);
	fputc('\n', stdout);
	return rc < 0 ? EXIT_ERROR : EXIT_OK;
}

void cli_json_item(cli_json_array *a, json_t *item)
{
	char *text = json_dumps(item, JSON_SORT_KEYS | JSON_INDENT(2));
	const char *line, *end;

	json_decref(item);
	if (!text) {
		a->failed = 1;
		return;
	}
	fputs(a->count++ ? ",\n" : "[\n", stdout);
	/* each line of the item two spaces in, as inside the whole array */
	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		printf("  %.*s%s", (int)(end - line), line, *end ? "\n" : "");
	}
	free(text);
}

int cli_json_end(cli_json_array *a)
{
	fputs(a->count ? "\n]\n" : "[]\n", stdout);
	return a->failed ? EXIT_ERROR : EXIT_OK;
}

static int out_exists(const cli_out *o)
{
	fprintf(stderr, "qvault: '%s' exists; use --force to overwrite\n", o->path);
	return EXIT_ERROR;
}

int cli_out_begin(cli_out *o, const char *path, int force)
{
	static const char tail[] = "/.qvault-XXXXXX";
	struct stat st;
	const char *slash = strrchr(path, '/');
	/* the folder of `path` ("/" for "/x"), none for a name alone */
	size_t len = slash ? (size_t)(slash - path) + (slash == path) : 0;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->force = force;
	if (lstat(path, &st) == 0) {
		if (!force)
			return out_exists(o);
		/* --force replaces a file or a link, never a device, a pipe or a
		 * folder: moved over, /dev/null would become a file */
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
			fprintf(stderr, "qvault: '%s' is not a file: --force replaces files only\n",
				path);
			return EXIT_ERROR;
		}
	}
	if (len + sizeof(tail) <= sizeof(o->dir)) {
		memcpy(o->dir, path, len);
		/* "/x": the folder "/" takes no second slash; "x": none at all */
		memcpy(o->dir + len, tail + (len == 0 || path[len - 1] == '/'),
		       sizeof(tail) - (len == 0 || path[len - 1] == '/'));
	}
	if (!o->dir[0] ||
	    snprintf(o->tmp, sizeof(o->tmp), "%s/%s", o->dir, slash ? slash + 1 : path) >=
	    (int)sizeof(o->tmp)) {
		o->dir[0] = '\0';
		fprintf(stderr, "qvault: cannot write '%s': %s\n", path, strerror(ENAMETOOLONG));
		return EXIT_ERROR;
	}
	if (mkdtemp(o->dir) == NULL) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", path, strerror(errno));
		o->dir[0] = '\0';
		return EXIT_ERROR;
	}
	/* mkdtemp filled in the X's of o->dir: the same name in o->tmp */
	memcpy(o->tmp, o->dir, strlen(o->dir));
	return EXIT_OK;
}

FILE *cli_out_fopen(cli_out *o)
{
	int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	return f;
}

void cli_out_abort(cli_out *o)
{
	if (!o->dir[0])
		return;
	unlink(o->tmp);
	rmdir(o->dir);
	o->dir[0] = '\0';
}

/* Rename `from` to `to`, which must not exist (EEXIST if it does). */
static int move_new(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* a file system without RENAME_NOREPLACE: link() never replaces either */
	if (link(from, to) < 0)
		return -1;
	unlink(from);
	return 0;
}

int cli_out_commit(cli_out *o)
{
	int rc = EXIT_OK;

	if (o->force ? rename(o->tmp, o->path) < 0 : move_new(o->tmp, o->path) < 0) {
		if (errno == EEXIST)
			rc = out_exists(o);
		else
			rc = (fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path,
				      strerror(errno)), EXIT_ERROR);
	}
	cli_out_abort(o);
	return rc;
}
