/*
 * sshtool.h - running OpenSSH's own tools (ssh-keygen, ssh-add) for the
 * keys qvault does not read itself: an OpenSSH private key file, a key
 * held by ssh-agent.  No shell: an argv, the data on a memory file as
 * standard input, standard output bounded, standard error's first line
 * kept for the message, a time limit.
 */
#ifndef VAULT_SSHTOOL_H
#define VAULT_SSHTOOL_H

#include <stddef.h>

#include "util.h"

typedef struct {
	const char *const *argv;  /* argv[0] is looked up on PATH */
	const char *const *env;   /* NAME=VALUE replacing or adding to the
				     environment, NULL-ended; NULL for none */
	const void *in;           /* standard input (may be NULL: empty) */
	size_t inlen;
	const char *fd3;          /* what the program's fd 3 holds, or NULL */
	size_t out_max;           /* longest standard output taken */
	int timeout;              /* seconds */
} vault_sshtool_cmd;

/*
 * Run `c`: 0 when it ran to its end, `*status` its exit code (-1 when a
 * signal ended it or it ran out of time), `*out` its standard output and
 * `err` (errsize bytes) the first non-empty line of its standard error
 * ("" for none).  VAULT_ENOTFOUND when the program is not installed,
 * VAULT_ERROR when it cannot be run or its output is longer than allowed.
 */
int vault_sshtool__run(vault_buf *out, char *err, size_t errsize, int *status,
		       const vault_sshtool_cmd *c);

#endif
