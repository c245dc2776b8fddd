/*
 * serve_api.c - the HTTP side of `qvault serve`: libmicrohttpd parses
 * HTTP; this maps /api/v1/... to the library's reads, answered as the
 * token's user sees the vault (vault_set_reader), and hands writes to the
 * writer (serve_writer.c).  It never loads a key.
 *
 * Every answer is JSON; every error is {"error": "one line"} with its
 * status.  Another organization's record answers 404, as one that does
 * not exist: the library answers so, and this passes it on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "serve.h"

#define API "/api/v1/"
#define PARTS_MAX 8
/* failed authentications a client address may make in a minute */
#define AUTH_FAILURES_MAX 10
#define CLIENTS_MAX 256

struct serve_api {
	vault *v;          /* opened with no key: reads only */
	char *dir;
	int writer;        /* the socket to the writer */
	struct {
		char addr[INET6_ADDRSTRLEN];
		time_t since;
		unsigned failures;
	} clients[CLIENTS_MAX];
};

/* One request, between the calls libmicrohttpd makes for it. */
typedef struct {
	int upload;             /* the body of a POST, spooled; -1 */
	unsigned long long got; /* its bytes so far */
	uint64_t limit;
	int too_large;
	int answered;           /* refused as soon as the headers came: the body is dropped */
	char *user;             /* the token's user */
	const char *token;      /* the token (libmicrohttpd's copy of the header) */
	int may_write;
} request;

int serve_api_new(serve_api **out, const char *dir, int writer)
{
	serve_api *api = calloc(1, sizeof(*api));

	if (!api)
		abort();
	api->dir = strdup(dir);
	api->writer = writer;
	if (!api->dir || vault_open(&api->v, dir, NULL, NULL) < 0) {
		serve_api_free(api);
		return -1;
	}
	*out = api;
	return 0;
}

void serve_api_free(serve_api *api)
{
	if (!api)
		return;
	vault_free(api->v);
	free(api->dir);
	free(api);
}

/* ---- answers ----------------------------------------------------------- */

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (!text)
		abort();
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* `j` (taken over) as the answer. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, json_t *j)
{
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));

	json_decref(j);
	return answer_text(c, status, text);
}

static enum MHD_Result failed(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum MHD_Result failed(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(message, sizeof(message), fmt, ap) >= (int)sizeof(message))
		memcpy(message + sizeof(message) - 4, "...", 4); /* a message, marked cut */
	va_end(ap);
	return answer(c, status, json_pack("{s:s}", "error", message));
}

/* The library's last failure, with the status its code means. */
static enum MHD_Result library_failed(struct MHD_Connection *c, int error)
{
	unsigned status = error == VAULT_ENOTFOUND ? MHD_HTTP_NOT_FOUND :
		error == VAULT_EINVALID ? MHD_HTTP_BAD_REQUEST :
		error == VAULT_EDENIED ? MHD_HTTP_FORBIDDEN :
		error == VAULT_EEXISTS ? MHD_HTTP_CONFLICT :
		error == VAULT_ELOCKED ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR;

	return failed(c, status, "%s", vault_error_message());
}

/* JSON text the library made (trace, audit), taken over, as the answer. */
static enum MHD_Result answer_library_json(struct MHD_Connection *c, int error, char *text)
{
	if (error < 0) {
		free(text);
		return library_failed(c, error);
	}
	return answer_text(c, MHD_HTTP_OK, text);
}

/* ---- who asks ----------------------------------------------------------- */

static void client_addr(char *buf, size_t size, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = i ? i->client_addr : NULL;

	buf[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
			  (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  buf, (socklen_t)size);
	if (!buf[0])
		snprintf(buf, size, "%s", "local");
	/* behind nginx (a Unix socket or loopback) the client is nginx's $remote_addr */
	if (strcmp(buf, "local") == 0 || strncmp(buf, "127.", 4) == 0 || strcmp(buf, "::1") == 0) {
		const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							      "X-Forwarded-For");
		const char *last = xff ? strrchr(xff, ',') : NULL;
		unsigned char bin[sizeof(struct in6_addr)];
		char addr[INET6_ADDRSTRLEN];

		last = last ? last + 1 : xff;
		while (last && *last == ' ')
			last++;
		if (last && strlen(last) < sizeof(addr)) {
			memcpy(addr, last, strlen(last) + 1);
			if (inet_pton(AF_INET, addr, bin) == 1 || inet_pton(AF_INET6, addr, bin) == 1)
				snprintf(buf, size, "%s", addr);
		}
	}
}

