/*
 * audit.c - the compliance audit: each gap query of the index, one row
 * per gap, the records involved as its columns; and the waivers of gaps
 * (waivers/<h>/<h>/<GAP>/<time>-<signer>.json), signed by quality with a
 * reason and an end date: a gap waived until a date to come is listed
 * apart, and is no longer open.
 *
 * A gap's id is its kind and a hash of the records that make it that gap
 * (`keys` below, never the counts that grow), so it stays the same from
 * run to run, across a reindex and between sites, and a waiver's record
 * names the records it waives, from which verify computes the id again.
 * The hash is not keyed: anyone who knows the names can compute the id.
 * So an id is shown only to a viewer who sees every record it is made
 * of; a supplier whose lot was made from another organization's material
 * lot sees that gap without the lot's name, and without its id or the
 * waiver's reason (which might name it), only whether it is waived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "attest.h"
#include "common.h"
#include "error.h"
#include "exists.h"
#include "kind.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "tsa.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define REASON_MAX 1000
/* "<kind>-" and 16 hex digits of the hash */
#define GAP_ID_MAX 40

/*
 * The current revisions (VAULT_INDEX_CURRENT) whose expiry date is `cmp`,
 * of the organization ?1 or filed for it (NULL: all), and to a supplier
 * (?3) only those it may see: a certificate the buying side filed for its
 * lot, and did not give it, stays unnamed to it as everywhere else.
 */
#define EXPIRY_ROWS(cmp) \
	"SELECT r.doc || '@' || r.rev, r.type, coalesce(r.org, ''), r.expires FROM revisions r" \
	" WHERE r.expires IS NOT NULL AND r.expires" cmp " AND " VAULT_INDEX_CURRENT("r") \
	" AND (?1 IS NULL OR " VAULT_INDEX_FILED_FOR("r", "?1") ")" \
	" AND " VAULT_INDEX_VISIBLE("r", "?3") " ORDER BY r.expires, r.doc"

/*
 * The current controlled revisions whose review is due `cmp` (the buying
 * side's: none for one organization), read from those that have a review
 * date or a review, never every drawing.
 */
#define REVIEW_ROWS(cmp) \
	"SELECT x.revision, x.type, x.due FROM (SELECT r.doc || '@' || r.rev AS revision, r.type AS type," \
	" " VAULT_INDEX_REVIEW_DUE("r") " AS due FROM (SELECT doc, rev FROM revisions" \
	"  WHERE review_by IS NOT NULL UNION SELECT doc, rev FROM reviews) s" \
	" JOIN revisions r ON r.doc = s.doc AND r.rev = s.rev WHERE ?1 IS NULL AND " \
	VAULT_INDEX_CURRENT("r") ") x WHERE x.due" cmp " ORDER BY x.due, x.revision"

/*
 * The attestations (VAULT_ATTEST_ROWS) whose
 * latest expiry is `cmp`: a subject's attestation renewed by a later
 * record is no gap.  Of the organization ?1 (NULL: all); a supplier (?3)
 * sees its organization's own, never its co-workers' (who holds a
 * U.S.-person attestation is not its to know; each sees its own in its
 * inbox).
 */
#define ATTEST_ROWS(cmp) \
	"SELECT x.subject, x.name, x.what, x.org, x.expires FROM (SELECT subject, name, what," \
	" org, max(expires) AS expires FROM " VAULT_ATTEST_ROWS " GROUP BY subject, name, what) x" \
	" WHERE x.expires" cmp " AND (?1 IS NULL OR x.org = ?1)" \
	" AND (?3 IS NULL OR x.subject = 'org') ORDER BY x.expires, x.subject, x.name, x.what"

