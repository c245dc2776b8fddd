/*
 * Unit tests of packread.c: packs read with pread give what libgit2's own
 * pack backend gives, object for object, on packs stock git wrote (deep
 * delta chains by offset and by name, 64-bit offsets, several packs);
 * and a pack or index changed on disk gives an error with its reason,
 * never other content, a crash or a loop.
 */
#include "helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <sys/stat.h>
#include <zlib.h>

#include "packread.h"

static int sh(const char *cmd, const char *dir)
{
	setenv("D", dir, 1);
	return system(cmd);
}

/*
 * A history stock git packs into deep delta chains: 12 files, 60
 * versions, each a line changed; a blob of random bytes (stored), one of
 * text past one read (deflated), an empty one, an annotated tag.  Then
 * copies: deltas naming their bases (REF_DELTA), every offset in the
 * 64-bit table, and a second pack beside the first.
 */
static const char build[] =
	"set -e; cd \"$D\"; git init -q --bare r.git; mkdir w;"
	" export GIT_DIR=r.git GIT_WORK_TREE=w GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t"
	" GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t;"
	" head -c 200000 /dev/urandom > w/random; seq 1 60000 > w/text; : > w/empty;"
	" for i in $(seq 1 60); do for f in $(seq 1 12); do"
	"  seq $f $((f * 200)) | sed \"${i}s/\\$/ v$i/\" > w/f$f; done;"
	"  git add -A; git commit -q -m \"c$i\"; done;"
	" git tag -a -m tagged v1;"
	" git -c pack.threads=1 repack -a -d -f -q --depth=50 --window=250;"
	" cp -r r.git ref.git; git --git-dir=ref.git -c repack.useDeltaBaseOffset=false"
	"  repack -a -d -f -q --depth=50 --window=250;"
	" cp -r r.git large.git; for p in large.git/objects/pack/*.pack; do"
	"  git --git-dir=large.git index-pack --index-version=2,20000 -o large.idx \"$p\" > /dev/null;"
	"  mv large.idx \"${p%.pack}.idx\"; done;"
	" cp -r r.git v1.git; for p in v1.git/objects/pack/*.pack; do"
	"  git --git-dir=v1.git index-pack --index-version=1 -o v1.idx \"$p\" > /dev/null;"
	"  mv -f v1.idx \"${p%.pack}.idx\"; done;"
	" cp -r r.git two.git; echo more >> w/f1; git add -A; git commit -q -m more;"
	" git --git-dir=r.git pack-objects -q --revs two.git/objects/pack/pack > /dev/null"
	"  <<EOF\nHEAD\n^HEAD~1\nEOF\n"
	" git --git-dir=two.git update-ref HEAD $(git rev-parse HEAD);"
	/* and an empty pack with an index of version 1 (1,064 bytes) */
	" e=$(git --git-dir=two.git pack-objects -q two.git/objects/pack/pack < /dev/null);"
	" git --git-dir=two.git index-pack --index-version=1 -o v1.idx two.git/objects/pack/pack-$e.pack"
	"  > /dev/null; mv -f v1.idx two.git/objects/pack/pack-$e.idx;"
	" test $(wc -c < two.git/objects/pack/pack-$e.idx) = 1064";

typedef struct {
	git_oid *ids;
	size_t n, cap;
} idlist;

static int collect(const git_oid *id, void *payload)
{
	idlist *l = payload;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		assert_non_null(l->ids = realloc(l->ids, l->cap * sizeof(*l->ids)));
	}
	l->ids[l->n++] = *id;
	return 0;
}

