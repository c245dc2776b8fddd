/*
 * A commit-graph file of anyone's bytes (commitgraph.c), checked against
 * a repository whose history is 256 commits in a line (the first, which
 * the corpus's graphs name, made as it always was): every commit it lists
 * looked up, its parents, dates and generation numbers read and walked.
 */
#include "fuzz.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "commitgraph.h"
#include "walk.h"

static void bad(void *payload, const char *file, const git_oid *id, const char *why)
{
	(void)payload;
	(void)file;
	(void)id;
	(void)why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64], objects[128], graph[160];
	static git_repository *repo;
	static vault_walk *history;
	FILE *f;

	if (!repo) {
		git_signature *sig;
		git_treebuilder *tb;
		git_oid tree, commit_id;
		git_commit *parent;
		git_tree *t;
		int i;

		git_libgit2_init();
		if (snprintf(dir, sizeof(dir), "%s", "/tmp/fuzz-graph.XXXXXX") >= (int)sizeof(dir) ||
		    !mkdtemp(dir) || git_repository_init(&repo, dir, 1) < 0 ||
		    snprintf(objects, sizeof(objects), "%s/objects", dir) >= (int)sizeof(objects) ||
		    snprintf(graph, sizeof(graph), "%s/info/commit-graph", objects) >= (int)sizeof(graph) ||
		    git_treebuilder_new(&tb, repo, NULL) < 0 || git_treebuilder_write(&tree, tb) < 0 ||
		    git_tree_lookup(&t, repo, &tree) < 0 ||
		    git_signature_new(&sig, "f", "f@f", 1, 0) < 0 ||
		    git_commit_create(&commit_id, repo, "HEAD", sig, sig, NULL, "c", t, 0, NULL) < 0 ||
		    mkdir(graph, 0700) != 0 || rmdir(graph) != 0)
			abort();
		for (i = 1; i < 256; i++) {
			if (git_commit_lookup(&parent, repo, &commit_id) < 0 ||
			    git_commit_create(&commit_id, repo, "HEAD", sig, sig, NULL, "c", t, 1,
					      (const git_commit **)&parent) < 0)
				abort();
			git_commit_free(parent);
		}
		if (vault_walk__new(&history, repo, &commit_id, 1, NULL) < 0 ||
		    vault_walk__count(history) != 256)
			abort();
		git_signature_free(sig);
		git_tree_free(t);
		git_treebuilder_free(tb);
	}
	if ((f = fopen(graph, "wb")) == NULL || (size && fwrite(data, size, 1, f) != 1) ||
	    fclose(f) != 0)
		abort();
	{
		const char *dirs[1] = { objects };

		vault_commitgraph__check(repo, dirs, 1, history, bad, NULL);
	}
	return 0;
}
