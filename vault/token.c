/*
 * token.c - API tokens for system clients (token.h): made, listed and
 * revoked by an admin, checked by the server for each request; and the
 * two kinds of record that hold them (tokens/<h>/<h>/<ID>/token.json,
 * revoked.json).
 *
 * The vault keeps the SHA-256 of a token's secret, never the secret: the
 * record is replicated to every site and readable by whoever can read the
 * repository, and 32 random bytes cannot be found again from their hash.
 * A token's text goes into no record, no commit message, no error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "kind.h"
#include "kinds.h"
#include "record.h"
#include "rules.h"
#include "token.h"
#include "txn.h"
#include "user.h"
#include "util.h"

static const char *const scopes[] = { "read", "write", NULL };

/* Whether `s` is exactly `n` lowercase hex digits. */
static int is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* A token id, checked without repeating it: it may be a whole token pasted. */
static int id_check(const char *id)
{
	if (!id || !is_hex(id, VAULT_TOKEN_ID_LEN))
		return vault_error__set(VAULT_EINVALID, "a token id is %d lowercase hex digits",
					VAULT_TOKEN_ID_LEN);
	return 0;
}

static int scope_known(const char *scope)
{
	size_t i;

	for (i = 0; scopes[i]; i++)
		if (strcmp(scope, scopes[i]) == 0)
			return 1;
	return 0;
}

/*
 * The first second after the day `date` (YYYY-MM-DD, UTC), the last day a
 * token is valid; -1 when it is not a date.
 */
static int64_t day_end(const char *date)
{
	struct tm tm;

	if (vault_record__date_check("expiry date", date) < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (!strptime(date, "%Y-%m-%d", &tm))
		return -1;
	return (int64_t)timegm(&tm) + 86400;
}

/* The folder of token `id` and a file in it. */
static int token_path(char *buf, size_t size, const char *id, const char *file)
{
	char dir[VAULT_PATH_MAX];
	int error;

	if ((error = vault_record__dir(dir, sizeof(dir), VAULT_TOKENS_DIR, id)) < 0)
		return error;
	return vault__fmt(buf, size, "path", "%s/%s", dir, file);
}

/* SHA-256 of `len` bytes of `data` as lowercase hex. */
static void sha256_hex(char hex[65], const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	vault__hex(hex, md, sizeof(md));
	OPENSSL_cleanse(md, sizeof(md));
}

/* 32 random bytes as 43 characters of base64url, unpadded. */
static int new_secret(char out[VAULT_TOKEN_SECRET_LEN + 1])
{
	unsigned char raw[32], text[45];
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return vault_error__ssl(VAULT_ERROR, "cannot make a random secret");
	EVP_EncodeBlock(text, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	for (i = 0; i < VAULT_TOKEN_SECRET_LEN; i++)
		out[i] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : (char)text[i];
	out[VAULT_TOKEN_SECRET_LEN] = '\0';
	OPENSSL_cleanse(text, sizeof(text));
	return 0;
}

/* A new token id, not yet in `tree`. */
static int new_id(char out[VAULT_TOKEN_ID_LEN + 1], vault_store *s, const git_tree *tree)
{
	unsigned char raw[VAULT_TOKEN_ID_LEN / 2];
	char dir[VAULT_PATH_MAX];
	int tries;

	for (tries = 0; tries < 8; tries++) {
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			return vault_error__ssl(VAULT_ERROR, "cannot make a random token id");
		vault__hex(out, raw, sizeof(raw));
		if (vault_record__dir(dir, sizeof(dir), VAULT_TOKENS_DIR, out) < 0)
			return VAULT_EINVALID;
		if (!vault_store__has(s, tree, dir))
			return 0;
	}
	return vault_error__set(VAULT_ERROR, "cannot find an unused token id");
}

/*
 * Why user `u` (as `tree` records it) may hold no token, or NULL: a
 * token acts through the server, which signs for no admin and no server.
 */
static const char *cannot_hold(const vault_user *u)
{
	if (u->revoked)
		return "is revoked";
	if (u->roles & VAULT_ROLE_ADMIN)
		return "is an admin, who signs with its own key, never through the server";
	if (u->roles & VAULT_ROLE_SERVER)
		return "is a server, which acts for others";
	return NULL;
}

/* ---- administration ----------------------------------------------------- */

int vault_token_create(char **token, vault *v, const char *user, const char *scope,
		       const char *expires)
{
	char id[VAULT_TOKEN_ID_LEN + 1], secret[VAULT_TOKEN_SECRET_LEN + 1], hash[65];
	char path[VAULT_PATH_MAX + 32], when[VAULT_TIME_SIZE];
	char *json = NULL, *out = NULL;
	vault_buf message = VAULT_BUF_INIT;
	const char *why;
	vault_user u;
	json_t *root;
	vault_txn t;
	size_t len;
	int error;

	*token = NULL;
	memset(&u, 0, sizeof(u));
	if (!scope)
		scope = "read";
	if ((error = vault_plain_name_check("user name", user)) < 0)
		return error;
	if (!scope_known(scope))
		return vault_error__set(VAULT_EINVALID, "unknown scope '%.64s' (read, write)", scope);
	if (expires && day_end(expires) < 0)
		return VAULT_EINVALID;
	if ((error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "manage API tokens")) < 0)
		goto done;
	if (expires && day_end(expires) <= t.now) {
		error = vault_error__set(VAULT_EINVALID, "expiry date '%s' is in the past", expires);
		goto done;
	}
	error = vault_user__by_name(&u, v->store, t.root, user);
	if (error == VAULT_ENOTFOUND)
		error = vault_error__set(VAULT_ENOTFOUND, "no user '%s'", user);
	if (error < 0)
		goto done;
	if ((why = cannot_hold(&u)) != NULL) {
		error = vault_error__set(VAULT_EINVALID, "user '%s' %s: it may hold no API token",
					 user, why);
		goto done;
	}
	if ((error = new_id(id, v->store, t.root)) < 0 || (error = new_secret(secret)) < 0)
		goto done;
	sha256_hex(hash, secret, VAULT_TOKEN_SECRET_LEN);
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "token",
			 "format", 1, "id", id, "user", user, "scope", scope, "sha256", hash,
			 "created_by", t.actor.name, "created_at", when);
	if (root && expires)
		json_object_set_new(root, "expires", json_string(expires));
	if ((error = token_path(path, sizeof(path), id, VAULT_TOKEN_FILE)) < 0 ||
	    (error = vault_record__dump(&json, &len, root)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "token create %s for %s (%s)\n\nQvault-Op: token-create\nQvault-Token: %s\n"
		 "Qvault-User: %s\n", id, user, scope, id, user)) < 0)
		goto done;
	if ((out = malloc(VAULT_TOKEN_LEN + 1)) == NULL)
		abort();
	if ((error = vault__fmt(out, VAULT_TOKEN_LEN + 1, "token", VAULT_TOKEN_PREFIX "%s_%s", id,
				secret)) < 0 ||
	    (error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL)) < 0)
		goto done;
	*token = out;
	out = NULL;
