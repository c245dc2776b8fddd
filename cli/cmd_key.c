/*
 * qvault key generate -o FILE [--force] [--comment C] [--type ed25519|ecdsa] [--passphrase]:
 * FILE (PEM, 0600) and FILE.pub (the OpenSSH public key line), each over
 * nothing unless --force, and both or neither.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "output", 'o', OPT_FILE, "FILE", "the new private key file (created 0600) and FILE.pub, "
	  "its public key line" },
	CLI_OPT_FORCE,
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

/* Write the public key line to the file `o` is writing. */
static int write_pub(cli_out *o, const char *line)
{
	FILE *f = cli_out_fopen(o);

	if (!f)
		return EXIT_ERROR;
	if (fprintf(f, "%s\n", line) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path, strerror(errno));
		fclose(f);
		return EXIT_ERROR;
	}
	return fclose(f) == 0 ? EXIT_OK :
	       (fprintf(stderr, "qvault: cannot write '%s': %s\n", o->path, strerror(errno)),
		EXIT_ERROR);
}

static int run(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *out = cli_opt_value(cmd, a, "output");
	const char *type = cli_opt_value(cmd, a, "type");
	int force = cli_opt_flag(cmd, a, "force");
	vault_key_type kt = VAULT_KEY_ED25519;
	vault_key *key = NULL;
	char pass[256] = "", *pub = NULL, *fp = NULL, *pubpath = NULL;
	size_t len;
	cli_out o, op;
	int wanted, rc, error;

	(void)unused;
	if (!out)
		return cli_usage_error(cmd, "-o FILE is required");
	if (type && strcmp(type, "ecdsa") == 0)
		kt = VAULT_KEY_ECDSA_P256;
	else if (type && strcmp(type, "ed25519") != 0)
		return cli_usage_error(cmd, "unknown key type '%s' (ed25519 or ecdsa)", type);
	len = strlen(out) + sizeof(".pub");
	if ((pubpath = malloc(len)) == NULL)
		abort();
	if (cli_fmt(pubpath, len, "the public key's file name", "%s.pub", out) < 0) {
		free(pubpath);
		return EXIT_ERROR;
	}
	/* both files are refused before any work, and both written or neither */
	if ((rc = cli_out_begin(&o, out, force)) != EXIT_OK) {
		free(pubpath);
		return rc;
	}
	if ((rc = cli_out_begin(&op, pubpath, force)) != EXIT_OK) {
		cli_out_abort(&o);
		free(pubpath);
		return rc;
	}
	if ((rc = new_passphrase(pass, sizeof(pass), cmd, a, &wanted)) != EXIT_OK)
		goto done;
	if ((error = vault_key_generate(&key, kt, cli_opt_value(cmd, a, "comment"))) < 0 ||
	    (error = vault_key_save(key, o.tmp, wanted ? pass : NULL)) < 0 ||
	    (error = vault_key_public(&pub, key)) < 0 ||
	    (error = vault_key_fingerprint(&fp, key)) < 0)
		rc = cli_fail(error);
	else if ((rc = write_pub(&op, pub)) == EXIT_OK &&
		 (rc = cli_out_commit(&o)) == EXIT_OK &&
		 (rc = cli_out_commit(&op)) != EXIT_OK)
		unlink(out); /* the key without its public line: neither */
	if (rc == EXIT_OK)
		printf("%s\n%s\n", pub, fp);
done:
	cli_out_abort(&o);
	cli_out_abort(&op);
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
