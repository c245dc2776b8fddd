/*
 * serve_api.c - the HTTP side of `qvault serve`: libmicrohttpd parses
 * HTTP; this authenticates the caller, takes the body, finds the route
 * (serve_routes.c) and hands it a vault that reads as the token's user
 * sees it (vault_set_reader).  Writes go to the writer (serve_writer.c).
 * It never loads a key.
 *
 * Every answer is JSON; every error is {"error": "one line"} with its
 * status.  Another organization's record answers 404, as one that does
 * not exist: the library answers so, and this passes it on.
 *
 * Threads: libmicrohttpd runs a pool of threads, each with its own
 * connections; a request borrows a vault handle from a small pool for as
 * long as a call into the library lasts (handles are not shared between
 * threads).  A watchdog thread cuts connections past their deadline: the
 * headers must come within the timeout, a body and an answer at
 * SERVE_MIN_RATE or faster after it, so a client that trickles a byte a
 * second holds a connection for one timeout, not for hours.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"
#include "serve.h"

#define API "/api/v1/"
#define PARTS_MAX 8
/* failed authentications a client address may make in a minute */
#define AUTH_FAILURES_MAX 10
#define CLIENTS_MAX 256
/* the slowest a body may come in or an answer be taken, after the timeout */
#define SERVE_MIN_RATE (32 * 1024)
#define THREADS 4
/* the cache of verified copies: files, and bytes in all */
#define CACHE_FILES 64
#define CACHE_BYTES (1024ULL * 1024 * 1024)
/* kept answers: how many, their bytes in all, the largest one kept */
#define KEPT_ANSWERS 256
#define KEPT_BYTES (16u * 1024 * 1024)
#define KEPT_ANSWER_MAX (4u * 1024 * 1024)
/* tokens found good: how many, and for how long at one version (an
 * expiry is a day's end: a token may outlive it by this much) */
#define KEPT_TOKENS 64
#define KEPT_TOKEN_SECONDS 10
#define CONNECTIONS_MAX 2000
/* answers being made at once that others may wait for, and how long they wait */
#define MAKING 32
#define MAKING_WAIT 5

/* A connection, for the watchdog. */
typedef struct conn {
	struct conn *prev, *next;
	int fd;
	time_t deadline;
} conn;

struct serve_api {
	char *dir;
	char *origin;              /* the portal's; NULL: no portal */
	char *spool;               /* where bodies and downloads are staged */
	unsigned timeout;          /* seconds */

	pthread_mutex_t writer_lock;
	int writer;                /* the socket to the writer, one call at a time */

	pthread_mutex_t handles_lock;
	vault *handles[THREADS * 2]; /* opened, idle, with no reader set */
	size_t nhandles;

	pthread_mutex_t clients_lock;
	struct {
		char addr[INET6_ADDRSTRLEN];
		time_t since;
		unsigned failures;
	} clients[CLIENTS_MAX];

	pthread_mutex_t cache_lock;
	struct {
		char sha256[65];
		int fd;
		uint64_t size;
		unsigned long long used; /* when last given out, in a count of uses */
	} cache[CACHE_FILES];
	unsigned long long uses;

	/* answers and tokens, each for the vault's version it was made at */
	pthread_mutex_t kept_lock;
	struct {
		char *key;       /* reader, path and query */
		char version[41];
		long long minute; /* a page's: when it was made (NO_CLOCK: an API answer) */
		/* the answer, made once and queued for each asker (libmicrohttpd
		 * counts its users: one held here, one per connection sending it) */
		struct MHD_Response *answer;
		size_t len;
		unsigned long long used;
	} kept[KEPT_ANSWERS];
	struct {
		char sha256[65]; /* of the whole token */
		char version[41];
		time_t at;
		char *user;
		int may_write;
	} tokens[KEPT_TOKENS];
	unsigned long long kept_uses;
	/* answers being made, each by one asker; `made` wakes who waits for one */
	struct {
		char *key;
		char version[41];
	} making[MAKING];
	pthread_cond_t made;
	struct {
		char sha256[65]; /* of the session cookie */
		time_t at;
		char *user, *csrf;
		int asking;      /* one asker is asking the writer again */
	} sessions[KEPT_TOKENS];
	unsigned long long forgets; /* sessions forgotten so far */

	pthread_mutex_t conns_lock;
	pthread_cond_t stop;
	conn conns;                /* the list's head */
	int stopping;
	pthread_t watchdog;
	int watching;
};

/* One request, between the calls libmicrohttpd makes for it. */
typedef struct {
	const serve_route *route;
	char path[4096];          /* what follows /api/v1/, split */
	char *part[PARTS_MAX];
	size_t nparts;
	int body;                 /* the body, spooled; -1 */
	const char *body_type;
	unsigned long long got;   /* its bytes so far */
	uint64_t limit;
	time_t body_since;
	int too_large;
	int answered;             /* refused as soon as the headers came: the body is dropped */
	char *user;               /* the token's user */
	const char *token;        /* the token (libmicrohttpd's copy of the header) */
	int may_write;
	const char *url;          /* libmicrohttpd's, for as long as the request */
	EVP_MD_CTX *hash;         /* the body's SHA-256 as it comes, when the client gave one */
	char sha256[65];
	/* a page of the portal */
	const serve_page *page;
	serve_api *api;
	unsigned long long file_got; /* a multipart form's file, its bytes so far */
	unsigned long long raw;   /* a form's bytes so far, as they came */
	int multipart;            /* the form is multipart/form-data */
	const char *session;      /* the cookie (libmicrohttpd's copy) */
	char *csrf;
	json_t *form;             /* a form's fields (and a file's name: file.name) */
	struct MHD_PostProcessor *pp;
	int bad_form;             /* the form could not be read whole */
	/* the answer to a request refused as soon as its headers came, kept
	 * until its body, if any, came and was dropped: answered at once, the
	 * connection would close on the unread bytes, and a proxy in front
	 * (nginx) that was still sending them answers 502 instead */
	struct MHD_Response *refusal;
	unsigned refusal_status;
} request;

/* a refused request's body is read and dropped up to this much; one
 * declared longer is answered at once (a client sending that much waits
 * for an early answer: Expect: 100-continue) */
#define REFUSED_BODY_MAX (1ull << 20)

/* the request whose first call is running in this thread: its refusal is kept */
static _Thread_local request *first_of;

/* ---- the pool of vault handles ------------------------------------------ */

static vault *borrow(serve_api *api)
{
	vault *v = NULL;

	pthread_mutex_lock(&api->handles_lock);
	if (api->nhandles)
		v = api->handles[--api->nhandles];
	pthread_mutex_unlock(&api->handles_lock);
	if (!v && vault_open(&v, api->dir, NULL, NULL) < 0)
		return NULL;
	return v;
}

static void give_back(serve_api *api, vault *v)
{
	if (!v)
		return;
	vault_set_reader(v, NULL);
	vault_set_journal(v, NULL, NULL);
	pthread_mutex_lock(&api->handles_lock);
	if (api->nhandles < sizeof(api->handles) / sizeof(api->handles[0])) {
		api->handles[api->nhandles++] = v;
		v = NULL;
	}
	pthread_mutex_unlock(&api->handles_lock);
	vault_free(v);
}

/* ---- the watchdog ------------------------------------------------------- */

static void set_deadline(serve_api *api, struct MHD_Connection *c, time_t deadline)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	conn *k = i ? i->socket_context : NULL;

	if (!k)
		return;
	pthread_mutex_lock(&api->conns_lock);
	k->deadline = deadline;
	pthread_mutex_unlock(&api->conns_lock);
}

/* libmicrohttpd says a connection starts or ends (before it closes the socket). */
static void on_connection(void *cls, struct MHD_Connection *c, void **context,
			  enum MHD_ConnectionNotificationCode code)
{
	serve_api *api = cls;
	conn *k = *context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *i =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		if ((k = calloc(1, sizeof(*k))) == NULL)
			abort();
		k->fd = i ? i->connect_fd : -1;
		k->deadline = time(NULL) + api->timeout;
		pthread_mutex_lock(&api->conns_lock);
		k->next = api->conns.next;
		k->prev = &api->conns;
		api->conns.next->prev = k;
		api->conns.next = k;
		pthread_mutex_unlock(&api->conns_lock);
		*context = k;
	} else if (k) {
		pthread_mutex_lock(&api->conns_lock);
		k->prev->next = k->next;
		k->next->prev = k->prev;
		pthread_mutex_unlock(&api->conns_lock);
		free(k);
		*context = NULL;
	}
}

