-- Upgrade of the index from version 10 to 11.

-- ---- ship notices cancelled and replaced (issue 22) ------------------------
-- A ship notice is cancelled by asns/<h>/<h>/<ASN>/cancel.json and replaced
-- by asns/<h>/<h>/<ASN>/revisions/NNNNNN.json (the whole notice as it
-- stands, numbered from 1), both append-only beside its asn.json.  asns
-- holds the notice in force (its revision: 0 the original) and its
-- cancellation; asn_items the packages of the notice in force, with
-- in_force 0 once it is cancelled: what is shipped counts in_force rows
-- only.  No vault before this version holds either (verify and the write
-- path refused a path of no kind): the indexed commit stays.
ALTER TABLE asns ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE asns ADD COLUMN cancelled_by TEXT;
ALTER TABLE asns ADD COLUMN cancelled_at INTEGER;
ALTER TABLE asns ADD COLUMN cancel_reason TEXT;
ALTER TABLE asn_items ADD COLUMN in_force INTEGER NOT NULL DEFAULT 1;
-- ---- end of ship notices cancelled and replaced ----------------------------

-- ---- units of measure (issue 22) ---------------------------------------
-- A PO line's unit of measure (X12 355; EA when its record names none, as
-- every record before this version) and a pack it may be shipped in (a
-- ship notice's quantity in pack_unit is pack_size of the line's unit
-- each).  The indexed commit stays: no record before names either.
ALTER TABLE po_lines ADD COLUMN unit TEXT NOT NULL DEFAULT 'EA';
ALTER TABLE po_lines ADD COLUMN pack_unit TEXT;
ALTER TABLE po_lines ADD COLUMN pack_size INTEGER;
-- ---- end of units of measure -------------------------------------------
