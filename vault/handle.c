/*
 * handle.c - what every write and read of a vault shares: the lock, the
 * index kept up with the branch, publishing a commit, the settings, the
 * content detector and the site's limits.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "record.h"
#include "util.h"

#define INDEX_FILE "index.db"
#define LOCK_FILE "lock"

static int other_owner_ok, small_memory;

void vault_keep_memory_small(void)
{
	small_memory = 1;
}

void vault_allow_other_owner(void)
{
	other_owner_ok = 1;
}

int vault__git_start(void)
{
	if (git_libgit2_init() < 0)
		return vault_error__git(VAULT_ERROR, "cannot start libgit2");
	if (other_owner_ok)
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* libgit2 leaves fsync off; a record keeper wants it on */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/* map packs in small windows under a small cap: a reindex of a
	 * 200 MB pack then costs 32 MB of address space, not 200 */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)4 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)32 << 20);
	/* keep trees up to 64 MB in the object cache (libgit2 keeps only small
	 * ones by default): walking history reads each commit's trees as the
	 * next one's parent trees, and a folder of many records (a PO's
	 * status/, a revision's acks/) is looked into once per record; a
	 * tree read again for each lookup makes that work quadratic */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)64 << 20);
	if (small_memory) {
		/* a server's handles, many and long-lived: objects decoded are
		 * kept for 16 MB in all (libgit2 keeps 256), packs mapped for 16 */
		git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)16 << 20);
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)16 << 20);
	}
	return 0;
}

int vault__need_store(vault *v)
{
	int error;

	if (v->store)
		return 0;
	if ((error = vault__git_start()) < 0)
		return error;
	v->git = 1;
	return vault_store__open(&v->store, v->path);
}

void vault__warn(vault *v, const char *fmt, ...)
{
	vault_buf msg = VAULT_BUF_INIT;
	va_list ap;
	int error;

	if (!v->warn)
		return;
	va_start(ap, fmt);
	error = vault_buf__vaddf(&msg, fmt, ap);
	va_end(ap);
	/* a warning that cannot be formatted says what it was about */
	v->warn(error < 0 ? vault_error_message() : vault_buf__str(&msg), v->warn_payload);
	vault_buf__dispose(&msg);
}

int vault__config(vault_config *cfg, vault *v, git_commit *head)
{
	git_tree *tree;
	char *data;
	size_t len;
	int error;

	if (git_commit_tree(&tree, head) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
	error = vault_store__read_path(&data, &len, v->store, tree, VAULT_CONFIG_FILE);
	git_tree_free(tree);
	if (error < 0)
		return error == VAULT_ENOTFOUND ?
			vault_error__set(VAULT_ENOTFOUND, "'%s' is not a vault", v->path) :
			error;
	error = vault_config__parse(cfg, data, len);
	free(data);
	return error;
}

int vault__detector(vault_detect **out, vault *v)
{
	int error;

	if (!v->detect && (error = vault_detect__new(&v->detect)) < 0)
		return error;
	*out = v->detect;
	return 0;
}

static int index_path(char *buf, size_t size, const vault *v)
{
	return vault__fmt(buf, size, "index path", "%s/" INDEX_FILE, v->qdir);
}

/* Delete the index and its WAL companions. */
static void remove_index(const vault *v)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4200];
	size_t i;

	for (i = 0; i < 3; i++)
		if (vault__fmt(path, sizeof(path), "path", "%s/" INDEX_FILE "%s", v->qdir,
			       suffix[i]) == 0)
			unlink(path);
}

/* Open the index; if it is unusable and the vault writable, rebuild it. */
int vault__open_index(vault *v)
{
	char path[4200];
	int error;

	if ((error = index_path(path, sizeof(path), v)) < 0)
		return error;
	error = vault_index__open(&v->index, path, v->readonly, v->kinds);
	if (error == VAULT_EVERIFY && !v->readonly) {
		vault__warn(v, "the index was unreadable (%s); rebuilding it from the repository",
			    vault_error_message());
		remove_index(v);
		error = vault_index__open(&v->index, path, 0, v->kinds);
	}
	return error;
}

