/*
 * x12.c - ship notices from an X12 856 interchange.
 *
 * The envelope: ISA (fixed width: its 4th byte is the element separator,
 * its 105th the component separator, its 106th the segment terminator),
 * GS ... GE around each functional group, ST ... SE around each
 * transaction set (one shipment), IEA at the end.  SE01 counts the
 * segments of its set, ST and SE included; GE01 the sets of its group;
 * IEA01 the groups.  Inside a set: BSN (BSN01 the purpose: 00 an
 * original, 01 the cancellation and 05 the replacement of the notice of
 * shipment id BSN02; BSN03 date), then the hierarchy HL*id*parent*code:
 * S shipment (TD5 carrier, REF*CN or REF*BM tracking, DTM*011 ship date),
 * O order (PRF01 the PO), P pack (MAN*GM the package's marks, REF*LT or
 * REF*BT the lot of the items in it), I item (LIN product ids, of which
 * BP, IN, PN and VP name parts the lot's part is checked against, LT the
 * lot and ON the PO; SN1 quantity, REF*LT or REF*BT the lot, PRF the PO).
 * A level qvault does not read (HL*ZZ, HL*Q...) is passed over, its
 * children kept; under an item, its REF*LT, REF*BT or LIN LT is the
 * item's lot.
 *
 * One notice per PO: an item's PO is its own (PRF or LIN ON in it), else
 * its order's (the nearest HL*O above it); when the whole set names one
 * PO, an item naming none is of it.  A set of one PO gives the notice
 * BSN02; a set of several gives one notice per PO, numbered
 * "BSN02+PO", so that the replacement or cancellation naming the same
 * orders (a cancellation's PRFs, its other segments a copy: counted, not
 * read) finds each one.  Other segments are counted and passed over.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "portal.h"
#include "util.h"
#include "vault.h"
#include "x12.h"

#define ISA_LEN 106
#define ELEMENTS_MAX VAULT_X12_ELEMENTS_MAX
#define VALUE_MAX VAULT_X12_VALUE_MAX
#define HLS_MAX 20000

/* Where an interchange opens: past a UTF-8 byte order mark and blank lines. */
static size_t lead(const char *data, size_t len)
{
	size_t i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	while (i < len && strchr(" \t\r\n", data[i]) && data[i])
		i++;
	return i;
}

int vault_x12__is_x12(const char *data, size_t len)
{
	size_t i = lead(data, len);

	return len - i >= 3 && memcmp(data + i, "ISA", 3) == 0;
}

typedef vault_x12_segment segment;

void vault_x12__isa_id(char out[VAULT_X12_VALUE_MAX + 1], const segment *s, size_t i)
{
	const char *v = vault_x12__el(s, i);
	size_t len = strlen(v);

	while (len > 0 && v[len - 1] == ' ')
		len--;
	if (len > VAULT_X12_VALUE_MAX)
		len = VAULT_X12_VALUE_MAX;
	memcpy(out, v, len);
	out[len] = '\0';
}

const char *vault_x12__el(const segment *s, size_t i)
{
	return i < s->n ? s->el[i] : "";
}

#define NONE ((size_t)-1)

/* One HL of a transaction set: its id, its parent's, its level, a pack's marks. */
typedef struct {
	char id[VALUE_MAX + 1];
	size_t parent;         /* index of its parent, or NONE */
	size_t item_of;        /* a level qvault does not read: the item it is under, or NONE */
	char level;            /* S, O, P (T too), I; '?' for one qvault does not read */
	char marks[VALUE_MAX + 1]; /* a pack's: MAN*GM first, else its first MAN */
	/* a pack's REF*LT or REF*BT, for the items it holds; a level qvault
	 * does not read, its own (REF*LT, REF*BT, LIN LT); an item, the one
	 * lot the levels under it name */
	char lot[VALUE_MAX + 1];
	char po[VALUE_MAX + 1];    /* an order's PRF; an item's PRF or LIN ON, then the PO it ships */
	int marks_gm;
	int has_item;          /* an order's: an item is under it */
	json_t *item;          /* an item's, once whole */
} hl_node;

/* The notice being read, and where the reader is in it. */
typedef struct {
	vault_x12_walk w;      /* first: the walk's callbacks get it */
	hl_node *nodes;        /* the set's HLs, in order */
	size_t nnodes, capnodes;
	json_t *list;          /* every notice so far */
	json_t *asn;           /* the open set's, NULL outside ST ... SE */
	json_t *cancel_pos;    /* a cancellation's POs (its PRFs and LIN ONs), as keys */
	json_t *item;          /* the open item, NULL outside HL*I */
	char level;            /* of the last HL: S, O, P, I, '?' */
	int has_lin, has_sn1, has_lot, has_bsn;
	char purpose;          /* BSN01: 0 original, 'C' cancellation, 'R' replacement */
	int several;           /* the set names several POs: its notices are BSN02+PO */
	char date[16];         /* BSN03 as YYYY-MM-DD */
} reader;

/*
 * Where the last refusal was, for the 997 (x12_ack.c): the segment, and
 * the element when the check of one refused it (value_ok, date).
 */
static _Thread_local vault_x12_failure failed, element_next;
static _Thread_local size_t interchange; /* the walk's, from 1 */

void vault_x12__failure(vault_x12_failure *out)
{
	*out = failed;
}

/* The refusal about to be made is of element i (X12's AK403 `code`). */
static void of_element(size_t i, const char *code)
{
	element_next.element = i;
	element_next.code = code;
}

