/* qvault po add PO --supplier ORG --line PART:QTY:DOC@REV[:DUE]... [--valid-from DATE
 * --valid-until DATE]; po import FILE; po change, po cancel, po close: change
 * orders; po release: a release against a blanket line */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ "supplier", 's', OPT_VALUE, "ORG", "the supplier organization" },
	{ "line", 'l', OPT_LIST, "PART:QTY:DOC@REV[:DUE]", "a line, numbered in order (repeatable)" },
	{ "valid-from", 0, OPT_VALUE, "DATE",
	  "a blanket order: every line is an agreement for its QTY in total, released from DATE" },
	{ "valid-until", 0, OPT_VALUE, "DATE", "... until DATE (with --valid-from)" },
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
	const char *from = cli_opt_value(cmd, a, "valid-from");
	const char *until = cli_opt_value(cmd, a, "valid-until");
	const char **specs;
	vault_po_line *lines;
	char **copies;
	vault_po po;
	size_t n, i;
	int rc = EXIT_OK, error;

	specs = cli_opt_list(cmd, a, "line", &n);
	if (!supplier || n == 0)
		return cli_usage_error(cmd, "--supplier and at least one --line are required");
	if (!from != !until)
		return cli_usage_error(cmd, "a blanket order needs both --valid-from and --valid-until");
	if (from && ((rc = cli_check_date(cmd, "--valid-from", from)) != EXIT_OK ||
		     (rc = cli_check_date(cmd, "--valid-until", until)) != EXIT_OK))
		return rc;
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
		lines[i].valid_from = from;
		lines[i].valid_until = until;
	}
	if (rc == EXIT_OK) {
		po.po = a->arg[0];
		po.supplier = supplier;
		po.lines = lines;
		po.nlines = n;
		if ((error = vault_po_add(v, &po)) < 0)
			rc = cli_fail(error);
		else
			printf("recorded %sPO %s for %s, %zu line%s\n", from ? "blanket " : "", po.po,
			       supplier, n, n == 1 ? "" : "s");
	}
	for (i = 0; i < n; i++)
		free(copies[i]);
	free(copies);
	free(lines);
	return rc;
}

static int run_import(const cli_command *cmd, cli_args *a, vault *v)
{
	char changed[VAULT_NAME_MAX + 1];
	unsigned revision;
	size_t count;
	int error;

	(void)cmd;
	if ((error = vault_po_import_any(&count, changed, sizeof(changed), &revision, v,
					 a->arg[0])) < 0)
		return cli_fail(error);
	if (changed[0])
		printf("changed PO %s from the 860: revision %u, for the supplier to acknowledge\n",
		       changed, revision);
	else
		printf("recorded %zu %s in one commit\n", count,
		       count == 1 ? "purchase order" : "purchase orders");
	return EXIT_OK;
}

const cli_command cli_cmd_po_add = {
	"po add", "record a purchase order: lines name the drawing revision to build to (buyer)",
	"PO", 1, 1, add_opts, 1, run_add
};
const cli_command cli_cmd_po_import = {
	"po import", "record the POs of a CSV, JSON or X12 850 file (an X12 860: its change order) in one commit (buyer)",
	"FILE", 1, 1, cli_help_only, 1, run_import
};

/* ---- change orders: po change, po cancel, po close ------------------------ */

