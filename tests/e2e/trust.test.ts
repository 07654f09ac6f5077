import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { e2eEnvironment } from './support/environment.ts';
import { signInSecondDevice } from './support/second-device.ts';
import {
	acceptInvitation,
	confirmShownRecoveryKey,
	expect,
	indexedDbNames,
	openContext,
	registerAccount,
	sendMessage,
	shownRecoveryKey,
	signedInUser,
	startCareRoom,
	submitSignIn,
	test,
	timelineMessage,
	waitForBackedUpKeys
} from './support/fixtures.ts';

/** Returns the seven emoji (symbol and name) a page shows for comparison. */
function shownEmoji(page: Page): Promise<string[]> {
	return page.getByTestId('sas-emoji').getByRole('listitem').allInnerTexts();
}

test('recovery key unlocks a second browser', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const text = `Before the new device ${randomBytes(4).toString('hex')}`;

	// The set-up screen showed a key in the printed form: 12 groups of four.
	expect(client.recoveryKey).toMatch(/^([1-9A-HJ-NP-Za-km-z]{4} ){11}[1-9A-HJ-NP-Za-km-z]{4}$/);

	const roomId = await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);
	await sendMessage(therapist.page, text);
	await expect(timelineMessage(client.page, text)).toBeVisible();
	await waitForBackedUpKeys(client, 1);

	// The client signs in on another browser, which offers both ways to confirm it.
	const second = await openContext(browser);
	await submitSignIn(second.page, client.username, client.password);
	await expect(second.page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
	await second.page.getByRole('button', { name: 'Use recovery key or passphrase' }).click();

	// A mistyped key gets its own message, and the text stays in the field. The
	// typo is in the second character, which every key shares with its prefix,
	// so the mistake can never add up to a valid key by chance.
	const typo = `E${client.recoveryKey[1] === 'a' ? 'b' : 'a'}${client.recoveryKey.slice(2)}`;
	await second.page.getByLabel('Recovery key or passphrase').fill(typo);
	await second.page.getByRole('button', { name: 'Unlock' }).click();
	await expect(second.page.getByRole('alert')).toContainText('One of the characters is wrong');
	await expect(second.page.getByLabel('Recovery key or passphrase')).toHaveValue(typo);

	await second.page.getByLabel('Recovery key or passphrase').fill(client.recoveryKey);
	await second.page.getByRole('button', { name: 'Unlock' }).click();
	await expect(second.page.getByTestId('signed-in-user')).toHaveText(client.userId);
	await expect(second.page.getByTestId('unverified-device')).toHaveCount(0);

	// The earlier message decrypts with the keys restored from the backup.
	await second.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
	await expect(timelineMessage(second.page, text)).toBeVisible();
	await expect(second.page.getByTestId('undecryptable')).toHaveCount(0);

	expect(second.cspViolations).toEqual([]);
	await second.context.close();
	await therapist.context.close();
	await client.context.close();
});

test('emoji verification between two browsers', async ({ browser }) => {
	const client = await signedInUser(browser, 'client');
	const second = await openContext(browser);
	await submitSignIn(second.page, client.username, client.password);
	await second.page.getByRole('button', { name: 'Verify with another device' }).click();
	await expect(second.page.getByText('Waiting for your other device')).toBeVisible();

	// The first browser shows the request and accepts it.
	const dialog = client.page.getByRole('dialog', { name: 'Verify your new device' });
	await expect(dialog).toBeVisible();
	await dialog.getByRole('button', { name: 'Accept' }).click();

	// Both screens show the same seven emoji, in the same order.
	await expect(dialog.getByTestId('sas-emoji').getByRole('listitem')).toHaveCount(7);
	await expect(second.page.getByTestId('sas-emoji').getByRole('listitem')).toHaveCount(7);
	const firstEmoji = await shownEmoji(client.page);
	const secondEmoji = await shownEmoji(second.page);
	expect(firstEmoji).toHaveLength(7);
	expect(secondEmoji).toEqual(firstEmoji);

	await dialog.getByRole('button', { name: 'They match' }).click();
	await second.page.getByRole('button', { name: 'They match' }).click();
	await expect(dialog.getByText('Verified.')).toBeVisible();
	await expect(second.page.getByText('Verified.')).toBeVisible();
	await dialog.getByRole('button', { name: 'Done' }).click();
	await second.page.getByRole('button', { name: 'Done' }).click();

	// The new browser opens, cross-signed: its devices page shows both browsers
	// verified, and the device the registration created without keys.
	await expect(second.page.getByTestId('signed-in-user')).toHaveText(client.userId);
	await expect(second.page.getByTestId('unverified-device')).toHaveCount(0);
	await second.page.getByRole('link', { name: 'Devices' }).click();
	const rows = second.page.getByTestId('device');
	await expect(rows).toHaveCount(3);
	await expect(rows.first()).toContainText('This device');
	await expect(rows.first().getByTestId('device-verification')).toHaveText('Verified');
	await expect(
		rows.getByTestId('device-verification').filter({ hasText: /^Verified$/ })
	).toHaveCount(2);
	await expect(
		second.page.locator(`[data-device-id="${client.deviceId}"]`).getByTestId('device-verification')
	).toHaveText('No encryption keys');

	await second.context.close();
	await client.context.close();
});

