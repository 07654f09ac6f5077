import { findFreePort } from '../../scripts/lib/synapse-server.ts';
import { startWebServer } from '../../scripts/lib/web-server.ts';
import { expect, openContext, registerAccount, test } from './support/fixtures.ts';

test('wrong password is explained', async ({ browser }) => {
	const account = await registerAccount('client');
	const { context, page } = await openContext(browser);

	await page.goto('/login');
	await page.getByLabel('User name or Matrix ID').fill(account.username);
	await page.getByLabel('Password').fill(`${account.password}-wrong`);
	await page.getByRole('button', { name: 'Sign in' }).click();

	await expect(page.getByRole('alert')).toHaveText(
		'The user name or password is wrong. Check both and try again.'
	);
	await expect(page.getByLabel('User name or Matrix ID')).toHaveValue(account.username);
	await context.close();
});

test('malformed Matrix ID is explained before any request', async ({ browser }) => {
	const { context, page } = await openContext(browser);
	const requests: string[] = [];
	page.on('request', (request) => {
		if (request.url().includes('/_matrix/')) requests.push(request.url());
	});

	await page.goto('/login');
	await page.getByLabel('User name or Matrix ID').fill('@Not A Valid:id');
	await page.getByLabel('Password').fill('anything');
	await page.getByRole('button', { name: 'Sign in' }).click();

	await expect(page.locator('#user-error')).toContainText('may use only lower-case letters');
	expect(requests).toEqual([]);
	await context.close();
});

test('empty fields are explained', async ({ browser }) => {
	const { context, page } = await openContext(browser);

	await page.goto('/login');
	await page.getByLabel('Homeserver').fill('');
	await page.getByRole('button', { name: 'Sign in' }).click();

	await expect(page.locator('#homeserver-error')).toContainText('Enter the address');
	await expect(page.locator('#user-error')).toHaveText('Enter your user name or Matrix ID.');
	await expect(page.locator('#password-error')).toHaveText('Enter your password.');
	await context.close();
});

test('unreachable homeserver is explained', async ({ browser }) => {
	// A deployment whose homeserver is down: nothing listens on its port.
	const closedPort = await findFreePort();
	const web = await startWebServer({
		port: await findFreePort(),
		homeserverUrl: `http://127.0.0.1:${closedPort}`
	});
	const { context, page } = await openContext(browser);
	try {
		await page.goto(`${web.url}/login`);
		await page.getByLabel('User name or Matrix ID').fill('someone');
		await page.getByLabel('Password').fill('anything');
		await page.getByRole('button', { name: 'Sign in' }).click();

		await expect(page.getByRole('alert')).toHaveText(
			'Alcove could not reach the homeserver. Check the address and your connection, then try again.'
		);
	} finally {
		await context.close();
		await web.stop();
	}
});
