// Cost of a statistics pass (collectActivationStats on conv2, both Siamese branches) against a plain evaluation
// pass (predictPairs) over the same 2000 MNIST test pairs, same batch size, same model. Warm-up first, then
// alternating runs; medians of wall and CPU time, and their ratios. Backend: PRUNE_BENCH_BACKEND (default wasm).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { loadMnist, makePairs, pairBatches, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { createSiameseModel, predictPairs } from '@prune/siamese';
import { collectActivationStats } from '../src/index';

const backend = process.env.PRUNE_BENCH_BACKEND ?? 'wasm';
const batchSize = Number(process.env.PRUNE_BENCH_BATCH ?? 64);
const rounds = Number(process.env.PRUNE_BENCH_ROUNDS ?? 5);
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
console.log(`backend ${tf.getBackend()}, ${pairs.count} test pairs (${2 * pairs.count} images through conv2), batch ${batchSize}, ${rounds} rounds, medians`);
console.log(`plain evaluation pass (predictPairs)            wall ${fmt(median(plain.wall))}   cpu ${fmt(median(plain.cpu))}`);
console.log(`statistics pass (collectActivationStats conv2)  wall ${fmt(median(stats.wall))}   cpu ${fmt(median(stats.cpu))}`);
const wallRatio = median(stats.wall) / median(plain.wall);
const cpuRatio = median(stats.cpu) / median(plain.cpu);
console.log(`ratio statistics / plain: wall ${wallRatio.toFixed(3)}x, cpu ${cpuRatio.toFixed(3)}x (target <= 1.2x)`);
console.log(`tensors leaked over the timed runs: ${leaked}`);
