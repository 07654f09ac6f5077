/**
 * Test support for therapist notes against the real Synapse: therapists with
 * cross-signing and secret storage (4S) set up through the SDK's CryptoApi,
 * further devices of the same therapist, and admin API requests.
 *
 * Every device keeps its Rust crypto store and its notes device store in
 * fake-indexeddb, so a device can be restarted with a fresh matrixClient and
 * keep its keys, as a browser tab does after a reload.
 */
import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import type { MatrixClient } from 'matrix-js-sdk';
import {
	CryptoEvent,
	decodeRecoveryKey,
	VerificationPhase,
	VerifierEvent,
	type CryptoCallbacks,
	type GeneratedSecretStorageKey,
	type ShowSasCallbacks,
	type VerificationRequest,
	type Verifier
} from 'matrix-js-sdk/lib/crypto-api';
import { VerificationMethod } from 'matrix-js-sdk/lib/types';
import { RustBackupManager } from 'matrix-js-sdk/lib/rust-crypto/backup.js';
import { expect, inject } from 'vitest';
import { registerUser } from '../../scripts/lib/synapse-admin.ts';
import { signInWithPassword } from '../../src/lib/matrix/login.ts';
import { createMatrixClient, startMatrixClient } from '../../src/lib/matrix/matrix-client.ts';
import type { Session } from '../../src/lib/matrix/session.ts';
import { NotesDeviceStore } from '../../src/lib/notes/device-store.ts';
import { NotesService } from '../../src/lib/notes/notes-service.ts';
import type { NoteFields } from '../../src/lib/notes/note-schema.ts';
import { uniqueUsername, waitFor } from './matrix-users.ts';

// The SDK waits a random 0 to 10 s before each key-backup upload, to spread
// the load of many clients. No test here needs that delay.
(
	RustBackupManager as unknown as { maxBackupLoopStartDelayMillis: number }
).maxBackupLoopStartDelayMillis = 0;

/**
 * The 4S key a device has been given, as the recovery-key prompt of the app
 * would hold it. Setting `privateKey` to null makes the device "forget" it.
 */
export interface SecretStorageKeyHolder {
	privateKey: Uint8Array<ArrayBuffer> | null;
}

/** One signed-in device of a therapist. */
export interface TherapistDevice {
	userId: string;
	password: string;
	session: Session;
	matrixClient: MatrixClient;
	secretStorageKey: SecretStorageKeyHolder;
	deviceStore: NotesDeviceStore;
}

/** A therapist whose first device set up cross-signing and 4S. */
export interface TherapistAccount {
	userId: string;
	password: string;
	/** The recovery key in its printed form (groups of four characters). */
	recoveryKey: string;
	firstDevice: TherapistDevice;
}

function cryptoCallbacks(holder: SecretStorageKeyHolder): CryptoCallbacks {
	return {
		// The device has one 4S key or none. It is returned for the first key
		// ID the SDK requests, and the SDK checks it against the key's MAC.
		getSecretStorageKey: async ({ keys }) => {
			const [keyId] = Object.keys(keys);
			return holder.privateKey && keyId ? [keyId, holder.privateKey] : null;
		}
	};
}

async function startDevice(
	session: Session,
	password: string,
	holder: SecretStorageKeyHolder
): Promise<TherapistDevice> {
	const matrixClient = await createMatrixClient(session, {
		useIndexedDB: true,
		cryptoCallbacks: cryptoCallbacks(holder)
	});
	await startMatrixClient(matrixClient);
	const deviceStore = await NotesDeviceStore.open({
		userId: session.userId,
		deviceId: session.deviceId
	});
	return {
		userId: session.userId,
		password,
		session,
		matrixClient,
		secretStorageKey: holder,
		deviceStore
	};
}

async function bootstrapCrossSigning(device: TherapistDevice): Promise<void> {
	const crypto = device.matrixClient.getCrypto();
	if (!crypto) throw new Error('The test device has no crypto');
	// On a new device the keys from 4S can be imported only once the
	// account's public cross-signing keys have been downloaded.
	await crypto.userHasCrossSigningKeys(device.userId, /* downloadUncached */ true);
	await crypto.bootstrapCrossSigning({
		authUploadDeviceSigningKeys: async (makeRequest) => {
			// Synapse lets the first upload of cross-signing keys skip
			// user-interactive auth (MSC3967); later ones need the password.
			await makeRequest({
				type: 'm.login.password',
				identifier: { type: 'm.id.user', user: device.userId },
				password: device.password
			});
		}
	});
}

