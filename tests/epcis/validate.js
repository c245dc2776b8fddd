// node validate.js SCHEMA FILE...: each FILE (an EPCIS 2.0 document) against
// GS1's EPCIS 2.0 JSON Schema (draft-07), with ajv and ajv-formats (the
// formats the schema names: uri, date-time).  Prints "valid FILE" for each,
// or every error ajv finds and exits 1.
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
	console.error('usage: node validate.js SCHEMA FILE...');
	process.exit(2);
}
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
let bad = 0;
for (const f of files) {
	if (validate(JSON.parse(fs.readFileSync(f, 'utf8')))) {
		console.log(`valid ${f}`);
	} else {
		bad = 1;
		for (const e of validate.errors)
			console.log(`invalid ${f}: ${e.instancePath || '/'} ${e.message} (${e.schemaPath})`);
	}
}
process.exit(bad);
