/*
 * x12_po.c - purchase orders from an X12 850 interchange, into the list
 * schemas/po-import.schema.json describes (one PO per transaction set),
 * and a change order from an X12 860, into the list
 * schemas/po-change-import.schema.json describes.  The envelope is x12.c's
 * walk, as for the 856, 830 and 862.
 *
 * Followed: the published segment layouts of ASC X12 (versions 003040 to
 * 005010, as Stedi's X12 reference sets them out):
 *
 *   BEG  (850)  01 purpose (00 original; a change is an 860), 02 order
 *               type (SA stand-alone, NE new, KN purchase order, RO rush:
 *               an order; BK blanket: every line a blanket agreement),
 *               03 the PO number, 05 its date (checked, not kept)
 *   BCH  (860)  01 purpose (04 change; 01 cancellation: every open line
 *               cancelled), 03 the PO number, 05 the change's sequence
 *               number, 06 the PO's date
 *   NTE, MSG    in an 860's heading: the first is the change's reason
 *               (NTE02, MSG01); without one, the reason names BCH05
 *   N1          01 SU supplier: N104 names the qvault organization, as
 *               in 830/862 import; none: the interchange's receiver
 *               (ISA08).  Others (ST ship-to, BY buyer...) are passed
 *               over: a qvault PO has no ship-to.  An N1*SU in a line's
 *               loop must name the order's supplier.
 *   DTM         374 002 (delivery requested) or 106 (required by): the
 *               due date, in the heading for every line, in a line's
 *               loop for it alone; 092/007 (contract effective) and
 *               093/036 (expiration): a blanket order's validity
 *   PO1  (850)  01 the line number (1 to 10000; PO1s without one are
 *               numbered in order), 02 quantity (whole), 03 unit (355),
 *               04 price (qvault keeps no price: passed over), from 06
 *               product id pairs: DW the drawing, DR (or EC) its
 *               revision, the part the value after BP, else PN, else
 *               VP, else the first other qualifier
 *   POC  (860)  01 the line, 02 the change (670): AI add a line, DI
 *               delete (cancel) it, QI/QD quantity (the new one above,
 *               below the line's: else refused), RS reschedule, RQ
 *               both, CA any of quantity, due date, drawing revision;
 *               NC (no change) passed over; 03 the new quantity, 05 its
 *               unit, product id pairs from 08 as PO1's from 06
 *   PO4  (850)  01 the pack: how many of the line's unit one case (CA)
 *               holds, when 02 (the size of each) is 1 or empty and 03
 *               the line's unit or empty (else passed over); an 856 in
 *               CA is converted by it
 *   SCH         one per line, its quantity the line's: its date (SCH05
 *               002 or 106, SCH06) is the due date
 *   CTT         01 the number of PO1 (POC) lines, 02 when given the sum
 *               of their quantities
 *
 * Refused, one line naming the segment: a purpose or order type other
 * than those, a release (BEG02 RL: po release records those), a line
 * without its drawing and revision (qvault records the revision each
 * line is built to) or a part, a fractional or zero quantity, two
 * delivery schedules (SCH) on one line (a qvault line has one due date),
 * two different due dates, a blanket order without its validity or a
 * blanket line with a due date, price changes (PC, PQ, PR: qvault keeps
 * no prices) and changes not listed, a cancellation with line changes,
 * more than one 860 in a file (one change order, one commit), an 850 in
 * an 860's file or the other way, wrong counts.  Other segments (REF,
 * PER, TD5, ITD, PID, SAC...) are counted and passed over.  Whether the
 * supplier, the drawings and the lines exist is the import's to check,
 * with the vault.
 *
 * po import comes here first (vault_po_import_any): an X12 file's POs go
 * to po.c as the list a JSON file holds, its change to po_change.c; CSV
 * and JSON go to po.c as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "input.h"
#include "po.h"
#include "portal.h"
#include "util.h"
#include "vault.h"
#include "x12.h"

#define VALUE_MAX VAULT_X12_VALUE_MAX
#define QTY_MAX 1000000000ULL
#define LINES_MAX 10000
#define ORDERS_MAX 100000

typedef vault_x12_segment segment;
#define el(s, i) vault_x12__el(s, i)
#define fail(...) vault_x12__fail(__VA_ARGS__)
#define is(a, b) (strcmp((a), (b)) == 0)

typedef struct {
	vault_x12_walk w;             /* first: the walk's callbacks get it */
	char want;                    /* '0' reads 850s, '6' reads 860s */
	json_t *list;                 /* every order (change) so far */
	char receiver[VALUE_MAX + 1]; /* ISA08, trimmed */
	/* the open set */
	json_t *order;                /* its PO (850) or change (860) */
	json_t *lines;                /* its lines (850) or changes (860), borrowed */
	int has_head, has_ctt, blanket, cancel, has_reason;
	char supplier[VALUE_MAX + 1];
	char due[16], valid_from[16], valid_until[16];
	size_t nlines;
	unsigned long long qty_sum;
	/* the open line */
	json_t *line;                 /* borrowed from lines, NULL before the first */
	char line_due[16];
	size_t schs;
	char change[4];               /* its POC02 (860) */
} reader;