/* The rate limit's slot of `addr` (the oldest slot is taken over). */
static size_t slot_of(serve_api *api, const char *addr, time_t now)
{
	size_t i, oldest = 0;

	for (i = 0; i < CLIENTS_MAX; i++) {
		if (strcmp(api->clients[i].addr, addr) == 0)
			break;
		if (api->clients[i].since < api->clients[oldest].since)
			oldest = i;
	}
	if (i == CLIENTS_MAX) {
		i = oldest;
		snprintf(api->clients[i].addr, sizeof(api->clients[i].addr), "%s", addr);
		api->clients[i].failures = 0;
		api->clients[i].since = now;
	}
	if (now - api->clients[i].since >= 60) {
		api->clients[i].failures = 0;
		api->clients[i].since = now;
	}
	return i;
}

/*
 * The token of the request (its Authorization: Bearer), checked as soon as
 * the headers are in, before any byte of a body is taken: its user and
 * scope into `r`.  0, or the answer given.
 */
static int authenticate(serve_api *api, struct MHD_Connection *c, request *r,
			enum MHD_Result *answered)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	char addr[INET6_ADDRSTRLEN];
	time_t now = time(NULL);
	vault_user u;
	size_t slot;

	client_addr(addr, sizeof(addr), c);
	slot = slot_of(api, addr, now);
	if (api->clients[slot].failures >= AUTH_FAILURES_MAX) {
		*answered = failed(c, MHD_HTTP_TOO_MANY_REQUESTS,
				   "too many failed authentications; wait a minute");
		return -1;
	}
	/* the scheme's name is case-insensitive (RFC 9110) */
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 ||
	    vault_token_check(&u, &r->may_write, NULL, api->v, h + 7, (int64_t)now) < 0) {
		api->clients[slot].failures++;
		*answered = failed(c, MHD_HTTP_UNAUTHORIZED, "invalid token");
		return -1;
	}
	if ((r->user = strdup(u.name)) == NULL)
		abort();
	vault_user_dispose(&u);
	r->token = h + 7;
	return 0;
}

/* ---- routes ------------------------------------------------------------- */

