/**
 * Threat model: the recovery key (or the passphrase it is derived from) unlocks
 * the account's secret storage, so a new device that knows it becomes a fully
 * trusted device of the account and can read every backed-up room key. It is
 * typed by the user, checked against the key check stored in account data, kept
 * only in the in-memory SecretStorageKeyCache, and never logged. A wrong key is
 * rejected before anything is written, and recovery never creates new
 * cross-signing keys: if secret storage lacks them it fails instead of
 * replacing the identity that other people have verified.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import {
	decodeRecoveryKey,
	deriveRecoveryKeyFromPassphrase,
	DecryptionKeyDoesNotMatchError,
	ImportRoomKeyStage,
	type ImportRoomKeyProgressData
} from 'matrix-js-sdk/lib/crypto-api';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';
import { toAlcoveError } from '../login.ts';
import { getEncryptionState, requireCrypto, type EncryptionState } from './bootstrap.ts';
import type { SecretStorageKeyCache } from './secret-storage-key.ts';

const log = logger.getChild('[Recovery]');

/** The base58 alphabet of the Matrix key representation (no 0, O, I or l). */
const base58Pattern = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * Length of an encoded recovery key without spaces. The 35 bytes (2 prefix, 32
 * key, 1 parity) encode to a number between 58^47 and 58^48, because the
 * prefix starts with 0x8b, so base58 always takes 48 characters.
 */
const encodedLength = 48;

/** Problem that makes a typed text unusable as a recovery key. */
export type RecoveryKeyProblem = 'empty' | 'invalid_characters' | 'wrong_length' | 'typo';

/**
 * Checks the form of a typed recovery key without asking the server, for
 * feedback while the user types. Spaces and line breaks are ignored. `typo`
 * means the key has the right form but its parity byte or prefix does not
 * match, which is what a mistyped character gives.
 */
export function checkRecoveryKeyFormat(input: string): RecoveryKeyProblem | null {
	const compact = input.replace(/\s+/g, '');
	if (compact === '') return 'empty';
	if (!base58Pattern.test(compact)) return 'invalid_characters';
	if (compact.length !== encodedLength) return 'wrong_length';
	try {
		decodeRecoveryKey(compact);
	} catch {
		return 'typo';
	}
	return null;
}

/**
 * Decodes a typed recovery key into the raw 32-byte secret-storage key.
 *
 * @throws AlcoveError `invalid_recovery_key`, whose message names the problem.
 */
export function parseRecoveryKey(input: string): Uint8Array<ArrayBuffer> {
	const problem = checkRecoveryKeyFormat(input);
	if (problem !== null) {
		throw new AlcoveError('invalid_recovery_key', `The recovery key is not valid: ${problem}`);
	}
	return decodeRecoveryKey(input.replace(/\s+/g, ''));
}

/** Secret the user types to unlock the device: the recovery key or the passphrase. */
export type RecoverySecret = { recoveryKey: string } | { passphrase: string };

/** Progress of a backup restore, for a progress bar. */
export interface RestoreProgress {
	/** `fetch` while the backup downloads, `import` while keys are imported. */
	stage: 'fetch' | 'import';
	/** Keys imported so far, and keys in the backup; both 0 while fetching. */
	imported: number;
	total: number;
}

/** Outcome of restoring room keys from the server-side key backup. */
export type BackupRestoreOutcome =
	| {
			status: 'restored';
			version: string;
			/** Room keys found in the backup. */
			total: number;
			/** Room keys this device did not have and imported. */
			imported: number;
	  }
	/** The account has no key backup on the server. */
	| { status: 'no_backup' }
	/**
	 * This device has no key for the backup: secret storage lacks it, or
	 * contains the key of an older backup version.
	 */
	| { status: 'key_unavailable' };

/** Result of {@link unlockWithRecoveryKey}. */
export interface RecoveryResult {
	backup: BackupRestoreOutcome;
	state: EncryptionState;
}

function toRestoreProgress(progress: ImportRoomKeyProgressData): RestoreProgress {
	if (progress.stage === ImportRoomKeyStage.Fetch) return { stage: 'fetch', imported: 0, total: 0 };
	return { stage: 'import', imported: progress.successes, total: progress.total };
}

