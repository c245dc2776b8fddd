/*
 * objcache.c - objects kept by a key of 20 bytes, to a budget of bytes
 * (objcache.h).
 */
#include "objcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const unsigned char *key)
{
	uint64_t a, b;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	return (size_t)(((a ^ b * 0xff51afd7ed558ccdull) * 0x9E3779B97F4A7C15ull) >> 54) %
	       VAULT_OBJCACHE_SLOTS;
}

static void drop(vault_objcache *k, vault_objcache_entry *c)
{
	if (c->data) {
		free(c->data);
		k->bytes -= c->len;
	}
	memset(c, 0, sizeof(*c));
}

void vault_objcache__init(vault_objcache *k, size_t max)
{
	memset(k, 0, sizeof(*k));
	k->max = max;
}

void vault_objcache__clear(vault_objcache *k)
{
	size_t i;

	for (i = 0; i < VAULT_OBJCACHE_SLOTS; i++)
		drop(k, &k->slot[i]);
}

const vault_objcache_entry *vault_objcache__get(const vault_objcache *k,
						const unsigned char *key)
{
	const vault_objcache_entry *c = &k->slot[slot_of(key)];

	return c->data && !memcmp(c->key, key, VAULT_OBJCACHE_KEY) ? c : NULL;
}

void vault_objcache__put(vault_objcache *k, const unsigned char *key, git_object_t type,
			 unsigned char *data, size_t len)
{
	vault_objcache_entry *c = &k->slot[slot_of(key)];

	if (len > k->max / 4) {
		free(data);
		return;
	}
	drop(k, c);
	while (k->bytes + len > k->max) {
		drop(k, &k->slot[k->hand]);
		k->hand = (k->hand + 1) % VAULT_OBJCACHE_SLOTS;
	}
	memcpy(c->key, key, VAULT_OBJCACHE_KEY);
	c->type = type;
	c->data = data;
	c->len = len;
	k->bytes += len;
}

void vault_objcache__keep(vault_objcache *k, const unsigned char *key, git_object_t type,
			  const void *data, size_t len)
{
	unsigned char *copy;

	if (len > k->max / 4 || (copy = malloc(len + 1)) == NULL)
		return;
	memcpy(copy, data, len);
	vault_objcache__put(k, key, type, copy, len);
}

int vault_objcache__copy_out(void **data, size_t *len, git_object_t *type,
			     git_odb_backend *be, const vault_objcache_entry *c)
{
	unsigned char *copy = git_odb_backend_data_alloc(be, c->len + 1);

	if (!copy) {
		git_error_set_str(GIT_ERROR_NOMEMORY, "out of memory");
		return GIT_ERROR;
	}
	memcpy(copy, c->data, c->len);
	copy[c->len] = '\0';
	*data = copy;
	*len = c->len;
	*type = c->type;
	return 0;
}
