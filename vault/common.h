/*
 * common.h - the vault handle, shared by the library's modules.
 */
#ifndef VAULT_COMMON_H
#define VAULT_COMMON_H

#include "config.h"
#include "detect.h"
#include "index.h"
#include "kind.h"
#include "progress.h"
#include "store.h"
#include "vault.h"

struct vault_txn;

struct vault {
	char *path;
	char qdir[4096];        /* <path>/qvault: index, lock */
	vault_store *store;     /* NULL until a read needs it (vault_open_for_reads) */
	int git;                /* libgit2 started for this handle */
	vault_index *index;
	vault_detect *detect;   /* loaded on first use */
	int readonly;
	int lock_fd;
	vault_warn_cb warn;
	void *warn_payload;
	const vault_key *key;   /* the acting identity, borrowed */
	char *on_behalf;        /* the user a server key acts for (qvault shell) */
	char *reader;           /* the user reads answer for, with no key (qvault serve) */
	char via[VAULT_NAME_MAX + 1]; /* set by vault__whoami: the server user acting */
	const char *journal_how; /* what a download is for the access journal (NULL: "cat") */
	const char *journal_via; /* the front end a download came through, when not this process's */
	vault_journal_cb journal_cb; /* who records the journal's entries (NULL: this handle) */
	void *journal_payload;
	vault__meter progress;     /* how far long work got, for the caller */
	/* the rules of history, held against each new commit before it is
	 * published (verify.c's, handed down so the commit path does not
	 * name the layer above it) */
	int (*check_commit)(vault *v, const git_oid *commit);
	/* every kind of record the vault holds (kinds.c), handed down likewise */
	const vault_kind *const *kinds;
	/* the hooks run around each write (hooks.c), handed down likewise */
	int (*pre_hook)(struct vault_txn *t, vault *v, const char *message);
	void (*post_hook)(struct vault_txn *t, vault *v, const char *message,
			  const git_oid *commit);
};

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

/*
 * Open the vault's index; one that is unusable is rebuilt when the vault
 * is writable (handle.c).
 */
int vault__open_index(vault *v);

/*
 * Open the vault's index when it reflects the branch as the repository's
 * files say it (vault_store__branch_file), without libgit2: 0, the index
 * open; 1 (no index) when it does not, or either cannot be read plainly.
 */
int vault__open_index_if_current(vault *v);

/* Bring the index up to the branch if it lags (`full`: rebuild it). */
int vault__heal(vault *v, int full);

/*
 * Start libgit2 with the vault's settings (fsync, windows, caches); each
 * start is matched by git_libgit2_shutdown() in vault_free.
 */
int vault__git_start(void);

/*
 * Open the repository of a handle vault_open_for_reads made without it,
 * starting libgit2, for the read that needs it (a certificate's data, the
 * git config): 0 when v->store is there.  The index is not brought up:
 * it reflected the branch when the handle was opened.
 */
int vault__need_store(vault *v);

/* Report a warning to the caller's callback, if any. */
void vault__warn(vault *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The user that `tree` records for the acting key: VAULT_EDENIED when no
 * key is set, the key is not registered, or its user was revoked.
 */
int vault__whoami(vault_user *out, vault *v, const git_tree *tree);

/*
 * The vault's server key (qvault/server.pem), loaded into *server (the
 * caller's to free), checked to be the key of the server's user record
 * in `tree`; that record into *user when `user` is not NULL (the
 * caller's to dispose).  A key that is not the record's: VAULT_EVERIFY.
 */
int vault__server_key(vault_key **server, vault_user *user, vault *v, const git_tree *tree);

/*
 * The organization whose records the acting key may read: NULL (all) with
 * no key or any role but supplier; a supplier's own organization.
 */
int vault__viewer(char **org, vault *v);

/*
 * DOC@REV (REV NULL: the latest) as the acting key may see it: a supplier
 * only what was released to its organization and what it added itself;
 * VAULT_ENOTFOUND for the rest, as if absent (user.c).
 */
int vault__revision(vault_revision *out, vault *v, const char *doc, const char *rev);

/*
 * This site's limits (vault_limit_check in vault.h): keys of the vault
 * repository's git config and their defaults.
 */
#define VAULT_CFG_ROWS "qvault.maxImportRows"
#define VAULT_CFG_ROWS_DEFAULT 50000
#define VAULT_CFG_IMPORT_BYTES "qvault.maxImportBytes"
#define VAULT_CFG_IMPORT_BYTES_DEFAULT ((uint64_t)64 << 20)
#define VAULT_CFG_PO_RECORDS "qvault.maxPoRecords"
#define VAULT_CFG_PO_RECORDS_DEFAULT 20000
#define VAULT_CFG_UPLOAD "qvault.maxUpload"
#define VAULT_CFG_UPLOAD_DEFAULT ((uint64_t)2 << 30)
#define VAULT_CFG_STATEMENT "qvault.maxStatement"
#define VAULT_CFG_STATEMENT_DEFAULT ((uint64_t)1 << 20)

/*
 * *out = the positive whole number at `key` in the vault repository's git
 * config (git's k, m, g suffixes taken), or `def` when it is not set;
 * VAULT_EINVALID when it is set to anything else.
 */
int vault__limit(uint64_t *out, vault *v, const char *key, uint64_t def);

/*
 * The upload limit of a document of `type` (NULL: any): *out and, in
 * key[0..size), the key it comes from (qvault.<type>.maxUpload, else
 * qvault.maxUpload).
 */
int vault__upload_limit(uint64_t *out, char *key, size_t size, vault *v, const char *type);

/*
 * The days ahead that audit and the inbox show an expiry or a review due
 * in: git config qvault.expiryDays (0 to 3650), VAULT_EXPIRY_DAYS when it
 * is not set; a value out of range is VAULT_EINVALID, naming the key.
 */
#define VAULT_EXPIRY_DAYS 30
int vault__expiry_days(unsigned *out, vault *v);

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
