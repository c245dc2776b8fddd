/*
 * act.h - a person's act signed apart from its commit (vault_signing):
 * a PO acknowledgment, an FAI disposition, an NCR's close.
 *
 * Through the portal the server signs the commits; what makes the act the
 * person's is their own signature over the record itself, stored beside it
 * as NAME.json.sig, so that `ssh-keygen -Y verify -n NAMESPACE` checks it
 * with nothing but the record and the signer's key.  An act is made in two
 * steps: the record the vault would write now, written nowhere (the
 * statement), then that record byte for byte with the signature over it.
 */
#ifndef VAULT_ACT_H
#define VAULT_ACT_H

#include <jansson.h>

#include "kind.h"
#include "rules.h"
#include "txn.h"

/*
 * Begin act `what` ("acknowledgment", for messages) as the transaction
 * `t` begun: with a signed record, its time (member `at`) is the act's and
 * the commit's, and must be at most ten minutes behind the clock, never
 * ahead of it (the vault made it), and not before the branch's last commit.  Nothing to do for the other two ways.
 */
int vault_act__begin(vault_txn *t, vault *v, const vault_signing *s, const char *at);

/*
 * Write the record `root` (taken over) at `path` as `s` says: at once
 * (s NULL), into *s->statement only, or, when it is s->record byte for
 * byte and s->sig is the acting user's signature over it in namespace
 * `ns`, with that signature beside it at PATH.sig.  A record to sign (s
 * not NULL) names the vault (member "vault", its id).
 */
int vault_act__put(vault_txn *t, vault *v, const char *path, json_t *root,
		   const vault_signing *s, const char *ns);

/* 1 when `s` asks for the statement only: nothing is to be committed. */
int vault_act__statement_only(const vault_signing *s);

/*
 * The check of an added PATH.sig: its record came in the same commit, and
 * it is a signature over the record's bytes in namespace `ns` by the key
 * of the user the record's member `by` names, registered and not revoked,
 * and the record names this vault (member "vault").
 */
void vault_act__check_signature(const vault_change_ctx *c, const char *path, const char *ns,
				const char *by);

#endif
