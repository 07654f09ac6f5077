/** What went wrong in the notes layer, as a code the interface maps to one plain sentence. */
export type NotesErrorCode =
	/** Secret storage (4S) has no default key, so the notes key cannot be kept there. */
	| 'secret_storage_not_set_up'
	/** The keyring is in secret storage, but this device could not unlock it. */
	| 'notes_key_locked'
	/** A note was written with a key that this device does not have. */
	| 'notes_key_unknown'
	/** The keyring in secret storage or in a to-device message is malformed. */
	| 'notes_keyring_invalid'
	/** The notes room has a member other than the therapist, so nothing is written to it. */
	| 'notes_room_unsafe'
	| 'note_not_found'
	| 'note_deleted'
	/** The current version failed an integrity check; see {@link NoteDamageReason}. */
	| 'note_damaged'
	/** A signed note is locked; only addenda may be added. */
	| 'note_signed'
	/** Addenda belong to signed notes; an unsigned note is edited directly. */
	| 'note_not_signed'
	/** The note changed (on another device) since the revision the edit started from. */
	| 'note_conflict'
	/** The encrypted note would exceed the 64 KiB event size limit. */
	| 'note_too_large'
	/** The fields given for a note do not match the note schema. */
	| 'invalid_note'
	/** The device is not one of the therapist's own cross-signed devices. */
	| 'device_not_verified'
	/** The device has no encryption (initRustCrypto was not called). */
	| 'crypto_not_ready';

/** Error thrown by Alcove's notes layer; `code` selects the message shown to the user. */
export class NotesError extends Error {
	readonly code: NotesErrorCode;

	constructor(code: NotesErrorCode, message: string, options: { cause?: unknown } = {}) {
		super(message, { cause: options.cause });
		this.name = 'NotesError';
		this.code = code;
	}
}
