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
 * So verify lets libgit2 map the packs whole, and a thread here keeps
 * their pages out of the resident set: when the process's resident set
 * grows past a target, it tells the kernel the pack mappings' pages are
 * not needed (madvise MADV_DONTNEED).  The pages stay in the page cache;
 * a later read of one maps it again, a minor fault, with the same bytes:
 * the mappings it touches are shared ones (libgit2 maps MAP_SHARED), whose
 * pages are the file's, and git never writes into a pack.
 *
 * Not the pack indexes: every lookup of an object searches their tables
 * of object names (20 bytes an object), and lookups at random map the
 * whole of them, so dropped they are mapped again at once, at a cost and
 * for nothing (vault/README.md: at 1,000,005 revisions they are 119 MB,
 * past the target alone).  They stay resident; when they pass the target
 * themselves, the packs' pages are dropped at every 8 MB that come.
 *
 * Which mappings: those /proc/self/maps lists as read-only and shared, of
 * a file named pack-*.pack in a folder named objects/pack.
 * A line read there goes stale if its range is unmapped and another
 * mapping is put at its address before the madvise, and that one would
 * lose its pages: so this file defines munmap(), to which every library
 * of the process binds (libgit2 unmaps through it: a window when over its
 * cap, every unused window when an mmap fails, a pack index it finds
 * broken, a freed pack's), and which waits while a drop is under way.
 * What does not go through it never unmaps a pack: glibc's and ld.so's
 * own unmaps (malloc's, threads' stacks), a sanitizer allocator's
 * system calls.
 */
#ifndef VAULT_RESIDENT_H
#define VAULT_RESIDENT_H

#include <stddef.h>

typedef struct vault_resident vault_resident;

/*
 * Drop the packs' pages now, then start the thread (one at a time in a
 * process): it drops them again
 * whenever the process's resident set passes `target` bytes while its
 * file pages are more than 8 MB above the fewest since the last drop
 * (so pages it may not drop, past the target, cost one drop, not one at
 * each look).  VAULT_ENOTFOUND when /proc/self cannot be read (the caller keeps
 * libgit2's cap instead), VAULT_ERROR when no thread can be started.
 */
int vault_resident__start(vault_resident **out, size_t target);

/*
 * Called by the readers of a store (vault_store__entry, __read_path,
 * __read_blob) at each read: while the thread runs, one call in 64 looks
 * at the resident pages and drops the packs' as the thread would, so
 * that a thread late to wake on a busy machine does not let the reads
 * run past the target.  Otherwise a load and a test.
 */
void vault_resident__tick(void);

/* How many drops `r` made since its start (the first one not counted),
 * before vault_resident__stop. */
size_t vault_resident__drops(vault_resident *r);

/* Stop the thread and free `r` (NULL is nothing); how many drops it made. */
size_t vault_resident__stop(vault_resident *r);

/*
 * What the process holds of memory that is its own, not a file's: its
 * anonymous resident pages (/proc/self/statm: resident less shared), or
 * in a build with AddressSanitizer, whose shadow memory and quarantine
 * are anonymous too, the bytes its allocator has given out.  0 when
 * neither can be read.
 */
size_t vault_resident__heap(void);

#endif
