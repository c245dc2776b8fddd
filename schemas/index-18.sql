-- Upgrade of the index from version 17 to 18.

-- ---- attestations, from the index (issue 21) -------------------------------
-- Every attestation record, attestations/users/NAME/NNNNNN.json and
-- attestations/orgs/ORG/NNNNNN.json (attest.c), as marking.c reads one:
-- so that the reads the index answers alone learn which marked revisions
-- a supplier may see (the rule: marking.h), and audit and the inbox list
-- expiring attestations, without opening the repository.  `subject` is
-- 'user' or 'org', `name` the user's or the organization's (its folder),
-- `covers` the marking a licence covers (NULL but for a licence),
-- `expires` the last day it holds (YYYY-MM-DD).  A record that does not
-- parse counts for nothing, as in the tree (verify names the commit), and
-- has no row.  Vaults before this version hold attestations the table
-- does not: the indexed commit goes, and the next open rebuilds the index.
CREATE TABLE attestations (
	path TEXT PRIMARY KEY,
	subject TEXT NOT NULL,
	name TEXT NOT NULL,
	attestation TEXT NOT NULL,
	covers TEXT,
	expires TEXT NOT NULL,
	attested_at TEXT NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX attestations_of ON attestations (subject, name, attestation);
DELETE FROM meta WHERE key = 'commit';
-- ---- end of attestations ------------------------------------------------------
