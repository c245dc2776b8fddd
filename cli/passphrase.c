/*
 * passphrase.c - passphrases from the environment or the terminal, and
 * loading the acting key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

/* Read one line from the terminal with echo off. */
static int from_tty(char *buf, size_t size, const char *prompt)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), ok = -1;
	size_t n = 0;
	char c;

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		if (write(fd, prompt, strlen(prompt)) >= 0 &&
		    tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
			int over = 0;

			/* one that does not fit is refused, never cut to a weaker one */
			while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r') {
				if (n + 1 < size)
					buf[n++] = c;
				else
					over = 1;
			}
			buf[n] = '\0';
			ok = over ? -1 : 0;
			tcsetattr(fd, TCSAFLUSH, &old);
			if (write(fd, "\n", 1) < 0 && !over)
				ok = 0;
			if (over)
				fprintf(stderr, "qvault: the passphrase is too long\n");
		}
	}
	close(fd);
	return ok;
}

int cli_passphrase(char *buf, size_t size, void *payload)
{
	const char *env = payload;

	if (env && *env) {
		const char *value = getenv(env);

		if (!value)
			return -1;
		return cli_fmt(buf, size, "the passphrase", "%s", value);
	}
	return from_tty(buf, size, "qvault: passphrase: ");
}

/*
 * 1 when fd `fd` is the memory file qvault handed ssh-keygen as its fd 3
 * (vault/sshtool.c names it "qvault-sshtool-fd3"): the askpass mode reads
 * nothing else, so that QVAULT_ASKPASS_FD in the environment of some other
 * qvault (a script's, `qvault shell`'s) neither prints an inherited file
 * nor stands in for the command it was asked to run.
 */
static int handed_by_qvault(long fd)
{
	static const char want[] = "/memfd:qvault-sshtool-fd3 ";
	char link[64], target[256];
	ssize_t got;
	int len = snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);

	if (len < 0 || (size_t)len >= sizeof(link))
		return 0;
	got = readlink(link, target, sizeof(target) - 1);
	if (got < 0)
		return 0;
	target[got] = '\0';
	return strncmp(target, want, sizeof(want) - 1) == 0;
}

int cli_askpass(const char *fdname, const char *prompt)
{
	char buf[1024], *end;
	size_t n = 0, off;
	long fd;
	int ok;

	errno = 0;
	fd = strtol(fdname, &end, 10);
	if (errno || *end || end == fdname || fd < 3 || fd > 1023 || !handed_by_qvault(fd)) {
		fprintf(stderr, "qvault: QVAULT_ASKPASS_FD is set, but qvault is not run by "
			"ssh-keygen for a passphrase it handed over: nothing done\n");
		return EXIT_ERROR;
	}
	/* a passphrase only: never as a security key's PIN ("Enter PIN for
	 * ED25519-SK key ..."), which a wrong one would use up the tries of */
	if (!prompt || !strstr(prompt, "passphrase")) {
		fprintf(stderr, "qvault: ssh-keygen asks for more than the key file's "
			"passphrase (%s): qvault does not answer\n", prompt ? prompt : "no prompt");
		return EXIT_ERROR;
	}
	while (n + 1 < sizeof(buf)) {
		ssize_t got = read((int)fd, buf + n, sizeof(buf) - 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			OPENSSL_cleanse(buf, sizeof(buf));
			return EXIT_ERROR;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	n = strcspn(buf, "\n");
	buf[n++] = '\n';
	/* write(2), not stdio: no copy of it left in a buffer */
	for (ok = 1, off = 0; ok && off < n;) {
		ssize_t put = write(STDOUT_FILENO, buf + off, n - off);

		if (put < 0 && errno == EINTR)
			continue;
		ok = put > 0;
		off += put > 0 ? (size_t)put : 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return ok ? EXIT_OK : EXIT_ERROR;
}

void cli_set_askpass(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return;
	self[n] = '\0';
	vault_key_set_askpass(self);
}

int cli_load_key(cli_args *a)
{
	int error;

	if (!a->key_path || !*a->key_path || a->key)
		return 0;
	error = vault_key_load(&a->key, a->key_path, cli_passphrase,
			       (void *)(uintptr_t)a->pass_env);
	return error < 0 ? cli_fail(error) : 0;
}
