// Admin: an admin adds a user (who can then sign in) and a stage with an exit criterion
// to a pipeline; a rep sees no Admin entry and is told they are not allowed.
import { LOGINS, apiAs, assert, assertEqual, login, test } from './lib.mjs';

test('an admin adds a user, who can sign in', async ({ page, base }) => {
	await login(page, base, 'admin');
	// at 1280 px every entry of the admin's navigation shows, none scrolled out of sight
	const nav = await page.getByRole('navigation', { name: 'Main' }).evaluate((n) => [n.scrollWidth, n.clientWidth]);
	assert(nav[0] <= nav[1], `the navigation fits: ${nav[0]} px of entries in ${nav[1]} px`);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).click();
	await page.getByRole('heading', { name: 'Users' }).waitFor();
	await page.getByRole('button', { name: 'Add user' }).click();
	const dlg = page.getByRole('dialog');
	await dlg.getByLabel('Name (required)').fill('Nora Newhire');
	await dlg.getByLabel('Email (required)').fill('nora.newhire@demo.funnel');
	await dlg.getByLabel('Role (required)').selectOption('rep');
	await dlg.getByLabel('Team').selectOption({ label: 'EMEA Field' });
	await dlg.getByLabel('Password (required)').fill('short');
	await dlg.getByRole('button', { name: 'Add user' }).click();
	await dlg.locator('.field-invalid').getByText(/at least 8/).waitFor();
	await dlg.getByLabel('Password (required)').fill('a-good-long-password');
	await dlg.getByRole('button', { name: 'Add user' }).click();
	await page.getByRole('cell', { name: 'nora.newhire@demo.funnel' }).waitFor();
	const r = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'nora.newhire@demo.funnel', password: 'a-good-long-password' }) });
	assertEqual(r.status, 200, 'the new user signs in');
	const u = (await r.json()).user;
	assertEqual(u.role, 'rep', 'as a rep');
	// and the admin sets her quarter's quota
	await page.getByRole('button', { name: 'Quotas of Nora Newhire' }).click();
	await page.getByLabel('Period').fill('2027-Q1');
	await page.getByLabel('Amount').fill('150000');
	await page.getByRole('button', { name: 'Set quota' }).click();
	await page.getByRole('dialog').getByRole('cell', { name: '2027-Q1' }).waitFor();
	const admin = await apiAs(base, 'admin');
	const q = (await admin.get('/users/' + u.id + '/quotas')).data;
	assertEqual(JSON.stringify(q.map((x) => [x.period, x.amount])), JSON.stringify([['2027-Q1', 150000]]), 'the quota');
});

test('an admin adds a stage with an exit criterion to a pipeline', async ({ page, base }) => {
	const admin = await apiAs(base, 'admin');
	await login(page, base, 'admin');
	await page.goto(base + '/admin/pipelines');
	await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
	// a copy of the default map, so the other tests keep theirs
	await page.getByRole('button', { name: 'New pipeline' }).click();
	await page.getByRole('dialog').getByLabel('Name').fill('Partner process');
	await page.getByRole('dialog').getByRole('button', { name: 'Create pipeline' }).click();
	await page.getByRole('status').getByText('Created Partner process').waitFor();
	assertEqual(await page.getByLabel('Pipeline', { exact: true }).locator('option:checked').textContent(), 'Partner process', 'the new one is open');
	const before = (await admin.get('/pipelines')).data.find((p) => p.name === 'Partner process');
	await page.getByRole('button', { name: 'Add a stage' }).click();
	const n = before.stages.findIndex((s) => s.section === 'won') + 1; // inserted before the won stage
	const stage = page.getByRole('listitem', { name: 'Stage ' + n });
	await stage.getByLabel('Stage ' + n + ' name').fill('Reference call');
	assertEqual(await stage.getByLabel('Key').inputValue(), 'reference_call', 'the key follows the name');
	await stage.getByLabel('New exit criterion').selectOption('activity');
	await stage.getByLabel('Activity').selectOption('call');
	await stage.getByLabel('In words (optional)').fill('A reference call with a happy customer');
	await stage.getByRole('button', { name: 'Add criterion' }).click();
	await stage.getByText('A reference call with a happy customer').waitFor();
	await page.getByRole('button', { name: 'Save pipeline' }).click();
	await page.getByRole('status').getByText('Saved Partner process').waitFor();
	const after = await admin.get('/pipelines/' + before.id);
	const s = after.stages.find((x) => x.key === 'reference_call');
	assert(s, 'the stage is there');
	assertEqual(s.position, n, 'before the won stage');
	assertEqual(JSON.stringify(s.criteria.map((c) => [c.kind, c.activity_type, c.label])),
		JSON.stringify([['activity', 'call', 'A reference call with a happy customer']]), 'its exit criterion');
	assertEqual(after.stages.length, before.stages.length + 1, 'nothing else changed in number');
	// the other stages kept their criteria
	for (const old of before.stages) {
		const now = after.stages.find((x) => x.key === old.key);
		assertEqual(JSON.stringify(now.criteria), JSON.stringify(old.criteria), 'criteria of ' + old.key);
	}
});

test('a rep has no Admin entry and is not allowed in', async ({ page, base }) => {
	await login(page, base, 'rep');
	assertEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(), 0, 'no nav entry');
	await page.goto(base + '/admin/users');
	await page.getByRole('alert').getByText(/Not allowed/).waitFor();
	assertEqual(await page.getByRole('button', { name: 'Add user' }).count(), 0, 'no admin controls');
	// and the server says the same
	const rep = await apiAs(base, 'rep');
	const r = await rep.call('POST', '/users', { email: 'x@demo.funnel', name: 'X', role: 'admin', password: 'long-enough-pw' });
	assertEqual(r.status, 403, 'the API refuses a rep');
	assert(LOGINS.rep, 'demo rep');
});
