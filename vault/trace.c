/*
 * trace.c - the trace of a lot, a document revision or a PO: every
 * record behind it, read from the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "util.h"

/*
 * The lots upstream (downstream) of lot ?1 as the table up (down) of
 * (lot, depth), depth 1 for direct inputs (outputs); 64 tiers at most.
 */
/*
 * The genealogy closures of lot ?1.  Queries join them with CROSS JOIN,
 * which in SQLite fixes the join order: the closure (a few rows) drives
 * the lookups.  Left to itself, without statistics, the planner may scan
 * every link of kind 'lot' instead.
 */
#define UPSTREAM_OF_1 \
	"WITH RECURSIVE up(lot, depth) AS (SELECT input, 1 FROM lot_inputs WHERE lot = ?1" \
	" UNION SELECT i.input, up.depth + 1 FROM lot_inputs i JOIN up ON i.lot = up.lot" \
	" WHERE up.depth < 64)"
#define DOWNSTREAM_OF_1 \
	"WITH RECURSIVE down(lot, depth) AS (SELECT lot, 1 FROM lot_inputs WHERE input = ?1" \
	" UNION SELECT i.lot, down.depth + 1 FROM lot_inputs i JOIN down ON i.input = down.lot" \
	" WHERE down.depth < 64)"

/* The lot ?1 itself (depth 0) and its upstream, as src(lot, depth). */
#define SOURCES_OF_1 \
	UPSTREAM_OF_1 ", src(lot, depth) AS (SELECT ?1, 0 UNION ALL SELECT lot, depth FROM up)"

/* Is column `name` a time: "time" or "..._at"? */
static int is_time(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "time") == 0 || (n > 3 && strcmp(name + n - 3, "_at") == 0);
}

/*
 * Column i, named `name`, as JSON.  A time, kept in the index as seconds
 * since the epoch, is an ISO 8601 UTC string, as in all JSON output.
 */