done:
	if (out) {
		OPENSSL_cleanse(out, VAULT_TOKEN_LEN + 1);
		free(out);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	vault_buf__dispose(&message);
	vault_user_dispose(&u);
	vault__txn_end(&t, v);
	free(json);
	return error;
}

int vault_token_revoke(vault *v, const char *id)
{
	char path[VAULT_PATH_MAX + 32], when[VAULT_TIME_SIZE];
	char *json = NULL;
	vault_buf message = VAULT_BUF_INIT;
	vault_txn t;
	size_t len;
	int error;

	if ((error = id_check(id)) < 0 || (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "manage API tokens")) < 0 ||
	    (error = token_path(path, sizeof(path), id, VAULT_TOKEN_FILE)) < 0)
		goto done;
	if (!vault_store__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_ENOTFOUND, "no token '%s'", id);
		goto done;
	}
	if ((error = token_path(path, sizeof(path), id, VAULT_TOKEN_REVOKED_FILE)) < 0)
		goto done;
	if (vault_store__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_EEXISTS, "token '%s' is revoked already", id);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	if ((error = vault_record__dump(&json, &len,
		 json_pack("{s:s, s:i, s:s, s:s, s:s}", "record", "token-revoked", "format", 1,
			   "id", id, "revoked_by", t.actor.name, "revoked_at", when))) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "token revoke %s\n\nQvault-Op: token-revoke\nQvault-Token: %s\n", id, id)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	free(json);
	return error;
}

static int index_error(vault_index *idx)
{
	return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(idx)));
}

