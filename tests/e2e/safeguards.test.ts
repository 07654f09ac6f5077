import { randomBytes } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import { findFreePort } from '../../scripts/lib/synapse-server.ts';
import { startWebServer, type WebServer } from '../../scripts/lib/web-server.ts';
import { e2eEnvironment } from './support/environment.ts';
import {
	acceptInvitation,
	expect,
	indexedDbNames,
	isCspViolation,
	registerAccount,
	signedInUser,
	sendMessage,
	signIn,
	startCareRoom,
	test
} from './support/fixtures.ts';

/** Serves the client with shortened inactivity limits, in seconds. */
function webServerWithLimits(lockAfter: number, signOutAfter: number): Promise<WebServer> {
	return findFreePort().then((port) =>
		startWebServer({
			port,
			homeserverUrl: e2eEnvironment().homeserverUrl,
			env: {
				ALCOVE_LOCK_AFTER_SECONDS: String(lockAfter),
				ALCOVE_SIGN_OUT_AFTER_SECONDS: String(signOutAfter)
			}
		})
	);
}

async function signedInPage(browser: Browser, web: WebServer) {
	const account = await registerAccount('client');
	const context = await browser.newContext({ baseURL: web.url });
	const page = await context.newPage();
	await signIn(page, account.username, account.password);
	return { account, context, page };
}

function visibleText(page: Page): Promise<string> {
	return page.evaluate(() => document.body.innerText);
}

test('screen locks after inactivity and unlocks with the password', async ({ browser }) => {
	const web = await webServerWithLimits(3, 600);
	try {
		const { account, context, page } = await signedInPage(browser, web);

		await expect(page.getByRole('heading', { name: 'Alcove is locked' })).toBeVisible({
			timeout: 10_000
		});
		expect(await visibleText(page)).not.toContain('Start a care room');

		await page.getByLabel(/^Password for/).fill('not the password');
		await page.getByRole('button', { name: 'Unlock' }).click();
		await expect(page.getByRole('alert')).toContainText('That password is wrong');

		await page.getByLabel(/^Password for/).fill(account.password);
		await page.getByRole('button', { name: 'Unlock' }).click();
		await expect(page.getByTestId('signed-in-user')).toHaveText(account.userId);
		await context.close();
	} finally {
		await web.stop();
	}
});

test('a reload does not escape the lock', async ({ browser }) => {
	const web = await webServerWithLimits(3, 600);
	try {
		const { context, page } = await signedInPage(browser, web);
		await expect(page.getByRole('heading', { name: 'Alcove is locked' })).toBeVisible({
			timeout: 10_000
		});

		await page.reload();
		await expect(page.getByRole('heading', { name: 'Alcove is locked' })).toBeVisible();
		await context.close();
	} finally {
		await web.stop();
	}
});

test('device signs out after a longer inactivity', async ({ browser }) => {
	const web = await webServerWithLimits(2, 5);
	try {
		const { context, page } = await signedInPage(browser, web);

		await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible({ timeout: 15_000 });
		expect(await indexedDbNames(page)).toEqual([]);
		expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
		expect(await page.evaluate(async () => (await caches.keys()).length)).toBe(0);
		await context.close();
	} finally {
		await web.stop();
	}
});

test('notification and title reveal no message content', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const secret = `Private words ${randomBytes(4).toString('hex')}`;

	// Record notifications instead of showing them, and let the test decide
	// whether the page counts as hidden.
	await therapist.context.grantPermissions(['notifications']);
	await therapist.page.addInitScript(() => {
		const shown: { title: string; body: string }[] = [];
		Object.assign(window, { shownNotifications: shown, pageHidden: false });
		class RecordingNotification {
			static permission = 'granted';
			static requestPermission = async (): Promise<string> => 'granted';
			constructor(title: string, options: { body?: string } = {}) {
				shown.push({ title, body: options.body ?? '' });
			}
		}
		Object.assign(window, { Notification: RecordingNotification });
		Object.defineProperty(Document.prototype, 'hidden', {
			get: () => (window as unknown as { pageHidden: boolean }).pageHidden
		});
	});
	await therapist.page.reload();
	await therapist.page.getByRole('link', { name: 'Settings' }).click();
	await therapist.page
		.getByLabel('Notify me of new messages while Alcove is in the background')
		.check();
	await therapist.page.getByRole('link', { name: 'Settings' }).click();

	await startCareRoom(therapist.page, client.userId);
	await therapist.page.goto('/rooms');
	await acceptInvitation(client.page);

	await therapist.page.evaluate(() => Object.assign(window, { pageHidden: true }));
	await sendMessage(client.page, secret);

	await expect
		.poll(() =>
			therapist.page.evaluate(
				() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications.length
			)
		)
		.toBeGreaterThan(0);
	const shown = await therapist.page.evaluate(
		() =>
			(window as unknown as { shownNotifications: { title: string; body: string }[] })
				.shownNotifications
	);
	expect(shown[0]).toEqual({ title: 'Alcove', body: 'You have a new message.' });
	expect(JSON.stringify(shown)).not.toContain(secret);
	expect(JSON.stringify(shown)).not.toContain(client.username);
	await expect(therapist.page).toHaveTitle('(1) Alcove');

	await therapist.context.close();
	await client.context.close();
});

test('served headers set a strict policy that blocks inline script', async ({ browser }) => {
	const { homeserverUrl } = e2eEnvironment();
	const context = await browser.newContext({ baseURL: e2eEnvironment().webUrl });
	const page = await context.newPage();
	const violations: string[] = [];
	page.on('console', (message) => {
		if (isCspViolation(message.text())) violations.push(message.text());
	});

	const response = await page.goto('/login');
	const headers = response?.headers() ?? {};
	const policy = new Map(
		(headers['content-security-policy'] ?? '').split(';').map((directive) => {
			const [name = '', ...values] = directive.trim().split(/\s+/);
			return [name, values];
		})
	);

	expect(policy.get('default-src')).toEqual(["'none'"]);
	expect(policy.get('script-src')).toContain("'self'");
	expect(policy.get('script-src')).toContain("'wasm-unsafe-eval'");
	expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
	expect(policy.get('script-src')).not.toContain("'unsafe-eval'");
	expect(policy.get('object-src')).toEqual(["'none'"]);
	expect(policy.get('base-uri')).toEqual(["'none'"]);
	expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
	expect(policy.get('connect-src')).toEqual(["'self'", new URL(homeserverUrl).origin]);
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['referrer-policy']).toBe('no-referrer');
	expect(headers['permissions-policy']).toContain('camera=(self)');
	expect(headers['permissions-policy']).toContain('microphone=(self)');

	// The app reports violations from a listener it adds when it starts; the
	// load event can come before that, so wait for the rendered sign-in form.
	await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	await page.evaluate(() => {
		const script = document.createElement('script');
		script.textContent = 'window.injectedScriptRan = true';
		document.head.append(script);
	});
	expect(await page.evaluate(() => 'injectedScriptRan' in window)).toBe(false);
	await expect.poll(() => violations.some((text) => text.includes('script-src'))).toBe(true);
	await context.close();
});
