#include "user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "marking.h"
#include "record.h"
#include "sign.h"
#include "util.h"

const char *const vault_role_names[] = {
	"admin", "buyer", "supplier", "quality", "auditor", "server", NULL
};

int vault_user__parse_roles(unsigned *roles, const char *list)
{
	const char *p = list;

	*roles = 0;
	while (*p) {
		size_t n = strcspn(p, ","), i;

		for (i = 0; vault_role_names[i]; i++)
			if (strlen(vault_role_names[i]) == n &&
			    strncmp(vault_role_names[i], p, n) == 0)
				break;
		if (!vault_role_names[i])
			return vault_error__set(VAULT_EINVALID,
				"unknown role '%.*s' (known: admin, buyer, supplier, quality, auditor, server)",
				(int)(n > 64 ? 64 : n), p);
		*roles |= 1u << i;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*roles)
		return vault_error__set(VAULT_EINVALID, "no role given");
	return 0;
}

void vault_user__format_roles(char *buf, size_t size, unsigned roles)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; vault_role_names[i]; i++)
		if (roles & (1u << i)) {
			/* text for a message: a cut shows as "..." */
			if (vault__fmt(buf + o, size - o, "roles", "%s%s", o ? "," : "",
				       vault_role_names[i]) < 0) {
				if (size > 4)
					memcpy(buf + size - 4, "...", 4);
				return;
			}
			o += strlen(buf + o);
		}
}

int vault_user__dump(char **out, size_t *len, const vault_user *u)
{
	json_t *roles = json_array();
	char when[VAULT_TIME_SIZE];
	size_t i;

	for (i = 0; vault_role_names[i]; i++)
		if (u->roles & (1u << i))
			json_array_append_new(roles, json_string(vault_role_names[i]));
	vault_time_format(when, sizeof(when), u->added_at);
	return vault_record__dump(out, len, json_pack("{s:s, s:i, s:s, s:s, s:o, s:s, s:s, s:s, s:s}",
		"record", "user", "format", 1, "name", u->name, "org", u->org,
		"roles", roles, "key", u->key, "fingerprint", u->fingerprint,
		"added_by", u->added_by, "added_at", when));
}

int vault_user__dump_revocation(char **out, size_t *len, const char *name,
				const char *by, int64_t when)
{
	char at[VAULT_TIME_SIZE];

	vault_time_format(at, sizeof(at), when);
	return vault_record__dump(out, len, json_pack("{s:s, s:i, s:s, s:s, s:s}", "record",
		"revocation", "format", 1, "name", name, "revoked_by", by,
		"revoked_at", at));
}

static int parse_time(int64_t *out, const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/*
 * The latest of users/<dirname>/email/NNNNNN.json into u->email (none:
 * NULL).  A record that cannot be read leaves the address unset (its own
 * commit's check reports it).
 */
static void load_email(vault_user *u, vault_store *s, const git_tree *users, const char *dirname)
{
	char path[VAULT_PATH_MAX], *data = NULL;
	const char *last = NULL, *email;
	git_tree_entry *te;
	git_tree *tree = NULL;
	json_t *root;
	size_t i, len;

	if (vault__fmt(path, sizeof(path), "path", "%s/email", dirname) < 0 ||
	    git_tree_entry_bypath(&te, users, path) < 0)
		return;
	if (git_tree_lookup(&tree, git_tree_owner(users), git_tree_entry_id(te)) == 0)
		for (i = 0; i < git_tree_entrycount(tree); i++) {
			const char *n = git_tree_entry_name(git_tree_entry_byindex(tree, i));

			if (!last || strcmp(n, last) > 0)
				last = n;
		}
	git_tree_entry_free(te);
	if (last && vault__fmt(path, sizeof(path), "path", "%s/email/%s", dirname, last) == 0 &&
	    vault_store__read_path(&data, &len, s, users, path) == 0) {
		root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
		email = json_string_value(json_object_get(root, "email"));
		if (email && vault_record__email_check(email) == 0)
			u->email = vault__strdup(email);
		json_decref(root);
	}
	free(data);
	git_tree_free(tree);
}

int vault_user__parse(vault_user *u, const char *data, size_t len, const char *dirname)
{
	const char *kind, *name, *org, *key, *fp, *by, *at;
	json_t *root, *roles, *r;
	json_error_t jerr;
	char *kid = NULL;
	size_t i;
	int format;

	memset(u, 0, sizeof(*u));
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack_ex(root, &jerr, JSON_STRICT,
			"{s:s, s:i, s:s, s:s, s:o, s:s, s:s, s:s, s:s}",
			"record", &kind, "format", &format, "name", &name, "org", &org,
			"roles", &roles, "key", &key, "fingerprint", &fp, "added_by", &by,
			"added_at", &at) < 0 ||
	    strcmp(kind, "user") != 0 || format != 1 || strcmp(name, dirname) != 0 ||
	    !json_is_array(roles) || strlen(fp) >= sizeof(u->fingerprint) ||
	    vault_sign__parse_public(&kid, NULL, key) < 0) {
		json_decref(root);
		free(kid);
		return vault_error__set(VAULT_EVERIFY, "users/%s/user.json is malformed", dirname);
	}
	free(kid);
	u->name = vault__strdup(name);
	u->org = vault__strdup(org);
	u->key = vault__strdup(key);
	u->added_by = vault__strdup(by);
	memcpy(u->fingerprint, fp, strlen(fp) + 1); /* its length checked above */
	parse_time(&u->added_at, at);
	json_array_foreach(roles, i, r) {
		unsigned bits;

		if (!json_is_string(r) || vault_user__parse_roles(&bits, json_string_value(r)) < 0) {
			json_decref(root);
			vault_user_dispose(u);
			return vault_error__set(VAULT_EVERIFY, "users/%s/user.json has a bad role",
						dirname);
		}
		u->roles |= bits;
	}
	json_decref(root);
	return 0;
}

