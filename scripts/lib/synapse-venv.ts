import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, run } from './project.ts';

/** Virtual environment that holds Synapse; created on first use, never committed. */
export const synapseVenv = path.join(projectRoot, '.tools', 'synapse-venv');

/** Python interpreter inside the Synapse virtual environment. */
export const synapsePython = path.join(synapseVenv, 'bin', 'python');

const requirementsFile = path.join(projectRoot, 'synapse-config', 'requirements.txt');

/** Returns the Synapse version that synapse-config/requirements.txt pins. */
export function pinnedSynapseVersion(): string {
	const match = /^matrix-synapse==(\S+)$/m.exec(readFileSync(requirementsFile, 'utf8'));
	if (!match) {
		throw new Error(`${requirementsFile} must pin matrix-synapse with "matrix-synapse==<version>"`);
	}
	return match[1] as string;
}

function installedSynapseVersion(): string | undefined {
	if (!existsSync(synapsePython)) return undefined;
	try {
		// Synapse appends git details, e.g. "1.163.2 (b=main,c800d3f)", when its
		// files sit inside a git checkout, as they do in .tools/.
		const output = execFileSync(
			synapsePython,
			['-c', 'import synapse; print(synapse.__version__)'],
			{ encoding: 'utf8' }
		);
		return output.trim().split(' ')[0];
	} catch {
		return undefined;
	}
}

function findSystemPython(): string {
	for (const candidate of ['python3', 'python']) {
		try {
			const version = execFileSync(
				candidate,
				['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
				{ encoding: 'utf8' }
			).trim();
			const [major, minor] = version.split('.').map(Number);
			if (major === 3 && (minor ?? 0) >= 10) return candidate;
		} catch {
			// Not installed under this name; try the next one.
		}
	}
	throw new Error('Synapse needs Python 3.10 or newer, and none was found as python3 or python.');
}

/**
 * Creates the virtual environment and installs the pinned Synapse into it,
 * unless that exact version is already there.
 */
export async function ensureSynapseVenv(): Promise<void> {
	const pinned = pinnedSynapseVersion();
	if (installedSynapseVersion() === pinned) return;

	console.log(`Installing Synapse ${pinned} into ${path.relative(projectRoot, synapseVenv)}…`);
	if (!existsSync(synapsePython)) {
		await run(findSystemPython(), ['-m', 'venv', synapseVenv]);
	}
	await run(synapsePython, ['-m', 'pip', 'install', '--quiet', '-r', requirementsFile]);
}
