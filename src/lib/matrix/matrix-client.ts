import {
	ClientEvent,
	createClient,
	HttpApiEvent,
	PendingEventOrdering,
	SyncState,
	type MatrixClient
} from 'matrix-js-sdk';
import type { CryptoCallbacks, DeviceIsolationMode } from 'matrix-js-sdk/lib/crypto-api';
import { AlcoveError } from './errors.ts';
import { logger } from './logger.ts';
import { cryptoDatabasePrefix, type Session } from './session.ts';

/** Event that the matrixClient emits when the server has ended the session. */
export const SESSION_LOGGED_OUT = HttpApiEvent.SessionLoggedOut;

/** Options for {@link createMatrixClient}. */
export interface MatrixClientOptions {
	/**
	 * Keeps the Rust crypto store in IndexedDB (the browser default). Node
	 * integration tests pass false, which keeps the device keys in memory only.
	 */
	useIndexedDB?: boolean;
	/**
	 * Callbacks through which the Rust crypto asks for the secret-storage key,
	 * for example `SecretStorageKeyCache.cryptoCallbacks` from crypto/. The SDK
	 * reads them once, when the matrixClient is created.
	 */
	cryptoCallbacks?: CryptoCallbacks;
	/**
	 * Which devices receive this device's room keys and whose messages it
	 * decrypts. It is set before the first sync, so no key is shared under the
	 * SDK's default first. Without it the SDK's default applies.
	 */
	deviceIsolationMode?: DeviceIsolationMode;
}

function decodeBase64(value: string): Uint8Array {
	return Uint8Array.from(atob(value), (character) => character.charCodeAt(0));
}

/**
 * Creates the matrixClient of a signed-in device and opens its Rust crypto
 * store. The store is keyed with the device's random `cryptoStoreKey`, so a
 * copy of IndexedDB alone does not reveal the device's Olm and Megolm keys.
 */
export async function createMatrixClient(
	session: Session,
	options: MatrixClientOptions = {}
): Promise<MatrixClient> {
	const matrixClient = createClient({
		baseUrl: session.homeserverUrl,
		userId: session.userId,
		deviceId: session.deviceId,
		accessToken: session.accessToken,
		timelineSupport: true,
		cryptoCallbacks: options.cryptoCallbacks
	});
	await matrixClient.initRustCrypto({
		useIndexedDB: options.useIndexedDB ?? true,
		cryptoDatabasePrefix: cryptoDatabasePrefix(session),
		storageKey: decodeBase64(session.cryptoStoreKey)
	});
	if (options.deviceIsolationMode) {
		matrixClient.getCrypto()?.setDeviceIsolationMode(options.deviceIsolationMode);
	}
	return matrixClient;
}

/**
 * Starts syncing and resolves after the first sync has been processed, when
 * the room list is complete. Rejects with `session_expired` if the server no
 * longer accepts the access token.
 */
export function startMatrixClient(
	matrixClient: MatrixClient,
	options: { initialSyncLimit?: number } = {}
): Promise<void> {
	return new Promise((resolve, reject) => {
		const onSync = (state: SyncState): void => {
			if (state === SyncState.Prepared || state === SyncState.Syncing) {
				matrixClient.off(ClientEvent.Sync, onSync);
				matrixClient.off(HttpApiEvent.SessionLoggedOut, onLoggedOut);
				resolve();
			}
		};
		const onLoggedOut = (): void => {
			matrixClient.off(ClientEvent.Sync, onSync);
			reject(new AlcoveError('session_expired', 'The homeserver rejected the access token'));
		};
		matrixClient.on(ClientEvent.Sync, onSync);
		matrixClient.once(HttpApiEvent.SessionLoggedOut, onLoggedOut);
		logger.debug('Starting sync', matrixClient.getUserId(), matrixClient.getDeviceId());
		matrixClient
			.startClient({
				initialSyncLimit: options.initialSyncLimit ?? 20,
				lazyLoadMembers: true,
				// Local echoes live in a separate list until the server confirms
				// them, so a failed message stays visible, marked, and can be sent again.
				pendingEventOrdering: PendingEventOrdering.Detached
			})
			.catch(reject);
	});
}
