/* qvault ack DOC@REV; acks DOC[@REV]; pending [--org ORG]; ack export DOC@REV -o DIR */
#include <string.h>

#include "cli.h"

static const cli_opt ack_opts[] = {
	{ "meaning", 'm', OPT_VALUE, "M", "received (default), reviewed, approved or rejected" },
	{ "comment", 0, OPT_VALUE, "TEXT", "a comment; the reason of a rejection" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ack(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev, *meaning = cli_opt_value(cmd, a, "meaning");
	char buf[512];
	int error;

	if (meaning && (error = cli_check_enum(cmd, "--meaning", meaning, vault_ack_meanings)) != EXIT_OK)
		return error;
	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	if ((error = vault_ack(v, doc, rev, meaning ? meaning : "received",
			       cli_opt_value(cmd, a, "comment"))) < 0)
		return cli_fail(error);
	printf("signed: %s@%s %s\n", doc, rev, meaning ? meaning : "received");
	return EXIT_OK;
}

static const cli_opt list_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_acks(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev;
	vault_ack_list *list;
	char buf[512], when[VAULT_TIME_SIZE];
	size_t i;
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if ((error = vault_acks(&list, v, doc, rev)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		error = cli_print_json(cli_acks_json(list));
	} else {
		/* Part 11: printed name, date and time, and meaning, every time */
		for (i = 0; i < list->count; i++) {
			const vault_ack_info *k = &list->items[i];

			vault_time_format(when, sizeof(when), k->time);
			printf("%s@%s  %-9s by %s (%s)  %s  key %s%s%s\n", k->doc, k->rev,
			       k->meaning, k->signer, k->org, when, k->fingerprint,
			       k->comment ? "  comment: " : "", k->comment ? k->comment : "");
		}
		error = EXIT_OK;
	}
	vault_ack_list_free(list);
	return error;
}

static const cli_opt pending_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this organization" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_pending(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_pending_list *list;
	char when[VAULT_TIME_SIZE];
	size_t i;
	int error;

	if (cli_opt_value(cmd, a, "org") &&
	    (error = cli_check_plain_name(cmd, "--org", cli_opt_value(cmd, a, "org"))) != EXIT_OK)
		return error;
	if ((error = vault_pending(&list, v, cli_opt_value(cmd, a, "org"))) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		json_t *arr = json_array();

		for (i = 0; i < list->count; i++) {
			vault_time_format(when, sizeof(when), list->items[i].released_at);
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}",
				"doc", list->items[i].doc, "rev", list->items[i].rev,
				"org", list->items[i].org, "released_at", when));
		}
		error = cli_print_json(arr);
	} else {
		cli_table *t = cli_table_new("REVISION|ORG|RELEASED", 1);

		for (i = 0; i < list->count; i++) {
			vault_time_format(when, sizeof(when), list->items[i].released_at);
			cli_table_cellf(t, "%s@%s", list->items[i].doc, list->items[i].rev);
			cli_table_cell(t, list->items[i].org);
			cli_table_cell(t, when);
		}
		cli_table_print(t);
		error = EXIT_OK;
	}
	vault_pending_list_free(list);
	return error;
}

static const cli_opt export_opts[] = {
	{ "output", 'o', OPT_FILE, "DIR", "the new folder to write to" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_export(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev, *dir = cli_opt_value(cmd, a, "output");
	char buf[512];
	int error;

	if (!dir)
		return cli_usage_error(cmd, "-o DIR is required");
	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	if ((error = vault_ack_export(v, doc, rev, dir)) < 0)
		return cli_fail(error);
	printf("wrote the acknowledgments of %s@%s to %s; check each with\n"
	       "  ssh-keygen -Y verify -f %s/allowed_signers -I NAME@ORG -n qvault-ack"
	       " -s %s/STATEMENT.sig < %s/STATEMENT\n", doc, rev, dir, dir, dir, dir);
	return EXIT_OK;
}

const cli_command cli_cmd_ack = {
	"ack", "sign that you received (reviewed, approved, rejected) a revision (supplier)",
	"DOC@REV", 1, 1, ack_opts, 1, run_ack
};
const cli_command cli_cmd_acks = {
	"acks", "who acknowledged what, and when",
	"DOC[@REV]", 1, 1, list_opts, CLI_INDEX_READS, run_acks
};
const cli_command cli_cmd_pending = {
	"pending", "released revisions not yet acknowledged, oldest first",
	"", 0, 0, pending_opts, CLI_INDEX_READS, run_pending
};
const cli_command cli_cmd_ack_export = {
	"ack export", "write the signed statements of a revision, checkable with ssh-keygen",
	"DOC@REV", 1, 1, export_opts, 1, run_export
};
