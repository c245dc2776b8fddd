/*
 * serve_writes.c - the write routes of /api/v1/ (serve.h): each shapes
 * the client's body into one request to the writer, which checks every
 * field and the token again, acts for the token's user and answers.
 * Nothing here writes or signs; what is checked here only spares the
 * writer a request that could not succeed and gives the client a clear
 * answer before the lock is taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "serve.h"

/*
 * The request {"op": op, ...the members of `body`...} to the writer, with
 * `fd`; `body` (an object, taken over) may not name "op", "token" or a
 * field the path gives (`taken`, NULL-ended), which the caller sets after.
 * NULL with the answer given.
 */
static json_t *request_of(serve_req *q, const char *op, json_t *body, const char *const *taken,
			  enum MHD_Result *answered)
{
	const char *key;
	json_t *value;
	size_t i;

	if (!json_is_object(body)) {
		json_decref(body);
		*answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "the body is not a JSON object");
		return NULL;
	}
	json_object_foreach(body, key, value) {
		int clash = strcmp(key, "op") == 0 || strcmp(key, "token") == 0;

		for (i = 0; taken && taken[i] && !clash; i++)
			clash = strcmp(key, taken[i]) == 0;
		if (clash) {
			*answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "unknown field '%.64s'", key);
			json_decref(body);
			return NULL;
		}
	}
	json_object_set_new(body, "op", json_string(op));
	return body;
}

/* The JSON body as the request `op`, with the path's fields set; then to the writer. */
static enum MHD_Result write_json(serve_req *q, const char *op, const char *const *taken,
				  const char *const *values)
{
	enum MHD_Result answered;
	json_t *body, *req;
	size_t i;

	if ((body = serve_json_body(q, &answered)) == NULL ||
	    (req = request_of(q, op, body, taken, &answered)) == NULL)
		return answered;
	for (i = 0; taken && taken[i]; i++)
		json_object_set_new(req, taken[i], json_string(values[i]));
	return serve_write(q, req, -1);
}

/* `j` (taken over) written to a new scratch file, rewound: its descriptor, or -1. */
static int scratch_json(serve_req *q, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	/* in the spool: as --user, the HTTP side may make no file in the vault */
	int fd = text ? serve_scratch(q) : -1;
	size_t len = text ? strlen(text) : 0;

	json_decref(j);
	if (fd >= 0 && (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0)) {
		close(fd);
		fd = -1;
	}
	free(text);
	return fd;
}

/* ---- acknowledging a revision: the statement there, signed here ---------- */

/*
 * GET documents/{doc}/{rev}/statement?meaning=M[&comment=C]: the exact
 * statement the token's user would sign, and the namespace to sign it in.
 * The writer makes it (it needs the user's record as a write sees it) and
 * records nothing.
 */
enum MHD_Result serve_get_statement(serve_req *q)
{
	const char *meaning = serve_query(q, "meaning");

	return serve_write(q, json_pack("{s:s, s:s, s:s, s:s, s:s*}", "op", "ack-statement",
					"doc", q->part[1], "rev", q->part[2], "meaning",
					meaning ? meaning : "received", "comment",
					serve_query(q, "comment")), -1);
}

/* The meaning a statement's predicate names, or NULL. */
static const char *statement_meaning(json_t **parsed, const char *stmt)
{
	*parsed = json_loads(stmt, JSON_REJECT_DUPLICATES, NULL);
	return json_string_value(json_object_get(json_object_get(*parsed, "predicate"),
						 "meaning"));
}

/*
 * POST documents/{doc}/{rev}/acks {"statement": TEXT, "signature": SSHSIG
 * armored, "meaning": M (optional, must be the statement's)}.
 */
enum MHD_Result serve_post_ack(serve_req *q)
{
	const char *stmt, *sig, *meaning = NULL, *said;
	enum MHD_Result answered;
	json_error_t e;
	json_t *body, *parsed = NULL;
	int same;

	if ((body = serve_json_body(q, &answered)) == NULL)
		return answered;
	if (json_unpack_ex(body, &e, JSON_STRICT, "{s:s, s:s, s?:s}", "statement", &stmt,
			   "signature", &sig, "meaning", &meaning) < 0) {
		json_decref(body);
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "send {\"statement\", \"signature\"[, "
				    "\"meaning\"]}: %s", e.text);
	}
	said = statement_meaning(&parsed, stmt);
	same = !meaning || (said && strcmp(said, meaning) == 0);
	json_decref(parsed);
	if (!same) {
		/* the message first: `meaning` belongs to body */
		answered = serve_failed(q, MHD_HTTP_BAD_REQUEST, "the statement does not say '%s'",
					meaning);
		json_decref(body);
		return answered;
	}
	answered = serve_write(q, json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", "ack-submit",
					    "doc", q->part[1], "rev", q->part[2], "statement", stmt,
					    "signature", sig), -1);
	json_decref(body);
	return answered;
}

