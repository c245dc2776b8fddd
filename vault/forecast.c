/*
 * forecast.c - forecasts and delivery schedules as records (forecast.h):
 * reading an import file into the import schema's shape, checking it,
 * writing every schedule as the next revision of its record in one
 * commit; a supplier's answer to a revision; the index of both and the
 * check verify and the write path hold each of them to.
 */
#include "forecast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "act.h"
#include "common.h"
#include "error.h"
#include "index.h"
#include "input.h"
#include "kind.h"
#include "kinds.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "sign.h"
#include "txn.h"
#include "user.h"
#include "util.h"
#include "x12.h"
#include "x12_write.h"

#define QTY_MAX VAULT_FORECAST_QTY_MAX
#define BUCKETS_MAX 1000
#define NOTE_MAX 4096

/* ---- dates ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(long y, unsigned m)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

long vault_forecast__day(const char *s)
{
	long y;
	unsigned m, d;
	size_t i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return -1;
	return days_from_civil(y, m, d);
}

void vault_forecast__date(char out[11], long z)
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	vault__fmt_message(out, 11, "%04ld-%02ld-%02ld", y % 10000, m, d);
}

/* The last day a bucket of `period` starting on day `start` covers; -1: none implied. */
static long implied_end(const char *period, long start)
{
	char date[11];
	long y;
	unsigned m;

	if (strcmp(period, "daily") == 0)
		return start;
	if (strcmp(period, "weekly") == 0)
		return start + 6;
	if (strcmp(period, "monthly") == 0) {
		vault_forecast__date(date, start);
		y = strtol(date, NULL, 10);
		m = (unsigned)strtoul(date + 5, NULL, 10);
		return days_from_civil(y, m, month_days(y, m));
	}
	return -1;
}

/* ---- the rules of a schedule ------------------------------------------------ */

