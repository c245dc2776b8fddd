/*
 * progress.c - progress of long work on stderr, as git shows it: one line
 * per stage, redrawn in place ("Checking commits:  45% (2250/5000)"),
 * ending ", done.".  On a terminal only, unless --progress; never with
 * --quiet alone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* A stage's line is on the terminal, not yet ended. */
static int line_open;

static void draw(const char *what, uint64_t done, uint64_t total, int finished, void *payload)
{
	(void)payload;
	if (total)
		fprintf(stderr, "\r%s: %3u%% (%" PRIu64 "/%" PRIu64 ")", what,
			(unsigned)(done >= total ? 100 : done * 100 / total), done, total);
	else
		fprintf(stderr, "\r%s: %" PRIu64, what, done);
	if (finished)
		fputs(", done.\n", stderr);
	line_open = !finished;
	fflush(stderr);
}

/* Does `cmd` offer --progress (the commands that do long work)? */
static int offers_progress(const cli_command *cmd)
{
	const cli_opt *o;

	for (o = cmd->opts; o && o->name; o++)
		if (strcmp(o->name, "progress") == 0)
			return 1;
	return 0;
}

vault_progress_cb cli_progress_for(const cli_command *cmd, const cli_args *a)
{
	if (!offers_progress(cmd))
		return NULL;
	/* as git: --progress even off a terminal, and even with --quiet */
	if (cli_opt_flag(cmd, a, "progress"))
		return draw;
	return cli_opt_flag(cmd, a, "quiet") || !isatty(STDERR_FILENO) ? NULL : draw;
}

void cli_progress_break(void)
{
	if (line_open) {
		fputc('\n', stderr);
		line_open = 0;
	}
}
