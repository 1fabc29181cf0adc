// Stored XSS: records whose every text field holds script, event-handler and javascript:
// payloads, shown on every screen of the UI.  Nothing may run (a global flag the payloads
// set, alert dialogs), nothing may be blocked by the Content-Security-Policy (a blocked
// inline handler means markup was injected), no injected element may load (the payloads'
// <img src=/xss-img>), and no link, source or form action may be a javascript: URL.
//
// The record types and their text fields come from the OpenAPI document's *Create schemas,
// the screens from web/src/routes.js: a new field or a new screen is covered without a
// change here; a screen with a path parameter this file cannot fill fails, naming it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, apiAs, assert, login, test } from './lib.mjs';

const MARK = 'XSSMARK';
const LONG = 'javascript:window.__xss=1//' + MARK + '"\'><script>window.__xss=1;alert(1)</script>' +
	'<img src=/xss-img onerror="window.__xss=1;alert(2)"><a href="javascript:alert(3)">j</a>';
const SHORT = MARK + '<img src=/xss-img onerror=alert(1)>';
const payload = (max) => (max === undefined || max >= LONG.length ? LONG : max >= SHORT.length ? SHORT : 'javascript:x'.slice(0, max));

function deref(doc, node) {
	while (node && node.$ref)
		node = node.$ref.slice(2).split('/').reduce((n, k) => n[k], doc);
	return node;
}

// A body for a create: every text member holds a payload, the rest minimal and valid.
function bodyFor(doc, schema, refs, n) {
	const body = {};
	for (const [k, raw] of Object.entries(schema.properties || {})) {
		const p = deref(doc, raw);
		const types = [].concat(p.type || []);
		if (refs[k] !== undefined) {
			body[k] = refs[k];
		} else if (p.enum) {
			if ((schema.required || []).includes(k))
				body[k] = p.enum[0];
		} else if (p.format === 'email') {
			body[k] = 'xss' + n + '@example.com';
		} else if (p.format === 'date' || p.format === 'date-time') {
			if ((schema.required || []).includes(k))
				body[k] = p.format === 'date' ? '2026-12-20' : '2026-12-20T10:00:00Z';
		} else if (p.pattern && /\[0-9\]/.test(p.pattern)) {
			if ((schema.required || []).includes(k))
				body[k] = '100.00';
		} else if (types.includes('string')) {
			body[k] = payload(p.maxLength);
		} else if ((schema.required || []).includes(k) && (types.includes('integer') || types.includes('number'))) {
			body[k] = Math.max(1, p.minimum || 1);
		}
	}
	return body;
}

