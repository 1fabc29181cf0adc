// A live meeting in three browsers on the real Janus (tests/e2e/live.mjs): the host opens
// the room from the app, a presenter and an attendee come in through their links (the
// attendee from the lobby, admitted by the host), the presenter shares a screen and the
// others receive it (frames decoded and growing), the host revokes the presenter and
// Janus refuses the revoked publisher; the host sends a file to the attendee alone.
// Keeps screenshots of the lobby and the room.
import { join } from 'node:path';
import { PASSWORD, ROOT, assert, test } from './lib.mjs';
import { RECORD_PCS, inboundVideo, launchMediaBrowser, startLive, waitFor } from './live.mjs';

const shots = join(ROOT, 'docs', 'screenshots');

// the receiving page's screen video: its size, and its decoded frames twice, a second apart
async function receives(page, label) {
	const video = page.locator('.room-feed-screen video').first();
	await video.waitFor({ timeout: 30000 });
	const width = await waitFor(() => video.evaluate((v) => v.videoWidth), 30000, label + ' video frames');
	const a = await inboundVideo(page);
	await page.waitForTimeout(1500);
	const b = await inboundVideo(page);
	assert(width > 0, label + ': videoWidth ' + width);
	assert(b.frames > a.frames && b.packets > a.packets, label + ': frames grow ' + JSON.stringify([a, b]));
	return { width, a, b };
}

