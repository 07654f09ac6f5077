import { randomBytes } from 'node:crypto';
import { KnownMembership, type MatrixClient } from 'matrix-js-sdk';
import {
	acceptInvitation,
	expect,
	registerAccount,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage,
	type BrowserUser
} from './support/fixtures.ts';
import { signInSecondDevice } from './support/second-device.ts';

/** Characters that reorder or hide text: bidirectional controls and zero-width characters. */
const invisibleOrReordering = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** Resolves when the matrixClient has joined the room after an invitation. */
async function joinWhenInvited(matrixClient: MatrixClient, roomId: string): Promise<void> {
	await expect
		.poll(() => matrixClient.getRoom(roomId)?.getMyMembership(), { timeout: 30_000 })
		.toBe(KnownMembership.Invite);
	await matrixClient.joinRoom(roomId);
}

/** Locates the sender label of the timeline event that shows this message. */
function senderLabelOf(user: BrowserUser, text: string) {
	return user.page
		.getByTestId('timeline-event')
		.filter({ has: user.page.getByText(text, { exact: true }) })
		.locator('.sender');
}

test('hostile display names cannot hide, reorder or impersonate', async ({ browser }) => {
	test.setTimeout(240_000);
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);

	// Node devices stand in for clients that put anything into a display name.
	const therapistDevice = await signInSecondDevice(therapist.userId, therapist.password);
	const clientDevice = await signInSecondDevice(client.userId, client.password);
	const impostorAccount = await registerAccount('impostor');
	const impostorDevice = await signInSecondDevice(impostorAccount.userId, impostorAccount.password);
	const suffix = randomBytes(3).toString('hex');
	const fromClient = `message under a reordered name ${suffix}`;
	const fromTherapist = `message from the real therapist ${suffix}`;
	const fromImpostor = `message from the look-alike ${suffix}`;

	try {
		// The client's name reverses what follows it and hides a character.
		await clientDevice.setDisplayName('\u202Egnp.exe\u200B Client\u2066');
		// The impostor copies the therapist's name with a Cyrillic "і".
		await therapistDevice.setDisplayName('Dr Jane Smith');
		await impostorDevice.setDisplayName('Dr Jane Sm\u0456th');
		await therapistDevice.invite(roomId, impostorAccount.userId);
		await joinWhenInvited(impostorDevice, roomId);

		await clientDevice.sendTextMessage(roomId, fromClient);
		await therapistDevice.sendTextMessage(roomId, fromTherapist);
		await impostorDevice.sendTextMessage(roomId, fromImpostor);

		// The therapist's browser shows the client's name without its control characters.
		await expect(timelineMessage(therapist.page, fromClient)).toBeVisible();
		const clientLabel =
			(await senderLabelOf(therapist, fromClient).textContent({ timeout: 20_000 })) ?? '';
		expect(clientLabel).toContain('Client');
		expect(clientLabel).not.toMatch(invisibleOrReordering);

		// The client's browser shows both look-alike names with their Matrix IDs.
		await expect(timelineMessage(client.page, fromImpostor)).toBeVisible();
		await expect(timelineMessage(client.page, fromTherapist)).toBeVisible();
		await expect(senderLabelOf(client, fromImpostor)).toContainText(impostorAccount.userId);
		await expect(senderLabelOf(client, fromTherapist)).toContainText(therapist.userId);

		// No name anywhere on either page carries a reordering or invisible character.
		for (const user of [therapist, client]) {
			const labels = await user.page.locator('.sender').allTextContents();
			for (const label of labels) expect(label).not.toMatch(invisibleOrReordering);
		}
		expect(therapist.cspViolations).toEqual([]);
		expect(client.cspViolations).toEqual([]);
	} finally {
		for (const device of [therapistDevice, clientDevice, impostorDevice]) device.stopClient();
		await therapist.context.close();
		await client.context.close();
	}
});
