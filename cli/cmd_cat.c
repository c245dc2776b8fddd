/* qvault cat DOC[@REV] [-o FILE] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "output", 'o', OPT_FILE, "FILE", "write to FILE (only once the bytes check out)" },
	CLI_OPT_FORCE,
	{ "file", 0, OPT_VALUE, "N|NAME", "which file of the revision: its number from 1 (default 1) or its name" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Write to FILE through cli_out: in place only once the bytes checked out. */
static int cat_to_file(vault *v, const vault_revision *r, size_t index, cli_out *o)
{
	FILE *f = cli_out_fopen(o);
	int error, rc;

	if (!f) {
		cli_out_abort(o);
		return EXIT_ERROR;
	}
	error = vault_doc_cat(v, r, index, fileno(f));
	if (error == 0 && fsync(fileno(f)) < 0) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path, strerror(errno));
		error = VAULT_ERROR;
	} else if (error < 0) {
		cli_fail(error);
	}
	if (fclose(f) != 0 && error == 0) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path, strerror(errno));
		error = VAULT_ERROR;
	}
	if (error < 0) {
		cli_out_abort(o);
		return error == VAULT_EVERIFY ? EXIT_VERIFY : EXIT_ERROR;
	}
	rc = cli_out_commit(o);
	return rc;
}

static int run(const cli_command *cmd, cli_args *a, vault *v)
{
	const char *doc, *rev, *out = cli_opt_value(cmd, a, "output");
	const char *nth = cli_opt_value(cmd, a, "file");
	vault_revision r;
	cli_out o;
	char buf[512], *end;
	unsigned long index = 1;
	int error;

	if (nth && *nth >= '0' && *nth <= '9') {
		errno = 0;
		index = strtoul(nth, &end, 10);
		if (errno || *end || index == 0)
			return cli_usage_error(cmd, "--file needs a number from 1 or a name, not '%s'", nth);
		nth = NULL;
	}
	cli_split_docrev(buf, sizeof(buf), a->arg[0], &doc, &rev);
	if (out && (error = cli_out_begin(&o, out, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return error;
	if ((error = vault_doc_get(&r, v, doc, rev)) < 0) {
		if (out)
			cli_out_abort(&o);
		return cli_fail(error);
	}
	if (nth) { /* a file by name: an FAI package member is certs/mtr-1.pdf */
		for (index = 0; index < r.nfiles && strcmp(r.files[index].name, nth) != 0; index++)
			;
		if (index++ == r.nfiles) {
			if (out)
				cli_out_abort(&o);
			fprintf(stderr, "qvault: '%s@%s' has no file '%s'\n", r.doc, r.rev, nth);
			vault_revision_dispose(&r);
			return EXIT_ERROR;
		}
	}
	if (strcmp(r.state, "superseded") == 0 || strcmp(r.state, "obsolete") == 0 ||
	    strcmp(r.state, "withdrawn") == 0)
		fprintf(stderr, "qvault: warning: '%s@%s' is %s\n", r.doc, r.rev, r.state);
	if (out) {
		error = cat_to_file(v, &r, index - 1, &o);
	} else {
		fflush(stdout);
		error = vault_doc_cat(v, &r, index - 1, STDOUT_FILENO);
		error = error < 0 ? cli_fail(error) : EXIT_OK;
	}
	vault_revision_dispose(&r);
	return error;
}

const cli_command cli_cmd_cat = {
	"cat", "write a revision's exact bytes, checked against their SHA-256",
	"DOC[@REV]", 1, 1, opts, 1, run
};
