/*
 * replica.c - copies of a vault at other sites: remote add, push, pull,
 * clone, through libgit2's own transports (file://, git://, ssh://,
 * https://).
 *
 * Nothing fetched is trusted.  A pull fetches into a repository of its
 * own beside the index (qvault/incoming-*, borrowing this vault's objects
 * through objects/info/alternates), checks there that it is the same
 * vault (it shares our history) and that `qvault verify` passes on what
 * the fetch brings (the commits our head does not lead to: ours were
 * verified as they came, by the write path or an earlier pull), and only
 * then moves the fetched pack in.  Two
 * sites that wrote at once are merged by a signed merge commit when their
 * changes do not meet; when both added the same path with other bytes, or
 * revisions of the same document, the pull is refused and nothing is
 * changed on either side.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "record.h"
#include "store.h"
#include "txn.h"
#include "user.h"
#include "util.h"
#include "verify.h"

#define DEFAULT_REMOTE "origin"

/* A remote's URL: `name` is a URL or a path itself, else a configured remote. */
static int resolve_url(char **url, vault *v, const char *name)
{
	git_remote *r = NULL;

	if (!name)
		name = DEFAULT_REMOTE;
	if (strstr(name, "://") || name[0] == '/' || name[0] == '.') {
		*url = vault__strdup(name);
		return 0;
	}
	if (git_remote_lookup(&r, vault_store__repo(v->store), name) < 0)
		return vault_error__set(VAULT_ENOTFOUND,
			"no remote '%s' (qvault remote add %s URL)", name, name);
	*url = vault__strdup(git_remote_url(r));
	git_remote_free(r);
	return 0;
}

/* ssh:// credentials: the key in $QVAULT_SSH_KEY (and .pub), else the agent. */
static int credentials(git_credential **out, const char *url, const char *user,
		       unsigned int allowed, void *payload)
{
	const char *key = getenv("QVAULT_SSH_KEY");
	char pub[PATH_MAX];

	(void)url;
	(void)payload;
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY))
		return GIT_PASSTHROUGH;
	if (!user)
		user = getenv("USER") ? getenv("USER") : "git";
	if (key && *key) {
		if (vault__fmt(pub, sizeof(pub), "QVAULT_SSH_KEY", "%s.pub", key) < 0) {
			git_error_set_str(GIT_ERROR_SSH, vault_error_message());
			return GIT_EUSER;
		}
		return git_credential_ssh_key_new(out, user, pub, key, NULL);
	}
	return git_credential_ssh_key_from_agent(out, user);
}

int vault_remote_add(vault *v, const char *name, const char *url)
{
	git_remote *r = NULL;
	int error;

	if ((error = vault_plain_name_check("remote name", name)) < 0)
		return error;
	if (!strstr(url, "://") && url[0] != '/')
		return vault_error__set(VAULT_EINVALID,
			"'%s' is not a URL (file://, ssh://, git://, https://) or an absolute path",
			url);
	if ((error = vault__lock(v)) < 0)
		return error;
	error = git_remote_create(&r, vault_store__repo(v->store), name, url);
	git_remote_free(r);
	vault__unlock(v);
	if (error == GIT_EEXISTS)
		return vault_error__set(VAULT_EEXISTS, "remote '%s' exists already", name);
	if (error < 0)
		return vault_error__git(VAULT_EINVALID, "cannot add remote '%s'", name);
	return 0;
}

/* ---- fetching into a quarantine ------------------------------------------ */

#define MAX_MOVED 16

typedef struct {
	char dir[PATH_MAX + 32];
	git_repository *repo;
	git_oid theirs;
	char *moved[MAX_MOVED]; /* the files moved into objects/pack, until the pull is done */
	size_t nmoved;
} incoming;


/*
 * Forget the fetch.  Packs already moved in go too, unless `keep`: their
 * objects are reachable from nothing until the branch moves.
 */
static void incoming_drop(incoming *in, int keep)
{
	size_t i;

	for (i = in->nmoved; i-- > 0;) {
		if (!keep)
			unlink(in->moved[i]);
		free(in->moved[i]);
	}
	in->nmoved = 0;
	git_repository_free(in->repo);
	in->repo = NULL;
	if (in->dir[0])
		vault__remove_tree(in->dir);
	in->dir[0] = '\0';
}

/* How far a fetch got, told to the caller's meter ("Receiving objects"). */
typedef struct {
	vault__meter *meter;
	uint64_t received, total;
} fetch_meter;

static int fetch_progress(const git_indexer_progress *stats, void *payload)
{
	fetch_meter *m = payload;

	m->received = stats->received_objects;
	m->total = stats->total_objects;
	vault__progress(m->meter, "Receiving objects", m->received, m->total);
	return 0;
}

static void fetch_meter_init(fetch_meter *m, vault__meter *meter, git_remote_callbacks *cb)
{
	memset(m, 0, sizeof(*m));
	m->meter = meter;
	if (vault__progress_on(meter)) {
		cb->transfer_progress = fetch_progress;
		cb->payload = m;
	}
}

/* The fetch is over: its line ends, if it drew one. */
static void fetch_meter_end(fetch_meter *m)
{
	if (m->total)
		vault__progress_end(m->meter, "Receiving objects", m->received, m->total);
}

/* Fetch `url`'s main into a new repository that borrows our objects. */
/* What the fetching child does. */
typedef struct {
	git_repository *repo;
	const char *url;
	git_strarray *specs;
	git_fetch_options *opts;
	git_remote **remote;
	fetch_meter *meter;
} fetch_job;