/* ---- values ------------------------------------------------------------- */

/* Element i, a quantity: whole (a fraction of zeros only), 1 to QTY_MAX. */
static int qty_of(unsigned long long *out, const segment *s, size_t i, const char *what)
{
	const char *q = el(s, i);

	if (!vault_x12__whole(q, 10, out))
		return fail(s, "%s '%.16s' is not a whole quantity", what, q);
	if (*out == 0 || *out > QTY_MAX)
		return fail(s, "%s '%.16s' is not from 1 to %llu", what, q, QTY_MAX);
	return 0;
}

/* Element i as a name qvault keeps, set at `key` of `o`. */
static int set_name(json_t *o, const char *key, const segment *s, size_t i, const char *what)
{
	int error;

	if ((error = vault_x12__value_ok(s, i, what)) < 0)
		return error;
	if (vault_name_check(what, el(s, i)) < 0)
		return fail(s, "%s", vault_error_message());
	json_object_set_new(o, key, json_string(el(s, i)));
	return 0;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : days[m - 1];
}

/* Element i, a date of the calendar, as YYYY-MM-DD into out (16 bytes). */
static int date_of(char *out, reader *r, const segment *s, size_t i, const char *what)
{
	int error, y, m, d;

	if ((error = vault_x12__date(out, 16, s, i, what, r->w.six_digit_dates)) < 0)
		return error;
	y = (out[0] - '0') * 1000 + (out[1] - '0') * 100 + (out[2] - '0') * 10 + (out[3] - '0');
	m = (out[5] - '0') * 10 + (out[6] - '0');
	d = (out[8] - '0') * 10 + (out[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return fail(s, "%s '%s' is no day of the calendar", what, out);
	return 0;
}

/* A unit of measure (355) at element i, its first component, into o's "unit". */
static int set_unit(reader *r, json_t *o, const segment *s, size_t i, const char *what)
{
	const char *u = el(s, i);
	size_t k = strcspn(u, (char[]){ r->w.component, '\0' });
	char unit[4];

	if (k == 0)
		return 0;
	if (k != 2 || strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") < 2)
		return fail(s, "%s '%.16s' is not a unit of measure (two capitals or digits: EA, CA...)",
			    what, u);
	memcpy(unit, u, 2);
	unit[2] = '\0';
	json_object_set_new(o, "unit", json_string(unit));
	return 0;
}

/*
 * The product id pairs of PO1 (from 6) or POC (from 8) into `o`: "doc"
 * (DW), "rev" (DR or EC), "part" (BP, else PN, else VP, else the first
 * other); each at most once with one value.
 */
static int set_products(json_t *o, const segment *s, size_t first)
{
	static const char *const ranked[] = { "BP", "PN", "VP" };
	size_t i, k, best = 0, rank = 4;
	const char *doc = NULL, *rev = NULL;
	int error;

	for (i = first; i + 1 < s->n; i += 2) {
		const char *q = s->el[i], *v = s->el[i + 1];
		const char **slot = NULL;

		if (!*q && !*v)
			continue;
		if (!*v)
			return fail(s, "product id qualifier '%.8s' (element %zu) has no value", q, i);
		if (is(q, "DW"))
			slot = &doc;
		else if (is(q, "DR") || is(q, "EC"))
			slot = &rev;
		if (slot) {
			if (*slot && strcmp(*slot, v) != 0)
				return fail(s, "two %s given, '%.32s' and '%.32s'",
					    slot == &doc ? "drawings (DW)" : "revisions (DR, EC)", *slot, v);
			*slot = v;
			if ((error = set_name(o, slot == &doc ? "doc" : "rev", s, i + 1,
					      slot == &doc ? "the drawing (DW)"
							   : "the drawing revision (DR, EC)")) < 0)
				return error;
			continue;
		}
		for (k = 0; k < 3 && !is(q, ranked[k]); k++)
			;
		if (k < rank || (k == rank && k < 3 && strcmp(v, s->el[best + 1]) != 0)) {
			if (k == rank)
				return fail(s, "the line names two parts by %s, '%.32s' and '%.32s'", q,
					    s->el[best + 1], v);
			rank = k;
			best = i;
		}
	}
	if (rank < 4 && (error = set_name(o, "part", s, best + 1, "the line's part")) < 0)
		return error;
	return 0;
}

/* ---- lines -------------------------------------------------------------- */

/* Close the open line: its due date, its blanket terms. */
static int close_line(reader *r, const segment *s)
{
	const char *due = r->line_due[0] ? r->line_due : r->due[0] ? r->due : NULL;
	json_t *l = r->line;
	json_int_t number;

	if (!l)
		return 0;
	r->line = NULL;
	number = json_integer_value(json_object_get(l, "line"));
	if (r->want == '6') {
		/* a change's due date is the line's own: the heading's is the order's */
		if (r->line_due[0])
			json_object_set_new(l, "due", json_string(r->line_due));
		if ((is(r->change, "RS") || is(r->change, "RQ")) && !r->line_due[0])
			return fail(s, "line %" JSON_INTEGER_FORMAT " is rescheduled (POC02 %s) without "
				    "its new date (DTM*002 or SCH)", number, r->change);
		return 0;
	}
	if (r->blanket) {
		if (r->due[0])
			return fail(s, "a blanket order with a due date (DTM*%s in the heading): its "
				    "releases have", "002 or 106");
		if (r->line_due[0])
			return fail(s, "line %" JSON_INTEGER_FORMAT " of a blanket order has a due date: "
				    "its releases have", number);
		json_object_set_new(l, "blanket", json_pack("{s:s, s:s}", "valid_from", r->valid_from,
							     "valid_until", r->valid_until));
		return 0;
	}
	if (due)
		json_object_set_new(l, "due", json_string(due));
	return 0;
}

/* DTM: a due date, or a blanket's validity. */
static int on_dtm(reader *r, const segment *s)
{
	const char *q = el(s, 1);
	char d[16], *slot;
	const char *what;
	int error;

	if (is(q, "002") || is(q, "106")) {
		slot = r->line ? r->line_due : r->due;
		what = "DTM02 (the due date)";
	} else if (!r->line && (is(q, "092") || is(q, "007"))) {
		slot = r->valid_from;
		what = "DTM02 (valid from)";
	} else if (!r->line && (is(q, "093") || is(q, "036"))) {
		slot = r->valid_until;
		what = "DTM02 (valid until)";
	} else {
		return 0;
	}
	if ((error = date_of(d, r, s, 2, what)) < 0)
		return error;
	if (slot[0] && strcmp(slot, d) != 0)
		return fail(s, "a second %s, %s, beside %s: qvault keeps one", what, d, slot);
	memcpy(slot, d, sizeof(d));
	return 0;
}

/* SCH: one delivery of the whole line, its date the due date. */
static int on_sch(reader *r, const segment *s)
{
	unsigned long long qty;
	json_int_t want = json_integer_value(json_object_get(r->line, "qty"));
	char d[16];
	int error;

	if (++r->schs > 1)
		return fail(s, "a second delivery schedule (SCH) on line %" JSON_INTEGER_FORMAT ": a "
			    "qvault line has one due date (send one line per delivery)",
			    json_integer_value(json_object_get(r->line, "line")));
	if ((error = qty_of(&qty, s, 1, "SCH01 (the quantity)")) < 0)
		return error;
	if (want && (json_int_t)qty != want)
		return fail(s, "SCH01 %llu is not the line's quantity %" JSON_INTEGER_FORMAT ": a qvault "
			    "line has one due date", qty, want);
	if (!is(el(s, 5), "002") && !is(el(s, 5), "106"))
		return fail(s, "SCH05 '%.8s' is not a date qualifier qvault reads (002 delivery "
			    "requested, 106 required by)", el(s, 5));
	if ((error = date_of(d, r, s, 6, "SCH06 (the due date)")) < 0)
		return error;
	if (r->line_due[0] && strcmp(r->line_due, d) != 0)
		return fail(s, "SCH06 %s beside the line's due date %s: qvault keeps one", d, r->line_due);
	memcpy(r->line_due, d, sizeof(d));
	return 0;
}

/* The line number at element 1, or the next one when empty; into l's "line". */
static int set_line_number(reader *r, json_t *l, const segment *s, int required)
{
	const char *n = el(s, 1);
	size_t len = strlen(n);
	unsigned long v;

	if (!*n && !required) {
		/* the line is counted already: the nth PO1 is line n */
		json_object_set_new(l, "line", json_integer((json_int_t)r->nlines));
		return 0;
	}
	if (!*n || len > 9 || strspn(n, "0123456789") != len || (v = strtoul(n, NULL, 10)) < 1 ||
	    v > LINES_MAX)
		return fail(s, "%s01 '%.16s' is not a line number qvault keeps (1 to %d)", el(s, 0), n,
			    LINES_MAX);
	json_object_set_new(l, "line", json_integer((json_int_t)v));
	return 0;
}

static int open_line(reader *r, const segment *s, json_t *l)
{
	if (r->nlines == LINES_MAX) {
		json_decref(l);
		return fail(s, "more than %d lines in one order", LINES_MAX);
	}
	json_array_append_new(r->lines, l);
	r->line = l;
	r->line_due[0] = '\0';
	r->schs = 0;
	r->nlines++;
	return 0;
}

static int on_po1(reader *r, const segment *s)
{
	unsigned long long qty;
	json_t *l;
	json_int_t number;
	int error;

	if ((error = close_line(r, s)) < 0 || (error = open_line(r, s, l = json_object())) < 0)
		return error;
	if ((error = set_line_number(r, l, s, 0)) < 0 ||
	    (error = qty_of(&qty, s, 2, "PO102 (the quantity)")) < 0)
		return error;
	number = json_integer_value(json_object_get(l, "line"));
	json_object_set_new(l, "qty", json_integer((json_int_t)qty));
	r->qty_sum += qty;
	if ((error = set_unit(r, l, s, 3, "PO103 (the unit)")) < 0 ||
	    (error = set_products(l, s, 6)) < 0)
		return error;
	if (!json_object_get(l, "part"))
		return fail(s, "line %" JSON_INTEGER_FORMAT " names no part (BP, PN, VP...)", number);
	if (!json_object_get(l, "doc") || !json_object_get(l, "rev"))
		return fail(s, "line %" JSON_INTEGER_FORMAT " names no drawing and revision (DW and DR or "
			    "EC): qvault records the revision each line is built to", number);
	return 0;
}

/*
 * PO4 in an 850 line's loop: PO401 of the line's unit make one pack (a
 * case, CA: an 856 may count the line in CA, converted by it).  Taken
 * when PO402 (the size of each) is 1 or left out and PO403 is the line's
 * unit or left out; passed over otherwise, so that notices in packs are
 * refused for want of a pack size rather than converted wrongly.
 */
static int on_po4(reader *r, const segment *s)
{
	const char *unit = json_string_value(json_object_get(r->line, "unit"));
	const char *size = el(s, 2), *size_unit = el(s, 3);
	unsigned long long pack, each = 1;
	json_t *had = json_object_get(r->line, "pack_size");

	if (!unit)
		unit = "EA";
	if (!vault_x12__whole(el(s, 1), 10, &pack) || pack < 2 || pack > QTY_MAX ||
	    (*size && (!vault_x12__whole(size, 10, &each) || each != 1)) ||
	    (*size_unit && strncmp(size_unit, unit, 2) != 0) || strcmp(unit, "CA") == 0)
		return 0;
	if (had && (unsigned long long)json_integer_value(had) != pack)
		return fail(s, "line %" JSON_INTEGER_FORMAT " gives two packs, of %" JSON_INTEGER_FORMAT
			    " and %llu", json_integer_value(json_object_get(r->line, "line")),
			    json_integer_value(had), pack);
	json_object_set_new(r->line, "pack_unit", json_string("CA"));
	json_object_set_new(r->line, "pack_size", json_integer((json_int_t)pack));
	return 0;
}

static const char *const changes_read =
	"AI add, DI delete, QI/QD quantity, RS reschedule, RQ both, CA changes, NC none";

static int on_poc(reader *r, const segment *s)
{
	const char *code = el(s, 2);
	unsigned long long qty;
	json_t *l;
	json_int_t number;
	int error, add = is(code, "AI");

	if (r->cancel)
		return fail(s, "line changes (POC) in a cancellation (BCH01 01): the whole PO is cancelled");
	if ((error = close_line(r, s)) < 0)
		return error;
	if (is(code, "PC") || is(code, "PQ") || is(code, "PR") || is(code, "MU"))
		return fail(s, "POC02 '%s' changes a price: qvault keeps no prices", code);
	if (!is(code, "AI") && !is(code, "DI") && !is(code, "QI") && !is(code, "QD") &&
	    !is(code, "RS") && !is(code, "RQ") && !is(code, "CA") && !is(code, "NC"))
		return fail(s, "POC02 '%.8s' is not a change qvault reads (%s)", code, changes_read);
	l = json_object();
	if ((error = open_line(r, s, l)) < 0)
		return error;
	memcpy(r->change, code, 3);
	json_object_set_new(l, "change", json_string(add ? "add" : is(code, "DI") ? "cancel" :
						     is(code, "NC") ? "none" : "edit"));
	if ((error = set_line_number(r, l, s, 1)) < 0)
		return error;
	number = json_integer_value(json_object_get(l, "line"));
	if (is(code, "DI") || is(code, "NC"))
		return 0;
	if (*el(s, 3) || add || is(code, "QI") || is(code, "QD") || is(code, "RQ")) {
		if ((error = qty_of(&qty, s, 3, "POC03 (the quantity ordered)")) < 0)
			return error;
		json_object_set_new(l, "qty", json_integer((json_int_t)qty));
		r->qty_sum += qty;
		if (is(code, "QI") || is(code, "QD"))
			json_object_set_new(l, "qty_change",
					    json_string(is(code, "QI") ? "increase" : "decrease"));
	}
	if ((error = set_unit(r, l, s, 5, "POC05 (the unit)")) < 0 ||
	    (error = set_products(l, s, 8)) < 0)
		return error;
	if (add && !json_object_get(l, "part"))
		return fail(s, "the new line %" JSON_INTEGER_FORMAT " names no part (BP, PN, VP...)",
			    number);
	if (!json_object_get(l, "doc") != !json_object_get(l, "rev") ||
	    (add && !json_object_get(l, "doc")))
		return fail(s, "line %" JSON_INTEGER_FORMAT " names %s: qvault records the drawing "
			    "revision (DW and DR or EC) each line is built to", number,
			    add ? "no drawing and revision" : "a drawing or a revision without the other");
	return 0;
}

/* ---- the heading -------------------------------------------------------- */

static int on_beg(reader *r, const segment *s)
{
	const char *purpose = el(s, 1), *type = el(s, 2);
	char d[16];
	int error;

	if (!is(purpose, "00"))
		return fail(s, "BEG01 '%.8s' is not a purpose qvault takes in an 850 (00 original: a "
			    "change or a cancellation is an 860)", purpose);
	if (is(type, "RL"))
		return fail(s, "BEG02 'RL' is a release against a blanket order: record it with po release");
	if (!is(type, "SA") && !is(type, "NE") && !is(type, "KN") && !is(type, "RO") && !is(type, "BK"))
		return fail(s, "BEG02 '%.8s' is not an order type qvault reads (SA, NE, KN, RO an "
			    "order; BK a blanket order)", type);
	r->blanket = is(type, "BK");
	if ((error = set_name(r->order, "po", s, 3, "BEG03 (the PO number)")) < 0 ||
	    (error = date_of(d, r, s, 5, "BEG05 (the PO date)")) < 0)
		return error;
	return 0;
}

static int on_bch(reader *r, const segment *s)
{
	const char *purpose = el(s, 1);
	char d[16];
	int error;

	if (is(purpose, "01"))
		r->cancel = 1;
	else if (!is(purpose, "04"))
		return fail(s, "BCH01 '%.8s' is not a purpose qvault takes (04 change, 01 cancellation%s)",
			    purpose, is(purpose, "05") ? ": a replacement is sent as the lines it changes"
						       : "");
	json_object_set_new(r->order, "purpose", json_string(r->cancel ? "cancel" : "change"));
	if ((error = set_name(r->order, "po", s, 3, "BCH03 (the PO number)")) < 0 ||
	    (*el(s, 5) && (error = vault_x12__value_ok(s, 5, "BCH05 (the change's number)")) < 0) ||
	    (error = date_of(d, r, s, 6, "BCH06 (the PO date)")) < 0)
		return error;
	if (*el(s, 5))
		json_object_set_new(r->order, "sequence", json_string(el(s, 5)));
	return 0;
}

static int on_n1(reader *r, const segment *s)
{
	char *slot;
	int error;

	if (!is(el(s, 1), "SU"))
		return 0;
	if (!*el(s, 4))
		return fail(s, "N1*SU gives no code (N104) to name the supplier by");
	if ((error = vault_x12__value_ok(s, 4, "N104 (the supplier)")) < 0)
		return error;
	if (vault_plain_name_check("the supplier (N104)", el(s, 4)) < 0)
		return fail(s, "%s", vault_error_message());
	slot = r->supplier;
	if (r->line) {
		if (!is(slot[0] ? slot : r->receiver, el(s, 4)))
			return fail(s, "a line's supplier '%.32s' is not the order's '%s': a qvault PO has "
				    "one supplier", el(s, 4), slot[0] ? slot : r->receiver);
		return 0;
	}
	if (slot[0] && !is(slot, el(s, 4)))
		return fail(s, "a second supplier '%.32s' beside '%s'", el(s, 4), slot);
	memcpy(slot, el(s, 4), strlen(el(s, 4)) + 1); /* value_ok: VALUE_MAX */
	return 0;
}

/* NTE02 or MSG01 before the first POC: the change's reason. */
static int on_note(reader *r, const segment *s)
{
	size_t i = is(el(s, 0), "NTE") ? 2 : 1;
	const char *text = el(s, i);
	size_t k;

	if (r->want != '6' || r->line || r->has_reason || !*text)
		return 0;
	for (k = 0; text[k]; k++)
		if ((unsigned char)text[k] < 0x20 || (unsigned char)text[k] > 0x7e)
			return fail(s, "the note holds a byte that is not printable");
	json_object_set_new(r->order, "reason", json_string(text));
	r->has_reason = 1;
	return 0;
}

static int on_ctt(reader *r, const segment *s)
{
	const char *h = el(s, 2);
	unsigned long long given;
	int error;

	if (r->has_ctt)
		return fail(s, "a second CTT");
	if ((error = close_line(r, s)) < 0)
		return error;
	if (!vault_x12__count_is(el(s, 1), r->nlines))
		return fail(s, "CTT01 (the number of lines) is %.16s, the set has %zu", el(s, 1),
			    r->nlines);
	if (*h) {
		if (!vault_x12__whole(h, 15, &given))
			return fail(s, "CTT02 '%.16s' is not a whole number", h);
		if (given != r->qty_sum)
			return fail(s, "CTT02 says the quantities add up to %.16s, they add up to %llu", h,
				    r->qty_sum);
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
	const char *want = r->want == '0' ? "850" : "860";

	if (!is(id, want))
		return fail(s, "transaction set '%.16s' is an %.8s, not an %s %s (one kind of set per "
			    "file)", el(s, 2), id, want, r->want == '0' ? "purchase order" : "PO change");
	if (r->want == '6' && json_array_size(r->list) > 0)
		return fail(s, "a second 860 in one file: one change order per file (one commit)");
	if (json_array_size(r->list) == ORDERS_MAX)
		return fail(s, "more than %d orders in one file", ORDERS_MAX);
	r->order = json_object();
	json_decref(r->lines); /* a set the walk closed without SE */
	r->lines = json_array();
	json_array_append_new(r->list, r->order);
	r->has_head = r->has_ctt = r->blanket = r->cancel = r->has_reason = 0;
	r->supplier[0] = r->due[0] = r->valid_from[0] = r->valid_until[0] = '\0';
	r->nlines = 0;
	r->qty_sum = 0;
	r->line = NULL;
	return 0;
}

static int wrong_set(const reader *r, const segment *s)
{
	const char *id = el(s, 0);

	if (is(id, "BSN") || is(id, "HL") || is(id, "SN1"))
		return fail(s, "%s is a ship notice's (856) segment, not an %s's", id,
			    r->want == '0' ? "850" : "860");
	if (is(id, "BFR") || is(id, "BSS") || is(id, "FST"))
		return fail(s, "%s is a schedule's (830, 862) segment, not an %s's", id,
			    r->want == '0' ? "850" : "860");
	if (r->want == '0' && (is(id, "BCH") || is(id, "POC")))
		return fail(s, "%s is a PO change's (860) segment, not an 850's", id);
	if (r->want == '6' && (is(id, "BEG") || is(id, "PO1")))
		return fail(s, "%s is a purchase order's (850) segment, not an 860's", id);
	return 0;
}

static int on_segment(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;
	const char *id = el(s, 0);
	const char *head = r->want == '0' ? "BEG" : "BCH", *item = r->want == '0' ? "PO1" : "POC";
	int error;

	if ((error = wrong_set(r, s)) < 0)
		return error;
	if (!r->has_head) {
		if (!is(id, head))
			return fail(s, "an %s opens with %s, not %s", r->want == '0' ? "850" : "860", head, id);
		r->has_head = 1;
		return r->want == '0' ? on_beg(r, s) : on_bch(r, s);
	}
	if (is(id, head))
		return fail(s, "a second %s", id);
	if (is(id, "CTT"))
		return on_ctt(r, s);
	if (r->has_ctt && (is(id, item) || is(id, "SCH") || is(id, "DTM")))
		return fail(s, "%s after CTT, the set's summary", id);
	if (is(id, "N1"))
		return on_n1(r, s);
	if (is(id, "DTM"))
		return on_dtm(r, s);
	if (is(id, "NTE") || is(id, "MSG"))
		return on_note(r, s);
	if (is(id, item))
		return r->want == '0' ? on_po1(r, s) : on_poc(r, s);
	if (is(id, "PO4") && r->want == '0' && r->line)
		return on_po4(r, s);
	if (is(id, "SCH")) {
		if (!r->line)
			return fail(s, "SCH outside a line (no %s before it)", item);
		return on_sch(r, s);
	}
	return 0;
}

static int on_se(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;
	json_t *kept;
	size_t i;
	int error;

	if (r->has_head && r->want == '0' && r->blanket && (!r->valid_from[0] || !r->valid_until[0]))
		return fail(s, "a blanket order (BEG02 BK) without its validity: DTM*092 (from) and "
			    "DTM*093 (until)");
	if (r->blanket && strcmp(r->valid_from, r->valid_until) > 0)
		return fail(s, "the blanket order is valid from %s, after its end %s", r->valid_from,
			    r->valid_until);
	if ((error = close_line(r, s)) < 0 || (error = vault_x12__check_se(w, s)) < 0)
		return error;
	if (!r->has_head)
		return fail(s, "transaction set '%s' has no %s segment", w->control,
			    r->want == '0' ? "BEG" : "BCH");
	if (r->want == '0' && r->nlines == 0)
		return fail(s, "transaction set '%s' has no line (PO1)", w->control);
	if (r->want == '6' && r->nlines == 0 && !r->cancel)
		return fail(s, "transaction set '%s' changes no line (no POC)", w->control);
	if (!r->supplier[0] && r->receiver[0] &&
	    vault_plain_name_check("the supplier (ISA08, the interchange's receiver)", r->receiver) < 0)
		return fail(s, "%s", vault_error_message());
	if (!r->supplier[0] && !r->receiver[0])
		return fail(s, "the order names no supplier (N1*SU, or ISA08)");
	json_object_set_new(r->order, "supplier", json_string(r->supplier[0] ? r->supplier : r->receiver));
	if (r->want == '6') {
		/* NC lines changed nothing: they are passed over */
		kept = json_array();
		json_array_foreach(r->lines, i, r->line)
			if (!is(json_string_value(json_object_get(r->line, "change")), "none"))
				json_array_append(kept, r->line);
		json_decref(r->lines);
		r->lines = kept;
		if (!r->has_reason) {
			const char *seq = json_string_value(json_object_get(r->order, "sequence"));
			char reason[VALUE_MAX + 64];

			vault__fmt_message(reason, sizeof(reason), "X12 860 change order %s%s",
					   seq ? "number " : "set ", seq ? seq : w->control);
			json_object_set_new(r->order, "reason", json_string(reason));
		}
	}
	json_object_set_new(r->order, r->want == '0' ? "lines" : "changes", r->lines);
	r->lines = NULL;
	r->line = NULL;
	r->order = NULL;
	return 0;
}

static int parse(json_t **out, char want, const char *data, size_t len)
{
	reader r;
	int error;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.w.on_isa = on_isa;
	r.w.on_st = on_st;
	r.w.on_segment = on_segment;
	r.w.on_se = on_se;
	r.want = want;
	r.list = json_array();
	error = vault_x12__walk(&r.w, data, len);
	json_decref(r.lines);
	if (error < 0) {
		json_decref(r.list);
		return error;
	}
	*out = r.list;
	return 0;
}

int vault_x12__parse_850(json_t **out, const char *data, size_t len)
{
	return parse(out, '0', data, len);
}

int vault_x12__parse_860(json_t **out, const char *data, size_t len)
{
	return parse(out, '6', data, len);
}

/* The change order of an 860 (x12_po.c's list of one), recorded. */
static int change_860(char *changed, size_t size, unsigned *revision, vault *v, const char *data,
		      size_t len)
{
	json_t *root, *o, *c;
	vault_po_edit *edits;
	size_t i, n;
	int error;

	if ((error = vault_x12__parse_860(&root, data, len)) < 0)
		return error;
	o = json_array_get(root, 0);
	n = json_array_size(json_object_get(o, "changes"));
	if ((edits = calloc(n + 1, sizeof(*edits))) == NULL)
		abort();
	if (strcmp(json_string_value(json_object_get(o, "purpose")), "cancel") == 0) {
		edits[0].op = VAULT_PO_CANCEL;
		n = 1;
	}
	json_array_foreach(json_object_get(o, "changes"), i, c) {
		const char *what = json_string_value(json_object_get(c, "change")), *way;
		vault_po_edit *e = &edits[i];
		unsigned line = (unsigned)json_integer_value(json_object_get(c, "line"));

		e->op = strcmp(what, "add") == 0 ? VAULT_PO_ADD_LINE :
			strcmp(what, "cancel") == 0 ? VAULT_PO_CANCEL : VAULT_PO_EDIT;
		if (e->op == VAULT_PO_ADD_LINE) {
			e->number_said = line;
			e->part = json_string_value(json_object_get(c, "part"));
		} else {
			e->line = line;
			e->part_said = json_string_value(json_object_get(c, "part"));
		}
		e->qty = (uint64_t)json_integer_value(json_object_get(c, "qty"));
		e->doc = json_string_value(json_object_get(c, "doc"));
		e->rev = json_string_value(json_object_get(c, "rev"));
		e->due = json_string_value(json_object_get(c, "due"));
		e->unit = json_string_value(json_object_get(c, "unit"));
		way = json_string_value(json_object_get(c, "qty_change"));
		e->qty_way = !way ? 0 : strcmp(way, "increase") == 0 ? 1 : -1;
	}
	error = vault_po__change(v, json_string_value(json_object_get(o, "po")),
				 json_string_value(json_object_get(o, "supplier")), edits, n,
				 json_string_value(json_object_get(o, "reason")), revision);
	if (error == 0)
		vault__fmt_message(changed, size, "%s", json_string_value(json_object_get(o, "po")));
	free(edits);
	json_decref(root);
	return error;
}

/* ---- po import: CSV and JSON by po.c, X12 here ---------------------------- */

int vault_po_import_any(size_t *count, char *changed, size_t size, unsigned *revision, vault *v,
			const char *path)
{
	char *data, set[16];
	json_t *root;
	size_t len;
	int error;

	*count = 0;
	*revision = 0;
	changed[0] = '\0';
	if ((error = vault_input__read(&data, &len, v, path)) < 0)
		return error;
	if (!vault_x12__is_x12(data, len)) {
		error = vault_po__import_data(count, v, path, data, len);
		free(data);
		return error;
	}
	/* the first set says which: the reader refuses a set of another kind after it */
	vault_x12__first_set(set, sizeof(set), data, len);
	if (strcmp(set, "860") == 0)
		error = change_860(changed, size, revision, v, data, len);
	else if ((error = vault_x12__parse_850(&root, data, len)) == 0) {
		error = vault_po__import_list(count, v, path, root, "850 set");
		json_decref(root);
		free(data);
		return error; /* its messages name the file already */
	}
	if (error < 0)
		error = vault_error__set(error, "'%s': %s", path, vault_error_message());
	free(data);
	return error;
}

int vault_po_import(size_t *count, vault *v, const char *path)
{
	char changed[VAULT_NAME_MAX + 1];
	unsigned revision;
	int error;

	if ((error = vault_po_import_any(count, changed, sizeof(changed), &revision, v, path)) == 0 &&
	    changed[0])
		*count = 1;
	return error;
}

int vault_po__parse_x12(const char *data, size_t len)
{
	json_t *root;
	char set[16];
	int error;

	vault_x12__first_set(set, sizeof(set), data, len);
	if (strcmp(set, "860") == 0) {
		if ((error = vault_x12__parse_860(&root, data, len)) == 0)
			json_decref(root);
		return error;
	}
	if ((error = vault_x12__parse_850(&root, data, len)) < 0)
		return error;
	error = vault_po__check_list(root, "850 set");
	json_decref(root);
	return error;
}
