/*
 * asn.c - advance ship notices (asns/<h>/<h>/<ASN>/asn.json): recorded one
 * at a time or imported from JSON or an X12 856 interchange, checked
 * against the lots and the PO lines' open quantities; their receipts
 * (receipt.json beside them), and the index of both.
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
#include "rules.h"
#include "input.h"
#include "po.h"
#include "portal.h"
#include "x12_write.h"
#include "record.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define PACKAGES_MAX 10000
#define TEXT_MAX 128
#define NOTE_MAX 4096
#define WARNINGS_SHOWN 20

/* One package of a notice as checked: its lot's PO line, its gaps. */
typedef struct {
	size_t asn;          /* index of its ship notice in the batch */
	size_t pkg;          /* index of the package in it */
	char po[VAULT_NAME_MAX + 1];
	char part[VAULT_NAME_MAX + 1];
	char lot[VAULT_NAME_MAX + 1];
	unsigned line;
	uint64_t qty;        /* in the PO line's unit */
	uint64_t lot_qty;    /* what the lot holds */
	const char *sent_unit; /* the unit it was sent in, when converted; else NULL */
} item;

static const char SQL_LOT[] = "SELECT po, part, qty, supplier FROM lots WHERE lot = ?1";
/* the line of the lot's part: an open one first (a change order may have
 * cancelled one and added another of the same part) */
static const char SQL_LOT_LINE[] =
	"SELECT line, doc || '@' || rev, state, unit, pack_unit, pack_size FROM po_lines"
	" WHERE po = ?1 AND part = ?2"
	" ORDER BY state <> 'open', line LIMIT 1";
/* shipped: by the notices in force, but those the batch replaces (?3, a JSON list) */
/* a line's limit: what it orders; a blanket line's, what its releases
 * called off (the total agreed is no call to ship); what was shipped of
 * it; whether it is a blanket */
static const char SQL_SHIPPED[] =
	"SELECT (SELECT CASE WHEN valid_from IS NULL THEN qty ELSE"
	"  (SELECT coalesce(sum(r.qty), 0) FROM po_releases r WHERE r.po = ?1 AND r.line = ?2) END"
	"  FROM po_lines WHERE po = ?1 AND line = ?2),"
	" (SELECT coalesce(sum(qty), 0) FROM asn_items WHERE po = ?1 AND line = ?2 AND in_force"
	"  AND asn NOT IN (SELECT value FROM json_each(?3))),"
	" (SELECT valid_from IS NOT NULL FROM po_lines WHERE po = ?1 AND line = ?2)";
static const char SQL_LOT_SHIPPED[] = /* drawn: by ship notices and by lots made from it */
	"SELECT (SELECT coalesce(sum(qty), 0) FROM asn_items WHERE lot = ?1 AND in_force"
	"  AND asn NOT IN (SELECT value FROM json_each(?3)))"
	" + (SELECT coalesce(sum(qty), 0) FROM lot_inputs WHERE input = ?1)";
/* a notice: its PO, supplier, revision, whether cancelled, whether received */
static const char SQL_NOTICE[] =
	"SELECT a.po, a.supplier, a.revision, a.cancelled_at IS NOT NULL,"
	" EXISTS (SELECT 1 FROM receipts r WHERE r.asn = a.asn) FROM asns a WHERE a.asn = ?1";
static const char SQL_ASN_PO[] = "SELECT supplier FROM pos WHERE po = ?1";
static const char SQL_HAS_COC[] = "SELECT 1 WHERE " VAULT_INDEX_LOT_HAS_COC("?1");
static const char SQL_ACKED[] =
	"SELECT 1 FROM po_lines pl JOIN acks a ON a.doc = pl.doc AND a.rev = pl.rev"
	" WHERE pl.po = ?1 AND pl.line = ?2 AND a.org = ?3 AND a.meaning != 'rejected' LIMIT 1";

static int index_error(vault *v)
{
	return vault_error__set(VAULT_ERROR, "index: %s",
				sqlite3_errmsg(vault_index__db(v->index)));
}

static int text_opt(const char *what, const char *s)
{
	return s ? vault_record__text_check(what, s, TEXT_MAX) : 0;
}

static const vault_asn_package *sort_packages;

static int cmp_packages(const void *a, const void *b)
{
	const vault_asn_package *x = &sort_packages[*(const size_t *)a];
	const vault_asn_package *y = &sort_packages[*(const size_t *)b];
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->lot, y->lot);
}

/* The same lot twice in one package: sorted by package and lot, side by side. */
static int check_repeats(const vault_asn *a)
{
	size_t *order = malloc((a->npackages + 1) * sizeof(size_t)), i;
	int error = 0;

	if (!order)
		abort();
	for (i = 0; i < a->npackages; i++)
		order[i] = i;
	sort_packages = a->packages;
	qsort(order, a->npackages, sizeof(size_t), cmp_packages);
	for (i = 1; i < a->npackages && !error; i++)
		if (cmp_packages(&order[i - 1], &order[i]) == 0)
			error = vault_error__set(VAULT_EINVALID, "lot '%s' is given twice in package '%s'",
						 a->packages[order[i]].lot, a->packages[order[i]].id);
	free(order);
	return error;
}

/* Everything about one notice that needs no repository. */
static int check_fields(const vault_asn *a)
{
	size_t i;
	int error;

	if (a->cancels) {
		if ((error = vault_name_check("ship notice number", a->cancels)) < 0 ||
		    (a->reason && (error = vault_record__text_check("reason", a->reason,
								    NOTE_MAX)) < 0))
			return error;
		if (a->asn || a->po || a->npackages || a->replaces)
			return vault_error__set(VAULT_EINVALID,
				"a cancellation of ship notice '%s' holds nothing else", a->cancels);
		return 0;
	}
	if (a->reason)
		return vault_error__set(VAULT_EINVALID, "only a cancellation has a reason");
	if (a->replaces && ((error = vault_name_check("ship notice number", a->replaces)) < 0 ||
			    (a->asn && strcmp(a->asn, a->replaces) != 0 &&
			     (error = vault_error__set(VAULT_EINVALID,
				"ship notice '%s' cannot replace ship notice '%s': a replacement keeps "
				"the number", a->asn, a->replaces)) < 0)))
		return error;
	if ((a->asn && (error = vault_name_check("ship notice number", a->asn)) < 0) ||
	    (error = vault_name_check("PO number", a->po)) < 0 ||
	    (error = vault_record__date_check("ship date", a->ship_date)) < 0 ||
	    (error = text_opt("carrier", a->carrier)) < 0 ||
	    (error = text_opt("tracking number", a->tracking)) < 0)
		return error;
	if (a->npackages == 0)
		return vault_error__set(VAULT_EINVALID, "a ship notice needs at least one package");
	if (a->npackages > PACKAGES_MAX)
		return vault_error__set(VAULT_EINVALID, "more than %d packages", PACKAGES_MAX);
	for (i = 0; i < a->npackages; i++) {
		const vault_asn_package *p = &a->packages[i];

		size_t k;

		if ((error = vault_name_check("package", p->id)) < 0 ||
		    (error = vault_name_check("lot", p->lot)) < 0)
			return error;
		for (k = 0; k < p->nparts; k++)
			if ((error = vault_record__text_check("part", p->parts[k], TEXT_MAX)) < 0)
				return error;
		if (p->unit && (error = vault_po__unit_check("unit", p->unit)) < 0)
			return vault_error__set(error, "package '%s': %s", p->id, vault_error_message());
		if (p->qty == 0 || p->qty > QTY_MAX)
			return vault_error__set(VAULT_EINVALID,
				"package '%s': quantity must be a whole number from 1 to %llu", p->id,
				QTY_MAX);
	}
	return check_repeats(a);
}

/* Warnings gathered while checking, reported once the notices are recorded. */
typedef struct {
	char **items;
	size_t n;
} warnings;

static void warn_add(warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn_add(warnings *w, const char *fmt, ...)
{
	vault_buf buf = VAULT_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	/* a warning that cannot be formatted is lost, never cut */
	if (vault_buf__vaddf(&buf, fmt, ap) < 0) {
		va_end(ap);
		return;
	}
	va_end(ap);
	if ((w->items = realloc(w->items, (w->n + 1) * sizeof(char *))) == NULL)
		abort();
	w->items[w->n++] = vault_buf__detach(&buf);
}

static void warnings_flush(warnings *w, vault *v, int report)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (report && i < WARNINGS_SHOWN)
			vault__warn(v, "%s", w->items[i]);
		free(w->items[i]);
	}
	if (report && w->n > WARNINGS_SHOWN)
		vault__warn(v, "and %zu more audit gaps, recorded in their ship notices",
			    w->n - WARNINGS_SHOWN);
	free(w->items);
	w->items = NULL;
	w->n = 0;
}

/* 1 when `sql` (?1, ?2 text or integer, ?3 text) gives a row. */
static int exists(int *yes, vault *v, const char *sql, const char *a, long b, const char *c)
{
	sqlite3_stmt *st;
	int rc;

	if (vault_index__stmt(&st, v->index, sql) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b >= 0)
		sqlite3_bind_int64(st, 2, b);
	if (c)
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : index_error(v);
}

/*
 * Check package `p` of notice `a` against the index: a known lot of the
 * notice's PO, no more than the lot holds; fill in its line, and note its
 * audit gaps in `gaps` and `w`.
 */