/* The gap queries: each row is one gap, its columns the records involved. */
static const struct {
	const char *kind;
	const char *what;
	const char *sql; /* ?1: organization or NULL; ?2: now minus the ack limit;
			  * ?3: the viewer's organization (a supplier's) or NULL;
			  * ?4: today, ?5: the last day of the expiry window (YYYY-MM-DD) */
	const char *cols[5];
	const char *keys[4];  /* the records that make it this gap, for its id */
	int truth;            /* a column a viewer may not see: its value, for the id,
			       * is the query's column after `cols`; -1: none */
	int due;              /* 1: coming, not yet a gap: listed as "due", never open */
	int tsa;              /* 1: read only where a TSA is configured (git config qvault.tsa) */
} gaps[] = {
	{ "no-coc", "lot has no certificate of conformity",
	  "SELECT l.lot, l.po, l.supplier FROM lots l WHERE (?1 IS NULL OR l.supplier = ?1)"
	  " AND NOT " VAULT_INDEX_LOT_HAS_COC("l.lot") " ORDER BY l.lot",
	  { "lot", "po", "supplier" }, { "lot", "supplier" }, -1, 0, 0 },
	/* once per material lot and the supplier that used it, with the count
	 * of its lots made from it: a gap deep in the genealogy is reported at
	 * the tier that drew from it, never once per lot downstream (which made
	 * a chain of n lots n*n/2 rows); to a supplier (?3), a material lot
	 * of another organization is unnamed (null), as it is absent from
	 * its traces */
	{ "no-material-cert", "a lot was made from a material lot that has no material certificate",
	  "SELECT CASE WHEN ?3 IS NULL OR EXISTS (SELECT 1 FROM lots m WHERE m.lot = i.input"
	  "  AND m.supplier = ?3) THEN i.input END,"
	  " min(i.lot), count(DISTINCT i.lot), l.supplier, i.input FROM lot_inputs i"
	  " JOIN lots l ON l.lot = i.lot WHERE (?1 IS NULL OR l.supplier = ?1)"
	  /* a certificate of that lot or heat, filed by or for the supplier that drew from it */
	  " AND NOT EXISTS (SELECT 1 FROM links k JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev"
	  "  WHERE k.kind = 'lot' AND k.target = i.input AND r.type = 'material-cert'"
	  "  AND " VAULT_INDEX_FILED_FOR("r", "l.supplier") ")"
	  " AND NOT EXISTS (SELECT 1 FROM certs c JOIN revisions r ON r.doc = c.doc AND r.rev = c.rev"
	  "  WHERE c.heat = i.input AND " VAULT_INDEX_FILED_FOR("r", "l.supplier") ")"
	  " GROUP BY i.input, l.supplier ORDER BY i.input, l.supplier",
	  { "input", "lot", "lots", "supplier" }, { "input", "supplier" }, 0, 0, 0 },
	{ "made-before-ack", "lot made before its supplier acknowledged the required revision",
	  "SELECT l.lot, pl.doc || '@' || pl.rev, l.supplier, l.made FROM lots l"
	  " JOIN po_lines pl ON pl.po = l.po AND pl.part = l.part AND pl.state <> 'cancelled'"
	  " WHERE (?1 IS NULL OR l.supplier = ?1) AND l.made IS NOT NULL AND NOT EXISTS"
	  " (SELECT 1 FROM acks a WHERE a.doc = pl.doc AND a.rev = pl.rev AND a.org = l.supplier"
	  "  AND a.meaning != 'rejected' AND date(a.time, 'unixepoch') <= l.made)"
	  " GROUP BY l.lot ORDER BY l.lot", { "lot", "revision", "supplier", "made" },
	  { "lot", "revision", "supplier" }, -1, 0, 0 },
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
	  { "po", "line", "revision", "supplier" }, { "po", "line", "revision" }, -1, 0, 0 },
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
	  { "part", "revision", "lot", "supplier" }, { "part", "revision", "supplier" }, -1, 0, 0 },
	{ "unacknowledged", "revision distributed and not acknowledged in time",
	  "SELECT d.doc || '@' || d.rev, d.org,"
	  " strftime('%Y-%m-%dT%H:%M:%SZ', l.released_at, 'unixepoch') FROM distribution d"
	  " JOIN releases l ON l.doc = d.doc AND l.rev = d.rev"
	  " WHERE (?1 IS NULL OR d.org = ?1) AND l.released_at < ?2"
	  " AND NOT EXISTS (SELECT 1 FROM acks a WHERE a.doc = d.doc AND a.rev = d.rev AND a.org = d.org)"
	  " AND NOT EXISTS (SELECT 1 FROM obsoletes o WHERE o.doc = d.doc AND o.rev = d.rev)"
	  " AND " VAULT_INDEX_CLEARED("d.doc", "d.rev", "?3")
	  " ORDER BY l.released_at", { "revision", "org", "released_at" },
	  { "revision", "org" }, -1, 0, 0 },
	{ "expired", "certificate or approval past its expiry date",
	  EXPIRY_ROWS(" < ?4"), { "revision", "type", "org", "expires" },
	  { "revision", "expires" }, -1, 0, 0 },
	{ "expiring", "certificate or approval expires within the window",
	  EXPIRY_ROWS(" BETWEEN ?4 AND ?5"), { "revision", "type", "org", "expires" },
	  { "revision", "expires" }, -1, 1, 0 },
	{ "expired-at-use", "certificate used by a lot after it expired (attached, or the lot shipped)",
	  "SELECT x.c, x.lot, x.used, x.expires, x.supplier FROM (SELECT r.doc || '@' || r.rev AS c,"
	  " k.target AS lot, l.supplier AS supplier, r.expires AS expires,"
	  /* the first day it was used after it expired: attached to the lot, or the lot shipped */
	  " min(coalesce((SELECT date(e.time, 'unixepoch') FROM events e WHERE e.commit_id = k.commit_id"
	  "  AND date(e.time, 'unixepoch') > r.expires), '9999-12-31'),"
	  "  coalesce((SELECT min(a.ship_date) FROM asn_items i JOIN asns a ON a.asn = i.asn"
	  "  WHERE i.lot = k.target AND a.ship_date > r.expires), '9999-12-31')) AS used"
	  " FROM revisions r JOIN links k ON k.doc = r.doc AND k.rev = r.rev AND k.kind = 'lot'"
	  " JOIN lots l ON l.lot = k.target WHERE r.expires IS NOT NULL AND " VAULT_INDEX_IN_FORCE("r")
	  " AND (?1 IS NULL OR l.supplier = ?1) AND " VAULT_INDEX_VISIBLE("r", "?3") ")"
	  " x WHERE x.used < '9999-12-31' ORDER BY x.c, x.lot",
	  { "certificate", "lot", "used", "expires", "supplier" }, { "certificate", "lot" }, -1, 0, 0 },
	{ "attestation-expired", "attestation (export control) past its expiry date, not renewed",
	  ATTEST_ROWS(" < ?4"), { "subject", "name", "attestation", "org", "expires" },
	  { "subject", "name", "attestation", "expires" }, -1, 0, 0 },
	{ "attestation-expiring", "attestation (export control) expires within the window",
	  ATTEST_ROWS(" BETWEEN ?4 AND ?5"), { "subject", "name", "attestation", "org", "expires" },
	  { "subject", "name", "attestation", "expires" }, -1, 1, 0 },
	{ "review-overdue", "controlled document past its review date",
	  REVIEW_ROWS(" < ?4"), { "revision", "type", "review_by" },
	  { "revision", "review_by" }, -1, 0, 0 },
	{ "review-due", "controlled document due for review within the window",
	  REVIEW_ROWS(" BETWEEN ?4 AND ?5"), { "revision", "type", "review_by" },
	  { "revision", "review_by" }, -1, 1, 0 },
	/* the acknowledgments (a supplier's own) and releases (the buying
	 * side's) whose signed bytes have no RFC 3161 token beside them
	 * (stamp.c): written while the TSA did not answer and
	 * qvault.tsaRequired was false, or before a TSA was configured */
	{ "no-timestamp", "acknowledgment or release recorded without a trusted timestamp",
	  "SELECT x.what, x.revision, x.record, x.at FROM ("
	  " SELECT 'acknowledgment' AS what, a.doc || '@' || a.rev AS revision,"
	  "  '" VAULT_ACKS_DIR "/' || a.name || '.sig' AS record,"
	  "  strftime('%Y-%m-%dT%H:%M:%SZ', a.time, 'unixepoch') AS at FROM acks a"
	  "  WHERE (?1 IS NULL OR a.org = ?1) AND (?3 IS NULL OR a.org = ?3)"
	  "  AND " VAULT_INDEX_CLEARED("a.doc", "a.rev", "?3") " AND NOT EXISTS"
	  "  (SELECT 1 FROM timestamps t WHERE t.doc = a.doc AND t.rev = a.rev"
	  "   AND t.name = '" VAULT_ACKS_DIR "/' || a.name || '.sig')"
	  " UNION ALL SELECT 'release', l.doc || '@' || l.rev, '" VAULT_RELEASE_FILE "',"
	  "  strftime('%Y-%m-%dT%H:%M:%SZ', l.released_at, 'unixepoch') FROM releases l"
	  "  WHERE ?1 IS NULL AND ?3 IS NULL AND NOT EXISTS (SELECT 1 FROM timestamps t"
	  "   WHERE t.doc = l.doc AND t.rev = l.rev AND t.name = '" VAULT_RELEASE_FILE "')"
	  ") x ORDER BY x.at, x.revision, x.record", { "what", "revision", "record", "at" },
	  { "revision", "record" }, -1, 0, 1 },
};

