/*
 * index.h - the SQLite traceability index, derived from the repository.
 *
 * WAL, synchronous=FULL, every write in BEGIN IMMEDIATE.  The index
 * records the commit it reflects; catching up applies each newer commit
 * in order, so a crash between a commit and its index update heals on the
 * next open.
 */
#ifndef VAULT_INDEX_H
#define VAULT_INDEX_H

#include "store.h"
#include "vault.h"

#define VAULT_INDEX_VERSION 6

typedef struct vault_index vault_index;

/*
 * Open (creating or upgrading) the index at `path`.  `readonly` opens an
 * existing index without writing to it at all.  VAULT_EVERIFY means the
 * file is not a usable index: the caller may delete and rebuild it.
 */
int vault_index__open(vault_index **out, const char *path, int readonly);
void vault_index__free(vault_index *idx);

/* The commit the index reflects, or "" for none. */
int vault_index__reflects(char out[41], vault_index *idx);

/*
 * Bring the index to the branch's head, read under the index's write
 * lock: apply every commit after the one it reflects, or rebuild from
 * scratch when that commit is not an ancestor of the head (or `full` is
 * set).  One transaction, so readers see the old state or the new.
 */
int vault_index__catch_up(vault_index *idx, vault_store *s, int full);

/*
 * Index `commit`, which this process just wrote and moved the branch to,
 * from the records it wrote (`revs`, blob ids filled in) rather than by
 * reading them back.  Falls back to vault_index__catch_up() unless the
 * index reflects exactly the commit's parent and the branch is at it.
 */
int vault_index__record_written(vault_index *idx, vault_store *s,
				git_commit *commit, const vault_revision *revs,
				size_t nrevs);

/*
 * Queries.  `viewer` NULL sees everything; an organization's name sees
 * only what was released to it and what it added itself.
 */
int vault_index__get(vault_revision *out, vault_index *idx, const char *doc,
		     const char *rev, const char *viewer);
int vault_index__revisions(vault_revision_list **out, vault_index *idx,
			   const char *doc, const char *viewer);
int vault_index__list(vault_revision_list **out, vault_index *idx,
		      const vault_list_filter *filter, const char *viewer);

/*
 * Index the acknowledgments new in revision folder `new` (relative to
 * `old`) of DOC@REV at `path`, recorded by `commit` (ack.c).
 */
int vault_index__acks(vault_index *idx, vault_store *s, const git_tree *old,
		      const git_tree *new, const char *path, const git_oid *commit,
		      const char *doc, const char *rev);

/*
 * The folder `name` of revision folder `new` (which must have it) and of
 * `old` (NULL when `old` is NULL or lacks it), for the modules that index
 * what a commit added inside them.
 */
int vault_index__subfolders(git_tree **in_new, git_tree **in_old, const git_tree *old,
			    const git_tree *new, const char *name, const char *path);

/* Index the links new in revision folder `new` of DOC@REV (link.c). */
int vault_index__links(vault_index *idx, vault_store *s, const git_tree *old,
		       const git_tree *new, const char *path, const git_oid *commit,
		       const char *doc, const char *rev);

/*
 * A prepared statement for `sql`, a string constant: prepared on first
 * use, then kept (by the constant's address) until the index is freed,
 * and handed out reset, bindings cleared.  Not to be finalized.
 */
struct sqlite3_stmt;
int vault_index__stmt(struct sqlite3_stmt **st, vault_index *idx, const char *sql);

/* The SQLite handle, for the modules that keep their own tables here. */
struct sqlite3 *vault_index__db(vault_index *idx);
int vault_index__log(vault_event_list **out, vault_index *idx, const char *doc);

#endif
