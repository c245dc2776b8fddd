/*
 * qvault user attest USER; qvault org attest ORG; qvault journal export:
 * export control (issue 21).  Who a marked revision reaches is the
 * library's rule (vault_attest in vault.h); these only record and show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt user_opts[] = {
	{ "attestation", 0, OPT_VALUE, "NAME", "us-person or cui-trained (required)" },
	{ "expires", 0, OPT_VALUE, "DATE", "the last day it holds, YYYY-MM-DD (required)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const cli_opt org_opts[] = {
	{ "attestation", 0, OPT_VALUE, "NAME", "us-org, cui-safeguarding or licence "
	  "(licence when --licence is given)" },
	{ "licence", 0, OPT_VALUE, "ID", "a licence's number or exemption (DSP-5:123, an EAR licence)" },
	{ "covers", 0, OPT_VALUE, "MARK", "the marking the licence covers: ITAR or EAR:ECCN" },
	{ "expires", 0, OPT_VALUE, "DATE", "the last day it holds, YYYY-MM-DD (required)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int attest(const cli_command *cmd, cli_args *a, vault *v, const char *subject)
{
	const char *what = cli_opt_value(cmd, a, "attestation");
	const char *licence = NULL, *covers = NULL, *expires = cli_opt_value(cmd, a, "expires");
	int error;

	if (subject[0] == 'o') {
		licence = cli_opt_value(cmd, a, "licence");
		covers = cli_opt_value(cmd, a, "covers");
		if (!what && licence)
			what = "licence";
	}
	if (!what)
		return cli_usage_error(cmd, "--attestation is required");
	if (!expires)
		return cli_usage_error(cmd, "--expires is required: an attestation holds until a day");
	if ((error = cli_check_date(cmd, "--expires", expires)) != EXIT_OK)
		return error;
	if ((error = vault_attest(v, subject, a->arg[0], what, licence, covers, expires)) < 0)
		return cli_fail(error);
	printf("%s %s attests %s%s%s%s%s until %s\n", subject[0] == 'o' ? "organization" : "user",
	       a->arg[0], what, licence ? " " : "", licence ? licence : "",
	       covers ? " covering " : "", covers ? covers : "", expires);
	return EXIT_OK;
}

static int run_user(const cli_command *cmd, cli_args *a, vault *v)
{
	return attest(cmd, a, v, "user");
}

static int run_org(const cli_command *cmd, cli_args *a, vault *v)
{
	return attest(cmd, a, v, "org");
}

static const cli_opt journal_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_journal(const cli_command *cmd, cli_args *a, vault *v)
{
	int error;

	(void)cmd;
	(void)a;
	fflush(stdout);
	if ((error = vault_journal_export(v, STDOUT_FILENO)) < 0)
		return cli_fail(error);
	return EXIT_OK;
}

const cli_command cli_cmd_user_attest = {
	"user attest", "record a user's attestation for export-controlled data, until a day (admin)",
	"NAME", 1, 1, user_opts, 1, run_user
};
const cli_command cli_cmd_org_attest = {
	"org attest", "record an organization's attestation or licence for export-controlled data (admin)",
	"ORG", 1, 1, org_opts, 1, run_org
};
const cli_command cli_cmd_journal_export = {
	"journal export", "write the signed, hash-chained journal of downloads of marked revisions "
	"(admin, auditor)",
	"", 0, 0, journal_opts, 1, run_journal
};