#define NGAPS (sizeof(gaps) / sizeof(gaps[0]))

/* The gap kind named `kind`, or -1. */
static int gap_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < NGAPS; i++)
		if (strcmp(gaps[i].kind, kind) == 0)
			return (int)i;
	return -1;
}

/*
 * The id of a gap of kind `k` (gaps[]) made of `keys` (an object with
 * exactly its keys, each a string or an integer): "<kind>-" and the first
 * 16 hex digits of the SHA-256 of the kind and each key's name and value,
 * one a line.  -1 when `keys` is not that.
 */
static int gap_id(char *out, size_t size, size_t k, const json_t *keys)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	vault_buf b = VAULT_BUF_INIT;
	unsigned int mdlen = 0;
	char hex[2 * 8 + 1];
	size_t n;
	int error = 0;

	if (!json_is_object(keys))
		return -1;
	error = vault_buf__addf(&b, "qvault-gap\n%s\n", gaps[k].kind);
	for (n = 0; n < 4 && gaps[k].keys[n] && !error; n++) {
		const json_t *val = json_object_get(keys, gaps[k].keys[n]);

		if (json_is_string(val) && vault__text_ok(json_string_value(val)))
			error = vault_buf__addf(&b, "%s=%s\n", gaps[k].keys[n],
						json_string_value(val));
		else if (json_is_integer(val))
			error = vault_buf__addf(&b, "%s=%lld\n", gaps[k].keys[n],
						(long long)json_integer_value(val));
		else
			error = -1;
	}
	if (!error && json_object_size(keys) != n)
		error = -1;
	if (!error && !EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL))
		error = -1;
	if (!error) {
		vault__hex(hex, md, 8);
		error = vault__fmt(out, size, "gap id", "%s-%s", gaps[k].kind, hex);
	}
	vault_buf__dispose(&b);
	return error;
}

