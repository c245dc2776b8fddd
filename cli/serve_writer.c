/*
 * serve_writer.c - the writer of `qvault serve`: the one process that
 * holds the vault's server key and writes, each write for the user of a
 * write token it checked itself.
 *
 * A request is JSON: {"op": "add", "token": "...", ...the operation's
 * fields}, with the upload's file descriptor beside it.  The reply is
 * {"status": N, "body": ...} or {"status": N, "error": "..."}.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "serve.h"

/* the server key the writer signs with (serve_writer_run) */
static const vault_key *writer_key;

/* The HTTP status of a library error. */
static int status_of(int error)
{
	switch (error) {
	case VAULT_ENOTFOUND:
		return 404;
	case VAULT_EEXISTS:
		return 409;
	case VAULT_EINVALID:
		return 400;
	case VAULT_EDENIED:
		return 403;
	case VAULT_ELOCKED:
		return 503;
	default:
		return 500;
	}
}

static json_t *failure(int status, const char *message)
{
	return json_pack("{s:i, s:s}", "status", status, "error", message);
}

/* A string member of `o`, or NULL. */
static const char *member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * The user of the request's token, who must be allowed to write; on
 * refusal, the reply.  The token's text is in `req` only, never copied.
 */
static json_t *authorize(vault_user *u, vault *v, const json_t *req)
{
	const char *token = member(req, "token"), *reason = NULL;
	int may_write = 0;

	/* a person in the portal: a session and its CSRF token (serve_sessions.c) */
	if (json_object_get(req, "session"))
		return serve_session_authorize(u, v, req);
	if (!token || vault_token_check(u, &may_write, &reason, v, token, (int64_t)time(NULL)) < 0)
		return failure(401, "invalid token");
	if (!may_write) {
		vault_user_dispose(u);
		return failure(403, "the token may only read");
	}
	return NULL;
}

/*
 * The upload `fd` the HTTP process handed over, copied into a file of the
 * writer's own (in the vault's qvault/, unnamed) and read from there: the
 * writer reads only a regular file it was given open for reading, never
 * more than the vault's limit, and what it stores cannot change under it.
 * The copy's descriptor, or -1 with *reply set.
 */
static int take_upload(json_t **reply, vault *v, const char *dir, int fd, const char *type)
{
	char buf[65536];
	unsigned long long total = 0;
	uint64_t limit;
	struct stat st;
	ssize_t n;
	int flags = fcntl(fd, F_GETFL), copy;

	*reply = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || flags < 0 || (flags & O_PATH) ||
	    (flags & O_ACCMODE) == O_WRONLY) {
		*reply = failure(400, "the upload is not a file open for reading");
		return -1;
	}
	if (vault_limit_check(&limit, v, VAULT_LIMIT_UPLOAD, type, "the upload", 0) < 0 ||
	    (copy = cli_scratch_file(dir)) < 0) {
		*reply = failure(500, "cannot take the upload");
		return -1;
	}
	while ((n = pread(fd, buf, sizeof(buf), (off_t)total)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (total += (unsigned long long)n) > limit ||
		    write(copy, buf, (size_t)n) != n) {
			*reply = n < 0 || total <= limit ? failure(500, "cannot take the upload") :
				failure(413, "the upload is over this vault's limit");
			close(copy);
			return -1;
		}
	}
	return copy;
}

/*
 * What a request may carry beside "op" and "token": each member, its JSON
 * type (JSON_TRUE: a boolean) and whether it must be there.  Anything else,
 * or a member of another type, refuses the request: the writer takes no
 * field it did not expect from the process that parses HTTP.
 */
typedef struct {
	const char *key;
	json_type type;
	int required;
} field;

static int type_is(const json_t *j, json_type type)
{
	return type == JSON_TRUE ? json_is_boolean(j) : json_typeof(j) == type;
}

static const char *type_name(json_type type)
{
	return type == JSON_STRING ? "a string" : type == JSON_INTEGER ? "a whole number" :
		type == JSON_ARRAY ? "a list" : type == JSON_OBJECT ? "an object" : "true or false";
}

/* NULL when `o` holds only `fields`, each of its type, every required one; else the reply. */
static json_t *check_fields(const json_t *o, const field *fields, int request)
{
	char message[256];
	const char *key;
	const field *f;
	json_t *value;

	if (!json_is_object(o))
		return failure(400, "a malformed request");
	json_object_foreach((json_t *)(uintptr_t)o, key, value) {
		if (request && (strcmp(key, "op") == 0 || strcmp(key, "token") == 0 ||
				strcmp(key, "session") == 0 || strcmp(key, "csrf") == 0))
			continue;
		for (f = fields; f->key && strcmp(f->key, key) != 0; f++)
			;
		if (!f->key)
			return cli_fmt(message, sizeof(message), "a message", "unknown field '%.64s'",
				       key) < 0 ? failure(400, "an unknown field") :
				failure(400, message);
		if (!type_is(value, f->type))
			return cli_fmt(message, sizeof(message), "a message", "'%s' must be %s",
				       f->key, type_name(f->type)) < 0 ?
				failure(400, "a field of the wrong type") : failure(400, message);
	}
	for (f = fields; f->key; f++)
		if (f->required && !json_object_get(o, f->key))
			return cli_fmt(message, sizeof(message), "a message", "'%s' is required",
				       f->key) < 0 ? failure(400, "a field is missing") :
				failure(400, message);
	return NULL;
}

/* Every member of the list `a` a string; NULL, or the reply naming `what`. */
static json_t *check_strings(const json_t *a, const char *what)
{
	char message[128];
	json_t *s;
	size_t i;

	json_array_foreach(a, i, s)
		if (!json_is_string(s))
			return cli_fmt(message, sizeof(message), "a message", "'%s' must be a list of "
				       "strings", what) < 0 ? failure(400, "a malformed request") :
				failure(400, message);
	return NULL;
}

/*
 * Check the token, then act for its user: every rule of the library
 * applies to that user, and each commit names it.  NULL, or the reply.
 */
static json_t *act_for_token(vault *v, const json_t *req)
{
	vault_user u;
	json_t *reply;

	if ((reply = authorize(&u, v, req)) != NULL)
		return reply;
	vault_set_on_behalf(v, u.name);
	vault_user_dispose(&u);
	return NULL;
}

