/**
 * Threat model: a care room shows each member the history from their own
 * invitation on (`history_visibility: invited`). A co-therapist or supervisor
 * added later therefore reads nothing earlier unless the inviting therapist
 * explicitly chooses to share it. Sharing must reach only that colleague's
 * devices and must not open the history to anyone else.
 *
 * Why the SDK's history sharing cannot do this: `MatrixClient.invite()` shares
 * room keys (MSC4268 key bundles) only while the room's current visibility is
 * `shared` or `world_readable`, and a bundle holds only keys created under
 * such a visibility. More decisively, Synapse applies the visibility that was
 * in force when each event was sent. An invitee can therefore never fetch
 * events sent under `invited` before their invitation, whatever keys they
 * hold, and changing the visibility later affects only later events. js-sdk 43
 * has no switch for this either: history sharing on invite is always on and
 * gated only by that visibility check.
 *
 * So Alcove sends the earlier messages themselves. The inviting device
 * decrypts them, seals them as an encrypted attachment (history-transcript.ts)
 * and sends the attachment's key over Olm to those of the colleague's devices
 * that the colleague has cross-signed. The server sees ciphertext only, and
 * the room's visibility never changes. The receiving device accepts a
 * transcript once its user has joined the room, only from the member who
 * invited them or a member who may invite, and only from a cross-signed device
 * whose owner's identity did not change after verification.
 */
import {
	ClientEvent,
	ClientPrefix,
	Direction,
	EventType,
	HistoryVisibility,
	KnownMembership,
	Method,
	type IPowerLevelsContent,
	type MatrixClient,
	type MatrixEvent,
	type ReceivedToDeviceMessage,
	type Room
} from 'matrix-js-sdk';
import { decryptAttachment, encryptAttachment } from 'matrix-encrypt-attachment';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';
import { toAlcoveError } from '../login.ts';
import { userIdSchema } from '../matrix-id.ts';
import { requireCrypto } from './bootstrap.ts';
import {
	decodeTranscript,
	encodeTranscript,
	MAX_TRANSCRIPT_BYTES,
	ROOM_HISTORY_MESSAGE_TYPE,
	roomHistoryMessageSchema,
	SHARED_EVENT_TYPES,
	type RoomHistoryMessage,
	type SharedHistoryEvent,
	type SharedRoomHistory
} from './history-transcript.ts';
import { getUserTrust } from './trust-state.ts';

const log = logger.getChild('[HistorySharing]');

/** Events fetched per `/messages` request while collecting history. */
const pageSize = 100;

/** How long to wait for a membership change to arrive through sync, in milliseconds. */
const membershipTimeoutMs = 30_000;

/** Options of {@link inviteToCareRoom}. */
export interface CareRoomInvitationOptions {
	/**
	 * Send the messages written before the invitation to the invitee. There is
	 * no default, so the interface has to ask.
	 */
	shareHistory: boolean;
	/**
	 * Give the invitee the power level needed to change room state (members,
	 * settings, power levels). Without it the invitee can write messages only.
	 */
	allowStateChanges?: boolean;
}

/** Counts of what {@link shareRoomHistory} sent. */
export interface HistoryShareResult {
	/** Messages in the transcript. */
	sharedEventCount: number;
	/** Earlier messages this device could not decrypt, so could not share. */
	undecryptableEventCount: number;
	/**
	 * Cross-signed devices of the invitee that got the transcript. Zero means the
	 * invitee has no such device yet; share again once they have signed in and
	 * set up encryption.
	 */
	deviceCount: number;
}

/** Result of {@link inviteToCareRoom}. */
export interface CareRoomInvitation {
	/** The invitee's power level in the room. */
	powerLevel: number;
	/** Counts of the shared history; null when the history was not shared. */
	history: HistoryShareResult | null;
}

/**
 * Returns the power level an invitee gets: enough to send messages and, only
 * if `allowStateChanges`, enough to change room state.
 *
 * @throws Error if the room's power levels let everyone who can write also
 *   change state, so writing cannot be granted without state power.
 */