int vault_user__parse_revocation(vault_user *u, const char *data, size_t len,
				 const char *dirname)
{
	const char *by, *at;
	json_error_t jerr;
	json_t *root;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack(root, "{s:s, s:s}", "revoked_by", &by, "revoked_at", &at) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "users/%s/revoked.json is malformed", dirname);
	}
	u->revoked = 1;
	free(u->revoked_by);
	u->revoked_by = vault__strdup(by);
	parse_time(&u->revoked_at, at);
	json_decref(root);
	return 0;
}

/* Parse users/<dirname>/user.json (and revoked.json if there). */
static int load_user(vault_user *u, vault_store *s, const git_tree *users,
		     const char *dirname)
{
	char path[VAULT_PATH_MAX], *data = NULL;
	size_t len;
	int error;

	memset(u, 0, sizeof(*u));
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/user.json", dirname)) < 0 ||
	    (error = vault_store__read_path(&data, &len, s, users, path)) < 0)
		return error;
	error = vault_user__parse(u, data, len, dirname);
	free(data);
	if (error < 0)
		return error;
	load_email(u, s, users, dirname);

	if ((error = vault__fmt(path, sizeof(path), "path", "%s/revoked.json", dirname)) == 0)
		error = vault_store__read_path(&data, &len, s, users, path);
	if (error == VAULT_ENOTFOUND)
		return 0;
	if (error == 0) {
		error = vault_user__parse_revocation(u, data, len, dirname);
		free(data);
	}
	if (error < 0)
		vault_user_dispose(u);
	return error;
}

/* The users/ folder of `tree`, or NULL (no users yet). */
static int users_tree(git_tree **out, const git_tree *tree)
{
	git_tree_entry *te;
	int error;

	*out = NULL;
	error = git_tree_entry_bypath(&te, tree, VAULT_USERS_DIR);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the users");
	error = git_tree_lookup(out, git_tree_owner(tree), git_tree_entry_id(te));
	git_tree_entry_free(te);
	return error < 0 ? vault_error__git(VAULT_ERROR, "cannot read the users") : 0;
}