static const cli_opt change_opts[] = {
	{ "line", 'l', OPT_VALUE, "N", "the line to change" },
	{ "qty", 'q', OPT_VALUE, "N", "its new quantity (not below what was received)" },
	{ "due", 0, OPT_VALUE, "DATE", "its new due date, YYYY-MM-DD" },
	{ "rev", 0, OPT_VALUE, "DOC@REV", "the drawing revision it requires now" },
	{ "add-line", 0, OPT_LIST, "PART:QTY:DOC@REV[:DUE]", "a new line (repeatable)" },
	{ "reason", 'r', OPT_VALUE, "TEXT", "why (required): the supplier reads it" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* --line N: a line number from 1, into *out; 0 with no --line. */
static int line_opt(unsigned *out, const cli_command *cmd, const cli_args *a)
{
	const char *s = cli_opt_value(cmd, a, "line");
	unsigned long n;
	char *end;

	*out = 0;
	if (!s)
		return EXIT_OK;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || n < 1 || n > 10000)
		return cli_usage_error(cmd, "--line '%s' is not a line number", s);
	*out = (unsigned)n;
	return EXIT_OK;
}

static int say_changed(int error, const char *po, unsigned revision)
{
	if (error < 0)
		return cli_fail(error);
	printf("changed PO %s: revision %u, for the supplier to acknowledge\n", po, revision);
	return EXIT_OK;
}

static int run_change(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *qty = cli_opt_value(cmd, a, "qty"), *rev = cli_opt_value(cmd, a, "rev");
	const char *reason = cli_opt_value(cmd, a, "reason"), **adds;
	vault_po_edit *edits;
	char **copies, *at, *end, *rev_copy = NULL;
	size_t n, k = 0, i;
	unsigned revision = 0;
	int rc, error;

	adds = cli_opt_list(cmd, a, "add-line", &n);
	if ((edits = calloc(n + 2, sizeof(*edits))) == NULL ||
	    (copies = calloc(n + 1, sizeof(char *))) == NULL)
		abort();
	if ((rc = line_opt(&edits[0].line, cmd, a)) != EXIT_OK)
		goto done;
	if (!reason) {
		rc = cli_usage_error(cmd, "--reason is required: the supplier reads why");
		goto done;
	}
	if (edits[0].line || qty || rev || cli_opt_value(cmd, a, "due")) {
		vault_po_edit *e = &edits[k++];

		e->op = VAULT_PO_EDIT;
		if (!e->line) {
			rc = cli_usage_error(cmd, "--qty, --due and --rev change the line --line names");
			goto done;
		}
		if (qty) {
			errno = 0;
			e->qty = strtoull(qty, &end, 10);
			if (errno || *end || !*qty || *qty == '-' || e->qty == 0) {
				rc = cli_usage_error(cmd, "--qty '%s' is not a whole number from 1", qty);
				goto done;
			}
		}
		if ((e->due = cli_opt_value(cmd, a, "due")) != NULL &&
		    (rc = cli_check_date(cmd, "--due", e->due)) != EXIT_OK)
			goto done;
		if (rev) {
			if ((rev_copy = strdup(rev)) == NULL)
				abort();
			if ((at = strrchr(rev_copy, '@')) == NULL || at == rev_copy || !at[1]) {
				rc = cli_usage_error(cmd, "--rev '%s' is not DOC@REV", rev);
				goto done;
			}
			*at = '\0';
			e->doc = rev_copy;
			e->rev = at + 1;
		}
	}
	for (i = 0; i < n; i++) {
		vault_po_line l;
		vault_po_edit *e = &edits[k++];

		if ((copies[i] = strdup(adds[i])) == NULL)
			abort();
		if (parse_line(&l, copies[i]) < 0) {
			rc = cli_usage_error(cmd, "--add-line '%s' is not PART:QTY:DOC@REV[:DUE]",
					     adds[i]);
			goto done;
		}
		if (l.due && (rc = cli_check_date(cmd, "--add-line due date", l.due)) != EXIT_OK)
			goto done;
		e->op = VAULT_PO_ADD_LINE;
		e->part = l.part;
		e->qty = l.qty;
		e->doc = l.doc;
		e->rev = l.rev;
		e->due = l.due;
	}
	if (k == 0) {
		rc = cli_usage_error(cmd, "nothing to change: give --line N with --qty, --due or --rev, "
				     "or --add-line");
		goto done;
	}
	error = vault_po_change(v, a->arg[0], edits, k, reason, &revision);
	rc = say_changed(error, a->arg[0], revision);
done:
	for (i = 0; i < n; i++)
		free(copies[i]);
	free(copies);
	free(rev_copy);
	free(edits);
	return rc;
}

static const cli_opt end_opts[] = {
	{ "line", 'l', OPT_VALUE, "N", "only this line (without it, every open line)" },
	{ "reason", 'r', OPT_VALUE, "TEXT", "why (required): the supplier reads it" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* po cancel, po close: one change order ending a line or every open one. */
static int run_end(const cli_command *cmd, cli_args *a, vault *v, vault_po_change_op op)
{
	const char *reason = cli_opt_value(cmd, a, "reason");
	vault_po_edit e;
	unsigned revision = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	e.op = op;
	if ((rc = line_opt(&e.line, cmd, a)) != EXIT_OK)
		return rc;
	if (!reason)
		return cli_usage_error(cmd, "--reason is required: the supplier reads why");
	rc = vault_po_change(v, a->arg[0], &e, 1, reason, &revision);
	return say_changed(rc, a->arg[0], revision);
}

static int run_cancel(const cli_command *cmd, cli_args *a, vault *v)
{
	return run_end(cmd, a, v, VAULT_PO_CANCEL);
}

static int run_close(const cli_command *cmd, cli_args *a, vault *v)
{
	return run_end(cmd, a, v, VAULT_PO_CLOSE);
}

const cli_command cli_cmd_po_change = {
	"po change", "a change order: a PO's next revision, for the supplier to acknowledge (buyer)",
	"PO", 1, 1, change_opts, 1, run_change
};
const cli_command cli_cmd_po_cancel = {
	"po cancel", "cancel a PO, or one of its lines, by a change order (buyer)",
	"PO", 1, 1, end_opts, 1, run_cancel
};
const cli_command cli_cmd_po_close = {
	"po close", "close a line short, or every open line: nothing more is to come (buyer)",
	"PO", 1, 1, end_opts, 1, run_close
};

/* ---- po release: calling a quantity off a blanket line --------------------- */

static const cli_opt release_opts[] = {
	{ "line", 'l', OPT_VALUE, "N", "the blanket line released against (required)" },
	{ "qty", 'q', OPT_VALUE, "N", "the quantity called off (at most what remains)" },
	{ "due", 0, OPT_VALUE, "DATE", "when it is due, YYYY-MM-DD, within the blanket's validity" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_release(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *qty = cli_opt_value(cmd, a, "qty"), *due = cli_opt_value(cmd, a, "due");
	unsigned line = 0, number = 0;
	unsigned long long q;
	char *end;
	int rc;

	if ((rc = line_opt(&line, cmd, a)) != EXIT_OK)
		return rc;
	if (!line || !qty || !due)
		return cli_usage_error(cmd, "--line, --qty and --due are required");
	errno = 0;
	q = strtoull(qty, &end, 10);
	if (errno || *end || !*qty || *qty == '-' || q == 0)
		return cli_usage_error(cmd, "--qty '%s' is not a whole number from 1", qty);
	if ((rc = cli_check_date(cmd, "--due", due)) != EXIT_OK)
		return rc;
	if ((rc = vault_po_release(v, a->arg[0], line, (uint64_t)q, due, &number)) < 0)
		return cli_fail(rc);
	printf("released %llu of PO %s line %u due %s: release %u, for the supplier to acknowledge\n",
	       q, a->arg[0], line, due, number);
	return EXIT_OK;
}

const cli_command cli_cmd_po_release = {
	"po release", "call a quantity off a blanket line: a numbered release (buyer)",
	"PO", 1, 1, release_opts, 1, run_release
};
