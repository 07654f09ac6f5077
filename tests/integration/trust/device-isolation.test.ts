import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainEventDecryptionFailure } from '../../../src/lib/matrix/crypto/decryption-failure.ts';
import {
	applyDeviceIsolation,
	readDeviceIsolationChoice,
	saveDeviceIsolationChoice
} from '../../../src/lib/matrix/crypto/device-isolation.ts';
import { unlockWithRecoveryKey } from '../../../src/lib/matrix/crypto/recovery.ts';
import { waitFor } from '../../support/matrix-users.ts';
import {
	conversationEvents,
	countDecryptionFailures,
	createTrustUser,
	decryptedBodies,
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

/** Reasons, from the mapping in decryption-failure.ts, of the events that failed to decrypt. */
function failureReasons(device: TrustDevice, roomId: string): string[] {
	return conversationEvents(device.matrixClient, roomId)
		.map(explainEventDecryptionFailure)
		.filter((explanation) => explanation !== null)
		.map((explanation) => explanation.reason);
}

describe('sharing room keys only with cross-signed devices', () => {
	let therapist: TrustUser;
	let client: TrustUser;
	let uncrossSigned: TrustDevice;
	let roomId: string;
	const texts = [
		uniqueText('Only for verified devices'),
		uniqueText('Still only for verified devices'),
		uniqueText('A third private line')
	];
	const fromUncrossSigned = uniqueText('From an uncross-signed device');

	beforeAll(async () => {
		therapist = await createTrustUser('therapist', { deviceIsolation: 'cross_signed_only' });
		client = await createTrustUser('client');
		roomId = await openCareRoom(therapist, client);
		uncrossSigned = await signInNewDevice(client);
		await waitForDeviceKeys(therapist, client.userId, uncrossSigned.deviceId);

		await sendTexts(therapist, roomId, texts);
	});

	afterAll(() => stopDevices(therapist, client, uncrossSigned));

	it('still reaches the client’s cross-signed device', async () => {
		const bodies = await waitForTexts(client, roomId, texts);

		expect(bodies).toEqual(texts);
		expect(countDecryptionFailures(client.matrixClient, roomId)).toBe(0);
	});

	it('withholds the keys from the uncross-signed device', async () => {
		await waitFor(uncrossSigned.matrixClient, 'the three messages', () =>
			conversationEvents(uncrossSigned.matrixClient, roomId).length >= texts.length
				? true
				: undefined
		);
		await waitForDecryptionAttempts(uncrossSigned, roomId);
		await waitFor(uncrossSigned.matrixClient, 'the withheld notices', () =>
			failureReasons(uncrossSigned, roomId).every((reason) => reason === 'this_device_not_verified')
				? true
				: undefined
		);

		expect(decryptedBodies(uncrossSigned.matrixClient, roomId)).toEqual([]);
		expect(failureReasons(uncrossSigned, roomId)).toEqual([
			'this_device_not_verified',
			'this_device_not_verified',
			'this_device_not_verified'
		]);
	});

	it('does not decrypt what the uncross-signed device sends', async () => {
		await sendTexts(uncrossSigned, roomId, [fromUncrossSigned]);
		await waitFor(therapist.matrixClient, 'the message from the unverified device', () =>
			failureReasons(therapist, roomId).length === 1 ? true : undefined
		);

		expect(failureReasons(therapist, roomId)).toEqual(['sender_device_not_cross_signed']);
		expect(decryptedBodies(therapist.matrixClient, roomId)).not.toContain(fromUncrossSigned);
	});

	it('reads everything once the device is unlocked', async () => {
		await waitForBackedUpKeys(client, 2);

		await unlockWithRecoveryKey(uncrossSigned.matrixClient, uncrossSigned.keyCache, {
			recoveryKey: client.recoveryKey
		});
		const later = uniqueText('For the newly verified device');
		await sendTexts(therapist, roomId, [later]);
		const bodies = await waitForTexts(uncrossSigned, roomId, [...texts, later]);

		expect(bodies).toEqual([...texts, fromUncrossSigned, later]);
		expect(countDecryptionFailures(uncrossSigned.matrixClient, roomId)).toBe(0);
	});
});

describe('device isolation choice in account data', () => {
	let user: TrustUser;

	beforeAll(async () => {
		user = await createTrustUser('therapist');
	});

	afterAll(() => stopDevices(user));

	it('stores the choice and applies the policy to it', async () => {
		const policy = { default: 'cross_signed_only' as const, allowWeakerChoice: false };

		expect(readDeviceIsolationChoice(user.matrixClient)).toBeNull();
		expect(applyDeviceIsolation(user.matrixClient, policy)).toBe('cross_signed_only');
		const saved = await saveDeviceIsolationChoice(user.matrixClient, policy, 'all_devices');
		await waitFor(
			user.matrixClient,
			'the account data',
			() => readDeviceIsolationChoice(user.matrixClient) ?? undefined
		);

		expect(saved).toBe('cross_signed_only');
		expect(readDeviceIsolationChoice(user.matrixClient)).toBe('all_devices');
		expect(applyDeviceIsolation(user.matrixClient, { ...policy, allowWeakerChoice: true })).toBe(
			'all_devices'
		);
	});
});