/* Today, YYYY-MM-DD (UTC). */
static void today(char out[11], int64_t now)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), now);
	memcpy(out, when, 10);
	out[10] = '\0';
}

/* The days the expiry gaps are read for: today and the window's last day. */
typedef struct {
	char today[11];
	char until[11];
	int tsa;        /* a TSA is configured: writes without a token are gaps */
} window;

/* The window of `days` from `now`; days < 0: git config qvault.expiryDays. */
static int window_of(window *w, vault *v, int days, int64_t now)
{
	unsigned n = (unsigned)days;
	int error;

	if (days < 0 && (error = vault__expiry_days(&n, v)) < 0)
		return error;
	if (n > 3650)
		return vault_error__set(VAULT_EINVALID, "%u days is more than ten years", n);
	today(w->today, now);
	today(w->until, now + (int64_t)n * 86400);
	/* git config qvault.tsa: the repository's, opened on demand (a read the
	 * index answers alone has none open, whatever --expiry-days says) */
	if ((error = vault__need_store(v)) < 0)
		return error;
	w->tsa = vault_tsa__configured(vault_store__repo(v->store));
	return 0;
}

/*
 * One gap as a row of its query gives it: its records as the viewer sees
 * them, the records that make its id, and whether the viewer sees all of
 * those.
 */
