/*
 * po_change.c - change orders: a PO's next revision, the whole PO as it
 * stands after the change, signed by the buyer with the reason.  The PO's
 * own record (po.json) is revision 0 and is never rewritten; revision N
 * is pos/<h>/<h>/<PO>/changes/NNNNNN-<signer>.json.
 *
 * A change edits an open line (quantity, due date, required revision),
 * adds lines, cancels lines or the whole PO, or closes lines short.  A
 * cancelled or closed line stays so in every later revision, and a PO
 * whose every line is cancelled takes no change.  The supplier answers
 * the latest revision (po ack names it).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "kind.h"
#include "kinds.h"
#include "po.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define LINES_MAX 10000
#define REASON_MAX 1000

static const char *const line_states[] = { "open", "cancelled", "closed", NULL };

static int state_known(const char *s)
{
	size_t i;

	for (i = 0; line_states[i]; i++)
		if (strcmp(line_states[i], s) == 0)
			return 1;
	return 0;
}

/* A line's state: revision 0 and records of before change orders have none: open. */
static const char *state_of(json_t *line)
{
	const char *s = json_string_value(json_object_get(line, "state"));

	return s ? s : "open";
}

static json_t *line_numbered(json_t *lines, unsigned n)
{
	size_t i;
	json_t *l;

	json_array_foreach(lines, i, l)
		if (json_integer_value(json_object_get(l, "line")) == (json_int_t)n)
			return l;
	return NULL;
}

/* ---- making one ---------------------------------------------------------- */

typedef struct {
	vault *v;
	vault_txn *t;
	const char *po;
	char supplier[VAULT_NAME_MAX + 1];
	json_t *lines;      /* the revision being made, edited in place */
	vault_buf summary;  /* what changed, in words */
} change;

/*
 * What changed from the lines `before` to `after`, in words, appended to
 * `out` ("" when nothing): each line in order, its quantity, due date,
 * required revision and state, or that it was added.  The write path
 * records it and verify recomputes it, so a summary cannot say what a
 * change did not do.
 */
static int describe(vault_buf *out, json_t *before, json_t *after)
{
	size_t i;
	json_t *l;
	int error = 0;

#define SAY(...) (error = vault_buf__addf(out, "%s", out->len ? "; " : "")) < 0 || \
	(error = vault_buf__addf(out, __VA_ARGS__)) < 0
	json_array_foreach(after, i, l) {
		json_int_t n = json_integer_value(json_object_get(l, "line"));
		json_t *was = line_numbered(before, (unsigned)n);
		const char *due = json_string_value(json_object_get(l, "due"));
		const char *was_due = was ? json_string_value(json_object_get(was, "due")) : NULL;

		if (!was) {
			if (SAY("line %lld added: %lld of %s to %s@%s", (long long)n,
				(long long)json_integer_value(json_object_get(l, "qty")),
				json_string_value(json_object_get(l, "part")),
				json_string_value(json_object_get(l, "doc")),
				json_string_value(json_object_get(l, "rev"))))
				break;
			continue;
		}
		if (json_integer_value(json_object_get(l, "qty")) !=
		    json_integer_value(json_object_get(was, "qty")) &&
		    (SAY("line %lld quantity %lld -> %lld", (long long)n,
			 (long long)json_integer_value(json_object_get(was, "qty")),
			 (long long)json_integer_value(json_object_get(l, "qty")))))
			break;
		if ((!due != !was_due || (due && strcmp(due, was_due) != 0)) &&
		    (SAY("line %lld due %s -> %s", (long long)n, was_due ? was_due : "none",
			 due ? due : "none")))
			break;
		if ((strcmp(vault_rules__str(l, "doc"), vault_rules__str(was, "doc")) != 0 ||
		     strcmp(vault_rules__str(l, "rev"), vault_rules__str(was, "rev")) != 0) &&
		    (SAY("line %lld requires %s@%s, not %s@%s", (long long)n,
			 vault_rules__str(l, "doc"), vault_rules__str(l, "rev"),
			 vault_rules__str(was, "doc"), vault_rules__str(was, "rev"))))
			break;
		if (strcmp(state_of(l), state_of(was)) != 0 &&
		    (SAY("line %lld %s", (long long)n, state_of(l))))
			break;
	}
#undef SAY
	return error;
}

