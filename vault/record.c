#include "record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/sha.h>
#include <unistr.h>

#include "error.h"
#include "util.h"

const char *const vault_doc_types[] = {
	"drawing", "spec", "model", "fai", "coc", "material-cert",
	"inspection-report", "process-cert", "other", NULL
};

int vault_record__controlled(const char *type)
{
	return strcmp(type, "drawing") == 0 || strcmp(type, "model") == 0 ||
	       strcmp(type, "spec") == 0;
}

const char *vault_record__a(const char *word)
{
	return (word[0] && strchr("aeiouAEIOU", word[0])) || strncmp(word, "fai", 3) == 0 ||
	       strncmp(word, "FAI", 3) == 0 ? "an" : "a";
}

int vault_record__type_known(const char *type)
{
	size_t i;

	for (i = 0; vault_doc_types[i]; i++)
		if (strcmp(type, vault_doc_types[i]) == 0)
			return 1;
	return 0;
}

/* A printable rendering of a possibly hostile name for an error message. */
static const char *shown(char *buf, size_t size, const char *s)
{
	size_t i, o = 0;

	/* room for one escaped byte (4), then "..." and the NUL (4) */
	for (i = 0; s[i] && o + 8 <= size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = "0123456789abcdef"[c >> 4];
			buf[o++] = "0123456789abcdef"[c & 0xf];
		}
	}
	if (s[i])
		buf[o++] = '.', buf[o++] = '.', buf[o++] = '.';
	buf[o] = '\0';
	return buf;
}

/*
 * What every name is first: not empty, at most VAULT_NAME_MAX bytes;
 * `show` receives it as messages show it.  Its length, or an error.
 */
static int name_length(char show[64], const char *what, const char *name)
{
	size_t len;

	if (!name || !*name)
		return vault_error__set(VAULT_EINVALID, "%s is empty", what);
	shown(show, 64, name);
	if ((len = strlen(name)) > VAULT_NAME_MAX)
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' is longer than %d bytes", what, show,
			VAULT_NAME_MAX);
	return (int)len;
}

int vault_plain_name_check(const char *what, const char *name)
{
	char show[64];
	int len, i;

	if ((len = name_length(show, what, name)) < 0)
		return len;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return vault_error__set(VAULT_EINVALID,
				"%s '%s' contains a control character", what, show);
		if (c == '/' || c == '\\')
			return vault_error__set(VAULT_EINVALID,
				"%s '%s' contains '%c'", what, show, c);
		if (!isalnum(c) && !strchr("._-+", c))
			return vault_error__set(VAULT_EINVALID,
				"%s '%s' contains '%s', allowed are letters, digits and . _ - +",
				what, show, c < 0x80 ? (char[]){ (char)c, 0 } : "non-ASCII");
	}
	if (strstr(name, ".."))
		return vault_error__set(VAULT_EINVALID, "%s '%s' contains '..'",
					what, show);
	if (!isalnum((unsigned char)name[0]))
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' must start with a letter or digit", what, show);
	return 0;
}

/*
 * The first character of the valid UTF-8 `s` that changes how the text
 * around it is shown while unseen itself: bidirectional embeddings,
 * overrides and isolates (U+202A..U+202E, U+2066..U+2069), zero-width
 * characters and marks (U+200B..U+200F), the line and paragraph
 * separators (U+2028, U+2029) and the byte order mark (U+FEFF); 0 when
 * there is none.  'report<U+202E>fdp.txt' shows as 'reporttxt.pdf'.
 */
static ucs4_t invisible_char(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	ucs4_t c;

	while ((p = u8_next(&c, p)) != NULL)
		if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
		    (c >= 0x200b && c <= 0x200f) || c == 0x2028 || c == 0x2029 || c == 0xfeff)
			return c;
	return 0;
}

/* Whether byte `i` of `name` stays as it is in its path component. */
static int kept(const char *name, size_t i)
{
	unsigned char c = (unsigned char)name[i];

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	if (i == 0 || !c || !strchr("._-+", c))
		return 0;
	return !(c == '.' && name[i - 1] == '.');
}

