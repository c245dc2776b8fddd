#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "common.h"
#include "error.h"
#include "util.h"

void *vault_strings__own(vault_strings *s, void *block)
{
	if (!block)
		abort();
	if (s->count == s->cap) {
		char **grown;

		s->cap = s->cap ? s->cap * 2 : 64;
		if ((grown = realloc(s->items, s->cap * sizeof(char *))) == NULL)
			abort();
		s->items = grown;
	}
	s->items[s->count++] = block;
	return block;
}

const char *vault_strings__keep(vault_strings *s, const char *p, size_t n)
{
	char *copy = malloc(n + 1);

	if (!copy)
		abort();
	memcpy(copy, p, n);
	copy[n] = '\0';
	return vault_strings__own(s, copy);
}

void vault_strings__dispose(vault_strings *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

int vault_input__read(char **data, size_t *len, vault *v, const char *path)
{
	uint64_t limit = UINT64_MAX - 1;
	char subject[4200];
	size_t cap = 0;
	struct stat st;
	FILE *f;
	int error = 0;

	*data = NULL;
	*len = 0;
	if ((error = vault__fmt(subject, sizeof(subject), "path", "'%s'", path)) < 0)
		return error;
	if (v && (error = vault_limit_check(&limit, v, VAULT_LIMIT_IMPORT, NULL, subject, 0)) < 0)
		return error;
	if ((f = fopen(path, "rb")) == NULL)
		return errno == ENOENT ?
			vault_error__set(VAULT_ENOTFOUND, "file '%s' does not exist", path) :
			vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	/* a file's size is known before a byte is read; a pipe's is counted */
	if (v && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    (error = vault_limit_check(&limit, v, VAULT_LIMIT_IMPORT, NULL, subject,
				       (uint64_t)st.st_size)) < 0)
		goto done;
	for (;;) {
		size_t n;

		if (*len + 65536 > cap) {
			char *grown = realloc(*data, cap = (*len + 65536) * 2);

			if (!grown)
				abort();
			*data = grown;
		}
		if ((n = fread(*data + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
		if (v && *len > limit) {
			error = vault_limit_check(&limit, v, VAULT_LIMIT_IMPORT, NULL, subject,
						  (uint64_t)*len);
			goto done;
		}
	}
done:
	fclose(f);
	if (error < 0) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	return error;
}

int vault_input__is_json(const char *data, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	return i < len && data[i] == '[';
}

typedef struct {
	vault_strings *keep;
	const char *const *columns;
	size_t ncolumns, noptional;
	size_t width;           /* columns of the header, once read */
	const char **field;
	size_t nfield, row, rows;
	size_t max_rows;        /* 0: no limit */
	int over;               /* past max_rows: rows are only counted */
	vault_row_cb cb;
	void *payload;
	int error;
	char message[1024];
	char header[256];
} csv_ctx;

static void stop(csv_ctx *c, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void stop(csv_ctx *c, int error, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	/* a message cut to fit says so */
	if (n < 0 || (size_t)n >= sizeof(c->message))
		memcpy(c->message + sizeof(c->message) - 4, "...", 4);
	c->error = error;
}

static void on_field(void *s, size_t len, void *data)
{
	csv_ctx *c = data;

	if (c->error) {
		c->nfield++;    /* past the row limit, rows are still counted */
		return;
	}
	if (memchr(s, '\0', len))
		stop(c, VAULT_EINVALID, "row %zu: a field holds a NUL byte", c->row + 1);
	else if (c->nfield < c->ncolumns)
		c->field[c->nfield] = vault_strings__keep(c->keep, s, len);
	c->nfield++;
}

/* The expected header, "a,b,c[,d]", in the context's buffer. */
static const char *header(csv_ctx *c)
{
	size_t k, o = 0, first_optional = c->ncolumns - c->noptional;

	c->header[0] = '\0';
	for (k = 0; k < c->ncolumns; k++) {
		if (vault__fmt(c->header + o, sizeof(c->header) - o, "header", "%s%s%s%s",
			       k == first_optional ? "[" : "", k ? "," : "", c->columns[k],
			       k + 1 == c->ncolumns && c->noptional ? "]" : "") < 0)
			return "(the columns of this kind of file)";
		o += strlen(c->header + o);
	}
	return c->header;
}

static void on_row(int term, void *data)
{
	csv_ctx *c = data;
	size_t i;

	(void)term;
	c->row++;
	if (c->error) {
		if (c->over && c->nfield > 0)
			c->rows++;
		c->nfield = 0;
		return;
	}
	if (c->row == 1 && c->nfield <= c->ncolumns &&
	    c->nfield >= c->ncolumns - c->noptional)
		c->width = c->nfield;
	if (c->row == 1 && c->width == 0) {
		stop(c, VAULT_EINVALID, "row 1: the header has %zu columns, expected %s", c->nfield,
		     header(c));
	} else if (c->nfield != c->width) {
		stop(c, VAULT_EINVALID, "row %zu: %zu fields, the header names %zu", c->row,
		     c->nfield, c->width);
	} else if (c->row == 1) {
		for (i = 0; i < c->width; i++)
			if (strcmp(c->field[i], c->columns[i]) != 0) {
				stop(c, VAULT_EINVALID, "row 1: column %zu is '%.64s', expected '%s' (header: %s)",
				     i + 1, c->field[i], c->columns[i], header(c));
				break;
			}
	} else {
		for (i = c->width; i < c->ncolumns; i++)
			c->field[i] = "";
		if (++c->rows > c->max_rows && c->max_rows) {
			c->over = 1;
			stop(c, VAULT_EINVALID, "over the limit");
		} else if (c->cb(c->payload, c->field, c->row) < 0)
			stop(c, VAULT_EINVALID, "%s", vault_error_message());
	}
	c->nfield = 0;
}

int vault_input__csv(vault_strings *keep, const char *data, size_t len,
		     const char *const *columns, size_t ncolumns, size_t noptional,
		     size_t max_rows, vault_row_cb cb, void *payload)
{
	struct csv_parser p;
	csv_ctx c;
	int error = 0;

	memset(&c, 0, sizeof(c));
	c.keep = keep;
	c.columns = columns;
	c.ncolumns = ncolumns;
	c.noptional = noptional;
	c.max_rows = max_rows;
	c.cb = cb;
	c.payload = payload;
	if ((c.field = calloc(ncolumns, sizeof(char *))) == NULL)
		abort();
	/* a UTF-8 byte order mark, as spreadsheets write, is not data */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		data += 3, len -= 3;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(c.field);
		return vault_error__set(VAULT_ERROR, "cannot start the CSV parser");
	}
	if ((csv_parse(&p, data, len, on_field, on_row, &c) != len ||
	     csv_fini(&p, on_field, on_row, &c) != 0) && !c.error)
		error = vault_error__set(VAULT_EINVALID, "row %zu: %s", c.row + 1,
			csv_error(&p) == CSV_EPARSE ?
			"a quoted field is not closed, or a quote stands inside an unquoted one" :
			csv_strerror(csv_error(&p)));
	csv_free(&p);
	free(c.field);
	if (!error && c.over)
		error = vault_input__too_many(c.rows, max_rows);
	else if (!error && c.error)
		error = vault_error__set(c.error, "%s", c.message);
	if (!error && c.rows == 0)
		error = vault_error__set(VAULT_EINVALID, "the file has no rows after its header");
	return error;
}

int vault_input__too_many(size_t rows, size_t max_rows)
{
	return vault_error__set(VAULT_EINVALID,
		"the file has %zu rows, over the limit of %zu (git config " VAULT_CFG_ROWS ")",
		rows, max_rows);
}

int vault_input__json_list(json_t **out, const char *data, size_t len, const char *items,
			   size_t max_rows)
{
	json_error_t jerr;

	if ((*out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return vault_error__set(VAULT_EINVALID, "line %d: %s", jerr.line, jerr.text);
	if (!json_is_array(*out)) {
		json_decref(*out);
		*out = NULL;
		return vault_error__set(VAULT_EINVALID, "the file is not a JSON list of %s", items);
	}
	if (max_rows && json_array_size(*out) > max_rows) {
		size_t n = json_array_size(*out);

		json_decref(*out);
		*out = NULL;
		return vault_input__too_many(n, max_rows);
	}
	return 0;
}

int vault_input__max_rows(size_t *out, vault *v)
{
	uint64_t n;
	int error;

	*out = 0;
	if ((error = vault__limit(&n, v, VAULT_CFG_ROWS, VAULT_CFG_ROWS_DEFAULT)) < 0)
		return error;
	*out = n > SIZE_MAX ? SIZE_MAX : (size_t)n;
	return 0;
}
