/*
 * portal.c - a supplier's answers to a PO: acknowledgments with promised
 * dates and production status reports, recorded beside the PO; their
 * exports; and the index of every portal record.
 */
#include "portal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "act.h"
#include "common.h"
#include "error.h"
#include "exists.h"
#include "kind.h"
#include "kinds.h"
#include "rules.h"
#include "input.h"
#include "output.h"
#include "po.h"
#include "record.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define NOTE_MAX 4096
#define LINES_MAX 10000

const char *const vault_status_names[] = {
	"started", "in-progress", "complete", "shipped", "on-hold", NULL
};

int vault_portal__seq_name(char *buf, size_t size, unsigned long seq, const char *signer)
{
	return vault__fmt(buf, size, "file name", "%06lu-%s.json", seq, signer);
}

int vault_portal__next_number(char *buf, size_t size, vault *v, const git_tree *root,
			      const char *top)
{
	sqlite3 *db = vault_index__db(v->index);
	int asns = strcmp(top, "asns") == 0;
	char dir[VAULT_PATH_MAX];
	sqlite3_stmt *st;
	long n = 0;

	if (sqlite3_prepare_v2(db, asns ? "SELECT count(*) FROM asns" : "SELECT count(*) FROM ncrs",
			       -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	do {
		int error;

		if ((error = vault__fmt(buf, size, "number", "%s-%06ld", asns ? "ASN" : "NCR",
					++n)) < 0 ||
		    (error = vault_record__dir(dir, sizeof(dir), top, buf)) < 0)
			return error;
	} while (vault_store__has(v->store, root, dir));
	return 0;
}

int64_t vault_portal__time(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

/* ---- what a PO answer is checked against ------------------------------- */

static const char SQL_PO[] =
	"SELECT supplier, date(created_at, 'unixepoch') FROM pos WHERE po = ?1";
/* a line's quantity and how much of it was received */
static const char SQL_LINE[] =
	"SELECT pl.qty, (SELECT coalesce(sum(ri.received), 0) FROM receipt_items ri"
	" WHERE ri.po = pl.po AND ri.line = pl.line), pl.state FROM po_lines pl"
	" WHERE pl.po = ?1 AND pl.line = ?2";
/* whether a change order left any line of a PO open */
static const char SQL_ANY_OPEN[] = "SELECT count(*) FROM po_lines WHERE po = ?1 AND state = 'open'";
/* the lines of a PO not yet received in full */
static const char SQL_OPEN_LINES[] =
	"SELECT count(*) FROM po_lines pl WHERE pl.po = ?1 AND pl.state = 'open' AND pl.qty > (SELECT"
	" coalesce(sum(ri.received), 0) FROM receipt_items ri WHERE ri.po = pl.po AND ri.line = pl.line)";
static const char SQL_ACK_SEQ[] = "SELECT coalesce(max(seq), 0) FROM po_acks WHERE po = ?1";
static const char SQL_STATUS_SEQ[] = "SELECT coalesce(max(seq), 0) FROM po_status WHERE po = ?1";
static const char SQL_RELEASE_ACK_SEQ[] =
	"SELECT coalesce(max(seq), 0) FROM release_acks WHERE po = ?1";
static const char SQL_RELEASE[] = "SELECT 1 FROM po_releases WHERE po = ?1 AND release = ?2";

typedef struct {
	char supplier[VAULT_NAME_MAX + 1];
	char ordered[16];     /* YYYY-MM-DD the PO was recorded */
	uint64_t line_qty;    /* of the line asked about */
	uint64_t received;
	char line_state[16];  /* open, cancelled, closed (by a change order) */
	int any_open;         /* a line of the PO is open */
} po_facts;

static int index_error(vault *v)
{
	return vault_error__set(VAULT_ERROR, "index: %s",
				sqlite3_errmsg(vault_index__db(v->index)));
}

/*
 * The PO's supplier and order date, and line `line`'s quantity and receipts
 * (line 0: none); the actor must be a supplier of the PO's organization.
 */
static int po_facts_get(po_facts *f, vault *v, const vault_user *actor, const char *po,
			unsigned line, const char *doing)
{
	sqlite3_stmt *st;
	int rc;

	memset(f, 0, sizeof(*f));
	if (vault_index__stmt(&st, v->index, SQL_PO) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (vault__fmt(f->supplier, sizeof(f->supplier), "the PO's supplier", "%s",
			sqlite3_column_text(st, 0)) < 0 ||
	     vault__fmt(f->ordered, sizeof(f->ordered), "the PO's date", "%s",
			sqlite3_column_text(st, 1)) < 0)) {
		sqlite3_reset(st);
		return VAULT_EINVALID;
	}
	sqlite3_reset(st);
	/* another organization's PO is, to a supplier, no PO */
	if (rc == SQLITE_ROW && vault_user__scope(actor) &&
	    strcmp(vault_user__scope(actor), f->supplier) != 0)
		rc = SQLITE_DONE;
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po) :
			index_error(v);
	if (!(actor->roles & VAULT_ROLE_SUPPLIER) || strcmp(actor->org, f->supplier) != 0)
		return vault_error__set(VAULT_EDENIED,
			"user '%s' of '%s' may not %s PO '%s', which belongs to '%s'",
			actor->name, actor->org, doing, po, f->supplier);
	if (vault_index__stmt(&st, v->index, SQL_ANY_OPEN) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	f->any_open = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return index_error(v);
	/* cancelled or closed short by change orders: nothing is to come */
	if (!f->any_open)
		return vault_error__set(VAULT_EINVALID, "PO '%s' has no open line: it was cancelled "
					"or closed", po);
	if (!line)
		return 0;
	if (vault_index__stmt(&st, v->index, SQL_LINE) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, line);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->line_qty = (uint64_t)sqlite3_column_int64(st, 0);
		f->received = (uint64_t)sqlite3_column_int64(st, 1);
		if (vault__fmt(f->line_state, sizeof(f->line_state), "a line's state", "%s",
			       sqlite3_column_text(st, 2)) < 0) {
			sqlite3_reset(st);
			return VAULT_EINVALID;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ?
			vault_error__set(VAULT_ENOTFOUND, "PO '%s' has no line %u", po, line) :
			index_error(v);
	if (strcmp(f->line_state, "open") != 0)
		return vault_error__set(VAULT_EINVALID, "line %u of PO '%s' is %s", line, po,
					f->line_state);
	return 0;
}

/* Whether every line of `po` was received in full. */
static int po_closed(int *closed, vault *v, const char *po)
{
	sqlite3_stmt *st;
	int rc;

	if (vault_index__stmt(&st, v->index, SQL_OPEN_LINES) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*closed = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : index_error(v);
}

/* ---- numbering: a PO's answers are 1, 2, ... ---------------------------- */

static const char *const *sort_pos;

static int cmp_by_po(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_pos[x], sort_pos[y]);

	return c ? c : (x > y) - (x < y);
}

/*
 * seq[i] for each of pos[0..n): after the last the index records (by
 * `sql`), in input order among the batch's answers to the same PO.
 */
static int number(unsigned long *seq, vault *v, const char *const *pos, size_t n,
		  const char *sql)
{
	size_t *order = malloc((n + 1) * sizeof(size_t)), i;
	unsigned long next = 0;
	int error = 0;

	if (!order)
		abort();
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_pos = pos;
	qsort(order, n, sizeof(size_t), cmp_by_po);
	for (i = 0; i < n && !error; i++) {
		if (i == 0 || strcmp(pos[order[i - 1]], pos[order[i]]) != 0) {
			sqlite3_stmt *st;

			if (vault_index__stmt(&st, v->index, sql) < 0) {
				error = index_error(v);
				break;
			}
			sqlite3_bind_text(st, 1, pos[order[i]], -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW)
				error = index_error(v);
			next = (unsigned long)sqlite3_column_int64(st, 0) + 1;
			sqlite3_reset(st);
		}
		seq[order[i]] = next++;
	}
	free(order);
	return error;
}

static const char SQL_PO_RECORDS[] =
	"SELECT (SELECT count(*) FROM po_acks WHERE po = ?1) +"
	" (SELECT count(*) FROM po_status WHERE po = ?1) +"
	" (SELECT count(*) FROM asns WHERE po = ?1)";

/*
 * To a supplier (`viewer`), another organization's PO is none, before any
 * other answer about it (its count of records would tell it is there).
 */
static int po_seen(vault *v, const char *viewer, const char *po)
{
	sqlite3_stmt *st;
	int rc, seen;

	if (!viewer)
		return 0;
	if (vault_index__stmt(&st, v->index, SQL_PO) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	seen = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), viewer) == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return index_error(v);
	return seen ? 0 : vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po);
}

int vault_portal__room(vault *v, const char *const *pos, size_t n)
{
	size_t *order = malloc((n + 1) * sizeof(size_t)), i, k;
	char *viewer = NULL;
	uint64_t limit;
	int error;

	if (!order)
		abort();
	if ((error = vault__viewer(&viewer, v)) < 0 ||
	    (error = vault__limit(&limit, v, VAULT_CFG_PO_RECORDS,
				  VAULT_CFG_PO_RECORDS_DEFAULT)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_pos = pos;
	qsort(order, n, sizeof(size_t), cmp_by_po);
	for (i = 0; i < n && !error; i = k) {
		sqlite3_stmt *st;
		uint64_t had;

		for (k = i + 1; k < n && strcmp(pos[order[k]], pos[order[i]]) == 0; k++)
			;
		if ((error = po_seen(v, viewer, pos[order[i]])) < 0)
			break;
		if (vault_index__stmt(&st, v->index, SQL_PO_RECORDS) < 0) {
			error = index_error(v);
			break;
		}
		sqlite3_bind_text(st, 1, pos[order[i]], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			error = index_error(v);
		had = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (!error && had + (k - i) > limit)
			error = vault_error__set(VAULT_EINVALID,
				"PO '%s' has %llu acknowledgments, status reports and ship notices; "
				"%zu more would be over the limit of %llu (git config "
				VAULT_CFG_PO_RECORDS ")", pos[order[i]], (unsigned long long)had,
				k - i, (unsigned long long)limit);
	}
done:
	free(viewer);
	free(order);
	return error;
}

/*
 * Queue `root` (taken over) as answer `seq` in folder `sub` of PO `po`,
 * as `s` says (act.h; NULL: at once).
 */
static int put_answer(vault_txn *t, vault *v, const char *po, const char *sub,
		      unsigned long seq, json_t *root, const vault_signing *s)
{
	char dir[VAULT_PATH_MAX], name[VAULT_NAME_MAX + 32], path[VAULT_PATH_MAX * 2];
	int error;

	if ((error = vault_record__dir(dir, sizeof(dir), "pos", po)) == 0 &&
	    (error = vault_portal__seq_name(name, sizeof(name), seq, t->actor.name)) == 0 &&
	    (error = vault__fmt(path, sizeof(path), "path", "%s/%s/%s", dir, sub, name)) == 0)
		return vault_act__put(t, v, path, root, s, VAULT_PO_ACK_NAMESPACE);
	json_decref(root);
	return error;
}

/* "ack 3: " before a message when a batch has more than one. */
static int at_item(int error, size_t n, const char *what, size_t i)
{
	if (error < 0 && n > 1)
		return vault_error__set(error, "%s %zu: %s", what, i + 1, vault_error_message());
	return error;
}

/* ---- acknowledgments ------------------------------------------------------ */

static int check_ack_fields(const vault_po_ack *a)
{
	int error;

	if ((error = vault_name_check("PO number", a->po)) < 0)
		return error;
	if (a->line > LINES_MAX)
		return vault_error__set(VAULT_EINVALID, "line %u is not a line number", a->line);
	if (a->reject) {
		if (!a->reason || !*a->reason)
			return vault_error__set(VAULT_EINVALID, "a rejection needs a reason");
		if (a->promise)
			return vault_error__set(VAULT_EINVALID, "a rejection promises no date");
		if ((error = vault_record__text_check("reason", a->reason, NOTE_MAX)) < 0)
			return error;
	} else {
		if (!a->promise)
			return vault_error__set(VAULT_EINVALID, "an acknowledgment needs a promise date");
		if (a->reason)
			return vault_error__set(VAULT_EINVALID, "a reason goes with a rejection");
		if ((error = vault_record__date_check("promise date", a->promise)) < 0)
			return error;
	}
	if (a->release && (a->line || a->qty))
		return vault_error__set(VAULT_EINVALID,
			"a release is acknowledged whole: no line, no quantity");
	if (a->qty && !a->line)
		return vault_error__set(VAULT_EINVALID, "a promised quantity needs a line");
	if (a->qty > QTY_MAX)
		return vault_error__set(VAULT_EINVALID,
			"quantity must be a whole number from 1 to %llu", QTY_MAX);
	if (a->note && (error = vault_record__text_check("note", a->note, NOTE_MAX)) < 0)
		return error;
	return 0;
}

/*
 * The revision of PO `po` an answer is of: its latest, which `asked`
 * must be if given (-1: not given); a cancelled PO takes no answer.
 */
static int revision_answered(unsigned *out, vault_txn *t, vault *v, const char *po, long asked)
{
	json_t *rec = NULL;
	unsigned seq;
	int error;

	if ((error = vault_po__latest(&rec, &seq, v->store, t->root, po)) < 0)
		return error;
	if (vault_po__cancelled(rec))
		error = vault_error__set(VAULT_EINVALID, "PO '%s' is cancelled", po);
	else if (asked > (long)seq)
		error = vault_error__set(VAULT_EINVALID,
			"PO '%s' has no revision %ld: it is at revision %u", po, asked, seq);
	else if (asked >= 0 && (unsigned long)asked != seq)
		error = vault_error__set(VAULT_EINVALID,
			"PO '%s' is at revision %u: revision %ld was changed since", po, seq, asked);
	json_decref(rec);
	*out = seq;
	return error;
}

static int put_ack(vault_txn *t, vault *v, const vault_po_ack *a, unsigned long seq,
		   const vault_signing *s)
{
	char when[VAULT_TIME_SIZE];
	unsigned revision;
	po_facts f;
	json_t *root;
	int error;

	if ((error = po_facts_get(&f, v, &t->actor, a->po, a->line, "acknowledge")) < 0 ||
	    (error = revision_answered(&revision, t, v, a->po, a->revision)) < 0)
		return error;
	if (a->promise && strcmp(a->promise, f.ordered) < 0)
		return vault_error__set(VAULT_EINVALID,
			"promise date %s is before the order date %s of PO '%s'", a->promise,
			f.ordered, a->po);
	if (a->qty > f.line_qty && a->line)
		return vault_error__set(VAULT_EINVALID,
			"a promise of %llu is more than line %u of PO '%s' orders (%llu)",
			(unsigned long long)a->qty, a->line, a->po, (unsigned long long)f.line_qty);
	if (a->release) {
		sqlite3_stmt *st;
		int rc;

		if (vault_index__stmt(&st, v->index, SQL_RELEASE) < 0)
			return index_error(v);
		sqlite3_bind_text(st, 1, a->po, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, a->release);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND,
				"PO '%s' has no release %u", a->po, a->release) : index_error(v);
	}
	vault_time_format(when, sizeof(when), t->now);
	root = json_pack("{s:s, s:i, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "record",
			 a->release ? "release-ack" : "po-ack",
			 "format", 1, "po", a->po, "seq", (json_int_t)seq,
			 "revision", (json_int_t)revision,
			 "decision", a->reject ? "rejected" : "accepted", "org", t->actor.org,
			 "signed_by", t->actor.name, "fingerprint", t->actor.fingerprint,
			 "signed_at", when);
	if (!root)
		return vault_error__set(VAULT_EINVALID, "the acknowledgment is not valid UTF-8");
	if (a->line)
		json_object_set_new(root, "line", json_integer(a->line));
	if (a->release)
		json_object_set_new(root, "release", json_integer(a->release));
	if (a->promise)
		json_object_set_new(root, "promise", json_string(a->promise));
	if (a->qty)
		json_object_set_new(root, "qty", json_integer((json_int_t)a->qty));
	if (a->note)
		json_object_set_new(root, "note", json_string(a->note));
	if (a->reason)
		json_object_set_new(root, "reason", json_string(a->reason));
	return put_answer(t, v, a->po, a->release ? VAULT_PO_RELEASE_ACKS_DIR : VAULT_PO_ACKS_DIR,
			  seq, root, s);
}

/* Acknowledgments acks[0..n) in one commit, or the one signed as `s` says. */
static int ack_add(vault *v, const vault_po_ack *acks, size_t n, const vault_signing *s)
{
	const char **pos = calloc(n + 1, sizeof(char *));
	unsigned long *seq = calloc(n + 1, sizeof(unsigned long));
	vault_buf message = VAULT_BUF_INIT;
	vault_txn t;
	size_t i;
	int error = 0;

	if (!pos || !seq)
		abort();
	memset(&t, 0, sizeof(t));
	if (n == 0)
		error = vault_error__set(VAULT_EINVALID, "no acknowledgment to record");
	for (i = 0; i < n && !error; i++) {
		error = at_item(check_ack_fields(&acks[i]), n, "acknowledgment", i);
		if (!error && acks[i].release && n > 1)
			error = vault_error__set(VAULT_EINVALID,
				"acknowledgment %zu: a release is acknowledged on its own", i + 1);
		pos[i] = acks[i].po;
	}
	if (error < 0 || (error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_SUPPLIER, "acknowledge purchase orders")) < 0 ||
	    (error = vault_act__begin(&t, v, s, "signed_at")) < 0 ||
	    (error = vault_portal__room(v, pos, n)) < 0 ||
	    (error = number(seq, v, pos, n, n == 1 && acks[0].release ? SQL_RELEASE_ACK_SEQ :
			    SQL_ACK_SEQ)) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++)
		if ((error = at_item(put_ack(&t, v, &acks[i], seq[i], s), n, "acknowledgment", i)) < 0)
			goto done;
	if (vault_act__statement_only(s))
		goto done;
	if (n == 1 && acks[0].release)
		error = vault_buf__addf(&message,
			 "po ack %s release %u: %s%s\n\nQvault-Op: release-ack\nQvault-PO: %s\n",
			 acks[0].po, acks[0].release, acks[0].reject ? "rejected" : "promise ",
			 acks[0].reject ? "" : acks[0].promise, acks[0].po);
	else if (n == 1 && acks[0].reject)
		error = vault_buf__addf(&message,
			 "po ack %s: rejected\n\nQvault-Op: po-ack\nQvault-PO: %s\n", acks[0].po, acks[0].po);
	else if (n == 1)
		error = vault_buf__addf(&message,
			 "po ack %s%s%.0u: promise %s\n\nQvault-Op: po-ack\nQvault-PO: %s\n", acks[0].po,
			 acks[0].line ? " line " : "", acks[0].line, acks[0].promise, acks[0].po);
	else
		error = vault_buf__addf(&message, "po ack %zu acknowledgments\n\nQvault-Op: po-ack\n", n);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
out:
	free(pos);
	free(seq);
	return error;
}

int vault_po_ack_add(vault *v, const vault_po_ack *acks, size_t n)
{
	return ack_add(v, acks, n, NULL);
}

int vault_po_ack_signed(vault *v, const vault_po_ack *ack, const vault_signing *s)
{
	return ack_add(v, ack, 1, s);
}

/* ---- status --------------------------------------------------------------- */

static int check_status_fields(const vault_status_report *s)
{
	size_t i;
	int error;

	if ((error = vault_name_check("PO number", s->po)) < 0)
		return error;
	if (s->line > LINES_MAX)
		return vault_error__set(VAULT_EINVALID, "line %u is not a line number", s->line);
	for (i = 0; vault_status_names[i]; i++)
		if (strcmp(s->status, vault_status_names[i]) == 0)
			break;
	if (!vault_status_names[i])
		return vault_error__set(VAULT_EINVALID,
			"unknown status '%.64s' (started, in-progress, complete, shipped, on-hold)",
			s->status);
	if (s->note && (error = vault_record__text_check("note", s->note, NOTE_MAX)) < 0)
		return error;
	return 0;
}

static int put_status(vault_txn *t, vault *v, const vault_status_report *s, unsigned long seq)
{
	char when[VAULT_TIME_SIZE];
	po_facts f;
	json_t *root;
	int error, closed = 0;

	if ((error = po_facts_get(&f, v, &t->actor, s->po, s->line, "report the status of")) < 0)
		return error;
	if (s->line && f.received >= f.line_qty)
		return vault_error__set(VAULT_EINVALID,
			"line %u of PO '%s' is closed: all %llu were received", s->line, s->po,
			(unsigned long long)f.line_qty);
	if (!s->line && ((error = po_closed(&closed, v, s->po)) < 0 || closed))
		return error < 0 ? error : vault_error__set(VAULT_EINVALID,
			"PO '%s' is closed: every line was received in full", s->po);
	vault_time_format(when, sizeof(when), t->now);
	root = json_pack("{s:s, s:i, s:s, s:I, s:s, s:s, s:s, s:s}", "record", "status",
			 "format", 1, "po", s->po, "seq", (json_int_t)seq, "status", s->status,
			 "org", t->actor.org, "reported_by", t->actor.name, "reported_at", when);
	if (!root)
		return vault_error__set(VAULT_EINVALID, "the status is not valid UTF-8");
	if (s->line)
		json_object_set_new(root, "line", json_integer(s->line));
	if (s->note)
		json_object_set_new(root, "note", json_string(s->note));
	return put_answer(t, v, s->po, VAULT_PO_STATUS_DIR, seq, root, NULL);
}

/* Record reports[0..n); `where[i]` (may be NULL) prefixes report i's errors. */
static int add_status(vault *v, const vault_status_report *reports, size_t n, char **where)
{
	const char **pos = calloc(n + 1, sizeof(char *));
	unsigned long *seq = calloc(n + 1, sizeof(unsigned long));
	vault_buf message = VAULT_BUF_INIT;
	vault_txn t;
	size_t i;
	int error = 0;

	if (!pos || !seq)
		abort();
	memset(&t, 0, sizeof(t));
	if (n == 0)
		error = vault_error__set(VAULT_EINVALID, "no status to record");
	for (i = 0; i < n && !error; i++) {
		if ((error = check_status_fields(&reports[i])) < 0 && where)
			error = vault_error__set(error, "%s%s", where[i], vault_error_message());
		pos[i] = reports[i].po;
	}
	if (error < 0 || (error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_SUPPLIER, "report production status")) < 0 ||
	    (error = vault_portal__room(v, pos, n)) < 0 ||
	    (error = number(seq, v, pos, n, SQL_STATUS_SEQ)) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++)
		if ((error = put_status(&t, v, &reports[i], seq[i])) < 0) {
			if (where)
				error = vault_error__set(error, "%s%s", where[i], vault_error_message());
			goto done;
		}
	if (where)
		error = vault_buf__addf(&message,
			 "status import %zu reports\n\nQvault-Op: status-import\n", n);
	else if (n == 1)
		error = vault_buf__addf(&message,
			 "status %s%s%.0u %s\n\nQvault-Op: status\nQvault-PO: %s\n", reports[0].po,
			 reports[0].line ? ":" : "", reports[0].line, reports[0].status, reports[0].po);
	else
		error = vault_buf__addf(&message, "status %zu reports\n\nQvault-Op: status\n", n);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
out:
	free(pos);
	free(seq);
	return error;
}

int vault_status_add(vault *v, const vault_status_report *reports, size_t n)
{
	size_t i;
	int error = 0;

	for (i = 0; i < n && !error; i++)
		error = at_item(check_status_fields(&reports[i]), n, "status", i);
	return error < 0 ? error : add_status(v, reports, n, NULL);
}

/* What a status import file holds. */
typedef struct {
	vault_status_report *items;
	char **where;
	size_t n, cap;
	vault_strings keep;
} status_file;

static void status_file_dispose(status_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->where[i]);
	free(f->where);
	free(f->items);
	vault_strings__dispose(&f->keep);
}

static vault_status_report *status_file_push(status_file *f, const char *where)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		if ((f->items = realloc(f->items, f->cap * sizeof(*f->items))) == NULL ||
		    (f->where = realloc(f->where, f->cap * sizeof(char *))) == NULL)
			abort();
	}
	f->where[f->n] = vault__strdup(where);
	memset(&f->items[f->n], 0, sizeof(f->items[0]));
	return &f->items[f->n++];
}

