/* Where orders stand: qvault po list|show; asn list|show; inbox.  The library
 * answers JSON text (the same the API answers); --json prints it as it
 * is, and without it a table is read out of it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Member `key` of `o` as text: a string, a number, or "-" when absent. */
static const char *cell(char *buf, size_t size, json_t *o, const char *key)
{
	json_t *m = json_object_get(o, key);

	if (json_is_string(m))
		return json_string_value(m);
	if (json_is_integer(m) &&
	    cli_fmt(buf, size, key, "%" JSON_INTEGER_FORMAT, json_integer_value(m)) == 0)
		return buf;
	return "-";
}

/* The members `keys` ("po|supplier|...") of `o`, as cells of `t` (cell()). */
static void cells(cli_table *t, json_t *o, const char *keys)
{
	char b[32], key[64];
	const char *p = keys, *end;

	for (; ; p = end + 1) {
		end = strchrnul(p, '|');
		if ((size_t)(end - p) < sizeof(key)) {
			memcpy(key, p, (size_t)(end - p));
			key[end - p] = '\0';
			cli_table_cell(t, cell(b, sizeof(b), o, key));
		}
		if (!*end)
			break;
	}
}

/*
 * Print the library's answer `text` (taken over): as it is with --json,
 * else parsed and handed to `table`.
 */
static int print_answer(const cli_command *cmd, const cli_args *a, int error, char *text,
			void (*table)(json_t *j))
{
	json_t *j;

	if (error < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		printf("%s\n", text);
	} else if ((j = json_loads(text, 0, NULL)) != NULL) {
		table(j);
		json_decref(j);
	}
	free(text);
	return EXIT_OK;
}

/* ---- po list, po show ------------------------------------------------------- */

static void po_table(json_t *list)
{
	cli_table *t = cli_table_new("PO|SUPPLIER|STATE|>LINES|>ORDERED|>SHIPPED|>RECEIVED|DUE|PROMISED", 1);
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o)
		cells(t, o, "po|supplier|state|lines|qty|shipped|received|due|promised");
	cli_table_print(t);
}

