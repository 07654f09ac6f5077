import { randomBytes } from 'node:crypto';
import {
	ClientEvent,
	MatrixEventEvent,
	RoomEvent,
	type MatrixClient,
	type MatrixEvent,
	type Room
} from 'matrix-js-sdk';
import { inject } from 'vitest';
import { createMatrixClient, startMatrixClient } from '../../src/lib/matrix/matrix-client.ts';
import { registerUser, type RegisteredUser } from '../../scripts/lib/synapse-admin.ts';

/** A registered test account with a started, crypto-enabled matrixClient. */
export interface TestUser extends RegisteredUser {
	matrixClient: MatrixClient;
}

/** Returns a user name that no earlier test used on this Synapse. */
export function uniqueUsername(role: string): string {
	return `${role}-${randomBytes(4).toString('hex')}`;
}

/** Registers an account through the shared-secret API of the test Synapse. */
export function registerTestUser(
	role: string,
	options: { admin?: boolean } = {}
): Promise<RegisteredUser> {
	const synapse = inject('synapse');
	return registerUser(synapse.baseUrl, synapse.registrationSharedSecret, {
		username: uniqueUsername(role),
		password: randomBytes(12).toString('base64url'),
		admin: options.admin
	});
}

/**
 * Creates a matrixClient for an existing device with in-memory Rust crypto
 * and waits for its first sync.
 */
export async function startTestClient(user: RegisteredUser): Promise<MatrixClient> {
	const synapse = inject('synapse');
	const matrixClient = await createMatrixClient(
		{
			homeserverUrl: synapse.baseUrl,
			userId: user.userId,
			deviceId: user.deviceId,
			accessToken: user.accessToken,
			cryptoStoreKey: randomBytes(32).toString('base64')
		},
		{ useIndexedDB: false }
	);
	await startMatrixClient(matrixClient);
	return matrixClient;
}

/** Registers an account and starts a matrixClient for it. */
export async function createTestUser(role: string): Promise<TestUser> {
	const user = await registerTestUser(role);
	return { ...user, matrixClient: await startTestClient(user) };
}

/** Resolves with the first value `check` returns that is not undefined, re-checking on every sync. */
export function waitFor<T>(
	matrixClient: MatrixClient,
	description: string,
	check: () => T | undefined,
	timeoutMs = 30_000
): Promise<T> {
	return new Promise((resolve, reject) => {
		const poll = (): void => {
			const value = check();
			if (value !== undefined) {
				cleanup();
				resolve(value);
			}
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`));
		}, timeoutMs);
		const interval = setInterval(poll, 200);
		const cleanup = (): void => {
			clearTimeout(timer);
			clearInterval(interval);
			matrixClient.off(ClientEvent.Sync, poll);
			matrixClient.off(RoomEvent.Timeline, poll);
			matrixClient.off(MatrixEventEvent.Decrypted, poll);
		};
		matrixClient.on(ClientEvent.Sync, poll);
		matrixClient.on(RoomEvent.Timeline, poll);
		matrixClient.on(MatrixEventEvent.Decrypted, poll);
		poll();
	});
}

/** Waits until the room has a decrypted `m.room.message` whose body is `body`. */
export function waitForMessage(
	matrixClient: MatrixClient,
	roomId: string,
	body: string
): Promise<MatrixEvent> {
	return waitFor(matrixClient, `message "${body}" in ${roomId}`, () => {
		const room: Room | null = matrixClient.getRoom(roomId);
		return room
			?.getLiveTimeline()
			.getEvents()
			.find((event) => event.getType() === 'm.room.message' && event.getContent().body === body);
	});
}

/** Stops a test user's matrixClient, ending its sync loop and crypto. */
export function stopTestUser(user: TestUser | undefined): void {
	user?.matrixClient.stopClient();
}
