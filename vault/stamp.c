/*
 * stamp.c - trusted time for acknowledgments and releases (stamp.h): the
 * write path's token, and the two kinds of token file, checked by verify
 * and recorded in the index (timestamps) so that audit can list the
 * writes that carry none.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common.h"
#include "error.h"
#include "index.h"
#include "kind.h"
#include "kinds.h"
#include "record.h"
#include "rules.h"
#include "stamp.h"
#include "store.h"
#include "tsa.h"
#include "txn.h"
#include "util.h"

/* How far a token's time may be from the time of the commit that records it. */
#define TOKEN_SKEW (10 * 60)

int vault_stamp__put(vault_txn *t, vault *v, const char *path, const void *data, size_t len)
{
	vault_tsa_config cfg;
	char tokpath[VAULT_PATH_MAX * 3];
	unsigned char *tok = NULL;
	size_t toklen = 0;
	int error;

	if ((error = vault_tsa__config(&cfg, vault_store__repo(v->store))) < 0)
		return error;
	if (!cfg.url)
		goto done;
	if ((error = vault__fmt(tokpath, sizeof(tokpath), "path", "%s" VAULT_TSA_EXT, path)) < 0)
		goto done;
	error = vault_tsa__stamp(&tok, &toklen, &cfg, data, len, t->now, TOKEN_SKEW);
	if (error == VAULT_ENOTFOUND && !cfg.required) {
		/* recorded without trusted time, as the site chose; audit lists it */
		vault__warn(v, "%s; recorded without a timestamp (qvault.tsaRequired is false)",
			    vault_error_message());
		error = 0;
		goto done;
	}
	if (error < 0) {
		error = vault_error__set(error, "cannot timestamp: %s", vault_error_message());
		goto done;
	}
	error = vault__txn_put_data(t, v, tokpath, (const char *)tok, toklen);
done:
	free(tok);
	vault_tsa__config_dispose(&cfg);
	return error;
}

/* ---- the kinds ------------------------------------------------------------ */

/* `path` less its ".tsr": the file the token stamps. */
static int stamped_of(char *out, size_t size, const char *path)
{
	size_t n = strlen(path), ext = strlen(VAULT_TSA_EXT);

	if (n <= ext || n - ext >= size)
		return -1;
	memcpy(out, path, n - ext);
	out[n - ext] = '\0';
	return 0;
}

/* The TSA certificate this site trusts (git config qvault.tsaCert), or NULL. */
static char *trusted_cert(vault_store *store)
{
	vault_tsa_config cfg;
	char *cert;

	if (vault_tsa__config(&cfg, vault_store__repo(store)) < 0)
		return NULL;
	cert = cfg.cert;
	cfg.cert = NULL;
	vault_tsa__config_dispose(&cfg);
	return cert;
}

/*
 * A token: added with the file it stamps (never over one recorded
 * before), over that file's SHA-256, signed by a TSA this site trusts
 * (when it names one: qvault.tsaCert) as its chain stood at the token's
 * time, and dated with the commit that records it.
 */
static void check_token(const vault_change_ctx *c, const char *path)
{
	char stamped[VAULT_PATH_MAX * 3], *tok = NULL, *data = NULL, *cert = NULL;
	size_t toklen, len;
	int64_t at;

	if (stamped_of(stamped, sizeof(stamped), path) < 0) {
		c->found(c, path, "the path is too long");
		return;
	}
	if (!vault_rules__has(c->store, c->tree, stamped) || vault_rules__has(c->store, c->before, stamped)) {
		c->found(c, path, "adds a timestamp token without the signed bytes it stamps");
		return;
	}
	if (vault_store__read_path(&tok, &toklen, c->store, c->tree, path) < 0 ||
	    vault_store__read_path(&data, &len, c->store, c->tree, stamped) < 0) {
		c->found(c, path, "the timestamp token cannot be read");
		goto done;
	}
	cert = trusted_cert(c->store);
	if (vault_tsa__check(&at, (const unsigned char *)tok, toklen, data, len, cert) < 0)
		c->found(c, path, "%s", vault_error_message());
	else if (at < c->time - TOKEN_SKEW || at > c->time + TOKEN_SKEW)
		c->found(c, path, "the timestamp token's time is more than %d minutes from "
			 "the commit that records it", TOKEN_SKEW / 60);
done:
	free(cert);
	free(tok);
	free(data);
}

static const char SQL_TIMESTAMP[] =
	"INSERT INTO timestamps (doc, rev, name, gen_time, commit_id) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_TIMESTAMP_ONCE[] =
	"SELECT commit_id FROM timestamps WHERE doc = ?1 AND rev = ?2 AND name = ?3";

/*
 * A token, by the revision and the file (from the revision's folder) it
 * stamps, at its time.  One that cannot be read is left out, so that the
 * index of a forged history can still be built: verify's check names it.
 */
static int index_timestamp(const vault_kind_file *f)
{
	char stamped[VAULT_PATH_MAX * 3], hex[41], what[3 * VAULT_NAME_MAX + 64];
	const char *name, *keys[3];
	sqlite3_stmt *st;
	size_t k;
	int64_t at;
	int error;

	if (stamped_of(stamped, sizeof(stamped), f->path) < 0 ||
	    vault_tsa__time(&at, (const unsigned char *)f->data, f->len) < 0)
		return 0;
	/* docs/<h>/<h>/DOC/REV/<name>: past five slashes */
	for (k = 0, name = stamped; k < 5 && name; k++)
		if ((name = strchr(name, '/')) != NULL)
			name++;
	if (!name)
		return 0;
	keys[0] = f->m->key;
	keys[1] = f->m->rev;
	keys[2] = name;
	vault__fmt_message(what, sizeof(what), "the timestamp of '%s' of %s@%s", name, f->m->key,
			   f->m->rev);
	git_oid_tostr(hex, sizeof(hex), f->commit);
	if ((error = vault_index__once(f->idx, f->commit, f->path, SQL_TIMESTAMP_ONCE, keys, 3,
				       what)) < 0 ||
	    (error = vault_index__stmt(&st, f->idx, SQL_TIMESTAMP)) < 0)
		return error;
	sqlite3_bind_text(st, 1, f->m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->m->rev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, hex, -1, SQLITE_STATIC);
	return vault_index__step(f->idx, st, "cannot record a timestamp");
}

const vault_kind vault_kind_ack_timestamp = {
	.name = "acknowledgment timestamp",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_ACKS_DIR "/*.json.sig" VAULT_TSA_EXT,
	.ops = "ack",
	.index = index_timestamp,
	.check = check_token,
	.tables = "timestamps",
};

const vault_kind vault_kind_release_timestamp = {
	.name = "release timestamp",
	.shape = "docs/HH/HH/DOC/REV/" VAULT_RELEASE_FILE VAULT_TSA_EXT,
	.ops = "release",
	.index = index_timestamp,
	.check = check_token,
	.tables = "timestamps",
};
