/*
 * serve_routes.c - the routes of /api/v1/ (serve.h), and the answers of
 * documents, lots, the change feed and the audit (the other reads are
 * serve_reads.c's).  Each reads through the
 * library as the caller sees the vault, or hands a write to the writer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "serve.h"

/* ---- documents ---------------------------------------------------------- */

/* the most documents an answer lists, and so what one request holds */
#define DOCUMENTS_PAGE 1000

/*
 * The Link header (RFC 8288) to the page after `last`: the same query
 * with after=last, relative to the request (a query alone keeps its path,
 * whatever prefix a front puts before it).  Malloc'd.
 */
static char *next_link(const vault_list_filter *f, const char *last)
{
	const char *name[] = { "type", "part", "after" }, *value[] = { f->type, f->part, last };
	char *link = NULL, *e;
	size_t len, size, i;
	FILE *m = open_memstream(&link, &len);

	if (!m)
		abort();
	fprintf(m, "<?limit=%zu", f->limit);
	for (i = 0; i < 3; i++) {
		if (!value[i])
			continue;
		size = 3 * strlen(value[i]) + 1;
		if ((e = malloc(size)) == NULL || vault_uri_encode(e, size, value[i]) < 0)
			abort();
		fprintf(m, "&%s=%s", name[i], e);
		free(e);
	}
	fputs(">; rel=\"next\"", m);
	if (fclose(m) != 0 || !link)
		abort();
	return link;
}

/*
 * The latest revision of each document the caller sees, a page at a
 * time: `limit` of them (DOCUMENTS_PAGE, the most), those numbered after
 * `after`; a full page says where the next begins in a Link header.
 */
static enum MHD_Result get_documents(serve_req *q)
{
	const char *lim = serve_query(q, "limit");
	vault_list_filter f = { serve_query(q, "type"), serve_query(q, "part"),
				serve_query(q, "after"), DOCUMENTS_PAGE, 0 };
	vault_revision_list *list = NULL;
	json_t *arr;
	char *link = NULL, *e = NULL;
	size_t i;
	int error;
	enum MHD_Result kept, ok;

	if (serve_kept(q, &kept))
		return kept;
	if (lim) {
		unsigned long n;

		errno = 0;
		n = strtoul(lim, &e, 10);
		if (errno || *e || !isdigit((unsigned char)*lim) || n < 1 || n > DOCUMENTS_PAGE)
			return serve_failed(q, MHD_HTTP_BAD_REQUEST, "limit '%s' is not from 1 to %d",
					    lim, DOCUMENTS_PAGE);
		f.limit = n;
	}
	if ((error = vault_doc_list(&list, q->v, &f)) < 0)
		return serve_library_failed(q, error);
	arr = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(arr, cli_revision_json(&list->items[i]));
	if (list->count == f.limit)
		link = next_link(&f, list->items[list->count - 1].doc);
	vault_revision_list_free(list);
	ok = serve_answer_with(q, arr, link ? "Link" : NULL, link);
	free(link);
	return ok;
}

static enum MHD_Result get_document(serve_req *q)
{
	const char *doc = q->part[1];
	vault_revision_list *list = NULL;
	json_t *revs, *j;
	size_t i;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_doc_revisions(&list, q->v, doc)) < 0)
		return serve_library_failed(q, error);
	revs = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(revs, cli_with_certificate(cli_revision_json(&list->items[i]),
								 q->v, &list->items[i]));
	/* as show DOC --json prints it (the library answers 404 for no revision) */
	j = json_pack("{s:s, s:s?, s:o}", "doc", doc, "type",
		      list->count ? list->items[0].type : NULL, "revisions", revs);
	vault_revision_list_free(list);
	return serve_answer(q, MHD_HTTP_OK, j);
}

