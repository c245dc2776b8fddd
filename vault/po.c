/*
 * po.c - purchase orders: recording them one at a time or imported in
 * bulk from CSV (libcsv) or JSON, and indexing them.
 */
#include "po.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "kind.h"
#include "kinds.h"
#include "rules.h"
#include "input.h"
#include "record.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define LINES_MAX 10000
/* the warnings one import says line by line, before it counts the rest */
#define WARNINGS_MAX 10

int vault_po__dir(char *buf, size_t size, const char *po)
{
	return vault_record__dir(buf, size, "pos", po);
}

int vault_po__unit_check(const char *what, const char *unit)
{
	size_t i;

	for (i = 0; unit[i]; i++)
		if (!((unit[i] >= 'A' && unit[i] <= 'Z') || (unit[i] >= '0' && unit[i] <= '9')))
			break;
	if (i != 2 || unit[i])
		return vault_error__set(VAULT_EINVALID,
			"%s '%.16s' is not a unit of measure (two upper-case letters or digits: EA, CA...)",
			what, unit);
	return 0;
}

void vault_po__bind_unit(sqlite3_stmt *st, int first, const json_t *l)
{
	const json_t *ps = json_object_get(l, "pack_size");

	sqlite3_bind_text(st, first, json_string_value(json_object_get(l, "unit")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, first + 1, json_string_value(json_object_get(l, "pack_unit")), -1,
			  SQLITE_TRANSIENT);
	if (json_is_integer(ps))
		sqlite3_bind_int64(st, first + 2, json_integer_value(ps));
	else
		sqlite3_bind_null(st, first + 2);
}

int vault_po__unit_ok(const json_t *l, size_t *n)
{
	const json_t *unit = json_object_get(l, "unit"), *pu = json_object_get(l, "pack_unit");
	const json_t *ps = json_object_get(l, "pack_size");

	*n = (unit != NULL) + (pu != NULL) + (ps != NULL);
	if (unit && (!json_is_string(unit) || vault_po__unit_check("unit", json_string_value(unit)) < 0))
		return 0;
	if (!pu != !ps)
		return 0;
	if (pu && (!json_is_string(pu) || vault_po__unit_check("pack", json_string_value(pu)) < 0 ||
		   strcmp(json_string_value(pu), unit ? json_string_value(unit) : "EA") == 0))
		return 0;
	return !ps || (json_is_integer(ps) && json_integer_value(ps) >= 2 &&
		       json_integer_value(ps) <= (json_int_t)QTY_MAX);
}

int vault_po__blanket_ok(const json_t *l, size_t *n)
{
	const json_t *b = json_object_get(l, "blanket");
	const char *from = json_string_value(json_object_get(b, "valid_from"));
	const char *until = json_string_value(json_object_get(b, "valid_until"));

	*n = b != NULL;
	if (!b)
		return 1;
	return json_is_object(b) && json_object_size(b) == 2 && from && until &&
	       vault_record__date_check("valid-from date", from) == 0 &&
	       vault_record__date_check("valid-until date", until) == 0 &&
	       strcmp(from, until) <= 0 && !json_object_get(l, "due");
}

void vault_po__bind_blanket(sqlite3_stmt *st, int first, const json_t *l)
{
	const json_t *b = json_object_get(l, "blanket");

	sqlite3_bind_text(st, first, json_string_value(json_object_get(b, "valid_from")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, first + 1, json_string_value(json_object_get(b, "valid_until")), -1,
			  SQLITE_TRANSIENT);
}

/* Everything about one PO that needs no repository; `where` prefixes errors. */
static int check_po(const vault_po *po, const char *where)
{
	size_t i, k;
	int error;

	if ((error = vault_name_check("PO number", po->po)) < 0 ||
	    (error = vault_plain_name_check("supplier", po->supplier)) < 0)
		return vault_error__set(error, "%s%s", where, vault_error_message());
	if (po->nlines == 0)
		return vault_error__set(VAULT_EINVALID, "%sPO '%s' has no lines", where, po->po);
	if (po->nlines > LINES_MAX)
		return vault_error__set(VAULT_EINVALID, "%sPO '%s' has more than %d lines",
					where, po->po, LINES_MAX);
	for (i = 0; i < po->nlines; i++) {
		const vault_po_line *l = &po->lines[i];

		if ((error = vault_name_check("part number", l->part)) < 0 ||
		    (error = vault_name_check("document number", l->doc)) < 0 ||
		    (error = vault_name_check("revision", l->rev)) < 0 ||
		    (l->due && (error = vault_record__date_check("due date", l->due)) < 0))
			return vault_error__set(error, "%sline %u: %s", where, l->line,
						vault_error_message());
		if (l->qty == 0 || l->qty > QTY_MAX)
			return vault_error__set(VAULT_EINVALID,
				"%sline %u: quantity must be a whole number from 1 to %llu", where,
				l->line, QTY_MAX);
		if ((l->unit && (error = vault_po__unit_check("unit", l->unit)) < 0) ||
		    (l->pack_unit && (error = vault_po__unit_check("pack", l->pack_unit)) < 0))
			return vault_error__set(error, "%sline %u: %s", where, l->line,
						vault_error_message());
		if (l->pack_unit && !l->pack_size)
			return vault_error__set(VAULT_EINVALID, "%sline %u: pack '%s' has no pack size",
						where, l->line, l->pack_unit);
		if (l->pack_size && (l->pack_size < 2 || l->pack_size > QTY_MAX))
			return vault_error__set(VAULT_EINVALID,
				"%sline %u: a pack size is a whole number from 2 to %llu", where, l->line,
				QTY_MAX);
		if (l->pack_size && strcmp(l->pack_unit ? l->pack_unit : "CA",
					   l->unit ? l->unit : "EA") == 0)
			return vault_error__set(VAULT_EINVALID,
				"%sline %u: the pack's unit is the line's own", where, l->line);
		if (!l->valid_from != !l->valid_until)
			return vault_error__set(VAULT_EINVALID,
				"%sline %u: a blanket line needs both its validity dates (from and until)",
				where, l->line);
		if (l->valid_from &&
		    ((error = vault_record__date_check("valid-from date", l->valid_from)) < 0 ||
		     (error = vault_record__date_check("valid-until date", l->valid_until)) < 0))
			return vault_error__set(error, "%sline %u: %s", where, l->line,
						vault_error_message());
		if (l->valid_from && strcmp(l->valid_from, l->valid_until) > 0)
			return vault_error__set(VAULT_EINVALID,
				"%sline %u: the blanket is valid from %s, after its end %s", where,
				l->line, l->valid_from, l->valid_until);
		if (l->valid_from && l->due)
			return vault_error__set(VAULT_EINVALID,
				"%sline %u: a blanket line has no due date: its releases have", where,
				l->line);
		for (k = 0; k < i; k++)
			if (po->lines[k].line == l->line)
				return vault_error__set(VAULT_EINVALID, "%sline %u is given twice",
							where, l->line);
	}
	return 0;
}

/* a revision's standing for a supplier: obsolete, superseded for it, released to it */
static const char SQL_REV_OBSOLETE[] = "SELECT 1 FROM obsoletes WHERE doc = ?1 AND rev = ?2";
static const char SQL_REV_SUPERSEDED[] =
	"SELECT r2.rev FROM distribution d JOIN revisions r ON r.doc = ?1 AND r.rev = ?2"
	" JOIN revisions r2 ON r2.doc = d.doc AND r2.rev = d.rev"
	" WHERE d.doc = ?1 AND d.org = ?3 AND r2.seq > r.seq ORDER BY r2.seq DESC LIMIT 1";
static const char SQL_REV_RELEASED_TO[] =
	"SELECT 1 FROM distribution WHERE doc = ?1 AND rev = ?2 AND org = ?3";

/* One row of `sql` (?1 doc, ?2 rev, ?3 org): its first column into `out` if given; 1, or 0 if none. */
static int rev_row(char *out, size_t size, vault *v, const char *sql, const char *doc,
		   const char *rev, const char *org)
{
	sqlite3_stmt *st;
	int rc, found;

	if (vault_index__stmt(&st, v->index, sql) < 0)
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(v->index)));
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, org, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW;
	if (found && out && vault__fmt(out, size, "revision", "%s", sqlite3_column_text(st, 0)) < 0)
		found = 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(v->index)));
	return found;
}

