/**
 * Scenario 4: long history. A care room with many encrypted messages; the
 * therapist opens it and scrolls back until a given number of older
 * messages are decrypted and shown. Pagination is driven the way a person
 * drives it: scrolling the timeline to its top, which the app's
 * IntersectionObserver turns into a request for the previous page.
 */
import type { Page } from 'playwright-core';
import { openProbedPage, profilePhase, waitForQuietDom } from '../lib/browser.ts';
import { pollUntil } from '../lib/concurrency.ts';
import { messageBodies } from '../lib/message-corpus.ts';
import type { ProbeState } from '../lib/page-probe.ts';
import type { ProfileSummary, ScenarioResult } from '../lib/report-types.ts';
import { measuredResult, MetricRecorder, type Scenario } from '../lib/scenario.ts';
import {
	createJoinedCareRoom,
	sendMessages,
	startSeedingClient,
	stopSeedingClient
} from '../lib/seeding.ts';
import { distribution, medianSeries } from '../lib/stats.ts';
import type { BenchWorld } from '../lib/world.ts';

const SEND_CONCURRENCY = 16;
const PAGING_LIMIT_MS = 240_000;
/** Time bound of the profiled pass after a missed target. */
const PROFILE_LIMIT_MS = 60_000;
const LONG_FRAME_MS = 50;

/** Measurements of one back-pagination pass inside the page. */
interface PagingResult {
	pages: { ms: number; added: number }[];
	totalMs: number;
	decrypted: number;
	undecryptable: number;
	frameGaps: number[];
	longTasks: { start: number; duration: number }[];
	reachedStart: boolean;
}

/**
 * Scrolls the timeline to its top until `target` more decrypted messages are
 * shown, the room's start is reached, or time runs out. Runs in the page.
 */
function pageBackInPage({
	target,
	maxPages,
	maxMs
}: {
	target: number;
	maxPages: number;
	maxMs: number;
}): Promise<PagingResult> {
	const probe = (
		window as unknown as {
			__alcoveBench: ProbeState & { startFrames(): void; stopFrames(): number[] };
		}
	).__alcoveBench;
	const scroller = document.querySelector('[data-testid=timeline]') as HTMLElement;
	const count = (): number => scroller.querySelectorAll('[data-testid=message-body]').length;
	// The timeline's first child contains "Loading earlier messages…" or the start notice.
	const text = (): string => scroller.firstElementChild?.textContent ?? '';
	const busy = (): boolean =>
		!!scroller.querySelector('[data-testid=decrypting]') || text().includes('Loading earlier');
	const atStart = (): boolean => text().includes('start of the conversation');
	const initial = count();
	const pages: { ms: number; added: number }[] = [];
	const started = performance.now();
	probe.startFrames();

	const waitForPage = (before: number): Promise<void> =>
		new Promise((resolve) => {
			let lastNudge = performance.now();
			const check = (): void => {
				const now = performance.now();
				if ((count() > before && !busy()) || atStart() || now - started > maxMs) {
					resolve();
					return;
				}
				// The observer fires only when the top comes into view, so a page that
				// left the top in view needs the top to leave and come back.
				if (now - lastNudge > 2_000 && !busy()) {
					scroller.scrollTop = 400;
					requestAnimationFrame(() => (scroller.scrollTop = 0));
					lastNudge = now;
				}
				requestAnimationFrame(check);
			};
			check();
		});

	return (async () => {
		while (
			count() - initial < target &&
			pages.length < maxPages &&
			!atStart() &&
			performance.now() - started < maxMs
		) {
			const before = count();
			const pageStart = performance.now();
			scroller.scrollTop = 0;
			await waitForPage(before);
			pages.push({ ms: performance.now() - pageStart, added: count() - before });
		}
		const totalMs = performance.now() - started;
		const frameGaps = probe.stopFrames();
		return {
			pages,
			totalMs,
			decrypted: count() - initial,
			undecryptable: scroller.querySelectorAll('[data-testid=undecryptable]').length,
			frameGaps,
			longTasks: probe.longTasks.filter((task) => task.start >= started),
			reachedStart: atStart()
		};
	})();
}

