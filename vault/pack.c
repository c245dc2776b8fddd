#include "pack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "error.h"
#include "util.h"
#include "vault.h"

#define OUTBUF_SIZE (256 * 1024)
/* objects this big or bigger are left to the loose backend */
#define VAULT_PACK_OBJECT_MAX ((uint64_t)16 << 20)
/* bits of entropy per byte above which content is stored, not deflated */
#define STORE_ENTROPY 7.5

typedef struct {
	git_oid oid;
	uint64_t offset;
	uint64_t size;
	uint32_t crc;
	git_object_t type;
} entry;

struct vault_pack {
	git_odb_backend parent;
	int active;
	int fd;
	char dir[4096];      /* objects/pack */
	char tmp_path[4096];
	uint64_t end;        /* bytes written so far, buffered included */
	unsigned char *out;  /* write buffer */
	size_t outlen;

	entry *entries;
	size_t count, cap;
	size_t *slots;       /* open addressing over entries, index + 1 */
	size_t nslots;
	int streaming;       /* one write stream at a time */
	z_stream z[2];       /* see stream_for(); reset per object */
	int z_ready[2];
};

typedef struct {
	git_odb_stream parent;
	vault_pack *pack;
	uint64_t start;
	uint32_t crc;
	z_stream *z;         /* one of pack->z, once started */
	int started;
	int finished;
	git_object_t type;
	uint64_t size;
} wstream;

/* ---- buffered output --------------------------------------------- */

static int flush(vault_pack *p)
{
	if (p->outlen && vault__write_all(p->fd, p->out, p->outlen) < 0)
		return -1;
	p->outlen = 0;
	return 0;
}

static int emit(vault_pack *p, const void *data, size_t len)
{
	const unsigned char *d = data;

	while (len > 0) {
		size_t n = OUTBUF_SIZE - p->outlen;

		if (n > len)
			n = len;
		memcpy(p->out + p->outlen, d, n);
		p->outlen += n;
		p->end += n;
		d += n;
		len -= n;
		if (p->outlen == OUTBUF_SIZE && flush(p) < 0)
			return -1;
	}
	return 0;
}

/* ---- the object table -------------------------------------------- */

static size_t slot_of(const vault_pack *p, const git_oid *oid)
{
	size_t h;

	memcpy(&h, oid->id, sizeof(h));
	return h & (p->nslots - 1);
}

static const entry *lookup(const vault_pack *p, const git_oid *oid)
{
	size_t i;

	if (!p->active || !p->nslots)
		return NULL;
	for (i = slot_of(p, oid); p->slots[i]; i = (i + 1) & (p->nslots - 1)) {
		const entry *e = &p->entries[p->slots[i] - 1];

		if (git_oid_equal(&e->oid, oid))
			return e;
	}
	return NULL;
}

static void grow_slots(vault_pack *p)
{
	size_t i;

	free(p->slots);
	p->nslots = p->nslots ? p->nslots * 2 : 1024;
	if ((p->slots = calloc(p->nslots, sizeof(size_t))) == NULL)
		abort();
	for (i = 0; i < p->count; i++) {
		size_t s = slot_of(p, &p->entries[i].oid);

		while (p->slots[s])
			s = (s + 1) & (p->nslots - 1);
		p->slots[s] = i + 1;
	}
}

static void remember(vault_pack *p, const entry *e)
{
	size_t s;

	if (p->count == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		if ((p->entries = realloc(p->entries, p->cap * sizeof(entry))) == NULL)
			abort();
	}
	p->entries[p->count++] = *e;
	if (p->count * 2 > p->nslots) {
		grow_slots(p);
		return;
	}
	s = slot_of(p, &e->oid);
	while (p->slots[s])
		s = (s + 1) & (p->nslots - 1);
	p->slots[s] = p->count;
}

/* ---- writing one object ------------------------------------------ */

static size_t object_header(unsigned char *hdr, git_object_t type, uint64_t size)
{
	size_t n = 0;
	unsigned char c = (unsigned char)((type << 4) | (size & 15));

	size >>= 4;
	while (size) {
		hdr[n++] = c | 0x80;
		c = size & 0x7f;
		size >>= 7;
	}
	hdr[n++] = c;
	return n;
}