/* A line number: "" or "0" for none, else 1 to LINES_MAX; -1 when neither. */
static long line_number(const char *s)
{
	char *end;
	long n;

	if (!*s)
		return 0;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno || n > LINES_MAX ? -1 : n;
}

static const char *const status_columns[] = { "po", "line", "status", "note" };

static int on_status_row(void *payload, const char *const *f, size_t row)
{
	status_file *sf = payload;
	vault_status_report *r;
	char where[32];
	long line;

	if (vault__fmt(where, sizeof(where), "row", "row %zu: ", row) < 0)
		return VAULT_EINVALID;
	if ((line = line_number(f[1])) < 0)
		return vault_error__set(VAULT_EINVALID, "row %zu, field 'line': '%.32s' is not a line number",
					row, f[1]);
	r = status_file_push(sf, where);
	r->po = f[0];
	r->line = (unsigned)line;
	r->status = f[2];
	r->note = *f[3] ? f[3] : NULL;
	return 0;
}

static int parse_status_json(status_file *sf, const char *data, size_t len, size_t max_rows)
{
	json_error_t jerr;
	json_t *root, *o;
	size_t i;
	int error = 0;

	if ((error = vault_input__json_list(&root, data, len, "status reports", max_rows)) < 0)
		return error;
	json_array_foreach(root, i, o) {
		const char *po, *status, *note = NULL;
		json_int_t line = 0;
		vault_status_report *r;
		char where[48];

		if (json_unpack_ex(o, &jerr, JSON_STRICT, "{s:s, s?:I, s:s, s?:s}", "po", &po,
				   "line", &line, "status", &status, "note", &note) < 0 ||
		    line < 0 || line > LINES_MAX) {
			error = vault_error__set(VAULT_EINVALID, "status %zu: %s", i + 1,
						 jerr.text[0] ? jerr.text : "line is not a line number");
			break;
		}
		if ((error = vault__fmt(where, sizeof(where), "item", "status %zu: ", i + 1)) < 0)
			break;
		r = status_file_push(sf, where);
		r->po = vault_strings__keep(&sf->keep, po, strlen(po));
		r->line = (unsigned)line;
		r->status = vault_strings__keep(&sf->keep, status, strlen(status));
		r->note = note ? vault_strings__keep(&sf->keep, note, strlen(note)) : NULL;
	}
	json_decref(root);
	return error;
}

