/*
 * qvault help [COMMAND]: one command's help, as `COMMAND --help` prints it;
 * and what the build makes from the command and option tables, so it never
 * drifts from them: the manual pages (--man), the list of commands
 * (--commands) and the shell completion (--completion bash|zsh).
 */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "man", 0, OPT_FLAG, NULL,
	  "print the manual page of COMMAND (without one, of qvault) as troff, for man(1)" },
	{ "commands", 0, OPT_FLAG, NULL, "print every command's name, one a line" },
	{ "completion", 0, OPT_VALUE, "SHELL", "print the completion script for SHELL: bash or zsh" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *const shells[] = { "bash", "zsh", NULL };

/*
 * The command a->arg names ("add", or "key" "generate"), or NULL with
 * what qvault says of a command it does not know already said: a group
 * alone lists its commands (*rc 0), else the nearest command (*rc 2).
 */
static const cli_command *named(const cli_command *cmd, cli_args *a, int *rc)
{
	char *words[2] = { NULL, NULL };
	const cli_command *target;
	int i, taken;

	/* cli_lookup and cli_unknown_command read argv as main() gets it */
	for (i = 0; i < a->nargs; i++)
		words[i] = (char *)a->arg[i];
	target = cli_lookup(a->nargs, words, 0, &taken);
	if (target && taken == a->nargs)
		return target;
	if (target) {
		*rc = cli_usage_error(cmd, "unexpected argument '%s'", a->arg[1]);
		return NULL;
	}
	if (a->nargs == 1 && cli_help_group(stdout, a->arg[0]) > 0) {
		*rc = EXIT_OK;
		return NULL;
	}
	*rc = cli_unknown_command(a->nargs, words, 0);
	return NULL;
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *shell = cli_opt_value(cmd, a, "completion");
	int man = cli_opt_flag(cmd, a, "man"), list = cli_opt_flag(cmd, a, "commands");
	const cli_command *target = NULL;
	int rc = EXIT_OK, i;

	(void)v;
	if (man + list + (shell != NULL) > 1)
		return cli_usage_error(cmd, "--man, --commands and --completion go one at a time");
	if ((list || shell) && a->nargs > 0)
		return cli_usage_error(cmd, "unexpected argument '%s'", a->arg[0]);
	if (shell && (rc = cli_check_enum(cmd, "--completion", shell, shells)) != EXIT_OK)
		return rc;
	if (a->nargs > 0 && (target = named(cmd, a, &rc)) == NULL)
		return rc;
	if (list) {
		for (i = 0; cli_commands[i]; i++)
			printf("%s\n", cli_commands[i]->name);
		return EXIT_OK;
	}
	if (shell)
		return cli_completion(stdout, shell);
	if (man)
		return cli_man_page(stdout, target);
	if (!target) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	{
		cli_args plain;
		char *help_argv[] = { (char *)"--help", NULL };

		memset(&plain, 0, sizeof(plain));
		plain.vault_dir = a->vault_dir;
		return cli_run(target, 1, help_argv, &plain);
	}
}

const cli_command cli_cmd_help = {
	"help", "describe a command, as COMMAND --help does (also its manual page, and completion)",
	"[COMMAND]", 0, 2, opts, 0, run
};