/* The acting key's user, which must be an admin. */
static int require_admin(vault *v)
{
	git_tree *tree;
	vault_user me;
	int error;

	if ((error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	error = vault__whoami(&me, v, tree);
	git_tree_free(tree);
	if (error < 0)
		return error;
	error = vault_user__may(&me, VAULT_ROLE_ADMIN, "manage API tokens");
	vault_user_dispose(&me);
	return error;
}

static const char SQL_LIST[] =
	"SELECT id, user, scope, expires, created_by,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', created_at, 'unixepoch'), revoked_by,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', revoked_at, 'unixepoch')"
	" FROM tokens ORDER BY created_at, id";

int vault_token_list(char **out, vault *v)
{
	static const char *const cols[] = { "id", "user", "scope", "expires", "created_by",
		"created_at", "revoked_by", "revoked_at" };
	json_t *list = json_array();
	sqlite3_stmt *st;
	int64_t now = (int64_t)time(NULL);
	int rc, error;

	*out = NULL;
	if ((error = require_admin(v)) < 0)
		goto done;
	if (vault_index__stmt(&st, v->index, SQL_LIST) < 0) {
		error = index_error(v->index);
		goto done;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		const char *expires = (const char *)sqlite3_column_text(st, 3);
		size_t c;

		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			if (sqlite3_column_type(st, (int)c) != SQLITE_NULL)
				json_object_set_new(o, cols[c],
					json_string((const char *)sqlite3_column_text(st, (int)c)));
		json_object_set_new(o, "state", json_string(
			sqlite3_column_type(st, 6) != SQLITE_NULL ? "revoked" :
			expires && day_end(expires) <= now ? "expired" : "active"));
		json_array_append_new(list, o);
	}
	error = rc == SQLITE_DONE ? 0 : index_error(v->index);
	sqlite3_reset(st);
	if (!error && (*out = json_dumps(list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write the list");
done:
	json_decref(list);
	return error;
}

/* ---- the server's check ---------------------------------------------------- */

static const char SQL_GET[] =
	"SELECT user, scope, expires, sha256, revoked_by IS NOT NULL FROM tokens WHERE id = ?1";

/* The one answer to every token refused, with the reason for a server's log only. */
static int invalid(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return vault_error__set(VAULT_EDENIED, "invalid token");
}

int vault_token_check(vault_user *out, int *may_write, const char **reason, vault *v,
		      const char *token, int64_t now)
{
	/* compared against when the id is unknown, so that both take as long */
	static const char nothing[65] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	char id[VAULT_TOKEN_ID_LEN + 1], hash[65], stored[65], user[VAULT_NAME_MAX + 1];
	char expires[16] = "", path[VAULT_PATH_MAX + 32];
	const char *secret;
	git_tree *tree = NULL;
	sqlite3_stmt *st;
	int rc, write = 0, revoked = 0, error;

	memset(out, 0, sizeof(*out));
	*may_write = 0;
	if (reason)
		*reason = NULL;
	if (!token || strlen(token) != VAULT_TOKEN_LEN ||
	    strncmp(token, VAULT_TOKEN_PREFIX, 4) != 0 || token[4 + VAULT_TOKEN_ID_LEN] != '_')
		return invalid(reason, "malformed");
	memcpy(id, token + 4, VAULT_TOKEN_ID_LEN);
	id[VAULT_TOKEN_ID_LEN] = '\0';
	secret = token + 4 + VAULT_TOKEN_ID_LEN + 1;
	if (!is_hex(id, VAULT_TOKEN_ID_LEN) ||
	    strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
	    VAULT_TOKEN_SECRET_LEN)
		return invalid(reason, "malformed");
	sha256_hex(hash, secret, VAULT_TOKEN_SECRET_LEN);
	if (vault_index__stmt(&st, v->index, SQL_GET) < 0)
		return index_error(v->index);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	memcpy(stored, nothing, sizeof(stored));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(st, 2);

		if (vault__fmt(user, sizeof(user), "user name", "%s",
			       (const char *)sqlite3_column_text(st, 0)) < 0 ||
		    vault__fmt(stored, sizeof(stored), "hash", "%s",
			       (const char *)sqlite3_column_text(st, 3)) < 0 ||
		    (e && vault__fmt(expires, sizeof(expires), "expiry date", "%s", e) < 0))
			rc = SQLITE_CORRUPT;
		write = strcmp((const char *)sqlite3_column_text(st, 1), "write") == 0;
		revoked = sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		OPENSSL_cleanse(hash, sizeof(hash));
		return rc == SQLITE_CORRUPT ? invalid(reason, "malformed record") :
			index_error(v->index);
	}
	error = CRYPTO_memcmp(hash, stored, 64) != 0;
	OPENSSL_cleanse(hash, sizeof(hash));
	if (rc == SQLITE_DONE)
		return invalid(reason, "unknown id");
	if (error)
		return invalid(reason, "wrong secret");
	if (revoked)
		return invalid(reason, "revoked");
	if (*expires && day_end(expires) <= now)
		return invalid(reason, "expired");
	/* the tree, not the index, has the last word on revocations */
	if ((error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	if (token_path(path, sizeof(path), id, VAULT_TOKEN_REVOKED_FILE) < 0 ||
	    vault_store__has(v->store, tree, path)) {
		git_tree_free(tree);
		return invalid(reason, "revoked");
	}
	error = vault_user__by_name(out, v->store, tree, user);
	git_tree_free(tree);
	if (error == VAULT_ENOTFOUND)
		return invalid(reason, "no such user");
	if (error < 0)
		return error;
	if (cannot_hold(out)) {
		vault_user_dispose(out);
		memset(out, 0, sizeof(*out));
		return invalid(reason, "user revoked or not allowed");
	}
	*may_write = write;
	return 0;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS_TOKEN[] =
	"INSERT OR REPLACE INTO tokens (id, user, scope, expires, sha256, created_by, created_at,"
	" commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_TOKEN_ONCE[] = "SELECT commit_id FROM tokens WHERE id = ?1";
static const char SQL_REVOKE[] =
	"UPDATE tokens SET revoked_by = ?2, revoked_at = ?3 WHERE id = ?1";

/* A record's ISO time as seconds, 0 when it is not one. */
static int64_t iso_time(const char *iso)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return end && !*end ? (int64_t)timegm(&tm) : 0;
}

static int index_token(const vault_kind_file *f)
{
	const char *kind, *user, *scope, *hash, *by, *at, *expires = NULL;
	sqlite3_stmt *st;
	json_t *root;
	char hex[41];
	int error;

	root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:s, s:s, s:s, s?:s}", "record", &kind,
				 "user", &user, "scope", &scope, "sha256", &hash,
				 "created_by", &by, "created_at", &at, "expires", &expires) < 0 ||
	    strcmp(kind, "token") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the token record is malformed", f->path);
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	/* a token added again would replace the row its revocation marked */
	if ((error = vault_index__once_of(f, SQL_TOKEN_ONCE, "API token", f->m->key, NULL)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&st, f->idx, SQL_INS_TOKEN) < 0) {
		json_decref(root);
		return index_error(f->idx);
	}
	/* by the folder: where the token is looked up */
	sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, expires, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, iso_time(at));
	sqlite3_bind_text(st, 8, hex, -1, SQLITE_STATIC);
	error = vault_index__step(f->idx, st, "cannot index a token");
	json_decref(root);
	return error;
}

static int index_revoked(const vault_kind_file *f)
{
	const char *kind, *by, *at;
	sqlite3_stmt *st;
	json_t *root;
	int error;

	root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:s}", "record", &kind, "revoked_by", &by,
				 "revoked_at", &at) < 0 ||
	    strcmp(kind, "token-revoked") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the token's revocation is malformed",
					f->path);
	}
	if (vault_index__stmt(&st, f->idx, SQL_REVOKE) < 0) {
		json_decref(root);
		return index_error(f->idx);
	}
	sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, iso_time(at));
	error = vault_index__step(f->idx, st, "cannot index a token's revocation");
	json_decref(root);
	return error;
}

