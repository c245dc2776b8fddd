/*
 * trust.c - the kinds of record that say whom the vault trusts: its
 * settings (vault.json) and its users (users/NAME/user.json, revoked.json).
 * An admin writes them (the init commit registers the first admin), and
 * never a server on someone's behalf: a portal user cannot make itself
 * anything by way of the server's key.  Here too: registering and
 * revoking users.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "config.h"
#include "error.h"
#include "kind.h"
#include "kinds.h"
#include "pdf.h"
#include "record.h"
#include "rules.h"
#include "sign.h"
#include "txn.h"
#include "util.h"
#include "user.h"

/* Parse vault.json of `tree`; 0 when it is there and well formed. */
static int config_at(vault_config *cfg, const vault_change_ctx *c, const git_tree *tree)
{
	char *data = NULL;
	size_t len;
	int error;

	memset(cfg, 0, sizeof(*cfg));
	if (!tree || (error = vault_store__read_path(&data, &len, c->store, tree,
						     VAULT_CONFIG_FILE)) < 0)
		return -1;
	error = vault_config__parse(cfg, data, len);
	free(data);
	return error;
}

/* the most MIME types one allowlist may hold */
#define ALLOW_MAX 256

/* A document type, or what an FAI package may hold: what vault.json's lists are of. */
static int known_type(const char *type)
{
	return vault_record__type_known(type) || strcmp(type, "fai-member") == 0;
}

/* 1 when the i-th string of `list` is one of those before it. */
static int listed_before(const json_t *list, size_t i)
{
	const char *s = json_string_value(json_array_get(list, i));
	size_t k;

	for (k = 0; s && k < i; k++)
		if (json_equal(json_array_get(list, k), json_array_get(list, i)))
			return 1;
	return 0;
}

/*
 * vault.json, made at init or changed later (`qvault types`): never by a
 * server on someone's behalf; a change keeps the vault's identity, every
 * allowlist it holds is one of a type qvault knows and a list of MIME
 * types (each once, as `qvault types allow` takes them), and its pdf
 * policy is one pdf.c understands, of types qvault knows, and stays.
 */
static void check_config(const vault_change_ctx *c, const char *path)
{
	vault_config now, was;
	const char *type;
	json_t *list, *m;
	size_t i;

	if (c->on_behalf)
		c->found(c, path, "a server may not change the vault's settings on behalf of '%s'",
			 c->who ? c->who->name : "");
	if (config_at(&now, c, c->tree) < 0) {
		c->found(c, path, "the vault's settings are malformed: %s", vault_error_message());
		vault_config__dispose(&now);
		return;
	}
	json_object_foreach(now.allow, type, list) {
		/* a list longer than any a type needs is not checked entry by entry */
		int ok = json_is_array(list) && json_array_size(list) <= ALLOW_MAX;

		if (!known_type(type)) {
			c->found(c, path, "the vault's settings hold an allowlist of '%.64s', "
				 "which is not a document type", type);
			continue;
		}
		for (i = 0; ok && i < json_array_size(list); i++)
			ok = (m = json_array_get(list, i)) != NULL && json_is_string(m) &&
			     strlen(json_string_value(m)) == json_string_length(m) &&
			     vault_config__mime_check(json_string_value(m)) == 0 &&
			     !listed_before(list, i);
		if (!ok)
			c->found(c, path, "the allowlist of '%s' is not a list of MIME types", type);
	}
	if (vault_pdf__policy_check(now.pdf) < 0)
		c->found(c, path, "%s", vault_error_message());
	json_object_foreach(json_object_get(now.pdf, "types"), type, list)
		if (!known_type(type))
			c->found(c, path, "vault.json's pdf policy names '%.64s', which is not a "
				 "document type", type);
	if (config_at(&was, c, c->before) == 0 && strcmp(was.id, now.id) != 0)
		c->found(c, path, "the vault's settings change its identity from %s to %s",
			 was.id, now.id);
	/* without one, verify would hold no PDF added after to any (doc.c) */
	if (was.pdf && !now.pdf)
		c->found(c, path, "the vault's settings take out the pdf policy");
	vault_config__dispose(&was);
	vault_config__dispose(&now);
}

static void check_user(const vault_change_ctx *c, const char *path)
{
	if (c->on_behalf)
		c->found(c, path, "a server may not add or revoke users on behalf of '%s'",
			 c->who ? c->who->name : "");
}

