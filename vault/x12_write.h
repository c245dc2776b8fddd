/*
 * x12_write.h - writing X12 (x12_write.c): the envelope every writer
 * shares (ISA at its fixed width, GS, ST ... SE with its count, GE, IEA,
 * the control numbers), and the three writers over it: the 997
 * functional acknowledgment of an interchange read (x12_ack.c), the 855
 * PO acknowledgment (x12_855.c) and the 856 ship notice (x12_856w.c);
 * with the readers of the 997 and 855 that `edi read` uses.
 *
 * Everything written is version 004010: elements '*', segments '~' (each
 * followed by a newline, which readers pass over), components '>'.
 */
#ifndef VAULT_X12_WRITE_H
#define VAULT_X12_WRITE_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "util.h"
#include "vault.h"
#include "x12.h"

/* An interchange being written; start it with vault_x12w__begin. */
typedef struct {
	vault_buf buf;
	char control[10];      /* ISA13, 9 digits; GS06 is the same number */
	size_t sets;           /* of the group */
	size_t segments;       /* of the open set, ST included */
	unsigned long set_no;  /* ST02 of the last set */
	int in_set;
} vault_x12w;

/*
 * Open the interchange and its one functional group GS01 `gs01` ("SH",
 * "PR", "FA") from ids->sender to ids->receiver (each QUAL:ID, ID at most
 * 15 bytes), control number ids->control (1 to 999999999), dated
 * ids->when (UTC).  VAULT_EINVALID naming the id that does not fit.
 */
int vault_x12w__begin(vault_x12w *x, const vault_x12_ids *ids, const char *gs01);

/* ST*st01*NNNN: the next set, numbered from 0001. */
int vault_x12w__set_begin(vault_x12w *x, const char *st01);

/*
 * One segment of the open set: `id`, then the elements up to a NULL
 * (empty strings for elements left out; trailing empty ones are not
 * written).  An element holding a separator or a control character is
 * refused (VAULT_EINVALID naming the segment and element).
 */
int vault_x12w__seg(vault_x12w *x, const char *id, ...) __attribute__((sentinel));

/* The same, for free text: separators and control characters become spaces, cut at `max` bytes. */
int vault_x12w__text(vault_x12w *x, const char *id, const char *qual, const char *text, size_t max);

/* SE: its count and ST02. */
int vault_x12w__set_end(vault_x12w *x);

/* GE and IEA; *out is the interchange, the caller's to free(). */
int vault_x12w__end(char **out, vault_x12w *x);

void vault_x12w__dispose(vault_x12w *x);

/* "YYYY-MM-DD" as "CCYYMMDD" into out[9]; 0, or -1 when it is not a date. */
int vault_x12w__date(char out[9], const char *iso);

/*
 * The 997 of the interchange `data` read by an import that ended with
 * `error` (0: imported): when the X12 reader refused it
 * (vault_x12__failure), with the segment and element in error, else the
 * vault refused what it said.  *out NULL when no functional group could
 * be read (nothing a 997 could answer).  The error message stays the
 * import's.
 */
int vault_x12__ack997(char **out, const char *data, size_t len, int error, const vault_x12_ids *ids);

/*
 * Whether the 997 accepting `data` (read without a refusal) can be
 * written: an import asked for its 997 calls it before it commits, so
 * that an interchange whose envelope holds what X12 cannot carry back
 * (an id or control number with '*', '~' or '>', read under other
 * separators) is refused with the vault unchanged, never recorded and
 * then reported failed.  0, or VAULT_EINVALID saying why.
 */
int vault_x12__ack997_check(const char *data, size_t len, const vault_x12_ids *ids);

/* Readers for `edi read`: a 997's groups and sets, an 855's acknowledgments. */
int vault_x12__parse_997(json_t **out, const char *data, size_t len);
int vault_x12__parse_855(json_t **out, const char *data, size_t len);

#endif
