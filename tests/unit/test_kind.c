/* Unit tests of kind.c and kinds.c: the shapes of the kinds of record. */
#include "helpers.h"

#include "kind.h"
#include "kinds.h"
#include "record.h"

/* The kind `path` is of, by name, or "" for none. */
static const char *kind_of(const char *path, vault_kind_match *m)
{
	const vault_kind *k = vault_kind__of(vault_kinds, path, m);

	return k ? k->name : "";
}

/* A path under the fan-out of `name` in `top`: TOP/ab/cd/NAME/REST. */
static const char *under(char *buf, size_t size, const char *top, const char *name,
			 const char *rest)
{
	char dir[VAULT_PATH_MAX];
	int n;

	vault_record__dir(dir, sizeof(dir), top, name);
	n = snprintf(buf, size, "%s/%s", dir, rest);
	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

static void each_record_has_its_kind(void **state)
{
	char p[VAULT_PATH_MAX * 2];
	vault_kind_match m;

	(void)state;
	assert_string_equal(kind_of("vault.json", &m), "settings");
	assert_string_equal(kind_of("users/sam/user.json", &m), "user");
	assert_string_equal(m.key, "sam");
	assert_string_equal(kind_of("users/sam/revoked.json", &m), "revocation");
	assert_string_equal(kind_of("attestations/users/sam/000001.json", &m), "attestation");
	assert_string_equal(m.key, "sam");
	assert_string_equal(kind_of("attestations/orgs/acme/000002.json", &m),
			    "organization attestation");
	assert_string_equal(m.key, "acme");
	assert_string_equal(kind_of("attestations/teams/acme/000001.json", &m), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "DWG-1", "B/record.json"), &m),
			    "revision");
	assert_string_equal(m.key, "DWG-1");
	assert_string_equal(m.rev, "B");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "DWG-1", "B/files/a.pdf"), &m),
			    "file");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "FAIR-1", "A/files/certs/c.pdf"),
				    &m), "file");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/release.json"), &m),
			    "release");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/acks/sam-received.json"),
				    &m), "acknowledgment");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/acks/sam-received.json.sig"),
				    &m), "acknowledgment signature");
	/* RFC 3161 tokens (stamp.c): beside a signature or a release record only */
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D",
					  "A/acks/sam-received.json.sig.tsr"), &m),
			    "acknowledgment timestamp");
	assert_string_equal(m.key, "D");
	assert_string_equal(m.rev, "A");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/release.json.tsr"), &m),
			    "release timestamp");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/acks/sam-received.json.tsr"),
				    NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/record.json.tsr"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "po.json"), &m), "PO");
	assert_string_equal(m.key, "PO-1");
	assert_string_equal(m.rev, "");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "acks/000001-sam.json"), &m),
			    "PO acknowledgment");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "acks/000001-sam.json.sig"),
				    &m), "PO acknowledgment signature");
	assert_string_equal(m.key, "PO-1");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "FAIR-1", "A/disposition.json.sig"),
				    &m), "FAI disposition signature");
	assert_string_equal(m.rev, "A");
	assert_string_equal(kind_of(under(p, sizeof(p), "ncrs", "N-1", "close.json.sig"), &m),
			    "NCR close signature");
	assert_string_equal(kind_of(under(p, sizeof(p), "ncrs", "N-1", "ncr.json.sig"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "changes/000001-bea.json"),
				    &m), "change order");
	assert_string_equal(m.key, "PO-1");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "releases/000001.json"),
				    &m), "release against a blanket order");
	assert_string_equal(m.key, "PO-1");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "release-acks/000001-sam.json"),
				    &m), "release acknowledgment");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1",
					  "release-acks/000001-sam.json.sig"), &m),
			    "release acknowledgment signature");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "PO-1", "releases/000001.json.sig"),
				    NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "lots", "L-1", "lot.json"), &m), "lot");
	/* a sub-tier lot: its organization's scope, then the lot's fan-out and name */
	assert_string_equal(kind_of(under(p, sizeof(p), "subtier/acme", "H-1", "lot.json"), &m),
			    "sub-tier lot");
	assert_string_equal(m.key, "H-1");
	assert_string_equal(kind_of(under(p, sizeof(p), "subtier", "H-1", "lot.json"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "subtier/acme/x", "H-1", "lot.json"), NULL),
			    "");
	assert_string_equal(kind_of(under(p, sizeof(p), "asns", "A-1", "receipt.json"), &m),
			    "receipt");
	assert_string_equal(kind_of(under(p, sizeof(p), "ncrs", "N-1", "close.json"), &m),
			    "closure");
	assert_string_equal(kind_of(under(p, sizeof(p), "tokens", "0123456789abcdef", "token.json"),
				    &m), "API token");
	assert_string_equal(m.key, "0123456789abcdef");
	assert_string_equal(kind_of(under(p, sizeof(p), "tokens", "0123456789abcdef",
					  "revoked.json"), &m), "token revocation");
	assert_string_equal(kind_of(under(p, sizeof(p), "waivers", "no-coc-0123456789abcdef",
					  "20261130T120000Z-qa.json"), &m), "audit waiver");
	assert_string_equal(m.key, "no-coc-0123456789abcdef");
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/PLANT-1/forecast/000001.json"), &m), "forecast");
	assert_string_equal(m.key, "PN-1");
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/PLANT-1/delivery/acks/000001-sam.json"), &m),
			    "forecast acknowledgment");
	assert_string_equal(m.key, "PN-1");
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/PLANT-1/forecast/acks/000001-sam.json.sig"), &m),
			    "forecast acknowledgment signature");
	/* a signer's name of 128 bytes in a file name longer than that */
	{
		char signer[VAULT_NAME_MAX + 1], leaf[VAULT_NAME_MAX + 64];

		memset(signer, 's', VAULT_NAME_MAX);
		signer[VAULT_NAME_MAX] = '\0';
		snprintf(leaf, sizeof(leaf), "A/acks/%s-received.json", signer);
		assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", leaf), &m),
				    "acknowledgment");
	}
}

