/* qvault hooks list | hooks install [NAME...] */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const cli_opt list_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_list(const cli_command *cmd, cli_args *a, vault *v)
{
	const vault_hook_sample *s;

	cli_table *t = cli_table_new("HOOK|STATE|WHAT", 1);

	(void)cmd;
	(void)a;
	for (s = vault_hook_samples(); s->name; s++) {
		char path[4200];
		struct stat st;

		if (cli_fmt(path, sizeof(path), "the vault's path", "%s/hooks/%s", vault_path(v),
			    s->name) < 0) {
			cli_table_free(t);
			return EXIT_ERROR;
		}
		cli_table_cell(t, s->name);
		cli_table_cell(t, stat(path, &st) == 0 ? "installed" : "-");
		cli_table_cell(t, s->summary);
	}
	cli_table_print(t);
	return EXIT_OK;
}

const cli_command cli_cmd_hooks_list = {
	"hooks list",
	"list the sample hooks qvault ships, and which the vault has",
	"", 0, 0, list_opts, 1, run_list
};

static const cli_opt install_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "replace a hook of the same name that differs" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int install(vault *v, const char *name, int force)
{
	int installed, error;

	if ((error = vault_hooks_install(&installed, v, name, force)) < 0)
		return cli_fail(error);
	printf("%s hooks/%s\n", installed ? "installed" : "already installed:", name);
	return EXIT_OK;
}

static int run_install(const cli_command *cmd, cli_args *a, vault *v)
{
	int force = cli_opt_flag(cmd, a, "force"), i, rc;
	const vault_hook_sample *s;

	if (a->nargs == 0) {
		for (s = vault_hook_samples(); s->name; s++)
			if (strcmp(s->name, "pre-receive") != 0 &&
			    (rc = install(v, s->name, force)) != EXIT_OK)
				return rc;
		return EXIT_OK;
	}
	for (i = 0; i < a->nargs; i++)
		if ((rc = install(v, a->arg[i], force)) != EXIT_OK)
			return rc;
	return EXIT_OK;
}

const cli_command cli_cmd_hooks_install = {
	"hooks install",
	"copy sample hooks into the vault's hooks/ folder (all but pre-receive without NAME)",
	"[NAME...]", 0, CLI_ARG_MAX, install_opts, 1, run_install
};
