import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { AlcoveError } from '../../../src/lib/matrix/errors.ts';
import { NotesDeviceStore } from '../../../src/lib/notes/device-store.ts';
import { NoteDraftStore } from '../../../src/lib/notes/drafts.ts';
import { NotesError } from '../../../src/lib/notes/errors.ts';
import { NotesKeyring } from '../../../src/lib/notes/keyring.ts';
import type { NoteFields } from '../../../src/lib/notes/note-schema.ts';
import { withTemplateText } from '../../../src/lib/notes/note-form.ts';
import type { ReadableNoteVersion } from '../../../src/lib/notes/notes-service.ts';
import { AddendumEditorState, NoteEditorState } from '../../../src/lib/state/note-editor.svelte.ts';
import { notesProblemOf, type NotesState } from '../../../src/lib/state/notes.svelte.ts';
import { CARE_ROOM, CLIENT, THERAPIST, makeNote, makeVersion } from './note-fixtures.ts';

const SUBJECTIVE = 'Worried about the move to the new flat';

/** A stand-in for the notes service that records calls and can fail on demand. */
class FakeService {
	calls: string[] = [];
	failSign = false;
	/** Rejects an update whose expected revision is below this one, as a newer version would. */
	failUpdateBelow = 0;
	#revision = 0;