/*
 * The library's failure, without the name of the writer's own copy of an
 * upload (`path`), which means nothing to the client: a leading
 * "'PATH': " is dropped, and PATH anywhere else is told as `name` (the
 * file name the client gave; NULL: "the upload").
 */
static json_t *library_failure(int error, const char *path, const char *name)
{
	const char *m = vault_error_message(), *rest = m, *at;
	size_t len = path ? strlen(path) : 0;
	char message[1024];

	if (path && m[0] == '\'' && strncmp(m + 1, path, len) == 0 &&
	    strncmp(m + 1 + len, "': ", 3) == 0)
		rest = m + 1 + len + 3;
	else if (path && (at = strstr(m, path)) != NULL)
		rest = cli_fmt(message, sizeof(message), "a message", "%.*s%s%s", (int)(at - m), m,
			       name ? name : "the upload", at + len) == 0 ? message :
			"the upload is refused";
	return failure(status_of(error), rest);
}

/* {"status": 201, "body": `body`}, `body` taken over; a 500 when it is NULL. */
static json_t *created(json_t *body, int status)
{
	if (!body)
		return failure(500, "cannot describe what was recorded");
	return json_pack("{s:i, s:o}", "status", status, "body", body);
}

/* Library JSON text (taken over) as a reply body. */
static json_t *created_text(char *text, int status)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return created(j, status);
}

/*
 * The upload `fd` copied (take_upload) and named as a path the library
 * opens: /proc/self/fd/N of the copy.  The copy's descriptor, or -1 with
 * *reply set.
 */
static int upload_path(json_t **reply, char *path, size_t size, vault *v, const char *dir,
		       int fd, const char *type)
{
	int copy;

	*reply = NULL;
	if (fd < 0) {
		*reply = failure(400, "no file came with the request");
		return -1;
	}
	if ((copy = take_upload(reply, v, dir, fd, type)) < 0)
		return -1;
	if (cli_fmt(path, size, "the upload's path", "/proc/self/fd/%d", copy) < 0) {
		close(copy);
		*reply = failure(500, "no room for the file's path");
		return -1;
	}
	return copy;
}

/*
 * The revision recorded, as a read shows it: vault_doc_add and
 * vault_doc_release give it back from the index, with its state (or, the
 * index unreadable just after, as written: the write is done, never a
 * 500 that a client would try again).
 */
static json_t *revision_reply(vault_revision *r)
{
	json_t *reply = created(cli_revision_json(r), 201);

	vault_revision_dispose(r);
	return reply;
}

/* The options of a revision's file that both "add" and "release" take. */
static void add_options(vault_add_options *o, const json_t *req, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->name = member(req, "name");
	o->doc = member(req, "doc");
	o->type = member(req, "type");
	o->rev = member(req, "rev");
	o->title = member(req, "title");
	o->po = member(req, "po");
	o->lot = member(req, "lot");
	o->meta = member(req, "meta");
	o->expires = member(req, "expires");
	o->review_by = member(req, "review_by");
}

/*
 * "add": a document revision whose file is `fd`; a material certificate's
 * EN 10204 data in "meta" (JSON text, as `add --meta` reads it), in the
 * same commit.
 */
static json_t *do_add(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "doc", JSON_STRING, 1 }, { "type", JSON_STRING, 1 }, { "name", JSON_STRING, 1 },
		{ "rev", JSON_STRING, 0 }, { "title", JSON_STRING, 0 }, { "po", JSON_STRING, 0 },
		{ "lot", JSON_STRING, 0 }, { "meta", JSON_STRING, 0 }, { "expires", JSON_STRING, 0 },
		{ "review_by", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	char path[64];
	vault_revision r;
	json_t *reply;
	vault_add_options o;
	int error, copy;

	if (fd < 0)
		return failure(400, "no file came with the request");
	if ((reply = check_fields(req, fields, 1)) != NULL || (reply = act_for_token(v, req)) != NULL)
		return reply;
	if ((copy = upload_path(&reply, path, sizeof(path), v, dir, fd, member(req, "type"))) < 0)
		return reply;
	add_options(&o, req, path);
	error = vault_doc_add(&r, v, &o);
	close(copy);
	if (error < 0)
		return library_failure(error, path, member(req, "name"));
	return revision_reply(&r);
}

/* The strings of the list `a` as a malloc'd array (borrowed strings), at least one slot. */
static const char **string_array(const json_t *a, size_t *n)
{
	const char **out = calloc(json_array_size(a) + 1, sizeof(*out));
	json_t *s;
	size_t i;

	if (!out)
		abort();
	json_array_foreach(a, i, s)
		out[i] = json_string_value(s);
	*n = json_array_size(a);
	return out;
}

/*
 * "release": revision "rev" of a drawing or spec, its file `fd`, released
 * "to" organizations (buyer), with its "marking" and "licence" as
 * `qvault release --marking --licence` takes them.
 */
static json_t *do_release(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "doc", JSON_STRING, 1 }, { "rev", JSON_STRING, 1 }, { "name", JSON_STRING, 1 },
		{ "type", JSON_STRING, 1 }, { "to", JSON_ARRAY, 1 }, { "title", JSON_STRING, 0 },
		{ "parts", JSON_ARRAY, 0 }, { "reason", JSON_STRING, 0 },
		{ "effective", JSON_STRING, 0 }, { "expires", JSON_STRING, 0 },
		{ "review_by", JSON_STRING, 0 }, { "marking", JSON_STRING, 0 },
		{ "licence", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	vault_release_options rel = { 0 };
	vault_add_options o;
	vault_revision r;
	const char **to, **parts;
	char path[64];
	json_t *reply;
	int error, copy;

	if ((reply = check_fields(req, fields, 1)) != NULL ||
	    (reply = check_strings(json_object_get(req, "to"), "to")) != NULL ||
	    (reply = check_strings(json_object_get(req, "parts"), "parts")) != NULL)
		return reply;
	if (fd < 0)
		return failure(400, "no file came with the request");
	if ((reply = act_for_token(v, req)) != NULL)
		return reply;
	if ((copy = upload_path(&reply, path, sizeof(path), v, dir, fd, member(req, "type"))) < 0)
		return reply;
	add_options(&o, req, path);
	o.parts = parts = string_array(json_object_get(req, "parts"), &o.nparts);
	rel.to = to = string_array(json_object_get(req, "to"), &rel.nto);
	rel.reason = member(req, "reason");
	rel.effective = member(req, "effective");
	rel.marking = member(req, "marking");
	rel.licence = member(req, "licence");
	error = vault_doc_release(&r, v, &o, &rel);
	close(copy);
	free(to);
	free(parts);
	if (error < 0)
		return library_failure(error, path, member(req, "name"));
	return revision_reply(&r);
}

