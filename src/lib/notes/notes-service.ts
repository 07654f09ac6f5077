/**
 * Therapist notes: where they live and who can read them.
 *
 * Notes live in the therapist's notes room (notes-room.ts), of which the
 * therapist is the only member, as `app.alcove.note` state events with random
 * state keys. Each event's content is AES-256-GCM ciphertext under the notes
 * key (note-crypto.ts), which exists only in the therapist's secret storage
 * and on the therapist's devices (key-storage.ts, key-sharing.ts). The
 * homeserver stores how many notes exist, their rough sizes and when each was
 * written, edited or deleted. It cannot read them. It cannot swap, move,
 * change or replay them either, unless the device reports the note as damaged.
 *
 * Each edit replaces the state event, so the timeline keeps every version. A
 * signed note is locked and changes only by addenda. Deleting a note redacts
 * every version; the events themselves (type, state key, times) remain.
 */
import {
	RoomEvent,
	RoomStateEvent,
	type MatrixClient,
	type MatrixEvent,
	type Room
} from 'matrix-js-sdk';
import type { z } from 'zod';
import { logger } from '../matrix/logger.ts';
import { toAlcoveError } from '../matrix/login.ts';
import { randomBase64Url } from './base64.ts';
import type { NotesDeviceStore } from './device-store.ts';
import { NotesError } from './errors.ts';
import { NOTE_EVENT_TYPE } from './event-types.ts';
import {
	cacheKeyring,
	loadNotesKeyring,
	refreshNotesKeyring,
	rotateNotesKey
} from './key-storage.ts';
import type { NotesKeyring } from './keyring.ts';
import { encryptNote, type NoteLocation } from './note-crypto.ts';
import {
	readNoteVersion,
	rawNoteEventFromMatrixEvent,
	type NoteVersion,
	type RawNoteEvent
} from './note-reader.ts';
import {
	addendumSchema,
	noteFieldsSchema,
	notePlaintextSchema,
	type Note,
	type NoteFields
} from './note-schema.ts';
import { NoteTimelineIndex } from './note-timeline.ts';
import { assertNotesRoomPrivate, ensureNotesRoom } from './notes-room.ts';
import { RevisionMarks } from './revision-marks.ts';

/** A version that decrypted and validated. */
export type ReadableNoteVersion = Extract<NoteVersion, { status: 'ok' }>;

/**
 * Largest encrypted content written, in bytes of JSON. Synapse rejects events
 * over 65,536 bytes (the PDU size limit of the Matrix specification), and the
 * rest of the event (IDs, hashes, signatures, auth and prev events) needs room.
 */
export const MAX_NOTE_CONTENT_BYTES = 60_000;

/** Random bytes of a note ID: 128 bits, which is 22 base64url characters. */
const NOTE_ID_BYTES = 16;

const noteIdPattern = /^[A-Za-z0-9_-]{22}$/;

const noteChangesSchema = noteFieldsSchema.partial();
const addendumInputSchema = addendumSchema.pick({ reason: true, text: true });

/** Fields of an edit; every field left out keeps its value. */
export type NoteChanges = z.input<typeof noteChangesSchema>;

/** Options of an edit. */
export interface EditOptions {
	/**
	 * The revision the edit was made on. If the note has changed since (on
	 * another device), the edit is rejected with `note_conflict` rather than
	 * overwriting that change.
	 */
	expectedRevision?: number;
}

/** Report of {@link NotesService.deleteNote}: the versions redacted and what the server still stores. */
export interface DeletionReport {
	noteId: string;
	/** Versions redacted now, newest first, with the time each was first written. */
	redacted: { eventId: string; sentAt: number }[];
	/** Versions that had already been redacted before. */
	alreadyRedacted: { eventId: string; sentAt: number }[];
	/** Versions whose redaction the server rejected; try deleting again. */
	failed: { eventId: string; sentAt: number; error: string }[];
	/**
	 * Data that stays on the homeserver in any case: Synapse never removes
	 * state events, so each version's event remains with its type, state key,
	 * sender and time, and so does each redaction event. Synapse keeps the
	 * redacted ciphertext for `redaction_retention_period` (7 days by default)
	 * before it prunes it.
	 */
	remaining: { eventType: string; stateKey: string; versionCount: number };
}

