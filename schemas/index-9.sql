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

-- ---- sub-tier lots (branch subtier) ----------------------------------
-- A lot a supplier bought or received from its own suppliers (a mill
-- heat, a purchased component), recorded without a buyer's PO at
-- subtier/<ORG>/<h>/<h>/<LOT>/lot.json: its name is scoped to the
-- organization that records it, so two suppliers may each hold one of
-- the same name.  A PO lot made from one names it in its inputs with
-- "subtier": true (in the lot's supplier's scope); those draws are in
-- subtier_inputs, never in lot_inputs (whose names are global).  No
-- vault before this version holds either (verify and the write path
-- refused a path of no kind and an input of no lot): the indexed commit
-- stays.
CREATE TABLE subtier_lots (
	org TEXT NOT NULL,          -- the organization that recorded it: its scope
	lot TEXT NOT NULL,
	part TEXT NOT NULL,
	qty INTEGER NOT NULL,
	source TEXT NOT NULL,       -- who it was bought from: the mill, the distributor
	cert_doc TEXT,              -- its certificate (DOC@REV), or NULL
	cert_rev TEXT,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (org, lot)
) WITHOUT ROWID;

CREATE TABLE subtier_inputs (
	lot TEXT NOT NULL,          -- the PO lot made from it
	org TEXT NOT NULL,          -- the scope of the input: the lot's supplier
	input TEXT NOT NULL,        -- the sub-tier lot, in that scope
	qty INTEGER                 -- NULL: not given
);
CREATE INDEX subtier_inputs_input ON subtier_inputs (org, input, lot);
CREATE INDEX subtier_inputs_lot ON subtier_inputs (lot);
-- ---- end of sub-tier lots ----------------------------------------------
