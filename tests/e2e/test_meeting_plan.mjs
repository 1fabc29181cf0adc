// Planning a web meeting from the deal, in the UI: the meeting is made on the deal,
// a contact of the account, a co-worker and an outside address are invited, the
// invitations go to the mail outbox (the e2e server has no SMTP: they wait, shown as
// queued), the answers show, someone is uninvited, and a cancelled meeting is final.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

test('plan a web meeting on a deal, invite three kinds of people, send, cancel', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const deal = (await rep.get('/opportunities?status=open&sort=close_date&limit=1')).data[0];
	const made = await rep.call('POST', '/contacts', { account_id: deal.account_id, first_name: 'Meg', last_name: 'Planner', email: 'meg.planner@client.example' });
	assertEqual(made.status, 201, 'a contact of the account');
	const contact = made.json;
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Plan a web meeting' }).click();
	const plan = page.getByRole('dialog', { name: 'Plan a web meeting' });
	await plan.getByLabel('Kind').selectOption('proposal_review');
	await plan.getByLabel('Title').fill('E2E proposal review');
	await plan.getByLabel(/^Time zone/).fill('Europe/Paris');
	await plan.getByRole('button', { name: 'Plan it' }).click();
	await page.getByRole('heading', { level: 1, name: 'E2E proposal review' }).waitFor();
	const id = Number(new URL(page.url()).pathname.split('/')[2]);
	const m = (await rep.get('/meetings/' + id));
	assertEqual(m.opportunity_id, deal.id, 'on the deal');
	assertEqual(m.kind, 'proposal_review', 'the kind chosen');
	assertEqual(m.timezone, 'Europe/Paris', 'the zone typed');
	assertEqual(m.state, 'scheduled', 'scheduled');

	const invite = async (fill) => {
		await page.getByRole('button', { name: 'Invite…' }).click();
		const d = page.getByRole('dialog', { name: 'Invite someone' });
		await fill(d);
		await d.getByRole('button', { name: 'Invite' }).click();
		await d.waitFor({ state: 'detached' });
	};
	await invite(async (d) => {
		await d.getByLabel('Contact', { exact: true }).fill('Planner');
		await d.getByRole('button', { name: 'Meg Planner' }).click();
	});
	await invite(async (d) => {
		await d.getByLabel('Someone else, by e-mail').check();
		await d.getByLabel('E-mail', { exact: true }).fill('bob@partner.example');
		await d.getByLabel('Name', { exact: true }).fill('Bob Partner');
	});
	const mate = (await rep.get('/users?limit=200')).data.find((u) => u.active && u.id !== rep.user.id);
	await invite(async (d) => {
		await d.getByLabel('A co-worker').check();
		await d.getByLabel('Co-worker', { exact: true }).selectOption(String(mate.id));
		await d.getByLabel('Presents too').check();
	});
	// the same address twice is refused, said in the dialog, which stays on its field, the dialog stays
	await page.getByRole('button', { name: 'Invite…' }).click();
	const bad = page.getByRole('dialog', { name: 'Invite someone' });
	await bad.getByLabel('Someone else, by e-mail').check();
	await bad.getByLabel('E-mail', { exact: true }).fill('bob@partner.example');
	await bad.getByLabel('Name', { exact: true }).fill('Bob Again');
	await bad.getByRole('button', { name: 'Invite' }).click();
	await bad.getByRole('alert').waitFor();
	await bad.getByRole('button', { name: 'Cancel' }).click();
	await page.locator('tr[data-email="meg.planner@client.example"]').waitFor();
	await page.locator('tr[data-email="bob@partner.example"]', { hasText: 'not sent' }).waitFor();

	const presenter = (await rep.get('/meetings/' + id)).invitees.find((i) => i.user_id === mate.id);
	assertEqual(presenter.role, 'presenter', 'the co-worker presents');
	const invited = (await rep.get('/meetings/' + id)).invitees;
	assertEqual(invited.length, 4, 'the master and the three invited');
	await page.getByRole('button', { name: 'Send ' + invited.length + ' invitations' }).click();
	await page.locator('tr[data-email="bob@partner.example"]', { hasText: 'Queued' }).waitFor();
	const after = await rep.get('/meetings/' + id);
	assert(after.invited_at, 'invitations sent');
	assertEqual(after.invitees.filter((i) => i.mail === 'queued').length, 4, 'every invitation queued in the outbox');

	const bob = after.invitees.find((i) => i.email === 'bob@partner.example');
	const meg = after.invitees.find((i) => i.email === 'meg.planner@client.example');
	assertEqual(meg.contact_id, contact.id, 'the contact invited as the contact');
	await page.getByRole('button', { name: 'Uninvite Bob Partner' }).click();
	await page.locator('tr[data-email="bob@partner.example"]').waitFor({ state: 'detached' });
	assert(!(await rep.get('/meetings/' + id)).invitees.some((i) => i.id === bob.id), 'uninvited');

	// the deal's panel lists it, and leads back
	await page.getByRole('link', { name: deal.name }).click();
	await page.locator('.meeting-list li', { hasText: 'E2E proposal review' }).waitFor();
	await page.getByRole('link', { name: 'E2E proposal review' }).click();
	await page.getByRole('button', { name: 'Cancel the meeting' }).click();
	await page.locator('.badge', { hasText: 'Cancelled' }).waitFor();
	assertEqual((await rep.get('/meetings/' + id)).state, 'cancelled', 'cancelled');
	assertEqual(await page.getByRole('button', { name: 'Invite…' }).count(), 0, 'nobody to invite to a cancelled meeting');
});
