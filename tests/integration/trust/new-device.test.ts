import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainEventDecryptionFailure } from '../../../src/lib/matrix/crypto/decryption-failure.ts';
import { unlockWithRecoveryKey } from '../../../src/lib/matrix/crypto/recovery.ts';
import {
	conversationEvents,
	countDecryptionFailures,
	createTrustUser,
	loadWholeTimeline,
	openCareRoom,
	sendTexts,
	signInNewDevice,
	stopDevices,
	uniqueText,
	waitForBackedUpKeys,
	waitForDecryptionAttempts,
	waitForDeviceKeys,
	waitForTexts,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

describe('a new device of the client in the middle of a conversation', () => {
	let therapist: TrustUser;
	let client: TrustUser;
	let roomId: string;
	const earlier = [uniqueText('Therapist before'), uniqueText('Client before')];
	/** Every text sent so far, in order. */
	const written: string[] = [...earlier];
	const devices: TrustDevice[] = [];

	beforeAll(async () => {
		therapist = await createTrustUser('therapist');
		client = await createTrustUser('client');
		roomId = await openCareRoom(therapist, client);
		await sendTexts(therapist, roomId, [earlier[0] ?? '']);
		await waitForTexts(client, roomId, [earlier[0] ?? '']);
		await sendTexts(client, roomId, [earlier[1] ?? '']);
		await waitForTexts(therapist, roomId, earlier);
		await waitForBackedUpKeys(client, 2);
	});

	afterAll(() => stopDevices(therapist, client, ...devices));

	it('reads earlier and later messages once unlocked', async () => {
		const newDevice = await signInNewDevice(client);
		devices.push(newDevice);
		await unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
			recoveryKey: client.recoveryKey
		});
		const later = [
			uniqueText('Therapist after'),
			uniqueText('Client after, from the first device'),
			uniqueText('Client after, from the new device')
		];
		await waitForDeviceKeys(therapist, client.userId, newDevice.deviceId);

		await sendTexts(therapist, roomId, [later[0] ?? '']);
		await sendTexts(client, roomId, [later[1] ?? '']);
		await waitForTexts(newDevice, roomId, later.slice(0, 2));
		await sendTexts(newDevice, roomId, [later[2] ?? '']);
		await loadWholeTimeline(newDevice.matrixClient, roomId);
		const atNewDevice = await waitForTexts(newDevice, roomId, [...earlier, ...later]);
		const atTherapist = await waitForTexts(therapist, roomId, later);

		written.push(...later);
		expect(atNewDevice).toEqual([...earlier, ...later]);
		expect(countDecryptionFailures(newDevice.matrixClient, roomId)).toBe(0);
		expect(atTherapist.slice(-3)).toEqual(later);
		expect(countDecryptionFailures(therapist.matrixClient, roomId)).toBe(0);
	});

	it('gets the keys of later messages even before it is verified', async () => {
		const unverified = await signInNewDevice(client);
		devices.push(unverified);
		const writtenBefore = written.length;
		const later = [uniqueText('Therapist to all devices'), uniqueText('Client to all devices')];
		await waitForDeviceKeys(therapist, client.userId, unverified.deviceId);

		await sendTexts(therapist, roomId, [later[0] ?? '']);
		await sendTexts(client, roomId, [later[1] ?? '']);
		const bodies = await waitForTexts(unverified, roomId, later);
		await loadWholeTimeline(unverified.matrixClient, roomId);
		await waitForDecryptionAttempts(unverified, roomId);
		const failures = conversationEvents(unverified.matrixClient, roomId)
			.map(explainEventDecryptionFailure)
			.filter((explanation) => explanation !== null)
			.map((explanation) => explanation.reason);

		expect(bodies).toEqual(later);
		// Everything before its sign-in stays closed until it is unlocked or verified.
		expect(failures).toEqual(Array(writtenBefore).fill('backup_not_restored'));
	});
});
