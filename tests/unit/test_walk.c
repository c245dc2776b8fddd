/*
 * Unit tests of walk.c: every commit once, each after all its parents,
 * the commits stock git lists, through merges, several tips, a hidden
 * base, and a parent that is not there; which commits are whole.
 */
#include "helpers.h"

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "walk.h"

#define COMMITS_MAX 8192

/* A repository and the commits written into it, in the order written. */
typedef struct {
	char *dir;
	git_repository *repo;
	git_oid ids[COMMITS_MAX];
	size_t n;
} history;

static git_oid empty_tree(history *h)
{
	git_treebuilder *tb;
	git_oid id;

	assert_int_equal(git_treebuilder_new(&tb, h->repo, NULL), 0);
	assert_int_equal(git_treebuilder_write(&id, tb), 0);
	git_treebuilder_free(tb);
	return id;
}

/* A commit with the raw text git stores (parents named by id, read or not). */
static size_t commit_raw(history *h, const git_oid *parents, size_t nparents)
{
	size_t size = 4096 + nparents * 64, len = 0, i;
	char *text = malloc(size);
	git_oid tree = empty_tree(h);
	git_odb *odb;
	int n;

	assert_non_null(text);
	n = snprintf(text, size, "tree %s\n", git_oid_tostr_s(&tree));
	assert_true(n > 0 && (size_t)n < size);
	len = (size_t)n;
	for (i = 0; i < nparents; i++) {
		n = snprintf(text + len, size - len, "parent %s\n", git_oid_tostr_s(&parents[i]));
		assert_true(n > 0 && (size_t)n < size - len);
		len += (size_t)n;
	}
	n = snprintf(text + len, size - len,
		     "author T <t@example.com> %zu +0000\ncommitter T <t@example.com> %zu +0000\n"
		     "\ncommit %zu\n", 1000000 + h->n, 1000000 + h->n, h->n);
	assert_true(n > 0 && (size_t)n < size - len);
	len += (size_t)n;
	assert_true(h->n < COMMITS_MAX);
	assert_int_equal(git_repository_odb(&odb, h->repo), 0);
	assert_int_equal(git_odb_write(&h->ids[h->n], odb, text, len, GIT_OBJECT_COMMIT), 0);
	git_odb_free(odb);
	free(text);
	return h->n++;
}

static size_t commit_on(history *h, const size_t *parents, size_t nparents)
{
	git_oid ids[8];
	size_t i;

	assert_true(nparents <= 8);
	for (i = 0; i < nparents; i++)
		git_oid_cpy(&ids[i], &h->ids[parents[i]]);
	return commit_raw(h, ids, nparents);
}

static void history_open(history *h)
{
	memset(h, 0, sizeof(*h));
	h->dir = temp_dir();
	assert_int_equal(git_repository_init(&h->repo, h->dir, 1), 0);
}

static void history_close(history *h)
{
	git_repository_free(h->repo);
	rm_tree(h->dir);
}

static size_t index_of(const history *h, const git_oid *id)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (git_oid_equal(&h->ids[i], id))
			return i;
	fail_msg("the walk gave %s, which the test did not write", git_oid_tostr_s(id));
	return 0;
}

/*
 * Walk from `tips` (hiding `hide`): each commit once, after its parents
 * among those walked, and exactly the commits `git rev-list` lists.
 */