/* `s` for a message: cut, its control bytes as '?', "" for NULL. */
static const char *cut(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static int one_of(const char *s, const char *const *names)
{
	size_t i;

	for (i = 0; s && names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

static const char *const periods[] = { "daily", "weekly", "monthly", "flexible", NULL };
static const char *const statuses[] = { "firm", "planning", "trade-off", NULL };
static const char *const schedules[] = { "forecast", "delivery", NULL };

/* A quantity member: -1 when it is not a whole number, -2 when negative, -3 too large. */
static int qty_of(long long *q, const json_t *o, const char *key)
{
	json_t *m = json_object_get(o, key);

	if (!json_is_integer(m))
		return -1;
	*q = json_integer_value(m);
	return *q < 0 ? -2 : *q > QTY_MAX ? -3 : 0;
}

static int qty_message(char *msg, size_t size, int rc, const char *where, long long q)
{
	if (rc == -1)
		vault__fmt_message(msg, size, "%squantity is not a whole number", where);
	else if (rc == -2)
		vault__fmt_message(msg, size, "%squantity %lld is negative", where, q);
	else
		vault__fmt_message(msg, size, "%squantity %lld is over %lld", where, q, QTY_MAX);
	return -1;
}

int vault_forecast__check_buckets(char *msg, size_t size, const json_t *buckets, int delivery)
{
	const json_t *b;
	long prev_end = -1, first = -1, start, end, implied;
	char where[64], shown[40];
	const char *period, *status, *time, *s, *prev_time = NULL;
	long long q = 0;
	size_t i;
	int rc;

	if (!json_is_array(buckets) || json_array_size(buckets) == 0)
		return vault__fmt_message(msg, size, "the schedule has no buckets"), -1;
	if (json_array_size(buckets) > BUCKETS_MAX)
		return vault__fmt_message(msg, size, "the schedule has %zu buckets, over %d",
					  json_array_size(buckets), BUCKETS_MAX), -1;
	json_array_foreach(buckets, i, b) {
		vault__fmt_message(where, sizeof(where), "bucket %zu: ", i + 1);
		if (!json_is_object(b))
			return vault__fmt_message(msg, size, "%snot an object", where), -1;
		period = json_string_value(json_object_get(b, "period"));
		status = json_string_value(json_object_get(b, "status"));
		time = json_string_value(json_object_get(b, "time"));
		s = json_string_value(json_object_get(b, "start"));
		if ((start = vault_forecast__day(s)) < 0)
			return vault__fmt_message(msg, size, "%sstart '%s' is not a date (YYYY-MM-DD)",
						  where, cut(shown, sizeof(shown), s)), -1;
		if (!one_of(period, periods))
			return vault__fmt_message(msg, size, "%speriod '%s' is not daily, weekly, "
						  "monthly or flexible", where,
						  cut(shown, sizeof(shown), period)), -1;
		if (!one_of(status, statuses))
			return vault__fmt_message(msg, size, "%sstatus '%s' is not firm, planning or "
						  "trade-off", where,
						  cut(shown, sizeof(shown), status)), -1;
		if ((rc = qty_of(&q, b, "qty")) < 0)
			return qty_message(msg, size, rc, where, q);
		s = json_string_value(json_object_get(b, "end"));
		if (!s && strcmp(period, "flexible") == 0)
			return vault__fmt_message(msg, size, "%sa flexible bucket needs an end", where),
			       -1;
		if ((end = vault_forecast__day(s)) < 0)
			return vault__fmt_message(msg, size, "%send '%s' is not a date (YYYY-MM-DD)",
						  where, cut(shown, sizeof(shown), s)), -1;
		implied = implied_end(period, start);
		if (end < start)
			return vault__fmt_message(msg, size, "%sit ends before it starts", where), -1;
		if (implied >= 0 && end != implied)
			return vault__fmt_message(msg, size, "%sa %s bucket from %s ends on its %s, not %s",
						  where, period,
						  json_string_value(json_object_get(b, "start")),
						  strcmp(period, "monthly") == 0 ? "month's last day" :
						  strcmp(period, "weekly") == 0 ? "seventh day" : "start",
						  s), -1;
		/* just-in-time deliveries: daily buckets of one day, each at a later time */
		if (prev_end >= 0 && start <= prev_end &&
		    !(start == prev_end && prev_time && time && strcmp(period, "daily") == 0 &&
		      strcmp(time, prev_time) > 0))
			return vault__fmt_message(msg, size, "%sstarts on %s%s%s, before bucket %zu ends "
						  "(buckets overlap or are out of order)", where,
						  json_string_value(json_object_get(b, "start")),
						  time && prev_time ? " at " : "",
						  time && prev_time ? time : "", i), -1;
		if (first < 0)
			first = start;
		if (end - first >= VAULT_FORECAST_SPAN_MAX)
			return vault__fmt_message(msg, size, "%sthe schedule spans more than %d days",
						  where, VAULT_FORECAST_SPAN_MAX), -1;
		if (delivery && strcmp(status, "firm") != 0)
			return vault__fmt_message(msg, size, "%sa delivery schedule's buckets are firm, "
						  "not %s", where, status), -1;
		if (time && (strcmp(period, "daily") != 0 || strlen(time) != 5 ||
			     time[0] < '0' || time[0] > '2' || time[1] < '0' || time[1] > '9' ||
			     time[2] != ':' || time[3] < '0' || time[3] > '5' || time[4] < '0' ||
			     time[4] > '9'))
			return vault__fmt_message(msg, size, "%sa time (HH:MM) goes with a daily bucket "
						  "only", where), -1;
		if (json_object_get(b, "time") && !time)
			return vault__fmt_message(msg, size, "%sits time is not a string", where), -1;
		prev_end = end;
		prev_time = time;
	}
	return 0;
}

static const char *const schedule_keys[] = { "schedule", "supplier", "part", "ship_to",
	"reference", "issued", "horizon_start", "horizon_end", "unit", "buckets",
	"authorizations", "last_receipt", "cumulative", NULL };
static const char *const bucket_keys[] = { "start", "end", "period", "qty", "status", "time",
	NULL };

/* Every member of `o` is one of `keys`; else the message names the first other. */
static int only_keys(const json_t *o, const char *const *keys, const char *what)
{
	const char *k;
	json_t *m;
	char shown[40];

	json_object_foreach((json_t *)o, k, m) {
		(void)m;
		if (!one_of(k, keys))
			return vault_error__set(VAULT_EINVALID, "%s has an unknown field '%s'", what,
						cut(shown, sizeof(shown), k));
	}
	return 0;
}

/* A date member, required or not. */
static int date_member(const json_t *o, const char *key, int required, const char *what)
{
	json_t *m = json_object_get(o, key);
	char name[96], shown[40];

	if (!m && !required)
		return 0;
	vault__fmt_message(name, sizeof(name), "%s%s", what, key);
	if (!m)
		return vault_error__set(VAULT_EINVALID, "%s is missing", name);
	if (vault_forecast__day(json_string_value(m)) < 0)
		return vault_error__set(VAULT_EINVALID, "%s '%s' is not a date (YYYY-MM-DD)", name,
					cut(shown, sizeof(shown), json_string_value(m)));
	return 0;
}

static int qty_member(const json_t *o, const char *what)
{
	char msg[160];
	long long q = 0;
	int rc = qty_of(&q, o, "qty");

	if (rc == 0)
		return 0;
	qty_message(msg, sizeof(msg), rc, what, q);
	return vault_error__set(VAULT_EINVALID, "%s", msg);
}

static int check_extras(const json_t *s)
{
	const json_t *a, *o;
	const char *kind;
	int seen[2] = { 0, 0 }, error;
	size_t i;

	if ((a = json_object_get(s, "authorizations")) != NULL) {
		if (!json_is_array(a) || json_array_size(a) > 2)
			return vault_error__set(VAULT_EINVALID, "authorizations is not a list of at "
						"most two");
		json_array_foreach(a, i, o) {
			static const char *const keys[] = { "kind", "qty", "through", "start", NULL };

			if (!json_is_object(o))
				return vault_error__set(VAULT_EINVALID, "authorization %zu is not an "
							"object", i + 1);
			if ((error = only_keys(o, keys, "an authorization")) < 0 ||
			    (error = qty_member(o, "authorization: ")) < 0 ||
			    (error = date_member(o, "through", 1, "authorization ")) < 0 ||
			    (error = date_member(o, "start", 0, "authorization ")) < 0)
				return error;
			kind = json_string_value(json_object_get(o, "kind"));
			if (!kind || (strcmp(kind, "fabrication") != 0 && strcmp(kind, "material") != 0))
				return vault_error__set(VAULT_EINVALID, "an authorization's kind is "
							"fabrication or material");
			if (seen[*kind == 'm']++)
				return vault_error__set(VAULT_EINVALID, "the %s authorization is given "
							"twice", kind);
		}
	}
	if ((o = json_object_get(s, "last_receipt")) != NULL) {
		static const char *const keys[] = { "date", "qty", "shipment", NULL };
		const json_t *sh = json_object_get(o, "shipment");

		if (!json_is_object(o))
			return vault_error__set(VAULT_EINVALID, "last_receipt is not an object");
		if ((error = only_keys(o, keys, "last_receipt")) < 0 ||
		    (error = date_member(o, "date", 1, "last_receipt ")) < 0 ||
		    (error = qty_member(o, "last_receipt: ")) < 0 ||
		    (sh && (error = vault_plain_name_check("shipment", json_string_value(sh))) < 0))
			return error;
	}
	if ((o = json_object_get(s, "cumulative")) != NULL) {
		static const char *const keys[] = { "qty", "start", "end", NULL };

		if (!json_is_object(o))
			return vault_error__set(VAULT_EINVALID, "cumulative is not an object");
		if ((error = only_keys(o, keys, "cumulative")) < 0 ||
		    (error = qty_member(o, "cumulative: ")) < 0 ||
		    (error = date_member(o, "start", 1, "cumulative ")) < 0 ||
		    (error = date_member(o, "end", 0, "cumulative ")) < 0)
			return error;
	}
	return 0;
}

int vault_forecast__normalize(json_t *s)
{
	static const char *const names[] = { "supplier", "part", "ship_to", NULL };
	json_t *buckets, *b, *unit, *ref;
	char msg[256], date[11];
	const char *kind, *u;
	size_t i;
	long start;
	int error;

	if (!json_is_object(s))
		return vault_error__set(VAULT_EINVALID, "not an object");
	if ((error = only_keys(s, schedule_keys, "the schedule")) < 0)
		return error;
	kind = json_string_value(json_object_get(s, "schedule"));
	if (!one_of(kind, schedules))
		return vault_error__set(VAULT_EINVALID, "schedule is forecast or delivery");
	for (i = 0; names[i]; i++) {
		if (!json_object_get(s, names[i]))
			return vault_error__set(VAULT_EINVALID, "%s is missing", names[i]);
		/* the part as given; a supplier and a ship-to keep the plain rule */
		if ((error = (strcmp(names[i], "part") == 0 ? vault_name_check :
			      vault_plain_name_check)(names[i], json_string_value(json_object_get(s,
								names[i])))) < 0)
			return error;
	}
	if ((ref = json_object_get(s, "reference")) != NULL &&
	    (error = vault_plain_name_check("reference", json_string_value(ref))) < 0)
		return error;
	if ((error = date_member(s, "issued", 1, "")) < 0 ||
	    (error = date_member(s, "horizon_start", 0, "")) < 0 ||
	    (error = date_member(s, "horizon_end", 0, "")) < 0)
		return error;
	unit = json_object_get(s, "unit");
	u = json_string_value(unit);
	if (unit && (!u || strlen(u) != 2 || strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != 2))
		return vault_error__set(VAULT_EINVALID, "unit is two capital letters or digits (UIT01)");
	if (!unit)
		json_object_set_new(s, "unit", json_string("EA"));
	buckets = json_object_get(s, "buckets");
	if (!buckets)
		return vault_error__set(VAULT_EINVALID, "buckets is missing");
	json_array_foreach(buckets, i, b) {
		const char *period = json_string_value(json_object_get(b, "period"));
		long end;

		if (!json_is_object(b))
			continue;
		if ((error = only_keys(b, bucket_keys, "a bucket")) < 0)
			return vault_error__set(error, "bucket %zu: %s", i + 1, vault_error_message());
		if (json_object_get(b, "end") || !period ||
		    (start = vault_forecast__day(json_string_value(json_object_get(b, "start")))) < 0 ||
		    (end = implied_end(period, start)) < 0)
			continue;
		vault_forecast__date(date, end);
		json_object_set_new(b, "end", json_string(date));
	}
	if (vault_forecast__check_buckets(msg, sizeof(msg), buckets, strcmp(kind, "delivery") == 0) < 0)
		return vault_error__set(VAULT_EINVALID, "%s", msg);
	return check_extras(s);
}

/* ---- reading an import file --------------------------------------------------- */

static const char *const csv_columns[] = { "supplier", "part", "ship_to", "schedule", "issued",
	"start", "end", "period", "qty", "status", "unit", "reference" };

typedef struct {
	json_t *list;
	json_t *cur;     /* the schedule the rows before belong to */
} csv_state;

static int same(const json_t *s, const char *key, const char *value)
{
	const char *had = json_string_value(json_object_get(s, key));

	return had ? strcmp(had, value) == 0 : !*value;
}

/* A CSV quantity as JSON: a whole number (negative ones kept, for the rule to name). */
static json_t *csv_qty(const char *s, size_t row)
{
	char *end;
	long long q;

	if (!*s || strspn(s, "-0123456789") != strlen(s)) {
		vault_error__set(VAULT_EINVALID, "row %zu: quantity '%.32s' is not a whole number",
				 row, s);
		return NULL;
	}
	q = strtoll(s, &end, 10);
	if (*end || q > QTY_MAX * 10 || q < -QTY_MAX * 10) {
		vault_error__set(VAULT_EINVALID, "row %zu: quantity '%.32s' is out of range", row, s);
		return NULL;
	}
	return json_integer(q);
}

static int on_csv_row(void *payload, const char *const *f, size_t row)
{
	csv_state *st = payload;
	json_t *b, *q;

	if (!st->cur || !same(st->cur, "supplier", f[0]) || !same(st->cur, "part", f[1]) ||
	    !same(st->cur, "ship_to", f[2]) || !same(st->cur, "schedule", f[3])) {
		st->cur = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[]}", "supplier", f[0], "part", f[1],
				    "ship_to", f[2], "schedule", f[3], "issued", f[4], "buckets");
		if (!st->cur)
			return vault_error__set(VAULT_EINVALID, "row %zu is not valid UTF-8", row);
		if (*f[10])
			json_object_set_new(st->cur, "unit", json_string(f[10]));
		if (*f[11])
			json_object_set_new(st->cur, "reference", json_string(f[11]));
		json_array_append_new(st->list, st->cur);
	} else if (!same(st->cur, "issued", f[4]) || !same(st->cur, "unit", f[10]) ||
		   !same(st->cur, "reference", f[11])) {
		return vault_error__set(VAULT_EINVALID, "row %zu: the issued date, unit and reference "
					"of a schedule's rows are the same", row);
	}
	if ((q = csv_qty(f[8], row)) == NULL)
		return VAULT_EINVALID;
	b = json_pack("{s:s, s:s, s:o, s:s}", "start", f[5], "period", f[7], "qty", q,
		      "status", f[9]);
	if (!b)
		return vault_error__set(VAULT_EINVALID, "row %zu is not valid UTF-8", row);
	if (*f[6])
		json_object_set_new(b, "end", json_string(f[6]));
	json_array_append_new(json_object_get(st->cur, "buckets"), b);
	return 0;
}

/*
 * The schedules of an import file, in the import schema's shape: JSON,
 * CSV or X12.  *source names the form ("json", "csv", "x12").
 */
static int read_schedules(json_t **out, const char **source, const char *data, size_t len,
			  size_t max_rows)
{
	vault_strings keep = { NULL, 0, 0 };
	csv_state st = { NULL, NULL };
	int error;

	*out = NULL;
	/* an X12 830 or 862 interchange is read into the same shape (x12_forecast.c) */
	if (vault_x12__is_x12(data, len)) {
		*source = "x12";
		if ((error = vault_x12__parse_forecast(out, data, len)) < 0)
			return error;
		/* the vault's limit holds for every form: a schedule counts as a JSON item */
		if (max_rows && json_array_size(*out) > max_rows) {
			error = vault_input__too_many(json_array_size(*out), max_rows);
			json_decref(*out);
			*out = NULL;
		}
		return error;
	}
	if (vault_input__is_json(data, len)) {
		*source = "json";
		return vault_input__json_list(out, data, len, "schedules", max_rows);
	}
	*source = "csv";
	st.list = json_array();
	error = vault_input__csv(&keep, data, len, csv_columns, 12, 2, max_rows, on_csv_row, &st);
	vault_strings__dispose(&keep);
	if (error < 0) {
		json_decref(st.list);
		return error;
	}
	*out = st.list;
	return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static int index_error(vault *v)
{
	return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(v->index)));
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The folder of a schedule's revisions: forecasts/<h>/<h>/PART/SUPPLIER/SHIP_TO/KIND. */
static int folder(char *buf, size_t size, const char *part, const char *supplier,
		  const char *ship_to, const char *kind)
{
	char dir[VAULT_PATH_MAX];
	int error;

	if ((error = vault_record__dir(dir, sizeof(dir), VAULT_FORECASTS_DIR, part)) < 0)
		return error;
	return vault__fmt(buf, size, "path", "%s/%s/%s/%s", dir, supplier, ship_to, kind);
}

static int describe(char *buf, size_t size, size_t i, const json_t *s)
{
	vault__fmt_message(buf, size, "schedule %zu (%s %s of part '%s' to '%s')", i + 1,
			   str(s, "supplier"), str(s, "schedule"), str(s, "part"), str(s, "ship_to"));
	return 0;
}

/* Compare two schedules by what names them. */
static int key_cmp(const json_t *x, const json_t *y)
{
	static const char *const keys[] = { "part", "supplier", "ship_to", "schedule" };
	size_t i;
	int c;

	for (i = 0; i < 4; i++)
		if ((c = strcmp(str(x, keys[i]), str(y, keys[i]))) != 0)
			return c;
	return 0;
}

static const json_t **sort_list;

static int by_key(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = key_cmp(sort_list[x], sort_list[y]);

	return c ? c : (x > y) - (x < y);
}

/* No schedule is given twice (it would be two revisions in one commit): O(n log n). */
static int given_once(json_t *list, size_t *order, size_t n)
{
	const json_t **items = calloc(n + 1, sizeof(json_t *));
	char what[VAULT_NAME_MAX * 4 + 96];
	size_t i;
	int error = 0;

	if (!items)
		abort();
	for (i = 0; i < n; i++) {
		items[i] = json_array_get(list, i);
		order[i] = i;
	}
	sort_list = items;
	qsort(order, n, sizeof(size_t), by_key);
	sort_list = NULL;
	for (i = 1; i < n && !error; i++)
		if (key_cmp(items[order[i - 1]], items[order[i]]) == 0) {
			describe(what, sizeof(what), order[i], items[order[i]]);
			error = vault_error__set(VAULT_EINVALID, "%s: the file gives this schedule "
						 "twice (first as schedule %zu)", what, order[i - 1] + 1);
		}
	free(items);
	return error;
}

static const char SQL_PART[] =
	"SELECT 1 FROM po_lines l JOIN pos p ON p.po = l.po WHERE l.part = ?1 AND p.supplier = ?2"
	" LIMIT 1";
static const char SQL_LATEST[] =
	"SELECT coalesce(max(revision), 0) FROM forecasts WHERE part = ?1 AND supplier = ?2"
	" AND ship_to = ?3 AND schedule = ?4";

/* Bind the four members that name a schedule. */
static void bind_key(sqlite3_stmt *st, const char *part, const char *supplier, const char *ship_to,
		     const char *kind)
{
	sqlite3_bind_text(st, 1, part, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, supplier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, ship_to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
}

/* The latest revision of a schedule the index records, 0 for none. */
static int latest_revision(long *out, vault *v, const char *part, const char *supplier,
			   const char *ship_to, const char *kind)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (vault_index__stmt(&st, v->index, SQL_LATEST) < 0)
		return index_error(v);
	bind_key(st, part, supplier, ship_to, kind);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : index_error(v);
}

/* Whether `org` has a supplier of the vault (a registered, unrevoked user with the role). */
static int is_supplier_org(const vault_user_list *users, const char *org)
{
	size_t i;

	for (i = 0; users && i < users->count; i++)
		if (users->items[i].org && strcmp(users->items[i].org, org) == 0 &&
		    (users->items[i].roles & VAULT_ROLE_SUPPLIER) && !users->items[i].revoked)
			return 1;
	return 0;
}

/* Queue schedule `s` as its next revision. */
static int put_schedule(vault_txn *t, vault *v, json_t *s, const vault_user_list *users)
{
	const char *part = str(s, "part"), *supplier = str(s, "supplier");
	const char *ship_to = str(s, "ship_to"), *kind = str(s, "schedule");
	char dir[VAULT_PATH_MAX * 2], path[VAULT_PATH_MAX * 2 + 16], when[VAULT_TIME_SIZE];
	sqlite3_stmt *st;
	char *json = NULL;
	size_t len;
	long rev;
	int rc, error;

	if (!is_supplier_org(users, supplier))
		return vault_error__set(VAULT_EINVALID, "no supplier organization '%s'", supplier);
	if (vault_index__stmt(&st, v->index, SQL_PART) < 0)
		return index_error(v);
	sqlite3_bind_text(st, 1, part, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, supplier, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return vault_error__set(VAULT_EINVALID, "no PO of '%s' orders part '%s'", supplier,
					part);
	if (rc != SQLITE_ROW)
		return index_error(v);
	if ((error = latest_revision(&rev, v, part, supplier, ship_to, kind)) < 0 ||
	    (error = folder(dir, sizeof(dir), part, supplier, ship_to, kind)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/%06ld.json", dir, rev + 1)) < 0)
		return error;
	vault_time_format(when, sizeof(when), t->now);
	json_object_set_new(s, "record", json_string("forecast"));
	json_object_set_new(s, "format", json_integer(1));
	json_object_set_new(s, "revision", json_integer(rev + 1));
	json_object_set_new(s, "imported_by", json_string(t->actor.name));
	json_object_set_new(s, "imported_at", json_string(when));
	if ((error = vault_record__dump(&json, &len, json_incref(s))) < 0)
		return error;
	error = vault__txn_put_data(t, v, path, json, len);
	free(json);
	return error;
}

static int write_schedules(vault *v, json_t *list, const char *source)
{
	size_t n = json_array_size(list), i, *order = calloc(n + 1, sizeof(size_t));
	vault_user_list *users = NULL;
	vault_buf message = VAULT_BUF_INIT;
	char what[VAULT_NAME_MAX * 4 + 96];
	vault_txn t;
	int error;

	if (!order)
		abort();
	memset(&t, 0, sizeof(t));
	if ((error = given_once(list, order, n)) < 0)
		goto out;
	if ((error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER, "import forecasts")) < 0 ||
	    (error = vault_users(&users, v)) < 0 ||
	    (n > 1 && (error = vault__txn_batch(&t, v)) < 0))
		goto done;
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(list, i);

		if ((error = put_schedule(&t, v, s, users)) < 0) {
			describe(what, sizeof(what), i, s);
			error = vault_error__set(error, "%s: %s", what, vault_error_message());
			goto done;
		}
	}
	if (n == 1)
		error = vault_buf__addf(&message, "forecast import: %s of part %s to %s for %s\n\n"
					"Qvault-Op: forecast-import\nQvault-Source: %s\n",
					str(json_array_get(list, 0), "schedule"),
					str(json_array_get(list, 0), "part"),
					str(json_array_get(list, 0), "ship_to"),
					str(json_array_get(list, 0), "supplier"), source);
	else
		error = vault_buf__addf(&message, "forecast import: %zu schedules\n\n"
					"Qvault-Op: forecast-import\nQvault-Source: %s\n", n, source);
	if (error == 0)
		error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault_user_list_free(users);
	vault__txn_end(&t, v);
out:
	free(order);
	return error;
}

int vault_forecast_import(size_t *count, vault *v, const char *path)
{
	return vault_forecast_import_ack(count, NULL, v, path, NULL);
}

int vault_forecast_import_ack(size_t *count, char **ack997, vault *v, const char *path,
			      const vault_x12_ids *ids)
{
	const char *source = "json";
	char what[VAULT_NAME_MAX * 4 + 96];
	json_t *list = NULL, *s;
	size_t len, max_rows, i;
	char *data = NULL;
	int error;

	*count = 0;
	if (ack997)
		*ack997 = NULL;
	if ((ids && (error = vault_x12_ids_check(ids)) < 0) ||
	    (error = vault_input__max_rows(&max_rows, v)) < 0 ||
	    (error = vault_input__read(&data, &len, v, path)) < 0)
		return error;
	if ((error = read_schedules(&list, &source, data, len, max_rows)) < 0)
		goto done;
	if (json_array_size(list) == 0) {
		error = vault_error__set(VAULT_EINVALID, "the file has no schedules");
		goto done;
	}
	json_array_foreach(list, i, s) {
		if ((error = vault_forecast__normalize(s)) < 0) {
			if (json_is_object(s) && str(s, "part") && str(s, "supplier") &&
			    str(s, "ship_to") && str(s, "schedule"))
				describe(what, sizeof(what), i, s);
			else
				vault__fmt_message(what, sizeof(what), "schedule %zu", i + 1);
			error = vault_error__set(error, "%s: %s", what, vault_error_message());
			goto done;
		}
	}
	if (ack997 && vault_x12__is_x12(data, len) &&
	    (error = vault_x12__ack997_check(data, len, ids)) < 0)
		goto done;
	if ((error = write_schedules(v, list, source)) == 0)
		*count = json_array_size(list);
done:
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	/* an X12 file is answered with its 997, whatever became of it */
	if (ack997 && vault_x12__is_x12(data, len)) {
		int rc = vault_x12__ack997(ack997, data, len, error, ids);

		if (error == 0)
			error = rc;
	}
	json_decref(list);
	free(data);
	return error;
}

/* ---- a supplier's answer -------------------------------------------------------- */

static const char SQL_BUCKETS[] =
	"SELECT start, qty, status FROM forecast_buckets WHERE part = ?1 AND supplier = ?2"
	" AND ship_to = ?3 AND schedule = ?4 AND revision = ?5 ORDER BY pos";
static const char SQL_ACK_SEQ[] =
	"SELECT coalesce(max(seq), 0) FROM forecast_acks WHERE part = ?1 AND supplier = ?2"
	" AND ship_to = ?3 AND schedule = ?4";

static int check_answer_fields(const vault_forecast_answer *a)
{
	size_t i, j;
	int error;

	if ((error = vault_name_check("part number", a->part)) < 0 ||
	    (error = vault_plain_name_check("ship-to", a->ship_to)) < 0)
		return error;
	if (a->schedule && !one_of(a->schedule, schedules))
		return vault_error__set(VAULT_EINVALID, "schedule '%s' is not forecast or delivery",
					a->schedule);
	if (a->commit == (a->nbuckets > 0))
		return vault_error__set(VAULT_EINVALID, a->commit ?
			"commit to the firm zone or propose buckets, not both" :
			"nothing to answer: commit to the firm zone or propose buckets");
	for (i = 0; i < a->nbuckets; i++) {
		if ((error = vault_record__date_check("bucket", a->dates[i])) < 0)
			return error;
		if (a->qty[i] > (unsigned long long)QTY_MAX)
			return vault_error__set(VAULT_EINVALID, "quantity %llu is over %lld", a->qty[i],
						QTY_MAX);
		for (j = 0; j < i; j++)
			if (strcmp(a->dates[i], a->dates[j]) == 0)
				return vault_error__set(VAULT_EINVALID, "bucket %s is proposed twice",
							a->dates[i]);
	}
	if (a->note && (error = vault_record__text_check("note", a->note, NOTE_MAX)) < 0)
		return error;
	return 0;
}

/*
 * The buckets the answer commits to (the revision's firm ones) or
 * proposes (each the start of one of the revision's buckets).
 */
static int answered_buckets(json_t **out, vault *v, const vault_forecast_answer *a,
			    const char *supplier, const char *kind, long rev)
{
	json_t *list = json_array(), *found = json_object();
	sqlite3_stmt *st;
	size_t i;
	int rc, error = 0;

	*out = NULL;
	if (vault_index__stmt(&st, v->index, SQL_BUCKETS) < 0) {
		error = index_error(v);
		goto done;
	}
	bind_key(st, a->part, supplier, a->ship_to, kind);
	sqlite3_bind_int64(st, 5, rev);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *start = (const char *)sqlite3_column_text(st, 0);

		json_t *last = json_array_get(list, json_array_size(list) - 1);

		json_object_set_new(found, start, json_integer(sqlite3_column_int64(st, 1)));
		if (!a->commit || strcmp((const char *)sqlite3_column_text(st, 2), "firm") != 0)
			continue;
		/* a day of several just-in-time deliveries is committed to as the day's sum */
		if (last && strcmp(json_string_value(json_object_get(last, "start")), start) == 0)
			json_object_set_new(last, "qty", json_integer(
				json_integer_value(json_object_get(last, "qty")) +
				(json_int_t)sqlite3_column_int64(st, 1)));
		else
			json_array_append_new(list, json_pack("{s:s, s:I}", "start", start, "qty",
				(json_int_t)sqlite3_column_int64(st, 1)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		error = index_error(v);
		goto done;
	}
	if (a->commit && json_array_size(list) == 0) {
		error = vault_error__set(VAULT_EINVALID, "revision %ld of the %s of part '%s' to '%s' "
					 "has no firm bucket to commit to", rev, kind, a->part,
					 a->ship_to);
		goto done;
	}
	for (i = 0; i < a->nbuckets; i++) {
		if (!json_object_get(found, a->dates[i])) {
			error = vault_error__set(VAULT_EINVALID, "no bucket of revision %ld of the %s of "
						 "part '%s' to '%s' starts on %s", rev, kind, a->part,
						 a->ship_to, a->dates[i]);
			goto done;
		}
		json_array_append_new(list, json_pack("{s:s, s:I}", "start", a->dates[i], "qty",
						      (json_int_t)a->qty[i]));
	}
	*out = list;
	list = NULL;
done:
	json_decref(list);
	json_decref(found);
	return error;
}

/*
 * Write `root` (taken over) at `path`: as `given` says when not NULL (a
 * person's signature made apart from the commit), else signed by the
 * acting key unless a server acts.
 */
static int put_signed(vault_txn *t, vault *v, const char *path, json_t *root,
		      const vault_signing *given)
{
	vault_signing s;
	char *stmt = NULL, *sig = NULL;
	int error;

	if (given)
		return vault_act__put(t, v, path, root, given, VAULT_FORECAST_ACK_NAMESPACE);
	if (t->via)
		return vault_act__put(t, v, path, root, NULL, VAULT_FORECAST_ACK_NAMESPACE);
	memset(&s, 0, sizeof(s));
	s.statement = &stmt;
	if ((error = vault_act__put(t, v, path, json_incref(root), &s,
				    VAULT_FORECAST_ACK_NAMESPACE)) < 0 ||
	    (error = vault_sign__sshsig(&sig, v->key, VAULT_FORECAST_ACK_NAMESPACE, stmt,
					strlen(stmt))) < 0) {
		json_decref(root);
		goto done;
	}
	s.statement = NULL;
	s.record = stmt;
	s.len = strlen(stmt);
	s.sig = sig;
	error = vault_act__put(t, v, path, root, &s, VAULT_FORECAST_ACK_NAMESPACE);
done:
	free(stmt);
	free(sig);
	return error;
}

static int answer(long *answered, vault *v, const vault_forecast_answer *a,
		  const vault_signing *s)
{
	const char *kind = a->schedule ? a->schedule : "forecast";
	char dir[VAULT_PATH_MAX * 2], name[VAULT_NAME_MAX + 32], path[VAULT_PATH_MAX * 3];
	char when[VAULT_TIME_SIZE];
	vault_buf message = VAULT_BUF_INIT;
	json_t *buckets = NULL, *root;
	sqlite3_stmt *st;
	long rev, seq = 0;
	vault_txn t;
	int rc, error;

	*answered = 0;
	memset(&t, 0, sizeof(t));
	if ((error = check_answer_fields(a)) < 0 || (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_SUPPLIER, "answer forecasts")) < 0 ||
	    (error = vault_act__begin(&t, v, s, "signed_at")) < 0 ||
	    (error = latest_revision(&rev, v, a->part, t.actor.org, a->ship_to, kind)) < 0)
		goto done;
	if (rev == 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "no %s of part '%s' to '%s' for '%s'", kind,
					 a->part, a->ship_to, t.actor.org);
		goto done;
	}
	if (a->revision > rev) {
		error = vault_error__set(VAULT_EINVALID, "the %s of part '%s' to '%s' has no revision "
					 "%ld: it is at revision %ld", kind, a->part, a->ship_to,
					 a->revision, rev);
		goto done;
	}
	if (a->revision > 0 && a->revision != rev) {
		error = vault_error__set(VAULT_EINVALID, "the %s of part '%s' to '%s' is at revision "
					 "%ld: revision %ld was replaced since", kind, a->part,
					 a->ship_to, rev, a->revision);
		goto done;
	}
	if ((error = answered_buckets(&buckets, v, a, t.actor.org, kind, rev)) < 0)
		goto done;
	if (vault_index__stmt(&st, v->index, SQL_ACK_SEQ) < 0) {
		error = index_error(v);
		goto done;
	}
	bind_key(st, a->part, t.actor.org, a->ship_to, kind);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		seq = (long)sqlite3_column_int64(st, 0) + 1;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		error = index_error(v);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:O, s:s, s:s, s:s, s:s}",
			 "record", "forecast-ack", "format", 1, "schedule", kind, "part", a->part,
			 "supplier", t.actor.org, "ship_to", a->ship_to, "revision", (json_int_t)rev,
			 "seq", (json_int_t)seq, "decision", a->commit ? "commit" : "counter",
			 "buckets", buckets, "org", t.actor.org, "signed_by", t.actor.name,
			 "fingerprint", t.actor.fingerprint, "signed_at", when);
	if (!root) {
		error = vault_error__set(VAULT_EINVALID, "the answer is not valid UTF-8");
		goto done;
	}
	if (a->note)
		json_object_set_new(root, "note", json_string(a->note));
	if ((error = folder(dir, sizeof(dir), a->part, t.actor.org, a->ship_to, kind)) < 0 ||
	    (error = vault_portal__seq_name(name, sizeof(name), (unsigned long)seq,
					    t.actor.name)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_FORECAST_ACKS_DIR "/%s",
				dir, name)) < 0) {
		json_decref(root);
		goto done;
	}
	if ((error = put_signed(&t, v, path, root, s)) < 0)
		goto done;
	if (vault_act__statement_only(s))
		goto done;
	if ((error = vault_buf__addf(&message, "forecast ack %s@%s %s revision %ld: %s\n\n"
				     "Qvault-Op: forecast-ack\n", a->part, a->ship_to, kind, rev,
				     a->commit ? "committed to the firm zone" :
				     "counter-proposal")) < 0)
		goto done;
	if ((error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL)) == 0)
		*answered = rev;
