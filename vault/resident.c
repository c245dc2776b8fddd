/*
 * resident.c - a long read of the packs without the packs in memory
 * (resident.h).
 *
 * A thread wakes every TICK_MS, and a reading thread looks once in
 * TICK_READS vault_resident__tick()s, at the process's resident pages
 * from /proc/self/statm (its second field; the third, those backed by a
 * file or shared memory).  Past the target, and with those more than
 * the fewest since the last drop by MIN_DROP, it walks /proc/self/maps
 * and advises away every shared read-only mapping of a pack (not of a
 * pack index: resident.h), holding maps_lock, which munmap() below waits
 * for.  The target is the whole resident set, not the packs' share of
 * it: the more the rest leaves, the rarer the drops, each of which costs
 * the pages read again after it (a read maps 64 KB around each fault, so
 * reads of small objects here and there fill any share fast).
 */
#include "resident.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "vault.h"

/* how often the resident pages are looked at: at the few hundred MB a
 * second verify reads, a MB or two past the target when it is not kept
 * waiting for a core */
#define TICK_MS 2
/* a reading thread looks at the resident pages once in this many
 * vault_resident__tick()s: a thread late to wake on a busy machine let
 * the peak pass the target by tens of MB, reads do not wait for a core
 * (a look at every read, measured at 1,000,005 revisions: 1,439 s of
 * CPU, where the caps took 999 and a thread alone 868, and a peak of
 * 149 MiB, still past 128: vault/README.md) */
#define TICK_READS 64
/* file pages gained since the last drop below which a drop would free
 * too little to be worth the pages read again after it */
#define MIN_DROP ((size_t)8 << 20)

struct vault_resident {
	pthread_t thread;
	pthread_mutex_t lock;  /* over stop, for the thread's wait */
	pthread_cond_t wake;   /* signalled to stop */
	int stop;
	int statm;             /* /proc/self/statm, open */
	size_t page;
	size_t target;         /* the resident set to keep under, in bytes */
	size_t base;           /* bytes of file pages after the last drop, or since */
	size_t drops;
};

/*
 * The thread of the process that drops, for vault_resident__tick (one at
 * a time, claimed in `watched` from start to stop); the lock is held
 * while either is looked at or set, and over each check and drop, the
 * thread's or a tick's.
 */
static pthread_mutex_t tick_lock = PTHREAD_MUTEX_INITIALIZER;
static int watched;                        /* a start not yet stopped */
static vault_resident *ticking;
static atomic_int tick_on;                 /* whether `ticking` is set: a hint */
static _Thread_local unsigned tick_count;

/* Held (to write) by a drop, (to read) by every munmap() of the process. */
static pthread_rwlock_t maps_lock = PTHREAD_RWLOCK_INITIALIZER;
static int (*next_munmap)(void *, size_t);
static pthread_once_t next_once = PTHREAD_ONCE_INIT;

static void find_next_munmap(void)
{
	next_munmap = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
}

/* A forked child has no drop under way: a lock held at the fork is not. */
static void after_fork_child(void)
{
	pthread_rwlock_init(&maps_lock, NULL);
}

/* found at start-up, not in the middle of some library's unmap */
__attribute__((constructor)) static void resident_init(void)
{
	pthread_once(&next_once, find_next_munmap);
	pthread_atfork(NULL, NULL, after_fork_child);
}

/*
 * The process's munmap: the next one (the C library's), once no drop is
 * under way, so that no mapping a drop read of is gone before the drop
 * is over (resident.h).  Called by the dropping thread itself (a
 * sanitizer's report), it does not wait for itself.
 */
int munmap(void *addr, size_t len)
{
	int locked, ret;

	pthread_once(&next_once, find_next_munmap);
	locked = pthread_rwlock_rdlock(&maps_lock) == 0;
	ret = next_munmap ? next_munmap(addr, len) : (int)syscall(SYS_munmap, addr, len);
	if (locked)
		pthread_rwlock_unlock(&maps_lock);
	return ret;
}

