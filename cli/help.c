/*
 * help.c - what qvault says about its commands beyond one command's
 * --help: the commands of a group (`qvault key`), and the nearest command
 * to one it does not know (`relase`: did you mean `release`?).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The length of the group of command `name`: its first word when it has two, else 0. */
static size_t group_len(const char *name)
{
	const char *sp = strchr(name, ' ');

	return sp ? (size_t)(sp - name) : 0;
}

/* Is `name` ("key generate") one of the commands of group `group` ("key")? */
static int in_group(const char *name, const char *group)
{
	size_t n = group_len(name);

	return n && n == strlen(group) && strncmp(name, group, n) == 0;
}

int cli_help_group(FILE *f, const char *group)
{
	size_t i;
	int n = 0;

	for (i = 0; cli_commands[i]; i++) {
		if (!in_group(cli_commands[i]->name, group))
			continue;
		if (n++ == 0)
			fprintf(f, "usage: qvault %s COMMAND [ARGS]\n\nCommands:\n", group);
		fprintf(f, "  %-22s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	}
	if (n)
		fprintf(f, "\n'qvault %s COMMAND --help' describes one command.\n", group);
	return n;
}

int cli_help_subcommands(FILE *f, const char *name)
{
	size_t i;
	int n = 0;

	for (i = 0; cli_commands[i]; i++) {
		if (!in_group(cli_commands[i]->name, name))
			continue;
		if (n++ == 0)
			fprintf(f, "\nCommands of '%s':\n", name);
		fprintf(f, "  %-22s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	}
	return n;
}

#define WORD_MAX 64

/*
 * The Damerau-Levenshtein distance of `a` and `b` (insertions, deletions,
 * substitutions and swaps of two neighbours each cost 1; the optimal
 * string alignment form), or WORD_MAX for longer words.
 */
static size_t distance(const char *a, const char *b)
{
	size_t rows[3][WORD_MAX + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > WORD_MAX || lb > WORD_MAX)
		return WORD_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/*
 * The command whose first word (group NULL), or whose second word among
 * group `group`'s commands, is nearest to `typed`: that word, or with no
 * group the command's whole name.  NULL when none is near: at most 2
 * edits away, and fewer edits than `typed` has letters (a word `typed`
 * begins, "gen" of "generate", counts as one edit away).
 */
static const char *nearest(const char *typed, const char *group)
{
	const char *best = NULL;
	size_t best_d = 3, i, d;
	char word[WORD_MAX + 1];

	for (i = 0; cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name;
		size_t n = group_len(name);

		if (group) {
			if (!in_group(name, group))
				continue;
			name += n + 1;
		} else if (n) {
			if (n > WORD_MAX)
				continue;
			memcpy(word, name, n);
			word[n] = '\0';
			name = word;
		}
		d = strlen(typed) > 1 && strncmp(name, typed, strlen(typed)) == 0 ? 1 :
		    distance(typed, name);
		if (d < best_d && d < strlen(typed)) {
			best_d = d;
			best = group ? name : cli_commands[i]->name;
		}
	}
	return best;
}

int cli_unknown_command(int argc, char **argv, int k)
{
	const char *group = NULL, *typed = argv[k], *near;
	char shown[256];
	size_t i;

	for (i = 0; cli_commands[i] && !group; i++)
		if (in_group(cli_commands[i]->name, argv[k]))
			group = argv[k];
	if (group && k + 1 < argc &&
	    (strcmp(argv[k + 1], "--help") == 0 || strcmp(argv[k + 1], "-h") == 0)) {
		cli_help_group(stdout, group);
		return EXIT_OK;
	}
	if (group && k + 1 == argc) {
		cli_help_group(stderr, group);
		return EXIT_USAGE;
	}
	if (group)
		typed = argv[k + 1];
	near = nearest(typed, group);
	typed = cli_shown(shown, sizeof(shown), typed);
	if (group && near)
		fprintf(stderr, "qvault: unknown command '%s %s'; did you mean '%s %s'?\n", group,
			typed, group, near);
	else if (group)
		fprintf(stderr, "qvault: unknown command '%s %s' (see 'qvault %s --help')\n", group,
			typed, group);
	else if (near)
		fprintf(stderr, "qvault: unknown command '%s'; did you mean '%.*s'?\n", typed,
			group_len(near) ? (int)group_len(near) : (int)strlen(near), near);
	else
		fprintf(stderr, "qvault: unknown command '%s' (see 'qvault --help')\n", typed);
	return EXIT_USAGE;
}
