/*
 * serve.h - `qvault serve`: the HTTP/JSON API (cmd_serve.c, serve_api.c)
 * and its writer (serve_writer.c).
 *
 * Two processes, as OpenSSH separates privileges: the one that parses
 * HTTP holds no key and never writes the repository; it reads with
 * vault_set_reader() as the token's user sees the vault.  Every write goes
 * to the writer, over a socketpair (SOCK_SEQPACKET: one message a
 * request, one a reply, an upload's file descriptor beside it), which
 * holds the vault's server key and checks the client's token itself: a
 * compromised request handler can make no write that a valid write token
 * would not.
 */
#ifndef QVAULT_SERVE_H
#define QVAULT_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mhd.h"
#include "cli.h"

/* The largest request or reply between the two, in bytes. */
#define SERVE_MSG_MAX (256 * 1024)

/*
 * The writer's loop on `sock` for the vault at `dir`, until the other end
 * closes; its exit code.
 */
int serve_writer_run(int sock, const char *dir, const char *origin, unsigned idle);

/*
 * The portal's sessions and passkeys, in the writer (serve_sessions.c).
 * serve_sessions_init: the portal at `origin` (NULL: no portal) of the
 * vault at `dir`, whose sessions end after `idle` seconds unused; its
 * passkeys' signature counters are read from, and kept in,
 * DIR/qvault/passkey-counters.  -1, said in one line on stderr, when
 * the portal cannot start (that file malformed or unreadable).
 * serve_portal_op: the reply of a "portal-..." operation, or NULL for no
 * such one.  serve_session_authorize: the user of the request's
 * "session", whose "csrf" must be the session's; NULL, or the refusal.
 */
int serve_sessions_init(const char *dir, const char *origin, unsigned idle);
json_t *serve_portal_op(vault *v, const char *op, const json_t *req);

/*
 * A person's act, "po-ack", "fai-dispose" or "ncr-close", asked for in
 * `req` as the writer's operation of that name is, made as `s` says
 * (vault_signing); with s->statement the reply's body is {record,
 * namespace}.  And the SSHSIG namespace of an act, NULL for none.
 */
json_t *serve_writer_act(vault *v, const char *act, const json_t *req, const vault_signing *s);
const char *serve_writer_act_namespace(const char *act);
json_t *serve_session_authorize(vault_user *u, vault *v, const json_t *req);

/*
 * Wait for the writer to say it has the vault open and its key loaded
 * (SERVE_READY); -1 when it could not start (it said why).
 */
#define SERVE_READY "{\"ready\": true}"
int serve_writer_ready(int sock);

/*
 * Send `request` (JSON text) and `fd` (-1: none) to the writer and wait
 * for its reply (malloc'd JSON text); -1 when it could not be sent (the
 * writer is gone: nothing was written), -2 when no reply came (the
 * writer ended while at it: the write may have been made).
 */
int serve_writer_call(int sock, const char *request, int fd, char **reply);

/* The HTTP side: the API's handler and its state (serve_api.c). */
typedef struct serve_api serve_api;

/*
 * The HTTP side for the vault at `dir`, its writer at the socket `writer`;
 * bodies and downloads are staged in `spool` (the vault's qvault/ when
 * NULL).  -1, said on stderr, when the vault does not open.
 */
int serve_api_new(serve_api **out, const char *dir, const char *spool, int writer,
		  unsigned timeout, const char *origin);
void serve_api_free(serve_api *api);

struct MHD_Daemon;
struct MHD_Connection;
/* Start the daemon on the listening socket `fd`. */
struct MHD_Daemon *serve_api_start(serve_api *api, int fd);

/* ---- routes ---------------------------------------------------------------
 *
 * A route answers one method on one shape of path under /api/v1/.  The
 * dispatcher (serve_api.c) has authenticated the caller, checked the
 * body's type and size against the route's, and set `v` to read as the
 * caller sees the vault; a route answers with the serve_answer* calls
 * below, exactly once.
 */
