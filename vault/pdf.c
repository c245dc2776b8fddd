/*
 * pdf.c - a PDF opened with libqpdf's C API and walked object by object
 * from its trailer: what a viewer could act on (actions, scripts,
 * embedded files) is found wherever it sits, in object streams too,
 * because qpdf resolves each object as a reader does.  A stream's
 * filters (Flate, LZW, ASCIIHex, ASCII85, RunLength) are run here, stage
 * by stage, what they put out counted and dropped, unless its raw bytes
 * are too few to matter (a stream of one /FlateDecode is decoded at once
 * by libdeflate when what it gives fits a few megabytes); an embedded
 * file is decoded for its first bytes.
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
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "error.h"
#include "lazy_qpdf.h"
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
/* read whole up to this size: qpdf parses from memory twice as fast;
 * a larger file is mapped in the checker's child (read_small) */
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

int vault_pdf__policy_check(const json_t *root)
{
	const char *key, *what;
	json_t *v, *t, *a;
	size_t i;

	if (!root)
		return 0;
	if (!json_is_object(root))
		return malformed("not an object");
	json_object_foreach((json_t *)(uintptr_t)root, key, v) {
		if (strcmp(key, "types") == 0)
			continue;
		if (strcmp(key, "max_pages") != 0 && strcmp(key, "max_objects") != 0 &&
		    strcmp(key, "max_inflate") != 0)
			return vault_error__set(VAULT_EINVALID,
				"vault.json's pdf policy is malformed: an unknown key '%.64s'", key);
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return vault_error__set(VAULT_EINVALID,
				"vault.json's pdf policy is malformed: %s is not a whole number of 1 or more",
				key);
	}
	t = json_object_get(root, "types");
	if (t && !json_is_object(t))
		return malformed("types is not an object");
	json_object_foreach(t, key, v) {
		if (!json_is_object(v))
			return vault_error__set(VAULT_EINVALID,
				"vault.json's pdf policy is malformed: '%.64s' is not an object", key);
		json_object_foreach(v, what, a) {
			for (i = 0; i < W_COUNT && strcmp(what, what_key[i]) != 0; i++)
				;
			if (i == W_COUNT)
				return vault_error__set(VAULT_EINVALID,
					"vault.json's pdf policy is malformed: '%.64s' names '%.64s', "
					"which is not one of password, damaged, launch, executable, "
					"javascript, embedded, encrypted", key, what);
			for (i = 0; i < ACT_COUNT; i++)
				if (json_is_string(a) && strcmp(json_string_value(a), act_name[i]) == 0)
					break;
			if (i == ACT_COUNT)
				return vault_error__set(VAULT_EINVALID,
					"vault.json's pdf policy is malformed: '%.64s' %s is not "
					"accept, record or refuse", key, what);
		}
	}
	return 0;
}

unsigned vault_pdf__finding_kind(const char *line)
{
	/* the words each finding of found() opens with, by kind */
	static const char *const opens[W_COUNT] = {
		"needs a password", "is damaged", "has a /Launch", "embeds an executable",
		"holds JavaScript", "embeds a file", "is encrypted"
	};
	size_t i;

	for (i = 0; i < W_COUNT; i++)
		if (strncmp(line, opens[i], strlen(opens[i])) == 0)
			return 1u << i;
	return 0;
}

/* where a PDF reader looks for the header "%PDF-" */
#define HEADER_WITHIN 1024

int vault_pdf__opens_as_pdf(const char *mime, const void *first, size_t len)
{
	if (strcmp(mime, "application/pdf") == 0)
		return 1;
	/* a zip's members are its own: an FAI's are checked one by one */
	if (strcmp(mime, "application/zip") == 0)
		return 0;
	return memmem(first, len < HEADER_WITHIN ? len : HEADER_WITHIN, "%PDF-", 5) != NULL;
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
	long long objects, items, pages;
	long long inflated, unchecked; /* bytes decoded; most the undecoded could give */
	unsigned char *bytes; /* the file, when it was read whole or mapped */
	size_t mapped;        /* its length when mapped (munmap), else 0 */
	z_stream z;           /* reset for each stream's first /FlateDecode */
	int z_live;
	struct libdeflate_decompressor *whole; /* a stream of one /FlateDecode, at once */
	unsigned char *whole_out;              /* WHOLE_MAX bytes, once needed */
} walk;

/* Bytes of the UTF-8 character at `s`; 0 when none starts there. */
static size_t utf8_char(const unsigned char *s)
{
	uint32_t cp;
	size_t len, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * The file's own text, one line of valid UTF-8 (a record keeps it as a
 * JSON string): control bytes and what is not UTF-8 as '?', a long
 * name cut between characters, "..." after it.  `size` is at least 4.
 */
static void shown_name(char *out, size_t size, const char *s)
{
	size_t i = 0, o = 0;

	while (s[i]) {
		size_t k = utf8_char((const unsigned char *)s + i), need = k ? k : 1;

		if (o + need > NAME_MAX_SHOWN || o + need + 4 > size)
			break;
		if (k <= 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || k == 0)) {
			out[o++] = '?';
			i++;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		}
	}
	if (s[i]) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
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
	__attribute__((format(printf, 4, 5)));
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

/* ---- filters: a stream decoded as it streams, counted, never kept --- */

/*
 * qvault runs a stream's filters itself, one stage feeding the next
 * through a buffer of a few kilobytes, and counts what every stage puts
 * out against the budget, stopping past it: memory stays bounded
 * whatever the chain ([/FlateDecode /FlateDecode] inflates twice), and
 * so does the work.  qpdf's own decoding (qpdf_dl_generalized) would
 * hold the whole output.  It runs the general filters (Flate, LZW,
 * ASCIIHex, ASCII85, RunLength; /Crypt is qpdf's, passed through); an
 * image filter (DCT, JPX, CCITT, JBIG2) ends what it can run, and a
 * filter after one cannot be checked.
 */
enum filt { F_FLATE, F_LZW, F_AHX, F_A85, F_RL, F_PASS, F_OTHER };
#define MAX_FILTERS 8
#define LZW_CODES 4096
#define CHUNK 8192
#define WHOLE_MAX (4u * 1024 * 1024)

static const struct { const char *name, *abbrev; enum filt f; long long ratio; } filters[] = {
	/* ratio: the most one input byte can decode to */
	{ "/FlateDecode", "/Fl", F_FLATE, DEFLATE_RATIO },
	{ "/LZWDecode", "/LZW", F_LZW, LZW_CODES * 8 / 9 + 1 },
	{ "/ASCIIHexDecode", "/AHx", F_AHX, 1 },
	{ "/ASCII85Decode", "/A85", F_A85, 4 }, /* 'z' is four zeros */
	{ "/RunLengthDecode", "/RL", F_RL, 64 },
	{ "/Crypt", NULL, F_PASS, 1 },
};

typedef struct {
	uint16_t prefix[LZW_CODES], len[LZW_CODES];
	uint8_t suffix[LZW_CODES], first[LZW_CODES];
	uint32_t bits;
	int nbits, width, next, prev, early;
} lzw_state;

typedef struct {
	enum filt f;
	long long ratio;
	int done, early;
	z_stream own, *z; /* z: own, or the walk's, reset, for the chain's first */
	int z_live;       /* own is to be ended */
	uint64_t acc;
	int nacc, rl_lit, rl_rep, a85_at;
	lzw_state *lzw;
	/*
	 * A /Predictor of a Flate or LZW stage's /DecodeParms: 2 (TIFF) or
	 * 10 (PNG, a tag byte opening each row); rows of `bpr` bytes
	 * decoded, `row_at` of the row read.  Decoded (row, prev) only when
	 * a stage follows or the first bytes are wanted; else counted.
	 */
	int pred, bpp, bpc, colors;
	long long bpr, row_at;
	unsigned char *row, *prev;
} stage;

typedef struct {
	stage st[MAX_FILTERS];
	int n;       /* stages run */
	int unread;  /* a filter that cannot be run, and what follows it */
	long long work, limit; /* bytes put out by all stages; stop past limit */
	int over, stop;
	unsigned char head[8];
	size_t head_len, head_want; /* want 0: no head, count only */
} chain;

typedef struct {
	unsigned char buf[CHUNK];
	size_t len;
} outbuf;

static void feed(chain *c, int i, const unsigned char *p, size_t len);

/* white space as PDF has it (7.2.3): NUL, tab, LF, FF, CR, space */
static int pdf_white(unsigned char b)
{
	return b == 0 || b == '\t' || b == '\n' || b == '\f' || b == '\r' || b == ' ';
}

static int hex_digit(unsigned char b)
{
	return b >= '0' && b <= '9' ? b - '0' : (b | 0x20) >= 'a' && (b | 0x20) <= 'f' ?
	       (b | 0x20) - 'a' + 10 : -1;
}

static long long sat_add(long long a, long long b)
{
	return a > LLONG_MAX - b ? LLONG_MAX : a + b;
}

static long long sat_mul(long long a, long long b)
{
	return b && a > LLONG_MAX / b ? LLONG_MAX : a * b;
}

