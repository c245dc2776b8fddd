/*
 * subtier.c - sub-tier lots: what a supplier bought or received from its
 * own suppliers (a mill heat, a purchased component), recorded without a
 * buyer's PO at subtier/<ORG>/<h>/<h>/<LOT>/lot.json.  A sub-tier lot's
 * name is its organization's: two suppliers may each record H-2291, and
 * neither learns of the other's.  Only a supplier records one, for its
 * own organization; its PO lots draw from it (lot.c, "subtier": true in
 * an input), never beyond what it holds (the ledger, and the index on
 * the write path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "kind.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "subtier.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define QTY_MAX 1000000000ULL
#define SOURCE_MAX 200

int vault_subtier__path(char *buf, size_t size, const char *org, const char *lot)
{
	char top[VAULT_PATH_MAX], dir[VAULT_PATH_MAX];

	if (vault__fmt(top, sizeof(top), "folder", VAULT_SUBTIER_TOP "/%s", org) < 0 ||
	    vault_record__dir(dir, sizeof(dir), top, lot) < 0 ||
	    vault__fmt(buf, size, "path", "%s/" VAULT_SUBTIER_FILE, dir) < 0) {
		buf[0] = '\0';
		return VAULT_EINVALID;
	}
	return 0;
}

static int check_fields(const vault_subtier_lot *s)
{
	int error;

	if ((error = vault_name_check("lot", s->lot)) < 0 ||
	    (error = vault_name_check("part number", s->part)) < 0 ||
	    (s->cert && ((error = vault_name_check("document number", s->cert->doc)) < 0 ||
			 (error = vault_name_check("revision", s->cert->rev)) < 0)))
		return error;
	if (s->qty == 0 || s->qty > QTY_MAX)
		return vault_error__set(VAULT_EINVALID,
			"quantity must be a whole number from 1 to %llu", QTY_MAX);
	if (!s->source || !*s->source)
		return vault_error__set(VAULT_EINVALID,
			"a sub-tier lot needs its source: who it was bought from");
	return vault_record__text_check("source", s->source, SOURCE_MAX);
}

/* Whether the actor's organization holds a PO lot named `lot` (the index). */
static int own_po_lot(vault *v, const char *lot, const char *org)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	int yes;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM lots WHERE lot = ?1 AND supplier = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int vault_lot_add_subtier(vault *v, const vault_subtier_lot *s)
{
	char path[VAULT_PATH_MAX], when[VAULT_TIME_SIZE];
	vault_buf message = VAULT_BUF_INIT;
	vault_revision r;
	vault_txn t;
	json_t *root;
	char *json = NULL;
	size_t len;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = check_fields(s)) < 0 || (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_SUPPLIER,
				     "record sub-tier lots")) < 0 ||
	    (error = vault_subtier__path(path, sizeof(path), t.actor.org, s->lot)) < 0)
		goto done;
	/* its own organization's names only: another's lot of that name is not its business */
	if (vault_rules__has(v->store, t.root, path) || (error = own_po_lot(v, s->lot, t.actor.org)) > 0) {
		error = vault_error__set(VAULT_EEXISTS, "lot '%s' already exists", s->lot);
		goto done;
	}
	if (error < 0)
		goto done;
	/* its certificate: a revision the actor may see, as if absent otherwise */
	if (s->cert && vault__revision(&r, v, s->cert->doc, s->cert->rev) < 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "no document '%s@%s' to attach to lot '%s'",
					 s->cert->doc, s->cert->rev, s->lot);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "record", "subtier-lot",
			 "format", 1, "lot", s->lot, "org", t.actor.org, "part", s->part,
			 "qty", (json_int_t)s->qty, "source", s->source,
			 "created_by", t.actor.name, "created_at", when);
	if (root && s->cert)
		json_object_set_new(root, "cert", json_pack("{s:s, s:s}", "doc", s->cert->doc,
							    "rev", s->cert->rev));
	if ((error = vault_record__dump(&json, &len, root)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message,
				     "lot add %s (sub-tier, %s)\n\nQvault-Op: lot-subtier\nQvault-Lot: %s\n",
				     s->lot, t.actor.org, s->lot)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	free(json);
	vault_revision_dispose(&r);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS[] =
	"INSERT OR IGNORE INTO subtier_lots (org, lot, part, qty, source, cert_doc, cert_rev,"
	" created_by, created_at, commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

static int index_subtier(const vault_kind_file *f)
{
	sqlite3 *db = vault_index__db(f->idx);
	const char *org, *lot, *part, *source, *by, *at, *doc = NULL, *rev = NULL;
	json_t *root, *cert = NULL;
	json_int_t qty;
	json_error_t jerr;
	sqlite3_stmt *st;
	char hex[41];
	int error = 0;

	root = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s?:o}", "org", &org,
				 "lot", &lot, "part", &part, "qty", &qty, "source", &source,
				 "created_by", &by, "created_at", &at, "cert", &cert) < 0 ||
	    strcmp(vault_rules__str(root, "record"), "subtier-lot") != 0 ||
	    (cert && json_unpack(cert, "{s:s, s:s}", "doc", &doc, "rev", &rev) < 0)) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the sub-tier lot is malformed", f->path);
	}
	/* a record at another's path is not that lot (verify reports it) */
	if (strcmp(f->m->key, lot) != 0) {
		json_decref(root);
		return 0;
	}
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if (vault_index__stmt(&st, f->idx, SQL_INS) < 0) {
		json_decref(root);
		return -1;
	}
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, part, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, qty);
	sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, vault_portal__time(at));
	sqlite3_bind_text(st, 10, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s", f->path,
					 sqlite3_errmsg(db));
	json_decref(root);
	return error;
}