/* RFC 3986's unreserved characters: letters, digits, "-._~". */
static int unreserved(const char *s, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* `s` into `buf`, each byte for which keep() is false written %XX. */
static int pct_encode(char *buf, size_t size, const char *s, int (*keep)(const char *, size_t))
{
	size_t i, o = 0;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + (keep(s, i) ? 1 : 3) >= size) {
			if (size)
				buf[0] = '\0';
			return vault_error__set(VAULT_EINVALID, "name is too long for a path");
		}
		if (keep(s, i)) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '%';
			buf[o++] = "0123456789ABCDEF"[c >> 4];
			buf[o++] = "0123456789ABCDEF"[c & 0xf];
		}
	}
	if (!size)
		return vault_error__set(VAULT_EINVALID, "name is too long for a path");
	buf[o] = '\0';
	return 0;
}

int vault_name_encode(char *buf, size_t size, const char *name)
{
	return pct_encode(buf, size, name, kept);
}

int vault_uri_encode(char *buf, size_t size, const char *s)
{
	return pct_encode(buf, size, s, unreserved);
}

/* The bytes vault_name_encode makes of `name`. */
static size_t encoded_len(const char *name)
{
	size_t i, n = 0;

	for (i = 0; name[i]; i++)
		n += kept(name, i) ? 1 : 3;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vault_record__name_of(char *out, const char *comp, size_t len)
{
	char enc[VAULT_NAME_ENC_MAX + 1];
	size_t i, o = 0;

	out[0] = '\0';
	if (len == 0 || len > VAULT_NAME_ENC_MAX)
		return VAULT_EINVALID;
	for (i = 0; i < len && o < VAULT_NAME_MAX; i++) {
		if (comp[i] == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = hexval(comp[i + 1])) < 0 ||
			    (lo = hexval(comp[i + 2])) < 0 || (hi == 0 && lo == 0))
				break;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (comp[i] == '\0') {
			break;
		} else {
			out[o++] = comp[i];
		}
	}
	if (i < len) {
		out[0] = '\0';
		return VAULT_EINVALID;
	}
	out[o] = '\0';
	if (vault_name_check("name", out) < 0 ||
	    vault_name_encode(enc, sizeof(enc), out) < 0 || strlen(enc) != len ||
	    memcmp(enc, comp, len) != 0) {
		out[0] = '\0';
		return VAULT_EINVALID;
	}
	return 0;
}

int vault_name_check(const char *what, const char *name)
{
	char show[64];
	int len;
	ucs4_t c;

	if ((len = name_length(show, what, name)) < 0)
		return len;
	if (u8_check((const uint8_t *)name, (size_t)len) != NULL)
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' is not valid UTF-8", what, show);
	if (!vault__text_ok(name))
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' contains a control character", what, show);
	if ((c = invisible_char(name)) != 0)
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' contains U+%04X, an invisible or bidirectional formatting character",
			what, show, (unsigned)c);
	if (name[0] == ' ' || name[len - 1] == ' ')
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' begins or ends with a space", what, show);
	/* a link's path names no record '.' or '..': a browser (and curl)
	 * takes either for a step in the path, percent-encoded or not */
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' is a path's step, not a name", what, show);
	/* DOC@REV is split at its last '@': a revision holding one would
	 * name another document's ('A' rev 'B@C' and 'A@B' rev 'C') */
	if (strcmp(what, "revision") == 0 && strchr(name, '@'))
		return vault_error__set(VAULT_EINVALID,
			"revision '%s' contains '@', which ends a document number in DOC@REV",
			show);
	if (encoded_len(name) > VAULT_NAME_ENC_MAX)
		return vault_error__set(VAULT_EINVALID,
			"%s '%s' is longer than %d bytes once encoded for a file name "
			"(each byte but letters, digits and . _ - + takes 3)", what, show,
			VAULT_NAME_ENC_MAX);
	return 0;
}