test('devices page renames and signs out a device', async ({ browser }) => {
	const client = await signedInUser(browser, 'client');
	const other = await signInSecondDevice(client.userId, client.password);
	const otherDeviceId = other.getDeviceId() ?? '';
	try {
		await client.page.getByRole('link', { name: 'Devices' }).click();
		// This browser, the Node device, and the device the registration created.
		const rows = client.page.getByTestId('device');
		await expect(rows).toHaveCount(3);
		const current = rows.first();
		const otherRow = client.page.locator(`[data-device-id="${otherDeviceId}"]`);
		await expect(current).toContainText('This device');
		await expect(current.getByTestId('device-verification')).toHaveText('Verified');
		await expect(otherRow.getByTestId('device-verification')).toHaveText('Unverified');
		await expect(otherRow).toContainText('Last seen');

		// Rename this device; an empty name is rejected with the reason.
		await current.getByRole('button', { name: 'Rename' }).click();
		await current.getByLabel('Device name').fill('   ');
		await current.getByRole('button', { name: 'Save name' }).click();
		await expect(current.getByRole('alert')).toContainText('1 to 100 characters');
		await current.getByLabel('Device name').fill('Practice laptop');
		await current.getByRole('button', { name: 'Save name' }).click();
		await expect(current.getByTestId('device-name')).toHaveText('Practice laptop');

		// Sign out the other device: the homeserver wants the password again.
		await otherRow.getByRole('button', { name: 'Sign out' }).click();
		await otherRow.getByRole('button', { name: 'Sign out that device' }).click();
		const passwordDialog = client.page.getByRole('dialog', { name: 'Confirm it is you' });
		await passwordDialog.getByLabel('Account password').fill('not the password');
		await passwordDialog.getByRole('button', { name: 'Confirm' }).click();
		await expect(passwordDialog.getByRole('alert')).toContainText('not accepted');
		await passwordDialog.getByLabel('Account password').fill(client.password);
		await passwordDialog.getByRole('button', { name: 'Confirm' }).click();
		await expect(otherRow).toHaveCount(0);
		await expect(rows).toHaveCount(2);
	} finally {
		other.stopClient();
	}
	await client.context.close();
});

test('lost recovery key starts a new identity', async ({ browser }) => {
	const client = await signedInUser(browser, 'client');
	await client.context.close();

	const second = await openContext(browser);
	await submitSignIn(second.page, client.username, client.password);
	await second.page
		.getByRole('button', { name: 'Lost your recovery key and all your other devices?' })
		.click();
	await second.page.getByRole('button', { name: 'Create a new identity' }).click();

	// Replacing the identity always needs the password again.
	const passwordDialog = second.page.getByRole('dialog', { name: 'Confirm it is you' });
	await passwordDialog.getByLabel('Account password').fill(client.password);
	await passwordDialog.getByRole('button', { name: 'Confirm' }).click();

	await expect(second.page.getByRole('heading', { name: 'Save your recovery key' })).toBeVisible();
	const newKey = await shownRecoveryKey(second.page);
	expect(newKey).not.toBe(client.recoveryKey);
	await second.page.getByLabel('I have saved my recovery key').check();
	await second.page.getByRole('button', { name: 'Continue' }).click();

	// A wrong group is rejected and the right one opens the conversations.
	const groupLabel = second.page.getByText(/^Group \d+ of your recovery key$/);
	const groupNumber = Number(/\d+/.exec((await groupLabel.textContent()) ?? '')?.[0]);
	const groups = newKey.split(' ');
	await second.page.getByLabel(/^Group \d+ of your recovery key$/).fill(groups[0] ?? '');
	await second.page.getByRole('button', { name: 'Confirm' }).click();
	await expect(second.page.getByRole('alert')).toContainText(`That is not group ${groupNumber}`);
	await second.page
		.getByLabel(/^Group \d+ of your recovery key$/)
		.fill(groups[groupNumber - 1] ?? '');
	await second.page.getByRole('button', { name: 'Confirm' }).click();
	await expect(second.page.getByTestId('signed-in-user')).toHaveText(client.userId);
	await expect(second.page.getByTestId('unverified-device')).toHaveCount(0);

	await second.context.close();
});