int vault_po__revision_check(char *newer, size_t size, vault *v, const char *supplier,
			     const char *doc, const char *rev)
{
	int found;

	newer[0] = '\0';
	if ((found = rev_row(NULL, 0, v, SQL_REV_OBSOLETE, doc, rev, supplier)) != 0)
		return found < 0 ? found :
			vault_error__set(VAULT_EINVALID, "%s@%s is obsolete", doc, rev);
	if ((found = rev_row(newer, size, v, SQL_REV_SUPERSEDED, doc, rev, supplier)) != 0)
		return found < 0 ? found : VAULT_PO_SUPERSEDED;
	if ((found = rev_row(NULL, 0, v, SQL_REV_RELEASED_TO, doc, rev, supplier)) < 0)
		return found;
	return found ? 0 : VAULT_PO_UNRELEASED;
}

/* Say, as a warning, what a line's revision check found short of a refusal. */
void vault_po__revision_warn(vault *v, int standing, const char *where, unsigned line,
			     const char *supplier, const char *doc, const char *rev,
			     const char *newer)
{
	if (standing == VAULT_PO_SUPERSEDED)
		vault__warn(v, "%sline %u requires %s@%s, superseded for %s by %s@%s", where, line,
			    doc, rev, supplier, doc, newer);
	else if (standing == VAULT_PO_UNRELEASED)
		vault__warn(v, "%sline %u requires %s@%s, not released to %s yet", where, line, doc,
			    rev, supplier);
}

