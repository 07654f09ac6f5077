/**
 * Hand-written SVG charts for the benchmark page: horizontal bars with the
 * min–max range of the runs and an optional target line, and a line chart
 * for values over a position. Plain strings, no chart library.
 */

/** One bar: the median of a figure, its range over runs, and an optional target. */
export interface Bar {
	label: string;
	value: number;
	min?: number;
	max?: number;
	/** Draws a vertical mark at the target limit on this bar's row. */
	target?: number;
	/** Whether the target is a maximum (the default) or a minimum; a missed target is drawn red. */
	targetComparison?: 'at-most' | 'at-least';
}

export interface BarChartOptions {
	title: string;
	unit: string;
	bars: Bar[];
	width?: number;
}

export interface LineSeries {
	label: string;
	values: number[];
}

export interface LineChartOptions {
	title: string;
	xLabel: string;
	unit: string;
	series: LineSeries[];
	width?: number;
	height?: number;
}

const FONT = 'font-family="system-ui, sans-serif"';
const COLORS = ['#3b6ea5', '#c0713a', '#4f8a4c', '#8a4f8a'];

/** Escapes text for use in SVG element content and attribute values. */
export function escapeXml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&apos;');
}

/**
 * Returns evenly spaced tick values from 0 to at least `max`, with a step of
 * 1, 2 or 5 times a power of ten, and about `count` steps.
 */
