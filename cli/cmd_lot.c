/* qvault lot add LOT --po PO --part PART --qty N [--made D] [--shipped D] [--from LOT[:QTY]]...
 *   [--doc DOC@REV]...;
 * qvault lot add LOT --part PART --qty N --source TEXT [--cert DOC@REV] (a sub-tier lot);
 * qvault lot import FILE;
 * qvault link DOC@REV --po PO | --lot LOT | --part PART */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ "po", 0, OPT_VALUE, "PO", "the purchase order" },
	{ "source", 's', OPT_VALUE, "TEXT",
	  "instead of --po: a sub-tier lot your organization bought, from TEXT (the mill)" },
	{ "cert", 0, OPT_VALUE, "DOC@REV", "with --source: the sub-tier lot's certificate" },
	{ "part", 'p', OPT_VALUE, "PART", "the part, one of the PO's lines" },
	{ "qty", 'q', OPT_VALUE, "N", "how many" },
	{ "made", 0, OPT_VALUE, "DATE", "made on YYYY-MM-DD" },
	{ "shipped", 0, OPT_VALUE, "DATE", "shipped on YYYY-MM-DD" },
	{ "from", 'f', OPT_LIST, "LOT[:QTY]", "an input lot it was made from (repeatable)" },
	{ "doc", 'd', OPT_LIST, "DOC@REV", "a document that comes with it, e.g. its CoC (repeatable)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* lot add LOT --part PART --qty N --source TEXT [--cert DOC@REV] */
static int run_add_subtier(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *qty = cli_opt_value(cmd, a, "qty"), *cert = cli_opt_value(cmd, a, "cert");
	static const char *const not_with[] = { "made", "shipped", "from", "doc", NULL };
	vault_subtier_lot s;
	vault_doc_ref ref;
	unsigned long long count;
	char buf[512];
	size_t i, n;
	int rc, error;

	memset(&s, 0, sizeof(s));
	s.lot = a->arg[0];
	s.part = cli_opt_value(cmd, a, "part");
	s.source = cli_opt_value(cmd, a, "source");
	for (i = 0; not_with[i]; i++)
		if ((i < 2 ? cli_opt_value(cmd, a, not_with[i]) != NULL :
		     (cli_opt_list(cmd, a, not_with[i], &n), n > 0)))
			return cli_usage_error(cmd, "--%s is for a lot of a PO, not with --source",
					       not_with[i]);
	if (!s.part || !qty)
		return cli_usage_error(cmd, "--part and --qty are required");
	if ((rc = cli_check_number(&count, cmd, "--qty", qty, 1, ULLONG_MAX)) != EXIT_OK)
		return rc;
	s.qty = (uint64_t)count;
	if (cert) {
		cli_split_docrev(buf, sizeof(buf), cert, &ref.doc, &ref.rev);
		if (!ref.rev)
			return cli_usage_error(cmd, "--cert '%s': name the revision: DOC@REV", cert);
		s.cert = &ref;
	}
	if ((error = vault_lot_add_subtier(v, &s)) < 0)
		return cli_fail(error);
	printf("recorded sub-tier lot %s: %llu x %s from %s\n", s.lot, (unsigned long long)s.qty,
	       s.part, s.source);
	return EXIT_OK;
}

static int run_add(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *qty = cli_opt_value(cmd, a, "qty"), **from, **docs;
	vault_lot l;
	vault_lot_input *in;
	vault_doc_ref *refs;
	char **copies, (*bufs)[512];
	unsigned long long count;
	size_t n, ndocs, i;
	int rc = EXIT_OK, error;

	memset(&l, 0, sizeof(l));
	l.lot = a->arg[0];
	l.po = cli_opt_value(cmd, a, "po");
	l.part = cli_opt_value(cmd, a, "part");
	l.made = cli_opt_value(cmd, a, "made");
	l.shipped = cli_opt_value(cmd, a, "shipped");
	if (cli_opt_value(cmd, a, "source")) {
		if (l.po)
			return cli_usage_error(cmd, "give --po (a lot of a PO) or --source (a sub-tier"
					       " lot), not both");
		return run_add_subtier(cmd, a, v);
	}
	if (cli_opt_value(cmd, a, "cert"))
		return cli_usage_error(cmd, "--cert is for a sub-tier lot (--source); a lot of a PO"
				       " takes --doc");
	if (!l.po || !l.part || !qty)
		return cli_usage_error(cmd, "--po (or --source), --part and --qty are required");
	if ((rc = cli_check_number(&count, cmd, "--qty", qty, 1, ULLONG_MAX)) != EXIT_OK ||
	    (l.made && (rc = cli_check_date(cmd, "--made", l.made)) != EXIT_OK) ||
	    (l.shipped && (rc = cli_check_date(cmd, "--shipped", l.shipped)) != EXIT_OK))
		return rc;
	l.qty = (uint64_t)count;
	from = cli_opt_list(cmd, a, "from", &n);
	docs = cli_opt_list(cmd, a, "doc", &ndocs);
	in = calloc(n + 1, sizeof(*in));
	copies = calloc(n + 1, sizeof(*copies));
	refs = calloc(ndocs + 1, sizeof(*refs));
	bufs = calloc(ndocs + 1, sizeof(*bufs));
	if (!in || !copies || !refs || !bufs)
		abort();
	for (i = 0; i < ndocs && rc == EXIT_OK; i++) {
		cli_split_docrev(bufs[i], sizeof(bufs[i]), docs[i], &refs[i].doc, &refs[i].rev);
		if (!refs[i].rev)
			rc = cli_usage_error(cmd, "--doc '%s': name the revision: DOC@REV", docs[i]);
	}
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		char *colon;

		if ((copies[i] = strdup(from[i])) == NULL)
			abort();
		in[i].lot = copies[i];
		if ((colon = strchr(copies[i], ':')) != NULL) {
			*colon = '\0';
			rc = cli_check_number(&count, cmd, "--from quantity", colon + 1, 1, ULLONG_MAX);
			in[i].qty = (uint64_t)count;
		}
	}
	if (rc == EXIT_OK) {
		l.from = in;
		l.nfrom = n;
		l.docs = refs;
		l.ndocs = ndocs;
		if ((error = vault_lot_add(v, &l)) < 0)
			rc = cli_fail(error);
		else
			printf("recorded lot %s of %s: %llu x %s\n", l.lot, l.po,
			       (unsigned long long)l.qty, l.part);
	}
	for (i = 0; i < n; i++)
		free(copies[i]);
	free(copies);
	free(in);
	free(refs);
	free(bufs);
	return rc;
}