int vault__open_index_if_current(vault *v)
{
	char path[4200], tip[41], reflects[41];
	struct stat st;

	/* a repository of another owner is libgit2's to refuse or allow
	 * (safe.directory), as it would when opening it */
	if (stat(v->path, &st) < 0 || (st.st_uid != geteuid() && !other_owner_ok))
		return 1;
	if (vault_store__branch_file(tip, v->path) != 0 ||
	    index_path(path, sizeof(path), v) < 0 || access(path, F_OK) != 0)
		return 1;
	if (vault_index__open(&v->index, path, v->readonly, v->kinds) == 0 &&
	    vault_index__reflects(reflects, v->index) == 0 && strcmp(reflects, tip) == 0)
		return 0;
	vault_index__free(v->index);
	v->index = NULL;
	return 1;
}

/*
 * The index rebuilt whole: beside it, in a scratch index, and copied over
 * it once whole (vault_index__replace).  Emptied in place, an index
 * SQLite finds damaged failed on its damaged pages; and this way a
 * history that cannot be indexed leaves it as it was, and a process that
 * has it open reads the new one.
 */
static int rebuild_beside(vault *v)
{
	vault_index *fresh = NULL;
	int error;

	if ((error = vault_index__open(&fresh, "", 0, v->kinds)) == 0) {
		vault_index__set_progress(fresh, &v->progress);
		if ((error = vault_index__catch_up(fresh, v->store, 1)) == 0)
			error = vault_index__replace(v->index, fresh);
	}
	vault_index__free(fresh);
	return error;
}

/* Bring the index up to the branch if it lags (whole, with `full`). */
int vault__heal(vault *v, int full)
{
	git_commit *head;
	char reflects[41], hex[41];
	int error;

	if ((error = vault_store__head(&head, v->store)) < 0)
		return error == VAULT_ENOTFOUND ?
			vault_error__set(VAULT_ENOTFOUND, "'%s' is not a vault", v->path) :
			error;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(head));
	git_commit_free(head);
	if ((error = vault_index__reflects(reflects, v->index)) < 0) {
		/* damaged where it says what it reflects: built anew */
		if (error != VAULT_EVERIFY || v->readonly)
			return error;
		vault__warn(v, "the index was unreadable (%s); rebuilding it from the repository",
			    vault_error_message());
		full = 1;
	} else if (!full && strcmp(reflects, hex) == 0) {
		return 0;
	}
	if (v->readonly)
		return vault_error__set(VAULT_EDENIED,
			"the index of read-only vault '%s' is behind its history", v->path);
	return full ? rebuild_beside(v) : vault_index__catch_up(v->index, v->store, 0);
}

int vault__lock(vault *v)
{
	char path[4200];

	if (v->lock_fd >= 0)
		return 0;
	if (v->readonly)
		return vault_error__set(VAULT_EDENIED, "vault '%s' is read-only", v->path);
	if (vault__fmt(path, sizeof(path), "lock path", "%s/" LOCK_FILE, v->qdir) < 0)
		return VAULT_ERROR;
	v->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (v->lock_fd < 0)
		return errno == EROFS || errno == EACCES ?
			vault_error__set(VAULT_EDENIED, "vault '%s' is read-only", v->path) :
			vault_error__errno(VAULT_ERROR, "cannot open '%s'", path);
	while (flock(v->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int error = vault_error__errno(VAULT_ERROR, "cannot lock '%s'", path);

			vault__unlock(v);
			return error;
		}
	}
	/* another writer may have committed while we waited */
	if (v->index) {
		int error = vault__heal(v, 0);

		if (error < 0) {
			vault__unlock(v);
			return error;
		}
	}
	return 0;
}

void vault__unlock(vault *v)
{
	if (v->lock_fd < 0)
		return;
	close(v->lock_fd); /* drops the flock */
	v->lock_fd = -1;
}

int vault__publish(vault *v, git_commit *parent, const git_oid *commit,
		   const vault_revision *revs, size_t nrevs)
{
	git_commit *c;
	int recovered = 0, error;

	error = vault_store__advance(v->store, parent ? git_commit_id(parent) : NULL,
				     commit, &recovered);
	if (recovered)
		vault__warn(v, "removed a ref lock left by an interrupted writer");
	if (error < 0) {
		git_commit *head = NULL;
		int moved = vault_store__head(&head, v->store) == 0 &&
			git_oid_equal(git_commit_id(head), commit);

		git_commit_free(head);
		if (!moved)
			return error;
		/* the branch did move (a sync after the rename failed): the
		 * operation is visible to every reader, so it is done; say so */
		vault__warn(v, "recorded, but the branch's folder could not be synced (%s)",
			    vault_error_message());
	}
	/* the commit is durable now: the operation is done.  The index follows;
	 * if that fails (a full disk, an I/O error) or this process dies here,
	 * the next command heals it from the repository. */
	if (!revs) {
		error = vault_index__catch_up(v->index, v->store, 0);
	} else if (git_commit_lookup(&c, vault_store__repo(v->store), commit) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read the new commit");
	} else {
		error = vault_index__record_written(v->index, v->store, c, revs, nrevs);
		git_commit_free(c);
	}
	if (error < 0)
		vault__warn(v, "recorded, but the index could not follow (%s); the next command"
			    " brings it up to date", vault_error_message());
	return 0;
}