test('reload before confirming the key makes a new one', async ({ browser }) => {
	const account = await registerAccount('client');
	const first = await openContext(browser);
	await submitSignIn(first.page, account.username, account.password);
	await first.page.getByRole('button', { name: 'Set up encryption' }).click();
	await expect(first.page.getByRole('heading', { name: 'Save your recovery key' })).toBeVisible();
	const unconfirmedKey = await shownRecoveryKey(first.page);

	// Leaving before the confirmation must not count as a saved key.
	await first.page.reload();
	await expect(first.page.getByRole('heading', { name: 'Make a new recovery key' })).toBeVisible();
	await expect(first.page.getByTestId('signed-in-user')).toHaveCount(0);
	await first.page.getByRole('button', { name: 'Make a new recovery key' }).click();
	await expect(first.page.getByRole('heading', { name: 'Save your recovery key' })).toBeVisible();
	const newKey = await shownRecoveryKey(first.page);
	expect(newKey).not.toBe(unconfirmedKey);
	await confirmShownRecoveryKey(first.page, newKey);
	await first.page.reload();
	await expect(first.page.getByTestId('signed-in-user')).toHaveText(account.userId);

	// Another browser unlocks with the new key and not with the old one.
	const second = await openContext(browser);
	await submitSignIn(second.page, account.username, account.password);
	await second.page.getByRole('button', { name: 'Use recovery key or passphrase' }).click();
	await second.page.getByLabel('Recovery key or passphrase').fill(unconfirmedKey);
	await second.page.getByRole('button', { name: 'Unlock' }).click();
	await expect(second.page.getByRole('alert')).toBeVisible();
	await second.page.getByLabel('Recovery key or passphrase').fill(newKey);
	await second.page.getByRole('button', { name: 'Unlock' }).click();
	await expect(second.page.getByTestId('signed-in-user')).toHaveText(account.userId);

	await first.context.close();
	await second.context.close();
});

test('sign-out warns when keys are not backed up', async ({ browser }) => {
	const client = await signedInUser(browser, 'client');
	const { homeserverUrl } = e2eEnvironment();
	const headers = { Authorization: `Bearer ${client.accessToken}` };

	// The account loses its key backup, as when it is deleted from another client.
	const backup = await fetch(`${homeserverUrl}/_matrix/client/v3/room_keys/version`, { headers });
	const { version } = (await backup.json()) as { version: string };
	const deleted = await fetch(
		`${homeserverUrl}/_matrix/client/v3/room_keys/version/${encodeURIComponent(version)}`,
		{ method: 'DELETE', headers }
	);
	expect(deleted.status).toBe(200);
	await client.page.reload();
	await expect(client.page.getByTestId('signed-in-user')).toHaveText(client.userId);

	// This browser is the only device with keys, so signing out requests confirmation first.
	const warning = client.page.getByRole('alertdialog', { name: 'Your messages are not backed up' });
	await client.page.getByRole('button', { name: 'Sign out' }).click();
	await expect(warning).toBeVisible();
	await client.page.getByRole('button', { name: 'Stay signed in' }).click();
	await expect(warning).toHaveCount(0);
	await expect(client.page.getByTestId('signed-in-user')).toHaveText(client.userId);

	// The Rust crypto keeps its store open here; sign-out still deletes everything.
	await client.page.getByRole('button', { name: 'Sign out' }).click();
	await client.page.getByRole('button', { name: 'Sign out anyway' }).click();
	await expect(client.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
	await expect.poll(() => indexedDbNames(client.page)).toEqual([]);
	expect(await client.page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
	await client.context.close();
});
