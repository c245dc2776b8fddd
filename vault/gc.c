/*
 * gc.c - repacking the repository.  Every write adds objects (loose, or
 * a pack for an import), and a vault of many writes has many packs, each
 * of which a lookup may search (a write's check that an object is new
 * searches them all).  It runs stock git, which does this safely for
 * readers and is maintained with the pack format, rather than
 * re-implementing it on libgit2's packbuilder, in one of two ways:
 *
 * - by hand (qvault gc, vault_gc): everything in one pack, `git repack
 *   -a -d -k -q` (-k keeps what no ref reaches yet, such as a pack a push
 *   from another site is moving in, which takes no lock of ours).  It
 *   reads and writes the whole repository, the best pack for reading and
 *   the smallest on disk: an administrator's choice, at a quiet hour.
 * - after a write, past git config qvault.gcPacks packs (vault__gc_auto):
 *   `git repack --geometric=2 -d -q`, which rolls the smallest packs and
 *   every loose object into one, as few as keep each pack at least twice
 *   the objects of the next smaller, and leaves the large ones alone.  A
 *   full repack there would rewrite the whole history every gcPacks
 *   writes (a 10,000,000-revision vault is 15 GB: quadratic); rolled up
 *   geometrically an object is rewritten about log2(writes) times in
 *   its life, and the packs stay about log2(objects) many.  Git takes
 *   no -a nor -A with it, and needs no -k: it packs every object of the
 *   packs it rolls up and every loose one, reachable or not, so it never
 *   drops what a push moving in has written (t0099 checks a stray).
 *
 * Either way a reader that has a pack open keeps reading it (the file
 * stays until it is closed), and one that misses an object looks at the
 * packs again (libgit2 and git both do).  It runs under the vault's
 * lock, so no write and no pull is under way; a pull's quarantine lives
 * in qvault/, out of git's reach.  History is not changed: the same
 * objects, in fewer files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "common.h"
#include "error.h"
#include "gc.h"
#include "sshtool.h"
#include "util.h"

#define GC_TIMEOUT 3600 /* seconds: a repack of a large vault is long, never endless */
#define GC_BACKOFF 3600 /* seconds a write waits before trying again after a failed repack */
#define GC_FAILED "gc.failed" /* in qvault/: when the last automatic repack failed */

/*
 * The objects in a pack, from its index (the last entry of the fan-out
 * table: at 8 bytes in a version 2 index, at 0 in a version 1 one); 0
 * when the index cannot be read (a pack still being moved in).
 */
static uint32_t pack_objects(const char *dir, const char *pack)
{
	unsigned char head[8 + 256 * 4];
	char path[4400];
	size_t at;
	ssize_t got;
	int fd;

	if (vault__fmt(path, sizeof(path), "pack index", "%s/%.*s.idx", dir,
		       (int)(strlen(pack) - 5), pack) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	got = read(fd, head, sizeof(head));
	close(fd);
	at = got >= 4 && memcmp(head, "\377tOc", 4) == 0 ? 8 : 0;
	if (got < (ssize_t)(at + 256 * 4))
		return 0;
	at += 255 * 4;
	return (uint32_t)head[at] << 24 | (uint32_t)head[at + 1] << 16 |
	       (uint32_t)head[at + 2] << 8 | head[at + 3];
}

/*
 * The packs of objects/pack: *count of them, *small those of fewer than
 * `cap` objects (cap 0: all), and when `keep` is not NULL, an argument
 * --keep-pack=NAME for each of the others (*nkeep of them; freed by the
 * caller, each and the array).
 */
static int scan_packs(size_t *count, size_t *small, char ***keep, size_t *nkeep, size_t cap,
		      vault *v)
{
	char dir[4200];
	struct dirent *e;
	DIR *d;
	int error = 0;

	*count = *small = 0;
	if (keep) {
		*keep = NULL;
		*nkeep = 0;
	}
	if (vault__fmt(dir, sizeof(dir), "pack folder", "%sobjects/pack",
		       git_repository_path(vault_store__repo(v->store))) < 0)
		return VAULT_ERROR;
	if ((d = opendir(dir)) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char arg[300];

		if (len <= 5 || strcmp(e->d_name + len - 5, ".pack") != 0)
			continue;
		(*count)++;
		if (cap == 0 || pack_objects(dir, e->d_name) < cap) {
			(*small)++;
			continue;
		}
		if (!keep)
			continue;
		if ((error = vault__fmt(arg, sizeof(arg), "pack name", "--keep-pack=%s",
					e->d_name)) < 0)
			break;
		if ((*keep = realloc(*keep, (*nkeep + 1) * sizeof(**keep))) == NULL)
			abort();
		(*keep)[(*nkeep)++] = vault__strdup(arg);
	}
	closedir(d);
	return error;
}

static int count_packs(size_t *count, vault *v)
{
	size_t small;

	return scan_packs(count, &small, NULL, NULL, 0, v);
}

/* The *.pack files in folder `dir` (0 when it cannot be read). */
static size_t packs_in(const char *dir)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".pack") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Add the packs of objects folder `objects` to *count. */
static int add_packs_of(const char *objects, void *count)
{
	char dir[8400];
	int len = snprintf(dir, sizeof(dir), "%s/pack", objects);

	if (len > 0 && (size_t)len < sizeof(dir))
		*(size_t *)count += packs_in(dir);
	return 0;
}

