/*
 * audit.c - the compliance audit: each gap query of the index, one row
 * per gap, the records involved as its columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "exists.h"
#include "util.h"

/* The gap queries: each row is one gap, its columns the records involved. */
static const struct {
	const char *kind;
	const char *what;
	const char *sql; /* ?1: organization or NULL; ?2: now minus the ack limit;
			  * ?3: the viewer's organization (a supplier's) or NULL */
	const char *cols[5];
} gaps[] = {
	{ "no-coc", "lot has no certificate of conformity",
	  "SELECT l.lot, l.po, l.supplier FROM lots l WHERE (?1 IS NULL OR l.supplier = ?1)"
	  " AND NOT " VAULT_INDEX_LOT_HAS_COC("l.lot") " ORDER BY l.lot",
	  { "lot", "po", "supplier" } },
	/* once per material lot and the supplier that used it, with the count
	 * of its lots made from it: a gap deep in the genealogy is reported at
	 * the tier that drew from it, never once per lot downstream (which made
	 * a chain of n lots n*n/2 rows); to a supplier (?3), a material lot
	 * of another organization is unnamed (null), as it is absent from
	 * its traces */
	{ "no-material-cert", "a lot was made from a material lot that has no material certificate",
	  "SELECT CASE WHEN ?3 IS NULL OR EXISTS (SELECT 1 FROM lots m WHERE m.lot = i.input"
	  "  AND m.supplier = ?3) THEN i.input END,"
	  " min(i.lot), count(DISTINCT i.lot), l.supplier FROM lot_inputs i"
	  " JOIN lots l ON l.lot = i.lot WHERE (?1 IS NULL OR l.supplier = ?1)"
	  /* a certificate of that lot or heat, filed by or for the supplier that drew from it */
	  " AND NOT EXISTS (SELECT 1 FROM links k JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev"
	  "  WHERE k.kind = 'lot' AND k.target = i.input AND r.type = 'material-cert'"
	  "  AND " VAULT_INDEX_FILED_FOR("r", "l.supplier") ")"
	  " AND NOT EXISTS (SELECT 1 FROM certs c JOIN revisions r ON r.doc = c.doc AND r.rev = c.rev"
	  "  WHERE c.heat = i.input AND " VAULT_INDEX_FILED_FOR("r", "l.supplier") ")"
	  " GROUP BY i.input, l.supplier ORDER BY i.input, l.supplier",
	  { "input", "lot", "lots", "supplier" } },
	{ "made-before-ack", "lot made before its supplier acknowledged the required revision",
	  "SELECT l.lot, pl.doc || '@' || pl.rev, l.supplier, l.made FROM lots l"
	  " JOIN po_lines pl ON pl.po = l.po AND pl.part = l.part AND pl.state <> 'cancelled'"
	  " WHERE (?1 IS NULL OR l.supplier = ?1) AND l.made IS NOT NULL AND NOT EXISTS"
	  " (SELECT 1 FROM acks a WHERE a.doc = pl.doc AND a.rev = pl.rev AND a.org = l.supplier"
	  "  AND a.meaning != 'rejected' AND date(a.time, 'unixepoch') <= l.made)"
	  " GROUP BY l.lot ORDER BY l.lot", { "lot", "revision", "supplier", "made" } },
	/* superseded for the PO's supplier: a later revision was released to
	 * it (one released only to others leaves this one in effect for it) */
	{ "stale-po-line", "PO line requires a superseded or obsolete revision",
	  "SELECT pl.po, pl.line, pl.doc || '@' || pl.rev, p.supplier FROM po_lines pl"
	  " JOIN pos p ON p.po = pl.po JOIN revisions r ON r.doc = pl.doc AND r.rev = pl.rev"
	  " WHERE (?1 IS NULL OR p.supplier = ?1) AND pl.state = 'open'"
	  " AND (EXISTS (SELECT 1 FROM obsoletes o"
	  "  WHERE o.doc = pl.doc AND o.rev = pl.rev) OR EXISTS (SELECT 1 FROM distribution d2"
	  "  JOIN revisions r2 ON r2.doc = d2.doc AND r2.rev = d2.rev WHERE d2.doc = pl.doc"
	  "  AND d2.org = p.supplier AND r2.seq > r.seq)) ORDER BY pl.po, pl.line",
	  { "po", "line", "revision", "supplier" } },
	{ "no-fai", "part shipped at a drawing revision with no FAI on record",
	  "SELECT l.part, pl.doc || '@' || pl.rev, min(l.lot), l.supplier FROM lots l"
	  " JOIN po_lines pl ON pl.po = l.po AND pl.part = l.part AND pl.state <> 'cancelled'"
	  " WHERE (?1 IS NULL OR l.supplier = ?1) AND l.shipped IS NOT NULL"
	  /* each FAI counts for the lots of the supplier it was filed by or for:
	   * an FAI package names the drawing revision it inspected */
	  " AND NOT EXISTS (SELECT 1 FROM fais x JOIN revisions f ON f.doc = x.doc AND f.rev = x.rev"
	  "  WHERE x.part = l.part AND x.drawing = pl.doc AND x.drawing_rev = pl.rev"
	  "  AND " VAULT_INDEX_FILED_FOR("f", "l.supplier") ")"
	  /* an FAI filed as a plain document (no package) counts for its part */
	  " AND NOT EXISTS (SELECT 1 FROM revisions f JOIN parts fp ON fp.revision = f.id"
	  "  WHERE f.type = 'fai' AND fp.part = l.part AND NOT EXISTS (SELECT 1 FROM fais x"
	  "  WHERE x.doc = f.doc AND x.rev = f.rev) AND " VAULT_INDEX_FILED_FOR("f", "l.supplier") ")"
	  " AND NOT EXISTS (SELECT 1 FROM links k JOIN revisions f ON f.doc = k.doc AND f.rev = k.rev"
	  "  WHERE f.type = 'fai' AND k.kind = 'part' AND k.target = l.part AND NOT EXISTS"
	  "  (SELECT 1 FROM fais x WHERE x.doc = f.doc AND x.rev = f.rev)"
	  "  AND " VAULT_INDEX_FILED_FOR("f", "l.supplier") ")"
	  /* one row per supplier: one's FAI is not another's */
	  " GROUP BY l.part, pl.doc, pl.rev, l.supplier ORDER BY l.part, l.supplier",
	  { "part", "revision", "lot", "supplier" } },
	{ "unacknowledged", "revision distributed and not acknowledged in time",
	  "SELECT d.doc || '@' || d.rev, d.org,"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', l.released_at, 'unixepoch') FROM distribution d"
	  " JOIN releases l ON l.doc = d.doc AND l.rev = d.rev"
	  " WHERE (?1 IS NULL OR d.org = ?1) AND l.released_at < ?2"
	  " AND NOT EXISTS (SELECT 1 FROM acks a WHERE a.doc = d.doc AND a.rev = d.rev AND a.org = d.org)"
	  " AND NOT EXISTS (SELECT 1 FROM obsoletes o WHERE o.doc = d.doc AND o.rev = d.rev)"
	  " ORDER BY l.released_at", { "revision", "org", "released_at" } },
};

