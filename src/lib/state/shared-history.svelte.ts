import type { MatrixClient } from 'matrix-js-sdk';
import { z } from 'zod';
import type { LocalVault } from '../browser/local-vault.ts';
import { watchSharedRoomHistory } from '../matrix/crypto/history-sharing.ts';
import type { SharedHistoryEvent, SharedRoomHistory } from '../matrix/crypto/history-transcript.ts';
import { logger } from '../matrix/logger.ts';

const log = logger.getChild('[SharedHistory]');

/** Vault entry with the transcripts this device received, by room ID. */
const SHARED_HISTORY_ENTRY = 'shared-history';

/** An earlier message from a transcript, reduced to what the room view shows. */
export interface SharedMessage {
	eventId: string;
	sender: string;
	originServerTs: number;
	/** The plain-text body; null for a message without one (for example a sticker). */
	body: string | null;
}

/** Earlier messages that a colleague shared with this user for one room. */
export interface SharedRoomMessages {
	sharedBy: string;
	messages: SharedMessage[];
}

const storedSchema = z.record(
	z.string(),
	z.object({
		sharedBy: z.string(),
		messages: z.array(
			z.object({
				eventId: z.string(),
				sender: z.string(),
				originServerTs: z.number(),
				body: z.string().nullable()
			})
		)
	})
);

function toSharedMessage(event: SharedHistoryEvent): SharedMessage {
	const body = event.content.body;
	return {
		eventId: event.eventId,
		sender: event.sender,
		originServerTs: event.originServerTs,
		body: typeof body === 'string' ? body : null
	};
}

/**
 * Earlier messages that colleagues shared with this user when they added
 * them to a care room. Each transcript reaches a device once, so it is kept
 * in the device's encrypted vault and deleted with it on sign-out.
 */
export class SharedHistory {
	byRoom = $state.raw<Record<string, SharedRoomMessages>>({});
	readonly #vault: LocalVault | undefined;
	readonly #stop: () => void;

	constructor(matrixClient: MatrixClient, vault: LocalVault | undefined) {
		this.#vault = vault;
		this.#stop = watchSharedRoomHistory(matrixClient, (history) => void this.#add(history));
		void this.#load();
	}

	/** Stops listening, on sign-out. */
	dispose(): void {
		this.#stop();
	}

	async #load(): Promise<void> {
		const parsed = storedSchema.safeParse((await this.#vault?.get(SHARED_HISTORY_ENTRY)) ?? {});
		if (parsed.success) this.byRoom = { ...parsed.data, ...this.byRoom };
		else log.warn('Ignoring malformed stored room history');
	}

	async #add(history: SharedRoomHistory): Promise<void> {
		this.byRoom = {
			...this.byRoom,
			[history.roomId]: {
				sharedBy: history.sharedBy,
				messages: history.events.map(toSharedMessage)
			}
		};
		try {
			await this.#vault?.put(SHARED_HISTORY_ENTRY, this.byRoom);
		} catch (error) {
			log.warn('Could not store the shared room history', error);
		}
	}
}
