/*
 * epcis.c - the lots of a trace as an EPCIS 2.0 document (JSON-LD), so
 * that supply-chain systems read qvault's traceability:
 *
 *   a lot made from lots    TransformationEvent: the lots it drew on in,
 *                           the lot out (creating_class_instance, active)
 *   a lot made from none    ObjectEvent ADD (creating_class_instance, active)
 *   a ship notice           ObjectEvent OBSERVE (shipping, in_transit), or a
 *                           lot's own shipped date when no notice ships it
 *   a receipt               ObjectEvent OBSERVE (receiving, in_progress;
 *                           mismatch_quantity when what came differs)
 *   an FAI package          ObjectEvent OBSERVE (inspecting, conformant or
 *                           non_conformant as the package says), and the
 *                           buyer's disposition of it (inspecting, as decided)
 *   an NCR                  ObjectEvent OBSERVE (inspecting, non_conformant)
 *
 * Identifiers.  EPCIS names a lot by its class: a product and a lot, as
 * GS1's LGTIN (urn:epc:class:lgtin:COMPANY.ITEM.LOT) does.  An LGTIN
 * needs a GTIN, which qvault does not hold (a part number is the buyer's,
 * not a GS1 key), so every identifier here is a URN of the vault's own
 * names, under the vault's identity (its root commit, which every replica
 * shares), each name percent-encoded (RFC 3986 unreserved characters kept):
 *
 *   urn:qvault:VAULT:lot:PART:LOT               a PO lot (the class)
 *   urn:qvault:VAULT:subtier-lot:ORG:PART:LOT   a sub-tier lot, in ORG's scope
 *   urn:qvault:VAULT:org:ORG                    an organization (a party)
 *   urn:qvault:VAULT:po:PO, :asn:ASN, :receipt:ASN, :ncr:NCR,
 *   urn:qvault:VAULT:doc:DOC:REV                business transactions
 *   urn:qvault:VAULT:event:KIND:NAME...         each event's eventID
 *
 * Times.  qvault keeps days (made, shipped, received) and UTC instants
 * (when each record was written): eventTime is the day at 00:00 UTC, or
 * the instant when no day is recorded; recordTime the instant; every
 * eventTimeZoneOffset "+00:00".  qvault records no place (no GLN, no
 * address), so no event has a readPoint or bizLocation; a shipment names
 * its supplier as the owning party it leaves.
 *
 * The same vault state gives the same bytes: events in time order, each
 * tie broken by its recordTime, then its eventID; the document's creationDate is the time of
 * the vault's head commit, never the clock.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "util.h"

#define EPCIS_CONTEXT "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

typedef struct {
	json_t *ev;
	char *key;      /* eventTime, recordTime, eventID: the document's order */
} event;

typedef struct {
	vault *v;
	sqlite3 *db;
	char vault_id[GIT_OID_HEXSZ + 1];
	char *org;      /* the viewer's organization; NULL sees all */
	const char *since;
	event *ev;
	size_t n, cap;
	size_t ntransform;
} epcis;

/* Add `s` percent-encoded (vault_uri_encode). */
static void add_pct(vault_buf *b, const char *s)
{
	size_t size = 3 * strlen(s) + 1;
	char *e = malloc(size);

	if (!e || vault_uri_encode(e, size, s) < 0 || vault_buf__add(b, e, strlen(e)) < 0)
		abort();
	free(e);
}

/*
 * "urn:qvault:VAULT:TYPE:A[:B[:C]]", each name percent-encoded, as a
 * JSON string.
 */
static json_t *urn(const epcis *e, const char *type, const char *a, const char *b,
		   const char *c)
{
	vault_buf u = VAULT_BUF_INIT;
	const char *names[3] = { a, b, c };
	json_t *s;
	size_t i;

	if (vault_buf__addf(&u, "urn:qvault:%s:%s", e->vault_id, type) < 0)
		abort();
	for (i = 0; i < 3 && names[i]; i++) {
		if (vault_buf__add(&u, ":", 1) < 0)
			abort();
		add_pct(&u, names[i]);
	}
	s = json_string(vault_buf__str(&u));
	vault_buf__dispose(&u);
	if (!s)
		abort();
	return s;
}

