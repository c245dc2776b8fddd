/* Unit tests of record.c: names, revision successors, record round trips. */
#include "helpers.h"

#include "record.h"
#include "vault.h"

static void names_accepted(void **state)
{
	(void)state;
	assert_int_equal(vault_name_check("n", "DWG-1001"), 0);
	assert_int_equal(vault_name_check("n", "A"), 0);
	assert_int_equal(vault_name_check("n", "1.2"), 0);
	assert_int_equal(vault_name_check("n", "SPEC_4+rev.b"), 0);
	/* as real numbers look: kept as given, encoded where they become paths */
	assert_int_equal(vault_name_check("n", "4500012345/10"), 0);
	assert_int_equal(vault_name_check("n", "000 260 056 524"), 0);
	assert_int_equal(vault_name_check("n", "a\\b"), 0);
	assert_int_equal(vault_name_check("n", "..."), 0);
	assert_int_equal(vault_name_check("n", "-rf"), 0);
	assert_int_equal(vault_name_check("n", "caf\xc3\xa9"), 0);
	/* the older rule, of users and organizations, still refuses them */
	assert_int_equal(vault_plain_name_check("n", "a/b"), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "contains '/'"));
	assert_int_equal(vault_plain_name_check("n", "a..b"), VAULT_EINVALID);
	assert_int_equal(vault_plain_name_check("n", ".hidden"), VAULT_EINVALID);
	assert_int_equal(vault_plain_name_check("n", "a b"), VAULT_EINVALID);
	assert_int_equal(vault_plain_name_check("n", "SPEC_4+rev.b"), 0);
}

static void names_refused(void **state)
{
	char longname[VAULT_NAME_MAX + 2], slashes[100];

	(void)state;
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(vault_name_check("n", ""), VAULT_EINVALID);
	assert_int_equal(vault_name_check("n", NULL), VAULT_EINVALID);
	assert_int_equal(vault_name_check("n", "a\nb"), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "control character"));
	assert_int_equal(vault_name_check("n", "a\x7f"), VAULT_EINVALID);
	assert_int_equal(vault_name_check("n", "caf\xe9"), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "not valid UTF-8"));
	assert_int_equal(vault_name_check("n", "A\xe2\x80\xae" "B"), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "U+202E"));
	assert_int_equal(vault_name_check("n", "A\xe2\x80\x8b" "B"), VAULT_EINVALID);
	assert_int_equal(vault_name_check("n", " A"), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "begins or ends with a space"));
	assert_int_equal(vault_name_check("n", "A "), VAULT_EINVALID);
	assert_int_equal(vault_name_check("n", longname), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "longer than 128 bytes"));
	longname[VAULT_NAME_MAX] = '\0';
	assert_int_equal(vault_name_check("n", longname), 0);
	memset(slashes, '/', 81);
	slashes[81] = '\0';
	assert_int_equal(vault_name_check("n", slashes), VAULT_EINVALID);
	assert_non_null(strstr(vault_error_message(), "once encoded"));
	slashes[80] = '\0';
	assert_int_equal(vault_name_check("n", slashes), 0);
	/* a link's path cannot name these two; dots among other characters it can */
	assert_int_equal(vault_name_check("n", "."), VAULT_EINVALID);
	assert_string_equal(vault_error_message(), "n '.' is a path's step, not a name");
	assert_int_equal(vault_name_check("n", ".."), VAULT_EINVALID);
	assert_int_equal(vault_name_check("n", "..."), 0);
	assert_int_equal(vault_name_check("n", "PO/../1"), 0);
	assert_int_equal(vault_name_check("n", ".A"), 0);
}

/* enc(name) is `want`, and the component `want` gives back `name` exactly */
static void round_trip(const char *name, const char *want)
{
	char enc[VAULT_NAME_ENC_MAX + 1], back[VAULT_NAME_MAX + 1];

	assert_int_equal(vault_name_encode(enc, sizeof(enc), name), 0);
	assert_string_equal(enc, want);
	assert_int_equal(vault_record__name_of(back, enc, strlen(enc)), 0);
	assert_string_equal(back, name);
}

