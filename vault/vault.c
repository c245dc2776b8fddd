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
#include "gc.h"
#include "hooks.h"
#include "kinds.h"
#include "notify.h"
#include "sign.h"
#include "user.h"
#include "record.h"
#include "util.h"
#include "verify.h"

#define QDIR "qvault"

void vault_set_key(vault *v, const vault_key *key)
{
	v->key = key;
}

void vault_set_progress(vault *v, vault_progress_cb cb, void *payload)
{
	v->progress.cb = cb;
	v->progress.payload = payload;
	v->progress.last_pct = 101;
	vault_index__set_progress(v->index, &v->progress);
}

void vault_set_on_behalf(vault *v, const char *user)
{
	free(v->on_behalf);
	/* acting for a user is not reading as another: the reader goes, and
	 * its pointer with it, which vault_set_reader would free again */
	free(v->reader);
	v->reader = NULL;
	v->on_behalf = vault__strdup(user);
}

int vault_version(vault *v, char out[41])
{
	char reflects[41];
	git_commit *head;
	int error;

	out[0] = '\0';
	if ((error = vault_store__head(&head, v->store)) < 0)
		return error;
	git_oid_tostr(out, 41, git_commit_id(head));
	git_commit_free(head);
	if ((error = vault_index__reflects(reflects, v->index)) < 0)
		return error;
	if (strcmp(reflects, out) != 0) {
		out[0] = '\0';
		return vault_error__set(VAULT_ELOCKED, "the index is following a write");
	}
	return 0;
}

void vault_set_reader(vault *v, const char *user)
{
	/* a new reader starts from what is written now */
	if (v->index)
		vault_index__settle(v->index);
	free(v->reader);
	v->reader = user ? vault__strdup(user) : NULL;
}

/*
 * After each write: the notifications of the actions it put in someone's
 * inbox (notify.c), the post- hook, then post-notify when a message was
 * written (hooks.c).
 */
static void post_write(vault_txn *t, vault *v, const char *message, const git_oid *commit)
{
	size_t written = 0, packs;

	if (vault_notify__post(&written, v, commit) < 0)
		vault__warn(v, "%s (the write is recorded; its notifications are not)",
			    vault_error_message());
	vault_hooks__post(t, v, message, commit);
	if (written)
		vault_hooks__post_notify(t, v, message, commit);
	if (vault__gc_auto(&packs, v) < 0)
		vault__warn(v, "%s (the write is recorded; the repack is not: run qvault gc)",
			    vault_error_message());
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
	v->kinds = vault_kinds;
	v->pre_hook = vault_hooks__pre;
	v->post_hook = post_write;
	*out = v;
	return vault__fmt(v->qdir, sizeof(v->qdir), "vault path", "%s/%s", path, QDIR);
}

int vault_open(vault **out, const char *path, vault_warn_cb warn, void *payload)
{
	struct stat st;
	vault *v;
	int error;

	if ((error = vault__git_start()) < 0)
		return error;
	error = vault_alloc(&v, path);
	v->git = 1;
	if (error < 0)
		goto fail;
	v->warn = warn;
	v->warn_payload = payload;
	if (stat(v->qdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error = vault_error__set(VAULT_ENOTFOUND, "'%s' is not a vault", path);
		goto fail;
	}
	v->readonly = access(v->qdir, W_OK) != 0 || access(path, W_OK) != 0;
	if ((error = vault_store__open(&v->store, path)) < 0 ||
	    (error = vault__open_index(v)) < 0)
		goto fail;
	error = vault__heal(v, 0);
	if (error == VAULT_EVERIFY && !v->readonly) {
		/* said only when the rebuild heals it: a history that cannot be
		 * indexed at all fails with its one reason, as reindex does */
		char why[1024];

		vault__fmt_message(why, sizeof(why), "%s", vault_error_message());
		if ((error = vault__heal(v, 1)) == 0)
			vault__warn(v, "the index was unreadable (%s); rebuilt it from the "
				    "repository", why);
	}
	if (error < 0)
		goto fail;
	*out = v;
	return 0;
fail:
	vault_free(v);
	return error;
}

int vault_open_unindexed(vault **out, const char *path)
{
	struct stat st;
	vault *v;
	int error;

	if ((error = vault__git_start()) < 0)
		return error;
	if ((error = vault_alloc(&v, path)) < 0)
		goto fail;
	if (stat(v->qdir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error = vault_error__set(VAULT_ENOTFOUND, "'%s' is not a vault", path);
		goto fail;
	}
	v->readonly = 1;
	if ((error = vault_store__open(&v->store, path)) < 0)
		goto fail;
	*out = v;
	return 0;
fail:
	vault_free(v);
	return error;
}

int vault_open_for_reads(vault **out, const char *path, vault_warn_cb warn, void *payload)
{
	struct stat st;
	vault *v;

	*out = NULL;
	if (vault_alloc(&v, path) == 0 && stat(v->qdir, &st) == 0 && S_ISDIR(st.st_mode)) {
		v->warn = warn;
		v->warn_payload = payload;
		v->readonly = access(v->qdir, W_OK) != 0 || access(path, W_OK) != 0;
		if (vault__open_index_if_current(v) == 0) {
			*out = v;
			return 0;
		}
	}
	/* not current, or anything out of the ordinary: as every command opens it */
	vault_free(v);
	return vault_open(out, path, warn, payload);
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
	if ((error = vault_plain_name_check("user name", admin)) < 0 ||
	    (error = vault_plain_name_check("organization", org)) < 0 ||
	    (error = check_target(path)) < 0 || (error = new_id(id)) < 0 ||
	    (error = vault__git_start()) < 0)
		return error;
	error = vault_alloc(&v, path);
	v->git = 1;
	if (error < 0)
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
	    (error = vault__open_index(v)) < 0 || (error = first_commit(v, id, &u, &server)) < 0 ||
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
	free(v->reader);
	free(v->path);
	if (v->git)
		git_libgit2_shutdown();
	free(v);
}

const char *vault_path(const vault *v)
{
	return v->path;
}
