/* The PDF check (pdf.c): the input as an uploaded PDF, held to the
 * built-in policy for a drawing and for an "other" (in this process:
 * the child the command forks is no place for a fuzzer). */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include "pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "drawing", "other" };
	char *findings;
	size_t i;
	int fd = memfd_create("fuzz-pdf", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	for (i = 0; i < 2; i++) {
		findings = NULL;
		vault_pdf__check_here(&findings, NULL, types[i], "fuzz.pdf", fd);
		free(findings);
	}
	close(fd);
	return 0;
}
