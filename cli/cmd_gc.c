/* qvault gc */
#include "cli.h"

static const cli_opt opts[] = {
	CLI_OPT_QUIET,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	size_t before, after;
	int error;

	(void)cmd;
	(void)a;
	if ((error = vault_gc(&before, &after, v)) < 0)
		return cli_fail(error);
	printf("repacked %s: %zu pack%s before, %zu now\n", vault_path(v), before,
	       before == 1 ? "" : "s", after);
	return EXIT_OK;
}

const cli_command cli_cmd_gc = {
	"gc", "repack the repository: every object in one pack (past git config qvault.gcPacks packs, 50, a write rolls the small ones into one)",
	"", 0, 0, opts, 1, run
};
