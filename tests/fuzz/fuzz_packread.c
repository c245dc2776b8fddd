/*
 * Packs read with pread (packread.c): an index and its pack, each
 * anyone's bytes (a peer's pack, one changed on disk).  The input is the
 * index's length (2 bytes, big-endian), the index, then the pack.  Every
 * name the index lists is read whole, by its header, and by a prefix;
 * then every name it lists twice, each copy.
 */
#include "fuzz.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "packread.h"

static int read_one(const git_oid *id, void *payload)
{
	git_odb_backend *be = payload;
	git_object_t type;
	git_oid full;
	void *data;
	size_t len;

	if (be->read(&data, &len, &type, be, id) == 0)
		git_odb_backend_data_free(be, data);
	be->read_header(&len, &type, be, id);
	be->exists(be, id);
	be->exists_prefix(&full, be, id, 5);
	return 0;
}

static void bad_copy(void *payload, const char *pack, const git_oid *id, const char *why)
{
	(void)payload;
	(void)pack;
	(void)id;
	(void)why;
}

static int file_of(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("packread", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size ||
	    snprintf(path, 64, "/proc/self/fd/%d", fd) >= 64)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int started;
	char idx[64], pack[64];
	git_odb_backend *be;
	size_t ilen;
	int fi, fp;

	if (!started) {
		git_libgit2_init();
		started = 1;
	}
	if (size < 2 || (ilen = (size_t)data[0] << 8 | data[1]) > size - 2)
		return 0;
	fi = file_of(data + 2, ilen, idx);
	fp = file_of(data + 2 + ilen, size - 2 - ilen, pack);
	/* what a hostile pack can make it allocate is bounded by the caller */
	if (vault_packread__one(&be, idx, pack, (size_t)1 << 20) == 0) {
		be->foreach(be, read_one, be);
		vault_packread_source source = { be, NULL };

		vault_packread__copies(&source, 1, bad_copy, NULL);
		be->free(be);
	}
	close(fi);
	close(fp);
	return 0;
}
