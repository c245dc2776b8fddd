/*
 * fuzz.h - shared by the fuzz targets: each defines LLVMFuzzerTestOneInput.
 * Built with clang's libFuzzer by `make fuzz`, and with driver.c (which
 * replays a corpus) under gcc and ASan by `make check`.
 */
#ifndef QVAULT_FUZZ_H
#define QVAULT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (a NUL inside cuts it short, as C callers would). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
