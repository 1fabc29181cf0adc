// Live meetings for the e2e tests and bench/meeting.sh: a `funnel serve --janus ...`
// over a fresh demo database and the real Janus with a configuration that
// scripts/janus-config.sh writes for it (loopback, free ports, fresh secrets), a
// meeting with join links (tests/api/meeting_fixture.py), and Chromium with fake
// camera, microphone and screen.  Everything stops with stop().
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, CHROMIUM, ROOT, WEB, chromium } from './lib.mjs';

export const JANUS = process.env.JANUS_BIN || '/usr/bin/janus';

function freePort() {
	return new Promise((res, rej) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
		s.on('error', rej);
	});
}

function waitFor(fn, ms, what) {
	const until = Date.now() + ms;
	return new Promise((res, rej) => {
		const tick = async () => {
			try {
				const v = await fn();
				if (v)
					return res(v);
			} catch (e) {
				/* not yet */
			}
			if (Date.now() > until)
				return rej(new Error('timed out waiting for ' + what));
			setTimeout(tick, 100);
		};
		tick();
	});
}

// {url, janus, dir, meeting(title, people), stop()}
export async function startLive({ seconds = 900 } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'funnel-live-'));
	const db = join(dir, 'demo.db');
	const demo = spawnSync(BIN, ['demo', '--db', db], { encoding: 'utf8', timeout: 600000 });
	if (demo.status !== 0)
		throw new Error('funnel demo failed: ' + demo.stderr);
	const secret = () => randomBytes(16).toString('hex');
	const env = {
		...process.env,
		FUNNEL_JANUS_TOKEN_SECRET: secret(),
		FUNNEL_JANUS_ADMIN_KEY: secret(),
		FUNNEL_JANUS_EVENTS_SECRET: secret(),
		FUNNEL_JANUS_ADMIN_SECRET: secret(),
	};
	const httpPort = await freePort(), wsPort = await freePort(), adminPort = await freePort();
	const log = openSync(join(dir, 'server.log'), 'a');
	const children = [];
	const funnel = spawn('timeout', ['--signal=TERM', '--kill-after=10', String(seconds), BIN, 'serve',
		'--db', db, '--listen', '127.0.0.1:0', '--web', WEB, '--no-access-log',
		'--janus', 'http://127.0.0.1:' + httpPort + '/janus', '--janus-ws', 'ws://127.0.0.1:' + wsPort,
		'--janus-admin', 'http://127.0.0.1:' + adminPort + '/admin'],
	{ stdio: ['ignore', 'pipe', log], cwd: dir, env });
	children.push(funnel);
	const url = await new Promise((res, rej) => {
		let out = '';
		const timer = setTimeout(() => rej(new Error('funnel did not start')), 60000);
		funnel.stdout.on('data', (b) => {
			out += b;
			const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				res(m[1]);
			}
		});
		funnel.on('exit', (c) => rej(new Error('funnel exited ' + c + ': ' + readFileSync(join(dir, 'server.log'), 'utf8'))));
	});
	funnel.stdout.resume();
	const jdir = join(dir, 'janus');
	const lo = 30000 + (process.pid % 200) * 100;
	const gen = spawnSync(join(ROOT, 'scripts', 'janus-config.sh'), [jdir, '--http-port', String(httpPort),
		'--ws-port', String(wsPort), '--events', url + '/api/v1/janus/events',
		'--token-secret', env.FUNNEL_JANUS_TOKEN_SECRET, '--admin-key', env.FUNNEL_JANUS_ADMIN_KEY,
		'--events-secret', env.FUNNEL_JANUS_EVENTS_SECRET, '--rtp-ports', lo + '-' + (lo + 99),
		'--admin-port', String(adminPort), '--admin-secret', env.FUNNEL_JANUS_ADMIN_SECRET], { encoding: 'utf8' });
	if (gen.status !== 0)
		throw new Error('janus-config.sh failed: ' + gen.stderr);
	const jlog = openSync(join(dir, 'janus.log'), 'a');
	const janus = spawn('timeout', ['--signal=TERM', '--kill-after=10', String(seconds), JANUS, '-F', jdir,
		'-C', join(jdir, 'janus.jcfg'), '-N'], { stdio: ['ignore', jlog, jlog] });
	children.push(janus);
	await waitFor(async () => {
		const r = await fetch('http://127.0.0.1:' + httpPort + '/janus', { method: 'POST', body: JSON.stringify({ janus: 'info', transaction: 'x' }) });
		return (await r.json()).janus === 'server_info';
	}, 20000, 'janus');
	const stop = async () => {
		for (const c of children)
			if (c.exitCode === null) {
				const done = new Promise((r) => c.on('exit', r));
				c.kill('SIGTERM');
				await done;
			}
		if (!process.env.E2E_KEEP)
			rmSync(dir, { recursive: true, force: true });
	};
	process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM')));
	// a meeting: people = ['Name:role[:user_id]', ...]
	const meeting = (title, people, master = 1) => {
		const r = spawnSync('python3', [join(ROOT, 'tests', 'api', 'meeting_fixture.py'), db, String(master), title, ...people], { encoding: 'utf8' });
		if (r.status !== 0)
			throw new Error('meeting_fixture.py: ' + r.stderr);
		return JSON.parse(r.stdout);
	};
	// the processes under timeout(1), for CPU figures (bench/meeting.sh)
	const child = (p) => Number(readFileSync('/proc/' + p.pid + '/task/' + p.pid + '/children', 'utf8').trim().split(' ')[0]);
	return { url, dir, db, janus: { httpPort, wsPort }, meeting, stop, pids: () => ({ funnel: child(funnel), janus: child(janus) }), log: () => readFileSync(join(dir, 'server.log'), 'utf8') + readFileSync(join(dir, 'janus.log'), 'utf8') };
}

export async function launchMediaBrowser() {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--disable-default-apps', '--no-first-run', '--disable-dev-shm-usage',
			'--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
			'--auto-select-desktop-capture-source=Entire screen', '--allow-loopback-in-peer-connection',
			'--autoplay-policy=no-user-gesture-required',
			'--disable-features=Translate,OptimizationHints,MediaRouter,WebRtcHideLocalIpsWithMdns'],
	});
}

// Every RTCPeerConnection a page makes, kept in window.__pcs for getStats().
export const RECORD_PCS = `(() => {
	const Orig = window.RTCPeerConnection;
	window.__pcs = [];
	window.RTCPeerConnection = function (...a) { const pc = new Orig(...a); window.__pcs.push(pc); return pc; };
	window.RTCPeerConnection.prototype = Orig.prototype;
	Object.setPrototypeOf(window.RTCPeerConnection, Orig);
})();`;

// inbound video on the page: {frames, packets}
export async function inboundVideo(page) {
	return page.evaluate(async () => {
		let frames = 0, packets = 0;
		for (const pc of window.__pcs || []) {
			if (pc.connectionState === 'closed')
				continue;
			const stats = await pc.getStats();
			stats.forEach((s) => {
				if (s.type === 'inbound-rtp' && s.kind === 'video') {
					frames += s.framesDecoded || 0;
					packets += s.packetsReceived || 0;
				}
			});
		}
		return { frames, packets };
	});
}

export { waitFor };
