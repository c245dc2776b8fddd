/*
 * export.c - evidence bundles: a zip an auditor takes away and checks on
 * their own machine with stock tools (unzip, sha256sum, ssh-keygen).
 *
 *   documents/DOC@REV/FILE        every revision the trace reaches
 *   certs/DOC@REV/cert.json       a material certificate's EN 10204 data
 *   acks/DOC@REV/NAME, NAME.sig   each acknowledgment statement and its SSHSIG
 *                                 (of a lot or PO: by the suppliers it names)
 *   acks/DOC@REV/NAME.sig.tsr     its RFC 3161 timestamp token, when it has one
 *   releases/DOC@REV/release.json, release.json.tsr
 *                                 a release record and its token, when it has one
 *   tsa-ca.pem                    the TSA certificate this site trusts (git
 *                                 config qvault.tsaCert), when a token is in
 *   allowed_signers               the keys of those who signed anything the
 *                                 bundle holds (revoked ones end)
 *   history.bundle                the signed commits that wrote each revision
 *                                 (provenance.c), a git bundle
 *   HISTORY.txt                   each revision's commits, with their acts
 *   trace.json, trace.txt         the trace, for programs and for people
 *   VERIFY.txt                    the commands that check all of it
 *   SHA256SUMS                    of every file above, as sha256sum -c reads
 *   SHA256SUMS.NAME@ORG.sig       SHA256SUMS signed (SSHSIG, qvault-bundle)
 *                                 by the server key and by the exporter
 *
 * The same vault state gives the same bytes: members in name order, fixed
 * times and modes, nothing taken from the clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common.h"
#include "error.h"
#include "provenance.h"
#include "package.h"
#include "record.h"
#include "sign.h"
#include "stamp.h"
#include "tsa.h"
#include "user.h"
#include "util.h"

/* One member of the bundle: its content in memory, or in a scratch file. */
typedef struct {
	char *name;
	char *data;       /* NULL when the content is in `file` */
	size_t len;
	char *file;
	char sha256[65];
} member;

typedef struct {
	member *m;
	size_t n, cap;
	char scratch[4096]; /* a private folder for document contents */
	unsigned files;
} bundle;

static member *add_member(bundle *b, const char *name)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 32;
		if ((b->m = realloc(b->m, b->cap * sizeof(member))) == NULL)
			abort();
	}
	memset(&b->m[b->n], 0, sizeof(member));
	b->m[b->n].name = vault__strdup(name);
	return &b->m[b->n++];
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[32];

	EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
	vault__hex(out, md, sizeof(md));
}

/* A member held in memory; takes `data`. */
static void add_data(bundle *b, const char *name, char *data, size_t len)
{
	member *m = add_member(b, name);

	m->data = data;
	m->len = len;
	sha256_hex(m->sha256, data, len);
}

/*
 * The EN 10204 data of material certificate DOC@REV as the vault stores
 * it, when it carries any: certs/DOC@REV/cert.json (beside documents/, so
 * that no file of the revision can take its name).
 */
static int add_cert(bundle *b, vault *v, const char *doc, const char *rev)
{
	char name[VAULT_PATH_MAX * 2], *data = NULL;
	vault_enc ed, er;
	int error;

	if ((error = vault_cert_data(&data, v, doc, rev)) < 0)
		return error == VAULT_ENOTFOUND ? 0 : error;
	/* names encoded as in the vault: a '/' or '..' of a name is no folder of the zip */
	if ((error = vault__fmt(name, sizeof(name), "member name", "certs/%s@%s/cert.json",
				vault_record__enc(&ed, doc), vault_record__enc(&er, rev))) < 0) {
		free(data);
		return error;
	}
	add_data(b, name, data, strlen(data));
	return 0;
}

/*
 * Every file of DOC@REV, checked against its SHA-256 on the way out; 1
 * when the acting supplier may not see it (nothing added).
 */
static int add_revision(bundle *b, vault *v, const char *doc, const char *rev)
{
	vault_revision r;
	size_t i;
	int error;

	if ((error = vault_doc_get(&r, v, doc, rev)) < 0)
		/* what the acting supplier may not see stays out of its bundle */
		return error == VAULT_ENOTFOUND ? 1 : error;
	for (i = 0; i < r.nfiles && !error; i++) {
		char name[VAULT_PATH_MAX * 2], path[sizeof(b->scratch) + 32];
		vault_enc ed, er;
		member *m;
		int fd;

		if ((error = vault__fmt(name, sizeof(name), "member name", "documents/%s@%s/%s",
					vault_record__enc(&ed, r.doc), vault_record__enc(&er, r.rev),
					r.files[i].name)) < 0 ||
		    (error = vault__fmt(path, sizeof(path), "path", "%s/%u", b->scratch,
					b->files++)) < 0)
			break;
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
			error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
			break;
		}
		v->journal_how = "export";
		error = vault_doc_cat(v, &r, i, fd);
		v->journal_how = NULL;
		if (close(fd) < 0 && !error)
			error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
		m = add_member(b, name);
		m->file = vault__strdup(path);
		if (!error)
			error = vault__fmt(m->sha256, sizeof(m->sha256), "SHA-256", "%s",
					   r.files[i].sha256);
	}
	if (!error && strcmp(r.type, "material-cert") == 0)
		error = add_cert(b, v, r.doc, r.rev);
	vault_revision_dispose(&r);
	return error;
}

