/*
 * cert.c - EN 10204 inspection document data of a material certificate:
 * docs/<h>/<h>/<DOC>/<REV>/cert.json beside the revision's record, and
 * the certs table of the index, where a certificate's heat number meets
 * the lots of that heat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cert.h"
#include "common.h"
#include "error.h"
#include "index.h"
#include "kind.h"
#include "kinds.h"
#include "record.h"
#include "rules.h"
#include "util.h"
#include "vault.h"

#define TEXT_MAX 1024

/*
 * EN 10204:2004 types, and the 1991 edition's names: 3.1.B became 3.1;
 * 3.1.A, 3.1.C and 3.2 became 3.2.  2.3 was withdrawn without a successor,
 * so it is not accepted.
 */
static const struct {
	const char *given, *type;
} types[] = {
	{ "2.1", "2.1" }, { "2.2", "2.2" }, { "3.1", "3.1" }, { "3.2", "3.2" },
	{ "3.1B", "3.1" }, { "3.1.B", "3.1" }, { "3.1A", "3.2" }, { "3.1.A", "3.2" },
	{ "3.1C", "3.2" }, { "3.1.C", "3.2" },
};

static int text(const char *field, const char *value)
{
	char what[96];
	int error;

	if (!value)
		return 0;
	if ((error = vault__fmt(what, sizeof(what), "field name", "certificate data: '%s'",
				field)) < 0)
		return error;
	return vault_record__text_check(what, value, TEXT_MAX);
}

/* chemical or mechanical results: name -> number or text */
static int results(const char *field, json_t *o)
{
	const char *key;
	json_t *val;
	int error;

	if (!o)
		return 0;
	if (!json_is_object(o))
		return vault_error__set(VAULT_EINVALID, "certificate data: '%s' is not an object of results",
					field);
	json_object_foreach(o, key, val) {
		if ((error = text(field, key)) < 0)
			return error;
		if (json_is_string(val) ? (error = text(field, json_string_value(val))) < 0 :
		    !json_is_number(val))
			return error < 0 ? error : vault_error__set(VAULT_EINVALID,
				"certificate data: '%s.%s' is not a number or text", field, key);
	}
	return 0;
}

/*
 * Every field a material certificate must have, named together in one
 * message when any is missing (the heat number alone in its own words:
 * it ties the certificate to the heat lot).
 */
static int required_present(const json_t *in)
{
	static const char *const required[] = { "certificate_type", "certificate_number",
		"manufacturer", "product", "grade", "heat_number", "issue_date", NULL };
	vault_buf missing = VAULT_BUF_INIT;
	size_t i, n = 0;
	int error = 0;

	const char *type = json_string_value(json_object_get(in, "certificate_type"));

	for (i = 0; required[i]; i++)
		if (!json_object_get(in, required[i]) &&
		    vault_buf__addf(&missing, "%s'%s'", n++ ? ", " : "", required[i]) < 0)
			abort();
	/* a type 3 certificate's inspector, with the others (alone: its own message, later) */
	if (n && type && type[0] == '3' && !json_object_get(in, "inspector") &&
	    vault_buf__addf(&missing, ", 'inspector'") < 0)
		abort();
	if (n == 1 && !json_object_get(in, "heat_number"))
		error = vault_error__set(VAULT_EINVALID,
			"a material certificate needs its heat number ('heat_number')");
	else if (n)
		error = vault_error__set(VAULT_EINVALID, "a material certificate needs %s",
					 missing.data);
	vault_buf__dispose(&missing);
	return error;
}

