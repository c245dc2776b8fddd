/*
 * notify.c - mail for the actions a write puts in someone's inbox.
 *
 * After each commit, every user with an e-mail address (users/NAME/email/,
 * trust.c) and not revoked gets one RFC 5322 message (.eml) in the vault's
 * outbox for each action of its inbox (inbox.c) that was not mailed to it
 * before: a revision released to its organization, a PO or change order
 * to answer, an FAI report to decide on or to resubmit, an NCR, ... .  The
 * inbox is the one rule of what is whose to do; a write that adds an
 * action to someone's inbox is what mails it.  (An action that comes due
 * with time, a PO unanswered after the days, is mailed with the next
 * write after it; an address set later gets the actions open then.)
 *
 * The outbox is a folder of the vault's git directory (git config
 * qvault.outbox, default <vault>/outbox), never in its history; what was
 * mailed is remembered in its .sent/ folder, one empty file per
 * recipient and action.  Nothing goes over the network: the post-notify
 * hook (hooks/post-notify) hands the messages to sendmail.
 *
 * A header holds no byte below 0x20, DEL or above 0x7e (each is written
 * as '?'), so that no name, reason or title can start a header of its
 * own; the body is UTF-8 text whose control characters are '?' too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "marking.h"
#include "notify.h"
#include "portal.h"
#include "user.h"
#include "util.h"

#define NOTIFY_DAYS 3          /* the buying side's chasing, as `qvault inbox` */
#define LINE_MAX_BYTES 900     /* under RFC 5322's 998 */
#define SENT_DIR ".sent"

/* What to run for an action: its command, S the subject, P the PO. */
static const struct {
	const char *action;
	const char *command;
} commands[] = {
	{ "acknowledge-revision", "qvault ack S" },
	{ "answer-po", "qvault po ack P --promise YYYY-MM-DD   (or: --reject --reason TEXT)" },
	{ "ship-overdue", "qvault asn add --po P --ship-date YYYY-MM-DD --package BOX:LOT:QTY" },
	{ "answer-ncr", "qvault ncr show S" },
	{ "provide-coc", "qvault add coc.pdf --doc DOC --type coc; qvault link DOC@REV --lot S" },
	{ "resubmit-fai", "qvault fai add FAIR.zip   (the next revision of S)" },
	{ "chase-po", "qvault po show P" },
	{ "chase-revision", "qvault pending" },
	{ "late-shipment", "qvault po show P" },
	{ "receipt-discrepancy", "qvault asn show S; qvault ncr add --lot LOT --reason TEXT" },
	{ "disposition-fai", "qvault fai accept S   (or: qvault fai reject S --reason TEXT)" },
	{ "close-ncr", "qvault ncr close S --disposition DISPOSITION" },
	{ "answer-forecast", "qvault forecast ack S --commit   (or: --bucket YYYY-MM-DD --qty N)" },
	{ "renew-certificate", "qvault add RENEWED.pdf --doc DOC --type TYPE --expires YYYY-MM-DD   (the next revision of S)" },
	{ "chase-certificate", "qvault show S" },
	{ "review-document", "qvault review S --next YYYY-MM-DD   (or release its next revision)" },
	{ "attestation-expires", "ask an admin to record its renewal: qvault user attest NAME --attestation WHAT --expires YYYY-MM-DD" },
	{ "renew-attestation", "qvault user attest NAME (org attest ORG) --attestation WHAT --expires YYYY-MM-DD   (S)" },
};

/* `s` (at most `max` bytes, not cut inside a UTF-8 character), each control byte '?'. */
static int add_text(vault_buf *b, const char *s, size_t max, int ascii)
{
	size_t n = strlen(s), i;
	int error = 0;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n && !error; i++) {
		unsigned char c = (unsigned char)s[i];
		char out = c < 0x20 || c == 0x7f || (ascii && c > 0x7e) ? '?' : (char)c;

		error = vault_buf__add(b, &out, 1);
	}
	return error;
}

/* One header line; the value cannot end the line or hold a byte a header may not. */
static int header(vault_buf *b, const char *name, const char *value)
{
	int error;

	if ((error = vault_buf__addf(b, "%s: ", name)) < 0 ||
	    (error = add_text(b, value, LINE_MAX_BYTES - strlen(name) - 2, 1)) < 0)
		return error;
	return vault_buf__add(b, "\r\n", 2);
}

