/*
 * packread.c - the repository's packs read with pread(2), none mapped
 * (packread.h says why).
 *
 * The formats are git's (Documentation/gitformat-pack.txt):
 *
 *   pack-X.idx, version 2:  "\377tOc" 0 0 0 2 | fan-out: 256 counts, the
 *     objects whose name's first byte is at most i | names, sorted, 20
 *     bytes each | CRC-32s | 31-bit offsets, or (high bit set) the index
 *     of a 64-bit one | the 64-bit offsets | the pack's checksum | its own
 *
 *   pack-X.pack:  "PACK" version count | objects | checksum.  An object
 *     is a header (type in bits 4-6 of its first byte, size in the rest,
 *     7 bits more for each byte with the high bit set), a delta's base
 *     (OFS_DELTA: a distance back, REF_DELTA: the base's name), and its
 *     content deflated.  A delta is two sizes (its base's, its result's)
 *     then instructions: copy a range of the base, or insert bytes.
 *
 * Every number read from a file is checked before it is used: a pack of
 * a peer's, or one changed on disk, makes an error with its reason, not
 * a read out of bounds, a loop without end or an allocation past the
 * backend's limit.
 */
#include "packread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "objcache.h"
#include "util.h"

#define NAME GIT_OID_RAWSZ
#define IDX_NAMES (8 + 256 * 4)    /* where the names start (version 2) */
#define IDX1_ENTRIES (256 * 4)     /* version 1: no header, entries of an offset and a name */
#define IDX_TRAILER (2 * NAME)
#define PACK_HEADER 12
#define WINDOW 256                 /* names read at once: 5 KB */
#define HEADER_READ 4096           /* an object's first read: its header, and most small objects whole */
#define CHUNK (64 * 1024)          /* the reads after it */
#define MAX_CHAIN 10000            /* a delta chain longer is refused (git stops at 4095) */
#define PACKS_OPEN 32              /* packs whose descriptor is held at once */
#define INDEXES_OPEN 256           /* indexes whose descriptor is held at once */
#define PAGE 4096                  /* the pages kept (pages): a file's bytes at a multiple of PAGE */
#define PAGE_WAYS 4
#define PAGE_SETS (PACKREAD_PAGES / PAGE / PAGE_WAYS)
#define PLACE_WAYS 4
#define PLACE_SETS (PACKREAD_PLACES / sizeof(place) / PLACE_WAYS)

enum { OFS_DELTA = 6, REF_DELTA = 7 };

typedef struct {
	int idx, pack;             /* -1 while not held (pack_index, pack_data) */
	int gone;                  /* removed since (a gc): found no more */
	unsigned long used, looked; /* when its pack was last read, its index */
	uint64_t idx_size;
	int v1;                    /* an index of version 1 */
	uint32_t fanout[256];
	uint32_t count, nlarge;
	uint64_t end;              /* the pack's size less its checksum */
	unsigned char sum[NAME];   /* the pack's checksum, which its index names */
	uint64_t serial;           /* its pages' key (pages): 1, 2, ... as its reader added it */
	uint32_t *prefixes;        /* its names' first 4 bytes, in order (prefixes_load), or NULL */
	int prefixes_tried;
	char name[256];            /* "pack-X", for messages */
	char path[4096 + 256];     /* the pack's */
	char idx_path[4096 + 256];
} pack;

/*
 * A page of a pack's index or pack, as read: a lookup reads a window of
 * names and an offset, an object its first 4 KB, and the objects a
 * commit needs lie near each other, so the same pages are read again and
 * again (verify of 10,127 commits: 947,596 preads without the pages,
 * 108,822 with them).  An index larger than all the pages is read from
 * the file (page_read): its lookups land anywhere in it, and a window of
 * names would be two pages read where it was one read.  Kept by the
 * pack's serial, which no other pack of its reader has, and its file.
 * What is kept is what the file held when first read: a pack's files
 * are written once, a file opened again must have its size and
 * checksum (hold), and every object read is hashed by the odb.
 */
typedef struct {
	uint64_t file;             /* the pack's serial * 2, + 1 for its index; 0: empty */
	uint64_t no;               /* its offset / PAGE */
	unsigned long used;
	size_t len;                /* the bytes there: PAGE, less at the file's end */
	unsigned char *bytes;
} page;

/*
 * Where an object was found, by its name: a lookup in an index larger
 * than the pages is two reads (a window of names, then the offset), and
 * verify looks most objects up again soon after (a commit's folders as
 * its child's parent's, a file's folders and then the file): at
 * 1,000,000 revisions 34 per cent of the main walk's lookups, and 53 per
 * cent of the index rebuild's, were of a name looked up within the last
 * 100,000.  Kept by the pack's serial, which no other pack of its reader
 * has; a pack found gone since is looked for again.
 */
typedef struct {
	unsigned char name[NAME];
	uint64_t serial;           /* 0: empty */
	uint64_t offset;
} place;

typedef struct {
	git_odb_backend parent;
	pthread_mutex_t lock;
	char dir[4096];            /* objects/pack, or "" for one pack */
	pack **packs;              /* the one found last first */
	size_t npacks, held, held_idx; /* descriptors open: packs', indexes' */
	unsigned long clock;
	size_t max;                /* the largest object read */
	vault_objcache bases;      /* delta bases met down a chain, by pack and offset (base_key) */
	vault_objcache recent;     /* the objects read last, by name */
	page pages[PAGE_SETS][PAGE_WAYS]; /* the pages read last, a set by file and page */
	place *places;             /* PLACE_SETS sets of PLACE_WAYS, the last found first in
				    * each; NULL until an object is found */
	size_t prefixes, prefixes_max; /* the bytes its packs' prefixes take, and may */
	unsigned long page_clock;
	uint64_t serials;          /* the last pack's serial */
	z_stream zs;               /* inflate_entry's, kept between objects */
	int zs_ready;
} packread;

/* an object's header, as parsed */
typedef struct {
	int type;                  /* 1-4 (commit, tree, blob, tag), or a delta */
	uint64_t size;             /* inflated */
	uint64_t base;             /* OFS_DELTA: the base's offset */
	git_oid base_id;           /* REF_DELTA: the base's name */
	uint64_t data;             /* where the deflated bytes start */
	const unsigned char *head; /* the first of them, already read */
	size_t have;
} entry;

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int fail(const pack *p, const char *file, uint64_t at, const char *what)
{
	char msg[512];

	vault__fmt_message(msg, sizeof(msg), "%s.%s: at %llu: %s", p->name, file,
			   (unsigned long long)at, what);
	git_error_set_str(GIT_ERROR_ODB, msg);
	return GIT_ERROR;
}

static int read_at(const pack *p, int fd, void *buf, size_t len, uint64_t at)
{
	const char *file = fd == p->idx ? "idx" : "pack";
	size_t done = 0;

	if (at > (uint64_t)INT64_MAX - len)
		return fail(p, file, at, "offset out of range");
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(at + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(p, file, at + done, n < 0 ? strerror(errno) : "the file ends early");
		done += (size_t)n;
	}
	return 0;
}

/*
 * Open `path` to read: 1 when it is not there, < 0 (the reason set) when
 * it cannot be opened or is no regular file (a FIFO would block a read
 * for ever: opened without waiting, then refused).
 */
