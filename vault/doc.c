/*
 * doc.c - documents: adding revisions (one or a batch per commit), and
 * reading them back.
 */
#include "cert.h"
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "error.h"
#include "doc.h"
#include "exists.h"
#include "index.h"
#include "intake.h"
#include "kind.h"
#include "kinds.h"
#include "link.h"
#include "pack.h"
#include "package.h"
#include "pdf.h"
#include "txn.h"
#include "user.h"
#include "journal.h"
#include "marking.h"
#include "record.h"
#include "rules.h"
#include "stamp.h"
#include "util.h"

#define TITLE_MAX 1024
#define PARTS_MAX 256

/* One revision on its way in. */
typedef struct {
	const vault_add_options *opts;
	size_t index;       /* position in the batch, from 0 */
	char name[256];     /* stored file name */
	char rev[VAULT_NAME_MAX + 1];
	char type[32];
	unsigned seq;
} job;

/* What the branch already holds of one document. */
typedef struct {
	int exists;
	char type[32];
	unsigned max_seq;
	char last_rev[VAULT_NAME_MAX + 1];
	char org[VAULT_NAME_MAX + 1]; /* of its first revision: the document's owner */
	unsigned first_seq;
	int mixed;      /* a revision of no or another organization than the first's */
	git_tree *tree; /* the document's folder, NULL if new */
} doc_state;

static int check_fields(job *j)
{
	const vault_add_options *o = j->opts;
	size_t i;
	int error;

	if (!o->path || !*o->path)
		return vault_error__set(VAULT_EINVALID, "no file given");
	if ((error = vault_name_check("document number", o->doc)) < 0 ||
	    (o->rev && (error = vault_name_check("revision", o->rev)) < 0))
		return error;
	if (!o->type || !vault_record__type_known(o->type))
		return vault_error__set(VAULT_EINVALID,
			"unknown document type '%s' (known: drawing, spec, model, fai, coc, "
			"material-cert, inspection-report, process-cert, other)",
			o->type ? o->type : "");
	if ((error = vault__fmt(j->type, sizeof(j->type), "document type", "%s", o->type)) < 0)
		return error;
	if (o->title && (error = vault_record__text_check("title", o->title, TITLE_MAX)) < 0)
		return error;
	if ((o->expires && (error = vault_record__date_check("expiry date", o->expires)) < 0) ||
	    (o->review_by && (error = vault_record__date_check("review date", o->review_by)) < 0) ||
	    (o->review_by && (error = vault_record__dates_check(j->type, 0, NULL, o->review_by)) < 0))
		return error;
	if (o->nparts > PARTS_MAX)
		return vault_error__set(VAULT_EINVALID, "more than %d part numbers", PARTS_MAX);
	for (i = 0; i < o->nparts; i++)
		if ((error = vault_name_check("part number", o->parts[i])) < 0)
			return error;
	if (o->name) {
		if ((error = vault_record__file_name_check(o->name)) < 0)
			return error;
		return vault__fmt(j->name, sizeof(j->name), "file name", "%s", o->name);
	} else {
		const char *slash = strrchr(o->path, '/');
		const char *base = slash ? slash + 1 : o->path;

		if ((error = vault_record__file_name_check(base)) < 0)
			return error;
		return vault__fmt(j->name, sizeof(j->name), "file name", "%s", base);
	}
}

static void doc_state_dispose(doc_state *d)
{
	git_tree_free(d->tree);
	memset(d, 0, sizeof(*d));
}

/* Read what `root` records of document `doc`. */
static int load_doc_state(doc_state *d, vault_store *s, const git_tree *root, const char *doc)
{
	char dir[VAULT_PATH_MAX];
	git_tree_entry *te = NULL;
	size_t i;
	int error;

	memset(d, 0, sizeof(*d));
	vault_record__doc_dir(dir, sizeof(dir), doc);
	error = vault_store__entry(&te, s, root, dir);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0 || git_tree_lookup(&d->tree, vault_store__repo(s),
					 git_tree_entry_id(te)) < 0) {
		git_tree_entry_free(te);
		return vault_error__git(VAULT_ERROR, "cannot read document '%s'", doc);
	}
	git_tree_entry_free(te);
	d->exists = 1;
	for (i = 0; i < git_tree_entrycount(d->tree); i++) {
		const char *rev = git_tree_entry_name(git_tree_entry_byindex(d->tree, i));
		char path[VAULT_PATH_MAX], *data;
		vault_revision r;
		size_t len;

		if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s", rev,
					VAULT_RECORD_FILE)) < 0 ||
		    (error = vault_store__read_path(&data, &len, s, d->tree, path)) < 0)
			return error;
		error = vault_record__revision_parse(&r, data, len);
		free(data);
		if (error < 0)
			return vault_error__set(error, "record of '%s@%s': %s", doc, rev,
						vault_error_message());
		error = vault__fmt(d->type, sizeof(d->type), "document type", "%s", r.type);
		if (!error && (!d->first_seq || r.seq < d->first_seq)) {
			d->first_seq = r.seq;
			error = vault__fmt(d->org, sizeof(d->org), "organization", "%s",
					   r.org ? r.org : "");
		}
		if (!r.org || (d->org[0] && strcmp(d->org, r.org) != 0))
			d->mixed = 1;
		if (!error && r.seq > d->max_seq) {
			d->max_seq = r.seq;
			error = vault__fmt(d->last_rev, sizeof(d->last_rev), "revision", "%s", r.rev);
		}
		vault_revision_dispose(&r);
		if (error < 0)
			return error;
	}
	return 0;
}

static int rev_taken(const doc_state *d, const char *rev)
{
	return d->tree && git_tree_entry_byname(d->tree, rev) != NULL;
}

/*
 * A document belongs to the organization of its first revision: only its
 * users add revisions (a first revision recorded before records named
 * their organization binds no one).  The refusal says no more than that
 * (not whose it is, nor what it is).
 */
static int owned_by_another(const doc_state *d, const char *org)
{
	return d->exists && d->org[0] && strcmp(d->org, org) != 0;
}

/*
 * A supplier sees a number as its own only when every revision is its
 * organization's: any other (older records without an organization, or
 * revisions of several) would show in the next revision letter or in
 * "already has revision".
 */
static int foreign_to_scope(const doc_state *d, const char *scope)
{
	return scope && d->exists && (d->mixed || strcmp(d->org, scope) != 0);
}

/*
 * One refusal for every number the actor may not revise, whoever holds it
 * and whatever it holds, so that a supplier learns only that the number is
 * taken: the same words as for a document released to it.
 */
static int may_revise(const doc_state *d, const vault_user *actor, const char *doc)
{
	if (owned_by_another(d, actor->org) || foreign_to_scope(d, vault_user__scope(actor)))
		return vault_error__set(VAULT_EDENIED, "document number '%s' is not available", doc);
	return 0;
}

/*
 * Settle the revision and sequence of jobs[from..to), which all name the
 * same document, against what the branch holds and against each other.
 */
