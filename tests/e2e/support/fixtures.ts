import { randomBytes } from 'node:crypto';
import {
	expect,
	test as base,
	type Browser,
	type BrowserContext,
	type Page
} from '@playwright/test';
import { registerUser, type RegisteredUser } from '../../../scripts/lib/synapse-admin.ts';
import { e2eEnvironment } from './environment.ts';

/** A registered account and the browser page it is signed in on. */
export interface BrowserUser extends RegisteredUser {
	username: string;
	context: BrowserContext;
	page: Page;
	/** Content Security Policy violations this page reported. */
	cspViolations: string[];
	/** The recovery key shown when encryption was set up on the first sign-in. */
	recoveryKey: string;
}

/** Registers an account on the test Synapse with a random user name and password. */
export async function registerAccount(
	role: string
): Promise<RegisteredUser & { username: string }> {
	const environment = e2eEnvironment();
	const username = `${role}-${randomBytes(4).toString('hex')}`;
	const user = await registerUser(environment.homeserverUrl, environment.registrationSharedSecret, {
		username,
		password: randomBytes(12).toString('base64url')
	});
	return { ...user, username };
}

/**
 * Returns true for the app's log line about a Content Security Policy
 * violation in the page (see src/hooks.client.ts).
 *
 * NOTE: the app adds its listener when it starts, so a violation during the
 * first page load, before that, is not counted.
 */
export function isCspViolation(text: string): boolean {
	return text.includes('Content Security Policy violation');
}

/** The violation lists of every context opened through {@link openContext} in the running test. */
const violationsOfThisTest: string[][] = [];

/** Opens a new browser context (its own IndexedDB) and records CSP violations in it. */
export async function openContext(
	browser: Browser
): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
	const context = await browser.newContext({ baseURL: e2eEnvironment().webUrl });
	const page = await context.newPage();
	const cspViolations: string[] = [];
	violationsOfThisTest.push(cspViolations);
	page.on('console', (message) => {
		if (isCspViolation(message.text())) cspViolations.push(message.text());
	});
	return { context, page, cspViolations };
}

/** Fills in and sends the sign-in form, without waiting for what comes next. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
	await page.goto('/login');
	await expect(page.getByLabel('Homeserver')).toHaveValue(e2eEnvironment().homeserverUrl);
	await page.getByLabel('User name or Matrix ID').fill(username);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Reads the recovery key as the set-up screen shows it: 12 groups of four, spaced. */
export async function shownRecoveryKey(page: Page): Promise<string> {
	const text = await page.getByTestId('recovery-key').textContent();
	return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Goes through the first-sign-in encryption set-up: creates the recovery key
 * (with an optional passphrase), ticks "saved", types back the group the
 * screen requests, and waits for the room list. Returns the recovery key.
 */
export async function completeEncryptionSetup(
	page: Page,
	options: { passphrase?: string } = {}
): Promise<string> {
	await expect(page.getByRole('heading', { name: 'Protect your messages' })).toBeVisible();
	if (options.passphrase) {
		await page.getByLabel('Also let me unlock with a passphrase').check();
		await page.getByLabel('Recovery passphrase', { exact: true }).fill(options.passphrase);
		await page.getByLabel('Recovery passphrase again').fill(options.passphrase);
	}
	await page.getByRole('button', { name: 'Set up encryption' }).click();
	await expect(page.getByRole('heading', { name: 'Save your recovery key' })).toBeVisible();
	const recoveryKey = await shownRecoveryKey(page);
	await confirmShownRecoveryKey(page, recoveryKey);
	return recoveryKey;
}

/**
 * On the "Save your recovery key" screen: ticks "saved", types back the group
 * the screen requests, and waits for the room list.
 */
export async function confirmShownRecoveryKey(page: Page, recoveryKey: string): Promise<void> {
	await page.getByLabel('I have saved my recovery key').check();
	await page.getByRole('button', { name: 'Continue' }).click();

	const groupLabel = page.getByText(/^Group \d+ of your recovery key$/);
	const groupNumber = Number(/\d+/.exec((await groupLabel.textContent()) ?? '')?.[0]);
	const group = recoveryKey.split(' ')[groupNumber - 1] ?? '';
	await page.getByLabel(/^Group \d+ of your recovery key$/).fill(group);
	await page.getByRole('button', { name: 'Confirm' }).click();
	await expect(page.getByTestId('signed-in-user')).toBeVisible();
}

/**
 * Signs in a new account through the sign-in form, sets up its encryption and
 * waits for the room list. Returns the recovery key.
 */
export async function signIn(page: Page, username: string, password: string): Promise<string> {
	await submitSignIn(page, username, password);
	return completeEncryptionSetup(page);
}

/** Registers an account, opens a browser context and signs in there. */
export async function signedInUser(browser: Browser, role: string): Promise<BrowserUser> {
	const account = await registerAccount(role);
	const opened = await openContext(browser);
	const recoveryKey = await signIn(opened.page, account.username, account.password);
	return { ...account, ...opened, recoveryKey };
}

/**
 * Waits until the account's server-side key backup contains at least `minimum`
 * room keys. Devices upload new keys after a random delay of some seconds, so
 * a test that restores from the backup waits for this first.
 */
export async function waitForBackedUpKeys(user: RegisteredUser, minimum: number): Promise<void> {
	const url = `${e2eEnvironment().homeserverUrl}/_matrix/client/v3/room_keys/version`;
	await expect
		.poll(
			async () => {
				const response = await fetch(url, {
					headers: { Authorization: `Bearer ${user.accessToken}` }
				});
				if (!response.ok) return 0;
				return ((await response.json()) as { count: number }).count;
			},
			{ timeout: 30_000 }
		)
		.toBeGreaterThanOrEqual(minimum);
}

/** Returns the names of the IndexedDB databases of the page's origin. */
export function indexedDbNames(page: Page): Promise<string[]> {
	return page.evaluate(async () =>
		(await indexedDB.databases()).map((database) => database.name ?? '')
	);
}

/**
 * Playwright's test, extended so that every test fails when a page it opened
 * through {@link openContext} reported a Content Security Policy violation.
 */
export const test = base.extend<{ failOnCspViolation: void }>({
	failOnCspViolation: [
		// Playwright reads the fixtures a fixture needs from this first parameter; it needs none.
		// eslint-disable-next-line no-empty-pattern
		async ({}, use) => {
			violationsOfThisTest.length = 0;
			await use();
			expect(violationsOfThisTest.flat(), 'Content Security Policy violations').toEqual([]);
		},
		{ auto: true }
	]
});
export { expect };

/** A message with exactly this text in the page's timeline. */
export function timelineMessage(page: Page, text: string) {
	return page.getByTestId('timeline').getByText(text, { exact: true });
}

/** Types a message into the composer and sends it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
	await page.getByLabel('Message').fill(text);
	await page.getByLabel('Message').press('Enter');
}

/** Starts a care room from the therapist's page and returns its room ID. */
export async function startCareRoom(page: Page, clientUserId: string): Promise<string> {
	await page.goto('/rooms');
	await page.getByText('Start a care room').click();
	await page.getByLabel("Client's Matrix ID").fill(clientUserId);
	await page.getByRole('button', { name: 'Create and invite' }).click();
	await expect(page).toHaveURL(/\/rooms\/!/);
	return decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
}

/** Opens the pending invitation on the client's page and accepts it. */
export async function acceptInvitation(page: Page): Promise<void> {
	await page.getByTestId('room-list-item').filter({ hasText: 'Invitation' }).click();
	await page.getByRole('button', { name: 'Accept' }).click();
	await expect(page.getByLabel('Message')).toBeVisible();
}
