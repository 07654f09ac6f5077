/**
 * Threat model: anyone who gets an account's access token (a stolen session, a
 * malicious server administrator creating a device) can add a device to that
 * account. Without cross-signing nobody vouches for such a device, yet by
 * default it still receives room keys and its messages still decrypt. With
 * `cross_signed_only` (MSC4153, "exclude insecure devices"), room keys go only
 * to devices their owner cross-signed, and events from other devices fail to
 * decrypt. The cost is that a person's unverified new device stays blind until
 * it is verified or unlocked. The choice is stored in the user's account data,
 * which is not end-to-end encrypted; it reveals only this setting.
 */
import type { MatrixClient } from 'matrix-js-sdk';
import {
	AllDevicesIsolationMode,
	OnlySignedDevicesIsolationMode,
	type DeviceIsolationMode
} from 'matrix-js-sdk/lib/crypto-api';
import { logger } from '../logger.ts';
import { requireCrypto } from './bootstrap.ts';
import {
	deviceIsolationSettingSchema,
	effectiveDeviceIsolation,
	type DeviceIsolationPolicy,
	type DeviceIsolationSetting
} from './device-isolation-policy.ts';

const log = logger.getChild('[DeviceIsolation]');

/** Account data type of the user's own choice (Alcove's reverse-DNS namespace). */
export const DEVICE_ISOLATION_EVENT_TYPE = 'app.alcove.device_isolation';

declare module 'matrix-js-sdk/lib/types' {
	interface AccountDataEvents {
		[DEVICE_ISOLATION_EVENT_TYPE]: { setting: DeviceIsolationSetting };
	}
}

export * from './device-isolation-policy.ts';

/** Returns the SDK's isolation mode for a setting. */
export function deviceIsolationMode(setting: DeviceIsolationSetting): DeviceIsolationMode {
	// errorOnVerifiedUserProblems stays false: a changed identity of a verified
	// user holds sending through trust-state.ts, where the user can acknowledge
	// it, instead of every send failing with an error.
	return setting === 'cross_signed_only'
		? new OnlySignedDevicesIsolationMode()
		: new AllDevicesIsolationMode(false);
}

/** Reads the user's own choice from account data; null if none or malformed. */
export function readDeviceIsolationChoice(
	matrixClient: MatrixClient
): DeviceIsolationSetting | null {
	const content = matrixClient.getAccountData(DEVICE_ISOLATION_EVENT_TYPE)?.getContent();
	const parsed = deviceIsolationSettingSchema.safeParse(content?.setting);
	return parsed.success ? parsed.data : null;
}

/**
 * Fetches the user's own choice from the homeserver, for use before the first
 * sync: events in that sync are decrypted under the mode set by then. Returns
 * null if there is none, it is malformed, or the request failed.
 */
export async function fetchDeviceIsolationChoice(
	matrixClient: MatrixClient
): Promise<DeviceIsolationSetting | null> {
	try {
		const content = await matrixClient.getAccountDataFromServer(DEVICE_ISOLATION_EVENT_TYPE);
		const parsed = deviceIsolationSettingSchema.safeParse(content?.setting);
		return parsed.success ? parsed.data : null;
	} catch (error) {
		// 404 when the user never chose; anything else leaves the practice default.
		log.debug('No device isolation choice on the server', error);
		return null;
	}
}

/**
 * Applies the effective setting to this device's crypto and returns it. Call
 * it before the first sync with the choice from
 * {@link fetchDeviceIsolationChoice}, and whenever the choice in account data
 * changes. Until then `createMatrixClient` applies the SDK's default, or its
 * `deviceIsolationMode` option.
 */
export function applyDeviceIsolation(
	matrixClient: MatrixClient,
	policy: DeviceIsolationPolicy,
	choice: DeviceIsolationSetting | null = readDeviceIsolationChoice(matrixClient)
): DeviceIsolationSetting {
	const setting = effectiveDeviceIsolation(policy, choice);
	requireCrypto(matrixClient).setDeviceIsolationMode(deviceIsolationMode(setting));
	log.info('Device isolation is', setting);
	return setting;
}

/**
 * Stores the user's choice in account data, so every device of the account
 * uses it, and applies it here.
 *
 * @returns The setting in effect, which is stricter than the choice if the
 *   policy forbids the weaker one.
 */
export async function saveDeviceIsolationChoice(
	matrixClient: MatrixClient,
	policy: DeviceIsolationPolicy,
	choice: DeviceIsolationSetting
): Promise<DeviceIsolationSetting> {
	await matrixClient.setAccountData(DEVICE_ISOLATION_EVENT_TYPE, { setting: choice });
	const setting = effectiveDeviceIsolation(policy, choice);
	requireCrypto(matrixClient).setDeviceIsolationMode(deviceIsolationMode(setting));
	log.info('Device isolation is', setting, 'chosen by the user');
	return setting;
}
