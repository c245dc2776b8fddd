/* qvault init [DIR] */
#include "cli.h"

static const cli_opt opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *dir = a->nargs ? a->arg[0] : a->vault_dir;
	vault *v;
	int error;

	(void)cmd;
	(void)unused;
	if ((error = vault_init(&v, dir)) < 0)
		return cli_fail(error);
	printf("initialized an empty vault in %s\n", vault_path(v));
	vault_free(v);
	return EXIT_OK;
}

const cli_command cli_cmd_init = {
	"init", "create a new, empty vault (a bare git repository with its index)",
	"[DIR]", 0, 1, opts, 0, run
};
