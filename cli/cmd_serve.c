/*
 * qvault serve [--listen HOST:PORT | --socket PATH]: the HTTP/JSON API on
 * loopback or a Unix socket, for nginx (TLS) in front of it and for the
 * systems behind a portal.  See serve.h for its two processes.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>

#include "cli.h"
#include "serve.h"

static const cli_opt serve_opts[] = {
	{ "listen", 'l', OPT_VALUE, "HOST:PORT", "a loopback address (default 127.0.0.1:8080; "
	  "port 0: any free one)" },
	{ "socket", 's', OPT_FILE, "PATH", "a Unix socket to listen on instead" },
	{ "timeout", 't', OPT_VALUE, "SECONDS", "a request's headers must come within it, its "
	  "body and answer at 32 KiB/s after it; idle connections close after it (default 30)" },
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

/* A listening Unix socket at `path`, which must not exist; -1 (said). */
static int listen_unix(const char *path)
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
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 512) < 0) {
		fprintf(stderr, "qvault: cannot listen on '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int run_serve(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *spec = cli_opt_value(cmd, a, "listen"), *sock = cli_opt_value(cmd, a, "socket");
	struct MHD_Daemon *d = NULL;
	serve_api *api = NULL;
	char url[512];
	unsigned long long timeout = 30;
	int lfd, pair[2], sig, rc = EXIT_ERROR;
	sigset_t stop;
	pid_t writer;

	(void)unused;
	if (spec && sock)
		return cli_usage_error(cmd, "give --listen or --socket, not both");
	if (cli_opt_value(cmd, a, "timeout") &&
	    cli_check_number(&timeout, cmd, "--timeout", cli_opt_value(cmd, a, "timeout"), 1,
			     3600) < 0)
		return EXIT_USAGE;
	if ((lfd = sock ? listen_unix(sock) : listen_tcp(cmd, spec ? spec : "127.0.0.1:8080", url,
							 sizeof(url))) < 0)
		return lfd == -2 ? EXIT_USAGE : EXIT_ERROR;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		fprintf(stderr, "qvault: cannot start the writer: %s\n", strerror(errno));
		close(lfd);
		return EXIT_ERROR;
	}
	/* the writer first, before this process reads a byte from the network */
	if ((writer = fork()) < 0) {
		fprintf(stderr, "qvault: cannot start the writer: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	if (writer == 0) {
		close(lfd);
		close(pair[0]);
		_exit(serve_writer_run(pair[1], a->vault_dir));
	}
	close(pair[1]);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	/* blocked here, so in libmicrohttpd's thread too: sigwait takes them */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (serve_api_new(&api, a->vault_dir, pair[0], (unsigned)timeout) < 0)
		goto done;
	if ((d = serve_api_start(api, lfd)) == NULL) {
		fprintf(stderr, "qvault: cannot start the HTTP server\n");
		goto done;
	}
	printf("qvault serve: listening on %s (writer %ld)\n", sock ? sock : url, (long)writer);
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	rc = EXIT_OK;
done:
	if (d)
		MHD_stop_daemon(d);
	else
		close(lfd);
	serve_api_free(api);
	close(pair[0]); /* the writer sees the end and exits */
	while (waitpid(writer, NULL, 0) < 0 && errno == EINTR)
		;
	if (sock)
		unlink(sock);
	return rc;
}

const cli_command cli_cmd_serve = {
	"serve", "the HTTP/JSON API (/api/v1/) on loopback or a Unix socket, for nginx in front",
	"", 0, 0, serve_opts, 0, run_serve
};
