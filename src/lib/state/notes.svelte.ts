import type { MatrixClient } from 'matrix-js-sdk';
import { getContext, setContext } from 'svelte';
import { AlcoveError } from '../matrix/errors.ts';
import { logger } from '../matrix/logger.ts';
import {
	NoteDraftStore,
	NotesDeviceStore,
	NotesError,
	NotesKeySharing,
	NotesSearchIndex,
	NotesService,
	cacheKeyring,
	notesErrorMessage,
	requestNotesKeyring,
	type NoteDraft,
	type NoteVersion,
	type NotesErrorCode,
	type NotesKeyring
} from '../notes/index.ts';
import { errorMessage } from '../strings.ts';

/** Why the notes cannot be opened on this device: what is missing and what to do. */
export interface NotesProblem {
	code: NotesErrorCode | 'network' | 'unknown';
	/** Short heading that names the missing piece. */
	missing: string;
	/** Next step for the therapist, as one sentence. */
	action: string;
}

/** Stage of the notes on this device. */
export type NotesStatus = 'closed' | 'opening' | 'ready' | 'unavailable';

const missingByCode: Partial<Record<NotesErrorCode, string>> = {
	secret_storage_not_set_up: 'Secret storage is not set up for your account.',
	notes_key_locked: 'Your notes key is not available on this device.',
	notes_keyring_invalid: 'Your stored notes key could not be read.',
	notes_room_unsafe: 'Your notes room is not private any more.',
	crypto_not_ready: 'Encryption is not ready on this device.'
};

/** Returns what a failure to open the notes means for the therapist. */
export function notesProblemOf(error: unknown): NotesProblem {
	if (error instanceof NotesError) {
		return {
			code: error.code,
			missing: missingByCode[error.code] ?? 'Your notes could not be opened.',
			action: notesErrorMessage(error) ?? errorMessage(undefined)
		};
	}
	if (error instanceof AlcoveError) {
		return {
			code: 'network',
			missing: 'Your notes could not be loaded from the homeserver.',
			action: errorMessage(error)
		};
	}
	return {
		code: 'unknown',
		missing: 'Your notes could not be opened.',
		action: errorMessage(error)
	};
}

/**
 * The therapist's notes on this device, for the notes screens: opening the
 * notes room and keyring, the list of current versions, the search index and
 * the encrypted local drafts. Opened on first use, because a client never
 * needs a notes room.
 */
export class NotesState {
	status = $state<NotesStatus>('closed');
	problem = $state.raw<NotesProblem | undefined>();
	/** Current version of every note, including deleted and damaged ones. */
	versions = $state.raw<NoteVersion[]>([]);
	/** Drafts on this device that can be read, newest first. */
	drafts = $state.raw<NoteDraft[]>([]);
	/** Result of the last request to the therapist's other devices for the notes key. */
	keyRequest = $state<'none' | 'sent' | 'no_devices' | 'failed'>('none');
	/** Words of every readable note; rebuilt with {@link versions}. */
	readonly index = new NotesSearchIndex();

	readonly #matrixClient: MatrixClient;
	#deviceStore: NotesDeviceStore | undefined;
	#service: NotesService | undefined;
	#draftStore: NoteDraftStore | undefined;
	#sharing: NotesKeySharing | undefined;
	#opening: Promise<void> | undefined;
	#stopListening: (() => void) | undefined;
	#disposed = false;
	/** Draft writes in flight, which {@link dispose} lets finish before closing the store. */
	// Bookkeeping that nothing renders, so it need not be reactive.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	readonly #pendingWrites = new Set<Promise<unknown>>();

	constructor(matrixClient: MatrixClient) {
		this.#matrixClient = matrixClient;
	}

	/** The open notes service; only while {@link status} is `ready`. */
	get service(): NotesService {
		if (!this.#service) throw new Error('The notes are not open');
		return this.#service;
	}

	/** The encrypted draft store; only while {@link status} is `ready`. */
	get draftStore(): NoteDraftStore {
		if (!this.#draftStore) throw new Error('The notes are not open');
		return this.#draftStore;
	}

	/** Opens the notes on this device, once; later calls wait for the same opening. */
	open(): Promise<void> {
		if (this.status === 'ready') return Promise.resolve();
		this.#opening ??= this.#open().finally(() => {
			this.#opening = undefined;
		});
		return this.#opening;
	}

