/**
 * Summaries of V8 CPU profiles as the Chrome DevTools Protocol's
 * `Profiler.stop` returns them: the functions that spent the most time in
 * their own code (self time), which is what explains a slow phase.
 */
import type { ProfileEntry, ProfileSummary } from './report-types.ts';

/** The parts of a CDP `Profiler.Profile` that the summary reads. */
export interface CpuProfile {
	nodes: {
		id: number;
		callFrame: { functionName: string; url: string; lineNumber: number };
	}[];
	/** Node ID of each sample. */
	samples?: number[];
	/** Microseconds between each sample and the one before it (the first: since the start). */
	timeDeltas?: number[];
}

function shortLocation(url: string, lineNumber: number): string {
	if (!url) return '(native)';
	let path = url;
	try {
		path = new URL(url).pathname;
	} catch {
		// Not a URL, e.g. a node: module name; keep it as it is.
	}
	// Hashed chunk names are long; the file name is enough to find the chunk.
	const file = path.split('/').filter(Boolean).slice(-2).join('/');
	return `${file}:${lineNumber + 1}`;
}

/**
 * Shortens demangled Rust names from the crypto WASM, which carry a crate
 * hash per path segment, e.g. `<curve25519_dalek[b6e9…]::edwards::EdwardsPoint>::mul_base`.
 */
export function shortFunctionName(name: string): string {
	const withoutHashes = name.replace(/\[[0-9a-f]{16}\]/g, '');
	return withoutHashes.length > 90 ? `${withoutHashes.slice(0, 89)}…` : withoutHashes;
}

/** Native functions that are IndexedDB calls: the SDK's crypto store and the app's stores. */
const INDEXED_DB_FUNCTIONS = new Set([
	'transaction',
	'objectStore',
	'get',
	'getAll',
	'getAllKeys',
	'put',
	'add',
	'delete',
	'clear',
	'count',
	'openCursor',
	'continue',
	'abort',
	'commit',
	'index',
	'open'
]);

/**
 * The kind of work a sample's function does, so a profile shows at a glance
 * whether time went to the crypto WASM, to IndexedDB or to JavaScript.
 */
export function workCategory(
	functionName: string,
	url: string,
	cryptoBindings: ReadonlySet<string> = new Set()
): string {
	if (functionName === '(garbage collector)') return 'garbage collection';
	if (functionName === '(program)')
		return 'browser outside JavaScript (layout, style, parsing, IPC)';
	if (url.endsWith('.wasm')) return 'crypto WASM (matrix-sdk-crypto)';
	if (cryptoBindings.has(url.split('/').at(-1) ?? '')) return 'crypto WASM bindings (JavaScript)';
	if (!url) {
		if (functionName === 'wasm-to-js' || functionName === 'js-to-wasm')
			return 'crypto WASM (matrix-sdk-crypto)';
		if (INDEXED_DB_FUNCTIONS.has(functionName)) return 'IndexedDB calls';
		return 'other built-ins (fetch, DOM, JSON, timers)';
	}
	return 'JavaScript (app, SDK, Svelte)';
}

/**
 * Returns the `topCount` functions with the most self time, and the busy
 * time by kind of work. `cryptoBindings` names the script files (by file
 * name) that hold the crypto WASM's JavaScript bindings. Each sample
 * counts for the time until the next sample. Idle time is left out of the
 * total; garbage collection and "(program)" (time in V8 outside JavaScript)
 * stay in, because both are work the page caused.
 */
export function summarizeCpuProfile(
	profile: CpuProfile,
	phase: string,
	options: { topCount?: number; cryptoBindings?: ReadonlySet<string> } = {}
): ProfileSummary {
	const topCount = options.topCount ?? 12;
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const selfMicros = new Map<string, { functionName: string; location: string; micros: number }>();
	const categoryMicros = new Map<string, number>();
	let busyMicros = 0;

	for (let index = 0; index < samples.length; index++) {
		const node = nodes.get(samples[index] as number);
		if (!node) continue;
		const micros = Math.max(0, deltas[index + 1] ?? 0);
		const functionName = shortFunctionName(node.callFrame.functionName || '(anonymous)');
		if (functionName === '(idle)') continue;
		busyMicros += micros;
		const category = workCategory(functionName, node.callFrame.url, options.cryptoBindings);
		categoryMicros.set(category, (categoryMicros.get(category) ?? 0) + micros);
		const location = shortLocation(node.callFrame.url, node.callFrame.lineNumber);
		const key = `${functionName}\u0000${location}`;
		const entry = selfMicros.get(key) ?? { functionName, location, micros: 0 };
		entry.micros += micros;
		selfMicros.set(key, entry);
	}

	const top: ProfileEntry[] = [...selfMicros.values()]
		.sort((a, b) => b.micros - a.micros)
		.slice(0, topCount)
		.map((entry) => ({
			functionName: entry.functionName,
			location: entry.location,
			selfMs: entry.micros / 1000,
			selfPercent: busyMicros > 0 ? (entry.micros / busyMicros) * 100 : 0
		}));
	const categories = [...categoryMicros]
		.sort((a, b) => b[1] - a[1])
		.map(([category, micros]) => ({
			category,
			selfMs: micros / 1000,
			selfPercent: busyMicros > 0 ? (micros / busyMicros) * 100 : 0
		}));
	return { phase, busyMs: busyMicros / 1000, categories, top };
}