/*
 * "ack-statement": the statement the token's user would sign to
 * acknowledge DOC@REV with its meaning (and comment), made by the vault
 * and recorded nowhere; and how to sign it.
 */
static json_t *do_ack_statement(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "doc", JSON_STRING, 1 }, { "rev", JSON_STRING, 1 }, { "meaning", JSON_STRING, 1 },
		{ "comment", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	json_t *reply;
	char *stmt = NULL;
	int error;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL || (reply = act_for_token(v, req)) != NULL)
		return reply;
	if ((error = vault_ack_statement(&stmt, v, member(req, "doc"), member(req, "rev"),
					 member(req, "meaning"), member(req, "comment"))) < 0)
		return failure(status_of(error), vault_error_message());
	reply = created(json_pack("{s:s, s:s, s:s}", "statement", stmt, "namespace",
				  VAULT_ACK_NAMESPACE, "sign",
				  "ssh-keygen -Y sign -n " VAULT_ACK_NAMESPACE " -f KEY FILE, "
				  "FILE holding the statement byte for byte"), 200);
	free(stmt);
	return reply;
}

/* The acknowledgment `meaning` of DOC@REV by `signer`, as `acks --json` shows it. */
static json_t *ack_json(vault *v, const char *doc, const char *rev, const char *signer,
			const char *meaning)
{
	char when[VAULT_TIME_SIZE];
	vault_ack_list *list = NULL;
	json_t *j = NULL;
	size_t i;

	if (vault_acks(&list, v, doc, rev) < 0)
		return NULL;
	for (i = 0; i < list->count && !j; i++) {
		const vault_ack_info *k = &list->items[i];

		if (strcmp(k->signer, signer) != 0 || strcmp(k->meaning, meaning) != 0)
			continue;
		vault_time_format(when, sizeof(when), k->time);
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s}",
			      "doc", k->doc, "rev", k->rev, "statement", k->name, "name", k->signer,
			      "org", k->org, "fingerprint", k->fingerprint, "meaning", k->meaning,
			      "comment", k->comment, "time", when, "commit", k->commit);
	}
	vault_ack_list_free(list);
	return j;
}

/*
 * "ack-submit": a statement the user signed on its side, for DOC@REV (the
 * statement must name the same), taken only if it is exactly what the
 * vault would make for that user, signed by the user's registered key.
 */
static json_t *do_ack_submit(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "doc", JSON_STRING, 1 }, { "rev", JSON_STRING, 1 }, { "statement", JSON_STRING, 1 },
		{ "signature", JSON_STRING, 1 }, { NULL, 0, 0 }
	};
	const char *stmt = member(req, "statement"), *doc, *rev, *meaning, *signer;
	json_t *reply, *s, *p;
	int error;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	s = json_loadb(stmt, strlen(stmt), JSON_REJECT_DUPLICATES, NULL);
	p = json_object_get(s, "predicate");
	doc = json_string_value(json_object_get(p, "document"));
	rev = json_string_value(json_object_get(p, "revision"));
	meaning = json_string_value(json_object_get(p, "meaning"));
	signer = json_string_value(json_object_get(json_object_get(p, "signer"), "name"));
	if (!doc || !rev || !meaning || !signer) {
		json_decref(s);
		return failure(400, "the acknowledgment statement is malformed");
	}
	if (strcmp(doc, member(req, "doc")) != 0 || strcmp(rev, member(req, "rev")) != 0) {
		json_decref(s);
		return failure(400, "the statement is for another revision than the one posted to");
	}
	if ((reply = act_for_token(v, req)) == NULL) {
		if ((error = vault_ack_submit(v, stmt, strlen(stmt), member(req, "signature"))) < 0)
			reply = failure(status_of(error), vault_error_message());
		else
			reply = created(ack_json(v, doc, rev, signer, meaning), 201);
	}
	json_decref(s);
	return reply;
}

/* An acknowledgment of a PO from one member of "acks"; NULL, or the reply. */
static json_t *po_ack_of(vault_po_ack *k, const char *po, const json_t *o, size_t n)
{
	static const field fields[] = {
		{ "line", JSON_INTEGER, 0 }, { "promise", JSON_STRING, 0 }, { "qty", JSON_INTEGER, 0 },
		{ "note", JSON_STRING, 0 }, { "reject", JSON_TRUE, 0 }, { "reason", JSON_STRING, 0 },
		{ "revision", JSON_INTEGER, 0 }, { "release", JSON_INTEGER, 0 }, { NULL, 0, 0 }
	};
	json_int_t line = json_integer_value(json_object_get(o, "line")),
		   release = json_integer_value(json_object_get(o, "release")),
		   qty = json_integer_value(json_object_get(o, "qty")),
		   revision = json_integer_value(json_object_get(o, "revision"));
	char message[96];
	json_t *reply;

	if ((reply = check_fields(o, fields, 0)) != NULL)
		return reply;
	if (line < 0 || line > 10000 || qty < 0 || qty > 1000000000 || revision < 0 ||
	    revision > 1000000 || release < 0 || release > 999999)
		return cli_fmt(message, sizeof(message), "a message", "ack %zu: a line, "
			       "quantity, revision or release out of range", n + 1) < 0 ?
			failure(400, "a line, quantity, revision or release out of range") :
			failure(400, message);
	memset(k, 0, sizeof(*k));
	k->po = po;
	k->revision = json_object_get(o, "revision") ? (long)revision : -1;
	k->line = (unsigned)line;
	k->release = (unsigned)release;
	k->qty = (uint64_t)qty;
	k->reject = json_is_true(json_object_get(o, "reject"));
	k->promise = member(o, "promise");
	k->note = member(o, "note");
	k->reason = member(o, "reason");
	if (!k->reject && !k->promise)
		return cli_fmt(message, sizeof(message), "a message", "ack %zu: give a promise, or "
			       "reject with a reason", n + 1) < 0 ?
			failure(400, "give a promise, or reject with a reason") :
			failure(400, message);
	return NULL;
}

