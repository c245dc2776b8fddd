/*
 * commitgraph.c - a commit-graph file checked against the commits it
 * describes (commitgraph.h says why).
 *
 * The format is git's (Documentation/gitformat-commit-graph.txt):
 *
 *   "CGPH" 1 (version) 1 (SHA-1) chunks bases | a table of chunks, (ID,
 *   offset) pairs ending with ID 0 | OIDF: 256 counts | OIDL: the
 *   commits' names, sorted | CDAT: for each, its tree's name, its first
 *   and second parent's places (0x70000000: none; a second with the
 *   high bit set: where its parents from the second on start in EDGE),
 *   its topological level (30 bits) and commit time (34 bits) | EDGE:
 *   places, the last with the high bit set | GDA2: each commit's
 *   corrected date less its time (the high bit set: its place in GDO2,
 *   8 bytes) | a checksum.
 *
 * A parent's place counts the commits of every layer below first (a
 * chain's layers, objects/info/commit-graphs/graph-X.graph, base first).
 * Every number read is checked before it is used.
 */
#include "commitgraph.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "util.h"
#include "vault.h"
#include "walk.h"

#define NAME GIT_OID_RAWSZ
#define HEADER 8
#define CHUNKS_MAX 64
#define LAYERS_MAX 64
#define NO_PARENT 0x70000000u
#define EDGE_LAST 0x80000000u
#define LEVEL_MAX 0x3fffffffu
#define CDAT_WIDTH (NAME + 16)

typedef void (*graph_bad)(void *payload, const char *file, const git_oid *id, const char *why);

/* findings said of one file, at most; then how many more */
#define FINDINGS_MAX 100

/* one graph file, read whole (its size bounded by what it says) */
typedef struct {
	char path[4200];
	uint32_t count;            /* commits in it */
	uint64_t first;            /* commits in the layers below */
	unsigned char *oids, *cdat, *edge, *gda, *gdo;
	uint64_t nedge, ngdo;
	unsigned char *bidx, *bdat; /* changed-path filters: ends, then settings and bytes */
	uint64_t nbdat;
	uint64_t findings;         /* said of it */
} layer;

/* the graph: its layers, base first */
typedef struct {
	layer layer[LAYERS_MAX];
	size_t n;
	uint64_t total, max;       /* commits in the layers read; at most */
	const vault_walk *walk;    /* the history */
	unsigned char *history;    /* its commits' names, sorted: made when a filter is met */
	graph_bad bad;
	void *payload;
} graph;

static int name_cmp(const void *a, const void *b)
{
	return memcmp(a, b, NAME);
}

/* The names of the commits of `walk`, sorted (20 bytes a commit). */
static unsigned char *history_sorted(const vault_walk *walk)
{
	size_t n = vault_walk__count(walk), i;
	unsigned char *names = malloc(n * NAME + 1);

	if (!names)
		abort();
	for (i = 0; i < n; i++)
		memcpy(names + i * NAME, vault_walk__at(walk, i)->id, NAME);
	qsort(names, n, NAME, name_cmp);
	return names;
}

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const unsigned char *b)
{
	return (uint64_t)be32(b) << 32 | be32(b + 4);
}

static void layers_free(graph *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->layer[i].oids);
		free(g->layer[i].cdat);
		free(g->layer[i].edge);
		free(g->layer[i].gda);
		free(g->layer[i].gdo);
		free(g->layer[i].bidx);
		free(g->layer[i].bdat);
	}
	g->n = 0;
	g->total = 0;
}

