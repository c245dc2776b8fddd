/*
 * ack.c - signed acknowledgments: a supplier's statement that it received
 * exactly one revision, in-toto Statement v1 JSON signed in SSHSIG.
 *
 * Stored beside the revision as acks/<SIGNER>-<MEANING>.json (the exact
 * bytes signed) and acks/<SIGNER>-<MEANING>.json.sig (armored SSHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "ack.h"
#include "common.h"
#include "error.h"
#include "exists.h"
#include "index.h"
#include "kind.h"
#include "kinds.h"
#include "marking.h"
#include "record.h"
#include "rules.h"
#include "sign.h"
#include "stamp.h"
#include "tsa.h"
#include "txn.h"
#include "user.h"
#include "util.h"

#define STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PREDICATE_TYPE "https://qvault.example/ack/v1"
#define ACK_NAMESPACE VAULT_ACK_NAMESPACE

const char *const vault_ack_meanings[] = { "received", "reviewed", "approved", "rejected", NULL };

/* The statement for `rev` signed by `u`: canonical JSON, malloc'd. */
static int statement(char **out, size_t *len, const vault_revision *rev,
		     const vault_user *u, const char *vault_id, const char *meaning,
		     const char *comment, int64_t now)
{
	json_t *subject = json_array(), *predicate, *root;
	char when[VAULT_TIME_SIZE];
	size_t i;

	for (i = 0; i < rev->nfiles; i++)
		json_array_append_new(subject, json_pack("{s:s, s:{s:s}}",
			"name", rev->files[i].name, "digest", "sha256", rev->files[i].sha256));
	vault_time_format(when, sizeof(when), now);
	predicate = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}",
		"vault", vault_id, "document", rev->doc, "revision", rev->rev,
		"meaning", meaning, "signed_at", when, "signer", "name", u->name,
		"org", u->org, "fingerprint", u->fingerprint);
	if (predicate && comment)
		json_object_set_new(predicate, "comment", json_string(comment));
	root = json_pack("{s:s, s:o, s:s, s:o}", "_type", STATEMENT_TYPE,
			 "subject", subject, "predicateType", PREDICATE_TYPE,
			 "predicate", predicate);
	return vault_record__dump(out, len, root);
}

static int check_meaning(const char *meaning, const char *comment)
{
	size_t i;

	for (i = 0; vault_ack_meanings[i]; i++)
		if (strcmp(vault_ack_meanings[i], meaning) == 0)
			break;
	if (!vault_ack_meanings[i])
		return vault_error__set(VAULT_EINVALID,
			"unknown meaning '%s' (received, reviewed, approved, rejected)", meaning);
	if (strcmp(meaning, "rejected") == 0 && (!comment || !*comment))
		return vault_error__set(VAULT_EINVALID, "a rejection needs a reason (--comment)");
	if (comment)
		return vault_record__text_check("comment", comment, 1024);
	return 0;
}

/*
 * The revision of `doc` in effect for organization `org`: the latest
 * released to it, unless that one is obsolete (then none); NULL for none.
 */
static char *in_effect_for(vault *v, const char *doc, const char *org)
{
	sqlite3_stmt *st;
	char *rev = NULL;

	if (sqlite3_prepare_v2(vault_index__db(v->index),
		"SELECT r.rev, EXISTS (SELECT 1 FROM obsoletes o WHERE o.doc = r.doc AND o.rev = r.rev)"
		" FROM revisions r JOIN distribution d ON d.doc = r.doc AND d.rev = r.rev"
		" WHERE r.doc = ?1 AND d.org = ?2 AND " VAULT_INDEX_CLEARED("r.doc", "r.rev", "?2")
		" ORDER BY r.seq DESC LIMIT 1",
		-1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) == 0)
		rev = vault__strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rev;
}

/*
 * Refuse anything but the released revision, distributed to the signer's
 * organization and not superseded for it (`r`'s state is as the signer's
 * organization has it: a later revision released only to others leaves
 * this one in effect for it), and never one the signer added or released
 * itself: an acknowledgment is a second person's.
 */
static int check_ackable(vault *v, const vault_revision *r, const vault_user *signer)
{
	const char *org = signer->org;
	size_t i;

	if (strcmp(r->added_by, signer->name) == 0 ||
	    (r->released_by && strcmp(r->released_by, signer->name) == 0))
		return vault_error__set(VAULT_EDENIED,
			"user '%s' added or released '%s@%s' and may not acknowledge it",
			signer->name, r->doc, r->rev);

	if (strcmp(r->state, "superseded") == 0 || strcmp(r->state, "draft") == 0) {
		const char *what = strcmp(r->state, "draft") == 0 ? "not released" : r->state;
		char *current = in_effect_for(v, r->doc, org);
		int error;

		if (current && strcmp(current, r->rev) != 0)
			error = vault_error__set(VAULT_EINVALID,
				"'%s@%s' is %s; the current revision is '%s'", r->doc, r->rev,
				what, current);
		else
			error = vault_error__set(VAULT_EINVALID, "'%s@%s' is %s", r->doc, r->rev,
						 what);
		free(current);
		return error;
	}
	if (strcmp(r->state, "released") != 0)
		return vault_error__set(VAULT_EINVALID, "'%s@%s' is %s", r->doc, r->rev, r->state);
	for (i = 0; i < r->nto; i++)
		if (strcmp(r->to[i], org) == 0)
			return 0;
	return vault_error__set(VAULT_EDENIED, "'%s@%s' was not distributed to '%s'",
				r->doc, r->rev, org);
}