typedef struct {
	vault *v;                  /* reads as the caller (vault_set_reader) */
	struct MHD_Connection *c;
	const char *user;          /* the token's user */
	const char *token;         /* the token, for the writer only */
	char **part;               /* the path after /api/v1/, split at '/' */
	size_t nparts;
	int body;                  /* the request's body, spooled and rewound; -1: none */
	const char *body_type;     /* its Content-Type, parameters cut off */
	const char *body_sha256;   /* its SHA-256 (hex), when the client sent X-Content-SHA256 */
	uint64_t sending;          /* the answer's size, for its deadline (a download sets it) */
	serve_api *api;
	const char *url;           /* the path asked for */
	char version[41];          /* set by serve_kept: the vault's version when asked */
	int keep;                  /* keep the answer (serve_kept) */
	int making;                /* this asker makes it for others too: its slot + 1 */
	long long minute;          /* the minute it is made in (serve_kept) */
	char day[16];              /* the UTC day it is made on (serve_kept): part of its key */
	/* the portal's (portal.h): a person in a browser */
	const char *session;       /* the session cookie; NULL for the API */
	const char *csrf;          /* the session's CSRF token */
	const char *origin;        /* the portal's, "https://HOST[:PORT]" */
	json_t *form;              /* a form's fields (application/x-www-form-urlencoded) */
	unsigned roles;            /* the user's roles (VAULT_ROLE_*), once read */
	int roles_read;
	json_t *decoded;           /* query arguments serve_query decoded, by name */
} serve_req;

/* What a route takes as its body (a bit set; 0: no body). */
enum {
	SERVE_BODY_FILE = 1 << 0, /* application/octet-stream: a file, within the upload limit */
	SERVE_BODY_JSON = 1 << 1, /* application/json, at most SERVE_JSON_MAX bytes */
	SERVE_BODY_X12 = 1 << 2   /* application/edi-x12, within the upload limit */
};
#define SERVE_JSON_MAX (4 * 1024 * 1024)

typedef struct {
	const char *method;        /* "GET" or "POST" */
	const char *path;          /* "documents/{}/{}": {} is one component, any */
	unsigned body;             /* SERVE_BODY_*: what a POST takes */
	enum MHD_Result (*answer)(serve_req *q);
} serve_route;

/* The routes, each list ending with a NULL method (serve_routes.c). */
extern const serve_route serve_routes[];

/*
 * Content-Disposition: attachment, with the file's name `name` (RFC
 * 6266): an ASCII fallback of its safe bytes, and the whole name
 * percent-encoded as UTF-8 (RFC 8187).  -1 when it does not fit `size`.
 */
int serve_disposition(char *out, size_t size, const char *name);
/* A query argument, decoded (a '/' or a '%' in it too), or NULL; the request keeps it. */
const char *serve_query(serve_req *q, const char *key);
/* A new unnamed file to stage a body or a download in; -1 with errno set. */
int serve_scratch(serve_req *q);
/* The folder bodies and downloads are staged in, into buf; -1 when it does not fit. */
int serve_spool_dir(serve_req *q, char *buf, size_t size);
/* A request header, or NULL. */
const char *serve_header(serve_req *q, const char *name);