/* "YYYY-MM-DDT00:00:00Z" of day `day` (YYYY-MM-DD, checked when recorded). */
static json_t *day_time(const char *day)
{
	char t[32];

	if (snprintf(t, sizeof(t), "%.10sT00:00:00Z", day) >= (int)sizeof(t))
		abort();
	return json_string(t);
}

static json_t *instant(sqlite3_int64 at)
{
	char t[VAULT_TIME_SIZE];

	vault_time_format(t, sizeof(t), at);
	return json_string(t);
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * A new event of `type` at `when` (a JSON string: takes it), recorded at
 * `recorded` (0: not given), named by `id` (takes it).  It joins the
 * document unless --since leaves its day out; NULL is then returned, and
 * the caller fills nothing.
 */
static json_t *new_event(epcis *e, const char *type, json_t *when, sqlite3_int64 recorded,
			 json_t *id)
{
	json_t *ev;

	if (e->since && strncmp(json_string_value(when), e->since, 10) < 0) {
		json_decref(when);
		json_decref(id);
		return NULL;
	}
	ev = json_pack("{s:s, s:o, s:s}", "type", type, "eventTime", when,
		       "eventTimeZoneOffset", "+00:00");
	if (!ev)
		abort();
	if (recorded)
		json_object_set_new(ev, "recordTime", instant(recorded));
	json_object_set_new(ev, "eventID", id);
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 32;
		if ((e->ev = realloc(e->ev, e->cap * sizeof(event))) == NULL)
			abort();
	}
	e->ev[e->n].ev = ev;
	{
		vault_buf key = VAULT_BUF_INIT;

		/* "\x01" sorts before any character of a time or an eventID */
		if (vault_buf__addf(&key, "%s\x01%020lld\x01%s",
				    json_string_value(json_object_get(ev, "eventTime")),
				    (long long)recorded, json_string_value(id)) < 0)
			abort();
		e->ev[e->n].key = vault_buf__detach(&key);
	}
	e->n++;
	return ev;
}

static int cmp_event(const void *a, const void *b)
{
	return strcmp(((const event *)a)->key, ((const event *)b)->key);
}

/* {"epcClass": ..., "quantity": Q} of `class` (takes it); no quantity when unknown. */
static json_t *quantity(json_t *class, sqlite3_stmt *st, int col, const char *uom)
{
	json_t *q = json_pack("{s:o}", "epcClass", class);

	if (sqlite3_column_type(st, col) != SQLITE_NULL && uom) {
		json_object_set_new(q, "quantity", json_integer(sqlite3_column_int64(st, col)));
		if (*uom)
			json_object_set_new(q, "uom", json_string(uom));
	}
	return q;
}

/*
 * The UN/ECE Recommendation 20 code (what EPCIS's uom is) of a PO line's
 * unit (an X12 355 code): "" for EA, a count of the lot's units, which
 * EPCIS writes without uom; NULL for a unit with no code known here,
 * whose quantities are then left out rather than misnamed.
 */
static const char *rec20(const char *x12)
{
	static const char *const map[][2] = {
		{ "EA", "" }, { "PC", "H87" }, { "KG", "KGM" }, { "LB", "LBR" }, { "GR", "GRM" },
		{ "FT", "FOT" }, { "IN", "INH" }, { "MR", "MTR" }, { "LT", "LTR" }, { "GA", "GLL" },
		{ "SF", "FTK" }, { "SM", "MTK" }, { "BX", "BX" }, { "CA", "CS" }, { "PR", "PR" },
		{ "RL", "RO" }, { "SH", "ST" }, { "DZ", "DZN" },
	};
	size_t i;

	if (!x12)
		return "";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], x12) == 0)
			return map[i][1];
	return NULL;
}

