/*
 * withdraw.c - an upload withdrawn by the organization that added it:
 * docs/<h>/<h>/<DOC>/<REV>/withdrawn.json, with the reason.  The revision
 * and its files stay (history only adds); it shows as withdrawn and counts
 * for nothing any more (a withdrawn certificate closes no audit gap).  A
 * released drawing is never withdrawn: it is made obsolete.
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
#include "txn.h"
#include "user.h"
#include "util.h"

#define REASON_MAX 1000

/* The paths beside DOC@REV: its record, withdrawal, release and an FAI's disposition. */
static int paths_of(char *record, char *withdrawn, char *release, char *disposition,
		    size_t size, const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX];
	int error;

	if ((error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault_record__rev_file(disposition, size, dir, rev, VAULT_DISPOSITION_FILE)) < 0 ||
	    (error = vault_record__rev_file(record, size, dir, rev, VAULT_RECORD_FILE)) < 0 ||
	    (error = vault_record__rev_file(release, size, dir, rev, VAULT_RELEASE_FILE)) < 0)
		return error;
	return vault_record__rev_file(withdrawn, size, dir, rev, VAULT_WITHDRAWN_FILE);
}

int vault_withdraw(vault *v, const char *doc, const char *rev, const char *reason)
{
	char record[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX], release[VAULT_PATH_MAX];
	char disposition[VAULT_PATH_MAX], when[VAULT_TIME_SIZE];
	vault_buf message = VAULT_BUF_INIT;
	vault_revision r;
	vault_txn t;
	char *json = NULL;
	size_t len;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault_name_check("revision", rev)) < 0)
		return error;
	if (!reason || !*reason)
		return vault_error__set(VAULT_EINVALID, "a withdrawal needs a reason");
	if ((error = vault_record__text_check("reason", reason, REASON_MAX)) < 0 ||
	    (error = paths_of(record, withdrawn, release, disposition, sizeof(record), doc,
			      rev)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	/* what the actor may not see is, to it, no revision at all */
	if ((error = vault__revision(&r, v, doc, rev)) < 0)
		goto done;
	if (!r.org || strcmp(r.org, t.actor.org) != 0) {
		error = vault_error__set(VAULT_EDENIED,
			"%s@%s was added by %s, not by %s: only its own organization withdraws it",
			doc, rev, r.org ? r.org : "another organization", t.actor.org);
		goto done;
	}
	if (vault_rules__has(v->store, t.root, release)) {
		error = vault_error__set(VAULT_EINVALID,
			"%s@%s was released: a released revision is made obsolete, not withdrawn",
			doc, rev);
		goto done;
	}
	/* the buying side decided on it: what it decided on stays in force */
	if (vault_rules__has(v->store, t.root, disposition)) {
		error = vault_error__set(VAULT_EINVALID,
			"%s@%s has a disposition: an FAI report decided on is not withdrawn", doc,
			rev);
		goto done;
	}
	if (vault_rules__has(v->store, t.root, withdrawn)) {
		error = vault_error__set(VAULT_EEXISTS, "%s@%s was withdrawn already", doc, rev);
		goto done;
	}
	vault_time_format(when, sizeof(when), t.now);
	if ((error = vault_record__dump(&json, &len, json_pack(
		"{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "withdrawal", "format", 1,
		"doc", doc, "rev", rev, "reason", reason, "withdrawn_by", t.actor.name,
		"org", t.actor.org, "withdrawn_at", when))) < 0 ||
	    (error = vault__txn_put_data(&t, v, withdrawn, json, len)) < 0 ||
	    (error = vault_buf__addf(&message, "withdraw %s@%s\n\nQvault-Op: withdraw\n", doc,
				     rev)) < 0)
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
	"INSERT INTO withdrawals (doc, rev, reason, withdrawn_by, withdrawn_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQL_ONCE[] =
	"SELECT commit_id FROM withdrawals WHERE doc = ?1 AND rev = ?2";

static int index_withdrawal(const vault_kind_file *f)
{
	static const char *const fields[] = { "reason", "withdrawn_by", NULL };

	return vault_portal__index_beside(f, SQL_INS, SQL_ONCE, fields, 2, "withdrawn_at", "withdrawal");
}

/* ---- the check ------------------------------------------------------------ */

/*
 * docs/<h>/<h>/<DOC>/<REV>/withdrawn.json: the revision recorded before
 * it, by the signer's organization, never released; its fields, naming
 * it, and nothing else.
 */
static void check_withdrawal(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	char record[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX], release[VAULT_PATH_MAX];
	char disposition[VAULT_PATH_MAX];
	json_t *rec = NULL, *revision = NULL;
	const char *rest;

	if (vault_rules__doc_path(doc, rev, &rest, path) < 0 ||
	    paths_of(record, withdrawn, release, disposition, sizeof(record), doc, rev) < 0 ||
	    strcmp(withdrawn, path) != 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "withdrawal") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 || json_object_size(rec) != 8 ||
	    !*vault_rules__str(rec, "reason") ||
	    vault_record__text_check("reason", vault_rules__str(rec, "reason"), REASON_MAX) < 0) {
		c->found(c, path, "the withdrawal is malformed");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "doc"), doc) != 0 ||
	    strcmp(vault_rules__str(rec, "rev"), rev) != 0)
		c->found(c, path, "the withdrawal of %s@%s is stored as '%s'",
			 vault_rules__str(rec, "doc"), vault_rules__str(rec, "rev"), path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "withdrawn_by"),
			       vault_rules__str(rec, "org"), vault_rules__str(rec, "withdrawn_at"));
	if ((revision = vault_rules__json_at(c, c->before, record)) == NULL) {
		c->found(c, path, "%s@%s was not recorded before it", doc, rev);
		goto done;
	}
	if (c->who && strcmp(vault_rules__str(revision, "org"), c->who->org) != 0)
		c->found(c, path, "user '%s' of '%s' withdraws %s@%s, added by '%s'", c->who->name,
			 c->who->org, doc, rev, vault_rules__str(revision, "org"));
	if (vault_rules__has(c->store, c->tree, release))
		c->found(c, path, "%s@%s was released: it may not be withdrawn", doc, rev);
	if (vault_rules__has(c->store, c->tree, disposition))
		c->found(c, path, "%s@%s has a disposition: it may not be withdrawn", doc, rev);
done:
	json_decref(rec);
	json_decref(revision);
}

const vault_kind vault_kind_withdrawal = {
	.name = "withdrawal",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_WITHDRAWN_FILE,
	.roles = VAULT_ROLE_BUYER | VAULT_ROLE_SUPPLIER | VAULT_ROLE_QUALITY,
	.act = "withdraw uploads",
	.ops = "withdraw",
	.made_by = "withdraw",
	.index = index_withdrawal,
	.check = check_withdrawal,
	.tables = "withdrawals",
};