/* ---- releasing a revision, with its file -------------------------------- */

/* "A,B,C" as a list of strings; empty items are kept, for the writer to refuse. */
static json_t *comma_list(const char *s)
{
	json_t *list = json_array();

	while (s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);

		json_array_append_new(list, json_stringn(s, len));
		s = comma ? comma + 1 : NULL;
	}
	return list;
}

/*
 * POST documents/{doc}/{rev}/release?to=ORG[,ORG]&name=N[&type=drawing|spec]
 * [&title=][&part=PN[,PN]][&reason=][&effective=YYYY-MM-DD][&expires=YYYY-MM-DD]
 * [&review_by=YYYY-MM-DD][&marking=ITAR|EAR:ECCN|EAR99|CUI[&licence=TEXT]]: the
 * file, as `qvault release` (buyer); a marked release to an organization
 * without an attestation clearing it is refused as the command refuses it.
 */
enum MHD_Result serve_post_release(serve_req *q)
{
	const char *to = serve_query(q, "to"), *parts = serve_query(q, "part");

	if (!to || !serve_query(q, "name"))
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "name the organizations it goes to and "
				    "the file (?to=ORG[,ORG]&name=N)");
	return serve_write(q, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s*, s:o*, s:s*, s:s*,"
					" s:s*, s:s*, s:s*, s:s*}",
					"op", "release", "doc", q->part[1], "rev", q->part[2],
					"name", serve_query(q, "name"), "type",
					serve_query(q, "type") ? serve_query(q, "type") : "drawing",
					"to", comma_list(to), "title", serve_query(q, "title"),
					"parts", parts ? comma_list(parts) : NULL,
					"reason", serve_query(q, "reason"),
					"effective", serve_query(q, "effective"),
					"expires", serve_query(q, "expires"),
					"review_by", serve_query(q, "review_by"),
					"marking", serve_query(q, "marking"),
					"licence", serve_query(q, "licence")), q->body);
}

/* ---- the supplier portal -------------------------------------------------- */

/* One line's acknowledgment: a line number, or an object, with the whole body's defaults. */
static json_t *line_ack(const json_t *line, const json_t *defaults)
{
	static const char *const inherited[] = { "promise", "note", "reject", "reason", "revision",
		"release", NULL };
	json_t *k = json_is_integer(line) ? json_pack("{s:O}", "line", line) :
		json_is_object(line) ? json_deep_copy(line) : NULL;
	size_t i;

	for (i = 0; k && inherited[i]; i++)
		if (!json_object_get(k, inherited[i]) && json_object_get(defaults, inherited[i]))
			json_object_set(k, inherited[i], json_object_get(defaults, inherited[i]));
	return k;
}

/*
 * POST pos/{po}/changes {"reason": TEXT, "edits": [{"op": "edit" |
 * "add-line" | "cancel" | "close", "line"?, "qty"?, "part"?, "doc"?,
 * "rev"?, "due"?}...]}: a change order, one commit (buyer).
 */
enum MHD_Result serve_post_po_change(serve_req *q)
{
	static const char *const taken[] = { "po", NULL };
	const char *values[] = { q->part[1], NULL };

	return write_json(q, "po-change", taken, values);
}

/*
 * POST pos/{po}/acks {"promise": DATE | "reject": true, "reason": TEXT,
 * "note"?, "line"?, "qty"?, "revision"?, "release"?} for the whole PO (or one
 * line, or release N against a blanket line),
 * or with "lines": [N | {"line", "promise"?, "qty"?, "note"?, "reject"?,
 * "reason"?}...], each line taking the body's promise, note, reject,
 * reason and revision unless it gives its own: one commit (supplier of
 * the PO).  "revision", the PO's revision answered (GET pos/{po}), must
 * be its latest: an answer to a PO changed since is refused.
 */
enum MHD_Result serve_post_po_ack(serve_req *q)
{
	enum MHD_Result answered;
	json_t *body, *lines, *acks, *line;
	size_t i;

