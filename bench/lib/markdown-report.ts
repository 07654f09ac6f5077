/**
 * Writers for the results: the Markdown page (bench/results/latest.md and
 * the results section of bench/README.md), the SVG charts it shows, and the
 * plain table printed at the end of a run.
 */
import type { BenchReport, Metric, ScenarioResult, TargetCheck, Unit } from './report-types.ts';
import { barChart, lineChart, type Bar } from './svg-chart.ts';
import { formatValue } from './targets.ts';

/** An SVG chart and the file name it is written to, next to latest.md. */
export interface Chart {
	file: string;
	title: string;
	svg: string;
}

/** Markers of the section of bench/README.md that each full run rewrites. */
export const README_START = '<!-- results:start -->';
export const README_END = '<!-- results:end -->';

function escapeCell(text: string | number): string {
	return String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(columns: string[], rows: (string | number)[][]): string {
	const header = `| ${columns.map(escapeCell).join(' | ')} |`;
	const rule = `| ${columns.map(() => '---').join(' | ')} |`;
	const body = rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`);
	return [header, rule, ...body].join('\n');
}

/** The unit with the most metrics in a scenario, which its bar chart shows. */
function mainUnit(metrics: readonly Metric[]): Unit | undefined {
	const counts = new Map<Unit, number>();
	for (const metric of metrics) counts.set(metric.unit, (counts.get(metric.unit) ?? 0) + 1);
	return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** How far a target's median is from its limit, in percent of the limit; above 100 is missed. */
function percentOfLimit(target: TargetCheck): number {
	if (target.comparison === 'at-most') return (target.measured / target.limit) * 100;
	return target.measured === 0 ? 1000 : (target.limit / target.measured) * 100;
}

/** Returns the charts of a report: one overview of the targets, then each scenario's. */
export function buildCharts(report: BenchReport): Chart[] {
	const charts: Chart[] = [];
	const targets = report.scenarios.flatMap((scenario) => scenario.targets);
	if (targets.length > 0) {
		charts.push({
			file: 'targets.svg',
			title: 'Targets: median as a share of the limit',
			svg: barChart({
				title: 'Targets: median as % of the limit (over 100 % is missed)',
				unit: '% of the limit (for minimums: limit ÷ measured)',
				bars: targets.map((target) => ({
					label: target.label.length > 38 ? `${target.label.slice(0, 37)}…` : target.label,
					value: Math.min(percentOfLimit(target), 1000),
					target: 100
				}))
			})
		});
	}
	for (const scenario of report.scenarios) {
		if (scenario.status !== 'measured') continue;
		const unit = mainUnit(scenario.metrics);
		if (unit) {
			const bars: Bar[] = scenario.metrics
				.filter((metric) => metric.unit === unit)
				.map((metric) => {
					const target = scenario.targets.find((candidate) => candidate.metricId === metric.id);
					return {
						label: metric.label.length > 38 ? `${metric.label.slice(0, 37)}…` : metric.label,
						value: metric.median,
						min: metric.runs.length > 1 ? metric.min : undefined,
						max: metric.runs.length > 1 ? metric.max : undefined,
						target: target?.limit,
						targetComparison: target?.comparison
					};
				});
			charts.push({
				file: `${scenario.id}.svg`,
				title: scenario.title,
				svg: barChart({ title: scenario.title, unit, bars })
			});
		}
		for (const series of scenario.series) {
			charts.push({
				file: `${scenario.id}-${series.id}.svg`,
				title: series.label,
				svg: lineChart({
					title: series.label,
					xLabel: series.xLabel,
					unit: series.unit,
					series: [{ label: 'median over runs', values: series.values }]
				})
			});
		}
	}
	return charts;
}

function formatRuns(metric: Metric): string {
	return metric.runs.map((value) => formatValue(value, metric.unit)).join(', ');
}

function targetRows(targets: readonly TargetCheck[]): (string | number)[][] {
	return targets.map((target) => [
		target.label,
		`${target.comparison === 'at-most' ? '≤' : '≥'} ${formatValue(target.limit, target.unit)}`,
		formatValue(target.measured, target.unit),
		target.met ? `✅ ${target.margin}` : `❌ ${target.margin}`
	]);
}

function scenarioSection(
	scenario: ScenarioResult,
	index: number,
	charts: readonly Chart[],
	chartPrefix: string,
	level: string
): string {
	const lines: string[] = [`${level} ${index + 1}. ${scenario.title}`, ''];
	const separate = scenario.separateRun;
	if (separate) {
		lines.push(
			`Measured in a separate run: \`${separate.command}\`, started ${separate.startedAt}, ${separate.runsPerScenario} run(s) per figure, commit ${separate.gitCommit}, 1-minute load average ${separate.loadAverage.start.toFixed(1)} at the start and ${separate.loadAverage.end.toFixed(1)} at the end.`,
			''
		);
	}
	if (scenario.status !== 'measured') {
		const label = scenario.status === 'failed' ? 'Failed' : 'Not measured yet';
		lines.push(`**${label}.** ${scenario.reason ?? ''}`, '');
		if (scenario.notes.length > 0) lines.push(...scenario.notes.map((note) => `- ${note}`), '');
		return lines.join('\n');
	}
	const parameters = Object.entries(scenario.parameters)
		.map(
			([name, value]) =>
				`${name} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`
		)
		.join(' · ');
	if (parameters)
		lines.push(`Parameters: ${parameters} · took ${scenario.durationSeconds.toFixed(0)} s`, '');
	lines.push(
		table(
			['Figure', 'Median', 'Min', 'Max', 'Runs'],
			scenario.metrics.map((metric) => [
				metric.label,
				formatValue(metric.median, metric.unit),
				formatValue(metric.min, metric.unit),
				formatValue(metric.max, metric.unit),
				formatRuns(metric)
			])
		),
		''
	);
	if (scenario.targets.length > 0) {
		lines.push(table(['Target', 'Limit', 'Median', 'Verdict'], targetRows(scenario.targets)), '');
	}
	for (const chart of charts.filter(
		(candidate) =>
			candidate.file === `${scenario.id}.svg` || candidate.file.startsWith(`${scenario.id}-`)
	)) {
		lines.push(`![${chart.title}](${chartPrefix}${chart.file})`, '');
	}
	if (scenario.notes.length > 0) lines.push(...scenario.notes.map((note) => `- ${note}`), '');
	for (const extra of scenario.tables) {
		lines.push(`**${extra.title}**`, '', table(extra.columns, extra.rows), '');
	}
	for (const profile of scenario.profiles) {
		lines.push(
			`**CPU profile: ${profile.phase}** (${formatValue(profile.busyMs, 'ms')} busy on the page's main thread)`,
			''
		);
		if (profile.categories && profile.categories.length > 0) {
			lines.push(
				table(
					['Kind of work', 'Self', 'Share'],
					profile.categories.map((entry) => [
						entry.category,
						formatValue(entry.selfMs, 'ms'),
						`${entry.selfPercent.toFixed(1)} %`
					])
				),
				''
			);
		}
		lines.push(
			'Top functions by self time:',
			'',
			table(
				['Function', 'Location', 'Self', 'Share'],
				profile.top.map((entry) => [
					`\`${entry.functionName}\``,
					entry.location,
					formatValue(entry.selfMs, 'ms'),
					`${entry.selfPercent.toFixed(1)} %`
				])
			),
			''
		);
	}
	return lines.join('\n');
}

