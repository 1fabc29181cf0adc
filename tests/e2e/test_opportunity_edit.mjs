// The opportunity page's heavier edits: files (upload, download, delete, refusals),
// the payment schedule and payments, another account or pipeline, delete.  Each
// result is checked against the API, not only on screen.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { E2E_MAX_UPLOAD, apiAs, assert, assertEqual, login, test } from './lib.mjs';

let seq = 0;
// A fresh deal of the rep's, so no other test's changes meet this one's.
async function newDeal(rep, extra = {}) {
	const accounts = (await rep.get('/accounts?limit=2&sort=name')).data;
	const r = await rep.call('POST', '/opportunities', {
		name: 'E2E deal ' + Date.now() + '-' + (++seq), account_id: accounts[0].id,
		amount: '12345.60', close_date: '2027-03-31', ...extra,
	});
	assertEqual(r.status, 201, 'deal created: ' + JSON.stringify(r.json));
	return r.json;
}

const docsPanel = (page) => page.locator('section[aria-labelledby="docs-h"]');

test('upload a file: listed, downloads the same bytes, then deleted', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const deal = await newDeal(rep);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	// a PNG: the signature the server checks, then random bytes
	const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(70000)]);
	await docsPanel(page).getByRole('button', { name: 'Upload…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Upload a file' });
	await dialog.getByLabel('File').setInputFiles({ name: 'signed contract.png', mimeType: 'image/png', buffer: bytes });
	await dialog.getByLabel('Kind').selectOption('contract');
	await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
	const link = docsPanel(page).getByRole('link', { name: 'signed contract.png' });
	await link.waitFor();
	const list = (await rep.get('/attachments?related_type=opportunity&related_id=' + deal.id)).data;
	assertEqual(list.length, 1, 'one attachment');
	assertEqual(list[0].size, bytes.length, 'its size');
	assertEqual(list[0].kind, 'contract', 'its kind');
	assertEqual(list[0].content_type, 'image/png', 'its type');
	const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
	assertEqual(download.suggestedFilename(), 'signed contract.png', 'the file name');
	const got = readFileSync(await download.path());
	assert(got.equals(bytes), 'the same bytes come back (' + got.length + ' of ' + bytes.length + ')');
	await docsPanel(page).getByRole('button', { name: 'Delete signed contract.png' }).click();
	await page.getByRole('dialog', { name: 'Delete the file' }).getByRole('button', { name: 'Delete file' }).click();
	await docsPanel(page).getByText('No files yet.').waitFor();
	assertEqual((await rep.get('/attachments?related_type=opportunity&related_id=' + deal.id)).data.length, 0, 'deleted on the server');
});

