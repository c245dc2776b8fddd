/*
 * export.c - evidence bundles: a zip an auditor takes away and checks on
 * their own machine with stock tools (unzip, sha256sum, ssh-keygen).
 *
 *   documents/DOC@REV/FILE        every revision the trace reaches
 *   certs/DOC@REV/cert.json       a material certificate's EN 10204 data
 *   acks/DOC@REV/NAME, NAME.sig   each acknowledgment statement and its SSHSIG
 *   allowed_signers               the vault's users' keys (revoked ones end)
 *   trace.json, trace.txt         the trace, for programs and for people
 *   VERIFY.txt                    the commands that check all of it
 *   SHA256SUMS                    of every file above, as sha256sum -c reads
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common.h"
#include "error.h"
#include "package.h"
#include "record.h"
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
	int error;

	if ((error = vault_cert_data(&data, v, doc, rev)) < 0)
		return error == VAULT_ENOTFOUND ? 0 : error;
	if ((error = vault__fmt(name, sizeof(name), "member name", "certs/%s@%s/cert.json", doc,
				rev)) < 0) {
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
		member *m;
		int fd;

		if ((error = vault__fmt(name, sizeof(name), "member name", "documents/%s@%s/%s",
					r.doc, r.rev, r.files[i].name)) < 0 ||
		    (error = vault__fmt(path, sizeof(path), "path", "%s/%u", b->scratch,
					b->files++)) < 0)
			break;
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
			error = vault_error__errno(VAULT_ERROR, "cannot write '%s'", path);
			break;
		}
		error = vault_doc_cat(v, &r, i, fd);
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

/* Each acknowledgment of DOC@REV: the statement and its signature, as stored. */
static int add_acks(bundle *b, vault *v, git_tree *root, const char *doc, const char *rev,
		    json_t *listed)
{
	vault_ack_list *acks;
	char dir[VAULT_PATH_MAX];
	size_t i, x;
	int error;

	if ((error = vault_acks(&acks, v, doc, rev)) < 0)
		return error;
	vault_record__doc_dir(dir, sizeof(dir), doc);
	for (i = 0; i < acks->count && !error; i++) {
		const vault_ack_info *a = &acks->items[i];

		for (x = 0; x < 2 && !error; x++) {
			char path[VAULT_PATH_MAX * 3], name[VAULT_PATH_MAX * 2], *data;
			size_t len;

			if ((error = vault__fmt(path, sizeof(path), "path", "%s/%s/" VAULT_ACKS_DIR "/%s%s",
						dir, a->rev, a->name, x ? ".sig" : "")) < 0 ||
			    (error = vault__fmt(name, sizeof(name), "member name", "acks/%s@%s/%s%s",
						a->doc, a->rev, a->name, x ? ".sig" : "")) < 0)
				break;
			if ((error = vault_store__read_path(&data, &len, v->store, root, path)) == 0)
				add_data(b, name, data, len);
		}
		json_array_append_new(listed, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
			"doc", a->doc, "rev", a->rev, "statement", a->name, "signer", a->signer,
			"org", a->org, "meaning", a->meaning, "time", (json_int_t)a->time));
	}
	vault_ack_list_free(acks);
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

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const member *)a)->name, ((const member *)b)->name);
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

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		append(&out, "  %s@%s %s by %s (%s) at %s: acks/%s@%s/%s\n",
		       json_string_value(json_object_get(a, "doc")),
		       json_string_value(json_object_get(a, "rev")),
		       json_string_value(json_object_get(a, "meaning")),
		       json_string_value(json_object_get(a, "signer")),
		       json_string_value(json_object_get(a, "org")), when,
		       json_string_value(json_object_get(a, "doc")),
		       json_string_value(json_object_get(a, "rev")),
		       json_string_value(json_object_get(a, "statement")));
	}
	append(&out, "\nThe full trace is trace.json; VERIFY.txt says how to check everything.\n");
	return vault_buf__detach(&out);
}

static char *verify_text(json_t *acks)
{
	vault_buf out = VAULT_BUF_INIT;
	size_t i;
	json_t *a;

	append(&out,
	       "How to check this bundle without qvault, with stock tools only:\n\n"
	       "1. Every file is what was recorded (coreutils):\n\n"
	       "     sha256sum -c SHA256SUMS\n\n"
	       "   SHA256SUMS lists every other file of the bundle; the SHA-256 of each\n"
	       "   document is the one recorded in the vault when it was added.\n\n"
	       "2. Every acknowledgment was signed by its supplier's key (OpenSSH):\n\n");
	if (json_array_size(acks) == 0)
		append(&out, "     (no acknowledgments in this bundle)\n");
	json_array_foreach(acks, i, a) {
		const char *doc = json_string_value(json_object_get(a, "doc"));
		const char *rev = json_string_value(json_object_get(a, "rev"));
		const char *st = json_string_value(json_object_get(a, "statement"));

		append(&out,
		       "     ssh-keygen -Y verify -f allowed_signers -I %s@%s -n qvault-ack \\\n"
		       "       -s 'acks/%s@%s/%s.sig' < 'acks/%s@%s/%s'\n",
		       json_string_value(json_object_get(a, "signer")),
		       json_string_value(json_object_get(a, "org")), doc, rev, st, doc, rev, st);
	}
	append(&out,
	       "\n   Each statement (in-toto Statement v1) names the files it covers by\n"
	       "   SHA-256: compare them with SHA256SUMS.\n\n"
	       "3. allowed_signers holds the keys of the vault's users; a revoked key\n"
	       "   carries valid-before, so ssh-keygen refuses what it signed later.\n"
	       "   The whole history can be checked in the vault itself with\n"
	       "   `git verify-commit` and `qvault verify`.\n");
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

int vault_export(vault *v, vault_export_kind kind, const char *name, const char *rev,
		 const char *out)
{
	bundle b;
	json_t *trace = NULL, *revs = json_object(), *acks = json_array(), *pair;
	git_commit *head = NULL;
	git_tree *root = NULL;
	char *text = NULL, *signers = NULL, subject[300], hex[41];
	vault_buf sums = VAULT_BUF_INIT;
	const char *key;
	size_t i, len = 0, done_revs = 0;
	int error;

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
		    (error == 0 && (error = add_acks(&b, v, root, d, r, acks)) < 0))
			goto done;
	}
	vault__progress_end(&v->progress, "Collecting revisions", done_revs, done_revs);
	if ((error = vault_allowed_signers(&signers, v)) < 0)
		goto done;
	add_data(&b, "allowed_signers", signers, strlen(signers));
	signers = NULL;
	add_data(&b, "trace.json", text, strlen(text));
	text = NULL;
	qsort(b.m, b.n, sizeof(member), cmp_member);
	git_oid_tostr(hex, sizeof(hex), git_commit_id(head));
	text = report(subject, hex, revs, acks, &b);
	add_data(&b, "trace.txt", text, strlen(text));
	text = verify_text(acks);
	add_data(&b, "VERIFY.txt", text, strlen(text));
	text = NULL;
	qsort(b.m, b.n, sizeof(member), cmp_member);
	for (i = 0; i < b.n; i++)
		append(&sums, "%s  %s\n", b.m[i].sha256, b.m[i].name);
	len = sums.len;
	add_data(&b, "SHA256SUMS", vault_buf__detach(&sums), len);
	qsort(b.m, b.n, sizeof(member), cmp_member);
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
	free(signers);
	free(text);
	return error;
}