done:
	json_decref(buckets);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

int vault_forecast_ack(long *answered, vault *v, const vault_forecast_answer *a)
{
	return answer(answered, v, a, NULL);
}

int vault_forecast_ack_signed(vault *v, const vault_forecast_answer *a, const vault_signing *s)
{
	long answered;

	return answer(&answered, v, a, s);
}

/* ---- the index ------------------------------------------------------------------- */

static const char SQL_ONCE[] =
	"SELECT commit_id FROM forecasts WHERE part = ?1 AND supplier = ?2 AND ship_to = ?3"
	" AND schedule = ?4 AND revision = ?5";
static const char SQL_INS[] =
	"INSERT INTO forecasts (part, supplier, ship_to, schedule, revision, issued, reference,"
	" unit, horizon_start, horizon_end, authorizations, last_receipt, cumulative,"
	" imported_by, imported_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char SQL_INS_BUCKET[] =
	"INSERT INTO forecast_buckets (part, supplier, ship_to, schedule, revision, pos, start, end,"
	" period, qty, status, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_ACK_ONCE[] =
	"SELECT commit_id FROM forecast_acks WHERE part = ?1 AND supplier = ?2 AND ship_to = ?3"
	" AND schedule = ?4 AND seq = ?5";
static const char SQL_INS_ACK[] =
	"INSERT INTO forecast_acks (part, supplier, ship_to, schedule, seq, revision, decision, org,"
	" signed_by, signed_at, signed, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_INS_ACK_BUCKET[] =
	"INSERT INTO forecast_ack_buckets (part, supplier, ship_to, schedule, seq, start, qty)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/* A JSON member as its compact text, or NULL. */