export function invitedMemberPowerLevel(
	powerLevels: IPowerLevelsContent,
	allowStateChanges: boolean
): number {
	const events = powerLevels.events ?? {};
	const writeLevel = Math.max(
		powerLevels.events_default ?? 0,
		events[EventType.RoomMessage] ?? 0,
		events[EventType.RoomMessageEncrypted] ?? 0
	);
	// 50 is the specification's default for state_default.
	const stateLevel = powerLevels.state_default ?? 50;
	if (allowStateChanges) return Math.max(writeLevel, stateLevel);
	if (writeLevel >= stateLevel) {
		throw new Error(
			`Writing needs level ${writeLevel}, which also allows state changes (${stateLevel})`
		);
	}
	return writeLevel;
}

function requireJoinedRoom(matrixClient: MatrixClient, roomId: string): Room {
	const room = matrixClient.getRoom(roomId);
	if (room?.getMyMembership() !== KnownMembership.Join) {
		throw new AlcoveError('user_not_in_room', `This account has not joined ${roomId}`);
	}
	return room;
}

/**
 * Resolves with the first value `check` returns that is not undefined,
 * re-checking on each sync and every 250 ms. Resolves with undefined once
 * `timeoutMs` has passed or `signal` is aborted.
 */
function waitForSync<T>(
	matrixClient: MatrixClient,
	check: () => T | undefined,
	options: { timeoutMs?: number; signal?: AbortSignal }
): Promise<T | undefined> {
	return new Promise((resolve) => {
		const deadline = Date.now() + (options.timeoutMs ?? Infinity);
		const poll = (): void => {
			const value = check();
			if (value === undefined && Date.now() < deadline && !options.signal?.aborted) return;
			matrixClient.off(ClientEvent.Sync, poll);
			options.signal?.removeEventListener('abort', poll);
			clearInterval(interval);
			resolve(value);
		};
		const interval = setInterval(poll, 250);
		matrixClient.on(ClientEvent.Sync, poll);
		options.signal?.addEventListener('abort', poll);
		poll();
	});
}

/**
 * Returns the ID of the event from which the user may read the room: their
 * invitation. For a member who has since joined it is the state event that
 * their join replaced.
 */
function invitationEventId(room: Room, userId: string): string | undefined {
	const membership = room.currentState.getStateEvents(EventType.RoomMember, userId);
	if (!membership) return undefined;
	const current = membership.getContent().membership;
	if (current === KnownMembership.Invite) return membership.getId();
	if (
		current === KnownMembership.Join &&
		membership.getPrevContent().membership === KnownMembership.Invite
	) {
		const replaced: unknown = membership.getUnsigned().replaces_state;
		if (typeof replaced === 'string') return replaced;
	}
	return undefined;
}

/** True for an event a transcript carries: a readable message, not a verification step. */
function isShareable(event: MatrixEvent): boolean {
	if (event.isDecryptionFailure() || event.isRedacted()) return false;
	if (!SHARED_EVENT_TYPES.includes(event.getType())) return false;
	return event.getContent().msgtype !== 'm.key.verification.request';
}

/**
 * Fetches and decrypts every encrypted timeline event before `cutoffEventId`,
 * oldest first. Unencrypted events are left out, because in an encrypted room
 * the server could have injected them and nothing proves who wrote them.
 */
async function collectEarlierEvents(
	matrixClient: MatrixClient,
	roomId: string,
	cutoffEventId: string
): Promise<{ events: SharedHistoryEvent[]; undecryptable: number }> {
	const mapEvent = matrixClient.getEventMapper({ preventReEmit: true, decrypt: false });
	const earlier: MatrixEvent[] = [];
	let passedCutoff = false;
	let from: string | null = null;

	for (;;) {
		const response = await matrixClient.createMessagesRequest(
			roomId,
			from,
			pageSize,
			Direction.Backward
		);
		for (const raw of response.chunk) {
			if (!passedCutoff) {
				passedCutoff = raw.event_id === cutoffEventId;
				continue;
			}
			const isState = (raw as { state_key?: unknown }).state_key !== undefined;
			if (!isState && raw.type === EventType.RoomMessageEncrypted) {
				earlier.push(mapEvent(raw));
			}
		}
		if (!response.end || response.chunk.length === 0) break;
		from = response.end;
	}
	if (!passedCutoff) throw new Error(`The invitation ${cutoffEventId} is not in the room history`);

	await Promise.all(earlier.map((event) => matrixClient.decryptEventIfNeeded(event)));
	const events = earlier
		.filter(isShareable)
		.reverse()
		.map((event) => ({
			eventId: event.getId() ?? '',
			sender: event.getSender() ?? '',
			originServerTs: event.getTs(),
			type: event.getType(),
			content: event.getContent()
		}));
	const undecryptable = earlier.filter((event) => event.isDecryptionFailure()).length;
	return { events, undecryptable };
}