static int check_package(item *it, vault *v, const vault_asn *a, const char *asn,
			 const vault_asn_package *p, const char *supplier, json_t *gaps,
			 warnings *w)
{
	sqlite3_stmt *st;
	char revision[2 * VAULT_NAME_MAX + 2] = "";
	uint64_t lot_qty = 0;
	int rc, yes = 0, error;

	if (vault_index__stmt(&st, v->index, SQL_LOT) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, p->lot, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((error = vault__fmt(it->po, sizeof(it->po), "the lot's PO", "%s",
					sqlite3_column_text(st, 0))) < 0 ||
		    (error = vault__fmt(it->part, sizeof(it->part), "the lot's part", "%s",
					sqlite3_column_text(st, 1))) < 0) {
			sqlite3_reset(st);
			return error;
		}
		lot_qty = (uint64_t)sqlite3_column_int64(st, 2);
		/* another organization's lot is, to the shipper, no lot */
		if (strcmp((const char *)sqlite3_column_text(st, 3), supplier) != 0)
			rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND,
			"package '%s': no lot '%s'", p->id, p->lot) : index_error(v);
	if (strcmp(it->po, a->po) != 0)
		return vault_error__set(VAULT_EINVALID,
			"package '%s': lot '%s' belongs to PO '%s', not to PO '%s'", p->id, p->lot,
			it->po, a->po);
	if (p->nparts) {
		size_t k;

		for (k = 0; k < p->nparts && strcmp(p->parts[k], it->part) != 0; k++)
			;
		if (k == p->nparts)
			return vault_error__set(VAULT_EINVALID,
				"package '%s': names part '%s', but lot '%s' is of part '%s' of PO '%s'",
				p->id, p->parts[0], p->lot, it->part, it->po);
	}
	if (vault_index__stmt(&st, v->index, SQL_LOT_LINE) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, it->po, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->part, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(st, 3);
		const char *pack = (const char *)sqlite3_column_text(st, 4);
		uint64_t size = (uint64_t)sqlite3_column_int64(st, 5);

		it->line = (unsigned)sqlite3_column_int64(st, 0);
		it->qty = p->qty;
		/* a quantity in the line's pack is converted into the line's unit */
		if (p->unit && strcmp(p->unit, unit) != 0) {
			if (!pack || strcmp(p->unit, pack) != 0 || size < 2) {
				error = vault_error__set(VAULT_EINVALID,
					"package '%s': ships %llu %s of line %u of PO '%s', which is "
					"ordered in %s%s%s%s", p->id, (unsigned long long)p->qty, p->unit,
					it->line, it->po, unit, pack ? " (packed in " : " and names no pack",
					pack ? pack : "", pack ? ")" : "");
				sqlite3_reset(st);
				return error;
			}
			if (p->qty > QTY_MAX / size) {
				error = vault_error__set(VAULT_EINVALID,
					"package '%s': %llu %s of %llu %s each is over %llu", p->id,
					(unsigned long long)p->qty, pack, (unsigned long long)size, unit,
					QTY_MAX);
				sqlite3_reset(st);
				return error;
			}
			it->qty = p->qty * size;
			it->sent_unit = p->unit;
		}
		if ((error = vault__fmt(revision, sizeof(revision), "the PO line's revision", "%s",
					sqlite3_column_text(st, 1))) < 0 ||
		    (strcmp((const char *)sqlite3_column_text(st, 2), "open") != 0 &&
		     (error = vault_error__set(VAULT_EINVALID, "package '%s': line %u of PO '%s' "
					       "is %s", p->id, it->line, it->po,
					       (const char *)sqlite3_column_text(st, 2))) < 0)) {
			sqlite3_reset(st);
			return error;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? vault_error__set(VAULT_EINVALID,
			"package '%s': PO '%s' has no line for part '%s'", p->id, it->po, it->part) :
			index_error(v);
	if (it->qty > lot_qty)
		return vault_error__set(VAULT_EINVALID,
			"package '%s': ships %llu of lot '%s', which holds %llu", p->id,
			(unsigned long long)it->qty, p->lot, (unsigned long long)lot_qty);
	it->lot_qty = lot_qty;
	if ((error = vault__fmt(it->lot, sizeof(it->lot), "lot number", "%s", p->lot)) < 0)
		return error;
	if (exists(&yes, v, SQL_HAS_COC, p->lot, -1, NULL) < 0)
		return VAULT_ERROR;
	if (!yes) {
		json_array_append_new(gaps, json_pack("{s:s, s:s}", "lot", p->lot, "gap", "no-coc"));
		warn_add(w, "ship notice '%s': lot '%s' has no certificate of conformity", asn, p->lot);
	}
	if (exists(&yes, v, SQL_ACKED, it->po, (long)it->line, supplier) < 0)
		return VAULT_ERROR;
	if (!yes) {
		json_array_append_new(gaps, json_pack("{s:s, s:s, s:s}", "lot", p->lot,
			"gap", "unacknowledged-revision", "revision", revision));
		warn_add(w, "ship notice '%s': lot '%s' is built to %s, which '%s' has not acknowledged",
			 asn, p->lot, revision, supplier);
	}
	return 0;
}

static const item *sort_items;

static int cmp_items(const void *a, const void *b)
{
	const item *x = &sort_items[*(const size_t *)a], *y = &sort_items[*(const size_t *)b];
	int c = strcmp(x->po, y->po);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

static int cmp_lots(const void *a, const void *b)
{
	const item *x = &sort_items[*(const size_t *)a], *y = &sort_items[*(const size_t *)b];
	int c = strcmp(x->lot, y->lot);

	if (c)
		return c;
	return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

/*
 * The first item (in batch order) that takes its group over its limit:
 * groups are PO lines (limit: ordered; already: what earlier notices
 * shipped of the line) or, `by_lot`, lots (limit: what the lot holds;
 * already: what earlier notices shipped of it); items count in batch
 * order within a group.  *worst = n when none goes over.
 */
static int first_over(size_t *worst, uint64_t *left, uint64_t *limit, int *blanket, vault *v,
		      const item *items, size_t n, int by_lot, const char *replaced)
{
	size_t *order = malloc((n + 1) * sizeof(size_t)), i;
	uint64_t lim = 0, shipped = 0;
	int error = 0, is_blanket = 0;

	if (!order)
		abort();
	*worst = n;
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_items = items;
	qsort(order, n, sizeof(size_t), by_lot ? cmp_lots : cmp_items);
	for (i = 0; i < n && !error; i++) {
		const item *it = &items[order[i]], *prev = i ? &items[order[i - 1]] : NULL;

		if (!prev || (by_lot ? strcmp(prev->lot, it->lot) != 0 :
			      strcmp(prev->po, it->po) != 0 || prev->line != it->line)) {
			sqlite3_stmt *st;

			if (vault_index__stmt(&st, v->index, by_lot ? SQL_LOT_SHIPPED : SQL_SHIPPED) < 0) {
				error = index_error(v);
				break;
			}
			sqlite3_bind_text(st, 3, replaced, -1, SQLITE_STATIC);
			if (by_lot) {
				sqlite3_bind_text(st, 1, it->lot, -1, SQLITE_STATIC);
			} else {
				sqlite3_bind_text(st, 1, it->po, -1, SQLITE_STATIC);
				sqlite3_bind_int64(st, 2, it->line);
			}
			if (sqlite3_step(st) != SQLITE_ROW)
				error = index_error(v);
			lim = by_lot ? it->lot_qty : (uint64_t)sqlite3_column_int64(st, 0);
			shipped = (uint64_t)sqlite3_column_int64(st, by_lot ? 0 : 1);
			is_blanket = !by_lot && sqlite3_column_int(st, 2);
			sqlite3_reset(st);
		}
		if (shipped + it->qty > lim && order[i] < *worst) {
			*worst = order[i];
			*left = lim > shipped ? lim - shipped : 0;
			*limit = lim;
			*blanket = is_blanket;
		}
		shipped += it->qty;
	}
	free(order);
	return error;
}

/*
 * No PO line ships more than it has open, and no lot more than it holds:
 * what earlier notices shipped and what this batch ships before count.
 */
static int check_quantities(vault *v, const item *items, size_t n, const vault_asn *asns,
			    char **where, const char *replaced)
{
	uint64_t left = 0, limit = 0;
	size_t worst;
	const item *it;
	int error, blanket = 0;

	if ((error = first_over(&worst, &left, &limit, &blanket, v, items, n, 0, replaced)) < 0)
		return error;
	if (worst < n) {
		it = &items[worst];
		return vault_error__set(VAULT_EINVALID,
			"%spackage '%s': ships %llu of line %u of PO '%s', which has %llu open of %llu %s",
			where ? where[it->asn] : "", asns[it->asn].packages[it->pkg].id,
			(unsigned long long)it->qty, it->line, it->po,
			(unsigned long long)left, (unsigned long long)limit,
			blanket ? "released (a blanket line ships only what its releases call off)" :
			"ordered");
	}
	if ((error = first_over(&worst, &left, &limit, &blanket, v, items, n, 1, replaced)) < 0)
		return error;
	if (worst < n) {
		it = &items[worst];
		return vault_error__set(VAULT_EINVALID,
			"%spackage '%s': ships %llu of lot '%s', which has %llu left of %llu",
			where ? where[it->asn] : "", asns[it->asn].packages[it->pkg].id,
			(unsigned long long)it->qty, it->lot, (unsigned long long)left,
			(unsigned long long)limit);
	}
	return 0;
}


static const char *const *sort_names;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(sort_names[*(const size_t *)a], sort_names[*(const size_t *)b]);
}

/* The later of two notices given the same number, or n. */
static size_t repeated(const char *const *names, size_t n)
{
	size_t *order = malloc((n + 1) * sizeof(size_t)), i, found = n;

	if (!order)
		abort();
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_names = names;
	qsort(order, n, sizeof(size_t), cmp_names);
	for (i = 1; i < n && found == n; i++)
		if (strcmp(names[order[i - 1]], names[order[i]]) == 0)
			found = order[i - 1] > order[i] ? order[i - 1] : order[i];
	free(order);
	return found;
}

static int put_asn(vault_txn *t, vault *v, const vault_asn *a, const char *asn,
		   const char *supplier, const item *items, json_t *gaps, const char *source,
		   unsigned revision)
{
	json_t *packages = json_array(), *root;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE], *json;
	size_t i, len;
	int error;

	for (i = 0; i < a->npackages; i++) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:I}",
			"id", a->packages[i].id, "lot", a->packages[i].lot,
			"line", (json_int_t)items[i].line, "part", items[i].part,
			"qty", (json_int_t)items[i].qty);

		/* sent in the line's pack: what was sent, beside the count in the line's unit */
		if (o && items[i].sent_unit)
			json_object_set_new(o, "sent", json_pack("{s:I, s:s}", "qty",
				(json_int_t)a->packages[i].qty, "unit", items[i].sent_unit));
		json_array_append_new(packages, o);
	}
	vault_time_format(when, sizeof(when), t->now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "record", "asn",
			 "format", 1, "asn", asn, "po", a->po, "supplier", supplier,
			 "ship_date", a->ship_date, "source", source, "packages", packages,
			 "created_by", t->actor.name, "created_at", when);
	if (!root)
		return vault_error__set(VAULT_EINVALID, "ship notice '%s' is not valid UTF-8", asn);
	if (a->carrier)
		json_object_set_new(root, "carrier", json_string(a->carrier));
	if (a->tracking)
		json_object_set_new(root, "tracking", json_string(a->tracking));
	if (json_array_size(gaps))
		json_object_set(root, "gaps", gaps);
	if (revision)
		json_object_set_new(root, "revision", json_integer(revision));
	if ((error = vault_record__dump(&json, &len, root)) < 0)
		return error;
	vault_record__dir(dir, sizeof(dir), "asns", asn);
	if ((error = revision ?
	     vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_REVISIONS_DIR "/%06u.json", dir,
			revision) :
	     vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_FILE, dir)) == 0)
		error = vault__txn_put_data(t, v, path, json, len);
	free(json);
	return error;
}

