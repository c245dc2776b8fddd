-- Upgrade of the index from version 12 to 13.

-- ---- blanket orders and releases against them (issue 17) ------------------
-- A PO line may be a blanket agreement: its record's member "blanket"
-- holds the dates it is valid from and until (po_lines.valid_from,
-- valid_until; NULL for any other line), its qty the total agreed.  A
-- buyer calls quantities off it by releases, pos/<h>/<h>/<PO>/releases/
-- NNNNNN.json (1, 2, ... per PO), which the supplier acknowledges as a PO,
-- pos/<h>/<h>/<PO>/release-acks/NNNNNN-SIGNER.json.  The remaining
-- quantity of a line is its qty less the sum of its releases' qty.  No
-- vault before this version holds either (the write path wrote no
-- blanket, and verify and the write path refused a path of no kind): the
-- indexed commit stays.
ALTER TABLE po_lines ADD COLUMN valid_from TEXT;
ALTER TABLE po_lines ADD COLUMN valid_until TEXT;

CREATE TABLE po_releases (
	po TEXT NOT NULL,
	release INTEGER NOT NULL,   -- 1, 2, ... per PO, the file's name
	line INTEGER NOT NULL,      -- the blanket line it calls off
	part TEXT NOT NULL,
	qty INTEGER NOT NULL,
	due TEXT NOT NULL,          -- YYYY-MM-DD
	released_by TEXT NOT NULL,
	org TEXT NOT NULL,
	released_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (po, release)
) WITHOUT ROWID;
CREATE INDEX po_releases_line ON po_releases (po, line);

CREATE TABLE release_acks (
	po TEXT NOT NULL,
	seq INTEGER NOT NULL,       -- 1, 2, ... per PO, the file's name with the signer's
	release INTEGER NOT NULL,
	revision INTEGER NOT NULL,  -- the PO's revision when it was answered
	decision TEXT NOT NULL,     -- accepted, rejected
	promise TEXT,               -- YYYY-MM-DD
	note TEXT,
	reason TEXT,
	org TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	signed_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (po, seq, signed_by)
) WITHOUT ROWID;
CREATE INDEX release_acks_release ON release_acks (po, release, seq);
CREATE INDEX release_acks_org ON release_acks (org, signed_at);
-- ---- end of blanket orders ----------------------------------------------------
