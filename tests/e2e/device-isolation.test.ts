import { randomBytes } from 'node:crypto';
import { MsgType, type MatrixClient, type MatrixEvent } from 'matrix-js-sdk';
// Playwright's Node loader needs the file path of the SDK's subpath module.
import { DecryptionFailureCode } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { signInSecondDevice } from './support/second-device.ts';
import {
	acceptInvitation,
	expect,
	sendMessage,
	signedInUser,
	startCareRoom,
	test,
	timelineMessage
} from './support/fixtures.ts';

/** The newest event of `senderId` in the room as `matrixClient` sees it. */
function lastEventFrom(
	matrixClient: MatrixClient,
	roomId: string,
	senderId: string
): MatrixEvent | undefined {
	const events = matrixClient.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
	return events.filter((event) => event.getSender() === senderId).at(-1);
}

test('only verified devices get keys and the reason shows', async ({ browser }) => {
	const therapist = await signedInUser(browser, 'therapist');
	const client = await signedInUser(browser, 'client');
	const roomId = await startCareRoom(therapist.page, client.userId);
	await acceptInvitation(client.page);

	// The therapist shares keys only with cross-signed devices.
	await therapist.page.getByRole('link', { name: 'Settings' }).click();
	const setting = therapist.page.getByLabel('Share message keys only with verified devices');
	await expect(setting).not.toBeChecked();
	await setting.check();
	await expect(setting).toBeChecked();

	// The client also uses a device that nobody cross-signed.
	const unverifiedDevice = await signInSecondDevice(client.userId, client.password);
	try {
		const fromUnverified = `From an unverified device ${randomBytes(4).toString('hex')}`;
		await unverifiedDevice.sendMessage(roomId, { msgtype: MsgType.Text, body: fromUnverified });

		// The therapist sees why that message is missing, not its text.
		await therapist.page.goto(`/rooms/${encodeURIComponent(roomId)}`);
		const notice = therapist.page.getByTestId('undecryptable');
		await expect(notice).toHaveCount(1);
		await expect(notice).toHaveAttribute('data-reason', 'sender_device_not_cross_signed');
		await expect(notice).toContainText('a device that the sender has not verified');
		await expect(timelineMessage(therapist.page, fromUnverified)).toHaveCount(0);

		// The therapist's reply reaches the client's verified browser only.
		const answer = `Answer for verified devices ${randomBytes(4).toString('hex')}`;
		await sendMessage(therapist.page, answer);
		await expect(timelineMessage(client.page, answer)).toBeVisible();
		// The client's unverified device gets a "withheld" notice instead of the key.
		await expect
			.poll(
				() => lastEventFrom(unverifiedDevice, roomId, therapist.userId)?.decryptionFailureReason
			)
			.toBe(DecryptionFailureCode.MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE);
		const withheld = lastEventFrom(unverifiedDevice, roomId, therapist.userId);
		expect(withheld?.isDecryptionFailure()).toBe(true);
		expect(withheld?.getContent().body).not.toBe(answer);
	} finally {
		unverifiedDevice.stopClient();
	}
	await therapist.context.close();
	await client.context.close();
});
