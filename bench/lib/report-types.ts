/**
 * Shape of bench/results/latest.json. A later run of the same version can be
 * compared figure by figure: scenario IDs and metric IDs stay stable.
 */
import type { Summary } from './stats.ts';

/**
 * Units of the figures. kB and MB are decimal (1 kB = 1,000 bytes), as Vite
 * and most web performance tools print them.
 */
export type Unit = 'ms' | 's' | 'kB' | 'MB' | 'msg/s' | 'count' | 'ratio' | '%';

/** One figure of a scenario, measured once per run. */
export interface Metric extends Summary {
	id: string;
	label: string;
	unit: Unit;
}

/** A target from the benchmark page, judged against one metric's median. */
export interface TargetCheck {
	id: string;
	/** The promise, e.g. "Latency p50 within 1.5× of the protocol floor". */
	label: string;
	/** ID of the metric in the same scenario whose median is judged. */
	metricId: string;
	comparison: 'at-most' | 'at-least';
	limit: number;
	unit: Unit;
	measured: number;
	met: boolean;
	/** How far from the limit, e.g. "missed by 0.42 s (21 % over)". */
	margin: string;
}

/** One function of a CPU profile with the time spent in its own code. */
export interface ProfileEntry {
	functionName: string;
	/** Script URL shortened to its path, and the 1-based line number. */
	location: string;
	selfMs: number;
	selfPercent: number;
}

/** Top functions by self time of one CPU profile of a slow phase. */
export interface ProfileSummary {
	/** The phase profiled, e.g. "reload to 300 rooms, browser main thread". */
	phase: string;
	/** Sampled time without idle, in milliseconds. */
	busyMs: number;
	/** Busy time by kind of work, largest first: crypto WASM, IndexedDB, JavaScript… */
	categories?: { category: string; selfMs: number; selfPercent: number }[];
	top: ProfileEntry[];
}

/** A line of values over a position, e.g. the time of each page of back-pagination. */
export interface Series {
	id: string;
	label: string;
	unit: Unit;
	xLabel: string;
	/** Median over runs at each position. */
	values: number[];
}

/** Whether a scenario produced figures. */
export type ScenarioStatus = 'measured' | 'not-measured' | 'failed';

/** Everything one scenario reports. */
export interface ScenarioResult {
	id: string;
	title: string;
	status: ScenarioStatus;
	/** Reason the scenario is not measured or failed. */
	reason?: string;
	/** Sizes and counts the scenario ran with, e.g. `{ messages: 200 }`. */
	parameters: Record<string, string | number | boolean>;
	metrics: Metric[];
	targets: TargetCheck[];
	series: Series[];
	profiles: ProfileSummary[];
	/** Plain-language remarks: how it was measured, what it does not cover. */
	notes: string[];
	/** Tables of other facts, e.g. the largest files of the first screen. */
	tables: { title: string; columns: string[]; rows: (string | number)[][] }[];
	durationSeconds: number;
	/** Set when the scenario was measured again on its own, after the run of the report. */
	separateRun?: {
		command: string;
		startedAt: string;
		runsPerScenario: number;
		loadAverage: Environment['loadAverage'];
		gitCommit: string;
	};
}

/** The machine and software versions the figures were measured with. */
export interface Environment {
	cpuModel: string;
	cores: number;
	memoryGB: number;
	os: string;
	/**
	 * 1-minute load average when the run started and ended, and the median and
	 * maximum of the samples taken every 15 s during the run.
	 */
	loadAverage: { start: number; end: number; median?: number; max?: number };
	versions: Record<string, string>;
	/** Commit of the repository and whether the working tree had changes. */
	gitCommit: string;
}

/** The whole of bench/results/latest.json. */
export interface BenchReport {
	schemaVersion: 1;
	command: string;
	quick: boolean;
	runsPerScenario: number;
	startedAt: string;
	durationSeconds: number;
	environment: Environment;
	/** Setup facts that bear on every figure, e.g. where Synapse keeps its database. */
	setup: string[];
	scenarios: ScenarioResult[];
}
