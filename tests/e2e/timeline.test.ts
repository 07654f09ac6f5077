import { randomBytes } from 'node:crypto';
import { e2eEnvironment } from './support/environment.ts';
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

/** Starts a care room, has the client accept it, and returns its room ID. */
async function careRoomWith(therapist: BrowserUser, client: BrowserUser): Promise<string> {
	const roomId = await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);
	await expect(
		therapist.page.getByTestId('membership-event').filter({ hasText: 'joined' })
	).toHaveCount(2);
	return roomId;
}

test('timeline pages back, counts unread, shows receipts and typing', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await careRoomWith(therapist, client);
	const tag = randomBytes(3).toString('hex');

	// More messages than the first sync and one page bring.
	const count = 45;
	for (let index = 1; index <= count; index++)
		await sendMessage(therapist.page, `Note ${tag} ${index}`);
	await expect(
		therapist.page.getByTestId('timeline-event').filter({ hasText: `Note ${tag} ${count}` })
	).toHaveAttribute('data-status', 'sent');

	// A fresh load of the client's page starts with the newest messages only.
	await client.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
	await expect(timelineMessage(client.page, `Note ${tag} ${count}`)).toBeVisible();
	await expect(timelineMessage(client.page, `Note ${tag} 1`)).toHaveCount(0);

	// Scrolling up loads the older ones, back to the room's start.
	const timeline = client.page.getByTestId('timeline');
	await expect(async () => {
		await timeline.evaluate((element) => element.scrollTo(0, 0));
		await expect(timelineMessage(client.page, `Note ${tag} 1`)).toBeVisible({
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
	await sendMessage(client.page, `Unread one ${tag}`);
	await sendMessage(client.page, `Unread two ${tag}`);
	const row = therapist.page.getByTestId('room-list-item').filter({ hasText: `Unread two ${tag}` });
	await expect(row.getByTestId('unread-count')).toHaveText('2');

	// Opening the room reads them.
	await row.click();
	await expect(timelineMessage(therapist.page, `Unread two ${tag}`)).toBeVisible();
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
	await sendMessage(client.page, 'Still works');
	await expect(timelineMessage(client.page, 'Still works')).toBeVisible();

	await therapist.context.close();
	await client.context.close();
});
