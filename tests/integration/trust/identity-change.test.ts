import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEncryptionIdentity } from '../../../src/lib/matrix/crypto/bootstrap.ts';
import { unlockWithRecoveryKey } from '../../../src/lib/matrix/crypto/recovery.ts';
import {
	acknowledgeIdentityChange,
	getRoomTrust,
	getSendHold
} from '../../../src/lib/matrix/crypto/trust-state.ts';
import {
	verifyUserInRoom,
	watchVerificationRequests,
	type VerificationSession
} from '../../../src/lib/matrix/crypto/verification.ts';
import {
	countDecryptionFailures,
	createTrustUser,
	openCareRoom,
	sendTexts,
	signInNewDevice,
	stopDevices,
	uniqueText,
	verifyByEmoji,
	waitForTexts,
	waitForTrust,
	type TrustUser
} from '../../support/trust-helpers.ts';

describe('identity reset of a verified client', () => {
	let therapist: TrustUser;
	let client: TrustUser;
	let roomId: string;
	let newRecoveryKey: string;
	const passwordPrompts: boolean[] = [];
	const before = uniqueText('Before the reset');
	const held = uniqueText('Written while the change was unacknowledged');

	beforeAll(async () => {
		// With only cross-signed devices the SDK itself refuses to encrypt for a
		// verified user whose identity changed, on top of Alcove's hold.
		therapist = await createTrustUser('therapist', { deviceIsolation: 'cross_signed_only' });
		client = await createTrustUser('client');
		roomId = await openCareRoom(therapist, client);

		const incoming = new Promise<VerificationSession>((resolve) => {
			const stop = watchVerificationRequests(client.matrixClient, (session) => {
				stop();
				resolve(session);
			});
		});
		const requester = await verifyUserInRoom(therapist.matrixClient, client.userId, roomId);
		await verifyByEmoji(requester, await incoming);
		await waitForTrust(therapist, client.userId, 'verified');

		await sendTexts(therapist, roomId, [before]);
		await waitForTexts(client, roomId, [before]);

		const reset = await resetEncryptionIdentity(client.matrixClient, {
			requestPassword: async ({ retry }) => {
				passwordPrompts.push(retry);
				return client.password;
			}
		});
		newRecoveryKey = reset.recoveryKey;
	});

	afterAll(() => stopDevices(therapist, client));

	it('asks the client for the password and gives a new recovery key', () => {
		expect(passwordPrompts).toEqual([false]);
		expect(newRecoveryKey).not.toBe(client.recoveryKey);
	});

	it('reports the identity change on the therapist’s side', async () => {
		const changed = await waitForTrust(therapist, client.userId, 'identity_changed');
		const room = await getRoomTrust(therapist.matrixClient, roomId);

		expect(changed).toEqual({
			userId: client.userId,
			trust: 'identity_changed',
			previouslyVerified: true
		});
		expect(room.trust).toBe('identity_changed');
	});

	it('holds sending until the change is acknowledged', async () => {
		const hold = await getSendHold(therapist.matrixClient, roomId);

		expect(hold).toEqual({ hold: true, changedUserIds: [client.userId] });
		await expect(therapist.matrixClient.sendTextMessage(roomId, held)).rejects.toThrow(
			/verified have changed their identity/
		);
	});

	it('sends again after the acknowledgement', async () => {
		await acknowledgeIdentityChange(therapist.matrixClient, client.userId);
		const after = uniqueText('After the acknowledgement');

		const hold = await getSendHold(therapist.matrixClient, roomId);
		const trust = await waitForTrust(therapist, client.userId, 'unverified');
		// The held message stays in the pending list, marked not sent, until it is retried.
		const room = therapist.matrixClient.getRoom(roomId);
		const pending = room?.getPendingEvents().find((event) => event.getContent().body === held);
		if (!room || !pending) throw new Error('The held message should be pending');
		await therapist.matrixClient.resendEvent(pending, room);
		await sendTexts(therapist, roomId, [after]);
		const bodies = await waitForTexts(client, roomId, [held, after]);

		expect(hold).toEqual({ hold: false, changedUserIds: [] });
		expect(trust.previouslyVerified).toBe(false);
		expect(bodies).toEqual([before, held, after]);
		expect(countDecryptionFailures(client.matrixClient, roomId)).toBe(0);
	});

	it('unlocks a new device with the new recovery key only', async () => {
		const newDevice = await signInNewDevice(client);
		try {
			await expect(
				unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
					recoveryKey: client.recoveryKey
				})
			).rejects.toMatchObject({ code: 'wrong_recovery_key' });
			const result = await unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
				recoveryKey: newRecoveryKey
			});

			expect(result.state.deviceVerified).toBe(true);
			expect(result.backup.status).toBe('restored');
		} finally {
			stopDevices(newDevice);
		}
	});

	it('decrypts what the client sends after the reset', async () => {
		const reply = uniqueText('Client after the reset');

		await sendTexts(client, roomId, [reply]);
		const bodies = await waitForTexts(therapist, roomId, [reply]);

		expect(bodies.at(-1)).toBe(reply);
		expect(countDecryptionFailures(therapist.matrixClient, roomId)).toBe(0);
	});
});

describe('identity reset of a client nobody verified', () => {
	let therapist: TrustUser;
	let client: TrustUser;
	let roomId: string;

	beforeAll(async () => {
		therapist = await createTrustUser('therapist');
		client = await createTrustUser('client');
		roomId = await openCareRoom(therapist, client);
		await waitForTrust(therapist, client.userId, 'unverified');

		await resetEncryptionIdentity(client.matrixClient, {
			requestPassword: async () => client.password
		});
	});

	afterAll(() => stopDevices(therapist, client));

	it('reports the change without holding sending', async () => {
		const changed = await waitForTrust(therapist, client.userId, 'identity_changed');
		const hold = await getSendHold(therapist.matrixClient, roomId);

		expect(changed.previouslyVerified).toBe(false);
		expect(hold).toEqual({ hold: false, changedUserIds: [] });
	});

	it('accepts the new identity when acknowledged', async () => {
		await acknowledgeIdentityChange(therapist.matrixClient, client.userId);
		const text = uniqueText('After accepting the new identity');

		const trust = await waitForTrust(therapist, client.userId, 'unverified');
		await sendTexts(therapist, roomId, [text]);
		const bodies = await waitForTexts(client, roomId, [text]);

		expect(trust.trust).toBe('unverified');
		expect(bodies).toEqual([text]);
		expect(countDecryptionFailures(client.matrixClient, roomId)).toBe(0);
	});
});
