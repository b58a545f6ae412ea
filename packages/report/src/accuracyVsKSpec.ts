import type { TopLevelSpec } from 'vega-lite';
import { chartConfig, frameLayer, kAxisValues } from './chartTheme.js';
import type { Results } from './resultsSchema.js';

/** Accuracy points published by the reference experiment (one run), for overlaying on the chart. */
export const REFERENCE_ACCURACY: ReadonlyArray<{
  /** Number of conv2 channels pruned. */
  k: number;
  /** Test pair accuracy (0 … 1) at that K. */
  accuracy: number;
}> = [
  { k: 1, accuracy: 0.962 },
  { k: 4, accuracy: 0.945 },
  { k: 8, accuracy: 0.9305 },
  { k: 16, accuracy: 0.9325 },
  { k: 24, accuracy: 0.877 },
  { k: 28, accuracy: 0.787 },
  { k: 31, accuracy: 0.5345 },
];

/**
 * The lab's published points as the chart's `reference` option, for a run on the lab's configuration (embedded data,
 * its fractions, pairs and epochs, layer conv2, ranked on the test set); undefined otherwise, where they are not comparable.
 */
export function labReference(results: Results): AccuracyChartOptions['reference'] {
  const c = results.config;
  const isLab = c.data === null && c.trainFraction === 0.1 && c.testFraction === 0.1 && c.trainPairs === 10000 && c.testPairs === 2000 && c.epochs === 10 && c.layer === 'conv2' && c.calibration === 'test';
  return isLab ? { label: 'reference (PyTorch)', points: REFERENCE_ACCURACY } : undefined;
}

/** Options of the accuracy-vs-K chart. */
export interface AccuracyChartOptions {
  /** Width of the plot area in pixels (default 560). */
  width?: number;
  /** Height of the plot area in pixels (default 340). */
  height?: number;
  /** Extra points drawn as grey crosses, e.g. REFERENCE_ACCURACY; omitted when undefined. */
  reference?: {
    /** Legend entry for the points. */
    label: string;
    /** The points: accuracy (0 … 1) at each K. */
    points: ReadonlyArray<{ k: number; accuracy: number }>;
  };
  /** Draw each seed's curve faintly under the mean when there are several seeds (default true). */
  seedLines?: boolean;
}

/** One row of the accuracy chart's data: a criterion's mean (and spread) at one K. */
export interface AccuracyRow {
  /** The importance criterion's name. */
  criterion: string;
  /** Number of channels pruned. */
  k: number;
  /** Mean test pair accuracy over seeds (0 … 1). */
  mean: number;
  /** Sample standard deviation of the accuracy over seeds (0 with one seed). */
  std: number;
  /** Lower edge of the band: mean - std, clamped at 0. */
  lo: number;
  /** Upper edge of the band: mean + std, clamped at 1. */
  hi: number;
  /** Number of seeds averaged. */
  seeds: number;
}

/** The chart's rows, from the results summary (mean ± std over seeds per criterion and K). */
export function accuracyRows(results: Results): AccuracyRow[] {
  return results.summary.flatMap((s) =>
    s.k.map((k, i) => {
      const mean = s.mean[i] ?? Number.NaN;
      const std = s.std[i] ?? 0;
      return { criterion: s.criterion, k, mean, std, lo: Math.max(0, mean - std), hi: Math.min(1, mean + std), seeds: s.seeds };
    }),
  );
}

const CATEGORY10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Vega-Lite spec of test pair accuracy vs K: one line per criterion, a mean ± std band when there are several
 * seeds, the chance level, and optional reference points. Rendered to PNG by the CLI and live by the viewer.
 */
export function accuracyVsKSpec(results: Results, options: AccuracyChartOptions = {}): TopLevelSpec {
  const { width = 560, height = 340, reference, seedLines = true } = options;
  const rows = accuracyRows(results);
  const criteria = results.summary.map((s) => s.criterion);
  const seeds = Math.max(...results.summary.map((s) => s.seeds));
  const channels = results.layer.channels;
  const series = reference ? [...criteria, reference.label] : criteria;
  const range = [...criteria.map((_, i) => CATEGORY10[i % CATEGORY10.length] as string), ...(reference ? ['#333333'] : [])];
  const color = {
    field: 'criterion',
    type: 'nominal' as const,
    scale: { domain: series, range },
    legend: {
      title: 'criterion',
      orient: 'right' as const,
      labelLimit: 260,
      titleLimit: 260,
      symbolSize: 70,
      // The band layer's opacity would otherwise fade the legend symbols.
      encode: { symbols: { update: { opacity: { value: 1 }, fillOpacity: { value: 1 } } } },
      symbolStrokeWidth: 0,
    },
  };
  // Circles for criteria, a cross for the reference: a shape scale merged into the colour legend.
  const shape = { field: 'criterion', type: 'nominal' as const, scale: { domain: series, range: series.map((_, i) => (i < criteria.length ? 'circle' : 'cross')) } };
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
  if (seeds > 1) {
    layers.push({
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: colorNoLegend },
    });
    if (seedLines) {
      const seedRows = results.seedRuns.flatMap((run) =>
        run.criteria.flatMap((cr) => cr.accuracy.map((accuracy, k) => ({ criterion: cr.criterion, seed: run.seed, k, accuracy }))),
      );
      layers.push({
        data: { values: seedRows },
        mark: { type: 'line', strokeWidth: 0.7, opacity: 0.35 },
        encoding: { x, y: { field: 'accuracy', type: 'quantitative' }, color: colorNoLegend, detail: { field: 'seed', type: 'nominal' } },
      });
    }
  }
  layers.push({
    mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 30 } },
    encoding: {
      x,
      y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false, nice: true } },
      color,
      shape,
      tooltip: [
        { field: 'criterion', title: 'criterion' },
        { field: 'k', title: 'K', format: 'd' },
        { field: 'mean', title: seeds > 1 ? 'mean accuracy' : 'accuracy', format: '.4f' },
        ...(seeds > 1 ? [{ field: 'std', title: 'std', format: '.4f' }] : []),
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
          { field: 'criterion', title: 'series' },
          { field: 'k', title: 'K' },
          { field: 'accuracy', title: 'accuracy', format: '.4f' },
        ],
      },
    });
  }
  const calibration = results.calibration.source === 'test' ? 'test pairs' : 'held-out train pairs';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Test pair accuracy vs channels pruned (${results.layer.name})`,
      subtitle: [
        `${channels} channels, ranked on ${results.calibration.pairs} ${calibration}; accuracy on ${results.dataset.test.pairs} test pairs`,
        ...(seeds > 1 ? [`mean ± std over ${seeds} seeds (thin lines: each seed)`] : []),
      ],
    },
    width,
    height,
    data: { values: rows },
    layer: [...layers, frameLayer()],
    config: chartConfig(),
  } as TopLevelSpec;
}