/*
 * Check that the actor of `t` may acknowledge doc@rev with `meaning`
 * (and has not yet); fill `r` and the statement's path.
 */
static int check_ack(vault_revision *r, char *path, size_t size, vault_txn *t, vault *v,
		     const char *doc, const char *rev, const char *meaning)
{
	char dir[VAULT_PATH_MAX];
	vault_enc er;
	git_tree_entry *te = NULL;
	int error;

	if ((error = vault_user__may(&t->actor, VAULT_ROLE_SUPPLIER, "acknowledge revisions")) < 0 ||
	    (error = vault_index__get_as(r, v->index, doc, rev, vault_user__scope(&t->actor),
					 t->actor.org)) < 0 ||
	    (error = check_ackable(v, r, &t->actor)) < 0)
		return error;
	vault_record__doc_dir(dir, sizeof(dir), doc);
	if ((error = vault__fmt(path, size, "path", "%s/%s/" VAULT_ACKS_DIR "/%s-%s.json", dir,
				vault_record__enc(&er, rev), t->actor.name, meaning)) < 0)
		return error;
	if (git_tree_entry_bypath(&te, t->root, path) == 0) {
		git_tree_entry_free(te);
		return vault_error__set(VAULT_EEXISTS, "'%s' already %s '%s@%s'",
					t->actor.name, meaning, doc, rev);
	}
	return 0;
}

/*
 * Queue the statement and its signature at `path`, with a timestamp token
 * over the signature when a TSA is configured (stamp.c), and commit.
 */
static int write_ack(vault_txn *t, vault *v, const char *path, const char *doc,
		     const char *rev, const char *meaning, const char *stmt, size_t len,
		     const char *sig)
{
	char sig_path[VAULT_PATH_MAX * 2 + 8];
	vault_buf message = VAULT_BUF_INIT;
	int error;

	if ((error = vault__fmt(sig_path, sizeof(sig_path), "path", "%s.sig", path)) < 0 ||
	    (error = vault__txn_put_data(t, v, path, stmt, len)) < 0 ||
	    (error = vault__txn_put_data(t, v, sig_path, sig, strlen(sig))) < 0 ||
	    (error = vault_stamp__put(t, v, sig_path, sig, strlen(sig))) < 0 ||
	    (error = vault_buf__addf(&message,
		 "ack %s@%s %s by %s (%s)\n\nQvault-Op: ack\nQvault-Doc: %s\nQvault-Rev: %s\n",
		 doc, rev, meaning, t->actor.name, t->actor.org, doc, rev)) < 0)
		return error;
	error = vault__txn_commit(t, v, message.data, NULL, 0, NULL);
	vault_buf__dispose(&message);
	return error;
}

/* Check the request, then begin the write that may record it. */
static int begin(vault_txn *t, vault *v, const char *doc, const char *rev, const char *meaning,
		 const char *comment)
{
	int error;

	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault_name_check("revision", rev)) < 0 ||
	    (error = check_meaning(meaning, comment)) < 0)
		return error;
	return vault__txn_begin(t, v);
}

int vault_ack(vault *v, const char *doc, const char *rev, const char *meaning,
	      const char *comment)
{
	vault_revision r;
	vault_txn t;
	char path[VAULT_PATH_MAX * 2], *stmt = NULL, *sig = NULL;
	size_t len = 0;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = begin(&t, v, doc, rev, meaning, comment)) < 0)
		return error;
	if (t.via) {
		error = vault_error__set(VAULT_EDENIED,
			"the server holds no supplier's key: sign on your side "
			"(qvault --remote URL ack DOC@REV)");
		goto done;
	}
	if ((error = check_ack(&r, path, sizeof(path), &t, v, doc, rev, meaning)) < 0 ||
	    (error = statement(&stmt, &len, &r, &t.actor, t.cfg.id, meaning, comment,
			       t.now)) < 0 ||
	    (error = vault_sign__sshsig(&sig, v->key, ACK_NAMESPACE, stmt, len)) < 0)
		goto done;
	error = write_ack(&t, v, path, doc, rev, meaning, stmt, len, sig);
done:
	free(stmt);
	free(sig);
	vault_revision_dispose(&r);
	vault__txn_end(&t, v);
	return error;
}

/* ---- acknowledging from afar: the signer's key never leaves its side ---- */