/* One number from the index: ?1 and ?2 text, ?3 an integer. */
static int index_number(int64_t *out, vault *v, const char *sql, const char *p1,
			const char *p2, int64_t p3)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p3);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
}

/*
 * DOC@REV may be required by line `line`: recorded, and not obsolete; a
 * warning if superseded for the supplier or not released to it.
 */
static int revision_usable(change *c, unsigned line, const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], newer[VAULT_NAME_MAX + 1];
	git_tree_entry *te;
	int error, standing;

	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault_name_check("revision", rev)) < 0 ||
	    (error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault_record__rev_file(path, sizeof(path), dir, rev, VAULT_RECORD_FILE)) < 0)
		return error;
	if (git_tree_entry_bypath(&te, c->t->root, path) < 0)
		return vault_error__set(VAULT_ENOTFOUND, "document '%s' has no revision '%s'", doc,
					rev);
	git_tree_entry_free(te);
	if ((standing = vault_po__revision_check(newer, sizeof(newer), c->v, c->supplier, doc,
						 rev)) < 0)
		return standing;
	vault_po__revision_warn(c->v, standing, "", line, c->supplier, doc, rev, newer);
	return 0;
}

/* The supplier organization of PO `po`, from the index. */
static int supplier_of(char *out, size_t size, vault *v, const char *po)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	int rc, error = 0;

	if (sqlite3_prepare_v2(db, "SELECT supplier FROM pos WHERE po = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		error = vault__fmt(out, size, "supplier", "%s", sqlite3_column_text(st, 0));
	else
		error = rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po) :
			vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return error;
}

/* Line `n` as it may be changed: there, and open. */
static int open_line(json_t **out, change *c, unsigned n)
{
	json_t *l = line_numbered(c->lines, n);

	*out = l;
	if (!l)
		return vault_error__set(VAULT_ENOTFOUND, "PO '%s' has no line %u", c->po, n);
	if (strcmp(state_of(l), "open") != 0)
		return vault_error__set(VAULT_EINVALID, "line %u of PO '%s' is %s", n, c->po,
					state_of(l));
	return 0;
}

