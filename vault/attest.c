/*
 * attest.c - attestations of users and organizations for export-controlled
 * data (kinds user_attestation and org_attestation; the rule they feed:
 * marking.h).
 *
 *   attestations/users/NAME/NNNNNN.json
 *   attestations/orgs/ORG/NNNNNN.json
 *
 * {"record": "attestation", "format": 1, "subject": "user"|"org",
 *  "name": NAME, "attestation": A, ["licence": L, "covers": M,]
 *  "expires": "YYYY-MM-DD", "attested_by": ADMIN, "attested_at": TIME}
 *
 * By an admin, never by a server on someone's behalf, one commit each
 * (Qvault-Op: attest); numbered from 1 per subject; the expiry is the last
 * day it holds, on or after its own day.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "attest.h"
#include "common.h"
#include "error.h"
#include "index.h"
#include "kinds.h"
#include "marking.h"
#include "record.h"
#include "rules.h"
#include "txn.h"
#include "user.h"
#include "util.h"

/* Whether some user of `tree` belongs to organization `org`. */
static int org_known(vault_store *s, const git_tree *tree, const char *org)
{
	vault_user_list *all = NULL;
	size_t i;
	int found = 0;

	if (vault_user__list(&all, s, tree) < 0)
		return 0;
	for (i = 0; i < all->count && !found; i++)
		found = all->items[i].org && strcmp(all->items[i].org, org) == 0;
	vault_user_list_free(all);
	return found;
}

/* The subject `name` of kind `subject` is recorded in `tree`. */
static int subject_known(vault_store *s, const git_tree *tree, const char *subject,
			 const char *name)
{
	char path[VAULT_PATH_MAX];

	if (strcmp(subject, "org") == 0)
		return org_known(s, tree, name);
	return vault__fmt(path, sizeof(path), "path", VAULT_USERS_DIR "/%s/user.json", name) == 0 &&
	       vault_rules__has(s, tree, path);
}

static void check_attestation(const vault_change_ctx *c, const char *path)
{
	char parts[5][VAULT_NAME_MAX + 1], day[16];
	const char *subject, *what, *expires;
	json_t *rec;

	if (c->on_behalf)
		c->found(c, path, "a server may not record attestations on behalf of '%s'",
			 c->who ? c->who->name : "");
	if (vault_rules__split(parts, 4, path) != 4 || strlen(parts[3]) != 11 ||
	    strspn(parts[3], "0123456789") != 6 || strcmp(parts[3] + 6, ".json") != 0 ||
	    strcmp(parts[3], "000000.json") == 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	subject = strcmp(parts[1], "users") == 0 ? "user" : "org";
	rec = vault_rules__json_at(c, c->tree, path);
	what = vault_rules__str(rec, "attestation");
	expires = vault_rules__str(rec, "expires");
	if (!rec || strcmp(vault_rules__str(rec, "record"), "attestation") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    json_object_size(rec) != (json_object_get(rec, "licence") ? 10u : 8u) ||
	    strcmp(vault_rules__str(rec, "subject"), subject) != 0 ||
	    vault_marking__attestation_check(subject, what,
		json_string_value(json_object_get(rec, "licence")),
		json_string_value(json_object_get(rec, "covers"))) < 0 ||
	    vault_record__date_check("expiry date", expires) < 0) {
		c->found(c, path, "the attestation record is malformed");
		json_decref(rec);
		return;
	}
	if (strcmp(vault_rules__str(rec, "name"), parts[2]) != 0)
		c->found(c, path, "the attestation of '%s' is stored as '%s''s",
			 vault_rules__str(rec, "name"), parts[2]);
	vault_marking__today(day, sizeof(day), c->time);
	if (strcmp(expires, day) < 0)
		c->found(c, path, "the attestation expires %s, before its own day %s", expires, day);
	if (!subject_known(c->store, c->tree, subject, parts[2]))
		c->found(c, path, "an attestation of %s '%s', which is not recorded",
			 strcmp(subject, "org") == 0 ? "organization" : "user", parts[2]);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "attested_by"), NULL,
			       vault_rules__str(rec, "attested_at"));
	json_decref(rec);
}

/* ---- the attestations in the index (marking.c, audit, the inbox) ------- */

static const char SQL_INS_ATTESTATION[] =
	"INSERT OR REPLACE INTO attestations"
	" (path, subject, name, attestation, covers, expires, attested_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/*
 * attestations/{users,orgs}/NAME/NNNNNN.json: one row, as marking.c reads
 * the record; none for one that does not parse, which counts for nothing
 * in the tree either (verify names the commit).
 */
