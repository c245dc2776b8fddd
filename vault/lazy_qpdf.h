/*
 * lazy_qpdf.h - libqpdf's C API, loaded on first use (lazy.c): include it
 * instead of <qpdf/qpdf-c.h>, and call vault_qpdf__load() before the first
 * call.
 */
#ifndef VAULT_LAZY_QPDF_H
#define VAULT_LAZY_QPDF_H

#include <qpdf/qpdf-c.h>

/* a struct member for each function: its pointer, typed by its declaration */
#ifndef VAULT_LAZY_FIELD
#define VAULT_LAZY_FIELD(f) __typeof__(f) *f;
#endif

#define VAULT_QPDF_FUNCTIONS(X) \
	X(qpdf_init) X(qpdf_cleanup) X(qpdf_silence_errors) X(qpdf_set_suppress_warnings) \
	X(qpdf_read) X(qpdf_read_memory) X(qpdf_has_error) X(qpdf_get_error) \
	X(qpdf_get_error_code) X(qpdf_get_error_message_detail) X(qpdf_is_encrypted) \
	X(qpdf_get_trailer) X(qpdf_get_root) X(qpdf_oh_release) X(qpdf_oh_get_key) \
	X(qpdf_oh_is_dictionary) X(qpdf_oh_is_name_and_equals) X(qpdf_oh_is_array) \
	X(qpdf_oh_get_array_n_items) X(qpdf_oh_get_array_item) X(qpdf_oh_new_object) \
	X(qpdf_oh_new_null) X(qpdf_oh_is_null) X(qpdf_oh_is_integer) X(qpdf_oh_is_indirect) \
	X(qpdf_oh_get_type_code) X(qpdf_oh_get_stream_data) X(qpdf_oh_get_object_id) \
	X(qpdf_oh_get_int_value) X(qpdf_oh_get_dict) X(qpdf_oh_dict_next_key) \
	X(qpdf_oh_dict_more_keys) X(qpdf_oh_is_string) X(qpdf_oh_is_stream) \
	X(qpdf_oh_get_utf8_value) X(qpdf_oh_begin_dict_key_iter) \
	X(qpdf_get_object_by_id) /* bench/pdfbench --parse */

/*
 * Load libqpdf the first time; 0, or VAULT_ERROR ("cannot load
 * SONAME: ...") when the library or one of its functions is missing.
 * Thread-safe; once loaded, it stays.
 */
int vault_qpdf__load(void);

extern struct vault_qpdf {
	VAULT_QPDF_FUNCTIONS(VAULT_LAZY_FIELD)
} vault_qpdf;

#ifndef VAULT_LAZY_TABLES /* lazy.c, which fills the table, uses the real names */
#define qpdf_init (*vault_qpdf.qpdf_init)
#define qpdf_cleanup (*vault_qpdf.qpdf_cleanup)
#define qpdf_silence_errors (*vault_qpdf.qpdf_silence_errors)
#define qpdf_set_suppress_warnings (*vault_qpdf.qpdf_set_suppress_warnings)
#define qpdf_read (*vault_qpdf.qpdf_read)
#define qpdf_read_memory (*vault_qpdf.qpdf_read_memory)
#define qpdf_has_error (*vault_qpdf.qpdf_has_error)
#define qpdf_get_error (*vault_qpdf.qpdf_get_error)
#define qpdf_get_error_code (*vault_qpdf.qpdf_get_error_code)
#define qpdf_get_error_message_detail (*vault_qpdf.qpdf_get_error_message_detail)
#define qpdf_is_encrypted (*vault_qpdf.qpdf_is_encrypted)
#define qpdf_get_trailer (*vault_qpdf.qpdf_get_trailer)
#define qpdf_get_root (*vault_qpdf.qpdf_get_root)
#define qpdf_oh_release (*vault_qpdf.qpdf_oh_release)
#define qpdf_oh_get_key (*vault_qpdf.qpdf_oh_get_key)
#define qpdf_oh_is_dictionary (*vault_qpdf.qpdf_oh_is_dictionary)
#define qpdf_oh_is_name_and_equals (*vault_qpdf.qpdf_oh_is_name_and_equals)
#define qpdf_oh_is_array (*vault_qpdf.qpdf_oh_is_array)
#define qpdf_oh_get_array_n_items (*vault_qpdf.qpdf_oh_get_array_n_items)
#define qpdf_oh_get_array_item (*vault_qpdf.qpdf_oh_get_array_item)
#define qpdf_oh_new_object (*vault_qpdf.qpdf_oh_new_object)
#define qpdf_oh_new_null (*vault_qpdf.qpdf_oh_new_null)
#define qpdf_oh_is_null (*vault_qpdf.qpdf_oh_is_null)
#define qpdf_oh_is_integer (*vault_qpdf.qpdf_oh_is_integer)
#define qpdf_oh_is_indirect (*vault_qpdf.qpdf_oh_is_indirect)
#define qpdf_oh_get_type_code (*vault_qpdf.qpdf_oh_get_type_code)
#define qpdf_oh_get_stream_data (*vault_qpdf.qpdf_oh_get_stream_data)
#define qpdf_oh_get_object_id (*vault_qpdf.qpdf_oh_get_object_id)
#define qpdf_oh_get_int_value (*vault_qpdf.qpdf_oh_get_int_value)
#define qpdf_oh_get_dict (*vault_qpdf.qpdf_oh_get_dict)
#define qpdf_oh_dict_next_key (*vault_qpdf.qpdf_oh_dict_next_key)
#define qpdf_oh_dict_more_keys (*vault_qpdf.qpdf_oh_dict_more_keys)
#define qpdf_oh_is_string (*vault_qpdf.qpdf_oh_is_string)
#define qpdf_oh_is_stream (*vault_qpdf.qpdf_oh_is_stream)
#define qpdf_oh_get_utf8_value (*vault_qpdf.qpdf_oh_get_utf8_value)
#define qpdf_oh_begin_dict_key_iter (*vault_qpdf.qpdf_oh_begin_dict_key_iter)
#define qpdf_get_object_by_id (*vault_qpdf.qpdf_get_object_by_id)
#endif

#endif
