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

#define CLI_INDEX_READS 2
#define CLI_SINCE_UNINDEXED 3

struct cli_command {
	const char *name;
	const char *summary;  /* one line, for `qvault --help` */
	const char *synopsis; /* positional arguments, e.g. "FILE" */
	int min_args, max_args;
	const cli_opt *opts;  /* terminated by an entry with name NULL */
	/* 1: run() gets an open vault; CLI_INDEX_READS: one opened for reads
	 * the index answers alone (vault_open_for_reads); CLI_SINCE_UNINDEXED:
	 * without its index when --since is given (verify of what a push brings) */
	int opens_vault;
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

/* What `qvault --help` prints: the global options and every command. */
void cli_usage(FILE *f);

/*
 * generate.c, from the tables above.  cli_man_page: the manual page of
 * `cmd` (qvault-key-generate(1) for "key generate"), or with NULL of
 * qvault(1), on `f` as troff (man(7)).  cli_completion: the completion
 * script for `shell`, "bash" or "zsh".  Both return an exit code.
 */
int cli_man_page(FILE *f, const cli_command *cmd);
int cli_completion(FILE *f, const char *shell);

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

/*
 * progress.c.  The options of a command that does long work, in its
 * table: --quiet (no progress) and --progress (progress even when stderr
 * is no terminal).  cli_progress_for(): the callback that draws it on
 * stderr as git does ("Checking commits:  45% (2250/5000)", redrawn in
 * place, then ", done."), for a command offering --progress whose stderr
 * is a terminal, or given --progress; NULL when nothing is to be shown.
 * cli_run() hands it to the vault of such a command.  cli_progress_break()
 * ends a line left open, before a message (cli_fail() calls it).
 */
#define CLI_OPT_QUIET { "quiet", 'q', OPT_FLAG, NULL, "show no progress" }
#define CLI_OPT_PROGRESS { "progress", 0, OPT_FLAG, NULL, \
			   "show progress on stderr even when it is not a terminal" }
vault_progress_cb cli_progress_for(const cli_command *cmd, const cli_args *a);
void cli_progress_break(void);

/* The library's warnings: "qvault: warning: <message>" on stderr. */
void cli_print_warning(const char *message, void *payload);

/* Print "qvault: <message>" on stderr; return the exit code for `error`. */
int cli_fail(int error);
/*
 * Ready the PDF check (vault_pdf_prepare) at the start of a command that
 * may check PDFs on threads (verify, pull, clone, import), before it has
 * any.  A libqpdf that does not load is not reported here but by the
 * first PDF check, as before: a vault of no PDFs still verifies without.
 */
void cli_prepare_pdf(void);

/*
 * An import: `import` records the file `path` in one commit; then
 * "recorded N WHAT in one commit" (`one` or `many` by N).
 */
int cli_import(int (*import)(size_t *count, vault *v, const char *path), vault *v,
	       const char *path, const char *one, const char *many);
/*
 * X12 that qvault writes: --isa-sender and --isa-receiver (QUAL:ID; else
 * the variables QVAULT_X12_SENDER and QVAULT_X12_RECEIVER; else ZZ:QVAULT
 * and ZZ:PARTNER, a 997 the interchange's receiver and sender) and
 * --control N (ISA13 and GS06; else one from the clock).
 * cli_x12_ids() reads them into `ids`: EXIT_OK or EXIT_USAGE.
 */
#define CLI_OPT_X12_IDS \
	{ "isa-sender", 0, OPT_VALUE, "QUAL:ID", "X12 sender (ISA05:ISA06; default $QVAULT_X12_SENDER, or ZZ:QVAULT)" }, \
	{ "isa-receiver", 0, OPT_VALUE, "QUAL:ID", "X12 receiver (ISA07:ISA08; default $QVAULT_X12_RECEIVER, or ZZ:PARTNER)" }, \
	{ "control", 0, OPT_VALUE, "N", "X12 control number, ISA13 and GS06 (default: from the clock)" }