/* `len` bytes at `at` of fd, into a new buffer; NULL and why */
static unsigned char *read_part(int fd, uint64_t at, uint64_t len, const char **why)
{
	unsigned char *buf;
	size_t done = 0;

	if ((buf = malloc(len ? len : 1)) == NULL)
		abort();
	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(at + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = n < 0 ? strerror(errno) : "the file ends early";
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	return buf;
}

/*
 * One graph file into g's next layer: 1 when it is not there, 0 read, -1
 * when git could not read it (said).
 */
static int layer_read(graph *g, const char *path)
{
	unsigned char head[HEADER], table[(CHUNKS_MAX + 1) * 12];
	uint64_t at[CHUNKS_MAX + 1], size, oidf = 0, oidl = 0, oidl_end = 0, cdat = 0, cdat_end = 0;
	uint64_t edge = 0, edge_end = 0, gda = 0, gda_end = 0, gdo = 0, gdo_end = 0;
	uint64_t bidx = 0, bdat = 0;  /* where they start: git reads on from there */
	const char *why = NULL;
	layer *l = &g->layer[g->n];
	unsigned char *fan = NULL;
	struct stat st;
	unsigned i, nchunks;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 1;
		why = strerror(errno);
		goto bad;
	}
	memset(l, 0, sizeof(*l));
	vault__fmt_message(l->path, sizeof(l->path), "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		why = "not a regular file";
		goto bad;
	}
	size = (uint64_t)st.st_size;
	if (size < HEADER + 12 + NAME || pread(fd, head, HEADER, 0) != HEADER) {
		why = "the file ends early";
		goto bad;
	}
	if (memcmp(head, "CGPH", 4) || head[4] != 1 || head[5] != 1) {
		why = "not a commit-graph of version 1 over SHA-1";
		goto bad;
	}
	if ((nchunks = head[6]) > CHUNKS_MAX) {
		why = "more chunks than git writes";
		goto bad;
	}
	if (pread(fd, table, (nchunks + 1) * 12, HEADER) != (ssize_t)((nchunks + 1) * 12)) {
		why = "the file ends early";
		goto bad;
	}
	for (i = 0; i <= nchunks; i++) {
		at[i] = be64(table + i * 12 + 4);
		if (at[i] < HEADER + (nchunks + 1) * 12 || at[i] > size - NAME ||
		    (i > 0 && at[i] < at[i - 1])) {
			why = "a chunk outside the file, or out of order";
			goto bad;
		}
	}
	/* refused as git refuses it (chunk-format.c): an ID 0 before the
	 * end, the end's not 0, an ID twice; git then reads the next
	 * folder's graph, as this does */
	if (be32(table + nchunks * 12) != 0) {
		why = "its table of chunks does not end as git's does";
		goto bad;
	}
	for (i = 0; i < nchunks; i++) {
		uint32_t id = be32(table + i * 12);
		unsigned j;

		for (j = 0; j < i && id; j++)
			if (be32(table + j * 12) == id)
				id = 0;
		if (!id) {
			why = "its table of chunks names a chunk 0 or twice";
			goto bad;
		}
		if (id == 0x4f494446u)          /* OIDF */
			oidf = at[i];
		else if (id == 0x4f49444cu)     /* OIDL */
			oidl = at[i], oidl_end = at[i + 1];
		else if (id == 0x43444154u)     /* CDAT */
			cdat = at[i], cdat_end = at[i + 1];
		else if (id == 0x45444745u)     /* EDGE */
			edge = at[i], edge_end = at[i + 1];
		else if (id == 0x47444132u)     /* GDA2 */
			gda = at[i], gda_end = at[i + 1];
		else if (id == 0x47444f32u)     /* GDO2 */
			gdo = at[i], gdo_end = at[i + 1];
		else if (id == 0x42494458u)     /* BIDX */
			bidx = at[i];
		else if (id == 0x42444154u)     /* BDAT */
			bdat = at[i];
	}
	if (!oidf || !oidl || !cdat) {
		why = "a chunk git needs is missing";
		goto bad;
	}
	/* its rows, as git counts them: the names' table's size (the
	 * fan-out's count is only what a search finds; a parent's place may
	 * name any row) */
	if ((fan = read_part(fd, oidf + 255 * 4, 4, &why)) == NULL)
		goto bad;
	if ((oidl_end - oidl) % NAME || (oidl_end - oidl) / NAME > UINT32_MAX ||
	    be32(fan) != (oidl_end - oidl) / NAME) {
		free(fan);
		why = "its fan-out does not count the commits it names";
		goto bad;
	}
	free(fan);
	l->count = (uint32_t)((oidl_end - oidl) / NAME);
	if (cdat_end - cdat < (uint64_t)l->count * CDAT_WIDTH ||
	    (gda && gda_end - gda < (uint64_t)l->count * 4)) {
		why = "a table shorter than its count of commits";
		goto bad;
	}
	/* what a forger's count would make it read and allocate, bounded by
	 * the history: a graph lists commits the vault holds */
	if (g->total + l->count > g->max) {
		why = "it lists more commits than the vault's history holds";
		goto bad;
	}
	l->nedge = edge ? (edge_end - edge) / 4 : 0;
	l->ngdo = gdo ? (gdo_end - gdo) / 8 : 0;
	if ((l->oids = read_part(fd, oidl, (uint64_t)l->count * NAME, &why)) == NULL ||
	    (l->cdat = read_part(fd, cdat, (uint64_t)l->count * CDAT_WIDTH, &why)) == NULL ||
	    (l->edge = read_part(fd, edge, l->nedge * 4, &why)) == NULL ||
	    (gda && (l->gda = read_part(fd, gda, (uint64_t)l->count * 4, &why)) == NULL) ||
	    (l->gdo = read_part(fd, gdo, l->ngdo * 8, &why)) == NULL) {
		free(l->oids);
		free(l->cdat);
		free(l->edge);
		free(l->gda);
		goto bad;
	}
	/* changed-path filters, as git reads them: both chunks, the index
	 * one end for each commit, the data its settings (12 bytes) first */
	/* git 2.39 reads both from where they start, whatever size the
	 * table gives them (a BIDX of 0 bytes is read on into what follows):
	 * so here, as far as the file goes */
	if (bidx && bdat && size - bidx >= (uint64_t)l->count * 4 && size - bdat >= 12) {
		l->nbdat = size - bdat - 12;
		if ((l->bidx = read_part(fd, bidx, (uint64_t)l->count * 4, &why)) == NULL ||
		    (l->bdat = read_part(fd, bdat, size - bdat, &why)) == NULL) {
			free(l->oids);
			free(l->cdat);
			free(l->edge);
			free(l->gda);
			free(l->gdo);
			free(l->bidx);
			goto bad;
		}
	}
	l->first = g->total;
	g->total += l->count;
	g->n++;
	close(fd);
	return 0;
bad:
	if (fd >= 0)
		close(fd);
	g->bad(g->payload, path, NULL, why);
	return -1;
}

