/*
 * portal_inbox.c - the inbox (vault_inbox): the actions waiting for the
 * viewer, oldest first, each linked to the revision or PO it is about; and
 * the revisions released and not yet acknowledged (vault_pending).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "portal.h"

/* The actions whose subject is a revision, DOC@REV (vault/inbox.c). */
static const char *const revision_actions[] = {
	"acknowledge-revision", "chase-revision", "resubmit-fai", "disposition-fai",
	"renew-certificate", "chase-certificate", "review-document", NULL
};

/* The actions whose subject is a schedule, PART@SHIP_TO (vault/inbox.c). */
static const char *const schedule_actions[] = { "answer-forecast", NULL };

static int one_of(const char *const *list, const char *action)
{
	for (; action && *list; list++)
		if (strcmp(*list, action) == 0)
			return 1;
	return 0;
}

/*
 * <a href="PREFIX{the subject up to its last '@'}[/{what follows}]">: a
 * document number or part may hold '@', a revision or ship-to not
 */
static int link_split(html *h, const char *prefix, const char *subject, int with_rest)
{
	const char *at = strrchr(subject, '@');
	char *first;

	if (!at)
		return -1;
	if ((first = strndup(subject, (size_t)(at - subject))) == NULL)
		abort();
	h_raw(h, "<a href=\"");
	h_raw(h, prefix);
	h_path(h, first);
	if (with_rest) {
		h_raw(h, "/");
		h_path(h, at + 1);
	}
	h_raw(h, "\">");
	free(first);
	return 0;
}

/*
 * The link to an action's subject, by the action: a revision
 * (/documents/DOC/REV), a part's schedules (/forecasts/PART), or the PO
 * it is on.
 */
static void subject_link(html *h, const json_t *a)
{
	const char *action = json_string_value(json_object_get(a, "action"));
	const char *subject = json_string_value(json_object_get(a, "subject"));
	const char *po = json_string_value(json_object_get(a, "po"));

	if (subject && one_of(revision_actions, action) &&
	    link_split(h, "/documents/", subject, 1) == 0) {
		/* linked */
	} else if (subject && one_of(schedule_actions, action) &&
		   link_split(h, "/forecasts/", subject, 0) == 0) {
		/* linked */
	} else if (subject && po) {
		h_raw(h, "<a href=\"/pos/");
		h_path(h, po);
		h_raw(h, "\">");
	} else {
		h_text(h, subject);
		return;
	}
	h_text(h, subject);
	h_raw(h, "</a>");
}

enum MHD_Result get_inbox(serve_req *q)
{
	static const char *const cols[] = { "Action", "Subject", "Organization", "Detail",
					    "Since", "Age (days)", NULL };
	html h = { NULL, 0, 0 };
	char *text = NULL;
	json_t *list, *a;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_inbox(&text, q->v, 3)) < 0)
		return error_page(q, error);
	list = parsed(text);
	page_begin(&h, q, "Inbox", "");
	if (!json_array_size(list)) {
		h_raw(&h, "<p>Nothing waits for you.</p>");
	} else {
		size_t from, to, page = page_span(q, "page", json_array_size(list), &from, &to);

		page_links(&h, q, "/inbox", "page", page, from, to, json_array_size(list));
		h_table(&h, "Open actions, oldest first", cols);
		for (i = from; i < to && (a = json_array_get(list, i)) != NULL; i++) {
			h_raw(&h, "<tr>");
			h_cell(&h, a, "action");
			h_raw(&h, "<td>");
			subject_link(&h, a);
			h_raw(&h, "</td>");
			h_cell(&h, a, "org");
			h_cell(&h, a, "detail");
			h_cell(&h, a, "since");
			h_cell(&h, a, "age_days");
			h_raw(&h, "</tr>");
		}
		h_raw(&h, "</tbody></table>");
	}
	json_decref(list);
	return send_page(q, MHD_HTTP_OK, &h);
}

/*
 * Revisions released and not yet acknowledged, oldest release first, with
 * their ages: the buying side's "who has not acknowledged", every
 * organization's; a supplier's own organization's (vault_pending scopes it).
 */
enum MHD_Result get_pending(serve_req *q)
{
	static const char *const cols[] = { "Revision", "Organization", "Released",
					    "Age (days)", NULL };
	vault_pending_list *list = NULL;
	html h = { NULL, 0, 0 };
	int64_t now = (int64_t)time(NULL);
	size_t i, from, to, page;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;

	if ((error = vault_pending(&list, q->v, NULL)) < 0)
		return error_page(q, error);
	page_begin(&h, q, "Not yet acknowledged", "");
	if (!list->count) {
		h_raw(&h, "<p>Every revision released has been acknowledged.</p>");
		vault_pending_list_free(list);
		return send_page(q, MHD_HTTP_OK, &h);
	}
	page = page_span(q, "page", list->count, &from, &to);
	page_links(&h, q, "/pending", "page", page, from, to, list->count);
	h_table(&h, "Revisions released to an organization that has not acknowledged them, "
		"oldest first", cols);
	for (i = from; i < to; i++) {
		const vault_pending_item *p = &list->items[i];
		char when[VAULT_TIME_SIZE];

		vault_time_format(when, sizeof(when), p->released_at);
		h_raw(&h, "<tr><td><a href=\"/documents/");
		h_path(&h, p->doc);
		h_raw(&h, "/");
		h_path(&h, p->rev);
		h_raw(&h, "\">");
		h_text(&h, p->doc);
		h_raw(&h, "@");
		h_text(&h, p->rev);
		h_raw(&h, "</a></td><td>");
		h_text(&h, p->org);
		h_raw(&h, "</td><td>");
		h_text(&h, when);
		h_raw(&h, "</td><td>");
		h_int(&h, (json_int_t)(now > p->released_at ? (now - p->released_at) / 86400 : 0));
		h_raw(&h, "</td></tr>");
	}
	h_raw(&h, "</tbody></table>");
	vault_pending_list_free(list);
	return send_page(q, MHD_HTTP_OK, &h);
}
