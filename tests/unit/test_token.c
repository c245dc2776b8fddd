/*
 * Unit tests of token.c through the library: the server's check of an API
 * token answers every refusal alike, and names the reason only apart.
 */
#include "helpers.h"

#include <time.h>

typedef struct {
	char *dir;
	vault *v;
	vault_key *admin, *sam, *bob;
} fixture;

static void add_user(vault *v, vault_key **key, const char *name, const char *org,
		     const char *roles)
{
	char *pub;

	assert_int_equal(vault_key_generate(key, VAULT_KEY_ED25519, name), 0);
	assert_int_equal(vault_key_public(&pub, *key), 0);
	assert_int_equal(vault_user_add(v, name, org, roles, pub), 0);
	free(pub);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char path[4200];

	assert_non_null(f);
	f->dir = temp_dir();
	test_fmt(path, sizeof(path), "%s/v", f->dir);
	assert_int_equal(vault_key_generate(&f->admin, VAULT_KEY_ED25519, "admin"), 0);
	assert_int_equal(vault_init(&f->v, path, f->admin, "admin", "owner"), 0);
	add_user(f->v, &f->sam, "sam", "acme", "supplier");
	add_user(f->v, &f->bob, "bob", "owner", "buyer");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	vault_free(f->v);
	vault_key_free(f->admin);
	vault_key_free(f->sam);
	vault_key_free(f->bob);
	rm_tree(f->dir);
	free(f);
	return 0;
}

/* vault_token_check refuses `token` at `now` as "invalid token", for `why`. */
static void refused(vault *v, const char *token, int64_t now, const char *why)
{
	vault_user u;
	const char *reason = NULL;
	int may_write = 7;

	assert_int_equal(vault_token_check(&u, &may_write, &reason, v, token, now), VAULT_EDENIED);
	assert_string_equal(vault_error_message(), "invalid token");
	assert_non_null(reason);
	assert_string_equal(reason, why);
	assert_int_equal(may_write, 0);
	assert_null(u.name);
	/* and the same without a reason asked for */
	assert_int_equal(vault_token_check(&u, &may_write, NULL, v, token, now), VAULT_EDENIED);
	assert_string_equal(vault_error_message(), "invalid token");
}

static void accepted(vault *v, const char *token, int64_t now, const char *user, int write)
{
	vault_user u;
	const char *reason = "unset";
	int may_write = -1;

	assert_int_equal(vault_token_check(&u, &may_write, &reason, v, token, now), 0);
	assert_null(reason);
	assert_string_equal(u.name, user);
	assert_int_equal(may_write, write);
	vault_user_dispose(&u);
}

static void a_token_is_checked(void **state)
{
	fixture *f = *state;
	int64_t now = (int64_t)time(NULL);
	char *tok, *rtok, bad[128];

	vault_set_key(f->v, f->admin);
	assert_int_equal(vault_token_create(&tok, f->v, "sam", "write", NULL), 0);
	assert_int_equal(strlen(tok), 64);
	assert_memory_equal(tok, "qvt_", 4);
	assert_int_equal(tok[20], '_');
	accepted(f->v, tok, now, "sam", 1);
	assert_int_equal(vault_token_create(&rtok, f->v, "bob", NULL, NULL), 0);
	accepted(f->v, rtok, now, "bob", 0);

	/* no key is needed to check one */
	vault_set_key(f->v, NULL);
	accepted(f->v, tok, now, "sam", 1);

	refused(f->v, "", now, "malformed");
	refused(f->v, "qvt_", now, "malformed");
	test_fmt(bad, sizeof(bad), "%sx", tok);
	refused(f->v, bad, now, "malformed");
	test_fmt(bad, sizeof(bad), "%.63s", tok);
	refused(f->v, bad, now, "malformed");
	test_fmt(bad, sizeof(bad), "qvx_%s", tok + 4);
	refused(f->v, bad, now, "malformed");
	test_fmt(bad, sizeof(bad), "%s", tok);
	bad[5] = 'G';  /* the id is hex */
	refused(f->v, bad, now, "malformed");
	test_fmt(bad, sizeof(bad), "%s", tok);
	bad[40] = '+'; /* the secret is base64url */
	refused(f->v, bad, now, "malformed");
	test_fmt(bad, sizeof(bad), "%s", tok);
	bad[6] = bad[6] == '0' ? '1' : '0';
	refused(f->v, bad, now, "unknown id");
	test_fmt(bad, sizeof(bad), "%s", tok);
	bad[40] = bad[40] == 'A' ? 'B' : 'A';
	refused(f->v, bad, now, "wrong secret");
	/* another token's secret under this one's id */
	test_fmt(bad, sizeof(bad), "%.21s%s", tok, rtok + 21);
	refused(f->v, bad, now, "wrong secret");

	/* revoked: the token, then the user of another */
	vault_set_key(f->v, f->admin);
	{
		char id[17];

		test_fmt(id, sizeof(id), "%.16s", tok + 4);
		assert_int_equal(vault_token_revoke(f->v, id), 0);
		assert_int_equal(vault_token_revoke(f->v, id), VAULT_EEXISTS);
	}
	refused(f->v, tok, now, "revoked");
	accepted(f->v, rtok, now, "bob", 0);
	assert_int_equal(vault_user_revoke(f->v, "bob"), 0);
	refused(f->v, rtok, now, "user revoked or not allowed");
	free(tok);
	free(rtok);
}