/* ---- the check ------------------------------------------------------------ */

/*
 * subtier/<ORG>/<h>/<h>/<LOT>/lot.json: stored in its organization's
 * scope under its own name, recorded by a supplier of that organization
 * (a peer site's or a forged commit putting one organization's lot in
 * another's scope is found here), its fields well formed, its
 * certificate a recorded revision.  What is drawn from it is the
 * ledger's.
 */
static void check_subtier(const vault_change_ctx *c, const char *path)
{
	char parts[8][VAULT_NAME_MAX + 1], want[VAULT_PATH_MAX], dir[VAULT_PATH_MAX];
	char rec_path[VAULT_PATH_MAX * 2];
	const char *org, *lot, *doc, *rev;
	json_t *rec, *cert;
	json_int_t qty;
	size_t np;

	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "subtier-lot") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    json_unpack(rec, "{s:s, s:s, s:I}", "org", &org, "lot", &lot, "qty", &qty) < 0 ||
	    vault_plain_name_check("organization", org) < 0 || vault_name_check("lot", lot) < 0 ||
	    vault_name_check("part number", vault_rules__str(rec, "part")) < 0 ||
	    qty < 1 || (uint64_t)qty > QTY_MAX || !*vault_rules__str(rec, "source") ||
	    vault_record__text_check("source", vault_rules__str(rec, "source"), SOURCE_MAX) < 0 ||
	    json_object_size(rec) != 9U + (json_object_get(rec, "cert") != NULL)) {
		c->found(c, path, "the sub-tier lot is malformed");
		goto done;
	}
	if ((np = vault_rules__split(parts, 6, path)) != 6 || strcmp(parts[1], org) != 0)
		c->found(c, path, "the sub-tier lot of '%s' is stored in the scope of '%s'", org,
			 np == 6 ? parts[1] : "?");
	if (vault_subtier__path(want, sizeof(want), org, lot) < 0 || strcmp(want, path) != 0)
		c->found(c, path, "the record of sub-tier lot '%s' is stored where another belongs",
			 lot);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "created_by"), org,
			       vault_rules__str(rec, "created_at"));
	if ((cert = json_object_get(rec, "cert")) != NULL) {
		if (json_unpack(cert, "{s:s, s:s}", "doc", &doc, "rev", &rev) < 0 ||
		    json_object_size(cert) != 2 || vault_name_check("document number", doc) < 0 ||
		    vault_name_check("revision", rev) < 0)
			c->found(c, path, "the sub-tier lot names a malformed certificate");
		else if (vault_record__doc_dir(dir, sizeof(dir), doc) < 0 ||
			 vault_record__rev_file(rec_path, sizeof(rec_path), dir, rev, VAULT_RECORD_FILE) < 0 ||
			 !vault_rules__has(c->store, c->tree, rec_path))
			c->found(c, path, "the sub-tier lot names certificate '%s@%s', which is not"
				 " recorded", doc, rev);
	}
done:
	json_decref(rec);
}

const vault_kind vault_kind_subtier = {
	.name = "sub-tier lot",
	.shape = VAULT_SUBTIER_TOP "/ORG/HH/HH/LOT/" VAULT_SUBTIER_FILE,
	.roles = VAULT_ROLE_SUPPLIER,
	.act = "record sub-tier lots",
	.ops = "lot-subtier",
	.made_by = "lot-subtier",
	.index = index_subtier,
	.check = check_subtier,
	.tables = "subtier_lots",
};
