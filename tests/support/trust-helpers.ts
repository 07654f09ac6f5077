import { randomBytes } from 'node:crypto';
import {
	createClient,
	EventTimeline,
	KnownMembership,
	type MatrixClient,
	type MatrixEvent
} from 'matrix-js-sdk';
import type { DecryptionFailureCode } from 'matrix-js-sdk/lib/crypto-api';
import { RustBackupManager } from 'matrix-js-sdk/lib/rust-crypto/backup.js';
import { expect, inject } from 'vitest';
import { registerUser } from '../../scripts/lib/synapse-admin.ts';
import { createCareRoom } from '../../src/lib/matrix/care-room.ts';
import { setUpEncryption } from '../../src/lib/matrix/crypto/bootstrap.ts';
import {
	deviceIsolationMode,
	type DeviceIsolationSetting
} from '../../src/lib/matrix/crypto/device-isolation.ts';
import { SecretStorageKeyCache } from '../../src/lib/matrix/crypto/secret-storage-key.ts';
import {
	getUserTrust,
	type UserTrust,
	type UserTrustState
} from '../../src/lib/matrix/crypto/trust-state.ts';
import type {
	VerificationSession,
	VerificationState
} from '../../src/lib/matrix/crypto/verification.ts';
import { createMatrixClient, startMatrixClient } from '../../src/lib/matrix/matrix-client.ts';
import { uniqueUsername, waitFor } from './matrix-users.ts';

// The SDK waits a random 0 to 10 s before each key-backup upload, to spread the
// load of many clients. Its documentation says that tests may shorten the delay.
(
	RustBackupManager as unknown as { maxBackupLoopStartDelayMillis: number }
).maxBackupLoopStartDelayMillis = 0;

/** A homeserver that tests register accounts on: by default the suite's shared Synapse. */
export interface TestHomeserver {
	baseUrl: string;
	registrationSharedSecret: string;
}

function sharedHomeserver(): TestHomeserver {
	const synapse = inject('synapse');
	return { baseUrl: synapse.baseUrl, registrationSharedSecret: synapse.registrationSharedSecret };
}

/** One signed-in device with in-memory Rust crypto and its secret-storage key cache. */
export interface TrustDevice {
	userId: string;
	deviceId: string;
	password: string;
	matrixClient: MatrixClient;
	keyCache: SecretStorageKeyCache;
}

/** A test account whose first device set up encryption. */
export interface TrustUser extends TrustDevice {
	recoveryKey: string;
}

/** Options for starting a device. */
export interface DeviceOptions {
	homeserver?: TestHomeserver;
	/** Device isolation applied before the first sync; the SDK's default if unset. */
	deviceIsolation?: DeviceIsolationSetting;
}

/** Creates and syncs a matrixClient for existing credentials, wired to a fresh key cache. */
export async function startDevice(
	credentials: { userId: string; deviceId: string; accessToken: string; password: string },
	options: DeviceOptions = {}
): Promise<TrustDevice> {
	const homeserver = options.homeserver ?? sharedHomeserver();
	const keyCache = new SecretStorageKeyCache();
	const matrixClient = await createMatrixClient(
		{
			homeserverUrl: homeserver.baseUrl,
			userId: credentials.userId,
			deviceId: credentials.deviceId,
			accessToken: credentials.accessToken,
			cryptoStoreKey: randomBytes(32).toString('base64')
		},
		{
			useIndexedDB: false,
			cryptoCallbacks: keyCache.cryptoCallbacks,
			deviceIsolationMode: options.deviceIsolation
				? deviceIsolationMode(options.deviceIsolation)
				: undefined
		}
	);
	await startMatrixClient(matrixClient);
	return {
		userId: credentials.userId,
		deviceId: credentials.deviceId,
		password: credentials.password,
		matrixClient,
		keyCache
	};
}

