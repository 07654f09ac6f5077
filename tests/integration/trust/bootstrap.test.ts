import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	getEncryptionSetup,
	getEncryptionState,
	setUpEncryption
} from '../../../src/lib/matrix/crypto/bootstrap.ts';
import { checkRecoveryKeyFormat } from '../../../src/lib/matrix/crypto/recovery.ts';
import {
	countDecryptionFailures,
	createTrustUser,
	openCareRoom,
	registerDevice,
	sendTexts,
	serverKeyBackup,
	signInNewDevice,
	stopDevices,
	uniqueText,
	waitForBackedUpKeys,
	waitForTexts,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

describe('encryption bootstrap of a new account', () => {
	let therapist: TrustDevice;
	let client: TrustUser;
	let secondDevice: TrustDevice | undefined;
	let recoveryKey: string;
	const passwordPrompts: boolean[] = [];

	beforeAll(async () => {
		therapist = await registerDevice('therapist');
		const result = await setUpEncryption(therapist.matrixClient, {
			requestPassword: async ({ retry }) => {
				passwordPrompts.push(retry);
				return therapist.password;
			}
		});
		if (!result.created) throw new Error('The first set-up should create encryption');
		recoveryKey = result.recoveryKey;
		client = await createTrustUser('client');
	});

	afterAll(() => stopDevices(therapist, client, secondDevice));

	it('reports every part ready', async () => {
		expect(await getEncryptionState(therapist.matrixClient)).toEqual({
			crossSigningReady: true,
			secretStorageReady: true,
			backupActive: true,
			deviceVerified: true
		});
		expect((await getEncryptionSetup(therapist.matrixClient)).setup).toBe('ready');
	});

	it('returns a well-formed recovery key', () => {
		expect(checkRecoveryKeyFormat(recoveryKey)).toBeNull();
		expect(recoveryKey).toMatch(/^(\S{4} ){11}\S{4}$/);
	});

	it('uploads the first cross-signing keys without asking for the password', () => {
		expect(passwordPrompts).toEqual([]);
	});

	it('publishes cross-signing keys and stores every secret', async () => {
		const crypto = therapist.matrixClient.getCrypto();
		const secretStorage = therapist.matrixClient.secretStorage;
		const defaultKeyId = await secretStorage.getDefaultKeyId();

		expect(await crypto?.userHasCrossSigningKeys(therapist.userId, true)).toBe(true);
		expect(await crypto?.getCrossSigningKeyId()).toEqual(expect.any(String));
		expect(defaultKeyId).toEqual(expect.any(String));
		for (const secret of [
			'm.cross_signing.master',
			'm.cross_signing.self_signing',
			'm.cross_signing.user_signing',
			'm.megolm_backup.v1'
		] as const) {
			expect(Object.keys((await secretStorage.isStored(secret)) ?? {}), secret).toEqual([
				defaultKeyId
			]);
		}
	});

	it('creates a trusted server-side key backup', async () => {
		const crypto = therapist.matrixClient.getCrypto();
		const backup = await serverKeyBackup(therapist);
		const info = await crypto?.getKeyBackupInfo();

		expect(backup?.version).toEqual(expect.any(String));
		expect(await crypto?.getActiveSessionBackupVersion()).toBe(backup?.version);
		expect(info?.version).toBe(backup?.version);
		if (!info) return;
		expect(await crypto?.isKeyBackupTrusted(info)).toEqual({
			trusted: true,
			matchesDecryptionKey: true
		});
	});

	it('backs up the keys of a conversation', async () => {
		const roomId = await openCareRoom(therapist, client);
		const texts = [uniqueText('Therapist opening'), uniqueText('Therapist question')];
		await sendTexts(therapist, roomId, texts);

		const bodies = await waitForTexts(client, roomId, texts);

		expect(bodies).toEqual(texts);
		expect(countDecryptionFailures(client.matrixClient, roomId)).toBe(0);
		expect(await waitForBackedUpKeys(therapist, 1)).toBeGreaterThanOrEqual(1);
	});

	it('leaves an account that is set up alone on a second call', async () => {
		const masterKeyBefore = await therapist.matrixClient.getCrypto()?.getCrossSigningKeyId();

		const again = await setUpEncryption(therapist.matrixClient, {
			requestPassword: async () => therapist.password
		});

		expect(again).toMatchObject({ created: false, setup: 'ready' });
		expect(await therapist.matrixClient.getCrypto()?.getCrossSigningKeyId()).toBe(masterKeyBefore);
	});

	it('tells a second device that it needs unlocking, and creates nothing', async () => {
		secondDevice = await signInNewDevice(therapist);
		const masterKeyBefore = await therapist.matrixClient.getCrypto()?.getCrossSigningKeyId();
		const backupBefore = await serverKeyBackup(therapist);

		const setup = await getEncryptionSetup(secondDevice.matrixClient);
		const result = await setUpEncryption(secondDevice.matrixClient, {
			requestPassword: async () => secondDevice?.password ?? null
		});

		expect(setup.setup).toBe('needs_unlock');
		expect(setup.state).toEqual({
			crossSigningReady: false,
			secretStorageReady: true,
			backupActive: false,
			deviceVerified: false
		});
		expect(result).toMatchObject({ created: false, setup: 'needs_unlock' });
		expect(await therapist.matrixClient.getCrypto()?.getCrossSigningKeyId()).toBe(masterKeyBefore);
		expect((await serverKeyBackup(therapist))?.version).toBe(backupBefore?.version);
	});
});
