/* qvault edi read: what qvault makes of an X12 interchange, writing nothing */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const cli_opt read_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print the JSON list the import would take" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The whole number at `key` of `o` as a cell, or an empty cell if it has none. */
static void int_cell(cli_table *t, json_t *o, const char *key)
{
	if (json_object_get(o, key))
		cli_table_cellf(t, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(o, key)));
	else
		cli_table_cell(t, "");
}

/* One row per schedule: its first and last buckets, its total quantity. */
static void print_forecasts(json_t *rows)
{
	cli_table *t = cli_table_new("SCHEDULE|SUPPLIER|PART|SHIP-TO|ISSUED|>BUCKETS|FIRST|LAST|>QTY", 1);
	const char *keys[] = { "schedule", "supplier", "part", "ship_to", "issued" };
	json_t *o;
	size_t i, k;

	json_array_foreach(rows, i, o) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			cli_table_cell(t, str(o, keys[k]));
		int_cell(t, o, "buckets");
		cli_table_cell(t, str(o, "first"));
		cli_table_cell(t, str(o, "last"));
		int_cell(t, o, "qty");
	}
	cli_table_print(t);
}

static void print_asns(json_t *rows)
{
	cli_table *t = cli_table_new("ASN|PO|SHIP-DATE|>PACKAGES", 1);
	json_t *o;
	size_t i;

	json_array_foreach(rows, i, o) {
		cli_table_cell(t, str(o, "asn"));
		cli_table_cell(t, str(o, "po"));
		cli_table_cell(t, str(o, "ship_date"));
		int_cell(t, o, "packages");
	}
	cli_table_print(t);
}

static void print_pos(json_t *rows)
{
	cli_table *t = cli_table_new("PO|SUPPLIER|>LINES|>QTY|BLANKET", 1);
	json_t *o;
	size_t i;

	json_array_foreach(rows, i, o) {
		cli_table_cell(t, str(o, "po"));
		cli_table_cell(t, str(o, "supplier"));
		int_cell(t, o, "lines");
		int_cell(t, o, "qty");
		cli_table_cell(t, json_is_true(json_object_get(o, "blanket")) ? "yes" : "no");
	}
	cli_table_print(t);
}

/* A 997: a row per set answered, its group's status beside it, and the error. */
static void print_997(json_t *groups)
{
	cli_table *t = cli_table_new("GROUP|CONTROL|STATUS|SET|SET-CONTROL|SET-STATUS|CODE|SEGMENT|POSITION|ELEMENT", 1);
	json_t *g, *st, *e;
	size_t i, k;

	json_array_foreach(groups, i, g) {
		json_array_foreach(json_object_get(g, "sets"), k, st) {
			e = json_array_get(json_object_get(st, "errors"), 0);
			cli_table_cell(t, str(g, "group"));
			cli_table_cell(t, str(g, "control"));
			cli_table_cell(t, str(g, "status"));
			cli_table_cell(t, str(st, "set"));
			cli_table_cell(t, str(st, "control"));
			cli_table_cell(t, str(st, "status"));
			cli_table_cell(t, str(st, "code"));
			cli_table_cell(t, e ? str(e, "segment") : "");
			if (e)
				cli_table_cellf(t, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(e, "position")));
			else
				cli_table_cell(t, "");
			if (e && json_object_get(e, "element"))
				cli_table_cellf(t, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(e, "element")));
			else
				cli_table_cell(t, "");
		}
	}
	cli_table_print(t);
}

static void print_changes(json_t *rows)
{
	cli_table *t = cli_table_new("PO|SUPPLIER|PURPOSE|>LINES", 1);
	json_t *o;
	size_t i;

	json_array_foreach(rows, i, o) {
		cli_table_cell(t, str(o, "po"));
		cli_table_cell(t, str(o, "supplier"));
		cli_table_cell(t, str(o, "purpose"));
		int_cell(t, o, "lines");
	}
	cli_table_print(t);
}

/* An 855: a row per acknowledgment. */
static void print_855(json_t *acks)
{
	cli_table *t = cli_table_new("PO|>LINE|>RELEASE|DECISION|PROMISE|>QTY|NOTE|REASON", 1);
	json_t *o;
	size_t i;

	json_array_foreach(acks, i, o) {
		cli_table_cell(t, str(o, "po"));
		int_cell(t, o, "line");
		int_cell(t, o, "release");
		cli_table_cell(t, str(o, "decision"));
		cli_table_cell(t, str(o, "promise"));
		int_cell(t, o, "qty");
		cli_table_cell(t, str(o, "note"));
		cli_table_cell(t, str(o, "reason"));
	}
	cli_table_print(t);
}

static int run_read(const cli_command *cmd, cli_args *a, vault *v)
{
	char *text;
	const char *shape;
	json_t *list;
	int error, json = cli_opt_flag(cmd, a, "json");

	(void)v;
	/* the table needs a row per item, not the items: the library sums them */
	if ((error = vault_edi_read(&text, &shape, a->arg[0],
				    json ? 0 : VAULT_EDI_SUMMARY)) < 0)
		return cli_fail(error);
	if (json) {
		printf("%s\n", text);
		free(text);
		return EXIT_OK;
	}
	if ((list = json_loads(text, 0, NULL)) == NULL) {
		free(text);
		fprintf(stderr, "qvault: the library's JSON does not parse\n");
		return EXIT_ERROR;
	}
	free(text);
	if (strcmp(shape, "asn") == 0)
		print_asns(list);
	else if (strcmp(shape, "po") == 0)
		print_pos(list);
	else if (strcmp(shape, "po-change") == 0)
		print_changes(list);
	else if (strcmp(shape, "997") == 0)
		print_997(list);
	else if (strcmp(shape, "855") == 0)
		print_855(list);
	else
		print_forecasts(list);
	json_decref(list);
	return EXIT_OK;
}

const cli_command cli_cmd_edi_read = {
	"edi read", "show what an X12 interchange (850, 860, 856, 830 or 862, or a 997 or 855 qvault wrote) reads as, writing nothing",
	"FILE", 1, 1, read_opts, 0, run_read
};