static void bind_json(sqlite3_stmt *st, int col, const json_t *o, const char *key)
{
	json_t *m = json_object_get(o, key);
	char *text = m ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	if (text)
		sqlite3_bind_text(st, col, text, -1, free);
	else
		sqlite3_bind_null(st, col);
}

static void bind_str(sqlite3_stmt *st, int col, const json_t *o, const char *key)
{
	const char *s = str(o, key);

	if (s)
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

/* The schedule a record names, as strings: part, supplier, ship-to, kind, number. */
static int parse_key(const char *keys[5], char num[24], const json_t *root, const char *record,
		     const char *numkey)
{
	json_t *n = json_object_get(root, numkey);

	keys[0] = str(root, "part");
	keys[1] = str(root, "supplier");
	keys[2] = str(root, "ship_to");
	keys[3] = str(root, "schedule");
	keys[4] = num;
	if (!json_is_object(root) || strcmp(str(root, "record") ? str(root, "record") : "",
					    record) != 0 ||
	    !keys[0] || !keys[1] || !keys[2] || !keys[3] || !json_is_integer(n))
		return -1;
	vault__fmt_message(num, 24, "%lld", (long long)json_integer_value(n));
	return 0;
}

static int index_forecast(const vault_kind_file *f)
{
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL), *b;
	const char *keys[5];
	char num[24], hex[41], what[VAULT_NAME_MAX * 4 + 96], msg[256];
	sqlite3_stmt *st;
	size_t i;
	int error;

	if (parse_key(keys, num, root, "forecast", "revision") < 0 || !str(root, "issued") ||
	    !str(root, "unit") || !str(root, "imported_by") || !str(root, "imported_at") ||
	    !json_is_array(json_object_get(root, "buckets"))) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the forecast is malformed", f->path);
	}
	/* forecast show spreads the buckets over days: never one the rule refuses */
	if (vault_forecast__check_buckets(msg, sizeof(msg), json_object_get(root, "buckets"),
					  strcmp(keys[3], "delivery") == 0) < 0) {
		error = vault_error__set(VAULT_EVERIFY, "%s: the %s's %s", f->path, keys[3], msg);
		goto done;
	}
	vault__fmt_message(what, sizeof(what), "revision %s of the %s of part '%s' to '%s' for '%s'",
			   num, keys[3], keys[0], keys[2], keys[1]);
	if ((error = vault_index__once(f->idx, f->commit, f->path, SQL_ONCE, keys, 5, what)) < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if (vault_index__stmt(&st, f->idx, SQL_INS) < 0) {
		error = vault_error__set(VAULT_ERROR, "index: %s",
					 sqlite3_errmsg(vault_index__db(f->idx)));
		goto done;
	}
	bind_key(st, keys[0], keys[1], keys[2], keys[3]);
	sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(root, "revision")));
	bind_str(st, 6, root, "issued");
	bind_str(st, 7, root, "reference");
	bind_str(st, 8, root, "unit");
	bind_str(st, 9, root, "horizon_start");
	bind_str(st, 10, root, "horizon_end");
	bind_json(st, 11, root, "authorizations");
	bind_json(st, 12, root, "last_receipt");
	bind_json(st, 13, root, "cumulative");
	bind_str(st, 14, root, "imported_by");
	sqlite3_bind_int64(st, 15, vault_portal__time(str(root, "imported_at")));
	sqlite3_bind_text(st, 16, hex, -1, SQLITE_TRANSIENT);
	if ((error = vault_portal__step(f->idx, st, f->path)) < 0)
		goto done;
	if (vault_index__stmt(&st, f->idx, SQL_INS_BUCKET) < 0) {
		error = vault_error__set(VAULT_ERROR, "index: %s",
					 sqlite3_errmsg(vault_index__db(f->idx)));
		goto done;
	}
	json_array_foreach(json_object_get(root, "buckets"), i, b) {
		if (!str(b, "start") || !str(b, "end") || !str(b, "period") || !str(b, "status") ||
		    !json_is_integer(json_object_get(b, "qty"))) {
			error = vault_error__set(VAULT_EVERIFY, "%s: the forecast is malformed",
						 f->path);
			goto done;
		}
		bind_key(st, keys[0], keys[1], keys[2], keys[3]);
		sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(root, "revision")));
		sqlite3_bind_int64(st, 6, (sqlite3_int64)i);
		bind_str(st, 7, b, "start");
		bind_str(st, 8, b, "end");
		bind_str(st, 9, b, "period");
		sqlite3_bind_int64(st, 10, json_integer_value(json_object_get(b, "qty")));
		bind_str(st, 11, b, "status");
		bind_str(st, 12, b, "time");
		if ((error = vault_portal__step(f->idx, st, f->path)) < 0)
			goto done;
	}