int vault_x12__fail(const segment *s, const char *fmt, ...)
{
	char buf[384];
	va_list ap;

	/* the segment (none: the interchange's end) and the element about to be named */
	memset(&failed, 0, sizeof(failed));
	failed.refused = 1;
	failed.interchange = interchange;
	if (s) {
		failed.segment = s->number;
		vault__fmt_message(failed.id, sizeof(failed.id), "%.3s", vault_x12__el(s, 0));
		failed.element = element_next.element;
		failed.code = element_next.code;
	}
	memset(&element_next, 0, sizeof(element_next));

	va_start(ap, fmt);
	/* a message cut to fit says so */
	if (vsnprintf(buf, sizeof(buf), fmt, ap) >= (int)sizeof(buf))
		memcpy(buf + sizeof(buf) - 4, "...", 4);
	va_end(ap);
	if (s)
		return vault_error__set(VAULT_EINVALID, "X12 segment %zu (%.3s): %s", s->number,
					vault_x12__el(s, 0), buf);
	return vault_error__set(VAULT_EINVALID, "X12: %s", buf);
}

int vault_x12__value_ok(const segment *s, size_t i, const char *what)
{
	const char *v = vault_x12__el(s, i);
	size_t k;

	if (!*v) {
		of_element(i, "1");
		return vault_x12__fail(s, "%s is missing", what);
	}
	if (strlen(v) > VALUE_MAX) {
		of_element(i, "5");
		return vault_x12__fail(s, "%s is longer than %d bytes", what, VALUE_MAX);
	}
	for (k = 0; v[k]; k++)
		if ((unsigned char)v[k] < 0x20 || (unsigned char)v[k] > 0x7e) {
			of_element(i, "6");
			return vault_x12__fail(s, "%s holds a byte that is not printable", what);
		}
	return 0;
}

/* Versions before 004010 (`six`) wrote dates YYMMDD. */
int vault_x12__date(char *out, size_t size, const segment *s, size_t i, const char *what, int six)
{
	const char *v = vault_x12__el(s, i);

	if (six && strlen(v) == 6 && strspn(v, "0123456789") == 6) {
		if (vault__fmt(out, size, what, "%s%.2s-%.2s-%.2s", v[0] < '5' ? "20" : "19", v,
			       v + 2, v + 4) < 0)
			return vault_x12__fail(s, "%s does not fit", what);
		return 0;
	}
	if (strlen(v) != 8 || strspn(v, "0123456789") != 8) {
		of_element(i, "8");
		return vault_x12__fail(s, "%s '%.16s' is not a date (%s)", what, v,
			    six ? "CCYYMMDD or YYMMDD" : "CCYYMMDD");
	}
	if (vault__fmt(out, size, what, "%.4s-%.2s-%.2s", v, v + 4, v + 6) < 0)
		return vault_x12__fail(s, "%s does not fit", what);
	return 0;
}

/* Close the open item: it needs LIN, SN1 and REF*LT. */
static int end_item(reader *r, const segment *s)
{
	if (!r->item)
		return 0;
	if (!r->has_lin || !r->has_sn1) {
		json_decref(r->item);
		r->item = NULL;
		return vault_x12__fail(s, "the item before it has no %s segment", !r->has_lin ? "LIN" : "SN1");
	}
	r->nodes[r->nnodes - 1].item = r->item;
	r->item = NULL;
	return 0;
}

static void free_nodes(reader *r)
{
	size_t i;

	for (i = 0; i < r->nnodes; i++)
		json_decref(r->nodes[i].item);
	r->nnodes = 0;
}

/*
 * The lots the levels qvault does not read name under an item (HL*ZZ
 * with REF*LT...), onto the item's node: one lot, or refused.
 */
static int lots_below(reader *r, const segment *s)
{
	size_t k;

	for (k = 0; k < r->nnodes; k++) {
		const hl_node *below = &r->nodes[k];
		hl_node *it;

		if (below->level != '?' || below->item_of == NONE || !below->lot[0])
			continue;
		it = &r->nodes[below->item_of];
		if (it->lot[0] && strcmp(it->lot, below->lot) != 0)
			return vault_x12__fail(s, "item HL '%s' has lots '%s' and '%s' in the levels under it: "
					       "qvault reads one lot an item (an HL*I for each lot)", it->id,
					       it->lot, below->lot);
		memcpy(it->lot, below->lot, sizeof(it->lot));
	}
	return 0;
}

/*
 * The PO item `i` ships: its own (PRF, LIN ON), else its order's (the
 * nearest HL*O above it naming one), else the set's one PO (`only`, or
 * NULL when the set names none or several); into its node's po.
 */
static int po_of(reader *r, const segment *s, size_t i, const char *only, size_t npos)
{
	hl_node *it = &r->nodes[i], *order = NULL;
	size_t k, hops;

	for (k = it->parent, hops = 0; k != NONE && hops <= r->nnodes && !order;
	     k = r->nodes[k].parent, hops++)
		if (r->nodes[k].level == 'O' && r->nodes[k].po[0])
			order = &r->nodes[k];
	if (it->po[0] && order && strcmp(it->po, order->po) != 0)
		return vault_x12__fail(s, "item HL '%s' names PO '%s', but its order HL '%s' is of PO '%s'",
				       it->id, it->po, order->id, order->po);
	if (order)
		order->has_item = 1;
	if (it->po[0])
		return 0;
	if (order) {
		memcpy(it->po, order->po, sizeof(it->po));
		return 0;
	}
	if (npos == 0)
		return vault_x12__fail(s, "transaction set '%s' has no PRF segment naming its PO", r->w.control);
	if (!only)
		return vault_x12__fail(s, "item HL '%s' belongs to no order: the set names several POs, the "
				       "item none (no HL*O with PRF above it, no PRF or LIN ON in it)", it->id);
	memcpy(it->po, only, strlen(only) + 1); /* a node's po: VALUE_MAX */
	return 0;
}

