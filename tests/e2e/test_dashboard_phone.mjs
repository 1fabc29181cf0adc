// The manager dashboard on a phone: the big charts draw their narrow layout instead of
// scrolling sideways, their text is not shrunk to fit, and the tables are still there.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

const PANELS = ['funnel-h', 'forecast-h', 'stale-h', 'perf-h'];

async function ready(page) {
	for (const h of PANELS)
		await page.locator('[aria-labelledby=' + h + '][data-ready]').waitFor({ timeout: 30000 });
}

// every chart within the screen, drawn at (nearly) the size of its viewBox
async function chartsFit(page, width) {
	return page.evaluate((w) => [...document.querySelectorAll('svg.chart:not(.gauge)')].map((svg) => {
		const b = svg.getBoundingClientRect();
		return { cls: svg.getAttribute('class'), right: b.right, scale: b.width / svg.viewBox.baseVal.width, w };
	}), width);
}

test('at 390 px the dashboard fits the screen: narrow charts, same numbers, tables kept', async ({ page, base }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	const mgr = await apiAs(base, 'manager');
	await login(page, base, 'manager');
	await page.goto(base + '/dashboard');
	await ready(page);
	assert(await page.locator('svg.funnel-chart.chart-narrow:not(.mini)').count() === 1, 'the funnel in its narrow layout');
	assert(await page.locator('svg.forecast-chart.chart-narrow').count() === 1, 'the forecast in its narrow layout');
	for (const c of await chartsFit(page, 390)) {
		assert(c.right <= 390, c.cls + ' within the screen: ' + c.right);
		if (!/mini/.test(c.cls))
			assert(c.scale >= 0.85, c.cls + ' drawn near its size, text not shrunk: scale ' + c.scale.toFixed(2));
	}
	let w = await page.evaluate(() => document.documentElement.scrollWidth);
	assert(w <= 390, 'no sideways scrolling: ' + w);

	// the narrow funnel draws the report's numbers
	const r = await mgr.get('/reports/funnel');
	const chart = page.locator('svg.funnel-chart:not(.mini)');
	const drawn = r.groups[0].stages.filter((s) => s.section !== 'lost');
	assertEqual(await chart.locator('.funnel-row').count(), drawn.length, 'one row per stage but lost');
	for (const s of drawn) {
		const row = chart.locator('[data-stage="' + s.key + '"]');
		assertEqual(await row.locator('.funnel-entries').textContent(), s.entries.toLocaleString('en'), s.key + ' entries');
		assertEqual(+(await row.locator('.funnel-open').getAttribute('data-value')), s.open_amount, s.key + ' open amount');
	}
	const f = await mgr.get('/forecast?top=5');
	for (const [k, m] of Object.entries(f.models))
		assertEqual(+(await page.locator('svg.forecast-chart [data-model=' + k + '] .fc-value').getAttribute('data-value')), m.total_expected, k + ' expected');

	// the tables: opened, they scroll inside their panel, not the page
	const funnel = page.locator('[aria-labelledby=funnel-h]');
	await funnel.getByText('Show the numbers as a table').first().click();
	const rows = funnel.locator('details.chart-table').first().locator('tbody tr');
	assertEqual(await rows.count(), r.groups[0].stages.length, 'a table row per stage');
	await page.locator('[aria-labelledby=forecast-h]').getByText('Show the numbers as a table').first().click();
	w = await page.evaluate(() => document.documentElement.scrollWidth);
	assert(w <= 390, 'tables open, still no sideways scrolling: ' + w);
});

test('a dashboard opened wide and narrowed to 390 px redraws its charts to fit', async ({ page, base }) => {
	await login(page, base, 'manager');
	await page.goto(base + '/dashboard');
	await ready(page);
	assertEqual(await page.locator('svg.chart-narrow').count(), 0, 'wide layouts at 1280 px');
	await page.setViewportSize({ width: 390, height: 844 });
	await page.locator('svg.funnel-chart.chart-narrow').waitFor();
	await page.locator('svg.forecast-chart.chart-narrow').waitFor();
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	assert(w <= 390, 'no sideways scrolling: ' + w);
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.locator('svg.funnel-chart:not(.mini):not(.chart-narrow)').waitFor();
});
