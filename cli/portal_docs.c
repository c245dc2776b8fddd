/*
 * portal_docs.c - documents in the portal: the list, a document's
 * revisions, a revision's page (its files, acknowledgments, and the forms
 * its viewer may use), what changed between two revisions, a revision's
 * acknowledgment signed with the passkey, and the buyer's release.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal.h"

/* ---- documents and their revisions --------------------------------------------- */

static void revision_row(html *h, const vault_revision *r)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), r->added_at);
	h_raw(h, "<tr><td>");
	h_doc_link(h, r->doc, r->rev);
	h_raw(h, "</td><td>");
	h_text(h, r->type);
	h_raw(h, "</td><td>");
	h_text(h, r->title);
	h_raw(h, "</td><td>");
	h_text(h, r->state);
	h_raw(h, "</td><td>");
	h_text(h, r->added_by);
	h_raw(h, "</td><td>");
	h_text(h, when);
	h_raw(h, "</td></tr>");
}

static const char *const revision_cols[] = { "Revision", "Type", "Title", "State",
					     "Added by", "Added", NULL };

enum MHD_Result get_documents(serve_req *q)
{
	vault_list_filter f = { NULL, NULL, NULL, PAGE_ROWS, 0 };
	vault_revision_list *list = NULL;
	html h = { NULL, 0, 0 };
	size_t i, total, from, to, page;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	/* the page asked (the last, past the end) of how many there are: only its rows read */
	if ((error = vault_doc_count(&total, q->v, &f)) < 0)
		return error_page(q, error);
	page = page_span(q, "page", total, &from, &to);
	f.skip = from;
	if ((error = vault_doc_list(&list, q->v, &f)) < 0)
		return error_page(q, error);
	page_begin(&h, q, "Documents", "");
	page_links(&h, q, "/documents", "page", page, from, from + list->count, total);
	h_table(&h, "The latest revision of each document you may see", revision_cols);
	for (i = 0; i < list->count; i++)
		revision_row(&h, &list->items[i]);
	h_raw(&h, "</tbody></table>");
	vault_revision_list_free(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

enum MHD_Result get_document(serve_req *q)
{
	vault_revision_list *list = NULL;
	html h = { NULL, 0, 0 };
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_doc_revisions(&list, q->v, q->part[1])) < 0)
		return error_page(q, error);
	page_begin(&h, q, "Document ", q->part[1]);
	h_table(&h, "Its revisions", revision_cols);
	for (i = 0; i < list->count; i++)
		revision_row(&h, &list->items[i]);
	h_raw(&h, "</tbody></table><p><a href=\"/log/");
	h_path(&h, q->part[1]);
	h_raw(&h, "\">Every event of this document</a></p>");
	vault_revision_list_free(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

/*
 * The document's other revisions the viewer may see, each with its state
 * and why it was released: what changed, and whether a newer one is in
 * effect for the viewer's organization.
 */
static void other_revisions(html *h, serve_req *q, const vault_revision *r)
{
	static const char *const cols[] = { "Revision", "State", "Why released", "Released",
					    "Changes", NULL };
	vault_revision_list *list = NULL;
	size_t i;

	if (vault_doc_revisions(&list, q->v, r->doc) < 0 || list->count < 2) {
		vault_revision_list_free(list);
		return;
	}
	h_table(h, "Every revision of the document you may see", cols);
	for (i = 0; i < list->count; i++) {
		const vault_revision *o = &list->items[i];
		char when[VAULT_TIME_SIZE] = "";

		if (o->released_at)
			vault_time_format(when, sizeof(when), o->released_at);
		h_raw(h, "<tr><td>");
		if (strcmp(o->rev, r->rev) == 0) {
			h_text(h, o->rev);
			h_raw(h, " (this one)");
		} else {
			h_raw(h, "<a href=\"/documents/");
			h_path(h, o->doc);
			h_raw(h, "/");
			h_path(h, o->rev);
			h_raw(h, "\">");
			h_text(h, o->rev);
			h_raw(h, "</a>");
		}
		h_raw(h, "</td><td>");
		h_text(h, o->state);
		h_raw(h, "</td><td>");
		h_text(h, o->release_reason);
		h_raw(h, "</td><td>");
		h_text(h, when);
		h_raw(h, "</td><td>");
		if (i > 0) {
			h_raw(h, "<a href=\"/documents/");
			h_path(h, o->doc);
			h_raw(h, "/");
			h_path(h, o->rev);
			h_raw(h, "/changes\">what changed since ");
			h_text(h, list->items[i - 1].rev);
			h_raw(h, "</a>");
		}
		h_raw(h, "</td></tr>");
	}
	h_raw(h, "</tbody></table>");
	vault_revision_list_free(list);
}

/* The acknowledgment form, which static/portal.js signs with the passkey. */
static void ack_form(html *h, const vault_revision *r)
{
	h_raw(h, "<form id=\"ack\" class=\"card\" data-doc=\"");
	h_text(h, r->doc);
	h_raw(h, "\" data-rev=\"");
	h_text(h, r->rev);
	h_raw(h, "\"><h2>Acknowledge this revision</h2>"
		 "<p><label for=\"meaning\">Meaning</label> <select id=\"meaning\" name=\"meaning\">"
		 "<option value=\"received\">received</option>"
		 "<option value=\"reviewed\">reviewed</option>"
		 "<option value=\"approved\">approved</option>"
		 "<option value=\"rejected\">rejected</option></select></p>"
		 "<p><label for=\"comment\">Comment (a reason, to reject)</label> "
		 "<input id=\"comment\" name=\"comment\"></p>"
		 "<p><button type=\"submit\">Sign with your passkey</button></p>"
		 "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p></form>");
}

enum MHD_Result get_revision(serve_req *q)
{
	static const char *const file_cols[] = { "File", "Type", "Bytes", "SHA-256", NULL };
	static const char *const ack_cols[] = { "Signer", "Organization", "Meaning", "Comment",
						"When", NULL };
	vault_ack_list *acks = NULL;
	html h = { NULL, 0, 0 };
	vault_revision r;
	char title[2 * VAULT_NAME_MAX + 2];
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_doc_get(&r, q->v, q->part[1], q->part[2])) < 0)
		return error_page(q, error);
	/* two names of VAULT_NAME_MAX at most: it fits */
	(void)cli_fmt(title, sizeof(title), "the title", "%s@%s", r.doc, r.rev);
	page_begin(&h, q, "Revision ", title);
	h_raw(&h, "<dl><dt>Type</dt><dd>");
	h_text(&h, r.type);
	h_raw(&h, "</dd><dt>Title</dt><dd>");
	h_text(&h, r.title);
	h_raw(&h, "</dd><dt>State</dt><dd>");
	h_text(&h, r.state);
	h_raw(&h, "</dd><dt>Added by</dt><dd>");
	h_text(&h, r.added_by);
	if (r.release_reason) {
		h_raw(&h, "</dd><dt>Why it was released (what changed)</dt><dd>");
		h_text(&h, r.release_reason);
	}
	if (r.effective) {
		h_raw(&h, "</dd><dt>Effective</dt><dd>");
		h_text(&h, r.effective);
	}
	if (r.expires) {
		h_raw(&h, "</dd><dt>Valid until</dt><dd>");
		h_text(&h, r.expires);
	}
	if (r.review_by) {
		h_raw(&h, "</dd><dt>Due for review by (as released)</dt><dd>");
		h_text(&h, r.review_by);
	}
	h_raw(&h, "</dd></dl>");
	other_revisions(&h, q, &r);
	h_table(&h, "Files (downloaded as they were recorded, checked against their SHA-256)",
		file_cols);
	for (i = 0; i < r.nfiles; i++) {
		char n[24];

		(void)cli_fmt(n, sizeof(n), "a number", "%zu", i + 1);
		h_raw(&h, "<tr><td><a href=\"/documents/");
		h_path(&h, r.doc);
		h_raw(&h, "/");
		h_path(&h, r.rev);
		h_raw(&h, "/files/");
		h_raw(&h, n);
		h_raw(&h, "\" download>");
		h_text(&h, r.files[i].name);
		h_raw(&h, "</a></td><td>");
		h_text(&h, r.files[i].mime);
		h_raw(&h, "</td><td>");
		h_int(&h, (json_int_t)r.files[i].size);
		h_raw(&h, "</td><td><code>");
		h_text(&h, r.files[i].sha256);
		h_raw(&h, "</code></td></tr>");
	}
	h_raw(&h, "</tbody></table>");
	if (vault_acks(&acks, q->v, r.doc, r.rev) == 0 && acks->count) {
		char path[6 * VAULT_NAME_MAX + 16];
		size_t from, to, page = page_span(q, "page", acks->count, &from, &to);

		if (revision_address(path, sizeof(path), r.doc, r.rev) == 0)
			page_links(&h, q, path, "page", page, from, to, acks->count);
		h_table(&h, "Acknowledgments", ack_cols);
		for (i = from; i < to; i++) {
			char when[VAULT_TIME_SIZE];

			vault_time_format(when, sizeof(when), acks->items[i].time);
			h_raw(&h, "<tr><td>");
			h_text(&h, acks->items[i].signer);
			h_raw(&h, "</td><td>");
			h_text(&h, acks->items[i].org);
			h_raw(&h, "</td><td>");
			h_text(&h, acks->items[i].meaning);
			h_raw(&h, "</td><td>");
			h_text(&h, acks->items[i].comment);
			h_raw(&h, "</td><td>");
			h_text(&h, when);
			h_raw(&h, "</td></tr>");
		}
		h_raw(&h, "</tbody></table>");
	}
	vault_ack_list_free(acks);
	if (strcmp(r.state, "released") == 0 || strcmp(r.state, "superseded") == 0)
		ack_form(&h, &r);
	if (strcmp(r.type, "fai") == 0)
		fai_characteristics(&h, q, &r);
	if (strcmp(r.type, "fai") == 0 && (has_role(viewer_roles(q), "buyer") ||
					   has_role(viewer_roles(q), "quality")))
		disposition_form(&h, &r);
	vault_revision_dispose(&r);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* ---- what changed -------------------------------------------------------------- */

/* The page of what changed stays under this, however long the files' differences. */
#define CHANGES_PAGE_MAX (80u << 10)
/* and shows this much of one line */
#define DIFF_LINE_MAX 2000u

/*
 * A unified diff in <pre>, each line marked as added, removed or a hunk's
 * head (the file's --- and +++ header before the first hunk is neither),
 * until the page holds CHANGES_PAGE_MAX bytes.
 */
static void h_diff(html *h, const char *diff)
{
	const char *line = diff, *end;
	int in_hunk = 0;

	h_raw(h, "<pre class=\"diff\">");
	for (; *line && h->len < CHANGES_PAGE_MAX; line = *end ? end + 1 : end) {
		const char *cls = NULL;
		char *copy;
		size_t len;

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (starts_with(line, "@@"))
			in_hunk = 1, cls = "hunk";
		else if (in_hunk)
			cls = *line == '+' ? "add" : *line == '-' ? "del" : NULL;
		if (cls) {
			h_raw(h, "<span class=\"");
			h_raw(h, cls);
			h_raw(h, "\">");
		}
		/* a line of a megabyte is cut, at a character's start, as the page would be */
		len = (size_t)(end - line);
		if (len > DIFF_LINE_MAX)
			for (len = DIFF_LINE_MAX; len > 0 && ((unsigned char)line[len] & 0xc0) == 0x80;)
				len--;
		if ((copy = strndup(line, len)) == NULL)
			abort();
		h_text(h, copy);
		free(copy);
		if (len < (size_t)(end - line))
			h_raw(h, " [cut]");
		h_raw(h, cls ? "</span>" : "\n");
	}
	h_raw(h, "</pre>");
	if (*line)
		h_raw(h, "<p>The rest of the difference is too long for this page: download both "
			 "files to compare them whole.</p>");
}

/*
 * GET documents/{doc}/{rev}/changes[?from=REV]: what changed from the
 * revision before (or REV) to this one, as the viewer may see both: the
 * record's fields, each file, a text file's lines.
 */
enum MHD_Result get_changes(serve_req *q)
{
	static const char *const field_cols[] = { "Field", "Before", "Now", NULL };
	static const char *const field_keys[] = { "field", "from", "to", NULL };
	static const char *const file_cols[] = { "File", "Change", "Before (SHA-256)",
						 "Now (SHA-256)", NULL };
	char *text = NULL, title[2 * VAULT_NAME_MAX + 2];
	html h = { NULL, 0, 0 };
	json_t *d, *f;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_doc_diff(&text, q->v, q->part[1], serve_query(q, "from"),
				    q->part[2])) < 0)
		return error_page(q, error);
	d = parsed(text);
	(void)cli_fmt(title, sizeof(title), "the title", "%s@%s", q->part[1], q->part[2]);
	page_begin(&h, q, "What changed in ", title);
	h_raw(&h, "<p>From revision ");
	h_doc_link(&h, q->part[1], json_string_value(json_object_get(d, "from")));
	h_raw(&h, " to revision ");
	h_doc_link(&h, q->part[1], json_string_value(json_object_get(d, "to")));
	h_raw(&h, ".</p>");
	if (json_array_size(json_object_get(d, "changes")))
		h_rows(&h, "The record", field_cols, field_keys, json_object_get(d, "changes"), 0,
		       json_array_size(json_object_get(d, "changes")), NULL);
	h_table(&h, "The files", file_cols);
	json_array_foreach(json_object_get(d, "files"), i, f) {
		h_raw(&h, "<tr><td>");
		h_member(&h, f, "name");
		if (json_is_string(json_object_get(f, "was"))) {
			h_raw(&h, " (was ");
			h_member(&h, f, "was");
			h_raw(&h, ")");
		}
		h_raw(&h, "</td><td>");
		h_member(&h, f, "change");
		if (json_is_string(json_object_get(f, "note"))) {
			h_raw(&h, ": ");
			h_member(&h, f, "note");
		}
		h_raw(&h, "</td><td><code>");
		h_member(&h, json_object_get(f, "from"), "sha256");
		h_raw(&h, "</code></td><td><code>");
		h_member(&h, json_object_get(f, "to"), "sha256");
		h_raw(&h, "</code></td></tr>");
	}
	h_raw(&h, "</tbody></table>");
	json_array_foreach(json_object_get(d, "files"), i, f) {
		if (!json_is_string(json_object_get(f, "diff")) || h.len >= CHANGES_PAGE_MAX)
			continue;
		h_raw(&h, "<h2>Lines of ");
		h_member(&h, f, "name");
		h_raw(&h, "</h2>");
		h_diff(&h, json_string_value(json_object_get(f, "diff")));
	}
	json_decref(d);
	return send_page(q, MHD_HTTP_OK, &h);
}

