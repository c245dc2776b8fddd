/*
 * hooks.c - running the vault's hook programs around each write.
 *
 * The hook runs with posix_spawn in a process group of its own, so that a
 * hook that hangs is killed with everything it started.  Its standard
 * input is the event, from an anonymous memory file; its standard output
 * and error share one pipe, of which only the first line is kept (the
 * rest is read and dropped, so a hook that writes megabytes cannot block
 * on a full pipe).  The write it judges is held in the store's quarantine
 * meanwhile (store.h), so a refusal leaves no byte behind.
 */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <jansson.h>

#include "error.h"
#include "user.h"
#include "util.h"

extern const char *const vault_role_names[];

#define RECORD_MAX (1024 * 1024) /* JSON records larger than this are named, not inlined */
#define LINE_MAX_SHOWN 200

int vault_hooks__any_pre(vault *v)
{
	char dir[4200];
	struct dirent *e;
	DIR *d;
	int found = 0;

	/* a vault path too long for a folder name has no hooks folder either */
	if (vault__fmt(dir, sizeof(dir), "path", "%s/" VAULT_HOOKS_DIR, v->path) < 0 ||
	    (d = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = strncmp(e->d_name, "pre-", 4) == 0 && !strchr(e->d_name, '.') &&
			strcmp(e->d_name, "pre-receive") != 0;
	closedir(d);
	return found;
}

/* The Qvault-Op trailer of `message` into `buf`; NULL without one. */
static const char *op_of(char *buf, size_t size, const char *message)
{
	char *op;
	int fits;

	if (vault_store__trailer(&op, message, "Qvault-Op") < 0 || !op)
		return NULL;
	fits = *op && strlen(op) < size;
	if (fits)
		memcpy(buf, op, strlen(op) + 1);
	free(op);
	return fits ? buf : NULL;
}

const char *vault_hooks__event(char *buf, size_t size, const char *message)
{
	static const struct { const char *op, *event; } folded[] = {
		{ "import", "add" }, { "lot-add", "lot" }, { "lot-import", "lot" },
		{ "lot-subtier", "lot" },
		{ "po-add", "po" }, { "po-import", "po" }, { "fai-add", "fai" },
		{ "user-add", "user" }, { "user-revoke", "user" }, { "user-set", "user" },
		{ "status-import", "status" }, { "asn-add", "asn" }, { "asn-import", "asn" },
		{ "asn-replace", "asn" }, { "asn-cancel", "asn" },
		{ "ncr-add", "ncr" }, { "ncr-close", "ncr" },
		{ "forecast-import", "forecast" }, { "forecast-ack", "forecast" },
	};
	size_t i;

	if (!op_of(buf, size, message))
		return NULL;
	for (i = 0; i < sizeof(folded) / sizeof(folded[0]); i++)
		if (strcmp(buf, folded[i].op) == 0)
			return vault__fmt(buf, size, "event", "%s", folded[i].event) == 0 ? buf : NULL;
	return buf;
}

/* ---- the event --------------------------------------------------------- */

static json_t *user_json(const vault_user *u)
{
	json_t *roles = json_array();
	size_t i;

	for (i = 0; vault_role_names[i]; i++)
		if (u->roles & (1u << i))
			json_array_append_new(roles, json_string(vault_role_names[i]));
	return json_pack("{s:s, s:s, s:o}", "name", u->name, "org", u->org, "roles", roles);
}

/* One queued change: its path and blob, and a JSON record inlined. */
static json_t *change_json(vault *v, const char *path, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t n = strlen(path);
	json_t *c;
	git_blob *blob;

	git_oid_tostr(hex, sizeof(hex), id);
	c = json_pack("{s:s, s:s}", "path", path, "blob", hex);
	if (n < 5 || strcmp(path + n - 5, ".json") != 0 ||
	    git_blob_lookup(&blob, vault_store__repo(v->store), id) < 0)
		return c;
	if (git_blob_rawsize(blob) <= RECORD_MAX) {
		json_t *record = json_loadb(git_blob_rawcontent(blob),
					    (size_t)git_blob_rawsize(blob), 0, NULL);

		if (record)
			json_object_set_new(c, "record", record);
	}
	git_blob_free(blob);
	return c;
}

static char *event_json(vault_txn *t, vault *v, const char *event, const char *op,
			const char *message, const git_oid *commit)
{
	char when[32], hex[GIT_OID_HEXSZ + 1], dir[PATH_MAX];
	json_t *root, *changes = json_array();
	char *out;
	size_t i;

	for (i = 0; i < t->updates.count; i++)
		json_array_append_new(changes, change_json(v, t->updates.paths[i],
							   &t->updates.items[i].id));
	vault_time_format(when, sizeof(when), t->now);
	root = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s%, s:o}",
			 "event", event, "op", op, "vault", realpath(v->path, dir) ? dir : v->path,
			 "user", user_json(&t->actor), "time", when,
			 "message", message, strcspn(message, "\n"),
			 "changes", changes);
	git_oid_tostr(hex, sizeof(hex), git_commit_id(t->head));
	json_object_set_new(root, "parent", json_string(hex));
	if (commit) {
		git_oid_tostr(hex, sizeof(hex), commit);
		json_object_set_new(root, "commit", json_string(hex));
	}
	if (t->via)
		json_object_set_new(root, "via", json_string(t->via));
	out = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (!out)
		abort();
	return out;
}

