/*
 * orders.c - where a supplier's orders stand, read from the index: the
 * POs (what was ordered, promised, shipped and received, open or closed)
 * and the ship notices (their lots, packages and receipt), for
 * `po list|show` and `asn list|show` and the API's routes of the same.
 *
 * Each answer is JSON text, the same for every front end, so that one
 * JSON Schema (schemas/portal-output.schema.json) describes them all.
 * Every query is driven by an index (pos_supplier, asns_po,
 * asns_supplier and the (po, line) indexes of the answers): a supplier's
 * list costs what its own POs cost, whatever the vault holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "exists.h"
#include "portal.h"
#include "util.h"

#define ISO_TIME(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"

/* Latest first: a later acknowledgment replaces an earlier one's promise. */
#define LATEST_ACK "ORDER BY a.seq DESC, a.signed_at DESC, a.signed_by DESC LIMIT 1"

static int index_error(vault *v)
{
	return vault_error__set(VAULT_ERROR, "index: %s",
				sqlite3_errmsg(vault_index__db(v->index)));
}

/*
 * Run `sql` with text parameters ?1 and ?2 (NULL binds NULL), and, when it
 * has them, ?3 the number of rows to skip and ?4 how many to give (-1:
 * all); each row becomes an object of `names` (one per column,
 * NULL-terminated) in a new list: integers stay integers, NULLs are left out.
 */
static int json_rows_from(json_t **out, vault *v, const char *sql, const char *const *names,
			  const char *p1, const char *p2, sqlite3_int64 skip, sqlite3_int64 limit)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	json_t *list;
	int rc, c;

	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return index_error(v);
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 4) {
		sqlite3_bind_int64(st, 3, skip);
		sqlite3_bind_int64(st, 4, limit);
	}
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (c = 0; names[c]; c++)
			if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
				json_object_set_new(o, names[c],
						    json_integer(sqlite3_column_int64(st, c)));
			else if (sqlite3_column_type(st, c) != SQLITE_NULL)
				json_object_set_new(o, names[c], json_string(
					(const char *)sqlite3_column_text(st, c)));
		json_array_append_new(list, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return index_error(v);
	}
	*out = list;
	return 0;
}

static int json_rows(json_t **out, vault *v, const char *sql, const char *const *names,
		     const char *p1, const char *p2)
{
	return json_rows_from(out, v, sql, names, p1, p2, 0, -1);
}

/* The first row of json_rows, or VAULT_ENOTFOUND with `what` 'name'. */
static int json_row(json_t **out, vault *v, const char *sql, const char *const *names,
		    const char *p1, const char *what)
{
	json_t *list;
	int error;

	*out = NULL;
	if ((error = json_rows(&list, v, sql, names, p1, NULL)) < 0)
		return error;
	if (json_array_size(list) == 0)
		error = vault_error__set(VAULT_ENOTFOUND, "no %s '%s'", what, p1);
	else
		*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	return error;
}

/* Take `j` over and write it as the answer's text. */
static int dump(char **out, json_t *j, const char *what)
{
	*out = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(j);
	return *out ? 0 : vault_error__set(VAULT_ERROR, "cannot write the %s", what);
}

/*
 * The organization whose records the list may hold: the supplier's own
 * (naming another is refused, whether or not it exists), or `org` (NULL:
 * every one) for the buying side, an organization the vault knows.
 * *own is the viewer's, the caller's to free.
 */
static int list_scope(const char **scope, char **own, vault *v, const char *org,
		      const char *what)
{
	int error;

	*scope = NULL;
	if ((org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(own, v)) < 0)
		return error;
	if (*own && org && strcmp(*own, org) != 0)
		return vault_error__set(VAULT_EDENIED,
					"a supplier sees only its own organization's %s", what);
	if (!*own && org && (error = vault__org_exists(v, org)) < 0)
		return error;
	*scope = *own ? *own : org;
	return 0;
}

/*
 * A record of supplier `owner` is, to a supplier of another organization,
 * none: VAULT_ENOTFOUND "no WHAT 'NAME'", as if it were not there.
 */
static int may_see(vault *v, const char *owner, const char *what, const char *name)
{
	char *org = NULL;
	int error;

	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	if (org && (!owner || strcmp(org, owner) != 0))
		error = vault_error__set(VAULT_ENOTFOUND, "no %s '%s'", what, name);
	free(org);
	return error;
}