int vault_user__list(vault_user_list **out, vault_store *s, const git_tree *tree)
{
	vault_user_list *list = calloc(1, sizeof(*list));
	git_tree *users;
	size_t i, n;
	int error;

	if (!list)
		abort();
	if ((error = users_tree(&users, tree)) < 0) {
		free(list);
		return error;
	}
	n = users ? git_tree_entrycount(users) : 0;
	if ((list->items = calloc(n + 1, sizeof(vault_user))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		const char *name = git_tree_entry_name(git_tree_entry_byindex(users, i));

		if ((error = load_user(&list->items[list->count], s, users, name)) < 0)
			break;
		list->count++;
	}
	git_tree_free(users);
	if (error < 0) {
		vault_user_list_free(list);
		return error;
	}
	*out = list;
	return 0;
}

int vault_user__by_key(vault_user *out, vault_store *s, const git_tree *tree,
		       const char *key_id)
{
	vault_user_list *list;
	size_t i, n = strlen(key_id);
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = vault_user__list(&list, s, tree)) < 0)
		return error;
	for (i = 0; i < list->count; i++) {
		const char *k = list->items[i].key;

		if (strncmp(k, key_id, n) == 0 && (k[n] == '\0' || k[n] == ' ')) {
			*out = list->items[i];
			memset(&list->items[i], 0, sizeof(vault_user));
			vault_user_list_free(list);
			return 0;
		}
	}
	vault_user_list_free(list);
	return VAULT_ENOTFOUND;
}

int vault_user__by_name(vault_user *out, vault_store *s, const git_tree *tree,
			const char *name)
{
	git_tree *users;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = users_tree(&users, tree)) < 0)
		return error;
	if (!users || !git_tree_entry_byname(users, name)) {
		git_tree_free(users);
		return vault_error__set(VAULT_ENOTFOUND, "no user '%s'", name);
	}
	error = load_user(out, s, users, name);
	git_tree_free(users);
	return error;
}

/* The roles of the vault owner's side. */
#define OWNER_SIDE (VAULT_ROLE_ADMIN | VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY | \
		    VAULT_ROLE_AUDITOR | VAULT_ROLE_SERVER)

int vault_user__side_check(const vault_user *u, const vault_user_list *users)
{
	int supplier = (u->roles & VAULT_ROLE_SUPPLIER) != 0;
	size_t i;

	if (supplier && (u->roles & OWNER_SIDE))
		return vault_error__set(VAULT_EINVALID, "user '%s' may not be a supplier and hold a "
					"role of the vault owner's side too", u->name);
	for (i = 0; users && i < users->count; i++) {
		const vault_user *o = &users->items[i];

		if (strcmp(o->name, u->name) == 0 || strcmp(o->org, u->org) != 0)
			continue;
		if (supplier != ((o->roles & VAULT_ROLE_SUPPLIER) != 0))
			return vault_error__set(VAULT_EINVALID, "organization '%s' is %s (user '%s'): "
						"'%s' may not join it as %s", u->org,
						supplier ? "of the vault owner's side" : "a supplier's",
						o->name, u->name, supplier ? "a supplier" :
						"one of the vault owner's side");
	}
	return 0;
}

int vault_user__may(const vault_user *u, unsigned roles, const char *what)
{
	char need[128];

	if (u->revoked)
		return vault_error__set(VAULT_EDENIED, "user '%s' was revoked", u->name);
	if (u->roles & roles)
		return 0;
	vault_user__format_roles(need, sizeof(need), roles);
	return vault_error__set(VAULT_EDENIED, "user '%s' may not %s (needs role %s)",
				u->name, what, need);
}

int vault_user__may_add(const vault_user *u, const char *type)
{
	char what[64];
	unsigned roles;

	if (vault_record__controlled(type))
		roles = VAULT_ROLE_BUYER;
	else if (strcmp(type, "other") == 0)
		roles = VAULT_ROLE_BUYER | VAULT_ROLE_SUPPLIER | VAULT_ROLE_QUALITY;
	else
		roles = VAULT_ROLE_SUPPLIER | VAULT_ROLE_QUALITY;
	if (vault__fmt(what, sizeof(what), "document type", "add %s %s",
			vault_record__a(type), type) < 0)
		return VAULT_EINVALID;
	return vault_user__may(u, roles, what);
}

void vault_user_dispose(vault_user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->org);
	free(u->key);
	free(u->added_by);
	free(u->email);
	free(u->revoked_by);
	memset(u, 0, sizeof(*u));
}

void vault_user_list_free(vault_user_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		vault_user_dispose(&list->items[i]);
	free(list->items);
	free(list);
}

/*
 * Whether a supplier of `org` sees user `u`: the users of its own
 * organization, and those of the buying side (every user holding a role
 * other than supplier: admin, buyer, quality, auditor, server), whose
 * keys sign the releases, POs and commits it reads.  Another supplier
 * organization's users, and their keys, are not there for it.
 */
static int user_visible(const vault_user *u, const char *org)
{
	return strcmp(u->org, org) == 0 || vault_user__scope(u) == NULL;
}

