import { logger } from '../matrix/logger.ts';
import { toAlcoveError } from '../matrix/login.ts';
import {
	NotesError,
	newDraftId,
	notesErrorMessage,
	type NoteDraft,
	type ReadableNoteVersion
} from '../notes/index.ts';
import {
	formFromDraft,
	formHasContent,
	formToDraftFields,
	formToFields,
	newNoteForm,
	type FormProblem,
	type NoteForm
} from '../notes/note-form.ts';
import { localDate } from '../notes/note-list.ts';
import { errorMessage } from '../strings.ts';
import type { NotesState } from './notes.svelte.ts';

/** Pause in typing after which a draft is saved, in milliseconds. */
const DRAFT_SAVE_DELAY_MS = 400;

/** Returns the sentence for a failed note operation. */
export function noteActionMessage(error: unknown): string {
	if (error instanceof NotesError) return notesErrorMessage(error) ?? errorMessage(error);
	return errorMessage(toAlcoveError(error, 'Notes'));
}

/**
 * Saves a draft shortly after typing pauses. Each save replaces the draft
 * with the same ID; drafts are encrypted with the notes key by the store.
 */
class DraftAutosave {
	readonly #notes: NotesState;
	readonly draftId: string;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#pending: (() => NoteDraft | undefined) | undefined;
	/** Time the draft was last saved, for the "saved on this device" hint. */
	savedAt = $state<number | undefined>();
	failed = $state(false);

	constructor(notes: NotesState, draftId: string) {
		this.#notes = notes;
		this.draftId = draftId;
	}