/*
 * Each acknowledgment of DOC@REV: the statement and its signature, as
 * stored; only those of the organizations in `orgs` unless it is NULL.
 * Their names go to `it`, whose history then holds their commits.
 */
static int add_acks(bundle *b, vault *v, git_tree *root, const char *doc, const char *rev,
		    const json_t *orgs, vault_provenance_item *it, json_t *listed)
{
	vault_ack_list *acks;
	char dir[VAULT_PATH_MAX];
	size_t i, x;
	int error, stamped;

	if ((error = vault_acks(&acks, v, doc, rev)) < 0)
		return error;
	vault_record__doc_dir(dir, sizeof(dir), doc);
	for (i = 0; i < acks->count && !error; i++) {
		const vault_ack_info *a = &acks->items[i];

		/* another supplier's acknowledgment is none of this lot's or PO's */
		if (orgs && !json_object_get(orgs, a->org))
			continue;
		if ((it->acks = realloc(it->acks, (it->nacks + 1) * sizeof(char *))) == NULL)
			abort();
		it->acks[it->nacks++] = vault__strdup(a->name);
		stamped = 0;
		for (x = 0; x < 3 && !error; x++) {
			static const char *const ext[3] = { "", ".sig", (".sig" VAULT_TSA_EXT) };
			char path[VAULT_PATH_MAX * 3], name[VAULT_PATH_MAX * 2], *data;
			vault_enc er, ed;
			size_t len;

			if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s/" VAULT_ACKS_DIR "/%s%s",
						dir, vault_record__enc(&er, a->rev), a->name, ext[x])) < 0 ||
			    (error = vault__fmt(name, sizeof(name), "member name", "acks/%s@%s/%s%s",
						vault_record__enc(&ed, a->doc), er.s, a->name, ext[x])) < 0)
				break;
			error = vault_store__read_path(&data, &len, v->store, root, path);
			/* a token only where the acknowledgment has one (stamp.c) */
			if (error == VAULT_ENOTFOUND && x == 2) {
				error = 0;
				continue;
			}
			if (error == 0) {
				add_data(b, name, data, len);
				stamped = x == 2;
			}
		}
		json_array_append_new(listed, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b}",
			"doc", a->doc, "rev", a->rev, "statement", a->name, "signer", a->signer,
			"org", a->org, "meaning", a->meaning, "time", (json_int_t)a->time,
			"timestamp", stamped));
	}
	vault_ack_list_free(acks);
	return error;
}

/*
 * The release record of DOC@REV and its RFC 3161 token, when it has one
 * (stamp.c); its name goes to `stamped`.
 */
static int add_release_stamp(bundle *b, vault *v, git_tree *root, const char *doc,
			     const char *rev, json_t *stamped)
{
	char dir[VAULT_PATH_MAX], path[VAULT_PATH_MAX * 3], name[VAULT_PATH_MAX * 2];
	char *rec = NULL, *tok = NULL;
	vault_enc ed, er;
	size_t rlen, tlen;
	int error;

	vault_record__doc_dir(dir, sizeof(dir), doc);
	if ((error = vault_record__rev_file(path, sizeof(path), dir, rev,
					    VAULT_RELEASE_FILE VAULT_TSA_EXT)) < 0)
		return error;
	if ((error = vault_store__read_path(&tok, &tlen, v->store, root, path)) < 0)
		return error == VAULT_ENOTFOUND ? 0 : error;
	path[strlen(path) - strlen(VAULT_TSA_EXT)] = '\0';
	if ((error = vault_store__read_path(&rec, &rlen, v->store, root, path)) < 0 ||
	    (error = vault__fmt(name, sizeof(name), "member name", "releases/%s@%s/"
				VAULT_RELEASE_FILE, vault_record__enc(&ed, doc),
				vault_record__enc(&er, rev))) < 0) {
		free(rec);
		free(tok);
		return error;
	}
	add_data(b, name, rec, rlen);
	json_array_append_new(stamped, json_string(name));
	if ((error = vault__fmt(name, sizeof(name), "member name", "releases/%s@%s/"
				VAULT_RELEASE_FILE VAULT_TSA_EXT, ed.s, er.s)) < 0) {
		free(tok);
		return error;
	}
	add_data(b, name, tok, tlen);
	return 0;
}

/* The file at `path`, of at most `max` bytes, whole into *out (the caller's). */
static int read_small(char **out, size_t *len, const char *path, size_t max)
{
	vault_buf buf = VAULT_BUF_INIT;
	char chunk[4096];
	ssize_t got;
	int fd, error = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot open '%s'", path);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0 && !error) {
		if (buf.len + (size_t)got > max)
			error = vault_error__set(VAULT_EINVALID, "'%s' is larger than %zu bytes",
						 path, max);
		else
			error = vault_buf__add(&buf, chunk, (size_t)got);
	}
	if (got < 0 && !error)
		error = vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	close(fd);
	if (error < 0) {
		vault_buf__dispose(&buf);
		return error;
	}
	*len = buf.len;
	*out = buf.data ? vault_buf__detach(&buf) : vault__strdup("");
	return 0;
}

/*
 * tsa-ca.pem: the TSA certificate this site trusts, for the auditor to
 * compare with the one they obtain from the TSA; nothing without one.
 */
