/*
 * diff.c - what changed between two revisions of a document.
 *
 * The revisions' records compared field by field (title, type, parts,
 * state, release, effective date), their files matched by name and
 * compared by SHA-256, and a text file changed in both shown as a unified
 * diff that libgit2 makes (git_patch_from_buffers), so that a supplier
 * sees what a new drawing revision asks of it before it signs.  Both
 * revisions are read as the viewer sees them: a revision it may not see
 * is no revision, and no file is compared with one it may not read.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common.h"
#include "error.h"
#include "journal.h"
#include "store.h"
#include "util.h"

/* A text file larger than this is compared by its SHA-256 only. */
#define DIFF_FILE_MAX (1u << 20)
/* A diff longer than this is cut at a line's end, and says so. */
#define DIFF_TEXT_MAX (256u << 10)

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* `list[0..n)` as one text, ", " between (for parts and organizations). */
static json_t *joined(char *const *list, size_t n)
{
	vault_buf b = VAULT_BUF_INIT;
	json_t *j;
	size_t i;

	for (i = 0; i < n; i++)
		if (vault_buf__addf(&b, "%s%s", i ? ", " : "", list[i]) < 0)
			abort();
	j = json_string(vault_buf__str(&b));
	vault_buf__dispose(&b);
	return j;
}

/* A field of the record that differs: {field, from, to} appended to `changes`. */
static void field_change(json_t *changes, const char *field, json_t *from, json_t *to)
{
	if (json_equal(from, to)) {
		json_decref(from);
		json_decref(to);
		return;
	}
	json_array_append_new(changes, json_pack("{s:s, s:o, s:o}", "field", field, "from", from,
						 "to", to));
}

static json_t *day_of(int64_t t)
{
	char when[VAULT_TIME_SIZE];

	if (!t)
		return json_null();
	vault_time_format(when, sizeof(when), t);
	return json_string(when);
}

static json_t *record_changes(const vault_revision *a, const vault_revision *b)
{
	json_t *c = json_array();

	field_change(c, "type", json_string(a->type), json_string(b->type));
	field_change(c, "title", opt_str(a->title), opt_str(b->title));
	field_change(c, "parts", joined(a->parts, a->nparts), joined(b->parts, b->nparts));
	field_change(c, "state", json_string(a->state), json_string(b->state));
	field_change(c, "released to", joined(a->to, a->nto), joined(b->to, b->nto));
	field_change(c, "release reason", opt_str(a->release_reason), opt_str(b->release_reason));
	field_change(c, "effective", opt_str(a->effective), opt_str(b->effective));
	field_change(c, "expires", opt_str(a->expires), opt_str(b->expires));
	field_change(c, "review by", opt_str(a->review_by), opt_str(b->review_by));
	field_change(c, "released by", opt_str(a->released_by), opt_str(b->released_by));
	field_change(c, "released at", day_of(a->released_at), day_of(b->released_at));
	return c;
}

/* ---- a file's bytes, checked ---------------------------------------------- */

typedef struct {
	vault_buf b;
	EVP_MD_CTX *sha;
} slurp;

static int slurp_chunk(void *payload, const unsigned char *buf, size_t len, int first)
{
	slurp *s = payload;
	int error;

	(void)first;
	if ((error = vault_buf__add(&s->b, (const char *)buf, len)) < 0)
		return error;
	return EVP_DigestUpdate(s->sha, buf, len) ? 0 :
		vault_error__set(VAULT_ERROR, "cannot hash a file");
}

