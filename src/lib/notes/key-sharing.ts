/**
 * Sharing the notes keyring between the therapist's own devices over
 * Olm-encrypted to-device messages.
 *
 * The SDK's secret gossiping (`m.secret.request`) covers only the
 * cross-signing and key-backup secrets, so a device that was verified by
 * emoji comparison, without the recovery key, would otherwise have no notes
 * key. Threat model: the keyring may reach only a device that the therapist's
 * own cross-signing identity has signed, and a device accepts a keyring or a
 * request only from such a device of the same user. The homeserver relays
 * the messages but sees only Olm ciphertext; it can drop or delay them, and
 * then the device falls back to asking for the recovery key.
 */
import { ClientEvent, type MatrixClient, type ReceivedToDeviceMessage } from 'matrix-js-sdk';
import { z } from 'zod';
import { logger } from '../matrix/logger.ts';
import { randomBase64Url } from './base64.ts';
import { NotesError } from './errors.ts';
import { NOTES_KEY_REQUEST_TYPE, NOTES_KEY_SHARE_TYPE } from './event-types.ts';
import { NotesKeyring } from './keyring.ts';

const requestContentSchema = z.object({ request_id: z.string().min(1).max(64) });
const shareContentSchema = z.object({
	keyring: z.string().min(1),
	request_id: z.string().max(64).optional()
});

/** Why a received key request or key share was ignored. */
export type KeyShareRejectionReason =
	/** It arrived in the clear, not Olm-encrypted. */
	| 'not_encrypted'
	/** It came from another user's device. */
	| 'other_user'
	/** The sending device is unknown, or is this device. */
	| 'unknown_device'
	/** The sending device is not cross-signed by the therapist's verified identity. */
	| 'device_not_verified'
	/** The content does not have the expected fields, or the keyring is invalid. */
	| 'malformed';

/** A to-device message that {@link NotesKeySharing} ignored. */
export interface KeyShareRejection {
	type: string;
	senderDeviceId: string | undefined;
	reason: KeyShareRejectionReason;
}

function cryptoOf(matrixClient: MatrixClient): NonNullable<ReturnType<MatrixClient['getCrypto']>> {
	const crypto = matrixClient.getCrypto();
	if (!crypto) throw new NotesError('crypto_not_ready', 'The matrixClient has no crypto');
	return crypto;
}

/**
 * Returns true if `deviceId` is another device of this account, signed by the
 * account's cross-signing identity, and that identity is verified on this
 * device (`crossSigningVerified`; `signedByOwner` alone would also accept a
 * device signed by a replaced, unverified identity).
 */
export async function isOwnCrossSignedDevice(
	matrixClient: MatrixClient,
	deviceId: string
): Promise<boolean> {
	if (deviceId === matrixClient.getDeviceId()) return false;
	const status = await cryptoOf(matrixClient).getDeviceVerificationStatus(
		matrixClient.getSafeUserId(),
		deviceId
	);
	return !!status && status.signedByOwner && status.crossSigningVerified;
}

/** Returns the IDs of the account's other devices that {@link isOwnCrossSignedDevice} accepts. */
export async function listOwnCrossSignedDevices(matrixClient: MatrixClient): Promise<string[]> {
	const userId = matrixClient.getSafeUserId();
	const devices = await cryptoOf(matrixClient).getUserDeviceInfo([userId], true);
	const verified: string[] = [];
	for (const deviceId of devices.get(userId)?.keys() ?? []) {
		if (await isOwnCrossSignedDevice(matrixClient, deviceId)) verified.push(deviceId);
	}
	return verified;
}

/**
 * Sends the keyring to one of the therapist's own cross-signed devices,
 * Olm-encrypted for that device alone.
 *
 * The SDK queues the message and retries it; a resolved promise means it was
 * queued, not that it arrived.
 *
 * @throws NotesError `device_not_verified` if the device is not one that
 *   {@link isOwnCrossSignedDevice} accepts.
 */
export async function sendNotesKeyring(
	matrixClient: MatrixClient,
	keyring: NotesKeyring,
	deviceId: string,
	requestId?: string
): Promise<void> {
	if (!(await isOwnCrossSignedDevice(matrixClient, deviceId))) {
		throw new NotesError(
			'device_not_verified',
			`Device ${deviceId} is not a cross-signed device of this account`
		);
	}
	await matrixClient.encryptAndSendToDevice(
		NOTES_KEY_SHARE_TYPE,
		[{ userId: matrixClient.getSafeUserId(), deviceId }],
		{ keyring: keyring.serialize(), ...(requestId ? { request_id: requestId } : {}) }
	);
	logger.info('Notes: sent the keyring to own device', deviceId);
}

