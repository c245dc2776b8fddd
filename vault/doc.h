/*
 * doc.h - what doc.c shares with the kinds that add documents of their
 * own (an FAI package is a document of type fai).
 */
#ifndef VAULT_DOC_H
#define VAULT_DOC_H

#include "common.h"

/*
 * The revision and sequence number a new revision of `doc` (of `type`)
 * takes in `root`: A for a new document, else the latest's successor.
 * VAULT_EDENIED when the document belongs to another organization than
 * `actor`'s (that of its first revision).
 */
int vault_doc__plan(char *rev, size_t size, unsigned *seq, vault *v, git_tree *root,
		    const vault_user *actor, const char *doc, const char *type);

#endif