static int prepare(sqlite3_stmt **st, epcis *e, const char *sql)
{
	if (sqlite3_prepare_v2(e->db, sql, -1, st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(e->db));
	return 0;
}

static int step_error(epcis *e, int rc)
{
	return rc == SQLITE_DONE ? 0 : vault_error__set(VAULT_ERROR, "index: %s",
							 sqlite3_errmsg(e->db));
}

/* The unit of lot `lot`'s quantity: its PO line's, as rec20 names it. */
#define LOT_UNIT(l) "coalesce((SELECT pl.unit FROM po_lines pl WHERE pl.po = " l ".po" \
	" AND pl.part = " l ".part ORDER BY pl.line LIMIT 1), 'EA')"

static json_t *biz(const char *type, json_t *id)
{
	return type ? json_pack("{s:s, s:o}", "type", type, "bizTransaction", id) :
		json_pack("{s:o}", "bizTransaction", id);
}

/*
 * The making of lot `lot`: a TransformationEvent from the lots it was
 * made from that the viewer may see (PO lots and sub-tier lots), or an
 * ObjectEvent ADD when it names none.
 */
static int lot_made(epcis *e, const char *lot)
{
	sqlite3_stmt *st = NULL, *in = NULL;
	json_t *ev, *inputs = json_array(), *out;
	const char *po, *part, *made, *supplier;
	int rc, error;

	if ((error = prepare(&st, e, "SELECT po, part, qty, made, supplier, created_at, "
			     LOT_UNIT("lots") " FROM lots WHERE lot = ?1")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		error = rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND, "no lot '%s'", lot) :
			step_error(e, rc);
		goto done;
	}
	po = text(st, 0);
	part = text(st, 1);
	made = text(st, 3);
	supplier = text(st, 4);
	out = quantity(urn(e, "lot", part, lot, NULL), st, 2, rec20(text(st, 6)));
	if ((error = prepare(&in, e,
		"SELECT 'lot', NULL, l.part, l.lot, i.qty, " LOT_UNIT("l") " FROM lot_inputs i"
		" JOIN lots l ON l.lot = i.input WHERE i.lot = ?1 AND (?2 IS NULL OR l.supplier = ?2)"
		" UNION ALL SELECT 'subtier-lot', s.org, s.part, s.lot, sum(i.qty), '-'"
		" FROM subtier_inputs i JOIN subtier_lots s ON s.org = i.org AND s.lot = i.input"
		" WHERE i.lot = ?1 AND (?2 IS NULL OR i.org = ?2) GROUP BY s.org, s.lot"
		" ORDER BY 1, 2, 4")) < 0) {
		json_decref(out);
		goto done;
	}
	sqlite3_bind_text(in, 1, lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(in, 2, e->org, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(in)) == SQLITE_ROW) {
		const char *kind = text(in, 0);

		json_array_append_new(inputs, quantity(*kind == 'l' ?
			urn(e, kind, text(in, 2), text(in, 3), NULL) :
			urn(e, kind, text(in, 1), text(in, 2), text(in, 3)), in, 4, rec20(text(in, 5))));
	}
	if ((error = step_error(e, rc)) < 0) {
		json_decref(out);
		goto done;
	}
	ev = new_event(e, json_array_size(inputs) ? "TransformationEvent" : "ObjectEvent",
		       made ? day_time(made) : instant(sqlite3_column_int64(st, 5)),
		       sqlite3_column_int64(st, 5), urn(e, "event", "made", lot, NULL));
	if (!ev) {
		json_decref(out);
		goto done;
	}
	if (json_array_size(inputs)) {
		e->ntransform++;
		json_object_set(ev, "inputQuantityList", inputs);
		json_object_set_new(ev, "outputQuantityList", json_pack("[o]", out));
	} else {
		json_object_set_new(ev, "action", json_string("ADD"));
		json_object_set_new(ev, "quantityList", json_pack("[o]", out));
	}
	json_object_set_new(ev, "bizStep", json_string("creating_class_instance"));
	json_object_set_new(ev, "disposition", json_string("active"));
	json_object_set_new(ev, "bizTransactionList",
			    json_pack("[o]", biz("po", urn(e, "po", po, NULL, NULL))));
	json_object_set_new(ev, "sourceList", json_pack("[{s:s, s:o}]", "type", "owning_party",
		"source", urn(e, "org", supplier, NULL, NULL)));
done:
	json_decref(inputs);
	sqlite3_finalize(in);
	sqlite3_finalize(st);
	return error;
}

/*
 * An ObjectEvent OBSERVE of the quantities in `q` (taken), under bizStep
 * and disposition, with business transactions `bt` (taken).
 */
static json_t *observe(epcis *e, json_t *when, sqlite3_int64 recorded, json_t *id,
		       json_t *q, const char *step, const char *disp, json_t *bt)
{
	json_t *ev = new_event(e, "ObjectEvent", when, recorded, id);

	if (!ev) {
		json_decref(q);
		json_decref(bt);
		return NULL;
	}
	json_object_set_new(ev, "action", json_string("OBSERVE"));
	json_object_set_new(ev, "quantityList", q);
	json_object_set_new(ev, "bizStep", json_string(step));
	if (disp)
		json_object_set_new(ev, "disposition", json_string(disp));
	json_object_set_new(ev, "bizTransactionList", bt);
	return ev;
}

/* Whether `lots` (an object of lot names) holds `lot`. */
static int in_set(json_t *lots, const char *lot)
{
	return json_object_get(lots, lot) != NULL;
}

/* Add to `asns` each ship notice in force that ships lot `lot`. */
static int asns_of(json_t *asns, epcis *e, const char *lot)
{
	sqlite3_stmt *st;
	int rc, error;

	if ((error = prepare(&st, e, "SELECT DISTINCT asn FROM asn_items WHERE lot = ?1"
			     " AND in_force = 1")) < 0)
		return error;
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(asns, text(st, 0), json_true());
	error = step_error(e, rc);
	sqlite3_finalize(st);
	return error;
}

/*
 * Ship notice `asn` (in force, the viewer's) as one event, with the
 * quantity of each lot of `lots` it ships; then its receipt, if any, with
 * what came of each.
 */
static int asn_events(epcis *e, json_t *lots, const char *asn)
{
	sqlite3_stmt *st = NULL;
	json_t *ev = NULL, *q = NULL;
	int rc, error, first = 1;

	if ((error = prepare(&st, e,
		"SELECT a.po, a.ship_date, a.created_at, a.supplier, i.lot, l.part, sum(i.qty), "
		LOT_UNIT("l") " FROM asns a JOIN asn_items i ON i.asn = a.asn AND i.in_force = 1"
		" JOIN lots l ON l.lot = i.lot WHERE a.asn = ?1 AND a.cancelled_at IS NULL"
		" AND (?2 IS NULL OR a.supplier = ?2) GROUP BY i.lot ORDER BY i.lot")) < 0)
		return error;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->org, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!in_set(lots, text(st, 4)))
			continue;
		if (first) {
			first = 0;
			q = json_array();
			ev = observe(e, day_time(text(st, 1)), sqlite3_column_int64(st, 2),
				     urn(e, "event", "shipped", asn, NULL), q, "shipping", "in_transit",
				     json_pack("[o, o]", biz("po", urn(e, "po", text(st, 0), NULL, NULL)),
					       biz("desadv", urn(e, "asn", asn, NULL, NULL))));
			if (ev)
				json_object_set_new(ev, "sourceList", json_pack("[{s:s, s:o}]",
					"type", "owning_party",
					"source", urn(e, "org", text(st, 3), NULL, NULL)));
		}
		if (ev)
			json_array_append_new(q, quantity(urn(e, "lot", text(st, 5), text(st, 4), NULL),
							  st, 6, rec20(text(st, 7))));
	}
	error = step_error(e, rc);
	sqlite3_finalize(st);
	if (error < 0 || first)
		return error;
	if ((error = prepare(&st, e,
		"SELECT a.po, r.received, r.received_at, ri.lot, l.part, ri.received, ri.shipped, "
		LOT_UNIT("l") " FROM receipts r JOIN asns a ON a.asn = r.asn"
		" JOIN receipt_items ri ON ri.asn = r.asn JOIN lots l ON l.lot = ri.lot"
		" WHERE r.asn = ?1 ORDER BY ri.lot")) < 0)
		return error;
	sqlite3_bind_text(st, 1, asn, -1, SQLITE_STATIC);
	ev = NULL;
	first = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!in_set(lots, text(st, 3)))
			continue;
		if (first) {
			first = 0;
			q = json_array();
			ev = observe(e, day_time(text(st, 1)), sqlite3_column_int64(st, 2),
				     urn(e, "event", "received", asn, NULL), q, "receiving", "in_progress",
				     json_pack("[o, o]", biz("po", urn(e, "po", text(st, 0), NULL, NULL)),
					       biz("desadv", urn(e, "asn", asn, NULL, NULL))));
		}
		if (!ev)
			continue;
		json_array_append_new(q, quantity(urn(e, "lot", text(st, 4), text(st, 3), NULL), st, 5,
						  rec20(text(st, 7))));
		if (sqlite3_column_int64(st, 5) != sqlite3_column_int64(st, 6))
			json_object_set_new(ev, "disposition", json_string("mismatch_quantity"));
	}
	error = step_error(e, rc);
	sqlite3_finalize(st);
	return error;
}

