/**
 * Seeding through the protocol: accounts, care rooms and encrypted messages,
 * sent by Node matrixClients with the same Rust crypto as the app. Nothing
 * is written into Synapse's database behind its back, so every message the
 * browser reads was encrypted, sent, stored and synced as in real use.
 */
import { randomBytes } from 'node:crypto';
import { KnownMembership, type MatrixClient } from 'matrix-js-sdk';
import type { CryptoCallbacks } from 'matrix-js-sdk/lib/crypto-api';
import { registerUser } from '../../scripts/lib/synapse-admin.ts';
import type { SynapseServer } from '../../scripts/lib/synapse-server.ts';
import { createCareRoom } from '../../src/lib/matrix/care-room.ts';
import { setUpEncryption } from '../../src/lib/matrix/crypto/bootstrap.ts';
import { SecretStorageKeyCache } from '../../src/lib/matrix/crypto/secret-storage-key.ts';
import { createMatrixClient, startMatrixClient } from '../../src/lib/matrix/matrix-client.ts';
import { mapConcurrent, pollUntil } from './concurrency.ts';

/** A registered account; its registration device has no crypto keys and is used for plain HTTP only. */
export interface Account {
	username: string;
	password: string;
	userId: string;
	/** Access token of the registration device. */
	accessToken: string;
	/** Recovery key, once encryption was set up for the account (see signInThroughForm). */
	recoveryKey?: string;
}