/* The PO's supplier, which must be the acting supplier's organization. */
static int asn_po(vault *v, const vault_user *actor, const char *po)
{
	sqlite3_stmt *st;
	char supplier[VAULT_NAME_MAX + 1] = "";
	int rc;

	if (vault_index__stmt(&st, v->index, SQL_ASN_PO) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, po, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    vault__fmt(supplier, sizeof(supplier), "the PO's supplier", "%s",
		       sqlite3_column_text(st, 0)) < 0) {
		sqlite3_reset(st);
		return VAULT_EINVALID;
	}
	sqlite3_reset(st);
	/* another organization's PO is, to a supplier, no PO */
	if (rc == SQLITE_ROW && vault_user__scope(actor) &&
	    strcmp(vault_user__scope(actor), supplier) != 0)
		rc = SQLITE_DONE;
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po) :
			index_error(v);
	if (strcmp(supplier, actor->org) != 0)
		return vault_error__set(VAULT_EDENIED,
			"user '%s' of '%s' may not ship against PO '%s', which belongs to '%s'",
			actor->name, actor->org, po, supplier);
	return 0;
}


/* A notice as the index holds it, for a cancellation or a replacement. */
typedef struct {
	char po[VAULT_NAME_MAX + 1];
	char supplier[VAULT_NAME_MAX + 1];
	unsigned revision;
	int cancelled, received;
} notice;

/*
 * Ship notice `asn`, which `actor` means to `act` ("cancel", "replace"):
 * one it may see (a supplier: its organization's), in force (not
 * cancelled) and not received.
 */
static int notice_in_force(notice *out, vault *v, const vault_user *actor, const char *asn,
			   const char *act)
{
	sqlite3_stmt *st;
	int rc, error = 0;

	memset(out, 0, sizeof(*out));
	if (vault_index__stmt(&st, v->index, SQL_NOTICE) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((error = vault__fmt(out->po, sizeof(out->po), "the notice's PO", "%s",
					sqlite3_column_text(st, 0))) == 0)
			error = vault__fmt(out->supplier, sizeof(out->supplier), "the notice's supplier",
					   "%s", sqlite3_column_text(st, 1));
		out->revision = (unsigned)sqlite3_column_int64(st, 2);
		out->cancelled = sqlite3_column_int(st, 3);
		out->received = sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (error < 0)
		return error;
	/* another organization's notice is, to a supplier, no notice */
	if (rc == SQLITE_ROW && vault_user__scope(actor) &&
	    strcmp(vault_user__scope(actor), out->supplier) != 0)
		rc = SQLITE_DONE;
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND,
			"cannot %s ship notice '%s': there is none", act, asn) : index_error(v);
	if (out->cancelled)
		return vault_error__set(VAULT_EINVALID,
			"cannot %s ship notice '%s': it was cancelled", act, asn);
	if (out->received)
		return vault_error__set(VAULT_EINVALID,
			"cannot %s ship notice '%s': it was received", act, asn);
	return 0;
}

static int put_cancel(vault_txn *t, vault *v, const vault_asn *a)
{
	json_t *root;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE], *json;
	size_t len;
	int error;

	vault_time_format(when, sizeof(when), t->now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s}", "record", "asn-cancel", "format", 1,
			 "asn", a->cancels, "cancelled_by", t->actor.name, "cancelled_at", when);
	if (!root)
		return vault_error__set(VAULT_EINVALID, "the cancellation is not valid UTF-8");
	if (a->reason)
		json_object_set_new(root, "reason", json_string(a->reason));
	if ((error = vault_record__dump(&json, &len, root)) < 0)
		return error;
	vault_record__dir(dir, sizeof(dir), "asns", a->cancels);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_CANCEL_FILE, dir)) == 0)
		error = vault__txn_put_data(t, v, path, json, len);
	free(json);
	return error;
}

/*
 * Record notices asns[0..n) in one commit: originals, replacements and
 * cancellations; `where[i]` (may be NULL) prefixes notice i's errors;
 * `id` receives a single notice's number.
 */
static int add_asns(vault *v, const vault_asn *asns, size_t n, char **where,
		    const char *source, char *id, size_t idsize)
{
	const char **names = calloc(n + 1, sizeof(char *));
	const char **pos = calloc(n + 1, sizeof(char *));
	size_t *first = calloc(n + 1, sizeof(size_t)), total = 0, i, k;
	json_t **gaps = calloc(n + 1, sizeof(json_t *)), *replaced = json_array();
	notice *was = calloc(n + 1, sizeof(notice));
	warnings w = { NULL, 0 };
	item *items = NULL;
	char generated[32] = "", dir[VAULT_PATH_MAX], *replaced_text = NULL;
	const char *op = "asn-add", *verb = "add";
	vault_buf message = VAULT_BUF_INIT;
	unsigned roles = VAULT_ROLE_BUYER | VAULT_ROLE_SUPPLIER;
	vault_txn t;
	int error = 0;

	if (!names || !pos || !first || !gaps || !was || !replaced)
		abort();
	memset(&t, 0, sizeof(t));
	if (n == 0)
		error = vault_error__set(VAULT_EINVALID, "no ship notice to record");
	for (i = 0; i < n && !error; i++) {
		if ((error = check_fields(&asns[i])) < 0 && where)
			error = vault_error__set(error, "%s%s", where[i], vault_error_message());
		if (!error && !asns[i].asn && !asns[i].replaces && !asns[i].cancels && n > 1)
			error = vault_error__set(VAULT_EINVALID, "%sa ship notice in a file needs its number",
						 where ? where[i] : "");
		names[i] = asns[i].cancels ? asns[i].cancels :
			asns[i].replaces ? asns[i].replaces : asns[i].asn;
		pos[i] = asns[i].po;
		first[i] = total;
		total += asns[i].npackages;
		/* only the cancellation of a notice is a buyer's to send */
		if (!asns[i].cancels)
			roles = VAULT_ROLE_SUPPLIER;
		if (asns[i].replaces)
			json_array_append_new(replaced, json_string(asns[i].replaces));
	}
	if (!error && n > 1 && (k = repeated(names, n)) < n)
		error = vault_error__set(VAULT_EEXISTS, "%sship notice '%s' is given twice",
					 where ? where[k] : "", names[k]);
	if (n == 1 && asns[0].cancels)
		op = "asn-cancel", verb = "cancel";
	else if (n == 1 && asns[0].replaces)
		op = "asn-replace", verb = "replace";
	else if (n > 1)
		op = "asn-import";
	if (error < 0 || (error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = vault_user__may(&t.actor, roles, roles == VAULT_ROLE_SUPPLIER ?
				     "send ship notices" : "cancel ship notices")) < 0)
		goto done;
	/* a cancellation or a replacement: of a notice in force, of its PO */
	for (i = 0; i < n; i++) {
		if (!asns[i].cancels && !asns[i].replaces)
			continue;
		if ((error = notice_in_force(&was[i], v, &t.actor, names[i],
					     asns[i].cancels ? "cancel" : "replace")) == 0 &&
		    asns[i].replaces && strcmp(was[i].po, asns[i].po) != 0)
			error = vault_error__set(VAULT_EINVALID,
				"cannot replace ship notice '%s' of PO '%s' by one of PO '%s'",
				names[i], was[i].po, asns[i].po);
		if (error < 0) {
			if (where)
				error = vault_error__set(error, "%s%s", where[i], vault_error_message());
			goto done;
		}
		pos[i] = was[i].po;
	}
	if ((error = vault_portal__room(v, pos, n)) < 0)
		goto done;
	if (n == 1 && !names[0]) {
		if ((error = vault_portal__next_number(generated, sizeof(generated), v, t.root, "asns")) < 0)
			goto done;
		names[0] = generated;
	}
	if ((items = calloc(total + 1, sizeof(item))) == NULL ||
	    (replaced_text = json_dumps(replaced, JSON_COMPACT)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		const vault_asn *a = &asns[i];

		gaps[i] = json_array();
		if (a->cancels)
			continue;
		vault_record__dir(dir, sizeof(dir), "asns", names[i]);
		if (!a->replaces && vault_store__has(v->store, t.root, dir))
			error = vault_error__set(VAULT_EEXISTS, "ship notice '%s' already exists", names[i]);
		else
			error = asn_po(v, &t.actor, a->po);
		for (k = 0; k < a->npackages && !error; k++) {
			items[first[i] + k].asn = i;
			items[first[i] + k].pkg = k;
			error = check_package(&items[first[i] + k], v, a, names[i], &a->packages[k],
					      t.actor.org, gaps[i], &w);
		}
		if (error < 0) {
			if (where)
				error = vault_error__set(error, "%s%s", where[i], vault_error_message());
			goto done;
		}
	}
	if ((error = check_quantities(v, items, total, asns, where, replaced_text)) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++)
		if ((error = asns[i].cancels ? put_cancel(&t, v, &asns[i]) :
		     put_asn(&t, v, &asns[i], names[i], t.actor.org, &items[first[i]], gaps[i],
			     source, asns[i].replaces ? was[i].revision + 1 : 0)) < 0)
			goto done;
	if (n == 1)
		error = vault_buf__addf(&message,
			 "asn %s %s for %s\n\nQvault-Op: %s\nQvault-PO: %s\nQvault-ASN: %s\n",
			 verb, names[0], pos[0], op, pos[0], names[0]);
	else
		error = vault_buf__addf(&message,
			 "asn import %zu ship notices\n\nQvault-Op: asn-import\n", n);
	/* the number is given back whole, so it is checked before the write */
	if (error == 0 && id)
		error = vault__fmt(id, idsize, "ship notice number", "%s", names[0]);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
out:
	warnings_flush(&w, v, error == 0);
	for (i = 0; i < n; i++)
		json_decref(gaps[i]);
	json_decref(replaced);
	free(replaced_text);
	free(gaps);
	free(was);
	free(items);
	free(first);
	free(pos);
	free(names);
	return error;
}

int vault_asn_add(vault *v, const vault_asn *asn, char *id, size_t size)
{
	return add_asns(v, asn, 1, NULL, "qvault", id, size);
}

int vault_asn_cancel(vault *v, const char *asn, const char *reason)
{
	vault_asn a;

	memset(&a, 0, sizeof(a));
	a.cancels = asn;
	a.reason = reason;
	return add_asns(v, &a, 1, NULL, "qvault", NULL, 0);
}

/* ---- import: JSON or X12 856 ------------------------------------------- */

typedef struct {
	vault_asn *asns;
	vault_asn_package *packages;
	const char **parts;  /* the packages' part numbers, in turn */
	char **where;
	size_t n;
	json_t *root;  /* the strings point into it */
	json_t *left;  /* and into it: the notices of a shipment its replacement left out */
	json_t *named; /* and the names SHIPMENT+PO a replacement of one order takes */
} asn_file;

static void asn_file_dispose(asn_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->where[i]);
	free(f->where);
	free(f->asns);
	free(f->packages);
	free(f->parts);
	json_decref(f->root);
	json_decref(f->left);
	json_decref(f->named);
}