static int add_tsa_cert(bundle *b, vault *v)
{
	vault_tsa_config cfg;
	char *data = NULL;
	size_t len = 0;
	int error;

	if (vault_tsa__config(&cfg, vault_store__repo(v->store)) < 0 || !cfg.cert) {
		vault_tsa__config_dispose(&cfg);
		return 0;
	}
	error = read_small(&data, &len, cfg.cert, VAULT_TSA_MAX);
	if (error < 0)
		error = vault_error__set(error, "cannot read the TSA certificate "
					 "(git config qvault.tsaCert): %s", vault_error_message());
	else
		add_data(b, "tsa-ca.pem", data, len);
	vault_tsa__config_dispose(&cfg);
	return error;
}

/* Every {"doc", "rev"} the trace names, once. */
static void collect(json_t *seen, json_t *node)
{
	const char *key;
	json_t *val;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, val)
			collect(seen, val);
	} else if (json_is_object(node)) {
		const char *doc = json_string_value(json_object_get(node, "doc"));
		const char *rev = json_string_value(json_object_get(node, "rev"));

		char k[VAULT_NAME_MAX * 2 + 2];

		/* names of the trace are names of the vault: longer ones name nothing */
		if (doc && rev && vault__fmt(k, sizeof(k), "revision", "%s@%s", doc, rev) == 0)
			json_object_set_new(seen, k, json_pack("[s, s]", doc, rev));
		json_object_foreach(node, key, val)
			collect(seen, val);
	}
}

/* Every organization the trace names as a lot's or a PO's supplier, as keys of `orgs`. */
static void suppliers(json_t *orgs, json_t *node)
{
	const char *key;
	json_t *val;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, val)
			suppliers(orgs, val);
	} else if (json_is_object(node)) {
		json_object_foreach(node, key, val) {
			if (strcmp(key, "supplier") == 0 && json_is_string(val))
				json_object_set_new(orgs, json_string_value(val), json_true());
			suppliers(orgs, val);
		}
	}
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const member *)a)->name, ((const member *)b)->name);
}

static int cmp_folded(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = strcasecmp(x, y);

	return c ? c : strcmp(x, y);
}

/*
 * VAULT_EINVALID when two members, or two of their folders, differ in
 * ASCII letter case only ("documents/ab@A/", "documents/AB@A/": two
 * documents of the vault): unzipped on a case-insensitive file system
 * one would land in the other.  Every other byte of a name is encoded,
 * so no normalization of a file system can make two names one.
 */