static json_t *col_json(sqlite3_stmt *st, int i, const char *name)
{
	char when[VAULT_TIME_SIZE];

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		if (!is_time(name))
			return json_integer(sqlite3_column_int64(st, i));
		vault_time_format(when, sizeof(when), sqlite3_column_int64(st, i));
		return json_string(when);
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

/* Run `sql` with text parameters; each row becomes an object of `names`. */
static int rows(json_t **out, sqlite3 *db, const char *sql, const char *const *names,
		int ncols, const char *p1, const char *p2, const char *p3)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc, i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	if (p3)
		sqlite3_bind_text(st, 3, p3, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (i = 0; i < ncols; i++)
			json_object_set_new(o, names[i], col_json(st, i, names[i]));
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	*out = arr;
	return 0;
}

static json_t *first(json_t *arr)
{
	json_t *o = json_array_size(arr) ? json_incref(json_array_get(arr, 0)) : json_null();

	json_decref(arr);
	return o;
}

/*
 * A supplier sees only its own organization's records: VAULT_ENOTFOUND,
 * as if absent, for another's.  No key, or any other role, sees all.
 */
static int may_see(vault *v, const char *owner, const char *what, const char *name)
{
	char *org = NULL;
	int error;

	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	if (org && owner && strcmp(org, owner) != 0)
		error = vault_error__set(VAULT_ENOTFOUND, "no %s '%s'", what, name);
	free(org);
	return error;
}

/* Whether the viewer `org` may see revision `doc`@`rev`. */
static int revision_visible(vault *v, const char *doc, const char *rev, const char *org)
{
	vault_revision r;

	if (!doc || !rev || vault_index__get(&r, v->index, doc, rev, org) < 0)
		return 0;
	vault_revision_dispose(&r);
	return 1;
}

/* Whether array `lots` holds an object whose "lot" is `lot`. */
static int holds_lot(json_t *lots, const char *lot)
{
	size_t i;
	json_t *o;

	json_array_foreach(lots, i, o)
		if (lot && json_is_string(json_object_get(o, "lot")) &&
		    strcmp(json_string_value(json_object_get(o, "lot")), lot) == 0)
			return 1;
	return 0;
}

/*
 * What a supplier of `org` keeps of a trace (its own lot's or PO's,
 * may_see has checked that): of the genealogy (upstream, downstream),
 * only its organization's lots; of the documents (attached, upstream),
 * only revisions it may see, attached to what it keeps; acknowledgments
 * only of revisions it may see.  Another
 * organization's lot, and a revision not released to it, are left out
 * as if they were not in the vault.
 */
static void scope_trace(json_t *root, vault *v, const char *org)
{
	static const char *const lot_keys[] = { "upstream", "downstream", NULL };
	static const char *const doc_keys[] = { "documents", "upstream_documents", NULL };
	json_t *arr, *o;
	size_t i, k;

	if (!org)
		return;
	/* in effect for the lot's supplier, which is `org`: released to it,
	 * so always visible; kept to this rule all the same */
	o = json_object_get(root, "in_effect_when_made");
	if (json_is_object(o) && !revision_visible(v, json_string_value(json_object_get(o, "doc")),
						   json_string_value(json_object_get(o, "rev")), org))
		json_object_set_new(root, "in_effect_when_made", json_null());
	/* the acknowledgment of a lot's PO line, and a PO's acknowledgments:
	 * of a revision the viewer may not see (one marked it is not cleared
	 * for), none, as for a revision never released to it */
	o = json_object_get(root, "po_line");
	if (json_is_object(json_object_get(root, "acknowledgment")) &&
	    !revision_visible(v, json_string_value(json_object_get(o, "doc")),
			      json_string_value(json_object_get(o, "rev")), org))
		json_object_set_new(root, "acknowledgment", json_null());
	if (json_is_array(arr = json_object_get(root, "acknowledgments")))
		for (i = json_array_size(arr); i-- > 0;) {
			o = json_array_get(arr, i);
			if (!revision_visible(v, json_string_value(json_object_get(o, "doc")),
					      json_string_value(json_object_get(o, "rev")), org))
				json_array_remove(arr, i);
		}
	for (k = 0; lot_keys[k]; k++) {
		if (!json_is_array(arr = json_object_get(root, lot_keys[k])))
			continue;
		for (i = json_array_size(arr); i-- > 0;) {
			o = json_array_get(arr, i);
			if (!json_is_string(json_object_get(o, "supplier")) ||
			    strcmp(json_string_value(json_object_get(o, "supplier")), org) != 0)
				json_array_remove(arr, i);
		}
	}
	for (k = 0; doc_keys[k]; k++) {
		if (!json_is_array(arr = json_object_get(root, doc_keys[k])))
			continue;
		for (i = json_array_size(arr); i-- > 0;) {
			o = json_array_get(arr, i);
			if (!revision_visible(v, json_string_value(json_object_get(o, "doc")),
					      json_string_value(json_object_get(o, "rev")), org) ||
			    (k == 1 && !holds_lot(json_object_get(root, "upstream"),
						  json_string_value(json_object_get(o, "target")))))
				json_array_remove(arr, i);
		}
	}
}

/* scope_trace for the acting viewer. */
static int scope_viewer(json_t *root, vault *v)
{
	char *org = NULL;
	int error;

	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	scope_trace(root, v, org);
	free(org);
	return 0;
}

static int dump_out(char **out, json_t *root);
static int trace_po_lot(char **out, vault *v, const char *lot);

/*
 * The sub-tier lots that lot ?1 and its upstream lots were made from
 * (each in its drawing lot's supplier's scope), added to `upstream` as
 * rows of their own ("subtier": true, their source and certificate, what
 * this genealogy drew of them), and their certificates to
 * `upstream_documents`: the one the lot names, and the material
 * certificates of its heat its own organization holds.
 */
static int subtier_upstream(json_t *root, sqlite3 *db, const char *lot)
{
	static const char *const cols[] = { "lot", "part", "supplier", "depth", "qty", "source",
					    "cert_doc", "cert_rev", "drawn" };
	static const char *const doc_cols[] = { "attached_to", "target", "doc", "rev", "type" };
	json_t *tmp, *o;
	size_t i;
	int error;

	if ((error = rows(&tmp, db, SOURCES_OF_1
		" SELECT s.lot, s.part, s.org, min(src.depth) + 1, s.qty, s.source, s.cert_doc,"
		" s.cert_rev, sum(i.qty) FROM src CROSS JOIN subtier_inputs i ON i.lot = src.lot"
		" JOIN subtier_lots s ON s.org = i.org AND s.lot = i.input"
		" GROUP BY s.org, s.lot ORDER BY 4, 1, 3", cols, 9, lot, NULL, NULL)) < 0)
		return error;
	json_array_foreach(tmp, i, o) {
		json_object_set_new(o, "po", json_null());
		json_object_set_new(o, "made", json_null());
		json_object_set_new(o, "subtier", json_true());
	}
	json_array_extend(json_object_get(root, "upstream"), tmp);
	json_decref(tmp);
	if ((error = rows(&tmp, db, SOURCES_OF_1
		", sub(org, lot, cert_doc, cert_rev) AS (SELECT DISTINCT s.org, s.lot, s.cert_doc,"
		" s.cert_rev FROM src CROSS JOIN subtier_inputs i ON i.lot = src.lot"
		" JOIN subtier_lots s ON s.org = i.org AND s.lot = i.input)"
		" SELECT 'subtier', sub.lot, r.doc, r.rev, r.type FROM sub JOIN revisions r"
		" ON r.doc = sub.cert_doc AND r.rev = sub.cert_rev"
		" UNION SELECT 'heat', sub.lot, c.doc, c.rev, 'material-cert' FROM sub"
		" JOIN certs c ON c.heat = sub.lot JOIN revisions r ON r.doc = c.doc AND r.rev = c.rev"
		" WHERE r.org = sub.org ORDER BY 2, 3, 4", doc_cols, 5, lot, NULL, NULL)) < 0)
		return error;
	json_array_extend(json_object_get(root, "upstream_documents"), tmp);
	json_decref(tmp);
	return 0;
}

/*
 * The trace of sub-tier lot `lot` of `org`: the lot, its source and
 * certificate, what is drawn of it and left, the documents of it, and the
 * lots made from it (downstream, through every tier).
 */
static int trace_subtier(char **out, vault *v, const char *org, const char *lot)
{
	static const char *const lot_cols[] = { "lot", "org", "part", "qty", "source", "cert_doc",
						"cert_rev", "created_by", "created_at", "drawn" };
	static const char *const doc_cols[] = { "attached_to", "target", "doc", "rev", "type" };
	static const char *const gen_cols[] = { "lot", "part", "po", "supplier", "made", "depth",
						"drawn" };
	sqlite3 *db = vault_index__db(v->index);
	json_t *root = NULL, *tmp, *l;
	json_int_t qty, drawn;
	int error;

	if ((error = rows(&tmp, db, "SELECT s.lot, s.org, s.part, s.qty, s.source, s.cert_doc,"
			  " s.cert_rev, s.created_by, s.created_at, (SELECT coalesce(sum(i.qty), 0)"
			  " FROM subtier_inputs i WHERE i.org = s.org AND i.input = s.lot)"
			  " FROM subtier_lots s WHERE s.org = ?1 AND s.lot = ?2",
			  lot_cols, 10, org, lot, NULL)) < 0)
		return error;
	if (json_array_size(tmp) == 0) {
		json_decref(tmp);
		return vault_error__set(VAULT_ENOTFOUND, "no lot '%s'", lot);
	}
	l = first(tmp);
	qty = json_integer_value(json_object_get(l, "qty"));
	drawn = json_integer_value(json_object_get(l, "drawn"));
	json_object_set_new(l, "left", json_integer(drawn < qty ? qty - drawn : 0));
	json_object_set_new(l, "subtier", json_true());
	root = json_pack("{s:o}", "subtier_lot", l);
	if ((error = rows(&tmp, db,
		"SELECT 'subtier', s.lot, r.doc, r.rev, r.type FROM subtier_lots s JOIN revisions r"
		" ON r.doc = s.cert_doc AND r.rev = s.cert_rev WHERE s.org = ?1 AND s.lot = ?2"
		" UNION SELECT 'heat', c.heat, c.doc, c.rev, 'material-cert' FROM certs c"
		" JOIN revisions r ON r.doc = c.doc AND r.rev = c.rev WHERE c.heat = ?2"
		" AND r.org = ?1 ORDER BY 1, 3, 4", doc_cols, 5, org, lot, NULL)) < 0)
		goto done;
	json_object_set_new(root, "documents", tmp);
	if ((error = rows(&tmp, db,
		"WITH RECURSIVE down(lot, depth, drawn) AS (SELECT lot, 1, qty FROM subtier_inputs"
		" WHERE org = ?1 AND input = ?2"
		" UNION SELECT i.lot, down.depth + 1, NULL FROM lot_inputs i JOIN down"
		" ON i.input = down.lot WHERE down.depth < 64)"
		" SELECT l.lot, l.part, l.po, l.supplier, l.made, min(down.depth), sum(down.drawn)"
		" FROM down CROSS JOIN lots l ON l.lot = down.lot GROUP BY l.lot"
		" ORDER BY min(down.depth), l.lot", gen_cols, 7, org, lot, NULL)) < 0)
		goto done;
	json_object_set_new(root, "downstream", tmp);
	if ((error = scope_viewer(root, v)) < 0)
		goto done;
	error = dump_out(out, root);
	root = NULL;
done:
	json_decref(root);
	return error;
}

/* Whether `org` holds a sub-tier lot `lot` (the index). */
static int subtier_held(sqlite3 *db, const char *org, const char *lot)
{
	sqlite3_stmt *st;
	int yes;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM subtier_lots WHERE org = ?1 AND lot = ?2", -1,
			       &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lot, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/*
 * Which sub-tier lot `lot` names for a viewer who sees every organization
 * and named none, into *org: none (0) when a PO lot of the name exists
 * or no organization holds one; the one organization that holds one;
 * VAULT_EINVALID, naming them, when several do.
 */
static int subtier_owner(char **org, sqlite3 *db, const char *lot)
{
	sqlite3_stmt *st;
	vault_buf names = VAULT_BUF_INIT;
	size_t n = 0;
	int rc, error = 0;

	*org = NULL;
	if (sqlite3_prepare_v2(db, "SELECT org FROM subtier_lots WHERE lot = ?1"
			       " AND NOT EXISTS (SELECT 1 FROM lots WHERE lot = ?1) ORDER BY org",
			       -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);

		if (n++ == 0)
			*org = vault__strdup(o);
		if (vault_buf__addf(&names, "%s%s", n > 1 ? ", " : "", o) < 0)
			error = -1;
	}
	sqlite3_finalize(st);
	if (!error && n > 1) {
		free(*org);
		*org = NULL;
		error = vault_error__set(VAULT_EINVALID,
			"lot '%s' is a sub-tier lot of %zu organizations (%s): name one with --org",
			lot, n, vault_buf__str(&names));
	}
	vault_buf__dispose(&names);
	return error;
}

int vault_trace_lot(char **out, vault *v, const char *lot)
{
	return vault_trace_lot_in(out, v, lot, NULL);
}

int vault_trace_lot_in(char **out, vault *v, const char *lot, const char *org)
{
	sqlite3 *db = vault_index__db(v->index);
	char *viewer = NULL, *owner = NULL;
	const char *scope;
	int error, held;

	*out = NULL;
	if ((error = vault_name_check("lot", lot)) < 0 ||
	    (org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(&viewer, v)) < 0)
		return error;
	if (viewer) {
		/* a supplier's names are its own organization's: another's is no lot */
		scope = viewer;
		if (org && strcmp(viewer, org) != 0)
			held = 0;
		else if ((held = subtier_held(db, viewer, lot)) == 0 && !org)
			held = 2; /* its PO lot of the name */
	} else if (org) {
		scope = org;
		held = subtier_held(db, org, lot);
	} else {
		if ((error = subtier_owner(&owner, db, lot)) < 0)
			return error;
		scope = owner;
		held = owner ? 1 : 2;
	}
	if (held < 0)
		error = held;
	else if (held == 1)
		error = trace_subtier(out, v, scope, lot);
	else if (held == 2)
		error = trace_po_lot(out, v, lot);
	else
		error = vault_error__set(VAULT_ENOTFOUND, "no lot '%s'", lot);
	free(viewer);
	free(owner);
	return error;
}

/* The trace of lot `lot` of a PO. */
static int trace_po_lot(char **out, vault *v, const char *lot)
{
	static const char *const lot_cols[] = { "lot", "po", "part", "qty", "made", "shipped",
						"supplier", "created_by" };
	static const char *const line_cols[] = { "line", "part", "qty", "doc", "rev", "due" };
	static const char *const rev_cols[] = { "doc", "rev", "released_at" };
	static const char *const ack_cols[] = { "name", "org", "meaning", "time" };
	static const char *const gen_cols[] = { "lot", "part", "po", "supplier", "made", "depth" };
	sqlite3 *db = vault_index__db(v->index);
	json_t *l = NULL, *line = NULL, *root = NULL, *tmp;
	const char *po, *part, *made, *doc = NULL, *rev = NULL, *supplier;
	char made_end[32];
	int error;

	*out = NULL;
	if ((error = vault_name_check("lot", lot)) < 0)
		return error;
	if ((error = rows(&tmp, db, "SELECT lot, po, part, qty, made, shipped, supplier, created_by"
			  " FROM lots WHERE lot = ?1", lot_cols, 8, lot, NULL, NULL)) < 0)
		return error;
	if (json_array_size(tmp) == 0) {
		json_decref(tmp);
		return vault_error__set(VAULT_ENOTFOUND, "no lot '%s'", lot);
	}
	l = first(tmp);
	if ((error = may_see(v, json_string_value(json_object_get(l, "supplier")), "lot", lot)) < 0)
		goto done;
	po = json_string_value(json_object_get(l, "po"));
	part = json_string_value(json_object_get(l, "part"));
	made = json_string_value(json_object_get(l, "made"));
	supplier = json_string_value(json_object_get(l, "supplier"));
	root = json_pack("{s:O}", "lot", l);
	if ((error = rows(&tmp, db, "SELECT line, part, qty, doc, rev, due FROM po_lines"
			  " WHERE po = ?1 AND part = ?2 ORDER BY line LIMIT 1",
			  line_cols, 6, po, part, NULL)) < 0)
		goto done;
	line = first(tmp);
	json_object_set_new(root, "po_line", json_incref(line));
	doc = json_string_value(json_object_get(line, "doc"));
	rev = json_string_value(json_object_get(line, "rev"));
	/* the revision in effect when the lot was made: the latest released to
	 * the lot's supplier by the end of that day (one released only to
	 * others was never in effect for it) */
	if ((error = vault__fmt(made_end, sizeof(made_end), "the lot's date", "%sT23:59:59Z",
				made ? made : "")) < 0)
		goto done;
	if (doc && made) {
		if ((error = rows(&tmp, db, "SELECT l.doc, l.rev, l.released_at FROM releases l"
				  " JOIN revisions r ON r.doc = l.doc AND r.rev = l.rev"
				  " JOIN distribution d ON d.doc = l.doc AND d.rev = l.rev AND d.org = ?3"
				  " WHERE l.doc = ?1 AND l.released_at <= strftime('%s', ?2)"
				  " ORDER BY r.seq DESC LIMIT 1",
				  rev_cols, 3, doc, made_end, supplier)) < 0)
			goto done;
		json_object_set_new(root, "in_effect_when_made", first(tmp));
	} else {
		json_object_set_new(root, "in_effect_when_made", json_null());
	}
	if (doc) {
		json_t *ack;

		if ((error = rows(&tmp, db, "SELECT signer, org, meaning, time FROM acks WHERE doc = ?1"
				  " AND rev = ?2 AND org = ?3 ORDER BY time,"
				  " (SELECT seq FROM events e WHERE e.commit_id = acks.commit_id) LIMIT 1",
				  ack_cols, 4, doc, rev, supplier)) < 0)
			goto done;
		ack = first(tmp);
		if (json_is_object(ack) && made) {
			/* its day: the first ten characters of YYYY-MM-DDTHH:MM:SSZ */
			const char *when = json_string_value(json_object_get(ack, "time"));

			json_object_set_new(ack, "before_made",
					    json_boolean(when && strncmp(when, made, 10) <= 0));
		}
		json_object_set_new(root, "acknowledgment", ack);
	}
	{
		static const char *const doc_cols[] = { "attached_to", "target", "doc", "rev", "type" };
		const char *const p3 = part;

		if ((error = rows(&tmp, db,
			"SELECT k.kind, k.target, k.doc, k.rev, r.type FROM links k JOIN revisions r"
			" ON r.doc = k.doc AND r.rev = k.rev WHERE (k.kind = 'lot' AND k.target = ?1)"
			" OR (k.kind = 'po' AND k.target = ?2) OR (k.kind = 'part' AND k.target = ?3)"
			" UNION SELECT 'heat', c.heat, c.doc, c.rev, 'material-cert' FROM certs c"
			" WHERE c.heat = ?1 ORDER BY 1, 3, 4", doc_cols, 5, lot, po, p3)) < 0)
			goto done;
		json_object_set_new(root, "documents", tmp);
		if ((error = rows(&tmp, db,
			UPSTREAM_OF_1
			" SELECT DISTINCT 'lot', up.lot, k.doc, k.rev, r.type FROM up CROSS JOIN links k"
			" ON k.kind = 'lot' AND k.target = up.lot JOIN revisions r ON r.doc = k.doc"
			" AND r.rev = k.rev UNION SELECT 'heat', up.lot, c.doc, c.rev, 'material-cert'"
			" FROM up CROSS JOIN certs c ON c.heat = up.lot ORDER BY 2, 3, 4",
			doc_cols, 5, lot, NULL, NULL)) < 0)
			goto done;
		json_object_set_new(root, "upstream_documents", tmp);
	}
	if ((error = rows(&tmp, db,
		UPSTREAM_OF_1
		" SELECT l.lot, l.part, l.po, l.supplier, l.made, min(up.depth) FROM up"
		" CROSS JOIN lots l ON l.lot = up.lot GROUP BY l.lot ORDER BY min(up.depth), l.lot",
		gen_cols, 6, lot, NULL, NULL)) < 0)
		goto done;
	json_object_set_new(root, "upstream", tmp);
	if ((error = rows(&tmp, db,
		DOWNSTREAM_OF_1
		" SELECT l.lot, l.part, l.po, l.supplier, l.made, min(down.depth) FROM down"
		" CROSS JOIN lots l ON l.lot = down.lot GROUP BY l.lot ORDER BY min(down.depth), l.lot",
		gen_cols, 6, lot, NULL, NULL)) < 0)
		goto done;
	json_object_set_new(root, "downstream", tmp);
	if ((error = subtier_upstream(root, db, lot)) < 0 ||
	    (error = scope_viewer(root, v)) < 0)
		goto done;
	*out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!*out)
		error = vault_error__set(VAULT_ERROR, "cannot write the trace");
done:
	json_decref(line);
	json_decref(l);
	json_decref(root);
	return error;
}

static int dump_out(char **out, json_t *root)
{
	*out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(root);
	return *out ? 0 : vault_error__set(VAULT_ERROR, "cannot write the trace");
}

int vault_trace_doc(char **out, vault *v, const char *doc, const char *rev)
{
	static const char *const line_cols[] = { "po", "line", "part", "qty", "supplier" };
	static const char *const lot_cols[] = { "lot", "po", "part", "supplier", "made", "depth" };
	sqlite3 *db = vault_index__db(v->index);
	vault_revision r;
	json_t *root, *tmp;
	char *org = NULL;
	int error;

	*out = NULL;
	if ((error = vault_doc_get(&r, v, doc, rev)) < 0)
		return error;
	vault_revision_dispose(&r);
	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	root = json_pack("{s:s, s:s}", "doc", doc, "rev", rev);
	if ((error = rows(&tmp, db, "SELECT pl.po, pl.line, pl.part, pl.qty, p.supplier FROM po_lines pl"
			  " JOIN pos p ON p.po = pl.po WHERE pl.doc = ?1 AND pl.rev = ?2"
			  " AND (?3 IS NULL OR p.supplier = ?3) ORDER BY pl.po, pl.line",
			  line_cols, 5, doc, rev, org)) < 0)
		goto done;
	json_object_set_new(root, "po_lines", tmp);
	if ((error = rows(&tmp, db,
		"WITH RECURSIVE built(lot, depth) AS (SELECT l.lot, 0 FROM lots l JOIN po_lines pl"
		"  ON pl.po = l.po AND pl.part = l.part WHERE pl.doc = ?1 AND pl.rev = ?2"
		" UNION SELECT i.lot, built.depth + 1 FROM lot_inputs i JOIN built ON i.input = built.lot"
		"  WHERE built.depth < 64)"
		" SELECT l.lot, l.po, l.part, l.supplier, l.made, min(built.depth) FROM built"
		" JOIN lots l ON l.lot = built.lot WHERE (?3 IS NULL OR l.supplier = ?3)"
		" GROUP BY l.lot ORDER BY min(built.depth), l.lot", lot_cols, 6, doc, rev, org)) < 0)
		goto done;
	json_object_set_new(root, "lots", tmp);
	error = dump_out(out, root);
	root = NULL;
done:
	json_decref(root);
	free(org);
	return error;
}

/*
 * The supplier's answers to PO `po` and what came of them: every
 * acknowledgment in order (a slipped promise stays beside the first),
 * status reports, shipments with what was received, nonconformances.
 */
static int trace_po_portal(json_t *root, sqlite3 *db, const char *po)
{
	static const char *const ack_cols[] = { "seq", "revision", "line", "decision", "promise",
		"qty", "note", "reason", "signed_by", "signed_at" };
	static const char *const change_cols[] = { "revision", "reason", "summary", "changed_by",
		"changed_at" };
	static const char *const status_cols[] = { "seq", "line", "status", "note", "reported_by",
		"reported_at" };
	static const char *const ship_cols[] = { "asn", "ship_date", "package", "lot", "line", "qty",
		"received", "received_date" };
	static const char *const ncr_cols[] = { "ncr", "lot", "reason", "disposition", "state" };
	static const struct {
		const char *key, *sql;
		const char *const *cols;
		int ncols;
	} parts[] = {
		{ "po_changes", "SELECT seq, reason, summary, changed_by,"
		  " strftime('%Y-%m-%dT%H:%M:%SZ', changed_at, 'unixepoch') FROM po_changes"
		  " WHERE po = ?1 ORDER BY seq", change_cols, 5 },
		{ "po_acknowledgments", "SELECT seq, revision, line, decision, promise, qty, note, reason,"
		  " signed_by, strftime('%Y-%m-%dT%H:%M:%SZ', signed_at, 'unixepoch') FROM po_acks"
		  " WHERE po = ?1 ORDER BY seq, signed_at, signed_by", ack_cols, 10 },
		{ "status", "SELECT seq, line, status, note, reported_by,"
		  " strftime('%Y-%m-%dT%H:%M:%SZ', reported_at, 'unixepoch') FROM po_status"
		  " WHERE po = ?1 ORDER BY seq, reported_at, reported_by", status_cols, 6 },
		{ "shipments", "SELECT i.asn, a.ship_date, i.package, i.lot, i.line, i.qty, ri.received,"
		  " r.received FROM asn_items i JOIN asns a ON a.asn = i.asn LEFT JOIN receipt_items ri"
		  " ON ri.asn = i.asn AND ri.lot = i.lot LEFT JOIN receipts r ON r.asn = i.asn"
		  " WHERE i.po = ?1 ORDER BY a.ship_date, i.asn, i.package, i.lot", ship_cols, 8 },
		{ "ncrs", "SELECT n.ncr, n.lot, n.reason, coalesce(c.disposition, n.disposition),"
		  " CASE WHEN c.ncr IS NULL THEN 'open' ELSE 'closed' END FROM ncrs n LEFT JOIN ncr_closes c ON c.ncr = n.ncr"
		  " WHERE n.po = ?1 ORDER BY n.ncr", ncr_cols, 5 },
	};
	json_t *tmp;
	size_t i;
	int error;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if ((error = rows(&tmp, db, parts[i].sql, parts[i].cols, parts[i].ncols, po, NULL,
				  NULL)) < 0)
			return error;
		json_object_set_new(root, parts[i].key, tmp);
	}
	return 0;
}

