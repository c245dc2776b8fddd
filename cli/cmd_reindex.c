/* qvault reindex */
#include "cli.h"

static const cli_opt opts[] = {
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	int error;

	(void)cmd;
	(void)a;
	if ((error = vault_reindex(v)) < 0)
		return cli_fail(error);
	printf("rebuilt the index of %s from its repository\n", vault_path(v));
	return EXIT_OK;
}

const cli_command cli_cmd_reindex = {
	"reindex", "rebuild the index from the repository alone",
	"", 0, 0, opts, 1, run
};
