/*
 * store.h - the git repository that holds the record of truth.
 *
 * A bare repository on branch `main`, written only through libgit2 with
 * fsync on.  Contents are streamed in and out in chunks, never loaded
 * whole.
 */
#ifndef VAULT_STORE_H
#define VAULT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "vault.h"

#define VAULT_BRANCH "refs/heads/main"
#define VAULT_CHUNK (1024 * 1024)

typedef struct vault_store vault_store;

/* Called with each chunk of a streamed content; non-zero stops the stream. */
typedef int (*vault_chunk_cb)(void *payload, const unsigned char *buf,
			      size_t len, int first);

/* Create a bare repository at `path` (an existing, empty folder). */
int vault_store__create(vault_store **out, const char *path);

/* Open the bare repository at `path`; VAULT_ENOTFOUND when there is none. */
int vault_store__open(vault_store **out, const char *path);

/*
 * Call `each` with the objects folder of each alternate that folder
 * `objects` names (its info/alternates; none when it has none), a
 * relative one resolved against `objects`; stops at the first < 0.
 */
int vault_store__alternates(const char *objects, int (*each)(const char *dir, void *payload),
			   void *payload);
void vault_store__free(vault_store *s);

/*
 * Let go of the repository's packs, and open them again.  libgit2 keeps,
 * for each pack, a cache of the delta bases it inflated (up to 16 MB a
 * pack, libgit2 1.5's GIT_PACK_CACHE_MEMORY_LIMIT, not settable) for as
 * long as the pack is open; a pack is the process's, shared by every
 * repository that opened it, and closed with its last: the caches of a
 * long read over many packs go only when every store reading them lets
 * go of its packs (verify: the walk's and the index rebuild's, in turn).
 * Between the two, nothing reads through `s` (a read would open the
 * packs again, keeping them); after a reopen that failed, each read tries
 * again, and fails as libgit2 fails to open them.
 */
void vault_store__packs_release(vault_store *s);
int vault_store__packs_reopen(vault_store *s);

/*
 * Keep the folders a long read of history reads, up to about `bytes`
 * (0: none, the default; those kept are let go): its commits share most
 * of their folders, and each is then read and hashed once, not at every
 * commit that reads it.  Verify's walk and the index rebuild beside it.
 */
void vault_store__keep_trees(vault_store *s, size_t bytes);

/*
 * Keep the repository's own loose objects read last, up to `bytes` (0:
 * none, the default; those kept are let go): a long read of history
 * reads each commit several times, and libgit2's cache is off under
 * verify.  Verify's walk and the index rebuild beside it.
 */
void vault_store__keep_recent(vault_store *s, size_t bytes);

/*
 * Read the repository's packs with pread from now on (packread.h), none
 * of them mapped, or (`on` 0) with libgit2's backend again: for a long
 * read over a large history, whose lookups would otherwise make every
 * pack index resident.  packread.c reads only; libgit2's backend also
 * takes the packs a fetch writes.
 */
int vault_store__packs_pread(vault_store *s, int on);

/*
 * While the packs are read with pread: every object held in more than
 * one place (the repository's packs and loose objects, and its
 * alternates'), each copy hashed, `bad` called with the file for each
 * that is not the object its name says (packread.h).
 */
int vault_store__pack_copies(vault_store *s,
			     void (*bad)(void *payload, const char *file, const git_oid *id,
					 const char *why),
			     void *payload);
/* The objects folders the store reads, into out (at most max): the
 * repository's own, then its alternates', as git orders them. */
size_t vault_store__objects_dirs(const vault_store *s, const char **out, size_t max);
#define VAULT_STORE_DIRS_MAX 65    /* its own and 64 alternates */

/* How many alternates past the 64 the store reads it passed over
 * (nested ones counted as met); git reads every one. */
size_t vault_store__alternates_over(const vault_store *s);

git_repository *vault_store__repo(const vault_store *s);

/* The branch's commit; VAULT_ENOTFOUND on a repository with no commit. */
int vault_store__head(git_commit **out, vault_store *s);

/*
 * The branch's commit as 40 hex digits in `out`, read from the files of
 * the repository at `path` without libgit2 (which a read the index answers
 * alone need not start): the loose ref refs/heads/main, else its line in
 * packed-refs.  1 (out "") when the files do not say it plainly: no such
 * ref, a symbolic one, a repository whose refs live elsewhere (commondir),
 * anything but one line of 40 hex digits; the caller then asks libgit2.
 */
int vault_store__branch_file(char out[41], const char *path);

/* The tree of the branch's commit (for readers that need no more of it). */
int vault_store__head_tree(git_tree **out, vault_store *s);

/*
 * The blob at `path` in `tree`, read whole (for small records only) into
 * a malloc'd, NUL-terminated buffer.  VAULT_ENOTFOUND when absent.
 */
int vault_store__read_path(char **data, size_t *len, vault_store *s,
			   const git_tree *tree, const char *path);