/*
 * Each item's package, by the HL parent chain: the nearest pack above it
 * (S/O/P/I), else the one pack under it (S/O/I/P), else a package of its
 * own named for its HL; its lot (its own, else the one of the levels
 * under it, else its pack's) and its PO (po_of).
 */
static int attribute(reader *r, const segment *s)
{
	const char *only = NULL;
	size_t i, k, hops, npos = 0, nitems = 0;
	int error;

	if ((error = lots_below(r, s)) < 0)
		return error;
	/* the set's PO, when it names one only */
	for (i = 0; i < r->nnodes && npos < 2; i++)
		if (r->nodes[i].po[0] && (!only || strcmp(only, r->nodes[i].po) != 0)) {
			only = r->nodes[i].po;
			npos++;
		}
	r->several = npos > 1;
	for (i = 0; i < r->nnodes; i++) {
		hl_node *it = &r->nodes[i];
		const hl_node *pack = NULL;
		const char *lot = json_string_value(json_object_get(it->item, "lot"));
		char name[VALUE_MAX + 3];

		if (!it->item)
			continue;
		/* the chain is of earlier HLs only, so it ends */
		for (k = it->parent, hops = 0; k != NONE && hops <= r->nnodes && !pack;
		     k = r->nodes[k].parent, hops++)
			if (r->nodes[k].level == 'P')
				pack = &r->nodes[k];
		for (k = i + 1; k < r->nnodes && !pack; k++)
			if (r->nodes[k].level == 'P' && r->nodes[k].parent == i) {
				size_t more;

				for (more = k + 1; more < r->nnodes; more++)
					if (r->nodes[more].level == 'P' && r->nodes[more].parent == i)
						return vault_x12__fail(s, "item HL '%s' has several packs under it and one "
							    "quantity: which pack holds what is not said",
							    it->id);
				pack = &r->nodes[k];
			}
		/* its lot: its own, else the levels' under it, else its pack's */
		if (lot && it->lot[0] && strcmp(lot, it->lot) != 0)
			return vault_x12__fail(s, "item HL '%s' names lot '%s', a level under it lot '%s'",
					       it->id, lot, it->lot);
		if (!lot) {
			if (!it->lot[0] && (!pack || !pack->lot[0]))
				return vault_x12__fail(s, "item HL '%s' names no lot (REF*LT or REF*BT, LIN LT, "
					    "its pack's REF*LT, or a level under it naming one)", it->id);
			json_object_set_new(it->item, "lot", json_string(it->lot[0] ? it->lot : pack->lot));
		}
		if (pack && pack->marks[0])
			vault__fmt_message(name, sizeof(name), "%s", pack->marks);
		else
			vault__fmt_message(name, sizeof(name), "HL%s", pack ? pack->id : it->id);
		json_object_set_new(it->item, "id", json_string(name));
		if ((error = po_of(r, s, i, npos == 1 ? only : NULL, npos)) < 0)
			return error;
		nitems++;
	}
	/* an order of no item would be a notice of nothing (and its PO would
	 * number the others BSN02+PO); a set of none is said so by notices() */
	for (i = 0; i < r->nnodes && nitems; i++)
		if (r->nodes[i].level == 'O' && r->nodes[i].po[0] && !r->nodes[i].has_item)
			return vault_x12__fail(s, "order HL '%s' (PO '%s') has no item under it",
					       r->nodes[i].id, r->nodes[i].po);
	return 0;
}

static int on_hl(reader *r, const segment *s)
{
	const char *code = vault_x12__el(s, 3);
	int error;

	if ((error = end_item(r, s)) < 0)
		return error;
	hl_node *node;
	size_t i;

	if ((error = vault_x12__value_ok(s, 1, "HL01 (its id)")) < 0)
		return error;
	if (strlen(vault_x12__el(s, 1)) > VALUE_MAX - 2)
		return vault_x12__fail(s, "HL01 (its id) is longer than %d bytes", VALUE_MAX - 2);
	if (r->nnodes == HLS_MAX)
		return vault_x12__fail(s, "more than %d HL segments in one transaction set", HLS_MAX);
	if (r->nnodes == r->capnodes) {
		r->capnodes = r->capnodes ? r->capnodes * 2 : 16;
		if ((r->nodes = realloc(r->nodes, r->capnodes * sizeof(hl_node))) == NULL)
			abort();
	}
	node = &r->nodes[r->nnodes];
	memset(node, 0, sizeof(*node));
	memcpy(node->id, vault_x12__el(s, 1), strlen(vault_x12__el(s, 1)) + 1); /* at most VALUE_MAX - 2, checked */
	node->parent = NONE;
	node->item_of = NONE;
	/* HL02, its parent: an HL before it */
	if (*vault_x12__el(s, 2)) {
		/* the nearest first: a parent is most often just before */
		for (i = r->nnodes; i > 0 && strcmp(r->nodes[i - 1].id, vault_x12__el(s, 2)) != 0; i--)
			;
		if (i == 0)
			return vault_x12__fail(s, "HL02 '%.16s' names no HL before it", vault_x12__el(s, 2));
		node->parent = i - 1;
	}
	/* a level qvault does not read (HL*ZZ, HL*Q...) is passed over, its children kept */
	node->level = strlen(code) == 1 && strchr("SOPTI", code[0]) ? (code[0] == 'T' ? 'P' : code[0]) : '?';
	/* under an item, through such levels only: what it names is the item's */
	if (node->level == '?' && node->parent != NONE)
		node->item_of = r->nodes[node->parent].level == 'I' ? node->parent :
				r->nodes[node->parent].item_of;
	r->level = node->level;
	r->nnodes++;
	if (r->level == 'I') {
		r->item = json_object();
		r->has_lin = r->has_sn1 = r->has_lot = 0;
	}
	return 0;
}