static int parse_status_file(status_file *sf, const char *data, size_t len, size_t max_rows)
{
	memset(sf, 0, sizeof(*sf));
	return vault_input__is_json(data, len) ? parse_status_json(sf, data, len, max_rows) :
		vault_input__csv(&sf->keep, data, len, status_columns, 4, 1, max_rows,
				 on_status_row, sf);
}

int vault_status_import(size_t *count, vault *v, const char *path)
{
	status_file sf;
	char *data;
	size_t len, i, max_rows;
	int error;

	*count = 0;
	if ((error = vault_input__max_rows(&max_rows, v)) < 0 ||
	    (error = vault_input__read(&data, &len, v, path)) < 0)
		return error;
	error = parse_status_file(&sf, data, len, max_rows);
	for (i = 0; i < sf.n && !error; i++)
		if ((error = check_status_fields(&sf.items[i])) < 0)
			error = vault_error__set(error, "%s%s", sf.where[i], vault_error_message());
	if (!error && sf.n == 0)
		error = vault_error__set(VAULT_EINVALID, "the file has no status reports");
	if (!error && (error = add_status(v, sf.items, sf.n, sf.where)) == 0)
		*count = sf.n;
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	free(data);
	status_file_dispose(&sf);
	return error;
}

/* ---- exports ---------------------------------------------------------------- */

