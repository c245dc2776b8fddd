/*
 * serve.h - `qvault serve`: the HTTP/JSON API (cmd_serve.c, serve_api.c)
 * and its writer (serve_writer.c).
 *
 * Two processes, as OpenSSH separates privileges: the one that parses
 * HTTP holds no key and never writes the repository; it reads with
 * vault_set_reader() as the token's user sees the vault.  Every write goes
 * to the writer, over a socketpair (SOCK_SEQPACKET: one message a
 * request, one a reply, an upload's file descriptor beside it), which
 * holds the vault's server key and checks the client's token itself: a
 * compromised request handler can make no write that a valid write token
 * would not.
 */
#ifndef QVAULT_SERVE_H
#define QVAULT_SERVE_H

#include <stddef.h>

/* The largest request or reply between the two, in bytes. */
#define SERVE_MSG_MAX (256 * 1024)

/*
 * The writer's loop on `sock` for the vault at `dir`, until the other end
 * closes; its exit code.
 */
int serve_writer_run(int sock, const char *dir);

/*
 * Send `request` (JSON text) and `fd` (-1: none) to the writer and wait
 * for its reply (malloc'd JSON text); -1 when the writer is gone.
 */
int serve_writer_call(int sock, const char *request, int fd, char **reply);

/* The HTTP side: the API's handler and its state (serve_api.c). */
typedef struct serve_api serve_api;

int serve_api_new(serve_api **out, const char *dir, int writer);
void serve_api_free(serve_api *api);

struct MHD_Daemon;
/* Start the daemon on the listening socket `fd`. */
struct MHD_Daemon *serve_api_start(serve_api *api, int fd);

#endif