/* How far a statement's time may be from the clocks of the signer and the vault. */
#define SUBMIT_SKEW 600

int vault_ack_statement(char **out, vault *v, const char *doc, const char *rev,
			const char *meaning, const char *comment)
{
	vault_revision r;
	vault_txn t;
	char path[VAULT_PATH_MAX * 2];
	size_t len;
	int error;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((error = begin(&t, v, doc, rev, meaning, comment)) < 0)
		return error;
	if ((error = check_ack(&r, path, sizeof(path), &t, v, doc, rev, meaning)) == 0)
		error = statement(out, &len, &r, &t.actor, t.cfg.id, meaning, comment, t.now);
	vault_revision_dispose(&r);
	vault__txn_end(&t, v);
	return error;
}

int vault_ack_sign(char **sig, const vault_key *key, const char *stmt, size_t len,
		   const char *doc, const char *rev, const char *meaning, const char *comment)
{
	int64_t now = (int64_t)time(NULL);
	vault_ack_info a;
	char *pub = NULL, fp[64];
	int error;

	*sig = NULL;
	if (vault_ack__parse(&a, stmt, len) < 0)
		return vault_error__set(VAULT_EINVALID, "the vault sent a statement that is not one");
	if ((error = vault_key_public(&pub, key)) < 0 ||
	    (error = vault_sign__fingerprint_of(fp, pub)) < 0)
		goto done;
	/* sign only what was asked for, as this key's holder */
	if (strcmp(a.doc, doc) != 0 || strcmp(a.rev, rev) != 0 || strcmp(a.meaning, meaning) != 0) {
		error = vault_error__set(VAULT_EINVALID,
			"the vault sent a statement for %s@%s (%s), not %s@%s (%s): not signed",
			a.doc, a.rev, a.meaning, doc, rev, meaning);
		goto done;
	}
	if (strcmp(a.fingerprint, fp) != 0) {
		error = vault_error__set(VAULT_EINVALID,
			"the statement names key %s of '%s', not this key (%s): not signed",
			a.fingerprint, a.signer, fp);
		goto done;
	}
	if (strcmp(comment ? comment : "", a.comment ? a.comment : "") != 0) {
		error = vault_error__set(VAULT_EINVALID,
			"the vault sent a statement with another comment than the one given: not signed");
		goto done;
	}
	if (a.time < now - SUBMIT_SKEW || a.time > now + SUBMIT_SKEW) {
		error = vault_error__set(VAULT_EINVALID,
			"the vault sent a statement dated more than %d minutes from this clock: "
			"not signed", SUBMIT_SKEW / 60);
		goto done;
	}
	error = vault_sign__sshsig(sig, key, ACK_NAMESPACE, stmt, len);
done:
	free(pub);
	vault_ack__dispose(&a);
	return error;
}

