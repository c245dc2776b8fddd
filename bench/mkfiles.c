/*
 * mkfiles - benchmark inputs: N PDFs of SIZE bytes each, valid ones (qvault
 * opens every PDF with libqpdf): a catalog, an empty page tree and one
 * stream of pseudo-random bytes, so nothing deflates; the xref points
 * at each object,
 * with a qvault import manifest and, optionally, the same files as a
 * `git fast-import` stream.
 *
 *   mkfiles DIR N SIZE PREFIX [FASTIMPORT_STREAM]
 *
 * Files are DIR/f<i>.pdf, the manifest DIR/manifest.json names them as
 * documents PREFIX-<i> of type drawing.  Same arguments, same bytes;
 * MKFILES_SEED=N (a number) in the environment starts the pseudo-random
 * bytes elsewhere, so that several calls make different files.
 *
 * MKFILES_KIND=png makes PNG drawings instead (DIR/f<i>.png): a signature,
 * an IHDR, one IDAT of the pseudo-random bytes and an IEND, each chunk's
 * CRC right.  qvault checks a PNG's type only, a PDF's structure too
 * (qpdf, in a child of its own): the scale point of bench section 18 can
 * so measure the vault apart from the PDF check, whose cost is per file
 * and section 12's.
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

/*
 * The PDF around `payload` bytes: what comes before them (head) and
 * after (tail).
 */
static void wrap(char *head, size_t hsize, char *tail, size_t tsize, size_t payload)
{
	static const char o1[] = "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
	static const char o2[] = "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
	size_t at1 = 9, at2 = at1 + sizeof(o1) - 1, at3 = at2 + sizeof(o2) - 1, xref;

	bench_fmt(head, hsize, "%%PDF-1.4\n%s%s3 0 obj\n<< /Length %zu >>\nstream\n", o1, o2,
		  payload);
	xref = strlen(head) + payload + strlen("\nendstream\nendobj\n");
	bench_fmt(tail, tsize, "\nendstream\nendobj\nxref\n0 4\n0000000000 65535 f \n"
		  "%010zu 00000 n \n%010zu 00000 n \n%010zu 00000 n \n"
		  "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
		  at1, at2, at3, xref);
}

/* The payload that makes the whole PDF `size` bytes; exits if none does. */
static size_t payload_for(char *head, size_t hsize, char *tail, size_t tsize, size_t size)
{
	size_t payload = 0, i;

	for (i = 0; i < 4; i++) {
		size_t around;

		wrap(head, hsize, tail, tsize, payload);
		around = strlen(head) + strlen(tail);
		if (around > size) {
			fprintf(stderr, "mkfiles: %zu bytes are too few for a PDF\n", size);
			exit(2);
		}
		payload = size - around;
	}
	wrap(head, hsize, tail, tsize, payload);
	if (strlen(head) + payload + strlen(tail) != size)
		exit(2);
	return payload;
}

/* CRC-32 (ISO 3309, as PNG's chunks have it) of `len` bytes, from `crc`. */
static uint32_t crc32_of(uint32_t crc, const unsigned char *p, size_t len)
{
	size_t i;
	int k;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A PNG of exactly `size` bytes (57 at least) into `f`. */
static int write_png(FILE *f, size_t size)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char ihdr[4 + 4 + 13 + 4] = { 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D' };
	unsigned char head[8], crc[4], *data;
	size_t len;

	if (size < sizeof(sig) + sizeof(ihdr) + 12 + sizeof(iend) ||
	    size - (sizeof(sig) + sizeof(ihdr) + 12 + sizeof(iend)) > 0x7fffffffu)
		return -1;
	len = size - (sizeof(sig) + sizeof(ihdr) + 12 + sizeof(iend));
	be32(ihdr + 8, 64);  /* width */
	be32(ihdr + 12, 64); /* height */
	ihdr[16] = 8;        /* bit depth, then colour type 0 (grey), no interlace */
	be32(ihdr + 21, crc32_of(0, ihdr + 4, 17));
	be32(iend + 8, crc32_of(0, iend + 4, 4));
	if ((data = malloc(len ? len : 1)) == NULL)
		return -1;
	fill(data, len);
	be32(head, (uint32_t)len);
	memcpy(head + 4, "IDAT", 4);
	be32(crc, crc32_of(crc32_of(0, head + 4, 4), data, len));
	fwrite(sig, 1, sizeof(sig), f);
	fwrite(ihdr, 1, sizeof(ihdr), f);
	fwrite(head, 1, sizeof(head), f);
	fwrite(data, 1, len, f);
	fwrite(crc, 1, sizeof(crc), f);
	fwrite(iend, 1, sizeof(iend), f);
	free(data);
	return 0;
}

static void put(const void *buf, size_t len, FILE *f, FILE *stream)
{
	fwrite(buf, 1, len, f);
	if (stream)
		fwrite(buf, 1, len, stream);
}

/* N PNGs of SIZE bytes and their manifest in DIR (MKFILES_KIND=png). */
static int make_pngs(const char *dir, unsigned long n, size_t size, const char *prefix)
{
	char path[4096];
	FILE *manifest, *f;
	unsigned long i;

	if (getenv("MKFILES_SEED"))
		state ^= strtoull(getenv("MKFILES_SEED"), NULL, 10) * 0x100000001b3u;
	bench_fmt(path, sizeof(path), "%s/manifest.json", dir);
	if ((manifest = fopen(path, "w")) == NULL)
		return perror(path), 1;
	fputs("[\n", manifest);
	for (i = 0; i < n; i++) {
		bench_fmt(path, sizeof(path), "%s/f%lu.png", dir, i);
		if ((f = fopen(path, "w")) == NULL)
			return perror(path), 1;
		if (write_png(f, size) < 0) {
			fprintf(stderr, "mkfiles: no PNG is %zu bytes\n", size);
			return 2;
		}
		if (fclose(f) != 0)
			return perror(path), 1;
		fprintf(manifest, "  {\"file\": \"f%lu.png\", \"doc\": \"%s-%lu\", \"type\": \"drawing\"}%s\n",
			i, prefix, i, i + 1 < n ? "," : "");
	}
	fputs("]\n", manifest);
	return fclose(manifest) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned long n, i;
	size_t size, chunk, payload;
	unsigned char *buf;
	char head[512], tail[512];
	FILE *manifest, *stream = NULL;
	char path[4096];

	if (argc < 5) {
		fprintf(stderr, "usage: mkfiles DIR N SIZE PREFIX [FASTIMPORT_STREAM]\n");
		return 2;
	}
	if (getenv("MKFILES_KIND") && strcmp(getenv("MKFILES_KIND"), "png") == 0)
		return make_pngs(argv[1], strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10),
				 argv[4]);
	if (getenv("MKFILES_SEED"))
		state ^= strtoull(getenv("MKFILES_SEED"), NULL, 10) * 0x100000001b3u;
	n = strtoul(argv[2], NULL, 10);
	size = strtoul(argv[3], NULL, 10);
	payload = payload_for(head, sizeof(head), tail, sizeof(tail), size);
	chunk = payload < (64u << 20) ? payload : (64u << 20);
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
		put(head, strlen(head), f, stream);
		while (done < payload) {
			size_t k = payload - done < chunk ? payload - done : chunk;

			fill(buf, k);
			put(buf, k, f, stream);
			done += k;
		}
		put(tail, strlen(tail), f, stream);
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
