/* qvault list [--type T] [--part PN] [--json | --numbers] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "type", 't', OPT_VALUE, "T", "only documents of this type" },
	{ "part", 'p', OPT_VALUE, "PN", "only documents whose latest revision names this part" },
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "numbers", 0, OPT_FLAG, NULL, "print only the document numbers, one a line (for completion)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/*
 * Documents read at a time: what list holds, whatever the vault's size
 * (read all at once, 30,000 documents took 137 MB to print as JSON).
 */
#define LIST_PAGE 1000
/*
 * The pages whose table rows list holds to print them once the list is
 * read (about 2 MB); a longer list is read twice, measured then printed.
 */
#define TABLE_HOLD 10

typedef enum { AS_NUMBERS, AS_JSON, AS_TABLE, AS_MEASURE } list_as;

typedef struct {
	list_as as;
	cli_json_array json;
	cli_table *table;
	size_t pages; /* read so far */
} list_out;

/* One page of the list: printed, or (AS_MEASURE) held or measured for the table. */
static void page_out(list_out *o, const vault_revision_list *page)
{
	size_t i;

	/* past TABLE_HOLD pages, the rows held so far are measured and dropped */
	if (o->as == AS_MEASURE && o->pages >= TABLE_HOLD)
		cli_table_measure(o->table);
	for (i = 0; i < page->count; i++) {
		const vault_revision *r = &page->items[i];

		switch (o->as) {
		case AS_NUMBERS:
			printf("%s\n", r->doc);
			break;
		case AS_JSON:
			cli_json_item(&o->json, cli_revision_json(r));
			break;
		case AS_TABLE:
		case AS_MEASURE:
			cli_table_cell(o->table, r->doc);
			cli_table_cell(o->table, r->rev);
			cli_table_cell(o->table, r->type);
			cli_table_cell(o->table, r->state);
			cli_table_cell(o->table, r->title);
			break;
		}
	}
	if (o->as == AS_TABLE)
		cli_table_flush(o->table);
}

/* Every document `filter` matches, a page at a time, to `o`. */
static int each_page(list_out *o, vault *v, const vault_list_filter *filter)
{
	vault_list_filter f = *filter;
	vault_revision_list *page;
	char *after = NULL;
	size_t n;
	int error;

	f.limit = LIST_PAGE;
	o->pages = 0;
	do {
		f.after = after;
		if ((error = vault_doc_list(&page, v, &f)) < 0)
			break;
		/* an empty page (the list a multiple of LIST_PAGE long) is no page */
		if (page->count) {
			page_out(o, page);
			o->pages++;
		}
		free(after);
		n = page->count;
		after = n ? strdup(page->items[n - 1].doc) : NULL;
		vault_revision_list_free(page);
		if (n && !after)
			abort();
	} while (n == LIST_PAGE);
	free(after);
	return error;
}

/* Whether all of the list reached stdout (a full disk, a closed pipe: not). */
static int written(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return EXIT_OK;
	fprintf(stderr, "qvault: cannot write the list: %s\n", strerror(errno));
	return EXIT_ERROR;
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	vault_list_filter f = { cli_opt_value(cmd, a, "type"), cli_opt_value(cmd, a, "part"),
				NULL, 0, 0 };
	list_out o = { AS_TABLE, { 0, 0 }, NULL, 0 };
	int error;

	if ((f.type && (error = cli_check_enum(cmd, "--type", f.type, vault_doc_types)) != EXIT_OK) ||
	    (f.part && (error = cli_check_name(cmd, "--part", f.part)) != EXIT_OK))
		return error;
	if (cli_opt_flag(cmd, a, "json") && cli_opt_flag(cmd, a, "numbers"))
		return cli_usage_error(cmd, "--json and --numbers go one at a time");
	if (cli_opt_flag(cmd, a, "numbers") || cli_opt_flag(cmd, a, "json")) {
		o.as = cli_opt_flag(cmd, a, "numbers") ? AS_NUMBERS : AS_JSON;
		if ((error = each_page(&o, v, &f)) < 0)
			return cli_fail(error);
		error = o.as == AS_JSON ? cli_json_end(&o.json) : EXIT_OK;
		return error == EXIT_OK ? written() : error;
	}
	/*
	 * The table: held as it is read and printed at the end, up to
	 * TABLE_HOLD pages; longer, measured as it is read, then read again
	 * to print (a document added in between, numbered after the last
	 * page read, is listed as a page read later would list it).
	 */
	o.table = cli_table_new("DOC|REV|TYPE|STATE|TITLE", 1);
	o.as = AS_MEASURE;
	if ((error = each_page(&o, v, &f)) >= 0 && o.pages > TABLE_HOLD) {
		cli_table_measure(o.table);
		o.as = AS_TABLE;
		error = each_page(&o, v, &f);
	}
	if (error < 0) {
		cli_table_free(o.table);
		return cli_fail(error);
	}
	cli_table_print(o.table);
	return written();
}

const cli_command cli_cmd_list = {
	"list", "list documents with their latest revision",
	"", 0, 0, opts, CLI_INDEX_READS, run
};
