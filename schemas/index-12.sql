-- Upgrade of the index from version 11 to 12.

-- ---- forecasts and delivery schedules (issue 17) ---------------------------
-- A schedule is forecasts/<h>/<h>/<PART>/<SUPPLIER>/<SHIP_TO>/<KIND>/
-- NNNNNN.json (KIND: forecast, an X12 830's planning schedule, or
-- delivery, an 862's firm schedule; NNNNNN its revision, from 1), each
-- revision replacing the one before for that part, supplier and ship-to;
-- a supplier's answer to a revision is beside them, acks/NNNNNN-SIGNER.json
-- (and its signature, .sig).  forecasts holds every revision, its buckets
-- forecast_buckets; forecast_acks every answer and forecast_ack_buckets
-- the buckets it commits to or proposes.  No vault before this version
-- holds either (a path of no kind was refused): the indexed commit stays.
CREATE TABLE forecasts (
  part TEXT NOT NULL,
  supplier TEXT NOT NULL,
  ship_to TEXT NOT NULL,
  schedule TEXT NOT NULL,          -- forecast | delivery
  revision INTEGER NOT NULL,
  issued TEXT NOT NULL,            -- YYYY-MM-DD
  reference TEXT,
  unit TEXT NOT NULL,
  horizon_start TEXT,
  horizon_end TEXT,
  authorizations TEXT,             -- JSON, as the record holds them
  last_receipt TEXT,               -- JSON
  cumulative TEXT,                 -- JSON
  imported_by TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  commit_id TEXT NOT NULL,
  PRIMARY KEY (part, supplier, ship_to, schedule, revision)
) WITHOUT ROWID;
CREATE INDEX forecasts_supplier ON forecasts (supplier);
CREATE TABLE forecast_buckets (
  part TEXT NOT NULL,
  supplier TEXT NOT NULL,
  ship_to TEXT NOT NULL,
  schedule TEXT NOT NULL,
  revision INTEGER NOT NULL,
  pos INTEGER NOT NULL,
  start TEXT NOT NULL,
  end TEXT NOT NULL,
  period TEXT NOT NULL,
  qty INTEGER NOT NULL,
  status TEXT NOT NULL,            -- firm | planning | trade-off
  time TEXT,
  PRIMARY KEY (part, supplier, ship_to, schedule, revision, pos)
) WITHOUT ROWID;
CREATE TABLE forecast_acks (
  part TEXT NOT NULL,
  supplier TEXT NOT NULL,
  ship_to TEXT NOT NULL,
  schedule TEXT NOT NULL,
  seq INTEGER NOT NULL,
  revision INTEGER NOT NULL,       -- the revision it answers
  decision TEXT NOT NULL,          -- commit | counter
  org TEXT NOT NULL,
  signed_by TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  signed INTEGER NOT NULL,         -- 1: its signer's signature is beside it
  commit_id TEXT NOT NULL,
  PRIMARY KEY (part, supplier, ship_to, schedule, seq)
) WITHOUT ROWID;
CREATE TABLE forecast_ack_buckets (
  part TEXT NOT NULL,
  supplier TEXT NOT NULL,
  ship_to TEXT NOT NULL,
  schedule TEXT NOT NULL,
  seq INTEGER NOT NULL,
  start TEXT NOT NULL,
  qty INTEGER NOT NULL,
  PRIMARY KEY (part, supplier, ship_to, schedule, seq, start)
) WITHOUT ROWID;
-- ---- end of forecasts and delivery schedules -------------------------------