typedef struct {
	size_t kind;
	json_t *records;
	json_t *keys;
	int whole;
	char id[GAP_ID_MAX + 1];
} gap_row;

typedef int (*gap_row_cb)(void *payload, const gap_row *g);

static json_t *column(sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, c));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, c));
	}
}

/* Each gap of `org` (NULL: all) as supplier `own` (NULL: not one) sees it. */
static int each_row(vault *v, const char *org, const char *own, int64_t ack_limit,
		    const window *w, gap_row_cb cb, void *payload)
{
	sqlite3 *db = vault_index__db(v->index);
	size_t i;
	int error = 0;

	for (i = 0; i < NGAPS && !error; i++) {
		sqlite3_stmt *st;
		int rc, c, ncols;

		if (gaps[i].tsa && !w->tsa)
			continue;
		if (sqlite3_prepare_v2(db, gaps[i].sql, -1, &st, NULL) != SQLITE_OK)
			return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ack_limit);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_text(st, 3, own, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(st) >= 4)
			sqlite3_bind_text(st, 4, w->today, -1, SQLITE_STATIC);
		if (sqlite3_bind_parameter_count(st) >= 5)
			sqlite3_bind_text(st, 5, w->until, -1, SQLITE_STATIC);
		for (ncols = 0; ncols < 5 && gaps[i].cols[ncols]; ncols++)
			;
		while (!error && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			gap_row g = { i, json_object(), json_object(), 1, "" };
			size_t k;

			for (c = 0; c < ncols; c++)
				json_object_set_new(g.records, gaps[i].cols[c], column(st, c));
			for (k = 0; k < 4 && gaps[i].keys[k]; k++) {
				int from = -1;

				for (c = 0; c < ncols; c++)
					if (strcmp(gaps[i].cols[c], gaps[i].keys[k]) == 0)
						from = c;
				if (from == gaps[i].truth) {
					if (sqlite3_column_type(st, from) == SQLITE_NULL)
						g.whole = 0;
					from = ncols;
				}
				json_object_set_new(g.keys, gaps[i].keys[k], column(st, from));
			}
			if (gap_id(g.id, sizeof(g.id), i, g.keys) < 0)
				error = vault_error__set(VAULT_ERROR,
							 "a %s gap has a record that is no name",
							 gaps[i].kind);
			else
				error = cb(payload, &g);
			json_decref(g.records);
			json_decref(g.keys);
		}
		if (!error && rc != SQLITE_DONE)
			error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	return error;
}

typedef struct {
	vault *v;
	sqlite3_stmt *waiver;
	char today[11];
	vault_gap_cb cb;
	void *payload;
	json_t *waived;  /* the waived gaps, listed after the open ones */
} audit_ctx;

static const char SQL_WAIVER[] =
	"SELECT reason, until, waived_by, waived_at FROM audit_waivers WHERE gap = ?1"
	" ORDER BY until DESC, waived_at DESC LIMIT 1";

/*
 * The latest-ending waiver of `g` as the viewer may see it (the whole of
 * it when it sees the gap whole), or NULL; whether it holds today.
 */