/** Result of {@link NotesService.auditHistory}. */
export interface AuditReport {
	/** Note events read from the timeline. */
	eventCount: number;
	/**
	 * Notes whose current state is not their newest event in the timeline, or
	 * is an older revision than the timeline contains.
	 */
	replayedNoteIds: string[];
}

/** Options of {@link NotesService.open}. */
export interface NotesServiceOptions {
	/** A started matrixClient of the therapist that has completed its first sync. */
	matrixClient: MatrixClient;
	/** Storage on this device; without it keys and marks live in memory only. */
	deviceStore?: NotesDeviceStore;
	/**
	 * On the first use on this device, read the whole timeline to learn the
	 * newest version of every note (see {@link NotesService.auditHistory}).
	 * True by default.
	 */
	auditOnFirstUse?: boolean;
}

/**
 * The therapist's notes on one device: reading, writing, history, deletion.
 * Create it with {@link NotesService.open}; call {@link close} when the
 * matrixClient stops.
 */
export class NotesService {
	readonly #matrixClient: MatrixClient;
	readonly #room: Room;
	readonly #ownerUserId: string;
	readonly #deviceStore: NotesDeviceStore | undefined;
	readonly #marks: RevisionMarks;
	readonly #timeline: NoteTimelineIndex;
	/** Decrypted versions by event ID; an event's content changes only by redaction. */
	readonly #cache = new Map<string, NoteVersion>();
	/**
	 * Versions this device wrote (or deleted) that sync has not delivered yet,
	 * so an edit right after a write starts from the written revision. An
	 * entry is dropped as soon as sync delivers any state event for the note.
	 */
	readonly #written = new Map<string, NoteVersion>();
	readonly #listeners = new Set<(noteIds: string[]) => void>();
	#keyring: NotesKeyring;