/** Lists the invitee's devices that their owner cross-signed: the only ones that get history. */
async function crossSignedDevices(
	matrixClient: MatrixClient,
	userId: string
): Promise<{ userId: string; deviceId: string }[]> {
	const crypto = requireCrypto(matrixClient);
	const deviceMap = await crypto.getUserDeviceInfo([userId], true);
	const deviceIds = [...(deviceMap.get(userId)?.keys() ?? [])];
	const statuses = await Promise.all(
		deviceIds.map((deviceId) => crypto.getDeviceVerificationStatus(userId, deviceId))
	);
	return deviceIds
		.filter((_, index) => statuses[index]?.signedByOwner)
		.map((deviceId) => ({ userId, deviceId }));
}

/**
 * Sends the room's messages from before a member's invitation to that
 * member's cross-signed devices. It can be called again later, for example
 * when the colleague had no device yet at the first attempt.
 *
 * NOTE: only the devices that exist now receive the transcript. A device the
 * colleague adds later sees the earlier messages only if this is called again.
 *
 * @throws AlcoveError `device_not_verified` if this device is not cross-signed
 *   (the receiver would reject the transcript), `identity_changed` if the
 *   invitee's verified identity changed, `user_not_in_room` if the invitee is
 *   neither invited nor joined.
 */
export async function shareRoomHistory(
	matrixClient: MatrixClient,
	roomId: string,
	userId: string
): Promise<HistoryShareResult> {
	const crypto = requireCrypto(matrixClient);
	const room = requireJoinedRoom(matrixClient, roomId);
	await checkCanShare(matrixClient, userId);

	const cutoffEventId = invitationEventId(room, userId);
	if (!cutoffEventId) {
		throw new AlcoveError('user_not_in_room', `${userId} has no invitation to ${roomId}`);
	}

	const devices = await crossSignedDevices(matrixClient, userId);
	if (devices.length === 0) {
		log.warn('No cross-signed device to share history with', userId);
		return { sharedEventCount: 0, undecryptableEventCount: 0, deviceCount: 0 };
	}

	try {
		const { events, undecryptable } = await collectEarlierEvents(
			matrixClient,
			roomId,
			cutoffEventId
		);
		const plaintext = encodeTranscript(roomId, matrixClient.getSafeUserId(), events);
		const { data, info } = await encryptAttachment(plaintext.buffer);
		const { content_uri: url } = await matrixClient.uploadContent(new Blob([data]), {
			type: 'application/octet-stream',
			includeFilename: false
		});

		const message: RoomHistoryMessage = {
			room_id: roomId,
			file: { ...info, url } as RoomHistoryMessage['file'],
			event_count: events.length
		};
		const batch = await crypto.encryptToDeviceMessages(ROOM_HISTORY_MESSAGE_TYPE, devices, message);
		await matrixClient.queueToDevice(batch);
		log.info('Shared room history', roomId, 'with', userId, {
			events: events.length,
			undecryptable,
			devices: batch.batch.length
		});
		return {
			sharedEventCount: events.length,
			undecryptableEventCount: undecryptable,
			deviceCount: batch.batch.length
		};
	} catch (error) {
		throw toAlcoveError(error, 'History sharing');
	}
}

/** Checks before any change that a transcript from this device would be accepted. */
async function checkCanShare(matrixClient: MatrixClient, userId: string): Promise<void> {
	const crypto = requireCrypto(matrixClient);
	const ownStatus = await crypto.getDeviceVerificationStatus(
		matrixClient.getSafeUserId(),
		matrixClient.getDeviceId() ?? ''
	);
	if (!ownStatus?.crossSigningVerified) {
		throw new AlcoveError('device_not_verified', 'This device is not cross-signed');
	}
	const trust = await getUserTrust(matrixClient, userId);
	if (trust.trust === 'identity_changed') {
		throw new AlcoveError('identity_changed', `The identity of ${userId} changed`);
	}
}