static int plan_doc(job **jobs, size_t n, vault *v, git_tree *root, const vault_user *actor)
{
	const char *doc = jobs[0]->opts->doc;
	doc_state d;
	size_t i, k;
	int error;

	if ((error = load_doc_state(&d, v->store, root, doc)) < 0 ||
	    (error = may_revise(&d, actor, doc)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		job *j = jobs[i];

		if (d.exists && strcmp(d.type, j->type) != 0) {
			error = vault_error__set(VAULT_EINVALID,
				"document '%s' is %s %s, not %s %s", doc, vault_record__a(d.type),
				d.type, vault_record__a(j->type), j->type);
			goto done;
		}
		if (j->opts->rev)
			error = vault__fmt(j->rev, sizeof(j->rev), "revision", "%s", j->opts->rev);
		else if (!d.exists)
			error = vault__fmt(j->rev, sizeof(j->rev), "revision", "A");
		else
			error = vault_record__next_rev(j->rev, sizeof(j->rev), d.last_rev);
		if (error < 0)
			goto done;
		if (rev_taken(&d, j->rev)) {
			error = vault_error__set(VAULT_EEXISTS,
				"document '%s' already has revision '%s'", doc, j->rev);
			goto done;
		}
		for (k = 0; k < i; k++)
			if (strcmp(jobs[k]->rev, j->rev) == 0) {
				error = vault_error__set(VAULT_EEXISTS,
					"revision '%s@%s' is given twice", doc, j->rev);
				goto done;
			}
		j->seq = ++d.max_seq;
		if ((error = vault__fmt(d.last_rev, sizeof(d.last_rev), "revision", "%s",
					j->rev)) < 0 ||
		    (error = vault__fmt(d.type, sizeof(d.type), "document type", "%s", j->type)) < 0)
			goto done;
		d.exists = 1;
	}
done:
	doc_state_dispose(&d);
	return error;
}

int vault_doc__plan(char *rev, size_t size, unsigned *seq, vault *v, git_tree *root,
		    const vault_user *actor, const char *doc, const char *type)
{
	doc_state d;
	int error;

	if ((error = load_doc_state(&d, v->store, root, doc)) < 0 ||
	    (error = may_revise(&d, actor, doc)) < 0)
		goto done;
	if (d.exists && strcmp(d.type, type) != 0) {
		error = vault_error__set(VAULT_EINVALID, "document '%s' is a %s, not a %s", doc,
					 d.type, type);
		goto done;
	}
	if ((error = d.exists ? vault_record__next_rev(rev, size, d.last_rev) :
			     vault__fmt(rev, size, "revision", "A")) < 0)
		goto done;
	*seq = d.max_seq + 1;
done:
	doc_state_dispose(&d);
	return error;
}

/* ---- streaming one file in --------------------------------------- */

static int sha_chunk(void *payload, const unsigned char *buf, size_t len, int first)
{
	(void)first;
	return EVP_DigestUpdate(payload, buf, len) ? 0 :
		vault_error__ssl(VAULT_ERROR, "cannot hash the file");
}

/*
 * Store the file taken in by `in`; fill `rec`'s file and the blob id.  A
 * whole file whose id the prefetcher computed goes straight to the pack.
 */
static int store_file(vault_revision *rec, git_oid *blob, vault *v,
		      vault_pack *pack, vault_intake *in, const job *j)
{
	unsigned char md[32];
	int error;

	if (in->hashed < in->first_len &&
	    !EVP_DigestUpdate(in->sha, in->first + in->hashed, in->first_len - in->hashed))
		return vault_error__ssl(VAULT_ERROR, "cannot hash '%s'", j->opts->path);
	if (pack && in->whole && !git_oid_is_zero(&in->id)) {
		git_oid_cpy(blob, &in->id);
		error = vault_pack__write(pack, blob, in->first, in->first_len,
					  GIT_OBJECT_BLOB);
	} else {
		error = vault_store__write_fd(blob, v->store, in->size, in->first,
					      in->first_len, in->fd, sha_chunk, in->sha);
	}
	if (error < 0) {
		if (strstr(vault_error_message(), "while it was being read"))
			vault_error__set(error, "file '%s' changed while it was being read",
					 j->opts->path);
		return error;
	}
	EVP_DigestFinal_ex(in->sha, md, NULL);
	if ((rec->files = calloc(1, sizeof(vault_file))) == NULL)
		abort();
	rec->nfiles = 1;
	rec->files[0].name = vault__strdup(j->name);
	rec->files[0].mime = vault__strdup(in->mime);
	rec->files[0].findings = in->findings;
	in->findings = NULL;
	rec->files[0].size = in->size;
	vault__hex(rec->files[0].sha256, md, sizeof(md));
	git_oid_tostr(rec->files[0].blob, sizeof(rec->files[0].blob), blob);
	return 0;
}

/* ---- adding ---------------------------------------------------------- */

/* Store one job's file and record; queue their tree updates. */
static int write_job(vault_revision *rec, vault_txn *t, vault *v,
		     vault_intake *in, const job *j)
{
	vault_enc er;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], *json = NULL;
	git_oid blob, record;
	size_t len;
	int error;

	memset(rec, 0, sizeof(*rec));
	if ((error = store_file(rec, &blob, v, t->pack, in, j)) < 0)
		return error;
	rec->doc = vault__strdup(j->opts->doc);
	rec->rev = vault__strdup(j->rev);
	rec->type = vault__strdup(j->type);
	rec->title = vault__strdup(j->opts->title);
	rec->seq = j->seq;
	rec->added_by = vault__strdup(t->actor.name);
	rec->org = vault__strdup(t->actor.org);
	rec->added_at = t->now;
	rec->expires = vault__strdup(j->opts->expires);
	rec->review_by = vault__strdup(j->opts->review_by);
	if (j->opts->nparts) {
		size_t i;

		if ((rec->parts = calloc(j->opts->nparts, sizeof(char *))) == NULL)
			abort();
		for (i = 0; i < j->opts->nparts; i++)
			rec->parts[i] = vault__strdup(j->opts->parts[i]);
		rec->nparts = j->opts->nparts;
	}
	if ((error = vault_record__revision_dump(&json, &len, rec)) < 0 ||
	    (error = vault_store__write_buf(&record, v->store, json, len)) < 0)
		goto done;
	vault_record__doc_dir(dir, sizeof(dir), rec->doc);
	if ((error = vault_record__rev_file(path, sizeof(path), dir, rec->rev, VAULT_RECORD_FILE)) < 0)
		goto done;
	vault__txn_put(t, path, &record);
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s/" VAULT_FILES_DIR "/%s", dir,
				vault_record__enc(&er, rec->rev), j->name)) < 0)
		goto done;
	vault__txn_put(t, path, &blob);
done:
	free(json);
	return error;
}

static int cmp_job_doc(const void *a, const void *b)
{
	const job *x = *(const job *const *)a, *y = *(const job *const *)b;
	int c = strcmp(x->opts->doc, y->opts->doc);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Prefix the current error with the failing entry of a batch. */
static int in_entry(int error, size_t n, const job *j)
{
	if (n > 1)
		return vault_error__set(error, "entry %zu: %s", j->index + 1,
					vault_error_message());
	return error;
}

static int same_type(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Check every entry's fields and file, before anything is locked: each
 * file's size against its type's upload limit before a byte is read.
 */
static int check_batch(vault *v, job *jobs, const char **paths, const char **types, size_t n)
{
	char key[VAULT_NAME_MAX + 32];
	uint64_t limit = 0;
	size_t i;
	int error;

	for (i = 0; i < n; i++)
		if ((error = check_fields(&jobs[i])) < 0)
			return in_entry(error, n, &jobs[i]);
	for (i = 0; i < n; i++) {
		paths[i] = jobs[i].opts->path;
		types[i] = jobs[i].type;
		/* the limit read once for a run of entries of one type: each
		 * read is a snapshot of the git config, stat()s of its files
		 * (13 per cent of an import of 10,000 drawings) */
		if ((i == 0 || !same_type(types[i], types[i - 1])) &&
		    (error = vault__upload_limit(&limit, key, sizeof(key), v, types[i])) < 0)
			return in_entry(error, n, &jobs[i]);
		if ((error = vault_intake__check_path(paths[i], limit, key)) < 0)
			return in_entry(error, n, &jobs[i]);
	}
	return 0;
}

/* Settle revisions and sequences, one document at a time. */
static int plan_batch(job **order, size_t n, vault *v, git_tree *root, const vault_user *actor)
{
	size_t i, k;
	int error;

	qsort(order, n, sizeof(job *), cmp_job_doc);
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && strcmp(order[k]->opts->doc, order[i]->opts->doc) == 0; k++)
			;
		if ((error = plan_doc(order + i, k - i, v, root, actor)) < 0)
			return in_entry(error, n, order[i]);
	}
	return 0;
}

