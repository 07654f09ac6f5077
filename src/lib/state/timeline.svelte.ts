import {
	Direction,
	MatrixEventEvent,
	RoomEvent,
	RoomMemberEvent,
	type MatrixClient,
	type MatrixEvent,
	type Room
} from 'matrix-js-sdk';
import type { RoomMessageEventContent } from 'matrix-js-sdk/lib/types';
import { logger } from '../matrix/logger.ts';
import { toAlcoveError } from '../matrix/login.ts';
import {
	sendStatusOf,
	toEventView,
	type EventView,
	type SendStatus
} from '../timeline/event-view.ts';
import { assertContentFits } from '../timeline/message-size.ts';
import { memberLabel, memberLabels } from './labels.ts';

/** One row of the timeline. */
export interface TimelineItem {
	/** Event ID, or the transaction's local ID while a local echo is unsent. */
	key: string;
	event: MatrixEvent;
	view: EventView;
	senderId: string;
	senderLabel: string;
	timestamp: number;
	isOwn: boolean;
	status: SendStatus;
}

const PAGE_SIZE = 30;
const TYPING_TIMEOUT_MS = 5_000;

/** The timeline of one room: events, pending local echoes, typing and read state. */
export class TimelineState {
	items = $state.raw<TimelineItem[]>([]);
	canPaginateBack = $state(true);
	paginating = $state(false);
	typingLabels = $state.raw<string[]>([]);
	/** Key of the newest own message that every other member has read. */
	readUpToKey = $state<string | undefined>();

	readonly room: Room;
	readonly #matrixClient: MatrixClient;
	readonly #myUserId: string;
	#typing = false;
	#typingSentAt = 0;
	#typingPause: ReturnType<typeof setTimeout> | undefined;
	#scheduled = false;

	constructor(matrixClient: MatrixClient, room: Room) {
		this.#matrixClient = matrixClient;
		this.room = room;
		this.#myUserId = matrixClient.getSafeUserId();
		this.refresh();
	}

	readonly #schedule = (): void => {
		if (this.#scheduled) return;
		this.#scheduled = true;
		queueMicrotask(() => {
			this.#scheduled = false;
			this.refresh();
		});
	};