/* ---- acknowledging a revision -------------------------------------------------- */

/*
 * POST documents/{doc}/{rev}/statement {meaning, comment}: the statement
 * the user is to sign, and its WebAuthn challenge (its SSHSIG signed data).
 */
enum MHD_Result post_statement(serve_req *q)
{
	static const char *const keys[] = { "meaning", "comment", NULL };
	json_t *extra = json_pack("{s:s, s:s}", "doc", q->part[1], "rev", q->part[2]);
	enum MHD_Result answered;
	json_t *reply = ask(q, "ack-statement", keys, extra, &answered), *body;
	const char *stmt;
	char *challenge = NULL;

	json_decref(extra);
	if (!reply)
		return answered;
	body = json_object_get(reply, "body");
	if ((stmt = json_string_value(json_object_get(body, "statement"))) == NULL ||
	    vault_webauthn_challenge(&challenge, VAULT_ACK_NAMESPACE, stmt, strlen(stmt)) < 0)
		return relay(q, reply, NULL, NULL);
	body = json_pack("{s:O, s:s}", "statement", json_object_get(body, "statement"),
			 "challenge", challenge);
	free(challenge);
	return relay(q, reply, body, NULL);
}

/*
 * POST documents/{doc}/{rev}/ack {statement, authenticator_data,
 * client_data, signature}: the passkey's signature recorded; a new session.
 */
