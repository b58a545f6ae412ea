// The lab's run (6000/1000 images, 10000/2000 pairs, batch 64, 10 epochs) for several seeds: test pair accuracy,
// loss, AUC and training time. Usage: tsx bench/seeds.ts [backend=wasm] [seeds=1,2,3] [epochs=10] [threads=1]
// (threads > 1: that many model replicas, trainSiameseParallel); `pnpm bench` runs
// one seed for 2 epochs (throughput), `pnpm bench:seeds` the full lab run for seeds 1, 2, 3.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '@prune/backend';
import { createSiameseModel, evaluateSiamese } from '../src/index';
import { trainSiameseParallel } from '../src/node/index';
import { labPairs } from '../src/test-utils/labData';

const backend = process.argv[2] ?? 'wasm';
const seeds = (process.argv[3] ?? '1,2,3').split(',').map(Number);
const epochs = Number(process.argv[4] ?? 10);
const threads = Number(process.argv[5] ?? 1);
if (backend === 'wasm') registerWasmTrainingKernels();
if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not initialise`);

const rows: { seed: number; accuracy: number; loss: number; auc: number; seconds: number; pairsPerSecond: number }[] = [];
for (const seed of seeds) {
  const { train, test } = await labPairs(seed);
  const model = createSiameseModel({ seed });
  const history = await trainSiameseParallel(model, train, {
    threads,
    epochs,
    seed,
    onEpoch: (e) => console.log(`seed ${seed} epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} ${e.pairsPerSecond.toFixed(0)} pairs/s`),
  });
  const evaluation = await evaluateSiamese(model, test);
  model.dispose();
  const row = { seed, accuracy: evaluation.accuracy, loss: evaluation.loss, auc: evaluation.auc, seconds: history.seconds, pairsPerSecond: (epochs * train.count) / history.seconds };
  rows.push(row);
  console.log(`seed ${seed}: test accuracy ${row.accuracy.toFixed(4)}, loss ${row.loss.toFixed(4)}, AUC ${row.auc.toFixed(4)}, trained in ${row.seconds.toFixed(0)} s (${row.pairsPerSecond.toFixed(0)} pairs/s)`);
}
const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
const std = (f: (r: (typeof rows)[number]) => number) => Math.sqrt(rows.reduce((s, r) => s + (f(r) - mean(f)) ** 2, 0) / Math.max(1, rows.length - 1));
console.log(`\nbackend ${backend}, ${epochs} epochs, seeds ${seeds.join(',')}, ${threads} replica(s)`);
console.log(`test accuracy: mean ${mean((r) => r.accuracy).toFixed(4)} ± ${std((r) => r.accuracy).toFixed(4)} (min ${Math.min(...rows.map((r) => r.accuracy)).toFixed(4)})`);
console.log(`training time: mean ${mean((r) => r.seconds).toFixed(0)} s (${mean((r) => r.pairsPerSecond).toFixed(0)} pairs/s)`);
