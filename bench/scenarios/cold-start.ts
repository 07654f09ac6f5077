/**
 * Scenario 2: cold start. A returning client opens the care room's address
 * with the session stored in the browser: time to the room list and to the
 * newest message decrypted. A fresh device signs in through the form and is
 * unlocked with the recovery key. It is timed to the room list, to an
 * earlier message decrypted with a key from the key backup, and to the first
 * message that the therapist's device encrypts for it.
 */
import { randomBytes } from 'node:crypto';
import type { MatrixClient } from 'matrix-js-sdk';
import {
	openProbedPage,
	signInThroughForm,
	signOutThroughApp,
	waitForMarks
} from '../lib/browser.ts';
import { pollUntil } from '../lib/concurrency.ts';
import type { ScenarioResult } from '../lib/report-types.ts';
import { measuredResult, MetricRecorder, type Scenario } from '../lib/scenario.ts';
import {
	knownDeviceIds,
	startSeedingClient,
	stopSeedingClient,
	waitForBackedUpKey
} from '../lib/seeding.ts';
import type { BenchWorld } from '../lib/world.ts';

const WAIT_MS = 90_000;

async function measureReload(
	world: BenchWorld,
	roomPath: string,
	newestText: string,
	recorder: MetricRecorder | undefined,
	whileOpen?: () => Promise<void>
): Promise<void> {
	const client = await world.client();
	const page = await openProbedPage(client.context, { roomListCount: 1, messageText: newestText });
	try {
		await page.goto(roomPath);
		const marks = await waitForMarks(page, ['roomList', 'message'], WAIT_MS);
		await whileOpen?.();
		recorder?.record(
			'reload-room-list',
			'Reload: navigation to room list',
			'ms',
			marks.roomList as number
		);
		recorder?.record(
			'reload-message',
			'Reload: navigation to newest message decrypted',
			'ms',
			marks.message as number
		);
	} finally {
		await page.close();
	}
}

async function measureFreshDevice(
	world: BenchWorld,
	therapistDevice: MatrixClient,
	roomId: string,
	text: string,
	historyText: string,
	recorder: MetricRecorder
): Promise<number> {
	const client = await world.client();
	const context = await world.newContext();
	try {
		const page = await openProbedPage(context, {
			roomListCount: 1,
			messageText: text,
			historyText
		});
		const devicesBefore = await knownDeviceIds(therapistDevice, client.account.userId);
		let clickedAt = Number.NaN;
		const signIn = await signInThroughForm(page, client.account, {
			beforeSubmit: () => (clickedAt = Date.now()),
			timeoutMs: WAIT_MS
		});
		await waitForMarks(page, ['roomList'], WAIT_MS);
		await page
			.locator(`[data-testid=room-list-item][href="/rooms/${encodeURIComponent(roomId)}"]`)
			.click();

		// The therapist's device sends once it has the new device's keys, as an
		// attentive therapist's would. This message's key then reaches the new
		// device by to-device message rather than from the backup.
		await pollUntil(
			"the therapist's device to learn of the client's new device",
			async () => {
				const devices = await knownDeviceIds(therapistDevice, client.account.userId);
				return [...devices].some((deviceId) => !devicesBefore.has(deviceId)) ? true : undefined;
			},
			{ timeoutMs: WAIT_MS, intervalMs: 100 }
		);
		const knownAfterMs = Date.now() - clickedAt;
		await therapistDevice.sendTextMessage(roomId, text);
		const marks = await waitForMarks(
			page,
			['signInClick', 'roomList', 'history', 'message'],
			WAIT_MS
		);
		const clicked = marks.signInClick as number;
		recorder.record(
			'fresh-first-screen',
			`Fresh device: sign-in click to the first screen (${signIn.firstScreen})`,
			'ms',
			signIn.firstScreenAt - clicked
		);
		recorder.record(
			'fresh-room-list',
			'Fresh device: sign-in click to room list',
			'ms',
			(marks.roomList as number) - clicked
		);
		recorder.record(
			'fresh-history',
			'Fresh device: sign-in click to an earlier message decrypted (key backup)',
			'ms',
			(marks.history as number) - clicked
		);
		recorder.record(
			'fresh-known',
			"Fresh device: sign-in click to the therapist's device knowing it (Node clock)",
			'ms',
			knownAfterMs
		);
		recorder.record(
			'fresh-message',
			'Fresh device: sign-in click to first decrypted message',
			'ms',
			(marks.message as number) - clicked
		);
		const undecryptable = await page.getByTestId('undecryptable').count();
		await signOutThroughApp(page);
		return undecryptable;
	} finally {
		await context.close();
	}
}

async function run(world: BenchWorld): Promise<ScenarioResult> {
	const started = Date.now();
	const { runs } = world.sizes;
	const roomId = await world.careRoomId();
	const therapist = await world.therapist();
	const roomPath = `/rooms/${encodeURIComponent(roomId)}`;
	const nonce = randomBytes(3).toString('hex');
	const recorder = new MetricRecorder();
	let undecryptableOnFreshDevice = 0;

	const therapistDevice = await startSeedingClient(world.synapse, therapist.account);
	try {
		const newestText = `Cold start check ${nonce}`;
		const { event_id: newestEventId } = await therapistDevice.sendTextMessage(roomId, newestText);
		// One unmeasured load takes in the new keys, as the client's last visit
		// would have, and stays open until the client's device has uploaded
		// the newest key to the key backup, from which fresh devices restore it.
		const client = await world.client();
		await measureReload(world, roomPath, newestText, undefined, () =>
			waitForBackedUpKey(world.synapse.baseUrl, client.account, roomId, newestEventId)
		);
		for (let runIndex = 1; runIndex <= runs; runIndex++) {
			world.log(`cold start: run ${runIndex}/${runs}, reload with a stored session`);
			await measureReload(world, roomPath, newestText, recorder);
		}
		for (let runIndex = 1; runIndex <= runs; runIndex++) {
			world.log(`cold start: run ${runIndex}/${runs}, sign-in on a fresh device`);
			undecryptableOnFreshDevice = await measureFreshDevice(
				world,
				therapistDevice,
				roomId,
				`Fresh device check ${nonce} run ${runIndex}`,
				newestText,
				recorder
			);
		}
	} finally {
		await stopSeedingClient(therapistDevice);
	}

	return measuredResult(coldStartScenario, started, {
		parameters: { runs, 'rooms in the list': 'the care room' },
		recorder,
		notes: [
			'Reload: a new tab of the same browser profile opens /rooms/<care room>; the session and the crypto store come from IndexedDB, and the HTTP cache is warm, as for a returning user. Alcove keeps no sync store, so every start runs an initial /sync. Times are from navigation start, read in the page.',
			"Fresh device: an empty browser profile signs in through the form. The app shows its new-device screen; the benchmark chooses the recovery key, types it (at machine speed, so a person's typing is not in the figures) and the app restores the room keys from the key backup. It then opens the care room from the list and waits for an earlier message, readable only through the backup, and for a message the therapist's device sends once it has learnt of the new device. Times are from the sign-in click, read in the page.",
			`${undecryptableOnFreshDevice} message(s) of the care room showed as undecryptable on the last fresh device after the restore.`
		]
	});
}

export const coldStartScenario: Scenario = { id: 'cold-start', title: 'Cold start', run };