int vault_users(vault_user_list **out, vault *v)
{
	git_tree *tree;
	char *org = NULL;
	size_t i, n = 0;
	int error;

	*out = NULL;
	if ((error = vault__viewer(&org, v)) < 0 || (error = vault__need_store(v)) < 0 ||
	    (error = vault_store__head_tree(&tree, v->store)) < 0)
		goto done;
	error = vault_user__list(out, v->store, tree);
	git_tree_free(tree);
	if (error < 0 || !org)
		goto done;
	for (i = 0; i < (*out)->count; i++) {
		if (user_visible(&(*out)->items[i], org))
			(*out)->items[n++] = (*out)->items[i];
		else
			vault_user_dispose(&(*out)->items[i]);
	}
	(*out)->count = n;
done:
	free(org);
	return error;
}

/* What a user's key signs: commits, each of a person's signed acts, bundles. */
#define SIGNER_NAMESPACES "git," VAULT_ACK_NAMESPACE "," VAULT_PO_ACK_NAMESPACE "," \
	VAULT_FAI_DISPOSITION_NAMESPACE "," VAULT_NCR_CLOSE_NAMESPACE "," VAULT_BUNDLE_NAMESPACE "," \
	VAULT_FORECAST_ACK_NAMESPACE

/* "YYYYMMDDHHMMSSZ", as allowed_signers takes a time. */
static void signers_time(char buf[32], int64_t when)
{
	time_t tt = (time_t)when;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y%m%d%H%M%SZ", &tm);
}

int vault_user__allowed_signers(char **out, vault *v,
				int (*want)(const char *principal, void *arg), void *arg)
{
	vault_user_list *list = NULL;
	vault_buf text = VAULT_BUF_INIT;
	size_t i;
	int error;

	if ((error = vault_users(&list, v)) < 0)
		return error;
	if (!list)
		return vault_error__set(VAULT_ERROR, "cannot list the users");
	for (i = 0; i < list->count && !error; i++) {
		const vault_user *u = &list->items[i];
		char who[VAULT_NAME_MAX * 2 + 2], after[64] = "", before[64] = "", when[32];
		char *kid;

		if (vault__fmt(who, sizeof(who), "signer", "%s@%s", u->name, u->org) < 0 ||
		    (want && !want(who, arg)))
			continue;
		if (vault_sign__parse_public(&kid, NULL, u->key) < 0)
			continue;
		if (want) {
			/* nothing it signed before it was a user counts */
			signers_time(when, u->added_at);
			error = vault__fmt(after, sizeof(after), "time", ",valid-after=\"%s\"", when);
		}
		if (u->revoked && !error) {
			/* signatures from before the revocation stay valid */
			signers_time(when, u->revoked_at);
			error = vault__fmt(before, sizeof(before), "time", ",valid-before=\"%s\"", when);
		}
		if (!error)
			error = vault_buf__addf(&text, "%s namespaces=\"" SIGNER_NAMESPACES "\"%s%s %s\n",
						who, after, before, kid);
		free(kid);
	}
	vault_user_list_free(list);
	if (error < 0) {
		vault_buf__dispose(&text);
		return error;
	}
	*out = vault_buf__detach(&text);
	return 0;
}

int vault_allowed_signers(char **out, vault *v)
{
	return vault_user__allowed_signers(out, v, NULL, NULL);
}

const char *vault_user__scope(const vault_user *u)
{
	if (u->roles & (VAULT_ROLE_ADMIN | VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY |
			VAULT_ROLE_AUDITOR | VAULT_ROLE_SERVER))
		return NULL;
	return u->org;
}

/*
 * The organization whose view the acting key has: NULL (everything) with
 * no key, or for any role but supplier; a supplier sees its own.
 */
static const char SQL_USER_BY_KEY[] =
	"SELECT name, org, roles, revoked FROM users"
	" WHERE (key = ?1 OR (key >= ?1 || ' ' AND key < ?1 || '!'))"
	" AND NOT EXISTS (SELECT 1 FROM users WHERE malformed) LIMIT 2";
static const char SQL_USERS_MALFORMED[] = "SELECT 1 FROM users WHERE malformed LIMIT 1";

/*
 * vault__viewer from the index's users, for a handle opened without the
 * repository: 0 with *org set, or the refusal vault__whoami gives; 1 when
 * the index cannot say it alone (a reader, a user acted for, a key that
 * two users hold, a user record user.c fails on) and the repository must.  The key matches a user's as
 * vault_user__by_key matches it: the user's key, or it and a comment.
 */
