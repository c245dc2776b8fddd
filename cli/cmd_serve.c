/*
 * qvault serve [--listen HOST:PORT | --socket PATH]: the HTTP/JSON API on
 * loopback or a Unix socket, for nginx (TLS) in front of it and for the
 * systems behind a portal.  See serve.h for its two processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netdb.h>
#include <netinet/in.h>

#include "cli.h"
#include "serve.h"

static const cli_opt serve_opts[] = {
	{ "listen", 'l', OPT_VALUE, "HOST:PORT", "a loopback address (default 127.0.0.1:8080; "
	  "port 0: any free one)" },
	{ "socket", 's', OPT_FILE, "PATH", "a Unix socket to listen on instead" },
	{ "socket-group", 'g', OPT_VALUE, "GROUP", "the group that may open the socket (nginx's: "
	  "www-data), which alone is believed on the client's address (X-Forwarded-For)" },
	{ "user", 'u', OPT_VALUE, "NAME", "started as root: the HTTP side runs as this user, "
	  "which must not be able to read the server key; the writer as the vault's owner" },
	{ "timeout", 't', OPT_VALUE, "SECONDS", "a request's headers must come within it, its "
	  "body and answer at 32 KiB/s after it; idle connections close after it (default 30)" },
	{ "origin", 'o', OPT_VALUE, "ORIGIN", "serve the browser portal too, as the public "
	  "https://HOST[:PORT] that nginx answers on (HOST is the passkeys' relying party)" },
	{ "idle", 0, OPT_VALUE, "MINUTES", "a portal session ends after this long unused "
	  "(default 30)" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/*
 * A listening TCP socket on loopback HOST:PORT, its URL in `url`; -1 (said),
 * -2 for a usage error (said).
 */
static int listen_tcp(const cli_command *cmd, const char *spec, char *url, size_t size)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int fd = -1, one = 1, rc;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host) || !colon[1]) {
		cli_usage_error(cmd, "--listen '%s' is not HOST:PORT", spec);
		return -2;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host) - 2);
		host[strlen(host) - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		cli_usage_error(cmd, "--listen '%s': %s", spec, gai_strerror(rc));
		return -2;
	}
	/* plain HTTP stays on this machine: TLS and the public port are nginx's */
	if (!((ai->ai_family == AF_INET &&
	       (ntohl(((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr.s_addr) >> 24) == 127) ||
	      (ai->ai_family == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr)))) {
		freeaddrinfo(ai);
		cli_usage_error(cmd, "--listen '%s' is not a loopback address: serve plain HTTP on "
				"this machine only, with nginx (TLS) in front", spec);
		return -2;
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 512) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		fprintf(stderr, "qvault: cannot listen on '%s': %s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (cli_fmt(url, size, "the address", sa.ss_family == AF_INET ? "http://%s:%u/api/v1/" :
		    "http://[%s]:%u/api/v1/", host,
		    (unsigned)ntohs(sa.ss_family == AF_INET ?
				    ((struct sockaddr_in *)(void *)&sa)->sin_port :
				    ((struct sockaddr_in6 *)(void *)&sa)->sin6_port)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A listening Unix socket at `path`, which must not exist, open to this
 * process's user and to `group` (none: its own) only; -1 (said).
 */
static int listen_unix(const char *path, gid_t group)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "qvault: the socket path '%s' is too long\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* nginx's group may connect, and is then believed on the client's
	 * address: no one else on this machine may */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chown(path, (uid_t)-1, group) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 512) < 0) {
		int bound = fd >= 0 && errno != EADDRINUSE;

		fprintf(stderr, "qvault: cannot listen on '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (bound)
			unlink(path); /* ours, half made: the next start would find it in the way */
		return -1;
	}
	return fd;
}

/* Become `uid`:`gid` with `groups` (of `user`; none when NULL) for good; -1 said. */
static int become(uid_t uid, gid_t gid, const char *user)
{
	if ((user ? initgroups(user, gid) : setgroups(0, NULL)) < 0 || setgid(gid) < 0 ||
	    setuid(uid) < 0) {
		fprintf(stderr, "qvault: cannot become user %ld: %s\n", (long)uid, strerror(errno));
		return -1;
	}
	/* for good: root cannot be had back */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		fprintf(stderr, "qvault: user %ld could become root again\n", (long)uid);
		return -1;
	}
	return 0;
}

/*
 * The HTTP side, as `pw`: it reads the vault as a user of its own and
 * stages bodies in its own temporary folder; the server key must be out
 * of its reach, or serve does not start.  -1 said.
 */
