#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "error.h"
#include "objcache.h"
#include "packread.h"
#include "record.h"
#include "sign.h"
#include "util.h"
#include "vault.h"

typedef struct quarantine quarantine;
typedef struct packs_proxy packs_proxy;
typedef struct loose_proxy loose_proxy;

/*
 * The folders on the way to the path looked up last under one top folder
 * of one tree, held.
 *
 * A record's checks read many paths of one folder, in one commit's tree
 * and its parent's, and a commit's changes come in tree order: resolving
 * each path from the root again reads the same few folders again, and
 * once libgit2's object cache has let them go (verify keeps it at 1 MB),
 * each read inflates and hashes them again (2 in 5 of verify's time on
 * commits of 10,000 revisions).  A path outside the folders held (a
 * signer's users/NAME/user.json between two documents' files) takes the
 * cursor used longest ago.  Folders are named by their content, so what
 * a cursor holds never goes stale.
 */
/* alternates of alternates followed, as libgit2 follows them */
#define ALTERNATES_DEPTH 5
#define ALTERNATES_MAX 64
#define CURSOR_LEVELS 8  /* docs/HH/HH/DOC/REV/files: 6 */
#define CURSORS 4        /* two top folders of a commit's tree and its parent's */

/*
 * Folders read lately, by name, while a long read keeps them
 * (vault_store__keep_trees): the commits of a history share most of
 * their folders (users/, the upper levels of a fan-out), and a diff reads
 * a commit's folders again as its child's parent's.  Each is read (and
 * hashed, as libgit2 hashes every object it reads) once, then served from
 * here.  A set of TREE_WAYS slots chosen by a name's first bytes; the one
 * used longest ago goes.  What each holds is counted, its entries' names
 * too, against the budget, and one folder takes at most a sixteenth of
 * it (helper-123: forged names of 12 KB, counted as entries alone, held
 * 1.28 GB).  Folders are named by their content: what is kept never goes
 * stale.
 */
#define TREE_SETS 512
#define TREE_WAYS 2
#define TREE_COST 640             /* a folder's bytes besides its entries' (about) */
#define TREE_ENTRY_COST 64        /* an entry's, besides its name (id, mode, libgit2's entry) */
#define TREE_SHARE 16             /* a folder above this share of the budget is not kept */

typedef struct {
	git_tree *tree;
	size_t cost;
	unsigned long used;
} tree_slot;

typedef struct {
	git_oid root;                     /* the tree it starts from */
	size_t depth;                     /* folders held */
	size_t end[CURSOR_LEVELS];        /* folder i is path[0, end[i]) */
	git_tree *tree[CURSOR_LEVELS];
	unsigned long used;               /* when last used (0: never) */
	char path[VAULT_PATH_MAX];
} tree_cursor;

struct vault_store {
	git_repository *repo;
	git_odb *odb;
	quarantine *q;        /* owned by the odb, which frees it */
	loose_proxy *loose;   /* the same */
	packs_proxy *packs[1 + ALTERNATES_MAX]; /* the same: its own, then its alternates' */
	size_t npacks;
	size_t alternates_over; /* alternates past ALTERNATES_MAX, not read */
	unsigned char *chunk; /* VAULT_CHUNK bytes, reused by every stream */
	tree_cursor cursor[CURSORS];
	unsigned long lookups;
	tree_slot *trees;     /* TREE_SETS * TREE_WAYS, or NULL: none kept */
	size_t trees_cost, trees_max;
};

/* Let go of the folders `c` holds past the first `keep`. */
static void cursor_drop(tree_cursor *c, size_t keep)
{
	while (c->depth > keep)
		git_tree_free(c->tree[--c->depth]);
}

static void trees_drop(vault_store *s)
{
	size_t i;

	for (i = 0; s->trees && i < TREE_SETS * TREE_WAYS; i++)
		git_tree_free(s->trees[i].tree);
	free(s->trees);
	s->trees = NULL;
	s->trees_cost = 0;
}

void vault_store__keep_trees(vault_store *s, size_t bytes)
{
	trees_drop(s);
	s->trees_max = bytes;
	if (bytes && (s->trees = calloc(TREE_SETS * TREE_WAYS, sizeof(*s->trees))) == NULL)
		abort();
}

/*
 * The folder `id` of the repository into *out (the caller's to free), as
 * git_tree_lookup() reads it: kept, or read and then kept when it fits.
 */
static int tree_lookup(git_tree **out, vault_store *s, const git_oid *id)
{
	tree_slot *set, *old;
	size_t i, cost;

	if (!s->trees)
		return git_tree_lookup(out, s->repo, id);
	set = &s->trees[(((size_t)id->id[0] << 8 | id->id[1]) % TREE_SETS) * TREE_WAYS];
	old = &set[0];
	for (i = 0; i < TREE_WAYS; i++) {
		if (set[i].tree && git_oid_equal(git_tree_id(set[i].tree), id)) {
			set[i].used = ++s->lookups;
			return git_object_dup((git_object **)out, (git_object *)set[i].tree);
		}
		if (set[i].used < old->used)
			old = &set[i];
	}
	if (git_tree_lookup(out, s->repo, id) < 0)
		return -1;
	/* what it holds, names and all (a forger's names may be 64 KB each) */
	cost = TREE_COST;
	for (i = 0; i < git_tree_entrycount(*out); i++)
		cost += TREE_ENTRY_COST + strlen(git_tree_entry_name(git_tree_entry_byindex(*out, i)));
	if (cost > s->trees_max / TREE_SHARE)
		return 0;  /* read, not kept, and nothing let go for it */
	git_tree_free(old->tree);
	s->trees_cost -= old->cost;
	old->tree = NULL;
	old->cost = 0;
	old->used = 0;
	if (s->trees_cost + cost > s->trees_max)
		return 0;  /* read, not kept: too much is */
	if (git_object_dup((git_object **)&old->tree, (git_object *)*out) < 0)
		return 0;
	old->cost = cost;
	old->used = ++s->lookups;
	s->trees_cost += cost;
	return 0;
}

static unsigned char *chunk_buffer(vault_store *s)
{
	if (!s->chunk && (s->chunk = malloc(VAULT_CHUNK)) == NULL)
		abort();
	return s->chunk;
}

/*
 * The packed-object backend, behind a refresh that looks before it leaps.
 *
 * libgit2 refreshes every backend whenever a lookup misses, and every new
 * object written is first looked up: its pack backend then rereads the
 * pack folder, several system calls per object, hundreds of thousands of
 * them in a large import.  This proxy rereads only when the folder's
 * mtime moved, or is too recent to trust: a timestamp comes from a clock
 * that ticks every few milliseconds, so a second change in the same tick
 * would not move it.
 */
/* older than this, a folder's mtime cannot hide a change (ticks are ms) */
#define TRUSTED_AGE_MS 100

struct packs_proxy {
	git_odb_backend parent;
	git_odb_backend *inner; /* NULL once let go of, until read or reopened */
	int pread;              /* inner is packread.c's, not libgit2's */
	dev_t dev;              /* the objects folder's, to add it once */
	ino_t ino;
	char objects[4096];     /* the objects folder, and its pack folder */
	char dir[4096];
	struct timespec seen;
};

/*
 * The packs, opened again if they were let go of and not yet reopened (a
 * reopen that failed: libgit2's error, not a read that finds nothing).
 */
static git_odb_backend *proxy_inner(git_odb_backend *b)
{
	packs_proxy *p = (packs_proxy *)b;

	if (!p->inner && (p->pread ? vault_packread__new(&p->inner, p->objects) :
				      git_odb_backend_pack(&p->inner, p->objects)) < 0)
		p->inner = NULL;
	return p->inner;
}

