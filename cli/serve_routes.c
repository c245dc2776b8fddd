/*
 * serve_routes.c - the routes of /api/v1/ (serve.h), and the answers of
 * documents, lots, the change feed and the audit.  Each reads through the
 * library as the caller sees the vault, or hands a write to the writer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "cli.h"
#include "serve.h"

/* ---- documents ---------------------------------------------------------- */

static enum MHD_Result get_documents(serve_req *q)
{
	vault_list_filter f = { serve_query(q, "type"), serve_query(q, "part") };
	vault_revision_list *list = NULL;
	json_t *arr;
	size_t i;
	int error;

	if ((error = vault_doc_list(&list, q->v, &f)) < 0)
		return serve_library_failed(q, error);
	arr = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(arr, cli_revision_json(&list->items[i]));
	vault_revision_list_free(list);
	return serve_answer(q, MHD_HTTP_OK, arr);
}

static enum MHD_Result get_document(serve_req *q)
{
	const char *doc = q->part[1];
	vault_revision_list *list = NULL;
	json_t *revs;
	size_t i;
	int error;

	if ((error = vault_doc_revisions(&list, q->v, doc)) < 0)
		return serve_library_failed(q, error);
	revs = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(revs, cli_revision_json(&list->items[i]));
	vault_revision_list_free(list);
	return serve_answer(q, MHD_HTTP_OK, json_pack("{s:s, s:o}", "doc", doc, "revisions", revs));
}

static enum MHD_Result get_revision(serve_req *q)
{
	vault_revision r;
	json_t *j;
	int error;

	if ((error = vault_doc_get(&r, q->v, q->part[1], q->part[2])) < 0)
		return serve_library_failed(q, error);
	j = cli_revision_json(&r);
	vault_revision_dispose(&r);
	return serve_answer(q, MHD_HTTP_OK, j);
}

/*
 * A revision's file number `n` (from 1), its bytes checked against their
 * SHA-256 on the way out, with that SHA-256 as its ETag.
 */
static enum MHD_Result get_file(serve_req *q)
{
	const char *doc = q->part[1], *rev = q->part[2], *n = q->part[4];
	const char *match = serve_header(q, MHD_HTTP_HEADER_IF_NONE_MATCH);
	char etag[80], *end;
	struct MHD_Response *resp;
	enum MHD_Result ok;
	unsigned long i;
	vault_revision r;
	int error, fd;

	i = strspn(n, "0123456789") == strlen(n) && strlen(n) <= 6 ? strtoul(n, &end, 10) : 0;
	if (i < 1 || *n == '0')
		return serve_failed(q, MHD_HTTP_NOT_FOUND, "no file '%s'", n);
	if ((error = vault_doc_get(&r, q->v, doc, rev)) < 0)
		return serve_library_failed(q, error);
	if (i > r.nfiles) {
		vault_revision_dispose(&r);
		return serve_failed(q, MHD_HTTP_NOT_FOUND, "'%s@%s' has no file %lu", doc, rev, i);
	}
	snprintf(etag, sizeof(etag), "\"%s\"", r.files[i - 1].sha256);
	if (match && strcmp(match, etag) == 0) {
		vault_revision_dispose(&r);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		ok = MHD_queue_response(q->c, MHD_HTTP_NOT_MODIFIED, resp);
		MHD_destroy_response(resp);
		return ok;
	}
	if ((fd = cli_scratch_file(vault_path(q->v))) < 0) {
		vault_revision_dispose(&r);
		return serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the file");
	}
	if ((error = vault_doc_cat(q->v, &r, i - 1, fd)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		vault_revision_dispose(&r);
		return error < 0 ? serve_library_failed(q, error) :
			serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the file");
	}
	q->sending = r.files[i - 1].size;
	resp = MHD_create_response_from_fd((size_t)r.files[i - 1].size, fd);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.files[i - 1].mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	vault_revision_dispose(&r);
	ok = MHD_queue_response(q->c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ok;
}

/*
 * POST /api/v1/documents/{doc}?type=T&name=N[&rev=R][&title=][&po=][&lot=]
 * [&meta=JSON]: to the writer.  A material certificate's EN 10204 data
 * comes as `meta`, the JSON text `add --meta` reads, so the file and its
 * data are one request and one commit, and nothing waits on the server
 * between two requests.
 */
static enum MHD_Result post_document(serve_req *q)
{
	enum MHD_Result answered;

	if (!serve_query(q, "type") || !serve_query(q, "name"))
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "name the document's type and file "
				    "name (?type=T&name=N)");
	if (serve_upload_checked(q, &answered) < 0)
		return answered;
	return serve_write(q, json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s*}",
					"op", "add", "doc", q->part[1],
					"type", serve_query(q, "type"),
					"name", serve_query(q, "name"), "rev", serve_query(q, "rev"),
					"title", serve_query(q, "title"), "po", serve_query(q, "po"),
					"lot", serve_query(q, "lot"), "meta", serve_query(q, "meta")),
			   q->body);
}

