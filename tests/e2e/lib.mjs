// The end-to-end harness: a real `funnel serve` over a fresh `funnel demo` database in a
// temporary directory, on an ephemeral 127.0.0.1 port, and Debian's Chromium driven by
// playwright-core (web/package.json).  The server runs under timeout(1), so it stops by
// itself even if this process dies; stop() sends SIGTERM first.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = resolve(ROOT, process.env.FUNNEL_BIN || 'funnel');
export const WEB = resolve(ROOT, process.env.FUNNEL_WEB || 'web/dist');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'demo-password';
export const E2E_MAX_UPLOAD = 1048576; // funnel serve --max-upload of the e2e run
export const LOGINS = {
	admin: 'admin@demo.funnel',
	manager: 'manager@demo.funnel',
	rep: 'rep@demo.funnel',
};

const requireWeb = createRequire(join(ROOT, 'web', 'package.json'));
export const { chromium } = requireWeb('playwright-core');

// A server over a fresh demo company.  {url, dir, log(), stop()}
// `db`: serve this existing demo database instead of making one (benchmarks at scale).
// `maxUpload`: funnel serve --max-upload (bytes), so a test can send a file over it.
export async function startServer({ seconds = 1800, scale, db: given, maxUpload } = {}) {
	if (!existsSync(join(WEB, 'index.html')))
		throw new Error(WEB + '/index.html is missing: run make web');
	const dir = mkdtempSync(join(tmpdir(), 'funnel-e2e-'));
	const db = given ? resolve(given) : join(dir, 'demo.db');
	if (!given) {
		const demo = spawnSync(BIN, ['demo', '--db', db, ...(scale ? ['--scale', String(scale)] : [])],
			{ encoding: 'utf8', timeout: 1800000 });
		if (demo.status !== 0)
			throw new Error('funnel demo failed: ' + demo.stderr);
	}
	const logPath = join(dir, 'server.log');
	const { openSync } = await import('node:fs');
	const err = openSync(logPath, 'a');
	const child = spawn('timeout', ['--signal=TERM', '--kill-after=10', String(seconds), BIN, 'serve',
		'--db', db, '--listen', '127.0.0.1:0', '--web', WEB, ...(maxUpload ? ['--max-upload', String(maxUpload)] : [])],
	{ stdio: ['ignore', 'pipe', err], cwd: dir });
	const url = await new Promise((res, rej) => {
		let out = '';
		const timer = setTimeout(() => rej(new Error('the server did not start: ' + out)), 60000);
		child.stdout.on('data', (b) => {
			out += b;
			const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				res(m[1]);
			}
		});
		child.on('exit', (code) => rej(new Error('the server exited (' + code + '): ' + readFileSync(logPath, 'utf8'))));
	});
	child.stdout.resume();
	let stopped = false;
	const stop = () => new Promise((res) => {
		if (stopped || child.exitCode !== null)
			return res();
		stopped = true;
		child.on('exit', res);
		child.kill('SIGTERM');
	});
	process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));
	return {
		url, dir, child,
		log: () => readFileSync(logPath, 'utf8'),
		stop: async () => {
			await stop();
			if (!process.env.E2E_KEEP)
				rmSync(dir, { recursive: true, force: true });
		},
	};
}

export async function launchBrowser() {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--disable-default-apps', '--no-first-run', '--disable-dev-shm-usage',
			'--disable-features=Translate,OptimizationHints,MediaRouter'],
	});
}

// The server's access log lines for requests since `from` (an offset into the log).
// "access IP METHOD PATH STATUS BYTES 1.23ms user=N"
export function accessLog(server, from = 0) {
	return server.log().slice(from).split('\n').map((l) => /access \S+ (\S+) (\S+) (\d+) \d+ ([0-9.]+)ms/.exec(l))
		.filter(Boolean).map((m) => ({ method: m[1], path: m[2], status: +m[3], ms: +m[4] }));
}

// --- helpers for tests ---------------------------------------------------------
export async function login(page, base, who) {
	await page.goto(base + '/login');
	await page.getByLabel('E-mail').fill(LOGINS[who] || who);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// The API as a user, from inside the page (same cookie and CSRF token as the UI),
// for tests that need to look something up or set something up.
export async function apiAs(base, who) {
	const res = await fetch(base + '/api/v1/auth/login', {
		method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ email: LOGINS[who] || who, password: PASSWORD }),
	});
	if (!res.ok)
		throw new Error('login as ' + who + ': ' + res.status);
	const { token, user } = await res.json();
	const call = async (method, path, body) => {
		const r = await fetch(base + '/api/v1' + path, {
			method,
			headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
			body: body ? JSON.stringify(body) : undefined,
		});
		const text = await r.text();
		return { status: r.status, json: text ? JSON.parse(text) : null, etag: r.headers.get('ETag') };
	};
	return { user, call, get: async (p) => (await call('GET', p)).json };
}

export function assert(cond, msg) {
	if (!cond)
		throw new Error('assertion failed: ' + msg);
}

export function assertEqual(a, b, msg) {
	if (a !== b)
		throw new Error((msg || 'not equal') + ': got ' + JSON.stringify(a) + ', want ' + JSON.stringify(b));
}

// Test registry: test('what it shows', async ({page, base, server, browser}) => {...})
export const registry = [];
export function test(name, fn, opts = {}) {
	registry.push({ name, fn, ...opts });
}