/*
 * What needs the branch: a new PO, a known supplier (among `users`, the
 * branch's, read once per batch), known drawings.
 */
static int check_against(vault_txn *t, vault *v, const vault_user_list *users,
			 const vault_po *po, const char *where, size_t *warned)
{
	git_tree_entry *te;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], newer[VAULT_NAME_MAX + 1];
	size_t i;
	int known = 0, standing;

	if (vault_po__dir(dir, sizeof(dir), po->po) < 0)
		return vault_error__set(VAULT_EINVALID, "%s%s", where, vault_error_message());
	if (git_tree_entry_bypath(&te, t->root, dir) == 0) {
		git_tree_entry_free(te);
		return vault_error__set(VAULT_EEXISTS, "%sPO '%s' already exists", where, po->po);
	}
	for (i = 0; i < users->count; i++)
		if (strcmp(users->items[i].org, po->supplier) == 0 &&
		    (users->items[i].roles & VAULT_ROLE_SUPPLIER))
			known = 1;
	if (!known)
		return vault_error__set(VAULT_ENOTFOUND,
			"%sno supplier belongs to organization '%s'", where, po->supplier);
	for (i = 0; i < po->nlines; i++) {
		const vault_po_line *l = &po->lines[i];

		if (vault_record__doc_dir(dir, sizeof(dir), l->doc) < 0 ||
		    vault_record__rev_file(path, sizeof(path), dir, l->rev, VAULT_RECORD_FILE) < 0)
			return vault_error__set(VAULT_EINVALID, "%sline %u: %s", where, l->line,
						vault_error_message());
		if (git_tree_entry_bypath(&te, t->root, path) < 0)
			return vault_error__set(VAULT_ENOTFOUND,
				"%sline %u: document '%s' has no revision '%s'", where, l->line,
				l->doc, l->rev);
		git_tree_entry_free(te);
		if ((standing = vault_po__revision_check(newer, sizeof(newer), v, po->supplier,
							 l->doc, l->rev)) < 0)
			return vault_error__set(standing, "%sline %u: %s", where, l->line,
						vault_error_message());
		/* one line each for a PO; an import's are counted, and said once */
		if (standing && warned && (*warned)++ < WARNINGS_MAX)
			vault_po__revision_warn(v, standing, where, l->line, po->supplier, l->doc,
						l->rev, newer);
	}
	return 0;
}

static int put_po(vault_txn *t, vault *v, const vault_po *po)
{
	json_t *lines = json_array();
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE], *json;
	size_t i, len;
	int error;

	for (i = 0; i < po->nlines; i++) {
		const vault_po_line *l = &po->lines[i];
		json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s}", "line", (json_int_t)l->line,
				      "part", l->part, "qty", (json_int_t)l->qty, "doc", l->doc,
				      "rev", l->rev);

		if (o && l->due)
			json_object_set_new(o, "due", json_string(l->due));
		/* EA, the default, is not written: a record of before units reads the same */
		if (o && l->unit && strcmp(l->unit, "EA") != 0)
			json_object_set_new(o, "unit", json_string(l->unit));
		if (o && l->pack_size) {
			json_object_set_new(o, "pack_unit", json_string(l->pack_unit ? l->pack_unit : "CA"));
			json_object_set_new(o, "pack_size", json_integer((json_int_t)l->pack_size));
		}
		if (o && l->valid_from)
			json_object_set_new(o, "blanket", json_pack("{s:s, s:s}", "valid_from",
				l->valid_from, "valid_until", l->valid_until));
		json_array_append_new(lines, o);
	}
	vault_time_format(when, sizeof(when), t->now);
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:s, s:o, s:s, s:s}", "record", "po", "format", 1,
		"po", po->po, "supplier", po->supplier, "lines", lines,
		"created_by", t->actor.name, "created_at", when))) < 0)
		return error;
	if ((error = vault_po__dir(dir, sizeof(dir), po->po)) == 0 &&
	    (error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_PO_FILE, dir)) == 0)
		error = vault__txn_put_data(t, v, path, json, len);
	free(json);
	return error;
}

static const vault_po *sort_pos;

static int cmp_pos(const void *a, const void *b)
{
	return strcmp(sort_pos[*(const size_t *)a].po, sort_pos[*(const size_t *)b].po);
}

