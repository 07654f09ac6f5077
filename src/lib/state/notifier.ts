import {
	EventType,
	MatrixEventEvent,
	RoomEvent,
	type MatrixClient,
	type MatrixEvent,
	type Room
} from 'matrix-js-sdk';
import { toEventView } from '../timeline/event-view.ts';
import { memberLabel } from './labels.ts';
import type { Preferences } from './preferences.svelte.ts';

/** Text of a notification when the user has not asked for details. */
export const PRIVATE_NOTIFICATION_TEXT = 'You have a new message.';

/**
 * Shows a browser notification for each new message from someone else while
 * the page is in the background. By default it says only that a message
 * arrived: no text, no sender, no room label, because notifications appear
 * on lock screens and in the operating system's history.
 */
export class MessageNotifier {
	readonly #matrixClient: MatrixClient;
	readonly #preferences: () => Preferences;
	readonly #notified = new Set<string>();

	constructor(matrixClient: MatrixClient, preferences: () => Preferences) {
		this.#matrixClient = matrixClient;
		this.#preferences = preferences;
	}

	readonly #onTimeline = (
		event: MatrixEvent,
		room: Room | undefined,
		toStartOfTimeline: boolean | undefined,
		_removed: boolean,
		data: { liveEvent?: boolean }
	): void => {
		if (toStartOfTimeline || !data.liveEvent || !room) return;
		// Encrypted events are looked at once decrypted.
		if (event.getType() === EventType.RoomMessageEncrypted && event.isBeingDecrypted()) return;
		this.#consider(event, room);
	};

	readonly #onDecrypted = (event: MatrixEvent): void => {
		const room = this.#matrixClient.getRoom(event.getRoomId());
		if (room && event.getTs() > Date.now() - 60_000) this.#consider(event, room);
	};

	#consider(event: MatrixEvent, room: Room): void {
		const eventId = event.getId();
		if (!eventId || this.#notified.has(eventId)) return;
		if (event.getSender() === this.#matrixClient.getUserId()) return;
		const view = toEventView(event);
		if (view.kind !== 'message' && view.kind !== 'undecryptable') return;
		if (!document.hidden) return;
		const preferences = this.#preferences();
		if (!preferences.notifications || Notification.permission !== 'granted') return;

		this.#notified.add(eventId);
		const body =
			preferences.notificationDetails && view.kind === 'message'
				? `${memberLabel(room, event.getSender() ?? '')}: ${view.body.slice(0, 200)}`
				: PRIVATE_NOTIFICATION_TEXT;
		// One tag for every notification, so they replace each other instead of piling up.
		new Notification('Alcove', { body, tag: 'alcove-message' });
	}

	/** Starts listening; returns the function that stops it. */
	listen(): () => void {
		this.#matrixClient.on(RoomEvent.Timeline, this.#onTimeline);
		this.#matrixClient.on(MatrixEventEvent.Decrypted, this.#onDecrypted);
		return () => {
			this.#matrixClient.off(RoomEvent.Timeline, this.#onTimeline);
			this.#matrixClient.off(MatrixEventEvent.Decrypted, this.#onDecrypted);
		};
	}
}
