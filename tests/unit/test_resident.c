/*
 * Unit tests of resident.c: it takes out of the resident set the pages of
 * shared read-only mappings of objects/pack/pack-*.pack (deleted ones
 * too), and of nothing else: not a pack's index, not another file in the
 * folder, not a pack in a folder below it, not a private mapping of a
 * pack, read-only or written, not anonymous memory; what it dropped reads
 * back the same; its thread drops them past its target, and not with
 * fewer than 8 MB more of file pages than after the last drop.
 */
#include "helpers.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "resident.h"

#define MB ((size_t)1 << 20)
#define SIZE (12 * MB)

typedef struct {
	char path[4200];
	unsigned char *map;
} mapping;

/* A file of SIZE bytes, each its offset's low byte plus `seed`, mapped with `prot`. */
static void map_file(mapping *m, const char *dir, const char *name, unsigned seed, int prot,
		     int flags)
{
	unsigned char *data = malloc(SIZE);
	size_t i;
	int fd;

	assert_non_null(data);
	for (i = 0; i < SIZE; i++)
		data[i] = (unsigned char)(i + seed);
	test_fmt(m->path, sizeof(m->path), "%s/%s", dir, name);
	write_file(m->path, data, SIZE);
	free(data);
	assert_true((fd = open(m->path, prot & PROT_WRITE ? O_RDWR : O_RDONLY)) >= 0);
	m->map = mmap(NULL, SIZE, prot, flags, fd, 0);
	assert_true(m->map != MAP_FAILED);
	close(fd);
}

/* Read every page, so that each is resident; the bytes' sum. */
static unsigned long touch(const unsigned char *p, size_t len)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < len; i += 4096)
		sum += ((volatile const unsigned char *)p)[i];
	return sum;
}

/* Whether bytes `from` to the end are those map_file wrote with `seed`. */
static int same_bytes(const unsigned char *p, size_t from, unsigned seed)
{
	size_t i;

	for (i = from; i < SIZE; i++)
		if (p[i] != (unsigned char)(i + seed))
			return 0;
	return 1;
}

/* The resident kB of the mapping that starts at `at`, from /proc/self/smaps. */
static long rss_kb(const void *at)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[4400];
	int in = 0;
	long kb = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2)
			in = (uintptr_t)lo == (uintptr_t)at;
		else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static void make_pack_dir(char *out, size_t size, const char *dir)
{
	char sub[4200];

	test_fmt(out, size, "%s/objects", dir);
	assert_int_equal(mkdir(out, 0755), 0);
	test_fmt(out, size, "%s/objects/pack", dir);
	assert_int_equal(mkdir(out, 0755), 0);
	test_fmt(sub, sizeof(sub), "%s/below", out);
	assert_int_equal(mkdir(sub, 0755), 0);
}

/* The mappings of drops_only_pack_mappings, in order. */
enum { PACK, IDX, GONE, OTHER, BELOW, PRIVATE, WRITTEN, NMAPS };

