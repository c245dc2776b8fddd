/*
 * provenance.h - the signed history behind records: the commits that wrote
 * each record's folder, and a git bundle of them that stock git opens.
 */
#ifndef VAULT_PROVENANCE_H
#define VAULT_PROVENANCE_H

#include <stddef.h>

#include <git2.h>

#include "store.h"

/*
 * One record's folder and the commits that wrote it, oldest first.  The
 * folder's acks/ (every organization's acknowledgments) is not part of
 * it: only the acknowledgments named in `acks` are, by their commits.
 */
typedef struct {
	char *label;      /* "DOC@REV", for people */
	char *dir;        /* its folder in each commit's tree */
	char **acks;      /* names of statements in dir/acks whose commits count */
	size_t nacks;
	git_oid *commits;
	size_t n, cap;
} vault_provenance_item;

/*
 * Fill each item's `commits` with every commit reachable from `head`
 * whose tree changed the item's folder (acks/ aside) or one of its `acks`
 * against each of its parents (a merge that took them from one side is
 * not counted; the commit of that side is), oldest first.  The items stay
 * the caller's; their `commits` are freed by vault_provenance__dispose.
 */
int vault_provenance__collect(vault_provenance_item *items, size_t n, vault_store *s,
			   const git_commit *head);

/*
 * A v2 git bundle (`git bundle unbundle` reads it) of exactly those
 * commits, each named by a ref refs/qvault/history/<id>, with the trees
 * on the path to each folder the commit wrote and that folder whole but
 * its acks/ (which names every organization's acknowledgments), so that
 * `git verify-commit ID` and `git cat-file blob ID:PATH` answer offline
 * and no other record's content travels (the path trees name their other
 * entries).  `*out` is malloc'd; VAULT_ENOTFOUND when there is no commit.
 */
int vault_provenance__bundle(char **out, size_t *len, vault_store *s,
			  const vault_provenance_item *items, size_t n);

/* The commits of the items (not the items themselves). */
void vault_provenance__dispose(vault_provenance_item *items, size_t n);

#endif