int vault_cert__record(char **out, size_t *len, const char *meta, const char *doc,
		       const char *rev)
{
	const char *given, *number, *maker, *product, *grade, *heat, *qty = NULL, *date;
	const char *inspector = NULL, *type = NULL;
	json_t *in, *chem = NULL, *mech = NULL, *root;
	json_error_t jerr;
	size_t i;
	int error;

	*out = NULL;
	if ((in = json_loads(meta, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return vault_error__set(VAULT_EINVALID, "certificate data: line %d: %s", jerr.line,
					jerr.text);
	if (json_is_object(in) && (error = required_present(in)) < 0) {
		json_decref(in);
		return error;
	}
	if (json_unpack_ex(in, &jerr, JSON_STRICT,
			   "{s:s, s:s, s:s, s:s, s:s, s:s, s?:s, s:s, s?:s, s?:o, s?:o}",
			   "certificate_type", &given, "certificate_number", &number,
			   "manufacturer", &maker, "product", &product, "grade", &grade,
			   "heat_number", &heat, "quantity", &qty, "issue_date", &date,
			   "inspector", &inspector, "chemical", &chem, "mechanical", &mech) < 0) {
		error = vault_error__set(VAULT_EINVALID, "certificate data: %s", jerr.text);
		goto done;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]) && !type; i++)
		if (strcmp(types[i].given, given) == 0)
			type = types[i].type;
	if (!type) {
		error = vault_error__set(VAULT_EINVALID,
			"certificate type '%.16s' is not one of EN 10204's 2.1, 2.2, 3.1, 3.2 (or 3.1B, 3.1A, 3.1C)",
			given);
		goto done;
	}
	if ((error = vault_name_check("heat number", heat)) < 0 ||
	    (error = text("certificate_number", number)) < 0 ||
	    (error = text("manufacturer", maker)) < 0 || (error = text("product", product)) < 0 ||
	    (error = text("grade", grade)) < 0 || (error = text("quantity", qty)) < 0 ||
	    (error = text("inspector", inspector)) < 0 ||
	    (error = vault_record__date_check("issue date", date)) < 0 ||
	    (error = results("chemical", chem)) < 0 || (error = results("mechanical", mech)) < 0)
		goto done;
	if (type[0] == '3' && (!inspector || !*inspector)) {
		error = vault_error__set(VAULT_EINVALID,
			"a type %s certificate needs the validating inspector ('inspector')", type);
		goto done;
	}
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "record", "material-cert", "format", 1, "doc", doc, "rev", rev,
			 "certificate_type", type, "certificate_number", number,
			 "manufacturer", maker, "product", product, "grade", grade,
			 "heat_number", heat, "issue_date", date);
	if (strcmp(type, given) != 0)
		json_object_set_new(root, "type_as_issued", json_string(given));
	if (qty)
		json_object_set_new(root, "quantity", json_string(qty));
	if (inspector)
		json_object_set_new(root, "inspector", json_string(inspector));
	if (chem)
		json_object_set(root, "chemical", chem);
	if (mech)
		json_object_set(root, "mechanical", mech);
	error = vault_record__dump(out, len, root);
done:
	json_decref(in);
	return error;
}

/* The data `stored` (a cert.json) was made from, as `vault_cert__record` takes it. */
static char *given_data(json_t *stored)
{
	json_t *in = json_deep_copy(stored), *as_issued;
	char *text;

	json_object_del(in, "record");
	json_object_del(in, "format");
	json_object_del(in, "doc");
	json_object_del(in, "rev");
	if ((as_issued = json_object_get(in, "type_as_issued")) != NULL) {
		json_object_set(in, "certificate_type", as_issued);
		json_object_del(in, "type_as_issued");
	}
	text = json_dumps(in, JSON_COMPACT);
	json_decref(in);
	return text;
}

/*
 * An added docs/.../<DOC>/<REV>/cert.json: it comes with its revision, a
 * material certificate recorded by the same commit for the signer's
 * organization, and it is what `vault_cert__record` makes of its data
 * (fields valid, type normalised, byte for byte).
 */
static void check_cert_data(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1], recpath[VAULT_PATH_MAX * 2];
	char *data = NULL, *rec = NULL, *meta = NULL, *want = NULL;
	const char *rest;
	size_t len, rlen, wlen;
	json_t *stored = NULL;
	vault_revision r;

	memset(&r, 0, sizeof(r));
	if (vault_rules__doc_path(doc, rev, &rest, path) < 0) {
		c->found(c, path, "the certificate data is stored outside a revision");
		return;
	}
	if (vault__fmt(recpath, sizeof(recpath), "path", "%.*s" "record.json", (int)(rest - path),
		       path) < 0) {
		c->found(c, path, "%s", vault_error_message());
		return;
	}
	if (vault_rules__has(c->store, c->before, recpath))
		c->found(c, path, "certificate data added to '%s@%s', recorded earlier", doc, rev);
	if (vault_store__read_path(&rec, &rlen, c->store, c->tree, recpath) < 0 ||
	    vault_record__revision_parse(&r, rec, rlen) < 0) {
		c->found(c, path, "the certificate data has no revision record beside it");
		goto done;
	}
	if (strcmp(r.type, "material-cert") != 0)
		c->found(c, path, "certificate data is for a material-cert, not %s %s",
			 vault_record__a(r.type), r.type);
	if (c->who && strcmp(r.org ? r.org : "", c->who->org) != 0)
		c->found(c, path, "the certificate names organization '%s', but '%s' of '%s' signed the"
			 " commit", r.org ? r.org : "", c->who->name, c->who->org);
	if (vault_store__read_path(&data, &len, c->store, c->tree, path) < 0 ||
	    (stored = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(stored) ||
	    strcmp(json_string_value(json_object_get(stored, "record")) ?
		   json_string_value(json_object_get(stored, "record")) : "", "material-cert") != 0 ||
	    json_integer_value(json_object_get(stored, "format")) != 1 ||
	    (meta = given_data(stored)) == NULL) {
		c->found(c, path, "the certificate data is malformed");
		goto done;
	}
	if (vault_cert__record(&want, &wlen, meta, doc, rev) < 0)
		c->found(c, path, "the certificate data is invalid: %s", vault_error_message());
	else if (wlen != len || memcmp(want, data, len) != 0)
		c->found(c, path, "the certificate data is not what '%s@%s''s data makes", doc, rev);
done:
	vault_revision_dispose(&r);
	json_decref(stored);
	free(meta);
	free(want);
	free(data);
	free(rec);
}

