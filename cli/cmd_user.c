/* qvault user add | set | list | revoke */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "the user's organization" },
	{ "role", 'r', OPT_VALUE, "ROLE[,ROLE]", "admin, buyer, supplier, quality, auditor, server" },
	{ "pubkey", 0, OPT_FILE, "FILE_OR_LINE", "OpenSSH public key (a passkey's too): a .pub file or the line itself" },
	{ "enroll", 0, OPT_VALUE, "ORIGIN", "no key yet: print a one-time link (72 hours) to make a passkey at the portal ORIGIN (https://HOST[:PORT])" },
	{ "email", 0, OPT_VALUE, "ADDRESS", "where notifications of the user's open actions go" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* 1 when `arg` begins as an OpenSSH public key line of a type qvault takes. */
static int is_key_line(const char *arg)
{
	static const char *const types[] = { "ssh-", "ecdsa-", "sk-" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(arg, types[i], strlen(types[i])) == 0)
			return 1;
	return 0;
}

/* The public key line: the argument itself, or the first line of a file. */
static int read_pubkey(char *buf, size_t size, const char *arg)
{
	FILE *f;

	if (is_key_line(arg))
		return cli_fmt(buf, size, "the public key", "%s", arg);
	if ((f = fopen(arg, "r")) == NULL) {
		fprintf(stderr, "qvault: cannot read public key '%s': %s\n", arg, strerror(errno));
		return -1;
	}
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		fprintf(stderr, "qvault: public key file '%s' is empty\n", arg);
		return -1;
	}
	/* a first line that does not fit is not cut to a shorter key */
	if (!strchr(buf, '\n') && fgetc(f) != EOF) {
		fclose(f);
		fprintf(stderr, "qvault: public key file '%s': the key is too long\n", arg);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Each role of "ROLE[,ROLE]" one of vault_role_names: EXIT_OK or EXIT_USAGE. */
static int check_roles(const cli_command *cmd, const char *roles)
{
	char *list = strdup(roles), *p, *comma;
	int rc = EXIT_OK;

	if (!list)
		abort();
	for (p = list; p && rc == EXIT_OK; p = comma ? comma + 1 : NULL) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		rc = cli_check_enum(cmd, "--role", p, vault_role_names);
	}
	free(list);
	return rc;
}

static int run_add(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *org = cli_opt_value(cmd, a, "org");
	const char *roles = cli_opt_value(cmd, a, "role");
	const char *pub = cli_opt_value(cmd, a, "pubkey");
	char line[4096];
	int error;

	const char *origin = cli_opt_value(cmd, a, "enroll");
	char *secret = NULL;

	if (!org || !roles || !pub == !origin)
		return cli_usage_error(cmd, "--org, --role and one of --pubkey and --enroll are "
				       "required");
	if ((error = check_roles(cmd, roles)) != EXIT_OK)
		return error;
	if (origin && cli_opt_value(cmd, a, "email"))
		return cli_usage_error(cmd, "--email goes with --pubkey; an enrolling user's "
				       "address is set once it is a user (user set NAME --email)");
	if (origin) {
		if ((error = vault_user_enroll(&secret, v, a->arg[0], org, roles, origin)) < 0)
			return cli_fail(error);
		/* the secret is shown here once; the vault keeps only its hash */
		printf("asked %s of %s (%s) to enroll a passkey; send this link, valid for 72 "
		       "hours and once:\n  %s/enroll#%s.%s\n", a->arg[0], org, roles, origin,
		       secret, a->arg[0]);
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
		return EXIT_OK;
	}
	if (read_pubkey(line, sizeof(line), pub) < 0)
		return EXIT_ERROR;
	if ((error = vault_user_add_email(v, a->arg[0], org, roles, line,
					  cli_opt_value(cmd, a, "email"))) < 0)
		return cli_fail(error);
	printf("added user %s of %s as %s\n", a->arg[0], org, roles);
	return EXIT_OK;
}

static const cli_opt set_opts[] = {
	{ "email", 0, OPT_VALUE, "ADDRESS", "the user's new e-mail address" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_set(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *email = cli_opt_value(cmd, a, "email");
	int error;

	if (!email)
		return cli_usage_error(cmd, "--email is required");
	if ((error = vault_user_set_email(v, a->arg[0], email)) < 0)
		return cli_fail(error);
	printf("set the e-mail address of user %s to %s\n", a->arg[0], email);
	return EXIT_OK;
}

static const cli_opt list_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static json_t *user_json(const vault_user *u)
{
	json_t *roles = json_array();
	char when[VAULT_TIME_SIZE], until[VAULT_TIME_SIZE];
	size_t i;

	for (i = 0; vault_role_names[i]; i++)
		if (u->roles & (1u << i))
			json_array_append_new(roles, json_string(vault_role_names[i]));
	vault_time_format(when, sizeof(when), u->added_at);
	vault_time_format(until, sizeof(until), u->revoked_at);
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}",
		"name", u->name, "org", u->org, "roles", roles, "key", u->key,
		"fingerprint", u->fingerprint, "added_by", u->added_by, "added_at", when,
		"revoked_by", u->revoked ? u->revoked_by : NULL,
		"revoked_at", u->revoked ? until : NULL, "email", u->email);
}

static int run_list(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_user_list *list;
	size_t i, j;
	int error;

	if ((error = vault_users(&list, v)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		json_t *arr = json_array();

		for (i = 0; i < list->count; i++)
			json_array_append_new(arr, user_json(&list->items[i]));
		error = cli_print_json(arr);
	} else {
		cli_table *t = cli_table_new("USER|ORG|ROLES|KEY|STATE", 1);

		for (i = 0; i < list->count; i++) {
			const vault_user *u = &list->items[i];
			char roles[128] = "";
			size_t o = 0;

			for (j = 0; vault_role_names[j]; j++)
				if (u->roles & (1u << j)) {
					if (cli_fmt(roles + o, sizeof(roles) - o, "the list of roles",
						    "%s%s", o ? "," : "", vault_role_names[j]) < 0) {
						cli_table_free(t);
						vault_user_list_free(list);
						return EXIT_ERROR;
					}
					o += strlen(roles + o);
				}
			cli_table_cell(t, u->name);
			cli_table_cell(t, u->org);
			cli_table_cell(t, roles);
			cli_table_cell(t, u->fingerprint);
			cli_table_cell(t, u->revoked ? "revoked" : "active");
		}
		cli_table_print(t);
		error = EXIT_OK;
	}
	vault_user_list_free(list);
	return error;
}

static const cli_opt revoke_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_revoke(const cli_command *cmd, cli_args *a, vault *v)
{
	int error;

	(void)cmd;
	if ((error = vault_user_revoke(v, a->arg[0])) < 0)
		return cli_fail(error);
	printf("revoked user %s: its earlier signatures stay valid, later ones are refused\n",
	       a->arg[0]);
	return EXIT_OK;
}

const cli_command cli_cmd_user_add = {
	"user add", "register a user with an organization, roles and a public key (admin)",
	"NAME", 1, 1, add_opts, 1, run_add
};
const cli_command cli_cmd_user_set = {
	"user set", "change a user's e-mail address (admin)",
	"NAME", 1, 1, set_opts, 1, run_set
};
const cli_command cli_cmd_user_list = {
	"user list", "list the users, their roles and key fingerprints",
	"", 0, 0, list_opts, 1, run_list
};
const cli_command cli_cmd_user_revoke = {
	"user revoke", "revoke a user: no more signatures by its key (admin)",
	"NAME", 1, 1, revoke_opts, 1, run_revoke
};
