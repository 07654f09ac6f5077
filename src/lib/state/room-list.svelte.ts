import {
	ClientEvent,
	KnownMembership,
	MatrixEventEvent,
	NotificationCountType,
	RoomEvent,
	type MatrixClient,
	type MatrixEvent,
	type Room
} from 'matrix-js-sdk';
import { isCareRoom } from '../matrix/care-room.ts';
import { NOTES_ROOM_TYPE } from '../notes/event-types.ts';
import { toEventView } from '../timeline/event-view.ts';
import { memberLabel, roomLabel } from './labels.ts';

/** One row of the room list. */
export interface RoomSummaryView {
	roomId: string;
	label: string;
	membership: 'join' | 'invite';
	/** Who sent the invitation, for rooms the user is invited to. */
	inviter: string | undefined;
	lastMessage: { text: string; timestamp: number; fromMe: boolean } | undefined;
	/** Unread messages counted on this device (the server cannot read encrypted ones). */
	unread: number;
	isCareRoom: boolean;
	lastActivity: number;
}

const PREVIEW_LENGTH = 120;

function lastMessagePreview(
	room: Room,
	myUserId: string
): RoomSummaryView['lastMessage'] | undefined {
	const events = room.getLiveTimeline().getEvents();
	for (let index = events.length - 1; index >= 0; index--) {
		const event = events[index];
		if (!event) continue;
		const view = toEventView(event);
		const base = { timestamp: event.getTs(), fromMe: event.getSender() === myUserId };
		if (view.kind === 'message') return { ...base, text: view.body.slice(0, PREVIEW_LENGTH) };
		if (view.kind === 'undecryptable') return { ...base, text: 'Message could not be decrypted' };
		if (view.kind === 'decrypting') return { ...base, text: 'Decrypting…' };
	}
	return undefined;
}

/**
 * Counts messages from others after the user's own read receipt. Counted on
 * the device, because the server cannot tell which encrypted events are
 * messages.
 */
function unreadCount(room: Room, myUserId: string): number {
	const readUpTo = room.getEventReadUpTo(myUserId);
	const events = room.getLiveTimeline().getEvents();
	let count = 0;
	for (let index = events.length - 1; index >= 0; index--) {
		const event: MatrixEvent | undefined = events[index];
		if (!event) continue;
		if (event.getId() === readUpTo || event.getSender() === myUserId) break;
		const view = toEventView(event);
		if (view.kind === 'message' || view.kind === 'undecryptable') count++;
	}
	// The server's count covers events older than the loaded timeline.
	return Math.max(
		count,
		readUpTo ? 0 : room.getUnreadNotificationCount(NotificationCountType.Total)
	);
}

function summarise(room: Room, myUserId: string): RoomSummaryView | undefined {
	const membership = room.getMyMembership();
	if (membership !== KnownMembership.Join && membership !== KnownMembership.Invite)
		return undefined;
	// The notes room is opened from the care rooms, never as a conversation.
	if (room.getType() === NOTES_ROOM_TYPE) return undefined;
	const lastMessage = lastMessagePreview(room, myUserId);
	const inviterId =
		membership === KnownMembership.Invite
			? room.getMember(myUserId)?.events.member?.getSender()
			: undefined;
	return {
		roomId: room.roomId,
		label: roomLabel(room, myUserId),
		membership,
		inviter: inviterId ? memberLabel(room, inviterId) : undefined,
		lastMessage,
		unread: membership === KnownMembership.Join ? unreadCount(room, myUserId) : 0,
		isCareRoom: isCareRoom(room),
		lastActivity: lastMessage?.timestamp ?? room.getLastActiveTimestamp()
	};
}

/** The room list, kept up to date from the matrixClient's events. */
export class RoomListState {
	rooms = $state.raw<RoomSummaryView[]>([]);
	readonly #matrixClient: MatrixClient;
	#scheduled = false;
	readonly #schedule = (): void => {
		if (this.#scheduled) return;
		this.#scheduled = true;
		// Many events arrive in one sync; rebuild the list once for all of them.
		setTimeout(() => {
			this.#scheduled = false;
			this.refresh();
		}, 50);
	};

	constructor(matrixClient: MatrixClient) {
		this.#matrixClient = matrixClient;
		this.refresh();
	}

	/** Starts listening to the matrixClient; returns the function that stops it. */
	listen(): () => void {
		const events = [
			ClientEvent.Room,
			ClientEvent.DeleteRoom,
			RoomEvent.Timeline,
			RoomEvent.MyMembership,
			RoomEvent.Receipt,
			RoomEvent.LocalEchoUpdated,
			RoomEvent.Name,
			MatrixEventEvent.Decrypted
		] as const;
		for (const name of events) this.#matrixClient.on(name, this.#schedule);
		return () => {
			for (const name of events) this.#matrixClient.off(name, this.#schedule);
		};
	}

	/** Rebuilds the list from the matrixClient's rooms. */
	refresh(): void {
		const myUserId = this.#matrixClient.getSafeUserId();
		const summaries: RoomSummaryView[] = [];
		for (const room of this.#matrixClient.getRooms()) {
			const summary = summarise(room, myUserId);
			if (summary) summaries.push(summary);
		}
		// Invitations first, then the most recently active rooms.
		summaries.sort((a, b) =>
			a.membership !== b.membership
				? a.membership === 'invite'
					? -1
					: 1
				: b.lastActivity - a.lastActivity
		);
		this.rooms = summaries;
	}
}