/**
 * Renders the results page. `chartPrefix` is the path from the page to the
 * chart files; `headingLevel` is the level of the page's title (1 for
 * latest.md, 2 inside the README).
 */
export function renderMarkdown(
	report: BenchReport,
	charts: readonly Chart[],
	options: { chartPrefix?: string; headingLevel?: number } = {}
): string {
	const chartPrefix = options.chartPrefix ?? '';
	const level = '#'.repeat(options.headingLevel ?? 1);
	const { environment } = report;
	const versions = Object.entries(environment.versions)
		.map(([name, version]) => `${name} ${version}`)
		.join(', ');
	const lines: string[] = [
		`${level} Benchmark results${report.quick ? ' (quick run: tiny sizes, not comparable)' : ''}`,
		'',
		`Command: \`${report.command}\` · started ${report.startedAt} · took ${(report.durationSeconds / 60).toFixed(1)} min · ${report.runsPerScenario} run(s) per figure, median shown`,
		'',
		`Machine: ${environment.cpuModel}, ${environment.cores} cores, ${environment.memoryGB.toFixed(0)} GB memory, ${environment.os}; 1-minute load average ${environment.loadAverage.start.toFixed(1)} at the start and ${environment.loadAverage.end.toFixed(1)} at the end${environment.loadAverage.median === undefined ? '' : `, median ${environment.loadAverage.median.toFixed(1)} and maximum ${(environment.loadAverage.max ?? 0).toFixed(1)} during the run`} (the machine is shared with other work, so the figures are noisy).`,
		'',
		`Versions: ${versions}; commit ${environment.gitCommit}.`,
		''
	];
	if (report.setup.length > 0) lines.push(...report.setup.map((fact) => `- ${fact}`), '');
	const targets = report.scenarios.flatMap((scenario) => scenario.targets);
	if (targets.length > 0) {
		lines.push(
			`${level}# Targets`,
			'',
			table(['Target', 'Limit', 'Median', 'Verdict'], targetRows(targets)),
			''
		);
		const overview = charts.find((chart) => chart.file === 'targets.svg');
		if (overview) lines.push(`![${overview.title}](${chartPrefix}${overview.file})`, '');
	}
	const notMeasured = report.scenarios.filter((scenario) => scenario.status !== 'measured');
	if (notMeasured.length > 0) {
		lines.push(
			`Not measured: ${notMeasured.map((scenario) => `${scenario.title} (${scenario.status})`).join('; ')}.`,
			''
		);
	}
	report.scenarios.forEach((scenario, index) => {
		lines.push(scenarioSection(scenario, index, charts, chartPrefix, `${level}#`));
	});
	return (
		lines
			.join('\n')
			.replace(/\n{3,}/g, '\n\n')
			.trimEnd() + '\n'
	);
}

