/*
 * resident.c - what the process holds of memory that is its own
 * (resident.h).
 */
#include "resident.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

/* defined by the sanitizers' runtime, when the build has one */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

size_t vault_resident__heap(void)
{
	char buf[128];
	unsigned long long size, resident, shared;
	ssize_t n;
	int fd;

	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3 || shared > resident)
		return 0;
	return (size_t)(resident - shared) * (size_t)sysconf(_SC_PAGESIZE);
}