done:
	json_decref(root);
	return error;
}

static int index_forecast_ack(const vault_kind_file *f)
{
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL), *b;
	const char *keys[5];
	char num[24], hex[41], sig[VAULT_PATH_MAX * 3], what[VAULT_NAME_MAX * 4 + 96];
	sqlite3_stmt *st;
	git_tree_entry *te = NULL;
	size_t i;
	int error;

	if (parse_key(keys, num, root, "forecast-ack", "seq") < 0 || !str(root, "decision") ||
	    !str(root, "org") || !str(root, "signed_by") || !str(root, "signed_at") ||
	    !json_is_integer(json_object_get(root, "revision")) ||
	    !json_is_array(json_object_get(root, "buckets"))) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the forecast acknowledgment is malformed",
					f->path);
	}
	vault__fmt_message(what, sizeof(what), "answer %s to the %s of part '%s' to '%s' for '%s'",
			   num, keys[3], keys[0], keys[2], keys[1]);
	if ((error = vault_index__once(f->idx, f->commit, f->path, SQL_ACK_ONCE, keys, 5,
				       what)) < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), f->commit);
	vault__fmt_message(sig, sizeof(sig), "%s.sig", f->path);
	if (vault_index__stmt(&st, f->idx, SQL_INS_ACK) < 0) {
		error = vault_error__set(VAULT_ERROR, "index: %s",
					 sqlite3_errmsg(vault_index__db(f->idx)));
		goto done;
	}
	bind_key(st, keys[0], keys[1], keys[2], keys[3]);
	sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(root, "seq")));
	sqlite3_bind_int64(st, 6, json_integer_value(json_object_get(root, "revision")));
	bind_str(st, 7, root, "decision");
	bind_str(st, 8, root, "org");
	bind_str(st, 9, root, "signed_by");
	sqlite3_bind_int64(st, 10, vault_portal__time(str(root, "signed_at")));
	sqlite3_bind_int(st, 11, git_tree_entry_bypath(&te, f->tree, sig) == 0);
	sqlite3_bind_text(st, 12, hex, -1, SQLITE_TRANSIENT);
	git_tree_entry_free(te);
	if ((error = vault_portal__step(f->idx, st, f->path)) < 0)
		goto done;
	if (vault_index__stmt(&st, f->idx, SQL_INS_ACK_BUCKET) < 0) {
		error = vault_error__set(VAULT_ERROR, "index: %s",
					 sqlite3_errmsg(vault_index__db(f->idx)));
		goto done;
	}
	json_array_foreach(json_object_get(root, "buckets"), i, b) {
		if (!str(b, "start") || !json_is_integer(json_object_get(b, "qty"))) {
			error = vault_error__set(VAULT_EVERIFY, "%s: the forecast acknowledgment is "
						 "malformed", f->path);
			goto done;
		}
		bind_key(st, keys[0], keys[1], keys[2], keys[3]);
		sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(root, "seq")));
		bind_str(st, 6, b, "start");
		sqlite3_bind_int64(st, 7, json_integer_value(json_object_get(b, "qty")));
		if ((error = vault_portal__step(f->idx, st, f->path)) < 0)
			goto done;
	}
