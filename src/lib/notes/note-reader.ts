/**
 * Turns one `app.alcove.note` state event into a {@link NoteVersion}: the
 * decrypted, validated note, or the fact that it was deleted, or why it is
 * damaged. A damaged version never yields any of its content, so the
 * interface cannot show a note that failed a check.
 */
import type { MatrixEvent } from 'matrix-js-sdk';
import { NOTE_EVENT_TYPE } from './event-types.ts';
import type { NotesKeyring } from './keyring.ts';
import { decryptNoteContent, type NoteDamageReason } from './note-crypto.ts';
import { notePlaintextSchema, type Note } from './note-schema.ts';

/** The parts of a note state event the reader needs, from the SDK or from raw JSON. */
export interface RawNoteEvent {
	eventId: string;
	/** The state key, which is the note ID. */
	noteId: string;
	sender: string;
	/** `origin_server_ts`: when the therapist's server received the event, in ms. */
	sentAt: number;
	content: Record<string, unknown>;
	/** True if the event has been redacted; its content is then empty. */
	redacted: boolean;
}

/** Fields every version of a note has, whatever its status. */
interface NoteVersionBase {
	noteId: string;
	eventId: string;
	sentAt: number;
}

/** One version of a note as this device read it. */
export type NoteVersion =
	| (NoteVersionBase & {
			status: 'ok';
			/** ID of the notes key that encrypted this version. */
			keyId: string;
			note: Note;
	  })
	| (NoteVersionBase & {
			/** The content was removed by redaction (or is empty): the note was deleted. */
			status: 'deleted';
	  })
	| (NoteVersionBase & {
			status: 'damaged';
			reason: NoteDamageReason;
	  });

/** Converts a note state event from the SDK. */
export function rawNoteEventFromMatrixEvent(event: MatrixEvent): RawNoteEvent {
	return {
		eventId: event.getId() ?? '',
		noteId: event.getStateKey() ?? '',
		sender: event.getSender() ?? '',
		sentAt: event.getTs(),
		content: event.getContent(),
		redacted: event.isRedacted()
	};
}

/**
 * Converts a note state event in client-server API JSON (from `/messages`).
 *
 * @returns undefined for any event that is not a note state event.
 */
export function rawNoteEventFromJson(event: Record<string, unknown>): RawNoteEvent | undefined {
	const { type, state_key: stateKey, event_id: eventId, sender, origin_server_ts: sentAt } = event;
	if (type !== NOTE_EVENT_TYPE || typeof stateKey !== 'string') return undefined;
	if (typeof eventId !== 'string' || typeof sender !== 'string' || typeof sentAt !== 'number') {
		return undefined;
	}
	const content =
		typeof event.content === 'object' && event.content !== null && !Array.isArray(event.content)
			? (event.content as Record<string, unknown>)
			: {};
	const unsigned = event.unsigned as Record<string, unknown> | undefined;
	return {
		eventId,
		noteId: stateKey,
		sender,
		sentAt,
		content,
		redacted: unsigned?.redacted_because !== undefined
	};
}

/** Context a note event is checked against. */
export interface NoteReadContext {
	roomId: string;
	/** The therapist, creator of the notes room; no one else writes notes. */
	ownerUserId: string;
	keyring: NotesKeyring;
}

/**
 * Decrypts and validates one version. Replay is not judged here, because it
 * depends on what else the device has seen; see revision-marks.ts.
 */
export async function readNoteVersion(
	event: RawNoteEvent,
	context: NoteReadContext
): Promise<NoteVersion> {
	const base = { noteId: event.noteId, eventId: event.eventId, sentAt: event.sentAt };
	if (event.redacted || Object.keys(event.content).length === 0) {
		return { ...base, status: 'deleted' };
	}
	if (event.sender !== context.ownerUserId) {
		return { ...base, status: 'damaged', reason: 'unexpected_sender' };
	}

	const decrypted = await decryptNoteContent(event.content, (keyId) => context.keyring.get(keyId), {
		roomId: context.roomId,
		eventType: NOTE_EVENT_TYPE,
		stateKey: event.noteId
	});
	if (!decrypted.ok) return { ...base, status: 'damaged', reason: decrypted.reason };

	const parsed = notePlaintextSchema.safeParse(decrypted.json);
	if (!parsed.success) return { ...base, status: 'damaged', reason: 'malformed_plaintext' };
	return { ...base, status: 'ok', keyId: decrypted.keyId, note: parsed.data };
}