/*
 * Take in and store every file, in order; a batch reads one file ahead
 * on a second thread and writes into `pack`.
 */
static int write_batch(vault_revision *recs, vault_txn *t, vault *v, const job *jobs,
		       const char *const *paths, const char *const *types, size_t n)
{
	const vault_config *cfg = &t->cfg;
	vault_prefetch *prefetch = NULL;
	vault_detect *detect;
	size_t i;
	int error;

	if ((error = vault__detector(&detect, v)) < 0 ||
	    (t->pack && (error = vault_prefetch__start(&prefetch, detect, cfg, paths,
							types, n)) < 0))
		return error;
	for (i = 0; i < n; i++) {
		vault_intake in;

		/* one file is no long work worth a line */
		if (n > 1)
			vault__progress(&v->progress, "Storing files", i, n);
		error = prefetch ? vault_prefetch__next(&in, prefetch) :
			vault_intake__open(&in, detect, cfg, paths[i], types[i], 0);
		if (error == 0) {
			error = write_job(&recs[i], t, v, &in, &jobs[i]);
			vault_intake__dispose(&in);
		}
		if (error < 0) {
			error = in_entry(error, n, &jobs[i]);
			break;
		}
	}
	vault_prefetch__free(prefetch);
	if (!error && n > 1)
		vault__progress_end(&v->progress, "Storing files", n, n);
	return error;
}

static int commit_message(vault_buf *buf, const job *jobs, size_t n)
{
	const vault_add_options *o = jobs[0].opts;

	/* the title is free text: the subject shows its start */
	if (n == 1)
		return vault_buf__addf(buf,
			 "add %s@%s%s%.200s\n\nQvault-Op: add\nQvault-Doc: %s\nQvault-Rev: %s\n",
			 o->doc, jobs[0].rev, o->title ? ": " : "", o->title ? o->title : "",
			 o->doc, jobs[0].rev);
	return vault_buf__addf(buf, "import %zu revisions\n\nQvault-Op: import\n", n);
}

/*
 * The shared path of add and import: check everything, then write every
 * file, record and tree, then one commit, then move the branch.  Nothing
 * is written until every entry has passed the checks that need no reading
 * of content; a content refusal aborts the pack (batch) or happens before
 * the first byte is stored (single add).
 */
/*
 * Whether organization `org` may be released a revision marked `m` at the
 * transaction's time (marking.h; verify holds the release to the same).
 */
static int release_cleared(vault *v, vault_txn *t, const char *org, const char *m)
{
	char day[16];
	int ok = 0, error;

	vault_marking__today(day, sizeof(day), t->now);
	if ((error = vault_marking__org_cleared(&ok, v->store, t->root, org, m, day)) < 0)
		return error;
	if (!ok)
		return vault_error__set(VAULT_EDENIED,
			"organization '%s' holds no attestation in force that clears %s "
			"(see qvault org attest)", org, m);
	return 0;
}

/* Check a release's organizations and date against the tree. */
static int check_release(vault_txn *t, vault *v, const vault_release_options *rel,
			 const job *j)
{
	vault_user_list *users;
	size_t i, k;
	int error;

	if ((error = vault_user__may(&t->actor, VAULT_ROLE_BUYER, "release documents")) < 0)
		return error;
	if (!vault_record__controlled(j->type))
		return vault_error__set(VAULT_EINVALID,
			"only drawings, models and specs are released, not %s %s",
			vault_record__a(j->type), j->type);
	if (!j->opts->rev)
		return vault_error__set(VAULT_EINVALID, "a release names its revision (--rev)");
	if (rel->nto == 0)
		return vault_error__set(VAULT_EINVALID, "a release goes to at least one organization");
	if (rel->reason && (error = vault_record__text_check("reason", rel->reason, 1024)) < 0)
		return error;
	if (rel->effective && (error = vault_record__date_check("effective date", rel->effective)) < 0)
		return error;
	if (rel->marking && (error = vault_marking__check(rel->marking)) < 0)
		return error;
	if (rel->licence && !rel->marking)
		return vault_error__set(VAULT_EINVALID, "a licence is given with a marking (--marking)");
	if (rel->licence && (error = vault_record__text_check("licence", rel->licence, 128)) < 0)
		return error;
	if ((error = vault_user__list(&users, v->store, t->root)) < 0)
		return error;
	for (i = 0; i < rel->nto && !error; i++) {
		if ((error = vault_plain_name_check("organization", rel->to[i])) < 0)
			break;
		/* a release record lists each organization once: "acme,acme"
		 * is a client's slip, not two distributions */
		for (k = 0; k < i; k++)
			if (strcmp(rel->to[k], rel->to[i]) == 0)
				break;
		if (k < i) {
			error = vault_error__set(VAULT_EINVALID,
				"organization '%s' is named twice", rel->to[i]);
			break;
		}
		for (k = 0; k < users->count; k++)
			if (strcmp(users->items[k].org, rel->to[i]) == 0)
				break;
		if (k == users->count)
			error = vault_error__set(VAULT_ENOTFOUND,
				"no user belongs to organization '%s'", rel->to[i]);
		else if (rel->marking)
			error = release_cleared(v, t, rel->to[i], rel->marking);
	}
	vault_user_list_free(users);
	return error;
}

/* Queue the release record of the revision just written. */
static int put_release(vault_txn *t, vault *v, const vault_release_options *rel,
		       const vault_revision *rec)
{
	vault_release r;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], *json;
	size_t len;
	int error;

	memset(&r, 0, sizeof(r));
	r.doc = rec->doc;
	r.rev = rec->rev;
	r.to = (char **)(uintptr_t)rel->to;
	r.nto = rel->nto;
	r.reason = (char *)(uintptr_t)rel->reason;
	r.effective = (char *)(uintptr_t)rel->effective;
	r.marking = (char *)(uintptr_t)rel->marking;
	r.licence = (char *)(uintptr_t)rel->licence;
	r.by = t->actor.name;
	r.at = t->now;
	if ((error = vault_record__release_dump(&json, &len, &r)) < 0)
		return error;
	vault_record__doc_dir(dir, sizeof(dir), rec->doc);
	if ((error = vault_record__rev_file(path, sizeof(path), dir, rec->rev, VAULT_RELEASE_FILE)) == 0)
		error = vault__txn_put_data(t, v, path, json, len);
	/* trusted time over the record the commit's signature covers (stamp.h) */
	if (!error)
		error = vault_stamp__put(t, v, path, json, len);
	free(json);
	return error;
}

