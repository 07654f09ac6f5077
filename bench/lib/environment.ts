/** The machine and software versions a run measures, recorded with its figures. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../scripts/lib/project.ts';
import { synapsePython } from '../../scripts/lib/synapse-venv.ts';
import type { Environment } from './report-types.ts';
import { median } from './stats.ts';

function packageVersion(name: string): string {
	try {
		const file = path.join(projectRoot, 'node_modules', name, 'package.json');
		return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
	} catch {
		return 'not installed';
	}
}

function commandOutput(command: string, args: string[]): string | undefined {
	try {
		return execFileSync(command, args, { cwd: projectRoot, encoding: 'utf8' }).trim();
	} catch {
		return undefined;
	}
}

function synapseVersion(): string {
	// Synapse appends git details when it sits in a git checkout; keep the number.
	const output = commandOutput(synapsePython, ['-c', 'import synapse; print(synapse.__version__)']);
	return output?.split(' ')[0] ?? 'unknown';
}

function gitCommit(): string {
	const commit = commandOutput('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown';
	const status = commandOutput('git', ['status', '--porcelain', '--untracked-files=no']);
	return status ? `${commit} with uncommitted changes` : commit;
}

/** Reads the machine facts and versions; `chromiumVersion` comes from the launched browser. */
export function readEnvironment(
	chromiumVersion: string,
	loadAtStart: number,
	loadSamples: readonly number[] = []
): Environment {
	const samples = [...loadSamples, os.loadavg()[0] ?? 0];
	return {
		cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
		cores: os.cpus().length,
		memoryGB: os.totalmem() / 1e9,
		os: `${os.type()} ${os.release()}`,
		loadAverage: {
			start: loadAtStart,
			end: os.loadavg()[0] ?? 0,
			median: median(samples),
			max: Math.max(...samples)
		},
		versions: {
			Node: process.version,
			Chromium: chromiumVersion,
			Synapse: synapseVersion(),
			'matrix-js-sdk': packageVersion('matrix-js-sdk'),
			'matrix-sdk-crypto-wasm': packageVersion('@matrix-org/matrix-sdk-crypto-wasm'),
			'playwright-core': packageVersion('playwright-core'),
			Vite: packageVersion('vite'),
			Svelte: packageVersion('svelte')
		},
		gitCommit: gitCommit()
	};
}
