/*
 * x12.h - what the X12 readers share (x12.c): segments split in place,
 * the interchange's envelope walked and its counts checked, the values
 * and dates every set holds.  The 856 reader (x12.c) and the 830/862
 * reader (x12_forecast.c) each hand the walk their own callbacks.
 */
#ifndef VAULT_X12_H
#define VAULT_X12_H

#include <stddef.h>

#include <jansson.h>

#define VAULT_X12_ELEMENTS_MAX 64
#define VAULT_X12_VALUE_MAX 128

/* One segment split in place: el[0] is its id. */
typedef struct {
	char *el[VAULT_X12_ELEMENTS_MAX];
	size_t n;
	size_t number;  /* from 1, in the interchange */
} vault_x12_segment;

/* Element i of `s`, or "" when the segment is shorter. */
const char *vault_x12__el(const vault_x12_segment *s, size_t i);
/* ISA element `i` (a sender's or receiver's id) into `out`, its padding cut. */
void vault_x12__isa_id(char out[VAULT_X12_VALUE_MAX + 1], const vault_x12_segment *s, size_t i);

/*
 * VAULT_EINVALID with "X12 segment N (ID): <what>", or "X12: <what>"
 * when `s` is NULL.
 */
int vault_x12__fail(const vault_x12_segment *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The last refusal of vault_x12__fail in this thread: its interchange,
 * its segment's number in the interchange and id (0 and "": none, the file's end),
 * and the element (from 1) when the refusal was of one, with X12's
 * AK403 code ("1" missing, "5" too long, "6" a bad character, "8" not a
 * date); element 0 otherwise.  The 997 writer (x12_ack.c) reads it.
 */
typedef struct {
	int refused;    /* 1 once a refusal was made since the walk began */
	size_t interchange; /* which of the file's interchanges, from 1 */
	size_t segment;
	char id[4];
	size_t element;
	const char *code;
} vault_x12_failure;
void vault_x12__failure(vault_x12_failure *out);

/* Element i is a value of 1 to VAULT_X12_VALUE_MAX printable bytes; `what` names it. */
int vault_x12__value_ok(const vault_x12_segment *s, size_t i, const char *what);

/*
 * Element i, a date CCYYMMDD (YYMMDD too when `six`: 20YY below 50, else
 * 19YY), as YYYY-MM-DD into `out`.
 */
int vault_x12__date(char *out, size_t size, const vault_x12_segment *s, size_t i,
		    const char *what, int six);

/* An X12 count element (SE01, GE01, IEA01, CTT01): 1 to 9 digits equal to `want`. */
int vault_x12__count_is(const char *e, size_t want);

/*
 * An R (decimal) element that must be a whole number (a quantity, a hash
 * total): 1 to `digits` digits, then a fraction of zeros only ("24.000").
 * 1 and its value in *value, or 0.
 */
int vault_x12__whole(const char *e, size_t digits, unsigned long long *value);

/*
 * One walk through an interchange (or several, one after another, each
 * with its own separators): the caller's callbacks see each ISA, each ST
 * (to take or refuse the set by ST01), each segment inside ST ... SE, and
 * each SE (which calls vault_x12__check_se when its set is whole).  The
 * walk checks the rest of the envelope: the ISA's fixed width and its
 * separators, GS/GE and GE01, IEA01, the control numbers.  A callback
 * returns 0, or an error set with vault_x12__fail, which ends the walk.
 */
typedef struct vault_x12_walk vault_x12_walk;
struct vault_x12_walk {
	int (*on_isa)(vault_x12_walk *w, const vault_x12_segment *s); /* may be NULL */
	int (*on_st)(vault_x12_walk *w, const vault_x12_segment *s);
	int (*on_segment)(vault_x12_walk *w, const vault_x12_segment *s);
	int (*on_se)(vault_x12_walk *w, const vault_x12_segment *s);
	int (*on_gs)(vault_x12_walk *w, const vault_x12_segment *s); /* may be NULL */
	/* the walk's, for the callbacks to read */
	int in_set;           /* inside ST ... SE */
	size_t segments;      /* of the open set, ST and this one included */
	char control[16];     /* ST02 */
	int six_digit_dates;  /* GS08 is a version before 004010 */
	char component;       /* ISA16, the component separator */
};

/* Walk `data` (copied: the caller's bytes stay as they are). */
int vault_x12__walk(vault_x12_walk *w, const char *data, size_t len);

/* SE01 counts the set's segments, SE02 repeats ST02: 0 or the error. */
int vault_x12__check_se(const vault_x12_walk *w, const vault_x12_segment *s);

/*
 * Parse an X12 830 (planning schedule) and 862 (shipping schedule)
 * interchange into a JSON list of schedules as
 * schemas/forecast-import.schema.json describes them (x12_forecast.c):
 * one per LIN.  *out is the caller's.  What the reader takes and refuses
 * is said at the top of x12_forecast.c.  The buckets share their period,
 * status and date strings (a large 830 repeats them half a million
 * times): read them, never json_string_set() one.
 */
int vault_x12__parse_forecast(json_t **out, const char *data, size_t len);

/*
 * Parse an X12 850 (purchase order) interchange into a JSON list of POs
 * as schemas/po-import.schema.json describes them, one per set; or an
 * X12 860 (PO change) holding one change order into a list of one as
 * schemas/po-change-import.schema.json describes it (x12_po.c, which
 * says what each reads and refuses).  *out is the caller's.
 */
int vault_x12__parse_850(json_t **out, const char *data, size_t len);
int vault_x12__parse_860(json_t **out, const char *data, size_t len);

/*
 * The transaction set ST01 of the first ST in `data` ("856", "830"...),
 * into `out` (at least 4 bytes; "" when there is none or it is longer).
 */
void vault_x12__first_set(char *out, size_t size, const char *data, size_t len);

#endif
