import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventStatus, SyncState, type MatrixEvent } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	findFreePort,
	startSynapse,
	type SynapseServer
} from '../../../scripts/lib/synapse-server.ts';
import { unlockWithRecoveryKey } from '../../../src/lib/matrix/crypto/recovery.ts';
import { waitFor } from '../../support/matrix-users.ts';
import {
	countDecryptionFailures,
	createTrustUser,
	loadWholeTimeline,
	openCareRoom,
	sendTexts,
	signInNewDevice,
	stopDevices,
	uniqueText,
	waitForBackedUpKeys,
	waitForTexts,
	type TestHomeserver,
	type TrustDevice,
	type TrustUser
} from '../../support/trust-helpers.ts';

/** Waits until the device notices that the homeserver is gone. */
async function waitForDisconnect(device: TrustDevice): Promise<void> {
	await waitFor(
		device.matrixClient,
		'the sync to fail',
		() => {
			const state = device.matrixClient.getSyncState();
			return state === SyncState.Error || state === SyncState.Reconnecting ? true : undefined;
		},
		60_000
	);
}

/** Waits until the device syncs again after the connection to the homeserver broke. */
async function waitForReconnect(device: TrustDevice): Promise<void> {
	await waitFor(
		device.matrixClient,
		'the sync to resume',
		() => (device.matrixClient.getSyncState() === SyncState.Syncing ? true : undefined),
		60_000
	);
}

describe('a Synapse restart in the middle of a conversation', () => {
	// This file runs its own Synapse, because stopping the suite's shared one
	// would break every other file. The port stays the same across the restart,
	// because the server name (and so every Matrix ID) contains it.
	let dataDir: string;
	let port: number;
	let synapse: SynapseServer | undefined;
	let homeserver: TestHomeserver;
	let therapist: TrustUser;
	let client: TrustUser;
	let newDevice: TrustDevice | undefined;
	let roomId: string;
	/** The text that was written while the server was down. */
	const duringOutage = uniqueText('Therapist, while the server is down');
	const beforeOutage = [uniqueText('Therapist, before'), uniqueText('Client, before')];
	const afterOutage = [uniqueText('Client, after'), uniqueText('Therapist, after')];
	let failedSend: MatrixEvent | undefined;

	beforeAll(async () => {
		dataDir = mkdtempSync(path.join(tmpdir(), 'alcove-restart-'));
		port = await findFreePort();
		synapse = await startSynapse({ dataDir, port, testOverlay: true });
		homeserver = {
			baseUrl: synapse.baseUrl,
			registrationSharedSecret: synapse.registrationSharedSecret
		};
		therapist = await createTrustUser('therapist', { homeserver });
		client = await createTrustUser('client', { homeserver });
		roomId = await openCareRoom(therapist, client);

		await sendTexts(therapist, roomId, [beforeOutage[0] ?? '']);
		await waitForTexts(client, roomId, [beforeOutage[0] ?? '']);
		await sendTexts(client, roomId, [beforeOutage[1] ?? '']);
		await waitForTexts(therapist, roomId, beforeOutage);
		await waitForBackedUpKeys(therapist, 2);

		await synapse.stop();
		await Promise.all([waitForDisconnect(therapist), waitForDisconnect(client)]);
		await therapist.matrixClient.sendTextMessage(roomId, duringOutage).catch(() => undefined);
		failedSend = therapist.matrixClient
			.getRoom(roomId)
			?.getPendingEvents()
			.find((event) => event.getContent().body === duringOutage);

		synapse = await startSynapse({ dataDir, port, testOverlay: true });
		await Promise.all([waitForReconnect(therapist), waitForReconnect(client)]);
	});

	afterAll(async () => {
		stopDevices(therapist, client, newDevice);
		await synapse?.stop();
		if (dataDir && !process.env.ALCOVE_KEEP_TEST_DATA) {
			rmSync(dataDir, { recursive: true, force: true });
		}
	});

	it('keeps the server name across the restart', () => {
		expect(synapse?.baseUrl).toBe(homeserver.baseUrl);
		expect(synapse?.serverName).toBe(`localhost:${port}`);
	});

	it('marks the message written during the outage as not sent', () => {
		expect(failedSend?.status).toBe(EventStatus.NOT_SENT);
	});

	it('delivers every message once the server is back', async () => {
		if (!failedSend) throw new Error('The message written during the outage is missing');
		const room = therapist.matrixClient.getRoom(roomId);
		if (!room) throw new Error('The therapist lost the room');

		await therapist.matrixClient.resendEvent(failedSend, room);
		await sendTexts(client, roomId, [afterOutage[0] ?? '']);
		await sendTexts(therapist, roomId, [afterOutage[1] ?? '']);
		const all = [...beforeOutage, duringOutage, ...afterOutage];
		const atClient = await waitForTexts(client, roomId, all);
		const atTherapist = await waitForTexts(therapist, roomId, all);

		expect(atClient).toEqual(all);
		expect(atTherapist).toEqual(all);
		expect(countDecryptionFailures(client.matrixClient, roomId)).toBe(0);
		expect(countDecryptionFailures(therapist.matrixClient, roomId)).toBe(0);
	});

	it('keeps the key backup, so a new device reads everything', async () => {
		newDevice = await signInNewDevice(client, { homeserver });

		const result = await unlockWithRecoveryKey(newDevice.matrixClient, newDevice.keyCache, {
			recoveryKey: client.recoveryKey
		});
		await loadWholeTimeline(newDevice.matrixClient, roomId);
		const all = [...beforeOutage, duringOutage, ...afterOutage];
		const bodies = await waitForTexts(newDevice, roomId, all);

		expect(result.backup.status).toBe('restored');
		expect(bodies).toEqual(all);
		expect(countDecryptionFailures(newDevice.matrixClient, roomId)).toBe(0);
	});
});
