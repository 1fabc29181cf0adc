#!/usr/bin/env node
// docs/screenshots/*.png: every screen of the web UI over a fresh demo company, at
// 1280×800 (the dashboard and the forecast: the whole page); the board, the opportunity
// page, the dashboard and the forecast also at 390 px wide (a phone).
// Run by scripts/screenshots.sh (make screenshots).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, apiAs, launchBrowser, login, startServer } from './lib.mjs';

const out = join(ROOT, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
let status = 0;
try {
	const mgr = await apiAs(server.url, 'manager');
	const deal = (await mgr.get('/opportunities?status=open&stage=proposal&sort=close_date&limit=1')).data[0];
	const account = (await mgr.get('/accounts?sort=name&limit=1')).data[0];
	const lead = (await mgr.get('/leads?sort=-score&converted_at_set=false&status=new,working,qualified&limit=1')).data[0];
	const admin = await apiAs(server.url, 'admin');
	const form = (await admin.call('POST', '/forms', { slug: 'demo-request', name: 'Request a demo', channel: 'web', fields: [
		{ name: 'first_name', label: 'First name', type: 'text', required: false, maps_to: 'first_name' },
		{ name: 'last_name', label: 'Last name', type: 'text', required: true, maps_to: 'last_name' },
		{ name: 'email', label: 'Work e-mail', type: 'email', required: true, maps_to: 'email' },
		{ name: 'company', label: 'Company', type: 'text', required: false, maps_to: 'company' },
		{ name: 'timeline', label: 'When do you plan to buy?', type: 'select', required: false, maps_to: 'qualification.timeline', options: ['This quarter', 'This year', 'Later'] },
	] })).json;
	// a handover plan to review: a draft for a rep of the manager's team
	const leaver = (await mgr.get('/users?team_id=' + mgr.user.team_id + '&limit=200')).data
		.find((u) => u.role === 'rep' && u.email !== 'rep@demo.funnel');
	const plan = (await mgr.call('POST', '/handovers', { from_user: leaver.id })).json;
	// the forecast screen: numbers submitted this quarter by the rep, and weekly snapshots
	// of the last quarter for its accuracy
	const now = new Date(), qi = now.getUTCFullYear() * 4 + Math.floor(now.getUTCMonth() / 3);
	const quarter = (i) => Math.floor(i / 4) + '-Q' + ((i % 4) + 1);
	const rep = await apiAs(server.url, 'rep');
	await rep.call('POST', '/forecast/submissions', { period: quarter(qi), scope: 'user', commit: '120000.00', best_case: '180000.00', note: 'Two renewals may slip to next quarter' });
	for (const days of [6, 34, 62]) {
		const asOf = new Date(Date.UTC(Math.floor((qi - 1) / 4), ((qi - 1) % 4) * 3, 1) + days * 86400000).toISOString().slice(0, 10);
		spawnSync(BIN, ['forecast', 'snapshot', '--db', join(server.dir, 'demo.db'), '--period', quarter(qi - 1), '--as-of', asOf]);
	}
	const screens = [
		// [file, who, path, phone too?, the whole page?]
		['login', null, '/login', true],
		['board', 'manager', '/board', true],
		['opportunity', 'manager', '/opportunities/' + deal.id, true],
		['opportunities', 'manager', '/opportunities'],
		['accounts', 'manager', '/accounts'],
		['account', 'manager', '/accounts/' + account.id],
		['contacts', 'manager', '/contacts'],
		['leads', 'manager', '/leads?status=working&sort=-score'],
		['lead', 'manager', '/leads/' + lead.id],
		['inbox', 'manager', '/inbox', true],
		['dashboard', 'manager', '/dashboard', true, true],
		['forecast', 'manager', '/forecast', true, true],
		['forecast-rep', 'rep', '/forecast'],
		['handover', 'manager', '/handover'],
		['handover-plan', 'manager', '/handover?id=' + plan.id],
		['forms', 'admin', '/forms'],
		['form', 'admin', '/forms/' + form.id],
		['admin', 'admin', '/admin'],
		['admin-pipelines', 'admin', '/admin/pipelines'],
	];
	for (const [name, who, path, phone, whole] of screens) {
		for (const [suffix, viewport] of [['', { width: 1280, height: 800 }], ['-390', { width: 390, height: 844 }]]) {
			if (suffix && !phone)
				continue;
			const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
			const page = await context.newPage();
			if (who)
				await login(page, server.url, who);
			await page.goto(server.url + path);
			await page.waitForLoadState('networkidle');
			await page.locator('[data-ready], .login-card, .panel').first().waitFor({ timeout: 10000 }).catch(() => {});
			if (whole) // every panel loaded, not only the first
				await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 20000 }).catch(() => {});
			await page.screenshot({ path: join(out, name + suffix + '.png'), fullPage: !!whole && !suffix });
			console.log('screenshots: ' + name + suffix + '.png');
			await context.close();
		}
	}
} catch (e) {
	console.error('screenshots: ' + (e.stack || e));
	status = 1;
} finally {
	await browser.close();
	await server.stop();
}
process.exit(status);
