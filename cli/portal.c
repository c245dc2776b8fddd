/*
 * portal.c - what every page of the portal shares (portal.h): HTML escaped
 * at one place, a page's frame and the answers that carry it, the viewer's
 * roles, long lists a page at a time, forms; the portal's script and style
 * sheet; and serve_pages[], the one table of the portal's pages.
 *
 * Escaping is done at one place, h_text(): every byte that came from the
 * vault or the request goes through it; h_raw() takes only the portal's
 * own literals.  Every page and answer made here carries a Content-
 * Security-Policy that lets in no inline script or style and no other
 * site, and forbids framing (the dispatcher's own refusals are JSON).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "portal.h"

extern const char qvault_portal_js[], qvault_portal_css[];

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* ---- HTML, escaped at one place ------------------------------------------------ */

void h_put(html *h, const char *s, size_t n)
{
	if (h->len + n + 1 > h->cap) {
		h->cap = (h->len + n + 1) * 2;
		if ((h->data = realloc(h->data, h->cap)) == NULL)
			abort();
	}
	memcpy(h->data + h->len, s, n);
	h->len += n;
	h->data[h->len] = '\0';
}

/* This file's own markup, never text from elsewhere. */
void h_raw(html *h, const char *s)
{
	h_put(h, s, strlen(s));
}

/* Text from the vault or the request, escaped for an element or a quoted attribute. */
void h_text(html *h, const char *s)
{
	const char *p;

	for (p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&': h_raw(h, "&amp;"); break;
		case '<': h_raw(h, "&lt;"); break;
		case '>': h_raw(h, "&gt;"); break;
		case '"': h_raw(h, "&quot;"); break;
		case '\'': h_raw(h, "&#39;"); break;
		default: h_put(h, p, 1);
		}
	}
}

/* A path component in a link, percent-encoded (vault_uri_encode). */
void h_path(html *h, const char *s)
{
	size_t size;
	char *e;

	s = s ? s : "";
	size = 3 * strlen(s) + 1;
	if ((e = malloc(size)) == NULL || vault_uri_encode(e, size, s) < 0)
		abort();
	h_raw(h, e);
	free(e);
}

void h_int(html *h, json_int_t n)
{
	char buf[32];

	/* 20 digits and a sign at most: it fits */
	if (cli_fmt(buf, sizeof(buf), "a number", "%lld", (long long)n) == 0)
		h_raw(h, buf);
}

/* A member of `o` as text: a string, a whole number, or "" (escaped). */
void h_member(html *h, const json_t *o, const char *key)
{
	const json_t *x = json_object_get(o, key);

	if (json_is_integer(x))
		h_int(h, json_integer_value(x));
	else
		h_text(h, json_string_value(x));
}

/* <td>member</td> */
void h_cell(html *h, const json_t *o, const char *key)
{
	h_raw(h, "<td>");
	h_member(h, o, key);
	h_raw(h, "</td>");
}

/* A table's head: a caption and the column names (literals). */
void h_table(html *h, const char *caption, const char *const *cols)
{
	h_raw(h, "<table><caption>");
	h_raw(h, caption);
	h_raw(h, "</caption><thead><tr>");
	for (; *cols; cols++) {
		h_raw(h, "<th scope=\"col\">");
		h_raw(h, *cols);
		h_raw(h, "</th>");
	}
	h_raw(h, "</tr></thead><tbody>");
}

/*
 * A table whose every cell is a member of a row: `keys` (in the order of
 * `cols`) of the rows [from, to) of `list`; with `link` ("/pos/"), the
 * first a link to its own page.
 */
void h_rows(html *h, const char *caption, const char *const *cols,
	    const char *const *keys, const json_t *list, size_t from, size_t to,
	    const char *link)
{
	const char *const *k;
	json_t *x;
	size_t i;

	h_table(h, caption, cols);
	for (i = from; i < to && (x = json_array_get(list, i)) != NULL; i++) {
		h_raw(h, "<tr>");
		for (k = keys; *k; k++) {
			if (k != keys || !link) {
				h_cell(h, x, *k);
				continue;
			}
			h_raw(h, "<td><a href=\"");
			h_raw(h, link);
			h_path(h, json_string_value(json_object_get(x, *k)));
			h_raw(h, "\">");
			h_member(h, x, *k);
			h_raw(h, "</a></td>");
		}
		h_raw(h, "</tr>");
	}
	h_raw(h, "</tbody></table>");
}

