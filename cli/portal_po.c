/*
 * portal_po.c - purchase orders in the portal: the list, a PO's page with
 * its lines, change orders and acknowledgments; the buyer's change orders
 * (change a line, add one, cancel or close); the supplier's answers, a
 * progress report and the acknowledgment signed with the passkey.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "portal.h"

/* ---- a PO and its change orders ------------------------------------------------ */

/* The supplier's progress on a line of an open PO. */
static void status_form(html *h, serve_req *q, const json_t *po)
{
	h_raw(h, "<h2>Report progress</h2>");
	h_form_to(h, q, "/pos/", json_string_value(json_object_get(po, "po")), "/status", 0);
	h_raw(h, "<p><label for=\"line\">Line</label> <input id=\"line\" name=\"line\" "
		 "type=\"number\" min=\"1\" value=\"1\" required></p>"
		 "<p><label for=\"status\">Status</label> <select id=\"status\" name=\"status\">"
		 "<option>started</option><option>in-progress</option><option>complete</option>"
		 "<option>shipped</option><option>on-hold</option></select></p>"
		 "<p><label for=\"status-note\">Note</label> <input id=\"status-note\" "
		 "name=\"note\"></p><p><button type=\"submit\">Report</button></p></form>");
}

/*
 * The supplier's answer to an open PO: accept with a promised date, or
 * reject; signed with the passkey.
 */
static void po_ack_form(html *h, const json_t *po)
{
	h_raw(h, "<h2>Answer this purchase order</h2>");
	h_signed_form(h, "/pos/", json_string_value(json_object_get(po, "po")), NULL, "/ack");
	h_raw(h, "<input type=\"hidden\" name=\"revision\" value=\"");
	h_member(h, po, "revision");
	h_raw(h, "\"><fieldset><legend>Your answer to revision ");
	h_member(h, po, "revision");
	h_raw(h, "</legend><p><input type=\"radio\" id=\"accept\" name=\"decision\" "
		 "value=\"accept\" checked> <label for=\"accept\">Accept</label> "
		 "<input type=\"radio\" id=\"reject\" name=\"decision\" value=\"reject\"> "
		 "<label for=\"reject\">Reject</label></p></fieldset>"
		 "<p><label for=\"promise\">Promised date (to accept)</label> "
		 "<input id=\"promise\" name=\"promise\" type=\"date\"></p>"
		 "<p><label for=\"note\">Note</label> <input id=\"note\" name=\"note\"></p>"
		 "<p><label for=\"reason\">Reason (to reject)</label> "
		 "<input id=\"reason\" name=\"reason\"></p>");
	h_signed_form_end(h, "Sign the answer with your passkey");
}