static void names_encoded(void **state)
{
	char back[VAULT_NAME_MAX + 1], small[4];

	(void)state;
	/* names valid before are their own encoding */
	round_trip("DWG-1001", "DWG-1001");
	round_trip("SPEC_4+rev.b", "SPEC_4+rev.b");
	round_trip("a.b.c", "a.b.c");
	round_trip("4500012345/10", "4500012345%2F10");
	round_trip("24/117 A", "24%2F117%20A");
	round_trip("...", "%2E%2E%2E");
	round_trip("../../x", "%2E%2E%2F.%2E%2Fx");
	round_trip(".hidden", "%2Ehidden");
	round_trip("a%b", "a%25b");
	round_trip("caf\xc3\xa9", "caf%C3%A9");
	/* one name, one component: no other spelling decodes */
	assert_int_equal(vault_record__name_of(back, "4500012345%2f10", 15), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "%41", 3), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "a..b", 4), VAULT_EINVALID);
	/* '.' and '..' are no names (a link's path cannot hold them) */
	assert_int_equal(vault_record__name_of(back, "%2E%2E", 6), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "%2E", 3), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "a%2", 3), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "a%00", 4), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "%20a", 4), VAULT_EINVALID);
	assert_int_equal(vault_record__name_of(back, "", 0), VAULT_EINVALID);
	assert_string_equal(back, "");
	/* a buffer too small: refused, "" */
	assert_int_equal(vault_name_encode(small, sizeof(small), "a/b"), VAULT_EINVALID);
	assert_string_equal(small, "");
}

