/*
 * verify.h - the rules of history (verify.c), for the layers above the
 * kinds: opening a vault hands the commit check down to the write path,
 * and a pull holds two sites' histories to them.
 */
#ifndef VAULT_VERIFY_H
#define VAULT_VERIFY_H

#include "common.h"

/*
 * Check one new commit (not yet on the branch) as `verify` checks every
 * commit of history; VAULT_EDENIED with the first finding as message.
 */
int vault_verify__commit(vault *v, const git_oid *commit);

/*
 * verify over the commits that lead to `tips` (the first is the head whose
 * settings apply) but not to `base`, a commit verified already (NULL: the
 * whole history): what the history behind `base` drew from each lot is
 * read from its tree, not replayed (vault_ledger__seed), and only the
 * revisions added since `base` have their bytes hashed again.  The index
 * is not compared.  Findings as vault_verify.
 */
int vault_verify__since(vault_findings **out, vault *v, const git_oid *tips, size_t ntips,
			const git_oid *base);

/*
 * Both sides revised one document since `base` (a conflict no merge may
 * settle): VAULT_EEXISTS naming it.  Pull refuses by it; verify finds it.
 */
int vault_verify__same_document(vault *v, const git_tree *base, const git_tree *ours,
				 const git_tree *theirs);

#endif