static int add_batch(vault_revision *out, vault *v, const vault_add_options *opts,
		     size_t n, const vault_release_options *rel)
{
	job *jobs = calloc(n ? n : 1, sizeof(job));
	job **order = calloc(n ? n : 1, sizeof(job *));
	vault_revision *recs = calloc(n ? n : 1, sizeof(vault_revision));
	const char **paths = calloc(n ? n : 1, sizeof(char *));
	const char **types = calloc(n ? n : 1, sizeof(char *));
	vault_txn t;
	vault_buf message = VAULT_BUF_INIT;
	git_oid commit;
	size_t i;
	int error, linked = 0;

	memset(&t, 0, sizeof(t));
	if (!jobs || !order || !recs || !paths || !types)
		abort();
	for (i = 0; i < n; i++) {
		jobs[i].opts = &opts[i];
		jobs[i].index = i;
		order[i] = &jobs[i];
	}
	if (n == 0) {
		error = vault_error__set(VAULT_EINVALID, "nothing to add");
		goto done;
	}
	if ((error = check_batch(v, jobs, paths, types, n)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((error = rel ? check_release(&t, v, rel, &jobs[i]) :
			     vault_user__may_add(&t.actor, jobs[i].type)) < 0 ||
		    (error = vault_record__dates_check(jobs[i].type, t.now, jobs[i].opts->expires,
						       jobs[i].opts->review_by)) < 0) {
			error = in_entry(error, n, &jobs[i]);
			goto done;
		}
	if ((error = plan_batch(order, n, v, t.root, &t.actor)) < 0)
		goto done;
	/* links are checked before any byte is stored: a refusal leaves no trace */
	for (i = 0; i < n; i++) {
		const vault_add_options *o = jobs[i].opts;

		if ((o->po && (error = vault_link__put(&t, v, o->doc, jobs[i].rev, VAULT_LINK_PO,
						       o->po)) < 0) ||
		    (o->lot && (error = vault_link__put(&t, v, o->doc, jobs[i].rev, VAULT_LINK_LOT,
							o->lot)) < 0)) {
			error = in_entry(error, n, &jobs[i]);
			goto done;
		}
		if (o->po || o->lot)
			linked = 1;
	}
	/* certificate data too: checked before any byte is stored */
	for (i = 0; i < n; i++) {
		const vault_add_options *o = jobs[i].opts;
		char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], *json;
		size_t len;

		if (!o->meta)
			continue;
		if (strcmp(jobs[i].type, "material-cert") != 0) {
			error = in_entry(vault_error__set(VAULT_EINVALID,
				"certificate data is for a material-cert, not %s %s",
				vault_record__a(jobs[i].type), jobs[i].type), n,
				&jobs[i]);
			goto done;
		}
		if ((error = vault_cert__record(&json, &len, o->meta, o->doc, jobs[i].rev)) < 0) {
			error = in_entry(error, n, &jobs[i]);
			goto done;
		}
		vault_record__doc_dir(dir, sizeof(dir), o->doc);
		if ((error = vault_record__rev_file(path, sizeof(path), dir, jobs[i].rev, VAULT_CERT_FILE)) == 0)
			error = vault__txn_put_data(&t, v, path, json, len);
		free(json);
		if (error < 0)
			goto done;
		linked = 1;
	}
	if ((n > 1 && (error = vault__txn_batch(&t, v)) < 0) ||
	    (error = write_batch(recs, &t, v, jobs, paths, types, n)) < 0)
		goto done;
	if (rel) {
		size_t k;

		if ((error = put_release(&t, v, rel, &recs[0])) < 0 ||
		    (error = vault_buf__addf(&message, "release %s@%s to ", recs[0].doc,
					     recs[0].rev)) < 0)
			goto done;
		for (k = 0; k < rel->nto && !error; k++)
			error = vault_buf__addf(&message, "%s%s", k ? "," : "", rel->to[k]);
		if (error < 0 ||
		    (error = vault_buf__addf(&message,
			 "\n\nQvault-Op: release\nQvault-Doc: %s\nQvault-Rev: %s\n",
			 recs[0].doc, recs[0].rev)) < 0)
			goto done;
	} else if ((error = commit_message(&message, jobs, n)) < 0) {
		goto done;
	}
	/* a release, a link or certificate data is more than revisions: index by reading back */
	if ((error = vault__txn_commit(&t, v, message.data, rel || linked ? NULL : recs,
				       rel || linked ? 0 : n, &commit)) < 0)
		goto done;
	if (out) {
		*out = recs[0];
		git_oid_tostr(out->commit, sizeof(out->commit), &commit);
		memset(&recs[0], 0, sizeof(recs[0]));
	}
done:
	vault_buf__dispose(&message);
	vault__txn_end(&t, v);
	for (i = 0; i < n; i++)
		vault_revision_dispose(&recs[i]);
	free(recs);
	free(paths);
	free(types);
	free(order);
	free(jobs);
	return error;
}

int vault_doc_add(vault_revision *out, vault *v, const vault_add_options *opts)
{
	vault_revision rec;
	char *org;
	int error;

	if (!out)
		return add_batch(NULL, v, opts, 1, NULL);
	memset(out, 0, sizeof(*out));
	if ((error = add_batch(&rec, v, opts, 1, NULL)) < 0)
		return error;
	/* give back the revision as the index now sees it, with its state, as
	 * the adder sees it.  The revision is recorded whatever happens here:
	 * if the index cannot be read back (an I/O error), give back what was
	 * written. */
	if ((error = vault__viewer(&org, v)) < 0 ||
	    (error = vault_index__get(out, v->index, rec.doc, rec.rev, org)) < 0) {
		vault__warn(v, "added; the index cannot show it yet (%s)", vault_error_message());
		*out = rec;
		out->state = vault_record__controlled(rec.type) ? "draft" : "recorded";
		out->seq = org ? 0 : out->seq; /* as the index gives a supplier it: none */
		free(org);
		return 0;
	}
	free(org);
	vault_revision_dispose(&rec);
	return 0;
}

int vault_doc_release(vault_revision *out, vault *v, const vault_add_options *add,
		      const vault_release_options *release)
{
	vault_revision rec;
	int error;

	if (out)
		memset(out, 0, sizeof(*out));
	if ((error = add_batch(&rec, v, add, 1, release)) < 0)
		return error;
	/* give back the revision as the index now sees it: released.  The
	 * release is recorded whatever happens here: if the index cannot be
	 * read back (an I/O error), give back what was written. */
	if (out && vault_index__get(out, v->index, rec.doc, rec.rev, NULL) < 0) {
		vault__warn(v, "released; the index cannot show it yet (%s)", vault_error_message());
		*out = rec;
		out->state = "released";
		return 0;
	}
	vault_revision_dispose(&rec);
	return 0;
}

int vault_doc_import(size_t *count, vault *v, const vault_add_options *entries,
		     size_t nentries)
{
	int error = add_batch(NULL, v, entries, nentries, NULL);

	*count = error < 0 ? 0 : nentries;
	return error;
}

/* ---- reading ---------------------------------------------------------- */

int vault_doc_get(vault_revision *out, vault *v, const char *doc, const char *rev)
{
	return vault__revision(out, v, doc, rev);
}

int vault_doc_revisions(vault_revision_list **out, vault *v, const char *doc)
{
	int error;

	char *org;

	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault__viewer(&org, v)) < 0)
		return error;
	error = vault_index__revisions(out, v->index, doc, org);
	free(org);
	return error;
}

/*
 * Who reads, and whether what `filter` names may be asked: into *org the
 * viewer's organization (NULL: sees all), to free.
 */
