/*
 * verify.c - check a vault without trusting it: signatures, roles at each
 * point of history, append-only records, acknowledgments, stored bytes,
 * and the index.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "ack.h"
#include "commitgraph.h"
#include "common.h"
#include "error.h"
#include "gc.h"
#include "gitviews.h"
#include "kind.h"
#include "journal.h"
#include "kinds.h"
#include "record.h"
#include "resident.h"
#include "rules.h"
#include "sign.h"
#include "token.h"
#include "user.h"
#include "util.h"
#include "verify.h"
#include "walk.h"

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
} sig_job;

/* A check that failed, kept for the report. */
typedef struct {
	git_oid commit;
	char *subject;
	char problem[256];
} sig_failure;

/*
 * The checks waiting, in a ring of SIG_PENDING: the walk waits when it is
 * full, so what verify holds for them is bounded whatever the history's
 * length (the worker frees each job once checked and keeps only failures).
 */
#define SIG_PENDING 4096
typedef struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	sig_job *jobs;          /* SIG_PENDING of them, with a second thread */
	size_t head, count;     /* the oldest waiting, how many wait */
	sig_failure *failures;
	size_t nfailures, cap;
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
	vault_detect *detect;   /* the vault's, for uploads' content (not the write path's) */
	git_oid root;           /* its root commit, as recorded */
	int root_recorded, root_seen;
	/* the users of the last users/ folder read: most commits share it */
	git_oid users_id;
	vault_user_list *users;
	vault_ledger *ledger;   /* what each lot holds and what is drawn from it */
	/* the vault.json last parsed (config_before): most commits share it */
	git_oid config_id;
	vault_config config;
	int config_state;       /* 0: none parsed, 1: parsed, -1: that blob does not parse */
	/* revision records the history added, and revision folders the
	 * head's tree holds (check_files): never more of those */
	uint64_t revisions_added, revision_folders;
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

/* Check one job, keep it if it failed, free it. */
static void sig_run(sig_queue *q, sig_job *j)
{
	char *signer = NULL, problem[256] = "";
	int ok;

	ok = vault_sign__check(&signer, j->armored, j->armored_len, j->ns, j->data,
			       j->data_len) == 0;
	if (!ok)
		vault__fmt_message(problem, sizeof(problem), "%s", vault_error_message());
	free(signer);
	free(j->armored);
	free(j->data);
	if (ok) {
		free(j->subject);
		return;
	}
	pthread_mutex_lock(&q->lock);
	if (q->nfailures == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		if ((q->failures = realloc(q->failures, q->cap * sizeof(*q->failures))) == NULL)
			abort();
	}
	git_oid_cpy(&q->failures[q->nfailures].commit, &j->commit);
	q->failures[q->nfailures].subject = j->subject;
	memcpy(q->failures[q->nfailures].problem, problem, sizeof(problem));
	q->nfailures++;
	pthread_mutex_unlock(&q->lock);
}

static void *sig_worker(void *arg)
{
	sig_queue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		sig_job j;

		while (q->count == 0 && !q->closed)
			pthread_cond_wait(&q->more, &q->lock);
		if (q->count == 0)
			break;
		/* take it out: its slot is free for the walk at once */
		j = q->jobs[q->head];
		q->head = (q->head + 1) % SIG_PENDING;
		q->count--;
		pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->lock);
		sig_run(q, &j);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* A queue; `thread`: check on a second thread (else each check at once). */
static void queue_start(sig_queue *q, int thread)
{
	q->head = q->count = q->nfailures = q->cap = 0;
	q->failures = NULL;
	q->jobs = NULL;
	q->closed = q->started = 0;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	if (thread && (q->jobs = calloc(SIG_PENDING, sizeof(*q->jobs))) == NULL)
		abort();
	if (thread)
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
	if (!q->started) {
		/* no second thread: checked here, now */
		sig_run(q, &j);
		return;
	}
	pthread_mutex_lock(&q->lock);
	while (q->count == SIG_PENDING)
		pthread_cond_wait(&q->room, &q->lock);
	q->jobs[(q->head + q->count++) % SIG_PENDING] = j;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

/* Finish the checks and report each that failed. */
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
	for (i = 0; i < q->nfailures; i++) {
		sig_failure *x = &q->failures[i];

		found(c, &x->commit, x->subject, x->subject ?
		      "the acknowledgment's signature does not verify: %s" :
		      "the commit's signature does not verify: %s", x->problem);
		free(x->subject);
	}
	free(q->failures);
	free(q->jobs);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
}

static void found(checker *c, const git_oid *commit, const char *subject,
		  const char *fmt, ...)
{
	vault_finding *x;
	char problem[1024];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	/* a finding is text for a person: one too long ends in "..." */
	vault__vfmt_message(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	/* and one line, whatever a forged record's names hold */
	for (i = 0; problem[i]; i++)
		if ((unsigned char)problem[i] < 0x20 || problem[i] == 0x7f)
			problem[i] = '?';
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

/* A copy of an object that is not that object, or an index out of
 * order (packread.h): its file named within the repository (objects/...)
 * when it is there. */
static void copy_found(void *payload, const char *file, const git_oid *id, const char *why)
{
	const checker *c = payload;
	const char *repo = git_repository_path(c->repo);
	size_t len = strlen(repo);

	if (!strncmp(file, repo, len) && file[len])
		file += len;
	if (id)
		found(payload, NULL, file, "object %s: %s", git_oid_tostr_s(id), why);
	else
		found(payload, NULL, file, "%s", why);
}

/* A finding of the access journal (journal.h), about no commit. */
static void journal_found(void *payload, const char *msg)
{
	found(payload, NULL, VAULT_JOURNAL_FILE, "%s", msg);
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
	vault_config__dispose(&c->config);
	c->config_state = 0;
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
	if (!c->own_commit && (error = vault__detector(&c->detect, c->v)) < 0)
		return error;
	error = vault_store__root(&c->root, c->v->store);
	c->root_recorded = error == 0;
	return error == VAULT_ENOTFOUND ? 0 : error;
}

/* ---- two sites' histories ---------------------------------------------- */

typedef struct {
	char **docs;
	size_t count, cap;
	const git_tree *self, *other;
} doc_set;

static int collect_revision(void *payload, vault_change what, const char *path)
{
	doc_set *s = payload;
	vault_kind_match m;

	char key[VAULT_NAME_MAX + 3];
	int po;

	if (what != VAULT_CHANGE_ADDED)
		return 0;
	/* a document's revisions, and a PO's change orders: each a next
	 * revision; and a PO's releases, each checked against the blanket's
	 * terms and what the releases before it called off, as a change
	 * order is checked against what was released: a release at one site
	 * and a change order (or another release) at the other would each
	 * pass alone and together call off more than the blanket holds */
	if ((po = vault_kind__match(&vault_kind_po_change, path, &m)) != 0)
		po = 'p';
	else if (vault_kind__match(&vault_kind_po_release, path, &m))
		po = 'r';
	else if (!vault_kind__match(&vault_kind_revision, path, &m))
		return 0;
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		if ((s->docs = realloc(s->docs, s->cap * sizeof(char *))) == NULL)
			abort();
	}
	/* a revision the other side has too, byte for byte, came from one
	 * site through both (criss-cross merges): no competition */
	if (s->other) {
		git_tree_entry *mine = NULL, *theirs = NULL;
		int same = git_tree_entry_bypath(&mine, s->self, path) == 0 &&
			   git_tree_entry_bypath(&theirs, s->other, path) == 0 &&
			   git_oid_equal(git_tree_entry_id(mine), git_tree_entry_id(theirs));

		git_tree_entry_free(mine);
		git_tree_entry_free(theirs);
		if (same)
			return 0;
	}
	if (vault__fmt(key, sizeof(key), "name", "%c:%s", po ? po : 'd', m.key) < 0)
		return VAULT_EINVALID;
	s->docs[s->count++] = vault__strdup(key);
	return 0;
}

static void doc_set_free(doc_set *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->docs[i]);
	free(s->docs);
}

