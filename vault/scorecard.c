/*
 * scorecard.c - how each supplier performs, computed by SQL over the index:
 * one query per metric, grouped by supplier, never a loop over records.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "exists.h"
#include "portal.h"
#include "record.h"
#include "util.h"

/* ?1 the organization or NULL, ?2 and ?3 the first and last day or NULL */
#define IN_ORG(col) "(?1 IS NULL OR " col " = ?1)"
#define IN_DAYS(day) "(?2 IS NULL OR " day " >= ?2) AND (?3 IS NULL OR " day " <= ?3)"

/*
 * Every receipt of a lot, with the date it was promised (the latest
 * acceptance of its line, else of its whole PO) and the line's due date.
 */
#define DELIVERIES \
	"WITH d AS (SELECT a.supplier AS org, r.received AS day, ri.shipped AS shipped," \
	" ri.received AS qty, pl.due AS due," \
	" (SELECT k.promise FROM po_acks k WHERE k.po = ri.po AND (k.line = ri.line OR k.line IS NULL)" \
	"  AND k.decision = 'accepted' ORDER BY k.line IS NULL, k.seq DESC, k.signed_at DESC LIMIT 1) AS promise" \
	" FROM receipt_items ri JOIN receipts r ON r.asn = ri.asn JOIN asns a ON a.asn = ri.asn" \
	" JOIN po_lines pl ON pl.po = ri.po AND pl.line = ri.line" \
	" WHERE " IN_ORG("a.supplier") " AND " IN_DAYS("r.received") ")"

typedef struct {
	const char *sql;
	int (*fill)(json_t *s, sqlite3_stmt *row); /* row column 0 is the organization */
} metric;

static json_t *rate(json_int_t part, json_int_t of)
{
	return of ? json_real(floor((double)part / (double)of * 10000.0 + 0.5) / 10000.0) : json_null();
}

static json_t *days(sqlite3_stmt *row, int col)
{
	return sqlite3_column_type(row, col) == SQLITE_NULL ? json_null() :
		json_real(floor(sqlite3_column_double(row, col) * 100.0 + 0.5) / 100.0);
}

static json_int_t num(sqlite3_stmt *row, int col)
{
	return (json_int_t)sqlite3_column_int64(row, col);
}

static int fill_deliveries(json_t *s, sqlite3_stmt *row)
{
	json_int_t n = num(row, 1), promised = num(row, 2), kept = num(row, 3), due = num(row, 4),
		by_due = num(row, 5), exact = num(row, 6);

	json_object_set_new(s, "deliveries", json_integer(n));
	json_object_set_new(s, "on_time_promised", json_pack("{s:I, s:I, s:o}", "on_time", kept,
							     "of", promised, "rate", rate(kept, promised)));
	json_object_set_new(s, "on_time_due", json_pack("{s:I, s:I, s:o}", "on_time", by_due,
							"of", due, "rate", rate(by_due, due)));
	json_object_set_new(s, "quantity_accuracy", json_pack("{s:I, s:I, s:o}", "exact", exact,
							      "of", n, "rate", rate(exact, n)));
	return 0;
}

static int fill_month(json_t *s, sqlite3_stmt *row)
{
	json_int_t of = num(row, 2), on_time = num(row, 3);

	json_array_append_new(json_object_get(s, "months"), json_pack("{s:s, s:I, s:I, s:I, s:o}",
		"month", (const char *)sqlite3_column_text(row, 1), "deliveries", num(row, 4),
		"on_time", on_time, "of", of, "rate", rate(on_time, of)));
	return 0;
}

static int fill_ack_days(json_t *s, sqlite3_stmt *row, const char *key)
{
	json_object_set_new(s, key, json_pack("{s:o, s:o, s:I}", "average", days(row, 1),
					      "worst", days(row, 2), "count", num(row, 3)));
	return 0;
}

static int fill_drawing_ack(json_t *s, sqlite3_stmt *row)
{
	return fill_ack_days(s, row, "drawing_ack_days");
}

static int fill_po_ack(json_t *s, sqlite3_stmt *row)
{
	return fill_ack_days(s, row, "po_ack_days");
}