/* "Mon, 30 Nov 2026 22:41:22 +0000" (RFC 5322 3.3), whatever the locale. */
static int rfc5322_date(char *buf, size_t size, int64_t when)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
					      "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)when;
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return vault_error__set(VAULT_EINVALID, "a time out of range");
	return vault__fmt(buf, size, "date", "%s, %02d %s %04d %02d:%02d:%02d +0000",
			  days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
			  tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The command for `action`, S and P filled in, into b. */
static int add_command(vault_buf *b, const char *action, const char *subject, const char *po)
{
	const char *c = "qvault inbox";
	size_t i;
	int error = 0;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].action, action) == 0)
			c = commands[i].command;
	for (; *c && !error; c++) {
		if ((*c == 'S' || *c == 'P') && (c[1] == '\0' || c[1] == ' ' || c[1] == ';' ||
						 c[1] == ')') && c[-1] == ' ')
			error = add_text(b, *c == 'S' ? subject : po ? po : "PO", 200, 0);
		else
			error = vault_buf__add(b, c, 1);
	}
	return error;
}

typedef struct {
	vault *v;
	const char *outbox;
	const char *from;
	char commit[GIT_OID_HEXSZ + 1];
	int64_t now;
	size_t written;
} mailer;

/* The message to `u` about inbox item `it`, into b. */
static int compose(vault_buf *b, const mailer *m, const vault_user *u, json_t *it,
		   const char *id)
{
	const char *action = json_string_value(json_object_get(it, "action"));
	const char *what = json_string_value(json_object_get(it, "what"));
	const char *subject = json_string_value(json_object_get(it, "subject"));
	const char *org = json_string_value(json_object_get(it, "org"));
	const char *since = json_string_value(json_object_get(it, "since"));
	const char *po = json_string_value(json_object_get(it, "po"));
	const char *detail = json_string_value(json_object_get(it, "detail"));
	vault_buf line = VAULT_BUF_INIT;
	char date[64];
	int error;

	if (!action || !what || !subject || !since)
		return vault_error__set(VAULT_EINVALID, "an inbox item without its action");
	if ((error = rfc5322_date(date, sizeof(date), m->now)) < 0 ||
	    (error = header(b, "From", m->from)) < 0 ||
	    (error = vault_buf__add(&line, "\"", 1)) < 0)
		goto done;
	/* a quoted display name: no '"' or '\' of a name may close it */
	for (const char *c = u->name; *c && !error; c++)
		error = vault_buf__add(&line, *c == '"' || *c == '\\' ? "?" : c, 1);
	if (error < 0 || (error = vault_buf__addf(&line, "\" <%s>", u->email)) < 0 ||
	    (error = header(b, "To", line.data)) < 0 ||
	    (error = header(b, "Date", date)) < 0)
		goto done;
	vault_buf__dispose(&line);
	if ((error = vault_buf__addf(&line, "<%s.%.12s@qvault>", id, m->commit)) < 0 ||
	    (error = header(b, "Message-ID", line.data)) < 0)
		goto done;
	vault_buf__dispose(&line);
	if ((error = vault_buf__addf(&line, "[qvault] %s: %s", what, subject)) < 0 ||
	    (error = header(b, "Subject", line.data)) < 0 ||
	    (error = header(b, "MIME-Version", "1.0")) < 0 ||
	    (error = header(b, "Content-Type", "text/plain; charset=utf-8")) < 0 ||
	    (error = header(b, "Content-Transfer-Encoding", "8bit")) < 0 ||
	    (error = header(b, "Auto-Submitted", "auto-generated")) < 0 ||
	    (error = header(b, "X-Qvault-Action", action)) < 0 ||
	    (error = header(b, "X-Qvault-Commit", m->commit)) < 0 ||
	    (error = vault_buf__add(b, "\r\n", 2)) < 0)
		goto done;
	/* the body: each line ends in CRLF, as a message on the wire */
	if ((error = vault_buf__add(b, "Hello ", 6)) < 0 ||
	    (error = add_text(b, u->name, 200, 0)) < 0 ||
	    (error = vault_buf__addf(b, ",\r\n\r\nan action waits for you in qvault:\r\n\r\n  ")) < 0 ||
	    (error = add_text(b, what, 200, 0)) < 0 ||
	    (error = vault_buf__addf(b, ": ")) < 0 ||
	    (error = add_text(b, subject, 300, 0)) < 0 ||
	    (error = vault_buf__addf(b, "\r\n  organization: ")) < 0 ||
	    (error = add_text(b, org ? org : "", 200, 0)) < 0 ||
	    (po && ((error = vault_buf__addf(b, "\r\n  PO: ")) < 0 ||
		    (error = add_text(b, po, 200, 0)) < 0)) ||
	    (error = vault_buf__addf(b, "\r\n  since: ")) < 0 ||
	    (error = add_text(b, since, 64, 0)) < 0 ||
	    (detail && ((error = vault_buf__addf(b, "\r\n  detail: ")) < 0 ||
			(error = add_text(b, detail, LINE_MAX_BYTES - 12, 0)) < 0)) ||
	    (error = vault_buf__addf(b, "\r\n\r\nDo it with:\r\n\r\n  ")) < 0 ||
	    (error = add_command(b, action, subject, po)) < 0 ||
	    (error = vault_buf__addf(b, "\r\n\r\nor in the portal: your inbox (GET /api/v1/inbox);"
				     " all your open actions: qvault inbox\r\n\r\n-- \r\n"
				     "qvault, commit %s\r\n", m->commit)) < 0)
		goto done;
done:
	vault_buf__dispose(&line);
	return error;
}