/* Split what follows /api/v1/ at '/'; -1 for an empty or dot component. */
static int split(char *path, char **part, size_t *n)
{
	char *p = path, *slash;

	*n = 0;
	while (*p) {
		if (*n == PARTS_MAX)
			return -1;
		part[(*n)++] = p;
		if ((slash = strchr(p, '/')) != NULL)
			*slash = '\0';
		if (!*p || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
			return -1;
		if (!slash)
			break;
		p = slash + 1;
		if (!*p)
			return -1;
	}
	return 0;
}

static const char *query(struct MHD_Connection *c, const char *key)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result get_documents(serve_api *api, struct MHD_Connection *c)
{
	vault_list_filter f = { query(c, "type"), query(c, "part") };
	vault_revision_list *list = NULL;
	json_t *arr;
	size_t i;
	int error;

	if ((error = vault_doc_list(&list, api->v, &f)) < 0)
		return library_failed(c, error);
	arr = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(arr, cli_revision_json(&list->items[i]));
	vault_revision_list_free(list);
	return answer(c, MHD_HTTP_OK, arr);
}

static enum MHD_Result get_document(serve_api *api, struct MHD_Connection *c, const char *doc)
{
	vault_revision_list *list = NULL;
	json_t *revs;
	size_t i;
	int error;

	if ((error = vault_doc_revisions(&list, api->v, doc)) < 0)
		return library_failed(c, error);
	revs = json_array();
	for (i = 0; i < list->count; i++)
		json_array_append_new(revs, cli_revision_json(&list->items[i]));
	vault_revision_list_free(list);
	return answer(c, MHD_HTTP_OK, json_pack("{s:s, s:o}", "doc", doc, "revisions", revs));
}

static enum MHD_Result get_revision(serve_api *api, struct MHD_Connection *c, const char *doc,
				    const char *rev)
{
	vault_revision r;
	json_t *j;
	int error;

	if ((error = vault_doc_get(&r, api->v, doc, rev)) < 0)
		return library_failed(c, error);
	j = cli_revision_json(&r);
	vault_revision_dispose(&r);
	return answer(c, MHD_HTTP_OK, j);
}

/*
 * A revision's file number `n` (from 1), its bytes checked against their
 * SHA-256 on the way out, with that SHA-256 as its ETag.
 */
static enum MHD_Result get_file(serve_api *api, struct MHD_Connection *c, const char *doc,
				const char *rev, const char *n)
{
	const char *match = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_IF_NONE_MATCH);
	char etag[80], *end;
	struct MHD_Response *resp;
	enum MHD_Result ok;
	unsigned long i;
	vault_revision r;
	int error, fd;

	errno = 0;
	i = strspn(n, "0123456789") == strlen(n) && strlen(n) <= 6 ? strtoul(n, &end, 10) : 0;
	if (i < 1 || *n == '0')
		return failed(c, MHD_HTTP_NOT_FOUND, "no file '%s'", n);
	if ((error = vault_doc_get(&r, api->v, doc, rev)) < 0)
		return library_failed(c, error);
	if (i > r.nfiles) {
		vault_revision_dispose(&r);
		return failed(c, MHD_HTTP_NOT_FOUND, "'%s@%s' has no file %lu", doc, rev, i);
	}
	snprintf(etag, sizeof(etag), "\"%s\"", r.files[i - 1].sha256);
	if (match && strcmp(match, etag) == 0) {
		vault_revision_dispose(&r);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		ok = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, resp);
		MHD_destroy_response(resp);
		return ok;
	}
	if ((fd = cli_scratch_file(api->dir)) < 0) {
		vault_revision_dispose(&r);
		return failed(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the file");
	}
	if ((error = vault_doc_cat(api->v, &r, i - 1, fd)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		vault_revision_dispose(&r);
		return error < 0 ? library_failed(c, error) :
			failed(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the file");
	}
	resp = MHD_create_response_from_fd((size_t)r.files[i - 1].size, fd);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.files[i - 1].mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	vault_revision_dispose(&r);
	ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ok;
}

/*
 * The change feed: the events after the commit `after` (none: from the
 * first), at most `limit` (100; 1000 at most), and the cursor to ask
 * from next.
 */
static enum MHD_Result get_events(serve_api *api, struct MHD_Connection *c)
{
	const char *after = query(c, "after"), *lim = query(c, "limit");
	vault_event_list *list = NULL;
	unsigned long limit = 100;
	size_t i = 0, end;
	json_t *arr;
	char *e = NULL;
	int error;

	if (lim) {
		errno = 0;
		limit = strtoul(lim, &e, 10);
		if (errno || *e || !*lim || limit < 1 || limit > 1000)
			return failed(c, MHD_HTTP_BAD_REQUEST, "limit '%s' is not from 1 to 1000", lim);
	}
	if ((error = vault_log(&list, api->v, NULL)) < 0)
		return library_failed(c, error);
	if (after) {
		for (i = 0; i < list->count; i++)
			if (strcmp(list->items[i].commit, after) == 0)
				break;
		if (i == list->count) {
			vault_event_list_free(list);
			return failed(c, MHD_HTTP_BAD_REQUEST, "no event '%s' to go on after", after);
		}
		i++;
	}
	arr = json_array();
	end = list->count - i > limit ? i + limit : list->count;
	for (; i < end; i++)
		json_array_append_new(arr, cli_event_json(&list->items[i]));
	{
		json_t *j = json_pack("{s:o, s:s?}", "events", arr, "next",
				      end ? list->items[end - 1].commit : after);

		vault_event_list_free(list);
		return answer(c, MHD_HTTP_OK, j);
	}
}

/* POST /api/v1/documents/{doc}?type=T&name=N[&rev=R][&title=][&po=][&lot=]: to the writer. */
static enum MHD_Result post_document(serve_api *api, struct MHD_Connection *c, const char *doc,
				     const char *token, request *r)
{
	const char *want = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Content-SHA256");
	json_t *req, *reply = NULL;
	char *text, *got = NULL, sum[65];
	unsigned status;

	if (!query(c, "type") || !query(c, "name"))
		return failed(c, MHD_HTTP_BAD_REQUEST, "name the document's type and file name "
			      "(?type=T&name=N)");
	if (lseek(r->upload, 0, SEEK_SET) < 0 || vault_sha256_fd(sum, r->upload) < 0 ||
	    lseek(r->upload, 0, SEEK_SET) < 0)
		return failed(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the upload back");
	if (want && strcasecmp(want, sum) != 0)
		return failed(c, MHD_HTTP_BAD_REQUEST, "the upload does not match its SHA-256 (cut "
			      "short or changed on the way): nothing was recorded");
	req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "op", "add",
			"token", token, "doc", doc, "type", query(c, "type"), "name",
			query(c, "name"), "rev", query(c, "rev"), "title", query(c, "title"),
			"po", query(c, "po"), "lot", query(c, "lot"));
	text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!text)
		return failed(c, MHD_HTTP_BAD_REQUEST, "a malformed request");
	if (serve_writer_call(api->writer, text, r->upload, &got) < 0 ||
	    !(reply = json_loads(got, 0, NULL))) {
		free(text);
		free(got);
		return failed(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the writer is not answering; "
			      "nothing was recorded");
	}
	/* the request held the token */
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	free(got);
	status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	if (json_object_get(reply, "error")) {
		enum MHD_Result ok = failed(c, status, "%s",
					    json_string_value(json_object_get(reply, "error")));

		json_decref(reply);
		return ok;
	}
	{
		json_t *body = json_incref(json_object_get(reply, "body"));

		json_decref(reply);
		return answer(c, status, body);
	}
}

static enum MHD_Result route(serve_api *api, struct MHD_Connection *c, const char *url,
			     const char *method, request *r)
{
	char path[4096], *part[PARTS_MAX];
	enum MHD_Result answered;
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	size_t n;

	if (strncmp(url, API, strlen(API)) != 0 || strlen(url) >= sizeof(path))
		return failed(c, MHD_HTTP_NOT_FOUND, "no such resource");
	memcpy(path, url + strlen(API), strlen(url + strlen(API)) + 1);
	if (split(path, part, &n) < 0 || n == 0)
		return failed(c, MHD_HTTP_NOT_FOUND, "no such resource");
	if (r->too_large)
		return failed(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is over this vault's limit "
			      "of %llu bytes", (unsigned long long)r->limit);
	vault_set_reader(api->v, r->user);
	if (get && n == 1 && strcmp(part[0], "documents") == 0)
		answered = get_documents(api, c);
	else if (get && n == 2 && strcmp(part[0], "documents") == 0)
		answered = get_document(api, c, part[1]);
	else if (get && n == 3 && strcmp(part[0], "documents") == 0)
		answered = get_revision(api, c, part[1], part[2]);
	else if (get && n == 5 && strcmp(part[0], "documents") == 0 &&
		 strcmp(part[3], "files") == 0)
		answered = get_file(api, c, part[1], part[2], part[4]);
	else if (get && n == 2 && strcmp(part[0], "lots") == 0) {
		char *text = NULL;
		int error = vault_trace_lot(&text, api->v, part[1]);

		answered = answer_library_json(c, error, text);
	} else if (get && n == 2 && strcmp(part[0], "pos") == 0) {
		char *text = NULL;
		int error = vault_trace_po(&text, api->v, part[1]);

		answered = answer_library_json(c, error, text);
	} else if (get && n == 1 && strcmp(part[0], "audit") == 0) {
		char *text = NULL;
		size_t count;
		int error = vault_audit(&text, &count, api->v, query(c, "org"), 14);

		answered = answer_library_json(c, error, text);
	} else if (get && n == 1 && strcmp(part[0], "events") == 0)
		answered = get_events(api, c);
	else if (post && n == 2 && strcmp(part[0], "documents") == 0 && r->upload >= 0)
		answered = post_document(api, c, part[1], r->token, r);
	else
		answered = failed(c, post ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND,
				  "no such resource");
	vault_set_reader(api->v, NULL);
	return answered;
}

/* ---- libmicrohttpd's calls ---------------------------------------------- */

/*
 * What can be judged from the headers alone is, before any byte of a body
 * is taken: the method, the token, and for an upload its scope, its
 * Content-Type and its declared length.  A refusal is queued at once.
 */
static enum MHD_Result first_call(serve_api *api, struct MHD_Connection *c, const char *method,
				  request *r)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	enum MHD_Result answered;

	r->answered = 1;
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		return failed(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method %s is not allowed", method);
	if (authenticate(api, c, r, &answered) < 0)
		return answered;
	if (strcmp(method, "POST") != 0) {
		r->answered = 0;
		return MHD_YES;
	}
	if (!r->may_write)
		return failed(c, MHD_HTTP_FORBIDDEN, "the token may only read");
	/* the body is the file, as it is: not a form, not JSON */
	if (type && strcasecmp(type, "application/octet-stream") != 0)
		return failed(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send the file as "
			      "application/octet-stream, not %.64s", type);
	if (vault_limit_check(&r->limit, api->v, VAULT_LIMIT_UPLOAD, NULL, "the body", 0) < 0)
		return library_failed(c, VAULT_ERROR);
	if (length && strtoull(length, NULL, 10) > r->limit)
		return failed(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is over this vault's limit "
			      "of %llu bytes", (unsigned long long)r->limit);
	if ((r->upload = cli_scratch_file(api->dir)) < 0)
		return failed(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot take the upload");
	r->answered = 0;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	serve_api *api = cls;
	request *r = *state;

	(void)version;
	if (!r) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			abort();
		r->upload = -1;
		*state = r;
		return first_call(api, c, method, r);
	}
	if (r->answered) {
		*size = 0;
		return MHD_YES;
	}
	if (*size) {
		/* past the limit the rest is read and dropped: the answer says why */
		if (r->upload >= 0 && !r->too_large) {
			r->got += *size;
			if (r->got > r->limit)
				r->too_large = 1;
			else if (write(r->upload, data, *size) != (ssize_t)*size)
				return MHD_NO;
		}
		*size = 0;
		return MHD_YES;
	}
	return route(api, c, url, method, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode why)
{
	request *r = *state;

	(void)cls;
	(void)c;
	(void)why;
	if (!r)
		return;
	if (r->upload >= 0)
		close(r->upload);
	free(r->user);
	free(r);
	*state = NULL;
}

struct MHD_Daemon *serve_api_start(serve_api *api, int fd)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
				MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, api,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)2000,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				MHD_OPTION_END);
}
