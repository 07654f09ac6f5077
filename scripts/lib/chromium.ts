import { existsSync } from 'node:fs';
import { run } from './project.ts';

/** Debian's Chromium, the only browser the tests and benchmarks use. */
export const chromiumPath = process.env.ALCOVE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launch flags for headless Chromium on a machine without a desktop or an
 * outside network: no sandbox (tests run as root in CI), no GPU, and no
 * background connections to Google services that would only fail.
 */
export const chromiumArgs = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync'
];

/** Installs Debian's chromium package with apt-get when the browser is missing. */
export async function ensureChromium(): Promise<void> {
	if (existsSync(chromiumPath)) return;
	if (process.env.ALCOVE_CHROMIUM) {
		throw new Error(`ALCOVE_CHROMIUM is set to ${chromiumPath}, but no such file exists`);
	}
	console.log('Installing Chromium from Debian (apt-get install chromium)…');
	const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
	const [command = 'apt-get', ...prefix] = [...sudo, 'apt-get'];
	await run(command, [...prefix, 'update', '-q']);
	await run(command, [...prefix, 'install', '-y', '-q', 'chromium'], {
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
	});
}
