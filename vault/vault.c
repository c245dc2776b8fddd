#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "error.h"
#include "sign.h"
#include "user.h"
#include "record.h"
#include "util.h"

#define QDIR "qvault"
#define INDEX_FILE "index.db"
#define LOCK_FILE "lock"

static int git_started(void)
{
	if (git_libgit2_init() < 0)
		return vault_error__git(VAULT_ERROR, "cannot start libgit2");
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
	return 0;
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

static int act_for(vault_user *u, vault *v, const git_tree *tree);

int vault__whoami(vault_user *out, vault *v, const git_tree *tree)
{
	char *id, fp[64];
	int error;

	memset(out, 0, sizeof(*out));
	if (!v->key)
		return vault_error__set(VAULT_EDENIED,
			"no key given: name one with --key FILE or QVAULT_KEY");
	if ((error = vault_sign__key_id(&id, v->key)) < 0)
		return error;
	error = vault_user__by_key(out, v->store, tree, id);
	if (error == VAULT_ENOTFOUND) {
		vault_sign__fingerprint_of(fp, id);
		error = vault_error__set(VAULT_EDENIED,
			"key %s is not registered in this vault", fp);
	}
	free(id);
	if (error == 0 && out->revoked) {
		error = vault_error__set(VAULT_EDENIED, "user '%s' was revoked", out->name);
		vault_user_dispose(out);
	}
	v->via[0] = '\0';
	if (error == 0 && v->on_behalf)
		error = act_for(out, v, tree);
	return error;
}

/*
 * The server user `*u` acting for v->on_behalf: *u becomes that user,
 * who must be registered and not revoked.
 */
static int act_for(vault_user *u, vault *v, const git_tree *tree)
{
	vault_user them;
	int error;

	if (!(u->roles & VAULT_ROLE_SERVER)) {
		error = vault_error__set(VAULT_EDENIED,
			"user '%s' may not act for another user (needs role server)", u->name);
		vault_user_dispose(u);
		return error;
	}
	error = vault_user__by_name(&them, v->store, tree, v->on_behalf);
	if (error == VAULT_ENOTFOUND)
		error = vault_error__set(VAULT_EDENIED, "no user '%s' in this vault", v->on_behalf);
	else if (error == 0 && them.revoked) {
		error = vault_error__set(VAULT_EDENIED, "user '%s' was revoked", them.name);
		vault_user_dispose(&them);
	} else if (error == 0 && (them.roles & VAULT_ROLE_ADMIN)) {
		/* what an admin does (users, settings) is signed by the admin's own key */
		error = vault_error__set(VAULT_EDENIED, "user '%s' is an admin, who signs with "
					 "its own key, not through the server", them.name);
		vault_user_dispose(&them);
	}
	if (error < 0) {
		vault_user_dispose(u);
		return error;
	}
	if ((error = vault__fmt(v->via, sizeof(v->via), "user name", "%s", u->name)) < 0) {
		vault_user_dispose(&them);
		vault_user_dispose(u);
		return error;
	}
	vault_user_dispose(u);
	*u = them;
	return 0;
}

void vault_set_key(vault *v, const vault_key *key)
{
	v->key = key;
}

void vault_set_on_behalf(vault *v, const char *user)
{
	free(v->on_behalf);
	v->on_behalf = vault__strdup(user);
}

/* *out = a new handle for `path`; VAULT_EINVALID (with the handle to free) when too long. */
static int vault_alloc(vault **out, const char *path)
{
	vault *v = calloc(1, sizeof(*v));

	if (!v)
		abort();
	v->path = vault__strdup(path);
	v->lock_fd = -1;
	v->check_commit = vault_verify__commit;
	*out = v;
	return vault__fmt(v->qdir, sizeof(v->qdir), "vault path", "%s/%s", path, QDIR);
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
static int open_index(vault *v)
{
	char path[4200];
	int error;

	if ((error = index_path(path, sizeof(path), v)) < 0)
		return error;
	error = vault_index__open(&v->index, path, v->readonly);
	if (error == VAULT_EVERIFY && !v->readonly) {
		vault__warn(v, "the index was unreadable (%s); rebuilding it from the repository",
			    vault_error_message());
		remove_index(v);
		error = vault_index__open(&v->index, path, 0);
	}
	return error;
}

/* Bring the index up to the branch if it lags. */
static int heal(vault *v, int full)
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
	if ((error = vault_index__reflects(reflects, v->index)) < 0)
		return error;
	if (!full && strcmp(reflects, hex) == 0)
		return 0;
	if (v->readonly)
		return vault_error__set(VAULT_EDENIED,
			"the index of read-only vault '%s' is behind its history", v->path);
	return vault_index__catch_up(v->index, v->store, full);
}

int vault_open(vault **out, const char *path, vault_warn_cb warn, void *payload)
{
	struct stat st;
	vault *v;
	int error;

	if ((error = git_started()) < 0)
		return error;
	if ((error = vault_alloc(&v, path)) < 0)
		goto fail;
	v->warn = warn;
	v->warn_payload = payload;
	if (stat(v->qdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error = vault_error__set(VAULT_ENOTFOUND, "'%s' is not a vault", path);
		goto fail;
	}
	v->readonly = access(v->qdir, W_OK) != 0 || access(path, W_OK) != 0;
	if ((error = vault_store__open(&v->store, path)) < 0 ||
	    (error = open_index(v)) < 0)
		goto fail;
	error = heal(v, 0);
	if (error == VAULT_EVERIFY && !v->readonly) {
		vault__warn(v, "the index was unreadable (%s); rebuilding it from the repository",
			    vault_error_message());
		error = heal(v, 1);
	}
	if (error < 0)
		goto fail;
	*out = v;
	return 0;
fail:
	vault_free(v);
	return error;
}

/* A fresh random vault identity, 32 hex digits. */
static int new_id(char id[33])
{
	unsigned char raw[16];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return vault_error__ssl(VAULT_ERROR, "cannot draw a vault identity");
	vault__hex(id, raw, sizeof(raw));
	return 0;
}

/* The folder must be absent or empty. */
static int check_target(const char *path)
{
	struct dirent *de;
	struct stat st;
	int empty = 1;
	DIR *d;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 :
			vault_error__errno(VAULT_ERROR, "cannot use '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return vault_error__set(VAULT_EEXISTS, "'%s' exists and is not a folder", path);
	if ((d = opendir(path)) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty)
		return vault_error__set(VAULT_EEXISTS, "'%s' is not empty", path);
	return 0;
}

/* The first commit: vault.json and the first admin, signed by its key. */
/*
 * The first commit: the vault's settings, its first admin, and the
 * vault's own server user (role server, the key in qvault/server.pem),
 * which signs what `qvault shell` writes on its users' behalf.
 */
static int first_commit(vault *v, const char *id, const vault_user *admin,
			const vault_user *server)
{
	git_tree_update updates[3];
	char *config = NULL, *user = NULL, *srv = NULL, email[VAULT_NAME_MAX * 2 + 2];
	vault_buf message = VAULT_BUF_INIT;
	char user_path[VAULT_NAME_MAX + 32], server_path[VAULT_NAME_MAX + 32];
	git_oid blobs[3], commit;
	size_t clen, ulen, slen;
	int error;

	if ((error = vault_buf__addf(&message,
		 "init vault %s\n\nQvault-Op: init\nQvault-Vault: %s\n", id, id)) < 0 ||
	    (error = vault__fmt(user_path, sizeof(user_path), "path", "users/%s/user.json",
				admin->name)) < 0 ||
	    (error = vault__fmt(server_path, sizeof(server_path), "path", "users/%s/user.json",
				server->name)) < 0 ||
	    (error = vault__fmt(email, sizeof(email), "e-mail", "%s@%s", admin->name,
				admin->org)) < 0 ||
	    (error = vault_config__default(&config, &clen, id)) < 0 ||
	    (error = vault_user__dump(&user, &ulen, admin)) < 0 ||
	    (error = vault_user__dump(&srv, &slen, server)) < 0 ||
	    (error = vault_store__write_buf(&blobs[0], v->store, config, clen)) < 0 ||
	    (error = vault_store__write_buf(&blobs[1], v->store, user, ulen)) < 0 ||
	    (error = vault_store__write_buf(&blobs[2], v->store, srv, slen)) < 0)
		goto done;
	memset(updates, 0, sizeof(updates));
	updates[0].action = updates[1].action = updates[2].action = GIT_TREE_UPDATE_UPSERT;
	updates[0].filemode = updates[1].filemode = updates[2].filemode = GIT_FILEMODE_BLOB;
	updates[0].path = user_path;
	git_oid_cpy(&updates[0].id, &blobs[1]);
	updates[1].path = server_path;
	git_oid_cpy(&updates[1].id, &blobs[2]);
	updates[2].path = VAULT_CONFIG_FILE;
	git_oid_cpy(&updates[2].id, &blobs[0]);
	if (strcmp(user_path, server_path) > 0) { /* libgit2 wants them in order */
		git_tree_update t = updates[0];

		updates[0] = updates[1];
		updates[1] = t;
	}
	if ((error = vault_store__commit(&commit, v->store, NULL, updates, 3, admin->name,
					 email, admin->added_at, message.data, v->key)) < 0)
		goto done;
	if ((error = vault__publish(v, NULL, &commit, NULL, 0)) == 0)
		error = vault_store__set_root(v->store, &commit);
done:
	vault_buf__dispose(&message);
	free(config);
	free(user);
	free(srv);
	return error;
}

/* The server's key, made at init and kept beside the index. */
static int make_server(vault_user *u, vault *v, const vault_user *admin)
{
	vault_key *key = NULL;
	char path[4200];
	int error;

	memset(u, 0, sizeof(*u));
	if ((error = vault__fmt(path, sizeof(path), "path", "%s/" VAULT_SERVER_KEY, v->qdir)) < 0 ||
	    (error = vault_key_generate(&key, VAULT_KEY_ED25519, VAULT_SERVER_USER)) < 0 ||
	    (error = vault_key_save(key, path, NULL)) < 0)
		goto done;
	u->name = vault__strdup(VAULT_SERVER_USER);
	u->org = vault__strdup(admin->org);
	u->roles = VAULT_ROLE_SERVER;
	u->added_by = vault__strdup(admin->name);
	u->added_at = admin->added_at;
	if ((error = vault_key_public(&u->key, key)) < 0 ||
	    (error = vault_sign__fingerprint_of(u->fingerprint, u->key)) < 0)
		goto done;
done:
	vault_key_free(key);
	return error;
}

int vault_init(vault **out, const char *path, const vault_key *key,
	       const char *admin, const char *org)
{
	vault_user u, server;
	char id[33];
	vault *v;
	int error;

	memset(&u, 0, sizeof(u));
	memset(&server, 0, sizeof(server));
	if (!key)
		return vault_error__set(VAULT_EINVALID,
			"init needs the first admin's key (--key FILE or --new-key FILE)");
	if ((error = vault_name_check("user name", admin)) < 0 ||
	    (error = vault_name_check("organization", org)) < 0 ||
	    (error = check_target(path)) < 0 || (error = new_id(id)) < 0 ||
	    (error = git_started()) < 0)
		return error;
	if ((error = vault_alloc(&v, path)) < 0)
		goto fail;
	v->key = key;
	u.name = (char *)(uintptr_t)admin;
	u.org = (char *)(uintptr_t)org;
	u.roles = VAULT_ROLE_ADMIN;
	u.added_by = (char *)(uintptr_t)admin;
	u.added_at = (int64_t)time(NULL);
	if ((error = vault_key_public(&u.key, key)) < 0 ||
	    (error = vault_sign__fingerprint_of(u.fingerprint, u.key)) < 0 ||
	    (error = vault_store__create(&v->store, path)) < 0)
		goto fail;
	if (mkdir(v->qdir, 0755) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot create '%s'", v->qdir);
		goto fail;
	}
	/* lock before the index exists: there is no history to heal yet */
	if ((error = vault__lock(v)) < 0 || (error = make_server(&server, v, &u)) < 0 ||
	    (error = open_index(v)) < 0 || (error = first_commit(v, id, &u, &server)) < 0 ||
	    (error = vault__tighten_tree(path)) < 0)
		goto fail;
	vault__unlock(v);
	free(u.key);
	vault_user_dispose(&server);
	*out = v;
	return 0;
fail:
	free(u.key);
	vault_user_dispose(&server);
	vault_free(v);
	return error;
}

void vault_free(vault *v)
{
	if (!v)
		return;
	vault__unlock(v);
	vault_index__free(v->index);
	vault_store__free(v->store);
	vault_detect__free(v->detect);
	free(v->on_behalf);
	free(v->path);
	free(v);
	git_libgit2_shutdown();
}

const char *vault_path(const vault *v)
{
	return v->path;
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
		int error = heal(v, 0);

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
	error = heal(v, 1);
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