static int fill_fai(json_t *s, sqlite3_stmt *row)
{
	json_object_set_new(s, "fai_first_pass", json_pack("{s:I, s:I, s:o}", "passed", num(row, 2),
							   "of", num(row, 1),
							   "rate", rate(num(row, 2), num(row, 1))));
	return 0;
}

static int fill_ncrs(json_t *s, sqlite3_stmt *row)
{
	json_object_set_new(s, "ncrs", json_pack("{s:I, s:I}", "total", num(row, 1), "open", num(row, 2)));
	return 0;
}

static int fill_no_coc(json_t *s, sqlite3_stmt *row)
{
	json_object_set_new(json_object_get(s, "certificate_gaps"), "no_coc", json_integer(num(row, 1)));
	return 0;
}

static int fill_no_mtr(json_t *s, sqlite3_stmt *row)
{
	json_object_set_new(json_object_get(s, "certificate_gaps"), "no_material_cert",
			    json_integer(num(row, 1)));
	return 0;
}

static int fill_schedule(json_t *s, sqlite3_stmt *row)
{
	json_int_t of = num(row, 1), early = num(row, 2), on_time = num(row, 3), late = num(row, 4),
		short_ = num(row, 5);

	json_object_set_new(s, "schedule_adherence", json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}",
		"of", of, "early", early, "on_time", on_time, "late", late, "short", short_,
		"rate", rate(on_time, of)));
	return 0;
}

/*
 * The firm buckets in force that have ended (before today): of the latest
 * revision of each schedule, a forecast's giving way to the delivery
 * schedule's where that covers them; each with the cumulative firm
 * quantity of its supplier's part through it, and what the supplier
 * shipped of the part (ship notices in force) since the first of them:
 * before the bucket began, by its end, by today.
 */
#define LATEST(t, kind) \
	t ".revision = (SELECT max(f.revision) FROM forecasts f WHERE f.part = " t ".part" \
	" AND f.supplier = " t ".supplier AND f.ship_to = " t ".ship_to AND f.schedule = " kind ")"
#define SHIPPED(cond) \
	"(SELECT coalesce(sum(i.qty), 0) FROM asns a JOIN asn_items i ON i.asn = a.asn" \
	" WHERE a.supplier = c.org AND i.part = c.part AND i.in_force" \
	" AND a.ship_date >= c.first AND " cond ")"
#define FIRM_BUCKETS \
	"WITH b AS (SELECT fb.supplier AS org, fb.part AS part, fb.start AS start, fb.end AS end," \
	" fb.qty AS qty FROM forecast_buckets fb WHERE fb.status = 'firm' AND " IN_ORG("fb.supplier") \
	" AND fb.end < date('now') AND " LATEST("fb", "fb.schedule") \
	" AND NOT (fb.schedule = 'forecast' AND EXISTS (SELECT 1 FROM forecast_buckets d" \
	"  WHERE d.schedule = 'delivery' AND d.part = fb.part AND d.supplier = fb.supplier" \
	"  AND d.ship_to = fb.ship_to AND d.start <= fb.end AND d.end >= fb.start" \
	"  AND " LATEST("d", "'delivery'") "))), " \
	"c AS (SELECT org, part, start, end, sum(qty) OVER (PARTITION BY org, part ORDER BY start, end" \
	" ROWS UNBOUNDED PRECEDING) AS req, min(start) OVER (PARTITION BY org, part) AS first FROM b), " \
	"s AS (SELECT org, end, req, " SHIPPED("a.ship_date < c.start") " AS before, " \
	SHIPPED("a.ship_date <= c.end") " AS by_end, " SHIPPED("1") " AS since FROM c)"