/*
 * Run `sql` (?1: organization or NULL) and write its rows, named by
 * `cols`, as CSV or as a JSON list of objects (integers stay integers,
 * NULLs are left out).
 */
static int export_rows(char **out, vault *v, const char *org, vault_export_format format,
		       const char *sql, const char *const *cols, size_t ncols, const char *what)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st = NULL;
	vault_output csv;
	json_t *list = NULL;
	char *own = NULL;
	size_t c;
	int rc, error;

	*out = NULL;
	vault_output__init(&csv);
	if ((org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(&own, v)) < 0)
		return error;
	if (own && org && strcmp(own, org) != 0) {
		free(own);
		return vault_error__set(VAULT_EDENIED, "a supplier exports only its own organization's %s",
					what);
	}
	if (own)
		org = own;
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		goto done;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		error = index_error(v);
		goto done;
	}
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	if (format == VAULT_EXPORT_CSV) {
		for (c = 0; c < ncols; c++)
			vault_output__cell(&csv, cols[c]);
		vault_output__end_row(&csv);
	} else {
		list = json_array();
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = list ? json_object() : NULL;

		for (c = 0; c < ncols; c++) {
			int type = sqlite3_column_type(st, (int)c);
			const char *s = (const char *)sqlite3_column_text(st, (int)c);

			if (!o)
				vault_output__cell(&csv, s);
			else if (type == SQLITE_INTEGER)
				json_object_set_new(o, cols[c], json_integer(sqlite3_column_int64(st, (int)c)));
			else if (type != SQLITE_NULL)
				json_object_set_new(o, cols[c], json_string(s));
		}
		if (o)
			json_array_append_new(list, o);
		else
			vault_output__end_row(&csv);
	}
	if (rc != SQLITE_DONE) {
		error = index_error(v);
		goto done;
	}
	if (list) {
		if ((*out = json_dumps(list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
			error = vault_error__set(VAULT_ERROR, "cannot write the %s", what);
	} else {
		*out = vault_output__detach(&csv);
	}
done:
	sqlite3_finalize(st);
	json_decref(list);
	vault_output__dispose(&csv);
	free(own);
	return error;
}

int vault_asn_export(char **out, vault *v, const char *org, vault_export_format format)
{
	static const char *const cols[] = { "asn", "po", "supplier", "ship_date", "carrier",
		"tracking", "package", "lot", "line", "part", "qty", "received", "received_date" };

	return export_rows(out, v, org, format,
		"SELECT a.asn, a.po, a.supplier, a.ship_date, a.carrier, a.tracking, i.package, i.lot,"
		" i.line, i.part, i.qty, ri.received, r.received FROM asns a"
		" JOIN asn_items i ON i.asn = a.asn"
		" LEFT JOIN receipt_items ri ON ri.asn = i.asn AND ri.lot = i.lot"
		" LEFT JOIN receipts r ON r.asn = a.asn"
		" WHERE i.in_force AND (?1 IS NULL OR a.supplier = ?1) ORDER BY a.asn, i.package, i.lot",
		cols, sizeof(cols) / sizeof(cols[0]), "ship notices");
}

int vault_status_export(char **out, vault *v, const char *org, vault_export_format format)
{
	static const char *const cols[] = { "po", "line", "seq", "status", "note", "org",
		"reported_by", "reported_at" };

	return export_rows(out, v, org, format,
		"SELECT po, line, seq, status, note, org, reported_by,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', reported_at, 'unixepoch') FROM po_status"
		" WHERE ?1 IS NULL OR org = ?1 ORDER BY po, seq",
		cols, sizeof(cols) / sizeof(cols[0]), "status reports");
}

/* ---- the index --------------------------------------------------------------- */

static const char SQL_INS_ACK[] =
	"INSERT INTO po_acks (po, seq, line, decision, promise, qty, note, reason, org,"
	" signed_by, signed_at, commit_id, revision)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, coalesce(?13, 0))";
static const char SQL_INS_STATUS[] =
	"INSERT INTO po_status (po, seq, line, status, note, org, reported_by, reported_at,"
	" commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* Bind a JSON member as text, integer or NULL. */
static void bind_member(sqlite3_stmt *st, int col, json_t *o, const char *key)
{
	json_t *m = json_object_get(o, key);

	if (json_is_integer(m))
		sqlite3_bind_int64(st, col, json_integer_value(m));
	else if (json_is_string(m))
		sqlite3_bind_text(st, col, json_string_value(m), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

int vault_portal__step(vault_index *idx, sqlite3_stmt *st, const char *path)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s", path,
				sqlite3_errmsg(vault_index__db(idx)));
}

/* Bind a record beside a revision as vault_portal__index_beside's statements take it. */
static void bind_beside(sqlite3_stmt *st, const vault_kind_file *f, json_t *root,
			const char *const *fields, const char *at, const char *hex)
{
	size_t n;

	sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f->m->rev, -1, SQLITE_TRANSIENT);
	for (n = 0; fields[n]; n++)
		sqlite3_bind_text(st, (int)n + 3, json_string_value(json_object_get(root, fields[n])),
				  -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, (int)n + 3, vault_portal__time(json_string_value(
		json_object_get(root, at))));
	sqlite3_bind_text(st, (int)n + 4, hex, -1, SQLITE_TRANSIENT);
}

int vault_portal__index_beside(const vault_kind_file *f, const char *sql, const char *once,
			       const char *const *fields, size_t required, const char *at,
			       const char *what)
{
	sqlite3_stmt *st;
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	char hex[41], name[2 * VAULT_NAME_MAX + 96];
	size_t n;
	int error;

	for (n = 0; root && fields[n]; n++)
		if (n < required && !json_is_string(json_object_get(root, fields[n])))
			break;
	if (!root || (fields[n] && n < required) ||
	    !json_is_string(json_object_get(root, at))) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the %s is malformed", f->path, what);
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if (vault_index__stmt(&st, f->idx, once) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(f->idx)));
	}
	bind_beside(st, f, root, fields, at, hex);
	if (*f->m->rev)
		vault__fmt_message(name, sizeof(name), "the %s of %s@%s", what, f->m->key, f->m->rev);
	else
		vault__fmt_message(name, sizeof(name), "the %s of '%s'", what, f->m->key);
	if ((error = vault_index__once_step(f->idx, st, f->commit, f->path, name)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&st, f->idx, sql) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(f->idx)));
	}
	bind_beside(st, f, root, fields, at, hex);
	error = vault_portal__step(f->idx, st, f->path);
	json_decref(root);
	return error;
}

