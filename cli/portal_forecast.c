/*
 * portal_forecast.c - a part's forecasts and delivery schedules (portal.h):
 * per supplier and ship-to, the grid by ISO week and the cumulative
 * received against required, as `qvault forecast show` shows them, read
 * through the same library call, so scoped as it is (a supplier sees its
 * own organization's only; another's part is the 404 of a part with none),
 * and the supplier's commitment to the firm zone, signed with the passkey.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal.h"

/* A schedule revision's line: "forecast revision 2 issued 2026-11-02 (EA)". */
static void h_revision(html *h, const char *what, const json_t *r)
{
	h_raw(h, "<dt>");
	h_raw(h, what);
	h_raw(h, "</dt><dd>revision ");
	h_member(h, r, "revision");
	h_raw(h, ", issued ");
	h_member(h, r, "issued");
	h_raw(h, " (");
	h_member(h, r, "unit");
	h_raw(h, ")</dd>");
}

/* <td>up N</td>, <td>down N</td>, <td>=</td>, or an empty cell with no previous. */
static void h_change(html *h, const json_t *week)
{
	const json_t *ch = json_object_get(week, "change");
	json_int_t c = json_integer_value(ch);

	h_raw(h, "<td>");
	if (json_is_integer(ch) && c > 0) {
		h_raw(h, "up ");
		h_int(h, c);
	} else if (json_is_integer(ch) && c < 0) {
		h_raw(h, "down ");
		h_int(h, -c);
	} else if (json_is_integer(ch)) {
		h_raw(h, "=");
	}
	h_raw(h, "</td>");
}

/* A supplier's answer to the schedule: a commitment or a counter-proposal. */
static void h_answer(html *h, const char *what, const json_t *a)
{
	if (!a)
		return;
	h_raw(h, "<p>");
	h_raw(h, what);
	h_raw(h, " revision ");
	h_member(h, a, "revision");
	h_raw(h, " by ");
	h_member(h, a, "signed_by");
	h_raw(h, " at ");
	h_member(h, a, "signed_at");
	if (json_array_size(json_object_get(a, "changed_since"))) {
		h_raw(h, "; buckets changed since: ");
		h_int(h, (json_int_t)json_array_size(json_object_get(a, "changed_since")));
	}
	h_raw(h, "</p>");
}

/*
 * The supplier's commitment to the forecast's firm zone, signed with the
 * passkey: to the revision shown, once (none when it is committed to).
 */
static void commit_form(html *h, const char *part, const json_t *s)
{
	const json_t *f = json_object_get(s, "forecast");
	const json_t *c = json_object_get(s, "commitment");

	if (!f || (c && json_integer_value(json_object_get(c, "revision")) ==
		   json_integer_value(json_object_get(f, "revision"))))
		return;
	h_raw(h, "<h3>Commit to the firm zone to ");
	h_member(h, s, "ship_to");
	h_raw(h, "</h3>");
	h_signed_form(h, "/forecasts/", part, json_string_value(json_object_get(s, "ship_to")),
		      "/commit");
	h_raw(h, "<input type=\"hidden\" name=\"revision\" value=\"");
	h_member(h, f, "revision");
	h_raw(h, "\"><p>Your commitment to every firm week of forecast revision ");
	h_member(h, f, "revision");
	h_raw(h, ".</p>");
	h_signed_form_end(h, "Sign the commitment with your passkey");
}