/* Lot `lot`'s shipped day, when no ship notice in force ships it. */
static int lot_shipped(epcis *e, const char *lot)
{
	sqlite3_stmt *st;
	json_t *ev;
	int rc, error;

	if ((error = prepare(&st, e,
		"SELECT l.po, l.part, l.qty, l.shipped, l.created_at, l.supplier, " LOT_UNIT("l")
		" FROM lots l WHERE l.lot = ?1 AND l.shipped IS NOT NULL AND NOT EXISTS"
		" (SELECT 1 FROM asn_items i JOIN asns a ON a.asn = i.asn WHERE i.lot = l.lot"
		" AND i.in_force = 1 AND a.cancelled_at IS NULL)")) < 0)
		return error;
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev = observe(e, day_time(text(st, 3)), sqlite3_column_int64(st, 4),
			     urn(e, "event", "shipped-lot", lot, NULL),
			     json_pack("[o]", quantity(urn(e, "lot", text(st, 1), lot, NULL), st, 2,
						       rec20(text(st, 6)))),
			     "shipping", "in_transit",
			     json_pack("[o]", biz("po", urn(e, "po", text(st, 0), NULL, NULL))));
		if (ev)
			json_object_set_new(ev, "sourceList", json_pack("[{s:s, s:o}]",
				"type", "owning_party", "source", urn(e, "org", text(st, 5), NULL, NULL)));
		rc = SQLITE_DONE;
	}
	error = step_error(e, rc);
	sqlite3_finalize(st);
	return error;
}

