/*
 * fmt.h - what the benchmark tools share: snprintf that never cuts.
 */
#ifndef BENCH_FMT_H
#define BENCH_FMT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Format into buf[size]; a result that does not fit ends the run (exit 2). */
static inline void bench_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void bench_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "bench: '%s...' is too long (%zu bytes at most)\n", buf, size - 1);
		exit(2);
	}
}

#endif