/* One supplier's schedule to one ship-to: what it is, its weeks, received against required. */
static void h_schedule(html *h, serve_req *q, const json_t *s)
{
	static const char *const cols[] = { "Week", "Start", "Zone", "Source", "Forecast",
					    "Delivery", "Qty", "Previous", "Change",
					    "Cumulative", NULL };
	static const char *const keys[] = { "week", "start", "zone", "source", "forecast",
					    "delivery", "qty", "previous" };
	const json_t *r = json_object_get(s, "received"), *w;
	const char *const *c;
	size_t i, k;

	h_raw(h, "<section><h2>Supplier ");
	h_member(h, s, "supplier");
	h_raw(h, ", ship-to ");
	h_member(h, s, "ship_to");
	h_raw(h, "</h2><dl>");
	if (json_object_get(s, "forecast"))
		h_revision(h, "Forecast", json_object_get(s, "forecast"));
	if (json_object_get(s, "previous_revision")) {
		h_raw(h, "<dt>Changes against</dt><dd>forecast revision ");
		h_member(h, s, "previous_revision");
		h_raw(h, "</dd>");
	}
	if (json_object_get(s, "delivery"))
		h_revision(h, "Delivery schedule", json_object_get(s, "delivery"));
	h_raw(h, "<dt>Required to date</dt><dd>");
	h_member(h, s, "required_to_date");
	h_raw(h, "</dd>");
	if (r) {
		h_raw(h, "<dt>Received</dt><dd>");
		h_member(h, r, "total");
		h_raw(h, " since ");
		h_member(h, r, "since");
		h_raw(h, " (");
		h_member(h, r, "recorded");
		h_raw(h, " as of ");
		h_member(h, r, "as_of");
		h_raw(h, ", ");
		h_member(h, r, "receipts_after");
		h_raw(h, " by receipts after)</dd>");
	}
	h_raw(h, "</dl>");
	h_answer(h, "Committed to", json_object_get(s, "commitment"));
	h_answer(h, "Counter-proposal to", json_object_get(s, "counter_proposal"));
	/* the caption names the schedule: each table of the page its own */
	h_raw(h, "<table><caption>Weeks to ");
	h_member(h, s, "ship_to");
	h_raw(h, " from ");
	h_member(h, s, "supplier");
	h_raw(h, "</caption><thead><tr>");
	for (c = cols; *c; c++) {
		h_raw(h, "<th scope=\"col\">");
		h_raw(h, *c);
		h_raw(h, "</th>");
	}
	h_raw(h, "</tr></thead><tbody>");
	json_array_foreach(json_object_get(s, "weeks"), i, w) {
		h_raw(h, "<tr>");
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			h_cell(h, w, keys[k]);
		h_change(h, w);
		h_cell(h, w, "cum_required");
		h_raw(h, "</tr>");
	}
	h_raw(h, "</tbody></table>");
	if (has_role(viewer_roles(q), "supplier"))
		commit_form(h, q->part[1], s);
	h_raw(h, "</section>");
}

/*
 * GET /forecasts/{part}[?supplier=ORG][&ship_to=S]: the part's schedules
 * the viewer may see, one section per supplier and ship-to.
 */
enum MHD_Result get_forecast(serve_req *q)
{
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *f, *s;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_forecast_show(&text, q->v, q->part[1], serve_query(q, "supplier"),
					 serve_query(q, "ship_to"), NULL,
					 VAULT_EXPORT_JSON)) < 0)
		return error_page(q, error);
	f = parsed(text);
	page_begin(&h, q, "Forecasts of part ", q->part[1]);
	h_raw(&h, "<p>Today is ");
	h_member(&h, f, "today");
	h_raw(&h, ". A week's zone is the firmest of the buckets it touches; a delivery "
		  "schedule's days replace the forecast's weeks they cover.</p>");
	json_array_foreach(json_object_get(f, "schedules"), i, s)
		h_schedule(&h, q, s);
	json_decref(f);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* The request of act "forecast-ack" for {part} to {ship_to} from the form's fields. */
static json_t *commit_request(serve_req *q, const json_t *body)
{
	const char *rev = given(body, "revision");
	json_int_t revision = rev && strspn(rev, "0123456789") == strlen(rev) &&
		strlen(rev) < 10 ? (json_int_t)strtol(rev, NULL, 10) : -1;

	return json_pack("{s:s, s:s, s:I}", "part", q->part[1], "ship_to", q->part[2],
			 "revision", revision);
}

enum MHD_Result post_forecast_commit_statement(serve_req *q)
{
	return act_step(q, "forecast-ack", commit_request, 0);
}

enum MHD_Result post_forecast_commit_sign(serve_req *q)
{
	return act_step(q, "forecast-ack", commit_request, 1);
}
