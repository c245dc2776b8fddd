/* qvault list [--type T] [--part PN] [--json | --numbers] */
#include "cli.h"

static const cli_opt opts[] = {
	{ "type", 't', OPT_VALUE, "T", "only documents of this type" },
	{ "part", 'p', OPT_VALUE, "PN", "only documents whose latest revision names this part" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "numbers", 0, OPT_FLAG, NULL, "print only the document numbers, one a line (for completion)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_list_filter f = { cli_opt_value(cmd, a, "type"), cli_opt_value(cmd, a, "part") };
	vault_revision_list *list;
	size_t i;
	int error;

	if ((f.type && (error = cli_check_enum(cmd, "--type", f.type, vault_doc_types)) != EXIT_OK) ||
	    (f.part && (error = cli_check_name(cmd, "--part", f.part)) != EXIT_OK))
		return error;
	if (cli_opt_flag(cmd, a, "json") && cli_opt_flag(cmd, a, "numbers"))
		return cli_usage_error(cmd, "--json and --numbers go one at a time");
	if ((error = vault_doc_list(&list, v, &f)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "numbers")) {
		for (i = 0; i < list->count; i++)
			printf("%s\n", list->items[i].doc);
		error = EXIT_OK;
	} else if (cli_opt_flag(cmd, a, "json")) {
		json_t *arr = json_array();

		for (i = 0; i < list->count; i++)
			json_array_append_new(arr, cli_revision_json(&list->items[i]));
		error = cli_print_json(arr);
	} else {
		cli_table *t = cli_table_new("DOC|REV|TYPE|STATE|TITLE", 1);

		for (i = 0; i < list->count; i++) {
			const vault_revision *r = &list->items[i];

			cli_table_cell(t, r->doc);
			cli_table_cell(t, r->rev);
			cli_table_cell(t, r->type);
			cli_table_cell(t, r->state);
			cli_table_cell(t, r->title);
		}
		cli_table_print(t);
		error = EXIT_OK;
	}
	vault_revision_list_free(list);
	return error;
}

const cli_command cli_cmd_list = {
	"list", "list documents with their latest revision",
	"", 0, 0, opts, CLI_INDEX_READS, run
};
