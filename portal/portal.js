// portal.js - the one script of the qvault portal: what WebAuthn needs to
// make a passkey, log in with it and sign with it.  Every page works from
// the keyboard; this script only turns the forms' submits into WebAuthn
// ceremonies.  The server checks everything it is sent.
'use strict';
(function () {
	function enc(buf) {
		let s = '';
		for (const b of new Uint8Array(buf))
			s += String.fromCharCode(b);
		return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
	}

	function dec(text) {
		const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') +
			'==='.slice((text.length + 3) % 4));
		const out = new Uint8Array(s.length);
		for (let i = 0; i < s.length; i++)
			out[i] = s.charCodeAt(i);
		return out;
	}

	function csrf() {
		const m = document.querySelector('meta[name="csrf"]');
		return m ? m.content : '';
	}

	function say(text, bad, where) {
		const s = where || document.getElementById('status');
		if (s) {
			s.textContent = text;
			s.className = bad ? 'bad' : 'good';
		}
	}

	async function post(url, body) {
		const r = await fetch(url, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
			body: JSON.stringify(body),
		});
		const j = await r.json().catch(() => ({ error: 'the server answered ' + r.status }));
		if (!r.ok)
			throw new Error(j.error || 'the server answered ' + r.status);
		return j;
	}

	// navigator.credentials.get() over `challenge`, user verification required
	async function assertion(challenge, rpId) {
		const c = await navigator.credentials.get({
			publicKey: {
				challenge: dec(challenge), rpId: rpId,
				userVerification: 'required', timeout: 300000,
			},
		});
		return {
			authenticator_data: enc(c.response.authenticatorData),
			client_data: enc(c.response.clientDataJSON),
			signature: enc(c.response.signature),
		};
	}

	function failed(e, where) {
		say(e.name === 'NotAllowedError' ? 'The passkey was not used (cancelled or timed out).' :
			e.message, true, where);
	}

	const login = document.getElementById('login');
	if (login) {
		login.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			const name = login.elements.name.value.trim();
			try {
				say('Use your passkey now.');
				const o = await post('/login/options', { name: name });
				const a = await assertion(o.challenge, o.rp_id);
				a.name = name;
				const r = await post('/login', a);
				location.assign(r.next);
			} catch (e) {
				failed(e);
			}
		});
	}

	const enroll = document.getElementById('enroll');
	if (enroll) {
		// the link is /enroll#SECRET.NAME: the fragment never reaches a server's log
		const frag = location.hash.slice(1), dot = frag.indexOf('.');
		const secret = dot > 0 ? frag.slice(0, dot) : '', name = dot > 0 ? frag.slice(dot + 1) : '';
		history.replaceState(null, '', location.pathname);
		document.getElementById('enroll-user').textContent = name || '(the link is incomplete)';
		document.getElementById('enroll-go').addEventListener('click', async () => {
			try {
				const o = await post('/enroll/options', { name: name, secret: secret });
				say('Make your passkey now.');
				const c = await navigator.credentials.create({
					publicKey: {
						challenge: dec(o.challenge), rp: o.rp,
						user: { id: dec(o.user.id), name: o.user.name, displayName: o.user.displayName },
						pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
						authenticatorSelection: {
							residentKey: 'required', requireResidentKey: true,
							userVerification: 'required',
						},
						attestation: 'none', timeout: o.timeout,
					},
				});
				const r = await post('/enroll', {
					name: name, secret: secret,
					attestation_object: enc(c.response.attestationObject),
					client_data: enc(c.response.clientDataJSON),
				});
				say('Your passkey is registered as ' + r.user + '. You can log in now.');
				const p = document.createElement('p'), l = document.createElement('a');
				l.href = '/login';
				l.textContent = 'Log in';
				p.appendChild(l);
				enroll.appendChild(p);
			} catch (e) {
				failed(e);
			}
		});
	}

	const ack = document.getElementById('ack');
	if (ack) {
		ack.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			const base = '/documents/' + encodeURIComponent(ack.dataset.doc) + '/' +
				encodeURIComponent(ack.dataset.rev);
			const body = { meaning: ack.elements.meaning.value };
			if (ack.elements.comment.value.trim())
				body.comment = ack.elements.comment.value.trim();
			try {
				const s = await post(base + '/statement', body);
				say('Sign with your passkey now.');
				const a = await assertion(s.challenge, location.hostname);
				a.statement = s.statement;
				const r = await post(base + '/ack', a);
				document.querySelector('meta[name="csrf"]').content = r.csrf;
				say('Signed and recorded.');
				location.reload();
			} catch (e) {
				failed(e);
			}
		});
	}

	// A form for an act signed with the passkey (a PO's answer, an FAI
	// disposition, an NCR's close): its filled-in fields go to ACT/statement,
	// the passkey signs the record the vault answers, the signature goes to
	// ACT/sign with the same fields.
	for (const form of document.querySelectorAll('form[data-act]')) {
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			const where = form.querySelector('[role="status"]');
			const fields = {};
			for (const [k, v] of new FormData(form))
				if (typeof v === 'string' && v.trim())
					fields[k] = v.trim();
			try {
				const s = await post(form.dataset.act + '/statement', fields);
				say('Your passkey now signs this record, as the vault will keep it: ' +
					s.record, false, where);
				const a = await assertion(s.challenge, location.hostname);
				const r = await post(form.dataset.act + '/sign',
					Object.assign(a, fields, { record: s.record }));
				document.querySelector('meta[name="csrf"]').content = r.csrf;
				say('Signed and recorded.', false, where);
				location.reload();
			} catch (e) {
				failed(e, where);
			}
		});
	}
})();