/* The reply to a write of PO `po`: its failure, or the PO as GET pos/{po} shows it (201). */
static json_t *po_written(vault *v, int error, const char *po)
{
	char *text = NULL;

	if (error < 0)
		return failure(status_of(error), vault_error_message());
	return vault_po_show(&text, v, po) < 0 ? failure(500, vault_error_message()) :
		created_text(text, 201);
}

/* One step of a change order from member `n` of "edits"; NULL, or the reply. */
static json_t *po_edit_of(vault_po_edit *e, const json_t *o, size_t n)
{
	static const field fields[] = {
		{ "op", JSON_STRING, 1 }, { "line", JSON_INTEGER, 0 }, { "qty", JSON_INTEGER, 0 },
		{ "part", JSON_STRING, 0 }, { "doc", JSON_STRING, 0 }, { "rev", JSON_STRING, 0 },
		{ "due", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	static const struct {
		const char *name;
		vault_po_change_op op;
	} ops[] = { { "edit", VAULT_PO_EDIT }, { "add-line", VAULT_PO_ADD_LINE },
		    { "cancel", VAULT_PO_CANCEL }, { "close", VAULT_PO_CLOSE } };
	json_int_t line = json_integer_value(json_object_get(o, "line")),
		   qty = json_integer_value(json_object_get(o, "qty"));
	const char *op = member(o, "op");
	char message[128];
	json_t *reply;
	size_t i;

	if ((reply = check_fields(o, fields, 0)) != NULL)
		return reply;
	memset(e, 0, sizeof(*e));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[i].name, op) != 0; i++)
		;
	if (i == sizeof(ops) / sizeof(ops[0]) || line < 0 || line > 10000 || qty < 0 ||
	    qty > 1000000000 || (!member(o, "doc") != !member(o, "rev")) ||
	    (json_object_get(o, "line") && line == 0))
		return cli_fmt(message, sizeof(message), "a message", "edit %zu: an op of edit, "
			       "add-line, cancel or close; a line from 1 (none: every open line), "
			       "a quantity in range; doc with rev", n + 1) < 0 ?
			failure(400, "a malformed edit") : failure(400, message);
	e->op = ops[i].op;
	e->line = (unsigned)line;
	e->qty = (uint64_t)qty;
	e->part = member(o, "part");
	e->doc = member(o, "doc");
	e->rev = member(o, "rev");
	e->due = member(o, "due");
	/* nothing given that the op would not use: a field ignored is a surprise */
	if ((e->op != VAULT_PO_ADD_LINE && e->part) || (e->op == VAULT_PO_ADD_LINE && e->line) ||
	    ((e->op == VAULT_PO_CANCEL || e->op == VAULT_PO_CLOSE) &&
	     (e->qty || e->doc || e->due)))
		return cli_fmt(message, sizeof(message), "a message", "edit %zu: a field its op does "
			       "not take (an edit changes no part; qvault numbers an added line)",
			       n + 1) < 0 ? failure(400, "a field its op does not take") :
			failure(400, message);
	if ((e->op == VAULT_PO_EDIT && !e->line) ||
	    (e->op == VAULT_PO_ADD_LINE && (!e->part || !e->doc || !e->qty)))
		return cli_fmt(message, sizeof(message), "a message", "edit %zu: an edit names its "
			       "line; an added line its part, qty, doc and rev", n + 1) < 0 ?
			failure(400, "a malformed edit") : failure(400, message);
	return NULL;
}

/*
 * "po-change": a change order of PO "po" (buyer): "reason" and "edits",
 * one commit; answered with the PO as GET pos/{po} shows it.
 */
static json_t *do_po_change(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "po", JSON_STRING, 1 }, { "reason", JSON_STRING, 1 }, { "edits", JSON_ARRAY, 1 },
		{ NULL, 0, 0 }
	};
	const json_t *edits = json_object_get(req, "edits");
	const char *po = member(req, "po");
	vault_po_edit *e;
	json_t *reply = NULL;
	size_t i, n;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if ((n = json_array_size(edits)) == 0 || n > 10000)
		return failure(400, "'edits' must hold from 1 to 10000 changes");
	if ((e = calloc(n, sizeof(*e))) == NULL)
		abort();
	for (i = 0; i < n && !reply; i++)
		reply = po_edit_of(&e[i], json_array_get(edits, i), i);
	if (!reply && (reply = act_for_token(v, req)) == NULL)
		reply = po_written(v, vault_po_change(v, po, e, n, member(req, "reason"), NULL), po);
	free(e);
	return reply;
}

/*
 * "po-ack": the supplier's acknowledgments of PO "po" (the whole PO or lines), one commit;
 * answered with the PO as GET pos/{po} (po show --json) shows it.
 */
/*
 * What a signed act's first step answers: the record to sign, its
 * namespace, and the command that signs it with a key file.
 */
static json_t *statement_reply(int error, char *record, const char *ns)
{
	json_t *reply;

	if (error < 0)
		return failure(status_of(error), vault_error_message());
	reply = created(json_pack("{s:s, s:s}", "record", record, "namespace", ns), 200);
	free(record);
	return reply;
}

static json_t *po_ack(vault *v, const json_t *req, const vault_signing *s)
{
	static const field fields[] = {
		{ "po", JSON_STRING, 1 }, { "acks", JSON_ARRAY, 1 }, { NULL, 0, 0 }
	};
	const json_t *acks = json_object_get(req, "acks");
	const char *po = member(req, "po");
	vault_po_ack *k;
	json_t *reply = NULL;
	size_t i, n;
	int error;

	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if ((n = json_array_size(acks)) == 0 || n > 10000)
		return failure(400, "'acks' must hold from 1 to 10000 acknowledgments");
	if (s && n != 1)
		return failure(400, "a signed acknowledgment is one answer");
	if ((k = calloc(n, sizeof(*k))) == NULL)
		abort();
	for (i = 0; i < n && !reply; i++)
		reply = po_ack_of(&k[i], po, json_array_get(acks, i), i);
	if (!reply && (reply = act_for_token(v, req)) == NULL) {
		error = s ? vault_po_ack_signed(v, k, s) : vault_po_ack_add(v, k, n);
		reply = s && s->statement ?
			statement_reply(error, *s->statement, VAULT_PO_ACK_NAMESPACE) :
			po_written(v, error, po);
	}
	free(k);
	return reply;
}

