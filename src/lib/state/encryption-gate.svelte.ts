import type { MatrixClient } from 'matrix-js-sdk';
import type { LocalVault } from '../browser/local-vault.ts';
import {
	finishOwnDeviceVerification,
	getEncryptionSetup,
	getEncryptionState,
	replaceRecoveryKey,
	resetEncryptionIdentity,
	setUpEncryption,
	unlockWithRecoveryKey,
	verifyOwnDevice,
	watchUserTrust,
	type BackupRestoreOutcome,
	type RecoverySecret,
	type RestoreProgress,
	SecretStorageKeyCache,
	type VerificationSession
} from '../matrix/crypto/index.ts';
import { logger } from '../matrix/logger.ts';
import { LAST_ACTIVITY_ENTRY } from './inactivity.svelte.ts';
import { PasswordRequest } from './password-request.svelte.ts';

const log = logger.getChild('[EncryptionGate]');

// Re-exported so the session loads it in the same on-demand chunk as the gate.
export { SecretStorageKeyCache };

/** Vault entry set when the user chose to use this device without verifying it. */
export const VERIFICATION_SKIPPED_ENTRY = 'verification-skipped';

/**
 * Vault entry set while a recovery key has been created on this device but
 * the user has not yet confirmed saving it. A reload in between must not let
 * the user in with a key nobody may have kept.
 */
export const RECOVERY_KEY_UNCONFIRMED_ENTRY = 'recovery-key-unconfirmed';

/**
 * The state of this device before the conversations open:
 * - `checking`: reading the state from the Rust crypto and the homeserver;
 * - `needs_setup`: first sign-in of the account, encryption is set up here;
 * - `needs_new_recovery_key`: this device set encryption up, but the user left
 *   before confirming the recovery key, so a new one is made and shown;
 * - `needs_unlock`: a further device, to verify or unlock with the recovery key;
 * - `skipped`: a further device that the user chose to use unverified;
 * - `ready`: this device is cross-signed and backs up its room keys;
 * - `failed`: the check failed, usually because the homeserver was unreachable.
 */
export type EncryptionGateStatus =
	| 'checking'
	| 'needs_setup'
	| 'needs_new_recovery_key'
	| 'needs_unlock'
	| 'skipped'
	| 'ready'
	| 'failed';

/**
 * The encryption step between sign-in and the conversations. It blocks the
 * conversations until the account is set up (first device) or this device is
 * verified or unlocked (further devices), unless the user skips the latter.
 */
export class EncryptionGate {
	status = $state<EncryptionGateStatus>('checking');
	/** Progress of the room-key restore after an unlock or a verification. */
	restoreProgress = $state<RestoreProgress | undefined>();
	/** Password prompt for the cross-signing upload, if the homeserver requests it. */
	readonly passwordRequest = new PasswordRequest();
	readonly #matrixClient: MatrixClient;
	readonly #keyCache: SecretStorageKeyCache;
	readonly #vault: LocalVault | undefined;
	#stopWatching: (() => void) | undefined;

	constructor(
		matrixClient: MatrixClient,
		keyCache: SecretStorageKeyCache,
		vault: LocalVault | undefined
	) {
		this.#matrixClient = matrixClient;
		this.#keyCache = keyCache;
		this.#vault = vault;
	}

	/** The signed-in user's Matrix ID. */
	get userId(): string {
		return this.#matrixClient.getSafeUserId();
	}

	/** True while the conversations must stay hidden behind the encryption screens. */
	get blocking(): boolean {
		return this.status !== 'ready' && this.status !== 'skipped';
	}

