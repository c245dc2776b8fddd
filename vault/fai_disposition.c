/*
 * fai_disposition.c - the buying side's decision on an FAI report:
 * docs/<h>/<h>/<FAIR>/<REV>/disposition.json, accepted or rejected with
 * the reason, once per revision.  A rejected report is answered by the
 * supplier's next revision, which gets a disposition of its own; the
 * scorecard's first-pass yield counts the first revisions accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "act.h"
#include "common.h"
#include "error.h"
#include "kind.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define TEXT_MAX 4096

/* The paths of FAIR@REV's package, disposition and withdrawal. */
static int paths_of(char *package, char *disposition, char *withdrawn, size_t size,
		    const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX];
	int error;

	if ((error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault_record__rev_file(withdrawn, size, dir, rev, VAULT_WITHDRAWN_FILE)) < 0 ||
	    (error = vault_record__rev_file(package, size, dir, rev, VAULT_PACKAGE_FILE)) < 0)
		return error;
	return vault_record__rev_file(disposition, size, dir, rev, VAULT_DISPOSITION_FILE);
}

static int fields_check(const char *doc, const char *rev, int accept, const char *reason,
			const char *note)
{
	int error;

	if ((error = vault_name_check("FAI report", doc)) < 0 ||
	    (error = vault_name_check("revision", rev)) < 0)
		return error;
	if (!accept && (!reason || !*reason))
		return vault_error__set(VAULT_EINVALID, "a rejection needs a reason");
	if (accept && reason)
		return vault_error__set(VAULT_EINVALID, "a reason goes with a rejection");
	if ((reason && (error = vault_record__text_check("reason", reason, TEXT_MAX)) < 0) ||
	    (note && (error = vault_record__text_check("note", note, TEXT_MAX)) < 0))
		return error;
	return 0;
}

int vault_fai_dispose(vault *v, const char *doc, const char *rev, int accept, const char *reason,
		      const char *note)
{
	return vault_fai_dispose_signed(v, doc, rev, accept, reason, note, NULL);
}

