import { existsSync } from 'node:fs';
import { ensureDebianPrograms } from './debian.ts';

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
	if (process.env.ALCOVE_CHROMIUM && !existsSync(chromiumPath)) {
		throw new Error(`ALCOVE_CHROMIUM is set to ${chromiumPath}, but no such file exists`);
	}
	await ensureDebianPrograms([{ program: chromiumPath, package: 'chromium' }]);
}
