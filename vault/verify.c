/*
 * verify.c - check a vault without trusting it: signatures, roles at each
 * point of history, append-only records, acknowledgments, stored bytes,
 * and the index.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "ack.h"
#include "cert.h"
#include "common.h"
#include "error.h"
#include "po.h"
#include "portal.h"
#include "record.h"
#include "rules.h"
#include "sign.h"
#include "user.h"
#include "util.h"

/*
 * A signature to check cryptographically.  The walk goes on with the key
 * the signature claims (roles, revocation) while a second thread checks
 * that the claim holds; a signature that does not verify is a finding.
 */
typedef struct {
	char *armored, *data;
	size_t armored_len, data_len;
	const char *ns;
	git_oid commit;
	char *subject;  /* the statement's path, NULL for a commit */
	int ok;
	char problem[256];
} sig_job;

typedef struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	sig_job *jobs;
	size_t count, cap, next;
	int closed, started;
} sig_queue;

/* Parsed release records, by blob (release_at). */
#define RELEASE_CACHE 256
typedef struct {
	git_oid blob;
	vault_release rel;
	int used;
} release_slot;

typedef struct {
	vault *v;
	git_repository *repo;
	vault_findings *f;
	size_t cap;
	sig_queue q;
	int own_commit;         /* checking the write path's own new commit */
	release_slot releases[RELEASE_CACHE];
	size_t next_release;
	char vault_id[33];      /* the vault's identity, from vault.json */
	git_oid root;           /* its root commit, as recorded */
	int root_recorded, root_seen;
	/* the users of the last users/ folder read: most commits share it */
	git_oid users_id;
	vault_user_list *users;
	vault_ledger *ledger;   /* what each lot holds and what is drawn from it */
} checker;

/*
 * The user with key `key_id` in `tree`'s users/ folder, or NULL.  Borrowed
 * from the checker's cache, valid until the next lookup in another folder.
 */
/* The users of `tree`'s users/ folder (the checker's cache), or NULL. */
static const vault_user_list *users_in(checker *c, const git_tree *tree)
{
	const git_tree_entry *e = git_tree_entry_byname(tree, VAULT_USERS_DIR);

	if (!e)
		return NULL;
	if (!c->users || !git_oid_equal(&c->users_id, git_tree_entry_id(e))) {
		vault_user_list_free(c->users);
		c->users = NULL;
		if (vault_user__list(&c->users, c->v->store, tree) < 0)
			return NULL;
		git_oid_cpy(&c->users_id, git_tree_entry_id(e));
	}
	return c->users;
}

static const vault_user *signer_in(checker *c, const git_tree *tree, const char *key_id)
{
	size_t i, n = strlen(key_id);

	if (!users_in(c, tree))
		return NULL;
	for (i = 0; i < c->users->count; i++) {
		const char *k = c->users->items[i].key;

		if (strncmp(k, key_id, n) == 0 && (k[n] == '\0' || k[n] == ' '))
			return &c->users->items[i];
	}
	return NULL;
}

static void found(checker *c, const git_oid *commit, const char *subject,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * A vault has one root, its init commit: the history has no other
 * parentless commit, and the root is the one this repository recorded
 * at init or clone (git config qvault.root), when it did.
 */
static void check_root(checker *c, git_commit *root)
{
	const git_oid *id = git_commit_id(root);

	if (c->root_seen++)
		found(c, id, NULL, "a second root commit: a vault has one root, its init commit");
	else if (c->root_recorded && !git_oid_equal(&c->root, id))
		found(c, id, NULL, "the history's root is not this vault's root %s (qvault.root)",
		      git_oid_tostr_s(&c->root));
}

/* ---- signatures, checked on a second thread ------------------------------ */

static void *sig_worker(void *arg)
{
	sig_queue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		const char *armored, *data, *ns;
		size_t alen, dlen, i;
		char *signer = NULL, problem[256] = "";
		int ok;

		while (q->next == q->count && !q->closed)
			pthread_cond_wait(&q->more, &q->lock);
		if (q->next == q->count)
			break;
		/* copy out under the lock: the array may move, the buffers do not */
		i = q->next++;
		armored = q->jobs[i].armored;
		alen = q->jobs[i].armored_len;
		data = q->jobs[i].data;
		dlen = q->jobs[i].data_len;
		ns = q->jobs[i].ns;
		pthread_mutex_unlock(&q->lock);
		ok = vault_sign__check(&signer, armored, alen, ns, data, dlen) == 0;
		if (!ok)
			vault__fmt_message(problem, sizeof(problem), "%s", vault_error_message());
		free(signer);
		pthread_mutex_lock(&q->lock);
		q->jobs[i].ok = ok;
		memcpy(q->jobs[i].problem, problem, sizeof(problem));
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void queue_start(sig_queue *q)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	q->started = pthread_create(&q->thread, NULL, sig_worker, q) == 0;
}

/* Queue a check; copies what it needs. */
static void queue_check(sig_queue *q, const git_oid *commit, const char *subject,
			const char *ns, const char *armored, size_t alen,
			const char *data, size_t dlen)
{
	sig_job j;

	memset(&j, 0, sizeof(j));
	if ((j.armored = malloc(alen + 1)) == NULL || (j.data = malloc(dlen + 1)) == NULL)
		abort();
	memcpy(j.armored, armored, alen);
	memcpy(j.data, data, dlen);
	j.armored_len = alen;
	j.data_len = dlen;
	j.ns = ns;
	git_oid_cpy(&j.commit, commit);
	j.subject = vault__strdup(subject);
	pthread_mutex_lock(&q->lock);
	if (q->count == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1024;
		if ((q->jobs = realloc(q->jobs, q->cap * sizeof(*q->jobs))) == NULL)
			abort();
	}
	q->jobs[q->count++] = j;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

/*
 * Finish the checks (on this thread too, if no worker could start) and
 * report each that failed.
 */
static void queue_finish(checker *c)
{
	sig_queue *q = &c->q;
	size_t i;

	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->lock);
	if (q->started)
		pthread_join(q->thread, NULL);
	else
		sig_worker(q);
	for (i = 0; i < q->count; i++) {
		sig_job *j = &q->jobs[i];

		if (!j->ok)
			found(c, &j->commit, j->subject, j->subject ?
			      "the acknowledgment's signature does not verify: %s" :
			      "the commit's signature does not verify: %s", j->problem);
		free(j->armored);
		free(j->data);
		free(j->subject);
	}
	free(q->jobs);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
}

static void found(checker *c, const git_oid *commit, const char *subject,
		  const char *fmt, ...)
{
	vault_finding *x;
	char problem[1024];
	va_list ap;

	va_start(ap, fmt);
	/* a finding is text for a person: one too long ends in "..." */
	if (vsnprintf(problem, sizeof(problem), fmt, ap) >= (int)sizeof(problem))
		memcpy(problem + sizeof(problem) - 4, "...", 4);
	va_end(ap);
	if (c->f->count == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		if ((c->f->items = realloc(c->f->items, c->cap * sizeof(*x))) == NULL)
			abort();
	}
	x = &c->f->items[c->f->count++];
	memset(x, 0, sizeof(*x));
	if (commit)
		git_oid_tostr(x->commit, sizeof(x->commit), commit);
	x->subject = vault__strdup(subject);
	x->problem = vault__strdup(problem);
}

void vault_findings_free(vault_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++) {
		free(f->items[i].subject);
		free(f->items[i].problem);
	}
	free(f->items);
	free(f);
}

static void checker_begin(checker *c, vault *v)
{
	memset(c, 0, sizeof(*c));
	c->v = v;
	c->repo = vault_store__repo(v->store);
	if ((c->f = calloc(1, sizeof(*c->f))) == NULL)
		abort();
}

/* What the checker holds besides its findings. */
static void checker_end(checker *c)
{
	size_t i;

	for (i = 0; i < RELEASE_CACHE; i++)
		if (c->releases[i].used)
			vault_record__release_dispose(&c->releases[i].rel);
	vault_user_list_free(c->users);
	c->users = NULL;
}

/* What the checker takes from the vault: its identity and its recorded root. */
static int checker_init(checker *c, git_commit *head)
{
	vault_config cfg;
	int error;

	/* no settings at all: the walk says what is wrong with such a history */
	memset(&cfg, 0, sizeof(cfg));
	if (vault__config(&cfg, c->v, head) == 0)
		memcpy(c->vault_id, cfg.id, sizeof(c->vault_id));
	vault_config__dispose(&cfg);
	error = vault_store__root(&c->root, c->v->store);
	c->root_recorded = error == 0;
	return error == VAULT_ENOTFOUND ? 0 : error;
}

/* ---- one commit --------------------------------------------------------- */

/* What a commit did, as its added paths show. */
enum {
	DID_USERS = 1 << 0, DID_CONFIG = 1 << 1, DID_RELEASE = 1 << 2,
	DID_OBSOLETE = 1 << 3, DID_ACK = 1 << 4, DID_PO = 1 << 5, DID_LOT = 1 << 6
};

/* The kinds of record a commit writes, to hold against its Qvault-Op. */
enum {
	K_CONFIG = 1 << 0, K_USER = 1 << 1, K_REVOKE = 1 << 2, K_RECORD = 1 << 3,
	K_PACKAGE = 1 << 4, K_CERT = 1 << 5, K_RELEASE = 1 << 6, K_OBSOLETE = 1 << 7,
	K_LINK = 1 << 8, K_ACK = 1 << 9, K_PO = 1 << 10, K_PO_ACK = 1 << 11,
	K_STATUS = 1 << 12, K_LOT = 1 << 13, K_ASN = 1 << 14, K_RECEIPT = 1 << 15,
	K_NCR = 1 << 16, K_NCR_CLOSE = 1 << 17
};

/*
 * What each operation may write (kinds), and what it always writes
 * (needs): a commit's Qvault-Op names all it changed, and the commit
 * makes the change its operation is named for.
 */
