/*
 * review.c - the periodic review of a controlled document: a buyer or
 * quality signs that revision DOC@REV was reviewed (still right, still
 * in force) and when it is next due, in one commit of its own:
 * docs/<h>/<h>/<DOC>/<REV>/reviews/<YYYYMMDDTHHMMSSZ>-<signer>.json.
 *
 * A review is a record of its own rather than a change of the revision's
 * review_by: history only adds, the revision's record is what was added
 * (signed then, by its adder), and a review is another person's act at
 * another time, which an auditor asks for by itself ("who reviewed
 * DWG-1@C, when, and what did they say").  The latest review's `next`
 * replaces the revision's review_by (VAULT_INDEX_REVIEW_DUE); a document
 * changed rather than confirmed is released as its next revision.
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

#define NOTE_MAX 1000
#define REVIEWS_DIR "reviews"

/* The record and obsolescence paths of DOC@REV, and its review by `by` at `at` (ISO time). */
static int paths_of(char *record, char *obsolete, char *withdrawn, char *review, size_t size,
		    const char *doc, const char *rev, const char *at, const char *by)
{
	vault_enc er;
	char dir[VAULT_PATH_MAX], stamp[VAULT_TIME_SIZE];
	size_t i, n = 0;
	int error;

	for (i = 0; at[i]; i++)
		if (at[i] != '-' && at[i] != ':' && n + 1 < sizeof(stamp))
			stamp[n++] = at[i];
	stamp[n] = '\0';
	if ((error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault_record__rev_file(record, size, dir, rev, VAULT_RECORD_FILE)) < 0 ||
	    (error = vault_record__rev_file(obsolete, size, dir, rev, VAULT_OBSOLETE_FILE)) < 0 ||
	    (error = vault_record__rev_file(withdrawn, size, dir, rev, VAULT_WITHDRAWN_FILE)) < 0)
		return error;
	return vault__fmt(review, size, "path", "%s/%s/" REVIEWS_DIR "/%s-%s.json", dir,
			  vault_record__enc(&er, rev),
			  stamp, by);
}

/*
 * The one rule of the write path and verify: DOC@REV recorded in `before`,
 * a controlled type (a certificate expires; it is not reviewed), neither
 * obsolete nor withdrawn there, and `next` a date after the review's day
 * (`at`, ISO time).  0, or VAULT_E* with the reason.
 */
static int reviewable(vault_store *s, const git_tree *before, const char *doc, const char *rev,
		      const char *next, const char *at)
{
	char record[VAULT_PATH_MAX], obsolete[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX];
	char review[VAULT_PATH_MAX * 2], *data = NULL;
	vault_revision r;
	size_t len;
	int error;

	if ((error = vault_record__date_check("next review date", next)) < 0 ||
	    (error = paths_of(record, obsolete, withdrawn, review, sizeof(record), doc, rev, at,
			      "x")) < 0)
		return error;
	if (!vault_rules__has(s, before, record))
		return vault_error__set(VAULT_ENOTFOUND, "document '%s' has no revision '%s'", doc,
					rev);
	if ((error = vault_store__read_path(&data, &len, s, before, record)) < 0)
		return error;
	error = vault_record__revision_parse(&r, data, len);
	free(data);
	if (error < 0)
		return error;
	if (!vault_record__controlled(r.type))
		error = vault_error__set(VAULT_EINVALID,
			"%s@%s is %s %s, which has no periodic review (drawings, models and specs have)",
			doc, rev, vault_record__a(r.type), r.type);
	else if (vault_rules__has(s, before, obsolete) || vault_rules__has(s, before, withdrawn))
		error = vault_error__set(VAULT_EINVALID, "%s@%s is %s: it is no longer reviewed",
					 doc, rev,
					 vault_rules__has(s, before, obsolete) ? "obsolete" : "withdrawn");
	else if (strncmp(next, at, 10) <= 0)
		error = vault_error__set(VAULT_EINVALID,
			"the next review date %s is not after the review's own date %.10s", next, at);
	vault_revision_dispose(&r);
	return error;
}

