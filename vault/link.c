/*
 * link.c - documents attached to POs, lots and parts
 * (docs/.../links/KIND-TARGET.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "kind.h"
#include "kinds.h"
#include "link.h"
#include "po.h"
#include "record.h"
#include "rules.h"
#include "txn.h"
#include "user.h"
#include "util.h"

static const char *const kinds[] = { "po", "lot", "part" };

/* The organization a PO or lot belongs to, or NULL when there is none. */
static char *owner_of(vault *v, vault_link_kind kind, const char *target)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	char *org = NULL;

	if (kind == VAULT_LINK_PART)
		return NULL;
	if (sqlite3_prepare_v2(db, kind == VAULT_LINK_PO ?
			       "SELECT supplier FROM pos WHERE po = ?1" :
			       "SELECT supplier FROM lots WHERE lot = ?1", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		org = vault__strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return org;
}

/* Whether the index has DOC@REV attached to the target (by a lot record, say). */
static int linked(vault *v, const char *doc, const char *rev, vault_link_kind kind,
		  const char *target)
{
	static const char sql[] =
		"SELECT 1 FROM links WHERE kind = ?1 AND target = ?2 AND doc = ?3 AND rev = ?4";
	sqlite3_stmt *st;

	if (vault_index__stmt(&st, v->index, sql) < 0)
		return 0;
	sqlite3_bind_text(st, 1, kinds[kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rev, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW;
}

int vault_link__put(vault_txn *t, vault *v, const char *doc, const char *rev,
		    vault_link_kind kind, const char *target)
{
	git_tree_entry *te;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], when[VAULT_TIME_SIZE];
	char *owner = NULL, *json = NULL;
	vault_enc er, et;
	size_t len;
	int exists, error;

	if ((error = vault_name_check(kinds[kind], target)) < 0)
		return error;
	if (kind != VAULT_LINK_PART && (owner = owner_of(v, kind, target)) != NULL &&
	    vault_user__scope(&t->actor) && strcmp(owner, vault_user__scope(&t->actor)) != 0) {
		/* another organization's PO or lot is, to a supplier, none */
		free(owner);
		owner = NULL;
	}
	if (kind != VAULT_LINK_PART && !owner)
		return vault_error__set(VAULT_ENOTFOUND, "no %s '%s'",
					kind == VAULT_LINK_PO ? "PO" : "lot", target);
	if (!(t->actor.roles & (VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY)) &&
	    (!(t->actor.roles & VAULT_ROLE_SUPPLIER) || kind == VAULT_LINK_PART ||
	     strcmp(owner, t->actor.org) != 0)) {
		free(owner);
		return vault_error__set(VAULT_EDENIED, "user '%s' may not attach documents to %s '%s'",
					t->actor.name, kinds[kind], target);
	}
	free(owner);
	if ((error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/%s/" VAULT_LINKS_DIR "/%s-%s.json",
				dir, vault_record__enc(&er, rev), kinds[kind],
				vault_record__enc(&et, target))) < 0)
		return error;
	if ((exists = git_tree_entry_bypath(&te, t->root, path) == 0))
		git_tree_entry_free(te);
	if (exists || linked(v, doc, rev, kind, target))
		return vault_error__set(VAULT_EEXISTS, "'%s@%s' is already attached to %s '%s'",
					doc, rev, kinds[kind], target);
	vault_time_format(when, sizeof(when), t->now);
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "link", "format", 1,
		"doc", doc, "rev", rev, "kind", kinds[kind], "target", target,
		"linked_by", t->actor.name, "linked_at", when))) < 0)
		return error;
	error = vault__txn_put_data(t, v, path, json, len);
	free(json);
	return error;
}