static int distinct_folded(const bundle *b)
{
	vault_buf all = VAULT_BUF_INIT;
	const char **names;
	char *p;
	size_t i, k = 0, count = 0;
	int error = 0;

	/* each member and each folder it is in, NUL-terminated one after another */
	for (i = 0; i < b->n; i++) {
		const char *m = b->m[i].name, *slash;

		for (slash = strchr(m, '/'); slash; slash = strchr(slash + 1, '/')) {
			vault_buf__add(&all, m, (size_t)(slash - m + 1));
			vault_buf__add(&all, "", 1);
			count++;
		}
		vault_buf__add(&all, m, strlen(m) + 1);
		count++;
	}
	if ((names = calloc(count ? count : 1, sizeof(char *))) == NULL)
		abort();
	for (p = all.data, i = 0; i < count; i++, p += strlen(p) + 1)
		names[k++] = p;
	qsort(names, k, sizeof(char *), cmp_folded);
	for (i = 1; i < k && !error; i++)
		if (strcasecmp(names[i - 1], names[i]) == 0 && strcmp(names[i - 1], names[i]) != 0)
			error = vault_error__set(VAULT_EINVALID,
				"the bundle would hold '%s' and '%s', one on a file system "
				"that ignores case", names[i - 1], names[i]);
	free(names);
	vault_buf__dispose(&all);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void append(vault_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Add to a text of the bundle; running out of memory aborts, as vault__strdup does. */
static void append(vault_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vault_buf__vaddf(b, fmt, ap);
	va_end(ap);
	if (error < 0)
		abort();
}

/* Is `principal` a key of `need`, a json_t object? */
static int needed(const char *principal, void *need)
{
	return json_object_get(need, principal) != NULL;
}

/* trace.txt: what the bundle holds, for a person. */
static char *report(const char *subject, const char *head, json_t *revs, json_t *acks,
		    const bundle *b)
{
	vault_buf out = VAULT_BUF_INIT;
	size_t i, ncerts = 0;
	json_t *a;
	const char *key;
	json_t *val;

	append(&out, "Evidence bundle: %s\nVault state: commit %s\n\n", subject, head);
	append(&out, "Document revisions the trace reaches (%zu):\n", json_object_size(revs));
	{
		const char **keys = calloc(json_object_size(revs) + 1, sizeof(char *));
		size_t k = 0;

		if (!keys)
			abort();
		json_object_foreach(revs, key, val)
			keys[k++] = key;
		qsort(keys, k, sizeof(char *), cmp_str);
		for (i = 0; i < k; i++)
			append(&out, "  %s\n", keys[i]);
		free(keys);
	}
	append(&out, "\nFiles:\n");
	for (i = 0; i < b->n; i++)
		if (strncmp(b->m[i].name, "documents/", 10) == 0)
			append(&out, "  %s  sha256 %s\n", b->m[i].name + 10, b->m[i].sha256);
	append(&out, "\nMaterial certificate data (EN 10204):\n");
	for (i = 0; i < b->n; i++)
		if (strncmp(b->m[i].name, "certs/", 6) == 0) {
			append(&out, "  %s\n", b->m[i].name);
			ncerts++;
		}
	if (!ncerts)
		append(&out, "  (none)\n");
	append(&out, "\nSigned acknowledgments (%zu):\n", json_array_size(acks));
	json_array_foreach(acks, i, a) {
		time_t t = (time_t)json_integer_value(json_object_get(a, "time"));
		struct tm tm;
		char when[32];
		vault_enc ed, er;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		append(&out, "  %s@%s %s by %s (%s) at %s: acks/%s@%s/%s\n",
		       json_string_value(json_object_get(a, "doc")),
		       json_string_value(json_object_get(a, "rev")),
		       json_string_value(json_object_get(a, "meaning")),
		       json_string_value(json_object_get(a, "signer")),
		       json_string_value(json_object_get(a, "org")), when,
		       vault_record__enc(&ed, json_string_value(json_object_get(a, "doc"))),
		       vault_record__enc(&er, json_string_value(json_object_get(a, "rev"))),
		       json_string_value(json_object_get(a, "statement")));
	}
	append(&out, "\nThe full trace is trace.json; VERIFY.txt says how to check everything.\n");
	return vault_buf__detach(&out);
}

/* Who signs SHA256SUMS: "NAME@ORG" of the server and of the exporter. */
typedef struct {
	char id[2][VAULT_NAME_MAX * 2 + 2];
	char fp[2][64];          /* each key's "SHA256:..." */
	const vault_key *key[2];
	size_t n;
} signers;

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The item of the revision a member "documents/DOC@REV/..." belongs to. */
static const vault_provenance_item *item_of(const char *mname, const char *top,
					  const vault_provenance_item *items, size_t nitems,
					  const char **rest)
{
	const char *label = mname + strlen(top), *slash = strchr(label, '/');
	size_t i;

	if (!slash)
		return NULL;
	for (i = 0; i < nitems; i++)
		if (strlen(items[i].label) == (size_t)(slash - label) &&
		    strncmp(items[i].label, label, (size_t)(slash - label)) == 0 && items[i].n) {
			*rest = slash + 1;
			return &items[i];
		}
	return NULL;
}

/*
 * HISTORY.txt: each revision's commits, oldest first, with who and what;
 * each author's "NAME@ORG" (its e-mail address) becomes a key of `need`.
 */
static int history_text(char **out, vault *v, const vault_provenance_item *items, size_t nitems,
			json_t *need)
{
	vault_buf text = VAULT_BUF_INIT;
	size_t i, k;

	append(&text,
	       "The commits that wrote each record of this bundle, oldest first, all in\n"
	       "history.bundle (VERIFY.txt, step 4): commit id, author, time (UTC), act.\n"
	       "Each record is the folder named in brackets in that commit's tree, but\n"
	       "its acks/: the commits of the acknowledgments in this bundle are listed,\n"
	       "and each is checked by its own signature (VERIFY.txt, step 3).\n");
	for (i = 0; i < nitems; i++) {
		append(&text, "\n%s [%s]\n", items[i].label, items[i].dir);
		for (k = 0; k < items[i].n; k++) {
			char hex[GIT_OID_HEXSZ + 1], when[32];
			git_commit *c;
			const git_signature *who;
			struct tm tm;
			time_t t;

			if (git_commit_lookup(&c, vault_store__repo(v->store), &items[i].commits[k]) < 0) {
				vault_buf__dispose(&text);
				return vault_error__git(VAULT_ERROR, "cannot read a commit");
			}
			who = git_commit_author(c);
			json_object_set_new(need, who->email, json_true());
			t = (time_t)who->when.time;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			git_oid_tostr(hex, sizeof(hex), &items[i].commits[k]);
			append(&text, "  %s %s %s %s\n", hex, who->name, when,
			       git_commit_summary(c) ? git_commit_summary(c) : "");
			git_commit_free(c);
		}
	}
	*out = vault_buf__detach(&text);
	return 0;
}

static int has_member(const bundle *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->m[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Step 6 of VERIFY.txt: each RFC 3161 token, checked by stock `openssl
 * ts -verify` against the TSA certificate the auditor obtains.
 */
static void timestamps_text(vault_buf *out, json_t *acks, json_t *stamped, int tsa_cert)
{
	size_t i, count = json_array_size(stamped);
	json_t *a;

	json_array_foreach(acks, i, a)
		count += json_is_true(json_object_get(a, "timestamp"));
	if (count == 0)
		return;
	append(out,
	       "\n6. Trusted time (RFC 3161): a timestamp authority (TSA) signed that each\n"
	       "   file below existed at the time its token names, whatever the signer's\n"
	       "   clock said: an acknowledgment's signature (NAME.sig, its token\n"
	       "   NAME.sig.tsr) or a release record (release.json, its token\n"
	       "   release.json.tsr).  As with step 0, obtain the TSA's CA certificate\n"
	       "   from the TSA itself, apart from this bundle, and save it beside the\n"
	       "   bundle's folder, as ../TSA-CA.pem (step 2 fails on a file in it that\n"
	       "   SHA256SUMS does not list).%s  Then (OpenSSL):\n\n",
	       tsa_cert ? "  tsa-ca.pem is the one the vault's site trusts (git\n"
	       "   config qvault.tsaCert), for comparison:\n\n"
	       "     openssl x509 -in tsa-ca.pem -noout -subject -fingerprint -sha256\n\n"
	       "   and compare it with that of ../TSA-CA.pem." : "");
	json_array_foreach(acks, i, a) {
		const char *doc = json_string_value(json_object_get(a, "doc"));
		const char *rev = json_string_value(json_object_get(a, "rev"));
		const char *st = json_string_value(json_object_get(a, "statement"));
		vault_enc ed, er;

		if (json_is_true(json_object_get(a, "timestamp")))
			append(out, "     openssl ts -verify -CAfile ../TSA-CA.pem \\\n"
			       "       -in 'acks/%s@%s/%s.sig" VAULT_TSA_EXT "' -data 'acks/%s@%s/%s.sig'\n",
			       vault_record__enc(&ed, doc), vault_record__enc(&er, rev), st, ed.s, er.s, st);
	}
	json_array_foreach(stamped, i, a)
		append(out, "     openssl ts -verify -CAfile ../TSA-CA.pem \\\n"
		       "       -in '%s" VAULT_TSA_EXT "' -data '%s'\n",
		       json_string_value(a), json_string_value(a));
	append(out,
	       "\n   Each prints \"Verification: OK\": the token's message imprint is\n"
	       "   the SHA-256 of the file, and the TSA's certificate (extended key\n"
	       "   usage timeStamping) chains to ../TSA-CA.pem.  The line \"Time stamp\"\n"
	       "   of `openssl ts -reply -text -in` a token gives its time.  Once the\n"
	       "   TSA's certificate has expired, add -attime with the token's\n"
	       "   time (seconds since 1970) to check it as of then.  Acknowledgments\n"
	       "   and releases without a token were recorded while no TSA answered\n"
	       "   (`qvault audit` lists them as no-timestamp).\n");
}

static char *verify_text(json_t *acks, json_t *stamped, const signers *sg, const bundle *b,
			 const vault_provenance_item *items, size_t nitems, int history)
{
	vault_buf out = VAULT_BUF_INIT;
	size_t i, k, ncommits = 0;
	json_t *a;

	append(&out,
	       "How to check this bundle without qvault, with stock tools only (unzip,\n"
	       "coreutils, OpenSSH's ssh-keygen, git).  Unpack it, and run every command\n"
	       "below in the folder it unpacks into:\n\n"
	       "     unzip BUNDLE.zip -d bundle && cd bundle\n\n"
	       "A warning of unzip (a member named ../X or /X, which qvault never writes)\n"
	       "is a failure: the bundle is not the one exported.\n\n"
	       "0. Whose keys to trust: learn it outside this bundle.\n\n"
	       "   allowed_signers and this file travel in the bundle, and whoever could\n"
	       "   change the bundle could change them too.  Get the fingerprint of each\n"
	       "   key that signed SHA256SUMS independently, from the buyer and apart\n"
	       "   from the bundle: in a letter, by phone, or from the vault's published\n"
	       "   keys (`qvault keys allowed-signers`).  `qvault export` printed them for\n"
	       "   the buyer to pass on; when the bundle was made they were, as this file\n"
	       "   says:\n\n");
	for (i = 0; i < sg->n; i++)
		append(&out, "       %s %s\n", sg->id[i], sg->fp[i]);
	append(&out,
	       "\n   Every fingerprint printed below (\"Good ... signature for NAME with ...\n"
	       "   key SHA256:...\") must be the one you obtained for NAME, not merely the\n"
	       "   one above.  A fingerprint you cannot match means a key you cannot\n"
	       "   trust, whatever else passes.  This bundle's keys are:\n\n"
	       "     awk '{ print $3, $4, $1 }' allowed_signers | ssh-keygen -l -f -\n\n"
	       "1. SHA256SUMS was signed (SSHSIG, namespace qvault-bundle) by %s,\n"
	       "   one signature file each:\n\n",
	       sg->n == 2 ? "the vault's\n   server and by the user who exported the bundle" :
	       "the vault's\n   server");
	for (i = 0; i < sg->n; i++)
		append(&out,
		       "     ssh-keygen -Y verify -f allowed_signers -I '%s' -n qvault-bundle \\\n"
		       "       -s 'SHA256SUMS.%s.sig' < SHA256SUMS\n", sg->id[i], sg->id[i]);
	append(&out,
	       "\n2. Every file is what was signed (coreutils), and there is no other:\n\n"
	       "     sha256sum -c SHA256SUMS\n"
	       "     find . ! -type d ! -type f | awk '{ print $0 \": not a file\"; bad = 1 } END { exit bad }'\n"
	       "     { cut -c 67- SHA256SUMS; echo SHA256SUMS\n");
	for (i = 0; i < sg->n; i++)
		append(&out, "       echo 'SHA256SUMS.%s.sig'\n", sg->id[i]);
	append(&out,
	       "       find . -type f | cut -c 3-; } | LC_ALL=C sort | uniq -u |\n"
	       "       awk '{ print $0 \": unlisted or missing\"; bad = 1 } END { exit bad }'\n\n"
	       "   SHA256SUMS lists every other file of the bundle, history.bundle too;\n"
	       "   the SHA-256 of each document is the one recorded in the vault when it\n"
	       "   was added.  The last two commands print any member that is no file (a\n"
	       "   link) or that neither SHA256SUMS nor step 1 names, and fail: unzip\n"
	       "   writes a member named ../X or /X inside the folder, where they find it.\n\n"
	       "3. Every acknowledgment was signed by its supplier's key (OpenSSH), at\n"
	       "   the time it states:\n\n");
	if (json_array_size(acks) == 0)
		append(&out, "     (no acknowledgments in this bundle)\n");
	json_array_foreach(acks, i, a) {
		const char *doc = json_string_value(json_object_get(a, "doc"));
		const char *rev = json_string_value(json_object_get(a, "rev"));
		const char *st = json_string_value(json_object_get(a, "statement"));
		time_t t = (time_t)json_integer_value(json_object_get(a, "time"));
		struct tm tm;
		char when[32];
		vault_enc ed, er;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%d%H%M%SZ", &tm);
		append(&out,
		       "     ssh-keygen -Y verify -f allowed_signers -I %s@%s -n qvault-ack \\\n"
		       "       -Overify-time=%s -s 'acks/%s@%s/%s.sig' < 'acks/%s@%s/%s'\n",
		       json_string_value(json_object_get(a, "signer")),
		       json_string_value(json_object_get(a, "org")), when, vault_record__enc(&ed, doc),
		       vault_record__enc(&er, rev), st, ed.s, er.s, st);
	}
	append(&out,
	       "\n   Each statement (in-toto Statement v1) names the files it covers by\n"
	       "   SHA-256 (compare them with SHA256SUMS) and its time, which the\n"
	       "   signature covers.  A revoked key carries valid-before in\n"
	       "   allowed_signers, so ssh-keygen refuses what it signed later.\n\n"
	       "4. Who added, released and acknowledged each revision: history.bundle\n"
	       "   holds the signed vault commits that wrote each one (HISTORY.txt lists\n"
	       "   them per revision, with each act).  It holds those commits, the trees\n"
	       "   down to each record and the record's own folder, nothing else of the\n"
	       "   vault; so it is opened with `git bundle unbundle` (which checks it),\n"
	       "   not cloned (a clone needs the whole vault's history):\n\n");
	if (!history) {
		append(&out, "     (no history: this bundle holds no document revision)\n");
	} else {
		append(&out,
		       "     git init -q --bare history.git\n"
		       "     git --git-dir=history.git bundle unbundle history.bundle\n");
		for (i = 0; i < nitems; i++)
			for (k = 0; k < items[i].n; k++) {
				char hex[GIT_OID_HEXSZ + 1];

				git_oid_tostr(hex, sizeof(hex), &items[i].commits[k]);
				append(&out,
				       "     git --git-dir=history.git -c gpg.ssh.allowedSignersFile=allowed_signers \\\n"
				       "       verify-commit %s\n", hex);
				ncommits++;
			}
		append(&out,
		       "\n   Each prints a Good \"git\" signature for its author: compare the\n"
		       "   fingerprint with step 0.  (%zu commits; one that wrote two revisions\n"
		       "   is listed for each.)\n\n"
		       "5. Each file of the bundle is the one those signed commits recorded\n"
		       "   (the commit that added the revision, then the latest one):\n\n",
		       ncommits);
		for (i = 0; i < b->n; i++) {
			const vault_provenance_item *it = NULL;
			const char *rest = NULL, *top = NULL;

			if (starts_with(b->m[i].name, "documents/"))
				top = "documents/";
			else if (starts_with(b->m[i].name, "certs/"))
				top = "certs/";
			if (!top || (it = item_of(b->m[i].name, top, items, nitems, &rest)) == NULL)
				continue;
			for (k = 0; k < (it->n > 1 ? 2u : 1u); k++) {
				char hex[GIT_OID_HEXSZ + 1];

				git_oid_tostr(hex, sizeof(hex), &it->commits[k ? it->n - 1 : 0]);
				append(&out,
				       "     git --git-dir=history.git cat-file blob '%s:%s/%s%s' |\n"
				       "       cmp - '%s'\n", hex, it->dir, *top == 'd' ? "files/" : "",
				       rest, b->m[i].name);
			}
		}
	}
	timestamps_text(&out, acks, stamped, has_member(b, "tsa-ca.pem"));
	append(&out, "\nThe whole history can be checked in the vault itself with\n"
		     "`git verify-commit` and `qvault verify`.\n");
	return vault_buf__detach(&out);
}

static int write_zip(bundle *b, vault *v, const char *out)
{
	vault_zipw *w;
	size_t i;
	int error;

	if ((error = vault_zipw__open(&w, out)) < 0)
		return error;
	for (i = 0; i < b->n && !error; i++)
		error = b->m[i].data ? vault_zipw__add_data(w, b->m[i].name, b->m[i].data, b->m[i].len) :
			vault_zipw__add_file(w, b->m[i].name, b->m[i].file);
	if (error) {
		vault_zipw__discard(w);
		return error;
	}
	vault_zipw__set_progress(w, &v->progress, "Writing bundle");
	return vault_zipw__close(w);
}

/*
 * The item of DOC@REV, its folder in the tree; its label "DOC@REV" with
 * both encoded (vault_name_encode), as the bundle's folders name it.
 */
static int add_item(vault_provenance_item **items, size_t *n, const char *doc, const char *rev)
{
	char dir[VAULT_PATH_MAX], label[VAULT_NAME_ENC_MAX * 2 + 2];
	vault_provenance_item *it;
	vault_enc ed, er;
	int error;

	if ((error = vault_record__doc_dir(dir, sizeof(dir), doc)) < 0 ||
	    (error = vault__fmt(dir + strlen(dir), sizeof(dir) - strlen(dir), "path", "/%s",
				vault_record__enc(&er, rev))) < 0 ||
	    (error = vault__fmt(label, sizeof(label), "revision", "%s@%s",
				vault_record__enc(&ed, doc), er.s)) < 0)
		return error;
	if ((*items = realloc(*items, (*n + 1) * sizeof(**items))) == NULL)
		abort();
	it = &(*items)[(*n)++];
	memset(it, 0, sizeof(*it));
	it->label = vault__strdup(label);
	it->dir = vault__strdup(dir);
	return 0;
}

/*
 * Who signs the bundle: the vault's server (its key in qvault/server.pem,
 * which must be the key its user record holds), and the acting user when
 * one acts with a key of its own (not the server acting for someone).
 * `*server` receives the loaded key, for the caller to free.
 */
static int find_signers(signers *sg, vault_key **server, vault *v, const git_tree *root)
{
	vault_user su, me;
	int error;

	memset(sg, 0, sizeof(*sg));
	memset(&su, 0, sizeof(su));
	memset(&me, 0, sizeof(me));
	if ((error = vault__server_key(server, &su, v, root)) < 0)
		goto done;
	if ((error = vault__fmt(sg->id[0], sizeof(sg->id[0]), "signer", "%s@%s", su.name,
				su.org)) < 0)
		goto done;
	memcpy(sg->fp[0], su.fingerprint, sizeof(sg->fp[0]));
	sg->key[0] = *server;
	sg->n = 1;
	if (v->key && !v->on_behalf) {
		if ((error = vault__whoami(&me, v, root)) < 0)
			goto done;
		if (strcmp(me.name, su.name) != 0) {
			if ((error = vault__fmt(sg->id[1], sizeof(sg->id[1]), "signer", "%s@%s",
						me.name, me.org)) < 0)
				goto done;
			memcpy(sg->fp[1], me.fingerprint, sizeof(sg->fp[1]));
			sg->key[1] = v->key;
			sg->n = 2;
		}
	}
done:
	if (error < 0) {
		vault_key_free(*server);
		*server = NULL;
	}
	vault_user_dispose(&su);
	vault_user_dispose(&me);
	return error;
}

int vault_export_signers(char **out, vault *v)
{
	git_commit *head = NULL;
	git_tree *root = NULL;
	vault_key *server = NULL;
	vault_buf text = VAULT_BUF_INIT;
	signers sg;
	size_t i;
	int error;

	*out = NULL;
	if ((error = vault_store__head(&head, v->store)) < 0)
		return error;
	if (git_commit_tree(&root, head) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
		goto done;
	}
	if ((error = find_signers(&sg, &server, v, root)) < 0)
		goto done;
	for (i = 0; i < sg.n; i++)
		append(&text, "%s %s\n", sg.id[i], sg.fp[i]);
	*out = vault_buf__detach(&text);
done:
	vault_key_free(server);
	git_tree_free(root);
	git_commit_free(head);
	return error;
}

int vault_export(vault *v, vault_export_kind kind, const char *name, const char *rev,
		 const char *out)
{
	bundle b;
	json_t *trace = NULL, *revs = json_object(), *acks = json_array(), *pair;
	json_t *orgs = NULL, *need = json_object(), *stamped = json_array();
	git_commit *head = NULL;
	git_tree *root = NULL;
	char *text = NULL, *keys = NULL, subject[300], hex[41];
	vault_buf sums = VAULT_BUF_INIT;
	vault_provenance_item *items = NULL;
	vault_key *server = NULL;
	signers sg;
	const char *key;
	size_t i, len = 0, nitems = 0, done_revs = 0;
	int error, history = 0;

	memset(&b, 0, sizeof(b));
	if ((error = kind == VAULT_EXPORT_LOT ? vault_trace_lot(&text, v, name) :
	     kind == VAULT_EXPORT_PO ? vault_trace_po(&text, v, name) :
	     vault_trace_doc(&text, v, name, rev)) < 0)
		goto done;
	if ((error = vault__fmt(subject, sizeof(subject), "subject", "%s %s%s%s",
				kind == VAULT_EXPORT_LOT ? "lot" : kind == VAULT_EXPORT_PO ? "PO" :
				"document", name, rev ? "@" : "", rev ? rev : "")) < 0)
		goto done;
	if ((trace = json_loads(text, 0, NULL)) == NULL) {
		error = vault_error__set(VAULT_ERROR, "cannot read the trace");
		goto done;
	}
	collect(revs, trace);
	if (kind != VAULT_EXPORT_DOC) {
		orgs = json_object();
		suppliers(orgs, trace);
	}
	if (kind == VAULT_EXPORT_DOC) {
		char k[VAULT_NAME_MAX * 2 + 2];

		if ((error = vault__fmt(k, sizeof(k), "revision", "%s@%s", name, rev)) < 0)
			goto done;
		json_object_set_new(revs, k, json_pack("[s, s]", name, rev));
	}
	if ((error = vault__fmt(b.scratch, sizeof(b.scratch), "TMPDIR", "%s/qvault-export-XXXXXX",
				getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp")) < 0) {
		b.scratch[0] = '\0';
		goto done;
	}
	if (mkdtemp(b.scratch) == NULL) {
		b.scratch[0] = '\0';
		error = vault_error__errno(VAULT_ERROR, "cannot make a scratch folder");
		goto done;
	}
	if ((error = vault_store__head(&head, v->store)) < 0)
		goto done;
	if (git_commit_tree(&root, head) < 0) {
		error = vault_error__git(VAULT_ERROR, "cannot read the vault's tree");
		goto done;
	}
	json_object_foreach(revs, key, pair) {
		const char *d = json_string_value(json_array_get(pair, 0));
		const char *r = json_string_value(json_array_get(pair, 1));

		vault__progress(&v->progress, "Collecting revisions", done_revs++,
				json_object_size(revs));
		/* a revision left out is left out with its acknowledgments */
		if ((error = add_revision(&b, v, d, r)) < 0 ||
		    (error == 0 && ((error = add_item(&items, &nitems, d, r)) < 0 ||
				    (error = add_acks(&b, v, root, d, r, orgs, &items[nitems - 1],
						      acks)) < 0 ||
				    (error = add_release_stamp(&b, v, root, d, r, stamped)) < 0)))
			goto done;
	}
	vault__progress_end(&v->progress, "Collecting revisions", done_revs, done_revs);
	json_array_foreach(acks, i, pair)
		if (json_is_true(json_object_get(pair, "timestamp")))
			break;
	if ((i < json_array_size(acks) || json_array_size(stamped) > 0) &&
	    (error = add_tsa_cert(&b, v)) < 0)
		goto done;
	if ((error = find_signers(&sg, &server, v, root)) < 0 ||
	    (error = vault_provenance__collect(items, nitems, v->store, head)) < 0)
		goto done;
	if ((error = vault_provenance__bundle(&keys, &len, v->store, items, nitems)) == 0) {
		add_data(&b, "history.bundle", keys, len);
		keys = NULL;
		history = 1;
	} else if (error != VAULT_ENOTFOUND) {
		goto done;
	}
	if ((error = history_text(&keys, v, items, nitems, need)) < 0)
		goto done;
	add_data(&b, "HISTORY.txt", keys, strlen(keys));
	keys = NULL;
	/* allowed_signers: who signed what the bundle holds, no other user */
	for (i = 0; i < sg.n; i++)
		json_object_set_new(need, sg.id[i], json_true());
	json_array_foreach(acks, i, pair) {
		char who[VAULT_NAME_MAX * 2 + 2];

		if (vault__fmt(who, sizeof(who), "signer", "%s@%s",
			       json_string_value(json_object_get(pair, "signer")),
			       json_string_value(json_object_get(pair, "org"))) == 0)
			json_object_set_new(need, who, json_true());
	}
	if ((error = vault_user__allowed_signers(&keys, v, needed, need)) < 0)
		goto done;
	add_data(&b, "allowed_signers", keys, strlen(keys));
	keys = NULL;
	add_data(&b, "trace.json", text, strlen(text));
	text = NULL;
	qsort(b.m, b.n, sizeof(member), cmp_member);
	git_oid_tostr(hex, sizeof(hex), git_commit_id(head));
	text = report(subject, hex, revs, acks, &b);
	add_data(&b, "trace.txt", text, strlen(text));
	text = verify_text(acks, stamped, &sg, &b, items, nitems, history);
	add_data(&b, "VERIFY.txt", text, strlen(text));
	text = NULL;
	qsort(b.m, b.n, sizeof(member), cmp_member);
	for (i = 0; i < b.n; i++)
		append(&sums, "%s  %s\n", b.m[i].sha256, b.m[i].name);
	len = sums.len;
	text = vault_buf__detach(&sums);
	for (i = 0; i < sg.n; i++) {
		char sig[sizeof(sg.id[0]) + 32];

		if ((error = vault__fmt(sig, sizeof(sig), "member name", "SHA256SUMS.%s.sig",
					sg.id[i])) < 0 ||
		    (error = vault_sign__sshsig(&keys, sg.key[i], VAULT_BUNDLE_NAMESPACE, text,
						len)) < 0)
			goto done;
		add_data(&b, sig, keys, strlen(keys));
		keys = NULL;
	}
	add_data(&b, "SHA256SUMS", text, len);
	text = NULL;
	qsort(b.m, b.n, sizeof(member), cmp_member);
	if ((error = distinct_folded(&b)) == 0)
		error = write_zip(&b, v, out);
done:
	for (i = 0; i < b.n; i++) {
		if (b.m[i].file)
			unlink(b.m[i].file);
		free(b.m[i].file);
		free(b.m[i].data);
		free(b.m[i].name);
	}
	free(b.m);
	if (b.scratch[0])
		rmdir(b.scratch);
	git_tree_free(root);
	git_commit_free(head);
	json_decref(trace);
	json_decref(revs);
	json_decref(acks);
	json_decref(stamped);
	json_decref(orgs);
	json_decref(need);
	vault_provenance__dispose(items, nitems);
	for (i = 0; i < nitems; i++) {
		size_t k;

		for (k = 0; k < items[i].nacks; k++)
			free(items[i].acks[k]);
		free(items[i].acks);
		free(items[i].label);
		free(items[i].dir);
	}
	free(items);
	vault_key_free(server);
	free(keys);
	free(text);
	return error;
}
