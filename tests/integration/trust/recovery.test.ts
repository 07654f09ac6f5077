import { encodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEncryptionState, setUpEncryption } from '../../../src/lib/matrix/crypto/bootstrap.ts';
import { explainEventDecryptionFailure } from '../../../src/lib/matrix/crypto/decryption-failure.ts';
import { unlockWithRecoveryKey } from '../../../src/lib/matrix/crypto/recovery.ts';
import {
	conversationEvents,
	countDecryptionFailures,
	createTrustUser,
	decryptedBodies,
	loadWholeTimeline,
	openCareRoom,
	registerDevice,
	sendTexts,
	signInNewDevice,
	stopDevices,
	uniqueText,
	waitForBackedUpKeys,
	waitForDecryptionAttempts,
	waitForTexts,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

describe('unlocking a second device with the recovery key', () => {
	let therapist: TrustUser;
	let client: TrustUser;
	let newDevice: TrustDevice;
	let roomId: string;
	const texts = [
		uniqueText('Therapist welcome'),
		uniqueText('Client first reply'),
		uniqueText('Therapist follow-up'),
		uniqueText('Client second reply')
	];

	beforeAll(async () => {
		therapist = await createTrustUser('therapist');
		client = await createTrustUser('client');
		roomId = await openCareRoom(therapist, client);
		await sendTexts(therapist, roomId, [texts[0] ?? '']);
		await waitForTexts(client, roomId, [texts[0] ?? '']);
		await sendTexts(client, roomId, [texts[1] ?? '']);
		await waitForTexts(therapist, roomId, [texts[1] ?? '']);
		await sendTexts(therapist, roomId, [texts[2] ?? '']);
		await sendTexts(client, roomId, [texts[3] ?? '']);
		await waitForTexts(therapist, roomId, texts);
		// One room key per sender: the therapist's own and the client's.
		await waitForBackedUpKeys(therapist, 2);

		newDevice = await signInNewDevice(therapist);
	});

	afterAll(() => stopDevices(therapist, client, newDevice));

	it('cannot read the earlier messages before unlocking', async () => {
		await loadWholeTimeline(newDevice.matrixClient, roomId);
		await waitForDecryptionAttempts(newDevice, roomId);
		const failures = conversationEvents(newDevice.matrixClient, roomId)
			.map(explainEventDecryptionFailure)
			.map((explanation) => explanation?.reason);

		expect(decryptedBodies(newDevice.matrixClient, roomId)).toEqual([]);
		expect(failures).toEqual([
			'backup_not_restored',
			'backup_not_restored',
			'backup_not_restored',
			'backup_not_restored'
		]);
	});

	it('rejects a mistyped recovery key', async () => {
		const key = therapist.recoveryKey;
		const typo = `${key.slice(0, 10)}${key[10] === 'x' ? 'y' : 'x'}${key.slice(11)}`;

		await expect(
			unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, { recoveryKey: typo })
		).rejects.toMatchObject({ code: 'invalid_recovery_key' });
		await expect(
			unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
				recoveryKey: 'not a key at all'
			})
		).rejects.toMatchObject({ code: 'invalid_recovery_key' });
	});

	it('rejects the recovery key of another account', async () => {
		const attempt = unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
			recoveryKey: client.recoveryKey
		});

		await expect(attempt).rejects.toMatchObject({ code: 'wrong_recovery_key' });
		expect(await getEncryptionState(newDevice.matrixClient)).toMatchObject({
			crossSigningReady: false,
			deviceVerified: false
		});
	});

	it('rejects a well-formed random key', async () => {
		const randomKey = encodeRecoveryKey(crypto.getRandomValues(new Uint8Array(32))) ?? '';

		await expect(
			unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, { recoveryKey: randomKey })
		).rejects.toMatchObject({ code: 'wrong_recovery_key' });
	});

	it('rejects a passphrase when the account has none', async () => {
		await expect(
			unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, { passphrase: 'guess' })
		).rejects.toMatchObject({ code: 'wrong_recovery_key' });
	});

	it('unlocks, restores the backup and reads all earlier messages', async () => {
		const progress: string[] = [];

		const result = await unlockWithRecoveryKey(
			newDevice.matrixClient,
			newDevice.keyCache,
			// Pasted with line breaks instead of spaces, as from a note.
			{ recoveryKey: ` ${therapist.recoveryKey.replaceAll(' ', '\n')} ` },
			{ onProgress: (step) => progress.push(step.stage) }
		);
		const bodies = await waitForTexts(newDevice, roomId, texts);

		expect(result.backup).toMatchObject({ status: 'restored', total: 2, imported: 2 });
		expect(result.state).toEqual({
			crossSigningReady: true,
			secretStorageReady: true,
			backupActive: true,
			deviceVerified: true
		});
		expect(progress).toContain('import');
		expect(bodies).toEqual(texts);
		expect(countDecryptionFailures(newDevice.matrixClient, roomId)).toBe(0);
	});

	it('is trusted by the first device after unlocking', async () => {
		const status = await therapist.matrixClient
			.getCrypto()
			?.getDeviceVerificationStatus(therapist.userId, newDevice.deviceId);

		expect(status?.crossSigningVerified).toBe(true);
	});
});

describe('unlocking with the recovery passphrase', () => {
	let owner: TrustDevice;
	let newDevice: TrustDevice | undefined;
	const passphrase = 'correct horse battery staple, twice over';

	beforeAll(async () => {
		owner = await registerDevice('therapist');
		await setUpEncryption(owner.matrixClient, {
			requestPassword: async () => owner.password,
			passphrase
		});
	});

	afterAll(() => stopDevices(owner, newDevice));

	it('rejects a wrong passphrase and accepts the right one', async () => {
		newDevice = await signInNewDevice(owner);

		await expect(
			unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
				passphrase: 'correct horse battery staple'
			})
		).rejects.toMatchObject({ code: 'wrong_recovery_key' });
		const result = await unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
			passphrase
		});

		expect(result.backup).toMatchObject({ status: 'restored', total: 0, imported: 0 });
		expect(result.state.deviceVerified).toBe(true);
		expect(result.state.crossSigningReady).toBe(true);
	});
});
