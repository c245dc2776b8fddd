/*
 * po.h - purchase orders as records: pos/<h>/<h>/<PO>/po.json, fanned out
 * like documents.
 */
#ifndef VAULT_PO_H
#define VAULT_PO_H

#include "store.h"

#define VAULT_PO_FILE "po.json"

/* "pos/ab/cd/PO" for a PO number that passed vault_name_check. */
int vault_po__dir(char *buf, size_t size, const char *po);

/* Parse and check a PO import file's content, writing nothing (for the fuzzers). */
int vault_po__parse(const char *data, size_t len);

#endif
