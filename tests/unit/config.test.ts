import { describe, expect, it } from 'vitest';
import { readClientConfig } from '../../src/lib/config.ts';

describe('readClientConfig', () => {
	it('offers no homeserver when none is configured', () => {
		expect(readClientConfig({}).homeserverUrl).toBeNull();
	});

	it('drops a trailing slash', () => {
		expect(
			readClientConfig({ ALCOVE_HOMESERVER_URL: 'https://m.clinic.example/' }).homeserverUrl
		).toBe('https://m.clinic.example');
	});

	it('locks after 15 minutes and signs out after 8 hours by default', () => {
		expect(readClientConfig({})).toMatchObject({
			lockAfterSeconds: 900,
			signOutAfterSeconds: 28_800
		});
	});

	it.each([['0'], ['-5'], ['1.5'], ['soon']])('rejects a lock limit of %j', (value) => {
		expect(() => readClientConfig({ ALCOVE_LOCK_AFTER_SECONDS: value })).toThrow(
			`ALCOVE_LOCK_AFTER_SECONDS="${value}" must be a whole number of seconds`
		);
	});

	it('rejects a sign-out limit shorter than the lock limit', () => {
		expect(() =>
			readClientConfig({ ALCOVE_LOCK_AFTER_SECONDS: '600', ALCOVE_SIGN_OUT_AFTER_SECONDS: '60' })
		).toThrow('must be longer than ALCOVE_LOCK_AFTER_SECONDS');
	});

	it('names the variable in the error for a bad value', () => {
		expect(() => readClientConfig({ ALCOVE_HOMESERVER_URL: 'clinic' })).toThrow(
			'ALCOVE_HOMESERVER_URL="clinic" is not a URL'
		);
		expect(() => readClientConfig({ ALCOVE_HOMESERVER_URL: 'ftp://clinic' })).toThrow(
			'must start with https:// or http://'
		);
	});

	it('shares keys with all devices unless the practice chooses', () => {
		expect(readClientConfig({}).deviceIsolation).toEqual({
			default: 'all_devices',
			allowWeakerChoice: false
		});
	});

	it('reads a strict practice default', () => {
		const config = readClientConfig({
			ALCOVE_DEVICE_ISOLATION: 'cross_signed_only',
			ALCOVE_ALLOW_WEAKER_DEVICE_ISOLATION: 'true'
		});
		expect(config.deviceIsolation).toEqual({
			default: 'cross_signed_only',
			allowWeakerChoice: true
		});
	});

	it('rejects an unknown device isolation', () => {
		expect(() => readClientConfig({ ALCOVE_DEVICE_ISOLATION: 'verified' })).toThrow(
			'ALCOVE_DEVICE_ISOLATION="verified" must be all_devices or cross_signed_only'
		);
		expect(() => readClientConfig({ ALCOVE_ALLOW_WEAKER_DEVICE_ISOLATION: 'yes' })).toThrow(
			'ALCOVE_ALLOW_WEAKER_DEVICE_ISOLATION="yes" must be true or false'
		);
	});
});