static int oid_order(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

static git_odb *odb_of(git_odb_backend *be)
{
	git_odb *odb;

	assert_int_equal(git_odb_new(&odb), 0);
	assert_int_equal(git_odb_add_backend(odb, be, 1), 0);
	return odb;
}

static void same_object(git_odb *lib, git_odb *ours, const git_oid *id)
{
	git_odb_object *a, *b;
	git_object_t type;
	size_t len;

	assert_int_equal(git_odb_read(&a, lib, id), 0);
	assert_int_equal(git_odb_read(&b, ours, id), 0);
	assert_int_equal(git_odb_object_type(a), git_odb_object_type(b));
	assert_int_equal(git_odb_object_size(a), git_odb_object_size(b));
	assert_memory_equal(git_odb_object_data(a), git_odb_object_data(b),
			    git_odb_object_size(a));
	assert_int_equal(git_odb_read_header(&len, &type, ours, id), 0);
	assert_int_equal(len, git_odb_object_size(a));
	assert_int_equal(type, git_odb_object_type(a));
	git_odb_object_free(a);
	git_odb_object_free(b);
}

/* Every object of the packs in `objects`, read both ways; the count. */
static size_t compare(const char *objects)
{
	git_odb_backend *be;
	git_odb *lib, *ours;
	idlist l1 = { 0 }, l2 = { 0 };
	size_t i, ambiguous = 0;

	assert_int_equal(git_odb_backend_pack(&be, objects), 0);
	lib = odb_of(be);
	assert_int_equal(vault_packread__new(&be, objects), 0);
	ours = odb_of(be);
	assert_int_equal(git_odb_foreach(lib, collect, &l1), 0);
	assert_int_equal(git_odb_foreach(ours, collect, &l2), 0);
	assert_int_equal(l1.n, l2.n);
	qsort(l1.ids, l1.n, sizeof(*l1.ids), oid_order);
	qsort(l2.ids, l2.n, sizeof(*l2.ids), oid_order);
	assert_memory_equal(l1.ids, l2.ids, l1.n * sizeof(*l1.ids));
	for (i = 0; i < l1.n; i++) {
		git_oid changed = l1.ids[i], f1, f2;
		int r1, r2;

		same_object(lib, ours, &l1.ids[i]);
		assert_true(git_odb_exists(ours, &l1.ids[i]));
		changed.id[GIT_OID_RAWSZ - 1] ^= 1;
		assert_false(git_odb_exists(ours, &changed));
		/* abbreviated: the same answer, found or ambiguous */
		r1 = git_odb_exists_prefix(&f1, lib, &l1.ids[i], 4);
		r2 = git_odb_exists_prefix(&f2, ours, &l1.ids[i], 4);
		assert_int_equal(r1, r2);
		if (r1 == 0)
			assert_true(git_oid_equal(&f1, &f2));
		else
			ambiguous++;
	}
	/* again, the other way round, by a new backend (its caches empty):
	 * chains met from their other end */
	git_odb_free(ours);
	assert_int_equal(vault_packread__new(&be, objects), 0);
	ours = odb_of(be);
	for (i = l1.n; i-- > 0;)
		same_object(lib, ours, &l1.ids[i]);
	print_message("# %s: %zu objects, %zu of their 4-digit prefixes ambiguous\n",
		      objects, l1.n, ambiguous);
	assert_true(ambiguous < l1.n);
	git_odb_free(lib);
	git_odb_free(ours);
	free(l1.ids);
	free(l2.ids);
	return l2.n;
}

static void reads_what_libgit2_reads(void **state)
{
	char *dir = temp_dir(), path[4200];
	const char *variant[] = { "r.git", "ref.git", "large.git", "two.git", "v1.git" };
	size_t i, n[5];

	(void)state;
	assert_int_equal(sh(build, dir), 0);
	/* the chains are deep, and the copies are what they claim */
	assert_int_equal(sh("git verify-pack -v \"$D\"/r.git/objects/pack/*.idx"
			    " | grep -q '^chain length = \\(9\\|[1-9][0-9]\\)'", dir), 0);
	assert_int_equal(sh("test $(ls \"$D\"/two.git/objects/pack/*.idx | wc -l) = 3", dir), 0);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	/* an index of version 1 is what it says */
	assert_int_equal(sh("test \"$(head -c 4 \"$D\"/v1.git/objects/pack/*.idx | od -An -tx1 | tr -d ' ')\""
			    " != ff744f63", dir), 0);
	for (i = 0; i < 5; i++) {
		test_fmt(path, sizeof(path), "%s/%s/objects", dir, variant[i]);
		n[i] = compare(path);
	}
	assert_true(n[0] > 700);
	assert_int_equal(n[1], n[0]);
	assert_int_equal(n[2], n[0]);
	assert_true(n[3] > n[0]);
	assert_int_equal(n[4], n[0]);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_libgit2_shutdown();
	rm_tree(dir);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long size;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)size));
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

/*
 * Read every object of `ids` through a backend of the pack at `pack` and
 * the index at `idx`, against libgit2's reading of the undamaged copy:
 * each read is the same object or an error.  The errors.
 */
static size_t read_damaged(git_odb *lib, const idlist *ids, const char *idx, const char *pack)
{
	git_odb_backend *be;
	git_odb *ours;
	size_t i, errors = 0;

	if (vault_packread__one(&be, idx, pack, (size_t)16 << 20) < 0)
		return ids->n;
	ours = odb_of(be);
	for (i = 0; i < ids->n; i++) {
		git_odb_object *a, *b;

		if (git_odb_read(&b, ours, &ids->ids[i]) < 0) {
			errors++;
			continue;
		}
		assert_int_equal(git_odb_read(&a, lib, &ids->ids[i]), 0);
		assert_int_equal(git_odb_object_type(a), git_odb_object_type(b));
		assert_int_equal(git_odb_object_size(a), git_odb_object_size(b));
		assert_memory_equal(git_odb_object_data(a), git_odb_object_data(b),
				    git_odb_object_size(a));
		git_odb_object_free(a);
		git_odb_object_free(b);
	}
	git_odb_free(ours);
	return errors;
}

/* A byte changed anywhere in a pack or its index: errors, never other
 * content (the odb hashes what it reads), no crash and no loop. */
