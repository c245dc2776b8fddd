/* qvault add FILE --doc NUMBER --type TYPE [--rev R] [--title T] [--part PN]... */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "doc", 'd', OPT_VALUE, "NUMBER", "document number, e.g. DWG-1001" },
	{ "type", 't', OPT_VALUE, "TYPE", "drawing, spec, model, fai, coc, material-cert, inspection-report, process-cert, other" },
	{ "rev", 'r', OPT_VALUE, "R", "revision (default: A, or the one after the latest)" },
	{ "title", 0, OPT_VALUE, "T", "title" },
	{ "part", 'p', OPT_LIST, "PN", "part number the document applies to (repeatable)" },
	{ "name", 0, OPT_VALUE, "NAME", "file name to store (default: the file's own)" },
	{ "po", 0, OPT_VALUE, "PO", "attach it to this purchase order, in the same commit" },
	{ "lot", 0, OPT_VALUE, "LOT", "attach it to this lot, in the same commit" },
	{ "meta", 0, OPT_FILE, "FILE.json", "EN 10204 data of a material-cert (schemas/material-cert.schema.json)" },
	{ "field", 'F', OPT_LIST, "KEY=VALUE", "one item of that data, e.g. heat_number=H-77 or chemical.C=0.20 (repeatable)" },
	{ "expires", 0, OPT_VALUE, "DATE", "the last day it is valid, YYYY-MM-DD (a certificate, an approval): audit and the inbox show it expiring" },
	{ "review-by", 0, OPT_VALUE, "DATE", "when a drawing, model or spec is due for review, YYYY-MM-DD" },
	{ "json", 0, OPT_FLAG, NULL, "print the recorded revision as JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/*
 * The certificate data of --meta FILE and --field KEY=VALUE (a field wins;
 * "a.b=v" sets b in object a), as JSON text in *out, or NULL for none.
 */
static int certificate_data(char **out, const cli_command *cmd, cli_args *a)
{
	const char *file = cli_opt_value(cmd, a, "meta"), **fields;
	json_t *root;
	json_error_t jerr;
	size_t n, i;

	*out = NULL;
	fields = cli_opt_list(cmd, a, "field", &n);
	if (!file && n == 0)
		return EXIT_OK;
	if (file) {
		if ((root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
			fprintf(stderr, "qvault: '%s': line %d: %s\n", file, jerr.line, jerr.text);
			return EXIT_ERROR;
		}
		if (!json_is_object(root)) {
			json_decref(root);
			fprintf(stderr, "qvault: '%s' is not a JSON object\n", file);
			return EXIT_ERROR;
		}
	} else {
		root = json_object();
	}
	for (i = 0; i < n; i++) {
		const char *eq = strchr(fields[i], '='), *dot;
		char key[128];
		json_t *into = root;

		if (!eq || eq == fields[i] || (size_t)(eq - fields[i]) >= sizeof(key)) {
			json_decref(root);
			return cli_usage_error(cmd, "--field '%s' is not KEY=VALUE", fields[i]);
		}
		/* shorter than key[], as checked above */
		memcpy(key, fields[i], (size_t)(eq - fields[i]));
		key[eq - fields[i]] = '\0';
		if ((dot = strchr(key, '.')) != NULL) {
			key[dot - key] = '\0';
			if (!json_is_object(into = json_object_get(root, key))) {
				into = json_object();
				json_object_set_new(root, key, into);
			}
			memmove(key, dot + 1, strlen(dot + 1) + 1);
		}
		json_object_set_new(into, key, json_string(eq + 1));
	}
	*out = json_dumps(root, JSON_SORT_KEYS);
	json_decref(root);
	return EXIT_OK;
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_add_options o = { 0 };
	vault_revision rev;
	char *meta = NULL;
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
	o.expires = cli_opt_value(cmd, a, "expires");
	o.review_by = cli_opt_value(cmd, a, "review-by");
	if (!o.doc)
		return cli_usage_error(cmd, "--doc is required");
	if (!o.type)
		return cli_usage_error(cmd, "--type is required");
	if ((error = cli_check_enum(cmd, "--type", o.type, vault_doc_types)) != EXIT_OK)
		return error;
	if ((error = certificate_data(&meta, cmd, a)) != EXIT_OK)
		return error;
	o.meta = meta;
	error = vault_doc_add(&rev, v, &o);
	free(meta);
	if (error < 0)
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

/* ---- review: a controlled document reviewed, and when next ---------------- */

static const cli_opt review_opts[] = {
	{ "next", 0, OPT_VALUE, "DATE", "when it is next due for review, YYYY-MM-DD, after today (required)" },
	{ "note", 0, OPT_VALUE, "TEXT", "what the review found" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_review(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev, *next = cli_opt_value(cmd, a, "next");
	char buf[2 * VAULT_NAME_MAX + 2];
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "'%s' is not DOC@REV", a->arg[0]);
	if (!next)
		return cli_usage_error(cmd, "--next is required");
	if ((error = vault_doc_review(v, doc, rev, next, cli_opt_value(cmd, a, "note"))) < 0)
		return cli_fail(error);
	printf("reviewed %s@%s: next review due %s\n", doc, rev, next);
	return EXIT_OK;
}

const cli_command cli_cmd_review = {
	"review", "record that a drawing, model or spec was reviewed, and when it is next due (buyer, quality)",
	"DOC@REV", 1, 1, review_opts, 1, run_review
};

/* ---- withdraw ------------------------------------------------------------- */

static const cli_opt withdraw_opts[] = {
	{ "reason", 'r', OPT_VALUE, "TEXT", "why (required)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_withdraw(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev, *reason = cli_opt_value(cmd, a, "reason");
	char buf[2 * VAULT_NAME_MAX + 2];
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "'%s' is not DOC@REV", a->arg[0]);
	if (!reason)
		return cli_usage_error(cmd, "--reason is required");
	if ((error = vault_withdraw(v, doc, rev, reason)) < 0)
		return cli_fail(error);
	printf("withdrew %s@%s: it stays, and counts for nothing any more\n", doc, rev);
	return EXIT_OK;
}

const cli_command cli_cmd_withdraw = {
	"withdraw", "withdraw your organization's upload (a certificate, a report): it stays, shown as withdrawn",
	"DOC@REV", 1, 1, withdraw_opts, 1, run_withdraw
};
