/*
 * journal.c - the access journal of export-controlled data (journal.h).
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "sign.h"
#include "user.h"
#include "util.h"

#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----\n"
#define ARMOR_END "-----END SSH SIGNATURE-----\n"
#define TAIL_MAX 65536 /* the longest line the journal writes is far shorter */

static void sha256_hex(char hex[65], const void *data, size_t len)
{
	unsigned char md[32];

	EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
	vault__hex(hex, md, sizeof(md));
}

/* The armor's base64 lines joined: what a journal line holds of `armored`. */
static int armor_body(vault_buf *out, const char *armored)
{
	const char *p = armored, *end;

	if (strncmp(p, ARMOR_BEGIN, strlen(ARMOR_BEGIN)) != 0)
		return vault_error__set(VAULT_ERROR, "the journal's signature is not armored");
	p += strlen(ARMOR_BEGIN);
	if ((end = strstr(p, ARMOR_END)) == NULL)
		return vault_error__set(VAULT_ERROR, "the journal's signature is not armored");
	for (; p < end; p++)
		if (*p != '\n' && vault_buf__add(out, p, 1) < 0)
			return VAULT_ERROR;
	return 0;
}

/* The armor back from a journal line's base64 (lines of 70, as ssh-keygen writes). */
static int armor_of(vault_buf *out, const char *b64, size_t len)
{
	size_t i;
	int error = vault_buf__addf(out, "%s", ARMOR_BEGIN);

	for (i = 0; i < len && !error; i += 70)
		error = vault_buf__addf(out, "%.*s\n", (int)(len - i < 70 ? len - i : 70), b64 + i);
	return error ? error : vault_buf__addf(out, "%s", ARMOR_END);
}

/*
 * The last line of the journal open at `fd` (size `size`): its hash into
 * `prev` and its seq into *seq; an empty journal gives 64 zeros and 0.
 */
static int last_entry(char prev[65], size_t *seq, int fd, off_t size)
{
	size_t want = size > TAIL_MAX ? TAIL_MAX : (size_t)size, n, start;
	char *buf;
	json_t *e;
	ssize_t got;

	memset(prev, '0', 64);
	prev[64] = '\0';
	*seq = 0;
	if (size == 0)
		return 0;
	if ((buf = malloc(want + 1)) == NULL)
		abort();
	got = pread(fd, buf, want, size - (off_t)want);
	if (got != (ssize_t)want || buf[want - 1] != '\n') {
		free(buf);
		return vault_error__set(VAULT_EVERIFY,
			"the access journal does not end with a whole entry; run qvault verify");
	}
	n = want - 1;
	for (start = n; start > 0 && buf[start - 1] != '\n'; start--)
		;
	buf[n] = '\0';
	sha256_hex(prev, buf + start, n - start);
	buf[start + strcspn(buf + start, "\t")] = '\0';
	e = json_loads(buf + start, 0, NULL);
	free(buf);
	if (!json_is_integer(json_object_get(e, "seq")) ||
	    json_integer_value(json_object_get(e, "seq")) < 1) {
		json_decref(e);
		return vault_error__set(VAULT_EVERIFY,
			"the access journal's last entry is malformed; run qvault verify");
	}
	*seq = (size_t)json_integer_value(json_object_get(e, "seq"));
	json_decref(e);
	return 0;
}