static const char SQL_ACK_ONCE[] =
	"SELECT commit_id FROM po_acks WHERE po = ?1 AND seq = ?2 AND signed_by = ?3";
static const char SQL_STATUS_ONCE[] =
	"SELECT commit_id FROM po_status WHERE po = ?1 AND seq = ?2 AND reported_by = ?3";

/* An answer to a PO is recorded once: by its PO, its number and its signer. */
static int answer_once(vault_index *idx, const git_oid *commit, const char *path, const char *po,
		       json_int_t seq, const char *by, int is_ack)
{
	char num[32], what[2 * VAULT_NAME_MAX + 96];
	const char *keys[] = { po, num, by };

	vault__fmt_message(num, sizeof(num), "%lld", (long long)seq);
	vault__fmt_message(what, sizeof(what), "%s %lld of PO '%s' by '%s'",
			   is_ack ? "acknowledgment" : "status report", (long long)seq, po, by);
	return vault_index__once(idx, commit, path, is_ack ? SQL_ACK_ONCE : SQL_STATUS_ONCE, keys, 3,
				 what);
}

static int index_answer(vault_index *idx, const char *data, size_t len, const char *path,
			const git_oid *commit, int is_ack)
{
	sqlite3_stmt *st;
	json_t *root;
	const char *kind, *po, *org, *by, *at;
	json_int_t seq;
	char hex[41];
	int error;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:I, s:s, s:s, s:s}", "record", &kind, "po", &po,
				 "seq", &seq, "org", &org,
				 is_ack ? "signed_by" : "reported_by", &by,
				 is_ack ? "signed_at" : "reported_at", &at) < 0 ||
	    strcmp(kind, is_ack ? "po-ack" : "status") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the %s is malformed", path,
					is_ack ? "PO acknowledgment" : "status report");
	}
	if ((error = answer_once(idx, commit, path, po, seq, by, is_ack)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&st, idx, is_ack ? SQL_INS_ACK : SQL_INS_STATUS) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(idx)));
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	bind_member(st, 3, root, "line");
	if (is_ack) {
		bind_member(st, 4, root, "decision");
		bind_member(st, 5, root, "promise");
		bind_member(st, 6, root, "qty");
		bind_member(st, 7, root, "note");
		bind_member(st, 8, root, "reason");
		sqlite3_bind_text(st, 9, org, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, by, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, vault_portal__time(at));
		sqlite3_bind_text(st, 12, hex, -1, SQLITE_STATIC);
		bind_member(st, 13, root, "revision"); /* answers made before change orders: none */
	} else {
		bind_member(st, 4, root, "status");
		bind_member(st, 5, root, "note");
		sqlite3_bind_text(st, 6, org, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, vault_portal__time(at));
		sqlite3_bind_text(st, 9, hex, -1, SQLITE_STATIC);
	}
	error = vault_portal__step(idx, st, path);
	json_decref(root);
	return error;
}

