// The forecast screen (web/src/pages/Forecast.jsx): a rep submits their number and sees
// it in their history, a refused one shows the server's message under the field; the
// manager reads the rep's number in the team's roll-up and submits their own for the
// team; beside the range, how often it held in past quarters for the scope; the accuracy of a closed quarter (snapshots taken with `funnel forecast
// snapshot`) as a chart and a table, at 390 px.  Every figure is checked against the
// API's answer fetched here.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, apiAs, assert, assertEqual, login, test } from './lib.mjs';

const money = (x, cur = 'EUR') => new Intl.NumberFormat('en', { style: 'currency', currency: cur }).format(x);

// the quarter `back` quarters before the current one (UTC), and its first day
function quarter(back = 0) {
	const d = new Date();
	const i = d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3) - back;
	const y = Math.floor(i / 4), q = (i % 4) + 1;
	return { period: y + '-Q' + q, first: new Date(Date.UTC(y, (q - 1) * 3, 1)) };
}

const SUBMIT = '/api/v1/forecast/submissions';

test('forecast: a rep submits commit and best case and sees it in their history; a refused one shows the field error', async ({ page, base }) => {
	const api = await apiAs(base, 'rep');
	const P = quarter().period;
	const hist = `/forecast/submissions?period=${P}&scope=user&user_id=${api.user.id}`;
	const before = (await api.get(hist)).data.length;
	const keys = [];
	page.on('request', (r) => {
		if (r.method() === 'POST' && r.url().endsWith(SUBMIT))
			keys.push(r.headers()['idempotency-key']);
	});

	await login(page, base, 'rep');
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecast', exact: true }).click();
	await page.getByRole('heading', { name: 'Forecast', level: 1 }).waitFor();
	assert(!(await page.locator('section[data-section="team"]').count()), 'a rep has no team roll-up');
	const mine = page.locator('section[data-section="mine"]');
	await mine.locator('.fcs-figures').waitFor();
	const f = await api.get(`/forecast?period=${P}&owner_id=${api.user.id}&top=0`);
	assertEqual(await mine.locator('[data-figure="closed_won"]').textContent(), money(f.closed_won, f.currency), 'won so far');
	for (const k of ['commit', 'best_case', 'pipeline'])
		assertEqual(await mine.locator(`[data-category="${k}"]`).textContent(), money(f.models.categories[k], f.currency), 'category ' + k);
	assertEqual(await mine.locator('[data-row]').count(), Object.keys(f.models).length, 'one chart row per model');
	// beside the range: how often it held in past periods for this scope (the API's calibration)
	const cal = f.models.historical.basis.calibration;
	const held = mine.locator('.fcs-held');
	assertEqual(await held.getAttribute('data-held'), String(cal.periods_held), 'periods held');
	assertEqual(await held.getAttribute('data-checked'), String(cal.periods_checked), 'periods checked');
	assertEqual(await held.getAttribute('data-basis'), cal.basis, 'basis');
	const heldText = await held.textContent();
	assert(cal.periods_checked > 0
		? heldText.includes(`held in ${cal.periods_held} of ${cal.periods_checked} past quarters`)
		: heldText.includes('No past quarter'), 'range held: ' + heldText);

	// best case below commit: the server's message under Best case, nothing stored
	await mine.getByLabel(/^Commit/).fill('50000');
	await mine.getByLabel(/^Best case/).fill('40000');
	await mine.getByRole('button', { name: 'Submit', exact: true }).click();
	const invalid = mine.locator('.field-invalid');
	await invalid.locator('.field-error').waitFor();
	assertEqual(await invalid.count(), 1, 'one field refused');
	assert((await invalid.locator('label').textContent()).startsWith('Best case'), 'the error is on Best case');
	assertEqual(await invalid.locator('.field-error').textContent(), 'must be at least commit', "the server's words");
	assertEqual(await invalid.locator('input').getAttribute('aria-invalid'), 'true', 'marked invalid');
	assertEqual((await api.get(hist)).data.length, before, 'nothing stored');

	// corrected: stored once, shown first in the history as the current number
	await mine.getByLabel(/^Best case/).fill('75000.50');
	await mine.getByLabel('Note (optional)').fill('Two renewals may slip');
	await mine.getByRole('button', { name: 'Submit', exact: true }).click();
	const first = mine.locator('.fcs-history tbody tr').first();
	await first.filter({ hasText: money(75000.5) }).waitFor();
	const h = (await api.get(hist)).data;
	assertEqual(h.length, before + 1, 'one submission stored');
	assertEqual(h[0].commit, 50000, 'commit');
	assertEqual(h[0].best_case, 75000.5, 'best case');
	assertEqual(h[0].note, 'Two renewals may slip', 'note');
	const text = await first.textContent();
	assert(text.includes(money(50000)) && text.includes('current') && text.includes('Two renewals may slip'), 'history row: ' + text);
	assertEqual(await mine.locator('.field-invalid').count(), 0, 'the error is gone');
	// each submit carried its own Idempotency-Key
	assertEqual(keys.length, 2, 'two POSTs');
	assert(keys.every((k) => /^[0-9a-f]{32}$/.test(k || '')) && keys[0] !== keys[1], 'fresh keys: ' + keys);
});