static const struct {
	const char *op;
	unsigned kinds, needs;
} op_kinds[] = {
	{ "init", K_CONFIG | K_USER, K_CONFIG | K_USER },
	{ "user-add", K_USER, K_USER },
	{ "user-revoke", K_REVOKE, K_REVOKE },
	{ "add", K_RECORD | K_CERT | K_LINK, K_RECORD },
	{ "import", K_RECORD | K_CERT | K_LINK, K_RECORD },
	{ "release", K_RECORD | K_RELEASE, K_RELEASE },
	{ "obsolete", K_OBSOLETE, K_OBSOLETE },
	{ "ack", K_ACK, K_ACK },
	{ "link", K_LINK, K_LINK },
	{ "fai-add", K_RECORD | K_PACKAGE | K_LINK, K_RECORD | K_PACKAGE },
	{ "po-add", K_PO, K_PO },
	{ "po-import", K_PO, K_PO },
	{ "po-ack", K_PO_ACK, K_PO_ACK },
	{ "status", K_STATUS, K_STATUS },
	{ "status-import", K_STATUS, K_STATUS },
	{ "lot-add", K_LOT, K_LOT },
	{ "lot-import", K_LOT, K_LOT },
	{ "asn-add", K_ASN, K_ASN },
	{ "asn-import", K_ASN, K_ASN },
	{ "asn-receive", K_RECEIPT, K_RECEIPT },
	{ "ncr-add", K_NCR, K_NCR },
	{ "ncr-close", K_NCR_CLOSE, K_NCR_CLOSE },
};

typedef struct {
	checker *c;
	git_commit *commit;
	git_tree *tree, *before; /* before: the parent's tree, NULL for the root */
	const vault_user *who;   /* the signer, when known (the checker's cache) */
	int known;
	int on_behalf;           /* a server signed it for `who` */
	int64_t time;            /* the commit's time */
	unsigned did;
	unsigned kinds;          /* K_*: what it wrote */
	char *types_done;        /* document types whose add was checked */
} commit_ctx;

/* Read a blob at `path` of `tree` whole (records are small). */
static int read_at(char **data, size_t *len, commit_ctx *x, const git_tree *tree,
		   const char *path)
{
	return vault_store__read_path(data, len, x->c->v->store, tree, path);
}

static void require(commit_ctx *x, unsigned roles, const char *what, const char *subject)
{
	if (!x->known)
		return;
	if (vault_user__may(x->who, roles, what) < 0)
		found(x->c, git_commit_id(x->commit), subject, "%s", vault_error_message());
}

static int count_blob(const char *root, const git_tree_entry *e, void *payload)
{
	(void)root;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		++*(size_t *)payload;
	return 0;
}

/* 1 when `path` is an entry of `tree` (which may be NULL). */
static int has_path(const git_tree *tree, const char *path)
{
	git_tree_entry *e;

	if (!tree || git_tree_entry_bypath(&e, tree, path) < 0)
		return 0;
	git_tree_entry_free(e);
	return 1;
}

/*
 * Each revision of document `doc` that `tree` records, parsed, to `cb`
 * with whether it carries a release; what cannot be parsed is skipped
 * (its own commit's check reports it).
 */
typedef void (*revision_cb)(commit_ctx *x, const vault_revision *o, int released, void *payload);

static void each_revision(commit_ctx *x, const git_tree *tree, const char *doc, revision_cb cb,
			  void *payload)
{
	char dir[VAULT_PATH_MAX], sub[VAULT_PATH_MAX * 2];
	git_tree_entry *te = NULL;
	git_tree *t = NULL;
	size_t i;

	if (vault_record__doc_dir(dir, sizeof(dir), doc) == 0 && tree &&
	    git_tree_entry_bypath(&te, tree, dir) == 0 &&
	    git_tree_lookup(&t, x->c->repo, git_tree_entry_id(te)) == 0) {
		for (i = 0; i < git_tree_entrycount(t); i++) {
			const char *rev = git_tree_entry_name(git_tree_entry_byindex(t, i));
			char *data = NULL;
			size_t len;
			vault_revision o;

			/* a tree entry name is at most 255 bytes: these fit */
			if (vault__fmt(sub, sizeof(sub), "path", "%s/%s/" VAULT_RECORD_FILE, dir,
				       rev) == 0 &&
			    read_at(&data, &len, x, tree, sub) == 0 &&
			    vault_record__revision_parse(&o, data, len) == 0) {
				int released = vault__fmt(sub, sizeof(sub), "path",
							  "%s/%s/" VAULT_RELEASE_FILE, dir, rev) == 0 &&
					       has_path(tree, sub);

				cb(x, &o, released, payload);
				vault_revision_dispose(&o);
			}
			free(data);
		}
	}
	git_tree_free(t);
	git_tree_entry_free(te);
}

/* What a new record's document holds: its revisions, their numbers and types. */
typedef struct {
	const char *path;
	const vault_revision *r;
	size_t seen, same, typed;
} numbering;

static void number_one(commit_ctx *x, const vault_revision *o, int released, void *payload)
{
	numbering *nb = payload;

	(void)released;
	nb->seen++;
	nb->same += o->seq == nb->r->seq;
	if (strcmp(o->type, nb->r->type) != 0 && !nb->typed++)
		found(x->c, git_commit_id(x->commit), nb->path, "the record makes '%s' a %s, but its "
		      "revision '%s' is a %s", nb->r->doc, nb->r->type, o->rev, o->type);
}

/*
 * The revision folder of a new record: its files/ holds exactly the
 * files the record lists, and its number (seq) follows the revisions
 * the document had: 1, 2, ... with none twice.
 */
static void check_revision_folder(commit_ctx *x, const char *path, const vault_revision *r)
{
	const git_oid *cid = git_commit_id(x->commit);
	char dir[VAULT_PATH_MAX + 8];
	git_tree_entry *te = NULL;
	git_tree *t = NULL;
	numbering nb = { path, r, 0, 0, 0 };
	size_t n = 0;

	if (vault__fmt(dir, sizeof(dir), "path", "%.*s" VAULT_FILES_DIR, (int)(strlen(path) -
		       strlen(VAULT_RECORD_FILE)), path) < 0) {
		found(x->c, cid, path, "%s", vault_error_message());
		return;
	}
	if (git_tree_entry_bypath(&te, x->tree, dir) == 0 &&
	    git_tree_lookup(&t, x->c->repo, git_tree_entry_id(te)) == 0)
		git_tree_walk(t, GIT_TREEWALK_PRE, count_blob, &n);
	git_tree_free(t);
	git_tree_entry_free(te);
	if (n != r->nfiles)
		found(x->c, cid, path, "the revision folder holds %zu files, its record lists %zu",
		      n, r->nfiles);
	/* the document's other revisions, as this commit leaves them */
	each_revision(x, x->tree, r->doc, number_one, &nb);
	if (r->seq < 1 || r->seq > nb.seen || nb.same != 1)
		found(x->c, cid, path, "the record is revision number %u of '%s', which has %zu%s",
		      r->seq, r->doc, nb.seen, nb.same > 1 ? " and another of that number" : "");
}

/* An added record.json: its path, its fields, and who may add its type. */
static void check_record(commit_ctx *x, const char *path, const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX], *data = NULL;
	vault_revision r;
	size_t len;

	if (read_at(&data, &len, x, x->tree, path) < 0 ||
	    vault_record__revision_parse(&r, data, len) < 0) {
		free(data);
		found(x->c, git_commit_id(x->commit), path, "the record is malformed: %s",
		      vault_error_message());
		return;
	}
	free(data);
	vault_record__doc_dir(dir, sizeof(dir), r.doc);
	if (strcmp(r.doc, doc) != 0 || strcmp(r.rev, rev) != 0 ||
	    strncmp(path, dir, strlen(dir)) != 0)
		found(x->c, git_commit_id(x->commit), path,
		      "the record of '%s@%s' is stored where '%s@%s' belongs", r.doc, r.rev, doc, rev);
	if (x->known && strcmp(r.added_by, x->who->name) != 0)
		found(x->c, git_commit_id(x->commit), path,
		      "the record names '%s' as its author, but '%s' signed the commit",
		      r.added_by, x->who->name);
	if (x->known && vault_user__may_add(x->who, r.type) < 0)
		found(x->c, git_commit_id(x->commit), path, "%s", vault_error_message());
	if (x->known && (!r.org || strcmp(r.org, x->who->org) != 0))
		found(x->c, git_commit_id(x->commit), path,
		      "the record names organization '%s', but '%s' of '%s' signed the commit",
		      r.org ? r.org : "", x->who->name, x->who->org);
	if (r.added_at != x->time)
		found(x->c, git_commit_id(x->commit), path,
		      "the record is dated %lld, its commit %lld", (long long)r.added_at,
		      (long long)x->time);
	check_revision_folder(x, path, &r);
	vault_revision_dispose(&r);
}

/*
 * The release record at `path` of the commit's parent tree, parsed once
 * per blob (a revision's release is read again for each of its many
 * acknowledgments); NULL when there is none.  Owned by the checker.
 */
