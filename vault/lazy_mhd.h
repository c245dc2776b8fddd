/*
 * lazy_mhd.h - libmicrohttpd, loaded on first use (lazy.c): include it
 * instead of <microhttpd.h>, and call vault_mhd__load() before the server
 * starts.
 */
#ifndef VAULT_LAZY_MHD_H
#define VAULT_LAZY_MHD_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

/* a struct member for each function: its pointer, typed by its declaration */
#ifndef VAULT_LAZY_FIELD
#define VAULT_LAZY_FIELD(f) __typeof__(f) *f;
#endif

#define VAULT_MHD_FUNCTIONS(X) \
	X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_queue_response) \
	X(MHD_create_response_from_buffer) X(MHD_create_response_from_fd) \
	X(MHD_create_response_from_fd_at_offset64) X(MHD_add_response_header) \
	X(MHD_destroy_response) X(MHD_get_connection_info) X(MHD_get_connection_values) \
	X(MHD_lookup_connection_value) X(MHD_create_post_processor) X(MHD_post_process) \
	X(MHD_destroy_post_processor)

/*
 * Load libmicrohttpd the first time; 0, or VAULT_ERROR ("cannot load
 * SONAME: ...") when the library or one of its functions is missing.
 * Thread-safe; once loaded, it stays.
 */
int vault_mhd__load(void);

extern struct vault_mhd {
	VAULT_MHD_FUNCTIONS(VAULT_LAZY_FIELD)
} vault_mhd;

#ifndef VAULT_LAZY_TABLES
#define MHD_start_daemon (*vault_mhd.MHD_start_daemon)
#define MHD_stop_daemon (*vault_mhd.MHD_stop_daemon)
#define MHD_queue_response (*vault_mhd.MHD_queue_response)
#define MHD_create_response_from_buffer (*vault_mhd.MHD_create_response_from_buffer)
#define MHD_create_response_from_fd (*vault_mhd.MHD_create_response_from_fd)
#define MHD_create_response_from_fd_at_offset64 (*vault_mhd.MHD_create_response_from_fd_at_offset64)
#define MHD_add_response_header (*vault_mhd.MHD_add_response_header)
#define MHD_destroy_response (*vault_mhd.MHD_destroy_response)
#define MHD_get_connection_info (*vault_mhd.MHD_get_connection_info)
#define MHD_get_connection_values (*vault_mhd.MHD_get_connection_values)
#define MHD_lookup_connection_value (*vault_mhd.MHD_lookup_connection_value)
#define MHD_create_post_processor (*vault_mhd.MHD_create_post_processor)
#define MHD_post_process (*vault_mhd.MHD_post_process)
#define MHD_destroy_post_processor (*vault_mhd.MHD_destroy_post_processor)
#endif

#endif