/* The same options for a 997, whose parties are the file's, swapped, unless given. */
#define CLI_OPT_X12_ACK_IDS \
	{ "isa-sender", 0, OPT_VALUE, "QUAL:ID", "the 997's sender (default: the file's receiver, ISA07:ISA08)" }, \
	{ "isa-receiver", 0, OPT_VALUE, "QUAL:ID", "the 997's receiver (default: the file's sender, ISA05:ISA06)" }, \
	{ "control", 0, OPT_VALUE, "N", "the 997's control number, ISA13 and GS06 (default: from the clock)" }
int cli_x12_ids(const cli_command *cmd, const cli_args *a, vault_x12_ids *ids, int env);

/*
 * An import that answers an X12 file with its 997: `import` as
 * vault_asn_import_ack; with --ack997 FILE (OPT_FILE, refused if it
 * exists unless --force) the 997 is written there whether the import
 * succeeded or was refused (none when no group of the file could be
 * read); then as cli_import.
 */
#define CLI_OPT_ACK997 \
	{ "ack997", 0, OPT_FILE, "FILE", "write the X12 997 acknowledgment of an X12 file here, imported or refused" }
int cli_import_ack(int (*import)(size_t *count, char **ack997, vault *v, const char *path,
				 const vault_x12_ids *ids),
		   const cli_command *cmd, cli_args *a, vault *v, const char *one, const char *many);

/* the options of a command that takes none but --help */
extern const cli_opt cli_help_only[];
/*
 * `s` as a message may quote it, in `buf` of `size` (at least 4): one
 * line (a control character shown as '?'), cut with "..." when too long.
 * Returns `buf`.
 */
