/*
 * x12_856w.c - the ship notices in force as an X12 856 interchange, for
 * a buyer's ERP that speaks EDI: what `asn export` gives as JSON or CSV
 * (vault_asn_export: the same rows, the same viewer), a set per notice,
 * in the layout the 856 reader (x12.c) reads back to the same notices:
 *
 *   BSN*00*<asn>*<ship date>*0000
 *   HL*1**S  TD5**2*<carrier>  REF*CN*<tracking>  DTM*011*<ship date>
 *   HL*2*1*O  PRF*<po>
 *   per package: HL*n*2*P  MAN*GM*<package>
 *     per lot in it: HL*m*n*I  LIN**BP*<part>  SN1**<qty>*<unit>  REF*LT*<lot>
 *   CTT*<items>
 *
 * The quantity is in the PO line's unit (SN103), as the notice counts it.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "util.h"
#include "x12_write.h"

static const char SQL_UNIT[] = "SELECT unit FROM po_lines WHERE po = ?1 AND line = ?2";

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The unit of PO `po` line `line` (EA when the index has none). */
static int unit_of(char *out, size_t size, vault *v, const char *po, json_int_t line)
{
	sqlite3_stmt *st;
	int error;

	if ((error = vault_index__stmt(&st, v->index, SQL_UNIT)) < 0)
		return error;
	sqlite3_bind_text(st, 1, po, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, line);
	vault__fmt_message(out, size, "%s", "EA");
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		vault__fmt_message(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return 0;
}

/* Rows rows[from..to) are one notice's, ordered by package: its set. */
static int write_notice(vault_x12w *x, vault *v, json_t *rows, size_t from, size_t to)
{
	json_t *head = json_array_get(rows, from);
	char date[9], num[3][24], unit[32];
	size_t i, hl = 2, pack = 0, items = 0;
	const char *last_pack = NULL;
	int error;

	if (vault_x12w__date(date, str(head, "ship_date")) < 0)
		return vault_error__set(VAULT_EINVALID, "its ship date '%s' is not a date", str(head, "ship_date"));
	if ((error = vault_x12w__set_begin(x, "856")) < 0 ||
	    (error = vault_x12w__seg(x, "BSN", "00", str(head, "asn"), date, "0000", NULL)) < 0 ||
	    (error = vault_x12w__seg(x, "HL", "1", "", "S", NULL)) < 0 ||
	    (*str(head, "carrier") && (error = vault_x12w__seg(x, "TD5", "", "2", str(head, "carrier"), NULL)) < 0) ||
	    (*str(head, "tracking") && (error = vault_x12w__seg(x, "REF", "CN", str(head, "tracking"), NULL)) < 0) ||
	    (error = vault_x12w__seg(x, "DTM", "011", date, NULL)) < 0 ||
	    (error = vault_x12w__seg(x, "HL", "2", "1", "O", NULL)) < 0 ||
	    (error = vault_x12w__seg(x, "PRF", str(head, "po"), NULL)) < 0)
		return error;
	for (i = from; i < to; i++) {
		json_t *r = json_array_get(rows, i);

		/* a package's HL, then each lot in it an item under it */
		if (!last_pack || strcmp(last_pack, str(r, "package")) != 0) {
			pack = ++hl;
			last_pack = str(r, "package");
			vault__fmt_message(num[0], sizeof(num[0]), "%zu", pack);
			if ((error = vault_x12w__seg(x, "HL", num[0], "2", "P", NULL)) < 0 ||
			    (error = vault_x12w__seg(x, "MAN", "GM", last_pack, NULL)) < 0)
				return error;
		}
		vault__fmt_message(num[0], sizeof(num[0]), "%zu", ++hl);
		vault__fmt_message(num[1], sizeof(num[1]), "%zu", pack);
		vault__fmt_message(num[2], sizeof(num[2]), "%" JSON_INTEGER_FORMAT,
				   json_integer_value(json_object_get(r, "qty")));
		if ((error = unit_of(unit, sizeof(unit), v, str(r, "po"),
				     json_integer_value(json_object_get(r, "line")))) < 0 ||
		    (error = vault_x12w__seg(x, "HL", num[0], num[1], "I", NULL)) < 0 ||
		    (error = vault_x12w__seg(x, "LIN", "", "BP", str(r, "part"), NULL)) < 0 ||
		    (error = vault_x12w__seg(x, "SN1", "", num[2], unit, NULL)) < 0 ||
		    (error = vault_x12w__seg(x, "REF", "LT", str(r, "lot"), NULL)) < 0)
			return error;
		items++;
	}
	vault__fmt_message(num[0], sizeof(num[0]), "%zu", items);
	if ((error = vault_x12w__seg(x, "CTT", num[0], NULL)) < 0)
		return error;
	return vault_x12w__set_end(x);
}

int vault_asn_export_x12(char **out, vault *v, const char *org, const vault_x12_ids *ids)
{
	json_t *rows = NULL;
	char *text = NULL;
	vault_x12w x;
	size_t i, from = 0;
	int error;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	if ((error = vault_x12_ids_check(ids)) < 0 ||
	    (error = vault_asn_export(&text, v, org, VAULT_EXPORT_JSON)) < 0)
		return error;
	if ((rows = json_loads(text, 0, NULL)) == NULL || !json_is_array(rows)) {
		error = vault_error__set(VAULT_ERROR, "the ship notices' JSON does not parse");
		goto done;
	}
	if (json_array_size(rows) == 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "no ship notice in force to export");
		goto done;
	}
	if ((error = vault_x12w__begin(&x, ids, "SH")) < 0)
		goto done;
	/* rows come by notice, then package: a set per run of one notice */
	for (i = 1; i <= json_array_size(rows) && error == 0; i++) {
		if (i < json_array_size(rows) &&
		    strcmp(str(json_array_get(rows, i), "asn"), str(json_array_get(rows, from), "asn")) == 0)
			continue;
		if ((error = write_notice(&x, v, rows, from, i)) < 0)
			error = vault_error__set(error, "ship notice '%s': %s",
						 str(json_array_get(rows, from), "asn"), vault_error_message());
		from = i;
	}
	if (error == 0)
		error = vault_x12w__end(out, &x);
done:
	vault_x12w__dispose(&x);
	json_decref(rows);
	free(text);
	return error;
}