int vault_trace_po(char **out, vault *v, const char *po)
{
	static const char *const po_cols[] = { "po", "supplier", "created_by" };
	static const char *const line_cols[] = { "line", "part", "qty", "doc", "rev", "due" };
	static const char *const lot_cols[] = { "lot", "part", "qty", "made", "shipped" };
	static const char *const doc_cols[] = { "attached_to", "target", "doc", "rev", "type" };
	static const char *const ack_cols[] = { "doc", "rev", "name", "meaning", "time" };
	sqlite3 *db = vault_index__db(v->index);
	json_t *root = NULL, *tmp, *p;
	int error;

	*out = NULL;
	if ((error = vault_name_check("PO number", po)) < 0)
		return error;
	if ((error = rows(&tmp, db, "SELECT po, supplier, created_by FROM pos WHERE po = ?1",
			  po_cols, 3, po, NULL, NULL)) < 0)
		return error;
	if (json_array_size(tmp) == 0) {
		json_decref(tmp);
		return vault_error__set(VAULT_ENOTFOUND, "no PO '%s'", po);
	}
	p = first(tmp);
	if ((error = may_see(v, json_string_value(json_object_get(p, "supplier")), "PO", po)) < 0) {
		json_decref(p);
		return error;
	}
	root = json_pack("{s:o}", "po", p);
	if ((error = rows(&tmp, db, "SELECT line, part, qty, doc, rev, due FROM po_lines WHERE po = ?1"
			  " ORDER BY line", line_cols, 6, po, NULL, NULL)) < 0)
		goto done;
	json_object_set_new(root, "lines", tmp);
	if ((error = rows(&tmp, db, "SELECT lot, part, qty, made, shipped FROM lots WHERE po = ?1"
			  " ORDER BY lot", lot_cols, 5, po, NULL, NULL)) < 0)
		goto done;
	json_object_set_new(root, "lots", tmp);
	if ((error = rows(&tmp, db, "SELECT k.kind, k.target, k.doc, k.rev, r.type FROM links k"
			  " JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev WHERE (k.kind = 'po'"
			  " AND k.target = ?1) OR (k.kind = 'lot' AND k.target IN (SELECT lot FROM lots"
			  " WHERE po = ?1)) ORDER BY k.kind, k.target, k.doc", doc_cols, 5, po, NULL,
			  NULL)) < 0)
		goto done;
	json_object_set_new(root, "documents", tmp);
	if ((error = rows(&tmp, db, "SELECT a.doc, a.rev, a.signer, a.meaning, a.time FROM acks a"
			  " JOIN po_lines pl ON pl.doc = a.doc AND pl.rev = a.rev JOIN pos p"
			  " ON p.po = pl.po AND p.supplier = a.org WHERE pl.po = ?1"
			  " GROUP BY a.doc, a.rev, a.name ORDER BY a.time,"
			  " (SELECT seq FROM events e WHERE e.commit_id = a.commit_id)", ack_cols, 5, po, NULL,
			  NULL)) < 0)
		goto done;
	json_object_set_new(root, "acknowledgments", tmp);
	if ((error = trace_po_portal(root, db, po)) < 0 ||
	    (error = scope_viewer(root, v)) < 0)
		goto done;
	error = dump_out(out, root);
	root = NULL;
done:
	json_decref(root);
	return error;
}
