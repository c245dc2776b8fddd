/*
 * ncr.c - nonconformance reports (ncrs/<h>/<h>/<NCR>/ncr.json): opened on
 * a lot by quality or a buyer, linked to the lot, its PO and supplier and
 * the documents they cite; closed with a disposition (close.json beside).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "act.h"
#include "common.h"
#include "error.h"
#include "exists.h"
#include "kind.h"
#include "kinds.h"
#include "rules.h"
#include "portal.h"
#include "record.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define TEXT_MAX 4096
#define DOCS_MAX 100

const char *const vault_dispositions[] = {
	"use-as-is", "rework", "repair", "scrap", "return-to-supplier", NULL
};

static int index_error(vault *v)
{
	return vault_error__set(VAULT_ERROR, "index: %s",
				sqlite3_errmsg(vault_index__db(v->index)));
}

static int disposition_check(const char *d)
{
	size_t i;

	for (i = 0; vault_dispositions[i]; i++)
		if (strcmp(d, vault_dispositions[i]) == 0)
			return 0;
	return vault_error__set(VAULT_EINVALID,
		"unknown disposition '%.64s' (use-as-is, rework, repair, scrap, return-to-supplier)", d);
}


static int check_ncr(const vault_ncr *n)
{
	size_t i;
	int error;

	if ((error = vault_name_check("lot", n->lot)) < 0)
		return error;
	if (!n->reason || !*n->reason)
		return vault_error__set(VAULT_EINVALID, "a nonconformance needs a reason");
	if ((error = vault_record__text_check("reason", n->reason, TEXT_MAX)) < 0 ||
	    (n->disposition && (error = disposition_check(n->disposition)) < 0))
		return error;
	if (n->ndocs > DOCS_MAX)
		return vault_error__set(VAULT_EINVALID, "more than %d documents", DOCS_MAX);
	for (i = 0; i < n->ndocs; i++)
		if ((error = vault_name_check("document number", n->docs[i].doc)) < 0 ||
		    (error = vault_name_check("revision", n->docs[i].rev)) < 0)
			return error;
	return 0;
}

/* The lot's PO and supplier, and every cited document recorded. */
static int lookup(char *po, char *supplier, size_t size, vault *v, const vault_ncr *n)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT po, supplier FROM lots WHERE lot = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return index_error(v);
	sqlite3_bind_text(st, 1, n->lot, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (vault__fmt(po, size, "the lot's PO", "%s", sqlite3_column_text(st, 0)) < 0 ||
	     vault__fmt(supplier, size, "the lot's supplier", "%s",
			sqlite3_column_text(st, 1)) < 0)) {
		sqlite3_finalize(st);
		return VAULT_EINVALID;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? vault_error__set(VAULT_ENOTFOUND, "no lot '%s'", n->lot) :
			index_error(v);
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM revisions WHERE doc = ?1 AND rev = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return index_error(v);
	for (i = 0; i < n->ndocs; i++) {
		sqlite3_bind_text(st, 1, n->docs[i].doc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, n->docs[i].rev, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW) {
			sqlite3_finalize(st);
			return vault_error__set(VAULT_ENOTFOUND, "no document '%s@%s'", n->docs[i].doc,
						n->docs[i].rev);
		}
	}
	sqlite3_finalize(st);
	return 0;
}