/* Whether the viewer may see revision DOC@REV. */
static int visible(epcis *e, const char *doc, const char *rev)
{
	vault_revision r;

	if (vault_index__get(&r, e->v->index, doc, rev, e->org) < 0)
		return 0;
	vault_revision_dispose(&r);
	return 1;
}

/*
 * The FAI packages attached to lot `lot` that the viewer may see and
 * that were not withdrawn (a withdrawn upload counts for nothing): the
 * supplier's inspection (conformant when complete with no nonconforming
 * characteristic) and the buyer's disposition of it.
 */
static int lot_fais(epcis *e, const char *lot)
{
	sqlite3_stmt *st = NULL;
	int rc, error;

	if ((error = prepare(&st, e,
		"SELECT f.doc, f.rev, l.part, l.po, r.added_at, f.complete, f.nonconforming,"
		" d.decision, d.decided_at FROM links k JOIN fais f ON f.doc = k.doc AND f.rev = k.rev"
		" JOIN revisions r ON r.doc = f.doc AND r.rev = f.rev JOIN lots l ON l.lot = k.target"
		" LEFT JOIN fai_dispositions d ON d.doc = f.doc AND d.rev = f.rev"
		" WHERE k.kind = 'lot' AND k.target = ?1 AND NOT EXISTS (SELECT 1 FROM withdrawals w"
		" WHERE w.doc = f.doc AND w.rev = f.rev) ORDER BY f.doc, f.rev")) < 0)
		return error;
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *doc = text(st, 0), *rev = text(st, 1), *decision = text(st, 7);
		int good = sqlite3_column_int(st, 5) && sqlite3_column_int(st, 6) == 0;

		if (!visible(e, doc, rev))
			continue;
		observe(e, instant(sqlite3_column_int64(st, 4)), sqlite3_column_int64(st, 4),
			urn(e, "event", "inspected-fai", doc, rev), json_pack("[{s:o}]", "epcClass",
			urn(e, "lot", text(st, 2), lot, NULL)), "inspecting",
			good ? "conformant" : "non_conformant", json_pack("[o, o]",
			biz("po", urn(e, "po", text(st, 3), NULL, NULL)),
			biz("testres", urn(e, "doc", doc, rev, NULL))));
		if (decision)
			observe(e, instant(sqlite3_column_int64(st, 8)), sqlite3_column_int64(st, 8),
				urn(e, "event", "reviewed-fai", doc, rev), json_pack("[{s:o}]",
				"epcClass", urn(e, "lot", text(st, 2), lot, NULL)), "inspecting",
				strcmp(decision, "accepted") == 0 ? "conformant" : "non_conformant",
				json_pack("[o, o]", biz("po", urn(e, "po", text(st, 3), NULL, NULL)),
				biz("testres", urn(e, "doc", doc, rev, NULL))));
	}
	error = step_error(e, rc);
	sqlite3_finalize(st);
	return error;
}