static int index_attestation(const vault_kind_file *f)
{
	vault_marking_attestation a;
	sqlite3_stmt *st;
	char hex[41];
	int error;

	if (vault_marking__attestation_read(&a, f->data, f->len) < 0)
		return 0;
	if ((error = vault_index__stmt(&st, f->idx, SQL_INS_ATTESTATION)) < 0) {
		vault_marking__attestation_dispose(&a);
		return error;
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2,
			  strncmp(f->path, VAULT_ATTEST_DIR "/users/",
				  strlen(VAULT_ATTEST_DIR "/users/")) == 0 ? "user" : "org",
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a.attestation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a.covers, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a.expires, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a.attested_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, hex, -1, SQLITE_STATIC);
	error = vault_index__step(f->idx, st, "cannot index an attestation");
	vault_marking__attestation_dispose(&a);
	return error;
}

const vault_kind vault_kind_user_attestation = {
	.name = "attestation",
	.shape = VAULT_ATTEST_DIR "/users/NAME/*.json",
	.roles = VAULT_ROLE_ADMIN,
	.act = "record attestations",
	.ops = "attest",
	.index = index_attestation,
	.check = check_attestation,
	.tables = "attestations",
};
const vault_kind vault_kind_org_attestation = {
	.name = "organization attestation",
	.shape = VAULT_ATTEST_DIR "/orgs/ORG/*.json",
	.roles = VAULT_ROLE_ADMIN,
	.act = "record attestations",
	.ops = "attest",
	.index = index_attestation,
	.check = check_attestation,
	.tables = "attestations",
};

/* How many records the folder `dir` of `root` holds (0: none yet). */
static size_t count_in(const git_tree *root, const char *dir)
{
	git_tree_entry *te = NULL;
	git_tree *tree = NULL;
	size_t n = 0;

	if (git_tree_entry_bypath(&te, root, dir) == 0) {
		if (git_tree_lookup(&tree, git_tree_owner(root), git_tree_entry_id(te)) == 0)
			n = git_tree_entrycount(tree);
		git_tree_free(tree);
		git_tree_entry_free(te);
	}
	return n;
}

int vault_attest(vault *v, const char *subject, const char *name, const char *attestation,
		 const char *licence, const char *covers, const char *expires)
{
	vault_buf message = VAULT_BUF_INIT;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE], day[16];
	char *json = NULL;
	int org, error;
	json_t *root;
	size_t len;
	vault_txn t;

	if (!subject || (strcmp(subject, "user") != 0 && strcmp(subject, "org") != 0))
		return vault_error__set(VAULT_EINVALID, "an attestation is of a user or an organization");
	org = strcmp(subject, "org") == 0;
	if ((error = vault_name_check(org ? "organization" : "user name", name)) < 0 ||
	    (error = vault_marking__attestation_check(subject, attestation, licence, covers)) < 0)
		return error;
	if (!expires)
		return vault_error__set(VAULT_EINVALID,
			"an attestation names the last day it holds (--expires YYYY-MM-DD)");
	if ((error = vault_record__date_check("expiry date", expires)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_ADMIN, "record attestations")) < 0)
		goto done;
	vault_marking__today(day, sizeof(day), t.now);
	if (strcmp(expires, day) < 0) {
		error = vault_error__set(VAULT_EINVALID, "expiry date %s is before today, %s",
					 expires, day);
		goto done;
	}
	if (!subject_known(v->store, t.root, subject, name)) {
		error = org ? vault_error__set(VAULT_ENOTFOUND, "no user belongs to organization '%s'",
					       name) :
			      vault_error__set(VAULT_ENOTFOUND, "no user '%s'", name);
		goto done;
	}
	if ((error = vault__fmt(dir, sizeof(dir), "path", VAULT_ATTEST_DIR "/%s/%s",
				org ? "orgs" : "users", name)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/%06zu.json", dir,
				count_in(t.root, dir) + 1)) < 0)
		goto done;
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "attestation",
			 "format", 1, "subject", subject, "name", name, "attestation", attestation,
			 "expires", expires, "attested_by", t.actor.name, "attested_at", when);
	if (root && licence) {
		json_object_set_new(root, "licence", json_string(licence));
		json_object_set_new(root, "covers", json_string(covers));
	}
	if ((error = vault_record__dump(&json, &len, root)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message, "%s attest %s: %s%s%s until %s\n\n"
				     "Qvault-Op: attest\n", subject, name, attestation,
				     licence ? " " : "", licence ? licence : "", expires)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	free(json);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

