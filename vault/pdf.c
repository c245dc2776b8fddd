/*
 * pdf.c - a PDF opened with libqpdf's C API and walked object by object
 * from its trailer: what a viewer could act on (actions, scripts,
 * embedded files) is found wherever it sits, in object streams too,
 * because qpdf resolves each object as a reader does.  Content streams
 * are never decoded; a Flate stream is inflated (its bytes counted, then
 * dropped) only when its length could hide more than the policy's
 * max_inflate, and an embedded file only for its first bytes.
 */
#include "pdf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "error.h"
#include "util.h"
#include "vault.h"

enum what {
	W_PASSWORD, W_DAMAGED, W_LAUNCH, W_EXECUTABLE, W_JAVASCRIPT, W_EMBEDDED,
	W_ENCRYPTED, W_COUNT
};
static const char *const what_key[W_COUNT] = {
	"password", "damaged", "launch", "executable", "javascript", "embedded",
	"encrypted"
};

enum act { ACCEPT, RECORD, REFUSE, ACT_COUNT };
static const char *const act_name[ACT_COUNT] = { "accept", "record", "refuse" };

/* controlled documents, certificates and what an FAI package holds */
static const enum act strict[W_COUNT] = {
	REFUSE, REFUSE, REFUSE, REFUSE, RECORD, RECORD, RECORD
};
/* "other": what cannot be read is recorded; what acts is still refused */
static const enum act loose[W_COUNT] = {
	RECORD, RECORD, REFUSE, REFUSE, RECORD, RECORD, RECORD
};
static const char *const strict_types[] = {
	"drawing", "spec", "coc", "material-cert", "inspection-report",
	"process-cert", "fai-member"
};

#define MAX_PAGES 5000
#define MAX_OBJECTS 250000
#define MAX_INFLATE (256LL * 1024 * 1024)
#define DEFLATE_RATIO 1032 /* the most deflate expands: 258 bytes from 2 bits */
#define MAX_FINDINGS 16
#define NAME_MAX_SHOWN 120
/* read whole up to this size: qpdf parses from memory twice as fast */
#define IN_MEMORY_MAX (16 * 1024 * 1024)

typedef struct {
	enum act act[W_COUNT];
	long long max_pages, max_objects, max_inflate;
} policy;

static json_t *type_policy(const enum act *acts)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < W_COUNT; i++)
		json_object_set_new(o, what_key[i], json_string(act_name[acts[i]]));
	return o;
}

json_t *vault_pdf__default_policy(void)
{
	json_t *types = json_object();
	size_t i;

	for (i = 0; i < sizeof(strict_types) / sizeof(strict_types[0]); i++)
		json_object_set_new(types, strict_types[i], type_policy(strict));
	json_object_set_new(types, "other", type_policy(loose));
	return json_pack("{s:I, s:I, s:I, s:o}", "max_pages", (json_int_t)MAX_PAGES,
			 "max_objects", (json_int_t)MAX_OBJECTS,
			 "max_inflate", (json_int_t)MAX_INFLATE, "types", types);
}

static int malformed(const char *what)
{
	return vault_error__set(VAULT_EINVALID, "vault.json's pdf policy is malformed: %s",
				what);
}

/* The policy for `type`: a type the policy does not name is held strictly. */
static int policy_load(policy *p, const json_t *root, const char *type)
{
	static const struct { const char *key; size_t off; } limits[] = {
		{ "max_pages", offsetof(policy, max_pages) },
		{ "max_objects", offsetof(policy, max_objects) },
		{ "max_inflate", offsetof(policy, max_inflate) },
	};
	json_t *own = NULL, *t;
	size_t i, a;
	int error = 0;

	memcpy(p->act, strict, sizeof(p->act));
	p->max_pages = MAX_PAGES;
	p->max_objects = MAX_OBJECTS;
	p->max_inflate = MAX_INFLATE;
	if (!root)
		root = own = vault_pdf__default_policy();
	if (!json_is_object(root)) {
		error = malformed("not an object");
		goto done;
	}
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		json_t *v = json_object_get(root, limits[i].key);

		if (!v)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			error = malformed(limits[i].key);
			goto done;
		}
		*(long long *)((char *)p + limits[i].off) = json_integer_value(v);
	}
	t = json_object_get(json_object_get(root, "types"), type);
	for (i = 0; t && i < W_COUNT; i++) {
		json_t *v = json_object_get(t, what_key[i]);

		if (!v)
			continue;
		for (a = 0; a < ACT_COUNT; a++)
			if (json_is_string(v) && strcmp(json_string_value(v), act_name[a]) == 0)
				break;
		if (a == ACT_COUNT) {
			error = malformed(what_key[i]);
			goto done;
		}
		p->act[i] = (enum act)a;
	}