/* Cut, once a second, every connection past its deadline. */
static void *watchdog(void *cls)
{
	serve_api *api = cls;

	pthread_mutex_lock(&api->conns_lock);
	while (!api->stopping) {
		struct timespec at;
		time_t now = time(NULL);
		conn *k;

		for (k = api->conns.next; k != &api->conns; k = k->next)
			if (k->fd >= 0 && k->deadline < now) {
				/* libmicrohttpd sees the end and closes it; the
				 * socket is still its own until the CLOSED call,
				 * which waits for this lock */
				shutdown(k->fd, SHUT_RDWR);
				k->fd = -1;
			}
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += 1;
		pthread_cond_timedwait(&api->stop, &api->conns_lock, &at);
	}
	pthread_mutex_unlock(&api->conns_lock);
	return NULL;
}

int serve_api_new(serve_api **out, const char *dir, const char *spool, int writer,
		  unsigned timeout, const char *origin)
{
	serve_api *api = calloc(1, sizeof(*api));
	vault *v;

	if (!api)
		abort();
	api->dir = strdup(dir);
	api->spool = spool ? strdup(spool) : NULL;
	if (origin && (api->origin = strdup(origin)) == NULL)
		abort();
	api->writer = writer;
	api->timeout = timeout;
	api->conns.next = api->conns.prev = &api->conns;
	for (size_t i = 0; i < CACHE_FILES; i++)
		api->cache[i].fd = -1;
	pthread_mutex_init(&api->writer_lock, NULL);
	pthread_mutex_init(&api->handles_lock, NULL);
	pthread_mutex_init(&api->clients_lock, NULL);
	pthread_mutex_init(&api->conns_lock, NULL);
	pthread_mutex_init(&api->cache_lock, NULL);
	pthread_mutex_init(&api->kept_lock, NULL);
	pthread_cond_init(&api->stop, NULL);
	pthread_cond_init(&api->made, NULL);
	if (!api->dir || (spool && !api->spool))
		abort();
	/* one handle now: a vault that does not open stops serve at once */
	if ((v = borrow(api)) == NULL) {
		fprintf(stderr, "qvault: %s\n", vault_error_message());
		serve_api_free(api);
		return -1;
	}
	give_back(api, v);
	if ((errno = pthread_create(&api->watchdog, NULL, watchdog, api)) != 0) {
		fprintf(stderr, "qvault: cannot start the watchdog: %s\n", strerror(errno));
		serve_api_free(api);
		return -1;
	}
	api->watching = 1;
	*out = api;
	return 0;
}

void serve_api_free(serve_api *api)
{
	if (!api)
		return;
	if (api->watching) {
		pthread_mutex_lock(&api->conns_lock);
		api->stopping = 1;
		pthread_cond_signal(&api->stop);
		pthread_mutex_unlock(&api->conns_lock);
		pthread_join(api->watchdog, NULL);
	}
	while (api->nhandles)
		vault_free(api->handles[--api->nhandles]);
	for (size_t i = 0; i < CACHE_FILES; i++)
		if (api->cache[i].fd >= 0)
			close(api->cache[i].fd);
	pthread_mutex_destroy(&api->cache_lock);
	for (size_t i = 0; i < KEPT_ANSWERS; i++) {
		free(api->kept[i].key);
		if (api->kept[i].answer)
			MHD_destroy_response(api->kept[i].answer);
	}
	for (size_t i = 0; i < KEPT_TOKENS; i++) {
		free(api->tokens[i].user);
		free(api->sessions[i].user);
		free(api->sessions[i].csrf);
	}
	for (size_t i = 0; i < MAKING; i++)
		free(api->making[i].key);
	pthread_cond_destroy(&api->made);
	pthread_mutex_destroy(&api->kept_lock);
	pthread_cond_destroy(&api->stop);
	pthread_mutex_destroy(&api->conns_lock);
	pthread_mutex_destroy(&api->clients_lock);
	pthread_mutex_destroy(&api->handles_lock);
	pthread_mutex_destroy(&api->writer_lock);
	free(api->dir);
	free(api->spool);
	free(api->origin);
	free(api);
}

/* ---- the cache of verified copies ---------------------------------------- */

int serve_cache_get(serve_req *q, const char *sha256)
{
	serve_api *api = q->api;
	int fd = -1;

	pthread_mutex_lock(&api->cache_lock);
	for (size_t i = 0; i < CACHE_FILES; i++)
		if (api->cache[i].fd >= 0 && strcmp(api->cache[i].sha256, sha256) == 0) {
			fd = fcntl(api->cache[i].fd, F_DUPFD_CLOEXEC, 0);
			api->cache[i].used = ++api->uses;
			break;
		}
	pthread_mutex_unlock(&api->cache_lock);
	return fd;
}

void serve_cache_put(serve_req *q, const char *sha256, int fd, uint64_t size)
{
	serve_api *api = q->api;
	uint64_t total = size;
	size_t i, slot;

	if (size > CACHE_BYTES / 4 || strlen(sha256) != 64)
		return;
	pthread_mutex_lock(&api->cache_lock);
	for (i = 0; i < CACHE_FILES; i++)
		if (api->cache[i].fd >= 0 && strcmp(api->cache[i].sha256, sha256) == 0)
			goto done; /* another thread was first */
	/* drop the least recently used until the new one fits */
	for (;;) {
		size_t oldest = CACHE_FILES;

		total = size;
		slot = CACHE_FILES;
		for (i = 0; i < CACHE_FILES; i++) {
			if (api->cache[i].fd < 0) {
				slot = i;
				continue;
			}
			total += api->cache[i].size;
			if (oldest == CACHE_FILES || api->cache[i].used < api->cache[oldest].used)
				oldest = i;
		}
		if (slot < CACHE_FILES && total <= CACHE_BYTES)
			break;
		close(api->cache[oldest].fd);
		api->cache[oldest].fd = -1;
	}
	if ((api->cache[slot].fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		memcpy(api->cache[slot].sha256, sha256, 65);
		api->cache[slot].size = size;
		api->cache[slot].used = ++api->uses;
	}
done:
	pthread_mutex_unlock(&api->cache_lock);
}

/* `n` bytes as 2n hex digits and a NUL into `out`. */
static void hex_of(char *out, const unsigned char *md, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- kept answers -------------------------------------------------------- */

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, char *text);

/* A growing string, for a key. */
typedef struct {
	char *s;
	size_t len;
} key_buf;

/* Append `part`, its length first: no two lists of parts make one key. */
static void key_add(key_buf *b, const char *part)
{
	size_t n = strlen(part);
	char head[32];
	int h = snprintf(head, sizeof(head), "%zu:", n);

	if (h < 0 || (size_t)h >= sizeof(head) ||
	    (b->s = realloc(b->s, b->len + (size_t)h + n + 1)) == NULL)
		abort();
	memcpy(b->s + b->len, head, (size_t)h);
	memcpy(b->s + b->len + h, part, n);
	b->len += (size_t)h + n;
	b->s[b->len] = '\0';
}

/* Append each query argument to the key (in the request's order). */
static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	(void)kind;
	key_add(cls, key);
	key_add(cls, value ? value : "");
	return MHD_YES;
}

/* The key of an answer: reader, path and query; for a page of the portal
 * also its session (a page holds the session's CSRF token). */
static char *answer_key(serve_req *q)
{
	key_buf b = { NULL, 0 };

	key_add(&b, q->user);
	key_add(&b, q->url);
	/* who may see a marked revision changes at midnight (UTC) with no
	 * commit: an attestation counts until its day has passed (marking.h).
	 * An answer made on another day is another answer, never one kept
	 * from a day its reader was still cleared; the day is the one the
	 * asker asked on (serve_kept), and the read comes after it: an
	 * answer is kept for a day at most as permissive as that day's. */
	key_add(&b, q->day);
	if (q->session)
		key_add(&b, q->session);
	MHD_get_connection_values(q->c, MHD_GET_ARGUMENT_KIND, key_arg, &b);
	return b.s;
}

/* Today (UTC) as YYYY-MM-DD, the day an attestation counts to. */
static void day_of(char *day, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || strftime(day, size, "%Y-%m-%d", &tm) == 0)
		(void)cli_fmt(day, size, "the day", "%lld", (long long)now / 86400);
}

/* an answer that does not move with the clock: the API's */
#define NO_CLOCK (-1LL)

/*
 * The minute an answer to `q` is made in: a page of the portal shows ages,
 * which move with the clock, so a page made in an earlier minute is made
 * again; the API's answers do not move with it.
 */
static long long minute_of(const serve_req *q)
{
	return q->session ? (long long)(time(NULL) / 60) : NO_CLOCK;
}