static int fetch_child(void *payload)
{
	fetch_job *j = payload;

	git_error_clear();
	if (git_remote_create_anonymous(j->remote, j->repo, j->url) < 0 ||
	    git_remote_fetch(*j->remote, j->specs, j->opts, NULL) < 0)
		return vault_error__git(VAULT_ERROR, "cannot fetch from '%s'", j->url);
	fetch_meter_end(j->meter);
	return 0;
}

/* How long a peer may take to send what is fetched: git config qvault.fetchTimeout. */
#define FETCH_TIMEOUT 600

/*
 * Run `job` in a child process and wait for it at most qvault.fetchTimeout
 * seconds (libgit2 1.5 has no timeout of its own: a peer that accepts the
 * connection and says nothing would hold the pull for ever).  The child's
 * message, if it fails, comes back through a pipe.
 */
static int in_time(vault *v, const char *url, int (*job)(void *), void *payload)
{
	git_config *cfg = NULL;
	int32_t limit = FETCH_TIMEOUT;
	char message[1024];
	size_t got = 0;
	int pfd[2], status = 0, error;
	time_t deadline;
	pid_t pid;

	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) == 0 &&
	    git_config_get_int32(&limit, cfg, "qvault.fetchtimeout") < 0)
		limit = FETCH_TIMEOUT;
	git_config_free(cfg);
	if (limit <= 0)
		limit = FETCH_TIMEOUT;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot fetch from '%s'", url);
	if ((pid = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return vault_error__errno(VAULT_ERROR, "cannot fetch from '%s'", url);
	}
	if (pid == 0) {
		const char *m;

		close(pfd[0]);
		if (job(payload) < 0) {
			m = vault_error_message();
			if (write(pfd[1], m, strlen(m)) < 0)
				_exit(2);
			_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	deadline = time(NULL) + limit;
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		int n = poll(&p, 1, 200);

		if (n > 0) {
			ssize_t r = read(pfd[0], message + got, sizeof(message) - 1 - got);

			if (r > 0)
				got += (size_t)r;
			else
				break; /* the child is done: its end closed */
		} else if (time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			close(pfd[0]);
			return vault_error__set(VAULT_ERROR, "the fetch from '%s' did not finish within "
						"%d seconds (git config qvault.fetchTimeout); nothing was "
						"changed", url, (int)limit);
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	message[got] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	error = vault_error__set(VAULT_ERROR, "%s", got ? message :
				 "the fetch ended without a word");
	return error;
}

/* ---- fetching from a copy on this machine ---------------------------------- */

/*
 * libgit2 1.5's own file:// transport, before it packs what we lack, marks
 * every tree and blob under each of our refs as had (mark_edges_uninteresting
 * in its pack-objects.c): it reads our whole tree, one object per record in
 * the vault, for a pull of one commit (at 10,000 commits, 88 of the 92
 * million instructions the fetch took; ten times as many at 100,000).
 * A copy on this machine is read here instead, at the cost of what is new:
 * the commits its main has and our head has not, and of each only what
 * differs from its parents, since a tree or blob that a parent holds at the
 * same path comes with that parent (ours, which we have, or a new one,
 * packed too).  Nothing read there is trusted any more than before: the
 * pack is indexed into the quarantine (each object hashed again) and
 * verified there like any fetch.
 */

/* Trees nest one level per folder; a vault's paths are a few deep. */
#define MAX_TREE_DEPTH 64
/* a merge's first two parents; more only make the pack larger, never short */
#define MAX_PARENT_TREES 2

static int skip_prefix(const char **out, const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return 0;
	*out = s + n;
	return 1;
}

/*
 * The folder `url` names on this machine (file:///path, file://localhost/path,
 * or a path), else NULL: other URLs, and file:// ones with %-escapes, go to
 * libgit2's transports.
 */
static const char *local_path(const char *url)
{
	const char *path = NULL;

	if (skip_prefix(&path, url, "file://localhost/") || skip_prefix(&path, url, "file:///"))
		path--; /* keep the leading slash */
	else if (url[0] == '/' || url[0] == '.')
		path = url;
	return path && !strchr(path, '%') ? path : NULL;
}

/* The entry named like `e` in `tree`, or NULL (tree NULL too). */
static const git_tree_entry *entry_in(const git_tree *tree, const git_tree_entry *e)
{
	return tree ? git_tree_entry_byname(tree, git_tree_entry_name(e)) : NULL;
}

/* Whether one of the parents' trees holds `e` as it is. */
static int parent_holds(git_tree *const *parents, size_t n, const git_tree_entry *e)
{
	const git_tree_entry *p;
	size_t i;

	for (i = 0; i < n; i++)
		if ((p = entry_in(parents[i], e)) && git_oid_equal(git_tree_entry_id(p),
								   git_tree_entry_id(e)))
			return 1;
	return 0;
}

static int pack_tree_changes(git_packbuilder *pb, git_repository *repo, const git_oid *id,
			     git_tree *const *parents, size_t n, int depth, size_t *visited);

/* The subtree `e` of a changed tree, against the parents' trees at its name. */
static int pack_subtree_changes(git_packbuilder *pb, git_repository *repo,
				const git_tree_entry *e, git_tree *const *parents, size_t n,
				int depth, size_t *visited)
{
	git_tree *sub[MAX_PARENT_TREES] = { NULL };
	const git_tree_entry *p;
	size_t i, m = 0;
	int error = 0;

	for (i = 0; i < n && error == 0; i++)
		if ((p = entry_in(parents[i], e)) && git_tree_entry_type(p) == GIT_OBJECT_TREE &&
		    (error = git_tree_lookup(&sub[m], repo, git_tree_entry_id(p))) == 0)
			m++;
	if (error == 0)
		error = pack_tree_changes(pb, repo, git_tree_entry_id(e), sub, m, depth + 1,
					  visited);
	for (i = 0; i < m; i++)
		git_tree_free(sub[i]);
	return error;
}

/*
 * Pack the tree `id` and, below it, what the parents' trees (the same
 * folder in each parent commit) do not hold as it is.  Submodule entries
 * are left out, as libgit2's transport leaves them (verify refuses them).
 */
static int pack_tree_changes(git_packbuilder *pb, git_repository *repo, const git_oid *id,
			     git_tree *const *parents, size_t n, int depth, size_t *visited)
{
	git_tree *tree = NULL;
	size_t i;
	int error;

	if (depth > MAX_TREE_DEPTH) {
		git_error_set_str(GIT_ERROR_INVALID, "folders nested too deep");
		return -1;
	}
	if ((error = git_packbuilder_insert(pb, id, NULL)) < 0 ||
	    (error = git_tree_lookup(&tree, repo, id)) < 0)
		return error;
	for (i = 0; i < git_tree_entrycount(tree) && error == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);

		if (parent_holds(parents, n, e))
			continue;
		/* a tree naming one folder under two names, again and again,
		 * is 2^depth paths: bounded as verify's walk of a commit is */
		if (++*visited > VAULT_MAX_CHANGES_VISITED) {
			git_error_set_str(GIT_ERROR_INVALID, "a commit changes too many paths");
			error = -1;
		} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			error = pack_subtree_changes(pb, repo, e, parents, n, depth, visited);
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			error = git_packbuilder_insert(pb, git_tree_entry_id(e),
						       git_tree_entry_name(e));
	}
	git_tree_free(tree);
	return error;
}

/* Pack the commit `c` and what its tree changes against its parents'. */
static int pack_commit_changes(git_packbuilder *pb, git_repository *repo, const git_commit *c)
{
	git_tree *parents[MAX_PARENT_TREES] = { NULL };
	git_commit *parent = NULL;
	size_t i, n = git_commit_parentcount(c), visited = 0;
	int error;

	if (n > MAX_PARENT_TREES)
		n = MAX_PARENT_TREES;
	if ((error = git_packbuilder_insert(pb, git_commit_id(c), NULL)) < 0)
		return error;
	for (i = 0; i < n && error == 0; i++) {
		if ((error = git_commit_parent(&parent, c, (unsigned int)i)) == 0)
			error = git_commit_tree(&parents[i], parent);
		git_commit_free(parent);
		parent = NULL;
	}
	if (error == 0)
		error = pack_tree_changes(pb, repo, git_commit_tree_id(c), parents, n, 0, &visited);
	for (i = 0; i < n; i++)
		git_tree_free(parents[i]);
	return error;
}

/* Pack the commits `theirs` leads to and `ours` (NULL: none) does not. */
static int pack_new_commits(git_packbuilder *pb, git_repository *repo, const git_oid *theirs,
			    const git_oid *ours)
{
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	git_oid id;
	int error;

	if ((error = git_revwalk_new(&walk, repo)) < 0 ||
	    (error = git_revwalk_push(walk, theirs)) < 0 ||
	    (ours && (error = git_revwalk_hide(walk, ours)) < 0))
		goto done;
	while ((error = git_revwalk_next(&id, walk)) == 0) {
		if ((error = git_commit_lookup(&c, repo, &id)) < 0 ||
		    (error = pack_commit_changes(pb, repo, c)) < 0)
			goto done;
		git_commit_free(c);
		c = NULL;
	}
	if (error == GIT_ITEROVER)
		error = 0;
done:
	git_commit_free(c);
	git_revwalk_free(walk);
	return error;
}

/* What the child fetching from a copy on this machine does. */
typedef struct {
	const char *url, *path; /* the copy, as named and as a folder */
	const char *objects;    /* our objects, which the copy's are read beside */
	const char *pack;       /* where the pack goes: the quarantine's objects/pack */
	git_repository *in;     /* the quarantine */
	const git_oid *ours;
	fetch_meter *meter;
} local_job;

/* Pack the object `theirs`: a commit with what is new behind it, else alone. */
static int pack_their_main(git_packbuilder *pb, git_repository *their, const git_oid *theirs,
			   const git_oid *ours)
{
	git_object *obj = NULL;
	int error;

	if ((error = git_object_lookup(&obj, their, theirs, GIT_OBJECT_ANY)) < 0)
		return error;
	/*
	 * Not a commit: sent alone, and refused as not a copy of this vault.
	 * Not with what it leads to (git_packbuilder_insert_recur): that
	 * recurses once per folder or tag, and a tree nested 100,000 deep,
	 * a few MB on disk, overflowed the child's stack.
	 */
	error = git_object_type(obj) == GIT_OBJECT_COMMIT ?
		pack_new_commits(pb, their, theirs, ours) :
		git_packbuilder_insert(pb, theirs, NULL);
	git_object_free(obj);
	return error;
}

/*
 * Write into `in` a pack of what `their` main has and our head has not, and
 * point `in`'s main at it.  Our objects are added to the copy's (in this
 * process only) so that the walk and the diffs stop at what we hold.
 */
static int local_pack(local_job *j, git_repository *their)
{
	git_packbuilder *pb = NULL;
	git_reference *ref = NULL;
	git_odb *odb = NULL;
	git_oid theirs;
	int error;

	if ((error = git_reference_name_to_id(&theirs, their, VAULT_BRANCH)) == GIT_ENOTFOUND)
		return 0; /* the caller says it holds no vault */
	if (error < 0 || (error = git_repository_odb(&odb, their)) < 0 ||
	    (error = git_odb_add_disk_alternate(odb, j->objects)) < 0 ||
	    (error = git_packbuilder_new(&pb, their)) < 0)
		goto done;
	git_packbuilder_set_threads(pb, 1);
	if ((error = pack_their_main(pb, their, &theirs, j->ours)) < 0)
		goto done;
	/* nothing new (their main is in our history): no pack */
	if (git_packbuilder_object_count(pb) > 0 &&
	    (error = git_packbuilder_write(pb, j->pack, 0, j->meter->meter ?
					   fetch_progress : NULL, j->meter)) < 0)
		goto done;
	error = git_reference_create(&ref, j->in, VAULT_BRANCH, &theirs, 1, NULL);
done:
	git_reference_free(ref);
	git_packbuilder_free(pb);
	git_odb_free(odb);
	return error;
}

static int local_fetch_child(void *payload)
{
	local_job *j = payload;
	git_repository *their = NULL;
	int error;

	git_error_clear();
	if ((error = git_repository_open_ext(&their, j->path, GIT_REPOSITORY_OPEN_NO_SEARCH,
					     NULL)) == 0)
		error = local_pack(j, their);
	git_repository_free(their);
	if (error < 0)
		return vault_error__git(VAULT_ERROR, "cannot fetch from '%s'", j->url);
	fetch_meter_end(j->meter);
	return 0;
}

/*
 * Fetch from the copy at `path` (local_path) into `in`, in a child as any
 * fetch (in_time); `gitdir` is this vault's, resolved.
 */
static int fetch_local(incoming *in, vault *v, const char *url, const char *path,
		       const char *gitdir, const git_oid *ours, fetch_meter *meter)
{
	char objects[PATH_MAX + 16], pack[PATH_MAX + 64];
	local_job job = { url, path, objects, pack, in->repo, ours, meter };
	int error;

	if ((error = vault__fmt(objects, sizeof(objects), "path", "%s/objects", gitdir)) < 0 ||
	    (error = vault__fmt(pack, sizeof(pack), "path", "%s/objects/pack", in->dir)) < 0)
		return error;
	return in_time(v, url, local_fetch_child, &job);
}

static int incoming_fetch(incoming *in, vault *v, const char *url, const git_oid *ours)
{
	git_fetch_options opts;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	char *spec = (char *)(uintptr_t)"+refs/heads/main:refs/heads/main", objects[PATH_MAX],
	     path[PATH_MAX + 96];
	git_strarray specs = { &spec, 1 };
	fetch_meter meter;
	const char *local;
	FILE *f;
	int error;

	memset(in, 0, sizeof(*in));
	if (vault__fmt(in->dir, sizeof(in->dir), "path", "%s/incoming-XXXXXX", v->qdir) < 0) {
		in->dir[0] = '\0';
		return VAULT_EINVALID;
	}
	if (!mkdtemp(in->dir)) {
		in->dir[0] = '\0';
		return vault_error__errno(VAULT_ERROR, "cannot make a folder for what is fetched");
	}
	if (!realpath(git_repository_path(vault_store__repo(v->store)), objects))
		return vault_error__errno(VAULT_ERROR, "cannot resolve the vault's path");
	if (git_repository_init(&in->repo, in->dir, 1) < 0)
		return vault_error__git(VAULT_ERROR, "cannot make a repository for what is fetched");
	if (vault__fmt(path, sizeof(path), "path", "%s/objects/info/alternates", in->dir) < 0)
		return VAULT_EINVALID;
	if ((f = fopen(path, "we")) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
	fprintf(f, "%s/objects\n", objects);
	if (fclose(f) != 0)
		return vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
	/* reopen, so that the alternate is read; our head tells the remote what we have */
	git_repository_free(in->repo);
	in->repo = NULL;
	if (git_repository_open_bare(&in->repo, in->dir) < 0 ||
	    (ours && git_reference_create(&ref, in->repo, "refs/heads/ours", ours, 1, NULL) < 0))
		return vault_error__git(VAULT_ERROR, "cannot prepare the fetch");
	git_reference_free(ref);
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	opts.callbacks.credentials = credentials;
	/* told from the fetching child, whose stderr is ours */
	fetch_meter_init(&meter, &v->progress, &opts.callbacks);
	if ((local = local_path(url)) != NULL)
		error = fetch_local(in, v, url, local, objects, ours, &meter);
	else
		error = in_time(v, url, fetch_child, &(fetch_job){ in->repo, url, &specs, &opts,
								  &remote, &meter });
	if (error < 0)
		return error;
	if (git_reference_name_to_id(&in->theirs, in->repo, "refs/heads/main") < 0)
		return vault_error__set(VAULT_ENOTFOUND, "'%s' holds no vault (it has no branch main)",
					url);
	return 0;
}

/* The first line of the first finding, for a one-line refusal. */
static const char *first_finding(const vault_findings *f, char *buf, size_t size)
{
	const vault_finding *x;

	if (!f || f->count == 0) {
		vault__fmt_message(buf, size, "%s", vault_error_message());
		return buf;
	}
	x = &f->items[0];
	vault__fmt_message(buf, size, "%s%s%s%s%.12s", x->subject ? x->subject : "",
			   x->subject ? ": " : "", x->problem, x->commit[0] ? " in commit " : "",
			   x->commit);
	return buf;
}

/*
 * VAULT_EVERIFY with the first finding of `f` when it holds any, said of
 * what came from `url` or, when `ours`, of this vault about to be pushed
 * there; `error` (verify's) as it is otherwise.
 */
static int verify_said(int error, vault_findings *f, const char *url, int ours)
{
	char buf[1024];

	if (error == VAULT_EVERIFY || (error == 0 && f->count)) {
		first_finding(f, buf, sizeof(buf));
		error = ours ?
			vault_error__set(VAULT_EVERIFY, "this vault does not verify, nothing was "
					 "pushed to '%s': %s", url, buf) :
			vault_error__set(VAULT_EVERIFY, "the history of '%s' does not verify: %s",
					 url, buf);
	}
	vault_findings_free(f);
	return error;
}

/* verify over all of `v`'s history (verify_said). */
static int verify_all(vault *v, const char *url, int ours)
{
	vault_findings *f = NULL;
	int error = vault_verify(&f, v);

	return verify_said(error, f, url, ours);
}

/*
 * The TSA certificate this site trusts (git config qvault.tsaCert) set in
 * the fetched copy's config too, which verify reads it from (stamp.c): a
 * peer's timestamp tokens are held to our TSA, as our own verify holds
 * them, not left unchecked for want of a setting in a new repository.
 */
static int trust_our_tsa(incoming *in, vault *v)
{
	git_config *ours = NULL, *theirs = NULL;
	git_buf cert = { NULL, 0, 0 };
	int error = 0;

	if (git_repository_config_snapshot(&ours, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	if (git_config_get_string_buf(&cert, ours, "qvault.tsaCert") == 0 && cert.ptr &&
	    *cert.ptr &&
	    (git_repository_config(&theirs, in->repo) < 0 ||
	     git_config_set_string(theirs, "qvault.tsaCert", cert.ptr) < 0))
		error = vault_error__git(VAULT_ERROR, "cannot check what was fetched");
	git_config_free(theirs);
	git_buf_dispose(&cert);
	git_config_free(ours);
	return error;
}

/*
 * Check what was fetched: every commit signed by a user allowed to do
 * what it did, every record and byte in order.  Only what is new: the
 * commits our head `ours` does not lead to.  Our history was verified as
 * it came in (each write's commit by the write path, each pull's by the
 * pull), so verify goes on from our head, with what our tree holds (the
 * ledger of lots, vault_verify__since): their commits are held to the
 * quantity rules together with ours, as the merge will hold them.
 */
static int incoming_verify(incoming *in, vault *v, const char *url, const git_oid *ours)
{
	char q[PATH_MAX + 64];
	git_reference *ref = NULL;
	vault_findings *f = NULL;
	vault *iv = NULL;
	int error;

	if (git_reference_create(&ref, in->repo, VAULT_BRANCH, &in->theirs, 1, NULL) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read what was fetched");
	git_reference_free(ref);
	git_repository_set_head(in->repo, VAULT_BRANCH);
	if (vault__fmt(q, sizeof(q), "path", "%s/qvault", in->dir) < 0)
		return VAULT_EINVALID;
	if (mkdir(q, 0755) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot check what was fetched");
	if ((error = trust_our_tsa(in, v)) < 0)
		return error;
	/* no index of its own: one built here would read all history */
	if (vault_open_unindexed(&iv, in->dir) < 0)
		return vault_error__set(VAULT_EVERIFY, "the history of '%s' is not a vault's: %s",
					url, vault_error_message());
	/* the caller hears how far the check of what came in got */
	vault_set_progress(iv, v->progress.cb, v->progress.payload);
	error = vault_verify__since(&f, iv, &in->theirs, 1, ours);
	error = verify_said(error, f, url, 0);
	vault_free(iv);
	return error;
}

/* Move the fetched packs into our objects/pack: .pack first, .idx last. */
static int incoming_accept(incoming *in, vault *v)
{
	/* removed in the reverse order if the pull fails after all */
	static const char *const order[] = { ".pack", ".rev", ".idx", NULL };
	char from[PATH_MAX * 2 + 320], to[PATH_MAX + 320], dir[PATH_MAX + 64];
	const char *gitdir = git_repository_path(vault_store__repo(v->store));
	struct dirent *e;
	size_t i;
	DIR *d;
	int error = 0;

	if (vault__fmt(dir, sizeof(dir), "path", "%s/objects/pack", in->dir) < 0 ||
	    vault__fmt(to, sizeof(to), "path", "%sobjects/pack", gitdir) < 0)
		return VAULT_EINVALID;
	mkdir(to, 0755);
	for (i = 0; order[i] && error == 0; i++) {
		if ((d = opendir(dir)) == NULL)
			return 0; /* nothing new came */
		while (error == 0 && (e = readdir(d)) != NULL) {
			size_t n = strlen(e->d_name), m = strlen(order[i]);

			if (n <= m || strcmp(e->d_name + n - m, order[i]) != 0)
				continue;
			if (vault__fmt(from, sizeof(from), "path", "%s/%s", dir, e->d_name) < 0 ||
			    vault__fmt(to, sizeof(to), "path", "%sobjects/pack/%s", gitdir,
				       e->d_name) < 0)
				error = VAULT_EINVALID;
			else if (in->nmoved == MAX_MOVED)
				error = vault_error__set(VAULT_ERROR, "the fetch came in too many packs");
			else if (rename(from, to) < 0)
				error = vault_error__errno(VAULT_ERROR, "cannot move '%s' in", from);
			else
				in->moved[in->nmoved++] = vault__strdup(to);
		}
		closedir(d);
	}
	if (error == 0 && (error = vault__fmt(to, sizeof(to), "path", "%sobjects/pack", gitdir)) == 0)
		error = vault__fsync_dir(to);
	return error;
}

/* ---- merging two sites' histories ---------------------------------------- */

/* The first conflict of `index`, as a one-line refusal. */
static int conflict(git_index *index)
{
	const git_index_entry *anc, *ours, *theirs;
	git_index_conflict_iterator *it = NULL;
	const char *path = "?";

	if (git_index_conflict_iterator_new(&it, index) == 0 &&
	    git_index_conflict_next(&anc, &ours, &theirs, it) == 0)
		path = ours ? ours->path : theirs ? theirs->path : anc->path;
	path = vault__strdup(path);
	git_index_conflict_iterator_free(it);
	{
		int error = vault_error__set(VAULT_EEXISTS,
			"both sites wrote '%s' with different content; nothing was merged", path);

		free((char *)(uintptr_t)path);
		return error;
	}
}

/*
 * vault.json (the type allowlists, the pdf policy) changed at both sites
 * since they parted, to other bytes: refused whole.  git would merge it
 * line by line, which for a list or a limit set otherwise at each site
 * gives a file neither site wrote (and verify refuses such a merge); one
 * rule for all: a change made at one site is taken as that site made it,
 * a change made at both is settled by hand (undone at one site, pulled,
 * made again).
 */
static int settings_changed_at_both(git_tree *base, git_tree *ours, git_tree *theirs)
{
	const git_tree_entry *b = git_tree_entry_byname(base, "vault.json"),
			     *o = git_tree_entry_byname(ours, "vault.json"),
			     *t = git_tree_entry_byname(theirs, "vault.json");

	if (!b || !o || !t || git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(b)) ||
	    git_oid_equal(git_tree_entry_id(t), git_tree_entry_id(b)) ||
	    git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(t)))
		return 0;
	return vault_error__set(VAULT_EEXISTS,
		"both sites changed vault.json (the types allowed, the pdf policy) since they "
		"parted; nothing was merged: undo the change at one site, pull, and make it again");
}

/* A signed merge of `theirs` into `head`, written by the acting user. */
static int merge(git_oid *out, vault *v, git_commit *head, git_commit *theirs,
		 const char *url)
{
	git_repository *repo = vault_store__repo(v->store);
	git_tree *base_tree = NULL, *ours_tree = NULL, *their_tree = NULL;
	git_commit *base = NULL;
	git_index *index = NULL;
	git_merge_options mo;
	const git_commit *parents[2] = { head, theirs };
	char email[VAULT_NAME_MAX * 2 + 2];
	vault_buf message = VAULT_BUF_INIT;
	int64_t when;
	git_oid base_id, tree;
	vault_user me;
	int error;

	memset(&me, 0, sizeof(me));
	if (git_commit_tree(&ours_tree, head) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
	if ((error = vault__whoami(&me, v, ours_tree)) < 0)
		goto done;
	if ((error = vault_user__may(&me, VAULT_ROLE_ADMIN | VAULT_ROLE_BUYER |
				     VAULT_ROLE_QUALITY | VAULT_ROLE_SERVER,
				     "merge another site's history")) < 0)
		goto done;
	if (git_merge_base(&base_id, repo, git_commit_id(head), git_commit_id(theirs)) < 0 ||
	    git_commit_lookup(&base, repo, &base_id) < 0 ||
	    git_commit_tree(&base_tree, base) < 0 || git_commit_tree(&their_tree, theirs) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot find where the sites parted");
		goto done;
	}
	if ((error = vault_verify__same_document(v, base_tree, ours_tree, their_tree)) < 0 ||
	    (error = settings_changed_at_both(base_tree, ours_tree, their_tree)) < 0)
		goto done;
	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	if (git_merge_trees(&index, repo, base_tree, ours_tree, their_tree, &mo) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot merge the two histories");
		goto done;
	}
	if (git_index_has_conflicts(index)) {
		error = conflict(index);
		goto done;
	}
	if (git_index_write_tree_to(&tree, index, repo) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot write the merged tree");
		goto done;
	}
	if ((error = vault_buf__addf(&message,
		 "merge %.12s from %s\n\nQvault-Op: merge\nQvault-Remote: %s\n",
		 git_oid_tostr_s(git_commit_id(theirs)), url, url)) < 0 ||
	    (error = vault__fmt(email, sizeof(email), "e-mail", "%s@%s", me.name, me.org)) < 0)
		goto done;
	/* never dated before either side: a site whose clock runs behind still merges */
	when = (int64_t)time(NULL);
	if (when < (int64_t)git_commit_time(head))
		when = (int64_t)git_commit_time(head);
	if (when < (int64_t)git_commit_time(theirs))
		when = (int64_t)git_commit_time(theirs);
	error = vault_store__commit_tree(out, v->store, &tree, parents, 2, me.name, email,
					 when, message.data, v->key);
done:
	vault_buf__dispose(&message);
	vault_user_dispose(&me);
	git_index_free(index);
	git_tree_free(base_tree);
	git_tree_free(ours_tree);
	git_tree_free(their_tree);
	git_commit_free(base);
	return error;
}

/* Whether the merge `merged` of `url`'s history can be indexed: VAULT_EVERIFY, else. */
static int merged_indexable(vault *v, const git_oid *merged, const char *url)
{
	int error = vault_index__try(v->index, v->store, merged);

	if (error == VAULT_EVERIFY)
		error = vault_error__set(VAULT_EVERIFY, "nothing was merged from '%s': %s", url,
					 vault_error_message());
	return error;
}

int vault_pull(vault_pull_result *out, vault *v, const char *name)
{
	git_repository *repo = vault_store__repo(v->store);
	git_commit *head = NULL, *theirs = NULL;
	incoming in;
	char *url = NULL;
	git_oid base, merged;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&in, 0, sizeof(in));
	if ((error = resolve_url(&url, v, name)) < 0)
		return error;
	/* fetched and verified apart, without the write lock: writers go on
	 * while a slow peer sends; the lock is taken to merge and move main */
	if ((error = vault_store__head(&head, v->store)) < 0 ||
	    (error = incoming_fetch(&in, v, url, git_commit_id(head))) < 0)
		goto done;
	git_oid_tostr(out->theirs, sizeof(out->theirs), &in.theirs);
	if (git_oid_equal(&in.theirs, git_commit_id(head)) ||
	    git_graph_descendant_of(repo, git_commit_id(head), &in.theirs) == 1) {
		out->kind = VAULT_PULL_UP_TO_DATE;
		goto done;
	}
	if (git_merge_base(&base, in.repo, git_commit_id(head), &in.theirs) < 0) {
		error = vault_error__set(VAULT_EVERIFY,
			"'%s' is not a copy of this vault (its history shares nothing with ours)", url);
		goto done;
	}
	if ((error = incoming_verify(&in, v, url, git_commit_id(head))) < 0)
		goto done;
	/* locked from here: main may have moved while we fetched */
	git_commit_free(head);
	head = NULL;
	if ((error = vault__lock(v)) < 0 || (error = vault_store__head(&head, v->store)) < 0)
		goto done;
	if (git_graph_descendant_of(repo, git_commit_id(head), &in.theirs) == 1) {
		out->kind = VAULT_PULL_UP_TO_DATE;
		goto done;
	}
	if (git_merge_base(&base, in.repo, git_commit_id(head), &in.theirs) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot find where the sites parted");
		goto done;
	}
	if ((error = incoming_accept(&in, v)) < 0)
		goto done;
	if (git_commit_lookup(&theirs, repo, &in.theirs) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read what was fetched");
		goto done;
	}
	if (git_oid_equal(&base, git_commit_id(head))) {
		/* what no index can hold (a record added twice): the check of
		 * what came in read no index, ours is brought on in a trial */
		out->kind = VAULT_PULL_FAST_FORWARD;
		git_oid_cpy(&merged, &in.theirs);
		if ((error = vault_index__try(v->index, v->store, &merged)) == VAULT_EVERIFY)
			error = vault_error__set(VAULT_EVERIFY, "the history of '%s' is not a vault's: "
						 "%s", url, vault_error_message());
		if (error < 0)
			goto done;
	} else {
		char dir[4200];

		/* the merge is held to the rules verify holds it to before it is
		 * published, and waits in quarantine until then */
		out->kind = VAULT_PULL_MERGED;
		if ((error = vault__fmt(dir, sizeof(dir), "path", "%s/quarantine", v->qdir)) < 0 ||
		    (error = vault_store__quarantine_begin(v->store, dir)) < 0)
			goto done;
		/* each side indexes on its own (verified so): together they
		 * may hold one record twice, which no index can hold */
		if ((error = merge(&merged, v, head, theirs, url)) < 0 ||
		    (error = v->check_commit(v, &merged)) < 0 ||
		    (error = merged_indexable(v, &merged, url)) < 0 ||
		    (error = vault_store__quarantine_accept(v->store)) < 0) {
			vault_store__quarantine_drop(v->store);
			goto done;
		}
	}
	git_oid_tostr(out->commit, sizeof(out->commit), &merged);
	error = vault__publish(v, head, &merged, NULL, 0);
done:
	incoming_drop(&in, error == 0);
	git_commit_free(theirs);
	git_commit_free(head);
	vault__unlock(v);
	free(url);
	return error;
}

/* ---- pushing ------------------------------------------------------------------ */

typedef struct {
	char refused[512]; /* the other side's reason, from its hook's first "qvault:" line */
	char status[256];
} push_report;

static int on_sideband(const char *str, int len, void *payload)
{
	push_report *r = payload;
	const char *p;

	if (r->refused[0] || (p = memmem(str, (size_t)len, "qvault: ", 8)) == NULL)
		return 0;
	len -= (int)(p - str);
	vault__fmt_message(r->refused, sizeof(r->refused), "%.*s", (int)strcspn(p, "\r\n") < len ?
			   (int)strcspn(p, "\r\n") : len, p);
	return 0;
}

static int on_ref_status(const char *ref, const char *status, void *payload)
{
	push_report *r = payload;

	(void)ref;
	if (status && !r->status[0])
		vault__fmt_message(r->status, sizeof(r->status), "%s", status);
	return 0;
}

int vault_push(vault_pull_result *out, vault *v, const char *name)
{
	git_repository *repo = vault_store__repo(v->store);
	git_remote *remote = NULL;
	git_push_options po;
	git_remote_callbacks cb;
	const git_remote_head **heads;
	git_commit *head = NULL;
	push_report report;
	char *url = NULL, *spec = (char *)(uintptr_t)"refs/heads/main:refs/heads/main";
	git_strarray specs = { &spec, 1 };
	size_t n, i;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&report, 0, sizeof(report));
	if ((error = resolve_url(&url, v, name)) < 0)
		return error;
	/* never pass on history that does not verify (file:// runs no hook there) */
	if ((error = verify_all(v, url, 1)) < 0)
		goto done;
	if ((error = vault_store__head(&head, v->store)) < 0)
		goto done;
	git_oid_tostr(out->commit, sizeof(out->commit), git_commit_id(head));
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb.credentials = credentials;
	cb.sideband_progress = on_sideband;
	cb.push_update_reference = on_ref_status;
	cb.payload = &report;
	git_error_clear();
	if (git_remote_create_anonymous(&remote, repo, url) < 0 ||
	    git_remote_connect(remote, GIT_DIRECTION_PUSH, &cb, NULL, NULL) < 0 ||
	    git_remote_ls(&heads, &n, remote) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot reach '%s'", url);
		goto done;
	}
	/* only forward: the other side's main must be in our history */
	for (i = 0; i < n; i++) {
		if (strcmp(heads[i]->name, VAULT_BRANCH) != 0)
			continue;
		git_oid_tostr(out->theirs, sizeof(out->theirs), &heads[i]->oid);
		if (git_oid_equal(&heads[i]->oid, git_commit_id(head))) {
			out->kind = VAULT_PULL_UP_TO_DATE;
			goto done;
		}
		if (git_graph_descendant_of(repo, git_commit_id(head), &heads[i]->oid) != 1) {
			error = vault_error__set(VAULT_EEXISTS,
				"'%s' has history this vault has not: pull first", url);
			goto done;
		}
	}
	git_remote_disconnect(remote);
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks = cb;
	if (git_remote_push(remote, &specs, &po) < 0 || report.status[0]) {
		error = report.refused[0] ?
			vault_error__set(VAULT_EDENIED, "'%s' refused the push: %s", url,
					 report.refused + 8) :
			report.status[0] ?
			vault_error__set(VAULT_EDENIED, "'%s' refused the push: %s", url,
					 report.status) :
			vault_error__git(VAULT_ERROR, "cannot push to '%s'", url);
		goto done;
	}
	out->kind = VAULT_PULL_FAST_FORWARD;
done:
	git_remote_free(remote);
	git_commit_free(head);
	free(url);
	return error;
}

/*
 * Record the root of a verified vault (its one parentless commit), so
 * that a later verify, pull or push knows which vault this is.
 */
static int record_root(vault *v)
{
	git_repository *repo = vault_store__repo(v->store);
	git_revwalk *walk = NULL;
	git_commit *head = NULL;
	git_oid id;
	int error;

	if ((error = vault_store__head(&head, v->store)) < 0)
		return error;
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, git_commit_id(head)) < 0 || git_revwalk_next(&id, walk) < 0)
		error = vault_error__git(VAULT_ERROR, "cannot find the vault's root");
	else
		error = vault_store__set_root(v->store, &id);
	git_revwalk_free(walk);
	git_commit_free(head);
	return error;
}

/* ---- cloning ------------------------------------------------------------------ */

int vault_clone(vault **out, const char *url, const char *path, vault_warn_cb warn,
		void *payload, vault_progress_cb progress, void *progress_payload)
{
	vault__meter meter = { progress, progress_payload, 0, 101 };
	fetch_meter fm;
	git_clone_options co;
	git_repository *repo = NULL;
	char q[PATH_MAX];
	struct stat st;
	vault *v = NULL;
	int error;

	*out = NULL;
	if (stat(path, &st) == 0)
		return vault_error__set(VAULT_EEXISTS, "'%s' exists already", path);
	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	co.bare = 1; /* (checkout_branch with bare crashes libgit2 1.5: main is set below) */
	co.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	co.fetch_opts.callbacks.credentials = credentials;
	fetch_meter_init(&fm, &meter, &co.fetch_opts.callbacks);
	git_libgit2_init();
	git_error_clear();
	error = git_clone(&repo, url, path, &co);
	if (error == 0)
		fetch_meter_end(&fm);
	if (error < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot clone '%s'", url);
		vault__remove_tree(path);
		git_libgit2_shutdown();
		return error;
	}
	/* the other side's HEAD may name another branch: ours is main */
	{
		git_reference *ref = NULL;
		git_oid main;

		if (git_reference_name_to_id(&main, repo, "refs/remotes/origin/main") < 0) {
			error = vault_error__set(VAULT_ENOTFOUND,
				"'%s' holds no vault (it has no branch main)", url);
			git_repository_free(repo);
			git_libgit2_shutdown();
			vault__remove_tree(path);
			return error;
		}
		if (git_reference_create(&ref, repo, VAULT_BRANCH, &main, 1, "clone") == 0)
			git_repository_set_head(repo, VAULT_BRANCH);
		git_reference_free(ref);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	if ((error = vault__fmt(q, sizeof(q), "path", "%s/qvault", path)) < 0)
		goto fail;
	if (mkdir(q, 0755) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot create '%s'", q);
		goto fail;
	}
	if (vault_open(&v, path, warn, payload) < 0) {
		error = vault_error__set(VAULT_EVERIFY, "'%s' is not a vault: %s", url,
					 vault_error_message());
		goto fail;
	}
	vault_set_progress(v, progress, progress_payload);
	if ((error = verify_all(v, url, 0)) < 0 || (error = record_root(v)) < 0)
		goto fail;
	*out = v;
	return 0;
fail:
	vault_free(v);
	vault__remove_tree(path);
	return error;
}
