/*
 * lot.h - lots as records: lots/<h>/<h>/<LOT>/lot.json.
 */
#ifndef VAULT_LOT_H
#define VAULT_LOT_H

#define VAULT_LOT_FILE "lot.json"

/* Parse and check a lot import file's content, writing nothing (for the fuzzers). */
int vault_lot__parse(const char *data, size_t len);

#endif
