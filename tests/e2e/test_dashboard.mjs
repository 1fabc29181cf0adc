// The manager dashboard draws what the reports answer: the numbers on the charts are
// compared with the API's answer fetched by the test, as the same manager.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

const euro = (v, currency = 'EUR') => new Intl.NumberFormat('en', { style: 'currency', currency }).format(v);

function currentQuarter() {
	const d = new Date();
	return d.getFullYear() + '-Q' + (Math.floor(d.getMonth() / 3) + 1);
}

async function openDashboard(page, base, query = '') {
	await login(page, base, 'manager');
	await page.goto(base + '/dashboard' + query);
	await page.locator('[aria-labelledby=funnel-h][data-ready]').waitFor();
}

test('the funnel chart draws the entries, conversion and open amounts of the report', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await openDashboard(page, base);
	const r = await mgr.get('/reports/funnel');
	const all = r.groups[0];
	const chart = page.locator('svg.funnel-chart:not(.mini)');
	const drawn = all.stages.filter((s) => s.section !== 'lost');
	assertEqual(await chart.locator('.funnel-row').count(), drawn.length, 'one row per stage but lost');
	for (const s of drawn) {
		const row = chart.locator('[data-stage="' + s.key + '"]');
		assertEqual(await row.locator('.funnel-entries').textContent(), s.entries.toLocaleString('en'), s.key + ' entries');
		assertEqual(+(await row.locator('.funnel-open').getAttribute('data-value')), s.open_amount, s.key + ' open amount');
		const rate = await row.locator('.funnel-rate').textContent();
		if (s.conversion.denominator && s !== drawn[drawn.length - 1])
			assertEqual(rate, Math.round(s.conversion.rate * 100) + '%', s.key + ' conversion');
	}
	const panel = page.locator('[aria-labelledby=funnel-h]');
	assertEqual(await panel.locator('.dash-summary [data-figure=open_amount]').textContent(), euro(all.open_amount, r.currency), 'open amount');
	assertEqual(await panel.locator('.dash-summary [data-figure=weighted_amount]').textContent(), euro(all.weighted_amount, r.currency), 'weighted');
	// the table alternative has the same numbers
	await panel.getByText('Show the numbers as a table').first().click();
	const cells = panel.locator('details.chart-table').first().locator('tbody tr');
	assertEqual(await cells.count(), all.stages.length, 'a table row per stage');
	assertEqual((await cells.first().locator('td').nth(4).textContent()), euro(all.stages[0].open_amount, r.currency), 'table open amount');
	// the SVG is described for screen readers
	assert((await chart.getAttribute('role')) === 'img' && (await chart.locator('desc').textContent()).includes(drawn[0].name), 'role img with a description');
});

test('the funnel switches between salesperson, team and channel', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await openDashboard(page, base);
	for (const [name, by] of [['Salesperson', 'owner'], ['Team', 'team'], ['Channel', 'channel']]) {
		await page.getByRole('radio', { name }).click();
		const r = await mgr.get('/reports/funnel?group_by=' + by);
		const cards = page.locator('.funnel-card');
		await page.waitForFunction(([n]) => document.querySelectorAll('.funnel-card').length === n, [r.groups.length]);
		assertEqual(await cards.count(), r.groups.length, by + ': a small funnel per group');
		const g = r.groups[0];
		const first = cards.first();
		for (const s of g.stages.filter((x) => x.section !== 'lost'))
			assertEqual(+(await first.locator('[data-stage="' + s.key + '"] .funnel-entries').getAttribute('data-value')), s.entries, by + ' ' + s.key);
		if (by !== 'owner')
			assert(new URL(page.url()).searchParams.get('group') === by, 'the grouping is in the URL');
	}
});

test('the forecast chart draws each model, the P10–P90 band and the categories', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await openDashboard(page, base);
	const panel = page.locator('[aria-labelledby=forecast-h][data-ready]');
	await panel.waitFor();
	const f = await mgr.get('/forecast?period=' + currentQuarter() + '&top=5');
	assertEqual(+(await panel.locator('.won-label').getAttribute('data-value')), f.closed_won, 'closed won so far');
	assertEqual(await panel.locator('[data-figure=closed_won]').textContent(), euro(f.closed_won, f.currency), 'closed won text');
	for (const m of ['weighted', 'categories'])   // these do not move with the clock: exact
		assertEqual(+(await panel.locator('[data-model=' + m + '] .fc-value').getAttribute('data-value')), f.models[m].total_expected, m);
	for (const m of ['historical', 'simulation']) { // they do (a run rate over the time left): within 1%
		const row = panel.locator('[data-model=' + m + ']');
		const v = +(await row.locator('.fc-value').getAttribute('data-value'));
		assert(Math.abs(v - f.models[m].total_expected) <= f.models[m].total_expected * 0.01, m + ': ' + v + ' vs ' + f.models[m].total_expected);
		assertEqual(await row.locator('.fc-band').count(), 1, m + ' has a band');
		const p10 = +(await row.locator('[data-p10]').getAttribute('data-p10'));
		const p90 = +(await row.locator('[data-p10]').getAttribute('data-p90'));
		assert(p10 < v && v < p90, m + ': P10 < expected < P90');
	}
	assertEqual(await panel.locator('[data-model=weighted] .fc-band').count(), 0, 'no band where none is claimed');
	const c = f.models.categories;
	const labels = panel.locator('svg.cat-chart text[data-value]'); // closed won, commit, best case, pipeline
	assertEqual(+(await labels.nth(0).getAttribute('data-value')), f.closed_won, 'categories: closed won');
	for (const [i, k] of [[1, 'commit'], [2, 'best_case'], [3, 'pipeline']])
		assertEqual(+(await labels.nth(i).getAttribute('data-value')), c[k], 'categories: ' + k);
	// the team's roll-up, on demand
	await panel.getByRole('button', { name: "Show the team's roll-up" }).click();
	await panel.locator('.fc-rollup[data-ready]').waitFor();
	const roll = await mgr.get('/forecast/rollup?period=' + currentQuarter());
	assertEqual(await panel.locator('.fc-rollup tbody tr').count(), roll.members.length, 'a row per member');
});