static const cli_opt list_opts[] = {
	{ "open", 0, OPT_FLAG, NULL, "only POs with a line not yet received in full" },
	{ "supplier", 's', OPT_VALUE, "ORG", "only this supplier organization's (buying side)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON (schemas/portal-output.schema.json, po-list)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_po_list(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *supplier = cli_opt_value(cmd, a, "supplier");
	char *text = NULL;
	int error;

	if (supplier && (error = cli_check_plain_name(cmd, "--supplier", supplier)) != EXIT_OK)
		return error;
	error = vault_po_list(&text, v, supplier, cli_opt_flag(cmd, a, "open"));
	return print_answer(cmd, a, error, text, po_table);
}

static void po_show_table(json_t *po)
{
	char b[10][32];
	cli_table *t;
	json_t *o, *arr;
	size_t i;

	printf("PO %s for %s: %s, revision %s, ordered %s, shipped %s, received %s (recorded by %s "
	       "at %s)\n", cell(b[0], sizeof(b[0]), po, "po"), cell(b[1], sizeof(b[1]), po, "supplier"),
	       cell(b[2], sizeof(b[2]), po, "state"), cell(b[8], sizeof(b[8]), po, "revision"),
	       cell(b[3], sizeof(b[3]), po, "qty"),
	       cell(b[4], sizeof(b[4]), po, "shipped"), cell(b[5], sizeof(b[5]), po, "received"),
	       cell(b[6], sizeof(b[6]), po, "created_by"), cell(b[7], sizeof(b[7]), po, "created_at"));
	t = cli_table_new(">LINE|PART|>QTY|REVISION|DUE|PROMISED|>SHIPPED|>RECEIVED|STATE", 1);
	arr = json_object_get(po, "lines");
	json_array_foreach(arr, i, o) {
		cells(t, o, "line|part|qty");
		cli_table_cellf(t, "%s@%s", cell(b[0], sizeof(b[0]), o, "doc"),
				cell(b[1], sizeof(b[1]), o, "rev"));
		cells(t, o, "due|promised|shipped|received|state");
	}
	cli_table_print(t);
	arr = json_object_get(po, "lines");
	json_array_foreach(arr, i, o)
		if (json_object_get(o, "valid_from"))
			printf("blanket line %s: %s agreed from %s until %s, %s released, %s remaining\n",
			       cell(b[0], sizeof(b[0]), o, "line"), cell(b[1], sizeof(b[1]), o, "qty"),
			       cell(b[2], sizeof(b[2]), o, "valid_from"),
			       cell(b[3], sizeof(b[3]), o, "valid_until"),
			       cell(b[4], sizeof(b[4]), o, "released"),
			       cell(b[5], sizeof(b[5]), o, "remaining"));
	arr = json_object_get(po, "releases");
	if (json_array_size(arr))
		printf("releases:\n");
	json_array_foreach(arr, i, o) {
		printf("  %s. line %s: %s of %s due %s, by %s at %s; ", cell(b[0], sizeof(b[0]), o, "release"),
		       cell(b[1], sizeof(b[1]), o, "line"), cell(b[2], sizeof(b[2]), o, "qty"),
		       cell(b[3], sizeof(b[3]), o, "part"), cell(b[4], sizeof(b[4]), o, "due"),
		       cell(b[5], sizeof(b[5]), o, "released_by"), cell(b[6], sizeof(b[6]), o, "released_at"));
		if (json_object_get(o, "acknowledged"))
			printf("%s%s%s by %s\n", cell(b[0], sizeof(b[0]), o, "acknowledged"),
			       json_object_get(o, "promised") ? ", promised " : "",
			       json_object_get(o, "promised") ? cell(b[1], sizeof(b[1]), o, "promised") : "",
			       cell(b[2], sizeof(b[2]), o, "acknowledged_by"));
		else
			printf("not acknowledged yet\n");
	}
	arr = json_object_get(po, "changes");
	if (json_array_size(arr))
		printf("change orders:\n");
	json_array_foreach(arr, i, o) {
		char summary[4096], reason[2048];

		printf("  revision %s: %s (%s), by %s at %s\n", cell(b[0], sizeof(b[0]), o, "revision"),
		       cli_clean(summary, sizeof(summary), cell(b[1], sizeof(b[1]), o, "summary")),
		       cli_clean(reason, sizeof(reason), cell(b[2], sizeof(b[2]), o, "reason")),
		       cell(b[3], sizeof(b[3]), o, "changed_by"), cell(b[4], sizeof(b[4]), o, "changed_at"));
	}
	arr = json_object_get(po, "acknowledgments");
	if (json_array_size(arr))
		printf("acknowledgments:\n");
	json_array_foreach(arr, i, o) {
		printf("  %s. of revision %s, %s%s%s %s", cell(b[0], sizeof(b[0]), o, "seq"),
		       cell(b[6], sizeof(b[6]), o, "revision"),
		       json_object_get(o, "line") ? "line " : "the whole PO",
		       json_object_get(o, "line") ? cell(b[1], sizeof(b[1]), o, "line") : "", ":",
		       cell(b[2], sizeof(b[2]), o, "decision"));
		if (json_object_get(o, "promise"))
			printf(", promised %s", cell(b[3], sizeof(b[3]), o, "promise"));
		if (json_object_get(o, "qty"))
			printf(", qty %s", cell(b[3], sizeof(b[3]), o, "qty"));
		if (json_object_get(o, "reason"))
			printf(": %s", cell(b[3], sizeof(b[3]), o, "reason"));
		if (json_object_get(o, "note"))
			printf(" (%s)", cell(b[3], sizeof(b[3]), o, "note"));
		printf(", by %s at %s\n", cell(b[4], sizeof(b[4]), o, "signed_by"),
		       cell(b[5], sizeof(b[5]), o, "signed_at"));
	}
}

static const cli_opt show_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON (schemas/portal-output.schema.json)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_po_show(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text = NULL;
	int error = vault_po_show(&text, v, a->arg[0]);

	return print_answer(cmd, a, error, text, po_show_table);
}

const cli_command cli_cmd_po_list = {
	"po list", "purchase orders and where they stand: ordered, promised, shipped, received",
	"", 0, 0, list_opts, 1, run_po_list
};
const cli_command cli_cmd_po_show = {
	"po show", "one purchase order: its lines, promises, shipments, receipts, acknowledgments",
	"PO", 1, 1, show_opts, 1, run_po_show
};

/* ---- asn list, asn show --------------------------------------------------- */

static void asn_table(json_t *list)
{
	cli_table *t = cli_table_new("ASN|PO|SUPPLIER|SHIPPED|>PACKAGES|>QTY|>RECEIVED|STATE", 1);
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o)
		cells(t, o, "asn|po|supplier|ship_date|packages|qty|received|state");
	cli_table_print(t);
}