test("forecast: the manager sees the rep's number in the roll-up and submits their own for the team", async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const mgr = await apiAs(base, 'manager');
	const P = quarter().period;
	const r = await rep.call('POST', SUBMIT.slice(7), { period: P, scope: 'user', commit: '31415.00', best_case: '42000.00', note: 'Acme in January' });
	assertEqual(r.status, 201, 'the rep submits');

	await login(page, base, 'manager');
	await page.goto(base + '/forecast');
	const team = page.locator('section[data-section="team"]');
	const row = team.locator(`tr[data-member="user:${rep.user.id}"]`);
	await row.waitFor();
	const roll = await mgr.get(`/forecast/rollup?period=${P}`);
	assertEqual(roll.scope.kind, 'team', 'the manager gets their team');
	assert((await team.locator('h2').textContent()).includes(roll.scope.name), 'the team is named');
	const m = roll.members.find((x) => x.kind === 'user' && x.id === rep.user.id);
	const cells = await row.locator('td').allTextContents();
	assertEqual(cells[0], money(31415), "the rep's commit");
	assertEqual(cells[1], money(42000), "the rep's best case");
	assert(cells[2].includes('Acme in January'), 'the note: ' + cells[2]);
	assert(cells[3].startsWith(money(m.models.weighted.total, roll.currency)), "the engine's weighted: " + cells[3]);
	assert(cells[5].startsWith(money(m.models.historical.total, roll.currency)), "the engine's historical: " + cells[5]);
	assertEqual(await team.locator('[data-figure="sum_commit"]').textContent(), money(roll.sum.commit, roll.currency), 'the sum of commits');
	assertEqual(await team.locator('tbody tr[data-member]').count(), roll.members.length, 'every member');

	// the manager's own adjusted number for the team
	await team.getByLabel(/^Commit/).fill('500000');
	await team.getByLabel(/^Best case/).fill('650000');
	await team.getByRole('button', { name: 'Submit', exact: true }).click();
	const first = team.locator('.fcs-history tbody tr').first();
	await first.filter({ hasText: money(500000) }).waitFor();
	assert((await first.textContent()).includes(mgr.user.name), 'submitted by the manager');
	const subs = (await mgr.get(`/forecast/submissions?period=${P}&scope=team&team_id=${roll.scope.id}`)).data;
	assertEqual(subs[0].submitter_id, mgr.user.id, 'stored as the manager\'s');
	assertEqual(subs[0].commit, 500000, 'commit');
	assertEqual(subs[0].best_case, 650000, 'best case');
	// the roll-up is read again: the team's current numbers name it
	await team.locator('.hint', { hasText: 'Current numbers for' }).filter({ hasText: money(500000) }).waitFor();
	// the manager's own deals are there too, with their own form
	await page.locator('section[data-section="mine"] .fcs-figures').waitFor();
});

test('forecast: accuracy of a closed quarter, as a chart and a table, at 390 px without sideways scrolling', async ({ page, base, server }) => {
	const { period: P, first } = quarter(1);
	for (const days of [6, 34]) {
		const asOf = new Date(first.getTime() + days * 86400000).toISOString().slice(0, 10);
		const s = spawnSync(BIN, ['forecast', 'snapshot', '--db', join(server.dir, 'demo.db'), '--period', P, '--as-of', asOf,
			'--iterations', '1000'], { encoding: 'utf8', timeout: 120000 });
		assertEqual(s.status, 0, 'snapshot ' + asOf + ': ' + s.stderr);
	}
	const rep = await apiAs(base, 'rep');
	const acc = await rep.get(`/forecast/accuracy?period=${P}`);
	const mine = acc.scopes.find((x) => x.scope.kind === 'user' && x.scope.id === rep.user.id);
	assert(mine && mine.forecasts.length >= 4, 'the rep has an accuracy scope');

	await login(page, base, 'rep');
	await page.goto(base + '/forecast');
	const sec = page.locator('section[data-section="accuracy"]');
	await sec.locator('.fcs-accuracy').waitFor();
	assertEqual(await sec.getByLabel('Period').inputValue(), P, 'the last closed quarter by default');
	assertEqual(await sec.locator('[data-figure="actual"]').textContent(), money(mine.actual, mine.currency), 'the actual');
	const chart = sec.getByRole('img');
	assert((await chart.getAttribute('aria-labelledby')), 'the chart is labelled');
	assertEqual(await sec.locator('.fcs-acc-chart [data-row]').count(), mine.forecasts.length, 'one row per model and submitter');
	await sec.getByText('Show the numbers as a table').click();
	const rows = sec.locator('.chart-table tbody tr');
	assertEqual(await rows.count(), mine.forecasts.length, 'one table row per model and submitter');
	const w = mine.forecasts.find((x) => x.source === 'historical');
	const hist = rows.filter({ hasText: 'Historical' });
	const cells = await hist.locator('td').allTextContents();
	assertEqual(cells[0], money(w.weeks[0].forecast, mine.currency), 'first snapshot');
	assertEqual(cells[1], money(w.weeks[0].error, mine.currency), 'error');
	assertEqual(cells[2], w.weeks[0].ape === null ? '—' : (w.weeks[0].ape * 100).toFixed(1) + '%', 'APE');
	assertEqual(cells[4], w.weeks[0].inside === null ? 'no interval' : w.weeks[0].inside ? 'yes' : 'no', 'inside P10–P90');
	assertEqual(cells[5], String(w.n), 'snapshots');
	assertEqual(w.n, 2, 'two weekly snapshots');

	// 390 px: the whole screen fits, the form included
	await page.locator('section[data-section="mine"] .fcs-history, section[data-section="mine"] .empty').first().waitFor();
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert(overflow <= 0, 'no sideways scrolling: ' + overflow + ' px too wide');
}, { viewport: { width: 390, height: 844 } });
