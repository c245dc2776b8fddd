/*
 * x12_forecast.c - forecasts and delivery schedules from an X12 830
 * (planning schedule with release capability) or 862 (shipping schedule)
 * interchange, into the list schemas/forecast-import.schema.json
 * describes: one schedule per LIN.  The envelope is x12.c's walk, as
 * for the 856.
 *
 * Followed: the published segment layouts of ASC X12 (versions 003040
 * and 004010, as Stedi's and ChinLink's X12 references and the 830 and
 * 862 implementation guides of Ford, Chrysler and Modine set them out):
 *
 *   BFR  (830)  01 purpose (00 original, 05 replace), 02 forecast
 *               number (else 03 release number), 04 schedule type,
 *               05 quantity qualifier (A discrete; C cumulative is
 *               refused), 06 horizon start, 07 horizon end, 08 generated
 *   BSS  (862)  01 purpose, 02 number, 03 date, 04 schedule type,
 *               05/06 horizon, 11 quantity qualifier (as BFR05)
 *   N1          01 entity (ST ship-to, SU supplier; others passed over),
 *               04 the code: in the heading for every LIN, in a LIN loop
 *               for that LIN alone.  No N1*SU: the interchange's
 *               receiver (ISA08), to whom the buyer sends the schedule.
 *   LIN         product id pairs from 02: the value after BP is the part
 *   UIT         01 the unit (its first component)
 *   FST         01 quantity, 02 C firm / D planning / Z mutually defined
 *               (trade-off), 03 D daily / W weekly / M monthly /
 *               F flexible, 04 start, 05 end (required for F; for the
 *               others, when given, the period's own end), 06 002 with
 *               07 the delivery time HHMM (daily buckets only: just in
 *               time); an 862's quantities are firm (C)
 *   ATH  (830)  01 FI finished (fabrication) / MT material, 02 through,
 *               03 cumulative quantity, 05 cumulative start
 *   SHP         01 01 (discrete) with 03 050 (received): the last
 *               receipt, 02 quantity, 04 date; 01 02 (cumulative) with
 *               03 051: the cumulative received, 04 start, 06 end.
 *               REF*SI just after SHP*01: the shipment's number
 *   CTT         01 the number of LINs, 02 the hash total: the sum of
 *               every FST01 of the set (its low ten digits)
 *
 * Refused, one line naming the segment: a bucket out of date order or
 * overlapping the one before (on one day, timed deliveries in time
 * order are not overlaps), a flexible bucket without its end, a code
 * other than those above where one is read, a LIN without a BP part or
 * without an FST, a set without BFR/BSS or LIN, no ship-to, wrong SE,
 * GE, IEA or CTT counts, an 856's segment (BSN, HL, SN1), BSS or JIT in
 * an 830, BFR or ATH in an 862.  Other segments (REF, PER, SDP, DTM,
 * TD1...) are counted and passed over.  Whether the part and the
 * supplier are known is the import's to check, with the vault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"
#include "vault.h"
#include "x12.h"

#define VALUE_MAX VAULT_X12_VALUE_MAX
#define SCHEDULES_MAX 100000
#define BUCKETS_MAX 1000
#define QTY_MAX 1000000000ULL
#define DATES_CACHED 1024

typedef vault_x12_segment segment;
#define el(s, i) vault_x12__el(s, i)
#define fail(...) vault_x12__fail(__VA_ARGS__)

/* The set being read, and where the reader is in it. */
typedef struct {
	vault_x12_walk w;          /* first: the walk's callbacks get it */
	json_t *list;              /* every schedule so far (owns them) */
	char receiver[VALUE_MAX + 1]; /* ISA08, trimmed */
	char set;                  /* 'F' an 830, 'D' an 862 */
	int has_head, has_ctt;
	json_t *head;              /* what BFR/BSS says, for each LIN */
	char ship_to[VALUE_MAX + 1], supplier[VALUE_MAX + 1]; /* the heading's N1 */
	/* the open LIN: borrowed from list */
	json_t *cur, *buckets, *auths;
	char lin_ship_to[VALUE_MAX + 1], lin_supplier[VALUE_MAX + 1];
	int has_uit, has_receipt, has_cumulative;
	int has_prev;              /* a bucket before, in this LIN */
	long prev_start, prev_end; /* its days */
	int prev_time;             /* its time in minutes, -1 for none */
	char prev_start_s[16], prev_end_s[16];
	char last_shp;             /* '1' just after SHP*01, else 0 */
	size_t lins;
	unsigned long long hash;   /* the FST01 sum */
	/* strings every bucket shares (read-only, referenced, never copied):
	 * half the memory of a large 830 is otherwise its repeated words and dates */
	json_t *words[7];          /* the periods, then the statuses */
	json_t *dates[DATES_CACHED];
	long date_days[DATES_CACHED];
	json_t *seen;              /* "kind supplier part ship-to" of each schedule: its LIN's segment */
	size_t lin_at;             /* the open LIN's segment */
} reader;