const char *cli_shown(char *buf, size_t size, const char *s);
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
 * qvault as ssh-keygen's SSH_ASKPASS (vault_key_set_askpass): print the
 * passphrase read on fd `fdname` (QVAULT_ASKPASS_FD), which must be the
 * memory file qvault handed ssh-keygen, when ssh-keygen's `prompt` asks
 * for a passphrase (never a security key's PIN); the exit code.
 */
int cli_askpass(const char *fdname, const char *prompt);

/* Name this program as the askpass program of OpenSSH keys. */
void cli_set_askpass(void);

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
/* The same, for a user, organization or ship-to name (vault_plain_name_check). */
int cli_check_plain_name(const cli_command *cmd, const char *what, const char *value);
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
 * A file the user named for a command to write (-o FILE, --html PAGE):
 * every such command refuses one that exists, unless --force, and leaves
 * it as it was when the command fails.  cli_out_begin() refuses an
 * existing `path` (a symbolic link included) unless `force`, printing
 * "qvault: 'PATH' exists; use --force to overwrite" (EXIT_ERROR), before
 * the command does anything; else it makes a private folder beside
 * `path` and sets o->tmp to a name in it that does not exist yet, where
 * the command (or the library) creates the file.  cli_out_fopen() creates
 * o->tmp for writing, 0644.  cli_out_commit() moves o->tmp onto `path`
 * (over it only with --force: a file that appeared meanwhile is refused
 * as above); cli_out_abort() removes what was written.  Both remove the
 * private folder; each returns EXIT_OK or EXIT_ERROR, its message printed.
 */
typedef struct {
	const char *path;
	int force;
	char dir[4200]; /* the private folder, "" when there is none */
	char tmp[4300];
} cli_out;
int cli_out_begin(cli_out *o, const char *path, int force);
FILE *cli_out_fopen(cli_out *o);
int cli_out_commit(cli_out *o);
void cli_out_abort(cli_out *o);
/* The option every such command has, for its options table. */
#define CLI_OPT_FORCE { "force", 'f', OPT_FLAG, NULL, "overwrite the output file if it exists" }

/*
 * table.c: the one table printer.  cli_table_new("PO|SUPPLIER|>QTY", 1):
 * a table of three columns, QTY aligned right ('>'), printed under a
 * header row (0: none).  cli_table_cell() adds the next cell (copied;
 * NULL or "" shows as "-", a control character as '?'), row after row;
 * cli_table_print() prints it on stdout, each column as wide as its widest
 * value (in characters), two spaces apart, and frees it; a table of no
 * row prints nothing, not even its header.  A table too long to hold is
 * read twice: cli_table_measure() after each batch of rows (their widths
 * kept, the rows dropped), then cli_table_flush() after each batch of
 * the same rows again (printed as wide as the widest measured, then
 * dropped; the header before the first).
 */
typedef struct cli_table cli_table;
cli_table *cli_table_new(const char *heads, int header);
void cli_table_cell(cli_table *t, const char *s);
void cli_table_cellf(cli_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t cli_table_rows(const cli_table *t);
void cli_table_print(cli_table *t);
void cli_table_measure(cli_table *t);
void cli_table_flush(cli_table *t);
void cli_table_free(cli_table *t);

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
/*
 * A JSON array printed an item at a time, as cli_print_json would print
 * it whole, for a list too long to hold: cli_json_item() for each item
 * (taken: it is freed), then cli_json_end(), which says whether every
 * item could be printed.  Start from a zeroed cli_json_array.
 */
typedef struct {
	size_t count;
	int failed;
} cli_json_array;
void cli_json_item(cli_json_array *a, json_t *item);
int cli_json_end(cli_json_array *a);

extern const cli_command cli_cmd_init, cli_cmd_add, cli_cmd_import, cli_cmd_show,
	cli_cmd_cat, cli_cmd_list, cli_cmd_log, cli_cmd_reindex, cli_cmd_gc, cli_cmd_key_generate,
	cli_cmd_user_add, cli_cmd_user_set, cli_cmd_user_list, cli_cmd_user_revoke,
	cli_cmd_user_attest, cli_cmd_org_attest, cli_cmd_journal_export,
	cli_cmd_token_create, cli_cmd_token_list, cli_cmd_token_revoke,
	cli_cmd_keys_allowed_signers, cli_cmd_types_list, cli_cmd_types_allow,
	cli_cmd_types_deny, cli_cmd_release, cli_cmd_obsolete, cli_cmd_ack,
	cli_cmd_acks, cli_cmd_pending, cli_cmd_ack_export, cli_cmd_verify, cli_cmd_po_add,
	cli_cmd_po_import, cli_cmd_lot_add, cli_cmd_trace_lot, cli_cmd_link, cli_cmd_audit, cli_cmd_audit_waive,
	cli_cmd_trace_doc, cli_cmd_trace_po, cli_cmd_lot_import, cli_cmd_fai_add, cli_cmd_fai_show,
	cli_cmd_fai_pack, cli_cmd_export, cli_cmd_po_ack, cli_cmd_po_ack_export, cli_cmd_status, cli_cmd_status_import,
	cli_cmd_status_export, cli_cmd_asn_add, cli_cmd_asn_import, cli_cmd_asn_cancel, cli_cmd_asn_receive,
	cli_cmd_asn_export, cli_cmd_ncr_add, cli_cmd_ncr_close, cli_cmd_ncr_list, cli_cmd_scorecard,
	cli_cmd_hooks_list, cli_cmd_hooks_install, cli_cmd_shell, cli_cmd_ack_statement,
	cli_cmd_ack_submit, cli_cmd_remote_add, cli_cmd_pull, cli_cmd_push, cli_cmd_clone,
	cli_cmd_serve, cli_cmd_po_list, cli_cmd_po_show, cli_cmd_asn_list, cli_cmd_asn_show,
	cli_cmd_inbox, cli_cmd_po_change, cli_cmd_po_cancel, cli_cmd_po_close, cli_cmd_po_release, cli_cmd_ncr_show,
	cli_cmd_fai_accept, cli_cmd_fai_reject, cli_cmd_withdraw, cli_cmd_review, cli_cmd_fai_init, cli_cmd_diff,
	cli_cmd_edi_read, cli_cmd_forecast_import, cli_cmd_forecast_show, cli_cmd_forecast_ack,
	cli_cmd_help;

#endif
