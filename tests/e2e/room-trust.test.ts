import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { resetEncryptionIdentity } from '../../src/lib/matrix/crypto/bootstrap.ts';
import { SecretStorageKeyCache } from '../../src/lib/matrix/crypto/secret-storage-key.ts';
import { signInSecondDevice } from './support/second-device.ts';
import {
	acceptInvitation,
	expect,
	sendMessage,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage,
	type BrowserUser
} from './support/fixtures.ts';

function shownEmoji(page: Page): Promise<string[]> {
	return page.getByTestId('sas-emoji').getByRole('listitem').allInnerTexts();
}

/** Verifies the client by emoji from the therapist's care room, driving both sides. */
async function verifyClientFromRoom(therapist: BrowserUser, client: BrowserUser): Promise<void> {
	await therapist.page.getByTestId('room-trust').click();
	await therapist.page.getByRole('button', { name: /^Verify / }).click();

	const request = client.page.getByRole('dialog', { name: 'Verification request' });
	await expect(request).toContainText(therapist.userId);
	await request.getByRole('button', { name: 'Accept' }).click();

	await expect(therapist.page.getByTestId('sas-emoji').getByRole('listitem')).toHaveCount(7);
	await expect(request.getByTestId('sas-emoji').getByRole('listitem')).toHaveCount(7);
	expect(await shownEmoji(client.page)).toEqual(await shownEmoji(therapist.page));

	await therapist.page.getByRole('button', { name: 'They match' }).click();
	await request.getByRole('button', { name: 'They match' }).click();
	await expect(request.getByText('Verified.')).toBeVisible();
	await request.getByRole('button', { name: 'Done' }).click();
	await therapist.page.getByRole('button', { name: 'Done' }).click();
}

test('care room verification and identity change', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);

	// Before verification the header and the member say so.
	const roomTrust = therapist.page.getByTestId('room-trust');
	await expect(roomTrust).toHaveText('Not verified');

	await verifyClientFromRoom(therapist, client);
	await expect(roomTrust).toHaveText('Everyone verified');
	await expect(
		therapist.page.locator(`[data-user-id="${client.userId}"]`).getByTestId('member-trust-state')
	).toHaveText('Verified');

	// The client resets their identity on another device.
	const keyCache = new SecretStorageKeyCache();
	const resetDevice = await signInSecondDevice(client.userId, client.password, {
		cryptoCallbacks: keyCache.cryptoCallbacks
	});
	try {
		await resetEncryptionIdentity(resetDevice, {
			requestPassword: async () => client.password
		});
	} finally {
		resetDevice.stopClient();
		keyCache.clear();
	}

	// The therapist's sending is paused until the change is acknowledged,
	// and what was typed stays in the box.
	const held = `Held until acknowledged ${randomBytes(4).toString('hex')}`;
	await expect(therapist.page.getByTestId('send-held')).toBeVisible({ timeout: 60_000 });
	await expect(roomTrust).toHaveText('Identity changed');
	await sendMessage(therapist.page, held);
	await expect(therapist.page.getByLabel('Message')).toHaveValue(held);
	await expect(therapist.page.getByRole('button', { name: 'Send' })).toBeDisabled();

	await therapist.page
		.getByTestId('send-held')
		.getByRole('button', { name: 'Accept the change' })
		.click();
	await expect(therapist.page.getByTestId('send-held')).toHaveCount(0);
	await therapist.page.getByRole('button', { name: 'Send' }).click();
	await expect(timelineMessage(therapist.page, held)).toBeVisible();
	await expect(roomTrust).toHaveText('Not verified');

	await therapist.context.close();
	await client.context.close();
});
