/* qvault keys allowed-signers */
#include <stdlib.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	int error;

	(void)cmd;
	(void)a;
	if ((error = vault_allowed_signers(&text, v)) < 0)
		return cli_fail(error);
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_keys_allowed_signers = {
	"keys allowed-signers",
	"print every user's key in OpenSSH allowed_signers form (for git verify-commit)",
	"", 0, 0, opts, 1, run
};
