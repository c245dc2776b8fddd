/*
 * qvault token create | list | revoke: API tokens for system clients
 * (admin).  A token is printed once, by create; the vault keeps its hash.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

static const char *const scopes[] = { "read", "write", NULL };

static const cli_opt create_opts[] = {
	{ "user", 'u', OPT_VALUE, "NAME", "the user the token acts for (not an admin or a server)" },
	{ "scope", 0, OPT_VALUE, "SCOPE", "read (default) or write" },
	{ "expires", 0, OPT_VALUE, "DATE", "the last day it is valid, YYYY-MM-DD (UTC); default never" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_create(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *user = cli_opt_value(cmd, a, "user");
	const char *scope = cli_opt_value(cmd, a, "scope");
	const char *expires = cli_opt_value(cmd, a, "expires");
	char *token;
	int error;

	if (!user)
		return cli_usage_error(cmd, "--user is required");
	if ((error = cli_check_plain_name(cmd, "--user", user)) != EXIT_OK ||
	    (scope && (error = cli_check_enum(cmd, "--scope", scope, scopes)) != EXIT_OK) ||
	    (expires && (error = cli_check_date(cmd, "--expires", expires)) != EXIT_OK))
		return error;
	if ((error = vault_token_create(&token, v, user, scope, expires)) < 0)
		return cli_fail(error);
	printf("%s\n", token);
	fflush(stdout);
	OPENSSL_cleanse(token, strlen(token));
	free(token);
	fprintf(stderr, "qvault: the token above is shown this once: the vault keeps only its "
		"hash (%s, for %s)\n", scope ? scope : "read", user);
	return EXIT_OK;
}

static const cli_opt list_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int run_list(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	json_t *list, *o;
	size_t i;
	int error;

	if ((error = vault_token_list(&text, v)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((list = json_loads(text, 0, NULL)) != NULL) {
		cli_table *t = cli_table_new("TOKEN|STATE|USER|SCOPE|EXPIRES|CREATED BY|CREATED", 1);

		json_array_foreach(list, i, o) {
			cli_table_cell(t, str(o, "id"));
			cli_table_cell(t, str(o, "state"));
			cli_table_cell(t, str(o, "user"));
			cli_table_cell(t, str(o, "scope"));
			cli_table_cell(t, *str(o, "expires") ? str(o, "expires") : "never");
			cli_table_cell(t, str(o, "created_by"));
			cli_table_cell(t, str(o, "created_at"));
		}
		cli_table_print(t);
		json_decref(list);
	}
	free(text);
	return EXIT_OK;
}

static const cli_opt revoke_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_revoke(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *id = a->arg[0];
	int error;

	/* not repeated in the message: it may be a whole token, pasted */
	if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
		return cli_usage_error(cmd, "ID is the token's 16 lowercase hex digits "
				       "(qvault token list)");
	if ((error = vault_token_revoke(v, id)) < 0)
		return cli_fail(error);
	printf("revoked token %s: the server refuses it from now on\n", id);
	return EXIT_OK;
}

const cli_command cli_cmd_token_create = {
	"token create", "make an API token for a system client, printed once (admin)",
	"", 0, 0, create_opts, 1, run_create
};
const cli_command cli_cmd_token_list = {
	"token list", "list the API tokens: id, user, scope, expiry, state; never a secret (admin)",
	"", 0, 0, list_opts, 1, run_list
};
const cli_command cli_cmd_token_revoke = {
	"token revoke", "revoke an API token by its id (admin)",
	"ID", 1, 1, revoke_opts, 1, run_revoke
};