static const vault_release *release_at(commit_ctx *x, const char *path)
{
	checker *c = x->c;
	git_tree_entry *e = NULL;
	char *data = NULL;
	size_t len, i;
	release_slot *slot;

	if (!x->before || git_tree_entry_bypath(&e, x->before, path) < 0)
		return NULL;
	for (i = 0; i < RELEASE_CACHE; i++)
		if (c->releases[i].used && git_oid_equal(&c->releases[i].blob, git_tree_entry_id(e))) {
			git_tree_entry_free(e);
			return &c->releases[i].rel;
		}
	slot = &c->releases[c->next_release++ % RELEASE_CACHE];
	if (slot->used)
		vault_record__release_dispose(&slot->rel);
	memset(slot, 0, sizeof(*slot));
	git_oid_cpy(&slot->blob, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (read_at(&data, &len, x, x->before, path) < 0 ||
	    vault_record__release_parse(&slot->rel, data, len) < 0) {
		free(data);
		return NULL;
	}
	free(data);
	slot->used = 1;
	return &slot->rel;
}

/* How far a statement's time may run ahead of the commit that records it. */
#define STATEMENT_SKEW (10 * 60)

/*
 * What an acknowledgment states, against the vault and the revision as
 * they were before it: this vault, the signer's own key, a meaning the
 * vault knows (a rejection with its reason), a revision released to the
 * signer's organization by someone else, and a time after that release.
 */
static void check_statement(commit_ctx *x, const char *path, json_t *root,
			    const vault_ack_info *a, const vault_user *u, const char *recpath)
{
	static const char *const meanings[] = { "received", "reviewed", "approved", "rejected" };
	const git_oid *cid = git_commit_id(x->commit);
	char relpath[VAULT_PATH_MAX * 2];
	const vault_release *rel;
	const char *vid = json_string_value(json_object_get(json_object_get(root, "predicate"),
							    "vault"));
	size_t i;
	int known = 0;

	if (!vid || strcmp(vid, x->c->vault_id) != 0)
		found(x->c, cid, path, "the acknowledgment is for vault '%s', not this one ('%s')",
		      vid ? vid : "", x->c->vault_id);
	if (strcmp(a->fingerprint, u->fingerprint) != 0)
		found(x->c, cid, path, "the statement names key fingerprint %s, but '%s''s key is %s",
		      a->fingerprint, u->name, u->fingerprint);
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		known |= strcmp(a->meaning, meanings[i]) == 0;
	if (!known)
		found(x->c, cid, path, "the acknowledgment has an unknown meaning '%s'", a->meaning);
	if (strcmp(a->meaning, "rejected") == 0 && (!a->comment || !*a->comment))
		found(x->c, cid, path, "the rejection gives no reason");
	if (a->time > x->time + STATEMENT_SKEW)
		found(x->c, cid, path, "the statement is dated after the commit that records it");
	if (vault__fmt(relpath, sizeof(relpath), "path", "%.*s" VAULT_RELEASE_FILE,
		       (int)(strlen(recpath) - strlen(VAULT_RECORD_FILE)), recpath) < 0 ||
	    (rel = release_at(x, relpath)) == NULL) {
		found(x->c, cid, path, "acknowledges a revision that was not released");
		return;
	}
	for (i = 0; i < rel->nto; i++)
		if (strcmp(rel->to[i], u->org) == 0)
			break;
	if (i == rel->nto)
		found(x->c, cid, path, "acknowledges a revision not released to '%s'", u->org);
	if (strcmp(rel->by, u->name) == 0)
		found(x->c, cid, path, "user '%s' acknowledges a revision it released itself", u->name);
	if (a->time < rel->at)
		found(x->c, cid, path, "the acknowledgment is dated before the release");
}

/*
 * A revision is acknowledged while it is the one in effect, as the tree
 * before says: not made obsolete, and no later revision of its document
 * released (superseded).
 */
/* The acknowledgment at `path` and the revision it names. */
typedef struct {
	const char *path;
	const vault_revision *r;
} acked;

static void superseded_by(commit_ctx *x, const vault_revision *o, int released, void *payload)
{
	const acked *a = payload;

	if (released && o->seq > a->r->seq)
		found(x->c, git_commit_id(x->commit), a->path, "acknowledges '%s@%s', superseded by "
		      "'%s@%s'", a->r->doc, a->r->rev, o->doc, o->rev);
}

static void check_in_effect(commit_ctx *x, const char *path, const char *recpath,
			    const vault_revision *r)
{
	size_t dirlen = strlen(recpath) - strlen(VAULT_RECORD_FILE) - 1;
	acked a = { path, r };
	char sub[VAULT_PATH_MAX * 2];

	if (!x->before)
		return;
	if (vault__fmt(sub, sizeof(sub), "path", "%.*s/" VAULT_OBSOLETE_FILE, (int)dirlen,
		       recpath) < 0 || has_path(x->before, sub))
		found(x->c, git_commit_id(x->commit), path,
		      "acknowledges '%s@%s', which was made obsolete", r->doc, r->rev);
	each_revision(x, x->before, r->doc, superseded_by, &a);
}

/* An added acknowledgment: its signature, signer and what it names. */
static void check_ack(commit_ctx *x, const char *path, const char *doc, const char *rev)
{
	const git_oid *cid = git_commit_id(x->commit);
	char sigpath[VAULT_PATH_MAX * 2], recpath[VAULT_PATH_MAX * 2], *stmt = NULL;
	char *sig = NULL, *rec = NULL, *signer = NULL, fp[64];
	const git_tree *users = x->before ? x->before : x->tree;
	size_t slen, glen, rlen, i, k;
	vault_ack_info a;
	vault_revision r;
	const vault_user *u;
	json_t *stmt_json = NULL;

	memset(&a, 0, sizeof(a));
	x->c->f->acks++;
	if (vault__fmt(sigpath, sizeof(sigpath), "path", "%s.sig", path) < 0 ||
	    vault__fmt(recpath, sizeof(recpath), "path", "%.*s" VAULT_RECORD_FILE,
		       (int)(strstr(path, "/" VAULT_ACKS_DIR "/") - path + 1), path) < 0) {
		found(x->c, cid, path, "%s", vault_error_message());
		return;
	}
	if (read_at(&stmt, &slen, x, x->tree, path) < 0) {
		found(x->c, cid, path, "the acknowledgment cannot be read");
		return;
	}
	if (read_at(&sig, &glen, x, x->tree, sigpath) < 0) {
		found(x->c, cid, path, "the acknowledgment has no signature beside it");
		goto done;
	}
	if (vault_sign__claimed(&signer, sig, glen, VAULT_ACK_NAMESPACE) < 0) {
		found(x->c, cid, path, "the acknowledgment's signature does not verify: %s",
		      vault_error_message());
		goto done;
	}
	queue_check(&x->c->q, cid, path, VAULT_ACK_NAMESPACE, sig, glen, stmt, slen);
	if ((u = signer_in(x->c, users, signer)) == NULL) {
		vault_sign__fingerprint_of(fp, signer);
		found(x->c, cid, path, "the acknowledgment is signed by an unregistered key %s", fp);
		goto done;
	}
	if (u->revoked)
		found(x->c, cid, path, "the acknowledgment is signed by revoked user '%s'", u->name);
	if (vault_ack__parse(&a, stmt, slen) < 0) {
		found(x->c, cid, path, "the acknowledgment is malformed");
		goto done;
	}
	if (strcmp(a.signer, u->name) != 0 || strcmp(a.org, u->org) != 0)
		found(x->c, cid, path, "the statement names '%s' of '%s' but '%s' of '%s' signed it",
		      a.signer, a.org, u->name, u->org);
	if (!(u->roles & VAULT_ROLE_SUPPLIER))
		found(x->c, cid, path, "user '%s' may not acknowledge revisions", u->name);
	if (strcmp(a.doc, doc) != 0 || strcmp(a.rev, rev) != 0)
		found(x->c, cid, path, "the acknowledgment of '%s@%s' is stored under '%s@%s'",
		      a.doc, a.rev, doc, rev);
	{
		/* one file per signer and meaning: a second copy of a statement (its
		 * signature re-encoded, an ECDSA (r, n-s), or the same bytes) under
		 * another name would count twice */
		char want[VAULT_NAME_MAX * 2 + 16];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

		if (vault__fmt(want, sizeof(want), "file name", "%s-%s.json", a.signer,
			       a.meaning) < 0 || strcmp(base, want) != 0)
			found(x->c, cid, path, "the acknowledgment is stored as '%s', not '%s'", base, want);
	}
	if (x->known && strcmp(x->who->name, u->name) != 0)
		found(x->c, cid, path, "the acknowledgment by '%s' is recorded by '%s'", u->name,
		      x->who->name);
	stmt_json = json_loadb(stmt, slen, 0, NULL);
	check_statement(x, path, stmt_json, &a, u, recpath);
	if (read_at(&rec, &rlen, x, x->tree, recpath) == 0 &&
	    vault_record__revision_parse(&r, rec, rlen) == 0) {
		json_t *subj = json_object_get(stmt_json, "subject"), *s;

		if (strcmp(r.added_by, u->name) == 0)
			found(x->c, cid, path, "user '%s' acknowledges a revision it added itself",
			      u->name);
		check_in_effect(x, path, recpath, &r);

		for (i = 0; i < r.nfiles; i++) {
			int match = 0;

			json_array_foreach(subj, k, s) {
				const char *d = json_string_value(json_object_get(
					json_object_get(s, "digest"), "sha256"));

				if (d && strcmp(d, r.files[i].sha256) == 0)
					match = 1;
			}
			if (!match)
				found(x->c, cid, path,
				      "the acknowledgment does not name the SHA-256 of '%s' of '%s@%s'",
				      r.files[i].name, doc, rev);
		}
		vault_revision_dispose(&r);
	} else {
		found(x->c, cid, path, "the acknowledged revision '%s@%s' has no record", doc, rev);
	}
done:
	json_decref(stmt_json);
	vault_ack__dispose(&a);
	free(rec);
	free(signer);
	free(stmt);
	free(sig);
}

/* ---- the supplier portal's records ---------------------------------------- */

/* Split `path` at '/' into at most `max` components; their count. */
static size_t split_path(char parts[][VAULT_NAME_MAX + 1], size_t max, const char *path)
{
	size_t n = 0;
	const char *p = path;

	while (n < max) {
		size_t len = strcspn(p, "/");

		/* a longer component is no name of ours: the path is not one */
		if (len > VAULT_NAME_MAX)
			return max + 1;
		memcpy(parts[n], p, len);
		parts[n++][len] = '\0';
		if (!p[len])
			return n;
		p += len + 1;
	}
	return max + 1;
}

/* Whether `path` begins with the fan-out folder of `name` under `top`. */
static int fanned(const char *path, const char *top, const char *name)
{
	char dir[VAULT_PATH_MAX];

	if (vault_name_check("name", name) < 0)
		return 0;
	vault_portal__dir(dir, sizeof(dir), top, name);
	return strncmp(path, dir, strlen(dir)) == 0 && path[strlen(dir)] == '/';
}

/* The JSON object at `path` of `tree`, or NULL. */
static json_t *json_at(commit_ctx *x, const git_tree *tree, const char *path)
{
	vault_change_ctx c;

	memset(&c, 0, sizeof(c));
	c.store = x->c->v->store;
	return vault_rules__json_at(&c, tree, path);
}


/* The record of `name` (a PO, lot, ship notice, NCR) under `top` as `tree` has it. */
static json_t *keyed_record(commit_ctx *x, const git_tree *tree, const char *top,
			    const char *name, const char *file)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX + 32];

	if (vault_name_check("name", name) < 0)
		return NULL;
	if (vault_portal__dir(dir, sizeof(dir), top, name) < 0 ||
	    vault__fmt(path, sizeof(path), "path", "%s/%s", dir, file) < 0)
		return NULL;
	return json_at(x, tree, path);
}