/**
 * Asks the therapist's other cross-signed devices for the keyring. A device
 * that runs {@link NotesKeySharing} with the keyring answers.
 *
 * @returns The request ID and the devices that were asked (none if the
 *   therapist has no other verified device).
 */
export async function requestNotesKeyring(
	matrixClient: MatrixClient
): Promise<{ requestId: string; deviceIds: string[] }> {
	const requestId = randomBase64Url(12);
	const deviceIds = await listOwnCrossSignedDevices(matrixClient);
	if (deviceIds.length > 0) {
		const userId = matrixClient.getSafeUserId();
		await matrixClient.encryptAndSendToDevice(
			NOTES_KEY_REQUEST_TYPE,
			deviceIds.map((deviceId) => ({ userId, deviceId })),
			{ request_id: requestId }
		);
	}
	logger.info('Notes: requested the keyring from', deviceIds.length, 'own device(s)');
	return { requestId, deviceIds };
}

/** Options of {@link NotesKeySharing}. */
export interface NotesKeySharingOptions {
	/** The keyring this device has, if any; used to answer requests. */
	getKeyring: () => NotesKeyring | undefined;
	/** Called with a keyring received from one of the therapist's own verified devices. */
	onKeyringReceived: (keyring: NotesKeyring, senderDeviceId: string) => void | Promise<void>;
	/** Called for every key request or share that was ignored, for logs and tests. */
	onRejected?: (rejection: KeyShareRejection) => void;
	/** Answer key requests from own verified devices; true by default. */
	answerRequests?: boolean;
}

/**
 * Listens for key requests and key shares addressed to this device, checks
 * that each comes Olm-encrypted from another cross-signed device of the same
 * account, and answers or imports it.
 */
export class NotesKeySharing {
	readonly #matrixClient: MatrixClient;
	readonly #options: NotesKeySharingOptions;
	#started = false;

	constructor(matrixClient: MatrixClient, options: NotesKeySharingOptions) {
		this.#matrixClient = matrixClient;
		this.#options = options;
	}

	/** Starts listening to to-device messages. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		this.#matrixClient.on(ClientEvent.ReceivedToDeviceMessage, this.#onMessage);
	}

	/** Stops listening. */
	stop(): void {
		this.#started = false;
		this.#matrixClient.off(ClientEvent.ReceivedToDeviceMessage, this.#onMessage);
	}

	readonly #onMessage = (received: ReceivedToDeviceMessage): void => {
		const { type } = received.message;
		if (type !== NOTES_KEY_REQUEST_TYPE && type !== NOTES_KEY_SHARE_TYPE) return;
		this.#handle(received).catch((error: unknown) => {
			logger.warn('Notes: handling a key sharing message failed', type, String(error));
		});
	};

	#reject(type: string, senderDeviceId: string | undefined, reason: KeyShareRejectionReason): void {
		logger.warn('Notes: ignored a key sharing message', type, senderDeviceId, reason);
		this.#options.onRejected?.({ type, senderDeviceId, reason });
	}

	async #handle({ message, encryptionInfo }: ReceivedToDeviceMessage): Promise<void> {
		const userId = this.#matrixClient.getSafeUserId();
		const senderDeviceId = encryptionInfo?.senderDevice;

		// Olm authenticates the sender's user and device; a plaintext
		// to-device message could have been sent by anyone on the server.
		if (!encryptionInfo) return this.#reject(message.type, senderDeviceId, 'not_encrypted');
		if (encryptionInfo.sender !== userId || message.sender !== userId) {
			return this.#reject(message.type, senderDeviceId, 'other_user');
		}
		if (!senderDeviceId || senderDeviceId === this.#matrixClient.getDeviceId()) {
			return this.#reject(message.type, senderDeviceId, 'unknown_device');
		}
		if (!(await isOwnCrossSignedDevice(this.#matrixClient, senderDeviceId))) {
			return this.#reject(message.type, senderDeviceId, 'device_not_verified');
		}

		if (message.type === NOTES_KEY_REQUEST_TYPE) {
			const request = requestContentSchema.safeParse(message.content);
			if (!request.success) return this.#reject(message.type, senderDeviceId, 'malformed');
			const keyring = this.#options.getKeyring();
			if (!keyring || this.#options.answerRequests === false) return;
			await sendNotesKeyring(this.#matrixClient, keyring, senderDeviceId, request.data.request_id);
			return;
		}

		const share = shareContentSchema.safeParse(message.content);
		if (!share.success) return this.#reject(message.type, senderDeviceId, 'malformed');
		let keyring: NotesKeyring;
		try {
			keyring = await NotesKeyring.parse(share.data.keyring);
		} catch {
			return this.#reject(message.type, senderDeviceId, 'malformed');
		}
		logger.info('Notes: received the keyring from own device', senderDeviceId);
		await this.#options.onKeyringReceived(keyring, senderDeviceId);
	}
}
