/**
 * Device-local encrypted storage for the session (access token, crypto store
 * key) and for drafts.
 *
 * Threat model: someone who copies the browser profile's files, or reads
 * IndexedDB from outside the page, gets only AES-GCM ciphertext, because the
 * wrapping key is a non-extractable WebCrypto key that only this origin's
 * pages can use. It does not protect against script running in the page
 * itself; the Content Security Policy is the defence there. Signing out
 * deletes the whole database, key included.
 */
import { deleteDatabase, openKeyValueDatabase, requestResult } from './idb.ts';

/** Name of the IndexedDB database that holds the vault. */
export const VAULT_DATABASE = 'alcove-vault';
const STORE = 'entries';
const KEY_ENTRY = 'wrapping-key';

interface SealedValue {
	iv: Uint8Array<ArrayBuffer>;
	ciphertext: ArrayBuffer;
}

/** Encrypted key-value storage on this device, keyed by a non-extractable AES-GCM key. */
export class LocalVault {
	readonly #database: IDBDatabase;
	readonly #key: CryptoKey;

	private constructor(database: IDBDatabase, key: CryptoKey) {
		this.#database = database;
		this.#key = key;
	}

	/** Opens the vault, creating its wrapping key on first use. */
	static async open(): Promise<LocalVault> {
		const database = await openKeyValueDatabase(VAULT_DATABASE, STORE);
		const stored = await requestResult(
			database.transaction(STORE).objectStore(STORE).get(KEY_ENTRY)
		);
		if (stored instanceof CryptoKey) return new LocalVault(database, stored);

		const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
			'encrypt',
			'decrypt'
		]);
		await requestResult(
			database.transaction(STORE, 'readwrite').objectStore(STORE).put(key, KEY_ENTRY)
		);
		return new LocalVault(database, key);
	}

	/** Encrypts a JSON value and stores it under `name`. */
	async put(name: string, value: unknown): Promise<void> {
		const iv = crypto.getRandomValues(new Uint8Array(12));
		const plaintext = new TextEncoder().encode(JSON.stringify(value));
		const ciphertext = await crypto.subtle.encrypt(
			{ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(name) },
			this.#key,
			plaintext
		);
		const sealed: SealedValue = { iv, ciphertext };
		await requestResult(
			this.#database.transaction(STORE, 'readwrite').objectStore(STORE).put(sealed, `v:${name}`)
		);
	}

	/** Returns the decrypted value stored under `name`, or undefined if there is none. */
	async get(name: string): Promise<unknown> {
		const sealed = (await requestResult(
			this.#database.transaction(STORE).objectStore(STORE).get(`v:${name}`)
		)) as SealedValue | undefined;
		if (!sealed) return undefined;
		const plaintext = await crypto.subtle.decrypt(
			{ name: 'AES-GCM', iv: sealed.iv, additionalData: new TextEncoder().encode(name) },
			this.#key,
			sealed.ciphertext
		);
		return JSON.parse(new TextDecoder().decode(plaintext));
	}

	/** Removes the value stored under `name`. */
	async delete(name: string): Promise<void> {
		await requestResult(
			this.#database.transaction(STORE, 'readwrite').objectStore(STORE).delete(`v:${name}`)
		);
	}

	/** Closes the database connection. */
	close(): void {
		this.#database.close();
	}

	/** Deletes the vault database with its wrapping key. */
	static async destroy(vault?: LocalVault): Promise<void> {
		vault?.close();
		await deleteDatabase(VAULT_DATABASE);
	}
}
