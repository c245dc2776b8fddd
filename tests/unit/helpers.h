/*
 * helpers.h - what the unit tests share: cmocka, and temporary folders.
 */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vault.h"

/* snprintf that never cuts: a result that does not fit fails the test. */
static inline void test_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void test_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < size);
}

/* A new empty folder under $TMPDIR; the caller removes it with rm_tree. */
static inline char *temp_dir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(4096);

	assert_non_null(dir);
	test_fmt(dir, 4096, "%s/qvault-unit.XXXXXX", base ? base : "/tmp");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static inline void rm_tree(char *dir)
{
	char cmd[4200];

	test_fmt(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static inline void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * A new vault at `path` whose admin registered a tester (buyer, quality),
 * acting as the tester.  Free both keys after the vault.
 */
static inline void new_vault(vault **v, const char *path, vault_key **admin,
			     vault_key **tester)
{
	char *pub;

	assert_int_equal(vault_key_generate(admin, VAULT_KEY_ED25519, "admin"), 0);
	assert_int_equal(vault_key_generate(tester, VAULT_KEY_ECDSA_P256, "tester"), 0);
	assert_int_equal(vault_init(v, path, *admin, "admin", "owner"), 0);
	assert_int_equal(vault_key_public(&pub, *tester), 0);
	assert_int_equal(vault_user_add(*v, "tester", "owner", "buyer,quality", pub), 0);
	free(pub);
	vault_set_key(*v, *tester);
}

#endif
