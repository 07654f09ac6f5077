import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { NotesDeviceStore } from '../../../src/lib/notes/device-store.ts';
import { NOTE_EVENT_TYPE } from '../../../src/lib/notes/event-types.ts';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import { encryptNote } from '../../../src/lib/notes/note-crypto.ts';
import { readNoteVersion } from '../../../src/lib/notes/note-reader.ts';
import { RevisionMarks } from '../../../src/lib/notes/revision-marks.ts';
import { makeNote, NOTES_ROOM, THERAPIST } from './note-fixtures.ts';

const NOTE_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

describe('RevisionMarks', () => {
	it('detects a replayed older version', async () => {
		const keyring = await NotesKeyring.generate();
		const location = { roomId: NOTES_ROOM, eventType: NOTE_EVENT_TYPE, stateKey: NOTE_ID };
		const first = await encryptNote(makeNote({ revision: 1 }), keyring.current, location);
		const second = await encryptNote(makeNote({ revision: 2 }), keyring.current, location);
		const context = { roomId: NOTES_ROOM, ownerUserId: THERAPIST, keyring };
		const event = (eventId: string, content: object) => ({
			eventId,
			noteId: NOTE_ID,
			sender: THERAPIST,
			sentAt: 0,
			content: content as Record<string, unknown>,
			redacted: false
		});
		const marks = await RevisionMarks.load(undefined, NOTES_ROOM);

		// The device reads revision 2, then the server shows revision 1 again.
		// Both decrypt: the old ciphertext is authentic for this location.
		const current = await readNoteVersion(event('$second', second), context);
		if (current.status !== 'ok') throw new Error('Revision 2 did not decrypt');
		marks.observe(NOTE_ID, current.note.revision, current.eventId);
		const replayed = await readNoteVersion(event('$replay', first), context);

		expect(replayed).toMatchObject({ status: 'ok', note: { revision: 1 } });
		expect(marks.isReplay(NOTE_ID, 1)).toBe(true);
		expect(marks.isReplay(NOTE_ID, 2)).toBe(false);
		expect(marks.isReplay(NOTE_ID, 3)).toBe(false);
	});

	it('treats any version after a deletion as a replay', async () => {
		const marks = await RevisionMarks.load(undefined, NOTES_ROOM);
		marks.observe(NOTE_ID, 3, '$third');

		marks.observeDeleted(NOTE_ID, '$third');

		expect(marks.isReplay(NOTE_ID, 3)).toBe(true);
		expect(marks.isReplay(NOTE_ID, 9)).toBe(true);
	});

	it('only grows', async () => {
		const marks = await RevisionMarks.load(undefined, NOTES_ROOM);

		marks.observe(NOTE_ID, 5, '$fifth');
		marks.observe(NOTE_ID, 2, '$second');

		expect(marks.get(NOTE_ID)).toEqual({ revision: 5, eventId: '$fifth', deleted: false });
	});

	it('persists in the device store', async () => {
		const options = { userId: THERAPIST, deviceId: 'DEVICE1', indexedDB: new IDBFactory() };
		const store = await NotesDeviceStore.open(options);
		const marks = await RevisionMarks.load(store, NOTES_ROOM);
		marks.observe(NOTE_ID, 4, '$fourth');
		marks.markAudited();
		await marks.save();
		store.close();

		const reopened = await NotesDeviceStore.open(options);
		const loaded = await RevisionMarks.load(reopened, NOTES_ROOM);
		const otherRoom = await RevisionMarks.load(reopened, '!another');
		reopened.close();

		expect(loaded.audited).toBe(true);
		expect(loaded.isReplay(NOTE_ID, 3)).toBe(true);
		expect(otherRoom.audited).toBe(false);
		expect(otherRoom.get(NOTE_ID)).toBeUndefined();
	});
});
