/*
 * portal_login.c - the portal's JSON steps of WebAuthn, which
 * static/portal.js takes a passkey through: logging in and out, enrolling
 * a passkey by the admin's link, and an act the user signs with the
 * passkey (a PO's acknowledgment, an FAI disposition, an NCR's close: each
 * kind's module gives the act's request).  The writer checks each step
 * (serve_sessions.c); these only shape the request and relay its reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "portal.h"

/* ---- logging in and enrolling -------------------------------------------------- */

enum MHD_Result get_login(serve_req *q)
{
	html h = { NULL, 0, 0 };

	page_begin(&h, q, "Log in", "");
	h_raw(&h, "<form id=\"login\" class=\"card\">"
		  "<p><label for=\"name\">User name</label> "
		  "<input id=\"name\" name=\"name\" autocomplete=\"username webauthn\" required></p>"
		  "<p><button type=\"submit\">Log in with your passkey</button></p>"
		  "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p></form>"
		  "<p>Your passkey asks for your PIN, fingerprint or face: the two steps of "
		  "21 CFR Part 11 &sect;11.200, your name and your passkey.</p>");
	return send_page(q, MHD_HTTP_OK, &h);
}

enum MHD_Result get_enroll(serve_req *q)
{
	html h = { NULL, 0, 0 };

	page_begin(&h, q, "Make your passkey", "");
	h_raw(&h, "<div id=\"enroll\" class=\"card\">"
		  "<p>Your admin sent you this link. It works once, for 72 hours: it makes a "
		  "passkey on this device, which signs your acknowledgments. Its private key "
		  "never leaves your authenticator.</p>"
		  "<p>User: <strong id=\"enroll-user\"></strong></p>"
		  "<p><button type=\"button\" id=\"enroll-go\">Make my passkey</button></p>"
		  "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p></div>");
	return send_page(q, MHD_HTTP_OK, &h);
}

/* The request's JSON body, which must be an object; NULL with the answer given. */
static json_t *body_object(serve_req *q, enum MHD_Result *answered)
{
	json_t *j = serve_json_body(q, answered);

	if (j && !json_is_object(j)) {
		json_decref(j);
		*answered = send_json(q, MHD_HTTP_BAD_REQUEST,
				      json_pack("{s:s}", "error", "send a JSON object"), NULL);
		return NULL;
	}
	return j;
}

/*
 * Hand the body's `keys` (strings only) to the writer as operation `op`:
 * its reply, or NULL with the answer given.
 */
json_t *ask(serve_req *q, const char *op, const char *const *keys, const json_t *extra,
	    enum MHD_Result *answered)
{
	json_t *body = body_object(q, answered), *req;
	const char *const *k;

	if (!body)
		return NULL;
	req = json_pack("{s:s}", "op", op);
	for (k = keys; *k; k++) {
		json_t *x = json_object_get(body, *k);

		if (json_is_string(x))
			json_object_set(req, *k, x);
	}
	if (extra)
		json_object_update(req, (json_t *)(uintptr_t)extra);
	json_decref(body);
	return serve_writer_ask(q, req, -1);
}

/* The writer's reply as the answer: its body, or {"error"} with its status. */
enum MHD_Result relay(serve_req *q, json_t *reply, json_t *body, const char *cookie)
{
	unsigned status = (unsigned)json_integer_value(json_object_get(reply, "status"));
	json_t *j = json_object_get(reply, "error") ?
		json_pack("{s:O}", "error", json_object_get(reply, "error")) :
		body ? body : json_incref(json_object_get(reply, "body"));

	json_decref(reply);
	return send_json(q, status ? status : MHD_HTTP_INTERNAL_SERVER_ERROR, j, cookie);
}

/* "__Host-qvault=ID; ..." for a new session: the browser sends it back to this site only. */
static int session_cookie(char *out, size_t size, const char *id)
{
	return cli_fmt(out, size, "the cookie", SERVE_COOKIE "=%s; Path=/; Secure; HttpOnly; "
		       "SameSite=Strict", id);
}

/*
 * The writer's `reply` (taken over) to an act that opened a new session (a
 * login, a signature): `answer` (taken over) with the new session's cookie,
 * the old session forgotten; relay() of the reply when it opened none.
 */
