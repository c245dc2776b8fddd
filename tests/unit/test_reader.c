/*
 * Unit tests of vault_set_reader: reads answered as a registered user sees
 * the vault, with no key (what `qvault serve` does for an API token's
 * user), and never a write.
 */
#include "helpers.h"

typedef struct {
	char *dir, vault[4200], pdf[4200];
	vault *v;
	vault_key *admin, *buyer, *supplier, *other;
} world;

static void add_user(world *w, const char *name, const char *org, const char *role,
		     const vault_key *key)
{
	char *pub = NULL;

	assert_int_equal(vault_key_public(&pub, key), 0);
	vault_set_key(w->v, w->admin);
	assert_int_equal(vault_user_add(w->v, name, org, role, pub), 0);
	free(pub);
}

/* A PDF released to `to` (NULL: added, never released) by the buyer. */
static void add_doc(world *w, const char *doc, const char *to)
{
	const char *orgs[1] = { to };
	vault_add_options add = { w->pdf, NULL, doc, "drawing", "A", NULL, NULL, 0, NULL, NULL,
				  NULL, NULL, NULL };
	vault_release_options rel = { orgs, 1, NULL, NULL, NULL, NULL };
	vault_revision r;

	vault_set_key(w->v, w->buyer);
	if ((to ? vault_doc_release(&r, w->v, &add, &rel) : vault_doc_add(&r, w->v, &add)) < 0)
		fail_msg("%s", vault_error_message());
	vault_revision_dispose(&r);
}

static int setup(void **state)
{
	world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->dir = temp_dir();
	static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n"
				  "<< /Root 1 0 R >>\n%EOF\n";

	test_fmt(w->vault, sizeof(w->vault), "%s/v", w->dir);
	test_fmt(w->pdf, sizeof(w->pdf), "%s/d.pdf", w->dir);
	write_file(w->pdf, pdf, sizeof(pdf) - 1);
	assert_int_equal(vault_key_generate(&w->admin, VAULT_KEY_ED25519, "admin"), 0);
	assert_int_equal(vault_key_generate(&w->buyer, VAULT_KEY_ED25519, "bea"), 0);
	assert_int_equal(vault_key_generate(&w->supplier, VAULT_KEY_ED25519, "sam"), 0);
	assert_int_equal(vault_key_generate(&w->other, VAULT_KEY_ED25519, "zed"), 0);
	assert_int_equal(vault_init(&w->v, w->vault, w->admin, "ada", "owner"), 0);
	add_user(w, "bea", "owner", "buyer", w->buyer);
	add_user(w, "sam", "acme", "supplier", w->supplier);
	add_user(w, "zed", "zenith", "supplier", w->other);
	add_doc(w, "DWG-ACME", "acme");
	add_doc(w, "DWG-ZEN", "zenith");
	add_doc(w, "DWG-DRAFT", NULL);
	vault_set_key(w->v, NULL);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;

	if (!w)
		return 0;
	vault_free(w->v);
	vault_key_free(w->admin);
	vault_key_free(w->buyer);
	vault_key_free(w->supplier);
	vault_key_free(w->other);
	rm_tree(w->dir);
	free(w);
	return 0;
}

/* The documents `reader` lists, comma-separated, in list order. */
static char *listed(world *w, const char *reader)
{
	vault_revision_list *l = NULL;
	char *out = calloc(1, 1024);
	size_t i, len = 0;

	assert_non_null(out);
	vault_set_reader(w->v, reader);
	assert_int_equal(vault_doc_list(&l, w->v, NULL), 0);
	for (i = 0; i < l->count; i++) {
		test_fmt(out + len, 1024 - len, "%s%s", i ? "," : "", l->items[i].doc);
		len += strlen(out + len);
	}
	vault_revision_list_free(l);
	vault_set_reader(w->v, NULL);
	return out;
}

static void a_supplier_reads_its_own(void **state)
{
	world *w = *state;
	vault_revision r;
	char *s;

	s = listed(w, "sam");
	assert_string_equal(s, "DWG-ACME");
	free(s);
	vault_set_reader(w->v, "sam");
	assert_int_equal(vault_doc_get(&r, w->v, "DWG-ZEN", NULL), VAULT_ENOTFOUND);
	assert_int_equal(vault_doc_get(&r, w->v, "DWG-ACME", NULL), 0);
	vault_revision_dispose(&r);
	vault_set_reader(w->v, NULL);
}

static void a_buyer_reads_all(void **state)
{
	world *w = *state;
	char *s = listed(w, "bea");

	assert_non_null(strstr(s, "DWG-ACME"));
	assert_non_null(strstr(s, "DWG-ZEN"));
	assert_non_null(strstr(s, "DWG-DRAFT"));
	free(s);
}

static void an_unknown_or_revoked_reader_reads_nothing(void **state)
{
	world *w = *state;
	vault_revision_list *l = NULL;

	vault_set_reader(w->v, "nobody");
	assert_int_equal(vault_doc_list(&l, w->v, NULL), VAULT_EDENIED);
	assert_null(l);
	assert_non_null(strstr(vault_error_message(), "no user 'nobody'"));
	vault_set_reader(w->v, NULL);
	vault_set_key(w->v, w->admin);
	assert_int_equal(vault_user_revoke(w->v, "zed"), 0);
	vault_set_key(w->v, NULL);
	vault_set_reader(w->v, "zed");
	assert_int_equal(vault_doc_list(&l, w->v, NULL), VAULT_EDENIED);
	assert_non_null(strstr(vault_error_message(), "revoked"));
	vault_set_reader(w->v, NULL);
}

static void a_reader_never_writes(void **state)
{
	world *w = *state;
	vault_add_options add = { w->pdf, NULL, "DWG-NEW", "drawing", NULL, NULL, NULL, 0, NULL,
				  NULL, NULL, NULL, NULL };
	vault_revision r, got;

	vault_set_reader(w->v, "bea");
	assert_int_equal(vault_doc_add(&r, w->v, &add), VAULT_EDENIED);
	assert_non_null(strstr(vault_error_message(), "no key given"));
	assert_int_equal(vault_doc_get(&got, w->v, "DWG-NEW", NULL), VAULT_ENOTFOUND);
	vault_set_reader(w->v, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_supplier_reads_its_own),
		cmocka_unit_test(a_buyer_reads_all),
		cmocka_unit_test(an_unknown_or_revoked_reader_reads_nothing),
		cmocka_unit_test(a_reader_never_writes),
	};

	return cmocka_run_group_tests_name("reader", tests, setup, teardown);
}
