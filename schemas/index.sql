-- The qvault index: a SQLite cache of what the repository records.
--
-- Version 1 (PRAGMA user_version).  Everything here is derived from the
-- git repository and can be rebuilt by `qvault reindex`; nothing exists
-- only here.  Later versions are upgrades, schemas/index-N.sql taking an
-- index from version N - 1 to N; a new index runs this file and then every
-- upgrade, an older one the upgrades it lacks, in order, in one
-- transaction.

-- key/value facts about the index itself; 'commit' is the commit it reflects
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- one row per revision record (docs/<h>/<h>/<DOC>/<REV>/record.json)
CREATE TABLE revisions (
	id INTEGER PRIMARY KEY,
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	seq INTEGER NOT NULL,
	type TEXT NOT NULL,
	title TEXT,
	added_by TEXT NOT NULL,
	added_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	UNIQUE (doc, rev),
	UNIQUE (doc, seq)
);
CREATE INDEX revisions_type ON revisions (type, doc);

CREATE TABLE files (
	revision INTEGER NOT NULL REFERENCES revisions (id),
	pos INTEGER NOT NULL,
	name TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	blob TEXT NOT NULL,
	size INTEGER NOT NULL,
	mime TEXT NOT NULL,
	PRIMARY KEY (revision, pos)
) WITHOUT ROWID;
CREATE INDEX files_sha256 ON files (sha256);

CREATE TABLE parts (
	revision INTEGER NOT NULL REFERENCES revisions (id),
	pos INTEGER NOT NULL,
	part TEXT NOT NULL,
	PRIMARY KEY (revision, pos)
) WITHOUT ROWID;
CREATE INDEX parts_part ON parts (part, revision);

-- the audit trail: one row per commit, oldest first
CREATE TABLE events (
	seq INTEGER PRIMARY KEY,
	commit_id TEXT NOT NULL UNIQUE,
	time INTEGER NOT NULL,
	author TEXT NOT NULL,
	op TEXT NOT NULL,
	summary TEXT NOT NULL
);

-- the revisions each commit recorded
CREATE TABLE event_subjects (
	event INTEGER NOT NULL REFERENCES events (seq),
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	PRIMARY KEY (event, doc, rev)
) WITHOUT ROWID;
CREATE INDEX event_subjects_doc ON event_subjects (doc, event);

