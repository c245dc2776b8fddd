/*
 * act.c - a person's act signed apart from its commit (act.h): the two
 * steps of making one, and the check of the signature stored beside it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "act.h"
#include "common.h"
#include "error.h"
#include "sign.h"
#include "store.h"
#include "util.h"

/* A record's "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch; -1 if it is none. */
static int64_t time_of(const char *iso)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!iso || (end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end)
		return -1;
	return (int64_t)timegm(&tm);
}

/* How long a signed record's time may be behind the vault's clock, and ahead of it. */
#define SIGNED_SKEW 600
#define SIGNED_AHEAD 2

int vault_act__statement_only(const vault_signing *s)
{
	return s && s->statement;
}

int vault_act__begin(vault_txn *t, vault *v, const vault_signing *s, const char *at)
{
	json_t *rec;
	int64_t when, wall = (int64_t)time(NULL);
	uint64_t limit;
	int error;

	if (s && s->statement)
		*s->statement = NULL;
	if (!s || !s->record)
		return 0;
	if (!s->sig)
		return vault_error__set(VAULT_EINVALID, "the signed record came without its signature");
	if ((error = vault_limit_check(&limit, v, VAULT_LIMIT_STATEMENT, NULL, "the signed record",
				       s->len)) < 0)
		return error;
	rec = json_loadb(s->record, s->len, JSON_REJECT_DUPLICATES, NULL);
	when = time_of(json_string_value(json_object_get(rec, at)));
	json_decref(rec);
	if (when <= 0)
		return vault_error__set(VAULT_EINVALID, "the signed record is malformed");
	/* the vault made the record by its own clock: never ahead of it */
	if (when < wall - SIGNED_SKEW || when > wall + SIGNED_AHEAD)
		return vault_error__set(VAULT_EINVALID,
			"the signed record's time is %s the vault's clock: sign it again",
			when > wall ? "ahead of" : "more than ten minutes behind");
	if (t->head && when < (int64_t)git_commit_time(t->head))
		return vault_error__set(VAULT_EINVALID,
			"the vault changed after the record was made: sign it again");
	t->now = when;
	return 0;
}

int vault_act__put(vault_txn *t, vault *v, const char *path, json_t *root,
		   const vault_signing *s, const char *ns)
{
	char sig_path[VAULT_PATH_MAX * 2], *json = NULL, *canon = NULL, *signer = NULL, *id = NULL;
	size_t len;
	int error;

	/* a person's signature names the vault, as an acknowledgment's statement
	 * does: it cannot be carried into another vault that registers that key */
	if (s && root && json_object_set_new(root, "vault", json_string(t->cfg.id)) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "cannot describe the record");
	}
	if ((error = vault_record__dump(&json, &len, root)) < 0)
		return error;
	if (!s) {
		error = vault__txn_put_data(t, v, path, json, len);
		goto out;
	}
	if (s->statement) {
		*s->statement = json; /* a record ends in a newline and holds no NUL */
		return 0;
	}
	if (len != s->len || memcmp(json, s->record, len) != 0) {
		error = vault_error__set(VAULT_EINVALID,
			"the signed record is not the one the vault makes now for '%s': sign it again",
			t->actor.name);
		goto out;
	}
	/* stored in its one spelling, as an acknowledgment's is */
	if (vault_sign__canonical(&canon, s->sig, strlen(s->sig)) < 0 ||
	    vault_sign__check(&signer, canon, strlen(canon), ns, json, len) < 0) {
		error = vault_error__set(VAULT_EINVALID, "the record's signature does not verify: %s",
					 vault_error_message());
		goto out;
	}
	if ((error = vault_sign__parse_public(&id, NULL, t->actor.key)) < 0)
		goto out;
	if (strcmp(signer, id) != 0) {
		error = vault_error__set(VAULT_EINVALID, "the record is not signed by the key of '%s'",
					 t->actor.name);
		goto out;
	}
	if ((error = vault__fmt(sig_path, sizeof(sig_path), "path", "%s.sig", path)) == 0 &&
	    (error = vault__txn_put_data(t, v, path, json, len)) == 0)
		error = vault__txn_put_data(t, v, sig_path, canon, strlen(canon));
out:
	free(json);
	free(canon);
	free(signer);
	free(id);
	return error;
}

void vault_act__check_signature(const vault_change_ctx *c, const char *path, const char *ns,
				const char *by)
{
	char rec_path[VAULT_PATH_MAX], fp[64], *rec = NULL, *sig = NULL, *signer = NULL;
	const git_tree *users = c->before ? c->before : c->tree;
	size_t n = strlen(path) - strlen(".sig"), rlen, slen;
	const vault_user *u;
	json_t *json = NULL;
	const char *name, *vid;

	if (n >= sizeof(rec_path)) {
		c->found(c, path, "the path is too long");
		return;
	}
	memcpy(rec_path, path, n);
	rec_path[n] = '\0';
	if (!vault_rules__has(c->store, c->tree, rec_path) || vault_rules__has(c->store, c->before, rec_path)) {
		c->found(c, path, "adds a signature without its record");
		return;
	}
	if (vault_store__read_path(&rec, &rlen, c->store, c->tree, rec_path) < 0 ||
	    vault_store__read_path(&sig, &slen, c->store, c->tree, path) < 0) {
		c->found(c, path, "the signature or its record cannot be read");
		goto done;
	}
	if (vault_sign__claimed(&signer, sig, slen, ns) < 0) {
		c->found(c, path, "the signature is malformed: %s", vault_error_message());
		goto done;
	}
	c->check_signature(c, path, ns, sig, slen, rec, rlen);
	if ((u = c->user_of_key(c, users, signer)) == NULL) {
		vault_sign__fingerprint_of(fp, signer);
		c->found(c, path, "the record is signed by an unregistered key %s", fp);
		goto done;
	}
	if (u->revoked)
		c->found(c, path, "the record is signed by revoked user '%s'", u->name);
	json = json_loadb(rec, rlen, 0, NULL);
	vid = json_string_value(json_object_get(json, "vault"));
	if (!vid || strcmp(vid, c->vault_id) != 0)
		c->found(c, path, "the act is for vault '%s', not this one ('%s')", vid ? vid : "",
			 c->vault_id);
	name = json_string_value(json_object_get(json, by));
	if (!name || strcmp(name, u->name) != 0)
		c->found(c, path, "the record names '%s' but '%s' signed it", name ? name : "nobody",
			 u->name);
	if (c->who && strcmp(c->who->name, u->name) != 0)
		c->found(c, path, "the act signed by '%s' is recorded by '%s'", u->name,
			 c->who->name);
done:
	json_decref(json);
	free(rec);
	free(sig);
	free(signer);
}
