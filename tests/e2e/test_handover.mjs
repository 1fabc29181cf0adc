// The handover wizard end to end: the manager picks a leaver and a successor, reviews
// the plan by funnel section, gives one deal to someone else, confirms, and the API
// then says the leaver owns nothing open and is disabled.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

// Every record of a list (keyset pages).
async function all(api, path) {
	const out = [];
	let cursor = '';
	do {
		const page = await api.get(path + (path.includes('?') ? '&' : '?') + 'limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
		out.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return out;
}

test('run a handover through the wizard: the leaver owns nothing open afterwards', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	// a leaver and a successor from the manager's team, neither of them the demo rep
	// whom other tests sign in as
	const team = (await mgr.get('/users?team_id=' + mgr.user.team_id + '&limit=200')).data
		.filter((u) => u.role === 'rep' && u.active && u.email !== 'rep@demo.funnel');
	assert(team.length >= 2, 'two reps in the team');
	const [leaver, successor] = team;
	const open = await all(mgr, '/opportunities?status=open&owner_id=' + leaver.id);
	assert(open.length > 0, 'the leaver has open deals');

	await login(page, base, 'manager');
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Handover' }).click();
	await page.getByLabel('Leaver').selectOption({ label: leaver.name + ' (rep)' });
	await page.getByLabel('Successor').selectOption({ label: successor.name });
	await page.getByRole('button', { name: 'Plan the handover' }).click();
	await page.locator('.ho-section').first().waitFor();
	const id = +new URL(page.url()).searchParams.get('id');
	assert(id > 0, 'the plan is in the URL');
	await page.getByRole('listitem').filter({ hasText: 'Review the plan' }).and(page.locator('[aria-current=step]')).waitFor();

	// the plan, by section, is the server's
	const plan = await mgr.get('/handovers/' + id);
	assertEqual(plan.status, 'draft', 'a draft');
	assertEqual(plan.successor.id, successor.id, 'the successor picked');
	for (const s of ['lower', 'middle', 'upper', 'other']) {
		const n = (plan.sections[s] || []).length;
		const shown = await page.locator('.ho-counts [data-section=' + s + '] strong').textContent();
		assertEqual(+shown, n, s + ' count');
	}

	// give the first deal of the upper funnel (else any deal) to the manager
	const deals = ['upper', 'middle', 'lower'].flatMap((s) => (plan.sections[s] || []).filter((i) => i.resource === 'opportunities'));
	const item = deals.find((i) => i.new_owner_id !== mgr.user.id);
	assert(item, 'a deal to reassign');
	const row = page.locator('tr[data-item="' + item.id + '"]');
	await row.getByRole('combobox').selectOption({ label: mgr.user.name });
	await page.waitForFunction(([iid, uid]) => {
		const sel = document.querySelector('tr[data-item="' + iid + '"] select');
		return sel && !sel.disabled && +sel.value === uid;
	}, [item.id, mgr.user.id]);
	const edited = await mgr.get('/handovers/' + id);
	const after = Object.values(edited.sections).flat().find((i) => i.id === item.id);
	assertEqual(after.new_owner_id, mgr.user.id, 'the item edit reached the server');

	// confirm and execute
	await page.getByRole('button', { name: 'Continue to confirm' }).click();
	const execute = page.getByRole('button', { name: 'Execute the handover' });
	assert(await execute.isDisabled(), 'execute waits for the confirmation');
	await page.getByLabel(/I have reviewed the plan/).check();
	await execute.click();
	await page.locator('[data-clean]').waitFor({ timeout: 20000 });
	assertEqual(await page.locator('tr[data-role=leaver] [data-count=opportunities]').getAttribute('data-value'), '0', 'result: no open deal left');

	// the API agrees: nothing open is the leaver's, the deal went to the manager, the login is off
	const done = await mgr.get('/handovers/' + id);
	assertEqual(done.status, 'executed', 'executed');
	assertEqual((await all(mgr, '/opportunities?status=open&owner_id=' + leaver.id)).length, 0, 'open deals');
	const leads = (await all(mgr, '/leads?owner_id=' + leaver.id)).filter((l) => ['new', 'working', 'qualified'].includes(l.status) && !l.converted_at);
	assertEqual(leads.length, 0, 'open leads');
	assertEqual((await all(mgr, '/accounts?owner_id=' + leaver.id)).length, 0, 'accounts');
	assertEqual((await all(mgr, '/contacts?owner_id=' + leaver.id)).length, 0, 'contacts');
	assertEqual((await all(mgr, '/activities?owner_id=' + leaver.id)).filter((a) => !a.done_at).length, 0, 'pending activities');
	assertEqual((await mgr.get('/opportunities/' + item.record_id)).owner_id, mgr.user.id, 'the reassigned deal');
	assertEqual((await mgr.get('/users/' + leaver.id)).active, false, 'the leaver is disabled');
});

test('a second plan for the same leaver opens the draft instead', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	const team = (await mgr.get('/users?team_id=' + mgr.user.team_id + '&limit=200')).data
		.filter((u) => u.role === 'rep' && u.active && u.email !== 'rep@demo.funnel');
	// the last of them who owns an open deal: other tests add people to this
	// team (test_admin.mjs), and a newcomer has nothing to plan
	let leaver = null;
	for (const u of team.reverse())
		if ((await mgr.get('/opportunities?status=open&limit=1&owner_id=' + u.id)).data.length) {
			leaver = u;
			break;
		}
	assert(leaver, 'a rep of the team who owns an open deal');
	const first = await mgr.call('POST', '/handovers', { from_user: leaver.id });
	assertEqual(first.status, 201, 'a draft');
	try {
		await login(page, base, 'manager');
		await page.goto(base + '/handover');
		await page.getByLabel('Leaver').selectOption({ label: leaver.name + ' (rep)' });
		await page.getByRole('button', { name: 'Plan the handover' }).click();
		await page.getByRole('alert').filter({ hasText: 'still a draft' }).waitFor();
		await page.getByRole('button', { name: 'Open that draft' }).click();
		await page.waitForURL('**/handover?id=' + first.json.id);
		await page.locator('.ho-section').first().waitFor();
		// cancelling ends the draft and changes nothing
		await page.getByRole('button', { name: 'Cancel this handover' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Cancel the handover' }).click();
		await page.waitForURL((u) => u.pathname === '/handover' && !u.search);
	} finally {
		const h = await mgr.get('/handovers/' + first.json.id);
		if (h.status === 'draft')
			await mgr.call('PATCH', '/handovers/' + first.json.id, { status: 'cancelled' });
	}
	assertEqual((await mgr.get('/handovers/' + first.json.id)).status, 'cancelled', 'cancelled');
	assertEqual((await mgr.get('/users/' + leaver.id)).active, true, 'the leaver is still active');
});

test('a salesperson cannot hand over', async ({ page, base }) => {
	await login(page, base, 'rep');
	await page.goto(base + '/handover');
	await page.getByText('Only managers and admins hand over').waitFor();
});
