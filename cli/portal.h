/*
 * portal.h - the portal's pages, inside `qvault serve` (serve.h): plain
 * HTML rendered on the server from the same scoped reads as the API (each
 * page shows what the same command shows its user), and the JSON steps of
 * WebAuthn that static/portal.js takes a passkey through.
 *
 * portal.c holds what every page shares, declared here, and serve_pages[],
 * the one table of pages; the pages are in a module a kind of record, as
 * the library's modules are (vault/README.md):
 *
 *   portal_login.c  logging in, enrolling a passkey, an act signed with it
 *   portal_inbox.c  the inbox, revisions not yet acknowledged
 *   portal_po.c     POs, change orders, the supplier's answers
 *   portal_docs.c   documents, revisions, what changed, acks, releases
 *   portal_cert.c   uploading a certificate or report
 *   portal_asn.c    lots, ship notices, receipts
 *   portal_fai.c    FAI packages, reports, dispositions
 *   portal_trace.c  a lot's trace, the audit, a log, bundles, the scorecard
 *   portal_ncr.c    nonconformance reports
 *   portal_forecast.c  forecasts and delivery schedules, by part
 *
 * A page's answer is declared below with its module's and named in
 * serve_pages[]; nothing else calls it.
 */
#ifndef QVAULT_PORTAL_H
#define QVAULT_PORTAL_H

#include <stddef.h>

#include <jansson.h>

#include "mhd.h"
#include "cli.h"
#include "serve.h"

/* ---- HTML, escaped at one place (portal.c) ------------------------------------- */

/* A page as it grows; { NULL, 0, 0 } to start, sent (and freed) by send_page(). */
typedef struct {
	char *data;
	size_t len, cap;
} html;

/* `n` bytes of `s` as they are: the portal's own markup, or text already escaped. */
void h_put(html *h, const char *s, size_t n);
/* The portal's own markup, never text from elsewhere. */
void h_raw(html *h, const char *s);
/* Text from the vault or the request, escaped for an element or a quoted attribute. */
void h_text(html *h, const char *s);
/* A path component in a link: percent-encoded but for unreserved bytes. */
void h_path(html *h, const char *s);
void h_int(html *h, json_int_t n);
/* A member of `o` as text: a string, a whole number, or "" (escaped). */
void h_member(html *h, const json_t *o, const char *key);
/* <td>member</td> */
void h_cell(html *h, const json_t *o, const char *key);
/* A table's head: a caption and the column names (literals); the caller ends it. */
void h_table(html *h, const char *caption, const char *const *cols);
/*
 * A table whose every cell is a member of a row: `keys` (in the order of
 * `cols`) of the rows [from, to) of `list`; with `link` ("/pos/"), the
 * first a link to its own page.
 */
void h_rows(html *h, const char *caption, const char *const *cols,
	    const char *const *keys, const json_t *list, size_t from, size_t to,
	    const char *link);
/* <a href="/documents/DOC/REV">DOC@REV</a> */
void h_doc_link(html *h, const char *doc, const char *rev);

/* ---- pages and answers (portal.c) ---------------------------------------------- */

/*
 * The start of every page: the title (a literal, then text escaped), who
 * is logged in, the navigation.
 */
void page_begin(html *h, serve_req *q, const char *title_literal, const char *title_text);
/* The page `h` ended and answered with `status`; its buffer is taken over. */
enum MHD_Result send_page(serve_req *q, unsigned status, html *h);
/* `j` (taken over) as the answer, with a Set-Cookie when `cookie` is not NULL. */
enum MHD_Result send_json(serve_req *q, unsigned status, json_t *j, const char *cookie);
/* A page that says what went wrong: the library's message, with the status `error` means. */
enum MHD_Result error_page(serve_req *q, int error);
/* A page that says what went wrong: the portal's own `message` (a literal). */
enum MHD_Result message_page(serve_req *q, unsigned status, const char *message);
/* The headers every answer of the portal carries (a page's, a download's). */
void secure(struct MHD_Response *r);
/* The library's JSON text (taken over), parsed; NULL when it is not JSON. */
json_t *parsed(char *text);

/* ---- who is asking (portal.c) -------------------------------------------------- */

/* The logged-in user's role bits (vault_user.roles), read once per request; 0 when unknown. */
unsigned viewer_roles(serve_req *q);
/* Whether role bits (vault_user.roles) hold the role named `name`. */
int has_role(unsigned roles, const char *name);

/* ---- long lists, a page at a time (portal.c) ----------------------------------- */

/* rows a list page shows: every page stays well under 100 KB */
#define PAGE_ROWS 100

