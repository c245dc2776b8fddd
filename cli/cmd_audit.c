/* qvault audit [--org ORG] [--ack-days N] [--json] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

	if (cli_opt_value(cmd, a, "org") &&
	    (error = cli_check_name(cmd, "--org", cli_opt_value(cmd, a, "org"))) != EXIT_OK)
		return error;
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

const cli_command cli_cmd_audit = {
	"audit", "the compliance gaps, with the records involved (exit 3 when there are any)",
	"", 0, 0, audit_opts, 1, run_audit
};
