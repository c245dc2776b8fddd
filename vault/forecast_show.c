/*
 * forecast_show.c - a part's schedules as a grid by ISO week, read from
 * the index (`forecast show`).
 *
 * Each bucket's quantity is spread over the days it covers (a daily one:
 * its day; a weekly one: its seven; a monthly or flexible one: each of
 * its days), day k of L getting floor(Q(k+1)/L) - floor(Qk/L), so that a
 * bucket's days add up to its quantity exactly; a week is the sum of its
 * days.  The latest delivery schedule's days replace the forecast's from
 * its first bucket's start to its last bucket's end.  A week's zone is
 * the firmest status of the buckets it touches (firm, trade-off,
 * planning).
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
#include "forecast.h"
#include "output.h"
#include "util.h"

/* the days one series' grid may span: three schedules of at most the span each */
#define DAYS_MAX (3 * VAULT_FORECAST_SPAN_MAX + 7)

static int index_error(vault *v)
{
	return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(v->index)));
}

typedef struct {
	char *start;
	long first, last;   /* days */
	long long qty;
	int status;         /* 1 planning, 2 trade-off, 3 firm */
} bucket;

typedef struct {
	long revision;      /* 0: none */
	json_t *head;       /* issued, reference, unit, ... */
	bucket *b;
	size_t n;
} schedule;

static void schedule_dispose(schedule *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->b[i].start);
	free(s->b);
	json_decref(s->head);
	memset(s, 0, sizeof(*s));
}

static const char *const status_names[] = { "", "planning", "trade-off", "firm" };

static int status_code(const char *s)
{
	return strcmp(s, "firm") == 0 ? 3 : strcmp(s, "trade-off") == 0 ? 2 : 1;
}

static const char SQL_SERIES[] =
	"SELECT DISTINCT supplier, ship_to FROM forecasts WHERE part = ?1"
	" AND (?2 IS NULL OR supplier = ?2) AND (?3 IS NULL OR ship_to = ?3) ORDER BY 1, 2";
static const char SQL_HEAD[] =
	"SELECT revision, issued, reference, unit, horizon_start, horizon_end, authorizations,"
	" last_receipt, cumulative, imported_by, imported_at FROM forecasts WHERE part = ?1"
	" AND supplier = ?2 AND ship_to = ?3 AND schedule = ?4 AND revision <= ?5"
	" ORDER BY revision DESC LIMIT 1";
static const char SQL_BUCKETS[] =
	"SELECT start, end, qty, status FROM forecast_buckets WHERE part = ?1 AND supplier = ?2"
	" AND ship_to = ?3 AND schedule = ?4 AND revision = ?5 ORDER BY pos";
static const char SQL_LAST_COMMIT[] =
	"SELECT seq, revision, signed_by, strftime('%Y-%m-%dT%H:%M:%SZ', signed_at, 'unixepoch')"
	" FROM forecast_acks WHERE part = ?1 AND supplier = ?2 AND ship_to = ?3 AND schedule = ?4"
	" AND decision = ?5 ORDER BY seq DESC LIMIT 1";
static const char SQL_ACK_BUCKETS[] =
	"SELECT start, qty FROM forecast_ack_buckets WHERE part = ?1 AND supplier = ?2"
	" AND ship_to = ?3 AND schedule = ?4 AND seq = ?5 ORDER BY start";
/* received of the part from the supplier's POs by receipts dated after ?3 */
static const char SQL_RECEIVED[] =
	"SELECT coalesce(sum(ri.received), 0) FROM po_lines l JOIN pos p ON p.po = l.po"
	" JOIN receipt_items ri ON ri.po = l.po AND ri.line = l.line"
	" JOIN receipts r ON r.asn = ri.asn WHERE l.part = ?1 AND p.supplier = ?2 AND r.received > ?3";

