import { KnownMembership } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCareRoom } from '../../../src/lib/matrix/care-room.ts';
import { NotesDeviceStore } from '../../../src/lib/notes/device-store.ts';
import { NOTES_KEY_SHARE_TYPE } from '../../../src/lib/notes/event-types.ts';
import { cacheKeyring, loadCachedKeyring } from '../../../src/lib/notes/key-storage.ts';
import {
	NotesKeySharing,
	requestNotesKeyring,
	sendNotesKeyring,
	type KeyShareRejection
} from '../../../src/lib/notes/key-sharing.ts';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import type { NotesService } from '../../../src/lib/notes/notes-service.ts';
import {
	createTestUser,
	registerTestUser,
	stopTestUser,
	waitFor,
	type TestUser
} from '../../support/matrix-users.ts';
import {
	createTherapist,
	distinctivePhrase,
	noteFieldsWith,
	openNotes,
	signInTherapistDevice,
	stopDevice,
	waitForCrossSignedDevice,
	verifyOwnDeviceByEmoji,
	type TherapistAccount,
	type TherapistDevice
} from '../../support/notes-helpers.ts';

/** Deletes a device's notes store and opens an empty one, as clearing site data does. */
async function clearNotesStore(device: TherapistDevice): Promise<void> {
	device.deviceStore.close();
	const options = { userId: device.userId, deviceId: device.session.deviceId };
	await NotesDeviceStore.delete(options);
	device.deviceStore = await NotesDeviceStore.open(options);
}

/** Waits until the user's crypto knows one of another user's devices. */
async function waitForDeviceKnown(user: TestUser, userId: string, deviceId: string): Promise<void> {
	let known = false;
	await waitFor(user.matrixClient, `device ${deviceId} to be known`, () => {
		user.matrixClient
			.getCrypto()
			?.getUserDeviceInfo([userId])
			.then((devices) => {
				known = devices.get(userId)?.has(deviceId) ?? false;
			})
			.catch(() => undefined);
		return known ? true : undefined;
	});
}

/** Resolves with the next value passed to the returned callback. */
function nextCall<T>(): { callback: (value: T) => void; next: () => Promise<T> } {
	let pending: ((value: T) => void) | undefined;
	const queue: T[] = [];
	return {
		callback: (value) => {
			if (pending) {
				pending(value);
				pending = undefined;
			} else {
				queue.push(value);
			}
		},
		next: () => {
			const queued = queue.shift();
			if (queued !== undefined) return Promise.resolve(queued);
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('Timed out after 30 s')), 30_000);
				pending = (value) => {
					clearTimeout(timer);
					resolve(value);
				};
			});
		}
	};
}