/* Take the JSON list `root` (or one notice) as ship notices. */
static int from_json(asn_file *f, json_t *root, const char *what, size_t max_rows)
{
	json_error_t jerr;
	json_t *o, *pkgs, *p;
	size_t i, k, total = 0, used = 0, nparts = 0, nused = 0;

	f->root = root;
	if (json_is_object(root)) {
		f->root = json_array();
		json_array_append_new(f->root, root);
	}
	if (!json_is_array(f->root))
		return vault_error__set(VAULT_EINVALID, "the file is not a ship notice or a JSON list of them");
	json_array_foreach(f->root, i, o) {
		total += json_array_size(json_object_get(o, "packages"));
		json_array_foreach(json_object_get(o, "packages"), k, p)
			nparts += json_is_array(json_object_get(p, "part")) ?
				json_array_size(json_object_get(p, "part")) : 1;
	}
	/* a row: a package of a notice (an 856's item loop), or a notice */
	i = json_array_size(f->root);
	if (max_rows && (total > max_rows || i > max_rows))
		return vault_input__too_many(total > i ? total : i, max_rows);
	f->n = i;
	if ((f->asns = calloc(f->n + 1, sizeof(vault_asn))) == NULL ||
	    (f->packages = calloc(total + 1, sizeof(vault_asn_package))) == NULL ||
	    (f->parts = calloc(nparts + 1, sizeof(char *))) == NULL ||
	    (f->where = calloc(f->n + 1, sizeof(char *))) == NULL)
		abort();
	json_array_foreach(f->root, i, o) {
		vault_asn *a = &f->asns[i];
		char where[48];

		if (vault__fmt(where, sizeof(where), "item name", "%s %zu: ", what, i + 1) < 0)
			return VAULT_EINVALID;
		f->where[i] = vault__strdup(where);
		/* a cancellation names the notice it cancels, and why */
		if (json_is_object(o) && json_object_get(o, "cancels")) {
			if (json_unpack_ex(o, &jerr, JSON_STRICT, "{s:s, s?:s}", "cancels", &a->cancels,
					   "reason", &a->reason) < 0)
				return vault_error__set(VAULT_EINVALID, "%s%s", where, jerr.text);
			continue;
		}
		if (json_unpack_ex(o, &jerr, JSON_STRICT, "{s?:s, s:s, s:s, s?:s, s?:s, s:o, s?:s, s?:s}",
				   "asn", &a->asn, "po", &a->po, "ship_date", &a->ship_date,
				   "carrier", &a->carrier, "tracking", &a->tracking,
				   "packages", &pkgs, "replaces", &a->replaces,
				   "shipment", &a->shipment) < 0 ||
		    !json_is_array(pkgs))
			return vault_error__set(VAULT_EINVALID, "%s%s", where,
						jerr.text[0] ? jerr.text : "packages is not a list");
		if (a->shipment && !a->replaces)
			return vault_error__set(VAULT_EINVALID, "%sshipment names what a replacement "
						"replaces whole: it needs replaces", where);
		a->packages = &f->packages[used];
		json_array_foreach(pkgs, k, p) {
			vault_asn_package *pk = &f->packages[used++];
			json_int_t qty;
			json_t *part = NULL, *x;
			size_t j;

			if (json_unpack_ex(p, &jerr, JSON_STRICT, "{s:s, s:s, s:I, s?:o, s?:s}", "id",
					   &pk->id, "lot", &pk->lot, "qty", &qty, "part", &part,
					   "unit", &pk->unit) < 0 ||
			    qty < 1 || (uint64_t)qty > QTY_MAX)
				return vault_error__set(VAULT_EINVALID, "%spackage %zu: %s", where, k + 1,
					jerr.text[0] ? jerr.text : "qty must be a whole number from 1");
			pk->qty = (uint64_t)qty;
			pk->parts = &f->parts[nused];
			if (json_is_string(part))
				f->parts[nused++] = json_string_value(part);
			else if (part && !json_is_array(part))
				return vault_error__set(VAULT_EINVALID,
					"%spackage %zu: part is not a string or a list", where, k + 1);
			json_array_foreach(part, j, x) {
				if (!json_is_string(x))
					return vault_error__set(VAULT_EINVALID,
						"%spackage %zu: part %zu is not a string", where, k + 1,
						j + 1);
				f->parts[nused++] = json_string_value(x);
			}
			pk->nparts = (size_t)(&f->parts[nused] - pk->parts);
			a->npackages++;
		}
	}
	return 0;
}

static int parse_file(asn_file *f, const char **source, const char *data, size_t len,
		      size_t max_rows)
{
	json_error_t jerr;
	json_t *root;
	int error;

	memset(f, 0, sizeof(*f));
	if (vault_x12__is_x12(data, len)) {
		*source = "x12-856";
		if ((error = vault_x12__parse_856(&root, data, len)) < 0)
			return error;
		return from_json(f, root, "ship notice", max_rows);
	}
	*source = "qvault";
	{
		/* a file that is neither is said to be what it is, not a JSON error */
		size_t i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

		while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
				   data[i] == '\n'))
			i++;
		if (i == len)
			return vault_error__set(VAULT_EINVALID, "the file is empty");
		if (data[i] != '{' && data[i] != '[')
			return vault_error__set(VAULT_EINVALID,
				"the file is neither JSON nor an X12 interchange (it does not open with "
				"'{', '[' or ISA)");
	}
	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return vault_error__set(VAULT_EINVALID, "line %d: %s", jerr.line, jerr.text);
	return from_json(f, root, "ship notice", max_rows);
}

/*
 * A replacement of a shipment of several orders (an 856 with BSN01 05:
 * its notices are SHIPMENT+PO) replaces the shipment whole: a notice of
 * it in force that the file does not replace is cancelled in the same
 * commit, so the orders the partner left out are no longer counted as
 * shipped.  The cancellations are added to f, after its notices.
 */
/* notices SHIPMENT+PO of their PO, the supplier's (?2: a notice the file replaces) */
static const char SQL_SHIPMENT[] =
	"SELECT asn FROM asns WHERE asn >= ?1 || '+' AND asn < ?1 || ','"
	" AND asn = ?1 || '+' || po AND cancelled_at IS NULL"
	" AND supplier = (SELECT supplier FROM asns WHERE asn = ?2) ORDER BY asn";

/* Whether notice `asn` is in the index, and in force. */
static const char SQL_IN_FORCE[] = "SELECT 1 FROM asns WHERE asn = ?1 AND cancelled_at IS NULL";