/* URI segments (portal links, EPCIS identifiers): RFC 3986's unreserved bytes stay */
static void uri_encoded(void **state)
{
	char buf[64], small[4];

	(void)state;
	assert_int_equal(vault_uri_encode(buf, sizeof(buf), "DWG-1001_a.b~c"), 0);
	assert_string_equal(buf, "DWG-1001_a.b~c");
	assert_int_equal(vault_uri_encode(buf, sizeof(buf), "4500012345/10"), 0);
	assert_string_equal(buf, "4500012345%2F10");
	assert_int_equal(vault_uri_encode(buf, sizeof(buf), "../x?a=1&b#c"), 0);
	assert_string_equal(buf, "..%2Fx%3Fa%3D1%26b%23c");
	assert_int_equal(vault_uri_encode(buf, sizeof(buf), "a%b +\"<caf\xc3\xa9"), 0);
	assert_string_equal(buf, "a%25b%20%2B%22%3Ccaf%C3%A9");
	assert_int_equal(vault_uri_encode(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	/* exactly 3 * strlen + 1 fits; one byte less does not */
	assert_int_equal(vault_uri_encode(small, 4, "/"), 0);
	assert_string_equal(small, "%2F");
	assert_int_equal(vault_uri_encode(small, 3, "/"), VAULT_EINVALID);
	assert_string_equal(small, "");
}

static void file_names(void **state)
{
	(void)state;
	assert_int_equal(vault_record__file_name_check("drawing rev C.pdf"), 0);
	assert_int_equal(vault_record__file_name_check("Zeichnung-\xc3\xa4.pdf"), 0);
	assert_int_equal(vault_record__file_name_check(".git"), VAULT_EINVALID);
	assert_int_equal(vault_record__file_name_check("a/b.pdf"), VAULT_EINVALID);
	assert_int_equal(vault_record__file_name_check("bad\xff.pdf"), VAULT_EINVALID);
	assert_int_equal(vault_record__file_name_check("overlong\xc0\xaf.pdf"), VAULT_EINVALID);
	assert_int_equal(vault_record__file_name_check("c1\xc2\x9b.pdf"), VAULT_EINVALID);
}

static void next_revisions(void **state)
{
	static const char *const cases[][2] = {
		{ "A", "B" }, { "C", "D" }, { "Z", "AA" }, { "AZ", "BA" },
		{ "1", "2" }, { "9", "10" }, { "b", "c" }, { "A9", "B0" },
	};
	char buf[VAULT_NAME_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vault_record__next_rev(buf, sizeof(buf), cases[i][0]), 0);
		assert_string_equal(buf, cases[i][1]);
	}
	assert_int_equal(vault_record__next_rev(buf, sizeof(buf), "-"), VAULT_EINVALID);
}

static void record_round_trip(void **state)
{
	char p1[] = "PN-1", p2[] = "PN-2", name[] = "d.pdf", mime[] = "application/pdf";
	char doc[] = "DWG-1", rev[] = "C", type[] = "drawing", by[] = "alice";
	char title[] = "Bracket \xe2\x80\x94 machined";
	char *parts[] = { p1, p2 };
	vault_file file = { name, "", "", 1234, mime, NULL };
	vault_revision in = { 0 }, out;
	char *json;
	size_t len;

	(void)state;
	memset(file.sha256, 'a', 64);
	in.doc = doc;
	in.rev = rev;
	in.type = type;
	in.title = title;
	in.parts = parts;
	in.nparts = 2;
	in.files = &file;
	in.nfiles = 1;
	in.seq = 3;
	in.added_by = by;
	in.added_at = 1795766400;
	assert_int_equal(vault_record__revision_dump(&json, &len, &in), 0);
	assert_int_equal(json[len - 1], '\n');
	assert_int_equal(vault_record__revision_parse(&out, json, len), 0);
	assert_string_equal(out.doc, "DWG-1");
	assert_string_equal(out.rev, "C");
	assert_string_equal(out.title, in.title);
	assert_int_equal(out.nparts, 2);
	assert_string_equal(out.parts[1], "PN-2");
	assert_int_equal(out.seq, 3);
	assert_int_equal(out.added_at, 1795766400);
	assert_int_equal(out.files[0].size, 1234);
	assert_string_equal(out.files[0].sha256, file.sha256);
	vault_revision_dispose(&out);
	free(json);
}

static void record_refusals(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"record\": \"revision\"}",
		"{\"record\":\"revision\",\"format\":1,\"doc\":\"a/b\",\"rev\":\"A\",\"seq\":1,"
		"\"type\":\"drawing\",\"parts\":[],\"files\":[],\"added_by\":\"x\","
		"\"added_at\":\"2026-01-01T00:00:00Z\"}",
		"{\"record\":\"revision\",\"format\":1,\"doc\":\"D\",\"rev\":\"A\",\"seq\":1,"
		"\"type\":\"drawing\",\"parts\":[],\"files\":[{\"name\":\"x\",\"sha256\":\"zz\","
		"\"size\":1,\"mime\":\"m\"}],\"added_by\":\"x\",\"added_at\":\"2026-01-01T00:00:00Z\"}",
		"{\"record\":\"revision\",\"format\":1,\"doc\":\"D\",\"rev\":\"A\",\"seq\":1,"
		"\"type\":\"drawing\",\"parts\":[],\"files\":[],\"added_by\":\"x\","
		"\"added_at\":\"2026-01-01T00:00:00Z\",\"extra\":1}",
		"{\"record\":\"revision\",\"record\":\"revision\"}",
	};
	vault_revision r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vault_record__revision_parse(&r, bad[i], strlen(bad[i])),
				 VAULT_EINVALID);
}

/* e-mail addresses: the dot-atom addr-spec only, never a byte that could end a header */
static void email_addresses(void **state)
{
	static const char *const good[] = { "sam@acme.example", "bea.buyer+qv@owner.example",
		"a_b-c@x-y.z.example", "o'brien@mill.example", NULL };
	static const char *const bad[] = { "", "sam", "sam@", "@acme.example", "sam@acme",
		"sam@@acme.example", "s am@acme.example", "sam@-acme.example", "sam@acme-.example",
		"sam@acme..example", ".sam@acme.example", "sam.@acme.example", "\"sam\"@acme.example",
		"sam@acme.example\r\nBcc: x@evil.example", "sam@acme.example\n", "s\xc3\xa4m@acme.example",
		"sam@[127.0.0.1]", NULL };
	char longest[300];
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_int_equal(vault_record__email_check(good[i]), 0);
	for (i = 0; bad[i]; i++)
		assert_int_equal(vault_record__email_check(bad[i]), VAULT_EINVALID);
	assert_int_equal(vault_record__email_check(NULL), VAULT_EINVALID);
	/* a local part of 65 bytes, a whole of 255 */
	memset(longest, 'a', 65);
	memcpy(longest + 65, "@x.example", 11);
	assert_int_equal(vault_record__email_check(longest), VAULT_EINVALID);
	memset(longest, 'a', 64);
	longest[64] = '@';
	for (i = 65; i < 255; i++)
		longest[i] = (i - 65) % 10 == 9 ? '.' : 'b';
	longest[255] = '\0';
	assert_int_equal(vault_record__email_check(longest), VAULT_EINVALID);
	longest[254] = '\0';
	longest[253] = 'c';
	assert_int_equal(vault_record__email_check(longest), 0);
}

