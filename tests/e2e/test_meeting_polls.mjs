// A live poll in a real room on Janus (tests/e2e/live.mjs): the host opens the room and
// launches the buying-criteria questionnaire; two participants in through their links
// (one a contact of the account, one on a 390 px phone) answer it — a missing required
// answer is named on the form — the host sees the results come in, closes the poll and
// shows the results, which reach the participants; the report shows each one's answers
// with the contact, and the answers are a note on the contact's page.  Keeps
// screenshots of the poll and the report.
import { join } from 'node:path';
import { PASSWORD, ROOT, assert, test } from './lib.mjs';
import { launchMediaBrowser, startLive } from './live.mjs';

const shots = join(ROOT, 'docs', 'screenshots');

test('a live poll: launched by the host, answered by link, results live and shown, on the report and the contact', async () => {
	const live = await startLive();
	const browser = await launchMediaBrowser();
	const pages = [];
	try {
		const m = live.meeting('Buying criteria with Acme', ['Demo Admin:master:1', 'Ann Buyer:attendee:contact', 'Bob Partner:attendee']);
		const [, ann, bob] = m.invitees;
		assert(ann.contact_id > 0, 'Ann is a contact of the account');
		const ctx = async (w = 1280, h = 900) => {
			const c = await browser.newContext({ viewport: { width: w, height: h } });
			c.setDefaultTimeout(20000);
			const p = await c.newPage();
			p.on('pageerror', (e) => console.log('page error: ' + e.message));
			pages.push(p);
			return p;
		};
		const host = await ctx();
		await host.goto(live.url + '/login');
		await host.getByLabel('E-mail').fill('admin@demo.funnel');
		await host.getByLabel('Password').fill(PASSWORD);
		await host.getByRole('button', { name: 'Sign in' }).click();
		await host.getByRole('button', { name: 'Sign out' }).waitFor();
		await host.goto(live.url + '/meetings/' + m.meeting + '/room');
		await host.getByRole('button', { name: 'Open the room' }).click();
		const controls = host.getByRole('complementary', { name: 'Host controls' });
		await controls.waitFor();
		await controls.getByRole('button', { name: 'Let everyone straight in' }).click();
		await controls.getByRole('button', { name: 'Use the lobby' }).waitFor();

		const enter = async (inv, w, h) => {
			const p = await ctx(w, h);
			await p.goto(live.url + '/m/' + inv.token);
			await p.getByRole('button', { name: 'Join the meeting' }).click();
			await p.locator('.room-role', { hasText: 'Attendee' }).waitFor();
			return p;
		};
		const a = await enter(ann);
		const b = await enter(bob, 390, 844);

		// the host launches the template
		const polls = host.getByRole('region', { name: 'Polls' });
		await polls.getByLabel('Questionnaire').selectOption({ label: 'Buying criteria' });
		await polls.getByRole('button', { name: 'Launch' }).click();
		const hostPoll = polls.locator('article.poll').first();
		await hostPoll.locator('[data-respondents]', { hasText: '0' }).waitFor();

		// Ann answers (the form reaches her within the room's 2 s poll)
		const form = a.getByRole('form', { name: 'Buying criteria' });
		await form.waitFor();
		await form.locator('[data-question="priority"]').getByLabel('Quality').check();
		await form.locator('[data-question="price"]').getByLabel('4').check();
		await form.locator('[data-question="quality"]').getByLabel('5').check();
		await form.locator('[data-question="differentials"]').getByRole('button', { name: 'Move Local support up' }).click();
		await form.locator('[data-question="other"] textarea').fill('Our plant is in Lyon');
		await form.getByRole('button', { name: 'Send my answers' }).click();
		await a.getByText('your answers are in').waitFor();

		// Bob forgets the required question: the server names it, the form shows it
		const bform = b.getByRole('form', { name: 'Buying criteria' });
		await bform.waitFor();
		await bform.locator('[data-question="price"]').getByLabel('2').check();
		await bform.getByRole('button', { name: 'Send my answers' }).click();
		await bform.locator('[data-question="priority"] .field-error', { hasText: 'required' }).waitFor();
		await b.screenshot({ path: join(shots, 'meeting-poll-form-390.png'), fullPage: true });
		await bform.locator('[data-question="priority"]').getByLabel('Price').check();
		await bform.getByRole('button', { name: 'Send my answers' }).click();
		await b.getByText('your answers are in').waitFor();
		const wide = await b.evaluate(() => document.documentElement.scrollWidth);
		assert(wide <= 390, 'the poll fits 390 px: ' + wide);

		// the host sees both, live; the rating's mean is (4 + 2) / 2
		await hostPoll.locator('[data-respondents]', { hasText: '2' }).waitFor();
		await hostPoll.locator('[data-question="price"] [data-mean]', { hasText: '3.00' }).waitFor();
		await host.screenshot({ path: join(shots, 'meeting-poll.png'), fullPage: true });

		// closed and shown: the participants see the results, the form is gone
		await hostPoll.getByRole('button', { name: 'Close' }).click();
		await hostPoll.getByRole('button', { name: 'Show results to all' }).click();
		await a.getByRole('heading', { name: 'Results' }).waitFor();
		await a.getByText('This poll is closed.').waitFor();
		assert(await a.getByRole('form', { name: 'Buying criteria' }).count() === 0, 'no form once closed');
		await b.getByRole('heading', { name: 'Results' }).waitFor();
		await b.screenshot({ path: join(shots, 'meeting-poll-390.png'), fullPage: true });

		// the report: Ann's answers, with her contact; the note on her timeline
		await host.goto(live.url + '/meetings/' + m.meeting + '/report');
		const row = host.locator('tr[data-invitee="' + ann.id + '"]');
		await row.locator('[data-answer="priority"]', { hasText: 'Quality' }).waitFor();
		await row.locator('[data-answer="other"]', { hasText: 'Our plant is in Lyon' }).waitFor();
		assert(await row.locator('a[href="/contacts/' + ann.contact_id + '"]').count() === 1, 'the report links the contact');
		await host.locator('tr[data-invitee="' + bob.id + '"] [data-answer="priority"]', { hasText: 'Price' }).waitFor();
		await host.screenshot({ path: join(shots, 'meeting-report.png'), fullPage: true });
		const notes = await host.evaluate(async (c) => (await (await fetch('/api/v1/activities?related_type=contact&related_id=' + c)).json()).data, ann.contact_id);
		const note = notes.find((n) => n.type === 'note' && /Buying criteria/.test(n.subject));
		assert(note && /Quality/.test(note.notes) && /Lyon/.test(note.notes), 'the answers are a note on the contact: ' + JSON.stringify(notes.map((n) => n.subject)));
		// and the contact's page shows it: the subject, the answers behind it
		await host.goto(live.url + '/contacts/' + ann.contact_id);
		const summary = host.locator('details.activity-notes summary', { hasText: 'Poll answers: Buying criteria' });
		await summary.click();
		await host.locator('details.activity-notes[open] .tl-notes', { hasText: 'Our plant is in Lyon' }).waitFor();
	} catch (e) {
		for (const [i, p] of pages.entries())
			await p.screenshot({ path: join(ROOT, 'build', 'e2e', 'polls-' + i + '.png') }).catch(() => {});
		console.log(live.log().split('\n').filter((l) => /ERR|error|WARN/.test(l)).slice(-15).join('\n'));
		throw e;
	} finally {
		await browser.close();
		await live.stop();
	}
}, { viewport: { width: 1280, height: 800 } });