/* ---- running a hook ---------------------------------------------------- */

typedef struct {
	char first[LINE_MAX_SHOWN + 4]; /* the first line, made printable */
	size_t len;                     /* of first */
	int line_done, status, timed_out;
	uint64_t bytes;
} hook_output;

static void take_output(hook_output *o, const char *buf, size_t n)
{
	size_t i;

	o->bytes += n;
	for (i = 0; i < n && !o->line_done; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n') {
			if (o->len > 0)
				o->line_done = 1;
			continue;
		}
		if (c == '\r')
			continue;
		if (o->len == LINE_MAX_SHOWN) {
			memcpy(o->first + o->len, "...", 3);
			o->len += 3;
			o->line_done = 1;
			break;
		}
		o->first[o->len++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	o->first[o->len] = '\0';
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The time limit from git config qvault.hookTimeout, in seconds. */
static int hook_timeout(int *out, vault *v)
{
	git_config *cfg = NULL;
	int32_t n = VAULT_HOOK_TIMEOUT;
	int error;

	*out = VAULT_HOOK_TIMEOUT;
	if (git_repository_config_snapshot(&cfg, vault_store__repo(v->store)) < 0)
		return vault_error__git(VAULT_ERROR, "cannot read the vault's git config");
	error = git_config_get_int32(&n, cfg, "qvault.hookTimeout");
	git_config_free(cfg);
	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0 || n < 1 || n > 86400)
		return vault_error__set(VAULT_EINVALID,
			"git config qvault.hookTimeout must be a number of seconds from 1 to 86400");
	*out = n;
	return 0;
}

/* Read the hook's output until it exits or its time is up. */
static void collect(hook_output *o, pid_t pid, int fd, int64_t deadline)
{
	char buf[65536];
	int open_pipe = 1, exited = 0;

	while (!exited) {
		int64_t left = deadline - now_ms();
		struct pollfd p = { fd, POLLIN, 0 };
		pid_t w;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			o->timed_out = 1;
			while (waitpid(pid, &o->status, 0) < 0 && errno == EINTR)
				;
			return;
		}
		if (open_pipe) {
			if (poll(&p, 1, left < 50 ? (int)left : 50) > 0) {
				ssize_t n = read(fd, buf, sizeof(buf));

				if (n > 0)
					take_output(o, buf, (size_t)n);
				else if (n == 0 || errno != EINTR)
					open_pipe = 0;
			}
		} else {
			struct timespec pause = { 0, 10 * 1000 * 1000 };

			nanosleep(&pause, NULL);
		}
		w = waitpid(pid, &o->status, WNOHANG);
		if (w == pid)
			exited = 1;
	}
	/* what the hook wrote just before it exited */
	while (open_pipe) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 0) <= 0 || (n = read(fd, buf, sizeof(buf))) <= 0)
			break;
		take_output(o, buf, (size_t)n);
	}
	/* nothing it started outlives it (its group keeps the id while any is left) */
	kill(-pid, SIGKILL);
}