/** Opens the history room in a new tab and waits for its newest messages. */
async function openRoom(world: BenchWorld, roomId: string): Promise<Page> {
	const therapist = await world.therapist();
	const page = await openProbedPage(therapist.context);
	try {
		await page.goto(`/rooms/${encodeURIComponent(roomId)}`);
		await page.getByTestId('message-body').nth(4).waitFor({ timeout: 120_000 });
		await pollUntil(
			'the newest messages to be decrypted',
			async () => ((await page.getByTestId('decrypting').count()) === 0 ? true : undefined),
			{ timeoutMs: 60_000, intervalMs: 100 }
		);
		await waitForQuietDom(page, 500, 10_000);
		return page;
	} catch (error) {
		const shown = await describePage(page);
		await page.close().catch(() => undefined);
		throw new Error(`Opening the history room failed (${shown})`, { cause: error });
	}
}

/** What the page shows, for the error of a room that did not open: counts and headings only. */
async function describePage(page: Page): Promise<string> {
	try {
		return await page.evaluate(() => {
			const count = (selector: string): number => document.querySelectorAll(selector).length;
			const headings = [...document.querySelectorAll('h1, h2, [role=status], [role=alert]')]
				.map((element) => element.textContent?.trim().slice(0, 60))
				.filter(Boolean)
				.join(' / ');
			return `${location.pathname}: ${count('[data-testid=message-body]')} message bodies, ${count('[data-testid=decrypting]')} decrypting, ${count('[data-testid=undecryptable]')} undecryptable; headings and status: ${headings || 'none'}`;
		});
	} catch (error) {
		return `the page could not be read: ${String(error)}`;
	}
}

/** Sends the history from the therapist's and the client's seeding devices, alternating. */
async function seedHistory(world: BenchWorld): Promise<string> {
	const therapist = await world.therapist();
	const client = await world.client();
	const count = world.sizes.historyMessages;
	const therapistDevice = await startSeedingClient(world.synapse, therapist.account);
	try {
		const roomId = await createJoinedCareRoom(world.synapse, therapistDevice, client.account);
		const clientDevice = await startSeedingClient(world.synapse, client.account);
		try {
			await pollUntil(
				'the client device to see the history room',
				() => (clientDevice.getRoom(roomId) ? true : undefined),
				{ timeoutMs: 60_000 }
			);
			const seedStart = Date.now();
			await sendMessages(
				[therapistDevice, clientDevice],
				roomId,
				messageBodies(count, 4, 'History'),
				SEND_CONCURRENCY,
				(sent) =>
					world.log(
						`long history: seeded ${sent}/${count} messages (${((sent / (Date.now() - seedStart)) * 1000).toFixed(0)} per second)`
					)
			);
		} finally {
			await stopSeedingClient(clientDevice);
		}
		return roomId;
	} finally {
		await stopSeedingClient(therapistDevice);
	}
}