/* The signer's name and organization against those a record names. */
static void signed_as(commit_ctx *x, const char *path, const char *by, const char *org,
		      const char *at)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), x->time);
	if (strcmp(at, when) != 0)
		found(x->c, git_commit_id(x->commit), path, "the record is dated '%s', its commit '%s'",
		      at, when);
	if (!x->known)
		return;
	if (strcmp(by, x->who->name) != 0)
		found(x->c, git_commit_id(x->commit), path,
		      "the record names '%s' as its author, but '%s' signed the commit", by,
		      x->who->name);
	if (org && strcmp(org, x->who->org) != 0)
		found(x->c, git_commit_id(x->commit), path,
		      "the record names organization '%s', but '%s' of '%s' signed the commit", org,
		      x->who->name, x->who->org);
}

/* pos/<h>/<h>/<PO>/po.json: named for its folder, by its signer, at its commit's time. */
static void check_po(commit_ctx *x, const char *path)
{
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = json_at(x, x->tree, path);
	size_t n = split_path(parts, 5, path);

	if (!rec || n != 5 || strcmp(vault_rules__str(rec, "record"), "po") != 0 ||
	    strcmp(vault_rules__str(rec, "po"), parts[3]) != 0 || !fanned(path, "pos", parts[3]))
		found(x->c, git_commit_id(x->commit), path,
		      "the PO is malformed or stored where another belongs");
	else
		signed_as(x, path, vault_rules__str(rec, "created_by"), NULL, vault_rules__str(rec, "created_at"));
	json_decref(rec);
}

/*
 * pos/<h>/<h>/<PO>/acks|status/NNNNNN.json: a supplier of the PO's
 * organization, as the PO recorded before, answers; the record names the
 * PO and number its path does.
 */
static void check_answer(commit_ctx *x, const char *path)
{
	const git_oid *cid = git_commit_id(x->commit);
	char parts[7][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *po = NULL;
	int is_ack;
	size_t n = split_path(parts, 6, path);

	if (n != 6 || (strcmp(parts[4], VAULT_PO_ACKS_DIR) != 0 &&
		       strcmp(parts[4], VAULT_PO_STATUS_DIR) != 0) ||
	    strlen(parts[5]) < 13 || strspn(parts[5], "0123456789") != 6 || parts[5][6] != '-' ||
	    strcmp(parts[5] + strlen(parts[5]) - 5, ".json") != 0 ||
	    !fanned(path, "pos", parts[3])) {
		found(x->c, cid, path, "adds an unexpected path");
		return;
	}
	is_ack = strcmp(parts[4], VAULT_PO_ACKS_DIR) == 0;
	require(x, VAULT_ROLE_SUPPLIER, is_ack ? "acknowledge purchase orders" :
		"report production status", path);
	rec = json_at(x, x->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), is_ack ? "po-ack" : "status") != 0) {
		found(x->c, cid, path, "the %s is malformed", is_ack ? "PO acknowledgment" : "status report");
		goto done;
	}
	if (strcmp(vault_rules__str(rec, "po"), parts[3]) != 0 ||
	    json_integer_value(json_object_get(rec, "seq")) != strtol(parts[5], NULL, 10) ||
	    strlen(parts[5]) != 12 + strlen(vault_rules__str(rec, is_ack ? "signed_by" : "reported_by")) ||
	    strncmp(parts[5] + 7, vault_rules__str(rec, is_ack ? "signed_by" : "reported_by"),
		    strlen(parts[5]) - 12) != 0)
		found(x->c, cid, path, "the record of PO '%s' number %lld is stored as '%s'",
		      vault_rules__str(rec, "po"), (long long)json_integer_value(json_object_get(rec, "seq")), path);
	signed_as(x, path, vault_rules__str(rec, is_ack ? "signed_by" : "reported_by"), vault_rules__str(rec, "org"),
		  vault_rules__str(rec, is_ack ? "signed_at" : "reported_at"));
	if (is_ack && x->known && strcmp(vault_rules__str(rec, "fingerprint"), x->who->fingerprint) != 0)
		found(x->c, cid, path, "the acknowledgment names key %s, not the signer's %s",
		      vault_rules__str(rec, "fingerprint"), x->who->fingerprint);
	{
		/* numbered in order: never past the count of answers the folder holds */
		char dir[VAULT_PATH_MAX * 2];
		git_tree_entry *te = NULL;
		git_tree *t = NULL;
		json_int_t seq = json_integer_value(json_object_get(rec, "seq"));
		size_t count = 0;

		if (vault__fmt(dir, sizeof(dir), "path", "%.*s", (int)(strrchr(path, '/') - path),
			       path) == 0 &&
		    git_tree_entry_bypath(&te, x->tree, dir) == 0 &&
		    git_tree_lookup(&t, x->c->repo, git_tree_entry_id(te)) == 0)
			count = git_tree_entrycount(t);
		git_tree_free(t);
		git_tree_entry_free(te);
		if (seq < 1 || (size_t)seq > count)
			found(x->c, cid, path, "the record is number %lld of PO '%s', which has %zu",
			      (long long)seq, parts[3], count);
	}
	if ((po = keyed_record(x, x->before, "pos", parts[3], "po.json")) == NULL) {
		found(x->c, cid, path, "PO '%s' was not recorded before it", parts[3]);
		goto done;
	}
	if (x->known && strcmp(vault_rules__str(po, "supplier"), x->who->org) != 0)
		found(x->c, cid, path, "user '%s' of '%s' answers PO '%s' of '%s'", x->who->name,
		      x->who->org, parts[3], vault_rules__str(po, "supplier"));
done:
	json_decref(rec);
	json_decref(po);
}

/*
 * asns/<h>/<h>/<ASN>/asn.json: a supplier ships its own organization's
 * lots of its own PO; receipt.json: a buyer or quality receives a ship
 * notice recorded before.
 */
static void check_asn(commit_ctx *x, const char *path)
{
	const git_oid *cid = git_commit_id(x->commit);
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *po = NULL, *p;
	size_t n = split_path(parts, 5, path), i;

	if (n != 5 || !fanned(path, "asns", parts[3]) ||
	    (strcmp(parts[4], VAULT_ASN_FILE) != 0 && strcmp(parts[4], VAULT_RECEIPT_FILE) != 0)) {
		found(x->c, cid, path, "adds an unexpected path");
		return;
	}
	rec = json_at(x, x->tree, path);
	if (strcmp(parts[4], VAULT_RECEIPT_FILE) == 0) {
		json_t *asn;

		require(x, VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY, "receive shipments", path);
		if (!rec || strcmp(vault_rules__str(rec, "record"), "receipt") != 0 ||
		    strcmp(vault_rules__str(rec, "asn"), parts[3]) != 0)
			found(x->c, cid, path, "the receipt is malformed or stored where another belongs");
		else
			signed_as(x, path, vault_rules__str(rec, "received_by"), NULL, vault_rules__str(rec, "received_at"));
		if ((asn = keyed_record(x, x->before, "asns", parts[3], VAULT_ASN_FILE)) == NULL)
			found(x->c, cid, path, "ship notice '%s' was not recorded before its receipt",
			      parts[3]);
		json_decref(asn);
		goto done;
	}
	require(x, VAULT_ROLE_SUPPLIER, "send ship notices", path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), "asn") != 0 ||
	    strcmp(vault_rules__str(rec, "asn"), parts[3]) != 0) {
		found(x->c, cid, path, "the ship notice is malformed or stored where another belongs");
		goto done;
	}
	signed_as(x, path, vault_rules__str(rec, "created_by"), vault_rules__str(rec, "supplier"),
		  vault_rules__str(rec, "created_at"));
	if ((po = keyed_record(x, x->before, "pos", vault_rules__str(rec, "po"), "po.json")) == NULL) {
		found(x->c, cid, path, "the ship notice's PO '%s' was not recorded before it",
		      vault_rules__str(rec, "po"));
		goto done;
	}
	if (strcmp(vault_rules__str(po, "supplier"), vault_rules__str(rec, "supplier")) != 0)
		found(x->c, cid, path, "the ship notice names supplier '%s', its PO '%s' another",
		      vault_rules__str(rec, "supplier"), vault_rules__str(rec, "po"));
	json_array_foreach(json_object_get(rec, "packages"), i, p) {
		json_t *lot = keyed_record(x, x->before, "lots", vault_rules__str(p, "lot"), "lot.json");

		if (!lot)
			found(x->c, cid, path, "the ship notice names lot '%s', not recorded before it",
			      vault_rules__str(p, "lot"));
		else if (strcmp(vault_rules__str(lot, "po"), vault_rules__str(rec, "po")) != 0)
			found(x->c, cid, path, "the ship notice ships lot '%s' of PO '%s' against PO '%s'",
			      vault_rules__str(p, "lot"), vault_rules__str(lot, "po"), vault_rules__str(rec, "po"));
		json_decref(lot);
	}
done:
	json_decref(rec);
	json_decref(po);
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
static void check_ncr(commit_ctx *x, const char *path)
{
	const git_oid *cid = git_commit_id(x->commit);
	char parts[6][VAULT_NAME_MAX + 1];
	json_t *rec = NULL, *before = NULL;
	size_t n = split_path(parts, 5, path);
	int closing;

	if (n != 5 || !fanned(path, "ncrs", parts[3]) ||
	    (strcmp(parts[4], VAULT_NCR_FILE) != 0 && strcmp(parts[4], VAULT_NCR_CLOSE_FILE) != 0)) {
		found(x->c, cid, path, "adds an unexpected path");
		return;
	}
	closing = strcmp(parts[4], VAULT_NCR_CLOSE_FILE) == 0;
	require(x, VAULT_ROLE_QUALITY | VAULT_ROLE_BUYER, closing ? "close nonconformance reports" :
		"open nonconformance reports", path);
	rec = json_at(x, x->tree, path);
	if (!rec || strcmp(vault_rules__str(rec, "record"), closing ? "ncr-close" : "ncr") != 0 ||
	    strcmp(vault_rules__str(rec, "ncr"), parts[3]) != 0) {
		found(x->c, cid, path, "the nonconformance record is malformed or stored where another belongs");
		goto done;
	}
	signed_as(x, path, vault_rules__str(rec, closing ? "closed_by" : "opened_by"), NULL,
		  vault_rules__str(rec, closing ? "closed_at" : "opened_at"));
	before = closing ? keyed_record(x, x->before, "ncrs", parts[3], VAULT_NCR_FILE) :
		keyed_record(x, x->before, "lots", vault_rules__str(rec, "lot"), "lot.json");
	if (!before)
		found(x->c, cid, path, closing ? "nonconformance report '%s' was not opened before it" :
		      "the nonconformance report's lot '%s' was not recorded before it",
		      closing ? parts[3] : vault_rules__str(rec, "lot"));
	else if (!closing && (strcmp(vault_rules__str(rec, "supplier"),
				     vault_rules__str(before, "supplier")) != 0 ||
			      (json_object_get(rec, "po") && strcmp(vault_rules__str(rec, "po"),
							vault_rules__str(before, "po")) != 0)))
		found(x->c, cid, path, "the report names supplier '%s', its lot '%s' is '%s''s",
		      vault_rules__str(rec, "supplier"), vault_rules__str(rec, "lot"),
		      vault_rules__str(before, "supplier"));
	if (json_is_string(json_object_get(rec, "disposition")) &&
	    !known_disposition(vault_rules__str(rec, "disposition")))
		found(x->c, cid, path, "the report gives an unknown disposition '%s'",
		      vault_rules__str(rec, "disposition"));
done:
	json_decref(rec);
	json_decref(before);
}

