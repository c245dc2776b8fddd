/* qvault fai add PACKAGE.zip [--po PO] [--lot LOT]; qvault fai show FAIR [--rev R] [--json];
 * qvault fai pack DIR -o PACKAGE.zip */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static const cli_opt add_opts[] = {
	{ "po", 0, OPT_VALUE, "PO", "attach it to this PO (else Form 1's PO, if any)" },
	{ "lot", 0, OPT_VALUE, "LOT", "attach it to this lot" },
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_add(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_revision r;
	int error;

	(void)cmd;
	if ((error = vault_fai_add(&r, v, a->arg[0], cli_opt_value(cmd, a, "po"),
				   cli_opt_value(cmd, a, "lot"))) < 0)
		return cli_fail(error);
	printf("recorded FAI %s@%s of part %s: %zu files\n", r.doc, r.rev, r.parts[0], r.nfiles);
	vault_revision_dispose(&r);
	return EXIT_OK;
}

const cli_command cli_cmd_fai_add = {
	"fai add", "record a First Article Inspection package (AS9102 Forms 1-3 in fai.json)",
	"PACKAGE.zip", 1, 1, add_opts, 1, run_add
};

static const cli_opt show_opts[] = {
	{ "rev", 'r', OPT_VALUE, "REV", "this revision of the FAIR (default: the latest)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static void print_form1(json_t *f)
{
	static const char *const keys[] = {
		"part_number", "part_name", "serial_number", "fair_number", "part_revision",
		"drawing_number", "drawing_revision", "organization", "supplier_code", "po_number",
		"detail_or_assembly", "fai_type", "baseline_fair", "reason", "signed_by",
		"signed_date", "reviewed_by", "review_date", NULL
	};
	json_t *s;
	size_t i;

	printf("Form 1 - part number accountability\n");
	for (i = 0; keys[i]; i++)
		if (json_object_get(f, keys[i]))
			printf("  %-20s %s\n", keys[i], str(f, keys[i]));
	printf("  %-20s %s\n", "complete", json_is_true(json_object_get(f, "complete")) ? "yes" : "no");
	json_array_foreach(json_object_get(f, "subassemblies"), i, s)
		printf("  %-20s %s (FAIR %s)\n", "subassembly", str(s, "part_number"),
		       str(s, "fair_number"));
}

static int run_show(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	json_t *root, *o;
	size_t i;
	int error;

	if ((error = vault_fai_show(&text, v, a->arg[0], cli_opt_value(cmd, a, "rev"))) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json") || (root = json_loads(text, 0, NULL)) == NULL) {
		printf("%s\n", text);
		free(text);
		return EXIT_OK;
	}
	printf("FAIR %s@%s, recorded by %s, commit %.12s\n\n", str(root, "fair"), str(root, "rev"),
	       str(root, "added_by"), str(root, "commit"));
	print_form1(json_object_get(root, "form1"));
	printf("\nForm 2 - product accountability: materials, processes, tests\n");
	json_array_foreach(json_object_get(root, "form2"), i, o)
		printf("  %s, %s%s%s%s%s\n", str(o, "material_or_process"), str(o, "specification"),
		       json_object_get(o, "certificate_number") ? ", cert " : "",
		       json_object_get(o, "certificate_number") ? str(o, "certificate_number") : "",
		       json_object_get(o, "certificate_file") ? " in " : "",
		       json_object_get(o, "certificate_file") ? str(o, "certificate_file") : "");
	printf("\nForm 3 - characteristic accountability\n");
	json_array_foreach(json_object_get(root, "form3"), i, o) {
		json_t *c = json_object_get(o, "conforms");

		printf("  %-4s %-8s %-26s %-12s %s%s%s\n", str(o, "number"), str(o, "location"),
		       str(o, "requirement"), str(o, "result"),
		       json_is_true(c) ? "ok" : json_is_false(c) ? "OUT OF TOLERANCE" : "(by inspection)",
		       json_is_string(json_object_get(o, "nonconformance")) &&
		       *str(o, "nonconformance") ? ", NC " : "",
		       json_is_string(json_object_get(o, "nonconformance")) &&
		       *str(o, "nonconformance") ? str(o, "nonconformance") : "");
	}
	printf("\n%zu files in the package\n", json_array_size(json_object_get(root, "files")));
	json_decref(root);
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_fai_show = {
	"fai show", "print an FAI's three forms, each characteristic checked against its tolerance",
	"FAIR", 1, 1, show_opts, 1, run_show
};

static const cli_opt pack_opts[] = {
	{ "output", 'o', OPT_FILE, "PACKAGE.zip", "the package to write (required)" },
	CLI_OPT_FORCE,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_pack(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *out = cli_opt_value(cmd, a, "output");
	cli_out o;
	int error, rc;

	(void)v;
	if (!out)
		return cli_usage_error(cmd, "-o PACKAGE.zip is required");
	if ((rc = cli_out_begin(&o, out, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return rc;
	if ((error = vault_fai_pack(a->arg[0], o.tmp)) < 0) {
		cli_out_abort(&o);
		return cli_fail(error);
	}
	if ((rc = cli_out_commit(&o)) != EXIT_OK)
		return rc;
	printf("wrote %s\n", out);
	return EXIT_OK;
}

const cli_command cli_cmd_fai_pack = {
	"fai pack", "build an FAI package from a folder (same folder, same bytes)",
	"DIR", 1, 1, pack_opts, 0, run_pack
};

/* ---- fai init: a starting folder ------------------------------------------ */

static const cli_opt init_opts[] = {
	{ "part", 'p', OPT_VALUE, "PN", "the part number (required)" },
	{ "drawing", 'd', OPT_VALUE, "DWG@REV", "the drawing revision inspected (required)" },
	{ "po", 0, OPT_VALUE, "PO", "the purchase order" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_init(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *part = cli_opt_value(cmd, a, "part"), *dwg = cli_opt_value(cmd, a, "drawing");
	const char *doc, *rev;
	char buf[2 * VAULT_NAME_MAX + 2];
	int error;

	if (!part || !dwg)
		return cli_usage_error(cmd, "--part and --drawing DWG@REV are required");
	cli_split_docrev(buf, sizeof(buf), dwg, &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "--drawing '%s' is not DWG@REV", dwg);
	if ((error = vault_fai_init(v, a->arg[0], part, doc, rev, cli_opt_value(cmd, a, "po"))) < 0)
		return cli_fail(error);
	printf("wrote %s/fai.json and %s/form3.csv: fill them in, then qvault fai pack %s\n",
	       a->arg[0], a->arg[0], a->arg[0]);
	return EXIT_OK;
}

const cli_command cli_cmd_fai_init = {
	"fai init", "start an FAI package folder: Forms 1-3 with what the vault knows, the rest to fill",
	"DIR", 1, 1, init_opts, 1, run_init
};

/* ---- fai accept, fai reject: the buying side's disposition ---------------- */

static const cli_opt accept_opts[] = {
	{ "note", 'n', OPT_VALUE, "TEXT", "a note for the supplier" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const cli_opt reject_opts[] = {
	{ "reason", 'r', OPT_VALUE, "TEXT", "why (required): the supplier answers it with the next revision" },
	{ "note", 'n', OPT_VALUE, "TEXT", "a note for the supplier" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_dispose(const cli_command *cmd, cli_args *a, vault *v, int accept)
{
	const char *doc, *rev, *reason = accept ? NULL : cli_opt_value(cmd, a, "reason");
	char buf[2 * VAULT_NAME_MAX + 2];
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "'%s' is not FAIR@REV", a->arg[0]);
	if (!accept && !reason)
		return cli_usage_error(cmd, "--reason is required: the supplier answers it");
	if ((error = vault_fai_dispose(v, doc, rev, accept, reason,
				       cli_opt_value(cmd, a, "note"))) < 0)
		return cli_fail(error);
	printf("%s FAI %s@%s\n", accept ? "accepted" : "rejected", doc, rev);
	return EXIT_OK;
}

static int run_accept(const cli_command *cmd, cli_args *a, vault *v)
{
	return run_dispose(cmd, a, v, 1);
}

static int run_reject(const cli_command *cmd, cli_args *a, vault *v)
{
	return run_dispose(cmd, a, v, 0);
}

const cli_command cli_cmd_fai_accept = {
	"fai accept", "accept an FAI report revision: its disposition (buyer, quality)",
	"FAIR@REV", 1, 1, accept_opts, 1, run_accept
};
const cli_command cli_cmd_fai_reject = {
	"fai reject", "reject an FAI report revision with the reason, for the supplier to resubmit (buyer, quality)",
	"FAIR@REV", 1, 1, reject_opts, 1, run_reject
};