	if ((body = serve_json_body(q, &answered)) == NULL)
		return answered;
	if (!json_is_object(body)) {
		json_decref(body);
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "the body is not a JSON object");
	}
	lines = json_incref(json_object_get(body, "lines"));
	json_object_del(body, "lines");
	if (lines && (!json_is_array(lines) || json_array_size(lines) == 0)) {
		json_decref(lines);
		json_decref(body);
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "'lines' must be a list of lines");
	}
	acks = json_array();
	if (!lines)
		json_array_append(acks, body);
	json_array_foreach(lines, i, line) {
		json_t *k = line_ack(line, body);

		if (!k) {
			json_decref(acks);
			json_decref(lines);
			json_decref(body);
			return serve_failed(q, MHD_HTTP_BAD_REQUEST, "line %zu of 'lines' is neither "
					    "a number nor an object", i + 1);
		}
		json_array_append_new(acks, k);
	}
	json_decref(lines);
	json_decref(body);
	return serve_write(q, json_pack("{s:s, s:s, s:o}", "op", "po-ack", "po", q->part[1],
					"acks", acks), -1);
}

/*
 * POST status: one status report {"po", "line"?, "status", "note"?} or a
 * list of them, in one commit (supplier of each PO).
 */
enum MHD_Result serve_post_status(serve_req *q)
{
	enum MHD_Result answered;
	json_t *body;
	int fd;

	if ((body = serve_json_body(q, &answered)) == NULL)
		return answered;
	if (json_is_object(body))
		body = json_pack("[o]", body);
	if (!json_is_array(body)) {
		json_decref(body);
		return serve_failed(q, MHD_HTTP_BAD_REQUEST, "send a status report or a list of them");
	}
	if ((fd = scratch_json(q, body)) < 0)
		return serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot stage the reports");
	answered = serve_write(q, json_pack("{s:s}", "op", "status"), fd);
	close(fd);
	return answered;
}

/*
 * POST asns: a ship notice or a list of them (application/json, schemas/
 * asn.schema.json) or an X12 856 interchange (application/edi-x12), in
 * one commit (supplier of each PO).
 */
enum MHD_Result serve_post_asns(serve_req *q)
{
	enum MHD_Result answered;
	json_t *body;

	if (strcmp(q->body_type, "application/json") == 0) {
		if ((body = serve_json_body(q, &answered)) == NULL)
			return answered;
		json_decref(body);
		if (lseek(q->body, 0, SEEK_SET) < 0)
			return serve_failed(q, MHD_HTTP_INTERNAL_SERVER_ERROR,
					    "cannot read the body back");
	}
	return serve_write(q, json_pack("{s:s}", "op", "asn-import"), q->body);
}

/*
 * POST asns/{asn}/receipts {"date"?, "note"?, "lots"?: [{"lot", "qty"}] or
 * {"LOT": QTY}} (lots not named: received as shipped; buyer, quality).
 */
enum MHD_Result serve_post_receipt(serve_req *q)
{
	static const char *const taken[] = { "asn", NULL };
	const char *values[] = { q->part[1] };
	enum MHD_Result answered;
	json_t *body, *req, *lots, *list, *qty;
	const char *lot;

	if ((body = serve_json_body(q, &answered)) == NULL ||
	    (req = request_of(q, "asn-receive", body, taken, &answered)) == NULL)
		return answered;
	lots = json_object_get(req, "lots");
	if (json_is_object(lots)) {
		list = json_array();
		json_object_foreach(lots, lot, qty)
			json_array_append_new(list, json_pack("{s:s, s:O}", "lot", lot, "qty", qty));
		json_object_set_new(req, "lots", list);
	}
	json_object_set_new(req, taken[0], json_string(values[0]));
	return serve_write(q, req, -1);
}

/* POST ncrs {"lot", "reason", "disposition"?, "docs"?: ["DOC@REV"...]} (quality, buyer). */
enum MHD_Result serve_post_ncr(serve_req *q)
{
	return write_json(q, "ncr-add", NULL, NULL);
}

/* POST ncrs/{ncr}/close {"disposition", "note"?} (quality, buyer). */
enum MHD_Result serve_post_ncr_close(serve_req *q)
{
	static const char *const taken[] = { "ncr", NULL };
	const char *values[] = { q->part[1] };

	return write_json(q, "ncr-close", taken, values);
}

/* POST fai[?po=PO][&lot=LOT]: a First Article Inspection package (a zip), as `fai add`. */
enum MHD_Result serve_post_fai(serve_req *q)
{
	return serve_write(q, json_pack("{s:s, s:s*, s:s*}", "op", "fai", "po",
					serve_query(q, "po"), "lot", serve_query(q, "lot")),
			   q->body);
}