done:
	json_decref(root);
	return error;
}

/* ---- the checks --------------------------------------------------------------------- */

/* The number of records NNNNNN[-NAME].json in folder `dir` of `tree` (NULL: none). */
static size_t count_records(const git_tree *tree, const char *dir)
{
	git_tree_entry *te = NULL;
	git_tree *t = NULL;
	size_t i, count = 0;

	if (tree && git_tree_entry_bypath(&te, tree, dir) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&t, git_tree_owner(tree), git_tree_entry_id(te)) == 0)
		for (i = 0; i < git_tree_entrycount(t); i++) {
			const char *name = git_tree_entry_name(git_tree_entry_byindex(t, i));
			size_t len = strlen(name);

			count += len > 5 && strcmp(name + len - 5, ".json") == 0;
		}
	git_tree_free(t);
	git_tree_entry_free(te);
	return count;
}

/* NNNNNN.json: its number, else -1. */
static long numbered(const char *name, size_t digits_then)
{
	if (strspn(name, "0123456789") != 6 || strlen(name) < 6 + digits_then)
		return -1;
	return strtol(name, NULL, 10);
}

/*
 * forecasts/<h>/<h>/PART/SUPPLIER/SHIP_TO/KIND/NNNNNN.json: a buyer's
 * (the kind's roles), naming the schedule its path does, the revision
 * after the ones before it, its buckets held to the import's rules.
 */
