/*
 * pdf.h - what a PDF holds, as a PDF library reads it (libqpdf, through
 * its C API), held to the vault's PDF policy ("pdf" in vault.json).
 *
 * The policy names, for each document type, what to do when a PDF
 * needs a password to open, is damaged past repair, has a /Launch
 * action, embeds an executable, holds JavaScript, embeds other files or
 * is encrypted (yet opens without a password): "refuse", "record" (a
 * finding kept with the revision's record, shown by `show`) or
 * "accept".  Its limits bound the work of one check: pages, objects
 * walked, and the bytes one Flate stream may inflate to.
 */
#ifndef VAULT_PDF_H
#define VAULT_PDF_H

#include <stddef.h>

#include <jansson.h>

/* The built-in policy, as vault.json of a new vault holds it (new reference). */
json_t *vault_pdf__default_policy(void);

/*
 * 0 when `policy` (vault.json's "pdf"; NULL: none, the built-in one) is
 * one as pdf.h describes it: only the keys max_pages, max_objects,
 * max_inflate (whole numbers of 1 or more) and types, an object of
 * objects whose keys are the kinds of finding above and whose values are
 * "accept", "record" or "refuse".  Else VAULT_EINVALID naming what is
 * wrong.  Which types it may name is the caller's to check.
 */
int vault_pdf__policy_check(const json_t *policy);

/*
 * The kind of finding a line of vault_pdf__check's findings is, as one
 * bit (password, damaged, launch, executable, javascript, embedded,
 * encrypted: 1 << 0 to 1 << 6), by the words it opens with, so that a
 * record's findings are compared by kind, not by wording; 0 for another
 * line.
 */
unsigned vault_pdf__finding_kind(const char *line);

/*
 * 1 when a file of type `mime` whose first bytes are `first` (`len` of
 * them, a kilobyte or more when it has them) is one a PDF reader opens:
 * a PDF, or anything but a zip with the header "%PDF-" in its first
 * 1024 bytes, where readers look for it (a PNG that is a PDF as well,
 * named .pdf).  Such a file is held to the policy as a PDF is.
 */
int vault_pdf__opens_as_pdf(const char *mime, const void *first, size_t len);

/*
 * Open the PDF that the open file `fd` holds (read through its own file
 * description: `fd`'s offset is left alone) and hold it to `policy` (the
 * "pdf" of vault.json; NULL: the built-in one) for a document of `type`.
 * 0 when it passes: *findings is NULL or what it recorded, one finding
 * per line, the caller's to free.  A refusal is VAULT_EINVALID with a message
 * naming `file` and what was found; a policy that is not understood is
 * VAULT_EINVALID naming vault.json.  The check runs in a child process
 * this process's checker server forks and watches: one that takes more
 * than 512 MiB of memory of its own (qpdf parsing a huge object whole)
 * or 60 seconds of CPU time is ended and the file refused.  The server
 * is forked from a process of one thread, else started afresh as the
 * program vault_pdf_set_checker named; a process of several threads
 * that named none checks here, unbounded.  Thread-safe.
 */
int vault_pdf__check(char **findings, const json_t *policy, const char *type,
		     const char *file, int fd);
/*
 * The CPU time, user and system, of the child that made this thread's
 * last vault_pdf__check (0: none), in microseconds: the checker server
 * reaps it, so the caller's RUSAGE_CHILDREN does not count it (pdfbench).
 */
long long vault_pdf__check_cpu_us(void);
/* The same, in this process, unwatched: for the fuzz target. */
int vault_pdf__check_here(char **findings, const json_t *policy, const char *type,
			  const char *file, int fd);

#endif
