-- Upgrade of the index from version 9 to 10.

-- ---- PDF findings (issue 20) ----------------------------------------------
-- What the PDF check recorded of a file (JavaScript, embedded files, ...),
-- one finding per line, as the revision's record lists them; NULL: none.
-- No record before this version lists findings: the indexed commit stays.
ALTER TABLE files ADD COLUMN findings TEXT;
-- ---- end of PDF findings ---------------------------------------------------
