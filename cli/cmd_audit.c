/*
 * qvault audit [--org ORG] [--ack-days N] [--expiry-days N] [--json]
 * qvault audit waive ID --reason TEXT --until DATE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt audit_opts[] = {
	{ "org", 0, OPT_VALUE, "ORG", "only this supplier's records" },
	{ "ack-days", 0, OPT_VALUE, "N", "days a supplier has to acknowledge a release (default 14)" },
	{ "expiry-days", 0, OPT_VALUE, "N", "show expiries and reviews coming within N days as due (default: git config qvault.expiryDays, else 30)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

typedef struct {
	int json;
	size_t count;   /* gaps printed */
	size_t open;    /* ... of which open */
	size_t due;     /* ... due: an expiry or review coming */
	size_t waived;
} audit_out;

/* A string of the library's JSON as text; "" for one that is not there. */
static const char *text_of(const json_t *j)
{
	return json_is_string(j) ? json_string_value(j) : "";
}

static void print_records(const json_t *records)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)records, key, val) {
		if (json_is_string(val))
			printf(" %s %s", key, json_string_value(val));
		else if (json_is_integer(val))
			printf(" %s %lld", key, (long long)json_integer_value(val));
		else
			printf(" %s -", key);
	}
}

/*
 * Each gap as it is found: a line of text, or an element of a JSON list;
 * the waived ones come last, under a heading of their own.
 */
static int print_gap(void *payload, const char *gap_json)
{
	audit_out *o = payload;
	const json_t *id, *waiver;
	json_t *g;
	int waived;

	if ((g = json_loads(gap_json, 0, NULL)) == NULL)
		return -1;
	waived = strcmp(json_string_value(json_object_get(g, "state")) ?
			json_string_value(json_object_get(g, "state")) : "", "waived") == 0;
	o->count++;
	if (waived)
		o->waived++;
	else if (strcmp(text_of(json_object_get(g, "state")), "due") == 0)
		o->due++;
	else
		o->open++;
	if (o->json) {
		printf("%s%s", o->count == 1 ? "[\n" : ",\n", gap_json);
		json_decref(g);
		return 0;
	}
	if (waived && o->waived == 1)
		printf("waived:\n");
	id = json_object_get(g, "id");
	waiver = json_object_get(g, "waiver");
	printf("%s%-17s %s:", waived ? "  " : "", text_of(json_object_get(g, "gap")),
	       text_of(json_object_get(g, "what")));
	print_records(json_object_get(g, "records"));
	printf(" id %s", json_is_string(id) ? json_string_value(id) : "-");
	if (waiver && waived)
		printf(" (waived until %s%s%s%s%s)", text_of(json_object_get(waiver, "until")),
		       json_object_get(waiver, "waived_by") ? " by " : "",
		       text_of(json_object_get(waiver, "waived_by")),
		       json_object_get(waiver, "reason") ? ": " : "",
		       text_of(json_object_get(waiver, "reason")));
	else if (waiver)
		printf(" (waiver ended %s)", text_of(json_object_get(waiver, "until")));
	printf("\n");
	json_decref(g);
	return 0;
}

static int run_audit(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *days = cli_opt_value(cmd, a, "ack-days");
	const char *expiry = cli_opt_value(cmd, a, "expiry-days");
	audit_out o = { cli_opt_flag(cmd, a, "json"), 0, 0, 0, 0 };
	unsigned long n = 14, window = 0;
	char *end;
	int error;

	if (cli_opt_value(cmd, a, "org") &&
	    (error = cli_check_plain_name(cmd, "--org", cli_opt_value(cmd, a, "org"))) != EXIT_OK)
		return error;
	if (days) {
		errno = 0;
		n = strtoul(days, &end, 10);
		if (errno || *end || !*days || n > 3650)
			return cli_usage_error(cmd, "--ack-days needs a number of days, not '%s'", days);
	}
	if (expiry) {
		errno = 0;
		window = strtoul(expiry, &end, 10);
		if (errno || *end || !*expiry || *expiry == '-' || window > 3650)
			return cli_usage_error(cmd, "--expiry-days needs a number of days up to 3650, not '%s'",
					       expiry);
	}
	/* printed as found: a million gaps take no more memory than one */
	if ((error = vault_audit_each(v, cli_opt_value(cmd, a, "org"), (unsigned)n,
				      expiry ? (int)window : -1, print_gap, &o)) < 0) {
		if (o.count)
			printf("\n");
		return cli_fail(error);
	}
	if (o.json)
		printf("%s]\n", o.count ? "\n" : "[");
	else {
		printf("%zu gap%s", o.open, o.open == 1 ? "" : "s");
		if (o.due)
			printf(", %zu due", o.due);
		if (o.waived)
			printf(", %zu waived", o.waived);
		printf("\n");
	}
	return o.open ? EXIT_VERIFY : EXIT_OK;
}

const cli_command cli_cmd_audit = {
	"audit", "the compliance gaps, with the records involved (exit 3 when any is open)",
	"", 0, 0, audit_opts, CLI_INDEX_READS, run_audit
};

/* ---- audit waive: quality waives a gap until a date ----------------------- */

static const cli_opt waive_opts[] = {
	{ "reason", 'r', OPT_VALUE, "TEXT", "why the gap is accepted for now (required)" },
	{ "until", 0, OPT_VALUE, "DATE", "the last day it holds, YYYY-MM-DD, within a year (required)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_waive(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *until = cli_opt_value(cmd, a, "until");
	int error;

	if ((error = vault_audit_waive(v, a->arg[0], cli_opt_value(cmd, a, "reason"), until)) < 0)
		return cli_fail(error);
	printf("waived %s until %s\n", a->arg[0], until);
	return EXIT_OK;
}

const cli_command cli_cmd_audit_waive = {
	"audit waive", "waive an audit gap until a date, with the reason (quality)",
	"ID", 1, 1, waive_opts, 1, run_waive
};
