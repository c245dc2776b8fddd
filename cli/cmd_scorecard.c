/* qvault scorecard [--org ORG] [--from DATE] [--to DATE] [--json] [--html FILE] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier" },
	{ "from", 0, OPT_VALUE, "DATE", "count events from this day (YYYY-MM-DD)" },
	{ "to", 0, OPT_VALUE, "DATE", "count events up to this day (YYYY-MM-DD)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "html", 0, OPT_FILE, "PAGE.html", "also write one self-contained HTML page with a chart" },
	CLI_OPT_FORCE,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static json_t *get(json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

static long long ival(json_t *o, const char *a, const char *b)
{
	return (long long)json_integer_value(b ? get(o, a, b) : json_object_get(o, a));
}

/* "3/4 (75.0%)" or "none" */
static void ratio(char *buf, size_t size, json_t *card, const char *metric, const char *part)
{
	long long of = ival(card, metric, "of"), n = ival(card, metric, part);

	/* a figure that does not fit is said to be so (on stderr), and shown as "?" */
	if (!of) {
		if (size > 4)
			memcpy(buf, "none", 5);
	} else if (cli_fmt(buf, size, "a figure of the scorecard", "%lld/%lld (%.1f%%)", n, of,
			   100.0 * (double)n / (double)of) < 0 && size > 1) {
		memcpy(buf, "?", 2);
	}
}

/* "average 1.5 days, worst 3.0 (4)" or "none" */
static void days(char *buf, size_t size, json_t *card, const char *metric)
{
	json_t *avg = get(card, metric, "average"), *worst = get(card, metric, "worst");

	if (!json_is_number(avg)) {
		if (size > 4)
			memcpy(buf, "none", 5);
	} else if (cli_fmt(buf, size, "a figure of the scorecard",
			   "average %.2f days, worst %.2f (%lld)", json_number_value(avg),
			   json_number_value(worst), ival(card, metric, "count")) < 0 && size > 1) {
		memcpy(buf, "?", 2);
	}
}

/* "on time 5/8 (62.5%); 1 early, 1 late, 1 short", or "no firm bucket ended" */
static void schedule(char *buf, size_t size, json_t *card)
{
	char r[48];

	if (ival(card, "schedule_adherence", "of") == 0) {
		if (cli_fmt(buf, size, "a figure of the scorecard", "no firm bucket ended") < 0 &&
		    size > 1)
			memcpy(buf, "?", 2);
		return;
	}
	ratio(r, sizeof(r), card, "schedule_adherence", "on_time");
	if (cli_fmt(buf, size, "a figure of the scorecard", "on time %s; %lld early, %lld late, "
		    "%lld short", r, ival(card, "schedule_adherence", "early"),
		    ival(card, "schedule_adherence", "late"),
		    ival(card, "schedule_adherence", "short")) < 0 && size > 1)
		memcpy(buf, "?", 2);
}

static void print_text(json_t *root)
{
	json_t *card;
	size_t i;

	json_array_foreach(json_object_get(root, "suppliers"), i, card) {
		char a[128], b[64];

		printf("%s\n", json_string_value(json_object_get(card, "org")));
		ratio(a, sizeof(a), card, "on_time_promised", "on_time");
		ratio(b, sizeof(b), card, "on_time_due", "on_time");
		printf("  deliveries          %lld\n", ival(card, "deliveries", NULL));
		printf("  on time             promised %s, due %s\n", a, b);
		ratio(a, sizeof(a), card, "quantity_accuracy", "exact");
		printf("  quantity accuracy   %s\n", a);
		days(a, sizeof(a), card, "drawing_ack_days");
		printf("  drawing acks        %s\n", a);
		days(a, sizeof(a), card, "po_ack_days");
		printf("  PO acks             %s\n", a);
		ratio(a, sizeof(a), card, "fai_first_pass", "passed");
		printf("  FAI first pass      %s\n", a);
		printf("  NCRs                %lld, %lld open\n", ival(card, "ncrs", "total"),
		       ival(card, "ncrs", "open"));
		printf("  certificate gaps    %lld without CoC, %lld without material cert\n",
		       ival(card, "certificate_gaps", "no_coc"),
		       ival(card, "certificate_gaps", "no_material_cert"));
		schedule(a, sizeof(a), card);
		printf("  firm schedule       %s\n", a);
	}
	if (json_array_size(json_object_get(root, "suppliers")) == 0)
		printf("no suppliers\n");
}

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

