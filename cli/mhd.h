/*
 * mhd.h - libmicrohttpd, loaded on first use (mhd.c, and vault_lazy_load
 * in vault.h): include it instead of <microhttpd.h>, and call
 * cli_mhd_load() before the server starts.  Only `qvault serve` needs it.
 */
#ifndef CLI_MHD_H
#define CLI_MHD_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#define CLI_MHD_FUNCTIONS(X) \
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
int cli_mhd_load(void);

/* a member for each function: its pointer, typed by its declaration */
#define CLI_MHD_FIELD(f) __typeof__(f) *f;
extern struct cli_mhd {
	CLI_MHD_FUNCTIONS(CLI_MHD_FIELD)
} cli_mhd;

#ifndef CLI_MHD_TABLE /* mhd.c, which fills the table, uses the real names */
#define MHD_start_daemon (*cli_mhd.MHD_start_daemon)
#define MHD_stop_daemon (*cli_mhd.MHD_stop_daemon)
#define MHD_queue_response (*cli_mhd.MHD_queue_response)
#define MHD_create_response_from_buffer (*cli_mhd.MHD_create_response_from_buffer)
#define MHD_create_response_from_fd (*cli_mhd.MHD_create_response_from_fd)
#define MHD_create_response_from_fd_at_offset64 (*cli_mhd.MHD_create_response_from_fd_at_offset64)
#define MHD_add_response_header (*cli_mhd.MHD_add_response_header)
#define MHD_destroy_response (*cli_mhd.MHD_destroy_response)
#define MHD_get_connection_info (*cli_mhd.MHD_get_connection_info)
#define MHD_get_connection_values (*cli_mhd.MHD_get_connection_values)
#define MHD_lookup_connection_value (*cli_mhd.MHD_lookup_connection_value)
#define MHD_create_post_processor (*cli_mhd.MHD_create_post_processor)
#define MHD_post_process (*cli_mhd.MHD_post_process)
#define MHD_destroy_post_processor (*cli_mhd.MHD_destroy_post_processor)
#endif

#endif