static void expiry_is_the_last_valid_day(void **state)
{
	fixture *f = *state;
	time_t now = time(NULL);
	struct tm tm;
	char today[16], *tok;
	int64_t midnight;

	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	midnight = (int64_t)timegm(&tm) + 86400; /* the end of today, UTC */

	vault_set_key(f->v, f->admin);
	assert_int_equal(vault_token_create(&tok, f->v, "sam", "read", today), 0);
	accepted(f->v, tok, (int64_t)now, "sam", 0);
	accepted(f->v, tok, midnight - 1, "sam", 0);
	refused(f->v, tok, midnight, "expired");
	refused(f->v, tok, midnight + 86400 * 400, "expired");
	free(tok);
	assert_int_equal(vault_token_create(&tok, f->v, "sam", "read", "2000-01-01"), VAULT_EINVALID);
	assert_string_equal(vault_error_message(), "expiry date '2000-01-01' is in the past");
	assert_null(tok);
	assert_int_equal(vault_token_create(&tok, f->v, "sam", "read", "2099-02-30"), VAULT_EINVALID);
}

static void who_may_make_one(void **state)
{
	fixture *f = *state;
	char *tok = NULL, *list;

	vault_set_key(f->v, f->sam);
	assert_int_equal(vault_token_create(&tok, f->v, "sam", NULL, NULL), VAULT_EDENIED);
	assert_null(tok);
	assert_int_equal(vault_token_list(&list, f->v), VAULT_EDENIED);
	assert_int_equal(vault_token_revoke(f->v, "0123456789abcdef"), VAULT_EDENIED);
	vault_set_key(f->v, NULL);
	assert_int_equal(vault_token_list(&list, f->v), VAULT_EDENIED);

	vault_set_key(f->v, f->admin);
	assert_int_equal(vault_token_create(&tok, f->v, "admin", NULL, NULL), VAULT_EINVALID);
	assert_int_equal(vault_token_create(&tok, f->v, "qvault-server", NULL, NULL), VAULT_EINVALID);
	assert_int_equal(vault_token_create(&tok, f->v, "nobody", NULL, NULL), VAULT_ENOTFOUND);
	assert_int_equal(vault_token_create(&tok, f->v, "sam", "admin", NULL), VAULT_EINVALID);
	assert_int_equal(vault_token_revoke(f->v, "0123456789abcdef"), VAULT_ENOTFOUND);
	/* a malformed id is not repeated: it may be a whole token */
	assert_int_equal(vault_token_revoke(f->v, "qvt_0123456789abcdef_secret"), VAULT_EINVALID);
	assert_null(strstr(vault_error_message(), "secret"));

	/* the list holds no hash and no secret */
	assert_int_equal(vault_token_create(&tok, f->v, "sam", NULL, NULL), 0);
	assert_int_equal(vault_token_list(&list, f->v), 0);
	assert_null(strstr(list, "sha256"));
	assert_null(strstr(list, tok + 21));
	assert_non_null(strstr(list, "\"active\""));
	free(list);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_token_is_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(expiry_is_the_last_valid_day, setup, teardown),
		cmocka_unit_test_setup_teardown(who_may_make_one, setup, teardown),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