/* File `f` of revision `r`, whole, checked against its recorded SHA-256. */
static int read_checked(vault_buf *out, vault *v, const vault_revision *r, const vault_file *f)
{
	slurp s = { { NULL, 0, DIFF_FILE_MAX, 0 }, EVP_MD_CTX_new() };
	unsigned char md[32];
	char hex[65];
	git_oid id;
	int error;

	if (!s.sha || !EVP_DigestInit_ex(s.sha, EVP_sha256(), NULL) ||
	    git_oid_fromstr(&id, f->blob) < 0) {
		EVP_MD_CTX_free(s.sha);
		return vault_error__set(VAULT_ERROR, "cannot read '%s' of '%s@%s'", f->name, r->doc,
					r->rev);
	}
	/* a marked revision's lines shown are a download: journalled first */
	if (r->marking && (error = vault_journal__record(v, r->doc, r->rev, f->name, f->sha256,
							 r->marking, "diff")) < 0) {
		EVP_MD_CTX_free(s.sha);
		return error;
	}
	error = vault_store__read_blob(v->store, &id, slurp_chunk, &s);
	EVP_DigestFinal_ex(s.sha, md, NULL);
	EVP_MD_CTX_free(s.sha);
	vault__hex(hex, md, sizeof(md));
	if (error == 0 && (s.b.len != f->size || strcmp(hex, f->sha256) != 0))
		error = vault_error__set(VAULT_EVERIFY,
			"file '%s' of '%s@%s' does not match its recorded SHA-256", f->name, r->doc,
			r->rev);
	if (error < 0) {
		vault_buf__dispose(&s.b);
		return error;
	}
	*out = s.b;
	return 0;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether `f` is a kind of text (CSV, STEP, IGES, DXF...) small enough to compare by lines. */
static int is_text(const vault_file *f)
{
	static const char *const texts[] = { "model/step", "model/iges", "image/vnd.dxf",
					     "application/dxf", "application/json",
					     "application/xml", NULL };
	size_t i;

	if (!f->mime || f->size > DIFF_FILE_MAX)
		return 0;
	if (starts_with(f->mime, "text/"))
		return 1;
	for (i = 0; texts[i]; i++)
		if (strcmp(f->mime, texts[i]) == 0)
			return 1;
	return 0;
}

/*
 * The unified diff of files `fa` (of a) and `fb` (of b), both text, as
 * libgit2 writes it; *note says why there is none or why it is cut.
 */
static int text_diff(json_t **diff, const char **note, vault *v, const vault_revision *a,
		     const vault_file *fa, const vault_revision *b, const vault_file *fb)
{
	vault_buf x = VAULT_BUF_INIT, y = VAULT_BUF_INIT;
	git_diff_options opts;
	git_patch *patch = NULL;
	git_buf out = { 0 };
	int error;

	*diff = json_null();
	*note = NULL;
	if ((error = read_checked(&x, v, a, fa)) < 0 || (error = read_checked(&y, v, b, fb)) < 0)
		goto done;
	if (memchr(vault_buf__str(&x), '\0', x.len) || memchr(vault_buf__str(&y), '\0', y.len)) {
		*note = "the files are not text: compare them by downloading both";
		goto done;
	}
	if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) < 0) {
		error = vault_error__set(VAULT_ERROR, "cannot start comparing files");
		goto done;
	}
	opts.context_lines = 3;
	if (git_patch_from_buffers(&patch, x.data, x.len, fa->name, y.data, y.len, fb->name,
				   &opts) < 0 || git_patch_to_buf(&out, patch) < 0) {
		const git_error *e = git_error_last();

		error = vault_error__set(VAULT_ERROR, "cannot compare '%s' of '%s@%s' with '%s' of "
					 "'%s@%s': %s", fa->name, a->doc, a->rev, fb->name, b->doc,
					 b->rev, e && e->message ? e->message : "libgit2 failed");
		goto done;
	}
	if (out.size > DIFF_TEXT_MAX) {
		size_t cut = DIFF_TEXT_MAX;

		while (cut > 0 && out.ptr[cut - 1] != '\n')
			cut--;
		*diff = json_stringn(out.ptr, cut);
		*note = "the difference is cut short: download both files to see it whole";
	} else {
		*diff = json_stringn(out.ptr, out.size);
	}
	if (!*diff) {
		/* libgit2 passes the bytes through: a file not in UTF-8 is no text to show */
		*diff = json_null();
		*note = "the files are not UTF-8 text: compare them by downloading both";
	}
done:
	git_buf_dispose(&out);
	git_patch_free(patch);
	vault_buf__dispose(&x);
	vault_buf__dispose(&y);
	return error;
}

static json_t *file_facts(const vault_file *f)
{
	return f ? json_pack("{s:s, s:s, s:I}", "sha256", f->sha256, "type", f->mime,
			     "size", (json_int_t)f->size) : json_null();
}

static const vault_file *file_named(const vault_revision *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].name, name) == 0)
			return &r->files[i];
	return NULL;
}

/*
 * The one file of `r` that `other` has none of by name; NULL when none or
 * several.  Two such, one on each side, of the same type are one file
 * renamed (a drawing's PDF named for its revision); else one is removed
 * and another added.
 */
static const vault_file *only_unmatched(const vault_revision *r, const vault_revision *other)
{
	const vault_file *found = NULL;
	size_t i;

	for (i = 0; i < r->nfiles; i++) {
		if (file_named(other, r->files[i].name))
			continue;
		if (found)
			return NULL;
		found = &r->files[i];
	}
	return found;
}

