// The calibration page's figure: how many images a data-driven ranking needs. On the published run's model, the
// channels are ranked by each data-driven criterion of the run on random subsets of its test pairs, and each
// ranking is compared with the criterion's ranking on all of them (the run's own, checked): Spearman's rho of the
// scores, and the test pair accuracy with the K lowest channels pruned.
//   pnpm --filter @prune/docs exec tsx --conditions=@prune/source scripts/figures/calibrationFigure.ts
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createMaskEvaluator, criterionByName, rankChannels, scoreChannels, spearmanCorrelation } from '@prune/core';
import { selectBackend } from '@prune/backend';
import { loadPublishedRun, reportLook, writeFigure } from './publishedRun';

const PAIRS = [4, 8, 16, 32, 64, 128, 256, 512, 1000];
const DRAWS = 10;
const K = 16;
/** The run's data-driven criteria, by their names in results.json and in @prune/core. */
const CRITERIA = { mean: 'mean-activation', taylor: 'taylor', ablation: 'ablation' } as const;

await selectBackend('wasm');
const run = await loadPublishedRun();
const layer = run.index.layer;
if (run.results.calibration.source !== 'test') throw new Error('calibrationFigure: the published run must rank on the test pairs (the reference default)');
const count = run.labels.length;

/** The criterion's scores on the pairs at `indices` (every pair when null). */
async function scoresOn(name: keyof typeof CRITERIA, indices: Int32Array | null): Promise<Float64Array> {
  const inputs = indices ? tf.tidy(() => run.inputs.map((t) => tf.gather(t, indices))) : run.inputs;
  const labels = indices ? Array.from(indices, (i) => run.labels[i]!) : run.labels;
  const scores = await scoreChannels(criterionByName(CRITERIA[name]), { model: run.model, layer, data: { inputs, labels } });
  if (indices) tf.dispose(inputs);
  return Float64Array.from(scores);
}

/** The first n of a seeded shuffle of 0 … count-1. */
function sample(n: number, seed: number): Int32Array {
  const keys = tf.tidy(() => tf.randomUniform([count], 0, 1, 'float32', seed).dataSync());
  return Int32Array.from(Array.from({ length: count }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!).slice(0, n));
}

const evaluator = await createMaskEvaluator(run.model, layer, { inputs: run.inputs, labels: run.labels });
const accuracyAtK = (scores: ArrayLike<number>) => evaluator.evaluate(Array.from(rankChannels(scores)).slice(0, K)).metric;
const rows: { criterion: string; images: number; rho: number; accuracy: number }[] = [];
for (const name of Object.keys(CRITERIA) as (keyof typeof CRITERIA)[]) {
  const published = run.results.seedRuns[0]!.criteria.find((c) => c.criterion === name && c.rankedOn === 'test');
  if (!published) throw new Error(`calibrationFigure: the published run has no '${name}' curve ranked on the test pairs`);
  const all = await scoresOn(name, null);
  // The recomputed ranking on every pair must be the run's own: the same model, pairs and criterion.
  if (spearmanCorrelation(all, published.scores) < 0.9999) throw new Error(`calibrationFigure: '${name}' on all test pairs does not reproduce the published scores`);
  rows.push({ criterion: name, images: 2 * count, rho: 1, accuracy: accuracyAtK(all) });
  for (const n of PAIRS) {
    for (let d = 0; d < DRAWS; d++) {
      const scores = await scoresOn(name, sample(n, 1000 * n + d));
      // Scores that are all equal (ablation on a few pairs, where no single channel changes any prediction) rank
      // nothing: Spearman's rho is undefined, and counted as 0, a random order's expected value.
      const rho = spearmanCorrelation(scores, all);
      rows.push({ criterion: name, images: 2 * n, rho: Number.isNaN(rho) ? 0 : rho, accuracy: accuracyAtK(scores) });
    }
  }
}
evaluator.dispose();

const median = (v: number[]) => (v[(v.length - 1) >> 1]! + v[v.length >> 1]!) / 2;
const summary = [...new Set(rows.map((r) => `${r.criterion} ${r.images}`))].map((key) => {
  const of = rows.filter((r) => `${r.criterion} ${r.images}` === key);
  const rho = of.map((r) => r.rho).sort((a, b) => a - b);
  const acc = of.map((r) => r.accuracy).sort((a, b) => a - b);
  return { criterion: of[0]!.criterion, images: of[0]!.images, rho: median(rho), rhoLo: rho[0]!, rhoHi: rho[rho.length - 1]!, acc: median(acc), accLo: acc[0]!, accHi: acc[acc.length - 1]! };
});

const x = { field: 'images', type: 'quantitative' as const, title: 'calibration images (2 per pair)', scale: { type: 'log' as const, base: 2, domain: [8, 2 * count] }, axis: { values: [...new Set(summary.map((s) => s.images))], format: 'd', labelAngle: -40, labelOverlap: false } };
const color = { field: 'criterion', type: 'nominal' as const, scale: { domain: Object.keys(CRITERIA) }, legend: { orient: 'bottom' as const, title: null, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
const panel = (title: string, mid: string, lo: string, hi: string, format: string) => ({
  width: 300,
  height: 230,
  title: { text: title, fontSize: 12, fontWeight: 'normal' as const },
  data: { values: summary },
  layer: [
    { mark: { type: 'area' as const, opacity: 0.15 }, encoding: { x, y: { field: lo, type: 'quantitative' as const, title: null, scale: { zero: false }, axis: { format } }, y2: { field: hi }, color } },
    { mark: { type: 'line' as const, strokeWidth: 2, point: { filled: true, size: 22 } }, encoding: { x, y: { field: mid, type: 'quantitative' as const }, color } },
  ],
});
const file = await writeFigure('calibration', {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  config: reportLook(run.results),
  title: {
    text: `How many images a ranking of ${layer} needs`,
    subtitle: `random subsets of the published run's ${count} test pairs, ${DRAWS} draws per size (median and range), against the ranking on all of them`,
  },
  hconcat: [
    panel("Spearman's rho with the ranking on all test pairs", 'rho', 'rhoLo', 'rhoHi', '.2f'),
    panel(`test pair accuracy with the K = ${K} lowest pruned`, 'acc', 'accLo', 'accHi', '.3f'),
  ],
} as never);
run.inputs.forEach((t) => t.dispose());
console.log(JSON.stringify({ file, summary }));