/**
 * Adds a colleague (co-therapist, supervisor) to a care room. The colleague
 * gets the power level to write, and to change room state only with
 * `allowStateChanges`. With `shareHistory` the earlier messages are sent to
 * the colleague's devices as a transcript. Without it the colleague reads
 * only what is written from the invitation on.
 *
 * @throws AlcoveError `invalid_user_id`, `user_not_in_room` if this account is
 *   not in the room, the codes of {@link shareRoomHistory} (checked before the
 *   invitation is sent), or the server's error code.
 */
export async function inviteToCareRoom(
	matrixClient: MatrixClient,
	roomId: string,
	userId: string,
	options: CareRoomInvitationOptions
): Promise<CareRoomInvitation> {
	const parsed = userIdSchema.safeParse(userId);
	if (!parsed.success) {
		throw new AlcoveError('invalid_user_id', parsed.error.issues[0]?.message ?? 'Invalid ID');
	}
	const invitee = parsed.data;
	const room = requireJoinedRoom(matrixClient, roomId);

	// Under `shared` visibility the server itself would show the invitee the
	// whole history, and the SDK's invite() would send room keys, so "do not
	// share" could not hold.
	const visibility = room.getHistoryVisibility();
	if (visibility !== HistoryVisibility.Invited && visibility !== HistoryVisibility.Joined) {
		throw new Error(
			`inviteToCareRoom needs invited or joined history visibility, not ${visibility}`
		);
	}
	if (options.shareHistory) await checkCanShare(matrixClient, invitee);

	const powerLevels: IPowerLevelsContent =
		room.currentState.getStateEvents(EventType.RoomPowerLevels, '')?.getContent() ?? {};
	const powerLevel = invitedMemberPowerLevel(powerLevels, options.allowStateChanges ?? false);

	try {
		// The power level first, so the invitee never holds a level that was not chosen.
		if (powerLevels.users?.[invitee] !== powerLevel) {
			await matrixClient.setPowerLevel(roomId, invitee, powerLevel);
		}
		await matrixClient.invite(roomId, invitee);
	} catch (error) {
		throw toAlcoveError(error, 'Care room invitation');
	}
	log.info('Invited', invitee, 'to', roomId, 'with power level', powerLevel);

	if (!options.shareHistory) return { powerLevel, history: null };

	// The transcript ends at the invitation event, which arrives through sync.
	await waitForSync(matrixClient, () => invitationEventId(room, invitee), {
		timeoutMs: membershipTimeoutMs
	});
	return { powerLevel, history: await shareRoomHistory(matrixClient, roomId, invitee) };
}

/** Downloads an attachment through the authenticated media API (Matrix v1.11). */
async function downloadMedia(matrixClient: MatrixClient, mxcUrl: string): Promise<ArrayBuffer> {
	const match = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(mxcUrl);
	if (!match) throw new Error('Malformed content URI');
	const [, serverName = '', mediaId = ''] = match;
	const blob = await matrixClient.http.authedRequest<Blob>(
		Method.Get,
		`/media/download/${encodeURIComponent(serverName)}/${encodeURIComponent(mediaId)}`,
		undefined,
		undefined,
		{ rawResponseBody: true, prefix: ClientPrefix.V1 }
	);
	if (blob.size > MAX_TRANSCRIPT_BYTES) throw new Error(`Transcript too large: ${blob.size} bytes`);
	return blob.arrayBuffer();
}

/**
 * Checks whether `sender` may hand this user the room's history: they sent
 * this user's invitation, or they are a joined member with the power to invite.
 */
async function maySendHistory(
	matrixClient: MatrixClient,
	room: Room,
	sender: string
): Promise<boolean> {
	const member = room.getMember(sender);
	if (
		member?.membership === KnownMembership.Join &&
		room.currentState.hasSufficientPowerLevelFor('invite', member.powerLevel)
	) {
		return true;
	}
	const invitationId = invitationEventId(room, matrixClient.getSafeUserId());
	if (!invitationId) return false;
	const invitation = await matrixClient.fetchRoomEvent(room.roomId, invitationId);
	return invitation.sender === sender;
}

