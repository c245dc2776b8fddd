/*
 * detect.h - what a file really is, by its content (libmagic).
 */
#ifndef VAULT_DETECT_H
#define VAULT_DETECT_H

#include <stddef.h>

typedef struct vault_detect vault_detect;

/* QIF has no registered MIME type: qvault's name for it. */
#define VAULT_MIME_QIF "application/qif+xml"

/* Load libmagic's database.  Costs a few milliseconds: do it once. */
int vault_detect__new(vault_detect **out);
void vault_detect__free(vault_detect *d);

/*
 * The MIME type of content that starts with `buf` (a file's first chunk).
 * Where libmagic 5.44 names a format only by its encoding, the format's
 * own opening is recognised here: STEP, IGES, text DXF that opens with
 * comments or without a HEADER, ASCII STL, Parasolid text and QIF (which
 * libmagic calls text/plain or text/xml), binary DXF and JT (which it
 * calls application/octet-stream), 3MF (application/zip), and CSV of two
 * lines (which libmagic calls text/plain).  The string is
 * valid until the next call.
 */
int vault_detect__buffer(const char **mime, vault_detect *d, const void *buf,
			 size_t len);

/*
 * The same, and in *magic libmagic's own answer (what a qvault that did
 * not yet recognise the format recorded): verify accepts either.
 */
int vault_detect__both(const char **mime, const char **magic, vault_detect *d,
		       const void *buf, size_t len);

#endif
