/**
 * Scenario 1: message latency. The therapist's browser sends messages one
 * at a time; each is timed from the Enter key in the therapist's composer to
 * the first animation frame after its decrypted text entered the client's
 * browser. In the same run a bare script sends as many unencrypted messages
 * with `PUT /send` and waits for each on a `/sync` long poll: the floor.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { openProbedPage, profilePhase, waitForQuietDom } from '../lib/browser.ts';
import { TimeoutError, withTimeout } from '../lib/concurrency.ts';
import type { ProbeState } from '../lib/page-probe.ts';
import { FloorReceiver, sendPlainMessage } from '../lib/protocol-floor.ts';
import type { ProfileSummary, ScenarioResult } from '../lib/report-types.ts';
import { measuredResult, MetricRecorder, type Scenario } from '../lib/scenario.ts';
import { joinRoom, matrixRequest, registerAccounts, type Account } from '../lib/seeding.ts';
import { distribution } from '../lib/stats.ts';
import type { BenchWorld } from '../lib/world.ts';

const MESSAGE_TIMEOUT_MS = 20_000;
/** A run stops early after this many messages that never arrived. */
const MAX_TIMEOUTS = 3;
/** Messages sent under the profiler after a missed target; `--quick` sends fewer. */
const PROFILED_MESSAGES = { full: 30, quick: 5 };

/** The therapist's and the client's pages on the care room, with arrival times from the client's. */
interface BrowserPair {
	sender: Page;
	receiver: Page;
	/** Resolves when the receiver shows `text`, with the epoch time in the page. */
	seen(text: string): Promise<number>;
	close(): Promise<void>;
}

async function openBrowserPair(world: BenchWorld, roomId: string): Promise<BrowserPair> {
	const therapist = await world.therapist();
	const client = await world.client();
	const arrivals = new Map<string, number>();
	const waiters = new Map<string, (epochMs: number) => void>();

	const sender = await openProbedPage(therapist.context);
	const receiver = await openProbedPage(client.context, { reportMessages: true });
	await receiver.exposeBinding('__alcoveBenchSeen', (_source, text: string, epochMs: number) => {
		arrivals.set(text, epochMs);
		waiters.get(text)?.(epochMs);
		waiters.delete(text);
	});
	const roomPath = `/rooms/${encodeURIComponent(roomId)}`;
	await Promise.all([sender.goto(roomPath), receiver.goto(roomPath)]);
	await sender.getByLabel('Message').waitFor({ timeout: 60_000 });
	await receiver.getByTestId('message-body').first().waitFor({ timeout: 60_000 });
	// Let both finish their first sync and rendering before anything is timed.
	await Promise.all([waitForQuietDom(sender, 500, 10_000), waitForQuietDom(receiver, 500, 10_000)]);

	return {
		sender,
		receiver,
		seen(text) {
			const known = arrivals.get(text);
			if (known !== undefined) return Promise.resolve(known);
			return new Promise((resolve) => waiters.set(text, resolve));
		},
		async close() {
			await Promise.all([sender.close(), receiver.close()]);
		}
	};
}

/** Sends `texts` one at a time from the therapist's composer; returns the latency of each that arrived. */
async function sendThroughApp(
	pair: BrowserPair,
	texts: readonly string[]
): Promise<{ latencies: number[]; timeouts: number }> {
	const composer = pair.sender.getByLabel('Message');
	const arrived: { text: string; seenAt: number }[] = [];
	let timeouts = 0;
	for (const text of texts) {
		const seen = pair.seen(text);
		await composer.fill(text);
		await composer.press('Enter');
		try {
			arrived.push({
				text,
				seenAt: await withTimeout(seen, MESSAGE_TIMEOUT_MS, `"${text}" at the client`)
			});
		} catch (error) {
			if (!(error instanceof TimeoutError)) throw error;
			timeouts++;
			if (timeouts >= MAX_TIMEOUTS) break;
		}
	}
	const sent = await pair.sender.evaluate(
		() => (window as unknown as { __alcoveBench: ProbeState }).__alcoveBench.sent
	);
	const latencies = arrived.flatMap(({ text, seenAt }) => {
		const sentAt = sent[text];
		return sentAt === undefined ? [] : [seenAt - sentAt];
	});
	return { latencies, timeouts };
}

/** A room of two fresh accounts for the floor, with both joined. */
async function createFloorRoom(
	world: BenchWorld
): Promise<{ sender: Account; receiver: Account; roomId: string }> {
	const [sender, receiver] = (await registerAccounts(world.synapse, 'floor', 2)) as [
		Account,
		Account
	];
	const { room_id: roomId } = await matrixRequest<{ room_id: string }>(
		world.synapse.baseUrl,
		sender.accessToken,
		'POST',
		'/_matrix/client/v3/createRoom',
		{ preset: 'private_chat', invite: [receiver.userId] }
	);
	await joinRoom(world.synapse.baseUrl, receiver, roomId);
	return { sender, receiver, roomId };
}

