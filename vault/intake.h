/*
 * intake.h - taking a file in: open it, read its first chunk, check its
 * content type against the allowlist, start its SHA-256.  Nothing is
 * stored yet, so a refusal here leaves no trace.
 *
 * For a batch, a prefetcher does this on a second thread, one file ahead
 * of the thread that stores: reading and libmagic overlap with hashing,
 * deflating and writing.
 */
#ifndef VAULT_INTAKE_H
#define VAULT_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>
#include <openssl/evp.h>

#include "config.h"
#include "detect.h"

typedef struct {
	int fd;               /* positioned after the first chunk */
	uint64_t size;        /* as fstat saw it when opened */
	unsigned char *first; /* the first chunk, up to VAULT_CHUNK bytes */
	size_t first_len;
	EVP_MD_CTX *sha;      /* SHA-256, so far over first[0..hashed) */
	size_t hashed;
	char mime[128];
	int whole;            /* the first chunk is the whole file */
	git_oid id;           /* its git blob id, when whole and asked for */
	char *findings;       /* a PDF's findings (pdf.h), one per line, or NULL */
} vault_intake;

/*
 * Take in `path` as a document of `type`.  Refuses a missing file, a
 * folder, an empty file, or content the type does not allow; a PDF is
 * opened and held to the vault's PDF policy (pdf.h).  With
 * `want_id`, a file that fits one chunk gets its blob id instead of its
 * SHA-256 (which the storing thread then computes: that balances the
 * two threads of a batch).
 */
int vault_intake__open(vault_intake *in, vault_detect *d, const vault_config *cfg,
		       const char *path, const char *type, int want_id);
void vault_intake__dispose(vault_intake *in);

/*
 * Check a path names a regular, non-empty file of at most `max` bytes (no
 * content read); over it, VAULT_EINVALID naming the limit's git config `key`.
 */
int vault_intake__check_path(const char *path, uint64_t max, const char *key);

typedef struct vault_prefetch vault_prefetch;

/*
 * Start taking in paths[0..n) (of types[0..n)) on a worker thread, in
 * order, with the blob id of each file that fits one chunk.  The arrays
 * must outlive the prefetcher.
 */
int vault_prefetch__start(vault_prefetch **out, vault_detect *d,
			  const vault_config *cfg, const char *const *paths,
			  const char *const *types, size_t n);

/*
 * The next file, in order; blocks until it is ready.  On failure the
 * worker's error becomes this thread's error and is returned.
 */
int vault_prefetch__next(vault_intake *out, vault_prefetch *p);

/* Stop the worker and free what it holds; accepts NULL. */
void vault_prefetch__free(vault_prefetch *p);

#endif
