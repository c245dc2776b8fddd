#include "detect.h"

#include <stdlib.h>
#include <string.h>

#include <magic.h>

#include "error.h"
#include "vault.h"

struct vault_detect {
	magic_t magic;
};

int vault_detect__new(vault_detect **out)
{
	vault_detect *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	d->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
	if (!d->magic) {
		free(d);
		return vault_error__errno(VAULT_ERROR, "cannot start libmagic");
	}
	if (magic_load(d->magic, NULL) < 0) {
		int error = vault_error__set(VAULT_ERROR,
			"cannot load libmagic's database: %s", magic_error(d->magic));

		vault_detect__free(d);
		return error;
	}
	*out = d;
	return 0;
}

void vault_detect__free(vault_detect *d)
{
	if (!d)
		return;
	if (d->magic)
		magic_close(d->magic);
	free(d);
}

/* ISO 10303-21 (STEP) files open with this exact keyword. */
static int is_step(const char *buf, size_t len)
{
	static const char magic[] = "ISO-10303-21;";

	return len >= sizeof(magic) - 1 && memcmp(buf, magic, sizeof(magic) - 1) == 0;
}

/*
 * IGES files are 80-column card images; the first is a Start section
 * line: column 73 holds 'S' and columns 74-80 its sequence number 1.
 */
static int is_iges(const char *buf, size_t len)
{
	size_t i;

	if (len < 80 || buf[72] != 'S')
		return 0;
	for (i = 73; i < 79; i++)
		if (buf[i] != ' ' && buf[i] != '0')
			return 0;
	return buf[79] == '1' && (len == 80 || buf[80] == '\n' || buf[80] == '\r');
}

/* Binary DXF opens with this sentinel (AutoCAD's DXF reference). */
static int is_dxf_binary(const char *buf, size_t len)
{
	static const char magic[] = "AutoCAD Binary DXF\r\n\x1a";

	return len >= sizeof(magic) && memcmp(buf, magic, sizeof(magic)) == 0;
}

/*
 * One line of text at *pos (its end: \n, \r\n or the buffer's), without
 * the spaces around it; 0 when there is none or it is longer than `max`.
 */
static int text_line(const char **line, size_t *n, const char *buf, size_t len,
		     size_t *pos, size_t max)
{
	size_t start = *pos, end;

	while (start < len && (buf[start] == ' ' || buf[start] == '\t'))
		start++;
	for (end = start; end < len && buf[end] != '\n'; end++)
		if (end - start > max)
			return 0;
	if (end == len)
		return 0;
	*pos = end + 1;
	while (end > start && (buf[end - 1] == '\r' || buf[end - 1] == ' '))
		end--;
	*line = buf + start;
	*n = end - start;
	return 1;
}

static int line_is(const char *line, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(line, word, n) == 0;
}

/*
 * Text DXF is pairs of lines, a group code and its value.  libmagic
 * knows a file that opens with a HEADER section; writers also open with
 * 999 (comment) pairs, or with another section (ENTITIES alone is a
 * valid DXF).  Recognised here: any number of 999 pairs, then 0/SECTION,
 * then 2/ and the name of a section DXF defines.
 */
static int is_dxf_text(const char *buf, size_t len)
{
	static const char *const sections[] = { "HEADER", "CLASSES", "TABLES", "BLOCKS",
						"ENTITIES", "OBJECTS", "THUMBNAILIMAGE", NULL };
	const char *code, *value;
	size_t pos = 0, cn, vn, i, comments = 0;

	for (;;) {
		if (!text_line(&code, &cn, buf, len, &pos, 8) ||
		    !text_line(&value, &vn, buf, len, &pos, 4096))
			return 0;
		if (!line_is(code, cn, "999"))
			break;
		if (++comments > 1000)
			return 0;
	}
	if (!line_is(code, cn, "0") || !line_is(value, vn, "SECTION") ||
	    !text_line(&code, &cn, buf, len, &pos, 8) || !line_is(code, cn, "2") ||
	    !text_line(&value, &vn, buf, len, &pos, 32))
		return 0;
	for (i = 0; sections[i]; i++)
		if (line_is(value, vn, sections[i]))
			return 1;
	return 0;
}

/*
 * QIF (ISO 23952, the XML of quality information: inspection plans and
 * results): an XML document whose root element is QIFDocument, with or
 * without a namespace prefix.  What precedes the root (a byte-order mark,
 * the XML declaration, comments, processing instructions) is skipped.
 */
static int is_qif(const char *buf, size_t len)
{
	static const char root[] = "QIFDocument";
	size_t pos = 0, name, end;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	for (;;) {
		while (pos < len && strchr(" \t\r\n", buf[pos]) && buf[pos])
			pos++;
		if (pos + 1 >= len || buf[pos] != '<')
			return 0;
		if (buf[pos + 1] == '?' || buf[pos + 1] == '!') {
			const char *close = memchr(buf + pos, '>', len - pos);

			if (!close)
				return 0;
			pos = (size_t)(close - buf) + 1;
			continue;
		}
		break;
	}
	name = ++pos;
	for (end = name; end < len && (buf[end] == ':' || buf[end] == '_' || buf[end] == '-' ||
		       buf[end] == '.' || (buf[end] >= 'a' && buf[end] <= 'z') ||
		       (buf[end] >= 'A' && buf[end] <= 'Z') || (buf[end] >= '0' && buf[end] <= '9'));
	     end++)
		if (buf[end] == ':')
			name = end + 1;
	return end < len && end - name == sizeof(root) - 1 &&
	       memcmp(buf + name, root, sizeof(root) - 1) == 0 &&
	       strchr(" \t\r\n/>", buf[end]) && buf[end];
}