/* A finding on layer l's commit `id`: the first FINDINGS_MAX said (a
 * forged graph of a million rows makes no million lines). */
static void say(graph *g, layer *l, const git_oid *id, const char *why)
{
	if (l->findings++ < FINDINGS_MAX)
		g->bad(g->payload, l->path, id, why);
}

/* the layer and row of place `pos` */
static layer *place(graph *g, uint64_t pos, uint32_t *row)
{
	size_t i;

	for (i = g->n; i-- > 0;)
		if (pos >= g->layer[i].first) {
			*row = (uint32_t)(pos - g->layer[i].first);
			return &g->layer[i];
		}
	return NULL;
}

/*
 * The parents of place `pos` as the graph gives them: into out (at most
 * max), their count; -1 (said) when one is outside the graph or its
 * list in EDGE runs past it.
 */
static long parents_of(uint64_t *out, size_t max, graph *g, uint64_t pos)
{
	uint32_t row, p1, p2, e;
	layer *l = place(g, pos, &row);
	const unsigned char *c = l->cdat + (size_t)row * CDAT_WIDTH;
	git_oid id;
	long n = 0;

	memcpy(id.id, l->oids + (size_t)row * NAME, NAME);
	p1 = be32(c + NAME);
	p2 = be32(c + NAME + 4);
	if (p1 == NO_PARENT)
		return 0;
	out[n++] = p1;
	if (p2 != NO_PARENT && !(p2 & EDGE_LAST)) {
		out[n++] = p2;
	} else if (p2 != NO_PARENT) {
		for (e = p2 & ~EDGE_LAST;; e++) {
			uint32_t v;

			if (e >= l->nedge || (size_t)n == max) {
				say(g, l, &id, "its list of parents runs past the graph's");
				return -1;
			}
			v = be32(l->edge + (size_t)e * 4);
			out[n++] = v & ~EDGE_LAST;
			if (v & EDGE_LAST)
				break;
		}
	}
	for (e = 0; e < (uint32_t)n; e++)
		if (out[e] >= g->total) {
			say(g, l, &id, "a parent outside the graph");
			return -1;
		}
	return n;
}