static const metric metrics[] = {
	/*
	 * schedule adherence, each ended firm bucket: early when what was
	 * shipped before it began already covered it, on time when what was
	 * shipped by its end did, late when what was shipped since did,
	 * short when that does not
	 */
	{ FIRM_BUCKETS " SELECT org, count(*), sum(before >= req), sum(before < req AND by_end >= req),"
	  " sum(by_end < req AND since >= req), sum(since < req) FROM s WHERE " IN_DAYS("end")
	  " GROUP BY org", fill_schedule },
	{ DELIVERIES " SELECT org, count(*), count(promise), sum(promise IS NOT NULL AND day <= promise),"
	  " count(due), sum(due IS NOT NULL AND day <= due), sum(qty = shipped) FROM d GROUP BY org",
	  fill_deliveries },
	/* on time: by the promise, else by the due date */
	{ DELIVERIES " SELECT org, substr(day, 1, 7) AS month, count(coalesce(promise, due)),"
	  " sum(day <= coalesce(promise, due)), count(*) FROM d GROUP BY org, month ORDER BY org, month",
	  fill_month },
	{ "SELECT org, avg(days), max(days), count(*) FROM (SELECT d.org AS org,"
	  " (min(a.time) - l.released_at) / 86400.0 AS days FROM distribution d"
	  " JOIN releases l ON l.doc = d.doc AND l.rev = d.rev"
	  " JOIN acks a ON a.doc = d.doc AND a.rev = d.rev AND a.org = d.org"
	  " WHERE " IN_ORG("d.org") " AND " IN_DAYS("date(l.released_at, 'unixepoch')")
	  " GROUP BY d.org, d.doc, d.rev) GROUP BY org", fill_drawing_ack },
	{ "SELECT org, avg(days), max(days), count(*) FROM (SELECT p.supplier AS org,"
	  " (min(k.signed_at) - p.created_at) / 86400.0 AS days FROM pos p"
	  " JOIN po_acks k ON k.po = p.po"
	  " WHERE " IN_ORG("p.supplier") " AND " IN_DAYS("date(p.created_at, 'unixepoch')")
	  " GROUP BY p.po) GROUP BY org", fill_po_ack },
	/*
	 * an FAI passes first time when the buying side accepted the first
	 * revision of its report; of those with a disposition (one waiting
	 * for it counts neither way)
	 */
	{ "SELECT r.org, count(*), sum(d.decision = 'accepted') FROM fais f"
	  " JOIN revisions r ON r.doc = f.doc AND r.rev = f.rev"
	  " JOIN fai_dispositions d ON d.doc = f.doc AND d.rev = f.rev"
	  " WHERE r.org IS NOT NULL AND " IN_ORG("r.org") " AND " IN_DAYS("date(r.added_at, 'unixepoch')")
	  " AND r.seq = (SELECT min(r2.seq) FROM fais f2 JOIN revisions r2 ON r2.doc = f2.doc"
	  "  AND r2.rev = f2.rev WHERE f2.doc = f.doc) GROUP BY r.org", fill_fai },
	{ "SELECT n.supplier, count(*), sum(c.ncr IS NULL) FROM ncrs n"
	  " LEFT JOIN ncr_closes c ON c.ncr = n.ncr"
	  " WHERE " IN_ORG("n.supplier") " AND " IN_DAYS("date(n.opened_at, 'unixepoch')")
	  " GROUP BY n.supplier", fill_ncrs },
	/* certificate gaps as `audit` finds them, as of now */
	{ "SELECT l.supplier, count(*) FROM lots l WHERE " IN_ORG("l.supplier")
	  " AND (?2 IS NULL OR 1) AND (?3 IS NULL OR 1)"
	  " AND NOT " VAULT_INDEX_LOT_HAS_COC("l.lot") " GROUP BY l.supplier",
	  fill_no_coc },
	/* material lots without a certificate, each counted once per supplier that drew from it */
	{ "SELECT l.supplier, count(DISTINCT i.input) FROM lot_inputs i JOIN lots l ON l.lot = i.lot"
	  " WHERE " IN_ORG("l.supplier") " AND (?2 IS NULL OR 1) AND (?3 IS NULL OR 1)"
	  /* as audit: a certificate filed by or for the supplier that drew from it */
	  " AND NOT EXISTS (SELECT 1 FROM links k"
	  "  JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev WHERE k.kind = 'lot'"
	  "  AND k.target = i.input AND r.type = 'material-cert'"
	  "  AND " VAULT_INDEX_FILED_FOR("r", "l.supplier") ")"
	  " AND NOT EXISTS (SELECT 1 FROM certs c JOIN revisions r ON r.doc = c.doc AND r.rev = c.rev"
	  "  WHERE c.heat = i.input AND " VAULT_INDEX_FILED_FOR("r", "l.supplier") ") GROUP BY l.supplier",
	  fill_no_mtr },
};

static const char suppliers_sql[] =
	"SELECT supplier FROM pos WHERE " IN_ORG("supplier")
	" AND (?2 IS NULL OR 1) AND (?3 IS NULL OR 1) GROUP BY supplier"
	" UNION SELECT org FROM distribution WHERE " IN_ORG("org");

