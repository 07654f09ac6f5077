import { KnownMembership, type Room } from 'matrix-js-sdk';

/**
 * Returns the label of a member: their display name, or their Matrix ID if
 * they have none. The SDK already adds the Matrix ID when two members of the
 * room share a display name.
 */
export function memberLabel(room: Room, userId: string): string {
	return room.getMember(userId)?.name || userId;
}

/**
 * Returns the label of a room, computed on this device from its members. Care
 * rooms have no name in their state, so the label never reaches the server.
 */
export function roomLabel(room: Room, myUserId: string): string {
	const others = room
		.getMembers()
		.filter(
			(member) =>
				member.userId !== myUserId &&
				(member.membership === KnownMembership.Join || member.membership === KnownMembership.Invite)
		)
		.map((member) => member.name || member.userId);
	if (others.length > 0) return others.sort().join(', ');

	// An invitation carries only the inviter in its stripped state.
	const inviter = room.getMember(myUserId)?.events.member?.getSender();
	if (inviter && inviter !== myUserId) return memberLabel(room, inviter);
	return 'Empty room';
}
