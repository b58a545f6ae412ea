// Structural surgery on the lab's Siamese model: parameters, MACs and measured latency of the physically pruned
// model at K = 8, 16, 24 removed conv2 channels against the unpruned model, on the wasm backend.
// Latency does not depend on the weights' values, so the model is untrained; channels are chosen by L1 norm.
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '@prune/backend';
import { createSiameseModel } from '@prune/siamese';
import {
  applyChannelMask,
  countMacs,
  countParams,
  maskChannels,
  measureLatency,
  pruneChannels,
  type LatencyStats,
} from '../src/index';

const LAYER = 'encoder/conv2';
const KS = [8, 16, 24];
const BATCH = 256; // pairs per predict call
const ROUNDS = 8; // rounds interleave the models, so drift on a shared machine hits them alike
const RUNS_PER_ROUND = 3;

const selection = await selectBackend('wasm');
console.log(`backend: ${selection.backend} (${selection.reason})`);

const model = createSiameseModel({ seed: 42 });
const conv2 = (model.getLayer('encoder') as unknown as LayersModel).getLayer('conv2');
// Weakest filters first by L1 norm of the kernel columns [3, 3, 16, 32].
const l1 = tf.tidy(() => tf.sum(tf.abs(conv2.getWeights()[0]!), [0, 1, 2]).dataSync() as Float32Array);
const order = [...l1.keys()].sort((a, b) => l1[a]! - l1[b]! || a - b);

const left = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 1); // [B, 28, 28, 1]
const right = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 2); // [B, 28, 28, 1]

interface Row {
  k: number;
  model: LayersModel;
  params: number;
  macs: number;
  maxDiff: number;
  samples: number[];
}
const rows: Row[] = [];
const baseParams = countParams(model).total;
rows.push({ k: 0, model, params: baseParams, macs: countMacs(model).macs, maxDiff: 0, samples: [] });
for (const k of KS) {
  const removed = order.slice(0, k).sort((a, b) => a - b);
  const pruned = await pruneChannels(model, maskChannels(LAYER, 32, removed));
  // The surgery's promise, checked at benchmark scale: same outputs as the masked model.
  const masked = await applyChannelMask(model, maskChannels(LAYER, 32, removed));
  const maxDiff = tf.tidy(() => {
    const a = pruned.predict([left, right]) as tf.Tensor;
    const b = masked.predict([left, right]) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  });
  masked.dispose();
  rows.push({ k, model: pruned, params: countParams(pruned).total, macs: countMacs(pruned).macs, maxDiff, samples: [] });
}

// Warm every model once, then interleave timed rounds.
for (const row of rows) await measureLatency(row.model, [left, right], { runs: 1, warmup: 2 });
for (let round = 0; round < ROUNDS; round += 1) {
  for (const row of rows) {
    const stats: LatencyStats = await measureLatency(row.model, [left, right], { runs: RUNS_PER_ROUND, warmup: 0 });
    row.samples.push(...stats.samplesMs);
  }
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 ? s[Math.floor(m)]! : (s[m - 1]! + s[m]!) / 2;
};
const p90 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.ceil(0.9 * values.length) - 1]!;
const base = rows[0]!;
const baseMedian = median(base.samples);

console.log(`\nSurgery on ${LAYER} of the Siamese model (32 channels), batch ${BATCH} pairs, ${ROUNDS * RUNS_PER_ROUND} timed runs each`);
console.log('MACs are per pair; latency per batch of pairs (min is the least disturbed by other load on the machine).\n');
const header = ['K', 'channels', 'params', 'params ratio', 'MACs/pair', 'MACs ratio', 'median ms', 'p90 ms', 'min ms', 'speed-up', 'max|pruned-masked|'];
const table = rows.map((row) => [
  String(row.k),
  String(32 - row.k),
  String(row.params),
  (row.params / baseParams).toFixed(3),
  String(row.macs),
  (row.macs / base.macs).toFixed(3),
  median(row.samples).toFixed(2),
  p90(row.samples).toFixed(2),
  Math.min(...row.samples).toFixed(2),
  `${(baseMedian / median(row.samples)).toFixed(2)}x`,
  row.k === 0 ? '-' : row.maxDiff.toExponential(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of table) console.log(line(r));

const medians = rows.map((row) => median(row.samples));
const mins = rows.map((row) => Math.min(...row.samples));
const falls = (values: number[]) => values.every((m, i) => i === 0 || m < values[i - 1]!);
console.log(`\nlatency falls as K grows: median ${falls(medians) ? 'yes' : 'no'} (${medians.map((m) => m.toFixed(2)).join(', ')} ms); min ${falls(mins) ? 'yes' : 'no'} (${mins.map((m) => m.toFixed(2)).join(', ')} ms)`);
console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`);

tf.dispose([left, right]);
for (const row of rows) row.model.dispose();