/*
 * A person in the portal makes an act that is a signature only with the
 * passkey (portal-act-sign): a session is no credential for it unsigned.
 */
static json_t *unsigned_act_refused(const json_t *req)
{
	return json_object_get(req, "session") ?
		failure(403, "sign it with your passkey: this is a signature") : NULL;
}

static json_t *do_po_ack(vault *v, const char *dir, const json_t *req, int fd)
{
	json_t *reply;

	(void)dir;
	(void)fd;
	return (reply = unsigned_act_refused(req)) != NULL ? reply : po_ack(v, req, NULL);
}

/*
 * "status", "asn-import": a file of status reports (JSON or CSV) or of
 * ship notices (JSON or an X12 856 interchange), the upload `fd`, read and
 * checked by the library as `status import` and `asn import` read theirs.
 */
static json_t *do_import(vault *v, const char *dir, const json_t *req, int fd,
			 int (*import)(size_t *, vault *, const char *))
{
	static const field fields[] = { { NULL, 0, 0 } };
	char path[64];
	json_t *reply;
	size_t count = 0;
	int error, copy;

	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (fd < 0)
		return failure(400, "no file came with the request");
	if ((reply = act_for_token(v, req)) != NULL)
		return reply;
	if ((copy = upload_path(&reply, path, sizeof(path), v, dir, fd, NULL)) < 0)
		return reply;
	error = import(&count, v, path);
	close(copy);
	if (error < 0)
		return library_failure(error, path, NULL);
	return created(json_pack("{s:I}", "recorded", (json_int_t)count), 201);
}

static json_t *do_status(vault *v, const char *dir, const json_t *req, int fd)
{
	return do_import(v, dir, req, fd, vault_status_import);
}

static json_t *do_asn_import(vault *v, const char *dir, const json_t *req, int fd)
{
	return do_import(v, dir, req, fd, vault_asn_import);
}

/* The rows of the JSON list `text` (taken over) whose `key` is `value`, as a list. */
static json_t *rows_where(char *text, const char *key, const char *value)
{
	json_t *all = text ? json_loads(text, 0, NULL) : NULL, *out, *row;
	size_t i;

	free(text);
	if (!json_is_array(all)) {
		json_decref(all);
		return NULL;
	}
	out = json_array();
	json_array_foreach(all, i, row)
		if (json_string_value(json_object_get(row, key)) &&
		    strcmp(json_string_value(json_object_get(row, key)), value) == 0)
			json_array_append(out, row);
	json_decref(all);
	return out;
}

/* The first of a list (taken over), or NULL. */
static json_t *first_of(json_t *list)
{
	json_t *j = json_incref(json_array_get(list, 0));

	json_decref(list);
	return j;
}

/* "asn-receive": the receipt of ship notice "asn" (buyer, quality): "lots" [{lot, qty}]. */
static json_t *do_asn_receive(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "asn", JSON_STRING, 1 }, { "date", JSON_STRING, 0 }, { "note", JSON_STRING, 0 },
		{ "lots", JSON_ARRAY, 0 }, { NULL, 0, 0 }
	};
	static const field item_fields[] = {
		{ "lot", JSON_STRING, 1 }, { "qty", JSON_INTEGER, 1 }, { NULL, 0, 0 }
	};
	const json_t *lots = json_object_get(req, "lots");
	vault_receipt_item *items;
	vault_receipt r;
	json_t *reply, *o;
	char *text = NULL;
	size_t i;
	int error;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (json_array_size(lots) > 10000)
		return failure(400, "'lots' holds more than 10000 lots");
	if ((items = calloc(json_array_size(lots) + 1, sizeof(*items))) == NULL)
		abort();
	json_array_foreach(lots, i, o) {
		json_int_t qty = json_integer_value(json_object_get(o, "qty"));

		if ((reply = check_fields(o, item_fields, 0)) != NULL)
			break;
		if (qty < 0 || qty > 1000000000) {
			reply = failure(400, "a quantity received is out of range");
			break;
		}
		items[i].lot = member(o, "lot");
		items[i].qty = (uint64_t)qty;
	}
	if (!reply && (reply = act_for_token(v, req)) == NULL) {
		memset(&r, 0, sizeof(r));
		r.asn = member(req, "asn");
		r.date = member(req, "date");
		r.note = member(req, "note");
		r.items = items;
		r.nitems = json_array_size(lots);
		if ((error = vault_asn_receive(v, &r, 1)) < 0)
			reply = failure(status_of(error), vault_error_message());
		else if (vault_asn_export(&text, v, NULL, VAULT_EXPORT_JSON) < 0)
			reply = failure(500, vault_error_message());
		else
			reply = created(json_pack("{s:s, s:o*}", "asn", r.asn, "packages",
						  rows_where(text, "asn", r.asn)), 201);
	}
	free(items);
	return reply;
}

/* The NCR `id` as `ncr list --json` shows it. */
static json_t *ncr_reply(vault *v, const char *id)
{
	char *text = NULL;

	if (vault_ncr_list(&text, v, NULL) < 0)
		return failure(500, vault_error_message());
	return created(first_of(rows_where(text, "ncr", id)), 201);
}

/* "ncr-add": a nonconformance report on "lot" (quality, buyer), citing "docs" ["DOC@REV"]. */
static json_t *do_ncr_add(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "lot", JSON_STRING, 1 }, { "reason", JSON_STRING, 1 },
		{ "disposition", JSON_STRING, 0 }, { "docs", JSON_ARRAY, 0 }, { NULL, 0, 0 }
	};
	const json_t *docs = json_object_get(req, "docs");
	char (*bufs)[512], id[32];
	vault_doc_ref *refs;
	vault_ncr n;
	json_t *reply, *s;
	size_t i;
	int error;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL ||
	    (reply = check_strings(docs, "docs")) != NULL)
		return reply;
	if (json_array_size(docs) > 1000)
		return failure(400, "'docs' names more than 1000 documents");
	refs = calloc(json_array_size(docs) + 1, sizeof(*refs));
	bufs = calloc(json_array_size(docs) + 1, sizeof(*bufs));
	if (!refs || !bufs)
		abort();
	json_array_foreach(docs, i, s) {
		cli_split_docrev(bufs[i], sizeof(bufs[i]), json_string_value(s), &refs[i].doc,
				 &refs[i].rev);
		if (!refs[i].rev) {
			reply = failure(400, "a document an NCR cites is DOC@REV");
			break;
		}
	}
	if (!reply && (reply = act_for_token(v, req)) == NULL) {
		memset(&n, 0, sizeof(n));
		n.lot = member(req, "lot");
		n.reason = member(req, "reason");
		n.disposition = member(req, "disposition");
		n.docs = refs;
		n.ndocs = json_array_size(docs);
		reply = (error = vault_ncr_add(v, &n, id, sizeof(id))) < 0 ?
			failure(status_of(error), vault_error_message()) : ncr_reply(v, id);
	}
	free(refs);
	free(bufs);
	return reply;
}