int vault_x12__count_is(const char *e, size_t want)
{
	size_t n = strlen(e);

	return n > 0 && n <= 9 && strspn(e, "0123456789") == n && strtoul(e, NULL, 10) == want;
}

int vault_x12__whole(const char *e, size_t digits, unsigned long long *value)
{
	size_t whole = strspn(e, "0123456789");
	const char *fraction = e + whole;

	if (whole == 0 || whole > digits)
		return 0;
	if (*fraction && (*fraction != '.' || fraction[1 + strspn(fraction + 1, "0")] != '\0'))
		return 0;
	*value = strtoull(e, NULL, 10);
	return 1;
}

/* The open item's lot (REF*LT, REF*BT, LIN LT): one, given once or the same again. */
static int set_lot(reader *r, const segment *s, const char *lot)
{
	const char *had = json_string_value(json_object_get(r->item, "lot"));

	if (had && strcmp(had, lot) != 0)
		return vault_x12__fail(s, "the item names a second lot, '%s' and '%s'", had, lot);
	json_object_set_new(r->item, "lot", json_string(lot));
	r->has_lot = 1;
	return 0;
}

/* The PO `what` (an order, an item) names: one, given once or the same again. */
static int set_po(hl_node *node, const segment *s, size_t i, const char *what)
{
	const char *po = vault_x12__el(s, i);
	int error;

	if ((error = vault_x12__value_ok(s, i, i == 1 ? "PRF01 (the PO)" : "the LIN PO (ON)")) < 0)
		return error;
	if (node->po[0] && strcmp(node->po, po) != 0)
		return vault_x12__fail(s, "the %s names two POs, '%s' and '%s'", what, node->po, po);
	memcpy(node->po, po, strlen(po) + 1); /* value_ok: VALUE_MAX */
	return 0;
}

/* A cancellation's PO (PRF01, LIN ON): which notices of its shipment it cancels. */
static int cancel_po(reader *r, const segment *s, size_t i)
{
	int error;

	if ((error = vault_x12__value_ok(s, i, i == 1 ? "PRF01 (the PO)" : "the LIN PO (ON)")) < 0)
		return error;
	/* a set of them, in the order given (jansson keeps it) */
	json_object_set_new(r->cancel_pos, vault_x12__el(s, i), json_true());
	return 0;
}

static int on_item_segment(reader *r, const segment *s, const char *id)
{
	int error;

	if (strcmp(id, "LIN") == 0) {
		json_t *parts = json_array();
		size_t i;

		/* LIN01 assigned id, then qualifier/value pairs: any product id.
		 * The ones that name a part a PO line holds (the buyer's BP, IN,
		 * the part number PN, the vendor's VP) are checked against the
		 * lot's part; the others (UP, EN, SK, ...) cannot contradict it */
		if (r->has_lin) {
			json_decref(parts);
			return vault_x12__fail(s, "the item has a second LIN");
		}
		for (i = 2; i + 1 < s->n; i += 2) {
			const char *q = s->el[i];

			if (!*q && !*s->el[i + 1])
				continue;
			if ((error = vault_x12__value_ok(s, i + 1, "a LIN product id")) < 0) {
				json_decref(parts);
				return error;
			}
			if (strcmp(q, "BP") == 0 || strcmp(q, "IN") == 0 || strcmp(q, "PN") == 0 ||
			    strcmp(q, "VP") == 0)
				json_array_append_new(parts, json_string(s->el[i + 1]));
			/* LT: the lot, given in the LIN (automotive senders); ON: the PO */
			if ((strcmp(q, "LT") == 0 && (error = set_lot(r, s, s->el[i + 1])) < 0) ||
			    (strcmp(q, "ON") == 0 &&
			     (error = set_po(&r->nodes[r->nnodes - 1], s, i + 1, "item")) < 0)) {
				json_decref(parts);
				return error;
			}
			r->has_lin = 1;
		}
		if (!r->has_lin) {
			json_decref(parts);
			return vault_x12__fail(s, "LIN names no product (a qualifier and its id)");
		}
		if (json_array_size(parts))
			json_object_set_new(r->item, "part", parts);
		else
			json_decref(parts);
	} else if (strcmp(id, "SN1") == 0) {
		const char *q = vault_x12__el(s, 2), *unit = vault_x12__el(s, 3);
		unsigned long long qty;

		/* an R (decimal) element: whole digits, a fraction of zeros only */
		if (!vault_x12__whole(q, 10, &qty) || qty == 0)
			return vault_x12__fail(s, "SN102 '%.16s' is not a whole quantity from 1", q);
		if (r->has_sn1)
			return vault_x12__fail(s, "the item has a second SN1");
		json_object_set_new(r->item, "qty", json_integer((json_int_t)qty));
		/* SN103, the unit the quantity is in: the PO line's, or its pack */
		if (*unit) {
			int error2;

			if ((error2 = vault_x12__value_ok(s, 3, "SN103 (the unit)")) < 0)
				return error2;
			json_object_set_new(r->item, "unit", json_string(unit));
		}
		r->has_sn1 = 1;
	} else if (strcmp(id, "REF") == 0 &&
		   (strcmp(vault_x12__el(s, 1), "LT") == 0 || strcmp(vault_x12__el(s, 1), "BT") == 0)) {
		if ((error = vault_x12__value_ok(s, 2, "the lot")) < 0)
			return error;
		return set_lot(r, s, vault_x12__el(s, 2));
	} else if (strcmp(id, "PRF") == 0) {
		return set_po(&r->nodes[r->nnodes - 1], s, 1, "item");
	}
	return 0;
}

