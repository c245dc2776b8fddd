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

/* "add": a document revision whose file is `fd`. */
static json_t *do_add(vault *v, const char *dir, const json_t *req, int fd)
{
	char path[64];
	vault_user u;
	vault_revision r;
	json_t *reply;
	vault_add_options o;
	int error, copy;

	if (fd < 0)
		return failure(400, "no file came with the request");
	if (!member(req, "name") || !member(req, "doc") || !member(req, "type"))
		return failure(400, "name the document, its type and its file name");
	if ((reply = authorize(&u, v, req)) != NULL)
		return reply;
	if ((copy = take_upload(&reply, v, dir, fd, member(req, "type"))) < 0) {
		vault_user_dispose(&u);
		return reply;
	}
	if (snprintf(path, sizeof(path), "/proc/self/fd/%d", copy) >= (int)sizeof(path)) {
		close(copy);
		vault_user_dispose(&u);
		return failure(500, "no room for the file's path");
	}
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.name = member(req, "name");
	o.doc = member(req, "doc");
	o.type = member(req, "type");
	o.rev = member(req, "rev");
	o.title = member(req, "title");
	o.po = member(req, "po");
	o.lot = member(req, "lot");
	vault_set_on_behalf(v, u.name);
	vault_user_dispose(&u);
	error = vault_doc_add(&r, v, &o);
	close(copy);
	if (error < 0)
		return failure(status_of(error), vault_error_message());
	/* as a read shows it (its state, from the index), to the user it was made for */
	{
		vault_revision shown;

		error = vault_doc_get(&shown, v, r.doc, r.rev);
		vault_revision_dispose(&r);
		if (error < 0)
			return failure(500, vault_error_message());
		reply = json_pack("{s:i, s:o}", "status", 201, "body", cli_revision_json(&shown));
		vault_revision_dispose(&shown);
	}
	return reply ? reply : failure(500, "cannot describe the new revision");
}

/* The writer's operations: each checks the token itself and answers. */
static const struct {
	const char *op;
	json_t *(*run)(vault *v, const char *dir, const json_t *req, int fd);
} ops[] = {
	{ "add", do_add },
};

static json_t *handle(vault *v, const char *dir, const char *text, size_t len, int fd)
{
	json_t *req = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *reply = NULL;
	const char *op = member(req, "op");
	size_t i;

	if (!json_is_object(req) || !op)
		reply = failure(400, "a malformed request");
	for (i = 0; !reply && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i].op) == 0)
			reply = ops[i].run(v, dir, req, fd);
	if (!reply)
		reply = failure(400, "an unknown operation");
	json_decref(req);
	return reply;
}

/* The one file descriptor a message carries, or -1. */
static int fd_of(struct msghdr *msg)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	int fd = -1;

	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int serve_writer_run(int sock, const char *dir)
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
		int fd;

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
		text = json_dumps(reply, JSON_COMPACT);
		json_decref(reply);
		if (!text || send(sock, text, strlen(text), MSG_NOSIGNAL) < 0) {
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
		return -1;
	}
	buf[n] = '\0';
	*reply = buf;
	return 0;
}
