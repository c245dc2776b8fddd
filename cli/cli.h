/*
 * cli.h - what the command files share: the command and option tables,
 * parsed arguments, and the output helpers.  Only vault/vault.h is
 * included from the library.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "../vault/vault.h"

/* Exit codes of qvault. */
enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_VERIFY = 3 };

typedef enum {
	OPT_FLAG,  /* --json */
	OPT_VALUE, /* --type T */
	OPT_LIST,  /* --part PN, repeatable */
	OPT_FILE   /* --output FILE: a path on the machine where qvault runs
		    * (git's OPT_FILENAME); `qvault shell` and --remote refuse
		    * every option of this kind, whatever its name or help */
} cli_opt_kind;

/* One option of a command; the table drives parsing and --help. */
typedef struct {
	const char *name;  /* long name, without the dashes */
	char short_name;   /* 0 for none */
	cli_opt_kind kind;
	const char *arg;   /* the value's name in help, e.g. "FILE" */
	const char *help;
} cli_opt;

#define CLI_OPT_MAX 16
#define CLI_ARG_MAX 8

/* The parsed command line of one command. */
typedef struct {
	struct {
		int set;
		const char *value;
		const char **list;
		size_t count;
	} opt[CLI_OPT_MAX];
	const char *arg[CLI_ARG_MAX];
	int nargs;
	const char *vault_dir; /* -C DIR, QVAULT_DIR, or "." */
	const char *key_path;  /* --key FILE or QVAULT_KEY, may be NULL */
	const char *pass_env;  /* --passphrase-env NAME or QVAULT_PASSPHRASE_ENV */
	vault_key *key;        /* loaded for commands that open the vault */
	const char *on_behalf; /* qvault shell: the user the server key writes for */
	const char *remote;    /* --remote ssh://...: run the command there */
} cli_args;

typedef struct cli_command cli_command;

struct cli_command {
	const char *name;
	const char *summary;  /* one line, for `qvault --help` */
	const char *synopsis; /* positional arguments, e.g. "FILE" */
	int min_args, max_args;
	const cli_opt *opts;  /* terminated by an entry with name NULL */
	int opens_vault;      /* 1: run() gets an open vault */
	int (*run)(const cli_command *cmd, cli_args *args, vault *v);
};

/* The value of option `name` (NULL if not given), flag set, or list. */
const char *cli_opt_value(const cli_command *cmd, const cli_args *a, const char *name);
int cli_opt_flag(const cli_command *cmd, const cli_args *a, const char *name);
const char **cli_opt_list(const cli_command *cmd, const cli_args *a,
			  const char *name, size_t *count);

/* Every command, in the order `qvault --help` lists them; NULL-terminated. */
extern const cli_command *const cli_commands[];

/* The command argv[k] (and argv[k + 1]) names, and how many words it took. */
const cli_command *cli_lookup(int argc, char **argv, int k, int *words);

/*
 * help.c.  cli_help_group: list the commands of group `group` ("key":
 * "key generate"...) on `f`, with their summaries; the count listed.
 * cli_help_subcommands: the same, under a heading, for a command that is
 * also a group ("ack": "ack export"...).  cli_unknown_command: argv[k] is
 * no command: a group alone lists its commands (exit 2; with --help, on
 * stdout, exit 0); else say so, naming the nearest command (Damerau-
 * Levenshtein), and return EXIT_USAGE.
 */
int cli_help_group(FILE *f, const char *group);
int cli_help_subcommands(FILE *f, const char *name);
int cli_unknown_command(int argc, char **argv, int k);

/* Parse argv (what follows the command's name) and run `cmd`. */
int cli_run(const cli_command *cmd, int argc, char **argv, const cli_args *global);

/*
 * What may go through `qvault shell` (cmd_shell.c): the commands, the
 * roles that may run each, and which argument is a file, sent on
 * standard input as "-".
 */
typedef struct {
	const char *name;
	const char *roles;  /* the roles that may run it; NULL: any */
	int upload;         /* index of the file argument, -1 for none */
	/* what the file is, for its size limit: CLI_UPLOAD_IMPORT (an import
	 * file), a document type, or NULL (the type its --type names) */
	const char *upload_type;
} cli_shell_rule;
#define CLI_UPLOAD_IMPORT "import"
const cli_shell_rule *cli_shell_rule_for(const char *name);

/* Run `cmd` with `a` on the vault behind `qvault shell` at a->remote (remote.c). */
int cli_remote(const cli_command *cmd, cli_args *a);

/* The library's warnings: "qvault: warning: <message>" on stderr. */
void cli_print_warning(const char *message, void *payload);

/* Print "qvault: <message>" on stderr; return the exit code for `error`. */
int cli_fail(int error);
/* Print "qvault: <cmd>: <usage problem>" and return EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Ask for a passphrase: from the environment variable named by `payload`
 * (a const char *, may be NULL), else on the terminal without echo.
 */
int cli_passphrase(char *buf, size_t size, void *payload);

/* Load the key named by --key or QVAULT_KEY into a->key (none: 0, no key). */
int cli_load_key(cli_args *a);

