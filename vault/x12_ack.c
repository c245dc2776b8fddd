/*
 * x12_ack.c - the 997 functional acknowledgment of an interchange an
 * import read, and the 997 reader of `edi read`.
 *
 * A 997 answers each functional group (AK1: GS01, GS06), each of its
 * transaction sets (AK2: ST01, ST02; AK5: A accepted, E accepted with
 * errors, R rejected, with a syntax code), the segment in error (AK3:
 * its id, its position in the set, ST being 1, a code) and the element
 * in error (AK4: its position, a code, a copy of the bad value), and the
 * group (AK9: its status, the sets it held, received, accepted).
 *
 * qvault takes a file whole, so a set is accepted only when the file was
 * imported.  When the reader refused the file, the set in error is
 * rejected with the segment (and the element when the reader's refusal
 * names it); the other sets read are rejected with "5" and no segment,
 * and what came after the error, never read, is not answered.  When the
 * vault refused what a well-formed file says (an unknown PO), every set
 * is rejected with "5" and no segment: the reason is the import's
 * message.  An interchange whose ISA or first GS could not be read has
 * no 997.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"
#include "x12_write.h"

typedef struct {
	char st01[8], st02[16];
	char status;           /* A, E, R */
	const char *code;      /* AK502, NULL for none */
	char seg[4];           /* AK301, "" for none */
	size_t pos;            /* AK302 */
	const char *seg_code;  /* AK304 */
	size_t element;        /* AK401, 0 for none */
	const char *el_code;   /* AK403 */
	char bad[100];         /* AK404 */
} ack_set;

typedef struct {
	char gs01[4], gs06[16];
	ack_set *sets;
	size_t nsets;
	const char *code;      /* AK905 */
} ack_group;

typedef struct {
	vault_x12_walk w;      /* first: the callbacks get it */
	char sender[20], receiver[20]; /* QUAL:ID of the interchange read */
	ack_group *groups;
	size_t ngroups;
	size_t interchanges;   /* ISAs seen */
	vault_x12_failure fail; /* the reader's */
	int stopped;
} tracer;

static void copy(char *dst, size_t size, const char *src)
{
	vault__fmt_message(dst, size, "%s", src);
}

/* "QUAL:ID", the id's padding taken off. */
static void party_of(char *dst, size_t size, const vault_x12_segment *s, size_t q, size_t id)
{
	const char *v = vault_x12__el(s, id);
	size_t len = strlen(v);

	while (len && v[len - 1] == ' ')
		len--;
	vault__fmt_message(dst, size, "%.2s:%.*s", vault_x12__el(s, q), (int)len, v);
}

static int on_isa(vault_x12_walk *w, const vault_x12_segment *s)
{
	tracer *t = (tracer *)w;

	t->interchanges++;
	if (t->sender[0])
		return 0;
	party_of(t->sender, sizeof(t->sender), s, 5, 6);
	party_of(t->receiver, sizeof(t->receiver), s, 7, 8);
	return 0;
}

static int on_gs(vault_x12_walk *w, const vault_x12_segment *s)
{
	tracer *t = (tracer *)w;
	ack_group *g;

	if ((t->groups = realloc(t->groups, (t->ngroups + 1) * sizeof(*t->groups))) == NULL)
		abort();
	g = &t->groups[t->ngroups++];
	memset(g, 0, sizeof(*g));
	copy(g->gs01, sizeof(g->gs01), vault_x12__el(s, 1));
	copy(g->gs06, sizeof(g->gs06), vault_x12__el(s, 6));
	return 0;
}

/* Where the reader stopped: this segment, so the walk stops too. */
static int at_failure(tracer *t, const vault_x12_segment *s)
{
	return t->fail.segment && s->number == t->fail.segment && t->interchanges == t->fail.interchange;
}

/* Stop at `s`, keeping the bad element's value as AK404 may carry it. */
static int stop(tracer *t, const vault_x12_segment *s)
{
	ack_group *g = &t->groups[t->ngroups - 1];
	const char *v = vault_x12__el(s, t->fail.element);
	size_t k;

	t->stopped = 1;
	if (t->fail.element && g->nsets && strlen(v) < sizeof(g->sets[0].bad)) {
		for (k = 0; v[k] && (unsigned char)v[k] >= 0x20 && (unsigned char)v[k] <= 0x7e &&
			    !strchr("*~>", v[k]); k++)
			;
		if (!v[k])
			copy(g->sets[g->nsets - 1].bad, sizeof(g->sets[0].bad), v);
	}
	return VAULT_EINVALID;
}