/* The slot of the answer being made for `key` at `version`, or MAKING (under kept_lock). */
static size_t making_of(serve_api *api, const char *key, const char *version)
{
	size_t i;

	for (i = 0; i < MAKING; i++)
		if (api->making[i].key && strcmp(api->making[i].key, key) == 0 &&
		    strcmp(api->making[i].version, version) == 0)
			return i;
	return MAKING;
}

/*
 * One asker makes an answer; the others who ask for the same meanwhile
 * wait for it (MAKING_WAIT seconds at most) rather than each making it
 * again: after a write 64 connections asking at once would otherwise make
 * it 64 times over, and all wait.  When only a page's minute turned (the
 * vault did not move), they are given the page of the minute before
 * meanwhile: its records are the same, its ages at most a minute old, and
 * no one waits for the clock.
 */
int serve_kept(serve_req *q, enum MHD_Result *answered)
{
	serve_api *api = q->api;
	struct timespec until;
	char *key;
	size_t i;
	int found = 0, waited = 0;

	if (vault_version(q->v, q->version) < 0)
		return 0; /* the index follows a write: answer it afresh, keep nothing */
	day_of(q->day, sizeof(q->day));
	if ((key = answer_key(q)) == NULL)
		return 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += MAKING_WAIT;
	q->minute = minute_of(q);
	pthread_mutex_lock(&api->kept_lock);
	for (;;) {
		for (i = 0; i < KEPT_ANSWERS; i++)
			if (api->kept[i].key && strcmp(api->kept[i].key, key) == 0 &&
			    strcmp(api->kept[i].version, q->version) == 0)
				break;
		/* of this minute, or of one before while another asker makes it anew */
		if (i < KEPT_ANSWERS && (api->kept[i].minute == q->minute ||
					 making_of(api, key, q->version) != MAKING)) {
			/* queued under the lock: no one drops it meanwhile */
			q->sending = api->kept[i].len;
			*answered = MHD_queue_response(q->c, MHD_HTTP_OK, api->kept[i].answer);
			api->kept[i].used = ++api->kept_uses;
			found = 1;
		}
		if (found || waited || i < KEPT_ANSWERS ||
		    making_of(api, key, q->version) == MAKING)
			break;
		/* another asker is making it: wait for it once */
		waited = pthread_cond_timedwait(&api->made, &api->kept_lock, &until) != 0;
		if (making_of(api, key, q->version) != MAKING && !waited)
			continue;
		waited = 1;
	}
	if (!found) {
		/* this one makes it: the others wait (serve_made says it is done) */
		for (i = 0; i < MAKING && api->making[i].key; i++)
			;
		if (i < MAKING && making_of(api, key, q->version) == MAKING) {
			api->making[i].key = key;
			memcpy(api->making[i].version, q->version, sizeof(q->version));
			q->making = (int)i + 1;
			key = NULL;
		}
	}
	pthread_mutex_unlock(&api->kept_lock);
	free(key);
	if (!found)
		q->keep = 1;
	return found;
}

void serve_made(serve_req *q)
{
	serve_api *api = q->api;

	if (!q->making)
		return;
	pthread_mutex_lock(&api->kept_lock);
	free(api->making[q->making - 1].key);
	api->making[q->making - 1].key = NULL;
	pthread_cond_broadcast(&api->made);
	pthread_mutex_unlock(&api->kept_lock);
	q->making = 0;
}

/* Drop kept answer `i` (the caller holds kept_lock). */
static void drop_kept(serve_api *api, size_t i)
{
	free(api->kept[i].key);
	api->kept[i].key = NULL;
	if (api->kept[i].answer)
		MHD_destroy_response(api->kept[i].answer);
	api->kept[i].answer = NULL;
}

/*
 * Keep `answer` of `len` bytes, the 200 answer of a route that asked
 * (serve_kept), if the vault did not move: 1 if kept (the caller's
 * reference is the kept one now), else 0.
 */
int serve_keep(serve_req *q, struct MHD_Response *answer, size_t len)
{
	serve_api *api = q->api;
	char now[41], *key;
	size_t i, slot = 0, total = len;

	if (!q->keep || len > KEPT_ANSWER_MAX || vault_version(q->v, now) < 0 ||
	    strcmp(now, q->version) != 0 || (key = answer_key(q)) == NULL)
		return 0;
	pthread_mutex_lock(&api->kept_lock);
	/* the slot of the same key, an empty one, or the least recently used */
	for (i = 0; i < KEPT_ANSWERS; i++) {
		if (api->kept[i].key && strcmp(api->kept[i].key, key) == 0) {
			slot = i;
			break;
		}
		if (!api->kept[i].key || (api->kept[slot].key &&
					  api->kept[i].used < api->kept[slot].used))
			slot = i;
	}
	drop_kept(api, slot);
	/* within the bytes kept in all: drop the least recently used */
	for (;;) {
		size_t oldest = KEPT_ANSWERS;

		total = len;
		for (i = 0; i < KEPT_ANSWERS; i++) {
			if (!api->kept[i].key)
				continue;
			total += api->kept[i].len;
			if (oldest == KEPT_ANSWERS || api->kept[i].used < api->kept[oldest].used)
				oldest = i;
		}
		if (total <= KEPT_BYTES || oldest == KEPT_ANSWERS)
			break;
		drop_kept(api, oldest);
	}
	api->kept[slot].key = key;
	api->kept[slot].answer = answer;
	api->kept[slot].len = len;
	api->kept[slot].minute = q->minute;
	memcpy(api->kept[slot].version, q->version, sizeof(q->version));
	api->kept[slot].used = ++api->kept_uses;
	pthread_mutex_unlock(&api->kept_lock);
	return 1;
}

/* ---- answers ----------------------------------------------------------- */

/* An answer of `text` (taken over) of Content-Type `type`, with one more header if any. */
static struct MHD_Response *answer_of(unsigned status, char *text, const char *type,
				      const char *header, const char *value)
{
	struct MHD_Response *r;

	if (!text)
		abort();
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r)
		abort();
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (header)
		MHD_add_response_header(r, header, value);
	return r;
}

/* Answer `text` (taken over) of Content-Type `type`, with one more header if any. */
static enum MHD_Result queue_with(struct MHD_Connection *c, unsigned status, char *text,
				  const char *type, const char *header, const char *value)
{
	struct MHD_Response *r = answer_of(status, text, type, header, value);
	enum MHD_Result ok;

	if (first_of && !first_of->refusal) {
		first_of->refusal = r;
		first_of->refusal_status = status;
		return MHD_YES;
	}
	ok = MHD_queue_response(c, status, r);

	MHD_destroy_response(r);
	return ok;
}

/* Answer 200 with `text` (taken over) of `type` and one more header if any,
 * kept if the route asked and it may be. */
static enum MHD_Result answer_ok(serve_req *q, char *text, const char *type,
				 const char *header, const char *value)
{
	size_t len = strlen(text);
	struct MHD_Response *r = answer_of(MHD_HTTP_OK, text, type, header, value);
	enum MHD_Result ok;

	q->sending = len;
	ok = MHD_queue_response(q->c, MHD_HTTP_OK, r);
	if (strcmp(type, "application/json") != 0 || !serve_keep(q, r, len))
		MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, char *text)
{
	return queue_with(c, status, text, "application/json", NULL, NULL);
}

static enum MHD_Result vfail(struct MHD_Connection *c, unsigned status, const char *header,
			     const char *value, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static enum MHD_Result vfail(struct MHD_Connection *c, unsigned status, const char *header,
			     const char *value, const char *fmt, va_list ap)
{
	char message[512];
	json_t *j;

	if (vsnprintf(message, sizeof(message), fmt, ap) >= (int)sizeof(message))
		memcpy(message + sizeof(message) - 4, "...", 4); /* a message, marked cut */
	j = json_pack("{s:s}", "error", message);
	if (!j) /* not UTF-8: a name the client sent, echoed */
		j = json_pack("{s:s}", "error", "a malformed request");
	{
		char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));

		json_decref(j);
		return queue_with(c, status, text, "application/json", header, value);
	}
}

