/*
 * resident.h - what the process holds of memory that is its own.
 *
 * verify looks at it between commits (qvault.verifyHeap).  Its reads of
 * the packs map nothing (packread.h); what a long read of the history
 * kept resident before, the pack indexes' pages, is the kernel's page
 * cache now, not the process's (vault/README.md, "The packs read with
 * pread").
 */
#ifndef VAULT_RESIDENT_H
#define VAULT_RESIDENT_H

#include <stddef.h>

/*
 * What the process holds of memory that is its own, not a file's: its
 * anonymous resident pages (/proc/self/statm: resident less shared), or
 * in a build with AddressSanitizer, whose shadow memory and quarantine
 * are anonymous too, the bytes its allocator has given out.  0 when
 * neither can be read.
 */
size_t vault_resident__heap(void);

#endif
