/** Headless Debian Chromium driven by playwright-core, and the page helpers the scenarios share. */
import {
	chromium,
	type Browser,
	type BrowserContext,
	type CDPSession,
	type Page
} from 'playwright-core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium.ts';
import { projectRoot } from '../../scripts/lib/project.ts';
import { summarizeCpuProfile, type CpuProfile } from './cpu-profile.ts';
import { installProbe, type ProbeOptions, type ProbeState } from './page-probe.ts';
import type { ProfileSummary } from './report-types.ts';

/** Launches Debian's Chromium headless; Playwright never downloads a browser here. */
export function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

/** Opens a browser context (its own IndexedDB, cache and cookies) on the app. */
export function newAppContext(browser: Browser, webUrl: string): Promise<BrowserContext> {
	return browser.newContext({ baseURL: webUrl, viewport: { width: 1280, height: 800 } });
}

/** Opens a page with the probe installed before any of the app's scripts. */
export async function openProbedPage(
	context: BrowserContext,
	options: ProbeOptions = {}
): Promise<Page> {
	const page = await context.newPage();
	await page.addInitScript(installProbe, options);
	return page;
}

/** Reads the probe's marks (milliseconds since navigation start). */
export function readMarks(page: Page): Promise<Record<string, number>> {
	return page.evaluate(
		() => (window as unknown as { __alcoveBench: ProbeState }).__alcoveBench.marks
	);
}

/** Waits until the probe has set every named mark, then returns the marks. */
export async function waitForMarks(
	page: Page,
	names: string[],
	timeoutMs: number
): Promise<Record<string, number>> {
	try {
		await page.waitForFunction(
			(wanted) => {
				const marks = (window as unknown as { __alcoveBench?: ProbeState }).__alcoveBench?.marks;
				return !!marks && wanted.every((name) => marks[name] !== undefined);
			},
			names,
			{ timeout: timeoutMs, polling: 50 }
		);
	} catch (error) {
		const marks = await readMarks(page).catch(() => ({}) as Record<string, number>);
		const missing = names.filter((name) => !(name in marks));
		throw new Error(
			`Timed out after ${timeoutMs} ms waiting for the page mark(s) ${missing.join(', ')} on ${page.url()}`,
			{ cause: error }
		);
	}
	return readMarks(page);
}

/** An account the benchmark signs in through the form. */
export interface SignInAccount {
	username: string;
	password: string;
	/**
	 * The recovery key, set by the first sign-in through the form (the app's
	 * encryption set-up) and typed on every later new device of the account.
	 */
	recoveryKey?: string;
}

/** Options of {@link signInThroughForm}. */
export interface SignInOptions {
	/** Runs right before the click on "Sign in", e.g. to note the time or the phase. */
	beforeSubmit?: () => void;
	timeoutMs?: number;
}

/** The screen the app showed first after the click on "Sign in". */
export interface SignInOutcome {
	firstScreen: 'conversations' | 'encryption set-up' | 'device unlock';
	/** When that screen was seen, in milliseconds since the page's navigation start. */
	firstScreenAt: number;
}

/**
 * Goes through the app's first-sign-in encryption set-up: creates the
 * recovery key, confirms it was saved, and types back the group the screen
 * asks for. Returns the recovery key as the screen showed it.
 */
async function completeEncryptionSetup(page: Page, timeoutMs: number): Promise<string> {
	await page.getByRole('button', { name: 'Set up encryption' }).click({ timeout: timeoutMs });
	const shownKey = page.getByTestId('recovery-key');
	await shownKey.waitFor({ timeout: timeoutMs });
	const recoveryKey = ((await shownKey.textContent()) ?? '').replace(/\s+/g, ' ').trim();
	await page.getByLabel('I have saved my recovery key').check();
	await page.getByRole('button', { name: 'Continue' }).click();
	const groupLabel = page.getByText(/^Group \d+ of your recovery key$/);
	const groupNumber = Number(/\d+/.exec((await groupLabel.textContent()) ?? '')?.[0]);
	const group = recoveryKey.split(' ')[groupNumber - 1];
	if (!group)
		throw new Error(`The set-up screen asked for group ${groupNumber} of the recovery key`);
	await page.getByLabel(/^Group \d+ of your recovery key$/).fill(group);
	await page.getByRole('button', { name: 'Confirm' }).click();
	return recoveryKey;
}