int vault_record__file_name_check(const char *name)
{
	ucs4_t c;
	char show[64];

	if (!name || !*name)
		return vault_error__set(VAULT_EINVALID, "file name is empty");
	shown(show, sizeof(show), name);
	if (strlen(name) > 255)
		return vault_error__set(VAULT_EINVALID,
			"file name '%s' is longer than 255 bytes", show);
	if (!vault__text_ok(name))
		return vault_error__set(VAULT_EINVALID,
			"file name '%s' is not UTF-8 text without control characters",
			show);
	if ((c = invisible_char(name)) != 0)
		return vault_error__set(VAULT_EINVALID,
			"file name '%s' contains U+%04X, an invisible or bidirectional formatting character",
			show, (unsigned)c);
	if (strchr(name, '/') || strchr(name, '\\'))
		return vault_error__set(VAULT_EINVALID,
			"file name '%s' contains a path separator", show);
	if (name[0] == '.')
		return vault_error__set(VAULT_EINVALID,
			"file name '%s' starts with '.'", show);
	return 0;
}

int vault_record__member_path_check(const char *path)
{
	char part[256];
	const char *p = path;
	int error;

	if (!path || strlen(path) > 1024)
		return vault_error__set(VAULT_EINVALID, "file path is empty or longer than 1024 bytes");
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n >= sizeof(part))
			return vault_error__set(VAULT_EINVALID, "file path has a name over 255 bytes");
		memcpy(part, p, n);
		part[n] = '\0';
		if ((error = vault_record__file_name_check(part)) < 0)
			return error;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int vault_record__text_check(const char *what, const char *text, size_t max)
{
	ucs4_t c;

	if (strlen(text) > max)
		return vault_error__set(VAULT_EINVALID,
			"%s is longer than %zu bytes", what, max);
	if (!vault__text_ok(text))
		return vault_error__set(VAULT_EINVALID,
			"%s is not UTF-8 text without control characters", what);
	if ((c = invisible_char(text)) != 0)
		return vault_error__set(VAULT_EINVALID,
			"%s contains U+%04X, an invisible or bidirectional formatting character",
			what, (unsigned)c);
	return 0;
}

/*
 * Whether [s, s + n) is runs of `allowed` joined by single dots; with
 * `label`, runs of at most 63 bytes that neither begin nor end with '-'.
 */
static int dotted(const char *s, size_t n, const char *allowed, int label)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!strchr(allowed, s[i]))
				return 0;
			continue;
		}
		if (i == start || (label && (s[start] == '-' || s[i - 1] == '-' || i - start > 63)))
			return 0;
		start = i + 1;
	}
	return 1;
}

int vault_record__email_check(const char *email)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "!#$%&'*+/=?^_`{|}~-";
	static const char label[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
	const char *at = email ? strchr(email, '@') : NULL;
	size_t n = email ? strlen(email) : 0, i;
	char shown[65];

	if (at && n <= 254 && at > email && at - email <= 64 && !strchr(at + 1, '@') &&
	    dotted(email, (size_t)(at - email), atext, 0) &&
	    dotted(at + 1, n - (size_t)(at - email) - 1, label, 1) && strchr(at + 1, '.'))
		return 0;
	/* shown on one line, whatever it holds */
	for (i = 0; i < n && i < sizeof(shown) - 1; i++)
		shown[i] = (unsigned char)email[i] < 0x20 || email[i] == 0x7f ? '?' : email[i];
	shown[i] = '\0';
	return vault_error__set(VAULT_EINVALID, "'%s%s' is not an e-mail address", shown,
				n > i ? "..." : "");
}

int vault_record__dir(char *buf, size_t size, const char *top, const char *name)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[5];

	char enc[VAULT_NAME_ENC_MAX + 1];

	SHA256((const unsigned char *)name, strlen(name), md);
	vault__hex(hex, md, 2);
	if (vault_name_encode(enc, sizeof(enc), name) < 0 ||
	    vault__fmt(buf, size, "folder", "%s/%.2s/%.2s/%s", top, hex, hex + 2, enc) < 0) {
		buf[0] = '\0';
		return VAULT_EINVALID;
	}
	return 0;
}

