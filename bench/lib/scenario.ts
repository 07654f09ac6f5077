/** The contract of a scenario module and the helpers that assemble its result. */
import type { Metric, ProfileSummary, ScenarioResult, Series, Unit } from './report-types.ts';
import { summarize } from './stats.ts';
import { judgeTargets, type TargetSpec } from './targets.ts';
import type { BenchWorld } from './world.ts';

/** One benchmark scenario. */
export interface Scenario {
	id: string;
	title: string;
	run(world: BenchWorld): Promise<ScenarioResult>;
}

/** Collects one value per run for each figure, in the order figures are first recorded. */
export class MetricRecorder {
	readonly #metrics = new Map<string, { label: string; unit: Unit; runs: number[] }>();

	/** Records this run's value of a figure. */
	record(id: string, label: string, unit: Unit, value: number): void {
		if (!Number.isFinite(value))
			throw new RangeError(`Metric ${id} got a non-finite value: ${value}`);
		const metric = this.#metrics.get(id) ?? { label, unit, runs: [] };
		metric.runs.push(value);
		this.#metrics.set(id, metric);
	}

	/** Returns each figure with its median, min and max over the recorded runs. */
	metrics(): Metric[] {
		return [...this.#metrics].map(([id, metric]) => ({
			id,
			label: metric.label,
			unit: metric.unit,
			...summarize(metric.runs)
		}));
	}
}

/** Parts of a measured result; the rest is filled in by {@link measuredResult}. */
export interface MeasuredParts {
	parameters: ScenarioResult['parameters'];
	recorder: MetricRecorder;
	targets?: TargetSpec[];
	series?: Series[];
	profiles?: ProfileSummary[];
	notes?: string[];
	tables?: ScenarioResult['tables'];
}

/** Assembles a measured scenario result and judges its targets. */
export function measuredResult(
	scenario: Pick<Scenario, 'id' | 'title'>,
	startedAt: number,
	parts: MeasuredParts
): ScenarioResult {
	const metrics = parts.recorder.metrics();
	return {
		id: scenario.id,
		title: scenario.title,
		status: 'measured',
		parameters: parts.parameters,
		metrics,
		targets: judgeTargets(parts.targets ?? [], metrics),
		series: parts.series ?? [],
		profiles: parts.profiles ?? [],
		notes: parts.notes ?? [],
		tables: parts.tables ?? [],
		durationSeconds: (Date.now() - startedAt) / 1000
	};
}

/** A result for a scenario that produced no figures, with the reason. */
export function unmeasuredResult(
	scenario: Pick<Scenario, 'id' | 'title'>,
	status: 'not-measured' | 'failed',
	reason: string,
	startedAt: number,
	notes: string[] = []
): ScenarioResult {
	return {
		id: scenario.id,
		title: scenario.title,
		status,
		reason,
		parameters: {},
		metrics: [],
		targets: [],
		series: [],
		profiles: [],
		notes,
		tables: [],
		durationSeconds: (Date.now() - startedAt) / 1000
	};
}
