// `npm test`: every check of the project, in order, against real components.
// Each step runs even when an earlier one failed, so one run reports all
// problems; the exit status is non-zero if any step failed.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureChromium } from './lib/chromium.ts';
import { ensureDebianPrograms } from './lib/debian.ts';
import { ensureNpmDependencies, npmBin, projectRoot, run } from './lib/project.ts';
import { ensureSynapseVenv } from './lib/synapse-venv.ts';

const resultsDir = path.join(projectRoot, 'test-results');

interface Step {
	name: string;
	command: string;
	args: string[];
	/** JSON report from which passed and failed test counts are read. */
	report?: { file: string; format: 'vitest' | 'playwright' };
}

interface Counts {
	passed: number;
	failed: number;
	skipped: number;
}

function vitestStep(project: string): Step {
	const file = path.join(resultsDir, `vitest-${project}.json`);
	return {
		name: `${project} tests`,
		command: npmBin('vitest'),
		args: [
			'run',
			'--project',
			project,
			'--reporter=default',
			'--reporter=json',
			`--outputFile.json=${file}`
		],
		report: { file, format: 'vitest' }
	};
}

const steps: Step[] = [
	{ name: 'type check', command: 'npm', args: ['run', '--silent', 'check'] },
	{ name: 'lint', command: 'npm', args: ['run', '--silent', 'lint'] },
	vitestStep('unit'),
	vitestStep('integration'),
	{ name: 'build', command: npmBin('vite'), args: ['build', '--logLevel', 'warn'] },
	{
		name: 'browser tests',
		command: npmBin('playwright'),
		args: ['test'],
		report: { file: path.join(resultsDir, 'playwright.json'), format: 'playwright' }
	},
	{
		// Every benchmark scenario once with tiny sizes, so the benchmarks cannot
		// rot; it asserts no timing and writes only bench/results/runs/quick.*.
		name: 'quick benchmark',
		command: process.execPath,
		args: [path.join(projectRoot, 'scripts', 'bench.ts'), '--quick']
	}
];

function readCounts(report: NonNullable<Step['report']>): Counts | undefined {
	if (!existsSync(report.file)) return undefined;
	const json = JSON.parse(readFileSync(report.file, 'utf8'));
	if (report.format === 'vitest') {
		return {
			passed: json.numPassedTests,
			failed: json.numFailedTests,
			skipped: json.numPendingTests + json.numTodoTests
		};
	}
	return {
		passed: json.stats.expected,
		failed: json.stats.unexpected + json.stats.flaky,
		skipped: json.stats.skipped
	};
}

await ensureNpmDependencies();
await ensureSynapseVenv();
await ensureChromium();
// docker-compose validates docker-compose.yml without a Docker engine.
await ensureDebianPrograms([{ program: 'docker-compose', package: 'docker-compose' }]);
mkdirSync(resultsDir, { recursive: true });

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const failedSteps: string[] = [];
// A failed step that left no test report (type check, lint, build, or a
// runner that crashed) counts as one failed test, so the closing line cannot
// claim a clean run.
let failedWithoutReport = 0;
for (const step of steps) {
	console.log(`\n=== ${step.name} ===`);
	const started = Date.now();
	if (step.report) rmSync(step.report.file, { force: true });
	try {
		await run(step.command, step.args);
	} catch (error) {
		failedSteps.push(step.name);
		console.error(`${step.name} failed: ${(error as Error).message}`);
	}
	console.log(`=== ${step.name}: ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
	const counts = step.report && readCounts(step.report);
	if (counts) {
		total.passed += counts.passed;
		total.failed += counts.failed;
		total.skipped += counts.skipped;
	}
	if (failedSteps.at(-1) === step.name && (!counts || counts.failed === 0)) {
		failedWithoutReport += 1;
	}
}

console.log('');
if (failedSteps.length > 0) console.log(`Failed steps: ${failedSteps.join(', ')}`);
const failed = total.failed + failedWithoutReport;
console.log(`test: ${total.passed} passed, ${failed} failed, ${total.skipped} skipped`);
process.exit(failedSteps.length > 0 ? 1 : 0);