int vault_record__doc_dir(char *buf, size_t size, const char *doc)
{
	return vault_record__dir(buf, size, "docs", doc);
}

int vault_record__dump(char **out, size_t *len, json_t *root)
{
	char *text = root ? json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;

	json_decref(root);
	if (!text)
		return vault_error__set(VAULT_ERROR, "cannot serialize a record");
	*len = strlen(text);
	if ((*out = realloc(text, *len + 2)) == NULL)
		abort();
	(*out)[(*len)++] = '\n';
	(*out)[*len] = '\0';
	return 0;
}

/*
 * A file's findings, one per line, as the record's list of them; NULL
 * when a line is not UTF-8 (never from the PDF check) or memory ran out.
 */
static json_t *findings_json(const char *lines)
{
	json_t *list = json_array();
	const char *end;

	for (; list && *lines; lines = *end ? end + 1 : end) {
		end = strchrnul(lines, '\n');
		if (json_array_append_new(list, json_stringn(lines, (size_t)(end - lines))) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	return list;
}

/*
 * The record's list of findings as lines: each a non-empty line of text
 * (the PDF check writes at most 17 of at most a few hundred bytes).
 */
static int parse_findings(char **out, json_t *list, size_t file)
{
	vault_buf lines = VAULT_BUF_INIT;
	size_t i;
	json_t *f;

	*out = NULL;
	if (!list)
		return 0;
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 32)
		return vault_error__set(VAULT_EINVALID, "record file %zu's findings are malformed",
					file);
	json_array_foreach(list, i, f) {
		const char *s = json_string_value(f);
		size_t len = json_string_length(f), k;

		for (k = 0; s && k < len; k++)
			if ((unsigned char)s[k] < 0x20)
				break;
		if (!s || len == 0 || len > 1024 || k < len) {
			vault_buf__dispose(&lines);
			return vault_error__set(VAULT_EINVALID,
				"record file %zu's finding %zu is malformed", file, i + 1);
		}
		if ((i && vault_buf__add(&lines, "\n", 1) < 0) || vault_buf__add(&lines, s, len) < 0) {
			vault_buf__dispose(&lines);
			return VAULT_ERROR;
		}
	}
	*out = vault_buf__detach(&lines);
	return 0;
}

int vault_record__revision_dump(char **out, size_t *len,
				const vault_revision *rev)
{
	json_t *root, *parts, *files;
	char when[32];
	size_t i;

	vault_time_format(when, sizeof(when), rev->added_at);
	parts = json_array();
	for (i = 0; i < rev->nparts; i++)
		json_array_append_new(parts, json_string(rev->parts[i]));
	files = json_array();
	for (i = 0; i < rev->nfiles; i++) {
		const vault_file *f = &rev->files[i];

		json_t *file = json_pack("{s:s, s:s, s:I, s:s}",
			"name", f->name, "sha256", f->sha256,
			"size", (json_int_t)f->size, "mime", f->mime);

		if (file && f->findings &&
		    json_object_set_new(file, "findings", findings_json(f->findings)) < 0) {
			json_decref(file);
			file = NULL;
		}
		if (json_array_append_new(files, file) < 0) {
			json_decref(parts);
			json_decref(files);
			return vault_error__set(VAULT_ERROR, "cannot build the record of file '%s'",
						f->name);
		}
	}
	root = json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:o, s:o, s:s, s:s}",
		"record", "revision", "format", 1,
		"doc", rev->doc, "rev", rev->rev, "seq", (json_int_t)rev->seq,
		"type", rev->type, "parts", parts, "files", files,
		"added_by", rev->added_by, "added_at", when);
	if (!root)
		return vault_error__set(VAULT_ERROR, "cannot build record");
	if (rev->title)
		json_object_set_new(root, "title", json_string(rev->title));
	if (rev->org)
		json_object_set_new(root, "org", json_string(rev->org));
	if (rev->expires)
		json_object_set_new(root, "expires", json_string(rev->expires));
	if (rev->review_by)
		json_object_set_new(root, "review_by", json_string(rev->review_by));
	return vault_record__dump(out, len, root);
}

