#!/usr/bin/env node
// The board's first load, in headless Chromium against `funnel serve` over `funnel demo
// --scale N`: from navigation start to the board rendered (every column filled), for each
// demo login, median of RUNS full page loads each, and the server-side duration of every
// request those loads made (the server's access log).  Baseline in the same run: the
// same navigation signed out, which loads the same HTML, script and style and renders the
// login page (the cost of the shell alone).
//
//   node bench/ui.mjs [N] [RUNS]      (bench/ui.sh; UI_DB=path serves an existing demo database)
import { accessLog, apiAs, launchBrowser, login, startServer } from '../tests/e2e/lib.mjs';

const scale = +(process.argv[2] || 30000);
const runs = +(process.argv[3] || 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t0 = Date.now();
// UI_DB=path: an existing `funnel demo --scale N` database (a million deals take minutes to make)
const server = await startServer({ scale, db: process.env.UI_DB });
const browser = await launchBrowser();
console.log('ui: ' + (process.env.UI_DB ? process.env.UI_DB : 'funnel demo --scale ' + scale) + ' ready in ' + ((Date.now() - t0) / 1000).toFixed(1) +
	' s; Chromium ' + browser.version() + '; ' + runs + ' loads each');
try {
	// wait for the analytics index (the board's amounts come from the funnel report)
	const admin = await apiAs(server.url, 'admin');
	for (let i = 0; i < 600 && (await admin.call('GET', '/reports/funnel')).status === 503; i++)
		await new Promise((r) => setTimeout(r, 200));

	const ctx0 = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const p0 = await ctx0.newPage();
	const base = [];
	for (let i = 0; i < runs; i++) {
		await p0.goto(server.url + '/board');
		await p0.waitForFunction(() => performance.getEntriesByName('login-ready').length);
		base.push(await p0.evaluate(() => performance.getEntriesByName('login-ready')[0].startTime));
	}
	await ctx0.close();
	console.log('ui: baseline, the shell signed out (login page rendered): median ' + median(base).toFixed(0) + ' ms');

	console.log('ui: who       board rendered: median (min–max)   requests  server: sum   median   slowest');
	for (const who of ['rep', 'manager', 'admin']) {
		const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		const page = await ctx.newPage();
		await login(page, server.url, who);
		await page.locator('.board[data-ready]').waitFor();
		const times = [];
		let reqs = [];
		for (let i = 0; i < runs; i++) {
			const from = server.log().length;
			await page.goto(server.url + '/board');
			await page.waitForFunction(() => performance.getEntriesByName('board-ready').length);
			times.push(await page.evaluate(() => performance.getEntriesByName('board-ready')[0].startTime));
			await new Promise((r) => setTimeout(r, 100)); // the log line comes after the answer
			reqs = accessLog(server, from).filter((r) => r.path.startsWith('/api/'));
		}
		const sum = reqs.reduce((a, r) => a + r.ms, 0);
		const med = median(reqs.map((r) => r.ms));
		const slow = reqs.reduce((a, r) => (r.ms > a.ms ? r : a), { ms: 0, path: '' });
		console.log('ui: ' + who.padEnd(9) + ' ' + (median(times).toFixed(0) + ' ms').padStart(8) + ' (' + Math.min(...times).toFixed(0) + '–' +
			Math.max(...times).toFixed(0) + ')' + String(reqs.length).padStart(16) + (sum.toFixed(1) + ' ms').padStart(13) + (med.toFixed(1) + ' ms').padStart(9) +
			'   ' + slow.ms.toFixed(1) + ' ms ' + slow.path.split('?')[0] + (slow.path.includes('?') ? '?…' : ''));
		if (process.env.BENCH_VERBOSE)
			console.log(await page.evaluate(() => performance.getEntriesByType('resource').map((r) =>
				'      ' + r.startTime.toFixed(0).padStart(5) + ' → ' + r.responseEnd.toFixed(0).padStart(5) + ' ms  ' + r.name.replace(location.origin, '').slice(0, 110)).join('\n') +
				'\n      ready at ' + performance.getEntriesByName('board-ready')[0].startTime.toFixed(0) + ' ms; DOMContentLoaded at ' +
				performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd.toFixed(0) + ' ms'));
		if (process.env.BENCH_VERBOSE > 1)
			for (const r of reqs)
				console.log('      ' + r.ms.toFixed(2).padStart(8) + ' ms  ' + r.method + ' ' + r.path);
		await ctx.close();
	}
} finally {
	await browser.close();
	await server.stop();
}