int vault_ack_submit(vault *v, const char *stmt, size_t len, const char *sig)
{
	vault_revision r;
	vault_ack_info a;
	vault_txn t;
	char path[VAULT_PATH_MAX * 2], *expect = NULL, *signer = NULL, *id = NULL;
	char *canon = NULL;
	uint64_t limit;
	size_t elen;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = vault_limit_check(&limit, v, VAULT_LIMIT_STATEMENT, NULL,
				       "the acknowledgment statement", len)) < 0)
		return error;
	if (vault_ack__parse(&a, stmt, len) < 0)
		return vault_error__set(VAULT_EINVALID, "the acknowledgment statement is malformed");
	if ((error = check_meaning(a.meaning, a.comment)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		goto out;
	if ((error = check_ack(&r, path, sizeof(path), &t, v, a.doc, a.rev, a.meaning)) < 0)
		goto done;
	if (a.time < t.now - SUBMIT_SKEW || a.time > t.now + SUBMIT_SKEW) {
		error = vault_error__set(VAULT_EINVALID,
			"the statement's time is more than %d minutes from the vault's clock",
			SUBMIT_SKEW / 60);
		goto done;
	}
	/* exactly the statement the vault would make, at the signer's time */
	if ((error = statement(&expect, &elen, &r, &t.actor, t.cfg.id, a.meaning, a.comment,
			       a.time)) < 0)
		goto done;
	if (elen != len || memcmp(expect, stmt, len) != 0) {
		error = vault_error__set(VAULT_EINVALID,
			"the statement does not match %s@%s as the vault records it for '%s'",
			a.doc, a.rev, t.actor.name);
		goto done;
	}
	/* stored in its one spelling: ssh-keygen's armor, an ECDSA signature's low s */
	if (vault_sign__canonical(&canon, sig, strlen(sig)) < 0 ||
	    vault_sign__check(&signer, canon, strlen(canon), ACK_NAMESPACE, stmt, len) < 0) {
		error = vault_error__set(VAULT_EINVALID, "the statement's signature does not verify: %s",
					 vault_error_message());
		goto done;
	}
	if ((error = vault_sign__parse_public(&id, NULL, t.actor.key)) < 0)
		goto done;
	if (strcmp(signer, id) != 0) {
		error = vault_error__set(VAULT_EINVALID,
			"the statement is not signed by the key of '%s'", t.actor.name);
		goto done;
	}
	error = write_ack(&t, v, path, a.doc, a.rev, a.meaning, stmt, len, canon);
done:
	free(canon);
	free(expect);
	free(signer);
	free(id);
	vault_revision_dispose(&r);
	vault__txn_end(&t, v);
out:
	vault_ack__dispose(&a);
	return error;
}

/* ---- the index ---------------------------------------------------------- */

/* The fields of a stored statement; VAULT_EVERIFY when malformed. */
int vault_ack__parse(vault_ack_info *a, const char *data, size_t len)
{
	const char *type, *ptype, *vid, *doc, *rev, *meaning, *when, *name, *org, *fp;
	const char *comment = NULL;
	json_t *root, *subject;
	json_error_t jerr;
	struct tm tm;

	memset(a, 0, sizeof(*a));
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack_ex(root, &jerr, 0,
			"{s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s?:s}}",
			"_type", &type, "subject", &subject, "predicateType", &ptype,
			"predicate", "vault", &vid, "document", &doc, "revision", &rev,
			"meaning", &meaning, "signed_at", &when, "signer", "name", &name,
			"org", &org, "fingerprint", &fp, "comment", &comment) < 0 ||
	    strcmp(type, STATEMENT_TYPE) != 0 || strcmp(ptype, PREDICATE_TYPE) != 0) {
		json_decref(root);
		return vault_error__set(VAULT_EVERIFY, "acknowledgment statement is malformed");
	}
	memset(&tm, 0, sizeof(tm));
	if (!strptime(when, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		/* the message first: `when` belongs to root */
		int error = vault_error__set(VAULT_EVERIFY, "acknowledgment time '%.32s' is malformed",
					     when);

		json_decref(root);
		return error;
	}
	a->time = (int64_t)timegm(&tm);
	a->doc = vault__strdup(doc);
	a->rev = vault__strdup(rev);
	a->signer = vault__strdup(name);
	a->org = vault__strdup(org);
	a->fingerprint = vault__strdup(fp);
	a->meaning = vault__strdup(meaning);
	a->comment = vault__strdup(comment);
	json_decref(root);
	return 0;
}

void vault_ack__dispose(vault_ack_info *a)
{
	free(a->doc);
	free(a->rev);
	free(a->name);
	free(a->signer);
	free(a->org);
	free(a->fingerprint);
	free(a->meaning);
	free(a->comment);
	memset(a, 0, sizeof(*a));
}

void vault_ack_list_free(vault_ack_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		vault_ack__dispose(&list->items[i]);
	free(list->items);
	free(list);
}

/* ---- queries --------------------------------------------------------- */

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? vault__strdup((const char *)t) : NULL;
}

int vault_acks(vault_ack_list **out, vault *v, const char *doc, const char *rev)
{
	sqlite3 *db = vault_index__db(v->index);
	vault_ack_list *list;
	sqlite3_stmt *st;
	char *own = NULL;
	size_t cap = 0;
	int rc, error;

	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (rev && (error = vault_name_check("revision", rev)) < 0))
		return error;
	/* a supplier sees its own organization's, of revisions it may see;
	 * a revision it may not see is not there */
	if ((error = vault__viewer(&own, v)) < 0)
		return error;
	if ((error = vault__doc_exists(v, doc, rev, own)) < 0) {
		free(own);
		return error;
	}
	if (sqlite3_prepare_v2(db,
		"SELECT a.doc, a.rev, a.name, a.signer, a.org, a.fingerprint, a.meaning, a.comment,"
		" a.time, a.commit_id FROM acks a JOIN revisions r ON r.doc = a.doc AND r.rev = a.rev"
		" WHERE a.doc = ?1 AND (?2 IS NULL OR a.rev = ?2)"
		" AND (?3 IS NULL OR (a.org = ?3 AND (r.org = ?3 OR EXISTS (SELECT 1 FROM distribution d"
		"  WHERE d.doc = r.doc AND d.rev = r.rev AND d.org = ?3))"
		" AND " VAULT_INDEX_CLEARED("r.doc", "r.rev", "?3") "))"
		" ORDER BY (SELECT seq FROM events e WHERE e.commit_id = a.commit_id), a.name",
		-1, &st, NULL) != SQLITE_OK) {
		free(own);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, own, -1, SQLITE_STATIC);
	if ((list = calloc(1, sizeof(*list))) == NULL)
		abort();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		vault_ack_info *a;

		if (list->count == cap) {
			cap = cap ? cap * 2 : 8;
			if ((list->items = realloc(list->items, cap * sizeof(*a))) == NULL)
				abort();
		}
		a = &list->items[list->count++];
		a->doc = col(st, 0);
		a->rev = col(st, 1);
		a->name = col(st, 2);
		a->signer = col(st, 3);
		a->org = col(st, 4);
		a->fingerprint = col(st, 5);
		a->meaning = col(st, 6);
		a->comment = col(st, 7);
		a->time = sqlite3_column_int64(st, 8);
		/* an index row of ours: a commit id, 40 hex digits */
		if ((error = vault__fmt(a->commit, sizeof(a->commit), "commit id", "%s",
					(const char *)sqlite3_column_text(st, 9))) < 0)
			break;
	}
	sqlite3_finalize(st);
	free(own);
	if (error < 0 || rc != SQLITE_DONE) {
		vault_ack_list_free(list);
		return error < 0 ? error : vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	*out = list;
	return 0;
}