	/** Reads what this device needs, and watches for it being verified from elsewhere. */
	async check(): Promise<void> {
		this.status = 'checking';
		try {
			const { setup } = await getEncryptionSetup(this.#matrixClient);
			if (setup === 'needs_unlock' && (await this.#vault?.get(VERIFICATION_SKIPPED_ENTRY))) {
				this.status = 'skipped';
			} else if (setup === 'ready' && (await this.#vault?.get(RECOVERY_KEY_UNCONFIRMED_ENTRY))) {
				this.status = 'needs_new_recovery_key';
			} else {
				this.status = setup === 'ready' ? 'ready' : setup;
			}
		} catch (error) {
			log.error('Could not read the encryption state', error);
			this.status = 'failed';
			return;
		}
		this.#stopWatching ??= watchUserTrust(this.#matrixClient, (userId) => {
			if (userId === this.#matrixClient.getSafeUserId()) void this.#refreshSkipped();
		});
	}

	/**
	 * Sets up cross-signing, secret storage and key backup for a new account.
	 * Resolves with the recovery key to show once; the gate stays closed until
	 * {@link finishSetup}, after the user has confirmed that they saved it.
	 */
	async setUp(passphrase: string | undefined): Promise<string> {
		const result = await setUpEncryption(this.#matrixClient, {
			requestPassword: this.passwordRequest.prompt,
			passphrase
		});
		if (!result.created) {
			// Another device set the account up in the meantime.
			this.status = result.setup === 'ready' ? 'ready' : 'needs_unlock';
			throw new Error('Encryption was set up by another device in the meantime');
		}
		await this.#vault?.put(RECOVERY_KEY_UNCONFIRMED_ENTRY, true);
		return result.recoveryKey;
	}

	/**
	 * Replaces a recovery key whose saving the user never confirmed, keeping
	 * the identity and the backup. Resolves with the new key to show once.
	 */
	async replaceUnconfirmedRecoveryKey(passphrase: string | undefined): Promise<string> {
		const recoveryKey = await replaceRecoveryKey(this.#matrixClient, { passphrase });
		await this.#vault?.put(RECOVERY_KEY_UNCONFIRMED_ENTRY, true);
		return recoveryKey;
	}

	/**
	 * Replaces the account's encryption identity, for a user who lost the
	 * recovery key and every other device. Resolves with the new recovery key;
	 * the gate stays closed until {@link finishSetup}. The homeserver always
	 * requests the password here.
	 */
	async reset(): Promise<string> {
		const { recoveryKey } = await resetEncryptionIdentity(this.#matrixClient, {
			requestPassword: this.passwordRequest.prompt
		});
		await this.#vault?.put(VERIFICATION_SKIPPED_ENTRY, false);
		await this.#vault?.put(RECOVERY_KEY_UNCONFIRMED_ENTRY, true);
		return recoveryKey;
	}

	/** Opens the conversations once the user has confirmed the recovery key. */
	async finishSetup(): Promise<void> {
		await this.#vault?.put(RECOVERY_KEY_UNCONFIRMED_ENTRY, false);
		await this.#open();
	}

	/**
	 * Unlocks this device with the recovery key or passphrase and restores the
	 * room keys from the backup. Throws AlcoveError for a wrong key.
	 */
	async unlock(secret: RecoverySecret): Promise<BackupRestoreOutcome> {
		const result = await unlockWithRecoveryKey(this.#matrixClient, this.#keyCache, secret, {
			onProgress: (progress) => (this.restoreProgress = progress)
		});
		await this.#vault?.put(VERIFICATION_SKIPPED_ENTRY, false);
		await this.#open();
		return result.backup;
	}

	/** Asks the account's other devices to verify this one by emoji. */
	requestVerification(): Promise<VerificationSession> {
		return verifyOwnDevice(this.#matrixClient);
	}

	/** After an emoji verification: waits for the secrets, then restores the room keys. */
	async finishVerification(): Promise<BackupRestoreOutcome> {
		this.restoreProgress = { stage: 'fetch', imported: 0, total: 0 };
		const result = await finishOwnDeviceVerification(this.#matrixClient);
		await this.#vault?.put(VERIFICATION_SKIPPED_ENTRY, false);
		await this.#open();
		return result.backup;
	}

	/** Uses this device without verifying it; the shell shows it as unverified. */
	async skip(): Promise<void> {
		await this.#vault?.put(VERIFICATION_SKIPPED_ENTRY, true);
		await this.#open('skipped');
	}

	/** Goes back to the verification screen from the "unverified device" notice. */
	reopen(): void {
		if (this.status === 'skipped') this.status = 'needs_unlock';
	}

	/** Stops watching for trust changes and cancels a pending password prompt, on sign-out. */
	dispose(): void {
		this.#stopWatching?.();
		this.#stopWatching = undefined;
		this.passwordRequest.cancel();
	}

	/**
	 * Opens the conversations. The time spent on these screens counts as
	 * activity, so the inactivity guard, which starts now and reads the last
	 * activity from the vault, does not lock or sign out at once.
	 */
	async #open(status: 'ready' | 'skipped' = 'ready'): Promise<void> {
		this.restoreProgress = undefined;
		await this.#vault?.put(LAST_ACTIVITY_ENTRY, Date.now());
		this.status = status;
	}

	/** A skipped device that another device verified meanwhile counts as ready. */
	async #refreshSkipped(): Promise<void> {
		if (this.status !== 'skipped') return;
		const state = await getEncryptionState(this.#matrixClient);
		if (state.deviceVerified && state.crossSigningReady) {
			log.info('This device was verified from another device');
			this.status = 'ready';
		}
	}
}