/** Registers an account and starts its first device, without encryption set up. */
export async function registerDevice(
	role: string,
	options: DeviceOptions = {}
): Promise<TrustDevice> {
	const homeserver = options.homeserver ?? sharedHomeserver();
	const registered = await registerUser(homeserver.baseUrl, homeserver.registrationSharedSecret, {
		username: uniqueUsername(role),
		password: randomBytes(12).toString('base64url')
	});
	return startDevice(registered, options);
}

/**
 * Registers an account, starts its first device and sets up cross-signing,
 * secret storage and key backup on it.
 */
export async function createTrustUser(
	role: string,
	options: DeviceOptions = {}
): Promise<TrustUser> {
	const device = await registerDevice(role, options);
	const result = await setUpEncryption(device.matrixClient, {
		requestPassword: async () => device.password
	});
	if (!result.created) throw new Error(`Encryption was already set up for ${device.userId}`);
	return { ...device, recoveryKey: result.recoveryKey };
}

/** Signs in again with the password, which creates a new device, and starts it. */
export async function signInNewDevice(
	user: { userId: string; password: string },
	options: DeviceOptions = {}
): Promise<TrustDevice> {
	const homeserver = options.homeserver ?? sharedHomeserver();
	const loginClient = createClient({ baseUrl: homeserver.baseUrl });
	const response = await loginClient.loginRequest({
		type: 'm.login.password',
		identifier: { type: 'm.id.user', user: user.userId },
		password: user.password,
		initial_device_display_name: 'Alcove test device'
	});
	return startDevice(
		{
			userId: response.user_id,
			deviceId: response.device_id,
			accessToken: response.access_token,
			password: user.password
		},
		options
	);
}

/** Stops every given device's sync loop and crypto. */
export function stopDevices(...devices: (TrustDevice | undefined)[]): void {
	for (const device of devices) device?.matrixClient.stopClient();
}

/** Waits until a user's membership in the room, as `observer` sees it, is `membership`. */
export async function waitForMembership(
	observer: MatrixClient,
	roomId: string,
	userId: string,
	membership: KnownMembership
): Promise<void> {
	await waitFor(observer, `${userId} to be ${membership} in ${roomId}`, () =>
		observer.getRoom(roomId)?.getMember(userId)?.membership === membership ? true : undefined
	);
}

/** Waits for the invitation to reach `device`, joins, and waits until `inviter` sees the join. */
export async function acceptInvitation(
	device: TrustDevice,
	inviter: TrustDevice,
	roomId: string
): Promise<void> {
	await waitFor(device.matrixClient, `the invitation to ${roomId}`, () =>
		device.matrixClient.getRoom(roomId)?.getMyMembership() === KnownMembership.Invite
			? true
			: undefined
	);
	await device.matrixClient.joinRoom(roomId);
	await waitForMembership(inviter.matrixClient, roomId, device.userId, KnownMembership.Join);
	await waitForRoomEncryption(device, roomId);
}

/**
 * Waits until the device's crypto knows that the room is encrypted, which
 * happens when the joined room's state arrives through sync. Sending earlier
 * fails with "Cannot encrypt event in unconfigured room".
 */