#define PARENTS_MAX 1024

/* A commit of the graph against the commit itself. */
static int check_one(graph *g, git_repository *repo, uint64_t pos)
{
	uint64_t parents[PARENTS_MAX], time;
	uint32_t row;
	layer *l = place(g, pos, &row);
	const unsigned char *c = l->cdat + (size_t)row * CDAT_WIDTH;
	git_commit *commit;
	git_oid id, tree;
	long n, i;
	int error;

	memcpy(id.id, l->oids + (size_t)row * NAME, NAME);
	memcpy(tree.id, c, NAME);
	if ((error = git_commit_lookup(&commit, repo, &id)) == GIT_ENOTFOUND) {
		git_odb *odb = NULL;
		int held = git_repository_odb(&odb, repo) == 0 && git_odb_exists(odb, &id);

		git_odb_free(odb);
		say(g, l, &id, held ? "it lists an object that is no commit" :
				      "it lists a commit the vault does not hold");
		return 0;
	}
	/* no commit (a blob, one git cannot parse): said, not an error that
	 * would drop every finding made */
	if (error < 0) {
		const git_error *e = git_error_last();
		char why[512];

		vault__fmt_message(why, sizeof(why), "it lists an object that is no commit: %s",
				   e ? e->message : "no reason given");
		say(g, l, &id, why);
		return 0;
	}
	if (!git_oid_equal(&tree, git_commit_tree_id(commit)))
		say(g, l, &id,
		       "it gives the commit another tree than it records: git log shows that one");
	if ((n = parents_of(parents, PARENTS_MAX, g, pos)) >= 0) {
		int same = (unsigned long)n == git_commit_parentcount(commit);

		for (i = 0; same && i < n; i++) {
			layer *pl = place(g, parents[i], &row);

			same = !memcmp(pl->oids + (size_t)row * NAME,
				       git_commit_parent_id(commit, (unsigned)i)->id, NAME);
		}
		if (!same)
			say(g, l, &id,
			       "it gives the commit other parents than it records: git log walks those");
	}
	time = ((uint64_t)(be32(c + NAME + 8) & 3) << 32) | be32(c + NAME + 12);
	if (git_commit_time(commit) >= 0 && time != (uint64_t)git_commit_time(commit))
		say(g, l, &id, "it gives the commit another date than it records");
	git_commit_free(commit);
	return 0;
}

/*
 * Each commit's generation numbers against its parents': its
 * topological level one more than its parents' highest (at most
 * LEVEL_MAX), its corrected date (where the graph has them) the later of
 * its time and one past its parents' latest.  Parents first, by a walk
 * of its own (no recursion): the graph's numbers order nothing here.
 */