/** Unlocks a further device of the account with its recovery key, as its owner would. */
async function unlockWithRecoveryKey(
	page: Page,
	account: SignInAccount,
	timeoutMs: number
): Promise<void> {
	if (!account.recoveryKey) {
		throw new Error(
			`${account.username} has no recovery key; sign it in through the form once before a further device`
		);
	}
	await page.getByRole('button', { name: 'Use recovery key or passphrase' }).click();
	await page.getByLabel('Recovery key or passphrase').fill(account.recoveryKey);
	await page.getByRole('button', { name: 'Unlock' }).click({ timeout: timeoutMs });
}

/**
 * Signs in through the sign-in form, as a person would, and waits until the
 * conversations are shown. The homeserver field is pre-filled by the app.
 * The first sign-in of an account goes through the app's encryption set-up
 * and stores the recovery key on `account`; a further device is unlocked
 * with that key, which also restores the room keys from the key backup.
 *
 * Every sign-in of the benchmark through the interface goes through this
 * function, so that a screen the app adds after sign-in is handled here, in
 * one place.
 */
export async function signInThroughForm(
	page: Page,
	account: SignInAccount,
	options: SignInOptions = {}
): Promise<SignInOutcome> {
	const timeoutMs = options.timeoutMs ?? 90_000;
	// A page already showing the form keeps it, so a caller can time the first screen.
	if (new URL(page.url()).pathname !== '/login') await page.goto('/login');
	await page.getByLabel('User name or Matrix ID').fill(account.username);
	await page.getByLabel('Password').fill(account.password);
	options.beforeSubmit?.();
	await page.getByRole('button', { name: 'Sign in' }).click();

	const conversations = page.getByTestId('signed-in-user');
	const setUp = page.getByRole('heading', { name: 'Protect your messages' });
	const unlock = page.getByRole('heading', { name: 'Confirm it is you' });
	await conversations.or(setUp).or(unlock).first().waitFor({ timeout: timeoutMs });
	const firstScreenAt = await page.evaluate(() => performance.now());
	let firstScreen: SignInOutcome['firstScreen'] = 'conversations';
	if (await setUp.isVisible()) {
		firstScreen = 'encryption set-up';
		account.recoveryKey = await completeEncryptionSetup(page, timeoutMs);
	} else if (await unlock.isVisible()) {
		firstScreen = 'device unlock';
		await unlockWithRecoveryKey(page, account, timeoutMs);
	}
	await conversations.waitFor({ state: 'visible', timeout: timeoutMs });
	return { firstScreen, firstScreenAt };
}

/**
 * Signs out through the app, which also logs the device out on the server.
 * If the app warns that the device's keys are not backed up yet, the
 * benchmark signs out anyway: its devices are thrown away after each run.
 */
export async function signOutThroughApp(page: Page, timeoutMs = 30_000): Promise<void> {
	await page.getByRole('button', { name: 'Sign out' }).click({ timeout: timeoutMs });
	const signIn = page.getByRole('button', { name: 'Sign in' });
	const anyway = page.getByRole('button', { name: 'Sign out anyway' });
	await signIn.or(anyway).first().waitFor({ timeout: timeoutMs });
	if (await anyway.isVisible()) await anyway.click();
	await signIn.waitFor({ timeout: timeoutMs });
}

/**
 * Waits until the page's DOM has not changed for `quietMs`, or `timeoutMs`
 * passed; returns true if it settled.
 */
