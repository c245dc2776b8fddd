/*
 * input.h - files of rows that imports read: whole files, CSV (RFC 4180,
 * parsed by libcsv) with a fixed header, and the strings they hold.
 */
#ifndef VAULT_INPUT_H
#define VAULT_INPUT_H

#include <stddef.h>

#include <jansson.h>

#include "vault.h"

/* Strings kept for as long as an import needs them. */
typedef struct {
	char **items;
	size_t count, cap;
} vault_strings;

/* A NUL-terminated copy of p[0..n), owned by `s`. */
const char *vault_strings__keep(vault_strings *s, const char *p, size_t n);
/* Keep any malloc'd block, to be freed with the strings. */
void *vault_strings__own(vault_strings *s, void *block);
void vault_strings__dispose(vault_strings *s);

/*
 * The whole of file `path` (or a pipe, such as /proc/self/fd/N), malloc'd;
 * VAULT_ENOTFOUND when missing.  With `v`, VAULT_EINVALID over the limit
 * qvault.maxImportBytes: a file's size is checked before it is read, a
 * pipe is read no further than one chunk past the limit.
 */
int vault_input__read(char **data, size_t *len, vault *v, const char *path);

/* 1 when `data` holds JSON (its first non-blank byte opens a list). */
int vault_input__is_json(const char *data, size_t len);

/*
 * Parse `data` as a JSON list, duplicate keys refused; `items` names what
 * it lists in the error ("lots").  More than `max_rows` items (0: no
 * limit) is VAULT_EINVALID.  *out is the new list.
 */
int vault_input__json_list(json_t **out, const char *data, size_t len, const char *items,
			   size_t max_rows);

/* VAULT_EINVALID: the file has `rows` rows, over the limit qvault.maxImportRows. */
int vault_input__too_many(size_t rows, size_t max_rows);

/* The limit qvault.maxImportRows of `v`, for the two parsers above. */
int vault_input__max_rows(size_t *out, vault *v);

/*
 * Called with each data row's fields (`ncolumns` of them, kept in the
 * strings; "" for optional columns the header leaves out) and its row
 * number (the header is row 1).  A
 * negative return, with the error set, stops the file.
 */
typedef int (*vault_row_cb)(void *payload, const char *const *fields, size_t row);

/*
 * Parse CSV whose first row must be `columns`, of which the last
 * `noptional` may be left out: a UTF-8 byte order
 * mark and CRLF line ends are taken as spreadsheets write them; a wrong
 * header, a row of another width, a NUL byte or an unclosed quote is an
 * error naming the row (and the column where there is one).  More than
 * `max_rows` data rows (0: no limit) is VAULT_EINVALID: the rows past it
 * are counted for the message, never handed to `cb`.
 */
int vault_input__csv(vault_strings *keep, const char *data, size_t len,
		     const char *const *columns, size_t ncolumns, size_t noptional,
		     size_t max_rows, vault_row_cb cb, void *payload);

#endif