static void check_forecast(const vault_change_ctx *c, const char *path)
{
	char parts[9][VAULT_NAME_MAX + 1], dir[VAULT_PATH_MAX * 2], msg[256];
	size_t n = vault_rules__split(parts, 8, path), before;
	json_t *rec = NULL;
	long rev;

	if (n != 8 || !one_of(parts[6], schedules) || strlen(parts[7]) != 11 ||
	    vault_plain_name_check("supplier", parts[4]) < 0 || vault_plain_name_check("ship-to", parts[5]) < 0 ||
	    (rev = numbered(parts[7], 5)) < 1 || strcmp(parts[7] + 6, ".json") != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "forecast") != 0) {
		c->found(c, path, "the forecast is malformed");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "part"), parts[3]) != 0 ||
	    strcmp(vault_rules__str(rec, "supplier"), parts[4]) != 0 ||
	    strcmp(vault_rules__str(rec, "ship_to"), parts[5]) != 0 ||
	    strcmp(vault_rules__str(rec, "schedule"), parts[6]) != 0 ||
	    json_integer_value(json_object_get(rec, "revision")) != rev)
		c->found(c, path, "the record of the %s of part '%s' to '%s' for '%s' revision %lld "
			 "is stored as '%s'", vault_rules__str(rec, "schedule"),
			 vault_rules__str(rec, "part"), vault_rules__str(rec, "ship_to"),
			 vault_rules__str(rec, "supplier"),
			 (long long)json_integer_value(json_object_get(rec, "revision")), path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "imported_by"), NULL,
			       vault_rules__str(rec, "imported_at"));
	if (vault_forecast__day(vault_rules__str(rec, "issued")) < 0)
		c->found(c, path, "the forecast's issued date is not a date");
	if (vault_forecast__check_buckets(msg, sizeof(msg), json_object_get(rec, "buckets"),
					  strcmp(parts[6], "delivery") == 0) < 0)
		c->found(c, path, "the %s's %s", parts[6], msg);
	vault__fmt_message(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	before = count_records(c->before, dir);
	if ((size_t)rev != before + 1)
		c->found(c, path, "revision %ld of the %s of part '%s' to '%s' for '%s' is out of "
			 "sequence: %zu revision%s came before it", rev, parts[6], parts[3], parts[5],
			 parts[4], before, before == 1 ? "" : "s");
done:
	json_decref(rec);
}

/*
 * Whether a bucket starts on `start` among `buckets`, and, `qty` not NULL,
 * its firm ones sum to it (a day may hold several just-in-time deliveries,
 * committed to as one); *status is "firm" when one of them is, else the
 * status of the day's first.
 */
static int has_bucket(const json_t *buckets, const char *start, const json_t *qty,
		      const char **status)
{
	const json_t *b;
	json_int_t sum = 0;
	size_t i;
	int seen = 0;

	*status = "";
	json_array_foreach(buckets, i, b)
		if (strcmp(vault_rules__str(b, "start"), start) == 0) {
			if (!seen || strcmp(vault_rules__str(b, "status"), "firm") == 0)
				*status = vault_rules__str(b, "status");
			if (strcmp(vault_rules__str(b, "status"), "firm") == 0)
				sum += json_integer_value(json_object_get(b, "qty"));
			seen = 1;
		}
	return seen && (!qty || sum == json_integer_value(qty));
}

/* The days that hold a firm bucket: buckets are in order, a day's together. */
static size_t firm_days(const json_t *buckets)
{
	const json_t *b;
	const char *day = "";
	size_t i, count = 0;

	json_array_foreach(buckets, i, b)
		if (strcmp(vault_rules__str(b, "status"), "firm") == 0 &&
		    strcmp(vault_rules__str(b, "start"), day) != 0) {
			day = vault_rules__str(b, "start");
			count++;
		}
	return count;
}

