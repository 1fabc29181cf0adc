#!/usr/bin/env node
// docs/screenshots/*.png: every screen of the web UI over a fresh demo company, at
// 1280×800 (the dashboard: the whole page); the board, the opportunity page and the
// dashboard also at 390 px wide (a phone).
// Run by scripts/screenshots.sh (make screenshots).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, apiAs, launchBrowser, login, startServer } from './lib.mjs';

const out = join(ROOT, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
let status = 0;
try {
	const mgr = await apiAs(server.url, 'manager');
	const deal = (await mgr.get('/opportunities?status=open&stage=proposal&sort=close_date&limit=1')).data[0];
	// a handover plan to review: a draft for a rep of the manager's team
	const leaver = (await mgr.get('/users?team_id=' + mgr.user.team_id + '&limit=200')).data
		.find((u) => u.role === 'rep' && u.email !== 'rep@demo.funnel');
	const plan = (await mgr.call('POST', '/handovers', { from_user: leaver.id })).json;
	const screens = [
		// [file, who, path, phone too?, the whole page?]
		['login', null, '/login', true],
		['board', 'manager', '/board', true],
		['opportunity', 'manager', '/opportunities/' + deal.id, true],
		['opportunities', 'manager', '/opportunities'],
		['accounts', 'manager', '/accounts'],
		['contacts', 'manager', '/contacts'],
		['leads', 'manager', '/leads'],
		['inbox', 'manager', '/inbox'],
		['dashboard', 'manager', '/dashboard', true, true],
		['handover', 'manager', '/handover'],
		['handover-plan', 'manager', '/handover?id=' + plan.id],
		['forms', 'admin', '/forms'],
		['admin', 'admin', '/admin'],
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
