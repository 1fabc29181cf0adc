// The lead inbox: leads to work, best score first, by tier; one click converts a lead
// into account, contact and opportunity, and the result links to the new deal.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

test('the inbox lists open leads by score; filter by tier', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await login(page, base, 'manager');
	await page.goto(base + '/inbox');
	await page.locator('ol.inbox[data-ready]').waitFor();
	const want = (await mgr.get('/leads?sort=-score&status=new,working,qualified&converted_at_set=false&limit=25')).data;
	const names = await page.locator('.inbox-name').allTextContents();
	assertEqual(JSON.stringify(names), JSON.stringify(want.map((l) => [l.first_name, l.last_name].filter(Boolean).join(' '))), 'by score');
	const scores = want.map((l) => l.score);
	assert(scores.every((s, i) => i === 0 || scores[i - 1] >= s), 'best first');
	// the reasons of the first lead, as the server gives them
	const first = page.locator('.inbox-item').first();
	for (const f of want[0].score_factors)
		await first.getByText(f.factor, { exact: true }).waitFor();
	await page.getByRole('button', { name: 'Tier C' }).click();
	await page.waitForURL(/tier=C/);
	await page.locator('ol.inbox[data-ready]').waitFor();
	const tiers = await page.locator('.inbox-item .badge').first().textContent();
	assert(tiers.startsWith('C'), 'tier C first: ' + tiers);
	assertEqual(await page.getByRole('button', { name: 'Tier C' }).getAttribute('aria-pressed'), 'true', 'pressed');
});

test('convert a lead from the inbox and open the new opportunity', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	await login(page, base, 'rep');
	await page.goto(base + '/inbox');
	await page.locator('ol.inbox[data-ready]').waitFor();
	const lead = (await rep.get('/leads?sort=-score&status=new,working,qualified&converted_at_set=false&limit=1')).data[0];
	assert(lead, 'the rep has a lead to work');
	const who = [lead.first_name, lead.last_name].filter(Boolean).join(' ');
	const card = page.locator('.inbox-item').first();
	await card.getByRole('button', { name: 'Convert ' + who }).click();
	const result = card.locator('.convert-result');
	await result.getByText('Converted.').waitFor();
	const after = await rep.get('/leads/' + lead.id);
	assert(after.converted_at && after.converted_opportunity_id, 'converted on the server');
	const opp = await rep.get('/opportunities/' + after.converted_opportunity_id);
	await result.getByRole('link', { name: opp.name }).click();
	await page.waitForURL(new RegExp('/opportunities/' + opp.id + '$'));
	assertEqual(opp.owner_id, rep.user.id, 'the deal is the rep\'s');
	// back in the inbox the lead is gone
	await page.goto(base + '/inbox');
	await page.locator('ol.inbox[data-ready]').waitFor();
	assertEqual(await page.getByRole('button', { name: 'Convert ' + who }).count(), 0, 'no longer in the inbox');
});