/*
 * A file of a revision folder (under files/, package.json, cert.json) arrives
 * with the record that lists it, in the same commit: never added to a
 * revision recorded earlier, never without a record.
 */
static void with_its_record(commit_ctx *x, const char *path, const char *rest)
{
	char rec[VAULT_PATH_MAX * 2];

	if (vault__fmt(rec, sizeof(rec), "path", "%.*s" VAULT_RECORD_FILE, (int)(rest - path),
		       path) < 0)
		found(x->c, git_commit_id(x->commit), path, "%s", vault_error_message());
	else if (has_path(x->before, rec))
		found(x->c, git_commit_id(x->commit), path, "adds a file to a revision recorded earlier");
	else if (!has_path(x->tree, rec))
		found(x->c, git_commit_id(x->commit), path, "adds a file without its record");
}

/* A record beside a revision (release, obsolete, link, ack) needs the revision's record. */
static void beside_a_record(commit_ctx *x, const char *path, const char *rest, const git_tree *in)
{
	char rec[VAULT_PATH_MAX * 2];

	if (vault__fmt(rec, sizeof(rec), "path", "%.*s" VAULT_RECORD_FILE, (int)(rest - path),
		       path) < 0 || !has_path(in, rec))
		found(x->c, git_commit_id(x->commit), path, "names a revision that has no record%s",
		      in == x->before ? " before it" : "");
}