describe('notes key recovery and sharing', () => {
	let account: TherapistAccount;
	let first: TherapistDevice;
	let notes: NotesService;
	let noteId: string;
	let phrase: string;
	const devices: TherapistDevice[] = [];
	const sharings: NotesKeySharing[] = [];
	let client: TestUser;

	async function readsTheNote(device: TherapistDevice): Promise<boolean> {
		const service = await openNotes(device);
		const version = await service.getNote(noteId);
		service.close();
		return version?.status === 'ok' && JSON.stringify(version.note).includes(phrase);
	}

	beforeAll(async () => {
		account = await createTherapist();
		first = account.firstDevice;
		devices.push(first);
		client = await createTestUser('client');
		const careRoomId = await createCareRoom(first.matrixClient, client.userId);
		await waitFor(client.matrixClient, 'the care room invitation', () =>
			client.matrixClient.getRoom(careRoomId)?.getMyMembership() === KnownMembership.Invite
				? true
				: undefined
		);
		await client.matrixClient.joinRoom(careRoomId);
		notes = await openNotes(first);
		phrase = distinctivePhrase('Shared');
		const created = await notes.createNote(
			noteFieldsWith(
				{ title: 'Key test', subjective: phrase, assessment: 'a', plan: 'p' },
				{ clientUserId: (await registerTestUser('client')).userId, careRoomId: '!care' }
			)
		);
		noteId = created.noteId;
	});

	afterAll(() => {
		for (const sharing of sharings) sharing.stop();
		notes.close();
		for (const device of devices) stopDevice(device);
		stopTestUser(client);
	});

	it('recovers a lost notes key from secret storage', async () => {
		await clearNotesStore(first);
		expect(await loadCachedKeyring(first.deviceStore)).toBeUndefined();

		expect(await readsTheNote(first)).toBe(true);
		expect((await loadCachedKeyring(first.deviceStore))?.current.id).toBe(notes.keyring.current.id);
	});

	it('cannot recover the key without the recovery key', async () => {
		const locked = await signInTherapistDevice(account);
		devices.push(locked);

		await expect(openNotes(locked)).rejects.toMatchObject({ code: 'notes_key_locked' });
	});

	it('sends the key to another cross-signed device', async () => {
		const second = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		devices.push(second);
		const secondDeviceId = second.session.deviceId;
		// The second device forgets the recovery key and loses its notes key.
		second.secretStorageKey.privateKey = null;
		await clearNotesStore(second);
		await expect(openNotes(second)).rejects.toMatchObject({ code: 'notes_key_locked' });

		const received = nextCall<string>();
		const sharing = new NotesKeySharing(second.matrixClient, {
			getKeyring: () => undefined,
			onKeyringReceived: async (keyring, senderDeviceId) => {
				await cacheKeyring(second.deviceStore, keyring);
				received.callback(senderDeviceId);
			}
		});
		sharing.start();
		sharings.push(sharing);
		await waitForCrossSignedDevice(first, secondDeviceId);
		await waitForCrossSignedDevice(second, first.session.deviceId);

		await sendNotesKeyring(first.matrixClient, notes.keyring, secondDeviceId);

		expect(await received.next()).toBe(first.session.deviceId);
		expect(await readsTheNote(second)).toBe(true);
	});

	it('sends the key to a device verified by emoji', async () => {
		// Signed in without the recovery key, so secret storage stays locked.
		const verified = await signInTherapistDevice(account);
		devices.push(verified);
		await expect(openNotes(verified)).rejects.toMatchObject({ code: 'notes_key_locked' });
		const received = nextCall<string>();
		const sharing = new NotesKeySharing(verified.matrixClient, {
			getKeyring: () => undefined,
			onKeyringReceived: async (keyring, senderDeviceId) => {
				await cacheKeyring(verified.deviceStore, keyring);
				received.callback(senderDeviceId);
			}
		});
		sharing.start();
		sharings.push(sharing);

		const emoji = await verifyOwnDeviceByEmoji(first, verified);
		await waitForCrossSignedDevice(first, verified.session.deviceId);
		await waitForCrossSignedDevice(verified, first.session.deviceId);
		await sendNotesKeyring(first.matrixClient, notes.keyring, verified.session.deviceId);

		expect(emoji.onNew).toHaveLength(7);
		expect(await received.next()).toBe(first.session.deviceId);
		expect(await readsTheNote(verified)).toBe(true);
	});

	it('answers a key request from a cross-signed device', async () => {
		const requester = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		devices.push(requester);
		requester.secretStorageKey.privateKey = null;
		await clearNotesStore(requester);
		const responder = new NotesKeySharing(first.matrixClient, {
			getKeyring: () => notes.keyring,
			onKeyringReceived: () => undefined
		});
		const received = nextCall<string>();
		const receiver = new NotesKeySharing(requester.matrixClient, {
			getKeyring: () => undefined,
			onKeyringReceived: async (keyring, senderDeviceId) => {
				await cacheKeyring(requester.deviceStore, keyring);
				received.callback(senderDeviceId);
			}
		});
		responder.start();
		receiver.start();
		sharings.push(responder, receiver);
		await waitForCrossSignedDevice(first, requester.session.deviceId);
		await waitForCrossSignedDevice(requester, first.session.deviceId);

		const request = await requestNotesKeyring(requester.matrixClient);

		expect(request.deviceIds).toContain(first.session.deviceId);
		expect(await received.next()).toBe(first.session.deviceId);
		expect(await readsTheNote(requester)).toBe(true);
	});

	it('shares nothing with or from an unverified device', async () => {
		const target = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		const unverified = await signInTherapistDevice(account);
		devices.push(target, unverified);
		target.secretStorageKey.privateKey = null;
		await clearNotesStore(target);
		const rejections = nextCall<KeyShareRejection>();
		const accepted: string[] = [];
		const sharing = new NotesKeySharing(target.matrixClient, {
			getKeyring: () => undefined,
			onKeyringReceived: (_keyring, senderDeviceId) => {
				accepted.push(senderDeviceId);
			},
			onRejected: rejections.callback
		});
		sharing.start();
		sharings.push(sharing);
		await waitForCrossSignedDevice(first, target.session.deviceId);
		const forged = (await NotesKeyring.generate()).serialize();
		const targetDevice = [{ userId: account.userId, deviceId: target.session.deviceId }];

		// The sender refuses a device that is not cross-signed.
		await expect(
			sendNotesKeyring(first.matrixClient, notes.keyring, unverified.session.deviceId)
		).rejects.toMatchObject({ code: 'device_not_verified' });

		// The receiver ignores a keyring from the unverified device ...
		await unverified.matrixClient.encryptAndSendToDevice(NOTES_KEY_SHARE_TYPE, targetDevice, {
			keyring: forged
		});
		expect(await rejections.next()).toMatchObject({
			reason: 'device_not_verified',
			senderDeviceId: unverified.session.deviceId
		});

		// ... from another account, which shares a care room with the therapist
		// and so tracks the therapist's devices ...
		await waitForDeviceKnown(client, account.userId, target.session.deviceId);
		await client.matrixClient.encryptAndSendToDevice(NOTES_KEY_SHARE_TYPE, targetDevice, {
			keyring: forged
		});
		expect(await rejections.next()).toMatchObject({ reason: 'other_user' });

		// ... and one sent unencrypted by a verified device.
		await first.matrixClient.sendToDevice(
			NOTES_KEY_SHARE_TYPE,
			new Map([[account.userId, new Map([[target.session.deviceId, { keyring: forged }]])]])
		);
		expect(await rejections.next()).toMatchObject({ reason: 'not_encrypted' });

		expect(accepted).toEqual([]);
		expect(await loadCachedKeyring(target.deviceStore)).toBeUndefined();
	});
});