int vault_cert_data(char **out, vault *v, const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2];
	vault_revision r;
	git_tree *tree = NULL;
	size_t len;
	int error;

	*out = NULL;
	/* what the viewer may not see has, to it, no certificate either */
	if ((error = vault__revision(&r, v, doc, rev)) < 0)
		return error;
	vault_revision_dispose(&r);
	if ((error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault_record__rev_file(path, sizeof(path), dir, rev, VAULT_CERT_FILE)) < 0 ||
	    (error = vault__need_store(v)) < 0 ||
	    (error = vault_store__head_tree(&tree, v->store)) < 0)
		return error;
	if (vault_store__read_path(out, &len, v->store, tree, path) < 0) {
		*out = NULL;
		error = vault_error__set(VAULT_ENOTFOUND, "%s@%s carries no certificate data", doc, rev);
	}
	git_tree_free(tree);
	return error;
}

static int index_cert_data(sqlite3 *db, const char *data, size_t len, const char *path,
		      const git_oid *commit)
{
	const char *kind, *doc, *rev, *type, *number, *maker, *product, *grade, *heat, *date;
	const char *qty = NULL, *inspector = NULL;
	sqlite3_stmt *st;
	json_t *root;
	char hex[41];
	int format, error = 0;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!root || json_unpack(root, "{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
				 " s?:s, s?:s}", "record", &kind, "format", &format, "doc", &doc,
				 "rev", &rev, "certificate_type", &type, "certificate_number", &number,
				 "manufacturer", &maker, "product", &product, "grade", &grade,
				 "heat_number", &heat, "issue_date", &date, "quantity", &qty,
				 "inspector", &inspector) < 0 || strcmp(kind, "material-cert") != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "%s: the certificate data is malformed", path);
	}
	{
		/* data naming another revision than the folder it sits in: left
		 * out of the index (verify reports it), never a failure for good */
		vault_buf want = VAULT_BUF_INIT;
		size_t n = strlen(path), k;

		if ((error = vault_buf__addf(&want, "/%s/%s/" VAULT_CERT_FILE, doc, rev)) < 0) {
			json_decref(root);
			return error;
		}
		k = want.len;
		error = n < k || strcmp(path + n - k, want.data) != 0;
		vault_buf__dispose(&want);
		if (error) {
			json_decref(root);
			return 0;
		}
	}
	git_oid_tostr(hex, sizeof(hex), commit);
	if (sqlite3_prepare_v2(db, "INSERT INTO certs (doc, rev, cert_type, number, manufacturer,"
			       " product, grade, heat, quantity, issue_date, inspector, commit_id)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
			       -1, &st, NULL) != SQLITE_OK) {
		json_decref(root);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, maker, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, product, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, grade, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, heat, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, qty, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, inspector, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = vault_error__set(VAULT_EVERIFY, "%s: cannot index: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	json_decref(root);
	return error;
}

/* docs/.../<DOC>/<REV>/cert.json: with its record, and what the record's file says. */
static void check_cert(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__doc_path(doc, rev, &rest, path) == 0)
		vault_rules__with_its_record(c, path, rest);
	check_cert_data(c, path);
}

static const char SQL_CERT_ONCE[] = "SELECT commit_id FROM certs WHERE doc = ?1 AND rev = ?2";

static int index_cert(const vault_kind_file *f)
{
	int error = vault_index__once_of(f, SQL_CERT_ONCE, "certificate data", f->m->key, f->m->rev);

	return error < 0 ? error :
		index_cert_data(vault_index__db(f->idx), f->data, f->len, f->path, f->commit);
}

const vault_kind vault_kind_cert = {
	.name = "certificate data",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_CERT_FILE,
	.ops = "add import",
	.index = index_cert,
	.check = check_cert,
	.tables = "certs",
};
