/*
 * table.c - the one table printer of the commands that print columns:
 * rows are collected first, then printed with each column as wide as its
 * widest value, under a header row.  A table too long to hold (qvault
 * list of a large vault) is read twice: measured a batch of rows at a
 * time, then printed a batch at a time.
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
	size_t w[TABLE_COLS]; /* the widest of each column in the rows measured or printed */
	int printed;          /* whether the header has been printed */
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

/* Fold the widths of the rows held into t->w. */
static void fit(cli_table *t)
{
	size_t i, k, rows = cli_table_rows(t);

	for (k = 0; k < t->ncols; k++) {
		if (t->header && width(t->heads[k]) > t->w[k])
			t->w[k] = width(t->heads[k]);
		for (i = 0; i < rows; i++)
			if (width(t->cells[i * t->ncols + k]) > t->w[k])
				t->w[k] = width(t->cells[i * t->ncols + k]);
	}
}

static void drop_rows(cli_table *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		free(t->cells[i]);
	t->count = 0;
}

void cli_table_measure(cli_table *t)
{
	fit(t);
	drop_rows(t);
}

void cli_table_flush(cli_table *t)
{
	size_t i, rows = cli_table_rows(t);

	fit(t);
	if (t->header && rows && !t->printed) {
		print_row(t, t->heads, t->w);
		t->printed = 1;
	}
	for (i = 0; i < rows; i++)
		print_row(t, t->cells + i * t->ncols, t->w);
	drop_rows(t);
}

void cli_table_print(cli_table *t)
{
	cli_table_flush(t);
	cli_table_free(t);
}

void cli_table_free(cli_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->heads[i]);
	drop_rows(t);
	free(t->cells);
	free(t);
}
