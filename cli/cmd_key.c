/*
 * qvault key generate -o FILE [--comment C] [--type ed25519|ecdsa] [--passphrase]:
 * FILE (PEM, 0600) and FILE.pub (the OpenSSH public key line).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "output", 'o', OPT_FILE, "FILE", "the new private key file (created 0600) and FILE.pub, "
	  "its public key line; neither is ever overwritten" },
	{ "comment", 'c', OPT_VALUE, "C", "comment of the public key line" },
	{ "type", 't', OPT_VALUE, "TYPE", "ed25519 (default) or ecdsa (P-256)" },
	{ "passphrase", 'p', OPT_FLAG, NULL, "protect the key with a passphrase (asked twice)" },
	{ "passphrase-env", 0, OPT_VALUE, "NAME", "protect it with the passphrase in variable NAME" },
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

/* The passphrase for a new key, or NULL for none; EXIT_* on failure. */
static int new_passphrase(char *buf, size_t size, const cli_command *cmd, cli_args *a,
			  int *wanted)
{
	const char *env = cli_opt_value(cmd, a, "passphrase-env");
	char again[256];

	*wanted = env || cli_opt_flag(cmd, a, "passphrase");
	if (!*wanted)
		return EXIT_OK;
	if (env) {
		if (cli_passphrase(buf, size, (void *)(uintptr_t)env) < 0 || !*buf) {
			fprintf(stderr, "qvault: variable '%s' holds no passphrase\n", env);
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	if (cli_passphrase(buf, size, NULL) < 0 || cli_passphrase(again, sizeof(again), NULL) < 0) {
		fprintf(stderr, "qvault: cannot read a passphrase: no terminal (use --passphrase-env)\n");
		return EXIT_ERROR;
	}
	if (strcmp(buf, again) != 0 || !*buf) {
		OPENSSL_cleanse(again, sizeof(again));
		fprintf(stderr, "qvault: the passphrases differ or are empty\n");
		return EXIT_ERROR;
	}
	OPENSSL_cleanse(again, sizeof(again));
	return EXIT_OK;
}

/*
 * Reserve FILE.pub (created empty, never over another file), so that a
 * key is written only when its public line can be written beside it.
 */
static int reserve_pub(char **pubpath, const char *out)
{
	size_t n = strlen(out) + 5;
	struct stat st;
	int fd;

	*pubpath = NULL;
	if (lstat(out, &st) == 0) {
		fprintf(stderr, "qvault: '%s' already exists\n", out);
		return -1;
	}
	if ((*pubpath = malloc(n)) == NULL)
		abort();
	if (cli_fmt(*pubpath, n, "the public key's file name", "%s.pub", out) < 0)
		return -1;
	fd = open(*pubpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		fprintf(stderr, "qvault: '%s' already exists\n", *pubpath);
	else if (fd < 0)
		fprintf(stderr, "qvault: cannot create '%s': %s\n", *pubpath, strerror(errno));
	return fd;
}

/* Write the public key line into the reserved FILE.pub. */
static int write_pub(int fd, const char *pubpath, const char *line)
{
	size_t n = strlen(line);

	if (write(fd, line, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", pubpath, strerror(errno));
		return -1;
	}
	return 0;
}

static int run(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *out = cli_opt_value(cmd, a, "output");
	const char *type = cli_opt_value(cmd, a, "type");
	vault_key_type kt = VAULT_KEY_ED25519;
	vault_key *key = NULL;
	char pass[256] = "", *pub = NULL, *fp = NULL, *pubpath = NULL;
	int wanted, rc, error, pubfd = -1;

	(void)unused;
	if (!out)
		return cli_usage_error(cmd, "-o FILE is required");
	if (type && strcmp(type, "ecdsa") == 0)
		kt = VAULT_KEY_ECDSA_P256;
	else if (type && strcmp(type, "ed25519") != 0)
		return cli_usage_error(cmd, "unknown key type '%s' (ed25519 or ecdsa)", type);
	if ((rc = new_passphrase(pass, sizeof(pass), cmd, a, &wanted)) != EXIT_OK)
		return rc;
	if ((pubfd = reserve_pub(&pubpath, out)) < 0) {
		free(pubpath);
		OPENSSL_cleanse(pass, sizeof(pass));
		return EXIT_ERROR;
	}
	if ((error = vault_key_generate(&key, kt, cli_opt_value(cmd, a, "comment"))) < 0 ||
	    (error = vault_key_save(key, out, wanted ? pass : NULL)) < 0 ||
	    (error = vault_key_public(&pub, key)) < 0 ||
	    (error = vault_key_fingerprint(&fp, key)) < 0) {
		rc = cli_fail(error);
		unlink(pubpath);
	} else if (write_pub(pubfd, pubpath, pub) < 0) {
		rc = EXIT_ERROR;
		unlink(pubpath);
		unlink(out);
	} else {
		printf("%s\n%s\n", pub, fp);
	}
	close(pubfd);
	free(pubpath);
	OPENSSL_cleanse(pass, sizeof(pass));
	free(pub);
	free(fp);
	vault_key_free(key);
	return rc;
}

const cli_command cli_cmd_key_generate = {
	"key generate", "make a new Ed25519 (or ECDSA P-256) key pair",
	"", 0, 0, opts, 0, run
};
