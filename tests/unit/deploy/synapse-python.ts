import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { synapsePython } from '../../../scripts/lib/synapse-venv.ts';

/**
 * Runs a Python program with the interpreter of the Synapse virtual
 * environment, which has Synapse and PyYAML. Throws when the environment is
 * missing or the program fails, with the command's error output.
 */
export function runSynapsePython(args: string[], input: string): string {
	if (!existsSync(synapsePython)) {
		throw new Error(
			`${synapsePython} is missing; create the Synapse virtual environment with ` +
				'`npm run test:integration` or `npm run synapse` first'
		);
	}
	const result = spawnSync(synapsePython, args, {
		input,
		encoding: 'utf8',
		maxBuffer: 16 * 1024 * 1024
	});
	if (result.error) throw result.error;
	if (result.status !== 0) {
		throw new Error(
			`${synapsePython} ${args.join(' ')} failed (exit code ${result.status}):\n${result.stderr}`
		);
	}
	return result.stdout;
}

/** Parses YAML with PyYAML, the parser that Synapse and docker-compose 1.29 use. */
export function parseYaml(text: string): unknown {
	const program = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
	return JSON.parse(runSynapsePython(['-c', program], text)) as unknown;
}