static int list_viewer(char **org, vault *v, const vault_list_filter *filter)
{
	int error;

	if (filter && filter->type && !vault_record__type_known(filter->type))
		return vault_error__set(VAULT_EINVALID, "unknown document type '%s'",
					filter->type);
	if ((error = vault__viewer(org, v)) < 0)
		return error;
	/* a part the viewer may not see is unknown to it, as one that is not */
	if (filter && filter->part && (error = vault__part_exists(v, filter->part, *org)) < 0) {
		free(*org);
		return error;
	}
	return 0;
}

int vault_doc_list(vault_revision_list **out, vault *v, const vault_list_filter *filter)
{
	char *org;
	int error;

	if ((error = list_viewer(&org, v, filter)) < 0)
		return error;
	error = vault_index__list(out, v->index, filter, org);
	free(org);
	return error;
}

int vault_doc_count(size_t *count, vault *v, const vault_list_filter *filter)
{
	char *org;
	int error;

	if ((error = list_viewer(&org, v, filter)) < 0)
		return error;
	error = vault_index__count(count, v->index, filter, org);
	free(org);
	return error;
}

typedef struct {
	int fd;
	EVP_MD_CTX *sha;
	uint64_t size;
} outflow;

static int outflow_chunk(void *payload, const unsigned char *buf, size_t len, int first)
{
	outflow *o = payload;

	(void)first;
	EVP_DigestUpdate(o->sha, buf, len);
	o->size += len;
	return vault__write_all(o->fd, buf, len);
}

/* Stream `f` of `rev` to `fd`, checking its SHA-256. */
static int cat_file(vault *v, const vault_revision *rev, const vault_file *f, int fd)
{
	outflow o = { fd, EVP_MD_CTX_new(), 0 };
	unsigned char md[32];
	char hex[65];
	git_oid id;
	int error;

	if (!o.sha || !EVP_DigestInit_ex(o.sha, EVP_sha256(), NULL) ||
	    git_oid_fromstr(&id, f->blob) < 0) {
		EVP_MD_CTX_free(o.sha);
		return vault_error__set(VAULT_ERROR, "cannot start reading '%s@%s'",
					rev->doc, rev->rev);
	}
	error = vault_store__read_blob(v->store, &id, outflow_chunk, &o);
	EVP_DigestFinal_ex(o.sha, md, NULL);
	EVP_MD_CTX_free(o.sha);
	if (error < 0)
		return error;
	vault__hex(hex, md, sizeof(md));
	if (o.size != f->size || strcmp(hex, f->sha256) != 0)
		return vault_error__set(VAULT_EVERIFY,
			"file '%s' of '%s@%s' does not match its recorded SHA-256 (stored %s, recorded %s)",
			f->name, rev->doc, rev->rev, hex, f->sha256);
	return 0;
}

/*
 * The file to stream: file `index` of revision rev->doc@rev->rev as the
 * index records it for the viewer, never the caller's copy, so that only
 * what vault_doc_get shows the viewer can be read.
 */
static int file_to_cat(vault_file *out, char **marking, vault *v, const vault_revision *rev,
		       size_t index)
{
	vault_revision seen;
	char *org;
	int error;

	if ((error = vault__viewer(&org, v)) < 0)
		return error;
	error = vault_index__get(&seen, v->index, rev->doc, rev->rev, org);
	free(org);
	if (error < 0)
		return error;
	if (index >= seen.nfiles) {
		error = vault_error__set(VAULT_ENOTFOUND, "'%s@%s' has no file %zu",
					 rev->doc, rev->rev, index + 1);
	} else {
		*out = seen.files[index];
		out->name = vault__strdup(out->name);
		out->mime = vault__strdup(out->mime);
		out->findings = NULL;
		*marking = vault__strdup(seen.marking);
	}
	vault_revision_dispose(&seen);
	return error;
}

int vault_doc_cat(vault *v, const vault_revision *rev, size_t index, int fd)
{
	vault_file file = { 0 };
	char *marking = NULL;
	int error;

	if (!rev->doc || !rev->rev)
		return vault_error__set(VAULT_EINVALID, "no revision to read");
	if ((error = file_to_cat(&file, &marking, v, rev, index)) < 0)
		return error;
	/* a marked revision's bytes go out only once the journal holds it */
	if (!marking || (error = vault_journal__record(v, rev->doc, rev->rev, file.name, file.sha256,
							 marking, v->journal_how ? v->journal_how :
							 "cat")) == 0)
		error = cat_file(v, rev, &file, fd);
	free(marking);
	free(file.name);
	free(file.mime);
	return error;
}

int vault_doc_obsolete(vault *v, const char *doc, const char *rev, const char *reason)
{
	vault_revision r;
	vault_txn t;
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 2], *json = NULL;
	vault_buf message = VAULT_BUF_INIT;
	size_t len;
	int error;

	memset(&r, 0, sizeof(r));
	if ((error = vault_name_check("document number", doc)) < 0)
		return error;
	if (!rev)
		return vault_error__set(VAULT_EINVALID,
			"name the revision of '%s' to make obsolete: DOC@REV", doc);
	if ((error = vault_name_check("revision", rev)) < 0)
		return error;
	if (!reason || !*reason)
		return vault_error__set(VAULT_EINVALID, "making a revision obsolete needs a reason");
	if ((error = vault_record__text_check("reason", reason, 1024)) < 0 ||
	    (error = vault__txn_begin(&t, v)) < 0)
		return error;
	if ((error = vault_user__may(&t.actor, VAULT_ROLE_BUYER, "make documents obsolete")) < 0)
		goto done;
	if ((error = vault_index__get(&r, v->index, doc, rev, NULL)) < 0)
		goto done;
	if (strcmp(r.state, "obsolete") == 0) {
		error = vault_error__set(VAULT_EEXISTS, "'%s@%s' is already obsolete", r.doc, r.rev);
		goto done;
	}
	vault_record__doc_dir(dir, sizeof(dir), r.doc);
	/* the reason is free text: the subject shows its start */
	if ((error = vault_record__rev_file(path, sizeof(path), dir, r.rev, VAULT_OBSOLETE_FILE)) < 0 ||
	    (error = vault_buf__addf(&message,
		 "obsolete %s@%s: %.200s\n\nQvault-Op: obsolete\nQvault-Doc: %s\nQvault-Rev: %s\n",
		 r.doc, r.rev, reason, r.doc, r.rev)) < 0 ||
	    (error = vault_record__obsolete_dump(&json, &len, r.doc, r.rev, reason,
						 t.actor.name, t.now)) < 0 ||
	    (error = vault__txn_put_data(&t, v, path, json, len)) < 0)
		goto done;
	error = vault__txn_commit(&t, v, message.data, NULL, 0, NULL);
done:
	vault_buf__dispose(&message);
	free(json);
	vault_revision_dispose(&r);
	vault__txn_end(&t, v);
	return error;
}

/* ---- the kinds of a revision folder --------------------------------- */

static int count_blob(const char *root, const git_tree_entry *e, void *payload)
{
	(void)root;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		++*(size_t *)payload;
	return 0;
}

/* The folder of document `doc` in `tree`, or NULL. */
static git_tree *doc_folder(const vault_change_ctx *c, const git_tree *tree, const char *doc)
{
	char dir[VAULT_PATH_MAX];
	git_tree *t = NULL;

	if (tree && vault_record__doc_dir(dir, sizeof(dir), doc) == 0)
		vault_store__tree_at(&t, c->store, tree, dir);
	return t;
}