/* One document's revisions, or one PO's change orders and releases. */
static int same_key(const char *a, const char *b)
{
	return strcmp(a + 2, b + 2) == 0 && (a[0] == 'd') == (b[0] == 'd');
}

static const char *what_both(char a, char b)
{
	if (a == 'd')
		return "revisions of";
	if (a != b)
		return "a change order and a release of PO";
	return a == 'p' ? "change orders of PO" : "releases of PO";
}

/*
 * Both sites added revisions of the same document, or change orders or
 * releases of the same PO, since they parted: the two would compete to be
 * its current revision, or call off more than its blanket holds.  A true
 * conflict.
 */
int vault_verify__same_document(vault *v, const git_tree *base, const git_tree *ours,
				 const git_tree *theirs)
{
	doc_set a = { NULL, 0, 0, ours, theirs }, b = { NULL, 0, 0, theirs, ours };
	size_t i, j;
	int error;

	if ((error = vault_store__changes(v->store, base, ours, collect_revision, &a)) < 0 ||
	    (error = vault_store__changes(v->store, base, theirs, collect_revision, &b)) < 0)
		goto done;
	for (i = 0; i < a.count && !error; i++)
		for (j = 0; j < b.count && !error; j++)
			if (same_key(a.docs[i], b.docs[j]))
				error = vault_error__set(VAULT_EEXISTS,
					"both sites added %s '%s' since they parted; "
					"nothing was merged (settle it at one site, then pull)",
					what_both(a.docs[i][0], b.docs[j][0]), a.docs[i] + 2);
done:
	doc_set_free(&a);
	doc_set_free(&b);
	return error;
}

/* ---- one commit --------------------------------------------------------- */

typedef struct {
	checker *c;
	git_commit *commit;
	git_tree *tree, *before; /* before: the parent's tree, NULL for the root */
	const vault_user *who;   /* the signer, when known (the checker's cache) */
	int known;
	int on_behalf;           /* a server signed it for `who` */
	int64_t time;            /* the commit's time */
	uint64_t kinds;          /* bit i: it wrote a record of kind v->kinds[i] */
	char *types_done;        /* document types whose add was checked */
	size_t first_finding;    /* the checker's count of findings before this commit */
} commit_ctx;

/*
 * The most findings the walk of one commit's changes makes before it
 * stops: a tree forged to name one folder under two names, again and
 * again (48 levels: 50 objects, 2^48 paths, signed by a registered
 * user), was walked path by path, a finding kept for each, without end.
 */
#define MAX_COMMIT_FINDINGS 1000

static void require(commit_ctx *x, unsigned roles, const char *what, const char *subject)
{
	if (!x->known)
		return;
	if (vault_user__may(x->who, roles, what) < 0)
		found(x->c, git_commit_id(x->commit), subject, "%s", vault_error_message());
}

/* Read a blob at `path` of `tree` whole (records are small). */
static int read_at(char **data, size_t *len, commit_ctx *x, const git_tree *tree,
		   const char *path)
{
	return vault_store__read_path(data, len, x->c->v->store, tree, path);
}

/*
 * The release record at `path` of the commit's parent tree, parsed once
 * per blob (a revision's release is read again for each of its many
 * acknowledgments); NULL when there is none.  Owned by the checker.
 */
