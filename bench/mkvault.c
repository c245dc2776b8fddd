/*
 * mkvault - a vault for the verify benchmark, built through libqvault:
 * NDOCS drawings released to NSUP suppliers, each of which signs every
 * meaning (received, reviewed, approved, rejected) of every drawing:
 * NDOCS * NSUP * 4 signed acknowledgments, each its own signed commit.
 *
 *   mkvault DIR NDOCS NSUP
 *
 * Writes DIR/vault and the keys of its admin and buyer, DIR/admin.pem and
 * DIR/buyer.pem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"
#include "fmt.h"

static void die(const char *what)
{
	fprintf(stderr, "mkvault: %s: %s\n", what, vault_error_message());
	exit(1);
}

int main(int argc, char **argv)
{
	static const char *const meanings[] = { "received", "reviewed", "approved", "rejected" };
	vault_key *admin, *buyer, **sup;
	char path[4096], name[64], *pub;
	const char *to[1] = { "acme" };
	unsigned long ndocs, nsup, d, s, m;
	vault *v;

	if (argc != 4) {
		fprintf(stderr, "usage: mkvault DIR NDOCS NSUP\n");
		return 2;
	}
	ndocs = strtoul(argv[2], NULL, 10);
	nsup = strtoul(argv[3], NULL, 10);
	if ((sup = calloc(nsup, sizeof(*sup))) == NULL)
		return 1;
	if (vault_key_generate(&admin, VAULT_KEY_ED25519, "admin") < 0 ||
	    vault_key_generate(&buyer, VAULT_KEY_ED25519, "buyer") < 0)
		die("keys");
	/* the keys first, so that a benchmark can write as these users after,
	 * also in a vault whose build was stopped part of the way */
	bench_fmt(path, sizeof(path), "%s/admin.pem", argv[1]);
	if (vault_key_save(admin, path, NULL) < 0)
		die("admin.pem");
	bench_fmt(path, sizeof(path), "%s/buyer.pem", argv[1]);
	if (vault_key_save(buyer, path, NULL) < 0)
		die("buyer.pem");
	bench_fmt(path, sizeof(path), "%s/vault", argv[1]);
	if (vault_init(&v, path, admin, "admin", "owner") < 0)
		die("init");
	if (vault_key_public(&pub, buyer) < 0 || vault_user_add(v, "buyer", "owner", "buyer", pub) < 0)
		die("buyer");
	free(pub);
	for (s = 0; s < nsup; s++) {
		bench_fmt(name, sizeof(name), "sup%lu", s);
		if (vault_key_generate(&sup[s], VAULT_KEY_ED25519, name) < 0 ||
		    vault_key_public(&pub, sup[s]) < 0 ||
		    vault_user_add(v, name, "acme", "supplier", pub) < 0)
			die("supplier");
		free(pub);
	}
	vault_set_key(v, buyer);
	for (d = 0; d < ndocs; d++) {
		vault_add_options o;
		vault_release_options r;
		vault_revision rev;
		char file[4200], doc[32];
		FILE *f;

		bench_fmt(file, sizeof(file), "%s/d%lu.pdf", argv[1], d);
		if ((f = fopen(file, "w")) == NULL)
			return 1;
		/* a PDF the content check opens (a catalog and a trailer) */
		fprintf(f, "%%PDF-1.4\n%% drawing %lu\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
			"trailer\n<< /Root 1 0 R >>\n%%%%EOF\n", d);
		fclose(f);
		bench_fmt(doc, sizeof(doc), "DWG-%lu", d);
		memset(&o, 0, sizeof(o));
		memset(&r, 0, sizeof(r));
		o.path = file, o.doc = doc, o.type = "drawing", o.rev = "A";
		r.to = to, r.nto = 1;
		if (vault_doc_release(&rev, v, &o, &r) < 0)
			die("release");
		vault_revision_dispose(&rev);
	}
	for (s = 0; s < nsup; s++) {
		vault_set_key(v, sup[s]);
		for (d = 0; d < ndocs; d++)
			for (m = 0; m < 4; m++) {
				char doc[32];

				bench_fmt(doc, sizeof(doc), "DWG-%lu", d);
				if (vault_ack(v, doc, "A", meanings[m], m == 3 ? "benchmark" : NULL) < 0)
					die("ack");
			}
	}
	vault_free(v);
	vault_key_free(admin);
	vault_key_free(buyer);
	for (s = 0; s < nsup; s++)
		vault_key_free(sup[s]);
	free(sup);
	return 0;
}
