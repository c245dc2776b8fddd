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
/* loose objects (estimated) past which it does too, as git gc --auto's 6700 */
#define VAULT_GC_LOOSE 6700

/*
 * After a write (it takes the lock again): repack geometrically (`git
 * repack --geometric=2 -d`, not everything as vault_gc) when the packs
 * or the loose objects passed their threshold, unless an automatic repack
 * failed within the hour (qvault/gc.failed), so that a missing or broken
 * git does not slow every write; *packs the count before (0 when it did
 * not run).
 */
int vault__gc_auto(size_t *packs, vault *v);

#endif
