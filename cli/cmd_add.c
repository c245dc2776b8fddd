/* qvault add FILE --doc NUMBER --type TYPE [--rev R] [--title T] [--part PN]... */
#include "cli.h"

static const cli_opt opts[] = {
	{ "doc", 'd', OPT_VALUE, "NUMBER", "document number, e.g. DWG-1001" },
	{ "type", 't', OPT_VALUE, "TYPE", "drawing, spec, fai, coc, material-cert, inspection-report, process-cert, other" },
	{ "rev", 'r', OPT_VALUE, "R", "revision (default: A, or the one after the latest)" },
	{ "title", 0, OPT_VALUE, "T", "title" },
	{ "part", 'p', OPT_LIST, "PN", "part number the document applies to (repeatable)" },
	{ "name", 0, OPT_VALUE, "NAME", "file name to store (default: the file's own)" },
	{ "po", 0, OPT_VALUE, "PO", "attach it to this purchase order, in the same commit" },
	{ "lot", 0, OPT_VALUE, "LOT", "attach it to this lot, in the same commit" },
	{ "json", 0, OPT_FLAG, NULL, "print the recorded revision as JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_add_options o = { 0 };
	vault_revision rev;
	int error;

	o.path = a->arg[0];
	o.doc = cli_opt_value(cmd, a, "doc");
	o.type = cli_opt_value(cmd, a, "type");
	o.rev = cli_opt_value(cmd, a, "rev");
	o.title = cli_opt_value(cmd, a, "title");
	o.name = cli_opt_value(cmd, a, "name");
	o.parts = cli_opt_list(cmd, a, "part", &o.nparts);
	o.po = cli_opt_value(cmd, a, "po");
	o.lot = cli_opt_value(cmd, a, "lot");
	if (!o.doc)
		return cli_usage_error(cmd, "--doc is required");
	if (!o.type)
		return cli_usage_error(cmd, "--type is required");
	if ((error = vault_doc_add(&rev, v, &o)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		error = cli_print_json(cli_revision_json(&rev));
	} else {
		printf("added %s@%s (%s) in commit %.12s\n", rev.doc, rev.rev, rev.type, rev.commit);
		printf("  file   %s\n  type   %s\n  size   %llu bytes\n  sha256 %s\n",
		       rev.files[0].name, rev.files[0].mime,
		       (unsigned long long)rev.files[0].size, rev.files[0].sha256);
		error = EXIT_OK;
	}
	vault_revision_dispose(&rev);
	return error;
}

const cli_command cli_cmd_add = {
	"add", "add a revision of a document (one signed commit)",
	"FILE", 1, 1, opts, 1, run
};
