// The fast sweep's figure: on the published run's model and test pairs, the lab's naive sweep (a masked copy of the
// whole model evaluated per K) and the fast sweep, for the run's mean-activation order. Both curves are drawn, and
// the largest difference of any pair's probability at each K; the script fails if the two disagree beyond float
// rounding or if either differs from the published curve.
//   pnpm --filter @prune/docs exec tsx --conditions=@prune/source scripts/figures/fastSweepFigure.ts
import '@tensorflow/tfjs-backend-cpu';
import { cpus, loadavg } from 'node:os';
import { naiveSweep, sweepChannels } from '@prune/core';
import { selectBackend } from '@prune/backend';
import { loadPublishedRun, reportLook, writeFigure } from './publishedRun';

const TOLERANCE = 1e-5;
const FAST = 'fast sweep (sweepChannels)';
const NAIVE = 'naive sweep (naiveSweep)';

const { backend } = await selectBackend('wasm');
const run = await loadPublishedRun();
const layer = run.index.layer;
const criterion = run.results.seedRuns[0]!.criteria.find((c) => c.criterion === 'mean' && c.rankedOn === run.results.calibration.source);
if (!criterion) throw new Error(`fastSweepFigure: the published run has no 'mean' curve ranked on ${run.results.calibration.source}`);
const data = { inputs: run.inputs, labels: run.labels };
const fast = await sweepChannels(run.model, layer, criterion.order, data, { keepPredictions: true });
const naive = await naiveSweep(run.model, layer, criterion.order, data, { keepPredictions: true });
const load = loadavg()[0]!.toFixed(2);

const rows = naive.points.map((p, i) => {
  const a = naive.predictions![i]!;
  const b = fast.predictions![i]!;
  let diff = 0;
  for (let j = 0; j < a.length; j++) {
    diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
    // Predictions must agree exactly, except for a probability within float rounding of the 0.5 threshold.
    if (a[j]! >= 0.5 !== b[j]! >= 0.5 && Math.abs(a[j]! - 0.5) > TOLERANCE) throw new Error(`fastSweepFigure: K=${p.k}, pair ${j}: naive ${a[j]}, fast ${b[j]}`);
  }
  const published = criterion.accuracy[p.k]!;
  for (const [name, value] of [['naive', p.metric], ['fast', fast.points[i]!.metric]] as const) {
    if (Math.abs(value - published) > 1 / a.length) throw new Error(`fastSweepFigure: K=${p.k}: the ${name} sweep gives ${value}, the published run ${published}`);
  }
  return { k: p.k, naive: p.metric, fast: fast.points[i]!.metric, diff: Math.max(diff, 1e-9) };
});
if (rows.some((r) => r.diff > TOLERANCE)) throw new Error(`fastSweepFigure: a probability differs by more than ${TOLERANCE}`);

const channels = run.index.channels;
const kAxis = { title: 'K (channels pruned)', scale: { domain: [1, channels - 1], nice: false }, axis: { values: [...Array.from({ length: Math.ceil(channels / 4) }, (_, i) => 4 * i).filter((k) => k > 0 && k < channels - 1), channels - 1], format: 'd' } };
const accuracy = {
  width: 330,
  height: 230,
  title: { text: 'test pair accuracy', fontSize: 12, fontWeight: 'normal' as const },
  data: { values: rows.flatMap((r) => [{ k: r.k, sweep: NAIVE, accuracy: r.naive }, { k: r.k, sweep: FAST, accuracy: r.fast }]) },
  layer: [
    { transform: [{ filter: `datum.sweep === '${FAST}'` }], mark: { type: 'line' as const, strokeWidth: 2 } },
    { transform: [{ filter: `datum.sweep === '${NAIVE}'` }], mark: { type: 'point' as const, size: 40, strokeWidth: 1.5 } },
  ],
  encoding: {
    x: { field: 'k', type: 'quantitative' as const, ...kAxis },
    color: { field: 'sweep', type: 'nominal' as const, scale: { domain: [FAST, NAIVE], range: ['#1f77b4', '#d62728'] }, legend: { orient: 'bottom' as const, title: null, labelLimit: 300 } },
    y: { field: 'accuracy', type: 'quantitative' as const, title: null, scale: { zero: false }, axis: { format: '.2f' } },
  },
};
const difference = {
  width: 330,
  height: 230,
  title: { text: 'largest |p(fast) − p(naive)| over the pairs', fontSize: 12, fontWeight: 'normal' as const },
  data: { values: rows },
  mark: { type: 'line' as const, color: '#555', point: { filled: true, size: 22, color: '#555' } },
  encoding: {
    x: { field: 'k', type: 'quantitative' as const, ...kAxis },
    y: { field: 'diff', type: 'quantitative' as const, title: null, scale: { type: 'log' as const, domain: [1e-9, 1e-4] }, axis: { values: [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4], format: '.0e' } },
  },
};
const ratio = naive.seconds / fast.seconds;
const file = await writeFigure('fast-sweep', {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  config: reportLook(run.results),
  title: {
    text: `The fast sweep gives the naive sweep's numbers (${layer})`,
    subtitle: [
      `K = 1 … ${channels - 1} in mean-activation order on the published run's ${run.labels.length} test pairs`,
      `${backend}, one run: naive ${naive.seconds.toFixed(1)} s, fast ${fast.seconds.toFixed(1)} s (${ratio.toFixed(1)}× faster), load average ${load} on ${cpus().length} cores`,
    ],
  },
  hconcat: [accuracy, difference],
} as never);
run.inputs.forEach((t) => t.dispose());
console.log(JSON.stringify({ file, backend, naiveSeconds: naive.seconds, fastSeconds: fast.seconds, ratio, load, maxDiff: Math.max(...rows.map((r) => r.diff)) }));
