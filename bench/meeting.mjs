// bench/meeting.sh: join-to-first-frame and the server cost of a 10-person meeting.
import { readFileSync } from 'node:fs';
import { RECORD_PCS, launchMediaBrowser, startLive, waitFor } from '../tests/e2e/live.mjs';

const RUNS = Number(process.argv[2] || 7), SECONDS = Number(process.argv[3] || 20);
const TICK = 100; // USER_HZ on Linux

function cpu(pid) { // seconds of CPU so far
	const f = readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ');
	return (Number(f[11]) + Number(f[12])) / TICK;
}
function rss(pid) {
	const m = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/' + pid + '/status', 'utf8'));
	return m ? Number(m[1]) / 1024 : 0;
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const fmt = (a) => 'median ' + median(a).toFixed(0) + ' ms, min ' + Math.min(...a).toFixed(0) + ', max ' + Math.max(...a).toFixed(0);

const live = await startLive();
const browser = await launchMediaBrowser();
try {
	const people = ['Host:master:1', 'Pat:presenter', 'Sam:presenter'];
	for (let i = 1; i <= Math.max(8, RUNS); i++)
		people.push('Guest ' + i + ':attendee');
	const m = live.meeting('Bench meeting', people);
	const api = async (path, body) => {
		const r = await fetch(live.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.funnel', password: 'demo-password' }) });
		const { token } = await r.json();
		return fetch(live.url + '/api/v1' + path, { method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	};
	await api('/meetings/' + m.meeting + '/room', { action: 'open' });
	await api('/meetings/' + m.meeting + '/room', { action: 'admit_all' });
	const open = async (inv) => {
		const c = await browser.newContext({ viewport: { width: 800, height: 600 } });
		await c.addInitScript(RECORD_PCS);
		c.setDefaultTimeout(30000);
		const p = await c.newPage();
		await p.goto(live.url + '/m/' + inv.token);
		return p;
	};
	const enter = async (p) => {
		await p.getByRole('button', { name: 'Join the meeting' }).click();
		await p.locator('.room-role').waitFor();
	};
	// presenters: Pat's camera, Sam's screen
	const [, pat, sam, ...guests] = m.invitees;
	const pp = await open(pat);
	await enter(pp);
	await pp.getByRole('button', { name: 'Camera and microphone' }).click();
	await pp.getByRole('button', { name: 'Stop camera' }).waitFor();
	const sp = await open(sam);
	await enter(sp);
	await sp.getByRole('button', { name: 'Share screen' }).click();
	await sp.getByRole('button', { name: 'Stop sharing' }).waitFor();

	// baseline: the browser's own fake camera to a <video>, first frame
	const base = [];
	for (let i = 0; i < RUNS; i++) {
		const c = await browser.newContext();
		const p = await c.newPage();
		await p.goto(live.url + '/m/' + guests[0].token);
		base.push(await p.evaluate(async () => {
			const t0 = performance.now();
			const s = await navigator.mediaDevices.getUserMedia({ video: true });
			const v = document.createElement('video');
			v.muted = true;
			v.srcObject = s;
			document.body.append(v);
			await v.play();
			await new Promise((r) => v.requestVideoFrameCallback(r));
			const ms = performance.now() - t0;
			s.getTracks().forEach((t) => t.stop());
			return ms;
		}));
		await c.close();
	}
	// joins: click → first decoded frame of a remote video
	const joins = [];
	const pages = [];
	for (let i = 0; i < RUNS; i++) {
		const p = await open(guests[i]);
		await p.getByRole('button', { name: 'Join the meeting' }).waitFor();
		const ms = await p.evaluate(() => new Promise((resolve) => {
			const t0 = performance.now();
			const seen = new WeakSet();
			const check = () => {
				for (const v of document.querySelectorAll('.room-feed video'))
					if (!seen.has(v)) {
						seen.add(v);
						v.requestVideoFrameCallback(() => resolve(performance.now() - t0));
					}
			};
			new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
			[...document.querySelectorAll('button')].find((b) => /Join the meeting/.test(b.textContent)).click();
		}));
		joins.push(ms);
		pages.push(p);
	}
	// the meeting of 10: host's page too (8 guests if RUNS < 8)
	for (let i = RUNS; i < 8; i++) {
		const p = await open(guests[i]);
		await enter(p);
		pages.push(p);
	}
	const total = 2 + pages.length;
	await waitFor(async () => {
		for (const p of pages)
			if (await p.locator('.room-feed video').count() < 2)
				return false;
		return true;
	}, 60000, 'every attendee receiving both feeds');
	const pids = live.pids();
	const measure = async (s) => {
		const f0 = cpu(pids.funnel), j0 = cpu(pids.janus), t0 = Date.now();
		await new Promise((r) => setTimeout(r, s * 1000));
		const dt = (Date.now() - t0) / 1000;
		return { funnel: (cpu(pids.funnel) - f0) / dt * 100, janus: (cpu(pids.janus) - j0) / dt * 100 };
	};
	const busy = await measure(SECONDS);
	const rs = { funnel: rss(pids.funnel), janus: rss(pids.janus) };
	for (const p of pages)
		await p.context().close();
	await pp.context().close();
	await sp.context().close();
	await new Promise((r) => setTimeout(r, 3000));
	const idle = await measure(Math.min(SECONDS, 10));
	console.log('meeting: join click → first remote video frame (' + RUNS + ' joins, loopback): ' + fmt(joins));
	console.log('meeting: baseline, own fake camera → first frame (no Janus):           ' + fmt(base));
	console.log('meeting: ' + total + ' participants (2 presenters, ' + pages.length + ' attendees receiving both), ' + SECONDS + ' s:');
	console.log('meeting:   janus  ' + busy.janus.toFixed(1) + '% of a core (idle, after: ' + idle.janus.toFixed(1) + '%), RSS ' + rs.janus.toFixed(0) + ' MB');
	console.log('meeting:   funnel ' + busy.funnel.toFixed(1) + '% of a core (idle, after: ' + idle.funnel.toFixed(1) + '%), RSS ' + rs.funnel.toFixed(0) + ' MB');
} finally {
	await browser.close();
	await live.stop();
}