enum MHD_Result get_pos(serve_req *q)
{
	static const char *const cols[] = { "PO", "Supplier", "Lines", "Ordered", "Shipped",
					    "Received", "State", "Revision", NULL };
	static const char *const keys[] = { "po", "supplier", "lines", "qty", "shipped",
					    "received", "state", "revision", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *list;
	size_t total, asked, from, to, page;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	/*
	 * The page asked, as if there were that many (six digits at most),
	 * with the count; asked again, at the last page, only when it was
	 * past the end.
	 */
	page_span(q, "page", (size_t)999999 * PAGE_ROWS, &asked, &to);
	if ((error = vault_po_list_page(&text, &total, q->v, asked, PAGE_ROWS)) < 0)
		return error_page(q, error);
	page = page_span(q, "page", total, &from, &to);
	if (from != asked) {
		free(text);
		if ((error = vault_po_list_page(&text, &total, q->v, from, to - from)) < 0)
			return error_page(q, error);
	}
	list = parsed(text);
	page_begin(&h, q, "Purchase orders", "");
	if (!json_array_size(list)) {
		h_raw(&h, "<p>No purchase orders.</p>");
	} else {
		page_links(&h, q, "/pos", "page", page, from, from + json_array_size(list), total);
		h_rows(&h, "Purchase orders, by number", cols, keys, list, 0, json_array_size(list),
		       "/pos/");
	}
	json_decref(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* The open lines of `po` as <option>s, "every open line" first when `every`. */
static void open_line_options(html *h, const json_t *po, int every)
{
	const json_t *x;
	size_t i;

	if (every)
		h_raw(h, "<option value=\"0\">every open line</option>");
	json_array_foreach(json_object_get(po, "lines"), i, x) {
		const char *state = json_string_value(json_object_get(x, "state"));

		if (state && strcmp(state, "open") != 0)
			continue;
		h_raw(h, "<option value=\"");
		h_member(h, x, "line");
		h_raw(h, "\">line ");
		h_member(h, x, "line");
		h_raw(h, ": ");
		h_member(h, x, "part");
		h_raw(h, "</option>");
	}
}

/* The buyer's change orders of an open PO: change a line, add one, cancel or close. */
static void change_forms(html *h, serve_req *q, const json_t *po)
{
	const char *name = json_string_value(json_object_get(po, "po"));

	h_raw(h, "<h2>Change this order</h2><p>Each change is the order's next revision, which "
		 "the supplier answers again.</p>");
	h_form_to(h, q, "/pos/", name, "/change", 0);
	h_raw(h, "<fieldset><legend>Change a line</legend><p><label for=\"chg.line\">Line"
		 "</label> <select id=\"chg.line\" name=\"chg.line\">");
	open_line_options(h, po, 0);
	h_raw(h, "</select></p>");
	h_input(h, q, "chg.qty", "New quantity (empty: unchanged)", "number", 0);
	h_input(h, q, "chg.due", "New due date (empty: unchanged)", "date", 0);
	h_input(h, q, "chg.drawing", "Drawing revision required, DOC@REV (empty: unchanged)",
		"text", 0);
	h_input(h, q, "chg.reason", "Reason", "text", 1);
	h_raw(h, "<p><button type=\"submit\">Issue the change order</button></p></fieldset>"
		 "</form>");
	h_form_to(h, q, "/pos/", name, "/add-line", 0);
	h_raw(h, "<fieldset><legend>Add a line</legend>");
	h_input(h, q, "add.part", "Part", "text", 1);
	h_input(h, q, "add.qty", "Quantity", "number", 1);
	h_input(h, q, "add.drawing", "Drawing revision, DOC@REV", "text", 1);
	h_input(h, q, "add.due", "Due date", "date", 0);
	h_input(h, q, "add.reason", "Reason", "text", 1);
	h_raw(h, "<p><button type=\"submit\">Add the line</button></p></fieldset></form>");
	h_form_to(h, q, "/pos/", name, "/end", 0);
	h_raw(h, "<fieldset><legend>Cancel or close</legend><p><label for=\"end.line\">Line"
		 "</label> <select id=\"end.line\" name=\"end.line\">");
	open_line_options(h, po, 1);
	h_raw(h, "</select></p><p><input type=\"radio\" id=\"end-cancel\" name=\"end.op\" "
		 "value=\"cancel\" checked> <label for=\"end-cancel\">Cancel (nothing more to "
		 "come, nothing owed)</label> <input type=\"radio\" id=\"end-close\" "
		 "name=\"end.op\" value=\"close\"> <label for=\"end-close\">Close short (what "
		 "came is kept)</label></p>");
	h_input(h, q, "end.reason", "Reason", "text", 1);
	h_raw(h, "<p><button type=\"submit\">Cancel or close</button></p></fieldset></form>");
}

/* The PO's blanket lines with what remains of each, and its releases, when it has any. */
static void blanket_rows(html *h, const json_t *po)
{
	static const char *const blanket_cols[] = { "Line", "Part", "Agreed", "From", "Until",
		"Released", "Remaining", NULL };
	static const char *const blanket_keys[] = { "line", "part", "qty", "valid_from",
		"valid_until", "released", "remaining", NULL };
	static const char *const release_cols[] = { "Release", "Line", "Part", "Qty", "Due",
		"Released by", "When", "Answer", "Promised", NULL };
	static const char *const release_keys[] = { "release", "line", "part", "qty", "due",
		"released_by", "released_at", "acknowledged", "promised", NULL };
	json_t *blankets = json_array(), *x;
	const json_t *releases = json_object_get(po, "releases");
	size_t i;

	json_array_foreach(json_object_get(po, "lines"), i, x)
		if (json_object_get(x, "valid_from"))
			json_array_append(blankets, x);
	if (json_array_size(blankets))
		h_rows(h, "Blanket lines: what releases may still call off", blanket_cols,
		       blanket_keys, blankets, 0, json_array_size(blankets), NULL);
	if (json_array_size(releases))
		h_rows(h, "Releases against blanket lines", release_cols, release_keys, releases, 0,
		       json_array_size(releases), NULL);
	json_decref(blankets);
}

/* The page of PO q->part[1]; after a refused form, `why` (or NULL) at its top. */
static enum MHD_Result po_page(serve_req *q, unsigned status, const char *why)
{
	static const char *const line_cols[] = { "Line", "Part", "Qty", "Drawing", "Due",
		"Acknowledged", "Promised", "Shipped", "Received", "State", NULL };
	static const char *const change_cols[] = { "Revision", "What changed", "Why", "By",
						   "When", NULL };
	static const char *const ack_cols[] = { "Revision answered", "Line", "Decision",
		"Promise", "Signed by", "When", NULL };
	static const char *const change_keys[] = { "revision", "summary", "reason", "changed_by",
						   "changed_at", NULL };
	static const char *const ack_keys[] = { "revision", "line", "decision", "promise",
						"signed_by", "signed_at", NULL };
	static const char *const status_cols[] = { "Line", "Status", "Note", "Reported by",
						   "When", NULL };
	static const char *const status_keys[] = { "line", "status", "note", "reported_by",
						   "reported_at", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *po, *x;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_po_show(&text, q->v, q->part[1])) < 0)
		return error_page(q, error);
	po = parsed(text);
	page_begin(&h, q, "Purchase order ", q->part[1]);
	h_refusal(&h, why);
	h_raw(&h, "<dl><dt>Supplier</dt><dd>");
	h_member(&h, po, "supplier");
	h_raw(&h, "</dd><dt>State</dt><dd>");
	h_member(&h, po, "state");
	h_raw(&h, "</dd><dt>Revision</dt><dd>");
	h_member(&h, po, "revision");
	h_raw(&h, "</dd><dt>Issued</dt><dd>");
	h_member(&h, po, "created_at");
	h_raw(&h, " by ");
	h_member(&h, po, "created_by");
	h_raw(&h, "</dd></dl>");
	h_table(&h, "Lines", line_cols);
	json_array_foreach(json_object_get(po, "lines"), i, x) {
		h_raw(&h, "<tr>");
		h_cell(&h, x, "line");
		h_cell(&h, x, "part");
		h_cell(&h, x, "qty");
		h_raw(&h, "<td>");
		h_doc_link(&h, json_string_value(json_object_get(x, "doc")),
			   json_string_value(json_object_get(x, "rev")));
		h_raw(&h, "</td>");
		h_cell(&h, x, "due");
		h_cell(&h, x, "acknowledged");
		h_cell(&h, x, "promised");
		h_cell(&h, x, "shipped");
		h_cell(&h, x, "received");
		h_cell(&h, x, "state");
		h_raw(&h, "</tr>");
	}
	h_raw(&h, "</tbody></table>");
	blanket_rows(&h, po);
	if (json_array_size(json_object_get(po, "changes")))
		h_rows(&h, "Change orders", change_cols, change_keys, json_object_get(po, "changes"),
		       0, json_array_size(json_object_get(po, "changes")), NULL);
	if (json_array_size(json_object_get(po, "acknowledgments")))
		h_rows(&h, "Acknowledgments", ack_cols, ack_keys,
		       json_object_get(po, "acknowledgments"), 0,
		       json_array_size(json_object_get(po, "acknowledgments")), NULL);
	if (json_array_size(json_object_get(po, "status")))
		h_rows(&h, "The latest status of each line (a line left empty: the whole order)",
		       status_cols, status_keys, json_object_get(po, "status"), 0,
		       json_array_size(json_object_get(po, "status")), NULL);
	if (strcmp(json_string_value(json_object_get(po, "state")) ?
		   json_string_value(json_object_get(po, "state")) : "", "open") == 0) {
		if (has_role(viewer_roles(q), "supplier")) {
			po_ack_form(&h, po);
			status_form(&h, q, po);
		}
		if (has_role(viewer_roles(q), "buyer"))
			change_forms(&h, q, po);
	}
	h_raw(&h, "<p><a href=\"/log/");
	h_path(&h, q->part[1]);
	h_raw(&h, "\">Every event of this PO</a></p>");
	json_decref(po);
	return send_page(q, status, &h);
}

enum MHD_Result get_po(serve_req *q)
{
	return po_page(q, MHD_HTTP_OK, NULL);
}

/*
 * "DOC@REV" of form field `key` as an edit's "doc" and "rev" (set in `edit`);
 * -1 when given and not so.
 */
static int drawing_of(serve_req *q, const char *key, json_t *edit)
{
	/* its last '@': a document number may hold one, a revision not */
	const char *v = form_value(q, key), *at = v ? strrchr(v, '@') : NULL;
	json_t *doc;

	if (!v)
		return 0;
	if (!at || at == v || !at[1])
		return -1;
	if ((doc = json_stringn(v, (size_t)(at - v))) == NULL)
		return -1;
	json_object_set_new(edit, "doc", doc);
	json_object_set_new(edit, "rev", json_string(at + 1));
	return 0;
}

/* The change order's request: `edit` (taken over) with the form's reason `reason_key`. */
static json_t *change_request(serve_req *q, json_t *edit, const char *reason_key)
{
	return json_pack("{s:s, s:s, s:s, s:[o]}", "op", "po-change", "po", q->part[1], "reason",
			 form_value(q, reason_key) ? form_value(q, reason_key) : "", "edits", edit);
}

/* The PO's page again, with the writer's refusal at its top. */
static enum MHD_Result po_refused(serve_req *q, unsigned status, const json_t *reply)
{
	return po_page(q, status, refusal_of(reply));
}

/* The writer's answer to a change order: back to the PO, or its page with the refusal. */
static enum MHD_Result po_changed(serve_req *q, json_t *reply)
{
	return form_answer(q, reply, "/pos/", q->part[1], NULL, po_refused);
}

/* POST pos/{po}/change (a form): a line's quantity, due date or required revision. */
enum MHD_Result post_po_change(serve_req *q)
{
	json_int_t line = 0, qty = 0;
	int given_qty = form_number(q, "chg.qty", 1, &qty);
	json_t *edit;

	if (form_number(q, "chg.line", 1, &line) != 1 || !form_value(q, "chg.reason"))
		return po_page(q, MHD_HTTP_BAD_REQUEST, "give the line and the reason for the change");
	if (given_qty < 0)
		return po_page(q, MHD_HTTP_BAD_REQUEST, "the new quantity is a whole number, 1 or more");
	edit = json_pack("{s:s, s:I}", "op", "edit", "line", line);
	if (given_qty)
		json_object_set_new(edit, "qty", json_integer(qty));
	if (form_value(q, "chg.due"))
		json_object_set_new(edit, "due", json_string(form_value(q, "chg.due")));
	if (drawing_of(q, "chg.drawing", edit) < 0) {
		json_decref(edit);
		return po_page(q, MHD_HTTP_BAD_REQUEST, "the drawing revision is not DOC@REV");
	}
	return po_changed(q, serve_writer_ask(q, change_request(q, edit, "chg.reason"), -1));
}

/* POST pos/{po}/add-line (a form): a new line, numbered by the vault. */
enum MHD_Result post_po_add_line(serve_req *q)
{
	json_int_t qty = 0;
	json_t *edit;

	if (!form_value(q, "add.part") || form_number(q, "add.qty", 1, &qty) != 1 ||
	    !form_value(q, "add.drawing") || !form_value(q, "add.reason"))
		return po_page(q, MHD_HTTP_BAD_REQUEST, "give the new line's part, a quantity of 1 "
			       "or more, its drawing as DOC@REV and the reason");
	edit = json_pack("{s:s, s:s, s:I}", "op", "add-line", "part", form_value(q, "add.part"),
			 "qty", qty);
	if (form_value(q, "add.due"))
		json_object_set_new(edit, "due", json_string(form_value(q, "add.due")));
	if (drawing_of(q, "add.drawing", edit) < 0) {
		json_decref(edit);
		return po_page(q, MHD_HTTP_BAD_REQUEST, "the drawing revision is not DOC@REV");
	}
	return po_changed(q, serve_writer_ask(q, change_request(q, edit, "add.reason"), -1));
}

/* POST pos/{po}/end (a form): a line, or every open line (0), cancelled or closed short. */
enum MHD_Result post_po_end(serve_req *q)
{
	const char *op = form_value(q, "end.op");
	json_int_t line = 0;
	json_t *edit;

	if (!op || (strcmp(op, "cancel") != 0 && strcmp(op, "close") != 0) ||
	    form_number(q, "end.line", 0, &line) != 1 || !form_value(q, "end.reason"))
		return po_page(q, MHD_HTTP_BAD_REQUEST, "choose cancel or close, the line (0: every "
			       "open one), and give the reason");
	edit = json_pack("{s:s}", "op", op);
	if (line > 0)
		json_object_set_new(edit, "line", json_integer(line));
	return po_changed(q, serve_writer_ask(q, change_request(q, edit, "end.reason"), -1));
}

/* ---- the supplier's answers: progress, acknowledgment -------------------------- */

/* A refused progress report: the refusal alone, under the PO's title. */
static enum MHD_Result status_refused(serve_req *q, unsigned status, const json_t *reply)
{
	html h = { NULL, 0, 0 };

	page_begin(&h, q, "Purchase order ", q->part[1]);
	h_refusal(&h, refusal_of(reply));
	return send_page(q, status, &h);
}

/* POST pos/{po}/status (a form): the supplier's progress on a line. */
enum MHD_Result post_status(serve_req *q)
{
	json_int_t line = 0;
	json_t *report, *reply;
	char *text;
	int fd = -1;

	/* no line: the PO as a whole; a line that is no number is refused, never that */
	if (form_number(q, "line", 0, &line) < 0)
		return message_page(q, MHD_HTTP_BAD_REQUEST, "the line is a whole number");
	report = json_pack("[{s:s, s:I, s:s*, s:s*}]", "po", q->part[1], "line", line,
			   "status", form_value(q, "status"), "note", form_value(q, "note"));
	text = report ? json_dumps(report, JSON_COMPACT) : NULL;
	json_decref(report);
	if ((fd = stage_text(q, text)) < 0)
		return message_page(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the report");
	reply = serve_writer_ask(q, json_pack("{s:s}", "op", "status"), fd);
	close(fd);
	return form_answer(q, reply, "/pos/", q->part[1], NULL, status_refused);
}

/* The request of act "po-ack" for PO {po} from the form's fields. */
static json_t *po_ack_request(serve_req *q, const json_t *body)
{
	const char *rev = given(body, "revision");
	json_int_t revision = rev && strspn(rev, "0123456789") == strlen(rev) &&
		strlen(rev) < 10 ? (json_int_t)strtol(rev, NULL, 10) : -1;
	json_t *ack;

	if (given(body, "decision") && strcmp(given(body, "decision"), "reject") == 0)
		ack = json_pack("{s:b, s:s*, s:s*}", "reject", 1, "reason", given(body, "reason"),
				"note", given(body, "note"));
	else
		ack = json_pack("{s:s*, s:s*}", "promise", given(body, "promise"), "note",
				given(body, "note"));
	if (ack && revision >= 0)
		json_object_set_new(ack, "revision", json_integer(revision));
	return json_pack("{s:s, s:[o]}", "po", q->part[1], "acks", ack);
}

enum MHD_Result post_po_ack_statement(serve_req *q)
{
	return act_step(q, "po-ack", po_ack_request, 0);
}

enum MHD_Result post_po_ack_sign(serve_req *q)
{
	return act_step(q, "po-ack", po_ack_request, 1);
}