static void check_walk(history *h, const size_t *tips, size_t ntips, const size_t *hide)
{
	static unsigned char given[COMMITS_MAX], expected[COMMITS_MAX];
	git_oid tip_ids[8], id;
	char cmd[1024], line[128];
	FILE *git;
	vault_walk *w;
	size_t i, len, count = 0, want = 0;

	memset(given, 0, sizeof(given));
	memset(expected, 0, sizeof(expected));
	for (i = 0; i < ntips; i++)
		git_oid_cpy(&tip_ids[i], &h->ids[tips[i]]);
	/* what stock git says the walk holds */
	len = (size_t)snprintf(cmd, sizeof(cmd), "git -C '%s' rev-list", h->dir);
	for (i = 0; i < ntips; i++)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " %s",
					git_oid_tostr_s(&tip_ids[i]));
	if (hide)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " ^%s",
					git_oid_tostr_s(&h->ids[*hide]));
	assert_true(len < sizeof(cmd));
	assert_non_null(git = popen(cmd, "r"));
	while (fgets(line, sizeof(line), git)) {
		line[strcspn(line, "\n")] = '\0';
		assert_int_equal(git_oid_fromstr(&id, line), 0);
		expected[index_of(h, &id)] = 1;
		want++;
	}
	assert_int_equal(pclose(git), 0);
	assert_true(want > 0);

	assert_int_equal(vault_walk__new(&w, h->repo, tip_ids, ntips, hide ? &h->ids[*hide] : NULL), 0);
	assert_int_equal(vault_walk__count(w), want);
	for (i = 0; i < vault_walk__count(w); i++) {
		const git_oid *at = vault_walk__at(w, i);
		size_t k = index_of(h, at);
		git_commit *c;
		unsigned p;

		if (given[k])
			fail_msg("commit %zu given twice", k);
		if (!expected[k])
			fail_msg("commit %zu given, git rev-list does not list it", k);
		assert_int_equal(git_commit_lookup(&c, h->repo, at), 0);
		for (p = 0; p < git_commit_parentcount(c); p++) {
			size_t q = index_of(h, git_commit_parent_id(c, p));

			if (expected[q] && !given[q])
				fail_msg("commit %zu given before its parent %zu", k, q);
		}
		git_commit_free(c);
		given[k] = 1;
		count++;
	}
	assert_int_equal(count, want);
	if (hide) {
		/* a walk from a verified base gives its commits in the order a
		 * walk of the whole history does (a pull checks them as a
		 * verify does later) */
		vault_walk *whole;
		size_t j = 0;

		assert_int_equal(vault_walk__new(&whole, h->repo, tip_ids, ntips, NULL), 0);
		for (i = 0; i < vault_walk__count(whole); i++)
			if (expected[index_of(h, vault_walk__at(whole, i))]) {
				if (!git_oid_equal(vault_walk__at(whole, i), vault_walk__at(w, j)))
					fail_msg("from the base, commit %zu is given %zuth; in the "
						 "whole history's order, commit %zu",
						 index_of(h, vault_walk__at(w, j)), j,
						 index_of(h, vault_walk__at(whole, i)));
				j++;
			}
		assert_int_equal(j, want);
		vault_walk__free(whole);
	}
	vault_walk__free(w);
}

/* A line of 5,000 commits: deeper than the array's and the set's first size. */
static void walk_a_long_line(void **state)
{
	history h;
	size_t i, last, tip;
	vault_walk *w;

	(void)state;
	history_open(&h);
	last = commit_on(&h, NULL, 0);
	for (i = 1; i < 5000; i++)
		last = commit_on(&h, &last, 1);
	check_walk(&h, &last, 1, NULL);
	/* oldest first, in the order written */
	assert_int_equal(vault_walk__new(&w, h.repo, &h.ids[last], 1, NULL), 0);
	assert_int_equal(vault_walk__count(w), 5000);
	for (i = 0; i < 5000; i++)
		assert_true(git_oid_equal(vault_walk__at(w, i), &h.ids[i]));
	vault_walk__free(w);
	/* from a commit verified already: the commits after it */
	tip = 4000;
	check_walk(&h, &last, 1, &tip);
	history_close(&h);
}

/*
 * Branches that fork and merge again and again, a merge of three, two
 * roots, and several tips: the shapes pulls leave.
 */
static void walk_merges(void **state)
{
	history h;
	size_t a, b, c, m, p[3], tips[3], i, hide;

	(void)state;
	history_open(&h);
	a = commit_on(&h, NULL, 0);
	b = a;
	for (i = 0; i < 300; i++) {
		a = commit_on(&h, &a, 1);
		if (i % 3 == 0)
			b = commit_on(&h, &b, 1);
		if (i % 7 == 6) { /* a merge of the two lines, the first parent ours */
			p[0] = a, p[1] = b;
			a = b = commit_on(&h, p, 2);
		}
	}
	/* another root, merged with the two lines at once */
	c = commit_on(&h, NULL, 0);
	c = commit_on(&h, &c, 1);
	b = commit_on(&h, &b, 1);
	p[0] = a, p[1] = b, p[2] = c;
	m = commit_on(&h, p, 3);
	check_walk(&h, &m, 1, NULL);
	/* tips that share history, and one that another tip reaches */
	tips[0] = commit_on(&h, &m, 1);
	tips[1] = commit_on(&h, &b, 1);
	tips[2] = m;
	check_walk(&h, tips, 3, NULL);
	hide = b;
	check_walk(&h, tips, 3, &hide);
	/* a merge whose second parent is its first's ancestor */
	p[0] = tips[0], p[1] = a;
	m = commit_on(&h, p, 2);
	check_walk(&h, &m, 1, NULL);
	history_close(&h);
}