	schedule(build: () => NoteDraft | undefined): void {
		this.#pending = build;
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.flush(), DRAFT_SAVE_DELAY_MS);
	}

	/** Saves a scheduled draft now; an empty draft (build returns undefined) deletes it. */
	async flush(): Promise<void> {
		clearTimeout(this.#timer);
		const build = this.#pending;
		this.#pending = undefined;
		if (!build) return;
		try {
			const draft = build();
			const store = this.#notes.draftStore;
			await this.#notes.trackWrite(draft ? store.save(draft) : store.delete(this.draftId));
			this.savedAt = draft ? draft.updatedAt : undefined;
			this.failed = false;
		} catch (error) {
			// The text stays in the form; only the copy on the device is missing.
			logger.warn('Notes: could not save a draft', String(error));
			this.failed = true;
		}
		// The timer starts this without awaiting it, so a failed refresh is only logged.
		await this.#notes
			.refreshDrafts()
			.catch((error: unknown) => logger.warn('Notes: could not list the drafts', String(error)));
	}

	/** Deletes the draft, once its content is saved in the notes room or discarded. */
	async delete(): Promise<void> {
		clearTimeout(this.#timer);
		this.#pending = undefined;
		await this.#notes.draftStore.delete(this.draftId);
		this.savedAt = undefined;
		await this.#notes.refreshDrafts();
	}
}

/** Target of the note editor: a new note, or an unsigned note already saved. */
export interface NoteEditorTarget {
	clientUserId: string;
	careRoomId: string;
	/** The saved note, or null for a new one. */
	noteId: string | null;
	/** Revision of the saved note the edit starts from. */
	baseRevision: number | null;
}

/** The note editor: its form, the draft saved as the therapist types, and saving. */
export class NoteEditorState {
	form = $state<NoteForm>(newNoteForm(localDate(Date.now())));
	problems = $state.raw<FormProblem[]>([]);
	error = $state<string | undefined>();
	saving = $state(false);
	/** True after a save failed because the note changed elsewhere since the edit began. */
	conflict = $state(false);
	target = $state<NoteEditorTarget>({
		clientUserId: '',
		careRoomId: '',
		noteId: null,
		baseRevision: null
	});
	readonly autosave: DraftAutosave;
	readonly #notes: NotesState;

	constructor(notes: NotesState, target: NoteEditorTarget, form?: NoteForm, draftId?: string) {
		this.#notes = notes;
		this.target = target;
		if (form) this.form = form;
		this.autosave = new DraftAutosave(notes, draftId ?? newDraftId());
	}

	/** Returns the editor that continues a stored draft of a note. */
	static fromDraft(notes: NotesState, draft: NoteDraft): NoteEditorState {
		return new NoteEditorState(
			notes,
			{
				clientUserId: draft.fields.clientUserId ?? '',
				careRoomId: draft.fields.careRoomId ?? '',
				noteId: draft.noteId,
				baseRevision: draft.baseRevision
			},
			formFromDraft(draft.fields, localDate(Date.now())),
			draft.draftId
		);
	}

	/** Returns the message of a form problem at `path`, if there is one. */
	problemAt(path: string): string | undefined {
		return this.problems.find((problem) => problem.path === path)?.message;
	}

	/** Records a change of the form: clears old messages and saves the draft soon. */
	changed(): void {
		this.error = undefined;
		this.autosave.schedule(() => {
			// A new note with nothing typed yet is not worth a draft.
			if (this.target.noteId === null && !formHasContent(this.form)) return undefined;
			return {
				draftId: this.autosave.draftId,
				noteId: this.target.noteId,
				baseRevision: this.target.baseRevision,
				updatedAt: Date.now(),
				fields: formToDraftFields(
					$state.snapshot(this.form),
					this.target.clientUserId,
					this.target.careRoomId
				),
				addendum: null
			};
		});
	}

	/**
	 * Writes the form to the notes room, and signs it if `sign`. On success the
	 * draft is deleted; on failure the form and draft stay as they are.
	 *
	 * @returns The saved version, or undefined if the form is not valid or saving failed.
	 */
	async save(sign: boolean): Promise<ReadableNoteVersion | undefined> {
		const checked = formToFields(
			$state.snapshot(this.form),
			this.target.clientUserId,
			this.target.careRoomId
		);
		if (!checked.ok) {
			this.problems = checked.problems;
			this.error = 'Some fields need attention before this note can be saved.';
			return undefined;
		}
		this.problems = [];
		this.error = undefined;
		this.conflict = false;
		this.saving = true;
		try {
			const service = this.#notes.service;
			let saved: ReadableNoteVersion;
			if (this.target.noteId === null) {
				saved = await service.createNote(checked.fields);
				// From here on the editor edits the saved note, so a failed
				// signature is not retried by writing a second note.
				this.target.noteId = saved.noteId;
			} else {
				saved = await service.updateNote(this.target.noteId, checked.fields, {
					...(this.target.baseRevision === null
						? {}
						: { expectedRevision: this.target.baseRevision })
				});
			}
			this.target.baseRevision = saved.note.revision;
			if (sign) {
				saved = await service.signNote(saved.noteId, { expectedRevision: saved.note.revision });
				this.target.baseRevision = saved.note.revision;
			}
			await this.autosave.delete();
			return saved;
		} catch (error) {
			logger.warn('Notes: saving a note failed', String(error));
			this.error = noteActionMessage(error);
			this.conflict = error instanceof NotesError && error.code === 'note_conflict';
			return undefined;
		} finally {
			this.saving = false;
		}
	}

	/**
	 * Makes the next save apply this form to the current revision of the note,
	 * after a conflict. The version written elsewhere stays in the history.
	 */
	rebase(currentRevision: number): void {
		this.target.baseRevision = currentRevision;
		this.conflict = false;
		this.error = undefined;
		this.changed();
	}

	/** Deletes the draft; the saved note, if any, stays as it is. */
	discard(): Promise<void> {
		return this.autosave.delete();
	}
}

/** An addendum being written to a signed note, saved as a draft as the therapist types. */
export class AddendumEditorState {
	reason = $state('');
	text = $state('');
	error = $state<string | undefined>();
	saving = $state(false);
	readonly autosave: DraftAutosave;
	readonly #notes: NotesState;
	readonly #version: ReadableNoteVersion;

	constructor(notes: NotesState, version: ReadableNoteVersion, draft?: NoteDraft) {
		this.#notes = notes;
		this.#version = version;
		this.autosave = new DraftAutosave(notes, draft?.draftId ?? newDraftId());
		if (draft?.addendum) {
			this.reason = draft.addendum.reason;
			this.text = draft.addendum.text;
		}
	}

	changed(): void {
		this.error = undefined;
		const { note, noteId } = this.#version;
		this.autosave.schedule(() =>
			this.reason.trim() === '' && this.text.trim() === ''
				? undefined
				: {
						draftId: this.autosave.draftId,
						noteId,
						baseRevision: note.revision,
						updatedAt: Date.now(),
						fields: { clientUserId: note.clientUserId, careRoomId: note.careRoomId },
						addendum: { reason: this.reason, text: this.text }
					}
		);
	}

	/** Adds the addendum to the note; returns the new version, or undefined on failure. */
	async save(): Promise<ReadableNoteVersion | undefined> {
		if (this.reason.trim() === '' || this.text.trim() === '') {
			this.error = 'An addendum needs a reason and a text.';
			return undefined;
		}
		this.saving = true;
		try {
			const saved = await this.#notes.service.addAddendum(this.#version.noteId, {
				reason: this.reason,
				text: this.text
			});
			await this.autosave.delete();
			this.reason = '';
			this.text = '';
			return saved;
		} catch (error) {
			logger.warn('Notes: adding an addendum failed', String(error));
			this.error = noteActionMessage(error);
			return undefined;
		} finally {
			this.saving = false;
		}
	}
}