static void damage_gives_errors(void **state)
{
	char *dir = temp_dir(), objects[4200], idx[4300], pack[4300], bad[4300];
	unsigned char *bytes[2];
	size_t len[2], k, total[2] = { 0, 0 };
	git_odb_backend *be;
	git_odb *lib;
	idlist ids = { 0 };
	int which;

	(void)state;
	assert_int_equal(sh("set -e; cd \"$D\"; git init -q --bare r.git; mkdir w;"
			    " export GIT_DIR=r.git GIT_WORK_TREE=w GIT_AUTHOR_NAME=t"
			    " GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t;"
			    " for i in $(seq 1 12); do seq 1 400 | sed \"${i}s/\\$/ v$i/\" > w/f;"
			    " seq $i 900 > w/g; git add -A; git commit -q -m c$i; done;"
			    " git repack -a -d -f -q --depth=50;"
			    " cd r.git/objects/pack; ln pack-*.idx ../../../p.idx;"
			    " ln pack-*.pack ../../../p.pack", dir), 0);
	test_fmt(objects, sizeof(objects), "%s/r.git/objects", dir);
	test_fmt(idx, sizeof(idx), "%s/p.idx", dir);
	test_fmt(pack, sizeof(pack), "%s/p.pack", dir);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	assert_int_equal(git_odb_backend_pack(&be, objects), 0);
	lib = odb_of(be);
	assert_int_equal(git_odb_foreach(lib, collect, &ids), 0);
	/* undamaged, no error */
	assert_int_equal(read_damaged(lib, &ids, idx, pack), 0);
	bytes[0] = slurp(pack, &len[0]);
	bytes[1] = slurp(idx, &len[1]);
	for (which = 0; which < 2; which++) {
		test_fmt(bad, sizeof(bad), "%s/bad.%s", dir, which ? "idx" : "pack");
		/* 150 places spread over the file, each byte's bits all flipped */
		for (k = 0; k < 150; k++) {
			size_t at = (len[which] - 1) * k / 149;

			bytes[which][at] ^= 0xff;
			write_file(bad, bytes[which], len[which]);
			bytes[which][at] ^= 0xff;
			total[which] += which ? read_damaged(lib, &ids, bad, pack) :
						read_damaged(lib, &ids, idx, bad);
		}
		print_message("# %s damaged at 150 places: %zu reads of %zu failed\n",
			      which ? "index" : "pack", total[which], 150 * ids.n);
		assert_true(total[which] > 0);
	}
	free(bytes[0]);
	free(bytes[1]);
	free(ids.ids);
	git_odb_free(lib);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_libgit2_shutdown();
	rm_tree(dir);
}

/* --- packs made by hand, for what git never writes ---------------------- */

typedef struct {
	unsigned char name[GIT_OID_RAWSZ];
	unsigned char bytes[256];
	size_t len;
} crafted;

static size_t obj_header(unsigned char *out, int type, uint64_t size)
{
	size_t n = 0;
	unsigned char c = (unsigned char)(type << 4 | (size & 15));

	size >>= 4;
	while (size) {
		out[n++] = c | 0x80;
		c = size & 0x7f;
		size >>= 7;
	}
	out[n++] = c;
	return n;
}