/*
 * An answer (acknowledgment or status report) is of a PO with a line
 * still open, and of an open line if it names one, as the PO's latest
 * revision stood before it; an acknowledgment answers that revision (one
 * made before change orders names none: revision 0).
 */
static void check_answer_revision(const vault_change_ctx *c, const char *path, json_t *rec,
				  const char *po, int is_ack)
{
	json_t *latest = NULL, *named = json_object_get(rec, "revision"), *l;
	json_int_t line = json_integer_value(json_object_get(rec, "line"));
	const char *state;
	size_t i, open = 0;
	unsigned seq;

	if (is_ack && named && !json_is_integer(named)) {
		c->found(c, path, "the acknowledgment's revision is not a number");
		return;
	}
	if (vault_po__latest(&latest, &seq, c->store, c->before, po) < 0)
		return; /* no PO before it: found by the caller */
	if (is_ack && json_integer_value(named) != (json_int_t)seq)
		c->found(c, path, "the acknowledgment answers revision %lld of PO '%s', whose latest "
			 "was %u", (long long)json_integer_value(named), po, seq);
	json_array_foreach(json_object_get(latest, "lines"), i, l) {
		state = json_string_value(json_object_get(l, "state"));
		open += !state || strcmp(state, "open") == 0;
		if (line && json_integer_value(json_object_get(l, "line")) == line && state &&
		    strcmp(state, "open") != 0)
			c->found(c, path, "line %lld of PO '%s' was %s before it", (long long)line,
				 po, state);
	}
	if (!open)
		c->found(c, path, "PO '%s' had no open line before it (cancelled or closed)", po);
	json_decref(latest);
}