int vault_fai_dispose_signed(vault *v, const char *doc, const char *rev, int accept,
			     const char *reason, const char *note, const vault_signing *s)
{
	char package[VAULT_PATH_MAX], disposition[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX];
	char when[VAULT_TIME_SIZE];
	vault_buf message = VAULT_BUF_INIT;
	json_t *root, *before = NULL;
	vault_txn t;
	char *data = NULL;
	size_t len;
	int error;

	if ((error = fields_check(doc, rev, accept, reason, note)) < 0 ||
	    (error = paths_of(package, disposition, withdrawn, sizeof(package), doc, rev)) < 0)
		return error;
	if ((error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
				     "disposition FAI reports")) < 0 ||
	    (error = vault_act__begin(&t, v, s, "decided_at")) < 0)
		goto done;
	if (vault_store__read_path(&data, &len, v->store, t.root, package) < 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "%s@%s is no FAI report", doc, rev);
		goto done;
	}
	free(data);
	data = NULL;
	if (vault_rules__has(v->store, t.root, withdrawn)) {
		error = vault_error__set(VAULT_EINVALID, "%s@%s was withdrawn by its supplier", doc,
					 rev);
		goto done;
	}
	if (vault_store__read_path(&data, &len, v->store, t.root, disposition) == 0) {
		before = json_loadb(data, len, 0, NULL);
		error = vault_error__set(VAULT_EEXISTS, "%s@%s was %s already", doc, rev,
					 json_string_value(json_object_get(before, "decision")) ?
					 json_string_value(json_object_get(before, "decision")) :
					 "decided");
		json_decref(before);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "fai-disposition",
			 "format", 1, "doc", doc, "rev", rev, "decision",
			 accept ? "accepted" : "rejected", "decided_by", t.actor.name, "org",
			 t.actor.org, "decided_at", when);
	if (root && reason)
		json_object_set_new(root, "reason", json_string(reason));
	if (root && note)
		json_object_set_new(root, "note", json_string(note));
	if ((error = vault_act__put(&t, v, disposition, root, s,
				    VAULT_FAI_DISPOSITION_NAMESPACE)) < 0 ||
	    vault_act__statement_only(s) ||
	    (error = vault_buf__addf(&message, "fai %s %s@%s\n\nQvault-Op: fai-disposition\n",
				     accept ? "accept" : "reject", doc, rev)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	free(data);
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	return error;
}

/* ---- the index ------------------------------------------------------------ */

static const char SQL_INS[] =
	"INSERT INTO fai_dispositions (doc, rev, decision, decided_by, reason, note, decided_at,"
	" commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char SQL_ONCE[] =
	"SELECT commit_id FROM fai_dispositions WHERE doc = ?1 AND rev = ?2";

static int index_disposition(const vault_kind_file *f)
{
	static const char *const fields[] = { "decision", "decided_by", "reason", "note", NULL };

	return vault_portal__index_beside(f, SQL_INS, SQL_ONCE, fields, 2, "decided_at", "FAI disposition");
}

/* ---- the check ------------------------------------------------------------ */

/*
 * docs/<h>/<h>/<FAIR>/<REV>/disposition.json: by the buying side (the
 * kind's roles), of an FAI report recorded before, naming it, accepted or
 * rejected with a reason; the fields and nothing else.
 */
static void check_disposition(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	char package[VAULT_PATH_MAX], disposition[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX];
	const char *rest, *decision, *reason, *note;
	json_t *rec = NULL;
	size_t want;

	if (vault_rules__doc_path(doc, rev, &rest, path) < 0 ||
	    paths_of(package, disposition, withdrawn, sizeof(package), doc, rev) < 0 ||
	    strcmp(disposition, path) != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	decision = vault_rules__str(rec, "decision");
	reason = json_string_value(json_object_get(rec, "reason"));
	note = json_string_value(json_object_get(rec, "note"));
	/* (and "vault" when it is signed: the signature's check judges it) */
	want = 8 + (json_object_get(rec, "reason") != NULL) + (json_object_get(rec, "note") != NULL) +
	       (json_object_get(rec, "vault") != NULL);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "fai-disposition") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    json_object_size(rec) != want ||
	    (strcmp(decision, "accepted") != 0 && strcmp(decision, "rejected") != 0) ||
	    /* a rejection has its reason, an acceptance none, as the write path writes them */
	    (strcmp(decision, "rejected") == 0) != (reason != NULL && *reason) ||
	    (strcmp(decision, "accepted") == 0 && json_object_get(rec, "reason")) ||
	    (json_object_get(rec, "reason") && !reason) ||
	    (json_object_get(rec, "note") && !note) ||
	    (reason && vault_record__text_check("reason", reason, TEXT_MAX) < 0) ||
	    (note && vault_record__text_check("note", note, TEXT_MAX) < 0)) {
		c->found(c, path, "the FAI disposition is malformed");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "doc"), doc) != 0 ||
	    strcmp(vault_rules__str(rec, "rev"), rev) != 0)
		c->found(c, path, "the disposition of %s@%s is stored as '%s'",
			 vault_rules__str(rec, "doc"), vault_rules__str(rec, "rev"), path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "decided_by"),
			       vault_rules__str(rec, "org"), vault_rules__str(rec, "decided_at"));
	if (!vault_rules__has(c->store, c->before, package))
		c->found(c, path, "%s@%s was no FAI report before it", doc, rev);
	if (vault_rules__has(c->store, c->before, withdrawn))
		c->found(c, path, "%s@%s was withdrawn before it", doc, rev);
done:
	json_decref(rec);
}

/* .../REV/disposition.json.sig: the one deciding signs the decision itself */
static void check_disposition_signature(const vault_change_ctx *c, const char *path)
{
	vault_act__check_signature(c, path, VAULT_FAI_DISPOSITION_NAMESPACE, "decided_by");
}

const vault_kind vault_kind_fai_disposition_signature = {
	.name = "FAI disposition signature",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_DISPOSITION_FILE ".sig",
	.roles = VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
	.act = "disposition FAI reports",
	.ops = "fai-disposition",
	.check = check_disposition_signature,
};
const vault_kind vault_kind_fai_disposition = {
	.name = "FAI disposition",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_DISPOSITION_FILE,
	.roles = VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
	.act = "disposition FAI reports",
	.ops = "fai-disposition",
	.made_by = "fai-disposition",
	.index = index_disposition,
	.check = check_disposition,
	.tables = "fai_dispositions",
};