/* The nonconformance reports of lot `lot`. */
static int lot_ncrs(epcis *e, const char *lot)
{
	sqlite3_stmt *st = NULL;
	int rc, error;

	if ((error = prepare(&st, e,
		"SELECT n.ncr, l.part, n.po, n.opened_at FROM ncrs n JOIN lots l ON l.lot = n.lot"
		" WHERE n.lot = ?1 AND (?2 IS NULL OR n.supplier = ?2) ORDER BY n.ncr")) < 0)
		return error;
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->org, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		observe(e, instant(sqlite3_column_int64(st, 3)), sqlite3_column_int64(st, 3),
			urn(e, "event", "ncr", text(st, 0), NULL), json_pack("[{s:o}]", "epcClass",
			urn(e, "lot", text(st, 1), lot, NULL)), "inspecting", "non_conformant",
			json_pack("[o, o]", biz("po", urn(e, "po", text(st, 2), NULL, NULL)),
			biz(NULL, urn(e, "ncr", text(st, 0), NULL, NULL))));
	error = step_error(e, rc);
	sqlite3_finalize(st);
	return error;
}

/* Add each PO lot of trace `t` (a lot's or a sub-tier lot's) to `lots`. */
static void trace_lots(json_t *lots, json_t *t)
{
	static const char *const keys[] = { "upstream", "downstream" };
	json_t *arr, *o;
	size_t i, k;

	if (json_is_object(o = json_object_get(t, "lot")))
		json_object_set_new(lots, json_string_value(json_object_get(o, "lot")), json_true());
	for (k = 0; k < 2; k++) {
		if (!json_is_array(arr = json_object_get(t, keys[k])))
			continue;
		json_array_foreach(arr, i, o)
			if (!json_is_true(json_object_get(o, "subtier")) &&
			    json_is_string(json_object_get(o, "lot")))
				json_object_set_new(lots, json_string_value(json_object_get(o, "lot")),
						    json_true());
	}
}

/* The lots of `lot`'s trace, as the viewer sees it: refused as the trace is. */
static int lot_set(json_t *lots, vault *v, const char *lot)
{
	char *text = NULL;
	json_t *t;
	int error;

	if ((error = vault_trace_lot(&text, v, lot)) < 0)
		return error;
	t = json_loads(text, 0, NULL);
	free(text);
	if (!t)
		return vault_error__set(VAULT_ERROR, "cannot read the trace of lot '%s'", lot);
	trace_lots(lots, t);
	json_decref(t);
	return 0;
}

/* The lots of PO `po` and of their traces. */
static int po_set(json_t *lots, vault *v, const char *po)
{
	char *text = NULL;
	json_t *t, *o;
	size_t i;
	int error = 0;

	if ((error = vault_trace_po(&text, v, po)) < 0)
		return error;
	t = json_loads(text, 0, NULL);
	free(text);
	if (!t)
		return vault_error__set(VAULT_ERROR, "cannot read the trace of PO '%s'", po);
	json_array_foreach(json_object_get(t, "lots"), i, o)
		if ((error = lot_set(lots, v, json_string_value(json_object_get(o, "lot")))) < 0)
			break;
	json_decref(t);
	return error;
}

