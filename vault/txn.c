#include "txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "record.h"
#include "sign.h"
#include "user.h"
#include "util.h"

int vault__txn_begin(vault_txn *t, vault *v)
{
	int error;

	memset(t, 0, sizeof(*t));
	t->now = (int64_t)time(NULL);
	if ((error = vault__lock(v)) < 0)
		return error;
	t->locked = 1;
	if ((error = vault_store__head(&t->head, v->store)) < 0 ||
	    (error = vault__config(&t->cfg, v, t->head)) < 0)
		goto fail;
	if (git_commit_tree(&t->root, t->head) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
		goto fail;
	}
	/* a write is signed: a reader without a key (vault_set_reader) never writes */
	if (!v->key) {
		error = vault_error__set(VAULT_EDENIED,
			"no key given: name one with --key FILE or QVAULT_KEY");
		goto fail;
	}
	if ((error = vault__whoami(&t->actor, v, t->root)) < 0)
		goto fail;
	t->via = v->via[0] ? v->via : NULL;
	/* never before the commit it follows: history's times only go forward */
	if (t->now < (int64_t)git_commit_time(t->head))
		t->now = (int64_t)git_commit_time(t->head);
	/* every new object waits in quarantine until the write is checked and accepted */
	{
		char dir[4200];

		if ((error = vault__fmt(dir, sizeof(dir), "path", "%s/quarantine", v->qdir)) < 0 ||
		    (error = vault_store__quarantine_begin(v->store, dir)) < 0)
			goto fail;
		t->quarantined = 1;
	}
	return 0;
fail:
	vault__txn_end(t, v);
	return error;
}

int vault__txn_batch(vault_txn *t, vault *v)
{
	return vault_pack__begin(&t->pack, vault_store__repo(v->store));
}

void vault__txn_put(vault_txn *t, const char *path, const git_oid *id)
{
	vault_updates *u = &t->updates;

	if (u->count == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->items = realloc(u->items, u->cap * sizeof(*u->items));
		u->paths = realloc(u->paths, u->cap * sizeof(*u->paths));
		if (!u->items || !u->paths)
			abort();
	}
	memset(&u->items[u->count], 0, sizeof(git_tree_update));
	u->paths[u->count] = vault__strdup(path);
	u->items[u->count].action = GIT_TREE_UPDATE_UPSERT;
	u->items[u->count].path = u->paths[u->count];
	u->items[u->count].filemode = GIT_FILEMODE_BLOB;
	git_oid_cpy(&u->items[u->count].id, id);
	u->count++;
}

int vault__txn_put_data(vault_txn *t, vault *v, const char *path,
			const char *data, size_t len)
{
	git_oid id;
	int error;

	if ((error = vault_store__write_buf(&id, v->store, data, len)) < 0)
		return error;
	vault__txn_put(t, path, &id);
	return 0;
}

static int commit_signed(vault_txn *t, vault *v, const char *message,
			 const vault_revision *revs, size_t nrevs, git_oid *out);

/* libgit2 inserts updates into a sorted vector: presorted input keeps that linear */
static int cmp_update_path(const void *a, const void *b)
{
	return strcmp(((const git_tree_update *)a)->path, ((const git_tree_update *)b)->path);
}

int vault__txn_commit(vault_txn *t, vault *v, const char *message,
		      const vault_revision *revs, size_t nrevs, git_oid *out)
{
	vault_buf signed_for = VAULT_BUF_INIT;
	int error;

	/* written by the server for a user: the commit names that user */
	if (t->via) {
		if ((error = vault_buf__addf(&signed_for, "%s" VAULT_ON_BEHALF_TRAILER ": %s\n",
					     message, t->actor.name)) < 0)
			return error;
		message = signed_for.data;
	}
	error = commit_signed(t, v, message, revs, nrevs, out);
	vault_buf__dispose(&signed_for);
	return error;
}

static int commit_signed(vault_txn *t, vault *v, const char *message,
			 const vault_revision *revs, size_t nrevs, git_oid *out)
{
	char email[VAULT_NAME_MAX * 2 + 2];
	git_oid commit;
	int error;

	if ((error = vault__fmt(email, sizeof(email), "e-mail", "%s@%s", t->actor.name,
				t->actor.org)) < 0)
		return error;
	qsort(t->updates.items, t->updates.count, sizeof(*t->updates.items),
	      cmp_update_path);
	/* the paths follow their items: the hook's event names them */
	for (size_t i = 0; i < t->updates.count; i++)
		t->updates.paths[i] = (char *)(uintptr_t)t->updates.items[i].path;
	if (v->pre_hook && (error = v->pre_hook(t, v, message)) < 0)
		return error;
	/* the commit, still in quarantine, is held to the rules verify holds history to */
	if ((error = vault_store__commit(&commit, v->store, t->head, t->updates.items,
					 t->updates.count, t->actor.name, email, t->now,
					 message, v->key)) < 0 ||
	    (error = v->check_commit(v, &commit)) < 0)
		return error;
	if (t->quarantined) {
		if ((error = vault_store__quarantine_accept(v->store)) < 0)
			return error;
		t->quarantined = 0;
	}
	if (t->pack) {
		error = vault_pack__finish(t->pack);
		t->pack = NULL;
		if (error < 0)
			return error;
	}
	if ((error = vault__publish(v, t->head, &commit, revs, nrevs)) < 0)
		return error;
	if (out)
		git_oid_cpy(out, &commit);
	/* unlocked first: a post- hook may read the vault, or write to it */
	vault__unlock(v);
	t->locked = 0;
	if (v->post_hook)
		v->post_hook(t, v, message, &commit);
	return 0;
}

void vault__txn_end(vault_txn *t, vault *v)
{
	size_t i;

	if (t->pack)
		vault_pack__abort(t->pack);
	if (t->quarantined)
		vault_store__quarantine_drop(v->store);
	for (i = 0; i < t->updates.count; i++)
		free(t->updates.paths[i]);
	free(t->updates.paths);
	free(t->updates.items);
	vault_user_dispose(&t->actor);
	vault_config__dispose(&t->cfg);
	git_tree_free(t->root);
	git_commit_free(t->head);
	if (t->locked)
		vault__unlock(v);
	memset(t, 0, sizeof(*t));
}