/* Count `n` bytes of work; 0, the chain stopped, past its limit. */
static int charge(chain *c, long long n)
{
	if (n > c->limit - c->work) {
		c->work = c->limit;
		c->over = c->stop = 1;
		return 0;
	}
	c->work += n;
	return 1;
}

/* ---- predictors (7.4.4.4): PNG's five per row, TIFF's 2 ------------ */

#define PRED_ROW_MAX (1 << 20) /* the widest row decoded, not only counted */

static long long row_in(const stage *s)
{
	return s->bpr + (s->pred == 10);
}

/* TIFF predictor 2 on a row of samples of bpc bits, in place */
static void tiff_row(const stage *s, unsigned char *r)
{
	long long x, samples = s->bpr * 8 / s->bpc;
	unsigned mask = (1u << s->bpc) - 1;

	if (s->bpc == 8) {
		for (x = s->colors; x < s->bpr; x++)
			r[x] = (unsigned char)(r[x] + r[x - s->colors]);
		return;
	}
	for (x = s->colors; x < samples; x++) {
		long long at = x * s->bpc, left = (x - s->colors) * s->bpc;
		unsigned v = 0, l = 0;
		int k;

		for (k = 0; k < s->bpc; k++) {
			v = v << 1 | (unsigned)(r[(at + k) >> 3] >> (7 - ((at + k) & 7)) & 1);
			l = l << 1 | (unsigned)(r[(left + k) >> 3] >> (7 - ((left + k) & 7)) & 1);
		}
		v = (v + l) & mask;
		for (k = s->bpc - 1; k >= 0; k--, v >>= 1) {
			long long bit = at + k;
			unsigned char m = (unsigned char)(1u << (7 - (bit & 7)));

			r[bit >> 3] = (unsigned char)((r[bit >> 3] & ~m) | ((v & 1) ? m : 0));
		}
	}
}

