/**
 * Matrix identifiers of therapist notes, in Alcove's reverse-DNS namespace.
 *
 * Everything named here is visible to the homeserver: the room type, the event
 * type and the account data type of the secret. None of them carries clinical
 * content, and none says which client a note is about.
 */
import type { SecretInfo } from 'matrix-js-sdk/lib/secret-storage.js';

/** Room type (the `type` of `m.room.create`) of a therapist's notes room. */
export const NOTES_ROOM_TYPE = 'app.alcove.notes_room';

/**
 * State event type of one note. The state key is the note's random identifier,
 * and each edit replaces the state event, so the room's timeline keeps every
 * version.
 */
export const NOTE_EVENT_TYPE = 'app.alcove.note';

/**
 * Name of the secret in secret storage (4S) that contains the notes keyring:
 * every notes key the therapist has used, by key ID.
 */
export const NOTES_KEYRING_SECRET = 'app.alcove.notes_keyring.v1';

/** To-device message type in which one of the therapist's devices asks the others for the keyring. */
export const NOTES_KEY_REQUEST_TYPE = 'app.alcove.notes_key_request';

/** To-device message type that carries the keyring to one of the therapist's own devices. */
export const NOTES_KEY_SHARE_TYPE = 'app.alcove.notes_key_share';

/** Encrypted content of an `app.alcove.note` state event; see note-crypto.ts. */
export interface NoteEventContent {
	v: number;
	alg: string;
	key_id: string;
	iv: string;
	ciphertext: string;
}

// The SDK types sendStateEvent and secretStorage by event type, so custom
// types are declared to it here.
declare module 'matrix-js-sdk/lib/types' {
	interface StateEvents {
		[NOTE_EVENT_TYPE]: NoteEventContent;
	}
	interface SecretStorageAccountDataEvents {
		[NOTES_KEYRING_SECRET]: SecretInfo;
	}
}
