-- Upgrade of the index from version 16 to 17.

-- ---- who reads, from the index (issue 21) -----------------------------------
-- The users of the vault, users/<NAME>/user.json and revoked.json beside it
-- once revoked, as user.c reads them from the branch: so that a read the
-- index answers alone (list, show, trace, audit, pending, acks) learns who
-- the acting key belongs to, and so what it may see, without opening the
-- repository (vault_open_for_reads).  `key` is the key as user.json holds
-- it (its comment kept), matched as user.c matches it; `roles` the bits of
-- VAULT_ROLE_*.  A user record that does not parse, or a user's record
-- added a second time (qvault writes neither; verify names the commit that
-- did), leaves the index rebuildable: it is recorded as `malformed`, and
-- while any row is, who reads is the repository's to say, as user.c says
-- it.  Vaults before this version hold users the table does not: the
-- indexed commit goes, and the next open rebuilds the index.
CREATE TABLE users (
	name TEXT PRIMARY KEY,
	org TEXT NOT NULL,
	roles INTEGER NOT NULL,
	key TEXT NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0,
	malformed INTEGER NOT NULL DEFAULT 0,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX users_key ON users (key);
DELETE FROM meta WHERE key = 'commit';
-- ---- end of who reads ---------------------------------------------------------
