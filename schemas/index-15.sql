-- Upgrade of the index from version 14 to 15.

-- ---- export-controlled technical data (issue 21) ---------------------------
-- A release record (release.json) may carry "marking" (ITAR, EAR:<ECCN>,
-- EAR99 or CUI) and "licence" (the licence or exemption it moves under).
-- No release before this version carries either (a record with a member
-- it did not know did not parse): NULL is what each holds, and the
-- indexed commit stays.  Who a marked revision reaches is decided by the
-- attestations in the tree (marking.c), not by the index.
ALTER TABLE releases ADD COLUMN marking TEXT;
ALTER TABLE releases ADD COLUMN licence TEXT;
CREATE INDEX releases_marking ON releases (doc, rev) WHERE marking IS NOT NULL;
-- ---- end of export control -------------------------------------------------