/* ---- POs ------------------------------------------------------------------ */

/* One row a PO: ?1 its supplier (NULL: any), ?2 non-NULL: open ones only. */
#define PO_SUMMARY(where) \
	"SELECT * FROM (SELECT p.po AS po, p.supplier, p.created_by, " ISO_TIME("p.created_at") "," \
	" (SELECT count(*) FROM po_lines l WHERE l.po = p.po)," \
	" (SELECT coalesce(sum(l.qty), 0) FROM po_lines l WHERE l.po = p.po" \
	"  AND l.state <> 'cancelled')," \
	" (SELECT coalesce(sum(i.qty), 0) FROM asn_items i WHERE i.po = p.po AND i.in_force)," \
	" (SELECT coalesce(sum(r.received), 0) FROM receipt_items r WHERE r.po = p.po)," \
	" (SELECT min(l.due) FROM po_lines l WHERE l.po = p.po AND l.state <> 'cancelled')," \
	" (SELECT a.promise FROM po_acks a WHERE a.po = p.po AND a.promise IS NOT NULL " LATEST_ACK ")," \
	/* answered: of its latest revision only (a change order asks for a new answer) */ \
	" (SELECT a.decision FROM po_acks a WHERE a.po = p.po AND a.revision =" \
	"  (SELECT coalesce(max(c.seq), 0) FROM po_changes c WHERE c.po = p.po) " LATEST_ACK ")," \
	" (SELECT coalesce(max(c.seq), 0) FROM po_changes c WHERE c.po = p.po)," \
	" CASE WHEN NOT EXISTS (SELECT 1 FROM po_lines l WHERE l.po = p.po AND l.state <> 'cancelled')" \
	"  THEN 'cancelled' WHEN EXISTS (SELECT 1 FROM po_lines l WHERE l.po = p.po" \
	"  AND l.state = 'open' AND l.qty > (SELECT coalesce(sum(r.received), 0)" \
	"  FROM receipt_items r WHERE r.po = l.po AND r.line = l.line))" \
	"  THEN 'open' ELSE 'closed' END AS state" \
	" FROM pos p " where ") WHERE ?2 IS NULL OR state = 'open' ORDER BY po"

static const char *const po_summary_cols[] = { "po", "supplier", "created_by", "created_at",
	"lines", "qty", "shipped", "received", "due", "promised", "acknowledged", "revision", "state",
	NULL };

/* two statements, so that one supplier's list reads pos_supplier */
static const char po_list_by_supplier[] = PO_SUMMARY("WHERE p.supplier = ?1");
static const char po_list_every[] = PO_SUMMARY("WHERE ?1 IS NULL");

const char *vault_orders__po_list_sql(int one_supplier)
{
	return one_supplier ? po_list_by_supplier : po_list_every;
}

/*
 * One page of the list, the rows of its POs alone made: the POs in scope
 * (?1, NULL: all) by number, ?3 skipped, ?4 taken, before any is summed.
 */
static const char po_page_sql[] = PO_SUMMARY(
	"WHERE p.po IN (SELECT po FROM pos WHERE ?1 IS NULL UNION ALL"
	" SELECT po FROM pos WHERE supplier = ?1 ORDER BY po LIMIT ?4 OFFSET ?3)");
static const char po_count_sql[] =
	"SELECT (SELECT count(*) FROM pos WHERE ?1 IS NULL) +"
	" (SELECT count(*) FROM pos WHERE supplier = ?1)";

int vault_po_list_page(char **out, size_t *total, vault *v, size_t skip, size_t take)
{
	sqlite3_stmt *st = NULL;
	const char *scope;
	char *own = NULL;
	json_t *list;
	int error;

	*out = NULL;
	*total = 0;
	if ((error = list_scope(&scope, &own, v, NULL, "POs")) < 0)
		goto done;
	if (sqlite3_prepare_v2(vault_index__db(v->index), po_count_sql, -1, &st, NULL) != SQLITE_OK) {
		error = index_error(v);
		goto done;
	}
	sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		error = index_error(v);
		goto done;
	}
	*total = (size_t)sqlite3_column_int64(st, 0);
	if ((error = json_rows_from(&list, v, po_page_sql, po_summary_cols, scope, NULL,
				    (sqlite3_int64)skip, (sqlite3_int64)take)) == 0)
		error = dump(out, list, "list of POs");