void vault_pending_list_free(vault_pending_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->items[i].doc);
		free(list->items[i].rev);
		free(list->items[i].org);
	}
	free(list->items);
	free(list);
}

int vault_pending(vault_pending_list **out, vault *v, const char *org)
{
	sqlite3 *db = vault_index__db(v->index);
	vault_pending_list *list;
	sqlite3_stmt *st;
	char *own = NULL;
	size_t cap = 0;
	int rc, error;

	if (org && (error = vault_plain_name_check("organization", org)) < 0)
		return error;
	/* a supplier sees what is pending for its own organization only */
	if ((error = vault__viewer(&own, v)) < 0)
		return error;
	if (own && org && strcmp(own, org) != 0) {
		error = vault_error__set(VAULT_EDENIED,
			"a supplier sees only what is pending for its own organization");
		free(own);
		return error;
	}
	if (own)
		org = own;
	if (!own && org && (error = vault__org_exists(v, org)) < 0)
		return error;
	if (sqlite3_prepare_v2(db,
		"SELECT d.doc, d.rev, d.org, l.released_at" VAULT_INDEX_PENDING("?1")
		" ORDER BY l.released_at, d.doc, d.rev, d.org", -1, &st, NULL) != SQLITE_OK) {
		free(own);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
	if ((list = calloc(1, sizeof(*list))) == NULL)
		abort();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		vault_pending_item *p;

		if (list->count == cap) {
			cap = cap ? cap * 2 : 8;
			if ((list->items = realloc(list->items, cap * sizeof(*p))) == NULL)
				abort();
		}
		p = &list->items[list->count++];
		p->doc = col(st, 0);
		p->rev = col(st, 1);
		p->org = col(st, 2);
		p->released_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	free(own);
	if (rc != SQLITE_DONE) {
		vault_pending_list_free(list);
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	}
	*out = list;
	return 0;
}

/* ---- export ------------------------------------------------------------ */

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	int fd, error;

	if (vault__fmt(path, sizeof(path), "export path", "%s/%s", dir, name) < 0)
		return VAULT_EINVALID;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return vault_error__errno(VAULT_ERROR, "cannot create '%s'", path);
	error = vault__write_all(fd, data, len);
	if (close(fd) < 0 && !error)
		error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
	return error;
}

int vault_ack_export(vault *v, const char *doc, const char *rev, const char *dir)
{
	vault_ack_list *acks = NULL;
	vault_user_list *users = NULL;
	git_tree *root = NULL;
	char folder[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 3];
	vault_buf signers = VAULT_BUF_INIT;
	size_t i, k;
	int error;

	if ((error = vault_acks(&acks, v, doc, rev)) < 0)
		return error;
	if (!acks || acks->count == 0) {
		error = vault_error__set(VAULT_ENOTFOUND, "'%s@%s' has no acknowledgments", doc, rev);
		goto done;
	}
	if (mkdir(dir, 0755) < 0) {
		error = errno == EEXIST ?
			vault_error__set(VAULT_EEXISTS, "'%s' already exists", dir) :
			vault_error__errno(VAULT_ERROR, "cannot create '%s'", dir);
		goto done;
	}
	if ((error = vault_store__head_tree(&root, v->store)) < 0)
		goto done;
	if ((error = vault_user__list(&users, v->store, root)) < 0)
		goto done;
	vault_record__doc_dir(folder, sizeof(folder), doc);
	for (i = 0; i < acks->count && !error; i++) {
		const vault_ack_info *a = &acks->items[i];
		/* the statement, its signature and, when it has one, its RFC 3161 token */
		const char *ext[3] = { "", ".sig", (".sig" VAULT_TSA_EXT) };
		int x;

		for (x = 0; x < 3 && !error; x++) {
			char name[512], *data;
			vault_enc er;
			size_t len;

			if ((error = vault__fmt(name, sizeof(name), "file name", "%s%s", a->name,
						ext[x])) < 0 ||
			    (error = vault__fmt(path, sizeof(path), "path", "%s/%s/" VAULT_ACKS_DIR "/%s",
						folder, vault_record__enc(&er, a->rev), name)) < 0)
				break;
			if ((error = vault_store__read_path(&data, &len, v->store, root, path)) < 0) {
				if (error == VAULT_ENOTFOUND && x == 2)
					error = 0;
				break;
			}
			error = write_file(dir, name, data, len);
			free(data);
		}
		for (k = 0; k < users->count && !error; k++) {
			const vault_user *u = &users->items[k];
			char *kid;

			if (strcmp(u->name, a->signer) != 0 || vault_sign__parse_public(&kid, NULL, u->key) < 0)
				continue;
			error = vault_buf__addf(&signers, "%s@%s namespaces=\"" ACK_NAMESPACE "\" %s\n",
						u->name, u->org, kid);
			free(kid);
		}
	}
	if (!error)
		error = write_file(dir, "allowed_signers", vault_buf__str(&signers), signers.len);
done:
	vault_buf__dispose(&signers);
	vault_user_list_free(users);
	git_tree_free(root);
	vault_ack_list_free(acks);
	return error;
}

