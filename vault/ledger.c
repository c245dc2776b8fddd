/*
 * ledger.c - quantities over history: a lot made from another and a
 * ship notice's package each draw from a lot; what is drawn in all never
 * exceeds what the lot holds.  One hash map keyed by lot name, fed each
 * added lot.json and asn.json once, in history order (a lot drawn by
 * each of two sites counts both draws once merged); a ship notice's
 * replacement or cancellation gives back what the notice drew as counted
 * here, and a notice cancelled at either site draws nothing once merged.
 * And what receipts
 * received of each PO line, which a change order never cuts the line's
 * quantity below.  A commit of a merge's other side, counted after the
 * first side's history, is judged on a ledger of its own history
 * (vault_ledger__commit), and what it drew on the sum at the merge.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kinds.h"
#include "lot.h"
#include "po.h"
#include "portal.h"
#include "rules.h"
#include "subtier.h"
#include "util.h"

#define QTY_MAX 1000000000ULL

typedef struct {
	char *key;       /* NULL: a free slot */
	uint64_t qty;    /* what the lot holds, once its record was seen */
	uint64_t drawn;  /* what was drawn from it in all */
	int known;       /* its record was seen */
	json_t *draws;   /* a ship notice: the packages it draws now (NULL: none) */
	int cancelled;   /* a ship notice: cancelled (at either site, once merged) */
	char *path;      /* a lot drawn while not whole: the record that drew it last */
	int dirty;       /* on the ledger's list `dirty` */
} slot;

/* Lots named (their slots' keys, which do not move), each once. */
typedef struct {
	const char **names;
	size_t count, cap;
} name_list;

typedef struct {
	slot *slots;
	size_t cap, count;  /* cap: a power of two, or 0 */
	uint64_t key;       /* the hash's (vault__hash_key): names are a supplier's to choose */
} map;

struct vault_ledger {
	map lots;     /* lot name -> holding and draws */
	map drawers;  /* "lot:NAME", "asn:NAME", "receipt:NAME": each counted once */
	map received; /* "PO:LINE" -> what receipts received of it (in `drawn`) */
	map notices;  /* ship notice name -> what it draws now, or cancelled */
	/*
	 * Whether what was counted so far is the history of the commit fed
	 * now (vault_ledger__commit).  When it is not (a commit of a merge's
	 * other side, counted after the first side), the sum is of no real
	 * tree: the commit is judged on `own`, and a lot it drew again on the
	 * sum at the next whole commit (the merge).
	 */
	int whole;
	name_list dirty; /* drawn while not whole, to judge at the next whole commit */
	/*
	 * While not whole: the count of the history of commit `own_at` (the
	 * last fed), a ledger of its own that judges as it is fed.  A commit
	 * whose first parent is `own_at` is added to it; another (a merge, a
	 * side's first commit, one of another line) seeds it from a tree.
	 */
	vault_ledger *own;
	git_oid own_at;
};

