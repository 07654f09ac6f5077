/**
 * Encryption of note content with AES-256-GCM (WebCrypto).
 *
 * Threat model: the homeserver, its administrator and anyone who reads the
 * database see each note's state event. They must learn nothing from its
 * content but its rough size, and must not be able to change, move or swap a
 * note unnoticed. So each event carries only `{ v, alg, key_id, iv, ciphertext }`.
 * The additional authenticated data (AAD) binds the ciphertext to the room ID,
 * event type, state key, content version and key ID. A ciphertext copied into
 * another note, another room or under another key ID therefore fails the GCM
 * tag check. Replay of an older version of the same note is not caught here,
 * because that ciphertext is authentic. The reader compares the revision
 * inside it instead (see revision-marks.ts).
 */
import { decodeBase64, encodeBase64 } from './base64.ts';
import type { NoteEventContent } from './event-types.ts';

/** Version of the event content: this envelope, this AAD layout and the plaintext schema. */
export const NOTE_CONTENT_VERSION = 1;

/** JOSE name of the only algorithm of version 1 (RFC 7518 section 5.1). */
export const NOTE_ALGORITHM = 'A256GCM';

/** 96-bit IVs, the length GCM is specified for (NIST SP 800-38D section 8.2). */
const IV_LENGTH = 12;

/** GCM tag length in bytes; WebCrypto appends the tag to the ciphertext. */
const TAG_LENGTH = 16;

/**
 * Plaintexts are padded with JSON whitespace to a multiple of this many
 * bytes, so the ciphertext length reveals to the server only the size bucket.
 */
const PADDING_BLOCK = 256;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Location of a note's ciphertext. All three parts are bound into the AAD. */
export interface NoteLocation {
	roomId: string;
	eventType: string;
	stateKey: string;
}

/** One AES-256-GCM key of the notes keyring. */
export interface NotesKey {
	/** Opaque identifier, written into every event as `key_id`. */
	readonly id: string;
	/** When the key was generated, in milliseconds since the Unix epoch. */
	readonly createdAt: number;
	readonly cryptoKey: CryptoKey;
}

/**
 * Returns the AAD of a note: a JSON array, so no choice of room ID or state
 * key can make two different locations serialize to the same bytes.
 */
export function noteAdditionalData(
	location: NoteLocation,
	version: number,
	keyId: string
): Uint8Array<ArrayBuffer> {
	return encoder.encode(
		JSON.stringify([
			'app.alcove.note',
			version,
			location.roomId,
			location.eventType,
			location.stateKey,
			keyId
		])
	);
}

/** Imports 32 raw bytes as a non-extractable AES-GCM key. */
export function importAesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
	if (raw.length !== 32) throw new TypeError(`An AES-256 key has 32 bytes, not ${raw.length}`);
	return globalThis.crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Encrypts `plaintext` with a fresh random IV. */
export async function aesGcmEncrypt(
	key: CryptoKey,
	plaintext: Uint8Array<ArrayBuffer>,
	additionalData: Uint8Array<ArrayBuffer>
): Promise<{ iv: Uint8Array<ArrayBuffer>; ciphertext: Uint8Array<ArrayBuffer> }> {
	const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_LENGTH));
	const ciphertext = await globalThis.crypto.subtle.encrypt(
		{ name: 'AES-GCM', iv, additionalData, tagLength: TAG_LENGTH * 8 },
		key,
		plaintext
	);
	return { iv, ciphertext: new Uint8Array(ciphertext) };
}

/**
 * Decrypts and authenticates `ciphertext`.
 *
 * @throws DOMException `OperationError` if the tag does not match: a changed
 *   byte, another AAD or another key.
 */
export async function aesGcmDecrypt(
	key: CryptoKey,
	iv: Uint8Array<ArrayBuffer>,
	ciphertext: Uint8Array<ArrayBuffer>,
	additionalData: Uint8Array<ArrayBuffer>
): Promise<Uint8Array<ArrayBuffer>> {
	const plaintext = await globalThis.crypto.subtle.decrypt(
		{ name: 'AES-GCM', iv, additionalData, tagLength: TAG_LENGTH * 8 },
		key,
		ciphertext
	);
	return new Uint8Array(plaintext);
}

/** Serializes a value as JSON padded with trailing spaces to the next {@link PADDING_BLOCK}. */
export function encodePaddedJson(value: unknown): Uint8Array<ArrayBuffer> {
	const json = encoder.encode(JSON.stringify(value));
	const paddedLength = Math.ceil((json.length + 1) / PADDING_BLOCK) * PADDING_BLOCK;
	const padded = new Uint8Array(paddedLength).fill(0x20);
	padded.set(json);
	return padded;
}

/**
 * Decodes strict UTF-8 and parses JSON; the padding is JSON whitespace.
 *
 * @throws TypeError for invalid UTF-8, SyntaxError for invalid JSON.
 */
