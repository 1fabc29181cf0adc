// Admin → Webhooks and Lobbies: an admin registers a webhook against a real HTTP
// receiver on loopback, sees the event delivered in its log with the signature the
// shown secret makes, sends it again; and adds a lobby theme for an industry.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

function receiver() {
	const got = [];
	const srv = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => { body += c; });
		req.on('end', () => {
			got.push({ headers: req.headers, body });
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end('thanks');
		});
	});
	return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok({ srv, got, url: 'http://127.0.0.1:' + srv.address().port + '/hook' })));
}

test('an admin adds a webhook, sees a signed delivery in its log, sends it again', async ({ page, base }) => {
	const rx = await receiver();
	try {
		await login(page, base, 'admin');
		await page.goto(base + '/admin/webhooks');
		await page.getByRole('button', { name: 'Add webhook' }).click();
		const dlg = page.getByRole('dialog', { name: 'Add webhook' });
		await dlg.getByLabel('Address').fill('ftp://nowhere.example');
		await dlg.getByLabel('account.created').check();
		await dlg.getByRole('button', { name: 'Save' }).click();
		await dlg.getByRole('alert').waitFor(); // the server refuses the address, on its field
		await dlg.getByLabel('Address').fill(rx.url);
		await dlg.getByRole('button', { name: 'Save' }).click();
		await dlg.waitFor({ state: 'detached' });
		await page.getByRole('cell', { name: rx.url, exact: true }).waitFor();
		const admin = await apiAs(base, 'admin');
		const hook = (await admin.get('/webhooks')).data.find((w) => w.url === rx.url);
		assertEqual(JSON.stringify(hook.events), JSON.stringify(['account.created']), 'the event checked');

		const made = await admin.call('POST', '/accounts', { name: 'Hooked Industries' });
		assertEqual(made.status, 201, 'an account');
		for (let i = 0; i < 100 && !rx.got.length; i++)
			await new Promise((r) => setTimeout(r, 100));
		assertEqual(rx.got.length, 1, 'the receiver got the event');

		await page.getByRole('button', { name: 'Edit ' + rx.url }).click();
		const edit = page.getByRole('dialog', { name: 'Edit webhook' });
		await edit.getByRole('button', { name: 'Show the secret' }).click();
		const secret = (await edit.locator('code.secret').textContent()).trim();
		const sig = rx.got[0].headers['funnel-signature'];
		const t = /t=(\d+)/.exec(sig)[1];
		const mac = createHmac('sha256', secret).update(t + '.' + rx.got[0].body).digest('hex');
		assert(sig.includes('v1=' + mac), 'signed with the secret shown: ' + sig);
		await edit.getByRole('button', { name: 'Cancel' }).click();

		await page.getByRole('button', { name: 'Deliveries of ' + rx.url }).click();
		const log = page.getByRole('dialog', { name: 'Deliveries to ' + rx.url });
		const row = log.locator('tr', { hasText: 'account.created' }).first();
		await row.locator('.badge', { hasText: 'Delivered' }).waitFor();
		assert((await row.textContent()).includes('HTTP 200'), 'the answer logged');
		await row.getByRole('button', { name: /^Send event \d+ again/ }).click();
		for (let i = 0; i < 100 && rx.got.length < 2; i++)
			await new Promise((r) => setTimeout(r, 100));
		assertEqual(rx.got.length, 2, 'sent again');
		assertEqual(JSON.parse(rx.got[1].body).data.object.name, 'Hooked Industries', 'the same record');
		await log.getByRole('button', { name: 'Refresh' }).click();
		await log.locator('tr', { hasText: 'account.created' }).nth(1).waitFor();
	} finally {
		rx.srv.close();
	}
});

test('an admin adds a lobby theme for an industry', async ({ page, base }) => {
	await login(page, base, 'admin');
	await page.goto(base + '/admin/lobbies');
	await page.getByRole('button', { name: 'Add lobby' }).click();
	const dlg = page.getByRole('dialog', { name: 'Add lobby' });
	await dlg.getByLabel('Name').fill('E2E Healthcare lobby');
	await dlg.getByLabel('Industries').fill('Healthcare, Pharma');
	await dlg.getByLabel('Welcome').fill('Welcome, doctor.');
	await dlg.getByRole('button', { name: 'Save' }).click();
	await dlg.waitFor({ state: 'detached' });
	await page.getByRole('cell', { name: 'Healthcare, Pharma' }).waitFor();
	const admin = await apiAs(base, 'admin');
	const l = (await admin.get('/lobbies?limit=200')).data.find((x) => x.name === 'E2E Healthcare lobby');
	assertEqual(JSON.stringify(l.industries), JSON.stringify(['Healthcare', 'Pharma']), 'the industries, one by one');
	assertEqual(l.welcome, 'Welcome, doctor.', 'the welcome');
	assert(/^#[0-9a-f]{6}$/i.test(l.primary_color), 'a colour: ' + l.primary_color);
	// the same name twice is refused, said in the dialog
	await page.getByRole('button', { name: 'Add lobby' }).click();
	const again = page.getByRole('dialog', { name: 'Add lobby' });
	await again.getByLabel('Name').fill('E2E Healthcare lobby');
	await again.getByRole('button', { name: 'Save' }).click();
	await again.getByRole('alert').waitFor();
});
