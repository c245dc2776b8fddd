/*
 * portal_ncr.c - nonconformance reports in the portal: the list and the
 * form that opens one on a lot, an NCR's page, and its close with a
 * disposition, signed with the passkey.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal.h"

/* Opening an NCR on a lot (quality, buyer): a record, not a signature. */
static void ncr_open_form(html *h, serve_req *q)
{
	const char *const *d;

	h_raw(h, "<h2>Open a nonconformance report</h2>");
	h_form(h, q, "/ncrs", 0);
	h_raw(h, "<p><label for=\"ncr-lot\">Lot</label> <input id=\"ncr-lot\" name=\"lot\" "
		 "required></p><p><label for=\"ncr-reason\">What does not conform</label> "
		 "<input id=\"ncr-reason\" name=\"reason\" required></p><p><label "
		 "for=\"ncr-proposed\">Proposed disposition</label> <select id=\"ncr-proposed\" "
		 "name=\"disposition\"><option value=\"\">(none yet)</option>");
	for (d = vault_dispositions; *d; d++) {
		h_raw(h, "<option>");
		h_text(h, *d);
		h_raw(h, "</option>");
	}
	h_raw(h, "</select></p><p><button type=\"submit\">Open the report</button></p></form>");
}

/* The NCRs the viewer may see, and the form to open one; `why`: a refusal. */
static enum MHD_Result ncrs_page(serve_req *q, unsigned status, const char *why)
{
	static const char *const cols[] = { "NCR", "Lot", "PO", "Supplier", "Reason", "State",
					    "Opened", NULL };
	static const char *const keys[] = { "ncr", "lot", "po", "supplier", "reason", "state",
					    "opened_at", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *list;
	int error;

	if ((error = vault_ncr_list(&text, q->v, NULL)) < 0)
		return error_page(q, error);
	list = parsed(text);
	page_begin(&h, q, "Nonconformance reports", "");
	h_refusal(&h, why);
	if (!json_array_size(list)) {
		h_raw(&h, "<p>No nonconformance reports.</p>");
	} else {
		size_t from, to, page = page_span(q, "page", json_array_size(list), &from, &to);

		page_links(&h, q, "/ncrs", "page", page, from, to, json_array_size(list));
		h_rows(&h, "NCRs, by number", cols, keys, list, from, to, "/ncrs/");
	}
	json_decref(list);
	if (has_role(viewer_roles(q), "quality") || has_role(viewer_roles(q), "buyer"))
		ncr_open_form(&h, q);
	return send_page(q, status, &h);
}

enum MHD_Result get_ncrs(serve_req *q)
{
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	return ncrs_page(q, MHD_HTTP_OK, NULL);
}

/* POST ncrs (a form): an NCR opened on a lot; on to its page. */
enum MHD_Result post_ncr(serve_req *q)
{
	json_t *reply = serve_writer_ask(q, json_pack("{s:s, s:s, s:s, s:s*}", "op", "ncr-add",
		"lot", form_value(q, "lot") ? form_value(q, "lot") : "", "reason",
		form_value(q, "reason") ? form_value(q, "reason") : "", "disposition",
		form_value(q, "disposition")), -1);
	unsigned status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	const char *id = json_string_value(json_object_get(json_object_get(reply, "body"), "ncr"));
	char where[3 * VAULT_NAME_MAX + 16], enc[3 * VAULT_NAME_MAX + 16];
	enum MHD_Result answered;

	/* the number, percent-encoded (a '/' of it is %2F) */
	if (status == MHD_HTTP_CREATED && id && revision_address(enc, sizeof(enc), id, NULL) == 0 &&
	    cli_fmt(where, sizeof(where), "the address", "/ncrs/%s", enc + strlen("/documents/")) == 0) {
		json_decref(reply);
		return serve_redirect(q->c, where);
	}
	answered = ncrs_page(q, status >= 400 ? status : MHD_HTTP_BAD_REQUEST, refusal_of(reply));
	json_decref(reply);
	return answered;
}

/* Closing an open NCR with its disposition (quality, buyer), signed with the passkey. */
static void ncr_close_form(html *h, const char *ncr)
{
	const char *const *d;

	h_raw(h, "<h2>Close this nonconformance report</h2>");
	h_signed_form(h, "/ncrs/", ncr, NULL, "/close");
	h_raw(h, "<p><label for=\"ncr-disposition\">Disposition</label> <select "
		 "id=\"ncr-disposition\" name=\"disposition\">");
	for (d = vault_dispositions; *d; d++) {
		h_raw(h, "<option>");
		h_text(h, *d);
		h_raw(h, "</option>");
	}
	h_raw(h, "</select></p><p><label for=\"ncr-note\">Note</label> <input id=\"ncr-note\" "
		 "name=\"note\"></p>");
	h_signed_form_end(h, "Sign the close with your passkey");
}

enum MHD_Result get_ncr(serve_req *q)
{
	static const char *const keys[] = { "lot", "po", "supplier", "reason", "disposition",
		"opened_by", "opened_at", "state", "closed_disposition", "closed_by", "closed_at",
		NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	const char *const *k;
	json_t *n, *d;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_ncr_show(&text, q->v, q->part[1])) < 0)
		return error_page(q, error);
	n = parsed(text);
	page_begin(&h, q, "Nonconformance report ", q->part[1]);
	h_raw(&h, "<dl>");
	for (k = keys; *k; k++) {
		if (!json_object_get(n, *k) || json_is_null(json_object_get(n, *k)))
			continue;
		h_raw(&h, "<dt>");
		h_raw(&h, *k);
		h_raw(&h, "</dt><dd>");
		h_member(&h, n, *k);
		h_raw(&h, "</dd>");
	}
	h_raw(&h, "</dl>");
	if (json_array_size(json_object_get(n, "docs"))) {
		h_raw(&h, "<h2>Documents it cites</h2><ul>");
		json_array_foreach(json_object_get(n, "docs"), i, d) {
			h_raw(&h, "<li>");
			h_text(&h, json_string_value(d));
			h_raw(&h, "</li>");
		}
		h_raw(&h, "</ul>");
	}
	if (strcmp(json_string_value(json_object_get(n, "state")) ?
		   json_string_value(json_object_get(n, "state")) : "", "open") == 0 &&
	    (has_role(viewer_roles(q), "quality") || has_role(viewer_roles(q), "buyer")))
		ncr_close_form(&h, q->part[1]);
	json_decref(n);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* ---- closing, signed with the passkey ------------------------------------------ */

/* The request of act "ncr-close" for NCR {ncr}. */
static json_t *ncr_close_request(serve_req *q, const json_t *body)
{
	return json_pack("{s:s, s:s, s:s*}", "ncr", q->part[1], "disposition",
			 given(body, "disposition") ? given(body, "disposition") : "", "note",
			 given(body, "note"));
}

enum MHD_Result post_ncr_close_statement(serve_req *q)
{
	return act_step(q, "ncr-close", ncr_close_request, 0);
}

enum MHD_Result post_ncr_close_sign(serve_req *q)
{
	return act_step(q, "ncr-close", ncr_close_request, 1);
}