/* "ncr-close": close NCR "ncr" with a disposition (quality, buyer). */
static json_t *ncr_close(vault *v, const json_t *req, const vault_signing *s)
{
	static const field fields[] = {
		{ "ncr", JSON_STRING, 1 }, { "disposition", JSON_STRING, 1 },
		{ "note", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	json_t *reply;
	int error;

	if ((reply = check_fields(req, fields, 1)) != NULL || (reply = act_for_token(v, req)) != NULL)
		return reply;
	error = vault_ncr_close_signed(v, member(req, "ncr"), member(req, "disposition"),
				       member(req, "note"), s);
	if (s && s->statement)
		return statement_reply(error, *s->statement, VAULT_NCR_CLOSE_NAMESPACE);
	if (error < 0)
		return failure(status_of(error), vault_error_message());
	return ncr_reply(v, member(req, "ncr"));
}

static json_t *do_ncr_close(vault *v, const char *dir, const json_t *req, int fd)
{
	json_t *reply;

	(void)dir;
	(void)fd;
	return (reply = unsigned_act_refused(req)) != NULL ? reply : ncr_close(v, req, NULL);
}

/* The characteristics of `checks` that passed, left out (counted): a reply has its limit. */
static void fai_checks_failing_only(json_t *checks)
{
	json_t *all = json_object_get(checks, "form3"), *failing = json_array(), *c;
	size_t i;

	json_array_foreach(all, i, c)
		if (!json_is_null(json_object_get(c, "error")))
			json_array_append(failing, c);
	json_object_set_new(checks, "form3_passing_left_out",
			    json_integer((json_int_t)(json_array_size(all) - json_array_size(failing))));
	json_object_set_new(checks, "form3", failing);
}

/*
 * Beside a refused package, what each of its checks found (vault_fai_check),
 * for the form to show next to each field; when the package passed them and
 * the vault refused the PO or the lot the request names, "field" says which.
 */
static void add_fai_checks(json_t *reply, vault *v, const char *path, const json_t *req,
			   int error)
{
	const char *po = member(req, "po"), *lot = member(req, "lot");
	char *text = NULL, *seen = NULL;
	json_t *checks;
	size_t len;

	if (vault_fai_check(&text, v, path) < 0 || (checks = json_loads(text, 0, NULL)) == NULL) {
		free(text);
		return;
	}
	len = strlen(text);
	free(text);
	if (error == VAULT_ENOTFOUND && json_is_null(json_object_get(checks, "error"))) {
		if (po && vault_po_show(&seen, v, po) < 0)
			json_object_set_new(checks, "field", json_string("po"));
		else if (lot && vault_trace_lot(&seen, v, lot) < 0)
			json_object_set_new(checks, "field", json_string("lot"));
		free(seen);
	}
	if (len > SERVE_MSG_MAX / 2)
		fai_checks_failing_only(checks);
	if ((text = json_dumps(checks, JSON_COMPACT)) != NULL && strlen(text) <= SERVE_MSG_MAX / 2)
		json_object_set(reply, "checks", checks);
	free(text);
	json_decref(checks);
}

/* "fai": the First Article Inspection package `fd` (a zip), attached to "po" and "lot" if given. */
static json_t *do_fai(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "po", JSON_STRING, 0 }, { "lot", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	vault_revision r;
	char path[64], *text = NULL;
	json_t *reply;
	int error, copy;

	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (fd < 0)
		return failure(400, "no file came with the request");
	if ((reply = act_for_token(v, req)) != NULL)
		return reply;
	if ((copy = upload_path(&reply, path, sizeof(path), v, dir, fd, "fai")) < 0)
		return reply;
	error = vault_fai_add(&r, v, path, member(req, "po"), member(req, "lot"));
	if (error < 0) {
		reply = library_failure(error, path, NULL);
		if (error == VAULT_EINVALID || error == VAULT_ENOTFOUND)
			add_fai_checks(reply, v, path, req, error);
		close(copy);
		return reply;
	}
	close(copy);
	if (json_object_get(req, "session")) {
		/* a person in the portal is sent on to the FAI's page: its address is the
		 * answer (the FAI whole, thousands of characteristics, may be more than a
		 * reply carries, and a form must never read as refused what was recorded) */
		reply = created(json_pack("{s:s, s:s}", "fair", r.doc, "rev", r.rev), 201);
		vault_revision_dispose(&r);
		return reply;
	}
	error = vault_fai_show(&text, v, r.doc, r.rev);
	vault_revision_dispose(&r);
	return error < 0 ? failure(500, vault_error_message()) : created_text(text, 201);
}

/*
 * "lot-add": a lot of PO "po" made by the supplier: "lot", "part" (one of
 * the PO's), "qty", and when it was made ("made", YYYY-MM-DD).
 */
static json_t *do_lot_add(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "lot", JSON_STRING, 1 }, { "po", JSON_STRING, 1 }, { "part", JSON_STRING, 1 },
		{ "qty", JSON_INTEGER, 1 }, { "made", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	json_int_t qty = json_integer_value(json_object_get(req, "qty"));
	vault_lot lot;
	json_t *reply;
	int error;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (qty < 1 || qty > 1000000000)
		return failure(400, "'qty' must be from 1 to 1000000000");
	if ((reply = act_for_token(v, req)) != NULL)
		return reply;
	memset(&lot, 0, sizeof(lot));
	lot.lot = member(req, "lot");
	lot.po = member(req, "po");
	lot.part = member(req, "part");
	lot.qty = (uint64_t)qty;
	lot.made = member(req, "made");
	if ((error = vault_lot_add(v, &lot)) < 0)
		return failure(status_of(error), vault_error_message());
	return created(json_pack("{s:s, s:s, s:s, s:I}", "lot", lot.lot, "po", lot.po, "part",
				 lot.part, "qty", qty), 201);
}

/* "fai-dispose": the buying side accepts or rejects FAI report "doc"@"rev". */
static json_t *fai_dispose(vault *v, const json_t *req, const vault_signing *s)
{
	static const field fields[] = {
		{ "doc", JSON_STRING, 1 }, { "rev", JSON_STRING, 1 },
		{ "decision", JSON_STRING, 1 }, { "reason", JSON_STRING, 0 },
		{ "note", JSON_STRING, 0 }, { NULL, 0, 0 }
	};
	const char *decision = member(req, "decision");
	json_t *reply;
	char *text = NULL;
	int error;

	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (strcmp(decision, "accept") != 0 && strcmp(decision, "reject") != 0)
		return failure(400, "'decision' is accept or reject");
	if ((reply = act_for_token(v, req)) != NULL)
		return reply;
	error = vault_fai_dispose_signed(v, member(req, "doc"), member(req, "rev"),
					 strcmp(decision, "accept") == 0, member(req, "reason"),
					 member(req, "note"), s);
	if (s && s->statement)
		return statement_reply(error, *s->statement, VAULT_FAI_DISPOSITION_NAMESPACE);
	if (error < 0)
		return failure(status_of(error), vault_error_message());
	error = vault_fai_show(&text, v, member(req, "doc"), member(req, "rev"));
	return error < 0 ? failure(500, vault_error_message()) : created_text(text, 201);
}

static json_t *do_fai_dispose(vault *v, const char *dir, const json_t *req, int fd)
{
	json_t *reply;

	(void)dir;
	(void)fd;
	return (reply = unsigned_act_refused(req)) != NULL ? reply : fai_dispose(v, req, NULL);
}

/*
 * "forecast-ack", signed only: the supplier's commitment to the firm zone
 * of revision "revision" (0: the latest) of its schedule of part "part" to
 * "ship_to" ("schedule": forecast, the default, or delivery); answered with
 * the part's schedules as GET forecasts/{part} (forecast show --json) shows them.
 */
static json_t *forecast_ack(vault *v, const json_t *req, const vault_signing *s)
{
	static const field fields[] = {
		{ "part", JSON_STRING, 1 }, { "ship_to", JSON_STRING, 1 },
		{ "schedule", JSON_STRING, 0 }, { "revision", JSON_INTEGER, 0 },
		{ NULL, 0, 0 }
	};
	vault_forecast_answer a;
	json_t *reply;
	char *text = NULL;
	int error;

	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (!s)
		return failure(403, "sign it with your passkey: this is a signature");
	memset(&a, 0, sizeof(a));
	a.part = member(req, "part");
	a.ship_to = member(req, "ship_to");
	a.schedule = member(req, "schedule");
	a.revision = (long)json_integer_value(json_object_get(req, "revision"));
	a.commit = 1;
	if (a.revision < 0)
		return failure(400, "'revision' must be a revision number (0: the latest)");
	if ((reply = act_for_token(v, req)) != NULL)
		return reply;
	error = vault_forecast_ack_signed(v, &a, s);
	if (s->statement)
		return statement_reply(error, *s->statement, VAULT_FORECAST_ACK_NAMESPACE);
	if (error < 0)
		return failure(status_of(error), vault_error_message());
	return vault_forecast_show(&text, v, a.part, NULL, a.ship_to, NULL, VAULT_EXPORT_JSON) < 0 ?
		failure(500, vault_error_message()) : created_text(text, 201);
}

/*
 * "journal": the HTTP side is about to send file "file" of "doc"@"rev" (a
 * marked revision's) for "how" ("cat", "export", "diff"): record it in the
 * access journal first (vault_journal_download), as the request's user,
 * through the API (a token, of either scope) or the portal (a session).
 * The revision is read as that user sees it, so no entry names a
 * revision, a file or a user the request could not have downloaded.
 */
static json_t *do_journal(vault *v, const char *dir, const json_t *req, int fd)
{
	static const field fields[] = {
		{ "doc", JSON_STRING, 1 }, { "rev", JSON_STRING, 1 }, { "file", JSON_STRING, 1 },
		{ "how", JSON_STRING, 1 }, { NULL, 0, 0 }
	};
	const char *token = member(req, "token"), *reason = NULL, *via = "api";
	json_t *reply;
	vault_user u;
	int may_write = 0, error;

	(void)dir;
	(void)fd;
	if ((reply = check_fields(req, fields, 1)) != NULL)
		return reply;
	if (json_object_get(req, "session")) {
		if ((reply = serve_session_authorize(&u, v, req)) != NULL)
			return reply;
		via = "portal";
	} else if (!token ||
		   vault_token_check(&u, &may_write, &reason, v, token, (int64_t)time(NULL)) < 0) {
		return failure(401, "invalid token");
	}
	/* read as the user reads (an admin too, whom no server acts for) */
	vault_set_key(v, NULL);
	vault_set_reader(v, u.name);
	vault_user_dispose(&u);
	error = vault_journal_download(v, via, member(req, "doc"), member(req, "rev"),
				       member(req, "file"), member(req, "how"));
	vault_set_reader(v, NULL);
	vault_set_key(v, writer_key);
	if (error < 0)
		return failure(status_of(error), vault_error_message());
	return json_pack("{s:i, s:{}}", "status", 200, "body");
}

/* The acts a person signs apart from the commit (vault_signing), by name. */
static const struct {
	const char *name;
	const char *ns;
	json_t *(*run)(vault *v, const json_t *req, const vault_signing *s);
} acts[] = {
	{ "po-ack", VAULT_PO_ACK_NAMESPACE, po_ack },
	{ "fai-dispose", VAULT_FAI_DISPOSITION_NAMESPACE, fai_dispose },
	{ "ncr-close", VAULT_NCR_CLOSE_NAMESPACE, ncr_close },
	{ "forecast-ack", VAULT_FORECAST_ACK_NAMESPACE, forecast_ack },
};

const char *serve_writer_act_namespace(const char *act)
{
	for (size_t i = 0; act && i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(act, acts[i].name) == 0)
			return acts[i].ns;
	return NULL;
}

json_t *serve_writer_act(vault *v, const char *act, const json_t *req, const vault_signing *s)
{
	for (size_t i = 0; act && i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(act, acts[i].name) == 0)
			return acts[i].run(v, req, s);
	return failure(400, "no such act to sign");
}

/* The writer's operations: each checks its fields and the token itself, and answers. */
static const struct {
	const char *op;
	json_t *(*run)(vault *v, const char *dir, const json_t *req, int fd);
} ops[] = {
	{ "add", do_add },
	{ "release", do_release },
	{ "ack-statement", do_ack_statement },
	{ "ack-submit", do_ack_submit },
	{ "po-ack", do_po_ack },
	{ "po-change", do_po_change },
	{ "status", do_status },
	{ "asn-import", do_asn_import },
	{ "asn-receive", do_asn_receive },
	{ "ncr-add", do_ncr_add },
	{ "ncr-close", do_ncr_close },
	{ "fai", do_fai },
	{ "lot-add", do_lot_add },
	{ "fai-dispose", do_fai_dispose },
	{ "journal", do_journal },
};

static json_t *handle(vault *v, const char *dir, const char *text, size_t len, int fd)
{
	json_t *req = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *reply = NULL;
	const char *op = member(req, "op");
	size_t i;

	/* no request acts for the user of the one before */
	vault_set_on_behalf(v, NULL);
	if (!json_is_object(req) || !op)
		reply = failure(400, "a malformed request");
	else if (strncmp(op, "portal-", 7) == 0)
		reply = serve_portal_op(v, op, req);
	for (i = 0; !reply && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i].op) == 0)
			reply = ops[i].run(v, dir, req, fd);
	if (!reply)
		reply = failure(400, "an unknown operation");
	json_decref(req);
	return reply;
}