#define PROXY_FORWARD(name, params, args)                                   \
	static int proxy_##name params                                      \
	{                                                                   \
		git_odb_backend *in = proxy_inner(b);                       \
		return in ? in->name args : GIT_ERROR;                      \
	}
PROXY_FORWARD(read, (void **d, size_t *l, git_object_t *t, git_odb_backend *b,
		     const git_oid *o), (d, l, t, in, o))
PROXY_FORWARD(read_prefix, (git_oid *f, void **d, size_t *l, git_object_t *t,
			    git_odb_backend *b, const git_oid *o, size_t n),
	      (f, d, l, t, in, o, n))
PROXY_FORWARD(read_header, (size_t *l, git_object_t *t, git_odb_backend *b,
			    const git_oid *o), (l, t, in, o))
/* not found, when the packs cannot be opened (libgit2 reads any
 * non-zero answer as found) */
static int proxy_exists(git_odb_backend *b, const git_oid *o)
{
	git_odb_backend *in = proxy_inner(b);

	return in ? in->exists(in, o) : 0;
}
PROXY_FORWARD(exists_prefix, (git_oid *f, git_odb_backend *b, const git_oid *o,
			      size_t n), (f, in, o, n))
/* packread.c reads only: an object it has is as fresh as its pack */
static int proxy_freshen(git_odb_backend *b, const git_oid *o)
{
	git_odb_backend *in = proxy_inner(b);

	if (!in)
		return GIT_ERROR;
	if (in->freshen)
		return in->freshen(in, o);
	return in->exists(in, o) ? 0 : GIT_ENOTFOUND;
}
PROXY_FORWARD(foreach, (git_odb_backend *b, git_odb_foreach_cb cb, void *p),
	      (in, cb, p))

static int proxy_refresh(git_odb_backend *b)
{
	packs_proxy *p = (packs_proxy *)b;
	struct timespec now;
	struct stat st;

	clock_gettime(CLOCK_REALTIME, &now);
	if (stat(p->dir, &st) == 0 &&
	    st.st_mtim.tv_sec == p->seen.tv_sec && st.st_mtim.tv_nsec == p->seen.tv_nsec &&
	    (now.tv_sec - st.st_mtim.tv_sec) * 1000 +
	    (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000 > TRUSTED_AGE_MS)
		return 0;
	if (stat(p->dir, &st) == 0)
		p->seen = st.st_mtim;
	return proxy_inner(b) ? p->inner->refresh(p->inner) : GIT_ERROR;
}

static void proxy_free(git_odb_backend *b)
{
	packs_proxy *p = (packs_proxy *)b;

	if (p->inner)
		p->inner->free(p->inner);
	free(p);
}


/*
 * The quarantine: while a write waits for its pre- hook, every new loose
 * object goes to a folder of its own (as git's receive-pack does), so a
 * refusal leaves objects/ exactly as it was.  Accepted, the objects move
 * into objects/; dropped, the folder goes.  Inactive, the backend lets
 * every call pass to the next one.  A batch's pack (priority 1000) comes
 * first and is aborted on its own.
 */
#define QUARANTINE_PRIORITY 500

struct quarantine {
	git_odb_backend parent;
	git_odb_backend *loose; /* set while active */
	char dir[4096];
	char objects[4096];
};

static int q_read(void **d, size_t *l, git_object_t *t, git_odb_backend *b, const git_oid *o)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->read(d, l, t, in, o) : GIT_ENOTFOUND;
}

static int q_read_prefix(git_oid *f, void **d, size_t *l, git_object_t *t,
			 git_odb_backend *b, const git_oid *o, size_t n)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->read_prefix(f, d, l, t, in, o, n) : GIT_ENOTFOUND;
}

static int q_read_header(size_t *l, git_object_t *t, git_odb_backend *b, const git_oid *o)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->read_header(l, t, in, o) : GIT_ENOTFOUND;
}

static int q_exists(git_odb_backend *b, const git_oid *o)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->exists(in, o) : 0;
}

static int q_exists_prefix(git_oid *f, git_odb_backend *b, const git_oid *o, size_t n)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->exists_prefix(f, in, o, n) : GIT_ENOTFOUND;
}

static int q_write(git_odb_backend *b, const git_oid *o, const void *d, size_t l,
		   git_object_t t)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->write(in, o, d, l, t) : GIT_PASSTHROUGH;
}

static int q_writestream(git_odb_stream **out, git_odb_backend *b, git_object_size_t size,
			 git_object_t t)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->writestream(out, in, size, t) : GIT_PASSTHROUGH;
}

static int q_freshen(git_odb_backend *b, const git_oid *o)
{
	git_odb_backend *in = ((quarantine *)b)->loose;

	return in ? in->freshen(in, o) : GIT_ENOTFOUND;
}

static void q_stop(quarantine *q)
{
	if (q->loose)
		q->loose->free(q->loose);
	q->loose = NULL;
}

static void q_free(git_odb_backend *b)
{
	q_stop((quarantine *)b);
	free(b);
}

static quarantine *q_new(const char *objects)
{
	quarantine *q = calloc(1, sizeof(*q));

	if (!q)
		abort();
	git_odb_init_backend(&q->parent, GIT_ODB_BACKEND_VERSION);
	q->parent.read = q_read;
	q->parent.read_prefix = q_read_prefix;
	q->parent.read_header = q_read_header;
	q->parent.exists = q_exists;
	q->parent.exists_prefix = q_exists_prefix;
	q->parent.write = q_write;
	q->parent.writestream = q_writestream;
	q->parent.freshen = q_freshen;
	q->parent.free = q_free;
	/* make_odb's objects[] is as long as q->objects: it fits */
	memcpy(q->objects, objects, strlen(objects) + 1);
	return q;
}


int vault_store__quarantine_begin(vault_store *s, const char *dir)
{
	quarantine *q = s->q;

	q_stop(q);
	vault__remove_tree(dir); /* what a killed write left */
	if (vault__fmt(q->dir, sizeof(q->dir), "quarantine path", "%s", dir) < 0)
		return VAULT_EINVALID;
	if (mkdir(dir, 0755) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot create '%s'", dir);
	if (git_odb_backend_loose(&q->loose, dir, -1, 0, 0, 0) < 0) {
		q->loose = NULL;
		rmdir(dir);
		return vault_error__git(VAULT_ERROR, "cannot open '%s'", dir);
	}
	/* its streams ask the odb whether an object exists before they store it */
	q->loose->odb = q->parent.odb;
	return 0;
}

int vault_store__quarantine_active(const vault_store *s)
{
	return s->q->loose != NULL;
}

/* Move one fan-out folder of the quarantine into objects/. */
static int accept_fanout(quarantine *q, const char *name)
{
	char from[4096 + 512], to[4096 + 512], dir[4096 + 256];
	struct dirent *e;
	DIR *d;
	int fd, error = 0;

	if ((error = vault__fmt(dir, sizeof(dir), "path", "%s/%s", q->objects, name)) < 0 ||
	    (error = vault__fmt(from, sizeof(from), "path", "%s/%s", q->dir, name)) < 0)
		return error;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return vault_error__errno(VAULT_ERROR, "cannot create '%s'", dir);
	if ((d = opendir(from)) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", from);
	while (error == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "tmp_", 4) == 0)
			continue;
		if ((error = vault__fmt(from, sizeof(from), "path", "%s/%s/%s", q->dir, name,
					e->d_name)) < 0 ||
		    (error = vault__fmt(to, sizeof(to), "path", "%s/%s", dir, e->d_name)) < 0)
			break;
		/* the same name is the same bytes: replacing it changes nothing */
		if (rename(from, to) < 0)
			error = vault_error__errno(VAULT_ERROR, "cannot move '%s' into objects", from);
	}
	closedir(d);
	if (error == 0 && (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(fd) < 0)
			error = vault_error__errno(VAULT_ERROR, "cannot sync '%s'", dir);
		close(fd);
	}
	return error;
}

