/* qvault export (--lot LOT | --po PO | --doc DOC@REV) -o BUNDLE.zip */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "lot", 0, OPT_VALUE, "LOT", "the bundle of a lot: its trace, upstream and down" },
	{ "po", 0, OPT_VALUE, "PO", "the bundle of a purchase order" },
	{ "doc", 0, OPT_VALUE, "DOC@REV", "the bundle of one document revision" },
	{ "output", 'o', OPT_FILE, "BUNDLE.zip", "the zip to write (required)" },
	CLI_OPT_FORCE,
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *lot = cli_opt_value(cmd, a, "lot"), *po = cli_opt_value(cmd, a, "po");
	const char *docrev = cli_opt_value(cmd, a, "doc"), *out = cli_opt_value(cmd, a, "output");
	const char *doc = NULL, *rev = NULL, *line, *end;
	char buf[512], *signed_by = NULL;
	cli_out o;
	int error, rc;

	if (!!lot + !!po + !!docrev != 1)
		return cli_usage_error(cmd, "give one of --lot, --po, --doc");
	if (!out)
		return cli_usage_error(cmd, "-o BUNDLE.zip is required");
	if (docrev) {
		cli_split_docrev(buf, sizeof(buf), docrev, &doc, &rev);
		if (!rev)
			return cli_usage_error(cmd, "name the revision: --doc DOC@REV");
	}
	if ((rc = cli_out_begin(&o, out, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return rc;
	if ((error = vault_export(v, lot ? VAULT_EXPORT_LOT : po ? VAULT_EXPORT_PO : VAULT_EXPORT_DOC,
				  lot ? lot : po ? po : doc, rev, o.tmp)) < 0) {
		cli_out_abort(&o);
		return cli_fail(error);
	}
	if ((rc = cli_out_commit(&o)) != EXIT_OK)
		return rc;
	printf("wrote %s; check it with stock tools: unzip %s, then the commands of its VERIFY.txt\n",
	       out, out);
	if ((error = vault_export_signers(&signed_by, v)) < 0)
		return cli_fail(error);
	printf("give the auditor these fingerprints apart from the bundle, to compare with what "
	       "its VERIFY.txt prints:\n");
	for (line = signed_by; *line; line = end + 1) {
		end = strchr(line, '\n');
		printf("  %.*s\n", (int)(end - line), line);
	}
	free(signed_by);
	return EXIT_OK;
}

const cli_command cli_cmd_export = {
	"export", "write an evidence bundle an auditor checks with stock tools",
	"", 0, 0, opts, 1, run
};
