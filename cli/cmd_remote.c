/* qvault remote add NAME URL; push [NAME]; pull [NAME]; clone URL DIR */
#include <stdlib.h>

#include "cli.h"


/* pull and clone: long work, shown as it goes */
static const cli_opt fetch_opts[] = {
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_remote_add(const cli_command *cmd, cli_args *a, vault *v)
{
	int error;

	(void)cmd;
	if ((error = vault_remote_add(v, a->arg[0], a->arg[1])) < 0)
		return cli_fail(error);
	printf("remote %s is %s\n", a->arg[0], a->arg[1]);
	return EXIT_OK;
}

const cli_command cli_cmd_remote_add = {
	"remote add", "name a copy of this vault at another site (file://, ssh://, git://, https://)",
	"NAME URL", 2, 2, cli_help_only, 1, run_remote_add
};

static int run_pull(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_pull_result r;
	int error;

	(void)cmd;
	cli_prepare_pdf(); /* before verify's threads start */
	if ((error = vault_pull(&r, v, a->nargs ? a->arg[0] : NULL)) < 0)
		return cli_fail(error);
	switch (r.kind) {
	case VAULT_PULL_UP_TO_DATE:
		printf("up to date\n");
		break;
	case VAULT_PULL_FAST_FORWARD:
		printf("verified and took the other site's history: now at %.12s\n", r.commit);
		break;
	case VAULT_PULL_MERGED:
		printf("verified the other site's history (%.12s) and merged it: signed merge %.12s\n",
		       r.theirs, r.commit);
		break;
	}
	return EXIT_OK;
}

const cli_command cli_cmd_pull = {
	"pull", "bring in another site's history: verified first, merged by a signed commit",
	"[NAME|URL]", 0, 1, fetch_opts, 1, run_pull
};

static int run_push(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_pull_result r;
	int error;

	(void)cmd;
	if ((error = vault_push(&r, v, a->nargs ? a->arg[0] : NULL)) < 0)
		return cli_fail(error);
	if (r.kind == VAULT_PULL_UP_TO_DATE)
		printf("up to date\n");
	else
		printf("pushed main %.12s\n", r.commit);
	return EXIT_OK;
}

const cli_command cli_cmd_push = {
	"push", "send this vault's history to another site (forward only)",
	"[NAME|URL]", 0, 1, cli_help_only, 1, run_push
};

static int run_clone(const cli_command *cmd, cli_args *a, vault *unused)
{
	vault *v = NULL;
	int error;

	(void)unused;
	cli_prepare_pdf(); /* before verify's threads start */
	if ((error = vault_clone(&v, a->arg[0], a->arg[1], cli_print_warning, NULL,
				 cli_progress_for(cmd, a), NULL)) < 0)
		return cli_fail(error);
	printf("cloned and verified %s into %s\n", a->arg[0], a->arg[1]);
	vault_free(v);
	return EXIT_OK;
}

const cli_command cli_cmd_clone = {
	"clone", "copy a vault from another site; kept only if its whole history verifies",
	"URL DIR", 2, 2, fetch_opts, 0, run_clone
};
