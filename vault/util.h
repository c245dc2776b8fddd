/*
 * util.h - small helpers shared by the library's modules.
 */
#ifndef VAULT_UTIL_H
#define VAULT_UTIL_H

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

/* strdup that aborts on exhaustion, and NULL for NULL. */
char *vault__strdup(const char *s);
/*
 * A buffer streamed content is collected into, up to `max` bytes, kept
 * NUL-terminated; vault_buf__append() is a chunk callback (store, package).
 */
typedef struct {
	char *data;
	size_t len, max;
} vault_buf;
int vault_buf__append(void *payload, const unsigned char *buf, size_t len, int first);

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

#endif
