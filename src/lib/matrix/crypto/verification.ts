/**
 * Threat model: interactive verification is how a person makes sure that a
 * device or identity belongs to who it claims to, without trusting the server.
 * Both sides derive seven emoji from a key exchange (SAS,
 * https://spec.matrix.org/v1.16/client-server-api/#short-authentication-string-sas-verification);
 * a server that sits in the middle makes the emoji differ, so the user must
 * compare them on both screens and may confirm only a match. A verified own
 * device receives the account's cross-signing keys and key-backup key from the
 * other device over Olm, which the Rust crypto sends only to devices it has
 * verified. Emoji are not secret; nothing else of the exchange is exposed here.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import {
	CryptoEvent,
	VerificationPhase,
	VerificationRequestEvent,
	VerifierEvent,
	type EmojiMapping,
	type ShowSasCallbacks,
	type VerificationRequest,
	type Verifier
} from 'matrix-js-sdk/lib/crypto-api';
import { KnownMembership, VerificationMethod } from 'matrix-js-sdk/lib/types';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';
import { toAlcoveError } from '../login.ts';
import { getEncryptionState, requireCrypto, type EncryptionState } from './bootstrap.ts';
import { restoreRoomKeysFromBackup, type BackupRestoreOutcome } from './recovery.ts';

const log = logger.getChild('[Verification]');

/** Why a verification ended without success. */
export type VerificationCancelReason =
	/** This side cancelled, or the user here said the emoji differ. */
	| 'cancelled_by_you'
	/** The other side cancelled. */
	| 'cancelled_by_other_side'
	/** One side said the emoji differ: the exchange may have been intercepted. */
	| 'emoji_mismatch'
	/** Nobody answered in time (ten minutes for a request, by the specification). */
	| 'timed_out'
	/** Another device of the user accepted the request. */
	| 'handled_on_another_device'
	/** A protocol error, an unsupported method or a network failure. */
	| 'failed';

/** The state of a verification, as the interface shows it. */
export type VerificationState =
	/** Sent and waiting for the other side, or received and waiting for `accept()`. */
	| { phase: 'requested'; initiatedByMe: boolean }
	/** Both sides agreed; the emoji exchange is being set up. */
	| { phase: 'ready' }
	/** Compare these emoji with the other screen; `confirmed` once this side has confirmed. */
	| { phase: 'showing_emoji'; emoji: readonly EmojiMapping[]; confirmed: boolean }
	| { phase: 'done' }
	/** `code` is the cancellation code of the protocol, for logs and support. */
	| { phase: 'cancelled'; reason: VerificationCancelReason; code: string | null };

/**
 * Maps a cancellation code to a reason. Codes are from
 * https://spec.matrix.org/v1.16/client-server-api/#mkeyverificationcancel;
 * `m.user` and the mismatch codes are sent by whichever side the user pressed.
 */
export function cancelReasonFor(
	code: string | null,
	cancelledHere: boolean
): VerificationCancelReason {
	switch (code) {
		case 'm.user':
			return cancelledHere ? 'cancelled_by_you' : 'cancelled_by_other_side';
		case 'm.mismatched_sas':
		case 'm.key_mismatch':
			return 'emoji_mismatch';
		case 'm.timeout':
			return 'timed_out';
		case 'm.accepted':
			return 'handled_on_another_device';
		default:
			return 'failed';
	}
}

function sameState(a: VerificationState, b: VerificationState): boolean {
	if (a.phase !== b.phase) return false;
	if (a.phase === 'showing_emoji' && b.phase === 'showing_emoji') {
		return a.confirmed === b.confirmed && a.emoji === b.emoji;
	}
	if (a.phase === 'cancelled' && b.phase === 'cancelled') {
		return a.reason === b.reason && a.code === b.code;
	}
	return true;
}

/**
 * One emoji (SAS) verification, wrapping the SDK's VerificationRequest into a
 * small state machine: requested, ready, showing_emoji, done or cancelled.
 *
 * The side that sent the request starts the emoji exchange as soon as the other
 * side accepts; the other side joins it. Subscribe to render the state, call
 * `accept()` for an incoming request, then `confirm()` or `mismatch()` when the
 * emoji are shown.
 */
export class VerificationSession {
	readonly #request: VerificationRequest;
	readonly #listeners = new Set<(state: VerificationState) => void>();
	#verifier: Verifier | undefined;
	#sas: ShowSasCallbacks | undefined;
	#starting = false;
	#confirmed = false;
	/** Code of a cancellation sent from here, known before the SDK reports it. */
	#localCancelCode: string | null = null;
	#failed = false;
	#state: VerificationState;

