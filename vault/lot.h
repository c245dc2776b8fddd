/*
 * lot.h - lots as records: lots/<h>/<h>/<LOT>/lot.json.
 */
#ifndef VAULT_LOT_H
#define VAULT_LOT_H

#include "index.h"

#define VAULT_LOT_FILE "lot.json"

/*
 * Index the lot record `data` (read from `path`, its folder lots/<h>/<h>/<LOT>);
 * a record naming another lot than its folder is left out (verify reports it).
 */
int vault_lot__index(vault_index *idx, const char *data, size_t len, const char *path,
		     const git_oid *commit);

/* Parse and check a lot import file's content, writing nothing (for the fuzzers). */
int vault_lot__parse(const char *data, size_t len);

#endif