/* 1 when a user record the index holds is malformed (SQL_USERS_MALFORMED); 0 if none. */
static int users_malformed(vault *v)
{
	sqlite3_stmt *st;
	int rc;

	if (vault_index__stmt(&st, v->index, SQL_USERS_MALFORMED) < 0)
		return VAULT_ERROR;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return vault_error__set(VAULT_ERROR, "index: cannot read the users: %s",
					sqlite3_errmsg(vault_index__db(v->index)));
	return 0;
}

static int viewer_indexed(char **org, vault *v)
{
	char *id = NULL, fp[64];
	sqlite3_stmt *st;
	int rc, error;

	if (!v->key || v->reader || v->on_behalf)
		return 1;
	if ((error = vault_sign__key_id(&id, v->key)) < 0)
		return error;
	if ((error = vault_index__stmt(&st, v->index, SQL_USER_BY_KEY)) < 0) {
		free(id);
		return error;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		vault_user u;

		memset(&u, 0, sizeof(u));
		u.name = (char *)(uintptr_t)name;
		u.org = (char *)(uintptr_t)sqlite3_column_text(st, 1);
		u.roles = (unsigned)sqlite3_column_int64(st, 2);
		if (sqlite3_column_int(st, 3))
			error = vault_error__set(VAULT_EDENIED, "user '%s' was revoked", name);
		else if (vault_user__scope(&u))
			*org = vault__strdup(vault_user__scope(&u));
		/* the markings it is cleared for, by the attestations the index holds */
		if (!error)
			error = vault_marking__refresh(v, &u, vault_user__scope(&u), NULL);
		/* a key two users hold: the first in the tree's order is the repository's to say */
		if (!error && sqlite3_step(st) == SQLITE_ROW) {
			free(*org);
			*org = NULL;
			error = 1;
		}
	} else if (rc == SQLITE_DONE && (error = users_malformed(v)) != 0) {
		/* 1: a malformed record, which user.c fails on first; or an error */
	} else if (rc == SQLITE_DONE) {
		vault_sign__fingerprint_of(fp, id);
		error = vault_error__set(VAULT_EDENIED, "key %s is not registered in this vault", fp);
	} else {
		error = vault_error__set(VAULT_ERROR, "index: cannot look up the key's user: %s",
					 sqlite3_errmsg(vault_index__db(v->index)));
	}
	sqlite3_reset(st);
	free(id);
	return error;
}