static enum MHD_Result fail(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum MHD_Result fail(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	enum MHD_Result ok;
	va_list ap;

	va_start(ap, fmt);
	ok = vfail(c, status, NULL, NULL, fmt, ap);
	va_end(ap);
	return ok;
}

static enum MHD_Result fail_with(struct MHD_Connection *c, unsigned status, const char *header,
				 const char *value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static enum MHD_Result fail_with(struct MHD_Connection *c, unsigned status, const char *header,
				 const char *value, const char *fmt, ...)
{
	enum MHD_Result ok;
	va_list ap;

	va_start(ap, fmt);
	ok = vfail(c, status, header, value, fmt, ap);
	va_end(ap);
	return ok;
}

enum MHD_Result serve_failed(serve_req *q, unsigned status, const char *fmt, ...)
{
	enum MHD_Result ok;
	va_list ap;

	va_start(ap, fmt);
	ok = vfail(q->c, status, NULL, NULL, fmt, ap);
	va_end(ap);
	return ok;
}

enum MHD_Result serve_failed_with(serve_req *q, unsigned status, const char *header,
				  const char *value, const char *fmt, ...)
{
	enum MHD_Result ok;
	va_list ap;

	va_start(ap, fmt);
	ok = vfail(q->c, status, header, value, fmt, ap);
	va_end(ap);
	return ok;
}

enum MHD_Result serve_answer(serve_req *q, unsigned status, json_t *j)
{
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));

	json_decref(j);
	if (!text)
		abort();
	if (status == MHD_HTTP_OK)
		return answer_ok(q, text, "application/json", NULL, NULL);
	q->sending = strlen(text);
	return queue(q->c, status, text);
}

enum MHD_Result serve_answer_with(serve_req *q, json_t *j, const char *header, const char *value)
{
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));

	json_decref(j);
	if (!text)
		abort();
	return answer_ok(q, text, "application/json", header, value);
}

