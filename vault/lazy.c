/*
 * lazy.c - shared libraries loaded on first use.
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
#define VAULT_LAZY_TABLES /* the headers below keep the libraries' own names */

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "error.h"
#include "lazy_fido2.h"
#include "lazy_mhd.h"
#include "lazy_qpdf.h"
#include "util.h"
#include "vault.h"

struct vault_qpdf vault_qpdf;
struct vault_mhd vault_mhd;
struct vault_fido2 vault_fido2;

/* One library: loaded once; what went wrong kept for every later caller. */
typedef struct {
	pthread_once_t once;
	int ready;
	char error[256];
} library;

/* `soname` opened; NULL, the reason in l->error, when it cannot be. */
static void *open_library(library *l, const char *soname)
{
	void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle)
		vault__fmt_message(l->error, sizeof(l->error), "cannot load %s: %s", soname,
				   dlerror());
	return handle;
}

/* The function `name` of `handle` into *fn (a function pointer of `size` bytes). */
static int symbol(library *l, void *fn, size_t size, void *handle, const char *soname,
		  const char *name)
{
	void *sym = dlsym(handle, name);

	if (!sym || size != sizeof(sym)) {
		vault__fmt_message(l->error, sizeof(l->error), "cannot load %s: it has no %s",
				   soname, name);
		return -1;
	}
	memcpy(fn, &sym, sizeof(sym));
	return 0;
}

static int loaded(const library *l)
{
	return l->ready ? 0 : vault_error__set(VAULT_ERROR, "%s", l->error);
}

/* Field f of table t looked up in h (in an open function, below). */
#define FIND(f)                                                                               \
	if (symbol(l, &t->f, sizeof(t->f), h, soname, #f) < 0)                                \
		return;

/*
 * A library's state, the function that opens it and fills its table
 * (struct vault_NAME, every function FUNCTIONS names), and
 * vault_NAME__load, which runs that once.
 */
#define LIBRARY(name, so, FUNCTIONS)                                                          \
	static library name##_lib = { PTHREAD_ONCE_INIT, 0, "" };                             \
                                                                                              \
	static void name##_open(void)                                                         \
	{                                                                                     \
		static const char soname[] = so;                                              \
		library *l = &name##_lib;                                                     \
		struct vault_##name *t = &vault_##name;                                       \
		void *h = open_library(l, soname);                                            \
                                                                                              \
		if (!h)                                                                       \
			return;                                                               \
		FUNCTIONS(FIND)                                                               \
		l->ready = 1;                                                                 \
	}                                                                                     \
                                                                                              \
	int vault_##name##__load(void)                                                        \
	{                                                                                     \
		pthread_once(&name##_lib.once, name##_open);                                  \
		return loaded(&name##_lib);                                                   \
	}

/* Debian 12's libqpdf29, libmicrohttpd12 and libfido2-1 */
LIBRARY(qpdf, "libqpdf.so.29", VAULT_QPDF_FUNCTIONS)
LIBRARY(mhd, "libmicrohttpd.so.12", VAULT_MHD_FUNCTIONS)
/* libcbor's functions through libfido2's handle (dlsym searches a
 * library's dependencies too): the very libcbor libfido2 uses */
#define VAULT_FIDO2_AND_CBOR(X) VAULT_FIDO2_FUNCTIONS(X) VAULT_CBOR_FUNCTIONS(X)
LIBRARY(fido2, "libfido2.so.1", VAULT_FIDO2_AND_CBOR)