/* release.json and obsolete.json: what they name, who wrote them, when. */
static void check_state(commit_ctx *x, const char *path, const char *doc, const char *rev,
			int release)
{
	const git_oid *cid = git_commit_id(x->commit);
	char *data = NULL, *reason = NULL, *by = NULL;
	vault_release r;
	int64_t at = 0;
	size_t len;
	int ok;

	memset(&r, 0, sizeof(r));
	if (read_at(&data, &len, x, x->tree, path) < 0) {
		found(x->c, cid, path, "the record cannot be read");
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
		found(x->c, cid, path, "the record is malformed or stored where another belongs");
	else if (x->known && strcmp(by, x->who->name) != 0)
		found(x->c, cid, path, "the record names '%s' as its author, but '%s' signed the commit",
		      by, x->who->name);
	else if (at != x->time)
		found(x->c, cid, path, "the record is dated %lld, its commit %lld", (long long)at,
		      (long long)x->time);
	if (release)
		vault_record__release_dispose(&r);
	else {
		free(reason);
		free(by);
	}
}

/* A kind's finding (rules.h) as a finding of the commit being checked. */
static void kind_found(const vault_change_ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void kind_found(const vault_change_ctx *c, const char *path, const char *fmt, ...)
{
	commit_ctx *x = c->payload;
	char problem[1024];
	va_list ap;

	va_start(ap, fmt);
	/* a finding is text for a person: one too long ends in "..." */
	if (vsnprintf(problem, sizeof(problem), fmt, ap) >= (int)sizeof(problem))
		memcpy(problem + sizeof(problem) - 4, "...", 4);
	va_end(ap);
	found(x->c, git_commit_id(x->commit), path, "%s", problem);
}

/* The change a commit makes, as the kinds' checks see it. */
static void change_of(vault_change_ctx *out, commit_ctx *x)
{
	memset(out, 0, sizeof(*out));
	out->store = x->c->v->store;
	out->before = x->before;
	out->tree = x->tree;
	out->who = x->known ? x->who : NULL;
	out->time = (int64_t)git_commit_time(x->commit);
	out->found = kind_found;
	out->payload = x;
}

/* One added path: what it is and whether the signer may add it. */
static void check_added(commit_ctx *x, const char *path)
{
	const git_oid *cid = git_commit_id(x->commit);
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	const char *rest;
	vault_change_ctx change;

	change_of(&change, x);

	if (strcmp(path, VAULT_CONFIG_FILE) == 0) {
		x->kinds |= K_CONFIG;
		if (x->before)
			require(x, VAULT_ROLE_ADMIN, "configure the vault", path);
		if (x->on_behalf)
			found(x->c, cid, path, "a server may not change the vault's settings on "
			      "behalf of '%s'", x->who->name);
		return;
	}
	if (strncmp(path, VAULT_USERS_DIR "/", 6) == 0) {
		const char *leaf = strrchr(path, '/');

		if (!leaf || (strcmp(leaf, "/user.json") != 0 && strcmp(leaf, "/revoked.json") != 0)) {
			found(x->c, cid, path, "adds an unexpected path");
			return;
		}
		x->kinds |= strcmp(leaf, "/user.json") == 0 ? K_USER : K_REVOKE;
		if (x->on_behalf)
			found(x->c, cid, path, "a server may not add or revoke users on behalf of '%s'",
			      x->who->name);
		else if (x->before && !(x->did & DID_USERS)) {
			x->did |= DID_USERS;
			require(x, VAULT_ROLE_ADMIN, "add or revoke users", path);
		}
		return;
	}
	if (strncmp(path, "pos/", 4) == 0) {
		size_t n = strlen(path);

		if (n < 8 || strcmp(path + n - 8, "/po.json") != 0) {
			x->kinds |= strstr(path, "/" VAULT_PO_ACKS_DIR "/") ? K_PO_ACK : K_STATUS;
			check_answer(x, path);
		} else {
			x->kinds |= K_PO;
			if (!(x->did & DID_PO)) {
				x->did |= DID_PO;
				require(x, VAULT_ROLE_BUYER, "issue purchase orders", path);
			}
			check_po(x, path);
		}
		return;
	}
	if (strncmp(path, "lots/", 5) == 0) {
		size_t n = strlen(path);

		x->kinds |= K_LOT;
		if (n < 9 || strcmp(path + n - 9, "/lot.json") != 0) {
			found(x->c, cid, path, "adds an unexpected path");
		} else {
			vault_lot__check(&change, path);
			vault_ledger__add(x->c->ledger, &change, path);
		}
		return;
	}
	if (strncmp(path, "asns/", 5) == 0) {
		size_t n = strlen(path);

		x->kinds |= n > 13 && strcmp(path + n - 13, "/" VAULT_RECEIPT_FILE) == 0 ?
			K_RECEIPT : K_ASN;
		check_asn(x, path);
		vault_ledger__add(x->c->ledger, &change, path);
		return;
	}
	if (strncmp(path, "ncrs/", 5) == 0) {
		x->kinds |= strstr(path, "/" VAULT_NCR_CLOSE_FILE) ? K_NCR_CLOSE : K_NCR;
		check_ncr(x, path);
		return;
	}
	if (vault_rules__doc_path(doc, rev, &rest, path) < 0) {
		found(x->c, cid, path, "adds an unexpected path");
		return;
	}
	if (strcmp(rest, VAULT_RECORD_FILE) == 0) {
		x->kinds |= K_RECORD;
		check_record(x, path, doc, rev);
		vault_doc__check_revision(&change, path);
	} else if (strncmp(rest, VAULT_FILES_DIR "/", 6) == 0) {
		x->kinds |= K_RECORD;
		with_its_record(x, path, rest);
	} else if (strcmp(rest, VAULT_PACKAGE_FILE) == 0) {
		x->kinds |= K_PACKAGE;
		with_its_record(x, path, rest);
		vault_fai__check_package(&change, path);
	} else if (strcmp(rest, VAULT_CERT_FILE) == 0) {
		x->kinds |= K_CERT;
		with_its_record(x, path, rest);
		vault_cert__check(&change, path);
	} else if (strcmp(rest, VAULT_RELEASE_FILE) == 0) {
		x->kinds |= K_RELEASE;
		if (!(x->did & DID_RELEASE)) {
			x->did |= DID_RELEASE;
			require(x, VAULT_ROLE_BUYER, "release documents", path);
		}
		beside_a_record(x, path, rest, x->tree);
		check_state(x, path, doc, rev, 1);
	} else if (strcmp(rest, VAULT_OBSOLETE_FILE) == 0) {
		x->kinds |= K_OBSOLETE;
		if (!(x->did & DID_OBSOLETE)) {
			x->did |= DID_OBSOLETE;
			require(x, VAULT_ROLE_BUYER, "make documents obsolete", path);
		}
		beside_a_record(x, path, rest, x->before);
		check_state(x, path, doc, rev, 0);
	} else if (strncmp(rest, VAULT_LINKS_DIR "/", 6) == 0) {
		x->kinds |= K_LINK;
		beside_a_record(x, path, rest, x->tree);
		vault_link__check(&change, path);
	} else if (strncmp(rest, VAULT_ACKS_DIR "/", 5) == 0) {
		size_t n = strlen(rest);

		x->kinds |= K_ACK;
		if (n > 9 && strcmp(rest + n - 9, ".json.sig") == 0) {
			char stmt[VAULT_PATH_MAX * 2];

			/* checked with its statement, which must come with it */
			if (vault__fmt(stmt, sizeof(stmt), "path", "%.*s", (int)(strlen(path) - 4),
				       path) < 0 ||
			    !has_path(x->tree, stmt) || has_path(x->before, stmt))
				found(x->c, cid, path, "adds a signature without its statement");
		} else if (n > 5 && strcmp(rest + n - 5, ".json") == 0) {
			check_ack(x, path, doc, rev);
		} else {
			found(x->c, cid, path, "adds an unexpected path");
		}
	} else {
		found(x->c, cid, path, "adds an unexpected path");
	}
}

static int change_cb(void *payload, vault_change what, const char *path)
{
	commit_ctx *x = payload;
	const git_oid *cid = git_commit_id(x->commit);

	switch (what) {
	case VAULT_CHANGE_ADDED:
		check_added(x, path);
		break;
	case VAULT_CHANGE_MODIFIED:
		if (strcmp(path, VAULT_CONFIG_FILE) == 0) {
			require(x, VAULT_ROLE_ADMIN, "configure the vault", path);
		} else {
			char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
			const char *rest;
			size_t n;

			found(x->c, cid, path, "rewrites a record: history only adds");
			/* a rewritten statement: does its signature still hold? */
			if (vault_rules__doc_path(doc, rev, &rest, path) == 0 &&
			    strncmp(rest, VAULT_ACKS_DIR "/", 5) == 0 && (n = strlen(rest)) > 5 &&
			    strcmp(rest + n - 5, ".json") == 0)
				check_ack(x, path, doc, rev);
		}
		break;
	case VAULT_CHANGE_DELETED:
		found(x->c, cid, path, "deletes a record: history only adds");
		break;
	case VAULT_CHANGE_MODE:
		found(x->c, cid, path, "is not a plain file or folder (mode): a vault holds "
		      "files (100644) and folders only");
		break;
	}
	return 0;
}

/* The user a commit names in its Qvault-On-Behalf-Of trailer, or "". */
static void on_behalf_of(char *name, size_t size, const git_commit *commit)
{
	char *value = NULL;

	name[0] = '\0';
	/* named twice, or longer than a name: "\n", which no user is called */
	if (vault_store__trailer(&value, git_commit_message(commit), VAULT_ON_BEHALF_TRAILER) < 0 ||
	    (value && vault__fmt(name, size, "user name", "%s", value) < 0))
		memcpy(name, "\n", 2);
	free(value);
}

/*
 * A commit the server signed for a user: the rules apply to that user,
 * who must have been registered and not revoked.  Only a server may
 * sign for someone else.  -1 when the commit fails that.
 */
static int acting_for(commit_ctx *x, const git_tree *users)
{
	const git_oid *cid = git_commit_id(x->commit);
	const vault_user_list *list;
	char name[VAULT_NAME_MAX + 2];
	size_t i;

	on_behalf_of(name, sizeof(name), x->commit);
	if (!name[0])
		return 0;
	if (!(x->who->roles & VAULT_ROLE_SERVER)) {
		found(x->c, cid, NULL, "'%s' signed for '%s' but may not act for another user "
		      "(needs role server)", x->who->name, name);
		return -1;
	}
	list = users_in(x->c, users);
	for (i = 0; list && i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			break;
	if (!list || i == list->count) {
		found(x->c, cid, NULL, "the server signed for '%s', who is not a registered user",
		      name);
		return -1;
	}
	if (list->items[i].revoked) {
		found(x->c, cid, NULL, "the server signed for revoked user '%s'", name);
		return -1;
	}
	if (list->items[i].roles & VAULT_ROLE_ADMIN) {
		found(x->c, cid, NULL, "the server signed on behalf of admin '%s': an admin signs "
		      "with its own key", name);
		return -1;
	}
	x->who = &list->items[i];
	x->on_behalf = 1;
	return 0;
}

/* Who signed `commit`, checked against the users just before it. */
static void check_signature(commit_ctx *x)
{
	const git_oid *cid = git_commit_id(x->commit);
	git_buf sig = { NULL, 0, 0 }, data = { NULL, 0, 0 };
	const git_tree *users = x->before ? x->before : x->tree;
	char *signer = NULL, fp[64];
	int error;

	error = git_commit_extract_signature(&sig, &data, x->c->repo, (git_oid *)(uintptr_t)cid, NULL);
	if (error == GIT_ENOTFOUND) {
		found(x->c, cid, NULL, "the commit is not signed");
		goto done;
	}
	if (error < 0) {
		found(x->c, cid, NULL, "the commit's signature cannot be read");
		goto done;
	}
	x->c->f->signatures++;
	if (vault_sign__claimed(&signer, sig.ptr, sig.size, "git") < 0) {
		found(x->c, cid, NULL, "the commit's signature does not verify: %s",
		      vault_error_message());
		goto done;
	}
	/* a commit the write path just signed with the acting key needs no second look */
	if (!x->c->own_commit)
		queue_check(&x->c->q, cid, NULL, "git", sig.ptr, sig.size, data.ptr, data.size);
	if ((x->who = signer_in(x->c, users, signer)) == NULL) {
		vault_sign__fingerprint_of(fp, signer);
		found(x->c, cid, NULL, "the commit is signed by an unregistered key %s", fp);
		goto done;
	}
	if (x->who->revoked) {
		found(x->c, cid, NULL, "the commit is signed by revoked user '%s'", x->who->name);
		goto done;
	}
	if (!x->before && !(x->who->roles & VAULT_ROLE_ADMIN)) {
		found(x->c, cid, NULL, "the first commit is not signed by the admin it registers");
		goto done;
	}
	if (acting_for(x, users) < 0)
		goto done;
	x->known = 1;
done:
	free(signer);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
}

/* 1 when `c` changes users/ or vault.json against its first parent (or has none). */
static int touches_trust(git_commit *c)
{
	static const char *const trust[] = { VAULT_USERS_DIR, VAULT_CONFIG_FILE };
	git_commit *p = NULL;
	git_tree *t = NULL, *pt = NULL;
	size_t i;
	int changed = 1;

	/* a merge changes nothing of its own: it is the union of its parents */
	if (git_commit_parentcount(c) > 1)
		return 0;
	if (git_commit_tree(&t, c) == 0 && git_commit_parentcount(c) > 0 &&
	    git_commit_parent(&p, c, 0) == 0 && git_commit_tree(&pt, p) == 0) {
		changed = 0;
		for (i = 0; i < sizeof(trust) / sizeof(trust[0]); i++) {
			const git_tree_entry *a = git_tree_entry_byname(t, trust[i]);
			const git_tree_entry *b = git_tree_entry_byname(pt, trust[i]);

			if (!a != !b || (a && !git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b))))
				changed = 1;
		}
	}
	git_tree_free(pt);
	git_tree_free(t);
	git_commit_free(p);
	return changed;
}

/*
 * Commits that reach a merge through one parent only are judged against
 * the revocations the other parent records: one signed by a user the
 * other side revoked, dated after that revocation, is a finding (a
 * revoked user cannot escape by forking the vault from before).
 */
static void check_side(commit_ctx *x, const git_oid *side, const git_oid *hide,
		       const git_tree *judge)
{
	vault_user_list *users = NULL;
	git_revwalk *walk = NULL;
	git_oid id;

	if (vault_user__list(&users, x->c->v->store, judge) < 0 ||
	    git_revwalk_new(&walk, x->c->repo) < 0 || git_revwalk_push(walk, side) < 0 ||
	    git_revwalk_hide(walk, hide) < 0)
		goto done;
	while (git_revwalk_next(&id, walk) == 0) {
		git_buf sig = { NULL, 0, 0 }, data = { NULL, 0, 0 };
		git_commit *c = NULL;
		char *signer = NULL, name[VAULT_NAME_MAX + 2];
		size_t i, n;

		if (git_commit_extract_signature(&sig, &data, x->c->repo, &id, NULL) == 0 &&
		    vault_sign__claimed(&signer, sig.ptr, sig.size, "git") == 0 &&
		    git_commit_lookup(&c, x->c->repo, &id) == 0) {
			int admin_act = touches_trust(c);

			n = strlen(signer);
			on_behalf_of(name, sizeof(name), c);
			for (i = 0; i < users->count; i++) {
				const vault_user *u = &users->items[i];
				int by = strncmp(u->key, signer, n) == 0 &&
					 (u->key[n] == '\0' || u->key[n] == ' ');

				if (!u->revoked || (!by && strcmp(u->name, name) != 0))
					continue;
				/* a commit's date is its signer's word: users and
				 * settings changed by a revoked user on the other side
				 * are refused whatever date they carry */
				if (admin_act || git_commit_time(c) >= u->revoked_at)
					found(x->c, git_commit_id(x->commit), NULL,
					      "the merge brings in commit %.12s %s '%s', whom the other "
					      "side had revoked%s", git_oid_tostr_s(&id),
					      by ? "by" : "for", u->name,
					      admin_act ? " (it changes users or settings)" : " before it");
			}
		}
		git_commit_free(c);
		free(signer);
		git_buf_dispose(&sig);
		git_buf_dispose(&data);
	}
done:
	git_revwalk_free(walk);
	vault_user_list_free(users);
}

/* The merge's signer, not revoked in the history it merges either. */
static void check_merge_signer(commit_ctx *x, const git_tree *other)
{
	vault_user_list *users = NULL;
	size_t i;

	if (!x->known || vault_user__list(&users, x->c->v->store, other) < 0)
		return;
	for (i = 0; i < users->count; i++)
		if (strcmp(users->items[i].name, x->who->name) == 0 && users->items[i].revoked)
			found(x->c, git_commit_id(x->commit), NULL,
			      "the merge is signed by '%s', revoked in the history it merges",
			      x->who->name);
	vault_user_list_free(users);
}

/* A merge must be the union of its parents: every path as one of them has it. */
typedef struct {
	commit_ctx *x;
	const git_tree *from;  /* the parent the changes are counted from */
	const git_tree *other; /* the other parent */
	const git_tree *base;  /* where they parted, NULL if they share nothing */
} union_check;

/* 1 when `path` is the same blob in `a` and `b` (or absent from both). */
static int same_at(const git_tree *a, const git_tree *b, const char *path)
{
	git_tree_entry *ea = NULL, *eb = NULL;
	int same;

	if (a)
		git_tree_entry_bypath(&ea, a, path);
	if (b)
		git_tree_entry_bypath(&eb, b, path);
	same = (!ea && !eb) ||
	       (ea && eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)));
	git_tree_entry_free(ea);
	git_tree_entry_free(eb);
	return same;
}

static int union_cb(void *payload, vault_change what, const char *path)
{
	union_check *u = payload;
	git_tree_entry *mine = NULL, *theirs = NULL;
	const git_oid *cid = git_commit_id(u->x->commit);

	if (what == VAULT_CHANGE_DELETED) {
		found(u->x->c, cid, path, "the merge drops a record");
		return 0;
	}
	if (what == VAULT_CHANGE_MODE) {
		found(u->x->c, cid, path, "the merge holds what is not a plain file or folder (mode)");
		return 0;
	}
	if (git_tree_entry_bypath(&mine, u->x->tree, path) < 0 ||
	    git_tree_entry_bypath(&theirs, u->other, path) < 0 ||
	    !git_oid_equal(git_tree_entry_id(mine), git_tree_entry_id(theirs)))
		found(u->x->c, cid, path, "the merge has content neither site wrote");
	/* replacing this side's version is fair only if this side never changed it */
	else if (what == VAULT_CHANGE_MODIFIED && !same_at(u->from, u->base, path))
		found(u->x->c, cid, path, "the merge drops what one site wrote there (a conflict "
		      "settled silently)");
	git_tree_entry_free(mine);
	git_tree_entry_free(theirs);
	return 0;
}

