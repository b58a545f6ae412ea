/**
 * Writes a small but real run folder for the browser tests, straight from the packages: a Siamese model trained
 * briefly on real MNIST pairs, conv2's statistics, the naive K sweep for two criteria, and the what-if data.
 * Usage: tsx --conditions=@prune/source e2e/makeFixtureRun.ts <runDir>
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '@prune/backend';
import { applyChannelMask, maskChannels, rankChannels } from '@prune/core';
import { loadMnist, makePairs, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { RESULTS_SCHEMA_VERSION, parseResults, runConfigSchema, summarizeSeeds, type ResultsInput } from '@prune/report';
import { createSiameseModel, evaluateSiamese, saveSiameseModel, trainSiamese } from '@prune/siamese';

const runDir = process.argv[2];
if (!runDir) throw new Error('usage: makeFixtureRun.ts <runDir>');
const SEED = 7;
const started = performance.now();
const timings: Record<string, number> = {};
const lap = (name: string, t0: number): void => {
  timings[name] = (performance.now() - t0) / 1000;
};

const selection = await selectBackend('wasm');
let t0 = performance.now();
const mnist = await loadMnist();
const train = subsetSplit(mnist.train, 0.05, SEED);
const test = subsetSplit(mnist.test, 0.1, SEED);
const trainPairs = makePairs(train, 3000, SEED);
const testPairs = makePairs(test, 2000, SEED + 1);
lap('load', t0);

t0 = performance.now();
const model = createSiameseModel({ seed: SEED });
const history = await trainSiamese(model, trainPairs, { epochs: 2, seed: SEED });
lap('train', t0);
const evaluation = await evaluateSiamese(model, testPairs);

// conv2's output before ReLU over both branches of every test pair: mean map [C,H,W] and per-channel statistics.
t0 = performance.now();
const encoder = model.getLayer('encoder') as unknown as LayersModel;
const tap = functionalModel({ inputs: encoder.inputs, outputs: encoder.getLayer('conv2').output as never });
const images = (pairs: PairSet, side: 'left' | 'right'): tf.Tensor4D =>
  tf.tidy(() => tf.gather(tf.tensor4d(pairs.split.images, [pairs.split.count, 28, 28, 1]), tf.tensor1d(pairs[side], 'int32')));
const [left, right] = [images(testPairs, 'left'), images(testPairs, 'right')];
const acts = tf.tidy(() => tf.concat([tap.predict(left) as tf.Tensor4D, tap.predict(right) as tf.Tensor4D], 0)); // [2N,14,14,32]
const [n, hh, ww, channels] = acts.shape;
const meanMap = tf.tidy(() => tf.transpose(tf.mean(acts, 0), [2, 0, 1])); // [C,H,W]
const stat = (f: (x: tf.Tensor4D) => tf.Tensor): number[] => Array.from(tf.tidy(() => f(acts)).dataSync());
const mean = stat((x) => tf.mean(x, [0, 1, 2]));
const stats = {
  layer: 'conv2',
  channels,
  images: n,
  positions: n * hh * ww,
  mean,
  meanAbs: stat((x) => tf.mean(tf.abs(x), [0, 1, 2])),
  apoz: stat((x) => tf.mean(tf.cast(tf.lessEqual(x, 0), 'float32'), [0, 1, 2])),
  variance: stat((x) => tf.moments(x, [0, 1, 2]).variance),
  std: stat((x) => tf.sqrt(tf.moments(x, [0, 1, 2]).variance)),
  min: stat((x) => tf.min(x, [0, 1, 2])),
  max: stat((x) => tf.max(x, [0, 1, 2])),
  meanMap: Array.from(meanMap.dataSync()),
  mapShape: [channels, hh, ww] as [number, number, number],
};
tf.dispose([acts, meanMap]);
lap('stats', t0);

// The naive sweep (copy, zero, evaluate the whole model) for the lab's criterion and the L1 norm of the filters.
t0 = performance.now();
const kernel = encoder.getLayer('conv2').getWeights()[0] as tf.Tensor4D; // [3,3,16,32]
const l1 = Array.from(tf.tidy(() => tf.sum(tf.abs(kernel), [0, 1, 2])).dataSync());
const criteria = [
  { criterion: 'mean', scores: mean },
  { criterion: 'l1', scores: l1 },
].map(({ criterion, scores }) => {
  const order = Array.from(rankChannels(scores));
  return { criterion, scores, order, accuracy: [] as number[] };
});
for (const c of criteria) {
  for (let k = 0; k < channels; k++) {
    const masked = await applyChannelMask(model, maskChannels('conv2', channels, c.order.slice(0, k)));
    c.accuracy.push((await evaluateSiamese(masked, testPairs)).accuracy);
    masked.dispose();
  }
}
lap('sweep', t0);

// Costs of the model with K channels removed, counted: conv2 loses 3·3·16 + 1 weights per channel, dense1 7·7·128 rows.
const params = model.countParams();
const costs = Array.from({ length: channels }, (_, k) => ({
  k,
  params: params - k * (3 * 3 * 16 + 1 + 7 * 7 * 128),
  macs: 2 * (28 * 28 * 16 * 9 + 14 * 14 * 16 * 9 * (channels - k) + 7 * 7 * (channels - k) * 128 + 128 * 64) + 128 * 32 + 32,
  latencyMs: null,
}));

t0 = performance.now();
await mkdir(join(runDir, 'viewer-data'), { recursive: true });
await saveSiameseModel(model, join(runDir, 'model', `seed-${SEED}`));
const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
await writeFile(join(runDir, 'viewer-data', 'test-images.f32'), bytes(testPairs.split.images));
await writeFile(join(runDir, 'viewer-data', 'test-left.i32'), bytes(testPairs.left));
await writeFile(join(runDir, 'viewer-data', 'test-right.i32'), bytes(testPairs.right));
await writeFile(join(runDir, 'viewer-data', 'test-labels.u8'), bytes(testPairs.labels));
const index = {
  version: 1,
  seed: SEED,
  layer: 'conv2',
  model: `../model/seed-${SEED}/model.json`,
  description: `${testPairs.count} test pairs`,
  arrays: {
    images: { file: 'test-images.f32', dtype: 'float32', shape: [testPairs.split.count, 28, 28, 1] },
    left: { file: 'test-left.i32', dtype: 'int32', shape: [testPairs.count] },
    right: { file: 'test-right.i32', dtype: 'int32', shape: [testPairs.count] },
    labels: { file: 'test-labels.u8', dtype: 'uint8', shape: [testPairs.count] },
  },
};
await writeFile(join(runDir, 'viewer-data', 'index.json'), JSON.stringify(index, null, 2));
lap('export', t0);
timings.total = (performance.now() - started) / 1000;

const config = runConfigSchema.parse({ trainFraction: 0.05, trainPairs: 3000, epochs: 2, seed: SEED, criteria: ['mean', 'l1'], exportK: [] });
const seedRuns = [
  {
    seed: SEED,
    model: { path: `model/seed-${SEED}`, cacheKey: 'fixture', reused: false, parameters: params, history: history.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, seconds: e.seconds })) },
    test: evaluation,
    stats,
    criteria: criteria.map((c) => ({ ...c, fineTune: [] })),
  },
];
const results: ResultsInput = {
  schemaVersion: RESULTS_SCHEMA_VERSION,
  runId: 'fixture-small',
  createdAt: new Date().toISOString(),
  config,
  backend: { name: selection.backend, reason: selection.reason },
  environment: { node: process.version, platform: `${process.platform}-${process.arch}`, tfjs: tf.version_core },
  timings,
  dataset: { source: 'embedded', train: { images: train.count, pairs: trainPairs.count }, test: { images: test.count, pairs: testPairs.count } },
  calibration: { source: 'test', images: 2 * testPairs.count, pairs: testPairs.count, heldOut: false, note: 'Ranked on the test pairs, as the reference does: selection on the evaluation data.' },
  layer: { name: 'conv2', channels },
  seedRuns,
  summary: summarizeSeeds(seedRuns),
  costs,
  exports: [],
  viewer: { index: 'viewer-data/index.json' },
};
const text = JSON.stringify(results, null, 2);
parseResults(text, 'results.json');
await writeFile(join(runDir, 'results.json'), text);
console.log(`fixture run written to ${runDir} (test accuracy ${evaluation.accuracy.toFixed(4)}, ${timings.total.toFixed(1)} s)`);