/* The process's resident pages and those of files or shared memory, in bytes; -1 when unreadable. */
static int resident(const vault_resident *r, size_t *all, size_t *file)
{
	char buf[256];
	unsigned long long size, res, shared;
	ssize_t n = pread(r->statm, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu %llu", &size, &res, &shared) != 3)
		return -1;
	*all = (size_t)res * r->page;
	*file = (size_t)shared * r->page;
	return 0;
}

static int ends_with(const char *s, size_t len, const char *end)
{
	size_t n = strlen(end);

	return len >= n && memcmp(s + len - n, end, n) == 0;
}

/*
 * Whether a line of /proc/self/maps names a read-only shared mapping of
 * a file pack-*.pack in a folder objects/pack (deleted since, by a
 * repack, and still mapped, too), and where it is.
 */
static int pack_mapping(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	static const char folder[] = "/objects/pack/";
	const size_t fl = sizeof(folder) - 1;
	unsigned long long a, b;
	char perms[5];
	int at = 0;
	const char *path, *name;
	size_t len;

	if (sscanf(line, "%llx-%llx %4s %*s %*s %*s %n", &a, &b, perms, &at) != 3 || at == 0 ||
	    strcmp(perms, "r--s") != 0 || b <= a)
		return 0;
	path = line + at;
	len = strcspn(path, "\n");
	if (ends_with(path, len, " (deleted)"))
		len -= strlen(" (deleted)");
	if (path[0] != '/' || (name = memrchr(path, '/', len)) == NULL)
		return 0;
	name++;
	if ((size_t)(name - path) < fl || memcmp(name - fl, folder, fl) != 0 ||
	    strncmp(name, "pack-", 5) != 0 || !ends_with(path, len, ".pack"))
		return 0;
	*lo = (uintptr_t)a;
	*hi = (uintptr_t)b;
	return 1;
}

/* Advise away the pages of every pack mapping, no mapping going
 * meanwhile; the file pages left are the base of the next. */
static void drop(vault_resident *r)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	char *line = NULL;
	size_t cap = 0;
	uintptr_t lo, hi;
	size_t all, file;

	if (!maps)
		return;
	pthread_rwlock_wrlock(&maps_lock);
	while (getline(&line, &cap, maps) > 0)
		if (pack_mapping(line, &lo, &hi))
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	pthread_rwlock_unlock(&maps_lock);
	free(line);
	fclose(maps);
	r->drops++;
	if (resident(r, &all, &file) == 0)
		r->base = file;
}

/*
 * Whether the resident set is past the target with pack pages to drop.
 * File pages that went since the last drop (a mapping gone, a pack index
 * libgit2 let go) lower the base: what comes in their place is new.
 */
static int over(vault_resident *r)
{
	size_t all, file;

	if (resident(r, &all, &file) < 0)
		return 0;
	if (file < r->base)
		r->base = file;
	return all > r->target && file > r->base + MIN_DROP;
}

static void *run(void *arg)
{
	vault_resident *r = arg;
	struct timespec at;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += TICK_MS * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->wake, &r->lock, &at);
		if (r->stop)
			break;
		pthread_mutex_unlock(&r->lock);
		pthread_mutex_lock(&tick_lock);
		if (over(r))
			drop(r);
		pthread_mutex_unlock(&tick_lock);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void unclaim(void)
{
	pthread_mutex_lock(&tick_lock);
	watched = 0;
	pthread_mutex_unlock(&tick_lock);
}

void vault_resident__tick(void)
{
	if (!atomic_load_explicit(&tick_on, memory_order_relaxed) || ++tick_count % TICK_READS != 0)
		return;
	/* another thread is checking or dropping: nothing to add */
	if (pthread_mutex_trylock(&tick_lock) != 0)
		return;
	if (ticking && over(ticking))
		drop(ticking);
	pthread_mutex_unlock(&tick_lock);
}

int vault_resident__start(vault_resident **out, size_t target)
{
	vault_resident *r;
	pthread_condattr_t attr;
	long page = sysconf(_SC_PAGESIZE);
	size_t all;
	int error;

	*out = NULL;
	/* claimed here, not when the thread runs: two starts at once in one
	 * process, the second is refused */
	pthread_mutex_lock(&tick_lock);
	error = watched;
	watched = 1;
	pthread_mutex_unlock(&tick_lock);
	if (error)
		return vault_error__set(VAULT_ERROR, "the packs' pages are watched already");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		abort();
	r->page = page > 0 ? (size_t)page : 4096;
	r->target = target;
	if ((r->statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0 ||
	    resident(r, &all, &r->base) < 0 || access("/proc/self/maps", R_OK) != 0) {
		if (r->statm >= 0)
			close(r->statm);
		free(r);
		unclaim();
		return vault_error__set(VAULT_ENOTFOUND, "cannot read /proc/self");
	}
	/* what the packs hold already (the handle's own reads) goes first */
	drop(r);
	r->drops = 0;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &attr);
	pthread_condattr_destroy(&attr);
	if ((error = pthread_create(&r->thread, NULL, run, r)) != 0) {
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		close(r->statm);
		free(r);
		unclaim();
		return vault_error__set(VAULT_ERROR, "cannot start a thread: %s", strerror(error));
	}
	pthread_mutex_lock(&tick_lock);
	ticking = r;
	atomic_store(&tick_on, 1);
	pthread_mutex_unlock(&tick_lock);
	*out = r;
	return 0;
}

size_t vault_resident__drops(vault_resident *r)
{
	size_t drops;

	pthread_mutex_lock(&tick_lock);
	drops = r->drops;
	pthread_mutex_unlock(&tick_lock);
	return drops;
}

size_t vault_resident__stop(vault_resident *r)
{
	size_t drops;

	if (!r)
		return 0;
	pthread_mutex_lock(&tick_lock);
	ticking = NULL;
	atomic_store(&tick_on, 0);
	pthread_mutex_unlock(&tick_lock);
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	close(r->statm);
	drops = r->drops;
	free(r);
	unclaim();
	return drops;
}

/* defined by the sanitizers' runtime, when the build has one */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

size_t vault_resident__heap(void)
{
	char buf[128];
	unsigned long long size, resident, shared;
	ssize_t n;
	int fd;

	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3 || shared > resident)
		return 0;
	return (size_t)(resident - shared) * (size_t)sysconf(_SC_PAGESIZE);
}
