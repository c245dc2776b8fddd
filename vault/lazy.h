/*
 * lazy.h - shared libraries loaded on first use.
 *
 * libqpdf (which brings libstdc++ and GnuTLS), libmicrohttpd, and libfido2
 * with libcbor are loaded (dlopen) by the first call that needs them, not
 * when qvault starts: a command that checks no PDF, serves no HTTP and
 * verifies no passkey maps none of them nor what they pull in, and starts
 * in half the time (bench section 17).  libcurl is loaded the same way by
 * tsa.c.
 *
 * Each library is a table of the functions qvault calls, each pointer
 * typed by the library's own header (__typeof__).  The headers
 * lazy_qpdf.h, lazy_mhd.h and lazy_fido2.h then name each pointer by its
 * function's name (`#define qpdf_init (*vault_qpdf.qpdf_init)`), so that
 * callers read as plain calls; a caller loads the table before its first
 * call.  The binary does not link these libraries, so a call through a
 * name missing from a table fails to link, and a table's name missing from
 * the library fails the load, with the library and the name in the message.
 */
#ifndef VAULT_LAZY_H
#define VAULT_LAZY_H

/* a struct member for each function: its pointer, typed by its declaration */
#define VAULT_LAZY_FIELD(f) __typeof__(f) *f;

/*
 * Load the table of libqpdf, libmicrohttpd, or libfido2 and libcbor, the
 * first time; 0, or VAULT_ERROR ("cannot load libqpdf.so.29: ...") when
 * the library or one of its functions is missing.  Thread-safe; once
 * loaded, a library stays.
 */
int vault_qpdf__load(void);
int vault_mhd__load(void);
int vault_fido2__load(void);

#endif