/* append `data` deflated */
static void deflated(crafted *o, const void *data, size_t len)
{
	uLongf out = sizeof(o->bytes) - o->len;

	assert_int_equal(compress2(o->bytes + o->len, &out, data, len, 6), Z_OK);
	o->len += out;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

/* dir/c.pack and dir/c.idx holding `objs` (sorted by name) in that order;
 * with `large`, every offset in the 64-bit table, the last one's index
 * past its end */
static void craft(const char *dir, const crafted *objs, size_t n, int large)
{
	unsigned char pack[4096], idx[8192];
	uint32_t offsets[16];
	size_t plen = 12, ilen, i, b;
	char path[4200];

	assert_true(n <= 16);
	memcpy(pack, "PACK\0\0\0\2", 8);
	put32(pack + 8, (uint32_t)n);
	for (i = 0; i < n; i++) {
		offsets[i] = (uint32_t)plen;
		memcpy(pack + plen, objs[i].bytes, objs[i].len);
		plen += objs[i].len;
	}
	memset(pack + plen, 0xab, 20); /* a checksum both files agree on */
	plen += 20;
	memcpy(idx, "\377tOc\0\0\0\2", 8);
	for (b = 0; b < 256; b++) {
		uint32_t count = 0;

		for (i = 0; i < n; i++)
			count += objs[i].name[0] <= b;
		put32(idx + 8 + 4 * b, count);
	}
	ilen = 8 + 1024;
	for (i = 0; i < n; i++, ilen += 20)
		memcpy(idx + ilen, objs[i].name, 20);
	memset(idx + ilen, 0, 4 * n);
	ilen += 4 * n;
	for (i = 0; i < n; i++, ilen += 4)
		put32(idx + ilen, large ? 0x80000000u | (uint32_t)(i + (i + 1 == n)) : offsets[i]);
	if (large)
		for (i = 0; i < n; i++, ilen += 8) {
			put32(idx + ilen, 0);
			put32(idx + ilen + 4, offsets[i]);
		}
	memset(idx + ilen, 0xab, 20);
	memset(idx + ilen + 20, 0, 20);
	ilen += 40;
	test_fmt(path, sizeof(path), "%s/c.pack", dir);
	write_file(path, pack, plen);
	test_fmt(path, sizeof(path), "%s/c.idx", dir);
	write_file(path, idx, ilen);
}

/* read `name` through a backend of dir/c.*: the error's message */
static const char *read_crafted(const char *dir, const unsigned char *name, size_t max)
{
	char idx[4200], pack[4200];
	static char msg[512];
	git_odb_backend *be;
	git_object_t type;
	git_oid id;
	void *data = NULL;
	size_t len;
	int r;

	test_fmt(idx, sizeof(idx), "%s/c.idx", dir);
	test_fmt(pack, sizeof(pack), "%s/c.pack", dir);
	if (vault_packread__one(&be, idx, pack, max) < 0) {
		test_fmt(msg, sizeof(msg), "open: %s", git_error_last()->message);
		return msg;
	}
	memcpy(id.id, name, 20);
	r = be->read(&data, &len, &type, be, &id);
	if (r == 0) {
		git_odb_backend_data_free(be, data);
		be->free(be);
		return "read";
	}
	test_fmt(msg, sizeof(msg), "%d: %s", r, git_error_last() ? git_error_last()->message : "");
	be->free(be);
	return msg;
}

/* the same object's header: what its read found, or more (a header read
 * inflates no more than a delta's first bytes) */
static int header_crafted(const char *dir, const unsigned char *name)
{
	char idx[4200], pack[4200];
	git_odb_backend *be;
	git_object_t type;
	git_oid id;
	size_t len;
	int r;

	test_fmt(idx, sizeof(idx), "%s/c.idx", dir);
	test_fmt(pack, sizeof(pack), "%s/c.pack", dir);
	assert_int_equal(vault_packread__one(&be, idx, pack, 1 << 20), 0);
	memcpy(id.id, name, 20);
	r = be->read_header(&len, &type, be, &id);
	be->free(be);
	return r;
}

/* o: a delta of `len` bytes on the object named `base` */
static void ref_delta(crafted *o, const unsigned char *base, const void *delta, size_t len)
{
	o->len = obj_header(o->bytes, 7, len);
	memcpy(o->bytes + o->len, base, 20);
	o->len += 20;
	deflated(o, delta, len);
}

/* dir/c.* holding objs[0, n), its first object refused with a message
 * holding `why`, and (`header`) its header too */
static void refused(const char *dir, const crafted *objs, size_t n, const char *why, int header)
{
	const char *m;

	craft(dir, objs, n, 0);
	m = read_crafted(dir, objs[0].name, 1 << 20);
	print_message("# %s\n", m);
	assert_non_null(strstr(m, why));
	if (header)
		assert_true(header_crafted(dir, objs[0].name) < 0);
}

static void hostile_packs(void **state)
{
	char *dir = temp_dir();
	crafted o[3];
	size_t h;

	(void)state;
	git_libgit2_init();
	memset(o, 0, sizeof(o));
	memset(o[0].name, 0x11, 20);
	memset(o[1].name, 0x22, 20);
	memset(o[2].name, 0x33, 20);

	/* two deltas, each the other's base: a chain that loops, found at
	 * its second step (not walked 10,000 times, each delta held) */
	ref_delta(&o[0], o[1].name, "\1\1\1x", 4);
	ref_delta(&o[1], o[0].name, "\1\1\1y", 4);
	refused(dir, o, 2, "a delta chain that loops", 1);

	/* a delta whose base is not in the pack */
	o[1].name[0] = 0x21;
	refused(dir, o, 2, "base is not in its pack", 1);
	o[1].name[0] = 0x22;

	/* an offset delta reaching back past the pack's start */
	o[0].len = obj_header(o[0].bytes, 6, 4);
	o[0].bytes[o[0].len++] = 0x7f;
	deflated(&o[0], "\1\1\1x", 4);
	refused(dir, o, 1, "base is outside the pack", 1);

	/* a blob saying it is larger than it is, and smaller */
	o[0].len = obj_header(o[0].bytes, 3, 6);
	deflated(&o[0], "hello", 5);
	refused(dir, o, 1, "shorter than its header", 0);
	o[0].len = obj_header(o[0].bytes, 3, 4);
	deflated(&o[0], "hello", 5);
	refused(dir, o, 1, "longer than its header", 0);

	/* larger than the reader allows: refused before anything is allocated */
	o[0].len = obj_header(o[0].bytes, 3, (uint64_t)1 << 40);
	deflated(&o[0], "hello", 5);
	refused(dir, o, 1, "larger than this reader", 1);

	/* a header whose size never ends */
	o[0].len = 0;
	memset(o[0].bytes, 0xbf, 12);
	o[0].len = 12;
	refused(dir, o, 1, "header is broken", 1);

	/* an object of type 5, which git reserves */
	o[0].len = obj_header(o[0].bytes, 5, 5);
	deflated(&o[0], "hello", 5);
	refused(dir, o, 1, "no known type", 1);

	/* deltas that copy past their base, insert past their end, use the
	 * reserved instruction, or make less than they say */
	{
		static const struct {
			const char *delta;
			size_t len;
			const char *why;
		} bad[] = {
			{ "\5\5\x91\3\3", 5, "copies from outside its base" },
			{ "\5\5\4abc", 6, "inserts past its end" },
			{ "\5\5\0", 3, "instruction 0" },
			{ "\5\6\x90\5", 4, "fewer bytes than it says" },
			{ "\5\5\x91\1", 4, "cut short" },
			{ "\4\5\x90\5", 4, "not of its base" },
		};

		for (h = 0; h < sizeof(bad) / sizeof(bad[0]); h++) {
			ref_delta(&o[0], o[1].name, bad[h].delta, bad[h].len);
			o[1].len = obj_header(o[1].bytes, 3, 5);
			deflated(&o[1], "hello", 5);
			refused(dir, o, 2, bad[h].why, 0);
		}
		/* and one that is right: "hello" copied, then "!" */
		ref_delta(&o[0], o[1].name, "\5\6\x90\5\1!", 6);
		craft(dir, o, 2, 0);
		assert_string_equal(read_crafted(dir, o[0].name, 1 << 20), "read");
		/* the same through 64-bit offsets; a third object's past the table */
		o[2].len = obj_header(o[2].bytes, 3, 5);
		deflated(&o[2], "hello", 5);
		craft(dir, o, 3, 1);
		assert_string_equal(read_crafted(dir, o[0].name, 1 << 20), "read");
		assert_non_null(strstr(read_crafted(dir, o[2].name, 1 << 20), "past the index's table"));
	}

	/* an index that is not its pack's, or not an index */
	craft(dir, o, 2, 0);
	{
		char path[4200];
		size_t len;
		unsigned char *b;

		test_fmt(path, sizeof(path), "%s/c.pack", dir);
		b = slurp(path, &len);
		b[len - 1] ^= 1;
		write_file(path, b, len);
		free(b);
		assert_non_null(strstr(read_crafted(dir, o[0].name, 1 << 20), "not its pack's"));
		test_fmt(path, sizeof(path), "%s/c.idx", dir);
		write_file(path, "\377tOc\0\0\0\1", 8);
		assert_non_null(strstr(read_crafted(dir, o[0].name, 1 << 20), "too short"));
	}
	git_libgit2_shutdown();
	rm_tree(dir);
}

/* --- long chains, many packs, packs removed, large buckets -------------- */

typedef struct {
	unsigned char *data;
	size_t len, cap;
} bytes;

static void put(bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		assert_non_null(b->data = realloc(b->data, b->cap));
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static size_t varint(unsigned char *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n] = v & 0x7f;
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/*
 * dir/c.pack and dir/c.idx: the blob "x", then `links` offset deltas,
 * each its predecessor and one byte more; object i's name is i, big-endian
 * in its first 4 bytes (sorted, as an index needs).  A chain of `links`.
 */
static void craft_chain(const char *dir, uint32_t links)
{
	bytes pack = { 0 }, idx = { 0 };
	uint64_t *offsets = malloc((links + 1) * sizeof(*offsets));
	unsigned char h[64], z[128], delta[64], four[4];
	uint32_t i, b, n = links + 1;
	char path[4200];

	assert_non_null(offsets);
	put(&pack, "PACK\0\0\0\2", 8);
	put32(four, n);
	put(&pack, four, 4);
	for (i = 0; i < n; i++) {
		size_t hl, dl = 0;
		uLongf zl = sizeof(z);

		offsets[i] = pack.len;
		if (i == 0) {
			hl = obj_header(h, 3, 1);
			assert_int_equal(compress2(z, &zl, (const unsigned char *)"x", 1, 1), Z_OK);
		} else {
			uint64_t back = offsets[i] - offsets[i - 1];
			unsigned char enc[16];
			size_t k = sizeof(enc);

			/* the delta: sizes i and i + 1, copy i bytes from 0, insert "y" */
			dl += varint(delta + dl, i);
			dl += varint(delta + dl, i + 1);
			delta[dl++] = 0x80 | 0x10 | 0x20;
			delta[dl++] = i & 0xff;
			delta[dl++] = (i >> 8) & 0xff;
			delta[dl++] = 1;
			delta[dl++] = 'y';
			hl = obj_header(h, 6, dl);
			/* the distance back, git's way: 7 bits a byte, each but the
			 * last less one */
			enc[--k] = back & 0x7f;
			while (back >>= 7)
				enc[--k] = 0x80 | (--back & 0x7f);
			memcpy(h + hl, enc + k, sizeof(enc) - k);
			hl += sizeof(enc) - k;
			assert_int_equal(compress2(z, &zl, delta, dl, 1), Z_OK);
		}
		put(&pack, h, hl);
		put(&pack, z, zl);
	}
	memset(h, 0xab, 20);
	put(&pack, h, 20);
	put(&idx, "\377tOc\0\0\0\2", 8);
	for (b = 0; b < 256; b++) {
		/* names i: first byte (i >> 24): all in bucket 0 */
		put32(four, n);
		put(&idx, four, 4);
	}
	for (i = 0; i < n; i++) {
		memset(h, 0, 20);
		put32(h, i);
		h[19] = 1;
		put(&idx, h, 20);
	}
	for (i = 0; i < n; i++)
		put(&idx, "\0\0\0\0", 4);
	for (i = 0; i < n; i++) {
		put32(four, (uint32_t)offsets[i]);
		put(&idx, four, 4);
	}
	memset(h, 0xab, 20);
	put(&idx, h, 20);
	memset(h, 0, 20);
	put(&idx, h, 20);
	test_fmt(path, sizeof(path), "%s/c.pack", dir);
	write_file(path, pack.data, pack.len);
	test_fmt(path, sizeof(path), "%s/c.idx", dir);
	write_file(path, idx.data, idx.len);
	free(pack.data);
	free(idx.data);
	free(offsets);
}

static void long_chains(void **state)
{
	char *dir = temp_dir(), idx[4200], pack[4200];
	unsigned char name[20];
	git_odb_backend *be;
	git_object_t type;
	git_oid id;
	void *data;
	size_t len, i;

	(void)state;
	git_libgit2_init();
	test_fmt(idx, sizeof(idx), "%s/c.idx", dir);
	test_fmt(pack, sizeof(pack), "%s/c.pack", dir);
	/* 3,000 links: read whole, "x" and a "y" for each */
	craft_chain(dir, 3000);
	assert_int_equal(vault_packread__one(&be, idx, pack, 1 << 20), 0);
	memset(id.id, 0, 20);
	put32(id.id, 3000);
	id.id[19] = 1;
	assert_int_equal(be->read(&data, &len, &type, be, &id), 0);
	assert_int_equal(type, GIT_OBJECT_BLOB);
	assert_int_equal(len, 3001);
	assert_int_equal(((char *)data)[0], 'x');
	for (i = 1; i < len; i++)
		assert_int_equal(((char *)data)[i], 'y');
	git_odb_backend_data_free(be, data);
	assert_int_equal(be->read_header(&len, &type, be, &id), 0);
	assert_int_equal(len, 3001);
	be->free(be);
	/* 10,001 links: refused, and read_header too */
	craft_chain(dir, 10001);
	memset(name, 0, 20);
	put32(name, 10001);
	name[19] = 1;
	assert_non_null(strstr(read_crafted(dir, name, 1 << 20), "a delta chain too long to read"));
	assert_true(header_crafted(dir, name) < 0);
	git_libgit2_shutdown();
	rm_tree(dir);
}

/* The descriptors this process holds, counted from within: `ls` run
 * through popen raced the pipe's other end, closed as the child ran, and
 * counted one more now and then (a machine under load: a false failure). */
static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the folder's own */
}

/*
 * 120 packs of one blob each: every object read, holding one descriptor
 * for each pack's index and no more than 32 for the packs; then the
 * packs put into one by git repack, as qvault gc does while readers
 * run: what was not read yet is found in the new pack.
 */
static void many_packs_and_a_repack(void **state)
{
	char *dir = temp_dir(), objects[4200];
	git_odb_backend *be;
	git_odb *lib, *ours;
	idlist ids = { 0 };
	size_t before, i;

	(void)state;
	assert_int_equal(sh("set -e; cd \"$D\"; git init -q --bare r.git;"
			    " for i in $(seq 1 120); do echo \"blob $i\" |"
			    " git --git-dir=r.git hash-object -w --stdin |"
			    " git --git-dir=r.git pack-objects -q r.git/objects/pack/pack > /dev/null; done;"
			    " git --git-dir=r.git prune-packed;"
			    " test $(ls r.git/objects/pack/*.idx | wc -l) = 120", dir), 0);
	test_fmt(objects, sizeof(objects), "%s/r.git/objects", dir);
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	assert_int_equal(git_odb_backend_pack(&be, objects), 0);
	lib = odb_of(be);
	assert_int_equal(git_odb_foreach(lib, collect, &ids), 0);
	assert_int_equal(ids.n, 120);
	/* libgit2's reader holds each pack it read: all of them, first */
	for (i = 0; i < ids.n; i++) {
		git_odb_object *o;

		assert_int_equal(git_odb_read(&o, lib, &ids.ids[i]), 0);
		git_odb_object_free(o);
	}
	before = open_fds();
	assert_int_equal(vault_packread__new(&be, objects), 0);
	ours = odb_of(be);
	for (i = 0; i < ids.n / 2; i++)
		same_object(lib, ours, &ids.ids[i]);
	print_message("# %zu descriptors held for 120 packs\n", open_fds() - before);
	assert_true(open_fds() <= before + 120 + 32);
	assert_int_equal(sh("git --git-dir=\"$D\"/r.git repack -adkq &&"
			    " test $(ls \"$D\"/r.git/objects/pack/*.idx | wc -l) = 1", dir), 0);
	for (i = 0; i < ids.n; i++) {
		git_odb_object *o;

		assert_int_equal(git_odb_read(&o, ours, &ids.ids[i]), 0);
		git_odb_object_free(o);
	}
	/* and their headers, which no cache of objects answers: where the
	 * first half was found, in packs gone since, is looked past */
	for (i = 0; i < ids.n; i++) {
		size_t len, len2;
		git_object_t type, type2;

		assert_int_equal(git_odb_read_header(&len, &type, ours, &ids.ids[i]), 0);
		assert_int_equal(git_odb_read_header(&len2, &type2, lib, &ids.ids[i]), 0);
		assert_int_equal(len, len2);
		assert_int_equal(type, type2);
	}
	/* and by prefix, the packs gone skipped */
	for (i = 0; i < ids.n; i++) {
		git_odb_object *o;

		assert_int_equal(git_odb_read_prefix(&o, ours, &ids.ids[i], 12), 0);
		git_odb_object_free(o);
	}
	git_odb_free(ours);
	git_odb_free(lib);
	free(ids.ids);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 1);
	git_libgit2_shutdown();
	rm_tree(dir);
}

