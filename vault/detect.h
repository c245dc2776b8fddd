/*
 * detect.h - what a file really is, by its content (libmagic).
 */
#ifndef VAULT_DETECT_H
#define VAULT_DETECT_H

#include <stddef.h>

typedef struct vault_detect vault_detect;

/* Load libmagic's database.  Costs a few milliseconds: do it once. */
int vault_detect__new(vault_detect **out);
void vault_detect__free(vault_detect *d);

/*
 * The MIME type of content that starts with `buf` (a file's first chunk).
 * libmagic 5.44 calls STEP and IGES text/plain; their fixed headers are
 * recognised here and reported as model/step and model/iges.  The string
 * is valid until the next call.
 */
int vault_detect__buffer(const char **mime, vault_detect *d, const void *buf,
			 size_t len);

#endif
