// The pipeline board: columns with totals, a move that the rules allow, one they refuse
// (the unmet criteria shown in words), and a manager's override with a reason.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

// A fresh deal of the demo rep's, in pre-qualification, closing long ago so it is the
// first card of its column (sorted by close date).  With a contact it may move on;
// without one the rules refuse.
async function freshDeal(base, { contact, name }) {
	const rep = await apiAs(base, 'rep');
	const contacts = (await rep.get('/contacts?limit=50')).data.filter((c) => c.account_id);
	const c = contacts[0];
	const r = await rep.call('POST', '/opportunities', {
		name, account_id: c.account_id, amount: '12345.00', close_date: '2020-01-0' + (contact ? '1' : '2'),
		...(contact ? { contact_id: c.id } : {}),
	});
	assertEqual(r.status, 201, 'deal created: ' + JSON.stringify(r.json));
	assertEqual(r.json.stage, 'prequalification', 'first stage');
	return { rep, deal: r.json };
}

const column = (page, key) => page.locator('section.column[data-stage="' + key + '"]');
const card = (page, id) => page.locator('[data-card="' + id + '"]');
const count = async (page, key) => +(await column(page, key).locator('.column-count').getAttribute('data-count'));

// Drag as a hand does: press on the card, nudge it (that is where the drag starts),
// then carry it to the column's head and let go.
async function drag(page, source, target) {
	await source.scrollIntoViewIfNeeded();
	const a = await source.boundingBox();
	const b = await target.boundingBox();
	await page.mouse.move(a.x + a.width / 2, a.y + 20);
	await page.mouse.down();
	await page.mouse.move(a.x + a.width / 2 + 6, a.y + 26, { steps: 2 });
	await page.mouse.move(b.x + b.width / 2, b.y + 30, { steps: 8 });
	await page.mouse.up();
}

async function openBoard(page, base, who) {
	await login(page, base, who);
	await page.locator('.board[data-ready]').waitFor();
}

test('the board shows a column per stage with counts and amounts from the server', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const pipes = (await rep.get('/pipelines')).data;
	const p = pipes.find((x) => x.is_default);
	await openBoard(page, base, 'rep');
	const keys = await page.locator('section.column').evaluateAll((els) => els.map((e) => e.dataset.stage));
	assertEqual(keys.join(','), p.stages.map((s) => s.key).join(','), 'one column per stage, in order');
	const report = await rep.get('/reports/funnel?pipeline_id=' + p.id);
	for (const s of report.groups[0].stages.filter((x) => ['upper', 'middle', 'lower'].includes(x.section))) {
		const total = (await rep.get('/opportunities?pipeline_id=' + p.id + '&stage=' + s.key + '&status=open&total=true&limit=1')).total;
		assertEqual(await count(page, s.key), total, s.key + ' count');
		assertEqual(total, s.open_count, s.key + ': list total and report agree');
		const shown = await column(page, s.key).locator('.column-amount').textContent();
		const want = new Intl.NumberFormat('en', { style: 'currency', currency: report.currency }).format(s.open_amount);
		assertEqual(shown, want, s.key + ' amount');
		const cards = await column(page, s.key).locator('.card').count();
		assertEqual(cards, Math.min(total, 25), s.key + ' cards on the first page');
	}
});

test('drag a deal to the next stage: allowed, saved, counts follow', async ({ page, base }) => {
	const { rep, deal } = await freshDeal(base, { contact: true, name: 'E2E allowed move' });
	await openBoard(page, base, 'rep');
	const before = { from: await count(page, 'prequalification'), to: await count(page, 'qualification') };
	await drag(page, card(page, deal.id), column(page, 'qualification'));
	await column(page, 'qualification').locator('[data-card="' + deal.id + '"]').waitFor();
	await page.getByText('Moved “E2E allowed move” to Qualification').waitFor();
	assertEqual((await rep.get('/opportunities/' + deal.id)).stage, 'qualification', 'the server has it');
	await page.waitForFunction(([n]) => +document.querySelector('section.column[data-stage="qualification"] .column-count').dataset.count === n, [before.to + 1]);
	assertEqual(await count(page, 'prequalification'), before.from - 1, 'one less in pre-qualification');
	assertEqual(await card(page, deal.id).count(), 1, 'the card is on the board once');
});