/* A bar per month: its height the share on time, 100% at the top line. */
static void chart(FILE *f, json_t *months)
{
	size_t n = json_array_size(months), i;
	int width = 60 + 48 * (int)(n ? n : 1);
	json_t *m;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"190\" "
		"role=\"img\" aria-label=\"on-time delivery by month\">\n", width);
	fprintf(f, "<line x1=\"40\" y1=\"20\" x2=\"%d\" y2=\"20\" class=\"grid\"/>"
		"<line x1=\"40\" y1=\"120\" x2=\"%d\" y2=\"120\" class=\"axis\"/>"
		"<text x=\"4\" y=\"24\">100%%</text><text x=\"16\" y=\"124\">0%%</text>\n", width - 10,
		width - 10);
	json_array_foreach(months, i, m) {
		int x = 48 + 48 * (int)i;
		json_t *rate = json_object_get(m, "rate");

		if (json_is_number(rate)) {
			int h = (int)(json_number_value(rate) * 100.0 + 0.5);

			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"32\" height=\"%d\" class=\"bar\"><title>",
				x, 120 - h, h);
			esc(f, json_string_value(json_object_get(m, "month")));
			fprintf(f, ": %lld of %lld on time</title></rect>"
				"<text x=\"%d\" y=\"%d\">%d%%</text>\n", ival(m, "on_time", NULL),
				ival(m, "of", NULL), x, 120 - h - 4, h);
		} else {
			fprintf(f, "<text x=\"%d\" y=\"116\">n/a</text>\n", x + 4);
		}
		fprintf(f, "<text x=\"%d\" y=\"140\" class=\"month\">", x - 4);
		esc(f, json_string_value(json_object_get(m, "month")));
		fprintf(f, "</text><text x=\"%d\" y=\"156\" class=\"month\">%lld rcv</text>\n", x,
			ival(m, "deliveries", NULL));
	}
	fputs("</svg>\n", f);
}