int vault_ncr_add(vault *v, const vault_ncr *n, char *id, size_t size)
{
	char po[VAULT_NAME_MAX + 1], supplier[VAULT_NAME_MAX + 1], number[32];
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE];
	char *json = NULL;
	vault_buf message = VAULT_BUF_INIT;
	json_t *root, *docs = NULL;
	vault_txn t;
	size_t i, len;
	int error;

	if ((error = check_ncr(n)) < 0 || (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_QUALITY | VAULT_ROLE_BUYER,
				     "open nonconformance reports")) < 0 ||
	    (error = lookup(po, supplier, sizeof(po), v, n)) < 0 ||
	    (error = vault_portal__next_number(number, sizeof(number), v, t.root, "ncrs")) < 0)
		goto done;
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "ncr",
			 "format", 1, "ncr", number, "lot", n->lot, "po", po, "supplier", supplier,
			 "reason", n->reason, "opened_by", t.actor.name, "opened_at", when);
	if (root && n->disposition)
		json_object_set_new(root, "disposition", json_string(n->disposition));
	for (i = 0; root && i < n->ndocs; i++) {
		if (!docs)
			docs = json_array();
		json_array_append_new(docs, json_pack("{s:s, s:s}", "doc", n->docs[i].doc,
						      "rev", n->docs[i].rev));
	}
	if (root && docs)
		json_object_set_new(root, "docs", docs);
	vault_record__dir(dir, sizeof(dir), "ncrs", number);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_NCR_FILE, dir)) < 0 ||
	    (error = vault_record__dump(&json, &len, root)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "ncr add %s on lot %s\n\nQvault-Op: ncr-add\nQvault-NCR: %s\nQvault-Lot: %s\n", number,
		 n->lot, number, n->lot)) < 0 ||
	    /* the number is given back whole, so it is checked before the write */
	    (id && (error = vault__fmt(id, size, "NCR number", "%s", number)) < 0))
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	free(json);
	vault__txn_end(&t, v);
	return error;
}

int vault_ncr_close(vault *v, const char *ncr, const char *disposition, const char *note)
{
	return vault_ncr_close_signed(v, ncr, disposition, note, NULL);
}

