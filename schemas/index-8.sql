-- Upgrade of the index from version 7 to 8: change orders, FAI
-- dispositions and withdrawn uploads.  A PO's
-- record is revision 0; each change order (pos/<h>/<h>/<PO>/changes/
-- NNNNNN-<signer>.json) is the next revision, the whole PO as it stands
-- after it.  po_lines holds each PO's lines as its latest revision left
-- them, each open, cancelled or closed (short, by the buyer); an
-- acknowledgment names the revision it answers.  No vault before this
-- version holds a change order (verify and the write path refuse a path
-- of no kind): every line is open and every answer is of revision 0, and
-- the indexed commit stays.

CREATE TABLE po_changes (
	po TEXT NOT NULL,
	seq INTEGER NOT NULL,       -- the PO's revision it makes: 1, 2, ...
	reason TEXT NOT NULL,
	summary TEXT NOT NULL,      -- what changed, in words
	changed_by TEXT NOT NULL,
	changed_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	-- two sites' change orders of one number are a conflict pull refuses
	-- and verify finds; the index still holds both, never failing on them
	PRIMARY KEY (po, seq, changed_by)
) WITHOUT ROWID;

-- the buying side's decision on an FAI report revision
-- (docs/<h>/<h>/<FAIR>/<REV>/disposition.json), none before this version
CREATE TABLE fai_dispositions (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	decision TEXT NOT NULL,     -- accepted, rejected
	reason TEXT,                -- a rejection's
	note TEXT,
	decided_by TEXT NOT NULL,
	decided_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev)
) WITHOUT ROWID;

-- an upload withdrawn by the organization that added it
-- (docs/<h>/<h>/<DOC>/<REV>/withdrawn.json), none before this version:
-- the revision stays, and counts for nothing any more
CREATE TABLE withdrawals (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	reason TEXT NOT NULL,
	withdrawn_by TEXT NOT NULL,
	withdrawn_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev)
) WITHOUT ROWID;

ALTER TABLE po_lines ADD COLUMN state TEXT NOT NULL DEFAULT 'open'; -- open, cancelled, closed
ALTER TABLE po_acks ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
