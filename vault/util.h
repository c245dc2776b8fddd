/*
 * util.h - small helpers shared by the library's modules.
 */
#ifndef VAULT_UTIL_H
#define VAULT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Write `len` bytes of `bin` as lowercase hex plus NUL into `hex`. */
void vault__hex(char *hex, const unsigned char *bin, size_t len);

/*
 * snprintf into a fixed buffer; fails with VAULT_EINVALID naming `what`
 * when the result would not fit.
 */
int vault__fmt(char *buf, size_t size, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * snprintf of a message (diagnostic text, shown to a person) into a fixed
 * buffer: what does not fit ends in "...", so a cut is never silent.
 */
void vault__fmt_message(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vault__vfmt_message(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* strdup that aborts on exhaustion, and NULL for NULL. */
char *vault__strdup(const char *s);
/*
 * A growable string, kept NUL-terminated (git's strbuf): what does not fit
 * is never cut, the add fails instead, with the error set (VAULT_EINVALID
 * past `max` bytes, VAULT_ERROR when memory runs out) and the buffer as it
 * was.  Start it with VAULT_BUF_INIT (no limit) or { NULL, 0, max, 0 }; `data`
 * stays NULL until something is added.  vault_buf__append() is a chunk
 * callback (store, package) that collects streamed content.
 */
typedef struct {
	char *data;
	size_t len, max;
	size_t alloc;
} vault_buf;
#define VAULT_BUF_INIT { NULL, 0, SIZE_MAX, 0 }
int vault_buf__append(void *payload, const unsigned char *buf, size_t len, int first);

/* Add `len` bytes of `s`, or the printf-style result of `fmt`. */
int vault_buf__add(vault_buf *b, const char *s, size_t len);
int vault_buf__addf(vault_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vault_buf__vaddf(vault_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The string so far, "" when nothing was added; the buffer still owns it. */
const char *vault_buf__str(const vault_buf *b);

/* The string, now the caller's to free ("" when empty); the buffer is reset. */
char *vault_buf__detach(vault_buf *b);

/* Free what the buffer holds and reset it; its limit stays. */
void vault_buf__dispose(vault_buf *b);

/* The first n bytes of s (fewer at a NUL), NUL-terminated; aborts on OOM. */
char *vault__strndup(const char *s, size_t n);

/* Write all of `len` bytes to `fd`, retrying short writes and EINTR. */
int vault__write_all(int fd, const void *buf, size_t len);

/* Remove the folder `path` and all below it (quarantines, fetches): best effort. */
void vault__remove_tree(const char *path);

/*
 * Take the write permission of group and others from `path` and all below
 * it (symbolic links left alone), so that what a permissive umask (000)
 * let libgit2 create 0777 or 0666 ends 0755 or 0644; -1 with the error
 * set when a chmod fails.
 */
int vault__tighten_tree(const char *path);

/* fsync the directory `path` so that a rename in it is durable. */
int vault__fsync_dir(const char *path);

/* 1 when `s` is well-formed UTF-8 with no control characters. */
int vault__text_ok(const char *s);

/*
 * A random key for a hash table's hash, so that where entries land cannot
 * be chosen from outside (names a supplier picks, ids a peer sends); from
 * getrandom(2), or, should that fail, from `salt`'s address.
 */
uint64_t vault__hash_key(const void *salt);

/* The keyed hash of string `s` (FNV-1a from `key`, its bits then mixed). */
uint64_t vault__hash_str(uint64_t key, const char *s);

#endif
