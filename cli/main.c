/*
 * main.c - the qvault command: global options, the command table, and the
 * one option parser every command's table drives.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const cli_command *const cli_commands[] = {
	&cli_cmd_init, &cli_cmd_add, &cli_cmd_withdraw, &cli_cmd_review, &cli_cmd_import, &cli_cmd_show,
	&cli_cmd_cat, &cli_cmd_diff, &cli_cmd_list, &cli_cmd_log, &cli_cmd_reindex, &cli_cmd_gc,
	&cli_cmd_key_generate, &cli_cmd_user_add, &cli_cmd_user_set, &cli_cmd_user_list,
	&cli_cmd_user_revoke, &cli_cmd_user_attest, &cli_cmd_org_attest, &cli_cmd_journal_export,
	&cli_cmd_token_create, &cli_cmd_token_list,
	&cli_cmd_token_revoke, &cli_cmd_keys_allowed_signers, &cli_cmd_types_list,
	&cli_cmd_types_allow, &cli_cmd_types_deny, &cli_cmd_release,
	&cli_cmd_obsolete, &cli_cmd_ack_export, &cli_cmd_ack, &cli_cmd_acks,
	&cli_cmd_pending, &cli_cmd_verify, &cli_cmd_po_add, &cli_cmd_po_import,
	&cli_cmd_inbox, &cli_cmd_po_list, &cli_cmd_po_show, &cli_cmd_po_change,
	&cli_cmd_po_cancel, &cli_cmd_po_close, &cli_cmd_po_release,
	&cli_cmd_lot_add, &cli_cmd_trace_lot, &cli_cmd_link, &cli_cmd_audit_waive, &cli_cmd_audit,
	&cli_cmd_trace_doc, &cli_cmd_trace_po, &cli_cmd_lot_import, &cli_cmd_fai_add,
	&cli_cmd_fai_init, &cli_cmd_fai_show, &cli_cmd_fai_pack, &cli_cmd_fai_accept,
	&cli_cmd_fai_reject, &cli_cmd_export,
	/* the supplier portal; two-word names before the one-word "status" */
	&cli_cmd_po_ack_export, &cli_cmd_po_ack, &cli_cmd_status_import, &cli_cmd_status_export, &cli_cmd_status,
	&cli_cmd_asn_add, &cli_cmd_asn_import, &cli_cmd_asn_cancel, &cli_cmd_asn_receive, &cli_cmd_asn_export,
	&cli_cmd_asn_list, &cli_cmd_asn_show, &cli_cmd_edi_read,
	&cli_cmd_forecast_import, &cli_cmd_forecast_show, &cli_cmd_forecast_ack,
	&cli_cmd_ncr_add, &cli_cmd_ncr_close, &cli_cmd_ncr_list, &cli_cmd_ncr_show, &cli_cmd_scorecard,
	/* hooks, the ssh shell, other sites */
	&cli_cmd_hooks_list, &cli_cmd_hooks_install, &cli_cmd_shell, &cli_cmd_ack_statement,
	&cli_cmd_ack_submit, &cli_cmd_remote_add, &cli_cmd_pull, &cli_cmd_push, &cli_cmd_clone,
	/* the HTTP/JSON API */
	&cli_cmd_serve,
	/* what is said about the commands: help, manual pages, completion */
	&cli_cmd_help,
	NULL
};

void cli_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: qvault [-C DIR] [--key FILE] [--passphrase-env NAME]\n"
		   "              [--remote ssh://[USER@]HOST[:PORT]] [--version] [--help]\n"
		   "              COMMAND [ARGS]\n\n"
		   "The vault is DIR, else $QVAULT_DIR, else the current folder; with\n"
		   "--remote, the vault behind `qvault shell` on HOST, reached with ssh\n"
		   "($QVAULT_SSH, default ssh): files go over the connection, signatures\n"
		   "are made here with the key FILE.\n"
		   "The acting identity is the private key FILE, else $QVAULT_KEY: a PEM\n"
		   "key of qvault's, an OpenSSH key file (~/.ssh/id_ed25519: ssh-keygen\n"
		   "signs), or agent:SHA256:... (that key of ssh-agent, by its fingerprint\n"
		   "as ssh-keygen -l prints it); a passphrase comes from the variable NAME\n"
		   "($QVAULT_PASSPHRASE_ENV), else from the terminal.\n\n"
		   "Commands:\n");
	for (i = 0; cli_commands[i]; i++)
		fprintf(f, "  %-22s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(f, "\n'qvault help COMMAND' (or 'qvault COMMAND --help') describes one command;\n"
		   "'man qvault-COMMAND' is its manual page.\n"
		   "Exit codes: 0 ok, 1 error, 2 usage, 3 verification failed.\n");
}

