import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../scripts/lib/project.ts';
import { runSynapsePython } from './synapse-python.ts';

// Synapse ignores configuration keys it does not know, without a warning, so
// a misspelled privacy setting would silently fall back to its default.
// synapse_config_check.py parses each combination of files that a container
// of docker-compose.yml loads with Synapse's own config classes, and reports
// the keys that Synapse never read.
const checker = path.join(import.meta.dirname, 'synapse_config_check.py');
const productionFile = path.join(projectRoot, 'synapse-config', 'production.yaml');
const deployDir = path.join(projectRoot, 'deploy', 'synapse');

function deployFile(name: string): string {
	return path.join(deployDir, name);
}

// The files of each Synapse container, in the order of docker-compose.yml.
// A practice's deployment.yaml starts as a copy of deployment.example.yaml.
const sharedFiles = [
	productionFile,
	deployFile('container.yaml'),
	deployFile('deployment.example.yaml')
];
const combinations = [
	{ name: 'main process', files: [...sharedFiles, deployFile('monolith.yaml')] },
	{ name: 'main process with workers', files: [...sharedFiles, deployFile('workers.yaml')] },
	{
		name: 'generic worker',
		files: [...sharedFiles, deployFile('workers.yaml'), deployFile('generic-worker.yaml')]
	},
	{
		name: 'federation sender',
		files: [...sharedFiles, deployFile('workers.yaml'), deployFile('federation-sender.yaml')]
	}
];

// The container paths that docker-compose.yml mounts, mapped to this checkout.
const pathMap = {
	'/alcove/production.yaml': productionFile,
	'/alcove/deploy/': `${deployDir}/`
};

interface CombinationReport {
	name: string;
	error: string | null;
	unknown_keys: string[];
}

interface CheckReport {
	combinations: CombinationReport[];
	rate_limit_differences: Record<string, string[]>;
	top_level_keys: Record<string, string[]>;
}

function combinationReport(report: CheckReport, name: string): CombinationReport {
	const found = report.combinations.find((combination) => combination.name === name);
	if (!found) throw new Error(`The checker returned no report for "${name}"`);
	return found;
}

describe('Synapse configuration files', () => {
	let scratchDir: string;
	let misspelledFile: string;
	let raisedLimitFile: string;
	let report: CheckReport;

	// One run of the checker for everything, because each start of Python with
	// Synapse takes seconds. The two scratch files show that the checks fail
	// when they should.
	beforeAll(() => {
		scratchDir = mkdtempSync(path.join(tmpdir(), 'alcove-config-check-'));
		misspelledFile = path.join(scratchDir, 'misspelled.yaml');
		writeFileSync(misspelledFile, 'presence:\n  enabeld: false\nurl_preview_enable: false\n');
		raisedLimitFile = path.join(scratchDir, 'raised-limit.yaml');
		writeFileSync(
			raisedLimitFile,
			readFileSync(productionFile, 'utf8').replace(
				'rc_message:\n  per_second: 0.2',
				'rc_message:\n  per_second: 5'
			)
		);

		const request = {
			combinations: [
				...combinations,
				{ name: 'misspelled', files: [...combinations[0]!.files, misspelledFile] }
			],
			path_map: pathMap,
			rate_limit_files: [productionFile, raisedLimitFile]
		};
		report = JSON.parse(runSynapsePython([checker], JSON.stringify(request))) as CheckReport;
	}, 60_000);

	afterAll(() => {
		rmSync(scratchDir, { recursive: true, force: true });
	});

	it('parse in every container', () => {
		for (const { name } of combinations) {
			expect(combinationReport(report, name).error, name).toBeNull();
		}
	});

	it('contain only keys that Synapse reads', () => {
		for (const { name } of combinations) {
			expect(combinationReport(report, name).unknown_keys, name).toEqual([]);
		}
	});

	it("keep production rate limits at Synapse's defaults", () => {
		expect(report.rate_limit_differences[productionFile]).toEqual([]);
	});

	it('keep deployment settings out of production.yaml', () => {
		const keys = report.top_level_keys[productionFile] ?? [];
		expect(keys.length).toBeGreaterThan(0);
		const deploymentKeys = keys.filter(
			(key) =>
				['server_name', 'public_baseurl', 'listeners', 'database', 'databases'].includes(key) ||
				key.endsWith('_path') ||
				key.includes('secret')
		);
		expect(deploymentKeys).toEqual([]);
	});

	it('checker reports a misspelled key', () => {
		expect(combinationReport(report, 'misspelled').unknown_keys).toEqual([
			`${misspelledFile}: presence.enabeld`,
			`${misspelledFile}: url_preview_enable`
		]);
	});

	it('checker reports a changed rate limit', () => {
		expect(report.rate_limit_differences[raisedLimitFile]).toEqual([
			'rc_message: default (0.2, 10.0), configured (5, 10)'
		]);
	});
});
