/*
 * resident.h - a long read of the packs without the packs in memory.
 *
 * libgit2 reads packs through memory maps: the pack index of each pack
 * mapped whole, the pack itself in windows under a cap.  A read of the
 * whole history (verify) touches every page of both, and what it touched
 * stays in the process's resident set until unmapped.  Under a small cap
 * libgit2 unmaps a window for each one it maps, and not the least
 * recently used one (vault/README.md, "verify's memory"): at a million
 * revisions verify spent half its time in the kernel unmapping.
 *
 * So verify lets libgit2 map the packs whole, unmapping nothing, and a
 * thread here keeps their pages out of the resident set: when the
 * process's resident set grows past a target, it tells the kernel the
 * pack mappings' pages are not needed (madvise MADV_DONTNEED).  The pages stay
 * in the page cache; a later read of one maps it again, a minor fault,
 * with the same bytes (the files are read-only and never rewritten: git
 * writes a new pack, never into one).
 *
 * What it may touch: only mappings of files named objects/pack/pack-*.pack
 * and pack-*.idx, as /proc/self/maps lists them.  That list can go stale
 * if a mapping is unmapped between the read and the madvise, and another
 * mapping put at its address would lose its pages.  libgit2 unmaps a
 * pack's maps only when the pack is freed (the mapping cap raised, no
 * file limit) and a pack is freed only with the last repository that
 * read it: so no repository may be freed while the thread runs, unless
 * under vault_resident__hold.  Not for a server, whose requests open and
 * free repositories on other threads.
 */
#ifndef VAULT_RESIDENT_H
#define VAULT_RESIDENT_H

#include <stddef.h>

typedef struct vault_resident vault_resident;

/*
 * Start the thread: it drops the packs' pages whenever the process's
 * resident set passes `target` bytes (and they hold some: its file pages
 * more than 8 MB above what they were once the packs' were dropped, here
 * first).  VAULT_ENOTFOUND when /proc/self cannot be read (the caller
 * keeps libgit2's cap instead), VAULT_ERROR when no thread can be started.
 */
int vault_resident__start(vault_resident **out, size_t target);

/* No drop until vault_resident__release: around freeing a repository. */
void vault_resident__hold(vault_resident *r);
void vault_resident__release(vault_resident *r);

/* Stop the thread and free `r` (NULL is nothing); how many drops it made. */
size_t vault_resident__stop(vault_resident *r);

#endif