/* Write `data` to `path` whole, created new (0600), through a temporary name. */
static int write_new(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	int fd, error;

	if ((error = vault__fmt(tmp, sizeof(tmp), "path", "%s.tmp", path)) < 0)
		return error;
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot write '%s'", tmp);
	error = vault__write_all(fd, data, len);
	if (close(fd) < 0 && !error)
		error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", tmp);
	if (!error && rename(tmp, path) < 0)
		error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
	if (error)
		unlink(tmp);
	return error;
}

/* Mail inbox item `it` to `u` unless it was before. */
static int mail_item(mailer *m, const vault_user *u, json_t *it)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char id[33], sent[4200], eml[4200], stamp[32];
	vault_buf key = VAULT_BUF_INIT, msg = VAULT_BUF_INIT;
	struct tm tm;
	time_t t = (time_t)m->now;
	int fd, error;

	/* one action of one recipient, whenever it is seen again; a change order
	 * (its detail names it) is a new one, even within the second of its PO */
	if ((error = vault_buf__addf(&key, "%s\n%s\n%s\n%s\n%s\n%s", u->name, u->email,
				     json_string_value(json_object_get(it, "action")),
				     json_string_value(json_object_get(it, "subject")),
				     json_string_value(json_object_get(it, "since")),
				     json_is_string(json_object_get(it, "detail")) ?
				     json_string_value(json_object_get(it, "detail")) : "")) < 0)
		goto done;
	SHA256((const unsigned char *)key.data, key.len, md);
	vault__hex(id, md, 16);
	if ((error = vault__fmt(sent, sizeof(sent), "path", "%s/" SENT_DIR "/%s", m->outbox, id)) < 0)
		goto done;
	if (access(sent, F_OK) == 0)
		goto done;
	gmtime_r(&t, &tm);
	if ((error = vault__fmt(stamp, sizeof(stamp), "time", "%04d%02d%02dT%02d%02d%02dZ",
				tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				tm.tm_sec)) < 0 ||
	    (error = vault__fmt(eml, sizeof(eml), "path", "%s/%s-%s.eml", m->outbox, stamp, id)) < 0 ||
	    (error = compose(&msg, m, u, it, id)) < 0 ||
	    (error = write_new(eml, msg.data, msg.len)) < 0)
		goto done;
	if ((fd = open(sent, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", sent);
		goto done;
	}
	close(fd);
	m->written++;
done:
	vault_buf__dispose(&key);
	vault_buf__dispose(&msg);
	return error;
}

/* git config `key` of the vault's repository into *out (malloc'd), or NULL. */
static int config_string(char **out, vault *v, const char *key)
{
	git_config *cfg = NULL;
	git_buf value = { NULL, 0, 0 };
	int error;

	*out = NULL;
	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	error = git_config_get_string_buf(&value, cfg, key);
	if (error == 0)
		*out = vault__strdup(value.ptr);
	git_buf_dispose(&value);
	git_config_free(cfg);
	return error == 0 || error == GIT_ENOTFOUND ? 0 :
		vault_error__git(VAULT_ERROR, "cannot read git config %s", key);
}

int vault_notify__outbox(char **out, vault *v)
{
	char *dir = NULL;
	vault_buf b = VAULT_BUF_INIT;
	int error;

	*out = NULL;
	if ((error = config_string(&dir, v, "qvault.outbox")) < 0)
		return error;
	if (dir) {
		*out = dir;
		return 0;
	}
	if ((error = vault_buf__addf(&b, "%s/outbox", v->path)) < 0)
		return error;
	*out = vault_buf__detach(&b);
	return 0;
}

/* mkdir -m 0700 `path`, there already or not. */
static int make_dir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return vault_error__errno(VAULT_ERROR, "cannot make the outbox '%s'", path);
	return 0;
}

