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

/* How many packs the repository has (the .pack files of objects/pack). */
static int count_packs(size_t *count, vault *v)
{
	char dir[4200];
	struct dirent *e;
	DIR *d;

	*count = 0;
	if (vault__fmt(dir, sizeof(dir), "pack folder", "%sobjects/pack",
		       git_repository_path(vault_store__repo(v->store))) < 0)
		return VAULT_ERROR;
	if ((d = opendir(dir)) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".pack") == 0)
			(*count)++;
	}
	closedir(d);
	return 0;
}

/* The threshold from git config qvault.gcPacks: 0 never, else repack past it. */
static int gc_threshold(size_t *out, vault *v)
{
	git_config *cfg = NULL;
	int32_t n = VAULT_GC_PACKS;
	int error;

	*out = VAULT_GC_PACKS;
	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	error = git_config_get_int32(&n, cfg, "qvault.gcPacks");
	git_config_free(cfg);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0 || n < 0 || n > 100000)
		return vault_error__set(VAULT_EINVALID,
			"git config qvault.gcPacks must be a number of packs from 0 (never) to 100000");
	*out = (size_t)n;
	return 0;
}

/* git repack: everything into one pack (full), or geometrically */
static int repack(vault *v, int full)
{
	const char *gitdir = git_repository_path(vault_store__repo(v->store));
	const char *const all[] = { "git", "--git-dir", gitdir, "repack", "-a", "-d", "-k", "-q", NULL };
	const char *const geometric[] = { "git", "--git-dir", gitdir, "repack", "--geometric=2", "-d",
					  "-q", NULL };
	const char *const *argv = full ? all : geometric;
	char objects[4200];
	/*
	 * The vault's own settings and objects only: no user's or system's
	 * git config, no object folder of a hook's environment.
	 */
	const char *const env[] = { "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", objects, NULL };
	vault_sshtool_cmd c = { argv, env, NULL, 0, NULL, 1 << 20, GC_TIMEOUT };
	vault_buf out = VAULT_BUF_INIT;
	git_odb *odb;
	char err[256];
	int status, error;

	if (vault__fmt(objects, sizeof(objects), "object folder", "GIT_OBJECT_DIRECTORY=%sobjects",
		       gitdir) < 0)
		return VAULT_ERROR;
	error = vault_sshtool__run(&out, err, sizeof(err), &status, &c);
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

static int gc(size_t *before, size_t *after, vault *v, int full)
{
	char marker[4200];
	int locked = v->lock_fd >= 0, error;

	*before = *after = 0;
	if (!locked && (error = vault__lock(v)) < 0)
		return error;
	if ((error = count_packs(before, v)) == 0 && (error = repack(v, full)) == 0 &&
	    (error = count_packs(after, v)) == 0 &&
	    vault__fmt(marker, sizeof(marker), "gc marker", "%s/" GC_FAILED, v->qdir) == 0)
		unlink(marker); /* repacked: the automatic one may run again */
	if (!locked)
		vault__unlock(v);
	return error;
}

int vault_gc(size_t *before, size_t *after, vault *v)
{
	return gc(before, after, v, 1);
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
	size_t threshold, before, after;
	char marker[4200];
	int error, fd;

	*packs = 0;
	if ((error = gc_threshold(&threshold, v)) < 0 || threshold == 0 ||
	    (error = count_packs(&before, v)) < 0 ||
	    (before <= threshold && loose_estimate(v) <= VAULT_GC_LOOSE) ||
	    backing_off(v, marker, sizeof(marker)))
		return error;
	if ((error = gc(&before, &after, v, 0)) == 0)
		*packs = before;
	else if ((fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) >= 0)
		close(fd); /* the next writes leave it be for a while */
	return error;
}