done:
	json_decref(own);
	return error;
}

/* ---- one check ------------------------------------------------------ */

typedef struct {
	qpdf_oh oh;
	int owner; /* the indirect object it sits in, 0 for the trailer */
} item;

typedef struct {
	qpdf_data q;
	const policy *pol;
	const char *type, *file;
	vault_buf findings; /* one per line */
	size_t nfindings;
	int recorded[W_COUNT];
	unsigned *seen; /* object numbers walked: open addressing, 0 empty */
	size_t seen_cap, seen_count;
	item *stack;
	size_t depth, stack_cap;
	long long objects, items, pages, inflated;
	unsigned char *bytes; /* the file, when it was read whole */
} walk;

/* The file's own text, one line: control bytes as '?', long names cut. */
static void shown_name(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < size && i < NAME_MAX_SHOWN; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (s[i] && i + 4 <= size) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

/*
 * What the policy does with a finding of kind `k`: refuse (the error,
 * naming the file), record (a line of the findings, once per kind
 * unless `each`), or accept.
 */
static int found(walk *w, enum what k, int each, const char *fmt, ...)
{
	vault_buf text = VAULT_BUF_INIT;
	enum act a = w->pol->act[k];
	va_list ap;
	int error;

	if (a == ACCEPT || (a == RECORD && !each && w->recorded[k]))
		return 0;
	va_start(ap, fmt);
	error = vault_buf__vaddf(&text, fmt, ap);
	va_end(ap);
	if (error < 0) {
		vault_buf__dispose(&text);
		return error;
	}
	if (a == REFUSE) {
		if (k == W_PASSWORD || k == W_DAMAGED)
			error = vault_error__set(VAULT_EINVALID, "'%s' %s", w->file,
						 vault_buf__str(&text));
		else if (strcmp(w->type, "fai-member") == 0)
			error = vault_error__set(VAULT_EINVALID, "'%s' %s, which an FAI package may not hold",
						 w->file, vault_buf__str(&text));
		else
			error = vault_error__set(VAULT_EINVALID, "'%s' %s, which %s %s may not hold",
						 w->file, vault_buf__str(&text),
						 article(w->type), w->type);
	} else {
		w->recorded[k]++;
		if (w->nfindings < MAX_FINDINGS)
			error = vault_buf__addf(&w->findings, "%s%s", w->nfindings ? "\n" : "",
						vault_buf__str(&text));
		else if (w->nfindings == MAX_FINDINGS)
			error = vault_buf__addf(&w->findings, "\nmore findings than are listed here");
		w->nfindings++;
	}
	vault_buf__dispose(&text);
	return error;
}

/* 1 when object `id` was walked before; else marks it. */
static int seen_before(walk *w, unsigned id)
{
	size_t i;

	if (2 * (w->seen_count + 1) > w->seen_cap) {
		size_t cap = w->seen_cap ? 2 * w->seen_cap : 1024, j;
		unsigned *grown = calloc(cap, sizeof(unsigned));

		if (!grown)
			abort();
		for (j = 0; j < w->seen_cap; j++)
			if (w->seen[j]) {
				for (i = (w->seen[j] * 2654435761u) & (cap - 1); grown[i];
				     i = (i + 1) & (cap - 1))
					;
				grown[i] = w->seen[j];
			}
		free(w->seen);
		w->seen = grown;
		w->seen_cap = cap;
	}
	for (i = (id * 2654435761u) & (w->seen_cap - 1); w->seen[i]; i = (i + 1) & (w->seen_cap - 1))
		if (w->seen[i] == id)
			return 1;
	w->seen[i] = id;
	w->seen_count++;
	return 0;
}

static int damaged(walk *w)
{
	qpdf_error e = qpdf_get_error(w->q);
	char detail[256];

	shown_name(detail, sizeof(detail),
		   e ? qpdf_get_error_message_detail(w->q, e) : "unknown");
	return found(w, W_DAMAGED, 0, "is damaged past repair (%s)", detail);
}

static int too_many_objects(walk *w)
{
	return vault_error__set(VAULT_EINVALID,
		"'%s' has more than %lld objects, the limit (vault.json pdf max_objects)",
		w->file, w->pol->max_objects);
}

/* 16 x max_objects, what direct containers may add, saturated */
static long long max_items(const policy *p)
{
	return p->max_objects > LLONG_MAX / 16 ? LLONG_MAX : 16 * p->max_objects;
}

/*
 * Queue `oh` if it may hold something: an array, a dictionary or a
 * stream not walked yet.  `oh` is the walk's afterwards.  The limits
 * hold here, where memory is taken: no more than max_objects items
 * queued at once (a 4 MB array of 2 million empty arrays would take a
 * gigabyte), no more than 16 x max_objects containers in all.
 */
static int push(walk *w, qpdf_oh oh, int owner)
{
	qpdf_data q = w->q;
	enum qpdf_object_type_e t = qpdf_oh_get_type_code(q, oh);

	if ((t != ot_array && t != ot_dictionary && t != ot_stream) ||
	    (qpdf_oh_is_indirect(q, oh) &&
	     seen_before(w, (unsigned)qpdf_oh_get_object_id(q, oh)))) {
		qpdf_oh_release(q, oh);
		return 0;
	}
	if ((long long)w->depth >= w->pol->max_objects) {
		qpdf_oh_release(q, oh);
		return too_many_objects(w);
	}
	if (++w->items > max_items(w->pol)) {
		qpdf_oh_release(q, oh);
		return vault_error__set(VAULT_EINVALID,
			"'%s' nests more than %lld arrays and dictionaries, the limit (16 x vault.json pdf max_objects)",
			w->file, max_items(w->pol));
	}
	if (w->depth == w->stack_cap) {
		w->stack_cap = w->stack_cap ? 2 * w->stack_cap : 256;
		if ((w->stack = realloc(w->stack, w->stack_cap * sizeof(item))) == NULL)
			abort();
	}
	w->stack[w->depth].oh = oh;
	w->stack[w->depth].owner = owner;
	w->depth++;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

/*
 * Keys never followed: geometry and numbers (a font's /Widths is
 * hundreds of them), the structure tree, which a viewer reads for
 * accessibility and never acts on, and /Pg, a structure element's page,
 * which the walk reaches from the page tree.  Not /C, /P or /Parent: an
 * /AA's /C is an action (a page's close, a field's recalculation) and a
 * widget's /Parent may be the field that holds its /AA; links across or
 * back (/Parent, /Prev, /Last) cost nothing, each object being walked
 * once.  None of these is a key of an /AA.  Sorted, for bsearch.
 */
static int skipped(const char *key)
{
	static const char *const keys[] = {
		"/ArtBox", "/BBox", "/BleedBox", "/Border", "/Bounds", "/CropBox",
		"/Decode", "/Differences", "/Domain", "/Encode", "/FontBBox", "/IC", "/ID",
		"/Matrix", "/MediaBox", "/ParentTree", "/Pg", "/QuadPoints", "/Range",
		"/Rect", "/StructTreeRoot", "/TrimBox", "/W", "/W2", "/Widths",
	};

	return bsearch(key, keys, sizeof(keys) / sizeof(keys[0]), sizeof(keys[0]),
		       cmp_key) != NULL;
}

static int is_flate(qpdf_data q, qpdf_oh filter)
{
	qpdf_oh first;
	int yes;

	if (qpdf_oh_is_array(q, filter)) {
		if (qpdf_oh_get_array_n_items(q, filter) < 1)
			return 0;
		first = qpdf_oh_get_array_item(q, filter, 0);
		yes = is_flate(q, first);
		qpdf_oh_release(q, first);
		return yes;
	}
	return qpdf_oh_is_name_and_equals(q, filter, "/FlateDecode") ||
	       qpdf_oh_is_name_and_equals(q, filter, "/Fl");
}

/*
 * Inflate `len` bytes of zlib data, keeping the first `head_size` bytes
 * of the output in `head`; the count of bytes it inflates to, stopping
 * once past `limit`.
 */
static long long inflated_size(unsigned char *head, size_t head_size,
			       const unsigned char *data, size_t len, long long limit)
{
	unsigned char out[16384];
	long long total = 0;
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (total < (long long)head_size) {
			size_t got = sizeof(out) - z.avail_out, want = head_size - (size_t)total;

			memcpy(head + total, out, got < want ? got : want);
		}
		total += (long long)(sizeof(out) - z.avail_out);
	} while (rc == Z_OK && total <= limit && (z.avail_in || z.avail_out == 0));
	inflateEnd(&z);
	return total;
}

/*
 * A stream's first bytes, decoded, when they can be had cheaply (no
 * filter, or Flate); *len 0 otherwise.  Counts what it inflates.
 */
static void stream_head(unsigned char *head, size_t *len, walk *w, qpdf_oh stream)
{
	qpdf_oh dict = qpdf_oh_get_dict(w->q, stream), filter = qpdf_oh_get_key(w->q, dict, "/Filter");
	unsigned char *raw = NULL;
	QPDF_BOOL filtered;
	size_t raw_len = 0;
	int plain = qpdf_oh_is_null(w->q, filter), flate = !plain && is_flate(w->q, filter);

	*len = 0;
	if ((plain || flate) &&
	    (qpdf_oh_get_stream_data(w->q, stream, qpdf_dl_none, &filtered, &raw, &raw_len) &
	     QPDF_ERRORS) == 0) {
		if (plain) {
			*len = raw_len < 8 ? raw_len : 8;
			memcpy(head, raw, *len);
		} else {
			long long got = inflated_size(head, 8, raw, raw_len, 8);

			*len = got < 8 ? (size_t)got : 8;
		}
	}
	free(raw);
	qpdf_oh_release(w->q, filter);
	qpdf_oh_release(w->q, dict);
}

/* Names a program carries on Windows, or a script a shell runs. */
static int executable_name(const char *name)
{
	static const char *const ext[] = {
		".exe", ".dll", ".com", ".scr", ".bat", ".cmd", ".msi", ".ps1", ".vbs",
		".vbe", ".jse", ".wsf", ".hta", ".cpl", ".jar", ".lnk", ".sh", ".app", NULL
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot && ext[i]; i++)
		if (strcasecmp(dot, ext[i]) == 0)
			return 1;
	return 0;
}

/* A program's first bytes: PE (MZ), ELF, Mach-O, or a script's #!. */
static int executable_head(const unsigned char *h, size_t len)
{
	static const unsigned char macho[][4] = {
		{ 0xfe, 0xed, 0xfa, 0xce }, { 0xfe, 0xed, 0xfa, 0xcf },
		{ 0xce, 0xfa, 0xed, 0xfe }, { 0xcf, 0xfa, 0xed, 0xfe },
	};
	size_t i;

	if (len >= 2 && ((h[0] == 'M' && h[1] == 'Z') || (h[0] == '#' && h[1] == '!')))
		return 1;
	if (len >= 4 && memcmp(h, "\177ELF", 4) == 0)
		return 1;
	for (i = 0; len >= 4 && i < sizeof(macho) / sizeof(macho[0]); i++)
		if (memcmp(h, macho[i], 4) == 0)
			return 1;
	return 0;
}

/* A file specification with an embedded file (/EF): what it carries. */
static int filespec(walk *w, qpdf_oh spec, int owner)
{
	static const char *const name_keys[] = { "/UF", "/F" };
	qpdf_data q = w->q;
	qpdf_oh ef = qpdf_oh_get_key(q, spec, "/EF"), file = 0;
	unsigned char head[8];
	char name[NAME_MAX_SHOWN + 8] = "unnamed";
	size_t i, head_len = 0;

	for (i = 0; i < 2; i++) {
		qpdf_oh n = qpdf_oh_get_key(q, spec, name_keys[i]);
		int got = qpdf_oh_is_string(q, n);

		if (got)
			shown_name(name, sizeof(name), qpdf_oh_get_utf8_value(q, n));
		qpdf_oh_release(q, n);
		if (got)
			break;
	}
	for (i = 0; i < 2 && !head_len; i++) {
		file = qpdf_oh_get_key(q, ef, name_keys[i]);
		if (qpdf_oh_is_stream(q, file))
			stream_head(head, &head_len, w, file);
		qpdf_oh_release(q, file);
	}
	qpdf_oh_release(q, ef);
	if (executable_name(name) || executable_head(head, head_len))
		return found(w, W_EXECUTABLE, 1, "embeds an executable '%s' (object %d)", name,
			     owner);
	return found(w, W_EMBEDDED, 1, "embeds a file '%s' (object %d)", name, owner);
}

/*
 * A Flate stream whose length could hide more than the limit is
 * inflated and its output counted, never kept: past the limit (over
 * the whole file), it is a compression bomb.
 */
static int bomb(walk *w, qpdf_oh stream, qpdf_oh dict, int owner)
{
	qpdf_data q = w->q;
	qpdf_oh filter = qpdf_oh_get_key(q, dict, "/Filter"), length;
	unsigned char *raw = NULL, head[1];
	long long declared, budget = w->pol->max_inflate - w->inflated;
	QPDF_BOOL filtered;
	size_t raw_len;
	int flate = is_flate(q, filter);

	qpdf_oh_release(q, filter);
	if (!flate)
		return 0;
	length = qpdf_oh_get_key(q, dict, "/Length");
	declared = qpdf_oh_is_integer(q, length) ? qpdf_oh_get_int_value(q, length) : 0;
	qpdf_oh_release(q, length);
	/* also when /Length is missing or wrong: qpdf finds the data itself */
	if (declared > 0 && declared < (budget + DEFLATE_RATIO - 1) / DEFLATE_RATIO)
		return 0;
	if (qpdf_oh_get_stream_data(q, stream, qpdf_dl_none, &filtered, &raw, &raw_len) &
	    QPDF_ERRORS)
		return damaged(w);
	if ((long long)raw_len * DEFLATE_RATIO > budget)
		w->inflated += inflated_size(head, 0, raw, raw_len, budget);
	free(raw);
	if (w->inflated > w->pol->max_inflate)
		return vault_error__set(VAULT_EINVALID,
			"'%s' has a stream (object %d) that inflates past %lld bytes, a compression bomb (vault.json pdf max_inflate)",
			w->file, owner, w->pol->max_inflate);
	return 0;
}

/*
 * A dictionary (or a stream's, then `stream` is set): queue its values,
 * then look at what it is.
 */
static int dictionary(walk *w, qpdf_oh dict, int owner, qpdf_oh stream)
{
	qpdf_data q = w->q;
	int has_s = 0, has_js = 0, has_ef = 0, error = 0;

	qpdf_oh_begin_dict_key_iter(q, dict);
	while (qpdf_oh_dict_more_keys(q)) {
		const char *key = qpdf_oh_dict_next_key(q);

		if (skipped(key))
			continue;
		has_s |= strcmp(key, "/S") == 0;
		has_js |= strcmp(key, "/JS") == 0;
		has_ef |= strcmp(key, "/EF") == 0;
		if ((error = push(w, qpdf_oh_get_key(q, dict, key), owner)) < 0)
			break;
	}
	if (error < 0) {
		/* the iteration is qpdf's: run it out */
		while (qpdf_oh_dict_more_keys(q))
			qpdf_oh_dict_next_key(q);
		return error;
	}
	if (has_s) {
		qpdf_oh s = qpdf_oh_get_key(q, dict, "/S");

		if (qpdf_oh_is_name_and_equals(q, s, "/Launch"))
			error = found(w, W_LAUNCH, 0, "has a /Launch action (object %d)", owner);
		else if (qpdf_oh_is_name_and_equals(q, s, "/JavaScript"))
			has_js = 1;
		qpdf_oh_release(q, s);
	}
	if (!error && has_js)
		error = found(w, W_JAVASCRIPT, 0, "holds JavaScript (object %d)", owner);
	if (!error && has_ef)
		error = filespec(w, dict, owner);
	if (!error && stream)
		error = bomb(w, stream, dict, owner);
	return error;
}

static int walk_one(walk *w, item it)
{
	qpdf_data q = w->q;
	int owner = it.owner, error = 0, i, count;

	if (qpdf_oh_is_indirect(q, it.oh)) {
		owner = qpdf_oh_get_object_id(q, it.oh);
		if (++w->objects > w->pol->max_objects)
			return too_many_objects(w);
	}
	switch (qpdf_oh_get_type_code(q, it.oh)) {
	case ot_array:
		count = qpdf_oh_get_array_n_items(q, it.oh);
		for (i = 0; i < count && error == 0; i++)
			error = push(w, qpdf_oh_get_array_item(q, it.oh, i), owner);
		break;
	case ot_dictionary:
		error = dictionary(w, it.oh, owner, 0);
		break;
	case ot_stream: {
		qpdf_oh dict = qpdf_oh_get_dict(q, it.oh);

		error = dictionary(w, dict, owner, it.oh);
		qpdf_oh_release(q, dict);
		break;
	}
	default:
		break;
	}
	return error;
}

/* The page count the page tree declares; refused over the limit. */
static int declared_pages(walk *w, qpdf_oh pages)
{
	qpdf_data q = w->q;
	qpdf_oh count = qpdf_oh_get_key(q, pages, "/Count");
	long long c = qpdf_oh_is_integer(q, count) ? qpdf_oh_get_int_value(q, count) : 0;

	qpdf_oh_release(q, count);
	if (c > w->pol->max_pages)
		return vault_error__set(VAULT_EINVALID,
			"'%s' has %lld pages, more than the limit of %lld (vault.json pdf max_pages)",
			w->file, c, w->pol->max_pages);
	return 0;
}

/*
 * The pages a viewer would show, counted as it reaches them: each
 * reference in a /Kids counts, so an object listed 10,000 times is
 * 10,000 pages, and a node without an array of /Kids is a page whatever
 * its /Type.  Refused over max_pages; the nodes reached count against
 * max_objects, so a tree that loops or fans out stops there.
 */
static int counted_pages(walk *w, qpdf_oh top)
{
	qpdf_data q = w->q;
	qpdf_oh *todo = NULL;
	size_t ntodo = 0, cap = 0;
	long long reached = 0;
	int error = 0;

	todo = malloc(sizeof(*todo));
	if (!todo)
		abort();
	todo[ntodo++] = qpdf_oh_new_object(q, top);
	cap = 1;
	while (ntodo && error == 0) {
		qpdf_oh node = todo[--ntodo], kids = qpdf_oh_get_key(q, node, "/Kids");
		int i, count;

		if (!qpdf_oh_is_array(q, kids)) {
			if (++w->pages > w->pol->max_pages)
				error = vault_error__set(VAULT_EINVALID,
					"'%s' has more than %lld pages, the limit (vault.json pdf max_pages)",
					w->file, w->pol->max_pages);
		}
		count = qpdf_oh_is_array(q, kids) ? qpdf_oh_get_array_n_items(q, kids) : 0;
		for (i = 0; i < count && error == 0; i++) {
			qpdf_oh kid = qpdf_oh_get_array_item(q, kids, i);

			if (!qpdf_oh_is_dictionary(q, kid)) {
				qpdf_oh_release(q, kid);
				continue;
			}
			if (++reached > w->pol->max_objects) {
				qpdf_oh_release(q, kid);
				error = too_many_objects(w);
				break;
			}
			if (ntodo == cap) {
				cap *= 2;
				if ((todo = realloc(todo, cap * sizeof(*todo))) == NULL)
					abort();
			}
			todo[ntodo++] = kid;
		}
		qpdf_oh_release(q, kids);
		qpdf_oh_release(q, node);
	}
	while (ntodo)
		qpdf_oh_release(q, todo[--ntodo]);
	free(todo);
	return error;
}

static int page_tree(walk *w)
{
	qpdf_data q = w->q;
	qpdf_oh root = qpdf_get_root(q), pages = qpdf_oh_get_key(q, root, "/Pages");
	int error = declared_pages(w, pages);

	if (error == 0 && qpdf_oh_is_dictionary(q, pages))
		error = counted_pages(w, pages);
	qpdf_oh_release(q, pages);
	qpdf_oh_release(q, root);
	return error;
}

static int walk_all(walk *w)
{
	qpdf_data q = w->q;
	int error;

	if ((error = page_tree(w)) < 0)
		return error;
	if (qpdf_has_error(q))
		return damaged(w);
	if ((error = push(w, qpdf_get_trailer(q), 0)) < 0)
		return error;
	while (w->depth) {
		item it = w->stack[--w->depth];

		error = walk_one(w, it);
		qpdf_oh_release(q, it.oh);
		if (error < 0)
			return error;
		if (qpdf_has_error(q))
			return damaged(w);
	}
	return 0;
}

/*
 * Read a small file whole into w->bytes (*len its size); 0 and no bytes
 * for a large one, which qpdf reads through its own file description.
 */
static int read_small(walk *w, size_t *len, int fd)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", w->file);
	if (st.st_size > IN_MEMORY_MAX)
		return 0;
	*len = (size_t)st.st_size;
	if ((w->bytes = malloc(*len ? *len : 1)) == NULL)
		abort();
	while (got < *len) {
		ssize_t k = pread(fd, w->bytes + got, *len - got, (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return vault_error__errno(VAULT_ERROR, "cannot read '%s'", w->file);
		if (k == 0)
			return vault_error__set(VAULT_EINVALID,
				"file '%s' changed while it was being read", w->file);
		got += (size_t)k;
	}
	return 0;
}

/* Open the file; 1 when it could not be opened and that was recorded. */
static int open_pdf(walk *w, int fd)
{
	char path[64];
	size_t len = 0;
	qpdf_error e;
	int error;

	if ((error = vault__fmt(path, sizeof(path), "path", "/proc/self/fd/%d", fd)) < 0 ||
	    (error = read_small(w, &len, fd)) < 0)
		return error;
	if (((w->bytes ? qpdf_read_memory(w->q, w->file, (const char *)w->bytes, len, "") :
			 qpdf_read(w->q, path, "")) & QPDF_ERRORS) == 0)
		return 0;
	e = qpdf_get_error(w->q);
	switch (e ? qpdf_get_error_code(w->q, e) : qpdf_e_damaged_pdf) {
	case qpdf_e_password:
		error = found(w, W_PASSWORD, 0, "needs a password to open");
		break;
	case qpdf_e_system:
		return vault_error__set(VAULT_ERROR, "cannot read '%s': %s", w->file,
					qpdf_get_error_message_detail(w->q, e));
	default: {
		char detail[256];

		shown_name(detail, sizeof(detail),
			   e ? qpdf_get_error_message_detail(w->q, e) : "unknown");
		error = found(w, W_DAMAGED, 0, "is damaged past repair (%s)", detail);
		break;
	}
	}
	return error < 0 ? error : 1;
}

int vault_pdf__check(char **findings, const json_t *policy_json, const char *type,
		     const char *file, int fd)
{
	policy pol;
	walk w;
	int error;

	*findings = NULL;
	if ((error = policy_load(&pol, policy_json, type)) < 0)
		return error;
	memset(&w, 0, sizeof(w));
	w.findings = (vault_buf)VAULT_BUF_INIT;
	w.pol = &pol;
	w.type = type;
	w.file = file;
	if ((w.q = qpdf_init()) == NULL)
		abort();
	qpdf_silence_errors(w.q);
	qpdf_set_suppress_warnings(w.q, QPDF_TRUE);
	if ((error = open_pdf(&w, fd)) != 0)
		goto done;
	if (qpdf_is_encrypted(w.q) &&
	    (error = found(&w, W_ENCRYPTED, 0, "is encrypted (it opens without a password)")) < 0)
		goto done;
	error = walk_all(&w);
done:
	while (w.depth)
		qpdf_oh_release(w.q, w.stack[--w.depth].oh);
	qpdf_cleanup(&w.q);
	free(w.bytes);
	free(w.stack);
	free(w.seen);
	if (error < 0) {
		vault_buf__dispose(&w.findings);
		return error;
	}
	if (w.nfindings)
		*findings = vault_buf__detach(&w.findings);
	return 0;
}
