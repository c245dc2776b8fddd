/* Unit tests of util.c: the growable buffer never cuts what it is given. */
#include "helpers.h"

#include "util.h"

/* A name of the longest length vault_name_check allows, of one letter. */
static void long_name(char *name, char c)
{
	memset(name, c, VAULT_NAME_MAX);
	name[VAULT_NAME_MAX] = '\0';
}

/* A commit message of four longest names is kept whole, trailer and all. */
static void addf_grows(void **state)
{
	vault_buf b = VAULT_BUF_INIT;
	char doc[VAULT_NAME_MAX + 1], rev[VAULT_NAME_MAX + 1];
	size_t want;

	(void)state;
	long_name(doc, 'D');
	long_name(rev, 'R');
	assert_string_equal(vault_buf__str(&b), "");
	assert_int_equal(vault_buf__addf(&b, "ack %s@%s received\n\n", doc, rev), 0);
	assert_int_equal(vault_buf__addf(&b, "Qvault-Op: ack\nQvault-Doc: %s\nQvault-Rev: %s\n",
					 doc, rev), 0);
	want = strlen("ack @ received\n\nQvault-Op: ack\nQvault-Doc: \nQvault-Rev: \n") +
	       4 * VAULT_NAME_MAX;
	assert_true(want > 512);
	assert_int_equal(b.len, want);
	assert_int_equal(strlen(vault_buf__str(&b)), want);
	assert_non_null(strstr(b.data, "\nQvault-Op: ack\n"));
	assert_int_equal(strncmp(b.data + want - VAULT_NAME_MAX - 1, rev, VAULT_NAME_MAX), 0);
	assert_int_equal(b.data[want - 1], '\n');
	vault_buf__dispose(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

/* Bytes added as they are, NULs included, and the string ends after them. */
static void add_bytes(void **state)
{
	vault_buf b = VAULT_BUF_INIT;
	char *s;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(vault_buf__add(&b, "ab", 2), 0);
	assert_int_equal(vault_buf__add(&b, "x\0y", 3), 0);
	assert_int_equal(b.len, 2003);
	assert_int_equal(b.data[2003], '\0');
	assert_int_equal(memcmp(b.data + 2000, "x\0y", 3), 0);
	s = vault_buf__detach(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(strncmp(s, "abab", 4), 0);
	free(s);
	/* nothing added: detach still gives a string to free */
	s = vault_buf__detach(&b);
	assert_string_equal(s, "");
	free(s);
}

/* Past the limit an add fails whole: an error, the buffer as it was. */
static void limit_refuses(void **state)
{
	vault_buf b = { NULL, 0, 10, 0 };

	(void)state;
	assert_int_equal(vault_buf__addf(&b, "%s", "12345678"), 0);
	assert_int_equal(vault_buf__addf(&b, "%d", 123), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "over 10 bytes"));
	assert_string_equal(vault_buf__str(&b), "12345678");
	assert_int_equal(b.len, 8);
	assert_int_equal(vault_buf__add(&b, "abc", 3), VAULT_EINVALID);
	assert_int_equal(vault_buf__append(&b, (const unsigned char *)"abc", 3, 0),
			 VAULT_EINVALID);
	assert_int_equal(b.len, 8);
	assert_int_equal(vault_buf__add(&b, "90", 2), 0);
	assert_string_equal(vault_buf__str(&b), "1234567890");
	vault_buf__dispose(&b);
	assert_int_equal(b.max, 10);
}

/* The chunk callback collects streamed content as add does. */
static void append_collects(void **state)
{
	vault_buf b = VAULT_BUF_INIT;

	(void)state;
	assert_int_equal(vault_buf__append(&b, (const unsigned char *)"one,", 4, 1), 0);
	assert_int_equal(vault_buf__append(&b, (const unsigned char *)"two", 3, 0), 0);
	assert_string_equal(vault_buf__str(&b), "one,two");
	assert_int_equal(b.len, 7);
	vault_buf__dispose(&b);
}

/* A fixed buffer: a path that does not fit is refused, a message says it was cut. */
static void fixed_buffers(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(vault__fmt(buf, sizeof(buf), "path", "%s/%s", "docs", "DWG-1"), 0);
	assert_string_equal(buf, "docs/DWG-1");
	assert_int_equal(vault__fmt(buf, sizeof(buf), "path", "%s/%s", "docs", "DWG-1001-extra"),
			 VAULT_EINVALID);
	assert_string_equal(vault_error_message(), "path is too long");
	vault__fmt_message(buf, sizeof(buf), "%s", "short");
	assert_string_equal(buf, "short");
	vault__fmt_message(buf, sizeof(buf), "%s", "a message longer than the buffer");
	assert_string_equal(buf, "a message lo...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addf_grows),
		cmocka_unit_test(add_bytes),
		cmocka_unit_test(limit_refuses),
		cmocka_unit_test(append_collects),
		cmocka_unit_test(fixed_buffers),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
