/**
 * Threat model: cross-signing is the account's identity. Other people trust a
 * device because this identity signed it, so the private keys must never reach
 * the server in the clear, and an existing identity must never be replaced by
 * accident: a replacement makes every contact see "identity changed" and cuts
 * this account off from its old key backup. This module therefore creates keys
 * only for an account that has none, and replaces them only through
 * `resetEncryptionIdentity`, which the homeserver guards with the password.
 * The recovery key is returned once, for the user to write down. It is not
 * stored or logged here: only the SecretStorageKeyCache keeps the raw key, and
 * only in memory.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoApi, GeneratedSecretStorageKey } from 'matrix-js-sdk/lib/crypto-api';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';
import { passwordAuthCallback, type PasswordPrompt } from './user-interactive-auth.ts';

const log = logger.getChild('[Bootstrap]');

/** How far this device is in the account's encryption set-up. */
export interface EncryptionState {
	/** The account's cross-signing identity is trusted here and its private keys are available. */
	crossSigningReady: boolean;
	/** Secret storage holds the cross-signing keys and, if a backup exists, its key. */
	secretStorageReady: boolean;
	/** This device uploads its room keys to a server-side key backup that it trusts. */
	backupActive: boolean;
	/** This device is signed by the account's cross-signing identity. */
	deviceVerified: boolean;
}

/**
 * Next step for this device: `ready` when every part of {@link EncryptionState}
 * is true, `needs_setup` for an account without encryption (its first sign-in),
 * `needs_unlock` for a new device of an account that already has it, which must
 * be unlocked with the recovery key or verified from another device.
 */
export type EncryptionSetup = 'ready' | 'needs_setup' | 'needs_unlock';

/** Result of {@link setUpEncryption}. */
export type EncryptionSetupResult =
	| {
			created: true;
			/**
			 * The new recovery key, in the spaced base58 form of the Matrix
			 * specification. Show it to the user once; it is not kept anywhere.
			 */
			recoveryKey: string;
			state: EncryptionState;
	  }
	| { created: false; setup: Exclude<EncryptionSetup, 'needs_setup'>; state: EncryptionState };

/** Options of {@link setUpEncryption} and {@link resetEncryptionIdentity}. */
export interface EncryptionSetupOptions {
	/** Asks for the account password if the homeserver wants it for the key upload. */
	requestPassword: PasswordPrompt;
	/**
	 * Optional passphrase from which the recovery key is derived (PBKDF2), so the
	 * user can recover with either. Without it the key is random.
	 */
	passphrase?: string;
}

/** Returns the CryptoApi of a matrixClient whose Rust crypto has been initialised. */
export function requireCrypto(matrixClient: MatrixClient): CryptoApi {
	const crypto = matrixClient.getCrypto();
	if (!crypto) throw new Error('The matrixClient has no crypto; call initRustCrypto first');
	return crypto;
}

/** Reads the encryption state of this device. */
export async function getEncryptionState(matrixClient: MatrixClient): Promise<EncryptionState> {
	const crypto = requireCrypto(matrixClient);
	const userId = matrixClient.getSafeUserId();
	const deviceId = matrixClient.getDeviceId();
	const [crossSigningReady, secretStorageReady, backupVersion, deviceStatus] = await Promise.all([
		crypto.isCrossSigningReady(),
		crypto.isSecretStorageReady(),
		crypto.getActiveSessionBackupVersion(),
		deviceId ? crypto.getDeviceVerificationStatus(userId, deviceId) : Promise.resolve(null)
	]);
	return {
		crossSigningReady,
		secretStorageReady,
		backupActive: backupVersion !== null,
		deviceVerified: deviceStatus?.crossSigningVerified ?? false
	};
}

/**
 * Finds out what this device needs next. It asks the homeserver for the
 * account's public cross-signing keys, because a new device knows nothing yet.
 */
export async function getEncryptionSetup(
	matrixClient: MatrixClient
): Promise<{ setup: EncryptionSetup; state: EncryptionState }> {
	const crypto = requireCrypto(matrixClient);
	const [state, hasIdentity, hasSecretStorage] = await Promise.all([
		getEncryptionState(matrixClient),
		crypto.userHasCrossSigningKeys(matrixClient.getSafeUserId(), true),
		matrixClient.secretStorage.hasKey()
	]);
	return { setup: classifyEncryptionSetup(state, hasIdentity, hasSecretStorage), state };
}

/**
 * Decides what a device needs from its state and what the account has on the
 * server. An identity that this device holds but whose secret storage is
 * missing counts as `needs_setup`: a first set-up stopped half-way, and
 * finishing it creates only what is missing. A cross-signed device that has
 * the private keys of an account with secret storage is `ready` even while its
 * backup is not active yet. Right after a page load the SDK has not finished
 * its backup check, and unlocking again would not change that.
 */
export function classifyEncryptionSetup(
	state: EncryptionState,
	accountHasIdentity: boolean,
	accountHasSecretStorage: boolean
): EncryptionSetup {
	if (state.crossSigningReady && state.secretStorageReady && state.backupActive) {
		return state.deviceVerified ? 'ready' : 'needs_unlock';
	}
	if (state.crossSigningReady && state.deviceVerified && accountHasSecretStorage) return 'ready';
	if (accountHasSecretStorage) return 'needs_unlock';
	if (accountHasIdentity && !state.crossSigningReady) return 'needs_unlock';
	return 'needs_setup';
}

function validatePassphrase(passphrase: string | undefined): void {
	if (passphrase !== undefined && passphrase.trim() === '') {
		throw new AlcoveError('invalid_passphrase', 'The recovery passphrase is empty');
	}
}

