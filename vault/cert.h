/*
 * cert.h - EN 10204 certificate data (cert.c).
 */
#ifndef VAULT_CERT_H
#define VAULT_CERT_H

#include <stddef.h>

#include <git2.h>

/* beside a material certificate's record.json */
#define VAULT_CERT_FILE "cert.json"

/*
 * Check EN 10204 data (JSON text, schemas/material-cert.schema.json) of
 * DOC@REV and write its cert.json record (canonical JSON) into *out:
 * the type normalised (3.1B -> 3.1; 3.1A, 3.1C -> 3.2), a heat number
 * required, and the validating inspector for 3.1 and 3.2.
 */
int vault_cert__record(char **out, size_t *len, const char *meta, const char *doc,
		       const char *rev);

#endif
