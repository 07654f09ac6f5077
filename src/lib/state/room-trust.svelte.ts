import { RoomStateEvent, type MatrixClient, type Room } from 'matrix-js-sdk';
import {
	acknowledgeIdentityChange,
	getRoomTrust,
	sendHoldOf,
	verifyUserInRoom,
	watchUserTrust,
	type SendHold,
	type UserTrust,
	type UserTrustState,
	type VerificationSession
} from '../matrix/crypto/index.ts';
import { logger } from '../matrix/logger.ts';

const log = logger.getChild('[RoomTrust]');

/**
 * How far this device trusts the other members of one room, whether sending
 * must wait for an acknowledged identity change, and the emoji verification
 * started from the room.
 */
export class RoomTrustState {
	/** The weakest trust among the other members; `verified` until the first read. */
	trust = $state<UserTrust>('verified');
	members = $state.raw<UserTrustState[]>([]);
	hold = $state.raw<SendHold>({ hold: false, changedUserIds: [] });
	/** False until the first read, so the header does not flash a wrong state. */
	loaded = $state(false);
	/** The verification this device started from the room, while it runs. */
	verification = $state.raw<VerificationSession | undefined>();
	readonly #matrixClient: MatrixClient;
	readonly #room: Room;

	constructor(matrixClient: MatrixClient, room: Room) {
		this.#matrixClient = matrixClient;
		this.#room = room;
	}

	/** Reads the trust of every other joined or invited member again. */
	async refresh(): Promise<void> {
		try {
			const roomTrust = await getRoomTrust(this.#matrixClient, this.#room.roomId);
			this.members = roomTrust.members;
			this.trust = roomTrust.trust;
			this.hold = sendHoldOf(roomTrust);
			this.loaded = true;
		} catch (error) {
			log.warn('Could not read the trust of room', this.#room.roomId, error);
		}
	}

	/** Re-reads on trust changes and membership changes; returns the function that stops it. */
	listen(): () => void {
		void this.refresh();
		const stopTrust = watchUserTrust(this.#matrixClient, (userId) => {
			if (this.#room.getMember(userId)) void this.refresh();
		});
		const onMembers = (): void => void this.refresh();
		this.#room.currentState.on(RoomStateEvent.Members, onMembers);
		return () => {
			stopTrust();
			this.#room.currentState.off(RoomStateEvent.Members, onMembers);
			this.verification?.dispose();
		};
	}

	/** Accepts a member's new identity, which resumes sending. */
	async acknowledge(userId: string): Promise<void> {
		await acknowledgeIdentityChange(this.#matrixClient, userId);
		await this.refresh();
	}

	/** Starts an emoji verification of a member, shown by the room's trust panel. */
	async verify(userId: string): Promise<void> {
		this.verification?.dispose();
		this.verification = await verifyUserInRoom(this.#matrixClient, userId, this.#room.roomId);
	}

	/** Closes the finished verification and reads the new trust. */
	closeVerification(): void {
		this.verification?.dispose();
		this.verification = undefined;
		void this.refresh();
	}

	/** The member's display name, for text; falls back to the Matrix ID. */
	nameOf(userId: string): string {
		return this.#room.getMember(userId)?.name ?? userId;
	}
}
