-- Upgrade of the index from version 5 to 6: the lookups the audit makes
-- for every lot (is a certificate attached to it?) by the link's target,
-- so that an audit stays linear in the number of lots.
CREATE INDEX links_target ON links (kind, target, doc, rev);