/* ---- traces, the audit, the change feed ---------------------------------- */

static enum MHD_Result get_lot(serve_req *q)
{
	char *text = NULL;
	int error = vault_trace_lot(&text, q->v, q->part[1]);

	return serve_answer_library(q, error, text);
}

static enum MHD_Result get_po(serve_req *q)
{
	char *text = NULL;
	int error = vault_trace_po(&text, q->v, q->part[1]);

	return serve_answer_library(q, error, text);
}

static enum MHD_Result get_audit(serve_req *q)
{
	char *text = NULL;
	size_t count;
	int error = vault_audit(&text, &count, q->v, serve_query(q, "org"), 14);

	return serve_answer_library(q, error, text);
}

/*
 * The change feed: the events after the commit `after` (none: from the
 * first), at most `limit` (100; 1000 at most), and the cursor to ask
 * from next.
 */
static enum MHD_Result get_events(serve_req *q)
{
	const char *after = serve_query(q, "after"), *lim = serve_query(q, "limit");
	vault_event_list *list = NULL;
	unsigned long limit = 100;
	size_t i = 0, end;
	json_t *arr, *j;
	char *e = NULL;
	int error;

	if (lim) {
		errno = 0;
		limit = strtoul(lim, &e, 10);
		if (errno || *e || !*lim || limit < 1 || limit > 1000)
			return serve_failed(q, MHD_HTTP_BAD_REQUEST, "limit '%s' is not from 1 to "
					    "1000", lim);
	}
	if ((error = vault_log(&list, q->v, NULL)) < 0)
		return serve_library_failed(q, error);
	if (after) {
		for (i = 0; i < list->count; i++)
			if (strcmp(list->items[i].commit, after) == 0)
				break;
		if (i == list->count) {
			vault_event_list_free(list);
			return serve_failed(q, MHD_HTTP_BAD_REQUEST, "no event '%s' to go on after",
					    after);
		}
		i++;
	}
	arr = json_array();
	end = list->count - i > limit ? i + limit : list->count;
	for (; i < end; i++)
		json_array_append_new(arr, cli_event_json(&list->items[i]));
	j = json_pack("{s:o, s:s?}", "events", arr, "next",
		      end ? list->items[end - 1].commit : after);
	vault_event_list_free(list);
	return serve_answer(q, MHD_HTTP_OK, j);
}

/* ---- the table ----------------------------------------------------------- */

const serve_route serve_routes[] = {
	{ "GET", "documents", 0, get_documents },
	{ "GET", "documents/{}", 0, get_document },
	{ "POST", "documents/{}", SERVE_BODY_FILE, post_document },
	{ "GET", "documents/{}/{}", 0, get_revision },
	{ "GET", "documents/{}/{}/files/{}", 0, get_file },
	{ "GET", "documents/{}/{}/statement", 0, serve_get_statement },
	{ "POST", "documents/{}/{}/acks", SERVE_BODY_JSON, serve_post_ack },
	{ "POST", "documents/{}/{}/release", SERVE_BODY_FILE, serve_post_release },
	{ "GET", "lots/{}", 0, get_lot },
	{ "GET", "pos/{}", 0, get_po },
	{ "POST", "pos/{}/acks", SERVE_BODY_JSON, serve_post_po_ack },
	{ "POST", "status", SERVE_BODY_JSON, serve_post_status },
	{ "POST", "asns", SERVE_BODY_JSON | SERVE_BODY_X12, serve_post_asns },
	{ "POST", "asns/{}/receipts", SERVE_BODY_JSON, serve_post_receipt },
	{ "POST", "ncrs", SERVE_BODY_JSON, serve_post_ncr },
	{ "POST", "ncrs/{}/close", SERVE_BODY_JSON, serve_post_ncr_close },
	{ "POST", "fai", SERVE_BODY_FILE, serve_post_fai },
	{ "GET", "audit", 0, get_audit },
	{ "GET", "events", 0, get_events },
	{ NULL, NULL, 0, NULL }
};
