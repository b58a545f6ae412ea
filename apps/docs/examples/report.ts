import { readFile } from 'node:fs/promises';
import type { ChannelStats } from '@prune/activations';
import {
  accuracyRows,
  accuracyVsKSpec,
  featureMapsSpec,
  parseResults,
  renderSvg,
} from '@prune/report';

/**
 * The lab's grid of mean feature maps (8 columns, each map min-max normalised, gray) as
 * SVG, from any layer's statistics.
 */
export async function featureMapsSvg(stats: ChannelStats): Promise<string> {
  const spec = featureMapsSpec({
    layer: stats.layer,
    meanMap: stats.meanMap,
    mapShape: stats.mapShape,
    images: stats.images,
  });
  // a Vega-Lite spec rendered headless; the viewer renders the same spec live
  return renderSvg(spec);
}

/**
 * Reads a run's results.json (validated against the versioned schema) and draws
 * accuracy against K.
 */
export async function accuracyChart(resultsFile: string) {
  // errors name the bad field
  const results = parseResults(await readFile(resultsFile, 'utf8'), resultsFile);
  // one row per criterion and K: mean (and spread) over seeds
  const rows = accuracyRows(results);
  const svg = await renderSvg(accuracyVsKSpec(results));
  return { results, rows, svg };
}
