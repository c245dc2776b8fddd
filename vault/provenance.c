/*
 * provenance.c - the commits behind records, and a git bundle of them.
 *
 * An evidence bundle proves who wrote each record with the signed
 * commits that wrote it.  `git clone` of a bundle needs every object
 * reachable from its refs, which is the whole vault (every
 * organization's records): so the bundle holds only the commits that
 * wrote the records exported, the trees on the path to each record and
 * the record's own folder, and is opened with `git bundle unbundle`.
 * Those path trees are whole git trees: they name (never hold) their
 * other entries, such as the other revisions of the same document and
 * the documents that share its fan-out folder.  A revision's acks/ is
 * left out, and so are the commits of the acknowledgments not exported:
 * that folder names every organization's signers.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "provenance.h"
#include "record.h"
#include "util.h"

/* The id of `path` in `tree`, or a zero id when it has none. */
static void entry_id(git_oid *out, const git_tree *tree, const char *path)
{
	git_tree_entry *e;

	memset(out, 0, sizeof(*out));
	if (git_tree_entry_bypath(&e, tree, path) == 0) {
		git_oid_cpy(out, git_tree_entry_id(e));
		git_tree_entry_free(e);
	}
}

static void push(vault_provenance_item *it, const git_oid *id)
{
	if (it->n == it->cap) {
		it->cap = it->cap ? 2 * it->cap : 4;
		if ((it->commits = realloc(it->commits, it->cap * sizeof(git_oid))) == NULL)
			abort();
	}
	git_oid_cpy(&it->commits[it->n++], id);
}

/* The entries of folder tree `t` but acks/, counted. */
static size_t record_entries(const git_tree *t)
{
	size_t i, count = 0;

	for (i = 0; i < git_tree_entrycount(t); i++)
		count += strcmp(git_tree_entry_name(git_tree_entry_byindex(t, i)), VAULT_ACKS_DIR) != 0;
	return count;
}

/* Is folder `dir` the same in trees `a` and `b`, its acks/ aside? */
static int same_record(const git_tree *a, const git_tree *b, const char *dir)
{
	git_oid ia, ib;
	git_tree *ta = NULL, *tb = NULL;
	size_t i;
	int same;

	entry_id(&ia, a, dir);
	entry_id(&ib, b, dir);
	if (git_oid_equal(&ia, &ib))
		return 1;
	if (git_oid_is_zero(&ia) || git_oid_is_zero(&ib) ||
	    git_tree_lookup(&ta, git_tree_owner(a), &ia) < 0 ||
	    git_tree_lookup(&tb, git_tree_owner(b), &ib) < 0) {
		git_tree_free(ta);
		return 0;
	}
	same = record_entries(ta) == record_entries(tb);
	for (i = 0; i < git_tree_entrycount(ta) && same; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(ta, i), *f;

		if (strcmp(git_tree_entry_name(e), VAULT_ACKS_DIR) == 0)
			continue;
		f = git_tree_entry_byname(tb, git_tree_entry_name(e));
		same = f && git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(f));
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return same;
}

/*
 * Did a commit of tree `tree` and parents' trees `pt` write `path`: a
 * record's folder (acks/ aside) when `record`, else one file?
 */
static int differs(const git_tree *tree, git_tree *const *pt, unsigned np, const char *path,
		   int record)
{
	git_oid mine, theirs;
	unsigned i;

	entry_id(&mine, tree, path);
	if (git_oid_is_zero(&mine))
		return 0;
	for (i = 0; i < np; i++) {
		entry_id(&theirs, pt[i], path);
		if (record ? same_record(tree, pt[i], path) : git_oid_equal(&mine, &theirs))
			return 0;
	}
	return 1;
}

/* Did that commit write item `it`: its folder, or one of its acknowledgments? */
static int wrote(const git_tree *tree, git_tree *const *pt, unsigned np,
		 const vault_provenance_item *it)
{
	char path[4200];
	size_t i;

	if (differs(tree, pt, np, it->dir, 1))
		return 1;
	for (i = 0; i < it->nacks; i++)
		if (vault__fmt(path, sizeof(path), "path", "%s/" VAULT_ACKS_DIR "/%s", it->dir,
			       it->acks[i]) == 0 && differs(tree, pt, np, path, 0))
			return 1;
	return 0;
}

/* The trees of the parents of `c`, `*np` of them; NULL on error (set). */
static git_tree **parent_trees(const git_commit *c, unsigned *np)
{
	git_tree **pt;
	unsigned i;

	*np = git_commit_parentcount(c);
	if ((pt = calloc(*np + 1, sizeof(*pt))) == NULL)
		abort();
	for (i = 0; i < *np; i++) {
		git_commit *p = NULL;
		int bad = git_commit_parent(&p, c, i) < 0 || git_commit_tree(&pt[i], p) < 0;

		git_commit_free(p);
		if (bad) {
			vault_error__git(VAULT_ERROR, "cannot read a parent of a commit");
			while (i--)
				git_tree_free(pt[i]);
			free(pt);
			return NULL;
		}
	}
	return pt;
}