/*
 * The first file descriptor a message carries, or -1; any other it
 * carries (a control buffer of CMSG_SPACE(sizeof(int)) has room for two)
 * is closed, so that no message leaves a descriptor open in the writer.
 */
static int fd_of(struct msghdr *msg)
{
	struct cmsghdr *c;
	int fd = -1, other;
	size_t i, n;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&other, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd < 0)
				fd = other;
			else
				close(other);
		}
	}
	return fd;
}

/*
 * Send the reply `text`; one too large for the other end to take (over
 * SERVE_MSG_MAX, or over what the socket carries in one message) is
 * replaced by a short one with the same status: a write that was done
 * says so, rather than the writer going away.  -1 when the other end is
 * gone.
 */
static int send_reply(int sock, const char *text, int status)
{
	char short_reply[256];
	size_t len = strlen(text);

	if (len <= SERVE_MSG_MAX && send(sock, text, len, MSG_NOSIGNAL) >= 0)
		return 0;
	if (len <= SERVE_MSG_MAX && errno != EMSGSIZE && errno != ENOBUFS)
		return -1;
	if ((status >= 200 && status < 300 ?
	     cli_fmt(short_reply, sizeof(short_reply), "the reply",
		     "{\"status\":%d,\"body\":{\"note\":\"done; its answer (%zu bytes) is too "
		     "large to send: read the record back\"}}", status, len) :
	     cli_fmt(short_reply, sizeof(short_reply), "the reply",
		     "{\"status\":%d,\"error\":\"refused; the reason (%zu bytes) is too large to "
		     "send\"}", status, len)) < 0)
		return -1;
	return send(sock, short_reply, strlen(short_reply), MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int serve_writer_run(int sock, const char *dir, const char *origin, unsigned idle)
{
	char keypath[4200], *buf = malloc(SERVE_MSG_MAX);
	vault_key *key = NULL;
	vault *v = NULL;
	int rc = EXIT_ERROR;

	if (!buf)
		abort();
	if (cli_fmt(keypath, sizeof(keypath), "the vault's path", "%s/qvault/server.pem", dir) < 0)
		goto done;
	if (vault_open(&v, dir, NULL, NULL) < 0 || vault_key_load(&key, keypath, NULL, NULL) < 0) {
		fprintf(stderr, "qvault serve: the writer cannot start: %s\n", vault_error_message());
		goto done;
	}
	vault_set_key(v, key);
	writer_key = key;
	if (serve_sessions_init(dir, origin, idle) < 0)
		goto done;
	/* open, its index's -wal and -shm there: the HTTP side may open it
	 * now (as a user that cannot write, it reads them, never makes them) */
	if (send(sock, SERVE_READY, strlen(SERVE_READY), MSG_NOSIGNAL) < 0)
		goto done;
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { buf, SERVE_MSG_MAX };
		struct msghdr msg;
		json_t *reply;
		char *text;
		ssize_t n;
		int fd, status;

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		if ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fd = fd_of(&msg);
		reply = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ?
			failure(400, "a request too large") : handle(v, dir, buf, (size_t)n, fd);
		if (fd >= 0)
			close(fd);
		if (!reply)
			reply = failure(500, "cannot form the reply");
		status = (int)json_integer_value(json_object_get(reply, "status"));
		text = json_dumps(reply, JSON_COMPACT);
		json_decref(reply);
		if (!text || send_reply(sock, text, status) < 0) {
			free(text);
			break;
		}
		free(text);
	}
	rc = EXIT_OK;
done:
	vault_free(v);
	vault_key_free(key);
	free(buf);
	return rc;
}

int serve_writer_ready(int sock)
{
	char buf[64];
	ssize_t n;

	while ((n = recv(sock, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)strlen(SERVE_READY) && memcmp(buf, SERVE_READY, (size_t)n) == 0 ?
		0 : -1;
}

int serve_writer_call(int sock, const char *request, int fd, char **reply)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)(uintptr_t)request, strlen(request) };
	struct msghdr msg;
	char *buf;
	ssize_t n;

	*reply = NULL;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (strlen(request) > SERVE_MSG_MAX || sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return -1;
	if ((buf = malloc(SERVE_MSG_MAX + 1)) == NULL)
		abort();
	while ((n = recv(sock, buf, SERVE_MSG_MAX, 0)) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		free(buf);
		return -2; /* the request went: the write may have been made */
	}
	buf[n] = '\0';
	*reply = buf;
	return 0;
}
