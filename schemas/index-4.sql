-- Upgrade of the index from version 3 to 4: EN 10204 data of material
-- certificates (docs/<h>/<h>/<DOC>/<REV>/cert.json).  The heat number is
-- where a certificate meets the lots of that heat.  What the repository
-- already holds is read in by forgetting the indexed commit.

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

DELETE FROM meta WHERE key = 'commit';