/* A pack's or an unknown level's lot (element i): one, given once or the same again. */
static int node_lot(hl_node *node, const segment *s, size_t i, const char *what)
{
	const char *lot = vault_x12__el(s, i);
	int error;

	if ((error = vault_x12__value_ok(s, i, "the lot")) < 0)
		return error;
	if (node->lot[0] && strcmp(node->lot, lot) != 0)
		return vault_x12__fail(s, "the %s names a second lot, '%s' and '%s'", what, node->lot, lot);
	memcpy(node->lot, lot, strlen(lot) + 1); /* value_ok: VALUE_MAX */
	return 0;
}

/* A cancellation's copy: its PRFs and LIN ONs say which orders it cancels. */
static int on_cancel_segment(reader *r, const segment *s, const char *id)
{
	size_t i;
	int error;

	if (strcmp(id, "PRF") == 0)
		return cancel_po(r, s, 1);
	if (strcmp(id, "LIN") == 0)
		for (i = 2; i + 1 < s->n; i += 2)
			if (strcmp(s->el[i], "ON") == 0 && (error = cancel_po(r, s, i + 1)) < 0)
				return error;
	return 0;
}

/* A segment inside ST ... SE. */
static int on_set_segment(reader *r, const segment *s)
{
	const char *id = vault_x12__el(s, 0);
	int error;

	if (strcmp(id, "BSN") == 0) {
		if (r->has_bsn)
			return vault_x12__fail(s, "a second BSN segment");
		if ((error = vault_x12__value_ok(s, 2, "BSN02 (the shipment id)")) < 0 ||
		    (error = vault_x12__date(r->date, sizeof(r->date), s, 3, "BSN03", r->w.six_digit_dates)) < 0)
			return error;
		/* BSN01, the purpose: an original, or a cancellation or a
		 * replacement of the notice of the same shipment id */
		if (strcmp(vault_x12__el(s, 1), "00") == 0) {
			r->purpose = 0;
		} else if (strcmp(vault_x12__el(s, 1), "01") == 0) {
			r->purpose = 'C';
			json_object_set_new(r->asn, "cancels", json_string(vault_x12__el(s, 2)));
		} else if (strcmp(vault_x12__el(s, 1), "05") == 0) {
			r->purpose = 'R';
			json_object_set_new(r->asn, "replaces", json_string(vault_x12__el(s, 2)));
		} else {
			return vault_x12__fail(s, "BSN01 '%.8s' is not a purpose qvault takes (00 original, "
				    "01 cancellation, 05 replacement)", vault_x12__el(s, 1));
		}
		if (r->purpose != 'C')
			json_object_set_new(r->asn, "asn", json_string(vault_x12__el(s, 2)));
		r->has_bsn = 1;
		return 0;
	}
	/* a cancellation names the notice it cancels: the rest is a copy */
	if (r->purpose == 'C')
		return on_cancel_segment(r, s, id);
	if (strcmp(id, "HL") == 0)
		return on_hl(r, s);
	if (r->level == 'I' && r->item)
		return on_item_segment(r, s, id);
	if (strcmp(id, "PRF") == 0) {
		if (r->level != 'O')
			return vault_x12__fail(s, "PRF outside an order level (HL*O) or an item");
		return set_po(&r->nodes[r->nnodes - 1], s, 1, "order");
	} else if (strcmp(id, "REF") == 0 && (r->level == 'P' || r->level == '?') &&
		   (strcmp(vault_x12__el(s, 1), "LT") == 0 || strcmp(vault_x12__el(s, 1), "BT") == 0)) {
		/* a pack's lot is its items'; an unknown level's, the item's it is under */
		return node_lot(&r->nodes[r->nnodes - 1], s, 2, r->level == 'P' ? "pack" : "level");
	} else if (strcmp(id, "LIN") == 0 && r->level == '?') {
		size_t i;

		for (i = 2; i + 1 < s->n; i += 2)
			if (strcmp(s->el[i], "LT") == 0 &&
			    (error = node_lot(&r->nodes[r->nnodes - 1], s, i + 1, "level")) < 0)
				return error;
	} else if (strcmp(id, "MAN") == 0 && r->level == 'P') {
		hl_node *pack = &r->nodes[r->nnodes - 1];
		int gm = strcmp(vault_x12__el(s, 1), "GM") == 0;

		if ((error = vault_x12__value_ok(s, 2, "MAN02 (the marks)")) < 0)
			return error;
		/* the pack's own marks: its SSCC (GM) first, else the first it gives */
		if (!pack->marks[0] || (gm && !pack->marks_gm)) {
			memcpy(pack->marks, vault_x12__el(s, 2), strlen(vault_x12__el(s, 2)) + 1); /* value_ok: VALUE_MAX */
			pack->marks_gm = gm;
		}
	} else if (strcmp(id, "TD5") == 0 && r->level == 'S' && *vault_x12__el(s, 3)) {
		if ((error = vault_x12__value_ok(s, 3, "TD503 (the carrier)")) < 0)
			return error;
		json_object_set_new(r->asn, "carrier", json_string(vault_x12__el(s, 3)));
	} else if (strcmp(id, "REF") == 0 && r->level == 'S' &&
		   (strcmp(vault_x12__el(s, 1), "CN") == 0 || strcmp(vault_x12__el(s, 1), "BM") == 0)) {
		if ((error = vault_x12__value_ok(s, 2, "the tracking number")) < 0)
			return error;
		if (strcmp(vault_x12__el(s, 1), "CN") == 0 || !json_object_get(r->asn, "tracking"))
			json_object_set_new(r->asn, "tracking", json_string(vault_x12__el(s, 2)));
	} else if (strcmp(id, "DTM") == 0 && strcmp(vault_x12__el(s, 1), "011") == 0) {
		char d[16];

		if ((error = vault_x12__date(d, sizeof(d), s, 2, "DTM02", r->w.six_digit_dates)) < 0)
			return error;
		json_object_set_new(r->asn, "ship_date", json_string(d));
	}
	return 0;
}

