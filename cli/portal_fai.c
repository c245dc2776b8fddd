/*
 * portal_fai.c - First Article Inspection in the portal: an FAI report's
 * characteristics on its revision's page, the form that submits a package
 * (and, when it is refused, what each check found), and the buying side's
 * disposition, signed with the passkey.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal.h"

/* ---- an FAI report on its revision's page -------------------------------------- */

/* The buying side's disposition of an FAI report. */
void disposition_form(html *h, const vault_revision *r)
{
	h_raw(h, "<h2>Disposition of this FAI report</h2>");
	h_signed_form(h, "/documents/", r->doc, r->rev, "/disposition");
	h_raw(h, "<fieldset><legend>Decision</legend><p><input type=\"radio\" id=\"fai-accept\" "
		 "name=\"decision\" value=\"accept\" checked> <label for=\"fai-accept\">Accept"
		 "</label> <input type=\"radio\" id=\"fai-reject\" name=\"decision\" "
		 "value=\"reject\"> <label for=\"fai-reject\">Reject</label></p></fieldset>"
		 "<p><label for=\"fai-reason\">Reason (to reject)</label> <input id=\"fai-reason\" "
		 "name=\"reason\"></p><p><label for=\"fai-note\">Note</label> <input "
		 "id=\"fai-note\" name=\"note\"></p>");
	h_signed_form_end(h, "Sign the disposition with your passkey");
}

/* at most this many nonconforming characteristics are linked above Form 3 */
#define NONCONFORMING_LINKS 100

/* A link to Form 3's row `i`: the page of ?form3= that shows it, and its anchor. */
static void form3_link(html *h, serve_req *q, const vault_revision *r, size_t i,
		       const char *number)
{
	h_raw(h, "<a href=\"/documents/");
	h_path(h, r->doc);
	h_raw(h, "/");
	h_path(h, r->rev);
	h_raw(h, "?form3=");
	h_int(h, (json_int_t)(i / PAGE_ROWS + 1));
	h_other_pages(h, q, "form3");
	h_raw(h, "#c");
	h_int(h, (json_int_t)i + 1);
	h_raw(h, "\">");
	h_text(h, number ? number : "?");
	h_raw(h, "</a>");
}

/*
 * An FAI report's characteristics (its Form 3) with what the vault's check
 * of each result against its requirement found, a nonconformance marked
 * beside the characteristic it is of. Form 3 comes PAGE_ROWS rows at a time
 * (?form3=N); the nonconforming ones are linked above it, so that a reviewer
 * finds each whatever page it is on.
 */
void fai_characteristics(html *h, serve_req *q, const vault_revision *r)
{
	static const char *const cols[] = { "No.", "Location", "Requirement", "Result",
					    "Conforms", "Nonconformance", NULL };
	static const char *const form1[] = { "part_number", "part_revision", "drawing_number",
					     "drawing_revision", "fai_type", "po_number", NULL };
	char *text = NULL, path[6 * VAULT_NAME_MAX + 16];
	json_t *fai, *form3, *c, *conforms;
	const char *const *k;
	size_t i, from, to, page, linked = 0, bad = 0;

	if (vault_fai_show(&text, q->v, r->doc, r->rev) < 0)
		return;
	fai = parsed(text);
	form3 = json_object_get(fai, "form3");
	h_raw(h, "<h2>The report</h2><dl>");
	for (k = form1; *k; k++) {
		h_raw(h, "<dt>");
		h_raw(h, *k);
		h_raw(h, "</dt><dd>");
		h_member(h, json_object_get(fai, "form1"), *k);
		h_raw(h, "</dd>");
	}
	h_raw(h, "<dt>characteristics</dt><dd>");
	h_int(h, (json_int_t)json_array_size(form3));
	h_raw(h, "</dd><dt>nonconforming characteristics</dt><dd>");
	h_member(h, fai, "nonconforming");
	json_array_foreach(form3, i, c) {
		if (!json_is_false(json_object_get(c, "conforms")))
			continue;
		if (bad++ == 0)
			h_raw(h, ": ");
		else if (linked < NONCONFORMING_LINKS)
			h_raw(h, ", ");
		if (linked < NONCONFORMING_LINKS) {
			form3_link(h, q, r, i, json_string_value(json_object_get(c, "number")));
			linked++;
		}
	}
	if (bad > linked) {
		h_raw(h, " and ");
		h_int(h, (json_int_t)(bad - linked));
		h_raw(h, " more");
	}
	h_raw(h, "</dd></dl>");
	page = page_span(q, "form3", json_array_size(form3), &from, &to);
	if (revision_address(path, sizeof(path), r->doc, r->rev) == 0)
		page_links(h, q, path, "form3", page, from, to, json_array_size(form3));
	h_table(h, "Form 3: each characteristic, its result checked against its requirement", cols);
	for (i = from; i < to; i++) {
		c = json_array_get(form3, i);
		conforms = json_object_get(c, "conforms");
		h_raw(h, "<tr id=\"c");
		h_int(h, (json_int_t)i + 1);
		h_raw(h, json_is_false(conforms) ? "\" class=\"bad\">" : "\">");
		h_cell(h, c, "number");
		h_cell(h, c, "location");
		h_cell(h, c, "requirement");
		h_cell(h, c, "result");
		h_raw(h, json_is_true(conforms) ? "<td>yes</td>" : json_is_false(conforms) ?
		      "<td><strong>no: out of its requirement</strong></td>" :
		      "<td>not checked (a requirement in words)</td>");
		h_cell(h, c, "nonconformance");
		h_raw(h, "</tr>");
	}
	h_raw(h, "</tbody></table>");
	json_decref(fai);
}

