/*
 * mkzip - write zip archives byte by byte, the broken and hostile ones
 * included, for the package tests.  Stock zip tools refuse to write most
 * of these; the layout follows PKWARE's APPNOTE 6.3, section 4.3.
 *
 *   mkzip OUT [GLOBAL...] ENTRY...
 *
 * An entry starts with `-n NAME` (NAME may hold \xHH escapes, e.g. a NUL
 * as \x00 or NFD accents), then takes:
 *   -t TEXT    its content (stored)
 *   -f FILE    its content, from FILE (stored)
 *   -z N       N zero bytes, deflated
 *   -d         deflate the content given by -t or -f
 *   -m METHOD  the compression method recorded (content left as is)
 *   -s SIZE    the inflated size recorded (a liar)
 *   -e         flagged encrypted
 *   -l         a Unix symbolic link
 * GLOBAL:
 *   -T N       N bytes of garbage after the archive
 *   -O         the first entry's data contains the second entry (overlap)
 *   -C         a corrupt signature in the central directory
 *   -P N       N bytes of garbage before the archive
 *   -N N       N more small entries, f1.txt to fN.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

typedef struct {
	char *name;
	size_t nlen;
	unsigned char *data;  /* as stored */
	size_t len;
	uint64_t size;        /* inflated, as recorded */
	uint32_t crc;
	uint16_t method, flags;
	uint32_t attr;
	uint64_t offset;
} entry;

#define ENTRIES_MAX 20000
static entry *entries;
static size_t nentries;

static void die(const char *what)
{
	fprintf(stderr, "mkzip: %s\n", what);
	exit(2);
}

static void put16(FILE *f, unsigned v)
{
	fputc((int)(v & 0xff), f);
	fputc((int)(v >> 8 & 0xff), f);
}

static void put32(FILE *f, uint32_t v)
{
	put16(f, v & 0xffff);
	put16(f, v >> 16);
}

