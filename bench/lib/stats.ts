/**
 * Summary statistics for benchmark samples. Pure functions, shared by the
 * scenarios and the report writer.
 */

/** Median, minimum and maximum of one figure over several runs. */
export interface Summary {
	median: number;
	min: number;
	max: number;
	/** The value of each run, in run order. */
	runs: number[];
}

function assertSamples(values: readonly number[], what: string): void {
	if (values.length === 0) throw new RangeError(`${what} needs at least one value`);
	for (const value of values) {
		if (!Number.isFinite(value)) throw new RangeError(`${what} got a non-finite value: ${value}`);
	}
}

/**
 * Returns the p-th percentile (0 to 100) with linear interpolation between
 * the two nearest ranks, the method numpy and R use by default ("type 7").
 */
export function percentile(values: readonly number[], p: number): number {
	assertSamples(values, 'percentile');
	if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0 to 100, got ${p}`);
	const sorted = [...values].sort((a, b) => a - b);
	const rank = (p / 100) * (sorted.length - 1);
	const lower = Math.floor(rank);
	const upper = Math.ceil(rank);
	const lowerValue = sorted[lower] as number;
	const upperValue = sorted[upper] as number;
	return lowerValue + (upperValue - lowerValue) * (rank - lower);
}

/** Returns the median (the 50th percentile). */
export function median(values: readonly number[]): number {
	return percentile(values, 50);
}

/** Summarises the values of one figure over runs. */
export function summarize(runs: readonly number[]): Summary {
	assertSamples(runs, 'summarize');
	return {
		median: median(runs),
		min: Math.min(...runs),
		max: Math.max(...runs),
		runs: [...runs]
	};
}

/** p50, p95 and maximum of the samples of one run, e.g. the latencies of its messages. */
export function distribution(samples: readonly number[]): {
	p50: number;
	p95: number;
	max: number;
} {
	return {
		p50: percentile(samples, 50),
		p95: percentile(samples, 95),
		max: Math.max(...samples)
	};
}

/**
 * Returns the element-wise median of several series, e.g. the time of page
 * 1, 2, 3… over runs. The result is as long as the longest series; each
 * position takes the median of the series that reach it.
 */
export function medianSeries(series: readonly (readonly number[])[]): number[] {
	const length = Math.max(0, ...series.map((values) => values.length));
	const result: number[] = [];
	for (let index = 0; index < length; index++) {
		const column = series.flatMap((values) =>
			index < values.length ? [values[index] as number] : []
		);
		result.push(median(column));
	}
	return result;
}
