import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { run } from './project.ts';

/** A program that tests need and the Debian package that provides it. */
export interface DebianProgram {
	/** Absolute path, or a command name looked up on PATH. */
	program: string;
	package: string;
}

function isInstalled(program: string): boolean {
	if (program.startsWith('/')) return existsSync(program);
	try {
		execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/**
 * Installs the Debian packages of missing programs with apt-get (through sudo
 * unless running as root). Does nothing when every program is present.
 */
export async function ensureDebianPrograms(programs: DebianProgram[]): Promise<void> {
	const missing = programs.filter(({ program }) => !isInstalled(program));
	if (missing.length === 0) return;
	const packages = [...new Set(missing.map((entry) => entry.package))];
	console.log(`Installing from Debian: ${packages.join(', ')}…`);
	const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
	const aptGet = [...sudo, 'apt-get'];
	const [command = 'apt-get', ...prefix] = aptGet;
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await run(command, [...prefix, 'update', '-q'], { env });
	await run(command, [...prefix, 'install', '-y', '-q', ...packages], { env });
}