/* users/NAME/user.json: as check_user, and the organization it joins is of its side. */
static void check_new_user(const vault_change_ctx *c, const char *path)
{
	vault_user_list *all = NULL;
	size_t i;

	if (c->who && !c->on_behalf && !(c->who->roles & VAULT_ROLE_ADMIN)) {
		char name[VAULT_NAME_MAX + 1];

		if (!(c->who->roles & VAULT_ROLE_SERVER) ||
		    vault__fmt(name, sizeof(name), "name", "%s", path + 6) < 0) {
			c->found(c, path, "user '%s' may not add or revoke users (needs role admin)",
				 c->who->name);
			return;
		}
		name[strcspn(name, "/")] = '\0';
		vault_enroll__check_user(c, path, name);
	}
	check_user(c, path);
	/* the users the tree records, this one among them (the root: the admin and the server) */
	if (vault_user__list(&all, c->store, c->tree) < 0)
		return;
	for (i = 0; i < all->count; i++)
		if (strncmp(path, VAULT_USERS_DIR "/", 6) == 0 &&
		    strncmp(path + 6, all->items[i].name, strlen(all->items[i].name)) == 0 &&
		    path[6 + strlen(all->items[i].name)] == '/' &&
		    vault_user__side_check(&all->items[i], all) < 0)
			c->found(c, path, "%s", vault_error_message());
	vault_user_list_free(all);
}

/* ---- the users in the index (who a read answers for: user.c) ------------ */

static const char SQL_INS_USER[] =
	"INSERT INTO users (name, org, roles, key, commit_id) VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (name) DO UPDATE SET malformed = 1";
static const char SQL_USER_MALFORMED[] =
	"INSERT INTO users (name, org, roles, key, malformed, commit_id) VALUES (?1, '', 0, '', 1, ?2)"
	" ON CONFLICT (name) DO UPDATE SET malformed = 1";
static const char SQL_REVOKE_USER[] =
	"UPDATE users SET revoked = 1, malformed = malformed OR revoked WHERE name = ?1";

/*
 * A user record the index cannot take as user.c would read it (one that
 * does not parse; user.c fails on it): the user's row marked malformed,
 * so that who reads is left to user.c while it is there.  The index stays
 * rebuildable, and verify names the commit.
 */
static int user_malformed(const vault_kind_file *f)
{
	sqlite3_stmt *st;
	char hex[41];

	if (vault_index__stmt(&st, f->idx, SQL_USER_MALFORMED) < 0)
		return VAULT_ERROR;
	git_oid_tostr(hex, sizeof(hex), f->commit);
	sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	return vault_index__step(f->idx, st, "cannot index a user");
}

/* users/NAME/user.json: the user, parsed as user.c reads it from a tree. */
static int index_user(const vault_kind_file *f)
{
	sqlite3_stmt *st;
	vault_user u;
	char hex[41];
	int error;

	if (vault_user__parse(&u, f->data, f->len, f->m->key) < 0)
		return user_malformed(f);
	if ((error = vault_index__stmt(&st, f->idx, SQL_INS_USER)) < 0) {
		vault_user_dispose(&u);
		return error;
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	sqlite3_bind_text(st, 1, u.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u.org, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)u.roles);
	sqlite3_bind_text(st, 4, u.key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hex, -1, SQLITE_STATIC);
	error = vault_index__step(f->idx, st, "cannot index a user");
	vault_user_dispose(&u);
	return error;
}

/* users/NAME/revoked.json: the user is revoked (twice, or malformed: marked so). */
static int index_user_revoked(const vault_kind_file *f)
{
	sqlite3_stmt *st;
	vault_user u;
	int error;

	memset(&u, 0, sizeof(u));
	error = vault_user__parse_revocation(&u, f->data, f->len, f->m->key);
	vault_user_dispose(&u);
	if (error < 0)
		return user_malformed(f);
	if ((error = vault_index__stmt(&st, f->idx, SQL_REVOKE_USER)) < 0)
		return error;
	sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
	if ((error = vault_index__step(f->idx, st, "cannot index a user's revocation")) < 0)
		return error;
	/* the revocation of no user: user.c fails on its folder */
	return sqlite3_changes(vault_index__db(f->idx)) ? 0 : user_malformed(f);
}