/* Every lot the viewer may see. */
static int all_lots(json_t *lots, epcis *e)
{
	sqlite3_stmt *st;
	int rc, error;

	if ((error = prepare(&st, e, "SELECT lot FROM lots WHERE ?1 IS NULL OR supplier = ?1")) < 0)
		return error;
	sqlite3_bind_text(st, 1, e->org, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(lots, text(st, 0), json_true());
	error = step_error(e, rc);
	sqlite3_finalize(st);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vault_export_epcis(char **out, size_t *nevents, size_t *ntransform, vault *v,
		       const char *lot, const char *po, const char *since)
{
	epcis e;
	json_t *lots = json_object(), *asns = json_object(), *list = json_array(), *doc = NULL;
	json_t *val;
	git_commit *head = NULL;
	git_oid root;
	const char **names = NULL, *key;
	size_t i, k = 0;
	int error;

	*out = NULL;
	memset(&e, 0, sizeof(e));
	e.v = v;
	e.db = vault_index__db(v->index);
	e.since = since;
	if ((!lot && !po && !since) || (lot && po)) {
		error = vault_error__set(VAULT_EINVALID, "an EPCIS export takes a lot, a PO or a day");
		goto done;
	}
	if ((since && (error = vault_date_check("--since", since)) < 0) ||
	    (lot && (error = vault_name_check("lot", lot)) < 0) ||
	    (po && (error = vault_name_check("PO number", po)) < 0) ||
	    (error = vault__viewer(&e.org, v)) < 0)
		goto done;
	if ((error = lot ? lot_set(lots, v, lot) : po ? po_set(lots, v, po) :
	     all_lots(lots, &e)) < 0)
		goto done;
	if ((error = vault_store__root(&root, v->store)) < 0) {
		if (error == VAULT_ENOTFOUND)
			error = vault_error__set(VAULT_ERROR, "the vault records no root commit "
						 "(qvault.root), which names it in EPCIS identifiers");
		goto done;
	}
	git_oid_tostr(e.vault_id, sizeof(e.vault_id), &root);
	if ((error = vault_store__head(&head, v->store)) < 0)
		goto done;
	if ((names = calloc(json_object_size(lots) + 1, sizeof(char *))) == NULL)
		abort();
	json_object_foreach(lots, key, val)
		names[k++] = key;
	qsort(names, k, sizeof(char *), cmp_str);
	/* each lot's own records, then each ship notice of them once */
	for (i = 0; i < k; i++)
		if ((error = lot_made(&e, names[i])) < 0 || (error = lot_shipped(&e, names[i])) < 0 ||
		    (error = lot_fais(&e, names[i])) < 0 || (error = lot_ncrs(&e, names[i])) < 0 ||
		    (error = asns_of(asns, &e, names[i])) < 0)
			goto done;
	free(names);
	if ((names = calloc(json_object_size(asns) + 1, sizeof(char *))) == NULL)
		abort();
	k = 0;
	json_object_foreach(asns, key, val)
		names[k++] = key;
	qsort(names, k, sizeof(char *), cmp_str);
	for (i = 0; i < k; i++)
		if ((error = asn_events(&e, lots, names[i])) < 0)
			goto done;
	if (e.n) /* none: e.ev is NULL, which qsort may not be given */
		qsort(e.ev, e.n, sizeof(event), cmp_event);
	for (i = 0; i < e.n; i++)
		json_array_append(list, e.ev[i].ev);
	doc = json_pack("{s:[s], s:s, s:s, s:o, s:{s:O}}", "@context", EPCIS_CONTEXT,
			"type", "EPCISDocument", "schemaVersion", "2.0",
			"creationDate", instant(git_commit_time(head)), "epcisBody", "eventList", list);
	if (!doc || (*out = json_dumps(doc, JSON_INDENT(2))) == NULL) {
		error = vault_error__set(VAULT_ERROR, "cannot write the EPCIS document");
		goto done;
	}
	*nevents = e.n;
	*ntransform = e.ntransform;
done:
	for (i = 0; i < e.n; i++) {
		json_decref(e.ev[i].ev);
		free(e.ev[i].key);
	}
	free(e.ev);
	free(e.org);
	free(names);
	git_commit_free(head);
	json_decref(doc);
	json_decref(list);
	json_decref(lots);
	json_decref(asns);
	return error;
}