export function waitForQuietDom(page: Page, quietMs: number, timeoutMs: number): Promise<boolean> {
	return page.evaluate(
		({ quietMs, timeoutMs }) =>
			new Promise<boolean>((resolve) => {
				let quietTimer = setTimeout(() => finish(true), quietMs);
				const deadline = setTimeout(() => finish(false), timeoutMs);
				const observer = new MutationObserver(() => {
					clearTimeout(quietTimer);
					quietTimer = setTimeout(() => finish(true), quietMs);
				});
				function finish(settled: boolean): void {
					observer.disconnect();
					clearTimeout(quietTimer);
					clearTimeout(deadline);
					resolve(settled);
				}
				observer.observe(document, { childList: true, subtree: true, characterData: true });
			}),
		{ quietMs, timeoutMs }
	);
}

/** Opens a Chrome DevTools Protocol session on the page, runs `use`, and detaches. */
export async function withCdp<T>(page: Page, use: (cdp: CDPSession) => Promise<T>): Promise<T> {
	const cdp = await page.context().newCDPSession(page);
	try {
		return await use(cdp);
	} finally {
		await cdp.detach().catch(() => undefined);
	}
}

let cryptoBindings: Set<string> | undefined;

/**
 * Names the built JavaScript chunks that load the crypto WASM: its
 * wasm-bindgen bindings, whose time a profile counts with the crypto.
 */
function cryptoBindingFiles(): Set<string> {
	if (cryptoBindings) return cryptoBindings;
	const chunks = path.join(projectRoot, 'build', 'client', '_app', 'immutable', 'chunks');
	cryptoBindings = new Set(
		existsSync(chunks)
			? readdirSync(chunks).filter(
					(file) =>
						file.endsWith('.js') &&
						readFileSync(path.join(chunks, file), 'utf8').includes('matrix_sdk_crypto_wasm_bg')
				)
			: []
	);
	return cryptoBindings;
}

/** Runs `phase` under the V8 sampling profiler of the page and summarises the profile. */
export async function profilePhase(
	page: Page,
	label: string,
	phase: () => Promise<void>
): Promise<ProfileSummary> {
	return withCdp(page, async (cdp) => {
		await cdp.send('Profiler.enable');
		// 250 µs between samples: fine enough for 10 ms tasks, cheap enough not to distort them much.
		await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
		await cdp.send('Profiler.start');
		let failure: { error: unknown } | undefined;
		try {
			await phase();
		} catch (error) {
			failure = { error };
		}
		// Stop in every case, so a failed phase leaves no profiler running.
		const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
		await cdp.send('Profiler.disable');
		if (failure) throw failure.error;
		return summarizeCpuProfile(profile, label, { cryptoBindings: cryptoBindingFiles() });
	});
}

/** JavaScript heap of the page after a full garbage collection, and DOM counts. */
export interface HeapReading {
	/** V8 heap in use after garbage collection, in MB. */
	usedMB: number;
	/** V8 heap reserved, in MB. */
	totalMB: number;
	/** `Performance.getMetrics`: JSHeapUsedSize, Nodes, JSEventListeners, Documents… */
	metrics: Record<string, number>;
}

/** Collects garbage in the page and reads its heap size through the DevTools Protocol. */
export function readHeap(page: Page): Promise<HeapReading> {
	return withCdp(page, async (cdp) => {
		await cdp.send('HeapProfiler.enable');
		await cdp.send('HeapProfiler.collectGarbage');
		await cdp.send('HeapProfiler.disable');
		const usage = (await cdp.send('Runtime.getHeapUsage')) as {
			usedSize: number;
			totalSize: number;
		};
		await cdp.send('Performance.enable');
		const { metrics } = (await cdp.send('Performance.getMetrics')) as {
			metrics: { name: string; value: number }[];
		};
		await cdp.send('Performance.disable');
		return {
			usedMB: usage.usedSize / 1e6,
			totalMB: usage.totalSize / 1e6,
			metrics: Object.fromEntries(metrics.map((metric) => [metric.name, metric.value]))
		};
	});
}
