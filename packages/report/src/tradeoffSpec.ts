import type { TopLevelSpec } from 'vega-lite';
import { accuracyRows, controlRows } from './accuracyVsKSpec.js';
import { chartConfig, frameLayer } from './chartTheme.js';
import type { Results } from './resultsSchema.js';

/** Options of the trade-off chart. */
export interface TradeoffChartOptions {
  /** Width of each panel in pixels (default 220). */
  panelWidth?: number;
  /** Height of each panel in pixels (default 200). */
  height?: number;
  /** Columns of the legend under the panels (default 2) and its longest label in pixels (default 300). */
  legendColumns?: number;
  labelLimit?: number;
  /** Draw the title and subtitle (default true). */
  title?: boolean;
}

const COSTS = [
  { key: 'params', title: 'parameters (% of unpruned)' },
  { key: 'macs', title: 'MACs per pair (% of unpruned)' },
  { key: 'latencyMs', title: 'latency per batch (% of unpruned)' },
] as const;

/**
 * Vega-Lite spec of test pair accuracy against the pruned model's cost: one panel per cost (parameters, MACs,
 * latency when timed), each point a K of a curve, the cost as a percentage of the unpruned model's. The curves
 * are the run's criteria and the greedy oracle; every criterion prunes the same layer, so a K costs the same for all.
 * It answers "how much accuracy does each percent of MACs cost".
 *
 * @param results - a run's results ({@link parseResults}), with `costs` measured.
 * @param options - panel size, legend columns and label width, whether to draw a title.
 * @returns A Vega-Lite spec with its data inline.
 *
 * @example
 * ```ts
 * import { renderSvg, tradeoffSpec } from '@prune/report';
 *
 * const svg = await renderSvg(tradeoffSpec(results, { panelWidth: 260, legendColumns: 3 }));
 * ```
 */
export function tradeoffSpec(results: Results, options: TradeoffChartOptions = {}): TopLevelSpec {
  const { panelWidth = 220, height = 200, legendColumns = 2, labelLimit = 300, title = true } = options;
  const base = results.costs.find((c) => c.k === 0);
  const curves = [
    ...accuracyRows(results).map((r) => ({ curve: r.criterion, k: r.k, accuracy: r.mean })),
    ...controlRows(results)
      .filter((r) => !r.series.startsWith('random'))
      .map((r) => ({ curve: r.series, k: r.k, accuracy: r.mean })),
  ];
  const domain = [...new Set(curves.map((c) => c.curve))];
  const panels = COSTS.filter((m) => results.costs.some((c) => c[m.key] !== null)).map((m) => {
    const byK = new Map(results.costs.map((c) => [c.k, c[m.key]]));
    const ref = base?.[m.key] ?? null;
    const values = curves.flatMap((c) => {
      const cost = byK.get(c.k);
      return cost === null || cost === undefined || !ref ? [] : [{ ...c, cost, percent: (100 * cost) / ref }];
    });
    return {
      width: panelWidth,
      height,
      layer: [
        {
          data: { values },
          // Latency is timed, not counted: its noise would zigzag a line drawn in K order, so it gets points only.
          mark: m.key === 'latencyMs' ? { type: 'point', filled: true, size: 22 } : { type: 'line', strokeWidth: 1.6, point: { filled: true, size: 18 } },
          encoding: {
            // Five ticks: at ten, "100" and "90" overlapped in a 220-pixel panel.
            x: { field: 'percent', type: 'quantitative', title: m.title, scale: { zero: false, reverse: true }, axis: { tickCount: 5 } },
            y: { field: 'accuracy', type: 'quantitative', title: 'test pair accuracy', scale: { zero: false } },
            color: { field: 'curve', type: 'nominal', title: 'curve', scale: { domain }, legend: { orient: 'bottom', columns: legendColumns, labelLimit } },
            order: { field: 'k', type: 'quantitative' },
            tooltip: [
              { field: 'curve', title: 'curve' },
              { field: 'k', title: 'K' },
              { field: 'accuracy', title: 'accuracy', format: '.4f' },
              { field: 'cost', title: m.key === 'latencyMs' ? 'latency (ms)' : m.key, format: m.key === 'latencyMs' ? '.2f' : ',d' },
              { field: 'percent', title: '% of unpruned', format: '.1f' },
            ],
          },
        },
        frameLayer(),
      ],
    };
  });
  const batch = results.latency ? `; latency: median of ${results.latency.runs} passes of ${results.latency.batch} pairs` : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title: { text: `Accuracy against cost (${results.layer.name} channels removed)`, subtitle: `each point is one K; cost as % of the unpruned model${batch}` } } : {}),
    hconcat: panels,
    spacing: 24,
    config: chartConfig(),
  } as TopLevelSpec;
}