/* ASCII STL: "solid NAME", then facets. */
static int is_stl_text(const char *buf, size_t len)
{
	const char *line;
	size_t pos = 0, n;

	if (len < 6 || memcmp(buf, "solid", 5) != 0 || (buf[5] != ' ' && buf[5] != '\n' &&
							 buf[5] != '\r'))
		return 0;
	if (!text_line(&line, &n, buf, len, &pos, 4096) ||
	    !text_line(&line, &n, buf, len, &pos, 4096))
		return 0;
	return (n >= 6 && memcmp(line, "facet ", 6) == 0) || line_is(line, n, "facet") ||
	       (n >= 8 && memcmp(line, "endsolid", 8) == 0);
}

/* JT (ISO 14306) opens with its 80-byte header: "Version N.N JT". */
static int is_jt(const char *buf, size_t len)
{
	size_t i = 8;

	if (len < 80 || memcmp(buf, "Version ", 8) != 0)
		return 0;
	while (i < 16 && ((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.'))
		i++;
	return i > 8 && i + 3 <= 80 && memcmp(buf + i, " JT", 3) == 0;
}

/* A Parasolid text transmit file (.x_t) opens with this line. */
static int is_parasolid_text(const char *buf, size_t len)
{
	static const char magic[] = "**ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz**";

	return len >= sizeof(magic) - 1 && memcmp(buf, magic, sizeof(magic) - 1) == 0;
}

/*
 * 3MF is a zip whose model part is 3D/3dmodel.model: a local file header
 * of that name in the first chunk (the writers put it among the first).
 */
static int is_3mf(const char *buf, size_t len)
{
	static const char part[] = "3D/3dmodel.model";
	size_t pos = 0;

	while (pos + 30 <= len && memcmp(buf + pos, "PK\3\4", 4) == 0) {
		const unsigned char *h = (const unsigned char *)buf + pos;
		size_t name = (size_t)h[26] | (size_t)h[27] << 8;
		size_t extra = (size_t)h[28] | (size_t)h[29] << 8;
		size_t size = (size_t)h[18] | (size_t)h[19] << 8 | (size_t)h[20] << 16 |
			      (size_t)h[21] << 24;

		if (pos + 30 + name > len)
			return 0;
		if (name == sizeof(part) - 1 && memcmp(h + 30, part, name) == 0)
			return 1;
		/* a size only the data descriptor gives: no further header to find */
		if (h[6] & 8)
			return 0;
		pos += 30 + name + extra + size;
	}
	return 0;
}

/* The fields of one CSV line (quoted fields may hold the separator). */
static size_t csv_fields(const char *line, size_t n, char sep)
{
	size_t i, fields = 1;
	int quoted = 0;

	for (i = 0; i < n; i++)
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == sep && !quoted)
			fields++;
	return fields;
}

/*
 * CSV that libmagic calls text/plain (it wants three lines or more): a
 * header and a row or more, every line of the same number of fields (two
 * or more) by one separator, comma, semicolon or tab.  An unterminated
 * last line (the chunk may end inside it) is left out when lines before
 * it decide.
 */
static int is_csv(const char *buf, size_t len)
{
	static const char seps[] = ",;\t";
	size_t s;

	for (s = 0; seps[s]; s++) {
		const char *line;
		size_t pos = 0, n, lines = 0, want = 0;
		int ok = 1;

		while (ok && text_line(&line, &n, buf, len, &pos, 65536)) {
			size_t f = csv_fields(line, n, seps[s]);

			if (n == 0)
				continue;
			if (!lines++)
				want = f;
			ok = f >= 2 && f == want;
		}
		if (ok && pos < len && lines < 2) {
			if (csv_fields(buf + pos, len - pos, seps[s]) != want || want < 2)
				ok = 0;
			lines++;
		}
		if (ok && lines >= 2)
			return 1;
	}
	return 0;
}

int vault_detect__buffer(const char **mime, vault_detect *d, const void *buf,
			 size_t len)
{
	const char *magic;

	return vault_detect__both(mime, &magic, d, buf, len);
}

int vault_detect__both(const char **mime, const char **magic, vault_detect *d,
		       const void *buf, size_t len)
{
	const char *m = magic_buffer(d->magic, buf, len);

	if (!m)
		return vault_error__set(VAULT_ERROR, "cannot detect the content type: %s",
					magic_error(d->magic));
	*magic = m;
	if (strcmp(m, "text/plain") == 0) {
		if (is_step(buf, len))
			m = "model/step";
		else if (is_iges(buf, len))
			m = "model/iges";
		else if (is_dxf_text(buf, len))
			m = "image/vnd.dxf";
		else if (is_stl_text(buf, len))
			m = "model/stl";
		else if (is_parasolid_text(buf, len))
			m = "model/vnd.parasolid.transmit.text";
		else if (is_qif(buf, len))
			m = VAULT_MIME_QIF;
		else if (is_csv(buf, len))
			m = "text/csv";
	} else if (strcmp(m, "text/xml") == 0 || strcmp(m, "application/xml") == 0) {
		if (is_qif(buf, len))
			m = VAULT_MIME_QIF;
	} else if (strcmp(m, "application/octet-stream") == 0) {
		if (is_dxf_binary(buf, len))
			m = "image/vnd.dxf";
		else if (is_jt(buf, len))
			m = "model/jt";
	} else if (strcmp(m, "application/zip") == 0) {
		if (is_3mf(buf, len))
			m = "model/3mf";
	}
	*mime = m;
	return 0;
}
