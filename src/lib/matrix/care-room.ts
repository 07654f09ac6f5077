import {
	EventType,
	GuestAccess,
	HistoryVisibility,
	JoinRule,
	Preset,
	Visibility,
	type ICreateRoomOpts,
	type MatrixClient,
	type Room
} from 'matrix-js-sdk';
import { AlcoveError } from './errors.ts';
import { CARE_ROOM_TYPE } from './event-types.ts';
import { logger } from './logger.ts';
import { toAlcoveError } from './login.ts';
import { userIdSchema } from './matrix-id.ts';

/**
 * Room version of new care rooms. Version 12 (MSC4289) gives the room's
 * creator a power above every power level, so the creator must not appear in
 * the `users` map of `m.room.power_levels`; Synapse rejects the event otherwise.
 */
export const CARE_ROOM_VERSION = '12';

/** Power level of the therapist's colleagues and of every state change. */
const THERAPIST_LEVEL = 100;

/**
 * Builds the `/createRoom` request for a care room between the calling
 * therapist and one client.
 *
 * The room is invite-only, encrypted from its first event, closed to guests,
 * and each member sees history only from their own invitation on. It has no
 * name, topic or avatar, because room state is not end-to-end encrypted and
 * would tell the server who the client is.
 */
export function careRoomCreateOptions(clientUserId: string): ICreateRoomOpts {
	return {
		// private_chat, not trusted_private_chat: the latter makes every invitee
		// an additional creator in version 12 rooms, which would hand the client
		// full power over the room.
		preset: Preset.PrivateChat,
		visibility: Visibility.Private,
		room_version: CARE_ROOM_VERSION,
		invite: [clientUserId],
		creation_content: { type: CARE_ROOM_TYPE },
		initial_state: [
			{
				type: EventType.RoomEncryption,
				state_key: '',
				content: { algorithm: 'm.megolm.v1.aes-sha2' }
			},
			{
				type: EventType.RoomHistoryVisibility,
				state_key: '',
				content: { history_visibility: HistoryVisibility.Invited }
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
			users: { [clientUserId]: 0 },
			users_default: 0,
			events_default: 0,
			state_default: THERAPIST_LEVEL,
			invite: THERAPIST_LEVEL,
			kick: THERAPIST_LEVEL,
			ban: THERAPIST_LEVEL,
			redact: THERAPIST_LEVEL,
			notifications: { room: THERAPIST_LEVEL },
			events: {
				[EventType.RoomName]: THERAPIST_LEVEL,
				[EventType.RoomTopic]: THERAPIST_LEVEL,
				[EventType.RoomAvatar]: THERAPIST_LEVEL,
				[EventType.RoomCanonicalAlias]: THERAPIST_LEVEL,
				[EventType.RoomPowerLevels]: THERAPIST_LEVEL,
				[EventType.RoomHistoryVisibility]: THERAPIST_LEVEL,
				[EventType.RoomJoinRules]: THERAPIST_LEVEL,
				[EventType.RoomGuestAccess]: THERAPIST_LEVEL,
				[EventType.RoomEncryption]: THERAPIST_LEVEL,
				[EventType.RoomServerAcl]: THERAPIST_LEVEL,
				[EventType.RoomPinnedEvents]: THERAPIST_LEVEL,
				// Upgrading replaces the room; in version 12 only creators reach 150.
				[EventType.RoomTombstone]: 150
			}
		}
	};
}

/** Returns true if the room was created by Alcove as a care room. */
export function isCareRoom(room: Room): boolean {
	return room.getType() === CARE_ROOM_TYPE;
}

/**
 * Creates a care room and invites the client.
 *
 * @param clientUserId - The client's full Matrix ID.
 * @returns The new room's ID.
 * @throws AlcoveError `invalid_user_id` for a malformed ID, or the code of the
 *   server's error (for example `homeserver_unreachable`).
 */
export async function createCareRoom(
	matrixClient: MatrixClient,
	clientUserId: string
): Promise<string> {
	const parsed = userIdSchema.safeParse(clientUserId);
	if (!parsed.success) {
		throw new AlcoveError(
			'invalid_user_id',
			parsed.error.issues[0]?.message ?? 'Invalid Matrix ID'
		);
	}
	const userId = parsed.data;
	if (userId === matrixClient.getUserId()) {
		throw new AlcoveError('invalid_user_id', 'A care room needs a client other than yourself.');
	}

	// The homeserver cannot be asked first whether the account exists: a
	// privacy-hardened Synapse shows profiles only to users who share a joined
	// room, and a client may get the invitation before first signing in.
	let roomId: string;
	try {
		({ room_id: roomId } = await matrixClient.createRoom(careRoomCreateOptions(userId)));
	} catch (error) {
		throw toAlcoveError(error, 'Care room creation');
	}
	logger.info('Created care room', roomId);
	return roomId;
}
