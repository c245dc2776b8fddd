/*
 * qvault import MANIFEST.json: many revisions, one commit, one pack.
 *
 * The manifest is a JSON array (schemas/import.schema.json) of
 * {"file", "doc", "type", "rev"?, "title"?, "parts"?, "name"?, "cert"?,
 * "expires"?, "review_by"?};
 * relative file paths are taken from the manifest's folder.  "cert" is a
 * material certificate's EN 10204 data (schemas/material-cert.schema.json),
 * checked by the library as `add --meta` is.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const cli_opt opts[] = {
	CLI_OPT_QUIET,
	CLI_OPT_PROGRESS,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

typedef struct {
	vault_add_options *entries;
	char **paths;
	const char ***parts;
	char **certs;     /* each entry's certificate data, JSON text, or NULL */
	size_t count;
} manifest;

static void manifest_dispose(manifest *m)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		free(m->paths[i]);
		free(m->parts[i]);
		free(m->certs[i]);
	}
	free(m->entries);
	free(m->paths);
	free(m->parts);
	free(m->certs);
}

static int entry_error(size_t i, const char *what)
{
	fprintf(stderr, "qvault: manifest entry %zu: %s\n", i + 1, what);
	return EXIT_ERROR;
}

/* Fill entry `i` from its JSON object; strings stay owned by `root`. */
static int read_entry(manifest *m, size_t i, json_t *e, const char *base)
{
	const char *file = NULL;
	json_t *parts = NULL, *cert = NULL, *p;
	json_error_t jerr;
	vault_add_options *o = &m->entries[i];
	size_t k, need;

	if (json_unpack_ex(e, &jerr, JSON_STRICT,
			   "{s:s, s:s, s:s, s?:s, s?:s, s?:o, s?:s, s?:o, s?:s, s?:s}",
			   "file", &file, "doc", &o->doc, "type", &o->type,
			   "rev", &o->rev, "title", &o->title, "parts", &parts,
			   "name", &o->name, "cert", &cert, "expires", &o->expires,
			   "review_by", &o->review_by) < 0)
		return entry_error(i, jerr.text);
	if (cert) {
		if (!json_is_object(cert))
			return entry_error(i, "'cert' is not an object of EN 10204 data");
		if ((m->certs[i] = json_dumps(cert, JSON_COMPACT)) == NULL)
			abort();
		o->meta = m->certs[i];
	}
	need = strlen(base) + strlen(file) + 2;
	if ((m->paths[i] = malloc(need)) == NULL)
		abort();
	/* sized for both above */
	if (file[0] == '/' || !*base)
		memcpy(m->paths[i], file, strlen(file) + 1);
	else if (cli_fmt(m->paths[i], need, "path", "%s/%s", base, file) < 0)
		return EXIT_ERROR;
	o->path = m->paths[i];
	if (parts) {
		if (!json_is_array(parts))
			return entry_error(i, "'parts' is not a list");
		if ((m->parts[i] = calloc(json_array_size(parts) + 1, sizeof(char *))) == NULL)
			abort();
		json_array_foreach(parts, k, p) {
			if (!json_is_string(p))
				return entry_error(i, "'parts' holds something not a string");
			m->parts[i][k] = json_string_value(p);
		}
		o->parts = m->parts[i];
		o->nparts = json_array_size(parts);
	}
	return EXIT_OK;
}

/* Whether `path` is named as a PDF (".pdf", in any case). */
static int named_pdf(const char *path)
{
	size_t len = strlen(path);

	return len > 4 && strcasecmp(path + len - 4, ".pdf") == 0;
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	manifest m = { NULL, NULL, NULL, NULL, 0 };
	json_error_t jerr;
	json_t *root, *e;
	char *base, *slash;
	size_t i, count;
	int rc = EXIT_OK, error;

	(void)cmd;
	if ((root = json_load_file(a->arg[0], JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		fprintf(stderr, "qvault: manifest '%s': %s (line %d)\n", a->arg[0],
			jerr.text, jerr.line);
		return EXIT_ERROR;
	}
	if (!json_is_array(root)) {
		fprintf(stderr, "qvault: manifest '%s' is not a JSON list\n", a->arg[0]);
		json_decref(root);
		return EXIT_ERROR;
	}
	base = strdup(a->arg[0]);
	if (!base)
		abort();
	slash = strrchr(base, '/');
	*(slash ? slash : base) = '\0'; /* "" when the manifest is here */
	m.count = json_array_size(root);
	m.entries = calloc(m.count + 1, sizeof(*m.entries));
	m.paths = calloc(m.count + 1, sizeof(*m.paths));
	m.parts = calloc(m.count + 1, sizeof(*m.parts));
	m.certs = calloc(m.count + 1, sizeof(*m.certs));
	if (!m.entries || !m.paths || !m.parts || !m.certs)
		abort();
	json_array_foreach(root, i, e)
		if ((rc = read_entry(&m, i, e, base)) != EXIT_OK)
			goto done;
	/* before the reader thread starts; a manifest of no PDF (by name:
	 * one otherwise named is still checked, by a server started afresh)
	 * does not load libqpdf */
	for (i = 0; i < m.count; i++)
		if (m.paths[i] && named_pdf(m.paths[i])) {
			cli_prepare_pdf();
			break;
		}
	if ((error = vault_doc_import(&count, v, m.entries, m.count)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	printf("imported %zu revision%s in one commit\n", count, count == 1 ? "" : "s");
done:
	manifest_dispose(&m);
	free(base);
	json_decref(root);
	return rc;
}

const cli_command cli_cmd_import = {
	"import", "add many revisions from a JSON manifest as one commit",
	"MANIFEST", 1, 1, opts, 1, run
};
