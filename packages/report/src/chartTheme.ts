import type { Config } from 'vega-lite';

/** Font stack of every chart: DejaVu Sans first, since the CLI rasterises with it, then browser fallbacks. */
export const CHART_FONT = 'DejaVu Sans, Verdana, Helvetica, Arial, sans-serif';

/** Shared Vega-Lite config giving every chart the same report look (white background, light grid, matplotlib's tab10 colours). */
export function chartConfig(): Config {
  return {
    font: CHART_FONT,
    background: 'white',
    padding: 12,
    view: { stroke: null },
    title: { fontSize: 15, fontWeight: 'bold', anchor: 'middle', offset: 12, subtitleFontSize: 11, subtitleColor: '#555' },
    axis: {
      labelFontSize: 11,
      titleFontSize: 13,
      titleFontWeight: 'normal',
      gridColor: '#d9d9d9',
      gridDash: [3, 3],
      domainColor: '#444',
      tickColor: '#444',
    },
    legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
    header: { labelFontSize: 12, titleFontSize: 13 },
    range: { category: { scheme: 'category10' } },
  };
}

/** Tick values of a K axis (0 … C-1): every K up to 16 channels, otherwise steps of 4, 8 or ~C/10, always ending at C-1. */
export function kAxisValues(channels: number): number[] {
  const last = channels - 1;
  const step = last <= 16 ? 1 : last <= 40 ? 4 : last <= 80 ? 8 : Math.ceil(last / 10);
  const ticks: number[] = [];
  for (let k = 0; k <= last; k += step) ticks.push(k);
  if (ticks[ticks.length - 1] !== last) ticks.push(last);
  return ticks;
}

/**
 * A layer drawing the plot frame above the grid (the view's own stroke is drawn under the dashed grid lines,
 * which would make the top and right edges look dashed).
 */
export function frameLayer(): unknown {
  return {
    data: { values: [{}] },
    mark: { type: 'rect', fill: null, stroke: '#444', strokeWidth: 1 },
    encoding: { x: { value: 0 }, x2: { value: 'width' }, y: { value: 0 }, y2: { value: 'height' } },
  };
}