done:
	sqlite3_finalize(st);
	free(own);
	return error;
}

int vault_po_list(char **out, vault *v, const char *supplier, int open_only)
{
	const char *scope;
	char *own = NULL;
	json_t *list;
	int error;

	*out = NULL;
	if ((error = list_scope(&scope, &own, v, supplier, "POs")) == 0 &&
	    (error = json_rows(&list, v, vault_orders__po_list_sql(scope != NULL),
			       po_summary_cols, scope, open_only ? "open" : NULL)) == 0)
		error = dump(out, list, "list of POs");
	free(own);
	return error;
}

/*
 * Each line of PO ?1 with where it stands: the latest acknowledgment
 * that applies to it (of the line, or of the whole PO), what ship notices
 * carried and receipts counted of it.
 */
#define LINE_ACK(col) "(SELECT a." col " FROM po_acks a WHERE a.po = l.po" \
	" AND (a.line = l.line OR a.line IS NULL) " LATEST_ACK ")"
static const char SQL_PO_LINES[] =
	"SELECT line, part, qty, doc, rev, due, decision, promise, promised_qty, shipped, received,"
	" CASE WHEN lstate <> 'open' THEN lstate WHEN received >= qty THEN 'closed' ELSE 'open' END,"
	" unit, pack_unit, pack_size, valid_from, valid_until,"
	" CASE WHEN valid_from IS NOT NULL THEN released END,"
	" CASE WHEN valid_from IS NOT NULL THEN max(qty - released, 0) END"
	" FROM (SELECT l.line AS line, l.part AS part, l.qty AS qty, l.doc AS doc, l.rev AS rev,"
	" l.due AS due, l.state AS lstate, l.unit AS unit, l.pack_unit AS pack_unit,"
	" l.pack_size AS pack_size, l.valid_from AS valid_from, l.valid_until AS valid_until,"
	" (SELECT coalesce(sum(x.qty), 0) FROM po_releases x WHERE x.po = l.po AND x.line = l.line)"
	"  AS released,"
	" " LINE_ACK("decision") " AS decision, " LINE_ACK("promise") " AS promise,"
	" (SELECT a.qty FROM po_acks a WHERE a.po = l.po AND a.line = l.line " LATEST_ACK ")"
	"  AS promised_qty,"
	" (SELECT coalesce(sum(i.qty), 0) FROM asn_items i WHERE i.po = l.po AND i.line = l.line"
	"  AND i.in_force)"
	"  AS shipped,"
	" (SELECT coalesce(sum(r.received), 0) FROM receipt_items r WHERE r.po = l.po"
	"  AND r.line = l.line) AS received"
	" FROM po_lines l WHERE l.po = ?1) ORDER BY line";
static const char *const po_line_cols[] = { "line", "part", "qty", "doc", "rev", "due",
	"acknowledged", "promised", "promised_qty", "shipped", "received", "state", "unit",
	"pack_unit", "pack_size", "valid_from", "valid_until", "released", "remaining", NULL };

/* The releases of PO ?1 against its blanket lines, each with its latest answer. */
#define RELEASE_ACK(col) "(SELECT a." col " FROM release_acks a WHERE a.po = r.po" \
	" AND a.release = r.release ORDER BY a.seq DESC, a.signed_at DESC, a.signed_by DESC LIMIT 1)"
static const char SQL_PO_RELEASES[] =
	"SELECT r.release, r.line, r.part, r.qty, r.due, r.released_by, " ISO_TIME("r.released_at")
	", " RELEASE_ACK("decision") ", " RELEASE_ACK("promise") ", " RELEASE_ACK("signed_by")
	" FROM po_releases r WHERE r.po = ?1 ORDER BY r.release";
static const char *const po_release_cols[] = { "release", "line", "part", "qty", "due",
	"released_by", "released_at", "acknowledged", "promised", "acknowledged_by", NULL };

static const char SQL_PO_ACKS[] =
	"SELECT seq, revision, line, decision, promise, qty, note, reason, signed_by, "
	ISO_TIME("signed_at") " FROM po_acks WHERE po = ?1 ORDER BY seq, signed_at, signed_by";