static int check_merge(commit_ctx *x, git_commit *commit)
{
	git_commit *second = NULL, *base_commit = NULL;
	git_tree *other = NULL, *base = NULL;
	git_oid base_id;
	union_check u;
	int error;

	if (git_commit_parentcount(commit) != 2) {
		found(x->c, git_commit_id(commit), NULL, "a merge of more than two histories");
		return 0;
	}
	require(x, VAULT_ROLE_ADMIN | VAULT_ROLE_BUYER | VAULT_ROLE_QUALITY | VAULT_ROLE_SERVER,
		"merge another site's history", NULL);
	if (git_commit_parent(&second, commit, 1) < 0 || git_commit_tree(&other, second) < 0) {
		git_commit_free(second);
		return vault_error__git(VAULT_ERROR, "cannot read the parents of merge %s",
					git_oid_tostr_s(git_commit_id(commit)));
	}
	if (git_merge_base(&base_id, x->c->repo, git_commit_parent_id(commit, 0),
			   git_commit_id(second)) == 0 &&
	    git_commit_lookup(&base_commit, x->c->repo, &base_id) == 0)
		git_commit_tree(&base, base_commit);
	if (git_oid_equal(git_commit_parent_id(commit, 0), git_commit_id(second)) ||
	    git_graph_descendant_of(x->c->repo, git_commit_parent_id(commit, 0),
				    git_commit_id(second)) == 1 ||
	    git_graph_descendant_of(x->c->repo, git_commit_id(second),
				    git_commit_parent_id(commit, 0)) == 1)
		found(x->c, git_commit_id(commit), NULL, "a merge of a history with itself or its "
		      "own ancestor (nothing to merge)");
	check_merge_signer(x, other);
	/* the rule pull refuses by: both sides revised one document */
	if (base && vault_replica__same_document(x->c->v, base, x->before, other) < 0)
		found(x->c, git_commit_id(commit), NULL, "%s", vault_error_message());
	check_side(x, git_commit_id(second), git_commit_parent_id(commit, 0), x->before);
	check_side(x, git_commit_parent_id(commit, 0), git_commit_id(second), other);
	u.x = x;
	u.base = base;
	u.from = x->before;
	u.other = other;
	error = vault_store__changes(x->c->v->store, x->before, x->tree, union_cb, &u);
	if (error == 0) {
		u.from = other;
		u.other = x->before;
		error = vault_store__changes(x->c->v->store, other, x->tree, union_cb, &u);
	}
	git_tree_free(base);
	git_commit_free(base_commit);
	git_tree_free(other);
	git_commit_free(second);
	return error;
}

/* How far ahead of this machine's clock a commit may be dated. */
#define CLOCK_SKEW (10 * 60)

/*
 * The commit's author and committer are the user it acts for, as
 * qvault writes them ("NAME <NAME@ORG>", one time); its time is not
 * before its parents' nor in the future.
 */
static void check_identity(commit_ctx *x)
{
	const git_oid *cid = git_commit_id(x->commit);
	const git_signature *a = git_commit_author(x->commit), *m = git_commit_committer(x->commit);
	size_t i;

	if (x->known) {
		size_t n = strlen(x->who->name);

		if (strcmp(a->name, x->who->name) != 0 || strncmp(a->email, x->who->name, n) != 0 ||
		    a->email[n] != '@' || strcmp(a->email + n + 1, x->who->org) != 0)
			found(x->c, cid, NULL, "the commit's author '%s <%s>' is not the user it "
			      "acts for, '%s' of '%s'", a->name, a->email, x->who->name, x->who->org);
	}
	if (strcmp(a->name, m->name) != 0 || strcmp(a->email, m->email) != 0 ||
	    a->when.time != m->when.time)
		found(x->c, cid, NULL, "the commit's committer is not its author, or at another time");
	for (i = 0; i < git_commit_parentcount(x->commit); i++) {
		git_commit *p;

		if (git_commit_parent(&p, x->commit, (unsigned)i) < 0)
			continue;
		if (git_commit_time(p) > x->time)
			found(x->c, cid, NULL, "the commit is dated before its parent %.12s",
			      git_oid_tostr_s(git_commit_id(p)));
		git_commit_free(p);
	}
	if (x->time > (int64_t)time(NULL) + CLOCK_SKEW)
		found(x->c, cid, NULL, "the commit is dated in the future");
}

/* The commit's Qvault-Op names what it changed, and nothing else. */
static void check_op(commit_ctx *x)
{
	const git_oid *cid = git_commit_id(x->commit);
	char *op = NULL;
	size_t i;
	int merge = git_commit_parentcount(x->commit) > 1;

	if (vault_store__trailer(&op, git_commit_message(x->commit), "Qvault-Op") < 0) {
		found(x->c, cid, NULL, "%s", vault_error_message());
		return;
	}
	if (!op) {
		found(x->c, cid, NULL, "the commit has no Qvault-Op trailer");
		return;
	}
	if (merge || strcmp(op, "merge") == 0) {
		if (!merge || strcmp(op, "merge") != 0)
			found(x->c, cid, NULL, "the commit's Qvault-Op '%s' %s", op,
			      merge ? "is not 'merge'" : "names a merge, but it has one parent");
		free(op);
		return;
	}
	for (i = 0; i < sizeof(op_kinds) / sizeof(op_kinds[0]); i++)
		if (strcmp(op_kinds[i].op, op) == 0)
			break;
	if (i == sizeof(op_kinds) / sizeof(op_kinds[0]))
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' is not an operation qvault knows",
		      op);
	else if (!x->kinds)
		found(x->c, cid, NULL, "the commit ('%s') changes nothing", op);
	else if (x->kinds & ~op_kinds[i].kinds)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' does not name all it changed", op);
	else if (op_kinds[i].needs & ~x->kinds)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' names a change it does not make",
		      op);
	else if ((strcmp(op, "init") == 0) != !x->before)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' %s", op,
		      x->before ? "is the first commit's" : "is not 'init', and it has no parent");
	free(op);
}

static int check_commit(checker *c, git_commit *commit)
{
	commit_ctx x;
	git_commit *parent = NULL;
	int error = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.commit = commit;
	x.time = git_commit_time(commit);
	c->f->commits++;
	if (git_commit_tree(&x.tree, commit) < 0 ||
	    (git_commit_parentcount(commit) > 0 &&
	     (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&x.before, parent) < 0))) {
		error = vault_error__git(VAULT_ERROR, "cannot read commit %s",
					 git_oid_tostr_s(git_commit_id(commit)));
		goto done;
	}
	if (git_commit_parentcount(commit) == 0)
		check_root(c, commit);
	check_signature(&x);
	if (git_commit_parentcount(commit) > 1)
		error = check_merge(&x, commit);
	else
		error = vault_store__changes(c->v->store, x.before, x.tree, change_cb, &x);
	check_identity(&x);
	check_op(&x);
done:
	git_tree_free(x.tree);
	git_tree_free(x.before);
	git_commit_free(parent);
	return error;
}

/* ---- stored bytes ------------------------------------------------------ */

static int sha_cb(void *payload, const unsigned char *buf, size_t len, int first)
{
	(void)first;
	EVP_DigestUpdate(payload, buf, len);
	return 0;
}

/* Re-hash the files of the revision folder `dir` at `path`. */
static void check_revision_files(checker *c, const git_tree *dir, const char *path)
{
	vault_revision r;
	git_tree_entry *te = NULL;
	git_tree *files = NULL;
	char *data;
	size_t len, i;
	int error;

	if (vault_store__read_path(&data, &len, c->v->store, dir, VAULT_RECORD_FILE) < 0)
		return;
	if (vault_record__revision_parse(&r, data, len) < 0) {
		free(data);
		found(c, NULL, path, "the record is malformed: %s", vault_error_message());
		return;
	}
	free(data);
	if (git_tree_entry_bypath(&te, dir, VAULT_FILES_DIR) < 0 ||
	    git_tree_lookup(&files, c->repo, git_tree_entry_id(te)) < 0) {
		found(c, NULL, path, "the revision has no files");
		goto done;
	}
	for (i = 0; i < r.nfiles; i++) {
		git_tree_entry *fe = NULL;
		EVP_MD_CTX *sha;
		unsigned char md[32];
		char hex[65];

		c->f->files++;
		if (git_tree_entry_bypath(&fe, files, r.files[i].name) < 0) {
			found(c, NULL, path, "file '%s' is missing", r.files[i].name);
			continue;
		}
		sha = EVP_MD_CTX_new();
		EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
		error = vault_store__read_blob(c->v->store, git_tree_entry_id(fe), sha_cb, sha);
		git_tree_entry_free(fe);
		if (error < 0) {
			found(c, NULL, path, "file '%s' cannot be read: %s", r.files[i].name,
			      vault_error_message());
			EVP_MD_CTX_free(sha);
			continue;
		}
		EVP_DigestFinal_ex(sha, md, NULL);
		EVP_MD_CTX_free(sha);
		vault__hex(hex, md, sizeof(md));
		if (strcmp(hex, r.files[i].sha256) != 0)
			found(c, NULL, path, "file '%s' does not match its recorded SHA-256 (stored %s)",
			      r.files[i].name, hex);
	}
done:
	git_tree_free(files);
	git_tree_entry_free(te);
	vault_revision_dispose(&r);
}

/* Walk docs/<a>/<b>/<DOC>/<REV> of the head's tree. */
static int check_files(checker *c, const git_tree *root, const char *path, int depth)
{
	size_t i;

	if (depth == 4) {
		check_revision_files(c, root, path);
		return 0;
	}
	for (i = 0; i < git_tree_entrycount(root); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(root, i);
		char sub[VAULT_PATH_MAX];
		git_tree *t;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (vault__fmt(sub, sizeof(sub), "path", "%s/%s", path, git_tree_entry_name(e)) < 0)
			return VAULT_EVERIFY;
		if (git_tree_lookup(&t, c->repo, git_tree_entry_id(e)) < 0)
			return vault_error__git(VAULT_ERROR, "cannot read '%s'", sub);
		check_files(c, t, sub, depth + 1);
		git_tree_free(t);
	}
	return 0;
}

