-- Upgrade of the index from version 13 to 14.

-- ---- expiry and periodic review (issue 21) ---------------------------------
-- A revision's record (record.json) may carry "expires", the last day a
-- certificate or approval is valid, and "review_by", the day a controlled
-- document is due for review (YYYY-MM-DD each).  No record before this
-- version carries either (the write path wrote neither, and a record with
-- a member it did not know did not parse): NULL is what each of them
-- holds, and the indexed commit stays.
ALTER TABLE revisions ADD COLUMN expires TEXT;
ALTER TABLE revisions ADD COLUMN review_by TEXT;
CREATE INDEX revisions_expires ON revisions (expires) WHERE expires IS NOT NULL;
CREATE INDEX revisions_review_by ON revisions (review_by) WHERE review_by IS NOT NULL;

-- A review of a controlled revision, docs/<h>/<h>/<DOC>/<REV>/reviews/
-- <YYYYMMDDTHHMMSSZ>-<SIGNER>.json: a buyer or quality signed that the
-- revision was reviewed and when it is next due; the latest one's `next`
-- replaces the revision's review_by.  No vault before this version holds
-- one (a path of no kind was refused).
CREATE TABLE reviews (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	next TEXT NOT NULL,         -- YYYY-MM-DD
	note TEXT,
	reviewed_by TEXT NOT NULL,
	org TEXT NOT NULL,
	reviewed_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev, reviewed_at, reviewed_by)
) WITHOUT ROWID;
-- ---- end of expiry and review ----------------------------------------------
