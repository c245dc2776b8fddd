/*
 * portal_asn.c - lots and ship notices in the portal: the supplier records
 * a lot and sends a ship notice (or uploads an X12 856); the list, a
 * notice's page, and the receipt the buyer or quality records on it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "portal.h"

/* ---- lots and ship notices ----------------------------------------------------- */

static enum MHD_Result asn_form(serve_req *q, unsigned status, const char *why)
{
	html h = { NULL, 0, 0 };

	page_begin(&h, q, "Ship", "");
	h_refusal(&h, why);
	h_raw(&h, "<h2>1. Record the lot you made</h2>");
	h_form(&h, q, "/lots", 0);
	h_input(&h, q, "lot.lot", "Lot number", "text", 1);
	h_input(&h, q, "lot.po", "PO", "text", 1);
	h_input(&h, q, "lot.part", "Part number (one of the PO's)", "text", 1);
	h_input(&h, q, "lot.qty", "Quantity", "number", 1);
	h_input(&h, q, "lot.made", "Made on", "date", 0);
	h_raw(&h, "<p><button type=\"submit\">Record the lot</button></p></form>"
		  "<h2>2. Send the ship notice</h2>");
	h_form(&h, q, "/asns", 0);
	h_input(&h, q, "asn", "Ship notice number", "text", 1);
	h_input(&h, q, "po", "PO", "text", 1);
	h_input(&h, q, "ship_date", "Ship date", "date", 1);
	h_input(&h, q, "carrier", "Carrier", "text", 0);
	h_input(&h, q, "tracking", "Tracking number", "text", 0);
	h_input(&h, q, "package", "Package id", "text", 1);
	h_input(&h, q, "lot", "Lot in it", "text", 1);
	h_input(&h, q, "qty", "Quantity in it", "number", 1);
	h_raw(&h, "<p><button type=\"submit\">Send the ship notice</button></p></form>"
		  "<h2>Or upload an X12 856 ship notice</h2>");
	h_form(&h, q, "/asns/x12", 1);
	h_input(&h, q, "file", "X12 856 file", "file", 1);
	h_raw(&h, "<p><button type=\"submit\">Upload the 856</button></p></form>");
	return send_page(q, status, &h);
}

enum MHD_Result get_ship(serve_req *q)
{
	return asn_form(q, MHD_HTTP_OK, NULL);
}

/* The lot's and the notice's form again, with the writer's refusal at its top. */
static enum MHD_Result ship_refused(serve_req *q, unsigned status, const json_t *reply)
{
	return asn_form(q, status, refusal_of(reply));
}

/* The writer's answer to a form: back to `next` when done, else the form again. */
static enum MHD_Result form_done(serve_req *q, json_t *reply, const char *next)
{
	return form_answer(q, reply, next, "", NULL, ship_refused);
}

enum MHD_Result post_lot(serve_req *q)
{
	json_int_t qty = form_count(q, "lot.qty");

	if (!form_value(q, "lot.lot") || !form_value(q, "lot.po") || !form_value(q, "lot.part") ||
	    qty < 1)
		return asn_form(q, MHD_HTTP_BAD_REQUEST, "give the lot's number, PO, part and a "
				"quantity of 1 or more");
	return form_done(q, serve_writer_ask(q, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s*}",
			 "op", "lot-add", "lot", form_value(q, "lot.lot"), "po",
			 form_value(q, "lot.po"), "part", form_value(q, "lot.part"), "qty", qty,
			 "made", form_value(q, "lot.made")), -1), "/ship");
}

enum MHD_Result post_asn(serve_req *q)
{
	json_int_t qty = form_count(q, "qty");
	json_t *notice;
	char *text;
	int fd;

	if (!form_value(q, "asn") || !form_value(q, "po") || !form_value(q, "ship_date") ||
	    !form_value(q, "package") || !form_value(q, "lot") || qty < 1)
		return asn_form(q, MHD_HTTP_BAD_REQUEST, "give the notice's number, PO, ship date "
				"and a package with its lot and a quantity of 1 or more");
	notice = json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:[{s:s, s:s, s:I}]}",
			   "asn", form_value(q, "asn"), "po", form_value(q, "po"), "ship_date",
			   form_value(q, "ship_date"), "carrier", form_value(q, "carrier"),
			   "tracking", form_value(q, "tracking"), "packages", "id",
			   form_value(q, "package"), "lot", form_value(q, "lot"), "qty", qty);
	text = notice ? json_dumps(notice, JSON_COMPACT) : NULL;
	json_decref(notice);
	/* the notice as the file `asn import` reads, handed to the writer */
	if ((fd = stage_text(q, text)) < 0)
		return asn_form(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the ship notice");
	{
		json_t *reply = serve_writer_ask(q, json_pack("{s:s}", "op", "asn-import"), fd);

		close(fd);
		return form_done(q, reply, "/asns");
	}
}

