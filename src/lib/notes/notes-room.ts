/**
 * The therapist's notes room: one room per therapist, of which the therapist
 * is the only member. docs/notes.md explains why there is one per therapist
 * rather than one per client.
 *
 * Nobody is ever invited, so the room never federates and no server but the
 * therapist's own ever holds it. The room carries no name or topic; its type
 * says only that Alcove made it. Power levels let nobody but the creator send
 * any event, so even an account that got in by a bug could not add a note.
 */
import {
	ClientEvent,
	EventType,
	GuestAccess,
	HistoryVisibility,
	JoinRule,
	KnownMembership,
	Preset,
	Visibility,
	type ICreateRoomOpts,
	type MatrixClient,
	type Room
} from 'matrix-js-sdk';
import { logger } from '../matrix/logger.ts';
import { toAlcoveError } from '../matrix/login.ts';
import { NotesError } from './errors.ts';
import { NOTE_EVENT_TYPE, NOTES_ROOM_TYPE } from './event-types.ts';

/**
 * Room version 12 (MSC4289) gives the creator a power above every level, so
 * the creator is not listed in `users` and nobody can be raised to equal them.
 */
export const NOTES_ROOM_VERSION = '12';

/** Level needed for every event and every state change: only the creator has it. */
const OWNER_LEVEL = 100;

/** Builds the `/createRoom` request of a notes room. It invites nobody. */
export function notesRoomCreateOptions(): ICreateRoomOpts {
	return {
		// private_chat, not trusted_private_chat, which would make invitees creators.
		preset: Preset.PrivateChat,
		visibility: Visibility.Private,
		room_version: NOTES_ROOM_VERSION,
		creation_content: { type: NOTES_ROOM_TYPE },
		initial_state: [
			{
				type: EventType.RoomEncryption,
				state_key: '',
				content: { algorithm: 'm.megolm.v1.aes-sha2' }
			},
			{
				type: EventType.RoomHistoryVisibility,
				state_key: '',
				content: { history_visibility: HistoryVisibility.Joined }
			},
			{
				type: EventType.RoomGuestAccess,
				state_key: '',
				content: { guest_access: GuestAccess.Forbidden }
			},
			{ type: EventType.RoomJoinRules, state_key: '', content: { join_rule: JoinRule.Invite } }
		],
		// Synapse merges this override shallowly into its defaults, so `events`
		// replaces the whole default map and lists every type it restricts.
		power_level_content_override: {
			users: {},
			users_default: 0,
			events_default: OWNER_LEVEL,
			state_default: OWNER_LEVEL,
			invite: OWNER_LEVEL,
			kick: OWNER_LEVEL,
			ban: OWNER_LEVEL,
			redact: OWNER_LEVEL,
			notifications: { room: OWNER_LEVEL },
			events: {
				[NOTE_EVENT_TYPE]: OWNER_LEVEL,
				[EventType.RoomName]: OWNER_LEVEL,
				[EventType.RoomTopic]: OWNER_LEVEL,
				[EventType.RoomAvatar]: OWNER_LEVEL,
				[EventType.RoomCanonicalAlias]: OWNER_LEVEL,
				[EventType.RoomPowerLevels]: OWNER_LEVEL,
				[EventType.RoomHistoryVisibility]: OWNER_LEVEL,
				[EventType.RoomJoinRules]: OWNER_LEVEL,
				[EventType.RoomGuestAccess]: OWNER_LEVEL,
				[EventType.RoomEncryption]: OWNER_LEVEL,
				[EventType.RoomServerAcl]: OWNER_LEVEL,
				[EventType.RoomPinnedEvents]: OWNER_LEVEL,
				[EventType.RoomRedaction]: OWNER_LEVEL,
				// In version 12 only creators reach 150, so only they can upgrade.
				[EventType.RoomTombstone]: 150
			}
		}
	};
}

/** Returns true if the room is a notes room created by `userId` and joined by this device's account. */
export function isOwnNotesRoom(room: Room, userId: string): boolean {
	return (
		room.getType() === NOTES_ROOM_TYPE &&
		room.getCreator() === userId &&
		room.getMyMembership() === KnownMembership.Join
	);
}

/**
 * Returns the therapist's notes room among the rooms the matrixClient has
 * synced, or undefined. If two devices created one at the same time, the
 * older one is used everywhere, so both devices end up writing to the same room.
 */
export function findNotesRoom(matrixClient: MatrixClient): Room | undefined {
	const userId = matrixClient.getSafeUserId();
	const createdAt = (room: Room): number =>
		room.currentState.getStateEvents(EventType.RoomCreate, '')?.getTs() ?? Number.MAX_SAFE_INTEGER;
	return matrixClient
		.getRooms()
		.filter((room) => isOwnNotesRoom(room, userId))
		.sort((a, b) => createdAt(a) - createdAt(b) || a.roomId.localeCompare(b.roomId))[0];
}

/**
 * Throws unless the therapist is the room's only member. Nothing is written to
 * a room that anyone else could read, even though notes are encrypted, because
 * their number and times are still clinical metadata.
 *
 * @throws NotesError `notes_room_unsafe`.
 */
export function assertNotesRoomPrivate(room: Room): void {
	const others = room.getJoinedMemberCount() + room.getInvitedMemberCount() - 1;
	if (others > 0 || room.getJoinRule() !== JoinRule.Invite) {
		throw new NotesError(
			'notes_room_unsafe',
			`Notes room ${room.roomId} has ${others} other member(s) or is not invite-only`
		);
	}
}

function waitForRoom(matrixClient: MatrixClient, roomId: string, timeoutMs: number): Promise<Room> {
	const known = matrixClient.getRoom(roomId);
	if (known?.getMyMembership() === KnownMembership.Join) return Promise.resolve(known);
	return new Promise((resolve, reject) => {
		const check = (): void => {
			const room = matrixClient.getRoom(roomId);
			if (room?.getMyMembership() === KnownMembership.Join && room.getType() === NOTES_ROOM_TYPE) {
				cleanup();
				resolve(room);
			}
		};
		const timer = setTimeout(() => {
			cleanup();
			reject(
				new Error(`The new notes room ${roomId} did not arrive by sync within ${timeoutMs} ms`)
			);
		}, timeoutMs);
		const cleanup = (): void => {
			clearTimeout(timer);
			matrixClient.off(ClientEvent.Room, check);
			matrixClient.off(ClientEvent.Sync, check);
		};
		matrixClient.on(ClientEvent.Room, check);
		matrixClient.on(ClientEvent.Sync, check);
		check();
	});
}

/**
 * Returns the therapist's notes room, creating it on first use. The
 * matrixClient must have completed its first sync, or an existing room would
 * not be found and a second one created.
 *
 * @throws AlcoveError if the room cannot be created.
 */
export async function ensureNotesRoom(
	matrixClient: MatrixClient,
	options: { timeoutMs?: number } = {}
): Promise<Room> {
	const existing = findNotesRoom(matrixClient);
	if (existing) return existing;

	let roomId: string;
	try {
		({ room_id: roomId } = await matrixClient.createRoom(notesRoomCreateOptions()));
	} catch (error) {
		throw toAlcoveError(error, 'Notes room creation');
	}
	logger.info('Notes: created the notes room', roomId);
	return waitForRoom(matrixClient, roomId, options.timeoutMs ?? 30_000);
}
