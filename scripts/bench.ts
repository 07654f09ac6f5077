// `npm run bench`: measures Alcove's speed and memory against the protocol's
// own floor, in headless Chromium against a fresh Synapse, and writes
// bench/results/latest.{json,md} with SVG charts. `--quick` runs every
// scenario once with tiny sizes (for `npm test`) and writes only to
// bench/results/runs/. No figure is asserted: targets are reported.
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import * as prettier from 'prettier';
import { launchBrowser } from '../bench/lib/browser.ts';
import { withTimeout } from '../bench/lib/concurrency.ts';
import { readEnvironment } from '../bench/lib/environment.ts';
import {
	buildCharts,
	renderConsoleTable,
	renderMarkdown,
	replaceReadmeResults
} from '../bench/lib/markdown-report.ts';
import type { BenchReport, ScenarioResult } from '../bench/lib/report-types.ts';
import { unmeasuredResult } from '../bench/lib/scenario.ts';
import { BenchWorld, FULL_SIZES, QUICK_SIZES } from '../bench/lib/world.ts';
import { scenarios } from '../bench/scenarios/index.ts';
import { setLogLevel, type LogLevel } from '../src/lib/matrix/logger.ts';
import { ensureChromium } from './lib/chromium.ts';
import { npmBin, projectRoot, run } from './lib/project.ts';
import { findFreePort, startSynapse, type SynapseServer } from './lib/synapse-server.ts';
import { ensureSynapseVenv } from './lib/synapse-venv.ts';
import { startWebServer, type WebServer } from './lib/web-server.ts';

const usage = `Usage: npm run bench -- [options]

  --quick          every scenario once with tiny sizes; results go to bench/results/runs/
  --runs N         runs per figure (default 5, or 1 with --quick)
  --only IDS       comma-separated scenario IDs: ${scenarios.map((scenario) => scenario.id).join(', ')}
  --keep-data      keep Synapse's data folder after the run
  --render         measure nothing: write latest.md, the charts and the README's
                   results section again from bench/results/latest.json
  --help           show this text`;

const { values: options } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		runs: { type: 'string' },
		only: { type: 'string' },
		'keep-data': { type: 'boolean', default: false },
		render: { type: 'boolean', default: false },
		help: { type: 'boolean', default: false }
	}
});
if (options.help) {
	console.log(usage);
	process.exit(0);
}

// The seeding devices' SDK warnings (push rules, keys of messages sent before
// a device existed) are expected here; ALCOVE_LOG_LEVEL=warn shows them.
setLogLevel((process.env.ALCOVE_LOG_LEVEL as LogLevel | undefined) ?? 'error');

const quick = options.quick ?? false;
const sizes = { ...(quick ? QUICK_SIZES : FULL_SIZES) };
if (options.runs !== undefined) {
	const runs = Number(options.runs);
	if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
		console.error(`--runs must be a whole number from 1 to 20, got "${options.runs}"`);
		process.exit(2);
	}
	sizes.runs = runs;
}
const selectedIds = options.only
	?.split(',')
	.map((id) => id.trim())
	.filter(Boolean);
const unknownIds =
	selectedIds?.filter((id) => !scenarios.some((scenario) => scenario.id === id)) ?? [];
if (unknownIds.length > 0) {
	console.error(`Unknown scenario ID(s): ${unknownIds.join(', ')}\n\n${usage}`);
	process.exit(2);
}
const selected = scenarios.filter((scenario) => !selectedIds || selectedIds.includes(scenario.id));

/** Time bound of one scenario, seeding included; a scenario over it is reported as failed. */
const scenarioTimeoutMs = quick ? 120_000 : 30 * 60_000;
const resultsDir = path.join(projectRoot, 'bench', 'results');
const runsDir = path.join(resultsDir, 'runs');
const startedAt = Date.now();
const loadAtStart = os.loadavg()[0] ?? 0;

function log(message: string): void {
	const elapsed = Math.round((Date.now() - startedAt) / 1000);
	const stamp = `${String(Math.floor(elapsed / 60)).padStart(2, '0')}:${String(elapsed % 60).padStart(2, '0')}`;
	console.log(`[bench ${stamp}] ${message}`);
}

function newestModification(folder: string): number {
	let newest = 0;
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		const entryPath = path.join(folder, entry.name);
		newest = Math.max(
			newest,
			entry.isDirectory() ? newestModification(entryPath) : statSync(entryPath).mtimeMs
		);
	}
	return newest;
}

