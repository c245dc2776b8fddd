/*
 * attest.h - attestations of users and organizations (attest.c; the rule
 * they feed: marking.h), as the reads that list their expiry see them.
 */
#ifndef VAULT_ATTEST_H
#define VAULT_ATTEST_H

#include "vault.h"

/*
 * The attestations as the reads that list their expiry see them (audit,
 * the inbox), a table for their SQL: one row a record, (subject "user"
 * or "org", name, org: the user's organization or the organization
 * itself, what: the attestation, "licence COVERS" for a licence,
 * expires, attested_at), from the index (attest.c indexes each record).
 * A user's of a user no longer registered or revoked is left out.
 * Every record counts until its day (marking.h): the latest expiry of a
 * subject's (name, what) is the one in force.
 */
#define VAULT_ATTEST_ROWS \
	"(SELECT a.subject AS subject, a.name AS name," \
	" CASE a.subject WHEN 'org' THEN a.name ELSE u.org END AS org," \
	" a.attestation || coalesce(' ' || a.covers, '') AS what," \
	" a.expires AS expires, a.attested_at AS attested_at FROM attestations a" \
	" LEFT JOIN users u ON a.subject = 'user' AND u.name = a.name" \
	" WHERE a.subject = 'org' OR (u.name IS NOT NULL AND NOT u.revoked))"

#endif