/*
 * The rows [*from, *to) of `total` that ?PARAM=N (from 1) shows; the page
 * number. A page holding two long lists pages each with its own PARAM.
 */
size_t page_span(serve_req *q, const char *param, size_t total, size_t *from,
		 size_t *to);
/* "Rows 101-200 of 1000", and links to the pages before and after (PATH?PARAM=N). */
/* "&amp;NAME=N" for each other pager's page the query names: turning one keeps the others */
void h_other_pages(html *h, serve_req *q, const char *param);
void page_links(html *h, serve_req *q, const char *path, const char *param, size_t page,
		size_t from, size_t to, size_t total);

/* ---- forms (portal.c) ---------------------------------------------------------- */

/*
 * "/documents/DOC[/REV]" into `buf` for a redirect after a write; -1 when
 * the writer's answer named no document (then the form is shown again).
 */
int revision_address(char *buf, size_t size, const char *doc, const char *rev);
/* A field of the posted form, or NULL (absent or empty). */
const char *form_value(serve_req *q, const char *key);
/*
 * <p><label>LABEL</label> <input ...></p>, its value kept from the form
 * posted; with `error` (or NULL) beside it, which the input names as its
 * description (NAME-error) for a screen reader.  NAME and LABEL are literals.
 */
void h_input_error(html *h, serve_req *q, const char *name, const char *label,
		   const char *type, int required, const char *error);
void h_input(html *h, serve_req *q, const char *name, const char *label,
	     const char *type, int required);
/* <select>, its options literals, the one posted chosen. */
void h_select(html *h, serve_req *q, const char *name, const char *label,
	      const char *const *options);
/*
 * The form's start: POST to PREFIX NAME SUFFIX (NAME a record's name,
 * percent-encoded; NULL: none), with the session's CSRF token.
 */
void h_form_to(html *h, serve_req *q, const char *prefix, const char *name,
	       const char *suffix, int with_file);
void h_form(html *h, serve_req *q, const char *action, int with_file);
/* Why the last post was refused (NULL: it was not), where a screen reader hears it at once. */
void h_refusal(html *h, const char *why);
/* A writer's refusal, as a form's message (held by `reply`). */
const char *refusal_of(const json_t *reply);
/* A positive whole number from a form field; 0 when it is none. */
json_int_t form_count(serve_req *q, const char *key);
/*
 * Form field `key` as a whole number from `min` to a billion, into *out:
 * 1; 0 when the form does not give it; -1 when it gives something else.
 */
int form_number(serve_req *q, const char *key, json_int_t min, json_int_t *out);
/* `text` (taken over) in a new unnamed file, rewound, for the writer; -1 when it cannot be. */
int stage_text(serve_req *q, char *text);
int starts_with(const char *s, const char *prefix);

/* A form's page once more, with `status` and the refusal the writer's `reply` holds. */
typedef enum MHD_Result (*form_again)(serve_req *q, unsigned status, const json_t *reply);
/*
 * The end of a form posted to the writer, with its `reply` (taken over):
 * on success (201 or 200), a 303 to the record's page, PREFIX NAME or
 * PREFIX NAME/NAME2 (names the vault took: safe in a path); else, or when
 * there is no such address (NAME NULL, NAME2 empty, too long), `again`,
 * with the refusal's status (400 when it has none).
 */
enum MHD_Result form_answer(serve_req *q, json_t *reply, const char *prefix, const char *name,
			    const char *name2, form_again again);

/*
 * A form for an act the user signs with the passkey (a PO acknowledgment,
 * an FAI disposition, an NCR's close): static/portal.js posts its fields
 * to ACTION/statement, has the passkey sign the record the vault answers,
 * and posts the signature to ACTION/sign (act_step).  It has no action of
 * its own: without the script nothing is sent.  ACTION is PREFIX NAME
 * [/NAME2] SUFFIX; h_signed_form_end() ends it with its button.
 */
void h_signed_form(html *h, const char *prefix, const char *name, const char *name2,
		   const char *suffix);
void h_signed_form_end(html *h, const char *button);

/* ---- logging in, enrolling, acts signed with the passkey (portal_login.c) ------ */

/*
 * Hand the JSON body's `keys` (strings only), and `extra`'s members, to
 * the writer as operation `op`: its reply, or NULL with the answer given.
 */
json_t *ask(serve_req *q, const char *op, const char *const *keys, const json_t *extra,
	    enum MHD_Result *answered);
/*
 * The writer's `reply` (taken over) as the answer: `body` (taken over;
 * NULL: the reply's), or {"error"}, with the reply's status.
 */
