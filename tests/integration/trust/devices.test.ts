import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	deleteOtherDevices,
	listOwnDevices,
	renameDevice
} from '../../../src/lib/matrix/crypto/devices.ts';
import { unlockWithRecoveryKey } from '../../../src/lib/matrix/crypto/recovery.ts';
import {
	createTrustUser,
	signInNewDevice,
	stopDevices,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

describe('own device list', () => {
	let owner: TrustUser;
	let unlocked: TrustDevice;
	let stranger: TrustDevice;

	beforeAll(async () => {
		owner = await createTrustUser('therapist');
		unlocked = await signInNewDevice(owner);
		await unlockWithRecoveryKey(unlocked.matrixClient, unlocked.keyCache, {
			recoveryKey: owner.recoveryKey
		});
		stranger = await signInNewDevice(owner);
	});

	afterAll(() => stopDevices(owner, unlocked, stranger));

	it('lists every device with its verification', async () => {
		const devices = await listOwnDevices(owner.matrixClient);
		const byId = new Map(devices.map((device) => [device.deviceId, device]));

		expect(devices).toHaveLength(3);
		expect(devices[0]?.deviceId).toBe(owner.deviceId);
		expect(byId.get(owner.deviceId)).toMatchObject({ isCurrent: true, verification: 'verified' });
		expect(byId.get(unlocked.deviceId)).toMatchObject({
			isCurrent: false,
			verification: 'verified',
			displayName: 'Alcove test device'
		});
		expect(byId.get(stranger.deviceId)).toMatchObject({
			isCurrent: false,
			verification: 'unverified'
		});
		expect(byId.get(stranger.deviceId)?.lastSeenTs).toEqual(expect.any(Number));
	});

	it('renames a device', async () => {
		await renameDevice(owner.matrixClient, unlocked.deviceId, '  Office laptop  ');
		const devices = await listOwnDevices(owner.matrixClient);

		expect(devices.find((device) => device.deviceId === unlocked.deviceId)?.displayName).toBe(
			'Office laptop'
		);
	});

	it('rejects empty and overlong device names', async () => {
		await expect(renameDevice(owner.matrixClient, unlocked.deviceId, '   ')).rejects.toMatchObject({
			code: 'invalid_device_name'
		});
		await expect(
			renameDevice(owner.matrixClient, unlocked.deviceId, 'x'.repeat(101))
		).rejects.toMatchObject({ code: 'invalid_device_name' });
	});

	it('refuses to remove the current device', async () => {
		await expect(
			deleteOtherDevices(owner.matrixClient, [owner.deviceId], async () => owner.password)
		).rejects.toMatchObject({ code: 'invalid_device' });
	});

	it('removes nothing when the password prompt is cancelled', async () => {
		await expect(
			deleteOtherDevices(owner.matrixClient, [stranger.deviceId], async () => null)
		).rejects.toMatchObject({ code: 'auth_cancelled' });
		const devices = await listOwnDevices(owner.matrixClient);

		expect(devices.map((device) => device.deviceId)).toContain(stranger.deviceId);
	});

	it('asks again after a wrong password, then removes the device', async () => {
		const prompts: boolean[] = [];
		// Stop its sync first; once removed, its access token is no longer valid.
		stopDevices(stranger);

		await deleteOtherDevices(owner.matrixClient, [stranger.deviceId], async ({ retry }) => {
			prompts.push(retry);
			return prompts.length === 1 ? 'not the password' : owner.password;
		});
		const devices = await listOwnDevices(owner.matrixClient);

		expect(prompts).toEqual([false, true]);
		expect(devices.map((device) => device.deviceId)).not.toContain(stranger.deviceId);
		expect(devices).toHaveLength(2);
	});

	it('gives up after three wrong passwords', async () => {
		await expect(
			deleteOtherDevices(owner.matrixClient, [unlocked.deviceId], async () => 'wrong')
		).rejects.toMatchObject({ code: 'wrong_credentials' });
	});
});
