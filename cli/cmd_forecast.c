/* Forecasts and delivery schedules: qvault forecast import|show|ack. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- forecast import ----------------------------------------------------------- */

static const cli_opt import_opts[] = {
	CLI_OPT_ACK997,
	CLI_OPT_FORCE,
	CLI_OPT_X12_ACK_IDS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_import(const cli_command *cmd, cli_args *a, vault *v)
{
	return cli_import_ack(vault_forecast_import_ack, cmd, a, v, "schedule", "schedules");
}

const cli_command cli_cmd_forecast_import = {
	"forecast import",
	"record the forecasts and delivery schedules of a JSON, CSV or X12 830/862 file in one commit (buyer; "
	"--ack997: answer X12 with its 997)",
	"FILE", 1, 1, import_opts, 1, run_import
};

/* ---- forecast show --------------------------------------------------------------- */

static const cli_opt show_opts[] = {
	{ "part", 'p', OPT_VALUE, "PN", "the part (required)" },
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's schedules" },
	{ "ship-to", 0, OPT_VALUE, "S", "only the schedules to this ship-to" },
	{ "today", 0, OPT_VALUE, "DATE", "required to date counted through DATE's week (default: today)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON (schemas/output.schema.json#/$defs/forecast_show)" },
	{ "csv", 0, OPT_FLAG, NULL, "print one CSV row per week, for a spreadsheet" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/*
 * Member `key` of `o` for the text, in `buf`: a string as cli_shown shows
 * it (a record forged around qvault may hold escapes: never to the
 * terminal), a number in digits, else "-".
 */
static const char *num(char *buf, size_t size, const json_t *o, const char *key)
{
	const json_t *m = json_object_get(o, key);

	if (json_is_string(m))
		return cli_shown(buf, size, json_string_value(m));
	if (json_is_integer(m) &&
	    cli_fmt(buf, size, key, "%" JSON_INTEGER_FORMAT, json_integer_value(m)) == 0)
		return buf;
	return "-";
}

static void show_series(const json_t *s)
{
	const json_t *f = json_object_get(s, "forecast"), *d = json_object_get(s, "delivery");
	const json_t *w, *c, *r = json_object_get(s, "received");
	char b[6][VAULT_NAME_MAX + 4];
	cli_table *t;
	size_t i;

	printf("supplier %s, ship-to %s", num(b[0], sizeof(b[0]), s, "supplier"),
	       num(b[1], sizeof(b[1]), s, "ship_to"));
	if (f)
		printf("; forecast revision %s issued %s (%s)", num(b[0], sizeof(b[0]), f, "revision"),
		       num(b[1], sizeof(b[1]), f, "issued"), num(b[2], sizeof(b[2]), f, "unit"));
	if (json_object_get(s, "previous_revision"))
		printf(", against revision %s", num(b[0], sizeof(b[0]), s, "previous_revision"));
	if (d)
		printf("; delivery schedule revision %s issued %s (supersedes the forecast's weeks it "
		       "covers)", num(b[0], sizeof(b[0]), d, "revision"),
		       num(b[1], sizeof(b[1]), d, "issued"));
	printf("\n");
	t = cli_table_new("WEEK|START|ZONE|SOURCE|>FORECAST|>DELIVERY|>QTY|>PREVIOUS|>CHANGE|>CUM", 1);
	json_array_foreach(json_object_get(s, "weeks"), i, w) {
		const json_t *ch = json_object_get(w, "change");

		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "week"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "start"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "zone"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "source"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "forecast"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "delivery"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "qty"));
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "previous"));
		if (ch && json_integer_value(ch) > 0)
			cli_table_cellf(t, "up %" JSON_INTEGER_FORMAT, json_integer_value(ch));
		else if (ch && json_integer_value(ch) < 0)
			cli_table_cellf(t, "down %" JSON_INTEGER_FORMAT, -json_integer_value(ch));
		else
			cli_table_cell(t, ch ? "=" : "-");
		cli_table_cell(t, num(b[0], sizeof(b[0]), w, "cum_required"));
	}
	cli_table_print(t);
	printf("required to date %s", num(b[0], sizeof(b[0]), s, "required_to_date"));
	if (r)
		printf("; received %s since %s (%s as of %s, %s by receipts after)",
		       num(b[1], sizeof(b[1]), r, "total"), num(b[2], sizeof(b[2]), r, "since"),
		       num(b[3], sizeof(b[3]), r, "recorded"), num(b[4], sizeof(b[4]), r, "as_of"),
		       num(b[5], sizeof(b[5]), r, "receipts_after"));
	printf("\n");
	json_array_foreach(json_object_get(s, "changes"), i, c)
		printf("bucket %s: %s, %s -> %s\n", num(b[0], sizeof(b[0]), c, "start"),
		       num(b[1], sizeof(b[1]), c, "change"), num(b[2], sizeof(b[2]), c, "previous"),
		       num(b[3], sizeof(b[3]), c, "qty"));
	if ((c = json_object_get(s, "commitment")) != NULL) {
		printf("committed to revision %s by %s at %s", num(b[0], sizeof(b[0]), c, "revision"),
		       num(b[1], sizeof(b[1]), c, "signed_by"), num(b[2], sizeof(b[2]), c, "signed_at"));
		if (json_array_size(json_object_get(c, "changed_since")))
			printf("; changed since: %zu bucket%s",
			       json_array_size(json_object_get(c, "changed_since")),
			       json_array_size(json_object_get(c, "changed_since")) == 1 ? "" : "s");
		printf("\n");
	}
	if ((c = json_object_get(s, "counter_proposal")) != NULL)
		printf("counter-proposal to revision %s by %s at %s\n",
		       num(b[0], sizeof(b[0]), c, "revision"), num(b[1], sizeof(b[1]), c, "signed_by"),
		       num(b[2], sizeof(b[2]), c, "signed_at"));
}