/* Answer `j` (taken over) with `status`. */
enum MHD_Result serve_answer(serve_req *q, unsigned status, json_t *j);
/* Answer `j` (taken over) with 200 and one more header (none when header is NULL). */
enum MHD_Result serve_answer_with(serve_req *q, json_t *j, const char *header, const char *value);
/* Answer JSON text the library made (taken over), or its error. */
enum MHD_Result serve_answer_library(serve_req *q, int error, char *text);
/* Answer {"error": "..."} with `status`. */
enum MHD_Result serve_failed(serve_req *q, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, with one more header (a 416's Content-Range). */
enum MHD_Result serve_failed_with(serve_req *q, unsigned status, const char *header,
				  const char *value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same, of Content-Type `type` ("text/csv; charset=utf-8"). */
enum MHD_Result serve_answer_library_as(serve_req *q, int error, char *text, const char *type);
/* Answer the library's last failure with the status its `error` means. */
enum MHD_Result serve_library_failed(serve_req *q, int error);
/*
 * Hand `request` (an object, taken over: {"op": ..., fields}) to the
 * writer, with the caller's token and `fd` (-1: none), and answer what
 * it replies.
 */
enum MHD_Result serve_write(serve_req *q, json_t *request, int fd);
json_t *serve_writer_ask(serve_req *q, json_t *request, int fd);
/* The request's JSON body, or NULL with the answer given in *answered. */
json_t *serve_json_body(serve_req *q, enum MHD_Result *answered);

/*
 * Verified copies of downloaded files, unnamed, kept for the next download
 * of the same bytes (a few, by the bytes they hold, least recently used
 * dropped).  serve_cache_get: a descriptor of its own for the copy of the
 * file whose SHA-256 is `sha256`, or -1.  serve_cache_put: keep `fd`
 * (a verified copy of `size` bytes; the cache takes a duplicate).
 */
int serve_cache_get(serve_req *q, const char *sha256);
void serve_cache_put(serve_req *q, const char *sha256, int fd, uint64_t size);

/*
 * The reads of a supplier's everyday work (serve_reads.c): POs, their
 * acknowledgments and trace, ship notices, NCRs, a revision's trace and
 * acknowledgments, the scorecard, the exports, FAI packages.  Each
 * answers the JSON the same command's --json prints (the library's
 * text, or the builder of cli/common.c), so one JSON Schema holds for
 * both.
 */
enum MHD_Result serve_get_inbox(serve_req *q);
enum MHD_Result serve_get_pos(serve_req *q);
enum MHD_Result serve_get_po(serve_req *q);
enum MHD_Result serve_get_po_acks(serve_req *q);
enum MHD_Result serve_get_po_trace(serve_req *q);
enum MHD_Result serve_get_asns(serve_req *q);
enum MHD_Result serve_get_asn(serve_req *q);
enum MHD_Result serve_get_status(serve_req *q);
enum MHD_Result serve_get_ncrs(serve_req *q);
enum MHD_Result serve_get_ncr(serve_req *q);
enum MHD_Result serve_get_revision_trace(serve_req *q);
enum MHD_Result serve_get_revision_acks(serve_req *q);
enum MHD_Result serve_get_scorecard(serve_req *q);
enum MHD_Result serve_get_forecast(serve_req *q);
enum MHD_Result serve_get_fai(serve_req *q);
/* GET documents/{doc}/{rev}/files/{n}: the file, as an attachment (serve_routes.c). */
enum MHD_Result serve_get_file(serve_req *q);

/*
 * The write routes (serve_writes.c): each shapes the body into one
 * request to the writer.  Their paths, bodies and answers are in
 * serve_routes[].
 */
enum MHD_Result serve_get_statement(serve_req *q);
enum MHD_Result serve_post_ack(serve_req *q);
enum MHD_Result serve_post_release(serve_req *q);
enum MHD_Result serve_post_po_ack(serve_req *q);
enum MHD_Result serve_post_po_change(serve_req *q);
enum MHD_Result serve_post_status(serve_req *q);
enum MHD_Result serve_post_asns(serve_req *q);
enum MHD_Result serve_post_receipt(serve_req *q);
enum MHD_Result serve_post_ncr(serve_req *q);
enum MHD_Result serve_post_ncr_close(serve_req *q);
enum MHD_Result serve_post_fai(serve_req *q);

/*
 * For a read whose answer depends on nothing but the vault at a version
 * (vault_version) and the reader: 1, with the answer given in *answered,
 * when one is kept for this reader, path and query at the vault's version
 * now; else 0, and the route's next 200 answer is kept (if the vault did
 * not move while it was made).
 */
int serve_kept(serve_req *q, enum MHD_Result *answered);
/*
 * Keep `answer` (`len` bytes), the 200 answer of a read that asked
 * (serve_kept), if the vault did not move meanwhile: 1 when kept (the
 * caller's reference is the kept one now), else 0.
 */
int serve_keep(serve_req *q, struct MHD_Response *answer, size_t len);
/* The route has answered: those who wait for the answer it made look again. */
void serve_made(serve_req *q);

/* ---- the portal (portal.h; its table, serve_pages[], in portal.c) ----------
 *
 * Pages for people in a browser, beside the API, when serve has an
 * --origin: HTML rendered here from the library's scoped reads, one
 * script (static/portal.js) for WebAuthn.  A page answers one method on
 * one shape of path under "/"; the dispatcher (serve_api.c) has found the
 * session (cookie SERVE_COOKIE), refused a page that needs one without
 * it, and for a POST checked its Origin and, with a session, its CSRF
 * token.
 */
#define SERVE_COOKIE "__Host-qvault"
typedef struct {
	const char *method;
	const char *path;          /* as serve_route's, after "/" */
	int open;                  /* answered without a session */
	enum MHD_Result (*answer)(serve_req *q);
} serve_page;
extern const serve_page serve_pages[];

/* The session's user and CSRF token, asked of the writer (kept for 10 s). */
int serve_portal_session(serve_api *api, const char *cookie, char **user, char **csrf);
/* Forget what is kept of a session (it ended, or a new one replaced it). */
void serve_portal_forget(serve_api *api, const char *cookie);
/* A 303 to `where`. */
enum MHD_Result serve_redirect(struct MHD_Connection *c, const char *where);

/* The HTTP status a library error means. */
unsigned serve_status_of(int error);

#endif
