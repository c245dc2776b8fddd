/*
 * table.c - the one table printer of the commands that print columns:
 * rows are collected first, then printed with each column as wide as its
 * widest value, under a header row.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define TABLE_COLS 16

struct cli_table {
	size_t ncols;
	int header;
	char *heads[TABLE_COLS];
	int right[TABLE_COLS];
	char **cells; /* row after row, ncols each */
	size_t count, alloc;
};

static char *dup_or_die(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (!d)
		abort();
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

cli_table *cli_table_new(const char *heads, int header)
{
	cli_table *t = calloc(1, sizeof(*t));
	const char *p = heads, *end;

	if (!t)
		abort();
	t->header = header;
	for (; t->ncols < TABLE_COLS; p = end + 1) {
		end = strchrnul(p, '|');
		if (*p == '>') {
			t->right[t->ncols] = 1;
			p++;
		}
		t->heads[t->ncols++] = dup_or_die(p, (size_t)(end - p));
		if (!*end)
			break;
	}
	return t;
}

void cli_table_cell(cli_table *t, const char *s)
{
	char *c;
	size_t i;

	if (t->count == t->alloc) {
		char **grown;

		t->alloc = t->alloc ? 2 * t->alloc : 64;
		if ((grown = realloc(t->cells, t->alloc * sizeof(*grown))) == NULL)
			abort();
		t->cells = grown;
	}
	if (!s || !*s)
		s = "-";
	/* a record forged around qvault may hold escapes: never to the terminal */
	c = dup_or_die(s, strlen(s));
	for (i = 0; c[i]; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
			c[i] = '?';
	t->cells[t->count++] = c;
}

void cli_table_cellf(cli_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	cli_table_cell(t, s);
	free(s);
}

size_t cli_table_rows(const cli_table *t)
{
	return t->count / t->ncols;
}

/* What a terminal shows of `s`: its characters, not its bytes (UTF-8). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_row(const cli_table *t, char *const *row, const size_t *w)
{
	size_t k, pad;

	for (k = 0; k < t->ncols; k++) {
		pad = w[k] - width(row[k]);
		if (k)
			fputs("  ", stdout);
		if (t->right[k])
			printf("%*s%s", (int)pad, "", row[k]);
		else if (k + 1 < t->ncols)
			printf("%s%*s", row[k], (int)pad, "");
		else
			fputs(row[k], stdout);
	}
	fputc('\n', stdout);
}

void cli_table_print(cli_table *t)
{
	size_t w[TABLE_COLS] = { 0 }, i, k, rows = cli_table_rows(t);

	for (k = 0; k < t->ncols; k++) {
		if (t->header)
			w[k] = width(t->heads[k]);
		for (i = 0; i < rows; i++)
			if (width(t->cells[i * t->ncols + k]) > w[k])
				w[k] = width(t->cells[i * t->ncols + k]);
	}
	if (t->header && rows)
		print_row(t, t->heads, w);
	for (i = 0; i < rows; i++)
		print_row(t, t->cells + i * t->ncols, w);
	cli_table_free(t);
}

void cli_table_free(cli_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->heads[i]);
	for (i = 0; i < t->count; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