static int edit_line(change *c, const vault_po_edit *e)
{
	json_t *l;
	int64_t received;
	int error;

	if ((error = open_line(&l, c, e->line)) < 0)
		return error;
	if (e->part_said && strcmp(e->part_said, json_string_value(json_object_get(l, "part"))) != 0)
		return vault_error__set(VAULT_EINVALID, "line %u of PO '%s' is part '%s', not '%s'",
					e->line, c->po, json_string_value(json_object_get(l, "part")),
					e->part_said);
	if (e->unit && strcmp(e->unit, json_is_string(json_object_get(l, "unit")) ?
				       json_string_value(json_object_get(l, "unit")) : "EA") != 0)
		return vault_error__set(VAULT_EINVALID, "line %u of PO '%s' is counted in %s, not %s",
					e->line, c->po, json_is_string(json_object_get(l, "unit")) ?
					json_string_value(json_object_get(l, "unit")) : "EA", e->unit);
	if (e->due && json_object_get(l, "blanket"))
		return vault_error__set(VAULT_EINVALID,
			"line %u of PO '%s' is a blanket order: its releases have due dates", e->line,
			c->po);
	if (e->qty && json_object_get(l, "blanket")) {
		uint64_t sum;
		size_t count;

		if ((error = vault_po__called_off(&sum, &count, c->v->store, c->t->root, c->po,
						  e->line)) < 0)
			return error;
		if (e->qty < sum)
			return vault_error__set(VAULT_EINVALID,
				"line %u: a quantity of %llu is below the %llu already released", e->line,
				(unsigned long long)e->qty, (unsigned long long)sum);
	}
	if (e->qty) {
		uint64_t was = (uint64_t)json_integer_value(json_object_get(l, "qty"));

		if (e->qty > QTY_MAX)
			return vault_error__set(VAULT_EINVALID,
				"quantity must be a whole number from 1 to %llu", QTY_MAX);
		if ((error = index_number(&received, c->v, "SELECT coalesce(sum(received), 0)"
					  " FROM receipt_items WHERE po = ?1 AND line = ?3", c->po,
					  NULL, e->line)) < 0)
			return error;
		if ((int64_t)e->qty < received)
			return vault_error__set(VAULT_EINVALID,
				"line %u: a quantity of %llu is below the %lld already received",
				e->line, (unsigned long long)e->qty, (long long)received);
		if (e->qty_way && (e->qty_way > 0 ? e->qty <= was : e->qty >= was))
			return vault_error__set(VAULT_EINVALID,
				"line %u: the change is a quantity %s, but %llu is %s the %llu ordered",
				e->line, e->qty_way > 0 ? "increase" : "decrease",
				(unsigned long long)e->qty,
				e->qty == was ? "the same as" : e->qty_way > 0 ? "below" : "above",
				(unsigned long long)was);
		json_object_set_new(l, "qty", json_integer((json_int_t)e->qty));
	}
	if (e->due) {
		if ((error = vault_record__date_check("due date", e->due)) < 0)
			return error;
		json_object_set_new(l, "due", json_string(e->due));
	}
	if (e->doc) {
		if ((error = revision_usable(c, e->line, e->doc, e->rev)) < 0)
			return error;
		json_object_set_new(l, "doc", json_string(e->doc));
		json_object_set_new(l, "rev", json_string(e->rev));
	}
	return 0;
}

static int add_line(change *c, const vault_po_edit *e)
{
	json_int_t top = 0;
	size_t i;
	json_t *l;
	int error;

	json_array_foreach(c->lines, i, l)
		if (json_integer_value(json_object_get(l, "line")) > top)
			top = json_integer_value(json_object_get(l, "line"));
	if (top >= LINES_MAX)
		return vault_error__set(VAULT_EINVALID, "PO '%s' has %d lines already", c->po,
					LINES_MAX);
	if (e->number_said && e->number_said != (unsigned)top + 1)
		return vault_error__set(VAULT_EINVALID, "a new line %u: PO '%s' numbers its next line %u",
					e->number_said, c->po, (unsigned)top + 1);
	if (e->unit && (error = vault_po__unit_check("unit", e->unit)) < 0)
		return error;
	if ((error = vault_name_check("part number", e->part)) < 0 ||
	    (e->due && (error = vault_record__date_check("due date", e->due)) < 0) ||
	    (error = revision_usable(c, (unsigned)top + 1, e->doc, e->rev)) < 0)
		return error;
	if (e->qty == 0 || e->qty > QTY_MAX)
		return vault_error__set(VAULT_EINVALID,
			"quantity must be a whole number from 1 to %llu", QTY_MAX);
	l = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "line", top + 1, "part", e->part,
		      "qty", (json_int_t)e->qty, "doc", e->doc, "rev", e->rev, "state", "open");
	if (!l)
		abort();
	if (e->due)
		json_object_set_new(l, "due", json_string(e->due));
	if (e->unit && strcmp(e->unit, "EA") != 0)
		json_object_set_new(l, "unit", json_string(e->unit));
	json_array_append_new(c->lines, l);
	return 0;
}