async function createRecoveryKey(
	crypto: CryptoApi,
	passphrase: string | undefined
): Promise<GeneratedSecretStorageKey & { encodedPrivateKey: string }> {
	const key = await crypto.createRecoveryKeyFromPassphrase(passphrase);
	if (!key.encodedPrivateKey)
		throw new Error('The SDK returned a recovery key without its encoding');
	return { ...key, encodedPrivateKey: key.encodedPrivateKey };
}

/**
 * Sets up encryption on the first sign-in of an account: cross-signing keys,
 * secret storage under a new recovery key, and a server-side key backup.
 *
 * On an account that is already set up (this is a second device) it creates
 * nothing and reports `created: false` with the state of this device, so the
 * caller can offer recovery or verification instead.
 *
 * The matrixClient must have been created with the `cryptoCallbacks` of a
 * SecretStorageKeyCache, because the SDK reads the new key back through them
 * while it stores the secrets.
 *
 * @throws AlcoveError `invalid_passphrase` for an empty passphrase, and the
 *   codes of {@link passwordAuthCallback} if the homeserver wants the password.
 */
export async function setUpEncryption(
	matrixClient: MatrixClient,
	options: EncryptionSetupOptions
): Promise<EncryptionSetupResult> {
	validatePassphrase(options.passphrase);
	const crypto = requireCrypto(matrixClient);
	const { setup, state } = await getEncryptionSetup(matrixClient);
	if (setup !== 'needs_setup') {
		log.info('Encryption is already set up for this account; this device is', setup);
		return { created: false, setup, state };
	}

	// Cross-signing first, so the backup created below is signed by the identity
	// and other devices of the account trust it.
	await crypto.bootstrapCrossSigning({
		authUploadDeviceSigningKeys: passwordAuthCallback(
			matrixClient.getSafeUserId(),
			options.requestPassword
		)
	});

	// A new backup unless one exists that this device can already use; replacing a
	// usable backup would strand the room keys in it.
	const backupInfo = await crypto.getKeyBackupInfo();
	const backupUsable =
		backupInfo !== null && (await crypto.isKeyBackupTrusted(backupInfo)).matchesDecryptionKey;

	const recoveryKey = await createRecoveryKey(crypto, options.passphrase);
	await crypto.bootstrapSecretStorage({
		createSecretStorageKey: async () => recoveryKey,
		setupNewKeyBackup: !backupUsable
	});
	await crypto.checkKeyBackupAndEnable();

	const newState = await getEncryptionState(matrixClient);
	log.info('Set up encryption', newState);
	return { created: true, recoveryKey: recoveryKey.encodedPrivateKey, state: newState };
}

/**
 * Moves secret storage to a new recovery key and keeps the cross-signing
 * identity and the key backup, for a device that set encryption up but whose
 * user never confirmed saving the recovery key. The SDK stores again the
 * secrets this device has (the cross-signing private keys and the backup
 * key) under the new key. A secret that only secret storage held, such as a
 * notes keyring written from another device, stays readable only with the old
 * key, so call this only before anything else has used secret storage.
 *
 * @returns The new recovery key, to show once.
 * @throws AlcoveError `invalid_passphrase` for an empty passphrase.
 */
export async function replaceRecoveryKey(
	matrixClient: MatrixClient,
	options: { passphrase?: string }
): Promise<string> {
	validatePassphrase(options.passphrase);
	const crypto = requireCrypto(matrixClient);
	const recoveryKey = await createRecoveryKey(crypto, options.passphrase);
	await crypto.bootstrapSecretStorage({
		createSecretStorageKey: async () => recoveryKey,
		setupNewSecretStorage: true
	});
	log.info('Replaced the secret storage key');
	return recoveryKey.encodedPrivateKey;
}

/**
 * Replaces the account's encryption identity: new cross-signing keys, a new
 * recovery key and a new, empty key backup; the old backups are deleted. This
 * is the way out for a user who lost the recovery key and every other device.
 * Room keys that only the old backup held are lost, and every contact sees that
 * the identity changed, so the interface must ask before calling this.
 *
 * @returns The new recovery key, to show once, and the new state.
 * @throws AlcoveError `invalid_passphrase` for an empty passphrase, and the
 *   codes of {@link passwordAuthCallback}; the homeserver always asks for the
 *   password when cross-signing keys are replaced.
 */
export async function resetEncryptionIdentity(
	matrixClient: MatrixClient,
	options: EncryptionSetupOptions
): Promise<{ recoveryKey: string; state: EncryptionState }> {
	validatePassphrase(options.passphrase);
	const crypto = requireCrypto(matrixClient);

	// Create the recovery key before touching anything on the server, so a failure
	// here leaves the old identity intact.
	const recoveryKey = await createRecoveryKey(crypto, options.passphrase);

	// Deletes secret storage and every backup version, uploads new cross-signing
	// keys (behind the password) and creates a new backup.
	await crypto.resetEncryption(
		passwordAuthCallback(matrixClient.getSafeUserId(), options.requestPassword)
	);

	// New secret storage for the new keys, under the new recovery key.
	await crypto.bootstrapSecretStorage({
		createSecretStorageKey: async () => recoveryKey,
		setupNewSecretStorage: true
	});
	await crypto.checkKeyBackupAndEnable();

	const state = await getEncryptionState(matrixClient);
	log.info('Reset the encryption identity', state);
	return { recoveryKey: recoveryKey.encodedPrivateKey, state };
}
