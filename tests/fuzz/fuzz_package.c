/* Zip packages: the structure check, then libzip reading every member (package.c). */
#include "fuzz.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "package.h"

static int count(void *payload, const unsigned char *buf, size_t len, int first)
{
	(void)buf;
	(void)first;
	*(size_t *)payload += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("package", 0);
	char path[64];
	vault_pkg p;
	size_t i, total = 0;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	if (snprintf(path, sizeof(path), "/proc/self/fd/%d", fd) >= (int)sizeof(path))
		abort();
	if (vault_pkg__open(&p, path, UINT64_MAX, "") == 0) {
		for (i = 0; i < p.count; i++)
			if (!p.entries[i].folder)
				vault_pkg__read(&p, &p.entries[i], count, &total);
		vault_pkg__close(&p);
	}
	close(fd);
	return 0;
}
