// The record lists: search, filter, sort and keyset pages give the rows the API gives
// for the same query; a saved filter comes back after a reload; a row opens its page,
// where an edit saves with If-Match and a stale one is refused in words.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

const ids = async (page) => page.locator('table.list-table tbody tr td:first-child a').evaluateAll(
	(as) => as.map((a) => Number(a.getAttribute('href').split('/').pop())));

async function waitRows(page) {
	await page.locator('.record-list[data-ready]').waitFor();
	await page.locator('table.list-table[aria-busy="false"]').waitFor();
}

test('leads: search, filter by status, sort by name and load the next page', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await login(page, base, 'manager');
	await page.goto(base + '/leads');
	await waitRows(page);
	// search: the rows are the API's for ?q=
	const some = (await mgr.get('/leads?limit=1&sort=-created_at')).data[0];
	const word = some.last_name;
	await page.getByLabel('Search leads').fill(word);
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await page.waitForURL(/q=/);
	await waitRows(page);
	const want = (await mgr.get('/leads?limit=50&sort=-created_at&q=' + encodeURIComponent(word))).data.map((r) => r.id);
	assertEqual(JSON.stringify(await ids(page)), JSON.stringify(want), 'search rows');
	assert(want.includes(some.id), 'the lead searched for is there');

	// filter: status working, shown as a chip, every row working
	await page.getByLabel('Search leads').fill('');
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await page.waitForURL((u) => !u.search.includes('q='));
	await page.locator('details.filters > summary').click();
	await page.getByLabel('Status', { exact: true }).selectOption('working');
	await page.waitForURL(/status=working/);
	await waitRows(page);
	await page.getByRole('list', { name: 'Active filters' }).getByText('Status: working').waitFor();
	const statuses = await page.locator('table.list-table tbody tr td:nth-child(4)').allTextContents();
	assert(statuses.length === 50, '50 rows on the first page, got ' + statuses.length);
	assert(statuses.every((s) => s === 'Working'), 'all working: ' + [...new Set(statuses)]);

	// sort by name (ascending), then the next page follows the cursor
	await page.getByRole('button', { name: /^Sort by Name/ }).click();
	await page.waitForURL(/sort=last_name/);
	await waitRows(page);
	assertEqual(await page.locator('th[aria-sort="ascending"]').textContent(), 'Name ▲', 'sorted column');
	const p1 = await mgr.get('/leads?limit=50&sort=last_name&status=working');
	const p2 = await mgr.get('/leads?limit=50&sort=last_name&status=working&cursor=' + p1.next_cursor);
	assertEqual(JSON.stringify(await ids(page)), JSON.stringify(p1.data.map((r) => r.id)), 'page 1');
	await page.getByRole('button', { name: 'Load 50 more' }).click();
	await page.getByText(/^100 shown|^\d+ shown — that is all/).waitFor();
	const all = await ids(page);
	assertEqual(JSON.stringify(all), JSON.stringify([...p1.data, ...p2.data].map((r) => r.id)), 'pages 1 and 2');
	assertEqual(new Set(all).size, all.length, 'no row twice');
	// a reload keeps it all: the state is the URL
	await page.reload();
	await waitRows(page);
	assertEqual(JSON.stringify(await ids(page)), JSON.stringify(p1.data.map((r) => r.id)), 'after reload');
});

test('a saved filter is kept on the server and reapplied after a reload', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities');
	await page.locator('.record-list[data-ready]').waitFor();
	await page.locator('details.filters > summary').click();
	await page.getByLabel('Status', { exact: true }).selectOption('open');
	await page.waitForURL(/status=open/);
	await page.getByRole('button', { name: /^Sort by Amount/ }).click();
	await page.waitForURL(/sort=amount/);
	await page.getByRole('button', { name: /^Sort by Amount/ }).click();
	await page.waitForURL(/sort=-amount/);
	await page.getByRole('button', { name: 'Save filter' }).click();
	await page.getByLabel('Name of this filter').fill('My biggest open deals');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await page.getByRole('status').getByText('Saved filter “My biggest open deals”').waitFor();
	const saved = (await rep.get('/saved_filters?resource=opportunities')).data;
	assertEqual(saved.length, 1, 'one saved filter');
	assertEqual(saved[0].query, 'sort=-amount&status=open', 'its query');

	// a fresh page without the query: pick it, and the list is the API's for it
	await page.goto(base + '/opportunities');
	await page.reload();
	await page.locator('.record-list[data-ready]').waitFor();
	await page.getByLabel('Saved filters').selectOption({ label: 'My biggest open deals' });
	await page.waitForURL(/status=open/);
	await page.locator('table.list-table[aria-busy="false"]').waitFor();
	await page.getByRole('list', { name: 'Active filters' }).getByText('Status: open').waitFor();
	const want = (await rep.get('/opportunities?status=open&sort=-amount&limit=50')).data.map((r) => r.id);
	assertEqual(JSON.stringify(await ids(page)), JSON.stringify(want), 'rows of the saved filter');
	assertEqual(await page.locator('th[aria-sort="descending"]').textContent(), 'Amount ▼', 'sorted by amount, descending');

	// only its owner sees it
	const mgr = await apiAs(base, 'manager');
	assertEqual((await mgr.call('GET', '/saved_filters/' + saved[0].id)).status, 404, 'the manager does not see it');
	// deleting it
	page.once('dialog', (d) => d.accept());
	await page.getByRole('button', { name: 'Delete saved filter' }).click();
	await page.getByRole('button', { name: 'Save filter' }).waitFor();
	assertEqual((await rep.get('/saved_filters')).data.length, 0, 'deleted');
});

test('an account row opens its page; an edit saves with If-Match, a stale one is refused', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const acc = (await rep.get('/accounts?owner_id=' + rep.user.id + '&limit=1')).data[0];
	await login(page, base, 'rep');
	await page.goto(base + '/accounts?owner_id=' + rep.user.id);
	await page.locator('table.list-table[aria-busy="false"]').waitFor();
	await page.getByRole('link', { name: acc.name, exact: true }).first().click();
	await page.getByRole('heading', { name: acc.name, level: 1 }).waitFor();
	await page.getByRole('heading', { name: 'Contacts' }).waitFor();
	await page.getByRole('button', { name: 'Edit' }).click();
	await page.getByLabel('Phone').fill('+49 30 1234567');
	await page.getByRole('button', { name: 'Save' }).click();
	await page.getByRole('status').getByText('Saved').waitFor();
	const after = await rep.call('GET', '/accounts/' + acc.id);
	assertEqual(after.json.phone, '+49 30 1234567', 'saved');
	assertEqual(after.json.version, acc.version + 1, 'one new version');

	// someone else changes it meanwhile: the next save is refused, nothing overwritten
	await page.getByRole('button', { name: 'Edit' }).click();
	const other = await rep.call('PATCH', '/accounts/' + acc.id, { website: 'https://changed.example' });
	assertEqual(other.status, 200, 'the other change');
	await page.getByLabel('Phone').fill('+49 30 7654321');
	await page.getByRole('button', { name: 'Save' }).click();
	await page.getByText(/Someone changed this account since you opened it/).waitFor();
	assertEqual((await rep.get('/accounts/' + acc.id)).phone, '+49 30 1234567', 'not overwritten');
	await page.getByRole('button', { name: 'Reload' }).click();
	await page.getByText('https://changed.example').waitFor();
});