export async function waitForRoomEncryption(device: TrustDevice, roomId: string): Promise<void> {
	const crypto = device.matrixClient.getCrypto();
	const deadline = Date.now() + 30_000;
	while (!(await crypto?.isEncryptionEnabledInRoom(roomId))) {
		if (Date.now() > deadline) throw new Error(`${roomId} never became encrypted here`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Creates a care room from the therapist to the client and lets the client join it. */
export async function openCareRoom(therapist: TrustDevice, client: TrustDevice): Promise<string> {
	const roomId = await createCareRoom(therapist.matrixClient, client.userId);
	await acceptInvitation(client, therapist, roomId);
	return roomId;
}

/** Returns a message text no other test uses, so a match cannot come from elsewhere. */
export function uniqueText(label: string): string {
	return `${label} ${randomBytes(4).toString('hex')}`;
}

/** Sends text messages one after another, each confirmed by the server. */
export async function sendTexts(
	device: TrustDevice,
	roomId: string,
	texts: readonly string[]
): Promise<void> {
	for (const text of texts) await device.matrixClient.sendTextMessage(roomId, text);
}

/** True for an event people wrote: a message, or one that failed to decrypt. */
function isConversationEvent(event: MatrixEvent): boolean {
	if (event.isDecryptionFailure()) return true;
	return (
		event.getType() === 'm.room.message' &&
		!String(event.getContent().msgtype ?? '').startsWith('m.key.verification')
	);
}

/** Messages and undecryptable events in the room's live timeline, oldest first. */
export function conversationEvents(matrixClient: MatrixClient, roomId: string): MatrixEvent[] {
	const events = matrixClient.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
	return events.filter(isConversationEvent);
}

/** Bodies of the decrypted messages in the live timeline, oldest first. */
export function decryptedBodies(matrixClient: MatrixClient, roomId: string): string[] {
	return conversationEvents(matrixClient, roomId)
		.filter((event) => !event.isDecryptionFailure())
		.map((event) => String(event.getContent().body));
}

/** Failure codes of the events in the live timeline that failed to decrypt. */
export function decryptionFailureCodes(
	matrixClient: MatrixClient,
	roomId: string
): (DecryptionFailureCode | null)[] {
	return conversationEvents(matrixClient, roomId)
		.filter((event) => event.isDecryptionFailure())
		.map((event) => event.decryptionFailureReason);
}

/** Number of events in the live timeline that failed to decrypt. */
export function countDecryptionFailures(matrixClient: MatrixClient, roomId: string): number {
	return decryptionFailureCodes(matrixClient, roomId).length;
}

/** Paginates the live timeline back to the room's creation. */
export async function loadWholeTimeline(matrixClient: MatrixClient, roomId: string): Promise<void> {
	const room = matrixClient.getRoom(roomId);
	if (!room) throw new Error(`${matrixClient.getUserId()} does not know ${roomId}`);
	const timeline = room.getLiveTimeline();
	while (timeline.getPaginationToken(EventTimeline.BACKWARDS) !== null) {
		const more = await matrixClient.paginateEventTimeline(timeline, {
			backwards: true,
			limit: 100
		});
		if (!more) break;
	}
}

/**
 * Waits until every text appears decrypted in the room's live timeline, and
 * returns the decrypted bodies then.
 */
export async function waitForTexts(
	device: TrustDevice,
	roomId: string,
	texts: readonly string[],
	timeoutMs = 30_000
): Promise<string[]> {
	return waitFor(
		device.matrixClient,
		`${texts.length} decrypted messages in ${roomId}`,
		() => {
			const bodies = decryptedBodies(device.matrixClient, roomId);
			return texts.every((text) => bodies.includes(text)) ? bodies : undefined;
		},
		timeoutMs
	);
}

/** Waits until every event pending decryption has been tried (decrypted or failed). */
export async function waitForDecryptionAttempts(
	device: TrustDevice,
	roomId: string
): Promise<void> {
	await waitFor(device.matrixClient, `decryption attempts in ${roomId}`, () => {
		const events = device.matrixClient.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
		return events.some((event) => event.isBeingDecrypted()) ? undefined : true;
	});
}

/** Reads the server-side key backup: its version and how many room keys it holds. */
export async function serverKeyBackup(
	device: TrustDevice
): Promise<{ version: string; count: number } | null> {
	const baseUrl = device.matrixClient.getHomeserverUrl();
	const response = await fetch(`${baseUrl}/_matrix/client/v3/room_keys/version`, {
		headers: { Authorization: `Bearer ${device.matrixClient.getAccessToken()}` }
	});
	if (response.status === 404) return null;
	expect(response.status, 'GET /room_keys/version').toBe(200);
	const body = (await response.json()) as { version: string; count: number };
	return { version: body.version, count: body.count };
}

/** Waits until the server-side backup holds at least `minimum` room keys. */
export async function waitForBackedUpKeys(
	device: TrustDevice,
	minimum: number,
	timeoutMs = 30_000
): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const backup = await serverKeyBackup(device);
		if (backup && backup.count >= minimum) return backup.count;
		if (Date.now() > deadline) {
			throw new Error(`The key backup holds ${backup?.count ?? 0} keys, not ${minimum}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Resolves with the first state of the session that `accept` returns true for. */
export function waitForVerificationState(
	session: VerificationSession,
	accept: (state: VerificationState) => boolean,
	timeoutMs = 30_000
): Promise<VerificationState> {
	return new Promise((resolve, reject) => {
		const check = (state: VerificationState): void => {
			if (!accept(state)) return;
			clearTimeout(timer);
			unsubscribe();
			resolve(state);
		};
		const timer = setTimeout(() => {
			unsubscribe();
			reject(new Error(`Verification stayed in phase ${session.state.phase}`));
		}, timeoutMs);
		const unsubscribe = session.subscribe(check);
		check(session.state);
	});
}

/** Waits until both sides of a verification show their emoji, and returns them. */
export async function emojiOnBothSides(
	requester: VerificationSession,
	receiver: VerificationSession
): Promise<{ requesterEmoji: string[]; receiverEmoji: string[] }> {
	const showing = (state: VerificationState): boolean => state.phase === 'showing_emoji';
	const [requesterState, receiverState] = await Promise.all([
		waitForVerificationState(requester, showing),
		waitForVerificationState(receiver, showing)
	]);
	const names = (state: VerificationState): string[] =>
		state.phase === 'showing_emoji' ? state.emoji.map(([emoji, name]) => `${emoji} ${name}`) : [];
	return { requesterEmoji: names(requesterState), receiverEmoji: names(receiverState) };
}

/**
 * Drives an emoji verification on both sides, as two people would: the
 * receiving side accepts, both compare the emoji, and both confirm only if
 * they are equal.
 *
 * @returns The emoji each side showed, and the final state of each side.
 */
export async function verifyByEmoji(
	requester: VerificationSession,
	receiver: VerificationSession
): Promise<{
	requesterEmoji: string[];
	receiverEmoji: string[];
	requesterEnd: VerificationState;
	receiverEnd: VerificationState;
}> {
	await receiver.accept();
	const emoji = await emojiOnBothSides(requester, receiver);
	if (emoji.requesterEmoji.join() !== emoji.receiverEmoji.join()) {
		requester.mismatch();
	} else {
		await Promise.all([requester.confirm(), receiver.confirm()]);
	}
	const [requesterEnd, receiverEnd] = await Promise.all([
		requester.waitForEnd(),
		receiver.waitForEnd()
	]);
	return { ...emoji, requesterEnd, receiverEnd };
}

/** Waits until `device` trusts the user as `trust`, and returns the trust state then. */
export async function waitForTrust(
	device: TrustDevice,
	userId: string,
	trust: UserTrust,
	timeoutMs = 30_000
): Promise<UserTrustState> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const state = await getUserTrust(device.matrixClient, userId);
		if (state.trust === trust) return state;
		if (Date.now() > deadline) {
			throw new Error(`${device.userId} still sees ${userId} as ${state.trust}, not ${trust}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/**
 * Waits until `observer` has downloaded the keys of another device. A message
 * sent before that goes out without a room key for that device, because the
 * sender learns of new devices only through its next sync.
 */
export async function waitForDeviceKeys(
	observer: TrustDevice,
	userId: string,
	deviceId: string,
	timeoutMs = 30_000
): Promise<void> {
	const crypto = observer.matrixClient.getCrypto();
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const devices = await crypto?.getUserDeviceInfo([userId], true);
		if (devices?.get(userId)?.has(deviceId)) return;
		if (Date.now() > deadline) throw new Error(`${observer.userId} never saw device ${deviceId}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