/*
 * pos/<h>/<h>/<PO>/acks|status/NNNNNN.json: a supplier of the PO's
 * organization, as the PO recorded before, answers; the record names the
 * PO and number its path does.
 */
static void check_answer(const vault_change_ctx *c, const char *path)
{
	char parts[7][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *po = NULL;
	int is_ack, is_release;
	size_t n = vault_rules__split(parts, 6, path);

	if (n != 6 || (strcmp(parts[4], VAULT_PO_ACKS_DIR) != 0 &&
		       strcmp(parts[4], VAULT_PO_STATUS_DIR) != 0 &&
		       strcmp(parts[4], VAULT_PO_RELEASE_ACKS_DIR) != 0) ||
	    strlen(parts[5]) < 13 || strspn(parts[5], "0123456789") != 6 || parts[5][6] != '-' ||
	    strcmp(parts[5] + strlen(parts[5]) - 5, ".json") != 0 ||
	    !vault_rules__fanned(path, "pos", parts[3])) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	is_release = strcmp(parts[4], VAULT_PO_RELEASE_ACKS_DIR) == 0;
	is_ack = is_release || strcmp(parts[4], VAULT_PO_ACKS_DIR) == 0;
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), is_release ? "release-ack" :
			   is_ack ? "po-ack" : "status") != 0 ||
	    (is_release && (json_integer_value(json_object_get(rec, "release")) < 1 ||
			    json_object_get(rec, "line") || json_object_get(rec, "qty")))) {
		c->found(c, path, "the %s is malformed", is_release ? "release acknowledgment" :
			 is_ack ? "PO acknowledgment" : "status report");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "po"), parts[3]) != 0 ||
	    json_integer_value(json_object_get(rec, "seq")) != strtol(parts[5], NULL, 10) ||
	    strlen(parts[5]) != 12 + strlen(vault_rules__str(rec, is_ack ? "signed_by" : "reported_by")) ||
	    strncmp(parts[5] + 7, vault_rules__str(rec, is_ack ? "signed_by" : "reported_by"),
		    strlen(parts[5]) - 12) != 0)
		c->found(c, path, "the record of PO '%s' number %lld is stored as '%s'",
		      vault_rules__str(rec, "po"), (long long)json_integer_value(json_object_get(rec, "seq")), path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, is_ack ? "signed_by" : "reported_by"), vault_rules__str(rec, "org"),
		  vault_rules__str(rec, is_ack ? "signed_at" : "reported_at"));
	if (is_ack && c->who && strcmp(vault_rules__str(rec, "fingerprint"), c->who->fingerprint) != 0)
		c->found(c, path, "the acknowledgment names key %s, not the signer's %s",
		      vault_rules__str(rec, "fingerprint"), c->who->fingerprint);
	{
		/* numbered in order: never past the count of answers the folder holds */
		char dir[VAULT_PATH_MAX * 2];
		git_tree_entry *te = NULL;
		git_tree *t = NULL;
		json_int_t seq = json_integer_value(json_object_get(rec, "seq"));
		size_t count = 0;

		if (vault__fmt(dir, sizeof(dir), "path", "%.*s", (int)(strrchr(path, '/') - path),
			       path) == 0 &&
		    git_tree_entry_bypath(&te, c->tree, dir) == 0 &&
		    git_tree_lookup(&t, git_tree_owner(c->tree), git_tree_entry_id(te)) == 0)
			count = git_tree_entrycount(t);
		git_tree_free(t);
		git_tree_entry_free(te);
		if (seq < 1 || (size_t)seq > count)
			c->found(c, path, "the record is number %lld of PO '%s', which has %zu",
			      (long long)seq, parts[3], count);
	}
	if ((po = vault_rules__keyed(c, c->before, "pos", parts[3], "po.json")) == NULL) {
		c->found(c, path, "PO '%s' was not recorded before it", parts[3]);
		goto done;
	}
	if (c->who && strcmp(vault_rules__str(po, "supplier"), c->who->org) != 0)
		c->found(c, path, "user '%s' of '%s' answers PO '%s' of '%s'", c->who->name,
		      c->who->org, parts[3], vault_rules__str(po, "supplier"));
	check_answer_revision(c, path, rec, parts[3], is_ack);
	if (is_release) {
		char dir[VAULT_PATH_MAX], rel[VAULT_PATH_MAX * 2];
		json_int_t r = json_integer_value(json_object_get(rec, "release"));

		if (vault_po__dir(dir, sizeof(dir), parts[3]) < 0 ||
		    vault__fmt(rel, sizeof(rel), "path", "%s/" VAULT_PO_RELEASES_DIR "/%06lld.json",
			       dir, (long long)r) < 0 || !vault_rules__has(c->store, c->before, rel))
			c->found(c, path, "release %lld of PO '%s' was not recorded before it",
				 (long long)r, parts[3]);
	}
