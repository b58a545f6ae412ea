import type { TopLevelSpec } from 'vega-lite';
import { chartConfig, frameLayer, kAxisValues } from './chartTheme.js';
import type { ReferenceRecord, Results } from './resultsSchema.js';

/** Options of the accuracy-vs-K chart. */
export interface AccuracyChartOptions {
  /** Width of the plot area in pixels (default 560). */
  width?: number;
  /** Height of the plot area in pixels (default 340). */
  height?: number;
  /** Extra points drawn as crosses; default the run's own `reference` (the lab's published points), null for none. */
  reference?: ReferenceRecord | null;
  /** Where the legend goes (default right; bottom on a narrow screen, so the plot keeps the width). */
  legend?: 'right' | 'bottom';
  /** Longest legend label in pixels (default 400). */
  labelLimit?: number;
  /** Draw the title and subtitle (default true; a page with its own heading may leave them out on a narrow screen). */
  title?: boolean;
  /** Draw each seed's curve faintly under the mean when there are several seeds (default true). */
  seedLines?: boolean;
}

/** One row of the accuracy chart's data: a curve's mean (and its band) at one K. */
export interface AccuracyRow {
  /** The curve's legend name (the criterion, and where it was ranked when that differs from the run's calibration). */
  criterion: string;
  /** Number of channels pruned. */
  k: number;
  /** Mean test pair accuracy over seeds (0 … 1). */
  mean: number;
  /** Sample standard deviation of the accuracy over seeds (0 with one seed). */
  std: number;
  /** Lower edge of the band: mean - std over seeds, or the binomial interval's lower end with one seed. */
  lo: number;
  /** Upper edge of the band. */
  hi: number;
  /** Number of seeds averaged. */
  seeds: number;
}

/**
 * The accuracy chart's rows: per curve and K, the mean over seeds with its band (± std over seeds; with one seed
 * the 95% binomial interval). The data {@link accuracyVsKSpec} draws, for a table or a chart of your own.
 *
 * @param results - a run's results ({@link parseResults}).
 * @returns One row per curve and K, curves in `results.summary` order.
 *
 * @example
 * ```ts
 * import { accuracyRows } from '@prune/report';
 *
 * for (const row of accuracyRows(results).filter((r) => r.criterion === 'mean')) {
 *   const band = `[${row.lo.toFixed(3)}, ${row.hi.toFixed(3)}]`;
 *   console.log(`K=${row.k} ${row.mean.toFixed(4)} ${band}`); // K=8 0.9580 [0.948, 0.966]
 * }
 * ```
 */
export function accuracyRows(results: Results): AccuracyRow[] {
  return results.summary.flatMap((s) => {
    const single = s.seeds === 1 ? results.seedRuns[0]?.criteria.find((c) => c.criterion === s.criterion && c.rankedOn === s.rankedOn) : undefined;
    return s.k.map((k, i) => {
      const mean = s.mean[i] ?? Number.NaN;
      const std = s.std[i] ?? 0;
      const lo = single ? (single.interval.lower[i] ?? mean) : Math.max(0, mean - std);
      const hi = single ? (single.interval.upper[i] ?? mean) : Math.min(1, mean + std);
      return { criterion: s.label, k, mean, std, lo, hi, seeds: s.seeds };
    });
  });
}

/** One row of a reference curve: the random control (mean and min–max over its orders) or the greedy oracle. */
export interface ControlRow {
  series: string;
  k: number;
  mean: number;
  lo: number;
  hi: number;
  /** Curves behind the row (random orders × seeds, or seeds). */
  curves: number;
}

/**
 * The reference curves' rows: the random control (mean and min–max over its random orders) and the greedy oracle,
 * pooled over every seed run that has them; empty when the run computed no controls. A criterion worth using stays
 * above the random band.
 *
 * @param results - a run's results ({@link parseResults}).
 * @returns The random control's rows, then the oracle's, one per K.
 *
 * @example
 * ```ts
 * import { controlRows } from '@prune/report';
 *
 * const random = controlRows(results).filter((r) => r.series.startsWith('random'));
 * console.log(random[24]?.mean); // mean at K = 24: 0.908 in the lab's default run
 * ```
 */