/** Replaces the results section of the README, between its markers, with `section`. */
export function replaceReadmeResults(readme: string, section: string): string {
	const start = readme.indexOf(README_START);
	const end = readme.indexOf(README_END);
	if (start === -1 || end === -1 || end < start) {
		throw new Error(`The README has no ${README_START} … ${README_END} section to replace`);
	}
	return `${readme.slice(0, start + README_START.length)}\n\n${section.trimEnd()}\n\n${readme.slice(end)}`;
}

/** Renders the plain table printed at the end of a run. */
export function renderConsoleTable(report: BenchReport): string {
	const rows: string[][] = [['Scenario', 'Figure', 'Median', 'Min', 'Max']];
	for (const scenario of report.scenarios) {
		if (scenario.status !== 'measured') {
			rows.push([scenario.title, scenario.status, scenario.reason ?? '', '', '']);
			continue;
		}
		for (const metric of scenario.metrics) {
			rows.push([
				scenario.id,
				metric.label,
				formatValue(metric.median, metric.unit),
				formatValue(metric.min, metric.unit),
				formatValue(metric.max, metric.unit)
			]);
		}
	}
	const widths = rows[0]!.map((_, column) =>
		Math.min(60, Math.max(...rows.map((row) => (row[column] ?? '').length)))
	);
	const format = (row: string[]): string =>
		row
			.map((cell, column) => {
				const width = widths[column] ?? 0;
				const text = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
				return column >= 2 ? text.padStart(width) : text.padEnd(width);
			})
			.join('  ');
	const lines = rows.map(format);
	lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
	const targets = report.scenarios.flatMap((scenario) => scenario.targets);
	if (targets.length > 0) {
		lines.push('', 'Targets:');
		for (const target of targets)
			lines.push(`  ${target.met ? 'met   ' : 'MISSED'}  ${target.label}: ${target.margin}`);
	}
	return lines.join('\n');
}