done:
	json_decref(rec);
	json_decref(po);
}

static int index_po_ack(const vault_kind_file *f)
{
	return index_answer(f->idx, f->data, f->len, f->path, f->commit, 1);
}

static const char SQL_INS_RELEASE_ACK[] =
	"INSERT INTO release_acks (po, seq, release, revision, decision, promise, note, reason, org,"
	" signed_by, signed_at, commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_RELEASE_ACK_ONCE[] =
	"SELECT commit_id FROM release_acks WHERE po = ?1 AND seq = ?2 AND signed_by = ?3";

static int index_release_ack(const vault_kind_file *f)
{
	const char *po, *org, *by, *at, *decision;
	json_int_t seq, release, revision;
	char num[32], hex[41], what[2 * VAULT_NAME_MAX + 96];
	const char *keys[3];
	sqlite3_stmt *st;
	json_t *root;
	int error;

	root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "po", &po,
				 "seq", &seq, "release", &release, "revision", &revision,
				 "decision", &decision, "org", &org, "signed_by", &by,
				 "signed_at", &at) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the release acknowledgment is malformed",
					f->path);
	}
	vault__fmt_message(num, sizeof(num), "%lld", (long long)seq);
	vault__fmt_message(what, sizeof(what), "release acknowledgment %lld of PO '%s' by '%s'",
			   (long long)seq, po, by);
	keys[0] = po;
	keys[1] = num;
	keys[2] = by;
	if ((error = vault_index__once(f->idx, f->commit, f->path, SQL_RELEASE_ACK_ONCE, keys, 3,
				       what)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&st, f->idx, SQL_INS_RELEASE_ACK) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(f->idx)));
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, release);
	sqlite3_bind_int64(st, 4, revision);
	sqlite3_bind_text(st, 5, decision, -1, SQLITE_TRANSIENT);
	bind_member(st, 6, root, "promise");
	bind_member(st, 7, root, "note");
	bind_member(st, 8, root, "reason");
	sqlite3_bind_text(st, 9, org, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 11, vault_portal__time(at));
	sqlite3_bind_text(st, 12, hex, -1, SQLITE_TRANSIENT);
	error = vault_portal__step(f->idx, st, f->path);
	json_decref(root);
	return error;
}

static int index_status(const vault_kind_file *f)
{
	return index_answer(f->idx, f->data, f->len, f->path, f->commit, 0);
}

const vault_kind vault_kind_po_ack = {
	.name = "PO acknowledgment",
	.shape = "pos/HH/HH/PO/" VAULT_PO_ACKS_DIR "/*.json",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "acknowledge purchase orders",
	.ops = "po-ack",
	.made_by = "po-ack",
	.index = index_po_ack,
	.check = check_answer,
	.tables = "po_acks",
};
/* pos/.../PO/acks/N-NAME.json.sig: the signer's own signature of the answer */
static void check_ack_signature(const vault_change_ctx *c, const char *path)
{
	vault_act__check_signature(c, path, VAULT_PO_ACK_NAMESPACE, "signed_by");
}

const vault_kind vault_kind_po_ack_signature = {
	.name = "PO acknowledgment signature",
	.shape = "pos/HH/HH/PO/" VAULT_PO_ACKS_DIR "/*.json.sig",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "acknowledge purchase orders",
	.ops = "po-ack",
	.check = check_ack_signature,
};
const vault_kind vault_kind_status = {
	.name = "status report",
	.shape = "pos/HH/HH/PO/" VAULT_PO_STATUS_DIR "/*.json",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "report production status",
	.ops = "status status-import",
	.made_by = "status status-import",
	.index = index_status,
	.check = check_answer,
	.tables = "po_status",
};

/* pos/.../PO/release-acks/N-NAME.json: a supplier's answer to a release, as to a PO */
const vault_kind vault_kind_release_ack = {
	.name = "release acknowledgment",
	.shape = "pos/HH/HH/PO/" VAULT_PO_RELEASE_ACKS_DIR "/*.json",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "acknowledge purchase orders",
	.ops = "release-ack",
	.made_by = "release-ack",
	.index = index_release_ack,
	.check = check_answer,
	.tables = "release_acks",
};
const vault_kind vault_kind_release_ack_signature = {
	.name = "release acknowledgment signature",
	.shape = "pos/HH/HH/PO/" VAULT_PO_RELEASE_ACKS_DIR "/*.json.sig",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "acknowledge purchase orders",
	.ops = "release-ack",
	.check = check_ack_signature,
};
