/* qvault key generate -o FILE [--comment C] [--type ed25519|ecdsa] [--passphrase] */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "output", 'o', OPT_FILE, "FILE", "the new private key file (created 0600)" },
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

static int run(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *out = cli_opt_value(cmd, a, "output");
	const char *type = cli_opt_value(cmd, a, "type");
	vault_key_type kt = VAULT_KEY_ED25519;
	vault_key *key = NULL;
	char pass[256] = "", *pub = NULL, *fp = NULL;
	cli_out o;
	int wanted, rc, error;

	(void)unused;
	if (!out)
		return cli_usage_error(cmd, "-o FILE is required");
	if (type && strcmp(type, "ecdsa") == 0)
		kt = VAULT_KEY_ECDSA_P256;
	else if (type && strcmp(type, "ed25519") != 0)
		return cli_usage_error(cmd, "unknown key type '%s' (ed25519 or ecdsa)", type);
	if ((rc = cli_out_begin(&o, out, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
		return rc;
	if ((rc = new_passphrase(pass, sizeof(pass), cmd, a, &wanted)) != EXIT_OK) {
		cli_out_abort(&o);
		return rc;
	}
	if ((error = vault_key_generate(&key, kt, cli_opt_value(cmd, a, "comment"))) < 0 ||
	    (error = vault_key_save(key, o.tmp, wanted ? pass : NULL)) < 0 ||
	    (error = vault_key_public(&pub, key)) < 0 ||
	    (error = vault_key_fingerprint(&fp, key)) < 0)
		rc = cli_fail(error);
	else if ((rc = cli_out_commit(&o)) == EXIT_OK)
		printf("%s\n%s\n", pub, fp);
	cli_out_abort(&o);
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