static int on_st(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;

	if (strcmp(vault_x12__el(s, 1), "856") != 0)
		return vault_x12__fail(s, "transaction set '%.16s' is a %.8s, not an 856 ship notice",
				       vault_x12__el(s, 2), vault_x12__el(s, 1));
	r->asn = json_object();
	json_object_clear(r->cancel_pos);
	r->item = NULL;
	free_nodes(r);
	r->level = 0;
	r->has_bsn = 0;
	r->purpose = 0;
	r->date[0] = '\0';
	return 0;
}

static int on_segment(vault_x12_walk *w, const segment *s)
{
	return on_set_segment((reader *)w, s);
}

int vault_x12__check_se(const vault_x12_walk *w, const segment *s)
{
	const char *count = vault_x12__el(s, 1);

	if (!vault_x12__count_is(count, w->segments))
		return vault_x12__fail(s, "SE01 says %.16s segments, transaction set '%s' has %zu", count,
				       w->control, w->segments);
	if (strcmp(vault_x12__el(s, 2), w->control) != 0)
		return vault_x12__fail(s, "SE02 '%.16s' does not match ST02 '%s'", vault_x12__el(s, 2),
				       w->control);
	return 0;
}

/* Notice `bsn02` of `po`, when the set names several: "BSN02+PO". */
static int notice_number(char *out, size_t size, const segment *s, const char *bsn02, const char *po)
{
	if (vault__fmt(out, size, "ship notice number", "%s+%s", bsn02, po) < 0)
		return vault_x12__fail(s, "the ship notice number '%s+%s' does not fit", bsn02, po);
	return 0;
}

/* A cancellation: of notice BSN02, or of BSN02+PO for each PO of its copy when several. */
static int cancellations(reader *r, const segment *s)
{
	const char *bsn02 = json_string_value(json_object_get(r->asn, "cancels")), *po;
	char name[2 * VALUE_MAX + 2];
	json_t *yes;
	int error;

	if (json_object_size(r->cancel_pos) < 2) {
		json_array_append_new(r->list, json_pack("{s:s}", "cancels", bsn02));
		return 0;
	}
	json_object_foreach(r->cancel_pos, po, yes) {
		if ((error = notice_number(name, sizeof(name), s, bsn02, po)) < 0)
			return error;
		json_array_append_new(r->list, json_pack("{s:s}", "cancels", name));
	}
	return 0;
}

/* The set's items, one notice per PO (in the order the POs come), onto r->list. */
static int notices(reader *r, const segment *s)
{
	json_t *by_po = json_object(), *order = json_array(), *po;
	const char *bsn02 = json_string_value(json_object_get(r->asn, "asn"));
	char name[2 * VALUE_MAX + 2];
	size_t i, nnamed = 0;
	int error = 0;

	for (i = 0; i < r->nnodes; i++) {
		const hl_node *it = &r->nodes[i];
		json_t *packages;

		nnamed += it->po[0] != '\0';
		if (!it->item)
			continue;
		if ((packages = json_object_get(by_po, it->po)) == NULL) {
			packages = json_array();
			json_object_set_new(by_po, it->po, packages);
			json_array_append_new(order, json_string(it->po));
		}
		json_array_append(packages, it->item);
	}
	if (json_array_size(order) == 0)
		error = nnamed ? vault_x12__fail(s, "transaction set '%s' has no item (HL*I)", r->w.control) :
			vault_x12__fail(s, "transaction set '%s' has no PRF segment naming its PO", r->w.control);
	if (!error && !json_object_get(r->asn, "ship_date"))
		json_object_set_new(r->asn, "ship_date", json_string(r->date));
	json_array_foreach(order, i, po) {
		json_t *asn = json_copy(r->asn);

		if (error)
			break;
		json_object_set(asn, "po", po);
		json_object_set(asn, "packages", json_object_get(by_po, json_string_value(po)));
		if (r->several) {
			if ((error = notice_number(name, sizeof(name), s, bsn02, json_string_value(po))) < 0) {
				json_decref(asn);
				break;
			}
			json_object_set_new(asn, "asn", json_string(name));
			if (json_object_get(asn, "replaces")) {
				/* the whole shipment is replaced: its orders left out are cancelled */
				json_object_set_new(asn, "replaces", json_string(name));
				json_object_set_new(asn, "shipment", json_string(bsn02));
			}
		}
		json_array_append_new(r->list, asn);
	}
	json_decref(order);
	json_decref(by_po);
	return error;
}