// Creates one of each record type, each text field a payload where the server takes one.
async function seed(base) {
	const api = await apiAs(base, 'admin');
	const doc = await api.get('/openapi.json');
	const made = {};
	const refs = () => ({
		account_id: made.accounts, contact_id: made.contacts, related_type: 'opportunity',
		related_id: made.opportunities, owner_id: made.users ?? api.user.id, team_id: made.teams,
		from_user: made.users, successor: api.user.id, role: 'rep',
		password: 'a long enough password', slug: 'xss-form', pipeline_id: undefined,
	});
	const order = ['teams', 'users', 'accounts', 'contacts', 'leads', 'opportunities', 'activities'];
	const collections = Object.entries(doc.paths)
		.filter(([p, item]) => item.post && item.get && doc.paths[p + '/{id}'] && /Create$/.test((item.post.requestBody?.content?.['application/json']?.schema?.$ref) || ''))
		.map(([p]) => p.replace('/api/v1/', ''))
		.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
	let n = 0;
	for (const res of collections) {
		const schema = deref(doc, doc.paths['/api/v1/' + res].post.requestBody.content['application/json'].schema);
		const r0 = refs();
		let body = bodyFor(doc, schema, Object.fromEntries(Object.entries(r0).filter(([k, v]) => schema.properties?.[k] && v !== undefined)), n++);
		if (res === 'forms')
			body.fields = [{ name: 'last_name', label: payload(100), type: 'text', required: true, maps_to: 'last_name' }];
		if (res === 'saved_filters')
			Object.assign(body, { resource: 'opportunities', query: 'q=' + MARK });
		if (res === 'pipelines')
			body.stages = [['a', 'upper', 10], ['b', 'lower', 60], ['w', 'won'], ['l', 'lost']]
				.map(([key, section, probability]) => ({ key, name: payload(200), section, ...(probability ? { probability } : {}) }));
		if (res === 'templates')
			body.kind = 'other';
		if (res === 'questionnaires')
			body.questions = [{ key: 'q1', text: payload(200), kind: 'single', options: [payload(100), 'B'] },
				{ key: 'q2', text: payload(200), kind: 'rating', min: 1, max: 5, min_label: payload(100), max_label: 'high' }];
		if (res === 'meetings')
			body.timezone = 'UTC';
		if (res === 'webhooks')
			Object.assign(body, { url: 'http://127.0.0.1:9/hook', events: ['lead.converted'] });
		// where the server refuses a payload (an e-mail, a key, a slug), the field gets a plain
		// value, and the refusal is the defence
		let r;
		for (let tries = 0; tries < 4; tries++) {
			r = await api.call('POST', '/' + res, body);
			if (r.status === 201 || r.status !== 400)
				break;
			body = { ...body };
			for (const e of r.json.errors || []) {
				const f = e.field.split(/[.[]/)[0];
				if (!(f in body) || typeof body[f] !== 'string')
					continue;
				if (tries && !(schema.required || []).includes(f))
					delete body[f];
				else
					body[f] = (tries < 2 ? MARK.toLowerCase() : 'x') + n + (tries ? '' : '-' + f.replace(/_/g, '-'));
			}
		}
		assert(r.status === 201, 'create ' + res + ': ' + r.status + ' ' + JSON.stringify(r.json));
		made[res] = r.json.id;
		if (res === 'forms')
			made.form_slug = r.json.slug;
	}
	return made;
}

function screens() {
	const src = readFileSync(join(ROOT, 'web', 'src', 'routes.js'), 'utf8');
	const paths = [...src.matchAll(/path:\s*'([^']+)'/g)].map((m) => m[1]);
	const admin = readFileSync(join(ROOT, 'web', 'src', 'pages', 'Admin.jsx'), 'utf8');
	const tabs = [.../const Tab = \{([^}]*)\}/.exec(admin)[1].matchAll(/'?([a-z-]+)'?:/g)].map((m) => m[1]);
	assert(paths.length > 10 && tabs.length > 3, 'routes.js or Admin.jsx changed shape: ' + paths + ' / ' + tabs);
	return { paths, tabs };
}

test('stored script in every text field runs nowhere in the UI', async ({ page, base }) => {
	const made = await seed(base);
	const { paths, tabs } = screens();
	const urls = [];
	for (const p of paths) {
		const m = /:(\w+)/.exec(p);
		if (!m) {
			urls.push(p, p + (p.startsWith('/admin') || p === '/board' ? '' : '?q=' + MARK));
			continue;
		}
		const coll = p.split('/')[1];
		if (m[1] === 'id' && made[coll])
			urls.push(p.replace(':id', made[coll]));
		else if (m[1] === 'tab')
			urls.push(...tabs.map((t) => p.replace(':tab', t)));
		else
			throw new Error('test_xss.mjs cannot fill ' + p + ': add it to screens()');
	}
	urls.push('/f/' + made.form_slug);
	urls.splice(0, urls.length, ...new Set(urls));

	const problems = [];
	page.on('dialog', (d) => {
		problems.push('a dialog opened on ' + page.url() + ': ' + d.message());
		d.dismiss().catch(() => {});
	});
	page.on('request', (r) => {
		if (r.url().includes('/xss-img'))
			problems.push('an injected element loaded ' + r.url() + ' on ' + page.url());
	});
	page.on('console', (m) => {
		if (/Content.Security.Policy/i.test(m.text()))
			problems.push('CSP: ' + m.text());
	});
	await page.addInitScript(() => {
		window.__xss = 0;
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
	});
	await login(page, base, 'admin');
	let shown = 0;
	for (const u of urls) {
		await page.goto(base + u, { waitUntil: 'networkidle' });
		const r = await page.evaluate(() => {
			const bad = [];
			for (const el of document.querySelectorAll('[href],[src],[action],[formaction],[xlink\\:href]'))
				for (const a of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
					const v = (el.getAttribute(a) || '').replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
					if (v.startsWith('javascript:') || v.startsWith('data:text/html') || v.startsWith('vbscript:'))
						bad.push(el.tagName + ' ' + a + '=' + v.slice(0, 60));
				}
			return { xss: window.__xss, csp: window.__csp, bad, text: document.body.innerText.includes('<script>window.__xss') || document.body.innerText.includes('onerror=alert(1)') };
		});
		if (r.xss)
			problems.push(u + ': a payload ran');
		problems.push(...r.csp.map((c) => u + ': CSP violation ' + c), ...r.bad.map((b) => u + ': a live link ' + b));
		if (r.text)
			shown++;
		if (/^\/(opportunities|accounts|contacts|leads)\/\d+$/.test(u) || /\?q=/.test(u) && /^\/(opportunities|accounts|contacts|leads)\?/.test(u))
			assert(r.text, u + ' does not show the stored payload as text, so it proves nothing');
	}
	assert(problems.length === 0, problems.join('\n'));
	assert(shown >= 8, 'the payload was shown as text on only ' + shown + ' screens');
	console.log('     xss: ' + urls.length + ' screens, the payload shown as text on ' + shown);
});

