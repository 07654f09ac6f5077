import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCareRoom } from '../../../src/lib/matrix/care-room.ts';
import { NOTE_EVENT_TYPE } from '../../../src/lib/notes/event-types.ts';
import type { ReadableNoteVersion, NotesService } from '../../../src/lib/notes/notes-service.ts';
import type { NoteVersion } from '../../../src/lib/notes/note-reader.ts';
import { registerTestUser, waitFor } from '../../support/matrix-users.ts';
import {
	benchmarkNoteLoading,
	createTherapist,
	distinctivePhrase,
	homeserverRequest,
	noteFieldsWith,
	openNotes,
	restartDevice,
	signInTherapistDevice,
	stopDevice,
	type TherapistAccount,
	type TherapistDevice
} from '../../support/notes-helpers.ts';

function readable(version: NoteVersion | undefined): ReadableNoteVersion {
	expect(version?.status).toBe('ok');
	return version as ReadableNoteVersion;
}

describe('note lifecycle', () => {
	let account: TherapistAccount;
	let device: TherapistDevice;
	let notes: NotesService;
	const devices: TherapistDevice[] = [];
	let clientUserId: string;
	let careRoomId: string;

	beforeAll(async () => {
		account = await createTherapist();
		device = account.firstDevice;
		devices.push(device);
		clientUserId = (await registerTestUser('client')).userId;
		careRoomId = await createCareRoom(device.matrixClient, clientUserId);
		notes = await openNotes(device);
	});

	afterAll(() => {
		notes.close();
		for (const each of devices) stopDevice(each);
	});

	it('writes, edits, signs and adds an addendum', async () => {
		const subjective = distinctivePhrase('Subjective');
		const edited = distinctivePhrase('Edited');
		const addendumText = distinctivePhrase('Addendum');
		const fields = noteFieldsWith(
			{ title: 'Session 1', subjective, assessment: 'Stable.', plan: 'Weekly.' },
			{ clientUserId, careRoomId }
		);

		const created = await notes.createNote(fields);
		const updated = await notes.updateNote(
			created.noteId,
			{
				template: {
					type: 'soap',
					subjective: edited,
					objective: 'Attended on time.',
					assessment: 'Stable.',
					plan: 'Weekly.'
				}
			},
			{ expectedRevision: 1 }
		);
		const signed = await notes.signNote(created.noteId, { expectedRevision: 2 });
		const amended = await notes.addAddendum(created.noteId, {
			reason: 'Late entry',
			text: addendumText
		});

		expect(created.note).toMatchObject({ revision: 1, status: 'draft', signedAt: null });
		expect(created.noteId).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(updated.note.revision).toBe(2);
		expect(updated.note.template).toMatchObject({ subjective: edited });
		expect(signed.note).toMatchObject({ revision: 3, status: 'signed' });
		expect(signed.note.signedAt).toBeGreaterThanOrEqual(created.note.createdAt);
		expect(amended.note.revision).toBe(4);
		expect(amended.note.addenda).toEqual([
			{ reason: 'Late entry', text: addendumText, createdAt: amended.note.updatedAt }
		]);
		expect(amended.note.template).toEqual(signed.note.template);

		// A signed note is locked.
		await expect(
			notes.updateNote(created.noteId, { title: 'Changed after signing' })
		).rejects.toMatchObject({ code: 'note_signed' });
		await expect(notes.signNote(created.noteId)).rejects.toMatchObject({ code: 'note_signed' });

		// Another device of the therapist, signed in fresh and unlocked with the
		// recovery key, loads the notes key from secret storage and reads every version.
		const second = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		devices.push(second);
		const secondNotes = await openNotes(second);
		const current = readable(await secondNotes.getNote(created.noteId));
		const history = await secondNotes.getHistory(created.noteId);
		secondNotes.close();

		expect(current.note).toEqual(amended.note);
		expect(history.map((version) => version.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
		expect(history.map((version) => readable(version).note.revision)).toEqual([1, 2, 3, 4]);
		expect(history.map((version) => version.eventId)).toEqual([
			created.eventId,
			updated.eventId,
			signed.eventId,
			amended.eventId
		]);
		expect(readable(history[0]).note.template).toMatchObject({ subjective });
		expect(readable(history[1]).note.template).toMatchObject({ subjective: edited });
		expect(readable(history[2]).note.status).toBe('signed');
		expect(readable(history[3]).note.addenda[0]?.text).toBe(addendumText);
		for (let index = 1; index < history.length; index++) {
			expect(history[index]?.sentAt).toBeGreaterThanOrEqual(history[index - 1]?.sentAt ?? 0);
		}
	});

	it('rejects edits that conflict or do not apply', async () => {
		const fields = noteFieldsWith(
			{ title: 'Session 2', subjective: 'Tired.', assessment: 'Low mood.', plan: 'Review.' },
			{ clientUserId, careRoomId }
		);
		const draft = await notes.createNote(fields);
		await notes.updateNote(draft.noteId, { title: 'Session 2, corrected' });

		await expect(
			notes.updateNote(draft.noteId, { title: 'Stale edit' }, { expectedRevision: 1 })
		).rejects.toMatchObject({ code: 'note_conflict' });
		await expect(
			notes.addAddendum(draft.noteId, { reason: 'Late entry', text: 'Text' })
		).rejects.toMatchObject({ code: 'note_not_signed' });
		await expect(
			notes.updateNote(draft.noteId, { kind: 'diagnosis' as never })
		).rejects.toMatchObject({ code: 'invalid_note' });
		await expect(notes.createNote({ ...fields, clientUserId: 'river' })).rejects.toMatchObject({
			code: 'invalid_note'
		});
		await expect(notes.updateNote('AAAAAAAAAAAAAAAAAAAAAA', { title: 'x' })).rejects.toMatchObject({
			code: 'note_not_found'
		});
	});

	it('lists the notes of one client', async () => {
		const otherClient = (await registerTestUser('client')).userId;
		const otherCareRoom = await createCareRoom(device.matrixClient, otherClient);
		const mine = await notes.createNote(
			noteFieldsWith(
				{ title: 'Mine', subjective: 'a', assessment: 'b', plan: 'c' },
				{ clientUserId, careRoomId }
			)
		);
		const theirs = await notes.createNote(
			noteFieldsWith(
				{ title: 'Theirs', subjective: 'a', assessment: 'b', plan: 'c' },
				{ clientUserId: otherClient, careRoomId: otherCareRoom }
			)
		);

		const listed = await notes.listClientNotes(clientUserId);

		expect(listed.map((version) => version.noteId)).toContain(mine.noteId);
		expect(listed.map((version) => version.noteId)).not.toContain(theirs.noteId);
		expect(listed.every((version) => version.note.clientUserId === clientUserId)).toBe(true);
	});

	it('keeps a deleted note deleted after a restart and a new sign-in', async () => {
		const phrase = distinctivePhrase('Deleted');
		const created = await notes.createNote(
			noteFieldsWith(
				{ title: 'To delete', subjective: phrase, assessment: 'a', plan: 'p' },
				{ clientUserId, careRoomId }
			)
		);
		await notes.updateNote(created.noteId, { title: 'To delete, v2' });
		const newest = await notes.updateNote(created.noteId, { title: 'To delete, v3' });
		await waitFor(device.matrixClient, 'revision 3 in the room state', () =>
			device.matrixClient
				.getRoom(notes.roomId)
				?.currentState.getStateEvents(NOTE_EVENT_TYPE, created.noteId)
				?.getId() === newest.eventId
				? true
				: undefined
		);

		const report = await notes.deleteNote(created.noteId);

		expect(report.failed).toEqual([]);
		expect(report.redacted).toHaveLength(3);
		expect(report.redacted[0]?.eventId).toBe(newest.eventId);
		expect(report.remaining).toEqual({
			eventType: NOTE_EVENT_TYPE,
			stateKey: created.noteId,
			versionCount: 3
		});
		expect((await notes.getNote(created.noteId))?.status).toBe('deleted');
		await expect(notes.updateNote(created.noteId, { title: 'x' })).rejects.toMatchObject({
			code: 'note_deleted'
		});

		// The server's current state is the redacted newest version, with empty content.
		const state = await homeserverRequest(
			`/_matrix/client/v3/rooms/${encodeURIComponent(notes.roomId)}/state/${NOTE_EVENT_TYPE}/${created.noteId}`,
			device.session.accessToken
		);
		expect(state.status).toBe(200);
		expect(JSON.parse(state.text)).toEqual({});

		// The same device after a fresh client start.
		notes.close();
		device = await restartDevice(device);
		devices.push(device);
		notes = await openNotes(device);
		const afterRestart = await notes.getNote(created.noteId);
		const historyAfterRestart = await notes.getHistory(created.noteId);

		expect(afterRestart?.status).toBe('deleted');
		expect(afterRestart?.eventId).toBe(newest.eventId);
		expect(historyAfterRestart.map((version) => version.status)).toEqual([
			'deleted',
			'deleted',
			'deleted'
		]);

		// A device signed in fresh, which has never seen the note.
		const fresh = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		devices.push(fresh);
		const freshNotes = await openNotes(fresh);
		const onFreshDevice = await freshNotes.getNote(created.noteId);
		const freshHistory = await freshNotes.getHistory(created.noteId);
		const audit = await freshNotes.auditHistory();
		const listed = await freshNotes.listNotes();
		freshNotes.close();

		expect(onFreshDevice?.status).toBe('deleted');
		expect(freshHistory.map((version) => version.status)).toEqual([
			'deleted',
			'deleted',
			'deleted'
		]);
		expect(audit.replayedNoteIds).toEqual([]);
		expect(listed.find((version) => version.noteId === created.noteId)?.status).toBe('deleted');
		expect(JSON.stringify(listed)).not.toContain(phrase);
	});

	it('loads and decrypts many notes (benchmark)', async () => {
		// Set ALCOVE_NOTES_BENCHMARK_COUNT for a larger run; the default keeps
		// the suite short on a shared machine.
		const count = Number(process.env.ALCOVE_NOTES_BENCHMARK_COUNT ?? 25);
		const fields = noteFieldsWith(
			{ title: '', subjective: 'x'.repeat(1500), assessment: 'a', plan: 'p' },
			{ clientUserId, careRoomId }
		);

		const result = await benchmarkNoteLoading(device, notes, fields, count);

		console.info(
			`Notes benchmark: wrote ${count} notes in ${result.writeMs.toFixed(0)} ms; ` +
				`a fresh NotesService opened in ${result.openMs.toFixed(0)} ms and listed ` +
				`${result.count} readable notes in ${result.listMs.toFixed(0)} ms`
		);
		expect(result.count).toBeGreaterThanOrEqual(count);
	});
});
