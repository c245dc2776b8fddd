/*
 * package.h - a zip package taken apart safely.
 *
 * The archive's structure is checked from its bytes first: the end
 * record, every central directory entry and every local header.  Names
 * that escape the package, links, encryption, unknown compression, sizes
 * and ratios over the limits, duplicate or colliding names, overlapping
 * entries and bytes the directory does not account for are refused, each
 * with a message naming the entry and the problem, before anything is
 * inflated.  Only then does libzip read members, one at a time, in
 * chunks, for the caller to store: nothing is ever written to the file
 * system by name.
 */
#ifndef VAULT_PACKAGE_H
#define VAULT_PACKAGE_H

#include "progress.h"
#include <stddef.h>
#include <stdint.h>

#define VAULT_PKG_MAX_ENTRIES 10000
#define VAULT_PKG_MAX_MEMBER (1ULL << 30)  /* inflated bytes of one member */
#define VAULT_PKG_MAX_TOTAL (4ULL << 30)   /* inflated bytes of all members */
#define VAULT_PKG_MAX_RATIO 100            /* inflated : stored, for members ... */
#define VAULT_PKG_RATIO_FROM (1024 * 1024) /* ... that inflate past this */

typedef struct {
	char *name;         /* UTF-8, '/'-separated, checked; a folder ends in '/' */
	uint16_t method;    /* 0 stored, 8 deflate */
	uint32_t crc32;
	uint64_t size;      /* inflated, as declared */
	uint64_t stored;    /* compressed */
	uint64_t offset;    /* of its local header */
	int folder;
} vault_pkg_entry;

typedef struct {
	int fd;
	uint64_t size;      /* of the archive */
	vault_pkg_entry *entries; /* in central directory order */
	size_t count;
	uint64_t total;     /* inflated bytes of all members */
	struct zip *zip;
} vault_pkg;

/*
 * Open the zip archive at `path` and check its structure.  VAULT_EINVALID
 * names the problem ("entry '../x.pdf' escapes the package"); a file of
 * more than `max` bytes is refused from fstat, before a byte is read,
 * naming the limit's git config `key`.
 */
int vault_pkg__open(vault_pkg *p, const char *path, uint64_t max, const char *key);
void vault_pkg__close(vault_pkg *p);

/* The entry called `name`, or NULL. */
const vault_pkg_entry *vault_pkg__find(const vault_pkg *p, const char *name);

/*
 * Pass member `e`'s inflated bytes to `cb` in chunks (`first` set on the
 * first).  Fails when the data is corrupt (CRC), or inflates to more or
 * less than its declared size.
 */
typedef int (*vault_pkg_chunk_cb)(void *payload, const unsigned char *buf, size_t len,
				  int first);
int vault_pkg__read(vault_pkg *p, const vault_pkg_entry *e, vault_pkg_chunk_cb cb,
		    void *payload);

/* Member `e` whole, NUL-terminated, if it is at most `max` bytes. */
int vault_pkg__slurp(char **data, size_t *len, vault_pkg *p, const vault_pkg_entry *e,
		     size_t max);

/*
 * A zip written the same way every time (fai pack, evidence bundles):
 * members in the order added, deflated, dated 2000-01-01 00:00 local time
 * (so the DOS date fields never vary), mode 0644.  Nothing is written
 * until vault_zipw__close(), which writes a temporary file and renames it.
 */
typedef struct vault_zipw vault_zipw;

/* Start the zip at `path`, which must not exist (VAULT_EEXISTS). */
int vault_zipw__open(vault_zipw **out, const char *path);
/* A member read from file `path` when the zip is written. */
int vault_zipw__add_file(vault_zipw *w, const char *name, const char *path);
/* A member from memory, which must stay valid until the zip is written. */
int vault_zipw__add_data(vault_zipw *w, const char *name, const void *data, size_t len);
/*
 * Tell `m` (borrowed, may be NULL) how far vault_zipw__close() got, as
 * stage `what` (a static string), in members written.
 */
void vault_zipw__set_progress(vault_zipw *w, vault__meter *m, const char *what);
/* Write the zip and free `w`; vault_zipw__discard() frees it unwritten. */
int vault_zipw__close(vault_zipw *w);
void vault_zipw__discard(vault_zipw *w);

/* A member is read, and its content type detected, this many bytes at a time. */
#define VAULT_PKG_CHUNK (256 * 1024)

#endif