int vault_journal__record(vault *v, const char *doc, const char *rev, const char *file,
			  const char *sha256, const char *marking, const char *how)
{
	vault_buf line = VAULT_BUF_INIT;
	char path[4200], prev[65], when[VAULT_TIME_SIZE], *entry = NULL, *sig = NULL;
	vault_key *server = NULL;
	git_tree *tree = NULL;
	vault_user u;
	struct stat st;
	json_t *root;
	size_t seq;
	int fd = -1, error;

	memset(&u, 0, sizeof(u));
	if (v->journal_cb) {
		char *why = NULL;

		/* handed to the process that holds the key (vault_set_journal) */
		if (v->journal_cb(v->journal_payload, doc, rev, file, how, &why) == 0) {
			free(why);
			return 0;
		}
		error = vault_error__set(VAULT_EDENIED,
			"'%s@%s' is marked %s and its download cannot be journalled: %s",
			doc, rev, marking, why ? why : "the journal's writer did not record it");
		free(why);
		return error;
	}
	if ((error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	if (v->key || v->reader) {
		if ((error = vault__whoami(&u, v, tree)) < 0)
			goto done;
	}
	if ((error = vault__server_key(&server, NULL, v, tree)) < 0) {
		error = vault_error__set(VAULT_EDENIED,
			"'%s@%s' is marked %s and its download cannot be journalled: %s",
			doc, rev, marking, vault_error_message());
		goto done;
	}
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_JOURNAL_FILE, v->qdir)) < 0)
		goto done;
	if ((fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		error = vault_error__set(VAULT_EDENIED,
			"'%s@%s' is marked %s and its download cannot be journalled: %s: %s",
			doc, rev, marking, path, strerror(errno));
		goto done;
	}
	if ((error = last_entry(prev, &seq, fd, st.st_size)) < 0)
		goto done;
	vault_time_format(when, sizeof(when), (int64_t)time(NULL));
	root = json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "seq", (json_int_t)(seq + 1), "prev", prev, "at", when,
			 "user", u.name, "org", u.org,
			 "via", v->journal_via ? v->journal_via : v->reader ? "server" :
				v->on_behalf ? "shell" : "cli",
			 "server", v->on_behalf && v->via[0] ? v->via : NULL,
			 "how", how, "doc", doc, "rev", rev, "file", file, "sha256", sha256,
			 "marking", marking);
	entry = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!entry) {
		error = vault_error__set(VAULT_ERROR, "cannot write a journal entry");
		goto done;
	}
	if ((error = vault_sign__sshsig(&sig, server, VAULT_JOURNAL_NAMESPACE, entry,
					strlen(entry))) < 0 ||
	    (error = vault_buf__addf(&line, "%s\t", entry)) < 0 ||
	    (error = armor_body(&line, sig)) < 0 || (error = vault_buf__add(&line, "\n", 1)) < 0)
		goto done;
	if (vault__write_all(fd, line.data, line.len) < 0 || fsync(fd) < 0) {
		/* a part written is cut off again: the journal stays whole */
		if (ftruncate(fd, st.st_size) < 0) {
			/* nothing more to do: verify will say it */
		}
		error = vault_error__set(VAULT_EDENIED,
			"'%s@%s' is marked %s and its download cannot be journalled: %s",
			doc, rev, marking, strerror(errno));
	}
done:
	if (fd >= 0)
		close(fd);
	free(entry);
	free(sig);
	vault_buf__dispose(&line);
	vault_key_free(server);
	vault_user_dispose(&u);
	git_tree_free(tree);
	return error;
}

static void say(void (*found)(void *, const char *), void *payload, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(void (*found)(void *, const char *), void *payload, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	found(payload, msg);
}

/* One line (without its LF): its entry, seq, chain and signature. */
static void check_line(void (*found)(void *, const char *), void *payload, char *l, size_t len,
		       size_t want, const char *prev, const char *server)
{
	char *tab = memchr(l, '\t', len), *signer = NULL;
	vault_buf armor = VAULT_BUF_INIT;
	json_t *e;

	if (!tab) {
		say(found, payload, "access journal entry %zu: no signature", want);
		return;
	}
	*tab = '\0';
	e = json_loads(l, 0, NULL);
	if (!json_is_object(e) || !json_is_integer(json_object_get(e, "seq")) ||
	    !json_is_string(json_object_get(e, "prev"))) {
		say(found, payload, "access journal entry %zu: malformed", want);
	} else {
		if ((size_t)json_integer_value(json_object_get(e, "seq")) != want)
			say(found, payload, "access journal entry %zu: numbered %lld (an entry was "
			    "removed or inserted)", want,
			    (long long)json_integer_value(json_object_get(e, "seq")));
		if (strcmp(json_string_value(json_object_get(e, "prev")), prev) != 0)
			say(found, payload, "access journal entry %zu: does not follow the entry "
			    "before it (prev %.12s..., the entry before hashes to %.12s...)", want,
			    json_string_value(json_object_get(e, "prev")), prev);
	}
	json_decref(e);
	if (armor_of(&armor, tab + 1, len - (size_t)(tab + 1 - l)) < 0 ||
	    vault_sign__check(&signer, armor.data, armor.len, VAULT_JOURNAL_NAMESPACE, l,
			      strlen(l)) < 0)
		say(found, payload, "access journal entry %zu: its signature does not verify "
		    "(the entry was changed)", want);
	else if (!server || strcmp(signer, server) != 0)
		say(found, payload, "access journal entry %zu: signed by a key that is not "
		    "the server's", want);
	*tab = '\t';
	free(signer);
	vault_buf__dispose(&armor);
}

int vault_journal__check(size_t *entries, char *head, vault *v, const git_tree *tree,
			 void (*found)(void *payload, const char *msg), void *payload)
{
	char path[4200], prev[65], *l = NULL, *server = NULL;
	size_t cap = 0;
	ssize_t len;
	vault_user su;
	FILE *f;

	*entries = 0;
	head[0] = '\0';
	memset(&su, 0, sizeof(su));
	if (vault__fmt(path, sizeof(path), "path", "%s/" VAULT_JOURNAL_FILE, v->qdir) < 0)
		return VAULT_ERROR;
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return vault_error__set(VAULT_ERROR, "cannot read the access journal '%s': %s", path,
					strerror(errno));
	}
	if (vault_user__by_name(&su, v->store, tree, VAULT_SERVER_USER) == 0)
		vault_sign__parse_public(&server, NULL, su.key);
	vault_user_dispose(&su);
	memset(prev, '0', 64);
	prev[64] = '\0';
	while ((len = getline(&l, &cap, f)) > 0) {
		size_t n = (size_t)len;

		++*entries;
		if (l[n - 1] != '\n')
			say(found, payload, "access journal entry %zu: cut short", *entries);
		else
			l[--n] = '\0';
		if (memchr(l, '\0', n)) {
			say(found, payload, "access journal entry %zu: holds a NUL byte", *entries);
		} else {
			check_line(found, payload, l, n, *entries, prev, server);
		}
		sha256_hex(prev, l, n);
		memcpy(head, prev, 65);
	}
	free(l);
	free(server);
	fclose(f);
	return 0;
}

