/**
 * Threat model for data loss rather than disclosure: signing out deletes this
 * device's room keys. If no other device of the account has them and they are
 * not in the server-side key backup, the messages become unreadable for good,
 * so the interface warns first.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import { requireCrypto } from './bootstrap.ts';
import { listOwnDevices } from './devices.ts';

/** The loss that signing out this device would cause. */
export interface SignOutRisk {
	/** No other cross-signed device of the account has encryption keys. */
	lastDevice: boolean;
	/** This device uploads its room keys to a key backup it trusts. */
	backupActive: boolean;
}

/**
 * Checks whether this is the account's last device with encryption keys and
 * whether its room keys go to the key backup.
 *
 * NOTE: an active backup may still be uploading the newest keys. The SDK
 * exposes no count of keys waiting, so this check does not cover them.
 */
export async function getSignOutRisk(matrixClient: MatrixClient): Promise<SignOutRisk> {
	const [devices, backupVersion] = await Promise.all([
		listOwnDevices(matrixClient),
		requireCrypto(matrixClient).getActiveSessionBackupVersion()
	]);
	// Only a cross-signed device of this account receives the room keys that
	// this one forwards, so an unverified device does not count as a copy.
	const otherDevicesWithKeys = devices.filter(
		(device) => !device.isCurrent && device.verification === 'verified'
	);
	return { lastDevice: otherDevicesWithKeys.length === 0, backupActive: backupVersion !== null };
}

/** True if signing out would make messages unreadable for good. */
export function signOutLosesMessages(risk: SignOutRisk): boolean {
	return risk.lastDevice && !risk.backupActive;
}
