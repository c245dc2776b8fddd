/*
 * walk.c - the commits of a history, each after its parents (walk.h).
 *
 * The whole history is walked depth first from each tip in turn: a
 * commit is read when it first comes to the top of the stack, its parents
 * go onto the stack above it, and it goes into the order once each of
 * them is in it (post-order), so every commit comes after its parents.
 * One array of frames holds both: the order grows from its start, the
 * stack from its end, and a commit leaves the stack for the order.  The
 * stack holds the line of descent being walked and the parents of its
 * merges still to walk, so the two need little more than one frame a
 * commit between them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"
#include "vault.h"
#include "walk.h"

/* A commit on the stack, or in the order. */
typedef struct {
	git_oid id;
	uint32_t flags;
} frame;

#define NEXT  1u /* its parents are on the stack above it (it goes next, once they are done) */
#define LINE  2u /* reached from the first tip by first parents, nothing in the order before it */
#define TOUCH 4u /* a parent of it is `hide` */
#define WHOLE 8u /* in the order: all before it is its own history (vault_walk__whole) */

/* The set of commits seen: open addressing, an all-zero id marks a free slot. */
typedef struct {
	git_oid *slots;
	size_t cap, count; /* cap a power of two, count at most 3/4 of it */
	uint64_t key;      /* random: where ids land cannot be chosen from outside */
} oid_set;

struct vault_walk {
	frame *buf;
	size_t cap;
	size_t norder; /* the order: buf[0 .. norder) */
	size_t nstack; /* the stack: buf[cap - nstack .. cap), its top at cap - nstack */
	oid_set seen;
};

static const git_oid zero_oid;

static size_t slot_of(const oid_set *s, const git_oid *id)
{
	uint64_t a, b;
	uint32_t c;
	uint64_t h = s->key;

	memcpy(&a, id->id, 8);
	memcpy(&b, id->id + 8, 8);
	memcpy(&c, id->id + 16, 4);
	h = (h ^ a) * 0x9E3779B97F4A7C15u;
	h = (h ^ (h >> 32) ^ b) * 0x9E3779B97F4A7C15u;
	h = (h ^ (h >> 32) ^ c) * 0x9E3779B97F4A7C15u;
	return (size_t)(h ^ (h >> 29)) & (s->cap - 1);
}

static void set_place(oid_set *s, const git_oid *id)
{
	size_t i = slot_of(s, id);

	while (!git_oid_equal(&s->slots[i], &zero_oid))
		i = (i + 1) & (s->cap - 1);
	git_oid_cpy(&s->slots[i], id);
}

/* 1 if `id` is in the set. */
static int set_has(const oid_set *s, const git_oid *id)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = slot_of(s, id); !git_oid_equal(&s->slots[i], &zero_oid); i = (i + 1) & (s->cap - 1))
		if (git_oid_equal(&s->slots[i], id))
			return 1;
	return 0;
}

/* Add `id`: 1 if it was not in the set, 0 if it was. */
static int set_add(oid_set *s, const git_oid *id)
{
	size_t i;

	if ((s->count + 1) * 4 > s->cap * 3) {
		oid_set bigger = { NULL, s->cap ? s->cap * 2 : 1024, 0, s->key };
		size_t k;

		if ((bigger.slots = calloc(bigger.cap, sizeof(git_oid))) == NULL)
			abort();
		for (k = 0; k < s->cap; k++)
			if (!git_oid_equal(&s->slots[k], &zero_oid))
				set_place(&bigger, &s->slots[k]);
		bigger.count = s->count;
		free(s->slots);
		*s = bigger;
	}
	for (i = slot_of(s, id); !git_oid_equal(&s->slots[i], &zero_oid); i = (i + 1) & (s->cap - 1))
		if (git_oid_equal(&s->slots[i], id))
			return 0;
	git_oid_cpy(&s->slots[i], id);
	s->count++;
	return 1;
}

/* Room for one more frame: the array grows by half, its stack moved to the new end. */
static void make_room(vault_walk *w)
{
	size_t cap;
	frame *buf;

	if (w->norder + w->nstack < w->cap)
		return;
	cap = w->cap < 1024 ? 1024 : w->cap + w->cap / 2;
	if ((buf = realloc(w->buf, cap * sizeof(frame))) == NULL)
		abort();
	memmove(buf + cap - w->nstack, buf + w->cap - w->nstack, w->nstack * sizeof(frame));
	w->buf = buf;
	w->cap = cap;
}

/* Put `id` on the stack with `flags`, to be looked at: 0, or an error for an id no commit can have. */
static int push(vault_walk *w, const git_oid *id, uint32_t flags)
{
	frame *f;

	/* the all-zero id marks a free slot of the set; no object has it */
	if (git_oid_equal(id, &zero_oid))
		return vault_error__set(VAULT_ERROR, "cannot read commit %s", git_oid_tostr_s(id));
	make_room(w);
	w->nstack++;
	f = &w->buf[w->cap - w->nstack];
	git_oid_cpy(&f->id, id);
	f->flags = flags;
	return 0;
}