/* Record `pos` in one commit; `where(i)` names PO i in messages. */
static int add_pos(vault *v, const vault_po *pos, size_t n, char **where)
{
	vault_user_list *users = NULL;
	vault_txn t;
	vault_buf message = VAULT_BUF_INIT;
	size_t i, k, warned = 0;
	int error = 0;

	for (i = 0; i < n; i++)
		if ((error = check_po(&pos[i], where ? where[i] : "")) < 0)
			return error;
	{
		/* the same number twice sits side by side in number order */
		size_t *order = malloc((n + 1) * sizeof(size_t));

		if (!order)
			abort();
		for (i = 0; i < n; i++)
			order[i] = i;
		sort_pos = pos;
		qsort(order, n, sizeof(size_t), cmp_pos);
		for (k = 1; k < n && !error; k++)
			if (strcmp(pos[order[k - 1]].po, pos[order[k]].po) == 0) {
				size_t later = order[k - 1] > order[k] ? order[k - 1] : order[k];

				error = vault_error__set(VAULT_EEXISTS, "%sPO '%s' is given twice",
							 where ? where[later] : "", pos[later].po);
			}
		free(order);
		if (error < 0)
			return error;
	}
	if ((error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER, "issue purchase orders")) < 0 ||
	    (error = vault_user__list(&users, v->store, t.root)) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++)
		if ((error = check_against(&t, v, users, &pos[i], where ? where[i] : "",
					   &warned)) < 0 ||
		    (error = put_po(&t, v, &pos[i])) < 0)
			goto done;
	if (warned > WARNINGS_MAX)
		vault__warn(v, "and %zu more lines requiring a revision superseded for their "
			    "supplier or not released to it", warned - WARNINGS_MAX);
	if (n == 1)
		error = vault_buf__addf(&message, "po add %s for %s\n\nQvault-Op: po-add\nQvault-PO: %s\n",
			 pos[0].po, pos[0].supplier, pos[0].po);
	else
		error = vault_buf__addf(&message, "po import %zu purchase orders\n\nQvault-Op: po-import\n", n);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault_user_list_free(users);
	vault__txn_end(&t, v);
	return error;
}

int vault_po_add(vault *v, const vault_po *po)
{
	return add_pos(v, po, 1, NULL);
}

/* ---- import ------------------------------------------------------------ */

/* What an import file holds, with the strings it points into. */
typedef struct {
	vault_po *pos;
	size_t npos;
	vault_po_line *lines;   /* every line, grouped by PO */
	size_t nlines;
	vault_strings keep;     /* what the fields point into */
	char **where;           /* "row N: " of each PO's first row */
	size_t max_rows;        /* lines (CSV rows) a file may hold; 0: any */
} import;

static const char *keep(import *im, const char *s, size_t n)
{
	return vault_strings__keep(&im->keep, s, n);
}

static void import_dispose(import *im)
{
	size_t i;

	vault_strings__dispose(&im->keep);
	for (i = 0; i < im->npos; i++)
		free(im->where[i]);
	free(im->where);
	free(im->pos);
	free(im->lines);
}

/* One parsed row, before grouping: fields by column. */
typedef struct {
	const char *po, *supplier, *part, *doc, *rev, *due, *qty, *line;
	const char *unit, *pack_unit, *pack_size, *valid_from, *valid_until;
	size_t row;
} row;

static const char *const columns[] = { "po", "supplier", "line", "part", "qty", "doc", "rev", "due",
	"unit", "pack_unit", "pack_size", "valid_from", "valid_until" };
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

typedef struct {
	row *rows;
	size_t nrows, caprows;
} row_list;

static int on_row(void *payload, const char *const *f, size_t rowno)
{
	row_list *l = payload;
	row *r;

	if (l->nrows == l->caprows) {
		l->caprows = l->caprows ? l->caprows * 2 : 64;
		if ((l->rows = realloc(l->rows, l->caprows * sizeof(row))) == NULL)
			abort();
	}
	r = &l->rows[l->nrows++];
	r->po = f[0];
	r->supplier = f[1];
	r->line = f[2];
	r->part = f[3];
	r->qty = f[4];
	r->doc = f[5];
	r->rev = f[6];
	r->due = *f[7] ? f[7] : NULL;
	r->unit = *f[8] ? f[8] : NULL;
	r->pack_unit = *f[9] ? f[9] : NULL;
	r->pack_size = f[10];
	r->valid_from = *f[11] ? f[11] : NULL;
	r->valid_until = *f[12] ? f[12] : NULL;
	r->row = rowno;
	return 0;
}

/* A whole number from 1 to max, or 0. */
static uint64_t number(const char *s, uint64_t max)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || v > max ? 0 : (uint64_t)v;
}