static enum MHD_Result get_revision(serve_req *q)
{
	vault_revision r;
	json_t *j;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if ((error = vault_doc_get(&r, q->v, q->part[1], q->part[2])) < 0)
		return serve_library_failed(q, error);
	j = cli_with_certificate(cli_revision_json(&r), q->v, &r);
	vault_revision_dispose(&r);
	return serve_answer(q, MHD_HTTP_OK, j);
}

/*
 * The one range of a Range header ("bytes=A-B", "bytes=A-", "bytes=-N")
 * within `size`: 1 with [*from, *to] set, 0 when the header asks for no
 * range we serve (absent, several ranges, another unit: the whole file is
 * the answer, as RFC 9110 allows), -1 when it cannot be satisfied.
 */
static int range_of(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	unsigned long long a = 0, b = 0;
	const char *p;
	char *end;

	if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return 0;
	p = h + 6;
	if (*p == '-') {
		/* the last N bytes */
		if (!isdigit((unsigned char)p[1]))
			return 0;
		errno = 0;
		b = strtoull(p + 1, &end, 10);
		if (errno || *end)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	a = strtoull(p, &end, 10);
	if (errno || *end != '-')
		return 0;
	p = end + 1;
	if (*p) {
		if (!isdigit((unsigned char)*p))
			return 0;
		b = strtoull(p, &end, 10);
		if (errno || *end || b < a)
			return 0;
	} else {
		b = size ? size - 1 : 0;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b >= size ? size - 1 : b;
	return 1;
}

/*
 * A verified copy of file `i` of `r`: from the cache, or staged (its bytes
 * checked against their SHA-256 on the way) and then cached; -1 answered.
 */
static int verified_copy(serve_req *q, vault_revision *r, size_t i, enum MHD_Result *answered)
{
	int fd, error;

	/* a marked revision's bytes come through vault_doc_cat each time,
	 * which journals the download first: never from the cache */
	if (!r->marking && (fd = serve_cache_get(q, r->files[i].sha256)) >= 0)
		return fd;
	if ((fd = serve_scratch(q)) < 0) {
		*answered = serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the file");
		return -1;
	}
	if ((error = vault_doc_cat(q->v, r, i, fd)) < 0) {
		close(fd);
		*answered = serve_library_failed(q, error);
		return -1;
	}
	if (!r->marking)
		serve_cache_put(q, r->files[i].sha256, fd, r->files[i].size);
	return fd;
}

int serve_disposition(char *out, size_t size, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	char plain[256], coded[700];
	size_t p = 0, c = 0;
	const unsigned char *s;

	for (s = (const unsigned char *)name; *s; s++) {
		int safe = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			   (*s >= '0' && *s <= '9') || strchr("-._", *s);

		if (p + 1 >= sizeof(plain) || c + 3 >= sizeof(coded))
			return -1;
		plain[p++] = safe ? (char)*s : '_';
		if (safe) {
			coded[c++] = (char)*s;
		} else {
			coded[c++] = '%';
			coded[c++] = hex[*s >> 4];
			coded[c++] = hex[*s & 15];
		}
	}
	plain[p] = coded[c] = '\0';
	return cli_fmt(out, size, "the file's name", "attachment; filename=\"%s\"; "
		       "filename*=UTF-8''%s", plain, coded);
}

/*
 * A revision's file number `n` (from 1), its bytes checked against their
 * SHA-256, with that SHA-256 as its ETag; one range of it on request.
 */
enum MHD_Result serve_get_file(serve_req *q)
{
	const char *doc = q->part[1], *rev = q->part[2], *n = q->part[4];
	const char *match = serve_header(q, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *if_range = serve_header(q, MHD_HTTP_HEADER_IF_RANGE);
	char etag[80], span[96], cd[1024], *end;
	struct MHD_Response *resp;
	enum MHD_Result ok;
	unsigned long i;
	uint64_t size, from = 0, to = 0;
	vault_revision r;
	int error, fd, ranged;

	i = strspn(n, "0123456789") == strlen(n) && strlen(n) <= 6 ? strtoul(n, &end, 10) : 0;
	if (i < 1 || *n == '0')
		return serve_failed(q, MHD_HTTP_NOT_FOUND, "no file '%s'", n);
	if ((error = vault_doc_get(&r, q->v, doc, rev)) < 0)
		return serve_library_failed(q, error);
	if (i > r.nfiles) {
		vault_revision_dispose(&r);
		return serve_failed(q, MHD_HTTP_NOT_FOUND, "'%s@%s' has no file %lu", doc, rev, i);
	}
	if (cli_fmt(etag, sizeof(etag), "the ETag", "\"%s\"", r.files[i - 1].sha256) < 0) {
		vault_revision_dispose(&r);
		return serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "a malformed SHA-256");
	}
	size = r.files[i - 1].size;
	if (match && strcmp(match, etag) == 0) {
		vault_revision_dispose(&r);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		ok = MHD_queue_response(q->c, MHD_HTTP_NOT_MODIFIED, resp);
		MHD_destroy_response(resp);
		return ok;
	}
	/* a range of another version of the file is no answer: send it whole */
	ranged = if_range && strcmp(if_range, etag) != 0 ? 0 :
		range_of(serve_header(q, MHD_HTTP_HEADER_RANGE), size, &from, &to);
	if (ranged < 0) {
		vault_revision_dispose(&r);
		/* 20 digits at most: it fits */
		(void)cli_fmt(span, sizeof(span), "the range", "bytes */%llu",
			      (unsigned long long)size);
		return serve_failed_with(q, MHD_HTTP_RANGE_NOT_SATISFIABLE,
					 MHD_HTTP_HEADER_CONTENT_RANGE, span,
					 "the file has %llu bytes", (unsigned long long)size);
	}
	if ((fd = verified_copy(q, &r, i - 1, &ok)) < 0) {
		vault_revision_dispose(&r);
		return ok;
	}
	if (!ranged)
		to = size ? size - 1 : 0;
	q->sending = size ? to - from + 1 : 0;
	if ((resp = MHD_create_response_from_fd_at_offset64(q->sending, fd, from)) == NULL) {
		close(fd);
		vault_revision_dispose(&r);
		return serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot send the file");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.files[i - 1].mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* an upload is never a page of this site: saved, not shown, and if a
	 * browser shows it anyway, with no script and in no origin of ours */
	MHD_add_response_header(resp, "Content-Security-Policy", "sandbox; default-src 'none'");
	if (serve_disposition(cd, sizeof(cd), r.files[i - 1].name) == 0)
		MHD_add_response_header(resp, "Content-Disposition", cd);
	if (ranged) {
		(void)cli_fmt(span, sizeof(span), "the range", "bytes %llu-%llu/%llu",
			      (unsigned long long)from, (unsigned long long)to,
			      (unsigned long long)size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, span);
	}
	vault_revision_dispose(&r);
	ok = MHD_queue_response(q->c, ranged ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, resp);
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
	if (!serve_query(q, "type") || !serve_query(q, "name"))
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "name the document's type and file "
				    "name (?type=T&name=N)");
	return serve_write(q, json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s*, s:s*, s:s*, s:s*, s:s*,"
					" s:s*}",
					"op", "add", "doc", q->part[1],
					"type", serve_query(q, "type"),
					"name", serve_query(q, "name"), "rev", serve_query(q, "rev"),
					"title", serve_query(q, "title"), "po", serve_query(q, "po"),
					"lot", serve_query(q, "lot"), "meta", serve_query(q, "meta"),
					"expires", serve_query(q, "expires"),
					"review_by", serve_query(q, "review_by")),
			   q->body);
}

/* ---- traces, the audit, the change feed ---------------------------------- */

static enum MHD_Result get_lot(serve_req *q)
{
	char *text = NULL;
	int error = vault_trace_lot(&text, q->v, q->part[1]);

	return serve_answer_library(q, error, text);
}

static enum MHD_Result get_audit(serve_req *q)
{
	char *text = NULL;
	size_t count;
	int error = vault_audit(&text, &count, q->v, serve_query(q, "org"), 14, -1);

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
	size_t i;
	json_t *arr, *j;
	char *e = NULL;
	int error;
	enum MHD_Result kept;

	if (serve_kept(q, &kept))
		return kept;
	if (lim) {
		errno = 0;
		limit = strtoul(lim, &e, 10);
		if (errno || *e || !*lim || limit < 1 || limit > 1000)
			return serve_failed(q, MHD_HTTP_BAD_REQUEST, "limit '%s' is not from 1 to "
					    "1000", lim);
	}
	if ((error = vault_log_after(&list, q->v, after, limit)) < 0) {
		if (error == VAULT_ENOTFOUND)
			return serve_failed(q, MHD_HTTP_BAD_REQUEST, "no event '%s' to go on after",
					    after);
		return serve_library_failed(q, error);
	}
	arr = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(arr, cli_event_json(&list->items[i]));
	j = json_pack("{s:o, s:s?}", "events", arr, "next",
		      list->count ? list->items[list->count - 1].commit : after);
	vault_event_list_free(list);
	return serve_answer(q, MHD_HTTP_OK, j);
}

/* ---- the table ----------------------------------------------------------- */

const serve_route serve_routes[] = {
	{ "GET", "documents", 0, get_documents },
	{ "GET", "documents/{}", 0, get_document },
	{ "POST", "documents/{}", SERVE_BODY_FILE, post_document },
	{ "GET", "documents/{}/{}", 0, get_revision },
	{ "GET", "documents/{}/{}/files/{}", 0, serve_get_file },
	{ "GET", "documents/{}/{}/trace", 0, serve_get_revision_trace },
	{ "GET", "documents/{}/{}/acks", 0, serve_get_revision_acks },
	{ "POST", "documents/{}/{}/acks", SERVE_BODY_JSON, serve_post_ack },
	{ "GET", "documents/{}/{}/statement", 0, serve_get_statement },
	{ "POST", "documents/{}/{}/release", SERVE_BODY_FILE, serve_post_release },
	{ "GET", "lots/{}", 0, get_lot },
	{ "GET", "inbox", 0, serve_get_inbox },
	{ "GET", "pos", 0, serve_get_pos },
	{ "GET", "pos/{}", 0, serve_get_po },
	{ "GET", "pos/{}/acks", 0, serve_get_po_acks },
	{ "POST", "pos/{}/acks", SERVE_BODY_JSON, serve_post_po_ack },
	{ "POST", "pos/{}/changes", SERVE_BODY_JSON, serve_post_po_change },
	{ "GET", "pos/{}/trace", 0, serve_get_po_trace },
	{ "GET", "asns", 0, serve_get_asns },
	{ "POST", "asns", SERVE_BODY_JSON | SERVE_BODY_X12, serve_post_asns },
	{ "GET", "asns/{}", 0, serve_get_asn },
	{ "POST", "asns/{}/receipts", SERVE_BODY_JSON, serve_post_receipt },
	{ "GET", "status", 0, serve_get_status },
	{ "POST", "status", SERVE_BODY_JSON, serve_post_status },
	{ "GET", "ncrs", 0, serve_get_ncrs },
	{ "POST", "ncrs", SERVE_BODY_JSON, serve_post_ncr },
	{ "GET", "ncrs/{}", 0, serve_get_ncr },
	{ "POST", "ncrs/{}/close", SERVE_BODY_JSON, serve_post_ncr_close },
	{ "POST", "fai", SERVE_BODY_FILE, serve_post_fai },
	{ "GET", "fai/{}", 0, serve_get_fai },
	{ "GET", "fai/{}/{}", 0, serve_get_fai },
	{ "GET", "forecasts/{}", 0, serve_get_forecast },
	{ "GET", "scorecard", 0, serve_get_scorecard },
	{ "GET", "audit", 0, get_audit },
	{ "GET", "events", 0, get_events },
	{ NULL, NULL, 0, NULL }
};
