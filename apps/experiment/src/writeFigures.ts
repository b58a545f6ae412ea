import { join } from 'node:path';
import { accuracyVsKSpec, costSpec, featureMapsSpec, renderSvg, tradeoffSpec, type Results } from '@prune/report';
import { writeFileAtomic } from './atomicWrite.js';
import { renderPng } from './renderPng.js';

/**
 * Writes accuracy_vs_k, feature_maps (for layers with spatial maps) and costs as SVG and PNG (2× scale) into the
 * run folder; `stage` says where the maps are taken (e.g. `before ReLU`). Returns the file names.
 */
export async function writeFigures(runDir: string, results: Results, options: { stage?: string } = {}): Promise<string[]> {
  const first = results.seedRuns[0];
  if (!first) throw new Error('writeFigures: no seed runs');
  const [, height, width] = first.stats.mapShape;
  const figures = [
    { name: 'accuracy_vs_k', spec: accuracyVsKSpec(results) },
    // 1×1 "maps" (a Dense layer) carry nothing a picture would show; their per-channel means are in results.json.
    ...(height * width > 1 ? [{ name: 'feature_maps', spec: featureMapsSpec({ ...first.stats, layer: results.layer.name, stage: options.stage }) }] : []),
    ...(results.costs.length > 0
      ? [
          { name: 'costs', spec: costSpec(results.costs, { layer: results.layer.name, subtitle: 'channels physically removed; MACs of one forward pass of one pair (both branches)', ...(results.latency ? { latencyBatch: results.latency.batch } : {}) }) },
          { name: 'tradeoff', spec: tradeoffSpec(results) },
        ]
      : []),
  ];
  const written: string[] = [];
  for (const { name, spec } of figures) {
    const svg = await renderSvg(spec);
    await writeFileAtomic(join(runDir, `${name}.svg`), svg);
    await writeFileAtomic(join(runDir, `${name}.png`), renderPng(svg));
    written.push(`${name}.svg`, `${name}.png`);
  }
  return written;
}