/* ---- the kind: acknowledgments, checked and indexed --------------------- */

/* How far a statement's time may run ahead of the commit that records it. */
#define STATEMENT_SKEW (10 * 60)

/* The acknowledgment at `path`, the revision it names, the signer's organization. */
typedef struct {
	const char *path;
	const vault_revision *r;
	const char *org;
} acked;

/*
 * A marked revision exists only for the supplier users whose attestations
 * cover its marking (marking.h): one acknowledges it only so covered, on
 * the day of the commit that records it, by the attestations before it
 * (the write path never shows it to anyone else; a statement signed and
 * committed around qvault is held to the same).
 */
static void check_cleared(const vault_change_ctx *c, const char *path,
			  const vault_release *rel, const vault_user *u)
{
	char day[16];
	int ok = 0;

	if (!rel->marking || !vault_user__scope(u) || vault_marking__check(rel->marking) < 0)
		return; /* unmarked, the owner's side, or a marking the release's check refuses */
	vault_marking__today(day, sizeof(day), c->time);
	if (vault_marking__covers(&ok, c->store, c->before ? c->before : c->tree, u,
				  rel->marking, day) < 0 || !ok)
		c->found(c, path, "user '%s' acknowledges %s@%s, marked %s, without an attestation "
			 "covering it", u->name, rel->doc, rel->rev, rel->marking);
}

/*
 * What an acknowledgment states, against the vault and the revision as
 * they were before it: this vault, the signer's own key, a meaning the
 * vault knows (a rejection with its reason), a revision released to the
 * signer's organization by someone else, and a time after that release.
 */
static void check_statement(const vault_change_ctx *c, const char *path, json_t *root,
			    const vault_ack_info *a, const vault_user *u, const char *recpath)
{
	char relpath[VAULT_PATH_MAX * 2];
	const vault_release *rel;
	const char *vid = json_string_value(json_object_get(json_object_get(root, "predicate"),
							    "vault"));
	size_t i;
	int known = 0;

	if (!vid || strcmp(vid, c->vault_id) != 0)
		c->found(c, path, "the acknowledgment is for vault '%s', not this one ('%s')",
		      vid ? vid : "", c->vault_id);
	if (strcmp(a->fingerprint, u->fingerprint) != 0)
		c->found(c, path, "the statement names key fingerprint %s, but '%s''s key is %s",
		      a->fingerprint, u->name, u->fingerprint);
	for (i = 0; vault_ack_meanings[i]; i++)
		known |= strcmp(a->meaning, vault_ack_meanings[i]) == 0;
	if (!known)
		c->found(c, path, "the acknowledgment has an unknown meaning '%s'", a->meaning);
	if (strcmp(a->meaning, "rejected") == 0 && (!a->comment || !*a->comment))
		c->found(c, path, "the rejection gives no reason");
	if (a->time > c->time + STATEMENT_SKEW)
		c->found(c, path, "the statement is dated after the commit that records it");
	if (vault__fmt(relpath, sizeof(relpath), "path", "%.*s" VAULT_RELEASE_FILE,
		       (int)(strlen(recpath) - strlen(VAULT_RECORD_FILE)), recpath) < 0 ||
	    (rel = c->release_at(c, relpath)) == NULL) {
		c->found(c, path, "acknowledges a revision that was not released");
		return;
	}
	for (i = 0; i < rel->nto; i++)
		if (strcmp(rel->to[i], u->org) == 0)
			break;
	if (i == rel->nto)
		c->found(c, path, "acknowledges a revision not released to '%s'", u->org);
	if (strcmp(rel->by, u->name) == 0)
		c->found(c, path, "user '%s' acknowledges a revision it released itself", u->name);
	if (a->time < rel->at)
		c->found(c, path, "the acknowledgment is dated before the release");
	check_cleared(c, path, rel, u);
}

/*
 * A later revision released to the signer's organization supersedes the
 * acknowledged one for it; one released only to others does not (the
 * write path's rule, check_ackable, as the signer's organization sees it).
 */