static int on_st(vault_x12_walk *w, const vault_x12_segment *s)
{
	tracer *t = (tracer *)w;
	ack_group *g = &t->groups[t->ngroups - 1];
	ack_set *set;

	if ((g->sets = realloc(g->sets, (g->nsets + 1) * sizeof(*g->sets))) == NULL)
		abort();
	set = &g->sets[g->nsets++];
	memset(set, 0, sizeof(*set));
	copy(set->st01, sizeof(set->st01), vault_x12__el(s, 1));
	copy(set->st02, sizeof(set->st02), vault_x12__el(s, 2));
	return at_failure(t, s) ? stop(t, s) : 0;
}

static int on_segment(vault_x12_walk *w, const vault_x12_segment *s)
{
	tracer *t = (tracer *)w;

	return at_failure(t, s) ? stop(t, s) : 0;
}

static int on_se(vault_x12_walk *w, const vault_x12_segment *s)
{
	tracer *t = (tracer *)w;

	return at_failure(t, s) ? stop(t, s) : vault_x12__check_se(w, s);
}

/* The set in error, as the reader's refusal and `message` say. */
static void set_in_error(ack_set *set, const vault_x12_failure *f, size_t pos, const char *message)
{
	set->status = 'R';
	set->code = "5";
	if (!f->segment) {
		/* the file ended inside the set */
		set->code = strstr(message, "no SE trailer") ? "2" : "5";
		return;
	}
	if (strcmp(f->id, "SE") == 0) {
		/* the trailer's count or control number; else what the set as a
		 * whole lacks (no BSN, no item), which names no segment of it */
		set->code = strstr(message, "SE01") ? "4" : strstr(message, "SE02") ? "3" : "5";
		return;
	}
	if (strcmp(f->id, "ST") == 0) {
		set->code = strstr(message, "ST02") ? "7" : "1";
		return;
	}
	copy(set->seg, sizeof(set->seg), f->id);
	set->pos = pos;
	set->element = f->element;
	set->el_code = f->code;
	set->seg_code = f->element ? "8" : strstr(message, "has no") ? "3" : strstr(message, "second") ? "5" : "2";
}

static int write_group(vault_x12w *x, const ack_group *g)
{
	char buf[3][24];
	size_t i, accepted = 0;
	int error;

	if ((error = vault_x12w__set_begin(x, "997")) < 0 ||
	    (error = vault_x12w__seg(x, "AK1", g->gs01, g->gs06, NULL)) < 0)
		return error;
	for (i = 0; i < g->nsets; i++) {
		const ack_set *s = &g->sets[i];
		char status[2] = { s->status, 0 };

		accepted += s->status != 'R';
		if ((error = vault_x12w__seg(x, "AK2", s->st01, s->st02, NULL)) < 0)
			return error;
		if (s->seg[0]) {
			vault__fmt_message(buf[0], sizeof(buf[0]), "%zu", s->pos);
			if ((error = vault_x12w__seg(x, "AK3", s->seg, buf[0], "", s->seg_code, NULL)) < 0)
				return error;
			vault__fmt_message(buf[1], sizeof(buf[1]), "%zu", s->element);
			if (s->element && (error = vault_x12w__seg(x, "AK4", buf[1], "", s->el_code ? s->el_code : "7",
								   s->bad, NULL)) < 0)
				return error;
		}
		if ((error = vault_x12w__seg(x, "AK5", status, s->code ? s->code : "", NULL)) < 0)
			return error;
	}
	vault__fmt_message(buf[0], sizeof(buf[0]), "%zu", g->nsets);
	vault__fmt_message(buf[1], sizeof(buf[1]), "%zu", g->nsets);
	vault__fmt_message(buf[2], sizeof(buf[2]), "%zu", accepted);
	if ((error = vault_x12w__seg(x, "AK9", accepted == g->nsets ? "A" : accepted ? "P" : "R", buf[0],
				     buf[1], buf[2], g->code ? g->code : "", NULL)) < 0 ||
	    (error = vault_x12w__set_end(x)) < 0)
		return error;
	return 0;
}

