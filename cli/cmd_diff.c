/* qvault diff DOC@REV [--from REV] [--json] */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "from", 0, OPT_VALUE, "REV", "compare with this revision (default: the one before)" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* A member of `o` as text, "-" when it is none or empty. */
static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

/*
 * A file's lines for a terminal: a control character of a supplier's file
 * (an escape that would clear the screen or retitle the window, a carriage
 * return that would hide a line) is shown as '?', as cli_clean() shows one.
 */
static void put_clean(const char *s)
{
	for (; *s; s++)
		putchar(((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f ? '?' : *s);
}

static void print_diff(const json_t *d)
{
	const json_t *c, *f;
	size_t i;

	printf("%s@%s -> %s@%s\n", str(d, "doc"), str(d, "from"), str(d, "doc"), str(d, "to"));
	json_array_foreach(json_object_get(d, "changes"), i, c)
		printf("  %-15s %s -> %s\n", str(c, "field"), str(c, "from"), str(c, "to"));
	json_array_foreach(json_object_get(d, "files"), i, f) {
		printf("  %-9s %s", str(f, "change"), str(f, "name"));
		if (json_is_string(json_object_get(f, "was")))
			printf(" (was %s)", str(f, "was"));
		if (json_object_get(f, "note") && !json_is_null(json_object_get(f, "note")))
			printf("  (%s)", str(f, "note"));
		printf("\n");
	}
	json_array_foreach(json_object_get(d, "files"), i, f)
		if (json_is_string(json_object_get(f, "diff")))
			put_clean(str(f, "diff"));
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev;
	char buf[512], *text = NULL;
	json_t *d;
	int error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (!rev)
		return cli_usage_error(cmd, "name the revision: DOC@REV");
	if ((error = vault_doc_diff(&text, v, doc, cli_opt_value(cmd, a, "from"), rev)) < 0)
		return cli_fail(error);
	if (cli_opt_flag(cmd, a, "json")) {
		fputs(text, stdout);
		fputc('\n', stdout);
	} else if ((d = json_loads(text, 0, NULL)) != NULL) {
		print_diff(d);
		json_decref(d);
	}
	free(text);
	return EXIT_OK;
}

const cli_command cli_cmd_diff = {
	"diff", "what changed between two revisions of a document: its record, its files, a text "
	"file's lines", "DOC@REV", 1, 1, opts, 1, run
};