int vault__viewer(char **org, vault *v)
{
	git_tree *tree;
	vault_user u;
	int error;

	*org = NULL;
	if (!v->key && !v->reader)
		return vault_marking__refresh(v, NULL, NULL, NULL);
	if (!v->store && (error = viewer_indexed(org, v)) <= 0)
		return error;
	if ((error = vault__need_store(v)) < 0 ||
	    (error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	error = vault__whoami(&u, v, tree);
	git_tree_free(tree);
	if (error < 0) {
		vault_user_dispose(&u);
		return error;
	}
	if (vault_user__scope(&u))
		*org = vault__strdup(vault_user__scope(&u));
	vault_user_dispose(&u);
	return 0;
}

int vault_viewer_roles(unsigned *roles, vault *v)
{
	git_tree *tree;
	vault_user u;
	int error;

	*roles = 0;
	if ((error = vault__need_store(v)) < 0 ||
	    (error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	error = vault__whoami(&u, v, tree);
	git_tree_free(tree);
	if (error < 0)
		return error;
	*roles = u.roles;
	vault_user_dispose(&u);
	return 0;
}

/* ---- who acts --------------------------------------------------------- */

static int act_for(vault_user *u, vault *v, const git_tree *tree);

static int whoami(vault_user *out, vault *v, const git_tree *tree);

int vault__whoami(vault_user *out, vault *v, const git_tree *tree)
{
	int error = whoami(out, v, tree);

	/* whoever acts, the markings it is cleared for, before it reads */
	if (error == 0 && (error = vault_marking__refresh(v, out, vault_user__scope(out), tree)) < 0)
		vault_user_dispose(out);
	return error;
}

static int whoami(vault_user *out, vault *v, const git_tree *tree)
{
	char *id, fp[64];
	int error;

	memset(out, 0, sizeof(*out));
	if (!v->key && v->reader) {
		/* a reader (qvault serve): a registered user, unrevoked, for reads */
		v->via[0] = '\0';
		if ((error = vault_user__by_name(out, v->store, tree, v->reader)) == VAULT_ENOTFOUND)
			return vault_error__set(VAULT_EDENIED, "no user '%s' in this vault", v->reader);
		if (error == 0 && out->revoked) {
			error = vault_error__set(VAULT_EDENIED, "user '%s' was revoked", out->name);
			vault_user_dispose(out);
		}
		return error;
	}
	if (!v->key)
		return vault_error__set(VAULT_EDENIED,
			"no key given: name one with --key FILE or QVAULT_KEY");
	if ((error = vault_sign__key_id(&id, v->key)) < 0)
		return error;
	error = vault_user__by_key(out, v->store, tree, id);
	if (error == VAULT_ENOTFOUND) {
		vault_sign__fingerprint_of(fp, id);
		error = vault_error__set(VAULT_EDENIED,
			"key %s is not registered in this vault", fp);
	}
	free(id);
	if (error == 0 && out->revoked) {
		error = vault_error__set(VAULT_EDENIED, "user '%s' was revoked", out->name);
		vault_user_dispose(out);
	}
	v->via[0] = '\0';
	if (error == 0 && v->on_behalf)
		error = act_for(out, v, tree);
	return error;
}

/*
 * The server user `*u` acting for v->on_behalf: *u becomes that user,
 * who must be registered and not revoked.
 */
static int act_for(vault_user *u, vault *v, const git_tree *tree)
{
	vault_user them;
	int error;

	if (!(u->roles & VAULT_ROLE_SERVER)) {
		error = vault_error__set(VAULT_EDENIED,
			"user '%s' may not act for another user (needs role server)", u->name);
		vault_user_dispose(u);
		return error;
	}
	error = vault_user__by_name(&them, v->store, tree, v->on_behalf);
	if (error == VAULT_ENOTFOUND)
		error = vault_error__set(VAULT_EDENIED, "no user '%s' in this vault", v->on_behalf);
	else if (error == 0 && them.revoked) {
		error = vault_error__set(VAULT_EDENIED, "user '%s' was revoked", them.name);
		vault_user_dispose(&them);
	} else if (error == 0 && (them.roles & VAULT_ROLE_ADMIN)) {
		/* what an admin does (users, settings) is signed by the admin's own key */
		error = vault_error__set(VAULT_EDENIED, "user '%s' is an admin, who signs with "
					 "its own key, not through the server", them.name);
		vault_user_dispose(&them);
	}
	if (error < 0) {
		vault_user_dispose(u);
		return error;
	}
	if ((error = vault__fmt(v->via, sizeof(v->via), "user name", "%s", u->name)) < 0) {
		vault_user_dispose(&them);
		vault_user_dispose(u);
		return error;
	}
	vault_user_dispose(u);
	*u = them;
	return 0;
}

int vault__revision(vault_revision *out, vault *v, const char *doc, const char *rev)
{
	char *org;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (rev && (error = vault_name_check("revision", rev)) < 0) ||
	    (error = vault__viewer(&org, v)) < 0)
		return error;
	error = vault_index__get(out, v->index, doc, rev, org);
	free(org);
	return error;
}

int vault__server_key(vault_key **server, vault_user *user, vault *v, const git_tree *tree)
{
	char path[4200], *have = NULL, *want = NULL;
	vault_user su;
	int error;

	memset(&su, 0, sizeof(su));
	*server = NULL;
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_SERVER_KEY, v->qdir)) < 0 ||
	    (error = vault_key_load(server, path, NULL, NULL)) < 0 ||
	    (error = vault_user__by_name(&su, v->store, tree, VAULT_SERVER_USER)) < 0 ||
	    (error = vault_sign__key_id(&have, *server)) < 0 ||
	    (error = vault_sign__parse_public(&want, NULL, su.key)) < 0)
		goto done;
	if (strcmp(have, want) != 0)
		error = vault_error__set(VAULT_EVERIFY, "the server key '%s' is not the key of user '%s'",
					 path, VAULT_SERVER_USER);
done:
	if (error < 0) {
		vault_key_free(*server);
		*server = NULL;
	}
	free(have);
	free(want);
	if (user && error == 0)
		*user = su;
	else
		vault_user_dispose(&su);
	return error;
}