static const row *sort_rows;

/* By PO number, then by row: a PO's lines stay in file order. */
static int cmp_rows(const void *a, const void *b)
{
	const row *x = &sort_rows[*(const size_t *)a], *y = &sort_rows[*(const size_t *)b];
	int c = strcmp(x->po, y->po);

	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/*
 * Group rows into POs (ordered by number), each PO's lines in file order.
 * Fields are checked in file order first, so the first bad row is named.
 */
static int group(import *im, row *rows, size_t n)
{
	size_t *order = malloc((n + 1) * sizeof(size_t)), i;
	int error = 0;

	if (!order ||
	    (im->pos = calloc(n + 1, sizeof(vault_po))) == NULL ||
	    (im->lines = calloc(n + 1, sizeof(vault_po_line))) == NULL ||
	    (im->where = calloc(n + 1, sizeof(char *))) == NULL)
		abort();
	for (i = 0; i < n && !error; i++) {
		vault_po_line *l = &im->lines[i];

		if ((l->line = (unsigned)number(rows[i].line, LINES_MAX)) == 0)
			error = vault_error__set(VAULT_EINVALID,
				"row %zu, field 'line': '%.32s' is not a line number", rows[i].row,
				rows[i].line);
		else if ((l->qty = number(rows[i].qty, QTY_MAX)) == 0)
			error = vault_error__set(VAULT_EINVALID,
				"row %zu, field 'qty': '%.32s' is not a whole number from 1 to %llu",
				rows[i].row, rows[i].qty, QTY_MAX);
		else if (*rows[i].pack_size &&
			 (l->pack_size = number(rows[i].pack_size, QTY_MAX)) == 0)
			error = vault_error__set(VAULT_EINVALID,
				"row %zu, field 'pack_size': '%.32s' is not a whole number from 2 to %llu",
				rows[i].row, rows[i].pack_size, QTY_MAX);
		order[i] = i;
	}
	if (error) {
		free(order);
		return error;
	}
	sort_rows = rows;
	qsort(order, n, sizeof(size_t), cmp_rows);
	{
		vault_po_line *lines = calloc(n + 1, sizeof(vault_po_line));

		if (!lines)
			abort();
		for (i = 0; i < n; i++) {
			const row *r = &rows[order[i]];
			vault_po *po = im->npos ? &im->pos[im->npos - 1] : NULL;

			if (!po || !po->po || strcmp(po->po, r->po) != 0) {
				char where[32];

				po = &im->pos[im->npos];
				po->po = r->po;
				po->supplier = r->supplier;
				po->lines = &lines[i];
				if ((error = vault__fmt(where, sizeof(where), "row", "row %zu: ",
							r->row)) < 0)
					break;
				im->where[im->npos++] = vault__strdup(where);
			} else if (strcmp(po->supplier, r->supplier) != 0) {
				error = vault_error__set(VAULT_EINVALID,
					"row %zu, field 'supplier': PO '%s' names two suppliers",
					r->row, r->po);
				break;
			}
			lines[i] = im->lines[order[i]];
			lines[i].part = r->part;
			lines[i].doc = r->doc;
			lines[i].rev = r->rev;
			lines[i].due = r->due;
			lines[i].unit = r->unit;
			lines[i].pack_unit = r->pack_unit;
			lines[i].valid_from = r->valid_from;
			lines[i].valid_until = r->valid_until;
			po->nlines++;
		}
		free(im->lines);
		im->lines = lines;
		im->nlines = n;
	}
	free(order);
	return error;
}

static int parse_csv(import *im, const char *data, size_t len)
{
	row_list l = { NULL, 0, 0 };
	int error;

	error = vault_input__csv(&im->keep, data, len, columns, NCOLUMNS, 5, im->max_rows, on_row,
				 &l);
	if (!error)
		error = group(im, l.rows, l.nrows);
	free(l.rows);
	return error;
}

/*
 * The POs of `root` (a list as schemas/po-import.schema.json has them,
 * the caller's); each PO's messages start with `label` and its number
 * ("purchase order 2: ").
 */
static int parse_list(import *im, json_t *root, const char *label)
{
	json_error_t jerr;
	json_t *po, *line;
	size_t i, k, n = 0;
	int error = 0;

	json_array_foreach(root, i, po)
		n += json_array_size(json_object_get(po, "lines"));
	if (im->max_rows && n > im->max_rows)
		return vault_input__too_many(n, im->max_rows);
	if ((im->pos = calloc(json_array_size(root) + 1, sizeof(vault_po))) == NULL ||
	    (im->lines = calloc(n + 1, sizeof(vault_po_line))) == NULL ||
	    (im->where = calloc(json_array_size(root) + 1, sizeof(char *))) == NULL)
		abort();
	json_array_foreach(root, i, po) {
		const char *number_, *supplier;
		json_t *lines;
		char where[48];

		if (json_unpack_ex(po, &jerr, JSON_STRICT, "{s:s, s:s, s:o}", "po", &number_,
				   "supplier", &supplier, "lines", &lines) < 0 || !json_is_array(lines)) {
			error = vault_error__set(VAULT_EINVALID, "%s %zu: %s", label, i + 1, jerr.text);
			break;
		}
		if ((error = vault__fmt(where, sizeof(where), "item", "%s %zu: ", label, i + 1)) < 0)
			break;
		im->where[i] = vault__strdup(where);
		im->pos[i].po = keep(im, number_, strlen(number_));
		im->pos[i].supplier = keep(im, supplier, strlen(supplier));
		im->pos[i].lines = &im->lines[im->nlines];
		im->npos++;
		json_array_foreach(lines, k, line) {
			vault_po_line *l = &im->lines[im->nlines++];
			json_int_t ln, qty, pack_size = 0;
			const char *part, *doc, *rev, *due = NULL, *unit = NULL, *pack_unit = NULL;
			const char *from = NULL, *until = NULL;
			json_t *blanket = NULL;

			if (json_unpack_ex(line, &jerr, JSON_STRICT,
					   "{s:I, s:s, s:I, s:s, s:s, s?:s, s?:s, s?:s, s?:I, s?:o}",
					   "line", &ln, "part", &part, "qty", &qty, "doc", &doc,
					   "rev", &rev, "due", &due, "unit", &unit, "pack_unit", &pack_unit,
					   "pack_size", &pack_size, "blanket", &blanket) < 0 ||
			    (blanket && json_unpack_ex(blanket, &jerr, JSON_STRICT, "{s:s, s:s}",
						       "valid_from", &from, "valid_until",
						       &until) < 0) || ln < 1 || ln > LINES_MAX ||
			    qty < 1 || (uint64_t)qty > QTY_MAX) {
				error = vault_error__set(VAULT_EINVALID, "%s %zu, line %zu: %s",
					label, i + 1, k + 1, jerr.text[0] ? jerr.text :
					"line and qty must be whole numbers from 1");
				goto done;
			}
			/* a pack size given is from 2 (an explicit 0 was taken as no pack) */
			if (json_object_get(line, "pack_size") &&
			    (pack_size < 2 || (uint64_t)pack_size > QTY_MAX)) {
				error = vault_error__set(VAULT_EINVALID,
					"%s %zu, line %zu: a pack size is a whole number from 2 to %llu",
					label, i + 1, k + 1, QTY_MAX);
				goto done;
			}
			l->line = (unsigned)ln;
			l->qty = (uint64_t)qty;
			l->part = keep(im, part, strlen(part));
			l->doc = keep(im, doc, strlen(doc));
			l->rev = keep(im, rev, strlen(rev));
			l->due = due ? keep(im, due, strlen(due)) : NULL;
			l->unit = unit ? keep(im, unit, strlen(unit)) : NULL;
			l->pack_unit = pack_unit ? keep(im, pack_unit, strlen(pack_unit)) : NULL;
			l->pack_size = (uint64_t)pack_size;
			l->valid_from = from ? keep(im, from, strlen(from)) : NULL;
			l->valid_until = until ? keep(im, until, strlen(until)) : NULL;
			im->pos[i].nlines++;
		}
	}
done:
	return error;
}

static int parse_json(import *im, const char *data, size_t len)
{
	json_t *root;
	int error;

	if ((error = vault_input__json_list(&root, data, len, "purchase orders", im->max_rows)) < 0)
		return error;
	error = parse_list(im, root, "purchase order");
	json_decref(root);
	return error;
}

/*
 * The POs of `root`, a list in schemas/po-import.schema.json's shape (an
 * X12 850 as x12_po.c reads it), recorded in one commit; `label` names
 * each in messages ("850 set 2: "), `path` the file.
 */
int vault_po__import_list(size_t *count, vault *v, const char *path, json_t *root,
			  const char *label)
{
	import im;
	int error;

	*count = 0;
	memset(&im, 0, sizeof(im));
	if ((error = vault_input__max_rows(&im.max_rows, v)) < 0)
		return error;
	if ((error = parse_list(&im, root, label)) < 0 ||
	    (error = add_pos(v, im.pos, im.npos, im.where)) < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	else
		*count = im.npos;
	import_dispose(&im);
	return error;
}

int vault_po__check_list(json_t *root, const char *label)
{
	import im;
	size_t i;
	int error;

	memset(&im, 0, sizeof(im));
	error = parse_list(&im, root, label);
	for (i = 0; i < im.npos && !error; i++)
		error = check_po(&im.pos[i], im.where ? im.where[i] : "");
	import_dispose(&im);
	return error;
}

int vault_po__import_data(size_t *count, vault *v, const char *path, const char *data, size_t len)
{
	import im;
	int error;

	*count = 0;
	memset(&im, 0, sizeof(im));
	if ((error = vault_input__max_rows(&im.max_rows, v)) < 0)
		return error;
	error = vault_input__is_json(data, len) ? parse_json(&im, data, len) :
		parse_csv(&im, data, len);
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	else if ((error = add_pos(v, im.pos, im.npos, im.where)) < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	else
		*count = im.npos;
	import_dispose(&im);
	return error;
}

int vault_po__parse(const char *data, size_t len)
{
	import im;
	size_t i;
	int error;

	memset(&im, 0, sizeof(im));
	error = vault_input__is_json(data, len) ? parse_json(&im, data, len) :
		parse_csv(&im, data, len);
	for (i = 0; i < im.npos && !error; i++)
		error = check_po(&im.pos[i], im.where ? im.where[i] : "");
	import_dispose(&im);
	return error;
}

/* ---- change orders: the latest revision ----------------------------------- */

int vault_po__latest(json_t **rec, unsigned *seq, vault_store *store, const git_tree *tree,
		     const char *po)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], *data = NULL;
	git_tree_entry *te = NULL;
	git_tree *changes = NULL;
	size_t n, len;
	int error;

	*rec = NULL;
	*seq = 0;
	if ((error = vault_po__dir(dir, sizeof(dir), po)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_PO_CHANGES_DIR, dir)) < 0)
		return error;
	/* git keeps a tree's entries sorted by name: NNNNNN-signer.json by number */
	if (git_tree_entry_bypath(&te, tree, path) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&changes, git_tree_owner(tree), git_tree_entry_id(te)) == 0 &&
	    (n = git_tree_entrycount(changes)) > 0) {
		const char *name = git_tree_entry_name(git_tree_entry_byindex(changes, n - 1));

		*seq = (unsigned)strtoul(name, NULL, 10);
		error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_PO_CHANGES_DIR "/%s", dir,
				   name);
	} else {
		error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_PO_FILE, dir);
	}
	git_tree_free(changes);
	git_tree_entry_free(te);
	if (error < 0)
		return error;
	if (vault_store__read_path(&data, &len, store, tree, path) < 0)
		return vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po);
	*rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	free(data);
	if (!json_is_array(json_object_get(*rec, "lines"))) {
		json_decref(*rec);
		*rec = NULL;
		return vault_error__set(VAULT_EVERIFY, "'%s' is malformed", path);
	}
	return 0;
}