/* <a href="/documents/DOC/REV">DOC@REV</a> */
void h_doc_link(html *h, const char *doc, const char *rev)
{
	h_raw(h, "<a href=\"/documents/");
	h_path(h, doc);
	h_raw(h, "/");
	h_path(h, rev);
	h_raw(h, "\">");
	h_text(h, doc);
	h_raw(h, "@");
	h_text(h, rev);
	h_raw(h, "</a>");
}

/* ---- pages and answers --------------------------------------------------------- */

/* The start of every page: the title, who is logged in, the navigation. */
void page_begin(html *h, serve_req *q, const char *title_literal, const char *title_text)
{
	h_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		 "<title>");
	h_raw(h, title_literal);
	h_text(h, title_text);
	h_raw(h, " - qvault</title><link rel=\"stylesheet\" href=\"/static/portal.css\">"
		 "<script src=\"/static/portal.js\" defer></script>");
	if (q->csrf) {
		h_raw(h, "<meta name=\"csrf\" content=\"");
		h_text(h, q->csrf);
		h_raw(h, "\">");
	}
	h_raw(h, "</head><body><header><p class=\"brand\">qvault</p>");
	if (q->user) {
		h_raw(h, "<nav aria-label=\"main\"><ul><li><a href=\"/inbox\">Inbox</a></li>"
			 "<li><a href=\"/pos\">Purchase orders</a></li>"
			 "<li><a href=\"/documents\">Documents</a></li>"
			 "<li><a href=\"/pending\">Not acknowledged</a></li>"
			 "<li><a href=\"/asns\">Ship notices</a></li>"
			 "<li><a href=\"/upload\">Upload</a></li>"
			 "<li><a href=\"/ncrs\">NCRs</a></li>"
			 "<li><a href=\"/fai\">FAI</a></li>"
			 "<li><a href=\"/scorecard\">Scorecard</a></li>"
			 "<li><a href=\"/audit\">Audit</a></li>");
		/* releasing is a buyer's: the link only where it can work */
		if (has_role(viewer_roles(q), "buyer"))
			h_raw(h, "<li><a href=\"/release\">Release</a></li>");
		h_raw(h, "</ul></nav>"
			 "<form method=\"post\" action=\"/logout\" class=\"logout\">"
			 "<input type=\"hidden\" name=\"csrf\" value=\"");
		h_text(h, q->csrf);
		h_raw(h, "\"><span>");
		h_text(h, q->user);
		h_raw(h, "</span> <button type=\"submit\">Log out</button></form>");
	}
	h_raw(h, "</header><main><h1>");
	h_raw(h, title_literal);
	h_text(h, title_text);
	h_raw(h, "</h1>");
}

static void page_end(html *h)
{
	h_raw(h, "</main><footer><p>Every record here is a signed commit; "
		 "<code>qvault verify</code> checks them all.</p></footer></body></html>\n");
}

/* The headers every answer of the portal carries. */
void secure(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

/* Answer `body` (taken over) of `type`, with a Set-Cookie when `cookie` is not NULL. */
static enum MHD_Result send_body(serve_req *q, unsigned status, char *body, size_t len,
				 const char *type, const char *cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
								 MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ok;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	secure(r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	q->sending = len;
	ok = MHD_queue_response(q->c, status, r);
	/* a page that asked (serve_kept) is kept for its session, path and query */
	if (status != MHD_HTTP_OK || cookie || !serve_keep(q, r, len))
		MHD_destroy_response(r);
	return ok;
}

enum MHD_Result send_page(serve_req *q, unsigned status, html *h)
{
	page_end(h);
	return send_body(q, status, h->data, h->len, "text/html; charset=utf-8", NULL);
}

enum MHD_Result send_json(serve_req *q, unsigned status, json_t *j, const char *cookie)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!text)
		return MHD_NO;
	return send_body(q, status, text, strlen(text), "application/json", cookie);
}