const cli_command cli_cmd_lot_add = {
	"lot add", "record a lot of a PO and the lots it was made from (supplier of the PO, quality),"
	" or a sub-tier lot your organization bought (--source; supplier)",
	"LOT", 1, 1, add_opts, 1, run_add
};

static const cli_opt link_opts[] = {
	{ "po", 0, OPT_VALUE, "PO", "attach to this purchase order" },
	{ "lot", 0, OPT_VALUE, "LOT", "attach to this lot" },
	{ "part", 'p', OPT_VALUE, "PART", "attach to this part number" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_link(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *po = cli_opt_value(cmd, a, "po"), *lot = cli_opt_value(cmd, a, "lot");
	const char *part = cli_opt_value(cmd, a, "part"), *doc, *rev, *target;
	vault_link_kind kind;
	char buf[512];
	int error;

	if (!!po + !!lot + !!part != 1)
		return cli_usage_error(cmd, "give one of --po, --lot, --part");
	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	kind = po ? VAULT_LINK_PO : lot ? VAULT_LINK_LOT : VAULT_LINK_PART;
	target = po ? po : lot ? lot : part;
	if ((error = vault_link(v, doc, rev, kind, target)) < 0)
		return cli_fail(error);
	printf("attached %s@%s to %s %s\n", doc, rev, po ? "PO" : lot ? "lot" : "part", target);
	return EXIT_OK;
}

const cli_command cli_cmd_link = {
	"link", "attach a document revision to a PO, a lot or a part number",
	"DOC@REV", 1, 1, link_opts, 1, run_link
};

static int run_import(const cli_command *cmd, cli_args *a, vault *v)
{
	(void)cmd;
	return cli_import(vault_lot_import, v, a->arg[0], "lot", "lots");
}

const cli_command cli_cmd_lot_import = {
	"lot import", "record the lots of a CSV or JSON file, with their genealogy, in one commit",
	"FILE", 1, 1, cli_help_only, 1, run_import
};