static const char *const po_ack_cols[] = { "seq", "revision", "line", "decision", "promise",
	"qty", "note", "reason", "signed_by", "signed_at", NULL };

/* The change orders of PO ?1: each revision after the first, and why */
static const char SQL_PO_CHANGES[] =
	"SELECT seq, reason, summary, changed_by, " ISO_TIME("changed_at")
	" FROM po_changes WHERE po = ?1 ORDER BY seq";
static const char *const po_change_cols[] = { "revision", "reason", "summary", "changed_by",
	"changed_at", NULL };

/* The latest status report of each line (line absent: of the whole PO). */
static const char SQL_PO_STATUS[] =
	"SELECT line, status, note, reported_by, " ISO_TIME("reported_at") ", max(seq)"
	" FROM po_status WHERE po = ?1 GROUP BY line ORDER BY line";
static const char *const po_status_cols[] = { "line", "status", "note", "reported_by",
	"reported_at", "seq", NULL };

/* PO `po` as the viewer may see it: its summary row (ENOTFOUND as absent). */
static int po_head(json_t **out, vault *v, const char *po)
{
	static const char sql[] = PO_SUMMARY("WHERE p.po = ?1");
	json_t *list;
	int error;

	*out = NULL;
	if ((error = vault_name_check("PO number", po)) < 0 ||
	    (error = json_rows(&list, v, sql, po_summary_cols, po, NULL)) < 0)
		return error;
	if (json_array_size(list) == 0)
		error = vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po);
	else if ((error = may_see(v, json_string_value(json_object_get(
				json_array_get(list, 0), "supplier")), "PO", po)) == 0)
		*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	return error;
}

int vault_po_show(char **out, vault *v, const char *po)
{
	json_t *root, *lines = NULL, *acks = NULL, *changes = NULL, *status = NULL, *rels = NULL;
	int error;

	*out = NULL;
	if ((error = po_head(&root, v, po)) < 0)
		return error;
	if ((error = json_rows(&lines, v, SQL_PO_LINES, po_line_cols, po, NULL)) < 0 ||
	    (error = json_rows(&acks, v, SQL_PO_ACKS, po_ack_cols, po, NULL)) < 0 ||
	    (error = json_rows(&changes, v, SQL_PO_CHANGES, po_change_cols, po, NULL)) < 0 ||
	    (error = json_rows(&status, v, SQL_PO_STATUS, po_status_cols, po, NULL)) < 0 ||
	    (error = json_rows(&rels, v, SQL_PO_RELEASES, po_release_cols, po, NULL)) < 0) {
		json_decref(status);
		json_decref(lines);
		json_decref(acks);
		json_decref(changes);
		json_decref(root);
		return error;
	}
	json_object_set_new(root, "lines", lines);
	json_object_set_new(root, "acknowledgments", acks);
	json_object_set_new(root, "changes", changes);
	json_object_set_new(root, "status", status);
	json_object_set_new(root, "releases", rels);
	return dump(out, root, "PO");
}

int vault_po_acks(char **out, vault *v, const char *po)
{
	json_t *head, *acks;
	int error;

	*out = NULL;
	if ((error = po_head(&head, v, po)) < 0)
		return error;
	json_decref(head);
	if ((error = json_rows(&acks, v, SQL_PO_ACKS, po_ack_cols, po, NULL)) < 0)
		return error;
	return dump(out, acks, "acknowledgments");
}

/* ---- ship notices ----------------------------------------------------------- */

/* One row a ship notice; `where` picks them (?1 a PO, ?2 a supplier). */
#define ASN_SUMMARY(where) \
	"SELECT a.asn, a.po, a.supplier, a.ship_date, a.carrier, a.tracking, a.source," \
	" (SELECT count(DISTINCT i.package) FROM asn_items i WHERE i.asn = a.asn)," \
	" (SELECT coalesce(sum(i.qty), 0) FROM asn_items i WHERE i.asn = a.asn)," \
	" (SELECT sum(ri.received) FROM receipt_items ri WHERE ri.asn = a.asn), r.received," \
	" CASE WHEN a.cancelled_at IS NOT NULL THEN 'cancelled'" \
	"  WHEN r.asn IS NULL THEN 'shipped' ELSE 'received' END" \
	" FROM asns a LEFT JOIN receipts r ON r.asn = a.asn " where " ORDER BY a.asn"

