-- The queries `qvault trace lot` runs (vault/lot.c, vault_trace_lot), for
-- the sqlite3 shell: the baseline of bench/run section 6.  The lot is the
-- parameter @lot (`.parameter set @lot "'T5-0000001'"`); the PO, part and
-- drawing revision that trace reads from earlier rows are subqueries here.
.mode json

SELECT lot, po, part, qty, made, shipped, supplier, created_by FROM lots WHERE lot = @lot;

SELECT line, part, qty, doc, rev, due FROM po_lines
WHERE po = (SELECT po FROM lots WHERE lot = @lot) AND part = (SELECT part FROM lots WHERE lot = @lot)
ORDER BY line LIMIT 1;

SELECT l.doc, l.rev, l.released_at FROM releases l
JOIN revisions r ON r.doc = l.doc AND r.rev = l.rev
WHERE l.doc = (SELECT pl.doc FROM po_lines pl JOIN lots t ON pl.po = t.po AND pl.part = t.part
               WHERE t.lot = @lot ORDER BY pl.line LIMIT 1)
  AND l.released_at <= strftime('%s', (SELECT made FROM lots WHERE lot = @lot) || 'T23:59:59Z')
ORDER BY r.seq DESC LIMIT 1;

SELECT signer, org, meaning, time FROM acks
WHERE (doc, rev) = (SELECT pl.doc, pl.rev FROM po_lines pl JOIN lots t ON pl.po = t.po
                    AND pl.part = t.part WHERE t.lot = @lot ORDER BY pl.line LIMIT 1)
  AND org = (SELECT supplier FROM lots WHERE lot = @lot)
ORDER BY time, (SELECT seq FROM events e WHERE e.commit_id = acks.commit_id) LIMIT 1;

SELECT k.kind, k.target, k.doc, k.rev, r.type FROM links k
JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev
WHERE (k.kind = 'lot' AND k.target = @lot)
   OR (k.kind = 'po' AND k.target = (SELECT po FROM lots WHERE lot = @lot))
   OR (k.kind = 'part' AND k.target = (SELECT part FROM lots WHERE lot = @lot))
UNION SELECT 'heat', c.heat, c.doc, c.rev, 'material-cert' FROM certs c WHERE c.heat = @lot
ORDER BY 1, 3, 4;

WITH RECURSIVE up(lot, depth) AS (
	SELECT input, 1 FROM lot_inputs WHERE lot = @lot
	UNION SELECT i.input, up.depth + 1 FROM lot_inputs i JOIN up ON i.lot = up.lot WHERE up.depth < 64)
SELECT DISTINCT 'lot', up.lot, k.doc, k.rev, r.type FROM up
CROSS JOIN links k ON k.kind = 'lot' AND k.target = up.lot
JOIN revisions r ON r.doc = k.doc AND r.rev = k.rev
UNION SELECT 'heat', up.lot, c.doc, c.rev, 'material-cert' FROM up CROSS JOIN certs c ON c.heat = up.lot
ORDER BY 2, 3, 4;

WITH RECURSIVE up(lot, depth) AS (
	SELECT input, 1 FROM lot_inputs WHERE lot = @lot
	UNION SELECT i.input, up.depth + 1 FROM lot_inputs i JOIN up ON i.lot = up.lot WHERE up.depth < 64)
SELECT l.lot, l.part, l.po, l.supplier, l.made, min(up.depth) FROM up
CROSS JOIN lots l ON l.lot = up.lot GROUP BY l.lot ORDER BY min(up.depth), l.lot;

WITH RECURSIVE down(lot, depth) AS (
	SELECT lot, 1 FROM lot_inputs WHERE input = @lot
	UNION SELECT i.lot, down.depth + 1 FROM lot_inputs i JOIN down ON i.input = down.lot WHERE down.depth < 64)
SELECT l.lot, l.part, l.po, l.supplier, l.made, min(down.depth) FROM down
CROSS JOIN lots l ON l.lot = down.lot GROUP BY l.lot ORDER BY min(down.depth), l.lot;