typedef struct {
	char files[4][4200];
	size_t n;
} findings;

static void copy_found(void *payload, const char *file, const git_oid *id, const char *why)
{
	findings *f = payload;

	(void)id;
	print_message("# %s: %s\n", file, why);
	if (f->n < 4)
		test_fmt(f->files[f->n], sizeof(f->files[0]), "%s", file);
	f->n++;
}

/* The loose object `hex` in `objects` replaced by another blob's bytes. */
static void forge_loose(const char *objects, const char *hex, char *file, size_t size)
{
	static const char forged[] = "blob 12\0a forgery!!";
	unsigned char z[256];
	uLongf zlen = sizeof(z);

	test_fmt(file, size, "%s/%.2s/%s", objects, hex, hex + 2);
	assert_int_equal(compress(z, &zlen, (const unsigned char *)forged, sizeof(forged) - 1), Z_OK);
	assert_int_equal(chmod(file, 0644), 0);
	write_file(file, z, zlen);
}

/*
 * The copies sweep over packs and loose objects: 3,000 blobs held loose,
 * in one pack and (a third of them) in a second: every copy alike, no
 * finding; then the loose copies of the first and the last name (the
 * first and the last fan-out folder) forged: those two found, by file.
 */
static void copies_loose_and_packed(void **state)
{
	char *dir = temp_dir(), objects[4200], first[4300], last[4300];
	vault_packread_source source;
	findings f = { 0 };
	idlist ids = { 0 };
	git_odb_backend *be;
	git_odb *ours;

	(void)state;
	assert_int_equal(sh("set -e; cd \"$D\"; git init -q --bare r.git; mkdir b;"
			    " for i in $(seq 1 3000); do echo \"blob $i\" > b/$i; done;"
			    " ls b/* | git --git-dir=r.git hash-object -w --stdin-paths > names;"
			    " git --git-dir=r.git pack-objects -q r.git/objects/pack/pack < names > /dev/null;"
			    " sed -n 1~3p names | git --git-dir=r.git pack-objects -q r.git/objects/pack/pack"
			    "  > /dev/null;"
			    " test $(ls r.git/objects/pack/*.idx | wc -l) = 2;"
			    " test $(find r.git/objects/?? -type f | wc -l) = 3000", dir), 0);
	test_fmt(objects, sizeof(objects), "%s/r.git/objects", dir);
	git_libgit2_init();
	assert_int_equal(vault_packread__new(&be, objects), 0);
	ours = odb_of(be);
	assert_int_equal(git_odb_foreach(ours, collect, &ids), 0);
	qsort(ids.ids, ids.n, sizeof(*ids.ids), oid_order);
	source.packs = be;
	source.objects = objects;
	assert_int_equal(vault_packread__copies(&source, 1, copy_found, &f), 0);
	assert_int_equal(f.n, 0);
	/* the packs alone, with no folder: no finding either */
	source.objects = NULL;
	assert_int_equal(vault_packread__copies(&source, 1, copy_found, &f), 0);
	assert_int_equal(f.n, 0);
	forge_loose(objects, git_oid_tostr_s(&ids.ids[0]), first, sizeof(first));
	forge_loose(objects, git_oid_tostr_s(&ids.ids[ids.n - 1]), last, sizeof(last));
	source.objects = objects;
	assert_int_equal(vault_packread__copies(&source, 1, copy_found, &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.files[0], first);
	assert_string_equal(f.files[1], last);
	git_odb_free(ours);
	free(ids.ids);
	git_libgit2_shutdown();
	rm_tree(dir);
}

/*
 * A multi-pack index over three packs: honest, no finding; then each of
 * 400 places in it changed in turn (its header, chunk table, fan-out,
 * names, offsets, pack names): the sweep ends, with findings or an
 * error and its reason, never a crash, a read out of bounds or a loop.
 */
static void multi_pack_index_damaged(void **state)
{
	char *dir = temp_dir(), objects[4200], path[4300];
	vault_packread_source source;
	unsigned char *honest, *bad;
	findings f = { 0 };
	git_odb_backend *be;
	size_t len, i, flagged = 0;

	(void)state;
	assert_int_equal(sh("set -e; cd \"$D\"; git init -q --bare r.git; mkdir b;"
			    " for i in $(seq 1 900); do echo \"blob $i\" > b/$i; done;"
			    " ls b/* | git --git-dir=r.git hash-object -w --stdin-paths > names;"
			    " for k in 0 1 2; do sed -n \"$((k * 300 + 1)),$((k * 300 + 300))p\" names |"
			    "  git --git-dir=r.git pack-objects -q r.git/objects/pack/pack > /dev/null; done;"
			    " git --git-dir=r.git prune-packed; git --git-dir=r.git multi-pack-index write;"
			    " git --git-dir=r.git multi-pack-index verify", dir), 0);
	test_fmt(objects, sizeof(objects), "%s/r.git/objects", dir);
	test_fmt(path, sizeof(path), "%s/pack/multi-pack-index", objects);
	honest = slurp(path, &len);
	assert_non_null(bad = malloc(len));
	git_libgit2_init();
	assert_int_equal(vault_packread__new(&be, objects), 0);
	source.packs = be;
	source.objects = objects;
	assert_int_equal(vault_packread__copies(&source, 1, copy_found, &f), 0);
	assert_int_equal(f.n, 0);
	for (i = 0; i < 400; i++) {
		size_t at = i < 200 ? i : 200 + (i - 200) * (len - 200) / 200;

		memcpy(bad, honest, len);
		bad[at] ^= (unsigned char)(1u << (i % 8));
		write_file(path, bad, len);
		f.n = 0;
		if (vault_packread__copies(&source, 1, copy_found, &f) < 0)
			assert_non_null(git_error_last());
		flagged += f.n > 0;
	}
	print_message("# 400 damaged multi-pack indexes: %zu with a finding\n", flagged);
	assert_true(flagged > 200);
	be->free(be);
	free(bad);
	free(honest);
	git_libgit2_shutdown();
	rm_tree(dir);
}

static int name_order(const void *a, const void *b)
{
	return memcmp(a, b, 20);
}

/*
 * The search of a large bucket, against bsearch: `count` names, most spread
 * evenly, 3,000 crowded into one bucket at its start (where an even
 * spread's guess is far off), and a run of 500 neighbours (whose first 4
 * bytes are all the same: one prefix); each looked for, its neighbour
 * not there, and its prefix.  Searched through the pack's prefixes or,
 * with none kept, in the index itself.  Then the names in the index
 * file are zeroed: the last found are still found (where they were
 * found, the places kept, for an index past the pages; the pages, for
 * one they hold), and a new reader of the same files finds none.
 */
static void search_against_bsearch(size_t count, int prefixes)
{
	char *dir = temp_dir(), idx[4200], pack[4200];
	unsigned char *names = malloc(count * 20), four[4], h[20];
	bytes ib = { 0 };
	git_odb_backend *be;
	size_t i, b, misses = 0;

	assert_non_null(names);
	srand(21);
	for (i = 0; i < count * 20; i++)
		names[i] = (unsigned char)(rand() >> 7);
	for (i = 0; i < 3000; i++) {
		names[i * 20] = 0x42;
		names[i * 20 + 1] = 0;
		names[i * 20 + 2] = (unsigned char)(i & 0x3f);
	}
	for (i = 3000; i < 3500; i++) {
		memset(names + i * 20, 0x77, 19);
		names[i * 20 + 19] = (unsigned char)i;
		names[i * 20 + 18] = (unsigned char)(i >> 8);
	}
	qsort(names, count, 20, name_order);
	for (i = 1; i < count; i++)
		assert_true(memcmp(names + (i - 1) * 20, names + i * 20, 20) < 0);
	put(&ib, "\377tOc\0\0\0\2", 8);
	for (b = 0, i = 0; b < 256; b++) {
		while (i < count && names[i * 20] <= b)
			i++;
		put32(four, (uint32_t)i);
		put(&ib, four, 4);
	}
	put(&ib, names, count * 20);
	for (i = 0; i < count; i++)
		put(&ib, "\0\0\0\0", 4);
	for (i = 0; i < count; i++)
		put(&ib, "\0\0\0\14", 4);
	memset(h, 0xab, 20);
	put(&ib, h, 20);
	memset(h, 0, 20);
	put(&ib, h, 20);
	test_fmt(idx, sizeof(idx), "%s/c.idx", dir);
	write_file(idx, ib.data, ib.len);
	{
		unsigned char p[12 + 1 + 20];

		memcpy(p, "PACK\0\0\0\2", 8);
		put32(p + 8, (uint32_t)count);
		p[12] = 0;
		memset(p + 13, 0xab, 20);
		test_fmt(pack, sizeof(pack), "%s/c.pack", dir);
		write_file(pack, p, sizeof(p));
	}
	git_libgit2_init();
	assert_int_equal(vault_packread__one(&be, idx, pack, 1 << 20), 0);
	if (!prefixes)
		vault_packread__keep_prefixes(be, 0);
	for (i = 0; i < count; i++) {
		git_oid id, next, full;
		int r;

		memcpy(id.id, names + i * 20, 20);
		assert_true(be->exists(be, &id));
		next = id;
		next.id[19] ^= 0x80;
		if (!bsearch(next.id, names, count, 20, name_order)) {
			assert_false(be->exists(be, &next));
			misses++;
		}
		/* 8 digits: unique unless a neighbour shares them */
		r = be->exists_prefix(&full, be, &id, 8);
		if ((i == 0 || memcmp(names + (i - 1) * 20, id.id, 4)) &&
		    (i + 1 == count || memcmp(names + (i + 1) * 20, id.id, 4))) {
			assert_int_equal(r, 0);
			assert_true(git_oid_equal(&full, &id));
		} else {
			assert_int_equal(r, GIT_EAMBIGUOUS);
		}
	}
	print_message("# %zu names found, %zu absent ones not (an index of %zu bytes%s)\n", count,
		      misses, ib.len, prefixes ? ", its prefixes kept" : "");
	assert_true(misses > count / 2);
	/* the prefixes held when asked for, within the budget: a pack of at
	 * most a quarter of it takes them, a larger one does not */
	assert_int_equal(vault_packread__prefixes_held(be), prefixes ? count * 4 : 0);
	for (b = 0; b < 2; b++) {
		git_odb_backend *other;
		git_oid id;

		assert_int_equal(vault_packread__one(&other, idx, pack, 1 << 20), 0);
		vault_packread__keep_prefixes(other, count * 16 - 1 + b);
		memcpy(id.id, names, 20);
		assert_true(other->exists(other, &id));
		assert_int_equal(vault_packread__prefixes_held(other), b ? count * 4 : 0);
		other->free(other);
	}
	{
		unsigned char *zero = calloc(count, 20);
		git_odb_backend *fresh;
		git_oid id;
		int fd;

		assert_non_null(zero);
		assert_true((fd = open(idx, O_WRONLY)) >= 0);
		assert_int_equal(pwrite(fd, zero, count * 20, 8 + 1024), (ssize_t)(count * 20));
		close(fd);
		free(zero);
		assert_int_equal(vault_packread__one(&fresh, idx, pack, 1 << 20), 0);
		for (i = count - 64; i < count; i++) {
			memcpy(id.id, names + i * 20, 20);
			assert_true(be->exists(be, &id));
			assert_false(fresh->exists(fresh, &id));
		}
		fresh->free(fresh);
	}
	be->free(be);
	free(ib.data);
	free(names);
	git_libgit2_shutdown();
	rm_tree(dir);
}

/* an index the backend's pages hold whole: read through them */
static void large_buckets(void **state)
{
	(void)state;
	assert_true(8 + 1024 + 60000 * 28 + 40 < PACKREAD_PAGES);
	search_against_bsearch(60000, 0);
	search_against_bsearch(60000, 1);
}

/* one larger than the pages: its names and offsets read from the file,
 * as they were before there were pages (a lookup's window of names is
 * one read, where it would be two pages, rarely found again); or its
 * prefixes kept, a name confirmed by reading it */
static void index_past_the_pages(void **state)
{
	(void)state;
	assert_true(8 + 1024 + 160000 * 28 + 40 > PACKREAD_PAGES);
	assert_true(160000 * 4 <= PACKREAD_PREFIXES / 4);
	search_against_bsearch(160000, 0);
	search_against_bsearch(160000, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_libgit2_reads),
		cmocka_unit_test(damage_gives_errors),
		cmocka_unit_test(hostile_packs),
		cmocka_unit_test(long_chains),
		cmocka_unit_test(many_packs_and_a_repack),
		cmocka_unit_test(large_buckets),
		cmocka_unit_test(index_past_the_pages),
		cmocka_unit_test(copies_loose_and_packed),
		cmocka_unit_test(multi_pack_index_damaged),
	};

	return cmocka_run_group_tests_name("packread", tests, NULL, NULL);
}