static int waiver_of(json_t **out, int *holds, audit_ctx *a, const gap_row *g)
{
	sqlite3_stmt *st = a->waiver;
	char at[VAULT_TIME_SIZE];
	const char *until;
	int rc;

	*out = NULL;
	*holds = 0;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, g->id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return vault_error__set(VAULT_ERROR, "index: %s",
					sqlite3_errmsg(vault_index__db(a->v->index)));
	until = (const char *)sqlite3_column_text(st, 1);
	*holds = strcmp(until, a->today) >= 0;
	if (!g->whole) {
		*out = json_pack("{s:s}", "until", until);
		return 0;
	}
	vault_time_format(at, sizeof(at), sqlite3_column_int64(st, 3));
	*out = json_pack("{s:s, s:s, s:s, s:s}", "reason", sqlite3_column_text(st, 0),
			 "until", until, "waived_by", sqlite3_column_text(st, 2), "waived_at", at);
	return 0;
}

static int emit(audit_ctx *a, json_t *gap)
{
	char *text = json_dumps(gap, JSON_SORT_KEYS | JSON_INDENT(2));
	int error;

	if (!text)
		return vault_error__set(VAULT_ERROR, "cannot write the audit");
	error = a->cb(a->payload, text);
	free(text);
	return error;
}

static int audit_row(void *payload, const gap_row *g)
{
	audit_ctx *a = payload;
	json_t *gap, *waiver;
	int holds, error;

	if ((error = waiver_of(&waiver, &holds, a, g)) < 0)
		return error;
	gap = json_pack("{s:s, s:s, s:O, s:o, s:s}", "gap", gaps[g->kind].kind, "what",
			gaps[g->kind].what, "records", g->records,
			"id", g->whole ? json_string(g->id) : json_null(),
			"state", holds ? "waived" : gaps[g->kind].due ? "due" : "open");
	if (!gap) {
		json_decref(waiver);
		return vault_error__set(VAULT_ERROR, "cannot write the audit");
	}
	if (waiver)
		json_object_set_new(gap, "waiver", waiver);
	if (holds)
		return json_array_append_new(a->waived, gap) < 0 ?
		       vault_error__set(VAULT_ERROR, "cannot write the audit") : 0;
	error = emit(a, gap);
	json_decref(gap);
	return error;
}

int vault_audit_each(vault *v, const char *org, unsigned ack_days, int expiry_days,
		     vault_gap_cb cb, void *payload)
{
	audit_ctx a = { v, NULL, "", cb, payload, json_array() };
	char *own = NULL;
	window w;
	size_t i;
	int error;

	if ((org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(&own, v)) < 0)
		goto done;
	if (own && org && strcmp(own, org) != 0) {
		error = vault_error__set(VAULT_EDENIED, "a supplier audits only its own organization");
		goto done;
	}
	if (own)
		org = own; /* a supplier sees only its own records */
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		goto done;
	if ((error = vault_index__stmt(&a.waiver, v->index, SQL_WAIVER)) < 0 ||
	    (error = window_of(&w, v, expiry_days, (int64_t)time(NULL))) < 0)
		goto done;
	today(a.today, (int64_t)time(NULL));
	error = each_row(v, org, own, (int64_t)time(NULL) - (int64_t)ack_days * 86400, &w,
			 audit_row, &a);
	for (i = 0; !error && i < json_array_size(a.waived); i++)
		error = emit(&a, json_array_get(a.waived, i));
done:
	json_decref(a.waived);
	free(own);
	return error;
}

typedef struct {
	json_t *list;
	size_t open;
} collect_ctx;

static int collect_gap(void *payload, const char *gap_json)
{
	collect_ctx *c = payload;
	json_t *gap = json_loads(gap_json, 0, NULL);

	if (!gap)
		return vault_error__set(VAULT_ERROR, "cannot read a gap back");
	if (strcmp(vault_rules__str(gap, "state"), "open") == 0)
		c->open++;
	json_array_append_new(c->list, gap);
	return 0;
}

