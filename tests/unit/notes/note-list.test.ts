import { describe, expect, it } from 'vitest';
import {
	filterNotes,
	localDate,
	noteDate,
	readableVersions,
	type NoteListFilter
} from '../../../src/lib/notes/note-list.ts';
import { NotesSearchIndex } from '../../../src/lib/notes/search.ts';
import type { NoteVersion } from '../../../src/lib/notes/note-reader.ts';
import { CLIENT, OTHER_CLIENT, makeNote, makeVersion } from './note-fixtures.ts';

const all: NoteListFilter = { clientUserId: null, kind: 'all', from: '', to: '', query: '' };

const intake = makeVersion(
	makeNote({
		kind: 'intake',
		title: 'Intake',
		sessionDate: '2026-10-01',
		template: { type: 'free', text: 'Referred for insomnia.' }
	})
);
const progress = makeVersion(makeNote({ sessionDate: '2026-11-03' }));
const otherClient = makeVersion(
	makeNote({
		clientUserId: OTHER_CLIENT,
		sessionDate: '2026-11-20',
		template: { type: 'free', text: 'Insomnia again.' }
	})
);
const undated = makeVersion(
	makeNote({ sessionDate: null, createdAt: new Date(2026, 8, 15).getTime() })
);
const versions = [intake, progress, otherClient, undated];

function indexOf(list: typeof versions): NotesSearchIndex {
	const index = new NotesSearchIndex();
	for (const version of list) index.set(version.noteId, version.note);
	return index;
}

describe('filterNotes', () => {
	const index = indexOf(versions);

	it('lists every note, newest session first', () => {
		expect(filterNotes(versions, all, index)).toEqual([otherClient, progress, intake, undated]);
	});

	it('keeps one client', () => {
		const listed = filterNotes(versions, { ...all, clientUserId: CLIENT }, index);
		expect(listed).not.toContain(otherClient);
		expect(listed).toHaveLength(3);
	});

	it('filters by kind', () => {
		expect(filterNotes(versions, { ...all, kind: 'intake' }, index)).toEqual([intake]);
	});

	it('filters by date, both bounds included', () => {
		const listed = filterNotes(versions, { ...all, from: '2026-10-01', to: '2026-11-03' }, index);
		expect(listed).toEqual([progress, intake]);
	});

	it('files an undated note under the day it was created', () => {
		expect(noteDate(undated)).toBe('2026-09-15');
		expect(filterNotes(versions, { ...all, to: '2026-09-30' }, index)).toEqual([undated]);
	});

	it('searches one client or all', () => {
		expect(filterNotes(versions, { ...all, query: 'insom' }, index)).toHaveLength(2);
		expect(
			filterNotes(versions, { ...all, query: 'insomnia', clientUserId: CLIENT }, index)
		).toEqual([intake]);
		expect(filterNotes(versions, { ...all, query: 'nothing-like-this' }, index)).toEqual([]);
	});

	it('combines search with the kind filter', () => {
		expect(filterNotes(versions, { ...all, query: 'insomnia', kind: 'progress' }, index)).toEqual([
			otherClient
		]);
	});
});

describe('readableVersions', () => {
	it('leaves out deleted and damaged versions', () => {
		const mixed: NoteVersion[] = [
			progress,
			{ status: 'deleted', noteId: 'a', eventId: '$a', sentAt: 1 },
			{ status: 'damaged', noteId: 'b', eventId: '$b', sentAt: 1, reason: 'authentication_failed' }
		];
		expect(readableVersions(mixed)).toEqual([progress]);
	});
});

describe('localDate', () => {
	it('writes the local calendar date', () => {
		expect(localDate(new Date(2026, 0, 5, 23, 59).getTime())).toBe('2026-01-05');
	});
});