unsigned serve_status_of(int error)
{
	switch (error) {
	case VAULT_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case VAULT_EINVALID:
		return MHD_HTTP_BAD_REQUEST;
	case VAULT_EDENIED:
		return MHD_HTTP_FORBIDDEN;
	case VAULT_EEXISTS:
		return MHD_HTTP_CONFLICT;
	case VAULT_ELOCKED:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

enum MHD_Result serve_library_failed(serve_req *q, int error)
{
	return serve_failed(q, serve_status_of(error), "%s", vault_error_message());
}

enum MHD_Result serve_answer_library(serve_req *q, int error, char *text)
{
	return serve_answer_library_as(q, error, text, "application/json");
}

enum MHD_Result serve_answer_library_as(serve_req *q, int error, char *text, const char *type)
{
	if (error < 0) {
		free(text);
		return serve_library_failed(q, error);
	}
	if (!text)
		abort();
	return answer_ok(q, text, type, NULL, NULL);
}

/*
 * The "%2F" and "%25" that unescape() left in `s` decoded in place: a name
 * with a '/' or a '%' in it (PO "4500012345/10") is one component.
 */
static void unescape_part(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (in[0] == '%' && in[1] == '2' && (in[2] == 'F' || in[2] == 'f')) {
			*out++ = '/';
			in += 3;
		} else if (in[0] == '%' && in[1] == '2' && in[2] == '5') {
			*out++ = '%';
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

const char *serve_query(serve_req *q, const char *key)
{
	const char *raw = MHD_lookup_connection_value(q->c, MHD_GET_ARGUMENT_KIND, key);
	json_t *value;
	char *s;

	/*
	 * unescape() leaves "%2F" and "%25" in query arguments too (it
	 * cannot tell them from the path): decoded here, once, into a copy
	 * the request keeps, so that part=P%2F1 asks for part P/1 and a
	 * cursor after=A%2FB is after A/B
	 */
	if (!raw || !strstr(raw, "%2"))
		return raw;
	if (!q->decoded && (q->decoded = json_object()) == NULL)
		abort();
	if ((value = json_object_get(q->decoded, key)) == NULL) {
		if ((s = strdup(raw)) == NULL)
			abort();
		unescape_part(s);
		/* the bytes as they came: a route checks them as it checks any */
		if ((value = json_stringn_nocheck(s, strlen(s))) == NULL ||
		    json_object_set_new_nocheck(q->decoded, key, value) < 0)
			abort();
		free(s);
	}
	return json_string_value(value);
}

int serve_spool_dir(serve_req *q, char *buf, size_t size)
{
	return q->api->spool ? cli_fmt(buf, size, "the spool's path", "%s", q->api->spool) :
		cli_fmt(buf, size, "the vault's path", "%s/qvault", q->api->dir);
}

int serve_scratch(serve_req *q)
{
	return q->api->spool ? cli_scratch_in(q->api->spool) : cli_scratch_file(q->api->dir);
}

const char *serve_header(serve_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, name);
}

json_t *serve_json_body(serve_req *q, enum MHD_Result *answered)
{
	json_error_t e;
	json_t *j;
	FILE *f;
	int fd = -1;

	if (q->body < 0 || (fd = dup(q->body)) < 0 || (f = fdopen(fd, "r")) == NULL) {
		if (q->body >= 0 && fd >= 0)
			close(fd);
		*answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "the request has no body");
		return NULL;
	}
	j = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	fclose(f);
	if (!j)
		*answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "malformed JSON at line %d: %s",
					 e.line, e.text);
	return j;
}

/* Send `req` (taken over, its credentials in it) to the writer: its reply. */
static json_t *ask_writer(serve_api *api, json_t *req, int fd)
{
	json_t *reply = NULL;
	char *text, *got = NULL;
	size_t len;
	int called;

	if (!req || (text = json_dumps(req, JSON_COMPACT)) == NULL) {
		json_decref(req);
		return json_pack("{s:i, s:s}", "status", 400, "error", "a malformed request");
	}
	json_decref(req);
	/* the request held the token: wiped however it ends */
	if ((len = strlen(text)) > SERVE_MSG_MAX) {
		OPENSSL_cleanse(text, len);
		free(text);
		return json_pack("{s:i, s:s}", "status", MHD_HTTP_CONTENT_TOO_LARGE, "error",
				 "the request is over the writer's limit");
	}
	pthread_mutex_lock(&api->writer_lock);
	called = serve_writer_call(api->writer, text, fd, &got);
	pthread_mutex_unlock(&api->writer_lock);
	OPENSSL_cleanse(text, len);
	free(text);
	if (called == -1)
		return json_pack("{s:i, s:s}", "status", MHD_HTTP_SERVICE_UNAVAILABLE, "error",
				 "the writer is not answering; nothing was recorded");
	if (called < 0 || !(reply = json_loads(got, 0, NULL))) {
		free(got);
		return json_pack("{s:i, s:s}", "status", MHD_HTTP_SERVICE_UNAVAILABLE, "error",
				 "the writer ended while at it: read the record back to see "
				 "whether it was made");
	}
	free(got);
	return reply;
}

json_t *serve_writer_ask(serve_req *q, json_t *req, int fd)
{
	/* a person's session and CSRF token, or a system's token */
	if (req && q->session) {
		json_object_set_new(req, "session", json_string(q->session));
		json_object_set_new(req, "csrf", json_string(q->csrf ? q->csrf : ""));
	} else if (req && q->token) {
		json_object_set_new(req, "token", json_string(q->token));
	}
	return ask_writer(q->api, req, fd);
}

enum MHD_Result serve_write(serve_req *q, json_t *req, int fd)
{
	json_t *reply = serve_writer_ask(q, req, fd), *body;
	unsigned status;

	status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	if (json_object_get(reply, "error") && json_object_get(reply, "checks")) {
		/* a refused FAI package: the reason, and each of its checks' results */
		body = json_pack("{s:O, s:O}", "error", json_object_get(reply, "error"), "checks",
				 json_object_get(reply, "checks"));
		json_decref(reply);
		return serve_answer(q, status, body);
	}
	if (json_object_get(reply, "error")) {
		enum MHD_Result ok = serve_failed(q, status, "%s",
						  json_string_value(json_object_get(reply, "error")));

		json_decref(reply);
		return ok;
	}
	body = json_incref(json_object_get(reply, "body"));
	json_decref(reply);
	return serve_answer(q, status, body);
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
	/* on the Unix socket, which only nginx's group may open, the client is
	 * nginx's $remote_addr; on loopback TCP anyone on this machine could
	 * claim any address (and lock a real client out), so none is believed */
	if (sa && sa->sa_family == AF_UNIX) {
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

/* The rate limit's slot of `addr` (the oldest slot is taken over); under clients_lock. */
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

/* The SHA-256 of a token, as hex: what a kept token is found by. */
static void token_sha256(char out[65], const char *token)
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL);
	hex_of(out, md, sizeof(md));
	OPENSSL_cleanse(md, sizeof(md));
}

/*
 * A token found good at the vault's version now, and not long ago (its
 * user and scope into `r`): 0; else -1 and it must be checked.  A write
 * (a revocation, a new user) moves the version and so drops them all.
 */
static int kept_token(serve_api *api, vault *v, request *r, const char *token, time_t now,
		      char version[41])
{
	char sha[65];
	int found = -1;

	if (vault_version(v, version) < 0)
		return -1;
	token_sha256(sha, token);
	pthread_mutex_lock(&api->kept_lock);
	for (size_t i = 0; i < KEPT_TOKENS; i++)
		if (api->tokens[i].user && CRYPTO_memcmp(api->tokens[i].sha256, sha, 64) == 0 &&
		    strcmp(api->tokens[i].version, version) == 0 &&
		    now - api->tokens[i].at < KEPT_TOKEN_SECONDS && now >= api->tokens[i].at) {
			if ((r->user = strdup(api->tokens[i].user)) == NULL)
				abort();
			r->may_write = api->tokens[i].may_write;
			found = 0;
			break;
		}
	pthread_mutex_unlock(&api->kept_lock);
	OPENSSL_cleanse(sha, sizeof(sha));
	return found;
}

/*
 * Keep a token vault_token_check found good at `version` (read before the
 * check: a revocation that came during it moved the version, and then
 * nothing is kept), in the oldest slot.
 */
static void keep_token(serve_api *api, vault *v, const char *version, const char *token,
		       const char *user, int may_write, time_t now)
{
	char still[41];
	size_t i, slot = 0;

	if (!version[0] || vault_version(v, still) < 0 || strcmp(still, version) != 0)
		return;
	pthread_mutex_lock(&api->kept_lock);
	for (i = 0; i < KEPT_TOKENS; i++)
		if (!api->tokens[i].user || api->tokens[i].at < api->tokens[slot].at)
			slot = i;
	free(api->tokens[slot].user);
	if ((api->tokens[slot].user = strdup(user)) == NULL)
		abort();
	token_sha256(api->tokens[slot].sha256, token);
	memcpy(api->tokens[slot].version, version, 41);
	api->tokens[slot].at = now;
	api->tokens[slot].may_write = may_write;
	pthread_mutex_unlock(&api->kept_lock);
}

/* Take back the failure counted for `addr` before a check that passed. */
static void forgive(serve_api *api, const char *addr, time_t now)
{
	size_t slot;

	pthread_mutex_lock(&api->clients_lock);
	slot = slot_of(api, addr, now);
	if (api->clients[slot].failures)
		api->clients[slot].failures--;
	pthread_mutex_unlock(&api->clients_lock);
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
	char addr[INET6_ADDRSTRLEN], version[41] = "";
	time_t now = time(NULL);
	vault_user u;
	unsigned failures;
	size_t slot;
	vault *v;
	int ok;

	client_addr(addr, sizeof(addr), c);
	/* a failure is counted before the check and taken back after a good
	 * one: many attempts at once cannot all slip under the limit */
	pthread_mutex_lock(&api->clients_lock);
	slot = slot_of(api, addr, now);
	failures = api->clients[slot].failures;
	if (failures < AUTH_FAILURES_MAX)
		api->clients[slot].failures++;
	pthread_mutex_unlock(&api->clients_lock);
	if (failures >= AUTH_FAILURES_MAX) {
		*answered = fail(c, MHD_HTTP_TOO_MANY_REQUESTS,
				 "too many failed authentications; wait a minute");
		return -1;
	}
	if ((v = borrow(api)) == NULL) {
		*answered = fail(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", vault_error_message());
		return -1;
	}
	/* the scheme's name is case-insensitive (RFC 9110) */
	ok = h && strncasecmp(h, "Bearer ", 7) == 0;
	if (ok && kept_token(api, v, r, h + 7, now, version) == 0) {
		give_back(api, v);
		forgive(api, addr, now);
		r->token = h + 7;
		return 0;
	}
	ok = ok && vault_token_check(&u, &r->may_write, NULL, v, h + 7, (int64_t)now) == 0;
	if (ok)
		keep_token(api, v, version, h + 7, u.name, r->may_write, now);
	give_back(api, v);
	if (!ok) {
		*answered = fail(c, MHD_HTTP_UNAUTHORIZED, "invalid token");
		return -1;
	}
	forgive(api, addr, now);
	if ((r->user = strdup(u.name)) == NULL)
		abort();
	vault_user_dispose(&u);
	r->token = h + 7;
	return 0;
}

/* ---- the portal's sessions ------------------------------------------------ */

int serve_portal_session(serve_api *api, const char *cookie, char **user, char **csrf)
{
	unsigned long long forgets;
	time_t now = time(NULL);
	char sha[65];
	json_t *reply, *body;
	size_t i, slot = 0;

	*user = *csrf = NULL;
	if (!cookie || strlen(cookie) != 43)
		return -1;
	token_sha256(sha, cookie);
	pthread_mutex_lock(&api->kept_lock);
	for (i = 0; i < KEPT_TOKENS; i++) {
		time_t age = now - api->sessions[i].at;

		if (!api->sessions[i].user || CRYPTO_memcmp(api->sessions[i].sha256, sha, 64) != 0 ||
		    age < 0 || age >= 2 * KEPT_TOKEN_SECONDS)
			continue;
		/* past its time one asker asks the writer again; the others meanwhile
		 * take it as it was (for KEPT_TOKEN_SECONDS more at most), rather
		 * than all queue at the writer at once */
		if (age >= KEPT_TOKEN_SECONDS && !api->sessions[i].asking) {
			api->sessions[i].asking = 1;
			break;
		}
		if ((*user = strdup(api->sessions[i].user)) == NULL ||
		    (*csrf = strdup(api->sessions[i].csrf)) == NULL)
			abort();
		break;
	}
	pthread_mutex_unlock(&api->kept_lock);
	if (*user)
		return 0;
	/* a session ended (forgotten) while the writer answered is not kept again */
	pthread_mutex_lock(&api->kept_lock);
	forgets = api->forgets;
	pthread_mutex_unlock(&api->kept_lock);
	reply = ask_writer(api, json_pack("{s:s, s:s}", "op", "portal-session", "session", cookie),
			   -1);
	body = json_object_get(reply, "body");
	if (json_integer_value(json_object_get(reply, "status")) != 200 ||
	    !json_string_value(json_object_get(body, "user")) ||
	    !json_string_value(json_object_get(body, "csrf"))) {
		/* the session ended: forgotten; the writer not answering ends none */
		if (json_integer_value(json_object_get(reply, "status")) == 401)
			serve_portal_forget(api, cookie);
		json_decref(reply);
		return -1;
	}
	if ((*user = strdup(json_string_value(json_object_get(body, "user")))) == NULL ||
	    (*csrf = strdup(json_string_value(json_object_get(body, "csrf")))) == NULL)
		abort();
	json_decref(reply);
	pthread_mutex_lock(&api->kept_lock);
	if (api->forgets != forgets) {
		pthread_mutex_unlock(&api->kept_lock);
		return 0;
	}
	/* the session's own slot, an empty one, or the oldest */
	for (i = 0; i < KEPT_TOKENS; i++) {
		if (api->sessions[i].user && CRYPTO_memcmp(api->sessions[i].sha256, sha, 64) == 0) {
			slot = i;
			break;
		}
		if (!api->sessions[i].user || api->sessions[i].at < api->sessions[slot].at)
			slot = i;
	}
	api->sessions[slot].asking = 0;
	free(api->sessions[slot].user);
	free(api->sessions[slot].csrf);
	memcpy(api->sessions[slot].sha256, sha, sizeof(sha));
	api->sessions[slot].at = now;
	if ((api->sessions[slot].user = strdup(*user)) == NULL ||
	    (api->sessions[slot].csrf = strdup(*csrf)) == NULL)
		abort();
	pthread_mutex_unlock(&api->kept_lock);
	return 0;
}

void serve_portal_forget(serve_api *api, const char *cookie)
{
	char sha[65];

	if (!cookie)
		return;
	token_sha256(sha, cookie);
	pthread_mutex_lock(&api->kept_lock);
	api->forgets++;
	for (size_t i = 0; i < KEPT_TOKENS; i++)
		if (api->sessions[i].user && CRYPTO_memcmp(api->sessions[i].sha256, sha, 64) == 0) {
			free(api->sessions[i].user);
			free(api->sessions[i].csrf);
			memset(&api->sessions[i], 0, sizeof(api->sessions[i]));
		}
	pthread_mutex_unlock(&api->kept_lock);
}

enum MHD_Result serve_redirect(struct MHD_Connection *c, const char *where)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
								    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, where);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ok = MHD_queue_response(c, MHD_HTTP_SEE_OTHER, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* ---- routes ------------------------------------------------------------- */

/*
 * Split what follows /api/v1/ at '/', then decode each component's "%2F"
 * and "%25"; -1 for an empty, dot or dot-dot component.
 */
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
		unescape_part(p);
		if (!slash)
			break;
		p = slash + 1;
		if (!*p)
			return -1;
	}
	return 0;
}