int vault_audit(char **out, size_t *count, vault *v, const char *org, unsigned ack_days,
		int expiry_days)
{
	collect_ctx c = { json_array(), 0 };
	int error;

	*out = NULL;
	*count = 0;
	if ((error = vault_audit_each(v, org, ack_days, expiry_days, collect_gap, &c)) == 0) {
		*count = c.open;
		if ((*out = json_dumps(c.list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
			error = vault_error__set(VAULT_ERROR, "cannot write the audit");
	}
	json_decref(c.list);
	return error;
}

/* ---- waivers -------------------------------------------------------------- */

/* The id's gap, once found: its kind and the records that make it. */
typedef struct {
	const char *id;
	int kind;
	json_t *keys;
} find_ctx;

static int find_row(void *payload, const gap_row *g)
{
	find_ctx *f = payload;

	if (f->kind >= 0 || strcmp(g->id, f->id) != 0)
		return 0;
	f->kind = (int)g->kind;
	f->keys = json_incref(g->keys);
	return 0;
}

/*
 * Whether `until` (a date, checked) ends a waiver made at `at`: not before
 * that day, and not past the same day a year later.
 */
static int until_ok(const char *until, int64_t at)
{
	char day[11], last[11];
	struct tm tm;
	time_t t = (time_t)at;

	today(day, at);
	gmtime_r(&t, &tm);
	tm.tm_year++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	t = timegm(&tm);
	today(last, (int64_t)t);
	return strcmp(until, day) >= 0 && strcmp(until, last) <= 0;
}

/* waivers/<h>/<h>/<GAP>/<YYYYMMDDTHHMMSSZ>-<signer>.json */
static int waiver_path(char *path, size_t size, const char *id, const char *at,
		       const char *by)
{
	char dir[VAULT_PATH_MAX], stamp[VAULT_TIME_SIZE];
	size_t i, n = 0;

	for (i = 0; at[i]; i++)
		if (at[i] != '-' && at[i] != ':' && n + 1 < sizeof(stamp))
			stamp[n++] = at[i];
	stamp[n] = '\0';
	if (vault_record__dir(dir, sizeof(dir), VAULT_WAIVERS_DIR, id) < 0)
		return -1;
	return vault__fmt(path, size, "path", "%s/%s-%s.json", dir, stamp, by);
}

static int waiver_fields_check(const char *id, const char *reason, const char *until,
			       int64_t now)
{
	int error;

	if ((error = vault_name_check("gap id", id)) < 0)
		return error;
	if (!reason || !*reason)
		return vault_error__set(VAULT_EINVALID, "a waiver needs a reason");
	if ((error = vault_record__text_check("reason", reason, REASON_MAX)) < 0)
		return error;
	if (!until || !*until)
		return vault_error__set(VAULT_EINVALID, "a waiver needs the date it ends");
	if ((error = vault_record__date_check("end date", until)) < 0)
		return error;
	if (!until_ok(until, now)) {
		char day[11];

		today(day, now);
		return vault_error__set(VAULT_EINVALID,
			"a waiver ends between today and a year from today, not on %s (today is %s)",
			until, day);
	}
	return 0;
}

int vault_audit_waive(vault *v, const char *id, const char *reason, const char *until)
{
	find_ctx f = { id, -1, NULL };
	char path[VAULT_PATH_MAX], when[VAULT_TIME_SIZE];
	window w;
	vault_buf message = VAULT_BUF_INIT;
	vault_txn t;
	char *json = NULL;
	size_t len;
	int error;

	if ((error = waiver_fields_check(id, reason, until, (int64_t)time(NULL))) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_QUALITY, "waive audit gaps")) < 0)
		goto done;
	/* quality sees every gap; a release not acknowledged is one at any limit,
	 * an expiry or review coming is one within the window in force */
	if ((error = window_of(&w, v, -1, t.now)) < 0 ||
	    (error = each_row(v, NULL, NULL, t.now, &w, find_row, &f)) < 0)
		goto done;
	if (f.kind < 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "no audit gap '%s'", id);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	if ((error = waiver_path(path, sizeof(path), id, when, t.actor.name)) < 0)
		goto done;
	if (vault_rules__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_EEXISTS, "gap '%s' was waived by %s at %s already",
					 id, t.actor.name, when);
		goto done;
	}
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s}", "record", "audit-waiver",
		"format", 1, "id", id, "gap", gaps[f.kind].kind, "records", f.keys,
		"reason", reason, "until", until, "waived_by", t.actor.name, "org", t.actor.org,
		"waived_at", when))) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message, "audit waive %s until %s\n\nQvault-Op: audit-waive\n",
				     id, until)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	json_decref(f.keys);
	free(json);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS[] =
	"INSERT INTO audit_waivers (gap, reason, until, waived_by, waived_at, commit_id)"
	" VALUES (?1, ?3, ?4, ?5, ?6, ?7)";

