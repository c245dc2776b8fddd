/* qvault log [DOC|PO|LOT] [--json] */
#include "cli.h"

static const cli_opt opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_event_list *list;
	size_t i;
	int error;

	if ((error = vault_log(&list, v, a->nargs ? a->arg[0] : NULL)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		json_t *arr = json_array();

		for (i = 0; i < list->count; i++)
			json_array_append_new(arr, cli_event_json(&list->items[i]));
		error = cli_print_json(arr);
	} else {
		for (i = 0; i < list->count; i++) {
			const vault_event *e = &list->items[i];
			char when[32];

			vault_time_format(when, sizeof(when), e->time);
			printf("%.12s %s %-12s %-7s %s\n", e->commit, when, e->author, e->op,
			       e->summary);
		}
		error = EXIT_OK;
	}
	vault_event_list_free(list);
	return error;
}

const cli_command cli_cmd_log = {
	"log", "the audit trail: who did what, when (one line per commit)",
	"[DOC|PO|LOT]", 0, 1, opts, 1, run
};