static void superseded_by(const vault_change_ctx *c, const vault_revision *o, int released, void *payload)
{
	const acked *a = payload;
	char dir[VAULT_PATH_MAX], relpath[VAULT_PATH_MAX * 2];
	const vault_release *rel;
	size_t i;

	if (!released || o->seq <= a->r->seq ||
	    vault_record__doc_dir(dir, sizeof(dir), o->doc) < 0 ||
	    vault_record__rev_file(relpath, sizeof(relpath), dir, o->rev, VAULT_RELEASE_FILE) < 0 ||
	    (rel = c->release_at(c, relpath)) == NULL)
		return;
	for (i = 0; i < rel->nto; i++)
		if (strcmp(rel->to[i], a->org) == 0) {
			c->found(c, a->path, "acknowledges '%s@%s', superseded by "
			      "'%s@%s' for '%s'", a->r->doc, a->r->rev, o->doc, o->rev, a->org);
			return;
		}
}

static void check_in_effect(const vault_change_ctx *c, const char *path, const char *recpath,
			    const vault_revision *r, const char *org)
{
	size_t dirlen = strlen(recpath) - strlen(VAULT_RECORD_FILE) - 1;
	acked a = { path, r, org };
	char sub[VAULT_PATH_MAX * 2];

	if (!c->before)
		return;
	if (vault__fmt(sub, sizeof(sub), "path", "%.*s/" VAULT_OBSOLETE_FILE, (int)dirlen,
		       recpath) < 0 || vault_rules__has(c->store, c->before, sub))
		c->found(c, path,
		      "acknowledges '%s@%s', which was made obsolete", r->doc, r->rev);
	vault_rules__each_revision(c, c->before, r->doc, superseded_by, &a);
}

/* An added acknowledgment: its signature, signer and what it names. */
static void check_statement_file(const vault_change_ctx *c, const char *path, const char *doc,
				 const char *rev)
{
	char sigpath[VAULT_PATH_MAX * 2], recpath[VAULT_PATH_MAX * 2], *stmt = NULL;
	char *sig = NULL, *rec = NULL, *signer = NULL, fp[64];
	const git_tree *users = c->before ? c->before : c->tree;
	size_t slen, glen, rlen, i, k;
	vault_ack_info a;
	vault_revision r;
	const vault_user *u;
	json_t *stmt_json = NULL;

	memset(&a, 0, sizeof(a));
	if (vault__fmt(sigpath, sizeof(sigpath), "path", "%s.sig", path) < 0 ||
	    vault__fmt(recpath, sizeof(recpath), "path", "%.*s" VAULT_RECORD_FILE,
		       (int)(strstr(path, "/" VAULT_ACKS_DIR "/") - path + 1), path) < 0) {
		c->found(c, path, "%s", vault_error_message());
		return;
	}
	if (vault_store__read_path(&stmt, &slen, c->store, c->tree, path) < 0) {
		c->found(c, path, "the acknowledgment cannot be read");
		return;
	}
	if (vault_store__read_path(&sig, &glen, c->store, c->tree, sigpath) < 0) {
		c->found(c, path, "the acknowledgment has no signature beside it");
		goto done;
	}
	if (vault_sign__claimed(&signer, sig, glen, VAULT_ACK_NAMESPACE) < 0) {
		c->found(c, path, "the acknowledgment's signature does not verify: %s",
		      vault_error_message());
		goto done;
	}
	c->check_signature(c, path, VAULT_ACK_NAMESPACE, sig, glen, stmt, slen);
	if ((u = c->user_of_key(c, users, signer)) == NULL) {
		vault_sign__fingerprint_of(fp, signer);
		c->found(c, path, "the acknowledgment is signed by an unregistered key %s", fp);
		goto done;
	}
	if (u->revoked)
		c->found(c, path, "the acknowledgment is signed by revoked user '%s'", u->name);
	if (vault_ack__parse(&a, stmt, slen) < 0) {
		c->found(c, path, "the acknowledgment is malformed");
		goto done;
	}
	if (strcmp(a.signer, u->name) != 0 || strcmp(a.org, u->org) != 0)
		c->found(c, path, "the statement names '%s' of '%s' but '%s' of '%s' signed it",
		      a.signer, a.org, u->name, u->org);
	if (!(u->roles & VAULT_ROLE_SUPPLIER))
		c->found(c, path, "user '%s' may not acknowledge revisions", u->name);
	if (strcmp(a.doc, doc) != 0 || strcmp(a.rev, rev) != 0)
		c->found(c, path, "the acknowledgment of '%s@%s' is stored under '%s@%s'",
		      a.doc, a.rev, doc, rev);
	{
		/* one file per signer and meaning: a second copy of a statement (its
		 * signature re-encoded, an ECDSA (r, n-s), or the same bytes) under
		 * another name would count twice */
		char want[VAULT_NAME_MAX * 2 + 16];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		if (vault__fmt(want, sizeof(want), "file name", "%s-%s.json", a.signer,
			       a.meaning) < 0 || strcmp(base, want) != 0)
			c->found(c, path, "the acknowledgment is stored as '%s', not '%s'", base, want);
	}
	if (c->who && strcmp(c->who->name, u->name) != 0)
		c->found(c, path, "the acknowledgment by '%s' is recorded by '%s'", u->name,
		      c->who->name);
	stmt_json = json_loadb(stmt, slen, 0, NULL);
	check_statement(c, path, stmt_json, &a, u, recpath);
	if (vault_store__read_path(&rec, &rlen, c->store, c->tree, recpath) == 0 &&
	    vault_record__revision_parse(&r, rec, rlen) == 0) {
		json_t *subj = json_object_get(stmt_json, "subject"), *s;

		if (strcmp(r.added_by, u->name) == 0)
			c->found(c, path, "user '%s' acknowledges a revision it added itself",
			      u->name);
		check_in_effect(c, path, recpath, &r, u->org);

		for (i = 0; i < r.nfiles; i++) {
			int match = 0;

			json_array_foreach(subj, k, s) {
				const char *d = json_string_value(json_object_get(
					json_object_get(s, "digest"), "sha256"));

				if (d && strcmp(d, r.files[i].sha256) == 0)
					match = 1;
			}
			if (!match)
				c->found(c, path,
				      "the acknowledgment does not name the SHA-256 of '%s' of '%s@%s'",
				      r.files[i].name, doc, rev);
		}
		vault_revision_dispose(&r);
	} else {
		c->found(c, path, "the acknowledged revision '%s@%s' has no record", doc, rev);
	}
done:
	json_decref(stmt_json);
	vault_ack__dispose(&a);
	free(rec);
	free(signer);
	free(stmt);
	free(sig);
}