static int on_se(vault_x12_walk *w, const segment *s)
{
	reader *r = (reader *)w;
	int error;

	if ((error = end_item(r, s)) == 0 && (r->purpose == 'C' || (error = attribute(r, s)) == 0) &&
	    (error = vault_x12__check_se(w, s)) == 0) {
		if (!r->has_bsn)
			error = vault_x12__fail(s, "transaction set '%s' has no BSN segment", r->w.control);
		else
			error = r->purpose == 'C' ? cancellations(r, s) : notices(r, s);
	}
	free_nodes(r);
	json_decref(r->asn);
	r->asn = NULL;
	return error;
}

/* Where ISA's 16 element separators stand in its fixed 106 bytes. */
static const int isa_seps[] = { 3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103 };

/* A segment id: a capital, then one or two capitals or digits. */
static int segment_id(const char *id)
{
	size_t len = strlen(id);

	return len >= 2 && len <= 3 && id[0] >= 'A' && id[0] <= 'Z' &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == len;
}

/* ST02 into w->control, the set opened. */
static int open_set(vault_x12_walk *w, const segment *s)
{
	const char *control = vault_x12__el(s, 2);
	int error;

	if ((error = w->on_st(w, s)) < 0)
		return error;
	if (!*control || strlen(control) > 9)
		return vault_x12__fail(s, "ST02 (the control number) is missing or too long");
	memset(w->control, 0, sizeof(w->control));
	memcpy(w->control, control, strlen(control)); /* at most 9 bytes, checked above */
	w->segments = 1;
	w->in_set = 1;
	return 0;
}

/* The interchange, segment by segment, through the envelope. */
static int read_segments(vault_x12_walk *w, char *buf, size_t len, char sep, char term, size_t *used)
{
	segment s;
	char *p = buf, *end = buf + len, isa13[16] = "", gs06[16] = "";
	size_t number = 0, groups = 0, sets = 0;
	int in_group = 0, done = 0, error = 0;

	while (p < end && !error) {
		char *stop, *q;

		/* line ends after terminators, as most senders write them */
		while (p < end && (*p == '\r' || *p == '\n'))
			p++;
		if (p >= end)
			break;
		if ((stop = memchr(p, term, (size_t)(end - p))) == NULL) {
			/* the last segment's terminator left out: the file's end ends it */
			char *last = end;

			while (last > p && (last[-1] == '\r' || last[-1] == '\n'))
				last--;
			if (end - p < 4 || memcmp(p, "IEA", 3) != 0 || p[3] != sep)
				return vault_x12__fail(NULL, "the interchange ends inside a segment (no terminator)");
			stop = last;
		}
		*stop = '\0';
		s.n = 0;
		s.number = ++number;
		for (q = p, s.el[s.n++] = p; *q; q++)
			if (*q == sep) {
				if (s.n == ELEMENTS_MAX)
					return vault_x12__fail(&s, "more than %d elements", ELEMENTS_MAX);
				*q = '\0';
				s.el[s.n++] = q + 1;
			}
		p = stop < end ? stop + 1 : end;
		if (!segment_id(s.el[0]))
			return vault_x12__fail(&s, "'%.16s' is not a segment id: the separators are not the "
					       "ISA's (elements '%c', segments '%c')", s.el[0], sep, term);
		if (number == 1) {
			if (vault__fmt(isa13, sizeof(isa13), "ISA13", "%s", vault_x12__el(&s, 13)) < 0)
				return vault_x12__fail(&s, "ISA13 (the control number) is too long");
			if (w->on_isa && (error = w->on_isa(w, &s)) < 0)
				return error;
			continue;
		}
		if (strcmp(s.el[0], "ISA") == 0)
			return vault_x12__fail(&s, "a second ISA: one interchange per file");
		if (w->in_set) {
			w->segments++;
			if (strcmp(s.el[0], "SE") == 0) {
				if ((error = w->on_se(w, &s)) == 0)
					w->in_set = 0;
			} else if (strcmp(s.el[0], "ST") == 0 || strcmp(s.el[0], "GE") == 0 ||
				   strcmp(s.el[0], "IEA") == 0) {
				error = vault_x12__fail(&s, "transaction set '%s' has no SE trailer", w->control);
			} else {
				error = w->on_segment(w, &s);
			}
			continue;
		}
		if (strcmp(s.el[0], "GS") == 0) {
			if (in_group)
				return vault_x12__fail(&s, "a GS inside a group: the group before has no GE");
			in_group = 1;
			groups++;
			sets = 0;
			if (vault__fmt(gs06, sizeof(gs06), "GS06", "%s", vault_x12__el(&s, 6)) < 0)
				return vault_x12__fail(&s, "GS06 (the control number) is too long");
			if (w->on_gs && (error = w->on_gs(w, &s)) < 0)
				return error;
			/* GS08, the version: 003040, 004010...; before 004010 dates had six digits */
			w->six_digit_dates = strlen(vault_x12__el(&s, 8)) >= 6 &&
				strspn(vault_x12__el(&s, 8), "0123456789") >= 6 &&
				strncmp(vault_x12__el(&s, 8), "004010", 6) < 0;
		} else if (strcmp(s.el[0], "ST") == 0) {
			if (!in_group)
				return vault_x12__fail(&s, "ST outside a functional group (no GS)");
			sets++;
			error = open_set(w, &s);
		} else if (strcmp(s.el[0], "GE") == 0) {
			if (!in_group)
				return vault_x12__fail(&s, "GE without GS");
			if (!vault_x12__count_is(vault_x12__el(&s, 1), sets))
				return vault_x12__fail(&s, "GE01 says %.16s transaction sets, the group has %zu",
						       vault_x12__el(&s, 1), sets);
			if (strcmp(vault_x12__el(&s, 2), gs06) != 0)
				return vault_x12__fail(&s, "GE02 '%.16s' does not match GS06 '%s'",
						       vault_x12__el(&s, 2), gs06);
			in_group = 0;
		} else if (strcmp(s.el[0], "IEA") == 0) {
			if (in_group)
				return vault_x12__fail(&s, "IEA inside a group: the group has no GE");
			if (!vault_x12__count_is(vault_x12__el(&s, 1), groups))
				return vault_x12__fail(&s, "IEA01 says %.16s groups, the interchange has %zu",
						       vault_x12__el(&s, 1), groups);
			if (strcmp(vault_x12__el(&s, 2), isa13) != 0)
				return vault_x12__fail(&s, "IEA02 '%.16s' does not match ISA13 '%s'",
						       vault_x12__el(&s, 2), isa13);
			done = 1;
			break;
		} else {
			return vault_x12__fail(&s, "a segment outside a transaction set");
		}
	}
	if (error)
		return error;
	if (w->in_set)
		return vault_x12__fail(NULL, "transaction set '%s' has no SE trailer", w->control);
	if (in_group)
		return vault_x12__fail(NULL, "the last functional group has no GE trailer");
	if (!done)
		return vault_x12__fail(NULL, "the interchange has no IEA trailer");
	*used = (size_t)(p - buf);
	return 0;
}

