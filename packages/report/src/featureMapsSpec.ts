import type { TopLevelSpec } from 'vega-lite';
import { chartConfig } from './chartTheme.js';

/** Mean activation maps of one layer: values flattened [C,H,W] with their shape. */
export interface MeanMaps {
  /** The layer's name or path, shown in the title and in errors. */
  layer: string;
  /** Mean activation of every channel at every position, flattened [C, H, W] (channel-major). */
  meanMap: ArrayLike<number>;
  /** The maps' shape [C, H, W]: channels, height, width. */
  mapShape: readonly [number, number, number];
  /** Number of images averaged, shown in the subtitle when given. */
  images?: number;
  /** Where the maps are taken, shown in the title in parentheses, e.g. `before ReLU`. */
  stage?: string;
}

/** Options of the feature-map grid. */
export interface FeatureMapsOptions {
  /** Maps per row (default 8, as the reference). */
  columns?: number;
  /** Side of one map in pixels (default 64). */
  cellSize?: number;
}

/** One pixel of one channel's map: raw mean value and its per-map min-max normalised value. */
export interface FeatureMapPixel {
  /** The channel, numbered from 1. */
  channel: number;
  /** Row within the map, from 0 at the top. */
  h: number;
  /** Column within the map, from 0 at the left. */
  w: number;
  /** The raw mean activation. */
  value: number;
  /** The value min-max normalised within its channel's map to [0, 1] (0 for a constant map). */
  norm: number;
}

/**
 * Pixels of every map, each map min-max normalised to [0, 1] on its own (a constant map becomes 0), channels
 * numbered from 1: the data of {@link featureMapsSpec}, for drawing the maps yourself (the viewer paints them on a
 * canvas). Throws naming the layer when `meanMap` does not have C·H·W values.
 *
 * @param maps - the layer, its mean maps flattened [C, H, W] and their shape.
 * @returns One pixel per channel, row and column, channel-major.
 *
 * @example
 * ```ts
 * import { featureMapPixels } from '@prune/report';
 *
 * const pixels = featureMapPixels({
 *   layer: 'conv2',
 *   meanMap: [0, 1, 2, 3, 5, 5, 5, 5], // two 2×2 maps
 *   mapShape: [2, 2, 2],
 * });
 * console.log(pixels.map((p) => p.norm)); // [0, 1/3, 2/3, 1, 0, 0, 0, 0]
 * ```
 */
export function featureMapPixels(maps: MeanMaps): FeatureMapPixel[] {
  const [channels, height, width] = maps.mapShape;
  const size = height * width;
  if (maps.meanMap.length !== channels * size) {
    throw new Error(`featureMapPixels: meanMap of ${maps.layer} has ${maps.meanMap.length} values, shape [${maps.mapShape.join(',')}] needs ${channels * size}`);
  }
  const pixels: FeatureMapPixel[] = [];
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < size; i++) {
      const v = maps.meanMap[c * size + i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const span = max - min;
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        const value = maps.meanMap[c * size + h * width + w] as number;
        pixels.push({ channel: c + 1, h, w, value, norm: span > 0 ? (value - min) / span : 0 });
      }
    }
  }
  return pixels;
}

/**
 * Vega-Lite spec of the grid of mean feature maps, as the reference draws it: 8 columns, each map min-max
 * normalised, gray (black = low, white = high), titled 1 … C, with one shared colour bar. Feed it the `meanMap`
 * of `collectActivationStats` (@prune/activations) or of a run's `seedRuns[i].stats`.
 *
 * @param maps - the layer, its mean maps flattened [C, H, W], their shape, and optionally the image count and stage.
 * @param options - maps per row (`columns`, default 8) and the side of one map in pixels (`cellSize`).
 * @returns A Vega-Lite spec with its data inline.
 *
 * @example
 * ```ts
 * import { featureMapsSpec, renderSvg } from '@prune/report';
 *
 * const { stats } = results.seedRuns[0]!;
 * const spec = featureMapsSpec({
 *   layer: stats.layer,
 *   meanMap: stats.meanMap,
 *   mapShape: stats.mapShape,
 *   images: stats.images,
 *   stage: 'before ReLU',
 * });
 * const svg = await renderSvg(spec);
 * ```
 */
export function featureMapsSpec(maps: MeanMaps, options: FeatureMapsOptions = {}): TopLevelSpec {
  const { columns = 8, cellSize = 64 } = options;
  const [channels, height, width] = maps.mapShape;
  const rows = Math.ceil(channels / columns);
  const spacing = 10;
  const headerHeight = 18;
  const gridHeight = rows * (cellSize + headerHeight) + (rows - 1) * spacing;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Mean feature maps of ${maps.layer}${maps.stage ? ` (${maps.stage})` : ''}`,
      subtitle: `${channels} channels, ${height}×${width}${maps.images ? `, averaged over ${maps.images} images` : ''}; each map min-max normalised`,
    },
    // `edge` duplicates `norm` for the stroke, so its (hidden) legend does not merge with the colour bar.
    data: { values: featureMapPixels(maps) },
    transform: [{ calculate: 'datum.norm', as: 'edge' }],
    columns,
    spacing,
    facet: {
      field: 'channel',
      type: 'ordinal',
      sort: 'ascending',
      header: { title: null, labelFontSize: 12, labelPadding: 3 },
    },
    spec: {
      width: cellSize,
      height: cellSize * (height / width),
      // A hairline stroke in the fill colour hides the anti-aliasing seams between neighbouring pixels.
      mark: { type: 'rect', strokeWidth: 0.35 },
      encoding: {
        x: { field: 'w', type: 'ordinal', axis: null, scale: { paddingInner: 0, paddingOuter: 0 } },
        y: { field: 'h', type: 'ordinal', axis: null, scale: { paddingInner: 0, paddingOuter: 0 } },
        color: {
          field: 'norm',
          type: 'quantitative',
          scale: { domain: [0, 1], range: ['#000000', '#ffffff'] },
          legend: {
            title: 'normalised',
            orient: 'right',
            gradientLength: Math.max(120, gridHeight - 48),
            gradientThickness: 14,
            gradientStrokeColor: '#444',
            gradientStrokeWidth: 0.5,
            values: [0, 0.25, 0.5, 0.75, 1],
            format: '.2f',
            offset: 14,
          },
        },
        stroke: { field: 'edge', type: 'quantitative', scale: { domain: [0, 1], range: ['#000000', '#ffffff'] }, legend: null },
        tooltip: [
          { field: 'channel', title: 'channel' },
          { field: 'h', title: 'row' },
          { field: 'w', title: 'column' },
          { field: 'value', title: 'mean activation', format: '.4f' },
          { field: 'norm', title: 'normalised', format: '.3f' },
        ],
      },
    },
    config: { ...chartConfig(), view: { stroke: '#666', strokeWidth: 0.5 } },
  } as TopLevelSpec;
}
