import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { e2eEnvironment } from './support/environment.ts';
import { expect, signedInUser, test, type BrowserUser } from './support/fixtures.ts';

/** Starts a care room from the therapist's page, has the client accept it, and returns its ID. */
async function careRoomWith(therapist: BrowserUser, client: BrowserUser): Promise<string> {
	await therapist.page.getByText('Start a care room').click();
	await therapist.page.getByLabel("Client's Matrix ID").fill(client.userId);
	await therapist.page.getByRole('button', { name: 'Create and invite' }).click();
	await expect(therapist.page).toHaveURL(/\/rooms\/!/);
	const roomId = decodeURIComponent(new URL(therapist.page.url()).pathname.split('/')[2] ?? '');

	await client.page.getByTestId('room-list-item').filter({ hasText: 'Invitation' }).click();
	await client.page.getByRole('button', { name: 'Accept' }).click();
	await expect(client.page.getByLabel('Message')).toBeVisible();
	await expect(
		therapist.page.getByTestId('membership-event').filter({ hasText: 'joined' })
	).toHaveCount(2);
	return roomId;
}

/** A message with exactly this text in the page's timeline. */
function message(page: Page, text: string) {
	return page.getByTestId('timeline').getByText(text, { exact: true });
}

async function send(page: Page, text: string): Promise<void> {
	await page.getByLabel('Message').fill(text);
	await page.getByLabel('Message').press('Enter');
}

test('timeline pages back, counts unread, shows receipts and typing', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await careRoomWith(therapist, client);
	const tag = randomBytes(3).toString('hex');

	// More messages than the first sync and one page bring.
	const count = 45;
	for (let index = 1; index <= count; index++) await send(therapist.page, `Note ${tag} ${index}`);
	await expect(
		therapist.page.getByTestId('timeline-event').filter({ hasText: `Note ${tag} ${count}` })
	).toHaveAttribute('data-status', 'sent');

	// A fresh load of the client's page starts with the newest messages only.
	await client.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
	await expect(message(client.page, `Note ${tag} ${count}`)).toBeVisible();
	await expect(message(client.page, `Note ${tag} 1`)).toHaveCount(0);

	// Scrolling up loads the older ones, back to the room's start.
	const timeline = client.page.getByTestId('timeline');
	await expect(async () => {
		await timeline.evaluate((element) => element.scrollTo(0, 0));
		await expect(message(client.page, `Note ${tag} 1`)).toBeVisible({
			timeout: 1_000
		});
	}).toPass({ timeout: 30_000 });
	await expect(client.page.getByTestId('message-body')).toHaveCount(count);

	// The therapist sees that the client has read the newest message.
	await expect(therapist.page.getByTestId('send-status').last()).toHaveText('Seen');

	// Typing shows on the other side, without sending anything.
	await client.page.getByLabel('Message').pressSequentially('Still thinking');
	await expect(therapist.page.getByTestId('typing')).toContainText('is typing');

	// Messages that arrive while the therapist is elsewhere are counted as unread.
	await therapist.page.goto('/rooms');
	await client.page.getByLabel('Message').fill('');
	await send(client.page, `Unread one ${tag}`);
	await send(client.page, `Unread two ${tag}`);
	const row = therapist.page.getByTestId('room-list-item').filter({ hasText: `Unread two ${tag}` });
	await expect(row.getByTestId('unread-count')).toHaveText('2');

	// Opening the room reads them.
	await row.click();
	await expect(message(therapist.page, `Unread two ${tag}`)).toBeVisible();
	await expect(row.getByTestId('unread-count')).toHaveCount(0);

	await therapist.context.close();
	await client.context.close();
});

test('an undecryptable message is shown as such', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await careRoomWith(therapist, client);

	// A broken Megolm event, as a faulty or hostile client could send it.
	const response = await fetch(
		`${e2eEnvironment().homeserverUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/${randomBytes(8).toString('hex')}`,
		{
			method: 'PUT',
			headers: {
				Authorization: `Bearer ${therapist.accessToken}`,
				'Content-Type': 'application/json'
			},
			body: JSON.stringify({
				algorithm: 'm.megolm.v1.aes-sha2',
				ciphertext: 'AwgAEnB1Z2dsZQ',
				sender_key: 'c2VuZGVyIGtleSB0aGF0IGRvZXMgbm90IGV4aXN0IGF0IGFsbA',
				session_id: 'bm8gc3VjaCBzZXNzaW9uIGV4aXN0cyBhbnl3aGVyZSBhdCBhbGw',
				device_id: 'NOSUCHDEVICE'
			})
		}
	);
	expect(response.status).toBe(200);

	await expect(client.page.getByTestId('undecryptable')).toContainText('could not be decrypted');
	await send(client.page, 'Still works');
	await expect(message(client.page, 'Still works')).toBeVisible();

	await therapist.context.close();
	await client.context.close();
});