/* ---- the rules ------------------------------------------------------------- */

/* Members other than those of `allowed` (NULL-terminated): the first, or NULL. */
static const char *unexpected_member(json_t *rec, const char *const *allowed)
{
	const char *key;
	json_t *value;
	size_t i;

	json_object_foreach(rec, key, value) {
		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (!allowed[i])
			return key;
	}
	return NULL;
}

static void check_created(const vault_change_ctx *c, const char *path, json_t *rec)
{
	static const char *const members[] = { "record", "format", "id", "user", "scope",
		"expires", "sha256", "created_by", "created_at", NULL };
	const char *user = vault_rules__str(rec, "user"), *extra, *why;
	json_t *expires = json_object_get(rec, "expires");
	vault_user u;

	if ((extra = unexpected_member(rec, members)) != NULL)
		c->found(c, path, "the token record holds '%s', which a token record has not", extra);
	if (json_integer_value(json_object_get(rec, "format")) != 1)
		c->found(c, path, "the token record is not of format 1");
	if (!scope_known(vault_rules__str(rec, "scope")))
		c->found(c, path, "the token's scope '%s' is neither read nor write",
			 vault_rules__str(rec, "scope"));
	if (expires && (!json_is_string(expires) || day_end(json_string_value(expires)) < 0))
		c->found(c, path, "the token's expiry date is not a date (YYYY-MM-DD)");
	if (!is_hex(vault_rules__str(rec, "sha256"), 64))
		c->found(c, path, "the token's sha256 is not 64 lowercase hex digits");
	vault_rules__signed_as(c, path, vault_rules__str(rec, "created_by"), NULL,
			       vault_rules__str(rec, "created_at"));
	if (vault_plain_name_check("user name", user) < 0 || !c->before ||
	    vault_user__by_name(&u, c->store, c->before, user) < 0) {
		c->found(c, path, "the token's user '%s' was not registered before it", user);
		return;
	}
	if ((why = cannot_hold(&u)) != NULL)
		c->found(c, path, "the token's user '%s' %s: it may hold no API token", user, why);
	vault_user_dispose(&u);
}