/*
 * The markings the actor is cleared for (temp.cleared, marking.c), kept
 * while each user's inbox is read as that user's, then put back; NULL
 * (none kept: what was cleared is left empty, none) if they cannot be read.
 */
static char **cleared_keep(size_t *n, vault *v)
{
	sqlite3_stmt *st;
	char **list = NULL;

	*n = 0;
	if (sqlite3_prepare_v2(vault_index__db(v->index), "SELECT marking FROM temp.cleared", -1,
			       &st, NULL) != SQLITE_OK)
		return NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((list = realloc(list, (*n + 1) * sizeof(*list))) == NULL)
			abort();
		list[(*n)++] = vault__strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return list;
}

static void cleared_restore(vault *v, char **list, size_t n)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st = NULL;
	size_t i;

	sqlite3_exec(db, "DELETE FROM temp.cleared", NULL, NULL, NULL);
	if (n && sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.cleared (marking) VALUES (?1)",
				    -1, &st, NULL) == SQLITE_OK)
		for (i = 0; i < n; i++) {
			sqlite3_bind_text(st, 1, list[i], -1, SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_reset(st);
		}
	sqlite3_finalize(st);
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int vault_notify__post(size_t *written, vault *v, const git_oid *commit)
{
	vault_user_list *users = NULL;
	git_tree *tree = NULL;
	char *outbox = NULL, *from = NULL, sent[4200], **kept;
	mailer m;
	size_t i, k, nkept;
	int error;

	*written = 0;
	memset(&m, 0, sizeof(m));
	if ((error = vault_store__head_tree(&tree, v->store)) < 0 ||
	    (error = vault_user__list(&users, v->store, tree)) < 0)
		goto done;
	for (i = 0; i < users->count; i++)
		if (users->items[i].email && !users->items[i].revoked)
			break;
	if (i == users->count)
		goto done; /* nobody to mail: no outbox either */
	if ((error = vault_notify__outbox(&outbox, v)) < 0 ||
	    (error = config_string(&from, v, "qvault.mailFrom")) < 0 ||
	    (error = vault__fmt(sent, sizeof(sent), "path", "%s/" SENT_DIR, outbox)) < 0 ||
	    (error = make_dir(outbox)) < 0 || (error = make_dir(sent)) < 0)
		goto done;
	m.v = v;
	m.outbox = outbox;
	m.from = from ? from : "qvault <qvault@localhost>";
	m.now = (int64_t)time(NULL);
	git_oid_tostr(m.commit, sizeof(m.commit), commit);
	kept = cleared_keep(&nkept, v);
	for (i = 0; i < users->count && !error; i++) {
		const vault_user *u = &users->items[i];
		json_t *items = NULL, *it;

		if (!u->email || u->revoked)
			continue;
		/* the inbox as this user sees it: its markings, not the actor's */
		if ((error = vault_marking__refresh(v, u, vault_user__scope(u), tree)) < 0 ||
		    (error = vault_inbox__items(&items, v, u, NOTIFY_DAYS, m.now)) < 0)
			break;
		json_array_foreach(items, k, it)
			if ((error = mail_item(&m, u, it)) < 0)
				break;
		json_decref(items);
	}
	cleared_restore(v, kept, nkept);
	*written = m.written;
done:
	vault_user_list_free(users);
	git_tree_free(tree);
	free(outbox);
	free(from);
	return error;
}
