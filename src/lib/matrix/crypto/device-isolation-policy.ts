/**
 * The practice's device isolation policy, without the SDK, so the practice
 * configuration can parse it on the server and before the SDK has loaded.
 */
import { z } from 'zod';

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