static int write_html(cli_out *o, json_t *root)
{
	static const char *const heads[] = { "Supplier", "Deliveries", "On time (promised)",
		"On time (due)", "Quantity accuracy", "Drawing acks", "PO acks", "FAI first pass",
		"NCRs (open)", "Certificate gaps", "Firm schedule" };
	FILE *f = cli_out_fopen(o);
	json_t *card;
	size_t i, k;

	if (!f)
		return EXIT_ERROR;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<title>Supplier scorecard</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;color:#222}\n"
	      "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:4px 8px;text-align:left}\n"
	      "th{background:#eee}figure{display:inline-block;margin:1em 2em 1em 0}\n"
	      "svg text{font-size:11px;fill:#333}.bar{fill:#3a7bd5}.axis{stroke:#333}"
	      ".grid{stroke:#ccc;stroke-dasharray:4}\n"
	      "</style>\n</head>\n<body>\n<h1>Supplier scorecard</h1>\n<p>Period: ", f);
	esc(f, json_string_value(json_object_get(root, "from")) ?
	    json_string_value(json_object_get(root, "from")) : "the beginning");
	fputs(" to ", f);
	esc(f, json_string_value(json_object_get(root, "to")) ?
	    json_string_value(json_object_get(root, "to")) : "now");
	fputs(". Computed from the vault's index by <code>qvault scorecard</code>.</p>\n<table>\n<tr>", f);
	for (k = 0; k < sizeof(heads) / sizeof(heads[0]); k++)
		fprintf(f, "<th>%s</th>", heads[k]);
	fputs("</tr>\n", f);
	json_array_foreach(json_object_get(root, "suppliers"), i, card) {
		char a[128];

		fputs("<tr><td>", f);
		esc(f, json_string_value(json_object_get(card, "org")));
		fprintf(f, "</td><td>%lld</td>", ival(card, "deliveries", NULL));
		ratio(a, sizeof(a), card, "on_time_promised", "on_time");
		fprintf(f, "<td>%s</td>", a);
		ratio(a, sizeof(a), card, "on_time_due", "on_time");
		fprintf(f, "<td>%s</td>", a);
		ratio(a, sizeof(a), card, "quantity_accuracy", "exact");
		fprintf(f, "<td>%s</td>", a);
		days(a, sizeof(a), card, "drawing_ack_days");
		fprintf(f, "<td>%s</td>", a);
		days(a, sizeof(a), card, "po_ack_days");
		fprintf(f, "<td>%s</td>", a);
		ratio(a, sizeof(a), card, "fai_first_pass", "passed");
		fprintf(f, "<td>%s</td><td>%lld (%lld)</td><td>%lld without CoC, %lld without material cert</td>",
			a, ival(card, "ncrs", "total"), ival(card, "ncrs", "open"),
			ival(card, "certificate_gaps", "no_coc"),
			ival(card, "certificate_gaps", "no_material_cert"));
		schedule(a, sizeof(a), card);
		fputs("<td>", f);
		esc(f, a);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<h2>On-time delivery by month</h2>\n"
	      "<p>Share of receipts on or before the promised date (the due date where nothing was promised).</p>\n", f);
	json_array_foreach(json_object_get(root, "suppliers"), i, card) {
		fputs("<figure>\n<figcaption>", f);
		esc(f, json_string_value(json_object_get(card, "org")));
		fputs("</figcaption>\n", f);
		chart(f, json_object_get(card, "months"));
		fputs("</figure>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	if (fclose(f) != 0) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path, strerror(errno));
		return EXIT_ERROR;
	}
	return cli_out_commit(o);
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *html = cli_opt_value(cmd, a, "html");
	char *text;
	json_t *root;
	cli_out o;
	int error, rc = EXIT_OK;

	if ((cli_opt_value(cmd, a, "org") &&
	     (rc = cli_check_plain_name(cmd, "--org", cli_opt_value(cmd, a, "org"))) != EXIT_OK) ||
	    (cli_opt_value(cmd, a, "from") &&
	     (rc = cli_check_date(cmd, "--from", cli_opt_value(cmd, a, "from"))) != EXIT_OK) ||
	    (cli_opt_value(cmd, a, "to") &&
	     (rc = cli_check_date(cmd, "--to", cli_opt_value(cmd, a, "to"))) != EXIT_OK))
		return rc;
	if (html && (rc = cli_out_begin(&o, html, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return rc;
	if ((error = vault_scorecard(&text, v, cli_opt_value(cmd, a, "org"),
				     cli_opt_value(cmd, a, "from"), cli_opt_value(cmd, a, "to"))) < 0) {
		if (html)
			cli_out_abort(&o);
		return cli_fail(error);
	}
	if ((root = json_loads(text, 0, NULL)) == NULL) {
		free(text);
		if (html)
			cli_out_abort(&o);
		fprintf(stderr, "qvault: cannot read the scorecard back\n");
		return EXIT_ERROR;
	}
	if (html) {
		rc = write_html(&o, root);
		cli_out_abort(&o); /* nothing left once committed */
	}
	if (rc == EXIT_OK && cli_opt_flag(cmd, a, "json"))
		printf("%s\n", text);
	else if (rc == EXIT_OK)
		print_text(root);
	json_decref(root);
	free(text);
	return rc;
}

const cli_command cli_cmd_scorecard = {
	"scorecard", "each supplier's on-time delivery, quantity accuracy, acknowledgment days, FAI, NCRs",
	"", 0, 0, opts, 1, run
};
