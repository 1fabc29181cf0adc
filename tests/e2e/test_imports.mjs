// The import screen end to end: a rep picks a spreadsheet, maps its "Company" column to
// the name in the preview, imports the good rows, sees the rejected one with its line and
// reason, downloads it as a CSV of its own, and undoes the import.
import { readFile } from 'node:fs/promises';
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

test('import a spreadsheet with a mapped column, see the rejected row, undo', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	await login(page, base, 'rep');
	// the way in: the list the records will join
	await page.goto(base + '/accounts');
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	const csv = 'Company;phone\r\nE2e Import One;111\r\n;222\r\n"E2e Import; Two";333\r\n';
	await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'companies.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	const preview = page.getByRole('table', { name: 'Preview of the file' });
	await preview.getByRole('cell', { name: 'E2e Import; Two' }).waitFor();
	await page.getByLabel('Field for column Company').selectOption('name');
	assertEqual(await page.getByLabel('Field for column phone').inputValue(), 'phone', 'a column named as a field maps itself');
	await page.getByLabel('Import the good rows even if some are refused').check();
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	await page.waitForURL(/\/imports\?id=\d+$/);
	await page.getByRole('status').getByText('2 records created, 0 updated, 1 rejected.').waitFor();
	const rejected = page.getByRole('table', { name: 'Rejected rows' });
	await rejected.getByRole('cell', { name: 'name: is required' }).waitFor();
	assertEqual(await rejected.locator('tbody td').first().textContent(), '3', 'its line');
	const [download] = await Promise.all([page.waitForEvent('download'),
		page.getByRole('button', { name: 'Download the rejected rows' }).click()]);
	const got = await readFile(await download.path(), 'utf8');
	assertEqual(got, 'Company;phone\r\n;222\r\n', 'the header and the rejected row, as they were');
	const mine = (await rep.get('/accounts?q=E2e+Import&limit=50')).data.map((a) => a.name).sort();
	assertEqual(mine.join('|'), 'E2e Import One|E2e Import; Two', 'the good rows are the rep\'s accounts');
	await page.getByRole('button', { name: 'Undo this import' }).click();
	await page.getByText(/Import undone: 2 records deleted/).waitFor();
	assert((await rep.get('/accounts?q=E2e+Import&limit=50')).data.length === 0, 'gone again');
	// the past imports list has it, undone
	await page.getByRole('link', { name: 'New import' }).click();
	await page.getByRole('table', { name: 'Past imports' }).getByText('companies.csv').first().waitFor();
});
