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
