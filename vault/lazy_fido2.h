/*
 * lazy_fido2.h - libfido2 and libcbor, loaded on first use (lazy.c):
 * include it instead of <fido.h>, <fido/es256.h> and <cbor.h>, and call
 * vault_fido2__load() before the first call.
 */
#ifndef VAULT_LAZY_FIDO2_H
#define VAULT_LAZY_FIDO2_H

#include <cbor.h>
#include <fido.h>
#include <fido/es256.h>

/* a struct member for each function: its pointer, typed by its declaration */
#ifndef VAULT_LAZY_FIELD
#define VAULT_LAZY_FIELD(f) __typeof__(f) *f;
#endif

#define VAULT_FIDO2_FUNCTIONS(X) \
	X(fido_assert_new) X(fido_assert_free) X(fido_assert_set_authdata_raw) \
	X(fido_assert_set_clientdata) X(fido_assert_set_count) X(fido_assert_set_rp) \
	X(fido_assert_set_sig) X(fido_assert_set_up) X(fido_assert_set_uv) \
	X(fido_assert_verify) X(fido_cred_new) X(fido_cred_free) X(fido_cred_pubkey_len) \
	X(fido_cred_pubkey_ptr) X(fido_cred_set_authdata_raw) X(fido_cred_set_type) \
	X(fido_strerr) X(es256_pk_new) X(es256_pk_free) X(es256_pk_from_ptr)

#define VAULT_CBOR_FUNCTIONS(X) \
	X(cbor_load) X(cbor_decref) X(cbor_isa_map) X(cbor_isa_string) X(cbor_isa_bytestring) \
	X(cbor_map_handle) X(cbor_map_is_definite) X(cbor_map_size) X(cbor_string_handle) \
	X(cbor_string_is_definite) X(cbor_string_length) X(cbor_bytestring_handle) \
	X(cbor_bytestring_is_definite) X(cbor_bytestring_length)

/*
 * Load libfido2 and libcbor the first time; 0, or VAULT_ERROR ("cannot load
 * SONAME: ...") when the library or one of its functions is missing.
 * Thread-safe; once loaded, it stays.
 */
int vault_fido2__load(void);

extern struct vault_fido2 {
	VAULT_FIDO2_FUNCTIONS(VAULT_LAZY_FIELD)
	VAULT_CBOR_FUNCTIONS(VAULT_LAZY_FIELD)
} vault_fido2;

#ifndef VAULT_LAZY_TABLES
#define fido_assert_new (*vault_fido2.fido_assert_new)
#define fido_assert_free (*vault_fido2.fido_assert_free)
#define fido_assert_set_authdata_raw (*vault_fido2.fido_assert_set_authdata_raw)
#define fido_assert_set_clientdata (*vault_fido2.fido_assert_set_clientdata)
#define fido_assert_set_count (*vault_fido2.fido_assert_set_count)
#define fido_assert_set_rp (*vault_fido2.fido_assert_set_rp)
#define fido_assert_set_sig (*vault_fido2.fido_assert_set_sig)
#define fido_assert_set_up (*vault_fido2.fido_assert_set_up)
#define fido_assert_set_uv (*vault_fido2.fido_assert_set_uv)
#define fido_assert_verify (*vault_fido2.fido_assert_verify)
#define fido_cred_new (*vault_fido2.fido_cred_new)
#define fido_cred_free (*vault_fido2.fido_cred_free)
#define fido_cred_pubkey_len (*vault_fido2.fido_cred_pubkey_len)
#define fido_cred_pubkey_ptr (*vault_fido2.fido_cred_pubkey_ptr)
#define fido_cred_set_authdata_raw (*vault_fido2.fido_cred_set_authdata_raw)
#define fido_cred_set_type (*vault_fido2.fido_cred_set_type)
#define fido_strerr (*vault_fido2.fido_strerr)
#define es256_pk_new (*vault_fido2.es256_pk_new)
#define es256_pk_free (*vault_fido2.es256_pk_free)
#define es256_pk_from_ptr (*vault_fido2.es256_pk_from_ptr)
#define cbor_load (*vault_fido2.cbor_load)
#define cbor_decref (*vault_fido2.cbor_decref)
#define cbor_isa_map (*vault_fido2.cbor_isa_map)
#define cbor_isa_string (*vault_fido2.cbor_isa_string)
#define cbor_isa_bytestring (*vault_fido2.cbor_isa_bytestring)
#define cbor_map_handle (*vault_fido2.cbor_map_handle)
#define cbor_map_is_definite (*vault_fido2.cbor_map_is_definite)
#define cbor_map_size (*vault_fido2.cbor_map_size)
#define cbor_string_handle (*vault_fido2.cbor_string_handle)
#define cbor_string_is_definite (*vault_fido2.cbor_string_is_definite)
#define cbor_string_length (*vault_fido2.cbor_string_length)
#define cbor_bytestring_handle (*vault_fido2.cbor_bytestring_handle)
#define cbor_bytestring_is_definite (*vault_fido2.cbor_bytestring_is_definite)
#define cbor_bytestring_length (*vault_fido2.cbor_bytestring_length)
#endif

#endif