/* Cancel or close line e->line, or every open line when 0. */
static int end_lines(change *c, const vault_po_edit *e, const char *state)
{
	size_t i, n = 0;
	json_t *l;
	int error;

	if (e->line) {
		if ((error = open_line(&l, c, e->line)) < 0)
			return error;
		json_object_set_new(l, "state", json_string(state));
		return 0;
	}
	json_array_foreach(c->lines, i, l)
		if (strcmp(state_of(l), "open") == 0) {
			json_object_set_new(l, "state", json_string(state));
			n++;
		}
	if (n == 0)
		return vault_error__set(VAULT_EINVALID, "PO '%s' has no open line", c->po);
	return 0;
}

static int apply(change *c, const vault_po_edit *e)
{
	switch (e->op) {
	case VAULT_PO_EDIT:
		if (!e->qty && !e->due && !e->doc)
			return vault_error__set(VAULT_EINVALID, "line %u: nothing to change", e->line);
		return edit_line(c, e);
	case VAULT_PO_ADD_LINE:
		return add_line(c, e);
	case VAULT_PO_CANCEL:
		return end_lines(c, e, "cancelled");
	case VAULT_PO_CLOSE:
		return end_lines(c, e, "closed");
	}
	return vault_error__set(VAULT_EINVALID, "an unknown change");
}

/* The record of revision `seq`, to put at its path. */
static int put_change(change *c, const char *reason, unsigned seq)
{
	char dir[VAULT_PATH_MAX], name[VAULT_NAME_MAX + 32], path[VAULT_PATH_MAX * 2];
	char when[VAULT_TIME_SIZE], *json;
	size_t i, len;
	json_t *l;
	int error;

	/* every line with its state: revision 0's lines have none */
	json_array_foreach(c->lines, i, l)
		if (!json_object_get(l, "state"))
			json_object_set_new(l, "state", json_string("open"));
	vault_time_format(when, sizeof(when), c->t->now);
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:I, s:s, s:s, s:O, s:s, s:s, s:s}", "record", "po-change",
		"format", 1, "po", c->po, "seq", (json_int_t)seq, "reason", reason,
		"summary", c->summary.data, "lines", c->lines, "changed_by", c->t->actor.name,
		"org", c->t->actor.org, "changed_at", when))) < 0)
		return error;
	if ((error = vault_po__dir(dir, sizeof(dir), c->po)) == 0 &&
	    (error = vault_portal__seq_name(name, sizeof(name), seq, c->t->actor.name)) == 0 &&
	    (error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_PO_CHANGES_DIR "/%s", dir,
				name)) == 0)
		error = vault__txn_put_data(c->t, c->v, path, json, len);
	free(json);
	return error;
}

int vault_po_change(vault *v, const char *po, const vault_po_edit *edits, size_t n,
		    const char *reason, unsigned *revision)
{
	return vault_po__change(v, po, NULL, edits, n, reason, revision);
}