int vault_link(vault *v, const char *doc, const char *rev, vault_link_kind kind,
	       const char *target)
{
	vault_revision r;
	vault_txn t;
	vault_buf message = VAULT_BUF_INIT;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault_name_check("revision", rev)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	/* the revision as the actor sees the vault: a supplier, what was released to it */
	if ((error = vault__revision(&r, v, doc, rev)) < 0 ||
	    (error = vault_link__put(&t, v, doc, rev, kind, target)) < 0)
		goto done;
	if ((error = vault_buf__addf(&message,
		 "link %s@%s to %s %s\n\nQvault-Op: link\nQvault-Doc: %s\nQvault-Rev: %s\n",
		 doc, rev, kinds[kind], target, doc, rev)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault_revision_dispose(&r);
	vault__txn_end(&t, v);
	return error;
}

/*
 * An added docs/.../<DOC>/<REV>/links/<kind>-<target>.json: the record
 * names the path it sits at, the signer as linked_by and the commit's
 * time; the revision is recorded (before or by this commit); the PO or
 * lot was recorded before; a supplier (without buyer or quality) links
 * only to its own organization's PO or lot, never to a part.
 */
static void check_link_record(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1], want[VAULT_PATH_MAX * 3];
	char dir[VAULT_PATH_MAX], revdir[VAULT_PATH_MAX * 2], when[VAULT_TIME_SIZE];
	const char *rest, *kind, *target, *by, *at, *rdoc, *rrev;
	vault_enc er, et;
	json_t *rec = NULL, *owner = NULL;
	char marking[32];
	size_t k;
	int seen;

	vault_rules__require(c, path, VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY | VAULT_ROLE_SUPPLIER,
			     "attach documents");
	if (vault_rules__doc_path(doc, rev, &rest, path) < 0 ||
	    (rec = vault_rules__json_at(c, c->tree, path)) == NULL ||
	    strcmp(vault_rules__str(rec, "record"), "link") != 0 ||
	    json_unpack(rec, "{s:s, s:s, s:s, s:s, s:s, s:s}", "doc", &rdoc, "rev", &rrev,
			"kind", &kind, "target", &target, "linked_by", &by, "linked_at", &at) < 0) {
		c->found(c, path, "the link is malformed");
		goto done;
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k], kind) != 0; k++)
		;
	if (vault_name_check("document number", rdoc) < 0 || vault_name_check("revision", rrev) < 0) {
		c->found(c, path, "the link names a malformed document");
		goto done;
	}
	if (k == sizeof(kinds) / sizeof(kinds[0]) || vault_name_check("link target", target) < 0) {
		c->found(c, path, "the link names kind '%.32s' and target '%.64s', not a PO, lot or part",
			 kind, target);
		goto done;
	}
	/* names of at most VAULT_NAME_MAX bytes: these fit */
	if (vault_record__doc_dir(dir, sizeof(dir), rdoc) < 0 ||
	    vault__fmt(want, sizeof(want), "path", "%s/%s/" VAULT_LINKS_DIR "/%s-%s.json", dir,
		       vault_record__enc(&er, rrev), kind, vault_record__enc(&et, target)) < 0 ||
	    vault__fmt(revdir, sizeof(revdir), "path", "%s/%s", dir, er.s) < 0) {
		c->found(c, path, "%s", vault_error_message());
		goto done;
	}
	if (strcmp(want, path) != 0)
		c->found(c, path, "the link of '%s@%s' to %s '%s' is stored where another belongs",
			 rdoc, rrev, kind, target);
	if (vault__fmt(want, sizeof(want), "path", "%s/" VAULT_RECORD_FILE, revdir) < 0 ||
	    !vault_rules__has(c->store, c->tree, want))
		c->found(c, path, "the linked revision '%s@%s' has no record", rdoc, rrev);
	/* a supplier attaches what it may see */
	else if (vault_rules__lacks(c, VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY) &&
		 (seen = vault_rules__visible(marking, c, revdir, c->who)) != 1)
		c->found(c, path, seen ? "user '%s' of '%s' attaches '%s@%s', marked %s, without an "
			 "attestation covering it" : "user '%s' of '%s' attaches '%s@%s', neither its "
			 "organization's nor released to it%s", c->who->name, c->who->org, rdoc, rrev,
			 seen ? marking : "");
	if (c->who && strcmp(by, c->who->name) != 0)
		c->found(c, path, "the link names '%s' as its author, but '%s' signed the commit", by,
			 c->who->name);
	vault_time_format(when, sizeof(when), c->time);
	if (strcmp(at, when) != 0)
		c->found(c, path, "the link is dated %.32s, its commit %s", at, when);
	if (k != VAULT_LINK_PART) {
		owner = vault_rules__keyed(c, c->before, k == VAULT_LINK_PO ? "pos" : "lots", target,
					   k == VAULT_LINK_PO ? VAULT_PO_FILE : "lot.json");
		if (!owner) {
			c->found(c, path, "the link's %s '%s' was not recorded before it",
				 k == VAULT_LINK_PO ? "PO" : "lot", target);
			goto done;
		}
	}
	if (c->who && !(c->who->roles & (VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY)) &&
	    (k == VAULT_LINK_PART || strcmp(vault_rules__str(owner, "supplier"), c->who->org) != 0))
		c->found(c, path, "user '%s' of '%s' may not attach documents to %s '%s'",
			 c->who->name, c->who->org, kind, target);
done:
	json_decref(owner);
	json_decref(rec);
}

/* docs/.../<DOC>/<REV>/links/<KIND>-<TARGET>.json: beside its revision's record. */
static void check_link(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__revision_of(c, path, doc, rev, &rest) < 0)
		return;
	vault_rules__beside_a_record(c, path, rest, c->tree);
	check_link_record(c, path);
}

static const char SQL_LINK[] =
	"INSERT OR IGNORE INTO links (doc, rev, kind, target, linked_by, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int index_link(const vault_kind_file *f)
{
	const char *kind, *target, *by;
	sqlite3_stmt *st;
	json_t *root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL);
	char hex[41];
	int error;

	if (!root || json_unpack(root, "{s:s, s:s, s:s}", "kind", &kind, "target", &target,
				 "linked_by", &by) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s is malformed", f->path);
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if ((error = vault_index__stmt(&st, f->idx, SQL_LINK)) == 0) {
		sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->m->rev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, target, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, hex, -1, SQLITE_STATIC);
		error = vault_index__step(f->idx, st, "cannot record a link");
	}
	json_decref(root);
	return error;
}

const vault_kind vault_kind_link = {
	.name = "link",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_LINKS_DIR "/*.json",
	.ops = "add import link fai-add",
	.made_by = "link",
	.index = index_link,
	.check = check_link,
	.tables = "links",
};
