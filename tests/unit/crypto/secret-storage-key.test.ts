import type { SecretStorage } from 'matrix-js-sdk';
import { describe, expect, it } from 'vitest';
import { SecretStorageKeyCache } from '../../../src/lib/matrix/crypto/secret-storage-key.ts';

const keyInfo: SecretStorage.SecretStorageKeyDescription = {
	name: 'Recovery key',
	algorithm: 'm.secret_storage.v1.aes-hmac-sha2',
	passphrase: { algorithm: 'm.pbkdf2', iterations: 1, salt: 'salt' },
	iv: 'aXY',
	mac: 'bWFj'
};

describe('SecretStorageKeyCache', () => {
	it('returns the cached key for a requested key ID', async () => {
		const cache = new SecretStorageKeyCache();
		cache.store('key-a', new Uint8Array(32).fill(7));

		const result = await cache.cryptoCallbacks.getSecretStorageKey?.(
			{ keys: { 'key-a': keyInfo } },
			'm.cross_signing.master'
		);

		expect(result?.[0]).toBe('key-a');
		expect(result?.[1]).toEqual(new Uint8Array(32).fill(7));
	});

	it('returns null when only another key is cached', async () => {
		const cache = new SecretStorageKeyCache();
		cache.store('key-a', new Uint8Array(32).fill(7));

		const result = await cache.cryptoCallbacks.getSecretStorageKey?.(
			{ keys: { 'key-b': keyInfo } },
			'm.megolm_backup.v1'
		);

		expect(result).toBeNull();
	});

	it('caches a key the SDK creates', () => {
		const cache = new SecretStorageKeyCache();

		cache.cryptoCallbacks.cacheSecretStorageKey?.('new-key', keyInfo, new Uint8Array(32));

		expect(cache.has('new-key')).toBe(true);
	});

	it('keeps its own copy of a stored key', async () => {
		const cache = new SecretStorageKeyCache();
		const key = new Uint8Array(32).fill(3);
		cache.store('key-a', key);

		key.fill(0);
		const result = await cache.cryptoCallbacks.getSecretStorageKey?.(
			{ keys: { 'key-a': keyInfo } },
			'm.megolm_backup.v1'
		);

		expect(result?.[1]).toEqual(new Uint8Array(32).fill(3));
	});

	it('overwrites keys on clear', async () => {
		const cache = new SecretStorageKeyCache();
		cache.store('key-a', new Uint8Array(32).fill(9));
		const handedOut = await cache.cryptoCallbacks.getSecretStorageKey?.(
			{ keys: { 'key-a': keyInfo } },
			'm.megolm_backup.v1'
		);

		cache.clear();

		expect(cache.has('key-a')).toBe(false);
		expect(handedOut?.[1]).toEqual(new Uint8Array(32));
	});
});
