#include "util.h"

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "error.h"
#include "vault.h"

void vault__hex(char *hex, const unsigned char *bin, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 0xf];
	}
	hex[2 * len] = '\0';
}

int vault__fmt(char *buf, size_t size, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return vault_error__set(VAULT_EINVALID, "%s is too long", what);
	return 0;
}

void vault__vfmt_message(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if ((n < 0 || (size_t)n >= size) && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

void vault__fmt_message(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vault__vfmt_message(buf, size, fmt, ap);
	va_end(ap);
}

void vault_time_format(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *vault__strdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if ((d = strdup(s)) == NULL)
		abort();
	return d;
}

/* Room for `more` bytes past len and the NUL, within the limit. */
static int buf_grow(vault_buf *b, size_t more)
{
	size_t want, cap;
	char *p;

	if (more > b->max || b->len > b->max - more)
		return vault_error__set(VAULT_EINVALID, "the content is over %zu bytes", b->max);
	want = b->len + more + 1;
	if (want <= b->alloc)
		return 0;
	cap = b->alloc > SIZE_MAX / 2 ? want : b->alloc * 2;
	if (cap < want)
		cap = want;
	if ((p = realloc(b->data, cap)) == NULL)
		return vault_error__set(VAULT_ERROR, "out of memory for %zu bytes", cap);
	b->data = p;
	b->alloc = cap;
	return 0;
}

int vault_buf__add(vault_buf *b, const char *s, size_t len)
{
	int error;

	if ((error = buf_grow(b, len)) < 0)
		return error;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int vault_buf__append(void *payload, const unsigned char *buf, size_t len, int first)
{
	(void)first;
	return vault_buf__add(payload, (const char *)buf, len);
}

int vault_buf__vaddf(vault_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n, error;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0)
		error = vault_error__errno(VAULT_ERROR, "cannot format '%s'", fmt);
	else if ((error = buf_grow(b, (size_t)n)) == 0) {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
	return error;
}

int vault_buf__addf(vault_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vault_buf__vaddf(b, fmt, ap);
	va_end(ap);
	return error;
}

const char *vault_buf__str(const vault_buf *b)
{
	return b->data ? b->data : "";
}

char *vault_buf__detach(vault_buf *b)
{
	char *s = b->data ? b->data : vault__strdup("");

	b->data = NULL;
	b->len = b->alloc = 0;
	return s;
}

void vault_buf__dispose(vault_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

char *vault__strndup(const char *s, size_t n)
{
	char *d;

	if ((d = strndup(s, n)) == NULL)
		abort();
	return d;
}

int vault__write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vault_error__errno(VAULT_ERROR, "cannot write");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vault__fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int error = 0;

	if (fd < 0)
		return vault_error__errno(VAULT_ERROR, "cannot open '%s'", path);
	if (fsync(fd) < 0)
		error = vault_error__errno(VAULT_ERROR, "cannot sync '%s'", path);
	close(fd);
	return error;
}

/* Length of the UTF-8 sequence starting at `s`, or 0 when malformed. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 control characters */
	if (cp >= 0x80 && cp < 0xa0)
		return 0;
	return n;
}

int vault__text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if ((n = utf8_len(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

void vault__remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[4096 + 256];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* best effort: what cannot be named stays (and its folder with it) */
		if (vault__fmt(sub, sizeof(sub), "path", "%s/%s", path, e->d_name) == 0 &&
		    unlink(sub) < 0)
			vault__remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

int vault__tighten_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[4096 + 256];
	DIR *d;
	int error = 0;

	if (lstat(path, &st) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	if (S_ISLNK(st.st_mode))
		return 0;
	if ((st.st_mode & 022) && chmod(path, st.st_mode & 07755) < 0)
		return vault_error__errno(VAULT_ERROR, "cannot set the mode of '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if ((d = opendir(path)) == NULL)
		return vault_error__errno(VAULT_ERROR, "cannot read '%s'", path);
	while (!error && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((error = vault__fmt(sub, sizeof(sub), "path", "%s/%s", path, e->d_name)) == 0)
			error = vault__tighten_tree(sub);
	}
	closedir(d);
	return error;
}

int vault_sha256_fd(char hex[65], int fd)
{
	unsigned char buf[65536], md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ssize_t n;
	int error = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return vault_error__ssl(VAULT_ERROR, "cannot hash");
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = vault_error__errno(VAULT_ERROR, "cannot read the file to hash it");
			break;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (error == 0) {
		EVP_DigestFinal_ex(ctx, md, NULL);
		vault__hex(hex, md, sizeof(md));
	}
	EVP_MD_CTX_free(ctx);
	return error;
}

uint64_t vault__hash_key(const void *salt)
{
	uint64_t key;

	if (getrandom(&key, sizeof(key), 0) != (ssize_t)sizeof(key))
		key = (uint64_t)(uintptr_t)salt ^ 0x5851F42D4C957F2Du;
	return key;
}

uint64_t vault__hash_str(uint64_t key, const char *s)
{
	uint64_t h = key ^ 1469598103934665603u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	/* FNV's low bits depend only on the low bits of what it read: the
	 * table takes the low bits, so every bit of the state goes into them */
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDu;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53u;
	h ^= h >> 33;
	return h;
}
