/**
 * Who may keep notes from a care room, and about whom. Notes themselves live
 * in each therapist's own notes room. This module only decides where the
 * interface offers them, so that the client never sees a trace of them.
 */
import { EventType, KnownMembership, type Room } from 'matrix-js-sdk';
import { isCareRoom } from '../matrix/care-room.ts';

/**
 * Returns true if `userId` is a therapist of the care room: a joined member
 * who may change its power levels. In a care room that is the creator,
 * whose power is above every level from room version 12 on, and any
 * colleague given state power. The client and colleagues who may only
 * write are below that level.
 */
export function mayKeepNotesIn(room: Room, userId: string): boolean {
	if (!isCareRoom(room) || room.getMyMembership() !== KnownMembership.Join) return false;
	return room.currentState.maySendStateEvent(EventType.RoomPowerLevels, userId);
}

/**
 * Returns the members a note from this care room can be about: everyone who
 * is, was or is invited to be a member and may not change the room's power
 * levels. Usually that is exactly one person, the client. Colleagues who may
 * only write appear too, so the therapist picks when there are several.
 */
export function clientCandidates(room: Room, therapistUserId: string): string[] {
	const memberships = new Set<string>([
		KnownMembership.Join,
		KnownMembership.Invite,
		KnownMembership.Leave
	]);
	return room
		.getMembers()
		.filter(
			(member) => member.userId !== therapistUserId && memberships.has(member.membership ?? '')
		)
		.filter(
			(member) => !room.currentState.maySendStateEvent(EventType.RoomPowerLevels, member.userId)
		)
		.map((member) => member.userId)
		.sort();
}