static slot *probe(slot *slots, size_t cap, uint64_t hkey, const char *key)
{
	size_t i = (size_t)vault__hash_str(hkey, key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void grow(map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i;
	slot *slots = calloc(cap, sizeof(slot));

	if (!slots)
		abort();
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*probe(slots, cap, m->key, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

/* The slot of `key`, added (zeroed) if new; *added says which. */
static slot *get(map *m, const char *key, int *added)
{
	slot *s;
	size_t n = strlen(key);

	if ((m->count + 1) * 10 > m->cap * 7)
		grow(m);
	s = probe(m->slots, m->cap, m->key, key);
	*added = !s->key;
	if (!s->key) {
		if ((s->key = malloc(n + 1)) == NULL)
			abort();
		memcpy(s->key, key, n + 1);
		m->count++;
	}
	return s;
}

static void map_dispose(map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		free(m->slots[i].path);
		json_decref(m->slots[i].draws);
	}
	free(m->slots);
}

/*
 * Put lot `s` on the list of lots to judge at the next whole commit,
 * unless it is there (its flag says: a side's import of many lots or
 * notices is one commit, and a scan of the list for each made it
 * quadratic).
 */
static void mark_dirty(vault_ledger *l, slot *s)
{
	name_list *list = &l->dirty;

	if (s->dirty)
		return;
	s->dirty = 1;
	if (list->count == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 16;
		if ((list->names = realloc(list->names, list->cap * sizeof(*list->names))) == NULL)
			abort();
	}
	list->names[list->count++] = s->key;
}

int vault_ledger_new(vault_ledger **out)
{
	vault_ledger *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->lots.key = vault__hash_key(&l->lots);
	l->drawers.key = vault__hash_key(&l->drawers);
	l->received.key = vault__hash_key(&l->received);
	l->notices.key = vault__hash_key(&l->notices);
	l->whole = 1;
	*out = l;
	return 0;
}

void vault_ledger_free(vault_ledger *l)
{
	if (!l)
		return;
	map_dispose(&l->lots);
	map_dispose(&l->drawers);
	map_dispose(&l->received);
	map_dispose(&l->notices);
	free(l->dirty.names);
	vault_ledger_free(l->own);
	free(l);
}

/* Whether drawer `kind`:`name` is counted already (the same record added on two sides). */
static int counted(vault_ledger *l, const char *kind, const char *name)
{
	char key[2 * VAULT_NAME_MAX + 16];
	int added;

	/* no record of ours has a longer name: nothing of it to count */
	if (vault__fmt(key, sizeof(key), "name", "%s:%s", kind, name) < 0)
		return 1;
	get(&l->drawers, key, &added);
	return !added;
}

static void overdrawn(const vault_change_ctx *c, const char *path, const char *lot,
		      const slot *s)
{
	c->found(c, path, "lot '%s' holds %llu, but %llu are drawn from it in all", lot,
		 (unsigned long long)s->qty, (unsigned long long)s->drawn);
}

/*
 * Lot `s` was drawn from (or its record came) at `path`: judged now when
 * the count is the commit's history, or else put off (vault_ledger__commit).
 */
static void judge(vault_ledger *l, const vault_change_ctx *c, const char *path, slot *s)
{
	if (l->whole) {
		if (s->known && s->drawn > s->qty)
			overdrawn(c, path, s->key, s);
		return;
	}
	free(s->path);
	if ((s->path = strdup(path)) == NULL)
		abort();
	mark_dirty(l, s);
}

static void draw(vault_ledger *l, const vault_change_ctx *c, const char *path, const char *lot,
		 uint64_t qty)
{
	int added;
	slot *s = get(&l->lots, lot, &added);

	s->drawn += qty; /* each draw is at most QTY_MAX: no overflow in any real history */
	judge(l, c, path, s);
}

/* A positive quantity of at most QTY_MAX at `key` of `o`, or 0. */
static uint64_t qty_of(const json_t *o, const char *key)
{
	json_int_t q = json_integer_value(json_object_get(o, key));

	return q >= 1 && (uint64_t)q <= QTY_MAX ? (uint64_t)q : 0;
}

static void add_lot(vault_ledger *l, const vault_change_ctx *c, const char *path, json_t *rec)
{
	const char *name = vault_rules__str(rec, "lot");
	uint64_t qty = qty_of(rec, "qty");
	json_t *f;
	size_t i;
	int added;
	slot *s;

	if (!*name || !qty || counted(l, "lot", name))
		return; /* malformed: vault_lot__check says so */
	s = get(&l->lots, name, &added);
	if (!s->known) {
		s->known = 1;
		s->qty = qty;
		/* drawn by a lot of the same commit seen first */
		if (s->drawn)
			judge(l, c, path, s);
	}
	json_array_foreach(json_object_get(rec, "from"), i, f) {
		const char *in = json_string_value(json_object_get(f, "lot"));
		uint64_t q = qty_of(f, "qty");
		char key[2 * VAULT_NAME_MAX + 16];

		/* a sub-tier lot is keyed by its scope: no PO lot's name holds a '/' */
		if (in && q && json_is_true(json_object_get(f, "subtier"))) {
			if (vault__fmt(key, sizeof(key), "name", VAULT_SUBTIER_TOP "/%s/%s",
				       vault_rules__str(rec, "supplier"), in) == 0)
				draw(l, c, path, key, q);
		} else if (in && q) {
			draw(l, c, path, in, q);
		}
	}
}

/* A sub-tier lot: what it holds, keyed "subtier/ORG/LOT" (draws name it so). */
static void add_subtier(vault_ledger *l, const vault_change_ctx *c, const char *path, json_t *rec)
{
	const char *name = vault_rules__str(rec, "lot"), *org = vault_rules__str(rec, "org");
	uint64_t qty = qty_of(rec, "qty");
	char key[2 * VAULT_NAME_MAX + 16];
	int added;
	slot *s;

	if (!*name || !*org || !qty ||
	    vault__fmt(key, sizeof(key), "name", VAULT_SUBTIER_TOP "/%s/%s", org, name) < 0 ||
	    counted(l, VAULT_SUBTIER_TOP, key))
		return; /* malformed: its check says so */
	s = get(&l->lots, key, &added);
	if (!s->known) {
		s->known = 1;
		s->qty = qty;
		if (s->drawn)
			judge(l, c, path, s);
	}
}

/* Notice `s` draws `packages` now (each package's lot and quantity). */
static void notice_draws(vault_ledger *l, const vault_change_ctx *c, const char *path, slot *s,
			 json_t *packages)
{
	json_t *p;
	size_t i;

	json_array_foreach(packages, i, p) {
		const char *lot = json_string_value(json_object_get(p, "lot"));
		uint64_t q = qty_of(p, "qty");

		if (!lot || !q)
			c->found(c, path, "the ship notice's package %zu names no lot or no quantity"
				 " from 1 to %llu", i + 1, QTY_MAX);
		else
			draw(l, c, path, lot, q);
	}
	json_decref(s->draws);
	s->draws = json_incref(packages);
}

/* What notice `s` drew goes back to its lots: it draws nothing now. */
static void notice_undraws(vault_ledger *l, slot *s)
{
	json_t *p;
	size_t i;
	int added;

	json_array_foreach(s->draws, i, p) {
		const char *lot = json_string_value(json_object_get(p, "lot"));
		uint64_t q = qty_of(p, "qty");
		slot *t;

		if (!lot || !q)
			continue;
		t = get(&l->lots, lot, &added);
		t->drawn -= q < t->drawn ? q : t->drawn;
	}
	json_decref(s->draws);
	s->draws = NULL;
}

static void add_asn(vault_ledger *l, const vault_change_ctx *c, const char *path, json_t *rec)
{
	const char *name = vault_rules__str(rec, "asn");
	int added;
	slot *s;

	if (!*name || counted(l, "asn", name))
		return;
	s = get(&l->notices, name, &added);
	s->known = 1;
	notice_draws(l, c, path, s, json_object_get(rec, "packages"));
}

/*
 * A replacement or a cancellation of notice `asn`: what the notice drew
 * as the ledger counted it, in history order, goes back to its lots (not
 * what the replaced revision drew in its own commit's tree: the other
 * site may have cancelled or replaced it since the two parted).  Once
 * cancelled at either site, a notice draws nothing more: in the merged
 * history it stays cancelled, whatever replaced it at the other.
 */
static void add_asn_change(vault_ledger *l, const vault_change_ctx *c, const char *path,
			   json_t *rec, int cancel)
{
	const char *name = vault_rules__str(rec, "asn");
	int added;
	slot *s;

	if (!*name || counted(l, "path", path))
		return;
	s = get(&l->notices, name, &added);
	if (!s->known)
		return; /* the replacement of no notice: its check says so */
	if (s->cancelled)
		return;
	notice_undraws(l, s);
	if (cancel)
		s->cancelled = 1;
	else
		notice_draws(l, c, path, s, json_object_get(rec, "packages"));
}

/* The slot of line `line` of PO `po` in `m`, or NULL (no name of ours is so long). */
static slot *line_slot(map *m, const char *po, long long line)
{
	char key[VAULT_NAME_MAX + 32];
	int added;

	if (vault__fmt(key, sizeof(key), "name", "%s:%lld", po, line) < 0)
		return NULL;
	return get(m, key, &added);
}

/* A receipt: what it received of each line (a malformed one: its check says so). */
static void add_receipt(vault_ledger *l, json_t *rec)
{
	const char *name = vault_rules__str(rec, "asn");
	json_t *o;
	size_t i;
	slot *s;

	if (!*name || counted(l, "receipt", name))
		return;
	json_array_foreach(json_object_get(rec, "items"), i, o) {
		json_int_t q = json_integer_value(json_object_get(o, "received"));

		if (q > 0 && (uint64_t)q <= QTY_MAX &&
		    (s = line_slot(&l->received, vault_rules__str(o, "po"),
				   (long long)json_integer_value(json_object_get(o, "line")))) != NULL)
			s->drawn += (uint64_t)q;
	}
}

/*
 * A change order: a line whose quantity it changes is not cut below what
 * was received of it (the write path's rule, vault_po_change).
 */
static void add_change(vault_ledger *l, const vault_change_ctx *c, const char *path,
		       json_t *rec)
{
	const char *po = vault_rules__str(rec, "po");
	json_t *before = NULL, *o;
	unsigned seq;
	size_t i, k;

	/* not whole: the sum holds the other side's receipts too, which this
	 * change order's history never saw; the own ledger judges it */
	if (!l->whole)
		return;
	if (!*po || vault_po__latest(&before, &seq, c->store, c->before, po) < 0)
		return; /* its check says so */
	json_array_foreach(json_object_get(rec, "lines"), i, o) {
		json_int_t n = json_integer_value(json_object_get(o, "line"));
		json_int_t qty = json_integer_value(json_object_get(o, "qty"));
		json_t *was = NULL, *w;
		slot *s;

		json_array_foreach(json_object_get(before, "lines"), k, w)
			if (json_integer_value(json_object_get(w, "line")) == n)
				was = w;
		if (was && json_integer_value(json_object_get(was, "qty")) == qty)
			continue; /* not changed */
		if ((s = line_slot(&l->received, po, (long long)n)) != NULL && qty >= 0 &&
		    (uint64_t)qty < s->drawn)
			c->found(c, path, "line %lld: a quantity of %lld is below the %llu already received",
				 (long long)n, (long long)qty, (unsigned long long)s->drawn);
	}
	json_decref(before);
}

/* The lots drawn while not whole, judged on the sum (that of a merge of both sides). */
static void judge_dirty(vault_ledger *l, const vault_change_ctx *c)
{
	size_t i;
	int added;

	for (i = 0; i < l->dirty.count; i++) {
		slot *s = get(&l->lots, l->dirty.names[i], &added);

		if (s->known && s->drawn > s->qty)
			overdrawn(c, s->path, s->key, s);
		free(s->path);
		s->path = NULL;
		s->dirty = 0;
	}
	l->dirty.count = 0;
}

/* The own ledger seeded from `tree` (NULL: a root's, empty); 0, or -1 said. */
static int own_seed(vault_ledger *l, const vault_change_ctx *c, const git_tree *tree)
{
	vault_ledger_free(l->own);
	vault_ledger_new(&l->own);
	if (tree && vault_ledger__seed(l->own, c->store, tree) < 0) {
		c->found(c, NULL, "its lots cannot be counted: %s", vault_error_message());
		vault_ledger_free(l->own);
		l->own = NULL;
		return -1;
	}
	return 0;
}

void vault_ledger__commit(vault_ledger *l, const vault_change_ctx *c, int whole,
			  const git_oid *id, const git_oid *parent, int merge)
{
	size_t i;

	if (!l)
		return;
	l->whole = whole;
	if (whole) {
		/* the count is this commit's history: what was drawn while it
		 * was not (a merge's other side) is judged on it now */
		judge_dirty(l, c);
		vault_ledger_free(l->own);
		l->own = NULL;
		return;
	}
	/* not whole: the own ledger follows the commit's own history, fed
	 * as the sum is (vault_ledger__add), and judges as it is fed */
	if (merge) {
		/* it adds no record, but its tree may draw more than either
		 * parent's (both sides drew from what the whole side's
		 * cancellations gave back): every lot of its tree */
		if (own_seed(l, c, c->tree) == 0)
			for (i = 0; i < l->own->lots.cap; i++) {
				slot *s = &l->own->lots.slots[i];

				if (s->key && s->known && s->drawn > s->qty)
					overdrawn(c, NULL, s->key, s);
			}
	} else if (!l->own || !parent || !git_oid_equal(parent, &l->own_at)) {
		/* a side's first commit, or one of another line */
		own_seed(l, c, parent ? c->before : NULL);
	}
	git_oid_cpy(&l->own_at, id);
}

void vault_ledger__commit_end(vault_ledger *l, const vault_change_ctx *c, int last)
{
	/* the walk ends on a commit that is not whole (a pull's: their side,
	 * counted over ours): the sum is what the merge will hold */
	if (l && !l->whole && last)
		judge_dirty(l, c);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

void vault_ledger__add(vault_ledger *l, const vault_change_ctx *c, const char *path)
{
	json_t *rec;
	int lot = strncmp(path, "lots/", 5) == 0 && ends_with(path, "/" VAULT_LOT_FILE);
	int asn = strncmp(path, "asns/", 5) == 0 && ends_with(path, "/" VAULT_ASN_FILE);
	int sub = strncmp(path, VAULT_SUBTIER_TOP "/", sizeof(VAULT_SUBTIER_TOP)) == 0 &&
		ends_with(path, "/" VAULT_SUBTIER_FILE);
	int receipt = strncmp(path, "asns/", 5) == 0 && ends_with(path, "/" VAULT_RECEIPT_FILE);
	int change = vault_kind__match(&vault_kind_po_change, path, NULL);
	int revision = vault_kind__match(&vault_kind_asn_revision, path, NULL);
	int cancel = vault_kind__match(&vault_kind_asn_cancel, path, NULL);

	/* a single new commit is checked without the ledger: its writer
	 * counted what history drew (the index); verify counts it all */
	if (!l || (!lot && !asn && !sub && !receipt && !change && !revision && !cancel) ||
	    (rec = vault_rules__json_at(c, c->tree, path)) == NULL)
		return;
	if (lot && strcmp(vault_rules__str(rec, "record"), "lot") == 0)
		add_lot(l, c, path, rec);
	else if (asn && strcmp(vault_rules__str(rec, "record"), "asn") == 0)
		add_asn(l, c, path, rec);
	else if (sub && strcmp(vault_rules__str(rec, "record"), "subtier-lot") == 0)
		add_subtier(l, c, path, rec);
	else if (receipt && strcmp(vault_rules__str(rec, "record"), "receipt") == 0)
		add_receipt(l, rec);
	else if (change && strcmp(vault_rules__str(rec, "record"), "po-change") == 0)
		add_change(l, c, path, rec);
	else if (revision && strcmp(vault_rules__str(rec, "record"), "asn") == 0)
		add_asn_change(l, c, path, rec, 0);
	else if (cancel && strcmp(vault_rules__str(rec, "record"), "asn-cancel") == 0)
		add_asn_change(l, c, path, rec, 1);
	json_decref(rec);
	if (!l->whole && l->own)
		vault_ledger__add(l->own, c, path);
}

/* ---- seeding: the ledger of a tree, as its history left it ---------------- */

static void seed_found(const vault_change_ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seed_found(const vault_change_ctx *c, const char *path, const char *fmt, ...)
{
	/* the seed's tree was verified: what it holds is not the new commits' doing */
	(void)c;
	(void)path;
	(void)fmt;
}

/* A ship notice of the seed's tree: what the notice in force draws (none, cancelled). */
static void seed_asn(vault_ledger *l, const vault_change_ctx *c, const char *path, json_t *rec)
{
	const char *name = vault_rules__str(rec, "asn");
	json_t *now = NULL;
	unsigned seq;
	int cancelled, added;
	slot *s;

	if (!*name || counted(l, "asn", name))
		return;
	if (vault_asn__in_force(&now, &seq, &cancelled, c->store, c->tree, name) < 0) {
		json_decref(now);
		return;
	}
	s = get(&l->notices, name, &added);
	s->known = 1;
	if (cancelled)
		s->cancelled = 1;
	else
		notice_draws(l, c, path, s, json_object_get(now, "packages"));
	json_decref(now);
}

typedef struct {
	vault_ledger *l;
	const vault_change_ctx *c;
	const char *top;
} seed_walk;

static int seed_entry(const char *root, const git_tree_entry *e, void *payload)
{
	seed_walk *w = payload;
	vault_ledger *l = w->l;
	const vault_change_ctx *c = w->c;
	char path[VAULT_PATH_MAX];
	json_t *rec;
	const char *record;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    vault__fmt(path, sizeof(path), "path", "%s/%s%s", w->top, root,
		       git_tree_entry_name(e)) < 0)
		return 0;
	/* a replacement or a cancellation: counted (its draws are the notice's in force) */
	if (vault_kind__match(&vault_kind_asn_revision, path, NULL) ||
	    vault_kind__match(&vault_kind_asn_cancel, path, NULL)) {
		counted(l, "path", path);
		return 0;
	}
	if (!ends_with(path, "/" VAULT_LOT_FILE) && !ends_with(path, "/" VAULT_ASN_FILE) &&
	    !ends_with(path, "/" VAULT_SUBTIER_FILE) && !ends_with(path, "/" VAULT_RECEIPT_FILE))
		return 0;
	if ((rec = vault_rules__json_at(c, c->tree, path)) == NULL)
		return 0;
	record = vault_rules__str(rec, "record");
	if (strcmp(w->top, "lots") == 0 && ends_with(path, "/" VAULT_LOT_FILE) &&
	    strcmp(record, "lot") == 0)
		add_lot(l, c, path, rec);
	else if (strcmp(w->top, "asns") == 0 && ends_with(path, "/" VAULT_ASN_FILE) &&
		 strcmp(record, "asn") == 0)
		seed_asn(l, c, path, rec);
	else if (strcmp(w->top, "asns") == 0 && ends_with(path, "/" VAULT_RECEIPT_FILE) &&
		 strcmp(record, "receipt") == 0)
		add_receipt(l, rec);
	else if (strcmp(w->top, VAULT_SUBTIER_TOP) == 0 && ends_with(path, "/" VAULT_SUBTIER_FILE) &&
		 strcmp(record, "subtier-lot") == 0)
		add_subtier(l, c, path, rec);
	json_decref(rec);
	return 0;
}

int vault_ledger__seed(vault_ledger *l, vault_store *store, const git_tree *tree)
{
	static const char *const tops[] = { "lots", "asns", VAULT_SUBTIER_TOP };
	git_repository *repo = vault_store__repo(store);
	vault_change_ctx c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.store = store;
	c.before = c.tree = tree;
	c.found = seed_found;
	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		const git_tree_entry *e = git_tree_entry_byname(tree, tops[i]);
		seed_walk w = { l, &c, tops[i] };
		git_tree *t = NULL;
		int error;

		if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (git_tree_lookup(&t, repo, git_tree_entry_id(e)) < 0)
			return vault_error__git(VAULT_ERROR, "cannot read '%s'", tops[i]);
		/* the callback sees each entry's folder below `t`, ending in '/' */
		error = git_tree_walk(t, GIT_TREEWALK_PRE, seed_entry, &w);
		git_tree_free(t);
		if (error < 0)
			return vault_error__git(VAULT_ERROR, "cannot read '%s'", tops[i]);
	}
	return 0;
}