export function niceTicks(max: number, count = 5): number[] {
	if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
	const rawStep = max / count;
	const power = 10 ** Math.floor(Math.log10(rawStep));
	const step =
		[1, 2, 5, 10].map((factor) => factor * power).find((s) => s >= rawStep) ?? power * 10;
	const ticks: number[] = [];
	// Rounding keeps 0.1 + 0.2 style errors out of the labels.
	for (let tick = 0; tick < max + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
	if ((ticks.at(-1) ?? 0) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
	return ticks;
}

function formatTick(value: number): string {
	return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function round(value: number): string {
	return value.toFixed(1);
}

/** Renders a horizontal bar chart. */
export function barChart(options: BarChartOptions): string {
	const width = options.width ?? 820;
	// Room for a 38-character label at 12 px.
	const labelWidth = 300;
	const rowHeight = 30;
	// The title, then the legend on a line of its own.
	const top = 56;
	const right = 70;
	const plotWidth = width - labelWidth - right;
	const height = top + options.bars.length * rowHeight + 36;
	const extent = Math.max(
		...options.bars.flatMap((bar) => [bar.value, bar.max ?? 0, bar.target ?? 0]),
		0
	);
	const ticks = niceTicks(extent);
	const scaleMax = ticks.at(-1) ?? 1;
	const x = (value: number): number => labelWidth + (value / scaleMax) * plotWidth;

	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
		`<rect width="${width}" height="${height}" fill="#ffffff"/>`,
		`<text x="12" y="24" ${FONT} font-size="15" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`
	];
	const axisY = top + options.bars.length * rowHeight;
	for (const tick of ticks) {
		const tickX = round(x(tick));
		parts.push(
			`<line x1="${tickX}" y1="${top - 4}" x2="${tickX}" y2="${axisY}" stroke="#e3e3e3"/>`,
			`<text x="${tickX}" y="${axisY + 16}" ${FONT} font-size="11" fill="#555" text-anchor="middle">${formatTick(tick)}</text>`
		);
	}
	parts.push(
		`<text x="${round(labelWidth + plotWidth / 2)}" y="${axisY + 31}" ${FONT} font-size="11" fill="#555" text-anchor="middle">${escapeXml(options.unit)}</text>`
	);

	options.bars.forEach((bar, index) => {
		const rowTop = top + index * rowHeight;
		const barY = rowTop + 6;
		const barHeight = rowHeight - 12;
		const middle = rowTop + rowHeight / 2;
		const missed =
			bar.target !== undefined &&
			(bar.targetComparison === 'at-least' ? bar.value < bar.target : bar.value > bar.target);
		parts.push(
			`<text x="${labelWidth - 8}" y="${round(middle + 4)}" ${FONT} font-size="12" fill="#222" text-anchor="end">${escapeXml(bar.label)}</text>`,
			`<rect x="${labelWidth}" y="${barY}" width="${round(Math.max(0, x(bar.value) - labelWidth))}" height="${barHeight}" fill="${missed ? '#c0513a' : COLORS[0]}"/>`
		);
		if (bar.min !== undefined && bar.max !== undefined) {
			const y = round(middle);
			parts.push(
				`<line x1="${round(x(bar.min))}" y1="${y}" x2="${round(x(bar.max))}" y2="${y}" stroke="#222" stroke-width="1.5"/>`,
				`<line x1="${round(x(bar.min))}" y1="${round(middle - 4)}" x2="${round(x(bar.min))}" y2="${round(middle + 4)}" stroke="#222" stroke-width="1.5"/>`,
				`<line x1="${round(x(bar.max))}" y1="${round(middle - 4)}" x2="${round(x(bar.max))}" y2="${round(middle + 4)}" stroke="#222" stroke-width="1.5"/>`
			);
		}
		if (bar.target !== undefined) {
			const targetX = round(x(bar.target));
			parts.push(
				`<line x1="${targetX}" y1="${rowTop + 2}" x2="${targetX}" y2="${rowTop + rowHeight - 2}" stroke="#222" stroke-width="2" stroke-dasharray="3 2"/>`
			);
		}
		const valueX = round(Math.max(x(bar.value), bar.max !== undefined ? x(bar.max) : 0) + 6);
		parts.push(
			`<text x="${valueX}" y="${round(middle + 4)}" ${FONT} font-size="11" fill="#222">${formatTick(bar.value)}</text>`
		);
	});
	if (options.bars.some((bar) => bar.target !== undefined)) {
		parts.push(
			`<text x="12" y="42" ${FONT} font-size="11" fill="#555">bar: median · whisker: min–max · dashed: target</text>`
		);
	} else {
		parts.push(
			`<text x="12" y="42" ${FONT} font-size="11" fill="#555">bar: median · whisker: min–max</text>`
		);
	}
	parts.push('</svg>');
	return parts.join('\n') + '\n';
}

/** Renders a line chart of values over their position (1, 2, 3…). */
export function lineChart(options: LineChartOptions): string {
	const width = options.width ?? 720;
	const height = options.height ?? 320;
	const left = 60;
	const right = 20;
	const top = 44;
	const bottom = 50;
	const plotWidth = width - left - right;
	const plotHeight = height - top - bottom;
	const longest = Math.max(1, ...options.series.map((series) => series.values.length));
	const yTicks = niceTicks(Math.max(0, ...options.series.flatMap((series) => series.values)));
	const yMax = yTicks.at(-1) ?? 1;
	const xTicks = niceTicks(longest, 8).filter((tick) => tick >= 1 || tick === 0);
	const xMax = Math.max(longest, xTicks.at(-1) ?? 1);
	const x = (position: number): number => left + (position / xMax) * plotWidth;
	const y = (value: number): number => top + plotHeight - (value / yMax) * plotHeight;

	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
		`<rect width="${width}" height="${height}" fill="#ffffff"/>`,
		`<text x="12" y="24" ${FONT} font-size="15" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`
	];
	for (const tick of yTicks) {
		const tickY = round(y(tick));
		parts.push(
			`<line x1="${left}" y1="${tickY}" x2="${width - right}" y2="${tickY}" stroke="#e3e3e3"/>`,
			`<text x="${left - 6}" y="${round(y(tick) + 4)}" ${FONT} font-size="11" fill="#555" text-anchor="end">${formatTick(tick)}</text>`
		);
	}
	for (const tick of xTicks) {
		parts.push(
			`<text x="${round(x(tick))}" y="${top + plotHeight + 16}" ${FONT} font-size="11" fill="#555" text-anchor="middle">${formatTick(tick)}</text>`
		);
	}
	parts.push(
		`<line x1="${left}" y1="${top + plotHeight}" x2="${width - right}" y2="${top + plotHeight}" stroke="#999"/>`,
		`<text x="${round(left + plotWidth / 2)}" y="${height - 10}" ${FONT} font-size="11" fill="#555" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
		`<text x="14" y="${round(top + plotHeight / 2)}" ${FONT} font-size="11" fill="#555" text-anchor="middle" transform="rotate(-90 14 ${round(top + plotHeight / 2)})">${escapeXml(options.unit)}</text>`
	);
	options.series.forEach((series, index) => {
		const color = COLORS[index % COLORS.length] as string;
		const points = series.values.map(
			(value, position) => `${round(x(position + 1))},${round(y(value))}`
		);
		if (points.length > 0) {
			parts.push(
				`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`
			);
		}
		parts.push(
			`<rect x="${width - right - 190}" y="${32 + index * 16}" width="10" height="10" fill="${color}"/>`,
			`<text x="${width - right - 175}" y="${41 + index * 16}" ${FONT} font-size="11" fill="#222">${escapeXml(series.label)}</text>`
		);
	});
	parts.push('</svg>');
	return parts.join('\n') + '\n';
}
