-- Upgrade of the index from version 1 to 2: controlled revisions and
-- acknowledgments.  The tables are new; what the repository already holds
-- of them is read in by forgetting the indexed commit, so the next open
-- rebuilds the index from the repository.
ALTER TABLE revisions ADD COLUMN org TEXT;

-- releases: docs/<h>/<h>/<DOC>/<REV>/release.json
CREATE TABLE releases (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	reason TEXT,
	effective TEXT,
	released_by TEXT NOT NULL,
	released_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev)
) WITHOUT ROWID;
CREATE INDEX releases_time ON releases (released_at);

-- the organizations each release went to
CREATE TABLE distribution (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	org TEXT NOT NULL,
	PRIMARY KEY (doc, rev, org)
) WITHOUT ROWID;
CREATE INDEX distribution_org ON distribution (org, doc, rev);

-- obsolete revisions: docs/<h>/<h>/<DOC>/<REV>/obsolete.json
CREATE TABLE obsoletes (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	reason TEXT NOT NULL,
	obsoleted_by TEXT NOT NULL,
	obsoleted_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev)
) WITHOUT ROWID;

-- signed acknowledgments: docs/<h>/<h>/<DOC>/<REV>/acks/<NAME>.json(.sig)
CREATE TABLE acks (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	name TEXT NOT NULL,
	signer TEXT NOT NULL,
	org TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	meaning TEXT NOT NULL,
	comment TEXT,
	time INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev, name)
) WITHOUT ROWID;
CREATE INDEX acks_org ON acks (org, doc, rev);
DELETE FROM meta WHERE key = 'commit';