	createNote(fields: NoteFields): Promise<ReadableNoteVersion> {
		this.calls.push('create');
		this.#revision = 1;
		return Promise.resolve(this.#version(fields, 'draft', 'newnote0000000000000000'));
	}

	updateNote(
		noteId: string,
		fields: NoteFields,
		options: { expectedRevision?: number }
	): Promise<ReadableNoteVersion> {
		this.calls.push(`update@${options.expectedRevision}`);
		if ((options.expectedRevision ?? 0) < this.failUpdateBelow) {
			return Promise.reject(new NotesError('note_conflict', 'changed'));
		}
		this.#revision += 1;
		return Promise.resolve(this.#version(fields, 'draft', noteId));
	}

	signNote(noteId: string, options: { expectedRevision?: number }): Promise<ReadableNoteVersion> {
		this.calls.push(`sign@${options.expectedRevision}`);
		if (this.failSign) return Promise.reject(new NotesError('note_conflict', 'changed'));
		this.#revision += 1;
		return Promise.resolve(
			this.#version({ ...makeNote(), clientUserId: CLIENT }, 'signed', noteId)
		);
	}

	addAddendum(noteId: string, addendum: { reason: string; text: string }) {
		this.calls.push(`addendum:${addendum.reason}`);
		return Promise.resolve(makeVersion(makeNote(), noteId));
	}

	#version(fields: NoteFields, status: 'draft' | 'signed', noteId: string): ReadableNoteVersion {
		const note = makeNote({
			...fields,
			status,
			signedAt: status === 'signed' ? 2 : null,
			revision: this.#revision
		});
		return makeVersion(note, noteId);
	}
}

let service: FakeService;
let draftStore: NoteDraftStore;
let notes: NotesState;

beforeEach(async () => {
	const deviceStore = await NotesDeviceStore.open({
		userId: THERAPIST,
		deviceId: 'DEVICE',
		indexedDB: new IDBFactory()
	});
	draftStore = new NoteDraftStore(deviceStore, THERAPIST, await NotesKeyring.generate());
	service = new FakeService();
	notes = {
		service,
		draftStore,
		refreshDrafts: () => Promise.resolve(),
		trackWrite: <T>(write: Promise<T>) => write
	} as unknown as NotesState;
});

function newEditor(): NoteEditorState {
	return new NoteEditorState(notes, {
		clientUserId: CLIENT,
		careRoomId: CARE_ROOM,
		noteId: null,
		baseRevision: null
	});
}

function type(editor: NoteEditorState, text: string): void {
	editor.form.template = withTemplateText(editor.form.template, 'subjective', text);
	editor.changed();
}

describe('NoteEditorState drafts', () => {
	it('saves what was typed as a draft that a new editor continues', async () => {
		const editor = newEditor();
		type(editor, SUBJECTIVE);
		await editor.autosave.flush();

		const [draft] = await draftStore.list();
		expect(draft?.fields.template).toMatchObject({ subjective: SUBJECTIVE });
		expect(editor.autosave.savedAt).toBe(draft?.updatedAt);

		const continued = NoteEditorState.fromDraft(notes, draft!);
		expect(continued.form.template).toMatchObject({ subjective: SUBJECTIVE });
		expect(continued.target).toMatchObject({ clientUserId: CLIENT, careRoomId: CARE_ROOM });
		expect(continued.autosave.draftId).toBe(draft?.draftId);
	});

	it('keeps no draft of an empty new note', async () => {
		const editor = newEditor();
		type(editor, 'x');
		await editor.autosave.flush();
		expect(await draftStore.list()).toHaveLength(1);
		type(editor, '');
		await editor.autosave.flush();
		expect(await draftStore.list()).toHaveLength(0);
	});

	it('deletes the draft on discard', async () => {
		const editor = newEditor();
		type(editor, SUBJECTIVE);
		await editor.autosave.flush();
		await editor.discard();
		expect(await draftStore.list()).toEqual([]);
	});
});

describe('NoteEditorState.save', () => {
	it('creates and signs a new note, then deletes its draft', async () => {
		const editor = newEditor();
		type(editor, SUBJECTIVE);
		await editor.autosave.flush();
		const saved = await editor.save(true);
		expect(saved?.note.status).toBe('signed');
		expect(service.calls).toEqual(['create', 'sign@1']);
		expect(await draftStore.list()).toEqual([]);
	});

	it('keeps the form after a failed signature', async () => {
		const editor = newEditor();
		type(editor, SUBJECTIVE);
		service.failSign = true;
		expect(await editor.save(true)).toBeUndefined();
		expect(editor.error).toMatch(/changed on another device/);
		expect(editor.form.template).toMatchObject({ subjective: SUBJECTIVE });
		expect(editor.target.noteId).toBe('newnote0000000000000000');

		service.failSign = false;
		await editor.save(true);
		expect(service.calls).toEqual(['create', 'sign@1', 'update@1', 'sign@2']);
	});

	it('rebases an edit after a conflict', async () => {
		const editor = new NoteEditorState(notes, {
			clientUserId: CLIENT,
			careRoomId: CARE_ROOM,
			noteId: 'savednote000000000000000',
			baseRevision: 2
		});
		service.failUpdateBelow = 3;
		expect(await editor.save(false)).toBeUndefined();
		expect(editor.conflict).toBe(true);
		expect(editor.error).toMatch(/changed on another device/);

		editor.rebase(3);
		expect(editor.conflict).toBe(false);
		expect(await editor.save(false)).toBeDefined();
		expect(service.calls).toEqual(['update@2', 'update@3']);
	});

	it('reports form problems without writing', async () => {
		const editor = newEditor();
		editor.form.sessionDate = 'soon';
		expect(await editor.save(false)).toBeUndefined();
		expect(editor.problemAt('sessionDate')).toMatch(/not a valid date/);
		expect(service.calls).toEqual([]);
	});
});

describe('AddendumEditorState', () => {
	it('needs a reason and a text', async () => {
		const addendum = new AddendumEditorState(notes, makeVersion(makeNote()));
		addendum.text = 'Late entry';
		expect(await addendum.save()).toBeUndefined();
		expect(addendum.error).toMatch(/reason/);
		expect(service.calls).toEqual([]);
	});

	it('saves a draft and continues it', async () => {
		const version = makeVersion(makeNote());
		const addendum = new AddendumEditorState(notes, version);
		addendum.reason = 'Correction';
		addendum.text = 'The session was on video.';
		addendum.changed();
		await addendum.autosave.flush();
		const [draft] = await draftStore.list();
		expect(draft?.noteId).toBe(version.noteId);
		expect(draft?.addendum).toEqual({ reason: 'Correction', text: 'The session was on video.' });

		const continued = new AddendumEditorState(notes, version, draft);
		expect(continued.text).toBe('The session was on video.');
		await continued.save();
		expect(service.calls).toEqual(['addendum:Correction']);
		expect(await draftStore.list()).toEqual([]);
	});
});

describe('notesProblemOf', () => {
	it('says that secret storage is missing', () => {
		const problem = notesProblemOf(new NotesError('secret_storage_not_set_up', 'no 4S'));
		expect(problem.code).toBe('secret_storage_not_set_up');
		expect(problem.missing).toMatch(/Secret storage is not set up/);
		expect(problem.action).toMatch(/recovery key/);
	});

	it('says that the notes key is not on this device', () => {
		const problem = notesProblemOf(new NotesError('notes_key_locked', 'locked'));
		expect(problem.missing).toMatch(/notes key is not available/);
		expect(problem.action).toMatch(/recovery key|other of your verified devices/);
	});

	it('explains a network failure', () => {
		const problem = notesProblemOf(new AlcoveError('homeserver_unreachable', 'down'));
		expect(problem.code).toBe('network');
		expect(problem.action).toMatch(/could not reach the homeserver/);
	});

	it('never shows raw error text', () => {
		const problem = notesProblemOf(new Error('secret internals'));
		expect(problem.code).toBe('unknown');
		expect(problem.action).not.toContain('secret internals');
	});
});