static void other_paths_have_none(void **state)
{
	char p[VAULT_PATH_MAX * 2];

	(void)state;
	assert_string_equal(kind_of("README", NULL), "");
	assert_string_equal(kind_of("users/sam/notes.txt", NULL), "");
	assert_string_equal(kind_of("users/a/b/user.json", NULL), "");
	assert_string_equal(kind_of("docs/ab/cd/D/A/record.json/x", NULL), "");
	/* a fan-out folder is two hex digits */
	assert_string_equal(kind_of("docs/XY/cd/D/A/record.json", NULL), "");
	assert_string_equal(kind_of("docs/abc/cd/D/A/record.json", NULL), "");
	/* the fan-out folders are the name's own: DWG-1 under DWG-2's is none */
	{
		char dir[VAULT_PATH_MAX];

		vault_record__dir(dir, sizeof(dir), "docs", "DWG-2");
		snprintf(p, sizeof(p), "%.*sDWG-1/B/record.json", (int)(strlen(dir) - 5), dir);
		assert_string_equal(kind_of(p, NULL), "");
		snprintf(p, sizeof(p), "%.*sDWG-2/B/record.json", (int)(strlen(dir) - 5), dir);
		assert_string_equal(kind_of(p, NULL), "revision");
		snprintf(p, sizeof(p), "%.*sDWG-1/B/files/a.pdf", (int)(strlen(dir) - 5), dir);
		assert_string_equal(kind_of(p, NULL), "");
	}
	/* a name is a name (vault_name_check) */
	assert_string_equal(kind_of("docs/ab/cd/../A/record.json", NULL), "");
	assert_string_equal(kind_of("docs/ab/cd/D/.hidden/record.json", NULL), "");
	assert_string_equal(kind_of("lots/ab/cd//lot.json", NULL), "");
	/* a revision folder holds nothing else beside its files */
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/extra.json"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/files"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/acks/x.txt"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "docs", "D", "A/acks/.json"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "pos", "P", "po.json/x"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "tokens", "0123456789abcdef", "secret.txt"),
				    NULL), "");
	/* a forecast sits in its part's fan-out, four folders deep, nothing else */
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/PLANT-1/000001.json"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/PLANT-1/forecast/x/y/000001.json"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/.x/forecast/000001.json"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "forecasts", "PN-1",
					  "acme/PLANT-1/forecast/000001.txt"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "waivers", "no-coc-0123456789abcdef",
					  "notes.txt"), NULL), "");
	assert_string_equal(kind_of(under(p, sizeof(p), "waivers", "no-coc-0123456789abcdef",
					  "x/a.json"), NULL), "");
	assert_string_equal(kind_of("", NULL), "");
	/* a component longer than a file system's name */
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname));
		memcpy(longname + 280, ".json", 6);
		snprintf(p, sizeof(p), "docs/ab/cd/D/A/acks/%s", longname);
		assert_string_equal(kind_of(p, NULL), "");
	}
}

static void ops_by_kind(void **state)
{
	(void)state;
	assert_true(vault_kind__written_by(&vault_kind_lot, "lot-add"));
	assert_true(vault_kind__written_by(&vault_kind_lot, "lot-import"));
	assert_false(vault_kind__written_by(&vault_kind_lot, "lot"));
	assert_false(vault_kind__written_by(&vault_kind_lot, "lot-add-x"));
	assert_false(vault_kind__written_by(&vault_kind_lot, "add"));
	assert_true(vault_kind__written_by(&vault_kind_revision, "release"));
	assert_false(vault_kind__written_by(&vault_kind_release, "add"));
	assert_false(vault_kind__written_by(&vault_kind_ack, ""));
}

static void every_kind_is_described(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; vault_kinds[i]; i++) {
		const vault_kind *k = vault_kinds[i];

		assert_non_null(k->name);
		assert_non_null(k->shape);
		assert_true(*k->ops);
		/* a role to check needs the words of its refusal */
		assert_true(!k->roles || (k->act && *k->act));
		/* no two kinds of one name (messages name them) */
		for (j = 0; j < i; j++)
			assert_string_not_equal(vault_kinds[j]->name, k->name);
	}
	/* verify keeps a bit of each kind a commit writes in 64 */
	assert_true(i <= 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_record_has_its_kind),
		cmocka_unit_test(other_paths_have_none),
		cmocka_unit_test(ops_by_kind),
		cmocka_unit_test(every_kind_is_described),
	};

	return cmocka_run_group_tests_name("kind", tests, NULL, NULL);
}
