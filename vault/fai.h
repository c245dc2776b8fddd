/*
 * fai.h - First Article Inspection packages: what fai.c shares with the
 * unit tests.
 */
#ifndef VAULT_FAI_H
#define VAULT_FAI_H

#include <stddef.h>

#include <git2.h>

/*
 * The limits a Form 3 requirement sets, when it reads as a nominal and a
 * tolerance ("6.0 ±0.1", "6.0 +/-0.1", "6.0 +0.1/-0.05", "Ø6.0 ±0.1 mm"):
 * 1 with *lo and *hi set.  0 for a requirement left to a person
 * ("Ø6.2 H7", "no burrs").
 */
int vault_fai__tolerance(const char *req, double *lo, double *hi);

/*
 * Check a manifest (fai.json) and, when it names a Form 3 CSV, that CSV's
 * content (NULL: not checked), as `fai add` does before it writes.
 */
int vault_fai__check_manifest(const char *data, size_t len, const char *csv, size_t csv_len);

#endif