static int check_generations(graph *g)
{
	uint32_t *level = calloc(g->total + 1, sizeof(*level));
	uint64_t *corrected = calloc(g->total + 1, sizeof(*corrected));
	uint64_t *stack = malloc((g->total + 1) * sizeof(*stack)), parents[PARENTS_MAX];
	uint64_t start;

	if (!level || !corrected || !stack)
		abort();
	for (start = 0; start < g->total; start++) {
		size_t depth = 0;

		if (level[start])
			continue;
		stack[depth++] = start;
		while (depth > 0) {
			uint64_t pos = stack[depth - 1], max_corrected = 0, time, want_date;
			uint32_t row, max_level = 0, got;
			layer *l = place(g, pos, &row);
			const unsigned char *c = l->cdat + (size_t)row * CDAT_WIDTH;
			long n = parents_of(parents, PARENTS_MAX, g, pos), i;
			int ready = 1;
			git_oid id;

			if (n < 0)
				n = 0;
			for (i = 0; i < n; i++) {
				/* itself, or one on the stack: a loop (no commit's
				 * parents can make one; its parents' finding says it) */
				if (parents[i] == pos || level[parents[i]] == UINT32_MAX)
					continue;
				if (!level[parents[i]]) {
					ready = 0;
					level[pos] = UINT32_MAX;  /* on the stack */
					stack[depth++] = parents[i];
					break;
				}
				if (level[parents[i]] > max_level)
					max_level = level[parents[i]];
				if (corrected[parents[i]] > max_corrected)
					max_corrected = corrected[parents[i]];
			}
			if (!ready)
				continue;
			depth--;
			memcpy(id.id, l->oids + (size_t)row * NAME, NAME);
			got = be32(c + NAME + 8) >> 2;
			level[pos] = max_level >= LEVEL_MAX ? LEVEL_MAX : max_level + 1;
			if (got != level[pos])
				say(g, l, &id,
				       "its generation number is not one more than its parents' "
				       "(git may skip commits of the history)");
			time = ((uint64_t)(be32(c + NAME + 8) & 3) << 32) | be32(c + NAME + 12);
			want_date = n && max_corrected + 1 > time ? max_corrected + 1 : time;
			corrected[pos] = want_date;
			if (l->gda) {
				uint32_t off = be32(l->gda + (size_t)row * 4);
				uint64_t have = off;

				if (off & 0x80000000u)
					have = (off & 0x7fffffffu) < l->ngdo ?
					       be64(l->gdo + (size_t)(off & 0x7fffffffu) * 8) : UINT64_MAX;
				if (have != want_date - time)
					say(g, l, &id,
					       "its corrected date is not its parents' latest one past "
					       "(git may skip commits of the history)");
			}
		}
	}
	free(level);
	free(corrected);
	free(stack);
	return 0;
}

/* --- changed-path filters (git's bloom.c) ----------------------------- */

static uint32_t rotl(uint32_t v, int r)
{
	return v << r | v >> (32 - r);
}

/*
 * MurmurHash3 (32 bits), as git's bloom filters of version 1 compute it:
 * each byte read as a char, which is signed on the machines git writes
 * them on, so a byte past 0x7f is sign-extended.
 */
static uint32_t murmur3(uint32_t seed, const char *data, size_t len)
{
	const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
	const signed char *d = (const signed char *)data;
	uint32_t k;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		k = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 |
		    (uint32_t)d[i + 3] << 24;
		k = rotl(k * c1, 15) * c2;
		seed = rotl(seed ^ k, 13) * 5 + 0xe6546b64;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)d[i + 2] << 16;
		/* fall through */
	case 2:
		k ^= (uint32_t)d[i + 1] << 8;
		/* fall through */
	case 1:
		k ^= (uint32_t)d[i];
		seed ^= rotl(k * c1, 15) * c2;
	}
	seed ^= (uint32_t)len;
	seed ^= seed >> 16;
	seed *= 0x85ebca6b;
	seed ^= seed >> 13;
	seed *= 0xc2b2ae35;
	return seed ^ (seed >> 16);
}

/* what git's filter of `len` bytes says of `path`: 0 not there, else maybe */
static int filter_has(const unsigned char *filter, uint64_t len, uint32_t hashes,
		      const char *path, size_t plen)
{
	uint32_t h0 = murmur3(0x293ae76f, path, plen), h1 = murmur3(0x7e646e2c, path, plen), i;

	if (!len)
		return 1;
	for (i = 0; i < hashes; i++) {
		uint64_t bit = (uint32_t)(h0 + i * h1) % (len * 8);

		if (!(filter[bit / 8] & (1u << (bit % 8))))
			return 0;
	}
	return 1;
}

typedef struct {
	const unsigned char *filter;
	uint64_t len;
	uint32_t hashes;
	const char *missed;        /* the first path it passes over */
	char path[4096];
} filter_walk;

/* each path the diff changed, and each folder it is in */
static int filter_delta(const git_diff_delta *delta, float progress, void *payload)
{
	filter_walk *w = payload;
	const char *path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
	size_t len = strlen(path);

	(void)progress;
	while (len > 0 && !w->missed) {
		if (!filter_has(w->filter, w->len, w->hashes, path, len)) {
			vault__fmt_message(w->path, sizeof(w->path), "%.*s", (int)len, path);
			w->missed = w->path;
		}
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (len > 0)
			len--;             /* the folder, without its slash */
	}
	return w->missed ? 1 : 0;
}

