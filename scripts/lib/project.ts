import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Absolute path of the repository root. */
export const projectRoot = path.resolve(import.meta.dirname, '../..');

/** Folder for generated, git-ignored runtime data: Synapse databases, media and logs. */
export const dataRoot = path.join(projectRoot, 'data');

/** Error for a child process that exited with a non-zero status or a signal. */
export class CommandFailedError extends Error {
	readonly command: string;
	readonly exitCode: number | null;
	readonly signal: NodeJS.Signals | null;

	constructor(command: string, exitCode: number | null, signal: NodeJS.Signals | null) {
		super(
			signal
				? `${command} was stopped by ${signal}`
				: `${command} failed with exit code ${exitCode ?? 'unknown'}`
		);
		this.name = 'CommandFailedError';
		this.command = command;
		this.exitCode = exitCode;
		this.signal = signal;
	}
}

/**
 * Runs a command to completion with its output on this terminal. Rejects with
 * CommandFailedError unless the command exits with status 0.
 */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
	const label = [command, ...args].join(' ');
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: projectRoot, stdio: 'inherit', ...options });
		child.once('error', reject);
		child.once('exit', (code, signal) => {
			if (code === 0) resolve();
			else reject(new CommandFailedError(label, code, signal));
		});
	});
}

/** Returns the path of a binary installed by npm in node_modules/.bin. */
export function npmBin(name: string): string {
	return path.join(projectRoot, 'node_modules', '.bin', name);
}

/**
 * Installs the npm dependencies when node_modules is missing or older than
 * package-lock.json, so a fresh clone needs no manual `npm install`.
 */
export async function ensureNpmDependencies(): Promise<void> {
	const marker = path.join(projectRoot, 'node_modules', '.package-lock.json');
	const lockFile = path.join(projectRoot, 'package-lock.json');
	if (existsSync(marker)) {
		const { statSync } = await import('node:fs');
		if (statSync(marker).mtimeMs >= statSync(lockFile).mtimeMs) return;
	}
	console.log('Installing npm dependencies (npm ci)…');
	await run('npm', ['ci', '--no-audit', '--no-fund']);
}