/* docs/.../<DOC>/<REV>/acks/<NAME>.json */
static void check_ack_file(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__revision_of(c, path, doc, rev, &rest) == 0)
		check_statement_file(c, path, doc, rev);
}

/* docs/.../acks/<NAME>.json.sig: checked with its statement, which must come with it. */
static void check_ack_signature(const vault_change_ctx *c, const char *path)
{
	char stmt[VAULT_PATH_MAX], doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;
	size_t n = strlen(path) - strlen(".sig");

	if (vault_rules__revision_of(c, path, doc, rev, &rest) < 0)
		return;
	if (n >= sizeof(stmt)) {
		c->found(c, path, "the path is too long");
		return;
	}
	memcpy(stmt, path, n);
	stmt[n] = '\0';
	if (!vault_rules__has(c->store, c->tree, stmt) || vault_rules__has(c->store, c->before, stmt))
		c->found(c, path, "adds a signature without its statement");
}

static const char SQL_ACK[] =
	"INSERT INTO acks (doc, rev, name, signer, org, fingerprint, meaning, comment, time, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

static const char SQL_ACK_ONCE[] =
	"SELECT commit_id FROM acks WHERE doc = ?1 AND rev = ?2 AND name = ?3";

/* An acknowledgment is recorded once: refused when its file is added again. */
static int once_ack(const vault_kind_file *f, const char *name)
{
	const char *keys[] = { f->m->key, f->m->rev, name };
	char what[3 * VAULT_NAME_MAX + 64];

	vault__fmt_message(what, sizeof(what), "the acknowledgment '%s' of %s@%s", name,
			   f->m->key, f->m->rev);
	return vault_index__once(f->idx, f->commit, f->path, SQL_ACK_ONCE, keys, 3, what);
}

static int index_ack(const vault_kind_file *f)
{
	const char *name = strrchr(f->path, '/') + 1;
	sqlite3_stmt *st;
	vault_ack_info a;
	char hex[41];
	int error;

	if (vault_ack__parse(&a, f->data, f->len) < 0)
		return vault_error__set(VAULT_EVERIFY, "%s: %s", f->path, vault_error_message());
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if ((error = once_ack(f, name)) == 0 &&
	    (error = vault_index__stmt(&st, f->idx, SQL_ACK)) == 0) {
		sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->m->rev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a.signer, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, a.org, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, a.fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, a.meaning, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, a.comment, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, a.time);
		sqlite3_bind_text(st, 10, hex, -1, SQLITE_STATIC);
		error = vault_index__step(f->idx, st, "cannot record an acknowledgment");
	}
	vault_ack__dispose(&a);
	return error;
}

const vault_kind vault_kind_ack = {
	.name = "acknowledgment",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_ACKS_DIR "/*.json",
	.ops = "ack",
	.made_by = "ack",
	.index = index_ack,
	.check = check_ack_file,
	.tables = "acks",
};
const vault_kind vault_kind_ack_signature = {
	.name = "acknowledgment signature",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_ACKS_DIR "/*.json.sig",
	.ops = "ack",
	.made_by = "ack",
	.check = check_ack_signature,
};