test('refused uploads say why: a type not taken, content not its type, too large', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const deal = await newDeal(rep);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	const tries = [
		[{ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ not allowed') }, /not accepted/],
		[{ name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('hello, not a PDF') }, /refused: the file's content is not application\/pdf/],
		[{ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(E2E_MAX_UPLOAD + 300000, 'a') }, /too large \(1\.3 MB\): the server takes files up to 1\.0 MB/],
	];
	for (const [file, want] of tries) {
		await docsPanel(page).getByRole('button', { name: 'Upload…' }).click();
		const dialog = page.getByRole('dialog', { name: 'Upload a file' });
		await dialog.getByLabel('File').setInputFiles(file);
		await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
		const alert = dialog.getByRole('alert');
		await alert.waitFor();
		const text = await alert.textContent();
		assert(want.test(text), file.name + ': ' + text);
		await dialog.getByRole('button', { name: 'Cancel' }).click();
	}
	assertEqual((await rep.get('/attachments?related_type=opportunity&related_id=' + deal.id)).data.length, 0, 'nothing stored');
});

test('payment schedule: rows added, edited, removed; the total checked; saved as GET answers', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	// a won deal of the rep's without a schedule or payments (the third: the others are read by other tests)
	const won = (await rep.get('/opportunities?status=won&sort=close_date&limit=20')).data;
	let deal = null, status = null;
	for (const d of won.slice(2)) {
		status = await rep.get('/opportunities/' + d.id + '/payments');
		if (!status.installments.length && !status.payments.length) {
			deal = d;
			break;
		}
	}
	assert(deal, 'a won deal with nothing scheduled');
	const cents = Math.round(deal.amount * 100), first = Math.floor(cents / 2), second = cents - first;
	const fmt = (c) => (c / 100).toFixed(2);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Set up a payment schedule' }).click();
	const form = page.getByRole('form', { name: 'Payment schedule' });
	// one row for the whole amount to start with
	assertEqual(await form.getByLabel('Installment 1 amount (EUR)').inputValue(), fmt(cents), 'the deal amount first');
	await form.getByLabel('Installment 1 amount (EUR)').fill('10.005');
	await form.getByText('has more decimals than the currency allows').waitFor();
	await form.getByLabel('Installment 1 due').fill('2027-01-15');
	await form.getByLabel('Installment 1 amount (EUR)').fill(fmt(first));
	await form.getByRole('button', { name: 'Add an installment' }).click();
	// the new row holds what is left
	assertEqual(await form.getByLabel('Installment 2 amount (EUR)').inputValue(), fmt(second), 'the rest in the new row');
	await form.getByLabel('Installment 2 due').fill('2027-02-15');
	await form.getByRole('button', { name: 'Add an installment' }).click();
	await form.getByLabel('Installment 3 amount (EUR)').fill('1.00');
	await form.getByText(/more than the deal's amount/).first().waitFor();
	// the server is asked anyway, and refuses the same way: nothing saved
	await form.getByRole('button', { name: 'Save the schedule' }).click();
	await form.getByRole('alert').waitFor();
	assert(/more than the deal's amount/.test(await form.getByRole('alert').textContent()), 'the server says the total is too high');
	assertEqual((await rep.get('/opportunities/' + deal.id + '/payments')).installments.length, 0, 'nothing saved');
	await form.getByRole('button', { name: 'Remove installment 3' }).click();
	await form.getByRole('button', { name: 'Save the schedule' }).click();
	await page.locator('table.schedule').waitFor();
	const after = await rep.get('/opportunities/' + deal.id + '/payments');
	assertEqual(JSON.stringify(after.installments.map((i) => [i.due_date, Math.round(i.amount * 100)])),
		JSON.stringify([['2027-01-15', first], ['2027-02-15', second]]), 'the schedule as saved');
	assertEqual(await page.locator('table.schedule tbody tr').count(), 2, 'shown as saved');
	// a payment against it, with a method from the server's list
	await page.getByRole('button', { name: 'Record a payment' }).click();
	const pay = page.getByRole('form', { name: 'Record a payment' });
	await pay.getByLabel('Amount').fill(fmt(first));
	await pay.getByLabel('Method').selectOption('bank_transfer');
	await pay.getByLabel('Reference').fill('E2E-INV-1');
	await pay.getByRole('button', { name: 'Record payment' }).click();
	await page.locator('.payments li', { hasText: 'E2E-INV-1' }).waitFor();
	const paid = await rep.get('/opportunities/' + deal.id + '/payments');
	assertEqual(paid.payments.length, 1, 'one payment');
	assertEqual(paid.payments[0].method, 'bank_transfer', 'its method');
	assertEqual(Math.round(paid.paid * 100), first, 'paid');
	assertEqual(paid.installments[0].status, 'paid', 'the first installment is paid');
});

test('change the account: searched, the contact follows, saved with If-Match', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const accounts = (await rep.get('/accounts?limit=50&sort=name')).data;
	const from = accounts[0];
	const fromContact = (await rep.get('/contacts?account_id=' + from.id + '&limit=1')).data[0];
	let to = null, toContacts = [];
	for (const a of accounts.slice(1)) {
		toContacts = (await rep.get('/contacts?account_id=' + a.id + '&limit=50')).data;
		if (toContacts.length) {
			to = a;
			break;
		}
	}
	assert(fromContact && to, 'two accounts with contacts');
	const deal = await newDeal(rep, { contact_id: fromContact.id });
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Change account' }).click();
	const dialog = page.getByRole('dialog', { name: 'Change the account' });
	await dialog.getByLabel('New account').fill(to.name.split(' ')[0]);
	await dialog.getByRole('button', { name: to.name, exact: true }).click();
	const contactSel = dialog.getByLabel('Contact at ' + to.name);
	await contactSel.waitFor();
	assert((await dialog.textContent()).includes('not for the new account'), 'says the old contact does not fit');
	const pickC = toContacts[toContacts.length - 1];
	await contactSel.selectOption(String(pickC.id));
	await dialog.getByRole('button', { name: 'Change account' }).click();
	await page.locator('.opp-summary', { hasText: to.name }).waitFor();
	const got = await rep.get('/opportunities/' + deal.id);
	assertEqual(got.account_id, to.id, 'the new account');
	assertEqual(got.contact_id, pickC.id, 'the contact picked');
	assertEqual(got.version, deal.version + 1, 'one write');

	// someone changes the deal meanwhile: refused (412), said so, not overwritten
	await page.getByRole('button', { name: 'Change account' }).click();
	await dialog.getByLabel('New account').fill(from.name.split(' ')[0]);
	await dialog.getByRole('button', { name: from.name, exact: true }).click();
	await dialog.getByLabel('Contact at ' + from.name).waitFor();
	const w = await rep.call('PATCH', '/opportunities/' + deal.id, { name: deal.name + ' (renamed)' });
	assertEqual(w.status, 200, 'the other write');
	await dialog.getByRole('button', { name: 'Change account' }).click();
	await page.getByText('Someone else changed this deal since you opened it').waitFor();
	assertEqual((await rep.get('/opportunities/' + deal.id)).account_id, to.id, 'not overwritten');
});

test('change the pipeline: the consequence shown first, then what the API did', async ({ page, base }) => {
	const admin = await apiAs(base, 'admin');
	const rep = await apiAs(base, 'rep');
	const name = 'E2E partner pipeline ' + Date.now();
	const pipe = await admin.call('POST', '/pipelines', {
		name, enforcement: 'free', stages: [
			{ key: 'intro', name: 'Introduction', probability: 15, section: 'upper' },
			{ key: 'proposal', name: 'Partner proposal', probability: 55, section: 'middle' },
			{ key: 'signed', name: 'Signed', probability: 100, section: 'won' },
			{ key: 'lost', name: 'Lost', probability: 0, section: 'lost' }],
	});
	assertEqual(pipe.status, 201, 'pipeline created: ' + JSON.stringify(pipe.json));
	const neg = await newDeal(rep, { stage: 'negotiation' });
	const prop = await newDeal(rep, { stage: 'proposal', probability: 40 });
	let cleaned = 0;
	try {
		await login(page, base, 'rep');
		// no stage of that key: starts again at the top
		await page.goto(base + '/opportunities/' + neg.id);
		await page.getByRole('button', { name: 'Change pipeline' }).click();
		let dialog = page.getByRole('dialog', { name: 'Change the pipeline' });
		await dialog.getByLabel('New pipeline').selectOption({ label: name });
		const c = dialog.locator('.consequence');
		await c.waitFor();
		let text = await c.textContent();
		assert(/starts again at its first stage, Introduction/.test(text), 'says where it starts: ' + text);
		assert(text.includes('75 % → 15 %'), 'the probability it takes: ' + text);
		assert(text.includes('Commit → Pipeline'), 'the forecast category it takes: ' + text);
		await dialog.getByRole('button', { name: 'Change pipeline' }).click();
		await page.locator('.opp-stage', { hasText: 'Introduction' }).waitFor();
		let got = await rep.get('/opportunities/' + neg.id);
		assertEqual(got.pipeline_id, pipe.json.id, 'the pipeline');
		assertEqual(got.stage, 'intro', 'the stage the dialog said');
		assertEqual(got.probability, 15, 'the probability the dialog said');
		assertEqual(got.forecast_category, 'pipeline', 'the category the dialog said');
		const hist = (await rep.get('/opportunities/' + neg.id + '/stages')).data;
		assertEqual(hist[hist.length - 1].stage, 'intro', 'a stage-history row');

		// a stage of the same key: it stays, and so do probability and category
		await page.goto(base + '/opportunities/' + prop.id);
		await page.getByRole('button', { name: 'Change pipeline' }).click();
		dialog = page.getByRole('dialog', { name: 'Change the pipeline' });
		await dialog.getByLabel('New pipeline').selectOption({ label: name });
		text = await dialog.locator('.consequence').textContent();
		assert(/has a stage Partner proposal of the same key: the deal stays in it/.test(text), 'says it stays: ' + text);
		assert(text.includes('40 % → 40 %'), 'probability kept: ' + text);
		await dialog.getByRole('button', { name: 'Change pipeline' }).click();
		await page.locator('.opp-stage', { hasText: 'Partner proposal' }).waitFor();
		got = await rep.get('/opportunities/' + prop.id);
		assertEqual(got.stage, 'proposal', 'same stage key');
		assertEqual(got.probability, 40, 'probability kept');
	} finally {
		// leave the demo as it was for tests run after this one
		for (const d of [neg, prop])
			await rep.call('DELETE', '/opportunities/' + d.id);
		cleaned = (await admin.call('DELETE', '/pipelines/' + pipe.json.id)).status;
	}
	assertEqual(cleaned, 204, 'the pipeline removed again');
});

test('delete a deal: confirmed, back to the list, gone; one deleted meanwhile is explained', async ({ page, base }) => {
	const rep = await apiAs(base, 'rep');
	const deal = await newDeal(rep);
	await login(page, base, 'rep');
	await page.goto(base + '/opportunities/' + deal.id);
	await page.getByRole('button', { name: 'Delete…' }).click();
	let dialog = page.getByRole('dialog', { name: 'Delete the deal' });
	assert((await dialog.textContent()).includes(deal.name), 'names the deal');
	await dialog.getByRole('button', { name: 'Delete the deal' }).click();
	await page.waitForURL(base + '/opportunities');
	assertEqual((await rep.call('GET', '/opportunities/' + deal.id)).status, 404, 'gone from the API');

	const other = await newDeal(rep);
	await page.goto(base + '/opportunities/' + other.id);
	await page.getByRole('button', { name: 'Delete…' }).click();
	assertEqual((await rep.call('DELETE', '/opportunities/' + other.id)).status, 204, 'deleted elsewhere');
	dialog = page.getByRole('dialog', { name: 'Delete the deal' });
	await dialog.getByRole('button', { name: 'Delete the deal' }).click();
	await dialog.getByText('This deal is not there any more').waitFor();
	await dialog.getByRole('link', { name: 'Back to the list' }).click();
	await page.waitForURL(base + '/opportunities');
});