static int drop_http_side(const struct passwd *pw, const char *dir, char *spool, size_t size)
{
	static const char *const writable[] = { "", "/qvault", "/qvault/index.db", "/refs",
						"/refs/heads", "/objects", NULL };
	char path[4200];
	int fd;

	if (cli_fmt(spool, size, "TMPDIR", "%s", getenv("TMPDIR") ? getenv("TMPDIR") :
		    "/var/tmp") < 0)
		return -1;
	/* nothing of root's session: no terminal to push keystrokes into
	 * (TIOCSTI), no input, none of root's environment */
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) >= 0) {
		ioctl(fd, TIOCNOTTY);
		close(fd);
	}
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	clearenv();
	if (become(pw->pw_uid, pw->pw_gid, pw->pw_name) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	/* git's global configuration is the user's */
	setenv("HOME", pw->pw_dir, 1);
	setenv("PATH", "/usr/bin:/bin", 1);
	vault_allow_other_owner();
	if (cli_fmt(path, sizeof(path), "the vault's path", "%s/qvault/server.pem", dir) < 0)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		close(fd);
		fprintf(stderr, "qvault: the HTTP side (user %s) can read the vault's server key "
			"'%s': make it readable by the vault's owner only (chmod 600)\n",
			pw->pw_name, path);
		return -1;
	}
	/* nor may it write: it could move the branch back past a revocation */
	for (size_t i = 0; writable[i]; i++) {
		if (cli_fmt(path, sizeof(path), "the vault's path", "%s%s", dir, writable[i]) < 0)
			return -1;
		if (access(path, W_OK) == 0) {
			fprintf(stderr, "qvault: the HTTP side (user %s) can write '%s': make the "
				"vault writable by its owner only\n", pw->pw_name, path);
			return -1;
		}
	}
	return 0;
}