void vault_set_journal(vault *v, vault_journal_cb record, void *payload)
{
	v->journal_cb = record;
	v->journal_payload = record ? payload : NULL;
}

int vault_journal_download(vault *v, const char *via, const char *doc, const char *rev,
			   const char *file, const char *how)
{
	vault_revision seen;
	char *org = NULL;
	size_t i;
	int error;

	if (!via || !doc || !rev || !file || !how)
		return vault_error__set(VAULT_EINVALID, "a download names its front end, "
					"revision, file and use");
	if (strcmp(how, "cat") != 0 && strcmp(how, "export") != 0 && strcmp(how, "diff") != 0)
		return vault_error__set(VAULT_EINVALID, "'%s' is no use of a download (cat, "
					"export, diff)", how);
	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	error = vault_index__get(&seen, v->index, doc, rev, org);
	free(org);
	if (error < 0)
		return error;
	for (i = 0; i < seen.nfiles && strcmp(seen.files[i].name, file) != 0; i++)
		;
	if (i == seen.nfiles)
		error = vault_error__set(VAULT_ENOTFOUND, "'%s@%s' has no file '%s'", doc, rev,
					 file);
	else if (seen.marking) {
		/* the entry says the front end, not this process */
		v->journal_via = via;
		error = vault_journal__record(v, doc, rev, file, seen.files[i].sha256,
					      seen.marking, how);
		v->journal_via = NULL;
	}
	vault_revision_dispose(&seen);
	return error;
}

static const char SQL_MARKINGS_HELD[] =
	"SELECT group_concat(m, ',') FROM (SELECT DISTINCT marking AS m FROM releases"
	" WHERE marking IS NOT NULL ORDER BY m)";

/*
 * A copy of the history (git-upload-pack, for another site's pull or
 * clone) hands over every marked revision's bytes in it at once, never
 * through vault_doc_cat: without an entry of its own it would be the one
 * download of marked data the journal does not know.  One entry for the
 * whole copy, naming the commit copied to: the marked revisions in it are
 * those of that commit's tree, for an auditor to list.
 */
int vault_journal_copy(vault *v, const char *via)
{
	char head_id[GIT_OID_HEXSZ + 1], *org = NULL, *marks = NULL;
	git_commit *head = NULL;
	sqlite3_stmt *st;
	int error, rc;

	if (!via)
		return vault_error__set(VAULT_EINVALID, "a copy names its front end");
	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	free(org);
	if ((error = vault_index__stmt(&st, v->index, SQL_MARKINGS_HELD)) < 0)
		return error;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0))
		marks = vault__strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vault_error__set(VAULT_ERROR, "cannot read the markings released: %s",
					sqlite3_errmsg(vault_index__db(v->index)));
	if (!marks)
		return 0; /* nothing marked: nothing to journal */
	if ((error = vault_store__head(&head, v->store)) == 0) {
		git_oid_tostr(head_id, sizeof(head_id), git_commit_id(head));
		v->journal_via = via;
		error = vault_journal__record(v, "*", head_id, "*", "", marks, "copy");
		v->journal_via = NULL;
	}
	git_commit_free(head);
	free(marks);
	return error;
}

int vault_journal_export(vault *v, int fd)
{
	char path[4200], buf[65536];
	unsigned roles = 0;
	ssize_t got;
	int in, error;

	if ((error = vault_viewer_roles(&roles, v)) < 0 && (v->key || v->reader))
		return error;
	if ((v->key || v->reader) && !(roles & (VAULT_ROLE_ADMIN | VAULT_ROLE_AUDITOR)))
		return vault_error__set(VAULT_EDENIED,
			"only an admin or an auditor exports the access journal");
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_JOURNAL_FILE, v->qdir)) < 0)
		return error;
	if ((in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return vault_error__set(VAULT_ERROR, "cannot read the access journal '%s': %s", path,
					strerror(errno));
	}
	/* a whole-line snapshot: a writer appends under the lock */
	flock(in, LOCK_SH);
	while ((got = read(in, buf, sizeof(buf))) > 0)
		if ((error = vault__write_all(fd, buf, (size_t)got)) < 0)
			break;
	if (got < 0)
		error = vault_error__set(VAULT_ERROR, "cannot read the access journal '%s': %s", path,
					 strerror(errno));
	close(in);
	return error;
}
