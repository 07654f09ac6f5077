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
import { z } from 'zod';
import { logger } from '../logger.ts';
import { requireCrypto } from './bootstrap.ts';

const log = logger.getChild('[DeviceIsolation]');

/** Account data type of the user's own choice (Alcove's reverse-DNS namespace). */
export const DEVICE_ISOLATION_EVENT_TYPE = 'app.alcove.device_isolation';

declare module 'matrix-js-sdk/lib/types' {
	interface AccountDataEvents {
		[DEVICE_ISOLATION_EVENT_TYPE]: { setting: DeviceIsolationSetting };
	}
}

/**
 * Devices that get room keys: `all_devices` shares with every device of the
 * members, `cross_signed_only` only with devices that their owner cross-signed.
 */
export type DeviceIsolationSetting = 'all_devices' | 'cross_signed_only';

export const deviceIsolationSettingSchema = z.enum(['all_devices', 'cross_signed_only']);

/** The practice's configuration of the setting. */
export interface DeviceIsolationPolicy {
	/** The setting of users who have not chosen. */
	default: DeviceIsolationSetting;
	/**
	 * May users choose `all_devices` when the default is `cross_signed_only`?
	 * Choosing the stricter setting is always allowed.
	 */
	allowWeakerChoice: boolean;
}

/** Parses the practice configuration, for example `{ default: 'cross_signed_only' }`. */
export const deviceIsolationPolicySchema = z.object({
	default: deviceIsolationSettingSchema,
	allowWeakerChoice: z.boolean().default(false)
});

/** Returns the SDK's isolation mode for a setting. */
export function deviceIsolationMode(setting: DeviceIsolationSetting): DeviceIsolationMode {
	// errorOnVerifiedUserProblems stays false: a changed identity of a verified
	// user holds sending through trust-state.ts, where the user can acknowledge
	// it, instead of every send failing with an error.
	return setting === 'cross_signed_only'
		? new OnlySignedDevicesIsolationMode()
		: new AllDevicesIsolationMode(false);
}

/** Combines the practice policy with the user's choice, if any. */
export function effectiveDeviceIsolation(
	policy: DeviceIsolationPolicy,
	userChoice: DeviceIsolationSetting | null
): DeviceIsolationSetting {
	if (userChoice === null) return policy.default;
	if (userChoice === 'all_devices' && policy.default === 'cross_signed_only') {
		return policy.allowWeakerChoice ? 'all_devices' : 'cross_signed_only';
	}
	return userChoice;
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
 * Applies the effective setting to this device's crypto and returns it. Call
 * it after the first sync, when account data is known, and whenever the
 * choice changes. Until then `createMatrixClient` applies the practice
 * default through its `deviceIsolationMode` option.
 */
export function applyDeviceIsolation(
	matrixClient: MatrixClient,
	policy: DeviceIsolationPolicy
): DeviceIsolationSetting {
	const setting = effectiveDeviceIsolation(policy, readDeviceIsolationChoice(matrixClient));
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