	async #open(): Promise<void> {
		this.status = 'opening';
		this.problem = undefined;
		try {
			const userId = this.#matrixClient.getSafeUserId();
			const deviceId = this.#matrixClient.getDeviceId();
			if (!deviceId || !this.#matrixClient.getCrypto()) {
				throw new NotesError('crypto_not_ready', 'The matrixClient has no device or no crypto');
			}
			this.#deviceStore ??= await NotesDeviceStore.open({ userId, deviceId });
			// dispose() may have run while the store opened; it could not stop
			// what had not started yet.
			if (this.#disposed) {
				this.#deviceStore.close();
				return;
			}
			this.#startSharing();
			const service = await NotesService.open({
				matrixClient: this.#matrixClient,
				deviceStore: this.#deviceStore
			});
			if (this.#disposed) {
				service.close();
				return;
			}
			this.#service = service;
			this.#draftStore = new NoteDraftStore(this.#deviceStore, userId, service.keyring);
			this.#stopListening = service.onChange(() => void this.refresh());
			await this.refresh();
			await this.refreshDrafts();
			this.status = 'ready';
			logger.info('Notes: opened', this.versions.length, 'note(s)');
		} catch (error) {
			logger.warn('Notes: could not open the notes', String(error));
			this.problem = notesProblemOf(error);
			this.status = 'unavailable';
		}
	}

	/**
	 * Starts key sharing: this device sends its keyring to the therapist's
	 * other verified devices on request, and imports a keyring they send.
	 */
	#startSharing(): void {
		if (this.#sharing) return;
		this.#sharing = new NotesKeySharing(this.#matrixClient, {
			getKeyring: () => this.#service?.keyring,
			onKeyringReceived: (keyring) => this.#receiveKeyring(keyring)
		});
		this.#sharing.start();
	}

	async #receiveKeyring(keyring: NotesKeyring): Promise<void> {
		if (this.#service) {
			await this.#service.importKeyring(keyring);
			this.#draftStore?.setKeyring(this.#service.keyring);
			return;
		}
		await cacheKeyring(this.#deviceStore, keyring);
		if (this.status === 'unavailable') await this.open();
	}

	/** Asks the therapist's other verified devices to send the notes key to this one. */
	async requestKeyFromOtherDevices(): Promise<void> {
		try {
			const { deviceIds } = await requestNotesKeyring(this.#matrixClient);
			this.keyRequest = deviceIds.length > 0 ? 'sent' : 'no_devices';
		} catch (error) {
			logger.warn('Notes: the key request failed', String(error));
			this.keyRequest = 'failed';
		}
	}

	/** Reads the current version of every note again and rebuilds the search index. */
	async refresh(): Promise<void> {
		const service = this.#service;
		if (!service) return;
		const versions = await service.listNotes();
		for (const version of versions) {
			if (version.status === 'ok') this.index.set(version.noteId, version.note);
			else this.index.remove(version.noteId);
		}
		this.versions = versions;
	}

	/** Reads the drafts on this device again. */
	async refreshDrafts(): Promise<void> {
		if (this.#draftStore) this.drafts = await this.#draftStore.list();
	}

	/**
	 * Runs a write to the device store. An editor that closes together with
	 * the panel (a lock, a sign-out) still saves its last keystrokes.
	 */
	trackWrite<T>(write: Promise<T>): Promise<T> {
		this.#pendingWrites.add(write);
		void write.finally(() => this.#pendingWrites.delete(write)).catch(() => undefined);
		return write;
	}

	/** Stops listening and closes the device store once pending writes end; the notes cannot be used afterwards. */
	dispose(): void {
		this.#disposed = true;
		this.#stopListening?.();
		this.#sharing?.stop();
		this.#service?.close();
		this.#service = undefined;
		const deviceStore = this.#deviceStore;
		void Promise.allSettled(this.#pendingWrites).then(() => deviceStore?.close());
	}
}

const NOTES_KEY = Symbol('alcove.notes');

/** Makes the therapist's notes available to the signed-in part of the app. */
export function setNotes(notes: NotesState): NotesState {
	return setContext(NOTES_KEY, notes);
}

/** Returns the notes set by the signed-in layout. */
export function useNotes(): NotesState {
	return getContext<NotesState>(NOTES_KEY);
}