/* What an answer commits to or proposes, against the revision it answers. */
static void check_answer_buckets(const vault_change_ctx *c, const char *path, const json_t *rec,
				 const json_t *answered)
{
	const json_t *mine = json_object_get(rec, "buckets"), *b, *theirs;
	const char *status = "";
	size_t i, firm = 0;
	int commit = strcmp(vault_rules__str(rec, "decision"), "commit") == 0;
	long long q = 0;

	if (!commit && strcmp(vault_rules__str(rec, "decision"), "counter") != 0)
		c->found(c, path, "the answer's decision is not commit or counter");
	theirs = json_object_get(answered, "buckets");
	json_array_foreach(mine, i, b) {
		if (qty_of(&q, b, "qty") < 0)
			c->found(c, path, "the answer's bucket %zu has no valid quantity", i + 1);
		else if (!has_bucket(theirs, vault_rules__str(b, "start"),
				     commit ? json_object_get(b, "qty") : NULL, &status) ||
			 (commit && strcmp(status, "firm") != 0))
			c->found(c, path, "the answer's bucket %s is not %s of the revision it answers",
				 vault_rules__str(b, "start"), commit ? "a firm bucket" : "a bucket");
	}
	if (commit) {
		firm = firm_days(theirs);
		if (firm != json_array_size(mine))
			c->found(c, path, "the commitment names %zu buckets; the revision it answers "
				 "has %zu firm", json_array_size(mine), firm);
	} else if (json_array_size(mine) == 0) {
		c->found(c, path, "the counter-proposal proposes no bucket");
	}
}

/*
 * forecasts/.../KIND/acks/NNNNNN-SIGNER.json: a supplier of the schedule's
 * organization answers its latest revision as the tree before held it,
 * numbered in order, signed by its signer (.sig beside it) unless a
 * server wrote it on the signer's behalf.
 */
static void check_forecast_ack(const vault_change_ctx *c, const char *path)
{
	char parts[10][VAULT_NAME_MAX + 1], dir[VAULT_PATH_MAX * 2], kdir[VAULT_PATH_MAX * 2];
	char rev_path[VAULT_PATH_MAX * 3];
	char sig[VAULT_PATH_MAX * 3];
	size_t n = vault_rules__split(parts, 9, path), latest, count;
	json_t *rec = NULL, *answered = NULL;
	const char *by;
	long seq;

	if (n != 9 || !one_of(parts[6], schedules) ||
	    vault_plain_name_check("supplier", parts[4]) < 0 || vault_plain_name_check("ship-to", parts[5]) < 0 ||
	    strcmp(parts[7], VAULT_FORECAST_ACKS_DIR) != 0 || (seq = numbered(parts[8], 8)) < 1 ||
	    parts[8][6] != '-' || strcmp(parts[8] + strlen(parts[8]) - 5, ".json") != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "forecast-ack") != 0) {
		c->found(c, path, "the forecast acknowledgment is malformed");
		goto done;
	}
	by = vault_rules__str(rec, "signed_by");
	if (strcmp(vault_rules__str(rec, "part"), parts[3]) != 0 ||
	    strcmp(vault_rules__str(rec, "supplier"), parts[4]) != 0 ||
	    strcmp(vault_rules__str(rec, "ship_to"), parts[5]) != 0 ||
	    strcmp(vault_rules__str(rec, "schedule"), parts[6]) != 0 ||
	    json_integer_value(json_object_get(rec, "seq")) != seq ||
	    strlen(parts[8]) != 12 + strlen(by) || strncmp(parts[8] + 7, by, strlen(by)) != 0)
		c->found(c, path, "the answer %lld of the forecast of part '%s' to '%s' for '%s' is "
			 "stored as '%s'", (long long)json_integer_value(json_object_get(rec, "seq")),
			 vault_rules__str(rec, "part"), vault_rules__str(rec, "ship_to"),
			 vault_rules__str(rec, "supplier"), path);
	vault_rules__signed_as(c, path, by, vault_rules__str(rec, "org"),
			       vault_rules__str(rec, "signed_at"));
	if (c->who && strcmp(vault_rules__str(rec, "fingerprint"), c->who->fingerprint) != 0)
		c->found(c, path, "the answer names key %s, not the signer's %s",
			 vault_rules__str(rec, "fingerprint"), c->who->fingerprint);
	if (c->who && strcmp(parts[4], c->who->org) != 0)
		c->found(c, path, "user '%s' of '%s' answers the %s of part '%s' for '%s'",
			 c->who->name, c->who->org, parts[6], parts[3], parts[4]);
	vault__fmt_message(sig, sizeof(sig), "%s.sig", path);
	if (!c->on_behalf && !vault_rules__has(c->store, c->tree, sig))
		c->found(c, path, "the answer is not signed by its signer (no .sig beside it)");
	vault__fmt_message(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	count = count_records(c->tree, dir);
	if ((size_t)seq > count)
		c->found(c, path, "the record is answer %ld of the %s, which has %zu", seq, parts[6],
			 count);
	vault__fmt_message(kdir, sizeof(kdir), "%.*s", (int)(strrchr(dir, '/') - dir), dir);
	latest = count_records(c->before, kdir);
	if (latest == 0) {
		c->found(c, path, "no %s of part '%s' to '%s' for '%s' was recorded before it",
			 parts[6], parts[3], parts[5], parts[4]);
		goto done;
	}
	if (json_integer_value(json_object_get(rec, "revision")) != (json_int_t)latest)
		c->found(c, path, "the answer is of revision %lld of the %s of part '%s' to '%s', "
			 "whose latest was %zu", (long long)json_integer_value(json_object_get(rec,
			 "revision")), parts[6], parts[3], parts[5], latest);
	vault__fmt_message(rev_path, sizeof(rev_path), "%s/%06zu.json", kdir, latest);
	if ((answered = vault_rules__json_at(c, c->before, rev_path)) != NULL)
		check_answer_buckets(c, path, rec, answered);
done:
	json_decref(rec);
	json_decref(answered);
}

static void check_forecast_ack_signature(const vault_change_ctx *c, const char *path)
{
	vault_act__check_signature(c, path, VAULT_FORECAST_ACK_NAMESPACE, "signed_by");
}

const vault_kind vault_kind_forecast = {
	.name = "forecast",
	.shape = VAULT_FORECASTS_DIR "/HH/HH/PART/*/*/*/*.json",
	.roles = VAULT_ROLE_BUYER,
	.act = "import forecasts",
	.ops = "forecast-import",
	.made_by = "forecast-import",
	.index = index_forecast,
	.check = check_forecast,
	.tables = "forecasts forecast_buckets",
};

const vault_kind vault_kind_forecast_ack = {
	.name = "forecast acknowledgment",
	.shape = VAULT_FORECASTS_DIR "/HH/HH/PART/*/*/*/" VAULT_FORECAST_ACKS_DIR "/*.json",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "answer forecasts",
	.ops = "forecast-ack",
	.made_by = "forecast-ack",
	.index = index_forecast_ack,
	.check = check_forecast_ack,
	.tables = "forecast_acks forecast_ack_buckets",
};

const vault_kind vault_kind_forecast_ack_signature = {
	.name = "forecast acknowledgment signature",
	.shape = VAULT_FORECASTS_DIR "/HH/HH/PART/*/*/*/" VAULT_FORECAST_ACKS_DIR "/*.json.sig",
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "answer forecasts",
	.ops = "forecast-ack",
	.check = check_forecast_ack_signature,
};
