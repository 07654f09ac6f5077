/**
 * Threat model: every device of an account can read the account's messages,
 * so the user must be able to see each one, tell which are verified, and
 * remove any they do not recognise. Removing a device signs it out on the
 * server; the homeserver asks for the password first, so a stolen access
 * token alone cannot remove the owner's other devices. Device names are not
 * encrypted: the homeserver, and people who share a room with the user, can
 * read them, so a name should not say who the person is.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import { AlcoveError } from '../errors.ts';
import { logger } from '../logger.ts';
import { toAlcoveError } from '../login.ts';
import { requireCrypto } from './bootstrap.ts';
import { passwordAuthCallback, type PasswordPrompt } from './user-interactive-auth.ts';

const log = logger.getChild('[Devices]');

/** Synapse's maximum length of a device display name, in characters. */
export const MAX_DEVICE_NAME_LENGTH = 100;

/**
 * Whether a device is trusted: `verified` when the account's cross-signing
 * identity signed it, `unverified` when not, `no_encryption` when the device
 * has published no encryption keys (it cannot read encrypted messages).
 */
export type DeviceVerification = 'verified' | 'unverified' | 'no_encryption';

/** One device of the signed-in account. */
export interface OwnDevice {
	deviceId: string;
	displayName: string | null;
	/** When the homeserver last saw the device, in milliseconds since the epoch. */
	lastSeenTs: number | null;
	/** The IP address the homeserver last saw the device at, to help recognise it. */
	lastSeenIp: string | null;
	isCurrent: boolean;
	verification: DeviceVerification;
}

/** Lists the account's devices: this one first, then by most recent activity. */
export async function listOwnDevices(matrixClient: MatrixClient): Promise<OwnDevice[]> {
	const crypto = requireCrypto(matrixClient);
	const userId = matrixClient.getSafeUserId();
	const currentDeviceId = matrixClient.getDeviceId();

	let devices;
	try {
		({ devices } = await matrixClient.getDevices());
		// For the own user this makes a /keys/query, which also refreshes the
		// account's device keys: a device added a moment ago then has a status
		// instead of showing as `no_encryption` until the next sync.
		await crypto.userHasCrossSigningKeys(userId);
	} catch (error) {
		throw toAlcoveError(error, 'Device list');
	}

	const list = await Promise.all(
		devices.map(async (device): Promise<OwnDevice> => {
			const status = await crypto.getDeviceVerificationStatus(userId, device.device_id);
			let verification: DeviceVerification = 'no_encryption';
			if (status) verification = status.crossSigningVerified ? 'verified' : 'unverified';
			return {
				deviceId: device.device_id,
				displayName: device.display_name ?? null,
				lastSeenTs: device.last_seen_ts ?? null,
				lastSeenIp: device.last_seen_ip ?? null,
				isCurrent: device.device_id === currentDeviceId,
				verification
			};
		})
	);
	return list.sort(
		(a, b) => Number(b.isCurrent) - Number(a.isCurrent) || (b.lastSeenTs ?? 0) - (a.lastSeenTs ?? 0)
	);
}

/**
 * Renames one of the account's devices.
 *
 * @throws AlcoveError `invalid_device_name` for an empty name or one longer
 *   than {@link MAX_DEVICE_NAME_LENGTH}.
 */
export async function renameDevice(
	matrixClient: MatrixClient,
	deviceId: string,
	displayName: string
): Promise<void> {
	const name = displayName.trim();
	if (name === '' || [...name].length > MAX_DEVICE_NAME_LENGTH) {
		throw new AlcoveError(
			'invalid_device_name',
			`A device name needs 1 to ${MAX_DEVICE_NAME_LENGTH} characters`
		);
	}
	try {
		await matrixClient.setDeviceDetails(deviceId, { display_name: name });
	} catch (error) {
		throw toAlcoveError(error, 'Device rename');
	}
	log.info('Renamed device', deviceId);
}

/**
 * Signs out other devices of the account, after the homeserver has checked
 * the password. The keys of removed devices stop receiving room keys once the
 * other members' devices see the change.
 *
 * @throws AlcoveError `invalid_device` if the list contains this device (sign
 *   out instead), and the codes of {@link passwordAuthCallback}.
 */
export async function deleteOtherDevices(
	matrixClient: MatrixClient,
	deviceIds: readonly string[],
	requestPassword: PasswordPrompt
): Promise<void> {
	if (deviceIds.length === 0) return;
	if (deviceIds.includes(matrixClient.getDeviceId() ?? '')) {
		throw new AlcoveError('invalid_device', 'This device cannot remove itself; sign out instead');
	}
	const authenticate = passwordAuthCallback<unknown>(matrixClient.getSafeUserId(), requestPassword);
	try {
		await authenticate((auth) =>
			matrixClient.deleteMultipleDevices([...deviceIds], auth ?? undefined)
		);
	} catch (error) {
		throw toAlcoveError(error, 'Device removal');
	}
	log.info('Removed devices', deviceIds);
}
