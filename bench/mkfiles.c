/*
 * mkfiles - benchmark inputs: N files of SIZE bytes that libmagic takes
 * for PDFs (a PDF header, then pseudo-random bytes, so nothing deflates),
 * with a qvault import manifest and, optionally, the same files as a
 * `git fast-import` stream.
 *
 *   mkfiles DIR N SIZE PREFIX [FASTIMPORT_STREAM]
 *
 * Files are DIR/f<i>.pdf, the manifest DIR/manifest.json names them as
 * documents PREFIX-<i> of type drawing.  Same arguments, same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	/* xorshift64*: fast, deterministic, incompressible enough */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1du;
}

static void fill(unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = next();

		memcpy(buf + i, &r, 8);
	}
	for (; i < len; i++)
		buf[i] = (unsigned char)next();
}

int main(int argc, char **argv)
{
	unsigned long n, i;
	size_t size, chunk;
	unsigned char *buf;
	FILE *manifest, *stream = NULL;
	char path[4096];

	if (argc < 5) {
		fprintf(stderr, "usage: mkfiles DIR N SIZE PREFIX [FASTIMPORT_STREAM]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	size = strtoul(argv[3], NULL, 10);
	chunk = size < (64u << 20) ? size : (64u << 20);
	if ((buf = malloc(chunk ? chunk : 1)) == NULL)
		return 1;
	bench_fmt(path, sizeof(path), "%s/manifest.json", argv[1]);
	if ((manifest = fopen(path, "w")) == NULL)
		return perror(path), 1;
	if (argc > 5 && (stream = fopen(argv[5], "w")) == NULL)
		return perror(argv[5]), 1;
	fputs("[\n", manifest);
	if (stream)
		fputs("commit refs/heads/main\ncommitter bench <bench@localhost> 0 +0000\ndata 6\nbench\n", stream);
	for (i = 0; i < n; i++) {
		size_t done = 0;
		FILE *f;

		bench_fmt(path, sizeof(path), "%s/f%lu.pdf", argv[1], i);
		if ((f = fopen(path, "w")) == NULL)
			return perror(path), 1;
		if (stream)
			fprintf(stream, "M 100644 inline f%lu.pdf\ndata %zu\n", i, size);
		while (done < size) {
			size_t k = size - done < chunk ? size - done : chunk;

			fill(buf, k);
			if (done == 0)
				memcpy(buf, "%PDF-1.4\n", k < 9 ? k : 9);
			fwrite(buf, 1, k, f);
			if (stream)
				fwrite(buf, 1, k, stream);
			done += k;
		}
		if (stream)
			fputc('\n', stream);
		fclose(f);
		fprintf(manifest, "  {\"file\": \"f%lu.pdf\", \"doc\": \"%s-%lu\", \"type\": \"drawing\"}%s\n",
			i, argv[4], i, i + 1 < n ? "," : "");
	}
	fputs("]\n", manifest);
	fclose(manifest);
	if (stream)
		fclose(stream);
	free(buf);
	return 0;
}
