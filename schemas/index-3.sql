-- Upgrade of the index from version 2 to 3: purchase orders, lots and
-- the documents linked to them.  What the
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


-- lots: lots/<h>/<h>/<LOT>/lot.json
CREATE TABLE lots (
	lot TEXT PRIMARY KEY,
	po TEXT NOT NULL,
	part TEXT NOT NULL,
	qty INTEGER NOT NULL,
	made TEXT,
	shipped TEXT,
	supplier TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX lots_po ON lots (po, part);

-- genealogy: `lot` was made from `input`
CREATE TABLE lot_inputs (
	lot TEXT NOT NULL,
	input TEXT NOT NULL,
	qty INTEGER,
	PRIMARY KEY (lot, input)
) WITHOUT ROWID;
CREATE INDEX lot_inputs_input ON lot_inputs (input, lot);

-- documents attached: docs/<h>/<h>/<DOC>/<REV>/links/<KIND>-<TARGET>.json
CREATE TABLE links (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	kind TEXT NOT NULL, -- po, lot, part
	target TEXT NOT NULL,
	linked_by TEXT NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (kind, target, doc, rev)
) WITHOUT ROWID;
CREATE INDEX links_doc ON links (doc, rev);

DELETE FROM meta WHERE key = 'commit';