/* The statements of forecast show, in the order the bench binds them (bench/run 13). */
const char *vault_forecast_show__sql(size_t i)
{
	static const char *const all[] = { SQL_SERIES, SQL_HEAD, SQL_BUCKETS, SQL_LAST_COMMIT,
					   SQL_ACK_BUCKETS, SQL_RECEIVED };

	return i < sizeof(all) / sizeof(all[0]) ? all[i] : NULL;
}

static void bind4(sqlite3_stmt *st, const char *part, const char *supplier, const char *ship_to,
		  const char *kind)
{
	sqlite3_bind_text(st, 1, part, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, supplier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, ship_to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
}

/* A JSON text column as a value, or NULL. */
static json_t *json_col(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? json_loads(t, 0, NULL) : NULL;
}

/* The revision at most `rev` (LONG_MAX: the latest) of one schedule, with its buckets. */
static int load(schedule *s, vault *v, const char *part, const char *supplier,
		const char *ship_to, const char *kind, long rev)
{
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	if (rev < 1)
		return 0;
	if (vault_index__stmt(&st, v->index, SQL_HEAD) < 0)
		return index_error(v);
	bind4(st, part, supplier, ship_to, kind);
	sqlite3_bind_int64(st, 5, rev);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *h = json_pack("{s:I, s:s, s:s}", "revision",
				      (json_int_t)sqlite3_column_int64(st, 0), "issued",
				      (const char *)sqlite3_column_text(st, 1), "unit",
				      (const char *)sqlite3_column_text(st, 3));
		static const struct { int col; const char *name; int is_json; } extra[] = {
			{ 2, "reference", 0 }, { 4, "horizon_start", 0 }, { 5, "horizon_end", 0 },
			{ 6, "authorizations", 1 }, { 7, "last_receipt", 1 }, { 8, "cumulative", 1 },
			{ 9, "imported_by", 0 },
		};
		size_t i;

		for (i = 0; h && i < sizeof(extra) / sizeof(extra[0]); i++)
			if (sqlite3_column_type(st, extra[i].col) != SQLITE_NULL)
				json_object_set_new(h, extra[i].name, extra[i].is_json ?
					json_col(st, extra[i].col) :
					json_string((const char *)sqlite3_column_text(st, extra[i].col)));
		s->revision = (long)sqlite3_column_int64(st, 0);
		s->head = h;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return index_error(v);
	if (!s->revision)
		return 0;
	if (vault_index__stmt(&st, v->index, SQL_BUCKETS) < 0)
		return index_error(v);
	bind4(st, part, supplier, ship_to, kind);
	sqlite3_bind_int64(st, 5, s->revision);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bucket *b;

		if ((s->b = realloc(s->b, (s->n + 1) * sizeof(*s->b))) == NULL)
			abort();
		b = &s->b[s->n++];
		b->start = vault__strdup((const char *)sqlite3_column_text(st, 0));
		b->first = vault_forecast__day(b->start);
		b->last = vault_forecast__day((const char *)sqlite3_column_text(st, 1));
		b->qty = sqlite3_column_int64(st, 2);
		b->status = status_code((const char *)sqlite3_column_text(st, 3));
		/* the index holds only buckets the rule allows: anything else is not spread */
		if (b->first < 0 || b->last < b->first || b->last - b->first >= VAULT_FORECAST_SPAN_MAX ||
		    b->qty < 0 || b->qty > VAULT_FORECAST_QTY_MAX) {
			sqlite3_reset(st);
			return vault_error__set(VAULT_EVERIFY, "the index holds a malformed bucket of "
						"revision %ld of the %s of part '%s' to '%s' for '%s' "
						"(run qvault verify)", s->revision, kind, part,
						ship_to, supplier);
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : index_error(v);
}

/* ---- days and weeks ------------------------------------------------------------------- */

typedef struct {
	long long *qty;     /* per day, from `from` */
	unsigned char *status;
	unsigned char *has;
} days;

static void spread(days *d, long from, const schedule *s)
{
	size_t i;
	long k, len;

	for (i = 0; i < s->n; i++) {
		const bucket *b = &s->b[i];

		len = b->last - b->first + 1;
		for (k = 0; k < len; k++) {
			long at = b->first + k - from;

			d->qty[at] += b->qty * (k + 1) / len - b->qty * k / len;
			d->has[at] = 1;
			if (b->status > d->status[at])
				d->status[at] = b->status;
		}
	}
}

static void days_new(days *d, long n)
{
	d->qty = calloc((size_t)n + 1, sizeof(long long));
	d->status = calloc((size_t)n + 1, 1);
	d->has = calloc((size_t)n + 1, 1);
	if (!d->qty || !d->status || !d->has)
		abort();
}

static void days_free(days *d)
{
	free(d->qty);
	free(d->status);
	free(d->has);
}

/* Monday of day `d`'s week (1970-01-01 was a Thursday). */
static long monday(long d)
{
	return d - ((d % 7 + 7 + 3) % 7);
}

/* "YYYY-Www", the ISO week of the week starting on Monday `m`. */
static void iso_week(char out[9], long m)
{
	char thu[11], jan1[11];
	long y;

	vault_forecast__date(thu, m + 3);
	y = strtol(thu, NULL, 10);
	vault__fmt_message(jan1, sizeof(jan1), "%04ld-01-01", y);
	vault__fmt_message(out, 9, "%04ld-W%02ld", y, (m + 3 - vault_forecast__day(jan1)) / 7 + 1);
}

/* ---- one series: a supplier and ship-to -------------------------------------------------- */

typedef struct {
	vault *v;
	const char *part, *supplier, *ship_to;
	long today;
} series_ctx;

/* The latest answer with `decision` and its buckets, or NULL. */
static int last_answer(json_t **out, series_ctx *x, const char *decision)
{
	sqlite3_stmt *st;
	json_t *a = NULL, *list;
	long seq = 0;
	int rc;

	*out = NULL;
	if (vault_index__stmt(&st, x->v->index, SQL_LAST_COMMIT) < 0)
		return index_error(x->v);
	bind4(st, x->part, x->supplier, x->ship_to, "forecast");
	sqlite3_bind_text(st, 5, decision, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = (long)sqlite3_column_int64(st, 0);
		a = json_pack("{s:I, s:I, s:s, s:s, s:s}", "seq", (json_int_t)seq, "revision",
			      (json_int_t)sqlite3_column_int64(st, 1), "decision", decision,
			      "signed_by", (const char *)sqlite3_column_text(st, 2), "signed_at",
			      (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return index_error(x->v);
	if (!a)
		return 0;
	if (vault_index__stmt(&st, x->v->index, SQL_ACK_BUCKETS) < 0) {
		json_decref(a);
		return index_error(x->v);
	}
	bind4(st, x->part, x->supplier, x->ship_to, "forecast");
	sqlite3_bind_int64(st, 5, seq);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:I}", "start",
			(const char *)sqlite3_column_text(st, 0), "qty",
			(json_int_t)sqlite3_column_int64(st, 1)));
	sqlite3_reset(st);
	json_object_set_new(a, "buckets", list);
	*out = a;
	return 0;
}

/* What changed from `prev` to `cur`, bucket by bucket (matched by start). */
static json_t *changes(const schedule *cur, const schedule *prev)
{
	json_t *list = json_array();
	size_t i, j;

	for (i = 0; i < cur->n; i++) {
		for (j = 0; j < prev->n && strcmp(prev->b[j].start, cur->b[i].start) != 0; j++)
			;
		if (j == prev->n)
			json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "start",
				cur->b[i].start, "change", "new", "qty", (json_int_t)cur->b[i].qty));
		else if (prev->b[j].qty != cur->b[i].qty)
			json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I}", "start",
				cur->b[i].start, "change", cur->b[i].qty > prev->b[j].qty ? "up" : "down",
				"qty", (json_int_t)cur->b[i].qty, "previous",
				(json_int_t)prev->b[j].qty));
	}
	for (j = 0; j < prev->n; j++) {
		for (i = 0; i < cur->n && strcmp(prev->b[j].start, cur->b[i].start) != 0; i++)
			;
		if (i == cur->n)
			json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I}", "start",
				prev->b[j].start, "change", "gone", "qty", (json_int_t)0, "previous",
				(json_int_t)prev->b[j].qty));
	}
	return list;
}