/* the parameters of SQL_INS: ?5 the signer, ?6 the time */
static const char SQL_ONCE[] =
	"SELECT commit_id FROM audit_waivers WHERE gap = ?1 AND waived_by = ?5 AND waived_at = ?6";

static int index_waiver(const vault_kind_file *f)
{
	static const char *const fields[] = { "reason", "until", "waived_by", NULL };

	return vault_portal__index_beside(f, SQL_INS, SQL_ONCE, fields, 3, "waived_at", "audit waiver");
}

/* ---- the check ------------------------------------------------------------ */

/*
 * waivers/<h>/<h>/<GAP>/<time>-<signer>.json: by quality (the kind's
 * roles), its id the one its kind and records make, with a reason, ending
 * within a year of when it was signed, stored by its time and signer;
 * the fields and nothing else.
 */
static void check_waiver(const vault_change_ctx *c, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1], id[GAP_ID_MAX + 1], want[VAULT_PATH_MAX];
	size_t n = vault_rules__split(parts, 5, path);
	const char *until;
	json_t *rec = NULL;
	int k;

	if (n != 5 || !vault_rules__fanned(path, VAULT_WAIVERS_DIR, parts[3])) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	until = vault_rules__str(rec, "until");
	if (!rec || strcmp(vault_rules__str(rec, "record"), "audit-waiver") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    json_object_size(rec) != 10 || (k = gap_kind(vault_rules__str(rec, "gap"))) < 0 ||
	    !*vault_rules__str(rec, "reason") ||
	    vault_record__text_check("reason", vault_rules__str(rec, "reason"), REASON_MAX) < 0 ||
	    vault_record__date_check("end date", until) < 0) {
		c->found(c, path, "the audit waiver is malformed");
		goto done;
	}
	if (gap_id(id, sizeof(id), (size_t)k, json_object_get(rec, "records")) < 0 ||
	    strcmp(id, vault_rules__str(rec, "id")) != 0)
		c->found(c, path, "the waiver's id '%s' is not that of its %s gap",
			 vault_rules__str(rec, "id"), vault_rules__str(rec, "gap"));
	else if (waiver_path(want, sizeof(want), id, vault_rules__str(rec, "waived_at"),
			     vault_rules__str(rec, "waived_by")) < 0 ||
		 strcmp(want, path) != 0)
		c->found(c, path, "the waiver of gap '%s' is stored as '%s'", id, path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "waived_by"),
			       vault_rules__str(rec, "org"), vault_rules__str(rec, "waived_at"));
	if (!until_ok(until, vault_portal__time(vault_rules__str(rec, "waived_at"))))
		c->found(c, path, "the waiver of gap '%s' ends on %s, not within a year of %s",
			 vault_rules__str(rec, "id"), until, vault_rules__str(rec, "waived_at"));
done:
	json_decref(rec);
}

const vault_kind vault_kind_audit_waiver = {
	.name = "audit waiver",
	.shape = VAULT_WAIVERS_DIR "/HH/HH/GAP/*.json",
	.roles = VAULT_ROLE_QUALITY,
	.act = "waive audit gaps",
	.ops = "audit-waive",
	.made_by = "audit-waive",
	.index = index_waiver,
	.check = check_waiver,
	.tables = "audit_waivers",
};
