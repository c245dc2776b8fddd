/*
 * objcache.h - objects kept by a key of 20 bytes (an object's name, or
 * any key that long), to a budget of bytes.
 *
 * 1024 slots, a key in one (a key landing on a slot another holds takes
 * it), and room made in turn round the slots; an object that would take
 * more than a quarter of the budget is not kept.  Not locked: its
 * owner's lock, if it has one, covers it.  packread.c keeps its delta
 * bases and the objects it read last in two; store.c the loose objects
 * a long read read last.
 */
#ifndef VAULT_OBJCACHE_H
#define VAULT_OBJCACHE_H

#include <stddef.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#define VAULT_OBJCACHE_KEY GIT_OID_RAWSZ
#define VAULT_OBJCACHE_SLOTS 1024

typedef struct {
	unsigned char key[VAULT_OBJCACHE_KEY];
	git_object_t type;
	unsigned char *data;       /* NULL: an empty slot */
	size_t len;
} vault_objcache_entry;

typedef struct {
	vault_objcache_entry slot[VAULT_OBJCACHE_SLOTS];
	size_t bytes, max, hand;
} vault_objcache;

/* empty, to keep at most `max` bytes */
void vault_objcache__init(vault_objcache *k, size_t max);

/* everything let go of; the budget stays */
void vault_objcache__clear(vault_objcache *k);

/* the object kept under `key`, or NULL; valid until the next put */
const vault_objcache_entry *vault_objcache__get(const vault_objcache *k,
						const unsigned char *key);

/* keep `data` (the cache's from now on, freed when it does not fit) */
void vault_objcache__put(vault_objcache *k, const unsigned char *key, git_object_t type,
			 unsigned char *data, size_t len);

/* keep a copy of `data`, when it fits */
void vault_objcache__keep(vault_objcache *k, const unsigned char *key, git_object_t type,
			  const void *data, size_t len);

/* a copy of what `c` holds for libgit2 to keep (and free), as a read of
 * the backend `be` gives one: NUL-terminated */
int vault_objcache__copy_out(void **data, size_t *len, git_object_t *type,
			     git_odb_backend *be, const vault_objcache_entry *c);

#endif
