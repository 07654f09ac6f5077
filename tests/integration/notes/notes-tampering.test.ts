import type { MatrixClient } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, randomBase64Url } from '../../../src/lib/notes/base64.ts';
import { NOTE_EVENT_TYPE, type NoteEventContent } from '../../../src/lib/notes/event-types.ts';
import { encodePaddedJson, encryptNoteBytes } from '../../../src/lib/notes/note-crypto.ts';
import type { NoteVersion } from '../../../src/lib/notes/note-reader.ts';
import type { NotesService } from '../../../src/lib/notes/notes-service.ts';
import { registerTestUser, waitFor } from '../../support/matrix-users.ts';
import {
	createTherapist,
	distinctivePhrase,
	noteFieldsWith,
	openNotes,
	signInTherapistDevice,
	stopDevice,
	type TherapistAccount,
	type TherapistDevice
} from '../../support/notes-helpers.ts';

describe('notes tampered through the server', () => {
	let account: TherapistAccount;
	let notes: NotesService;
	let matrixClient: MatrixClient;
	const devices: TherapistDevice[] = [];
	let clientUserId: string;
	const careRoomId = '!careroomoftheclient';

	/** Sends raw content as a note state event and waits until sync has applied it. */
	async function sendRaw(stateKey: string, content: object): Promise<string> {
		const { event_id: eventId } = await matrixClient.sendStateEvent(
			notes.roomId,
			NOTE_EVENT_TYPE,
			content as NoteEventContent,
			stateKey
		);
		await waitFor(matrixClient, `event ${eventId} in the room state`, () =>
			matrixClient
				.getRoom(notes.roomId)
				?.currentState.getStateEvents(NOTE_EVENT_TYPE, stateKey)
				?.getId() === eventId
				? true
				: undefined
		);
		return eventId;
	}

	/** Returns the content of a note's current state event as the server stores it. */
	async function serverContent(noteId: string): Promise<NoteEventContent> {
		return (await matrixClient.getStateEvent(
			notes.roomId,
			NOTE_EVENT_TYPE,
			noteId
		)) as NoteEventContent;
	}

	async function writeNote(label = 'Note'): Promise<string> {
		const created = await notes.createNote(
			noteFieldsWith(
				{ title: label, subjective: distinctivePhrase(label), assessment: 'a', plan: 'p' },
				{ clientUserId, careRoomId }
			)
		);
		return created.noteId;
	}

	function expectDamaged(version: NoteVersion | undefined, reason: string): void {
		expect(version).toMatchObject({ status: 'damaged', reason });
		expect(version).not.toHaveProperty('note');
	}

	beforeAll(async () => {
		account = await createTherapist();
		devices.push(account.firstDevice);
		matrixClient = account.firstDevice.matrixClient;
		clientUserId = (await registerTestUser('client')).userId;
		notes = await openNotes(account.firstDevice);
	});

	afterAll(() => {
		notes.close();
		for (const device of devices) stopDevice(device);
	});

	it('reports a ciphertext copied under another state key', async () => {
		const original = await writeNote('Original');
		const target = await writeNote('Target');
		const content = await serverContent(original);
		const copiedTo = randomBase64Url(16);

		await sendRaw(copiedTo, content);
		await sendRaw(target, content);

		expectDamaged(await notes.getNote(copiedTo), 'authentication_failed');
		expectDamaged(await notes.getNote(target), 'authentication_failed');
		expect((await notes.getNote(original))?.status).toBe('ok');
	});

	it('reports a modified ciphertext byte', async () => {
		const noteId = await writeNote();
		const content = await serverContent(noteId);
		const bytes = decodeBase64(content.ciphertext);
		bytes[10] = (bytes[10] ?? 0) ^ 0x80;

		await sendRaw(noteId, { ...content, ciphertext: encodeBase64(bytes) });

		expectDamaged(await notes.getNote(noteId), 'authentication_failed');
		await expect(notes.updateNote(noteId, { title: 'Overwrite' })).rejects.toMatchObject({
			code: 'note_damaged'
		});
	});

	it('reports an unknown and a swapped key ID', async () => {
		const unknown = await writeNote();
		const swapped = await writeNote();
		const oldKeyId = notes.keyring.current.id;
		await notes.rotateKey();
		const rewritten = await notes.updateNote(swapped, { title: 'Under the new key' });
		const content = await serverContent(unknown);
		const rotatedContent = await serverContent(swapped);

		await sendRaw(unknown, { ...content, key_id: 'ZZZZZZZZZZZZZZZZ' });
		await sendRaw(swapped, { ...rotatedContent, key_id: oldKeyId });

		expect(rewritten.keyId).not.toBe(oldKeyId);
		expectDamaged(await notes.getNote(unknown), 'unknown_key');
		expectDamaged(await notes.getNote(swapped), 'authentication_failed');
	});

	it('reports an old version presented as current', async () => {
		const noteId = await writeNote('Replayed');
		const firstContent = await serverContent(noteId);
		await notes.updateNote(noteId, { title: 'Revision 2' });
		const third = await notes.updateNote(noteId, { title: 'Revision 3' });
		await waitFor(matrixClient, 'revision 3 in the room state', () =>
			matrixClient
				.getRoom(notes.roomId)
				?.currentState.getStateEvents(NOTE_EVENT_TYPE, noteId)
				?.getId() === third.eventId
				? true
				: undefined
		);
		expect((await notes.getNote(noteId))?.status).toBe('ok');

		// The authentic ciphertext of revision 1 is written again, so the
		// server's current state for the note is revision 1.
		await sendRaw(noteId, firstContent);

		expectDamaged(await notes.getNote(noteId), 'replayed');

		// A device that never saw revision 3 finds it in the timeline audit.
		const fresh = await signInTherapistDevice(account, { recoveryKey: account.recoveryKey });
		devices.push(fresh);
		const freshNotes = await openNotes(fresh, { auditOnFirstUse: false });
		const audit = await freshNotes.auditHistory();
		const onFreshDevice = await freshNotes.getNote(noteId);
		freshNotes.close();

		expect(audit.replayedNoteIds).toContain(noteId);
		expectDamaged(onFreshDevice, 'replayed');
	});

	it('reports malformed plaintext after decryption', async () => {
		const location = (stateKey: string) => ({
			roomId: notes.roomId,
			eventType: NOTE_EVENT_TYPE,
			stateKey
		});
		const notJson = randomBase64Url(16);
		const notANote = randomBase64Url(16);
		const invalidKind = randomBase64Url(16);
		const valid = (await notes.getNote(await writeNote())) as { note: object };

		await sendRaw(
			notJson,
			await encryptNoteBytes(
				new TextEncoder().encode('{"title": "cut off'),
				notes.keyring.current,
				location(notJson)
			)
		);
		await sendRaw(
			notANote,
			await encryptNoteBytes(
				encodePaddedJson({ hello: 'world' }),
				notes.keyring.current,
				location(notANote)
			)
		);
		await sendRaw(
			invalidKind,
			await encryptNoteBytes(
				encodePaddedJson({ ...valid.note, kind: 'diagnosis' }),
				notes.keyring.current,
				location(invalidKind)
			)
		);

		for (const noteId of [notJson, notANote, invalidKind]) {
			expectDamaged(await notes.getNote(noteId), 'malformed_plaintext');
		}
	});

	it('reports unknown versions and algorithms', async () => {
		const futureVersion = await writeNote();
		const otherAlgorithm = await writeNote();
		const content = await serverContent(futureVersion);
		const secondContent = await serverContent(otherAlgorithm);

		await sendRaw(futureVersion, { ...content, v: 2 });
		await sendRaw(otherAlgorithm, { ...secondContent, alg: 'XC20P' });

		expectDamaged(await notes.getNote(futureVersion), 'unsupported_version');
		expectDamaged(await notes.getNote(otherAlgorithm), 'unsupported_algorithm');
	});

	it('lists damaged notes without content', async () => {
		const listed = await notes.listNotes();
		const damaged = listed.filter((version) => version.status === 'damaged');

		expect(damaged.length).toBeGreaterThanOrEqual(9);
		for (const version of damaged) expect(version).not.toHaveProperty('note');
		expect(listed.some((version) => version.status === 'ok')).toBe(true);
	});
});
