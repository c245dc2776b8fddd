/*
 * trust.c - the kinds of record that say whom the vault trusts: its
 * settings (vault.json) and its users (users/NAME/user.json, revoked.json).
 * An admin writes them (the init commit registers the first admin), and
 * never a server on someone's behalf: a portal user cannot make itself
 * anything by way of the server's key.
 */
#include "config.h"
#include "kind.h"
#include "kinds.h"
#include "record.h"
#include "rules.h"
#include "user.h"

static void check_config(const vault_change_ctx *c, const char *path)
{
	if (c->on_behalf)
		c->found(c, path, "a server may not change the vault's settings on behalf of '%s'",
			 c->who ? c->who->name : "");
}

static void check_user(const vault_change_ctx *c, const char *path)
{
	if (c->on_behalf)
		c->found(c, path, "a server may not add or revoke users on behalf of '%s'",
			 c->who ? c->who->name : "");
}

const vault_kind vault_kind_config = {
	"settings", VAULT_CONFIG_FILE, VAULT_ROLE_ADMIN, "configure the vault", "init", NULL,
	check_config
};
const vault_kind vault_kind_user = {
	"user", VAULT_USERS_DIR "/NAME/user.json", VAULT_ROLE_ADMIN, "add or revoke users",
	"init user-add", NULL, check_user
};
const vault_kind vault_kind_revoked = {
	"revocation", VAULT_USERS_DIR "/NAME/revoked.json", VAULT_ROLE_ADMIN, "add or revoke users",
	"user-revoke", NULL, check_user
};