enum MHD_Result post_ack(serve_req *q)
{
	static const char *const keys[] = { "statement", "authenticator_data", "client_data",
					    "signature", NULL };
	json_t *extra = json_pack("{s:s, s:s}", "doc", q->part[1], "rev", q->part[2]);
	enum MHD_Result answered;
	json_t *reply = ask(q, "portal-ack", keys, extra, &answered);

	json_decref(extra);
	return reply ? relay_signed(q, reply) : answered;
}

/* ---- releasing a revision ------------------------------------------------------ */

static const char *const release_types[] = { "drawing", "model", "spec", NULL };

/* Whether the comma-separated `list` (may be NULL) holds `item` whole. */
static int listed(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p;

	for (p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static enum MHD_Result release_form(serve_req *q, unsigned status, const char *why)
{
	vault_user_list *list = NULL;
	html h = { NULL, 0, 0 };
	const char *to = form_value(q, "to");
	size_t i, j;

	page_begin(&h, q, "Release a revision", "");
	h_refusal(&h, why);
	h_form(&h, q, "/release", 1);
	h_input(&h, q, "doc", "Document number", "text", 1);
	h_input(&h, q, "rev", "Revision", "text", 1);
	h_select(&h, q, "type", "Type", release_types);
	h_input(&h, q, "title", "Title", "text", 0);
	h_input(&h, q, "part", "Part number", "text", 0);
	h_input(&h, q, "reason", "Why (what changed, the ECN)", "text", 0);
	h_input(&h, q, "effective", "Effective from", "date", 0);
	h_input(&h, q, "review_by", "Due for review by", "date", 0);
	h_input(&h, q, "marking", "Export control marking (ITAR, EAR:ECCN, EAR99 or CUI)", "text", 0);
	h_input(&h, q, "licence", "Licence or exemption it moves under", "text", 0);
	h_input(&h, q, "file", "File", "file", 1);
	h_raw(&h, "<fieldset><legend>Release to</legend>");
	/* each supplier organization once, by its users */
	if (vault_users(&list, q->v) == 0)
		for (i = 0; i < list->count; i++) {
			const char *org = list->items[i].org;
			char id[VAULT_NAME_MAX + 8];

			if (!has_role(list->items[i].roles, "supplier"))
				continue;
			for (j = 0; j < i; j++)
				if (has_role(list->items[j].roles, "supplier") &&
				    strcmp(list->items[j].org, org) == 0)
					break;
			if (j < i || cli_fmt(id, sizeof(id), "an id", "to-%zu", i) < 0)
				continue;
			h_raw(&h, "<p><input type=\"checkbox\" name=\"to\" id=\"");
			h_raw(&h, id);
			h_raw(&h, "\" value=\"");
			h_text(&h, org);
			h_raw(&h, "\"");
			if (listed(to, org))
				h_raw(&h, " checked");
			h_raw(&h, "> <label for=\"");
			h_raw(&h, id);
			h_raw(&h, "\">");
			h_text(&h, org);
			h_raw(&h, "</label></p>");
		}
	vault_user_list_free(list);
	h_raw(&h, "</fieldset><p><button type=\"submit\">Release</button></p></form>");
	return send_page(q, status, &h);
}

enum MHD_Result get_release(serve_req *q)
{
	return release_form(q, MHD_HTTP_OK, NULL);
}

/* A comma-separated field as a JSON list of strings. */
static json_t *list_of(const char *text)
{
	json_t *a = json_array();
	char *copy = strdup(text ? text : ""), *item, *save = NULL;

	if (!a || !copy)
		abort();
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		json_t *one = json_string(item);

		json_array_append_new(a, one ? one : json_string(""));
	}
	free(copy);
	return a;
}

enum MHD_Result post_release(serve_req *q)
{
	json_t *reply, *body, *parts;
	unsigned status;
	char where[1024];
	enum MHD_Result ok;

	if (q->body < 0 || !form_value(q, "file.name") || !form_value(q, "doc") ||
	    !form_value(q, "rev") || !form_value(q, "to"))
		return release_form(q, MHD_HTTP_BAD_REQUEST, "give the document, its revision, the "
				    "file and at least one organization to release it to");
	parts = form_value(q, "part") ? json_pack("[s]", form_value(q, "part")) : NULL;
	reply = serve_writer_ask(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s*, s:o*, s:s*, s:s*,"
		" s:s*, s:s*, s:s*}",
		"op", "release", "doc", form_value(q, "doc"), "rev", form_value(q, "rev"),
		"name", form_value(q, "file.name"), "type", form_value(q, "type") ?
		form_value(q, "type") : "drawing", "to", list_of(form_value(q, "to")),
		"title", form_value(q, "title"), "parts", parts, "reason", form_value(q, "reason"),
		"effective", form_value(q, "effective"), "review_by", form_value(q, "review_by"),
		"marking", form_value(q, "marking"), "licence", form_value(q, "licence")),
		q->body);
	status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	body = json_object_get(reply, "body");
	if (status == MHD_HTTP_CREATED &&
	    revision_address(where, sizeof(where), json_string_value(json_object_get(body, "doc")),
			     json_string_value(json_object_get(body, "rev"))) == 0) {
		json_decref(reply);
		return serve_redirect(q->c, where);
	}
	ok = release_form(q, status >= 400 ? status : MHD_HTTP_BAD_REQUEST, refusal_of(reply));
	json_decref(reply);
	return ok;
}