static const vault_release *release_at(const vault_change_ctx *cc, const char *path)
{
	commit_ctx *x = cc->payload;
	checker *c = x->c;
	git_tree_entry *e = NULL;
	char *data = NULL;
	size_t len, i;
	release_slot *slot;

	if (!x->before || vault_store__entry(&e, c->v->store, x->before, path) < 0)
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

/*
 * The vault.json of the commit's parent tree, parsed once per blob: each
 * upload is held to the allowlist and PDF policy in force before its
 * commit, and a commit of many uploads would parse it for each.  Owned
 * by the checker; NULL when there is none or it does not parse.
 */
static const vault_config *config_before(const vault_change_ctx *cc)
{
	commit_ctx *x = cc->payload;
	checker *c = x->c;
	const git_tree_entry *e;
	char *data = NULL;
	size_t len;
	int error;

	if (!x->before || (e = git_tree_entry_byname(x->before, VAULT_CONFIG_FILE)) == NULL)
		return NULL;
	if (c->config_state && git_oid_equal(&c->config_id, git_tree_entry_id(e)))
		return c->config_state > 0 ? &c->config : NULL;
	vault_config__dispose(&c->config);
	git_oid_cpy(&c->config_id, git_tree_entry_id(e));
	c->config_state = -1;
	if (read_at(&data, &len, x, x->before, VAULT_CONFIG_FILE) < 0)
		return NULL;
	error = vault_config__parse(&c->config, data, len);
	free(data);
	if (error < 0) {
		vault_config__dispose(&c->config);
		return NULL;
	}
	c->config_state = 1;
	return &c->config;
}

/* ---- the supplier portal's records ---------------------------------------- */

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
	vault__vfmt_message(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	found(x->c, git_commit_id(x->commit), path, "%s", problem);
}

/* The signer's user of key `key_id` in `users` (a service to the kinds' checks). */
static const vault_user *user_of_key(const vault_change_ctx *cc, const git_tree *users,
				     const char *key_id)
{
	commit_ctx *x = cc->payload;

	return signer_in(x->c, users, key_id);
}

/* A signature a kind's record carries, checked with the commit's on the second thread. */
static void check_record_signature(const vault_change_ctx *cc, const char *path, const char *ns,
				   const char *sig, size_t siglen, const char *data, size_t len)
{
	commit_ctx *x = cc->payload;

	queue_check(&x->c->q, git_commit_id(x->commit), path, ns, sig, siglen, data, len);
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
	out->on_behalf = x->on_behalf;
	out->vault_id = x->c->vault_id;
	/* the write path detected each file as it took it in: no second look */
	if (!x->c->own_commit)
		out->detect = x->c->detect;
	out->found = kind_found;
	out->payload = x;
	out->release_at = release_at;
	out->user_of_key = user_of_key;
	out->check_signature = check_record_signature;
	out->config_before = config_before;
}

/*
 * One added path: its kind (a vault holds nothing else), whether the
 * signer holds a role that may write that kind (once a commit), and the
 * kind's own check.
 */
static void check_added(commit_ctx *x, const char *path)
{
	const vault_kind *const *kinds = x->c->v->kinds;
	const vault_kind *k = NULL;
	vault_change_ctx change;
	size_t i;

	for (i = 0; kinds[i]; i++)
		if (vault_kind__match(kinds[i], path, NULL)) {
			k = kinds[i];
			break;
		}
	if (!k) {
		found(x->c, git_commit_id(x->commit), path, "adds an unexpected path");
		return;
	}
	if (k->roles && !(x->kinds & (UINT64_C(1) << i)))
		require(x, k->roles, k->act, path);
	x->kinds |= UINT64_C(1) << i;
	if (k == &vault_kind_ack)
		x->c->f->acks++;
	if (k == &vault_kind_revision)
		x->c->revisions_added++;
	change_of(&change, x);
	if (k->check)
		k->check(&change, path);
	vault_ledger__add(x->c->ledger, &change, path);
}

/* vault.json changed: checked as its kind, counted as written (check_op). */
static void check_changed_config(commit_ctx *x, const char *path)
{
	const vault_kind *const *kinds = x->c->v->kinds;
	vault_change_ctx change;
	size_t i;

	for (i = 0; kinds[i]; i++)
		if (kinds[i] == &vault_kind_config)
			break;
	if (!kinds[i])
		return;
	if (!(x->kinds & (UINT64_C(1) << i)))
		require(x, VAULT_ROLE_ADMIN, "configure the vault", path);
	x->kinds |= UINT64_C(1) << i;
	change_of(&change, x);
	vault_kind_config.check(&change, path);
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
			/* the one record a later commit changes (`qvault types`): its kind's check */
			check_changed_config(x, path);
		} else {
			found(x->c, cid, path, "rewrites a record: history only adds");
			/* a rewritten statement: does its signature still hold? */
			if (vault_kind__match(&vault_kind_ack, path, NULL)) {
				vault_change_ctx change;

				change_of(&change, x);
				vault_kind_ack.check(&change, path);
			}
		}
		break;
	case VAULT_CHANGE_DELETED:
		found(x->c, cid, path, "deletes a record: history only adds");
		break;
	case VAULT_CHANGE_MODE:
		found(x->c, cid, path, "is not a plain file or folder (mode): a vault holds "
		      "files (100644) and folders only");
		break;
	case VAULT_CHANGE_EMPTY:
		found(x->c, cid, path, "is an empty folder: a vault holds none");
		break;
	}
	if (x->c->f->count - x->first_finding >= MAX_COMMIT_FINDINGS) {
		found(x->c, cid, NULL, "more than %d findings: the rest of the commit's changes "
		      "were not looked at", MAX_COMMIT_FINDINGS);
		return 1; /* the walk stops; check_commit goes on */
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

/*
 * 1 when `c` changes users/, tokens/, enrollments/ or vault.json against its first
 * parent (or has none): who may act, and with what credentials.
 */
static int touches_trust(git_commit *c)
{
	static const char *const trust[] = { VAULT_USERS_DIR, VAULT_TOKENS_DIR, VAULT_CONFIG_FILE,
					     "enrollments" };
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
					      admin_act ? " (it changes users, tokens or settings)" : " before it");
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
	if (what == VAULT_CHANGE_MODE || what == VAULT_CHANGE_EMPTY) {
		found(u->x->c, cid, path, what == VAULT_CHANGE_MODE ?
		      "the merge holds what is not a plain file or folder (mode)" :
		      "the merge holds an empty folder");
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

/*
 * Two sites may each register a user of one organization, each fine on its
 * own side (a buyer at one, a supplier at the other): the union must hold
 * the sides rule too (vault_user__side_check).
 */
static void check_merged_sides(commit_ctx *x, git_commit *commit)
{
	vault_user_list *all = NULL;
	size_t i;

	if (vault_user__list(&all, x->c->v->store, x->tree) < 0)
		return; /* each side's own check says what is wrong with its users */
	for (i = 0; i < all->count; i++)
		if (vault_user__side_check(&all->items[i], all) < 0) {
			found(x->c, git_commit_id(commit), NULL, "the merge: %s", vault_error_message());
			break;
		}
	vault_user_list_free(all);
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
	if (base && vault_verify__same_document(x->c->v, base, x->before, other) < 0)
		found(x->c, git_commit_id(commit), NULL, "%s", vault_error_message());
	check_side(x, git_commit_id(second), git_commit_parent_id(commit, 0), x->before);
	check_side(x, git_commit_parent_id(commit, 0), git_commit_id(second), other);
	check_merged_sides(x, commit);
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
	const vault_kind *const *kinds = x->c->v->kinds, *wrong = NULL, *missing = NULL;
	char *op = NULL;
	size_t i;
	int known = 0, merge = git_commit_parentcount(x->commit) > 1;

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
	for (i = 0; kinds[i]; i++) {
		known |= vault_kind__written_by(kinds[i], op);
		if ((x->kinds & (UINT64_C(1) << i)) && !vault_kind__written_by(kinds[i], op) &&
		    !wrong)
			wrong = kinds[i];
		if (!(x->kinds & (UINT64_C(1) << i)) && vault_kind__made_by(kinds[i], op) &&
		    !missing)
			missing = kinds[i];
	}
	if (!known)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' is not an operation qvault knows",
		      op);
	else if (!x->kinds)
		found(x->c, cid, NULL, "the commit ('%s') changes nothing", op);
	else if (wrong)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' does not name all it changed "
		      "(a %s)", op, wrong->name);
	else if (missing)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' names a change it does not make "
		      "(no %s)", op, missing->name);
	else if ((strcmp(op, "init") == 0) != !x->before)
		found(x->c, cid, NULL, "the commit's Qvault-Op '%s' %s", op,
		      x->before ? "is the first commit's" : "is not 'init', and it has no parent");
	free(op);
}

/*
 * Check `commit`; `whole`: all checked before it is its history
 * (vault_walk__whole); `last`: the walk's last (vault_ledger__commit).
 */
