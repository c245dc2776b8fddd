/*
 * notify.h - mail for the actions a write puts in someone's inbox: one
 * RFC 5322 message (.eml) per recipient and action in the vault's outbox.
 */
#ifndef VAULT_NOTIFY_H
#define VAULT_NOTIFY_H

#include <stddef.h>

#include <git2.h>

#include "vault.h"

/* The outbox folder: git config qvault.outbox, else <vault>/outbox; malloc'd. */
int vault_notify__outbox(char **out, vault *v);

/*
 * After `commit` was published: for each user with an e-mail address,
 * not revoked, one message in the outbox for each action of its inbox
 * not mailed to it before; *written says how many.  The write is
 * recorded whatever this returns: the caller warns.
 */
int vault_notify__post(size_t *written, vault *v, const git_oid *commit);

#endif