static enum MHD_Result relay_session(serve_req *q, json_t *reply, json_t *answer)
{
	const char *id = json_string_value(json_object_get(json_object_get(reply, "body"),
							   "session"));
	char cookie[256];

	if (!id || session_cookie(cookie, sizeof(cookie), id) < 0) {
		json_decref(answer);
		return relay(q, reply, NULL, NULL);
	}
	/* the old session, if any, is not the new one: forgotten here too */
	serve_portal_forget(q->api, q->session);
	return relay(q, reply, answer, cookie);
}

enum MHD_Result relay_signed(serve_req *q, json_t *reply)
{
	json_t *body = json_object_get(reply, "body");

	return relay_session(q, reply, json_pack("{s:O, s:O}", "signature",
						 json_object_get(body, "signature"), "csrf",
						 json_object_get(body, "csrf")));
}

enum MHD_Result post_login_options(serve_req *q)
{
	static const char *const keys[] = { "name", NULL };
	enum MHD_Result answered;
	json_t *reply = ask(q, "portal-login-begin", keys, NULL, &answered);

	return reply ? relay(q, reply, NULL, NULL) : answered;
}

enum MHD_Result post_login(serve_req *q)
{
	static const char *const keys[] = { "name", "authenticator_data", "client_data",
					    "signature", NULL };
	enum MHD_Result answered;
	json_t *reply = ask(q, "portal-login-finish", keys, NULL, &answered);

	if (!reply)
		return answered;
	return relay_session(q, reply, json_pack("{s:O, s:s}", "user",
						 json_object_get(json_object_get(reply, "body"), "user"),
						 "next", "/inbox"));
}

enum MHD_Result post_enroll_options(serve_req *q)
{
	static const char *const keys[] = { "name", "secret", NULL };
	enum MHD_Result answered;
	json_t *reply = ask(q, "portal-enroll-begin", keys, NULL, &answered);

	return reply ? relay(q, reply, NULL, NULL) : answered;
}

enum MHD_Result post_enroll(serve_req *q)
{
	static const char *const keys[] = { "name", "secret", "attestation_object",
					    "client_data", NULL };
	enum MHD_Result answered;
	json_t *reply = ask(q, "portal-enroll-finish", keys, NULL, &answered);

	return reply ? relay(q, reply, NULL, NULL) : answered;
}

enum MHD_Result post_logout(serve_req *q)
{
	json_t *reply = serve_writer_ask(q, json_pack("{s:s}", "op", "portal-logout"), -1);
	struct MHD_Response *r;
	enum MHD_Result ok;

	json_decref(reply);
	serve_portal_forget(q->api, q->session);
	if ((r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)) == NULL)
		return MHD_NO;
	secure(r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/login");
	MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, SERVE_COOKIE "=; Path=/; Secure; "
				"HttpOnly; SameSite=Strict; Max-Age=0");
	ok = MHD_queue_response(q->c, MHD_HTTP_SEE_OTHER, r);
	MHD_destroy_response(r);
	return ok;
}

/* ---- acts signed with the passkey ---------------------------------------------- */

/* A body member as the act's request takes it: NULL when absent or empty. */
const char *given(const json_t *body, const char *key)
{
	const char *v = json_string_value(json_object_get(body, key));

	return v && *v ? v : NULL;
}

/*
 * POST .../statement: the record the user is to sign for the act, and
 * its WebAuthn challenge; POST .../sign (`sign`), with the record and
 * the passkey's assertion over it: the act recorded with its signature,
 * and a new session.
 */
enum MHD_Result act_step(serve_req *q, const char *act,
			 json_t *(*request)(serve_req *q, const json_t *body), int sign)
{
	static const char *const signed_keys[] = { "record", "authenticator_data", "client_data",
						   "signature", NULL };
	enum MHD_Result answered;
	json_t *body = body_object(q, &answered), *req, *reply;

	if (!body)
		return answered;
	req = json_pack("{s:s, s:s, s:o}", "op", sign ? "portal-act-sign" : "portal-act-statement",
			"act", act, "request", request(q, body));
	for (const char *const *k = signed_keys; sign && req && *k; k++)
		if (json_is_string(json_object_get(body, *k)))
			json_object_set(req, *k, json_object_get(body, *k));
	json_decref(body);
	reply = serve_writer_ask(q, req, -1);
	if (!sign)
		return relay(q, reply, NULL, NULL);
	return relay_signed(q, reply);
}