/* A page that says what went wrong: the library's message, escaped. */
enum MHD_Result error_page(serve_req *q, int error)
{
	html h = { NULL, 0, 0 };
	unsigned status = serve_status_of(error);
	/* taken before the page's header asks the library anything: that may set another */
	char *why = strdup(vault_error_message());

	if (!why)
		abort();
	page_begin(&h, q, status == MHD_HTTP_NOT_FOUND ? "Not found" : "Refused", "");
	h_raw(&h, "<p role=\"alert\">");
	h_text(&h, why);
	h_raw(&h, "</p>");
	free(why);
	return send_page(q, status, &h);
}

/* A page that says what went wrong: the portal's own `message` (a literal). */
enum MHD_Result message_page(serve_req *q, unsigned status, const char *message)
{
	html h = { NULL, 0, 0 };

	page_begin(&h, q, "Refused", "");
	h_raw(&h, "<p role=\"alert\">");
	h_text(&h, message);
	h_raw(&h, "</p>");
	return send_page(q, status, &h);
}

/* The library's JSON text (taken over), parsed; NULL when it is not JSON. */
json_t *parsed(char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return j;
}

/* ---- who is asking ------------------------------------------------------------- */

/* The logged-in user's role bits (vault_user.roles), read once per request; 0 when unknown. */
unsigned viewer_roles(serve_req *q)
{
	if (q->roles_read)
		return q->roles;
	q->roles_read = 1;
	if (!q->user || vault_viewer_roles(&q->roles, q->v) < 0)
		q->roles = 0;
	return q->roles;
}

/* Whether role bits (vault_user.roles) hold the role named `name`. */
int has_role(unsigned roles, const char *name)
{
	for (size_t i = 0; vault_role_names[i]; i++)
		if (strcmp(vault_role_names[i], name) == 0)
			return (roles >> i) & 1;
	return 0;
}

/* ---- static files -------------------------------------------------------------- */

