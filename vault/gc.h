/*
 * gc.h - repacking the repository (vault_gc in vault.h), and doing it on
 * its own after a write once the packs pass git config qvault.gcPacks.
 */
#ifndef VAULT_GC_H
#define VAULT_GC_H

#include <stddef.h>

#include "vault.h"

/* packs past which a write repacks, unless git config qvault.gcPacks says */
#define VAULT_GC_PACKS 50

/*
 * After a write, under its lock: repack when the packs passed the
 * threshold; *packs the count before (0 when it did not run).
 */
int vault__gc_auto(size_t *packs, vault *v);

#endif