enum MHD_Result post_asn_x12(serve_req *q)
{
	if (q->body < 0 || !form_value(q, "file.name"))
		return asn_form(q, MHD_HTTP_BAD_REQUEST, "choose the X12 856 file");
	return form_done(q, serve_writer_ask(q, json_pack("{s:s}", "op", "asn-import"), q->body),
			 "/asns");
}

enum MHD_Result get_asns(serve_req *q)
{
	static const char *const cols[] = { "Ship notice", "PO", "Supplier", "Ship date",
					    "Packages", "Shipped", "Received", NULL };
	static const char *const keys[] = { "asn", "po", "supplier", "ship_date", "packages",
					    "shipped", "received", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *list;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_asn_list(&text, q->v, NULL)) < 0)
		return error_page(q, error);
	list = parsed(text);
	page_begin(&h, q, "Ship notices", "");
	h_raw(&h, "<p><a href=\"/ship\">Record a lot and send a ship notice</a></p>");
	{
		size_t from, to, page = page_span(q, "page", json_array_size(list), &from, &to);

		page_links(&h, q, "/asns", "page", page, from, to, json_array_size(list));
		h_rows(&h, "Ship notices, by number", cols, keys, list, from, to, "/asns/");
	}
	json_decref(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

/*
 * The page of ship notice q->part[1]: its packages and lots, shipped and
 * received; to the buyer and quality, while it is not received, the
 * receipt's form (each lot's quantity received, the date, a note).
 */
static enum MHD_Result asn_page(serve_req *q, unsigned status, const char *why)
{
	static const char *const pack_cols[] = { "Package", "Lot", "Line", "Part", "Qty", NULL };
	static const char *const pack_keys[] = { "package", "lot", "line", "part", "qty", NULL };
	static const char *const lot_cols[] = { "Lot", "Part", "Shipped", "Received", NULL };
	static const char *const lot_keys[] = { "lot", "part", "shipped", "received", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL, name[96];
	json_t *asn, *x, *receipt;
	unsigned roles;
	size_t i;
	int error;

	if ((error = vault_asn_show(&text, q->v, q->part[1])) < 0)
		return error_page(q, error);
	asn = parsed(text);
	receipt = json_object_get(asn, "receipt");
	page_begin(&h, q, "Ship notice ", q->part[1]);
	h_refusal(&h, why);
	h_raw(&h, "<dl><dt>PO</dt><dd><a href=\"/pos/");
	h_path(&h, json_string_value(json_object_get(asn, "po")));
	h_raw(&h, "\">");
	h_member(&h, asn, "po");
	h_raw(&h, "</a></dd><dt>Supplier</dt><dd>");
	h_member(&h, asn, "supplier");
	h_raw(&h, "</dd><dt>Shipped</dt><dd>");
	h_member(&h, asn, "ship_date");
	h_raw(&h, "</dd><dt>Carrier</dt><dd>");
	h_member(&h, asn, "carrier");
	h_raw(&h, " ");
	h_member(&h, asn, "tracking");
	h_raw(&h, "</dd><dt>Received</dt><dd>");
	if (receipt) {
		h_member(&h, receipt, "date");
		h_raw(&h, " by ");
		h_member(&h, receipt, "received_by");
		if (json_object_get(receipt, "note")) {
			h_raw(&h, "</dd><dt>Receiving note</dt><dd>");
			h_member(&h, receipt, "note");
		}
	} else {
		h_raw(&h, "not yet");
	}
	h_raw(&h, "</dd></dl>");
	h_rows(&h, "Packages", pack_cols, pack_keys, json_object_get(asn, "packages"), 0,
	       json_array_size(json_object_get(asn, "packages")), NULL);
	h_rows(&h, "Lots, shipped and received", lot_cols, lot_keys, json_object_get(asn, "lots"),
	       0, json_array_size(json_object_get(asn, "lots")), NULL);
	roles = viewer_roles(q);
	if (!receipt && (has_role(roles, "buyer") || has_role(roles, "quality"))) {
		h_raw(&h, "<h2>Receive it</h2>");
		h_form_to(&h, q, "/asns/", q->part[1], "/receive", 0);
		h_raw(&h, "<fieldset><legend>Quantity received of each lot (as shipped unless you "
			  "change it)</legend>");
		json_array_foreach(json_object_get(asn, "lots"), i, x) {
			const char *lot = json_string_value(json_object_get(x, "lot"));

			if (!lot || cli_fmt(name, sizeof(name), "a field's name", "qty.%zu", i) < 0)
				continue;
			h_raw(&h, "<p><label for=\"");
			h_raw(&h, name);
			h_raw(&h, "\">Lot ");
			h_text(&h, lot);
			h_raw(&h, "</label> <input id=\"");
			h_raw(&h, name);
			h_raw(&h, "\" name=\"");
			h_raw(&h, name);
			h_raw(&h, "\" type=\"number\" min=\"0\" required value=\"");
			h_member(&h, x, "shipped");
			h_raw(&h, "\"></p>");
		}
		h_raw(&h, "</fieldset>");
		h_input(&h, q, "date", "Date received (empty: today)", "date", 0);
		h_input(&h, q, "note", "Note (a discrepancy, damage)", "text", 0);
		h_raw(&h, "<p><button type=\"submit\">Record the receipt</button></p></form>");
	}
	json_decref(asn);
	return send_page(q, status, &h);
}

enum MHD_Result get_asn(serve_req *q)
{
	return asn_page(q, MHD_HTTP_OK, NULL);
}

/* ---- receiving ----------------------------------------------------------------- */

/* The notice's page again, with the writer's refusal at its top. */
static enum MHD_Result asn_refused(serve_req *q, unsigned status, const json_t *reply)
{
	return asn_page(q, status, refusal_of(reply));
}

/*
 * POST asns/{asn}/receive (a form): the receipt, each lot's quantity as
 * the form gives it ("qty.I" for the notice's I-th lot, as its page lists
 * them; read again here, so that the form names no lot itself).
 */
enum MHD_Result post_receive(serve_req *q)
{
	char *text = NULL, name[96];
	json_t *asn, *lots, *x, *reply, *value;
	json_int_t qty = 0;
	const char *key;
	size_t i;
	int error, given;

	if ((error = vault_asn_show(&text, q->v, q->part[1])) < 0)
		return error_page(q, error);
	asn = parsed(text);
	/* a quantity for a lot the page does not list (qty.I past the last) is no receipt of it */
	json_object_foreach(q->form, key, value) {
		const char *at = starts_with(key, "qty.") ? key + 4 : NULL;

		if (at && (!*at || strspn(at, "0123456789") != strlen(at) || strlen(at) > 9 ||
			   (at[0] == '0' && at[1]) ||
			   strtoul(at, NULL, 10) >= json_array_size(json_object_get(asn, "lots")))) {
			json_decref(asn);
			return asn_page(q, MHD_HTTP_BAD_REQUEST, "the form gives a quantity for a lot "
					"the ship notice does not have");
		}
	}
	lots = json_array();
	json_array_foreach(json_object_get(asn, "lots"), i, x) {
		const char *lot = json_string_value(json_object_get(x, "lot"));

		if (!lot || cli_fmt(name, sizeof(name), "a field's name", "qty.%zu", i) < 0)
			continue;
		if ((given = form_number(q, name, 0, &qty)) == 0)
			continue;
		if (given < 0) {
			json_decref(lots);
			json_decref(asn);
			return asn_page(q, MHD_HTTP_BAD_REQUEST,
					"a quantity received is a whole number, 0 or more");
		}
		json_array_append_new(lots, json_pack("{s:s, s:I}", "lot", lot, "qty", qty));
	}
	json_decref(asn);
	reply = serve_writer_ask(q, json_pack("{s:s, s:s, s:s*, s:s*, s:o}", "op", "asn-receive",
					      "asn", q->part[1], "date", form_value(q, "date"),
					      "note", form_value(q, "note"), "lots", lots), -1);
	return form_answer(q, reply, "/asns/", q->part[1], NULL, asn_refused);
}
