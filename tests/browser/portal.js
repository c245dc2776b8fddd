// portal.js - the portal in a real browser: Debian's chromium, driven by
// playwright-core, with Chromium's virtual authenticator (a CTAP2 passkey
// with user verification) standing in for the user's.  Called by
// tests/cli/t0055-portal-browser.sh, which set the vault up and starts
// nginx and qvault serve; this walks a supplier's day and prints one line
// per check, "ok - WHAT" or "not ok - WHAT: WHY", which the shell counts.
//
// node portal.js BASE ENROLL_LINK SHOTS_DIR OUT_DIR [BUYER_LINK AUDITOR_LINK]
//   BASE: https://localhost:PORT; ENROLL_LINK: what `user add --enroll`
//   printed; SHOTS_DIR: a screenshot of every page goes there; OUT_DIR:
//   what the shell checks afterwards (the login request, to replay).
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [base, link, shots, out, buyerLink, auditorLink] = process.argv.slice(2);
let failures = 0;
let current = null; // the page a failed check shows

function ok(what) { console.log('ok - ' + what); }
function notOk(what, why) {
	failures++;
	console.log('not ok - ' + what + ': ' + String(why).split('\n')[0]);
}
async function check(what, fn) {
	try {
		const r = await fn();
		if (r === false)
			notOk(what, 'the check was false');
		else
			ok(what);
	} catch (e) {
		notOk(what, e && e.message ? e.message : e);
		// what the page showed when it failed, for whoever reads the log
		if (current)
			await current.screenshot({ path: path.join(shots, 'failed-' + failures + '.png'),
				fullPage: true }).catch(() => {});
	}
}

// axe-core on the page: no serious or critical violation; a screenshot
async function look(page, name) {
	await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
	await check('the ' + name + ' page has no serious or critical accessibility violation (axe-core)',
		async () => {
			// evaluated as the debugger does, past the page's CSP (which allows no inline script)
			await page.evaluate(axeSource);
			const r = await page.evaluate(async () => await window.axe.run(document));
			const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
			if (bad.length)
				throw new Error(bad.map((v) => v.id + ' (' + v.nodes.length + ')').join(', '));
		});
}