int vault_ncr_close_signed(vault *v, const char *ncr, const char *disposition, const char *note,
			   const vault_signing *s)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 16], when[VAULT_TIME_SIZE];
	vault_buf message = VAULT_BUF_INIT;
	json_t *root;
	vault_txn t;
	int error;

	if ((error = vault_name_check("NCR number", ncr)) < 0 ||
	    (error = disposition_check(disposition)) < 0 ||
	    (note && (error = vault_record__text_check("note", note, TEXT_MAX)) < 0) ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_QUALITY | VAULT_ROLE_BUYER,
				     "close nonconformance reports")) < 0 ||
	    (error = vault_act__begin(&t, v, s, "closed_at")) < 0)
		goto done;
	vault_record__dir(dir, sizeof(dir), "ncrs", ncr);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_NCR_FILE, dir)) < 0)
		goto done;
	if (!vault_store__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_ENOTFOUND, "no nonconformance report '%s'", ncr);
		goto done;
	}
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_NCR_CLOSE_FILE, dir)) < 0)
		goto done;
	if (vault_store__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_EEXISTS, "nonconformance report '%s' is closed already", ncr);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "record", "ncr-close", "format", 1,
			 "ncr", ncr, "disposition", disposition, "closed_by", t.actor.name,
			 "closed_at", when);
	if (root && note)
		json_object_set_new(root, "note", json_string(note));
	if ((error = vault_act__put(&t, v, path, root, s, VAULT_NCR_CLOSE_NAMESPACE)) < 0 ||
	    vault_act__statement_only(s) ||
	    (error = vault_buf__addf(&message,
		 "ncr close %s: %s\n\nQvault-Op: ncr-close\nQvault-NCR: %s\n",
		 ncr, disposition, ncr)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

/*
 * The NCRs of `org` (NULL: all), or NCR `ncr` alone if not NULL, into
 * `list`; to a supplier (`own`), only the cited revisions it may see.
 */
static int ncr_rows(json_t *list, vault *v, const char *org, const char *own, const char *ncr)
{
	sqlite3 *db = vault_index__db(v->index);
	sqlite3_stmt *st;
	int rc, error;

	if (sqlite3_prepare_v2(db,
		"SELECT n.ncr, n.lot, n.po, n.supplier, n.reason, n.disposition, n.opened_by,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', n.opened_at, 'unixepoch'), c.disposition, c.closed_by,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', c.closed_at, 'unixepoch'),"
		/* to a supplier (?2), only the cited revisions it may see */
		" (SELECT group_concat(x.doc || '@' || x.rev, ' ') FROM ncr_docs x WHERE x.ncr = n.ncr"
		"  AND (?2 IS NULL OR EXISTS (SELECT 1 FROM revisions r WHERE r.doc = x.doc"
		"  AND r.rev = x.rev AND " VAULT_INDEX_VISIBLE("r", "?2") ")))"
		" FROM ncrs n LEFT JOIN ncr_closes c ON c.ncr = n.ncr"
		" WHERE (?1 IS NULL OR n.supplier = ?1) AND (?3 IS NULL OR n.ncr = ?3)"
		" ORDER BY n.ncr", -1, &st, NULL) != SQLITE_OK)
		return index_error(v);
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, own, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ncr, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		static const char *const cols[] = { "ncr", "lot", "po", "supplier", "reason",
			"disposition", "opened_by", "opened_at", "closed_disposition", "closed_by",
			"closed_at", "docs" };
		json_t *o = json_object();
		size_t c;

		for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			if (sqlite3_column_type(st, (int)c) != SQLITE_NULL)
				json_object_set_new(o, cols[c],
					json_string((const char *)sqlite3_column_text(st, (int)c)));
		json_object_set_new(o, "state", json_string(json_object_get(o, "closed_at") ?
							    "closed" : "open"));
		json_array_append_new(list, o);
	}
	error = rc == SQLITE_DONE ? 0 : index_error(v);
	sqlite3_finalize(st);
	return error;
}

int vault_ncr_list(char **out, vault *v, const char *org)
{
	json_t *list = json_array();
	char *own = NULL;
	int error;

	*out = NULL;
	if ((org && (error = vault_plain_name_check("organization", org)) < 0) ||
	    (error = vault__viewer(&own, v)) < 0)
		goto done;
	if (own && org && strcmp(own, org) != 0) {
		error = vault_error__set(VAULT_EDENIED, "a supplier sees only its own organization's NCRs");
		goto done;
	}
	if (own)
		org = own;
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		goto done;
	if ((error = ncr_rows(list, v, org, own, NULL)) == 0 &&
	    (*out = json_dumps(list, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write the list");
done:
	json_decref(list);
	free(own);
	return error;
}

int vault_ncr_show(char **out, vault *v, const char *ncr)
{
	json_t *list = json_array();
	char *own = NULL;
	int error;

	*out = NULL;
	/* another organization's NCR is, to a supplier, none: the same answer */
	if ((error = vault_name_check("NCR number", ncr)) < 0 ||
	    (error = vault__viewer(&own, v)) < 0 ||
	    (error = ncr_rows(list, v, own, own, ncr)) < 0)
		goto done;
	if (json_array_size(list) == 0)
		error = vault_error__set(VAULT_ENOTFOUND, "no NCR '%s'", ncr);
	else if ((*out = json_dumps(json_array_get(list, 0), JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write the NCR");
done:
	json_decref(list);
	free(own);
	return error;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS_NCR[] =
	"INSERT INTO ncrs (ncr, lot, po, supplier, reason, disposition, opened_by, opened_at,"
	" commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_INS_DOC[] = "INSERT OR IGNORE INTO ncr_docs (ncr, doc, rev) VALUES (?1, ?2, ?3)";
static const char SQL_INS_CLOSE[] =
	"INSERT INTO ncr_closes (ncr, disposition, note, closed_by, closed_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQL_NCR_ONCE[] = "SELECT commit_id FROM ncrs WHERE ncr = ?1";
static const char SQL_CLOSE_ONCE[] = "SELECT commit_id FROM ncr_closes WHERE ncr = ?1";

/* A report, and its closure, are each recorded once. */
static int once(vault_index *idx, const git_oid *commit, const char *path, const char *ncr,
		int close)
{
	const char *keys[] = { ncr };
	char what[VAULT_NAME_MAX + 64];

	vault__fmt_message(what, sizeof(what), "%snonconformance report '%s'",
			   close ? "the closure of " : "", ncr);
	return vault_index__once(idx, commit, path, close ? SQL_CLOSE_ONCE : SQL_NCR_ONCE, keys, 1,
				 what);
}

static int run(vault_index *idx, sqlite3_stmt *st, const char *path)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s",
		path, sqlite3_errmsg(vault_index__db(idx)));
}

static int index_ncr_record(vault_index *idx, const char *data, size_t len, const char *path,
		     const git_oid *commit)
{
	sqlite3_stmt *st, *ds;
	const char *kind, *ncr, *lot, *po, *supplier, *reason, *by, *at, *disp = NULL;
	json_t *root, *docs = NULL, *d;
	char hex[41];
	size_t i;
	int error = 0;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s?:s, s?:o}",
				 "record", &kind, "ncr", &ncr, "lot", &lot, "po", &po,
				 "supplier", &supplier, "reason", &reason, "opened_by", &by,
				 "opened_at", &at, "disposition", &disp, "docs", &docs) < 0 ||
	    strcmp(kind, "ncr") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the nonconformance report is malformed", path);
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	if ((error = once(idx, commit, path, ncr, 0)) < 0)
		goto done;
	if (vault_index__stmt(&st, idx, SQL_INS_NCR) < 0 || vault_index__stmt(&ds, idx, SQL_INS_DOC) < 0) {
		error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(idx)));
		goto done;
	}
	sqlite3_bind_text(st, 1, ncr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, po, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, supplier, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, disp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, vault_portal__time(at));
	sqlite3_bind_text(st, 9, hex, -1, SQLITE_STATIC);
	if ((error = run(idx, st, path)) < 0)
		goto done;
	json_array_foreach(docs, i, d) {
		const char *doc = json_string_value(json_object_get(d, "doc"));
		const char *rev = json_string_value(json_object_get(d, "rev"));

		if (!doc || !rev) {
			error = vault_error__set(VAULT_EVERIFY, "%s: document %zu is malformed", path, i + 1);
			break;
		}
		sqlite3_bind_text(ds, 1, ncr, -1, SQLITE_STATIC);
		sqlite3_bind_text(ds, 2, doc, -1, SQLITE_STATIC);
		sqlite3_bind_text(ds, 3, rev, -1, SQLITE_STATIC);
		if ((error = run(idx, ds, path)) < 0)
			break;
	}
done:
	json_decref(root);
	return error;
}

static int index_close_record(vault_index *idx, const char *data, size_t len, const char *path,
			   const git_oid *commit)
{
	sqlite3_stmt *st;
	const char *kind, *ncr, *disp, *by, *at, *note = NULL;
	json_t *root;
	char hex[41];
	int error;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:s, s:s, s:s, s:s, s?:s}", "record", &kind,
				 "ncr", &ncr, "disposition", &disp, "closed_by", &by,
				 "closed_at", &at, "note", &note) < 0 ||
	    strcmp(kind, "ncr-close") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the closing of an NCR is malformed", path);
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	if ((error = once(idx, commit, path, ncr, 1)) < 0) {
		json_decref(root);
		return error;
	}
	if (vault_index__stmt(&st, idx, SQL_INS_CLOSE) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(vault_index__db(idx)));
	}
	sqlite3_bind_text(st, 1, ncr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, disp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, vault_portal__time(at));
	sqlite3_bind_text(st, 6, hex, -1, SQLITE_STATIC);
	error = run(idx, st, path);
	json_decref(root);
	return error;
}