static void fan_out(void **state)
{
	char a[VAULT_PATH_MAX], b[VAULT_PATH_MAX];

	(void)state;
	assert_int_equal(vault_record__doc_dir(a, sizeof(a), "DWG-1001"), 0);
	assert_int_equal(vault_record__doc_dir(b, sizeof(b), "DWG-1002"), 0);
	assert_int_equal(strncmp(a, "docs/", 5), 0);
	assert_int_equal(strlen(a), strlen("docs/xx/yy/DWG-1001"));
	assert_string_equal(a + strlen(a) - 8, "DWG-1001");
	assert_string_not_equal(a, b);
}

/* The longest name fits its folder whole; one that cannot fit is refused, not cut. */
static void fan_out_never_cut(void **state)
{
	char a[VAULT_PATH_MAX], name[VAULT_PATH_MAX + 1];

	(void)state;
	memset(name, 'D', VAULT_NAME_MAX);
	name[VAULT_NAME_MAX] = '\0';
	assert_int_equal(vault_record__doc_dir(a, sizeof(a), name), 0);
	assert_int_equal(strlen(a), strlen("docs/xx/yy/") + VAULT_NAME_MAX);
	assert_string_equal(a + strlen("docs/xx/yy/"), name);
	memset(name, 'D', VAULT_PATH_MAX);
	name[VAULT_PATH_MAX] = '\0';
	assert_int_equal(vault_record__doc_dir(a, sizeof(a), name), VAULT_EINVALID);
	assert_string_equal(a, "");
	assert_non_null(strstr(vault_error_message(), "too long"));
}

/* A release record's organizations are names, each of them once; else it is malformed. */
static void release_records(void **state)
{
	static const char head[] = "{\"record\": \"release\", \"format\": 1, \"doc\": \"DWG-1\","
				   " \"rev\": \"A\", \"released_by\": \"bea\","
				   " \"released_at\": \"2026-11-30T10:00:00Z\", \"to\": ";
	char text[512];
	vault_release r;

	(void)state;
	assert_true(snprintf(text, sizeof(text), "%s[\"acme\", \"zenith\"]}", head) < (int)sizeof(text));
	assert_int_equal(vault_record__release_parse(&r, text, strlen(text)), 0);
	assert_int_equal(r.nto, 2);
	assert_string_equal(r.to[1], "zenith");
	vault_record__release_dispose(&r);
	assert_true(snprintf(text, sizeof(text), "%s[\"acme\", 5]}", head) < (int)sizeof(text));
	assert_int_equal(vault_record__release_parse(&r, text, strlen(text)), VAULT_EINVALID);
	assert_string_equal(vault_error_message(), "release record is malformed");
	assert_true(snprintf(text, sizeof(text), "%s[null]}", head) < (int)sizeof(text));
	assert_int_equal(vault_record__release_parse(&r, text, strlen(text)), VAULT_EINVALID);
	/* nor one organization twice, wherever the second is */
	assert_true(snprintf(text, sizeof(text), "%s[\"acme\", \"zenith\", \"acme\"]}", head) <
		    (int)sizeof(text));
	assert_int_equal(vault_record__release_parse(&r, text, strlen(text)), VAULT_EINVALID);
	assert_string_equal(vault_error_message(), "release record is malformed");
	assert_int_equal(r.nto, 0);
	assert_null(r.to);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_accepted),
		cmocka_unit_test(names_refused),
		cmocka_unit_test(names_encoded),
		cmocka_unit_test(uri_encoded),
		cmocka_unit_test(file_names),
		cmocka_unit_test(next_revisions),
		cmocka_unit_test(record_round_trip),
		cmocka_unit_test(record_refusals),
		cmocka_unit_test(email_addresses),
		cmocka_unit_test(fan_out),
		cmocka_unit_test(fan_out_never_cut),
		cmocka_unit_test(release_records),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