const vault_kind vault_kind_config = {
	.name = "settings",
	.shape = VAULT_CONFIG_FILE,
	.roles = VAULT_ROLE_ADMIN,
	.act = "configure the vault",
	.ops = "init types",
	.made_by = "init",
	.check = check_config,
};
const vault_kind vault_kind_user = {
	.name = "user",
	.shape = VAULT_USERS_DIR "/NAME/user.json",
	.roles = 0, /* an admin, or the server completing an enrollment: check_new_user */
	.act = "add or revoke users",
	.ops = "init user-add enroll",
	.made_by = "init user-add",
	.index = index_user,
	.check = check_new_user,
	.tables = "users",
};
const vault_kind vault_kind_revoked = {
	.name = "revocation",
	.shape = VAULT_USERS_DIR "/NAME/revoked.json",
	.roles = VAULT_ROLE_ADMIN,
	.act = "add or revoke users",
	.ops = "user-revoke",
	.made_by = "user-revoke",
	.index = index_user_revoked,
	.check = check_user,
	.tables = "users",
};

/*
 * users/NAME/email/NNNNNN.json: a user's e-mail address, the latest of
 * them in force (user.c); by an admin, never on someone's behalf, for a
 * user the tree records, well formed.
 */
static void check_email(const vault_change_ctx *c, const char *path)
{
	char parts[5][VAULT_NAME_MAX + 1], user[VAULT_PATH_MAX];
	json_t *rec;

	check_user(c, path);
	if (vault_rules__split(parts, 4, path) != 4 || strlen(parts[3]) != 11 ||
	    strspn(parts[3], "0123456789") != 6 || strcmp(parts[3] + 6, ".json") != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "user-email") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 || json_object_size(rec) != 6 ||
	    vault_record__email_check(vault_rules__str(rec, "email")) < 0) {
		c->found(c, path, "the e-mail address record is malformed");
		json_decref(rec);
		return;
	}
	if (strcmp(vault_rules__str(rec, "name"), parts[1]) != 0)
		c->found(c, path, "the e-mail address of user '%s' is stored as user '%s''s",
			 vault_rules__str(rec, "name"), parts[1]);
	if (vault__fmt(user, sizeof(user), "path", VAULT_USERS_DIR "/%s/user.json", parts[1]) < 0 ||
	    !vault_rules__has(c->store, c->tree, user))
		c->found(c, path, "an e-mail address for user '%s', who is not recorded", parts[1]);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "set_by"), NULL,
			       vault_rules__str(rec, "set_at"));
	json_decref(rec);
}

const vault_kind vault_kind_user_email = {
	.name = "e-mail address",
	.shape = VAULT_USERS_DIR "/NAME/email/*.json",
	.roles = VAULT_ROLE_ADMIN,
	.act = "set users' e-mail addresses",
	.ops = "user-add user-set",
	.made_by = "user-set",
	.check = check_email,
};

/* ---- administration ----------------------------------------------------- */

/* Queue users/NAME/email/NNNNNN.json, the next of NAME's, saying `email`. */
static int put_email(vault_txn *t, vault *v, const char *name, const char *email)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE];
	git_tree_entry *te = NULL;
	git_tree *tree = NULL;
	size_t n = 0;
	char *json = NULL;
	size_t len;
	int error;

	if ((error = vault__fmt(dir, sizeof(dir), "path", VAULT_USERS_DIR "/%s/email", name)) < 0)
		return error;
	if (git_tree_entry_bypath(&te, t->root, dir) == 0) {
		if (git_tree_lookup(&tree, git_tree_owner(t->root), git_tree_entry_id(te)) == 0)
			n = git_tree_entrycount(tree);
		git_tree_free(tree);
		git_tree_entry_free(te);
	}
	vault_time_format(when, sizeof(when), t->now);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/%06zu.json", dir, n + 1)) < 0 ||
	    (error = vault_record__dump(&json, &len, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}",
			"record", "user-email", "format", 1, "name", name, "email", email,
			"set_by", t->actor.name, "set_at", when))) < 0)
		return error;
	error = vault__txn_put_data(t, v, path, json, len);
	free(json);
	return error;
}

int vault_user_add(vault *v, const char *name, const char *org, const char *roles,
		   const char *pubkey)
{
	return vault_user_add_email(v, name, org, roles, pubkey, NULL);
}