test('an uploaded HTML or SVG file opened from the UI is a sandboxed download that runs nothing', async ({ page, base }) => {
	const api = await apiAs(base, 'admin');
	const opp = (await api.get('/opportunities?limit=1')).data[0].id;
	const login0 = await fetch(base + '/api/v1/auth/login', {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ email: 'admin@demo.funnel', password: 'demo-password' }),
	});
	const { token } = await login0.json();
	const files = {
		'page.html': '<!doctype html><script>window.opener&&(window.opener.__xss=1);alert(1)</script><img src=/xss-img onerror=alert(2)>',
		'pic.svg': '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><image href="/xss-img"/></svg>',
	};
	for (const [name, text] of Object.entries(files)) {
		const r = await fetch(base + '/api/v1/attachments?related_type=opportunity&related_id=' + opp + '&filename=' + name,
			{ method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'text/plain' }, body: text });
		assert(r.status === 201, 'upload ' + name + ': ' + r.status);
	}
	const problems = [];
	page.on('dialog', (d) => {
		problems.push('a dialog opened: ' + d.message());
		d.dismiss().catch(() => {});
	});
	page.context().on('request', (r) => r.url().includes('/xss-img') && problems.push('loaded ' + r.url()));
	await login(page, base, 'admin');
	await page.goto(base + '/opportunities/' + opp, { waitUntil: 'networkidle' });
	for (const name of Object.keys(files)) {
		const link = page.getByRole('link', { name, exact: true }).first();
		// a click on the UI's link downloads (the download attribute and Content-Disposition)
		const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
		assert(dl.suggestedFilename() === name, 'downloaded as ' + dl.suggestedFilename());
		// and the address opened directly, as a tab would, downloads too: the browser
		// renders nothing of it in the app's origin
		const href = await link.getAttribute('href');
		const tab = await page.context().newPage();
		const [dl2] = await Promise.all([tab.waitForEvent('download'), tab.goto(base + href).catch(() => {})]);
		assert(dl2.suggestedFilename() === name, 'opened: ' + dl2.suggestedFilename());
		const h = await page.evaluate(async (u) => {
			const r = await fetch(u);
			return { csp: r.headers.get('Content-Security-Policy'), nosniff: r.headers.get('X-Content-Type-Options'), cd: r.headers.get('Content-Disposition'), ct: r.headers.get('Content-Type') };
		}, base + href);
		assert(/(^|;)\s*sandbox\s*(;|$)/.test(h.csp) && /default-src 'none'/.test(h.csp), 'CSP: ' + h.csp);
		assert(h.nosniff === 'nosniff' && /^attachment;/.test(h.cd) && h.ct === 'text/plain', JSON.stringify(h));
		await tab.close();
	}
	assert(await page.evaluate(() => !window.__xss), 'a payload ran');
	assert(problems.length === 0, problems.join('\n'));
});