size_t vault__pack_count(vault *v)
{
	char objects[4200];
	size_t n = 0;
	int len = snprintf(objects, sizeof(objects), "%sobjects",
			   git_repository_path(vault_store__repo(v->store)));

	if (len < 0 || (size_t)len >= sizeof(objects))
		return 0;
	add_packs_of(objects, &n);
	/* a pull's check reads the vault's packs through its alternates */
	vault_store__alternates(objects, add_packs_of, &n);
	return n;
}

/* git config `key` as a number from 0 to `max`, `dflt` when unset */
static int config_number(size_t *out, git_config *cfg, const char *key, int32_t dflt, int32_t max,
			 const char *what)
{
	int32_t n = dflt;
	int error = git_config_get_int32(&n, cfg, key);

	*out = (size_t)dflt;
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0 || n < 0 || n > max)
		return vault_error__set(VAULT_EINVALID, "git config %s must be %s", key, what);
	*out = (size_t)n;
	return 0;
}

/*
 * The threshold from git config qvault.gcPacks (0 never, else repack past
 * it) and the packs left alone from qvault.gcPackObjects (0: none).
 */
static int gc_settings(size_t *threshold, size_t *cap, vault *v)
{
	git_config *cfg = NULL;
	int error;

	*threshold = VAULT_GC_PACKS;
	*cap = VAULT_GC_PACK_OBJECTS;
	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	if ((error = config_number(threshold, cfg, "qvault.gcPacks", VAULT_GC_PACKS, 100000,
				   "a number of packs from 0 (never) to 100000")) == 0)
		error = config_number(cap, cfg, "qvault.gcPackObjects", VAULT_GC_PACK_OBJECTS,
				      INT32_MAX, "a number of objects, 0 for no limit");
	git_config_free(cfg);
	return error;
}

/*
 * git repack: everything into one pack (full), or geometrically, the
 * packs `keep` names (--keep-pack=NAME, nkeep of them) left alone.
 */
