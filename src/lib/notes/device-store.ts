/**
 * The notes layer's storage on one device, in its own IndexedDB database:
 * the cached keyring, the revision marks (see revision-marks.ts) and the
 * encrypted drafts (see drafts.ts).
 *
 * Threat model: someone who copies the browser profile, or reads IndexedDB
 * from outside the page, finds only AES-GCM ciphertext. The keyring and marks
 * are sealed with a non-extractable WebCrypto key that this database keeps and
 * only this origin's pages can use; drafts are sealed with the notes key.
 * Script running in the page itself can use both keys, which the Content
 * Security Policy has to prevent. Deleting the database (sign-out, or the
 * browser clearing site data) loses the cached keyring, which is then loaded
 * again from secret storage or from another of the therapist's devices.
 */
import { logger } from '../matrix/logger.ts';
import { aesGcmDecrypt, aesGcmEncrypt, decodePaddedJson, encodePaddedJson } from './note-crypto.ts';

const DATABASE_VERSION = 1;
const LOCAL_STORE = 'local';
const DRAFT_STORE = 'drafts';
const WRAPPING_KEY_ENTRY = 'wrapping-key';

const encoder = new TextEncoder();

/** Where the device store lives. */
export interface NotesDeviceStoreOptions {
	userId: string;
	deviceId: string;
	/** IndexedDB implementation; the browser's by default, fake-indexeddb in Node tests. */
	indexedDB?: IDBFactory;
}

/** A draft as stored: already encrypted with the notes key by drafts.ts. */
export interface StoredDraftRecord {
	draftId: string;
	v: number;
	keyId: string;
	iv: string;
	ciphertext: string;
}

interface SealedEntry {
	iv: Uint8Array<ArrayBuffer>;
	ciphertext: Uint8Array<ArrayBuffer>;
}

/** Name of the IndexedDB database of one device of one user. */
export function notesDatabaseName(userId: string, deviceId: string): string {
	return `alcove-notes:${userId}:${deviceId}`;
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
	});
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
	return new Promise((resolve, reject) => {
		transaction.oncomplete = () => resolve();
		transaction.onerror = () =>
			reject(transaction.error ?? new Error('IndexedDB transaction failed'));
		transaction.onabort = () =>
			reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
	});
}

function factoryOf(options: NotesDeviceStoreOptions): IDBFactory {
	const factory = options.indexedDB ?? globalThis.indexedDB;
	if (!factory) throw new Error('IndexedDB is not available; pass an IDBFactory');
	return factory;
}

/** Encrypted key-value storage of the notes layer on this device. */
export class NotesDeviceStore {
	readonly #database: IDBDatabase;
	readonly #wrappingKey: CryptoKey;

	private constructor(database: IDBDatabase, wrappingKey: CryptoKey) {
		this.#database = database;
		this.#wrappingKey = wrappingKey;
	}

	/** Opens the store, creating the database and its wrapping key on first use. */
	static async open(options: NotesDeviceStoreOptions): Promise<NotesDeviceStore> {
		const request = factoryOf(options).open(
			notesDatabaseName(options.userId, options.deviceId),
			DATABASE_VERSION
		);
		request.onupgradeneeded = () => {
			request.result.createObjectStore(LOCAL_STORE);
			request.result.createObjectStore(DRAFT_STORE, { keyPath: 'draftId' });
		};
		const database = await requestResult(request);
		// Sign-out deletes every database of the origin, and a deletion waits
		// until all connections are closed; this one closes when asked.
		database.onversionchange = () => database.close();

		const stored = await requestResult(
			database.transaction(LOCAL_STORE).objectStore(LOCAL_STORE).get(WRAPPING_KEY_ENTRY)
		);
		if (stored instanceof CryptoKey) return new NotesDeviceStore(database, stored);

		const wrappingKey = await globalThis.crypto.subtle.generateKey(
			{ name: 'AES-GCM', length: 256 },
			/* extractable */ false,
			['encrypt', 'decrypt']
		);
		const transaction = database.transaction(LOCAL_STORE, 'readwrite');
		transaction.objectStore(LOCAL_STORE).put(wrappingKey, WRAPPING_KEY_ENTRY);
		await transactionDone(transaction);
		return new NotesDeviceStore(database, wrappingKey);
	}

	/** Deletes the whole database of a device: cached keyring, marks and drafts. */
	static delete(options: NotesDeviceStoreOptions): Promise<void> {
		return new Promise((resolve, reject) => {
			const request = factoryOf(options).deleteDatabase(
				notesDatabaseName(options.userId, options.deviceId)
			);
			request.onsuccess = () => resolve();
			request.onerror = () =>
				reject(request.error ?? new Error('Could not delete the notes store'));
		});
	}

	/** Closes the database connection; the store cannot be used afterwards. */
	close(): void {
		this.#database.close();
	}

	/** Encrypts a JSON value with the wrapping key and stores it under `name`. */
	async put(name: string, value: unknown): Promise<void> {
		const sealed: SealedEntry = await aesGcmEncrypt(
			this.#wrappingKey,
			encodePaddedJson(value),
			encoder.encode(`app.alcove.notes_device_store:${name}`)
		);
		const transaction = this.#database.transaction(LOCAL_STORE, 'readwrite');
		transaction.objectStore(LOCAL_STORE).put(sealed, `v:${name}`);
		await transactionDone(transaction);
	}

	/**
	 * Returns the decrypted value stored under `name`, or undefined if there is
	 * none or it cannot be decrypted (which is logged).
	 */
	async get(name: string): Promise<unknown> {
		const sealed = (await requestResult(
			this.#database.transaction(LOCAL_STORE).objectStore(LOCAL_STORE).get(`v:${name}`)
		)) as SealedEntry | undefined;
		if (!sealed) return undefined;
		try {
			return decodePaddedJson(
				await aesGcmDecrypt(
					this.#wrappingKey,
					sealed.iv,
					sealed.ciphertext,
					encoder.encode(`app.alcove.notes_device_store:${name}`)
				)
			);
		} catch (error) {
			logger.warn('Notes device store: an entry failed to decrypt', name, String(error));
			return undefined;
		}
	}

	/** Removes the value stored under `name`. */
	async delete(name: string): Promise<void> {
		const transaction = this.#database.transaction(LOCAL_STORE, 'readwrite');
		transaction.objectStore(LOCAL_STORE).delete(`v:${name}`);
		await transactionDone(transaction);
	}

	/** Stores an encrypted draft, replacing one with the same ID. */
	async putDraft(record: StoredDraftRecord): Promise<void> {
		const transaction = this.#database.transaction(DRAFT_STORE, 'readwrite');
		transaction.objectStore(DRAFT_STORE).put(record);
		await transactionDone(transaction);
	}

	/** Returns the encrypted draft with this ID, or undefined. */
	async getDraft(draftId: string): Promise<StoredDraftRecord | undefined> {
		return (await requestResult(
			this.#database.transaction(DRAFT_STORE).objectStore(DRAFT_STORE).get(draftId)
		)) as StoredDraftRecord | undefined;
	}

	/** Returns every encrypted draft. */
	async listDrafts(): Promise<StoredDraftRecord[]> {
		return (await requestResult(
			this.#database.transaction(DRAFT_STORE).objectStore(DRAFT_STORE).getAll()
		)) as StoredDraftRecord[];
	}

	/** Removes the draft with this ID, if there is one. */
	async deleteDraft(draftId: string): Promise<void> {
		const transaction = this.#database.transaction(DRAFT_STORE, 'readwrite');
		transaction.objectStore(DRAFT_STORE).delete(draftId);
		await transactionDone(transaction);
	}
}
