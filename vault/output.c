#include "output.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

void vault_output__init(vault_output *o)
{
	memset(o, 0, sizeof(*o));
}

void vault_output__dispose(vault_output *o)
{
	free(o->data);
	vault_output__init(o);
}

/* Room for `n` more bytes and the NUL. */
static char *reserve(vault_output *o, size_t n)
{
	if (n > SIZE_MAX / 2 - o->len - 1)
		abort();
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *grown = realloc(o->data, cap);

		if (!grown)
			abort();
		o->data = grown;
		o->cap = cap;
	}
	return o->data + o->len;
}

static void add(vault_output *o, const char *s, size_t n)
{
	memcpy(reserve(o, n), s, n);
	o->len += n;
	o->data[o->len] = '\0';
}

/*
 * A cell a spreadsheet would take for a formula (or, after a tab or a
 * carriage return it strips, a formula).  A value that legitimately starts
 * with '-', such as a negative number, is neutralized too: it reads back
 * as text ("'-5"), which is the price of the rule.
 */
static int formula_like(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void vault_output__cell(vault_output *o, const char *s)
{
	char *guarded = NULL;
	size_t len, n;

	if (o->cells++ > 0)
		add(o, ",", 1);
	if (!s)
		return;
	len = strlen(s);
	if (formula_like(s)) {
		if ((guarded = malloc(len + 2)) == NULL)
			abort();
		guarded[0] = '\'';
		memcpy(guarded + 1, s, len + 1);
		s = guarded;
		len++;
	}
	if (s[strcspn(s, ",\"\r\n")]) {
		n = csv_write(NULL, 0, s, len);
		if (csv_write(reserve(o, n), n, s, len) != n)
			abort();
		o->len += n;
		o->data[o->len] = '\0';
	} else {
		add(o, s, len);
	}
	free(guarded);
}

void vault_output__end_row(vault_output *o)
{
	add(o, "\r\n", 2);
	o->cells = 0;
}

char *vault_output__detach(vault_output *o)
{
	char *data = o->data ? o->data : strdup("");

	if (!data)
		abort();
	vault_output__init(o);
	return data;
}
