import type { Note } from '../../../src/lib/notes/note-schema.ts';
import type { ReadableNoteVersion } from '../../../src/lib/notes/notes-service.ts';

export const CLIENT = '@river:clinic.example';
export const OTHER_CLIENT = '@sky:clinic.example';
export const THERAPIST = '@dr.lane:clinic.example';
export const NOTES_ROOM = '!notesroomhash';
export const CARE_ROOM = '!careroomhash';

/** Returns a valid signed SOAP progress note, with `overrides` applied. */
export function makeNote(overrides: Partial<Note> = {}): Note {
	return {
		clientUserId: CLIENT,
		careRoomId: CARE_ROOM,
		kind: 'progress',
		class: 'record',
		title: 'Session 4',
		sessionDate: '2026-11-03',
		template: {
			type: 'soap',
			subjective: 'Reports sleeping better since the last session.',
			objective: 'Calm, good eye contact.',
			assessment: 'Anxiety symptoms decreasing.',
			plan: 'Continue weekly sessions.'
		},
		goals: [],
		status: 'signed',
		signedAt: 1_790_000_100_000,
		addenda: [],
		createdAt: 1_790_000_000_000,
		updatedAt: 1_790_000_100_000,
		revision: 2,
		...overrides
	};
}

let counter = 0;

/** Wraps a note as the readable current version the service would return. */
export function makeVersion(note: Note, noteId?: string): ReadableNoteVersion {
	counter += 1;
	return {
		status: 'ok',
		noteId: noteId ?? `note${String(counter).padStart(18, '0')}`,
		eventId: `$event${counter}`,
		sentAt: note.updatedAt,
		keyId: 'AAAAAAAAAAAAAAAA',
		note
	};
}