/*
 * One entry of "files": file fa of a and fb of b (either NULL: added,
 * removed), with its old name when it was renamed.
 */
static int file_change(json_t *files, vault *v, const vault_revision *a, const vault_file *fa,
		       const vault_revision *b, const vault_file *fb)
{
	int renamed = fa && fb && strcmp(fa->name, fb->name) != 0;
	int same = fa && fb && strcmp(fa->sha256, fb->sha256) == 0;
	const char *change, *note = NULL;
	json_t *diff = json_null();
	int error;

	if (!fa)
		change = "added";
	else if (!fb)
		change = "removed";
	else if (same)
		change = renamed ? "renamed" : "unchanged";
	else
		change = renamed ? "renamed and changed" : "changed";
	if (fa && fb && !same) {
		if (is_text(fa) && is_text(fb)) {
			json_decref(diff);
			if ((error = text_diff(&diff, &note, v, a, fa, b, fb)) < 0)
				return error;
		} else {
			note = "not text, or over 1 MiB: compare them by downloading both";
		}
	}
	json_array_append_new(files, json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o}",
		"name", fb ? fb->name : fa->name, "was", opt_str(renamed ? fa->name : NULL),
		"change", change, "from", file_facts(fa), "to", file_facts(fb), "diff", diff,
		"note", opt_str(note)));
	return 0;
}

/* The revision before `rev` that the viewer sees, into `from`. */
static int previous_of(char **from, vault *v, const char *doc, const char *rev)
{
	vault_revision_list *list = NULL;
	size_t i;
	int error;

	*from = NULL;
	if ((error = vault_doc_revisions(&list, v, doc)) < 0)
		return error;
	for (i = 0; i < list->count && strcmp(list->items[i].rev, rev) != 0; i++)
		;
	if (i < list->count && i > 0 && (*from = strdup(list->items[i - 1].rev)) == NULL)
		abort();
	vault_revision_list_free(list);
	if (!*from)
		return vault_error__set(VAULT_ENOTFOUND, "'%s@%s' has no revision before it that you "
					"may see", doc, rev);
	return 0;
}

int vault_doc_diff(char **out, vault *v, const char *doc, const char *from, const char *to)
{
	vault_revision a, b;
	const vault_file *fa, *fb;
	json_t *root = NULL, *files = NULL;
	char *before = NULL;
	size_t i;
	int error;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault_name_check("revision", to)) < 0 ||
	    (from && (error = vault_name_check("revision", from)) < 0))
		return error;
	if ((error = vault_doc_get(&b, v, doc, to)) < 0)
		return error;
	if (from && strcmp(from, b.rev) == 0) {
		error = vault_error__set(VAULT_EINVALID, "'%s@%s' compared with itself: name another "
					 "revision to compare it with", b.doc, b.rev);
		goto done;
	}
	if (!from && (error = previous_of(&before, v, doc, b.rev)) < 0)
		goto done;
	if ((error = vault_doc_get(&a, v, doc, from ? from : before)) < 0)
		goto done;
	files = json_array();
	if ((fa = only_unmatched(&a, &b)) != NULL && (fb = only_unmatched(&b, &a)) != NULL &&
	    strcmp(fa->mime, fb->mime) == 0) {
		/* one file each that the other lacks by name (a drawing renamed): compared */
		error = file_change(files, v, &a, fa, &b, fb);
	} else {
		fa = fb = NULL;
	}
	for (i = 0; i < a.nfiles && error == 0; i++)
		if (&a.files[i] != fa)
			error = file_change(files, v, &a, &a.files[i], &b,
					    file_named(&b, a.files[i].name));
	for (i = 0; i < b.nfiles && error == 0; i++)
		if (&b.files[i] != fb && !file_named(&a, b.files[i].name))
			error = file_change(files, v, &a, NULL, &b, &b.files[i]);
	if (error < 0)
		goto done;
	root = json_pack("{s:s, s:s, s:s, s:o, s:O}", "doc", b.doc, "from", a.rev, "to", b.rev,
			 "changes", record_changes(&a, &b), "files", files);
	if (!root || (*out = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2))) == NULL)
		error = vault_error__set(VAULT_ERROR, "cannot write what changed");
done:
	json_decref(root);
	json_decref(files);
	free(before);
	vault_revision_dispose(&a);
	vault_revision_dispose(&b);
	return error;
}