static enum MHD_Result static_file(serve_req *q, const char *text, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "max-age=300");
	ok = MHD_queue_response(q->c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result get_js(serve_req *q)
{
	return static_file(q, qvault_portal_js, "text/javascript; charset=utf-8");
}

static enum MHD_Result get_css(serve_req *q)
{
	return static_file(q, qvault_portal_css, "text/css; charset=utf-8");
}

/* ---- long lists, a page at a time ---------------------------------------------- */

/*
 * The rows [*from, *to) of `total` that ?PARAM=N (from 1) shows; the page
 * number. A page holding two long lists pages each with its own PARAM.
 */
size_t page_span(serve_req *q, const char *param, size_t total, size_t *from,
		 size_t *to)
{
	const char *p = serve_query(q, param);
	size_t page = 1, pages = total ? (total + PAGE_ROWS - 1) / PAGE_ROWS : 1;

	if (p && strspn(p, "0123456789") == strlen(p) && strlen(p) <= 6 && *p)
		page = (size_t)strtoul(p, NULL, 10);
	if (page < 1)
		page = 1;
	if (page > pages)
		page = pages;
	*from = (page - 1) * PAGE_ROWS;
	*to = *from + PAGE_ROWS < total ? *from + PAGE_ROWS : total;
	return page;
}

/* the pagers a page may hold, each with its own parameter (page_span) */
static const char *const pagers[] = { "page", "form3", NULL };

void h_other_pages(html *h, serve_req *q, const char *param)
{
	const char *const *p;
	const char *v;

	for (p = pagers; *p; p++)
		if (strcmp(*p, param) != 0 && (v = serve_query(q, *p)) != NULL && *v &&
		    strlen(v) <= 6 && strspn(v, "0123456789") == strlen(v)) {
			h_raw(h, "&amp;");
			h_raw(h, *p);
			h_raw(h, "=");
			h_raw(h, v);
		}
}

/* "Rows 101-200 of 1000", and links to the pages before and after (?PARAM=N). */
void page_links(html *h, serve_req *q, const char *path, const char *param, size_t page,
		size_t from, size_t to, size_t total)
{
	if (total <= PAGE_ROWS)
		return;
	h_raw(h, "<nav aria-label=\"pages\" class=\"pages\"><p>Rows ");
	h_int(h, (json_int_t)from + 1);
	h_raw(h, "&ndash;");
	h_int(h, (json_int_t)to);
	h_raw(h, " of ");
	h_int(h, (json_int_t)total);
	if (page > 1) {
		h_raw(h, " <a rel=\"prev\" href=\"");
		h_raw(h, path);
		h_raw(h, "?");
		h_raw(h, param);
		h_raw(h, "=");
		h_int(h, (json_int_t)page - 1);
		h_other_pages(h, q, param);
		h_raw(h, "\">previous page</a>");
	}
	if (to < total) {
		h_raw(h, " <a rel=\"next\" href=\"");
		h_raw(h, path);
		h_raw(h, "?");
		h_raw(h, param);
		h_raw(h, "=");
		h_int(h, (json_int_t)page + 1);
		h_other_pages(h, q, param);
		h_raw(h, "\">next page</a>");
	}
	h_raw(h, "</p></nav>");
}

/* ---- forms --------------------------------------------------------------------- */

/* `s` percent-encoded as h_path does, appended at buf[*o]; -1 when it does not fit. */
static int url_add(char *buf, size_t size, size_t *o, const char *s)
{
	if (vault_uri_encode(buf + *o, size - *o, s) < 0)
		return -1;
	*o += strlen(buf + *o);
	return 0;
}

/*
 * "/documents/DOC[/REV]" into `buf`, DOC and REV percent-encoded (a '/' of
 * a name is %2F), for a link or a redirect after a write; -1 when the
 * writer's answer named no document (then the form is shown again) or it
 * does not fit.
 */
int revision_address(char *buf, size_t size, const char *doc, const char *rev)
{
	size_t o = 0;

	if (!doc || (rev && !*rev) || cli_fmt(buf, size, "the address", "/documents/") < 0)
		return -1;
	o = strlen(buf);
	if (url_add(buf, size, &o, doc) < 0)
		return -1;
	if (rev && (o + 1 >= size || (buf[o++] = '/', url_add(buf, size, &o, rev) < 0)))
		return -1;
	return 0;
}

/* A field of the posted form (or NULL). */
const char *form_value(serve_req *q, const char *key)
{
	const char *v = json_string_value(json_object_get(q->form, key));

	return v && *v ? v : NULL;
}

/*
 * <p><label>LABEL</label> <input ...></p>, its value kept from the form
 * posted; with `error` (or NULL) beside it, which the input names as its
 * description (NAME-error) for a screen reader.
 */
void h_input_error(html *h, serve_req *q, const char *name, const char *label,
		   const char *type, int required, const char *error)
{
	h_raw(h, "<p><label for=\"");
	h_raw(h, name);
	h_raw(h, "\">");
	h_raw(h, label);
	h_raw(h, "</label> <input id=\"");
	h_raw(h, name);
	h_raw(h, "\" name=\"");
	h_raw(h, name);
	h_raw(h, "\" type=\"");
	h_raw(h, type);
	h_raw(h, "\"");
	if (required)
		h_raw(h, " required");
	if (strcmp(type, "file") != 0 && form_value(q, name)) {
		h_raw(h, " value=\"");
		h_text(h, form_value(q, name));
		h_raw(h, "\"");
	}
	if (error) {
		h_raw(h, " aria-invalid=\"true\" aria-describedby=\"");
		h_raw(h, name);
		h_raw(h, "-error\"> <span class=\"bad\" id=\"");
		h_raw(h, name);
		h_raw(h, "-error\">");
		h_text(h, error);
		h_raw(h, "</span></p>");
		return;
	}
	h_raw(h, "></p>");
}

void h_input(html *h, serve_req *q, const char *name, const char *label,
	     const char *type, int required)
{
	h_input_error(h, q, name, label, type, required, NULL);
}

/* <select>, its options literals, the one posted chosen. */
void h_select(html *h, serve_req *q, const char *name, const char *label,
	      const char *const *options)
{
	const char *chosen = form_value(q, name);

	h_raw(h, "<p><label for=\"");
	h_raw(h, name);
	h_raw(h, "\">");
	h_raw(h, label);
	h_raw(h, "</label> <select id=\"");
	h_raw(h, name);
	h_raw(h, "\" name=\"");
	h_raw(h, name);
	h_raw(h, "\">");
	for (; *options; options++) {
		h_raw(h, "<option");
		if (chosen && strcmp(chosen, *options) == 0)
			h_raw(h, " selected");
		h_raw(h, ">");
		h_raw(h, *options);
		h_raw(h, "</option>");
	}
	h_raw(h, "</select></p>");
}

/*
 * The form's start: POST to PREFIX NAME SUFFIX (NAME a record's name,
 * percent-encoded; NULL: none), with the session's CSRF token.
 */
void h_form_to(html *h, serve_req *q, const char *prefix, const char *name,
	       const char *suffix, int with_file)
{
	h_raw(h, "<form class=\"card\" method=\"post\" action=\"");
	h_raw(h, prefix);
	if (name)
		h_path(h, name);
	h_raw(h, suffix);
	h_raw(h, with_file ? "\" enctype=\"multipart/form-data\">" : "\">");
	h_raw(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	h_text(h, q->csrf);
	h_raw(h, "\">");
}

void h_form(html *h, serve_req *q, const char *action, int with_file)
{
	h_form_to(h, q, action, NULL, "", with_file);
}

/* Why the last post was refused, where a screen reader hears it at once. */
void h_refusal(html *h, const char *why)
{
	if (!why)
		return;
	h_raw(h, "<p role=\"alert\" class=\"bad\" id=\"refusal\">");
	h_text(h, why);
	h_raw(h, "</p>");
}

/* A writer's refusal, as a form's message (held by `reply`). */
const char *refusal_of(const json_t *reply)
{
	const char *e = json_string_value(json_object_get(reply, "error"));

	return e ? e : "refused";
}

/* A positive whole number from a form field; 0 when it is none. */
json_int_t form_count(serve_req *q, const char *key)
{
	const char *v = form_value(q, key);
	char *end = NULL;
	long long n;

	if (!v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 10)
		return 0;
	n = strtoll(v, &end, 10);
	return n;
}

/*
 * Form field `key` as a whole number from `min` to a billion, into *out:
 * 1; 0 when the form does not give it; -1 when it gives something else.
 */
int form_number(serve_req *q, const char *key, json_int_t min, json_int_t *out)
{
	const char *v = form_value(q, key);
	unsigned long long x;
	char *end;

	if (!v)
		return 0;
	if (strspn(v, "0123456789") != strlen(v))
		return -1;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x > 1000000000ULL || (json_int_t)x < min)
		return -1;
	*out = (json_int_t)x;
	return 1;
}

/* `text` (taken over) in a new unnamed file, rewound, for the writer; -1 when it cannot be. */
int stage_text(serve_req *q, char *text)
{
	int fd = text ? serve_scratch(q) : -1;

	if (fd >= 0 && (write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
			lseek(fd, 0, SEEK_SET) < 0)) {
		close(fd);
		fd = -1;
	}
	free(text);
	return fd;
}

int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum MHD_Result form_answer(serve_req *q, json_t *reply, const char *prefix, const char *name,
			    const char *name2, form_again again)
{
	unsigned status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	enum MHD_Result ok;
	char where[1024];
	size_t o = 0;

	/* formatted on success only: a long name refused says nothing on stderr;
	   each name percent-encoded (a PO '4500012345/10' is one segment) */
	if ((status == MHD_HTTP_CREATED || status == MHD_HTTP_OK) && name && (!name2 || *name2) &&
	    cli_fmt(where, sizeof(where), "the address", "%s", prefix) == 0 &&
	    (o = strlen(where), url_add(where, sizeof(where), &o, name)) == 0 &&
	    (!name2 || (o + 1 < sizeof(where) && (where[o++] = '/',
						   url_add(where, sizeof(where), &o, name2)) == 0))) {
		json_decref(reply);
		return serve_redirect(q->c, where);
	}
	ok = again(q, status >= 400 ? status : MHD_HTTP_BAD_REQUEST, reply);
	json_decref(reply);
	return ok;
}

/* ---- forms signed with the passkey --------------------------------------------- */

/*
 * A form for an act the user signs with the passkey (a PO acknowledgment,
 * an FAI disposition, an NCR's close): static/portal.js posts its fields
 * to ACTION/statement, has the passkey sign the record the vault answers,
 * and posts the signature to ACTION/sign.  It has no action of its own:
 * without the script nothing is sent.
 */
void h_signed_form(html *h, const char *prefix, const char *name, const char *name2,
		   const char *suffix)
{
	h_raw(h, "<form class=\"card\" data-act=\"");
	h_raw(h, prefix);
	h_path(h, name);
	if (name2) {
		h_raw(h, "/");
		h_path(h, name2);
	}
	h_raw(h, suffix);
	h_raw(h, "\">");
}

/* The end of a signed form: its button, and where the script says how it went. */
void h_signed_form_end(html *h, const char *button)
{
	h_raw(h, "<p><button type=\"submit\">");
	h_text(h, button);
	h_raw(h, "</button></p><p class=\"status\" role=\"status\" aria-live=\"polite\"></p>"
		 "</form>");
}

/* ---- the table ----------------------------------------------------------------- */

const serve_page serve_pages[] = {
	{ "GET", "static/portal.js", 1, get_js },
	{ "GET", "static/portal.css", 1, get_css },
	{ "GET", "login", 1, get_login },
	{ "POST", "login/options", 1, post_login_options },
	{ "POST", "login", 1, post_login },
	{ "GET", "enroll", 1, get_enroll },
	{ "POST", "enroll/options", 1, post_enroll_options },
	{ "POST", "enroll", 1, post_enroll },
	{ "POST", "logout", 0, post_logout },
	{ "GET", "inbox", 0, get_inbox },
	{ "GET", "pending", 0, get_pending },
	{ "GET", "pos", 0, get_pos },
	{ "GET", "pos/{}", 0, get_po },
	{ "GET", "documents", 0, get_documents },
	{ "GET", "documents/{}", 0, get_document },
	{ "GET", "documents/{}/{}", 0, get_revision },
	{ "GET", "documents/{}/{}/files/{}", 0, serve_get_file },
	{ "POST", "documents/{}/{}/statement", 0, post_statement },
	{ "POST", "documents/{}/{}/ack", 0, post_ack },
	{ "GET", "upload", 0, get_upload },
	{ "POST", "upload", 0, post_upload },
	{ "GET", "ship", 0, get_ship },
	{ "POST", "lots", 0, post_lot },
	{ "POST", "asns", 0, post_asn },
	{ "POST", "asns/x12", 0, post_asn_x12 },
	{ "GET", "asns", 0, get_asns },
	{ "GET", "trace/lot/{}", 0, get_trace_lot },
	{ "GET", "audit", 0, get_audit },
	{ "GET", "export/lot/{}", 0, get_export_lot },
	{ "GET", "scorecard", 0, get_scorecard },
	{ "GET", "ncrs", 0, get_ncrs },
	{ "POST", "ncrs", 0, post_ncr },
	{ "GET", "ncrs/{}", 0, get_ncr },
	{ "GET", "documents/{}/{}/changes", 0, get_changes },
	{ "POST", "pos/{}/status", 0, post_status },
	{ "POST", "pos/{}/change", 0, post_po_change },
	{ "POST", "pos/{}/add-line", 0, post_po_add_line },
	{ "POST", "pos/{}/end", 0, post_po_end },
	{ "GET", "asns/{}", 0, get_asn },
	{ "POST", "asns/{}/receive", 0, post_receive },
	{ "GET", "fai", 0, get_fai_form },
	{ "POST", "fai", 0, post_fai },
	{ "GET", "log/{}", 0, get_log },
	{ "GET", "release", 0, get_release },
	{ "POST", "release", 0, post_release },
	{ "POST", "pos/{}/ack/statement", 0, post_po_ack_statement },
	{ "POST", "pos/{}/ack/sign", 0, post_po_ack_sign },
	{ "POST", "documents/{}/{}/disposition/statement", 0, post_disposition_statement },
	{ "POST", "documents/{}/{}/disposition/sign", 0, post_disposition_sign },
	{ "POST", "ncrs/{}/close/statement", 0, post_ncr_close_statement },
	{ "POST", "ncrs/{}/close/sign", 0, post_ncr_close_sign },
	{ "GET", "forecasts/{}", 0, get_forecast },
	{ "POST", "forecasts/{}/{}/commit/statement", 0, post_forecast_commit_statement },
	{ "POST", "forecasts/{}/{}/commit/sign", 0, post_forecast_commit_sign },
	{ NULL, NULL, 0, NULL }
};
