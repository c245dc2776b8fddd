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

/* ---- libqpdf (Debian 12: libqpdf29) -------------------------------------------------- */

static library qpdf_lib = { PTHREAD_ONCE_INIT, 0, "" };

static void qpdf_open(void)
{
	static const char soname[] = "libqpdf.so.29";
	void *h = open_library(&qpdf_lib, soname);

	if (!h)
		return;
#define ONE(f)                                                                                \
	if (symbol(&qpdf_lib, &vault_qpdf.f, sizeof(vault_qpdf.f), h, soname, #f) < 0)       \
		return;
	VAULT_QPDF_FUNCTIONS(ONE)
#undef ONE
	qpdf_lib.ready = 1;
}

int vault_qpdf__load(void)
{
	pthread_once(&qpdf_lib.once, qpdf_open);
	return loaded(&qpdf_lib);
}

/* ---- libmicrohttpd (Debian 12: libmicrohttpd12) ------------------------------------ */

static library mhd_lib = { PTHREAD_ONCE_INIT, 0, "" };

static void mhd_open(void)
{
	static const char soname[] = "libmicrohttpd.so.12";
	void *h = open_library(&mhd_lib, soname);

	if (!h)
		return;
#define ONE(f)                                                                                \
	if (symbol(&mhd_lib, &vault_mhd.f, sizeof(vault_mhd.f), h, soname, #f) < 0)          \
		return;
	VAULT_MHD_FUNCTIONS(ONE)
#undef ONE
	mhd_lib.ready = 1;
}

int vault_mhd__load(void)
{
	pthread_once(&mhd_lib.once, mhd_open);
	return loaded(&mhd_lib);
}

/* ---- libfido2 and the libcbor it links (Debian 12: libfido2-1, libcbor0.8) ------------ */

static library fido2_lib = { PTHREAD_ONCE_INIT, 0, "" };

static void fido2_open(void)
{
	static const char fido2[] = "libfido2.so.1";
	void *h = open_library(&fido2_lib, fido2);

	if (!h)
		return;
#define ONE(f)                                                                                \
	if (symbol(&fido2_lib, &vault_fido2.f, sizeof(vault_fido2.f), h, fido2, #f) < 0)     \
		return;
	VAULT_FIDO2_FUNCTIONS(ONE)
#undef ONE
	/* libcbor through libfido2's handle (dlsym searches its dependencies):
	 * the very copy libfido2 uses */
#define ONE(f)                                                                                \
	if (symbol(&fido2_lib, &vault_fido2.f, sizeof(vault_fido2.f), h, fido2, #f) < 0)     \
		return;
	VAULT_CBOR_FUNCTIONS(ONE)
#undef ONE
	fido2_lib.ready = 1;
}

int vault_fido2__load(void)
{
	pthread_once(&fido2_lib.once, fido2_open);
	return loaded(&fido2_lib);
}