/* Does the route's path ("pos/{}/acks") match the parts? */
static int path_matches(const char *shape, char **part, size_t n)
{
	size_t i = 0;

	while (*shape) {
		const char *slash = strchr(shape, '/');
		size_t len = slash ? (size_t)(slash - shape) : strlen(shape);

		if (i == n)
			return 0;
		if (!(len == 2 && memcmp(shape, "{}", 2) == 0) &&
		    (strlen(part[i]) != len || memcmp(part[i], shape, len) != 0))
			return 0;
		i++;
		shape += len + (slash != NULL);
	}
	return i == n;
}

/* What a body's Content-Type is, as SERVE_BODY_*; 0 for none known. */
static unsigned body_kind(const char *type, const char **name)
{
	static const struct {
		const char *name;
		unsigned kind;
	} kinds[] = {
		{ "application/octet-stream", SERVE_BODY_FILE },
		{ "application/json", SERVE_BODY_JSON },
		{ "application/edi-x12", SERVE_BODY_X12 },
	};
	size_t i, len;

	if (!type)
		return 0;
	len = strcspn(type, "; \t");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == len && strncasecmp(type, kinds[i].name, len) == 0) {
			*name = kinds[i].name;
			return kinds[i].kind;
		}
	return 0;
}

/* The types a route takes, for a 415's message. */
static const char *body_names(unsigned body)
{
	return body == SERVE_BODY_JSON ? "application/json" :
		body == SERVE_BODY_FILE ? "application/octet-stream" :
		body == (SERVE_BODY_JSON | SERVE_BODY_X12) ? "application/json or application/edi-x12" :
		"application/octet-stream or application/json";
}

/*
 * Find the route of `url` and `method`: NULL, with the answer given (404
 * for no such path, 405 for a path that takes other methods).
 */
static const serve_route *find_route(struct MHD_Connection *c, request *r, const char *url,
				     const char *method, enum MHD_Result *answered)
{
	const serve_route *route, *other = NULL;

	if (strncmp(url, API, strlen(API)) != 0 || strlen(url + strlen(API)) >= sizeof(r->path)) {
		*answered = fail(c, MHD_HTTP_NOT_FOUND, "no such resource");
		return NULL;
	}
	memcpy(r->path, url + strlen(API), strlen(url + strlen(API)) + 1);
	if (split(r->path, r->part, &r->nparts) < 0 || r->nparts == 0) {
		*answered = fail(c, MHD_HTTP_NOT_FOUND, "no such resource");
		return NULL;
	}
	for (route = serve_routes; route->method; route++) {
		if (!path_matches(route->path, r->part, r->nparts))
			continue;
		if (strcmp(route->method, method) == 0)
			return route;
		other = route;
	}
	if (!other) {
		*answered = fail(c, MHD_HTTP_NOT_FOUND, "no such resource");
		return NULL;
	}
	/* the methods the path takes (of GET and POST), as a 405 must say */
	{
		int get = 0, post = 0;

		for (route = serve_routes; route->method; route++)
			if (path_matches(route->path, r->part, r->nparts)) {
				get |= strcmp(route->method, "GET") == 0;
				post |= strcmp(route->method, "POST") == 0;
			}
		*answered = fail_with(c, MHD_HTTP_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW,
				      get && post ? "GET, POST" : get ? "GET" : "POST",
				      "%s is not allowed here", method);
	}
	return NULL;
}

/* ---- the portal's pages ------------------------------------------------- */

/* The request's Content-Length; 0 without one (no body, or chunked). */
static unsigned long long declared_length(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_CONTENT_LENGTH);

	/* libmicrohttpd refused a Content-Length that is no number */
	return v ? strtoull(v, NULL, 10) : 0;
}

/* A refused request's answer, kept until its body came (request.refusal). */
static enum MHD_Result refused(struct MHD_Connection *c, request *r)
{
	enum MHD_Result ok = MHD_queue_response(c, r->refusal_status, r->refusal);

	MHD_destroy_response(r->refusal);
	r->refusal = NULL;
	r->answered = 1;
	return ok;
}

static int write_all(int fd, const char *data, size_t size);

/*
 * A field of a form into r->form (its values 64 KiB in all), or a
 * multipart form's one file into r->body; on_request counts the form's
 * bytes as they come, names and separators too.
 */
static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *filename, const char *content_type,
				  const char *transfer_encoding, const char *data, uint64_t off,
				  size_t size)
{
	request *r = cls;
	json_t *old = json_object_get(r->form, key);
	const char *had = old ? json_string_value(old) : "";
	/* its length, not strlen: a NUL it holds stays, for form_values to refuse */
	size_t hadn = old ? json_string_length(old) : 0;
	char *joined;
	json_t *js;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (!key)
		return MHD_NO;
	/* the one file of a multipart form: spooled whole, its name a field;
	 * a second file part (it starts at offset 0 again) refuses the form */
	if (filename) {
		if (r->body >= 0 && off == 0)
			return MHD_NO;
		if (r->body < 0) {
			if (json_object_get(r->form, "file.name") || strlen(filename) > 255 ||
			    (r->body = r->api->spool ? cli_scratch_in(r->api->spool) :
			     cli_scratch_file(r->api->dir)) < 0)
				return MHD_NO;
			/* as it came: a name that is no UTF-8 text refuses the form (form_values) */
			js = json_stringn_nocheck(filename, strlen(filename));
			json_object_set_new(r->form, "file.name", js ? js : json_string(""));
			js = json_string(key);
			json_object_set_new(r->form, "file.field", js ? js : json_string(""));
		}
		if ((r->file_got += size) > r->limit) {
			r->too_large = 1;
			return MHD_NO;
		}
		return write_all(r->body, data, size) < 0 ? MHD_NO : MHD_YES;
	}
	if ((r->got += size) > 64 * 1024)
		return MHD_NO;
	/* a field given again (a box of several checked) is listed, comma-separated;
	 * one in several pieces (off > 0) is put together */
	if ((joined = malloc(hadn + size + 2)) == NULL)
		abort();
	memcpy(joined, had, hadn);
	if (old && off == 0)
		joined[hadn++] = ',';
	memcpy(joined + hadn, data, size);
	joined[hadn + size] = '\0';
	/* the bytes as they came: a piece may end inside a character, so the
	 * whole value is judged once the form is in (form_values) */
	js = json_stringn_nocheck(joined, hadn + size);
	json_object_set_new(r->form, key, js ? js : json_string(""));
	free(joined);
	return MHD_YES;
}

/*
 * Each value of a form in whole: the name of the first that is not UTF-8
 * text or holds a NUL (a page never posts one: the form is refused, never
 * read as if the field were not given), or NULL.
 */
static const char *form_values(json_t *form)
{
	const char *key;
	json_t *v;

	json_object_foreach(form, key, v) {
		const char *text = json_string_value(v);
		size_t len = json_string_length(v);
		json_t *checked = text && !memchr(text, 0, len) ? json_stringn(text, len) : NULL;

		json_decref(checked);
		if (!checked)
			return key;
	}
	return NULL;
}

/* Whether a form field's name may be shown in a message as it is. */
static int plain_name(const char *key)
{
	size_t i;

	for (i = 0; key[i]; i++)
		if (i >= 64 || key[i] <= ' ' || key[i] > '~' || key[i] == '\'' || key[i] == '"')
			return 0;
	return i > 0;
}

/* Does the request come from a page of the portal itself (RFC 6454 Origin)? */
static int same_origin(serve_api *api, struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");

	if (site && strcmp(site, "same-origin") != 0)
		return 0;
	/* a form's post under a strict referrer policy says "Origin: null";
	 * then the browser's Sec-Fetch-Site alone says where it came from */
	if (origin && strcmp(origin, "null") != 0)
		return strcmp(origin, api->origin) == 0;
	return site != NULL;
}

/*
 * A page of the portal: its session from the cookie; no session, no page
 * but the open ones (a GET is sent to /login); a POST from another site,
 * or with a body of a type a page does not take, is refused before its
 * body is read.
 */