export function decodePaddedJson(bytes: Uint8Array): unknown {
	return JSON.parse(decoder.decode(bytes));
}

/**
 * Encrypts already serialized note bytes into event content for `location`.
 * Exposed separately from {@link encryptNote} so that tests can seal
 * plaintexts that the schema would reject.
 */
export async function encryptNoteBytes(
	plaintext: Uint8Array<ArrayBuffer>,
	key: NotesKey,
	location: NoteLocation
): Promise<NoteEventContent> {
	const { iv, ciphertext } = await aesGcmEncrypt(
		key.cryptoKey,
		plaintext,
		noteAdditionalData(location, NOTE_CONTENT_VERSION, key.id)
	);
	return {
		v: NOTE_CONTENT_VERSION,
		alg: NOTE_ALGORITHM,
		key_id: key.id,
		iv: encodeBase64(iv),
		ciphertext: encodeBase64(ciphertext)
	};
}

/** Encrypts a note's plaintext (already validated by the caller) into event content. */
export function encryptNote(
	note: unknown,
	key: NotesKey,
	location: NoteLocation
): Promise<NoteEventContent> {
	return encryptNoteBytes(encodePaddedJson(note), key, location);
}

/** Why stored content could not be turned into a note. */
export type NoteDamageReason =
	/** The content is not an object with the version 1 fields and types. */
	| 'malformed_content'
	/** `v` is a version this client does not know. */
	| 'unsupported_version'
	/** `alg` is not A256GCM. */
	| 'unsupported_algorithm'
	/** `key_id` names a key that is not in this device's keyring. */
	| 'unknown_key'
	/**
	 * The GCM tag did not verify: a changed byte, a ciphertext copied from
	 * another note or room, or a `key_id` that was swapped.
	 */
	| 'authentication_failed'
	/** The plaintext decrypted, but is not valid UTF-8 JSON matching the note schema. */
	| 'malformed_plaintext'
	/**
	 * The note is authentic but older than a version this device has already
	 * seen: the server shows an old version as current.
	 */
	| 'replayed'
	/** The event was not sent by the therapist who owns the notes room. */
	| 'unexpected_sender';

/** Result of decrypting note content: the parsed JSON, or why it failed. */
export type DecryptedNoteJson =
	{ ok: true; json: unknown; keyId: string } | { ok: false; reason: NoteDamageReason };

const ivPattern = /^[A-Za-z0-9+/]{16}$/;

/**
 * Checks the envelope, finds the key and decrypts. The plaintext is not yet
 * validated against the note schema; see note-reader.ts.
 */
export async function decryptNoteContent(
	content: Record<string, unknown>,
	findKey: (keyId: string) => NotesKey | undefined,
	location: NoteLocation
): Promise<DecryptedNoteJson> {
	const { v, alg, key_id: keyId, iv, ciphertext } = content;

	// The version decides how the rest is read, so it is checked first.
	if (typeof v !== 'number') return { ok: false, reason: 'malformed_content' };
	if (v !== NOTE_CONTENT_VERSION) return { ok: false, reason: 'unsupported_version' };

	if (
		Object.keys(content).some(
			(field) => !['v', 'alg', 'key_id', 'iv', 'ciphertext'].includes(field)
		)
	) {
		return { ok: false, reason: 'malformed_content' };
	}
	if (typeof alg !== 'string' || typeof keyId !== 'string') {
		return { ok: false, reason: 'malformed_content' };
	}
	if (alg !== NOTE_ALGORITHM) return { ok: false, reason: 'unsupported_algorithm' };
	if (typeof iv !== 'string' || !ivPattern.test(iv) || typeof ciphertext !== 'string') {
		return { ok: false, reason: 'malformed_content' };
	}

	let ivBytes: Uint8Array<ArrayBuffer>;
	let ciphertextBytes: Uint8Array<ArrayBuffer>;
	try {
		ivBytes = decodeBase64(iv);
		ciphertextBytes = decodeBase64(ciphertext);
	} catch {
		return { ok: false, reason: 'malformed_content' };
	}
	if (ciphertextBytes.length < TAG_LENGTH) return { ok: false, reason: 'malformed_content' };

	const key = findKey(keyId);
	if (!key) return { ok: false, reason: 'unknown_key' };

	let plaintext: Uint8Array;
	try {
		plaintext = await aesGcmDecrypt(
			key.cryptoKey,
			ivBytes,
			ciphertextBytes,
			noteAdditionalData(location, v, keyId)
		);
	} catch {
		return { ok: false, reason: 'authentication_failed' };
	}

	try {
		return { ok: true, json: decodePaddedJson(plaintext), keyId };
	} catch {
		return { ok: false, reason: 'malformed_plaintext' };
	}
}
