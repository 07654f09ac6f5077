import { describe, expect, it } from 'vitest';
import { NOTE_EVENT_TYPE } from '../../../src/lib/notes/event-types.ts';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import { encryptNote } from '../../../src/lib/notes/note-crypto.ts';
import { readNoteVersion } from '../../../src/lib/notes/note-reader.ts';
import { makeNote, NOTES_ROOM, THERAPIST } from './note-fixtures.ts';

describe('note decryption benchmark', () => {
	it('decrypts and validates 1,000 notes', async () => {
		const keyring = await NotesKeyring.generate();
		const text = 'Reports better sleep and fewer panic attacks at work. '.repeat(30);
		const events = [];
		for (let index = 0; index < 1000; index++) {
			const noteId = `note${String(index).padStart(18, '0')}`;
			const content = await encryptNote(
				makeNote({ template: { type: 'free', text } }),
				keyring.current,
				{ roomId: NOTES_ROOM, eventType: NOTE_EVENT_TYPE, stateKey: noteId }
			);
			events.push({
				eventId: `$event${index}`,
				noteId,
				sender: THERAPIST,
				sentAt: 0,
				content: content as unknown as Record<string, unknown>,
				redacted: false
			});
		}
		const context = { roomId: NOTES_ROOM, ownerUserId: THERAPIST, keyring };

		const start = performance.now();
		const versions = [];
		for (const event of events) versions.push(await readNoteVersion(event, context));
		const elapsedMs = performance.now() - start;

		// Measured, not asserted: the number goes to the test output for docs/notes.md.
		console.info(
			`Decryption benchmark: 1000 notes of ${text.length} characters decrypted and ` +
				`validated in ${elapsedMs.toFixed(0)} ms`
		);
		expect(versions.filter((version) => version.status === 'ok')).toHaveLength(1000);
	});
});