static int run_show(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *part = cli_opt_value(cmd, a, "part"), *org = cli_opt_value(cmd, a, "org");
	const char *ship_to = cli_opt_value(cmd, a, "ship-to"), *today = cli_opt_value(cmd, a, "today");
	int csv = cli_opt_flag(cmd, a, "csv"), error;
	json_t *j, *s;
	char *text = NULL;
	size_t i;

	if (!part)
		return cli_usage_error(cmd, "give the part: --part PN");
	if (csv && cli_opt_flag(cmd, a, "json"))
		return cli_usage_error(cmd, "give --json or --csv, not both");
	if ((error = cli_check_name(cmd, "--part", part)) != EXIT_OK ||
	    (org && (error = cli_check_plain_name(cmd, "--org", org)) != EXIT_OK) ||
	    (ship_to && (error = cli_check_plain_name(cmd, "--ship-to", ship_to)) != EXIT_OK) ||
	    (today && (error = cli_check_date(cmd, "--today", today)) != EXIT_OK))
		return error;
	if ((error = vault_forecast_show(&text, v, part, org, ship_to, today,
					 csv ? VAULT_EXPORT_CSV : VAULT_EXPORT_JSON)) < 0)
		return cli_fail(error);
	if (csv || cli_opt_flag(cmd, a, "json")) {
		fputs(text, stdout);
		if (!csv)
			putchar('\n');
	} else if ((j = json_loads(text, 0, NULL)) != NULL) {
		char pb[2][VAULT_NAME_MAX + 4];

		printf("part %s, today %s\n", num(pb[0], sizeof(pb[0]), j, "part"),
		       num(pb[1], sizeof(pb[1]), j, "today"));
		json_array_foreach(json_object_get(j, "schedules"), i, s)
			show_series(s);
		json_decref(j);
	}
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_forecast_show = {
	"forecast show",
	"a part's forecasts as a grid by ISO week: zones, delivery schedule, change, cumulative",
	"", 0, 0, show_opts, 1, run_show
};

/* ---- forecast ack ------------------------------------------------------------------ */

static const cli_opt ack_opts[] = {
	{ "commit", 0, OPT_FLAG, NULL, "commit to the firm zone of the latest revision" },
	{ "bucket", 'b', OPT_LIST, "DATE", "propose a quantity for the bucket starting on DATE (repeatable, each with a --qty)" },
	{ "qty", 'q', OPT_LIST, "N", "the quantity proposed for the --bucket of the same place" },
	{ "revision", 'r', OPT_VALUE, "N", "the revision answered (default: the latest; an older one is refused)" },
	{ "delivery", 0, OPT_FLAG, NULL, "answer the delivery schedule, not the forecast" },
	{ "note", 'n', OPT_VALUE, "TEXT", "a note to the buyer" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_ack(const cli_command *cmd, cli_args *a, vault *v)
{
	const char **dates, **qtys, *at = strrchr(a->arg[0], '@');
	const char *rev = cli_opt_value(cmd, a, "revision");
	unsigned long long *qty = NULL, r = 0;
	long answered = 0;
	size_t nd = 0, nq = 0, i;
	vault_forecast_answer ans;
	char part[256];
	int rc = EXIT_OK, error;

	dates = cli_opt_list(cmd, a, "bucket", &nd);
	qtys = cli_opt_list(cmd, a, "qty", &nq);
	if (!at || at == a->arg[0] || !at[1] || (size_t)(at - a->arg[0]) >= sizeof(part))
		return cli_usage_error(cmd, "'%s' is not PART@SHIP_TO", a->arg[0]);
	memcpy(part, a->arg[0], (size_t)(at - a->arg[0]));
	part[at - a->arg[0]] = '\0';
	if (nd != nq)
		return cli_usage_error(cmd, "give one --qty for each --bucket");
	if (cli_opt_flag(cmd, a, "commit") == (nd > 0))
		return cli_usage_error(cmd, "give --commit, or --bucket DATE --qty N (repeatable)");
	if (rev && (error = cli_check_number(&r, cmd, "--revision", rev, 1, 999999)) != EXIT_OK)
		return error;
	qty = calloc(nd + 1, sizeof(*qty));
	if (!qty)
		abort();
	for (i = 0; i < nd && rc == EXIT_OK; i++)
		if ((rc = cli_check_date(cmd, "--bucket", dates[i])) == EXIT_OK)
			rc = cli_check_number(&qty[i], cmd, "--qty", qtys[i], 0, 1000000000ULL);
	if (rc == EXIT_OK) {
		memset(&ans, 0, sizeof(ans));
		ans.part = part;
		ans.ship_to = at + 1;
		ans.schedule = cli_opt_flag(cmd, a, "delivery") ? "delivery" : "forecast";
		ans.revision = (long)r;
		ans.commit = cli_opt_flag(cmd, a, "commit");
		ans.dates = dates;
		ans.qty = qty;
		ans.nbuckets = nd;
		ans.note = cli_opt_value(cmd, a, "note");
		if ((error = vault_forecast_ack(&answered, v, &ans)) < 0)
			rc = cli_fail(error);
		else
			printf("%s revision %ld of the %s of %s to %s\n", ans.commit ?
			       "committed to the firm zone of" : "proposed other quantities for",
			       answered, ans.schedule, part, at + 1);
	}
	free(qty);
	return rc;
}

const cli_command cli_cmd_forecast_ack = {
	"forecast ack",
	"answer your organization's latest forecast of PART to SHIP_TO: commit to its firm zone, or counter-propose (supplier, signed)",
	"PART@SHIP_TO", 1, 1, ack_opts, 1, run_ack
};