/** Sends `texts` one at a time with the bare script; returns the latency of each. */
async function sendThroughFloor(
	world: BenchWorld,
	floor: { sender: Account; receiver: Account; roomId: string },
	texts: readonly string[]
): Promise<number[]> {
	const receiver = new FloorReceiver(world.synapse.baseUrl, floor.receiver, floor.roomId);
	await receiver.start();
	try {
		const latencies: number[] = [];
		for (const text of texts) {
			const arrival = receiver.arrival(text);
			const sentAt = performance.now();
			await sendPlainMessage(
				world.synapse.baseUrl,
				floor.sender,
				floor.roomId,
				randomBytes(8).toString('hex'),
				text
			);
			latencies.push(
				(await withTimeout(arrival, MESSAGE_TIMEOUT_MS, `floor message "${text}"`)) - sentAt
			);
		}
		return latencies;
	} finally {
		await receiver.stop();
	}
}

async function run(world: BenchWorld): Promise<ScenarioResult> {
	const started = Date.now();
	const { runs, latencyMessages } = world.sizes;
	const roomId = await world.careRoomId();
	const floor = await createFloorRoom(world);
	const nonce = randomBytes(3).toString('hex');
	const recorder = new MetricRecorder();
	const notes: string[] = [];
	let totalTimeouts = 0;

	// One message each way first, so that the Olm sessions and the first
	// Megolm key share are set up before anything is timed.
	const warmUp = await openBrowserPair(world, roomId);
	try {
		await sendThroughApp(warmUp, [`Warm-up ${nonce}`]);
	} finally {
		await warmUp.close();
	}
	await sendThroughFloor(world, floor, [`Floor warm-up ${nonce}`]);

	for (let runIndex = 1; runIndex <= runs; runIndex++) {
		world.log(
			`latency: run ${runIndex}/${runs}, ${latencyMessages} messages through the app, then the floor`
		);
		const texts = Array.from(
			{ length: latencyMessages },
			(_, index) => `Latency check ${nonce} run ${runIndex} message ${index + 1}`
		);
		// Fresh pages each run, so every run starts with the same short timeline.
		const pair = await openBrowserPair(world, roomId);
		let app: { latencies: number[]; timeouts: number };
		try {
			app = await sendThroughApp(pair, texts);
		} finally {
			await pair.close();
		}
		totalTimeouts += app.timeouts;
		if (app.latencies.length === 0)
			throw new Error(`No message of run ${runIndex} reached the client's browser`);
		const floorLatencies = await sendThroughFloor(
			world,
			floor,
			texts.map((text) => `Floor ${text}`)
		);

		const appStats = distribution(app.latencies);
		const floorStats = distribution(floorLatencies);
		recorder.record('app-p50', 'App latency p50', 'ms', appStats.p50);
		recorder.record('app-p95', 'App latency p95', 'ms', appStats.p95);
		recorder.record('app-max', 'App latency max', 'ms', appStats.max);
		recorder.record('floor-p50', 'Protocol floor p50', 'ms', floorStats.p50);
		recorder.record('floor-p95', 'Protocol floor p95', 'ms', floorStats.p95);
		recorder.record('floor-max', 'Protocol floor max', 'ms', floorStats.max);
		recorder.record(
			'ratio-p50',
			'App p50 ÷ floor p50 (same run)',
			'ratio',
			appStats.p50 / floorStats.p50
		);
	}
	if (totalTimeouts > 0) {
		notes.push(
			`${totalTimeouts} app message(s) did not reach the client within ${MESSAGE_TIMEOUT_MS / 1000} s and are left out of the figures.`
		);
	}

	const result = measuredResult(latencyScenario, started, {
		parameters: { messages: latencyMessages, runs },
		recorder,
		targets: [
			{
				id: 'latency-ratio',
				label: 'Latency p50 within 1.5× of the protocol floor',
				metricId: 'ratio-p50',
				comparison: 'at-most',
				limit: 1.5
			}
		],
		notes: [
			"App: from the Enter key in the therapist's composer to the first animation frame after the decrypted text entered the client's DOM; both times are read inside the pages (same machine clock). The next message is sent once the previous one has arrived.",
			'Floor: a Node script with no crypto and no interface sends the same number of unencrypted messages with PUT /send and times each until its /sync long poll returns it, on the same Synapse, right after the app in the same run.',
			"Both browsers are reopened at the start of each run, so every run starts from the same short timeline; the app's typing notices and read receipts are part of what it does and stay in.",
			...notes
		]
	});

	if (result.targets.some((target) => !target.met)) {
		world.log(
			`latency: target missed; profiling ${profiledMessages(world)} more messages in both browsers`
		);
		result.profiles.push(...(await profileBoth(world, roomId, nonce)));
	}
	return result;
}

function profiledMessages(world: BenchWorld): number {
	return world.quick ? PROFILED_MESSAGES.quick : PROFILED_MESSAGES.full;
}

async function profileBoth(
	world: BenchWorld,
	roomId: string,
	nonce: string
): Promise<ProfileSummary[]> {
	const count = profiledMessages(world);
	const pair = await openBrowserPair(world, roomId);
	try {
		const texts = Array.from(
			{ length: count },
			(_, index) => `Profiled ${nonce} message ${index + 1}`
		);
		let senderProfile: ProfileSummary | undefined;
		const receiverProfile = await profilePhase(
			pair.receiver,
			`client's browser while receiving ${count} messages`,
			async () => {
				senderProfile = await profilePhase(
					pair.sender,
					`therapist's browser while sending ${count} messages`,
					async () => {
						await sendThroughApp(pair, texts);
					}
				);
			}
		);
		return senderProfile ? [senderProfile, receiverProfile] : [receiverProfile];
	} finally {
		await pair.close();
	}
}

export const latencyScenario: Scenario = { id: 'latency', title: 'Message latency', run };
