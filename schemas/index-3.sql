-- Upgrade of the index from version 2 to 3: purchase orders.  What the
-- repository already holds of them is read in by forgetting the indexed
-- commit, so the next open rebuilds the index from the repository.

-- purchase orders: pos/<h>/<h>/<PO>/po.json
CREATE TABLE pos (
	po TEXT PRIMARY KEY,
	supplier TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX pos_supplier ON pos (supplier, po);

CREATE TABLE po_lines (
	po TEXT NOT NULL,
	line INTEGER NOT NULL,
	part TEXT NOT NULL,
	qty INTEGER NOT NULL,
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	due TEXT,
	PRIMARY KEY (po, line)
) WITHOUT ROWID;
CREATE INDEX po_lines_doc ON po_lines (doc, rev);
CREATE INDEX po_lines_part ON po_lines (part);

DELETE FROM meta WHERE key = 'commit';
