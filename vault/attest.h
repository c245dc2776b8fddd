/*
 * attest.h - attestations of users and organizations (attest.c; the rule
 * they feed: marking.h), as the reads that list their expiry see them.
 */
#ifndef VAULT_ATTEST_H
#define VAULT_ATTEST_H

#include <git2.h>

#include "vault.h"

/*
 * Every attestation of `tree` into the index's temp.attestations, for
 * the reads that list their expiry (audit, the inbox): one row a record,
 * (subject "user" or "org", name, org: the user's organization or the
 * organization itself, what: the attestation, "licence COVERS" for a
 * licence, expires, attested_at).  A user's of a user no longer
 * registered or revoked is left out; so is a record that does not parse
 * (verify finds it).  Every record counts until its day (marking.h): the
 * latest expiry of a subject's (name, what) is the one in force.
 */
int vault_attest__list(vault *v, const git_tree *tree);

#endif