static int parse_time(int64_t *out, const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return 0;
	return s[64] == '\0';
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name that `names` (n of them, sorted here) holds twice, or NULL. */
static const char *repeated(const char **names, size_t n)
{
	size_t i;

	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			return names[i];
	return NULL;
}

/* No file named twice: each stored file is listed once, by its one name. */
static int unique_names(const vault_revision *rev)
{
	const char **names = malloc(rev->nfiles * sizeof(*names));
	const char *twice;
	size_t i;
	int error = 0;

	if (!names)
		abort();
	for (i = 0; i < rev->nfiles; i++)
		names[i] = rev->files[i].name;
	if ((twice = repeated(names, rev->nfiles)) != NULL)
		error = vault_error__set(VAULT_EINVALID, "record lists file '%s' twice", twice);
	free(names);
	return error;
}

static int parse_files(vault_revision *rev, json_t *files)
{
	size_t i;
	json_t *f;

	if (!json_is_array(files) || json_array_size(files) == 0)
		return vault_error__set(VAULT_EINVALID, "record has no files");
	rev->files = calloc(json_array_size(files), sizeof(vault_file));
	if (!rev->files)
		abort();
	json_array_foreach(files, i, f) {
		const char *name, *sha, *mime;
		json_int_t size;
		json_t *findings = NULL;
		vault_file *vf = &rev->files[i];
		int error;

		if (json_unpack(f, "{s:s, s:s, s:I, s:s, s?:o}", "name", &name,
				"sha256", &sha, "size", &size, "mime", &mime,
				"findings", &findings) < 0 ||
		    size < 0 || !is_sha256_hex(sha))
			return vault_error__set(VAULT_EINVALID,
						"record file %zu is malformed", i + 1);
		if (vault_record__member_path_check(name) < 0)
			return VAULT_EINVALID;
		vf->name = vault__strdup(name);
		vf->mime = vault__strdup(mime);
		memcpy(vf->sha256, sha, 65);
		vf->size = (uint64_t)size;
		rev->nfiles = i + 1;
		if ((error = parse_findings(&vf->findings, findings, i + 1)) < 0)
			return error;
	}
	return unique_names(rev);
}

static int parse_parts(vault_revision *rev, json_t *parts)
{
	size_t i;
	json_t *p;

	if (!json_is_array(parts))
		return vault_error__set(VAULT_EINVALID, "record parts are not a list");
	rev->parts = calloc(json_array_size(parts) + 1, sizeof(char *));
	if (!rev->parts)
		abort();
	json_array_foreach(parts, i, p) {
		if (!json_is_string(p) ||
		    vault_name_check("part number", json_string_value(p)) < 0)
			return vault_error__set(VAULT_EINVALID,
						"record part %zu is malformed", i + 1);
		rev->parts[rev->nparts++] = vault__strdup(json_string_value(p));
	}
	return 0;
}

int vault_record__revision_parse(vault_revision *rev, const char *data,
				 size_t len)
{
	const char *kind, *doc, *r, *type, *title = NULL, *by, *at, *org = NULL;
	const char *expires = NULL, *review_by = NULL;
	json_t *root, *parts, *files;
	json_int_t seq;
	json_error_t jerr;
	int format, error;

	memset(rev, 0, sizeof(*rev));
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return vault_error__set(VAULT_EINVALID,
			"record is not valid JSON: %s", jerr.text);
	if (json_unpack_ex(root, &jerr, JSON_STRICT,
			"{s:s, s:i, s:s, s:s, s:I, s:s, s?:s, s:o, s:o, s:s, s?:s, s:s, s?:s, s?:s}",
			"record", &kind, "format", &format, "doc", &doc,
			"rev", &r, "seq", &seq, "type", &type, "title", &title,
			"parts", &parts, "files", &files, "added_by", &by,
			"org", &org, "added_at", &at, "expires", &expires,
			"review_by", &review_by) < 0) {
		error = vault_error__set(VAULT_EINVALID,
			"record is malformed: %s", jerr.text);
		goto done;
	}
	if (strcmp(kind, "revision") != 0 || format != 1) {
		error = vault_error__set(VAULT_EINVALID,
			"record kind '%s' format %d is not known", kind, format);
		goto done;
	}
	if ((error = vault_name_check("document number", doc)) < 0 ||
	    (error = vault_name_check("revision", r)) < 0)
		goto done;
	if (!vault_record__type_known(type) || seq < 1 || seq > 0x7fffffff) {
		error = vault_error__set(VAULT_EINVALID,
			"record of '%s@%s' has a bad type or sequence", doc, r);
		goto done;
	}
	rev->doc = vault__strdup(doc);
	rev->rev = vault__strdup(r);
	rev->type = vault__strdup(type);
	rev->title = vault__strdup(title);
	rev->added_by = vault__strdup(by);
	rev->org = vault__strdup(org);
	rev->seq = (unsigned)seq;
	rev->expires = vault__strdup(expires);
	rev->review_by = vault__strdup(review_by);
	if ((expires && (error = vault_record__date_check("expiry date", expires)) < 0) ||
	    (review_by && (error = vault_record__date_check("review date", review_by)) < 0))
		goto done;
	if (parse_time(&rev->added_at, at) < 0) {
		error = vault_error__set(VAULT_EINVALID,
			"record of '%s@%s' has a bad time '%s'", doc, r, at);
		goto done;
	}
	if ((error = parse_parts(rev, parts)) < 0 ||
	    (error = parse_files(rev, files)) < 0)
		goto done;
done:
	if (error < 0)
		vault_revision_dispose(rev);
	json_decref(root);
	return error;
}

int vault_record__next_rev(char *buf, size_t size, const char *rev)
{
	size_t len = strlen(rev), i;

	if (len + 2 > size)
		return vault_error__set(VAULT_EINVALID,
			"revision '%s' has no successor", rev);
	memcpy(buf, rev, len + 1);
	for (i = len; i-- > 0;) {
		char c = buf[i];

		if ((c >= 'A' && c < 'Z') || (c >= '0' && c < '9') ||
		    (c >= 'a' && c < 'z')) {
			buf[i] = (char)(c + 1);
			return 0;
		}
		if (c == 'Z' || c == 'z') {
			buf[i] = (char)(c - 25);
			continue;
		}
		if (c == '9') {
			buf[i] = '0';
			continue;
		}
		break;
	}
	if (i == (size_t)-1) {
		/* every digit carried: Z -> AA, 9 -> 10 */
		char first = buf[0] == '0' ? '1' : buf[0];

		memmove(buf + 1, buf, len + 1);
		buf[0] = first;
		return 0;
	}
	return vault_error__set(VAULT_EINVALID,
		"revision '%s' has no obvious successor; give --rev", rev);
}

void vault_revision_dispose(vault_revision *rev)
{
	size_t i;

	if (!rev)
		return;
	free(rev->doc);
	free(rev->rev);
	free(rev->type);
	free(rev->title);
	free(rev->added_by);
	free(rev->org);
	free(rev->expires);
	free(rev->review_by);
	free(rev->marking);
	free(rev->licence);
	for (i = 0; i < rev->nto; i++)
		free(rev->to[i]);
	free(rev->to);
	free(rev->release_reason);
	free(rev->effective);
	free(rev->released_by);
	free(rev->obsolete_reason);
	free(rev->obsoleted_by);
	free(rev->withdrawn_reason);
	free(rev->withdrawn_by);
	for (i = 0; i < rev->nparts; i++)
		free(rev->parts[i]);
	free(rev->parts);
	for (i = 0; i < rev->nfiles; i++) {
		free(rev->files[i].name);
		free(rev->files[i].mime);
		free(rev->files[i].findings);
	}
	free(rev->files);
	memset(rev, 0, sizeof(*rev));
}

void vault_revision_list_free(vault_revision_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		vault_revision_dispose(&list->items[i]);
	free(list->items);
	free(list);
}

/* ---- release and obsolete records ----------------------------------- */

int vault_record__release_dump(char **out, size_t *len, const vault_release *r)
{
	json_t *to = json_array(), *root;
	char when[VAULT_TIME_SIZE];
	size_t i;

	for (i = 0; i < r->nto; i++)
		json_array_append_new(to, json_string(r->to[i]));
	vault_time_format(when, sizeof(when), r->at);
	root = json_pack("{s:s, s:i, s:s, s:s, s:o, s:s, s:s}", "record", "release",
			 "format", 1, "doc", r->doc, "rev", r->rev, "to", to,
			 "released_by", r->by, "released_at", when);
	if (root && r->reason)
		json_object_set_new(root, "reason", json_string(r->reason));
	if (root && r->effective)
		json_object_set_new(root, "effective", json_string(r->effective));
	if (root && r->marking)
		json_object_set_new(root, "marking", json_string(r->marking));
	if (root && r->licence)
		json_object_set_new(root, "licence", json_string(r->licence));
	return vault_record__dump(out, len, root);
}

/* 0 when the release names each organization once, else -1. */
static int unique_orgs(const vault_release *r)
{
	const char **names = malloc((r->nto ? r->nto : 1) * sizeof(*names));
	int twice;

	if (!names)
		abort();
	memcpy(names, r->to, r->nto * sizeof(*names));
	twice = repeated(names, r->nto) != NULL;
	free(names);
	return twice ? -1 : 0;
}

int vault_record__release_parse(vault_release *r, const char *data, size_t len)
{
	const char *kind, *doc, *rev, *by, *at, *reason = NULL, *eff = NULL;
	const char *marking = NULL, *licence = NULL;
	json_t *root, *to, *o;
	json_error_t jerr;
	size_t i;
	int format;

	memset(r, 0, sizeof(*r));
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack_ex(root, &jerr, JSON_STRICT,
			"{s:s, s:i, s:s, s:s, s:o, s?:s, s?:s, s:s, s:s, s?:s, s?:s}",
			"record", &kind, "format", &format, "doc", &doc, "rev", &rev,
			"to", &to, "reason", &reason, "effective", &eff,
			"released_by", &by, "released_at", &at, "marking", &marking,
			"licence", &licence) < 0 ||
	    strcmp(kind, "release") != 0 || format != 1 || !json_is_array(to) ||
	    parse_time(&r->at, at) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_EINVALID, "release record is malformed");
	}
	/* every organization a name: one that is not is no record qvault writes */
	json_array_foreach(to, i, o)
		if (!json_is_string(o)) {
			json_decref(root);
			return vault_error__set(VAULT_EINVALID, "release record is malformed");
		}
	r->doc = vault__strdup(doc);
	r->rev = vault__strdup(rev);
	r->by = vault__strdup(by);
	r->reason = vault__strdup(reason);
	r->effective = vault__strdup(eff);
	r->marking = vault__strdup(marking);
	r->licence = vault__strdup(licence);
	if ((r->to = calloc(json_array_size(to) + 1, sizeof(char *))) == NULL)
		abort();
	json_array_foreach(to, i, o)
		r->to[r->nto++] = vault__strdup(json_string_value(o));
	json_decref(root);
	/* nor one named twice (release refuses `--to acme,acme`): a record
	 * forged so would count one organization's receipt twice */
	if (unique_orgs(r) < 0) {
		vault_record__release_dispose(r);
		return vault_error__set(VAULT_EINVALID, "release record is malformed");
	}
	return 0;
}

