// Data-parallel training step of the lab's Siamese model on wasm, two single-threaded workers (this thread and
// one worker_thread), each taking half the batch; gradients summed in a fixed order (this half, then the other),
// one Adam step here. Against the single-threaded step (batch 64) and the threaded SIMD build, alternating.
// Run: cd apps/experiment && pnpm exec tsx --conditions=@prune/source bench/dataParallel.ts [--steps=N] [--rounds=N]
import '@tensorflow/tfjs-backend-cpu';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { add, div, mean, reshape, sum, tensor, tensor1d, tensor4d, tidy, train, variableGrads, type NamedTensorMap, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { metrics } from '@tensorflow/tfjs-layers';
import { selectBackend } from '@prune/backend';
import { makePairs, pairImages, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel } from '@prune/siamese';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const STEPS = Number(args.get('steps') ?? 15);
const ROUNDS = Number(args.get('rounds') ?? 3);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const median = (xs: number[]) => quantile(xs, 0.5);

const mnist = await loadMnist();
const pairs = makePairs(subsetSplit(mnist.train, 0.1, 42), 64 * (STEPS + 1), 42);
const batch = (i: number, from: number, to: number) => {
  const { left, right } = pairImages(pairs, i * 64 + from, i * 64 + to);
  return { left, right, labels: Float32Array.from(pairs.labels.subarray(i * 64 + from, i * 64 + to)) };
};

async function plain(threads: number): Promise<number[]> {
  await selectBackend('wasm', { threads });
  const model = createSiameseModel({ seed: 42 });
  const optimizer = train.adam(1e-3, 0.9, 0.999, 1e-8);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const times: number[] = [];
  for (let i = 0; i <= STEPS; i++) {
    const b = batch(i, 0, 64);
    const l = tensor4d(b.left, [64, 28, 28, 1]), r = tensor4d(b.right, [64, 28, 28, 1]), y = tensor1d(b.labels);
    const t0 = performance.now();
    const cost = optimizer.minimize(() => mean(metrics.binaryCrossentropy(reshape(y, [-1, 1]), model.apply([l, r], { training: true }) as Tensor)) as Scalar, true, variables)!;
    cost.dataSync();
    if (i > 0) times.push(performance.now() - t0);
    cost.dispose(); l.dispose(); r.dispose(); y.dispose();
  }
  optimizer.dispose();
  model.dispose();
  return times;
}

async function dataParallel(worker: Worker): Promise<number[]> {
  await selectBackend('wasm', { threads: 1 });
  const model = createSiameseModel({ seed: 42 });
  const optimizer = train.adam(1e-3, 0.9, 0.999, 1e-8);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const times: number[] = [];
  for (let i = 0; i <= STEPS; i++) {
    const mine = batch(i, 0, 32), theirs = batch(i, 32, 64);
    const t0 = performance.now();
    const weights = variables.map((v) => v.dataSync() as Float32Array);
    const reply = new Promise<{ grads: Float32Array[]; loss: number }>((resolve) => worker.once('message', resolve));
    worker.postMessage({ weights, ...theirs });
    const l = tensor4d(mine.left, [32, 28, 28, 1]), r = tensor4d(mine.right, [32, 28, 28, 1]), y = tensor1d(mine.labels);
    const { value, grads } = variableGrads(() => tidy(() => sum(metrics.binaryCrossentropy(reshape(y, [-1, 1]), model.apply([l, r], { training: true }) as Tensor)) as Scalar), variables);
    const other = await reply;
    const summed: NamedTensorMap = {};
    variables.forEach((v, k) => (summed[v.name] = tidy(() => div(add(grads[v.name]!, tensor(other.grads[k]!, v.shape)), 64))));
    optimizer.applyGradients(summed as Parameters<typeof optimizer.applyGradients>[0]);
    const loss = (value.dataSync()[0]! + other.loss) / 64;
    if (i > 0) times.push(performance.now() - t0);
    void loss;
    value.dispose(); l.dispose(); r.dispose(); y.dispose();
    for (const g of Object.values(grads)) g.dispose();
    for (const g of Object.values(summed)) g.dispose();
  }
  optimizer.dispose();
  model.dispose();
  return times;
}

// Workers do not inherit tsx's loader: register it in the worker, then import the TypeScript worker.
const tsxApi = import.meta.resolve('tsx/esm/api');
const workerUrl = new URL('./dataParallelWorker.ts', import.meta.url).href;
const worker = new Worker(`import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl)}); })`, {
  eval: true,
  execArgv: ['--conditions=@prune/source'],
});
await new Promise((resolve) => worker.once('message', resolve));
const results: Record<string, number[]> = { '1 thread': [], '2 threads (threaded SIMD build)': [], 'data-parallel, 2 workers': [] };
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (let round = 0; round < ROUNDS; round++) {
  results['1 thread']!.push(...(await plain(1)));
  results['2 threads (threaded SIMD build)']!.push(...(await plain(2)));
  results['data-parallel, 2 workers']!.push(...(await dataParallel(worker)));
}
const base = median(results['1 thread']!);
const baseP10 = quantile(results['1 thread']!, 0.1);
console.log('(the machine may be shared: the 10th percentile is the least disturbed figure)');
console.log('configuration                      median ms/step  vs 1 thread   p10 ms/step  vs 1 thread');
for (const [name, t] of Object.entries(results)) {
  const p10 = quantile(t, 0.1);
  console.log(`${name.padEnd(34)} ${median(t).toFixed(1).padStart(9)} ${(base / median(t)).toFixed(2).padStart(12)}× ${p10.toFixed(1).padStart(12)} ${(baseP10 / p10).toFixed(2).padStart(11)}×`);
}
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await worker.terminate();