/* A parent that is not in the repository fails the walk and names it. */
static void walk_missing_parent(void **state)
{
	history h;
	git_oid nowhere;
	size_t root, top;
	vault_walk *w = (vault_walk *)&h;
	char expect[128];

	(void)state;
	history_open(&h);
	assert_int_equal(git_oid_fromstr(&nowhere, "0123456789abcdef0123456789abcdef01234567"), 0);
	root = commit_raw(&h, &nowhere, 1);
	top = commit_on(&h, &root, 1);
	assert_int_equal(vault_walk__new(&w, h.repo, &h.ids[top], 1, NULL), VAULT_ERROR);
	assert_null(w);
	test_fmt(expect, sizeof(expect), "cannot read commit %s", git_oid_tostr_s(&nowhere));
	assert_non_null(strstr(vault_error_message(), expect));
	/* the all-zero id, which marks a free place in the walk's set */
	git_oid_fromstr(&nowhere, "0000000000000000000000000000000000000000");
	root = commit_raw(&h, &nowhere, 1);
	assert_int_equal(vault_walk__new(&w, h.repo, &h.ids[root], 1, NULL), VAULT_ERROR);
	test_fmt(expect, sizeof(expect), "cannot read commit %s", git_oid_tostr_s(&nowhere));
	assert_non_null(strstr(vault_error_message(), expect));
	history_close(&h);
}

/* An object database that counts how often one object is read from it. */
typedef struct {
	git_odb_backend parent;
	git_odb_backend *inner;
	git_oid watch;
	size_t reads;
} counting_odb;

static int counting_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b,
			 const git_oid *id)
{
	counting_odb *c = (counting_odb *)b;

	c->reads += git_oid_equal(id, &c->watch);
	return c->inner->read(data, len, type, c->inner, id);
}

static int counting_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	counting_odb *c = (counting_odb *)b;

	return c->inner->read_header(len, type, c->inner, id);
}

static int counting_exists(git_odb_backend *b, const git_oid *id)
{
	counting_odb *c = (counting_odb *)b;

	return c->inner->exists(c->inner, id);
}

static void counting_free(git_odb_backend *b)
{
	counting_odb *c = (counting_odb *)b;

	c->inner->free(c->inner);
}

/*
 * A merge of many parents is read once, not once for each of its parents
 * (n squared: a hostile history of one commit of 100,000 parents, 4.8 MB,
 * read 100,000 times).  Too large for libgit2's cache of commits, each
 * lookup reads it from the object database again, where it is counted.
 */
static void walk_reads_a_merge_once(void **state)
{
	history h;
	git_oid parents[600];
	size_t i, m;
	char objects[4200];
	counting_odb c;
	git_odb *odb;
	git_repository *repo;
	vault_walk *w;

	(void)state;
	history_open(&h);
	m = commit_on(&h, NULL, 0);
	for (i = 0; i < 600; i++)
		git_oid_cpy(&parents[i], &h.ids[commit_on(&h, &m, 1)]);
	m = commit_raw(&h, parents, 600);
	check_walk(&h, &m, 1, NULL);

	memset(&c, 0, sizeof(c));
	assert_int_equal(git_odb_init_backend(&c.parent, GIT_ODB_BACKEND_VERSION), 0);
	c.parent.read = counting_read;
	c.parent.read_header = counting_header;
	c.parent.exists = counting_exists;
	c.parent.free = counting_free;
	git_oid_cpy(&c.watch, &h.ids[m]);
	test_fmt(objects, sizeof(objects), "%s/objects", h.dir);
	assert_int_equal(git_odb_backend_loose(&c.inner, objects, -1, 0, 0, 0), 0);
	assert_int_equal(git_odb_new(&odb), 0);
	assert_int_equal(git_odb_add_backend(odb, &c.parent, 1), 0);
	assert_int_equal(git_repository_wrap_odb(&repo, odb), 0);
	assert_int_equal(vault_walk__new(&w, repo, &h.ids[m], 1, NULL), 0);
	assert_int_equal(vault_walk__count(w), 602);
	if (c.reads != 1)
		fail_msg("the merge of 600 parents was read %zu times", c.reads);
	vault_walk__free(w);
	git_repository_free(repo);
	git_odb_free(odb);
	history_close(&h);
}

