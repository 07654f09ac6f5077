/**
 * Threat model: the secret-storage key (the key behind the recovery key) decrypts
 * every secret the account keeps on the server: the cross-signing private keys
 * and the key-backup key, and through them every room key. Whoever holds it can
 * act as the user's verified identity. This cache therefore keeps the key in
 * memory only, never in IndexedDB, account data or logs, and `clear()` overwrites
 * it. The server only ever sees the secrets encrypted under it
 * (https://spec.matrix.org/v1.16/client-server-api/#storage).
 */
import type { CryptoCallbacks } from 'matrix-js-sdk/lib/crypto-api';
import { logger } from '../logger.ts';

const log = logger.getChild('[SecretStorageKey]');

/**
 * In-memory cache of the secret-storage key of one signed-in device.
 *
 * Pass `cryptoCallbacks` to `createMatrixClient` when the matrixClient is
 * created: the SDK reads the callbacks only then. Bootstrapping fills the cache
 * through `cacheSecretStorageKey` when it creates a new key; recovery fills it
 * with `store()` once the user's recovery key has been checked.
 */
export class SecretStorageKeyCache {
	readonly #keys = new Map<string, Uint8Array<ArrayBuffer>>();

	/** Callbacks for `createClient({ cryptoCallbacks })`, bound to this cache. */
	readonly cryptoCallbacks: CryptoCallbacks = {
		getSecretStorageKey: async ({ keys }, secretName) => {
			for (const keyId of Object.keys(keys)) {
				const key = this.#keys.get(keyId);
				if (key) return [keyId, key];
			}
			// The SDK turns null into an error of the operation that needed the
			// secret, so the operation fails instead of creating new keys.
			log.debug('No cached secret-storage key for secret', secretName);
			return null;
		},
		cacheSecretStorageKey: (keyId, _keyInfo, key) => {
			this.store(keyId, key);
		}
	};

	/** Caches a checked secret-storage key under its key ID. */
	store(keyId: string, key: Uint8Array<ArrayBuffer>): void {
		this.#keys.get(keyId)?.fill(0);
		// A copy, so wiping the cache cannot change a buffer the caller still uses.
		this.#keys.set(keyId, new Uint8Array(key));
		log.debug('Cached secret-storage key', keyId);
	}

	/** Returns true if the key with this ID is cached. */
	has(keyId: string): boolean {
		return this.#keys.has(keyId);
	}

	/** Overwrites and forgets every cached key, for example on sign-out. */
	clear(): void {
		for (const key of this.#keys.values()) key.fill(0);
		this.#keys.clear();
	}
}