static size_t unescape(char *out, const char *in)
{
	size_t n = 0;

	if (!out)
		die("out of memory");
	while (*in && n < 4095) {
		unsigned v;

		if (in[0] == '\\' && in[1] == 'x' && sscanf(in + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
	return n;
}

static void deflate_entry(entry *e)
{
	uLongf cap = compressBound((uLong)e->len) + 64;
	unsigned char *out = malloc(cap);
	z_stream z;

	if (!out)
		die("out of memory");
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflate");
	z.next_in = e->data;
	z.avail_in = (uInt)e->len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		die("deflate");
	free(e->data);
	e->data = out;
	e->len = z.total_out;
	e->method = 8;
	deflateEnd(&z);
}

static void local_header(FILE *f, const entry *e)
{
	put32(f, 0x04034b50);
	put16(f, 20);
	put16(f, e->flags);
	put16(f, e->method);
	put16(f, 0);
	put16(f, 0x21); /* 1980-01-01 */
	put32(f, e->crc);
	put32(f, (uint32_t)e->len);
	put32(f, e->size > 0xffffffffu ? 0xffffffffu : (uint32_t)e->size);
	put16(f, (unsigned)e->nlen);
	put16(f, 0);
	fwrite(e->name, 1, e->nlen, f);
}

int main(int argc, char **argv)
{
	size_t trailing = 0, prefix = 0, i, cd_size;
	int overlap = 0, corrupt = 0, a, dflt = 0;
	long cd_start, end;
	entry *e = NULL;
	FILE *f;

	if (argc < 2)
		die("usage: mkzip OUT [GLOBAL...] ENTRY...");
	if ((entries = calloc(ENTRIES_MAX, sizeof(entry))) == NULL)
		die("out of memory");
	for (a = 2; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "-T") && v) {
			trailing = strtoul(v, NULL, 10), a++;
		} else if (!strcmp(o, "-P") && v) {
			prefix = strtoul(v, NULL, 10), a++;
		} else if (!strcmp(o, "-O")) {
			overlap = 1;
		} else if (!strcmp(o, "-C")) {
			corrupt = 1;
		} else if (!strcmp(o, "-N") && v) {
			unsigned long k, count = strtoul(v, NULL, 10);

			if (nentries + count > ENTRIES_MAX)
				die("too many entries");
			for (k = 1; k <= count; k++) {
				entry *x = &entries[nentries++];
				int w;

				if ((x->name = malloc(32)) == NULL)
					die("out of memory");
				if ((w = snprintf(x->name, 32, "f%lu.txt", k)) < 0 || w >= 32)
					die("entry name too long");
				x->nlen = (size_t)w;
				x->data = (unsigned char *)strdup("x\n");
				x->len = x->size = 2;
				x->crc = (uint32_t)crc32(0, x->data, 2);
			}
			a++;
		} else if (!strcmp(o, "-n") && v) {
			if (e && dflt)
				deflate_entry(e);
			if (nentries == ENTRIES_MAX)
				die("too many entries");
			e = &entries[nentries++];
			e->name = malloc(4096);
			e->nlen = unescape(e->name, v);
			dflt = 0, a++;
		} else if (!e) {
			die("an entry option before -n");
		} else if (!strcmp(o, "-t") && v) {
			e->len = strlen(v);
			e->data = (unsigned char *)strdup(v);
			e->size = e->len, a++;
			e->crc = (uint32_t)crc32(0, e->data, (uInt)e->len);
		} else if (!strcmp(o, "-f") && v) {
			FILE *in = fopen(v, "rb");
			struct stat st;

			if (!in || fstat(fileno(in), &st) < 0)
				die("cannot read the content file");
			e->len = (size_t)st.st_size;
			if ((e->data = malloc(e->len + 1)) == NULL || fread(e->data, 1, e->len, in) != e->len)
				die("cannot read the content file");
			fclose(in);
			e->size = e->len, a++;
			e->crc = (uint32_t)crc32(0, e->data, (uInt)e->len);
		} else if (!strcmp(o, "-z") && v) {
			e->len = strtoul(v, NULL, 10);
			if ((e->data = calloc(e->len + 1, 1)) == NULL)
				die("out of memory");
			e->size = e->len, a++;
			e->crc = (uint32_t)crc32(0, e->data, (uInt)e->len);
			dflt = 1;
		} else if (!strcmp(o, "-d")) {
			dflt = 1;
		} else if (!strcmp(o, "-m") && v) {
			e->method = (uint16_t)strtoul(v, NULL, 10), a++;
		} else if (!strcmp(o, "-s") && v) {
			e->size = strtoull(v, NULL, 10), a++;
		} else if (!strcmp(o, "-e")) {
			e->flags |= 1;
		} else if (!strcmp(o, "-l")) {
			e->attr = (uint32_t)(S_IFLNK | 0777) << 16;
		} else {
			die("unknown option");
		}
	}
	if (e && dflt)
		deflate_entry(e);
	if (nentries == 0 || (overlap && nentries < 2))
		die("no entries");
	if ((f = fopen(argv[1], "wb")) == NULL)
		die("cannot write the archive");
	for (i = 0; i < prefix; i++)
		fputc('#', f);
	for (i = 0; i < nentries; i++) {
		e = &entries[i];
		if (overlap && i == 0) {
			/* the first entry's stored data is the second entry, whole */
			entry *b = &entries[1];
			size_t blen = 30 + b->nlen + b->len;

			free(e->data);
			if ((e->data = malloc(blen)) == NULL)
				die("out of memory");
			e->len = e->size = blen;
			e->method = 0;
			e->offset = (uint64_t)ftell(f);
			b->offset = e->offset + 30 + e->nlen;
			{
				FILE *m = fmemopen(e->data, blen, "wb");

				local_header(m, b);
				fwrite(b->data, 1, b->len, m);
				fclose(m);
			}
			e->crc = (uint32_t)crc32(0, e->data, (uInt)e->len);
			local_header(f, e);
			fwrite(e->data, 1, e->len, f);
			i++;
			continue;
		}
		e->offset = (uint64_t)ftell(f);
		local_header(f, e);
		fwrite(e->data, 1, e->len, f);
	}
	cd_start = ftell(f);
	for (i = 0; i < nentries; i++) {
		e = &entries[i];
		put32(f, corrupt && i == nentries - 1 ? 0x02014b51 : 0x02014b50);
		put16(f, e->attr ? 0x0314 : 20);
		put16(f, 20);
		put16(f, e->flags);
		put16(f, e->method);
		put16(f, 0);
		put16(f, 0x21);
		put32(f, e->crc);
		put32(f, (uint32_t)e->len);
		put32(f, e->size > 0xffffffffu ? 0xffffffffu : (uint32_t)e->size);
		put16(f, (unsigned)e->nlen);
		put16(f, e->size > 0xffffffffu ? 12 : 0);
		put16(f, 0);
		put16(f, 0);
		put16(f, 0);
		put32(f, e->attr);
		put32(f, (uint32_t)(e->offset - prefix));
		fwrite(e->name, 1, e->nlen, f);
		if (e->size > 0xffffffffu) { /* zip64: the inflated size */
			put16(f, 1);
			put16(f, 8);
			put32(f, (uint32_t)e->size);
			put32(f, (uint32_t)(e->size >> 32));
		}
	}
	end = ftell(f);
	cd_size = (size_t)(end - cd_start);
	put32(f, 0x06054b50);
	put16(f, 0);
	put16(f, 0);
	put16(f, (unsigned)nentries);
	put16(f, (unsigned)nentries);
	put32(f, (uint32_t)cd_size);
	put32(f, (uint32_t)(cd_start - (long)prefix));
	put16(f, 0);
	for (i = 0; i < trailing; i++)
		fputc(0x5a, f);
	if (fclose(f) != 0)
		die("cannot write the archive");
	return 0;
}
