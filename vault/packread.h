/*
 * packread.h - the repository's packs read with pread(2), none mapped.
 *
 * libgit2's pack backend maps every pack index whole, and a lookup's
 * binary search touches pages all over the index's table of object names
 * (20 bytes an object): over a long read of a large history, such as
 * verify's, the whole table becomes resident, 119 MB at six million
 * objects, growing with the history.  This backend reads the same files
 * with pread: a lookup reads a window of names around where the name
 * should be (names are hashes, spread evenly), an object its header and
 * compressed bytes, a delta chain a link at a time, and what it keeps is
 * bounded: each pack's fan-out table (1 KB), five caches (PACKREAD_BASES,
 * PACKREAD_RECENT, PACKREAD_PAGES, PACKREAD_PLACES, PACKREAD_PREFIXES),
 * one inflate stream, and descriptors (256 indexes and 32 packs open at
 * most, the ones used longest ago closed).  What it reads beyond those
 * stays in the page cache, the kernel's to keep or take back, and out of
 * the process's resident set.
 *
 * Reads only: packs written by libgit2 or git (index version 1 or 2,
 * pack version 2 or 3, SHA-1), regular files.  Every object read is
 * hashed again by the odb (libgit2's strict verification), so a pack or
 * index whose bytes were changed gives an error, never other content.
 */
#ifndef VAULT_PACKREAD_H
#define VAULT_PACKREAD_H

#include <stddef.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

/* what each backend keeps: the delta bases it met down a chain, and the
 * objects it read last (verify reads a commit's trees, then its child's) */
#define PACKREAD_BASES ((size_t)8 << 20)
#define PACKREAD_RECENT ((size_t)4 << 20)
/* and the pages of its indexes and packs it read last (a lookup reads
 * the same pages of names again and again, and a commit's objects lie
 * near each other) */
#define PACKREAD_PAGES ((size_t)4 << 20)
/* and where it found the objects it looked up last (the same objects are
 * looked up again soon) */
#define PACKREAD_PLACES ((size_t)4 << 20)
/* and the first 4 bytes of every name of its small packs' indexes (a
 * look in a pack that does not hold a name reads nothing) */
#define PACKREAD_PREFIXES ((size_t)8 << 20)

/*
 * A backend reading every pack-*.idx (and its .pack) in `objects`/pack;
 * its refresh reads the folder again and adds new packs (a pack removed
 * since, by a gc, is found no more: the odb then reads the folder again
 * and finds the pack that replaced it).  A pack that cannot be
 * opened (a version it does not read, an index not of its pack) fails
 * the constructor, or the refresh, with the reason.
 */
int vault_packread__new(git_odb_backend **out, const char *objects);

/*
 * A backend reading one pack, for tests: its index and pack files at the
 * given paths, objects larger than `max_object` bytes refused (the caller
 * bounds what a hostile pack can make it allocate).
 */
int vault_packread__one(git_odb_backend **out, const char *idx, const char *pack,
			size_t max_object);

/* For tests: the bytes of its packs' prefixes `be` keeps (PACKREAD_PREFIXES
 * unless told; 0: none, every pack searched in its index), set before it
 * looks anything up. */
void vault_packread__keep_prefixes(git_odb_backend *be, size_t bytes);

/* For tests: the bytes of prefixes `be` holds now. */
size_t vault_packread__prefixes_held(git_odb_backend *be);

/* a place objects are held: a vault_packread__new backend's packs and,
 * when `objects` is set, that folder's loose objects */
typedef struct {
	git_odb_backend *packs;
	const char *objects;
} vault_packread_source;

/*
 * Every name held in more than one place among `sources` (two packs, one
 * index twice, a pack and a loose object, a multi-pack index naming
 * another place than the pack's own index): each place read and hashed,
 * and `bad` called with the file (the pack's, the loose object's or the
 * multi-pack index's path) and the reason for each copy that is not the
 * object its name says, for an index whose names are out of order (a
 * search may land anywhere) or that lists a name twice, and (`id` NULL)
 * for a multi-pack index that cannot be read.  A read by name finds one
 * copy, hashed then; git reads packs before loose objects, the newest
 * pack first, and a pack a multi-pack index names at the place that
 * gives, so a forged copy elsewhere is what it may show.  The sorted
 * names of each pack and multi-pack index merged with each folder's
 * loose ones, a window of each index held and one fan-out folder's names
 * at a time.
 */
int vault_packread__copies(const vault_packread_source *sources, size_t n,
			   void (*bad)(void *payload, const char *file, const git_oid *id,
				       const char *why),
			   void *payload);

#endif
