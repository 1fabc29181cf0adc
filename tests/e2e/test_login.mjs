// Signing in and out, with each demo login; a wrong password says so.
import { LOGINS, assert, assertEqual, login, test } from './lib.mjs';

for (const who of Object.keys(LOGINS)) {
	test('sign in as ' + who + ', see the board, sign out', async ({ page, base, context }) => {
		await login(page, base, who);
		assertEqual(new URL(page.url()).pathname, '/board', 'lands on the board');
		const role = await page.locator('.who-role').textContent();
		assertEqual(role, who, 'the role shown');
		// the session survives a reload: the CSRF token comes back from /me, not storage
		await page.reload();
		await page.getByRole('button', { name: 'Sign out' }).waitFor();
		const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
		assertEqual(stored, 0, 'nothing in web storage');
		const cookies = await context.cookies();
		const c = cookies.find((x) => x.name === 'funnel_session');
		assert(c && c.httpOnly && c.sameSite === 'Strict', 'an HttpOnly SameSite=Strict session cookie');
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.getByRole('button', { name: 'Sign in' }).waitFor();
		await page.goto(base + '/board');
		await page.getByRole('button', { name: 'Sign in' }).waitFor();
		assertEqual(new URL(page.url()).pathname, '/login', 'signed out: back to login');
	});
}

test('a wrong password shows the error and stays on login', async ({ page, base }) => {
	await page.goto(base + '/');
	await page.getByLabel('E-mail').fill(LOGINS.rep);
	await page.getByLabel('Password').fill('not-the-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	const alert = page.getByRole('alert');
	await alert.waitFor();
	assertEqual((await alert.textContent()).trim(), 'Wrong e-mail or password.', 'the message');
	assertEqual(new URL(page.url()).pathname, '/login', 'still on login');
});

test('a deep link asks to sign in, then opens the page asked for', async ({ page, base }) => {
	await page.goto(base + '/accounts');
	await page.getByLabel('E-mail').fill(LOGINS.admin);
	await page.getByLabel('Password').fill('demo-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.getByRole('heading', { name: 'Accounts' }).waitFor();
	assertEqual(new URL(page.url()).pathname, '/accounts', 'the page asked for');
});
