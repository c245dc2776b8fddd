/* qvault po add PO --supplier ORG --line PART:QTY:DOC@REV[:DUE]...; po import FILE */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ "supplier", 's', OPT_VALUE, "ORG", "the supplier organization" },
	{ "line", 'l', OPT_LIST, "PART:QTY:DOC@REV[:DUE]", "a line, numbered in order (repeatable)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Parse "PART:QTY:DOC@REV[:DUE]" in place into `l`; -1 when malformed. */
static int parse_line(vault_po_line *l, char *spec)
{
	char *f[4] = { NULL, NULL, NULL, NULL }, *p = spec, *end, *at;
	size_t n = 0;
	unsigned long long qty;

	while (n < 4) {
		f[n++] = p;
		if ((p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n < 3 || p || !(at = strrchr(f[2], '@')))
		return -1;
	*at = '\0';
	errno = 0;
	qty = strtoull(f[1], &end, 10);
	if (errno || *end || !*f[1] || f[1][0] == '-')
		return -1;
	l->part = f[0];
	l->qty = (uint64_t)qty;
	l->doc = f[2];
	l->rev = at + 1;
	l->due = n == 4 ? f[3] : NULL;
	return 0;
}

static int run_add(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *supplier = cli_opt_value(cmd, a, "supplier");
	const char **specs;
	vault_po_line *lines;
	char **copies;
	vault_po po;
	size_t n, i;
	int rc = EXIT_OK, error;

	specs = cli_opt_list(cmd, a, "line", &n);
	if (!supplier || n == 0)
		return cli_usage_error(cmd, "--supplier and at least one --line are required");
	lines = calloc(n, sizeof(*lines));
	copies = calloc(n, sizeof(*copies));
	if (!lines || !copies)
		abort();
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		if ((copies[i] = strdup(specs[i])) == NULL)
			abort();
		lines[i].line = (unsigned)i + 1;
		if (parse_line(&lines[i], copies[i]) < 0)
			rc = cli_usage_error(cmd, "line %zu: '%s' is not PART:QTY:DOC@REV[:DUE]",
					     i + 1, specs[i]);
		else if (lines[i].due)
			rc = cli_check_date(cmd, "--line due date", lines[i].due);
	}
	if (rc == EXIT_OK) {
		po.po = a->arg[0];
		po.supplier = supplier;
		po.lines = lines;
		po.nlines = n;
		if ((error = vault_po_add(v, &po)) < 0)
			rc = cli_fail(error);
		else
			printf("recorded PO %s for %s, %zu line%s\n", po.po, supplier, n, n == 1 ? "" : "s");
	}
	for (i = 0; i < n; i++)
		free(copies[i]);
	free(copies);
	free(lines);
	return rc;
}

static const cli_opt import_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_import(const cli_command *cmd, cli_args *a, vault *v)
{
	size_t count;
	int error;

	(void)cmd;
	if ((error = vault_po_import(&count, v, a->arg[0])) < 0)
		return cli_fail(error);
	printf("recorded %zu purchase order%s in one commit\n", count, count == 1 ? "" : "s");
	return EXIT_OK;
}

const cli_command cli_cmd_po_add = {
	"po add", "record a purchase order: lines name the drawing revision to build to (buyer)",
	"PO", 1, 1, add_opts, 1, run_add
};
const cli_command cli_cmd_po_import = {
	"po import", "record the purchase orders of a CSV or JSON file in one commit (buyer)",
	"FILE", 1, 1, import_opts, 1, run_import
};