	private constructor(
		matrixClient: MatrixClient,
		room: Room,
		keyring: NotesKeyring,
		marks: RevisionMarks,
		deviceStore: NotesDeviceStore | undefined
	) {
		this.#matrixClient = matrixClient;
		this.#room = room;
		this.#ownerUserId = matrixClient.getSafeUserId();
		this.#keyring = keyring;
		this.#marks = marks;
		this.#deviceStore = deviceStore;
		this.#timeline = new NoteTimelineIndex(matrixClient, room.roomId);
		matrixClient.on(RoomStateEvent.Events, this.#onStateEvent);
		matrixClient.on(RoomEvent.Redaction, this.#onRedaction);
	}

	/**
	 * Loads the keyring, finds or creates the notes room and loads this
	 * device's revision marks.
	 *
	 * @throws NotesError `notes_key_locked` if the keyring is in secret storage
	 *   but could not be unlocked; `secret_storage_not_set_up` on first use
	 *   without secret storage. AlcoveError for network failures.
	 */
	static async open(options: NotesServiceOptions): Promise<NotesService> {
		const { matrixClient, deviceStore } = options;
		const keyring = await loadNotesKeyring(matrixClient, deviceStore);
		const room = await ensureNotesRoom(matrixClient);
		const marks = await RevisionMarks.load(deviceStore, room.roomId);
		const service = new NotesService(matrixClient, room, keyring, marks, deviceStore);
		if (!marks.audited && options.auditOnFirstUse !== false) await service.auditHistory();
		return service;
	}

	/** Room ID of the notes room. */
	get roomId(): string {
		return this.#room.roomId;
	}

	/** The keyring in use; pass it to NotesKeySharing and the draft store. */
	get keyring(): NotesKeyring {
		return this.#keyring;
	}

	/** Stops listening to the matrixClient. */
	close(): void {
		this.#matrixClient.off(RoomStateEvent.Events, this.#onStateEvent);
		this.#matrixClient.off(RoomEvent.Redaction, this.#onRedaction);
		this.#listeners.clear();
	}

	/**
	 * Calls `listener` with the IDs of notes whose current version changed, by
	 * sync or by this device. Returns a function that removes the listener.
	 */
	onChange(listener: (noteIds: string[]) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * Adds keys received from another device (or read again from secret
	 * storage) and reads again the notes that named an unknown key.
	 */
	async importKeyring(keyring: NotesKeyring): Promise<void> {
		if (this.#keyring.contains(keyring)) return;
		this.#keyring = await cacheKeyring(this.#deviceStore, this.#keyring.merge(keyring));
		for (const [eventId, version] of this.#cache) {
			if (version.status === 'damaged' && version.reason === 'unknown_key')
				this.#cache.delete(eventId);
		}
		this.#notify(
			this.#room.currentState.getStateEvents(NOTE_EVENT_TYPE).map((e) => e.getStateKey() ?? '')
		);
	}

	/**
	 * Reads the keyring in secret storage again, for notes written with a key
	 * that another device added. This may ask for the recovery key.
	 */
	async refreshKeyring(): Promise<void> {
		await this.importKeyring(
			await refreshNotesKeyring(this.#matrixClient, this.#deviceStore, this.#keyring)
		);
	}

	/** Generates a new notes key for all new writes; older keys stay for reading. */
	async rotateKey(): Promise<void> {
		this.#keyring = await rotateNotesKey(this.#matrixClient, this.#deviceStore, this.#keyring);
	}

	/** Returns the current version of every note, including deleted and damaged ones. */
	async listNotes(): Promise<NoteVersion[]> {
		const noteIds = new Set(
			this.#room.currentState.getStateEvents(NOTE_EVENT_TYPE).map((e) => e.getStateKey() ?? '')
		);
		for (const noteId of this.#written.keys()) noteIds.add(noteId);
		const versions: NoteVersion[] = [];
		for (const noteId of noteIds) {
			const version = await this.#readCurrent(noteId);
			if (version) versions.push(version);
		}
		await this.#marks.save();
		return versions;
	}

	/** Returns the readable current notes of one client, newest first. */
	async listClientNotes(clientUserId: string): Promise<ReadableNoteVersion[]> {
		return (await this.listNotes())
			.filter((version): version is ReadableNoteVersion => version.status === 'ok')
			.filter((version) => version.note.clientUserId === clientUserId)
			.sort((a, b) => b.note.updatedAt - a.note.updatedAt);
	}

	/** Returns the current version of one note, or undefined if there is no such note. */
	async getNote(noteId: string): Promise<NoteVersion | undefined> {
		const version = await this.#readCurrent(noteId);
		await this.#marks.save();
		return version;
	}

	/**
	 * Writes a new unsigned note.
	 *
	 * @throws NotesError `invalid_note`, `note_too_large` or `notes_room_unsafe`;
	 *   AlcoveError if the server rejects the event.
	 */
	async createNote(fields: NoteFields): Promise<ReadableNoteVersion> {
		const parsed = noteFieldsSchema.safeParse(fields);
		if (!parsed.success) throw invalidNote(parsed.error);
		const now = Date.now();
		return this.#write(randomBase64Url(NOTE_ID_BYTES), {
			...parsed.data,
			status: 'draft',
			signedAt: null,
			addenda: [],
			createdAt: now,
			updatedAt: now,
			revision: 1
		});
	}

	/**
	 * Writes a new version of an unsigned note with some fields changed.
	 *
	 * @throws NotesError `note_signed` for a signed note, `note_conflict`,
	 *   `note_not_found`, `note_deleted`, `note_damaged`, `invalid_note`.
	 */
	async updateNote(
		noteId: string,
		changes: NoteChanges,
		options: EditOptions = {}
	): Promise<ReadableNoteVersion> {
		const current = await this.#currentForEdit(noteId, options);
		if (current.note.status === 'signed') {
			throw new NotesError('note_signed', `Note ${noteId} is signed; add an addendum instead`);
		}
		const parsed = noteChangesSchema.safeParse(changes);
		if (!parsed.success) throw invalidNote(parsed.error);
		return this.#write(noteId, {
			...current.note,
			...dropUndefined(parsed.data),
			...this.#nextVersion(current)
		});
	}

	/**
	 * Signs an unsigned note, which locks it.
	 *
	 * @throws NotesError `note_signed` if it is already signed, and the errors of {@link updateNote}.
	 */
	async signNote(noteId: string, options: EditOptions = {}): Promise<ReadableNoteVersion> {
		const current = await this.#currentForEdit(noteId, options);
		if (current.note.status === 'signed') {
			throw new NotesError('note_signed', `Note ${noteId} is already signed`);
		}
		const next = this.#nextVersion(current);
		return this.#write(noteId, {
			...current.note,
			...next,
			status: 'signed',
			signedAt: next.updatedAt
		});
	}

	/**
	 * Adds an addendum to a signed note; the signed content stays unchanged.
	 *
	 * @throws NotesError `note_not_signed` for an unsigned note (edit it
	 *   instead), `invalid_note` for an empty reason or text.
	 */
	async addAddendum(
		noteId: string,
		addendum: { reason: string; text: string },
		options: EditOptions = {}
	): Promise<ReadableNoteVersion> {
		const current = await this.#currentForEdit(noteId, options);
		if (current.note.status !== 'signed') {
			throw new NotesError('note_not_signed', `Note ${noteId} is not signed; edit it instead`);
		}
		const parsed = addendumInputSchema.safeParse(addendum);
		if (!parsed.success) throw invalidNote(parsed.error);
		const next = this.#nextVersion(current);
		return this.#write(noteId, {
			...current.note,
			...next,
			addenda: [...current.note.addenda, { ...parsed.data, createdAt: next.updatedAt }]
		});
	}

	/**
	 * Returns every version of a note in the order written, oldest first,
	 * each decrypted and checked on its own. Redacted versions appear as `deleted`.
	 */
	async getHistory(noteId: string): Promise<NoteVersion[]> {
		await this.#timeline.update();
		const events = this.#timeline.eventsOf(noteId);
		const versions: NoteVersion[] = [];
		for (const event of events) versions.push(await this.#read(event));
		return versions;
	}

	/**
	 * Deletes a note by redacting every version, newest first. The redaction
	 * sends no reason, because a reason would be readable by the server.
	 * Redacting the current version leaves an empty current state, so no
	 * older version can become current again.
	 *
	 * @throws NotesError `note_not_found`.
	 */
	async deleteNote(noteId: string): Promise<DeletionReport> {
		await this.#timeline.update();
		const events = [...this.#timeline.eventsOf(noteId)];
		const stateEvent = this.#room.currentState.getStateEvents(NOTE_EVENT_TYPE, noteId);
		if (stateEvent && !events.some((event) => event.eventId === stateEvent.getId())) {
			events.push(rawNoteEventFromMatrixEvent(stateEvent));
		}
		if (events.length === 0) throw new NotesError('note_not_found', `There is no note ${noteId}`);

		const report: DeletionReport = {
			noteId,
			redacted: [],
			alreadyRedacted: [],
			failed: [],
			remaining: { eventType: NOTE_EVENT_TYPE, stateKey: noteId, versionCount: events.length }
		};
		for (const event of events.reverse()) {
			const entry = { eventId: event.eventId, sentAt: event.sentAt };
			if (event.redacted) {
				report.alreadyRedacted.push(entry);
				continue;
			}
			try {
				await this.#matrixClient.redactEvent(this.#room.roomId, event.eventId);
				this.#timeline.markRedacted(event.eventId);
				this.#cache.delete(event.eventId);
				report.redacted.push(entry);
			} catch (error) {
				report.failed.push({ ...entry, error: toAlcoveError(error, 'Redacting a note').code });
			}
		}

		const newest = events[0];
		if (newest && report.failed.every((entry) => entry.eventId !== newest.eventId)) {
			this.#marks.observeDeleted(noteId, newest.eventId);
			this.#written.set(noteId, {
				status: 'deleted',
				noteId,
				eventId: newest.eventId,
				sentAt: newest.sentAt
			});
		}
		await this.#marks.save();
		logger.info('Notes: deleted a note', noteId, report.redacted.length, 'version(s) redacted');
		this.#notify([noteId]);
		return report;
	}

	/**
	 * Reads the whole timeline and checks that each note's current state is
	 * its newest event and its newest revision. The newest revision of each
	 * note is recorded in the revision marks, so that {@link listNotes}
	 * reports an older version shown as current as `replayed` from then on.
	 *
	 * A mismatch can also be momentary, when sync has not yet delivered an
	 * edit that `/messages` already returned; it clears with the next sync.
	 */
	async auditHistory(): Promise<AuditReport> {
		await this.#timeline.update();
		const replayedNoteIds: string[] = [];
		for (const noteId of this.#timeline.noteIds) {
			const events = this.#timeline.eventsOf(noteId);
			const newest = events.at(-1);
			if (!newest) continue;

			let highest: ReadableNoteVersion | undefined;
			for (const event of events) {
				const version = await this.#read(event);
				if (
					version.status === 'ok' &&
					(!highest || version.note.revision > highest.note.revision)
				) {
					highest = version;
				}
			}
			if (highest) this.#marks.observe(noteId, highest.note.revision, highest.eventId);
			if (newest.redacted) this.#marks.observeDeleted(noteId, newest.eventId);

			// Either the state hides a newer event, or the current version is
			// older than the newest revision in the timeline.
			const stateEvent = this.#room.currentState.getStateEvents(NOTE_EVENT_TYPE, noteId);
			const current = await this.#readCurrent(noteId);
			if (
				(stateEvent && stateEvent.getId() !== newest.eventId) ||
				(current?.status === 'damaged' && current.reason === 'replayed')
			) {
				replayedNoteIds.push(noteId);
			}
		}
		this.#marks.markAudited();
		await this.#marks.save();
		if (replayedNoteIds.length > 0) {
			logger.warn(
				'Notes: the audit found',
				replayedNoteIds.length,
				'note(s) with an older current state'
			);
		}
		return { eventCount: this.#timeline.eventCount, replayedNoteIds };
	}

	async #read(event: RawNoteEvent): Promise<NoteVersion> {
		if (!event.redacted) {
			const cached = this.#cache.get(event.eventId);
			if (cached) return cached;
		}
		const version = await readNoteVersion(event, {
			roomId: this.#room.roomId,
			ownerUserId: this.#ownerUserId,
			keyring: this.#keyring
		});
		if (version.status !== 'deleted') this.#cache.set(event.eventId, version);
		return version;
	}

	/** Reads the current version of a note and judges it against the revision marks. */
	async #readCurrent(noteId: string): Promise<NoteVersion | undefined> {
		const stateEvent = this.#room.currentState.getStateEvents(NOTE_EVENT_TYPE, noteId);
		const fromState = stateEvent
			? await this.#read(rawNoteEventFromMatrixEvent(stateEvent))
			: undefined;

		const written = this.#written.get(noteId);
		if (written) {
			const caughtUp =
				fromState &&
				(fromState.eventId === written.eventId ||
					(written.status === 'deleted' && fromState.status === 'deleted') ||
					(fromState.status === 'ok' &&
						written.status === 'ok' &&
						fromState.note.revision > written.note.revision));
			if (!caughtUp) return written;
			this.#written.delete(noteId);
		}
		if (!fromState) return undefined;

		if (fromState.status === 'deleted') {
			this.#marks.observeDeleted(noteId, fromState.eventId);
			return fromState;
		}
		if (fromState.status !== 'ok') return fromState;
		if (this.#marks.isReplay(noteId, fromState.note.revision)) {
			logger.warn('Notes: the current state of a note is older than a version seen before', noteId);
			return {
				status: 'damaged',
				noteId,
				eventId: fromState.eventId,
				sentAt: fromState.sentAt,
				reason: 'replayed'
			};
		}
		this.#marks.observe(noteId, fromState.note.revision, fromState.eventId);
		return fromState;
	}

	async #currentForEdit(noteId: string, options: EditOptions): Promise<ReadableNoteVersion> {
		const current = await this.getNote(noteId);
		if (!current) throw new NotesError('note_not_found', `There is no note ${noteId}`);
		if (current.status === 'deleted')
			throw new NotesError('note_deleted', `Note ${noteId} was deleted`);
		if (current.status === 'damaged') {
			throw new NotesError('note_damaged', `Note ${noteId} failed a check (${current.reason})`);
		}
		if (
			options.expectedRevision !== undefined &&
			options.expectedRevision !== current.note.revision
		) {
			throw new NotesError(
				'note_conflict',
				`Note ${noteId} is at revision ${current.note.revision}, not ${options.expectedRevision}`
			);
		}
		return current;
	}

	#nextVersion(current: ReadableNoteVersion): Pick<Note, 'revision' | 'updatedAt'> {
		// A device clock behind the one that wrote the last version must not
		// make a note look updated before it was created.
		return {
			revision: current.note.revision + 1,
			updatedAt: Math.max(Date.now(), current.note.updatedAt)
		};
	}

	async #write(noteId: string, note: Note): Promise<ReadableNoteVersion> {
		if (!noteIdPattern.test(noteId)) throw new NotesError('invalid_note', 'Invalid note ID');
		assertNotesRoomPrivate(this.#room);
		const parsed = notePlaintextSchema.safeParse(note);
		if (!parsed.success) throw invalidNote(parsed.error);

		const location: NoteLocation = {
			roomId: this.#room.roomId,
			eventType: NOTE_EVENT_TYPE,
			stateKey: noteId
		};
		const key = this.#keyring.current;
		const content = await encryptNote(parsed.data, key, location);
		const size = new TextEncoder().encode(JSON.stringify(content)).length;
		if (size > MAX_NOTE_CONTENT_BYTES) {
			throw new NotesError(
				'note_too_large',
				`The encrypted note has ${size} bytes; at most ${MAX_NOTE_CONTENT_BYTES} fit in one event`
			);
		}

		let eventId: string;
		try {
			({ event_id: eventId } = await this.#matrixClient.sendStateEvent(
				this.#room.roomId,
				NOTE_EVENT_TYPE,
				content,
				noteId
			));
		} catch (error) {
			throw toAlcoveError(error, 'Writing a note');
		}

		const version: ReadableNoteVersion = {
			status: 'ok',
			noteId,
			eventId,
			sentAt: Date.now(),
			keyId: key.id,
			note: parsed.data
		};
		this.#cache.set(eventId, version);
		this.#written.set(noteId, version);
		this.#marks.observe(noteId, parsed.data.revision, eventId);
		await this.#marks.save();
		logger.debug('Notes: wrote a note version', noteId, parsed.data.revision, size, 'bytes');
		this.#notify([noteId]);
		return version;
	}

	#notify(noteIds: string[]): void {
		for (const listener of this.#listeners) {
			try {
				listener(noteIds);
			} catch (error) {
				logger.warn('Notes: a change listener threw', String(error));
			}
		}
	}

	readonly #onStateEvent = (event: MatrixEvent): void => {
		if (event.getRoomId() !== this.#room.roomId || event.getType() !== NOTE_EVENT_TYPE) return;
		const noteId = event.getStateKey() ?? '';
		// The state now has this device's write or something newer, so the
		// state decides from here on, replay checks included.
		this.#written.delete(noteId);
		this.#notify([noteId]);
	};

	readonly #onRedaction = (redaction: MatrixEvent, room: Room): void => {
		if (room.roomId !== this.#room.roomId) return;
		// Room versions 11 and later carry `redacts` in the content.
		const redacted =
			redaction.getAssociatedId() ?? (redaction.getContent().redacts as string | undefined);
		if (redacted) {
			this.#timeline.markRedacted(redacted);
			this.#cache.delete(redacted);
		}
		const stateKeys = this.#room.currentState
			.getStateEvents(NOTE_EVENT_TYPE)
			.filter((event) => event.getId() === redacted)
			.map((event) => event.getStateKey() ?? '');
		if (stateKeys.length > 0) this.#notify(stateKeys);
	};
}

function invalidNote(error: z.ZodError): NotesError {
	const issue = error.issues[0];
	const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
	return new NotesError(
		'invalid_note',
		`Invalid note${where}: ${issue?.message ?? 'unknown issue'}`,
		{
			cause: error
		}
	);
}

function dropUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(
		Object.entries(value).filter(([, field]) => field !== undefined)
	) as Partial<T>;
}