static unsigned paeth(unsigned a, unsigned b, unsigned c)
{
	int p = (int)a + (int)b - (int)c, pa = abs(p - (int)a), pb = abs(p - (int)b),
	    pc = abs(p - (int)c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* A whole row of stage i decoded (a PNG row's tag counted) and put out. */
static void row_done(chain *c, int i, stage *s)
{
	unsigned char *r = s->row + (s->pred == 10);
	long long x;

	if (s->pred == 10) {
		int tag = s->row[0];

		if (!charge(c, 1))
			return;
		for (x = 0; x < s->bpr && tag >= 1 && tag <= 4; x++) {
			unsigned a = x >= s->bpp ? r[x - s->bpp] : 0, b = s->prev[x],
				 ul = x >= s->bpp ? s->prev[x - s->bpp] : 0;

			r[x] = (unsigned char)(r[x] + (tag == 1 ? a : tag == 2 ? b :
						      tag == 3 ? (a + b) / 2 : paeth(a, b, ul)));
		}
	} else {
		tiff_row(s, r);
	}
	memcpy(s->prev, r, (size_t)s->bpr);
	s->row_at = 0;
	feed(c, i + 1, r, (size_t)s->bpr);
}

/*
 * Stage i's output through its predictor: decoded row by row when a
 * stage follows or the first bytes are wanted, else passed on to be
 * counted, the place in the row kept.
 */
static void predict(chain *c, int i, stage *s, const unsigned char *p, size_t len)
{
	long long in = row_in(s);

	if (!s->row) {
		s->row_at = (s->row_at + (long long)(len % (unsigned long long)in)) % in;
		feed(c, i + 1, p, len);
		return;
	}
	while (len && !c->stop) {
		size_t take = len < (unsigned long long)(in - s->row_at) ? len : (size_t)(in - s->row_at);

		memcpy(s->row + s->row_at, p, take);
		s->row_at += (long long)take;
		p += take;
		len -= take;
		if (s->row_at == in)
			row_done(c, i, s);
	}
}

/* Stage i's output, to stage i + 1 (through the stage's predictor). */
static void emit(chain *c, int i, const unsigned char *p, size_t len)
{
	if (c->st[i].pred)
		predict(c, i, &c->st[i], p, len);
	else
		feed(c, i + 1, p, len);
}

static void put(chain *c, int i, outbuf *o, unsigned char b)
{
	o->buf[o->len++] = b;
	if (o->len == sizeof(o->buf)) {
		emit(c, i, o->buf, o->len);
		o->len = 0;
	}
}

static void flush_out(chain *c, int i, outbuf *o)
{
	if (o->len)
		emit(c, i, o->buf, o->len);
	o->len = 0;
}

static void run_flate(chain *c, int i, stage *s, const unsigned char *p, size_t len)
{
	unsigned char out[CHUNK];
	int rc;

	s->z->next_in = (unsigned char *)(uintptr_t)p;
	s->z->avail_in = (uInt)len; /* the caller's chunks are small */
	do {
		s->z->next_out = out;
		s->z->avail_out = sizeof(out);
		rc = inflate(s->z, Z_NO_FLUSH);
		if (sizeof(out) > s->z->avail_out)
			emit(c, i, out, sizeof(out) - s->z->avail_out);
		if (rc != Z_OK) {
			if (rc != Z_BUF_ERROR)
				s->done = 1;
			break;
		}
	} while (!c->stop && (s->z->avail_in || s->z->avail_out == 0));
}

static void lzw_reset(lzw_state *l)
{
	l->next = 258;
	l->width = 9;
	l->prev = -1;
}

static void lzw_init(lzw_state *l)
{
	int b;

	for (b = 0; b < 256; b++) {
		l->len[b] = 1;
		l->first[b] = l->suffix[b] = (uint8_t)b;
	}
	lzw_reset(l);
}

/* One LZW code; 0 at its end or an error. */
static int lzw_code(chain *c, int i, outbuf *o, lzw_state *l, int code)
{
	unsigned char str[LZW_CODES];
	int k, at;

	if (code == 256) {
		lzw_reset(l);
		return 1;
	}
	if (code == 257 || (l->prev < 0 && code > 255) || code > l->next ||
	    (code == l->next && (l->next >= LZW_CODES || l->prev < 0)))
		return 0;
	if (l->prev >= 0 && l->next < LZW_CODES) {
		int n = l->next++;

		l->prefix[n] = (uint16_t)l->prev;
		l->suffix[n] = code == n ? l->first[l->prev] : l->first[code];
		l->first[n] = l->first[l->prev];
		l->len[n] = (uint16_t)(l->len[l->prev] + 1);
	}
	for (k = l->len[code], at = code; k > 0; at = l->prefix[at])
		str[--k] = l->suffix[at];
	for (k = 0; k < l->len[code] && !c->stop; k++)
		put(c, i, o, str[k]);
	l->prev = code;
	at = l->next + l->early;
	l->width = at >= 2048 ? 12 : at >= 1024 ? 11 : at >= 512 ? 10 : 9;
	return 1;
}

/* one stage's decoding of `len` bytes (ASCIIHex, ASCII85, RunLength, LZW) */
static void run_bytes(chain *c, int i, stage *s, const unsigned char *p, size_t len)
{
	outbuf o;
	size_t k;

	o.len = 0;
	for (k = 0; k < len && !s->done && !c->stop; k++) {
		unsigned char b = p[k];

		switch (s->f) {
		case F_AHX:
			/*
			 * White space (NUL is white space in PDF, 7.2.3) and
			 * whatever is no digit are passed over, as pdf.js
			 * does: only '>' ends the data
			 */
			if (b == '>') {
				if (s->nacc)
					put(c, i, &o, (unsigned char)(s->acc << 4));
				s->done = 1;
			} else if (hex_digit(b) >= 0) {
				s->acc = (s->acc << 4) | (unsigned)hex_digit(b);
				if (++s->nacc == 2) {
					put(c, i, &o, (unsigned char)s->acc);
					s->acc = 0;
					s->nacc = 0;
				}
			}
			break;
		case F_A85:
			/*
			 * White space (NUL among it) is passed over, a leading
			 * "<~" too; only '~' ends the data: any other byte is a
			 * digit, as pdf.js reads it, so that no reader decodes
			 * more than is counted
			 */
			if (pdf_white(b) || (s->a85_at < 2 && b == "<~"[s->a85_at] && ++s->a85_at))
				break;
			s->a85_at = 2;
			if (b == 'z' && s->nacc == 0) {
				int z;

				for (z = 0; z < 4; z++)
					put(c, i, &o, 0);
			} else if (b != '~') {
				s->acc = s->acc * 85 + (uint64_t)(b < '!' ? 0 : b > 'u' ? 84 : b - '!');
				if (++s->nacc == 5) {
					int z;

					for (z = 3; z >= 0; z--)
						put(c, i, &o, (unsigned char)(s->acc >> (8 * z)));
					s->acc = 0;
					s->nacc = 0;
				}
			} else {
				if (b == '~' && s->nacc > 1) {
					int z, got = s->nacc - 1;

					for (; s->nacc < 5; s->nacc++)
						s->acc = s->acc * 85 + 84;
					for (z = 3; z >= 4 - got; z--)
						put(c, i, &o, (unsigned char)(s->acc >> (8 * z)));
				}
				s->done = 1;
			}
			break;
		case F_RL:
			if (s->rl_lit) {
				put(c, i, &o, b);
				s->rl_lit--;
			} else if (s->rl_rep) {
				for (; s->rl_rep && !c->stop; s->rl_rep--)
					put(c, i, &o, b);
				s->rl_rep = 0;
			} else if (b < 128) {
				s->rl_lit = b + 1;
			} else if (b == 128) {
				s->done = 1;
			} else {
				s->rl_rep = 257 - b;
			}
			break;
		case F_LZW: {
			lzw_state *l = s->lzw;

			l->bits = (l->bits << 8) | b;
			l->nbits += 8;
			while (l->nbits >= l->width && !s->done && !c->stop) {
				int code = (int)((l->bits >> (l->nbits - l->width)) & ((1u << l->width) - 1));

				l->nbits -= l->width;
				if (!lzw_code(c, i, &o, l, code))
					s->done = 1;
			}
			break;
		}
		default:
			break;
		}
	}
	flush_out(c, i, &o);
}

/* Stage i's input (i == c->n: the decoded bytes). */
static void feed(chain *c, int i, const unsigned char *p, size_t len)
{
	stage *s;

	if (c->stop || len == 0)
		return;
	if (i > 0 && (c->work += (long long)len) > c->limit) {
		c->over = c->stop = 1;
		return;
	}
	if (i == c->n) {
		if (c->head_len < c->head_want) {
			size_t want = c->head_want - c->head_len;

			memcpy(c->head + c->head_len, p, len < want ? len : want);
			c->head_len += len < want ? len : want;
		}
		if (c->head_want && c->head_len == c->head_want)
			c->stop = 1;
		return;
	}
	s = &c->st[i];
	if (s->done)
		return;
	if (s->f == F_PASS)
		feed(c, i + 1, p, len);
	else if (s->f == F_FLATE)
		run_flate(c, i, s, p, len);
	else
		run_bytes(c, i, s, p, len);
}

static enum filt filter_kind(qpdf_data q, qpdf_oh name, long long *ratio)
{
	size_t i;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (qpdf_oh_is_name_and_equals(q, name, filters[i].name) ||
		    (filters[i].abbrev && qpdf_oh_is_name_and_equals(q, name, filters[i].abbrev))) {
			*ratio = filters[i].ratio;
			return filters[i].f;
		}
	*ratio = 1;
	return F_OTHER;
}

/* The i-th filter's /DecodeParms (or /DP): the caller's to release. */
static qpdf_oh decode_parms(qpdf_data q, qpdf_oh dict, int i)
{
	qpdf_oh parms = qpdf_oh_get_key(q, dict, "/DecodeParms"), one;

	if (qpdf_oh_is_null(q, parms)) {
		qpdf_oh_release(q, parms);
		parms = qpdf_oh_get_key(q, dict, "/DP");
	}
	one = !qpdf_oh_is_array(q, parms) ? qpdf_oh_new_object(q, parms) :
	      i < qpdf_oh_get_array_n_items(q, parms) ? qpdf_oh_get_array_item(q, parms, i) :
							 qpdf_oh_new_null(q);
	qpdf_oh_release(q, parms);
	return one;
}

/* An integer of the parameters, `dflt` when there is none */
static long long int_param(qpdf_data q, qpdf_oh parms, const char *key, long long dflt)
{
	qpdf_oh v;
	long long got = dflt;

	if (!qpdf_oh_is_dictionary(q, parms))
		return dflt;
	v = qpdf_oh_get_key(q, parms, key);
	if (qpdf_oh_is_integer(q, v))
		got = qpdf_oh_get_int_value(q, v);
	qpdf_oh_release(q, v);
	return got;
}

/*
 * A Flate or LZW stage's parameters: /EarlyChange, and a /Predictor
 * with its row (Colors, BitsPerComponent, Columns; a value below 1 as
 * its default), its size saturated: a row of a billion bytes is
 * counted, never held.
 */
static void stage_parms(stage *s, qpdf_data q, qpdf_oh dict, int i)
{
	qpdf_oh parms = decode_parms(q, dict, i);
	long long pred = int_param(q, parms, "/Predictor", 1), colors, bpc, columns, bits;

	if (s->lzw)
		s->lzw->early = int_param(q, parms, "/EarlyChange", 1) != 0;
	s->pred = pred == 2 ? 2 : pred >= 10 ? 10 : 0;
	if (s->pred) {
		colors = int_param(q, parms, "/Colors", 1);
		bpc = int_param(q, parms, "/BitsPerComponent", 8);
		columns = int_param(q, parms, "/Columns", 1);
		colors = colors < 1 ? 1 : colors;
		bpc = bpc < 1 ? 8 : bpc;
		columns = columns < 1 ? 1 : columns;
		bits = sat_mul(sat_mul(columns, colors), bpc);
		s->bpr = bits / 8 + (bits % 8 != 0);
		if (s->bpr > LLONG_MAX / 4)
			s->bpr = LLONG_MAX / 4;
		bits = sat_mul(colors, bpc);
		s->bpp = bits > 8LL * PRED_ROW_MAX ? PRED_ROW_MAX : bits < 8 ? 1 : (int)((bits + 7) / 8);
		s->colors = colors > INT_MAX ? INT_MAX : (int)colors;
		s->bpc = bpc > INT_MAX ? INT_MAX : (int)bpc;
	}
	qpdf_oh_release(q, parms);
}

/* 1 when stage s's predictor can be decoded, not only counted */
static int pred_decodable(const stage *s)
{
	return !s->pred || (s->bpr <= PRED_ROW_MAX &&
			    (s->pred == 10 || s->bpc == 1 || s->bpc == 2 || s->bpc == 4 ||
			     s->bpc == 8 || s->bpc == 16));
}

/*
 * The chain of a stream's /Filter: *nfilters the filters it names, c->n
 * those it can run (up to the first it cannot), c->unread set when one it
 * cannot run is followed by another or there are too many.  The walk's
 * z_stream, reset, inflates for the first /FlateDecode: one inflate state
 * and window for the whole file rather than one a stream.
 */
static void chain_init(chain *c, walk *w, qpdf_oh dict, int *nfilters)
{
	qpdf_data q = w->q;
	qpdf_oh filter = qpdf_oh_get_key(q, dict, "/Filter");
	int i, count, is_array = qpdf_oh_is_array(q, filter), spare = 1;

	memset(c, 0, sizeof(*c));
	if (qpdf_oh_is_null(q, filter)) {
		qpdf_oh_release(q, filter);
		*nfilters = 0;
		return;
	}
	count = is_array ? qpdf_oh_get_array_n_items(q, filter) : 1;
	*nfilters = count;
	if (count > MAX_FILTERS)
		c->unread = 1;
	for (i = 0; i < count && i < MAX_FILTERS && !c->unread; i++) {
		qpdf_oh name = is_array ? qpdf_oh_get_array_item(q, filter, i) :
					  qpdf_oh_new_object(q, filter);
		stage *s = &c->st[c->n];

		s->f = filter_kind(q, name, &s->ratio);
		qpdf_oh_release(q, name);
		if (s->f == F_OTHER) {
			c->unread = i + 1 < count;
			break;
		}
		if (s->f == F_FLATE && spare) {
			if (!w->z_live && inflateInit(&w->z) != Z_OK)
				abort();
			if (w->z_live && inflateReset(&w->z) != Z_OK)
				abort();
			w->z_live = 1;
			s->z = &w->z;
			spare = 0;
		} else if (s->f == F_FLATE) {
			if (inflateInit(&s->own) != Z_OK)
				abort();
			s->z = &s->own;
			s->z_live = 1;
		} else if (s->f == F_LZW) {
			if ((s->lzw = calloc(1, sizeof(*s->lzw))) == NULL)
				abort();
			lzw_init(s->lzw);
		}
		if (s->f == F_FLATE || s->f == F_LZW)
			stage_parms(s, q, dict, i);
		c->n++;
	}
	/* a predictor a stage follows is decoded: it must be decodable */
	for (i = 0; i + 1 < c->n; i++)
		if (!pred_decodable(&c->st[i]))
			c->unread = 1;
	qpdf_oh_release(q, filter);
}

static void chain_dispose(chain *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		if (c->st[i].z_live)
			inflateEnd(&c->st[i].own);
		free(c->st[i].lzw);
		free(c->st[i].row);
		free(c->st[i].prev);
	}
}

/*
 * Before the raw bytes: each predictor's row, which a reader holds
 * whatever the data, counted; rows to decode allocated.
 */
static void chain_start(chain *c)
{
	int i;

	for (i = 0; i < c->n && !c->stop; i++) {
		stage *s = &c->st[i];

		if (!s->pred || !charge(c, s->bpr))
			continue;
		if ((i + 1 < c->n || c->head_want) && pred_decodable(s) &&
		    ((s->row = calloc(1, (size_t)row_in(s))) == NULL ||
		     (s->prev = calloc(1, (size_t)s->bpr)) == NULL))
			abort();
	}
}

/*
 * After the raw bytes: a predictor's last row, cut short, is put out
 * whole, as qpdf does (padded with zeros).
 */
static void chain_finish(chain *c)
{
	int i;

	for (i = 0; i < c->n && !c->stop; i++) {
		stage *s = &c->st[i];

		if (!s->pred || s->row_at == 0)
			continue;
		if (s->row) {
			memset(s->row + s->row_at, 0, (size_t)(row_in(s) - s->row_at));
			row_done(c, i, s);
		} else if (s->row_at < s->bpr) {
			charge(c, s->bpr - s->row_at);
		}
		s->row_at = 0;
	}
}

/* Run the raw bytes through the chain. */
static void chain_run(chain *c, const unsigned char *raw, size_t len)
{
	size_t at;

	chain_start(c);
	for (at = 0; at < len && !c->stop; at += CHUNK)
		feed(c, 0, raw + at, len - at < CHUNK ? len - at : CHUNK);
	chain_finish(c);
}

/*
 * The most `raw_len` bytes can cost through the chain, saturated: what
 * every stage puts out, as it is counted (a predictor's row twice: the
 * row held, the last row padded).
 */
static long long chain_bound(const chain *c, size_t raw_len)
{
	long long bound = raw_len > LLONG_MAX ? LLONG_MAX : (long long)raw_len, total = 0;
	int i;

	for (i = 0; i < c->n; i++) {
		bound = sat_mul(bound, c->st[i].ratio);
		if (c->st[i].pred)
			bound = sat_add(bound, sat_mul(c->st[i].bpr, 2));
		total = sat_add(total, bound);
	}
	return total;
}

/* the most an embedded file's first bytes may take to decode */
#define HEAD_WORK_MAX (1ll << 20)

/*
 * A stream's first decoded bytes (up to 8, *len of them); -1 when its
 * filters cannot be read (an image filter on an embedded file), or its
 * first bytes take more than HEAD_WORK_MAX (or what is left of the budget).
 */
static int stream_head(unsigned char *head, size_t *len, walk *w, qpdf_oh stream)
{
	qpdf_oh dict = qpdf_oh_get_dict(w->q, stream);
	unsigned char *raw = NULL;
	QPDF_BOOL filtered;
	size_t raw_len = 0;
	chain c;
	int nfilters;

	*len = 0;
	chain_init(&c, w, dict, &nfilters);
	qpdf_oh_release(w->q, dict);
	if (c.unread || c.n < nfilters || (c.n && !pred_decodable(&c.st[c.n - 1]))) {
		chain_dispose(&c);
		return -1;
	}
	if ((qpdf_oh_get_stream_data(w->q, stream, qpdf_dl_none, &filtered, &raw, &raw_len) &
	     QPDF_ERRORS) == 0) {
		/*
		 * Reading a file's first bytes is decoding, charged to the
		 * budget like a bomb's (an embedded file named under every key
		 * of a thousand file specifications is read within it), and
		 * HEAD_WORK_MAX at most: first bytes that take more are none
		 * to check.
		 */
		c.head_want = 8;
		c.limit = w->pol->max_inflate - w->unchecked - w->inflated;
		if (c.limit > HEAD_WORK_MAX)
			c.limit = HEAD_WORK_MAX;
		chain_run(&c, raw, raw_len);
		w->inflated += c.work;
		if (c.over && c.head_len < c.head_want) {
			free(raw);
			chain_dispose(&c);
			return -1;
		}
		memcpy(head, c.head, c.head_len);
		*len = c.head_len;
	}
	free(raw);
	chain_dispose(&c);
	return 0;
}

/*
 * A name a program carries on Windows, or a script a shell runs, read
 * whole (not as shown), less the trailing dots and spaces Windows drops
 * (it runs `run.bat.`).
 */
static int executable_name(const char *name)
{
	static const char *const ext[] = {
		".app", ".bat", ".cmd", ".com", ".cpl", ".dll", ".exe", ".hta", ".jar",
		".js", ".jse", ".lnk", ".msc", ".msi", ".msp", ".pif", ".ps1", ".psm1",
		".reg", ".scr", ".sh", ".vb", ".vbe", ".vbs", ".ws", ".wsf", ".wsh", NULL
	};
	size_t len = strlen(name), dot, i;

	while (len && (name[len - 1] == '.' || name[len - 1] == ' '))
		len--;
	for (dot = len; dot && name[dot - 1] != '.'; dot--)
		;
	if (!dot)
		return 0;
	dot--;
	for (i = 0; ext[i]; i++)
		if (strlen(ext[i]) == len - dot && strncasecmp(name + dot, ext[i], len - dot) == 0)
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

/*
 * A file specification with an embedded file (/EF): what it carries,
 * by every name it gives (/UF, /F, /DOS, /Mac, /Unix) and the first
 * bytes of every file it embeds under those keys.  An executable is
 * shown by the name that gave it away, else by its first name.
 */
static int filespec(walk *w, qpdf_oh spec, int owner)
{
	static const char *const keys[] = { "/UF", "/F", "/DOS", "/Mac", "/Unix" };
	qpdf_data q = w->q;
	qpdf_oh ef = qpdf_oh_get_key(q, spec, "/EF");
	char name[NAME_MAX_SHOWN + 8] = "unnamed", exe_name[NAME_MAX_SHOWN + 8];
	int exe = 0, unread = 0, named = 0;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		qpdf_oh n = qpdf_oh_get_key(q, spec, keys[i]), file;

		if (qpdf_oh_is_string(q, n)) {
			const char *v = qpdf_oh_get_utf8_value(q, n);

			if (!exe && executable_name(v)) {
				exe = 1;
				shown_name(exe_name, sizeof(exe_name), v);
			}
			if (!named++)
				shown_name(name, sizeof(name), v);
		}
		qpdf_oh_release(q, n);
		if (!qpdf_oh_is_dictionary(q, ef))
			continue;
		file = qpdf_oh_get_key(q, ef, keys[i]);
		if (qpdf_oh_is_stream(q, file)) {
			unsigned char head[8];
			size_t head_len;

			if (stream_head(head, &head_len, w, file) < 0)
				unread = 1;
			else if (!exe && executable_head(head, head_len))
				exe = 2;
		}
		qpdf_oh_release(q, file);
	}
	qpdf_oh_release(q, ef);
	if (exe)
		return found(w, W_EXECUTABLE, 1, "embeds an executable '%s' (object %d)",
			     exe == 1 ? exe_name : name, owner);
	if (unread)
		return found(w, W_EXECUTABLE, 1,
			     "embeds a file '%s' (object %d) whose filters cannot be checked", name,
			     owner);
	return found(w, W_EMBEDDED, 1, "embeds a file '%s' (object %d)", name, owner);
}

/*
 * The most common stream, one /FlateDecode, decoded at once by
 * libdeflate into a buffer of WHOLE_MAX bytes (or the budget left, if
 * less), which is about three times as fast as zlib's streaming inflate.
 * 1 when it is counted so (c->over set if it decodes past the budget);
 * 0 when the stream is to be run through the chain as it streams: other
 * filters, a stream longer than the buffer, or one libdeflate refuses
 * (a damaged stream, or one cut short, is counted by zlib up to where it
 * breaks, as qpdf would read it).
 */
static int inflate_whole(walk *w, chain *c, const unsigned char *raw, size_t len)
{
	size_t cap, in, out;
	enum libdeflate_result r;

	if (c->n != 1 || c->st[0].f != F_FLATE || c->head_want || c->limit <= 0)
		return 0;
	cap = (unsigned long long)c->limit < WHOLE_MAX ? (size_t)c->limit : WHOLE_MAX;
	if (w->whole == NULL && (w->whole = libdeflate_alloc_decompressor()) == NULL)
		abort();
	if (w->whole_out == NULL && (w->whole_out = malloc(WHOLE_MAX)) == NULL)
		abort();
	r = libdeflate_zlib_decompress_ex(w->whole, raw, len, w->whole_out, cap, &in, &out);
	if (r == LIBDEFLATE_SUCCESS) {
		/* a predictor: its row, its last row padded (counted only) */
		c->work = (long long)out;
		if (c->st[0].pred) {
			c->st[0].row_at = (long long)(out % (unsigned long long)row_in(&c->st[0]));
			if (charge(c, c->st[0].bpr))
				chain_finish(c);
		}
		return 1;
	}
	if (r == LIBDEFLATE_INSUFFICIENT_SPACE && cap == (size_t)c->limit) {
		c->work = c->limit;
		c->over = 1;
		return 1;
	}
	return 0;
}

/*
 * A stream with a filter that decodes is decoded, as qpdf reads it (its
 * raw bytes, whatever /Length says), and what each stage puts out is
 * counted, never kept: past the limit, over the whole file, it is a
 * compression bomb.
 */
static int bomb(walk *w, qpdf_oh stream, qpdf_oh dict, int owner)
{
	unsigned char *raw = NULL;
	QPDF_BOOL filtered;
	size_t raw_len = 0;
	long long bound;
	chain c;
	int nfilters, error = 0;

	chain_init(&c, w, dict, &nfilters);
	if (c.unread) {
		error = vault_error__set(VAULT_EINVALID,
			"'%s' has a stream (object %d) whose filters cannot be checked for a compression bomb",
			w->file, owner);
		goto done;
	}
	if (c.n == 0)
		goto done;
	if (qpdf_oh_get_stream_data(w->q, stream, qpdf_dl_none, &filtered, &raw, &raw_len) &
	    QPDF_ERRORS) {
		error = damaged(w);
		goto done;
	}
	/*
	 * Not decoded: a stream too short to decode past what is left of a
	 * sixteenth of the budget, kept back for such streams.  So the whole
	 * file decodes to max_inflate at most, and an honest file of small
	 * streams is not decoded at all.
	 */
	bound = chain_bound(&c, raw_len);
	if (bound <= w->pol->max_inflate / 16 - w->unchecked) {
		w->unchecked += bound;
		goto done;
	}
	c.limit = w->pol->max_inflate - w->unchecked - w->inflated;
	if (!inflate_whole(w, &c, raw, raw_len))
		chain_run(&c, raw, raw_len);
	w->inflated += c.work;
	if (c.over)
		error = vault_error__set(VAULT_EINVALID,
			"'%s' has a stream (object %d) that inflates past %lld bytes, a compression bomb (vault.json pdf max_inflate)",
			w->file, owner, w->pol->max_inflate);
done:
	free(raw);
	chain_dispose(&c);
	return error;
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
	qpdf_oh count;
	long long c;

	if (!qpdf_oh_is_dictionary(q, pages))
		return 0;
	count = qpdf_oh_get_key(q, pages, "/Count");
	c = qpdf_oh_is_integer(q, count) ? qpdf_oh_get_int_value(q, count) : 0;
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
	qpdf_oh root = qpdf_get_root(q), pages;
	int error;

	pages = qpdf_oh_is_dictionary(q, root) ? qpdf_oh_get_key(q, root, "/Pages") :
						  qpdf_oh_new_null(q);
	error = declared_pages(w, pages);

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
 * Read a small file whole into w->bytes (*len its size).  A large one is
 * mapped when `map` (in the checker's child): qpdf reads a file through
 * a FILE *, and its tokenizer seeks back (fseeko) after each token, which
 * glibc makes an lseek: 2.5 million system calls for an array of 10
 * million integers in 20 MB, 40% of the child's CPU time before it
 * passed MAX_MEMORY, and under strace (t0120), where each call stops the
 * child twice, 47 s of the 60 s of CPU it was allowed, so that it ended
 * at the clock, not at the memory bound.  Mapped, the pages qpdf reads
 * are the file's (page cache or the memory file verify wrote it to), not
 * the child's own memory, which resident() counts.  A file truncated
 * under the mapping ends the child by SIGBUS, said as a file changed
 * (vault_pdf__check).  Out of a child (check_here, in the caller's
 * process), or when it cannot be mapped: 0 and no bytes, and qpdf reads
 * the file through its own file description.
 */
static int read_small(walk *w, size_t *len, int fd, int map)
{
	struct stat st;
	size_t got = 0;
	void *p;

	if (fstat(fd, &st) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", w->file);
	if (st.st_size > IN_MEMORY_MAX) {
		if (!map || (uint64_t)st.st_size > SIZE_MAX ||
		    (p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
			return 0;
		w->bytes = p;
		w->mapped = *len = (size_t)st.st_size;
		return 0;
	}
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

/*
 * Open the file (mapped when large and `map`: read_small); 1 when it
 * could not be opened and that was recorded.
 */
static int open_pdf(walk *w, int fd, int map)
{
	char path[64];
	size_t len = 0;
	qpdf_error e;
	int error;

	if ((error = vault__fmt(path, sizeof(path), "path", "/proc/self/fd/%d", fd)) < 0 ||
	    (error = read_small(w, &len, fd, map)) < 0)
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

/*
 * The check in this process.  `tidy` 0: in a child that exits at once,
 * qpdf's objects are left to the exit (freeing them one by one, in
 * qpdf_cleanup, was an eighth of a check's time), and a large file is
 * mapped (read_small).
 */
static int check_in(char **findings, const json_t *policy_json, const char *type,
		    const char *file, int fd, int tidy)
{
	policy pol;
	walk w;
	int error;

	*findings = NULL;
	if ((error = vault_qpdf__load()) < 0 ||
	    (error = policy_load(&pol, policy_json, type)) < 0)
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
	if ((error = open_pdf(&w, fd, !tidy)) != 0)
		goto done;
	if (qpdf_is_encrypted(w.q) &&
	    (error = found(&w, W_ENCRYPTED, 0, "is encrypted (it opens without a password)")) < 0)
		goto done;
	error = walk_all(&w);
done:
	if (!tidy) {
		if (error < 0)
			return error;
		*findings = w.nfindings ? vault_buf__detach(&w.findings) : NULL;
		return 0;
	}
	while (w.depth)
		qpdf_oh_release(w.q, w.stack[--w.depth].oh);
	qpdf_cleanup(&w.q);
	if (w.mapped)
		munmap(w.bytes, w.mapped);
	else
		free(w.bytes);
	free(w.stack);
	free(w.seen);
	if (w.z_live)
		inflateEnd(&w.z);
	libdeflate_free_decompressor(w.whole);
	free(w.whole_out);
	if (error < 0) {
		vault_buf__dispose(&w.findings);
		return error;
	}
	if (w.nfindings)
		*findings = vault_buf__detach(&w.findings);
	return 0;
}

int vault_pdf__check_here(char **findings, const json_t *policy_json, const char *type,
			  const char *file, int fd)
{
	return check_in(findings, policy_json, type, file, fd, 1);
}

/* ---- the check apart: qpdf's memory and time bounded ---------------- */

/*
 * qpdf parses an object whole when it is first reached, and an object
 * stream (or a cross-reference stream) is decoded whole first: an array
 * of 10 million integers (20 MB, or 10 KB deflated in an object stream)
 * takes it a few gigabytes, a dictionary of a million keys 700 MB, and
 * its C API has no limit to set.  So the check runs in a child process
 * (fork, no exec) of the checker server below, which watches it: past
 * MAX_MEMORY of memory of its own (its anonymous resident set over the
 * server's at the fork: resident) it is killed, past MAX_SECONDS of CPU
 * time the kernel ends it (RLIMIT_CPU:
 * CPU, not the clock, which a loaded machine stretches), and the file
 * is refused; the clock is held to MAX_WALL, should the child wait on
 * something forever.  The child hands back its result (the error code,
 * then the error's message or the findings) through a pipe, and the
 * server hands it on to the caller with why the child ended.
 */
#define MAX_MEMORY (512LL * 1024 * 1024)
#define MAX_SECONDS 60
#define MAX_WALL (10 * MAX_SECONDS)
#define RESULT_MAX (64 * 1024)
#define TICK_MS 5

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The anonymous resident set of process `pid` in bytes (statm's resident
 * less its shared: the pages of no file, malloc's, the stack's, ASan's
 * shadow); -1 when it cannot be read.  The child maps a large PDF
 * (read_small), whose pages qpdf reads are the file's, in the page cache
 * or the memory file verify wrote it to, not memory the check took: a
 * PDF of 600 MB whose cross-reference table qpdf rebuilds, reading the
 * whole file, took 603 MiB of the file's pages and 4 MiB of its own, and
 * would otherwise pass MAX_MEMORY.
 */
static long long resident(pid_t pid)
{
	char path[64], buf[128];
	long long pages, size, shared;
	ssize_t got;
	int fd;

	if (vault__fmt(path, sizeof(path), "path", "/proc/%d/statm", (int)pid) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return -1;
	buf[got] = '\0';
	if (sscanf(buf, "%lld %lld %lld", &size, &pages, &shared) != 3)
		return -1;
	return (pages - shared) * sysconf(_SC_PAGESIZE);
}

static void write_all_or_exit(int fd, const void *p, size_t len)
{
	if (len && vault__write_all(fd, p, len) < 0)
		_exit(1);
}

/*
 * The program that starts the checker server in a process of several
 * threads (vault_pdf_set_checker); NULL: none, the check runs here.
 */
static char *checker;

void vault_pdf_set_checker(const char *exe)
{
	free(checker);
	checker = NULL;
	if (exe && (checker = strdup(exe)) == NULL)
		abort();
}

int vault_pdf_load(void)
{
	return vault_qpdf__load();
}

/* In the child: check, write the result, never return. */
static void child(int out, char **findings, const json_t *policy_json, const char *type,
		  const char *file, int fd)
{
	struct rlimit cpu = { MAX_SECONDS, MAX_SECONDS + 1 };
	int error = setrlimit(RLIMIT_CPU, &cpu) < 0 ?
		vault_error__errno(VAULT_ERROR, "cannot check '%s'", file) :
		check_in(findings, policy_json, type, file, fd, 0);
	const char *text = error < 0 ? vault_error_message() : *findings ? *findings : "";
	int32_t code = error;

	write_all_or_exit(out, &code, sizeof(code));
	write_all_or_exit(out, text, strlen(text) < RESULT_MAX ? strlen(text) : RESULT_MAX);
	_exit(0);
}

/* ---- the checker server ---------------------------------------------- */

/*
 * A check apart started afresh (an exec, then loading libqpdf and
 * libstdc++) cost about 12 ms, and a threaded verify of 100,000 PDFs
 * went from 94 s to 1254 s.  So each process starts one checker server,
 * at its first check (or at vault_pdf_prepare), and the server forks one
 * child per check: a fork of a small process of one thread, libqpdf
 * already in it.  The server is forked itself when the process has one
 * thread (every descriptor but its socket closed, so that no lock or
 * database handle stays open in it), else it is `checker` started afresh
 * (`qvault --internal-pdf-check --server`): either way a process of one
 * thread, from which a fork is safe.
 *
 * Requests come over a SOCK_SEQPACKET socketpair (its end on the
 * server's descriptor 0): one message each, a struct request then the
 * type, the file's name and the policy as JSON text, with the PDF's
 * descriptor and a reply socket passed (SCM_RIGHTS).  Several threads
 * may ask at once: a message is sent whole, and each has its own reply
 * socket, on which the server sends one message, a struct reply then
 * the child's result (the error code, then the message or findings).
 * The server watches all its children in one poll loop, with the bounds
 * above (the memory over the server's own at each fork), and ends when
 * the client's end closes (the client exited).
 */
#define SERVER_ARG "--server"
#define REQUEST_MAX (64 * 1024)

struct request {
	uint32_t type_len, file_len, policy_len;
};

struct reply {
	int32_t why;    /* 0 read whole, 1 over MAX_MEMORY, 2 past MAX_WALL */
	int32_t status; /* the child's wait status */
	int64_t cpu_us; /* the child's CPU time, user and system (pdfbench) */
};

/* One check under way in the server. */
typedef struct {
	pid_t pid;
	int in;    /* the child's result */
	int reply; /* the client's reply socket */
	long long base, deadline;
	vault_buf result;
} job;

/* Close every descriptor from 3 up but `a` and `b` (both 3 or more). */
static void close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

/* Send the client its answer on `reply`, then close it. */
static void answer(int reply, int why, int status, long long cpu_us, const void *result,
		   size_t len)
{
	struct reply h = { why, status, cpu_us };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)(uintptr_t)result, len } };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = len ? 2 : 1;
	if (iov[1].iov_len > RESULT_MAX + sizeof(int32_t))
		iov[1].iov_len = RESULT_MAX + sizeof(int32_t);
	/* a client gone (its thread's process exiting) is no error here */
	while (sendmsg(reply, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
	close(reply);
}

/* Answer with an error of the server's own, as a child would have. */
static void answer_error(int reply, int code)
{
	const char *text = vault_error_message();
	size_t len = strlen(text) < RESULT_MAX ? strlen(text) : RESULT_MAX;
	char buf[sizeof(int32_t) + RESULT_MAX];
	int32_t c = code;

	memcpy(buf, &c, sizeof(c));
	memcpy(buf + sizeof(c), text, len);
	answer(reply, 0, 0, 0, buf, sizeof(c) + len);
}

/* In the server's child: the policy parsed here, where its cost is bounded. */
static void check_child(int out, int fd, const char *type, const char *file,
			const char *policy_text)
{
	json_t *policy_json = NULL;
	char *findings = NULL;

	/* any value (JSON_DECODE_ANY): a policy that is no object (a number
	 * forged into vault.json) is policy_load's to refuse, in its words */
	if (*policy_text && (policy_json = json_loads(policy_text, JSON_DECODE_ANY, NULL)) == NULL) {
		int32_t code = vault_error__set(VAULT_EINVALID,
						"vault.json's pdf policy is malformed: not JSON");
		const char *text = vault_error_message();

		write_all_or_exit(out, &code, sizeof(code));
		write_all_or_exit(out, text, strlen(text));
		_exit(0);
	}
	child(out, &findings, policy_json, type, file, fd);
}

/*
 * Take one request from `sock` and start its child into jobs[*njobs]:
 * 1 taken (or refused, answered), 0 the client is gone.
 */
static int take_request(int sock, char *msg, job **jobs, size_t *njobs, size_t *cap)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(2 * sizeof(int))];
	} control;
	struct iovec iov = { msg, REQUEST_MAX };
	struct msghdr m;
	struct cmsghdr *c;
	struct request h;
	int fds[2] = { -1, -1 }, out[2], nfds = 0, code;
	char *type, *file, *policy_text;
	ssize_t got;
	pid_t pid, self = getpid();
	job *j;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = control.space;
	m.msg_controllen = sizeof(control.space);
	while ((got = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (got <= 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k, count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (k = 0; k < count; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
				if (nfds < 2)
					fds[nfds++] = fd;
				else
					close(fd);
			}
		}
	if (nfds < 2) { /* no reply socket: nobody to answer */
		if (nfds)
			close(fds[0]);
		return 1;
	}
	memcpy(&h, msg, (size_t)got < sizeof(h) ? (size_t)got : sizeof(h));
	if ((size_t)got < sizeof(h) || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (uint64_t)h.type_len + h.file_len + h.policy_len != (uint64_t)got - sizeof(h)) {
		close(fds[0]);
		answer_error(fds[1], vault_error__set(VAULT_ERROR, "the PDF checker got a malformed request"));
		return 1;
	}
	/* the three texts, each ended by a NUL in place of the next one's
	 * first byte: copied out first */
	type = msg + REQUEST_MAX + 1;
	memcpy(type, msg + sizeof(h), h.type_len);
	type[h.type_len] = '\0';
	file = type + h.type_len + 1;
	memcpy(file, msg + sizeof(h) + h.type_len, h.file_len);
	file[h.file_len] = '\0';
	policy_text = file + h.file_len + 1;
	memcpy(policy_text, msg + sizeof(h) + h.type_len + h.file_len, h.policy_len);
	policy_text[h.policy_len] = '\0';
	if (*njobs == *cap) {
		size_t more = *cap ? *cap * 2 : 8;
		job *grown = realloc(*jobs, more * sizeof(**jobs));

		if (!grown)
			abort();
		*jobs = grown;
		*cap = more;
	}
	j = &(*jobs)[*njobs];
	memset(j, 0, sizeof(*j));
	j->result = (vault_buf)VAULT_BUF_INIT;
	j->reply = fds[1];
	if (pipe2(out, O_CLOEXEC) < 0) {
		code = vault_error__errno(VAULT_ERROR, "cannot check '%s'", file);
		close(fds[0]);
		answer_error(fds[1], code);
		return 1;
	}
	/* the memory of the child is over the server's at the fork */
	j->base = resident(getpid());
	if (j->base < 0)
		j->base = 0;
	if ((pid = fork()) < 0) {
		code = vault_error__errno(VAULT_ERROR, "cannot check '%s'", file);
		close(out[0]);
		close(out[1]);
		close(fds[0]);
		answer_error(fds[1], code);
		return 1;
	}
	if (pid == 0) {
		/* killed with the server (one thread: its end is the process's):
		 * a child it no longer watches has no bound on its memory or its
		 * clock, and the check is asked again of the next server anyway */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != self)
			_exit(1);
		/* nothing of the server's (its socket, other checks' replies) */
		close(sock);
		close_all_but(fds[0], out[1]);
		check_child(out[1], fds[0], type, file, policy_text);
	}
	close(out[1]);
	close(fds[0]);
	j->pid = pid;
	j->in = out[0];
	j->deadline = now_ms() + MAX_WALL * 1000LL;
	(*njobs)++;
	return 1;
}

/*
 * A job ended without a verdict: its child killed and reaped, its reply
 * socket closed unanswered, so that the client asks a server started
 * again (or says in one line that it could not).
 */
static void abandon(job *j)
{
	kill(j->pid, SIGKILL);
	while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(j->in);
	close(j->reply);
	vault_buf__dispose(&j->result);
}

/* End jobs[i]: kill it unless it was read whole, reap it, answer. */
static void finish(job *j, int why)
{
	struct rusage ru;
	int ws = 0;

	memset(&ru, 0, sizeof(ru));
	if (why)
		kill(j->pid, SIGKILL);
	while (wait4(j->pid, &ws, 0, &ru) < 0 && errno == EINTR)
		;
	close(j->in);
	answer(j->reply, why, ws,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec, j->result.data, j->result.len);
	vault_buf__dispose(&j->result);
}

/*
 * The server's loop on `sock`, in a process of one thread: requests
 * taken, children watched every TICK_MS while there are any, each
 * answered as it ends.  Returns when the client's end closes.
 */
static void serve_checks(int sock)
{
	char *msg = malloc(2 * (REQUEST_MAX + 1)); /* the message, then its texts */
	struct pollfd *p = NULL;
	job *jobs = NULL;
	size_t njobs = 0, cap = 0, pcap = 0, i;
	char buf[4096];

	if (!msg)
		abort();
	for (;;) {
		size_t before = njobs;
		int r;

		if (njobs + 1 > pcap) {
			struct pollfd *grown = realloc(p, (cap + 1) * sizeof(*p));

			if (!grown)
				abort();
			p = grown;
			pcap = cap + 1;
		}
		p[0] = (struct pollfd){ sock, POLLIN, 0 };
		for (i = 0; i < njobs; i++)
			p[i + 1] = (struct pollfd){ jobs[i].in, POLLIN, 0 };
		r = poll(p, njobs + 1, njobs ? TICK_MS : -1);
		if (r < 0 && errno != EINTR)
			break;
		if (r < 0)
			continue;
		/* backwards: a finished job is replaced by the last, already seen */
		for (i = before; i-- > 0;) {
			job *j = &jobs[i];
			long long rss;
			int why = -1;

			if (p[i + 1].revents) {
				ssize_t got = read(j->in, buf, sizeof(buf));

				if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
					why = 0;
				else if (got > 0 && j->result.len < RESULT_MAX + sizeof(int32_t))
					vault_buf__add(&j->result, buf, (size_t)got);
			}
			if (why < 0 && (rss = resident(j->pid)) >= 0 && rss - j->base > MAX_MEMORY)
				why = 1;
			if (why < 0 && now_ms() > j->deadline)
				why = 2;
			if (why >= 0) {
				finish(j, why);
				jobs[i] = jobs[--njobs];
			}
		}
		if (p[0].revents && !take_request(sock, msg, &jobs, &njobs, &cap))
			break;
	}
	/* the client gone, or this server failed (poll, recvmsg: ENOMEM): the
	 * checks under way have no verdict, not "past the clock", which
	 * refused an honest PDF (a finding under verify) */
	for (i = 0; i < njobs; i++)
		abandon(&jobs[i]);
	free(jobs);
	free(p);
	free(msg);
}

/*
 * Before its first request the server checks a small PDF of its own in
 * itself: libqpdf's and libstdc++'s symbols bound, their static objects
 * made and the allocator's arenas grown once here, not in every child,
 * where each was a page copied and a symbol looked up again (a third of
 * a child's time on a virtual machine, where a page fault is dear).
 * The file is qvault's, not a supplier's: nothing untrusted runs here.
 * Any failure only leaves the children to do it as before.
 */
static void warm_up(void)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
	};
	static const char text[] = "BT /F1 12 Tf 72 720 Td (qvault) Tj ET";
	unsigned char z[128];
	uLongf zlen = sizeof(z);
	long offs[5];
	char *findings = NULL;
	FILE *f;
	int fd;
	size_t i;

	if (compress(z, &zlen, (const unsigned char *)text, sizeof(text) - 1) != Z_OK ||
	    (fd = memfd_create("qvault-warm-up", MFD_CLOEXEC)) < 0)
		return;
	if ((f = fdopen(dup(fd), "w")) == NULL) {
		close(fd);
		return;
	}
	fputs("%PDF-1.5\n", f);
	for (i = 0; i < 3; i++) {
		offs[i + 1] = ftell(f);
		fprintf(f, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	offs[4] = ftell(f);
	fprintf(f, "4 0 obj\n<< /Length %lu /Filter /FlateDecode >>\nstream\n", (unsigned long)zlen);
	fwrite(z, 1, zlen, f);
	offs[0] = ftell(f);
	fputs("\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \n", f);
	for (i = 1; i <= 4; i++)
		fprintf(f, "%010ld 00000 n \n", offs[i]);
	fprintf(f, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
		offs[0] + (long)strlen("\nendstream\nendobj\n"));
	if (fclose(f) == 0 &&
	    vault_pdf__check_here(&findings, NULL, "drawing", "warm-up.pdf", fd) == 0)
		free(findings);
	close(fd);
}

/*
 * The server and its checks, which parse what suppliers upload, never run
 * as root: a root-owned vault's writer (serve) or an admin's command as
 * root would otherwise parse hostile PDFs as root.  They need no file of
 * their own: each PDF comes as a descriptor, opened by the client.  So a
 * server run as root becomes `nobody` (or 65534) for good, after libqpdf
 * is loaded; dumpable again, so that its /proc/PID/statm and its
 * children's stay readable to it.  A root without the right to change
 * its user (a container's) stays what it is: it is not the machine's.
 */
static void drop_root(void)
{
	const struct passwd *pw;
	uid_t uid = 65534;
	gid_t gid = 65534;

	if (geteuid() != 0)
		return;
	if ((pw = getpwnam("nobody")) != NULL && pw->pw_uid != 0) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return;
	prctl(PR_SET_DUMPABLE, 1);
}

/*
 * In a server: 0 to 2 open, /dev/null where one was closed (a caller run
 * 2>&-), so that no descriptor a request passes (the PDF, a reply socket)
 * lands on 2 and becomes a check child's stderr.
 */
static void fill_stdio(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
		;
	if (fd >= 0)
		close(fd);
}

/*
 * The server started afresh (vault_pdf_check_child): its socket on 0.
 * libqpdf loaded once here; a failure to is each check's to report.
 */
int vault_pdf_check_child(int argc, char **argv)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (argc != 3 || strcmp(argv[1], VAULT_PDF_CHECK_ARG) != 0 ||
	    strcmp(argv[2], SERVER_ARG) != 0 ||
	    getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET)
		return 2;
	fill_stdio();
	if (vault_qpdf__load() == 0)
		warm_up();
	drop_root();
	serve_checks(0);
	return 0;
}

/*
 * The server as a fork of a process of one thread: on 0 its socket, on 1
 * /dev/null, 2 the caller's stderr (a sanitizer's report), nothing else;
 * the signals the caller handled at their defaults, those it ignored
 * still ignored (as an exec leaves them: serve's writer ignores ^C, so
 * that a write is not cut halfway, and so do its checks), but SIGCHLD,
 * whose children's status the server reads.  Never returns.
 */
static void run_forked_server(int sock)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE,
				    SIGALRM, SIGUSR1, SIGUSR2 };
	sigset_t none;
	size_t i;
	int null;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction was;

		if (sigs[i] == SIGCHLD || sigaction(sigs[i], NULL, &was) < 0 ||
		    was.sa_handler != SIG_IGN)
			signal(sigs[i], SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(sock, 0) < 0)
		_exit(1);
	if ((null = open("/dev/null", O_WRONLY)) < 0 || dup2(null, 1) < 0)
		_exit(1);
	close_range(3, ~0U, 0);
	fill_stdio();
	if (vault_qpdf__load() == 0)
		warm_up();
	drop_root();
	serve_checks(0);
	_exit(0);
}

/*
 * The server started afresh: the socket `sock` on its 0, /dev/null on 1,
 * the caller's stderr, nothing else; no shell, the caller's environment
 * (ASan's options among it), the signals at their defaults.
 */
static int spawn_server(pid_t *pid, int sock)
{
	extern char **environ;
	char *argv[] = { checker, (char *)(uintptr_t)VAULT_PDF_CHECK_ARG,
			 (char *)(uintptr_t)SERVER_ARG, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sock, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	e = posix_spawn(pid, checker, &fa, &attr, argv, environ);
	/* the program replaced under a running process (an upgrade): itself still */
	if (e == ENOENT && strcmp(checker, "/proc/self/exe") != 0)
		e = posix_spawn(pid, "/proc/self/exe", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return e;
}

/*
 * The threads of this process, from /proc/self/stat (its 20th field);
 * 0 when it cannot be read.
 */
static long threads_now(void)
{
	char buf[1024], *p;
	ssize_t got;
	long n = 0;
	int fd, field;

	if ((fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	/* the command's name, field 2, may hold spaces: count from its ')' */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (field = 2; *p && field < 20; p++)
		if (*p == ' ')
			field++;
	if (field == 20)
		n = strtol(p, NULL, 10);
	return n;
}

/* The server of this process: its socket (-1: none), its pid; `server_gen`
 * counts the starts, so that of several threads that saw one end only
 * the first starts another.  All under server_lock. */
static pthread_mutex_t server_lock = PTHREAD_MUTEX_INITIALIZER;
static int server_fd = -1;
static pid_t server_pid = -1;
static unsigned server_gen;

/*
 * A SOCK_SEQPACKET socketpair, close-on-exec, neither end on 0, 1 or 2:
 * 0 or -1 (errno).  A caller run with one of them closed (`clone ...
 * 2>&-`; clone starts its server before SQLite fills them with /dev/null)
 * got its server's socket there: its output went to the server, and a
 * forked server kept the client's end as its own stderr, never saw it
 * close and outlived the caller for ever.
 */
static int seqpacket_pair(int sv[2])
{
	int i, fd, e;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		if (sv[i] >= 3)
			continue;
		if ((fd = fcntl(sv[i], F_DUPFD_CLOEXEC, 3)) < 0) {
			e = errno;
			close(sv[0]);
			close(sv[1]);
			errno = e;
			return -1;
		}
		close(sv[i]);
		sv[i] = fd;
	}
	return 0;
}

/* Forget the server (it ended, or will at the end of its socket). */
static void stop_server(void)
{
	close(server_fd);
	server_fd = -1;
	/* ours until reaped, so its pid is no other's: kill, then reap (-1 and
	 * ECHILD: reaped already, by a caller ignoring SIGCHLD) */
	if (server_pid > 0 && waitpid(server_pid, NULL, WNOHANG) == 0) {
		kill(server_pid, SIGKILL);
		while (waitpid(server_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	server_pid = -1;
}

/*
 * Start the server, under server_lock: 0, 1 there is none to start (a
 * process of several threads that named no checker), or an error naming
 * `file` (NULL: the message is about the checker alone); `again`: the
 * last one ended, which the message says.
 */
static int start_server(const char *file, int again)
{
	const char *how = again ? "the PDF checker ended, and starting it again failed: " : "";

	int sv[2], e;
	pid_t pid = -1;

	if (threads_now() != 1) {
		if (!checker)
			return 1;
		if (seqpacket_pair(sv) < 0)
			goto failed;
		if ((e = spawn_server(&pid, sv[1])) != 0) {
			close(sv[0]);
			close(sv[1]);
			errno = e;
			return file ? vault_error__errno(VAULT_ERROR, "cannot check '%s': %scannot run '%s'",
							 file, how, checker)
				    : vault_error__errno(VAULT_ERROR, "cannot run '%s'", checker);
		}
	} else {
		/* a forked server's libqpdf is loaded here, not in each child
		 * (a load costs about 5 ms of CPU) */
		if ((e = vault_qpdf__load()) < 0)
			return e;
		if (seqpacket_pair(sv) < 0)
			goto failed;
		if ((pid = fork()) < 0) {
			close(sv[0]);
			close(sv[1]);
			goto failed;
		}
		if (pid == 0)
			run_forked_server(sv[1]);
	}
	close(sv[1]);
	server_fd = sv[0];
	server_pid = pid;
	server_gen++;
	return 0;
failed:
	return file ? vault_error__errno(VAULT_ERROR, "cannot check '%s': %s%s", file, how,
					 again ? "cannot fork" : "cannot start the PDF checker")
		    : vault_error__errno(VAULT_ERROR, "cannot start the PDF checker");
}

int vault_pdf_prepare(void)
{
	int error = vault_qpdf__load();

	if (error < 0)
		return error;
	/* a server forked now, while the process has one thread, is the
	 * cheap kind; a failure to start is the first check's to report */
	pthread_mutex_lock(&server_lock);
	if (server_fd < 0 && threads_now() == 1)
		(void)start_server(NULL, 0);
	pthread_mutex_unlock(&server_lock);
	return 0;
}

/* The CPU time of this thread's last check's child, in microseconds: the
 * server reaps it, so a caller's RUSAGE_CHILDREN does not hold it */
static _Thread_local long long last_child_cpu_us;

long long vault_pdf__check_cpu_us(void)
{
	return last_child_cpu_us;
}

/* Send the request for `fd` to the server, its answer to `reply`. */
static int ask(int server, int reply, int fd, const char *type, const char *file,
	       const char *policy_text)
{
	struct request h = { (uint32_t)strlen(type), (uint32_t)strlen(file),
			     (uint32_t)strlen(policy_text) };
	struct iovec iov[4] = { { &h, sizeof(h) }, { (void *)(uintptr_t)type, h.type_len },
				{ (void *)(uintptr_t)file, h.file_len },
				{ (void *)(uintptr_t)policy_text, h.policy_len } };
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(2 * sizeof(int))];
	} control;
	int fds[2] = { fd, reply };
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t sent;

	memset(&m, 0, sizeof(m));
	memset(&control, 0, sizeof(control));
	m.msg_iov = iov;
	m.msg_iovlen = 4;
	m.msg_control = control.space;
	m.msg_controllen = sizeof(control.space);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	while ((sent = sendmsg(server, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return sent < 0 ? -1 : 0;
}

int vault_pdf__check(char **findings, const json_t *policy_json, const char *type,
		     const char *file, int fd)
{
	size_t size = sizeof(struct reply) + sizeof(int32_t) + RESULT_MAX + 1;
	/* JSON_ENCODE_ANY: without it jansson writes no number, string or null,
	 * and a vault.json whose "pdf" was one (forged, pulled) aborted below */
	char *text = policy_json ? json_dumps(policy_json, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	const char *policy_text = text ? text : "";
	char *buf = NULL;
	struct reply h;
	ssize_t got = 0;
	int error = 0, attempt, ws;
	unsigned gen = 0;
	int32_t code;

	*findings = NULL;
	last_child_cpu_us = 0;
	if (policy_json && !text)
		abort();
	/* the request is one message of at most REQUEST_MAX bytes: a policy
	 * that large is none vault.json would hold */
	if (sizeof(struct request) + strlen(type) + strlen(file) + strlen(policy_text) > REQUEST_MAX) {
		free(text);
		return vault_error__set(VAULT_EINVALID, "cannot check '%s': its name, type and "
					"vault.json's pdf policy take more than %d bytes",
					file, REQUEST_MAX);
	}
	/*
	 * A child forked from a process of several threads (verify's signature
	 * checks, import's reader, serve's connections) inherits every lock
	 * another thread held at the fork, malloc's among them, and can wait
	 * on one forever (seen under verify): the server is a process of one
	 * thread, forked only from one, and where there is none and none can
	 * be started (a program linking libqvault that named no checker, of
	 * several threads) the check runs here, unbounded.  A server that
	 * ended (killed) is started again once, by the next check.
	 */
	for (attempt = 0; attempt < 2; attempt++) {
		int pair[2], sent;

		pthread_mutex_lock(&server_lock);
		if (attempt && server_fd >= 0 && gen == server_gen)
			stop_server(); /* the one this check found ended */
		if (server_fd < 0 && (error = start_server(file, attempt > 0)) != 0) {
			pthread_mutex_unlock(&server_lock);
			free(text);
			free(buf);
			if (error > 0)
				return vault_pdf__check_here(findings, policy_json, type, file, fd);
			return error;
		}
		gen = server_gen;
		if (seqpacket_pair(pair) < 0) {
			pthread_mutex_unlock(&server_lock);
			error = vault_error__errno(VAULT_ERROR, "cannot check '%s'", file);
			free(text);
			free(buf);
			return error;
		}
		sent = ask(server_fd, pair[1], fd, type, file, policy_text);
		pthread_mutex_unlock(&server_lock);
		close(pair[1]);
		if (sent < 0) { /* the server is gone */
			close(pair[0]);
			continue;
		}
		if (!buf && (buf = malloc(size)) == NULL)
			abort();
		/* the server holds the wall clock: no timeout here */
		while ((got = recv(pair[0], buf, size - 1, 0)) < 0 && errno == EINTR)
			;
		close(pair[0]);
		if (got >= (ssize_t)sizeof(h))
			break;
		/* no answer: the server ended with the check under way */
	}
	free(text);
	if (got < (ssize_t)sizeof(h)) {
		free(buf);
		return vault_error__set(VAULT_ERROR, "cannot check '%s': the PDF checker ended, "
					"and again when started again", file);
	}
	memcpy(&h, buf, sizeof(h));
	ws = h.status;
	last_child_cpu_us = h.cpu_us;
	got -= (ssize_t)sizeof(h);
	if (h.why == 1)
		error = vault_error__set(VAULT_EINVALID,
			"'%s' takes more than %lld MiB of memory to open (an object too large), the limit",
			file, MAX_MEMORY >> 20);
	else if (h.why == 2 || (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGXCPU) ||
		 (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL))
		error = vault_error__set(VAULT_EINVALID,
			"'%s' takes more than %d seconds to check, the limit", file,
			h.why == 2 ? MAX_WALL : MAX_SECONDS);
	else if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGBUS) /* its mapping cut short */
		error = vault_error__set(VAULT_EINVALID,
			"file '%s' changed while it was being checked", file);
	else if (WIFSIGNALED(ws))
		error = vault_error__set(VAULT_EINVALID,
			"'%s' could not be checked (the check ended by signal %d)", file,
			WTERMSIG(ws));
	else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || (size_t)got < sizeof(code))
		error = vault_error__set(VAULT_EINVALID,
			"'%s' could not be checked (the check exited with status %d)", file,
			WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	else {
		const char *result = buf + sizeof(h) + sizeof(code);

		buf[sizeof(h) + (size_t)got] = '\0';
		memcpy(&code, buf + sizeof(h), sizeof(code));
		if (code < 0)
			error = vault_error__set(code, "%s", result);
		else if (*result && (*findings = strdup(result)) == NULL)
			abort();
	}
	free(buf);
	return error;
}
