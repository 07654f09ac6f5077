/**
 * Scenario 3: bundle. Which JavaScript, CSS and WASM files the browser
 * fetches for the first screen (/login, empty cache) and which after
 * sign-in, from the browser's network log. Sizes are those of the files in
 * build/client: raw, and gzip computed here with zlib at level 9.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request } from 'playwright-core';
import { projectRoot } from '../../scripts/lib/project.ts';
import {
	openProbedPage,
	readMarks,
	signInThroughForm,
	signOutThroughApp,
	waitForQuietDom
} from '../lib/browser.ts';
import type { ScenarioResult } from '../lib/report-types.ts';
import { measuredResult, MetricRecorder, type Scenario } from '../lib/scenario.ts';
import type { Account } from '../lib/seeding.ts';
import type { BenchWorld } from '../lib/world.ts';

type AssetKind = 'js' | 'css' | 'wasm';
type Phase = 'first screen' | 'after sign-in';

interface FetchedAsset {
	file: string;
	kind: AssetKind;
	phase: Phase;
	/** Milliseconds from the sign-in click to the request, for requests after it. */
	startAfterClickMs?: number;
	/** Milliseconds from the request to the end of the response. */
	durationMs: number;
}

const clientDir = path.join(projectRoot, 'build', 'client');
const sizeCache = new Map<string, { raw: number; gzip: number }>();

/** Raw and gzip (zlib level 9) size of a file in build/client, in bytes. */
function fileSizes(file: string): { raw: number; gzip: number } {
	let sizes = sizeCache.get(file);
	if (!sizes) {
		const absolute = path.join(clientDir, file);
		sizes = {
			raw: statSync(absolute).size,
			gzip: gzipSync(readFileSync(absolute), { level: 9 }).length
		};
		sizeCache.set(file, sizes);
	}
	return sizes;
}

function assetKind(pathname: string): AssetKind | undefined {
	if (pathname.endsWith('.js')) return 'js';
	if (pathname.endsWith('.css')) return 'css';
	if (pathname.endsWith('.wasm')) return 'wasm';
	return undefined;
}

/** Sum of the sizes of the assets of one kind and phase, in kB. */
function totalKB(
	assets: readonly FetchedAsset[],
	phase: Phase,
	kind: AssetKind,
	size: 'raw' | 'gzip'
): number {
	const files = new Set(
		assets
			.filter((asset) => asset.phase === phase && asset.kind === kind)
			.map((asset) => asset.file)
	);
	let bytes = 0;
	for (const file of files) bytes += fileSizes(file)[size];
	return bytes / 1000;
}

