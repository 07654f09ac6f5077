/**
 * Judging a measured median against a target of the benchmark page. Targets
 * are reported, never asserted: a missed target does not fail the run.
 */
import type { Metric, TargetCheck, Unit } from './report-types.ts';

/** A target before it is judged. */
export interface TargetSpec {
	id: string;
	label: string;
	metricId: string;
	comparison: 'at-most' | 'at-least';
	limit: number;
}

/** Formats a value with its unit and a precision that suits its size. */
export function formatValue(value: number, unit: Unit): string {
	const magnitude = Math.abs(value);
	const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
	const number = value.toLocaleString('en-US', {
		minimumFractionDigits: unit === 'count' ? 0 : digits,
		maximumFractionDigits: unit === 'count' ? 0 : digits
	});
	if (unit === 'ratio') return `${number}×`;
	if (unit === 'count') return number;
	return `${number} ${unit}`;
}

/**
 * Judges `measured` against the limit. The margin says by how much a target
 * was missed, or how much room is left, in the metric's unit and in percent
 * of the limit.
 */
export function judgeTarget(spec: TargetSpec, measured: number, unit: Unit): TargetCheck {
	const met = spec.comparison === 'at-most' ? measured <= spec.limit : measured >= spec.limit;
	const difference = Math.abs(measured - spec.limit);
	const percent = spec.limit === 0 ? Infinity : (difference / Math.abs(spec.limit)) * 100;
	const percentText = Number.isFinite(percent) ? `${percent.toFixed(0)} %` : 'n/a';
	let margin: string;
	if (met) {
		margin = `met, ${formatValue(difference, unit)} (${percentText}) to spare`;
	} else {
		const direction = spec.comparison === 'at-most' ? 'over' : 'under';
		margin = `missed by ${formatValue(difference, unit)} (${percentText} ${direction})`;
	}
	return { ...spec, unit, measured, met, margin };
}

/** Judges each target against the median of the metric it names. */
export function judgeTargets(
	specs: readonly TargetSpec[],
	metrics: readonly Metric[]
): TargetCheck[] {
	return specs.map((spec) => {
		const metric = metrics.find((candidate) => candidate.id === spec.metricId);
		if (!metric) throw new Error(`Target ${spec.id} names the unknown metric ${spec.metricId}`);
		return judgeTarget(spec, metric.median, metric.unit);
	});
}
