/**
 * Where the notes keyring is kept: in the therapist's secret storage (4S), so
 * any of the therapist's devices unlocked with the recovery key can load it,
 * and cached in the device store, so a device does not ask for the recovery
 * key at every start.
 *
 * 4S stores the keyring as account data encrypted under the 4S key (AES-CTR
 * and HMAC-SHA-256, keys derived with HKDF from the 4S key and the secret
 * name; https://spec.matrix.org/v1.16/client-server-api/#msecret_storagev1aes-hmac-sha2).
 * The server sees that the account data type exists and when it changes.
 * The SDK does not hand custom secrets to a newly verified device; key-sharing.ts
 * does that over to-device messages.
 */
import { ConnectionError, MatrixError, type MatrixClient } from 'matrix-js-sdk';
import { logger } from '../matrix/logger.ts';
import { toAlcoveError } from '../matrix/login.ts';
import type { NotesDeviceStore } from './device-store.ts';
import { NotesError } from './errors.ts';
import { NOTES_KEYRING_SECRET } from './event-types.ts';
import { NotesKeyring } from './keyring.ts';

const KEYRING_ENTRY = 'keyring';

/** Returns the keyring cached on this device, or undefined. */
export async function loadCachedKeyring(
	store: NotesDeviceStore | undefined
): Promise<NotesKeyring | undefined> {
	const serialized = await store?.get(KEYRING_ENTRY);
	if (typeof serialized !== 'string') return undefined;
	try {
		return await NotesKeyring.parse(serialized);
	} catch (error) {
		logger.warn('Notes: the cached keyring is invalid and is ignored', String(error));
		return undefined;
	}
}

/** Caches a keyring on this device, merged with the one already cached. */
export async function cacheKeyring(
	store: NotesDeviceStore | undefined,
	keyring: NotesKeyring
): Promise<NotesKeyring> {
	const cached = await loadCachedKeyring(store);
	const merged = cached ? keyring.merge(cached) : keyring;
	await store?.put(KEYRING_ENTRY, merged.serialize());
	return merged;
}

/** Removes the cached keyring from this device; secret storage keeps its copy. */
export async function forgetCachedKeyring(store: NotesDeviceStore): Promise<void> {
	await store.delete(KEYRING_ENTRY);
}

/** Returns true if the account has a notes keyring in secret storage, without decrypting it. */
export async function hasKeyringInSecretStorage(matrixClient: MatrixClient): Promise<boolean> {
	const content = await matrixClient.getAccountDataFromServer(NOTES_KEYRING_SECRET);
	return !!content?.encrypted && Object.keys(content.encrypted).length > 0;
}

/**
 * Reads the keyring from secret storage. The SDK asks the application for
 * the 4S key through `cryptoCallbacks.getSecretStorageKey`.
 *
 * @returns The keyring, or undefined if the account has none.
 * @throws NotesError `notes_key_locked` if the 4S key was not given or does
 *   not decrypt it, `notes_keyring_invalid` if it is malformed; AlcoveError
 *   for a network failure.
 */
export async function readKeyringFromSecretStorage(
	matrixClient: MatrixClient
): Promise<NotesKeyring | undefined> {
	if (!(await hasKeyringInSecretStorage(matrixClient))) return undefined;
	let serialized: string | undefined;
	try {
		serialized = await matrixClient.secretStorage.get(NOTES_KEYRING_SECRET);
	} catch (error) {
		if (error instanceof MatrixError || error instanceof ConnectionError) {
			throw toAlcoveError(error, 'Reading the notes keyring');
		}
		throw new NotesError('notes_key_locked', 'Secret storage could not be unlocked', {
			cause: error
		});
	}
	if (serialized === undefined) return undefined;
	return NotesKeyring.parse(serialized);
}

/**
 * Writes the keyring to secret storage, merged with the keyring already there
 * so that no key written by another device is lost.
 *
 * @returns The keyring that was stored.
 * @throws NotesError `secret_storage_not_set_up` if 4S has no default key,
 *   `notes_key_locked` if it cannot be unlocked.
 */
export async function storeKeyringInSecretStorage(
	matrixClient: MatrixClient,
	keyring: NotesKeyring
): Promise<NotesKeyring> {
	if (!(await matrixClient.secretStorage.getDefaultKeyId())) {
		throw new NotesError(
			'secret_storage_not_set_up',
			'Secret storage has no default key; set up the recovery key first'
		);
	}
	const stored = await readKeyringFromSecretStorage(matrixClient);
	const merged = stored ? keyring.merge(stored) : keyring;
	if (stored?.contains(merged)) return stored;
	try {
		await matrixClient.secretStorage.store(NOTES_KEYRING_SECRET, merged.serialize());
	} catch (error) {
		if (error instanceof MatrixError || error instanceof ConnectionError) {
			throw toAlcoveError(error, 'Storing the notes keyring');
		}
		throw new NotesError('notes_key_locked', 'Secret storage could not be unlocked', {
			cause: error
		});
	}
	logger.info('Notes: stored the keyring in secret storage', merged.keyIds.length, 'key(s)');
	return merged;
}

/**
 * Returns the notes keyring for this device: the cached copy if there is one,
 * otherwise the copy in secret storage (which asks for the 4S key), otherwise,
 * on the therapist's very first use, a new keyring. A new keyring is stored in
 * secret storage before it is used, so no note is ever written with a key that
 * exists on one device only.
 *
 * @throws NotesError `notes_key_locked` if the keyring exists but 4S could not
 *   be unlocked (ask for the recovery key, or request the keyring from another
 *   device with key-sharing.ts); `secret_storage_not_set_up` on first use
 *   without 4S.
 */
export async function loadNotesKeyring(
	matrixClient: MatrixClient,
	store: NotesDeviceStore | undefined
): Promise<NotesKeyring> {
	const cached = await loadCachedKeyring(store);
	if (cached) return cached;

	const stored = await readKeyringFromSecretStorage(matrixClient);
	if (stored) {
		logger.info('Notes: loaded the keyring from secret storage');
		return cacheKeyring(store, stored);
	}

	const generated = await storeKeyringInSecretStorage(matrixClient, await NotesKeyring.generate());
	logger.info('Notes: created the notes keyring');
	return cacheKeyring(store, generated);
}

/**
 * Reads secret storage again and merges its keyring into the cached one, for
 * when a note names a key that another device added by rotation.
 */
export async function refreshNotesKeyring(
	matrixClient: MatrixClient,
	store: NotesDeviceStore | undefined,
	keyring: NotesKeyring
): Promise<NotesKeyring> {
	const stored = await readKeyringFromSecretStorage(matrixClient);
	return stored ? cacheKeyring(store, keyring.merge(stored)) : keyring;
}

/**
 * Adds a new current notes key and stores the keyring in secret storage and
 * on this device. Older keys are kept, so every older note stays readable.
 * After a suspected leak of one key, notes written after the rotation are out
 * of that key's reach (the leak of the whole keyring is not undone by this).
 * Other devices pick up the new key from secret storage when they meet a note
 * written with it, or from a to-device share.
 */
export async function rotateNotesKey(
	matrixClient: MatrixClient,
	store: NotesDeviceStore | undefined,
	keyring: NotesKeyring
): Promise<NotesKeyring> {
	const rotated = await keyring.rotate();
	const stored = await storeKeyringInSecretStorage(matrixClient, rotated);
	logger.info('Notes: rotated the notes key');
	return cacheKeyring(store, stored);
}
