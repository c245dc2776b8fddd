/*
 * qvault export (--lot LOT | --po PO | --doc DOC@REV) -o BUNDLE.zip
 * qvault export --epcis (--lot LOT | --po PO | --since DATE) -o FILE.jsonld
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "lot", 0, OPT_VALUE, "LOT",
	  "the bundle of a lot: its trace, upstream and down; with --epcis, the lot and its genealogy" },
	{ "po", 0, OPT_VALUE, "PO",
	  "the bundle of a purchase order; with --epcis, its lots and their genealogy" },
	{ "doc", 0, OPT_VALUE, "DOC@REV", "the bundle of one document revision" },
	{ "epcis", 0, OPT_FLAG, NULL,
	  "write the lots and their genealogy, shipments and inspections as an EPCIS 2.0 "
	  "JSON-LD document instead of a bundle (--lot, --po or --since)" },
	{ "since", 0, OPT_VALUE, "DATE",
	  "with --epcis: the events of DATE (YYYY-MM-DD) and after; alone, of every lot" },
	{ "output", 'o', OPT_FILE, "BUNDLE.zip",
	  "the zip to write (required), with --epcis the JSON-LD document" },
	CLI_OPT_FORCE,
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* qvault export --epcis: one JSON-LD document, written whole or not at all. */
static int run_epcis(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *lot = cli_opt_value(cmd, a, "lot"), *po = cli_opt_value(cmd, a, "po");
	const char *since = cli_opt_value(cmd, a, "since"), *out = cli_opt_value(cmd, a, "output");
	char *doc = NULL;
	size_t nevents = 0, ntransform = 0, len;
	cli_out o;
	FILE *f;
	int error, rc, ok;

	if (cli_opt_value(cmd, a, "doc"))
		return cli_usage_error(cmd, "--epcis exports lots: give --lot, --po or --since, not --doc");
	if ((!lot && !po && !since) || (lot && po))
		return cli_usage_error(cmd, "--epcis takes one of --lot, --po, or --since alone");
	if (!out)
		return cli_usage_error(cmd, "-o FILE.jsonld is required");
	if (since && (rc = cli_check_date(cmd, "--since", since)) != EXIT_OK)
		return rc;
	if ((rc = cli_out_begin(&o, out, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return rc;
	if ((error = vault_export_epcis(&doc, &nevents, &ntransform, v, lot, po, since)) < 0) {
		cli_out_abort(&o);
		return cli_fail(error);
	}
	len = strlen(doc);
	if ((f = fopen(o.tmp, "wx")) == NULL) {
		ok = 0;
	} else {
		ok = fwrite(doc, 1, len, f) == len && fputc('\n', f) != EOF;
		ok = fclose(f) == 0 && ok;
	}
	if (!ok) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", out, strerror(errno));
		free(doc);
		cli_out_abort(&o);
		return EXIT_ERROR;
	}
	free(doc);
	if ((rc = cli_out_commit(&o)) != EXIT_OK)
		return rc;
	printf("wrote %s: an EPCIS 2.0 document of %zu event%s (%zu TransformationEvent%s)\n", out,
	       nevents, nevents == 1 ? "" : "s", ntransform, ntransform == 1 ? "" : "s");
	return EXIT_OK;
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *lot = cli_opt_value(cmd, a, "lot"), *po = cli_opt_value(cmd, a, "po");
	const char *docrev = cli_opt_value(cmd, a, "doc"), *out = cli_opt_value(cmd, a, "output");
	const char *doc = NULL, *rev = NULL, *line, *end;
	char buf[512], *signed_by = NULL;
	cli_out o;
	int error, rc;

	if (cli_opt_flag(cmd, a, "epcis"))
		return run_epcis(cmd, a, v);
	if (cli_opt_value(cmd, a, "since"))
		return cli_usage_error(cmd, "--since is for --epcis");
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
	"export", "write an evidence bundle an auditor checks with stock tools, or an EPCIS 2.0 document",
	"", 0, 0, opts, 1, run
};