int vault_doc_review(vault *v, const char *doc, const char *rev, const char *next,
		     const char *note)
{
	char record[VAULT_PATH_MAX], obsolete[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX];
	char path[VAULT_PATH_MAX * 2], when[VAULT_TIME_SIZE];
	vault_buf message = VAULT_BUF_INIT;
	vault_revision r;
	vault_txn t;
	json_t *rec;
	char *json = NULL;
	size_t len;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = vault_name_check("document number", doc)) < 0)
		return error;
	if (!rev)
		return vault_error__set(VAULT_EINVALID, "name the revision of '%s' reviewed: DOC@REV",
					doc);
	if ((error = vault_name_check("revision", rev)) < 0)
		return error;
	if (!next || !*next)
		return vault_error__set(VAULT_EINVALID, "a review says when the next is due (--next)");
	if ((error = vault_record__date_check("next review date", next)) < 0 ||
	    (note && (error = vault_record__text_check("note", note, NOTE_MAX)) < 0) ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
				     "review documents")) < 0 ||
	    (error = vault__revision(&r, v, doc, rev)) < 0)
		goto done;
	vault_time_format(when, sizeof(when), t.now);
	if ((error = reviewable(v->store, t.root, doc, rev, next, when)) < 0 ||
	    (error = paths_of(record, obsolete, withdrawn, path, sizeof(record), doc, rev, when,
			      t.actor.name)) < 0)
		goto done;
	if (vault_rules__has(v->store, t.root, path)) {
		error = vault_error__set(VAULT_EEXISTS, "%s@%s was reviewed by %s at %s already",
					 doc, rev, t.actor.name, when);
		goto done;
	}
	rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "record", "review",
			"format", 1, "doc", doc, "rev", rev, "next", next,
			"reviewed_by", t.actor.name, "org", t.actor.org, "reviewed_at", when);
	if (rec && note)
		json_object_set_new(rec, "note", json_string(note));
	if ((error = vault_record__dump(&json, &len, rec)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0 ||
	    (error = vault_buf__addf(&message,
				     "review %s@%s: next due %s\n\nQvault-Op: review\n"
				     "Qvault-Doc: %s\nQvault-Rev: %s\n",
				     doc, rev, next, doc, rev)) < 0)
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
	"INSERT INTO reviews (doc, rev, next, reviewed_by, org, note, reviewed_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char SQL_ONCE[] =
	"SELECT commit_id FROM reviews WHERE doc = ?1 AND rev = ?2 AND reviewed_at = ?7"
	" AND reviewed_by = ?4";

static int index_review(const vault_kind_file *f)
{
	static const char *const fields[] = { "next", "reviewed_by", "org", "note", NULL };

	return vault_portal__index_beside(f, SQL_INS, SQL_ONCE, fields, 3, "reviewed_at", "review");
}

/* ---- the check ------------------------------------------------------------ */

/*
 * docs/<h>/<h>/<DOC>/<REV>/reviews/<time>-<signer>.json: by a buyer or
 * quality (the kind's roles), naming the revision it is stored with and
 * stored by its time and signer, its fields and nothing else, and what
 * the write path asks (reviewable) of the tree before it.
 */
static void check_review(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	char record[VAULT_PATH_MAX], obsolete[VAULT_PATH_MAX], withdrawn[VAULT_PATH_MAX];
	char want[VAULT_PATH_MAX * 2];
	const char *rest, *at;
	json_t *rec = NULL;
	size_t members;

	if (vault_rules__doc_path(doc, rev, &rest, path) < 0) {
		c->found(c, path, "adds an unexpected path");
		return;
	}
	rec = vault_rules__json_at(c, c->tree, path);
	members = 8 + (json_object_get(rec, "note") != NULL);
	at = vault_rules__str(rec, "reviewed_at");
	if (!rec || strcmp(vault_rules__str(rec, "record"), "review") != 0 ||
	    json_integer_value(json_object_get(rec, "format")) != 1 ||
	    json_object_size(rec) != members ||
	    (json_object_get(rec, "note") &&
	     (!json_is_string(json_object_get(rec, "note")) ||
	      vault_record__text_check("note", vault_rules__str(rec, "note"), NOTE_MAX) < 0)) ||
	    vault_record__date_check("next review date", vault_rules__str(rec, "next")) < 0 ||
	    strlen(at) < 10) {
		c->found(c, path, "the review is malformed");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "doc"), doc) != 0 ||
	    strcmp(vault_rules__str(rec, "rev"), rev) != 0 ||
	    paths_of(record, obsolete, withdrawn, want, sizeof(record), doc, rev, at,
		     vault_rules__str(rec, "reviewed_by")) < 0 ||
	    strcmp(want, path) != 0)
		c->found(c, path, "the review of %s@%s is stored as '%s'",
			 vault_rules__str(rec, "doc"), vault_rules__str(rec, "rev"), path);
	vault_rules__signed_as(c, path, vault_rules__str(rec, "reviewed_by"),
			       vault_rules__str(rec, "org"), at);
	if (reviewable(c->store, c->before, doc, rev, vault_rules__str(rec, "next"), at) < 0)
		c->found(c, path, "%s", vault_error_message());
done:
	json_decref(rec);
}

const vault_kind vault_kind_review = {
	.name = "review",
	.shape = "docs/HH/HH/DOC/REV/" REVIEWS_DIR "/*.json",
	.roles = VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY,
	.act = "review documents",
	.ops = "review",
	.made_by = "review",
	.index = index_review,
	.check = check_review,
	.tables = "reviews",
};
