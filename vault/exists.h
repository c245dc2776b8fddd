/*
 * exists.h - whether a name given as a filter of a read names something
 * the vault knows, so that an unknown organization, document or part is
 * an error naming it rather than an empty answer.
 */
#ifndef VAULT_EXISTS_H
#define VAULT_EXISTS_H

#include "vault.h"

/*
 * 0 when `org` is an organization of the vault: one of its users (revoked
 * or not) belongs to it, or a record names it (a revision's owner, a
 * release's distribution, an acknowledgment, a PO's or a lot's supplier).
 * Else VAULT_ENOTFOUND, "no organization 'ORG'" (VAULT_EINVALID for a
 * malformed name, as vault_name_check()).
 */
int vault__org_exists(vault *v, const char *org);

/*
 * 0 when document `doc` (and its revision `rev`, unless NULL) exists and,
 * for a supplier of organization `viewer` (NULL: anyone), is one it may
 * see: its own, or released to it.  Else VAULT_ENOTFOUND, "no document
 * 'DOC'" or "document 'DOC' has no revision 'REV'", the same whether it
 * does not exist or is hidden from the viewer (VAULT_EINVALID for a
 * malformed name).
 */
int vault__doc_exists(vault *v, const char *doc, const char *rev, const char *viewer);

/*
 * 0 when part number `part` is named by a revision, a PO line, a lot, a
 * link or an FAI package and, for a supplier of organization `viewer`
 * (NULL: anyone), by one it may see: a revision of its own or released to
 * it (with its links and FAI package), its organization's PO or lot.
 * Else VAULT_ENOTFOUND, "no part 'PART'", the same whether the part is
 * unknown or named only by what is hidden from the viewer (VAULT_EINVALID
 * for a malformed one).
 */
int vault__part_exists(vault *v, const char *part, const char *viewer);

#endif