/*
 * The changed-path filter of place `pos`, where its layer has them, as
 * `git log -- PATH` reads it (the settings of the top layer that has
 * filters, the bytes of the commit's own): every path the commit
 * changed against its first parent (or, a root, the empty tree), and
 * each folder of it, must be a maybe; git passes over a commit whose
 * filter says no (past 512 paths changed, git writes one of all ones).
 */
static int check_filter(graph *g, git_repository *repo, uint64_t pos, uint32_t hashes)
{
	uint32_t row, start, end;
	layer *l = place(g, pos, &row);
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *before = NULL;
	git_diff *diff = NULL;
	filter_walk w;
	git_oid id;
	int error = 0;

	if (!l->bidx)
		return 0;
	memcpy(id.id, l->oids + (size_t)row * NAME, NAME);
	/* a commit not of the history: git log of the vault walks it not,
	 * and its diff is the forger's to make as long as it likes */
	if (!g->history)
		g->history = history_sorted(g->walk);
	if (!bsearch(id.id, g->history, vault_walk__count(g->walk), NAME, name_cmp))
		return 0;
	start = row ? be32(l->bidx + (size_t)(row - 1) * 4) : 0;
	end = be32(l->bidx + (size_t)row * 4);
	if (end < start || end > l->nbdat) {
		say(g, l, &id, "its changed-path filter is outside the graph's");
		return 0;
	}
	/* a commit git cannot read was said above */
	if (git_commit_lookup(&commit, repo, &id) < 0)
		return 0;
	if (git_commit_tree(&tree, commit) < 0 ||
	    (git_commit_parentcount(commit) > 0 &&
	     (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&before, parent) < 0)) ||
	    git_diff_tree_to_tree(&diff, repo, before, tree, NULL) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read what commit %s changed",
					 git_oid_tostr_s(&id));
		goto done;
	}
	memset(&w, 0, sizeof(w));
	w.filter = l->bdat + 12 + start;
	w.len = end - start;
	w.hashes = hashes;
	if (git_diff_foreach(diff, filter_delta, NULL, NULL, NULL, &w) < 0 && !w.missed)
		error = vault_error__git(VAULT_ERROR, "cannot read what commit %s changed",
					 git_oid_tostr_s(&id));
	if (w.missed) {
		char why[4300];

		vault__fmt_message(why, sizeof(why),
				   "its changed-path filter leaves out '%s', which it changed: "
				   "git log -- %s passes over it", w.missed, w.missed);
		say(g, l, &id, why);
	}
done:
	git_diff_free(diff);
	git_tree_free(before);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(commit);
	return error;
}

/* git's settings of its filters: version 1, 7 hashes, 10 bits a path */
#define FILTER_HASHES 7

/*
 * The number of hashes of the graph's filters (0: it has none): every
 * layer that has them must say git's settings, which git writes and no
 * other (a layer saying 65 hashes, 2^32, or version 2 made git read
 * filters this could not); one that does not is said, and its filters
 * then checked with git's.
 */
static uint32_t filter_hashes(graph *g)
{
	uint32_t hashes = 0;
	size_t i;

	for (i = 0; i < g->n; i++) {
		const unsigned char *b = g->layer[i].bdat;

		if (!b)
			continue;
		hashes = FILTER_HASHES;
		if (be32(b) != 1 || be32(b + 4) != FILTER_HASHES || be32(b + 8) != 10)
			g->bad(g->payload, g->layer[i].path, NULL,
			       "its changed-path filters' settings are not git's (version 1, "
			       "7 hashes, 10 bits a path)");
	}
	return hashes;
}