static int known_disposition(const char *d)
{
	size_t i;

	for (i = 0; vault_dispositions[i]; i++)
		if (strcmp(d, vault_dispositions[i]) == 0)
			return 1;
	return 0;
}

/* ncrs/<h>/<h>/<NCR>/ncr.json and close.json: quality or a buyer. */
static void check_ncr_file(const vault_change_ctx *c, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *before = NULL;
	size_t n = vault_rules__split(parts, 5, path);
	int closing;

	if (n != 5 || !vault_rules__fanned(path, "ncrs", parts[3]) ||
	    (strcmp(parts[4], VAULT_NCR_FILE) != 0 && strcmp(parts[4], VAULT_NCR_CLOSE_FILE) != 0)) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	closing = strcmp(parts[4], VAULT_NCR_CLOSE_FILE) == 0;
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), closing ? "ncr-close" : "ncr") != 0 ||
	    strcmp(vault_rules__str(rec, "ncr"), parts[3]) != 0) {
		c->found(c, path, "the nonconformance record is malformed or stored where another belongs");
		goto done;
	}
	vault_rules__signed_as(c, path, vault_rules__str(rec, closing ? "closed_by" : "opened_by"), NULL,
		  vault_rules__str(rec, closing ? "closed_at" : "opened_at"));
	before = closing ? vault_rules__keyed(c, c->before, "ncrs", parts[3], VAULT_NCR_FILE) :
		vault_rules__keyed(c, c->before, "lots", vault_rules__str(rec, "lot"), "lot.json");
	if (!before)
		c->found(c, path, closing ? "nonconformance report '%s' was not opened before it" :
		      "the nonconformance report's lot '%s' was not recorded before it",
		      closing ? parts[3] : vault_rules__str(rec, "lot"));
	else if (!closing && (strcmp(vault_rules__str(rec, "supplier"),
				     vault_rules__str(before, "supplier")) != 0 ||
			      (json_object_get(rec, "po") && strcmp(vault_rules__str(rec, "po"),
							vault_rules__str(before, "po")) != 0)))
		c->found(c, path, "the report names supplier '%s', its lot '%s' is '%s''s",
		      vault_rules__str(rec, "supplier"), vault_rules__str(rec, "lot"),
		      vault_rules__str(before, "supplier"));
	if (json_is_string(json_object_get(rec, "disposition")) &&
	    !known_disposition(vault_rules__str(rec, "disposition")))
		c->found(c, path, "the report gives an unknown disposition '%s'",
		      vault_rules__str(rec, "disposition"));
