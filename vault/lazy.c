/*
 * lazy.c - shared libraries loaded on first use.
 *
 * libqpdf (which brings libstdc++ and GnuTLS), and libfido2 with libcbor,
 * are loaded (dlopen) by the first call that needs them, not when qvault
 * starts: a command that checks no PDF and verifies no passkey maps none
 * of them nor what they pull in, and starts in half the time (bench
 * section 17).  The CLI loads libmicrohttpd the same way (cli/mhd.c), and
 * tsa.c libcurl.
 *
 * Each library is a table of the functions qvault calls, each pointer
 * typed by the library's own header (__typeof__).  The headers
 * lazy_qpdf.h and lazy_fido2.h then name each pointer by its function's
 * name (`#define qpdf_init (*vault_qpdf.qpdf_init)`), so that callers
 * read as plain calls; a caller loads the table before its first call.
 * The binary does not link these libraries, so a call through a name
 * missing from a table fails to link, and a table's name missing from
 * the library fails the load, with the library and the name in the
 * message.
 */
#define VAULT_LAZY_TABLES /* the headers below keep the libraries' own names */

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "error.h"
#include "lazy_fido2.h"
#include "lazy_qpdf.h"
#include "util.h"
#include "vault.h"

/* One lock for every load: loads are few, and each runs once. */
static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

/* Open `lib` and fill its table: 0, or -1 with the reason in lib->error. */
static int open_library(vault_lazy_library *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		vault__fmt_message(lib->error, sizeof(lib->error), "cannot load %s: %s",
				   lib->soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < lib->count; i++) {
		const vault_lazy_symbol *s = &lib->symbols[i];
		void *fn = dlsym(handle, s->name);

		/* a function pointer is a pointer's size on every system
		 * dlsym serves; a table that says otherwise is refused */
		if (!fn || s->size != sizeof(fn)) {
			vault__fmt_message(lib->error, sizeof(lib->error),
					   "cannot load %s: it has no %s", lib->soname, s->name);
			dlclose(handle);
			return -1;
		}
		memcpy((char *)lib->table + s->offset, &fn, sizeof(fn));
	}
	return 0;
}

int vault_lazy_load(vault_lazy_library *lib)
{
	/* read without the lock once settled: the release below orders the
	 * table's pointers (and the error) before the state that says so */
	int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);

	if (state == 0) {
		pthread_mutex_lock(&loading);
		if ((state = lib->state) == 0) {
			state = open_library(lib) < 0 ? -1 : 1;
			__atomic_store_n(&lib->state, state, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&loading);
	}
	return state > 0 ? 0 : vault_error__set(VAULT_ERROR, "%s", lib->error);
}

/*
 * A library of libqvault's: its table (struct vault_NAME, every function
 * FUNCTIONS names), its symbols, and vault_NAME__load.
 */
#define LIBRARY(name, so, FUNCTIONS)                                                          \
	struct vault_##name vault_##name;                                                     \
	static const vault_lazy_symbol name##_symbols[] = {                                   \
		FUNCTIONS(name##_SYMBOL)                                                      \
	};                                                                                    \
	static vault_lazy_library name##_library = {                                          \
		so, name##_symbols, sizeof(name##_symbols) / sizeof(name##_symbols[0]),       \
		&vault_##name, 0, ""                                                          \
	};                                                                                    \
                                                                                              \
	int vault_##name##__load(void)                                                        \
	{                                                                                     \
		return vault_lazy_load(&name##_library);                                      \
	}

/* Debian 12's libqpdf29 and libfido2-1 */
#define qpdf_SYMBOL(f) VAULT_LAZY_SYMBOL(struct vault_qpdf, f)
LIBRARY(qpdf, "libqpdf.so.29", VAULT_QPDF_FUNCTIONS)
/* libcbor's functions through libfido2's handle (dlsym searches a
 * library's dependencies too): the very libcbor libfido2 uses */
#define fido2_SYMBOL(f) VAULT_LAZY_SYMBOL(struct vault_fido2, f)
#define VAULT_FIDO2_AND_CBOR(X) VAULT_FIDO2_FUNCTIONS(X) VAULT_CBOR_FUNCTIONS(X)
LIBRARY(fido2, "libfido2.so.1", VAULT_FIDO2_AND_CBOR)