int vault_reindex(vault *v)
{
	int error;

	if ((error = vault__lock(v)) < 0)
		return error;
	error = vault__heal(v, 1);
	vault__unlock(v);
	return error;
}

/* ---- limits ---------------------------------------------------------------- */

int vault__limit(uint64_t *out, vault *v, const char *key, uint64_t def)
{
	git_config *cfg = NULL;
	int64_t n = 0;
	int error;

	*out = def;
	if ((error = vault__need_store(v)) < 0)
		return error;
	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the git config of the vault");
	error = git_config_get_int64(&n, cfg, key);
	git_config_free(cfg);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return vault_error__git(VAULT_EINVALID, "git config %s", key);
	if (n <= 0)
		return vault_error__set(VAULT_EINVALID,
			"git config %s is %lld: a limit is a number above 0", key, (long long)n);
	*out = (uint64_t)n;
	return 0;
}

int vault__upload_limit(uint64_t *out, char *key, size_t size, vault *v, const char *type)
{
	int error;

	if (type && vault_record__type_known(type)) {
		git_config *cfg = NULL;
		git_config_entry *e = NULL;

		if ((error = vault__need_store(v)) < 0)
			return error;
		if ((error = vault__fmt(key, size, "the limit's key", "qvault.%s.maxUpload",
					type)) < 0)
			return error;
		if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
			return vault_error__git(VAULT_ERROR, "cannot read the git config of the vault");
		error = git_config_get_entry(&e, cfg, key);
		git_config_entry_free(e);
		git_config_free(cfg);
		if (error == 0)
			return vault__limit(out, v, key, VAULT_CFG_UPLOAD_DEFAULT);
	}
	if ((error = vault__fmt(key, size, "the limit's key", "%s", VAULT_CFG_UPLOAD)) < 0)
		return error;
	return vault__limit(out, v, VAULT_CFG_UPLOAD, VAULT_CFG_UPLOAD_DEFAULT);
}

int vault__expiry_days(unsigned *out, vault *v)
{
	git_config *cfg = NULL;
	int32_t days = VAULT_EXPIRY_DAYS;
	int error;

	*out = VAULT_EXPIRY_DAYS;
	if ((error = vault__need_store(v)) < 0)
		return error;
	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the git config of the vault");
	error = git_config_get_int32(&days, cfg, "qvault.expiryDays");
	git_config_free(cfg);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0 || days < 0 || days > 3650)
		return vault_error__set(VAULT_EINVALID,
			"git config qvault.expiryDays must be a number of days from 0 to 3650");
	*out = (unsigned)days;
	return 0;
}

int vault_limit_check(uint64_t *limit, vault *v, vault_limit_kind kind, const char *type,
		      const char *subject, uint64_t size)
{
	char key[VAULT_NAME_MAX + 32];
	const char *name = key;
	int error;

	switch (kind) {
	case VAULT_LIMIT_IMPORT:
		name = VAULT_CFG_IMPORT_BYTES;
		error = vault__limit(limit, v, name, VAULT_CFG_IMPORT_BYTES_DEFAULT);
		break;
	case VAULT_LIMIT_STATEMENT:
		name = VAULT_CFG_STATEMENT;
		error = vault__limit(limit, v, name, VAULT_CFG_STATEMENT_DEFAULT);
		break;
	default:
		error = vault__upload_limit(limit, key, sizeof(key), v, type);
		break;
	}
	if (error < 0)
		return error;
	if (size > *limit)
		return vault_error__set(VAULT_EINVALID,
			"%s is larger than the limit of %llu bytes (git config %s)", subject,
			(unsigned long long)*limit, name);
	return 0;
}
