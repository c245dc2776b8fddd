/* qvault verify [--json] [--since COMMIT] */
#include "cli.h"

static const cli_opt opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "since", 0, OPT_VALUE, "COMMIT", "only the commits after COMMIT, taken as verified "
	  "(a server checking a push: its main before it); the index is not compared" },
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_findings *f;
	size_t i;
	const char *since = cli_opt_value(cmd, a, "since");
	int error;

	/* before the signature and index threads start: the checker server
	 * forked, not started afresh (the pre-receive hook runs this too) */
	cli_prepare_pdf();
	error = since ? vault_verify_since(&f, v, since) : vault_verify(&f, v);
	/* VAULT_EVERIFY: the findings are in f, listed below */
	if (error < 0 && (error != VAULT_EVERIFY || f == NULL))
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		json_t *arr = json_array();

		for (i = 0; i < f->count; i++)
			json_array_append_new(arr, json_pack("{s:s?, s:s?, s:s}",
				"commit", *f->items[i].commit ? f->items[i].commit : NULL,
				"subject", f->items[i].subject, "problem", f->items[i].problem));
		cli_print_json(json_pack("{s:b, s:I, s:I, s:I, s:I, s:o}", "ok", f->count == 0,
			"commits", (json_int_t)f->commits, "signatures", (json_int_t)f->signatures,
			"files", (json_int_t)f->files, "acks", (json_int_t)f->acks, "findings", arr));
	} else {
		for (i = 0; i < f->count; i++) {
			const vault_finding *x = &f->items[i];

			printf("%s%.12s%s%s%s%s\n", *x->commit ? "commit " : "", x->commit,
			       *x->commit ? ": " : "", x->subject ? x->subject : "",
			       x->subject ? ": " : "", x->problem);
		}
		printf("%s: %zu commits, %zu signatures, %zu acknowledgments, %zu files checked; "
		       "%zu finding%s\n", f->count ? "FAILED" : "ok", f->commits, f->signatures,
		       f->acks, f->files, f->count, f->count == 1 ? "" : "s");
	}
	error = f->count ? EXIT_VERIFY : EXIT_OK;
	vault_findings_free(f);
	return error;
}

const cli_command cli_cmd_verify = {
	"verify", "check every signature, role, record, stored byte and the index",
	"", 0, 0, opts, CLI_SINCE_UNINDEXED, run
};