static int check_commit(checker *c, git_commit *commit, int whole, int last)
{
	commit_ctx x;
	vault_change_ctx change;
	git_commit *parent = NULL;
	int error = 0;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.commit = commit;
	x.time = git_commit_time(commit);
	x.first_finding = c->f->count;
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
	change_of(&change, &x);
	vault_ledger__commit(c->ledger, &change, whole, git_commit_id(commit),
			     git_commit_parentcount(commit) ? git_commit_parent_id(commit, 0) : NULL,
			     git_commit_parentcount(commit) > 1);
	if (git_commit_parentcount(commit) > 1)
		error = check_merge(&x, commit);
	else if ((error = vault_store__changes(c->v->store, x.before, x.tree, change_cb, &x)) > 0)
		error = 0; /* stopped at MAX_COMMIT_FINDINGS, said */
	vault_ledger__commit_end(c->ledger, &change, last);
	if (error == VAULT_EVERIFY) {
		/* a walk that cannot go on (too many paths, too long a path):
		 * a finding of this commit, and verify goes on with the next */
		found(c, git_commit_id(commit), NULL, "%s", vault_error_message());
		error = 0;
	}
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

	if (vault_store__read_path(&data, &len, c->v->store, dir, VAULT_RECORD_FILE) < 0) {
		found(c, NULL, path, "the record cannot be read: %s", vault_error_message());
		return;
	}
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

		vault__progress(&c->v->progress, "Checking files", c->f->files, 0);
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

/*
 * Walk docs/<a>/<b>/<DOC>/<REV> of the head's tree: 1 when the walk
 * stopped (said).  A tree can name one folder under many names, so that
 * a few objects hold more paths than any machine could walk (t0125):
 * the history walked before this added every revision the head holds,
 * each once, so more revision folders than that is a forgery, and the
 * walk stops there.  A path too long is a finding too, not the end of
 * the others.
 */
static int check_files(checker *c, const git_tree *root, const char *path, int depth)
{
	size_t i;
	int error = 0;

	if (depth == 4) {
		if (++c->revision_folders > c->revisions_added) {
			found(c, NULL, "docs", "the tree holds more revision folders than the "
			      "history added (%llu): a folder named twice; the rest of its "
			      "files were not checked", (unsigned long long)c->revisions_added);
			return 1;
		}
		check_revision_files(c, root, path);
		return 0;
	}
	for (i = 0; i < git_tree_entrycount(root) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(root, i);
		char sub[VAULT_PATH_MAX];
		git_tree *t;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (vault__fmt(sub, sizeof(sub), "path", "%s/%s", path, git_tree_entry_name(e)) < 0) {
			found(c, NULL, path, "a folder's path is too long to check");
			continue;
		}
		if (git_tree_lookup(&t, c->repo, git_tree_entry_id(e)) < 0)
			return vault_error__git(VAULT_ERROR, "cannot read '%s'", sub);
		error = check_files(c, t, sub, depth + 1);
		git_tree_free(t);
	}
	return error;
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
	char problems[16][256]; /* one per table that disagrees, or damage */
	size_t nproblems;
	git_oid tip;             /* the history verify walks, and its order (shared) */
	const vault_walk *order;
	pthread_mutex_t lock;
	pthread_cond_t moved;
	int index_over;
	/* the packs let go of by both, in turn (release_packs_both) */
	vault_store *store;      /* the rebuild's; only its thread uses it */
	unsigned long releases_wanted, releases_done;
	int rebuilt;             /* the rebuild over, its store freed */
} index_check;

/* the folders each of verify's two readers keeps (vault_store__keep_trees),
 * and the loose objects it read last (vault_store__keep_recent) */
#define VERIFY_TREES ((size_t)8 << 20)
#define VERIFY_RECENT ((size_t)4 << 20)

/*
 * The index rebuild is about to index the `i`-th commit: first it lets
 * go of its packs and opens them again if the walk asked
 * (release_packs_both).  It does not wait for the walk: the two were once
 * held within 4 commits of each other, so that what one read of libgit2's
 * mapped packs was mapped for the other (101,027 commits: 113 s against
 * 166 s running free).  With the packs read with pread and each reader
 * keeping its folders, held together they lost 11 to 16 per cent of the
 * wall time (10,127 commits: 2.88 s against 2.42; 101,027: 33.0 s against
 * 29.2), for no memory.
 */
static int index_pace(void *payload, size_t i)
{
	index_check *ic = payload;
	int error = 0;

	(void)i;
	pthread_mutex_lock(&ic->lock);
	if (ic->releases_done != ic->releases_wanted) {
		unsigned long wanted = ic->releases_wanted;

		pthread_mutex_unlock(&ic->lock);
		vault_store__packs_release(ic->store);
		error = vault_store__packs_reopen(ic->store);
		pthread_mutex_lock(&ic->lock);
		ic->releases_done = wanted;
		pthread_cond_broadcast(&ic->moved);
	}
	pthread_mutex_unlock(&ic->lock);
	return error;
}

/*
 * The walk lets go of its packs (`store`, the vault's), asks the rebuild
 * to let go of its own and waits until it has (or is over, its store
 * freed), then opens them again: a pack is closed, its cache of delta
 * bases freed, only when neither holds it (vault_store__packs_release).
 * The rebuild, the second to let go, opens its packs again at once.
 */
static int release_packs_both(index_check *ic, vault_store *store)
{
	vault_store__packs_release(store);
	pthread_mutex_lock(&ic->lock);
	ic->releases_wanted++;
	pthread_cond_broadcast(&ic->moved);
	while (!ic->rebuilt && !ic->index_over && ic->releases_done != ic->releases_wanted)
		pthread_cond_wait(&ic->moved, &ic->lock);
	pthread_mutex_unlock(&ic->lock);
	return vault_store__packs_reopen(store);
}

/* A finding: the vault's index cannot be read (on `what`, a view, or
 * NULL: at all) for `why`. */
static void unreadable(index_check *ic, const char *what, const char *why)
{
	if (ic->nproblems == sizeof(ic->problems) / sizeof(ic->problems[0]))
		return;
	vault__fmt_message(ic->problems[ic->nproblems++], sizeof(ic->problems[0]),
			   "the index cannot be read%s%s: %s ('qvault reindex' rebuilds it)",
			   what ? " on " : "", what ? what : "", why);
}

/* what a table is called in a finding, where its name says less */
static const struct {
	const char *table, *what;
} table_names[] = {
	{ "obsoletes", "obsolete revisions" },
	{ "acks", "acknowledgments" },
	{ "events", "audit trail" },
	{ "event_subjects", "audit trail's revisions" },
	{ "po_acks", "PO acknowledgments" },
	{ "po_status", "status reports" },
	{ "asns", "ship notices" },
	{ "asn_items", "ship notice packages" },
	{ "receipt_items", "receipt lines" },
	{ "ncrs", "nonconformance reports" },
	{ "ncr_closes", "nonconformance closings" },
};

/*
 * The numbers the index gives rows (a revision's id, an event's seq)
 * are its own: an index built in steps and one rebuilt whole may give
 * them in another order (a pull's merged commits).  So a table's own
 * number is left out, and a row naming another by it is compared by
 * what the number stands for.
 */
static const struct {
	const char *table, *column;  /* the number, in this table */
	const char *parent, *key, *natural; /* the row it names, by what */
} numbered[] = {
	{ "revisions", "id", NULL, NULL, NULL },
	{ "events", "seq", NULL, NULL, NULL },
	{ "files", "revision", "revisions", "id", "p.doc, p.rev" },
	{ "parts", "revision", "revisions", "id", "p.doc, p.rev" },
	{ "event_subjects", "event", "events", "seq", "p.commit_id" },
};

/*
 * The rows of `table` as schema `in` holds them, for a comparison: into
 * `sql`, its columns as the rebuilt index has them (`db`'s main), less
 * the index's own numbers.  < 0 on a name too long or SQLite's error.
 */
static int table_rows(char *sql, size_t size, sqlite3 *db, const char *table, const char *in)
{
	const char *skip = NULL, *parent = NULL, *key = NULL, *natural = NULL;
	char cols[1536] = "", pragma[160];
	size_t i, len = 0;
	sqlite3_stmt *st;
	int rc;

	for (i = 0; i < sizeof(numbered) / sizeof(numbered[0]); i++)
		if (!strcmp(numbered[i].table, table)) {
			skip = numbered[i].column;
			parent = numbered[i].parent;
			key = numbered[i].key;
			natural = numbered[i].natural;
		}
	if (vault__fmt(pragma, sizeof(pragma), "statement", "PRAGMA main.table_info(\"%s\")",
		       table) < 0)
		return VAULT_ERROR;
	if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(st, 1);
		int n;

		if (!col || (skip && !strcmp(col, skip)))
			continue;
		n = snprintf(cols + len, sizeof(cols) - len, "%st.\"%s\"", len ? ", " : "", col);
		if (n < 0 || (size_t)n >= sizeof(cols) - len) {
			sqlite3_finalize(st);
			return vault_error__set(VAULT_ERROR, "index: table %s has too many columns", table);
		}
		len += (size_t)n;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	if (!len)
		return vault_error__set(VAULT_ERROR, "index: table %s has no column", table);
	/* each row with how often it is there (a table with no key can hold
	 * one twice: a lot's input counted twice, which a set would not
	 * show); a row naming one that is not there (an orphan, which the
	 * next write's number would adopt) with NULL for what it names */
	if (parent)
		return vault__fmt(sql, size, "statement",
				  "SELECT %s, %s, count(*) FROM %s.\"%s\" t LEFT JOIN %s.\"%s\" p"
				  " ON p.\"%s\" = t.\"%s\" GROUP BY %s, %s",
				  natural, cols, in, table, in, parent, key, skip, natural, cols);
	return vault__fmt(sql, size, "statement", "SELECT %s, count(*) FROM %s.\"%s\" t GROUP BY %s",
			  cols, in, table, cols);
}

/* Room for a finding on the index, or NULL when problems[] is full. */
static char *index_problem(index_check *ic)
{
	if (ic->nproblems == sizeof(ic->problems) / sizeof(ic->problems[0]))
		return NULL;
	return ic->problems[ic->nproblems++];
}

/*
 * SQLite's own check of the vault's index: its pages, and each of its
 * indexes against its table (a search through an index changed on its
 * own, as `trace` makes, would find other rows than a scan).  0, with
 * a finding for what it reports; < 0 for want of memory.
 */
static int index_integrity(index_check *ic, sqlite3 *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA kept.integrity_check(4)", -1, &st, NULL) != SQLITE_OK) {
		if (sqlite3_errcode(db) == SQLITE_NOMEM)
			return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		unreadable(ic, NULL, sqlite3_errmsg(db));
		return 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(st, 0);
		char *problem;


		if (msg && strcmp(msg, "ok") != 0 && (problem = index_problem(ic)) != NULL)
			vault__fmt_message(problem, sizeof(ic->problems[0]),
					   "the index is damaged: %s ('qvault reindex' rebuilds it)", msg);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	if (rc != SQLITE_DONE)
		unreadable(ic, NULL, sqlite3_errmsg(db));
	return 0;
}

/*
 * The vault's index defined as the rebuilt one is: the same tables,
 * columns, indexes, and nothing more (a trigger that changes what a write
 * puts, a view standing for a table, a column's collation making two
 * names one), each as its statement says.  An index upgraded from an
 * older version ran the same statements as a new one.
 */
static int compare_schema(index_check *ic, sqlite3 *db)
{
	static const char sql[] =
		"SELECT type, name FROM (SELECT type, name, tbl_name, sql FROM kept.sqlite_master"
		"  EXCEPT SELECT type, name, tbl_name, sql FROM main.sqlite_master) "
		"UNION SELECT type, name FROM (SELECT type, name, tbl_name, sql FROM main.sqlite_master"
		"  EXCEPT SELECT type, name, tbl_name, sql FROM kept.sqlite_master) "
		"WHERE name NOT LIKE 'sqlite_%' ORDER BY 2, 1";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		if (sqlite3_errcode(db) == SQLITE_NOMEM)
			return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		unreadable(ic, "its schema", sqlite3_errmsg(db));
		return 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *problem = index_problem(ic);

		if (problem)
			vault__fmt_message(problem, sizeof(ic->problems[0]),
					   "the index's %s %s is not as qvault defines it "
					   "('qvault reindex' rebuilds it)",
					   (const char *)sqlite3_column_text(st, 0),
					   (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	if (rc != SQLITE_DONE)
		unreadable(ic, "its schema", sqlite3_errmsg(db));
	return 0;
}

/*
 * Every table the rebuilt index has, row for row against the vault's
 * (each as a set: what one holds that the other does not, either way).
 */
static int compare_tables(index_check *ic, sqlite3 *db)
{
	char sql[4 * 4096 + 128], kept_rows[4096], rebuilt_rows[4096];
	sqlite3_stmt *tables, *st;
	int error = 0, rc;

	if (sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_master WHERE type = 'table'"
			       " AND name NOT LIKE 'sqlite_%' AND name <> 'meta' ORDER BY name",
			       -1, &tables, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	while (!error && (rc = sqlite3_step(tables)) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(tables, 0), *what = table;
		char *problem;
		size_t i;

		for (i = 0; i < sizeof(table_names) / sizeof(table_names[0]); i++)
			if (!strcmp(table_names[i].table, table))
				what = table_names[i].what;
		if ((error = table_rows(kept_rows, sizeof(kept_rows), db, table, "kept")) < 0 ||
		    (error = table_rows(rebuilt_rows, sizeof(rebuilt_rows), db, table, "main")) < 0 ||
		    (error = vault__fmt(sql, sizeof(sql), "statement",
			 "SELECT (SELECT count(*) FROM (%s EXCEPT %s)) + (SELECT count(*) FROM (%s EXCEPT %s))",
			 kept_rows, rebuilt_rows, rebuilt_rows, kept_rows)) < 0)
			break;
		/* the rebuilt index has every table: one the vault's lacks
		 * (dropped, or a column of it) is the vault's index damaged */
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			if (sqlite3_errcode(db) == SQLITE_NOMEM) {
				error = vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
				break;
			}
			unreadable(ic, what, sqlite3_errmsg(db));
			continue;
		}
		/* a comparison that could not run is no agreement: on an index
		 * SQLite finds damaged, a finding, as a disagreement is; for
		 * want of memory or of room to sort in, an error */
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = sqlite3_errcode(db);
			if (rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB)
				error = vault_error__set(VAULT_ERROR, "index: cannot compare the %s: %s",
							 what, sqlite3_errmsg(db));
			else
				unreadable(ic, what, sqlite3_errmsg(db));
		} else if (sqlite3_column_int64(st, 0) > 0 && (problem = index_problem(ic)) != NULL) {
			vault__fmt_message(problem, sizeof(ic->problems[0]),
					   "the index disagrees with the repository on %s "
					   "(%lld rows; 'qvault reindex' rebuilds it)", what,
					   (long long)sqlite3_column_int64(st, 0));
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	return error;
}

/*
 * The order of the vault's audit trail (events.seq, which the comparison
 * leaves out: a pull's merged commits may be numbered either way) against
 * the history: each commit after each of its parents, the edges the
 * rebuild kept (temp.parents), on either side of a merge.  Two events
 * swapped made `qvault log` show an old write as the newest (helper-119).
 */
static int check_event_order(index_check *ic, sqlite3 *db)
{
	sqlite3_stmt *st;
	char *problem;
	int rc;

	if (sqlite3_prepare_v2(db,
		"SELECT p.child, p.parent FROM temp.parents p"
		" JOIN kept.events c ON c.commit_id = p.child"
		" JOIN kept.events a ON a.commit_id = p.parent"
		" WHERE c.seq <= a.seq LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		if (sqlite3_errcode(db) == SQLITE_NOMEM)
			return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
		unreadable(ic, "audit trail", sqlite3_errmsg(db));
		return 0;
	}
	/* (a commit missing from either side: the comparison said so) */
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (problem = index_problem(ic)) != NULL)
		vault__fmt_message(problem, sizeof(ic->problems[0]),
				   "the index's audit trail puts commit %.12s before its parent "
				   "%.12s ('qvault reindex' rebuilds it)",
				   (const char *)sqlite3_column_text(st, 0),
				   (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	/* and numbered 1 to N, as every index numbers it (`qvault log`
	 * reads from 1: events moved below it went unseen, helper-122) */
	if (sqlite3_prepare_v2(db, "SELECT count(*), min(seq), max(seq) FROM kept.events", -1,
			       &st, NULL) != SQLITE_OK)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0 &&
	    (sqlite3_column_int64(st, 1) != 1 ||
	     sqlite3_column_int64(st, 2) != sqlite3_column_int64(st, 0)) &&
	    (problem = index_problem(ic)) != NULL)
		vault__fmt_message(problem, sizeof(ic->problems[0]),
				   "the index's audit trail is numbered from %lld to %lld, not 1 to "
				   "%lld ('qvault reindex' rebuilds it)",
				   (long long)sqlite3_column_int64(st, 1),
				   (long long)sqlite3_column_int64(st, 2),
				   (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return vault_error__set(VAULT_ERROR, "index: %s", sqlite3_errmsg(db));
	return 0;
}

static int compare_indexes(index_check *ic)
{
	vault_index *fresh = NULL, *kept;
	vault_store *store;
	sqlite3 *db;
	int error;

	/* its own repository: libgit2 documents only the odb as safe to share */
	if ((error = vault_store__open(&store, ic->vault_path)) < 0)
		return error;
	if ((error = vault_store__packs_pread(store, 1)) < 0) {
		vault_store__free(store);
		return error;
	}
	vault_store__keep_trees(store, VERIFY_TREES);
	vault_store__keep_recent(store, VERIFY_RECENT);
	ic->store = store;
	/* the rebuilt index is a scratch one (no file left by a verify that
	 * was killed) */
	if ((error = vault_index__open(&fresh, "", 0, vault_kinds)) == 0)
		error = vault_index__rebuild(fresh, store, &ic->tip, ic->order, index_pace, ic);
	/* the rest reads SQLite alone: the packs closed, the walk's releases
	 * wait for this thread no more */
	ic->store = NULL;
	vault_store__free(store);
	pthread_mutex_lock(&ic->lock);
	ic->rebuilt = 1;
	pthread_cond_broadcast(&ic->moved);
	pthread_mutex_unlock(&ic->lock);
	/* the vault's own opened as every command opens it (its version
	 * checked, upgraded if it may be), then read beside it */
	if (error < 0)
		goto done;
	if ((error = vault_index__open(&kept, ic->index_path, ic->readonly, vault_kinds)) == 0) {
		vault_index__free(kept);
		error = vault_index__attach(fresh, ic->index_path, "kept", ic->readonly);
	}
	if (error == VAULT_EVERIFY) {
		/* the vault's index damaged, not its history */
		unreadable(ic, NULL, vault_error_message());
		error = 0;
		goto done;
	}
	if (error < 0)
		goto done;
	db = vault_index__db(fresh);
	if ((error = index_integrity(ic, db)) == 0 && (error = compare_schema(ic, db)) == 0 &&
	    (error = compare_tables(ic, db)) == 0)
		error = check_event_order(ic, db);
done:
	vault_index__free(fresh);
	return error;
}

static void *index_worker(void *arg)
{
	index_check *ic = arg;

	ic->error = compare_indexes(ic);
	if (ic->error < 0)
		vault__fmt_message(ic->message, sizeof(ic->message), "%s", vault_error_message());
	pthread_mutex_lock(&ic->lock);
	ic->index_over = 1;
	pthread_cond_broadcast(&ic->moved);
	pthread_mutex_unlock(&ic->lock);
	return NULL;
}

static int index_check_start(index_check *ic, vault *v, const git_oid *tip,
			     const vault_walk *order)
{
	memset(ic, 0, sizeof(*ic));
	ic->vault_path = v->path;
	ic->readonly = v->readonly;
	git_oid_cpy(&ic->tip, tip);
	ic->order = order;
	if (vault__fmt(ic->index_path, sizeof(ic->index_path), "path", "%s/index.db", v->qdir) < 0)
		return VAULT_EINVALID;
	pthread_mutex_init(&ic->lock, NULL);
	pthread_cond_init(&ic->moved, NULL);
	if (pthread_create(&ic->thread, NULL, index_worker, ic) != 0) {
		pthread_cond_destroy(&ic->moved);
		pthread_mutex_destroy(&ic->lock);
		return vault_error__set(VAULT_ERROR, "cannot start the index check");
	}
	return 0;
}

static int index_check_finish(index_check *ic, checker *c)
{
	size_t i;

	pthread_join(ic->thread, NULL);
	pthread_cond_destroy(&ic->moved);
	pthread_mutex_destroy(&ic->lock);
	for (i = 0; i < ic->nproblems; i++)
		found(c, NULL, "index", "%s", ic->problems[i]);
	/* a history no index can hold (a record added twice, one malformed,
	 * as the kind says): a finding, as the walk's are */
	if (ic->error == VAULT_EVERIFY)
		found(c, NULL, "index", "the history cannot be indexed: %s", ic->message);
	else if (ic->error < 0)
		return vault_error__set(ic->error, "%s", ic->message);
	return 0;
}

/*
 * VAULT_EDENIED when the acting key is a registered supplier's, and the
 * viewer's refusal (VAULT_EDENIED: "key ... is not registered", "user
 * ... was revoked") when the key is one the vault does not know or no
 * longer trusts: a key given must be a reader's who may see every
 * record, as for any other read.  With no key at all (an auditor
 * checking a replica or a bundle it was handed) verify runs: it must
 * report on a vault whatever it holds, and the one who holds the
 * repository has it all.  So does it when the head's users cannot be
 * read at all (a history forged around qvault, which the walk below
 * reports): verify is the one command that must answer on such a vault.
 */
static int refuse_supplier(vault *v)
{
	char *org = NULL;
	int error;

	if ((error = vault__viewer(&org, v)) == VAULT_EDENIED)
		return error;
	error = 0;
	if (org)
		error = vault_error__set(VAULT_EDENIED, "a supplier may not verify the whole "
					 "vault: it reads every organization's records");
	free(org);
	return error;
}


/*
 * What verify allocates.  libgit2's pack backend kept, for each pack it
 * read, a cache of the delta bases it inflated, up to 16 MB a pack, for
 * as long as the pack was open: on a vault of many packs that was most
 * of what grew as verify went (10,000,000 revisions in 50 packs: 300 MiB
 * allocated at the end).  packread.c's caches are bounded
 * (PACKREAD_BASES, PACKREAD_RECENT and PACKREAD_PAGES for each store, let
 * go of with the packs), as are the store's own (VERIFY_TREES and
 * VERIFY_RECENT, which stay until verify ends), so this matters less
 * now; still the walk looks at the process's own memory
 * (vault_resident__heap) at most every HEAP_LOOK_MS, between two
 * commits, and when it has reached git config qvault.verifyHeap
 * (VERIFY_HEAP; a size, "64m") and grown by a quarter of that since the
 * last release (what the packs' caches do not hold is not released again
 * and again), it lets go of the packs, the rebuild's too (their caches
 * and descriptors; a pull's check, its alternates' too), and gives back
 * to the system what they freed.
 */
#define VERIFY_HEAP ((int64_t)64 << 20)
#define HEAP_LOOK_MS 16

typedef struct {
	size_t limit;
	size_t floor;            /* the heap after the last release */
	struct timespec looked;
} heap_watch;

static int heap_watch_init(heap_watch *h, git_repository *repo)
{
	git_config *cfg = NULL;
	int64_t n = VERIFY_HEAP;
	int error;

	memset(h, 0, sizeof(*h));
	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	error = git_config_get_int64(&n, cfg, "qvault.verifyHeap");
	git_config_free(cfg);
	if (error == GIT_ENOTFOUND)
		n = VERIFY_HEAP;
	else if (error < 0 || n < 1 || (uint64_t)n > SIZE_MAX)
		return vault_error__set(VAULT_EINVALID,
			"git config qvault.verifyHeap must be a size in bytes, from 1 (e.g. 64m)");
	h->limit = (size_t)n;
	return 0;
}

/* Is it time to let go of the packs? */
static int heap_due(heap_watch *h)
{
	struct timespec now;
	size_t heap;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if ((now.tv_sec - h->looked.tv_sec) * 1000 +
	    (now.tv_nsec - h->looked.tv_nsec) / 1000000 < HEAP_LOOK_MS)
		return 0;
	h->looked = now;
	heap = vault_resident__heap();
	return heap >= h->limit && heap >= h->floor + h->limit / 4;
}

/* The packs let go of (the rebuild's too, when it runs) and opened again. */
static int heap_release(heap_watch *h, vault_store *store, index_check *ic)
{
	int error;

	if (ic) {
		error = release_packs_both(ic, store);
	} else {
		vault_store__packs_release(store);
		error = vault_store__packs_reopen(store);
	}
	malloc_trim(0);
	h->floor = vault_resident__heap();
	return error;
}

/* The revisions added since the verified base: their files re-hashed. */
typedef struct {
	checker *c;
	const git_tree *tree;
} new_files;

static int new_revision(void *payload, vault_change what, const char *path)
{
	new_files *n = payload;
	git_tree *dir = NULL;
	char at[VAULT_PATH_MAX];
	size_t len = strlen(path), rl = strlen("/" VAULT_RECORD_FILE);

	if (what != VAULT_CHANGE_ADDED || !vault_kind__match(&vault_kind_revision, path, NULL) ||
	    len <= rl || len - rl >= sizeof(at))
		return 0;
	memcpy(at, path, len - rl);
	at[len - rl] = '\0';
	if (vault_store__tree_at(&dir, n->c->v->store, n->tree, at) == 0)
		check_revision_files(n->c, dir, at);
	git_tree_free(dir);
	return 0;
}

/* What makes git show the vault otherwise, outside its objects (gitviews.h). */
static void view_found(void *payload, const char *subject, const char *why)
{
	found(payload, NULL, subject, "%s", why);
}

/* The stored bytes of `tip`: every revision's, or those added since `base`. */
static int check_tip_files(checker *c, const git_oid *tip, const git_tree *base)
{
	git_commit *commit = NULL;
	git_tree *root = NULL, *t = NULL;
	git_tree_entry *docs = NULL;
	int error = 0;

	if (git_commit_lookup(&commit, c->repo, tip) < 0 || git_commit_tree(&root, commit) < 0) {
		git_commit_free(commit);
		return vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
	}
	if (base) {
		new_files n = { c, root };

		error = vault_store__changes(c->v->store, base, root, new_revision, &n);
		if (error == VAULT_EVERIFY) {
			/* the walk from base to tip cannot go on: said, and
			 * verify's other findings are kept */
			found(c, tip, NULL, "%s", vault_error_message());
			error = 0;
		}
	} else if (git_tree_entry_bypath(&docs, root, "docs") == 0 &&
		   git_tree_lookup(&t, c->repo, git_tree_entry_id(docs)) == 0) {
		/* a vault with no documents yet has nothing more to check */
		if ((error = check_files(c, t, "docs", 0)) > 0)
			error = 0; /* stopped, said */
	}
	git_tree_free(t);
	git_tree_entry_free(docs);
	git_tree_free(root);
	git_commit_free(commit);
	return error;
}

/* What one verify walks: the commits that lead to `tips`, past `base`. */
typedef struct {
	const git_oid *tips;
	size_t ntips;
	const git_oid *base;  /* verified already (NULL: the whole history) */
	int index;            /* rebuild the index beside the real one and compare */
} walk_spec;

static int verify_walk(vault_findings **out, vault *v, const walk_spec *s)
{
	checker c;
	index_check ic;
	int index_started = 0;
	vault_walk *walk = NULL;
	git_commit *head = NULL, *base = NULL;
	git_tree *base_tree = NULL;
	vault__meter *p = &v->progress;
	heap_watch heap;
	uint64_t total = 0, done = 0;
	size_t i;
	int error;

	*out = NULL;
	/* it reads every organization's records: not a supplier's to run */
	if ((error = refuse_supplier(v)) < 0 ||
	    (error = heap_watch_init(&heap, vault_store__repo(v->store))) < 0)
		return error;
	/* the packs read with pread, none of them mapped (packread.h);
	 * libgit2's backend again after, for the writes that may follow */
	if ((error = vault_store__packs_pread(v->store, 1)) < 0)
		return error;
	vault_store__keep_trees(v->store, VERIFY_TREES);
	vault_store__keep_recent(v->store, VERIFY_RECENT);
	/*
	 * libgit2's cache of decoded objects off while verify runs (both its
	 * threads' repositories; on again after).  It keeps up to 256 MB, a
	 * history's worth of commits and trees, counting raw bytes, not what
	 * they take decoded: at 16 MB verify's peak grew with history
	 * (10,127 commits: 116 MB; 100,000 revisions: 448 MB).  Held to 1 MB
	 * it was full at every object stored, and libgit2 1.5 looks for
	 * entries to evict from the first bucket of its table each time, past
	 * all it emptied before: off, verify took 12 to 15 per cent less CPU
	 * and 15 MiB less on bench section 18's vaults of 100,005 and
	 * 1,000,005 revisions, and the same on section 14's 10,127 commits.
	 * What the walk reads twice, a commit's trees and then its child's
	 * parent's, it reads in turn (the delta bases stay cached), and the
	 * folders it looks into again and again the store holds
	 * (vault_store__entry).
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	checker_begin(&c, v);
	vault_ledger_new(&c.ledger);
	queue_start(&c.q, 1);
	if (git_commit_lookup(&head, c.repo, &s->tips[0]) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read commit %s",
					 git_oid_tostr_s(&s->tips[0]));
		goto done;
	}
	if ((error = checker_init(&c, head)) < 0)
		goto done;
	if (s->base) {
		/* the base was verified: its root was seen, and what its history
		 * drew from each lot is what its tree holds */
		c.root_seen = 1;
		if (git_commit_lookup(&base, c.repo, s->base) < 0 ||
		    git_commit_tree(&base_tree, base) < 0) {
			error = vault_error__git(VAULT_ERROR, "cannot read the verified commit %s",
						 git_oid_tostr_s(s->base));
			goto done;
		}
		if ((error = vault_ledger__seed(c.ledger, v->store, base_tree)) < 0)
			goto done;
	}
	/* the commits in order first (walk.h: under 100 bytes each), then
	 * each checked against the one before it */
	if ((error = vault_walk__new(&walk, c.repo, s->tips, s->ntips, s->base)) < 0)
		goto done;
	/* the index rebuilt beside the walk, from the same order */
	if (s->index) {
		if ((error = index_check_start(&ic, v, &s->tips[0], walk)) < 0)
			goto done;
		index_started = 1;
	}
	total = vault_walk__count(walk);
	for (i = 0; i < vault_walk__count(walk); i++) {
		const git_oid *id = vault_walk__at(walk, i);
		git_commit *commit;

		vault__progress(p, "Checking commits", done, total);
		if (git_commit_lookup(&commit, c.repo, id) < 0) {
			error = vault_error__git(VAULT_ERROR, "cannot read commit %s", git_oid_tostr_s(id));
			goto done;
		}
		error = check_commit(&c, commit, vault_walk__whole(walk, i),
				     i + 1 == vault_walk__count(walk));
		git_commit_free(commit);
		if (error < 0)
			goto done;
		done++;
		/* (not after the last: nothing more to read) */
		if (i + 1 < vault_walk__count(walk) && heap_due(&heap) &&
		    (error = heap_release(&heap, v->store, index_started ? &ic : NULL)) < 0)
			goto done;
	}
	vault__progress_end(p, "Checking commits", done, total);
	error = 0;
	for (i = 0; i < s->ntips && !error; i++)
		error = check_tip_files(&c, &s->tips[i], base_tree);
	/* an object read once by name is one copy of it: the others, when a
	 * pack beside holds one, are what git may read instead.  Every name
	 * of every pack, so a whole verify's: a check from a verified base
	 * (a pull's, --since) costs what is new, and a fetch's packs are
	 * indexed by libgit2, which names each object by its hash */
	if (!error && !s->base)
		error = vault_store__pack_copies(v->store, copy_found, &c);
	if (!error && !s->base)
		error = vault_gitviews__check(c.repo, &s->tips[0], view_found, &c);
	/* a commit-graph git reads for each commit's tree and parents */
	if (!error && !s->base) {
		const char *dirs[VAULT_STORE_DIRS_MAX];
		size_t ndirs = vault_store__objects_dirs(v->store, dirs, VAULT_STORE_DIRS_MAX);

		error = vault_commitgraph__check(c.repo, dirs, ndirs, walk, copy_found, &c);
	}
	/* alternates it did not read: git reads them, and what they hold */
	if (!error && !s->base && vault_store__alternates_over(v->store))
		found(&c, NULL, "objects/info/alternates",
		      "%zu alternates past the 64 qvault reads: git reads them, and what they hold "
		      "was not checked", vault_store__alternates_over(v->store));
	if (c.f->files)
		vault__progress_end(p, "Checking files", c.f->files, 0);
	if (!error && !s->base) {
		/* the access journal of marked downloads, the site's own: its
		 * chain and signatures (a pull's commits bring none) */
		size_t entries;
		char journal_head[65];
		git_tree *root = NULL;

		if (git_commit_tree(&root, head) < 0) {
			error = vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
			goto done;
		}
		error = vault_journal__check(&entries, journal_head, v, root, journal_found, &c);
		git_tree_free(root);
	}
done:
	if (index_started) {
		int e = index_check_finish(&ic, &c);

		if (!error)
			error = e;
	}
	queue_finish(&c);
	git_tree_free(base_tree);
	git_commit_free(base);
	git_commit_free(head);
	vault_walk__free(walk);
	checker_end(&c);
	vault_ledger_free(c.ledger);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	/* libgit2's packs again (a failure here leaves them to be opened at
	 * the next read); verify's own error, when it has one, is kept */
	if (error < 0) {
		char msg[1024];

		vault__fmt_message(msg, sizeof(msg), "%s", vault_error_message());
		vault_store__keep_trees(v->store, 0);
		vault_store__keep_recent(v->store, 0);
		vault_store__packs_pread(v->store, 0);
		vault_findings_free(c.f);
		return vault_error__set(error, "%s", msg);
	}
	vault_store__keep_trees(v->store, 0);
	vault_store__keep_recent(v->store, 0);
	vault_store__packs_pread(v->store, 0);
	*out = c.f;
	return c.f->count ? vault_error__set(VAULT_EVERIFY, "%zu finding%s", c.f->count,
					      c.f->count == 1 ? "" : "s") : 0;
}

int vault_verify(vault_findings **out, vault *v)
{
	git_commit *head = NULL;
	walk_spec s;
	git_oid tip;
	int error;

	*out = NULL;
	if ((error = vault_store__head(&head, v->store)) < 0)
		return error;
	git_oid_cpy(&tip, git_commit_id(head));
	git_commit_free(head);
	memset(&s, 0, sizeof(s));
	s.tips = &tip;
	s.ntips = 1;
	s.index = 1;
	return verify_walk(out, v, &s);
}

int vault_verify__since(vault_findings **out, vault *v, const git_oid *tips, size_t ntips,
			const git_oid *base)
{
	walk_spec s = { tips, ntips, base, 0 };

	*out = NULL;
	if (ntips == 0)
		return vault_error__set(VAULT_EINVALID, "nothing to verify");
	return verify_walk(out, v, &s);
}

int vault_verify_since(vault_findings **out, vault *v, const char *since)
{
	git_commit *head = NULL;
	git_oid tip, base;
	int error;

	*out = NULL;
	if (strlen(since) != GIT_OID_HEXSZ || git_oid_fromstr(&base, since) < 0)
		return vault_error__set(VAULT_EINVALID, "'%s' is not a commit id (40 hex digits)",
					since);
	if ((error = vault_store__head(&head, v->store)) < 0)
		return error;
	git_oid_cpy(&tip, git_commit_id(head));
	git_commit_free(head);
	if (!git_oid_equal(&tip, &base) &&
	    git_graph_descendant_of(vault_store__repo(v->store), &tip, &base) != 1)
		return vault_error__set(VAULT_EINVALID, "commit %.12s is not in the vault's history",
					since);
	return vault_verify__since(out, v, &tip, 1, &base);
}

int vault_verify__commit(vault *v, const git_oid *id)
{
	vault_findings *f;
	git_commit *commit = NULL, *head = NULL;
	checker c;
	int error;

	checker_begin(&c, v);
	/* no second thread: each signature is checked as it is met */
	queue_start(&c.q, 0);
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
	error = check_commit(&c, commit, 1, 1);
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