/** One empty-cache visit: the first screen, then sign-in; returns the fetched assets and timings. */
async function visit(
	world: BenchWorld,
	visitor: Account
): Promise<{
	assets: FetchedAsset[];
	firstPaintMs: number;
	formReadyMs: number;
	/** From the sign-in click to the first screen after it. */
	signInMs: number;
	/** From the sign-in click to the conversations, through the new-device screen. */
	unlockedMs: number;
}> {
	const context = await world.newContext();
	try {
		const page = await openProbedPage(context);
		let phase: Phase = 'first screen';
		/** When the sign-in button was clicked, for the request start times after it. */
		const signIn: { clickedAt?: number } = {};
		const origin = new URL(world.webUrl).origin;
		const pending: Promise<void>[] = [];
		const assets: FetchedAsset[] = [];
		const requestPhases = new Map<Request, { phase: Phase; startedAt: number }>();
		page.on('request', (request) => requestPhases.set(request, { phase, startedAt: Date.now() }));
		page.on('requestfinished', (request) => {
			const url = new URL(request.url());
			const kind = assetKind(url.pathname);
			if (url.origin !== origin || !kind) return;
			const started = requestPhases.get(request) ?? { phase, startedAt: Date.now() };
			pending.push(
				(async () => {
					const timing = request.timing();
					assets.push({
						file: decodeURIComponent(url.pathname).replace(/^\//, ''),
						kind,
						phase: started.phase,
						startAfterClickMs:
							signIn.clickedAt === undefined || started.phase === 'first screen'
								? undefined
								: started.startedAt - signIn.clickedAt,
						durationMs:
							timing.responseEnd >= 0 ? timing.responseEnd : Date.now() - started.startedAt
					});
				})()
			);
		});

		await page.goto('/login');
		await page.getByRole('button', { name: 'Sign in' }).waitFor();
		const formReadyMs = await page.evaluate(() => performance.now());
		await page.waitForLoadState('networkidle');
		await waitForQuietDom(page, 1_000, 10_000);
		const firstPaintMs = await page.evaluate(
			() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN
		);

		const outcome = await signInThroughForm(page, visitor, {
			beforeSubmit: () => {
				phase = 'after sign-in';
				signIn.clickedAt = Date.now();
			}
		});
		const shownAt = await page.evaluate(() => performance.now());
		const marks = await readMarks(page);
		await page.waitForLoadState('networkidle');
		await waitForQuietDom(page, 1_000, 10_000);
		await Promise.all(pending);
		// Sign out, so the visitor's devices do not pile up over the runs.
		await signOutThroughApp(page);
		return {
			assets,
			firstPaintMs,
			formReadyMs,
			signInMs: outcome.firstScreenAt - (marks.signInClick ?? Number.NaN),
			unlockedMs: shownAt - (marks.signInClick ?? Number.NaN)
		};
	} finally {
		await context.close();
	}
}

async function run(world: BenchWorld): Promise<ScenarioResult> {
	const started = Date.now();
	// Signed in once beforehand, so every measured visit is a further device
	// and shows the same screens (the app's new-device screen).
	const { account: visitor } = await world.signedInAccount('visitor');
	const recorder = new MetricRecorder();
	let lastAssets: FetchedAsset[] = [];

	for (let runIndex = 1; runIndex <= world.sizes.runs; runIndex++) {
		world.log(
			`bundle: run ${runIndex}/${world.sizes.runs}, empty-cache visit to /login and sign-in`
		);
		const { assets, firstPaintMs, formReadyMs, signInMs, unlockedMs } = await visit(world, visitor);
		lastAssets = assets;
		recorder.record(
			'first-js-gzip',
			'First screen: JavaScript, gzip',
			'kB',
			totalKB(assets, 'first screen', 'js', 'gzip')
		);
		recorder.record(
			'first-js-raw',
			'First screen: JavaScript, raw',
			'kB',
			totalKB(assets, 'first screen', 'js', 'raw')
		);
		recorder.record(
			'first-css-gzip',
			'First screen: CSS, gzip',
			'kB',
			totalKB(assets, 'first screen', 'css', 'gzip')
		);
		recorder.record(
			'first-css-raw',
			'First screen: CSS, raw',
			'kB',
			totalKB(assets, 'first screen', 'css', 'raw')
		);
		recorder.record(
			'first-wasm-raw',
			'First screen: WASM, raw',
			'kB',
			totalKB(assets, 'first screen', 'wasm', 'raw')
		);
		recorder.record(
			'first-wasm-gzip',
			'First screen: WASM, gzip',
			'kB',
			totalKB(assets, 'first screen', 'wasm', 'gzip')
		);
		recorder.record(
			'after-js-gzip',
			'After sign-in: JavaScript, gzip',
			'kB',
			totalKB(assets, 'after sign-in', 'js', 'gzip')
		);
		recorder.record(
			'after-wasm-gzip',
			'After sign-in: WASM, gzip',
			'kB',
			totalKB(assets, 'after sign-in', 'wasm', 'gzip')
		);
		recorder.record(
			'after-wasm-raw',
			'After sign-in: WASM, raw',
			'kB',
			totalKB(assets, 'after sign-in', 'wasm', 'raw')
		);
		recorder.record(
			'wasm-prefetched',
			'Crypto WASM requested before sign-in (1 = yes)',
			'count',
			assets.some((asset) => asset.kind === 'wasm' && asset.phase === 'first screen') ? 1 : 0
		);
		recorder.record('first-paint', 'First contentful paint of /login', 'ms', firstPaintMs);
		recorder.record('form-ready', 'Sign-in form ready', 'ms', formReadyMs);
		recorder.record('sign-in', 'Sign-in click to the new-device screen', 'ms', signInMs);
		recorder.record(
			'unlocked',
			'Sign-in click to the conversations, recovery key typed at once',
			'ms',
			unlockedMs
		);
		const wasm = assets.find((asset) => asset.kind === 'wasm' && asset.phase === 'after sign-in');
		if (wasm?.startAfterClickMs !== undefined) {
			recorder.record('wasm-start', 'Sign-in click to WASM request', 'ms', wasm.startAfterClickMs);
			recorder.record('wasm-fetch', 'WASM request to response end', 'ms', wasm.durationMs);
		}
	}

	const fileRows = (phase: Phase): (string | number)[][] =>
		[...new Set(lastAssets.filter((asset) => asset.phase === phase).map((asset) => asset.file))]
			.map((file) => ({ file, sizes: fileSizes(file) }))
			.sort((a, b) => b.sizes.gzip - a.sizes.gzip)
			.slice(0, 12)
			.map(({ file, sizes }) => [
				file,
				(sizes.raw / 1000).toFixed(1),
				(sizes.gzip / 1000).toFixed(1)
			]);

	return measuredResult(bundleScenario, started, {
		parameters: { runs: world.sizes.runs, cache: 'empty (new browser context per run)' },
		recorder,
		targets: [
			{
				id: 'first-screen-js',
				label: 'First screen under 300 kB of gzip JavaScript',
				metricId: 'first-js-gzip',
				comparison: 'at-most',
				limit: 300
			},
			{
				id: 'wasm-parallel',
				label: 'Crypto WASM fetched in parallel, before sign-in',
				metricId: 'wasm-prefetched',
				comparison: 'at-least',
				limit: 1
			}
		],
		notes: [
			"Files are those the browser requested from the app's origin, by extension (.js, .css, .wasm); their sizes are read from build/client, gzip computed with zlib at level 9. The server may send Brotli, which is smaller.",
			'"First screen" is everything requested from opening /login until the network and the DOM were quiet; "after sign-in" is everything requested from the sign-in click until the conversations were shown and quiet (the account was signed in once before the runs, so each visit goes through the new-device screen and the key-backup restore).',
			'"In parallel" is judged as: the WASM request starts while the sign-in form is shown, before the click, so its download overlaps the user typing rather than following the click.',
			'Sizes do not vary between runs; the timings do.'
		],
		tables: [
			{
				title: 'Largest files of the first screen',
				columns: ['File', 'Raw kB', 'Gzip kB'],
				rows: fileRows('first screen')
			},
			{
				title: 'Largest files loaded after sign-in',
				columns: ['File', 'Raw kB', 'Gzip kB'],
				rows: fileRows('after sign-in')
			}
		]
	});
}

export const bundleScenario: Scenario = { id: 'bundle', title: 'Bundle', run };
