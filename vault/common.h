/*
 * common.h - the vault handle, shared by the library's modules.
 */
#ifndef VAULT_COMMON_H
#define VAULT_COMMON_H

#include "config.h"
#include "detect.h"
#include "index.h"
#include "store.h"
#include "vault.h"

struct vault {
	char *path;
	char qdir[4096];        /* <path>/qvault: index, lock */
	vault_store *store;
	vault_index *index;
	vault_detect *detect;   /* loaded on first use */
	int readonly;
	int lock_fd;
	vault_warn_cb warn;
	void *warn_payload;
	const vault_key *key;   /* the acting identity, borrowed */
	char *on_behalf;        /* the user a server key acts for (qvault shell) */
	char via[VAULT_NAME_MAX + 1]; /* set by vault__whoami: the server user acting */
	/* the rules of history, held against each new commit before it is
	 * published (verify.c's, handed down so the commit path does not
	 * name the layer above it) */
	int (*check_commit)(vault *v, const git_oid *commit);
};

/*
 * Check one new commit (not yet on the branch) as `verify` checks every
 * commit of history; VAULT_EDENIED with the first finding as message.
 */
int vault_verify__commit(vault *v, const git_oid *commit);

/* The vault's own server user and its key file in qvault/ (made at init). */
#define VAULT_SERVER_USER "qvault-server"
#define VAULT_SERVER_KEY "server.pem"
/* The trailer naming the user a server-signed commit was written for. */
#define VAULT_ON_BEHALF_TRAILER "Qvault-On-Behalf-Of"

/*
 * Take the vault's write lock (flock on qvault/lock: the kernel drops it
 * if the holder dies, so it can never go stale), then bring the index up
 * to date.  VAULT_EDENIED on a read-only vault.
 */
int vault__lock(vault *v);
void vault__unlock(vault *v);

/* Report a warning to the caller's callback, if any. */
void vault__warn(vault *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The user that `tree` records for the acting key: VAULT_EDENIED when no
 * key is set, the key is not registered, or its user was revoked.
 */
int vault__whoami(vault_user *out, vault *v, const git_tree *tree);

/*
 * The organization whose records the acting key may read: NULL (all) with
 * no key or any role but supplier; a supplier's own organization.
 */
int vault__viewer(char **org, vault *v);

/*
 * The revision and sequence number a new revision of `doc` (of `type`)
 * takes in `root`: A for a new document, else the latest's successor.
 * VAULT_EDENIED when the document belongs to another organization than
 * `actor`'s (that of its first revision).
 */
int vault_doc__plan(char *rev, size_t size, unsigned *seq, vault *v, git_tree *root,
		    const vault_user *actor, const char *doc, const char *type);

/* The vault's settings from vault.json at `head`. */
int vault__config(vault_config *cfg, vault *v, git_commit *head);

/* The libmagic detector, loaded once. */
int vault__detector(vault_detect **out, vault *v);

/*
 * Move the branch from `parent` to `commit` and index it from `revs`, the
 * revisions it records; the caller holds the lock.
 */
int vault__publish(vault *v, git_commit *parent, const git_oid *commit,
		   const vault_revision *revs, size_t nrevs);

#endif
