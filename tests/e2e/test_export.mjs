// Data out from the UI: a list's "Export CSV" downloads every row of the list with
// its filters (more than a page), as the API exports them; a contact list's vCards;
// the settings page makes a calendar feed URL that a calendar program can read,
// and revokes it.
import { readFileSync } from 'node:fs';
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

// RFC 4180 rows (quoted cells with commas, quotes and line breaks).
function csvRows(text) {
	const rows = [];
	let row = [], cell = '', q = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (q) {
			if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
		} else if (c === '"') q = true;
		else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r') { /* CRLF */ } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
	}
	return rows;
}

test('leads: Export CSV downloads the filtered list, every page of it', async ({ page, base }) => {
	const mgr = await apiAs(base, 'manager');
	await login(page, base, 'manager');
	await page.goto(base + '/leads?status=working');
	await page.locator('.record-list[data-ready]').waitFor();
	const [download] = await Promise.all([page.waitForEvent('download'),
		page.getByRole('link', { name: 'Export CSV' }).click()]);
	assertEqual(download.suggestedFilename(), 'leads.csv', 'the file name');
	const rows = csvRows(readFileSync(await download.path(), 'utf8'));
	const head = rows.shift();
	const idAt = head.indexOf('id'), statusAt = head.indexOf('status');
	assert(idAt > 0 && statusAt >= 0, 'id and status columns: ' + head);
	const total = (await mgr.get('/leads?status=working&limit=1&total=true')).total;
	assert(total > 50, 'more than a page of working leads: ' + total);
	assertEqual(rows.length, total, 'every working lead the manager sees');
	assert(rows.every((r) => r[statusAt] === 'working'), 'only working leads');
});

test('contacts: Export vCards downloads cards', async ({ page, base }) => {
	await login(page, base, 'rep');
	await page.goto(base + '/contacts');
	await page.locator('.record-list[data-ready]').waitFor();
	const [download] = await Promise.all([page.waitForEvent('download'),
		page.getByRole('link', { name: 'Export vCards' }).click()]);
	const text = readFileSync(await download.path(), 'utf8');
	assert(text.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\n'), 'vCard 4.0');
	const rep = await apiAs(base, 'rep');
	const total = (await rep.get('/contacts?limit=1&total=true')).total;
	assertEqual(text.split('BEGIN:VCARD').length - 1, total, 'one card per contact the rep sees');
});

test('settings: make a calendar feed, read it, revoke it', async ({ page, base }) => {
	await login(page, base, 'rep');
	await page.getByRole('link', { name: 'Settings' }).click();
	await page.getByRole('heading', { name: 'Calendar feed' }).waitFor();
	await page.getByRole('button', { name: /Make (my feed URL|a new URL)/ }).click();
	const input = page.getByLabel(/Your private feed URL/);
	await input.waitFor();
	const url = await input.inputValue();
	assert(/\/cal\/fnc_[A-Za-z0-9_-]+\.ics$/.test(url), 'a feed URL: ' + url);
	const path = new URL(url).pathname;
	let r = await fetch(base + path);
	assertEqual(r.status, 200, 'the feed answers');
	assertEqual(r.headers.get('content-type'), 'text/calendar; charset=utf-8', 'as iCalendar');
	assert((await r.text()).startsWith('BEGIN:VCALENDAR\r\n'), 'a calendar');
	await page.locator('[data-feed="active"]').waitFor();
	page.once('dialog', (d) => d.accept());
	await page.getByRole('button', { name: 'Revoke' }).click();
	await page.locator('[data-feed="none"]').waitFor();
	r = await fetch(base + path);
	assertEqual(r.status, 404, 'a revoked feed is gone');
});

test('contacts: Import vCards checks the file first, lists the bad cards by line, imports the good', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	await login(page, base, 'rep');
	await page.goto(base + '/contacts');
	await page.locator('.record-list[data-ready]').waitFor();
	await page.getByRole('button', { name: 'Import vCards…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Import vCards' });
	const vcf = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Vcardson;Vera;;;\r\nFN:Vera Vcardson\r\nORG:E2E Cards Ltd\r\n' +
		'EMAIL;TYPE=INTERNET:vera.e2e@cards.example\r\nEND:VCARD\r\n' +
		'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Mail\r\nORG:E2E Cards Ltd\r\nEMAIL:nope\r\nEND:VCARD\r\n';
	await dialog.getByLabel('File').setInputFiles({ name: 'cards.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcf) });
	const check = dialog.locator('[data-check]');
	await check.waitFor();
	const said = await check.textContent();
	assert(said.includes('2 cards: 1 new contacts, 0 updated, 1 new accounts, 1 cannot be imported'), 'the check: ' + said);
	assert(said.includes('line 12: email:'), 'the bad card by its line: ' + said);
	assertEqual((await rep.get('/contacts?email=vera.e2e@cards.example')).data.length, 0, 'the check wrote nothing');
	await dialog.getByRole('button', { name: 'Import the 1 good cards' }).click();
	await page.waitForLoadState('load');
	const got = (await rep.get('/contacts?email=vera.e2e@cards.example')).data;
	assertEqual(got.length, 1, 'the good card is a contact');
	assertEqual(got[0].last_name, 'Vcardson', 'its name');
});
