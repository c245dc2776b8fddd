/*
 * package.c - a zip package taken apart safely (see package.h).
 *
 * libzip reads and inflates the members, but it does not say where an
 * entry's data lies, how long a name really is (a NUL cuts it short), or
 * whether bytes follow the archive, so the structure is checked here from
 * the end record, the central directory and the local headers (PKWARE
 * APPNOTE 6.3, sections 4.3 and 4.5), with every length bounds-checked.
 */
#include "package.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>
#include <zip.h>

#include "error.h"
#include "util.h"
#include "vault.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define END_LEN 22
#define LOCATOR64_LEN 20
#define END64_LEN 56
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define COMMENT_MAX 65535
#define CD_MAX (64u << 20)
#define READ_CHUNK VAULT_PKG_CHUNK

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Read exactly `len` bytes at `off`; -1 on a short read or error. */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* A name fit for a one-line message: bytes below 0x20 and 0x7f as '?'. */
static const char *shown(char *buf, size_t size, const char *name, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < size; i++)
		buf[o++] = ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) ? '?' : name[i];
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

typedef struct {
	uint64_t cd_offset, cd_size, cd_end, count;
} end_record;

/*
 * Find the end of central directory record: the last one whose comment
 * ends exactly at the end of the file.  One that ends earlier means bytes
 * were appended.
 */
static int find_end(end_record *end, int fd, uint64_t size)
{
	unsigned char *tail, *e;
	size_t len = size < END_LEN + COMMENT_MAX ? (size_t)size : END_LEN + COMMENT_MAX;
	size_t i, garbage = 0;
	uint64_t base = size - len, at = 0;
	int found = 0, zip64;

	if (size < END_LEN)
		return vault_error__set(VAULT_EINVALID, "not a zip archive: %llu bytes",
					(unsigned long long)size);
	if ((tail = malloc(len)) == NULL)
		abort();
	if (read_at(fd, tail, len, base) < 0) {
		free(tail);
		return vault_error__errno(VAULT_ERROR, "cannot read the package");
	}
	for (i = len - END_LEN + 1; i-- > 0;) {
		size_t ends;

		if (le32(tail + i) != SIG_END)
			continue;
		ends = i + END_LEN + le16(tail + i + 20);
		if (ends == len) {
			found = 1;
			at = base + i;
			break;
		}
		if (ends < len && !garbage)
			garbage = len - ends;
	}
	if (!found) {
		free(tail);
		if (garbage)
			return vault_error__set(VAULT_EINVALID,
				"%zu bytes of trailing garbage follow the end of the archive", garbage);
		return vault_error__set(VAULT_EINVALID,
			"not a zip archive: no end of central directory record");
	}
	e = tail + (at - base);
	/* 0xffff: the zip64 record has the number */
	if ((le16(e + 4) != 0 && le16(e + 4) != 0xffff) || (le16(e + 6) != 0 && le16(e + 6) != 0xffff)) {
		free(tail);
		return vault_error__set(VAULT_EINVALID, "the archive is split across disks");
	}
	zip64 = le16(e + 4) == 0xffff || le16(e + 6) == 0xffff;
	end->count = le16(e + 10);
	end->cd_size = le32(e + 12);
	end->cd_offset = le32(e + 16);
	end->cd_end = at;
	if (le16(e + 8) != le16(e + 10)) {
		free(tail);
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt: its end record counts entries twice, differently");
	}
	free(tail);
	/* zip64: a locator just before the end record points to the real numbers */
	if (at >= LOCATOR64_LEN) {
		unsigned char loc[LOCATOR64_LEN], rec[END64_LEN];
		uint64_t rec_at;

		if (read_at(fd, loc, sizeof(loc), at - LOCATOR64_LEN) < 0)
			return vault_error__errno(VAULT_ERROR, "cannot read the package");
		if (le32(loc) == SIG_LOCATOR64) {
			rec_at = le64(loc + 8);
			if (rec_at > at - LOCATOR64_LEN || at - LOCATOR64_LEN - rec_at < END64_LEN ||
			    read_at(fd, rec, sizeof(rec), rec_at) < 0 || le32(rec) != SIG_END64)
				return vault_error__set(VAULT_EINVALID,
					"the central directory is corrupt: a bad zip64 end record");
			if (le32(rec + 16) != 0 || le32(rec + 20) != 0)
				return vault_error__set(VAULT_EINVALID, "the archive is split across disks");
			end->count = le64(rec + 32);
			end->cd_size = le64(rec + 40);
			end->cd_offset = le64(rec + 48);
			end->cd_end = rec_at;
			zip64 = 0;
		}
	}
	if (zip64)
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt: its end record points to a zip64 record"
			" that is not there");
	if (end->cd_offset > end->cd_end || end->cd_size != end->cd_end - end->cd_offset)
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt: it does not end where the end record is"
			" (data before the archive, or a bad offset)");
	return 0;
}

