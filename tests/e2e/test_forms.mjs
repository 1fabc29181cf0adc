// The forms builder: create a web-to-lead form, see the server refuse a broken one in
// words, then the embed snippet with the public address, and the public page itself.
import { apiAs, assert, assertEqual, login, test } from './lib.mjs';

test('create a form, fix what the server refuses, copy its embed snippet', async ({ page, base, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
	await login(page, base, 'manager');
	await page.goto(base + '/forms');
	await page.getByRole('link', { name: 'New form' }).click();
	await page.getByLabel('Name (shown as the form\'s title)').fill('Spring webinar');
	assertEqual(await page.getByLabel('Address').inputValue(), 'spring-webinar', 'the address follows the name');
	// a question of our own, kept as a qualification answer
	await page.getByRole('button', { name: 'Add a question' }).click();
	const builder = page.getByRole('form', { name: 'Form settings and questions' });
	await builder.getByLabel('Question 5', { exact: true }).last().fill('What do you need?');
	await page.getByLabel('Answer type').nth(4).selectOption('textarea');
	assertEqual(await page.getByLabel('Answer kept as').inputValue(), 'what_do_you_need', 'its key');
	// the preview shows it at once
	await page.locator('.preview-page').getByText('What do you need?').waitFor();
	// every lead needs a last name: unchecking it is refused by the server, on that question
	await page.getByLabel('Required').nth(1).uncheck();
	await page.getByRole('button', { name: 'Create form' }).click();
	await page.getByRole('alert').getByText('Check the fields marked below.').waitFor();
	await page.locator('.question.field-invalid').first().waitFor();
	const msg = await page.locator('.question .field-error, fieldset .field-error').allTextContents();
	assert(msg.some((m) => /last_name/.test(m)), 'the server says why: ' + msg.join(' | '));
	await page.getByLabel('Required').nth(1).check();
	await page.getByRole('button', { name: 'Create form' }).click();
	await page.waitForURL(/\/forms\/\d+$/);
	const id = Number(new URL(page.url()).pathname.split('/').pop());
	const snippet = page.getByLabel('Embed snippet');
	await snippet.waitFor();
	const code = await snippet.inputValue();
	assert(code.startsWith('<iframe src="' + base + '/f/spring-webinar"'), 'the snippet: ' + code);
	await page.getByRole('button', { name: 'Copy snippet' }).click();
	await page.getByText('Copied the snippet.').waitFor();
	assertEqual(await page.evaluate(() => navigator.clipboard.readText()), code, 'on the clipboard');
	// the server has it as built, and the public page asks the question
	const mgr = await apiAs(base, 'manager');
	const form = await mgr.get('/forms/' + id);
	assertEqual(form.fields.length, 5, 'five questions');
	assertEqual(form.fields[4].maps_to, 'qualification.what_do_you_need', 'mapped');
	const html = await (await fetch(base + '/f/spring-webinar')).text();
	assert(html.includes('What do you need?'), 'the public form asks it');
	// and it is in the list
	await page.goto(base + '/forms');
	await page.getByRole('link', { name: 'Spring webinar' }).waitFor();
});
