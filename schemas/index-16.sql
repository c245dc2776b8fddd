-- Upgrade of the index from version 15 to 16.

-- ---- trusted time (RFC 3161, issue 21) --------------------------------------
-- An RFC 3161 timestamp token stored beside what it stamps, NAME.tsr
-- (stamp.c): an acknowledgment's signature (acks/SIGNER-MEANING.json.sig)
-- or a release record (release.json) of revision doc@rev.  `name` is the
-- stamped file from the revision's folder; gen_time the token's time.
-- audit lists the acknowledgments and releases that have none.  No vault
-- before this version holds one (a path of no kind was refused).
CREATE TABLE timestamps (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	name TEXT NOT NULL,
	gen_time INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev, name)
) WITHOUT ROWID;
-- ---- end of trusted time ----------------------------------------------------
