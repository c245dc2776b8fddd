/*
 * lot.h - lots as records: lots/<h>/<h>/<LOT>/lot.json.
 */
#ifndef VAULT_LOT_H
#define VAULT_LOT_H

#include "index.h"

#define VAULT_LOT_FILE "lot.json"

/* Index the lot record `data` (read from `path`). */
int vault_lot__index(vault_index *idx, const char *data, size_t len, const char *path,
		     const git_oid *commit);

/* Parse and check a lot import file's content, writing nothing (for the fuzzers). */
int vault_lot__parse(const char *data, size_t len);

#endif