/*
 * Check an option's (or argument's) value `value`, named `what` in the
 * message ("--effective"): a date YYYY-MM-DD; a name as vault_name_check()
 * takes it (an organization, a part number); one of `allowed` (NULL-
 * terminated); a whole number from `min` to `max` (stored in *out).
 * EXIT_OK, or EXIT_USAGE with the problem printed as cli_usage_error()
 * prints it: a malformed value is a usage error, whatever the command.
 */
int cli_check_date(const cli_command *cmd, const char *what, const char *value);
int cli_check_name(const cli_command *cmd, const char *what, const char *value);
int cli_check_enum(const cli_command *cmd, const char *what, const char *value,
		   const char *const *allowed);
int cli_check_number(unsigned long long *out, const cli_command *cmd, const char *what,
		     const char *value, unsigned long long min, unsigned long long max);

/*
 * Split "DOC@REV" into its parts (rev NULL when absent).  A spec too long
 * for `buf` is not cut: *doc is then the whole spec, which the library
 * refuses as longer than a document number may be.
 */
void cli_split_docrev(char *buf, size_t size, const char *spec, const char **doc,
		      const char **rev);

/*
 * snprintf into a fixed buffer, never cut: -1, with "qvault: <what> is
 * too long" on stderr, when the result would not fit.
 */
/*
 * A new file with no name in the vault's qvault/ folder (the same file
 * system as the vault, gone when closed), open for reading and writing:
 * where an upload waits, or a download is staged.  -1 with errno set.
 */
int cli_scratch_file(const char *vault_dir);
/* The same in the folder `dir`. */
int cli_scratch_in(const char *dir);

int cli_fmt(char *buf, size_t size, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Create the file `path` for writing, 0644, refusing one that exists,
 * a symbolic link included (O_CREAT | O_EXCL | O_NOFOLLOW, as the library
 * writes keys and exported statements, and as `export -o` refuses its
 * output).  NULL, with "qvault: cannot write ..." printed, when it cannot;
 * the caller fcloses what it gets.
 */
FILE *cli_create_file(const char *path);

/* JSON of a revision, an event and acknowledgments, as --json prints them. */
json_t *cli_revision_json(const vault_revision *rev);

/*
 * `s` for a terminal, into `buf`: every control character (a record forged
 * around qvault may hold escapes) as '?', cut to fit.  Returns `buf`.
 */
const char *cli_clean(char *buf, size_t size, const char *s);

/*
 * `j`, a revision's JSON, with its EN 10204 data as "certificate" when it
 * is a material certificate that carries some (show, GET documents).
 */
json_t *cli_with_certificate(json_t *j, vault *v, const vault_revision *rev);
json_t *cli_event_json(const vault_event *e);
json_t *cli_acks_json(const vault_ack_list *list);
/* Print `j` as indented, key-sorted JSON plus newline; takes ownership. */
int cli_print_json(json_t *j);

extern const cli_command cli_cmd_init, cli_cmd_add, cli_cmd_import, cli_cmd_show,
	cli_cmd_cat, cli_cmd_list, cli_cmd_log, cli_cmd_reindex, cli_cmd_key_generate,
	cli_cmd_user_add, cli_cmd_user_set, cli_cmd_user_list, cli_cmd_user_revoke,
	cli_cmd_token_create, cli_cmd_token_list, cli_cmd_token_revoke,
	cli_cmd_keys_allowed_signers, cli_cmd_types_list, cli_cmd_types_allow,
	cli_cmd_types_deny, cli_cmd_release, cli_cmd_obsolete, cli_cmd_ack,
	cli_cmd_acks, cli_cmd_pending, cli_cmd_ack_export, cli_cmd_verify, cli_cmd_po_add,
	cli_cmd_po_import, cli_cmd_lot_add, cli_cmd_trace_lot, cli_cmd_link, cli_cmd_audit, cli_cmd_audit_waive,
	cli_cmd_trace_doc, cli_cmd_trace_po, cli_cmd_lot_import, cli_cmd_fai_add, cli_cmd_fai_show,
	cli_cmd_fai_pack, cli_cmd_export, cli_cmd_po_ack, cli_cmd_status, cli_cmd_status_import,
	cli_cmd_status_export, cli_cmd_asn_add, cli_cmd_asn_import, cli_cmd_asn_cancel, cli_cmd_asn_receive,
	cli_cmd_asn_export, cli_cmd_ncr_add, cli_cmd_ncr_close, cli_cmd_ncr_list, cli_cmd_scorecard,
	cli_cmd_hooks_list, cli_cmd_hooks_install, cli_cmd_shell, cli_cmd_ack_statement,
	cli_cmd_ack_submit, cli_cmd_remote_add, cli_cmd_pull, cli_cmd_push, cli_cmd_clone,
	cli_cmd_serve, cli_cmd_po_list, cli_cmd_po_show, cli_cmd_asn_list, cli_cmd_asn_show,
	cli_cmd_inbox, cli_cmd_po_change, cli_cmd_po_cancel, cli_cmd_po_close, cli_cmd_ncr_show,
	cli_cmd_fai_accept, cli_cmd_fai_reject, cli_cmd_withdraw, cli_cmd_fai_init, cli_cmd_diff;

#endif