void vault_record__release_dispose(vault_release *r)
{
	size_t i;

	free(r->doc);
	free(r->rev);
	free(r->by);
	free(r->reason);
	free(r->effective);
	free(r->marking);
	free(r->licence);
	for (i = 0; i < r->nto; i++)
		free(r->to[i]);
	free(r->to);
	memset(r, 0, sizeof(*r));
}

int vault_record__obsolete_dump(char **out, size_t *len, const char *doc, const char *rev,
				const char *reason, const char *by, int64_t at)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), at);
	return vault_record__dump(out, len, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s}",
		"record", "obsolete", "format", 1, "doc", doc, "rev", rev,
		"reason", reason, "obsoleted_by", by, "obsoleted_at", when));
}

int vault_record__obsolete_parse(char **reason, char **by, int64_t *at,
				 const char *data, size_t len)
{
	const char *kind, *r, *b, *when, *doc, *rev;
	json_error_t jerr;
	json_t *root;
	int format;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root || json_unpack_ex(root, &jerr, JSON_STRICT,
			"{s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "record", &kind,
			"format", &format, "doc", &doc, "rev", &rev, "reason", &r,
			"obsoleted_by", &b, "obsoleted_at", &when) < 0 ||
	    strcmp(kind, "obsolete") != 0 || parse_time(at, when) < 0) {
		json_decref(root);
		return vault_error__set(VAULT_EINVALID, "obsolete record is malformed");
	}
	*reason = vault__strdup(r);
	*by = vault__strdup(b);
	json_decref(root);
	return 0;
}

