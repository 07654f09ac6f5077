import { DeviceIsolationModeKind } from 'matrix-js-sdk/lib/crypto-api';
import { describe, expect, it } from 'vitest';
import {
	deviceIsolationMode,
	deviceIsolationPolicySchema,
	effectiveDeviceIsolation,
	type DeviceIsolationPolicy,
	type DeviceIsolationSetting
} from '../../../src/lib/matrix/crypto/device-isolation.ts';

describe('deviceIsolationMode', () => {
	it('shares only with cross-signed devices for cross_signed_only', () => {
		expect(deviceIsolationMode('cross_signed_only').kind).toBe(
			DeviceIsolationModeKind.OnlySignedDevicesIsolationMode
		);
	});

	it('shares with all devices without failing sends for all_devices', () => {
		const mode = deviceIsolationMode('all_devices');

		expect(mode.kind).toBe(DeviceIsolationModeKind.AllDevicesIsolationMode);
		expect(mode).toMatchObject({ errorOnVerifiedUserProblems: false });
	});
});

describe('effectiveDeviceIsolation', () => {
	const strict: DeviceIsolationPolicy = { default: 'cross_signed_only', allowWeakerChoice: false };
	const lenient: DeviceIsolationPolicy = { default: 'cross_signed_only', allowWeakerChoice: true };
	const open: DeviceIsolationPolicy = { default: 'all_devices', allowWeakerChoice: false };

	it.each<[string, DeviceIsolationPolicy, DeviceIsolationSetting | null, DeviceIsolationSetting]>([
		['the default without a choice', strict, null, 'cross_signed_only'],
		['the open default without a choice', open, null, 'all_devices'],
		['a forbidden weaker choice', strict, 'all_devices', 'cross_signed_only'],
		['an allowed weaker choice', lenient, 'all_devices', 'all_devices'],
		['a stricter choice', open, 'cross_signed_only', 'cross_signed_only']
	])('applies %s', (_, policy, choice, expected) => {
		expect(effectiveDeviceIsolation(policy, choice)).toBe(expected);
	});
});

describe('deviceIsolationPolicySchema', () => {
	it('forbids weaker choices unless configured', () => {
		expect(deviceIsolationPolicySchema.parse({ default: 'cross_signed_only' })).toEqual({
			default: 'cross_signed_only',
			allowWeakerChoice: false
		});
	});

	it('rejects an unknown setting', () => {
		expect(deviceIsolationPolicySchema.safeParse({ default: 'verified_only' }).success).toBe(false);
	});
});