int vault_store__quarantine_accept(vault_store *s)
{
	quarantine *q = s->q;
	struct dirent *e;
	DIR *d;
	int error = 0;

	if (!q->loose)
		return 0;
	q_stop(q);
	if ((d = opendir(q->dir)) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", q->dir);
	while (error == 0 && (e = readdir(d)) != NULL)
		if (strlen(e->d_name) == 2 && e->d_name[0] != '.')
			error = accept_fanout(q, e->d_name);
	closedir(d);
	if (error == 0)
		vault__remove_tree(q->dir);
	return error;
}

void vault_store__quarantine_drop(vault_store *s)
{
	quarantine *q = s->q;

	if (!q->loose)
		return;
	q_stop(q);
	vault__remove_tree(q->dir);
}

/*
 * A quoted entry of info/alternates, unquoted as git's unquote_c_style
 * unquotes it (\\\\ \\" \\a \\b \\f \\n \\r \\t \\v and three octal digits; any
 * other byte as it is, a newline too) into `out`: the first byte after
 * its closing quote, or NULL when it is not such a string (git then
 * reads the entry as it is).  `out` holds `size` bytes, no fewer than
 * the string's.
 */
static const char *unquote_c(char *out, size_t size, const char *in, const char *end)
{
	static const char escapes[] = "\\\\\"\"a\ab\bf\fn\nr\rt\tv\v";
	size_t n = 0;

	for (in++; in < end && *in != '"'; n++) {
		char ch = *in++;

		if (ch == '\0')
			return NULL;
		if (ch == '\\') {
			if (in >= end)
				return NULL;
			if (*in >= '0' && *in <= '3' && end - in >= 3 && in[1] >= '0' && in[1] <= '7' &&
			    in[2] >= '0' && in[2] <= '7') {
				ch = (char)((in[0] - '0') << 6 | (in[1] - '0') << 3 | (in[2] - '0'));
				in += 3;
			} else {
				const char *e = *in ? strchr(escapes, *in) : NULL;

				if (!e || (e - escapes) % 2)
					return NULL;
				ch = e[1];
				in++;
			}
		}
		if (n + 1 >= size)
			return NULL;
		out[n] = ch;
	}
	if (in >= end)
		return NULL;
	out[n] = '\0';
	return in + 1;
}

/* what git reads of an alternates file, at most */
#define ALTERNATES_FILE_MAX (1 << 20)

/*
 * The object folders objects/info/alternates names, as git reads them:
 * one path a line, relative to objects/.  A repository that borrows the
 * objects of another (an incoming pull, a git server's hook) reads both.
 */
int vault_store__alternates(const char *objects, int (*each)(const char *dir, void *payload),
			   void *payload)
{
	char path[4200], entry[4096], full[8300], *buf, *unquoted;
	const char *p, *end;
	struct stat st;
	ssize_t len;
	int error = 0, fd;

	if (vault__fmt(path, sizeof(path), "path", "%s/info/alternates", objects) < 0)
		return VAULT_EINVALID;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 0;
	/* a regular file or nothing: a FIFO there would block the open for ever */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if ((buf = malloc(ALTERNATES_FILE_MAX + 1)) == NULL)
		abort();
	len = read(fd, buf, ALTERNATES_FILE_MAX + 1);
	close(fd);
	if (len < 0 || len > ALTERNATES_FILE_MAX) {
		free(buf);
		return vault_error__set(VAULT_EINVALID, "'%s' is %s", path,
					len < 0 ? "unreadable" : "larger than a list of folders");
	}
	/* git's reading stops at a NUL */
	len = (ssize_t)strnlen(buf, (size_t)len);
	/* entries as git's parse_alt_odb_entry splits them: to a newline (a
	 * CR kept), or a quoted string and the byte after it (unquoted into
	 * a buffer as long as the file); a comment to its newline; empty
	 * ones passed over, one longer than a path refused */
	if ((unquoted = malloc((size_t)len + 1)) == NULL)
		abort();
	for (p = buf, end = buf + len; p < end && error == 0;) {
		const char *next = memchr(p, '\n', (size_t)(end - p)), *q = NULL;
		size_t n = 0;

		if (!next)
			next = end;
		entry[0] = '\0';
		if (*p == '"' && (q = unquote_c(unquoted, (size_t)len + 1, p, end)) != NULL)
			n = strlen(unquoted);
		else if (*p != '#')
			n = (size_t)(next - p);
		if (n >= sizeof(entry)) {
			/* git reads it (its path made shorter, ././ by ./, a
			 * quoted one's lines joined: helper-121): refused, as
			 * a folder this cannot follow */
			free(unquoted);
			free(buf);
			return vault_error__set(VAULT_EINVALID, "'%s' names a folder by a path "
						"longer than qvault reads", path);
		}
		if (q) {
			memcpy(entry, unquoted, n + 1);
			next = q;
		} else if (*p != '#') {
			memcpy(entry, p, (size_t)(next - p));
			entry[next - p] = '\0';
		}
		p = next < end ? next + 1 : end;
		if (entry[0] == '\0')
			continue;
		if (vault__fmt(full, sizeof(full), "alternate", "%s%s%s", entry[0] == '/' ? "" : objects,
			       entry[0] == '/' ? "" : "/", entry) < 0)
			continue;
		error = each(full, payload);
	}
	free(unquoted);
	free(buf);
	return error;
}

/* The packs of `objects` behind a proxy, added to `odb` (owned by it). */
static int add_packs(packs_proxy **out, git_odb *odb, const char *objects, int alternate)
{
	git_odb_backend *packs;
	packs_proxy *proxy;
	size_t len = strlen(objects);
	struct stat st;

	if (len + sizeof("/pack") > sizeof(proxy->dir))
		return vault_error__set(VAULT_EINVALID, "the path of '%s' is too long", objects);
	if (git_odb_backend_pack(&packs, objects) < 0)
		return vault_error__git(VAULT_ERROR, "cannot open the packs of '%s'", objects);
	if ((proxy = calloc(1, sizeof(*proxy))) == NULL)
		abort();
	if (stat(objects, &st) == 0) {
		proxy->dev = st.st_dev;
		proxy->ino = st.st_ino;
	}
	git_odb_init_backend(&proxy->parent, GIT_ODB_BACKEND_VERSION);
	proxy->inner = packs;
	memcpy(proxy->objects, objects, len + 1);
	memcpy(proxy->dir, objects, len);
	memcpy(proxy->dir + len, "/pack", 6);
	proxy->parent.read = proxy_read;
	proxy->parent.read_prefix = proxy_read_prefix;
	proxy->parent.read_header = proxy_read_header;
	proxy->parent.exists = proxy_exists;
	proxy->parent.exists_prefix = proxy_exists_prefix;
	proxy->parent.freshen = proxy_freshen;
	proxy->parent.foreach = proxy_foreach;
	proxy->parent.refresh = proxy_refresh;
	proxy->parent.free = proxy_free;
	if ((alternate ? git_odb_add_alternate(odb, &proxy->parent, 2) :
			 git_odb_add_backend(odb, &proxy->parent, 2)) < 0) {
		proxy_free(&proxy->parent);
		return vault_error__git(VAULT_ERROR, "cannot add the packs of '%s'", objects);
	}
	*out = proxy;
	return 0;
}

/*
 * The repository's own loose objects, behind a proxy that, while a long
 * read keeps them (vault_store__keep_recent), keeps the ones read last.
 * libgit2's cache of objects is off under verify (verify.c says why), and
 * a loose object read again is a path looked up, a file opened, read,
 * inflated: verify of a vault of 10,127 commits in loose objects opened
 * each commit 7 times (its order, its check, its signature, its diff, its
 * child's diff; the rebuild's reads beside), 313,586 files for 101,238
 * objects.  What is kept was read whole through libgit2's loose backend;
 * its name is its content's (the odb hashes every read, kept or not).
 * Everything else passes to libgit2's backend: writes go where they went.
 */
struct loose_proxy {
	git_odb_backend parent;
	git_odb_backend *inner;
	pthread_mutex_t lock;
	vault_objcache *recent;   /* NULL: nothing kept (the default) */
};

static int loose_read(void **d, size_t *l, git_object_t *t, git_odb_backend *b, const git_oid *o)
{
	loose_proxy *p = (loose_proxy *)b;
	const vault_objcache_entry *c;
	int error;

	pthread_mutex_lock(&p->lock);
	if (p->recent && (c = vault_objcache__get(p->recent, o->id)) != NULL) {
		error = vault_objcache__copy_out(d, l, t, b, c);
		pthread_mutex_unlock(&p->lock);
		return error;
	}
	pthread_mutex_unlock(&p->lock);
	if ((error = p->inner->read(d, l, t, p->inner, o)) == 0) {
		pthread_mutex_lock(&p->lock);
		if (p->recent)
			vault_objcache__keep(p->recent, o->id, *t, *d, *l);
		pthread_mutex_unlock(&p->lock);
	}
	return error;
}

#define LOOSE_FORWARD(name, params, args)                                   \
	static int loose_##name params                                      \
	{                                                                   \
		git_odb_backend *in = ((loose_proxy *)b)->inner;            \
		return in->name args;                                       \
	}
LOOSE_FORWARD(read_prefix, (git_oid *f, void **d, size_t *l, git_object_t *t,
			    git_odb_backend *b, const git_oid *o, size_t n),
	      (f, d, l, t, in, o, n))
LOOSE_FORWARD(read_header, (size_t *l, git_object_t *t, git_odb_backend *b,
			    const git_oid *o), (l, t, in, o))
LOOSE_FORWARD(exists, (git_odb_backend *b, const git_oid *o), (in, o))
LOOSE_FORWARD(exists_prefix, (git_oid *f, git_odb_backend *b, const git_oid *o, size_t n),
	      (f, in, o, n))
LOOSE_FORWARD(write, (git_odb_backend *b, const git_oid *o, const void *d, size_t l,
		      git_object_t t), (in, o, d, l, t))
LOOSE_FORWARD(writestream, (git_odb_stream **out, git_odb_backend *b, git_object_size_t size,
			    git_object_t t), (out, in, size, t))
LOOSE_FORWARD(readstream, (git_odb_stream **out, size_t *l, git_object_t *t,
			   git_odb_backend *b, const git_oid *o), (out, l, t, in, o))
LOOSE_FORWARD(foreach, (git_odb_backend *b, git_odb_foreach_cb cb, void *payload),
	      (in, cb, payload))
LOOSE_FORWARD(freshen, (git_odb_backend *b, const git_oid *o), (in, o))

static void loose_keep(loose_proxy *p, size_t bytes)
{
	pthread_mutex_lock(&p->lock);
	if (p->recent) {
		vault_objcache__clear(p->recent);
		free(p->recent);
		p->recent = NULL;
	}
	if (bytes) {
		if ((p->recent = malloc(sizeof(*p->recent))) == NULL)
			abort();
		vault_objcache__init(p->recent, bytes);
	}
	pthread_mutex_unlock(&p->lock);
}

static void loose_free(git_odb_backend *b)
{
	loose_proxy *p = (loose_proxy *)b;

	loose_keep(p, 0);
	p->inner->free(p->inner);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* `inner` (libgit2's loose backend) behind a proxy, which owns it */
static loose_proxy *loose_new(git_odb_backend *inner)
{
	loose_proxy *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	git_odb_init_backend(&p->parent, GIT_ODB_BACKEND_VERSION);
	pthread_mutex_init(&p->lock, NULL);
	p->inner = inner;
	/* what libgit2's loose backend has, and nothing it has not: the odb
	 * reads a member's presence as what the backend can do */
#define LOOSE_HAS(name) p->parent.name = inner->name ? loose_##name : NULL
	LOOSE_HAS(read);
	LOOSE_HAS(read_prefix);
	LOOSE_HAS(read_header);
	LOOSE_HAS(exists);
	LOOSE_HAS(exists_prefix);
	LOOSE_HAS(write);
	LOOSE_HAS(writestream);
	LOOSE_HAS(readstream);
	LOOSE_HAS(foreach);
	LOOSE_HAS(freshen);
#undef LOOSE_HAS
	p->parent.free = loose_free;
	return p;
}

void vault_store__keep_recent(vault_store *s, size_t bytes)
{
	if (s->loose)
		loose_keep(s->loose, bytes);
}

typedef struct {
	vault_store *s;
	int depth;
} alternates;

/*
 * An alternate's objects as libgit2's git_odb_add_disk_alternate adds
 * them (loose, then packs; read, never written; its own alternates in
 * turn), but its packs behind a proxy of the store's, so that what the
 * store does to its packs (vault_store__packs_release, __packs_pread) it
 * does to theirs: a pull's check reads this vault's packs through one.
 */
static int add_alternate(const char *dir, void *payload)
{
	alternates *a = payload, deeper = { a->s, a->depth + 1 };
	git_odb_backend *loose;
	struct stat st;
	size_t i;
	int error;

	/* as libgit2: nested to ALTERNATES_DEPTH, and no deeper */
	if (a->depth > ALTERNATES_DEPTH)
		return 0;
	/* a folder already read (the vault itself, a loop of alternates) is
	 * not added again; one that is not there, or no folder, adds nothing,
	 * as in libgit2; past ALTERNATES_MAX, neither do the rest, counted
	 * (git reads them: verify says so) */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (i = 0; i < a->s->npacks; i++)
		if (a->s->packs[i]->dev == st.st_dev && a->s->packs[i]->ino == st.st_ino)
			return 0;
	if (a->s->npacks == 1 + ALTERNATES_MAX) {
		a->s->alternates_over++;
		return 0;
	}
	if (git_odb_backend_loose(&loose, dir, -1, 0, 0, 0) < 0)
		return vault_error__git(VAULT_ERROR, "cannot open the objects of '%s'", dir);
	if (git_odb_add_alternate(a->s->odb, loose, 1) < 0) {
		loose->free(loose);
		return vault_error__git(VAULT_ERROR, "cannot add the objects of '%s'", dir);
	}
	if ((error = add_packs(&a->s->packs[a->s->npacks], a->s->odb, dir, 1)) < 0)
		return error;
	a->s->npacks++;
	return vault_store__alternates(dir, add_alternate, &deeper);
}

/*
 * The repository's odb: loose objects, then packs behind the proxy, its
 * alternates', and the quarantine before all.
 */
static int make_odb(vault_store *s)
{
	git_odb_backend *loose = NULL;
	alternates top = { s, 0 };
	char objects[4096];
	int error;

	if (vault__fmt(objects, sizeof(objects) - 8, "repository path", "%sobjects",
		       git_repository_path(s->repo)) < 0)
		return VAULT_EINVALID;
	if (git_odb_new(&s->odb) < 0 ||
	    git_odb_backend_loose(&loose, objects, -1, 0, 0, 0) < 0)
		goto fail;
	s->loose = loose_new(loose);
	loose = NULL;
	if (git_odb_add_backend(s->odb, &s->loose->parent, 1) < 0) {
		loose_free(&s->loose->parent);
		s->loose = NULL;
		goto fail;
	}
	/* the odb as libgit2 would have set it on the backend it added: a
	 * write stream's end asks it whether the object is already there,
	 * and without one takes it that it is, and writes nothing */
	s->loose->inner->odb = s->odb;
	if ((error = add_packs(&s->packs[0], s->odb, objects, 0)) < 0)
		return error;
	s->npacks = 1;
	if ((error = vault_store__alternates(objects, add_alternate, &top)) < 0)
		return error;
	s->q = q_new(objects);
	if (git_odb_add_backend(s->odb, &s->q->parent, QUARANTINE_PRIORITY) < 0) {
		q_free(&s->q->parent);
		goto fail;
	}
	if (git_repository_set_odb(s->repo, s->odb) < 0)
		goto fail;
	return 0;
fail:
	if (loose)
		loose->free(loose);
	return vault_error__git(VAULT_ERROR, "cannot open the object database");
}

static int finish_open(vault_store **out, git_repository *repo)
{
	vault_store *s = calloc(1, sizeof(*s));
	int error;

	if (!s)
		abort();
	s->repo = repo;
	if ((error = make_odb(s)) < 0) {
		vault_store__free(s);
		return error;
	}
	*out = s;
	return 0;
}

int vault_store__create(vault_store **out, const char *path)
{
	git_repository_init_options opts;
	git_repository *repo;

	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);

	opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT |
		     GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";
	opts.description = "qvault document vault";
	if (git_repository_init_ext(&repo, path, &opts) < 0)
		return vault_error__git(VAULT_ERROR, "cannot create a repository in '%s'", path);
	return finish_open(out, repo);
}

int vault_store__open(vault_store **out, const char *path)
{
	git_repository *repo;
	int error;

	error = git_repository_open_ext(&repo, path,
		GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE |
		GIT_REPOSITORY_OPEN_NO_DOTGIT, NULL);
	if (error == GIT_ENOTFOUND)
		return vault_error__set(VAULT_ENOTFOUND, "'%s' is not a vault", path);
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot open '%s'", path);
	return finish_open(out, repo);
}

void vault_store__packs_release(vault_store *s)
{
	size_t i;

	for (i = 0; i < s->npacks; i++) {
		if (s->packs[i]->inner) {
			s->packs[i]->inner->free(s->packs[i]->inner);
			s->packs[i]->inner = NULL;
		}
	}
}

int vault_store__packs_pread(vault_store *s, int on)
{
	size_t i;
	int error;

	vault_store__packs_release(s);
	for (i = 0; i < s->npacks; i++)
		s->packs[i]->pread = !!on;
	if ((error = vault_store__packs_reopen(s)) < 0) {
		/* as they were: the next read opens them again */
		vault_store__packs_release(s);
		for (i = 0; i < s->npacks; i++)
			s->packs[i]->pread = !on;
	}
	return error;
}

int vault_store__pack_copies(vault_store *s,
			     void (*bad)(void *payload, const char *file, const git_oid *id,
					 const char *why),
			     void *payload)
{
	vault_packread_source sources[1 + ALTERNATES_MAX];
	size_t i;

	if (!s->packs[0]->pread)
		return 0;
	for (i = 0; i < s->npacks; i++) {
		if ((sources[i].packs = proxy_inner(&s->packs[i]->parent)) == NULL)
			return vault_error__git(VAULT_ERROR, "cannot read the names the packs hold");
		sources[i].objects = s->packs[i]->objects;
	}
	if (vault_packread__copies(sources, s->npacks, bad, payload) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the names the packs hold");
	return 0;
}

size_t vault_store__objects_dirs(const vault_store *s, const char **out, size_t max)
{
	size_t i;

	for (i = 0; i < s->npacks && i < max; i++)
		out[i] = s->packs[i]->objects;
	return i;
}

size_t vault_store__alternates_over(const vault_store *s)
{
	return s->alternates_over;
}

int vault_store__packs_reopen(vault_store *s)
{
	size_t i;

	for (i = 0; i < s->npacks; i++)
		if (!proxy_inner(&s->packs[i]->parent))
			return vault_error__git(VAULT_ERROR, "cannot open the object database's packs");
	return 0;
}

void vault_store__free(vault_store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < CURSORS; i++)
		cursor_drop(&s->cursor[i], 0);
	trees_drop(s);
	git_odb_free(s->odb);
	git_repository_free(s->repo);
	free(s->chunk);
	free(s);
}

git_repository *vault_store__repo(const vault_store *s)
{
	return s->repo;
}

int vault_store__head(git_commit **out, vault_store *s)
{
	git_oid id;
	int error = git_reference_name_to_id(&id, s->repo, VAULT_BRANCH);

	if (error == GIT_ENOTFOUND)
		return vault_error__set(VAULT_ENOTFOUND, "the vault has no history");
	if (error < 0 || git_commit_lookup(out, s->repo, &id) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's branch");
	return 0;
}

/* ---- the branch without libgit2 -------------------------------------- */

/* packed-refs larger than this is left to libgit2 */
#define PACKED_REFS_MAX ((size_t)64 << 20)

/* 1 when s[0..40) are lowercase hex digits. */
static int hex40(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * The whole of regular file `dir`/`name` (not a link), NUL-terminated, at
 * most `max` bytes: 0, or -1 with errno (EFBIG past `max`).
 */
static int slurp(char **out, size_t *len, const char *dir, const char *name, size_t max)
{
	char path[4200], *buf;
	size_t have = 0, cap;
	struct stat st;
	ssize_t got;
	int fd, saved;

	*out = NULL;
	if (vault__fmt(path, sizeof(path), "path", "%s/%s", dir, name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	/* one byte more than its size: a file that grows while read is refused */
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL)
		abort();
	while (have < cap && (got = read(fd, buf + have, cap - have)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			saved = errno;
			free(buf);
			close(fd);
			errno = saved;
			return -1;
		}
		have += (size_t)got;
	}
	close(fd);
	if (have == cap) {
		free(buf);
		errno = EFBIG;
		return -1;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return 0;
}

/* The branch's line of packed-refs `data`: 0 with out set, 1 when absent, twice or unclear. */
static int packed_branch(char out[41], const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;
	int found = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return 1; /* a last line without its newline: being written, or not git's */
		if ((size_t)(nl - p) == 41 + strlen(VAULT_BRANCH) && hex40(p) && p[40] == ' ' &&
		    memcmp(p + 41, VAULT_BRANCH, strlen(VAULT_BRANCH)) == 0) {
			if (found)
				return 1;
			memcpy(out, p, 40);
			out[40] = '\0';
			found = 1;
		}
		p = nl + 1;
	}
	return found ? 0 : 1;
}

int vault_store__branch_file(char out[41], const char *path)
{
	char *data = NULL;
	size_t len = 0;
	int rc = 1;

	out[0] = '\0';
	/* a repository whose refs are another's (a worktree) is libgit2's to read */
	if (slurp(&data, &len, path, "commondir", 4096) == 0 || errno != ENOENT) {
		free(data);
		return 1;
	}
	if (slurp(&data, &len, path, VAULT_BRANCH, 4096) == 0) {
		/* exactly what git and libgit2 write: the id and a newline */
		if (len == 41 && hex40(data) && data[40] == '\n') {
			memcpy(out, data, 40);
			out[40] = '\0';
			rc = 0;
		}
		free(data);
		return rc;
	}
	if (errno != ENOENT)
		return 1;
	if (slurp(&data, &len, path, "packed-refs", PACKED_REFS_MAX) == 0) {
		rc = packed_branch(out, data, len);
		free(data);
	}
	if (rc)
		out[0] = '\0';
	return rc;
}

int vault_store__head_tree(git_tree **out, vault_store *s)
{
	git_commit *head = NULL;
	int error;

	if ((error = vault_store__head(&head, s)) < 0)
		return error;
	error = !head || git_commit_tree(out, head) < 0 ?
		vault_error__git(VAULT_ERROR, "cannot read the vault's tree") : 0;
	git_commit_free(head);
	return error;
}

/* The length of `path`'s first component. */
static size_t first_part(const char *path)
{
	return strcspn(path, "/");
}

/*
 * The cursor of `root` and the top folder `path` is under: the one that
 * starts there, or the one used longest ago, emptied and started there.
 */
static tree_cursor *cursor_of(vault_store *s, const git_tree *root, const char *path)
{
	tree_cursor *c = &s->cursor[0];
	size_t i, n = first_part(path);

	for (i = 0; i < CURSORS; i++) {
		tree_cursor *t = &s->cursor[i];

		if (t->used && git_oid_equal(&t->root, git_tree_id(root)) && t->depth &&
		    t->end[0] == n && strncmp(t->path, path, n) == 0) {
			c = t;
			goto found;
		}
		if (t->used < c->used)
			c = t;
	}
	cursor_drop(c, 0);
	git_oid_cpy(&c->root, git_tree_id(root));
found:
	c->used = ++s->lookups;
	return c;
}

/*
 * The folder `path` is in, from `root`: *dir (borrowed: `root` or a
 * folder a cursor holds) and *name, the path's last component.  As
 * git_tree_entry_bypath() answers: GIT_ENOTFOUND when a folder on the way
 * is missing or is a file.  GIT_EINVALID when a cursor would not serve
 * and the caller asks libgit2: a path git reads some other way (empty
 * components, a '/' first or last, too long), one folder deep (a
 * document's REV/record.json from its folder: held, it would push out a
 * cursor that serves), deeper than a cursor holds, or a tree of another
 * repository.
 */
static int cursor_folder(const git_tree **dir, const char **name, vault_store *s,
			 const git_tree *root, const char *path)
{
	tree_cursor *c;
	const git_tree *at = root;
	const char *p, *slash;
	size_t k = 0, len = strlen(path);

	if (len == 0 || len >= VAULT_PATH_MAX || path[0] == '/' || path[len - 1] == '/' ||
	    strstr(path, "//") || git_tree_owner(root) != s->repo)
		return GIT_EINVALID;
	if ((slash = strchr(path, '/')) == NULL) {
		*dir = root; /* a file at the top: no folder to hold */
		*name = path;
		return 0;
	}
	if (!strchr(slash + 1, '/'))
		return GIT_EINVALID;
	c = cursor_of(s, root, path);
	/* the folders held that lead to `path` */
	while (k < c->depth && strncmp(path, c->path, c->end[k]) == 0 && path[c->end[k]] == '/')
		at = c->tree[k++];
	cursor_drop(c, k);
	memcpy(c->path, path, len + 1);
	p = k ? path + c->end[k - 1] + 1 : path;
	while ((slash = strchr(p, '/')) != NULL) {
		const git_tree_entry *e;
		git_tree *sub;
		size_t n = (size_t)(slash - p);
		char part[VAULT_PATH_MAX];

		memcpy(part, p, n);
		part[n] = '\0';
		if ((e = git_tree_entry_byname(at, part)) == NULL ||
		    git_tree_entry_type(e) != GIT_OBJECT_TREE)
			return GIT_ENOTFOUND;
		if (c->depth == CURSOR_LEVELS)
			return GIT_EINVALID; /* deeper than a record goes */
		if (tree_lookup(&sub, s, git_tree_entry_id(e)) < 0)
			return -1;
		c->end[c->depth] = (size_t)(slash - path);
		c->tree[c->depth++] = sub;
		at = sub;
		p = slash + 1;
	}
	*dir = at;
	*name = p;
	return 0;
}

int vault_store__entry(git_tree_entry **out, vault_store *s, const git_tree *root,
		       const char *path)
{
	const git_tree *dir;
	const git_tree_entry *e;
	const char *name;
	int error;

	error = cursor_folder(&dir, &name, s, root, path);
	*out = NULL;
	if (error == GIT_EINVALID)
		return git_tree_entry_bypath(out, root, path);
	if (error < 0)
		return error;
	if ((e = git_tree_entry_byname(dir, name)) == NULL)
		return GIT_ENOTFOUND;
	return git_tree_entry_dup(out, e);
}

int vault_store__tree_at(git_tree **out, vault_store *s, const git_tree *root, const char *path)
{
	git_tree_entry *e = NULL;
	int error;

	*out = NULL;
	if ((error = vault_store__entry(&e, s, root, path)) < 0)
		return error;
	error = git_tree_entry_type(e) != GIT_OBJECT_TREE ? GIT_ENOTFOUND :
		git_tree_owner(root) == s->repo ? tree_lookup(out, s, git_tree_entry_id(e)) :
		git_tree_lookup(out, git_tree_owner(root), git_tree_entry_id(e));
	git_tree_entry_free(e);
	return error;
}

int vault_store__read_path(char **data, size_t *len, vault_store *s,
			   const git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int error;

	*data = NULL;
	*len = 0;
	error = vault_store__entry(&te, s, tree, path);
	if (error == GIT_ENOTFOUND)
		return vault_error__set(VAULT_ENOTFOUND, "'%s' is not in the vault", path);
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot read '%s'", path);
	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		git_tree_entry_free(te);
		return vault_error__set(VAULT_EVERIFY, "'%s' is not a file", path);
	}
	error = git_blob_lookup(&blob, s->repo, git_tree_entry_id(te));
	git_tree_entry_free(te);
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot read '%s'", path);
	*len = (size_t)git_blob_rawsize(blob);
	if ((*data = malloc(*len + 1)) == NULL)
		abort();
	memcpy(*data, git_blob_rawcontent(blob), *len);
	(*data)[*len] = '\0';
	git_blob_free(blob);
	return 0;
}

/* Read up to `want` bytes, stopping early only at end of file. */
static ssize_t read_full(int fd, unsigned char *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int vault_store__write_fd(git_oid *out, vault_store *s, uint64_t size,
			  const unsigned char *first, size_t first_len, int fd,
			  vault_chunk_cb cb, void *payload)
{
	git_odb_stream *stream = NULL;
	unsigned char *buf = chunk_buffer(s);
	uint64_t total = first_len;
	int error = 0;

	if (total > size)
		return vault_error__set(VAULT_EINVALID, "the file grew while it was being read");
	git_error_clear(); /* a failed write may leave no message of its own */
	errno = 0;
	if (git_odb_open_wstream(&stream, s->odb, size, GIT_OBJECT_BLOB) < 0 ||
	    git_odb_stream_write(stream, (const char *)first, first_len) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot store the file");
		goto done;
	}
	/* read one byte past the end, to see a file that grew */
	while (total <= size) {
		ssize_t n = read_full(fd, buf, VAULT_CHUNK);

		if (n < 0) {
			error = vault_error__errno(VAULT_ERROR, "cannot read the file");
			goto done;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > size) {
			error = vault_error__set(VAULT_EINVALID,
				"the file grew while it was being read");
			goto done;
		}
		if ((error = cb(payload, buf, (size_t)n, 0)) != 0)
			goto done;
		if (git_odb_stream_write(stream, (const char *)buf, (size_t)n) < 0) {
			error = vault_error__git(VAULT_ERROR, "cannot store the file");
			goto done;
		}
	}
	if (total != size) {
		error = vault_error__set(VAULT_EINVALID,
			"the file shrank while it was being read");
		goto done;
	}
	if (git_odb_stream_finalize_write(out, stream) < 0)
		error = vault_error__git(VAULT_ERROR, "cannot store the file");
done:
	git_odb_stream_free(stream);
	return error;
}

int vault_store__blob_stream(git_odb_stream **out, vault_store *s, uint64_t size)
{
	git_error_clear(); /* a failed write may leave no message of its own */
	errno = 0;
	if (git_odb_open_wstream(out, s->odb, size, GIT_OBJECT_BLOB) < 0)
		return vault_error__git(VAULT_ERROR, "cannot store a file");
	return 0;
}

int vault_store__write_buf(git_oid *out, vault_store *s, const void *buf,
			   size_t len)
{
	git_error_clear();
	errno = 0;
	if (git_odb_write(out, s->odb, buf, len, GIT_OBJECT_BLOB) < 0)
		return vault_error__git(VAULT_ERROR, "cannot store a record");
	return 0;
}

/*
 * Stream a loose object's content with read(2) and inflate, in bounded
 * memory.  libgit2's loose read stream maps the whole file, so reading a
 * 1 GiB document through it makes a 1 GiB resident set.  Returns
 * VAULT_ENOTFOUND when the object is not loose.
 */
static int read_loose(vault_store *s, const git_oid *id, vault_chunk_cb cb,
		      void *payload)
{
	char path[4200], hex[GIT_OID_HEXSZ + 1], header[64];
	unsigned char in[64 * 1024], *out = chunk_buffer(s);
	size_t hlen = 0;
	uint64_t size = 0, seen = 0;
	int fd, zr = Z_OK, error = 0, first = 1, in_header = 1;
	struct stat st;
	z_stream z;

	git_oid_tostr(hex, sizeof(hex), id);
	if (vault__fmt(path, sizeof(path), "object path", "%sobjects/%.2s/%s",
		       git_repository_path(s->repo), hex, hex + 2) < 0)
		return VAULT_ERROR;
	/* without waiting: a FIFO named like the blob would block for ever */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return errno == ENOENT ? VAULT_ENOTFOUND :
			vault_error__errno(VAULT_ERROR, "cannot read blob %s", hex);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vault_error__set(VAULT_EVERIFY, "blob %s is not a regular file", hex);
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		close(fd);
		return vault_error__set(VAULT_ERROR, "cannot start zlib");
	}
	while (zr != Z_STREAM_END && error == 0) {
		ssize_t n = read(fd, in, sizeof(in));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = vault_error__set(VAULT_EVERIFY, "blob %s is truncated", hex);
			break;
		}
		z.next_in = in;
		z.avail_in = (uInt)n;
		/* drain: inflate until it wants more input or the stream ends */
		while (error == 0) {
			size_t have, off = 0;

			z.next_out = out;
			z.avail_out = VAULT_CHUNK;
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr == Z_BUF_ERROR) {
				zr = Z_OK; /* no progress without more input */
				break;
			}
			if (zr != Z_OK && zr != Z_STREAM_END) {
				error = vault_error__set(VAULT_EVERIFY, "blob %s is corrupt", hex);
				break;
			}
			have = VAULT_CHUNK - z.avail_out;
			/* the object header "blob <size>\0" comes first */
			while (in_header && off < have) {
				if (hlen == sizeof(header) - 1) {
					error = vault_error__set(VAULT_EVERIFY,
						"blob %s has a bad header", hex);
					break;
				}
				header[hlen++] = (char)out[off++];
				if (header[hlen - 1] == '\0') {
					char *end;

					in_header = 0;
					if (strncmp(header, "blob ", 5) != 0)
						error = vault_error__set(VAULT_EVERIFY,
							"object %s is not a blob", hex);
					else
						size = strtoull(header + 5, &end, 10);
				}
			}
			if (!error && off < have) {
				seen += have - off;
				error = cb(payload, out + off, have - off, first);
				first = 0;
			}
			if (zr == Z_STREAM_END || (z.avail_in == 0 && z.avail_out != 0))
				break;
		}
	}
	inflateEnd(&z);
	close(fd);
	if (!error && (in_header || seen != size))
		error = vault_error__set(VAULT_EVERIFY, "blob %s is truncated", hex);
	return error;
}

int vault_store__read_blob(vault_store *s, const git_oid *id, vault_chunk_cb cb,
			   void *payload)
{
	git_odb_object *obj;
	const unsigned char *data;
	size_t len, off = 0;
	int error;

	if ((error = read_loose(s, id, cb, payload)) != VAULT_ENOTFOUND)
		return error;
	/* packed: libgit2 reads it whole (batches keep big files loose) */
	if (git_odb_read(&obj, s->odb, id) < 0)
		return vault_error__git(VAULT_EVERIFY, "cannot read blob %s",
					git_oid_tostr_s(id));
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	do {
		size_t n = len - off > VAULT_CHUNK ? VAULT_CHUNK : len - off;

		if ((error = cb(payload, data + off, n, off == 0)) != 0)
			break;
		off += n;
	} while (off < len);
	git_odb_object_free(obj);
	return error;
}

int vault_store__commit(git_oid *out, vault_store *s, git_commit *parent,
			const git_tree_update *updates, size_t nupdates,
			const char *author, const char *email, int64_t when,
			const char *message, const vault_key *key)
{
	git_tree *base = NULL;
	const git_commit *parents[1] = { parent };
	git_oid tree_id;
	int error;

	if (parent && git_commit_tree(&base, parent) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the current tree");
	error = git_tree_create_updated(&tree_id, s->repo, base, nupdates, updates);
	git_tree_free(base);
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot build the new tree");
	return vault_store__commit_tree(out, s, &tree_id, parents, parent ? 1 : 0, author,
					email, when, message, key);
}

int vault_store__commit_tree(git_oid *out, vault_store *s, const git_oid *tree_id,
			     const git_commit **parents, size_t nparents, const char *author,
			     const char *email, int64_t when, const char *message,
			     const vault_key *key)
{
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_buf content = { NULL, 0, 0 };
	char *signature = NULL;
	int error = VAULT_ERROR;

	if (git_tree_lookup(&tree, s->repo, tree_id) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot build the new tree");
		goto done;
	}
	if (git_signature_new(&sig, author, email, (git_time_t)when, 0) < 0) {
		error = vault_error__git(VAULT_EINVALID, "cannot name the author '%s'", author);
		goto done;
	}
	if (git_commit_create_buffer(&content, s->repo, sig, sig, NULL, message, tree,
				     nparents, parents) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot write the commit");
		goto done;
	}
	if ((error = vault_sign__sshsig(&signature, key, "git", content.ptr,
					content.size)) < 0)
		goto done;
	/* the header as git writes it: the armor's last newline ends the
	 * header line, so the signature read back has none (sign.c) */
	if (strlen(signature) && signature[strlen(signature) - 1] == '\n')
		signature[strlen(signature) - 1] = '\0';
	if (git_commit_create_with_signature(out, s->repo, content.ptr, signature,
					     "gpgsig") < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot write the commit");
		goto done;
	}
	error = 0;
done:
	free(signature);
	git_buf_dispose(&content);
	git_signature_free(sig);
	git_tree_free(tree);
	return error;
}

/* Remove `<gitdir>/<name>.lock` if a killed writer left it; 1 if it did. */
static int clear_stale_lock(vault_store *s, const char *name)
{
	char path[4096];

	if (vault__fmt(path, sizeof(path), "path", "%s%s.lock", git_repository_path(s->repo),
		       name) < 0)
		return 0;
	return unlink(path) == 0;
}

int vault_store__advance(vault_store *s, const git_oid *old, const git_oid *id,
			 int *recovered)
{
	git_reference *ref = NULL;
	int error;

	*recovered = clear_stale_lock(s, VAULT_BRANCH) |
		     clear_stale_lock(s, "packed-refs");
	if (old)
		error = git_reference_create_matching(&ref, s->repo, VAULT_BRANCH,
						      id, 1, old, "qvault");
	else
		error = git_reference_create(&ref, s->repo, VAULT_BRANCH, id, 0,
					     "qvault");
	git_reference_free(ref);
	if (error == GIT_EMODIFIED || error == GIT_EEXISTS)
		return vault_error__set(VAULT_ELOCKED,
			"the vault's branch moved during the write; try again");
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot move the vault's branch");
	return 0;
}

typedef struct {
	vault_store *s;
	vault_change_cb cb;
	void *payload;
	size_t visited;
	char path[4096];
} changes_walk;

static int walk_subtree(changes_walk *w, size_t plen, const git_tree_entry *o,
			const git_tree_entry *n);

/* Every file under `tree` (at w->path) as `what`. */
static int walk_all(changes_walk *w, size_t plen, const git_tree_entry *e, vault_change what)
{
	return what == VAULT_CHANGE_ADDED ? walk_subtree(w, plen, NULL, e) :
		walk_subtree(w, plen, e, NULL);
}

/* A link, a submodule or an executable at w->path + `name`: reported, not entered. */
static int mode_change(changes_walk *w, size_t plen, const char *name)
{
	size_t len = strlen(name);
	int error;

	if (plen + len + 2 >= sizeof(w->path))
		return vault_error__set(VAULT_EVERIFY, "a path under '%s' is too long", w->path);
	if (plen)
		w->path[plen++] = '/';
	memcpy(w->path + plen, name, len + 1);
	error = w->cb(w->payload, VAULT_CHANGE_MODE, w->path);
	w->path[plen ? plen - 1 : 0] = '\0';
	return error;
}

static int visit(changes_walk *w, size_t plen, const git_tree_entry *o,
		 const git_tree_entry *n)
{
	const char *name = git_tree_entry_name(n ? n : o);
	size_t len = strlen(name);
	int otree = o && git_tree_entry_type(o) == GIT_OBJECT_TREE;
	int ntree = n && git_tree_entry_type(n) == GIT_OBJECT_TREE;
	int error = 0;

	if (o && n && git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(n)) &&
	    git_tree_entry_filemode(o) == git_tree_entry_filemode(n))
		return 0;
	if (++w->visited > VAULT_MAX_CHANGES_VISITED)
		return vault_error__set(VAULT_EVERIFY, "the commit changes more than %d paths",
					VAULT_MAX_CHANGES_VISITED);
	if (n && git_tree_entry_filemode(n) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(n) != GIT_FILEMODE_TREE)
		return mode_change(w, plen, name);
	if (plen + len + 2 >= sizeof(w->path))
		return vault_error__set(VAULT_EVERIFY, "a path under '%s' is too long", w->path);
	if (plen)
		w->path[plen++] = '/';
	memcpy(w->path + plen, name, len + 1);
	if (otree && ntree)
		error = walk_subtree(w, plen + len, o, n);
	else if (otree || ntree) {
		/* a tree replaced a file, or the other way round, or one is new */
		if (otree)
			error = walk_all(w, plen + len, o, VAULT_CHANGE_DELETED);
		else if (o)
			error = w->cb(w->payload, VAULT_CHANGE_DELETED, w->path);
		if (!error && ntree)
			error = walk_all(w, plen + len, n, VAULT_CHANGE_ADDED);
		else if (!error && n)
			error = w->cb(w->payload, VAULT_CHANGE_ADDED, w->path);
	} else {
		error = w->cb(w->payload, !o ? VAULT_CHANGE_ADDED : !n ? VAULT_CHANGE_DELETED :
			      VAULT_CHANGE_MODIFIED, w->path);
	}
	w->path[plen ? plen - 1 : 0] = '\0';
	return error;
}

static int walk_subtree(changes_walk *w, size_t plen, const git_tree_entry *o,
			const git_tree_entry *n)
{
	git_tree *ot = NULL, *nt = NULL;
	size_t i;
	int error = 0;

	if ((o && tree_lookup(&ot, w->s, git_tree_entry_id(o)) < 0) ||
	    (n && tree_lookup(&nt, w->s, git_tree_entry_id(n)) < 0)) {
		error = vault_error__git(VAULT_EVERIFY, "cannot read tree '%s'", w->path);
		goto done;
	}
	/* an empty folder has no file to report, so it is reported itself:
	 * one in a record's place would otherwise pass for that record */
	if (nt && git_tree_entrycount(nt) == 0)
		error = w->cb(w->payload, VAULT_CHANGE_EMPTY, w->path);
	for (i = 0; nt && i < git_tree_entrycount(nt) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(nt, i);

		error = visit(w, plen, ot ? git_tree_entry_byname(ot, git_tree_entry_name(e)) : NULL, e);
	}
	for (i = 0; ot && i < git_tree_entrycount(ot) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(ot, i);

		if (!nt || !git_tree_entry_byname(nt, git_tree_entry_name(e)))
			error = visit(w, plen, e, NULL);
	}
done:
	git_tree_free(ot);
	git_tree_free(nt);
	return error;
}

int vault_store__changes(vault_store *s, const git_tree *old, const git_tree *new,
			 vault_change_cb cb, void *payload)
{
	changes_walk w;
	size_t i;
	int error = 0;

	w.s = s;
	w.cb = cb;
	w.payload = payload;
	w.visited = 0;
	w.path[0] = '\0';
	for (i = 0; new && i < git_tree_entrycount(new) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(new, i);

		error = visit(&w, 0, old ? git_tree_entry_byname(old, git_tree_entry_name(e)) : NULL, e);
	}
	for (i = 0; old && i < git_tree_entrycount(old) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(old, i);

		if (!new || !git_tree_entry_byname(new, git_tree_entry_name(e)))
			error = visit(&w, 0, e, NULL);
	}
	return error;
}

int vault_store__trailer(char **value, const char *message, const char *key)
{
	git_message_trailer_array arr;
	size_t i, seen = 0;

	*value = NULL;
	if (git_message_trailers(&arr, message ? message : "") < 0)
		return vault_error__git(VAULT_EVERIFY, "cannot read a commit message's trailers");
	for (i = 0; i < arr.count; i++)
		if (strcmp(arr.trailers[i].key, key) == 0 && seen++ == 0)
			*value = vault__strdup(arr.trailers[i].value);
	git_message_trailer_array_free(&arr);
	if (seen > 1) {
		free(*value);
		*value = NULL;
		return vault_error__set(VAULT_EVERIFY, "the commit message gives '%s' %zu times",
					key, seen);
	}
	return 0;
}

int vault_store__root(git_oid *out, vault_store *s)
{
	git_config *cfg = NULL;
	git_buf value = { NULL, 0, 0 };
	int error;

	if (git_repository_config_snapshot(&cfg, s->repo) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the repository's config");
	error = git_config_get_string_buf(&value, cfg, "qvault.root");
	if (error == GIT_ENOTFOUND)
		error = VAULT_ENOTFOUND;
	else if (error < 0 || git_oid_fromstr(out, value.ptr) < 0)
		error = vault_error__set(VAULT_ERROR, "the repository's qvault.root is not a commit id");
	git_buf_dispose(&value);
	git_config_free(cfg);
	return error;
}

int vault_store__set_root(vault_store *s, const git_oid *root)
{
	git_config *cfg = NULL;
	int error = 0;

	if (git_repository_config(&cfg, s->repo) < 0 ||
	    git_config_set_string(cfg, "qvault.root", git_oid_tostr_s(root)) < 0)
		error = vault_error__git(VAULT_ERROR, "cannot record the vault's root");
	git_config_free(cfg);
	return error;
}

int vault_store__has(vault_store *s, const git_tree *tree, const char *path)
{
	git_tree_entry *te;

	if (vault_store__entry(&te, s, tree, path) < 0)
		return 0;
	git_tree_entry_free(te);
	return 1;
}