async function run(world: BenchWorld): Promise<ScenarioResult> {
	const started = Date.now();
	const { runs, historyMessages, historyPageBack } = world.sizes;
	world.log(`long history: seeding ${historyMessages} encrypted messages`);
	const seedStart = Date.now();
	const roomId = await seedHistory(world);
	const seedSeconds = (Date.now() - seedStart) / 1000;

	// One unmeasured visit takes in the room keys that arrived while seeding.
	await (await openRoom(world, roomId)).close();

	const recorder = new MetricRecorder();
	const pageSeries: number[][] = [];
	const maxPages = Math.ceil(historyPageBack / 10);
	let undecryptable = 0;
	let reachedStart = false;
	for (let runIndex = 1; runIndex <= runs; runIndex++) {
		world.log(
			`long history: run ${runIndex}/${runs}, paging back through ${historyPageBack} messages`
		);
		const page = await openRoom(world, roomId);
		let result: PagingResult;
		try {
			result = await page.evaluate(pageBackInPage, {
				target: historyPageBack,
				maxPages,
				maxMs: PAGING_LIMIT_MS
			});
		} finally {
			await page.close();
		}
		if (result.pages.length === 0) throw new Error('Back-pagination loaded no page');
		const pageTimes = distribution(result.pages.map((entry) => entry.ms));
		recorder.record(
			'decrypt-rate',
			'Messages decrypted and shown per second',
			'msg/s',
			result.decrypted / (result.totalMs / 1000)
		);
		recorder.record('page-p50', 'Time per page p50', 'ms', pageTimes.p50);
		recorder.record('page-p95', 'Time per page p95', 'ms', pageTimes.p95);
		recorder.record('page-max', 'Time per page max', 'ms', pageTimes.max);
		recorder.record(
			'total',
			`Time to page back ${historyPageBack} messages`,
			's',
			result.totalMs / 1000
		);
		recorder.record(
			'long-frames',
			`Frames over ${LONG_FRAME_MS} ms while paging`,
			'count',
			result.frameGaps.filter((gap) => gap > LONG_FRAME_MS).length
		);
		recorder.record('long-tasks', 'Long tasks while paging', 'count', result.longTasks.length);
		recorder.record(
			'long-task-time',
			'Time in long tasks while paging',
			'ms',
			result.longTasks.reduce((sum, task) => sum + task.duration, 0)
		);
		pageSeries.push(result.pages.map((entry) => entry.ms));
		undecryptable = Math.max(undecryptable, result.undecryptable);
		reachedStart ||= result.reachedStart;
	}

	const outcome = measuredResult(longHistoryScenario, started, {
		parameters: {
			messages: historyMessages,
			'paged back': historyPageBack,
			runs,
			'seeding took (s)': Math.round(seedSeconds)
		},
		recorder,
		targets: [
			{
				id: 'decrypt-rate',
				label: 'Back-pagination decrypts at least 1,000 messages per second',
				metricId: 'decrypt-rate',
				comparison: 'at-least',
				limit: 1000
			}
		],
		series: [
			{
				id: 'pages',
				label: 'Time per page of back-pagination (median over runs)',
				unit: 'ms',
				xLabel: 'page (the app asks for 30 events a page)',
				values: medianSeries(pageSeries)
			}
		],
		notes: [
			`The room's ${historyMessages.toLocaleString('en-US')} messages were sent by the therapist's and the client's Node seeding devices, ${SEND_CONCURRENCY} at a time, with real Megolm encryption (a new session every 100 messages, the default rotation).`,
			'Each run opens the room in a new tab (the timeline starts with the initial sync\'s newest events), then scrolls to the top of the timeline until enough older messages are decrypted and shown; a page counts as done when the new messages are in the DOM and none shows "Decrypting…".',
			'Decryption rate = decrypted messages shown ÷ wall time of the whole pass, so it includes the /messages requests and rendering, which is what a reader waits for.',
			`Frame gaps are measured with requestAnimationFrame in the page; long tasks with a PerformanceObserver.${undecryptable > 0 ? ` ${undecryptable} message(s) stayed undecryptable.` : ''}${reachedStart ? ' A run reached the start of the room before the target count.' : ''}`
		]
	});

	if (outcome.targets.some((target) => !target.met)) {
		world.log('long history: target missed; profiling one more pass of 300 messages');
		outcome.profiles.push(await profilePaging(world, roomId));
	}
	return outcome;
}

async function profilePaging(world: BenchWorld, roomId: string): Promise<ProfileSummary> {
	const page = await openRoom(world, roomId);
	try {
		const target = Math.min(300, world.sizes.historyPageBack);
		return await profilePhase(
			page,
			`back-pagination of ${target} messages, therapist's browser`,
			async () => {
				await page.evaluate(pageBackInPage, { target, maxPages: 60, maxMs: PROFILE_LIMIT_MS });
			}
		);
	} finally {
		await page.close();
	}
}

export const longHistoryScenario: Scenario = { id: 'long-history', title: 'Long history', run };