/* ---- submitting a package ------------------------------------------------------ */

/* A member of `o` shown as it is: text, a number, true or false, else its kind. */
static void h_value(html *h, const json_t *o, const char *key)
{
	const json_t *x = json_object_get(o, key);

	if (json_is_string(x))
		h_text(h, json_string_value(x));
	else if (json_is_integer(x))
		h_int(h, json_integer_value(x));
	else if (json_is_boolean(x))
		h_raw(h, json_is_true(x) ? "true" : "false");
	else if (json_is_array(x))
		h_raw(h, "(a list)");
	else if (x)
		h_raw(h, json_is_object(x) ? "(an object)" : "(a number)");
	else
		h_raw(h, "(missing)");
}

/*
 * What the checks of a refused FAI package found ("checks", as the writer
 * answers them): each Form 1 field with its own check's result on its row,
 * then every Form 3 characteristic with its own.
 */
static void fai_checks(html *h, const json_t *checks)
{
	static const char *const cols1[] = { "Form 1 field", "Value", "Check", NULL };
	static const char *const cols3[] = { "No.", "Requirement", "Result", "Nonconformance",
					     "Check", NULL };
	const json_t *form1 = json_object_get(checks, "form1"), *c, *why;
	const json_t *f1_checks = json_object_get(checks, "form1_checks");
	const char *key;
	size_t i;

	if (json_is_object(f1_checks)) {
		h_table(h, "Form 1, as the package gives it, each field checked", cols1);
		json_object_foreach((json_t *)f1_checks, key, why) {
			h_raw(h, json_is_string(why) ? "<tr class=\"bad\"><th scope=\"row\">" :
			      "<tr><th scope=\"row\">");
			h_text(h, key);
			h_raw(h, "</th><td>");
			h_value(h, form1, key);
			h_raw(h, "</td><td>");
			if (json_is_string(why))
				h_text(h, json_string_value(why));
			else
				h_raw(h, "ok");
			h_raw(h, "</td></tr>");
		}
		h_raw(h, "</tbody></table>");
	}
	if (json_array_size(json_object_get(checks, "form3")) == 0)
		return;
	h_table(h, "Form 3: each characteristic's check", cols3);
	json_array_foreach(json_object_get(checks, "form3"), i, c) {
		const char *error = json_string_value(json_object_get(c, "error"));
		const json_t *conforms = json_object_get(c, "conforms");

		h_raw(h, error ? "<tr class=\"bad\">" : "<tr>");
		h_cell(h, c, "number");
		h_cell(h, c, "requirement");
		h_cell(h, c, "result");
		h_cell(h, c, "nonconformance");
		h_raw(h, "<td>");
		if (error)
			h_text(h, error);
		else
			h_raw(h, json_is_true(conforms) ? "ok: within its requirement" :
			      json_is_false(conforms) ? "ok: out of its requirement, its "
			      "nonconformance named" : "ok; not checked against its requirement "
			      "(one of them in words)");
		h_raw(h, "</td></tr>");
	}
	h_raw(h, "</tbody></table>");
	if (json_integer_value(json_object_get(checks, "form3_passing_left_out")) > 0) {
		h_raw(h, "<p>");
		h_int(h, json_integer_value(json_object_get(checks, "form3_passing_left_out")));
		h_raw(h, " characteristics passed their checks and are not listed.</p>");
	}
}

