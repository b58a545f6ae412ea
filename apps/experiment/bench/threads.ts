// Threads for wasm training, measured on the whole training step of the lab's Siamese model (batch 64 pairs):
// one XNNPACK thread against N (tfjs-backend-wasm's threaded SIMD build on worker_threads), alternating rounds,
// and a single-threaded step on half a batch: the floor of a data-parallel step on two workers (each takes half
// the batch; the gradient exchange and the fixed-order reduction would come on top).
// Run: cd apps/experiment && pnpm exec tsx --conditions=@prune/source bench/threads.ts [--threads=N] [--steps=N] [--rounds=N]
import '@tensorflow/tfjs-backend-cpu';
import { loadavg } from 'node:os';
import { mean, reshape, tensor1d, tensor4d, train, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { metrics } from '@tensorflow/tfjs-layers';
import { defaultThreadCount, selectBackend } from '@prune/backend';
import { makePairs, pairImages, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel } from '@prune/siamese';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const THREADS = Number(args.get('threads') ?? (await defaultThreadCount()));
const STEPS = Number(args.get('steps') ?? 12);
const ROUNDS = Number(args.get('rounds') ?? 3);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const mnist = await loadMnist();
const pairs = makePairs(subsetSplit(mnist.train, 0.1, 42), 64 * (STEPS + 1), 42);

/** Wall and CPU ms of each of STEPS Adam steps on `size` pairs, after one warm-up step. */
async function steps(threads: number, size: number): Promise<{ wall: number[]; cpu: number[] }> {
  await selectBackend('wasm', { threads });
  const model = createSiameseModel({ seed: 42 });
  const optimizer = train.adam(1e-3, 0.9, 0.999, 1e-8);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i <= STEPS; i++) {
    const { left, right } = pairImages(pairs, i * 64, i * 64 + size);
    const l = tensor4d(left, [size, 28, 28, 1]), r = tensor4d(right, [size, 28, 28, 1]);
    const y = tensor1d(pairs.labels.subarray(i * 64, i * 64 + size));
    const w0 = performance.now(), c0 = cpuMs();
    const cost = optimizer.minimize(() => mean(metrics.binaryCrossentropy(reshape(y, [-1, 1]), model.apply([l, r], { training: true }) as Tensor)) as Scalar, true, variables)!;
    cost.dataSync();
    if (i > 0) {
      wall.push(performance.now() - w0);
      cpu.push(cpuMs() - c0);
    }
    cost.dispose();
    l.dispose();
    r.dispose();
    y.dispose();
  }
  optimizer.dispose();
  model.dispose();
  return { wall, cpu };
}

const configs = [
  { label: '1 thread, batch 64', threads: 1, size: 64 },
  { label: `${THREADS} threads, batch 64`, threads: THREADS, size: 64 },
  { label: '1 thread, batch 32 (data-parallel floor)', threads: 1, size: 32 },
];
const results = new Map(configs.map((c) => [c.label, { wall: [] as number[], cpu: [] as number[] }]));
console.log(`Training step of the lab's Siamese model on wasm: ${ROUNDS} alternating rounds × ${STEPS} steps; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (let round = 0; round < ROUNDS; round++) {
  for (const c of configs) {
    const r = await steps(c.threads, c.size);
    results.get(c.label)!.wall.push(...r.wall);
    results.get(c.label)!.cpu.push(...r.cpu);
  }
}
console.log('configuration                               wall ms/step (median)  CPU ms/step  vs 1 thread (wall)');
const base = median(results.get(configs[0]!.label)!.wall);
for (const c of configs) {
  const r = results.get(c.label)!;
  const wall = median(r.wall);
  console.log(`${c.label.padEnd(44)} ${wall.toFixed(1).padStart(12)} ${median(r.cpu).toFixed(1).padStart(19)} ${(base / wall).toFixed(2).padStart(14)}×`);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