static int in_force(int *yes, vault *v, const char *asn)
{
	sqlite3_stmt *st;
	int rc;

	if (vault_index__stmt(&st, v->index, SQL_IN_FORCE) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return index_error(v);
	*yes = rc == SQLITE_ROW;
	return 0;
}

/*
 * A replacement naming one order (an 856 05 of one PO keeps BSN02) of a
 * shipment that had several: no notice BSN02, but BSN02+PO in force.  It
 * replaces that one and, the shipment whole, cancels the others.
 */
static int one_order_of_several(asn_file *f, vault *v, vault_asn *a)
{
	char name[2 * VAULT_NAME_MAX + 2];
	int yes = 0, error;

	if (!a->replaces || a->shipment || !a->po || (a->asn && strcmp(a->asn, a->replaces) != 0))
		return 0;
	if ((error = in_force(&yes, v, a->replaces)) < 0 || yes)
		return error;
	/* else refused as before, there being no such notice */
	if (snprintf(name, sizeof(name), "%s+%s", a->replaces, a->po) >= (int)sizeof(name))
		return 0;
	if ((error = in_force(&yes, v, name)) < 0 || !yes)
		return error;
	json_array_append_new(f->named, json_string(name));
	a->shipment = a->replaces;
	a->replaces = json_string_value(json_array_get(f->named, json_array_size(f->named) - 1));
	if (a->asn)
		a->asn = a->replaces;
	return 0;
}

static int rest_of_shipments(asn_file *f, vault *v)
{
	size_t i, k, n = f->n;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, error;

	if ((f->left = json_array()) == NULL || (f->named = json_array()) == NULL)
		abort();
	for (i = 0; i < n; i++)
		if ((error = one_order_of_several(f, v, &f->asns[i])) < 0)
			return error;
	for (i = 0; i < n; i++) {
		const char *shipment = f->asns[i].shipment;

		if (!shipment)
			continue;
		for (k = 0; k < i && !(f->asns[k].shipment && strcmp(f->asns[k].shipment, shipment) == 0); k++)
			;
		if (k < i)
			continue; /* asked already */
		if (vault_index__stmt(&st, v->index, SQL_SHIPMENT) < 0)
			return index_error(v);
		sqlite3_bind_text(st, 1, shipment, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->asns[i].replaces, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *asn = (const char *)sqlite3_column_text(st, 0);

			for (k = 0; k < n && !(f->asns[k].replaces && strcmp(f->asns[k].replaces, asn) == 0); k++)
				;
			if (k == n)
				json_array_append_new(f->left, json_string(asn));
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return index_error(v);
	}
	if (json_array_size(f->left) == 0)
		return 0;
	if ((f->asns = realloc(f->asns, (n + json_array_size(f->left) + 1) * sizeof(vault_asn))) == NULL ||
	    (f->where = realloc(f->where, (n + json_array_size(f->left) + 1) * sizeof(char *))) == NULL)
		abort();
	for (k = 0; k < json_array_size(f->left); k++) {
		vault_asn *a = &f->asns[f->n];

		memset(a, 0, sizeof(*a));
		a->cancels = json_string_value(json_array_get(f->left, k));
		a->reason = "its shipment was replaced without this order";
		f->where[f->n++] = vault__strdup("the replaced shipment: ");
	}
	return 0;
}

int vault_asn_import_ack(size_t *count, char **ack997, vault *v, const char *path,
			 const vault_x12_ids *ids)
{
	const char *source = "qvault";
	asn_file f;
	char *data;
	size_t len, max_rows;
	int error;

	*count = 0;
	if (ack997)
		*ack997 = NULL;
	if ((ids && (error = vault_x12_ids_check(ids)) < 0) ||
	    (error = vault_input__max_rows(&max_rows, v)) < 0 ||
	    (error = vault_input__read(&data, &len, v, path)) < 0)
		return error;
	error = parse_file(&f, &source, data, len, max_rows);
	if (!error && f.n == 0)
		error = vault_error__set(VAULT_EINVALID, "the file has no ship notices");
	if (!error)
		error = rest_of_shipments(&f, v);
	if (!error && ack997 && vault_x12__is_x12(data, len))
		error = vault_x12__ack997_check(data, len, ids);
	if (!error && (error = add_asns(v, f.asns, f.n, f.n > 1 ? f.where : NULL, source,
					NULL, 0)) == 0)
		*count = f.n;
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	/* an X12 file is answered with its 997, whatever became of it */
	if (ack997 && vault_x12__is_x12(data, len)) {
		int rc = vault_x12__ack997(ack997, data, len, error, ids);

		if (error == 0)
			error = rc;
	}
	free(data);
	asn_file_dispose(&f);
	return error;
}

int vault_asn_import(size_t *count, vault *v, const char *path)
{
	return vault_asn_import_ack(count, NULL, v, path, NULL);
}

int vault_asn__parse(const char *data, size_t len)
{
	const char *source;
	asn_file f;
	size_t i;
	int error = parse_file(&f, &source, data, len, 0);

	for (i = 0; i < f.n && !error; i++)
		error = check_fields(&f.asns[i]);
	asn_file_dispose(&f);
	return error;
}

/* ---- receipts ------------------------------------------------------------ */

static const char SQL_ASN[] = "SELECT ship_date, cancelled_at IS NOT NULL FROM asns WHERE asn = ?1";
static const char SQL_ASN_LOTS[] =
	"SELECT lot, po, line, sum(qty) FROM asn_items WHERE asn = ?1 GROUP BY lot ORDER BY lot";

static int put_receipt(vault_txn *t, vault *v, const vault_receipt *r)
{
	sqlite3_stmt *st;
	json_t *items = json_array(), *root = NULL;
	char ship[16] = "", date[16], dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16];
	char when[VAULT_TIME_SIZE], *json = NULL;
	unsigned char *used = calloc(r->nitems + 1, 1);
	size_t i, len;
	int rc, cancelled, error = 0;

	if (!used)
		abort();
	vault_record__dir(dir, sizeof(dir), "asns", r->asn);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_RECEIPT_FILE, dir)) < 0)
		goto done;
	if (vault_index__stmt(&st, v->index, SQL_ASN) < 0) {
		error = index_error(v);
		goto done;
	}
	sqlite3_bind_text(st, 1, r->asn, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (error = vault__fmt(ship, sizeof(ship), "the ship date", "%s",
				sqlite3_column_text(st, 0))) < 0) {
		sqlite3_reset(st);
		goto done;
	}
	cancelled = rc == SQLITE_ROW && sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		error = rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND, "no ship notice '%s'",
							      r->asn) : index_error(v);
		goto done;
	}
	if (vault_store__has(v->store, t->root, path)) {
		error = vault_error__set(VAULT_EEXISTS, "ship notice '%s' was received already", r->asn);
		goto done;
	}
	if (cancelled) {
		error = vault_error__set(VAULT_EINVALID, "ship notice '%s' was cancelled: nothing to receive",
					 r->asn);
		goto done;
	}
	vault_time_format(when, sizeof(when), t->now);
	/* the day of a date, or of a time */
	if ((error = vault__fmt(date, sizeof(date), "date", "%.10s", r->date ? r->date : when)) < 0)
		goto done;
	if (strcmp(date, ship) < 0) {
		error = vault_error__set(VAULT_EINVALID, "received date %s is before the ship date %s of '%s'",
					 date, ship, r->asn);
		goto done;
	}
	if (vault_index__stmt(&st, v->index, SQL_ASN_LOTS) < 0) {
		error = index_error(v);
		goto done;
	}
	sqlite3_bind_text(st, 1, r->asn, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *lot = (const char *)sqlite3_column_text(st, 0);
		json_int_t shipped = sqlite3_column_int64(st, 3), received = shipped;

		for (i = 0; i < r->nitems; i++)
			if (strcmp(r->items[i].lot, lot) == 0) {
				received = (json_int_t)r->items[i].qty;
				used[i] = 1;
			}
		json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:I, s:I}", "lot", lot,
			"po", (const char *)sqlite3_column_text(st, 1), "line",
			(json_int_t)sqlite3_column_int64(st, 2), "shipped", shipped,
			"received", received));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		error = index_error(v);
		goto done;
	}
	for (i = 0; i < r->nitems; i++)
		if (!used[i]) {
			error = vault_error__set(VAULT_EINVALID, "lot '%s' is not in ship notice '%s'",
						 r->items[i].lot, r->asn);
			goto done;
		}
	root = json_pack("{s:s, s:i, s:s, s:s, s:O, s:s, s:s}", "record", "receipt", "format", 1,
			 "asn", r->asn, "received", date, "items", items,
			 "received_by", t->actor.name, "received_at", when);
	if (root && r->note)
		json_object_set_new(root, "note", json_string(r->note));
	if ((error = vault_record__dump(&json, &len, root)) == 0)
		error = vault__txn_put_data(t, v, path, json, len);
done:
	json_decref(items);
	free(json);
	free(used);
	return error;
}

static int check_receipt(const vault_receipt *r)
{
	size_t i, k;
	int error;

	if ((error = vault_name_check("ship notice number", r->asn)) < 0 ||
	    (r->date && (error = vault_record__date_check("received date", r->date)) < 0) ||
	    (r->note && (error = vault_record__text_check("note", r->note, NOTE_MAX)) < 0))
		return error;
	for (i = 0; i < r->nitems; i++) {
		if ((error = vault_name_check("lot", r->items[i].lot)) < 0)
			return error;
		if (r->items[i].qty > QTY_MAX)
			return vault_error__set(VAULT_EINVALID, "lot '%s': quantity over %llu",
						r->items[i].lot, QTY_MAX);
		for (k = 0; k < i; k++)
			if (strcmp(r->items[k].lot, r->items[i].lot) == 0)
				return vault_error__set(VAULT_EINVALID, "lot '%s' is given twice",
							r->items[i].lot);
	}
	return 0;
}

int vault_asn_receive(vault *v, const vault_receipt *receipts, size_t n)
{
	const char **names = calloc(n + 1, sizeof(char *));
	vault_buf message = VAULT_BUF_INIT;
	vault_txn t;
	size_t i, k;
	int error = 0;

	if (!names)
		abort();
	memset(&t, 0, sizeof(t));
	if (n == 0)
		error = vault_error__set(VAULT_EINVALID, "no receipt to record");
	for (i = 0; i < n && !error; i++) {
		if ((error = check_receipt(&receipts[i])) < 0 && n > 1)
			error = vault_error__set(error, "receipt %zu: %s", i + 1, vault_error_message());
		names[i] = receipts[i].asn;
	}
	if (!error && n > 1 && (k = repeated(names, n)) < n)
		error = vault_error__set(VAULT_EEXISTS, "receipt %zu: ship notice '%s' is given twice",
					 k + 1, names[k]);
	if (error < 0 || (error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
				     "receive shipments")) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++)
		if ((error = put_receipt(&t, v, &receipts[i])) < 0) {
			if (n > 1)
				error = vault_error__set(error, "receipt %zu: %s", i + 1, vault_error_message());
			goto done;
		}
	if (n == 1)
		error = vault_buf__addf(&message,
			 "asn receive %s\n\nQvault-Op: asn-receive\nQvault-ASN: %s\n", names[0], names[0]);
	else
		error = vault_buf__addf(&message,
			 "asn receive %zu ship notices\n\nQvault-Op: asn-receive\n", n);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