/* The record of revision folder `rev` of document folder `folder`. */
static int read_revision(vault_revision *out, const vault_change_ctx *c, const git_tree *folder,
			 const char *rev)
{
	char path[VAULT_PATH_MAX * 2], *data = NULL;
	size_t len;
	int error;

	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_RECORD_FILE, rev)) < 0 ||
	    (error = vault_store__read_path(&data, &len, c->store, folder, path)) < 0)
		return error;
	error = vault_record__revision_parse(out, data, len);
	free(data);
	return error;
}

/*
 * A new record's number (seq) follows its document's revisions, 1, 2,
 * ... with none twice, and its type is theirs.  The revisions the
 * trusted tree before held were checked so when they were added (verify
 * walks the history oldest first), so they are 1 to m, of one type: the
 * records this commit adds are read, and one of those before, not every
 * revision of the document at each new one.  (check_record reads them up
 * to the first, for its organization: first_org.)
 */
static void check_numbering(const vault_change_ctx *c, const char *path, const vault_revision *r)
{
	git_tree *now = doc_folder(c, c->tree, r->doc), *was = doc_folder(c, c->before, r->doc);
	size_t i, n = 0, m = 0, same = 0;
	int typed = 0, one_before = 0;

	for (i = 0; now && i < git_tree_entrycount(now); i++) {
		const char *rev = git_tree_entry_name(git_tree_entry_byindex(now, i));
		int before = was && git_tree_entry_byname(was, rev) != NULL;
		vault_revision o;

		if (before && one_before) {
			n++, m++;
			continue;
		}
		/* a folder without a record is none (its files are findings) */
		if (read_revision(&o, c, before ? was : now, rev) < 0)
			continue;
		n++;
		if (before)
			m++, one_before = 1;
		else
			same += o.seq == r->seq;
		if (strcmp(o.type, r->type) != 0 && !typed++)
			c->found(c, path, "the record makes '%s' %s %s, but its revision '%s' is %s %s",
				 r->doc, vault_record__a(r->type), r->type, o.rev,
				 vault_record__a(o.type), o.type);
		vault_revision_dispose(&o);
	}
	/* a number up to m is one of those before */
	same += r->seq >= 1 && r->seq <= m;
	if (r->seq < 1 || r->seq > n || same != 1)
		c->found(c, path, "the record is revision number %u of '%s', which has %zu%s",
			 r->seq, r->doc, n, same > 1 ? " and another of that number" : "");
	git_tree_free(now);
	git_tree_free(was);
}

/*
 * The revision folder of a new record: its files/ holds exactly the
 * files the record lists, and its number (seq) follows the revisions
 * the document had: 1, 2, ... with none twice.
 */
static void check_revision_folder(const vault_change_ctx *c, const char *path,
				  const vault_revision *r)
{
	char dir[VAULT_PATH_MAX + 8];
	git_tree *t = NULL;
	size_t n = 0;

	if (vault__fmt(dir, sizeof(dir), "path", "%.*s" VAULT_FILES_DIR, (int)(strlen(path) -
		       strlen(VAULT_RECORD_FILE)), path) < 0) {
		c->found(c, path, "%s", vault_error_message());
		return;
	}
	if (vault_store__tree_at(&t, c->store, c->tree, dir) == 0)
		git_tree_walk(t, GIT_TREEWALK_PRE, count_blob, &n);
	git_tree_free(t);
	if (n != r->nfiles)
		c->found(c, path, "the revision folder holds %zu files, its record lists %zu",
		      n, r->nfiles);
	check_numbering(c, path, r);
}

/* An added record.json: its path, its fields, and who may add its type. */
static void check_record_fields(const vault_change_ctx *c, const char *path, const char *doc,
				const char *rev)
{
	char dir[VAULT_PATH_MAX], *data = NULL;
	vault_revision r;
	size_t len;

	if (vault_store__read_path(&data, &len, c->store, c->tree, path) < 0 ||
	    vault_record__revision_parse(&r, data, len) < 0) {
		free(data);
		c->found(c, path, "the record is malformed: %s",
		      vault_error_message());
		return;
	}
	free(data);
	vault_record__doc_dir(dir, sizeof(dir), r.doc);
	if (strcmp(r.doc, doc) != 0 || strcmp(r.rev, rev) != 0 ||
	    strncmp(path, dir, strlen(dir)) != 0)
		c->found(c, path,
		      "the record of '%s@%s' is stored where '%s@%s' belongs", r.doc, r.rev, doc, rev);
	if (c->who && strcmp(r.added_by, c->who->name) != 0)
		c->found(c, path,
		      "the record names '%s' as its author, but '%s' signed the commit",
		      r.added_by, c->who->name);
	if (c->who && vault_user__may_add(c->who, r.type) < 0)
		c->found(c, path, "%s", vault_error_message());
	if (c->who && (!r.org || strcmp(r.org, c->who->org) != 0))
		c->found(c, path,
		      "the record names organization '%s', but '%s' of '%s' signed the commit",
		      r.org ? r.org : "", c->who->name, c->who->org);
	if (r.added_at != c->time)
		c->found(c, path,
		      "the record is dated %lld, its commit %lld", (long long)r.added_at,
		      (long long)c->time);
	if (vault_record__dates_check(r.type, r.added_at, r.expires, r.review_by) < 0)
		c->found(c, path, "%s", vault_error_message());
	check_revision_folder(c, path, &r);
	vault_revision_dispose(&r);
}

/* release.json and obsolete.json: what they name, who wrote them, when. */
static void check_state(const vault_change_ctx *c, const char *path, const char *doc,
			const char *rev, int release)
{
	char *data = NULL, *reason = NULL, *by = NULL;
	vault_release r;
	int64_t at = 0;
	size_t len;
	int ok;

	memset(&r, 0, sizeof(r));
	if (vault_store__read_path(&data, &len, c->store, c->tree, path) < 0) {
		c->found(c, path, "the record cannot be read");
		return;
	}
	if (release) {
		ok = vault_record__release_parse(&r, data, len) == 0 && strcmp(r.doc, doc) == 0 &&
		     strcmp(r.rev, rev) == 0;
		by = r.by;
		at = r.at;
	} else {
		ok = vault_record__obsolete_parse(&reason, &by, &at, data, len) == 0;
	}
	free(data);
	if (!ok)
		c->found(c, path, "the record is malformed or stored where another belongs");
	else if (c->who && strcmp(by, c->who->name) != 0)
		c->found(c, path, "the record names '%s' as its author, but '%s' signed the commit",
		      by, c->who->name);
	else if (at != c->time)
		c->found(c, path, "the record is dated %lld, its commit %lld", (long long)at,
		      (long long)c->time);
	if (release)
		vault_record__release_dispose(&r);
	else {
		free(reason);
		free(by);
	}
}

/*
 * The organization of document `doc`'s first revision in `tree` (its
 * owner; "" for a revision recorded before records named one, or none
 * that reads): 1 when `tree` has the document, 0 when not.  Verify walks
 * the history oldest first, so the revisions `tree` holds were numbered
 * 1 to m when they were checked: the search ends at number 1, most often
 * the first folder, where load_doc_state reads every revision, at each
 * new one (and each read of an old record is a read at random across the
 * packs).  A folder without a readable record is none (it was a finding
 * when it came): a forged one sorted first silences no later check.
 */