/** Builds the client with Vite when build/ is missing or older than src/ or vite.config.ts. */
async function ensureBuild(): Promise<void> {
	const entry = path.join(projectRoot, 'build', 'index.js');
	const sourceTime = Math.max(
		newestModification(path.join(projectRoot, 'src')),
		statSync(path.join(projectRoot, 'vite.config.ts')).mtimeMs
	);
	if (existsSync(entry) && statSync(entry).mtimeMs >= sourceTime) return;
	log('building the client (build/ is missing or older than src/)');
	await run(npmBin('vite'), ['build', '--logLevel', 'warn']);
}

/** A folder on tmpfs when there is one, so the VM's disk latency stays out of the figures. */
function makeDataDir(): string {
	const root = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
	return mkdtempSync(path.join(root, 'alcove-bench-'));
}

/** The 1-minute load average every 15 s during the run: the machine is shared with other work. */
const loadSamples: number[] = [os.loadavg()[0] ?? 0];
const loadSampler = setInterval(() => loadSamples.push(os.loadavg()[0] ?? 0), 15_000);
loadSampler.unref();

function assembleReport(
	results: ScenarioResult[],
	chromiumVersion: string,
	dataFolder: string
): BenchReport {
	return {
		schemaVersion: 1,
		command: [
			'npm run bench',
			...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])
		].join(' '),
		quick,
		runsPerScenario: sizes.runs,
		startedAt: new Date(startedAt).toISOString(),
		durationSeconds: (Date.now() - startedAt) / 1000,
		environment: readEnvironment(chromiumVersion, loadAtStart, loadSamples),
		setup: [
			`Synapse with the test overlay (synapse-config/test-overlay.yaml: rate limits off, bcrypt rounds 4), SQLite, data folder on ${dataFolder.startsWith('/dev/shm') ? "tmpfs (/dev/shm), so the VM disk's fsync latency is not measured" : 'the temporary folder'}.`,
			"The client is the production build (vite build) served by SvelteKit's Node adapter on 127.0.0.1, driven by playwright-core in headless Debian Chromium with a 1280×800 viewport.",
			"Every account that signs in through the browser goes through the app's first-sign-in encryption set-up (cross-signing, secret storage, key backup); a further device of it is unlocked with the recovery key on the app's new-device screen.",
			'Seeded data is sent through the client-server API by Node matrixClients with the same Rust crypto as the app; every browser device exists before the messages it reads are sent, so it holds their keys.'
		],
		scenarios: results
	};
}

/**
 * Puts the scenarios of `run` in place of the same scenarios of `previous`;
 * each keeps a note of the separate run that measured it.
 */
