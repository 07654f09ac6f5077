/**
 * Public interface of therapist notes for the screens. docs/notes.md
 * describes the design; notes-service.ts is the entry point.
 */
export {
	NotesDeviceStore,
	notesDatabaseName,
	type NotesDeviceStoreOptions
} from './device-store.ts';
export {
	NoteDraftStore,
	newDraftId,
	noteDraftSchema,
	type NoteDraft,
	type UnreadableDraft
} from './drafts.ts';
export { NotesError, type NotesErrorCode } from './errors.ts';
export { NOTE_EVENT_TYPE, NOTES_KEYRING_SECRET, NOTES_ROOM_TYPE } from './event-types.ts';
export {
	escapeHtml,
	escapeMarkdown,
	exportClientRecord,
	selectRecordItems,
	type RecordExport,
	type RecordExportOptions
} from './export.ts';
export {
	cacheKeyring,
	forgetCachedKeyring,
	hasKeyringInSecretStorage,
	loadNotesKeyring,
	readKeyringFromSecretStorage,
	rotateNotesKey
} from './key-storage.ts';
export {
	NotesKeySharing,
	isOwnCrossSignedDevice,
	listOwnCrossSignedDevices,
	requestNotesKeyring,
	sendNotesKeyring,
	type KeyShareRejection,
	type KeyShareRejectionReason,
	type NotesKeySharingOptions
} from './key-sharing.ts';
export { NotesKeyring } from './keyring.ts';
export { keyShareRejectionMessage, noteDamageMessage, notesErrorMessage } from './messages.ts';
export type { NoteDamageReason } from './note-crypto.ts';
export type { NoteVersion } from './note-reader.ts';
export {
	GOAL_STATUSES,
	NOTE_CLASSES,
	NOTE_KINDS,
	noteFieldsSchema,
	type Addendum,
	type GoalStatus,
	type Note,
	type NoteClass,
	type NoteFields,
	type NoteKind,
	type NoteTemplate,
	type NoteTemplateType,
	type TreatmentGoal
} from './note-schema.ts';
export {
	MAX_NOTE_CONTENT_BYTES,
	NotesService,
	type AuditReport,
	type DeletionReport,
	type EditOptions,
	type NoteChanges,
	type NotesServiceOptions,
	type ReadableNoteVersion
} from './notes-service.ts';
export {
	NOTES_ROOM_VERSION,
	ensureNotesRoom,
	findNotesRoom,
	notesRoomCreateOptions
} from './notes-room.ts';
export { NotesSearchIndex, tokenize, type SearchHit } from './search.ts';