static enum MHD_Result portal_first(serve_api *api, struct MHD_Connection *c, const char *url,
				    const char *method, request *r)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	const serve_page *page;
	char *user = NULL;
	int post = strcmp(method, "POST") == 0;

	r->answered = 1;
	if (!api->origin)
		return fail(c, MHD_HTTP_NOT_FOUND, "no such resource (the portal is off: serve "
			    "--origin turns it on)");
	if (strcmp(url, "/") == 0)
		return serve_redirect(c, "/inbox");
	if (strlen(url + 1) >= sizeof(r->path))
		return fail(c, MHD_HTTP_NOT_FOUND, "no such page");
	memcpy(r->path, url + 1, strlen(url + 1) + 1);
	if (split(r->path, r->part, &r->nparts) < 0 || r->nparts == 0)
		return fail(c, MHD_HTTP_NOT_FOUND, "no such page");
	for (page = serve_pages; page->method; page++)
		if (strcmp(page->method, method) == 0 &&
		    path_matches(page->path, r->part, r->nparts))
			break;
	if (!page->method)
		return fail(c, MHD_HTTP_NOT_FOUND, "no such page");
	r->page = page;
	r->session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SERVE_COOKIE);
	if (r->session && serve_portal_session(api, r->session, &user, &r->csrf) == 0)
		r->user = user;
	else
		r->session = NULL;
	if (!page->open && !r->user)
		return post ? fail(c, MHD_HTTP_UNAUTHORIZED, "your session ended; log in again") :
			serve_redirect(c, "/login");
	r->url = url;
	r->body_since = time(NULL);
	set_deadline(api, c, r->body_since + api->timeout);
	if (!post) {
		r->answered = 0;
		return MHD_YES;
	}
	if (!same_origin(api, c))
		return fail(c, MHD_HTTP_FORBIDDEN, "the request did not come from a page of this "
			    "portal (Origin, Sec-Fetch-Site)");
	r->limit = 64 * 1024;
	r->api = api;
	if (type && strncasecmp(type, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
				strlen(MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA)) == 0) {
		vault *v;

		/* a form with a file: the file within the vault's upload limit */
		if ((v = borrow(api)) == NULL)
			return fail(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", vault_error_message());
		if (vault_limit_check(&r->limit, v, VAULT_LIMIT_UPLOAD, NULL, "the file", 0) < 0) {
			give_back(api, v);
			return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", vault_error_message());
		}
		give_back(api, v);
		r->multipart = 1;
	}
	if (type && (strncasecmp(type, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
				 strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) == 0 ||
		     strncasecmp(type, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
				 strlen(MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA)) == 0)) {
		if ((r->form = json_object()) == NULL ||
		    (r->pp = MHD_create_post_processor(c, 64 * 1024, form_field, r)) == NULL)
			return fail(c, MHD_HTTP_BAD_REQUEST, "a malformed form");
	} else if (body_kind(type, &r->body_type) == SERVE_BODY_JSON) {
		if ((r->body = api->spool ? cli_scratch_in(api->spool) :
		     cli_scratch_file(api->dir)) < 0)
			return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot take the body");
	} else {
		return fail(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send a form or application/json");
	}
	r->answered = 0;
	return MHD_YES;
}

/* What a route or a page is handed of request `r`. */
static void q_of(serve_req *q, serve_api *api, struct MHD_Connection *c, request *r)
{
	memset(q, 0, sizeof(*q));
	q->api = api;
	q->c = c;
	q->user = r->user;
	q->part = r->part;
	q->nparts = r->nparts;
	q->body = r->body;
	q->body_type = r->body_type;
	q->url = r->url;
}

/*
 * A marked revision's download, journalled by the writer (vault_set_journal):
 * this process holds no key and, as --user, may not write the journal.
 * The writer checks the request's token or session itself and reads the
 * revision as its user sees it.
 */
static int journal_by_writer(void *payload, const char *doc, const char *rev, const char *file,
			     const char *how, char **why)
{
	serve_req *q = payload;
	const char *error;
	json_t *reply;
	int recorded;

	/* an answer that gives out a marked revision's bytes (a page showing
	 * a marked spec's lines) is never kept: each time it is given is a
	 * download, journalled as such, never one answered from the copy */
	q->keep = 0;
	reply = serve_writer_ask(q, json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", "journal",
					      "doc", doc, "rev", rev, "file", file,
					      "how", how), -1);
	error = json_string_value(json_object_get(reply, "error"));
	recorded = json_integer_value(json_object_get(reply, "status")) == MHD_HTTP_OK;

	*why = recorded ? NULL : strdup(error ? error : "the writer did not answer");
	json_decref(reply);
	return recorded ? 0 : -1;
}

/* The route or page `run` answers `q`, reading as its user sees the vault. */
static enum MHD_Result answer(serve_api *api, struct MHD_Connection *c, request *r,
			      serve_req *q, enum MHD_Result (*run)(serve_req *q))
{
	enum MHD_Result answered;

	if ((q->v = borrow(api)) == NULL)
		return fail(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", vault_error_message());
	if (r->user)
		vault_set_reader(q->v, r->user);
	vault_set_journal(q->v, journal_by_writer, q);
	/* a write may wait for the lock; the answer gets its own deadline */
	set_deadline(api, c, time(NULL) + 3600);
	answered = run(q);
	serve_made(q);
	give_back(api, q->v);
	set_deadline(api, c, time(NULL) + api->timeout + (time_t)(q->sending / SERVE_MIN_RATE));
	return answered;
}

/* The page answers, as the session's user reads. */
static enum MHD_Result portal_last(serve_api *api, struct MHD_Connection *c, request *r)
{
	const char *bad;
	serve_req q;
	enum MHD_Result answered;

	if (r->too_large && r->multipart)
		return fail(c, MHD_HTTP_CONTENT_TOO_LARGE, "the form's file is over this vault's "
			    "upload limit of %llu bytes (or its fields over 64 KiB)",
			    (unsigned long long)r->limit);
	if (r->too_large)
		return fail(c, MHD_HTTP_CONTENT_TOO_LARGE, "the form is over 64 KiB");
	if (r->pp) {
		if (MHD_destroy_post_processor(r->pp) != MHD_YES)
			r->bad_form = 1;
		r->pp = NULL;
	}
	if (r->bad_form)
		return fail(c, MHD_HTTP_BAD_REQUEST, "the form is malformed (or holds two files, or "
			    "its fields are over 64 KiB)");
	/* the last of a form's file came with the end of the post processor */
	if (r->body >= 0 && lseek(r->body, 0, SEEK_SET) < 0)
		return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the body back");
	/* a write with a session carries its CSRF token, as a header or a field */
	if (strcmp(r->page->method, "POST") == 0 && r->user) {
		const char *given = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");

		if (!given)
			given = json_string_value(json_object_get(r->form, "csrf"));
		if (!given || !r->csrf || strlen(given) != strlen(r->csrf) ||
		    CRYPTO_memcmp(given, r->csrf, strlen(given)) != 0)
			return fail(c, MHD_HTTP_FORBIDDEN, "the request did not come from a page "
				    "of this portal (its CSRF token)");
	}
	if ((bad = form_values(r->form)) != NULL)
		return plain_name(bad) ?
			fail(c, MHD_HTTP_BAD_REQUEST, "the form's field '%s' is not UTF-8 text "
			     "(or holds a NUL byte)", bad) :
			fail(c, MHD_HTTP_BAD_REQUEST, "a field of the form is not UTF-8 text (or "
			     "holds a NUL byte)");
	q_of(&q, api, c, r);
	q.session = r->session;
	q.csrf = r->csrf;
	q.origin = api->origin;
	q.form = r->form;
	answered = answer(api, c, r, &q, r->page->answer);
	json_decref(q.decoded);
	return answered;
}

/* What args_plain found of a request's query arguments. */
typedef struct {
	json_t *seen;       /* the names met so far */
	char problem[160];  /* the first one's, or "" */
} query_args;

static enum MHD_Result arg_plain(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	query_args *a = cls;
	int shown = plain_name(key);

	(void)kind;
	if (a->problem[0])
		return MHD_NO;
	/* an empty piece ("?&a=1", "a=1&&b=2") names no argument: nothing to read */
	if (!*key)
		return MHD_YES;
	if (json_object_get(a->seen, key))
		(void)cli_fmt(a->problem, sizeof(a->problem), "a message",
			      "the query argument '%s' is given twice", shown ? key : "?");
	else if (!value)
		(void)cli_fmt(a->problem, sizeof(a->problem), "a message",
			      "the query argument '%s' has no value (%s=VALUE)",
			      shown ? key : "?", shown ? key : "NAME");
	else
		json_object_set_new(a->seen, key, json_true());
	return a->problem[0] ? MHD_NO : MHD_YES;
}

/*
 * Each query argument of the API named once and with a value: NULL, or
 * the reason to refuse the request.  libmicrohttpd answers the first of
 * a name given twice and NULL for one without "=": a release's
 * "marking=ITAR&marking=EAR99" or a bare "marking" would be released as
 * one marking or none, silently, where the client said another (the
 * portal's form lists a field given twice, which its check refuses).
 */
static const char *args_plain(struct MHD_Connection *c, query_args *a)
{
	a->problem[0] = '\0';
	if ((a->seen = json_object()) == NULL)
		abort();
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg_plain, a);
	json_decref(a->seen);
	return a->problem[0] ? a->problem : NULL;
}