/* ---- dates as days ------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long days_of(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void date_string(char *out, size_t size, long z)
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
	m = mp + (mp < 10 ? 3 : -9);
	vault__fmt_message(out, size, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

/* The string of date `text` (day number `days`), shared by the buckets that start on it. */
static json_t *shared_date(reader *r, long days, const char *text)
{
	size_t k = (size_t)((unsigned long)days % DATES_CACHED);

	if (!r->dates[k] || r->date_days[k] != days) {
		json_decref(r->dates[k]);
		r->dates[k] = json_string(text);
		r->date_days[k] = days;
	}
	return r->dates[k];
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : days[m - 1];
}

/* Element i as a date that exists: YYYY-MM-DD into out (16 bytes), its days in *days. */
static int day_of(char *out, long *days, reader *r, const segment *s, size_t i, const char *what)
{
	int error, y, m, d;

	if ((error = vault_x12__date(out, 16, s, i, what, r->w.six_digit_dates)) < 0)
		return error;
	y = (out[0] - '0') * 1000 + (out[1] - '0') * 100 + (out[2] - '0') * 10 + (out[3] - '0');
	m = (out[5] - '0') * 10 + (out[6] - '0');
	d = (out[8] - '0') * 10 + (out[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return fail(s, "%s '%s' is no day of the calendar", what, out);
	if (days)
		*days = days_of(y, m, d);
	return 0;
}

/* ---- values ------------------------------------------------------------- */

/* Element i, an R quantity: whole, a fraction of zeros only, 0 to QTY_MAX. */
static int qty_of(unsigned long long *out, const segment *s, size_t i, const char *what)
{
	const char *q = el(s, i);

	if (!vault_x12__whole(q, 10, out))
		return fail(s, "%s '%.16s' is not a whole quantity from 0", what, q);
	if (*out > QTY_MAX)
		return fail(s, "%s '%.16s' is over %llu", what, q, QTY_MAX);
	return 0;
}

/*
 * Element i as a name qvault keeps into `out`: an identifier
 * (vault_name_check), or with `plain` a supplier or ship-to
 * (vault_plain_name_check).
 */
static int checked_name(char *out, const segment *s, size_t i, const char *what, int plain)
{
	int error;

	if ((error = vault_x12__value_ok(s, i, what)) < 0)
		return error;
	if ((plain ? vault_plain_name_check : vault_name_check)(what, el(s, i)) < 0)
		return fail(s, "%s", vault_error_message());
	memcpy(out, el(s, i), strlen(el(s, i)) + 1); /* value_ok: VALUE_MAX */
	return 0;
}

static int name_of(char *out, const segment *s, size_t i, const char *what)
{
	return checked_name(out, s, i, what, 0);
}

static int set_name(json_t *o, const char *key, const segment *s, size_t i, const char *what)
{
	char v[VALUE_MAX + 1];
	int error;

	/* a reference or shipment: the plain rule, as the JSON import keeps it */
	if ((error = checked_name(v, s, i, what, 1)) < 0)
		return error;
	json_object_set_new(o, key, json_string(v));
	return 0;
}

static int set_date(reader *r, json_t *o, const char *key, const segment *s, size_t i,
		    const char *what)
{
	char d[16];
	int error;

	if ((error = day_of(d, NULL, r, s, i, what)) < 0)
		return error;
	json_object_set_new(o, key, json_string(d));
	return 0;
}

static const char *const periods[] = { "daily", "weekly", "monthly", "flexible" };
static const char *const statuses[] = { "firm", "planning", "trade-off" };

/* ---- the heading: BFR, BSS, N1 ------------------------------------------ */

static int on_purpose(const segment *s, const char *what)
{
	const char *p = el(s, 1);

	if (strcmp(p, "00") == 0 || strcmp(p, "05") == 0)
		return 0;
	return fail(s, "%s01 '%.8s' is not a purpose qvault takes (00 original, 05 replace: a "
		    "schedule replaces the one before)", what, p);
}

/* BFR05 / BSS11: quantities are discrete (A); cumulative ones (C) are not read. */
static int on_quantity_qualifier(const segment *s, size_t i, const char *what, int optional)
{
	const char *q = el(s, i);

	if (strcmp(q, "A") == 0 || (optional && !*q))
		return 0;
	if (strcmp(q, "C") == 0)
		return fail(s, "%s 'C': cumulative quantities are not read, only discrete ones (A)", what);
	return fail(s, "%s '%.8s' is not a quantity qualifier qvault reads (A discrete)", what, q);
}

static int on_bfr(reader *r, const segment *s)
{
	int error;
	size_t ref = *el(s, 2) ? 2 : 3;

	if ((error = on_purpose(s, "BFR")) < 0 ||
	    (error = on_quantity_qualifier(s, 5, "BFR05", 0)) < 0)
		return error;
	json_object_set_new(r->head, "schedule", json_string("forecast"));
	if (*el(s, ref) &&
	    (error = set_name(r->head, "reference", s, ref, ref == 2 ? "BFR02 (the forecast number)"
							    : "BFR03 (the release number)")) < 0)
		return error;
	if ((error = set_date(r, r->head, "horizon_start", s, 6, "BFR06")) < 0 ||
	    (*el(s, 7) && (error = set_date(r, r->head, "horizon_end", s, 7, "BFR07")) < 0) ||
	    (error = set_date(r, r->head, "issued", s, 8, "BFR08 (the date generated)")) < 0)
		return error;
	return 0;
}

static int on_bss(reader *r, const segment *s)
{
	int error;

	if ((error = on_purpose(s, "BSS")) < 0 ||
	    (error = on_quantity_qualifier(s, 11, "BSS11", 1)) < 0)
		return error;
	json_object_set_new(r->head, "schedule", json_string("delivery"));
	if ((error = set_name(r->head, "reference", s, 2, "BSS02 (the schedule number)")) < 0 ||
	    (error = set_date(r, r->head, "issued", s, 3, "BSS03")) < 0 ||
	    (error = set_date(r, r->head, "horizon_start", s, 5, "BSS05")) < 0 ||
	    (*el(s, 6) && (error = set_date(r, r->head, "horizon_end", s, 6, "BSS06")) < 0))
		return error;
	return 0;
}

static int check_horizon(reader *r, const segment *s)
{
	const char *a = json_string_value(json_object_get(r->head, "horizon_start"));
	const char *b = json_string_value(json_object_get(r->head, "horizon_end"));

	if (a && b && strcmp(b, a) < 0)
		return fail(s, "the horizon ends (%s) before it starts (%s)", b, a);
	return 0;
}

static int on_n1(reader *r, const segment *s)
{
	const char *who = el(s, 1);
	int st = strcmp(who, "ST") == 0;

	if (!st && strcmp(who, "SU") != 0)
		return 0;
	if (!*el(s, 4))
		return fail(s, "N1*%s gives no code (N104) to name the %s by", who,
			    st ? "ship-to" : "supplier");
	if (r->cur)
		return checked_name(st ? r->lin_ship_to : r->lin_supplier, s, 4,
			       st ? "N104 (the ship-to)" : "N104 (the supplier)", 1);
	return checked_name(st ? r->ship_to : r->supplier, s, 4,
		       st ? "N104 (the ship-to)" : "N104 (the supplier)", 1);
}

/* ---- the LIN loop ------------------------------------------------------- */

/* Close the open LIN: its buckets, its ship-to and supplier. */
static int close_lin(reader *r, const segment *s)
{
	const char *part, *ship_to, *supplier;
	char key[4 * VALUE_MAX + 8];
	json_t *before;

	if (!r->cur)
		return 0;
	part = json_string_value(json_object_get(r->cur, "part"));
	if (json_array_size(r->buckets) == 0)
		return fail(s, "the LIN of part '%s' before it has no FST (no bucket)", part);
	ship_to = r->lin_ship_to[0] ? r->lin_ship_to : r->ship_to;
	supplier = r->lin_supplier[0] ? r->lin_supplier : r->supplier[0] ? r->supplier : r->receiver;
	if (!ship_to[0])
		return fail(s, "the LIN of part '%s' before it has no ship-to (N1*ST)", part);
	if (!supplier[0])
		return fail(s, "the LIN of part '%s' before it names no supplier (N1*SU, or ISA08)", part);
	if (vault_plain_name_check("the supplier (ISA08, the interchange's receiver)", supplier) < 0)
		return fail(s, "%s", vault_error_message());
	if (vault__fmt(key, sizeof(key), "the schedule's key", "%c %s %s %s", r->set, supplier, part,
		       ship_to) < 0)
		return fail(s, "%s", vault_error_message());
	if ((before = json_object_get(r->seen, key)) != NULL)
		return fail(s, "a second %s of part '%s' for '%s' at '%s' in one file (the first is the "
			    "LIN of segment %" JSON_INTEGER_FORMAT ")", r->set == 'F' ? "forecast" : "delivery schedule",
			    part, supplier, ship_to, json_integer_value(before));
	json_object_set_new(r->seen, key, json_integer((json_int_t)r->lin_at));
	json_object_set_new(r->cur, "ship_to", json_string(ship_to));
	json_object_set_new(r->cur, "supplier", json_string(supplier));
	if (json_array_size(r->auths) == 0)
		json_object_del(r->cur, "authorizations");
	r->cur = r->buckets = r->auths = NULL;
	return 0;
}

static int on_lin(reader *r, const segment *s)
{
	size_t i;
	const char *part = NULL;
	char checked[VALUE_MAX + 1];
	int error;

	if ((error = close_lin(r, s)) < 0)
		return error;
	for (i = 2; i + 1 < s->n; i += 2)
		if (strcmp(s->el[i], "BP") == 0) {
			if (part && strcmp(part, s->el[i + 1]) != 0)
				return fail(s, "LIN names two buyer's parts, '%s' and '%.32s'", part,
					    s->el[i + 1]);
			part = s->el[i + 1];
			if ((error = name_of(checked, s, i + 1, "the LIN's part (BP)")) < 0)
				return error;
		}
	if (!part)
		return fail(s, "LIN names no buyer's part (qualifier BP)");
	if (json_array_size(r->list) == SCHEDULES_MAX)
		return fail(s, "more than %d schedules in one file", SCHEDULES_MAX);
	r->cur = json_deep_copy(r->head);
	json_object_set_new(r->cur, "part", json_string(part));
	r->buckets = json_array();
	r->auths = json_array();
	json_object_set_new(r->cur, "buckets", r->buckets);
	json_object_set_new(r->cur, "authorizations", r->auths);
	json_array_append_new(r->list, r->cur);
	r->lin_ship_to[0] = r->lin_supplier[0] = '\0';
	r->has_uit = r->has_receipt = r->has_cumulative = r->has_prev = 0;
	r->lins++;
	r->lin_at = s->number;
	return 0;
}

static int on_uit(reader *r, const segment *s)
{
	char unit[8];
	const char *u = el(s, 1);
	size_t k = strcspn(u, (char[]){ r->w.component, '\0' });

	if (r->has_uit)
		return fail(s, "the LIN has a second UIT");
	if (k != 2 || strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") < 2)
		return fail(s, "UIT01 '%.16s' is not a unit code (two capitals or digits)", u);
	memcpy(unit, u, 2);
	unit[2] = '\0';
	json_object_set_new(r->cur, "unit", json_string(unit));
	r->has_uit = 1;
	return 0;
}

/* FST07, HHMM[SS[D[D]]], as HH:MM into out; its minutes in *minutes. */
static int time_of(char *out, size_t size, int *minutes, const segment *s)
{
	const char *t = el(s, 7);
	size_t len = strlen(t);
	int h, m;

	if (len < 4 || len > 8 || strspn(t, "0123456789") != len)
		return fail(s, "FST07 '%.16s' is not a time (HHMM)", t);
	h = (t[0] - '0') * 10 + (t[1] - '0');
	m = (t[2] - '0') * 10 + (t[3] - '0');
	if (h > 23 || m > 59)
		return fail(s, "FST07 '%.16s' is no time of day", t);
	*minutes = h * 60 + m;
	vault__fmt_message(out, size, "%.2s:%.2s", t, t + 2);
	return 0;
}

static int on_fst(reader *r, const segment *s)
{
	const char *st = el(s, 2), *tq = el(s, 3);
	char start[16], end[16], implied[16], hhmm[8];
	long sd, ed = 0;
	int period, status, minutes = -1, error, y, m;
	unsigned long long qty;
	json_t *b;

	if ((error = qty_of(&qty, s, 1, "FST01 (the quantity)")) < 0)
		return error;
	if (strlen(st) != 1 || !strchr("CDZ", st[0]))
		return fail(s, "FST02 '%.8s' is not a forecast qualifier qvault reads (C firm, D planning, "
			    "Z trade-off)", st);
	status = st[0] == 'C' ? 0 : st[0] == 'D' ? 1 : 2;
	if (r->set == 'D' && status != 0)
		return fail(s, "FST02 '%s' in an 862: a shipping schedule's quantities are firm (C)", st);
	if (strlen(tq) != 1 || !strchr("DWMF", tq[0]))
		return fail(s, "FST03 '%.8s' is not a timing qualifier qvault reads (D daily, W weekly, "
			    "M monthly, F flexible)", tq);
	period = (int)(strchr("DWMF", tq[0]) - "DWMF");
	if ((error = day_of(start, &sd, r, s, 4, "FST04 (the start)")) < 0)
		return error;
	y = (start[0] - '0') * 1000 + (start[1] - '0') * 100 + (start[2] - '0') * 10 + (start[3] - '0');
	m = (start[5] - '0') * 10 + (start[6] - '0');
	switch (period) {
	case 0: ed = sd; break;
	case 1: ed = sd + 6; break;
	case 2: ed = days_of(y, m, month_days(y, m)); break;
	default: break;
	}
	if (period == 3 && !*el(s, 5))
		return fail(s, "a flexible bucket (FST03 F) without its end date (FST05)");
	if (*el(s, 5)) {
		long given;

		if ((error = day_of(end, &given, r, s, 5, "FST05 (the end)")) < 0)
			return error;
		if (given < sd)
			return fail(s, "FST05 %s is before FST04 %s", end, start);
		if (period != 3 && given != ed) {
			date_string(implied, sizeof(implied), ed);
			return fail(s, "FST05 %s is not the end of the %s bucket from %s (%s)", end,
				    periods[period], start, implied);
		}
		ed = given;
	}
	/* FST06/07: a just-in-time delivery's time, on a day */
	if (*el(s, 6) || *el(s, 7)) {
		if (strcmp(el(s, 6), "002") != 0)
			return fail(s, "FST06 '%.8s' is not a date/time qualifier qvault reads (002, with "
				    "the delivery time in FST07)", el(s, 6));
		if (period != 0)
			return fail(s, "a delivery time (FST06/07) on a %s bucket: only on a daily one",
				    periods[period]);
		if ((error = time_of(hhmm, sizeof(hhmm), &minutes, s)) < 0)
			return error;
	}
	if (r->has_prev) {
		if (sd < r->prev_start)
			return fail(s, "FST dates out of order: %s comes after the bucket of %s", start,
				    r->prev_start_s);
		/* deliveries on one day at their times, in time order, do not overlap */
		if (sd <= r->prev_end &&
		    !(sd == r->prev_start && ed == sd && r->prev_end == sd && minutes >= 0 &&
		      r->prev_time >= 0 && minutes > r->prev_time))
			return fail(s, "the bucket from %s overlaps the one before (%s to %s)", start,
				    r->prev_start_s, r->prev_end_s);
	}
	if (json_array_size(r->buckets) == BUCKETS_MAX)
		return fail(s, "more than %d buckets (FST) in one LIN", BUCKETS_MAX);
	b = json_object();
	json_object_set(b, "start", shared_date(r, sd, start));
	if (*el(s, 5))
		json_object_set(b, "end", shared_date(r, ed, end));
	json_object_set(b, "period", r->words[period]);
	json_object_set_new(b, "qty", json_integer((json_int_t)qty));
	json_object_set(b, "status", r->words[4 + status]);
	if (minutes >= 0)
		json_object_set_new(b, "time", json_string(hhmm));
	json_array_append_new(r->buckets, b);
	r->has_prev = 1;
	r->prev_start = sd;
	r->prev_end = ed;
	r->prev_time = minutes;
	memcpy(r->prev_start_s, start, sizeof(start));
	date_string(r->prev_end_s, sizeof(r->prev_end_s), ed);
	r->hash += qty;
	return 0;
}

static int on_ath(reader *r, const segment *s)
{
	const char *code = el(s, 1), *kind;
	unsigned long long qty;
	json_t *a, *o;
	size_t i;
	int error;

	if (strcmp(code, "FI") == 0)
		kind = "fabrication";
	else if (strcmp(code, "MT") == 0)
		kind = "material";
	else
		return fail(s, "ATH01 '%.8s' is not an authorization qvault reads (FI fabrication, "
			    "MT material)", code);
	json_array_foreach(r->auths, i, o)
		if (strcmp(json_string_value(json_object_get(o, "kind")), kind) == 0)
			return fail(s, "a second ATH*%s in the LIN", code);
	if ((error = qty_of(&qty, s, 3, "ATH03 (the cumulative quantity)")) < 0)
		return error;
	a = json_object();
	json_array_append_new(r->auths, a);
	json_object_set_new(a, "kind", json_string(kind));
	json_object_set_new(a, "qty", json_integer((json_int_t)qty));
	if ((error = set_date(r, a, "through", s, 2, "ATH02 (authorized through)")) < 0 ||
	    (*el(s, 5) && (error = set_date(r, a, "start", s, 5, "ATH05 (the cumulative start)")) < 0))
		return error;
	return 0;
}

static int on_shp(reader *r, const segment *s)
{
	const char *q = el(s, 1), *dq = el(s, 3);
	unsigned long long qty;
	json_t *o;
	int error, receipt = strcmp(q, "01") == 0;

	if (!receipt && strcmp(q, "02") != 0)
		return fail(s, "SHP01 '%.8s' is not a quantity qualifier qvault reads (01 discrete, "
			    "02 cumulative)", q);
	if (strcmp(dq, receipt ? "050" : "051") != 0)
		return fail(s, "SHP03 '%.8s' with SHP01 %s: qvault reads %s", dq, q,
			    receipt ? "050 (received)" : "051 (cumulative quantity start)");
	if (receipt ? r->has_receipt : r->has_cumulative)
		return fail(s, "a second SHP*%s in the LIN", q);
	if ((error = qty_of(&qty, s, 2, "SHP02 (the quantity)")) < 0)
		return error;
	o = json_object();
	json_object_set_new(r->cur, receipt ? "last_receipt" : "cumulative", o);
	json_object_set_new(o, "qty", json_integer((json_int_t)qty));
	if ((error = set_date(r, o, receipt ? "date" : "start", s, 4,
			      receipt ? "SHP04 (the date received)" : "SHP04 (the cumulative start)")) < 0)
		return error;
	if (!receipt && *el(s, 6)) {
		if ((error = set_date(r, o, "end", s, 6, "SHP06 (the cumulative end)")) < 0)
			return error;
		if (strcmp(json_string_value(json_object_get(o, "end")),
			   json_string_value(json_object_get(o, "start"))) < 0)
			return fail(s, "the cumulative ends (SHP06) before it starts (SHP04)");
	}
	if (receipt)
		r->has_receipt = 1;
	else
		r->has_cumulative = 1;
	r->last_shp = receipt ? '1' : 0;
	return 0;
}

static int on_ctt(reader *r, const segment *s)
{
	unsigned long long hash = r->hash % 10000000000ULL, given;
	const char *h = el(s, 2);
	int error;

	if (r->has_ctt)
		return fail(s, "a second CTT");
	if ((error = close_lin(r, s)) < 0)
		return error;
	if (!vault_x12__count_is(el(s, 1), r->lins))
		return fail(s, "CTT01 says %.16s line items, the set has %zu LIN", el(s, 1), r->lins);
	if (*h) {
		if (!vault_x12__whole(h, 15, &given))
			return fail(s, "CTT02 '%.16s' is not a whole number", h);
		if (given != r->hash && given != hash)
			return fail(s, "CTT02 says the quantities (FST01) add up to %.16s, they add up to %llu",
				    h, r->hash);
	}
	r->has_ctt = 1;
	return 0;
}

/* ---- the walk's callbacks ----------------------------------------------- */

static int on_isa(vault_x12_walk *w, const segment *s)
{
	vault_x12__isa_id(((reader *)w)->receiver, s, 8);
	return 0;
}

static int on_st(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;
	const char *id = el(s, 1);

	if (strcmp(id, "830") != 0 && strcmp(id, "862") != 0)
		return fail(s, "transaction set '%.16s' is a%s %.8s, not an 830 planning schedule or an "
			    "862 shipping schedule", el(s, 2), strcmp(id, "856") == 0 ? "n" : "", id);
	r->set = id[1] == '3' ? 'F' : 'D';
	json_decref(r->head);
	r->head = json_object();
	r->has_head = r->has_ctt = 0;
	r->cur = r->buckets = r->auths = NULL;
	r->ship_to[0] = r->supplier[0] = '\0';
	r->lins = 0;
	r->hash = 0;
	r->last_shp = 0;
	return 0;
}

static int wrong_set(const reader *r, const segment *s)
{
	const char *id = el(s, 0);

	if (strcmp(id, "BSN") == 0 || strcmp(id, "HL") == 0 || strcmp(id, "SN1") == 0)
		return fail(s, "%s is a ship notice's (856) segment, not %s's", id,
			    r->set == 'F' ? "an 830" : "an 862");
	if (r->set == 'F' && (strcmp(id, "BSS") == 0 || strcmp(id, "JIT") == 0))
		return fail(s, "%s is a shipping schedule's (862) segment, not an 830's%s", id,
			    strcmp(id, "JIT") == 0 ? "" : " (an 830 opens with BFR)");
	if (r->set == 'D' && (strcmp(id, "BFR") == 0 || strcmp(id, "ATH") == 0))
		return fail(s, "%s is a planning schedule's (830) segment, not an 862's%s", id,
			    strcmp(id, "ATH") == 0 ? " (a shipping schedule authorizes nothing)"
						   : " (an 862 opens with BSS)");
	if (r->set == 'D' && strcmp(id, "JIT") == 0)
		return fail(s, "JIT is not read: give each delivery as its own FST with its time "
			    "(FST06 002, FST07)");
	return 0;
}

static int on_segment(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;
	const char *id = el(s, 0);
	char last_shp = r->last_shp;
	int error;

	r->last_shp = 0;
	if ((error = wrong_set(r, s)) < 0)
		return error;
	if (!r->has_head) {
		const char *want = r->set == 'F' ? "BFR" : "BSS";

		if (strcmp(id, want) != 0)
			return fail(s, "an %s opens with %s, not %s", r->set == 'F' ? "830" : "862", want, id);
		r->has_head = 1;
		if ((error = r->set == 'F' ? on_bfr(r, s) : on_bss(r, s)) < 0)
			return error;
		return check_horizon(r, s);
	}
	if (strcmp(id, "BFR") == 0 || strcmp(id, "BSS") == 0)
		return fail(s, "a second %s", id);
	if (strcmp(id, "CTT") == 0)
		return on_ctt(r, s);
	if (r->has_ctt && (strcmp(id, "LIN") == 0 || strcmp(id, "FST") == 0 ||
			   strcmp(id, "UIT") == 0 || strcmp(id, "ATH") == 0 || strcmp(id, "SHP") == 0))
		return fail(s, "%s after CTT, the set's summary", id);
	if (strcmp(id, "N1") == 0)
		return on_n1(r, s);
	if (strcmp(id, "LIN") == 0)
		return on_lin(r, s);
	if (!r->cur) {
		if (strcmp(id, "UIT") == 0 || strcmp(id, "FST") == 0 || strcmp(id, "ATH") == 0 ||
		    strcmp(id, "SHP") == 0)
			return fail(s, "%s outside a LIN loop (no LIN before it)", id);
		return 0;
	}
	if (strcmp(id, "UIT") == 0)
		return on_uit(r, s);
	if (strcmp(id, "FST") == 0)
		return on_fst(r, s);
	if (strcmp(id, "ATH") == 0)
		return on_ath(r, s);
	if (strcmp(id, "SHP") == 0)
		return on_shp(r, s);
	if (strcmp(id, "REF") == 0 && strcmp(el(s, 1), "SI") == 0 && last_shp == '1')
		return set_name(json_object_get(r->cur, "last_receipt"), "shipment", s, 2,
				"REF02 (the shipment's number)");
	return 0;
}

static int on_se(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;
	int error;

	if ((error = close_lin(r, s)) < 0 || (error = vault_x12__check_se(w, s)) < 0)
		return error;
	if (!r->has_head)
		return fail(s, "transaction set '%s' has no %s segment", w->control,
			    r->set == 'F' ? "BFR" : "BSS");
	if (r->lins == 0)
		return fail(s, "transaction set '%s' has no LIN (no part)", w->control);
	return 0;
}

int vault_x12__parse_forecast(json_t **out, const char *data, size_t len)
{
	reader r;
	size_t i;
	int error;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.w.on_isa = on_isa;
	r.w.on_st = on_st;
	r.w.on_segment = on_segment;
	r.w.on_se = on_se;
	r.list = json_array();
	r.seen = json_object();
	for (i = 0; i < 4; i++)
		r.words[i] = json_string(periods[i]);
	for (i = 0; i < 3; i++)
		r.words[4 + i] = json_string(statuses[i]);
	error = vault_x12__walk(&r.w, data, len);
	json_decref(r.head);
	json_decref(r.seen);
	for (i = 0; i < sizeof(r.words) / sizeof(r.words[0]); i++)
		json_decref(r.words[i]);
	for (i = 0; i < DATES_CACHED; i++)
		json_decref(r.dates[i]);
	if (error < 0) {
		json_decref(r.list);
		return error;
	}
	*out = r.list;
	return 0;
}