out:
	free(names);
	return error;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS_ASN[] =
	"INSERT INTO asns (asn, po, supplier, ship_date, carrier, tracking, source, warnings,"
	" created_by, created_at, commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_INS_ITEM[] =
	"INSERT INTO asn_items (asn, package, lot, po, line, part, qty)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_INS_RECEIPT[] =
	"INSERT INTO receipts (asn, received, note, received_by, received_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/* a lot given twice (only a forged receipt does) is refused before: SQL_RECEIPT_ITEM_ONCE */
static const char SQL_INS_RECEIPT_ITEM[] =
	"INSERT INTO receipt_items (asn, lot, po, line, shipped, received)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQL_UPD_ASN[] =
	"UPDATE asns SET po = ?2, supplier = ?3, ship_date = ?4, carrier = ?5, tracking = ?6,"
	" source = ?7, warnings = ?8, revision = ?12 WHERE asn = ?1 AND revision = ?12 - 1"
	" AND cancelled_at IS NULL";
static const char SQL_DEL_ITEMS[] = "DELETE FROM asn_items WHERE asn = ?1";
static const char SQL_CANCEL_ASN[] =
	"UPDATE asns SET cancelled_by = ?2, cancelled_at = ?3, cancel_reason = ?4"
	" WHERE asn = ?1 AND cancelled_at IS NULL";
static const char SQL_CANCEL_ITEMS[] = "UPDATE asn_items SET in_force = 0 WHERE asn = ?1";
static const char SQL_ASN_ONCE[] = "SELECT commit_id FROM asns WHERE asn = ?1";
static const char SQL_ITEM_ONCE[] =
	"SELECT a.commit_id FROM asn_items i JOIN asns a ON a.asn = i.asn"
	" WHERE i.asn = ?1 AND i.package = ?2 AND i.lot = ?3";
static const char SQL_RECEIPT_ONCE[] = "SELECT commit_id FROM receipts WHERE asn = ?1";
static const char SQL_RECEIPT_ITEM_ONCE[] =
	"SELECT r.commit_id FROM receipt_items i JOIN receipts r ON r.asn = i.asn"
	" WHERE i.asn = ?1 AND i.lot = ?2";

/* A ship notice, its package of a lot, a receipt, its item of a lot: each recorded once. */
static int once(vault_index *idx, const git_oid *commit, const char *path, const char *sql,
		const char *asn, const char *package, const char *lot)
{
	const char *keys[3];
	char what[3 * VAULT_NAME_MAX + 96];
	size_t n = 0;

	keys[n++] = asn;
	if (package)
		keys[n++] = package;
	if (lot)
		keys[n++] = lot;
	if (package)
		vault__fmt_message(what, sizeof(what), "package '%s' of lot '%s' of ship notice '%s'",
				   package, lot, asn);
	else if (lot)
		vault__fmt_message(what, sizeof(what), "lot '%s' of the receipt of ship notice '%s'",
				   lot, asn);
	else
		vault__fmt_message(what, sizeof(what), "%s of ship notice '%s'",
				   sql == SQL_RECEIPT_ONCE ? "the receipt" : "the record", asn);
	return vault_index__once(idx, commit, path, sql, keys, n, what);
}

static int step(vault_index *idx, sqlite3_stmt *st, const char *path)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s",
		path, sqlite3_errmsg(vault_index__db(idx)));
}

static int stmt(sqlite3_stmt **st, vault_index *idx, const char *sql)
{
	if (vault_index__stmt(st, idx, sql) < 0)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(idx)));
	return 0;
}

/*
 * A ship notice (revision 0, asn.json) or its replacement (revisions/
 * NNNNNN.json): the replacement takes the row of the notice it replaces
 * and its packages the place of the replaced ones.
 */
static int index_asn_record(vault_index *idx, const char *data, size_t len, const char *path,
			    const git_oid *commit, int replacement)
{
	sqlite3_stmt *st, *it;
	const char *kind, *asn, *po, *supplier, *ship, *source, *by, *at;
	const char *carrier = NULL, *tracking = NULL;
	json_t *root, *packages, *gaps = NULL, *p;
	json_int_t revision;
	char hex[41];
	size_t i;
	int error;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s?:s, s?:s, s?:o}",
				 "record", &kind, "asn", &asn, "po", &po, "supplier", &supplier,
				 "ship_date", &ship, "source", &source, "packages", &packages,
				 "created_by", &by, "created_at", &at, "carrier", &carrier,
				 "tracking", &tracking, "gaps", &gaps) < 0 ||
	    strcmp(kind, "asn") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the ship notice is malformed", path);
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	revision = json_integer_value(json_object_get(root, "revision"));
	if (replacement ? revision < 1 : json_object_get(root, "revision") != NULL) {
		error = vault_error__set(VAULT_EVERIFY, "%s: the ship notice's revision is malformed",
					 path);
		goto done;
	}
	if (replacement) {
		if ((error = stmt(&st, idx, SQL_UPD_ASN)) < 0)
			goto done;
		sqlite3_bind_int64(st, 12, revision);
	} else if ((error = once(idx, commit, path, SQL_ASN_ONCE, asn, NULL, NULL)) < 0 ||
		   (error = stmt(&st, idx, SQL_INS_ASN)) < 0) {
		goto done;
	}
	if ((error = stmt(&it, idx, SQL_INS_ITEM)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, po, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, supplier, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ship, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, carrier, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, tracking, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)json_array_size(gaps));
	if (!replacement) {
		sqlite3_bind_text(st, 9, by, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, vault_portal__time(at));
		sqlite3_bind_text(st, 11, hex, -1, SQLITE_STATIC);
	}
	if ((error = step(idx, st, path)) < 0)
		goto done;
	/* a replacement of no notice in force (forged: verify's check names
	 * it) changes nothing; else its packages take the replaced ones' place */
	if (replacement) {
		if (sqlite3_changes(vault_index__db(idx)) != 1)
			goto done;
		if ((error = stmt(&st, idx, SQL_DEL_ITEMS)) < 0)
			goto done;
		sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
		if ((error = step(idx, st, path)) < 0)
			goto done;
	}
	json_array_foreach(packages, i, p) {
		const char *id = json_string_value(json_object_get(p, "id"));
		const char *lot = json_string_value(json_object_get(p, "lot"));
		const char *part = json_string_value(json_object_get(p, "part"));

		if (!id || !lot || !part) {
			error = vault_error__set(VAULT_EVERIFY, "%s: package %zu is malformed", path, i + 1);
			break;
		}
		if ((error = once(idx, commit, path, SQL_ITEM_ONCE, asn, id, lot)) < 0)
			break;
		sqlite3_bind_text(it, 1, asn, -1, SQLITE_STATIC);
		sqlite3_bind_text(it, 2, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(it, 3, lot, -1, SQLITE_STATIC);
		sqlite3_bind_text(it, 4, po, -1, SQLITE_STATIC);
		sqlite3_bind_int64(it, 5, json_integer_value(json_object_get(p, "line")));
		sqlite3_bind_text(it, 6, part, -1, SQLITE_STATIC);
		sqlite3_bind_int64(it, 7, json_integer_value(json_object_get(p, "qty")));
		if ((error = step(idx, it, path)) < 0)
			break;
	}
done:
	json_decref(root);
	return error;
}

static int index_receipt_record(vault_index *idx, const char *data, size_t len, const char *path,
			 const git_oid *commit)
{
	sqlite3_stmt *st, *it;
	const char *kind, *asn, *received, *by, *at, *note = NULL;
	json_t *root, *items, *o;
	char hex[41];
	size_t i;
	int error;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:o, s:s, s:s, s?:s}", "record", &kind,
				 "asn", &asn, "received", &received, "items", &items,
				 "received_by", &by, "received_at", &at, "note", &note) < 0 ||
	    strcmp(kind, "receipt") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the receipt is malformed", path);
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	if ((error = once(idx, commit, path, SQL_RECEIPT_ONCE, asn, NULL, NULL)) < 0 ||
	    (error = stmt(&it, idx, SQL_INS_RECEIPT_ITEM)) < 0 ||
	    (error = stmt(&st, idx, SQL_INS_RECEIPT)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, received, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, vault_portal__time(at));
	sqlite3_bind_text(st, 6, hex, -1, SQLITE_STATIC);
	if ((error = step(idx, st, path)) < 0)
		goto done;
	json_array_foreach(items, i, o) {
		const char *lot = json_string_value(json_object_get(o, "lot"));
		const char *po = json_string_value(json_object_get(o, "po"));

		if (!lot || !po) {
			error = vault_error__set(VAULT_EVERIFY, "%s: item %zu is malformed", path, i + 1);
			break;
		}
		if ((error = once(idx, commit, path, SQL_RECEIPT_ITEM_ONCE, asn, NULL, lot)) < 0)
			break;
		sqlite3_bind_text(it, 1, asn, -1, SQLITE_STATIC);
		sqlite3_bind_text(it, 2, lot, -1, SQLITE_STATIC);
		sqlite3_bind_text(it, 3, po, -1, SQLITE_STATIC);
		sqlite3_bind_int64(it, 4, json_integer_value(json_object_get(o, "line")));
		sqlite3_bind_int64(it, 5, json_integer_value(json_object_get(o, "shipped")));
		sqlite3_bind_int64(it, 6, json_integer_value(json_object_get(o, "received")));
		if ((error = step(idx, it, path)) < 0)
			break;
	}
done:
	json_decref(root);
	return error;
}

/* Line `n` of PO revision `rec`, or NULL. */
static const json_t *line_of(const json_t *rec, json_int_t n)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(rec, "lines"), i, l)
		if (json_integer_value(json_object_get(l, "line")) == n)
			return l;
	return NULL;
}

/* The state of line `n` in PO revision `rec` (open when it has none); NULL if no such line. */
static const char *line_state(const json_t *rec, json_int_t n)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(rec, "lines"), i, l)
		if (json_integer_value(json_object_get(l, "line")) == n)
			return json_string_value(json_object_get(l, "state")) ?
				json_string_value(json_object_get(l, "state")) : "open";
	return NULL;
}