	readonly #onDecrypted = (event: MatrixEvent): void => {
		if (event.getRoomId() === this.room.roomId) this.#schedule();
	};

	readonly #onRoomEvent = (_event: unknown, room: Room | undefined): void => {
		if (!room || room.roomId === this.room.roomId) this.#schedule();
	};

	/** Starts listening to the room; returns the function that stops it. */
	listen(): () => void {
		const roomEvents = [
			RoomEvent.Timeline,
			RoomEvent.TimelineReset,
			RoomEvent.LocalEchoUpdated,
			RoomEvent.Receipt,
			RoomEvent.Redaction
		] as const;
		for (const name of roomEvents) this.#matrixClient.on(name, this.#onRoomEvent);
		this.#matrixClient.on(MatrixEventEvent.Decrypted, this.#onDecrypted);
		this.#matrixClient.on(RoomMemberEvent.Typing, this.#schedule);
		return () => {
			for (const name of roomEvents) this.#matrixClient.off(name, this.#onRoomEvent);
			this.#matrixClient.off(MatrixEventEvent.Decrypted, this.#onDecrypted);
			this.#matrixClient.off(RoomMemberEvent.Typing, this.#schedule);
			this.setTyping(false);
		};
	}

	/** Rebuilds the items from the room's live timeline and pending events. */
	refresh(): void {
		const events = [...this.room.getLiveTimeline().getEvents(), ...this.room.getPendingEvents()];
		const items: TimelineItem[] = [];
		const labels = memberLabels(this.room);
		for (const event of events) {
			const view = toEventView(event);
			if (view.kind === 'hidden') continue;
			const senderId = event.getSender() ?? '';
			items.push({
				key: event.getId() ?? event.getTxnId() ?? `${senderId}:${event.getTs()}`,
				event,
				view,
				senderId,
				senderLabel: memberLabel(this.room, senderId, labels),
				timestamp: event.getTs(),
				isOwn: senderId === this.#myUserId,
				status: sendStatusOf(event)
			});
		}
		this.items = items;
		this.typingLabels = this.room
			.getMembers()
			.filter((member) => member.typing && member.userId !== this.#myUserId)
			.map((member) => memberLabel(this.room, member.userId, labels));
		this.readUpToKey = this.#newestOwnReadByOthers(items);
	}

	#newestOwnReadByOthers(items: TimelineItem[]): string | undefined {
		const others = this.room
			.getJoinedMembers()
			.map((member) => member.userId)
			.filter((userId) => userId !== this.#myUserId);
		if (others.length === 0) return undefined;
		for (let index = items.length - 1; index >= 0; index--) {
			const item = items[index];
			if (!item?.isOwn || item.status !== 'sent') continue;
			const readers = this.room.getUsersReadUpTo(item.event);
			if (others.every((userId) => readers.includes(userId))) return item.key;
		}
		return undefined;
	}

	/** Loads one page of older events; sets `canPaginateBack` false at the room's start. */
	async paginateBack(): Promise<void> {
		if (this.paginating || !this.canPaginateBack) return;
		this.paginating = true;
		try {
			const timeline = this.room.getLiveTimeline();
			this.canPaginateBack = await this.#matrixClient.paginateEventTimeline(timeline, {
				backwards: true,
				limit: PAGE_SIZE
			});
			if (!timeline.getPaginationToken(Direction.Backward)) this.canPaginateBack = false;
		} catch (error) {
			logger.warn('Back-pagination failed', this.room.roomId, error);
		} finally {
			this.paginating = false;
			this.refresh();
		}
	}

	/**
	 * Sends a message. The local echo appears at once; if sending fails it
	 * stays in the timeline, marked, for {@link retry}.
	 *
	 * @throws AlcoveError `event_too_large` before anything is sent, so the
	 *   caller can keep the text in the composer.
	 */
	send(content: RoomMessageEventContent): void {
		assertContentFits(content);
		this.setTyping(false);
		this.#matrixClient.sendMessage(this.room.roomId, content).catch((error: unknown) => {
			// The failed local echo carries the state; the timeline shows it.
			logger.warn('Sending failed', this.room.roomId, toAlcoveError(error, 'Send').code);
		});
		this.#schedule();
	}

	/** Sends a failed local echo again. */
	retry(item: TimelineItem): void {
		this.#matrixClient.resendEvent(item.event, this.room).catch((error: unknown) => {
			logger.warn('Resending failed', this.room.roomId, toAlcoveError(error, 'Resend').code);
		});
		this.#schedule();
	}

	/** Removes a failed local echo that the user does not want to send. */
	discard(item: TimelineItem): void {
		this.#matrixClient.cancelPendingEvent(item.event);
		this.#schedule();
	}

	/** Sends a read receipt for the newest event, if it is not read yet. */
	markRead(): void {
		const events = this.room.getLiveTimeline().getEvents();
		const newest = events.findLast((event) => event.getId() && !event.isSending());
		if (!newest || newest.getSender() === this.#myUserId) return;
		if (this.room.hasUserReadEvent(this.#myUserId, newest.getId()!)) return;
		this.#matrixClient.sendReadReceipt(newest).catch((error: unknown) => {
			logger.debug('Read receipt failed', this.room.roomId, error);
		});
	}

	/**
	 * Notes a keystroke in the composer. The server forgets a typing notice
	 * after its timeout, so it is renewed while typing goes on, and withdrawn
	 * after a pause.
	 */
	noteTyping(): void {
		clearTimeout(this.#typingPause);
		this.#typingPause = setTimeout(() => this.setTyping(false), TYPING_TIMEOUT_MS);
		if (Date.now() - this.#typingSentAt > TYPING_TIMEOUT_MS - 1_000) this.setTyping(true);
	}

	/** Tells the other members whether this user is typing. */
	setTyping(typing: boolean): void {
		if (!typing) clearTimeout(this.#typingPause);
		if (!typing && !this.#typing) return;
		this.#typing = typing;
		this.#typingSentAt = typing ? Date.now() : 0;
		this.#matrixClient
			.sendTyping(this.room.roomId, typing, TYPING_TIMEOUT_MS)
			.catch((error: unknown) => logger.debug('Typing notice failed', error));
	}
}