static void drops_only_pack_mappings(void **state)
{
	char *dir = temp_dir(), packs[4200];
	mapping m[NMAPS];
	unsigned char *anon = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vault_resident *r;
	int i;
	size_t n;

	(void)state;
	assert_true(anon != MAP_FAILED);
	make_pack_dir(packs, sizeof(packs), dir);
	map_file(&m[PACK], packs, "pack-1.pack", 1, PROT_READ, MAP_SHARED);
	map_file(&m[IDX], packs, "pack-1.idx", 2, PROT_READ, MAP_SHARED);
	map_file(&m[GONE], packs, "pack-2.pack", 3, PROT_READ, MAP_SHARED);
	map_file(&m[OTHER], packs, "pack-1.keep", 4, PROT_READ, MAP_SHARED);
	map_file(&m[BELOW], packs, "below/pack-3.pack", 5, PROT_READ, MAP_SHARED);
	map_file(&m[PRIVATE], packs, "pack-4.pack", 6, PROT_READ, MAP_PRIVATE);
	map_file(&m[WRITTEN], packs, "pack-5.pack", 7, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_int_equal(unlink(m[GONE].path), 0); /* a repack deleted it: " (deleted)" */
	memset(anon, 0x5a, SIZE);
	m[WRITTEN].map[0] = 0xee; /* a private copy now: no longer the file's */
	for (i = 0; i < NMAPS; i++)
		touch(m[i].map, SIZE);

	/* the first drop is at the start, before the thread runs */
	assert_int_equal(vault_resident__start(&r, (size_t)1 << 40), 0);
	assert_int_equal(rss_kb(m[PACK].map), 0);
	assert_int_equal(rss_kb(m[GONE].map), 0);
	/* an index is what every lookup searches: kept */
	assert_int_equal(rss_kb(m[IDX].map), (long)(SIZE / 1024));
	assert_int_equal(rss_kb(m[OTHER].map), (long)(SIZE / 1024));
	assert_int_equal(rss_kb(m[BELOW].map), (long)(SIZE / 1024));
	assert_int_equal(rss_kb(m[PRIVATE].map), (long)(SIZE / 1024));
	assert_int_equal(rss_kb(m[WRITTEN].map), (long)(SIZE / 1024));
	/* what was dropped reads back the same, from the file */
	assert_true(same_bytes(m[PACK].map, 0, 1));
	assert_true(same_bytes(m[IDX].map, 0, 2));
	assert_true(same_bytes(m[GONE].map, 0, 3));
	assert_int_equal(m[WRITTEN].map[0], 0xee);
	assert_true(same_bytes(m[WRITTEN].map, 1, 7));
	/* anonymous memory dropped would read back as zeros (its mapping may
	 * have merged with its neighbours': no resident count of its own) */
	for (n = 0; n < SIZE && anon[n] == 0x5a; n++)
		;
	assert_int_equal(n, SIZE);
	/* under the target, none since */
	assert_int_equal(vault_resident__stop(r), 0);

	for (i = 0; i < NMAPS; i++)
		assert_int_equal(munmap(m[i].map, SIZE), 0);
	assert_int_equal(munmap(anon, SIZE), 0);
	rm_tree(dir);
}

/* The libraries' munmap is this one, which waits for a drop (resident.h). */
static void libraries_bind_munmap_here(void **state)
{
	(void)state;
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "munmap"), (void *)munmap);
}

/* Past the target the thread drops the packs' pages, with 8 MB of them or more. */
static void drops_past_target(void **state)
{
	char *dir = temp_dir(), packs[4200];
	mapping pack;
	vault_resident *r;
	int tries;

	(void)state;
	make_pack_dir(packs, sizeof(packs), dir);
	map_file(&pack, packs, "pack-1.pack", 8, PROT_READ, MAP_SHARED);

	/* under the target: kept */
	assert_int_equal(vault_resident__start(&r, (size_t)1 << 40), 0);
	touch(pack.map, SIZE);
	usleep(100000);
	assert_int_equal(vault_resident__stop(r), 0);
	assert_int_equal(rss_kb(pack.map), (long)(SIZE / 1024));

	/* past it, with 4 MB of the packs: kept (the start dropped the rest) */
	assert_int_equal(vault_resident__start(&r, 1), 0);
	assert_int_equal(rss_kb(pack.map), 0);
	touch(pack.map, 4 * MB);
	usleep(100000);
	assert_int_equal(vault_resident__stop(r), 0);
	/* a fault maps the 64 KB around it, aligned as the mapping falls */
	assert_true(rss_kb(pack.map) >= 4 * 1024 && rss_kb(pack.map) < 8 * 1024);

	/* past it, with 12: dropped, every 2 ms (perhaps half way through
	 * the touch, what follows then too little to drop); waited for up
	 * to 5 s */
	assert_int_equal(vault_resident__start(&r, 1), 0);
	touch(pack.map, SIZE);
	for (tries = 0; tries < 500 && rss_kb(pack.map) >= (long)(SIZE / 1024); tries++)
		usleep(10000);
	assert_true(vault_resident__stop(r) >= 1);
	assert_true(rss_kb(pack.map) < (long)(SIZE / 1024));
	assert_true(same_bytes(pack.map, 0, 8));

	/* and with readers ticking meanwhile (the thread or one of them drops) */
	assert_int_equal(vault_resident__start(&r, 1), 0);
	touch(pack.map, SIZE);
	for (tries = 0; tries < 64; tries++)
		vault_resident__tick();
	assert_true(rss_kb(pack.map) < (long)(SIZE / 1024));
	assert_true(vault_resident__stop(r) >= 1);

	vault_resident__stop(NULL);
	assert_int_equal(munmap(pack.map, SIZE), 0);
	rm_tree(dir);
}

/*
 * Past the target with pages it keeps (a pack index's, read at every
 * lookup): one drop, and none after it while no more pages come, not
 * one every 2 ms for nothing.  (Before, the base was the file pages at
 * the start, and the index read after it made every look a drop.)
 */
