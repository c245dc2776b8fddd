/* qvault release DOC --rev R FILE --to ORG[,ORG]; qvault obsolete DOC@REV */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt release_opts[] = {
	{ "rev", 'r', OPT_VALUE, "R", "the revision to release (must be new)" },
	{ "to", 0, OPT_VALUE, "ORG[,ORG]", "the organizations it is distributed to" },
	{ "reason", 0, OPT_VALUE, "TEXT", "why (an ECN, say)" },
	{ "effective", 0, OPT_VALUE, "DATE", "effective from YYYY-MM-DD" },
	{ "marking", 0, OPT_VALUE, "MARK", "export control: ITAR, EAR:ECCN (EAR:9E003), EAR99 or CUI; "
	  "each organization must hold an attestation clearing it" },
	{ "licence", 0, OPT_VALUE, "TEXT", "the licence or exemption a marked revision moves under" },
	{ "type", 't', OPT_VALUE, "TYPE", "drawing (default) or spec" },
	{ "title", 0, OPT_VALUE, "T", "title" },
	{ "part", 'p', OPT_LIST, "PN", "part number it applies to (repeatable)" },
	{ "review-by", 0, OPT_VALUE, "DATE", "when it is due for review, YYYY-MM-DD (qvault review sets the next)" },
	{ "expires", 0, OPT_VALUE, "DATE", "the last day it is valid, YYYY-MM-DD (a temporary release)" },
	{ "json", 0, OPT_FLAG, NULL, "print the released revision as JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Split "A,B,C" in place into `out` (at most `max`); returns the count. */
static size_t split(char *list, const char **out, size_t max)
{
	size_t n = 0;
	char *p = list;

	while (p && *p && n < max) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		out[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return n;
}

static int run_release(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_add_options o = { 0 };
	vault_release_options r = { 0 };
	const char *to = cli_opt_value(cmd, a, "to"), **orgs;
	vault_revision rev;
	char *list;
	size_t max = 1;
	int error;

	if (!cli_opt_value(cmd, a, "rev"))
		return cli_usage_error(cmd, "--rev is required");
	if (!to)
		return cli_usage_error(cmd, "--to is required");
	if ((cli_opt_value(cmd, a, "type") &&
	     (error = cli_check_enum(cmd, "--type", cli_opt_value(cmd, a, "type"), vault_doc_types)) != EXIT_OK) ||
	    (cli_opt_value(cmd, a, "effective") &&
	     (error = cli_check_date(cmd, "--effective", cli_opt_value(cmd, a, "effective"))) != EXIT_OK))
		return error;
	o.doc = a->arg[0];
	o.path = a->arg[1];
	o.rev = cli_opt_value(cmd, a, "rev");
	o.type = cli_opt_value(cmd, a, "type") ? cli_opt_value(cmd, a, "type") : "drawing";
	o.title = cli_opt_value(cmd, a, "title");
	o.parts = cli_opt_list(cmd, a, "part", &o.nparts);
	o.expires = cli_opt_value(cmd, a, "expires");
	o.review_by = cli_opt_value(cmd, a, "review-by");
	for (list = strchr(to, ','); list; list = strchr(list + 1, ','))
		max++;
	if ((list = strdup(to)) == NULL || (orgs = calloc(max, sizeof(*orgs))) == NULL)
		abort();
	r.nto = split(list, orgs, max);
	r.to = orgs;
	r.reason = cli_opt_value(cmd, a, "reason");
	r.effective = cli_opt_value(cmd, a, "effective");
	r.marking = cli_opt_value(cmd, a, "marking");
	r.licence = cli_opt_value(cmd, a, "licence");
	error = vault_doc_release(&rev, v, &o, &r);
	free(orgs);
	free(list);
	if (error < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		error = cli_print_json(cli_revision_json(&rev));
	} else {
		printf("released %s@%s to %s in commit %.12s\n", rev.doc, rev.rev, to, rev.commit);
		if (rev.marking)
			printf("  marked %s%s%s\n", rev.marking, rev.licence ? ", under " : "",
			       rev.licence ? rev.licence : "");
		printf("  file   %s\n  sha256 %s\n", rev.files[0].name, rev.files[0].sha256);
		error = EXIT_OK;
	}
	vault_revision_dispose(&rev);
	return error;
}

static const cli_opt obsolete_opts[] = {
	{ "reason", 0, OPT_VALUE, "TEXT", "why it may no longer be used (required)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_obsolete(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev, *reason = cli_opt_value(cmd, a, "reason");
	char buf[512];
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	if (!reason)
		return cli_usage_error(cmd, "--reason is required");
	if ((error = vault_doc_obsolete(v, doc, rev, reason)) < 0)
		return cli_fail(error);
	printf("made %s@%s obsolete: %s\n", doc, rev, reason);
	return EXIT_OK;
}

const cli_command cli_cmd_release = {
	"release", "add and release a revision of a drawing or spec to suppliers (buyer)",
	"DOC FILE", 2, 2, release_opts, 1, run_release
};
const cli_command cli_cmd_obsolete = {
	"obsolete", "mark a revision obsolete, with the reason (buyer)",
	"DOC@REV", 1, 1, obsolete_opts, 1, run_obsolete
};
