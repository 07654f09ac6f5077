import { KnownMembership, type Room } from 'matrix-js-sdk';
import { disambiguateDisplayNames, displayNameFor } from '../content/display-text.ts';

/**
 * Returns how each current member of the room is named: the display name
 * cleaned of invisible and reordering characters, with the Matrix ID added
 * where two names look alike or a name imitates a Matrix ID.
 */
export function memberLabels(room: Room): Map<string, string> {
	const members = room
		.getMembers()
		.filter(
			(member) =>
				member.membership === KnownMembership.Join || member.membership === KnownMembership.Invite
		)
		.map((member) => ({
			userId: member.userId,
			displayName: member.events.member?.getContent().displayname as unknown as string | undefined
		}));
	const labels = new Map<string, string>();
	for (const [userId, { label, showUserId }] of disambiguateDisplayNames(members)) {
		labels.set(userId, showUserId ? `${label} (${userId})` : label);
	}
	return labels;
}

/** Returns the label of one member, or of a former member by their Matrix ID. */
export function memberLabel(room: Room, userId: string, labels = memberLabels(room)): string {
	return labels.get(userId) ?? displayNameFor({ userId });
}

/**
 * Returns the label of a room, computed on this device from its members. Care
 * rooms have no name in their state, so the label never reaches the server.
 */
export function roomLabel(room: Room, myUserId: string): string {
	const labels = memberLabels(room);
	const others = [...labels].filter(([userId]) => userId !== myUserId).map(([, label]) => label);
	if (others.length > 0) return others.sort().join(', ');

	// An invitation carries only the inviter in its stripped state.
	const inviter = room.getMember(myUserId)?.events.member?.getSender();
	if (inviter && inviter !== myUserId) return memberLabel(room, inviter, labels);
	return 'Empty room';
}