/* Deflate `len` bytes (or finish the stream) into the pack. */
static int deflate_out(wstream *s, const void *data, size_t len, int flush_mode)
{
	unsigned char buf[64 * 1024];
	int zr;

	s->z->next_in = (unsigned char *)(uintptr_t)data;
	s->z->avail_in = (uInt)len;
	do {
		size_t have;

		s->z->next_out = buf;
		s->z->avail_out = sizeof(buf);
		zr = deflate(s->z, flush_mode);
		if (zr == Z_STREAM_ERROR) {
			git_error_set_str(GIT_ERROR_ZLIB, "deflate failed");
			return -1;
		}
		have = sizeof(buf) - s->z->avail_out;
		s->crc = (uint32_t)crc32(s->crc, buf, (uInt)have);
		if (emit(s->pack, buf, have) < 0) {
			git_error_set_str(GIT_ERROR_OS, vault_error_message());
			return -1;
		}
	} while (s->z->avail_out == 0 || (flush_mode == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

/*
 * Whether deflating pays, judged from the first chunk's byte entropy:
 * PDF streams, zips and images are already compressed (close to 8 bits a
 * byte) and are stored; text and the like deflate.  A histogram costs a
 * fraction of a trial deflate, which would double the work on exactly
 * the content that gains nothing from it.
 */
static int choose_level(const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t count[256] = { 0 }, i;
	double bits = 0;

	if (len < 512)
		return Z_BEST_SPEED;
	if (len > 64 * 1024)
		len = 64 * 1024;
	for (i = 0; i < len; i++)
		count[p[i]]++;
	for (i = 0; i < 256; i++)
		if (count[i]) {
			double f = (double)count[i] / (double)len;

			bits -= f * log2(f);
		}
	return bits > STORE_ENTROPY ? Z_NO_COMPRESSION : Z_BEST_SPEED;
}

/*
 * The zlib stream for an object: 0 stores, 1 deflates.  Each is made once
 * per batch and reset per object.  A reset clears the deflater's 64 KB
 * hash table, which costs more than deflating saves on the small objects
 * a batch writes by the ten thousand (trees of a few ids, records of a few
 * hundred bytes): those are stored, like content that does not compress.
 */
#define SMALL_OBJECT 1024

static int stream_for(int *level, const void *first, size_t len, uint64_t size)
{
	if (size < SMALL_OBJECT || choose_level(first, len) == Z_NO_COMPRESSION) {
		*level = Z_NO_COMPRESSION;
		return 0;
	}
	*level = Z_BEST_SPEED;
	return 1;
}

static int start_entry(wstream *s, const void *first, size_t len)
{
	unsigned char hdr[16];
	size_t n = object_header(hdr, s->type, s->size);
	vault_pack *p = s->pack;
	int level, which = stream_for(&level, first, len, s->size);

	if (!p->z_ready[which]) {
		/* memLevel 1 for storing: no hash table worth the name to clear */
		if (deflateInit2(&p->z[which], level, Z_DEFLATED, 15, which ? 8 : 1,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			git_error_set_str(GIT_ERROR_ZLIB, "deflateInit failed");
			return -1;
		}
		p->z_ready[which] = 1;
	} else if (deflateReset(&p->z[which]) != Z_OK) {
		git_error_set_str(GIT_ERROR_ZLIB, "deflateReset failed");
		return -1;
	}
	s->z = &p->z[which];
	s->started = 1;
	s->crc = (uint32_t)crc32(0, hdr, (uInt)n);
	if (emit(s->pack, hdr, n) < 0) {
		git_error_set_str(GIT_ERROR_OS, vault_error_message());
		return -1;
	}
	return 0;
}

static int ws_write(git_odb_stream *stream, const char *data, size_t len)
{
	wstream *s = (wstream *)stream;

	if (!s->started && start_entry(s, data, len) < 0)
		return -1;
	return deflate_out(s, data, len, Z_NO_FLUSH);
}

static int ws_finalize(git_odb_stream *stream, const git_oid *oid)
{
	wstream *s = (wstream *)stream;
	entry e;

	if (!s->started && start_entry(s, "", 0) < 0)
		return -1;
	if (deflate_out(s, NULL, 0, Z_FINISH) < 0)
		return -1;
	git_oid_cpy(&e.oid, oid);
	e.offset = s->start;
	e.size = s->size;
	e.crc = s->crc;
	e.type = s->type;
	remember(s->pack, &e);
	s->finished = 1;
	return 0;
}

/* An unfinished object (a duplicate, or a failed read) is cut off again. */
static void ws_free(git_odb_stream *stream)
{
	wstream *s = (wstream *)stream;
	vault_pack *p = s->pack;

	if (!s->finished && p->fd >= 0) {
		if (p->end - s->start <= p->outlen) {
			p->outlen -= (size_t)(p->end - s->start);
		} else {
			/* already partly on disk: drop the buffer, cut the file */
			p->outlen = 0;
			if (ftruncate(p->fd, (off_t)s->start) < 0 ||
			    lseek(p->fd, (off_t)s->start, SEEK_SET) < 0)
				p->active = 0; /* unusable: finish will refuse */
		}
		p->end = s->start;
	}
	p->streaming = 0;
	free(s);
}

static int be_writestream(git_odb_stream **out, git_odb_backend *backend,
			  git_object_size_t size, git_object_t type)
{
	vault_pack *p = (vault_pack *)backend;
	wstream *s;

	/* big files go loose, where they can be read back in bounded memory */
	if (!p->active || p->streaming || size >= VAULT_PACK_OBJECT_MAX)
		return GIT_PASSTHROUGH;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		abort();
	s->parent.backend = backend;
	s->parent.mode = GIT_STREAM_WRONLY;
	s->parent.write = ws_write;
	s->parent.finalize_write = ws_finalize;
	s->parent.free = ws_free;
	s->pack = p;
	s->start = p->end;
	s->type = type;
	s->size = size;
	p->streaming = 1;
	*out = &s->parent;
	return 0;
}

static int be_write(git_odb_backend *backend, const git_oid *oid,
		    const void *data, size_t len, git_object_t type)
{
	git_odb_stream *stream;
	int error;

	if ((error = be_writestream(&stream, backend, len, type)) != 0)
		return error;
	if ((error = ws_write(stream, data, len)) == 0)
		error = ws_finalize(stream, oid);
	ws_free(stream);
	return error;
}

int vault_pack__write(vault_pack *p, const git_oid *id, const void *data,
		      size_t len, git_object_t type)
{
	if (lookup(p, id) || git_odb_exists(p->parent.odb, id))
		return 0;
	if (be_write(&p->parent, id, data, len, type) < 0)
		return vault_error__git(VAULT_ERROR, "cannot write to the pack");
	return 0;
}

/* ---- reading back what the batch wrote ---------------------------- */

static int be_exists(git_odb_backend *backend, const git_oid *oid)
{
	return lookup((vault_pack *)backend, oid) != NULL;
}

static int be_read_header(size_t *len, git_object_t *type,
			  git_odb_backend *backend, const git_oid *oid)
{
	const entry *e = lookup((vault_pack *)backend, oid);

	if (!e)
		return GIT_ENOTFOUND;
	*len = (size_t)e->size;
	*type = e->type;
	return 0;
}

static int be_read(void **out, size_t *len, git_object_t *type,
		   git_odb_backend *backend, const git_oid *oid)
{
	vault_pack *p = (vault_pack *)backend;
	const entry *e = lookup(p, oid);
	unsigned char in[64 * 1024];
	uint64_t pos;
	z_stream z;
	char *buf;
	int zr = Z_OK;

	if (!e)
		return GIT_ENOTFOUND;
	if (flush(p) < 0) {
		git_error_set_str(GIT_ERROR_OS, vault_error_message());
		return -1;
	}
	if ((buf = git_odb_backend_data_alloc(backend, (size_t)e->size + 1)) == NULL)
		return -1;
	/* skip the entry header: its bytes all have the high bit set but the last */
	pos = e->offset;
	for (;;) {
		unsigned char c;

		if (pread(p->fd, &c, 1, (off_t)pos++) != 1)
			goto fail;
		if (!(c & 0x80))
			break;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		goto fail;
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)e->size + 1;
	while (zr != Z_STREAM_END) {
		ssize_t n = pread(p->fd, in, sizeof(in), (off_t)pos);

		if (n <= 0)
			break;
		pos += (uint64_t)n;
		z.next_in = in;
		z.avail_in = (uInt)n;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			break;
	}
	inflateEnd(&z);
	if (zr != Z_STREAM_END || z.total_out != e->size)
		goto fail;
	buf[e->size] = '\0';
	*out = buf;
	*len = (size_t)e->size;
	*type = e->type;
	return 0;
fail:
	git_odb_backend_data_free(backend, buf);
	git_error_set_str(GIT_ERROR_ODB, "cannot read back an object of the open pack");
	return -1;
}

static void be_free(git_odb_backend *backend)
{
	vault_pack *p = (vault_pack *)backend;
	int i;

	if (p->fd >= 0) {
		close(p->fd);
		unlink(p->tmp_path);
	}
	for (i = 0; i < 2; i++)
		if (p->z_ready[i])
			deflateEnd(&p->z[i]);
	free(p->out);
	free(p->entries);
	free(p->slots);
	free(p);
}

/* ---- the batch ------------------------------------------------------ */

int vault_pack__begin(vault_pack **out, git_repository *repo)
{
	static const unsigned char header[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	vault_pack *p;
	git_odb *odb;
	int error;

	if ((p = calloc(1, sizeof(*p))) == NULL || (p->out = malloc(OUTBUF_SIZE)) == NULL)
		abort();
	p->fd = -1;
	git_odb_init_backend(&p->parent, GIT_ODB_BACKEND_VERSION);
	p->parent.read = be_read;
	p->parent.read_header = be_read_header;
	p->parent.write = be_write;
	p->parent.writestream = be_writestream;
	p->parent.exists = be_exists;
	p->parent.free = be_free;

	if ((error = vault__fmt(p->dir, sizeof(p->dir), "pack path", "%sobjects/pack",
				git_repository_path(repo))) < 0 ||
	    (error = vault__fmt(p->tmp_path, sizeof(p->tmp_path), "pack path",
				"%sobjects/tmp_qvault_pack_XXXXXX",
				git_repository_path(repo))) < 0)
		goto fail;
	if (mkdir(p->dir, 0755) < 0 && errno != EEXIST) {
		error = vault_error__errno(VAULT_ERROR, "cannot create '%s'", p->dir);
		goto fail;
	}
	if ((p->fd = mkstemp(p->tmp_path)) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot create a pack in '%s'", p->dir);
		goto fail;
	}
	fchmod(p->fd, 0444);
	p->active = 1;
	if ((error = emit(p, header, sizeof(header))) < 0)
		goto fail;
	if (git_repository_odb(&odb, repo) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot open the object database");
		goto fail;
	}
	error = git_odb_add_backend(odb, &p->parent, 1000);
	git_odb_free(odb);
	if (error < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot start a pack");
		goto fail;
	}
	*out = p;
	return 0;
fail:
	be_free(&p->parent);
	return error;
}

static int cmp_entry(const void *a, const void *b)
{
	return git_oid_cmp(&((const entry *)a)->oid, &((const entry *)b)->oid);
}

/* SHA-1 of the first `len` bytes of `fd`, read back from the page cache. */
static int hash_file(unsigned char md[20], int fd, uint64_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(1 << 20);
	uint64_t pos = 0;
	int error = -1;

	if (!ctx || !buf || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL))
		goto done;
	while (pos < len) {
		size_t want = len - pos > (1 << 20) ? (1 << 20) : (size_t)(len - pos);
		ssize_t n = pread(fd, buf, want, (off_t)pos);

		if (n <= 0) {
			vault_error__errno(VAULT_ERROR, "cannot read back the pack");
			goto done;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	EVP_DigestFinal_ex(ctx, md, NULL);
	error = 0;
done:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return error;
}

static void put32(unsigned char *b, uint32_t v)
{
	v = htonl(v);
	memcpy(b, &v, 4);
}

/* Write the idx v2 of the sorted entries to `fd`. */
static int write_idx(vault_pack *p, int fd, const unsigned char pack_sha[20])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char b[8], md[20];
	uint32_t fanout[256] = { 0 }, nlarge = 0;
	size_t i;
	int error = -1;

#define OUT(data, len)                                                      \
	do {                                                                \
		EVP_DigestUpdate(ctx, (data), (len));                       \
		if (emit(p, (data), (len)) < 0)                             \
			goto done;                                          \
	} while (0)

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL))
		goto done;
	/* reuse the pack's output buffer, now flushed, against the idx fd */
	p->fd = fd;
	for (i = 0; i < p->count; i++)
		fanout[p->entries[i].oid.id[0]]++;
	for (i = 1; i < 256; i++)
		fanout[i] += fanout[i - 1];
	OUT("\377tOc\0\0\0\2", 8);
	for (i = 0; i < 256; i++) {
		put32(b, fanout[i]);
		OUT(b, 4);
	}
	for (i = 0; i < p->count; i++)
		OUT(p->entries[i].oid.id, GIT_OID_RAWSZ);
	for (i = 0; i < p->count; i++) {
		put32(b, p->entries[i].crc);
		OUT(b, 4);
	}
	for (i = 0; i < p->count; i++) {
		uint64_t off = p->entries[i].offset;

		put32(b, off < 0x80000000u ? (uint32_t)off : 0x80000000u | nlarge++);
		OUT(b, 4);
	}
	for (i = 0; i < p->count; i++) {
		uint64_t off = p->entries[i].offset;

		if (off >= 0x80000000u) {
			put32(b, (uint32_t)(off >> 32));
			put32(b + 4, (uint32_t)off);
			OUT(b, 8);
		}
	}
	OUT(pack_sha, 20);
	EVP_DigestFinal_ex(ctx, md, NULL);
	if (emit(p, md, 20) < 0 || flush(p) < 0)
		goto done;
	error = 0;
#undef OUT
done:
	EVP_MD_CTX_free(ctx);
	return error;
}

int vault_pack__finish(vault_pack *p)
{
	unsigned char count[4], sha[20];
	char hex[41], idx_tmp[4096 + 8], path[4096 + 64];
	int pack_fd = p->fd, idx_fd = -1, error = VAULT_ERROR;
	git_odb *odb = p->parent.odb;

	if (!p->active || p->streaming)
		return vault_error__set(VAULT_ERROR, "the pack was left unusable by a failed write");
	if (p->count == 0) {
		vault_pack__abort(p);
		return 0;
	}
	if (flush(p) < 0)
		goto fail;
	put32(count, (uint32_t)p->count);
	if (pwrite(pack_fd, count, 4, 8) != 4) {
		vault_error__errno(VAULT_ERROR, "cannot write the pack header");
		goto fail;
	}
	if (hash_file(sha, pack_fd, p->end) < 0)
		goto fail;
	if (emit(p, sha, 20) < 0 || flush(p) < 0)
		goto fail;
	if (fsync(pack_fd) < 0) {
		vault_error__errno(VAULT_ERROR, "cannot sync the pack");
		goto fail;
	}
	qsort(p->entries, p->count, sizeof(entry), cmp_entry);
	if (vault__fmt(idx_tmp, sizeof(idx_tmp), "path", "%s.idx", p->tmp_path) < 0)
		goto fail;
	if ((idx_fd = open(idx_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444)) < 0) {
		vault_error__errno(VAULT_ERROR, "cannot create '%s'", idx_tmp);
		goto fail;
	}
	if (write_idx(p, idx_fd, sha) < 0 || fsync(idx_fd) < 0) {
		vault_error__errno(VAULT_ERROR, "cannot write the pack index");
		goto fail;
	}
	p->fd = pack_fd;
	vault__hex(hex, sha, 20);
	/* the pack first: git ignores a pack until its idx is there */
	if (vault__fmt(path, sizeof(path), "path", "%s/pack-%s.pack", p->dir, hex) < 0)
		goto fail;
	if (rename(p->tmp_path, path) < 0) {
		vault_error__errno(VAULT_ERROR, "cannot move the pack into place");
		goto fail;
	}
	if (vault__fmt(path, sizeof(path), "path", "%s/pack-%s.idx", p->dir, hex) < 0)
		goto fail;
	if (rename(idx_tmp, path) < 0) {
		vault_error__errno(VAULT_ERROR, "cannot move the pack index into place");
		goto fail;
	}
	close(idx_fd);
	close(pack_fd);
	p->fd = -1;
	p->active = 0;
	if ((error = vault__fsync_dir(p->dir)) < 0)
		return error;
	if (git_odb_refresh(odb) < 0)
		return vault_error__git(VAULT_ERROR, "cannot load the new pack");
	return 0;
fail:
	p->fd = pack_fd;
	if (idx_fd >= 0) {
		close(idx_fd);
		unlink(idx_tmp);
	}
	vault_pack__abort(p);
	return error;
}

void vault_pack__abort(vault_pack *p)
{
	if (p->fd >= 0) {
		close(p->fd);
		unlink(p->tmp_path);
		p->fd = -1;
	}
	p->active = 0;
	p->count = 0;
	p->outlen = 0;
}