static int repack(vault *v, int full, char *const *keep, size_t nkeep)
{
	const char *gitdir = git_repository_path(vault_store__repo(v->store));
	const char *const all[] = { "git", "--git-dir", gitdir, "repack", "-a", "-d", "-k", "-q", NULL };
	const char *const geometric[] = { "git", "--git-dir", gitdir, "repack", "--geometric=2", "-d",
					  "-q" };
	const size_t ng = sizeof(geometric) / sizeof(*geometric);
	const char **argv = calloc(ng + nkeep + 1, sizeof(*argv));
	char objects[4200];
	/*
	 * The vault's own settings and objects only: no user's or system's
	 * git config, no object folder of a hook's environment.
	 */
	const char *const env[] = { "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", objects, NULL };
	vault_sshtool_cmd c = { full ? all : argv, env, NULL, 0, NULL, 1 << 20, GC_TIMEOUT };
	vault_buf out = VAULT_BUF_INIT;
	git_odb *odb;
	char err[256];
	int status, error;
	size_t i;

	if (!argv)
		abort();
	for (i = 0; i < ng; i++)
		argv[i] = geometric[i];
	for (i = 0; i < nkeep; i++)
		argv[ng + i] = keep[i];
	if (vault__fmt(objects, sizeof(objects), "object folder", "GIT_OBJECT_DIRECTORY=%sobjects",
		       gitdir) < 0) {
		free(argv);
		return VAULT_ERROR;
	}
	error = vault_sshtool__run(&out, err, sizeof(err), &status, &c);
	free(argv);
	vault_buf__dispose(&out);
	if (error == VAULT_ENOTFOUND)
		return vault_error__set(VAULT_ENOTFOUND, "cannot repack: git is not installed");
	if (error < 0)
		return error;
	if (status != 0)
		return vault_error__set(VAULT_ERROR, "git repack failed%s%s",
					err[0] ? ": " : "", err);
	/* libgit2 finds the new pack, and forgets the old, on its next look */
	if (git_repository_odb(&odb, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the repacked objects");
	error = git_odb_refresh(odb) < 0 ?
		vault_error__git(VAULT_ERROR, "cannot read the repacked objects") : 0;
	git_odb_free(odb);
	return error;
}

static int gc(size_t *before, size_t *after, vault *v, int full, char *const *keep, size_t nkeep)
{
	char marker[4200];
	int locked = v->lock_fd >= 0, error;

	*before = *after = 0;
	if (!locked && (error = vault__lock(v)) < 0)
		return error;
	if ((error = count_packs(before, v)) == 0 && (error = repack(v, full, keep, nkeep)) == 0 &&
	    (error = count_packs(after, v)) == 0 &&
	    vault__fmt(marker, sizeof(marker), "gc marker", "%s/" GC_FAILED, v->qdir) == 0)
		unlink(marker); /* repacked: the automatic one may run again */
	if (!locked)
		vault__unlock(v);
	return error;
}

int vault_gc(size_t *before, size_t *after, vault *v)
{
	return gc(before, after, v, 1, NULL, 0);
}

/* Loose objects, estimated as git gc --auto does: those of objects/17, times 256. */
static size_t loose_estimate(vault *v)
{
	char dir[4200];
	struct dirent *e;
	size_t count = 0;
	DIR *d;

	if (vault__fmt(dir, sizeof(dir), "object folder", "%sobjects/17",
		       git_repository_path(vault_store__repo(v->store))) < 0 ||
	    (d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		count += strlen(e->d_name) == 38;
	closedir(d);
	return count * 256;
}

/* Whether an automatic repack failed less than GC_BACKOFF seconds ago. */
static int backing_off(vault *v, char *marker, size_t size)
{
	struct stat st;

	if (vault__fmt(marker, size, "gc marker", "%s/" GC_FAILED, v->qdir) < 0)
		return 1;
	return stat(marker, &st) == 0 && time(NULL) - st.st_mtime < GC_BACKOFF;
}

int vault__gc_auto(size_t *packs, vault *v)
{
	size_t threshold, cap, before, small, after, nkeep = 0, i;
	char marker[4200], **keep = NULL;
	int error, fd;

	*packs = 0;
	/* the packs it may roll up are those under the cap: the others stay */
	if ((error = gc_settings(&threshold, &cap, v)) < 0 || threshold == 0 ||
	    (error = scan_packs(&before, &small, &keep, &nkeep, cap, v)) < 0 ||
	    (small <= threshold && loose_estimate(v) <= VAULT_GC_LOOSE) ||
	    backing_off(v, marker, sizeof(marker)))
		goto done;
	if ((error = gc(&before, &after, v, 0, keep, nkeep)) == 0)
		*packs = before;
	else if ((fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) >= 0)
		close(fd); /* the next writes leave it be for a while */
done:
	for (i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	return error;
}
