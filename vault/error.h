/*
 * error.h - setting the one-line error message of vault_error_message().
 */
#ifndef VAULT_ERROR_H
#define VAULT_ERROR_H

#include <stdarg.h>

/* Set the message and return `code`, so callers can `return vault_error__set(...)`. */
int vault_error__set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, appending libgit2's last error: "<message>: <git error>". */
int vault_error__git(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, appending strerror(errno). */
int vault_error__errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, appending OpenSSL's first queued error. */
int vault_error__ssl(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Map a libgit2 error code to ours (GIT_ENOTFOUND -> VAULT_ENOTFOUND...). */
int vault_error__from_git(int git_error);

#endif