	constructor(request: VerificationRequest) {
		this.#request = request;
		this.#state = this.#computeState();
		request.on(VerificationRequestEvent.Change, this.#onChange);
		this.#onChange();
	}

	/** The current state; see {@link subscribe} for changes. */
	get state(): VerificationState {
		return this.#state;
	}

	/** The user on the other side; the own user ID for a device of one's own. */
	get otherUserId(): string {
		return this.#request.otherUserId;
	}

	/** The other device, for a verification between devices; undefined in a room. */
	get otherDeviceId(): string | undefined {
		return this.#request.otherDeviceId;
	}

	/** True when both sides are devices of the same user. */
	get isSelfVerification(): boolean {
		return this.#request.isSelfVerification;
	}

	/** The room of an in-room verification, undefined between own devices. */
	get roomId(): string | undefined {
		return this.#request.roomId;
	}

	/** Calls `listener` with each new state; returns the function that unsubscribes. */
	subscribe(listener: (state: VerificationState) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Resolves with the final state, `done` or `cancelled`. */
	waitForEnd(): Promise<VerificationState> {
		return new Promise((resolve) => {
			const check = (state: VerificationState): void => {
				if (state.phase === 'done' || state.phase === 'cancelled') {
					unsubscribe();
					resolve(state);
				}
			};
			const unsubscribe = this.subscribe(check);
			check(this.#state);
		});
	}

	/** Accepts an incoming request. */
	async accept(): Promise<void> {
		if (this.#request.initiatedByMe || this.#request.phase !== VerificationPhase.Requested) {
			throw new Error(`Cannot accept a verification in phase ${this.#state.phase}`);
		}
		try {
			await this.#request.accept();
		} catch (error) {
			throw toAlcoveError(error, 'Verification accept');
		}
	}

	/** Confirms that the emoji on both screens are the same. */
	async confirm(): Promise<void> {
		if (!this.#sas) throw new Error(`Cannot confirm emoji in phase ${this.#state.phase}`);
		this.#confirmed = true;
		this.#update();
		try {
			await this.#sas.confirm();
		} catch (error) {
			throw toAlcoveError(error, 'Verification confirm');
		}
	}

	/** Reports that the emoji differ; the verification ends as `emoji_mismatch`. */
	mismatch(): void {
		if (!this.#sas) throw new Error(`Cannot reject emoji in phase ${this.#state.phase}`);
		this.#localCancelCode = 'm.mismatched_sas';
		this.#sas.mismatch();
	}

	/** Cancels the verification at any phase before `done`. */
	async cancel(): Promise<void> {
		if (this.#state.phase === 'done' || this.#state.phase === 'cancelled') return;
		this.#localCancelCode = 'm.user';
		if (this.#sas) {
			this.#sas.cancel();
			return;
		}
		await this.#request.cancel();
	}

	/** Stops listening to the SDK; the verification itself goes on. */
	dispose(): void {
		this.#request.off(VerificationRequestEvent.Change, this.#onChange);
		this.#listeners.clear();
	}

	readonly #onChange = (): void => {
		const request = this.#request;
		if (request.phase === VerificationPhase.Ready && request.initiatedByMe && !this.#starting) {
			this.#startEmoji();
		}
		if (request.phase === VerificationPhase.Started && request.verifier && !this.#verifier) {
			this.#attach(request.verifier);
		}
		this.#update();
	};

	#startEmoji(): void {
		this.#starting = true;
		this.#request.startVerification(VerificationMethod.Sas).then(
			(verifier) => this.#attach(verifier),
			(error: unknown) => this.#fail('Starting the emoji verification failed', error)
		);
	}

	#attach(verifier: Verifier): void {
		if (this.#verifier) return;
		this.#verifier = verifier;
		verifier.on(VerifierEvent.ShowSas, (sas) => {
			this.#sas = sas;
			this.#update();
		});
		verifier.on(VerifierEvent.Cancel, () => this.#update());
		const shown = verifier.getShowSasCallbacks();
		if (shown) this.#sas = shown;
		// verify() sends our part of the exchange and settles when it ends.
		verifier.verify().then(
			() => this.#update(),
			(error: unknown) => this.#fail('The emoji verification ended with an error', error)
		);
		this.#update();
	}

	#fail(message: string, error: unknown): void {
		// A cancellation also rejects verify(); only report what else went wrong.
		if (this.#request.phase !== VerificationPhase.Cancelled) {
			log.warn(message, error);
			this.#failed = true;
		}
		this.#update();
	}

	#computeState(): VerificationState {
		const request = this.#request;
		if (request.phase === VerificationPhase.Cancelled || this.#verifier?.hasBeenCancelled) {
			const code = request.cancellationCode ?? this.#localCancelCode;
			const cancelledHere = this.#localCancelCode !== null;
			return { phase: 'cancelled', reason: cancelReasonFor(code, cancelledHere), code };
		}
		if (this.#failed) return { phase: 'cancelled', reason: 'failed', code: null };
		if (request.phase === VerificationPhase.Done) return { phase: 'done' };
		if (this.#sas) {
			const emoji = this.#sas.sas.emoji;
			if (!emoji) {
				// Both sides of every current client support emoji; a decimal-only
				// exchange is not offered to the user.
				return { phase: 'cancelled', reason: 'failed', code: null };
			}
			return { phase: 'showing_emoji', emoji, confirmed: this.#confirmed };
		}
		if (request.phase === VerificationPhase.Ready || request.phase === VerificationPhase.Started) {
			return { phase: 'ready' };
		}
		return { phase: 'requested', initiatedByMe: request.initiatedByMe };
	}

	#update(): void {
		const next = this.#computeState();
		if (sameState(next, this.#state)) return;
		this.#state = next;
		log.debug('Verification', this.#request.transactionId, 'is now', next.phase);
		for (const listener of this.#listeners) listener(next);
	}
}

/**
 * Asks the user's other devices to verify this one. Used on a new device when
 * the user would rather confirm emoji than type the recovery key.
 */
export async function verifyOwnDevice(matrixClient: MatrixClient): Promise<VerificationSession> {
	try {
		return new VerificationSession(await requireCrypto(matrixClient).requestOwnUserVerification());
	} catch (error) {
		throw toAlcoveError(error, 'Own device verification request');
	}
}

/**
 * Asks another member of a room, for example the client in a care room, to
 * verify identities with the emoji sent as room events.
 *
 * @throws AlcoveError `user_not_in_room` if the user has not joined the room.
 */
export async function verifyUserInRoom(
	matrixClient: MatrixClient,
	userId: string,
	roomId: string
): Promise<VerificationSession> {
	const membership = matrixClient.getRoom(roomId)?.getMember(userId)?.membership;
	if (membership !== KnownMembership.Join) {
		throw new AlcoveError('user_not_in_room', `${userId} has not joined ${roomId}`);
	}
	try {
		return new VerificationSession(
			await requireCrypto(matrixClient).requestVerificationDM(userId, roomId)
		);
	} catch (error) {
		throw toAlcoveError(error, 'User verification request');
	}
}

/**
 * Calls `onRequest` with a session for each verification request another
 * device or user sends to this device. Returns the function that stops it.
 */
export function watchVerificationRequests(
	matrixClient: MatrixClient,
	onRequest: (session: VerificationSession) => void
): () => void {
	const listener = (request: VerificationRequest): void => {
		if (!request.pending) return;
		log.info('Verification request from', request.otherUserId, request.otherDeviceId ?? 'a room');
		onRequest(new VerificationSession(request));
	};
	matrixClient.on(CryptoEvent.VerificationRequestReceived, listener);
	return () => matrixClient.off(CryptoEvent.VerificationRequestReceived, listener);
}

/** Result of {@link finishOwnDeviceVerification}. */
export interface OwnDeviceVerificationResult {
	/** All three cross-signing private keys and the backup key (if a backup exists) arrived. */
	secretsReceived: boolean;
	backup: BackupRestoreOutcome;
	state: EncryptionState;
}

/** Returns true once this device holds the secrets a verified own device should get. */
async function hasVerifiedDeviceSecrets(matrixClient: MatrixClient): Promise<boolean> {
	const crypto = requireCrypto(matrixClient);
	const { privateKeysCachedLocally: cached } = await crypto.getCrossSigningStatus();
	if (!cached.masterKey || !cached.selfSigningKey || !cached.userSigningKey) return false;
	if ((await crypto.getKeyBackupInfo()) === null) return true;
	return (await crypto.getSessionBackupPrivateKey()) !== null;
}

/**
 * Completes the verification of this new device by another own device: waits
 * until the other device has sent the cross-signing private keys and the
 * key-backup key, then restores the room keys from the backup, so this device
 * reads the earlier history.
 *
 * After an own-device verification the Rust crypto of the new device asks the
 * verified device for the secrets it lacks (`m.secret.request`), and the other
 * device answers over Olm; this function only waits for that and restores.
 *
 * @param options.timeoutMs - How long to wait for the secrets; default 30 s.
 */
export async function finishOwnDeviceVerification(
	matrixClient: MatrixClient,
	options: { timeoutMs?: number } = {}
): Promise<OwnDeviceVerificationResult> {
	const deadline = Date.now() + (options.timeoutMs ?? 30_000);
	let secretsReceived = await hasVerifiedDeviceSecrets(matrixClient);
	while (!secretsReceived && Date.now() < deadline) {
		await new Promise<void>((resolve) => {
			const done = (): void => {
				clearTimeout(timer);
				matrixClient.off(CryptoEvent.KeyBackupDecryptionKeyCached, done);
				matrixClient.off(CryptoEvent.KeysChanged, done);
				resolve();
			};
			const timer = setTimeout(done, 500);
			matrixClient.on(CryptoEvent.KeyBackupDecryptionKeyCached, done);
			matrixClient.on(CryptoEvent.KeysChanged, done);
		});
		secretsReceived = await hasVerifiedDeviceSecrets(matrixClient);
	}
	if (!secretsReceived) log.warn('The verified device did not send every secret in time');

	const backup = await restoreRoomKeysFromBackup(matrixClient);
	return { secretsReceived, backup, state: await getEncryptionState(matrixClient) };
}