static void command_help(const cli_command *cmd)
{
	const cli_opt *o;

	printf("usage: qvault %s", cmd->name);
	for (o = cmd->opts; o && o->name; o++)
		if (strcmp(o->name, "help") != 0)
			printf(" [--%s%s%s]%s", o->name, o->arg ? " " : "",
			       o->arg ? o->arg : "", o->kind == OPT_LIST ? "..." : "");
	printf("%s%s\n\n%s\n\n", *cmd->synopsis ? " " : "", cmd->synopsis, cmd->summary);
	for (o = cmd->opts; o && o->name; o++) {
		char left[64];

		if (cli_fmt(left, sizeof(left), "an option's name", "%s%c%s--%s%s%s",
			    o->short_name ? "-" : "", o->short_name ? o->short_name : ' ',
			    o->short_name ? ", " : "  ", o->name, o->arg ? " " : "",
			    o->arg ? o->arg : "") < 0)
			continue;
		printf("  %-24s %s\n", o->short_name ? left : left + 2, o->help);
	}
	cli_help_subcommands(stdout, cmd->name);
}

/* The index of option --name (len bytes of it), or -1. */
static int long_opt(const cli_command *cmd, const char *name, size_t len)
{
	int i;

	for (i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (strlen(cmd->opts[i].name) == len &&
		    strncmp(cmd->opts[i].name, name, len) == 0)
			return i;
	return -1;
}

/* The index of option -c, or -1. */
static int short_opt(const cli_command *cmd, char c)
{
	int i;

	for (i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (cmd->opts[i].short_name == c)
			return i;
	return -1;
}

static int store_value(cli_args *a, const cli_opt *o, int i, const char *value)
{
	if (o->kind == OPT_LIST) {
		const char **grown = realloc(a->opt[i].list,
					     (a->opt[i].count + 1) * sizeof(char *));

		if (!grown)
			abort();
		a->opt[i].list = grown;
		a->opt[i].list[a->opt[i].count++] = value;
	} else if (a->opt[i].set && (o->kind == OPT_VALUE || o->kind == OPT_FILE)) {
		return -1;
	}
	a->opt[i].set = 1;
	/* the lists grown above are freed by run() when the command is done */
	a->opt[i].value = value; // NOLINT(clang-analyzer-unix.Malloc)
	return 0;
}

/*
 * --key FILE and --passphrase-env NAME name the acting identity; they are
 * taken after the command name too.  1 when argv[*k] was one of them.
 */
static int global_option(cli_args *a, const char *s, int argc, char **argv, int *k)
{
	const char **slot = NULL;
	const char *eq = strchr(s, '=');
	size_t n = eq ? (size_t)(eq - s) : strlen(s);

	if (n == 5 && strncmp(s, "--key", 5) == 0)
		slot = &a->key_path;
	else if (n == 16 && strncmp(s, "--passphrase-env", 16) == 0)
		slot = &a->pass_env;
	if (!slot)
		return 0;
	if (eq)
		*slot = eq + 1;
	else if (*k + 1 < argc)
		*slot = argv[++*k];
	else
		return 0;
	return 1;
}

/* Parse argv (after the command name) by the command's table. */
static int parse(cli_args *a, const cli_command *cmd, int argc, char **argv)
{
	int k, only_args = 0;

	for (k = 0; k < argc; k++) {
		const char *s = argv[k], *value = NULL, *eq;
		const cli_opt *o;
		int i;

		if (only_args || s[0] != '-' || s[1] == '\0') {
			if (a->nargs == cmd->max_args || a->nargs == CLI_ARG_MAX)
				return cli_usage_error(cmd, "unexpected argument '%s'", s);
			a->arg[a->nargs++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (s[1] == '-') {
			eq = strchr(s + 2, '=');
			i = long_opt(cmd, s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));
			if (eq)
				value = eq + 1;
		} else {
			if (s[2] != '\0')
				return cli_usage_error(cmd, "unknown option '%s'", s);
			i = short_opt(cmd, s[1]);
		}
		if (i < 0 && global_option(a, s, argc, argv, &k))
			continue;
		if (i < 0)
			return cli_usage_error(cmd, "unknown option '%s'", s);
		o = &cmd->opts[i];
		if (o->kind == OPT_FLAG) {
			if (value)
				return cli_usage_error(cmd, "option '--%s' takes no value", o->name);
			a->opt[i].set = 1;
			continue;
		}
		if (!value) {
			if (k + 1 == argc)
				return cli_usage_error(cmd, "option '--%s' needs %s", o->name, o->arg);
			value = argv[++k];
		}
		if (store_value(a, o, i, value) < 0)
			return cli_usage_error(cmd, "option '--%s' given twice", o->name);
	}
	return 0;
}

void cli_print_warning(const char *message, void *payload)
{
	(void)payload;
	cli_progress_break();
	fprintf(stderr, "qvault: warning: %s\n", message);
}

int cli_run(const cli_command *cmd, int argc, char **argv, const cli_args *global)
{
	cli_args a = *global;
	vault *v = NULL;
	int rc, i, error;

	if ((rc = parse(&a, cmd, argc, argv)) != 0)
		goto done;
	if (cli_opt_flag(cmd, &a, "help")) {
		command_help(cmd);
		goto done;
	}
	if (a.remote) {
		rc = cli_remote(cmd, &a);
		goto done;
	}
	if (a.nargs < cmd->min_args) {
		rc = cli_usage_error(cmd, "missing %s", cmd->synopsis);
		goto done;
	}
	if (cmd->opens_vault) {
		if ((rc = cli_load_key(&a)) != 0)
			goto done;
		/* acting for another (qvault shell) is the repository's to say */
		error = cmd->opens_vault == CLI_SINCE_UNINDEXED && cli_opt_value(cmd, &a, "since") ?
			vault_open_unindexed(&v, a.vault_dir) :
			cmd->opens_vault == CLI_INDEX_READS && !a.on_behalf ?
			vault_open_for_reads(&v, a.vault_dir, cli_print_warning, NULL) :
			vault_open(&v, a.vault_dir, cli_print_warning, NULL);
		/* a history no index can hold (a record forged malformed) stops
		 * every other command at its one reason; verify goes on without
		 * the index, to list that reason among all its findings */
		if (error == VAULT_EVERIFY && cmd->opens_vault == CLI_SINCE_UNINDEXED)
			error = vault_open_unindexed(&v, a.vault_dir);
		if (error < 0) {
			rc = cli_fail(error);
			goto done;
		}
		vault_set_key(v, a.key);
		vault_set_progress(v, cli_progress_for(cmd, &a), NULL);
		if (a.on_behalf)
			vault_set_on_behalf(v, a.on_behalf);
	}
	rc = cmd->run(cmd, &a, v);
	cli_progress_break();
done:
	vault_free(v);
	vault_key_free(a.key);
	for (i = 0; i < CLI_OPT_MAX; i++)
		free(a.opt[i].list);
	return rc;
}

/* Does `cmd` (one or two words) name argv[k] (and argv[k + 1])? */
static int names(const cli_command *cmd, int argc, char **argv, int k)
{
	const char *sp = strchr(cmd->name, ' ');

	if (!sp)
		return strcmp(cmd->name, argv[k]) == 0 ? 1 : 0;
	if (k + 1 >= argc || strlen(argv[k]) != (size_t)(sp - cmd->name) ||
	    strncmp(cmd->name, argv[k], (size_t)(sp - cmd->name)) != 0 ||
	    strcmp(sp + 1, argv[k + 1]) != 0)
		return 0;
	return 2;
}

const cli_command *cli_lookup(int argc, char **argv, int k, int *words)
{
	size_t i;

	for (i = 0; cli_commands[i]; i++)
		if ((*words = names(cli_commands[i], argc, argv, k)) != 0)
			return cli_commands[i];
	return NULL;
}

/*
 * This program, as libqvault's PDF checker: its path read from
 * /proc/self/exe now (a path, not the link itself, which under valgrind
 * is valgrind's own program); none when it cannot be read (the check
 * then runs in the process when it has several threads).
 */
static void cli_set_pdf_checker(void)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len <= 0 || (size_t)len >= sizeof(self) - 1)
		return;
	self[len] = '\0';
	vault_pdf_set_checker(self);
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

int main(int argc, char **argv)
{
	const cli_command *cmd;
	cli_args global;
	char shown[256];
	int k = 1, words;

	/* run by libqvault as its PDF checker server (vault_pdf_set_checker) */
	if (argc > 1 && strcmp(argv[1], VAULT_PDF_CHECK_ARG) == 0)
		return vault_pdf_check_child(argc, argv);
	cli_set_pdf_checker();
	/* run by ssh-keygen to hand it an OpenSSH key's passphrase */
	if (getenv("QVAULT_ASKPASS_FD"))
		return cli_askpass(getenv("QVAULT_ASKPASS_FD"), argc > 1 ? argv[1] : NULL);
	cli_set_askpass();
	/* what libgit2 creates (objects, refs) is never group- or world-writable */
	umask(umask(0) | 022);
	memset(&global, 0, sizeof(global));
	global.vault_dir = env_or("QVAULT_DIR", ".");
	global.key_path = env_or("QVAULT_KEY", NULL);
	global.pass_env = env_or("QVAULT_PASSPHRASE_ENV", NULL);
	while (k < argc && argv[k][0] == '-') {
		if (strcmp(argv[k], "--version") == 0) {
			printf("qvault %s\n", VAULT_VERSION);
			return EXIT_OK;
		}
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			cli_usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[k], "-C") == 0 && k + 1 < argc) {
			global.vault_dir = argv[k + 1];
			k += 2;
			continue;
		}
		if (strcmp(argv[k], "--key") == 0 && k + 1 < argc) {
			global.key_path = argv[k + 1];
			k += 2;
			continue;
		}
		if (strcmp(argv[k], "--passphrase-env") == 0 && k + 1 < argc) {
			global.pass_env = argv[k + 1];
			k += 2;
			continue;
		}
		if (strcmp(argv[k], "--remote") == 0 && k + 1 < argc) {
			global.remote = argv[k + 1];
			k += 2;
			continue;
		}
		fprintf(stderr, "qvault: unknown option '%s' (see 'qvault --help')\n",
			cli_shown(shown, sizeof(shown), argv[k]));
		return EXIT_USAGE;
	}
	if (k == argc) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = cli_lookup(argc, argv, k, &words)) != NULL)
		return cli_run(cmd, argc - k - words, argv + k + words, &global);
	return cli_unknown_command(argc, argv, k);
}
