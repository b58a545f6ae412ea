import type { TopLevelSpec } from 'vega-lite';
import { chartConfig, frameLayer, kAxisValues } from './chartTheme.js';
import type { CostRecord } from './resultsSchema.js';

/** Options of the cost chart. */
export interface CostChartOptions {
  /** Width of each of the panels (default 240). */
  panelWidth?: number;
  /** Height of each panel in pixels (default 220). */
  height?: number;
  /** Layer name for the title. */
  layer?: string;
  /** Subtitle, e.g. what the MACs count covers. */
  subtitle?: string;
  /** Pairs per timed forward pass, named in the latency panel's title. */
  latencyBatch?: number;
  /** Draw the title and subtitle (default true). */
  title?: boolean;
}

const METRICS = [
  { key: 'params', title: 'parameters (thousands)', format: ',.0f', color: '#1f77b4', scale: 1e-3 },
  { key: 'macs', title: 'MACs per pair (millions)', format: '.2f', color: '#ff7f0e', scale: 1e-6 },
  { key: 'latencyMs', title: 'latency per batch (ms, median)', format: '.1f', color: '#2ca02c' },
] as const;

/**
 * Vega-Lite spec of the physically pruned model's cost vs K: parameters, MACs and latency side by side,
 * each with its own y axis, and the fraction of the unpruned model on hover. The latency panel is left out
 * when no latency was measured.
 *
 * @param costs - one record per K (`results.costs`): parameters, MACs and latency (null when not timed).
 * @param options - panel size, the layer and subtitle for the title, the latency batch, whether to draw a title.
 * @returns A Vega-Lite spec with its data inline.
 *
 * @example
 * ```ts
 * import { costSpec, renderSvg } from '@prune/report';
 *
 * const svg = await renderSvg(costSpec(results.costs, {
 *   layer: results.layer.name,
 *   ...(results.latency ? { latencyBatch: results.latency.batch } : {}),
 * }));
 * ```
 */
export function costSpec(costs: readonly CostRecord[], options: CostChartOptions = {}): TopLevelSpec {
  const { panelWidth = 240, height = 220, layer, subtitle = 'channels physically removed', latencyBatch, title = true } = options;
  const sorted = [...costs].sort((a, b) => a.k - b.k);
  const base = sorted[0];
  const last = sorted[sorted.length - 1]?.k ?? 0;
  const panels = METRICS.filter((m) => m.key !== 'latencyMs' || sorted.some((c) => c.latencyMs !== null)).map((m) => {
    const values = sorted
      .filter((c) => c[m.key] !== null)
      .map((c) => {
        const raw = c[m.key] as number;
        const ref = base ? (base[m.key] as number | null) : null;
        return { k: c.k, value: raw * ('scale' in m ? m.scale : 1), raw, fraction: ref ? raw / ref : null };
      });
    return {
      title: { text: m.key === 'latencyMs' && latencyBatch ? `latency per batch of ${latencyBatch} pairs (ms, median)` : m.title, fontSize: 12, fontWeight: 'normal' },
      width: panelWidth,
      height,
      layer: [
        {
      data: { values },
      mark: { type: 'line', color: m.color, strokeWidth: 2, point: { filled: true, size: 22, color: m.color } },
      encoding: {
        x: { field: 'k', type: 'quantitative', title: 'K (channels pruned)', scale: { domain: [0, last], nice: false }, axis: { tickMinStep: 1, format: 'd', values: kAxisValues(last + 1) } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: true }, axis: { format: m.format } },
        tooltip: [
          { field: 'k', title: 'K' },
          { field: 'raw', title: m.title, format: m.key === 'params' || m.key === 'macs' ? ',d' : '.2f' },
          { field: 'fraction', title: 'of unpruned', format: '.1%' },
        ],
      },
        },
        frameLayer(),
      ],
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title: { text: `Cost of the pruned model vs K${layer ? ` (${layer} channels removed)` : ''}`, subtitle } } : {}),
    hconcat: panels,
    spacing: 28,
    config: chartConfig(),
  } as TopLevelSpec;
}
