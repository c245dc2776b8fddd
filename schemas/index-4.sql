-- Upgrade of the index from version 3 to 4: EN 10204 data of material
-- certificates (docs/<h>/<h>/<DOC>/<REV>/cert.json), and what each FAI
-- package covers (package.json beside an FAI's record).  The heat number
-- is where a certificate meets the lots of that heat; part, drawing and
-- revision are where an FAI meets the PO lines built to them.  What the
-- repository already holds is read in by forgetting the indexed commit.

CREATE TABLE certs (
	doc TEXT NOT NULL,
	rev TEXT NOT NULL,
	cert_type TEXT NOT NULL,    -- 2.1, 2.2, 3.1, 3.2
	number TEXT NOT NULL,
	manufacturer TEXT NOT NULL,
	product TEXT NOT NULL,
	grade TEXT NOT NULL,
	heat TEXT NOT NULL,
	quantity TEXT,
	issue_date TEXT NOT NULL,
	inspector TEXT,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev)
) WITHOUT ROWID;
CREATE INDEX certs_heat ON certs (heat);

CREATE TABLE fais (
	doc TEXT NOT NULL,          -- the FAIR number
	rev TEXT NOT NULL,
	part TEXT NOT NULL,
	drawing TEXT NOT NULL,
	drawing_rev TEXT NOT NULL,
	fai_type TEXT NOT NULL,     -- full, partial
	complete INTEGER NOT NULL,
	characteristics INTEGER NOT NULL,
	nonconforming INTEGER NOT NULL,
	commit_id TEXT NOT NULL,
	PRIMARY KEY (doc, rev)
) WITHOUT ROWID;
CREATE INDEX fais_part ON fais (part, drawing, drawing_rev);

DELETE FROM meta WHERE key = 'commit';
