/* qvault types list | allow | deny */
#include <stdlib.h>

#include <jansson.h>

#include "cli.h"

static const cli_opt list_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_list(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_type_list *list;
	size_t i, j;
	int error;

	if ((error = vault_types(&list, v)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		json_t *obj = json_object();

		for (i = 0; i < list->count; i++) {
			json_t *mimes = json_array();

			for (j = 0; j < list->items[i].count; j++)
				json_array_append_new(mimes, json_string(list->items[i].mime[j]));
			json_object_set_new(obj, list->items[i].type, mimes);
		}
		error = cli_print_json(obj);
	} else {
		cli_table *t = cli_table_new("TYPE|ALLOWED", 1);

		for (i = 0; i < list->count; i++) {
			char *mimes = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&mimes, &len);

			if (!m)
				abort();
			for (j = 0; j < list->items[i].count; j++)
				fprintf(m, "%s%s", j ? ", " : "", list->items[i].mime[j]);
			fclose(m);
			cli_table_cell(t, list->items[i].type);
			cli_table_cell(t, list->items[i].count ? mimes : "(nothing)");
			free(mimes);
		}
		cli_table_print(t);
		error = EXIT_OK;
	}
	vault_type_list_free(list);
	return error;
}

static const cli_opt change_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int change(const cli_command *cmd, cli_args *a, vault *v, int allow)
{
	const char *types[32];
	size_t i, k = 0;
	int error;

	/* the document types, and what an FAI package may hold */
	for (i = 0; vault_doc_types[i] && k < 30; i++)
		types[k++] = vault_doc_types[i];
	types[k++] = "fai-member";
	types[k] = NULL;
	if ((error = cli_check_enum(cmd, "TYPE", a->arg[0], types)) != EXIT_OK)
		return error;
	if ((error = vault_types_change(v, a->arg[0], a->arg[1], allow)) < 0)
		return cli_fail(error);
	printf("%s %s %s%s\n", a->arg[0], allow ? "now accepts" : "no longer accepts", a->arg[1],
	       allow ? "" : " (what it accepted before stays)");
	return EXIT_OK;
}

static int run_allow(const cli_command *cmd, cli_args *a, vault *v)
{
	return change(cmd, a, v, 1);
}

static int run_deny(const cli_command *cmd, cli_args *a, vault *v)
{
	return change(cmd, a, v, 0);
}

const cli_command cli_cmd_types_list = {
	"types list", "show the MIME types each document type accepts (vault.json)",
	"", 0, 0, list_opts, 1, run_list
};
const cli_command cli_cmd_types_allow = {
	"types allow", "let a document type accept a MIME type: one signed commit (admin)",
	"TYPE MIME", 2, 2, change_opts, 1, run_allow
};
const cli_command cli_cmd_types_deny = {
	"types deny", "stop a document type accepting a MIME type: one signed commit (admin)",
	"TYPE MIME", 2, 2, change_opts, 1, run_deny
};