test('a refused move shows the unmet criteria; the rep cannot override', async ({ page, base }) => {
	const { rep, deal } = await freshDeal(base, { contact: false, name: 'E2E refused move' });
	await openBoard(page, base, 'rep');
	// keyboard: focus the card, Shift+→ moves it one stage on
	await card(page, deal.id).focus();
	await page.keyboard.press('Shift+ArrowRight');
	const dialog = page.getByRole('dialog', { name: 'Move refused' });
	await dialog.waitFor();
	// the criteria as the server words them (a dry run of the same move says why)
	const refusal = await rep.call('POST', '/opportunities/' + deal.id + '/move', { stage: 'qualification' });
	assertEqual(refusal.status, 409, 'the API refuses too');
	const items = await dialog.locator('ul.unmet li').allTextContents();
	assertEqual(items.join('|'), refusal.json.errors.map((e) => e.message).join('|'), 'each unmet rule');
	assert(/contact/i.test(items[0]), 'names the missing contact: ' + items[0]);
	assertEqual(await dialog.getByRole('button', { name: 'Override and move' }).count(), 0, 'no override for a rep');
	await dialog.getByRole('button', { name: 'OK' }).click();
	assertEqual((await rep.get('/opportunities/' + deal.id)).stage, 'prequalification', 'not moved');
	assertEqual(await column(page, 'prequalification').locator('[data-card="' + deal.id + '"]').count(), 1, 'the card stays');
});

test('a manager overrides a refused move with a reason, on the record', async ({ page, base }) => {
	const { rep, deal } = await freshDeal(base, { contact: false, name: 'E2E override move' });
	await openBoard(page, base, 'manager');
	await drag(page, card(page, deal.id), column(page, 'qualification'));
	const dialog = page.getByRole('dialog', { name: 'Move refused' });
	await dialog.waitFor();
	assert(/contact/i.test(await dialog.locator('ul.unmet').textContent()), 'the unmet criterion');
	const go = dialog.getByRole('button', { name: 'Override and move' });
	assert(await go.isDisabled(), 'no override without a reason');
	await dialog.getByLabel('Reason for the exception').fill('Contact named on the phone; CRM entry follows');
	await go.click();
	await column(page, 'qualification').locator('[data-card="' + deal.id + '"]').waitFor();
	const stages = (await rep.get('/opportunities/' + deal.id + '/stages')).data;
	const last = stages[stages.length - 1];
	assertEqual(last.stage, 'qualification', 'moved');
	assertEqual(last.override, true, 'as an override');
	assertEqual(last.reason, 'Contact named on the phone; CRM entry follows', 'with the reason');
});

test('the Move menu moves by keyboard alone', async ({ page, base }) => {
	const { rep, deal } = await freshDeal(base, { contact: true, name: 'E2E menu move' });
	await openBoard(page, base, 'rep');
	await card(page, deal.id).focus();
	await page.keyboard.press('m');
	const dialog = page.getByRole('dialog', { name: 'Move deal' });
	await dialog.getByLabel('Move to').selectOption('qualification');
	await dialog.getByRole('button', { name: 'Move' }).click();
	await column(page, 'qualification').locator('[data-card="' + deal.id + '"]').waitFor();
	assertEqual((await rep.get('/opportunities/' + deal.id)).stage, 'qualification', 'moved');
	// focus follows the card to its new column
	await page.waitForFunction((id) => document.activeElement && document.activeElement.dataset.card === String(id), deal.id);
});

test('at 390 px the columns scroll sideways and cards keep a Move button', async ({ page, base }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await openBoard(page, base, 'rep');
	const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, board: document.querySelector('.board').scrollWidth }));
	assert(widths.doc <= 390, 'the page itself does not scroll sideways: ' + widths.doc);
	assert(widths.board > 390, 'the board does');
	assert(await page.locator('.card .card-move').first().isVisible(), 'Move button visible on a phone');
});