int vault_user_set_email(vault *v, const char *name, const char *email)
{
	vault_buf message = VAULT_BUF_INIT;
	vault_user u;
	vault_txn t;
	int error;

	memset(&u, 0, sizeof(u));
	if ((error = vault_plain_name_check("user name", name)) < 0 ||
	    (error = vault_record__email_check(email)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "set users' e-mail addresses")) < 0 ||
	    (error = vault_user__by_name(&u, v->store, t.root, name)) < 0)
		goto done;
	if (u.email && strcmp(u.email, email) == 0) {
		error = vault_error__set(VAULT_EEXISTS, "user '%s' has that e-mail address already",
					 name);
		goto done;
	}
	if ((error = put_email(&t, v, name, email)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "user set %s --email\n\nQvault-Op: user-set\nQvault-User: %s\n", name, name)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault_user_dispose(&u);
	vault__txn_end(&t, v);
	return error;
}

int vault_user_add_email(vault *v, const char *name, const char *org, const char *roles,
			 const char *pubkey, const char *email)
{
	vault_user u, existing;
	vault_txn t;
	char *json = NULL, *kid = NULL, path[VAULT_PATH_MAX];
	vault_buf message = VAULT_BUF_INIT;
	size_t len;
	int error;

	memset(&u, 0, sizeof(u));
	if ((error = vault_plain_name_check("user name", name)) < 0 ||
	    (error = vault_plain_name_check("organization", org)) < 0 ||
	    (error = vault_user__parse_roles(&u.roles, roles)) < 0 ||
	    (email && (error = vault_record__email_check(email)) < 0) ||
	    (error = vault_sign__parse_public(&kid, NULL, pubkey)) < 0)
		return error;
	if ((error = vault__txn_begin(&t, v)) < 0)
		goto done;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "add users")) < 0)
		goto done;
	if (vault_user__by_name(&existing, v->store, t.root, name) == 0) {
		vault_user_dispose(&existing);
		error = vault_error__set(VAULT_EEXISTS, "user '%s' already exists", name);
		goto done;
	}
	if (vault_user__by_key(&existing, v->store, t.root, kid) == 0) {
		error = vault_error__set(VAULT_EEXISTS, "that key already belongs to user '%s'",
					 existing.name);
		vault_user_dispose(&existing);
		goto done;
	}
	u.name = (char *)(uintptr_t)name;
	u.org = (char *)(uintptr_t)org;
	u.key = (char *)(uintptr_t)pubkey;
	{
		vault_user_list *all = NULL;

		if ((error = vault_user__list(&all, v->store, t.root)) == 0)
			error = vault_user__side_check(&u, all);
		vault_user_list_free(all);
		if (error < 0)
			goto done;
	}
	u.added_by = t.actor.name;
	u.added_at = t.now;
	vault_sign__fingerprint_of(u.fingerprint, pubkey);
	if ((error = vault__fmt(path, sizeof(path), "path", VAULT_USERS_DIR "/%s/user.json",
				name)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "user add %s (%s, %s)\n\nQvault-Op: user-add\nQvault-User: %s\n",
		 name, org, roles, name)) < 0 ||
	    (error = vault_user__dump(&json, &len, &u)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (email && (error = put_email(&t, v, name, email)) < 0))
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	free(json);
	free(kid);
	return error;
}

int vault_user_revoke(vault *v, const char *name)
{
	vault_user u;
	vault_txn t;
	char *json = NULL, path[VAULT_PATH_MAX];
	vault_buf message = VAULT_BUF_INIT;
	size_t len;
	int error;

	memset(&u, 0, sizeof(u));
	if ((error = vault_plain_name_check("user name", name)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "revoke users")) < 0 ||
	    (error = vault_user__by_name(&u, v->store, t.root, name)) < 0)
		goto done;
	if (u.revoked) {
		error = vault_error__set(VAULT_EEXISTS, "user '%s' is already revoked", name);
		goto done;
	}
	if (!u.name || strcmp(u.name, t.actor.name) == 0) {
		error = vault_error__set(VAULT_EDENIED, "user '%s' may not revoke itself", name);
		goto done;
	}
	if ((error = vault__fmt(path, sizeof(path), "path", VAULT_USERS_DIR "/%s/revoked.json",
				name)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "user revoke %s\n\nQvault-Op: user-revoke\nQvault-User: %s\n", name, name)) < 0 ||
	    (error = vault_user__dump_revocation(&json, &len, name, t.actor.name, t.now)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault_user_dispose(&u);
	vault__txn_end(&t, v);
	free(json);
	return error;
}