/** Calls the client-server API with an access token and returns the JSON body. */
export async function matrixRequest<T>(
	baseUrl: string,
	accessToken: string,
	method: 'GET' | 'POST' | 'PUT',
	path: string,
	body?: unknown
): Promise<T> {
	const response = await fetch(`${baseUrl}${path}`, {
		method,
		headers: {
			Authorization: `Bearer ${accessToken}`,
			...(body === undefined ? {} : { 'Content-Type': 'application/json' })
		},
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	const text = await response.text();
	if (!response.ok) {
		throw new Error(`${method} ${path} failed with HTTP ${response.status}: ${text.slice(0, 200)}`);
	}
	return (text ? JSON.parse(text) : {}) as T;
}

/** Registers `count` accounts named `<prefix>-<n>-<random>`, a few at a time. */
export function registerAccounts(
	synapse: SynapseServer,
	prefix: string,
	count: number,
	concurrency = 6
): Promise<Account[]> {
	const suffix = randomBytes(3).toString('hex');
	return mapConcurrent(
		Array.from({ length: count }, (_, index) => index),
		concurrency,
		async (index) => {
			const username = count === 1 ? `${prefix}-${suffix}` : `${prefix}-${index + 1}-${suffix}`;
			const password = randomBytes(12).toString('base64url');
			const user = await registerUser(synapse.baseUrl, synapse.registrationSharedSecret, {
				username,
				password
			});
			return { username, password, userId: user.userId, accessToken: user.accessToken };
		}
	);
}

/** Joins a room with the account's registration device (no crypto needed to join). */
export async function joinRoom(baseUrl: string, account: Account, roomId: string): Promise<void> {
	await matrixRequest(
		baseUrl,
		account.accessToken,
		'POST',
		`/_matrix/client/v3/join/${encodeURIComponent(roomId)}`,
		{}
	);
}

/**
 * Signs in a new device with the account's password and starts a Node
 * matrixClient with in-memory Rust crypto on it. Stop it with
 * {@link stopSeedingClient}, which also deletes the device, so that later
 * messages are not encrypted for devices nobody uses.
 *
 * The SDK's default scheduler sends one event at a time per client, which
 * would make seeding 10,000 messages take a quarter of an hour here; this
 * client sends without it, so concurrent sends overlap. The app keeps the
 * scheduler, and the latency scenario measures the app as it is.
 */
export async function startSeedingClient(
	synapse: SynapseServer,
	account: Account,
	options: { cryptoCallbacks?: CryptoCallbacks } = {}
): Promise<MatrixClient> {
	const login = await fetch(`${synapse.baseUrl}/_matrix/client/v3/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({
			type: 'm.login.password',
			identifier: { type: 'm.id.user', user: account.username },
			password: account.password,
			initial_device_display_name: 'Benchmark seeding device'
		})
	});
	if (!login.ok) throw new Error(`Signing in ${account.userId} failed with HTTP ${login.status}`);
	const session = (await login.json()) as { access_token: string; device_id: string };
	const matrixClient = await createMatrixClient(
		{
			homeserverUrl: synapse.baseUrl,
			userId: account.userId,
			deviceId: session.device_id,
			accessToken: session.access_token,
			cryptoStoreKey: randomBytes(32).toString('base64')
		},
		{ useIndexedDB: false, cryptoCallbacks: options.cryptoCallbacks }
	);
	(matrixClient as { scheduler?: unknown }).scheduler = undefined;
	await startMatrixClient(matrixClient, { initialSyncLimit: 1 });
	return matrixClient;
}

/** Stops a seeding client and deletes its device on the server. */
export async function stopSeedingClient(matrixClient: MatrixClient): Promise<void> {
	try {
		await matrixClient.logout(true);
	} finally {
		matrixClient.stopClient();
	}
}

/** Waits until the seeding client sees `userId` with `membership` in the room. */
export function waitForMembership(
	matrixClient: MatrixClient,
	roomId: string,
	userId: string,
	membership: KnownMembership,
	timeoutMs = 60_000
): Promise<true> {
	return pollUntil(
		`${userId} to have membership ${membership} in ${roomId}`,
		() =>
			matrixClient.getRoom(roomId)?.getMember(userId)?.membership === membership ? true : undefined,
		{ timeoutMs, intervalMs: 100 }
	);
}

/**
 * Creates a care room from the therapist's seeding client, joins the client
 * account to it, and waits until the therapist's client has seen the join,
 * so that the first message is encrypted for the client's devices too.
 */
export async function createJoinedCareRoom(
	synapse: SynapseServer,
	therapistClient: MatrixClient,
	client: Account
): Promise<string> {
	const roomId = await createCareRoom(therapistClient, client.userId);
	await joinRoom(synapse.baseUrl, client, roomId);
	await waitForMembership(therapistClient, roomId, client.userId, KnownMembership.Join);
	return roomId;
}

/**
 * Sends text messages, `concurrency` in flight at once, alternating between
 * the given senders. Returns the event IDs in the order of `bodies`.
 */
export function sendMessages(
	senders: readonly MatrixClient[],
	roomId: string,
	bodies: readonly string[],
	concurrency: number,
	onProgress?: (sent: number) => void
): Promise<string[]> {
	let sent = 0;
	return mapConcurrent(bodies, concurrency, async (body, index) => {
		const sender = senders[index % senders.length] as MatrixClient;
		const { event_id: eventId } = await sender.sendTextMessage(roomId, body);
		sent++;
		if (onProgress && sent % 500 === 0) onProgress(sent);
		return eventId;
	});
}

/** Returns the IDs of the account's devices that have uploaded keys, as the seeding client sees them. */
export async function knownDeviceIds(
	matrixClient: MatrixClient,
	userId: string
): Promise<Set<string>> {
	const crypto = matrixClient.getCrypto();
	if (!crypto) throw new Error('The seeding client has no crypto');
	const devices = await crypto.getUserDeviceInfo([userId], true);
	return new Set(devices.get(userId)?.keys() ?? []);
}

/**
 * Sets up the account's encryption from a Node device, as the app does on a
 * first sign-in: cross-signing, secret storage under a new recovery key, and
 * a key backup. Returns the recovery key; the seeding device is deleted.
 */
export async function setUpAccountEncryption(
	synapse: SynapseServer,
	account: Account
): Promise<string> {
	const keyCache = new SecretStorageKeyCache();
	const matrixClient = await startSeedingClient(synapse, account, {
		cryptoCallbacks: keyCache.cryptoCallbacks
	});
	try {
		const result = await setUpEncryption(matrixClient, {
			requestPassword: async ({ retry }) => (retry ? null : account.password)
		});
		if (!result.created) throw new Error(`${account.userId} already had encryption set up`);
		return result.recoveryKey;
	} finally {
		keyCache.clear();
		await stopSeedingClient(matrixClient);
	}
}

/**
 * Waits until the account's server-side key backup contains the Megolm session
 * of an encrypted event. A device uploads the keys it receives a few seconds
 * later (the SDK waits a random 0 to 10 s before each upload), so a new
 * device that signs in at once could not yet restore them.
 */
export async function waitForBackedUpKey(
	baseUrl: string,
	account: Account,
	roomId: string,
	eventId: string,
	timeoutMs = 60_000
): Promise<void> {
	const room = encodeURIComponent(roomId);
	const event = await matrixRequest<{ content: { session_id?: string } }>(
		baseUrl,
		account.accessToken,
		'GET',
		`/_matrix/client/v3/rooms/${room}/event/${encodeURIComponent(eventId)}`
	);
	const sessionId = event.content.session_id;
	if (!sessionId) throw new Error(`Event ${eventId} is not encrypted with Megolm`);
	await pollUntil(
		`the key backup of ${account.userId} to hold the key of ${eventId}`,
		async () => {
			const { version } = await matrixRequest<{ version: string }>(
				baseUrl,
				account.accessToken,
				'GET',
				'/_matrix/client/v3/room_keys/version'
			);
			const response = await fetch(
				`${baseUrl}/_matrix/client/v3/room_keys/keys/${room}/${encodeURIComponent(sessionId)}?version=${encodeURIComponent(version)}`,
				{ headers: { Authorization: `Bearer ${account.accessToken}` } }
			);
			return response.ok ? true : undefined;
		},
		{ timeoutMs, intervalMs: 500 }
	);
}