/* ---- the index ---------------------------------------------------------- */

/*
 * The index check runs on its own thread, with its own repository and
 * database handles, while the history walk goes on: it rebuilds an index
 * from the repository alone beside the real one and compares the two.
 */
typedef struct {
	pthread_t thread;
	const char *vault_path; /* opened again: libgit2 objects are per thread */
	char index_path[4200];
	int readonly;
	int error;
	char message[1024];
	char problems[16][256]; /* one per view that disagrees */
	size_t nproblems;
} index_check;

static int compare_indexes(index_check *ic, vault_store *store)
{
	static const struct {
		const char *what, *cols, *in_main, *in_fresh;
	} views[] = {
		{ "revisions", "doc, rev, seq, type, title, added_by, org, added_at, commit_id",
		  "main.revisions", "fresh.revisions" },
		{ "files", "r.doc, r.rev, f.name, f.sha256, f.blob, f.size, f.mime",
		  "main.files f JOIN main.revisions r ON r.id = f.revision",
		  "fresh.files f JOIN fresh.revisions r ON r.id = f.revision" },
		{ "releases", "doc, rev, reason, effective, released_by, released_at",
		  "main.releases", "fresh.releases" },
		{ "distribution", "doc, rev, org", "main.distribution", "fresh.distribution" },
		{ "obsolete revisions", "doc, rev, reason, obsoleted_by", "main.obsoletes",
		  "fresh.obsoletes" },
		{ "acknowledgments", "doc, rev, name, signer, org, meaning, time", "main.acks",
		  "fresh.acks" },
		{ "audit trail", "commit_id, time, author, op, summary", "main.events",
		  "fresh.events" },
		{ "PO acknowledgments", "po, seq, line, decision, promise, qty, note, reason, org,"
		  " signed_by, signed_at, commit_id", "main.po_acks", "fresh.po_acks" },
		{ "status reports", "po, seq, line, status, note, org, reported_by, reported_at, commit_id",
		  "main.po_status", "fresh.po_status" },
		{ "ship notices", "asn, po, supplier, ship_date, carrier, tracking, source, warnings,"
		  " created_by, created_at, commit_id", "main.asns", "fresh.asns" },
		{ "ship notice packages", "asn, package, lot, po, line, part, qty", "main.asn_items",
		  "fresh.asn_items" },
		{ "receipts", "r.asn, r.received, r.received_by, i.lot, i.shipped, i.received",
		  "main.receipts r JOIN main.receipt_items i ON i.asn = r.asn",
		  "fresh.receipts r JOIN fresh.receipt_items i ON i.asn = r.asn" },
		{ "nonconformance reports", "n.ncr, n.lot, n.supplier, n.reason, n.disposition,"
		  " c.disposition, c.closed_by", "main.ncrs n LEFT JOIN main.ncr_closes c ON c.ncr = n.ncr",
		  "fresh.ncrs n LEFT JOIN fresh.ncr_closes c ON c.ncr = n.ncr" },
	};
	const char *tmpdir = getenv("TMPDIR");
	char path[4096], sql[2048];
	sqlite3_stmt *attach;
	vault_index *fresh = NULL, *real = NULL;
	sqlite3 *db;
	size_t i;
	int fd, error;

	if ((error = vault__fmt(path, sizeof(path), "TMPDIR", "%s/qvault-verify-XXXXXX",
				tmpdir ? tmpdir : "/tmp")) < 0)
		return error;
	if ((fd = mkstemp(path)) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot create a scratch index");
	close(fd);
	if ((error = vault_index__open(&fresh, path, 0)) < 0 ||
	    (error = vault_index__catch_up(fresh, store, 1)) < 0 ||
	    (error = vault_index__open(&real, ic->index_path, ic->readonly)) < 0)
		goto done;
	vault_index__free(fresh);
	fresh = NULL;
	db = vault_index__db(real);
	if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS fresh", -1, &attach, NULL) != SQLITE_OK) {
		error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(attach, 1, path, -1, SQLITE_STATIC);
	error = sqlite3_step(attach) == SQLITE_DONE ? 0 :
		vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	sqlite3_finalize(attach);
	if (error < 0)
		goto done;
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		sqlite3_stmt *st;

		if ((error = vault__fmt(sql, sizeof(sql), "statement",
			 "SELECT (SELECT count(*) FROM (SELECT %s FROM %s EXCEPT SELECT %s FROM %s))"
			 " + (SELECT count(*) FROM (SELECT %s FROM %s EXCEPT SELECT %s FROM %s))",
			 views[i].cols, views[i].in_main, views[i].cols, views[i].in_fresh,
			 views[i].cols, views[i].in_fresh, views[i].cols, views[i].in_main)) < 0)
			break;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
			break;
		}
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0 &&
		    ic->nproblems < sizeof(ic->problems) / sizeof(ic->problems[0]))
			vault__fmt_message(ic->problems[ic->nproblems++], sizeof(ic->problems[0]),
				 "the index disagrees with the repository on %s "
				 "(%lld rows; 'qvault reindex' rebuilds it)", views[i].what,
				 (long long)sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_exec(db, "DETACH DATABASE fresh", NULL, NULL, NULL);
done:
	vault_index__free(real);
	vault_index__free(fresh);
	unlink(path);
	return error;
}

static void *index_worker(void *arg)
{
	index_check *ic = arg;
	vault_store *store;

	/* its own repository: libgit2 documents only the odb as safe to share */
	if ((ic->error = vault_store__open(&store, ic->vault_path)) == 0) {
		ic->error = compare_indexes(ic, store);
		vault_store__free(store);
	}
	if (ic->error < 0)
		vault__fmt_message(ic->message, sizeof(ic->message), "%s", vault_error_message());
	return NULL;
}

static int index_check_start(index_check *ic, vault *v)
{
	memset(ic, 0, sizeof(*ic));
	ic->vault_path = v->path;
	ic->readonly = v->readonly;
	if (vault__fmt(ic->index_path, sizeof(ic->index_path), "path", "%s/index.db", v->qdir) < 0)
		return VAULT_EINVALID;
	if (pthread_create(&ic->thread, NULL, index_worker, ic) != 0)
		return vault_error__set(VAULT_ERROR, "cannot start the index check");
	return 0;
}

static int index_check_finish(index_check *ic, checker *c)
{
	size_t i;

	pthread_join(ic->thread, NULL);
	for (i = 0; i < ic->nproblems; i++)
		found(c, NULL, "index", "%s", ic->problems[i]);
	if (ic->error < 0)
		return vault_error__set(ic->error, "%s", ic->message);
	return 0;
}

int vault_verify(vault_findings **out, vault *v)
{
	checker c;
	index_check ic;
	int index_started = 0;
	git_revwalk *walk = NULL;
	git_commit *head = NULL;
	git_tree *root = NULL;
	git_tree_entry *docs = NULL;
	git_oid id;
	int error;

	*out = NULL;
	checker_begin(&c, v);
	vault_ledger_new(&c.ledger);
	queue_start(&c.q);
	if ((error = vault_store__head(&head, v->store)) < 0 ||
	    (error = checker_init(&c, head)) < 0 ||
	    (error = index_check_start(&ic, v)) < 0)
		goto done;
	index_started = 1;
	if (git_revwalk_new(&walk, c.repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, git_commit_id(head)) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot walk the history");
		goto done;
	}
	while ((error = git_revwalk_next(&id, walk)) == 0) {
		git_commit *commit;

		if (git_commit_lookup(&commit, c.repo, &id) < 0) {
			error = vault_error__git(VAULT_ERROR, "cannot read commit %s", git_oid_tostr_s(&id));
			goto done;
		}
		error = check_commit(&c, commit);
		git_commit_free(commit);
		if (error < 0)
			goto done;
	}
	if (error != GIT_ITEROVER) {
		error = vault_error__git(VAULT_ERROR, "cannot walk the history");
		goto done;
	}
	error = 0; /* a vault with no documents yet has nothing more to check */
	if (git_commit_tree(&root, head) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
		goto done;
	}
	if (git_tree_entry_bypath(&docs, root, "docs") == 0) {
		git_tree *t;

		if (git_tree_lookup(&t, c.repo, git_tree_entry_id(docs)) == 0) {
			error = check_files(&c, t, "docs", 0);
			git_tree_free(t);
			if (error < 0)
				goto done;
		}
	}
done:
	if (index_started) {
		int e = index_check_finish(&ic, &c);

		if (!error)
			error = e;
	}
	queue_finish(&c);
	git_tree_entry_free(docs);
	git_tree_free(root);
	git_commit_free(head);
	git_revwalk_free(walk);
	checker_end(&c);
	vault_ledger_free(c.ledger);
	if (error < 0) {
		vault_findings_free(c.f);
		return error;
	}
	*out = c.f;
	return c.f->count ? vault_error__set(VAULT_EVERIFY, "%zu finding%s", c.f->count,
					      c.f->count == 1 ? "" : "s") : 0;
}

int vault_verify__commit(vault *v, const git_oid *id)
{
	vault_findings *f;
	git_commit *commit = NULL, *head = NULL;
	checker c;
	int error;

	checker_begin(&c, v);
	/* no second thread: the signatures are checked here, at queue_finish */
	pthread_mutex_init(&c.q.lock, NULL);
	pthread_cond_init(&c.q.more, NULL);
	c.root_seen = 1; /* a new commit has a parent: another root is a finding */
	c.own_commit = 1;
	if (git_commit_lookup(&commit, c.repo, id) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read the new commit");
		goto done;
	}
	if ((error = vault_store__head(&head, v->store)) < 0 ||
	    (error = checker_init(&c, head)) < 0)
		goto done;
	c.root_recorded = 0;
	error = check_commit(&c, commit);
done:
	queue_finish(&c);
	f = c.f;
	if (!error && f->count)
		error = vault_error__set(VAULT_EDENIED, "refused: %s%s%s", f->items[0].subject ?
					 f->items[0].subject : "", f->items[0].subject ? ": " : "",
					 f->items[0].problem);
	vault_findings_free(f);
	checker_end(&c);
	git_commit_free(head);
	git_commit_free(commit);
	return error;
}