/* What notice `asn` ships of `lot`: the quantity (0: not listed) and its line. */
static uint64_t notice_ships(json_int_t *line, const json_t *asn, const char *lot)
{
	uint64_t qty = 0;
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(asn, "packages"), i, p)
		if (strcmp(vault_rules__str(p, "lot"), lot) == 0) {
			json_int_t q = json_integer_value(json_object_get(p, "qty"));

			*line = json_integer_value(json_object_get(p, "line"));
			qty += q > 0 && (uint64_t)q <= QTY_MAX ? (uint64_t)q : 0;
		}
	return qty;
}

/* Item `o` of a receipt, well-formed: lot, PO, line, shipped, received. */
static int item_whole(const json_t *o)
{
	json_int_t got = json_integer_value(json_object_get(o, "received"));

	return json_is_object(o) && json_object_size(o) == 5 &&
	       vault_name_check("lot", vault_rules__str(o, "lot")) == 0 &&
	       json_is_string(json_object_get(o, "po")) &&
	       json_is_integer(json_object_get(o, "line")) &&
	       json_is_integer(json_object_get(o, "shipped")) &&
	       json_is_integer(json_object_get(o, "received")) && got >= 0 &&
	       (uint64_t)got <= QTY_MAX;
}

/*
 * A receipt against the notice `asn` it receives, as put_receipt writes
 * one: its fields well-formed, received on or after the ship date, each
 * lot of the notice once (no other), with the notice's PO, line and
 * quantity shipped, and a quantity received from 0 to QTY_MAX.
 */
static void check_receipt_items(const vault_change_ctx *c, const char *path, const json_t *rec,
				const json_t *asn)
{
	const json_t *items = json_object_get(rec, "items"), *note = json_object_get(rec, "note");
	const char *date = vault_rules__str(rec, "received"), *ship = vault_rules__str(asn, "ship_date");
	const char *id = vault_rules__str(asn, "asn");
	json_t *o, *p;
	size_t i, k;

	if (json_integer_value(json_object_get(rec, "format")) != 1 || !json_is_array(items) ||
	    json_object_size(rec) != (size_t)(note ? 8 : 7) ||
	    vault_record__date_check("received date", date) < 0 ||
	    (note && vault_record__text_check("note", vault_rules__str(rec, "note"), NOTE_MAX) < 0)) {
		c->found(c, path, "the receipt is malformed");
		return;
	}
	if (strcmp(date, ship) < 0)
		c->found(c, path, "the receipt's date %s is before the ship date %s of '%s'", date,
			 ship, id);
	json_array_foreach(items, i, o) {
		const char *lot = vault_rules__str(o, "lot");
		json_int_t line = 0;
		uint64_t ships;

		if (!item_whole(o)) {
			c->found(c, path, "item %zu of the receipt is malformed", i + 1);
			continue;
		}
		for (k = 0; k < i; k++)
			if (strcmp(vault_rules__str(json_array_get(items, k), "lot"), lot) == 0)
				break;
		if (k < i) {
			c->found(c, path, "the receipt gives lot '%s' twice", lot);
			continue;
		}
		if ((ships = notice_ships(&line, asn, lot)) == 0) {
			c->found(c, path, "the receipt names lot '%s', which ship notice '%s' does not list",
				 lot, id);
			continue;
		}
		if (strcmp(vault_rules__str(o, "po"), vault_rules__str(asn, "po")) != 0 ||
		    json_integer_value(json_object_get(o, "line")) != line ||
		    (uint64_t)json_integer_value(json_object_get(o, "shipped")) != ships)
			c->found(c, path, "the receipt's lot '%s' is not what ship notice '%s' lists"
				 " (PO '%s' line %lld, %llu shipped)", lot, id,
				 vault_rules__str(asn, "po"), (long long)line, (unsigned long long)ships);
	}
	json_array_foreach(json_object_get(asn, "packages"), i, p) {
		const char *lot = vault_rules__str(p, "lot");

		json_array_foreach(items, k, o)
			if (strcmp(vault_rules__str(o, "lot"), lot) == 0)
				break;
		if (k == json_array_size(items))
			c->found(c, path, "the receipt leaves out lot '%s' of ship notice '%s'", lot, id);
	}
}

int vault_asn__in_force(json_t **rec, unsigned *seq, int *cancelled, vault_store *store,
			const git_tree *tree, const char *asn)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], *data = NULL;
	git_tree_entry *te = NULL;
	git_tree *revisions = NULL;
	size_t n, len;
	int error;

	*rec = NULL;
	*seq = 0;
	*cancelled = 0;
	vault_record__dir(dir, sizeof(dir), "asns", asn);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_REVISIONS_DIR, dir)) < 0)
		return error;
	/* git keeps a tree's entries sorted by name: NNNNNN.json by number */
	if (git_tree_entry_bypath(&te, tree, path) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&revisions, git_tree_owner(tree), git_tree_entry_id(te)) == 0 &&
	    (n = git_tree_entrycount(revisions)) > 0) {
		const char *name = git_tree_entry_name(git_tree_entry_byindex(revisions, n - 1));

		*seq = (unsigned)strtoul(name, NULL, 10);
		error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_REVISIONS_DIR "/%s",
				   dir, name);
	} else {
		error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_FILE, dir);
	}
	git_tree_free(revisions);
	git_tree_entry_free(te);
	if (error < 0)
		return error;
	if (vault_store__read_path(&data, &len, store, tree, path) < 0)
		return vault_error__set(VAULT_ENOTFOUND, "no ship notice '%s'", asn);
	*rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	free(data);
	if (!json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		return vault_error__set(VAULT_EVERIFY, "'%s' is malformed", path);
	}
	if (vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_CANCEL_FILE, dir) == 0)
		*cancelled = vault_rules__has(store, tree, path);
	return 0;
}

/* A notice's packages: lots of its PO recorded before, lines still open. */
static void check_notice_packages(const vault_change_ctx *c, const char *path, const json_t *rec)
{
	json_t *latest = NULL, *p;
	unsigned seq;
	size_t i;

	if (vault_po__latest(&latest, &seq, c->store, c->before, vault_rules__str(rec, "po")) < 0)
		latest = NULL;
	json_array_foreach(json_object_get(rec, "packages"), i, p) {
		json_t *lot = vault_rules__keyed(c, c->before, "lots", vault_rules__str(p, "lot"), "lot.json");
		const char *state = line_state(latest, json_integer_value(json_object_get(p, "line")));
		const json_t *sent = json_object_get(p, "sent");
		const json_t *ol = line_of(latest, json_integer_value(json_object_get(p, "line")));

		/* a change order may have ended the line: nothing more is to come on it */
		if (state && strcmp(state, "open") != 0)
			c->found(c, path, "the ship notice ships against line %lld of PO '%s', which is %s",
				 (long long)json_integer_value(json_object_get(p, "line")),
				 vault_rules__str(rec, "po"), state);

		if (!lot)
			c->found(c, path, "the ship notice names lot '%s', not recorded before it",
			      vault_rules__str(p, "lot"));
		else if (strcmp(vault_rules__str(lot, "po"), vault_rules__str(rec, "po")) != 0)
			c->found(c, path, "the ship notice ships lot '%s' of PO '%s' against PO '%s'",
			      vault_rules__str(p, "lot"), vault_rules__str(lot, "po"), vault_rules__str(rec, "po"));
		else if (strcmp(vault_rules__str(p, "part"), vault_rules__str(lot, "part")) != 0)
			c->found(c, path, "package %zu: part '%s' is not lot '%s''s part '%s'", i + 1,
				 vault_rules__str(p, "part"), vault_rules__str(p, "lot"),
				 vault_rules__str(lot, "part"));
		/* what it ships counts on the PO line of the lot's part (the index sums by line) */
		else if (latest && (!ol || strcmp(vault_rules__str(ol, "part"),
						  vault_rules__str(lot, "part")) != 0))
			c->found(c, path, "package %zu: line %lld of PO '%s' is not a line of lot '%s''s "
				 "part '%s'", i + 1, (long long)json_integer_value(json_object_get(p, "line")),
				 vault_rules__str(rec, "po"), vault_rules__str(p, "lot"),
				 vault_rules__str(lot, "part"));
		json_decref(lot);
		/* sent in packs: as many of the line's unit as its pack size says */
		if (sent) {
			const json_t *l = line_of(latest, json_integer_value(json_object_get(p, "line")));
			json_int_t size = json_integer_value(json_object_get(l, "pack_size"));
			json_int_t packs = json_integer_value(json_object_get(sent, "qty"));

			if (!l || size < 2 || packs < 1 || json_object_size(sent) != 2 ||
			    strcmp(vault_rules__str(sent, "unit"), vault_rules__str(l, "pack_unit")) != 0 ||
			    packs > (json_int_t)QTY_MAX / size ||
			    packs * size != json_integer_value(json_object_get(p, "qty")))
				c->found(c, path, "package %zu: %lld %s is not %lld of line %lld's unit",
					 i + 1, (long long)packs, vault_rules__str(sent, "unit"),
					 (long long)json_integer_value(json_object_get(p, "qty")),
					 (long long)json_integer_value(json_object_get(p, "line")));
		}
	}
	json_decref(latest);
}

/* Whether `tree` holds the receipt of notice `asn`. */
static int received_in(vault_store *s, const git_tree *tree, const char *asn)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16];

	vault_record__dir(dir, sizeof(dir), "asns", asn);
	return vault__fmt(path, sizeof(path), "path", "%s/" VAULT_RECEIPT_FILE, dir) == 0 &&
	       vault_rules__has(s, tree, path);
}

/* Whether `tree` holds the cancellation of notice `asn`. */
static int cancelled_in(vault_store *s, const git_tree *tree, const char *asn)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16];

	vault_record__dir(dir, sizeof(dir), "asns", asn);
	return vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ASN_CANCEL_FILE, dir) == 0 &&
	       vault_rules__has(s, tree, path);
}

/*
 * asns/<h>/<h>/<ASN>/revisions/NNNNNN.json: the notice's supplier
 * replaces the notice in force (the revision before, not cancelled, not
 * received) by a whole new one of the same PO.
 */