static int first_org(char *org, size_t size, const vault_change_ctx *c, const git_tree *tree,
		     const char *doc)
{
	git_tree *folder = doc_folder(c, tree, doc);
	unsigned first = 0;
	size_t i;

	org[0] = '\0';
	if (!folder)
		return 0;
	for (i = 0; i < git_tree_entrycount(folder) && first != 1; i++) {
		const char *rev = git_tree_entry_name(git_tree_entry_byindex(folder, i));
		vault_revision r;

		if (read_revision(&r, c, folder, rev) < 0)
			continue;
		if (!first || r.seq < first) {
			first = r.seq;
			/* an organization is a name: it fits, or the record would not parse */
			if (vault__fmt(org, size, "organization", "%s", r.org ? r.org : "") < 0)
				org[0] = '\0';
		}
		vault_revision_dispose(&r);
	}
	git_tree_free(folder);
	return 1;
}

/*
 * An added docs/.../<DOC>/<REV>/record.json: its fields, its folder, and
 * a document that has revisions before it belongs to the organization of
 * its first.
 */
static void check_record(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1], owner[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__revision_of(c, path, doc, rev, &rest) < 0)
		return;
	check_record_fields(c, path, doc, rev);
	if (c->who && c->before && first_org(owner, sizeof(owner), c, c->before, doc) > 0 &&
	    owner[0] && strcmp(owner, c->who->org) != 0)
		c->found(c, path, "user '%s' of '%s' adds a revision to document '%s' of '%s'",
			 c->who->name, c->who->org, doc, owner);
}

/* The first `want` bytes of a blob (fewer when it is shorter). */
typedef struct {
	unsigned char *buf;
	size_t len, want;
} head_read;

static int head_chunk(void *payload, const unsigned char *buf, size_t len, int first)
{
	head_read *h = payload;
	size_t take = len < h->want - h->len ? len : h->want - h->len;

	(void)first;
	memcpy(h->buf + h->len, buf, take);
	h->len += take;
	return h->len == h->want; /* enough: stop reading */
}

/* The vault.json of `tree`, parsed; 0 when it is there and well formed. */
static int config_in(vault_config *cfg, const vault_change_ctx *c, const git_tree *tree)
{
	char *data = NULL;
	size_t len;
	int error;

	memset(cfg, 0, sizeof(*cfg));
	if ((error = vault_store__read_path(&data, &len, c->store, tree, VAULT_CONFIG_FILE)) < 0)
		return error;
	error = vault_config__parse(cfg, data, len);
	free(data);
	return error;
}

static int blob_to_fd(void *payload, const unsigned char *buf, size_t len, int first)
{
	(void)first;
	return vault__write_all(*(int *)payload, buf, len);
}

/*
 * The first line of `found` whose kind of finding `recorded` (lines, NULL:
 * none) has no line of; NULL when it has each.  *len: that line's length.
 */
static const char *unrecorded(int *len, const char *found, const char *recorded)
{
	unsigned kinds = 0;
	const char *p;

	for (p = recorded; p && *p; p += strcspn(p, "\n"), p += *p == '\n')
		kinds |= vault_pdf__finding_kind(p);
	for (p = found; p && *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (vault_pdf__finding_kind(p) & ~kinds) {
			*len = (int)strcspn(p, "\n");
			return p;
		}
	return NULL;
}

/*
 * A PDF upload held again to the pdf policy `cfg` was in force with when
 * it was added, as the write path held it (for `type`, by its `name`):
 * what it would have refused is a finding, and so is a record whose
 * findings (`recorded`, NULL: none) leave out a kind the check records,
 * a forger's hidden JavaScript or embedded file (compared by kind, not
 * by wording, which a later qvault may change).  The check's own limits
 * bound the work; the bytes are copied to a memory file, as an FAI's
 * members are at `fai add`.
 */
static void check_pdf(const vault_change_ctx *c, const char *path, const git_oid *blob,
		      const vault_config *cfg, const char *type, const char *name,
		      const char *recorded)
{
	char *findings = NULL;
	const char *missing;
	int fd, error, len;

	if ((fd = memfd_create("qvault-pdf", MFD_CLOEXEC)) < 0) {
		c->found(c, path, "the PDF cannot be checked: %s", strerror(errno));
		return;
	}
	if ((error = vault_store__read_blob(c->store, blob, blob_to_fd, &fd)) < 0)
		c->found(c, path, "the PDF cannot be checked: %s", vault_error_message());
	else if ((error = vault_pdf__check(&findings, cfg->pdf, type, name, fd)) < 0)
		c->found(c, path, "%s", vault_error_message());
	else if ((missing = unrecorded(&len, findings, recorded)) != NULL)
		c->found(c, path, "the record of the file does not say that it %.*s", len, missing);
	close(fd);
	free(findings);
}

/*
 * An uploaded file: its content is what its record says (as qvault
 * detects it now, or as libmagic alone named it, which a qvault that did
 * not yet know the format recorded), and that was on the allowlist of the
 * revision's type in the vault.json in force when it was added (the tree
 * before): allowing a type later does not bless an earlier upload, and
 * denying it later does not condemn one.  An FAI's members are judged by
 * the list of what a package may hold, detected as they were, a package
 * read at a time.  A PDF is opened again and held to the pdf policy then
 * in force, as `add` and `fai add` held it (check_pdf).
 */
static void check_content(const vault_change_ctx *c, const char *path, const char *rest)
{
	char rec[VAULT_PATH_MAX], *data = NULL;
	const char *name = rest + strlen(VAULT_FILES_DIR "/"), *recorded = NULL, *list;
	const char *mime, *magic, *findings = NULL;
	git_tree_entry *te = NULL;
	vault_revision r;
	vault_config own;
	const vault_config *cfg = NULL;
	head_read h = { NULL, 0, VAULT_CHUNK };
	size_t len, i;
	int error, member;

	if (!c->detect || !c->before || strncmp(rest, VAULT_FILES_DIR "/", 6) != 0 ||
	    vault__fmt(rec, sizeof(rec), "path", "%.*s" VAULT_RECORD_FILE, (int)(rest - path),
		       path) < 0 ||
	    vault_store__read_path(&data, &len, c->store, c->tree, rec) < 0)
		return;
	error = vault_record__revision_parse(&r, data, len);
	free(data);
	if (error < 0)
		return; /* the record's own check says what is wrong with it */
	for (i = 0; i < r.nfiles && !recorded; i++)
		if (strcmp(r.files[i].name, name) == 0) {
			recorded = r.files[i].mime;
			findings = r.files[i].findings;
		}
	/* the caller's parsed once for the commit, or read here */
	memset(&own, 0, sizeof(own));
	if (recorded)
		cfg = c->config_before ? c->config_before(c)
				       : config_in(&own, c, c->before) == 0 ? &own : NULL;
	if (!cfg) {
		vault_config__dispose(&own);
		vault_revision_dispose(&r);
		return;
	}
	/* an FAI added whole is one zip; one read from its package is its members */
	member = strcmp(r.type, "fai") == 0 &&
		 (strcmp(recorded, "application/zip") != 0 || r.nfiles > 1);
	list = member ? "fai-member" : r.type;
	if (member)
		h.want = VAULT_PKG_CHUNK;
	if ((h.buf = malloc(h.want)) == NULL)
		abort();
	if (vault_store__entry(&te, c->store, c->tree, path) < 0 ||
	    vault_store__read_blob(c->store, git_tree_entry_id(te), head_chunk, &h) < 0) {
		c->found(c, path, "the file cannot be read: %s", vault_error_message());
	} else if (vault_detect__both(&mime, &magic, c->detect, h.buf, h.len) < 0) {
		c->found(c, path, "%s", vault_error_message());
	} else if (strcmp(mime, recorded) != 0 && strcmp(magic, recorded) != 0) {
		c->found(c, path, "the file is recorded as %s, but its content is %s", recorded,
			 mime);
	} else if (!vault_config__accepts(cfg, list, recorded)) {
		c->found(c, path, "the file is %s, which %s %s did not accept when it was added",
			 recorded, member ? "an" : vault_record__a(list),
			 member ? "FAI package's member" : list);
	} else if (vault_pdf__opens_as_pdf(recorded, h.buf, h.len) && cfg->pdf) {
		/* a vault.json without a pdf policy: made before PDFs were opened */
		check_pdf(c, path, git_tree_entry_id(te), cfg, list, name, findings);
	}
	free(h.buf);
	git_tree_entry_free(te);
	vault_config__dispose(&own);
	vault_revision_dispose(&r);
}

/* docs/.../<DOC>/<REV>/files/...: with the record that lists it, of a type then allowed. */
static void check_file(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__revision_of(c, path, doc, rev, &rest) == 0) {
		vault_rules__with_its_record(c, path, rest);
		check_content(c, path, rest);
	}
}