(async () => {
	fs.mkdirSync(shots, { recursive: true });
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox'],
	});
	const context = await browser.newContext({ ignoreHTTPSErrors: true });
	const page = await context.newPage();
	current = page;
	// every answer to a post, for whoever reads browser.err after a failure
	page.on('response', async (r) => {
		if (r.request().method() !== 'POST')
			return;
		const why = r.status() >= 400 ? ' ' + (await r.text().catch(() => '')).slice(0, 300) : '';
		console.error('POST ' + r.url() + ' -> ' + r.status() + why);
	});
	const dialogs = [];
	page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
	const cdp = await context.newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
			hasUserVerification: true, isUserVerified: true,
			automaticPresenceSimulation: true,
		},
	});

	// ---- without a session ----------------------------------------------------
	await check('a page without a session sends the browser to /login', async () => {
		await page.goto(base + '/inbox');
		if (!page.url().endsWith('/login'))
			throw new Error('at ' + page.url());
	});
	await look(page, 'login');

	// ---- enrollment --------------------------------------------------------------
	await page.goto(link);
	await look(page, 'enroll');
	await check('the enrollment link makes a passkey and registers it', async () => {
		await page.click('#enroll-go');
		await page.waitForSelector('#status.good >> text=registered', { timeout: 20000 });
	});
	await check('  the link is spent: opening it again is refused', async () => {
		await page.goto(link);
		await page.click('#enroll-go');
		await page.waitForSelector('#status.bad >> text=not valid', { timeout: 20000 });
	});

	// ---- login -----------------------------------------------------------------------
	let loginBody = null;
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url() === base + '/login')
			loginBody = r.postData();
	});
	await page.goto(base + '/login');
	await check('login: the user name, then the passkey with user verification', async () => {
		await page.fill('#name', 'pat');
		await page.press('#name', 'Enter');
		await page.waitForURL(base + '/inbox', { timeout: 20000 });
	});
	fs.writeFileSync(path.join(out, 'login.json'), loginBody || '');
	await check('  the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict', async () => {
		const c = (await context.cookies()).find((x) => x.name === '__Host-qvault');
		if (!c || !c.secure || !c.httpOnly || c.sameSite !== 'Strict' || c.path !== '/')
			throw new Error(JSON.stringify(c));
		fs.writeFileSync(path.join(out, 'cookie'), c.value);
	});
	await look(page, 'inbox');
	await check('the inbox asks the supplier to acknowledge DWG-1@A', async () => {
		await page.waitForSelector('a[href="/documents/DWG-1/A"]');
	});
	await check('  and the page has a Content-Security-Policy without inline script', async () => {
		const r = await page.request.get(base + '/inbox');
		const csp = r.headers()['content-security-policy'] || '';
		if (!/script-src 'self'/.test(csp) || /unsafe-inline/.test(csp))
			throw new Error(csp);
	});

	// ---- acknowledge with the passkey -----------------------------------------------
	await page.click('a[href="/documents/DWG-1/A"]');
	await page.waitForSelector('#ack');
	await look(page, 'revision');
	await check('a title with <script> in it is shown as text, never run', async () => {
		const t = await page.textContent('main dl');
		if (!t.includes('<script>') || dialogs.length)
			throw new Error('title ' + JSON.stringify(t) + ', dialogs ' + dialogs.length);
	});
	await check('acknowledging the revision asks the passkey and records the signature', async () => {
		await page.selectOption('#meaning', 'received');
		await page.click('#ack button[type=submit]');
		await page.waitForSelector('table >> text=pat', { timeout: 20000 });
	});
	await check('  the session was replaced by a new one after the signature', async () => {
		const c = (await context.cookies()).find((x) => x.name === '__Host-qvault');
		const before = fs.readFileSync(path.join(out, 'cookie'), 'utf8');
		if (!c || c.value === before)
			throw new Error('the same session');
		fs.writeFileSync(path.join(out, 'cookie.old'), before);
		fs.writeFileSync(path.join(out, 'cookie'), c.value);
	});
	await look(page, 'revision-acknowledged');

	// ---- purchase orders ---------------------------------------------------------------
	await page.goto(base + '/pos');
	await look(page, 'pos');
	await check('the supplier sees its own PO and not another organization\'s', async () => {
		await page.waitForSelector('a[href="/pos/PO-1"]');
		if (await page.$('a[href="/pos/PO-2"]'))
			throw new Error('PO-2 is listed');
	});
	await page.goto(base + '/pos/PO-1');
	await look(page, 'po');
	await check('  its PO shows its lines', async () => {
		await page.waitForSelector('td >> text=BRKT-1');
	});
	await check('  another organization\'s PO, by its URL, is 404 like one that does not exist', async () => {
		const r = await page.goto(base + '/pos/PO-2');
		if (r.status() !== 404)
			throw new Error('status ' + r.status());
	});
	await page.goto(base + '/documents');
	await look(page, 'documents');

	// ---- a lot, its certificate, a ship notice ----------------------------------------
	fs.writeFileSync(path.join(out, 'coc.pdf'),
		'%PDF-1.4\n% coc\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
	fs.writeFileSync(path.join(out, 'mtr.csv'), 'heat,C,Mn\nH-77,0.20,1.10\n');
	await page.goto(base + '/ship');
	await look(page, 'ship');
	await check('the supplier records the lot it made for its PO', async () => {
		await page.fill('#lot\\.lot', 'L-1');
		await page.fill('#lot\\.po', 'PO-1');
		await page.fill('#lot\\.part', 'BRKT-1');
		await page.fill('#lot\\.qty', '10');
		await Promise.all([page.waitForURL(base + '/ship'), page.click('button:has-text("Record the lot")')]);
	});
	await page.goto(base + '/upload');
	await look(page, 'upload');
	await check('it uploads the lot\'s certificate of conformity from the browser', async () => {
		await page.fill('#doc', 'COC-L-1');
		await page.selectOption('#type', 'coc');
		await page.fill('#lot', 'L-1');
		await page.setInputFiles('#file', path.join(out, 'coc.pdf'));
		await Promise.all([page.waitForURL(base + '/documents/COC-L-1'), page.click('button:has-text("Upload")')]);
		await page.waitForSelector('td >> text=COC-L-1@');
	});
	await check('  a material certificate with its EN 10204 data, a missing field named', async () => {
		await page.goto(base + '/upload');
		await page.fill('#doc', 'MTR-77');
		await page.selectOption('#type', 'material-cert');
		await page.setInputFiles('#file', path.join(out, 'mtr.csv'));
		await page.fill('#cert\\.heat_number', 'H-77');
		await page.click('button:has-text("Upload")');
		await page.waitForSelector('#refusal');
		const why = await page.textContent('#refusal');
		if (!/inspector/.test(why) || !/manufacturer/.test(why))
			throw new Error(why);
		await look(page, 'upload-refused');
		for (const [k, v] of [['certificate_number', 'C-1'], ['manufacturer', 'Mill'],
			['product', 'Bar'], ['grade', 'EN AW-6061 T6'], ['inspector', 'I. Nspector'],
			['issue_date', '2026-11-01']])
			await page.fill('#cert\\.' + k, v);
		await page.fill('#cert\\.chemical', 'C=0.20, Mn=1.10');
		await page.setInputFiles('#file', path.join(out, 'mtr.csv'));
		await Promise.all([page.waitForURL(base + '/documents/MTR-77'), page.click('button:has-text("Upload")')]);
	});
	await check('it sends the ship notice from the form', async () => {
		await page.goto(base + '/ship');
		await page.fill('#asn', 'ASN-1');
		await page.fill('#po', 'PO-1');
		await page.fill('#ship_date', new Date().toISOString().slice(0, 10));
		await page.fill('#package', 'P1');
		await page.fill('#lot', 'L-1');
		await page.fill('#qty', '10');
		await Promise.all([page.waitForURL(base + '/asns'), page.click('button:has-text("Send the ship notice")')]);
		await page.waitForSelector('td >> text=ASN-1');
	});
	await look(page, 'asns');
	await check('  shipping more than the lot holds is refused, and says why', async () => {
		await page.goto(base + '/ship');
		await page.fill('#asn', 'ASN-2');
		await page.fill('#po', 'PO-1');
		await page.fill('#ship_date', new Date().toISOString().slice(0, 10));
		await page.fill('#package', 'P2');
		await page.fill('#lot', 'L-1');
		await page.fill('#qty', '5');
		await page.click('button:has-text("Send the ship notice")');
		await page.waitForSelector('#refusal');
		const why = await page.textContent('#refusal');
		if (!/ships 5 of .*PO-1.* 0 open/.test(why))
			throw new Error(why);
	});

	await check('  or it uploads an X12 856 file: ship notice SHIP-3 of PO-3 is recorded', async () => {
		await page.goto(base + '/ship');
		await page.setInputFiles('#file', path.join(out, 'asn-3.856'));
		await Promise.all([page.waitForURL(base + '/asns'), page.click('button:has-text("Upload the 856")')]);
		await page.waitForSelector('td >> text=SHIP-3');
	});

	await check('the supplier submits its FAI package from the browser', async () => {
		await page.goto(base + '/fai');
		await page.setInputFiles('#file', path.join(out, 'fai.zip'));
		await page.fill('#po', 'PO-1');
		await Promise.all([page.waitForURL(/\/documents\/FAIR-1\//),
			page.click('button:has-text("Submit the package")')]);
	});
	await check('an FAI package with a bad characteristic is refused, the reason on its row', async () => {
		await page.goto(base + '/fai');
		await page.setInputFiles('#file', path.join(out, 'fai-bad.zip'));
		await page.click('button:has-text("Submit the package")');
		await page.waitForSelector('#refusal');
		const why = await page.textContent('#refusal');
		const row = await page.textContent('tr.bad');
		if (!/characteristic 2: result 8.4 is outside/.test(why) || !/characteristic 2/.test(row))
			throw new Error(why + ' / ' + row);
		await look(page, 'fai-refused');
	});
	await page.goto(base + '/ncrs');
	await look(page, 'ncrs');

	// ---- the part's forecast, and the commitment to its firm zone -------------------
	await check("the inbox links the forecast to answer to the part's page, its weeks shown", async () => {
		await page.goto(base + '/inbox');
		await Promise.all([page.waitForNavigation(), page.click('a[href="/forecasts/BRKT-1"]')]);
		await page.waitForSelector('td >> text=2026-W50');
	});
	await look(page, 'forecast');
	await check('  the supplier commits to its firm zone, signed with its passkey', async () => {
		await Promise.all([page.waitForNavigation(),
			page.click('button:has-text("Sign the commitment with your passkey")')]);
		await page.waitForSelector('text=Committed to revision 1 by pat');
	});

	// ---- answering the PO, tracing the lot ------------------------------------------
	await check('the supplier accepts its PO with a promised date, signed with its passkey', async () => {
		await page.goto(base + '/pos/PO-1');
		await page.check('#accept');
		await page.fill('#promise', '2027-01-15');
		await Promise.all([page.waitForNavigation(),
			page.click('button:has-text("Sign the answer with your passkey")')]);
		await page.waitForSelector('td >> text=2027-01-15');
		// a signature opens a new session: the one the tests after this use
		const c = (await context.cookies()).find((x) => x.name === '__Host-qvault');
		fs.writeFileSync(path.join(out, 'cookie'), c.value);
	});
	await look(page, 'po-answered');
	await check('  then it reports progress on line 1, and the PO shows it', async () => {
		await page.selectOption('#status', 'in-progress');
		await page.fill('#status-note', 'machining done, plating next');
		await Promise.all([page.waitForURL(base + '/pos/PO-1'),
			page.click('button:has-text("Report")')]);
		await page.waitForSelector('td >> text=machining done, plating next');
	});
	await look(page, 'po-status');
	await check('the trace of its lot draws the genealogy (SVG) and lists its certificate', async () => {
		await page.goto(base + '/trace/lot/L-1');
		await page.waitForSelector('svg[role=img] title', { state: 'attached' });
		await page.waitForSelector('a[href^="/documents/COC-L-1/"]');
	});
	await look(page, 'trace-lot');
	await check("  and the lot's evidence bundle downloads as a zip", async () => {
		const [download] = await Promise.all([page.waitForEvent('download'),
			page.click('text=Download the evidence bundle')]);
		const file = path.join(out, 'evidence-L-1.zip');
		await download.saveAs(file);
		const head = fs.readFileSync(file).subarray(0, 2).toString();
		if (head !== 'PK' || download.suggestedFilename() !== 'evidence-L-1.zip')
			throw new Error(download.suggestedFilename() + ' ' + head);
	});
	await page.goto(base + '/audit');
	await look(page, 'audit');
	await page.goto(base + '/scorecard');
	await look(page, 'scorecard');
	await check("the supplier's scorecard shows its own organization only", async () => {
		await page.waitForSelector('td >> text=acme');
		if (await page.$('td >> text=zenith'))
			throw new Error('zenith is shown');
	});

	// ---- a user not verified -------------------------------------------------------------
	await check('a passkey that did not verify its user does not log in', async () => {
		await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
		const other = await browser.newContext({ ignoreHTTPSErrors: true });
		const p2 = await other.newPage();
		const c2 = await other.newCDPSession(p2);
		await c2.send('WebAuthn.enable');
		const creds = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
		const { authenticatorId: a2 } = await c2.send('WebAuthn.addVirtualAuthenticator', {
			options: {
				protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
				hasUserVerification: true, isUserVerified: false,
				automaticPresenceSimulation: true,
			},
		});
		for (const c of creds.credentials)
			await c2.send('WebAuthn.addCredential', { authenticatorId: a2, credential: c });
		await p2.goto(base + '/login');
		await p2.fill('#name', 'pat');
		await p2.press('#name', 'Enter');
		await p2.waitForSelector('#status.bad', { timeout: 20000 });
		if (p2.url().endsWith('/inbox'))
			throw new Error('logged in');
		await other.close();
	});

	// ---- the buyer's day and the auditor's, each with a passkey of its own ---------
	async function person(role, enrollLink, name) {
		const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
		const p = await ctx.newPage();
		current = p;
		const c = await ctx.newCDPSession(p);
		await c.send('WebAuthn.enable');
		await c.send('WebAuthn.addVirtualAuthenticator', {
			options: {
				protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
				hasUserVerification: true, isUserVerified: true,
				automaticPresenceSimulation: true,
			},
		});
		await check('the ' + role + ' enrolls a passkey and logs in', async () => {
			await p.goto(enrollLink);
			await p.click('#enroll-go');
			await p.waitForSelector('#status.good >> text=registered', { timeout: 20000 });
			await p.goto(base + '/login');
			await p.fill('#name', name);
			await p.press('#name', 'Enter');
			await p.waitForURL(base + '/inbox', { timeout: 20000 });
		});
		return { ctx, p };
	}
	if (buyerLink) {
		const { ctx, p } = await person('buyer', buyerLink, 'bob');
		await look(p, 'buyer-inbox');
		await check('  the buyer sees the FAI report waiting for its disposition', async () => {
			await p.waitForSelector('td >> text=disposition-fai');
		});
		await check('  and accepts it, signed with its passkey', async () => {
			await p.click('a[href^="/documents/FAIR-1/"]');
			await p.waitForSelector('button:has-text("Sign the disposition with your passkey")');
			await look(p, 'buyer-fai');
			await p.check('#fai-accept');
			await Promise.all([p.waitForNavigation(),
				p.click('button:has-text("Sign the disposition with your passkey")')]);
			await p.goto(base + '/log/FAIR-1');
			await p.waitForSelector('td >> text=/fai accept FAIR-1/');
		});
		await check('  the buyer opens an NCR on the lot, and closes it signed with its passkey', async () => {
			await p.goto(base + '/ncrs');
			await p.fill('#ncr-lot', 'L-1');
			await p.fill('#ncr-reason', 'one part dented in transit');
			await Promise.all([p.waitForURL(/\/ncrs\/NCR-/),
				p.click('button:has-text("Open the report")')]);
			await look(p, 'buyer-ncr');
			await p.selectOption('#ncr-disposition', 'scrap');
			await p.fill('#ncr-note', 'scrapped at receiving');
			await Promise.all([p.waitForNavigation(),
				p.click('button:has-text("Sign the close with your passkey")')]);
			await p.waitForSelector('dd >> text=closed');
		});
		await p.goto(base + '/release');
		await look(p, 'buyer-release');
		await check('  the buyer releases DWG-1@B to acme from the browser', async () => {
			await p.fill('#doc', 'DWG-1');
			await p.fill('#rev', 'B');
			await p.fill('#reason', 'ECN-9: a chamfer added');
			await p.check('input[name=to][value=acme]');
			await p.setInputFiles('#file', path.join(out, 'dwg-b.pdf'));
			await Promise.all([p.waitForURL(base + '/documents/DWG-1/B'),
				p.click('button:has-text("Release")')]);
			await p.waitForSelector('td >> text=ECN-9: a chamfer added');
		});
		await look(p, 'buyer-revision');
		await check('  what changed from DWG-1@A to B: the release reason, and the file of the drawing changed', async () => {
			await p.click('a[href="/documents/DWG-1/B/changes"]');
			await p.waitForSelector('td >> text=ECN-9: a chamfer added');
			await p.waitForSelector('td >> text=/changed/');
		});
		await look(p, 'buyer-changes');
		await check('  who has not acknowledged: acme, DWG-1@B, 0 days', async () => {
			await p.goto(base + '/pending');
			const cells = await p.$$eval('tr:has(a[href="/documents/DWG-1/B"]) td',
				(tds) => tds.map((td) => td.textContent));
			if (cells.length !== 4 || cells[0] !== 'DWG-1@B' || cells[1] !== 'acme' || cells[3] !== '0')
				throw new Error(JSON.stringify(cells));
		});
		await look(p, 'buyer-pending');
		await check('  the buyer changes PO-1 line 1 to 12 pieces: a change order', async () => {
			await p.goto(base + '/pos/PO-1');
			await p.fill('#chg\\.qty', '12');
			await p.fill('#chg\\.reason', 'demand up: two more');
			await Promise.all([p.waitForURL(base + '/pos/PO-1'),
				p.click('button:has-text("Issue the change order")')]);
			await p.waitForSelector('td >> text=demand up: two more');
		});
		await look(p, 'buyer-po-change');
		await check('  and receives ship notice ASN-1, one part short', async () => {
			await p.goto(base + '/asns/ASN-1');
			await look(p, 'buyer-asn');
			await p.fill('#qty\\.0', '9');
			await p.fill('#note', 'one part short');
			await Promise.all([p.waitForURL(base + '/asns/ASN-1'),
				p.click('button:has-text("Record the receipt")')]);
			await p.waitForSelector('dd >> text=/by bob/');
		});
		await look(p, 'buyer-asn-received');
		await p.goto(base + '/scorecard');
		await look(p, 'buyer-scorecard');
		await check("  every supplier's scorecard, acme and zenith", async () => {
			await p.waitForSelector('td >> text=acme');
			await p.waitForSelector('td >> text=zenith');
		});
		await ctx.close();
	}
	await check('the supplier sees the NCR the buyer opened on its lot', async () => {
		await page.goto(base + '/ncrs');
		await Promise.all([page.waitForURL(/\/ncrs\/NCR-/), page.click('a[href^="/ncrs/NCR-"]')]);
		await page.waitForSelector('text=one part dented in transit');
	});
	await look(page, 'supplier-ncr');
	await check("  and its scorecard draws its chart, now that a delivery was received", async () => {
		await page.goto(base + '/scorecard');
		await page.waitForSelector('svg[role=img] title', { state: 'attached' });
	});
	await look(page, 'scorecard-chart');
	if (auditorLink) {
		const { ctx, p } = await person('auditor', auditorLink, 'ann');
		await p.goto(base + '/trace/lot/L-1');
		await look(p, 'auditor-trace');
		await check('  the auditor traces the lot to its certificate and downloads the bundle', async () => {
			await p.waitForSelector('a[href^="/documents/COC-L-1/"]');
			const [download] = await Promise.all([p.waitForEvent('download'),
				p.click('text=Download the evidence bundle')]);
			await download.saveAs(path.join(out, 'auditor-bundle.zip'));
		});
		await p.goto(base + '/audit');
		await look(p, 'auditor-audit');
		await check('  the audit lists its gaps: lot L-3 shipped without a certificate of conformity', async () => {
			const row = await p.textContent('tr:has(td:text-is("no-coc"))');
			if (!/L-3/.test(row))
				throw new Error(row);
		});
		await p.goto(base + '/log/DWG-1');
		await look(p, 'auditor-log');
		await check('  the log of DWG-1 lists its releases and acknowledgments', async () => {
			await p.waitForSelector('td >> text=/release DWG-1/');
		});
		await ctx.close();
	}

	await browser.close();
	process.exit(failures ? 1 : 0);
})().catch((e) => {
	notOk('the browser test ran to its end', e && e.stack ? e.stack : e);
	process.exit(1);
});
