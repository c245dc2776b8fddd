-- Upgrade of the index from version 8 to 9.

-- ---- audit waivers (issue 16) ----------------------------------------------
-- A gap of the audit waived by quality until a date, with the reason
-- (waivers/<h>/<h>/<GAP>/<time>-<signer>.json); a gap may be waived again.
-- No vault before this version holds a waiver (verify and the write path
-- refuse a path of no kind): the indexed commit stays.
CREATE TABLE audit_waivers (
	gap TEXT NOT NULL,          -- the gap's id, as the audit names it
	reason TEXT NOT NULL,
	until TEXT NOT NULL,        -- YYYY-MM-DD, the last day it holds
	waived_by TEXT NOT NULL,
	waived_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (gap, waived_at, waived_by)
) WITHOUT ROWID;
-- ---- end of audit waivers --------------------------------------------------