/*
 * Whether all before position `i` of `w` (and, from `hide`, hide's
 * history) is the history of the commit at `i`: asked of git, commit by
 * commit.
 */
static int truly_whole(history *h, const vault_walk *w, size_t i, const size_t *hide)
{
	const git_oid *id = vault_walk__at(w, i);
	size_t j;

	if (hide && !git_oid_equal(id, &h->ids[*hide]) &&
	    git_graph_descendant_of(h->repo, id, &h->ids[*hide]) != 1)
		return 0;
	for (j = 0; j < i; j++)
		if (git_graph_descendant_of(h->repo, id, vault_walk__at(w, j)) != 1)
			return 0;
	return 1;
}

/*
 * The walk says which commits are whole: never one that is not (the lot
 * ledger would judge a sum that no tree holds), and, in histories with no
 * merge of a history with its own ancestor, every one that is.
 */
static void check_whole(history *h, const size_t *tips, size_t ntips, const size_t *hide,
			size_t expect_whole)
{
	git_oid tip_ids[8];
	vault_walk *w;
	size_t i, whole = 0;

	for (i = 0; i < ntips; i++)
		git_oid_cpy(&tip_ids[i], &h->ids[tips[i]]);
	assert_int_equal(vault_walk__new(&w, h->repo, tip_ids, ntips, hide ? &h->ids[*hide] : NULL), 0);
	for (i = 0; i < vault_walk__count(w); i++) {
		int said = vault_walk__whole(w, i), truth = truly_whole(h, w, i, hide);

		if (said != truth)
			fail_msg("commit %zu, at %zu of the walk: whole %d, but git says %d",
				 index_of(h, vault_walk__at(w, i)), i, said, truth);
		whole += (size_t)said;
	}
	assert_int_equal(whole, expect_whole);
	vault_walk__free(w);
}

static void walk_tells_whole(void **state)
{
	history h;
	size_t base, ours, theirs, m, mt, p[2], tips[2], root2, i;

	(void)state;
	history_open(&h);
	base = commit_on(&h, NULL, 0);
	base = commit_on(&h, &base, 1);
	ours = theirs = base;
	for (i = 0; i < 3; i++) {
		ours = commit_on(&h, &ours, 1);
		theirs = commit_on(&h, &theirs, 1);
	}
	/* ours merges theirs: ours' line is whole, theirs' three are not, the merge is */
	p[0] = ours, p[1] = theirs;
	m = commit_on(&h, p, 2);
	check_whole(&h, &m, 1, NULL, 2 + 3 + 1);
	/* theirs merges ours: the same, the sides swapped */
	p[0] = theirs, p[1] = ours;
	mt = commit_on(&h, p, 2);
	check_whole(&h, &mt, 1, NULL, 2 + 3 + 1);
	/* a pull's walk from ours: theirs' three after ours' history, then the merge */
	check_whole(&h, &m, 1, &ours, 1);
	/* from ours, a merge whose first parent is theirs (ours only by its second) */
	check_whole(&h, &mt, 1, &ours, 1);
	/* from ours, their side alone: none is whole (ours is not in their history) */
	check_whole(&h, &theirs, 1, &ours, 0);
	/* from ours, a line on top of ours: all of it */
	tips[0] = commit_on(&h, &ours, 1);
	tips[0] = commit_on(&h, &tips[0], 1);
	check_whole(&h, tips, 1, &ours, 2);
	/* two tips: the second's own commits come after the first's history */
	tips[1] = commit_on(&h, &theirs, 1);
	check_whole(&h, tips, 2, NULL, 2 + 3 + 2);
	/* a second root, merged in: its line is not whole, the merge is */
	root2 = commit_on(&h, NULL, 0);
	root2 = commit_on(&h, &root2, 1);
	p[0] = m, p[1] = root2;
	m = commit_on(&h, p, 2);
	check_whole(&h, &m, 1, NULL, 2 + 3 + 1 + 1);
	history_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_a_long_line),
		cmocka_unit_test(walk_merges),
		cmocka_unit_test(walk_missing_parent),
		cmocka_unit_test(walk_reads_a_merge_once),
		cmocka_unit_test(walk_tells_whole),
	};
	int rc;

	git_libgit2_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rc;
}