int vault_audit_each(vault *v, const char *org, unsigned ack_days, vault_gap_cb cb,
		     void *payload)
{
	sqlite3 *db = vault_index__db(v->index);
	char *own = NULL;
	size_t i;
	int error;

	if ((org && (error = vault_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(&own, v)) < 0)
		return error;
	if (own && org && strcmp(own, org) != 0) {
		free(own);
		return vault_error__set(VAULT_EDENIED, "a supplier audits only its own organization");
	}
	if (own)
		org = own; /* a supplier sees only its own records */
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		return error;
	for (i = 0; i < sizeof(gaps) / sizeof(gaps[0]) && !error; i++) {
		sqlite3_stmt *st;
		int rc, c;

		if (sqlite3_prepare_v2(db, gaps[i].sql, -1, &st, NULL) != SQLITE_OK) {
			error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
			break;
		}
		sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)time(NULL) - (int64_t)ack_days * 86400);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_text(st, 3, own, -1, SQLITE_STATIC);
		while (!error && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			json_t *records = json_object(), *gap;
			char *text;

			for (c = 0; c < 5 && gaps[i].cols[c]; c++)
				json_object_set_new(records, gaps[i].cols[c],
					sqlite3_column_type(st, c) == SQLITE_INTEGER ?
					json_integer(sqlite3_column_int64(st, c)) :
					json_string((const char *)sqlite3_column_text(st, c)));
			gap = json_pack("{s:s, s:s, s:o}", "gap", gaps[i].kind, "what", gaps[i].what,
					"records", records);
			if ((text = json_dumps(gap, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
				error = vault_error__set(VAULT_ERROR, "cannot write the audit");
			else
				error = cb(payload, text);
			free(text);
			json_decref(gap);
		}
		if (!error && rc != SQLITE_DONE)
			error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	free(own);
	return error;
}

typedef struct {
	json_t *list;
} collect_ctx;

static int collect_gap(void *payload, const char *gap_json)
{
	json_t *gap = json_loads(gap_json, 0, NULL);

	if (!gap)
		return vault_error__set(VAULT_ERROR, "cannot read a gap back");
	json_array_append_new(((collect_ctx *)payload)->list, gap);
	return 0;
}

int vault_audit(char **out, size_t *count, vault *v, const char *org, unsigned ack_days)
{
	collect_ctx c = { json_array() };
	int error;

	*out = NULL;
	*count = 0;
	if ((error = vault_audit_each(v, org, ack_days, collect_gap, &c)) == 0) {
		*count = json_array_size(c.list);
		if ((*out = json_dumps(c.list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
			error = vault_error__set(VAULT_ERROR, "cannot write the audit");
	}
	json_decref(c.list);
	return error;
}
