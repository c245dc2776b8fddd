/*
 * hooks.h - running the vault's hook programs around each write.
 *
 * Like git's: an executable in the vault's hooks/ folder, named for the
 * event (pre-add, post-release, ...), gets the event as JSON on standard
 * input (schemas/hook-event.schema.json), a clean environment and a time
 * limit (git config qvault.hookTimeout, seconds; 30 by default).  A pre-
 * hook that exits non-zero refuses the write; a post- hook only reports.
 */
#ifndef VAULT_HOOKS_H
#define VAULT_HOOKS_H

#include "txn.h"

#define VAULT_HOOKS_DIR "hooks"
#define VAULT_HOOK_TIMEOUT 30

/* 1 when the vault's hooks/ folder holds any pre- hook, else 0. */
int vault_hooks__any_pre(vault *v);

/*
 * The event a commit with `message` belongs to: its Qvault-Op trailer,
 * with imports and the -add of lots, POs and FAIs folded in ("lot-import"
 * is "lot", "import" is "add").  NULL for a commit without one.
 */
const char *vault_hooks__event(char *buf, size_t size, const char *message);

/*
 * Run the pre- hook of the write `t` is about to commit with `message`:
 * VAULT_EDENIED with the hook's first line when it refuses (non-zero
 * exit, killed, timed out, not executable), 0 when it agrees or there is
 * none.  The commit path calls it, and the post- hook, through the
 * vault handle (set by vault.c), so that txn names no layer above it.
 */
int vault_hooks__pre(vault_txn *t, vault *v, const char *message);

/* Run the post- hook of `commit`; a failure is a warning, never an error. */
void vault_hooks__post(vault_txn *t, vault *v, const char *message, const git_oid *commit);
/*
 * Run the post-notify hook after a write that put a message in the
 * outbox (notify.c); its failure is a warning.
 */
void vault_hooks__post_notify(vault_txn *t, vault *v, const char *message,
			      const git_oid *commit);

#endif
