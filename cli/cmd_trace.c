/* qvault trace lot LOT [--org ORG] | trace doc DOC[@REV] | trace po PO  [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt trace_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const cli_opt trace_lot_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "a sub-tier lot of this organization (names are each one's own)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* A sub-tier lot's certificate, " cert DOC@REV", or "". */
static void print_cert(json_t *g)
{
	if (json_is_string(json_object_get(g, "cert_doc")))
		printf(", cert %s@%s", str(g, "cert_doc"), str(g, "cert_rev"));
}

/* The trace of a sub-tier lot: its source, certificate, and where it went. */
static void print_subtier(json_t *t)
{
	json_t *l = json_object_get(t, "subtier_lot"), *g;
	size_t i;

	printf("sub-tier lot %s of %s: %lld x %s from %s", str(l, "lot"), str(l, "org"),
	       (long long)json_integer_value(json_object_get(l, "qty")), str(l, "part"),
	       str(l, "source"));
	print_cert(l);
	printf("\n  drawn     %lld, %lld left\n",
	       (long long)json_integer_value(json_object_get(l, "drawn")),
	       (long long)json_integer_value(json_object_get(l, "left")));
	json_array_foreach(json_object_get(t, "documents"), i, g)
		printf("  document  %s@%s (%s) of %s %s\n", str(g, "doc"), str(g, "rev"),
		       str(g, "type"), str(g, "attached_to"), str(g, "target"));
	json_array_foreach(json_object_get(t, "downstream"), i, g)
		printf("  went into %*s%s (%s of %s)\n", (int)(2 * json_integer_value(json_object_get(g, "depth")) - 2),
		       "", str(g, "lot"), str(g, "part"), str(g, "po"));
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
		printf("  acknowledged %s by %s (%s) %s%s\n", str(ack, "meaning"), str(ack, "name"),
		       str(ack, "org"), str(ack, "time"),
		       json_is_true(json_object_get(ack, "before_made")) ? ", before it was made" :
		       json_is_false(json_object_get(ack, "before_made")) ? ", AFTER it was made" : "");
	} else {
		printf("  not acknowledged by %s\n", str(l, "supplier"));
	}
	json_array_foreach(json_object_get(t, "documents"), i, g)
		printf("  document  %s@%s (%s) attached to %s %s\n", str(g, "doc"), str(g, "rev"),
		       str(g, "type"), str(g, "attached_to"), str(g, "target"));
	json_array_foreach(json_object_get(t, "upstream"), i, g) {
		int indent = (int)(2 * json_integer_value(json_object_get(g, "depth")) - 2);

		if (!json_is_true(json_object_get(g, "subtier"))) {
			printf("  made from %*s%s (%s of %s)\n", indent, "", str(g, "lot"),
			       str(g, "part"), str(g, "po"));
			continue;
		}
		printf("  made from %*s%s (sub-tier lot of %s: %lld x %s from %s", indent, "",
		       str(g, "lot"), str(g, "supplier"),
		       (long long)json_integer_value(json_object_get(g, "qty")), str(g, "part"),
		       str(g, "source"));
		print_cert(g);
		if (json_is_integer(json_object_get(g, "drawn")))
			printf("; %lld drawn", (long long)json_integer_value(json_object_get(g, "drawn")));
		printf(")\n");
	}
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

	if ((error = vault_trace_lot_in(&text, v, a->arg[0], cli_opt_value(cmd, a, "org"))) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((t = json_loads(text, 0, NULL)) != NULL) {
		if (json_is_object(json_object_get(t, "subtier_lot")))
			print_subtier(t);
		else
			print_trace(t);
		json_decref(t);
	}
	free(text);
	return EXIT_OK;
}

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

	buf[0] = '\0';
	if (json_is_integer(line) &&
	    cli_fmt(buf, size, "line number", " line %lld", (long long)json_integer_value(line)) < 0)
		buf[0] = '\0';
	return buf;
}

/* A PO's change orders, acknowledgments, status reports, shipments and NCRs, as trace po prints them. */
static void print_portal(json_t *t)
{
	json_t *g;
	char l[32];
	size_t i;

	json_array_foreach(json_object_get(t, "po_changes"), i, g) {
		char summary[4096], reason[2048];

		printf("  change order %lld: %s (%s) by %s %s\n",
		       (long long)json_integer_value(json_object_get(g, "revision")),
		       cli_clean(summary, sizeof(summary), str(g, "summary")),
		       cli_clean(reason, sizeof(reason), str(g, "reason")), str(g, "changed_by"),
		       str(g, "changed_at"));
	}
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
		json_array_foreach(json_object_get(t, "acknowledgments"), i, g)
			printf("  %s@%s %s by %s %s\n", str(g, "doc"), str(g, "rev"), str(g, "meaning"),
			       str(g, "name"), str(g, "time"));
		print_portal(t);
		json_decref(t);
	}
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_trace_lot = {
	"trace lot", "a lot's PO, drawing revision, acknowledgment and genealogy",
	"LOT", 1, 1, trace_lot_opts, CLI_INDEX_READS, run_trace
};
const cli_command cli_cmd_trace_doc = {
	"trace doc", "where a revision is used: PO lines requiring it, lots built to it",
	"DOC@REV", 1, 1, trace_opts, CLI_INDEX_READS, run_trace_doc
};
const cli_command cli_cmd_trace_po = {
	"trace po", "a PO's lines, lots, documents, acknowledgments, promises, status, shipments, NCRs",
	"PO", 1, 1, trace_opts, CLI_INDEX_READS, run_trace_po
};
