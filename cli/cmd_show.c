/* qvault show DOC[@REV] [--json] */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* A material certificate's EN 10204 data, as lines of the revision. */
static void print_certificate(vault *v, const vault_revision *r)
{
	static const char *const groups[] = { "chemical", "mechanical", NULL };
	char *text = NULL;
	const char *key;
	json_t *c, *val;
	size_t g;

	if (strcmp(r->type, "material-cert") != 0 || vault_cert_data(&text, v, r->doc, r->rev) < 0)
		return;
	if ((c = json_loads(text, 0, NULL)) != NULL) {
		printf("  EN 10204 %s certificate %s, issued %s\n",
		       json_string_value(json_object_get(c, "certificate_type")),
		       json_string_value(json_object_get(c, "certificate_number")),
		       json_string_value(json_object_get(c, "issue_date")));
		printf("  product  %s, grade %s, heat %s, by %s\n",
		       json_string_value(json_object_get(c, "product")),
		       json_string_value(json_object_get(c, "grade")),
		       json_string_value(json_object_get(c, "heat_number")),
		       json_string_value(json_object_get(c, "manufacturer")));
		if (json_object_get(c, "quantity"))
			printf("  quantity %s\n", json_string_value(json_object_get(c, "quantity")));
		if (json_object_get(c, "inspector"))
			printf("  inspector %s\n", json_string_value(json_object_get(c, "inspector")));
		for (g = 0; groups[g]; g++) {
			if (!json_object_size(json_object_get(c, groups[g])))
				continue;
			printf("  %-8s", groups[g]);
			json_object_foreach(json_object_get(c, groups[g]), key, val) {
				if (json_is_string(val))
					printf(" %s %s", key, json_string_value(val));
				else
					printf(" %s %g", key, json_number_value(val));
			}
			printf("\n");
		}
		json_decref(c);
	}
	free(text);
}

static void print_revision(vault *v, const vault_revision *r)
{
	char when[32];
	size_t i;

	vault_time_format(when, sizeof(when), r->added_at);
	printf("%s@%s  %s  %s\n", r->doc, r->rev, r->type, r->state);
	if (r->title)
		printf("  title    %s\n", r->title);
	for (i = 0; i < r->nparts; i++)
		printf("  part     %s\n", r->parts[i]);
	printf("  added    %s by %s%s%s\n  commit   %s\n", when, r->added_by,
	       r->org ? " of " : "", r->org ? r->org : "", r->commit);
	if (r->expires)
		printf("  expires  %s\n", r->expires);
	if (r->review_by)
		printf("  review   by %s\n", r->review_by);
	if (r->released_by) {
		vault_time_format(when, sizeof(when), r->released_at);
		printf("  released %s by %s to", when, r->released_by);
		for (i = 0; i < r->nto; i++)
			printf("%s%s", i ? ", " : " ", r->to[i]);
		printf("\n");
		if (r->effective)
			printf("  effective %s\n", r->effective);
		if (r->release_reason)
			printf("  reason   %s\n", r->release_reason);
		if (r->marking)
			printf("  marking  %s%s%s\n", r->marking, r->licence ? ", under " : "",
			       r->licence ? r->licence : "");
	}
	if (r->obsoleted_by) {
		vault_time_format(when, sizeof(when), r->obsoleted_at);
		printf("  obsolete %s by %s: %s\n", when, r->obsoleted_by, r->obsolete_reason);
	}
	if (r->withdrawn_by) {
		vault_time_format(when, sizeof(when), r->withdrawn_at);
		printf("  withdrawn %s by %s: %s\n", when, r->withdrawn_by, r->withdrawn_reason);
	}
	for (i = 0; i < r->nfiles; i++) {
		const char *line = r->files[i].findings, *end;

		printf("  file     %s  %s  %llu bytes\n           sha256 %s\n",
		       r->files[i].name, r->files[i].mime,
		       (unsigned long long)r->files[i].size, r->files[i].sha256);
		for (; line && *line; line = *end ? end + 1 : end) {
			end = strchrnul(line, '\n');
			printf("           finding: %.*s\n", (int)(end - line), line);
		}
	}
	print_certificate(v, r);
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev;
	char buf[512];
	int json = cli_opt_flag(cmd, a, "json"), error;

	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (rev) {
		vault_revision r;

		if ((error = vault_doc_get(&r, v, doc, rev)) < 0)
			return cli_fail(error);
		if (json)
			error = cli_print_json(cli_with_certificate(cli_revision_json(&r), v, &r));
		else
			print_revision(v, &r), error = EXIT_OK;
		vault_revision_dispose(&r);
		return error;
	} else {
		vault_revision_list *list;
		size_t i;

		if ((error = vault_doc_revisions(&list, v, doc)) < 0)
			return cli_fail(error);
		if (json) {
			json_t *revs = json_array();

			for (i = 0; i < list->count; i++)
				json_array_append_new(revs, cli_with_certificate(
					cli_revision_json(&list->items[i]), v, &list->items[i]));
			error = cli_print_json(json_pack("{s:s, s:s, s:o}", "doc", doc,
				"type", list->items[0].type, "revisions", revs));
		} else {
			printf("%s  %s  %zu revision%s\n", doc, list->items[0].type,
			       list->count, list->count == 1 ? "" : "s");
			for (i = 0; i < list->count; i++) {
				printf("\n");
				print_revision(v, &list->items[i]);
			}
			error = EXIT_OK;
		}
		vault_revision_list_free(list);
		return error;
	}
}

const cli_command cli_cmd_show = {
	"show", "show a document's revisions, or one revision",
	"DOC[@REV]", 1, 1, opts, CLI_INDEX_READS, run
};
