/*
 * x12_855.c - PO acknowledgments (`po ack`) as X12 855 for a buyer's ERP
 * that speaks EDI, and the 855 reader of `edi read` that reads them back.
 *
 * A set per acknowledgment, in the order of `po show`:
 *
 *   BAK*00*<type>*<po>*<PO date>****<answered on>
 *       type: AK (the whole PO accepted), RJ (rejected), AD (a line
 *       accepted), RD (a line rejected)
 *       BAK05 the release number, for the answer to a release against a
 *       blanket order (`po ack --release`: answered whole, AK or RJ)
 *   the whole PO: DTM*068*<promise> (068: current schedule ship)
 *   a line:       PO1*<line>  ACK*<IA|IR>*<qty>*<unit>*068*<promise>  CTT*1
 *   N9*L1*NOTE   MSG*<note>   (and N9*L1*REASON  MSG*<reason>), the text
 *       in MSGs of up to 128 characters, a separator or a control
 *       character in it written as a space
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "exists.h"
#include "index.h"
#include "util.h"
#include "x12_write.h"

#define MSG_MAX VAULT_X12_VALUE_MAX

static const char SQL_ACKS[] =
	"SELECT po, line, decision, promise, qty, note, reason, answered, po_date, unit, release"
	" FROM (SELECT a.po, a.line, a.decision, a.promise, a.qty, a.note, a.reason,"
	"  strftime('%Y%m%d', a.signed_at, 'unixepoch') AS answered,"
	"  strftime('%Y%m%d', p.created_at, 'unixepoch') AS po_date, coalesce(l.unit, 'EA') AS unit,"
	"  NULL AS release, a.seq, a.signed_at, a.signed_by, a.org"
	"  FROM po_acks a JOIN pos p ON p.po = a.po"
	"  LEFT JOIN po_lines l ON l.po = a.po AND l.line = a.line"
	" UNION ALL"
	" SELECT a.po, NULL, a.decision, a.promise, NULL, a.note, a.reason,"
	"  strftime('%Y%m%d', a.signed_at, 'unixepoch'), strftime('%Y%m%d', p.created_at, 'unixepoch'),"
	"  'EA', a.release, a.seq, a.signed_at, a.signed_by, a.org"
	"  FROM release_acks a JOIN pos p ON p.po = a.po)"
	" WHERE ?1 IS NULL OR org = ?1"
	" ORDER BY po, release IS NOT NULL, release, seq, signed_at, signed_by";

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

/* N9*L1*WHAT and the text in MSGs. */
static int text(vault_x12w *x, const char *what, const char *s)
{
	size_t len = strlen(s), at;
	int error;

	if (!len)
		return 0;
	if ((error = vault_x12w__seg(x, "N9", "L1", what, NULL)) < 0)
		return error;
	for (at = 0; at < len; at += MSG_MAX)
		if ((error = vault_x12w__text(x, "MSG", NULL, s + at, MSG_MAX)) < 0)
			return error;
	return 0;
}

/* One acknowledgment, the statement's row, as a set. */
static int write_ack(vault_x12w *x, sqlite3_stmt *st)
{
	int line = sqlite3_column_type(st, 1) != SQLITE_NULL;
	int reject = strcmp(col(st, 2), "rejected") == 0;
	char promise[9] = "", num[2][24], release[24] = "";
	int error;

	if (*col(st, 3) && vault_x12w__date(promise, col(st, 3)) < 0)
		return vault_error__set(VAULT_EINVALID, "its promise '%s' is not a date", col(st, 3));
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		vault__fmt_message(release, sizeof(release), "%lld",
				   (long long)sqlite3_column_int64(st, 10));
	if ((error = vault_x12w__set_begin(x, "855")) < 0 ||
	    (error = vault_x12w__seg(x, "BAK", "00", line ? (reject ? "RD" : "AD") : (reject ? "RJ" : "AK"),
				     col(st, 0), col(st, 8), release, "", "", "", col(st, 7), NULL)) < 0)
		return error;
	if (!line && promise[0] && (error = vault_x12w__seg(x, "DTM", "068", promise, NULL)) < 0)
		return error;
	if ((error = text(x, "NOTE", col(st, 5))) < 0 || (error = text(x, "REASON", col(st, 6))) < 0)
		return error;
	if (line) {
		vault__fmt_message(num[0], sizeof(num[0]), "%lld", (long long)sqlite3_column_int64(st, 1));
		vault__fmt_message(num[1], sizeof(num[1]), "%lld", (long long)sqlite3_column_int64(st, 4));
		if ((error = vault_x12w__seg(x, "PO1", num[0], NULL)) < 0 ||
		    (error = vault_x12w__seg(x, "ACK", reject ? "IR" : "IA",
					     sqlite3_column_type(st, 4) != SQLITE_NULL ? num[1] : "",
					     sqlite3_column_type(st, 4) != SQLITE_NULL ? col(st, 9) : "",
					     promise[0] ? "068" : "", promise, NULL)) < 0 ||
		    (error = vault_x12w__seg(x, "CTT", "1", NULL)) < 0)
			return error;
	}
	return vault_x12w__set_end(x);
}

