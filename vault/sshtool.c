#include "sshtool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "vault.h"

extern char **environ;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A memory file holding `len` bytes of `p`, at offset 0; -1 with errno. */
static int memfile(const char *name, const void *p, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if ((len && vault__write_all(fd, p, len) < 0) || lseek(fd, 0, SEEK_SET) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* 1 when `entry` (NAME=VALUE) sets a name that one of `env` sets too. */
static int overridden(const char *entry, const char *const *env)
{
	size_t n = strcspn(entry, "=");

	for (; env && *env; env++)
		if (strncmp(*env, entry, n) == 0 && (*env)[n] == '=')
			return 1;
	return 0;
}

/* environ with `env` in place of what it sets; the array is the caller's. */
static char **environment(const char *const *env)
{
	size_t k = 0, total = 1;
	char **e, **out;

	for (e = environ; e && *e; e++)
		total++;
	for (const char *const *s = env; s && *s; s++)
		total++;
	if ((out = calloc(total, sizeof(*out))) == NULL)
		abort();
	for (e = environ; e && *e; e++)
		if (!overridden(*e, env))
			out[k++] = *e;
	for (const char *const *s = env; s && *s; s++)
		out[k++] = (char *)(uintptr_t)*s;
	out[k] = NULL;
	return out;
}

/* The first non-empty line of `s` into err. */
static void first_line(char *err, size_t errsize, const char *s)
{
	size_t n;

	while (*s == '\n' || *s == '\r')
		s++;
	n = strcspn(s, "\r\n");
	vault__fmt_message(err, errsize, "%.*s", (int)n, s);
}

/*
 * Read the program's standard output and error until both end or the
 * deadline; 1 when stdout outgrew `max`, -1 when time ran out.
 */
static int collect(vault_buf *out, vault_buf *errb, int ofd, int efd, size_t max,
		   long long deadline)
{
	int open_out = 1, open_err = 1, over = 0;
	char buf[4096];

	while (open_out || open_err) {
		struct pollfd p[2] = { { ofd, POLLIN, 0 }, { efd, POLLIN, 0 } };
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -1;
		r = poll(p, 2, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		for (int i = 0; i < 2; i++) {
			int *open = i == 0 ? &open_out : &open_err;
			ssize_t n;

			if (!*open || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				*open = 0;
				continue;
			}
			if (i == 0 && !over && out->len + (size_t)n > max)
				over = 1;
			if (i == 0 && !over)
				vault_buf__add(out, buf, (size_t)n);
			else if (i == 1 && errb->len < 4096)
				vault_buf__add(errb, buf, (size_t)n);
		}
	}
	return over;
}

int vault_sshtool__run(vault_buf *out, char *err, size_t errsize, int *status,
		       const vault_sshtool_cmd *c)
{
	const char *prog = c->argv[0];
	vault_buf errb = VAULT_BUF_INIT;
	int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 }, infd = -1, fd3 = -1;
	int error = 0, e, got, ws = 0, waited = 0;
	long long deadline;
	struct sigaction dfl, chld;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	char **envp;
	pid_t pid;

	*status = -1;
	err[0] = '\0';
	if ((infd = memfile("qvault-sshtool-in", c->in, c->in ? c->inlen : 0)) < 0 ||
	    (c->fd3 && (fd3 = memfile("qvault-sshtool-fd3", c->fd3, strlen(c->fd3))) < 0) ||
	    pipe2(opipe, O_CLOEXEC) < 0 || pipe2(epipe, O_CLOEXEC) < 0) {
		error = vault_error__errno(VAULT_ERROR, "cannot run %s", prog);
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, infd, 0);
	posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
	posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	if (fd3 >= 0)
		posix_spawn_file_actions_adddup2(&fa, fd3, 3);
	posix_spawn_file_actions_addclosefrom_np(&fa, fd3 >= 0 ? 4 : 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
					POSIX_SPAWN_SETSIGMASK);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	/* a parent that ignores SIGCHLD would have the kernel reap the child,
	 * its exit status lost to waitpid (ECHILD): the default until it is read */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &chld);
	envp = environment(c->env);
	e = posix_spawnp(&pid, prog, &fa, &attr, (char *const *)(uintptr_t)c->argv, envp);
	free(envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(opipe[1]);
	close(epipe[1]);
	opipe[1] = epipe[1] = -1;
	if (e != 0) {
		sigaction(SIGCHLD, &chld, NULL);
		errno = e;
		error = e == ENOENT ?
			vault_error__set(VAULT_ENOTFOUND, "%s is not installed (OpenSSH's "
					 "client tools, Debian's openssh-client)", prog) :
			vault_error__errno(VAULT_ERROR, "cannot run %s", prog);
		goto done;
	}
	deadline = now_ms() + (long long)c->timeout * 1000;
	got = collect(out, &errb, opipe[0], epipe[0], c->out_max, deadline);
	/* a program that closed its output is still held to the deadline */
	while (got >= 0 && (waited = (int)waitpid(pid, &ws, WNOHANG)) == 0) {
		struct timespec tick = { 0, 20 * 1000 * 1000 };

		if (now_ms() >= deadline)
			got = -1;
		else
			nanosleep(&tick, NULL);
	}
	if (got < 0) {
		kill(-pid, SIGKILL);
		while ((waited = (int)waitpid(pid, &ws, 0)) < 0 && errno == EINTR)
			;
	}
	sigaction(SIGCHLD, &chld, NULL);
	first_line(err, errsize, vault_buf__str(&errb));
	if (waited < 0)
		error = vault_error__errno(VAULT_ERROR, "cannot learn how %s ended", prog);
	else if (got < 0)
		error = vault_error__set(VAULT_ERROR, "%s did not finish within %d seconds",
					 prog, c->timeout);
	else if (got > 0)
		error = vault_error__set(VAULT_ERROR, "%s wrote more than %zu bytes", prog,
					 c->out_max);
	else
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
done:
	vault_buf__dispose(&errb);
	if (infd >= 0)
		close(infd);
	if (fd3 >= 0)
		close(fd3);
	for (int i = 0; i < 2; i++) {
		if (opipe[i] >= 0)
			close(opipe[i]);
		if (epipe[i] >= 0)
			close(epipe[i]);
	}
	return error;
}
