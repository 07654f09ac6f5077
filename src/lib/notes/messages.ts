/**
 * Plain sentences for the notes layer's error codes and damage reasons, for
 * the notes screens. They say what happened and what to do, never raw
 * server text.
 */
import type { KeyShareRejectionReason } from './key-sharing.ts';
import type { NoteDamageReason } from './note-crypto.ts';
import { NotesError, type NotesErrorCode } from './errors.ts';

const errorMessages: Record<NotesErrorCode, string> = {
	secret_storage_not_set_up:
		'Set up your recovery key first. Notes are protected by a key that is kept with it.',
	notes_key_locked:
		'Enter your recovery key, or open Alcove on another of your verified devices, to unlock your notes.',
	notes_key_unknown:
		'This note was written with a newer notes key. Enter your recovery key to load it.',
	notes_keyring_invalid:
		'Your stored notes key could not be read. Enter your recovery key to load it again.',
	notes_room_unsafe:
		'Your notes room has another member, so Alcove will not write notes to it. Contact your practice.',
	note_not_found: 'This note does not exist.',
	note_deleted: 'This note has been deleted.',
	note_damaged: 'This note failed a security check and cannot be changed.',
	note_signed: 'This note is signed and locked. Add an addendum instead.',
	note_not_signed: 'Only signed notes take addenda. Edit the note instead.',
	note_conflict: 'This note was changed on another device. Reload it, then make your change again.',
	note_too_large: 'This note is too long to save. Shorten it or split it into several notes.',
	invalid_note: 'Some fields of this note are missing or invalid.',
	device_not_verified: 'That device is not one of your verified devices.',
	crypto_not_ready: 'Encryption is not ready yet. Wait a moment, then try again.'
};

const damageMessages: Record<NoteDamageReason, string> = {
	malformed_content: 'This note is damaged: its stored form is invalid.',
	unsupported_version:
		'This note was written by a newer version of Alcove. Update Alcove to read it.',
	unsupported_algorithm: 'This note uses an encryption method Alcove does not support.',
	unknown_key:
		'This note was written with a notes key this device does not have. Enter your recovery key to load it.',
	authentication_failed:
		'This note failed its integrity check: it was changed or moved after it was written.',
	malformed_plaintext: 'This note is damaged: its content is not in a form Alcove can read.',
	replayed: 'The server shows an older version of this note than one this device has already seen.',
	unexpected_sender: 'This note was not written by you, so it is not shown.'
};

const rejectionMessages: Record<KeyShareRejectionReason, string> = {
	not_encrypted: 'A notes key message arrived unencrypted and was ignored.',
	other_user: 'A notes key message from another account was ignored.',
	unknown_device: 'A notes key message from an unknown device was ignored.',
	device_not_verified: 'A notes key message from an unverified device was ignored.',
	malformed: 'A malformed notes key message was ignored.'
};

/** Returns the sentence for a notes error, or undefined for any other error. */
export function notesErrorMessage(error: unknown): string | undefined {
	return error instanceof NotesError ? errorMessages[error.code] : undefined;
}

/** Returns the sentence shown in place of a damaged note. */
export function noteDamageMessage(reason: NoteDamageReason): string {
	return damageMessages[reason];
}

/** Returns the sentence for an ignored key sharing message. */
export function keyShareRejectionMessage(reason: KeyShareRejectionReason): string {
	return rejectionMessages[reason];
}