int vault_record__dates_check(const char *type, int64_t at, const char *expires,
			      const char *review_by)
{
	char when[VAULT_TIME_SIZE];

	vault_time_format(when, sizeof(when), at);
	when[10] = '\0';
	if (review_by && !vault_record__controlled(type))
		return vault_error__set(VAULT_EINVALID,
			"%s %s has no periodic review (--review-by is for drawings, models and specs; "
			"a record that lapses takes --expires)", vault_record__a(type), type);
	/* the dates are checked ones: YYYY-MM-DD compares as text */
	if (expires && strcmp(expires, when) < 0)
		return vault_error__set(VAULT_EINVALID,
			"expiry date %s is before the record's own date %s", expires, when);
	if (review_by && strcmp(review_by, when) < 0)
		return vault_error__set(VAULT_EINVALID,
			"review date %s is before the record's own date %s", review_by, when);
	return 0;
}

int vault_date_check(const char *what, const char *date)
{
	return vault_record__date_check(what, date);
}

/* Whether `date` is ten characters, DDDD-DD-DD, D a digit. */
static int canonical_date(const char *date)
{
	size_t i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? date[i] != '-' : date[i] < '0' || date[i] > '9')
			return 0;
	return date[10] == '\0';
}

int vault_record__date_check(const char *what, const char *date)
{
	char show[64];
	struct tm tm, copy, back;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	/* the digits where they stand: strptime also takes "2027- 1-10" and
	 * "2027-01-\n1", which compare as text (the index, the audit) before
	 * every real day and put a line break into what is shown */
	end = canonical_date(date) ? strptime(date, "%Y-%m-%d", &tm) : NULL;
	if (end && !*end) {
		/* strptime takes 2026-02-30: a real date survives a round trip
		 * (timegm normalizes what it is given, so give it a copy) */
		copy = tm;
		t = timegm(&copy);
		gmtime_r(&t, &back);
		if (back.tm_year == tm.tm_year && back.tm_mon == tm.tm_mon &&
		    back.tm_mday == tm.tm_mday)
			return 0;
	}
	/* shown cut, its control bytes escaped: the message stays one short line */
	return vault_error__set(VAULT_EINVALID, "%s '%s' is not a date (YYYY-MM-DD)",
				what, shown(show, sizeof(show), date));
}

const char *vault_record__enc(vault_enc *e, const char *name)
{
	if (!name || vault_name_encode(e->s, sizeof(e->s), name) < 0)
		e->s[0] = '\0';
	return e->s;
}

int vault_record__rev_file(char *buf, size_t size, const char *dir, const char *rev,
			   const char *file)
{
	vault_enc e;

	return vault__fmt(buf, size, "path", "%s/%s/%s", dir, vault_record__enc(&e, rev), file);
}