int vault_po_ack_export_x12(char **out, vault *v, const char *org, const vault_x12_ids *ids)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st = NULL;
	vault_x12w x;
	char *own = NULL;
	size_t count = 0;
	int rc, error;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	if ((error = vault_x12_ids_check(ids)) < 0 ||
	    (org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(&own, v)) < 0)
		return error;
	/* a supplier exports its own organization's answers only */
	if (own && org && strcmp(own, org) != 0) {
		error = vault_error__set(VAULT_EDENIED, "a supplier exports only its own organization's "
					 "acknowledgments");
		goto done;
	}
	if (own)
		org = own;
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		goto done;
	if (sqlite3_prepare_v2(db, SQL_ACKS, -1, &st, NULL) != SQLITE_OK) {
		error = vault_error__set(VAULT_ERROR, "cannot read the index: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	if ((error = vault_x12w__begin(&x, ids, "PR")) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((error = write_ack(&x, st)) < 0) {
			error = vault_error__set(error, "acknowledgment of PO '%s': %s", col(st, 0),
						 vault_error_message());
			goto done;
		}
		count++;
	}
	if (rc != SQLITE_DONE) {
		error = vault_error__set(VAULT_ERROR, "cannot read the index: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (count == 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "no PO acknowledgment to export");
		goto done;
	}
	error = vault_x12w__end(out, &x);
done:
	sqlite3_finalize(st);
	vault_x12w__dispose(&x);
	free(own);
	return error;
}

/* ---- reading an 855 (edi read) --------------------------------------------- */

typedef struct {
	vault_x12_walk w;      /* first */
	json_t *list;
	json_t *ack;           /* the open set's */
	const char *text;      /* "note" or "reason": what the MSGs after N9 are */
	int line_level;        /* BAK02 AD or RD */
	int has_ack;
} reader;

static int on_st(vault_x12_walk *w, const vault_x12_segment *s)
{
	reader *r = (reader *)w;

	if (strcmp(vault_x12__el(s, 1), "855") != 0)
		return vault_x12__fail(s, "transaction set '%.16s' is a %.8s, not an 855 PO acknowledgment",
				       vault_x12__el(s, 2), vault_x12__el(s, 1));
	json_decref(r->ack);
	r->ack = NULL;
	r->text = NULL;
	r->has_ack = 0;
	return 0;
}

static int set_date(json_t *o, const char *key, const vault_x12_segment *s, size_t i, const char *what)
{
	char d[16];
	int error;

	if ((error = vault_x12__date(d, sizeof(d), s, i, what, 0)) < 0)
		return error;
	json_object_set_new(o, key, json_string(d));
	return 0;
}

/* A whole number of 1 to 10 digits, from 1, as `key`. */
static int set_number(json_t *o, const char *key, const vault_x12_segment *s, size_t i, const char *what)
{
	const char *v = vault_x12__el(s, i);

	if (!*v || strlen(v) > 10 || strspn(v, "0123456789") != strlen(v) || strtoull(v, NULL, 10) == 0)
		return vault_x12__fail(s, "%s '%.16s' is not a whole number from 1", what, v);
	json_object_set_new(o, key, json_integer((json_int_t)strtoull(v, NULL, 10)));
	return 0;
}

static int on_bak(reader *r, const vault_x12_segment *s)
{
	const char *type = vault_x12__el(s, 2);
	int error;

	if (r->ack)
		return vault_x12__fail(s, "a second BAK");
	if (strcmp(type, "AK") && strcmp(type, "AC") && strcmp(type, "AD") && strcmp(type, "RJ") &&
	    strcmp(type, "RD"))
		return vault_x12__fail(s, "BAK02 '%.8s' is not an acknowledgment type qvault reads (AC, AD, "
				       "AK, RD, RJ)", type);
	r->ack = json_object();
	r->line_level = strcmp(type, "AC") == 0 || strcmp(type, "AD") == 0 || strcmp(type, "RD") == 0;
	json_object_set_new(r->ack, "decision", json_string(type[0] == 'R' ? "rejected" : "accepted"));
	if ((error = vault_x12__value_ok(s, 3, "BAK03 (the PO)")) < 0 ||
	    (error = set_date(r->ack, "po_date", s, 4, "BAK04")) < 0 ||
	    (*vault_x12__el(s, 9) && (error = set_date(r->ack, "answered", s, 9, "BAK09")) < 0) ||
	    (*vault_x12__el(s, 5) && (error = set_number(r->ack, "release", s, 5, "BAK05 (the release)")) < 0))
		return error;
	if (json_object_get(r->ack, "release") && r->line_level)
		return vault_x12__fail(s, "BAK05 names a release, which is answered whole, but BAK02 '%s' "
				       "answers a line", type);
	json_object_set_new(r->ack, "po", json_string(vault_x12__el(s, 3)));
	return 0;
}

