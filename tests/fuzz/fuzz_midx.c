/*
 * A multi-pack index read by the copies sweep (packread.c): anyone's
 * bytes (a replica's file an outsider changed).  The input is an index's
 * length (2 bytes, big-endian), the index, the pack's length (the same),
 * the pack, then the multi-pack index; the pack is filed as
 * pack-1111...1 (40 ones), the name a seed's index lists.  The sweep
 * reads every name and every place the multi-pack index gives.
 */
#include "fuzz.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "packread.h"

#define PACK_NAME "pack-1111111111111111111111111111111111111111"

static void bad_copy(void *payload, const char *file, const git_oid *id, const char *why)
{
	(void)payload;
	(void)file;
	(void)id;
	(void)why;
}

static void put(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[512];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/pack/%s", dir, name) >= (int)sizeof(path) ||
	    (f = fopen(path, "wb")) == NULL)
		abort();
	if (size && fwrite(data, size, 1, f) != 1)
		abort();
	if (fclose(f) != 0)
		abort();
}

/* the next piece: its 2-byte length, then it; 0 when the input ends */
static int piece(const uint8_t **p, size_t *len, const uint8_t **data, size_t *size)
{
	if (*size < 2 || (*len = (size_t)(*data)[0] << 8 | (*data)[1]) > *size - 2)
		return 0;
	*p = *data + 2;
	*data += 2 + *len;
	*size -= 2 + *len;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	const uint8_t *idx, *pack;
	size_t ilen, plen;
	git_odb_backend *be;

	if (!dir[0]) {
		char sub[128];

		git_libgit2_init();
		if (snprintf(dir, sizeof(dir), "%s", "/tmp/fuzz-midx.XXXXXX") >= (int)sizeof(dir) ||
		    !mkdtemp(dir) || snprintf(sub, sizeof(sub), "%s/pack", dir) >= (int)sizeof(sub) ||
		    mkdir(sub, 0700) != 0)
			abort();
	}
	if (!piece(&idx, &ilen, &data, &size) || !piece(&pack, &plen, &data, &size))
		return 0;
	put(dir, PACK_NAME ".idx", idx, ilen);
	put(dir, PACK_NAME ".pack", pack, plen);
	put(dir, "multi-pack-index", data, size);
	if (vault_packread__new(&be, dir) == 0) {
		vault_packread_source source = { be, NULL };

		vault_packread__copies(&source, 1, bad_copy, NULL);
		be->free(be);
	}
	return 0;
}
