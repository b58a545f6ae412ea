import { accuracyVsKSpec, type Results } from '@prune/report';
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from './vegaChart';

/** The accuracy-vs-K chart with the what-if model drawn on it as one extra point. */
export interface AccuracyChart {
  /** (Re)draws the chart at the container's width. */
  render(): Promise<void>;
  /** Marks the what-if model (K channels off, its accuracy), or removes the mark with null. */
  mark(point: { k: number; accuracy: number; custom: boolean } | null): Promise<void>;
}

/** Builds the chart from @prune/report's accuracyVsKSpec, sized to `container`. */
export function accuracyChart(container: HTMLElement, results: Results): AccuracyChart {
  let view: View | undefined;
  let point: { k: number; accuracy: number; custom: boolean } | null = null;
  const data = (): object[] => (point ? [{ ...point, series: point.custom ? 'what-if (custom mask)' : 'what-if' }] : []);
  return {
    async render() {
      // On a narrow screen the legend goes under the plot, so the chart is drawn at the screen's width (never scaled down).
      const narrow = container.clientWidth < 640;
      const width = Math.max(200, Math.min(760, container.clientWidth - (narrow ? 70 : 330)));
      const height = Math.round(Math.max(200, Math.min(340, width * 0.62)));
      // On a phone the section heading stands for the chart's title, which would be wider than the screen.
      const spec = accuracyVsKSpec(results, { width, height, legend: narrow ? 'bottom' : 'right', ...(narrow ? { title: false, labelLimit: width - 30 } : {}) }) as TopLevelSpec & { layer: unknown[] };
      // The viewer adds one layer of its own on top of the shared spec: the live what-if model.
      spec.layer.push({
        data: { name: 'whatif' },
        mark: { type: 'point', shape: 'diamond', size: 160, filled: true, color: '#111', stroke: '#fff', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'k', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          tooltip: [
            { field: 'series', title: 'model' },
            { field: 'k', title: 'channels off' },
            { field: 'accuracy', title: 'accuracy', format: '.4f' },
          ],
        },
      });
      view?.finalize();
      container.replaceChildren();
      view = await renderChart(container, spec);
      await view.data('whatif', data()).runAsync();
    },
    async mark(next) {
      point = next;
      if (view) await view.data('whatif', data()).runAsync();
    },
  };
}