static int open_file(int *fd, uint64_t *size, const pack *p, const char *file, const char *path)
{
	struct stat st;

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return errno == ENOENT ? 1 : fail(p, file, 0, strerror(errno));
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = errno;

		close(*fd);
		*fd = -1;
		return fail(p, file, 0, S_ISREG(st.st_mode) ? strerror(e) : "not a regular file");
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static void pack_close(pack *p)
{
	if (!p)
		return;
	if (p->idx >= 0)
		close(p->idx);
	if (p->pack >= 0)
		close(p->pack);
	free(p->prefixes);
	free(p);
}

/*
 * Open the index at `idx` and check the pack at `path`: that each is what
 * this file reads and that the index is the pack's; both are closed
 * again until read (pack_index, pack_data).  1 (nothing opened) when
 * either file is not there: a gc removed them since the folder was read.
 */
static int pack_open(pack **out, const char *idx, const char *path, const char *name)
{
	unsigned char head[IDX_NAMES], psum[NAME], phead[PACK_HEADER];
	pack *p = calloc(1, sizeof(*p));
	uint64_t size, tables;
	int i, r;

	if (!p)
		abort();
	p->idx = p->pack = -1;
	vault__fmt_message(p->name, sizeof(p->name), "%s", name);
	if (strlen(path) >= sizeof(p->path) || strlen(idx) >= sizeof(p->idx_path)) {
		fail(p, "pack", 0, "its path is too long");
		goto fail;
	}
	memcpy(p->path, path, strlen(path) + 1);
	memcpy(p->idx_path, idx, strlen(idx) + 1);
	if ((r = open_file(&p->idx, &size, p, "idx", idx)) != 0)
		goto gone_or_fail;
	p->idx_size = size;
	if (size < IDX1_ENTRIES + IDX_TRAILER) {
		fail(p, "idx", 0, "the index is too short");
		goto fail;
	}
	if (read_at(p, p->idx, head, sizeof(head), 0) < 0)
		goto fail;
	/* version 1 (git writes it when pack.indexVersion says so) has no
	 * header: its fan-out table's first count is never that magic */
	p->v1 = memcmp(head, "\377tOc", 4) != 0;
	if (!p->v1 && be32(head + 4) != 2) {
		fail(p, "idx", 0, "not a pack index of version 1 or 2");
		goto fail;
	}
	for (i = 0; i < 256; i++) {
		p->fanout[i] = be32(head + (p->v1 ? 0 : 8) + 4 * i);
		if (i && p->fanout[i] < p->fanout[i - 1]) {
			fail(p, "idx", 8 + 4 * (uint64_t)i, "the fan-out table is out of order");
			goto fail;
		}
	}
	p->count = p->fanout[255];
	if (p->v1) {
		if (IDX1_ENTRIES + (uint64_t)p->count * (4 + NAME) + IDX_TRAILER != size) {
			fail(p, "idx", 0, "the index's size does not fit its object count");
			goto fail;
		}
	} else {
		tables = IDX_NAMES + (uint64_t)p->count * (NAME + 4 + 4);
		if (tables + IDX_TRAILER > size || (size - IDX_TRAILER - tables) % 8 ||
		    (size - IDX_TRAILER - tables) / 8 > p->count) {
			fail(p, "idx", 0, "the index's size does not fit its object count");
			goto fail;
		}
		p->nlarge = (uint32_t)((size - IDX_TRAILER - tables) / 8);
	}
	if (read_at(p, p->idx, p->sum, NAME, size - IDX_TRAILER) < 0)
		goto fail;

	if ((r = open_file(&p->pack, &size, p, "pack", path)) != 0)
		goto gone_or_fail;
	if (size < PACK_HEADER + NAME) {
		fail(p, "pack", 0, "the pack is too short");
		goto fail;
	}
	if (read_at(p, p->pack, phead, sizeof(phead), 0) < 0 ||
	    read_at(p, p->pack, psum, NAME, size - NAME) < 0)
		goto fail;
	if (memcmp(phead, "PACK", 4) || (be32(phead + 4) != 2 && be32(phead + 4) != 3)) {
		fail(p, "pack", 0, "not a pack of version 2 or 3");
		goto fail;
	}
	if (be32(phead + 8) != p->count || memcmp(p->sum, psum, NAME)) {
		fail(p, "idx", 0, "the index is not its pack's");
		goto fail;
	}
	p->end = size - NAME;
	/* each opened again when first read (pack_index, pack_data) */
	close(p->pack);
	close(p->idx);
	p->pack = p->idx = -1;
	*out = p;
	return 0;
gone_or_fail:
	pack_close(p);
	return r > 0 ? 1 : GIT_ERROR;
fail:
	pack_close(p);
	return GIT_ERROR;
}

/* Close the descriptor `which` of the pack of `b` used longest ago. */
static void close_oldest(packread *b, int which)
{
	pack *oldest = NULL;
	size_t i;

	for (i = 0; i < b->npacks; i++) {
		pack *p = b->packs[i];

		if ((which ? p->idx : p->pack) >= 0 &&
		    (!oldest || (which ? p->looked < oldest->looked : p->used < oldest->used)))
			oldest = p;
	}
	if (!oldest)
		return;
	if (which) {
		close(oldest->idx);
		oldest->idx = -1;
		b->held_idx--;
	} else {
		close(oldest->pack);
		oldest->pack = -1;
		b->held--;
	}
}

static void prefixes_drop(packread *b, pack *p);

/*
 * One of p's files held open (`index`: its index, to look names up in;
 * else its pack, to read objects from): past INDEXES_OPEN (PACKS_OPEN)
 * held, the one used longest ago is closed (a vault of many packs would
 * otherwise hold two descriptors a pack for each reader).  Opened again,
 * it must be the file first read: its size, and the pack's checksum at
 * its end.  GIT_ENOTFOUND, p found no more, when it was removed since (a
 * gc: the odb reads the folder again and finds the pack that replaced it).
 */
static int hold(packread *b, pack *p, int index)
{
	int *fd = index ? &p->idx : &p->pack;
	size_t *held = index ? &b->held_idx : &b->held;
	uint64_t want = index ? p->idx_size : p->end + NAME, size;
	unsigned char sum[NAME];
	int r;

	*(index ? &p->looked : &p->used) = ++b->clock;
	if (*fd >= 0)
		return 0;
	if (p->gone)
		return GIT_ENOTFOUND;
	if (*held >= (index ? INDEXES_OPEN : PACKS_OPEN))
		close_oldest(b, index);
	if ((r = open_file(fd, &size, p, index ? "idx" : "pack",
			   index ? p->idx_path : p->path)) != 0) {
		if (r < 0)
			return r;
		p->gone = 1;
		prefixes_drop(b, p);
		return GIT_ENOTFOUND;
	}
	++*held;
	if (size != want ||
	    read_at(p, *fd, sum, NAME, index ? size - IDX_TRAILER : size - NAME) < 0 ||
	    memcmp(sum, p->sum, NAME)) {
		close(*fd);
		*fd = -1;
		--*held;
		return fail(p, index ? "idx" : "pack", 0, "the file changed since it was first read");
	}
	return 0;
}

static int pack_index(packread *b, pack *p)
{
	return hold(b, p, 1);
}

static int pack_data(packread *b, pack *p)
{
	return hold(b, p, 0);
}

static size_t page_set(uint64_t file, uint64_t no)
{
	uint64_t h = (no * 0x9e3779b97f4a7c15ull) ^ (file * 0xc2b2ae3d27d4eb4full);

	return (size_t)((h ^ h >> 29) % PAGE_SETS);
}

/*
 * The page of p's index (`index`) or pack that holds offset `at`, its
 * descriptor held: the one kept, else read into the slot of its set
 * used longest ago.
 */
static int page_get(const page **out, packread *b, pack *p, int index, uint64_t at)
{
	uint64_t file = p->serial * 2 + (index ? 1 : 0), no = at / PAGE;
	page *set = b->pages[page_set(file, no)], *slot = &set[0];
	int fd = index ? p->idx : p->pack, w;
	size_t done = 0;

	for (w = 0; w < PAGE_WAYS; w++) {
		if (set[w].file == file && set[w].no == no) {
			set[w].used = ++b->page_clock;
			*out = &set[w];
			return 0;
		}
		if (set[w].used < slot->used)
			slot = &set[w];
	}
	if (!slot->bytes && (slot->bytes = malloc(PAGE)) == NULL)
		abort();
	/* empty, and the first to go, until read whole */
	slot->file = 0;
	slot->used = 0;
	while (done < PAGE) {
		ssize_t n = pread(fd, slot->bytes + done, PAGE - done, (off_t)(no * PAGE + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(p, index ? "idx" : "pack", at, strerror(errno));
		if (n == 0)
			break;
		done += (size_t)n;
	}
	slot->file = file;
	slot->no = no;
	slot->len = done;
	slot->used = ++b->page_clock;
	*out = slot;
	return 0;
}

/*
 * read_at through b's pages: the same bytes, and the same error when the
 * file ends before `len` bytes.  An index larger than the pages, and
 * every read with b NULL (the sweeps of a whole index's names, pr_foreach
 * and the copies' cursors, whose pages would push out the ones lookups
 * read again), go to the file, and nothing is kept.
 */
static int page_read(packread *b, pack *p, int index, void *buf, size_t len, uint64_t at)
{
	int fd = index ? p->idx : p->pack;
	size_t done = 0;

	/* what is kept is read only through a descriptor held (hold): not
	 * served from the pages either without one */
	if (fd < 0)
		return fail(p, index ? "idx" : "pack", at, "read while the file is not open");
	if (!b || (index && p->idx_size > PACKREAD_PAGES))
		return read_at(p, fd, buf, len, at);
	if (at > (uint64_t)INT64_MAX - len)
		return fail(p, index ? "idx" : "pack", at, "offset out of range");
	while (done < len) {
		uint64_t pos = at + done;
		size_t off = (size_t)(pos % PAGE), n;
		const page *g = NULL;

		if (page_get(&g, b, p, index, pos) < 0)
			return GIT_ERROR;
		if (g->len <= off)
			return fail(p, index ? "idx" : "pack", pos, "the file ends early");
		n = g->len - off < len - done ? g->len - off : len - done;
		memcpy((char *)buf + done, g->bytes + off, n);
		done += n;
	}
	return 0;
}

static void pages_free(packread *b)
{
	size_t i, w;

	for (i = 0; i < PAGE_SETS; i++)
		for (w = 0; w < PAGE_WAYS; w++)
			free(b->pages[i][w].bytes);
}

/* Names first .. first + n - 1 (n at most WINDOW) of p's index into out,
 * 20 bytes each, through b's pages (page_read). */
static int read_names(packread *b, pack *p, unsigned char *out, uint32_t first, uint32_t n)
{
	unsigned char raw[WINDOW * (4 + NAME)];
	uint32_t k;

	if (!p->v1)
		return page_read(b, p, 1, out, (size_t)n * NAME, IDX_NAMES + (uint64_t)first * NAME);
	if (page_read(b, p, 1, raw, (size_t)n * (4 + NAME),
		      IDX1_ENTRIES + (uint64_t)first * (4 + NAME)) < 0)
		return GIT_ERROR;
	for (k = 0; k < n; k++)
		memcpy(out + (size_t)k * NAME, raw + (size_t)k * (4 + NAME) + 4, NAME);
	return 0;
}

/*
 * The first position in [lo, hi) of p's names that is not below `key`
 * (hi when there is none), and whether it is `key`.  A window of names is
 * read where the key should be: names are hashes, spread evenly, so the
 * first guess (the key's place between the bucket's ends) is nearly
 * always right; then the window beside it, then halves.  Each read
 * narrows [lo, hi), so even an index out of order ends.
 */
static int lower_bound(uint32_t *out, int *equal, packread *b, pack *p, const unsigned char *key,
		       uint32_t lo, uint32_t hi)
{
	unsigned char names[WINDOW * NAME];
	uint32_t span;
	int step = 0, left = 0;

	*equal = 0;
	/* a name's place is off its even-spread guess by about half the
	 * square root of the bucket's size: a window of four times that is
	 * nearly always enough, and smaller windows are cheaper reads */
	for (span = 32; span < WINDOW && (uint64_t)span * span < 16ull * (hi - lo); span *= 2)
		;
	while (lo < hi) {
		uint32_t n = hi - lo, a, w, j, k;

		if (n <= span) {
			a = lo;
			w = n;
		} else {
			uint64_t guess;

			if (step == 0)
				guess = lo + ((uint64_t)n * be32(key + 1) >> 32);
			else if (step == 1)
				guess = left ? hi - span / 2 : lo + span / 2;
			else
				guess = lo + n / 2;
			a = guess < (uint64_t)lo + span / 2 ? lo : (uint32_t)(guess - span / 2);
			if (a > hi - span)
				a = hi - span;
			w = span;
		}
		step++;
		if (read_names(b, p, names, a, w) < 0)
			return GIT_ERROR;
		if (memcmp(names, key, NAME) >= 0) {
			*equal = !memcmp(names, key, NAME);
			hi = a;
			left = 1;
			continue;
		}
		if (memcmp(names + (size_t)(w - 1) * NAME, key, NAME) < 0) {
			lo = a + w;
			left = 0;
			continue;
		}
		/* names[j] < key <= names[k] */
		for (j = 0, k = w - 1; k - j > 1;) {
			uint32_t m = j + (k - j) / 2;

			if (memcmp(names + (size_t)m * NAME, key, NAME) < 0)
				j = m;
			else
				k = m;
		}
		*equal = !memcmp(names + (size_t)k * NAME, key, NAME);
		*out = a + k;
		return 0;
	}
	*out = hi;
	return 0;
}

static int entry_offset(uint64_t *out, packread *b, pack *p, uint32_t pos)
{
	uint64_t at = p->v1 ? IDX1_ENTRIES + (uint64_t)pos * (4 + NAME) :
			      IDX_NAMES + (uint64_t)p->count * (NAME + 4) + (uint64_t)pos * 4;
	unsigned char raw[8];
	uint32_t v;
	int i;

	if (page_read(b, p, 1, raw, 4, at) < 0)
		return GIT_ERROR;
	v = be32(raw);
	if (!p->v1 && (v & 0x80000000u)) {
		if ((v & 0x7fffffffu) >= p->nlarge)
			return fail(p, "idx", at, "a large offset past the index's table");
		if (page_read(b, p, 1, raw, 8,
			      IDX_NAMES + (uint64_t)p->count * (NAME + 8) + (uint64_t)(v & 0x7fffffffu) * 8) < 0)
			return GIT_ERROR;
		for (*out = 0, i = 0; i < 8; i++)
			*out = *out << 8 | raw[i];
	} else {
		*out = v;
	}
	if (*out < PACK_HEADER || *out >= p->end)
		return fail(p, "idx", at, "an object's offset outside its pack");
	return 0;
}

/*
 * The first 4 bytes of every name of a small pack's index, kept.  In a
 * vault of many packs most looks are in packs that do not hold the name
 * (each of the writes since the last repack is a pack of its own, up to
 * git config qvault.gcPacks of them, and an object is in one), and each
 * read a page of names of that pack's index; most of those pages were
 * not kept, for their indexes are together larger than the pages.  With
 * a pack's prefixes, a name it does not hold is known so in memory, and
 * one it may hold is read where it is.  Packs of at most a quarter of
 * PACKREAD_PREFIXES take them as they are first looked in, until
 * PACKREAD_PREFIXES is taken; the others are searched by lower_bound,
 * as is a pack whose names could not all be read (its search then says
 * what cannot be read, where a name is looked for).  Read from the file
 * once, in chunks, past the pages (which a whole index would empty).  A
 * pack found gone (a gc) gives its prefixes back.  Index version 2 only
 * (git writes version 1 only when told to).
 */
static void prefixes_load(packread *b, pack *p)
{
	unsigned char raw[CHUNK];
	uint32_t i, n, k;
	size_t bytes;

	p->prefixes_tried = 1;
	/* the count first: count * 4 could wrap a 32-bit size_t */
	if (p->v1 || p->count == 0 || p->count > b->prefixes_max / 16)
		return;
	bytes = (size_t)p->count * sizeof(*p->prefixes);
	if (b->prefixes + bytes > b->prefixes_max)
		return;
	if ((p->prefixes = malloc(bytes)) == NULL)
		abort();
	for (i = 0; i < p->count; i += n) {
		n = p->count - i < CHUNK / NAME ? p->count - i : (uint32_t)(CHUNK / NAME);
		if (read_at(p, p->idx, raw, (size_t)n * NAME, IDX_NAMES + (uint64_t)i * NAME) < 0) {
			/* searched in the index, as without prefixes: a read
			 * there says what cannot be read, where it matters */
			free(p->prefixes);
			p->prefixes = NULL;
			return;
		}
		for (k = 0; k < n; k++)
			p->prefixes[i + k] = be32(raw + (size_t)k * NAME);
	}
	b->prefixes += bytes;
}

/* p gone (a gc): its prefixes given back to the budget */
static void prefixes_drop(packread *b, pack *p)
{
	if (!p->prefixes)
		return;
	b->prefixes -= (size_t)p->count * sizeof(*p->prefixes);
	free(p->prefixes);
	p->prefixes = NULL;
}

/* the first position in [lo, hi) whose prefix is not below `want` (<=)
 * or above it (<) */
static uint32_t prefix_search(const pack *p, uint32_t want, int above, uint32_t lo, uint32_t hi)
{
	while (lo < hi) {
		uint32_t m = lo + (hi - lo) / 2;

		if (p->prefixes[m] < want || (above && p->prefixes[m] == want))
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/*
 * lower_bound's answer from p's prefixes: no read when no name has the
 * key's prefix (the answer for most packs), one when one has (nearly
 * always the most); a run of names sharing it, which only a forged index
 * makes long, searched by halves, a name read at each step.
 */
static int prefix_bound(uint32_t *out, int *equal, packread *b, pack *p, const unsigned char *key,
			uint32_t lo, uint32_t hi)
{
	uint32_t want = be32(key);
	unsigned char name[NAME];
	int c;

	*equal = 0;
	lo = prefix_search(p, want, 0, lo, hi);
	hi = prefix_search(p, want, 1, lo, hi);
	while (lo < hi) {
		uint32_t m = lo + (hi - lo) / 2;

		if (read_names(b, p, name, m, 1) < 0)
			return GIT_ERROR;
		if ((c = memcmp(name, key, NAME)) < 0) {
			lo = m + 1;
		} else {
			hi = m;
			*equal = c == 0;
		}
	}
	*out = lo;
	return 0;
}

/* 1 and the object's offset when p holds `id`, 0 when not, < 0 on error */
static int pack_find(uint64_t *offset, packread *b, pack *p, const git_oid *id)
{
	uint32_t lo = id->id[0] ? p->fanout[id->id[0] - 1] : 0, hi = p->fanout[id->id[0]], pos;
	int equal, r;

	if ((r = pack_index(b, p)) < 0)
		return r == GIT_ENOTFOUND ? 0 : r;
	if (!p->prefixes_tried)
		prefixes_load(b, p);
	if ((p->prefixes ? prefix_bound(&pos, &equal, b, p, id->id, lo, hi) :
			   lower_bound(&pos, &equal, b, p, id->id, lo, hi)) < 0)
		return GIT_ERROR;
	if (!equal)
		return 0;
	return entry_offset(offset, b, p, pos) < 0 ? GIT_ERROR : 1;
}

static place *place_set(const packread *b, const git_oid *id)
{
	return &b->places[(be32(id->id) % PLACE_SETS) * PLACE_WAYS];
}

/* 1 and the pack and offset where `id` was found last, its place moved
 * first in its set; 0 when not kept, or its pack is gone */
static int place_get(pack **found, uint64_t *offset, packread *b, const git_oid *id)
{
	place *set, hit;
	size_t w, i;

	if (!b->places)
		return 0;
	set = place_set(b, id);
	for (w = 0; w < PLACE_WAYS && set[w].serial && memcmp(set[w].name, id->id, NAME); w++)
		;
	if (w == PLACE_WAYS || !set[w].serial)
		return 0;
	for (i = 0; i < b->npacks && b->packs[i]->serial != set[w].serial; i++)
		;
	if (i == b->npacks || b->packs[i]->gone)
		return 0;
	hit = set[w];
	memmove(set + 1, set, w * sizeof(*set));
	set[0] = hit;
	*found = b->packs[i];
	*offset = hit.offset;
	return 1;
}

/* `id` found in p at `offset`: first in its set, the one used longest
 * ago let go of (a place of its name found before stays behind it,
 * never reached, until it goes the same way) */
static void place_keep(packread *b, const pack *p, uint64_t offset, const git_oid *id)
{
	place *set;

	if (!b->places && (b->places = calloc(PLACE_SETS * PLACE_WAYS, sizeof(place))) == NULL)
		abort();
	set = place_set(b, id);
	memmove(set + 1, set, (PLACE_WAYS - 1) * sizeof(*set));
	memcpy(set[0].name, id->id, NAME);
	set[0].serial = p->serial;
	set[0].offset = offset;
}

/* 1 and the pack and offset of `id`: where it was found last, or found
 * now, its pack then moved first (the next name looked for is likely in
 * the same); 0 when no pack has it */
static int locate(pack **found, uint64_t *offset, packread *b, const git_oid *id)
{
	size_t i;
	int r;

	if (place_get(found, offset, b, id))
		return 1;
	for (i = 0; i < b->npacks; i++) {
		if (b->packs[i]->gone || (r = pack_find(offset, b, b->packs[i], id)) == 0)
			continue;
		if (r > 0) {
			pack *p = b->packs[i];

			memmove(b->packs + 1, b->packs, i * sizeof(*b->packs));
			b->packs[0] = p;
			*found = p;
			place_keep(b, p, *offset, id);
		}
		return r;
	}
	return 0;
}

/* --- objects ------------------------------------------------------------ */

static int read_entry(entry *e, unsigned char *buf, packread *b, pack *p, uint64_t at)
{
	size_t have = p->end - at < HEADER_READ ? (size_t)(p->end - at) : HEADER_READ, i = 0;
	unsigned c;
	int shift = 4;

	if (page_read(b, p, 0, buf, have, at) < 0)
		return GIT_ERROR;
	c = buf[i++];
	e->type = (c >> 4) & 7;
	e->size = c & 15;
	while (c & 0x80) {
		if (i >= have || shift > 57)
			return fail(p, "pack", at, "an object's header is broken");
		c = buf[i++];
		e->size += (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (e->type == OFS_DELTA) {
		uint64_t back;

		if (i >= have)
			return fail(p, "pack", at, "an object's header is broken");
		c = buf[i++];
		back = c & 0x7f;
		while (c & 0x80) {
			if (i >= have || back >= (UINT64_MAX >> 7) - 1)
				return fail(p, "pack", at, "an object's header is broken");
			c = buf[i++];
			back = (back + 1) << 7 | (c & 0x7f);
		}
		/* a base comes before its delta, which is how a chain ends */
		if (back == 0 || back > at - PACK_HEADER)
			return fail(p, "pack", at, "a delta's base is outside the pack");
		e->base = at - back;
	} else if (e->type == REF_DELTA) {
		if (have - i < NAME)
			return fail(p, "pack", at, "an object's header is broken");
		memcpy(e->base_id.id, buf + i, NAME);
		i += NAME;
	} else if (e->type < GIT_OBJECT_COMMIT || e->type > GIT_OBJECT_TAG) {
		return fail(p, "pack", at, "an object of no known type");
	}
	if (e->size > b->max)
		return fail(p, "pack", at, "an object larger than this reader allows");
	/* deflate makes at most 1032 bytes of one (zlib's technical details):
	 * a header saying more is refused before anything is allocated */
	if ((p->end - at - i) < (UINT64_MAX - 64) / 1032 && e->size > (p->end - at - i) * 1032 + 64)
		return fail(p, "pack", at, "an object larger than its bytes can inflate to");
	e->data = at + i;
	e->head = buf + i;
	e->have = have - i;
	return 0;
}

/*
 * Inflate e's data into out[0..len).  Whole: the stream must end there,
 * neither shorter nor longer than its header says; else stop once `len`
 * bytes are out (a delta's sizes, at its start).
 */
static int inflate_entry(packread *b, const pack *p, const entry *e, unsigned char *out,
			 size_t len, int whole)
{
	unsigned char *chunk = NULL, spare;
	uint64_t next = e->data + e->have;
	size_t produced = 0;
	const char *why = NULL;
	z_stream *zs = &b->zs;
	int rc;

	/* one stream for all of b's objects: its state and window are
	 * allocated once, not per object */
	if (!b->zs_ready) {
		memset(&b->zs, 0, sizeof(b->zs));
		if (inflateInit(&b->zs) != Z_OK)
			abort();
		b->zs_ready = 1;
	} else if (inflateReset(&b->zs) != Z_OK) {
		abort();
	}
	zs->next_out = NULL;
	zs->avail_out = 0;
	zs->next_in = (unsigned char *)e->head;
	zs->avail_in = (uInt)e->have;
	for (;;) {
		size_t room;

		if (zs->avail_in == 0) {
			size_t n = p->end - next < CHUNK ? (size_t)(p->end - next) : CHUNK;

			if (n == 0) {
				why = "an object's data is cut short";
				break;
			}
			if (!chunk && (chunk = malloc(CHUNK)) == NULL)
				abort();
			if (read_at(p, p->pack, chunk, n, next) < 0) {
				free(chunk);
				return GIT_ERROR;
			}
			next += n;
			zs->next_in = chunk;
			zs->avail_in = (uInt)n;
		}
		if (zs->avail_out == 0) {
			if (produced < len) {
				zs->next_out = out + produced;
				zs->avail_out = len - produced > UINT_MAX ? UINT_MAX : (uInt)(len - produced);
			} else if (!whole) {
				break;
			} else {
				/* one byte more than it says is one too many */
				zs->next_out = &spare;
				zs->avail_out = 1;
			}
		}
		room = zs->avail_out;
		rc = inflate(zs, Z_NO_FLUSH);
		produced += room - zs->avail_out;
		if (produced > len) {
			why = "an object's data is longer than its header says";
			break;
		}
		if (rc == Z_STREAM_END) {
			if (produced < len)
				why = whole ? "an object's data is shorter than its header says" :
					      "a delta's header is broken";
			break;
		}
		if ((rc != Z_OK && rc != Z_BUF_ERROR) ||
		    (rc == Z_BUF_ERROR && zs->avail_in && zs->avail_out)) {
			why = "an object's data cannot be inflated";
			break;
		}
	}
	free(chunk);
	return why ? fail(p, "pack", e->data, why) : 0;
}

static int delta_size(uint64_t *out, const unsigned char **d, const unsigned char *end)
{
	uint64_t v = 0;
	int shift = 0;
	unsigned c;

	do {
		if (*d >= end || shift > 57)
			return -1;
		c = *(*d)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*out = v;
	return 0;
}

/*
 * Run the instructions d..end of a delta on `base`: into r (rsize bytes)
 * or, r NULL, only to check them and count what they make (*made), so
 * that nothing is allocated for a result they would not make.  NULL, or
 * what is wrong.
 */
static const char *delta_run(const unsigned char *d, const unsigned char *end,
			     const unsigned char *base, size_t blen, unsigned char *r,
			     uint64_t rsize, uint64_t *made)
{
	uint64_t pos = 0;

	while (d < end) {
		unsigned c = *d++;

		if (c & 0x80) {
			uint64_t off = 0, n = 0;
			int i;

			for (i = 0; i < 7; i++) {
				if (!(c & (1u << i)))
					continue;
				if (d == end)
					return "a delta is cut short";
				/* bits 0-3: the offset's bytes; 4-6: the size's */
				if (i < 4)
					off |= (uint64_t)*d++ << (8 * i);
				else
					n |= (uint64_t)*d++ << (8 * (i - 4));
			}
			if (n == 0)
				n = 0x10000;
			if (off > blen || n > blen - off || n > rsize - pos)
				return "a delta copies from outside its base, or past its end";
			if (r)
				memcpy(r + pos, base + off, (size_t)n);
			pos += n;
		} else if (c) {
			if (c > (size_t)(end - d) || c > rsize - pos)
				return "a delta inserts past its end";
			if (r)
				memcpy(r + pos, d, c);
			d += c;
			pos += c;
		} else {
			return "a delta holds instruction 0, which is reserved";
		}
	}
	*made = pos;
	return pos == rsize ? NULL : "a delta makes fewer bytes than it says";
}

/* The result of `delta` (at `at` in p) on `base`: libgit2's to keep when
 * `final`, else malloc'd. */
static int delta_apply(unsigned char **out, size_t *outlen, packread *b, int final,
		       const pack *p, uint64_t at, const unsigned char *base, size_t blen,
		       const unsigned char *delta, size_t dlen)
{
	const unsigned char *d = delta, *end = delta + dlen;
	uint64_t bsize, rsize, made;
	unsigned char *r;
	const char *why;

	if (delta_size(&bsize, &d, end) < 0 || delta_size(&rsize, &d, end) < 0)
		return fail(p, "pack", at, "a delta's header is broken");
	if (bsize != blen)
		return fail(p, "pack", at, "a delta is not of its base (their sizes differ)");
	if (rsize > b->max)
		return fail(p, "pack", at, "an object larger than this reader allows");
	if ((why = delta_run(d, end, base, blen, NULL, rsize, &made)) != NULL)
		return fail(p, "pack", at, why);
	r = final ? git_odb_backend_data_alloc(&b->parent, (size_t)rsize + 1) :
		    malloc((size_t)rsize + 1);
	if (!r)
		return fail(p, "pack", at, "out of memory");
	delta_run(d, end, base, blen, r, rsize, &made);
	r[rsize] = '\0';
	*out = r;
	*outlen = (size_t)rsize;
	return 0;
}

/* --- the cache of delta bases ------------------------------------------- */

static void base_key(unsigned char key[NAME], const pack *p, uint64_t offset)
{
	uintptr_t at = (uintptr_t)p;

	memset(key, 0, NAME);
	memcpy(key, &offset, sizeof(offset));
	memcpy(key + sizeof(offset), &at, sizeof(at));
}

/* --- reading ------------------------------------------------------------ */

/* The next object down a delta chain: e's base's offset in p. */
static int base_of(uint64_t *out, packread *b, pack *p, const entry *e, uint64_t at)
{
	int r;

	if (e->type == OFS_DELTA) {
		*out = e->base;
		return 0;
	}
	if ((r = pack_find(out, b, p, &e->base_id)) < 0)
		return r;
	return r ? 0 : fail(p, "pack", at, "a delta's base is not in its pack");
}

/*
 * The object at `offset` in p: its chain of deltas walked down to a base
 * (or to an object the cache holds), then applied back up, each delta
 * read again and inflated as it is applied: what a chain holds at once
 * is a base, a delta and their result, however long it is.  What it makes
 * on the way, the cache keeps.
 */
static int unpack(void **out, size_t *outlen, git_object_t *type, packread *b, pack *p,
		  uint64_t offset)
{
	unsigned char buf[HEADER_READ], *base = NULL, *delta = NULL;
	uint64_t *chain = NULL, at = offset, base_at;
	size_t n = 0, cap = 0, blen = 0, i;
	int owned = 1, error;
	entry e;

	if ((error = pack_data(b, p)) < 0)
		return error;
	for (;;) {
		const vault_objcache_entry *c = NULL;
		unsigned char key[NAME];
		uint64_t next;

		if (n) {
			base_key(key, p, at);
			c = vault_objcache__get(&b->bases, key);
		}
		if (c) {
			*type = c->type;
			base = c->data;
			blen = c->len;
			owned = 0;
			break;
		}
		if ((error = read_entry(&e, buf, b, p, at)) < 0)
			goto done;
		if (e.type != OFS_DELTA && e.type != REF_DELTA) {
			*type = (git_object_t)e.type;
			blen = (size_t)e.size;
			base = n ? malloc(blen + 1) : git_odb_backend_data_alloc(&b->parent, blen + 1);
			if (!base) {
				error = fail(p, "pack", at, "out of memory");
				goto done;
			}
			if ((error = inflate_entry(b, p, &e, base, blen, 1)) < 0) {
				if (n)
					free(base);
				else
					git_odb_backend_data_free(&b->parent, base);
				base = NULL;
				goto done;
			}
			base[blen] = '\0';
			break;
		}
		if (n == MAX_CHAIN) {
			error = fail(p, "pack", offset, "a delta chain too long to read");
			goto done;
		}
		if ((error = base_of(&next, b, p, &e, at)) < 0)
			goto done;
		/* an offset delta's base comes before it; one by name may be
		 * anywhere, even down the chain already */
		for (i = 0; e.type == REF_DELTA && i < n; i++)
			if (chain[i] == next) {
				error = fail(p, "pack", at, "a delta chain that loops");
				goto done;
			}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((chain = realloc(chain, cap * sizeof(*chain))) == NULL)
				abort();
		}
		chain[n++] = at;
		at = next;
	}
	base_at = at;
	while (n > 0) {
		unsigned char *r = NULL;
		size_t rlen = 0;

		n--;
		if ((error = read_entry(&e, buf, b, p, chain[n])) < 0)
			goto done;
		if ((delta = malloc((size_t)e.size + 1)) == NULL) {
			error = fail(p, "pack", chain[n], "out of memory");
			goto done;
		}
		if ((error = inflate_entry(b, p, &e, delta, (size_t)e.size, 1)) < 0)
			goto done;
		error = delta_apply(&r, &rlen, b, n == 0, p, chain[n], base, blen, delta,
				    (size_t)e.size);
		free(delta);
		delta = NULL;
		if (error < 0)
			goto done;
		if (owned) {
			unsigned char key[NAME];

			base_key(key, p, base_at);
			vault_objcache__put(&b->bases, key, *type, base, blen);
		}
		base = r;
		blen = rlen;
		base_at = chain[n];
		owned = 1;
	}
	*out = base;
	*outlen = blen;
	base = NULL;
done:
	if (base && owned)
		free(base);
	free(delta);
	free(chain);
	return error;
}

/* The type and size of the object at `offset`, inflating no more than a
 * delta's first bytes. */
static int unpack_header(size_t *len, git_object_t *type, packread *b, pack *p,
			 uint64_t offset)
{
	unsigned char buf[HEADER_READ], sizes[20];
	uint64_t at = offset, result = 0;
	size_t n;
	entry e;
	int error;

	if ((error = pack_data(b, p)) < 0)
		return error;
	for (n = 0;; n++) {
		const vault_objcache_entry *c = NULL;
		unsigned char key[NAME];

		if (n) {
			base_key(key, p, at);
			c = vault_objcache__get(&b->bases, key);
		}
		if (c) {
			*type = c->type;
			break;
		}
		if (read_entry(&e, buf, b, p, at) < 0)
			return GIT_ERROR;
		if (n == 0)
			result = e.size;
		if (e.type != OFS_DELTA && e.type != REF_DELTA) {
			*type = (git_object_t)e.type;
			break;
		}
		if (n == 0) {
			/* the delta's own sizes: its base's, then its result's */
			const unsigned char *d = sizes, *end;
			uint64_t ignored;
			size_t want = e.size < sizeof(sizes) ? (size_t)e.size : sizeof(sizes);

			if (inflate_entry(b, p, &e, sizes, want, want == e.size) < 0)
				return GIT_ERROR;
			end = sizes + want;
			if (delta_size(&ignored, &d, end) < 0 || delta_size(&result, &d, end) < 0)
				return fail(p, "pack", at, "a delta's header is broken");
			if (result > b->max)
				return fail(p, "pack", at, "an object larger than this reader allows");
		}
		if (n == MAX_CHAIN)
			return fail(p, "pack", offset, "a delta chain too long to read");
		if (base_of(&at, b, p, &e, at) < 0)
			return GIT_ERROR;
	}
	*len = (size_t)result;
	return 0;
}

/* --- the backend -------------------------------------------------------- */

static int pr_read(void **data, size_t *len, git_object_t *type, git_odb_backend *be,
		   const git_oid *id)
{
	packread *b = (packread *)be;
	const vault_objcache_entry *c;
	uint64_t offset;
	pack *p;
	int r;

	pthread_mutex_lock(&b->lock);
	if ((c = vault_objcache__get(&b->recent, id->id)) != NULL) {
		r = vault_objcache__copy_out(data, len, type, &b->parent, c);
	} else if ((r = locate(&p, &offset, b, id)) > 0) {
		if ((r = unpack(data, len, type, b, p, offset)) == 0)
			vault_objcache__keep(&b->recent, id->id, *type, *data, *len);
	} else if (r == 0) {
		r = GIT_ENOTFOUND;
	}
	pthread_mutex_unlock(&b->lock);
	return r;
}

static int pr_read_header(size_t *len, git_object_t *type, git_odb_backend *be,
			  const git_oid *id)
{
	packread *b = (packread *)be;
	uint64_t offset;
	pack *p;
	int r;

	pthread_mutex_lock(&b->lock);
	if ((r = locate(&p, &offset, b, id)) > 0)
		r = unpack_header(len, type, b, p, offset);
	else if (r == 0)
		r = GIT_ENOTFOUND;
	pthread_mutex_unlock(&b->lock);
	return r;
}

/* found (1) or not (0); an index that cannot be read finds nothing, and the
 * read that follows says why (libgit2 reads any non-zero answer as found) */
static int pr_exists(git_odb_backend *be, const git_oid *id)
{
	packread *b = (packread *)be;
	uint64_t offset;
	pack *p;
	int r;

	pthread_mutex_lock(&b->lock);
	r = locate(&p, &offset, b, id);
	pthread_mutex_unlock(&b->lock);
	return r > 0;
}

static int matches(const unsigned char *name, const git_oid *prefix, size_t hex)
{
	return !memcmp(name, prefix->id, hex / 2) &&
	       (hex % 2 == 0 || (name[hex / 2] & 0xf0) == (prefix->id[hex / 2] & 0xf0));
}

/* The one object whose name starts with `hex` digits of `prefix`:
 * GIT_ENOTFOUND, or GIT_EAMBIGUOUS when two do. */
static int find_prefix(git_oid *full, pack **found, uint64_t *offset, packread *b,
		       const git_oid *prefix, size_t hex)
{
	unsigned char key[NAME], two[2 * NAME];
	size_t i;
	int any = 0;

	memset(key, 0, sizeof(key));
	memcpy(key, prefix->id, (hex + 1) / 2);
	if (hex % 2)
		key[hex / 2] &= 0xf0;
	for (i = 0; i < b->npacks; i++) {
		pack *p = b->packs[i];
		uint32_t lo = key[0] ? p->fanout[key[0] - 1] : 0, hi = p->fanout[key[0]], pos;
		int equal, r;

		if (p->gone || (r = pack_index(b, p)) == GIT_ENOTFOUND)
			continue;
		if (r < 0 || lower_bound(&pos, &equal, b, p, key, lo, hi) < 0)
			return GIT_ERROR;
		if (pos >= hi)
			continue;
		r = pos + 1 < hi ? 2 : 1;
		if (read_names(b, p, two, pos, (uint32_t)r) < 0)
			return GIT_ERROR;
		if (!matches(two, prefix, hex))
			continue;
		if ((r == 2 && matches(two + NAME, prefix, hex)) ||
		    (any && memcmp(full->id, two, NAME)))
			goto ambiguous;
		if (!any) {
			memcpy(full->id, two, NAME);
			if (entry_offset(offset, b, p, pos) < 0)
				return GIT_ERROR;
			*found = p;
			any = 1;
		}
	}
	return any ? 0 : GIT_ENOTFOUND;
ambiguous:
	git_error_set_str(GIT_ERROR_ODB, "more than one object has that prefix");
	return GIT_EAMBIGUOUS;
}

static int pr_read_prefix(git_oid *full, void **data, size_t *len, git_object_t *type,
			  git_odb_backend *be, const git_oid *prefix, size_t hex)
{
	packread *b = (packread *)be;
	uint64_t offset;
	pack *p;
	int r;

	pthread_mutex_lock(&b->lock);
	if ((r = find_prefix(full, &p, &offset, b, prefix, hex)) == 0)
		r = unpack(data, len, type, b, p, offset);
	pthread_mutex_unlock(&b->lock);
	return r;
}

static int pr_exists_prefix(git_oid *full, git_odb_backend *be, const git_oid *prefix,
			    size_t hex)
{
	packread *b = (packread *)be;
	uint64_t offset;
	pack *p;
	int r;

	pthread_mutex_lock(&b->lock);
	r = find_prefix(full, &p, &offset, b, prefix, hex);
	pthread_mutex_unlock(&b->lock);
	return r;
}

static int pr_foreach(git_odb_backend *be, git_odb_foreach_cb cb, void *payload)
{
	packread *b = (packread *)be;
	unsigned char names[WINDOW * NAME];
	pack **packs;
	size_t i, npacks;
	int r = 0;

	/* the callback may read through the odb, which reorders b->packs and
	 * takes the lock: a copy of the list, the lock taken per read */
	pthread_mutex_lock(&b->lock);
	npacks = b->npacks;
	if ((packs = malloc((npacks + 1) * sizeof(*packs))) == NULL)
		abort();
	memcpy(packs, b->packs, npacks * sizeof(*packs));
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < npacks && !r; i++) {
		pack *p = packs[i];
		uint32_t at, n, k;

		for (at = 0; at < p->count && !p->gone && !r; at += n) {
			n = p->count - at < WINDOW ? p->count - at : WINDOW;
			pthread_mutex_lock(&b->lock);
			if ((r = pack_index(b, p)) == 0)
				r = read_names(NULL, p, names, at, n);
			pthread_mutex_unlock(&b->lock);
			if (r == GIT_ENOTFOUND) {
				r = 0;
				break;
			}
			for (k = 0; k < n && !r; k++) {
				git_oid id;

				memcpy(id.id, names + (size_t)k * NAME, NAME);
				r = cb(&id, payload);
			}
		}
	}
	free(packs);
	return r;
}

static int known(const packread *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->npacks; i++)
		if (!strcmp(b->packs[i]->name, name))
			return 1;
	return 0;
}

static void add_pack(packread *b, pack *p)
{
	pack **grown = realloc(b->packs, (b->npacks + 1) * sizeof(*grown));

	if (!grown)
		abort();
	b->packs = grown;
	p->serial = ++b->serials;
	b->packs[b->npacks++] = p;
}

/* Open the packs of b->dir not yet open: each X.idx whose X.pack
 * is there (git writes the pack first; gc may have removed both). */
static int pr_refresh(git_odb_backend *be)
{
	packread *b = (packread *)be;
	struct dirent *d;
	DIR *dir;
	int error = 0;

	if (!b->dir[0])
		return 0;
	if ((dir = opendir(b->dir)) == NULL) {
		char msg[4200];

		if (errno == ENOENT)
			return 0;
		vault__fmt_message(msg, sizeof(msg), "cannot read '%s': %s", b->dir, strerror(errno));
		git_error_set_str(GIT_ERROR_OS, msg);
		return GIT_ERROR;
	}
	pthread_mutex_lock(&b->lock);
	while (!error && (d = readdir(dir)) != NULL) {
		size_t len = strlen(d->d_name);
		char name[256], idx[4096 + 256], path[4096 + 256];
		pack *p;
		int r;

		/* any X.idx, as git and libgit2 read them, not only pack-X.idx */
		if (len < 5 || strcmp(d->d_name + len - 4, ".idx"))
			continue;
		memcpy(name, d->d_name, len - 4);
		name[len - 4] = '\0';
		if (known(b, name))
			continue;
		if (vault__fmt(idx, sizeof(idx), "pack index", "%s/%s.idx", b->dir, name) < 0 ||
		    vault__fmt(path, sizeof(path), "pack", "%s/%s.pack", b->dir, name) < 0) {
			git_error_set_str(GIT_ERROR_ODB, "a pack's path is too long");
			error = GIT_ERROR;
		} else if ((r = pack_open(&p, idx, path, name)) == 0) {
			add_pack(b, p);
		} else if (r < 0) {
			error = r;
		}
	}
	pthread_mutex_unlock(&b->lock);
	closedir(dir);
	return error;
}

static void pr_free(git_odb_backend *be)
{
	packread *b = (packread *)be;
	size_t i;

	vault_objcache__clear(&b->bases);
	vault_objcache__clear(&b->recent);
	pages_free(b);
	free(b->places);
	if (b->zs_ready)
		inflateEnd(&b->zs);
	for (i = 0; i < b->npacks; i++)
		pack_close(b->packs[i]);
	free(b->packs);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static packread *backend_new(size_t max)
{
	packread *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	git_odb_init_backend(&b->parent, GIT_ODB_BACKEND_VERSION);
	pthread_mutex_init(&b->lock, NULL);
	b->max = max;
	vault_objcache__init(&b->bases, PACKREAD_BASES);
	vault_objcache__init(&b->recent, PACKREAD_RECENT);
	b->prefixes_max = PACKREAD_PREFIXES;
	b->parent.read = pr_read;
	b->parent.read_prefix = pr_read_prefix;
	b->parent.read_header = pr_read_header;
	b->parent.exists = pr_exists;
	b->parent.exists_prefix = pr_exists_prefix;
	b->parent.foreach = pr_foreach;
	b->parent.refresh = pr_refresh;
	b->parent.free = pr_free;
	return b;
}

int vault_packread__new(git_odb_backend **out, const char *objects)
{
	packread *b = backend_new(SIZE_MAX / 2);
	int error;

	if (vault__fmt(b->dir, sizeof(b->dir), "objects folder", "%s/pack", objects) < 0) {
		pr_free(&b->parent);
		git_error_set_str(GIT_ERROR_ODB, "the objects folder's path is too long");
		return GIT_ERROR;
	}
	if ((error = pr_refresh(&b->parent)) < 0) {
		pr_free(&b->parent);
		return error;
	}
	*out = &b->parent;
	return 0;
}

int vault_packread__one(git_odb_backend **out, const char *idx, const char *path,
			size_t max_object)
{
	packread *b = backend_new(max_object < SIZE_MAX / 2 ? max_object : SIZE_MAX / 2);
	pack *p;
	int r;

	if ((r = pack_open(&p, idx, path, "pack")) != 0) {
		if (r > 0)
			git_error_set_str(GIT_ERROR_ODB, "pack: its index or its pack is not there");
		pr_free(&b->parent);
		return GIT_ERROR;
	}
	add_pack(b, p);
	*out = &b->parent;
	return 0;
}

void vault_packread__keep_prefixes(git_odb_backend *be, size_t bytes)
{
	((packread *)be)->prefixes_max = bytes;
}

size_t vault_packread__prefixes_held(git_odb_backend *be)
{
	packread *b = (packread *)be;
	size_t held;

	pthread_mutex_lock(&b->lock);
	held = b->prefixes;
	pthread_mutex_unlock(&b->lock);
	return held;
}

/* --- the copies sweep ----------------------------------------------------- */

typedef void (*copy_bad)(void *payload, const char *file, const git_oid *id, const char *why);

/*
 * A multi-pack index (objects/pack/multi-pack-index; git's
 * Documentation/gitformat-pack.txt): "MIDX" 1 (version) 1 (SHA-1)
 * chunks bases packs | a table of chunks, (ID, offset) pairs ending with
 * ID 0 | PNAM: the packs' index names, each ending in a NUL | OIDF: 256
 * counts | OIDL: the names, sorted | OOFF: each name's pack (its number
 * in PNAM) and offset, or (high bit) the number of a LOFF: 64-bit
 * offset.  git looks up an object of the packs it names here first, at
 * the place it gives, and does not hash what it reads there.
 */
#define MIDX_HEADER 12
#define MIDX_CHUNKS_MAX 64
#define MIDX_PNAM_MAX ((uint64_t)1 << 20)

typedef struct {
	int fd;
	char path[4096 + 64];
	uint32_t count, npacks;
	pack **packs;              /* each pack it names, NULL when not there */
	uint64_t names, offsets, large, nlarge;
} midx;

/* < 0 and the reason (the file is named where it is said) */
static int midx_fail(const midx *m, const char *what)
{
	(void)m;
	git_error_set_str(GIT_ERROR_ODB, what);
	return GIT_ERROR;
}

static int midx_read(const midx *m, void *buf, size_t len, uint64_t at)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(m->fd, (char *)buf + done, len - done, (off_t)(at + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return midx_fail(m, n < 0 ? strerror(errno) : "the file ends early");
		done += (size_t)n;
	}
	return 0;
}

static uint64_t be64(const unsigned char *b)
{
	return (uint64_t)be32(b) << 32 | be32(b + 4);
}

static void midx_free(midx *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	free(m->packs);
	free(m);
}

/* Its chunks found and their sizes checked, its packs matched with b's
 * by name; 1 when there is none. */
static int midx_open(midx **out, packread *b)
{
	unsigned char head[MIDX_HEADER], table[(MIDX_CHUNKS_MAX + 1) * 12], fan[4];
	uint64_t size, at[MIDX_CHUNKS_MAX + 1], pnam = 0, pnam_end = 0, fanout = 0;
	uint64_t names_end = 0, offsets_end = 0, large_end = 0;
	struct stat st;
	unsigned nchunks, i;
	char *pnames = NULL, *name;
	midx *m;

	*out = NULL;
	if (!b->dir[0])
		return 1;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		abort();
	*out = m;
	if (vault__fmt(m->path, sizeof(m->path), "pack folder", "%s/multi-pack-index", b->dir) < 0)
		return GIT_ERROR;
	if ((m->fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return errno == ENOENT ? 1 : midx_fail(m, strerror(errno));
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return midx_fail(m, "not a regular file");
	if ((size = (uint64_t)st.st_size) < MIDX_HEADER + 12 + NAME)
		return midx_fail(m, "the file ends early");
	if (midx_read(m, head, sizeof(head), 0) < 0)
		return GIT_ERROR;
	if (memcmp(head, "MIDX", 4) || head[4] != 1)
		return midx_fail(m, "not a multi-pack index of version 1");
	if (head[5] != 1)
		return midx_fail(m, "its names are not SHA-1");
	if ((nchunks = head[6]) > MIDX_CHUNKS_MAX)
		return midx_fail(m, "more chunks than git writes");
	m->npacks = be32(head + 8);
	if (midx_read(m, table, (nchunks + 1) * 12, MIDX_HEADER) < 0)
		return GIT_ERROR;
	for (i = 0; i <= nchunks; i++) {
		at[i] = be64(table + i * 12 + 4);
		if (at[i] < MIDX_HEADER + (nchunks + 1) * 12 || at[i] > size - NAME ||
		    (i > 0 && at[i] < at[i - 1]))
			return midx_fail(m, "a chunk outside the file, or out of order");
	}
	for (i = 0; i < nchunks; i++) {
		uint32_t id = be32(table + i * 12);

		if (id == 0x504e414du) /* PNAM */
			pnam = at[i], pnam_end = at[i + 1];
		else if (id == 0x4f494446u) /* OIDF */
			fanout = at[i];
		else if (id == 0x4f49444cu) /* OIDL */
			m->names = at[i], names_end = at[i + 1];
		else if (id == 0x4f4f4646u) /* OOFF */
			m->offsets = at[i], offsets_end = at[i + 1];
		else if (id == 0x4c4f4646u) /* LOFF */
			m->large = at[i], large_end = at[i + 1];
	}
	if (!pnam || !fanout || !m->names || !m->offsets)
		return midx_fail(m, "a chunk git needs is missing");
	if (midx_read(m, fan, 4, fanout + 255 * 4) < 0)
		return GIT_ERROR;
	m->count = be32(fan);
	if (names_end - m->names < (uint64_t)m->count * NAME ||
	    offsets_end - m->offsets < (uint64_t)m->count * 8)
		return midx_fail(m, "its table of names or offsets is shorter than its count");
	m->nlarge = m->large ? (large_end - m->large) / 8 : 0;
	/* the packs, by the names of their indexes */
	if (pnam_end - pnam > MIDX_PNAM_MAX)
		return midx_fail(m, "its list of packs is larger than git writes");
	/* each name at least a byte and its NUL: a count past that is not
	 * allocated for */
	if (m->npacks > (pnam_end - pnam) / 2)
		return midx_fail(m, "it names fewer packs than it counts");
	if ((pnames = malloc(pnam_end - pnam + 1)) == NULL ||
	    (m->packs = calloc(m->npacks + 1, sizeof(*m->packs))) == NULL)
		abort();
	if (midx_read(m, pnames, pnam_end - pnam, pnam) < 0) {
		free(pnames);
		return GIT_ERROR;
	}
	pnames[pnam_end - pnam] = '\0';
	for (name = pnames, i = 0; i < m->npacks && name < pnames + (pnam_end - pnam); i++) {
		size_t len = strlen(name), j;

		/* git opens objects/pack/<name>: one with a '/' ("sub/X.idx",
		 * "./X.idx") is a pack this reader does not list by that name */
		if (strchr(name, '/')) {
			free(pnames);
			return midx_fail(m, "it names a pack by a path (git reads it there)");
		}
		for (j = 0; j < b->npacks; j++)
			if (!b->packs[j]->gone && len > 4 && !strcmp(name + len - 4, ".idx") &&
			    strlen(b->packs[j]->name) == len - 4 &&
			    !strncmp(b->packs[j]->name, name, len - 4))
				m->packs[i] = b->packs[j];
		name += len + 1;
	}
	free(pnames);
	if (i < m->npacks)
		return midx_fail(m, "it names fewer packs than it counts");
	return 0;
}

/* The pack and offset of name `pos`: 1; 0 when its pack is not there
 * (git then looks in the others); < 0 and why. */
static int midx_place(pack **p, uint64_t *offset, const midx *m, uint32_t pos)
{
	unsigned char e[8];
	uint32_t which, off;

	if (midx_read(m, e, 8, m->offsets + (uint64_t)pos * 8) < 0)
		return GIT_ERROR;
	which = be32(e);
	off = be32(e + 4);
	if (which >= m->npacks)
		return midx_fail(m, "an object in a pack it does not name");
	if ((*p = m->packs[which]) == NULL)
		return 0;
	if (off & 0x80000000u) {
		if ((off & 0x7fffffffu) >= m->nlarge)
			return midx_fail(m, "a large offset past its table");
		if (midx_read(m, e, 8, m->large + (uint64_t)(off & 0x7fffffffu) * 8) < 0)
			return GIT_ERROR;
		*offset = be64(e);
	} else {
		*offset = off;
	}
	if (*offset < PACK_HEADER || *offset >= (*p)->end)
		return midx_fail(m, "an object's offset outside its pack");
	return 1;
}

/*
 * The names one place holds, in order: a pack's, a window of its index
 * read at a time; a multi-pack index's, the same; or a folder's loose
 * objects, one fan-out folder (objects/xx) read and sorted at a time.
 */
typedef struct cursor {
	packread *b;               /* a pack's: its backend and pack */
	pack *p;
	struct cursor *named;      /* the multi-pack index naming the pack, if one does */
	midx *m;                   /* or a multi-pack index */
	const char *objects;       /* or the loose objects of this folder */
	struct seen *seen;         /* the fan-out folders read, of every folder's */
	copy_bad bad;              /* said of a fan-out folder that cannot be read */
	void *payload;
	unsigned fan;              /* the fan-out folder read next */
	uint32_t next, have, k;    /* a pack's: the window is names next - have .. next - 1 */
	int disordered;            /* said once */
	unsigned char *names;      /* the window, or the folder's names */
	size_t cap;                /* the folder's: names room */
	unsigned char window[WINDOW * NAME];
} cursor;

/* The fan-out folders the sweep read, by device and inode, for each of
 * the 256: one reached again (an alternate's objects/00 a link to the
 * vault's) is read once. */
struct seen {
	size_t per;                /* room for each fan-out value */
	size_t count[256];
	struct {
		dev_t dev;
		ino_t ino;
	} *ids;                    /* 256 x per */
};

/* 1 when c's fan-out folder `dir` was read before, else 0 (noted) */
static int seen_before(cursor *c, DIR *dir)
{
	struct seen *s = c->seen;
	struct stat st;
	size_t i, at = (size_t)c->fan * s->per;

	if (fstat(dirfd(dir), &st) < 0)
		return 0;
	for (i = 0; i < s->count[c->fan]; i++)
		if (s->ids[at + i].dev == st.st_dev && s->ids[at + i].ino == st.st_ino)
			return 1;
	if (s->count[c->fan] < s->per) {
		s->ids[at + s->count[c->fan]].dev = st.st_dev;
		s->ids[at + s->count[c->fan]++].ino = st.st_ino;
	}
	return 0;
}

static int hex_value(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int name_order(const void *x, const void *y)
{
	return memcmp(x, y, NAME);
}

/* The next fan-out folder with a loose object in it: 0, 1 past the
 * last.  Names as git writes them, 38 lowercase hex digits; any other
 * file is no object, to git or to libgit2. */
static int loose_fill(cursor *c)
{
	char path[4096 + 8];

	for (; c->fan < 256; c->fan++) {
		struct dirent *d;
		DIR *dir;
		uint32_t n = 0;

		if (vault__fmt(path, sizeof(path), "objects folder", "%s/%02x", c->objects, c->fan) < 0)
			return GIT_ERROR;
		if ((dir = opendir(path)) == NULL) {
			/* none, or no folder: no object to git either; one that
			 * cannot be read (a loop of links) hides its objects from
			 * git too, said, and the sweep goes on */
			if (errno != ENOENT && errno != ENOTDIR)
				c->bad(c->payload, path, NULL, strerror(errno));
			continue;
		}
		if (seen_before(c, dir)) {
			closedir(dir);
			continue;
		}
		while ((d = readdir(dir)) != NULL) {
			unsigned char *name;
			int i, ok = strlen(d->d_name) == 2 * NAME - 2;

			for (i = 0; ok && i < 2 * NAME - 2; i++)
				ok = hex_value(d->d_name[i]) >= 0;
			if (!ok)
				continue;
			if (n == c->cap) {
				c->cap = c->cap ? 2 * c->cap : 256;
				if ((c->names = realloc(c->names, c->cap * NAME)) == NULL)
					abort();
			}
			name = c->names + (size_t)n++ * NAME;
			name[0] = (unsigned char)c->fan;
			for (i = 1; i < NAME; i++)
				name[i] = (unsigned char)(hex_value(d->d_name[2 * i - 2]) << 4 |
							  hex_value(d->d_name[2 * i - 1]));
		}
		closedir(dir);
		if (n > 0) {
			qsort(c->names, n, NAME, name_order);
			c->have = n;
			c->k = 0;
			c->fan++;
			return 0;
		}
	}
	return 1;
}

/* the next window: 0, 1 at the end (or a pack's index gone), < 0 */
static int cursor_fill(cursor *c)
{
	uint32_t count = c->p ? c->p->count : c->m ? c->m->count : 0, n;
	int r;

	if (c->objects)
		return loose_fill(c);
	n = count - c->next < WINDOW ? count - c->next : WINDOW;
	if (n == 0)
		return 1;
	if (c->m) {
		if (midx_read(c->m, c->names, (size_t)n * NAME, c->m->names + (uint64_t)c->next * NAME) < 0) {
			const git_error *e = git_error_last();

			git_error_set(GIT_ERROR_ODB, "%s: %s", c->m->path, e ? e->message : "cannot be read");
			return GIT_ERROR;
		}
	} else {
		if ((r = pack_index(c->b, c->p)) < 0)
			return r == GIT_ENOTFOUND ? 1 : r;
		if (read_names(NULL, c->p, c->names, c->next, n) < 0)
			return GIT_ERROR;
	}
	c->next += n;
	c->have = n;
	c->k = 0;
	return 0;
}

static int cursor_step(cursor *c)
{
	return ++c->k < c->have ? 0 : cursor_fill(c);
}

static const unsigned char *name_at(const cursor *c)
{
	return c->names + (size_t)c->k * NAME;
}

static const char *cursor_file(const cursor *c)
{
	return c->m ? c->m->path : c->p->path;
}

static int before(const cursor *x, const cursor *y)
{
	return memcmp(name_at(x), name_at(y), NAME) < 0;
}

static void sift_down(cursor **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		cursor *t;

		if (l < n && before(h[l], h[m]))
			m = l;
		if (l + 1 < n && before(h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i], h[i] = h[m], h[m] = t;
		i = m;
	}
}

static void sift_up(cursor **h, size_t i)
{
	while (i > 0 && before(h[i], h[(i - 1) / 2])) {
		cursor *t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/* What a copy of `id` in `file` is: unreadable (read < 0, why in
 * git_error_last), or `hashed`, said when it is not `id`. */
static void say_copy(copy_bad bad, void *payload, const char *file, const git_oid *id,
		     int read, const git_oid *hashed)
{
	const git_error *e;
	char why[512];

	if (read < 0) {
		e = git_error_last();
		vault__fmt_message(why, sizeof(why),
				   "more than one copy of it is held, and the one here cannot be read: %s",
				   e ? e->message : "no reason given");
		bad(payload, file, id, why);
	} else if (!git_oid_equal(hashed, id)) {
		bad(payload, file, id,
		    "more than one copy of it is held, and the one here is another object");
	}
}

/* A copy read (< 0: why not) and hashed. */
static int hash_copy(copy_bad bad, void *payload, const char *file, const git_oid *id,
		     int read, void *data, size_t len, git_object_t type)
{
	git_oid hashed;

	if (read >= 0 && git_odb_hash(&hashed, data, len, type) < 0)
		return GIT_ERROR;
	say_copy(bad, payload, file, id, read, &hashed);
	return 0;
}

/* The copy of `id` at `offset` in p, named by `file`. */
static int check_copy(packread *b, pack *p, uint64_t offset, const git_oid *id,
		      const char *file, copy_bad bad, void *payload)
{
	git_object_t type = GIT_OBJECT_INVALID;
	void *data = NULL;
	size_t len = 0;
	int r = unpack(&data, &len, &type, b, p, offset);

	if (r == GIT_ENOTFOUND)
		return 0;
	r = hash_copy(bad, payload, file, id, r, data, len, type);
	git_odb_backend_data_free(&b->parent, data);
	return r;
}

/*
 * A loose object's file, "type size\0" and its content deflated, hashed
 * as it inflates (nothing of it kept): into `out` its name; < 0 and why
 * (git_error_last) when it is no object git could read.  Opened without
 * waiting and read only if a regular file (a FIFO named like an object
 * would block for ever); its size said checked against what its bytes
 * can inflate to (zlib's limit) before it is read.
 */
#define LOOSE_HEADER 32

static int loose_fail(const char *why)
{
	git_error_set_str(GIT_ERROR_ODB, why);
	return GIT_ERROR;
}

static int hash_loose(git_oid *out, const char *path)
{
	unsigned char in[CHUNK], buf[CHUNK];
	char header[LOOSE_HEADER + 1];
	uint64_t size = 0, seen = 0, file;
	size_t hlen = 0;
	int fd, zr = Z_OK, r = 0, in_header = 1;
	EVP_MD_CTX *sha = NULL;
	struct stat st;
	z_stream z;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return errno == ENOENT ? GIT_ENOTFOUND : loose_fail(strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return loose_fail("not a regular file");
	}
	file = (uint64_t)st.st_size;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK || (sha = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(sha, EVP_sha1(), NULL))
		abort();
	while (zr != Z_STREAM_END && r == 0) {
		ssize_t n = read(fd, in, sizeof(in));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = loose_fail(n < 0 ? strerror(errno) : "the file ends early");
			break;
		}
		z.next_in = in;
		z.avail_in = (uInt)n;
		do {
			size_t have, off = 0;

			z.next_out = buf;
			z.avail_out = sizeof(buf);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr == Z_BUF_ERROR) {
				zr = Z_OK;     /* wants more input */
				break;
			}
			if (zr != Z_OK && zr != Z_STREAM_END) {
				r = loose_fail("its bytes do not inflate");
				break;
			}
			have = sizeof(buf) - z.avail_out;
			/* "type size\0" first, as git writes it */
			while (in_header && off < have && r == 0) {
				char *end;

				if (hlen == LOOSE_HEADER) {
					r = loose_fail("a header git does not write");
					break;
				}
				if ((header[hlen++] = (char)buf[off++]) != '\0')
					continue;
				in_header = 0;
				end = strchr(header, ' ');
				if (!end || end == header || !(end[1] >= '0' && end[1] <= '9') ||
				    (strncmp(header, "blob ", 5) && strncmp(header, "tree ", 5) &&
				     strncmp(header, "commit ", 7) && strncmp(header, "tag ", 4))) {
					r = loose_fail("a header git does not write");
					break;
				}
				errno = 0;
				size = strtoull(end + 1, &end, 10);
				if (errno || *end || size / 1032 > file)
					r = loose_fail("a size its bytes cannot inflate to");
				else if (!EVP_DigestUpdate(sha, header, hlen))
					abort();
			}
			if (r == 0 && off < have) {
				seen += have - off;
				if (seen > size)
					r = loose_fail("more bytes than its header says");
				else if (!EVP_DigestUpdate(sha, buf + off, have - off))
					abort();
			}
		} while (r == 0 && zr != Z_STREAM_END && z.avail_out == 0);
	}
	if (r == 0 && (in_header || seen != size))
		r = loose_fail("fewer bytes than its header says");
	if (r == 0) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;

		if (!EVP_DigestFinal_ex(sha, md, &mdlen) || mdlen != NAME)
			abort();
		memcpy(out->id, md, NAME);
	}
	EVP_MD_CTX_free(sha);
	inflateEnd(&z);
	close(fd);
	return r;
}

/* The loose copy of `id` in the objects folder c reads. */
static int check_loose(cursor *c, const git_oid *id, copy_bad bad, void *payload)
{
	char file[4096 + 64], hex[GIT_OID_HEXSZ + 1];
	git_oid hashed;
	int r;

	git_oid_tostr(hex, sizeof(hex), id);
	if (vault__fmt(file, sizeof(file), "objects folder", "%s/%.2s/%s", c->objects, hex,
		       hex + 2) < 0)
		return GIT_ERROR;
	if ((r = hash_loose(&hashed, file)) == GIT_ENOTFOUND)
		return 0;        /* gone since (a gc packed it) */
	say_copy(bad, payload, file, id, r, &hashed);
	return 0;
}

/* a copy of a name: the cursor that met it, the pack it is in and where
 * (a pack's index, or a multi-pack index, says), or a loose one */
typedef struct {
	cursor *from;
	pack *p;                   /* NULL: loose */
	uint64_t offset;
} copy;

/* by place: loose ones first, by folder; then by pack and offset, the
 * pack's own index before a multi-pack index naming the same place */
static int copy_order(const void *x, const void *y)
{
	const copy *a = x, *b = y;

	if (a->p != b->p)
		return (uintptr_t)a->p < (uintptr_t)b->p ? -1 : 1;
	if (!a->p)
		return a->from == b->from ? 0 : (uintptr_t)a->from < (uintptr_t)b->from ? -1 : 1;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return (a->from->m != NULL) - (b->from->m != NULL);
}

static int same_place(const copy *a, const copy *b)
{
	return a->p == b->p && (a->p ? a->offset == b->offset : a->from == b->from);
}

/*
 * The copies of `id`: when they are in more than one place, each place
 * read once and hashed (an index listing a name a million times at one
 * offset costs nothing more, nor a multi-pack index naming the place a
 * pack's index names).
 */
static int check_copies(copy *copies, size_t n, const git_oid *id, copy_bad bad, void *payload)
{
	size_t i, places = 0;
	int r = 0;

	qsort(copies, n, sizeof(*copies), copy_order);
	for (i = 0; i < n; i++)
		places += i == 0 || !same_place(&copies[i - 1], &copies[i]);
	for (i = 0; i < n && places > 1 && r >= 0; i++) {
		cursor *c = copies[i].from;

		if (i > 0 && same_place(&copies[i - 1], &copies[i]))
			continue;
		if (!copies[i].p)
			r = check_loose(c, id, bad, payload);
		else
			r = check_copy(c->b, copies[i].p, copies[i].offset, id, cursor_file(c), bad,
				       payload);
	}
	return r;
}

/*
 * Where a cursor's name is, as a copy; 0 with no copy when there is none
 * to read (a multi-pack index naming a pack that is not there: git then
 * looks in the others), said with `bad` when it cannot be read.
 */
static int place_of(copy *out, int *have, cursor *c, const git_oid *id, copy_bad bad,
		    void *payload)
{
	uint32_t pos = c->next - c->have + c->k;
	const git_error *e;
	char why[512];
	int r;

	out->from = c;
	out->p = c->p;
	out->offset = 0;
	*have = 1;
	if (c->objects)
		return 0;
	if (c->m)
		r = midx_place(&out->p, &out->offset, c->m, pos);
	else if ((r = pack_index(c->b, c->p)) == GIT_ENOTFOUND)
		r = 0;           /* gone since (a gc) */
	else if (r == 0 && (r = entry_offset(&out->offset, c->b, c->p, pos)) == 0)
		r = 1;
	if (r > 0)
		return 0;
	*have = 0;
	if (r == 0)
		return 0;
	e = git_error_last();
	vault__fmt_message(why, sizeof(why), "%s cannot be read there: %s",
			   c->m ? "the multi-pack index" : "the pack's index",
			   e ? e->message : "no reason given");
	bad(payload, cursor_file(c), id, why);
	return 0;
}

int vault_packread__copies(const vault_packread_source *sources, size_t nsources,
			   copy_bad bad, void *payload)
{
	cursor *cursors, **heap, **same;
	copy *copies = NULL;
	size_t i, j, k, m, n = 0, ncursors = 0, nsame, ncopies, cap = 0;
	struct seen seen = { nsources, { 0 }, NULL };
	int r = 0;

	for (i = 0; i < nsources; i++)
		ncursors += ((packread *)sources[i].packs)->npacks + 2;
	if ((seen.ids = calloc(256 * nsources + 1, sizeof(*seen.ids))) == NULL)
		abort();
	if ((cursors = calloc(ncursors + 1, sizeof(*cursors))) == NULL ||
	    (heap = calloc(ncursors + 1, sizeof(*heap))) == NULL ||
	    (same = calloc(ncursors + 1, sizeof(*same))) == NULL)
		abort();
	for (i = 0; i < nsources; i++)
		pthread_mutex_lock(&((packread *)sources[i].packs)->lock);
	for (ncursors = 0, i = 0; i < nsources && r >= 0; i++) {
		packread *b = (packread *)sources[i].packs;
		size_t first = ncursors;

		/* its packs, its multi-pack index, its loose objects */
		for (j = 0; j < b->npacks + 2 && r >= 0; j++) {
			cursor *c = &cursors[ncursors];

			c->b = b;
			if (j < b->npacks) {
				if (b->packs[j]->gone)
					continue;
				c->p = b->packs[j];
				c->names = c->window;
			} else if (j == b->npacks) {
				if ((r = midx_open(&c->m, b)) != 0) {
					const git_error *e = git_error_last();

					/* one git cannot read is damage, or a forger's */
					if (r < 0)
						bad(payload, c->m ? c->m->path : b->dir, NULL,
						    e ? e->message : "cannot be read");
					midx_free(c->m);
					c->m = NULL;
					r = 0;
					continue;
				}
				c->names = c->window;
				/* the packs it names: an object one holds that it
				 * does not list, git does not find */
				for (k = first; k < ncursors; k++)
					for (m = 0; m < c->m->npacks; m++)
						if (cursors[k].p == c->m->packs[m])
							cursors[k].named = c;
			} else if (sources[i].objects) {
				c->objects = sources[i].objects;
				c->seen = &seen;
				c->bad = bad;
				c->payload = payload;
			} else {
				continue;
			}
			ncursors++;
			if ((r = cursor_fill(c)) == 0) {
				heap[n] = c;
				sift_up(heap, n++);
			}
		}
	}
	if (r > 0)
		r = 0;
	while (n > 0 && r >= 0) {
		git_oid id;

		/* every place whose next name is the least */
		memcpy(id.id, name_at(heap[0]), NAME);
		for (nsame = 0; n > 0 && !memcmp(name_at(heap[0]), id.id, NAME);) {
			same[nsame++] = heap[0];
			heap[0] = heap[--n];
			sift_down(heap, n, 0);
		}
		/* each one's copies: where it is, and the places after that name
		 * it again (git and libgit2 may land on any of them) */
		for (ncopies = 0, i = 0; i < nsame && r >= 0; i++) {
			cursor *c = same[i];
			size_t listed = 0;

			do {
				int have;

				if (ncopies == cap) {
					cap = cap ? cap * 2 : 16;
					if ((copies = realloc(copies, cap * sizeof(*copies))) == NULL)
						abort();
				}
				if ((r = place_of(&copies[ncopies], &have, c, &id, bad, payload)) < 0)
					break;
				ncopies += have;
				if (++listed == 2)
					bad(payload, cursor_file(c), &id, c->m ?
					    "the multi-pack index lists it more than once" :
					    "the pack's index lists it more than once");
			} while ((r = cursor_step(c)) == 0 && !memcmp(name_at(c), id.id, NAME));
			if (r != 0)
				continue;
			/* names out of order: where a search lands is anyone's guess */
			if (!c->objects && memcmp(name_at(c), id.id, NAME) < 0 && !c->disordered) {
				git_oid next;

				memcpy(next.id, name_at(c), NAME);
				c->disordered = 1;
				bad(payload, cursor_file(c), &next, c->m ?
				    "the multi-pack index lists its names out of order" :
				    "the pack's index lists its names out of order");
			}
			heap[n] = c;
			sift_up(heap, n++);
		}
		if (r > 0)
			r = 0;
		/* a pack's object its multi-pack index leaves out: git looks in
		 * the index alone for what that pack holds, and finds nothing */
		for (i = 0; i < nsame; i++) {
			for (k = 0; same[i]->named && k < nsame && same[k] != same[i]->named; k++)
				;
			if (same[i]->named && k == nsame)
				bad(payload, same[i]->named->m->path, &id,
				    "the multi-pack index leaves it out, which a pack it names holds: "
				    "git does not find it");
		}
		if (ncopies > 1 && r >= 0)
			r = check_copies(copies, ncopies, &id, bad, payload);
	}
	for (i = nsources; i-- > 0;)
		pthread_mutex_unlock(&((packread *)sources[i].packs)->lock);
	for (i = 0; i < ncursors; i++) {
		if (cursors[i].objects)
			free(cursors[i].names);
		midx_free(cursors[i].m);
	}
	free(seen.ids);
	free(copies);
	free(cursors);
	free(heap);
	free(same);
	return r < 0 ? r : 0;
}