static void kept_pages_cost_one_drop(void **state)
{
	char *dir = temp_dir(), packs[4200];
	mapping idx;
	vault_resident *r;
	int tries;

	(void)state;
	make_pack_dir(packs, sizeof(packs), dir);
	map_file(&idx, packs, "pack-1.idx", 9, PROT_READ, MAP_SHARED);

	assert_int_equal(vault_resident__start(&r, 1), 0);
	touch(idx.map, SIZE);
	for (tries = 0; tries < 500 && vault_resident__drops(r) == 0; tries++)
		usleep(10000);
	assert_int_equal(vault_resident__drops(r), 1);
	/* 50 looks of the thread, at the least; and the readers' */
	usleep(100000);
	for (tries = 0; tries < 64 * 50; tries++)
		vault_resident__tick();
	assert_int_equal(vault_resident__stop(r), 1);
	assert_int_equal(rss_kb(idx.map), (long)(SIZE / 1024));

	assert_int_equal(munmap(idx.map, SIZE), 0);
	rm_tree(dir);
}

/*
 * File pages gone without a drop (a pack index libgit2 let go) lower the
 * base: the pack pages that come in their place are dropped past 8 MB,
 * not let in up to what went plus 8 MB.
 */
static void pages_gone_lower_the_base(void **state)
{
	char *dir = temp_dir(), packs[4200];
	mapping idx, pack;
	vault_resident *r;
	int tries;

	(void)state;
	make_pack_dir(packs, sizeof(packs), dir);
	map_file(&idx, packs, "pack-1.idx", 10, PROT_READ, MAP_SHARED);
	map_file(&pack, packs, "pack-1.pack", 11, PROT_READ, MAP_SHARED);

	touch(idx.map, SIZE);
	assert_int_equal(vault_resident__start(&r, 1), 0);
	assert_int_equal(munmap(idx.map, SIZE), 0);
	usleep(50000);
	touch(pack.map, SIZE);
	for (tries = 0; tries < 500 && rss_kb(pack.map) >= (long)(SIZE / 1024); tries++)
		usleep(10000);
	assert_true(vault_resident__drops(r) >= 1);
	assert_true(rss_kb(pack.map) < (long)(SIZE / 1024));
	vault_resident__stop(r);

	assert_int_equal(munmap(pack.map, SIZE), 0);
	rm_tree(dir);
}

/* One watch a process: a second start before the stop is refused, not a
 * second thread over the same pages; after the stop, a start again. */
static void one_watch_at_a_time(void **state)
{
	vault_resident *r, *again = NULL;

	(void)state;
	assert_int_equal(vault_resident__start(&r, (size_t)1 << 40), 0);
	assert_int_equal(vault_resident__start(&again, (size_t)1 << 40), VAULT_ERROR);
	assert_null(again);
	assert_non_null(strstr(vault_error_message(), "watched already"));
	vault_resident__stop(r);
	assert_int_equal(vault_resident__start(&again, (size_t)1 << 40), 0);
	vault_resident__stop(again);
}

/* Two starts at once, meeting at a barrier: one watch, the other refused. */
static pthread_barrier_t at_once;

static void *start_at_once(void *arg)
{
	vault_resident **out = arg;

	pthread_barrier_wait(&at_once);
	return (void *)(intptr_t)vault_resident__start(out, (size_t)1 << 40);
}

static void two_starts_at_once(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 200; round++) {
		vault_resident *r[2] = { NULL, NULL };
		pthread_t t[2];
		void *ret[2];
		int i, started = 0;

		assert_int_equal(pthread_barrier_init(&at_once, NULL, 2), 0);
		for (i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&t[i], NULL, start_at_once, &r[i]), 0);
		for (i = 0; i < 2; i++) {
			assert_int_equal(pthread_join(t[i], &ret[i]), 0);
			started += (intptr_t)ret[i] == 0;
			assert_true((intptr_t)ret[i] == 0 ? r[i] != NULL :
				    (intptr_t)ret[i] == VAULT_ERROR && r[i] == NULL);
		}
		pthread_barrier_destroy(&at_once);
		vault_resident__stop(r[0]);
		vault_resident__stop(r[1]);
		assert_int_equal(started, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drops_only_pack_mappings),
		cmocka_unit_test(drops_past_target),
		cmocka_unit_test(kept_pages_cost_one_drop),
		cmocka_unit_test(pages_gone_lower_the_base),
		cmocka_unit_test(libraries_bind_munmap_here),
		cmocka_unit_test(one_watch_at_a_time),
		cmocka_unit_test(two_starts_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