int vault_po__change(vault *v, const char *po, const char *supplier_said,
		     const vault_po_edit *edits, size_t n, const char *reason, unsigned *revision)
{
	vault_buf message = VAULT_BUF_INIT;
	json_t *rec = NULL, *before = NULL;
	change c;
	vault_txn t;
	unsigned seq = 0;
	size_t i;
	int error;

	memset(&c, 0, sizeof(c));
	c.summary = (vault_buf)VAULT_BUF_INIT;
	if (revision)
		*revision = 0;
	if ((error = vault_name_check("PO number", po)) < 0)
		return error;
	if (!reason || !*reason)
		return vault_error__set(VAULT_EINVALID, "a change order needs a reason");
	if ((error = vault_record__text_check("reason", reason, REASON_MAX)) < 0)
		return error;
	if (n == 0)
		return vault_error__set(VAULT_EINVALID, "the change order changes nothing");
	if ((error = vault__txn_begin(&t, v)) < 0)
		return error;
	c.v = v;
	c.t = &t;
	c.po = po;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER, "change purchase orders")) < 0 ||
	    (error = vault_po__latest(&rec, &seq, v->store, t.root, po)) < 0)
		goto done;
	c.lines = json_object_get(rec, "lines");
	if ((error = supplier_of(c.supplier, sizeof(c.supplier), v, po)) < 0)
		goto done;
	if (supplier_said && strcmp(supplier_said, c.supplier) != 0) {
		error = vault_error__set(VAULT_EINVALID, "PO '%s' is %s's, not %s's", po, c.supplier,
					 supplier_said);
		goto done;
	}
	if (vault_po__cancelled(rec)) {
		error = vault_error__set(VAULT_EINVALID, "PO '%s' is cancelled", po);
		goto done;
	}
	before = json_deep_copy(c.lines);
	for (i = 0; i < n; i++)
		if ((error = apply(&c, &edits[i])) < 0)
			goto done;
	if ((error = describe(&c.summary, before, c.lines)) < 0)
		goto done;
	if (c.summary.len == 0) {
		error = vault_error__set(VAULT_EINVALID, "the change order changes nothing");
		goto done;
	}
	if ((error = put_change(&c, reason, seq + 1)) < 0 ||
	    /* the reason is the record's: the message holds what qvault wrote itself */
	    (error = vault_buf__addf(&message, "po change %s (revision %u)\n\n%s\n\n"
				     "Qvault-Op: po-change\nQvault-PO: %s\n", po, seq + 1,
				     c.summary.data, po)) < 0 ||
	    (error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL)) < 0)
		goto done;
	if (revision)
		*revision = seq + 1;
done:
	json_decref(before);
	json_decref(rec);
	vault_buf__dispose(&c.summary);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS_CHANGE[] =
	"INSERT INTO po_changes (po, seq, reason, summary, changed_by, changed_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_DEL_LINES[] = "DELETE FROM po_lines WHERE po = ?1";
static const char SQL_INS_LINE[] =
	"INSERT INTO po_lines (po, line, part, qty, doc, rev, due, state, unit, pack_unit, pack_size,"
	" valid_from, valid_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?9, 'EA'), ?10,"
	" ?11, ?12, ?13)";

static const char SQL_CHANGE_ONCE[] =
	"SELECT commit_id FROM po_changes WHERE po = ?1 AND seq = ?2 AND changed_by = ?3";
/* the lines are the change's alone (those before are deleted): ?3 is its commit */
static const char SQL_LINE_ONCE[] = "SELECT ?3 FROM po_lines WHERE po = ?1 AND line = ?2";

/* A change order is recorded once, and each line once in it. */
static int change_once(const vault_kind_file *f, const char *po, json_int_t seq, const char *by,
		       json_int_t line)
{
	char num[32], hex[41], what[2 * VAULT_NAME_MAX + 96];
	const char *keys[] = { po, num, by ? by : hex };

	git_oid_tostr(hex, sizeof(hex), f->commit);
	vault__fmt_message(num, sizeof(num), "%lld", (long long)(by ? seq : line));
	if (by)
		vault__fmt_message(what, sizeof(what), "change order %lld of PO '%s' by '%s'",
				   (long long)seq, po, by);
	else
		vault__fmt_message(what, sizeof(what), "line %lld of change order %lld of PO '%s'",
				   (long long)line, (long long)seq, po);
	return vault_index__once(f->idx, f->commit, f->path, by ? SQL_CHANGE_ONCE : SQL_LINE_ONCE,
				 keys, 3, what);
}