/*
 * A marked release: its marking and licence well formed, and every
 * organization it went to cleared for the marking on its day by the
 * attestations of the tree before it (release_cleared's rule).
 */
static void check_marking(const vault_change_ctx *c, const char *path)
{
	vault_release r;
	char *data = NULL, day[16];
	size_t len, i;
	int ok;

	if (vault_store__read_path(&data, &len, c->store, c->tree, path) < 0)
		return;
	ok = vault_record__release_parse(&r, data, len);
	free(data);
	if (ok < 0)
		return; /* check_state says it */
	vault_marking__today(day, sizeof(day), c->time);
	if (r.licence && (!r.marking || vault_record__text_check("licence", r.licence, 128) < 0))
		c->found(c, path, "the release's licence is malformed or has no marking");
	if (r.marking && vault_marking__check(r.marking) < 0)
		c->found(c, path, "%s", vault_error_message());
	else if (r.marking)
		for (i = 0; i < r.nto; i++) {
			ok = 0;
			if (!c->before || vault_marking__org_cleared(&ok, c->store, c->before, r.to[i],
								     r.marking, day) < 0 || !ok)
				c->found(c, path, "%s@%s marked %s is released to organization '%s', "
					 "which held no attestation clearing it", r.doc, r.rev,
					 r.marking, r.to[i]);
		}
	vault_record__release_dispose(&r);
}

static void check_release_file(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__revision_of(c, path, doc, rev, &rest) < 0)
		return;
	vault_rules__beside_a_record(c, path, rest, c->tree);
	check_state(c, path, doc, rev, 1);
	check_marking(c, path);
	{
		/* a withdrawn upload counts for nothing: it is never released after */
		char withdrawn[VAULT_PATH_MAX];

		if (vault__fmt(withdrawn, sizeof(withdrawn), "path", "%.*s" VAULT_WITHDRAWN_FILE,
			       (int)(rest - path), path) == 0 && vault_rules__has(c->store, c->before, withdrawn))
			c->found(c, path, "%s@%s is released after it was withdrawn", doc, rev);
	}
}

static void check_obsolete_file(const vault_change_ctx *c, const char *path)
{
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;

	if (vault_rules__revision_of(c, path, doc, rev, &rest) < 0)
		return;
	vault_rules__beside_a_record(c, path, rest, c->before);
	check_state(c, path, doc, rev, 0);
}

static const char SQL_RELEASE[] =
	"INSERT INTO releases (doc, rev, reason, effective, released_by, released_at, commit_id,"
	" marking, licence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_DISTRIBUTION[] =
	"INSERT OR IGNORE INTO distribution (doc, rev, org) VALUES (?1, ?2, ?3)";
static const char SQL_OBSOLETE[] =
	"INSERT INTO obsoletes (doc, rev, reason, obsoleted_by, obsoleted_at, commit_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char SQL_RELEASE_ONCE[] =
	"SELECT commit_id FROM releases WHERE doc = ?1 AND rev = ?2";
static const char SQL_OBSOLETE_ONCE[] =
	"SELECT commit_id FROM obsoletes WHERE doc = ?1 AND rev = ?2";

static int index_release(const vault_kind_file *f)
{
	sqlite3_stmt *st;
	vault_release r;
	char hex[41];
	size_t i;
	int error;

	if (vault_record__release_parse(&r, f->data, f->len) < 0)
		return vault_error__set(VAULT_EVERIFY, "%s: %s", f->path, vault_error_message());
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if ((error = vault_index__once_of(f, SQL_RELEASE_ONCE, "release", r.doc, r.rev)) < 0 ||
	    (error = vault_index__stmt(&st, f->idx, SQL_RELEASE)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, r.doc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r.rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r.reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r.effective, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r.by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r.at);
	sqlite3_bind_text(st, 7, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r.marking, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r.licence, -1, SQLITE_STATIC);
	if ((error = vault_index__step(f->idx, st, "cannot record a release")) < 0)
		goto done;
	for (i = 0; i < r.nto && !error; i++) {
		if ((error = vault_index__stmt(&st, f->idx, SQL_DISTRIBUTION)) < 0)
			break;
		sqlite3_bind_text(st, 1, r.doc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r.rev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r.to[i], -1, SQLITE_STATIC);
		error = vault_index__step(f->idx, st, "cannot record a distribution");
	}
done:
	vault_record__release_dispose(&r);
	return error;
}

static int index_obsolete(const vault_kind_file *f)
{
	sqlite3_stmt *st;
	char *reason = NULL, *by = NULL, hex[41];
	int64_t at;
	int error;

	if (vault_record__obsolete_parse(&reason, &by, &at, f->data, f->len) < 0)
		return vault_error__set(VAULT_EVERIFY, "%s: %s", f->path, vault_error_message());
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if ((error = vault_index__once_of(f, SQL_OBSOLETE_ONCE, "obsoletion", f->m->key,
					  f->m->rev)) == 0 &&
	    (error = vault_index__stmt(&st, f->idx, SQL_OBSOLETE)) == 0) {
		sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, f->m->rev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, at);
		sqlite3_bind_text(st, 6, hex, -1, SQLITE_STATIC);
		error = vault_index__step(f->idx, st, "cannot record an obsolete revision");
	}
	free(reason);
	free(by);
	return error;
}

#define ADDS "add import release fai-add"

const vault_kind vault_kind_revision = {
	.name = "revision",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_RECORD_FILE,
	.ops = ADDS,
	.made_by = "add import fai-add",
	.index = vault_index__revision,
	.check = check_record,
};
const vault_kind vault_kind_revision_file = {
	.name = "file",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_FILES_DIR "/...",
	.ops = ADDS,
	.check = check_file,
};
const vault_kind vault_kind_release = {
	.name = "release",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_RELEASE_FILE,
	.roles = VAULT_ROLE_BUYER,
	.act = "release documents",
	.ops = "release",
	.made_by = "release",
	.index = index_release,
	.check = check_release_file,
	.tables = "releases distribution",
};
const vault_kind vault_kind_obsolete = {
	.name = "obsolete",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_OBSOLETE_FILE,
	.roles = VAULT_ROLE_BUYER,
	.act = "make documents obsolete",
	.ops = "obsolete",
	.made_by = "obsolete",
	.index = index_obsolete,
	.check = check_obsolete_file,
	.tables = "obsoletes",
};
