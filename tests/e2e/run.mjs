#!/usr/bin/env node
// Runs tests/e2e/test_*.mjs: one server (fresh demo company) and one Chromium for the
// run, a fresh browser context (no cookies) per test.  A test fails on a thrown error,
// an uncaught error in the page, or a Content-Security-Policy violation.  Prints
// 'e2e: N passed, N failed' for tests/run-all.sh.
//
//   node tests/e2e/run.mjs [FILTER]   only tests whose file or name contains FILTER
import { readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { E2E_MAX_UPLOAD, ROOT, accessLog, launchBrowser, registry, startServer } from './lib.mjs';

const filter = process.argv[2] || '';
const here = join(ROOT, 'tests', 'e2e');
const files = readdirSync(here).filter((f) => /^test_.*\.mjs$/.test(f)).sort();
for (const f of files) {
	const before = registry.length;
	await import(pathToFileURL(join(here, f)).href);
	for (const t of registry.slice(before))
		t.file = f;
}
const tests = registry.filter((t) => !filter || t.file.includes(filter) || t.name.includes(filter));
const shots = join(ROOT, 'build', 'e2e');
mkdirSync(shots, { recursive: true });

let passed = 0, failed = 0, server, browser;
try {
	// uploads over E2E_MAX_UPLOAD are refused (413), so a test can send a file over it
	server = await startServer({ maxUpload: E2E_MAX_UPLOAD });
	browser = await launchBrowser();
	console.log('e2e: server ' + server.url + ', Chromium ' + browser.version());
	for (const t of tests) {
		const context = await browser.newContext({ viewport: t.viewport || { width: 1280, height: 800 } });
		context.setDefaultTimeout(10000);
		const page = await context.newPage();
		const problems = [];
		page.on('pageerror', (e) => problems.push('page error: ' + e.message));
		page.on('console', (m) => {
			if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text()))
				problems.push('CSP violation: ' + m.text());
		});
		const t0 = Date.now();
		try {
			await Promise.race([
				t.fn({ page, context, base: server.url, server, browser }),
				new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 90 s')), 90000)),
			]);
			if (problems.length)
				throw new Error(problems.join('\n'));
			passed++;
			console.log('ok   ' + t.file + ': ' + t.name + ' (' + (Date.now() - t0) + ' ms)');
		} catch (e) {
			failed++;
			const png = join(shots, t.name.replace(/[^a-z0-9]+/gi, '_') + '.png');
			await page.screenshot({ path: png, fullPage: true }).catch(() => {});
			console.log('FAIL ' + t.file + ': ' + t.name + '\n     ' + String(e.stack || e).split('\n').slice(0, 6).join('\n     ') +
				'\n     page: ' + page.url() + '  screenshot: ' + png);
		}
		await context.close();
	}
	// how long the server took for each API request of the run (its access log); sign-ins
	// are left out: they hash the password with argon2id on purpose
	const reqs = accessLog(server).filter((r) => r.path.startsWith('/api/') && r.path !== '/api/v1/auth/login')
		.sort((a, b) => a.ms - b.ms);
	if (reqs.length) {
		const q = (f) => reqs[Math.min(reqs.length - 1, Math.floor(f * reqs.length))].ms.toFixed(1);
		const top = reqs[reqs.length - 1];
		console.log('e2e: ' + reqs.length + ' API requests (sign-ins aside), server-side median ' + q(0.5) + ' ms, p99 ' + q(0.99) +
			' ms, slowest ' + top.ms.toFixed(1) + ' ms (' + top.method + ' ' + top.path + ')');
	}
} catch (e) {
	failed++;
	console.log('FAIL harness: ' + (e.stack || e));
} finally {
	if (browser)
		await browser.close().catch(() => {});
	if (server)
		await server.stop();
}
console.log('e2e: ' + passed + ' passed, ' + failed + ' failed');
process.exit(failed || !passed ? 1 : 0);