function mergeIntoPrevious(previous: BenchReport, run: BenchReport): BenchReport {
	const separateRun = {
		command: run.command,
		startedAt: run.startedAt,
		runsPerScenario: run.runsPerScenario,
		loadAverage: run.environment.loadAverage,
		gitCommit: run.environment.gitCommit
	};
	const byId = new Map(previous.scenarios.map((scenario) => [scenario.id, scenario]));
	for (const scenario of run.scenarios) byId.set(scenario.id, { ...scenario, separateRun });
	const order = scenarios.map((scenario) => scenario.id);
	return {
		...previous,
		scenarios: [...byId.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
	};
}

async function writeResults(report: BenchReport): Promise<void> {
	mkdirSync(runsDir, { recursive: true });
	const stamp = report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
	if (quick) {
		writeFileSync(path.join(runsDir, 'quick.json'), JSON.stringify(report, null, '\t') + '\n');
		writeFileSync(path.join(runsDir, 'quick.md'), renderMarkdown(report, []));
		log(`wrote ${path.relative(projectRoot, path.join(runsDir, 'quick.json'))} and quick.md`);
		return;
	}
	const jsonFile = path.join(resultsDir, 'latest.json');
	// A run of some scenarios replaces only those in latest.json, so that one
	// scenario can be measured again without running all of them.
	if (selectedIds && existsSync(jsonFile)) {
		report = mergeIntoPrevious(JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchReport, report);
	}
	const charts = buildCharts(report);
	for (const file of readdirSync(resultsDir)) {
		if (file.endsWith('.svg')) rmSync(path.join(resultsDir, file));
	}
	for (const chart of charts) writeFileSync(path.join(resultsDir, chart.file), chart.svg);
	writeFileSync(jsonFile, JSON.stringify(report, null, '\t') + '\n');
	writeFileSync(path.join(resultsDir, 'latest.md'), renderMarkdown(report, charts));
	copyFileSync(jsonFile, path.join(runsDir, `${stamp}.json`));
	const readmeFile = path.join(projectRoot, 'bench', 'README.md');
	if (existsSync(readmeFile)) {
		const section = renderMarkdown(report, charts, { chartPrefix: 'results/', headingLevel: 2 });
		const readme = replaceReadmeResults(readFileSync(readmeFile, 'utf8'), section);
		// Formatted as the rest of the repository, so `prettier --check .` stays clean.
		const config = await prettier.resolveConfig(readmeFile);
		writeFileSync(readmeFile, await prettier.format(readme, { ...config, filepath: readmeFile }));
	}
	log(
		`wrote bench/results/latest.json, latest.md, ${charts.length} charts and the README's results section`
	);
}

if (options.render) {
	const latest = path.join(resultsDir, 'latest.json');
	if (!existsSync(latest)) {
		console.error(`--render needs ${path.relative(projectRoot, latest)}; run npm run bench first`);
		process.exit(2);
	}
	await writeResults(JSON.parse(readFileSync(latest, 'utf8')) as BenchReport);
	process.exit(0);
}

let synapse: SynapseServer | undefined;
let web: WebServer | undefined;
let browser: Browser | undefined;
let world: BenchWorld | undefined;
let dataDir: string | undefined;
let cleaningUp: Promise<void> | undefined;

/** Stops everything this run started, each step on its own so one failure does not skip the rest. */
function cleanUp(): Promise<void> {
	cleaningUp ??= (async () => {
		await world
			?.close()
			.catch((error: unknown) => console.error('Closing browser contexts failed:', error));
		await browser
			?.close()
			.catch((error: unknown) => console.error('Closing Chromium failed:', error));
		await web
			?.stop()
			.catch((error: unknown) => console.error('Stopping the web server failed:', error));
		await synapse
			?.stop()
			.catch((error: unknown) => console.error('Stopping Synapse failed:', error));
		if (dataDir && !options['keep-data']) rmSync(dataDir, { recursive: true, force: true });
		else if (dataDir) log(`kept Synapse's data in ${dataDir}`);
	})();
	return cleaningUp;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		console.error(`\nReceived ${signal}; stopping the servers and the browser`);
		void cleanUp().finally(() => process.exit(130));
	});
}

let exitCode = 0;
try {
	await ensureSynapseVenv();
	await ensureChromium();
	await ensureBuild();

	dataDir = makeDataDir();
	log(`starting Synapse in ${dataDir}`);
	synapse = await startSynapse({ dataDir, testOverlay: true });
	web = await startWebServer({ port: await findFreePort(), homeserverUrl: synapse.baseUrl });
	browser = await launchBrowser();
	world = new BenchWorld({ synapse, webUrl: web.url, browser, sizes, quick, log });

	const results: ScenarioResult[] = [];
	for (const scenario of selected) {
		const scenarioStart = Date.now();
		log(`${scenario.id}: starting (${scenario.title})`);
		let result: ScenarioResult;
		try {
			result = await withTimeout(scenario.run(world), scenarioTimeoutMs, `scenario ${scenario.id}`);
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			console.error(`${scenario.id} failed:`, error);
			result = unmeasuredResult(scenario, 'failed', reason, scenarioStart);
		}
		results.push(result);
		log(`${scenario.id}: ${result.status} in ${result.durationSeconds.toFixed(0)} s`);
		// The figures so far, so that a run stopped early still leaves them behind.
		mkdirSync(runsDir, { recursive: true });
		writeFileSync(
			path.join(runsDir, quick ? 'quick.partial.json' : 'partial.json'),
			JSON.stringify(assembleReport(results, browser.version(), dataDir), null, '\t') + '\n'
		);
	}

	const report = assembleReport(results, browser.version(), dataDir);
	await writeResults(report);
	console.log(`\n${renderConsoleTable(report)}\n`);
	if (results.some((result) => result.status === 'failed')) exitCode = 1;
} catch (error) {
	console.error('The benchmark failed:', error);
	exitCode = 1;
} finally {
	await cleanUp();
}
// The SDK leaves timers behind after stopClient(); nothing else is pending here.
process.exit(exitCode);