int vault_po__cancelled(const json_t *rec)
{
	json_t *lines = json_object_get(rec, "lines"), *l;
	size_t i;

	json_array_foreach(lines, i, l) {
		const char *state = json_string_value(json_object_get(l, "state"));

		if (!state || strcmp(state, "cancelled") != 0)
			return 0;
	}
	return json_array_size(lines) > 0;
}

/* ---- the index --------------------------------------------------------- */

static const char SQL_PO_ONCE[] = "SELECT commit_id FROM pos WHERE po = ?1";
static const char SQL_LINE_ONCE[] =
	"SELECT p.commit_id FROM po_lines l JOIN pos p ON p.po = l.po WHERE l.po = ?1 AND l.line = ?2";

/* A PO is recorded once, and each of its lines once in it. */
static int po_once(vault_index *idx, const git_oid *commit, const char *path, const char *po,
		   const char *line)
{
	const char *keys[] = { po, line };
	char what[VAULT_NAME_MAX + 64];

	if (line)
		vault__fmt_message(what, sizeof(what), "line %s of PO '%s'", line, po);
	else
		vault__fmt_message(what, sizeof(what), "PO '%s'", po);
	return vault_index__once(idx, commit, path, line ? SQL_LINE_ONCE : SQL_PO_ONCE, keys,
				 line ? 2 : 1, what);
}