static int run_serve(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *spec = cli_opt_value(cmd, a, "listen"), *sock = cli_opt_value(cmd, a, "socket");
	const char *user = cli_opt_value(cmd, a, "user");
	char spool_dir[4096];
	struct passwd *pw = NULL, pw_copy;
	struct stat owner;
	struct rlimit files;
	struct MHD_Daemon *d = NULL;
	serve_api *api = NULL;
	char url[512];
	unsigned long long timeout = 30, idle = 30;
	const char *origin = cli_opt_value(cmd, a, "origin");
	gid_t group = getegid();
	int lfd, pair[2], sig, rc = EXIT_ERROR;
	sigset_t stop;
	pid_t writer;

	(void)unused;
	if (spec && sock)
		return cli_usage_error(cmd, "give --listen or --socket, not both");
	if (user) {
		if (geteuid() != 0)
			return cli_usage_error(cmd, "--user needs serve to start as root");
		if ((pw = getpwnam(user)) == NULL || pw->pw_uid == 0)
			return cli_usage_error(cmd, "--user '%s' is not a user other than root",
					       user);
		pw_copy = *pw; /* getpwnam's is static */
		if ((pw_copy.pw_name = strdup(pw->pw_name)) == NULL ||
		    (pw_copy.pw_dir = strdup(pw->pw_dir)) == NULL)
			abort();
		pw = &pw_copy;
		if (stat(a->vault_dir, &owner) < 0) {
			fprintf(stderr, "qvault: '%s' is not a vault\n", a->vault_dir);
			return EXIT_ERROR;
		}
	}
	if (cli_opt_value(cmd, a, "timeout") &&
	    cli_check_number(&timeout, cmd, "--timeout", cli_opt_value(cmd, a, "timeout"), 1,
			     3600) != EXIT_OK)
		return EXIT_USAGE;
	if (cli_opt_value(cmd, a, "idle") &&
	    cli_check_number(&idle, cmd, "--idle", cli_opt_value(cmd, a, "idle"), 1,
			     24 * 60) != EXIT_OK)
		return EXIT_USAGE;
	if (origin) {
		char *rp = NULL;

		if (vault_webauthn_rp_id(&rp, origin) < 0)
			return cli_usage_error(cmd, "--origin: %s", vault_error_message());
		free(rp);
	}
	if (cli_opt_value(cmd, a, "socket-group")) {
		struct group *g = getgrnam(cli_opt_value(cmd, a, "socket-group"));

		if (!sock)
			return cli_usage_error(cmd, "--socket-group goes with --socket");
		if (!g)
			return cli_usage_error(cmd, "--socket-group '%s' is not a group",
					       cli_opt_value(cmd, a, "socket-group"));
		group = g->gr_gid;
	}
	/* the libraries loaded on first use (vault/lazy.c) that serve will need:
	 * here, before anything is started and before privileges are dropped,
	 * so that a missing one is one line and nothing to undo, not a
	 * refused upload or login later (libqpdf: uploads; libfido2:
	 * the portal's passkeys) */
	if (cli_mhd_load() < 0 || vault_pdf_load() < 0 ||
	    (origin && vault_webauthn_prepare() < 0)) {
		fprintf(stderr, "qvault: %s\n", vault_error_message());
		return EXIT_ERROR;
	}
	if ((lfd = sock ? listen_unix(sock, group) : listen_tcp(cmd, spec ? spec : "127.0.0.1:8080", url,
							 sizeof(url))) < 0)
		return lfd == -2 ? EXIT_USAGE : EXIT_ERROR;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		fprintf(stderr, "qvault: cannot start the writer: %s\n", strerror(errno));
		close(lfd);
		return EXIT_ERROR;
	}
	/* room for a message of SERVE_MSG_MAX each way: the default (about
	 * 208 KiB) is less, and a larger reply could not be sent */
	for (int i = 0, size = SERVE_MSG_MAX + 4096; i < 2; i++) {
		setsockopt(pair[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		setsockopt(pair[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	vault_keep_memory_small();
	/* answers of hundreds of kilobytes, made and freed by several threads,
	 * come from two arenas that they are reused from; larger ones go to
	 * mmap and back to the system (a fixed threshold: glibc's moving one
	 * would soon keep them all).  At 64 KiB every answer paid for the
	 * mapping: the kept GET pos of the benchmark ran at a quarter */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_ARENA_MAX, 2);
	/* the writer first, before this process reads a byte from the network */
	if ((writer = fork()) < 0) {
		fprintf(stderr, "qvault: cannot start the writer: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	if (writer == 0) {
		/* a write is never cut halfway by a signal to the whole group (^C,
		 * systemd's stop): the writer ends when the HTTP side closes */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		close(lfd);
		close(pair[0]);
		/* the writer writes as the vault's owner, so its files stay the owner's */
		if (pw && become(owner.st_uid, owner.st_gid, NULL) < 0)
			_exit(EXIT_ERROR);
		/* the PDF checks of uploads are the writer's: its checker server
		 * forked now, as the vault's owner, of the writer alone (here, not
		 * before the fork: it would run as root and serve both sides) */
		if (vault_pdf_prepare() < 0) {
			fprintf(stderr, "qvault: %s\n", vault_error_message());
			_exit(EXIT_ERROR);
		}
		_exit(serve_writer_run(pair[1], a->vault_dir, origin, (unsigned)idle * 60));
	}
	close(pair[1]);
	if (pw && drop_http_side(pw, a->vault_dir, spool_dir, sizeof(spool_dir)) < 0)
		goto done;
	if (serve_writer_ready(pair[0]) < 0) {
		int status = 0;

		/* one that exits EXIT_ERROR said why, in one line: no second */
		while (waitpid(writer, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_ERROR)
			fprintf(stderr, "qvault: the writer did not start\n");
		writer = -1;
		goto done;
	}
	/* a connection is a descriptor: as many as this process may have */
	if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
		files.rlim_cur = files.rlim_max;
		setrlimit(RLIMIT_NOFILE, &files);
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGCHLD); /* the writer ended */
	/* blocked here, so in libmicrohttpd's thread too: sigwait takes them */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (serve_api_new(&api, a->vault_dir, pw ? spool_dir : NULL, pair[0],
			  (unsigned)timeout, origin) < 0)
		goto done;
	if ((d = serve_api_start(api, lfd)) == NULL) {
		fprintf(stderr, "qvault: cannot start the HTTP server\n");
		goto done;
	}
	if (!pw && geteuid() == 0)
		fprintf(stderr, "qvault: warning: serving as root; give --user NAME so that the "
			"HTTP side runs as a user that cannot read the server key\n");
	printf("qvault serve: listening on %s (writer %ld)\n", sock ? sock : url, (long)writer);
	fflush(stdout);
	for (;;) {
		int status;

		if (sigwait(&stop, &sig) != 0 || (sig == SIGCHLD &&
						  waitpid(writer, &status, WNOHANG) != writer))
			continue;
		if (sig != SIGCHLD) {
			rc = EXIT_OK;
			break;
		}
		/* no writes without it, and this side, not root, cannot start
		 * another: stop, for the supervisor to start both again */
		fprintf(stderr, "qvault: the writer ended (%s %d); stopping\n",
			WIFSIGNALED(status) ? "signal" : "exit",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		writer = -1;
		break;
	}
done:
	if (d)
		MHD_stop_daemon(d);
	else
		close(lfd);
	serve_api_free(api);
	close(pair[0]); /* the writer sees the end and exits */
	while (writer > 0 && waitpid(writer, NULL, 0) < 0 && errno == EINTR)
		;
	if (sock)
		unlink(sock); /* as --user, the folder may not let it: its owner cleans up */
	if (pw) {
		free(pw->pw_name);
		free(pw->pw_dir);
	}
	return rc;
}

const cli_command cli_cmd_serve = {
	"serve", "the HTTP/JSON API (/api/v1/), and with --origin the browser portal, on "
	"loopback or a Unix socket, for nginx in front",
	"", 0, 0, serve_opts, 0, run_serve
};