/**
 * Registers a therapist and starts the first device, which bootstraps
 * cross-signing and secret storage with a new recovery key.
 */
export async function createTherapist(role = 'therapist'): Promise<TherapistAccount> {
	const synapse = inject('synapse');
	const password = randomBytes(12).toString('base64url');
	const registered = await registerUser(synapse.baseUrl, synapse.registrationSharedSecret, {
		username: uniqueUsername(role),
		password
	});
	const session: Session = {
		homeserverUrl: synapse.baseUrl,
		userId: registered.userId,
		deviceId: registered.deviceId,
		accessToken: registered.accessToken,
		cryptoStoreKey: randomBytes(32).toString('base64')
	};
	const holder: SecretStorageKeyHolder = { privateKey: null };
	const device = await startDevice(session, password, holder);
	const crypto = device.matrixClient.getCrypto();
	if (!crypto) throw new Error('The test device has no crypto');

	await bootstrapCrossSigning(device);
	const generated: GeneratedSecretStorageKey = await crypto.createRecoveryKeyFromPassphrase();
	if (!generated.encodedPrivateKey) throw new Error('The SDK returned no printable recovery key');
	holder.privateKey = generated.privateKey;
	await crypto.bootstrapSecretStorage({
		createSecretStorageKey: async () => generated,
		setupNewSecretStorage: true
	});
	expect(await crypto.isSecretStorageReady()).toBe(true);

	return {
		userId: registered.userId,
		password,
		recoveryKey: generated.encodedPrivateKey,
		firstDevice: device
	};
}

/**
 * Signs the therapist in on a new device. With `recoveryKey`, the device is
 * unlocked with it as a person would type it, and cross-signs itself with
 * the keys from 4S; without, it stays an unverified device.
 */
export async function signInTherapistDevice(
	account: Pick<TherapistAccount, 'userId' | 'password'>,
	options: { recoveryKey?: string } = {}
): Promise<TherapistDevice> {
	const session = await signInWithPassword(
		inject('synapse').baseUrl,
		account.userId,
		account.password
	);
	const holder: SecretStorageKeyHolder = {
		privateKey: options.recoveryKey ? decodeRecoveryKey(options.recoveryKey) : null
	};
	const device = await startDevice(session, account.password, holder);
	if (options.recoveryKey) await bootstrapCrossSigning(device);
	return device;
}

/**
 * Stops a device's matrixClient and starts a fresh one on the same device:
 * same crypto store and notes store, new in-memory SDK state and a new
 * initial sync.
 */
export async function restartDevice(device: TherapistDevice): Promise<TherapistDevice> {
	stopDevice(device);
	return startDevice(device.session, device.password, device.secretStorageKey);
}

/** Stops a device's matrixClient and closes its notes store. */
export function stopDevice(device: TherapistDevice | undefined): void {
	if (!device) return;
	device.matrixClient.stopClient();
	device.deviceStore.close();
}

/** Opens the notes of a device. */
export function openNotes(
	device: TherapistDevice,
	options: { auditOnFirstUse?: boolean } = {}
): Promise<NotesService> {
	return NotesService.open({
		matrixClient: device.matrixClient,
		deviceStore: device.deviceStore,
		...options
	});
}

/** Waits until the crypto of `first` reports `deviceId` as one of its own cross-signed devices. */
export async function waitForCrossSignedDevice(
	first: TherapistDevice,
	deviceId: string
): Promise<void> {
	const crypto = first.matrixClient.getCrypto();
	if (!crypto) throw new Error('The test device has no crypto');
	let verified = false;
	const poll = (): void => {
		crypto
			.getDeviceVerificationStatus(first.userId, deviceId)
			.then((status) => {
				verified = !!status?.crossSigningVerified;
			})
			.catch(() => undefined);
	};
	await waitFor(first.matrixClient, `device ${deviceId} to be cross-signed`, () => {
		poll();
		return verified ? true : undefined;
	});
}

function nextShowSas(verifier: Verifier): Promise<ShowSasCallbacks> {
	const shown = verifier.getShowSasCallbacks();
	if (shown) return Promise.resolve(shown);
	return new Promise((resolve) => verifier.once(VerifierEvent.ShowSas, resolve));
}

/**
 * Verifies `newDevice` from `existing` by emoji comparison (SAS), as the
 * therapist would with both devices in hand: the new device requests
 * verification of its own user, the existing one accepts, both compare the
 * emoji and confirm.
 *
 * @returns The emoji names each device showed.
 */