/* The ISA opening `data`: its separators, checked; 0 or an error. */
static int isa_of(char *sep, char *term, char *component, const char *data, size_t len, size_t at)
{
	size_t i, count;

	if (len < ISA_LEN || memcmp(data, "ISA", 3) != 0)
		return at ? vault_x12__fail(NULL, "after the interchange's IEA comes something else than an ISA")
			  : vault_x12__fail(NULL, "the interchange does not open with a full ISA segment (106 bytes)");
	*sep = data[3];
	*term = data[ISA_LEN - 1];
	*component = data[ISA_LEN - 2];
	if (*sep == *term || (*sep >= '0' && *sep <= '9') || (*sep >= 'A' && *sep <= 'Z') ||
	    (*term >= '0' && *term <= '9') || (*term >= 'A' && *term <= 'Z') || *sep == ' ' ||
	    !*sep || !*term)
		return vault_x12__fail(NULL, "ISA names unusable separators");
	for (i = 0; i < sizeof(isa_seps) / sizeof(isa_seps[0]); i++)
		if (data[isa_seps[i]] != *sep)
			return vault_x12__fail(NULL, "ISA is not the fixed 106 bytes: byte %d should be the element "
				    "separator", isa_seps[i] + 1);
	for (i = 0, count = 0; i < ISA_LEN; i++)
		count += data[i] == *sep;
	if (count != sizeof(isa_seps) / sizeof(isa_seps[0]))
		return vault_x12__fail(NULL, "ISA is not the fixed 106 bytes: it has %zu element separators, not 16",
			    count);
	return 0;
}

int vault_x12__walk(vault_x12_walk *w, const char *data, size_t len)
{
	char *buf, sep = 0, term = 0;
	size_t at, used = 0, n = 0;
	int error = 0;

	memset(&failed, 0, sizeof(failed));
	memset(&element_next, 0, sizeof(element_next));
	if (memchr(data, '\0', len))
		return vault_x12__fail(NULL, "the interchange holds a NUL byte");
	if ((buf = malloc(len + 1)) == NULL)
		abort();
	memcpy(buf, data, len);
	buf[len] = '\0';
	w->in_set = 0;
	/* one interchange after another, each with its own separators */
	at = lead(buf, len);
	while (at < len || n == 0) {
		interchange = n + 1;
		if ((error = isa_of(&sep, &term, &w->component, buf + at, len - at, n++)) < 0 ||
		    (error = read_segments(w, buf + at, len - at, sep, term, &used)) < 0)
			break;
		at += used;
		at += lead(buf + at, len - at);
	}
	free(buf);
	return error < 0 ? error : 0;
}

void vault_x12__first_set(char *out, size_t size, const char *data, size_t len)
{
	size_t i = lead(data, len), k;
	char sep, term;

	out[0] = '\0';
	if (len - i < ISA_LEN || memcmp(data + i, "ISA", 3) != 0)
		return;
	sep = data[i + 3];
	term = data[i + ISA_LEN - 1];
	for (k = i; k + 4 < len; k++) {
		size_t at = k + 1, m;

		if (data[k] != term)
			continue;
		while (at < len && (data[at] == '\r' || data[at] == '\n'))
			at++;
		if (len - at < 4 || memcmp(data + at, "ST", 2) != 0 || data[at + 2] != sep)
			continue;
		at += 3;
		for (m = 0; at + m < len && data[at + m] != sep && data[at + m] != term; m++)
			;
		if (m + 1 <= size && m <= 8) {
			memcpy(out, data + at, m);
			out[m] = '\0';
		}
		return;
	}
}

int vault_x12__parse_856(json_t **out, const char *data, size_t len)
{
	reader r;
	int error;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.w.on_st = on_st;
	r.w.on_segment = on_segment;
	r.w.on_se = on_se;
	r.list = json_array();
	r.cancel_pos = json_object();
	error = vault_x12__walk(&r.w, data, len);
	json_decref(r.asn);
	json_decref(r.cancel_pos);
	json_decref(r.item);
	free_nodes(&r);
	free(r.nodes);
	if (error < 0) {
		json_decref(r.list);
		return error;
	}
	*out = r.list;
	return 0;
}
