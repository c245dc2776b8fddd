/*
 * commitgraph.h - a commit-graph file checked against the commits it
 * describes.
 *
 * git's commit-graph (objects/info/commit-graph, or the layers that
 * objects/info/commit-graphs/commit-graph-chain lists) caches each
 * commit's tree, parents, date and generation; `git log`, `git show` of
 * a commit and every walk read them from there, not from the commit,
 * and nothing hashes them.  A graph that says another tree or other
 * parents makes git show another history than the vault's commits
 * record.  qvault writes none; `git gc` writes one by default.
 */
#ifndef VAULT_COMMITGRAPH_H
#define VAULT_COMMITGRAPH_H

#include <git2.h>

#include "walk.h"

/*
 * The graph git reads for `repo`: that of the first objects folder of
 * `dirs` (the repository's own, then its alternates', as git orders
 * them) that has one, its one file and its chain of layers (each layer
 * looked for in every folder of `dirs`).  Every commit it lists read
 * from `repo` and compared (tree, parents, commit time), each
 * generation number against its parents', and `bad` called with the
 * file and what is wrong (`id` NULL for the file as a whole: one git
 * cannot read, or one listing more commits than `history` holds, which
 * bounds what it makes this read).  `history`: the vault's (walk.h); a
 * commit's changed-path filter is checked only if it is one of them
 * (what git log of the vault walks: their names are sorted for it, 20
 * bytes a commit, once a filter is met).  0 when every file was read
 * (with or without findings, or when there is none), < 0 on an error of
 * the repository's (the reason set).
 */
int vault_commitgraph__check(git_repository *repo, const char *const *dirs, size_t ndirs,
			     const vault_walk *history,
			     void (*bad)(void *payload, const char *file, const git_oid *id,
					 const char *why),
			     void *payload);

#endif