enum MHD_Result relay(serve_req *q, json_t *reply, json_t *body, const char *cookie);
/* The writer's reply (taken over) to a signature that opened a new session: its signature
 * and new CSRF token, with the session's cookie; the old session forgotten. */
enum MHD_Result relay_signed(serve_req *q, json_t *reply);
/* A body member as an act's request takes it: NULL when absent or empty. */
const char *given(const json_t *body, const char *key);
/*
 * POST .../statement: the record the user is to sign for the act, and
 * its WebAuthn challenge; POST .../sign (`sign`), with the record and
 * the passkey's assertion over it: the act recorded with its signature,
 * and a new session.  `request` makes the act's request from the body.
 */
enum MHD_Result act_step(serve_req *q, const char *act,
			 json_t *(*request)(serve_req *q, const json_t *body), int sign);

enum MHD_Result get_login(serve_req *q);
enum MHD_Result post_login_options(serve_req *q);
enum MHD_Result post_login(serve_req *q);
enum MHD_Result get_enroll(serve_req *q);
enum MHD_Result post_enroll_options(serve_req *q);
enum MHD_Result post_enroll(serve_req *q);
enum MHD_Result post_logout(serve_req *q);

/* ---- the inbox, revisions not yet acknowledged (portal_inbox.c) ---------------- */

enum MHD_Result get_inbox(serve_req *q);
enum MHD_Result get_pending(serve_req *q);

/* ---- purchase orders (portal_po.c) --------------------------------------------- */

enum MHD_Result get_pos(serve_req *q);
enum MHD_Result get_po(serve_req *q);
enum MHD_Result post_po_change(serve_req *q);
enum MHD_Result post_po_add_line(serve_req *q);
enum MHD_Result post_po_end(serve_req *q);
enum MHD_Result post_status(serve_req *q);
enum MHD_Result post_po_ack_statement(serve_req *q);
enum MHD_Result post_po_ack_sign(serve_req *q);

/* ---- documents and releases (portal_docs.c) ------------------------------------ */

enum MHD_Result get_documents(serve_req *q);
enum MHD_Result get_document(serve_req *q);
enum MHD_Result get_revision(serve_req *q);
enum MHD_Result get_changes(serve_req *q);
enum MHD_Result post_statement(serve_req *q);
enum MHD_Result post_ack(serve_req *q);
enum MHD_Result get_release(serve_req *q);
enum MHD_Result post_release(serve_req *q);

/* ---- uploading a certificate or report (portal_cert.c) ------------------------- */

enum MHD_Result get_upload(serve_req *q);
enum MHD_Result post_upload(serve_req *q);

/* ---- lots and ship notices (portal_asn.c) -------------------------------------- */

enum MHD_Result get_ship(serve_req *q);
enum MHD_Result post_lot(serve_req *q);
enum MHD_Result post_asn(serve_req *q);
enum MHD_Result post_asn_x12(serve_req *q);
enum MHD_Result get_asns(serve_req *q);
enum MHD_Result get_asn(serve_req *q);
enum MHD_Result post_receive(serve_req *q);

/* ---- First Article Inspection (portal_fai.c) ----------------------------------- */

/*
 * On an FAI report's revision page (get_revision): its characteristics,
 * each checked against its requirement, and the buying side's
 * disposition form.
 */
void fai_characteristics(html *h, serve_req *q, const vault_revision *r);
void disposition_form(html *h, const vault_revision *r);

enum MHD_Result get_fai_form(serve_req *q);
enum MHD_Result post_fai(serve_req *q);
enum MHD_Result post_disposition_statement(serve_req *q);
enum MHD_Result post_disposition_sign(serve_req *q);

/* ---- traces, the audit, logs, bundles, the scorecard (portal_trace.c) ---------- */

enum MHD_Result get_trace_lot(serve_req *q);
enum MHD_Result get_audit(serve_req *q);
enum MHD_Result get_log(serve_req *q);
enum MHD_Result get_export_lot(serve_req *q);
enum MHD_Result get_scorecard(serve_req *q);

/* ---- nonconformance reports (portal_ncr.c) ------------------------------------- */

enum MHD_Result get_ncrs(serve_req *q);
enum MHD_Result post_ncr(serve_req *q);
enum MHD_Result get_ncr(serve_req *q);
enum MHD_Result post_ncr_close_statement(serve_req *q);
enum MHD_Result post_ncr_close_sign(serve_req *q);

/* ---- forecasts and delivery schedules (portal_forecast.c) ---------------------- */

enum MHD_Result get_forecast(serve_req *q);
enum MHD_Result post_forecast_commit_statement(serve_req *q);
enum MHD_Result post_forecast_commit_sign(serve_req *q);

#endif