/** Turns a recovery key or passphrase into the secret-storage key, checked against its key info. */
async function resolveSecretStorageKey(
	matrixClient: MatrixClient,
	secret: RecoverySecret
): Promise<{ keyId: string; key: Uint8Array<ArrayBuffer> }> {
	// Check the form before any request, so a typo gives its own error.
	const typedKey = 'recoveryKey' in secret ? parseRecoveryKey(secret.recoveryKey) : undefined;

	const defaultKey = await matrixClient.secretStorage.getKey();
	if (!defaultKey) {
		throw new AlcoveError('recovery_not_set_up', 'This account has no secret storage to unlock');
	}
	const [keyId, keyInfo] = defaultKey;

	let key: Uint8Array<ArrayBuffer>;
	if (typedKey) {
		key = typedKey;
	} else {
		const passphrase = (secret as { passphrase: string }).passphrase;
		if (!keyInfo.passphrase) {
			throw new AlcoveError(
				'wrong_recovery_key',
				'This account was set up without a recovery passphrase; use the recovery key'
			);
		}
		key = await deriveRecoveryKeyFromPassphrase(
			passphrase,
			keyInfo.passphrase.salt,
			keyInfo.passphrase.iterations,
			keyInfo.passphrase.bits
		);
	}

	if (!(await matrixClient.secretStorage.checkKey(key, keyInfo))) {
		throw new AlcoveError(
			'wrong_recovery_key',
			'The recovery key or passphrase does not match this account'
		);
	}
	return { keyId, key };
}

/**
 * Restores every room key from the server-side key backup, once this device
 * has the backup key (after recovery, or after it received the key from
 * another device through verification). Events that failed to decrypt are
 * retried by the SDK as their keys arrive.
 *
 * @param options.loadFromSecretStorage - Read the backup key from secret
 *   storage first; needs the secret-storage key in the cache.
 */
export async function restoreRoomKeysFromBackup(
	matrixClient: MatrixClient,
	options: {
		loadFromSecretStorage?: boolean;
		onProgress?: (progress: RestoreProgress) => void;
	} = {}
): Promise<BackupRestoreOutcome> {
	const crypto = requireCrypto(matrixClient);

	// A fresh look at the server: another device may have replaced the backup.
	const check = await crypto.checkKeyBackupAndEnable();
	if (!check) return { status: 'no_backup' };
	const version = check.backupInfo.version;

	if (options.loadFromSecretStorage) {
		try {
			await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
		} catch (error) {
			// Missing from secret storage, or the key of an older backup version.
			log.warn('No usable backup key in secret storage for backup version', version, error);
			return { status: 'key_unavailable' };
		}
		await crypto.checkKeyBackupAndEnable();
	}
	if (!(await crypto.getSessionBackupPrivateKey())) return { status: 'key_unavailable' };

	try {
		const { total, imported } = await crypto.restoreKeyBackup({
			progressCallback: options.onProgress
				? (progress) => options.onProgress?.(toRestoreProgress(progress))
				: undefined
		});
		log.info('Restored room keys from backup version', version, { total, imported });
		return { status: 'restored', version, total, imported };
	} catch (error) {
		if (error instanceof DecryptionKeyDoesNotMatchError) return { status: 'key_unavailable' };
		throw toAlcoveError(error, 'Key backup restore');
	}
}

/**
 * Unlocks a new device with the recovery key or the recovery passphrase. It
 * checks the key and caches it for the SDK's secret-storage callback. Then it
 * imports the cross-signing keys, signs this device with them, and restores
 * the room keys from the key backup.
 *
 * @throws AlcoveError `invalid_recovery_key` for a key of the wrong form,
 *   `wrong_recovery_key` for a key or passphrase of another account or an old
 *   set-up, `recovery_not_set_up` if the account has no secret storage or it
 *   lacks the cross-signing keys.
 */
export async function unlockWithRecoveryKey(
	matrixClient: MatrixClient,
	keyCache: SecretStorageKeyCache,
	secret: RecoverySecret,
	options: { onProgress?: (progress: RestoreProgress) => void } = {}
): Promise<RecoveryResult> {
	const crypto = requireCrypto(matrixClient);
	const { keyId, key } = await resolveSecretStorageKey(matrixClient, secret);
	keyCache.store(keyId, key);
	key.fill(0);

	// bootstrapCrossSigning creates and uploads a new identity when it finds no
	// keys, so check first that secret storage holds the existing one. The
	// public keys must be downloaded too, or importing the private keys fails.
	const storedWith = await matrixClient.secretStorage.isStored('m.cross_signing.master');
	const hasIdentity = await crypto.userHasCrossSigningKeys(matrixClient.getSafeUserId(), true);
	if (!hasIdentity || !storedWith || !(keyId in storedWith)) {
		throw new AlcoveError(
			'recovery_not_set_up',
			'Secret storage does not contain the cross-signing keys'
		);
	}
	await crypto.bootstrapCrossSigning({});
	log.info('Imported the cross-signing keys and signed this device');

	const backup = await restoreRoomKeysFromBackup(matrixClient, {
		loadFromSecretStorage: true,
		onProgress: options.onProgress
	});
	return { backup, state: await getEncryptionState(matrixClient) };
}