export async function verifyOwnDeviceByEmoji(
	existing: TherapistDevice,
	newDevice: TherapistDevice
): Promise<{ onExisting: string[]; onNew: string[] }> {
	const newCrypto = newDevice.matrixClient.getCrypto();
	if (!newCrypto) throw new Error('The test device has no crypto');
	const incoming = new Promise<VerificationRequest>((resolve) =>
		existing.matrixClient.once(CryptoEvent.VerificationRequestReceived, resolve)
	);

	const request = await newCrypto.requestOwnUserVerification();
	const received = await incoming;
	await received.accept();
	await waitFor(newDevice.matrixClient, 'the verification request to be ready', () =>
		request.phase === VerificationPhase.Ready ? true : undefined
	);
	const newVerifier = await request.startVerification(VerificationMethod.Sas);
	const existingVerifier = await waitFor(
		existing.matrixClient,
		'the verifier',
		() => received.verifier
	);

	const shownOnNew = nextShowSas(newVerifier);
	const shownOnExisting = nextShowSas(existingVerifier);
	const verifiedNew = newVerifier.verify();
	const verifiedExisting = existingVerifier.verify();
	const [onNew, onExisting] = await Promise.all([shownOnNew, shownOnExisting]);
	const emojiNames = (shown: ShowSasCallbacks): string[] =>
		(shown.sas.emoji ?? []).map(([, name]) => name);
	expect(emojiNames(onNew)).toEqual(emojiNames(onExisting));

	await Promise.all([onNew.confirm(), onExisting.confirm()]);
	await Promise.all([verifiedNew, verifiedExisting]);
	return { onExisting: emojiNames(onExisting), onNew: emojiNames(onNew) };
}

/** Returns note fields that contain the given distinctive phrases. */
export function noteFieldsWith(
	phrases: { subjective: string; assessment: string; plan: string; title: string },
	context: { clientUserId: string; careRoomId: string }
): NoteFields {
	return {
		clientUserId: context.clientUserId,
		careRoomId: context.careRoomId,
		kind: 'progress',
		class: 'record',
		title: phrases.title,
		sessionDate: '2026-11-03',
		template: {
			type: 'soap',
			subjective: phrases.subjective,
			objective: 'Attended on time.',
			assessment: phrases.assessment,
			plan: phrases.plan
		},
		goals: []
	};
}

/** Returns a phrase that occurs nowhere but where a test puts it. */
export function distinctivePhrase(label: string): string {
	return `${label} ${randomBytes(6).toString('hex')}`;
}

/** Sends a request to the test Synapse and returns its status and body text. */
export async function homeserverRequest(
	path: string,
	accessToken: string,
	init: { method?: string; body?: unknown } = {}
): Promise<{ status: number; text: string }> {
	const response = await fetch(`${inject('synapse').baseUrl}${path}`, {
		method: init.method ?? 'GET',
		headers: {
			Authorization: `Bearer ${accessToken}`,
			...(init.body === undefined ? {} : { 'Content-Type': 'application/json' })
		},
		body: init.body === undefined ? undefined : JSON.stringify(init.body)
	});
	return { status: response.status, text: await response.text() };
}

/**
 * Writes `count` notes and then measures how long a fresh NotesService takes
 * to list and decrypt them, for benchmarks. It asserts no times.
 */
export async function benchmarkNoteLoading(
	device: TherapistDevice,
	notes: NotesService,
	fields: NoteFields,
	count: number
): Promise<{ count: number; writeMs: number; openMs: number; listMs: number }> {
	const writeStart = performance.now();
	for (let index = 0; index < count; index++) {
		await notes.createNote({ ...fields, title: `Benchmark note ${index}` });
	}
	const writeMs = performance.now() - writeStart;

	await waitFor(device.matrixClient, `${count} notes in the room state`, () =>
		(device.matrixClient.getRoom(notes.roomId)?.currentState.getStateEvents('app.alcove.note')
			.length ?? 0) >= count
			? true
			: undefined
	);

	const openStart = performance.now();
	const fresh = await NotesService.open({
		matrixClient: device.matrixClient,
		auditOnFirstUse: false
	});
	const openMs = performance.now() - openStart;
	const listStart = performance.now();
	const listed = await fresh.listNotes();
	const listMs = performance.now() - listStart;
	fresh.close();

	return {
		count: listed.filter((version) => version.status === 'ok').length,
		writeMs,
		openMs,
		listMs
	};
}