/*
 * Depth first from `tips`, each commit after its parents.  A commit is
 * read once: when it comes to the top of the stack it is marked seen and
 * its parents go onto the stack above it, the first on top, so that the
 * first parent's history is walked before the second's.  A commit on top
 * again with its parents done goes into the order.  A parent seen by the
 * time it comes to the top is in the order already (the commits marked
 * seen and still on the stack are one line of descent, none its own
 * ancestor), and leaves the stack.  Reading a commit again for each of
 * its parents read a merge of n parents n + 1 times: n squared.
 *
 * Which commits are whole (all before them in the order is their own
 * history): those of the first tip's line of first parents, the first
 * commit in the order at its foot.  Below such a commit, first its first
 * parent's history goes into the order, then its other parents', all its
 * own.  A commit of another parent's line comes after the first parent's
 * history, which is not its own; one of a later tip, after the first
 * tip's.  From `hide`, what went before is hide's history: a commit of
 * the line is whole once hide is in its history, that is once a commit
 * one of whose parents is `hide` went into the order.
 */
static int walk_depth_first(vault_walk *w, git_repository *repo, const git_oid *tips,
			    size_t ntips, const oid_set *within, const git_oid *hide)
{
	size_t i = 0;
	int error, reached = !hide;

	w->seen.key = vault__hash_key(w);
	/* one tip at a time, so that the commits being walked are one line
	 * of descent, and a commit seen again is in the order already */
	while (w->nstack || i < ntips) {
		frame *top;
		git_commit *commit = NULL;
		uint32_t line;
		unsigned n;

		if (!w->nstack) {
			/* (a tip behind `hide` is none) */
			if ((!within || set_has(within, &tips[i])) &&
			    (error = push(w, &tips[i], w->norder == 0 ? LINE : 0)) < 0)
				return error;
			i++;
			continue;
		}
		top = &w->buf[w->cap - w->nstack];
		if (top->flags & NEXT) {
			/* every parent is in the order: the commit goes after
			 * them (into the slot the stack leaves, when the array
			 * is full) */
			if (top->flags & TOUCH)
				reached = 1;
			if ((top->flags & LINE) && reached)
				top->flags |= WHOLE;
			if (&w->buf[w->norder] != top)
				w->buf[w->norder] = *top;
			w->norder++;
			w->nstack--;
			continue;
		}
		if (!set_add(&w->seen, &top->id)) {
			w->nstack--; /* in the order already */
			continue;
		}
		if (git_commit_lookup(&commit, repo, &top->id) < 0)
			return vault_error__git(VAULT_ERROR, "cannot read commit %s",
						git_oid_tostr_s(&top->id));
		line = top->flags & LINE;
		top->flags |= NEXT;
		for (n = 0; hide && n < git_commit_parentcount(commit); n++)
			if (git_commit_parent_id(commit, n) &&
			    git_oid_equal(git_commit_parent_id(commit, n), hide))
				top->flags |= TOUCH;
		/* `top` is not used again: pushing may move the array */
		for (n = git_commit_parentcount(commit); n-- > 0;) {
			const git_oid *parent = git_commit_parent_id(commit, n);

			if (parent && set_has(&w->seen, parent))
				continue; /* in the order already */
			if (parent && within && !set_has(within, parent))
				continue; /* behind `hide` */
			if ((error = push(w, parent ? parent : &zero_oid, n == 0 ? line : 0)) < 0) {
				git_commit_free(commit);
				return error;
			}
		}
		git_commit_free(commit);
	}
	return 0;
}

/*
 * A walk that stops at `hide`: libgit2's walk finds which commits lead to
 * the tips and not to `hide`, and the same depth-first walk orders them,
 * so that a pull checks its new commits in the order a whole verify
 * checks them later (libgit2's topological order is another).
 */
static int walk_from(vault_walk *w, git_repository *repo, const git_oid *tips, size_t ntips,
		     const git_oid *hide)
{
	oid_set within = { NULL, 0, 0, vault__hash_key(&within) };
	git_revwalk *rw = NULL;
	git_oid id;
	size_t i;
	int error = 0;

	if (git_revwalk_new(&rw, repo) < 0 || git_revwalk_hide(rw, hide) < 0)
		error = -1;
	for (i = 0; !error && i < ntips; i++)
		if (git_revwalk_push(rw, &tips[i]) < 0)
			error = -1;
	while (!error && (error = git_revwalk_next(&id, rw)) == 0)
		set_add(&within, &id);
	git_revwalk_free(rw);
	if (error != GIT_ITEROVER)
		error = vault_error__git(VAULT_ERROR, "cannot walk the history");
	else
		error = walk_depth_first(w, repo, tips, ntips, &within, hide);
	free(within.slots);
	return error;
}

int vault_walk__new(vault_walk **out, git_repository *repo, const git_oid *tips, size_t ntips,
		    const git_oid *hide)
{
	vault_walk *w;
	int error;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		abort();
	error = hide ? walk_from(w, repo, tips, ntips, hide) :
		       walk_depth_first(w, repo, tips, ntips, NULL, NULL);
	/* the set served the walk only */
	free(w->seen.slots);
	memset(&w->seen, 0, sizeof(w->seen));
	if (error < 0) {
		vault_walk__free(w);
		return error;
	}
	*out = w;
	return 0;
}

size_t vault_walk__count(const vault_walk *w)
{
	return w->norder;
}

const git_oid *vault_walk__at(const vault_walk *w, size_t i)
{
	return &w->buf[i].id;
}

int vault_walk__whole(const vault_walk *w, size_t i)
{
	return (w->buf[i].flags & WHOLE) != 0;
}

void vault_walk__free(vault_walk *w)
{
	if (!w)
		return;
	free(w->seen.slots);
	free(w->buf);
	free(w);
}