test('a live meeting: links, lobby, screen sharing received by others, a revoked presenter refused by Janus', async () => {
	const live = await startLive();
	const browser = await launchMediaBrowser();
	const pages = [];
	try {
		const m = live.meeting('Proposal review with Acme', ['Demo Admin:master:1', 'Pat Presenter:presenter', 'Ann Attendee:attendee']);
		const [, pat, ann] = m.invitees;
		const ctx = async (w = 1280, h = 800) => {
			const c = await browser.newContext({ viewport: { width: w, height: h } });
			await c.addInitScript(RECORD_PCS);
			c.setDefaultTimeout(20000);
			const p = await c.newPage();
			p.on('pageerror', (e) => console.log('page error: ' + e.message));
			p.on('console', (msg) => msg.type() === 'error' && console.log('console: ' + msg.text()));
			pages.push(p);
			return p;
		};
		// the host, signed in, opens the room
		const host = await ctx();
		await host.goto(live.url + '/login');
		await host.getByLabel('E-mail').fill('admin@demo.funnel');
		await host.getByLabel('Password').fill(PASSWORD);
		await host.getByRole('button', { name: 'Sign in' }).click();
		await host.getByRole('button', { name: 'Sign out' }).waitFor();
		await host.goto(live.url + '/meetings/' + m.meeting + '/room');
		await host.getByRole('button', { name: 'Open the room' }).click();
		await host.getByRole('complementary', { name: 'Host controls' }).waitFor();

		// a guessed link shows nothing of the meeting
		const guess = await ctx();
		const r = await guess.goto(live.url + '/m/' + 'A'.repeat(43));
		assert(r.status() === 404, 'a guessed link is 404: ' + r.status());
		await guess.context().close();

		// the presenter: lobby, then in, then shares the screen
		const presenter = await ctx();
		await presenter.goto(live.url + '/m/' + pat.token);
		await presenter.getByRole('heading', { name: 'Proposal review with Acme' }).waitFor();
		assert(await presenter.getByText('may be recorded').count() === 1, 'the consent notice');
		await presenter.screenshot({ path: join(shots, 'meeting-lobby.png') });
		await presenter.getByRole('button', { name: 'Join the meeting' }).click();
		await presenter.locator('.room-role', { hasText: 'Presenter' }).waitFor();
		await presenter.getByRole('button', { name: 'Share screen' }).click();
		await presenter.getByRole('button', { name: 'Stop sharing' }).waitFor({ timeout: 30000 });

		// the attendee on a phone waits in the lobby until the host admits them
		const attendee = await ctx(390, 844);
		await attendee.goto(live.url + '/m/' + ann.token);
		await attendee.getByRole('button', { name: 'Join the meeting' }).click();
		await attendee.getByText('Waiting for the host').waitFor();
		await host.locator('li[data-invitee="' + ann.id + '"]').getByRole('button', { name: 'Admit' }).click();
		await attendee.locator('.room-role', { hasText: 'Attendee' }).waitFor({ timeout: 20000 });

		// both others receive the screen
		const got = await receives(attendee, 'attendee');
		await receives(host, 'host');
		console.log('     screen received: ' + got.width + ' px wide, frames ' + got.a.frames + ' → ' + got.b.frames);
		const wide = await attendee.evaluate(() => document.documentElement.scrollWidth);
		assert(wide <= 390, 'the room fits 390 px: ' + wide);
		await attendee.screenshot({ path: join(shots, 'meeting-room-390.png') });
		await host.screenshot({ path: join(shots, 'meeting-room.png') });

		// an attendee who tries to publish is refused by Janus, not by a hidden button
		await attendee.getByRole('button', { name: 'Share screen' }).click();
		await attendee.getByText('not in the allowed list').waitFor({ timeout: 20000 });

		// the host revokes the presenter: the screen stops, and sharing again is refused by Janus
		await host.locator('li[data-invitee="' + pat.id + '"]').getByRole('button', { name: 'Revoke presenter' }).click();
		await presenter.getByRole('button', { name: 'Share screen' }).waitFor({ timeout: 20000 });
		await attendee.locator('.room-feed-screen video').waitFor({ state: 'detached', timeout: 20000 });
		await presenter.getByRole('button', { name: 'Share screen' }).click();
		await presenter.getByText('not in the allowed list').waitFor({ timeout: 20000 });

		// the host sends a file to the attendee alone: she downloads it by her link, the
		// presenter is not offered it, and the host sees who took it
		const files = host.getByRole('complementary', { name: 'Files' });
		await files.getByLabel('File').setInputFiles({ name: 'proposal.pdf', mimeType: 'application/pdf',
			buffer: Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1') });
		await files.getByLabel('To').selectOption({ label: 'Ann Attendee' });
		await files.getByRole('button', { name: 'Send the file' }).click();
		await files.getByText('Sent proposal.pdf to Ann Attendee').waitFor();
		const mine = attendee.getByRole('complementary', { name: 'Files for you' }).getByRole('link', { name: 'proposal.pdf' });
		await mine.waitFor({ timeout: 10000 });
		const took = await mine.evaluate(async (a) => { const r = await fetch(a.href); return [r.status, (await r.text()).slice(0, 8)]; });
		assert(took[0] === 200 && took[1] === '%PDF-1.4', 'the attendee downloads it: ' + took);
		await files.locator('li', { hasText: 'taken by Ann Attendee' }).waitFor({ timeout: 10000 });
		assert(await presenter.getByRole('link', { name: 'proposal.pdf' }).count() === 0, 'not offered to the presenter');

		// attendance reached Funnel from Janus's event handler
		const att = await host.evaluate(async (id) => (await (await fetch('/api/v1/meetings/' + id + '/attendance')).json()).data, m.meeting);
		for (const p of att)
			assert(p.intervals.length > 0, p.name + ' has attendance');
		await host.getByRole('button', { name: 'End meeting' }).click();
		await attendee.getByText('The meeting has ended').waitFor({ timeout: 20000 });
	} catch (e) {
		for (const [i, p] of pages.entries())
			await p.screenshot({ path: join(ROOT, 'build', 'e2e', 'live-' + i + '.png') }).catch(() => {});
		console.log(live.log().split('\n').filter((l) => /ERR|error|WARN/.test(l)).slice(-15).join('\n'));
		throw e;
	} finally {
		await browser.close();
		await live.stop();
	}
}, { viewport: { width: 1280, height: 800 } });