/* Received since the cumulative's start: the record's figure and receipts after it. */
static int received(json_t *out, series_ctx *x, const json_t *head)
{
	const json_t *cum = json_object_get(head, "cumulative");
	const char *asof;
	sqlite3_stmt *st;
	long long since = 0;
	int rc;

	if (!cum)
		return 0;
	asof = json_string_value(json_object_get(cum, "end"));
	if (!asof)
		asof = json_string_value(json_object_get(head, "issued"));
	if (vault_index__stmt(&st, x->v->index, SQL_RECEIVED) < 0)
		return index_error(x->v);
	sqlite3_bind_text(st, 1, x->part, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, x->supplier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, asof, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		since = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return index_error(x->v);
	json_object_set_new(out, "received", json_pack("{s:s, s:s, s:I, s:I, s:I}", "since",
		json_string_value(json_object_get(cum, "start")), "as_of", asof, "recorded",
		json_integer_value(json_object_get(cum, "qty")), "receipts_after", (json_int_t)since,
		"total", json_integer_value(json_object_get(cum, "qty")) + (json_int_t)since));
	return 0;
}

static int one_series(json_t **out, series_ctx *x)
{
	schedule f, p, d;
	days fd, pd, dd;
	json_t *o = NULL, *weeks, *commit = NULL, *counter = NULL, *changed;
	long lo = -1, hi = -1, dlo = -1, dhi = -1, n, m, k;
	long long cum = 0, to_date = 0;
	size_t i;
	int error;

	memset(&fd, 0, sizeof(fd));
	memset(&pd, 0, sizeof(pd));
	memset(&dd, 0, sizeof(dd));
	memset(&p, 0, sizeof(p));
	memset(&d, 0, sizeof(d));
	*out = NULL;
	if ((error = load(&f, x->v, x->part, x->supplier, x->ship_to, "forecast", 0x7fffffffL)) < 0 ||
	    (error = load(&p, x->v, x->part, x->supplier, x->ship_to, "forecast",
			  f.revision - 1)) < 0 ||
	    (error = load(&d, x->v, x->part, x->supplier, x->ship_to, "delivery", 0x7fffffffL)) < 0)
		goto done;
	{
		const schedule *all[] = { &f, &p, &d };
		size_t j;

		for (j = 0; j < 3; j++)
			for (i = 0; i < all[j]->n; i++) {
				if (lo < 0 || all[j]->b[i].first < lo)
					lo = all[j]->b[i].first;
				if (all[j]->b[i].last > hi)
					hi = all[j]->b[i].last;
			}
	}
	for (i = 0; i < d.n; i++) {
		if (dlo < 0 || d.b[i].first < dlo)
			dlo = d.b[i].first;
		if (d.b[i].last > dhi)
			dhi = d.b[i].last;
	}
	o = json_pack("{s:s, s:s}", "supplier", x->supplier, "ship_to", x->ship_to);
	if (f.head)
		json_object_set(o, "forecast", f.head);
	if (d.head)
		json_object_set(o, "delivery", d.head);
	if (p.head)
		json_object_set_new(o, "previous_revision", json_integer(p.revision));
	weeks = json_array();
	json_object_set_new(o, "weeks", weeks);
	if (lo >= 0) {
		lo = monday(lo);
		hi = monday(hi) + 6;
		n = hi - lo + 1;
		if (n > DAYS_MAX) {
			error = vault_error__set(VAULT_EINVALID, "the schedules of part '%s' span more "
						 "than %d days", x->part, DAYS_MAX);
			goto done;
		}
		days_new(&fd, n);
		days_new(&pd, n);
		days_new(&dd, n);
		spread(&fd, lo, &f);
		spread(&pd, lo, &p);
		spread(&dd, lo, &d);
		for (m = lo; m <= hi; m += 7) {
			long long qty = 0, fq = 0, pq = 0, dq = 0;
			int status = 0, any = 0, from_d = 0, from_f = 0, pany = 0, dany = 0;
			char week[9], start[11];
			json_t *w;

			for (k = m - lo; k < m - lo + 7; k++) {
				int superseded = dlo >= 0 && k + lo >= dlo && k + lo <= dhi;

				fq += fd.qty[k];
				pq += pd.qty[k];
				pany |= pd.has[k];
				dq += dd.qty[k];
				dany |= dd.has[k];
				if (superseded && dd.has[k]) {
					qty += dd.qty[k];
					from_d = any = 1;
					if (dd.status[k] > status)
						status = dd.status[k];
				} else if (!superseded && fd.has[k]) {
					qty += fd.qty[k];
					from_f = any = 1;
					if (fd.status[k] > status)
						status = fd.status[k];
				}
			}
			if (!any && !pany)
				continue;
			cum += qty;
			if (m <= x->today)
				to_date = cum;
			iso_week(week, m);
			vault_forecast__date(start, m);
			w = json_pack("{s:s, s:s, s:I, s:I, s:s}", "week", week, "start", start, "qty",
				      (json_int_t)qty, "cum_required", (json_int_t)cum, "source",
				      from_d && from_f ? "delivery+forecast" : from_d ? "delivery" :
				      from_f ? "forecast" : "none");
			if (status)
				json_object_set_new(w, "zone", json_string(status_names[status]));
			if (f.n)
				json_object_set_new(w, "forecast", json_integer(fq));
			/* a week the delivery schedule has no day of shows none, not 0 */
			if (d.n && dany)
				json_object_set_new(w, "delivery", json_integer(dq));
			if (p.revision) {
				json_object_set_new(w, "previous", json_integer(pq));
				json_object_set_new(w, "change", json_integer(fq - pq));
			}
			json_array_append_new(weeks, w);
		}
	}
	json_object_set_new(o, "required_to_date", json_integer(to_date));
	if (f.revision && p.revision)
		json_object_set_new(o, "changes", changes(&f, &p));
	if (f.head && (error = received(o, x, f.head)) < 0)
		goto done;
	if ((error = last_answer(&commit, x, "commit")) < 0 ||
	    (error = last_answer(&counter, x, "counter")) < 0)
		goto done;
	if (commit) {
		/* committed buckets the latest forecast changed */
		json_t *b;

		changed = json_array();
		json_array_foreach(json_object_get(commit, "buckets"), i, b) {
			const char *start = json_string_value(json_object_get(b, "start"));
			json_int_t q = json_integer_value(json_object_get(b, "qty"));
			size_t j;

			for (j = 0; j < f.n && strcmp(f.b[j].start, start) != 0; j++)
				;
			if (j == f.n || f.b[j].qty != q || f.b[j].status != 3)
				json_array_append_new(changed, json_pack("{s:s, s:I, s:I}", "start",
					start, "committed", q, "qty",
					(json_int_t)(j == f.n ? 0 : f.b[j].qty)));
		}
		json_object_set_new(commit, "changed_since", changed);
		json_object_set_new(o, "commitment", commit);
		commit = NULL;
	}
	if (counter) {
		json_object_set_new(o, "counter_proposal", counter);
		counter = NULL;
	}
	*out = o;
	o = NULL;
done:
	json_decref(o);
	json_decref(commit);
	json_decref(counter);
	days_free(&fd);
	days_free(&pd);
	days_free(&dd);
	schedule_dispose(&f);
	schedule_dispose(&p);
	schedule_dispose(&d);
	return error;
}

/* ---- the answer ---------------------------------------------------------------------- */

static void csv_int(vault_output *c, const json_t *w, const char *key)
{
	char num[32];
	const json_t *m = json_object_get(w, key);

	if (!m) {
		vault_output__cell(c, NULL);
		return;
	}
	vault__fmt_message(num, sizeof(num), "%lld", (long long)json_integer_value(m));
	vault_output__cell(c, num);
}

static char *as_csv(const json_t *root)
{
	static const char *const cols[] = { "supplier", "ship_to", "week", "start", "zone", "source",
		"forecast", "delivery", "qty", "previous", "change", "cum_required", NULL };
	vault_output c;
	const json_t *s, *w;
	size_t i, j, k;

	vault_output__init(&c);
	for (k = 0; cols[k]; k++)
		vault_output__cell(&c, cols[k]);
	vault_output__end_row(&c);
	json_array_foreach(json_object_get(root, "schedules"), i, s)
		json_array_foreach(json_object_get(s, "weeks"), j, w) {
			vault_output__cell(&c, json_string_value(json_object_get(s, "supplier")));
			vault_output__cell(&c, json_string_value(json_object_get(s, "ship_to")));
			vault_output__cell(&c, json_string_value(json_object_get(w, "week")));
			vault_output__cell(&c, json_string_value(json_object_get(w, "start")));
			vault_output__cell(&c, json_string_value(json_object_get(w, "zone")));
			vault_output__cell(&c, json_string_value(json_object_get(w, "source")));
			for (k = 6; cols[k]; k++)
				csv_int(&c, w, cols[k]);
			vault_output__end_row(&c);
		}
	return vault_output__detach(&c);
}

int vault_forecast_show(char **out, vault *v, const char *part, const char *org,
			const char *ship_to, const char *today, vault_export_format format)
{
	char *own = NULL, date[11];
	const char *scope;
	sqlite3_stmt *st = NULL;
	json_t *root = NULL, *list;
	series_ctx x;
	long day;
	int rc, error;

	*out = NULL;
	if ((error = vault_name_check("part number", part)) < 0 ||
	    (org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (ship_to && (error = vault_plain_name_check("ship-to", ship_to)) < 0))
		return error;
	if (today) {
		if ((day = vault_forecast__day(today)) < 0)
			return vault_error__set(VAULT_EINVALID, "today '%.10s' is not a date (YYYY-MM-DD)",
						today);
	} else {
		day = (long)(time(NULL) / 86400);
	}
	if ((error = vault__viewer(&own, v)) < 0)
		return error;
	if (own && org && strcmp(own, org) != 0) {
		error = vault_error__set(VAULT_EDENIED,
					 "a supplier sees only its own organization's forecasts");
		goto done;
	}
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		goto done;
	scope = own ? own : org;
	vault_forecast__date(date, day);
	root = json_pack("{s:s, s:s, s:[]}", "part", part, "today", date, "schedules");
	list = json_object_get(root, "schedules");
	if (sqlite3_prepare_v2(vault_index__db(v->index), SQL_SERIES, -1, &st, NULL) != SQLITE_OK) {
		error = index_error(v);
		goto done;
	}
	sqlite3_bind_text(st, 1, part, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ship_to, -1, SQLITE_STATIC);
	x.v = v;
	x.part = part;
	x.ship_to = NULL;
	x.today = day;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *s;
		char *supplier = vault__strdup((const char *)sqlite3_column_text(st, 0));
		char *to = vault__strdup((const char *)sqlite3_column_text(st, 1));

		x.supplier = supplier;
		x.ship_to = to;
		error = one_series(&s, &x);
		free(supplier);
		free(to);
		if (error < 0)
			goto done;
		json_array_append_new(list, s);
	}
	if (rc != SQLITE_DONE) {
		error = index_error(v);
		goto done;
	}
	if (json_array_size(list) == 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "no forecast of part '%s'%s%s%s%s%s", part,
					 scope ? " for '" : "", scope ? scope : "", scope ? "'" : "",
					 ship_to ? " to " : "", ship_to ? ship_to : "");
		goto done;
	}
	if (format == VAULT_EXPORT_CSV)
		*out = as_csv(root);
	else
		*out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!*out)
		error = vault_error__set(VAULT_ERROR, "cannot write the forecast");
done:
	sqlite3_finalize(st);
	json_decref(root);
	free(own);
	return error;
}
