import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEncryptionState } from '../../../src/lib/matrix/crypto/bootstrap.ts';
import {
	finishOwnDeviceVerification,
	verifyOwnDevice,
	verifyUserInRoom,
	watchVerificationRequests,
	type VerificationSession
} from '../../../src/lib/matrix/crypto/verification.ts';
import {
	countDecryptionFailures,
	createTrustUser,
	emojiOnBothSides,
	loadWholeTimeline,
	openCareRoom,
	sendTexts,
	signInNewDevice,
	stopDevices,
	uniqueText,
	verifyByEmoji,
	waitForBackedUpKeys,
	waitForTexts,
	waitForTrust,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

/** Resolves with the next verification request that reaches `device`. */
function nextIncomingRequest(device: TrustDevice): Promise<VerificationSession> {
	return new Promise((resolve) => {
		const stop = watchVerificationRequests(device.matrixClient, (session) => {
			stop();
			resolve(session);
		});
	});
}

describe('emoji verification of a second own device', () => {
	let client: TrustUser;
	let therapist: TrustUser;
	let newDevice: TrustDevice;
	let roomId: string;
	const texts = [
		uniqueText('Client check-in'),
		uniqueText('Therapist answer'),
		uniqueText('Client thanks')
	];

	beforeAll(async () => {
		client = await createTrustUser('client');
		therapist = await createTrustUser('therapist');
		roomId = await openCareRoom(therapist, client);
		await sendTexts(client, roomId, [texts[0] ?? '']);
		await waitForTexts(therapist, roomId, [texts[0] ?? '']);
		await sendTexts(therapist, roomId, [texts[1] ?? '']);
		await waitForTexts(client, roomId, [texts[1] ?? '']);
		await sendTexts(client, roomId, [texts[2] ?? '']);
		await waitForTexts(client, roomId, texts);
		await waitForBackedUpKeys(client, 2);

		newDevice = await signInNewDevice(client);
	});

	afterAll(() => stopDevices(client, therapist, newDevice));

	it('shows the same emoji on both devices, then reads all earlier messages', async () => {
		const incoming = nextIncomingRequest(client);
		const requester = await verifyOwnDevice(newDevice.matrixClient);
		const receiver = await incoming;

		expect(requester.state).toEqual({ phase: 'requested', initiatedByMe: true });
		expect(receiver.state).toEqual({ phase: 'requested', initiatedByMe: false });
		expect(receiver.isSelfVerification).toBe(true);
		expect(receiver.otherDeviceId).toBe(newDevice.deviceId);

		const { requesterEmoji, receiverEmoji, requesterEnd, receiverEnd } = await verifyByEmoji(
			requester,
			receiver
		);
		const finished = await finishOwnDeviceVerification(newDevice.matrixClient);
		await loadWholeTimeline(newDevice.matrixClient, roomId);
		const bodies = await waitForTexts(newDevice, roomId, texts);

		expect(requesterEmoji).toHaveLength(7);
		expect(requesterEmoji).toEqual(receiverEmoji);
		expect(requesterEnd).toEqual({ phase: 'done' });
		expect(receiverEnd).toEqual({ phase: 'done' });
		expect(finished.secretsReceived).toBe(true);
		expect(finished.backup).toMatchObject({ status: 'restored', total: 2, imported: 2 });
		expect(finished.state).toEqual({
			crossSigningReady: true,
			secretStorageReady: true,
			backupActive: true,
			deviceVerified: true
		});
		expect(bodies).toEqual(texts);
		expect(countDecryptionFailures(newDevice.matrixClient, roomId)).toBe(0);
	});

	it('lets the verified device verify other people', async () => {
		const status = await newDevice.matrixClient.getCrypto()?.getCrossSigningStatus();

		expect(status?.privateKeysCachedLocally).toEqual({
			masterKey: true,
			selfSigningKey: true,
			userSigningKey: true
		});
	});

	it('ends as emoji_mismatch on both sides when the emoji differ', async () => {
		const thirdDevice = await signInNewDevice(client);
		try {
			const incoming = nextIncomingRequest(client);
			const requester = await verifyOwnDevice(thirdDevice.matrixClient);
			const receiver = await incoming;
			await receiver.accept();
			await emojiOnBothSides(requester, receiver);

			// The person at the old device sees other emoji than the new device shows.
			receiver.mismatch();
			const [requesterEnd, receiverEnd] = await Promise.all([
				requester.waitForEnd(),
				receiver.waitForEnd()
			]);

			expect(receiverEnd).toEqual({
				phase: 'cancelled',
				reason: 'emoji_mismatch',
				code: 'm.mismatched_sas'
			});
			expect(requesterEnd).toMatchObject({ phase: 'cancelled', reason: 'emoji_mismatch' });
			expect(await getEncryptionState(thirdDevice.matrixClient)).toMatchObject({
				crossSigningReady: false,
				deviceVerified: false
			});
		} finally {
			stopDevices(thirdDevice);
		}
	});

	it('reports a cancellation by the other side', async () => {
		const fourthDevice = await signInNewDevice(client);
		try {
			const incoming = nextIncomingRequest(client);
			const requester = await verifyOwnDevice(fourthDevice.matrixClient);
			const receiver = await incoming;

			await receiver.cancel();
			const requesterEnd = await requester.waitForEnd();

			expect(receiver.state).toMatchObject({ phase: 'cancelled', reason: 'cancelled_by_you' });
			expect(requesterEnd).toEqual({
				phase: 'cancelled',
				reason: 'cancelled_by_other_side',
				code: 'm.user'
			});
		} finally {
			stopDevices(fourthDevice);
		}
	});

	it('verifies the other person in the care room', async () => {
		const incoming = nextIncomingRequest(client);
		const requester = await verifyUserInRoom(therapist.matrixClient, client.userId, roomId);
		const receiver = await incoming;
		expect(receiver.roomId).toBe(roomId);
		expect(receiver.otherUserId).toBe(therapist.userId);

		const { requesterEmoji, receiverEmoji, requesterEnd } = await verifyByEmoji(
			requester,
			receiver
		);
		// Each side signs the other's identity and uploads the signature after `done`.
		const therapistView = await waitForTrust(therapist, client.userId, 'verified');
		const clientView = await waitForTrust(client, therapist.userId, 'verified');

		expect(requesterEmoji).toEqual(receiverEmoji);
		expect(requesterEnd).toEqual({ phase: 'done' });
		expect(therapistView).toEqual({
			userId: client.userId,
			trust: 'verified',
			previouslyVerified: false
		});
		expect(clientView.trust).toBe('verified');
	});
});
