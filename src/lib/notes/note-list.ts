/**
 * Selection of the notes list: one client's notes or everyone's, filtered by
 * kind and date and, with a query, by the on-device search index.
 */
import type { NoteVersion } from './note-reader.ts';
import type { NoteKind } from './note-schema.ts';
import type { ReadableNoteVersion } from './notes-service.ts';
import type { NotesSearchIndex } from './search.ts';

/** Filter of the notes list. Dates are `YYYY-MM-DD`, or empty for no bound. */
export interface NoteListFilter {
	/** Only the notes of this client, or of every client when null. */
	clientUserId: string | null;
	kind: NoteKind | 'all';
	from: string;
	to: string;
	/** Words to search for; empty lists every note, newest first. */
	query: string;
}

/** Returns the calendar date a note is filed under: its session date, or the day it was created. */
export function noteDate(version: ReadableNoteVersion): string {
	return version.note.sessionDate ?? localDate(version.note.createdAt);
}

/** Returns the `YYYY-MM-DD` date of a time in the device's time zone. */
export function localDate(milliseconds: number): string {
	const date = new Date(milliseconds);
	const month = String(date.getMonth() + 1).padStart(2, '0');
	const day = String(date.getDate()).padStart(2, '0');
	return `${date.getFullYear()}-${month}-${day}`;
}

/** Returns the readable versions among `versions`. */
export function readableVersions(versions: readonly NoteVersion[]): ReadableNoteVersion[] {
	return versions.filter((version): version is ReadableNoteVersion => version.status === 'ok');
}

/**
 * Returns the notes that pass the filter: best search match first when there
 * is a query, otherwise the newest session first.
 */
export function filterNotes(
	versions: readonly ReadableNoteVersion[],
	filter: NoteListFilter,
	index: NotesSearchIndex
): ReadableNoteVersion[] {
	const matches = versions.filter((version) => {
		const { note } = version;
		if (filter.clientUserId !== null && note.clientUserId !== filter.clientUserId) return false;
		if (filter.kind !== 'all' && note.kind !== filter.kind) return false;
		const date = noteDate(version);
		if (filter.from !== '' && date < filter.from) return false;
		if (filter.to !== '' && date > filter.to) return false;
		return true;
	});

	if (filter.query.trim() === '') {
		return matches.sort(
			(a, b) => noteDate(b).localeCompare(noteDate(a)) || b.note.updatedAt - a.note.updatedAt
		);
	}
	const hits = index.search(filter.query, {
		...(filter.clientUserId === null ? {} : { clientUserId: filter.clientUserId })
	});
	const rank = new Map(hits.map((hit, position) => [hit.noteId, position]));
	return matches
		.filter((version) => rank.has(version.noteId))
		.sort((a, b) => (rank.get(a.noteId) ?? 0) - (rank.get(b.noteId) ?? 0));
}