static int index_po_record(vault_index *idx, const char *data, size_t len, const char *path,
		    const git_oid *commit)
{
	sqlite3 *db = vault_index__db(idx);
	sqlite3_stmt *po = NULL, *line = NULL;
	const char *kind, *number_, *supplier, *by, *at;
	json_t *root, *lines, *l;
	json_error_t jerr;
	int64_t when = 0;
	char hex[41];
	size_t i;
	int format, error = 0;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack(root, "{s:s, s:i, s:s, s:s, s:o, s:s, s:s}", "record", &kind,
				 "format", &format, "po", &number_, "supplier", &supplier,
				 "lines", &lines, "created_by", &by, "created_at", &at) < 0 ||
	    strcmp(kind, "po") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the purchase order is malformed", path);
	}
	{
		struct tm tm;

		memset(&tm, 0, sizeof(tm));
		if (strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm))
			when = (int64_t)timegm(&tm);
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	if ((error = po_once(idx, commit, path, number_, NULL)) < 0)
		goto done;
	if (sqlite3_prepare_v2(db, "INSERT INTO pos (po, supplier, created_by, created_at, commit_id)"
			       " VALUES (?1, ?2, ?3, ?4, ?5)", -1, &po, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO po_lines (po, line, part, qty, doc, rev, due, unit,"
			       " pack_unit, pack_size, valid_from, valid_until) VALUES (?1, ?2, ?3,"
			       " ?4, ?5, ?6, ?7, coalesce(?8, 'EA'), ?9, ?10, ?11, ?12)", -1, &line,
			       NULL) != SQLITE_OK) {
		error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(po, 1, number_, -1, SQLITE_STATIC);
	sqlite3_bind_text(po, 2, supplier, -1, SQLITE_STATIC);
	sqlite3_bind_text(po, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(po, 4, when);
	sqlite3_bind_text(po, 5, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(po) != SQLITE_DONE) {
		error = vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s", path, sqlite3_errmsg(db));
		goto done;
	}
	json_array_foreach(lines, i, l) {
		char num[32];

		vault__fmt_message(num, sizeof(num), "%lld",
				   (long long)json_integer_value(json_object_get(l, "line")));
		if ((error = po_once(idx, commit, path, number_, num)) < 0)
			break;
		sqlite3_bind_text(line, 1, number_, -1, SQLITE_STATIC);
		sqlite3_bind_int64(line, 2, json_integer_value(json_object_get(l, "line")));
		sqlite3_bind_text(line, 3, json_string_value(json_object_get(l, "part")), -1, SQLITE_STATIC);
		sqlite3_bind_int64(line, 4, json_integer_value(json_object_get(l, "qty")));
		sqlite3_bind_text(line, 5, json_string_value(json_object_get(l, "doc")), -1, SQLITE_STATIC);
		sqlite3_bind_text(line, 6, json_string_value(json_object_get(l, "rev")), -1, SQLITE_STATIC);
		sqlite3_bind_text(line, 7, json_string_value(json_object_get(l, "due")), -1, SQLITE_STATIC);
		vault_po__bind_unit(line, 8, l);
		vault_po__bind_blanket(line, 11, l);
		if (sqlite3_step(line) != SQLITE_DONE) {
			error = vault_error__set(VAULT_EVERIFY, "%s: cannot index line: %s", path,
						 sqlite3_errmsg(db));
			break;
		}
		sqlite3_reset(line);
	}
done:
	sqlite3_finalize(po);
	sqlite3_finalize(line);
	json_decref(root);
	return error;
}

/* pos/<h>/<h>/<PO>/po.json: named for its folder, by its signer, at its commit's time. */
static void check_po_file(const vault_change_ctx *c, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = vault_rules__json_at(c, c->tree, path);
	size_t n = vault_rules__split(parts, 5, path);

	if (!rec || n != 5 || strcmp(vault_rules__str(rec, "record"), "po") != 0 ||
	    strcmp(vault_rules__str(rec, "po"), parts[3]) != 0 || !vault_rules__fanned(path, "pos", parts[3]))
		c->found(c, path,
		      "the PO is malformed or stored where another belongs");
	else
		vault_rules__signed_as(c, path, vault_rules__str(rec, "created_by"), NULL, vault_rules__str(rec, "created_at"));
	if (rec) {
		json_t *l;
		size_t i, b;

		json_array_foreach(json_object_get(rec, "lines"), i, l)
			if (!vault_po__blanket_ok(l, &b) ||
			    (b && (json_integer_value(json_object_get(l, "qty")) < 1 ||
				   json_integer_value(json_object_get(l, "qty")) > (json_int_t)QTY_MAX)))
				c->found(c, path, "line %zu's blanket terms are malformed (validity "
					 "dates in order, no due date)", i + 1);
	}
	json_decref(rec);
}

static int index_po(const vault_kind_file *f)
{
	return index_po_record(f->idx, f->data, f->len, f->path, f->commit);
}

const vault_kind vault_kind_po = {
	.name = "PO",
	.shape = "pos/HH/HH/PO/" VAULT_PO_FILE,
	.roles = VAULT_ROLE_BUYER,
	.act = "issue purchase orders",
	.ops = "po-add po-import",
	.made_by = "po-add po-import",
	.index = index_po,
	.check = check_po_file,
	.tables = "pos po_lines",
};