/*
 * What can be judged from the headers alone is, before any byte of a body
 * is taken: the method and path, the token, and for a write its scope,
 * its Content-Type and its declared length.  A refusal is queued at once.
 */
static enum MHD_Result first_call(serve_api *api, struct MHD_Connection *c, const char *url,
				  const char *method, request *r)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_CONTENT_LENGTH);
	enum MHD_Result answered;
	query_args args;
	unsigned kind;
	vault *v;

	r->answered = 1;
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		return fail(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method %s is not allowed", method);
	if (strncmp(url, "/api/", 5) != 0)
		return portal_first(api, c, url, method, r);
	if (authenticate(api, c, r, &answered) < 0)
		return answered;
	if ((r->route = find_route(c, r, url, method, &answered)) == NULL)
		return answered;
	if (args_plain(c, &args) != NULL)
		return fail(c, MHD_HTTP_BAD_REQUEST, "%s", args.problem);
	r->url = url;
	r->body_since = time(NULL);
	set_deadline(api, c, r->body_since + api->timeout);
	if (!r->route->body) {
		r->answered = 0; /* a GET: a body, if any, is read and dropped */
		return MHD_YES;
	}
	if (!r->may_write)
		return fail(c, MHD_HTTP_FORBIDDEN, "the token may only read");
	if ((kind = body_kind(type, &r->body_type)) == 0 || !(kind & r->route->body))
		return fail(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "send %s, not %.64s",
			    body_names(r->route->body), type ? type : "no Content-Type");
	if (kind == SERVE_BODY_JSON) {
		r->limit = SERVE_JSON_MAX;
	} else {
		if ((v = borrow(api)) == NULL)
			return fail(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", vault_error_message());
		if (vault_limit_check(&r->limit, v, VAULT_LIMIT_UPLOAD, NULL, "the body", 0) < 0) {
			give_back(api, v);
			return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", vault_error_message());
		}
		give_back(api, v);
	}
	if (length && strtoull(length, NULL, 10) > r->limit)
		return fail(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is over %s limit of %llu bytes",
			    kind == SERVE_BODY_JSON ? "the JSON" : "this vault's",
			    (unsigned long long)r->limit);
	if ((r->body = api->spool ? cli_scratch_in(api->spool) : cli_scratch_file(api->dir)) < 0)
		return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot take the body");
	/* the SHA-256 the client gave is checked against the bytes as they come,
	 * not by reading them all back */
	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Content-SHA256") &&
	    ((r->hash = EVP_MD_CTX_new()) == NULL ||
	     !EVP_DigestInit_ex(r->hash, EVP_sha256(), NULL)))
		abort();
	r->answered = 0;
	return MHD_YES;
}

/* The body's bytes are all in: the route answers, as the caller reads. */
static enum MHD_Result last_call(serve_api *api, struct MHD_Connection *c, request *r)
{
	serve_req q;
	enum MHD_Result answered;

	if (r->too_large)
		return fail(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is over %s limit of %llu bytes",
			    r->limit == SERVE_JSON_MAX ? "the JSON" : "this vault's",
			    (unsigned long long)r->limit);
	if (r->body >= 0 && lseek(r->body, 0, SEEK_SET) < 0)
		return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the body back");
	if (r->route->body && r->got == 0)
		return fail(c, MHD_HTTP_BAD_REQUEST, "the request has no body");
	if (r->hash) {
		const char *want = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							       "X-Content-SHA256");
		unsigned char md[32];
		unsigned int n = 0;

		if (!EVP_DigestFinal_ex(r->hash, md, &n) || n != 32)
			abort();
		hex_of(r->sha256, md, sizeof(md));
		/* whatever the route: a body that is not what the client sent */
		if (!want || strcasecmp(want, r->sha256) != 0)
			return fail(c, MHD_HTTP_BAD_REQUEST, "the upload does not match its SHA-256 "
				    "(cut short or changed on the way): nothing was recorded");
	}
	q_of(&q, api, c, r);
	q.token = r->token;
	q.body_sha256 = r->sha256[0] ? r->sha256 : NULL;
	answered = answer(api, c, r, &q, r->route->answer);
	json_decref(q.decoded);
	return answered;
}

/* ---- libmicrohttpd's calls ---------------------------------------------- */

static int write_all(int fd, const char *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	serve_api *api = cls;
	request *r = *state;

	(void)version;
	if (!r) {
		enum MHD_Result ok;

		if ((r = calloc(1, sizeof(*r))) == NULL)
			abort();
		r->body = -1;
		r->body_since = time(NULL);
		*state = r;
		first_of = r;
		ok = first_call(api, c, url, method, r);
		first_of = NULL;
		/* a body too long to drop, or of no length said (chunked): answered
		 * now, as libmicrohttpd takes no answer between the body's calls */
		if (r->refusal && (declared_length(c) > REFUSED_BODY_MAX ||
				   MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_TRANSFER_ENCODING)))
			return refused(c, r);
		return ok;
	}
	if (r->refusal) {
		/* a body of its declared length (REFUSED_BODY_MAX at most) is
		 * dropped; the answer goes at the final call, when it may */
		if (*size) {
			if ((r->raw += *size) > REFUSED_BODY_MAX)
				return MHD_NO;
			set_deadline(api, c, r->body_since + api->timeout +
				     (time_t)(r->raw / SERVE_MIN_RATE));
			*size = 0;
			return MHD_YES;
		}
		return refused(c, r);
	}
	if (r->answered) {
		*size = 0;
		return MHD_YES;
	}
	if (*size && r->pp) {
		/* the form's bytes as they come, names and separators too: an
		 * urlencoded form 64 KiB in all, a multipart one its file's limit
		 * and 64 KiB more; past a failure the rest is read and dropped */
		r->raw += *size;
		if (!r->too_large && !r->bad_form) {
			if (r->raw > r->limit + (r->multipart ? 64 * 1024 : 0))
				r->too_large = 1;
			else if (MHD_post_process(r->pp, data, *size) != MHD_YES)
				r->bad_form = 1;
		}
		set_deadline(api, c, r->body_since + api->timeout +
			     (time_t)(r->raw / SERVE_MIN_RATE));
		*size = 0;
		return MHD_YES;
	}
	if (*size) {
		/* past the limit the rest is read and dropped: the answer says why */
		r->got += *size;
		if (r->body >= 0 && !r->too_large) {
			if (r->got > r->limit)
				r->too_large = 1;
			else if (write_all(r->body, data, *size) < 0 ||
				 (r->hash && !EVP_DigestUpdate(r->hash, data, *size)))
				return MHD_NO;
		}
		/* the body keeps its deadline as long as it comes at the least rate */
		set_deadline(api, c, r->body_since + api->timeout +
			     (time_t)(r->got / SERVE_MIN_RATE));
		*size = 0;
		return MHD_YES;
	}
	return r->page ? portal_last(api, c, r) : last_call(api, c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode why)
{
	serve_api *api = cls;
	request *r = *state;

	(void)why;
	/* the next request's headers, after an idle wait, within the timeout */
	set_deadline(api, c, time(NULL) + 2 * (time_t)api->timeout);
	if (!r)
		return;
	if (r->body >= 0)
		close(r->body);
	if (r->refusal)
		MHD_destroy_response(r->refusal);
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	json_decref(r->form);
	EVP_MD_CTX_free(r->hash);
	free(r->csrf);
	free(r->user);
	free(r);
	*state = NULL;
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * The path's %XX escapes decoded, but never into a '/', a '%' or a NUL:
 * those stay as they came ("%2F", "%25"), so a name cannot carry a
 * separator past the split; split() decodes "%2F" and "%25" in each
 * component after it.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *in = s, *out = s;

	(void)cls;
	(void)c;
	while (*in) {
		int hi = in[0] == '%' ? hex(in[1]) : -1, lo = hi >= 0 ? hex(in[2]) : -1;

		if (hi >= 0 && lo >= 0 && (hi << 4 | lo) != 0 && (hi << 4 | lo) != '/' &&
		    (hi << 4 | lo) != '%') {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

/* libmicrohttpd's own complaints (a malformed request line, ...) to stderr. */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("qvault serve: ", stderr);
	vfprintf(stderr, fmt, ap);
}

struct MHD_Daemon *serve_api_start(serve_api *api, int fd)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
				MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, api,
				MHD_OPTION_EXTERNAL_LOGGER, log_mhd, api,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)THREADS,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, api,
				MHD_OPTION_UNESCAPE_CALLBACK, unescape, api,
				MHD_OPTION_CONNECTION_TIMEOUT, api->timeout,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTIONS_MAX,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				MHD_OPTION_END);
}
