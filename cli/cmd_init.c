/* qvault init [DIR] [--name NAME] [--org ORG] [--new-key FILE] */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "name", 0, OPT_VALUE, "NAME", "the first admin's user name (default: admin)" },
	{ "org", 0, OPT_VALUE, "ORG", "the first admin's organization (default: owner)" },
	{ "new-key", 0, OPT_FILE, "FILE", "generate the first admin's Ed25519 key into FILE" },
	CLI_OPT_FORCE,
	{ "help", 'h', OPT_FLAG, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static int run(const cli_command *cmd, cli_args *a, vault *unused)
{
	const char *dir = a->nargs ? a->arg[0] : a->vault_dir;
	const char *name = cli_opt_value(cmd, a, "name");
	const char *org = cli_opt_value(cmd, a, "org");
	const char *new_key = cli_opt_value(cmd, a, "new-key");
	vault_key *key = NULL;
	char *fp = NULL;
	cli_out o;
	vault *v;
	int error, rc;

	(void)unused;
	if (new_key && a->key_path)
		return cli_usage_error(cmd, "give --new-key or --key, not both");
	if (!new_key && !a->key_path)
		return cli_usage_error(cmd, "the first admin needs a key: --key FILE or --new-key FILE");
	if (new_key) {
		if ((rc = cli_out_begin(&o, new_key, cli_opt_flag(cmd, a, "force"))) != EXIT_OK)
			return rc;
		if ((error = vault_key_generate(&key, VAULT_KEY_ED25519, name ? name : "admin")) < 0 ||
		    (error = vault_key_save(key, o.tmp, NULL)) < 0) {
			cli_out_abort(&o);
			vault_key_free(key);
			return cli_fail(error);
		}
	} else {
		if ((rc = cli_load_key(a)) != 0)
			return rc;
		key = a->key;
		a->key = NULL;
	}
	error = vault_init(&v, dir, key, name ? name : "admin", org ? org : "owner");
	if (error < 0) {
		if (new_key)
			cli_out_abort(&o);
		vault_key_free(key);
		return cli_fail(error);
	}
	/* the vault trusts the key now: it must land where it was asked for */
	if (new_key && (rc = cli_out_commit(&o)) != EXIT_OK) {
		vault_free(v);
		vault_key_free(key);
		return rc;
	}
	vault_key_fingerprint(&fp, key);
	printf("initialized an empty vault in %s\n", vault_path(v));
	/* "256 SHA256:... comment (TYPE)": the second field is the fingerprint */
	printf("first admin: %s of %s, key %.*s\n", name ? name : "admin", org ? org : "owner",
	       fp ? (int)strcspn(fp + 4, " ") : 1, fp ? fp + 4 : "?");
	if (new_key)
		printf("its private key is in %s (keep it safe)\n", new_key);
	free(fp);
	vault_free(v);
	vault_key_free(key);
	return EXIT_OK;
}

const cli_command cli_cmd_init = {
	"init", "create a new, empty vault with its first admin (the trust root)",
	"[DIR]", 0, 1, opts, 0, run
};
