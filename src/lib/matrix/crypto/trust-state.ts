/**
 * Threat model: a message is private only if its room keys go to the devices
 * of the right people. The homeserver controls which cross-signing identity it
 * reports for a user, so it can swap a therapist's or client's identity for
 * one it holds. Rust crypto pins the first identity it sees for each user and
 * flags any later change. For a user verified by emoji, a change is a strong
 * sign of an attack or a reset. Sending into a room is therefore held until
 * the user here acknowledges the change, ideally after talking to the person.
 * This module reads trust from the local Rust crypto store and changes it only
 * in `acknowledgeIdentityChange`.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import { CryptoEvent, type UserVerificationStatus } from 'matrix-js-sdk/lib/crypto-api';
import { KnownMembership } from 'matrix-js-sdk/lib/types';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';
import { requireCrypto } from './bootstrap.ts';

const log = logger.getChild('[Trust]');

/**
 * How far this device trusts a user's cross-signing identity.
 * - `verified`: verified by emoji, from this account, and unchanged since.
 * - `unverified`: the identity seen first, never verified.
 * - `identity_changed`: the identity differs from the pinned or verified one.
 * - `unknown`: no identity known yet (no shared encrypted room, or no cross-signing).
 */
export type UserTrust = 'verified' | 'unverified' | 'identity_changed' | 'unknown';

/** Trust in one user, with the flags that decide the interface's wording. */
export interface UserTrustState {
	userId: string;
	trust: UserTrust;
	/** This account verified the user before: a change is a verification violation. */
	previouslyVerified: boolean;
}

/** Trust in the other members of a room; `trust` is the weakest among them. */
export interface RoomTrustState {
	roomId: string;
	trust: UserTrust;
	members: UserTrustState[];
}

/** Whether sending into a room must wait, and for whose identity change. */
export interface SendHold {
	hold: boolean;
	/** Previously verified members whose identity changed, to acknowledge first. */
	changedUserIds: string[];
}

type StatusFlags = Pick<
	UserVerificationStatus,
	'known' | 'needsUserApproval' | 'isCrossSigningVerified' | 'wasCrossSigningVerified'
>;

/** Classifies the SDK's verification status of a user. */
export function classifyUserTrust(status: StatusFlags): UserTrust {
	if (!status.known) return 'unknown';
	if (status.isCrossSigningVerified()) return 'verified';
	if (status.wasCrossSigningVerified() || status.needsUserApproval) return 'identity_changed';
	return 'unverified';
}

/** Ranks trust from weakest to strongest, so a room shows its weakest member. */
const trustOrder: readonly UserTrust[] = ['identity_changed', 'unknown', 'unverified', 'verified'];

/** Returns the weakest trust of a list; `verified` for an empty list. */
export function weakestTrust(trusts: readonly UserTrust[]): UserTrust {
	let weakest: UserTrust = 'verified';
	for (const trust of trusts) {
		if (trustOrder.indexOf(trust) < trustOrder.indexOf(weakest)) weakest = trust;
	}
	return weakest;
}

/** Reads how far this device trusts a user's identity. */
export async function getUserTrust(
	matrixClient: MatrixClient,
	userId: string
): Promise<UserTrustState> {
	const status = await requireCrypto(matrixClient).getUserVerificationStatus(userId);
	const trust = classifyUserTrust(status);
	return {
		userId,
		trust,
		previouslyVerified: trust === 'identity_changed' && status.wasCrossSigningVerified()
	};
}

/** Joined and invited members other than the own user: everyone who gets room keys. */
function keyRecipients(matrixClient: MatrixClient, roomId: string): string[] {
	const room = matrixClient.getRoom(roomId);
	if (!room) throw new AlcoveError('user_not_in_room', `This account is not in ${roomId}`);
	const ownUserId = matrixClient.getSafeUserId();
	return room
		.getMembers()
		.filter(
			(member) =>
				member.userId !== ownUserId &&
				(member.membership === KnownMembership.Join || member.membership === KnownMembership.Invite)
		)
		.map((member) => member.userId);
}

/** Reads the trust in every other joined or invited member of a room. */
export async function getRoomTrust(
	matrixClient: MatrixClient,
	roomId: string
): Promise<RoomTrustState> {
	const members = await Promise.all(
		keyRecipients(matrixClient, roomId).map((userId) => getUserTrust(matrixClient, userId))
	);
	return { roomId, trust: weakestTrust(members.map((member) => member.trust)), members };
}

/**
 * Tells whether sending into the room must be held: it must if a member whom
 * this account verified now has another identity. Changes of identities that
 * were never verified are reported by {@link getRoomTrust} but do not hold
 * sending, because nobody here vouched for them.
 */
export async function getSendHold(matrixClient: MatrixClient, roomId: string): Promise<SendHold> {
	return sendHoldOf(await getRoomTrust(matrixClient, roomId));
}

/** Derives the send hold from a room's trust state that the caller already read. */
export function sendHoldOf(roomTrust: RoomTrustState): SendHold {
	const changedUserIds = roomTrust.members
		.filter((member) => member.previouslyVerified)
		.map((member) => member.userId);
	return { hold: changedUserIds.length > 0, changedUserIds };
}

/**
 * Accepts a user's changed identity, which ends the hold on sending. A
 * previously verified identity loses its verification; verify the person again
 * by emoji to restore it.
 */
export async function acknowledgeIdentityChange(
	matrixClient: MatrixClient,
	userId: string
): Promise<void> {
	const crypto = requireCrypto(matrixClient);
	const status = await crypto.getUserVerificationStatus(userId);
	if (status.wasCrossSigningVerified() && !status.isCrossSigningVerified()) {
		await crypto.withdrawVerificationRequirement(userId);
	} else if (status.needsUserApproval) {
		await crypto.pinCurrentUserIdentity(userId);
	} else {
		return;
	}
	log.info('Acknowledged the identity change of', userId);
}

/**
 * Calls `onChange` with the user ID whenever this device's trust in a user
 * changes, including the own user. Returns the function that stops it.
 */
export function watchUserTrust(
	matrixClient: MatrixClient,
	onChange: (userId: string) => void
): () => void {
	const listener = (userId: string): void => onChange(userId);
	matrixClient.on(CryptoEvent.UserTrustStatusChanged, listener);
	return () => matrixClient.off(CryptoEvent.UserTrustStatusChanged, listener);
}