/* The change itself, and the PO's lines as it leaves them. */
static int index_change(const vault_kind_file *f)
{
	sqlite3_stmt *ins, *del, *line;
	const char *po, *reason, *summary, *by, *at;
	json_t *root, *lines, *l;
	json_int_t seq;
	char hex[41];
	size_t i;
	int error;

	root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:I, s:s, s:s, s:o, s:s, s:s}", "po", &po, "seq", &seq,
				 "reason", &reason, "summary", &summary, "lines", &lines,
				 "changed_by", &by, "changed_at", &at) < 0 || !json_is_array(lines)) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the change order is malformed", f->path);
	}
	if ((error = change_once(f, po, seq, by, 0)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&ins, f->idx, SQL_INS_CHANGE) < 0 ||
	    vault_index__stmt(&del, f->idx, SQL_DEL_LINES) < 0 ||
	    vault_index__stmt(&line, f->idx, SQL_INS_LINE) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(f->idx)));
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	sqlite3_bind_text(ins, 1, po, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 2, seq);
	sqlite3_bind_text(ins, 3, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 4, summary, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 5, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 6, vault_portal__time(at));
	sqlite3_bind_text(ins, 7, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(del, 1, po, -1, SQLITE_TRANSIENT);
	error = vault_portal__step(f->idx, ins, f->path);
	if (error == 0)
		error = vault_portal__step(f->idx, del, f->path);
	json_array_foreach(lines, i, l) {
		if (error < 0 ||
		    (error = change_once(f, po, seq, NULL,
					 json_integer_value(json_object_get(l, "line")))) < 0)
			break;
		sqlite3_bind_text(line, 1, po, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(line, 2, json_integer_value(json_object_get(l, "line")));
		sqlite3_bind_text(line, 3, json_string_value(json_object_get(l, "part")), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_int64(line, 4, json_integer_value(json_object_get(l, "qty")));
		sqlite3_bind_text(line, 5, json_string_value(json_object_get(l, "doc")), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(line, 6, json_string_value(json_object_get(l, "rev")), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(line, 7, json_string_value(json_object_get(l, "due")), -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(line, 8, state_of(l), -1, SQLITE_TRANSIENT);
		vault_po__bind_unit(line, 9, l);
		vault_po__bind_blanket(line, 12, l);
		error = vault_portal__step(f->idx, line, f->path);
	}
	json_decref(root);
	return error;
}

/* ---- the check ------------------------------------------------------------ */

/* Whether line `l` of a change order is whole: its fields, each well-formed. */
static int line_whole(json_t *l)
{
	json_t *due = json_object_get(l, "due");
	json_int_t n = json_integer_value(json_object_get(l, "line"));
	size_t units = 0, blanket = 0;
	json_int_t qty = json_integer_value(json_object_get(l, "qty"));

	return json_is_object(l) && n >= 1 && n <= LINES_MAX && qty >= 1 && qty <= (json_int_t)QTY_MAX &&
	       vault_name_check("part", vault_rules__str(l, "part")) == 0 &&
	       vault_name_check("document", vault_rules__str(l, "doc")) == 0 &&
	       vault_name_check("revision", vault_rules__str(l, "rev")) == 0 &&
	       (!due || vault_record__date_check("due", json_string_value(due)) == 0) &&
	       state_known(vault_rules__str(l, "state")) && vault_po__unit_ok(l, &units) &&
	       vault_po__blanket_ok(l, &blanket) &&
	       json_object_size(l) == (size_t)(due ? 7 : 6) + units + blanket;
}

/*
 * What is wrong with DOC@REV as a line's requirement in `tree`: NULL if
 * nothing, else why (not recorded, or obsolete).
 */
static const char *required_wrong(vault_store *s, const git_tree *tree, const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX], record[VAULT_PATH_MAX * 2], obsolete[VAULT_PATH_MAX * 2];

	if (vault_record__doc_dir(dir, sizeof(dir), doc) < 0 ||
	    vault_record__rev_file(record, sizeof(record), dir, rev, VAULT_RECORD_FILE) < 0 ||
	    vault_record__rev_file(obsolete, sizeof(obsolete), dir, rev, VAULT_OBSOLETE_FILE) < 0 ||
	    !vault_rules__has(s, tree, record))
		return "which was not recorded before it";
	return vault_rules__has(s, tree, obsolete) ? "which is obsolete" : NULL;
}

/*
 * The lines a change order leaves against the revision before it: every
 * line kept, each once; an ended line exactly as it was; a line's part
 * never changed; new lines numbered on from the last, in order; a
 * revision newly required, recorded before and not obsolete.
 */
static void check_lines(const vault_change_ctx *c, const char *path, const char *po, json_t *now,
			json_t *before)
{
	json_int_t top = 0;
	const char *why;
	size_t i, k;
	json_t *l, *was;

	json_array_foreach(before, i, was)
		if (json_integer_value(json_object_get(was, "line")) > top)
			top = json_integer_value(json_object_get(was, "line"));
	json_array_foreach(now, i, l) {
		json_int_t n = json_integer_value(json_object_get(l, "line"));

		if (!line_whole(l)) {
			c->found(c, path, "line %zu of the change order is malformed", i + 1);
			continue;
		}
		for (k = 0; k < i; k++)
			if (json_integer_value(json_object_get(json_array_get(now, k), "line")) == n)
				c->found(c, path, "line %lld is given twice", (long long)n);
		was = line_numbered(before, (unsigned)n);
		if (!was && n != ++top)
			c->found(c, path, "line %lld is new but not numbered %lld, after the last",
				 (long long)n, (long long)top);
		if (was && strcmp(state_of(was), "open") != 0 && !json_equal(l, was))
			c->found(c, path, "line %lld was %s and is changed", (long long)n,
				 state_of(was));
		if (was && strcmp(vault_rules__str(l, "part"), vault_rules__str(was, "part")) != 0)
			c->found(c, path, "line %lld changes its part", (long long)n);
		if ((was || json_object_get(l, "blanket")) &&
		    !json_equal(json_object_get(l, "blanket"), json_object_get(was, "blanket")) &&
		    (json_object_get(l, "blanket") || json_object_get(was, "blanket")))
			c->found(c, path, "line %lld changes its blanket terms", (long long)n);
		if (was && json_object_get(l, "blanket")) {
			uint64_t sum = 0;
			size_t count;

			if (vault_po__called_off(&sum, &count, c->store, c->before, po,
						 (unsigned)n) == 0 &&
			    (uint64_t)json_integer_value(json_object_get(l, "qty")) < sum)
				c->found(c, path, "line %lld's quantity %lld is below the %llu released",
					 (long long)n,
					 (long long)json_integer_value(json_object_get(l, "qty")),
					 (unsigned long long)sum);
		}
		if ((!was || strcmp(vault_rules__str(l, "doc"), vault_rules__str(was, "doc")) != 0 ||
		     strcmp(vault_rules__str(l, "rev"), vault_rules__str(was, "rev")) != 0) &&
		    (why = required_wrong(c->store, c->before, vault_rules__str(l, "doc"),
					  vault_rules__str(l, "rev"))) != NULL)
			c->found(c, path, "line %lld requires %s@%s, %s", (long long)n,
				 vault_rules__str(l, "doc"), vault_rules__str(l, "rev"), why);
	}
	json_array_foreach(before, i, was)
		if (!line_numbered(now, (unsigned)json_integer_value(json_object_get(was, "line"))))
			c->found(c, path, "line %lld of the revision before is gone",
				 (long long)json_integer_value(json_object_get(was, "line")));
}

/* The summary is what the change did, as qvault words it, and it did something. */
static void check_summary(const vault_change_ctx *c, const char *path, json_t *rec,
			  json_t *before)
{
	vault_buf said = VAULT_BUF_INIT;

	if (describe(&said, json_object_get(before, "lines"), json_object_get(rec, "lines")) < 0)
		c->found(c, path, "the change order cannot be described");
	else if (said.len == 0)
		c->found(c, path, "the change order changes nothing");
	else if (strcmp(said.data, vault_rules__str(rec, "summary")) != 0)
		c->found(c, path, "the change order's summary is not what it changed ('%s')",
			 said.data);
	vault_buf__dispose(&said);
}

/* The PO of a change order a commit adds, other than `po`: the first found. */
typedef struct {
	const char *po;
	char other[VAULT_NAME_MAX + 1];
} one_po;

static int other_po(void *payload, vault_change what, const char *path)
{
	one_po *o = payload;
	vault_kind_match m;

	if (what == VAULT_CHANGE_ADDED && !o->other[0] &&
	    vault_kind__match(&vault_kind_po_change, path, &m) && strcmp(m.key, o->po) != 0 &&
	    vault__fmt(o->other, sizeof(o->other), "PO", "%s", m.key) < 0)
		o->other[0] = '\0';
	return 0;
}

/*
 * pos/<h>/<h>/<PO>/changes/NNNNNN-<signer>.json: a buyer changes a PO
 * recorded before, numbered after the revision before it, which it
 * keeps whole; a cancelled PO takes no change.
 */
static void check_change(const vault_change_ctx *c, const char *path)
{
	char parts[7][VAULT_NAME_MAX + 1], name[VAULT_NAME_MAX + 32];
	json_t *rec = NULL, *before = NULL;
	unsigned seq = 0;
	size_t n = vault_rules__split(parts, 6, path);

	if (n != 6 || strcmp(parts[4], VAULT_PO_CHANGES_DIR) != 0 ||
	    !vault_rules__fanned(path, "pos", parts[3])) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "po-change") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    !json_is_array(json_object_get(rec, "lines")) || !*vault_rules__str(rec, "reason") ||
	    vault_record__text_check("reason", vault_rules__str(rec, "reason"), REASON_MAX) < 0 ||
	    json_object_size(rec) != 10) {
		c->found(c, path, "the change order is malformed");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "po"), parts[3]) != 0 ||
	    vault_portal__seq_name(name, sizeof(name),
				   (unsigned long)json_integer_value(json_object_get(rec, "seq")),
				   vault_rules__str(rec, "changed_by")) < 0 ||
	    strcmp(name, parts[5]) != 0)
		c->found(c, path, "the change order of PO '%s' number %lld is stored as '%s'",
			 vault_rules__str(rec, "po"),
			 (long long)json_integer_value(json_object_get(rec, "seq")), path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "changed_by"),
			       vault_rules__str(rec, "org"), vault_rules__str(rec, "changed_at"));
	if (vault_po__latest(&before, &seq, c->store, c->before, parts[3]) < 0) {
		c->found(c, path, "PO '%s' was not recorded before it", parts[3]);
		goto done;
	}
	if (json_integer_value(json_object_get(rec, "seq")) != (json_int_t)seq + 1)
		c->found(c, path, "the change order is number %lld of PO '%s', whose last was %u",
			 (long long)json_integer_value(json_object_get(rec, "seq")), parts[3], seq);
	if (vault_po__cancelled(before))
		c->found(c, path, "PO '%s' was cancelled before it", parts[3]);
	check_lines(c, path, parts[3], json_object_get(rec, "lines"), json_object_get(before, "lines"));
	check_summary(c, path, rec, before);
	{
		/* one PO a commit, as qvault writes them, its trailer naming it */
		one_po o = { parts[3], "" };

		if (vault_store__changes(c->store, c->before, c->tree, other_po, &o) == 0 &&
		    o.other[0])
			c->found(c, path, "the commit changes PO '%s' and PO '%s' at once", parts[3],
				 o.other);
	}
done:
	json_decref(rec);
	json_decref(before);
}

const vault_kind vault_kind_po_change = {
	.name = "change order",
	.shape = "pos/HH/HH/PO/" VAULT_PO_CHANGES_DIR "/*.json",
	.roles = VAULT_ROLE_BUYER,
	.act = "change purchase orders",
	.ops = "po-change",
	.made_by = "po-change",
	.index = index_change,
	.check = check_change,
	.tables = "po_changes",
};