int vault_x12__ack997(char **out, const char *data, size_t len, int error, const vault_x12_ids *ids)
{
	char *message = vault__strdup(error < 0 ? vault_error_message() : "");
	vault_x12_ids mine = *ids;
	vault_x12w x;
	tracer t;
	size_t g, k;
	int rc = 0, read_error;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	memset(&x, 0, sizeof(x));
	if (error < 0)
		vault_x12__failure(&t.fail);
	read_error = t.fail.refused;
	t.w.on_isa = on_isa;
	t.w.on_gs = on_gs;
	t.w.on_st = on_st;
	t.w.on_segment = on_segment;
	t.w.on_se = on_se;
	/* the same walk as the reader's, stopped where it stopped */
	vault_x12__walk(&t.w, data, len);
	if (t.ngroups == 0)
		goto done;
	for (g = 0; g < t.ngroups; g++)
		for (k = 0; k < t.groups[g].nsets; k++) {
			ack_set *s = &t.groups[g].sets[k];

			s->status = error < 0 ? 'R' : 'A';
			s->code = error < 0 ? "5" : NULL;
		}
	if (error < 0 && read_error) {
		ack_group *last = &t.groups[t.ngroups - 1];

		if (t.w.in_set && last->nsets) {
			set_in_error(&last->sets[last->nsets - 1], &t.fail, t.w.segments, message);
		} else if (strcmp(t.fail.id, "GE") == 0) {
			last->code = strstr(message, "GE01") ? "5" : "4";
		} else if (!t.fail.segment && strstr(message, "no GE")) {
			last->code = "3";
		}
	}
	mine.sender = ids->sender ? ids->sender : t.receiver;
	mine.receiver = ids->receiver ? ids->receiver : t.sender;
	if ((rc = vault_x12w__begin(&x, &mine, "FA")) < 0)
		goto done;
	for (g = 0; g < t.ngroups && rc == 0; g++)
		rc = write_group(&x, &t.groups[g]);
	if (rc == 0)
		rc = vault_x12w__end(out, &x);
done:
	vault_x12w__dispose(&x);
	for (g = 0; g < t.ngroups; g++)
		free(t.groups[g].sets);
	free(t.groups);
	/* the import's message stays the one the caller reports */
	if (error < 0)
		vault_error__set(error, "%s", message);
	free(message);
	return rc;
}

int vault_x12__ack997_check(const char *data, size_t len, const vault_x12_ids *ids)
{
	char *probe = NULL;
	int error = vault_x12__ack997(&probe, data, len, 0, ids);

	free(probe);
	if (error < 0)
		return vault_error__set(error, "its 997 cannot be written: %s", vault_error_message());
	return 0;
}

/* ---- reading a 997 (edi read) --------------------------------------------- */

typedef struct {
	vault_x12_walk w;      /* first */
	json_t *list;          /* one object per AK1 */
	json_t *group;         /* the open AK1's */
	json_t *set;           /* the open AK2's */
	json_t *error;         /* the open AK3's */
} ack_reader;

static int r_on_st(vault_x12_walk *w, const vault_x12_segment *s)
{
	ack_reader *r = (ack_reader *)w;

	if (strcmp(vault_x12__el(s, 1), "997") != 0)
		return vault_x12__fail(s, "transaction set '%.16s' is a %.8s, not a 997 functional "
				       "acknowledgment", vault_x12__el(s, 2), vault_x12__el(s, 1));
	r->group = r->set = r->error = NULL;
	return 0;
}

/* Element i as a JSON member `key` of `o`, when it is given. */
static int member(json_t *o, const char *key, const vault_x12_segment *s, size_t i, int required)
{
	int error;

	if (!*vault_x12__el(s, i) && !required)
		return 0;
	if ((error = vault_x12__value_ok(s, i, key)) < 0)
		return error;
	json_object_set_new(o, key, json_string(vault_x12__el(s, i)));
	return 0;
}

/* A count element as a JSON integer. */
static int count_member(json_t *o, const char *key, const vault_x12_segment *s, size_t i)
{
	const char *v = vault_x12__el(s, i);

	if (!*v || strlen(v) > 6 || strspn(v, "0123456789") != strlen(v))
		return vault_x12__fail(s, "%s '%.16s' is not a count", key, v);
	json_object_set_new(o, key, json_integer(strtol(v, NULL, 10)));
	return 0;
}

