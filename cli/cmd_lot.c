/* qvault lot add LOT --po PO --part PART --qty N [--made D] [--shipped D] [--from LOT[:QTY]]...
 *   [--doc DOC@REV]...;
 * qvault trace lot LOT [--json] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ "po", 0, OPT_VALUE, "PO", "the purchase order" },
	{ "part", 'p', OPT_VALUE, "PART", "the part, one of the PO's lines" },
	{ "qty", 'q', OPT_VALUE, "N", "how many" },
	{ "made", 0, OPT_VALUE, "DATE", "made on YYYY-MM-DD" },
	{ "shipped", 0, OPT_VALUE, "DATE", "shipped on YYYY-MM-DD" },
	{ "from", 'f', OPT_LIST, "LOT[:QTY]", "an input lot it was made from (repeatable)" },
	{ "doc", 'd', OPT_LIST, "DOC@REV", "a document that comes with it, e.g. its CoC (repeatable)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* A whole number from 1, or 0. */
static uint64_t count_of(const char *s)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno ? 0 : (uint64_t)v;
}

static int run_add(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *qty = cli_opt_value(cmd, a, "qty"), **from, **docs;
	vault_lot l;
	vault_lot_input *in;
	vault_doc_ref *refs;
	char **copies, (*bufs)[512];
	size_t n, ndocs, i;
	int rc = EXIT_OK, error;

	memset(&l, 0, sizeof(l));
	l.lot = a->arg[0];
	l.po = cli_opt_value(cmd, a, "po");
	l.part = cli_opt_value(cmd, a, "part");
	l.made = cli_opt_value(cmd, a, "made");
	l.shipped = cli_opt_value(cmd, a, "shipped");
	if (!l.po || !l.part || !qty)
		return cli_usage_error(cmd, "--po, --part and --qty are required");
	if ((l.qty = count_of(qty)) == 0) {
		fprintf(stderr, "qvault: quantity '%s' is not a whole number from 1\n", qty);
		return EXIT_ERROR;
	}
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
			if ((in[i].qty = count_of(colon + 1)) == 0) {
				fprintf(stderr, "qvault: input quantity '%s' is not a whole number from 1\n",
					colon + 1);
				rc = EXIT_ERROR;
			}
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

static const cli_opt trace_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static void print_trace(json_t *t)
{
	json_t *l = json_object_get(t, "lot"), *line = json_object_get(t, "po_line");
	json_t *eff = json_object_get(t, "in_effect_when_made"), *ack = json_object_get(t, "acknowledgment");
	json_t *g;
	size_t i;

	printf("lot %s: %lld x %s, made %s, shipped %s\n", str(l, "lot"),
	       (long long)json_integer_value(json_object_get(l, "qty")), str(l, "part"),
	       str(l, "made"), str(l, "shipped"));
	printf("  PO        %s (supplier %s)\n", str(l, "po"), str(l, "supplier"));
	if (json_is_object(line))
		printf("  built to  %s@%s (PO line %lld)\n", str(line, "doc"), str(line, "rev"),
		       (long long)json_integer_value(json_object_get(line, "line")));
	if (json_is_object(eff))
		printf("  in effect when made: %s@%s\n", str(eff, "doc"), str(eff, "rev"));
	else if (json_is_string(json_object_get(l, "made")))
		printf("  in effect when made: no revision of %s was released yet\n", str(line, "doc"));
	if (json_is_object(ack)) {
		char when[VAULT_TIME_SIZE];

		vault_time_format(when, sizeof(when), json_integer_value(json_object_get(ack, "time")));
		printf("  acknowledged %s by %s (%s) %s%s\n", str(ack, "meaning"), str(ack, "name"),
		       str(ack, "org"), when,
		       json_is_true(json_object_get(ack, "before_made")) ? ", before it was made" :
		       json_is_false(json_object_get(ack, "before_made")) ? ", AFTER it was made" : "");
	} else {
		printf("  not acknowledged by %s\n", str(l, "supplier"));
	}
	json_array_foreach(json_object_get(t, "documents"), i, g)
		printf("  document  %s@%s (%s) attached to %s %s\n", str(g, "doc"), str(g, "rev"),
		       str(g, "type"), str(g, "attached_to"), str(g, "target"));
	json_array_foreach(json_object_get(t, "upstream"), i, g)
		printf("  made from %*s%s (%s of %s)\n", (int)(2 * json_integer_value(json_object_get(g, "depth")) - 2),
		       "", str(g, "lot"), str(g, "part"), str(g, "po"));
	json_array_foreach(json_object_get(t, "upstream_documents"), i, g)
		printf("  upstream  %s@%s (%s) of lot %s\n", str(g, "doc"), str(g, "rev"),
		       str(g, "type"), str(g, "target"));
	json_array_foreach(json_object_get(t, "downstream"), i, g)
		printf("  went into %*s%s (%s of %s)\n", (int)(2 * json_integer_value(json_object_get(g, "depth")) - 2),
		       "", str(g, "lot"), str(g, "part"), str(g, "po"));
}

static int run_trace(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	json_t *t;
	int error;

	if ((error = vault_trace_lot(&text, v, a->arg[0])) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((t = json_loads(text, 0, NULL)) != NULL) {
		print_trace(t);
		json_decref(t);
	}
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_lot_add = {
	"lot add", "record a lot of a PO, and the lots it was made from (supplier of the PO, quality)",
	"LOT", 1, 1, add_opts, 1, run_add
};
const cli_command cli_cmd_trace_lot = {
	"trace lot", "a lot's PO, drawing revision, acknowledgment and genealogy",
	"LOT", 1, 1, trace_opts, 1, run_trace
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

static const cli_opt audit_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's records" },
	{ "ack-days", 0, OPT_VALUE, "N", "days a supplier has to acknowledge a release (default 14)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

typedef struct {
	int json;
	size_t count;
} audit_out;

/* Each gap as it is found: a line of text, or an element of a JSON list. */
static int print_gap(void *payload, const char *gap_json)
{
	audit_out *o = payload;
	json_t *g, *val;
	const char *key;

	o->count++;
	if (o->json) {
		printf("%s%s", o->count == 1 ? "[\n" : ",\n", gap_json);
		return 0;
	}
	if ((g = json_loads(gap_json, 0, NULL)) == NULL)
		return -1;
	printf("%-17s %s:", json_string_value(json_object_get(g, "gap")),
	       json_string_value(json_object_get(g, "what")));
	json_object_foreach(json_object_get(g, "records"), key, val) {
		if (json_is_string(val))
			printf(" %s %s", key, json_string_value(val));
		else
			printf(" %s %lld", key, (long long)json_integer_value(val));
	}
	printf("\n");
	json_decref(g);
	return 0;
}

static int run_audit(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *days = cli_opt_value(cmd, a, "ack-days");
	audit_out o = { cli_opt_flag(cmd, a, "json"), 0 };
	unsigned long n = 14;
	char *end;
	int error;

	if (days) {
		errno = 0;
		n = strtoul(days, &end, 10);
		if (errno || *end || !*days || n > 3650)
			return cli_usage_error(cmd, "--ack-days needs a number of days, not '%s'", days);
	}
	/* printed as found: a million gaps take no more memory than one */
	if ((error = vault_audit_each(v, cli_opt_value(cmd, a, "org"), (unsigned)n, print_gap,
				      &o)) < 0) {
		if (o.count)
			printf("\n");
		return cli_fail(error);
	}
	if (o.json)
		printf("%s]\n", o.count ? "\n" : "[");
	else
		printf("%zu gap%s\n", o.count, o.count == 1 ? "" : "s");
	return o.count ? EXIT_VERIFY : EXIT_OK;
}

const cli_command cli_cmd_link = {
	"link", "attach a document revision to a PO, a lot or a part number",
	"DOC@REV", 1, 1, link_opts, 1, run_link
};
const cli_command cli_cmd_audit = {
	"audit", "the compliance gaps, with the records involved (exit 3 when there are any)",
	"", 0, 0, audit_opts, 1, run_audit
};

static int run_trace_doc(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev;
	char buf[512], *text;
	json_t *t, *g;
	size_t i;
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	if ((error = vault_trace_doc(&text, v, doc, rev)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((t = json_loads(text, 0, NULL)) != NULL) {
		printf("%s@%s is required by\n", doc, rev);
		json_array_foreach(json_object_get(t, "po_lines"), i, g)
			printf("  PO %s line %lld: %lld x %s (supplier %s)\n", str(g, "po"),
			       (long long)json_integer_value(json_object_get(g, "line")),
			       (long long)json_integer_value(json_object_get(g, "qty")), str(g, "part"),
			       str(g, "supplier"));
		printf("lots built to it%s\n", json_array_size(json_object_get(t, "lots")) ? "" : ": none");
		json_array_foreach(json_object_get(t, "lots"), i, g)
			printf("  %s%*s%s (%s of %s, %s)\n",
			       json_integer_value(json_object_get(g, "depth")) ? "downstream " : "",
			       (int)(2 * json_integer_value(json_object_get(g, "depth"))), "",
			       str(g, "lot"), str(g, "part"), str(g, "po"), str(g, "supplier"));
		json_decref(t);
	}
	free(text);
	return EXIT_OK;
}

/* " line N" or "" */
static const char *line_of(char *buf, size_t size, json_t *g)
{
	json_t *line = json_object_get(g, "line");

	if (json_is_integer(line))
		snprintf(buf, size, " line %lld", (long long)json_integer_value(line));
	else
		buf[0] = '\0';
	return buf;
}

/* A PO's acknowledgments, status reports, shipments and NCRs, as trace po prints them. */
static void print_portal(json_t *t)
{
	json_t *g;
	char l[32];
	size_t i;

	json_array_foreach(json_object_get(t, "po_acknowledgments"), i, g)
		printf("  PO ack %lld%s: %s%s%s by %s %s%s%s\n",
		       (long long)json_integer_value(json_object_get(g, "seq")), line_of(l, sizeof(l), g),
		       str(g, "decision"), json_is_string(json_object_get(g, "promise")) ? ", promised " : "",
		       json_is_string(json_object_get(g, "promise")) ? str(g, "promise") : "",
		       str(g, "signed_by"), str(g, "signed_at"),
		       json_is_string(json_object_get(g, "reason")) ? ": " : "",
		       json_is_string(json_object_get(g, "reason")) ? str(g, "reason") : "");
	json_array_foreach(json_object_get(t, "status"), i, g)
		printf("  status%s: %s by %s %s\n", line_of(l, sizeof(l), g), str(g, "status"),
		       str(g, "reported_by"), str(g, "reported_at"));
	json_array_foreach(json_object_get(t, "shipments"), i, g) {
		printf("  shipped %s %s: %lld of lot %s%s in %s", str(g, "asn"), str(g, "ship_date"),
		       (long long)json_integer_value(json_object_get(g, "qty")), str(g, "lot"),
		       line_of(l, sizeof(l), g), str(g, "package"));
		if (json_is_integer(json_object_get(g, "received")))
			printf(", received %lld on %s\n",
			       (long long)json_integer_value(json_object_get(g, "received")),
			       str(g, "received_date"));
		else
			printf(", not received yet\n");
	}
	json_array_foreach(json_object_get(t, "ncrs"), i, g)
		printf("  %s on lot %s: %s (%s%s%s)\n", str(g, "ncr"), str(g, "lot"), str(g, "reason"),
		       str(g, "state"), json_is_string(json_object_get(g, "disposition")) ? ", " : "",
		       json_is_string(json_object_get(g, "disposition")) ? str(g, "disposition") : "");
}

static int run_trace_po(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	json_t *t, *g, *p;
	size_t i;
	int error;

	if ((error = vault_trace_po(&text, v, a->arg[0])) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((t = json_loads(text, 0, NULL)) != NULL) {
		p = json_object_get(t, "po");
		printf("PO %s, supplier %s\n", str(p, "po"), str(p, "supplier"));
		json_array_foreach(json_object_get(t, "lines"), i, g)
			printf("  line %lld: %lld x %s to %s@%s%s%s\n",
			       (long long)json_integer_value(json_object_get(g, "line")),
			       (long long)json_integer_value(json_object_get(g, "qty")), str(g, "part"),
			       str(g, "doc"), str(g, "rev"), json_is_string(json_object_get(g, "due")) ?
			       ", due " : "", json_is_string(json_object_get(g, "due")) ? str(g, "due") : "");
		json_array_foreach(json_object_get(t, "lots"), i, g)
			printf("  lot %s: %lld x %s, made %s, shipped %s\n", str(g, "lot"),
			       (long long)json_integer_value(json_object_get(g, "qty")), str(g, "part"),
			       str(g, "made"), str(g, "shipped"));
		json_array_foreach(json_object_get(t, "documents"), i, g)
			printf("  document %s@%s (%s) attached to %s %s\n", str(g, "doc"), str(g, "rev"),
			       str(g, "type"), str(g, "attached_to"), str(g, "target"));
		json_array_foreach(json_object_get(t, "acknowledgments"), i, g) {
			char when[VAULT_TIME_SIZE];

			vault_time_format(when, sizeof(when), json_integer_value(json_object_get(g, "time")));
			printf("  %s@%s %s by %s %s\n", str(g, "doc"), str(g, "rev"), str(g, "meaning"),
			       str(g, "name"), when);
		}
		print_portal(t);
		json_decref(t);
	}
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_trace_doc = {
	"trace doc", "where a revision is used: PO lines requiring it, lots built to it",
	"DOC@REV", 1, 1, trace_opts, 1, run_trace_doc
};
const cli_command cli_cmd_trace_po = {
	"trace po", "a PO's lines, lots, documents, acknowledgments, promises, status, shipments, NCRs",
	"PO", 1, 1, trace_opts, 1, run_trace_po
};

static const cli_opt import_opts[] = {
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_import(const cli_command *cmd, cli_args *a, vault *v)
{
	size_t count;
	int error;

	(void)cmd;
	if ((error = vault_lot_import(&count, v, a->arg[0])) < 0)
		return cli_fail(error);
	printf("recorded %zu lot%s in one commit\n", count, count == 1 ? "" : "s");
	return EXIT_OK;
}

const cli_command cli_cmd_lot_import = {
	"lot import", "record the lots of a CSV or JSON file, with their genealogy, in one commit",
	"FILE", 1, 1, import_opts, 1, run_import
};