/*
 * The FAI form; after a refusal, `why` at the top and again next to the
 * field it is about (the file, the PO, the lot), and below, `checks` (or
 * NULL): what each check of the package found.
 */
static enum MHD_Result fai_form(serve_req *q, unsigned status, const char *why,
				const json_t *checks)
{
	const char *field = json_string_value(json_object_get(checks, "field"));
	const char *error = json_string_value(json_object_get(checks, "error"));
	html h = { NULL, 0, 0 };

	if (!error)
		error = why;
	page_begin(&h, q, "Submit a First Article Inspection package", "");
	h_refusal(&h, why);
	h_raw(&h, "<p>The package is a zip with fai.json (AS9102 Forms 1 to 3) and the files it "
		  "names; <code>qvault fai init</code> writes a starting folder. Every check's "
		  "result is shown if the package is refused.</p>");
	h_form(&h, q, "/fai", 1);
	h_input_error(&h, q, "file", "FAI package (zip)", "file", 1,
		      field && strcmp(field, "file") == 0 ? error : NULL);
	h_input_error(&h, q, "po", "For PO", "text", 0,
		      field && strcmp(field, "po") == 0 ? why : NULL);
	h_input_error(&h, q, "lot", "For lot", "text", 0,
		      field && strcmp(field, "lot") == 0 ? why : NULL);
	h_raw(&h, "<p><button type=\"submit\">Submit the package</button></p></form>");
	if (checks)
		fai_checks(&h, checks);
	return send_page(q, status, &h);
}

enum MHD_Result get_fai_form(serve_req *q)
{
	return fai_form(q, MHD_HTTP_OK, NULL, NULL);
}

/* The FAI form again: the writer's refusal, and what each check of the package found. */
static enum MHD_Result fai_refused(serve_req *q, unsigned status, const json_t *reply)
{
	return fai_form(q, status, refusal_of(reply), json_object_get(reply, "checks"));
}

enum MHD_Result post_fai(serve_req *q)
{
	json_t *reply, *body;

	if (q->body < 0 || !form_value(q, "file.name"))
		return fai_form(q, MHD_HTTP_BAD_REQUEST, "choose the FAI package (a zip)", NULL);
	reply = serve_writer_ask(q, json_pack("{s:s, s:s*, s:s*}", "op", "fai", "po",
					      form_value(q, "po"), "lot", form_value(q, "lot")),
				 q->body);
	body = json_object_get(reply, "body");
	/* the writer's "fai" answers 201 when it recorded the package, never 200 */
	return form_answer(q, reply, "/documents/", json_string_value(json_object_get(body, "fair")),
			   json_string_value(json_object_get(body, "rev")), fai_refused);
}

/* ---- the disposition, signed with the passkey ---------------------------------- */

/* The request of act "fai-dispose" for FAI report {doc}@{rev}. */
static json_t *disposition_request(serve_req *q, const json_t *body)
{
	return json_pack("{s:s, s:s, s:s, s:s*, s:s*}", "doc", q->part[1], "rev", q->part[2],
			 "decision", given(body, "decision") ? given(body, "decision") : "",
			 "reason", given(body, "reason"), "note", given(body, "note"));
}

enum MHD_Result post_disposition_statement(serve_req *q)
{
	return act_step(q, "fai-dispose", disposition_request, 0);
}

enum MHD_Result post_disposition_sign(serve_req *q)
{
	return act_step(q, "fai-dispose", disposition_request, 1);
}