/** Waits until this device trusts the sender's device as cross-signed by its owner. */
async function waitForCrossSignedDevice(
	matrixClient: MatrixClient,
	userId: string,
	deviceId: string
): Promise<boolean> {
	const crypto = requireCrypto(matrixClient);
	const deadline = Date.now() + membershipTimeoutMs;
	for (;;) {
		const status = await crypto.getDeviceVerificationStatus(userId, deviceId);
		if (status?.signedByOwner) return true;
		if (Date.now() > deadline) return false;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/**
 * Validates a received to-device message and, if it announces a room history
 * transcript from a trustworthy sender, downloads and decrypts it.
 *
 * A transcript that arrives while this user is only invited is held until
 * they join the room. Only a joined member's device tracks the other members'
 * cross-signing identities, which the sender's device is checked against.
 *
 * @param options.signal - Stops waiting for the join; the result is then null.
 * @returns The shared history, or null if the message is not a transcript or
 *   fails a check; the reason is logged.
 */
export async function receiveSharedRoomHistory(
	matrixClient: MatrixClient,
	received: ReceivedToDeviceMessage,
	options: { signal?: AbortSignal } = {}
): Promise<SharedRoomHistory | null> {
	const { message, encryptionInfo } = received;
	if (message.type !== ROOM_HISTORY_MESSAGE_TYPE) return null;
	const reject = (reason: string): null => {
		log.warn('Rejected a room history transcript from', message.sender, reason);
		return null;
	};

	// Only an Olm-encrypted message proves which device sent it.
	if (!encryptionInfo || encryptionInfo.sender !== message.sender || !encryptionInfo.senderDevice) {
		return reject('because it was not encrypted by the sending device');
	}
	const sender = encryptionInfo.sender;
	const senderDevice = encryptionInfo.senderDevice;
	const parsed = roomHistoryMessageSchema.safeParse(message.content);
	if (!parsed.success) return reject('because its content is malformed');
	const content = parsed.data;

	const room = await waitForSync(
		matrixClient,
		() => {
			const candidate = matrixClient.getRoom(content.room_id);
			return candidate?.getMyMembership() === KnownMembership.Join ? candidate : undefined;
		},
		{ signal: options.signal }
	);
	if (!room) return reject(`because this account did not join ${content.room_id}`);

	if (!(await waitForCrossSignedDevice(matrixClient, sender, senderDevice))) {
		return reject('because the sending device is not cross-signed');
	}
	if ((await getUserTrust(matrixClient, sender)).trust === 'identity_changed') {
		return reject('because the identity of the sender changed');
	}
	if (!(await maySendHistory(matrixClient, room, sender))) {
		return reject('because the sender may not invite to the room');
	}

	try {
		const ciphertext = await downloadMedia(matrixClient, content.file.url);
		const plaintext = await decryptAttachment(ciphertext, content.file);
		const events = decodeTranscript(plaintext, { roomId: content.room_id, sharedBy: sender });
		log.info('Received room history', content.room_id, 'from', sender, { events: events.length });
		return { roomId: content.room_id, sharedBy: sender, sharedByDeviceId: senderDevice, events };
	} catch (error) {
		return reject(`because the transcript could not be read: ${String(error)}`);
	}
}

/**
 * Calls `onHistory` for each room history transcript this device receives and
 * accepts. The transcript arrives once per device, so the caller keeps it (for
 * example in the device's encrypted local store) to show it again later.
 * Returns the function that stops listening and drops transcripts still held
 * until a join.
 */
export function watchSharedRoomHistory(
	matrixClient: MatrixClient,
	onHistory: (history: SharedRoomHistory) => void
): () => void {
	const stopped = new AbortController();
	const listener = (received: ReceivedToDeviceMessage): void => {
		if (received.message.type !== ROOM_HISTORY_MESSAGE_TYPE) return;
		receiveSharedRoomHistory(matrixClient, received, { signal: stopped.signal }).then(
			(history) => {
				if (history && !stopped.signal.aborted) onHistory(history);
			},
			(error: unknown) => log.warn('Handling a room history transcript failed', error)
		);
	};
	matrixClient.on(ClientEvent.ReceivedToDeviceMessage, listener);
	return () => {
		stopped.abort();
		matrixClient.off(ClientEvent.ReceivedToDeviceMessage, listener);
	};
}
