/**
 * Replay detection for notes: the highest revision this device has seen of
 * each note, and whether it deleted the note.
 *
 * Each version's revision is inside its ciphertext, so the server cannot
 * change it, but it can show an older, authentic version as the current state
 * (a replay), or an old version after the note was deleted. A version older
 * than the mark is reported as `replayed`. The marks are filled from what the
 * device reads and writes, and on a device's first use from an audit of the
 * whole room timeline (NotesService.auditHistory), so a server has to hide the
 * newer events from the timeline as well as from the state to go unnoticed.
 *
 * Limits: a new device that the server shows a consistently shortened
 * history (state and timeline both without the newest versions) cannot tell;
 * marks live per device, so clearing site data resets them to the next audit.
 */
import { z } from 'zod';
import { logger } from '../matrix/logger.ts';
import type { NotesDeviceStore } from './device-store.ts';

/** The newest version of one note that this device has seen. */
export interface RevisionMark {
	revision: number;
	eventId: string;
	/** True once the note was deleted (its events redacted) as seen by this device. */
	deleted: boolean;
}

const storedMarksSchema = z.object({
	audited: z.boolean(),
	notes: z.record(
		z.string(),
		z.object({ revision: z.int().min(0), eventId: z.string(), deleted: z.boolean() })
	)
});

/** Revision marks of one notes room, persisted in the device store. */
export class RevisionMarks {
	readonly #store: NotesDeviceStore | undefined;
	readonly #entryName: string;
	readonly #marks: Map<string, RevisionMark>;
	#audited: boolean;
	#dirty = false;

	private constructor(
		store: NotesDeviceStore | undefined,
		roomId: string,
		marks: Map<string, RevisionMark>,
		audited: boolean
	) {
		this.#store = store;
		this.#entryName = `marks:${roomId}`;
		this.#marks = marks;
		this.#audited = audited;
	}

	/**
	 * Loads the marks of a room. Without a store they live in memory only,
	 * which is what a test device or a private window gets.
	 */
	static async load(store: NotesDeviceStore | undefined, roomId: string): Promise<RevisionMarks> {
		const stored = storedMarksSchema.safeParse(await store?.get(`marks:${roomId}`));
		if (!stored.success) {
			return new RevisionMarks(store, roomId, new Map(), false);
		}
		return new RevisionMarks(
			store,
			roomId,
			new Map(Object.entries(stored.data.notes)),
			stored.data.audited
		);
	}

	/** True once the whole room timeline has been audited on this device. */
	get audited(): boolean {
		return this.#audited;
	}

	/** Returns the mark of a note, or undefined if this device has seen no version of it. */
	get(noteId: string): RevisionMark | undefined {
		return this.#marks.get(noteId);
	}

	/**
	 * Returns true if an authentic version with this revision, shown as the
	 * note's current state, is older than what this device has already seen.
	 */
	isReplay(noteId: string, revision: number): boolean {
		const mark = this.#marks.get(noteId);
		if (!mark) return false;
		return mark.deleted || revision < mark.revision;
	}

	/** Records an authentic version; marks only ever grow. */
	observe(noteId: string, revision: number, eventId: string): void {
		const mark = this.#marks.get(noteId);
		if (mark && (mark.deleted || mark.revision >= revision)) return;
		this.#marks.set(noteId, { revision, eventId, deleted: false });
		this.#dirty = true;
	}

	/** Records that the note was deleted; any later unredacted version is a replay. */
	observeDeleted(noteId: string, eventId: string): void {
		const mark = this.#marks.get(noteId);
		if (mark?.deleted) return;
		this.#marks.set(noteId, { revision: mark?.revision ?? 0, eventId, deleted: true });
		this.#dirty = true;
	}

	/** Records that the whole timeline has been audited. */
	markAudited(): void {
		if (this.#audited) return;
		this.#audited = true;
		this.#dirty = true;
	}

	/** Writes changed marks to the device store. */
	async save(): Promise<void> {
		if (!this.#dirty || !this.#store) return;
		this.#dirty = false;
		try {
			await this.#store.put(this.#entryName, {
				audited: this.#audited,
				notes: Object.fromEntries(this.#marks)
			});
		} catch (error) {
			this.#dirty = true;
			logger.warn('Notes: could not save revision marks', String(error));
		}
	}
}