export function controlRows(results: Results): ControlRow[] {
  const random = results.seedRuns.flatMap((r) => r.controls?.random?.accuracy ?? []);
  const oracle = results.seedRuns.flatMap((r) => (r.controls?.oracle ? [r.controls.oracle.accuracy] : []));
  const rows = (series: string, curves: number[][]): ControlRow[] =>
    curves.length === 0
      ? []
      : (curves[0] as number[]).map((_, k) => {
          const values = curves.map((c) => c[k] as number);
          return { series, k, mean: values.reduce((a, b) => a + b, 0) / values.length, lo: Math.min(...values), hi: Math.max(...values), curves: values.length };
        });
  return [...rows(randomLabel(random.length), random), ...rows(ORACLE_LABEL, oracle)];
}

const ORACLE_LABEL = 'greedy oracle (test pairs)';
const randomLabel = (orders: number): string => `random × ${orders} (mean, range)`;

const CATEGORY10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Vega-Lite spec of test pair accuracy vs K, the report's main chart: one line per curve with its band (mean ± std
 * over seeds, or the 95% binomial interval with one seed), the random control's band and the greedy oracle, the
 * chance level, and the run's reference points. Rendered to SVG and PNG by the experiment and live by the viewer.
 *
 * @param results - a run's results ({@link parseResults}).
 * @param options - size, legend placement, title, per-seed lines and the reference points to draw.
 * @returns A Vega-Lite spec with its data inline: render it with {@link renderSvg} or a `vega.View`.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { accuracyVsKSpec, renderSvg } from '@prune/report';
 *
 * const spec = accuracyVsKSpec(results, { width: 480, legend: 'bottom', reference: null });
 * await writeFile('accuracy_vs_k.svg', await renderSvg(spec));
 * ```
 */
export function accuracyVsKSpec(results: Results, options: AccuracyChartOptions = {}): TopLevelSpec {
  const { width = 560, height = 340, seedLines = true, legend = 'right', labelLimit = 400, title = true } = options;
  const reference = options.reference === undefined ? results.reference : options.reference;
  const rows = accuracyRows(results);
  const controls = controlRows(results);
  const criteria = results.summary.map((s) => s.label);
  const controlSeries = [...new Set(controls.map((c) => c.series))];
  const seeds = Math.max(...results.summary.map((s) => s.seeds));
  const channels = results.layer.channels;
  const series = [...criteria, ...controlSeries, ...(reference ? [reference.label] : [])];
  const range = [
    ...criteria.map((_, i) => CATEGORY10[i % CATEGORY10.length] as string),
    ...controlSeries.map((s) => (s === ORACLE_LABEL ? '#111111' : '#9a9a9a')),
    ...(reference ? ['#555555'] : []),
  ];
  const color = {
    field: 'criterion',
    type: 'nominal' as const,
    scale: { domain: series, range },
    legend: {
      title: 'curve',
      orient: legend,
      ...(legend === 'bottom' ? { columns: 1, direction: 'vertical' as const } : {}),
      labelLimit,
      titleLimit: labelLimit,
      symbolSize: 70,
      // The band layer's opacity would otherwise fade the legend symbols.
      encode: { symbols: { update: { opacity: { value: 1 }, fillOpacity: { value: 1 } } } },
      symbolStrokeWidth: 0,
    },
  };
  // Circles for criteria, a square for the controls, a cross for the reference: a shape scale merged into the colour legend.
  const shape = {
    field: 'criterion',
    type: 'nominal' as const,
    scale: { domain: series, range: series.map((_, i) => (i < criteria.length ? 'circle' : i < criteria.length + controlSeries.length ? 'square' : 'cross')) },
  };
  // Layers other than the main line leave the legend unspecified: a `legend: null` would disable the merged legend.
  const { legend: _legend, ...colorNoLegend } = color;
  const x = {
    field: 'k',
    type: 'quantitative' as const,
    title: 'K (channels pruned)',
    scale: { domain: [0, channels - 1], nice: false },
    axis: { tickMinStep: 1, format: 'd', values: kAxisValues(channels) },
  };
  const yTitle = 'test pair accuracy';
  const layers: unknown[] = [
    {
      data: { values: [{ chance: 0.5 }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: '#888' },
      encoding: { y: { field: 'chance', type: 'quantitative' } },
    },
    {
      data: { values: [{ chance: 0.5, k: 0, label: 'chance' }] },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, color: '#777', fontSize: 11 },
      encoding: { x: { field: 'k', type: 'quantitative' }, y: { field: 'chance', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
  // Every curve's band: ± std over seeds, or with one seed the binomial interval over the test pairs.
  layers.push({
    mark: { type: 'area', opacity: seeds > 1 ? 0.18 : 0.08 },
    encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: colorNoLegend },
  });
  if (seeds > 1 && seedLines) {
    const seedRows = results.seedRuns.flatMap((run) =>
      run.criteria.flatMap((cr) => {
        const label = results.summary.find((s) => s.criterion === cr.criterion && s.rankedOn === cr.rankedOn)?.label ?? cr.criterion;
        return cr.accuracy.map((accuracy, k) => ({ criterion: label, seed: run.seed, k, accuracy }));
      }),
    );
    layers.push({
      data: { values: seedRows },
      mark: { type: 'line', strokeWidth: 0.7, opacity: 0.35 },
      encoding: { x, y: { field: 'accuracy', type: 'quantitative' }, color: colorNoLegend, detail: { field: 'seed', type: 'nominal' } },
    });
  }
  if (controls.length > 0) {
    const values = controls.map((c) => ({ ...c, criterion: c.series }));
    layers.push({
      data: { values: values.filter((v) => v.curves > 1) },
      mark: { type: 'area', opacity: 0.16 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: colorNoLegend },
    });
    layers.push({
      data: { values },
      mark: { type: 'line', strokeWidth: 1.6, strokeDash: [5, 3], point: { filled: true, size: 14 } },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative' },
        color,
        shape,
        tooltip: [
          { field: 'criterion', title: 'curve' },
          { field: 'k', title: 'K', format: 'd' },
          { field: 'mean', title: 'accuracy (mean)', format: '.4f' },
          { field: 'lo', title: 'min', format: '.4f' },
          { field: 'hi', title: 'max', format: '.4f' },
        ],
      },
    });
  }
  layers.push({
    mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 30 } },
    encoding: {
      x,
      y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false, nice: true } },
      color,
      shape,
      tooltip: [
        { field: 'criterion', title: 'curve' },
        { field: 'k', title: 'K', format: 'd' },
        { field: 'mean', title: seeds > 1 ? 'mean accuracy' : 'accuracy', format: '.4f' },
        ...(seeds > 1 ? [{ field: 'std', title: 'std', format: '.4f' }] : [{ field: 'lo', title: '95% interval from', format: '.4f' }, { field: 'hi', title: 'to', format: '.4f' }]),
      ],
    },
  });
  if (reference) {
    layers.push({
      data: { values: reference.points.map((p) => ({ ...p, criterion: reference.label })) },
      mark: { type: 'point', size: 80, filled: true, strokeWidth: 0, opacity: 0.85 },
      encoding: {
        x,
        y: { field: 'accuracy', type: 'quantitative' },
        color,
        shape,
        tooltip: [
          { field: 'criterion', title: 'curve' },
          { field: 'k', title: 'K' },
          { field: 'accuracy', title: 'accuracy', format: '.4f' },
        ],
      },
    });
  }
  const calibration = results.calibration.source === 'test' ? 'test pairs' : 'held-out train pairs';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title
      ? {
        title: {
          text: `Test pair accuracy vs channels pruned (${results.layer.name})`,
          subtitle: [
            `${channels} channels, ranked on ${results.calibration.pairs} ${calibration}; accuracy on ${results.dataset.test.pairs} test pairs`,
            seeds > 1 ? `bands: mean ± std over ${seeds} seeds (thin lines: each seed)` : `bands: 95% binomial (Wilson) interval over the ${results.dataset.test.pairs} test pairs`,
          ],
        },
        }
      : {}),
    width,
    height,
    data: { values: rows },
    layer: [...layers, frameLayer()],
    config: chartConfig(),
  } as TopLevelSpec;
}