static void check_asn_revision(const vault_change_ctx *c, const char *path)
{
	char parts[7][VAULT_NAME_MAX + 1], want[16];
	json_t *rec = NULL, *was = NULL;
	unsigned seq = 0;
	int cancelled = 0;
	size_t n = vault_rules__split(parts, 6, path);

	if (n != 6 || !vault_rules__fanned(path, "asns", parts[3]) ||
	    strcmp(parts[4], VAULT_ASN_REVISIONS_DIR) != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "asn") != 0 ||
	    strcmp(vault_rules__str(rec, "asn"), parts[3]) != 0) {
		c->found(c, path, "the ship notice is malformed or stored where another belongs");
		goto done;
	}
	vault_rules__signed_as(c, path, vault_rules__str(rec, "created_by"),
			       vault_rules__str(rec, "supplier"), vault_rules__str(rec, "created_at"));
	if (vault_asn__in_force(&was, &seq, &cancelled, c->store, c->before, parts[3]) < 0) {
		c->found(c, path, "replaces ship notice '%s', not recorded before it", parts[3]);
		goto done;
	}
	if (vault__fmt(want, sizeof(want), "name", "%06u.json", seq + 1) < 0 ||
	    strcmp(parts[5], want) != 0 ||
	    json_integer_value(json_object_get(rec, "revision")) != (json_int_t)seq + 1)
		c->found(c, path, "the replacement of ship notice '%s' is not its revision %u",
			 parts[3], seq + 1);
	if (cancelled)
		c->found(c, path, "replaces ship notice '%s', which was cancelled", parts[3]);
	else if (cancelled_in(c->store, c->tree, parts[3]))
		/* both would undo the notice before (the ledger, twice) */
		c->found(c, path, "replaces ship notice '%s' in the commit that cancels it", parts[3]);
	if (received_in(c->store, c->before, parts[3]))
		c->found(c, path, "replaces ship notice '%s', which was received", parts[3]);
	if (strcmp(vault_rules__str(was, "supplier"), vault_rules__str(rec, "supplier")) != 0 ||
	    strcmp(vault_rules__str(was, "po"), vault_rules__str(rec, "po")) != 0)
		c->found(c, path, "the replacement of ship notice '%s' names another supplier or PO",
			 parts[3]);
	check_notice_packages(c, path, rec);
done:
	json_decref(was);
	json_decref(rec);
}

/*
 * asns/<h>/<h>/<ASN>/cancel.json: the notice's supplier or a buyer
 * cancels a notice recorded before and not received.
 */
static void check_asn_cancel(const vault_change_ctx *c, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *was = NULL;
	const json_t *reason;
	unsigned seq = 0;
	int cancelled = 0;
	size_t n = vault_rules__split(parts, 5, path);

	if (n != 5 || !vault_rules__fanned(path, "asns", parts[3]) ||
	    strcmp(parts[4], VAULT_ASN_CANCEL_FILE) != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	reason = json_object_get(rec, "reason");
	if (!rec || strcmp(vault_rules__str(rec, "record"), "asn-cancel") != 0 ||
	    strcmp(vault_rules__str(rec, "asn"), parts[3]) != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    json_object_size(rec) != (size_t)(reason ? 6 : 5) ||
	    (reason && vault_record__text_check("reason", vault_rules__str(rec, "reason"),
						NOTE_MAX) < 0)) {
		c->found(c, path, "the cancellation is malformed or stored where another belongs");
		goto done;
	}
	vault_rules__signed_as(c, path, vault_rules__str(rec, "cancelled_by"), NULL,
			       vault_rules__str(rec, "cancelled_at"));
	if (vault_asn__in_force(&was, &seq, &cancelled, c->store, c->before, parts[3]) < 0) {
		c->found(c, path, "cancels ship notice '%s', not recorded before it", parts[3]);
		goto done;
	}
	if (received_in(c->store, c->before, parts[3]))
		c->found(c, path, "cancels ship notice '%s', which was received", parts[3]);
	/* a supplier cancels its own organization's notices only */
	if (c->who && vault_user__scope(c->who) &&
	    strcmp(c->who->org, vault_rules__str(was, "supplier")) != 0)
		c->found(c, path, "'%s' of '%s' cancels ship notice '%s' of '%s'", c->who->name,
			 c->who->org, parts[3], vault_rules__str(was, "supplier"));
done:
	json_decref(was);
	json_decref(rec);
}

/*
 * asns/<h>/<h>/<ASN>/asn.json: a supplier ships its own organization's
 * lots of its own PO; receipt.json: a buyer or quality receives a ship
 * notice recorded before, each of its lots and no other.
 */
static void check_asn(const vault_change_ctx *c, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *po = NULL;
	unsigned seq;
	int cancelled;
	size_t n = vault_rules__split(parts, 5, path);

	if (n != 5 || !vault_rules__fanned(path, "asns", parts[3]) ||
	    (strcmp(parts[4], VAULT_ASN_FILE) != 0 && strcmp(parts[4], VAULT_RECEIPT_FILE) != 0)) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (strcmp(parts[4], VAULT_RECEIPT_FILE) == 0) {
		json_t *asn;

		if (!rec || strcmp(vault_rules__str(rec, "record"), "receipt") != 0 ||
		    strcmp(vault_rules__str(rec, "asn"), parts[3]) != 0)
			c->found(c, path, "the receipt is malformed or stored where another belongs");
		else
			vault_rules__signed_as(c, path, vault_rules__str(rec, "received_by"), NULL, vault_rules__str(rec, "received_at"));
		if (vault_asn__in_force(&asn, &seq, &cancelled, c->store, c->before, parts[3]) < 0)
			c->found(c, path, "ship notice '%s' was not recorded before its receipt",
			      parts[3]);
		else if (cancelled)
			c->found(c, path, "receives ship notice '%s', which was cancelled", parts[3]);
		else if (rec && strcmp(vault_rules__str(rec, "record"), "receipt") == 0)
			check_receipt_items(c, path, rec, asn);
		json_decref(asn);
		goto done;
	}
	if (!rec || strcmp(vault_rules__str(rec, "record"), "asn") != 0 ||
	    strcmp(vault_rules__str(rec, "asn"), parts[3]) != 0) {
		c->found(c, path, "the ship notice is malformed or stored where another belongs");
		goto done;
	}
	vault_rules__signed_as(c, path, vault_rules__str(rec, "created_by"), vault_rules__str(rec, "supplier"),
		  vault_rules__str(rec, "created_at"));
	if ((po = vault_rules__keyed(c, c->before, "pos", vault_rules__str(rec, "po"), "po.json")) == NULL) {
		c->found(c, path, "the ship notice's PO '%s' was not recorded before it",
		      vault_rules__str(rec, "po"));
		goto done;
	}
	if (strcmp(vault_rules__str(po, "supplier"), vault_rules__str(rec, "supplier")) != 0)
		c->found(c, path, "the ship notice names supplier '%s', its PO '%s' another",
		      vault_rules__str(rec, "supplier"), vault_rules__str(rec, "po"));
	if (json_object_get(rec, "revision"))
		c->found(c, path, "the ship notice's first record names a revision");
	check_notice_packages(c, path, rec);
done:
	json_decref(rec);
	json_decref(po);
}

static int index_asn(const vault_kind_file *f)
{
	return index_asn_record(f->idx, f->data, f->len, f->path, f->commit, 0);
}

static int index_asn_revision(const vault_kind_file *f)
{
	return index_asn_record(f->idx, f->data, f->len, f->path, f->commit, 1);
}

static int index_asn_cancel(const vault_kind_file *f)
{
	sqlite3_stmt *st;
	const char *kind, *asn, *by, *at, *reason = NULL;
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	int error;

	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:s, s?:s}", "record", &kind, "asn", &asn,
				 "cancelled_by", &by, "cancelled_at", &at, "reason", &reason) < 0 ||
	    strcmp(kind, "asn-cancel") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the cancellation is malformed", f->path);
	}
	if ((error = stmt(&st, f->idx, SQL_CANCEL_ASN)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, vault_portal__time(at));
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	/* a cancellation of no notice in force (forged: verify's check names
	 * it) changes nothing */
	if ((error = step(f->idx, st, f->path)) < 0 ||
	    sqlite3_changes(vault_index__db(f->idx)) != 1 ||
	    (error = stmt(&st, f->idx, SQL_CANCEL_ITEMS)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	error = step(f->idx, st, f->path);
done:
	json_decref(root);
	return error;
}

static int index_receipt(const vault_kind_file *f)
{
	return index_receipt_record(f->idx, f->data, f->len, f->path, f->commit);
}

const vault_kind vault_kind_asn = {
	.name = "ship notice",
	.shape = "asns/HH/HH/ASN/" VAULT_ASN_FILE,
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "send ship notices",
	.ops = "asn-add asn-import",
	.made_by = "asn-add",
	.index = index_asn,
	.check = check_asn,
	.tables = "asns asn_items",
};
const vault_kind vault_kind_asn_revision = {
	.name = "ship notice replacement",
	.shape = "asns/HH/HH/ASN/" VAULT_ASN_REVISIONS_DIR "/*.json",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "replace ship notices",
	.ops = "asn-replace asn-import",
	.made_by = "asn-replace",
	.index = index_asn_revision,
	.check = check_asn_revision,
};
const vault_kind vault_kind_asn_cancel = {
	.name = "ship notice cancellation",
	.shape = "asns/HH/HH/ASN/" VAULT_ASN_CANCEL_FILE,
	.roles = VAULT_ROLE_SUPPLIER | VAULT_ROLE_BUYER,
	.act = "cancel ship notices",
	.ops = "asn-cancel asn-import",
	.made_by = "asn-cancel",
	.index = index_asn_cancel,
	.check = check_asn_cancel,
};
const vault_kind vault_kind_receipt = {
	.name = "receipt",
	.shape = "asns/HH/HH/ASN/" VAULT_RECEIPT_FILE,
	.roles = VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
	.act = "receive shipments",
	.ops = "asn-receive",
	.made_by = "asn-receive",
	.index = index_receipt,
	.check = check_asn,
	.tables = "receipts receipt_items",
};
