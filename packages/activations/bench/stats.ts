// Cost of a statistics pass (collectActivationStats on conv2, both Siamese branches) against a plain evaluation
// pass (predictPairs) over the same 2000 MNIST test pairs, same batch size, same model. Warm-up first, then
// alternating runs; medians of wall and CPU time, and their ratios. Backend: PRUNE_BENCH_BACKEND (default wasm).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { makePairs, pairBatches, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel, predictPairs } from '@prune/siamese';
import { registerWasmTrainingKernels } from '@prune/backend';
import { collectActivationStats } from '../src/index';

const backend = process.env.PRUNE_BENCH_BACKEND ?? 'wasm';
const batchSize = Number(process.env.PRUNE_BENCH_BATCH ?? 64);
const rounds = Number(process.env.PRUNE_BENCH_ROUNDS ?? 7);
const reduceOn = (process.env.PRUNE_BENCH_REDUCE ?? 'device') as 'device' | 'host';
// As the apps and tests do: @prune/backend completes wasm (its kernels are used by both passes alike).
if (backend === 'wasm') registerWasmTrainingKernels();
if (!(await tf.setBackend(backend))) throw new Error(`bench/stats: backend '${backend}' did not initialise`);

const mnist = await loadMnist();
const pairs = makePairs(subsetSplit(mnist.test, 0.1, 42), 2000, 42);
// Timing does not depend on the weights; an untrained model keeps the benchmark self-contained.
const model = createSiameseModel({ seed: 42 });

function* inputs(set: PairSet): Generator<tf.Tensor[]> {
  for (const b of pairBatches(set, { batchSize })) {
    b.labels.dispose();
    yield [b.left, b.right];
  }
}

async function plainPass(): Promise<Float32Array> {
  return predictPairs(model, pairs, { batchSize });
}

async function statsPass(): Promise<Float32Array> {
  const probabilities = new Float32Array(pairs.count);
  const stats = await collectActivationStats(model, inputs(pairs), {
    layers: ['conv2'],
    reduceOn,
    disposeInputs: true,
    onPredictions: async (output, batch) => probabilities.set(await (output as tf.Tensor).data(), batch.start),
  });
  if (stats.conv2!.images !== 2 * pairs.count) throw new Error(`bench/stats: expected ${2 * pairs.count} images, got ${stats.conv2!.images}`);
  return probabilities;
}

async function timed(fn: () => Promise<Float32Array>): Promise<{ wall: number; cpu: number; out: Float32Array }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000, out };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const min = (xs: number[]) => Math.min(...xs);

await plainPass(); // warm-up: kernels, XNNPACK operators, JIT
await statsPass();
const tensorsBefore = tf.memory().numTensors;
const plain: { wall: number[]; cpu: number[] } = { wall: [], cpu: [] };
const stats: { wall: number[]; cpu: number[] } = { wall: [], cpu: [] };
for (let r = 0; r < rounds; r++) {
  const p = await timed(plainPass);
  const s = await timed(statsPass);
  plain.wall.push(p.wall);
  plain.cpu.push(p.cpu);
  stats.wall.push(s.wall);
  stats.cpu.push(s.cpu);
  if (p.out.some((v, i) => v !== s.out[i])) throw new Error('bench/stats: the statistics pass changed the predictions');
}
const leaked = tf.memory().numTensors - tensorsBefore;

const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;
const row = (name: string, t: { wall: number[]; cpu: number[] }) =>
  console.log(`${name.padEnd(48)} wall median ${fmt(median(t.wall))} min ${fmt(min(t.wall))}   cpu median ${fmt(median(t.cpu))} min ${fmt(min(t.cpu))}`);
console.log(
  `backend ${tf.getBackend()}${backend === 'wasm' ? ' (+ @prune/backend kernels)' : ''}, ${pairs.count} test pairs ` +
    `(${2 * pairs.count} images through conv2), batch ${batchSize}, ${rounds} alternating rounds after warm-up`,
);
row('plain evaluation pass (predictPairs)', plain);
row(`statistics pass (collectActivationStats conv2, ${reduceOn})`, stats);
const ratio = (f: (xs: number[]) => number, k: 'wall' | 'cpu') => (f(stats[k]) / f(plain[k])).toFixed(3);
console.log(
  `ratio statistics / plain: wall ${ratio(median, 'wall')}x (min ${ratio(min, 'wall')}x), ` +
    `cpu ${ratio(median, 'cpu')}x (min ${ratio(min, 'cpu')}x); target <= 1.2x`,
);
console.log(`tensors leaked over the timed runs: ${leaked}`);