int vault_provenance__collect(vault_provenance_item *items, size_t n, vault_store *s,
			      const git_commit *head)
{
	git_repository *repo = vault_store__repo(s);
	git_revwalk *walk = NULL;
	git_oid id;
	int error = 0, rc = 0;

	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, git_commit_id(head)) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot walk the vault's history");
		goto done;
	}
	while (!error && (rc = git_revwalk_next(&id, walk)) == 0) {
		git_commit *c = NULL;
		git_tree *tree = NULL, **pt = NULL;
		unsigned np = 0, i;
		size_t k;

		if (git_commit_lookup(&c, repo, &id) < 0 || git_commit_tree(&tree, c) < 0)
			error = vault_error__git(VAULT_ERROR, "cannot read a commit");
		else if ((pt = parent_trees(c, &np)) == NULL)
			error = VAULT_ERROR;
		for (k = 0; k < n && !error; k++)
			if (wrote(tree, pt, np, &items[k]))
				push(&items[k], &id);
		for (i = 0; pt && i < np; i++)
			git_tree_free(pt[i]);
		free(pt);
		git_tree_free(tree);
		git_commit_free(c);
	}
	if (!error && rc != GIT_ITEROVER)
		error = vault_error__git(VAULT_ERROR, "cannot walk the vault's history");
done:
	git_revwalk_free(walk);
	return error;
}

/* Commit `id`, its root tree, the trees down to `dir`, and `dir` whole but its acks/. */
static int insert(git_packbuilder *pb, git_repository *repo, const git_oid *id,
		  const char *dir)
{
	char prefix[4096];
	git_commit *c = NULL;
	git_tree *tree = NULL, *rec = NULL;
	size_t i;
	const char *p;
	git_oid sub;
	int error = -1;

	if (git_packbuilder_insert(pb, id, NULL) < 0 || git_commit_lookup(&c, repo, id) < 0 ||
	    git_commit_tree(&tree, c) < 0 ||
	    git_packbuilder_insert(pb, git_tree_id(tree), NULL) < 0)
		goto done;
	for (p = strchr(dir, '/'); p; p = strchr(p + 1, '/')) {
		if ((size_t)(p - dir) >= sizeof(prefix))
			goto done;
		memcpy(prefix, dir, (size_t)(p - dir));
		prefix[p - dir] = '\0';
		entry_id(&sub, tree, prefix);
		if (git_oid_is_zero(&sub) || git_packbuilder_insert(pb, &sub, NULL) < 0)
			goto done;
	}
	entry_id(&sub, tree, dir);
	if (git_oid_is_zero(&sub) || git_tree_lookup(&rec, repo, &sub) < 0 ||
	    git_packbuilder_insert(pb, &sub, NULL) < 0)
		goto done;
	for (i = 0; i < git_tree_entrycount(rec); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(rec, i);

		if (strcmp(git_tree_entry_name(e), VAULT_ACKS_DIR) == 0)
			continue;
		if ((git_tree_entry_type(e) == GIT_OBJECT_TREE ?
		     git_packbuilder_insert_tree(pb, git_tree_entry_id(e)) :
		     git_packbuilder_insert(pb, git_tree_entry_id(e), NULL)) < 0)
			goto done;
	}
	error = 0;
done:
	git_tree_free(rec);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}

/* Was commit k of item i named by a ref already (by an item before it)? */
static int named(const vault_provenance_item *items, size_t i, size_t k)
{
	size_t a, b;

	for (a = 0; a <= i; a++)
		for (b = 0; b < (a == i ? k : items[a].n); b++)
			if (git_oid_equal(&items[a].commits[b], &items[i].commits[k]))
				return 1;
	return 0;
}

int vault_provenance__bundle(char **out, size_t *len, vault_store *s,
			  const vault_provenance_item *items, size_t n)
{
	git_repository *repo = vault_store__repo(s);
	vault_buf text = VAULT_BUF_INIT;
	git_packbuilder *pb = NULL;
	git_buf pack = { 0 };
	size_t i, k, refs = 0;
	int error = 0;

	if (git_packbuilder_new(&pb, repo) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot pack the history");
		goto done;
	}
	/* one thread: the same records give the same bytes */
	git_packbuilder_set_threads(pb, 1);
	if ((error = vault_buf__add(&text, "# v2 git bundle\n", 16)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		for (k = 0; k < items[i].n; k++) {
			char hex[GIT_OID_HEXSZ + 1];

			if (insert(pb, repo, &items[i].commits[k], items[i].dir) < 0) {
				error = vault_error__git(VAULT_ERROR, "cannot pack the history of %s",
							 items[i].label);
				goto done;
			}
			if (named(items, i, k))
				continue;
			git_oid_tostr(hex, sizeof(hex), &items[i].commits[k]);
			if ((error = vault_buf__addf(&text, "%s refs/qvault/history/%s\n", hex,
						     hex)) < 0)
				goto done;
			refs++;
		}
	if (!refs) {
		error = vault_error__set(VAULT_ENOTFOUND, "no history to bundle");
		goto done;
	}
	if (git_packbuilder_write_buf(&pack, pb) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot pack the history");
		goto done;
	}
	if ((error = vault_buf__add(&text, "\n", 1)) < 0 ||
	    (error = vault_buf__add(&text, pack.ptr, pack.size)) < 0)
		goto done;
	*len = text.len;
	*out = vault_buf__detach(&text);
done:
	git_buf_dispose(&pack);
	git_packbuilder_free(pb);
	vault_buf__dispose(&text);
	return error;
}

void vault_provenance__dispose(vault_provenance_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].commits);
		items[i].commits = NULL;
		items[i].n = items[i].cap = 0;
	}
}
