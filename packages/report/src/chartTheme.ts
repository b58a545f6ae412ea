import type { Config } from 'vega-lite';

/** Font stack of every chart: DejaVu Sans first, since the CLI rasterises with it, then browser fallbacks. */
export const CHART_FONT = 'DejaVu Sans, Verdana, Helvetica, Arial, sans-serif';

/** Shared Vega-Lite config giving every chart the same report look (white background, light grid, matplotlib's tab10 colours). */
export function chartConfig(): Config {
  return {
    font: CHART_FONT,
    background: 'white',
    padding: 12,
    view: { stroke: '#444', strokeWidth: 1 },
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
