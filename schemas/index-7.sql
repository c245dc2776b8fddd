-- Upgrade of the index from version 6 to 7: API tokens for system clients
-- (tokens/<h>/<h>/<ID>/token.json, revoked.json beside it when revoked),
-- looked up by id for each request the server takes.  The secret is not
-- here, nor in the repository: only its SHA-256.  No vault before this
-- version holds tokens/ (verify and the write path refuse a path of no
-- kind), so there is nothing to read in: the indexed commit stays.

CREATE TABLE tokens (
	id TEXT PRIMARY KEY,        -- 16 lowercase hex digits, the record's folder
	user TEXT NOT NULL,         -- the user it acts for
	scope TEXT NOT NULL,        -- read, write
	expires TEXT,               -- YYYY-MM-DD, the last valid day (UTC); NULL: never
	sha256 TEXT NOT NULL,       -- of the secret's text
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_by TEXT,
	revoked_at INTEGER,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_user ON tokens (user);