static const cli_opt asn_list_opts[] = {
	{ "po", 0, OPT_VALUE, "PO", "only this PO's ship notices" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON (schemas/portal-output.schema.json, asn-list)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_asn_list(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text = NULL;
	int error = vault_asn_list(&text, v, cli_opt_value(cmd, a, "po"));

	return print_answer(cmd, a, error, text, asn_table);
}

static void asn_show_table(json_t *asn)
{
	json_t *o, *arr, *r = json_object_get(asn, "receipt");
	cli_table *t;
	char b[6][32];
	size_t i;

	printf("ship notice %s of PO %s (%s), shipped %s", cell(b[0], sizeof(b[0]), asn, "asn"),
	       cell(b[1], sizeof(b[1]), asn, "po"), cell(b[2], sizeof(b[2]), asn, "supplier"),
	       cell(b[3], sizeof(b[3]), asn, "ship_date"));
	if (json_object_get(asn, "carrier"))
		printf(" by %s", cell(b[0], sizeof(b[0]), asn, "carrier"));
	if (json_object_get(asn, "tracking"))
		printf(", tracking %s", cell(b[0], sizeof(b[0]), asn, "tracking"));
	if (json_integer_value(json_object_get(asn, "revision")) > 0)
		printf("; replaced (revision %s)", cell(b[0], sizeof(b[0]), asn, "revision"));
	if (json_object_get(asn, "cancelled_by"))
		printf("; cancelled %s by %s%s%s", cell(b[0], sizeof(b[0]), asn, "cancelled_at"),
		       cell(b[1], sizeof(b[1]), asn, "cancelled_by"),
		       json_object_get(asn, "cancel_reason") ? ": " : "",
		       json_object_get(asn, "cancel_reason") ? cell(b[2], sizeof(b[2]), asn, "cancel_reason") : "");
	else if (r)
		printf("; received %s by %s%s%s", cell(b[0], sizeof(b[0]), r, "date"),
		       cell(b[1], sizeof(b[1]), r, "received_by"), json_object_get(r, "note") ? ": " : "",
		       json_object_get(r, "note") ? cell(b[2], sizeof(b[2]), r, "note") : "");
	else
		printf("; not received yet");
	printf("\n");
	t = cli_table_new("PACKAGE|LOT|>QTY", 1);
	arr = json_object_get(asn, "packages");
	json_array_foreach(arr, i, o)
		cells(t, o, "package|lot|qty");
	cli_table_print(t);
	t = cli_table_new("LOT|>LINE|PART|>SHIPPED|>RECEIVED", 1);
	arr = json_object_get(asn, "lots");
	json_array_foreach(arr, i, o)
		cells(t, o, "lot|line|part|shipped|received");
	cli_table_print(t);
}

static int run_asn_show(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text = NULL;
	int error = vault_asn_show(&text, v, a->arg[0]);

	return print_answer(cmd, a, error, text, asn_show_table);
}

const cli_command cli_cmd_asn_list = {
	"asn list", "ship notices and whether they were received",
	"", 0, 0, asn_list_opts, 1, run_asn_list
};
const cli_command cli_cmd_asn_show = {
	"asn show", "one ship notice: its packages, lots and receipt",
	"ASN", 1, 1, show_opts, 1, run_asn_show
};

/* ---- inbox ------------------------------------------------------------------ */

static void inbox_table(json_t *list)
{
	cli_table *t = cli_table_new("SINCE|>DAYS|ACTION|SUBJECT|ORG|DETAIL", 1);
	size_t i;
	json_t *o;

	/* the detail may be a record's text (a reason): the table cleans escapes */
	json_array_foreach(list, i, o) {
		cells(t, o, "since|age_days|action|subject|org");
		cli_table_cell(t, json_is_string(json_object_get(o, "detail")) ?
			       json_string_value(json_object_get(o, "detail")) :
			       json_string_value(json_object_get(o, "what")));
	}
	cli_table_print(t);
	if (json_array_size(list) == 0)
		printf("(nothing to do)\n");
}

static const cli_opt inbox_opts[] = {
	{ "days", 0, OPT_VALUE, "N", "the buying side chases what is unanswered after N days (3)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON (schemas/portal-output.schema.json, inbox)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run_inbox(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *d = cli_opt_value(cmd, a, "days");
	unsigned long days = 3;
	char *text = NULL, *end = NULL;
	int error;

	if (d) {
		errno = 0;
		days = strtoul(d, &end, 10);
		if (errno || !*d || *end || *d == '-' || days > 3650)
			return cli_usage_error(cmd, "--days '%s' is not a number of days from 0 to 3650",
					       d);
	}
	error = vault_inbox(&text, v, (unsigned)days);
	return print_answer(cmd, a, error, text, inbox_table);
}

const cli_command cli_cmd_inbox = {
	"inbox", "your open actions, oldest first, with their ages",
	"", 0, 0, inbox_opts, 1, run_inbox
};