test('stale deals show their diagnosis and the action, and open the deal', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await openDashboard(page, base);
	const panel = page.locator('[aria-labelledby=stale-h][data-ready]');
	await panel.waitFor();
	const r = await mgr.get('/reports/stale?limit=12');
	assert(r.total > 0, 'the demo company has stale deals');
	const items = panel.locator('.stale-item');
	assertEqual(await items.count(), r.data.length, 'the most severe deals');
	const first = r.data[0];
	const item = items.first();
	assertEqual(+(await item.getAttribute('data-id')), first.id, 'worst first');
	assertEqual(await item.locator('.stale-hypothesis').getAttribute('data-hypothesis'), first.diagnosis.hypothesis, 'the diagnosis');
	assert((await item.locator('.stale-diagnosis').textContent()).includes(first.diagnosis.suggestion), 'the suggested action');
	await item.getByText('Evidence').click();
	assert((await item.locator('.stale-evidence').textContent()).includes(first.evidence[0].detail), 'the evidence');
	await item.locator('a.stale-name').click();
	await page.waitForURL('**/opportunities/' + first.id);
});

test('the performance table places each salesperson among peers', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await openDashboard(page, base);
	const panel = page.locator('[aria-labelledby=perf-h][data-ready]');
	await panel.waitFor();
	const r = await mgr.get('/reports/performance?period=' + currentQuarter());
	assertEqual(await panel.locator('tbody tr').count(), r.data.length, 'a row per salesperson');
	const rep = r.data[0];
	const row = panel.locator('tr[data-user="' + rep.user_id + '"]');
	const att = rep.figures.attainment;
	const cell = row.locator('td').first();
	assertEqual(await cell.locator('.standing-text').textContent(), 'P' + Math.round(att.percentile), 'attainment percentile');
	await panel.getByRole('radio', { name: 'z-scores' }).click();
	assertEqual(await cell.locator('.standing-text').textContent(), att.z === null ? 'z —' : 'z ' + (att.z > 0 ? '+' : '') + att.z.toFixed(2), 'attainment z-score');
});

test('the period and scope pickers narrow every panel', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await openDashboard(page, base);
	const d = new Date();
	const month = d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
	await page.getByLabel('Period length').selectOption('month');
	await page.waitForURL('**/dashboard?period=' + month);
	const r = await mgr.get('/reports/funnel?from=' + month + '-01&to=' + month + '-' +
		String(new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate()).padStart(2, '0'));
	await page.locator('[aria-labelledby=funnel-h] .dash-sub', { hasText: month + '-01' }).waitFor();
	const entries = page.locator('svg.funnel-chart:not(.mini) [data-stage="' + r.groups[0].stages[0].key + '"] .funnel-entries');
	await page.waitForFunction(([n]) => {
		const el = document.querySelector('svg.funnel-chart:not(.mini) .funnel-entries');
		return el && +el.getAttribute('data-value') === n;
	}, [r.groups[0].stages[0].entries]);
	assertEqual(+(await entries.getAttribute('data-value')), r.groups[0].stages[0].entries, 'the month\'s entries');

	// one salesperson
	const reps = (await mgr.get('/users?team_id=' + mgr.user.team_id + '&limit=200')).data.filter((u) => u.role === 'rep' && u.active);
	const rep = reps[0];
	await page.getByLabel('Scope').selectOption({ label: rep.name });
	await page.waitForURL('**scope=user%3A' + rep.id + '*');
	const mine = await mgr.get('/reports/funnel?owner_id=' + rep.id + '&from=' + r.from + '&to=' + r.to);
	await page.locator('[aria-labelledby=funnel-h] [data-figure=open_amount]', { hasText: euro(mine.groups[0].open_amount, mine.currency) }).waitFor();
	const stale = await mgr.get('/reports/stale?owner_id=' + rep.id + '&limit=12');
	await page.locator('[aria-labelledby=stale-h][data-ready]').waitFor();
	await page.waitForFunction(([n]) => document.querySelectorAll('.stale-item').length === n, [stale.data.length]);
	assertEqual(await page.locator('[aria-labelledby=perf-h] tbody tr').count(), 1, 'performance: that salesperson');
});

test('a salesperson has no dashboard in the navigation', async ({ page, base }) => {
	await login(page, base, 'rep');
	assertEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).count(), 0, 'no link');
});
