/**
 * The notes keyring: every AES-256 notes key the therapist has generated, by
 * key ID. New notes are written with the newest key; older keys are kept so
 * that notes and versions written before a rotation stay readable.
 *
 * The raw key bytes leave this module only through {@link NotesKeyring.serialize},
 * whose output goes into secret storage, into an Olm-encrypted to-device
 * message to one of the therapist's own devices, or into the device's
 * encrypted store. Never log it.
 */
import { z } from 'zod';
import { decodeBase64, encodeBase64, randomBase64Url } from './base64.ts';
import { importAesKey, type NotesKey } from './note-crypto.ts';
import { NotesError } from './errors.ts';

/** Format version of the serialized keyring. */
const KEYRING_VERSION = 1;

/** Key IDs are 96 random bits, unpadded base64url. */
const KEY_ID_BYTES = 12;
const keyIdPattern = /^[A-Za-z0-9_-]{16}$/;

const serializedKeyringSchema = z.strictObject({
	version: z.literal(KEYRING_VERSION),
	keys: z
		.record(
			z.string().regex(keyIdPattern),
			z.strictObject({
				/** 32 bytes, standard base64. */
				key: z.string().regex(/^[A-Za-z0-9+/]{43}=?$/),
				created_at: z.int().nonnegative()
			})
		)
		.refine((keys) => Object.keys(keys).length > 0, 'A keyring has at least one key.')
});

type SerializedKeyring = z.infer<typeof serializedKeyringSchema>;

interface KeyringEntry {
	key: NotesKey;
	raw: Uint8Array<ArrayBuffer>;
}

/** Returns true if `keyId` has the form of a notes key ID. */
export function isNotesKeyId(keyId: string): boolean {
	return keyIdPattern.test(keyId);
}

/** An immutable set of notes keys; the newest one encrypts new notes. */
export class NotesKeyring {
	readonly #entries: ReadonlyMap<string, KeyringEntry>;
	readonly #current: NotesKey;

	private constructor(entries: Map<string, KeyringEntry>) {
		this.#entries = entries;
		// The newest key is current. Deriving it instead of storing a pointer
		// makes merging two keyrings order-independent.
		let current: NotesKey | undefined;
		for (const { key } of entries.values()) {
			if (
				!current ||
				key.createdAt > current.createdAt ||
				(key.createdAt === current.createdAt && key.id > current.id)
			) {
				current = key;
			}
		}
		if (!current) throw new NotesError('notes_keyring_invalid', 'A keyring has at least one key');
		this.#current = current;
	}

	/** Generates a keyring with one new random key. */
	static async generate(now: number = Date.now()): Promise<NotesKeyring> {
		const entry = await generateEntry(now);
		return new NotesKeyring(new Map([[entry.key.id, entry]]));
	}

	/**
	 * Parses the output of {@link serialize}.
	 *
	 * @throws NotesError `notes_keyring_invalid` if the text is not a valid keyring.
	 */
	static async parse(serialized: string): Promise<NotesKeyring> {
		let parsed: SerializedKeyring;
		try {
			parsed = serializedKeyringSchema.parse(JSON.parse(serialized));
		} catch (error) {
			throw new NotesError('notes_keyring_invalid', 'The notes keyring is malformed', {
				cause: error
			});
		}
		const entries = new Map<string, KeyringEntry>();
		for (const [id, { key, created_at: createdAt }] of Object.entries(parsed.keys)) {
			const raw = decodeBase64(key);
			entries.set(id, { raw, key: { id, createdAt, cryptoKey: await importAesKey(raw) } });
		}
		return new NotesKeyring(entries);
	}

	/** The key that encrypts new notes and drafts. */
	get current(): NotesKey {
		return this.#current;
	}

	/** IDs of every key in the keyring. */
	get keyIds(): string[] {
		return [...this.#entries.keys()];
	}

	/** Returns the key with this ID, or undefined if the keyring does not have it. */
	get(keyId: string): NotesKey | undefined {
		return this.#entries.get(keyId)?.key;
	}

	/** Returns true if every key of `other` is also in this keyring. */
	contains(other: NotesKeyring): boolean {
		return other.keyIds.every((id) => this.#entries.has(id));
	}

	/** Returns a keyring with the keys of both; on a shared ID this keyring's key wins. */
	merge(other: NotesKeyring): NotesKeyring {
		const entries = new Map(other.#entries);
		for (const [id, entry] of this.#entries) entries.set(id, entry);
		return new NotesKeyring(entries);
	}

	/** Returns a keyring with a new current key, keeping every older key for reading. */
	async rotate(now: number = Date.now()): Promise<NotesKeyring> {
		const entry = await generateEntry(Math.max(now, this.#current.createdAt + 1));
		const entries = new Map(this.#entries);
		entries.set(entry.key.id, entry);
		return new NotesKeyring(entries);
	}

	/** Serializes every key with its raw bytes. The result is secret. */
	serialize(): string {
		const keys: SerializedKeyring['keys'] = {};
		for (const [id, { key, raw }] of this.#entries) {
			keys[id] = { key: encodeBase64(raw), created_at: key.createdAt };
		}
		return JSON.stringify({ version: KEYRING_VERSION, keys } satisfies SerializedKeyring);
	}
}

async function generateEntry(createdAt: number): Promise<KeyringEntry> {
	const raw = globalThis.crypto.getRandomValues(new Uint8Array(32));
	const id = randomBase64Url(KEY_ID_BYTES);
	return { raw, key: { id, createdAt, cryptoKey: await importAesKey(raw) } };
}