static const char *const asn_summary_cols[] = { "asn", "po", "supplier", "ship_date", "carrier",
	"tracking", "source", "packages", "qty", "received", "received_date", "state", NULL };

int vault_asn_list(char **out, vault *v, const char *po)
{
	/* one statement per index: asns_po, asns_supplier, or every notice */
	static const char of_po[] = ASN_SUMMARY("WHERE a.po = ?1 AND (?2 IS NULL OR a.supplier = ?2)");
	static const char of_supplier[] = ASN_SUMMARY("WHERE a.supplier = ?2");
	static const char every[] = ASN_SUMMARY("");
	json_t *head, *list;
	char *own = NULL;
	int error;

	*out = NULL;
	/* another organization's PO is, as a filter too, no PO */
	if (po) {
		if ((error = po_head(&head, v, po)) < 0)
			return error;
		json_decref(head);
	}
	if ((error = vault__viewer(&own, v)) < 0)
		return error;
	if ((error = json_rows(&list, v, po ? of_po : own ? of_supplier : every,
			       asn_summary_cols, po, own)) == 0)
		error = dump(out, list, "list of ship notices");
	free(own);
	return error;
}

static const char SQL_ASN[] =
	"SELECT a.asn, a.po, a.supplier, a.ship_date, a.carrier, a.tracking, a.source, a.warnings,"
	" a.created_by, " ISO_TIME("a.created_at") ", a.revision, a.cancelled_by,"
	" " ISO_TIME("a.cancelled_at") ", a.cancel_reason FROM asns a WHERE a.asn = ?1";
static const char *const asn_cols[] = { "asn", "po", "supplier", "ship_date", "carrier",
	"tracking", "source", "warnings", "created_by", "created_at", "revision", "cancelled_by",
	"cancelled_at", "cancel_reason", NULL };

static const char SQL_ASN_PACKAGES[] =
	"SELECT package, lot, qty FROM asn_items WHERE asn = ?1 ORDER BY package, lot";
static const char *const asn_package_cols[] = { "package", "lot", "qty", NULL };

/* a lot may sit in several packages: shipped is their sum, received is per lot */
static const char SQL_ASN_LOTS[] =
	"SELECT i.lot, i.line, i.part, sum(i.qty),"
	" (SELECT ri.received FROM receipt_items ri WHERE ri.asn = i.asn AND ri.lot = i.lot)"
	" FROM asn_items i WHERE i.asn = ?1 GROUP BY i.lot ORDER BY i.lot";
static const char *const asn_lot_cols[] = { "lot", "line", "part", "shipped", "received", NULL };

static const char SQL_RECEIPT[] =
	"SELECT received, note, received_by, " ISO_TIME("received_at")
	" FROM receipts WHERE asn = ?1";
static const char *const receipt_cols[] = { "date", "note", "received_by", "received_at", NULL };

int vault_asn_show(char **out, vault *v, const char *asn)
{
	json_t *root, *part;
	int error;

	*out = NULL;
	if ((error = vault_name_check("ship notice", asn)) < 0 ||
	    (error = json_row(&root, v, SQL_ASN, asn_cols, asn, "ship notice")) < 0)
		return error;
	if ((error = may_see(v, json_string_value(json_object_get(root, "supplier")),
			     "ship notice", asn)) < 0)
		goto done;
	if ((error = json_rows(&part, v, SQL_ASN_PACKAGES, asn_package_cols, asn, NULL)) < 0)
		goto done;
	json_object_set_new(root, "packages", part);
	if ((error = json_rows(&part, v, SQL_ASN_LOTS, asn_lot_cols, asn, NULL)) < 0)
		goto done;
	json_object_set_new(root, "lots", part);
	if ((error = json_rows(&part, v, SQL_RECEIPT, receipt_cols, asn, NULL)) < 0)
		goto done;
	if (json_array_size(part))
		json_object_set(root, "receipt", json_array_get(part, 0));
	json_decref(part);
	return dump(out, root, "ship notice");
done:
	json_decref(root);
	return error;
}
