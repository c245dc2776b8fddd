/*
 * config.h - the vault's own settings, kept in the repository as
 * vault.json so that every change to them is a commit like any other.
 */
#ifndef VAULT_CONFIG_H
#define VAULT_CONFIG_H

#include <stddef.h>

#include <jansson.h>

typedef struct {
	char id[33];   /* random, fixed at init: names the vault in records */
	json_t *allow; /* type -> [MIME types accepted for it] */
	json_t *pdf;   /* the PDF policy (pdf.h), NULL: the built-in one */
} vault_config;

/* The vault.json of a new vault with identity `id`, canonical JSON. */
int vault_config__default(char **out, size_t *len, const char *id);

/*
 * 0 when `mime` is a MIME type as an allowlist holds it: TYPE/SUBTYPE,
 * each of RFC 6838's restricted names, 127 characters at most; else
 * VAULT_EINVALID saying so (a wildcard, a space or a control character is none).
 */
int vault_config__mime_check(const char *mime);

/* Parse vault.json; `cfg` owns what it holds until _dispose. */
int vault_config__parse(vault_config *cfg, const char *data, size_t len);
void vault_config__dispose(vault_config *cfg);

/*
 * The allowlist of `type` (a document type or "fai-member"): vault.json's,
 * or the built-in one for a type vault.json does not name (a vault made
 * before the type existed); NULL for a type of neither.  The caller's.
 */
json_t *vault_config__list(const vault_config *cfg, const char *type);

/* 1 when `mime` is on the allowlist of `type`, else 0 (no message). */
int vault_config__accepts(const vault_config *cfg, const char *type, const char *mime);

/*
 * 0 when `mime` is on the allowlist of `type`, else VAULT_EINVALID with a
 * message naming the file, what it is, and what the type accepts.
 */
int vault_config__check(const vault_config *cfg, const char *type,
			const char *mime, const char *file);

#endif