/*
 * Store a blob of `size` bytes: `first` (already read), then the rest of
 * `fd`, each further chunk passed to `cb` before it is written.  Fails if
 * the file turns out longer or shorter than `size`.
 */
int vault_store__write_fd(git_oid *out, vault_store *s, uint64_t size,
			  const unsigned char *first, size_t first_len, int fd,
			  vault_chunk_cb cb, void *payload);

int vault_store__write_buf(git_oid *out, vault_store *s, const void *buf,
			   size_t len);

/*
 * The quarantine (store.c): from begin on, new loose objects go to `dir`
 * instead of objects/; accept moves them in, drop removes them.  A write
 * waiting for a pre- hook runs inside one.
 */
int vault_store__quarantine_begin(vault_store *s, const char *dir);
int vault_store__quarantine_active(const vault_store *s);
int vault_store__quarantine_accept(vault_store *s);
void vault_store__quarantine_drop(vault_store *s);

/* A stream that stores a blob of exactly `size` bytes (into the pack in a batch). */
int vault_store__blob_stream(git_odb_stream **out, vault_store *s, uint64_t size);

/* Pass the content of blob `id` to `cb` in chunks. */
int vault_store__read_blob(vault_store *s, const git_oid *id, vault_chunk_cb cb,
			   void *payload);

/*
 * Write the commit that applies `updates` to `parent`'s tree (or to an
 * empty tree when parent is NULL), signed with `key` in SSHSIG (namespace
 * "git", in the gpgsig header, as `git verify-commit` expects).  The
 * branch does not move yet.
 */
int vault_store__commit(git_oid *out, vault_store *s, git_commit *parent,
			const git_tree_update *updates, size_t nupdates,
			const char *author, const char *email, int64_t when,
			const char *message, const vault_key *key);

/* The signed commit of tree `tree_id` with `parents` (a merge has two). */
int vault_store__commit_tree(git_oid *out, vault_store *s, const git_oid *tree_id,
			     const git_commit **parents, size_t nparents, const char *author,
			     const char *email, int64_t when, const char *message,
			     const vault_key *key);

typedef enum {
	VAULT_CHANGE_ADDED,
	VAULT_CHANGE_MODIFIED,
	VAULT_CHANGE_DELETED,
	VAULT_CHANGE_MODE,    /* an entry that is neither a plain file (100644) nor a folder */
	VAULT_CHANGE_EMPTY    /* a folder that holds nothing (git can store one; qvault never does) */
} vault_change;

/* Called for each file a change touches; non-zero stops the walk. */
typedef int (*vault_change_cb)(void *payload, vault_change what, const char *path);

/*
 * The entry at `path` of `root`, as git_tree_entry_bypath() gives it (0,
 * GIT_ENOTFOUND, or a libgit2 error), and the folder at `path` (a file
 * there is GIT_ENOTFOUND).  The store holds the folders on the way, for
 * the last few trees and top folders (a commit's tree and its parent's,
 * docs/ and users/): the next path in the same folder reads none again.
 */
int vault_store__entry(git_tree_entry **out, vault_store *s, const git_tree *root,
		       const char *path);
int vault_store__tree_at(git_tree **out, vault_store *s, const git_tree *root, const char *path);

/* Whether `tree` has an entry at `path`. */
int vault_store__has(vault_store *s, const git_tree *tree, const char *path);

/*
 * The vault's root commit as this repository recorded it (git config
 * qvault.root, set at init and clone): VAULT_ENOTFOUND when it did not.
 */
int vault_store__root(git_oid *out, vault_store *s);
int vault_store__set_root(vault_store *s, const git_oid *root);

/*
 * The value of trailer `key` in a commit message (git's trailer block,
 * read by libgit2), malloc'd into *value, or NULL when absent.  A key
 * given twice is VAULT_EVERIFY: a message means one thing.  The one
 * reader of qvault's trailers (Qvault-Op, Qvault-On-Behalf-Of, ...).
 */
int vault_store__trailer(char **value, const char *message, const char *key);

/*
 * Report every file `new` adds, modifies or deletes relative to `old`
 * (either may be NULL), descending only into subtrees whose ids differ:
 * comparing two commits that add one document reads a handful of trees,
 * where libgit2's tree diff sets up a whole diff machinery per call.
 */
int vault_store__changes(vault_store *s, const git_tree *old, const git_tree *new,
			 vault_change_cb cb, void *payload);

/*
 * The most entries a walk of one commit's changes looks at (vault_store__changes,
 * and the local pull's packer).  A tree can name one folder under two names,
 * again and again: 50 objects, 2^48 paths.  The largest import a manifest
 * allows (64 MB, about a million entries) looks at a few million.
 */
#define VAULT_MAX_CHANGES_VISITED (16 * 1000 * 1000)

/*
 * Move the branch from `old` (NULL: unborn) to `id`, failing if it moved
 * meanwhile.  The caller holds the vault lock, so a ref lock file left by
 * a killed writer is stale: it is removed and *recovered set to 1.
 */
int vault_store__advance(vault_store *s, const git_oid *old, const git_oid *id,
			 int *recovered);

#endif
