/*
 * walk.h - the commits of a history, each after its parents, in little memory.
 *
 * verify and the index's rebuild read the whole history oldest first.
 * libgit2's topological walk keeps about 350 bytes a commit while it runs
 * (its list of commits, its map of those seen, the list reversed), and
 * glibc keeps what it freed: verify ran two such walks at once (its own
 * and the index check's rebuild), 60 of its 140 MB at 100,000 commits.
 *
 * A walk of the whole history here keeps each commit's id twice: in a
 * set of the commits seen, and in one array that holds both the stack of
 * a depth-first walk (from its top end) and the order found (from its
 * bottom end): 50 to 90 bytes a commit while it walks (the set and
 * the array grow by steps), 24 to 36 once the set is freed.  A walk
 * that stops at a commit verified already (`hide`) is short: libgit2's
 * walk finds where it ends, and its commits are ordered the same way, in
 * the order a walk of the whole history gives them.
 */
#ifndef VAULT_WALK_H
#define VAULT_WALK_H

#include <stddef.h>

#include <git2.h>

typedef struct vault_walk vault_walk;

/*
 * The commits that lead to `tips`, and not to `hide` when it is given,
 * each after all its parents (the first parent's history before the
 * second's).  A commit that cannot be read fails the walk (VAULT_ERROR,
 * with its id in the message).
 */
int vault_walk__new(vault_walk **out, git_repository *repo, const git_oid *tips, size_t ntips,
		    const git_oid *hide);

/* How many commits the walk holds. */
size_t vault_walk__count(const vault_walk *w);

/*
 * Its `i`-th commit (i below the count), oldest first.  A walk is not
 * changed once made: threads may read it at once (verify's walk and the
 * index rebuild beside it share one).
 */
const git_oid *vault_walk__at(const vault_walk *w, size_t i);

/*
 * 1 when all the commits before the `i`-th in the order (and, from
 * `hide`, hide's history) are the `i`-th's own history: what was counted
 * over them is what its history holds.  0 for a commit of a merge's
 * other side, whose turn comes after the first side's history, not its
 * own; and for one that cannot be told so cheaply (verify then judges
 * it on its own tree).
 */
int vault_walk__whole(const vault_walk *w, size_t i);

void vault_walk__free(vault_walk *w);

#endif
