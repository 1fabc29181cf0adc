// The opportunity page: fields, inline edit with If-Match, quick actions, panels.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

async function repDeal(base) {
	const rep = await apiAs(base, 'rep');
	const deal = (await rep.get('/opportunities?status=open&stage=proposal&sort=close_date&limit=1')).data[0];
	return { rep, deal };
}

test('open a deal from the board, log a call, see it in the timeline', async ({ page, base }) => {
	const { rep, deal } = await repDeal(base);
	await login(page, base, 'rep');
	await page.locator('.board[data-ready]').waitFor();
	await page.locator('[data-card="' + deal.id + '"] .card-title a').click();
	await page.getByRole('heading', { level: 1, name: deal.name }).waitFor();
	assertEqual(new URL(page.url()).pathname, '/opportunities/' + deal.id, 'the deal page');
	const before = (await rep.get('/activities?related_type=opportunity&related_id=' + deal.id + '&limit=200')).data.length;
	await page.getByRole('button', { name: 'Log a call' }).click();
	const dialog = page.getByRole('dialog', { name: 'Log a call' });
	await dialog.getByLabel('Subject').fill('E2E call: budget confirmed');
	await dialog.getByLabel('Notes').fill('Budget <b>confirmed</b> & signed off');
	await dialog.getByRole('button', { name: 'Log call' }).click();
	const item = page.locator('.timeline li', { hasText: 'E2E call: budget confirmed' });
	await item.waitFor();
	// text, not HTML: the notes show their angle brackets
	assert((await item.locator('.tl-notes').textContent()).includes('Budget <b>confirmed</b> & signed off'), 'notes as typed');
	const acts = (await rep.get('/activities?related_type=opportunity&related_id=' + deal.id + '&limit=200')).data;
	assertEqual(acts.length, before + 1, 'one activity more');
	const a = acts.find((x) => x.subject === 'E2E call: budget confirmed');
	assertEqual(a.type, 'call', 'a call');
	assert(a.done_at, 'logged as done');
});

test('schedule a meeting, then mark it done', async ({ page, base }) => {
	const { rep, deal } = await repDeal(base);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Schedule a meeting' }).click();
	const dialog = page.getByRole('dialog', { name: 'Schedule a meeting' });
	await dialog.getByLabel('Subject').fill('E2E meeting with the buyer');
	await dialog.getByRole('button', { name: 'Schedule' }).click();
	const item = page.locator('.timeline li', { hasText: 'E2E meeting with the buyer' });
	await item.locator('.badge', { hasText: 'due' }).waitFor();
	await item.getByRole('button', { name: 'Mark done' }).click();
	await item.getByText(/^done /).waitFor();
	const a = (await rep.get('/activities?related_type=opportunity&related_id=' + deal.id + '&type=meeting&limit=200')).data
		.find((x) => x.subject === 'E2E meeting with the buyer');
	assert(a.due_at && a.done_at, 'scheduled and done');
});

test('inline edit saves through PATCH; a stale version is refused and said so', async ({ page, base }) => {
	const { rep, deal } = await repDeal(base);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Edit amount' }).click();
	await page.getByLabel(/^Amount/).fill('not money');
	await page.getByRole('button', { name: 'Save' }).click();
	await page.locator('.field-error').waitFor();
	assert((await page.locator('.field-error').textContent()).length > 3, 'the server says what is wrong');
	await page.getByLabel(/^Amount/).fill('77777.50');
	await page.getByRole('button', { name: 'Save' }).click();
	await page.getByRole('button', { name: 'Edit amount' }).waitFor();
	assertEqual((await rep.get('/opportunities/' + deal.id)).amount, 77777.5, 'saved');
	// someone else changes the deal; our next edit must not overwrite it
	const fresh = await rep.call('GET', '/opportunities/' + deal.id);
	await rep.call('PATCH', '/opportunities/' + deal.id, { probability: 61 });
	await page.getByRole('button', { name: 'Edit probability' }).click();
	await page.getByLabel('Probability (%)').fill('65');
	await page.getByRole('button', { name: 'Save' }).click();
	await page.getByText('Someone else changed this deal since you opened it').waitFor();
	const now = await rep.get('/opportunities/' + deal.id);
	assertEqual(now.probability, 61, 'the other change stands');
	assert(now.version > fresh.json.version, 'version moved on');
});

test('generate the contract: a PDF in the documents list', async ({ page, base }) => {
	const { deal } = await repDeal(base);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Generate the contract' }).click();
	const dialog = page.getByRole('dialog', { name: 'Generate a document' });
	await dialog.getByLabel('Template').waitFor();
	assert(/Contract/i.test(await dialog.getByLabel('Template').locator('option:checked').textContent()), 'the contract template first');
	await dialog.getByRole('button', { name: 'Generate PDF' }).click();
	const link = page.locator('.docs a', { hasText: '.pdf' }).first();
	await link.waitFor();
	const href = await link.getAttribute('href');
	const res = await page.request.get(base + href);
	assertEqual(res.status(), 200, 'the PDF downloads with the session');
	assert((await res.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF');
});

test('the page shows stage history, payments and the change history', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const won = (await rep.get('/opportunities?status=won&limit=1')).data[0];
	const stages = (await rep.get('/opportunities/' + won.id + '/stages')).data;
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + won.id);
	await page.locator('#stages-h').waitFor();
	await page.locator('section[aria-labelledby="stages-h"] tbody tr').first().waitFor();
	assertEqual(await page.locator('section[aria-labelledby="stages-h"] tbody tr').count(), stages.length, 'one row per stay');
	await page.locator('section[aria-labelledby="pay-h"] dl').waitFor();
	await page.getByRole('button', { name: 'Show' }).click();
	await page.locator('ol.history li').first().waitFor();
	const h = (await rep.get('/opportunities/' + won.id + '/history')).data;
	assertEqual(await page.locator('ol.history li').count(), h.length, 'every audited change');
});

test('at 390 px the opportunity page fits the screen', async ({ page, base }) => {
	const { deal } = await repDeal(base);
	await page.setViewportSize({ width: 390, height: 844 });
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.locator('#timeline-h').waitFor();
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	assert(w <= 390, 'no sideways scrolling: ' + w);
	assert(await page.getByRole('button', { name: 'Log a call' }).isVisible(), 'quick actions there');
});