done:
	json_decref(rec);
	json_decref(before);
}

static int index_ncr(const vault_kind_file *f)
{
	return index_ncr_record(f->idx, f->data, f->len, f->path, f->commit);
}

static int index_close(const vault_kind_file *f)
{
	return index_close_record(f->idx, f->data, f->len, f->path, f->commit);
}

const vault_kind vault_kind_ncr = {
	.name = "nonconformance report",
	.shape = "ncrs/HH/HH/NCR/" VAULT_NCR_FILE,
	.roles = VAULT_ROLE_QUALITY | VAULT_ROLE_BUYER,
	.act = "open nonconformance reports",
	.ops = "ncr-add",
	.made_by = "ncr-add",
	.index = index_ncr,
	.check = check_ncr_file,
	.tables = "ncrs ncr_docs",
};
/* .../NCR/close.json.sig: the one closing it signs the close itself */
static void check_close_signature(const vault_change_ctx *c, const char *path)
{
	vault_act__check_signature(c, path, VAULT_NCR_CLOSE_NAMESPACE, "closed_by");
}

const vault_kind vault_kind_ncr_close_signature = {
	.name = "NCR close signature",
	.shape = "ncrs/HH/HH/NCR/" VAULT_NCR_CLOSE_FILE ".sig",
	.roles = VAULT_ROLE_QUALITY | VAULT_ROLE_BUYER,
	.act = "close nonconformance reports",
	.ops = "ncr-close",
	.check = check_close_signature,
};
const vault_kind vault_kind_ncr_close = {
	.name = "closure",
	.shape = "ncrs/HH/HH/NCR/" VAULT_NCR_CLOSE_FILE,
	.roles = VAULT_ROLE_QUALITY | VAULT_ROLE_BUYER,
	.act = "close nonconformance reports",
	.ops = "ncr-close",
	.made_by = "ncr-close",
	.index = index_close,
	.check = check_ncr_file,
	.tables = "ncr_closes",
};
