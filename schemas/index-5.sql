-- Upgrade of the index from version 4 to 5: the supplier portal.  PO
-- acknowledgments with their promised dates and production status reports
-- (pos/<h>/<h>/<PO>/acks/NNNNNN-SIGNER.json, .../status/NNNNNN-SIGNER.json:
-- a later one beside the earlier, never replacing it; two sites may both
-- write an NNNNNN, by different people), advance ship notices and their
-- receipts (asns/<h>/<h>/<ASN>/asn.json, receipt.json), nonconformance
-- reports and their closing (ncrs/<h>/<h>/<NCR>/ncr.json, close.json).
-- What the repository already holds is read in by forgetting the indexed
-- commit.

CREATE TABLE po_acks (
	po TEXT NOT NULL,
	seq INTEGER NOT NULL,       -- 1, 2, ... per PO, the file's name with the signer's
	line INTEGER,               -- NULL: the whole PO
	decision TEXT NOT NULL,     -- accepted, rejected
	promise TEXT,               -- YYYY-MM-DD
	qty INTEGER,
	note TEXT,
	reason TEXT,
	org TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	signed_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (po, seq, signed_by)
) WITHOUT ROWID;
CREATE INDEX po_acks_line ON po_acks (po, line, seq);
CREATE INDEX po_acks_org ON po_acks (org, signed_at);

CREATE TABLE po_status (
	po TEXT NOT NULL,
	seq INTEGER NOT NULL,
	line INTEGER,               -- NULL: the whole PO
	status TEXT NOT NULL,       -- started, in-progress, complete, shipped, on-hold
	note TEXT,
	org TEXT NOT NULL,
	reported_by TEXT NOT NULL,
	reported_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (po, seq, reported_by)
) WITHOUT ROWID;
CREATE INDEX po_status_org ON po_status (org, reported_at);

CREATE TABLE asns (
	asn TEXT PRIMARY KEY,
	po TEXT NOT NULL,
	supplier TEXT NOT NULL,
	ship_date TEXT NOT NULL,
	carrier TEXT,
	tracking TEXT,
	source TEXT NOT NULL,       -- qvault, x12-856
	warnings INTEGER NOT NULL,  -- audit gaps of its lots when it was sent
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX asns_po ON asns (po);
CREATE INDEX asns_supplier ON asns (supplier, ship_date);

-- what each package of a ship notice holds: one lot of one PO line
CREATE TABLE asn_items (
	asn TEXT NOT NULL,
	package TEXT NOT NULL,
	lot TEXT NOT NULL,
	po TEXT NOT NULL,
	line INTEGER NOT NULL,
	part TEXT NOT NULL,
	qty INTEGER NOT NULL,
	PRIMARY KEY (asn, package, lot)
) WITHOUT ROWID;
CREATE INDEX asn_items_line ON asn_items (po, line);
CREATE INDEX asn_items_lot ON asn_items (lot);

CREATE TABLE receipts (
	asn TEXT PRIMARY KEY,
	received TEXT NOT NULL,     -- YYYY-MM-DD
	note TEXT,
	received_by TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;

-- what was received of each lot of a ship notice, against the PO line it ships
CREATE TABLE receipt_items (
	asn TEXT NOT NULL,
	lot TEXT NOT NULL,
	po TEXT NOT NULL,
	line INTEGER NOT NULL,
	shipped INTEGER NOT NULL,
	received INTEGER NOT NULL,
	PRIMARY KEY (asn, lot)
) WITHOUT ROWID;
CREATE INDEX receipt_items_line ON receipt_items (po, line);

CREATE TABLE ncrs (
	ncr TEXT PRIMARY KEY,
	lot TEXT NOT NULL,
	po TEXT NOT NULL,
	supplier TEXT NOT NULL,
	reason TEXT NOT NULL,
	disposition TEXT,           -- proposed when opened, may be NULL
	opened_by TEXT NOT NULL,
	opened_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ncrs_supplier ON ncrs (supplier, opened_at);
CREATE INDEX ncrs_lot ON ncrs (lot);

CREATE TABLE ncr_docs (
	ncr TEXT NOT NULL,
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	PRIMARY KEY (ncr, doc, rev)
) WITHOUT ROWID;

CREATE TABLE ncr_closes (
	ncr TEXT PRIMARY KEY,
	disposition TEXT NOT NULL,
	note TEXT,
	closed_by TEXT NOT NULL,
	closed_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL
) WITHOUT ROWID;

DELETE FROM meta WHERE key = 'commit';
