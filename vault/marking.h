/*
 * marking.h - export-controlled technical data (issue 21): the markings a
 * release carries, the attestations users and organizations hold, and
 * the one rule of who a marked revision may reach.
 *
 * A marking is ITAR, EAR:<ECCN> (an Export Control Classification Number
 * such as 9E003 or 5A002.a), EAR99 or CUI.  An attestation is a record
 * an admin signs, with the last day it holds (expires, YYYY-MM-DD):
 *
 *   attestations/users/NAME/NNNNNN.json   us-person, cui-trained
 *   attestations/orgs/ORG/NNNNNN.json     us-org, cui-safeguarding,
 *                                         licence (its number, and the
 *                                         one marking it covers)
 *
 * Every attestation recorded counts until its day has passed (UTC); none
 * replaces another.  The rule (vault_marking__org_cleared, _covers):
 *
 *   marking   the organization (to be released to)   its user (to see it)
 *   EAR99     nothing                                 nothing
 *   ITAR      us-org, or a licence covering ITAR      us-person
 *   EAR:X     us-org, or a licence covering EAR:X     us-person, or its
 *                                                     org's licence of EAR:X
 *   CUI       cui-safeguarding (NIST SP 800-171)      cui-trained
 *
 * A user is covered when its organization is cleared and it meets its
 * own column.  The rule binds suppliers, the side that receives: the
 * buying side (admin, buyer, quality, auditor) sees every revision, and
 * its downloads of marked ones are journalled all the same (journal.h).
 */
#ifndef VAULT_MARKING_H
#define VAULT_MARKING_H

#include <stdint.h>

#include <git2.h>
#include <jansson.h>

#include "store.h"
#include "vault.h"

#define VAULT_ATTEST_DIR "attestations"

/* The marking `m` well formed (VAULT_EINVALID naming it otherwise). */
int vault_marking__check(const char *m);

/*
 * The attestation `what` of a subject ("user" or "org") well formed: a
 * name of its column above, `licence` (its number) and `covers` (a
 * marking but EAR99) given exactly for a licence.
 */
int vault_marking__attestation_check(const char *subject, const char *what,
				     const char *licence, const char *covers);

/*
 * An attestation record as the rule reads it: its attestation, the
 * marking a licence covers (NULL but for a licence), its last day and
 * when it was recorded.  0, or -1 when it does not parse or lacks one of
 * them (such a record counts for nothing: verify names the commit).  The
 * strings are `rec`'s, until vault_marking__attestation_dispose.
 */
typedef struct {
	json_t *rec;
	const char *attestation, *covers, *expires, *attested_at;
} vault_marking_attestation;
int vault_marking__attestation_read(vault_marking_attestation *a, const char *data,
				    size_t len);
void vault_marking__attestation_dispose(vault_marking_attestation *a);

/*
 * *ok = 1 when organization `org` may be released revisions marked `m`
 * on `day` (YYYY-MM-DD), by the attestations of `tree`; else 0.
 */
int vault_marking__org_cleared(int *ok, vault_store *s, const git_tree *tree, const char *org,
			       const char *m, const char *day);

/* *ok = 1 when user `u` may see revisions marked `m` on `day`; else 0. */
int vault_marking__covers(int *ok, vault_store *s, const git_tree *tree, const vault_user *u,
			  const char *m, const char *day);

/*
 * The markings the connection's viewer is cleared for today, into the
 * index's temp.cleared (VAULT_INDEX_CLEARED), by the attestations of
 * `tree`, or with `tree` NULL by those the index holds (attest.c indexes
 * them; a read the index answers alone): for user `u` whose reads
 * are filtered by organization `scope` (a supplier's: vault_user__scope),
 * each marking of a revision released to its organization that the rule
 * covers; with `scope` NULL, every one ("*": its reads are not
 * filtered, though one may name an organization).  `u` NULL: no user
 * (no key), as `scope` NULL.
 * Called by vault__viewer before every read.
 */
int vault_marking__refresh(vault *v, const vault_user *u, const char *scope,
			   const git_tree *tree);

/* Today (UTC) as YYYY-MM-DD into `day` (11 bytes at least). */
void vault_marking__today(char *day, size_t size, int64_t now);

#endif