static int r_on_segment(vault_x12_walk *w, const vault_x12_segment *s)
{
	ack_reader *r = (ack_reader *)w;
	const char *id = vault_x12__el(s, 0);
	int error = 0;

	if (strcmp(id, "AK1") == 0) {
		if (r->group)
			return vault_x12__fail(s, "a second AK1 in one 997");
		r->group = json_object();
		json_object_set_new(r->group, "sets", json_array());
		json_array_append_new(r->list, r->group);
		if ((error = member(r->group, "group", s, 1, 1)) < 0 ||
		    (error = member(r->group, "control", s, 2, 1)) < 0)
			return error;
		return 0;
	}
	if (!r->group)
		return vault_x12__fail(s, "a segment before AK1");
	if (strcmp(id, "AK2") == 0) {
		r->set = json_object();
		r->error = NULL;
		json_array_append_new(json_object_get(r->group, "sets"), r->set);
		if ((error = member(r->set, "set", s, 1, 1)) < 0 ||
		    (error = member(r->set, "control", s, 2, 1)) < 0)
			return error;
	} else if (strcmp(id, "AK3") == 0 || strcmp(id, "AK4") == 0) {
		if (!r->set)
			return vault_x12__fail(s, "%s outside an AK2", id);
		if (id[2] == '3') {
			r->error = json_object();
			if (!json_object_get(r->set, "errors"))
				json_object_set_new(r->set, "errors", json_array());
			json_array_append_new(json_object_get(r->set, "errors"), r->error);
			if ((error = member(r->error, "segment", s, 1, 1)) < 0 ||
			    (error = count_member(r->error, "position", s, 2)) < 0 ||
			    (error = member(r->error, "segment_code", s, 4, 0)) < 0)
				return error;
		} else {
			if (!r->error)
				return vault_x12__fail(s, "AK4 without an AK3");
			if ((error = count_member(r->error, "element", s, 1)) < 0 ||
			    (error = member(r->error, "element_code", s, 3, 1)) < 0 ||
			    (error = member(r->error, "value", s, 4, 0)) < 0)
				return error;
		}
	} else if (strcmp(id, "AK5") == 0) {
		const char *st = vault_x12__el(s, 1);

		if (!r->set)
			return vault_x12__fail(s, "AK5 outside an AK2");
		if (strcmp(st, "A") != 0 && strcmp(st, "E") != 0 && strcmp(st, "R") != 0)
			return vault_x12__fail(s, "AK501 '%.8s' is not A, E or R", st);
		json_object_set_new(r->set, "status", json_string(st));
		if ((error = member(r->set, "code", s, 2, 0)) < 0)
			return error;
		r->set = NULL;
	} else if (strcmp(id, "AK9") == 0) {
		const char *st = vault_x12__el(s, 1);

		if (strlen(st) != 1 || !strchr("AEPR", st[0]))
			return vault_x12__fail(s, "AK901 '%.8s' is not A, E, P or R", st);
		json_object_set_new(r->group, "status", json_string(st));
		if ((error = count_member(r->group, "included", s, 2)) < 0 ||
		    (error = count_member(r->group, "received", s, 3)) < 0 ||
		    (error = count_member(r->group, "accepted", s, 4)) < 0 ||
		    (error = member(r->group, "code", s, 5, 0)) < 0)
			return error;
	}
	return 0;
}

static int r_on_se(vault_x12_walk *w, const vault_x12_segment *s)
{
	ack_reader *r = (ack_reader *)w;
	int error;

	if ((error = vault_x12__check_se(w, s)) < 0)
		return error;
	if (!r->group || !json_object_get(r->group, "status"))
		return vault_x12__fail(s, "the 997 '%s' has no AK1 and AK9", w->control);
	if (r->set)
		return vault_x12__fail(s, "an AK2 of the 997 '%s' has no AK5", w->control);
	return 0;
}

int vault_x12__parse_997(json_t **out, const char *data, size_t len)
{
	ack_reader r;
	int error;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.w.on_st = r_on_st;
	r.w.on_segment = r_on_segment;
	r.w.on_se = r_on_se;
	r.list = json_array();
	if ((error = vault_x12__walk(&r.w, data, len)) < 0) {
		json_decref(r.list);
		return error;
	}
	*out = r.list;
	return 0;
}
