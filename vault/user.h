/*
 * user.h - the people who may write to a vault, their roles and keys.
 *
 * Each user is users/<NAME>/user.json in the repository; a revocation is
 * users/<NAME>/revoked.json beside it.  Both are written once; what a
 * user may do at a point of history is what that point's tree says.
 */
#ifndef VAULT_USER_H
#define VAULT_USER_H

#include <git2.h>

#include "store.h"
#include "vault.h"

#define VAULT_USERS_DIR "users"

enum {
	VAULT_ROLE_ADMIN = 1 << 0,
	VAULT_ROLE_BUYER = 1 << 1,
	VAULT_ROLE_SUPPLIER = 1 << 2,
	VAULT_ROLE_QUALITY = 1 << 3,
	VAULT_ROLE_AUDITOR = 1 << 4,
	VAULT_ROLE_SERVER = 1 << 5
};

/* Parse "buyer,quality" into role bits; VAULT_EINVALID naming a bad one. */
int vault_user__parse_roles(unsigned *roles, const char *list);

/* "buyer,quality" for role bits, into buf. */
void vault_user__format_roles(char *buf, size_t size, unsigned roles);

/* The record of a new user, canonical JSON; malloc'd. */
int vault_user__dump(char **out, size_t *len, const vault_user *u);
/* The record of a revocation. */
int vault_user__dump_revocation(char **out, size_t *len, const char *name,
				const char *by, int64_t when);

/*
 * vault_allowed_signers, of the users whose "NAME@ORG" `want` accepts
 * (with `arg`), each key valid only after its user was added; with no
 * `want`, every user the viewer sees, as vault_allowed_signers.
 */
int vault_user__allowed_signers(char **out, vault *v,
				int (*want)(const char *principal, void *arg), void *arg);

/*
 * *u = the user users/<dirname>/user.json records, parsed from `data`
 * (the caller disposes of it); VAULT_EVERIFY when it is malformed or names
 * another user.  No e-mail address, no revocation: see the next.
 */
int vault_user__parse(vault_user *u, const char *data, size_t len, const char *dirname);

/* Mark *u revoked as users/<dirname>/revoked.json (`data`) says; VAULT_EVERIFY if malformed. */
int vault_user__parse_revocation(vault_user *u, const char *data, size_t len,
				 const char *dirname);

/* Every user `tree` records, by name. */
int vault_user__list(vault_user_list **out, vault_store *s, const git_tree *tree);

/*
 * The user `tree` records with public key `key_id` ("TYPE BASE64"), or
 * VAULT_ENOTFOUND.  Fills `out`, which the caller disposes.
 */
int vault_user__by_key(vault_user *out, vault_store *s, const git_tree *tree,
		       const char *key_id);

/* The user named `name`, or VAULT_ENOTFOUND. */
int vault_user__by_name(vault_user *out, vault_store *s, const git_tree *tree,
			const char *name);

/*
 * May `u` (not revoked) add a document of `type`?  0 or VAULT_EDENIED
 * with a message naming the user, the role and the operation.
 */
int vault_user__may_add(const vault_user *u, const char *type);
int vault_user__may(const vault_user *u, unsigned roles, const char *what);

/*
 * Whether `u` may belong to its organization, as `users` (the others
 * recorded, revoked ones too; `u` itself is skipped) hold it.  An
 * organization is the vault owner's (admin, buyer, quality, auditor,
 * server) or a supplier's (supplier alone), never both, and no user is
 * both: what a supplier's organization sees is what it was given and what
 * its suppliers wrote, so a buyer in it would show its work to them.
 * 0, or VAULT_EINVALID naming the conflict.
 */
int vault_user__side_check(const vault_user *u, const vault_user_list *users);

/*
 * The organization whose records `u` may see (borrowed from `u`): its own
 * for a user whose only role is supplier, NULL (everything) for any other
 * role.  What lies outside it is answered as if it did not exist.
 */
const char *vault_user__scope(const vault_user *u);

/*
 * users/NAME/user.json written by the server, as itself: only as the
 * enrollment an admin asked for, used in the same change (enroll.c).
 */
struct vault_change_ctx;
void vault_enroll__check_user(const struct vault_change_ctx *c, const char *path,
			      const char *name);

#endif