static void check_revoked(const vault_change_ctx *c, const char *path, json_t *rec,
			  const char *id)
{
	static const char *const members[] = { "record", "format", "id", "revoked_by",
		"revoked_at", NULL };
	char token[VAULT_PATH_MAX + 32];
	const char *extra;

	if ((extra = unexpected_member(rec, members)) != NULL)
		c->found(c, path, "the token's revocation holds '%s', which a revocation has not",
			 extra);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "revoked_by"), NULL,
			       vault_rules__str(rec, "revoked_at"));
	if (token_path(token, sizeof(token), id, VAULT_TOKEN_FILE) < 0 ||
	    !vault_rules__has(c->store, c->before, token))
		c->found(c, path, "token '%s' was not recorded before its revocation", id);
	/* revoked twice would rewrite revoked.json: verify reports that itself */
}

/* tokens/<h>/<h>/<ID>/token.json and revoked.json: an admin, with its own key. */
static void check_token_file(const vault_change_ctx *c, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1];
	size_t n = vault_rules__split(parts, 5, path);
	json_t *rec;
	int revoking;

	if (n != 5 || !is_hex(parts[3], VAULT_TOKEN_ID_LEN) ||
	    !vault_rules__fanned(path, VAULT_TOKENS_DIR, parts[3]) ||
	    (strcmp(parts[4], VAULT_TOKEN_FILE) != 0 &&
	     strcmp(parts[4], VAULT_TOKEN_REVOKED_FILE) != 0)) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	if (c->on_behalf)
		c->found(c, path, "a server may not create or revoke API tokens on behalf of '%s'",
			 c->who ? c->who->name : "");
	revoking = strcmp(parts[4], VAULT_TOKEN_REVOKED_FILE) == 0;
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), revoking ? "token-revoked" : "token") != 0 ||
	    strcmp(vault_rules__str(rec, "id"), parts[3]) != 0) {
		c->found(c, path, "the token record is malformed or stored where another belongs");
		json_decref(rec);
		return;
	}
	if (revoking)
		check_revoked(c, path, rec, parts[3]);
	else
		check_created(c, path, rec);
	json_decref(rec);
}

const vault_kind vault_kind_token = {
	.name = "API token",
	.shape = VAULT_TOKENS_DIR "/HH/HH/ID/" VAULT_TOKEN_FILE,
	.roles = VAULT_ROLE_ADMIN,
	.act = "manage API tokens",
	.ops = "token-create",
	.made_by = "token-create",
	.index = index_token,
	.check = check_token_file,
	.tables = "tokens",
};
const vault_kind vault_kind_token_revoked = {
	.name = "token revocation",
	.shape = VAULT_TOKENS_DIR "/HH/HH/ID/" VAULT_TOKEN_REVOKED_FILE,
	.roles = VAULT_ROLE_ADMIN,
	.act = "manage API tokens",
	.ops = "token-revoke",
	.made_by = "token-revoke",
	.index = index_revoked,
	.check = check_token_file,
	.tables = "tokens",
};