static int check_graph(graph *g, git_repository *repo)
{
	uint64_t pos;
	size_t i;
	int error = 0;

	uint32_t hashes = filter_hashes(g);

	for (pos = 0; pos < g->total && !error; pos++)
		error = check_one(g, repo, pos);
	for (pos = 0; hashes && pos < g->total && !error; pos++)
		error = check_filter(g, repo, pos, hashes);
	if (!error)
		error = check_generations(g);
	for (i = 0; !error && i < g->n; i++)
		if (g->layer[i].findings > FINDINGS_MAX) {
			char why[128];

			vault__fmt_message(why, sizeof(why), "%llu findings more on its commits",
					   (unsigned long long)(g->layer[i].findings - FINDINGS_MAX));
			g->bad(g->payload, g->layer[i].path, NULL, why);
		}
	layers_free(g);
	return error;
}

static int listed(char lines[][2 * NAME + 1], size_t n, const char *line)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(lines[i], line))
			return 1;
	return 0;
}

/* The chain of `objects`, its layers looked for in every folder of
 * `dirs` (git's load_commit_graph_chain): 1 when there is none. */
static int chain_check(graph *g, git_repository *repo, const char *objects,
		       const char *const *dirs, size_t ndirs)
{
	char path[4200], chain[4200], line[128], lines[LAYERS_MAX][2 * NAME + 1];
	struct stat st;
	size_t i, count;
	FILE *f;
	int fd, r = 0;

	if (vault__fmt(chain, sizeof(chain), "path", "%s/info/commit-graphs/commit-graph-chain",
		       objects) < 0)
		return VAULT_ERROR;
	if ((fd = open(chain, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		g->bad(g->payload, chain, NULL, "not a regular file");
		return 0;
	}
	/* as many lines as git reads: the size over a line's (a last line
	 * without its newline is not read) */
	for (count = (size_t)st.st_size / (2 * NAME + 1); r == 0 && count > 0 &&
	     fgets(line, sizeof(line), f); count--) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strlen(line) != 2 * NAME || strspn(line, "0123456789abcdef") != 2 * NAME) {
			g->bad(g->payload, chain, NULL, "a line that names no graph file");
			r = -1;
		} else if (g->n == LAYERS_MAX) {
			g->bad(g->payload, chain, NULL, "more layers than git writes");
			r = -1;
		} else if (listed(lines, g->n, line)) {
			g->bad(g->payload, chain, NULL, "it lists a layer twice (git refuses it)");
			r = -1;
		} else {
			/* the first folder that has it, as git looks */
			/* one git cannot read sends it to the next folder */
			for (i = 0, r = 1; i < ndirs && r != 0; i++) {
				if (vault__fmt(path, sizeof(path), "path",
					       "%s/info/commit-graphs/graph-%s.graph", dirs[i], line) < 0)
					break;
				r = layer_read(g, path);
			}
			if (r != 0) {
				g->bad(g->payload, chain, NULL,
				       "it names a layer no objects folder holds whole");
				r = -1;
			} else {
				memcpy(lines[g->n - 1], line, 2 * NAME + 1);
			}
		}
	}
	fclose(f);
	if (r < 0 || g->n == 0) {
		layers_free(g);
		return 2;          /* git reads none of it: the next folder's */
	}
	return check_graph(g, repo);
}

int vault_commitgraph__check(git_repository *repo, const char *const *dirs, size_t ndirs,
			     const vault_walk *history, graph_bad bad, void *payload)
{
	char path[4200];
	size_t i;
	graph g;
	int r = 0, c;

	memset(&g, 0, sizeof(g));
	g.bad = bad;
	g.payload = payload;
	g.max = vault_walk__count(history);
	g.walk = history;
	/* git reads the graph of the first folder that has one (its own,
	 * then its alternates'): its one file, or else its chain; both are
	 * read here, a forged file beside an honest one being no less */
	for (i = 0; i < ndirs; i++) {
		if (vault__fmt(path, sizeof(path), "path", "%s/info/commit-graph", dirs[i]) < 0)
			return VAULT_ERROR;
		/* its one file, when git reads it, is the graph */
		if (layer_read(&g, path) == 0) {
			r = check_graph(&g, repo);
			break;
		}
		/* else its chain; one git cannot read at all, the next
		 * folder's (each unreadable file said) */
		if ((c = chain_check(&g, repo, dirs[i], dirs, ndirs)) <= 0) {
			r = c;
			break;
		}
	}
	free(g.history);
	return r;
}
