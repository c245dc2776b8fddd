#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <git2.h>
#include <openssl/err.h>
#include <unistr.h>

#include "vault.h"

static _Thread_local char message[1024];

const char *vault_error_message(void)
{
	return message[0] ? message : "unknown error";
}

/*
 * A message is UTF-8 text (JSON carries it, a page shows it): a byte of no
 * character (a name quoted "%.64s" cut inside one, the end of a cut
 * message, a name that was never UTF-8) becomes '?'.
 */
static void as_utf8(char *s)
{
	const uint8_t *bad;

	while ((bad = u8_check((const uint8_t *)s, strlen(s))) != NULL)
		s[bad - (const uint8_t *)s] = '?';
}

/*
 * How many bytes of `s` (UTF-8, checked) a control character takes that
 * is not ASCII: a C1 control (U+0080 to U+009F: U+009B is a terminal's
 * CSI, as ESC [ is) or a bidirectional override or isolate (U+202A to
 * U+202E, U+2066 to U+2069), which shows the rest of a line reversed;
 * 0 for any other.
 */
static size_t wide_control(const unsigned char *s)
{
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	if (s[0] == 0xe2 && ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
			     (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)))
		return 3;
	return 0;
}

/*
 * A message is one line: a control character that a name quoted in it
 * brought (a newline or a carriage return in an argument, a tab, an
 * escape, and their kin beyond ASCII: wide_control) becomes '?', so a
 * refusal never reads as two lines or moves the terminal's cursor.
 */
static void one_line(char *s)
{
	char *out = s;
	size_t k;

	while (*s) {
		if ((k = wide_control((const unsigned char *)s)) != 0) {
			*out++ = '?';
			s += k;
		} else {
			*out++ = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
			s++;
		}
	}
	*out = '\0';
}

/* Format through a copy: callers may pass the current message as an argument. */
static void set_v(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * A message is diagnostic text in a bounded buffer: one that does not fit
 * (a name quoted in it is at most VAULT_NAME_MAX bytes, so only what
 * another library says can make it so) ends in "..." where it was cut,
 * never silently.
 */
static void mark_cut(char *buf, size_t size)
{
	if (size > 4)
		memcpy(buf + size - 4, "...", 4);
}

/* Add `s` to the string in buf[size], marking where it was cut. */
static void put(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf), n = strlen(s);

	if (len + n < size) {
		memcpy(buf + len, s, n + 1);
		return;
	}
	memcpy(buf + len, s, size - 1 - len);
	buf[size - 1] = '\0';
	mark_cut(buf, size);
}

static void set_v(const char *fmt, va_list ap)
{
	char buf[sizeof(message)];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		memcpy(buf, "(a message that cannot be formatted)",
		       sizeof("(a message that cannot be formatted)"));
	else if ((size_t)n >= sizeof(buf))
		mark_cut(buf, sizeof(buf));
	as_utf8(buf);
	one_line(buf);
	memcpy(message, buf, sizeof(message));
}

/* Append ": detail" to the message, marking where it was cut. */
static void append(const char *detail)
{
	const char *nl;

	if (!detail || !*detail)
		return;
	put(message, sizeof(message), ": ");
	put(message, sizeof(message), detail);
	/* keep it to one line whatever the library said */
	if ((nl = strchr(message, '\n')) != NULL)
		message[nl - message] = '\0';
	as_utf8(message);
	one_line(message);
}

int vault_error__set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_v(fmt, ap);
	va_end(ap);
	return code;
}

int vault_error__git(int code, const char *fmt, ...)
{
	int saved = errno;
	const git_error *e = git_error_last();
	char detail[512] = "";
	va_list ap;

	/* format the git error first: set_v() may overwrite it otherwise.
	 * Some libgit2 paths fail on a system call without setting an error
	 * (callers clear it before such calls): then errno says why. */
	put(detail, sizeof(detail), e && e->message && *e->message ? e->message :
	    saved ? strerror(saved) : "");
	va_start(ap, fmt);
	set_v(fmt, ap);
	va_end(ap);
	append(detail);
	return code;
}

int vault_error__errno(int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	set_v(fmt, ap);
	va_end(ap);
	append(strerror(saved));
	return code;
}

int vault_error__ssl(int code, const char *fmt, ...)
{
	unsigned long e = ERR_get_error();
	char detail[256] = "";
	va_list ap;

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	va_start(ap, fmt);
	set_v(fmt, ap);
	va_end(ap);
	append(detail);
	return code;
}

int vault_error__from_git(int git_error)
{
	switch (git_error) {
	case 0:
		return 0;
	case GIT_ENOTFOUND:
		return VAULT_ENOTFOUND;
	case GIT_EEXISTS:
		return VAULT_EEXISTS;
	case GIT_ELOCKED:
		return VAULT_ELOCKED;
	case GIT_EINVALID:
	case GIT_EINVALIDSPEC:
		return VAULT_EINVALID;
	default:
		return VAULT_ERROR;
	}
}
