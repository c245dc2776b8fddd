/*
 * link.h - documents attached to POs, lots and parts
 * (docs/.../DOC/REV/links/KIND-TARGET.json), as the kinds that attach
 * documents in their own writes (add --po, fai add) use them.
 */
#ifndef VAULT_LINK_H
#define VAULT_LINK_H

#include "txn.h"

/*
 * Queue the record attaching DOC@REV to a PO, lot or part, after checking
 * the target exists and the actor may attach to it.
 */
int vault_link__put(vault_txn *t, vault *v, const char *doc, const char *rev,
		    vault_link_kind kind, const char *target);

#endif
