/*
 * output.h - rows that exports write: CSV (RFC 4180, quoted by libcsv),
 * the one CSV writer of the library, with cells a spreadsheet would run
 * as a formula neutralized.
 */
#ifndef VAULT_OUTPUT_H
#define VAULT_OUTPUT_H

#include <stddef.h>

/* A CSV document being written; vault_output__init() before use. */
typedef struct {
	char *data;
	size_t len, cap;
	size_t cells;   /* cells written to the row being written */
} vault_output;

void vault_output__init(vault_output *o);
void vault_output__dispose(vault_output *o);

/*
 * Append the cell `s` (NULL for an empty cell) to the row being written.  A cell holding a comma, a quote or a
 * line end is quoted by libcsv (a quote doubled); a cell beginning with
 * '=', '+', '-', '@', a tab or a carriage return gets a leading "'" so
 * that a spreadsheet shows it as text (OWASP, CSV injection).  Aborts
 * when memory is exhausted, as vault__strdup() does.
 */
void vault_output__cell(vault_output *o, const char *s);

/* End the row being written with CRLF. */
void vault_output__end_row(vault_output *o);

/* The document written, NUL-terminated, now the caller's; `o` is left empty. */
char *vault_output__detach(vault_output *o);

#endif