/* MSG01 added to the note or reason N9 opened. */
static int on_msg(reader *r, const vault_x12_segment *s)
{
	const char *had = json_string_value(json_object_get(r->ack, r->text));
	char *joined;
	int error;

	if ((error = vault_x12__value_ok(s, 1, "MSG01")) < 0)
		return error;
	if (had && strlen(had) > 16 * MSG_MAX)
		return vault_x12__fail(s, "the %s is longer than %d characters", r->text, 16 * MSG_MAX);
	joined = malloc((had ? strlen(had) : 0) + strlen(vault_x12__el(s, 1)) + 1);
	if (!joined)
		abort();
	memcpy(joined, had ? had : "", had ? strlen(had) + 1 : 1);
	memcpy(joined + strlen(joined), vault_x12__el(s, 1), strlen(vault_x12__el(s, 1)) + 1);
	json_object_set_new(r->ack, r->text, json_string(joined));
	free(joined);
	return 0;
}

static int on_ack(reader *r, const vault_x12_segment *s)
{
	const char *code = vault_x12__el(s, 1);
	int error;

	if (!json_object_get(r->ack, "line"))
		return vault_x12__fail(s, "ACK before PO1 (the line it answers)");
	if (r->has_ack)
		return vault_x12__fail(s, "a second ACK for one line");
	if (strcmp(code, "IA") != 0 && strcmp(code, "IR") != 0)
		return vault_x12__fail(s, "ACK01 '%.8s' is not IA (accepted) or IR (rejected)", code);
	if (strcmp(code, "IR") == 0 ? strcmp(json_string_value(json_object_get(r->ack, "decision")), "rejected")
				    : strcmp(json_string_value(json_object_get(r->ack, "decision")), "accepted"))
		return vault_x12__fail(s, "ACK01 '%s' contradicts BAK02", code);
	if (*vault_x12__el(s, 2) && (error = set_number(r->ack, "qty", s, 2, "ACK02")) < 0)
		return error;
	if (*vault_x12__el(s, 4)) {
		if (strcmp(vault_x12__el(s, 4), "068") != 0)
			return vault_x12__fail(s, "ACK04 '%.8s' is not 068 (the ship date promised)",
					       vault_x12__el(s, 4));
		if ((error = set_date(r->ack, "promise", s, 5, "ACK05")) < 0)
			return error;
	}
	r->has_ack = 1;
	return 0;
}

static int on_segment(vault_x12_walk *w, const vault_x12_segment *s)
{
	reader *r = (reader *)w;
	const char *id = vault_x12__el(s, 0);

	if (strcmp(id, "BAK") == 0)
		return on_bak(r, s);
	if (!r->ack)
		return vault_x12__fail(s, "a segment before BAK");
	if (strcmp(id, "DTM") == 0 && strcmp(vault_x12__el(s, 1), "068") == 0 &&
	    !json_object_get(r->ack, "line"))
		return set_date(r->ack, "promise", s, 2, "DTM02");
	if (strcmp(id, "N9") == 0) {
		r->text = strcmp(vault_x12__el(s, 2), "NOTE") == 0 ? "note" :
			  strcmp(vault_x12__el(s, 2), "REASON") == 0 ? "reason" : NULL;
		return 0;
	}
	if (strcmp(id, "MSG") == 0)
		return r->text ? on_msg(r, s) : 0;
	if (strcmp(id, "PO1") == 0) {
		if (!r->line_level)
			return vault_x12__fail(s, "PO1 in an acknowledgment of the whole PO (BAK02 AK or RJ)");
		if (json_object_get(r->ack, "line"))
			return vault_x12__fail(s, "a second PO1: qvault writes one line per acknowledgment");
		return set_number(r->ack, "line", s, 1, "PO101 (the line)");
	}
	if (strcmp(id, "ACK") == 0)
		return on_ack(r, s);
	return 0;
}

static int on_se(vault_x12_walk *w, const vault_x12_segment *s)
{
	reader *r = (reader *)w;
	int error;

	if ((error = vault_x12__check_se(w, s)) < 0)
		return error;
	if (!r->ack)
		return vault_x12__fail(s, "transaction set '%s' has no BAK segment", w->control);
	if (r->line_level && !r->has_ack)
		return vault_x12__fail(s, "transaction set '%s' answers a line (BAK02 AC, AD or RD) with no "
				       "PO1 and ACK", w->control);
	json_array_append_new(r->list, r->ack);
	r->ack = NULL;
	return 0;
}

int vault_x12__parse_855(json_t **out, const char *data, size_t len)
{
	reader r;
	int error;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.w.on_st = on_st;
	r.w.on_segment = on_segment;
	r.w.on_se = on_se;
	r.list = json_array();
	error = vault_x12__walk(&r.w, data, len);
	json_decref(r.ack);
	if (error < 0) {
		json_decref(r.list);
		return error;
	}
	*out = r.list;
	return 0;
}