const char *vault_scorecard__sql(size_t i)
{
	if (i == 0)
		return suppliers_sql;
	return i <= sizeof(metrics) / sizeof(metrics[0]) ? metrics[i - 1].sql : NULL;
}

/* A supplier's card before any metric: zeros and nulls. */
static json_t *empty_card(const char *org)
{
	return json_pack("{s:s, s:i, s:{s:i, s:i, s:n}, s:{s:i, s:i, s:n}, s:{s:i, s:i, s:n},"
			 " s:{s:n, s:n, s:i}, s:{s:n, s:n, s:i}, s:{s:i, s:i, s:n}, s:{s:i, s:i},"
			 " s:{s:i, s:i}, s:[], s:{s:i, s:i, s:i, s:i, s:i, s:n}}",
			 "org", org, "deliveries", 0,
			 "on_time_promised", "on_time", 0, "of", 0, "rate",
			 "on_time_due", "on_time", 0, "of", 0, "rate",
			 "quantity_accuracy", "exact", 0, "of", 0, "rate",
			 "drawing_ack_days", "average", "worst", "count", 0,
			 "po_ack_days", "average", "worst", "count", 0,
			 "fai_first_pass", "passed", 0, "of", 0, "rate",
			 "ncrs", "total", 0, "open", 0,
			 "certificate_gaps", "no_coc", 0, "no_material_cert", 0,
			 "months",
			 "schedule_adherence", "of", 0, "early", 0, "on_time", 0, "late", 0, "short", 0,
			 "rate");
}

static int run_query(json_t *cards, sqlite3 *db, const char *sql, const char *org,
		     const char *from, const char *to, int (*fill)(json_t *, sqlite3_stmt *))
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 0);
		json_t *card;

		if (!who)
			continue;
		if ((card = json_object_get(cards, who)) == NULL) {
			card = empty_card(who);
			json_object_set_new(cards, who, card);
		}
		if (fill)
			fill(card, st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
}

int vault_scorecard(char **out, vault *v, const char *org, const char *from, const char *to)
{
	sqlite3 *db = vault_index__db(v->index);
	json_t *cards = json_object(), *list = json_array(), *root = NULL;
	const char *key;
	json_t *card;
	char *own = NULL;
	size_t i;
	int error;

	*out = NULL;
	if ((org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (from && (error = vault_record__date_check("--from date", from)) < 0) ||
	    (to && (error = vault_record__date_check("--to date", to)) < 0) ||
	    (error = vault__viewer(&own, v)) < 0)
		goto done;
	if (from && to && strcmp(from, to) > 0) {
		error = vault_error__set(VAULT_EINVALID, "the period ends (%s) before it begins (%s)", to, from);
		goto done;
	}
	if (own && org && strcmp(own, org) != 0) {
		error = vault_error__set(VAULT_EDENIED, "a supplier sees only its own organization's scorecard");
		goto done;
	}
	if (own)
		org = own;
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		goto done;
	/* every supplier with a PO or a distributed revision has a card */
	if ((error = run_query(cards, db, suppliers_sql, org, from, to, NULL)) < 0)
		goto done;
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if ((error = run_query(cards, db, metrics[i].sql, org, from, to, metrics[i].fill)) < 0)
			goto done;
	json_object_foreach(cards, key, card)
		json_array_append(list, card);
	{
		/* by organization: a hash table's order is not the reader's */
		size_t n = json_array_size(list), a, b;

		for (a = 1; a < n; a++)
			for (b = a; b > 0 && strcmp(json_string_value(json_object_get(json_array_get(list, b - 1), "org")),
						    json_string_value(json_object_get(json_array_get(list, b), "org"))) > 0; b--) {
				json_t *x = json_incref(json_array_get(list, b - 1));

				json_array_set(list, b - 1, json_array_get(list, b));
				json_array_set_new(list, b, x);
			}
	}
	root = json_pack("{s:O, s:s?, s:s?, s:s?}", "suppliers", list, "org", org, "from", from,
			 "to", to);
	if (!root || (*out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write the scorecard");
done:
	json_decref(root);
	json_decref(list);
	json_decref(cards);
	free(own);
	return error;
}
