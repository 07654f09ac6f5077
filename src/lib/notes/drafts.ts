/**
 * Unsaved work on a note, kept on this device so it survives a reload.
 *
 * A draft here is text the therapist has not yet written to the notes room;
 * it is not the `draft` status of a saved, unsigned note. Drafts never reach
 * the server. They are encrypted with the current notes key (AES-256-GCM,
 * AAD binding the user ID, the draft ID and the key ID) before they reach
 * IndexedDB, so they are never plaintext at rest, and a draft copied under
 * another ID or to another account fails to decrypt.
 */
import { z } from 'zod';
import { logger } from '../matrix/logger.ts';
import { decodeBase64, encodeBase64, randomBase64Url } from './base64.ts';
import type { NotesDeviceStore, StoredDraftRecord } from './device-store.ts';
import type { NotesKeyring } from './keyring.ts';
import { aesGcmDecrypt, aesGcmEncrypt, decodePaddedJson, encodePaddedJson } from './note-crypto.ts';
import {
	GOAL_STATUSES,
	MAX_FIELD_LENGTH,
	NOTE_CLASSES,
	NOTE_KINDS,
	noteTemplateSchema
} from './note-schema.ts';

const DRAFT_VERSION = 1;
const encoder = new TextEncoder();

const draftText = z.string().max(MAX_FIELD_LENGTH);
/** A date being typed; it becomes a `YYYY-MM-DD` date when the note is written. */
const draftDate = z.string().max(10);

const draftGoalSchema = z
	.strictObject({
		id: z.string().max(64),
		description: draftText,
		status: z.enum(GOAL_STATUSES),
		targetDate: draftDate.nullable(),
		interventions: z.array(draftText).max(50),
		reviewDates: z.array(draftDate).max(100)
	})
	.partial();

/** Fields of a draft: those of a note, each optional and not yet checked for form. */
const draftFieldsSchema = z
	.strictObject({
		clientUserId: z.string().max(255),
		careRoomId: z.string().max(255),
		kind: z.enum(NOTE_KINDS),
		class: z.enum(NOTE_CLASSES),
		title: z.string().max(200),
		sessionDate: draftDate.nullable(),
		template: noteTemplateSchema,
		goals: z.array(draftGoalSchema).max(100)
	})
	.partial();

/**
 * Content of a draft. Fields may be incomplete while the therapist types, so
 * only their types and lengths are checked, not that the draft is a valid note yet.
 */
export const noteDraftSchema = z.strictObject({
	draftId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
	/** The saved note this draft edits, or null for a new note. */
	noteId: z.string().nullable(),
	/** Revision of that note when editing began, for `expectedRevision`. */
	baseRevision: z.int().min(1).nullable(),
	/** Time of the last change, in milliseconds since the Unix epoch. */
	updatedAt: z.int().nonnegative(),
	fields: draftFieldsSchema,
	/** An addendum being written to a signed note. */
	addendum: z.strictObject({ reason: z.string(), text: z.string() }).nullable()
});
export type NoteDraft = z.infer<typeof noteDraftSchema>;

/** A stored draft that could not be read back. */
export interface UnreadableDraft {
	draftId: string;
	reason: 'unknown_key' | 'authentication_failed' | 'malformed';
}

/** Returns a new random draft ID. */
export function newDraftId(): string {
	return randomBase64Url(16);
}

function draftAdditionalData(
	userId: string,
	draftId: string,
	keyId: string
): Uint8Array<ArrayBuffer> {
	return encoder.encode(
		JSON.stringify(['app.alcove.note_draft', DRAFT_VERSION, userId, draftId, keyId])
	);
}

/** Encrypted drafts of one therapist on this device. */
export class NoteDraftStore {
	readonly #store: NotesDeviceStore;
	readonly #userId: string;
	#keyring: NotesKeyring;

	constructor(store: NotesDeviceStore, userId: string, keyring: NotesKeyring) {
		this.#store = store;
		this.#userId = userId;
		this.#keyring = keyring;
	}

	/** Replaces the keyring, after a rotation or a key import. */
	setKeyring(keyring: NotesKeyring): void {
		this.#keyring = keyring;
	}

	/**
	 * Encrypts and saves a draft, replacing the one with the same ID.
	 *
	 * @throws ZodError if the draft does not match {@link noteDraftSchema}.
	 */
	async save(draft: NoteDraft): Promise<void> {
		const parsed = noteDraftSchema.parse(draft);
		const key = this.#keyring.current;
		const { iv, ciphertext } = await aesGcmEncrypt(
			key.cryptoKey,
			encodePaddedJson(parsed),
			draftAdditionalData(this.#userId, parsed.draftId, key.id)
		);
		await this.#store.putDraft({
			draftId: parsed.draftId,
			v: DRAFT_VERSION,
			keyId: key.id,
			iv: encodeBase64(iv),
			ciphertext: encodeBase64(ciphertext)
		});
	}

	/** Returns a draft, undefined if there is none, or why it cannot be read. */
	async load(draftId: string): Promise<NoteDraft | UnreadableDraft | undefined> {
		const record = await this.#store.getDraft(draftId);
		return record ? this.#open(record) : undefined;
	}

	/** Returns every draft that can be read, newest first; unreadable ones are logged and skipped. */
	async list(): Promise<NoteDraft[]> {
		const drafts: NoteDraft[] = [];
		for (const record of await this.#store.listDrafts()) {
			const draft = await this.#open(record);
			if ('reason' in draft) {
				logger.warn('Notes: a draft cannot be read', draft.draftId, draft.reason);
			} else {
				drafts.push(draft);
			}
		}
		return drafts.sort((a, b) => b.updatedAt - a.updatedAt);
	}

	/** Removes a draft, for example once its note has been written. */
	delete(draftId: string): Promise<void> {
		return this.#store.deleteDraft(draftId);
	}

	async #open(record: StoredDraftRecord): Promise<NoteDraft | UnreadableDraft> {
		const { draftId } = record;
		if (record.v !== DRAFT_VERSION) return { draftId, reason: 'malformed' };
		const key = this.#keyring.get(record.keyId);
		if (!key) return { draftId, reason: 'unknown_key' };
		let plaintext: Uint8Array;
		try {
			plaintext = await aesGcmDecrypt(
				key.cryptoKey,
				decodeBase64(record.iv),
				decodeBase64(record.ciphertext),
				draftAdditionalData(this.#userId, draftId, key.id)
			);
		} catch {
			return { draftId, reason: 'authentication_failed' };
		}
		try {
			const draft = noteDraftSchema.parse(decodePaddedJson(plaintext));
			return draft.draftId === draftId ? draft : { draftId, reason: 'malformed' };
		} catch {
			return { draftId, reason: 'malformed' };
		}
	}
}
