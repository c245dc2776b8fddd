/*
 * txn.h - one write: lock, read the branch, know who acts, collect tree
 * updates, sign one commit, move the branch, index it.
 *
 * Every change to a vault goes through here, so every change is one
 * commit, signed by the acting user's key, made under the vault lock.
 */
#ifndef VAULT_TXN_H
#define VAULT_TXN_H

#include "common.h"
#include "pack.h"

typedef struct {
	git_tree_update *items;
	char **paths;
	size_t count, cap;
} vault_updates;

typedef struct vault_txn {
	git_commit *head;   /* the branch when the write began */
	git_tree *root;     /* its tree */
	vault_config cfg;   /* its vault.json */
	vault_user actor;   /* the acting user, as `root` records it */
	int64_t now;
	vault_updates updates;
	vault_pack *pack;   /* set for a batch */
	const char *via;    /* the server user writing on the actor's behalf, or NULL */
	int locked;
	int quarantined;    /* new objects wait in the store's quarantine */
} vault_txn;

/*
 * Lock the vault and read its branch; the acting key must belong to a
 * registered, unrevoked user.  On failure nothing needs ending.
 */
int vault__txn_begin(vault_txn *t, vault *v);

/* Write everything that follows into one pack (for batches). */
int vault__txn_batch(vault_txn *t, vault *v);

/* Queue `id` (a blob) at `path`, which must not be in the tree yet. */
void vault__txn_put(vault_txn *t, const char *path, const git_oid *id);

/* Store `data` as a blob and queue it at `path`. */
int vault__txn_put_data(vault_txn *t, vault *v, const char *path,
			const char *data, size_t len);

/*
 * Write the signed commit of everything queued, seal the pack, move the
 * branch and index the commit (`revs`: the revisions it records).
 */
int vault__txn_commit(vault_txn *t, vault *v, const char *message,
		      const vault_revision *revs, size_t nrevs, git_oid *out);

/* Release everything; drops the lock.  Aborts an unsealed pack. */
void vault__txn_end(vault_txn *t, vault *v);

#endif