/* The zip64 extra field's values for the 32-bit fields that overflowed. */
static int zip64_extra(const unsigned char *x, size_t xlen, uint64_t *size, uint64_t *stored,
		       uint64_t *offset)
{
	while (xlen >= 4) {
		uint16_t id = le16(x), n = le16(x + 2);
		size_t k = 4;

		if ((size_t)n + 4 > xlen)
			return -1;
		if (id == 0x0001) {
			uint64_t *want[3] = { size, stored, offset };
			int i;

			for (i = 0; i < 3; i++) {
				if (*want[i] != 0xffffffffu)
					continue;
				if (k + 8 > (size_t)n + 4)
					return -1;
				*want[i] = le64(x + k);
				k += 8;
			}
			return 0;
		}
		x += 4 + n;
		xlen -= 4 + (size_t)n;
	}
	return 0;
}

/* Bytes from p before `end` or one of `stops`: strcspn for unterminated bytes. */
static size_t bytes_before(const char *p, const char *end, const char *stops)
{
	const char *q = p;

	while (q < end && !strchr(stops, *q))
		q++;
	return (size_t)(q - p);
}

/* Refuse a name that escapes, or that a repository path cannot be. */
static int check_name(const char *name, size_t len, size_t index)
{
	char show[160];
	const char *p;
	size_t i;

	if (len == 0)
		return vault_error__set(VAULT_EINVALID, "entry %zu has an empty name", index + 1);
	shown(show, sizeof(show), name, len);
	if (memchr(name, '\0', len))
		return vault_error__set(VAULT_EINVALID, "entry '%s' has a NUL byte in its name", show);
	/* '\' is a separator to Windows tools: judge the name as they would */
	if (name[0] == '/' || name[0] == '\\' ||
	    (len >= 2 && name[1] == ':' && ((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z')))
		return vault_error__set(VAULT_EINVALID, "entry '%s' escapes the package (an absolute path)",
					show);
	for (p = name; p < name + len;) {
		size_t n = bytes_before(p, name + len, "/\\");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return vault_error__set(VAULT_EINVALID, "entry '%s' escapes the package", show);
		p += n + 1;
	}
	if (memchr(name, '\\', len))
		return vault_error__set(VAULT_EINVALID, "entry '%s' has a backslash in its name", show);
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return vault_error__set(VAULT_EINVALID,
				"entry '%s' has a control character in its name", show);
	if (u8_check((const uint8_t *)name, len) != NULL)
		return vault_error__set(VAULT_EINVALID, "entry '%s' has a name that is not UTF-8", show);
	for (p = name; p < name + len;) {
		size_t n = bytes_before(p, name + len, "/");

		if ((n == 0 && p + 1 < name + len) || (n == 1 && p[0] == '.') || (n && p[0] == '.'))
			return vault_error__set(VAULT_EINVALID,
				"entry '%s': an empty, '.' or hidden path component", show);
		p += n + 1;
	}
	return 0;
}

/* One central directory entry at cd[*pos]; advances *pos. */
static int read_central(vault_pkg_entry *e, const unsigned char *cd, size_t cd_len,
			size_t *pos, size_t index)
{
	const unsigned char *h = cd + *pos;
	size_t nlen, xlen, clen;
	uint16_t flags, made_by;
	uint32_t mode;
	char show[160];
	int error;

	if (cd_len - *pos < CENTRAL_LEN || le32(h) != SIG_CENTRAL)
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt at entry %zu", index + 1);
	made_by = le16(h + 4);
	flags = le16(h + 8);
	e->method = le16(h + 10);
	e->crc32 = le32(h + 16);
	e->stored = le32(h + 20);
	e->size = le32(h + 24);
	nlen = le16(h + 28);
	xlen = le16(h + 30);
	clen = le16(h + 32);
	mode = le32(h + 38) >> 16;
	e->offset = le32(h + 42);
	if (cd_len - *pos - CENTRAL_LEN < nlen + xlen + clen)
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt at entry %zu", index + 1);
	if ((error = check_name((const char *)h + CENTRAL_LEN, nlen, index)) < 0)
		return error;
	e->name = vault__strndup((const char *)h + CENTRAL_LEN, nlen);
	*pos += CENTRAL_LEN + nlen + xlen + clen;
	shown(show, sizeof(show), e->name, nlen);
	if (zip64_extra(h + CENTRAL_LEN + nlen, xlen, &e->size, &e->stored, &e->offset) < 0)
		return vault_error__set(VAULT_EINVALID, "entry '%s' has a corrupt zip64 field", show);
	e->folder = e->name[nlen - 1] == '/';
	if ((made_by >> 8) == 3 && S_ISLNK(mode))
		return vault_error__set(VAULT_EINVALID, "entry '%s' is a symbolic link", show);
	if ((made_by >> 8) == 3 && (mode & S_IFMT) && !S_ISREG(mode) && !S_ISDIR(mode))
		return vault_error__set(VAULT_EINVALID, "entry '%s' is not a regular file", show);
	if ((flags & 0x0001) || e->method == 99)
		return vault_error__set(VAULT_EINVALID, "entry '%s' is encrypted", show);
	if (e->method != 0 && e->method != 8)
		return vault_error__set(VAULT_EINVALID,
			"entry '%s' uses compression method %u; a package uses stored or deflate",
			show, e->method);
	if (e->folder && e->size != 0)
		return vault_error__set(VAULT_EINVALID, "entry '%s' is a folder with content", show);
	if (e->method == 0 && e->size != e->stored)
		return vault_error__set(VAULT_EINVALID,
			"entry '%s' is stored, yet its sizes differ (%llu and %llu)", show,
			(unsigned long long)e->size, (unsigned long long)e->stored);
	if (e->size > VAULT_PKG_MAX_MEMBER)
		return vault_error__set(VAULT_EINVALID,
			"entry '%s' unpacks to %llu bytes, over the limit of %llu per member", show,
			(unsigned long long)e->size, (unsigned long long)VAULT_PKG_MAX_MEMBER);
	if (e->size > VAULT_PKG_RATIO_FROM && e->size / VAULT_PKG_MAX_RATIO > e->stored)
		return vault_error__set(VAULT_EINVALID,
			"entry '%s' inflates %llu bytes to %llu, over the limit of %dx (a zip bomb)", show,
			(unsigned long long)e->stored, (unsigned long long)e->size, VAULT_PKG_MAX_RATIO);
	return 0;
}

/* Names as a user's file system would compare them: case-folded, NFC. */
typedef struct {
	uint8_t *key;
	size_t len;
	size_t index;
} fold;

static int cmp_fold(const void *a, const void *b)
{
	const fold *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int check_collisions(const vault_pkg *p)
{
	fold *f = calloc(p->count + 1, sizeof(*f));
	char a[160], b[160];
	size_t i, k;
	int error = 0;

	if (!f)
		abort();
	for (i = 0; i < p->count; i++) {
		const char *name = p->entries[i].name;
		size_t n = strlen(name) - (p->entries[i].folder ? 1 : 0);

		f[i].index = i;
		if ((f[i].key = u8_casefold((const uint8_t *)name, n, NULL, UNINORM_NFC, NULL,
					    &f[i].len)) == NULL)
			abort();
	}
	qsort(f, p->count, sizeof(*f), cmp_fold);
	for (i = 1; i < p->count && !error; i++) {
		const vault_pkg_entry *x = &p->entries[f[i - 1].index], *y = &p->entries[f[i].index];

		if (cmp_fold(&f[i - 1], &f[i]) != 0)
			continue;
		if (strcmp(x->name, y->name) == 0)
			error = vault_error__set(VAULT_EINVALID, "entry '%s' appears twice",
						 shown(a, sizeof(a), x->name, strlen(x->name)));
		else
			error = vault_error__set(VAULT_EINVALID,
				"entries '%s' and '%s' differ only by case or Unicode normalization",
				shown(a, sizeof(a), x->name, strlen(x->name)),
				shown(b, sizeof(b), y->name, strlen(y->name)));
	}
	/* a member may not also be a folder of others: "a" and "a/b" */
	for (i = 0; i < p->count && !error; i++) {
		const char *name = p->entries[i].name, *s;

		for (s = strchr(name, '/'); s && s[1] && !error; s = strchr(s + 1, '/'))
			for (k = 0; k < p->count; k++)
				if (!p->entries[k].folder && strlen(p->entries[k].name) == (size_t)(s - name) &&
				    memcmp(p->entries[k].name, name, (size_t)(s - name)) == 0) {
					error = vault_error__set(VAULT_EINVALID,
						"entry '%s' is a file and also a folder of '%s'",
						shown(a, sizeof(a), p->entries[k].name,
						      strlen(p->entries[k].name)),
						shown(b, sizeof(b), name, strlen(name)));
					break;
				}
	}
	for (i = 0; i < p->count; i++)
		free(f[i].key);
	free(f);
	return error;
}

/* Local headers: present, agreeing, and no two entries' bytes overlapping. */
typedef struct {
	uint64_t from, to;
	size_t index;
} span;

static int cmp_span(const void *a, const void *b)
{
	const span *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

static int check_spans(const vault_pkg *p, uint64_t cd_offset)
{
	span *s = calloc(p->count + 1, sizeof(*s));
	unsigned char h[LOCAL_LEN];
	char a[160], b[160];
	size_t i;
	int error = 0;

	if (!s)
		abort();
	for (i = 0; i < p->count && !error; i++) {
		const vault_pkg_entry *e = &p->entries[i];
		size_t nlen = strlen(e->name);
		char *local;

		shown(a, sizeof(a), e->name, nlen);
		if (e->offset > cd_offset || cd_offset - e->offset < LOCAL_LEN ||
		    read_at(p->fd, h, sizeof(h), e->offset) < 0 || le32(h) != SIG_LOCAL) {
			error = vault_error__set(VAULT_EINVALID,
				"entry '%s' has no local header where the central directory says", a);
			break;
		}
		if (le16(h + 26) != nlen) {
			error = vault_error__set(VAULT_EINVALID,
				"entry '%s': its local header names another file", a);
			break;
		}
		if ((local = malloc(nlen + 1)) == NULL)
			abort();
		if (read_at(p->fd, local, nlen, e->offset + LOCAL_LEN) < 0 ||
		    memcmp(local, e->name, nlen) != 0)
			error = vault_error__set(VAULT_EINVALID,
				"entry '%s': its local header names another file", a);
		free(local);
		s[i].from = e->offset;
		s[i].to = e->offset + LOCAL_LEN + nlen + le16(h + 28) + e->stored;
		s[i].index = i;
		if (!error && s[i].to > cd_offset)
			error = vault_error__set(VAULT_EINVALID,
				"entry '%s' runs into the central directory", a);
	}
	if (!error) {
		qsort(s, p->count, sizeof(*s), cmp_span);
		for (i = 1; i < p->count; i++)
			if (s[i].from < s[i - 1].to) {
				const char *x = p->entries[s[i - 1].index].name;
				const char *y = p->entries[s[i].index].name;

				error = vault_error__set(VAULT_EINVALID,
					"entries '%s' and '%s' overlap in the archive (a zip bomb)",
					shown(a, sizeof(a), x, strlen(x)), shown(b, sizeof(b), y, strlen(y)));
				break;
			}
	}
	free(s);
	return error;
}

static int check_structure(vault_pkg *p)
{
	end_record end = { 0, 0, 0, 0 };
	unsigned char *cd;
	size_t pos = 0, i;
	int error;

	if ((error = find_end(&end, p->fd, p->size)) < 0)
		return error;
	if (end.count > VAULT_PKG_MAX_ENTRIES)
		return vault_error__set(VAULT_EINVALID, "the package has %llu entries, over the limit of %d",
					(unsigned long long)end.count, VAULT_PKG_MAX_ENTRIES);
	if (end.count == 0)
		return vault_error__set(VAULT_EINVALID, "the package is empty");
	if (end.cd_size > CD_MAX || end.cd_size < end.count * CENTRAL_LEN)
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt: %llu bytes for %llu entries",
			(unsigned long long)end.cd_size, (unsigned long long)end.count);
	if ((cd = malloc((size_t)end.cd_size)) == NULL ||
	    (p->entries = calloc((size_t)end.count, sizeof(*p->entries))) == NULL)
		abort();
	if (read_at(p->fd, cd, (size_t)end.cd_size, end.cd_offset) < 0) {
		free(cd);
		return vault_error__errno(VAULT_ERROR, "cannot read the package");
	}
	for (i = 0; i < end.count; i++) {
		p->count = i + 1;
		if ((error = read_central(&p->entries[i], cd, (size_t)end.cd_size, &pos, i)) < 0) {
			free(cd);
			return error;
		}
		p->total += p->entries[i].size;
		if (p->total > VAULT_PKG_MAX_TOTAL) {
			free(cd);
			return vault_error__set(VAULT_EINVALID,
				"the package unpacks to more than %llu bytes, the limit",
				(unsigned long long)VAULT_PKG_MAX_TOTAL);
		}
	}
	free(cd);
	if (pos != end.cd_size)
		return vault_error__set(VAULT_EINVALID,
			"the central directory is corrupt: it holds more than its %llu entries",
			(unsigned long long)end.count);
	if ((error = check_collisions(p)) < 0)
		return error;
	return check_spans(p, end.cd_offset);
}

int vault_pkg__open(vault_pkg *p, const char *path, uint64_t max, const char *key)
{
	struct stat st;
	zip_error_t zerr;
	int fd2, zcode = 0, error;
	zip_int64_t n;
	size_t i;

	memset(p, 0, sizeof(*p));
	if ((p->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return vault_error__errno(errno == ENOENT ? VAULT_ENOTFOUND : VAULT_ERROR,
					  "cannot open '%s'", path);
	if (fstat(p->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vault_pkg__close(p);
		return vault_error__set(VAULT_EINVALID, "'%s' is not a file", path);
	}
	if ((uint64_t)st.st_size > max) {
		vault_pkg__close(p);
		return vault_error__set(VAULT_EINVALID,
			"the package is larger than the limit of %llu bytes (git config %s)",
			(unsigned long long)max, key);
	}
	p->size = (uint64_t)st.st_size;
	if ((error = check_structure(p)) < 0) {
		vault_pkg__close(p);
		return error;
	}
	/* the same open file for libzip: what was checked is what is read */
	if ((fd2 = dup(p->fd)) < 0) {
		vault_pkg__close(p);
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	}
	if ((p->zip = zip_fdopen(fd2, ZIP_RDONLY | ZIP_CHECKCONS, &zcode)) == NULL) {
		close(fd2);
		zip_error_init_with_code(&zerr, zcode);
		error = vault_error__set(VAULT_EINVALID, "the package is corrupt: %s",
					 zip_error_strerror(&zerr));
		zip_error_fini(&zerr);
		vault_pkg__close(p);
		return error;
	}
	n = zip_get_num_entries(p->zip, 0);
	for (i = 0; n == (zip_int64_t)p->count && i < p->count; i++) {
		const char *name = zip_get_name(p->zip, i, ZIP_FL_ENC_RAW);

		if (!name || !p->entries[i].name || strcmp(name, p->entries[i].name) != 0)
			break;
	}
	if (n != (zip_int64_t)p->count || i < p->count) {
		vault_pkg__close(p);
		return vault_error__set(VAULT_EINVALID,
			"the package is corrupt: libzip reads its directory differently");
	}
	return 0;
}

void vault_pkg__close(vault_pkg *p)
{
	size_t i;

	if (p->zip)
		zip_discard(p->zip);
	if (p->fd >= 0)
		close(p->fd);
	for (i = 0; i < p->count; i++)
		free(p->entries[i].name);
	free(p->entries);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

const vault_pkg_entry *vault_pkg__find(const vault_pkg *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (strcmp(p->entries[i].name, name) == 0)
			return &p->entries[i];
	return NULL;
}

int vault_pkg__read(vault_pkg *p, const vault_pkg_entry *e, vault_pkg_chunk_cb cb,
		    void *payload)
{
	zip_file_t *f;
	unsigned char *buf;
	uint64_t total = 0;
	char show[160];
	int error = 0, first = 1;

	shown(show, sizeof(show), e->name, strlen(e->name));
	if ((f = zip_fopen_index(p->zip, (zip_uint64_t)(e - p->entries), 0)) == NULL)
		return vault_error__set(VAULT_EINVALID, "entry '%s' cannot be read: %s", show,
					zip_strerror(p->zip));
	if ((buf = malloc(READ_CHUNK)) == NULL)
		abort();
	for (;;) {
		/* ask for one byte past the declared size, to catch a liar */
		zip_uint64_t want = e->size - total + 1 < READ_CHUNK ? e->size - total + 1 : READ_CHUNK;
		zip_int64_t n = zip_fread(f, buf, want);

		if (n < 0) {
			error = vault_error__set(VAULT_EINVALID, "entry '%s' is corrupt: %s", show,
						 zip_file_strerror(f));
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > e->size) {
			error = vault_error__set(VAULT_EINVALID,
				"entry '%s' inflates past its declared %llu bytes", show,
				(unsigned long long)e->size);
			break;
		}
		if ((error = cb(payload, buf, (size_t)n, first)) < 0)
			break;
		first = 0;
	}
	if (!error && total != e->size)
		error = vault_error__set(VAULT_EINVALID, "entry '%s' inflates to %llu bytes, not %llu",
					 show, (unsigned long long)total, (unsigned long long)e->size);
	free(buf);
	zip_fclose(f);
	return error;
}

int vault_pkg__slurp(char **data, size_t *len, vault_pkg *p, const vault_pkg_entry *e,
		     size_t max)
{
	vault_buf b = { NULL, 0, max, 0 };
	int error;

	*data = NULL;
	*len = 0;
	if (e->size > max)
		return vault_error__set(VAULT_EINVALID, "entry '%s' is %llu bytes, over %zu", e->name,
					(unsigned long long)e->size, max);
	if ((error = vault_pkg__read(p, e, vault_buf__append, &b)) < 0) {
		free(b.data);
		return error;
	}
	if (!b.data && (b.data = calloc(1, 1)) == NULL)
		abort();
	*data = b.data;
	*len = b.len;
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

struct vault_zipw {
	zip_t *zip;
	char *path;
	time_t when;
	uint64_t members;
	vault__meter *meter;
	const char *what;
};

/* libzip's share written so far (0 to 1), as members written. */
static void zipw_progress(zip_t *zip, double done, void *payload)
{
	vault_zipw *w = payload;

	(void)zip;
	vault__progress(w->meter, w->what, (uint64_t)(done * (double)w->members), w->members);
}

void vault_zipw__set_progress(vault_zipw *w, vault__meter *m, const char *what)
{
	if (!vault__progress_on(m))
		return;
	w->meter = m;
	w->what = what;
	zip_register_progress_callback_with_state(w->zip, 0.001, zipw_progress, NULL, w);
}

int vault_zipw__open(vault_zipw **out, const char *path)
{
	vault_zipw *w = calloc(1, sizeof(*w));
	struct tm tm;
	int zerr;

	if (!w)
		abort();
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 100;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	w->when = mktime(&tm);
	if ((w->zip = zip_open(path, ZIP_CREATE | ZIP_EXCL, &zerr)) == NULL) {
		zip_error_t ze;
		int error;

		zip_error_init_with_code(&ze, zerr);
		error = vault_error__set(zerr == ZIP_ER_EXISTS ? VAULT_EEXISTS : VAULT_ERROR,
					 "cannot write '%s': %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		free(w);
		return error;
	}
	w->path = vault__strdup(path);
	*out = w;
	return 0;
}

static int zipw_add(vault_zipw *w, const char *name, zip_source_t *src)
{
	zip_int64_t idx;

	if (!src || (idx = zip_file_add(w->zip, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		return vault_error__set(VAULT_ERROR, "cannot add '%s': %s", name, zip_strerror(w->zip));
	}
	if (zip_set_file_compression(w->zip, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) < 0 ||
	    zip_file_set_mtime(w->zip, (zip_uint64_t)idx, w->when, 0) < 0 ||
	    zip_file_set_external_attributes(w->zip, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     (zip_uint32_t)0100644 << 16) < 0)
		return vault_error__set(VAULT_ERROR, "cannot add '%s': %s", name, zip_strerror(w->zip));
	w->members++;
	return 0;
}

int vault_zipw__add_file(vault_zipw *w, const char *name, const char *path)
{
	return zipw_add(w, name, zip_source_file(w->zip, path, 0, -1));
}

int vault_zipw__add_data(vault_zipw *w, const char *name, const void *data, size_t len)
{
	return zipw_add(w, name, zip_source_buffer(w->zip, data, len, 0));
}

int vault_zipw__close(vault_zipw *w)
{
	int error = 0;

	if (zip_close(w->zip) < 0) {
		error = vault_error__set(VAULT_ERROR, "cannot write '%s': %s", w->path,
					 zip_strerror(w->zip));
		zip_discard(w->zip);
	} else if (w->meter) {
		vault__progress_end(w->meter, w->what, w->members, w->members);
	}
	free(w->path);
	free(w);
	return error;
}

void vault_zipw__discard(vault_zipw *w)
{
	if (!w)
		return;
	zip_discard(w->zip);
	free(w->path);
	free(w);
}
