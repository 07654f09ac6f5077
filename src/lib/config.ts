import { z } from 'zod';
import {
	deviceIsolationPolicySchema,
	deviceIsolationSettingSchema,
	type DeviceIsolationPolicy
} from './matrix/crypto/device-isolation-policy.ts';

/** Practice configuration that the server hands to the browser at /config.json. */
export const clientConfigSchema = z.object({
	/** Homeserver offered on the sign-in screen, or null to let people type one. */
	homeserverUrl: z.string().url().nullable(),
	/** Inactivity, in seconds, after which the screen locks and needs the password. */
	lockAfterSeconds: z.number().int().positive(),
	/** Inactivity, in seconds, after which the device signs out and deletes its data. */
	signOutAfterSeconds: z.number().int().positive(),
	/** Device isolation policy: the setting for users who have not chosen, and whether they may choose a weaker one. */
	deviceIsolation: deviceIsolationPolicySchema
});

export type ClientConfig = z.infer<typeof clientConfigSchema>;

/** Defaults: lock after 15 minutes, sign out after 8 hours without activity. */
export const DEFAULT_LOCK_AFTER_SECONDS = 15 * 60;
export const DEFAULT_SIGN_OUT_AFTER_SECONDS = 8 * 60 * 60;

function readSeconds(
	env: Record<string, string | undefined>,
	name: string,
	fallback: number
): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value <= 0) {
		throw new Error(`${name}="${raw}" must be a whole number of seconds greater than 0`);
	}
	return value;
}

function readHomeserverUrl(env: Record<string, string | undefined>): string | null {
	const raw = env.ALCOVE_HOMESERVER_URL?.trim();
	if (!raw) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new Error(
			`ALCOVE_HOMESERVER_URL="${raw}" is not a URL; set it to e.g. https://matrix.clinic.example`
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new Error(
			`ALCOVE_HOMESERVER_URL must start with https:// or http://, not ${url.protocol}`
		);
	}
	return url.origin + url.pathname.replace(/\/+$/, '');
}

function readDeviceIsolation(env: Record<string, string | undefined>): DeviceIsolationPolicy {
	const rawDefault = env.ALCOVE_DEVICE_ISOLATION?.trim() || 'all_devices';
	const parsedDefault = deviceIsolationSettingSchema.safeParse(rawDefault);
	if (!parsedDefault.success) {
		throw new Error(
			`ALCOVE_DEVICE_ISOLATION="${rawDefault}" must be all_devices or cross_signed_only`
		);
	}
	const rawAllow = env.ALCOVE_ALLOW_WEAKER_DEVICE_ISOLATION?.trim() || 'false';
	if (rawAllow !== 'true' && rawAllow !== 'false') {
		throw new Error(`ALCOVE_ALLOW_WEAKER_DEVICE_ISOLATION="${rawAllow}" must be true or false`);
	}
	return { default: parsedDefault.data, allowWeakerChoice: rawAllow === 'true' };
}

/**
 * Reads the practice configuration from environment variables of the Node
 * server: `ALCOVE_HOMESERVER_URL` (an http(s) URL), `ALCOVE_LOCK_AFTER_SECONDS`,
 * `ALCOVE_SIGN_OUT_AFTER_SECONDS`, `ALCOVE_DEVICE_ISOLATION` (`all_devices`,
 * the default, or `cross_signed_only`) and `ALCOVE_ALLOW_WEAKER_DEVICE_ISOLATION`
 * (`false`, the default, or `true`). An invalid value stops the server with an
 * error naming the variable.
 */
export function readClientConfig(env: Record<string, string | undefined>): ClientConfig {
	const lockAfterSeconds = readSeconds(
		env,
		'ALCOVE_LOCK_AFTER_SECONDS',
		DEFAULT_LOCK_AFTER_SECONDS
	);
	const signOutAfterSeconds = readSeconds(
		env,
		'ALCOVE_SIGN_OUT_AFTER_SECONDS',
		DEFAULT_SIGN_OUT_AFTER_SECONDS
	);
	if (signOutAfterSeconds <= lockAfterSeconds) {
		throw new Error(
			`ALCOVE_SIGN_OUT_AFTER_SECONDS (${signOutAfterSeconds}) must be longer than ALCOVE_LOCK_AFTER_SECONDS (${lockAfterSeconds})`
		);
	}
	return {
		homeserverUrl: readHomeserverUrl(env),
		lockAfterSeconds,
		signOutAfterSeconds,
		deviceIsolation: readDeviceIsolation(env)
	};
}
