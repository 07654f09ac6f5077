/**
 * Scenario 7: search. Alcove has no search yet, and the server cannot
 * search encrypted messages, so search has to run on the device. This
 * scenario measures the two implementations in bench/lib/search-index.ts
 * inside the browser, over decrypted message bodies: a linear scan, and an
 * inverted index that the app can adopt.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '../../scripts/lib/project.ts';
import type { ScenarioResult } from '../lib/report-types.ts';
import { measuredResult, MetricRecorder, type Scenario } from '../lib/scenario.ts';
import { distribution } from '../lib/stats.ts';
import type { BenchWorld } from '../lib/world.ts';

/** Queries of known shape: common and rare words, a prefix, several words, and no hit. */
const QUERIES = [
	'feel',
	'pharmacy',
	'anx',
	'sleep tired',
	'mother worried about',
	'session thursday',
	'mindful practice',
	'zebra'
];
const REPEATS = 5;
/** Searches per timed batch. */
const BATCH = 20;

/** Modules served to the page; both have no imports, so stripping the types is all they need. */
const SERVED_MODULES = ['search-index', 'message-corpus'];

interface QueryTiming {
	query: string;
	hits: number;
	indexMs: number;
	scanMs: number;
	agree: boolean;
}

interface InPageResult {
	indexBuildMs: number;
	scanBuildMs: number;
	queries: QueryTiming[];
}

/** Runs in the page: builds both searches over the corpus and times each query. */
async function searchInPage({
	count,
	queries,
	repeats,
	batch
}: {
	count: number;
	queries: string[];
	repeats: number;
	batch: number;
}): Promise<InPageResult> {
	type Search = { search(query: string, limit?: number): number[] };
	const searchModule = (await import(`${location.origin}/__bench/search-index.js`)) as {
		InvertedIndex: new (bodies: string[]) => Search;
		LinearScan: new (bodies: string[]) => Search;
	};
	const corpus = (await import(`${location.origin}/__bench/message-corpus.js`)) as {
		messageBodies(count: number, seed: number, label: string): string[];
	};
	const bodies = corpus.messageBodies(count, 7, 'Message');
	let start = performance.now();
	const index = new searchModule.InvertedIndex(bodies);
	const indexBuildMs = performance.now() - start;
	start = performance.now();
	const scan = new searchModule.LinearScan(bodies);
	const scanBuildMs = performance.now() - start;

	const middle = (values: number[]): number =>
		[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
	const timings: QueryTiming[] = [];
	for (const query of queries) {
		const indexTimes: number[] = [];
		const scanTimes: number[] = [];
		let indexHits: number[] = [];
		let scanHits: number[] = [];
		// The page's clock ticks in 0.1 ms steps (no cross-origin isolation), so
		// each timing is of a batch, divided by its size.
		for (let repeat = 0; repeat < repeats; repeat++) {
			start = performance.now();
			for (let run = 0; run < batch; run++) indexHits = index.search(query, 50);
			indexTimes.push((performance.now() - start) / batch);
			start = performance.now();
			for (let run = 0; run < batch; run++) scanHits = scan.search(query, 50);
			scanTimes.push((performance.now() - start) / batch);
		}
		timings.push({
			query,
			hits: indexHits.length,
			indexMs: middle(indexTimes),
			scanMs: middle(scanTimes),
			agree: indexHits.join() === scanHits.join()
		});
	}
	return { indexBuildMs, scanBuildMs, queries: timings };
}

async function serveModules(page: Page): Promise<void> {
	for (const name of SERVED_MODULES) {
		const source = readFileSync(path.join(projectRoot, 'bench', 'lib', `${name}.ts`), 'utf8');
		const body = stripTypeScriptTypes(source, { mode: 'strip' });
		await page.route(`**/__bench/${name}.js`, (route) =>
			route.fulfill({ status: 200, contentType: 'text/javascript', body })
		);
	}
}

async function run(world: BenchWorld): Promise<ScenarioResult> {
	const started = Date.now();
	const { runs, searchMessages } = world.sizes;
	const recorder = new MetricRecorder();
	let last: InPageResult | undefined;
	for (let runIndex = 1; runIndex <= runs; runIndex++) {
		world.log(
			`search: run ${runIndex}/${runs}, ${QUERIES.length} queries over ${searchMessages} messages in the browser`
		);
		const context = await world.newContext();
		try {
			const page = await context.newPage();
			await serveModules(page);
			// Any page of the app's origin will do: the search runs under its CSP.
			await page.goto('/login');
			const result = await page.evaluate(searchInPage, {
				count: searchMessages,
				queries: QUERIES,
				repeats: REPEATS,
				batch: BATCH
			});
			const disagreeing = result.queries.filter((query) => !query.agree);
			if (disagreeing.length > 0)
				throw new Error(
					`Index and scan returned different hits for: ${disagreeing.map((query) => query.query).join(', ')}`
				);
			const index = distribution(result.queries.map((query) => query.indexMs));
			const scan = distribution(result.queries.map((query) => query.scanMs));
			recorder.record('index-max', 'Inverted index: slowest query', 'ms', index.max);
			recorder.record('index-p50', 'Inverted index: median query', 'ms', index.p50);
			recorder.record('scan-max', 'Linear scan: slowest query', 'ms', scan.max);
			recorder.record('scan-p50', 'Linear scan: median query', 'ms', scan.p50);
			recorder.record(
				'index-build',
				`Inverted index: build over ${searchMessages.toLocaleString('en-US')} messages`,
				'ms',
				result.indexBuildMs
			);
			recorder.record(
				'scan-build',
				'Linear scan: normalise the messages',
				'ms',
				result.scanBuildMs
			);
			last = result;
		} finally {
			await context.close();
		}
	}
	return measuredResult(searchScenario, started, {
		parameters: {
			messages: searchMessages,
			queries: QUERIES.length,
			'repeats per query': REPEATS,
			runs
		},
		recorder,
		targets: [
			{
				id: 'search',
				label: `Search answers within 100 ms over ${searchMessages.toLocaleString('en-US')} messages`,
				metricId: 'index-max',
				comparison: 'at-most',
				limit: 100
			}
		],
		notes: [
			'Alcove has no search yet. Both implementations live in bench/lib/search-index.ts (no imports, so the app can take it as it is): a message matches when every query word starts a word of the message, ignoring case and accents; hits are the newest 50.',
			"They run in the browser page, under the app's Content Security Policy, over message bodies from the benchmark's deterministic corpus: the same kind of text as the seeded history, as the device would hold it after decryption. Decryption itself is measured in the long-history scenario.",
			`Each query is timed in ${REPEATS} batches of ${BATCH} searches (the page's clock has 0.1 ms steps); the median batch time per search is kept; both implementations returned the same hits for every query.`
		],
		tables: last
			? [
					{
						title: 'Queries of the last run',
						columns: ['Query', 'Hits (max 50)', 'Index ms', 'Scan ms'],
						rows: last.queries.map((query) => [
							`"${query.query}"`,
							query.hits,
							query.indexMs.toFixed(2),
							query.scanMs.toFixed(2)
						])
					}
				]
			: []
	});
}

export const searchScenario: Scenario = { id: 'search', title: 'Search', run };
