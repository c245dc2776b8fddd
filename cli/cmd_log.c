/* qvault log [DOC|PO|LOT] [--reverse] [--json]: newest first, as git log */
#include "cli.h"

static const cli_opt opts[] = {
	{ "reverse", 0, OPT_FLAG, NULL, "oldest first" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON (in the same order)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_event_list *list;
	size_t i, k;
	int error, reverse = cli_opt_flag(cmd, a, "reverse");

	if ((error = vault_log(&list, v, a->nargs ? a->arg[0] : NULL)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		json_t *arr = json_array();

		for (k = 0; k < list->count; k++) {
			i = reverse ? k : list->count - 1 - k;
			json_array_append_new(arr, cli_event_json(&list->items[i]));
		}
		error = cli_print_json(arr);
	} else {
		/* one line per commit, as git log --oneline: no header row */
		cli_table *t = cli_table_new("COMMIT|TIME|AUTHOR|OP|SUMMARY", 0);

		for (k = 0; k < list->count; k++) {
			const vault_event *e = &list->items[reverse ? k : list->count - 1 - k];
			char when[32];

			vault_time_format(when, sizeof(when), e->time);
			cli_table_cellf(t, "%.12s", e->commit);
			cli_table_cell(t, when);
			cli_table_cell(t, e->author);
			cli_table_cell(t, e->op);
			cli_table_cell(t, e->summary);
		}
		cli_table_print(t);
		error = EXIT_OK;
	}
	vault_event_list_free(list);
	return error;
}

const cli_command cli_cmd_log = {
	"log", "the audit trail: who did what, when (one line per commit, newest first)",
	"[DOC|PO|LOT]", 0, 1, opts, 1, run
};