static int spawn_hook(hook_output *o, vault *v, const vault_txn *t,
		      const char *name, const char *event, int timeout)
{
	char dir[PATH_MAX], self[PATH_MAX], env_dir[PATH_MAX + 16], env_user[300],
	     env_org[300], env_event[300], env_bin[PATH_MAX + 16], env_via[300],
	     prog[PATH_MAX + 300];
	char *argv[] = { prog, NULL };
	char *envp[9];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2] = { -1, -1 }, evfd, error = 0, e, k = 0;
	ssize_t n;
	pid_t pid;

	if (!realpath(v->path, dir))
		return vault_error__errno(VAULT_ERROR, "cannot resolve '%s'", v->path);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		n = 0;
	self[n] = '\0';
	/* absolute: the hook starts in the vault's folder */
	if ((error = vault__fmt(prog, sizeof(prog), "hook path", "%s/" VAULT_HOOKS_DIR "/%s", dir,
				name)) < 0 ||
	    (error = vault__fmt(env_dir, sizeof(env_dir), "QVAULT_DIR", "QVAULT_DIR=%s", dir)) < 0 ||
	    (error = vault__fmt(env_user, sizeof(env_user), "QVAULT_USER", "QVAULT_USER=%s",
				t->actor.name)) < 0 ||
	    (error = vault__fmt(env_org, sizeof(env_org), "QVAULT_ORG", "QVAULT_ORG=%s",
				t->actor.org)) < 0 ||
	    (error = vault__fmt(env_event, sizeof(env_event), "QVAULT_EVENT", "QVAULT_EVENT=%s",
				name)) < 0 ||
	    (error = vault__fmt(env_bin, sizeof(env_bin), "QVAULT_BIN", "QVAULT_BIN=%s", self)) < 0 ||
	    (t->via && (error = vault__fmt(env_via, sizeof(env_via), "QVAULT_VIA", "QVAULT_VIA=%s",
					   t->via)) < 0))
		return error;
	envp[k++] = (char *)(uintptr_t)"PATH=/usr/local/bin:/usr/bin:/bin";
	envp[k++] = (char *)(uintptr_t)"LC_ALL=C.UTF-8";
	envp[k++] = env_dir;
	envp[k++] = env_user;
	envp[k++] = env_org;
	envp[k++] = env_event;
	envp[k++] = env_bin;
	if (t->via)
		envp[k++] = env_via;
	envp[k] = NULL;

	if ((evfd = memfd_create("qvault-hook-event", MFD_CLOEXEC)) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot pass the event to the %s hook", name);
	if (vault__write_all(evfd, event, strlen(event)) < 0 || lseek(evfd, 0, SEEK_SET) < 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot pass the event to the %s hook", name);
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, evfd, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
					POSIX_SPAWN_SETSIGMASK);
	{
		sigset_t all, none;

		sigfillset(&all);
		sigemptyset(&none);
		posix_spawnattr_setsigdefault(&attr, &all);
		posix_spawnattr_setsigmask(&attr, &none);
	}
	e = posix_spawn(&pid, prog, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	pipefd[1] = -1;
	if (e != 0) {
		errno = e;
		error = vault_error__errno(VAULT_EDENIED, "the %s hook cannot run", name);
		goto done;
	}
	collect(o, pid, pipefd[0], now_ms() + (int64_t)timeout * 1000);
done:
	close(evfd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return error;
}

/*
 * Run hook `name` if present: 0 when absent or it succeeded, else
 * VAULT_EDENIED with a message naming what went wrong.
 */
static int run(vault_txn *t, vault *v, const char *name, const char *op,
	       const char *message, const git_oid *commit)
{
	char path[4200], *event;
	hook_output o;
	struct stat st;
	int timeout, error;

	if ((error = vault__fmt(path, sizeof(path), "hook path", "%s/" VAULT_HOOKS_DIR "/%s",
				v->path, name)) < 0)
		return error;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 :
			vault_error__errno(VAULT_EDENIED, "cannot read the %s hook", name);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return vault_error__set(VAULT_EDENIED, "the %s hook is not a regular file", name);
	if (access(path, X_OK) < 0)
		return vault_error__set(VAULT_EDENIED,
			"the %s hook is not executable (chmod +x hooks/%s)", name, name);
	if ((error = hook_timeout(&timeout, v)) < 0)
		return error;
	memset(&o, 0, sizeof(o));
	event = event_json(t, v, name, op, message, commit);
	error = spawn_hook(&o, v, t, name, event, timeout);
	free(event);
	if (error < 0)
		return error;
	if (o.timed_out)
		return vault_error__set(VAULT_EDENIED,
			"the %s hook did not finish within %d s and was killed", name, timeout);
	if (WIFSIGNALED(o.status))
		return vault_error__set(VAULT_EDENIED, "the %s hook was killed by signal %d",
					name, WTERMSIG(o.status));
	if (WEXITSTATUS(o.status) != 0)
		return o.len ?
			vault_error__set(VAULT_EDENIED, "the %s hook %s: %s", name,
					 commit ? "failed" : "refused", o.first) :
			vault_error__set(VAULT_EDENIED, "the %s hook %s (exit status %d) "
					 "and gave no reason", name, commit ? "failed" : "refused",
					 WEXITSTATUS(o.status));
	return 0;
}

int vault_hooks__pre(vault_txn *t, vault *v, const char *message)
{
	char op[64], event[64], name[80];

	if (!vault_hooks__any_pre(v) || !op_of(op, sizeof(op), message) ||
	    !vault_hooks__event(event, sizeof(event), message))
		return 0;
	if (vault__fmt(name, sizeof(name), "hook name", "pre-%s", event) < 0)
		return VAULT_EINVALID;
	return run(t, v, name, op, message, NULL);
}

void vault_hooks__post(vault_txn *t, vault *v, const char *message, const git_oid *commit)
{
	char op[64], event[64], name[80];

	if (!op_of(op, sizeof(op), message) || !vault_hooks__event(event, sizeof(event), message))
		return;
	if (vault__fmt(name, sizeof(name), "hook name", "post-%s", event) < 0 ||
	    run(t, v, name, op, message, commit) < 0)
		vault__warn(v, "%s (the write is recorded)", vault_error_message());
}

void vault_hooks__post_notify(vault_txn *t, vault *v, const char *message,
			      const git_oid *commit)
{
	char op[64];

	if (!op_of(op, sizeof(op), message))
		return;
	if (run(t, v, "post-notify", op, message, commit) < 0)
		vault__warn(v, "%s (the write is recorded)", vault_error_message());
}

/* ---- the samples ------------------------------------------------------- */

/* hooks/ of the source tree, compiled in by the Makefile (scripts/embed) */
extern const char vault_hook_pre_add[], vault_hook_post_release[], vault_hook_pre_receive[],
	vault_hook_post_notify[];

static const vault_hook_sample samples[] = {
	{ "pre-add", "refuse a material certificate without a heat number matching "
		     "qvault.heatPattern, a drawing whose file name lacks its revision" },
	{ "pre-release", "the same checks for released revisions" },
	{ "post-release", "a mail-merge-ready notification in the outbox for each "
			  "receiving organization" },
	{ "pre-receive", "for a plain git server: refuse a push unless qvault verify "
			 "passes on the history it makes" },
	{ "post-notify", "hand the outbox's notifications (.eml) to sendmail "
			 "(git config qvault.sendmail)" },
	{ NULL, NULL },
};

const vault_hook_sample *vault_hook_samples(void)
{
	return samples;
}

static const char *sample_text(const char *name)
{
	if (strcmp(name, "pre-add") == 0 || strcmp(name, "pre-release") == 0)
		return vault_hook_pre_add;
	if (strcmp(name, "post-release") == 0)
		return vault_hook_post_release;
	if (strcmp(name, "pre-receive") == 0)
		return vault_hook_pre_receive;
	if (strcmp(name, "post-notify") == 0)
		return vault_hook_post_notify;
	return NULL;
}

/* 1 when the file at `path` holds exactly `text`. */
static int same_content(const char *path, const char *text)
{
	size_t n = strlen(text);
	char *buf = malloc(n + 1);
	FILE *f = fopen(path, "re");
	int same = 0;

	if (!buf)
		abort();
	if (f) {
		same = fread(buf, 1, n + 1, f) == n && memcmp(buf, text, n) == 0;
		fclose(f);
	}
	free(buf);
	return same;
}

int vault_hooks_install(int *installed, vault *v, const char *name, int force)
{
	char dir[4200], path[4300], tmp[4400];
	const char *text = sample_text(name);
	struct stat st;
	int fd, error;

	*installed = 0;
	if (!text)
		return vault_error__set(VAULT_ENOTFOUND,
			"no sample hook '%s' (see qvault hooks list)", name);
	if ((error = vault__fmt(dir, sizeof(dir), "path", "%s/" VAULT_HOOKS_DIR, v->path)) < 0 ||
	    (error = vault__fmt(path, sizeof(path), "path", "%s/%s", dir, name)) < 0)
		return error;
	if (lstat(path, &st) == 0) {
		if (S_ISREG(st.st_mode) && same_content(path, text))
			return 0;
		if (!force)
			return vault_error__set(VAULT_EEXISTS,
				"hooks/%s exists and differs from the sample (--force replaces it)",
				name);
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return vault_error__errno(VAULT_ERROR, "cannot create '%s'", dir);
	if ((error = vault__fmt(tmp, sizeof(tmp), "path", "%s/.%s.XXXXXX", dir, name)) < 0)
		return error;
	if ((fd = mkstemp(tmp)) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot write in '%s'", dir);
	if (vault__write_all(fd, text, strlen(text)) < 0 || fchmod(fd, 0755) < 0 ||
	    fsync(fd) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", tmp);
		close(fd);
		unlink(tmp);
		return error;
	}
	if (close(fd) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", tmp);
		unlink(tmp);
		return error;
	}
	if (rename(tmp, path) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot install '%s'", path);
		unlink(tmp);
		return error;
	}
	*installed = 1;
	return 0;
}
