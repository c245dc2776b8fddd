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
 * packs of this many objects or more the automatic repack leaves alone,
 * unless git config qvault.gcPackObjects says (0: none): git pack-objects
 * holds about 530 bytes an object (951 MB for 1.79 million, 316 MB for
 * 0.6 million), so a roll-up, under twice this, stays near 2 GB, where
 * all of a 10,000,000-revision vault (about 60 million objects) would
 * take some 32 GB
 */
#define VAULT_GC_PACK_OBJECTS 2000000
/* loose objects (estimated) past which it does too, as git gc --auto's 6700 */
#define VAULT_GC_LOOSE 6700

/*
 * After a write (it takes the lock again): repack geometrically (`git
 * repack --geometric=2 -d`, not everything as vault_gc), the packs of
 * qvault.gcPackObjects objects or more left alone, when the other packs
 * or the loose objects passed their threshold, unless an automatic repack
 * failed within the hour (qvault/gc.failed), so that a missing or broken
 * git does not slow every write; *packs the count before (0 when it did
 * not run).
 */
int vault__gc_auto(size_t *packs, vault *v);

/*
 * How many packs the repository reads: its objects/pack/ *.pack and its
 * alternates'; 0 when none or they cannot be read (it sizes a cap, no
 * more: verify's of mapped packs).
 */
size_t vault__pack_count(vault *v);

#endif
